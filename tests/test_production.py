"""Tests of meson production on the BNB target (darkbeam.beams.production / .target).

Independent routes used: hand evaluation of the published formulas (scalar math, constants
re-typed from the papers), scipy dblquad vs the Gauss-Legendre integrator, x_F from an explicit
Lorentz boost, HARP p-Be π+ data vs the Sanford-Wang fit, the analytic truncated-exponential
vertex law, and Monte Carlo sums with tolerances from their own standard errors.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate

from darkbeam.beams import (
    MESON_PRODUCTION,
    SPECIES,
    interaction_length,
    interaction_probability,
    iter_mesons,
    mesons_per_pot,
    production_table,
    sample_mesons,
    sigma_inelastic,
)
from darkbeam.beams.production import integrate_cross_section, production_model
from darkbeam.constants import M_P
from darkbeam.detectors.catalog import BEAMS
from darkbeam.errors import InputError
from darkbeam.kinematics.fourvec import boost

BNB = BEAMS.get("bnb")
MB_PER_GEV_IN_MM2_PER_MEV = 1e-25 / 1e3  # 1 mb = 1e-27 cm² = 1e-25 mm²; 1 GeV = 1e3 MeV


def _sw_hand(c, p, th, pb=8.89):
    """Sanford-Wang, MiniBooNE PRD 79 072002 Eq. 1, scalar, mb/(GeV/c)/sr."""
    c1, c2, c3, c4, c5, c6, c7, c8, c9 = c
    return c1 * p**c2 * (1 - p / (pb - c9)) * math.exp(
        -c3 * p**c4 / pb**c5 - c6 * th * (p - c7 * pb * math.cos(th) ** c8))


@pytest.mark.parametrize(
    "species,c,p,th",
    [
        ("pi+", (220.7, 1.080, 1.0, 1.978, 1.32, 5.572, 0.0868, 9.686, 1.0), 2.0, 0.1),
        ("pi-", (213.7, 0.9379, 5.454, 1.210, 1.284, 4.781, 0.07338, 8.329, 1.0), 1.2, 0.05),
        ("K0L", (15.130, 1.975, 4.084, 0.928, 0.731, 4.362, 0.048, 13.300, 1.278), 3.0, 0.15),
    ],
)
def test_sanford_wang_hand_point(species, c, p, th):
    model = production_model(BNB, species)
    got = float(model.d2sigma_dp_domega(p * 1e3, th)) / MB_PER_GEV_IN_MM2_PER_MEV
    assert got == pytest.approx(_sw_hand(c, p, th), rel=1e-10)


def test_sanford_wang_pi_plus_value_by_hand():
    # p = 2 GeV/c, θ = 0.1 rad worked out step by step:
    # 220.7 * 2^1.08 = 466.57; (1 - 2/7.89) = 0.74651; 2^1.978/8.89^1.32 = 0.22024;
    # cos(0.1)^9.686 = 0.95265; -5.572*0.1*(2 - 0.0868*8.89*0.95265) = -0.70480
    expected = 466.57 * 0.74651 * math.exp(-0.22024 - 0.70480)
    model = production_model(BNB, "pi+")
    got = float(model.d2sigma_dp_domega(2000.0, 0.1)) / MB_PER_GEV_IN_MM2_PER_MEV
    assert got == pytest.approx(expected, rel=2e-4)
    # HARP data around this point: 142 (1.75-2 GeV/c) and 127 (2-2.25 GeV/c) in the 0.09-0.12 rad bin
    assert 120 < got < 150


def _cm(p_beam=8.89, mp=M_P / 1e3):
    e = math.hypot(p_beam, mp)
    ecm = math.sqrt(2 * mp * mp + 2 * mp * e)
    return ecm, (e + mp) / ecm, p_beam / ecm


def test_feynman_xf_bounds_and_boost():
    kp = production_model(BNB, "K+")
    mk = kp.mass / 1e3
    ecm, _, gb = _cm()
    # independent route: boost the lab four-vector into the c.m. frame with fourvec.boost
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 8.0, 4000)
    th = rng.uniform(0.0, 0.6, 4000)
    e = np.sqrt(p * p + mk * mk)
    p4 = np.stack([e, p * np.sin(th), np.zeros_like(p), p * np.cos(th)], axis=1)
    beta_cm = gb / math.sqrt(1 + gb * gb)
    p4_cm = boost(p4, np.array([0.0, 0.0, -beta_cm]))
    emax = (ecm**2 + mk**2 - 2.053**2) / (2 * ecm)
    plmax = math.sqrt(emax**2 - mk**2)
    xf, pt, e_star = kp.xf_pt(p, th)
    np.testing.assert_allclose(xf, p4_cm[:, 3] / plmax, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(e_star, p4_cm[:, 0], rtol=1e-9)
    np.testing.assert_allclose(pt, p * np.sin(th), rtol=1e-12)
    allowed = e_star <= emax
    assert allowed.any() and (~allowed).any()
    assert np.all(np.abs(xf[allowed]) <= 1 + 1e-12)
    # zero cross-section outside the kinematically allowed region
    xs = kp.d2sigma_dp_domega(p * 1e3, th)
    assert np.all(xs[~allowed] == 0) and np.all(xs[allowed] > 0)
    # forward endpoint: p = p_max at θ = 0 has x_F = +1
    xf_end, _, _ = kp.xf_pt(np.array([kp.p_max() / 1e3 / (1 + 1e-12)]), np.array([0.0]))
    assert xf_end[0] == pytest.approx(1.0, abs=1e-9)


def test_kminus_ratio():
    km, kp = production_model(BNB, "K-"), production_model(BNB, "K+")
    p = np.linspace(50, 8000, 300)[:, None]
    th = np.linspace(0, 0.5, 60)[None, :]
    a, b = km.d2sigma_dp_domega(p, th), kp.d2sigma_dp_domega(p, th)
    assert np.all(a <= b / 1.15 * (1 + 1e-12))  # K-/K+ = (1 - x_R)^3.17 / 1.15 <= 1/1.15
    assert km.p_max() < kp.p_max()  # K- endpoint (recoil p p K+) below the K+ one (recoil Λ p)
    ratio = mesons_per_pot(BNB, "K-") / mesons_per_pot(BNB, "K+")
    assert 0.02 < ratio < 0.3


def test_positive_finite_and_zero_outside():
    p = np.concatenate([[-1.0, 0.0, 1e-6], np.linspace(1, 9000, 400), [1e5]])[:, None]
    th = np.concatenate([[-0.1, 0.0], np.linspace(1e-4, math.pi / 2, 100), [2.0, math.pi]])[None, :]
    for s in SPECIES:
        xs = MESON_PRODUCTION.get(s).d2sigma_dp_domega(p, th)
        assert np.all(np.isfinite(xs)) and np.all(xs >= 0), s
        assert np.all(xs[:, 0] == 0) and np.all(xs[:, -2:] == 0), s  # θ < 0, θ > π/2
        assert np.all(xs[:2] == 0) and np.all(xs[-1] == 0), s  # p <= 0, p beyond endpoint
        assert xs.max() > 0, s


def test_pi0_is_isospin_average():
    p = np.linspace(100, 7800, 50)[:, None]
    th = np.linspace(0, 1.2, 30)[None, :]
    pip, pim, pi0 = (MESON_PRODUCTION.get(s).d2sigma_dp_domega(p, th) for s in ("pi+", "pi-", "pi0"))
    np.testing.assert_allclose(pi0, 0.5 * (pip + pim), rtol=1e-12)


def test_integrator_vs_dblquad():
    model = production_model(BNB, "pi-")
    p0, p1, t0, t1 = 300.0, 5000.0, 0.02, 0.4
    gl = integrate_cross_section(model, p0, p1, t0, t1)

    def f(th, p):
        return float(model.d2sigma_dp_domega(p, th)) * 2 * math.pi * math.sin(th)

    ref, _ = integrate.dblquad(f, p0, p1, t0, t1, epsrel=1e-8, epsabs=0)
    assert gl == pytest.approx(ref, rel=1e-6)


def test_range_additivity():
    full = mesons_per_pot(BNB, "pi+")
    lo = mesons_per_pot(BNB, "pi+", p_range=(0.0, 2000.0))
    hi = mesons_per_pot(BNB, "pi+", p_range=(2000.0, 1e5))
    assert lo + hi == pytest.approx(full, rel=1e-6)
    a = mesons_per_pot(BNB, "K+", theta_range=(0.0, 0.1))
    b = mesons_per_pot(BNB, "K+", theta_range=(0.1, math.pi / 2))
    assert a + b == pytest.approx(mesons_per_pot(BNB, "K+"), rel=1e-6)


def test_normalisation_independent():
    # λ = A / (N_A ρ σ) with PDG Be (A = 9.0122, ρ = 1.848 g/cm³), σ_inel from the Regge fit
    lp = math.log(8.89)
    sig_mb = 186.670 + 104.307 * 8.89**-1.03926 + 10.3808 * lp * lp - 15.8309 * lp
    assert sigma_inelastic(BNB) / 1e-25 == pytest.approx(sig_mb, rel=1e-9)
    lam_cm = 9.0121831 / (6.02214076e23 * 1.848 * sig_mb * 1e-27)
    assert interaction_length(BNB) / 10 == pytest.approx(lam_cm, rel=1e-6)
    assert interaction_probability(BNB) == pytest.approx(1 - math.exp(-71.1 / lam_cm), rel=1e-6)
    # mesons/POT = n σ_M λ (1 - e^{-L/λ}) = P_int σ_M / σ_inel
    model = production_model(BNB, "pi+")
    sig_m = integrate_cross_section(model, 0, model.p_max(), 0, math.pi / 2)
    assert mesons_per_pot(BNB, "pi+") == pytest.approx(interaction_probability(BNB) * sig_m / sigma_inelastic(BNB))


# HARP p-Be → π+ X at 8.9 GeV/c, central values, mb/(GeV/c)/sr (M.G. Catanesi et al., EPJ C52 (2007) 29,
# hep-ex/0702024, Table 4). Momentum edges (GeV/c) and θ edges (rad) below.
HARP_P = [0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 4.0, 5.0, 6.5]
HARP_T = [0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21]
HARP = [
    [174.685, 150.06, 180.683, 168.656, 165.21, 171.298],
    [174.783, 161.137, 178.786, 155.289, 173.91, 131.933],
    [187.183, 167.82, 180.21, 153.746, 143.835, 101.555],
    [180.209, 174.628, 146.069, 142.919, 116.063, 63.4637],
    [200.333, 184.058, 142.174, 118.438, 97.3777, 49.1993],
    [210.494, 186.177, 126.88, 97.0574, 68.2449, 39.7033],
    [190.364, 177.415, 118.813, 86.0167, 52.0865, 28.0883],
    [180.194, 149.675, 95.239, 66.3586, 41.5435, 21.8253],
    [168.37, 123.587, 73.7785, 54.557, 34.9759, 15.6234],
    [125.254, 91.955, 57.896, 45.1912, 24.8235, 13.0517],
    [99.1287, 68.7729, 43.7269, 27.6448, 17.3987, 9.91186],
    [64.3755, 43.2053, 22.8652, 13.5392, 7.77903, 5.6353],
    [29.226, 17.5223, 8.34363, 4.94917, 2.82476, 1.78207],
]


def test_sanford_wang_pi_plus_vs_harp():
    model = production_model(BNB, "pi+")
    sw = harp = 0.0
    for i in range(13):
        for j in range(6):
            sw += integrate_cross_section(model, HARP_P[i] * 1e3, HARP_P[i + 1] * 1e3, HARP_T[j], HARP_T[j + 1])
            harp += HARP[i][j] * (HARP_P[i + 1] - HARP_P[i]) * 2 * math.pi * (
                math.cos(HARP_T[j]) - math.cos(HARP_T[j + 1]))
    # SW π+ was fitted to these data (plus E910): integrated agreement within the ~10 % HARP normalisation
    assert sw / 1e-25 == pytest.approx(harp, rel=0.10)


def _mc_check(sample, ref, n_sigma=5.0, mask=None):
    # mask: a selection applied to the full sample (zero weight outside keeps the error honest)
    w = sample.w if mask is None else np.where(mask, sample.w, 0.0)
    assert np.all(np.isfinite(w)) and np.all(w >= 0)
    err = w.std() * math.sqrt(len(w))  # standard error of the sum
    assert abs(w.sum() - ref) < n_sigma * err + 1e-12 * ref, (w.sum(), ref, err)
    assert err < 0.01 * ref  # the proposal is efficient: < 1 % error with 1e5 draws


@pytest.mark.parametrize("species", SPECIES)
def test_mc_sum_of_weights_matches_integral(species):
    rng = np.random.default_rng(11)
    s = sample_mesons(BNB, species, 100_000, rng)
    _mc_check(s, mesons_per_pot(BNB, species))
    assert np.all(s.pdg == MESON_PRODUCTION.get(species).pdg)
    # kinematics: on-shell, forward hemisphere
    m2 = s.p4[:, 0] ** 2 - np.sum(s.p4[:, 1:] ** 2, axis=1)
    np.testing.assert_allclose(m2, MESON_PRODUCTION.get(species).mass ** 2, rtol=1e-6)
    assert np.all(s.p4[:, 3] >= 0)
    # horn window well populated
    th = s.theta
    assert np.mean((th > 0.03) & (th < 0.21)) > 0.45


def test_mc_restricted_region():
    rng = np.random.default_rng(5)
    s = sample_mesons(BNB, "pi+", 100_000, rng, theta_max=0.21, p_min=1000.0, theta_min=0.03)
    assert s.theta.min() >= 0.03 and s.theta.max() <= 0.21 and s.momentum.min() >= 1000.0 * (1 - 1e-12)
    _mc_check(s, mesons_per_pot(BNB, "pi+", p_range=(1000.0, 1e5), theta_range=(0.03, 0.21)))
    # window estimate from the full-range sample agrees with the window integral
    full = sample_mesons(BNB, "K+", 100_000, rng)
    _mc_check(full, mesons_per_pot(BNB, "K+", theta_range=(0.03, 0.21)), mask=(full.theta > 0.03) & (full.theta < 0.21))


def test_iter_mesons_chunks():
    rng = np.random.default_rng(7)
    chunks = list(iter_mesons(BNB, "pi-", 50_000, 12_000, rng))
    assert [len(c) for c in chunks] == [12_000, 12_000, 12_000, 12_000, 2_000]
    w = np.concatenate([c.w for c in chunks])
    err = w.std() * math.sqrt(len(w))
    assert abs(w.sum() - mesons_per_pot(BNB, "pi-")) < 5 * err


def test_reproducible_with_seed():
    a = sample_mesons(BNB, "K+", 1000, np.random.default_rng(42))
    b = sample_mesons(BNB, "K+", 1000, np.random.default_rng(42))
    c = sample_mesons(BNB, "K+", 1000, np.random.default_rng(43))
    for x, y in ((a.p4, b.p4), (a.x, b.x), (a.w, b.w)):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.p4, c.p4)


def test_vertices_follow_interaction_law():
    n = 200_000
    s = sample_mesons(BNB, "pi+", n, np.random.default_rng(9))
    L, lam = BNB.target_length, interaction_length(BNB)
    z = s.x[:, 2] + L / 2  # depth from the upstream face
    assert z.min() >= 0 and z.max() <= L
    # mean of an exponential truncated to [0, L]: λ − L/(e^{L/λ} − 1)
    mean = lam - L / math.expm1(L / lam)
    assert abs(z.mean() - mean) < 5 * z.std() / math.sqrt(n)
    r = np.hypot(s.x[:, 0], s.x[:, 1])
    assert r.max() <= BNB.target_radius
    assert s.x[:, 0].std() == pytest.approx(1.51, rel=0.02)  # BNB spot σ_x (slightly truncated)
    assert s.x[:, 1].std() == pytest.approx(0.75, rel=0.02)


def test_bad_input():
    with pytest.raises(InputError):
        MESON_PRODUCTION.get("kaon")
    with pytest.raises(InputError):
        mesons_per_pot(BNB, "pion+")
    with pytest.raises(InputError):
        sample_mesons(BNB, "K0S", 10, np.random.default_rng(0))
    with pytest.raises(InputError):
        sample_mesons(BNB, "pi+", 0, np.random.default_rng(0))
    with pytest.raises(InputError):
        mesons_per_pot(BNB, "pi+", p_range=(2000.0, 1000.0))
    with pytest.raises(InputError):
        mesons_per_pot(BNB, "pi+", theta_range=(0.2, float("nan")))
    with pytest.raises(InputError):
        # a target with no production model (graphite at 120 GeV now has BMPT: tests/test_beams_120gev.py)
        mesons_per_pot(dataclasses.replace(BNB, target_material="W"), "pi+")
    with pytest.raises(InputError):
        mesons_per_pot(dataclasses.replace(BNB, proton_momentum=120e3), "pi+")  # outside the fits


def test_production_table_keys_and_sanity():
    tab = production_table(BNB)
    assert set(tab) == set(SPECIES)
    assert all(v > 0 and math.isfinite(v) for v in tab.values())
    assert tab["pi+"] > tab["pi-"] > tab["K+"] > tab["K0L"] > tab["K-"]
    assert 0.2 < tab["pi+"] < 2.0  # O(1) π+ per POT
