"""No module dispatches on a model's name (issue "One flow"): generic code reads declarations.

An AST scan of the package outside ``darkbeam/models`` (where each model declares its own name) for
* comparisons with a registered model name (``model.name == "vector-idm"``, ``name in ("muphilic-scalar", ...)``);
* registry entries or dict keys that are model names (``REG.add("muphilic-scalar", ...)``, ``{"dark-neutrino": ...}``);
* comparisons of ``.name`` / ``.boson_kind`` with string literals.
"""

from __future__ import annotations

import ast
from pathlib import Path

import darkbeam
from darkbeam.models import MODELS

PKG = Path(darkbeam.__file__).resolve().parent
BUILT_IN = set(MODELS.names())


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for e in node.elts for s in _strings(e)]
    return []


def _attr_name(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else None


def test_no_dispatch_on_model_names():
    offences = []
    for f in sorted(PKG.rglob("*.py")):
        rel = f.relative_to(PKG)
        if rel.parts[0] == "models":
            continue
        tree = ast.parse(f.read_text(), filename=str(f))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                lits = [s for side in sides for s in _strings(side)]
                if set(lits) & BUILT_IN:
                    offences.append(f"{rel}:{node.lineno}: compares with model name(s) {set(lits) & BUILT_IN}")
                if any(_attr_name(side) in ("name", "boson_kind") for side in sides) and lits:
                    offences.append(f"{rel}:{node.lineno}: compares .name/.boson_kind with {lits}")
            elif isinstance(node, ast.Call) and _attr_name(node.func) in ("add", "register") and node.args:
                if set(_strings(node.args[0])) & BUILT_IN:
                    offences.append(f"{rel}:{node.lineno}: registry keyed by model name {_strings(node.args[0])}")
            elif isinstance(node, ast.Dict):
                keys = {s for k in node.keys if k is not None for s in _strings(k)}
                if keys & BUILT_IN:
                    offences.append(f"{rel}:{node.lineno}: dict keyed by model names {keys & BUILT_IN}")
    assert not offences, "\n".join(offences)


def test_scan_finds_a_planted_offence(tmp_path):
    """The scan itself works: it flags the patterns it is meant to."""
    code = 'def f(model):\n    if model.name == "vector-idm":\n        return 1\nREG.add("dark-neutrino", 2)\n'
    tree = ast.parse(code)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Compare) and set(_strings(n.comparators[0])) & BUILT_IN]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _attr_name(n.func) == "add"
             and set(_strings(n.args[0])) & BUILT_IN]
    assert found and calls
