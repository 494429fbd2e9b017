"""Scan grids: axes over model parameters (log, linear, lists) and experiments, grid parsing, priors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..declarations import Model
from ..detectors.catalog import EXPERIMENTS
from ..errors import InputError
from ..io.config import RunConfig, mass_grid
from ..units import parse_quantity

OUTPUT_SUFFIXES = (".json", ".csv", ".parquet")
#: the grid axis that scans experiments
EXPERIMENT_AXIS = "experiment"
_UNIT = {"energy": "MeV", "1/energy": "1/MeV", "dimensionless": ""}
SPACINGS = ("log", "lin")


# ------------------------------------------------------------------------------------------------
# grids
# ------------------------------------------------------------------------------------------------


def mass_parameters(model: Model) -> list[str]:
    """Names of the model's energy-dimension parameters (its masses)."""
    return [p.name for p in model.params if p.choices is None and p.dimension == "energy"]


def column_name(name: str, unit: str) -> str:
    """Table column of a parameter: the name with its unit (``m_phi_MeV``, ``lam_per_MeV``, ``g_n``)."""
    if not unit:
        return name
    return f"{name}_{unit.replace('1/', 'per_').replace('/', '_per_')}"


@dataclass(frozen=True)
class Axis:
    """One grid axis.

    Attributes:
        name: model parameter (or ``experiment``). values: internal units (floats) or strings.
        kind: "mass" (energy parameter), "coupling" (re-weighted in a sample), "setting" (fixed in a
            sample but not a mass: string choices, flagged numbers) or "experiment".
        unit: unit of the values ("MeV", "1/MeV", ""). spacing: "log", "lin" or "list".
    """

    name: str
    values: tuple
    kind: str
    unit: str = ""
    spacing: str = "list"

    @property
    def fixed_in_sample(self) -> bool:
        return self.kind != "coupling"

    @property
    def numeric(self) -> bool:
        return self.kind != "experiment" and all(isinstance(v, float) for v in self.values)

    @property
    def column(self) -> str:
        return self.name if self.kind == "experiment" else column_name(self.name, self.unit)

    @property
    def log(self) -> bool:
        """Plot / interpolate in log: log-spaced, or a positive list spanning a factor 10 or more."""
        if not self.numeric or len(self.values) < 2 or min(self.values) <= 0:
            return False
        return self.spacing == "log" or (self.spacing == "list" and max(self.values) / min(self.values) >= 10)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "values": list(self.values), "kind": self.kind, "unit": self.unit,
                "spacing": self.spacing, "column": self.column}


def _experiment_axis(text: str) -> Axis:
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in items):
        raise InputError("--grid experiment", text, "a comma-separated list of experiments, e.g. "
                                                    "'miniboone,sbnd' (a grid with no points otherwise)")
    for e in items:
        if e not in EXPERIMENTS:
            raise InputError("--grid experiment", e, EXPERIMENTS.names())
    return Axis(EXPERIMENT_AXIS, tuple(items), "experiment")


def parse_axis(name: str, text: str, model: Model) -> Axis:
    """Parse the VALUES of one ``--grid NAME=VALUES`` option (see the module docstring)."""
    if name == EXPERIMENT_AXIS:
        return _experiment_axis(text)
    params = {p.name: p for p in model.params}
    if name not in params:
        raise InputError(f"--grid parameter of model {model.name}", name,
                         [*params, EXPERIMENT_AXIS])
    p = params[name]
    field_ = f"--grid {name}"
    text = text.strip().strip('"').strip("'")
    if p.choices is not None:
        items = [t.strip() for t in text.split(",")]
        if not text or any(not t for t in items):
            raise InputError(field_, text, f"a comma-separated list of {', '.join(p.choices)}")
        for t in items:
            if t not in p.choices:
                raise InputError(field_, t, p.choices)
        return Axis(name, tuple(items), "setting")
    kind = "mass" if p.dimension == "energy" else ("setting" if p.is_fixed_in_sample else "coupling")
    unit = _UNIT.get(p.dimension, p.dimension)
    if ".." in text:
        spacing = "log"
        body = text
        head, colon, tail = text.rpartition(":")
        if colon and tail.strip() in SPACINGS:
            body, spacing = head, tail.strip()
        rng, sep, count = body.rpartition("/")
        lo_s, _, hi_s = rng.partition("..")
        allowed = ("'LO..HI/N' (N log-spaced points) or 'LO..HI/N:lin' (N linear), N >= 2, LO < HI"
                   + (" with 0 < LO" if spacing == "log" else "") + (", units explicit" if unit else "")
                   + f", e.g. '{'1 MeV..100 MeV/5' if unit == 'MeV' else '1e-6..1e-2/5'}'")
        if not sep or not lo_s.strip() or not hi_s.strip():
            raise InputError(field_, text, allowed)
        try:
            n = int(count.strip())
        except ValueError:
            raise InputError(field_, text, allowed) from None
        if n <= 0:
            raise InputError(field_, text, "a grid with points: " + allowed + f" (N = {n} gives no points)")
        lo = parse_quantity(lo_s.strip(), p.dimension, field_)
        hi = parse_quantity(hi_s.strip(), p.dimension, field_)
        if n < 2 or not lo < hi or (spacing == "log" and not lo > 0):
            raise InputError(field_, text, allowed)
        vals = np.geomspace(lo, hi, n) if spacing == "log" else np.linspace(lo, hi, n)
        return Axis(name, tuple(float(v) for v in vals), kind, unit, spacing)
    items = [t.strip() for t in text.split(",")]
    if not text or any(not t for t in items):
        raise InputError(field_, text, "a comma-separated list of values" + (" with units, e.g. '1 MeV,5 MeV'"
                                                                              if unit else ", e.g. '1e-4,1e-3'")
                         + " (a grid with no points otherwise)")
    return Axis(name, tuple(parse_quantity(t, p.dimension, field_) for t in items), kind, unit, "list")


def parse_grid_axes(specs: Sequence[str], model: Model) -> list[Axis]:
    """Parse ``NAME=VALUES`` options (one per axis) into :class:`Axis` objects (InputError on bad input:
    unknown parameter, missing unit, repeated axis or value, empty list, bad range)."""
    out: list[Axis] = []
    for spec in specs:
        if "=" not in spec:
            raise InputError("--grid", spec, "NAME=VALUES, e.g. m_phi='1 MeV,5 MeV,10 MeV' or g_n='1e-6..1e-2/20'")
        name, text = (s.strip() for s in spec.split("=", 1))
        if any(a.name == name for a in out):
            raise InputError("--grid parameter", name, "each parameter once")
        out.append(parse_axis(name, text, model))
    for a in out:
        if len(set(a.values)) != len(a.values):
            raise InputError(f"--grid {a.name}", list(a.values), "distinct values")
    return out


def parse_grid(specs: Sequence[str], model: Model) -> dict[str, list]:
    """{name: values} of ``NAME=VALUES`` options (see :func:`parse_grid_axes`)."""
    return {a.name: list(a.values) for a in parse_grid_axes(specs, model)}


def _axes_from_dict(grid: dict[str, Sequence], model: Model) -> list[Axis]:
    params = {p.name: p for p in model.params}
    out = []
    for k, vals in grid.items():
        vals = list(vals)
        if not vals:
            raise InputError(f"grid {k}", vals, "a non-empty list of values (a grid with no points otherwise)")
        if k == EXPERIMENT_AXIS:
            out.append(_experiment_axis(",".join(str(v) for v in vals)))
            continue
        if k not in params:
            raise InputError(f"grid parameter of model {model.name}", k, [*params, EXPERIMENT_AXIS])
        p = params[k]
        if p.choices is not None:
            out.append(parse_axis(k, ",".join(str(v) for v in vals), model))
            continue
        kind = "mass" if p.dimension == "energy" else ("setting" if p.is_fixed_in_sample else "coupling")
        fl = [float(v) for v in vals]
        if len(set(fl)) != len(fl):
            raise InputError(f"grid {k}", fl, "distinct values")
        out.append(Axis(k, tuple(fl), kind, _UNIT.get(p.dimension, p.dimension), "list"))
    return out


def grid_axes(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None,
              model: Model | None = None) -> list[Axis]:
    """The scan's axes: ``grid`` if given (``NAME=VALUES`` strings or {name: values in internal units}),
    else the config's ``[fit].masses``."""
    model = config.build_model() if model is None else model
    if grid:
        axes = _axes_from_dict(grid, model) if isinstance(grid, dict) else parse_grid_axes(list(grid), model)
    else:
        axes = _axes_from_dict(mass_grid(config, model), model)
    if not axes:
        raise InputError("scan grid", None, "a grid: [fit].masses in the config or --grid NAME=VALUES "
                                            "(masses, couplings or experiment)")
    return axes


def resolve_grid(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None,
                 model: Model | None = None) -> dict[str, list]:
    """{name: values} of :func:`grid_axes`."""
    return {a.name: list(a.values) for a in grid_axes(config, grid, model)}


# ------------------------------------------------------------------------------------------------
# priors on a grid
# ------------------------------------------------------------------------------------------------


def log_prior(priors: dict[str, dict], values: dict[str, Any]) -> float:
    """log of the (unnormalised) prior density at ``values`` (internal units); -inf outside the support.

    uniform: 0 inside [min, max]; log-uniform: −log(x) inside; normal: −(x−mean)²/2σ², truncated by
    min/max if given. Parameters without a prior contribute nothing."""
    lp = 0.0
    for name, pr in priors.items():
        if name not in values:
            continue
        x = float(values[name])
        lo, hi = pr.get("min"), pr.get("max")
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            return -math.inf
        if pr["dist"] == "log-uniform":
            lp -= math.log(x)
        elif pr["dist"] == "normal":
            lp -= 0.5 * ((x - pr["mean"]) / pr["sigma"]) ** 2
    return lp
