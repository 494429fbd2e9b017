"""Spin-summed |M|² for P⁺(p) → ℓ⁺(p_ℓ) ν(p_ν) X(k), P = π, K; X = scalar, pseudoscalar, vector.

Conventions (derivation in docs/three_body.md):

* SM amplitude (e.g. PDG 2022 review "Leptonic decays of charged pseudoscalar mesons"):
  M₀ = C ū_ν p̸ (1−γ⁵) v_ℓ,  C = G_F V_qq' f_P / √2,  f_π ≈ 130 MeV normalisation, which gives
  Γ(P→ℓν) = G_F² V² f_P² m_ℓ² M (1 − m_ℓ²/M²)² / (8π).
* X emitted from the charged (anti)lepton: the internal lepton propagator carries −(p_ℓ+k), so the lepton
  line is ū_ν p̸(1−γ⁵) S(−p_ℓ−k) Γ_X v_ℓ with numerator (−q̸ + m_ℓ), q = p_ℓ + k, D = q² − m_ℓ².
  - scalar (L ⊃ g φ ℓ̄ℓ):        M = C g ū(1+γ⁵)[α + β k̸]v, α = −(q²+m²)/D, β = m/D
  - pseudoscalar (i g a ℓ̄γ⁵ℓ):  M = C g ū(1+γ⁵)[α + β k̸]v, α = 1,           β = m/D
  (overall phases dropped). For M = ū(1+γ⁵)(α+βk̸)v with real α, β the trace gives
  Σ|M|² = 8[α² ν·ℓ − 2mαβ ν·k + β²(2(k·ℓ)(k·ν) − m_X² ν·ℓ)].
  Seed 000 (Appendix A) notes the pseudoscalar's destructive "−m_ℓ m_P" interference: here it is the
  relative sign between α and β.
* Vector X (coupling e' = eε to the electromagnetic current, i.e. to ℓ⁺ AND to P⁺):
  emission from the lepton, from the meson (scalar-QED vertex (2p−k)^μ, propagator N = (p−k)² − M²)
  and the contact term from the covariant derivative of the meson (seed 003, "Radiative Meson Decays":
  ∂_μπ → ∂_μπ − ieA_μπ). The Ward identity k_μM^μ = 0 fixes the relative signs (lepton +, meson −,
  contact +); the sum simplifies to the helicity-suppressed inner bremsstrahlung
      M^μ_IB = C e' m_ℓ ū(1+γ⁵)[(2p_ℓ^μ + k̸γ^μ)/D + (2p−k)^μ/N] v,
  which for m_V → 0 is the classic IB amplitude (Bryman, Depommier, Leroy, Phys. Rept. 88 (1982) 151;
  Bijnens, Ecker, Gasser, Nucl. Phys. B396 (1993) 81).
  "lepton" option: lepton emission only, M^μ = C e' ū(1+γ⁵)[−γ^μ + m(2p_ℓ^μ + k̸γ^μ)/D]v, summed with
  −g + kk/m_V² (not gauge invariant; its longitudinal part grows like 1/m_V²).
  "gauge-invariant+sd": adds the structure-dependent term (same references)
      M^μ_SD = (C e'/(f_P M)) ū γ_ν(1−γ⁵) v [F_A((p·k)g^{μν} − p^μk^ν) − i F_V ε^{μναβ}k_α p_β],
  separately gauge invariant for any m_V; F_V, F_A constant (their q² dependence is neglected).
* Vector X with general charges (:func:`me2_vector_charges`, :func:`vector_charge_operators`):
      L ⊃ −g V_μ[q_ℓ ℓ̄γ^μℓ + q_ν ν̄γ^μP_Lν] + |D_μφ|² − M²|φ|² + c (D_μφ) ν̄γ^μ(1−γ⁵)ℓ + h.c.,
  D_μ = ∂_μ + i g q_P V_μ on the field φ that annihilates P⁺ (scalar-QED vertex ∝ q_P(2p−k)^μ and the
  contact term ∝ q_P, as above). (q_ℓ, q_ν, q_P) are the charges of the FIELDS ℓ (ℓ⁻), ν and of P⁺;
  the emitted ℓ⁺ carries −q_ℓ. Four diagrams, M^μ = C g ū_ν O^μ v_ℓ, signs as in the EM case:
      ℓ⁺: −q_ℓ p̸(1−γ⁵)(−q̸+m)γ^μ/D;   P⁺: −q_P(2p−k)^μ(p̸−k̸)(1−γ⁵)/N;   contact: +q_P γ^μ(1−γ⁵);
      ν (new; massless propagator i(p̸_ν+k̸)/D_ν, D_ν = (p_ν+k)² = 2p_ν·k + m_V²):
          −q_ν γ^μP_L(p̸_ν+k̸)p̸(1−γ⁵)/D_ν = −q_ν γ^μ(p̸_ν+k̸)p̸(1−γ⁵)/D_ν  (P_L redundant next to V−A).
  With ū_ν p̸_ν = 0 and p̸_ℓ v = −m v the sum reduces to
      M^μ = C g ū(1+γ⁵){Δγ^μ + m[−q_ℓ(2p_ℓ^μ + k̸γ^μ)/D + q_P(2p−k)^μ/N + q_ν(2p_ν^μ + γ^μk̸)/D_ν]}v,
      Δ = q_ℓ + q_P − q_ν,      k_μM^μ = C g Δ ū(1+γ⁵)(k̸ − m)v.
  The Ward identity holds iff Δ = 0, i.e. the charge is conserved, Q(P⁺) = Q(ℓ⁺) + Q(ν) = −q_ℓ + q_ν
  (the weak vertex is then U(1) invariant); the amplitude is then helicity suppressed (∝ m_ℓ) and the
  k k/m_V² term of the polarisation sum −g + kk/m_V² drops out. For Δ ≠ 0 the unsuppressed Δγ^μ term
  appears and the longitudinal mode adds (Δ²/m_V²)Σ|ū(1+γ⁵)(k̸ − m)v|², the (E/m_V)² enhancement of
  vectors coupled to non-conserved currents (Dror, Lasenby, Pospelov, Phys. Rev. D 96 (2017) 075036).
  Relative signs fixed by the Ward identity exactly as for the EM IB (Bryman et al. 1982; Bijnens et al.
  1993 above); the ν-emission term is checked with explicit spinors and with Low's soft limit (tests).
  Charges (:data:`VECTOR_CHARGES`; |M|² is even under flipping all three):
      EM / dark photon (g = eε):  (−1, 0, +1)  → exactly the "gauge-invariant" operators (Δ = 0);
                                  "lepton" is (−1, 0, 0) (Δ = −1).
      B−L (g = g_{B−L}):          (−1, −1, 0): ℓ and ν fields B−L = −1, π⁺ = ud̄ and K⁺ = us̄ B−L = 0;
                                  Δ = −1 + 0 + 1 = 0, conserved. ℓ⁺ (+1) and ν (−1) radiate:
      M^μ_{B−L} = C g m ū(1+γ⁵)[(2p_ℓ^μ + k̸γ^μ)/D − (2p_ν^μ + γ^μk̸)/D_ν]v.
  Structure-dependent terms are only available for charges ∝ EM (q_P × the EM F_V, F_A); for B−L
  (baryon-number coupling of the quarks) they are not implemented.

All |M|² below are per unit coupling² (g = 1 or e' = 1), in MeV⁰ (dimensionless, since C has MeV⁻¹ and
the spinor bilinears MeV).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np

from .. import constants as c
from ..errors import InputError
from ..registry import Registry


@dataclass(frozen=True)
class MesonSpec:
    """A charged pseudoscalar meson: mass (MeV), decay constant f (MeV, f_π≈130 MeV normalisation),
    CKM element, proper decay length cτ (mm), PDG id of the positive state and SD form factors."""

    name: str
    mass: float
    f: float
    ckm: float
    ctau: float
    pdg: int
    f_v: float
    f_a: float

    @property
    def total_width(self) -> float:
        """Total width Γ = ħc/(cτ), MeV (PDG lifetime via ``particle``)."""
        return c.HBARC / self.ctau

    @property
    def coupling(self) -> float:
        """C = G_F V f / √2, MeV⁻¹."""
        return c.G_F * self.ckm * self.f / math.sqrt(2.0)


@dataclass(frozen=True)
class LeptonSpec:
    name: str
    mass: float
    pdg: int  # PDG id of the negative lepton
    nu_pdg: int


# Structure-dependent form factors:
#  pion: F_V = 0.0254 (CVC from π⁰→γγ), F_A = 0.0119 (PIBETA, Bychkov et al., PRL 103 (2009) 051802;
#        PDG 2022 "π± → ℓ± ν γ form factors");
#  kaon: O(p⁴) ChPT, Bijnens, Ecker, Gasser, Nucl. Phys. B396 (1993) 81: F_V = 0.096, F_A = 0.042
#        (F_V + F_A = 0.138 vs PDG 2022 K± → e ν γ: F_V + F_A = 0.133 ± 0.008).
MESONS: Registry[MesonSpec] = Registry("parent meson")
MESONS.add("pi", MesonSpec("pi", c.M_PI, c.F_PI, c.V_UD, c.CTAU_PI, 211, 0.0254, 0.0119), "charged pion")
MESONS.add("K", MesonSpec("K", c.M_K, c.F_K, c.V_US, c.CTAU_K, 321, 0.096, 0.042), "charged kaon")
# charm mesons: parents of the two-body P → ℓN channel only (darkbeam.production.two_body; made by
# darkbeam.beams.charm at 120 GeV). Their structure-dependent form factors are not used (no P → ℓνX): 0.
MESONS.add("D", MesonSpec("D", c.M_D, c.F_D, c.V_CD, c.CTAU_D, 411, 0.0, 0.0), "charged D meson (c d-bar)")
MESONS.add("Ds", MesonSpec("Ds", c.M_DS, c.F_DS, c.V_CS, c.CTAU_DS, 431, 0.0, 0.0), "D_s meson (c s-bar)")

LEPTONS: Registry[LeptonSpec] = Registry("lepton")
LEPTONS.add("e", LeptonSpec("e", c.M_E, 11, 12), "electron")
LEPTONS.add("mu", LeptonSpec("mu", c.M_MU, 13, 14), "muon")


@dataclass
class Invariants:
    """Lorentz invariants of one or many decay configurations (arrays, MeV²).

    q2 = (p_ℓ+k)², s = (p_ℓ+p_ν)²; the dot products follow from them and the masses.
    """

    M: float
    m: float
    mx: float
    q2: np.ndarray
    s: np.ndarray

    @property
    def lk(self) -> np.ndarray:  # p_ℓ·k
        return 0.5 * (self.q2 - self.m**2 - self.mx**2)

    @property
    def ln(self) -> np.ndarray:  # p_ℓ·p_ν
        return 0.5 * (self.s - self.m**2)

    @property
    def nk(self) -> np.ndarray:  # p_ν·k  with (p_ν+k)² = M² + m² + m_X² − q² − s
        return 0.5 * (self.M**2 + self.m**2 - self.q2 - self.s)

    @property
    def D(self) -> np.ndarray:  # lepton propagator denominator (p_ℓ+k)² − m²
        return self.q2 - self.m**2

    @property
    def N(self) -> np.ndarray:  # meson propagator denominator (p−k)² − M² = s − M²  (< 0)
        return self.s - self.M**2

    @property
    def Dnu(self) -> np.ndarray:  # neutrino propagator denominator (p_ν+k)² = 2p_ν·k + m_X²  (> 0)
        return self.M**2 + self.m**2 + self.mx**2 - self.q2 - self.s


# ------------------------------------------------------------------------------------------------
# analytic spin sums
# ------------------------------------------------------------------------------------------------
def _yukawa_sum(inv: Invariants, alpha: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Σ_spins |ū_ν(1+γ⁵)(α + βk̸)v_ℓ|² = 8[α² ν·ℓ − 2mαβ ν·k + β²(2(k·ℓ)(k·ν) − m_X² ν·ℓ)]."""
    ln, nk, lk = inv.ln, inv.nk, inv.lk
    return 8.0 * (alpha**2 * ln - 2.0 * inv.m * alpha * beta * nk + beta**2 * (2.0 * lk * nk - inv.mx**2 * ln))


def me2_scalar(meson: MesonSpec, inv: Invariants) -> np.ndarray:
    """Σ|M|² for P→ℓνφ, scalar coupling g φ ℓ̄ℓ, per g² (derivation in the module docstring)."""
    D = inv.D
    alpha = -(inv.q2 + inv.m**2) / D
    beta = inv.m / D
    return meson.coupling**2 * _yukawa_sum(inv, alpha, beta)


def me2_pseudoscalar(meson: MesonSpec, inv: Invariants) -> np.ndarray:
    """Σ|M|² for P→ℓνa, coupling i g a ℓ̄γ⁵ℓ, per g²."""
    alpha = np.ones_like(inv.q2)
    beta = inv.m / inv.D
    return meson.coupling**2 * _yukawa_sum(inv, alpha, beta)


def me2_vector_ib(meson: MesonSpec, inv: Invariants) -> np.ndarray:
    """Σ|M|² (spins and the 3 polarisations) of the gauge-invariant IB amplitude, per e'².

    M^μ = C m ū(1+γ⁵)[a^μ + k̸γ^μ/D]v with a = 2p_ℓ/D + (2p−k)/N; with −g_{μρ} (k·M = 0):
    Σ = −2C²m² {4a²(ν·ℓ) + (8/D)[(ν·ℓ)(a·k) − (ν·a)(ℓ·k) + (ν·k)(ℓ·a)] − (8/D²)[2(ν·k)(ℓ·k) − m_X²(ν·ℓ)]}.
    """
    m, mx, M = inv.m, inv.mx, inv.M
    D, N = inv.D, inv.N
    lk, ln, nk = inv.lk, inv.ln, inv.nk
    two_p_minus_k_sq = 2.0 * M**2 + 2.0 * inv.s - mx**2  # (2p−k)², p·k = (M² + m_X² − s)/2
    a_k = 2.0 * lk / D + (2.0 * lk + 2.0 * nk + mx**2) / N
    a_l = 2.0 * m**2 / D + (2.0 * m**2 + 2.0 * ln + lk) / N
    a_n = 2.0 * ln / D + (2.0 * ln + nk) / N
    a_a = 4.0 * m**2 / D**2 + 4.0 * (2.0 * m**2 + 2.0 * ln + lk) / (D * N) + two_p_minus_k_sq / N**2
    tr = 4.0 * a_a * ln + (8.0 / D) * (ln * a_k - a_n * lk + nk * a_l) - (8.0 / D**2) * (2.0 * nk * lk - mx**2 * ln)
    return -2.0 * meson.coupling**2 * m**2 * tr


# ------------------------------------------------------------------------------------------------
# semi-analytic route: vectorised Dirac traces  Σ = P_{μρ} Tr[p̸_ν O^μ (p̸_ℓ − m) Ō^ρ]
# ------------------------------------------------------------------------------------------------
METRIC = np.diag([1.0, -1.0, -1.0, -1.0])
_I2 = np.eye(2)
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex), np.array([[1, 0], [0, -1]], complex)]
GAMMA = np.zeros((4, 4, 4), complex)  # Dirac representation, γ^μ with upper index
GAMMA[0] = np.block([[_I2, 0 * _I2], [0 * _I2, -_I2]])
for _i in range(3):
    GAMMA[_i + 1] = np.block([[0 * _I2, _SIG[_i]], [-_SIG[_i], 0 * _I2]])
GAMMA5 = 1j * GAMMA[0] @ GAMMA[1] @ GAMMA[2] @ GAMMA[3]
ONE4 = np.eye(4, dtype=complex)


def levi_civita() -> np.ndarray:
    """ε^{μναβ} with ε^{0123} = −1 (Bjorken–Drell/Peskin sign: then Tr[γ⁵a̸b̸c̸d̸] = −4iε^{μνρσ}a_μb_νc_ρd_σ)."""
    eps = np.zeros((4, 4, 4, 4))
    for perm in itertools.permutations(range(4)):
        sign = 1
        p = list(perm)
        for i in range(4):
            for j in range(i + 1, 4):
                if p[i] > p[j]:
                    sign = -sign
        eps[perm] = -sign
    return eps


EPS = levi_civita()


def slash(p: np.ndarray) -> np.ndarray:
    """p̸ = γ^μ p_μ for p (N,4) contravariant → (N,4,4)."""
    return np.einsum("nm,mij->nij", p * np.diag(METRIC), GAMMA)


def _bar(o: np.ndarray) -> np.ndarray:
    """Dirac adjoint γ⁰ O† γ⁰ of (..., 4, 4) matrices."""
    return GAMMA[0] @ np.conj(np.swapaxes(o, -1, -2)) @ GAMMA[0]


def vector_operators(meson: MesonSpec, lepton_mass: float, pl: np.ndarray, pn: np.ndarray, k: np.ndarray,
                     lepton: bool = True, meson_and_contact: bool = True, sd: bool = False,
                     f_v: float | None = None, f_a: float | None = None) -> np.ndarray:
    """The 4×4 Dirac operators O^μ (shape (N,4,4,4), μ upper) with M^μ = C e' ū_ν O^μ v_ℓ.

    Pieces (module docstring): lepton emission p̸(1−γ⁵)(−q̸+m)γ^μ/D; meson emission
    −(2p−k)^μ(p̸−k̸)(1−γ⁵)/N; contact γ^μ(1−γ⁵); structure-dependent γ_ν(1−γ⁵)H^{μν}/(f_P M).
    """
    m = lepton_mass
    M = meson.mass
    p = pl + pn + k
    q = pl + k
    n = len(pl)
    PL = ONE4 - GAMMA5  # (1−γ⁵)
    D = (q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1)) - m * m
    out = np.zeros((n, 4, 4, 4), complex)
    if lepton:
        left = slash(p) @ PL @ (-slash(q) + m * ONE4)  # (N,4,4)
        out += np.einsum("nij,mjk->nmik", left, GAMMA) / D[:, None, None, None]
    if meson_and_contact:
        pk = p - k
        Nden = (pk[:, 0] ** 2 - np.sum(pk[:, 1:] ** 2, axis=1)) - M * M
        mes = slash(pk) @ PL  # (N,4,4)
        out -= np.einsum("nm,nij->nmij", (2 * p - k) / Nden[:, None], mes)
        out += np.einsum("mij,jk->mik", GAMMA, PL)[None]
    if sd:
        fv = meson.f_v if f_v is None else f_v
        fa = meson.f_a if f_a is None else f_a
        ginv = METRIC  # g^{μν} numerically equal to g_{μν}
        pdk = p[:, 0] * k[:, 0] - np.sum(p[:, 1:] * k[:, 1:], axis=1)
        kl = k * np.diag(METRIC)
        plow = p * np.diag(METRIC)
        H = fa * (pdk[:, None, None] * ginv[None] - np.einsum("nm,nv->nmv", p, k))
        H = H - 1j * fv * np.einsum("mvab,na,nb->nmv", EPS, kl, plow)
        gam_low = np.einsum("vw,wij->vij", METRIC, GAMMA)  # γ_ν
        out += np.einsum("nmv,vij,jk->nmik", H, gam_low, PL) / (meson.f * M)
    return out


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product a·b of (N,4) contravariant vectors."""
    return a[:, 0] * b[:, 0] - np.sum(a[:, 1:] * b[:, 1:], axis=1)


def vector_charge_violation(q_lepton: float, q_nu: float, q_meson: float) -> float:
    """Δ = q_ℓ + q_P − q_ν = Q(P⁺) − [Q(ℓ⁺) + Q(ν)] for field charges (q_ℓ, q_ν, q_P); 0 ⇔ conserved."""
    return float(q_lepton) + float(q_meson) - float(q_nu)


def _check_charges(q_lepton: float, q_nu: float, q_meson: float, sd: bool) -> tuple[float, float, float]:
    q = tuple(float(x) for x in (q_lepton, q_nu, q_meson))
    if not all(math.isfinite(x) for x in q):
        raise InputError("vector charges (q_lepton, q_nu, q_meson)", q, "finite numbers")
    scale = max(abs(x) for x in q)
    if sd and (abs(q[1]) > 1e-12 * scale or abs(q[0] + q[2]) > 1e-12 * scale):
        raise InputError("vector charges with sd=True", q,
                         "charges proportional to the electric ones (q_nu = 0, q_lepton = −q_meson): "
                         "the SD form factors are those of the electromagnetic current")
    return q  # type: ignore[return-value]


def vector_charge_operators(meson: MesonSpec, lepton_mass: float, pl: np.ndarray, pn: np.ndarray,
                            k: np.ndarray, q_lepton: float, q_nu: float, q_meson: float, sd: bool = False,
                            f_v: float | None = None, f_a: float | None = None) -> np.ndarray:
    """O^μ (N,4,4,4) with M^μ = C g ū_ν O^μ v_ℓ for a vector coupled to the FIELD charges (q_ℓ, q_ν, q_P).

    The four diagrams (ℓ⁺, ν, P⁺ emission and the contact term; module docstring) reduced on shell:
        O^μ = (1+γ⁵){Δγ^μ + m[−q_ℓ(2p_ℓ^μ + k̸γ^μ)/D + q_P(2p−k)^μ/N + q_ν(2p_ν^μ + γ^μk̸)/D_ν]},
    Δ = q_ℓ + q_P − q_ν, with D = 2p_ℓ·k + k², D_ν = 2p_ν·k + k², N = k² − 2p·k. Between on-shell spinors
    it equals the unreduced Feynman-rule operators (checked with explicit spinors in the tests); as a
    matrix it obeys k_μO^μ = Δ(1+γ⁵)(k̸ − m), so the Ward identity holds without cancellations between
    O(1) pieces. For (q_ℓ, q_ν, q_P) = (−1, 0, 1) it is :func:`vector_operators`' "gauge-invariant" set.
    ``sd``: adds q_P × the structure-dependent operator of :func:`vector_operators` (EM form factors;
    only for charges proportional to the electric ones).
    """
    q_lepton, q_nu, q_meson = _check_charges(q_lepton, q_nu, q_meson, sd)
    m = lepton_mass
    n = len(pl)
    p = pl + pn + k
    k2 = _dot(k, k)
    D = 2.0 * _dot(pl, k) + k2
    Dn = 2.0 * _dot(pn, k) + k2
    N = k2 - 2.0 * _dot(p, k)
    delta = vector_charge_violation(q_lepton, q_nu, q_meson)
    inner = np.zeros((n, 4, 4, 4), complex)
    if delta != 0.0:
        inner += delta * GAMMA[None]
    cvec = m * (-q_lepton * 2.0 * pl / D[:, None] + q_meson * (2.0 * p - k) / N[:, None]
                + q_nu * 2.0 * pn / Dn[:, None])
    inner += np.einsum("nm,ij->nmij", cvec, ONE4)
    ks = slash(k)
    if q_lepton != 0.0:
        inner += (-q_lepton * m / D)[:, None, None, None] * np.einsum("nij,mjk->nmik", ks, GAMMA)
    if q_nu != 0.0:
        inner += (q_nu * m / Dn)[:, None, None, None] * np.einsum("mij,njk->nmik", GAMMA, ks)
    out = np.einsum("ij,nmjk->nmik", ONE4 + GAMMA5, inner)
    if sd and q_meson != 0.0:
        out += q_meson * vector_operators(meson, m, pl, pn, k, lepton=False, meson_and_contact=False, sd=True,
                                          f_v=f_v, f_a=f_a)
    return out


def trace_sum(pl: np.ndarray, pn: np.ndarray, k: np.ndarray, lepton_mass: float, ops: np.ndarray,
              mx: float, kk: bool = True) -> np.ndarray:
    """Σ_{spins,pol} |ε*_μ ū_ν O^μ v_ℓ|² = P_{μρ} Tr[p̸_ν O^μ (p̸_ℓ − m) Ō^ρ], P = −g + kk/m_X².

    ``kk=False`` drops the k_μk_ρ/m_X² term (P = −g): identical in exact arithmetic when k_μO^μ = 0
    between on-shell spinors (conserved charges), a diagnostic otherwise.
    """
    A = slash(pn)  # (N,4,4)
    B = slash(pl) - lepton_mass * ONE4
    W = np.einsum("nij,nmjk->nmik", A, ops)  # p̸_ν O^μ
    Z = np.einsum("nij,nrjk->nrik", B, _bar(ops))  # (p̸_ℓ − m) Ō^ρ
    T = np.einsum("nmij,nrji->nmr", W, Z)  # Tr
    if not kk:
        return np.real(np.einsum("mr,nmr->n", -METRIC, T))
    klow = k * np.diag(METRIC)
    P = -METRIC[None] + np.einsum("nm,nr->nmr", klow, klow) / (mx * mx)
    return np.real(np.einsum("nmr,nmr->n", P, T))


def momenta_from_invariants(inv: Invariants) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rest-frame four-momenta (p_ℓ, p_ν, k), each (N,4): ν along +z, X in the x–z plane."""
    M, m, mx = inv.M, inv.m, inv.mx
    q2 = np.atleast_1d(inv.q2).astype(float)
    s = np.atleast_1d(inv.s).astype(float)
    en = (M * M - q2) / (2 * M)
    ex = (M * M + mx * mx - s) / (2 * M)
    el = M - en - ex
    px = np.sqrt(np.clip(ex * ex - mx * mx, 0, None))
    pl2 = np.clip(el * el - m * m, 0, None)
    cos = np.clip((pl2 - en * en - px * px) / np.where(en * px > 0, 2 * en * px, 1.0), -1, 1)
    sin = np.sqrt(1 - cos * cos)
    n = len(q2)
    pn = np.zeros((n, 4))
    pn[:, 0] = en
    pn[:, 3] = en
    k = np.zeros((n, 4))
    k[:, 0] = ex
    k[:, 1] = px * sin
    k[:, 3] = px * cos
    pl = np.zeros((n, 4))
    pl[:, 0] = el
    pl[:, 1:] = -(pn[:, 1:] + k[:, 1:])
    return pl, pn, k


def _me2_trace_route(meson: MesonSpec, inv: Invariants, operators: Mapping, chunk: int = 20000) -> np.ndarray:
    """Σ|M|² per e'² from :func:`vector_operators` (keyword arguments ``operators``) and :func:`trace_sum`."""
    pl, pn, k = momenta_from_invariants(inv)
    out = np.empty(len(pl))
    for i in range(0, len(pl), chunk):
        sl = slice(i, i + chunk)
        ops = vector_operators(meson, inv.m, pl[sl], pn[sl], k[sl], **operators)
        out[sl] = trace_sum(pl[sl], pn[sl], k[sl], inv.m, ops, inv.mx)
    return meson.coupling**2 * out


def me2_vector_traces(meson: MesonSpec, inv: Invariants, amplitude: str, chunk: int = 20000) -> np.ndarray:
    """Σ|M|² per e'² for the vector options via vectorised Dirac traces (any ``amplitude``)."""
    return _me2_trace_route(meson, inv, VECTOR_AMPLITUDES.get(amplitude), chunk)


def me2_vector_charges(meson: MesonSpec, inv: Invariants, q_lepton: float, q_nu: float, q_meson: float,
                       sd: bool = False, chunk: int = 20000) -> np.ndarray:
    """Σ|M|² per g² for P⁺ → ℓ⁺ ν V, V coupled to the FIELD charges (q_ℓ, q_ν, q_P) (module docstring).

    L ⊃ −g V_μ[q_ℓ ℓ̄γ^μℓ + q_ν ν̄γ^μP_Lν] + |D_μφ|², D_μ = ∂_μ + i g q_P V_μ (meson vertex and contact
    term; the overall sign of g is immaterial).
    Charges are those of the fields ℓ and ν (ℓ⁻ and ν have charge q_ℓ and q_ν, the emitted ℓ⁺ has −q_ℓ)
    and of the decaying P⁺. Conserved iff q_P = q_ν − q_ℓ (see :func:`vector_charge_violation`).
    Examples (:data:`VECTOR_CHARGES`): dark photon / EM (−1, 0, 1) = the "gauge-invariant" option
    (g = eε); B−L (−1, −1, 0) (g = g_{B−L}); (−1, 0, 0) = the "lepton" option.

    Summed over spins and the three V polarisations with P_{μρ} = −g_{μρ} + k_μk_ρ/m_V². The k k term
    vanishes for conserved charges (k_μM^μ = 0); otherwise k_μM^μ = C g Δ ū(1+γ⁵)(k̸ − m)v with
    Δ = q_ℓ + q_P − q_ν is not helicity suppressed and the longitudinal mode grows like Δ²/m_V².
    Evaluation: −g part by vectorised Dirac traces of :func:`vector_charge_operators` (``chunk`` events at
    a time); the k k part in closed form from that identity, (Δ²/m_V²) Σ_spins|ū(1+γ⁵)(k̸ − m)v|² (the
    same sum: contracting the traces with k k/m_V² instead amplifies round-off by ~(E_V/m_V)², e.g. to
    2% for K → eνV at m_V = 10 keV).
    ``sd=True`` adds the structure-dependent term with the EM form factors times q_P (InputError unless
    the charges are proportional to the electric ones: the SD form factors of other quark currents,
    e.g. baryon number, are not implemented).
    """
    q = _check_charges(q_lepton, q_nu, q_meson, sd)
    pl, pn, k = momenta_from_invariants(inv)
    out = np.empty(len(pl))
    for i in range(0, len(pl), chunk):
        sl = slice(i, i + chunk)
        ops = vector_charge_operators(meson, inv.m, pl[sl], pn[sl], k[sl], *q, sd=sd)
        out[sl] = trace_sum(pl[sl], pn[sl], k[sl], inv.m, ops, inv.mx, kk=False)
    delta = vector_charge_violation(*q)
    if delta != 0.0:  # longitudinal part |k·M|²/m_V², k·M = C g Δ ū(1+γ⁵)(−m + k̸)v
        out = out + delta**2 * _yukawa_sum(inv, -inv.m, 1.0) / inv.mx**2
    return meson.coupling**2 * out


# Field charges (q_ℓ, q_ν, q_P) of P⁺ → ℓ⁺ ν V for common vectors (the sign of all three is a convention:
# |M|² is even in it). EM: ℓ⁻ −1, ν 0, P⁺ +1. B−L: leptons (ℓ and ν fields) −1, π⁺ = ud̄ and K⁺ = us̄ 0.
VECTOR_CHARGES: Registry[tuple[float, float, float]] = Registry("vector charges")
VECTOR_CHARGES.add("EM", (-1.0, 0.0, 1.0), "electric charge (dark photon, g = eε)")
VECTOR_CHARGES.add("B-L", (-1.0, -1.0, 0.0), "baryon minus lepton number (g = g_B−L)")


class VectorAmplitude(Mapping):
    """A registered vector amplitude: ``me2(meson, inv)`` gives its Σ|M|² per e'²; ``charges`` are the
    equivalent field charges (q_ℓ, q_ν, q_P) of :func:`me2_vector_charges`; read as a mapping it holds
    the keyword arguments of :func:`vector_operators` that build its Dirac operators (what the registry
    held before, so ``vector_operators(..., **VECTOR_AMPLITUDES.get(name))`` keeps working).
    Without an explicit ``me2`` the vectorised trace route on those operators is used."""

    def __init__(self, operators: dict, charges: tuple[float, float, float],
                 me2: Callable[[MesonSpec, Invariants], np.ndarray] | None = None) -> None:
        self._operators = dict(operators)
        self.charges = charges
        self.me2 = me2 if me2 is not None else partial(_me2_trace_route, operators=self._operators)

    def __getitem__(self, key: str):
        return self._operators[key]

    def __iter__(self):
        return iter(self._operators)

    def __len__(self) -> int:
        return len(self._operators)

    def __repr__(self) -> str:
        return f"VectorAmplitude({self._operators}, charges={self.charges})"


VECTOR_AMPLITUDES: Registry[VectorAmplitude] = Registry("vector amplitude")
VECTOR_AMPLITUDES.add("gauge-invariant",
                      VectorAmplitude({"lepton": True, "meson_and_contact": True, "sd": False},
                                      (-1.0, 0.0, 1.0), me2=me2_vector_ib),  # closed form (= traces, tested)
                      "lepton + meson emission + contact term (k·M = 0), inner bremsstrahlung")
VECTOR_AMPLITUDES.add("gauge-invariant+sd",
                      VectorAmplitude({"lepton": True, "meson_and_contact": True, "sd": True},
                                      (-1.0, 0.0, 1.0)),
                      "gauge-invariant IB plus structure-dependent F_V, F_A terms")
VECTOR_AMPLITUDES.add("lepton",
                      VectorAmplitude({"lepton": True, "meson_and_contact": False, "sd": False},
                                      (-1.0, 0.0, 0.0)),
                      "emission from the charged lepton only (not gauge invariant)")


def _me2_vector(meson: MesonSpec, inv: Invariants, amplitude: str) -> np.ndarray:
    return VECTOR_AMPLITUDES.get(amplitude).me2(meson, inv)


ME2_BY_KIND: Registry = Registry("boson kind")
ME2_BY_KIND.add("scalar", lambda mes, inv, amp: me2_scalar(mes, inv), "g φ ℓ̄ℓ")
ME2_BY_KIND.add("pseudoscalar", lambda mes, inv, amp: me2_pseudoscalar(mes, inv), "i g a ℓ̄γ⁵ℓ")
ME2_BY_KIND.add("vector", _me2_vector, "e ε V_μ J^μ_EM")


def me2(meson: MesonSpec, inv: Invariants, kind: str, amplitude: str = "gauge-invariant",
        charges: tuple[float, float, float] | None = None) -> np.ndarray:
    """Σ|M|² per unit coupling² for boson ``kind`` ("scalar", "pseudoscalar", "vector").

    Vector: the registered ``amplitude``'s own |M|² (closed form :func:`me2_vector_ib` for
    "gauge-invariant", vectorised traces :func:`me2_vector_traces` for the others). With ``charges`` =
    (q_lepton, q_nu, q_meson) the general-charge amplitude :func:`me2_vector_charges` is used instead
    (only the ``sd`` flag of ``amplitude`` is kept); ``charges`` is only allowed for kind "vector".
    """
    if charges is not None:
        if kind != "vector":
            raise InputError("charges", charges, "None unless kind is 'vector'")
        if len(tuple(charges)) != 3:
            raise InputError("charges", charges, "a tuple (q_lepton, q_nu, q_meson)")
        return me2_vector_charges(meson, inv, *charges, sd=bool(VECTOR_AMPLITUDES.get(amplitude)["sd"]))
    return ME2_BY_KIND.get(kind)(meson, inv, amplitude)
