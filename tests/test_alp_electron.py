"""The ALP's electron coupling g_aee in production (Compton-like γ e → a e in the target,
darkbeam.production.alp_compton) and detection (a e → γ e, darkbeam.interactions.alp_electron, process
``inverse-compton``; a → e⁺e⁻ decays in the detector), each checked against an independent route."""

from __future__ import annotations

import math

import numpy as np
import pytest

import darkbeam.pipeline  # noqa: F401  (registers the detection processes)
from darkbeam.constants import ALPHA_EM, HBARC, INV_MEV2_TO_CM2, M_E
from darkbeam.errors import InputError
from darkbeam.interactions import alp_electron as ae
from darkbeam.models import get_model
from darkbeam.particles import ALP_PDG
from darkbeam.pipeline.signal import build_signal
from darkbeam.production import alp_compton as ac
from darkbeam.production.neutral_meson import NEUTRAL_MESONS
from darkbeam.production.photon_primakoff import get_material, sigma_pair
from darkbeam.production.photon_primakoff import sigma_compton as sigma_klein_nishina
from darkbeam.sample import ParticleSample

# ------------------------------------------------------------------------------------------------
# an explicit Dirac-matrix evaluation of the two amplitudes (spinors and physical polarisations; no traces)
# ------------------------------------------------------------------------------------------------
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_METRIC = np.array([1.0, -1.0, -1.0, -1.0])


def _slash(p):
    return sum(_METRIC[m] * p[m] * _G[m] for m in range(4))


def _spinors(p):
    """u(p, s) for both spins (Dirac representation, ū u = 2m)."""
    e = p[0]
    sp = sum(p[i + 1] * _SIG[i] for i in range(3))
    out = []
    for chi in (np.array([1.0, 0.0]), np.array([0.0, 1.0])):
        out.append(np.concatenate([math.sqrt(e + M_E) * chi, sp @ chi / math.sqrt(e + M_E)]))
    return out


def _cm_momenta(s, m_a, cos_t):
    """γ(k) e(p) → a(k_a) e(p′) in the centre-of-mass frame, photon along +z."""
    w = math.sqrt(s)
    pi = (s - M_E**2) / (2 * w)
    pf = math.sqrt((s - (M_E + m_a) ** 2) * (s - (M_E - m_a) ** 2)) / (2 * w)
    sin_t = math.sqrt(1 - cos_t**2)
    k = np.array([pi, 0, 0, pi])
    p = np.array([math.hypot(pi, M_E), 0, 0, -pi])
    ka = np.array([math.hypot(pf, m_a), pf * sin_t, 0, pf * cos_t])
    return k, p, ka, k + p - ka


def _dirac_sum(s, m_a, cos_t, eps_override=None):
    """Σ |M|²/(e² g²) over both electron spins and the photon's two transverse polarisations, or with ε replaced by
    ``eps_override`` (the Ward-identity check: the sum of the two diagrams with ε → k is zero)."""
    k, p, ka, pp = _cm_momenta(s, m_a, cos_t)
    u_ch = (p - ka) @ (_METRIC * (p - ka))
    one = np.eye(4)
    pols = [np.array([0, 1.0, 0, 0]), np.array([0, 0, 1.0, 0])] if eps_override is None else [eps_override]
    total = 0.0
    for eps in pols:
        gam = (_G5 @ (_slash(p + k) + M_E * one) @ _slash(eps) / (s - M_E**2)
               + _slash(eps) @ (_slash(p - ka) + M_E * one) @ _G5 / (u_ch - M_E**2))
        for u_in in _spinors(p):
            for u_out in _spinors(pp):
                amp = u_out.conj() @ _G[0] @ gam @ u_in
                total += abs(amp) ** 2
    return total, u_ch


@pytest.mark.parametrize("m_a", [0.0, 0.4, 3.0, 10.0])
@pytest.mark.parametrize("cos_t", [-0.9, 0.1, 0.95])
def test_matrix_element_against_explicit_dirac_amplitudes(m_a, cos_t):
    s = (M_E + m_a) ** 2 + 40.0
    direct, u_ch = _dirac_sum(s, m_a, cos_t)
    assert ac.amplitude_squared(s - M_E**2, u_ch - M_E**2, m_a) == pytest.approx(direct, rel=1e-10)
    k = _cm_momenta(s, m_a, cos_t)[0]
    ward, _ = _dirac_sum(s, m_a, cos_t, eps_override=k)
    assert ward < 1e-20 * direct  # gauge invariance: the amplitude vanishes for ε ∝ k


def _cm_sigma_dirac(s, m_a, detection: bool, n=48):
    """σ from the Dirac evaluation in the centre-of-mass frame: dσ/dΩ = |M̄|² p_f/(64π² s p_i), Gauss–Legendre in
    cos θ*; γe → ae averages over 4 initial states, ae → γe over 2 (the photon's polarisations summed)."""
    x, w = np.polynomial.legendre.leggauss(n)
    m2 = np.array([_dirac_sum(s, m_a, c)[0] for c in x])
    p_g = (s - M_E**2) / (2 * math.sqrt(s))
    p_a = math.sqrt((s - (M_E + m_a) ** 2) * (s - (M_E - m_a) ** 2)) / (2 * math.sqrt(s))
    e2 = 4 * math.pi * ALPHA_EM
    avg, ratio = (0.5, p_g / p_a) if detection else (0.25, p_a / p_g)
    return e2 * avg * ratio / (64 * math.pi**2 * s) * 2 * math.pi * float(m2 @ w) * INV_MEV2_TO_CM2


@pytest.mark.parametrize("m_a,e_gamma", [(1.0, 20.0), (10.0, 150.0)])
def test_both_cross_sections_against_the_dirac_evaluation_in_the_cm_frame(m_a, e_gamma):
    """Phase space, flux and spin averages of eq. (2) of alp_compton and eq. (1) of alp_electron, independently."""
    s = M_E**2 + 2 * M_E * e_gamma
    assert ac.sigma_compton(e_gamma, m_a, 1.0)[0] == pytest.approx(_cm_sigma_dirac(s, m_a, False), rel=1e-6)
    e_a = (s - M_E**2 - m_a**2) / (2 * M_E)  # the ALP energy of the same s on an electron at rest
    assert ae.sigma_inverse_compton(e_a, m_a, 1.0)[0] == pytest.approx(_cm_sigma_dirac(s, m_a, True), rel=1e-6)


def test_massless_closed_form():
    """m_a = 0: σ = α g²/(4S) [ln(s/m²) − 2(1 − m²/s) + (1 − m⁴/s²)/2] (A = −4t²/(SU) integrated by hand; the
    m_a → 0 limit of Gondolo & Raffelt, arXiv:0807.2926, and Brodsky et al., PRL 56 (1986) 1763)."""
    e = np.array([0.1, 1.0, 30.0, 300.0, 3e4])
    s = M_E**2 + 2 * M_E * e
    S = s - M_E**2
    r = M_E**2 / s
    ref = ALPHA_EM * 1e-6**2 / (4 * S) * (np.log(1 / r) - 2 * (1 - r) + 0.5 * (1 - r * r)) * INV_MEV2_TO_CM2
    np.testing.assert_allclose(ac.sigma_compton(e, 0.0, 1e-6), ref, rtol=1e-10)
    # and the massive closed form tends to it
    np.testing.assert_allclose(ac.sigma_compton(e[2:], 1e-4, 1e-6), ref[2:], rtol=1e-5)


@pytest.mark.parametrize("m_a", [0.0, 1.0, 10.0, 60.0])
def test_massive_differential_against_the_published_x_form(m_a):
    """dσ/dE_a = 2m dσ/dU against the massive form written with x = 1 − E_a/E_γ + m_a²/(2E_γ m) and α_a = g²/4π,
    dσ/dE_a = π α α_a x/(E_γ S (1 − x)) [x − 2m_a²/S² (s − m²/(1 − x) − m_a²/x)] (as in the public alplib code,
    prod_xs.compton_dsigma_dea, of authors of arXiv:2307.03878)."""
    e_g = 3.0 * ac.threshold_energy(m_a) + 5.0
    s = M_E**2 + 2 * M_E * e_g
    S = s - M_E**2
    lo, hi = ac.u_limits(s, m_a)
    U = lo + (hi - lo) * np.array([0.01, 0.2, 0.5, 0.8, 0.99])
    e_a = (m_a**2 - U) / (2 * M_E)
    x = m_a**2 / (2 * e_g * M_E) - e_a / e_g + 1
    alpha_a = 1.0 / (4 * math.pi)
    ref = math.pi * ALPHA_EM * alpha_a * x / (e_g * S * (1 - x)) * (
        x - 2 * m_a**2 / S**2 * (s - M_E**2 / (1 - x) - m_a**2 / np.where(x > 0, x, 1))) * INV_MEV2_TO_CM2
    np.testing.assert_allclose(2 * M_E * ac.dsigma_du(e_g, U, m_a, 1.0), ref, rtol=1e-9)


def _gl_log_u(fn, s, m_a, n=400):
    """∫ fn(U) dU over [U₋, U₊], Gauss–Legendre in ln(−U) (the second integration method)."""
    lo, hi = ac.u_limits(s, m_a)
    x, w = np.polynomial.legendre.leggauss(n)
    a, b = math.log(-hi), math.log(-lo)
    y = 0.5 * (b - a) * (x + 1) + a
    U = -np.exp(y)
    return 0.5 * (b - a) * float(np.sum(w * fn(U) * np.exp(y)))


@pytest.mark.parametrize("m_a", [0.0, 0.5, 1.0, 10.0, 100.0])
@pytest.mark.parametrize("factor", [1.01, 1.5, 10.0, 1000.0])
def test_closed_forms_against_quadrature_and_detailed_balance(m_a, factor):
    e_g = factor * max(ac.threshold_energy(m_a), 0.05)
    s = M_E**2 + 2 * M_E * e_g
    sig = ac.sigma_compton(e_g, m_a, 1e-6)[0]
    assert sig > 0
    assert sig == pytest.approx(_gl_log_u(lambda U: ac.dsigma_du(e_g, U, m_a, 1e-6), s, m_a), rel=1e-8)
    e_a = (s - M_E**2 - m_a**2) / (2 * M_E)
    det = ae.sigma_inverse_compton(e_a, m_a, 1e-6)[0]
    assert det == pytest.approx(_gl_log_u(lambda U: ae.dsigma_du(e_a, U, m_a, 1e-6), s, m_a), rel=1e-8)
    # crossing: σ(ae → γe) = 2 (p_γ*/p_a*)² σ(γe → ae) at the same s (alp_electron eq. 2)
    p_g2 = (s - M_E**2) ** 2 / (4 * s)
    p_a2 = (s - (M_E + m_a) ** 2) * (s - (M_E - m_a) ** 2) / (4 * s)
    assert det == pytest.approx(2 * p_g2 / p_a2 * sig, rel=1e-9)


def test_thresholds_and_zero_outside():
    m_a = 10.0
    e_th = ac.threshold_energy(m_a)
    assert e_th == pytest.approx(m_a + m_a**2 / (2 * M_E))
    assert ac.sigma_compton([0.5 * e_th, e_th * (1 - 1e-9)], m_a, 1.0).tolist() == [0.0, 0.0]
    assert ac.sigma_compton(1.001 * e_th, m_a, 1.0)[0] > 0
    s = M_E**2 + 2 * M_E * 300.0
    lo, hi = ac.u_limits(s, m_a)
    assert ac.dsigma_du(300.0, [lo * 1.01, hi * 0.99], m_a, 1.0).tolist() == [0.0, 0.0]
    # detection is open for every ALP above its mass, closed at and below it
    assert ae.sigma_inverse_compton([m_a, 0.9 * m_a], m_a, 1.0).tolist() == [0.0, 0.0]
    assert ae.sigma_inverse_compton(m_a * 1.0001, m_a, 1.0)[0] > 0


@pytest.mark.parametrize("m_a", [0.0, 1.0, 10.0])
def test_kinematic_limits(m_a):
    """The ends of the U range are collinear configurations: the ALP's lab angle to the photon is 0 or π there; for
    m_a → 0 the electron's largest kinetic energy is the Compton edge 2E²/(m + 2E); U₋U₊ = S²m²/s."""
    e_g = 5.0 * ac.threshold_energy(m_a) + 2.0
    s = M_E**2 + 2 * M_E * e_g
    S = s - M_E**2
    lo, hi = ac.u_limits(s, m_a)
    assert lo < hi < 0 and lo * hi == pytest.approx(S * S * M_E**2 / s, rel=1e-12)
    for U in (lo, hi):
        e_a = (m_a**2 - U) / (2 * M_E)
        p_a = math.sqrt(e_a**2 - m_a**2)
        t = m_a**2 - S - U
        cos = (t - m_a**2 + 2 * e_g * e_a) / (2 * e_g * p_a)
        assert abs(abs(cos) - 1) < 1e-7
    t_max = e_g - (m_a**2 - hi) / (2 * M_E) - 0.0  # photon energy − smallest ALP energy = electron kinetic energy
    if m_a == 0.0:
        assert t_max == pytest.approx(2 * e_g**2 / (M_E + 2 * e_g), rel=1e-12)


def test_sampled_final_states():
    """Production and detection samples: four-momentum conserved, particles on shell, U inside its range, and the
    sampled ⟨U⟩ equal to the cross-section-weighted mean within 4 standard errors."""
    rng = np.random.default_rng(11)
    m_a, n = 1.0, 100_000
    e_g = 50.0
    photons = np.zeros((n, 4))
    photons[:, 0], photons[:, 3] = e_g, e_g
    alps, el = ac.photons_to_alps(rng, photons, m_a)
    np.testing.assert_allclose(alps[:, 0] ** 2 - np.sum(alps[:, 1:] ** 2, 1), m_a**2, atol=1e-6 * e_g**2)
    np.testing.assert_allclose(el[:, 0] ** 2 - np.sum(el[:, 1:] ** 2, 1), M_E**2, atol=1e-6 * e_g**2)
    tot = photons.copy()
    tot[:, 0] += M_E
    np.testing.assert_allclose(alps + el, tot, atol=1e-9 * e_g)
    s = M_E**2 + 2 * M_E * e_g
    U = m_a**2 - 2 * M_E * alps[:, 0]
    lo, hi = ac.u_limits(s, m_a)
    assert np.all(U >= lo * (1 + 1e-9)) and np.all(U <= hi * (1 - 1e-9))
    sig = _gl_log_u(lambda u: ac.dsigma_du(e_g, u, m_a, 1.0), s, m_a)
    mean = _gl_log_u(lambda u: u * ac.dsigma_du(e_g, u, m_a, 1.0), s, m_a) / sig
    assert abs(U.mean() - mean) < 4 * U.std() / math.sqrt(n)
    # detection: ALPs of 80 MeV along x
    p4_a = np.zeros((n, 4))
    p4_a[:, 0], p4_a[:, 1] = 80.0, math.sqrt(80.0**2 - m_a**2)
    g, e = ae.sample_scatter(rng, p4_a, m_a)
    np.testing.assert_allclose(g[:, 0] ** 2 - np.sum(g[:, 1:] ** 2, 1), 0.0, atol=1e-6 * 80.0**2)
    np.testing.assert_allclose(e[:, 0] ** 2 - np.sum(e[:, 1:] ** 2, 1), M_E**2, atol=1e-6 * 80.0**2)
    s_d = M_E**2 + m_a**2 + 2 * M_E * 80.0
    U_d = -2 * M_E * g[:, 0]
    sig_d = _gl_log_u(lambda u: ae.dsigma_du(80.0, u, m_a, 1.0), s_d, m_a)
    mean_d = _gl_log_u(lambda u: u * ae.dsigma_du(80.0, u, m_a, 1.0), s_d, m_a) / sig_d
    assert abs(U_d.mean() - mean_d) < 4 * U_d.std() / math.sqrt(n)
    with pytest.raises(InputError, match="ALP energies"):
        ae.sample_scatter(rng, np.array([[0.5, 0.0, 0.0, 0.0]]), m_a)


def _pi0_at_rest(n):
    p4 = np.zeros((n, 4))
    p4[:, 0] = NEUTRAL_MESONS.get("pi0").mass
    return ParticleSample(np.full(n, 111), p4, np.zeros((n, 3)), np.full(n, 1.0 / n), "per POT", {})


def _channel_sample(model, n, seed):
    ch = model.production[1].for_beam(model, type("B", (), {"target_material": "W", "name": "test"})())
    return list(ch.sample(np.random.default_rng(seed), "pi0", _pi0_at_rest(n), model))


def test_production_yield_against_a_quadrature_by_hand():
    """π⁰ at rest in tungsten: photons of 67.49 MeV; ALPs per π⁰ = 2 BR(γγ) Z σ_C/σ_abs with σ_C integrated here
    (Gauss–Legendre in ln(−U)) and σ_abs = pair + Klein–Nishina; the mean ALP energy from the same quadrature."""
    m_a, g = 1.0, 1e-6
    model = get_model("alp", {"m_a": f"{m_a} MeV", "g_aee": g, "target": "W"})
    (xs, _mother, label), = _channel_sample(model, 20_000, 3)
    assert label == "pi0 comp" and bool(np.all(xs.extra["own_direction"]))
    e_g = 0.5 * NEUTRAL_MESONS.get("pi0").mass
    s = M_E**2 + 2 * M_E * e_g
    sig = _gl_log_u(lambda u: ac.dsigma_du(e_g, u, m_a, g), s, m_a)
    z = get_material("W").Z
    p_c = z * sig / (sigma_pair(e_g, "W") + sigma_klein_nishina(e_g, "W"))
    br = NEUTRAL_MESONS.get("pi0").br_gg
    assert float(np.sum(xs.w)) == pytest.approx(2 * br * p_c, rel=2e-3)  # the channel's ln E table interpolation
    mean_e = _gl_log_u(lambda u: (m_a**2 - u) / (2 * M_E) * ac.dsigma_du(e_g, u, m_a, g), s, m_a) / sig
    e = xs.p4[:, 0]
    assert abs(e.mean() - mean_e) < 4 * e.std() / math.sqrt(len(e))
    assert model.production[1].coupling2(model, "pi0 comp") == pytest.approx(g**2)
    assert model.production[1].coupling2(model, "pi0") is None and model.production[0].coupling2(model, "pi0 comp") \
        is None


def test_cascade_conversion_against_its_sampled_estimate_and_a_trapezoid():
    """The shower photons' conversions (cascade = approx-b): the channel's sampled sum per primary estimates
    C_C(E₀) = n_e ∫ (dT/dk) σ_C dk, itself checked against a trapezoid on a fine ln k grid."""
    from darkbeam.production import em_cascade as ec

    m_a, g, mat = 1.0, 1e-6, "W"
    e0 = 67.49
    k = np.geomspace(ac.threshold_energy(m_a) * (1 + 1e-9), e0 * (1 - 1e-9), 20_001)
    f = ec.photon_track_length(k, e0, get_material(mat).X0, get_material(mat).Z) * ac.sigma_compton(k, m_a, g) * k
    trap = ac.electrons_per_gram(mat) * float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(np.log(k))))
    c = ac.cascade_conversion(e0, m_a, g, mat)[0]
    assert c == pytest.approx(trap, rel=1e-3)
    rng = np.random.default_rng(4)
    n = 40_000
    photons = np.zeros((n, 4))
    photons[:, 0], photons[:, 3] = e0, e0
    src, _, prob = ac.sample_cascade(rng, photons, m_a, g, mat, n_shower=4)
    per = np.bincount(src, prob, minlength=n)
    assert abs(per.mean() - c) < 4 * per.std() / math.sqrt(n)


def test_closed_rows_and_zero_coupling_draws_nothing():
    model = get_model("alp", {"m_a": "10 MeV", "g_aee": 1e-6, "target": "W"})
    rows = model.production[1].branching_ratios(model)
    by = {r["parent"]: r["value"] for r in rows}
    assert by["pi0"] == "closed" and by["eta"] > 0  # 67.5 MeV < 107.8 MeV threshold < 274 MeV
    zero = get_model("alp", {"m_a": "1 MeV", "target": "W"})
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    ch = zero.production[1].for_beam(zero, type("B", (), {"target_material": "W", "name": "t"})())
    assert list(ch.sample(rng, "pi0", _pi0_at_rest(100), zero)) == []
    assert rng.bit_generator.state == state  # the other channels' random streams are untouched at g_aee = 0


def test_bad_input():
    with pytest.raises(InputError, match="alp.g_aee"):
        get_model("alp", {"g_aee": 4.0})


# ------------------------------------------------------------------------------------------------
# the detection channels in the pipeline
# ------------------------------------------------------------------------------------------------
PARAMS = {"m_a": "10 MeV", "g_agg": "1e-6 /GeV", "g_aee": 1e-6, "target": "W"}


@pytest.fixture(scope="module")
def ccm():
    return build_signal(get_model("alp", PARAMS), "ccm", "stopped", n_mesons=20_000, n_events=400, seed=7)


def test_four_channels_and_the_electron_ones_open(ccm):
    procs = [p.process for p in ccm.parts]
    assert procs == ["decay-in-volume", "inverse-primakoff", "decay-in-volume", "inverse-compton"]
    ee, sca = ccm.parts[2], ccm.parts[3]
    assert ee.total() > 0 and sca.total() > 0
    assert set(np.unique(sca.source)) <= {"pi0", "eta", "pi0 comp", "eta comp"}
    assert np.all(sca.particles["pdg_vis1"] == 22) and np.all(sca.particles["pdg_recoil"] == 11)
    p = sca.particles
    np.testing.assert_allclose(p["p4_in"] + np.array([M_E, 0, 0, 0]), p["p4_vis1"] + p["p4_recoil"],
                               atol=1e-9 * float(np.max(p["p4_in"][:, 0])))


def test_exact_reweighting_in_both_couplings(ccm):
    """Each channel's weights at new couplings = base × (production coupling² of its source) × (detection coupling²)
    × survival at the new total width, written out here; masses fixed."""
    new = get_model("alp", {**PARAMS, "g_agg": "3e-6 /GeV", "g_aee": 2e-6})
    old = ccm.model
    d_new, d_old = new.boson_decays(), old.boson_decays()
    for k, det_coupling in ((1, lambda m: m.photon_coupling() ** 2), (3, lambda m: m.electron_coupling() ** 2)):
        part = ccm.parts[k]
        comp = np.char.endswith(part.source.astype(str), "comp")
        prod = np.where(comp, new.electron_coupling() ** 2 / old.electron_coupling() ** 2,
                        new.photon_coupling() ** 2 / old.photon_coupling() ** 2)

        def surv(d, p=part):
            return np.exp(-p.path / (p.p_lab / d.mass * HBARC / d.total))

        ratio = prod * det_coupling(new) / det_coupling(old) * surv(d_new) / surv(d_old)
        np.testing.assert_allclose(part.weights(new), part.weights() * ratio, rtol=1e-10)


def test_zero_electron_coupling_closes_both_channels_with_reasons():
    s = build_signal(get_model("alp", {**PARAMS, "g_aee": 0.0}), "ccm", "stopped", n_mesons=5_000, n_events=50,
                     seed=2)
    assert len(s.parts[3].base_weight) == 0 and "electron coupling of a is 0" in s.parts[3].note
    assert "zero width" in s.parts[2].note
    with pytest.raises(InputError, match="g_aee"):
        s.weights(get_model("alp", PARAMS))


def test_event_file_of_the_electron_scatters(ccm, tmp_path):
    """a e → γ e events in HepMC3: ALP + electron target at rest → γ + e⁻, four-momentum conserved, NuHepMC-valid."""
    pyhepmc = pytest.importorskip("pyhepmc")
    from darkbeam.io.events import write_events
    from darkbeam.io.nuhepmc import check_file

    path = write_events(ccm.parts[3], tmp_path / "ae.hepmc3", pot=2.25e22)
    assert check_file(path) == []
    n = 0
    with pyhepmc.open(str(path)) as f:
        for ev in f:
            v = next(v for v in ev.vertices if v.status == 1)
            assert sorted(p.pid for p in v.particles_in) == [11, ALP_PDG]
            assert sorted(p.pid for p in v.particles_out) == [11, 22]
            pin = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_in], 0)
            pout = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_out], 0)
            np.testing.assert_allclose(pout, pin, rtol=0, atol=1e-9 * pin[0])
            n += 1
    assert n == int(np.sum(ccm.parts[3].weights() > 0)) > 0


def test_xsec_entry_counts_the_atom_electrons():
    from darkbeam.interactions.xsec import detection_xsec

    model = get_model("alp", PARAMS)
    r = detection_xsec(model, "Ar40", [5.0, 50.0, 500.0], process="inverse-compton")
    ref = 18 * ae.sigma_inverse_compton(np.array([50.0, 500.0]), 10.0, 1e-6)
    assert r["sigma_cm2"]["total"][0] == 0.0 and r["below_threshold"] == [True, False, False]
    assert r["sigma_cm2"]["total"][1:] == pytest.approx(ref.tolist(), rel=1e-12)
    assert "inverse-primakoff" in r["other_processes"]
