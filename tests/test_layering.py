"""Layering: the source layer (darkbeam.beams) and darkbeam.kinematics never import higher layers.

Data flows one way (docs/architecture.md): source/beams → production → propagation → interactions → detectors →
pipeline → inference → io/cli. Every module under src/darkbeam/beams/ and src/darkbeam/kinematics/ is parsed with
``ast`` and every import in it — at module level or inside a function, absolute or relative — is resolved to its
absolute module name; none may name a higher layer, and the darkbeam modules they use must be in the allowed lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "darkbeam"

#: darkbeam subpackages above the source layer: beams/ and kinematics/ must import none of them
FORBIDDEN = ("detectors", "pipeline", "inference", "io", "cli", "models", "interactions", "propagation",
             "production")
#: the darkbeam modules each lower layer may use
ALLOWED = {
    "beams": ("beams", "kinematics", "sample", "constants", "particles", "units", "errors", "registry", "data"),
    "kinematics": ("kinematics", "sample", "constants", "particles", "units", "errors", "registry", "data"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source`` (module-level and function-local).

    ``from X import a`` yields X and X.a (``a`` may be a submodule); relative imports are resolved against
    ``module`` (the package itself for an ``__init__``)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out.extend((node.lineno, f"{target}.{a.name}") for a in node.names if a.name != "*")
    return out


def layer_violations(source: str, module: str, is_package: bool, layer: str) -> list[str]:
    """Imports of darkbeam modules outside ``ALLOWED[layer]`` (which excludes every FORBIDDEN layer)."""
    bad = []
    for line, name in imported_modules(source, module, is_package):
        parts = name.split(".")
        if parts[0] != "darkbeam" or len(parts) < 2:  # ``from .. import constants``: "darkbeam.constants" counts
            continue
        sub = parts[1]
        if sub in FORBIDDEN or sub not in ALLOWED[layer]:
            bad.append(f"{module}:{line} imports {name}")
    return bad


def _files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def test_allowed_lists_exclude_the_higher_layers():
    assert not set(FORBIDDEN) & {m for allowed in ALLOWED.values() for m in allowed}
    assert _files("beams") and _files("kinematics")  # the scan sees the modules


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_lower_layers_import_no_higher_layer(layer):
    bad = []
    for path in _files(layer):
        bad += layer_violations(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py",
                                layer)
    assert not bad, "lower layers import higher ones:\n" + "\n".join(bad)


def test_scan_catches_function_local_and_relative_imports():
    """The scan resolves relative imports and sees imports inside functions (the old experiment look-up)."""
    src = ("from .. import constants as c\nfrom .stopped_yields import get_source\nimport numpy as np\n"
           "def f(name):\n    from ..detectors.catalog import EXPERIMENTS\n    return EXPERIMENTS.get(name)\n"
           "def g():\n    import darkbeam.pipeline.signal\n")
    bad = layer_violations(src, "darkbeam.beams.stopped", False, "beams")
    assert bad == ["darkbeam.beams.stopped:5 imports darkbeam.detectors.catalog",
                   "darkbeam.beams.stopped:5 imports darkbeam.detectors.catalog.EXPERIMENTS",
                   "darkbeam.beams.stopped:8 imports darkbeam.pipeline.signal"]
    # in a package's __init__, "." is the package itself
    assert layer_violations("from ..production import channels\n", "darkbeam.beams", True, "beams") == [
        "darkbeam.beams:1 imports darkbeam.production", "darkbeam.beams:1 imports darkbeam.production.channels"]
    assert layer_violations("from ..beams import stopped\n", "darkbeam.kinematics.paths", False, "kinematics") == [
        "darkbeam.kinematics.paths:1 imports darkbeam.beams",
        "darkbeam.kinematics.paths:1 imports darkbeam.beams.stopped"]
    assert layer_violations("from . import horn\nfrom ..data import data_path\n", "darkbeam.beams", True,
                            "beams") == []
