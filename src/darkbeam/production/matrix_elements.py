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

All |M|² below are per unit coupling² (g = 1 or e' = 1), in MeV⁰ (dimensionless, since C has MeV⁻¹ and
the spinor bilinears MeV).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import constants as c
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
    import itertools

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


def trace_sum(pl: np.ndarray, pn: np.ndarray, k: np.ndarray, lepton_mass: float, ops: np.ndarray,
              mx: float) -> np.ndarray:
    """Σ_{spins,pol} |ε*_μ ū_ν O^μ v_ℓ|² = P_{μρ} Tr[p̸_ν O^μ (p̸_ℓ − m) Ō^ρ], P = −g + kk/m_X²."""
    A = slash(pn)  # (N,4,4)
    B = slash(pl) - lepton_mass * ONE4
    W = np.einsum("nij,nmjk->nmik", A, ops)  # p̸_ν O^μ
    Z = np.einsum("nij,nrjk->nrik", B, _bar(ops))  # (p̸_ℓ − m) Ō^ρ
    T = np.einsum("nmij,nrji->nmr", W, Z)  # Tr
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


def me2_vector_traces(meson: MesonSpec, inv: Invariants, amplitude: str, chunk: int = 20000) -> np.ndarray:
    """Σ|M|² per e'² for the vector options via vectorised Dirac traces (any ``amplitude``)."""
    pl, pn, k = momenta_from_invariants(inv)
    flags = VECTOR_AMPLITUDES.get(amplitude)
    out = np.empty(len(pl))
    for i in range(0, len(pl), chunk):
        sl = slice(i, i + chunk)
        ops = vector_operators(meson, inv.m, pl[sl], pn[sl], k[sl], **flags)
        out[sl] = trace_sum(pl[sl], pn[sl], k[sl], inv.m, ops, inv.mx)
    return meson.coupling**2 * out


VECTOR_AMPLITUDES: Registry[dict] = Registry("vector amplitude")
VECTOR_AMPLITUDES.add("gauge-invariant", {"lepton": True, "meson_and_contact": True, "sd": False},
                      "lepton + meson emission + contact term (k·M = 0), inner bremsstrahlung")
VECTOR_AMPLITUDES.add("gauge-invariant+sd", {"lepton": True, "meson_and_contact": True, "sd": True},
                      "gauge-invariant IB plus structure-dependent F_V, F_A terms")
VECTOR_AMPLITUDES.add("lepton", {"lepton": True, "meson_and_contact": False, "sd": False},
                      "emission from the charged lepton only (not gauge invariant)")


def _me2_vector(meson: MesonSpec, inv: Invariants, amplitude: str) -> np.ndarray:
    VECTOR_AMPLITUDES.get(amplitude)
    if amplitude == "gauge-invariant":  # closed form; identical to the trace route (tested)
        return me2_vector_ib(meson, inv)
    return me2_vector_traces(meson, inv, amplitude)


ME2_BY_KIND: Registry = Registry("boson kind")
ME2_BY_KIND.add("scalar", lambda mes, inv, amp: me2_scalar(mes, inv), "g φ ℓ̄ℓ")
ME2_BY_KIND.add("pseudoscalar", lambda mes, inv, amp: me2_pseudoscalar(mes, inv), "i g a ℓ̄γ⁵ℓ")
ME2_BY_KIND.add("vector", _me2_vector, "e ε V_μ J^μ_EM")


def me2(meson: MesonSpec, inv: Invariants, kind: str, amplitude: str = "gauge-invariant") -> np.ndarray:
    """Σ|M|² per unit coupling² for boson ``kind`` ("scalar", "pseudoscalar", "vector").

    The gauge-invariant vector IB uses the closed form :func:`me2_vector_ib`; the other vector options
    the vectorised traces :func:`me2_vector_traces`.
    """
    return ME2_BY_KIND.get(kind)(meson, inv, amplitude)
