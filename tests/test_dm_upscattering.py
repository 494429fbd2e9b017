"""chi N -> chi' N upscattering and chi' decays: traces, seed formulas, limits, samplers, widths."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from darkbeam.constants import E_CHARGE, INV_MEV2_TO_CM2, M_E, M_N, M_P
from darkbeam.errors import InputError
from darkbeam.interactions import dirac_numeric as dn
from darkbeam.interactions import dm_upscattering as du
from darkbeam.interactions.form_factors import hadronic_coefficients
from darkbeam.interactions.targets import get_target
from darkbeam.interactions.twobody import final_state_lab, projectile_p4, t_limits
from darkbeam.kinematics.fourvec import dot, mass
from darkbeam.models import get_model

G = dn.G


def single(**kw):
    s = {"m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": "6e-5", "g_prime": "3.5449077"}
    s.update(kw)
    return get_model("vector-idm", s)


def double(**kw):
    s = {"m_v1": "17 MeV", "m_v2": "200 MeV", "m_chi": "8 MeV", "m_chi_prime": "50 MeV", "eps1": "7e-5",
         "eps2": "1e-4", "g_prime": "2.5066283"}
    s.update(kw)
    return get_model("vector-idm", s)


def random_point(rng, m1, m3, M):
    E = rng.uniform(1.2 * du.threshold_energy(m1, m3, M) + 1, 2000.0)
    tmin, tmax, _ = t_limits(np.array([E]), m1, m3, M)
    t = tmax[0] + (tmin[0] - tmax[0]) * rng.uniform()
    p1 = projectile_p4(np.array([E]), m1, rng.normal(size=(1, 3)))
    p3, p4, _ = final_state_lab(rng, p1, m1, m3, M, np.array([t]))
    return E, t, p1[0], p3[0], p4[0]


def test_msq_matches_brute_force_trace_and_seed_b3_b10():
    rng = np.random.default_rng(3)
    m1, m3, mv = 8.0, 40.0, 17.0
    for M in (M_P, 11177.9):
        for _ in range(4):
            E, t, p1, p3, p4 = random_point(rng, m1, m3, M)
            p2 = np.array([M, 0, 0, 0.0])
            f1, f2 = rng.normal(size=2)
            V = dn.nucleon_vertex(f1, f2, p4 - p2, M)
            so3, si1 = dn.slash(p3) + m3 * dn.ID4, dn.slash(p1) + m1 * dn.ID4
            so4, si2 = dn.slash(p4) + M * dn.ID4, dn.slash(p2) + M * dn.ID4
            D = np.array([[np.trace(so3 @ dn.GAMMA[a] @ si1 @ dn.bar(dn.GAMMA[b])) for b in range(4)] for a in range(4)])
            H = np.array([[np.trace(so4 @ V[a] @ si2 @ dn.bar(V[b])) for b in range(4)] for a in range(4)])
            bf = 0.25 * np.real(np.einsum("ab,ac,bd,cd->", D, G, G, H)) / (t - mv**2) ** 2
            s = (p1 + p2) @ G @ (p1 + p2)
            A, B = hadronic_coefficients(f1, f2, t, M)
            an = du.msq_upscatter(s, t, m1, m3, M, 1.0, mv, A, B)
            assert an == pytest.approx(bf, rel=1e-9)
            # seed 000 (B1)+(B3) for a point Dirac target, printed form
            E3 = p3[0]
            b3 = du.m0_ff_seed(E, E3, m1, m3, M) / (t - mv**2) ** 2
            assert du.msq_upscatter(s, t, m1, m3, M, 1.0, mv) == pytest.approx(b3, rel=1e-9)
            # seed 000 (B10)-(B11) with kappa F2 -> F2
            m1ff = du.m1_ff_seed(E, E3, m1, m3, M) / (t - mv**2) ** 2
            b10 = b3 * (f1 + f2) ** 2 + m1ff * (-(f1 + f2) * f2 + (E - E3 + 2 * M) / (4 * M) * f2**2)
            assert an == pytest.approx(b10, rel=1e-8)


def test_t_limits_b7_and_threshold():
    M, m1, m3 = get_target("C12").mass, 8.0, 40.0
    Eth = du.threshold_energy(m1, m3, M)
    E = np.array([Eth * (1 + 1e-6), 60.0, 300.0, 1000.0])
    tmin, tmax, ok = t_limits(E, m1, m3, M)
    assert np.all(ok)
    s = m1**2 + M**2 + 2 * M * E
    p = np.sqrt(E**2 - m1**2)
    lam = (s - M**2 - m3**2) ** 2 - 4 * M**2 * m3**2
    base = (s + M**2 - m3**2) / (2 * np.sqrt(s)) * (E + M) / np.sqrt(s)
    dev = np.sqrt(lam) / (2 * np.sqrt(s)) * p / np.sqrt(s)
    np.testing.assert_allclose(2 * M * (M - (base + dev)), tmax, rtol=1e-7)  # seed 000 Eq. B7
    np.testing.assert_allclose(2 * M * (M - (base - dev)), tmin, rtol=1e-6)
    assert tmax[0] == pytest.approx(tmin[0], rel=1e-2)  # the range closes at threshold
    _, _, ok = t_limits(np.array([Eth * (1 - 1e-9), 20.0]), m1, m3, M)
    assert not ok.any()


def test_threshold_zero_and_no_nan():
    m = single()
    Eth = du.threshold_energy(8.0, 40.0, get_target("C12").mass)
    E = np.concatenate([[8.0, 20.0, Eth * (1 - 1e-12), Eth * (1 + 1e-9)], np.linspace(Eth, 3000, 60)])
    for tgt in ("C12", "H1", "neutron", "Pb208"):
        res = du.sigma_all(m, tgt, E)
        for v in res.values():
            assert np.all(np.isfinite(v)) and np.all(v >= 0)
        assert res["total"][0] == 0 and res["total"][1] == 0
    s = du.sigma(m, "C12", np.array([Eth * (1 - 1e-12), Eth * 1.001, Eth * 1.1]))
    assert s[0] == 0 and 0 < s[1] < s[2]
    assert du.sigma(m, "H1", 300.0, "coherent")[0] == 0
    with pytest.raises(InputError):
        du.sigma(m, "C12", 5.0)  # below m_chi: not a physical chi
    with pytest.raises(InputError):
        du.sigma(get_model("muphilic-scalar", {}), "C12", 300.0)


@pytest.mark.parametrize("model,component", [(single(), "coherent"), (double(), "proton"), (double(), "neutron")])
def test_sigma_grid_vs_quad_and_dEN(model, component):
    tgt = get_target("C12")
    M = tgt.mass if component == "coherent" else {"proton": M_P, "neutron": M_N}[component]
    for E in (100.0, 1000.0):
        tmin, tmax, _ = t_limits(np.array([E]), model.m_chi, model.m_chi_prime, M)
        f = lambda u, E=E: float(du.dsigma_dt(model, tgt, E, -np.exp(u), component) * np.exp(u))
        lo, hi = np.log(-tmin[0]), np.log(-tmax[0])
        ref = integrate.quad(f, lo, hi, limit=400, epsrel=1e-10, points=np.linspace(lo, hi, 12)[1:-1])[0]
        assert du.sigma(model, tgt, E, component)[0] == pytest.approx(ref, rel=1e-6)
        # dsigma/dE_N integrated over E_N (seed 000 Eq. B6 variable) gives the same
        EN = np.linspace(M - tmin[0] / (2 * M), M - tmax[0] / (2 * M), 20001)
        g = du.dsigma_dEN(model, tgt, E, EN, component)
        assert integrate.simpson(g, x=EN) == pytest.approx(ref, rel=1e-3)


def test_heavy_mediator_static_limit():
    """Heavy static target and mediator: sigma = (e eps g' Q)^2 p3/p (E^2 + m1 m3)/(2 pi m_V^4)."""
    m = single(m_v1="30 GeV", m_chi="8 MeV", m_chi_prime="9 MeV", br_v1_chichi="0")
    E = np.array([30.0, 80.0])
    got = du.sigma(m, "Pb208", E, "coherent", form_factor=False)
    p, p3 = np.sqrt(E**2 - 64), np.sqrt(E**2 - 81)
    c = E_CHARGE * m.eps1 * m.g_prime * 82
    ref = c**2 * p3 / p * (E**2 + 72) / (2 * np.pi * m.m_v1**4) * INV_MEV2_TO_CM2
    np.testing.assert_allclose(got, ref, rtol=2e-3)


def test_coherent_charge_scaling():
    m = single()
    E = np.array([300.0, 1000.0])
    em = du.sigma(m, "C12", E, coupling="em")
    uq = du.sigma(m, "C12", E, coupling="u-quark")
    np.testing.assert_allclose(uq / em, 9.0, rtol=1e-12)
    # double mediator uses V2 / eps2; single uses V1 / eps1
    assert du.scattering_couplings(double()).m_med == 200.0 and du.scattering_couplings(single()).mediator == "V1"
    np.testing.assert_allclose(du.sigma(double(eps2="2e-4"), "C12", E) / du.sigma(double(), "C12", E), 4.0, rtol=1e-12)


def test_upscattering_sampler():
    m = single()
    rng = np.random.default_rng(17)
    n = 12_000
    E = np.concatenate([rng.uniform(20.0, 1500.0, n - 2), [30.0, 5000.0]])
    p1 = projectile_p4(E, m.m_chi, rng.normal(size=(n, 3)))
    ev = du.sample_upscattering(rng, m, "C12", p1)
    closed = ~ev.is_open
    assert np.all(ev.sigma_cm2[closed] == 0) and np.all(ev.component[closed] == -1)
    assert np.all(np.isfinite(ev.p4_chi_prime)) and np.all(np.isfinite(ev.sigma_cm2))
    o = ev.is_open
    masses = np.where(ev.component == 0, get_target("C12").mass,
                      np.where(ev.component == 1, M_P, M_N))[o]
    init = p1[o].copy()
    init[:, 0] += masses
    np.testing.assert_allclose(ev.p4_chi_prime[o] + ev.p4_recoil[o], init, atol=1e-6 * masses.max())
    np.testing.assert_allclose(mass(ev.p4_chi_prime[o]), m.m_chi_prime, rtol=1e-6)
    np.testing.assert_allclose(mass(ev.p4_recoil[o]), masses, rtol=1e-9)
    q = p1[o] - ev.p4_chi_prime[o]
    np.testing.assert_allclose(dot(q, q), ev.t[o], rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(ev.sigma_cm2, du.sigma_all(m, "C12", E)["total"], rtol=1e-12)


def test_upscattering_t_distribution_vs_quadrature():
    m = double()
    rng = np.random.default_rng(5)
    n, E = 30_000, 700.0
    p1 = projectile_p4(np.full(n, E), m.m_chi, None)
    ev = du.sample_upscattering(rng, m, "C12", p1, components=("proton",))
    tmin, tmax, _ = t_limits(np.array([E]), m.m_chi, m.m_chi_prime, M_P)
    w = lambda t: float(du.dsigma_dt(m, "C12", E, t, "proton"))
    norm = integrate.quad(w, tmax[0], tmin[0], limit=400)[0]
    mean = integrate.quad(lambda t: t * w(t), tmax[0], tmin[0], limit=400)[0] / norm
    assert abs(ev.t.mean() - mean) < 4 * ev.t.std() / np.sqrt(n)
    assert np.all(ev.component == 1)


def test_chi_prime_to_chi_v_width_vs_trace():
    """|M|^2(chi' -> chi V) vs explicit spinor traces and three explicit polarisation vectors."""
    M, m, mv, g = 40.0, 8.0, 17.0, 1.3
    rng = np.random.default_rng(1)
    pabs = np.sqrt(du.kallen(M * M, m * m, mv * mv)) / (2 * M)
    n = rng.normal(size=3)
    n /= np.linalg.norm(n)
    k = np.concatenate([[np.sqrt(pabs**2 + mv**2)], pabs * n])
    p = np.concatenate([[np.sqrt(pabs**2 + m**2)], -pabs * n])
    P = np.array([M, 0, 0, 0.0])
    tot = sum(dn.spin_sum(p, m, g * dn.slash(eps), P, M) for eps in dn.massive_polarisations(k, mv))
    assert du.msq_chi_prime_to_chi_v(M, m, mv, g) == pytest.approx(0.5 * tot, rel=1e-10)
    assert du.width_chi_prime_to_chi_v(M, m, mv, g) == pytest.approx(pabs / (8 * np.pi * M**2) * 0.5 * tot, rel=1e-10)
    assert du.width_chi_prime_to_chi_v(20.0, 8.0, 17.0, g) == 0.0


def test_three_body_msq_vs_trace_and_width_vs_dalitz_mc():
    M, m, mv, g, eps = 20.0, 8.0, 30.0, 1.5, 1e-3
    coupling = g * E_CHARGE * eps
    rng = np.random.default_rng(8)
    pc, pe, pp = du.sample_dalitz_3body(rng, 3, M, m, coupling, mv)
    P = np.array([M, 0, 0, 0.0])
    for i in range(3):
        q = pe[i] + pp[i]
        q2 = q @ G @ q
        # L = sum over spins: u-bar(chi) gamma^mu u(chi') x u-bar(e-) gamma_mu v(e+)
        D = np.array([[np.trace((dn.slash(pc[i]) + m * dn.ID4) @ dn.GAMMA[a] @ (dn.slash(P) + M * dn.ID4)
                                @ dn.bar(dn.GAMMA[b])) for b in range(4)] for a in range(4)])
        Lt = np.array([[np.trace((dn.slash(pe[i]) + M_E * dn.ID4) @ dn.GAMMA[a] @ (dn.slash(pp[i]) - M_E * dn.ID4)
                                 @ dn.bar(dn.GAMMA[b])) for b in range(4)] for a in range(4)])
        bf = 0.5 * coupling**2 * np.real(np.einsum("ab,ac,bd,cd->", D, G, G, Lt)) / (q2 - mv**2) ** 2
        an = du.msq_chi_prime_3body(P[None], pc[i:i + 1], pe[i:i + 1], pp[i:i + 1], M, m, coupling, mv)[0]
        assert an == pytest.approx(bf, rel=1e-8)
    # width: factorised 1D quadrature vs plain MC over the Dalitz plot of the full |M|^2
    n = 400_000
    s12 = rng.uniform((2 * M_E) ** 2, (M - m) ** 2, n)
    s23 = rng.uniform((M_E + m) ** 2, (M - M_E) ** 2, n)
    a, b, c, inside = du._dalitz_momenta(s12, s23, M, m, M_E)
    w = np.where(inside, du.msq_chi_prime_3body(np.broadcast_to(P, a.shape), a, b, c, M, m, coupling, mv), 0.0)
    area = ((M - m) ** 2 - 4 * M_E**2) * ((M - M_E) ** 2 - (M_E + m) ** 2)
    vals = w * area / ((2 * np.pi) ** 3 * 32 * M**3)
    mc, err = vals.mean(), vals.std() / np.sqrt(n)
    quad = du.width_chi_prime_to_chi_ee(M, m, mv, g, eps)
    assert abs(mc - quad) < 4 * err and err < 0.02 * quad


def test_chi_prime_widths_and_decay_length():
    w = du.chi_prime_widths(single())
    assert set(w) == {"chi V1", "total", "ctau_mm"}
    assert w["ctau_mm"] == pytest.approx(197.3269804e-12 / w["total"], rel=1e-6)  # hbar c = 197.33 MeV fm
    wd = du.chi_prime_widths(double(m_v2="30 MeV"))
    assert wd["total"] == pytest.approx(wd["chi V1"] + wd["chi V2"])
    off = du.chi_prime_widths(single(m_v1="30 MeV", m_chi_prime="20 MeV"))
    assert "chi e+e- (V1*)" in off and off["total"] > 0
    # width scales as g'^2
    assert du.chi_prime_widths(single(g_prime="1.0"))["total"] == pytest.approx(w["total"] / 3.5449077**2, rel=1e-6)


@pytest.mark.parametrize("model", [single(), single(m_v1="30 MeV", m_chi_prime="20 MeV")])
def test_decay_sampler_conservation(model):
    rng = np.random.default_rng(4)
    n = 5000
    p3 = projectile_p4(rng.uniform(60.0, 2000.0, n), model.m_chi_prime, rng.normal(size=(n, 3)))
    dec = du.sample_chi_prime_decay(rng, model, p3)
    np.testing.assert_allclose(dec.p4_chi + dec.p4_em + dec.p4_ep, p3, atol=1e-7 * p3[:, 0].max())
    np.testing.assert_allclose(mass(dec.p4_chi), model.m_chi, rtol=1e-5)
    np.testing.assert_allclose(mass(dec.p4_em), M_E, rtol=1e-3)
    np.testing.assert_allclose(mass(dec.p4_ep), M_E, rtol=1e-3)
    mee = mass(dec.p4_em + dec.p4_ep)
    if dec.mode == "on-shell V1":
        np.testing.assert_allclose(mee, model.m_v1, rtol=1e-6)
        assert dec.weight[0] == pytest.approx(du.v1_branching_ee(model)) and dec.weight[0] == pytest.approx(0.5)
    else:
        assert np.all((mee >= 2 * M_E * (1 - 1e-6)) & (mee <= (model.m_chi_prime - model.m_chi) * (1 + 1e-9)))
        assert dec.weight[0] == pytest.approx(1.0)
    assert np.all(np.isfinite(dec.weight))
