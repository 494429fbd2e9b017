"""BMPT meson production in proton-nucleus collisions at SPS/Main-Injector energies (NuMI, LBNF).

Source: M. Bonesini, A. Marchionni, F. Pietropaolo, T. Tabarelli de Fatis, "On particle production for
high energy neutrino beams", Eur. Phys. J. C 20 (2001) 13, hep-ph/0101163 ("BMPT"). The paper fits the
inclusive invariant cross-sections of π± and K± measured in p-Be collisions at 400-450 GeV/c (NA20/Atherton
et al., NA56/SPY) with one formula in the radial-scaling variable x_R = E*/E*max:

    E d³σ/dp³ = A (1 − x_R)^α (1 + B x_R) x_R^(−β) [1 + a′(x_R) p_T + b′(x_R) p_T²] exp(−a′(x_R) p_T),
    a′(x_R) = a / x_R^γ,   b′(x_R) = a² / (2 x_R^δ)                                   (positive mesons)

    π+/π− = r0 (1 + x_R)^r1,   K+/K− = r0 (1 − x_R)^r1                                 (charge ratios)

in mb/(GeV²/c³) for p_T in GeV/c. Parameters (BMPT fit table; the kaon δ is fixed to 2γ, B to 0; the values
were transcribed from the two public ports named below, which agree on every number — the paper's table itself
could not be read here):

    pions: A = 62.3, B = 1.57, α = 3.45, β = 0.517, a = 6.10, γ = 0.153, δ = 0.478, r0 = 1.05, r1 = 2.65
    kaons: A = 7.74, B = 0,    α = 2.45, β = 0.444, a = 5.04, γ = 0.121, δ = 2γ,    r0 = 1.15, r1 = −3.17

The x_R form makes the formula usable at other beam energies (radial scaling, x_R computed at the √s of
the beam), and the nuclear-target dependence is the BMPT prescription (from Barton et al., PRD 27 (1983)
2580): σ(A) = σ(Be) (A/A_Be)^α(x_F, p_T), α = (0.74 − 0.55 x_F + 0.26 x_F²)(0.98 + 0.21 p_T²).

Choices made here (see docs/meson_production.md, "120 GeV beams"):
* x_R = E*/E*max in the c.m. frame of the proton and a nucleon at rest (√s = 15.06 GeV at 120 GeV/c), with
  E*max = (s + m² − M_X²)/(2√s) and M_X the lightest recoil allowed by baryon number, charge and
  strangeness: p n (π+), p p π+ (π−), Λ p (K+), K+ p p (K−). The independent implementation in BdNMC
  (pgdeniverville/BdNMC src/BMPT_dist.cpp) uses M_X = 1.88 GeV for every species: E*max differs by
  < 1 % at 120 GeV, d²σ by ≤ 1.1 % (p ≤ 60 GeV/c).
* x_F = 2 p_L*/√s (Feynman x) in α(x_F, p_T).
* The two public ports differ in form: BdNMC multiplies its kaon formula by the *pion* A (a bug: its kaon
  A is never used), writes K+/K− = r0 (1 + x_R)^r1, takes A_Be = 8 and (0.98 + 0.21 p_T) in α; the
  msci-project port (pyosccalc/BMPTFlux.py) uses a′ = a x_R^γ and (1 − x_R) in the kaon ratio. We use the
  kaon A, (1 − x_R) (with r1 < 0 the other sign makes K− outnumber K+ at large x_R), A_Be = 9.012,
  p_T² in α and a′ = a/x_R^γ. The last one is the only form for which δ = 2γ makes b′ = a′²/2 (the
  fixed-δ kaon fit) and for which ⟨p_T⟩ grows with x_R (the "seagull" effect): at x_R = 0.1 it gives
  ⟨p_T⟩ = 0.40 GeV/c for pions (0.89 GeV/c with a′ = a x_R^γ). tests/test_beams_120gev.py checks the
  p-Be values against numbers computed with BdNMC's code (2e-6; K± after undoing its A bug and ratio sign).
* K0_L = K0_S = (K+ + 3 K−)/4 (quark counting; BdNMC samples K0 + K̄0 = (K+ + 3K−)/2); π0 = (π+ + π−)/2.

Not included: the BMPT thick-target (re-interaction) corrections; the yields are primary interactions
only, normalised with :mod:`darkbeam.beams.target` (P_int × σ/σ_inel), as for the BNB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import hepunits as hu
import numpy as np

from ..constants import M_ETA, M_K, M_K0, M_N, M_P, M_PI, M_PI0
from ..errors import InputError
from ..registry import Registry
from .production import GEV, PRODUCTION_SETS, IsospinAverage, ProductionModel, ProductionSet

# Beam momenta for which the BMPT formula is offered. It was fitted at 400-450 GeV/c and is used here at
# 120 GeV/c (NuMI, LBNF) through x_R scaling; LBNF may run at 60-120 GeV/c. Outside: InputError.
BMPT_P_BEAM_RANGE = (60.0 * hu.GeV, 450.0 * hu.GeV)
P_BEAM_MI = 120.0 * hu.GeV  # Main Injector (NuMI, LBNF)
M_LAMBDA = 1115.683 * hu.MeV  # PDG 2022
A_BERYLLIUM = 9.0121831  # g/mol (PDG), the BMPT reference nucleus

REF_BMPT = ("Bonesini, Marchionni, Pietropaolo, Tabarelli de Fatis, EPJ C 20 (2001) 13, hep-ph/0101163 "
            "(BMPT)")


@dataclass(frozen=True)
class BMPTParameters:
    """One column of the BMPT fit table (invariant cross-section in mb/(GeV²/c³), p_T in GeV/c)."""

    A: float
    B: float
    alpha: float
    beta: float
    a: float
    gamma: float
    delta: float
    r0: float
    r1: float
    ratio_sign: int  # +1: positive/negative = r0 (1 + x_R)^r1 (pions); −1: r0 (1 − x_R)^r1 (kaons)


BMPT_PIONS = BMPTParameters(62.3, 1.57, 3.45, 0.517, 6.10, 0.153, 0.478, 1.05, 2.65, +1)
BMPT_KAONS = BMPTParameters(7.74, 0.0, 2.45, 0.444, 5.04, 0.121, 2 * 0.121, 1.15, -3.17, -1)


def nuclear_alpha(x_f: np.ndarray, p_t: np.ndarray) -> np.ndarray:
    """BMPT/Barton exponent α(x_F, p_T) = (0.74 − 0.55 x_F + 0.26 x_F²)(0.98 + 0.21 p_T²), p_T in GeV/c."""
    return (0.74 - 0.55 * x_f + 0.26 * x_f * x_f) * (0.98 + 0.21 * p_t * p_t)


@dataclass(frozen=True)
class BMPT(ProductionModel):
    """BMPT d²σ/dp dΩ = (p²/E) E d³σ/dp³ for one charged meson species on a nucleus of mass number ``target_A``.

    Attributes:
        params: the pion or kaon parameter set.
        charge: +1 (formula as fitted) or −1 (divided by the charge ratio).
        m_recoil: lightest recoil system M_X defining E*max, MeV.
        target_A: mass number of the target nucleus (molar mass, g/mol); the Be formula is scaled by
            (target_A / A_Be)^α(x_F, p_T).
    """

    params: BMPTParameters = BMPT_PIONS
    charge: int = 1
    m_recoil: float = M_P + M_N
    target_A: float = A_BERYLLIUM

    # --- kinematics (GeV) -------------------------------------------------------------------
    def _cm(self) -> tuple[float, float, float]:
        """(√s, γ, γβ) of the proton + nucleon-at-rest c.m. frame, GeV."""
        mp = M_P / GEV
        pb = self.p_beam / GEV
        e_beam = math.hypot(pb, mp)
        rs = math.sqrt(2.0 * mp * mp + 2.0 * mp * e_beam)
        return rs, (e_beam + mp) / rs, pb / rs

    def estar_max(self) -> float:
        """E*max = (s + m² − M_X²)/(2√s), GeV."""
        rs, _, _ = self._cm()
        m, mx = self.mass / GEV, self.m_recoil / GEV
        return (rs * rs + m * m - mx * mx) / (2.0 * rs)

    def xr_xf_pt(self, p: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x_R = E*/E*max, x_F = 2 p_L*/√s, p_T [GeV/c]) for p in GeV/c and θ in rad."""
        rs, gamma, gammabeta = self._cm()
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        pl, pt = p * np.cos(theta), p * np.sin(theta)
        e_star = gamma * e - gammabeta * pl
        pl_star = gamma * pl - gammabeta * e
        return e_star / self.estar_max(), 2.0 * pl_star / rs, pt

    def invariant_be(self, x_r: np.ndarray, p_t: np.ndarray) -> np.ndarray:
        """E d³σ/dp³ on Be (mb/(GeV²/c³)) for this species at (x_R, p_T [GeV/c]); 0 for x_R ≥ 1."""
        c = self.params
        x_r, p_t = np.broadcast_arrays(np.asarray(x_r, float), np.asarray(p_t, float))
        out = np.zeros(x_r.shape)
        ok = x_r < 1.0
        x, pt = np.clip(x_r[ok], 1e-12, None), p_t[ok]
        ap = c.a / x**c.gamma
        bp = c.a * c.a / (2.0 * x**c.delta)
        val = (c.A * (1.0 - x) ** c.alpha * (1.0 + c.B * x) * x ** (-c.beta)
               * (1.0 + ap * pt + bp * pt * pt) * np.exp(-ap * pt))
        if self.charge < 0:
            # kaons: K+/K− = r0 (1 − x_R)^r1 with r1 < 0, i.e. K− = K+ (1 − x_R)^|r1| / r0 (finite at x_R → 1)
            val = val / c.r0 * (1.0 + c.ratio_sign * x) ** (-c.r1)
        out[ok] = val
        return out

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        x_r, x_f, p_t = self.xr_xf_pt(p, theta)
        out = np.zeros(np.shape(x_r))
        ok = x_r < 1.0  # kinematically allowed (elsewhere: 0)
        inv = self.invariant_be(x_r[ok], p_t[ok])
        if self.target_A != A_BERYLLIUM:
            inv = inv * (self.target_A / A_BERYLLIUM) ** nuclear_alpha(x_f[ok], p_t[ok])
        m = self.mass / GEV
        out[ok] = inv * p[ok] ** 2 / np.sqrt(p[ok] ** 2 + m * m)
        return out

    def p_max(self) -> float:
        # forward emission at E*max
        _, gamma, gammabeta = self._cm()
        emax, m = self.estar_max(), self.mass / GEV
        return (gammabeta * emax + gamma * math.sqrt(emax * emax - m * m)) * GEV * (1.0 + 1e-12)

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        if not (BMPT_P_BEAM_RANGE[0] <= p_beam <= BMPT_P_BEAM_RANGE[1]):
            raise InputError(
                "proton_momentum", p_beam,
                f"{BMPT_P_BEAM_RANGE[0] / GEV:g}-{BMPT_P_BEAM_RANGE[1] / GEV:g} GeV/c (range offered for the "
                "BMPT parametrisation)",
            )
        return replace(self, p_beam=float(p_beam))

    def on_target(self, target_A: float) -> ProductionModel:
        """The same species on a nucleus of mass number ``target_A`` (g/mol)."""
        return replace(self, target_A=float(target_A))


@dataclass(frozen=True)
class Combination(ProductionModel):
    """Σ_i c_i × model_i at the same (p, θ), e.g. K0_L = (K+ + 3 K−)/4 (each part keeps its own mass
    and kinematic limit)."""

    parts: tuple[ProductionModel, ...] = ()
    coefficients: tuple[float, ...] = ()

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        tot = np.zeros(np.shape(p))
        for c, m in zip(self.coefficients, self.parts):
            ok = p * GEV < m.p_max()
            tot += c * np.where(ok, np.clip(np.nan_to_num(m._xs_gev(p, theta)), 0.0, None), 0.0)
        return tot

    def p_max(self) -> float:
        return max(m.p_max() for m in self.parts)

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        new = replace(self, p_beam=float(p_beam))
        return replace(new, parts=tuple(m.at_beam_momentum(p_beam) for m in self.parts))

    def on_target(self, target_A: float) -> ProductionModel:
        return replace(self, parts=tuple(m.on_target(target_A) for m in self.parts))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class IsospinAverageA(IsospinAverage):
    """π0 = (π+ + π−)/2 for BMPT parts (adds the nuclear-target hook and the BMPT momentum range)."""

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        new = replace(self, p_beam=float(p_beam))
        return replace(new, parts=tuple(m.at_beam_momentum(p_beam) for m in self.parts))

    def on_target(self, target_A: float) -> ProductionModel:
        return replace(self, parts=tuple(m.on_target(target_A) for m in self.parts))  # type: ignore[attr-defined]


_PIP = BMPT("pi+", 211, M_PI, P_BEAM_MI, REF_BMPT + ", pion fit", BMPT_PIONS, +1, M_P + M_N)
_PIM = BMPT("pi-", -211, M_PI, P_BEAM_MI, REF_BMPT + ", pion fit / π+/π− ratio", BMPT_PIONS, -1, 2 * M_P + M_PI)
_KP = BMPT("K+", 321, M_K, P_BEAM_MI, REF_BMPT + ", kaon fit", BMPT_KAONS, +1, M_LAMBDA + M_P)
_KM = BMPT("K-", -321, M_K, P_BEAM_MI, REF_BMPT + ", kaon fit / K+/K− ratio", BMPT_KAONS, -1, 2 * M_P + M_K)
_K0L = Combination("K0L", 130, M_K0, P_BEAM_MI, REF_BMPT + "; K0_L = (K+ + 3 K−)/4 (quark counting)",
                   parts=(_KP, _KM), coefficients=(0.25, 0.75))
_PI0 = IsospinAverageA("pi0", 111, M_PI0, P_BEAM_MI, REF_BMPT + "; π0 = (π+ + π−)/2 (isospin)", parts=(_PIP, _PIM))
# η: no BMPT fit exists. As for the BNB (η with the Sanford-Wang K0 parameters, the BdNMC convention), the η takes
# the neutral-kaon spectrum, K0_L = (K+ + 3 K−)/4, in (p, θ): the η and K0 masses differ by 10 %, and m_T scaling
# makes the spectra of similar-mass mesons alike. Check (tests/test_beams_120gev.py): the integrated η/π0 is
# 0.05-0.2, around the low-p_T ratio ≈ 0.1 measured from √s = 27.5 GeV (NA27) to 8 TeV (ALICE, EPJC 78 (2018)
# 263, which finds the η/π0 ratio universal over that range). An order-of-magnitude model (factor ~2).
_ETA = Combination("eta", 221, M_ETA, P_BEAM_MI, REF_BMPT + "; η = the K0_L spectrum (K+ + 3 K−)/4 (BdNMC "
                   "convention for the BNB, here at 120 GeV; order of magnitude)", parts=(_KP, _KM),
                   coefficients=(0.25, 0.75))

#: species -> BMPT model on Be at 120 GeV/c (use ``.on_target(A).at_beam_momentum(p)``).
BMPT_MODELS: dict[str, ProductionModel] = {
    "pi+": _PIP, "pi-": _PIM, "K+": _KP, "K-": _KM, "K0L": _K0L, "pi0": _PI0, "eta": _ETA,
}

BMPT_SPECIES: tuple[str, ...] = ("pi+", "pi-", "K+", "K-", "K0L", "pi0", "eta")
BMPT_REGISTRY: Registry[ProductionModel] = Registry("meson species")
for _name in BMPT_SPECIES:
    BMPT_REGISTRY.add(_name, BMPT_MODELS[_name], BMPT_MODELS[_name].reference)

PRODUCTION_SETS.add(
    "bmpt",
    ProductionSet("bmpt", BMPT_REGISTRY, BMPT_SPECIES, ("C",), True, REF_BMPT),
    "p-C at 60-450 GeV/c (NuMI, LBNF): BMPT p-Be π±/K± fits scaled to carbon",
)
