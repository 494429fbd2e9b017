"""Three-body HNL decays drawn from their matrix element, not flat phase space (issue 11, neutrino portal):
``Decays.dalitz_msq`` of the heavy neutral lepton (models/hnl.dalitz_densities) read by the generic decay-in-volume
process (pipeline/decay_in_volume.dalitz_decay, kinematics/dalitz.py).

Independent routes: explicit Dirac traces of the four-fermion amplitudes (the |M|² each channel declares, at random
Dalitz points, in the roles of the listed daughters); the closed-form widths of Bondarenko et al. 2018 (the model's
partial widths) against the declared |M|² integrated over the Dalitz plot with ``dalitz_grid``; the massless-lepton
pair-mass spectrum dΓ/ds ∝ (m² − s)²(m² + 2s) of a V−A contact interaction (from ∫ k^α k'^β dΦ₂ =
π/24 (g^{αβ} q² + 2q^α q^β)); the sampled Dalitz plots against the declared density integrated bin by bin (χ² below
its 0.1 % quantile, fixed seeds); hashes of the samples made by the code before this change (the flat-phase-space
version at commit 2465e9a) for what must not change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2

from darkbeam.constants import G_F, M_E, M_MU, SIN2_THETA_W
from darkbeam.declarations import pair_conjugate_key
from darkbeam.errors import InputError
from darkbeam.interactions.hnl_decays import dalitz_grid
from darkbeam.kinematics.dalitz import (
    BOUND_MARGIN,
    BOUND_NODES,
    dalitz_bound,
    s01_limits,
    sample_dalitz,
    three_body_momenta,
)
from darkbeam.kinematics.fourvec import beta_of, boost
from darkbeam.models import get_model
from darkbeam.models.hnl import dalitz_densities, partial_widths
from darkbeam.pipeline import decay_in_volume as div
from darkbeam.pipeline.signal import build_signal
from darkbeam.production.matrix_elements import GAMMA, GAMMA5, METRIC, ONE4, slash

ROOT = Path(__file__).resolve().parents[1]
M = 300.0
THREE = ("nu e+ e-", "nu mu+ mu-", "e mu nu")
_GAUSS_X, _GAUSS_W = np.polynomial.legendre.leggauss(16)


def _model(nature: str = "dirac", m: float = M, **u2):
    vals = {"m_n": f"{m} MeV", "nature": nature, "u2_e": 0.0, "u2_mu": 0.0, "u2_tau": 0.0}
    vals.update({f"u2_{k}": v for k, v in u2.items()})
    return get_model("heavy-neutral-lepton", vals)


def _masses(visible):
    return div.MULTI_BODY_FINAL_STATES[visible][1]


def _lab_states(rng, n, m=M):
    """n states of mass m moving in random directions with |p| = 800 MeV (lab four-momenta, MeV)."""
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    return np.concatenate([np.full((n, 1), math.hypot(800.0, m)), 800.0 * d], axis=1)


def _msq(p):
    return p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1)


def _decay(dec, visible, n, seed, conj=False, flip=False):
    rng = np.random.default_rng(seed)
    p4 = _lab_states(rng, n, float(dec.mass))
    inv, a, b = div.dalitz_decay(rng, p4, dec, visible, np.full(n, conj), np.full(n, flip))
    return p4, inv, a, b


def _roles(visible, density, swap):
    """The density in the listed roles, or with the two visible daughters exchanged (the CP image of e⁺e⁻)."""
    m0, m1, m2 = _masses(visible)
    if not swap:
        return density
    return lambda s12, s01: density(s12, M * M + m0**2 + m1**2 + m2**2 - s12 - s01)


def _bin_probabilities(density, visible, n12=8, nt=8):
    """Probabilities of (s12, t) bins, t = (s01 − s01_min)/(s01_max − s01_min) at fixed s12, from the density
    integrated with 16 × 16 Gauss–Legendre nodes per bin (Jacobian s01_max − s01_min)."""
    m0, m1, m2 = _masses(visible)
    e12, et = np.linspace((m1 + m2) ** 2, (M - m0) ** 2, n12 + 1), np.linspace(0.0, 1.0, nt + 1)
    out = np.zeros((n12, nt))
    for i in range(n12):
        s = e12[i] + (e12[i + 1] - e12[i]) * (_GAUSS_X + 1) / 2
        ws = _GAUSS_W * (e12[i + 1] - e12[i]) / 2
        a, b = s01_limits(s, M, m0, m1, m2)
        for j in range(nt):
            t = et[j] + (et[j + 1] - et[j]) * (_GAUSS_X + 1) / 2
            wt = _GAUSS_W * (et[j + 1] - et[j]) / 2
            s01 = a[:, None] + (b - a)[:, None] * t[None, :]
            f = density(np.broadcast_to(s[:, None], s01.shape).ravel(), s01.ravel()).reshape(s01.shape)
            out[i, j] = np.sum(ws[:, None] * wt[None, :] * f * (b - a)[:, None])
    return out / out.sum(), e12, et


def _chi2(s12, s01, probs, e12, et, visible):
    m0, m1, m2 = _masses(visible)
    a, b = s01_limits(s12, M, m0, m1, m2)
    t = np.clip((s01 - a) / (b - a), 0.0, 1.0)
    obs = np.histogram2d(s12, t, [e12, et])[0]
    exp = len(s12) * probs
    return float(np.sum((obs - exp) ** 2 / exp))


CASES = [  # (visible, mixings, conj, flip, key of the density)
    ("nu e+ e-", {"mu": 1e-7}, False, False, "nu e+ e-"),  # α = μ: Z only
    ("nu e+ e-", {"e": 1e-7}, False, False, "nu e+ e-"),  # α = e: Z, W and their interference
    ("nu e+ e-", {"e": 1e-7}, True, False, "nu e+ e-"),  # the CP image: e⁺ and e⁻ exchange roles
    ("nu mu+ mu-", {"mu": 1e-7}, False, False, "nu mu+ mu-"),
    ("e mu nu", {"e": 1e-7, "mu": 1e-7}, False, False, "e mu nu"),  # e⁻μ⁺ν_μ
    ("e mu nu", {"e": 1e-7, "mu": 1e-7}, False, True, pair_conjugate_key("e mu nu")),  # μ⁻e⁺ν_e
]


@pytest.mark.parametrize(("visible", "u2", "conj", "flip", "key"), CASES)
def test_sampled_dalitz_plot_follows_the_matrix_element(visible, u2, conj, flip, key):
    """100 000 decays (lab four-momenta from ``dalitz_decay``, invariants recomputed from them) in 8 × 8 bins of
    (s12, t): χ² against the declared |M|² (in the roles the written charges give) below its 0.1 % quantile (63 dof);
    against flat phase space it is far above (the test sees the matrix element)."""
    dec = _model(**u2).boson_decays("N")
    n = 100_000
    _, inv, a, b = _decay(dec, visible, n, seed=5, conj=conj, flip=flip)
    s12, s01 = _msq(a + b), _msq(inv + a)
    limit = chi2.ppf(0.999, 63)
    probs, e12, et = _bin_probabilities(_roles(visible, dec.dalitz_msq[key], conj), visible)
    assert _chi2(s12, s01, probs, e12, et, visible) < limit
    flat, _, _ = _bin_probabilities(lambda s, t: np.ones_like(s), visible)
    assert _chi2(s12, s01, flat, e12, et, visible) > 10 * limit


# ------------------------------------------------------------------------------------------------
# the declared |M|² against explicit traces
# ------------------------------------------------------------------------------------------------
_PL, _PR = (ONE4 - GAMMA5) / 2, (ONE4 + GAMMA5) / 2
_G_LOW = [np.einsum("mn,nij->mij", METRIC, GAMMA)[mu] for mu in range(4)]  # γ_μ


def _trace_msq(k_n, m_n, k_out1, m_out1, k_pair_p, m_p, k_pair_a, m_a, chiral):
    """Σ_spins |M|² of M = 2√2 G_F [ū(out1) γ^μ P_L u(N)] [ū(p) γ_μ (g_L P_L + g_R P_R) v(a)], explicit traces:
    Tr[(k̸₁ + m₁) γ^μ P_L (k̸_N + m_N) P_R γ^ν] · Tr[(k̸_p + m_p) γ_μ Γ (k̸_a − m_a) Γ̄ γ_ν], Γ̄ = g_L P_R + g_R P_L."""
    gl, gr = chiral
    s = lambda k: slash(k[None, :])[0]
    t1 = np.array([[np.trace((s(k_out1) + m_out1 * ONE4) @ GAMMA[mu] @ _PL @ (s(k_n) + m_n * ONE4) @ _PR @ GAMMA[nu])
                    for nu in range(4)] for mu in range(4)])
    gam, gbar = gl * _PL + gr * _PR, gl * _PR + gr * _PL
    t2 = np.array([[np.trace((s(k_pair_p) + m_p * ONE4) @ _G_LOW[mu] @ gam @ (s(k_pair_a) - m_a * ONE4) @ gbar
                             @ _G_LOW[nu]) for nu in range(4)] for mu in range(4)])
    return 8.0 * G_F**2 * float(np.real(np.sum(t1 * t2)))


def _random_points(visible, n, seed):
    m0, m1, m2 = _masses(visible)
    rng = np.random.default_rng(seed)
    s12 = rng.uniform((m1 + m2) ** 2, (M - m0) ** 2, n)
    a, b = s01_limits(s12, M, m0, m1, m2)
    s01 = a + (b - a) * rng.uniform(0.0, 1.0, n)
    inv, p1, p2 = three_body_momenta(rng, np.tile([M, 0.0, 0.0, 0.0], (n, 1)), M, m0, m1, m2, s12, s01)
    return s12, s01, inv, p1, p2


def test_declared_msq_against_explicit_traces():
    """At 6 random Dalitz points each, the declared |M|² at |U|² = 1 equals the explicit trace of its amplitude (the
    listed daughters' roles: ν e⁺e⁻ as (ν, e⁺, e⁻), e μ ν as (ν, e, μ)) to 1e-9: N → ν_μ e⁻e⁺ (Z: g_L = −½ + s_W²,
    g_R = s_W²), N → e⁻μ⁺ν_μ (W, Fierzed: [ū_e γ^μ P_L u_N][ū_ν γ_μ P_L v_μ]) and, for the pair-conjugate order,
    N → μ⁻e⁺ν_e."""
    dens = dalitz_densities(M, {"e": 1.0, "mu": 1.0, "tau": 0.0})
    nc = dalitz_densities(M, {"mu": 1.0})["nu e+ e-"]
    s12, s01, nu, ep, em = _random_points("nu e+ e-", 6, 1)
    got = nc(s12, s01)
    for i in range(6):
        ref = _trace_msq(np.array([M, 0, 0, 0.0]), M, nu[i], 0.0, em[i], M_E, ep[i], M_E,
                         (-0.5 + SIN2_THETA_W, SIN2_THETA_W))
        assert got[i] == pytest.approx(ref, rel=1e-9, abs=0)
    s12, s01, nu, e, mu = _random_points("e mu nu", 6, 2)
    listed, other = dens["e mu nu"](s12, s01), dens[pair_conjugate_key("e mu nu")](s12, s01)
    for i in range(6):
        n4 = np.array([M, 0, 0, 0.0])
        # e⁻μ⁺ν_μ: [ū_e γ^μ P_L u_N][ū_ν γ_μ P_L v_μ] (Fierz of the W exchange; coupling 2√2 G_F for g_L = 1)
        assert listed[i] == pytest.approx(_trace_msq(n4, M, e[i], M_E, nu[i], 0.0, mu[i], M_MU, (1.0, 0.0)), rel=1e-9)
        # μ⁻e⁺ν_e: the e slot carries the e⁺, the μ slot the μ⁻
        assert other[i] == pytest.approx(_trace_msq(n4, M, mu[i], M_MU, nu[i], 0.0, e[i], M_E, (1.0, 0.0)), rel=1e-9)
    assert not np.allclose(listed, other, rtol=1e-3, atol=0.0)  # the two orders really differ


# ------------------------------------------------------------------------------------------------
# normalisation and moments
# ------------------------------------------------------------------------------------------------
def _integral(density, visible, m, g=None, nodes=96):
    """∫ g·|M|² ds12 ds01 over the Dalitz region (dalitz_grid: m23² = s12, m24² = s01 with daughters ordered
    (state, visible 1, visible 2, invisible))."""
    m0, m1, m2 = _masses(visible)
    s12, s01, w = dalitz_grid(m, m1, m2, m0, nodes)
    f = density(s12, s01)
    return float(np.sum(w * f * (1.0 if g is None else g(s12, s01))))


@pytest.mark.parametrize("m", [150.0, 385.0])
@pytest.mark.parametrize("nature", ["dirac", "majorana"])
def test_declared_density_integrates_to_the_partial_width(m, nature):
    """∫ |M|² ds12 ds01 /(512 π³ m³) (× 2 for a Majorana N, whose charge states have the same |M|²) = the model's
    closed-form partial width (B2018) for each open three-body channel, all three mixings on; "e mu nu" as the sum of
    its two orders. Measured with 96 × 96 nodes: 2.6e-5 (ν e⁺e⁻ at 150 MeV: the quadrature's own error near the e⁺e⁻
    threshold, as in tests/test_hnl.py), ≤ 6.4e-6 for the others (tolerance 1e-4)."""
    u2 = {"e": 2e-7, "mu": 5e-7, "tau": 1e-7}
    dec = _model(nature, m, **u2).boson_decays("N")
    widths = partial_widths(m, u2, nature == "majorana")
    factor = (2.0 if nature == "majorana" else 1.0) / (512.0 * math.pi**3 * m**3)
    for visible in THREE:
        if widths[visible] == 0.0:
            assert visible not in dec.dalitz_msq  # closed: nothing declared
            continue
        keys = [visible] + ([pair_conjugate_key(visible)] if visible == "e mu nu" else [])
        got = factor * sum(_integral(dec.dalitz_msq[k], visible, m) for k in keys)
        assert got == pytest.approx(widths[visible], rel=1e-4), visible
    # the e μ ν orders in the |U_e|² : |U_μ|² proportion the charge order uses (pair_charge_fraction)
    if widths["e mu nu"] > 0:
        a = _integral(dec.dalitz_msq["e mu nu"], "e mu nu", m)
        b = _integral(dec.dalitz_msq[pair_conjugate_key("e mu nu")], "e mu nu", m)
        assert a / (a + b) == pytest.approx(dec.pair_charge_fraction["e mu nu"], rel=1e-6)


def test_mean_pair_mass_against_quadrature_and_the_massless_limit():
    """ν e⁺e⁻ (α = μ) at 300 MeV: the sampled mean pair mass (100 000 decays) = the 2-D quadrature of √s12 |M|² within
    4σ; the quadrature = the massless V−A spectrum's (m² − s)²(m² + 2s), mean √s = 0.50794 m, to 1e-3 (the e mass
    shifts it by O(m_e²/m²)); flat phase space would give 0.53333 m, 16σ away. Also ν μ⁺μ⁻ and e μ ν (both orders)
    against their quadratures."""
    for visible, u2, key, flip in (("nu e+ e-", {"mu": 1e-7}, "nu e+ e-", False),
                                   ("nu mu+ mu-", {"mu": 1e-7}, "nu mu+ mu-", False),
                                   ("e mu nu", {"e": 1e-7, "mu": 1e-7}, "e mu nu", False),
                                   ("e mu nu", {"e": 1e-7, "mu": 1e-7}, pair_conjugate_key("e mu nu"), True)):
        dec = _model(**u2).boson_decays("N")
        _, _, a, b = _decay(dec, visible, 100_000, seed=9, flip=flip)
        m12 = np.sqrt(_msq(a + b))
        f = dec.dalitz_msq[key]
        quad = _integral(f, visible, M, lambda s, t: np.sqrt(s)) / _integral(f, visible, M)
        assert abs(m12.mean() - quad) < 4.0 * m12.std() / math.sqrt(len(m12)), visible
        if visible == "nu e+ e-":
            massless = M * (2.0 / 3.0 - 6.0 / 7.0 + 4.0 / 9.0) / 0.5
            assert quad == pytest.approx(massless, rel=1e-3)
            assert abs(m12.mean() - M * 8.0 / 15.0) > 16.0 * m12.std() / math.sqrt(len(m12))


def test_four_momentum_conservation_and_mass_shells():
    """Each decay of every declared channel (both charge roles): invisible + visible 1 + visible 2 = the state's
    four-momentum to 1e-9 relative, each daughter on its mass shell."""
    dec = _model(e=1e-7, mu=1e-7).boson_decays("N")
    for visible in THREE:
        m0, m1, m2 = _masses(visible)
        for conj, flip in ((False, False), (True, True)):
            p4, inv, a, b = _decay(dec, visible, 2000, seed=3, conj=conj, flip=flip)
            scale = float(np.max(np.abs(p4)))
            assert np.max(np.abs(inv + a + b - p4)) < 1e-9 * scale
            for q, mm in ((inv, m0), (a, m1), (b, m2)):
                assert np.max(np.abs(_msq(q) - mm * mm)) < 1e-7 * scale**2


def test_bound_of_the_accept_reject_holds_on_a_finer_grid():
    """The bound (BOUND_MARGIN × the maximum on the 257² grid) is above every value of the declared densities on a
    2001² grid of the Dalitz region, at three masses (the safety margin is verified, not assumed)."""
    for m in (120.0, 300.0, 1500.0):
        dens = dalitz_densities(m, {"e": 1e-7, "mu": 3e-7, "tau": 1e-7})
        assert dens
        for key, f in dens.items():
            visible = key.removesuffix(" (pair conjugate)")
            m0, m1, m2 = _masses(visible)
            bound, _ = dalitz_bound(f, m, m0, m1, m2)
            s12 = np.linspace((m1 + m2) ** 2, (m - m0) ** 2, 2001)
            lo, hi = s01_limits(s12, m, m0, m1, m2)
            t = np.linspace(0.0, 1.0, 2001)
            fine = f(np.repeat(s12, 2001), (lo[:, None] + (hi - lo)[:, None] * t[None, :]).ravel())
            assert float(np.max(fine)) < bound / BOUND_MARGIN * 1.01 < bound, key


def test_a_density_negative_somewhere_is_rejected():
    """A declared |M|² that is negative on part of the Dalitz region is an InputError naming the declaration."""
    dec = dataclasses.replace(_model(mu=1e-7).boson_decays("N"), dalitz_msq={"nu e+ e-": lambda s, t: s - 3e4})
    with pytest.raises(InputError, match=r"N Decays.dalitz_msq\['nu e\+ e-'\]"):
        _decay(dec, "nu e+ e-", 10, seed=1)


# ------------------------------------------------------------------------------------------------
# charges: the kinematics follow the written record
# ------------------------------------------------------------------------------------------------
def test_dirac_n_and_nbar_and_majorana_e_energies():
    """ν e⁺e⁻ with |U_e|² (W-dominated: the e⁻ takes the hard, Michel-like spectrum): in the N frame a Dirac N's e⁻ is
    harder than its e⁺, by the quadrature's difference within 4σ; the CP image (N̄, or the Majorana's other charge
    state) has them exchanged; the Majorana sample (charges ½ : ½) has equal means within 4σ."""
    dec = _model(e=1e-7).boson_decays("N")
    f = dec.dalitz_msq["nu e+ e-"]
    # E*(e⁺) = (m² + m_e² − s02)/(2m), E*(e⁻) = (m² + m_e² − s01)/(2m), s01 = (ν + e⁺)²
    total = M * M + 2 * M_E**2
    e_plus = _integral(f, "nu e+ e-", M, lambda s, t: (M * M + M_E**2 - (total - s - t)) / (2 * M))
    e_minus = _integral(f, "nu e+ e-", M, lambda s, t: (M * M + M_E**2 - t) / (2 * M))
    norm = _integral(f, "nu e+ e-", M)
    diff = (e_minus - e_plus) / norm
    assert diff > 5.0  # MeV: a real asymmetry
    n = 40_000
    for conj, sign in ((False, 1.0), (True, -1.0)):
        p4, _, ep, em = _decay(dec, "nu e+ e-", n, seed=13, conj=conj)
        d = boost(em, -beta_of(p4))[:, 0] - boost(ep, -beta_of(p4))[:, 0]
        assert abs(d.mean() - sign * diff) < 4.0 * d.std() / math.sqrt(n)
    rng = np.random.default_rng(17)
    p4 = _lab_states(rng, n)
    conj = rng.random(n) < 0.5
    _, ep, em = div.dalitz_decay(rng, p4, dec, "nu e+ e-", conj, np.zeros(n, bool))
    d = boost(em, -beta_of(p4))[:, 0] - boost(ep, -beta_of(p4))[:, 0]
    assert abs(d.mean()) < 4.0 * d.std() / math.sqrt(n)


def test_pipeline_records_follow_their_kinematics():
    """Dirac N at NuMI (N and N̄ parents), truth level, |U_e|² = |U_μ|²: in the N frame, (i) ν e⁺e⁻ events of N have a
    harder e⁻ than e⁺ and those of N̄ the reverse (the sign of the mean difference, > 4σ each); (ii) e μ ν events
    written e⁻μ⁺ or e⁺μ⁻ (N) / e⁺μ⁻ or e⁻μ⁺ (N̄) have the mean e energy of the order written (quadrature of the listed
    or the pair-conjugate |M|², within 4σ), which differ by more than 8σ."""
    model = _model(e=1e-8, mu=1e-8)
    dec = model.boson_decays("N")
    s = build_signal(model, "microboone-numi", "neutrino", n_mesons=20_000, n_events=20_000, seed=23, detector=False)
    parts = {model.detection[p.channel].visible: p for p in s.parts}
    P = parts["nu e+ e-"].particles
    assert set(np.unique(P["pdg_in"])) == {-model.state_pdg, model.state_pdg}
    ee = {}
    for slot in ("vis1", "vis2"):
        e = boost(P[f"p4_{slot}"], -beta_of(P["p4_in"]))[:, 0]
        ee[int(np.unique(P[f"pdg_{slot}"])[0])] = e
    d = ee[11] - ee[-11]
    for sign in (1, -1):
        sel = P["pdg_in"] == sign * model.state_pdg
        assert sign * d[sel].mean() > 4.0 * d[sel].std() / math.sqrt(sel.sum())
    P = parts["e mu nu"].particles
    e_slot = np.where(np.abs(P["pdg_vis1"]) == 11, 1, 2)
    assert np.all(e_slot == 1)  # the record keeps e in slot 1 (the listed order's slot), its charge per event
    e_star = boost(P["p4_vis1"], -beta_of(P["p4_in"]))[:, 0]
    listed = (np.sign(P["pdg_in"]) * P["pdg_vis1"]) == 11  # N → e⁻μ⁺ or N̄ → e⁺μ⁻: the listed order or its CP image
    total = M * M + M_E**2 + M_MU**2

    def mean_e(key):
        f = dec.dalitz_msq[key]
        return _integral(f, "e mu nu", M, lambda s, t: (M * M + M_E**2 - (total - s - t)) / (2 * M)) / _integral(
            f, "e mu nu", M)

    means = {True: mean_e("e mu nu"), False: mean_e(pair_conjugate_key("e mu nu"))}
    for which in (True, False):
        x = e_star[listed == which]
        assert abs(x.mean() - means[which]) < 4.0 * x.std() / math.sqrt(len(x))
    err = e_star.std() / math.sqrt(len(e_star) / 2)
    assert abs(means[True] - means[False]) > 8.0 * err


# ------------------------------------------------------------------------------------------------
# what must not change: everything but the three-body daughters (compared within one run, so that the test does not
# depend on the floating-point bits of one numpy build or CPU; the same comparison against the flat-phase-space code
# of commit 2465e9a, by stored hashes, was made when this was written)
# ------------------------------------------------------------------------------------------------
def _digest(arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a))
        h.update(str(a.dtype).encode())
        h.update(a.tobytes())
    return h.hexdigest()


CONFIGS = [("majorana", "microboone", True), ("dirac", "microboone-numi", False)]


def _build(nature, experiment, detector, strip=False):
    model = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "u2_mu": "1e-8", "u2_e": "1e-8", "nature": nature})
    if strip:  # the same model without the declaration (decays() is cached per instance): flat phase space
        model.__dict__["_decays"] = {k: dataclasses.replace(v, dalitz_msq={}) for k, v in model.decays().items()}
        assert not model.boson_decays("N").dalitz_msq
    s = build_signal(model, experiment, "neutrino", n_mesons=4000, n_events=400, seed=7, detector=detector)
    return {model.detection[p.channel].visible: p for p in s.parts}


def _truth_digest(p, visible, detector):
    cols = [p.columns[k] for k in sorted(p.columns) if k != "channel"]
    arrays = [p.source, p.particles["p4_in"], p.particles["pdg_in"], *cols]
    if not detector:
        arrays.append(p.base_weight)
    if visible not in THREE:
        arrays += [p.base_weight, p.E_vis, p.cos_theta, p.E_QE] + [p.particles[k] for k in sorted(p.particles)]
    return _digest(arrays)


def _full_digest(p):
    cols = [p.columns[k] for k in sorted(p.columns) if k != "channel"]
    return _digest([p.source, p.base_weight, p.E_vis, p.cos_theta, p.E_QE, *cols]
                   + [p.particles[k] for k in sorted(p.particles)])


@pytest.mark.parametrize(("nature", "experiment", "detector"), CONFIGS)
def test_only_the_three_body_daughters_change(nature, experiment, detector):
    """With the |M|² declared against the same model without it (flat phase space, the generic fallback): every part's
    count, decay points, truth-level weights, N momenta and columns are identical bit for bit, the non-three-body parts
    entirely; the three-body parts' daughters differ."""
    with_msq, flat = _build(nature, experiment, detector), _build(nature, experiment, detector, strip=True)
    assert set(with_msq) == set(flat) and set(THREE) <= set(with_msq)
    for visible, p in with_msq.items():
        q = flat[visible]
        assert len(p.base_weight) == len(q.base_weight) == 400
        assert _truth_digest(p, visible, detector) == _truth_digest(q, visible, detector), visible
        assert (_full_digest(p) == _full_digest(q)) == (visible not in THREE), visible


# ------------------------------------------------------------------------------------------------
# the numbers of docs/portal_hnl.md, "Three-body decays: the matrix element"
# ------------------------------------------------------------------------------------------------
def test_docs_numbers_of_the_dalitz_table():
    """docs/make_hnl_dalitz.py: every row of the document's table is the script's (quadratures, printed to 4 digits),
    its Monte Carlo cross-check within 4σ, and the quadrature's pair-mass mean at 300 MeV and |U_μ|² alone equals the
    massless V−A value 0.50794 to 1e-3."""
    spec = importlib.util.spec_from_file_location("make_hnl_dalitz", ROOT / "docs" / "make_hnl_dalitz.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rows = mod.rows()
    text = (ROOT / "docs" / "portal_hnl.md").read_text(encoding="utf-8")
    doc = [line for line in text.splitlines() if line.startswith(("| 100 MeV |", "| 300 MeV |")) and "only" in line]
    assert len(doc) == len(rows) == 4
    for line, r in zip(doc, rows, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == f"{r['m']:g} MeV"
        assert [float(c) for c in cells[-6:-1]] == [round(v, 4) for v in (
            r["flat"]["m_ee"], r["msq"]["m_ee"], r["flat"]["abs_asym"], r["msq"]["abs_asym"], r["msq"]["asym"])]
        assert float(cells[-1]) == round(r["pull"], 1) and r["pull"] < 4.0
    assert rows[2]["msq"]["m_ee"] == pytest.approx((2 / 3 - 6 / 7 + 4 / 9) / 0.5, rel=1e-3)


def test_a_peak_between_the_grid_nodes_raises_the_bound():
    """A density the bound's grid cannot see (a band 50 times higher between two s12 nodes): the proposals find it,
    the bound is raised and the sampling restarts, so the band holds its share of the points (binomial, 4σ), where a
    sampler that kept the grid's bound would give it about 1/50 of that."""
    m, m0, m1, m2 = M, 0.0, M_E, M_E
    lo, hi = (m1 + m2) ** 2, m * m
    nodes = np.linspace(lo, hi, BOUND_NODES)
    band = (nodes[100] + 0.3 * (nodes[101] - nodes[100]), nodes[100] + 0.7 * (nodes[101] - nodes[100]))

    def density(s12, s01):
        return np.where((s12 > band[0]) & (s12 < band[1]), 50.0, 1.0) + 0.0 * s01

    width = lambda s: np.subtract(*s01_limits(s, m, m0, m1, m2)[::-1])  # s01 range: flat phase space density
    x = np.linspace(0.0, 1.0, 4001)
    inside = np.trapezoid(width(band[0] + (band[1] - band[0]) * x), x) * (band[1] - band[0])
    total = np.trapezoid(width(lo + (hi - lo) * x), x) * (hi - lo)
    p = 50.0 * inside / (total + 49.0 * inside)
    n = 50_000
    s12, _ = sample_dalitz(np.random.default_rng(31), density, m, m0, m1, m2, n)
    got = np.mean((s12 > band[0]) & (s12 < band[1]))
    assert abs(got - p) < 4.0 * math.sqrt(p * (1 - p) / n) and p > 0.02
