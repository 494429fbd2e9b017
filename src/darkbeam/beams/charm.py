"""Open-charm production (D±, D_s±) by protons on a fixed target: the 120 GeV NuMI and LBNF graphite targets.

Registers the species "D+", "D-", "Ds+", "Ds-" in every meson-production set of
:data:`darkbeam.beams.production.PRODUCTION_SETS` (the 120 GeV "bmpt" set and, so that a request there closes with
its reason, the 8.9 GeV BNB sets), so the generic flux code (``iter_mesons``) makes them on any beam whose √s allows.
Units: MeV, mm, rad at the interface; the parametrisation is evaluated in GeV and mb (as in
:mod:`darkbeam.beams.production`).

Model, per meson species H (docs/portal_hnl.md, "Charm at 120 GeV"):

    d²σ(pA → H X)/dx_F dp_T² = A^α σ_cc̄(√s) f(c → H) · (n + 1) b / 2 · (1 − |x_F|)^n exp(−b p_T²)

* **σ_cc̄ per nucleon.** No measurement exists at √s = 15.06 GeV (120 GeV/c); the lowest-energy proton data with
  the published parametrisation used here are NA27 (LEBC-EHS, pp at 400 GeV/c, √s = 27.4 GeV;
  M. Aguilar-Benitez et al., Z. Phys. C 40 (1988) 321): σ(D/D̄) = 30.2 ± 3.3 μb, n = 4.9 ± 0.5,
  b = 1.0 ± 0.1 (GeV/c)⁻². σ(D/D̄) counts D⁰, D̄⁰, D⁺, D⁻, so σ_cc̄ = σ(D/D̄) / [2 (f(D⁰) + f(D⁺))] = 17.8 μb.
  The energy dependence is that of leading-order QCD, gg → cc̄ (the method of the compilation of C. Lourenço and
  H.K. Wöhri, Phys. Rept. 433 (2006) 127, arXiv:hep-ph/0609101: data against LO pQCD versus √s, normalised by a K
  factor), normalised to NA27:  σ_cc̄(√s) = σ_cc̄(NA27) · σ_LO(√s)/σ_LO(27.4 GeV), with
  σ̂_gg(ŝ) = πα_s²/(3ŝ) [(1 + ρ + ρ²/16) ln((1+β)/(1−β)) − β(7/4 + 31ρ/16)], ρ = 4m_c²/ŝ, β = √(1 − ρ)
  (B.L. Combridge, Nucl. Phys. B151 (1979) 429; the Born term of Nason, Dawson, Ellis, Nucl. Phys. B303 (1988)
  607) and a large-x gluon x g(x) = (η + 1)/2 (1 − x)^η (momentum fraction ½; η = 5, the dimensional-counting
  exponent of the gluon at large x, varied 4-6); α_s at the fixed scale μ = m_c cancels in the ratio. Central
  m_c = 1.5 GeV, η = 5; the band is the spread over m_c ∈ {1.2, 1.3, 1.5} GeV, η ∈ {4, 5, 6} times NA27's
  ±11 %. Check (tests/test_charm.py): the same curve predicts HERA-B at 920 GeV/c (√s = 41.6 GeV; I. Abt et al.,
  EPJ C 52 (2007) 531, arXiv:0708.1443: σ_cc̄ = 49.1 ± 4.6 ± 7.4 μb per nucleon) within its error. The q q̄ → cc̄
  channel (a minority in pp, growing towards threshold) is absorbed in the NA27 normalisation and its different
  √s dependence is NOT modelled (assumed inside the band). APPROXIMATE: a factor ~2 at 120 GeV/c (the band).
* **A-dependence.** α = 1 for open charm: HERA-B (same paper) finds it compatible with 1 on C, Ti, W; E769
  (G.A. Alves et al., PRL 70 (1993) 722) α = 1.00 ± 0.05 ± 0.02 at 250 GeV.
* **Fragmentation** f(c → H) of e⁺e⁻ and ep data combined (M. Lisovyi, A. Verbytskyi, O. Zenaiev, EPJ C 76 (2016)
  397, arXiv:1509.01061): f(D⁺) = 0.2404, f(D⁰) = 0.6086, f(D_s⁺) = 0.0802; the same for the charge conjugates
  (no leading-particle asymmetry).
* **Kinematics** x_F = 2p_L*/√s in the nucleon-nucleon c.m. frame, with NA27's n and b (the nearest proton
  measurement in this form; the shape at √s = 15 GeV is an extrapolation). d²σ/dp dΩ = p² (E*/E) ·
  2/(π√s) · d²σ/dx_F dp_T², zero beyond the kinematic limit E* > E*max = (s + m² − M_X²)/(2√s), M_X the lightest
  recoil with the right baryon number, charm and strangeness.
* **No focusing.** The D's decay where they are made (cτ = 0.310 mm (D⁺), 0.150 mm (D_s⁺): γcτ of a few mm in the
  target): their channels are prompt (``in_flight`` False), the horns never act on them.
* **Threshold.** The lightest open-charm final state of p N is N Λ_c D̄ (√s = 5.09 GeV); each species has its own
  threshold m_H + M_X. Below it (the 8.89 GeV/c BNB: √s = 4.30 GeV) a request closes with that reason
  (:func:`charm_closed_reason`, InputError from ``at_beam_momentum``). Not modelled: sub-threshold production on
  moving nucleons, charm from secondary interactions in the target, beauty.

Yields are primary interactions: P_int × σ/σ_inel (:mod:`darkbeam.beams.target`), as for the light mesons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import hepunits as hu
import numpy as np
from scipy import integrate

from ..constants import M_D, M_D0, M_DS, M_K, M_LAMBDA_C, M_N, M_P
from ..errors import InputError
from . import production_iron as _production_iron  # noqa: F401  (its set is registered before charm is added)
from . import target as _target
from .beamlines import Beam
from .production import GEV, PRODUCTION_SETS, ProductionModel, production_set

# --- published inputs ------------------------------------------------------------------------------------------
#: NA27 (Z. Phys. C 40 (1988) 321), pp at 400 GeV/c: σ(D/D̄) in μb, its error, n, b [(GeV/c)⁻²] and their errors
NA27_P_BEAM = 400.0 * hu.GeV
NA27_SIGMA_DDBAR_UB, NA27_SIGMA_DDBAR_ERR_UB = 30.2, 3.3
NA27_N, NA27_N_ERR = 4.9, 0.5
NA27_B, NA27_B_ERR = 1.0, 0.1
#: HERA-B (EPJ C 52 (2007) 531), p-A at 920 GeV/c: σ_cc̄ per nucleon (μb), statistical and systematic errors
HERAB_P_BEAM = 920.0 * hu.GeV
HERAB_SIGMA_CC_UB, HERAB_STAT_UB, HERAB_SYST_UB = 49.1, 4.6, 7.4
#: fragmentation fractions f(c → H) (Lisovyi, Verbytskyi, Zenaiev, EPJ C 76 (2016) 397, combined fit)
FRAGMENTATION = {"D+": 0.2404, "D0": 0.6086, "Ds+": 0.0802}
#: exponent of σ(pA) = A^α σ(pN) for open charm (HERA-B 2007; E769, PRL 70 (1993) 722)
ALPHA_A = 1.0
#: LO energy dependence: central (m_c [GeV], η) and the grid spanned by the band
LO_CENTRAL = (1.5, 5.0)
LO_GRID = tuple((m, e) for m in (1.2, 1.3, 1.5) for e in (4.0, 5.0, 6.0))
#: beam momenta offered: from 60 GeV/c (the LO ratio is not trusted closer to threshold) to HERA-B's 920 GeV/c
CHARM_P_BEAM_RANGE = (60.0 * hu.GeV, 920.0 * hu.GeV)

REF_CHARM = ("σ_cc̄: NA27 Z.Phys.C40 (1988) 321 scaled with LO gg→cc̄ (method of Lourenço & Wöhri, Phys.Rept.433 "
             "(2006) 127); f(c→H): Lisovyi et al. EPJC76 (2016) 397; α=1 (HERA-B EPJC52 (2007) 531); "
             "(1-|x_F|)^n exp(-b p_T^2) with NA27 n=4.9, b=1.0")


def sqrt_s(p_beam: float) -> float:
    """√s (MeV) of a proton of momentum ``p_beam`` (MeV/c) on a nucleon at rest (m_p for both)."""
    e_beam = math.hypot(p_beam, M_P)
    return math.sqrt(2.0 * M_P * M_P + 2.0 * M_P * e_beam)


def sigma_cc_na27() -> float:
    """σ_cc̄ per nucleon at NA27 (√s = 27.4 GeV), μb: σ(D/D̄) / [2 (f(D⁰) + f(D⁺))]."""
    return NA27_SIGMA_DDBAR_UB / (2.0 * (FRAGMENTATION["D0"] + FRAGMENTATION["D+"]))


# --- leading-order energy dependence ----------------------------------------------------------------------------
def sigma_hat_gg(shat: float, m_c: float) -> float:
    """LO σ̂(gg → cc̄) / α_s² in GeV⁻² for ŝ in GeV², m_c in GeV (Combridge 1979; 0 below 4m_c²)."""
    rho = 4.0 * m_c * m_c / shat
    if rho >= 1.0:
        return 0.0
    beta = math.sqrt(1.0 - rho)
    return math.pi / (3.0 * shat) * ((1.0 + rho + rho * rho / 16.0) * math.log((1.0 + beta) / (1.0 - beta))
                                     - beta * (7.0 / 4.0 + 31.0 * rho / 16.0))


@lru_cache(maxsize=256)
def sigma_lo_gg(rs_gev: float, m_c: float, eta: float) -> float:
    """LO σ(pp → cc̄) / α_s² (GeV⁻²) at √s = ``rs_gev`` GeV with x g(x) = (η+1)/2 (1−x)^η:
    ∫ dln τ ∫ dln x₁ [x₁g(x₁)][x₂g(x₂)] σ̂(τ s), x₂ = τ/x₁ (nested adaptive quadrature)."""
    s = rs_gev * rs_gev
    a = 0.5 * (eta + 1.0)
    ln_tau0 = math.log(4.0 * m_c * m_c / s)

    def inner(ln_tau: float) -> float:
        tau = math.exp(ln_tau)
        lum = integrate.quad(lambda y: a * a * (1.0 - math.exp(y)) ** eta * (1.0 - tau / math.exp(y)) ** eta,
                             ln_tau, 0.0, epsabs=0.0, epsrel=1e-10)[0]
        return lum * sigma_hat_gg(tau * s, m_c)

    return integrate.quad(inner, ln_tau0, 0.0, epsabs=0.0, epsrel=1e-9, limit=200)[0]


def lo_ratio(p_beam: float, m_c: float = LO_CENTRAL[0], eta: float = LO_CENTRAL[1]) -> float:
    """σ_LO(√s(p_beam)) / σ_LO(√s of NA27) for the gluon exponent η and charm mass m_c (GeV)."""
    return sigma_lo_gg(sqrt_s(p_beam) / GEV, m_c, eta) / sigma_lo_gg(sqrt_s(NA27_P_BEAM) / GEV, m_c, eta)


def sigma_cc(p_beam: float) -> float:
    """σ_cc̄ per nucleon (mm²) at beam momentum ``p_beam`` (MeV/c): NA27 × the central LO ratio."""
    return sigma_cc_na27() * lo_ratio(p_beam) * hu.microbarn


def sigma_cc_band(p_beam: float) -> tuple[float, float]:
    """(low, high) of σ_cc̄ per nucleon (mm²): the LO grid's extremes with NA27's relative error applied."""
    r = [lo_ratio(p_beam, m, e) for m, e in LO_GRID]
    rel = NA27_SIGMA_DDBAR_ERR_UB / NA27_SIGMA_DDBAR_UB
    s0 = sigma_cc_na27() * hu.microbarn
    return s0 * min(r) * (1.0 - rel), s0 * max(r) * (1.0 + rel)


# --- the production model ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CharmProduction(ProductionModel):
    """d²σ/dp dΩ of one charm-meson species on a nucleus of mass number ``target_A`` (module docstring).

    Attributes:
        fraction: f(c → H) (the charge conjugate has the same).
        m_recoil: lightest recoil M_X, MeV (defines E*max and the threshold m + M_X).
        n, b: (1 − |x_F|)^n and exp(−b p_T²), b in (GeV/c)⁻².
        target_A: nucleons of the target nucleus (σ ∝ A^α, α = 1).
    """

    fraction: float = 0.0
    m_recoil: float = 0.0
    n: float = NA27_N
    b: float = NA27_B
    target_A: float = 1.0

    def threshold_momentum(self) -> float:
        """Beam momentum (MeV/c) at which √s = m + M_X."""
        w = self.mass + self.m_recoil
        e_beam = (w * w - 2.0 * M_P * M_P) / (2.0 * M_P)
        return math.sqrt(e_beam * e_beam - M_P * M_P)

    def closed_reason(self, p_beam: float) -> str | None:
        """Why this species is not made at ``p_beam`` (MeV/c), or None."""
        rs = sqrt_s(p_beam)
        if rs <= self.mass + self.m_recoil:
            return (f"below the {self.species} production threshold: √s = {rs / GEV:.2f} GeV at "
                    f"{p_beam / GEV:g} GeV/c < m({self.species}) + M_X = {(self.mass + self.m_recoil) / GEV:.2f} GeV "
                    f"(lightest final state allowed by baryon number, charm and strangeness; the lightest open-charm "
                    f"state N Λc D̄ needs {open_charm_threshold() / GEV:.2f} GeV)")
        if not (CHARM_P_BEAM_RANGE[0] <= p_beam <= CHARM_P_BEAM_RANGE[1]):
            return (f"charm production is modelled for {CHARM_P_BEAM_RANGE[0] / GEV:g}-{CHARM_P_BEAM_RANGE[1] / GEV:g} "
                    f"GeV/c (NA27-normalised LO energy dependence), not at {p_beam / GEV:g} GeV/c")
        return None

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        why = self.closed_reason(float(p_beam))
        if why is not None:
            raise InputError("proton_momentum", p_beam, why)
        return replace(self, p_beam=float(p_beam))

    def on_target(self, target_A: float) -> ProductionModel:
        """The same species on a nucleus of mass number ``target_A`` (σ ∝ A^α)."""
        return replace(self, target_A=float(target_A))

    def sigma_total(self) -> float:
        """σ(pA → H X) = A^α σ_cc̄ f(c → H), mm²."""
        return self.target_A**ALPHA_A * sigma_cc(self.p_beam) * self.fraction

    def _cm(self) -> tuple[float, float, float]:
        """(√s, γ, γβ) of the nucleon-nucleon c.m. frame, GeV."""
        rs = sqrt_s(self.p_beam) / GEV
        e_beam = math.hypot(self.p_beam / GEV, M_P / GEV)
        return rs, (e_beam + M_P / GEV) / rs, (self.p_beam / GEV) / rs

    def estar_max(self) -> float:
        """E*max = (s + m² − M_X²)/(2√s), GeV."""
        rs, _, _ = self._cm()
        m, mx = self.mass / GEV, self.m_recoil / GEV
        return (rs * rs + m * m - mx * mx) / (2.0 * rs)

    def xf_pt(self, p: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x_F = 2p_L*/√s, p_T [GeV/c], E* [GeV]) for p in GeV/c, θ in rad."""
        rs, gamma, gammabeta = self._cm()
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        pl = p * np.cos(theta)
        return 2.0 * (gamma * pl - gammabeta * e) / rs, p * np.sin(theta), gamma * e - gammabeta * pl

    def dsigma_dxf_dpt2(self, x_f: np.ndarray, p_t: np.ndarray) -> np.ndarray:
        """d²σ/dx_F dp_T² in mb/(GeV/c)² (normalised to σ_total over |x_F| < 1, p_T ≥ 0)."""
        x_f, p_t = np.broadcast_arrays(np.asarray(x_f, float), np.asarray(p_t, float))
        sig_mb = self.sigma_total() / hu.millibarn
        shape = 0.5 * (self.n + 1.0) * self.b * np.clip(1.0 - np.abs(x_f), 0.0, None) ** self.n
        return sig_mb * shape * np.exp(-self.b * p_t * p_t)

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        rs, _, _ = self._cm()
        x_f, p_t, e_star = self.xf_pt(p, theta)
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        val = p * p * (e_star / e) * (2.0 / (math.pi * rs)) * self.dsigma_dxf_dpt2(x_f, p_t)
        return np.where((np.abs(x_f) < 1.0) & (e_star <= self.estar_max()), val, 0.0)

    def p_max(self) -> float:
        _, gamma, gammabeta = self._cm()
        emax, m = self.estar_max(), self.mass / GEV
        return (gammabeta * emax + gamma * math.sqrt(max(emax * emax - m * m, 0.0))) * GEV * (1.0 + 1e-12)


def open_charm_threshold() -> float:
    """√s (MeV) of the lightest open-charm final state of p N: N Λc D̄⁰."""
    return M_N + M_LAMBDA_C + M_D0


_REF_SPECIES = "charm meson (beams.charm): " + REF_CHARM
#: species -> model per nucleon at 120 GeV/c. Lightest recoils M_X: D⁺ (cd̄) + D̄⁰NN; D⁻ + Λc N; D_s⁺ (cs̄) + D_s⁻NN;
#: D_s⁻ + Λc K⁺N
CHARM_MODELS: dict[str, CharmProduction] = {
    "D+": CharmProduction("D+", 411, M_D, 120.0 * hu.GeV, _REF_SPECIES, FRAGMENTATION["D+"], M_D0 + 2 * M_N),
    "D-": CharmProduction("D-", -411, M_D, 120.0 * hu.GeV, _REF_SPECIES, FRAGMENTATION["D+"], M_LAMBDA_C + M_N),
    "Ds+": CharmProduction("Ds+", 431, M_DS, 120.0 * hu.GeV, _REF_SPECIES, FRAGMENTATION["Ds+"], M_DS + 2 * M_N),
    "Ds-": CharmProduction("Ds-", -431, M_DS, 120.0 * hu.GeV, _REF_SPECIES, FRAGMENTATION["Ds+"],
                           M_LAMBDA_C + M_K + M_N),
}
CHARM_SPECIES: tuple[str, ...] = tuple(CHARM_MODELS)


def charm_closed_reason(beam: Beam) -> str | None:
    """Why ``beam`` makes no D±/D_s± (None when it does): a stopped source, a production set without charm, or
    the beam momentum (below threshold, or outside the range of the model)."""
    if beam.source != "decay-in-flight":
        return f"beam {beam.name} is a {beam.source} source: no charm production is modelled there"
    pset = production_set(beam)
    missing = [s for s in CHARM_SPECIES if s not in pset.models]
    if missing:
        return f"the production set {pset.name!r} of beam {beam.name} has no model for {', '.join(missing)}"
    for s in CHARM_SPECIES:
        why = CHARM_MODELS[s].closed_reason(beam.proton_momentum)
        if why is not None:
            return f"no charm at beam {beam.name}: {why}"
    return None


def _register() -> None:
    """Add the charm species to every production set: scaled sets get the per-nucleon model (scaled by
    ``on_target``), fixed-material sets the model on their material (whose momentum check then closes them)."""
    for name in PRODUCTION_SETS:
        pset = PRODUCTION_SETS.get(name)
        for sp, model in CHARM_MODELS.items():
            if sp in pset.models:
                continue
            m = model if pset.scale_to_target else model.on_target(_target.TARGET_MATERIALS[pset.materials[0]].A)
            pset.models.add(sp, m, f"{sp}: open charm, {REF_CHARM}")


_register()

__all__ = ["CHARM_MODELS", "CHARM_SPECIES", "FRAGMENTATION", "CharmProduction", "charm_closed_reason", "lo_ratio",
           "open_charm_threshold", "sigma_cc", "sigma_cc_band", "sigma_cc_na27", "sigma_hat_gg", "sigma_lo_gg",
           "sqrt_s"]
