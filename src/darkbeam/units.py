"""Units: one internal system, explicit units at the edges.

Internally darkbeam uses the scikit-hep/CLHEP convention of :mod:`hepunits`: energies in MeV,
lengths in mm, times in ns (so ``hepunits.GeV == 1000``). Cross-sections are in mm² internally
and converted to cm² on output. Parsing of user input with explicit units happens here and only
here: ``parse_quantity("49 MeV", "energy") -> 49.0``, ``parse_quantity("4.4e-4 /MeV",
"1/energy")``, ``parse_quantity("541 m", "length") -> 541000.0``.
"""

from __future__ import annotations

import re

import hepunits as hu

from .errors import InputError

# symbol -> (value in internal units, (energy, length, time) exponents)
_UNITS: dict[str, tuple[float, tuple[int, int, int]]] = {
    "eV": (hu.eV, (1, 0, 0)),
    "keV": (hu.keV, (1, 0, 0)),
    "MeV": (hu.MeV, (1, 0, 0)),
    "GeV": (hu.GeV, (1, 0, 0)),
    "TeV": (hu.TeV, (1, 0, 0)),
    "fm": (hu.fermi, (0, 1, 0)),
    "um": (hu.micrometer, (0, 1, 0)),
    "mm": (hu.mm, (0, 1, 0)),
    "cm": (hu.cm, (0, 1, 0)),
    "m": (hu.m, (0, 1, 0)),
    "km": (hu.km, (0, 1, 0)),
    "ps": (hu.picosecond, (0, 0, 1)),
    "ns": (hu.ns, (0, 0, 1)),
    "us": (hu.microsecond, (0, 0, 1)),
    "ms": (hu.millisecond, (0, 0, 1)),
    "s": (hu.s, (0, 0, 1)),
    "mb": (hu.millibarn, (0, 2, 0)),
    "ub": (hu.microbarn, (0, 2, 0)),
    "nb": (hu.nanobarn, (0, 2, 0)),
    "pb": (hu.picobarn, (0, 2, 0)),
    "fb": (hu.femtobarn, (0, 2, 0)),
    "barn": (hu.barn, (0, 2, 0)),
}

DIMENSIONS: dict[str, tuple[int, int, int]] = {
    "dimensionless": (0, 0, 0),
    "energy": (1, 0, 0),
    "1/energy": (-1, 0, 0),
    "1/energy^2": (-2, 0, 0),
    "length": (0, 1, 0),
    "time": (0, 0, 1),
    "area": (0, 2, 0),
}

_NUM = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
_FACTOR = re.compile(r"^([A-Za-z]+)(?:\^([-+]?\d+))?$")


def _parse_unit(expr: str, field: str, raw: str) -> tuple[float, tuple[int, int, int]]:
    """Parse a unit expression such as 'MeV', '/MeV', '1/MeV', 'MeV^-1', 'GeV^2', 'cm^2'."""
    expr = expr.replace(" ", "").replace("**", "^")
    if expr.startswith("1/"):
        expr = expr[1:]
    value, dims = 1.0, [0, 0, 0]
    sign = 1
    for tok in re.split(r"([*/])", expr):
        if tok in ("", "*"):
            continue
        if tok == "/":
            sign = -1
            continue
        m = _FACTOR.match(tok)
        if not m or m.group(1) not in _UNITS:
            raise InputError(field, raw, "a number followed by a unit among " + ", ".join(_UNITS))
        power = sign * int(m.group(2) or 1)
        v, d = _UNITS[m.group(1)]
        value *= v**power
        for i in range(3):
            dims[i] += d[i] * power
        sign = 1
    return value, (dims[0], dims[1], dims[2])


def parse_quantity(text: str | float, dimension: str, field: str = "value") -> float:
    """Convert ``text`` (e.g. ``"49 MeV"``) to a float in darkbeam's internal units.

    Args:
        text: number with unit (a string), or a bare number when ``dimension`` is dimensionless.
        dimension: one of :data:`DIMENSIONS` ("energy", "1/energy", "length", ...).
        field: name used in error messages.

    Raises:
        InputError: if the unit is missing, unknown or of the wrong dimension.
    """
    want = DIMENSIONS[dimension]
    if isinstance(text, bool):
        raise InputError(field, text, f"a quantity of dimension {dimension}")
    if isinstance(text, (int, float)):
        if want != (0, 0, 0):
            raise InputError(field, text, f"a quantity with an explicit unit of {dimension}, e.g. '1 MeV'")
        return float(text)
    m = _NUM.match(str(text))
    if not m:
        raise InputError(field, text, f"a number with a unit of {dimension}, e.g. '1 MeV'")
    number = float(m.group(1))
    unit = m.group(2)
    if not unit:
        if want != (0, 0, 0):
            raise InputError(field, text, f"an explicit unit of {dimension} (missing unit), e.g. '{m.group(1)} MeV'")
        return number
    value, dims = _parse_unit(unit, field, str(text))
    if dims != want:
        raise InputError(field, text, f"a quantity of dimension {dimension}")
    return number * value


def format_quantity(value: float, unit: str) -> str:
    """Format an internal-unit value in ``unit`` (e.g. ``format_quantity(49.0, "MeV")``)."""
    v, _ = _parse_unit(unit, "unit", unit)
    return f"{value / v:.6g} {unit}"
