"""Meson production in p + Be collisions at the Booster Neutrino Beam (p_beam = 8.89 GeV/c).

Double-differential inclusive cross-sections d²σ/dp dΩ (lab frame, angle to the proton
direction) for π±, K±, K0_L, π0 and η, a registry of the models, their integrals in mesons per
proton on target (POT), and a vectorised weighted sampler.

Units: the public functions take and return internal units (hepunits: MeV, mm, rad) —
``d2sigma_dp_domega(p [MeV], theta [rad])`` returns mm²/(MeV sr). The published
parametrisations are evaluated in their own units (GeV/c, rad, mb/(GeV/c)/sr) and converted at
the edge (factor ``hu.millibarn / hu.GeV``).

Sources (see docs/meson_production.md for the choices and their justification):
- π+, π−, K0: Sanford-Wang fits of MiniBooNE, PRD 79, 072002 (2009), arXiv:0806.1449 (SW fit
  tables); central values cross-checked against the MicroBooNE/SBN reweighting data
  (uboonecode ExternalDataBNB) and BdNMC.
- K+: Feynman-scaling fit of the same paper, with x_F defined as in the
  MiniBooNE/SBN reweighting code (nucleon-at-rest c.m. frame, Λp threshold).
- K−: K+ Feynman scaling times the BMPT K−/K+ ratio (Bonesini et al., EPJ C20 (2001) 13).
- π0: isospin average (π+ + π−)/2.  η: Sanford-Wang with the K0 parameters (BdNMC choice,
  de Niverville et al., PRD 95, 035006 (2017)).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

import hepunits as hu
import numpy as np
from scipy.special import roots_legendre

from ..constants import M_ETA, M_K, M_K0, M_P, M_PI, M_PI0
from ..errors import InputError
from ..registry import Registry
from ..sample import ParticleSample
from . import target as _target
from .beamlines import Beam

GEV = hu.GeV
# mb/(GeV/c)/sr -> mm²/(MeV sr)
_XS_UNIT = hu.millibarn / hu.GeV
P_BEAM_BNB = 8.89 * hu.GeV
# Beam momenta covered by the data of the MiniBooNE fits (E910 6.4/12.3 GeV/c, HARP 8.9 GeV/c).
P_BEAM_RANGE = (6.4 * hu.GeV, 12.3 * hu.GeV)
THETA_MAX = 0.5 * math.pi  # forward hemisphere: the fits are undefined at cos θ < 0
HORN_WINDOW = (0.03, 0.21)  # rad; focused-meson window of seed 000 (Dutta et al.), HARP θ range


@dataclass(frozen=True)
class ProductionModel:
    """Base class: d²σ/dp dΩ for one meson species in p + Be at beam momentum ``p_beam``.

    Attributes:
        species: registry name.
        pdg: PDG id of the meson.
        mass: meson mass, MeV.
        p_beam: proton beam momentum, MeV/c.
        reference: citation of the parametrisation.
    """

    species: str
    pdg: int
    mass: float
    p_beam: float = P_BEAM_BNB
    reference: str = ""

    # --- to implement: GeV-unit parametrisation ------------------------------------------
    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """d²σ/dp dΩ in mb/(GeV/c)/sr for p in GeV/c, θ in rad (arrays of equal shape)."""
        raise NotImplementedError

    def p_max(self) -> float:
        """Largest meson momentum with non-zero cross-section, MeV/c."""
        raise NotImplementedError

    # --- public API ----------------------------------------------------------------------
    def d2sigma_dp_domega(self, p: np.ndarray | float, theta: np.ndarray | float) -> np.ndarray:
        """d²σ/dp dΩ in internal units, mm²/(MeV sr), for p in MeV/c and lab angle θ in rad.

        Vectorised (numpy broadcasting). Zero outside the valid range (p ≤ 0, p ≥ p_max,
        θ < 0, θ > π/2); never negative, never NaN.
        """
        p_arr, th_arr = np.broadcast_arrays(np.asarray(p, float), np.asarray(theta, float))
        inside = (p_arr > 0) & (p_arr < self.p_max()) & (th_arr >= 0) & (th_arr <= THETA_MAX)
        out = np.zeros(p_arr.shape)
        if np.any(inside):
            val = self._xs_gev(p_arr[inside] / GEV, th_arr[inside])
            out[inside] = np.where(np.isfinite(val) & (val > 0), val, 0.0) * _XS_UNIT
        return out

    def p_range(self) -> tuple[float, float]:
        """Valid meson momentum range (MeV/c)."""
        return (0.0, self.p_max())

    def theta_range(self) -> tuple[float, float]:
        """Valid lab angle range (rad): the forward hemisphere."""
        return (0.0, THETA_MAX)

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        """The same parametrisation at another beam momentum (MeV/c) within P_BEAM_RANGE."""
        if not (P_BEAM_RANGE[0] <= p_beam <= P_BEAM_RANGE[1]):
            raise InputError(
                "proton_momentum", p_beam,
                f"{P_BEAM_RANGE[0] / GEV:g}-{P_BEAM_RANGE[1] / GEV:g} GeV/c (range of the p-Be meson-production fits)",
            )
        return replace(self, p_beam=float(p_beam))


@dataclass(frozen=True)
class SanfordWang(ProductionModel):
    """Sanford-Wang parametrisation (MiniBooNE PRD 79, 072002, SW formula):

    d²σ/dp dΩ = c1 p^c2 (1 − p/(p_B − c9)) exp[−c3 p^c4 / p_B^c5 − c6 θ (p − c7 p_B cos^c8 θ)]

    in mb/(GeV/c)/sr with p, p_B in GeV/c. Negative values (p > p_B − c9) are set to zero, as
    in the MiniBooNE beam simulation.
    """

    c: tuple[float, ...] = ()

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        c1, c2, c3, c4, c5, c6, c7, c8, c9 = self.c
        pb = self.p_beam / GEV
        first = c1 * p**c2 * (1.0 - p / (pb - c9))
        arg = -c3 * p**c4 / pb**c5 - c6 * theta * (p - c7 * pb * np.cos(theta) ** c8)
        return first * np.exp(arg)

    def p_max(self) -> float:
        return (self.p_beam / GEV - self.c[8]) * GEV


def _cm_frame(p_beam_gev: float) -> tuple[float, float, float]:
    """(√s, γ, γβ) of the proton + nucleon-at-rest c.m. frame, GeV (MiniBooNE FS convention)."""
    mp = M_P / GEV
    e_beam = math.hypot(p_beam_gev, mp)
    e_cm = math.sqrt(2.0 * mp * mp + 2.0 * mp * e_beam)
    return e_cm, (e_beam + mp) / e_cm, p_beam_gev / e_cm


@dataclass(frozen=True)
class FeynmanScaling(ProductionModel):
    """Feynman-scaling parametrisation of K+ production (MiniBooNE PRD 79, 072002, FS formula):

    d²σ/dp dΩ = (p²/E) c1 exp[−c3 |x_F|^c4 − c7 |p_T x_F|^c6 − c2 p_T − c5 p_T²]

    with x_F = p_L*/p_L*max in the c.m. frame of the proton and a nucleon at rest,
    E*max = (s + m² − M_thr²)/(2√s), p_L*max = √(E*max² − m²), M_thr = 2.053 GeV (Λ p threshold),
    as in the MiniBooNE/SBN reweighting code (sbncode PrimaryHadronFeynmanScalingWeightCalc).
    Set to zero outside the kinematically allowed region E* > E*max.
    """

    c: tuple[float, ...] = ()
    m_threshold: float = 2.053 * hu.GeV

    def _estar_max(self) -> float:
        """E*max in GeV."""
        e_cm, _, _ = _cm_frame(self.p_beam / GEV)
        m, mt = self.mass / GEV, self.m_threshold / GEV
        return (e_cm * e_cm + m * m - mt * mt) / (2.0 * e_cm)

    def xf_pt(self, p: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x_F, p_T [GeV/c], E* [GeV]) for p in GeV/c and θ in rad."""
        _, gamma, gammabeta = _cm_frame(self.p_beam / GEV)
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        pl = p * np.cos(theta)
        pt = p * np.sin(theta)
        pl_star = gamma * pl - gammabeta * e  # longitudinal boost to the c.m. frame
        e_star = gamma * e - gammabeta * pl
        emax = self._estar_max()
        pl_star_max = math.sqrt(emax * emax - m * m)
        return pl_star / pl_star_max, pt, e_star

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        c1, c2, c3, c4, c5, c6, c7 = self.c
        m = self.mass / GEV
        xf, pt, e_star = self.xf_pt(p, theta)
        axf = np.abs(xf)
        e = np.sqrt(p * p + m * m)
        val = (p * p / e) * c1 * np.exp(-c3 * axf**c4 - c7 * (pt * axf) ** c6 - c2 * pt - c5 * pt * pt)
        return np.where(e_star <= self._estar_max(), val, 0.0)

    def p_max(self) -> float:
        # largest lab momentum of an allowed kaon: forward emission at E*max
        _, gamma, gammabeta = _cm_frame(self.p_beam / GEV)
        emax = self._estar_max()
        m = self.mass / GEV
        return (gammabeta * emax + gamma * math.sqrt(emax * emax - m * m)) * GEV * (1.0 + 1e-12)


@dataclass(frozen=True)
class ScaledByRatio(ProductionModel):
    """K− = K+(Feynman scaling, at K− kinematics) / R(x_R), R = K+/K− = r0 (1 − x_R)^r1.

    BMPT (Bonesini et al., EPJ C20 (2001) 13, kaon ratio, r0 = 1.15, r1 = −3.17); x_R = E*/E*max
    in the nucleon-nucleon c.m. frame with E*max the K− endpoint of p N → K− K+ N N
    (recoil mass M_X = 2 m_N + m_K), so that the K− spectrum vanishes at its kinematic limit.
    The sign convention (1 − x_R) makes K+/K− grow towards x_R → 1 as the data require (the
    (1 + x_R) form of BdNMC would make K− dominate K+ at large x_R).
    """

    base: FeynmanScaling | None = None
    r0: float = 1.15
    r1: float = -3.17
    m_recoil: float = 2.0 * M_P + M_K

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        new = super().at_beam_momentum(p_beam)
        assert self.base is not None
        return replace(new, base=self.base.at_beam_momentum(p_beam))

    def _estar_max(self) -> float:
        e_cm, _, _ = _cm_frame(self.p_beam / GEV)
        m, mx = self.mass / GEV, self.m_recoil / GEV
        return (e_cm * e_cm + m * m - mx * mx) / (2.0 * e_cm)

    def x_r(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """x_R = E*/E*max for p in GeV/c, θ in rad."""
        _, gamma, gammabeta = _cm_frame(self.p_beam / GEV)
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        return (gamma * e - gammabeta * p * np.cos(theta)) / self._estar_max()

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        assert self.base is not None
        xr = self.x_r(p, theta)
        kplus = self.base._xs_gev(p, theta)
        one_minus = np.clip(1.0 - xr, 0.0, None)
        # K- = K+ / [r0 (1 - xR)^r1] = K+ (1 - xR)^(-r1) / r0
        return np.where(xr < 1.0, kplus * one_minus ** (-self.r1) / self.r0, 0.0)

    def p_max(self) -> float:
        _, gamma, gammabeta = _cm_frame(self.p_beam / GEV)
        emax = self._estar_max()
        m = self.mass / GEV
        return (gammabeta * emax + gamma * math.sqrt(emax * emax - m * m)) * GEV * (1.0 + 1e-12)


@dataclass(frozen=True)
class IsospinAverage(ProductionModel):
    """π0 = (π+ + π−)/2 (isospin: the π0 is the average of the charged states)."""

    parts: tuple[ProductionModel, ...] = field(default_factory=tuple)

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        new = super().at_beam_momentum(p_beam)
        return replace(new, parts=tuple(m.at_beam_momentum(p_beam) for m in self.parts))

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        tot = np.zeros(np.shape(p))
        for m in self.parts:
            ok = p * GEV < m.p_max()
            tot += np.where(ok, np.clip(np.nan_to_num(m._xs_gev(p, theta)), 0.0, None), 0.0)
        return tot / len(self.parts)

    def p_max(self) -> float:
        return max(m.p_max() for m in self.parts)


# --- parameter tables -------------------------------------------------------------------------
# MiniBooNE PRD 79, 072002, SW fit table (Sanford-Wang c1..c9; π+ c3, c9 and π− c9 fixed in the fit).
SW_PIPLUS = (220.7, 1.080, 1.000, 1.978, 1.32, 5.572, 0.0868, 9.686, 1.000)
SW_PIMINUS = (213.7, 0.9379, 5.454, 1.210, 1.284, 4.781, 0.07338, 8.329, 1.000)
SW_K0 = (15.130, 1.975, 4.084, 0.928, 0.731, 4.362, 0.048, 13.300, 1.278)
# MiniBooNE PRD 79, 072002, FS fit table (Feynman scaling K+, c1..c7).
FS_KPLUS = (11.70, 0.88, 4.77, 1.51, 2.21, 2.17, 1.51)

_REF_MB = "MiniBooNE, PRD 79, 072002 (2009), arXiv:0806.1449"

MESON_PRODUCTION: Registry[ProductionModel] = Registry("meson species")

_PIP = SanfordWang("pi+", 211, M_PI, reference=_REF_MB + ", Sanford-Wang fit", c=SW_PIPLUS)
_PIM = SanfordWang("pi-", -211, M_PI, reference=_REF_MB + ", Sanford-Wang fit", c=SW_PIMINUS)
_KP = FeynmanScaling("K+", 321, M_K, reference=_REF_MB + ", Feynman-scaling fit", c=FS_KPLUS)
_KM = ScaledByRatio(
    "K-", -321, M_K, reference=_REF_MB + " K+ FS × BMPT K-/K+ ratio, EPJ C20 (2001) 13",
    base=replace(_KP, species="K-", pdg=-321),
)
_K0L = SanfordWang(
    "K0L", 130, M_K0, reference=_REF_MB + ", Sanford-Wang K0 fit; K0_L = K0_S", c=SW_K0,
)
_PI0 = IsospinAverage("pi0", 111, M_PI0, reference="isospin average of the π± Sanford-Wang fits",
                      parts=(_PIP, _PIM))
_ETA = SanfordWang(
    "eta", 221, M_ETA,
    reference="Sanford-Wang with the K0 parameters (BdNMC choice, PRD 95, 035006 (2017))", c=SW_K0,
)

MESON_PRODUCTION.add("pi+", _PIP, "π+: Sanford-Wang fit to HARP/E910 p-Be data (MiniBooNE flux paper)")
MESON_PRODUCTION.add("pi-", _PIM, "π−: Sanford-Wang fit (MiniBooNE flux paper)")
MESON_PRODUCTION.add("K+", _KP, "K+: Feynman-scaling fit (MiniBooNE flux paper)")
MESON_PRODUCTION.add("K-", _KM, "K−: K+ Feynman scaling × BMPT K−/K+ ratio")
MESON_PRODUCTION.add("K0L", _K0L, "K0_L: Sanford-Wang K0 fit (MiniBooNE flux paper), K0_L = K0_S")
MESON_PRODUCTION.add("pi0", _PI0, "π0: (π+ + π−)/2 by isospin")
MESON_PRODUCTION.add("eta", _ETA, "η: Sanford-Wang with K0 parameters (BdNMC)")

SPECIES: tuple[str, ...] = ("pi+", "pi-", "K+", "K-", "K0L", "pi0", "eta")


@dataclass(frozen=True, eq=False)
class ProductionSet:
    """The meson-production models of one kind of beam, selected by ``Beam.production`` (its name).

    Attributes:
        name: registry key (what a :class:`~darkbeam.detectors.catalog.Beam` declares).
        models: registry species -> :class:`ProductionModel` (at a reference beam momentum).
        species: the species it provides, in table order.
        materials: target materials (``Beam.target_material``) it covers.
        scale_to_target: the models are rescaled to the target nucleus with ``model.on_target(A)``
            (False: the models are fits for their one material).
        reference: citation.
    """

    name: str
    models: Registry[ProductionModel]
    species: tuple[str, ...]
    materials: tuple[str, ...]
    scale_to_target: bool = False
    reference: str = ""

    def model(self, beam: Beam, species: str) -> ProductionModel:
        """The model of ``species`` for the beam's target and momentum (InputError where not covered)."""
        model = self.models.get(species)
        material = _target.target_material(beam)
        if material.symbol not in self.materials:
            raise InputError(f"target_material of beam {beam.name} (production set {self.name})",
                             beam.target_material, self.materials)
        if self.scale_to_target:
            model = model.on_target(material.A)  # type: ignore[attr-defined]
        return model.at_beam_momentum(beam.proton_momentum)


#: production-set name -> :class:`ProductionSet`; a Beam names its set in ``Beam.production``.
PRODUCTION_SETS: Registry[ProductionSet] = Registry("meson-production set")
PRODUCTION_SETS.add(
    "miniboone-sw",
    ProductionSet("miniboone-sw", MESON_PRODUCTION, SPECIES, ("Be",), False,
                  _REF_MB + ": Sanford-Wang / Feynman-scaling fits to p-Be data at 6.4-12.3 GeV/c"),
    "p-Be at 6.4-12.3 GeV/c (BNB): MiniBooNE Sanford-Wang and Feynman-scaling fits",
)


def production_set(beam: Beam) -> ProductionSet:
    """The production set the beam declares (``Beam.production``)."""
    return PRODUCTION_SETS.get(beam.production)


def production_model(beam: Beam, species: str) -> ProductionModel:
    """The production model of ``species`` at the beam's momentum (checks target and momentum).

    The model comes from the production set the beam declares (``Beam.production``, see
    :data:`PRODUCTION_SETS`).

    Raises:
        InputError: unknown species, target material without a model, or beam momentum
            outside the range of the fits.
    """
    return production_set(beam).model(beam, species)


# --- deterministic integration ----------------------------------------------------------------
_GL_ORDER = 12
_THETA_BREAKS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1, 0.13, 0.16, 0.21, 0.27, 0.35,
                 0.45, 0.6, 0.8, 1.05, 1.3, THETA_MAX)


def _region(model: ProductionModel, p_range: tuple[float, float] | None,
            theta_range: tuple[float, float] | None) -> tuple[float, float, float, float]:
    p0, p1 = model.p_range()
    t0, t1 = model.theta_range()
    if p_range is not None:
        if len(p_range) != 2 or not (p_range[0] < p_range[1]) or not np.all(np.isfinite(p_range)):
            raise InputError("p_range", p_range, "(p_lo, p_hi) in MeV/c with p_lo < p_hi")
        p0, p1 = max(p0, float(p_range[0])), min(p1, float(p_range[1]))
    if theta_range is not None:
        if len(theta_range) != 2 or not (theta_range[0] < theta_range[1]) or not np.all(np.isfinite(theta_range)):
            raise InputError("theta_range", theta_range, "(theta_lo, theta_hi) in rad with theta_lo < theta_hi")
        t0, t1 = max(t0, float(theta_range[0])), min(t1, float(theta_range[1]))
    return p0, p1, t0, t1


def _composite_gl(breaks: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = roots_legendre(order)
    a, b = breaks[:-1, None], breaks[1:, None]
    nodes = 0.5 * (b - a) * x[None, :] + 0.5 * (a + b)
    weights = 0.5 * (b - a) * w[None, :]
    return nodes.ravel(), weights.ravel()


def integrate_cross_section(model: ProductionModel, p_lo: float, p_hi: float,
                            theta_lo: float, theta_hi: float, n_p_panels: int = 48) -> float:
    """∫ d²σ/dp dΩ dp dΩ over p ∈ [p_lo, p_hi] (MeV/c), θ ∈ [θ_lo, θ_hi] (rad); mm².

    Deterministic composite Gauss-Legendre product rule (scipy.special.roots_legendre nodes),
    dΩ = 2π sin θ dθ; θ panels refined at small angles, p panels refined at low momentum.
    """
    if not (p_hi > p_lo and theta_hi > theta_lo):
        return 0.0
    tb = np.array(_THETA_BREAKS)
    tb = np.unique(np.concatenate([[theta_lo, theta_hi], tb[(tb > theta_lo) & (tb < theta_hi)]]))
    # p panels: geometric near p_lo (the SW integrands behave like p^c2 at small p), then uniform
    span = p_hi - p_lo
    fine = p_lo + span * np.array([0.0, 0.002, 0.005, 0.01, 0.02, 0.04])
    pb = np.unique(np.concatenate([fine, np.linspace(p_lo + 0.04 * span, p_hi, n_p_panels)]))
    pn, pw = _composite_gl(pb, _GL_ORDER)
    tn, tw = _composite_gl(tb, _GL_ORDER)
    f = model.d2sigma_dp_domega(pn[:, None], tn[None, :])
    return float(pw @ f @ (tw * 2.0 * np.pi * np.sin(tn)))


def mesons_per_pot(beam: Beam, species: str, p_range: tuple[float, float] | None = None,
                   theta_range: tuple[float, float] | None = None) -> float:
    """Primary mesons of ``species`` per proton on target, optionally in a (p, θ) region.

    Args:
        beam: proton beam (e.g. ``BEAMS.get("bnb")``).
        species: one of :data:`SPECIES`.
        p_range: (p_lo, p_hi) meson momentum in MeV/c (default: full range of the model).
        theta_range: (θ_lo, θ_hi) lab angle to the beam in rad (default: 0 to π/2).

    Returns:
        P_int × σ_region / σ_inel (dimensionless, per POT); see :mod:`darkbeam.beams.target`.
    """
    model = production_model(beam, species)
    p0, p1, t0, t1 = _region(model, p_range, theta_range)
    sigma = integrate_cross_section(model, p0, p1, t0, t1)
    return _target.mesons_per_pot_from_sigma(beam, sigma)


def production_table(beam: Beam, theta_range: tuple[float, float] | None = None) -> dict[str, float]:
    """Mesons per POT for every species of the beam's production set (for the BNB: :data:`SPECIES`),
    optionally in a θ range (rad)."""
    return {s: mesons_per_pot(beam, s, theta_range=theta_range) for s in production_set(beam).species}


# --- sampling ------------------------------------------------------------------------------------
_N_P_CELLS = 160
_N_T_CELLS = 160


@dataclass(frozen=True)
class _Proposal:
    p_edges: np.ndarray
    t_edges: np.ndarray
    cdf: np.ndarray  # cumulative cell probabilities (flattened, row-major p x θ)
    prob: np.ndarray  # cell probabilities
    norm: float  # P_int / σ_inel, mm^-2


@lru_cache(maxsize=64)
def _proposal(model: ProductionModel, beam_key: tuple, region: tuple[float, float, float, float],
              window: tuple[float, float], min_window_fraction: float) -> _Proposal:
    p0, p1, t0, t1 = region
    pe = np.linspace(p0, p1, _N_P_CELLS + 1)
    # θ cells uniform in sqrt(θ): fine at small angles where sin θ varies fastest
    s = np.linspace(math.sqrt(t0), math.sqrt(t1), _N_T_CELLS + 1)
    te = s * s
    inner = [w for w in window if t0 < w < t1]
    te = np.unique(np.concatenate([te, inner]))
    # cell masses of f * 2π sin θ with a 3x3 Gauss-Legendre rule per cell
    pn, pw = _composite_gl(pe, 3)
    tn, tw = _composite_gl(te, 3)
    f = model.d2sigma_dp_domega(pn[:, None], tn[None, :]) * (2.0 * np.pi * np.sin(tn))[None, :]
    fw = (pw[:, None] * f * tw[None, :]).reshape(len(pe) - 1, 3, len(te) - 1, 3).sum(axis=(1, 3))
    mass = fw.ravel()
    pos = mass[mass > 0]
    floor = 1e-3 * pos.mean() if pos.size else 1.0
    mass = np.maximum(mass, floor)  # defensive floor: q > 0 everywhere -> finite weights
    prob = mass.reshape(fw.shape)
    # make sure the horn window is well populated
    tc = 0.5 * (te[:-1] + te[1:])
    inwin = (tc > window[0]) & (tc < window[1])
    if inwin.any() and not inwin.all():
        fw_in = prob[:, inwin].sum() / prob.sum()
        if fw_in < min_window_fraction:
            boost = min_window_fraction * (1 - fw_in) / (fw_in * (1 - min_window_fraction))
            prob[:, inwin] *= boost
    prob = (prob / prob.sum()).ravel()
    cdf = np.cumsum(prob)
    cdf[-1] = 1.0
    return _Proposal(pe, te, cdf, prob, beam_key[-1])


def _beam_key(beam: Beam) -> tuple:
    norm = _target.interaction_probability(beam) / _target.sigma_inelastic(beam)
    return (beam.name, beam.proton_momentum, beam.target_length, beam.target_material, norm)


def _generate(beam: Beam, species: str, n: int, n_norm: int, rng: np.random.Generator,
              region: tuple[float, float, float, float], window: tuple[float, float],
              min_window_fraction: float) -> ParticleSample:
    model = production_model(beam, species)
    prop = _proposal(model, _beam_key(beam), region, window, min_window_fraction)
    n_t = len(prop.t_edges) - 1
    cell = np.searchsorted(prop.cdf, rng.random(n), side="right")
    cell = np.minimum(cell, len(prop.cdf) - 1)
    ip, it = np.divmod(cell, n_t)
    p_lo, dp = prop.p_edges[ip], np.diff(prop.p_edges)[ip]
    t_lo, dt = prop.t_edges[it], np.diff(prop.t_edges)[it]
    p = p_lo + dp * rng.random(n)
    th = t_lo + dt * rng.random(n)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    # importance weight: f(p,θ) 2π sinθ / q(p,θ) with q = P_cell / (Δp Δθ); × P_int/σ_inel / n
    f = model.d2sigma_dp_domega(p, th)
    sin_t = np.sin(th)
    w = f * (2.0 * np.pi) * sin_t * (dp * dt) / prop.prob[cell] * (prop.norm / n_norm)
    m = model.mass
    p4 = np.empty((n, 4))
    p4[:, 0] = np.sqrt(p * p + m * m)
    pt = p * sin_t
    p4[:, 1] = pt * np.cos(phi)
    p4[:, 2] = pt * np.sin(phi)
    p4[:, 3] = p * np.cos(th)
    x = _target.sample_vertices(beam, n, rng)
    return ParticleSample(np.full(n, model.pdg), p4, x, w, "mesons per POT")


def _sampling_region(beam: Beam, species: str, theta_max: float | None, p_min: float | None,
                     theta_min: float | None, p_max: float | None) -> tuple[float, float, float, float]:
    model = production_model(beam, species)
    pr = None if (p_min is None and p_max is None) else (
        0.0 if p_min is None else p_min, model.p_max() if p_max is None else p_max)
    tr = None if (theta_min is None and theta_max is None) else (
        0.0 if theta_min is None else theta_min, THETA_MAX if theta_max is None else theta_max)
    return _region(model, pr, tr)


def _check_n(name: str, n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(name, n, "a positive integer")
    return int(n)


def sample_mesons(beam: Beam, species: str, n: int, rng: np.random.Generator,
                  theta_max: float | None = None, p_min: float | None = None, *,
                  theta_min: float | None = None, p_max: float | None = None,
                  window: tuple[float, float] = HORN_WINDOW,
                  min_window_fraction: float = 0.5) -> ParticleSample:
    """Weighted primary mesons from the beam's target.

    Importance sampling of (p, θ) from a tabulated proposal ∝ d²σ/dp dΩ · 2π sin θ on a
    160×160 grid (with a floor so that every cell of the region is reachable, and the cells
    inside ``window`` boosted to hold at least ``min_window_fraction`` of the draws); azimuth
    uniform; vertex z from the exponential interaction law along the target, (x, y) from the
    beam spot.

    Args:
        beam: proton beam.
        species: one of :data:`SPECIES`.
        n: number of mesons to draw.
        rng: numpy Generator (reproducible with a fixed seed).
        theta_max, theta_min: restrict the lab angle (rad).
        p_min, p_max: restrict the momentum (MeV/c).

    Returns:
        ParticleSample with four-momenta (MeV), vertices (mm, target centre at origin) and weights in
        mesons per POT: E[sum of weights] = mesons_per_pot(beam, species, region); weights ≥ 0, finite.
    """
    n = _check_n("n", n)
    region = _sampling_region(beam, species, theta_max, p_min, theta_min, p_max)
    return _generate(beam, species, n, n, rng, region, tuple(window), float(min_window_fraction))


def iter_mesons(beam: Beam, species: str, n_total: int, chunk: int, rng: np.random.Generator,
                theta_max: float | None = None, p_min: float | None = None, *,
                theta_min: float | None = None, p_max: float | None = None,
                window: tuple[float, float] = HORN_WINDOW,
                min_window_fraction: float = 0.5) -> Iterator[ParticleSample]:
    """Yield ``n_total`` weighted mesons in chunks of at most ``chunk`` (memory-flat).

    The weights are normalised to ``n_total``: the sum of the weights over all chunks estimates
    mesons per POT in the region (same arguments and units as :func:`sample_mesons`).
    """
    n_total = _check_n("n_total", n_total)
    chunk = _check_n("chunk", chunk)
    region = _sampling_region(beam, species, theta_max, p_min, theta_min, p_max)
    done = 0
    while done < n_total:
        k = min(chunk, n_total - done)
        yield _generate(beam, species, k, n_total, rng, region, tuple(window), float(min_window_fraction))
        done += k

