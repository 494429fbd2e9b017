"""Layering: every darkbeam module imports only its own layer or lower ones, and none defers an import of a
darkbeam module into a function (except the two start-up entry points, each exemption justified below).

Data flows one way (docs/architecture.md). The layers, lowest first:

    foundation (constants, units, errors, particles, registry, sample, numerics, data) → kinematics →
    source (beams) → declarations (models.base) → production → propagation → interactions → models →
    detectors → pipeline → io → plotting → inference → api → cli

``models.base`` (Model, Param, Decays: the types a model declares with) sits below production and
interactions, which read those declarations; the concrete models (models/*.py, the plugin loader) sit above
them, since they declare the production and detection channels and widths that those layers provide. ``io``
(configs, the sample cache, atomic writes, event files) sits above the pipeline, whose samples it stores and
writes, and below inference, which reads configs and caches samples. Every module under src/darkbeam/ is
parsed with ``ast``; every import in it — at module level, under ``if TYPE_CHECKING`` or inside a function,
absolute or relative — is resolved to its absolute module name and must not name a higher layer than the
module's own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "darkbeam"

#: (layer, module prefixes), lowest layer first; a module belongs to the layer of its longest matching prefix
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("darkbeam", "darkbeam.constants", "darkbeam.units", "darkbeam.errors",
                    "darkbeam.particles", "darkbeam.registry", "darkbeam.sample", "darkbeam.numerics",
                    "darkbeam.data")),
    ("kinematics", ("darkbeam.kinematics",)),
    ("source", ("darkbeam.beams",)),
    ("declarations", ("darkbeam.models.base",)),
    ("production", ("darkbeam.production",)),
    ("propagation", ("darkbeam.propagation",)),
    ("interactions", ("darkbeam.interactions",)),
    ("models", ("darkbeam.models",)),
    ("detectors", ("darkbeam.detectors",)),
    ("pipeline", ("darkbeam.pipeline",)),
    ("io", ("darkbeam.io",)),
    ("plotting", ("darkbeam.plotting",)),
    ("inference", ("darkbeam.inference",)),
    ("api", ("darkbeam.api",)),
    ("cli", ("darkbeam.cli",)),
)
LAYER_NAMES = tuple(name for name, _ in LAYERS)

#: modules that may import darkbeam modules inside functions, and why (nothing else may: a deferred import
#: either dodges a cycle, which the layer order forbids, or hides a dependency)
DEFERRED_IMPORTS_ALLOWED = {
    # each command imports its machinery when it runs, so ``darkbeam --help`` does not load the whole package
    "darkbeam.cli": "command-line start-up",
    # the CLI imports darkbeam.api at start-up (cli/catalog.py); models, detectors, pipeline and inference at
    # api's module level would make every command load the whole package (darkbeam --help: 0.2 s -> 1.5 s)
    "darkbeam.api": "command-line start-up",
}


def layer_of(name: str) -> int | None:
    """Index in :data:`LAYERS` of darkbeam module ``name`` (longest matching prefix; "darkbeam" itself only
    matches the package); None for a name outside darkbeam."""
    best, best_len = None, -1
    for i, (_layer, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            hit = name == p if p == "darkbeam" else name == p or name.startswith(p + ".")
            if hit and len(p) > best_len:
                best, best_len = i, len(p)
    return best


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _deferred_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside a function or an ``if TYPE_CHECKING:`` block."""
    out: set[int] = set()
    for node in ast.walk(tree):
        inside = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or (
            isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
        if inside:
            out.update(id(n) for n in ast.walk(node) if n is not node or isinstance(node, ast.If))
    return out


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str, bool]]:
    """(line, absolute module name, deferred) of every import in ``source``: module-level, or deferred
    (inside a function or under ``if TYPE_CHECKING``).

    ``from X import a`` yields X and X.a (``a`` may be a submodule); relative imports are resolved against
    ``module`` (the package itself for an ``__init__``)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(source)
    deferred = _deferred_nodes(tree)
    out: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        late = id(node) in deferred
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, late) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target, late))
            out.extend((node.lineno, f"{target}.{a.name}", late) for a in node.names if a.name != "*")
    return out


def layer_violations(source: str, module: str, is_package: bool) -> list[str]:
    """Imports in ``source`` (of ``module``) of darkbeam modules in a higher layer than ``module``'s."""
    own = layer_of(module)
    assert own is not None, f"{module} is in no layer of LAYERS: add it where it belongs"
    bad = []
    for line, name, late in imported_modules(source, module, is_package):
        target = layer_of(name)
        if target is not None and target > own:
            where = "inside a function" if late else "at module level"
            bad.append(f"{module}:{line} ({LAYER_NAMES[own]}) imports {name} ({LAYER_NAMES[target]}) {where}")
    return bad


def deferred_darkbeam_imports(source: str, module: str, is_package: bool) -> list[str]:
    """Imports of darkbeam modules inside functions or ``if TYPE_CHECKING`` blocks."""
    return [f"{module}:{line} defers the import of {name}"
            for line, name, late in imported_modules(source, module, is_package)
            if late and layer_of(name) is not None]


def _modules() -> list[tuple[Path, str]]:
    return [(p, _module_name(p)) for p in sorted(PACKAGE.rglob("*.py"))]


def test_every_module_and_subpackage_has_a_layer():
    modules = _modules()
    assert len(modules) > 100  # the scan sees the package
    assert not [m for _p, m in modules if layer_of(m) is None]
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    named = {q.split(".")[1] for _layer, prefixes in LAYERS for q in prefixes if q.count(".") >= 1}
    assert subpackages <= named, f"subpackages without a layer: {sorted(subpackages - named)}"


def test_no_module_imports_a_higher_layer():
    bad = []
    for path, module in _modules():
        bad += layer_violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert not bad, ("imports against the layer order (" + " → ".join(LAYER_NAMES) + "):\n" + "\n".join(bad))


def test_no_deferred_darkbeam_imports_outside_the_entry_points():
    """A darkbeam import inside a function hides a dependency or dodges a cycle: module level only, except in
    :data:`DEFERRED_IMPORTS_ALLOWED` (third-party packages may be imported lazily: not checked here)."""
    bad = []
    for path, module in _modules():
        if any(module == m or module.startswith(m + ".") for m in DEFERRED_IMPORTS_ALLOWED):
            continue
        bad += deferred_darkbeam_imports(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert not bad, "darkbeam imports inside functions (move them to module level):\n" + "\n".join(bad)


@pytest.mark.parametrize(("name", "layer"), [
    ("darkbeam", "foundation"), ("darkbeam.data.miniboone_release", "foundation"),
    ("darkbeam.beams", "source"),
    ("darkbeam.models.base", "declarations"), ("darkbeam.models.base.Model", "declarations"),
    ("darkbeam.models", "models"), ("darkbeam.models.plugins", "models"), ("darkbeam.io.config", "io"),
    ("darkbeam.api", "api"), ("darkbeam.cli.app", "cli"),
])
def test_layer_of(name, layer):
    assert LAYER_NAMES[layer_of(name)] == layer
    assert layer_of("darkbeamx.models") is None and layer_of("numpy") is None


def test_scan_catches_function_local_and_relative_imports():
    """The scan resolves relative imports and sees imports inside functions (the old experiment look-up)."""
    src = ("from .. import constants as c\nfrom .stopped_yields import get_source\nimport numpy as np\n"
           "def f(name):\n    from ..detectors.catalog import EXPERIMENTS\n    return EXPERIMENTS.get(name)\n"
           "def g():\n    import darkbeam.pipeline.signal\n")
    bad = layer_violations(src, "darkbeam.beams.stopped", False)
    assert bad == [
        "darkbeam.beams.stopped:5 (source) imports darkbeam.detectors.catalog (detectors) inside a function",
        ("darkbeam.beams.stopped:5 (source) imports darkbeam.detectors.catalog.EXPERIMENTS (detectors) "
        "inside a function"),
        "darkbeam.beams.stopped:8 (source) imports darkbeam.pipeline.signal (pipeline) inside a function"]
    assert deferred_darkbeam_imports(src, "darkbeam.beams.stopped", False) == [
        "darkbeam.beams.stopped:5 defers the import of darkbeam.detectors.catalog",
        "darkbeam.beams.stopped:5 defers the import of darkbeam.detectors.catalog.EXPERIMENTS",
        "darkbeam.beams.stopped:8 defers the import of darkbeam.pipeline.signal"]
    # in a package's __init__, "." is the package itself
    assert layer_violations("from ..production import channels\n", "darkbeam.beams", True) == [
        "darkbeam.beams:1 (source) imports darkbeam.production (production) at module level",
        "darkbeam.beams:1 (source) imports darkbeam.production.channels (production) at module level"]
    src = "from . import horn\nfrom ..data import data_path\n"
    assert layer_violations(src, "darkbeam.beams", True) == []


def test_scan_places_the_declarations_below_the_models():
    """interactions may read models.base (the declaration types) but not a concrete model; io may not reach
    up to inference; TYPE_CHECKING imports count as deferred."""
    assert layer_violations("from ..models.base import Model\n", "darkbeam.interactions.xsec", False) == []
    assert layer_violations("from ..models.hnl import HNL\n", "darkbeam.interactions.xsec", False) == [
        "darkbeam.interactions.xsec:1 (interactions) imports darkbeam.models.hnl (models) at module level",
        ("darkbeam.interactions.xsec:1 (interactions) imports darkbeam.models.hnl.HNL (models) at module "
        "level")]
    assert layer_violations("from ..pipeline.signal import build_signal\n", "darkbeam.io.cache", False) == []
    assert layer_violations("from ..inference.scan import scan\n", "darkbeam.io.cache", False)[0] == (
        "darkbeam.io.cache:1 (io) imports darkbeam.inference.scan (inference) at module level")
    src = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .catalog import Experiment\n"
    assert deferred_darkbeam_imports(src, "darkbeam.detectors.geometry", False) == [
        "darkbeam.detectors.geometry:3 defers the import of darkbeam.detectors.catalog",
        "darkbeam.detectors.geometry:3 defers the import of darkbeam.detectors.catalog.Experiment"]
