"""Run configurations (TOML) for ``darkbeam run`` and ``darkbeam fit``, validated with pydantic v2.

A config has six sections (all but ``[model]`` optional)::

    [model]                      # the model name and its parameters, units explicit
    name = "muphilic-scalar"
    m_phi = "1 MeV"
    lam = "4.4e-4 /MeV"
    g_mu = 5e-3                  # dimensionless: a bare number is fine

    [experiment]
    name = "miniboone"
    modes = ["neutrino", "antineutrino"]   # default: the experiment's modes (catalogue POT keys but off-target;
                                           # "off-target" where it is the only run, e.g. miniboone-dm)
    pot = { neutrino = 18.75e20 }          # optional; default: the experiment's POT (detectors/catalog.py)
    off_target = true                      # also predict the off-target (beam-dump) run

    [simulation]
    n_mesons = 200000                      # mesons sampled per parent species
    n_events = 20000                       # detector events sampled per target
    seed = 12345

    [analysis]
    observables = ["E_vis", "cos_theta"]   # also "E_QE"
    stat = "cnp"                           # chi^2 statistics: cnp | pearson | neyman
    ...

    [fit]
    parameter = "g_n"                      # coupling varied (by exact re-weighting)
    bounds = [1e-6, 1.0]                   # with units for dimensionful parameters
    masses = { m_phi = ["1 MeV", "5 MeV"] } # optional mass grid (regenerated per point)

    [priors]                               # optional: priors of `darkbeam posterior` (and the support of a scan)
    g_n = { dist = "log-uniform", min = 1e-6, max = 1e-2 }
    m_phi = { dist = "uniform", min = "0.5 MeV", max = "20 MeV" }   # also "normal" (mean, sigma)

Unknown keys are errors; every error is a :class:`~darkbeam.errors.InputError` naming the key, the
value and the allowed values. Nothing here reads files other than the one the user names.

The embedded default (:data:`DEFAULT_CONFIG_TOML`, used by ``darkbeam run`` without a config) is the
scalar benchmark of seed 000 (Dutta et al., arXiv:2110.11944), Table I: m_Z' = 49 MeV, m_φ = 1 MeV,
g_μ g_n λ = 2.2e-8 /MeV, realised with the couplings of seed 000 Table II:
g_μ = 5e-3, g_n = 1e-2, λ = 4.4e-4 /MeV (5e-3 × 1e-2 × 4.4e-4 /MeV = 2.2e-8 /MeV).
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator, model_validator

from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..models import MODELS, get_model
from ..units import parse_quantity

ObservableName = Literal["E_vis", "cos_theta", "E_QE"]

DEFAULT_CONFIG_TOML = """\
# darkbeam default run: seed 000 (Dutta et al., arXiv:2110.11944) scalar benchmark of Table I,
# (m_Z', m_phi) = (49, 1) MeV, g_mu g_n lambda = 2.2e-8 /MeV, with the Table II couplings
# g_mu = 5e-3, g_n = 1e-2, lambda = 4.4e-4 /MeV (product 2.2e-8 /MeV).
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-2
lam = "4.4e-4 /MeV"

[experiment]
name = "miniboone"
modes = ["neutrino", "antineutrino"]

[simulation]
n_mesons = 200000
n_events = 20000
seed = 12345

[analysis]
observables = ["E_vis", "cos_theta"]

[fit]
parameter = "g_n"
bounds = [1e-7, 1.0]
"""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSection(BaseModel):
    """``[model]``: ``name`` plus the model's parameters (strings with units, or bare numbers)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str

    @property
    def parameters(self) -> dict[str, str]:
        """Parameter settings as strings, ready for :func:`darkbeam.models.get_model`."""
        return {k: (v if isinstance(v, str) else repr(v)) for k, v in (self.model_extra or {}).items()}


#: the beam mode of off-target (beam-dump) running: a side run that ``off_target = true`` adds where the
#: experiment also has horn modes (MiniBooNE), the main run where it is the experiment's only one (MiniBooNE-DM)
OFF_TARGET = "off-target"


def experiment_modes(name: str) -> list[str] | None:
    """The beam modes of experiment ``name``: its catalogue POT keys other than "off-target" (which
    ``off_target = true`` adds), e.g. ["neutrino", "antineutrino"] at MiniBooNE, ["neutrino"] at
    MicroBooNE; ["off-target"] where the off-target run is the experiment's only exposure (MiniBooNE-DM,
    whose beam "bnb-off-target" has only that mode); None for an unknown experiment (reported by the config
    check naming ``experiment.name``)."""
    try:
        exp = get_experiment(name)
    except InputError:
        return None
    return [m for m in exp.pot if m != OFF_TARGET] or [m for m in exp.pot if m == OFF_TARGET]


class ExperimentSection(_Section):
    """``[experiment]``: where, which beam modes, how many protons on target.

    Without ``modes`` the experiment's own modes are run (:func:`experiment_modes`: the catalogue's POT
    keys other than "off-target", or "off-target" where that is the experiment's only run), not a fixed
    neutrino/antineutrino pair.

    "off-target" is a mode of ``modes`` only at an experiment whose only run it is (MiniBooNE-DM); there
    ``off_target`` defaults to false (the run is already the main prediction). Where the experiment also has
    horn modes (MiniBooNE), the off-target run stays the side record that ``off_target = true`` adds
    (checked in :func:`parse_config`)."""

    name: str = "miniboone"
    modes: list[Literal["neutrino", "antineutrino", "stopped", "off-target"]] = Field(
        default_factory=lambda: ["neutrino", "antineutrino"], min_length=1)
    #: strict: a string such as "1e20" is an error, not silently converted
    pot: dict[str, Annotated[float, Strict()]] = Field(default_factory=dict)
    off_target: bool = True

    @model_validator(mode="before")
    @classmethod
    def _default_modes(cls, data: Any) -> Any:
        """No ``modes``: the experiment's modes (catalogue), whatever the experiment. Off-target as the main
        mode and no ``off_target``: false (no second copy of the same run as a side record)."""
        if isinstance(data, dict) and "modes" not in data:
            name = data.get("name", "miniboone")
            modes = experiment_modes(name) if isinstance(name, str) else None
            if modes:
                data = {**data, "modes": modes}
        if isinstance(data, dict) and "off_target" not in data and isinstance(data.get("modes"), list) \
                and OFF_TARGET in data["modes"]:
            data = {**data, "off_target": False}
        return data

    @field_validator("modes")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("modes must not repeat")
        return v


class SimulationSection(_Section):
    """``[simulation]``: sample sizes and seed."""

    n_mesons: int = Field(200_000, gt=0)
    n_events: int = Field(20_000, gt=0)
    seed: int = Field(12345, ge=0, lt=2**63)  # numpy seeds are non-negative


class AnalysisSection(_Section):
    """``[analysis]``: observables in the χ² and its options (see :mod:`darkbeam.inference.chi2`)."""

    observables: list[ObservableName] = Field(default_factory=lambda: ["E_vis", "cos_theta"], min_length=1)
    stat: Literal["cnp", "pearson", "neyman"] = "cnp"
    frac_syst: float | None = Field(None, ge=0.0)
    syst_correlation: Literal["uncorrelated", "correlated"] = "uncorrelated"
    #: E_QE window (MeV) of the neutrino-mode E_vis / cos θ data (200 < E_QE < 1250 MeV, arXiv:2006.16883);
    #: applied to the signal of those spectra. None = no window.
    eqe_window_MeV: tuple[float, float] | None = (200.0, 1250.0)
    eqe_combined: bool = True
    numu_constraint: bool = True
    eqe_max_MeV: float = Field(3000.0, gt=0)


class FitSection(_Section):
    """``[fit]``: the coupling varied by re-weighting, its bounds, and an optional mass grid."""

    parameter: str | None = None
    bounds: tuple[str | float, str | float] | None = None
    masses: dict[str, list[str | float]] = Field(default_factory=dict)


#: prior distributions of ``[priors]`` (see :func:`parse_priors`)
PRIOR_DISTRIBUTIONS = ("uniform", "log-uniform", "normal")


class PriorSpec(_Section):
    """One entry of ``[priors]``: ``{ dist = "log-uniform", min = "1 MeV", max = "100 MeV" }``.

    ``uniform`` and ``log-uniform`` need ``min`` < ``max`` (log-uniform: ``min`` > 0); ``normal`` needs
    ``mean`` and ``sigma`` > 0 and may be truncated by ``min`` / ``max``. Values carry the parameter's
    units (bare numbers for dimensionless couplings)."""

    dist: Literal["uniform", "log-uniform", "normal"]
    min: str | float | None = None
    max: str | float | None = None
    mean: str | float | None = None
    sigma: str | float | None = None


class RunConfig(_Section):
    """A validated run configuration."""

    model: ModelSection
    experiment: ExperimentSection = Field(default_factory=ExperimentSection)
    simulation: SimulationSection = Field(default_factory=SimulationSection)
    analysis: AnalysisSection = Field(default_factory=AnalysisSection)
    fit: FitSection = Field(default_factory=FitSection)
    #: ``[priors]``: prior of each parameter sampled by ``darkbeam posterior`` (and the support a scan
    #: keeps); {parameter: PriorSpec}
    priors: dict[str, PriorSpec] = Field(default_factory=dict)

    def build_model(self):
        """The :class:`~darkbeam.models.Model` of ``[model]`` (InputError names ``model.<key>``)."""
        return get_model(self.model.name, self.model.parameters)

    def pot(self, mode: str) -> float:
        """Protons on target for ``mode``: ``[experiment].pot`` or the experiment's catalogue value."""
        if mode in self.experiment.pot:
            return float(self.experiment.pot[mode])
        return get_experiment(self.experiment.name).pot_for(mode)

    def with_simulation(self, **changes: Any) -> RunConfig:
        """A copy with some ``[simulation]`` values replaced (None values are ignored)."""
        sim = self.simulation.model_copy(update={k: v for k, v in changes.items() if v is not None})
        return parse_config({**self.model_dump(mode="python"), "simulation": sim.model_dump()})


_SECTIONS = {"model": ModelSection, "experiment": ExperimentSection, "simulation": SimulationSection,
             "analysis": AnalysisSection, "fit": FitSection, "priors": PriorSpec}


def _allowed_at(loc: tuple) -> str:
    """Allowed keys of the (sub)section at ``loc`` (for 'extra key' errors)."""
    if len(loc) == 3 and loc[0] == "priors":  # [priors].<parameter>.<key>
        return "one of: " + ", ".join(PriorSpec.model_fields)
    cls: type[BaseModel] = RunConfig
    for part in loc[:-1]:
        f = cls.model_fields.get(str(part))
        ann = getattr(f, "annotation", None) if f else None
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            cls = ann
        else:
            break
    keys = list(cls.model_fields)
    if cls is ModelSection:
        keys.append("<parameters of the model>")
    return "one of: " + ", ".join(keys)


def _convert(err: ValidationError) -> InputError:
    e = err.errors()[0]
    loc = tuple(e.get("loc", ()))
    key = ".".join(str(x) for x in loc) or "config"
    value = e.get("input")
    if e["type"] == "extra_forbidden":
        return InputError(f"config key {key!r}", value, f"{_allowed_at(loc)} (unknown key)")
    if e["type"] == "missing":
        return InputError(f"config key {key!r}", None, "a value is required")
    if e["type"] in ("float_type", "int_type") and isinstance(value, str):
        return InputError(f"config key {key!r}", value, "a number, not a string (write 1e20, not \"1e20\")")
    return InputError(f"config key {key!r}", value, e.get("msg", "a valid value"))


def parse_config(data: dict[str, Any]) -> RunConfig:
    """Validate a config mapping (as read from TOML). Raises InputError naming the key.

    The model name and its parameters are checked too (unknown model, unknown parameter,
    missing unit), as are the experiment's modes and the fit parameter.
    """
    if not isinstance(data, dict):
        raise InputError("config", type(data).__name__, "a TOML table")
    unknown = [k for k in data if k not in _SECTIONS]
    if unknown:
        raise InputError(f"config key {unknown[0]!r}", data[unknown[0]],
                         "one of: " + ", ".join(_SECTIONS) + " (unknown section)")
    try:
        cfg = RunConfig.model_validate(data)
    except ValidationError as exc:
        raise _convert(exc) from None
    _check_semantics(cfg)
    return cfg


def _check_semantics(cfg: RunConfig) -> None:
    try:
        MODELS.get(cfg.model.name)
    except InputError as exc:
        raise InputError("config key 'model.name'", cfg.model.name,
                         f"{exc.allowed} (a model defined in a file outside the package is loaded with "
                         "DARKBEAM_PLUGINS=path/to/file.py: docs/tutorial_plugin.md)") from None
    model = cfg.build_model()  # parameter names, units, ranges (InputError names model.<param>)
    exp = get_experiment(cfg.experiment.name)
    for mode in cfg.experiment.modes:
        if mode not in exp.pot:
            raise InputError("config key 'experiment.modes'", mode, exp.pot.keys())
    if OFF_TARGET in cfg.experiment.modes:
        main = [m for m in exp.pot if m != OFF_TARGET]
        if main:  # MiniBooNE: the off-target run is the side record of off_target = true, not a mode
            raise InputError("config key 'experiment.modes'", OFF_TARGET,
                             f"{', '.join(main)} at {exp.name}: its off-target run is predicted with "
                             "experiment.off_target = true (the record of that run), not as a mode")
        if cfg.experiment.off_target:
            raise InputError("config key 'experiment.off_target'", True,
                             f"false when 'off-target' is in experiment.modes (the off-target run is {exp.name}'s "
                             "main prediction; off_target = true would add the same run again)")
    for mode, pot in cfg.experiment.pot.items():
        if mode not in exp.pot:
            raise InputError(f"config key 'experiment.pot.{mode}'", pot, exp.pot.keys())
        if mode not in cfg.experiment.modes and not (mode == "off-target" and cfg.experiment.off_target):
            run = list(cfg.experiment.modes) + (["off-target"] if cfg.experiment.off_target else [])
            raise InputError(f"config key 'experiment.pot.{mode}'", pot,
                             f"a POT only for a mode that is run ({', '.join(run)}); "
                             + ("set off_target = true" if mode == "off-target"
                                else f"add {mode!r} to experiment.modes") + " or remove this POT")
        if not (pot > 0 and math.isfinite(pot)):
            raise InputError(f"config key 'experiment.pot.{mode}'", pot, "a positive number of protons on target")
    w = cfg.analysis.eqe_window_MeV
    if w is not None and not 0 <= w[0] < w[1]:
        raise InputError("config key 'analysis.eqe_window_MeV'", list(w), "[low, high] MeV with 0 <= low < high")
    spec = {p.name: p for p in model.params}
    f = cfg.fit
    if f.parameter is not None:
        p = spec.get(f.parameter)
        if p is None or p.choices is not None or p.dimension == "energy":
            allowed = [q.name for q in model.params if q.choices is None and q.dimension != "energy"]
            raise InputError("config key 'fit.parameter'", f.parameter, allowed)
        v = float(model.values[f.parameter])
        trial = 2.0 * v if v > 0 else 1e-3
        try:
            fixed = model.replace(**{f.parameter: trial}).values[f.parameter] != trial
        except InputError as exc:  # e.g. a parameter a preset fixes, or gD when alphaD is given
            raise InputError("config key 'fit.parameter'", f.parameter,
                             f"a parameter the model lets vary ({exc.allowed})") from None
        if fixed:
            raise InputError("config key 'fit.parameter'", f.parameter,
                             "a parameter the model does not override (a preset fixes it)")
    if f.bounds is not None and f.parameter is None:
        raise InputError("config key 'fit.bounds'", list(f.bounds), "only together with fit.parameter")
    for name, values in f.masses.items():
        p = spec.get(name)
        if p is None or p.dimension != "energy":
            raise InputError("config key 'fit.masses'", name, [q.name for q in model.params if q.dimension == "energy"])
        if not values:
            raise InputError(f"config key 'fit.masses.{name}'", values, "a non-empty list of masses with units")
    parse_priors(cfg, model)


def parse_priors(cfg: RunConfig, model=None) -> dict[str, dict[str, Any]]:
    """``[priors]`` in internal units: {parameter: {"dist", "min", "max", "mean", "sigma", "unit"}}.

    Raises InputError naming ``priors.<parameter>`` for an unknown or non-numeric parameter, a missing or
    wrong unit, min >= max, a log-uniform prior reaching 0 or below, or a normal prior without mean / sigma.
    """
    model = cfg.build_model() if model is None else model
    spec = {p.name: p for p in model.params}
    out: dict[str, dict[str, Any]] = {}
    for name, pr in cfg.priors.items():
        key = f"config key 'priors.{name}'"
        p = spec.get(name)
        if p is None or p.choices is not None:
            raise InputError(key, name, "a numeric parameter of model " + model.name + ": "
                             + ", ".join(q.name for q in model.params if q.choices is None))
        vals = {k: (None if getattr(pr, k) is None else parse_quantity(getattr(pr, k), p.dimension, f"priors.{name}.{k}"))
                for k in ("min", "max", "mean", "sigma")}
        lo, hi = vals["min"], vals["max"]
        if pr.dist in ("uniform", "log-uniform"):
            if lo is None or hi is None:
                raise InputError(key, pr.model_dump(exclude_none=True), f"a {pr.dist} prior with both min and max")
            if vals["mean"] is not None or vals["sigma"] is not None:
                raise InputError(key, pr.model_dump(exclude_none=True), f"min and max only for a {pr.dist} prior")
        else:
            if vals["mean"] is None or vals["sigma"] is None or not vals["sigma"] > 0:
                raise InputError(key, pr.model_dump(exclude_none=True), "a normal prior with mean and sigma > 0 "
                                                                       "(min / max optional: truncation)")
        if lo is not None and hi is not None and not lo < hi:
            raise InputError(key, pr.model_dump(exclude_none=True), "min < max")
        if pr.dist == "log-uniform" and not lo > 0:
            raise InputError(key, pr.model_dump(exclude_none=True), "a log-uniform prior with min > 0")
        for k in ("min", "max", "mean", "sigma"):
            if vals[k] is not None and not math.isfinite(vals[k]):
                raise InputError(key, pr.model_dump(exclude_none=True), "finite values")
        out[name] = {"dist": pr.dist, **vals, "unit": p.unit}
    return out


def fit_bounds(cfg: RunConfig, model) -> tuple[float, float]:
    """Bounds of the fit parameter in internal units (default: 1e-6 to 1e3 times the config value)."""
    name = cfg.fit.parameter
    if name is None:
        raise InputError("config key 'fit.parameter'", None, "the name of a coupling to fit (e.g. 'g_n')")
    p = {q.name: q for q in model.params}[name]
    if cfg.fit.bounds is None:
        ref = float(model.values[name])
        if not ref > 0:
            raise InputError(f"config key 'model.{name}'", ref, "a positive value, or give fit.bounds")
        return ref * 1e-6, ref * 1e3
    lo, hi = (parse_quantity(b, p.dimension, f"fit.bounds of {name}") for b in cfg.fit.bounds)
    if not 0 < lo < hi:
        raise InputError("config key 'fit.bounds'", list(cfg.fit.bounds), "[low, high] with 0 < low < high")
    return lo, hi


def mass_grid(cfg: RunConfig, model) -> dict[str, list[float]]:
    """``[fit].masses`` in internal units (MeV)."""
    return {k: [parse_quantity(v, "energy", f"fit.masses.{k}") for v in vals] for k, vals in cfg.fit.masses.items()}


def load_config(path: str | Path | None = None) -> RunConfig:
    """Read and validate a TOML config; ``None`` gives the embedded default (scalar benchmark)."""
    if path is None:
        return parse_config(tomllib.loads(DEFAULT_CONFIG_TOML))
    p = Path(path)
    if not p.is_file():
        raise InputError("config file", str(path), "an existing TOML file")
    try:
        # TOML is UTF-8; "utf-8-sig" also accepts (and strips) a UTF-8 byte-order mark, which some
        # Windows editors write
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("config file", str(path), f"a UTF-8 text file (byte {exc.start} is not UTF-8: "
                                                    f"{exc.object[exc.start:exc.start + 1]!r})") from None
    except OSError as exc:
        raise InputError("config file", str(path), f"a readable TOML file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("config file", str(path), f"valid TOML ({exc})") from None
    return parse_config(data)


def default_config() -> RunConfig:
    """The embedded default config (seed 000 scalar benchmark)."""
    return load_config(None)


__all__ = ["DEFAULT_CONFIG_TOML", "OFF_TARGET", "PRIOR_DISTRIBUTIONS", "PriorSpec", "RunConfig", "default_config",
           "experiment_modes", "fit_bounds", "load_config", "mass_grid", "parse_config", "parse_priors"]
