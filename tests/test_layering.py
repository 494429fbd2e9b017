"""Layering: every darkbeam module imports only its own layer or lower ones, and none defers an import of a
darkbeam module into a function (except the two start-up entry points, each exemption justified below).

Data flows one way (docs/architecture.md). The layers, lowest first:

    foundation (constants, units, errors, particles, registry, sample, numerics, data) → kinematics →
    source (beams) → declarations (darkbeam.declarations) → production → propagation → interactions → models →
    detectors → pipeline → io → plotting → inference → api → cli

``darkbeam.declarations`` (Model, Param, Decays: the types a model declares with) sits below production and
interactions, which read those declarations; the concrete models (the ``darkbeam.models`` package: models/*.py,
the registry MODELS, the plugin loader, and ``models.base``, which only re-exports the declarations for older
imports) sit above them, since they declare the production and detection channels and widths that those layers
provide. ``io`` (configs, the sample cache, atomic writes, event files) sits above the pipeline, whose samples it
stores and writes, and below inference, which reads configs and caches samples.

Three checks:

* every module under src/darkbeam/ is parsed with ``ast``; every import in it — at module level, under
  ``if TYPE_CHECKING`` or inside a function, absolute or relative — is resolved to its absolute module name and
  must not name a higher layer than the module's own;
* what importing a module really loads — its module-level imports, followed transitively, and the ``__init__``
  of every package above each of them, which Python runs first — holds no module of a higher layer (this
  catches a low module importing from inside a package whose ``__init__`` loads higher layers: the old
  ``interactions → models.base → models/__init__ → every model``), checked against fresh interpreters;
* the module-level imports form no cycle (no registration import at the bottom of a module that imports it
  back: the old ``beams.production ↔ bmpt/charm/production_iron`` and ``data ↔ data.miniboone_release``).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import darkbeam
from darkbeam import declarations, models
from darkbeam.models import base, registry

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "darkbeam"

#: (layer, module prefixes), lowest layer first; a module belongs to the layer of its longest matching prefix
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("darkbeam", "darkbeam.constants", "darkbeam.units", "darkbeam.errors",
                    "darkbeam.particles", "darkbeam.registry", "darkbeam.sample", "darkbeam.numerics",
                    "darkbeam.data")),
    ("kinematics", ("darkbeam.kinematics",)),
    ("source", ("darkbeam.beams",)),
    ("declarations", ("darkbeam.declarations",)),
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
    ("darkbeam.declarations", "declarations"), ("darkbeam.declarations.Model", "declarations"),
    ("darkbeam.models.base", "models"), ("darkbeam.models.registry", "models"), ("darkbeam.data.files", "foundation"),
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
    """interactions may read the declaration types but not the models package (models.base included: it lives
    in the package, whose __init__ imports every model); io may not reach up to inference; TYPE_CHECKING imports
    count as deferred."""
    assert layer_violations("from ..declarations import Model\n", "darkbeam.interactions.xsec", False) == []
    assert layer_violations("from ..models.base import Model\n", "darkbeam.interactions.xsec", False)[0] == (
        "darkbeam.interactions.xsec:1 (interactions) imports darkbeam.models.base (models) at module level")
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


# --- what importing a module really loads, and cycles ------------------------------------------------------------


def _known_modules() -> dict[str, Path]:
    return {module: path for path, module in _modules()}


def module_level_imports(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The darkbeam modules (names in ``known``) that running ``source`` (module ``module``) imports: module-level
    imports only (not inside functions, not under ``if TYPE_CHECKING``). ``from P import name`` imports the module
    P.name where there is one, else P (the package whose ``__init__`` defines ``name``)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    tree = ast.parse(source)
    deferred = _deferred_nodes(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in deferred:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in known else target)
    return {m for m in out if m in known and m != module}


def import_graph() -> dict[str, set[str]]:
    """darkbeam module -> the darkbeam modules it imports at module level (:func:`module_level_imports`)."""
    known = _known_modules()
    return {m: module_level_imports(p.read_text(encoding="utf-8"), m, p.name == "__init__.py", set(known))
            for m, p in known.items()}


def loaded_by(module: str, graph: dict[str, set[str]]) -> set[str]:
    """The darkbeam modules that ``import module`` loads: the module, the package ``__init__`` above each loaded
    module (Python runs those first) and their module-level imports, transitively."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        parts = m.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += sorted(graph.get(m, ()))
    return seen


def higher_layers_loaded(module: str, loaded: set[str]) -> list[str]:
    """The modules in ``loaded`` of a higher layer than ``module``'s, as "name (layer)"."""
    own = layer_of(module)
    return [f"{m} ({LAYER_NAMES[layer_of(m)]})" for m in sorted(loaded) if layer_of(m) > own]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path [a, b, ..., a] (depth-first, in sorted order), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [])
            if found:
                return found
    return None


def test_module_level_imports_resolve_packages_and_submodules():
    """``from . import name`` names the package where ``name`` is no submodule (the old data ↔ miniboone_release
    import) and the submodule where it is; imports inside functions and under TYPE_CHECKING do not run."""
    known = {"darkbeam", "darkbeam.data", "darkbeam.data.miniboone_release", "darkbeam.data.files",
             "darkbeam.beams", "darkbeam.beams.target", "darkbeam.beams.production", "darkbeam.errors"}
    src = "from ..errors import InputError\nfrom . import data_path, read_csv_table\n"
    assert module_level_imports(src, "darkbeam.data.miniboone_release", False, known) == {
        "darkbeam.errors", "darkbeam.data"}
    src = "from .files import data_path\n"
    assert module_level_imports(src, "darkbeam.data.miniboone_release", False, known) == {"darkbeam.data.files"}
    src = ("from typing import TYPE_CHECKING\nfrom . import target as _target\nimport numpy as np\n"
           "if TYPE_CHECKING:\n    from ..data import files\ndef f():\n    from .. import errors\n")
    assert module_level_imports(src, "darkbeam.beams.production", False, known) == {"darkbeam.beams.target"}


def test_find_cycle_catches_the_old_bottom_of_file_registrations():
    """The three defects this check was written for, as they were (tree of commit 2465e9a)."""
    old_data = {"darkbeam.data": {"darkbeam.data.miniboone_release"},
                "darkbeam.data.miniboone_release": {"darkbeam.data"}}
    assert find_cycle(old_data) == ["darkbeam.data", "darkbeam.data.miniboone_release", "darkbeam.data"]
    old_beams = {"darkbeam.beams": {"darkbeam.beams.production"},
                 "darkbeam.beams.production": {"darkbeam.beams.bmpt", "darkbeam.beams.charm"},
                 "darkbeam.beams.bmpt": {"darkbeam.beams.production"}, "darkbeam.beams.charm": set()}
    assert find_cycle(old_beams) == ["darkbeam.beams.production", "darkbeam.beams.bmpt",
                                     "darkbeam.beams.production"]
    new_beams = {"darkbeam.beams": {"darkbeam.beams.production", "darkbeam.beams.bmpt"},
                 "darkbeam.beams.production": set(), "darkbeam.beams.bmpt": {"darkbeam.beams.production"}}
    assert find_cycle(new_beams) is None
    # the old models.base: an interaction reads the declarations inside the models package, whose __init__
    # imports every model, which imports the interactions
    old_models = {"darkbeam.interactions.xsec": {"darkbeam.models.base"}, "darkbeam.models.base": set(),
                  "darkbeam.models": {"darkbeam.models.alp", "darkbeam.models.base"},
                  "darkbeam.models.alp": {"darkbeam.interactions.xsec"}}
    loaded = loaded_by("darkbeam.interactions.xsec", old_models)
    assert loaded == {"darkbeam", "darkbeam.interactions", "darkbeam.interactions.xsec", "darkbeam.models",
                      "darkbeam.models.alp", "darkbeam.models.base"}
    assert higher_layers_loaded("darkbeam.interactions.xsec", loaded) == [
        "darkbeam.models (models)", "darkbeam.models.alp (models)", "darkbeam.models.base (models)"]
    assert find_cycle(old_models) is None  # no cycle in the explicit imports: only the package __init__ shows it


def test_module_level_imports_form_no_cycle():
    graph = import_graph()
    assert len(graph) > 100 and sum(map(len, graph.values())) > 300  # the scan sees the package's imports
    cycle = find_cycle(graph)
    assert cycle is None, "module-level import cycle: " + " → ".join(cycle)


def test_importing_a_module_loads_no_higher_layer():
    """What ``import X`` loads (package ``__init__`` files included) stays in X's layer or below, for every module."""
    graph = import_graph()
    bad = []
    for module in sorted(graph):
        higher = higher_layers_loaded(module, loaded_by(module, graph))
        if higher:
            bad.append(f"{module} ({LAYER_NAMES[layer_of(module)]}) loads {', '.join(higher)}")
    assert not bad, "importing a module loads higher layers:\n" + "\n".join(bad)


#: low modules whose import is checked in a fresh interpreter (one per defect fixed, and the foot of each layer)
FRESH_IMPORTS = ("darkbeam.declarations", "darkbeam.interactions.xsec", "darkbeam.interactions.channels",
                 "darkbeam.beams.production", "darkbeam.data.miniboone_release", "darkbeam.production.channels",
                 "darkbeam.propagation.decay", "darkbeam.models.base")


@pytest.mark.parametrize("module", FRESH_IMPORTS)
def test_a_fresh_interpreter_loads_what_the_scan_predicts(module):
    """``python -c "import X"`` loads exactly the darkbeam modules :func:`loaded_by` predicts (so the static
    check above models Python's imports), and none of a higher layer."""
    code = (f"import json, sys\nimport {module}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m == 'darkbeam' or m.startswith('darkbeam.'))))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         env=env)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert module in loaded
    assert loaded == loaded_by(module, import_graph())
    assert higher_layers_loaded(module, loaded) == []


def test_models_base_re_exports_the_declarations():
    """``darkbeam.models.base`` (the import of plugins and earlier versions) gives the same objects."""
    for name in ("Param", "Decays", "Model", "model_summary", "require_parameters", "perturbativity_warnings"):
        assert getattr(base, name) is getattr(declarations, name)
    for name in ("MODELS", "get_model"):
        assert getattr(base, name) is getattr(registry, name) is getattr(models, name)
    assert darkbeam.Model is declarations.Model and darkbeam.MODELS is registry.MODELS
    assert "dark-photon" in base.MODELS  # whoever sees the registry sees the built-in models
