"""HNL polarisation in the ν γ and three-body decays (issue 11: "with HNL polarisation in the decays"): the photon
asymmetry of N → ν γ (``hnl_decays.NU_GAMMA_ASYMMETRY``, ``Decays.asymmetry["nu gamma"]`` of a Dirac N), the spin
dependence |M|²(s) = ½Σ|M|² + Σ b_i k_i·s of N → ν e⁺e⁻, ν μ⁺μ⁻, e μ ν (``hnl_decays.msq_dilepton_spin``,
``Decays.dalitz_spin``), and the generic sampling that consumes them (``kinematics.dalitz.orient_to_spin``,
``pipeline.decay_in_volume``).

Independent routes: explicit Dirac traces (numpy γ matrices) with the spin projectors (p̸ ± m)(1 + γ⁵s̸)/2, of the
transition-dipole vertex and of the four-fermion amplitudes (the CC one un-Fierzed); the massless limits (the Michel
distributions of polarised μ⁻ decay: α = −1/3, −1/3, +1); 2-D quadratures of the declared terms against sampled
angular distributions (mean to 4σ and binned χ² below its 0.1 % quantile, fixed seeds, sizes in the tests); the
stripped declaration for everything that must not change (compared within one run). The |M|² are O(G_F² m⁴) ~ 1e-12,
so their comparisons set ``abs=0`` (pytest.approx's default absolute tolerance, 1e-12, would accept anything).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2

from darkbeam.constants import G_F, M_E, M_MU, M_PI0, SIN2_THETA_W
from darkbeam.declarations import pair_conjugate_key
from darkbeam.errors import InputError
from darkbeam.interactions.hnl_decays import (
    NU_GAMMA_ASYMMETRY,
    NU_PI0_ASYMMETRY,
    dalitz_grid,
    msq_cc_leptons,
    msq_dilepton_spin,
    spin_cc_leptons,
)
from darkbeam.kinematics.dalitz import orient_to_spin, s01_limits, three_body_momenta
from darkbeam.kinematics.fourvec import beta_of, boost
from darkbeam.models import get_model
from darkbeam.models.hnl import dalitz_densities, dalitz_spin_terms
from darkbeam.pipeline import decay_in_volume as div
from darkbeam.pipeline.signal import build_signal
from darkbeam.production.matrix_elements import GAMMA, GAMMA5, METRIC, ONE4, slash

ROOT = Path(__file__).resolve().parents[1]
M = 300.0
THREE = ("nu e+ e-", "nu mu+ mu-", "e mu nu")
_PL, _PR = (ONE4 - GAMMA5) / 2, (ONE4 + GAMMA5) / 2
_G_LOW = [np.einsum("mn,nij->mij", METRIC, GAMMA)[mu] for mu in range(4)]  # γ_μ
GL_Z, GR_Z = -0.5 + SIN2_THETA_W, SIN2_THETA_W


def _sl(k) -> np.ndarray:
    return slash(np.asarray(k, float)[None, :])[0]


def _projector(p, m, s, antiparticle=False) -> np.ndarray:
    """u ū = (p̸ + m)(1 + γ⁵s̸)/2, or v v̄ = (p̸ − m)(1 + γ⁵s̸)/2 (spin four-vector s)."""
    return (_sl(p) + (-m if antiparticle else m) * ONE4) @ (ONE4 + GAMMA5 @ _sl(s)) / 2


def _dot(a, b):
    return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)


def _spin(rng) -> np.ndarray:
    d = rng.normal(size=3)
    return np.concatenate([[0.0], d / np.linalg.norm(d)])


# ------------------------------------------------------------------------------------------------
# N → ν γ: the transition dipole with the spin projector
# ------------------------------------------------------------------------------------------------
def _sigma(mu, nu):
    return 0.5j * (GAMMA[mu] @ GAMMA[nu] - GAMMA[nu] @ GAMMA[mu])


def _nu_gamma_trace(p_n, m, s, k, antiparticle=False) -> float:
    """Σ_{ν spin, γ pol} |M|² (Σ ε_μ ε*_ρ → −g_μρ) of N → ν_L γ, M = ū_ν P_R σ^{μα} q_α ε*_μ u_N (Γ̄ = σ^{ρβ} q_β P_L),
    or of N̄ → ν̄_R γ, M = v̄_N σ^{μα} q_α P_L v_ν ε*_μ (the hermitian-conjugate operator); massless ν, q = p_N − k."""
    q = p_n - k
    q_low = METRIC @ q
    sq = [sum(_sigma(mu, a) * q_low[a] for a in range(4)) for mu in range(4)]  # σ^{μα} q_α
    proj = _projector(p_n, m, s, antiparticle)
    out = 0.0
    for mu in range(4):
        if antiparticle:
            t = np.trace(proj @ sq[mu] @ _PL @ _sl(k) @ _PR @ sq[mu])
        else:
            t = np.trace(_sl(k) @ _PR @ sq[mu] @ proj @ sq[mu] @ _PL)
        out += -METRIC[mu, mu] * float(np.real(t))
    return out


def test_nu_gamma_photon_follows_one_minus_cos_for_a_dirac_n():
    """N at rest with spin ŝ, photon at angle θ to ŝ: the trace is ∝ (1 − cos θ) for N → ν_L γ (α = −1 =
    NU_GAMMA_ASYMMETRY, the angular-momentum argument of Balantekin, de Gouvêa, Kayser 2019), ∝ (1 + cos θ) for
    N̄ → ν̄_R γ (+1); their sum at the same spin (a Majorana N, both with equal widths) does not depend on θ; the
    spin sum equals twice the spin average for each."""
    assert NU_GAMMA_ASYMMETRY == -1.0
    rng = np.random.default_rng(1)
    p_n = np.array([M, 0.0, 0.0, 0.0])
    s = _spin(rng)
    ref = _nu_gamma_trace(p_n, M, s, np.array([M / 2, *(-M / 2 * s[1:])]))  # photon along ŝ: ν against it
    norm_n = _nu_gamma_trace(p_n, M, s, np.array([M / 2, *(M / 2 * s[1:])]))  # photon against ŝ: the maximum
    assert norm_n > 0
    for _ in range(8):
        g = rng.normal(size=3)
        g /= np.linalg.norm(g)
        cos = float(g @ s[1:])
        k = np.array([M / 2, *(-M / 2 * g)])  # the ν recoils against the photon
        dirac = _nu_gamma_trace(p_n, M, s, k)
        anti = _nu_gamma_trace(p_n, M, s, k, antiparticle=True)
        assert dirac == pytest.approx(norm_n * (1 + NU_GAMMA_ASYMMETRY * cos) / 2, rel=1e-9, abs=1e-12 * norm_n)
        assert anti == pytest.approx(norm_n * (1 - NU_GAMMA_ASYMMETRY * cos) / 2, rel=1e-9, abs=1e-12 * norm_n)
        assert dirac + anti == pytest.approx(norm_n, rel=1e-9)  # Majorana: isotropic
        assert dirac + _nu_gamma_trace(p_n, M, -s, k) == pytest.approx(norm_n, rel=1e-9)  # spin sum
    assert ref == pytest.approx(0.0, abs=1e-12 * norm_n)


def _nu_pi0_trace(p_n, m, s, k, antiparticle=False) -> float:
    """Σ_ν spins |M|² of N → ν_L π⁰, M = ū_ν p̸_π P_L u_N (the V−A current contracted with f_π p_π, B2018 Sec. 3.2.1), or of
    N̄ → ν̄_R π⁰, M = v̄_N p̸_π P_L v_ν; massless ν, p_π = p_N − k."""
    pi = _sl(p_n - k)
    proj = _projector(p_n, m, s, antiparticle)
    if antiparticle:
        return float(np.real(np.trace(proj @ pi @ _PL @ _sl(k) @ _PR @ pi)))
    return float(np.real(np.trace(_sl(k) @ pi @ _PL @ proj @ _PR @ pi)))


def test_nu_pi0_follows_one_plus_cos_for_a_dirac_n():
    """N at rest with spin ŝ, π⁰ at angle θ to ŝ (m_π⁰ kinematics): the trace is ∝ (1 + cos θ) for N → ν_L π⁰
    (α = +1 = NU_PI0_ASYMMETRY: the ν leaves against the spin), ∝ (1 − cos θ) for N̄ → ν̄_R π⁰; the sum (Majorana) is
    isotropic and the spin sum twice the average."""
    assert NU_PI0_ASYMMETRY == 1.0
    rng = np.random.default_rng(2)
    p_n = np.array([M, 0.0, 0.0, 0.0])
    s = _spin(rng)
    q = (M * M - M_PI0**2) / (2 * M)  # ν momentum
    norm = _nu_pi0_trace(p_n, M, s, np.array([q, *(-q * s[1:])]))  # π⁰ along ŝ (ν against it): the maximum
    assert norm > 0
    for _ in range(8):
        g = rng.normal(size=3)
        g /= np.linalg.norm(g)
        cos = float(g @ s[1:])
        k = np.array([q, *(-q * g)])  # the ν recoils against the π⁰
        dirac, anti = _nu_pi0_trace(p_n, M, s, k), _nu_pi0_trace(p_n, M, s, k, antiparticle=True)
        assert dirac == pytest.approx(norm * (1 + NU_PI0_ASYMMETRY * cos) / 2, rel=1e-9, abs=1e-12 * norm)
        assert anti == pytest.approx(norm * (1 - NU_PI0_ASYMMETRY * cos) / 2, rel=1e-9, abs=1e-12 * norm)
        assert dirac + anti == pytest.approx(norm, rel=1e-9)
        assert dirac + _nu_pi0_trace(p_n, M, -s, k) == pytest.approx(norm, rel=1e-9)


def test_the_model_declares_the_photon_asymmetry_for_a_polarised_dirac_n_only():
    d = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "nature": "dirac"}).decays()["N"]
    assert d.asymmetry["nu gamma"] == NU_GAMMA_ASYMMETRY and set(d.dalitz_spin) == set(d.dalitz_msq)
    maj = get_model("heavy-neutral-lepton", {"m_n": "300 MeV"}).decays()["N"]
    assert "nu gamma" not in maj.asymmetry and "nu gamma" not in maj.charge_asymmetry
    assert set(maj.dalitz_spin) == set(maj.dalitz_msq)  # each charge state is polarisation-dependent
    for nature in ("dirac", "majorana"):
        off = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "nature": nature, "polarisation": "off"})
        assert off.decays()["N"].dalitz_spin == {} and "nu gamma" not in off.decays()["N"].asymmetry


# ------------------------------------------------------------------------------------------------
# three-body: |M|²(s) against explicit traces
# ------------------------------------------------------------------------------------------------
def _trace_polarised(k_n, m_n, s, k_out1, m_out1, k_p, m_p, k_a, m_a, chiral, antiparticle=False) -> float:
    """|M|² (final spins summed) of a polarised N: M = 2√2 G_F [ū(out1) γ^μ P_L u(N, s)] [ū(p) γ_μ (g_L P_L + g_R P_R)
    v(a)], or (``antiparticle``) the N̄ / other Majorana charge state: [v̄(N, s) γ^μ P_L v(out1)][same pair current]."""
    gl, gr = chiral
    if antiparticle:  # Tr[γ^μ P_L (k̸₁ − m₁) P_R γ^ν (k̸_N − m_N)(1 + γ⁵s̸)/2]
        t1 = [[np.trace(GAMMA[mu] @ _PL @ (_sl(k_out1) - m_out1 * ONE4) @ _PR @ GAMMA[nu]
                        @ _projector(k_n, m_n, s, True)) for nu in range(4)] for mu in range(4)]
    else:
        t1 = [[np.trace((_sl(k_out1) + m_out1 * ONE4) @ GAMMA[mu] @ _PL @ _projector(k_n, m_n, s) @ _PR @ GAMMA[nu])
               for nu in range(4)] for mu in range(4)]
    gam, gbar = gl * _PL + gr * _PR, gl * _PR + gr * _PL
    t2 = [[np.trace((_sl(k_p) + m_p * ONE4) @ _G_LOW[mu] @ gam @ (_sl(k_a) - m_a * ONE4) @ gbar @ _G_LOW[nu])
           for nu in range(4)] for mu in range(4)]
    return 8.0 * G_F**2 * float(np.real(np.sum(np.array(t1) * np.array(t2))))


def _points(masses, n, seed, m=M):
    m0, m1, m2 = masses
    rng = np.random.default_rng(seed)
    s12 = rng.uniform((m1 + m2) ** 2, (m - m0) ** 2, n)
    a, b = s01_limits(s12, m, m0, m1, m2)
    s01 = a + (b - a) * rng.uniform(0.0, 1.0, n)
    inv, p1, p2 = three_body_momenta(rng, np.tile([m, 0.0, 0.0, 0.0], (n, 1)), m, m0, m1, m2, s12, s01)
    return s12, s01, inv, p1, p2, rng


def _declared(f, g, s12, s01, k, s, sign=1.0):
    """½ f + sign Σ b_i k_i·s of a declared channel at its Dalitz points (k: the listed daughters' four-momenta)."""
    b = g(s12, s01)
    return 0.5 * f(s12, s01) + sign * sum(bi * _dot(ki, s) for bi, ki in zip(b, k, strict=True))


@pytest.mark.parametrize("same_flavour", [False, True])
def test_nu_ee_spin_terms_against_the_polarised_trace(same_flavour):
    """N → ν_α e⁻e⁺ at 6 random Dalitz points and spins, |U_α|² = 1: ½f + Σ b_i k_i·s of the model's declarations =
    the trace with u ū = (k̸ + m)(1 + γ⁵s̸)/2 to 1e-9 (α = μ: Z, (g_L, g_R) = (−½ + s_W², s_W²); α = e: Z + W, the W
    Fierzed into g_L + 1); the CP image at the same spin (N̄ → ν̄ e⁺e⁻, v v̄ = (k̸ − m)(1 + γ⁵s̸)/2; the Majorana's
    other charge state) = ½f − Σ b_i k_i·s with e⁺ ↔ e⁻ (the rule the decay-in-volume process applies)."""
    u2 = {"e": 1.0} if same_flavour else {"mu": 1.0}
    f, g = dalitz_densities(M, u2)["nu e+ e-"], dalitz_spin_terms(M, u2)["nu e+ e-"]
    chiral = (GL_Z + (1.0 if same_flavour else 0.0), GR_Z)
    s12, s01, nu, ep, em, rng = _points((0.0, M_E, M_E), 6, 3)
    swapped = M * M + 2 * M_E**2 - s12 - s01  # (p_ν + p_e⁻)²: the roles of the CP image
    kn = np.array([M, 0.0, 0.0, 0.0])
    for i in range(6):
        s = _spin(rng)
        got = _declared(f, g, s12[i:i + 1], s01[i:i + 1], (nu[i:i + 1], ep[i:i + 1], em[i:i + 1]), s)[0]
        assert got == pytest.approx(_trace_polarised(kn, M, s, nu[i], 0.0, em[i], M_E, ep[i], M_E, chiral), rel=1e-9,
                                   abs=0.0)
        img = _declared(f, g, s12[i:i + 1], swapped[i:i + 1], (nu[i:i + 1], em[i:i + 1], ep[i:i + 1]), s, -1.0)[0]
        ref = _trace_polarised(kn, M, s, nu[i], 0.0, em[i], M_E, ep[i], M_E, chiral, antiparticle=True)
        assert img == pytest.approx(ref, rel=1e-9, abs=0.0)
        assert abs(got - 0.5 * f(s12[i:i + 1], s01[i:i + 1])[0]) > 1e-3 * got  # the spin really enters


def _u(p, m, chi):
    """Dirac-representation spinor u(p) = (√(E+m) χ, (σ·p)χ/√(E+m)) (Σ_χ u ū = p̸ + m)."""
    e = p[0]
    sp = sum(p[i + 1] * _PAULI[i] for i in range(3))
    return np.concatenate([math.sqrt(e + m) * chi, sp @ chi / math.sqrt(e + m)])


def _v(p, m, eta):
    """v(p) = ((σ·p)η/√(E+m), √(E+m) η) (Σ_η v v̄ = p̸ − m)."""
    e = p[0]
    sp = sum(p[i + 1] * _PAULI[i] for i in range(3))
    return np.concatenate([sp @ eta / math.sqrt(e + m), math.sqrt(e + m) * eta])


_PAULI = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex),
          np.array([[1, 0], [0, -1]], complex)]
_BASIS = [np.array([1, 0], complex), np.array([0, 1], complex)]


def _current(bar, gamma_chiral, right):
    """ψ̄_bar γ^μ Γ ψ_right for μ = 0..3 (upper index)."""
    b = bar.conj() @ GAMMA[0]
    return np.array([b @ GAMMA[mu] @ gamma_chiral @ right for mu in range(4)])


def test_z_and_w_interference_with_explicit_spinors():
    """N → ν_e e⁻e⁺ (|U_e|² = 1: Z and W) from explicit spinors, the W amplitude NOT Fierzed:
    M = 2√2 G_F {[ū_ν γ^μ P_L u_N][ū_e γ_μ (g_L P_L + g_R P_R) v_e] + η [ū_e γ^μ P_L u_N][ū_ν γ_μ P_L v_e]}, with the N
    spinor of spin +ŝ at rest (its u ū checked against (p̸ + m)(1 + γ⁵s̸)/2) and the final spins summed. Exactly one
    relative sign η reproduces the declared spin-summed |M|² (Fermi statistics fixes it; B2018's g_L + 1); with it, the
    polarised rate equals ½f + Σ b_i k_i·s of the declarations to 1e-9 at 4 random points and spins."""
    u2 = {"e": 1.0}
    f, g = dalitz_densities(M, u2)["nu e+ e-"], dalitz_spin_terms(M, u2)["nu e+ e-"]
    s12, s01, nu, ep, em, rng = _points((0.0, M_E, M_E), 4, 11)
    kn = np.array([M, 0.0, 0.0, 0.0])
    g4 = 2.0 * math.sqrt(2.0) * G_F
    for i in range(4):
        s = _spin(rng)
        w, vecs = np.linalg.eigh(sum(s[j + 1] * _PAULI[j] for j in range(3)))
        spinors = {+1: _u(kn, M, vecs[:, int(np.argmax(w))]), -1: _u(kn, M, vecs[:, int(np.argmin(w))])}
        assert np.allclose(np.outer(spinors[1], spinors[1].conj() @ GAMMA[0]), _projector(kn, M, s), atol=1e-9 * M)
        rate = {}
        for eta in (1.0, -1.0):
            for spin, u_n in spinors.items():
                total = 0.0
                for a in _BASIS:
                    for b in _BASIS:
                        for c in _BASIS:
                            u_nu, u_e, v_e = _u(nu[i], 0.0, a), _u(em[i], M_E, b), _v(ep[i], M_E, c)
                            z = _current(u_nu, _PL, u_n) @ METRIC @ _current(u_e, GL_Z * _PL + GR_Z * _PR, v_e)
                            w_ = _current(u_e, _PL, u_n) @ METRIC @ _current(u_nu, _PL, v_e)
                            total += abs(g4 * (z + eta * w_)) ** 2
                rate[eta, spin] = total
        f_i = f(s12[i:i + 1], s01[i:i + 1])[0]
        match = [eta for eta in (1.0, -1.0) if rate[eta, 1] + rate[eta, -1] == pytest.approx(f_i, rel=1e-9, abs=0.0)]
        assert len(match) == 1, (rate, f_i)
        got = _declared(f, g, s12[i:i + 1], s01[i:i + 1], (nu[i:i + 1], ep[i:i + 1], em[i:i + 1]), s)[0]
        assert rate[match[0], 1] == pytest.approx(got, rel=1e-9, abs=0.0)
        assert abs(rate[match[0], 1] - rate[match[0], -1]) > 1e-3 * f_i  # the spin really enters


def test_e_mu_nu_spin_terms_against_the_unfierzed_trace():
    """N → e⁻μ⁺ν_μ and N → μ⁻e⁺ν_e (the pair-conjugate key), |U|² = 1: the declared ½f + Σ b_i k_i·s = the trace of
    the W amplitude as it comes, [ū_ℓα γ^μ P_L u(N, s)][ū_ν γ_μ P_L v_ℓβ] (no Fierz), to 1e-9."""
    dec_f = dalitz_densities(M, {"e": 1.0, "mu": 1.0})
    dec_g = dalitz_spin_terms(M, {"e": 1.0, "mu": 1.0})
    s12, s01, nu, e, mu, rng = _points((0.0, M_E, M_MU), 6, 4)
    kn = np.array([M, 0.0, 0.0, 0.0])
    for key, (out1, m1, anti, ma) in (("e mu nu", (e, M_E, mu, M_MU)),
                                      (pair_conjugate_key("e mu nu"), (mu, M_MU, e, M_E))):
        for i in range(6):
            s = _spin(rng)
            got = _declared(dec_f[key], dec_g[key], s12[i:i + 1], s01[i:i + 1], (nu[i:i + 1], e[i:i + 1],
                                                                                mu[i:i + 1]), s)[0]
            ref = _trace_polarised(kn, M, s, out1[i], m1, nu[i], 0.0, anti[i], ma, (1.0, 0.0))
            assert got == pytest.approx(ref, rel=1e-9, abs=0.0), key


def test_only_a_left_handed_n_current_is_accepted():
    with pytest.raises(ValueError, match="left-handed"):
        msq_dilepton_spin(M, M_E, M_E, 0.0, 1e4, 1e4, {"LL": 1.0, "LR": 0.0, "RL": 0.0, "RR": 1.0})


# ------------------------------------------------------------------------------------------------
# angular distributions: quadrature and massless limits
# ------------------------------------------------------------------------------------------------
def _alphas(f, g, masses, m=M, nodes=96):
    """α_j of each listed daughter j for a fully polarised state: dN/dcos θ_j ∝ 1 + α_j cos θ_j, α_j = ∫ v·k̂_j / ∫ A
    over the Dalitz plot (v = −Σ_i b_i k⃗_i: averaging A + v·ŝ over rotations about k̂_j leaves (v·k̂_j) cos θ_j),
    with the rest-frame products k⃗_i·k⃗_j = E_iE_j − k_i·k_j from the invariants (2-D Gauss–Legendre)."""
    m0, m1, m2 = masses
    s12, s01, w = dalitz_grid(m, m1, m2, m0, nodes)
    s02 = m * m + m0**2 + m1**2 + m2**2 - s12 - s01
    mass2 = np.array([m0, m1, m2]) ** 2
    sij = {(0, 1): s01, (0, 2): s02, (1, 2): s12}
    pair = {0: s12, 1: s02, 2: s01}  # the invariant mass² of the other two
    e = [(m * m + mass2[j] - pair[j]) / (2 * m) for j in range(3)]

    def kk(i, j):  # k⃗_i·k⃗_j
        if i == j:
            return e[i] ** 2 - mass2[i]
        kdot = 0.5 * (sij[tuple(sorted((i, j)))] - mass2[i] - mass2[j])
        return e[i] * e[j] - kdot

    b = g(s12, s01)
    a = 0.5 * f(s12, s01)
    out = []
    for j in range(3):
        vk = -sum(b[i] * kk(i, j) for i in range(3)) / np.sqrt(np.maximum(kk(j, j), 1e-300))
        out.append(float(np.sum(w * vk) / np.sum(w * a)))
    return out


def test_massless_limits_are_the_michel_asymmetries():
    """For massless daughters the charged current N → ℓ_α⁻ ℓ_β⁺ ν_β is polarised μ⁻ decay with ℓ_β⁺ in the ν̄_e role
    and ℓ_α⁻, ν_β in the e⁻, ν_μ roles: α = (−1/3, −1/3, +1) for the listed (ν, ℓ_α, ℓ_β) (Michel: x²[(3 − 2x) − P cos θ (2x − 1)] integrates to α = −1/3; the ν̄_e's 1 + cos θ). The neutral current
    (Z only): ℓ⁺ takes the ν̄_e role in the g_L² term and ℓ⁻ in the g_R² term, so (ν, ℓ⁺, ℓ⁻) =
    (−1/3, (g_L² − g_R²/3)/(g_L² + g_R²), (g_R² − g_L²/3)/(g_L² + g_R²)); at 300 MeV the e mass changes them by less
    than 1e-4. Quadrature of the declared terms to 1e-4."""
    tiny = 1e-4 * M

    def f_cc(s12, s01):  # the spin-summed density at the tiny masses
        return msq_cc_leptons(M, tiny, tiny, s12, s01)

    def g_cc(s12, s01):
        return spin_cc_leptons(M, tiny, tiny, s12, s01)

    got = _alphas(f_cc, g_cc, (0.0, tiny, tiny))
    assert got == pytest.approx([-1 / 3, -1 / 3, 1.0], abs=1e-4)
    u2 = {"mu": 1.0}
    got = _alphas(dalitz_densities(M, u2)["nu e+ e-"], dalitz_spin_terms(M, u2)["nu e+ e-"], (0.0, M_E, M_E))
    ll, lr = GL_Z**2, GR_Z**2
    assert got == pytest.approx([-1 / 3, (ll - lr / 3) / (ll + lr), (lr - ll / 3) / (ll + lr)], abs=1e-4)


def _decay_at_rest(dec, visible, n, seed, conj=None, pol=1.0):
    """n decays of the state at rest, spin +z, polarisation ``pol`` (None: the unpolarised draw, same seed)."""
    rng = np.random.default_rng(seed)
    p4 = np.tile([float(dec.mass), 0.0, 0.0, 0.0], (n, 1))
    conj = np.zeros(n, bool) if conj is None else conj
    axis = np.tile([0.0, 0.0, 1.0], (n, 1))
    return div.dalitz_decay(rng, p4, dec, visible, conj, np.zeros(n, bool),
                            None if pol is None else np.full(n, pol), axis)


def _check_linear(cos, alpha):
    """mean a/3 within 4σ (σ² = (1/3 − α²/9)/n) and a 10-bin χ² against (1 + α c)/2 below its 0.1 % quantile."""
    n = len(cos)
    assert abs(cos.mean() - alpha / 3) < 4 * math.sqrt((1 / 3 - alpha**2 / 9) / n)
    edges = np.linspace(-1, 1, 11)
    obs, _ = np.histogram(cos, edges)
    exp = n * np.diff((edges + 1) / 2 + alpha * (edges**2 - 1) / 4)
    assert float(np.sum((obs - exp) ** 2 / exp)) < chi2.ppf(0.999, 9)


def _dirac(**u2):
    vals = {"m_n": f"{M} MeV", "nature": "dirac", "u2_e": 0.0, "u2_mu": 0.0, "u2_tau": 0.0}
    vals.update({f"u2_{k}": v for k, v in u2.items()})
    return get_model("heavy-neutral-lepton", vals).boson_decays("N")


def test_sampled_electron_and_lepton_directions_of_a_polarised_dirac_n():
    """Dirac N at rest, P = 1 along z, 100 000 decays each: the e⁻ of ν e⁺e⁻ (|U_μ|²: Z only) follows 1 + α cos θ with
    the massless-limit α = (g_R² − g_L²/3)/(g_L² + g_R²) (+0.23), its e⁺ and ν with their quadrature α; the e⁻ and μ⁺
    of e μ ν (|U_e|²: N → e⁻μ⁺ν_μ) with theirs (μ⁺ +0.59 at 300 MeV: the ν̄_e role, +1 if massless). The Dalitz points are those of the
    unpolarised draw with the same seed (to rounding) and the unturned events keep their daughters bit for bit."""
    n = 100_000
    dec = _dirac(mu=1e-7)
    inv, ep, em = _decay_at_rest(dec, "nu e+ e-", n, 5)
    ll, lr = GL_Z**2, GR_Z**2
    a_nu, a_ep, a_em = _alphas(dec.dalitz_msq["nu e+ e-"], dec.dalitz_spin["nu e+ e-"], (0.0, M_E, M_E))
    assert a_em == pytest.approx((lr - ll / 3) / (ll + lr), abs=1e-4)
    for p, a in ((em, a_em), (ep, a_ep), (inv, a_nu)):
        _check_linear(p[:, 3] / np.linalg.norm(p[:, 1:], axis=1), a)
    flat_inv, flat_ep, flat_em = _decay_at_rest(dec, "nu e+ e-", n, 5, pol=None)
    assert np.allclose(_dot(ep + em, ep + em), _dot(flat_ep + flat_em, flat_ep + flat_em), rtol=1e-9, atol=1e-6)
    assert np.allclose(_dot(inv + ep, inv + ep), _dot(flat_inv + flat_ep, flat_inv + flat_ep), rtol=1e-9, atol=1e-6)
    same = np.all(em == flat_em, axis=1)
    assert 0.3 < same.mean() < 1.0 and np.array_equal(ep[same], flat_ep[same])
    dec = _dirac(e=1e-7)
    inv, e, mu = _decay_at_rest(dec, "e mu nu", n, 6)
    alphas = _alphas(dec.dalitz_msq["e mu nu"], dec.dalitz_spin["e mu nu"], (0.0, M_E, M_MU))
    assert alphas[2] > 0.5 and alphas[1] < -0.2  # the μ⁺ along the spin, the e⁻ against it
    for p, a in zip((inv, e, mu), alphas, strict=True):
        _check_linear(p[:, 3] / np.linalg.norm(p[:, 1:], axis=1), a)


def test_majorana_charge_sum_and_the_cp_image():
    """A Majorana N (charge states ½ : ½ at the same spin, P = 1): the e⁻ of ν e⁺e⁻ follows
    ½[α_e⁻ − α_e⁺] of the N → ν e⁻e⁺ state (the CP image has −b with e⁺ ↔ e⁻): (2/3)(g_R² − g_L²)/(g_L² + g_R²) ≈ −0.10 in
    the massless limit, not 0 (the charges are recorded); the ν, i.e. the pair's total momentum (charge-blind), is
    isotropic. The Dirac N̄ (conj for every event) has the e⁺ with −α_e⁻."""
    n = 100_000
    dec = _dirac(mu=1e-7)
    _, a_ep, a_em = _alphas(dec.dalitz_msq["nu e+ e-"], dec.dalitz_spin["nu e+ e-"], (0.0, M_E, M_E))
    conj = np.random.default_rng(8).random(n) < 0.5
    inv, ep, em = _decay_at_rest(dec, "nu e+ e-", n, 7, conj=conj)
    ll, lr = GL_Z**2, GR_Z**2
    assert 0.5 * (a_em - a_ep) == pytest.approx(2 / 3 * (lr - ll) / (ll + lr), abs=1e-4)
    _check_linear(em[:, 3] / np.linalg.norm(em[:, 1:], axis=1), 0.5 * (a_em - a_ep))
    _check_linear(inv[:, 3] / np.linalg.norm(inv[:, 1:], axis=1), 0.0)
    inv, ep, em = _decay_at_rest(dec, "nu e+ e-", n, 9, conj=np.ones(n, bool))
    _check_linear(ep[:, 3] / np.linalg.norm(ep[:, 1:], axis=1), -a_em)


def test_a_negative_polarised_msq_is_rejected():
    """|B| > A somewhere (|M|² negative for some spin): an InputError naming the declaration."""
    p4 = np.tile([M, 0.0, 0.0, 0.0], (3, 1))
    d = np.tile([M / 2, 0.0, 0.0, M / 2], (3, 1))
    with pytest.raises(InputError, match="bad"):
        orient_to_spin(np.random.default_rng(1), p4, (d, d), np.ones(3), (np.full(3, 1.0), np.zeros(3)),
                       np.tile([0.0, 0.0, 1.0], (3, 1)), np.ones(3), "bad")


# ------------------------------------------------------------------------------------------------
# the decay-in-volume samples
# ------------------------------------------------------------------------------------------------
def _build(nature, polarisation="on", strip=False, experiment="microboone-absorber", mode="stopped", n_events=4000):
    model = get_model("heavy-neutral-lepton", {"m_n": f"{M} MeV", "u2_mu": "1e-8", "u2_e": "1e-8", "nature": nature,
                                               "polarisation": polarisation})
    if strip:  # the same model without the new declarations (decays() is cached per instance)
        def bare(v):
            return dataclasses.replace(v, dalitz_spin={}, asymmetry={k: a for k, a in v.asymmetry.items()
                                                                     if k not in ("nu gamma", "nu pi0")})
        model.__dict__["_decays"] = {k: bare(v) for k, v in model.decays().items()}
    s = build_signal(model, experiment, mode, n_mesons=20_000, n_events=n_events, seed=7, detector=False)
    return {model.detection[p.channel].visible: p for p in s.parts}


def _cos_about_spin(part, slot="p4_vis1"):
    """cos θ of a daughter about the helicity axis, rebuilt independently (−K̂ in the N rest frame)."""
    b = -beta_of(part.particles["p4_in"])
    k = boost(part.columns["parent_p4"], b)[:, 1:]
    q = boost(part.particles[slot], b)[:, 1:]
    return -np.sum(k * q, 1) / np.linalg.norm(k, axis=1) / np.linalg.norm(q, axis=1)


@pytest.fixture(scope="module")
def dirac_parts():
    return {"on": _build("dirac", n_events=16_000), "strip": _build("dirac", strip=True, n_events=16_000),
            "off": _build("dirac", "off", n_events=16_000)}


def test_nu_gamma_photon_in_the_pipeline(dirac_parts):
    """Dirac N from K⁺ at rest (NuMI absorber): the photon's cos θ about the spin has mean αP/3 (α = −1, P = P(K⁺ →
    μ⁺N) per event) and passes the χ²; with polarisation off, or without the declaration, it is isotropic."""
    on = dirac_parts["on"]["nu gamma"]
    pol = on.columns["polarisation"]
    assert np.all(on.columns["asymmetry"] == NU_GAMMA_ASYMMETRY) and np.all(pol > 0.5)
    _check_linear(_cos_about_spin(on), float(np.mean(NU_GAMMA_ASYMMETRY * pol)))
    for key in ("off", "strip"):
        _check_linear(_cos_about_spin(dirac_parts[key]["nu gamma"]), 0.0)


def test_nu_pi0_in_the_pipeline(dirac_parts):
    """Dirac N from K⁺ at rest: the π⁰ (γ + γ) direction about the spin has mean αP/3 (α = +1) and passes the χ²; the
    photons keep the π⁰ mass; with polarisation off, or without the declaration, it is isotropic."""
    on = dirac_parts["on"]["nu pi0"]
    pol = on.columns["polarisation"]
    assert np.all(on.columns["asymmetry"] == NU_PI0_ASYMMETRY) and np.all(pol > 0.5)
    pi0 = on.particles["p4_vis1"] + on.particles["p4_vis2"]
    assert np.allclose(np.sqrt(np.maximum(_dot(pi0, pi0), 0.0)), M_PI0, rtol=1e-6)
    for key, factor in (("on", 1.0), ("off", 0.0), ("strip", 0.0)):
        p = dirac_parts[key]["nu pi0"]
        p.particles["_pi0"] = p.particles["p4_vis1"] + p.particles["p4_vis2"]
        try:
            c = _cos_about_spin(p, "_pi0")
        finally:
            del p.particles["_pi0"]
        _check_linear(c, factor * float(np.mean(NU_PI0_ASYMMETRY * p.columns["polarisation"])))


def test_three_body_in_the_pipeline_follows_the_spin(dirac_parts):
    """The e⁻ of ν e⁺e⁻ (|U_e|² = |U_μ|²: the flavour-weighted terms) about the rebuilt spin axis: mean ⟨P⟩α/3 with α
    from the quadrature of the declared terms (4σ); polarisation off: 0."""
    dec = _dirac(e=1e-8, mu=1e-8)
    _, _, a_em = _alphas(dec.dalitz_msq["nu e+ e-"], dec.dalitz_spin["nu e+ e-"], (0.0, M_E, M_E))
    for key, factor in (("on", 1.0), ("off", 0.0)):
        p = dirac_parts[key]["nu e+ e-"]
        c = _cos_about_spin(p, "p4_vis1")  # the record's e⁻ (N from K⁺: no N̄ at the absorber)
        assert np.all(p.particles["pdg_vis1"] == 11)
        expected = factor * a_em * float(np.mean(p.columns["polarisation"])) / 3
        assert abs(c.mean() - expected) < 4 * c.std() / math.sqrt(len(c)), key
        if key == "on":  # the effect is resolved by this sample
            assert abs(expected) > 5 * c.std() / math.sqrt(len(c))


@pytest.mark.parametrize("nature", ["dirac", "majorana"])
def test_only_the_polarised_daughters_change(nature, dirac_parts):
    """With the declarations against the same model without them (one run, same seed): every part's count, weights,
    decay points, N momenta, sources and records' ids are identical bit for bit, the parts other than ν γ (Dirac) and
    the three-body ones entirely; the three-body Dalitz invariants agree to rounding; the polarised daughters differ."""
    on = dirac_parts["on"] if nature == "dirac" else _build(nature, n_events=16_000)
    bare = dirac_parts["strip"] if nature == "dirac" else _build(nature, strip=True, n_events=16_000)
    changed = set(THREE) | ({"nu gamma", "nu pi0"} if nature == "dirac" else set())
    assert set(on) == set(bare)
    for visible, p in on.items():
        q = bare[visible]
        assert np.array_equal(p.base_weight, q.base_weight) and np.array_equal(p.columns["x_dec"], q.columns["x_dec"])
        assert np.array_equal(p.source, q.source)
        for key in ("p4_in", "pdg_in", "pdg_vis1", "pdg_vis2", "pdg_inv"):
            assert np.array_equal(p.particles[key], q.particles[key]), (visible, key)
        same = all(np.array_equal(p.particles[k], q.particles[k]) for k in p.particles)
        assert same == (visible not in changed), visible
        if visible in THREE:
            v1, v2, inv = (p.particles[k] for k in ("p4_vis1", "p4_vis2", "p4_inv"))
            w1, w2, winv = (q.particles[k] for k in ("p4_vis1", "p4_vis2", "p4_inv"))
            scale = float(np.max(p.particles["p4_in"][:, 0])) ** 2
            assert np.allclose(_dot(v1 + v2, v1 + v2), _dot(w1 + w2, w1 + w2), rtol=0, atol=1e-9 * scale)
            assert np.allclose(_dot(inv + v1, inv + v1), _dot(winv + w1, winv + w1), rtol=0, atol=1e-9 * scale)


def test_polarisation_leaves_the_widths_unchanged():
    """Integrated over angles the polarised density is the spin-summed one: the widths do not depend on the switch,
    and Σ_i b_i k_i·s averages to 0 over orientations (the rotation average of v·ŝ, checked on 20 000 random
    orientations of one Dalitz point to 4σ)."""
    for nature in ("dirac", "majorana"):
        on = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "nature": nature, "u2_e": "1e-7"})
        off = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "nature": nature, "u2_e": "1e-7",
                                                 "polarisation": "off"})
        assert on.decays()["N"].widths == off.decays()["N"].widths
    dec = _dirac(e=1e-7)
    n = 20_000
    rng = np.random.default_rng(12)
    s12, s01 = np.full(n, 0.3 * M * M), np.full(n, 0.2 * M * M)
    inv, e, mu = three_body_momenta(rng, np.tile([M, 0.0, 0.0, 0.0], (n, 1)), M, 0.0, M_E, M_MU, s12, s01)
    s = np.array([0.0, 0.0, 0.0, 1.0])
    x = sum(b * _dot(k, s) for b, k in zip(dec.dalitz_spin["e mu nu"](s12, s01), (inv, e, mu), strict=True))
    assert np.std(x) > 0 and abs(x.mean()) < 4 * x.std() / math.sqrt(n)


def test_docs_numbers_of_the_polarised_decays_table():
    """docs/make_hnl_polarised_decays.py: every row of the two tables in docs/portal_hnl.md, "Polarisation", is the
    script's (printed digits); its Monte Carlo means agree with the quadratures and the analytic lab-frame means within
    4σ; the photon's mean lab energy at the NuMI absorber drops with the polarisation on (150 and 300 MeV)."""
    spec = importlib.util.spec_from_file_location("make_hnl_polarised_decays",
                                                  ROOT / "docs" / "make_hnl_polarised_decays.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (ROOT / "docs" / "portal_hnl.md").read_text(encoding="utf-8")
    rows, lab = mod.rows(), mod.lab_rows()
    for line in mod.table_lines(rows) + mod.lab_lines(lab):
        assert line in text, line
    assert max(r["pull"] for r in rows + lab) < 4.0
    for r in lab:  # the photon of a Dirac N (α = −1, P > 0) is softer with the polarisation on, by many errors
        assert r["mean"]["gamma", "off"] - r["mean"]["gamma", "on"] > 10 * math.hypot(r["err"]["gamma", "off"],
                                                                                     r["err"]["gamma", "on"])
