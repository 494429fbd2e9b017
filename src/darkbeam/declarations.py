"""Declarations of a dark-sector model: the types a model declares with (:class:`Param`, :class:`Decays`,
:class:`Model`) and the helpers that read them (:func:`model_summary`, :func:`require_parameters`,
:func:`perturbativity_warnings`).

A model is a set of named parameters with physical dimensions (parsed from strings with explicit
units at the edge, stored in internal units: MeV, mm, ns) and a set of declarations that generic code
consumes (nothing downstream asks for a model's name):

* ``production`` — production channels (:mod:`darkbeam.production.channels`: π/K → ℓνX, π⁰/η → γX);
* ``decays()`` — the unstable new states with their partial widths (:class:`Decays`);
* ``detection`` — detection channels (:mod:`darkbeam.interactions.channels`: scatter on a target,
  decay in the detector volume, scatter then decay);
* per-parameter flags (:class:`Param`: ``fixed_in_sample`` for settings that cannot be re-weighted);
* ``coupling_product()`` — the coupling combination a fit quotes (or None);
* the couplings the channels read (``lepton_coupling``, ``neutral_meson_mixing``, ``three_body_amplitude``).

This module sits in the "declarations" layer (docs/architecture.md, "Layers"), above the foundation and the
beams and below production and interactions, which read these declarations; it imports only the foundation, so
importing it loads no model. The concrete models (``darkbeam.models``) sit above production and interactions.
Physics (widths, cross-sections) lives in production/ and interactions/; a model class ties them to its
parameters. The registry of models, :data:`darkbeam.models.MODELS` (with :func:`darkbeam.models.get_model`),
lives in the models package (:mod:`darkbeam.models.registry`), so that whoever sees it sees the built-in models
registered. Register a model with ``@register_model("name")`` (:mod:`darkbeam.models.plugins`, which also
validates the declarations) or ``@MODELS.register("name")``; ``darkbeam list models`` shows them.
:mod:`darkbeam.models.base` re-exports all of these names (the import of earlier versions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .errors import InputError
from .units import DIMENSIONS, parse_quantity


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Attributes:
        name: parameter name as used on the command line (``--set name=value``) and in configs.
        dimension: key of :data:`darkbeam.units.DIMENSIONS` ("energy", "1/energy", "dimensionless").
        default: default in internal units; ``None`` means the parameter is required.
        doc: one-line description (with the unit convention).
        minimum: smallest allowed value (``0`` for couplings and masses; ``None`` for no bound).
        choices: for string-valued parameters, the allowed values.
        fixed_in_sample: True for a setting that a cached signal sample cannot be re-weighted in (a
            production amplitude, a branching ratio fixed by hand, a charge convention). Masses
            (dimension "energy") and string choices are always fixed in a sample.
    """

    name: str
    dimension: str
    default: float | str | None
    doc: str
    minimum: float | None = 0.0
    choices: tuple[str, ...] | None = None
    fixed_in_sample: bool = False

    @property
    def unit(self) -> str:
        """Unit of the internal value: "MeV", "1/MeV" or "" (dimensionless / string)."""
        return _UNIT.get(self.dimension, self.dimension) if self.choices is None else ""

    @property
    def is_fixed_in_sample(self) -> bool:
        """Masses, string settings and flagged parameters cannot change within a cached sample."""
        return self.fixed_in_sample or self.dimension == "energy" or self.choices is not None


_UNIT = {"energy": "MeV", "1/energy": "1/MeV", "dimensionless": ""}


def pair_conjugate_key(channel: str) -> str:
    """The ``Decays.dalitz_msq`` key of a channel's other charge order (see :class:`Decays`)."""
    return f"{channel} (pair conjugate)"


@dataclass(frozen=True)
class Decays:
    """Mass (MeV) and partial widths (MeV, by channel name) of one unstable state of a model.

    ``asymmetry`` (optional): for two-body channels of :data:`darkbeam.particles.TWO_BODY_FINAL_STATES` (and, in
    the decay-in-volume process, for one visible daughter with an invisible one, N → ν γ: α of the visible daughter;
    and for an invisible daughter with an intermediate state, N → ν π⁰: α of the intermediate state), the
    decay asymmetry α of the channel as recorded (charge-summed where the name is): in the state's rest
    frame dΓ/dcos θ ∝ 1 + α P cos θ, θ the angle of the channel's FIRST listed daughter to the spin axis and
    P the state's polarisation, reported per particle by its production channel. It is the value for the
    state itself; for its CP conjugate (a production channel's ``cp_conjugate`` column) it is −α. Channels
    not listed decay isotropically. The decay-in-volume process reads it.

    ``self_conjugate`` (optional): whether the state is its own antiparticle, for the charges of event records.
    None (the default): not declared, records keep the ids as listed. False: a state with a distinct antiparticle
    (e.g. a Dirac fermion); where the production channel reports the CP conjugate, the record has −id for the
    state and the charge conjugates of its decay products. True (e.g. a Majorana fermion): each decay goes to a
    channel or its charge conjugate with equal probability (equal widths, CP).

    ``charge_asymmetry`` (optional, self-conjugate states): for a channel, the asymmetry α of its FIRST listed daughter
    in the channel as listed (its charge conjugate has −α; the charge sum is isotropic, so ``asymmetry`` is empty). A
    polarised state's decay then goes to the listed channel with probability (1 + α P cos θ)/2 given the drawn angle.

    ``pair_charge_fraction`` (optional): for a channel whose visible pair the state makes in both charge orders (the
    heavy neutral lepton's "e mu nu": e⁻μ⁺ν_μ through |U_e4|², μ⁻e⁺ν_e through |U_μ4|²), the probability of the order
    listed by the decay-in-volume final state, for the state itself (its CP conjugate: the conjugate pairs).

    ``dalitz_msq`` (optional): for a three-body channel of the decay-in-volume final states (daughters listed as
    (invisible, visible 1, visible 2)), the spin-summed |M|² in any normalisation as a vectorised function
    ``f(s12, s01)`` of the Dalitz invariants s12 = (p₁ + p₂)² of the visible pair and s01 = (p₀ + p₁)² of the
    invisible and the first visible daughter (MeV², arrays); the daughters are then drawn from it instead of flat
    phase space. Not declared: flat phase space. A channel of ``pair_charge_fraction`` whose other charge order is a
    different process (the HNL's e⁻μ⁺ν_μ and μ⁻e⁺ν_e) declares that order's density under
    ``pair_conjugate_key(channel)``, in the same variables of the listed daughters; without it the channel's own
    density serves both orders.

    ``dalitz_spin`` (optional): for a channel of ``dalitz_msq`` (same keys), the dependence of its |M|² on the state's
    spin four-vector s: a vectorised function ``g(s12, s01) -> (b0, b1, b2)`` (arrays, units of f per MeV) such that
    |M|²(s) = ½ f(s12, s01) + Σ_i b_i (k_i·s), k_i the four-momenta of the listed daughters (invisible 0, visible 1,
    visible 2), f of ``dalitz_msq``; for the state itself, its CP image (the CP-conjugate state, or a self-conjugate
    state's other charge state) at the same spin having −b in the roles its kinematics give. A polarised state (its
    production channel's ``polarisation``) then decays with that orientation about its spin; not declared: the
    orientation is uniform.
    """

    state: str
    mass: float
    widths: dict[str, float]
    asymmetry: dict[str, float] = field(default_factory=dict)
    self_conjugate: bool | None = None
    charge_asymmetry: dict[str, float] = field(default_factory=dict)
    pair_charge_fraction: dict[str, float] = field(default_factory=dict)
    dalitz_msq: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = field(default_factory=dict)
    dalitz_spin: dict[str, Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(
        default_factory=dict)

    @property
    def total(self) -> float:
        """Total width, MeV."""
        return float(sum(self.widths.values()))


class Model:
    """A dark-sector model: validated parameters in internal units.

    Access parameters as attributes (``model.m_phi``) or via ``model.values``.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    # Name of the new boson emitted in meson decays and its spin-parity kind, if any.
    boson: ClassVar[str | None] = None
    boson_kind: ClassVar[str | None] = None  # "scalar" | "pseudoscalar" | "vector"
    #: production channels (darkbeam.production.channels instances)
    production: ClassVar[tuple] = ()
    #: detection channels (darkbeam.interactions.channels instances)
    detection: ClassVar[tuple] = ()
    #: name of the parameter holding the emitted boson's mass (models with a boson)
    mass_param: ClassVar[str] = ""

    def __init__(self, **values: Any) -> None:
        spec = {p.name: p for p in self.params}
        for k in values:
            if k not in spec:
                raise InputError(f"parameter of model {self.name}", k, spec.keys())
        self.values: dict[str, Any] = {}
        for p in self.params:
            v = values.get(p.name, p.default)
            if v is None:
                raise InputError(f"{self.name}.{p.name}", None, f"a value is required ({p.doc})")
            if p.choices is not None:
                if v not in p.choices:
                    raise InputError(f"{self.name}.{p.name}", v, p.choices)
            else:
                if isinstance(v, str):
                    v = parse_quantity(v, p.dimension, f"{self.name}.{p.name}")
                v = float(v)
                if not np.isfinite(v):
                    raise InputError(f"{self.name}.{p.name}", v, "a finite number")
                if p.minimum is not None and v < p.minimum:
                    raise InputError(f"{self.name}.{p.name}", v, f"a value >= {p.minimum} ({p.doc})")
            self.values[p.name] = v
        self.validate()

    def validate(self) -> None:
        """Cross-parameter checks; subclasses raise InputError naming the parameter."""

    # --- declarations read by generic code (override in subclasses) -------------------------------
    @property
    def m_x(self) -> float:
        """Mass of the emitted boson, MeV (the parameter named by ``mass_param``)."""
        if not self.mass_param:
            raise InputError("model", self.name, "a model emitting a boson (no mass_param declared)")
        return float(self.values[self.mass_param])

    def decays(self) -> dict[str, Decays]:
        """Unstable new states of the model by name, with partial widths (MeV). Default: none."""
        return {}

    def boson_decays(self, state: str | None = None) -> Decays:
        """:class:`Decays` of ``state`` (default: the emitted boson ``boson``)."""
        if "_decays" not in self.__dict__:  # computed once per model instance (replace() makes a new one)
            self.__dict__["_decays"] = self.decays()
        all_ = self.__dict__["_decays"]
        key = self.boson if state is None else state
        if key not in all_:
            if not all_:
                raise InputError("model", self.name, "a model with declared decays (widths)")
            raise InputError(f"{self.name} state", key, tuple(all_))
        return all_[key]

    def coupling_product(self) -> dict[str, Any] | None:
        """{"name", "value", "unit"} of the coupling combination a fit quotes, or None."""
        return None

    def three_body_amplitude(self) -> Any:
        """Vector amplitude of π/K → ℓνX: a registered name or charges (q_ℓ, q_ν, q_P)."""
        return self.values.get("amplitude", "gauge-invariant")

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """JSON-ready declaration: parameters (units, defaults, docs), production, decays, detection."""
        return {
            "name": cls.name, "description": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
            "boson": cls.boson, "boson_kind": cls.boson_kind,
            "parameters": cls.describe_params(),
            "production": [ch.describe() for ch in cls.production],
            "detection": [ch.describe() for ch in cls.detection],
        }

    def __getattr__(self, item: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and item in values:
            return values[item]
        raise AttributeError(item)

    def replace(self, **changes: Any) -> Model:
        """A copy with some parameters changed (values in internal units or strings with units)."""
        v = dict(self.values)
        v.update(changes)
        return type(self)(**v)

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> Model:
        """Build from ``{"name": "value with unit"}`` strings (command line ``--set`` / configs)."""
        spec = {p.name: p for p in cls.params}
        vals: dict[str, Any] = {}
        for k, raw in settings.items():
            if k not in spec:
                raise InputError(f"parameter of model {cls.name}", k, spec.keys())
            p = spec[k]
            if p.choices is not None:
                vals[k] = str(raw)
            else:
                vals[k] = parse_quantity(raw, p.dimension, f"{cls.name}.{k}")
        return cls(**vals)

    @classmethod
    def describe_params(cls) -> list[dict[str, Any]]:
        """Name, dimension, unit, default (internal units), doc, minimum, choices, fixed_in_sample."""
        out = []
        for p in cls.params:
            out.append({"name": p.name, "dimension": p.dimension, "unit": p.unit, "default": p.default,
                        "doc": p.doc, "minimum": p.minimum, "choices": list(p.choices) if p.choices else None,
                        "fixed_in_sample": p.is_fixed_in_sample})
        return out


def model_summary(model: Model) -> dict[str, Any]:
    """Name, parameters (internal units) and their units, for JSON output."""
    units = {p.name: p.unit for p in model.params if p.choices is None}
    return {"name": model.name, "parameters": dict(model.values), "units": units}


def require_parameters(model: Model, names: tuple[str, ...], what: str) -> None:
    """InputError unless ``model`` has every parameter in ``names`` (physics modules check capabilities,
    not model names)."""
    missing = [n for n in names if n not in model.values]
    if missing:
        raise InputError("model", model.name, f"a model with the parameters {', '.join(names)} for {what} "
                                              f"(missing: {', '.join(missing)})")


def perturbativity_warnings(model: Model, rows: list[dict[str, Any]]) -> list[str]:
    """Turn production rows' ``value`` (Γ_X/Γ_SM of the parent) into fractions of the total width,
    Γ_X/(Γ_SM + Γ_X), in place (keeping the ratio as ``gamma_X_over_gamma_SM``), and return warnings for
    dimensionless couplings above the perturbative limit √(4π) and for channels whose Γ_X is not small
    against Γ_SM (> 1 %: the signal is then no longer ∝ coupling², which re-weighting assumes)."""
    out = []
    for p in model.params:
        v = model.values.get(p.name)
        if p.choices is None and p.dimension == "dimensionless" and isinstance(v, float) and abs(v) > _PERTURBATIVE:
            out.append(f"{model.name}.{p.name} = {v:.4g} is above the perturbative limit sqrt(4 pi) = "
                       f"{_PERTURBATIVE:.3f}: tree-level widths and branching ratios are not reliable")
    for r in rows:
        ratio = r.get("value")
        if isinstance(ratio, float):
            r["gamma_X_over_gamma_SM"] = ratio
            r["value"] = ratio / (1.0 + ratio)
            if ratio > 0.01:
                out.append(f"{r['parent']} -> {r['channel']}: Gamma_X/Gamma_SM = {ratio:.3g} is not small; the BR "
                           "is Gamma_X/(Gamma_SM + Gamma_X), and predictions (which scale as coupling^2) are not valid")
    return out


_PERTURBATIVE = float(np.sqrt(4.0 * np.pi))


assert set(DIMENSIONS) >= {"energy", "1/energy", "dimensionless"}
