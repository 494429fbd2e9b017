"""Decays of dark-neutrino HNLs: N_j → N_k ℓ⁺ℓ⁻, N_j → ν ℓ⁺ℓ⁻ (Z', Z, W), N → 3ν, N → ν π⁰, N → ℓ π,
two-body N_j → N_k Z' when the Z' is on shell, and Z' → N_j N_k.

Three-body amplitude (derived here; it reproduces the DarkNews 0.4.8 structures and the μ-decay
limit, see tests): for N(k1) → f(k4) ℓ⁻(k2) ℓ⁺(k3) through neutral currents,
  M = Σ_b P_b(m23²) [ū4 γ^μ (cL_b P_L + cR_b P_R) u1] [ū2 γ_μ (gL_b P_L + gR_b P_R) v3],
with A_XY = Σ_b P_b cX_b gY_b, the spin-summed square is
  Σ|M|² = 16[(|A_LL|²+|A_RR|²)(k1k3)(k2k4) + (|A_LR|²+|A_RL|²)(k1k2)(k3k4)]
        + 16 m2 m3 Re(A_LL A_LR* + A_RR A_RL*)(k1k4) − 16 m1 m4 Re(A_LL A_RL* + A_LR A_RR*)(k2k3)
        − 32 m1 m2 m3 m4 Re(A_LL A_RR* + A_LR A_RL*).
Dirac HNLs have (cL, cR) = (d, 0); Majorana (d, −d*) (γ^μ(d P_L − d* P_R), seed 001 Eq. A2).
Charged currents enter through the Fierz identity as an extra LL term 2√2 G_F U (Bondarenko et al.,
JHEP 11 (2018) 032, arXiv:1805.08567, Sec. 3.1.2, "Decays mediated by Z interaction and the interference case").
Width dΓ = Σ|M|²/2 /(256 π³ m1³) dm23² dm24² (PDG kinematics, Eq. 49.22).

Units: MeV for masses and widths, mm for lengths.
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import E_CHARGE, F_PI, G_F, HBARC, M_E, M_MU, M_PI, M_PI0, M_Z, SIN2_THETA_W, V_UD
from ..errors import ClosedChannelError
from ..kinematics.dalitz import random_rotations
from ..kinematics.fourvec import beta_of, boost, kallen
from ..propagation.decay import decay_inside_probability, sample_truncated_exponential
from .hnl_couplings import G_Z, DarkNeutrinoCouplings

_LEPTON_MASS = {"e": M_E, "mu": M_MU}
_GL = -0.5 + SIN2_THETA_W  # Z coupling of charged leptons in units of g/c_W (left)
_GR = SIN2_THETA_W  # (right)
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(48)


def _chiral(d: complex, majorana: bool) -> tuple[complex, complex]:
    """(cL, cR) of the neutral-lepton current for a vertex coefficient d (seed 001 Eq. A2)."""
    return (d, -np.conj(d)) if majorana else (d, 0.0)


def msq_dilepton(m1, m2, m3, m4, m23sq, m24sq, A):
    """Spin-summed |M|² of N(k1) → f(k4) ℓ⁻(k2) ℓ⁺(k3) (formula in the module docstring).

    Args:
        m1..m4: masses (MeV); m23sq, m24sq: Dalitz variables (MeV²), arrays.
        A: dict with complex arrays/scalars "LL", "LR", "RL", "RR" (MeV⁻², propagators included).
    """
    k2k3 = 0.5 * (m23sq - m2**2 - m3**2)
    k2k4 = 0.5 * (m24sq - m2**2 - m4**2)
    m34sq = m1**2 + m2**2 + m3**2 + m4**2 - m23sq - m24sq
    k3k4 = 0.5 * (m34sq - m3**2 - m4**2)
    k1k2 = m2**2 + k2k3 + k2k4
    k1k3 = m3**2 + k2k3 + k3k4
    k1k4 = m4**2 + k2k4 + k3k4
    LL, LR, RL, RR = A["LL"], A["LR"], A["RL"], A["RR"]
    re = np.real
    return (
        16 * ((abs(LL) ** 2 + abs(RR) ** 2) * k1k3 * k2k4 + (abs(LR) ** 2 + abs(RL) ** 2) * k1k2 * k3k4)
        + 16 * m2 * m3 * re(LL * np.conj(LR) + RR * np.conj(RL)) * k1k4
        - 16 * m1 * m4 * re(LL * np.conj(RL) + LR * np.conj(RR)) * k2k3
        - 32 * m1 * m2 * m3 * m4 * re(LL * np.conj(RR) + LR * np.conj(RL))
    )


def msq_dilepton_spin(m1, m2, m3, m4, m23sq, m24sq, A):
    """Spin-dependent part of |M|² of a polarised N(k1, spin four-vector s) → f(k4) ℓ⁻(k2) ℓ⁺(k3) whose N current is
    left-handed (A["RL"] = A["RR"] = 0: a Dirac N, or one charge state of a Majorana N): (b2, b3, b4) such that

        |M|²(s) = ½ Σ|M|² + b2 (k2·s) + b3 (k3·s) + b4 (k4·s)

    (Σ|M|² of :func:`msq_dilepton`; MeV⁻¹ × its units). Derivation: with u ū = (k̸1 + m1)(1 + γ⁵s̸)/2 (e.g. Peskin &
    Schroeder, Sec. 3.3 and problem 3.8), the left-handed current keeps P_L(k̸1 + m1)(1 + γ⁵s̸)P_R/2 = (k̸1 − m1s̸)P_R/2,
    so |M|²(s) is ½ of the spin sum (linear in k1) at k1 → k1 − m1 s: b3 = −8 m1 |A_LL|²(k2k4), b2 = −8 m1 |A_LR|²(k3k4),
    b4 = −8 m1 m2 m3 Re(A_LL A_LR*). In the N rest frame (s = (0, ŝ)) the ℓ⁺ of an A_LL term goes along the spin, as the
    ν̄_e of μ⁻ decay. The CP image (N̄ → f̄ ℓ⁺ℓ⁻, or the Majorana N's other charge state, at the same spin) has −b with
    ℓ⁻ ↔ ℓ⁺. Checked against explicit traces and spinor amplitudes in tests/test_hnl_polarised_decays.py."""
    if np.any(np.asarray(A["RL"]) != 0) or np.any(np.asarray(A["RR"]) != 0):
        raise ValueError("msq_dilepton_spin: only a left-handed N current (A_RL = A_RR = 0)")
    k2k4 = 0.5 * (m24sq - m2**2 - m4**2)
    m34sq = m1**2 + m2**2 + m3**2 + m4**2 - m23sq - m24sq
    k3k4 = 0.5 * (m34sq - m3**2 - m4**2)
    LL, LR = A["LL"], A["LR"]
    b3 = -8.0 * m1 * np.abs(LL) ** 2 * k2k4
    b2 = -8.0 * m1 * np.abs(LR) ** 2 * k3k4
    b4 = -8.0 * m1 * m2 * m3 * np.real(LL * np.conj(LR)) * np.ones_like(np.asarray(m23sq, float))
    return b2, b3, b4


#: four-fermion coupling of low-energy Z or W exchange between V−A currents, γ^μ P_L ⊗ γ_μ P_X: 2√2 G_F
_G4 = 2.0 * math.sqrt(2.0) * G_F


def msq_nu_ll(m: float, m_l: float, same_flavour: bool, s_pair, s_nu_lminus):
    """Spin-summed |M|² of N → ν_α ℓ⁻ ℓ⁺ (MeV⁻⁴ × MeV⁴: dimensionless) of the heavy neutral lepton at |U_α|² = 1
    (minimal model, models/hnl.py), at s_pair = (p_ℓ⁻ + p_ℓ⁺)² and s_nu_lminus = (p_ν + p_ℓ⁻)² (MeV², arrays).

    Z exchange with the charged lepton's couplings (g_L, g_R) = (−½ + s_W², s_W²); for ℓ = ℓ_α the W exchange,
    Fierzed to the same order, adds 1 to g_L (Bondarenko et al., JHEP 11 (2018) 032, Sec. 3.1.2; as in ν_e e
    scattering); the contact limit (m_N ≪ m_W). Integrated with :func:`dalitz_grid` it gives B2018's closed form
    (tests/test_hnl_dalitz.py). It is that of a Dirac N and equally of each charge state of a Majorana N (N → ν ℓ⁻ℓ⁺;
    its CP image N → ν̄ ℓ⁺ℓ⁻ has the same |M|² with ℓ⁻ ↔ ℓ⁺): the Majorana width is twice the Dirac one, the shape
    per charge state the same."""
    gl = _GL + (1.0 if same_flavour else 0.0)
    amp = {"LL": -_G4 * gl, "LR": -_G4 * _GR, "RL": 0.0, "RR": 0.0}
    return msq_dilepton(m, m_l, m_l, 0.0, s_pair, s_nu_lminus, amp)


def msq_cc_leptons(m: float, m_alpha: float, m_beta: float, s_pair, s_nu_lalpha):
    """Spin-summed |M|² of N → ℓ_α⁻ ℓ_β⁺ ν_β, β ≠ α (W only, contact limit, Fierzed to the order of
    :func:`msq_dilepton`: 16 (2√2 G_F)² (p_N·p_ℓβ)(p_ℓα·p_ν)) at |U_α|² = 1, at s_pair = (p_ℓα + p_ℓβ)² and
    s_nu_lalpha = (p_ν + p_ℓα)² (MeV², arrays). Integrated it gives Γ₀ I(0, x_β, x_α) of B2018 Sec. 3.1.1
    (tests/test_hnl_dalitz.py). Dirac N, or each charge state of a Majorana N (see :func:`msq_nu_ll`)."""
    return msq_dilepton(m, m_alpha, m_beta, 0.0, s_pair, s_nu_lalpha, {"LL": _G4, "LR": 0.0, "RL": 0.0, "RR": 0.0})


def spin_nu_ll(m: float, m_l: float, same_flavour: bool, s_pair, s_nu_lminus):
    """(b_ν, b_ℓ⁻, b_ℓ⁺) of :func:`msq_dilepton_spin` for N → ν_α ℓ⁻ℓ⁺ (the amplitudes of :func:`msq_nu_ll`): the
    spin-dependent |M|²(s) − ½Σ|M|² = b_ν (k_ν·s) + b_ℓ⁻ (k_ℓ⁻·s) + b_ℓ⁺ (k_ℓ⁺·s), same variables and units."""
    gl = _GL + (1.0 if same_flavour else 0.0)
    amp = {"LL": -_G4 * gl, "LR": -_G4 * _GR, "RL": 0.0, "RR": 0.0}
    b2, b3, b4 = msq_dilepton_spin(m, m_l, m_l, 0.0, s_pair, s_nu_lminus, amp)
    return b4, b2, b3


def spin_cc_leptons(m: float, m_alpha: float, m_beta: float, s_pair, s_nu_lalpha):
    """(b_ν, b_ℓα, b_ℓβ) of :func:`msq_dilepton_spin` for N → ℓ_α⁻ ℓ_β⁺ ν_β (the amplitude of :func:`msq_cc_leptons`,
    Fierzed: exact for every N spin, the Fierz identity holding for any spinors)."""
    b2, b3, b4 = msq_dilepton_spin(m, m_alpha, m_beta, 0.0, s_pair, s_nu_lalpha,
                                   {"LL": _G4, "LR": 0.0, "RL": 0.0, "RR": 0.0})
    return b4, b2, b3


#: asymmetry α of the photon in N → ν γ through a transition dipole ū_ν σ^{μν}q_ν P_R u_N ε*_μ (the outgoing ν
#: left-handed): dΓ/dcos θ_γ ∝ 1 + α P cos θ_γ about the N spin, α = −1 (angular momentum along the photon's line:
#: λ_γ − λ_ν = −1 + ½ must be the N spin's projection −½, so |d^{1/2}_{½,−½}(θ)|² = (1 − cos θ)/2; Balantekin, de
#: Gouvêa, Kayser, PLB 789 (2019) 488, arXiv:1808.10518, for a Dirac N). N̄ → ν̄_R γ: +1; a Majorana N decays to both
#: with equal widths (a real transition moment, CP), so its ν γ + ν̄ γ sum is isotropic. Checked by explicit traces
#: with the spin projector in tests/test_hnl_polarised_decays.py.
NU_GAMMA_ASYMMETRY = -1.0

#: α of the π⁰ in N → ν_L π⁰ of a polarised Dirac N, dΓ/dcos θ_π ∝ 1 + α P cos θ_π: the amplitude
#: ū_ν p̸_π P_L u_N = m_N ū_ν P_R u_N (massless ν, p_π = p_N − k_ν; B2018 Sec. 3.2.1's vertex) gives, with the spin
#: projector, |M|² ∝ k_ν·(p_N + m_N s) ∝ 1 − cos θ_ν: the ν leaves against the spin, the π⁰ along it (the helicity
#: argument: ν_L has λ = −1/2, the π⁰ none, so d^{1/2}_{1/2,1/2}(θ_π)² = (1 + cos θ_π)/2). N̄ → ν̄_R π⁰: −1; a Majorana
#: N's νπ⁰ + ν̄π⁰ sum is isotropic. Checked by an explicit trace in tests/test_hnl_polarised_decays.py.
NU_PI0_ASYMMETRY = 1.0


def dalitz_grid(m1: float, m2: float, m3: float, m4: float, n: int = 48, resonance: tuple[float, float] | None = None):
    """Gauss–Legendre nodes over the Dalitz region: returns (m23², m24², weights) with Σw = area (MeV⁴).

    ``resonance=(M, Γ)`` maps m23² = M² + MΓ tan θ (uniform in θ) to resolve a Breit–Wigner peak.
    """
    x, w = np.polynomial.legendre.leggauss(n)
    lo, hi = (m2 + m3) ** 2, (m1 - m4) ** 2
    if resonance is None:
        s23 = lo + (hi - lo) * (x + 1) / 2
        ws = w * (hi - lo) / 2
    else:
        mr, gr = resonance
        t0, t1 = np.arctan((lo - mr**2) / (mr * gr)), np.arctan((hi - mr**2) / (mr * gr))
        th = t0 + (t1 - t0) * (x + 1) / 2
        s23 = mr**2 + mr * gr * np.tan(th)
        ws = w * (t1 - t0) / 2 * mr * gr / np.cos(th) ** 2
    # m24² range at fixed m23² (PDG Eq. 49.23, frame of the 23 system)
    e2 = (s23 - m3**2 + m2**2) / (2 * np.sqrt(s23))
    e4 = (m1**2 - s23 - m4**2) / (2 * np.sqrt(s23))
    p2 = np.sqrt(np.clip(e2**2 - m2**2, 0, None))
    p4 = np.sqrt(np.clip(e4**2 - m4**2, 0, None))
    a = (e2 + e4) ** 2
    lo4, hi4 = a - (p2 + p4) ** 2, a - (p2 - p4) ** 2
    s24 = lo4[:, None] + (hi4 - lo4)[:, None] * (x[None, :] + 1) / 2
    w2 = ws[:, None] * w[None, :] * (hi4 - lo4)[:, None] / 2
    s23 = np.broadcast_to(s23[:, None], s24.shape)
    return s23.ravel(), s24.ravel(), w2.ravel()


def _amplitudes(c: DarkNeutrinoCouplings, parent: int, daughter: int | None, lepton: str, flavour: int, s23):
    """Chiral coefficients A_XY(m23²) for N_parent → (N_daughter | ν_flavour) ℓ⁻ℓ⁺ (MeV⁻²)."""
    if daughter is None:
        d, cz, u = c.d_nu[flavour, parent], c.c_nu[flavour, parent], c.c_nu_weak[flavour, parent] / G_Z
    else:
        d, cz, u = c.d_NN[daughter, parent], c.c_NN[daughter, parent], 0.0
    cL_zp, cR_zp = _chiral(d, c.majorana)
    cL_z, cR_z = _chiral(cz, c.majorana)
    p_zp = 1.0 / (s23 - c.mzprime**2)
    p_z = 1.0 / (s23 - M_Z**2)
    # Z' couples to the charged lepton vector current with charge −1: −e ε (seed 001 Eq. 3)
    g_zp = -E_CHARGE * c.epsilon
    gz = 2 * G_Z  # g/c_W
    A = {
        "LL": p_zp * cL_zp * g_zp + p_z * cL_z * gz * _GL,
        "LR": p_zp * cL_zp * g_zp + p_z * cL_z * gz * _GR,
        "RL": p_zp * cR_zp * g_zp + p_z * cR_z * gz * _GL,
        "RR": p_zp * cR_zp * g_zp + p_z * cR_z * gz * _GR,
    }
    # W exchange for ℓ of the same flavour, Fierzed to the NC form (contact limit); its sign is tied
    # to the SM part of the Z vertex (u = c_nu_weak/(g/2c_W)) so that gL → gL + 1 (Bondarenko et al. 2018).
    if daughter is None and ("e", "mu", "tau")[flavour] == lepton and u != 0:
        cc = 2 * math.sqrt(2) * G_F * u
        A["LL"] = A["LL"] + cc
        if c.majorana:
            A["RR"] = A["RR"] - np.conj(cc)
    return A


def _three_body_width(m1, m2, m3, m4, amp, n=48) -> float:
    s23, s24, w = dalitz_grid(m1, m2, m3, m4, n)
    msq = msq_dilepton(m1, m2, m3, m4, s23, s24, amp(s23))
    return float(np.sum(w * msq) / 2.0 / (256 * math.pi**3 * m1**3))


def _zprime_on_shell(c: DarkNeutrinoCouplings, m1: float, m4: float, ml: float) -> bool:
    return m1 - m4 > c.mzprime > 2 * ml


def width_N_to_N_ll(c: DarkNeutrinoCouplings, parent: int, daughter: int, lepton: str = "e") -> float:
    """Γ(N_parent → N_daughter ℓ⁺ℓ⁻) in MeV (off-shell Z' and Z; on-shell Z': Γ(N→N Z')·BR(Z'→ℓℓ))."""
    m1, m4, ml = c.masses[parent], c.masses[daughter], _LEPTON_MASS[lepton]
    if m1 <= m4 + 2 * ml:
        raise ClosedChannelError(f"N{4 + parent} -> N{4 + daughter} {lepton}{lepton}: closed")
    if _zprime_on_shell(c, m1, m4, ml):
        return width_N_to_N_Zprime(c, parent, daughter) * zprime_branching(c)[f"{lepton}{lepton}"]
    return _three_body_width(m1, ml, ml, m4, lambda s: _amplitudes(c, parent, daughter, lepton, 0, s))


def width_N_to_nu_ll(c: DarkNeutrinoCouplings, parent: int, lepton: str = "e") -> float:
    """Γ(N → ν ℓ⁺ℓ⁻) summed over the light-neutrino flavours (Z', Z and W), MeV."""
    m1, ml = c.masses[parent], _LEPTON_MASS[lepton]
    if m1 <= 2 * ml:
        raise ClosedChannelError(f"N{4 + parent} -> nu {lepton}{lepton}: closed")
    if _zprime_on_shell(c, m1, 0.0, ml):
        return width_N_to_nu_Zprime(c, parent) * zprime_branching(c)[f"{lepton}{lepton}"]
    return sum(
        _three_body_width(m1, ml, ml, 0.0, lambda s, a=a: _amplitudes(c, parent, None, lepton, a, s))
        for a in range(3)
        if abs(c.d_nu[a, parent]) + abs(c.c_nu[a, parent]) > 0
    )


def _two_body_vector(m1: float, m2: float, mv: float, cL: complex, cR: complex) -> float:
    """Γ(F1 → F2 V) for the vertex γ^μ(cL P_L + cR P_R), MeV (derived; DarkNews' differential form)."""
    if m1 <= m2 + mv:
        return 0.0
    S, R = abs(cL) ** 2 + abs(cR) ** 2, np.real(cL * np.conj(cR))
    p1p2 = (m1**2 + m2**2 - mv**2) / 2
    qp1, qp2 = (m1**2 - m2**2 + mv**2) / 2, (m1**2 - m2**2 - mv**2) / 2
    msq = 2 * S * p1p2 + 4 * S * qp1 * qp2 / mv**2 - 12 * m1 * m2 * R
    p = math.sqrt(max(kallen(m1**2, m2**2, mv**2), 0.0)) / (2 * m1)
    return float(p / (8 * math.pi * m1**2) * msq / 2)


def width_N_to_N_Zprime(c: DarkNeutrinoCouplings, parent: int, daughter: int) -> float:
    """Γ(N_parent → N_daughter Z') (on-shell Z'), MeV."""
    return _two_body_vector(c.masses[parent], c.masses[daughter], c.mzprime, *_chiral(c.d_NN[daughter, parent], c.majorana))


def width_N_to_nu_Zprime(c: DarkNeutrinoCouplings, parent: int) -> float:
    """Γ(N → ν Z') summed over flavours, MeV."""
    return sum(_two_body_vector(c.masses[parent], 0.0, c.mzprime, *_chiral(c.d_nu[a, parent], c.majorana)) for a in range(3))


def _vector_to_pair(mv: float, m1: float, m2: float, cL: complex, cR: complex) -> float:
    """Γ(V → F1 F̄2) for the vertex γ^μ(cL P_L + cR P_R), MeV (crossing of _two_body_vector)."""
    if mv <= m1 + m2:
        return 0.0
    S, R = abs(cL) ** 2 + abs(cR) ** 2, np.real(cL * np.conj(cR))
    p1p2 = (mv**2 - m1**2 - m2**2) / 2
    qp1, qp2 = (mv**2 + m1**2 - m2**2) / 2, (mv**2 - m1**2 + m2**2) / 2
    msq = 2 * S * p1p2 + 4 * S * qp1 * qp2 / mv**2 + 12 * m1 * m2 * R
    p = math.sqrt(max(kallen(mv**2, m1**2, m2**2), 0.0)) / (2 * mv)
    return float(msq / 3 * p / (8 * math.pi * mv**2))


def zprime_widths(c: DarkNeutrinoCouplings) -> dict[str, float]:
    """Partial widths of the Z' (MeV): ℓℓ, ν N_j and N_j N_k (hadrons not included)."""
    out = {}
    for lep, ml in _LEPTON_MASS.items():
        out[f"{lep}{lep}"] = _vector_to_pair(c.mzprime, ml, ml, E_CHARGE * c.epsilon, E_CHARGE * c.epsilon)
    for j in range(c.n_hnl):
        # light ν (both ν and ν̄ for Majorana, counted through cR)
        out[f"nu{4 + j}"] = sum(_vector_to_pair(c.mzprime, c.masses[j], 0.0, *_chiral(c.d_nu[a, j], c.majorana)) for a in range(3))
        for k in range(j, c.n_hnl):
            cl, cr = _chiral(c.d_NN[k, j], c.majorana)
            if j == k:
                # identical Majorana: Feynman rule 2·(V P_L − V* P_R)/2, phase-space factor 1/2
                w = _vector_to_pair(c.mzprime, c.masses[j], c.masses[j], cl, cr) / (2 if c.majorana else 1)
            else:
                w = _vector_to_pair(c.mzprime, c.masses[j], c.masses[k], cl, cr)
            out[f"{4 + j}{4 + k}"] = w
    return out


def zprime_branching(c: DarkNeutrinoCouplings) -> dict[str, float]:
    """Z' branching ratios (hadronic width neglected)."""
    w = zprime_widths(c)
    tot = sum(w.values())
    return {k: v / tot if tot > 0 else 0.0 for k, v in w.items()}


def width_3nu(c: DarkNeutrinoCouplings, parent: int) -> float:
    """Γ(N → ν ν ν̄) summed over flavours via the Z: G_F² m⁵ Σ|U_a|²/(192π³) (Dirac), ×2 Majorana
    (Bondarenko et al. 2018, Eq. 3.4; Z' contribution ∝ |V_3j V_33|² neglected)."""
    m = c.masses[parent]
    u2 = float(np.sum(np.abs(c.U_active[:, parent]) ** 2))
    return G_F**2 * m**5 * u2 / (192 * math.pi**3) * (2 if c.majorana else 1)


def width_nu_pi0(c: DarkNeutrinoCouplings, parent: int) -> float:
    """Γ(N → ν π⁰) = G_F² f_π² m³ Σ|U_a|² (1 − x²)² /(32π) (Dirac), ×2 Majorana (Bondarenko 2018 Eq. 3.8)."""
    m = c.masses[parent]
    if m <= M_PI0:
        return 0.0
    u2 = float(np.sum(np.abs(c.U_active[:, parent]) ** 2))
    return G_F**2 * F_PI**2 * m**3 * u2 * (1 - (M_PI0 / m) ** 2) ** 2 / (32 * math.pi) * (2 if c.majorana else 1)


def width_lepton_pi(c: DarkNeutrinoCouplings, parent: int, lepton: str) -> float:
    """Γ(N → ℓ⁻ π⁺) (+ c.c. for Majorana), Bondarenko 2018 Eq. 3.6, MeV."""
    m, ml = c.masses[parent], _LEPTON_MASS[lepton]
    if m <= ml + M_PI:
        return 0.0
    u2 = abs(c.U_active[("e", "mu").index(lepton), parent]) ** 2
    xl, xp = ml / m, M_PI / m
    lam = math.sqrt(max(kallen(1.0, xp**2, xl**2), 0.0))
    w = G_F**2 * F_PI**2 * V_UD**2 * u2 * m**3 / (16 * math.pi) * ((1 - xl**2) ** 2 - xp**2 * (1 + xl**2)) * lam
    return float(w * (2 if c.majorana else 1))


def lepton_meson_asymmetry(m: float, m_l: float, m_p: float) -> float:
    """Decay asymmetry α of the charged lepton in N → ℓ⁻P⁺ (P a pseudoscalar meson; V−A, Dirac N or one charge
    state of a Majorana N): dΓ/dcos θ_ℓ ∝ 1 + α P_N cos θ_ℓ in the N rest frame, θ_ℓ from the N spin axis,

        α = −(m_N² − m_ℓ²) λ^{1/2}(m_N², m_ℓ², m_P²) / [(m_N² − m_ℓ²)² − m_P²(m_N² + m_ℓ²)]

    (derived from M ∝ p_P^μ ū_ℓ γ_μ(1−γ⁵) u_N with u ū = (p̸ + m_N)(1 + γ⁵s̸)/2; the denominator is m_N⁴ × the
    bracket of Γ(N → ℓπ), Bondarenko et al. 2018 Sec. 3.2.1; tests/test_hnl_polarisation.py checks it against
    that explicit trace). α → −1 for m_ℓ → 0: the left-handed ℓ⁻ goes against the spin. The meson's asymmetry
    is −α. The CP-conjugate decay (N̄ → ℓ⁺P⁻, or N → ℓ⁺P⁻ of a Majorana N) has −α, so for a Majorana N, whose two
    charge states have equal widths, the charge-summed ℓ±P∓ distribution is isotropic (the CPT/CP argument of
    Balantekin, de Gouvêa, Kayser, PLB 789 (2019) 488, arXiv:1808.10518, for self-conjugate final states; see
    de Gouvêa, Fox, Kayser, Kelly, arXiv:2104.05719, for charge-blind three-body decays). 0 when closed."""
    if m <= m_l + m_p:
        return 0.0
    a, b = m * m - m_l * m_l, m_p * m_p * (m * m + m_l * m_l)
    lam = float(kallen(m * m, m_l * m_l, m_p * m_p))
    return float(np.clip(-a * math.sqrt(max(lam, 0.0)) / (a * a - b), -1.0, 1.0)) if a * a > b else 0.0


def partial_widths(c: DarkNeutrinoCouplings, parent: int) -> dict[str, float]:
    """All open partial widths of N_{4+parent}, MeV (zero entries dropped)."""
    out: dict[str, float] = {}
    m1 = c.masses[parent]
    for k in range(parent):
        for lep, ml in _LEPTON_MASS.items():
            if m1 > c.masses[k] + 2 * ml:
                out[f"N{4 + k} {lep}+ {lep}-"] = width_N_to_N_ll(c, parent, k, lep)
        if _zprime_on_shell(c, m1, c.masses[k], M_E):
            out.pop(f"N{4 + k} mu+ mu-", None)
    for lep, ml in _LEPTON_MASS.items():
        if m1 > 2 * ml:
            out[f"nu {lep}+ {lep}-"] = width_N_to_nu_ll(c, parent, lep)
    out["nu nu nu"] = width_3nu(c, parent)
    out["nu pi0"] = width_nu_pi0(c, parent)
    for lep in ("e", "mu"):
        out[f"{lep} pi"] = width_lepton_pi(c, parent, lep)
    return {k: float(v) for k, v in out.items() if v > 0}


def total_width(c: DarkNeutrinoCouplings, parent: int) -> float:
    """Total width of N_{4+parent}, MeV."""
    return float(sum(partial_widths(c, parent).values()))


def ctau0(c: DarkNeutrinoCouplings, parent: int) -> float:
    """Proper decay length c τ0 of N_{4+parent}, mm (np.inf if stable)."""
    g = total_width(c, parent)
    return HBARC / g if g > 0 else math.inf


def ctau0_table(model) -> dict[str, float]:
    """c τ0 in cm of every HNL of a dark-neutrino model (compare with seed 001 Table I)."""
    return {f"N{4 + j}": ctau0(model.couplings, j) / 10.0 for j in range(model.n_hnl)}


# --- decay kinematics ---------------------------------------------------------------------------------
def sample_dilepton_decays(
    rng: np.random.Generator, c: DarkNeutrinoCouplings, parent: int, daughter: int | None, p_parent: np.ndarray,
    lepton: str = "e",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unweighted N → f ℓ⁻ ℓ⁺ decays with the full three-body matrix element (unpolarised parent).

    Args:
        p_parent: (N, 4) lab four-momenta of the decaying HNL, MeV.
        daughter: index of the daughter HNL, or None for a light neutrino.

    Returns:
        (p_lminus, p_lplus, p_daughter) lab four-momenta, each (N, 4), MeV.
    """

    n = len(p_parent)
    m1 = c.masses[parent]
    m4 = 0.0 if daughter is None else c.masses[daughter]
    ml = _LEPTON_MASS[lepton]
    if m1 <= m4 + 2 * ml:
        raise ClosedChannelError(f"N{4 + parent} -> {lepton}{lepton}: closed")
    flav = int(np.argmax(np.abs(c.d_nu[:, parent]) + np.abs(c.c_nu[:, parent]))) if daughter is None else 0

    def msq(s23, s24):
        return msq_dilepton(m1, ml, ml, m4, s23, s24, _amplitudes(c, parent, daughter, lepton, flav, s23))

    g23, g24, _ = dalitz_grid(m1, ml, ml, m4, 64)
    fmax = 1.3 * float(np.max(msq(g23, g24)))
    lo23, hi23 = (2 * ml) ** 2, (m1 - m4) ** 2
    lo24, hi24 = (ml + m4) ** 2, (m1 - ml) ** 2
    s23 = np.empty(0)
    s24 = np.empty(0)
    while len(s23) < n:
        k = 2 * (n - len(s23)) + 64
        a = rng.uniform(lo23, hi23, k)
        b = rng.uniform(lo24, hi24, k)
        m34 = m1**2 + 2 * ml**2 + m4**2 - a - b
        ok = (m34 >= (ml + m4) ** 2) & _inside(m1, ml, ml, m4, a, b)  # inside the Dalitz region
        f = np.where(ok, msq(a, np.where(ok, b, lo24)), 0.0)
        keep = rng.uniform(0, fmax, k) < f
        s23 = np.concatenate([s23, a[keep]])
        s24 = np.concatenate([s24, b[keep]])
    s23, s24 = s23[:n], s24[:n]
    # rest-frame momenta: lepton-pair system (23) recoils against the daughter (4)
    e4 = (m1**2 + m4**2 - s23) / (2 * m1)
    p4 = np.sqrt(np.clip(e4**2 - m4**2, 0, None))
    e2 = (m1**2 + ml**2 - (m1**2 + 2 * ml**2 + m4**2 - s23 - s24)) / (2 * m1)  # E2 = (m1²+m2²−m34²)/(2m1)
    p2 = np.sqrt(np.clip(e2**2 - ml**2, 0, None))
    e3 = m1 - e4 - e2
    p3 = np.sqrt(np.clip(e3**2 - ml**2, 0, None))
    # angle between 2 and 4 from momentum conservation: p3² = p2² + p4² + 2 p2 p4 cos24
    cos24 = np.clip((p3**2 - p2**2 - p4**2) / np.where(p2 * p4 > 0, 2 * p2 * p4, 1.0), -1, 1)
    sin24 = np.sqrt(1 - cos24**2)
    phi = rng.uniform(0, 2 * np.pi, n)
    v4 = np.stack([np.zeros(n), np.zeros(n), np.ones(n)], 1) * p4[:, None]
    v2 = np.stack([sin24 * np.cos(phi), sin24 * np.sin(phi), cos24], 1) * p2[:, None]
    v3 = -(v2 + v4)
    rot = random_rotations(rng, n)
    v2, v3, v4 = (np.einsum("nij,nj->ni", rot, v) for v in (v2, v3, v4))
    beta = beta_of(np.asarray(p_parent, float))
    out = [boost(np.concatenate([e[:, None], v], 1), beta) for e, v in ((e2, v2), (e3, v3), (e4, v4))]
    return out[0], out[1], out[2]


def _inside(m1, m2, m3, m4, s23, s24):
    e2 = (s23 - m3**2 + m2**2) / (2 * np.sqrt(s23))
    e4 = (m1**2 - s23 - m4**2) / (2 * np.sqrt(s23))
    p2 = np.sqrt(np.clip(e2**2 - m2**2, 0, None))
    p4 = np.sqrt(np.clip(e4**2 - m4**2, 0, None))
    a = (e2 + e4) ** 2
    return (s24 >= a - (p2 + p4) ** 2) & (s24 <= a - (p2 - p4) ** 2)


def decay_probability_inside(l_enter: np.ndarray, l_exit: np.ndarray, decay_length: np.ndarray) -> np.ndarray:
    """P(decay between path lengths l_enter and l_exit) for lab decay length βγcτ0 (all mm):
    :func:`darkbeam.propagation.decay.decay_inside_probability` (λ ≤ 0 means stable)."""
    lam = np.where(np.asarray(decay_length) > 0, decay_length, np.inf)
    return np.clip(decay_inside_probability(l_enter, l_exit, lam), 0.0, 1.0)


def sample_decay_distance(rng: np.random.Generator, decay_length: np.ndarray, l_max: np.ndarray) -> np.ndarray:
    """Decay distance (mm) from an exponential with mean ``decay_length`` truncated to [0, l_max]
    (:func:`darkbeam.propagation.decay.sample_truncated_exponential`)."""
    return sample_truncated_exponential(rng, np.maximum(decay_length, 1e-300), np.asarray(l_max, float))


__all__ = [
    "NU_GAMMA_ASYMMETRY",
    "NU_PI0_ASYMMETRY",
    "ctau0",
    "ctau0_table",
    "decay_probability_inside",
    "lepton_meson_asymmetry",
    "msq_cc_leptons",
    "msq_dilepton",
    "msq_dilepton_spin",
    "msq_nu_ll",
    "partial_widths",
    "sample_decay_distance",
    "sample_dilepton_decays",
    "spin_cc_leptons",
    "spin_nu_ll",
    "total_width",
    "width_3nu",
    "width_N_to_N_Zprime",
    "width_N_to_N_ll",
    "width_N_to_nu_Zprime",
    "width_N_to_nu_ll",
    "width_lepton_pi",
    "width_nu_pi0",
    "zprime_branching",
    "zprime_widths",
]
