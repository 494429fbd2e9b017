"""Dark Primakoff phi/a N -> gamma N: |M|^2 vs brute-force traces, integrals, limits, sampler."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest
from scipy import integrate

from darkbeam.constants import INV_MEV2_TO_CM2, M_N, M_P
from darkbeam.errors import InputError
from darkbeam.interactions import dirac_numeric as dn
from darkbeam.interactions import primakoff as pk
from darkbeam.interactions.form_factors import hadronic_coefficients
from darkbeam.interactions.targets import get_target
from darkbeam.interactions.twobody import final_state_lab, projectile_p4, t_limits
from darkbeam.models import get_model

G = dn.G


def scalar(**kw):
    s = {"m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": "5e-3", "g_n": "1e-2", "lam": "4.4e-4 /MeV"}
    s.update(kw)
    return get_model("muphilic-scalar", s)


def pseudo(**kw):
    s = {"m_a": "1 MeV", "m_zprime": "85 MeV", "g_mu": "1e-2", "g_n": "1e-2", "lam": "6.5e-3 /MeV"}
    s.update(kw)
    return get_model("muphilic-pseudoscalar", s)


def brute_force_msq(kind, k, kp, p, pp, M, f1, f2, g_lam, m_zp):
    """1/2 sum over nucleon spins and two explicit photon polarisations of |M|^2 from C1 / C4."""
    q = kp - k
    t = q @ G @ q
    V = dn.nucleon_vertex(f1, f2, pp - p, M)
    ql, kpl = G @ q, G @ kp
    tot = 0.0
    for eps in dn.transverse_polarisations(kp):
        el = G @ eps
        if kind == "pseudoscalar":  # eps^{nu rho alpha beta} eps*_rho q_alpha k'_beta  (C1)
            X = np.einsum("nrab,r,a,b->n", dn.EPS, el, ql, kpl)
        else:  # (q^rho k'^nu - (k'.q) g^{rho nu}) eps*_rho  (C4)
            X = (q @ el) * kp - (kp @ G @ q) * eps
        O = sum(V[mu] * (G @ X)[mu] for mu in range(4))
        tot += dn.spin_sum(pp, M, O, p, M)
    return 0.5 * tot * g_lam**2 / (t - m_zp**2) ** 2


@pytest.mark.parametrize("kind", ["scalar", "pseudoscalar"])
def test_msq_matches_brute_force_trace(kind):
    rng = np.random.default_rng(5)
    for M in (938.272, 11177.9):
        for _ in range(4):
            ma = rng.uniform(0.5, 50.0)
            E = rng.uniform(ma + 5, 1500.0)
            tmin, tmax, _ = t_limits(np.array([E]), ma, 0.0, M)
            t = tmax[0] + (tmin[0] - tmax[0]) * rng.uniform()
            k = projectile_p4(np.array([E]), ma, rng.normal(size=(1, 3)))
            kp, pp, _ = final_state_lab(rng, k, ma, 0.0, M, np.array([t]))
            p = np.array([M, 0, 0, 0.0])
            f1, f2 = rng.normal(size=2)
            bf = brute_force_msq(kind, k[0], kp[0], p, pp[0], M, f1, f2, 2e-3, 60.0)
            s = (k[0] + p) @ G @ (k[0] + p)
            A, B = hadronic_coefficients(f1, f2, t, M)
            an = pk.msq_primakoff(s, t, ma, M, 2e-3, 60.0, A, B)
            assert an == pytest.approx(bf, rel=1e-9, abs=1e-12 * abs(bf))


def test_relation_to_printed_c2():
    """Documented difference: ours = -C2 - (g lam)^2 M^2 (t - m^2)^2/(t - m_Z'^2)^2 (point target)."""
    rng = np.random.default_rng(6)
    M, ma, mz = 11177.9, 1.0, 49.0
    E = rng.uniform(50, 1000, 20)
    tmin, tmax, _ = t_limits(E, ma, 0.0, M)
    t = tmax + (tmin - tmax) * rng.uniform(size=20)
    s = ma**2 + M**2 + 2 * M * E
    ours = pk.msq_primakoff(s, t, ma, M, 1.0, mz)
    c2 = pk.msq_primakoff_seed_c2(s, t, ma, M, 1.0, mz)
    assert np.all(c2 < 0)  # printed C2 is negative in the physical region
    np.testing.assert_allclose(ours, -c2 - M**2 * (t - ma**2) ** 2 / (t - mz**2) ** 2, rtol=1e-6)


def test_t_limits_forward_backward():
    """t at cos(theta) = +-1 computed directly in the lab equals t_limits, and seed 000 Eq. B7."""
    M, ma = 11177.9, 1.0
    E = np.array([2.0, 30.0, 300.0, 1000.0])
    tmin, tmax, ok = t_limits(E, ma, 0.0, M)
    assert np.all(ok)
    # lab: E_gamma(cos) from energy-momentum conservation, t = m^2 - 2 E Eg + 2 p Eg cos,
    # evaluated with 50-digit decimals (the forward end cancels catastrophically in doubles)
    getcontext().prec = 50
    p = np.sqrt(E**2 - ma**2)
    for cos, tref in ((1, tmin), (-1, tmax)):
        for i, e in enumerate(E):
            Ed, md, Md = Decimal(float(e)), Decimal(ma), Decimal(M)
            pd = (Ed * Ed - md * md).sqrt()
            Eg = (2 * Md * Ed + md * md) / (2 * (Md + Ed - pd * cos))
            t = md * md - 2 * Ed * Eg + 2 * pd * Eg * cos
            assert tref[i] == pytest.approx(float(t), rel=1e-9)
    # B7: E_N^pm and t = 2M(M - E_N)
    s = ma**2 + M**2 + 2 * M * E
    lam = (s - M**2) ** 2  # lambda(s, M^2, 0)
    EN_p = (s + M**2) / (2 * np.sqrt(s)) * (E + M) / np.sqrt(s) + np.sqrt(lam) / (2 * np.sqrt(s)) * p / np.sqrt(s)
    np.testing.assert_allclose(2 * M * (M - EN_p), tmax, rtol=1e-9)


def test_dsigma_dt_zero_outside_range():
    m = scalar()
    E = 300.0
    tmin, tmax, _ = t_limits(np.array([E]), 1.0, 0.0, get_target("C12").mass)
    vals = pk.dsigma_dt(m, "C12", E, np.array([tmax[0] * 1.01, 0.5 * tmin[0], tmin[0] * 0.5 + tmax[0] * 0.5]))
    assert vals[0] == 0 and vals[1] == 0 and vals[2] > 0


@pytest.mark.parametrize("component,target", [("coherent", "C12"), ("proton", "C12"), ("neutron", "Ar40")])
def test_sigma_grid_vs_quad(component, target):
    m = scalar()
    tgt = get_target(target)
    M = tgt.mass if component == "coherent" else (M_P if component == "proton" else M_N)
    for E in (300.0, 1000.0):
        tmin, tmax, _ = t_limits(np.array([E]), 1.0, 0.0, M)
        f = lambda u, E=E: float(pk.dsigma_dt(m, tgt, E, -np.exp(u), component) * np.exp(u))
        lo, hi = np.log(-tmin[0]), np.log(-tmax[0])
        ref, _ = integrate.quad(f, lo, hi, limit=400, epsrel=1e-9, points=np.linspace(lo, hi, 12)[1:-1])
        got = pk.sigma(m, tgt, E, component)[0]
        assert got == pytest.approx(ref, rel=2e-5)


def test_sigma_plain_monte_carlo():
    """Independent route: plain MC average over t uniform in ln(-t)."""
    m = pseudo()
    rng = np.random.default_rng(9)
    E, M = 500.0, get_target("C12").mass
    tmin, tmax, _ = t_limits(np.array([E]), 1.0, 0.0, M)
    lo, hi = np.log(-tmin[0]), np.log(-tmax[0])
    n = 200_000
    u = rng.uniform(lo, hi, n)
    g = pk.dsigma_dt(m, "C12", E, -np.exp(u)) * np.exp(u) * (hi - lo)
    est, err = g.mean(), g.std() / np.sqrt(n)
    assert abs(pk.sigma(m, "C12", E)[0] - est) < 4 * err


def test_heavy_mediator_static_limit():
    """Static heavy nucleus, heavy Z', light boson: sigma = Q^2 (g lam)^2 E^4 / (6 pi m_Z'^4)."""
    m = pseudo(m_a="0.01 MeV", m_zprime="100 GeV")
    E = np.array([5.0, 20.0])
    got = pk.sigma(m, "Pb208", E, "coherent", form_factor=False)
    Q = 2 * 82 + 126
    ref = Q**2 * (m.g_n * m.lam) ** 2 * E**4 / (6 * np.pi * m.m_zprime**4) * INV_MEV2_TO_CM2
    np.testing.assert_allclose(got, ref, rtol=1e-3)
    # and sigma * m_Z'^4 is independent of the mediator mass once m_Z'^2 >> |t|
    got2 = pk.sigma(m.replace(m_zprime=200e3), "Pb208", E, "coherent", form_factor=False)
    np.testing.assert_allclose(got2 * 16, got, rtol=1e-6)


def test_coherent_charge_scaling_and_scalar_equals_pseudoscalar():
    m = scalar()
    E = np.array([300.0, 1000.0])
    u = pk.sigma(m, "C12", E, "coherent", coupling="u-quark")
    z = pk.sigma(m, "C12", E, "coherent", coupling="em")
    np.testing.assert_allclose(u / z, (18 / 6) ** 2, rtol=1e-12)
    mp = get_model("muphilic-pseudoscalar", {"m_a": "1 MeV", "m_zprime": "49 MeV", "g_n": "1e-2", "lam": "4.4e-4 /MeV"})
    np.testing.assert_allclose(pk.sigma(mp, "C12", E), u, rtol=1e-12)
    # nucleon targets have no coherent part; H1 = proton
    assert pk.sigma(m, "H1", 300.0, "coherent")[0] == 0
    assert pk.sigma(m, "H1", 300.0, "proton")[0] == pytest.approx(pk.sigma(m, "C12", 300.0, "proton")[0] / 6)
    allc = pk.sigma_all(m, "C12", E)
    np.testing.assert_allclose(allc["total"], allc["coherent"] + allc["proton"] + allc["neutron"])


def test_no_nan_and_bad_input():
    m = scalar()
    E = np.concatenate([[1.0, 1.0 + 1e-9], np.logspace(0.01, 4, 30)])
    s = pk.sigma_all(m, "O16", E)
    assert all(np.all(np.isfinite(v)) and np.all(v >= 0) for v in s.values())
    with pytest.raises(InputError):
        pk.sigma(m, "C12", 0.5)  # below the boson mass
    with pytest.raises(InputError):
        pk.sigma(m, "C12", np.nan)
    with pytest.raises(InputError):
        pk.sigma(get_model("vector-idm", {}), "C12", 300.0)
    with pytest.raises(InputError):
        pk.sigma(m, "C12", 300.0, component="diffractive")


def test_sampler_conservation_and_distribution():
    m = scalar()
    rng = np.random.default_rng(2024)
    n = 20_000
    E = rng.uniform(200.0, 1200.0, n)
    dirs = rng.normal(size=(n, 3))
    ev = pk.sample_primakoff(rng, m, "C12", E, dirs)
    # energy-momentum conservation event by event (target at rest)
    p1 = projectile_p4(E, m.m_phi, dirs)
    tgt = get_target("C12")
    masses = np.where(ev.component == 0, tgt.mass, np.where(ev.component == 1, M_P, M_N))
    initial = p1.copy()
    initial[:, 0] += masses
    np.testing.assert_allclose(ev.p4_gamma + ev.p4_recoil, initial, atol=1e-6 * masses.max())
    np.testing.assert_allclose(ev.p4_gamma[:, 0] ** 2, np.sum(ev.p4_gamma[:, 1:] ** 2, axis=1), rtol=1e-9)
    dhat = dirs / np.linalg.norm(dirs, axis=1)[:, None]
    cos = np.sum(ev.p4_gamma[:, 1:] * dhat, axis=1) / ev.E_gamma
    np.testing.assert_allclose(cos, ev.cos_theta, atol=1e-9)
    # t from the final state
    q = ev.p4_gamma - p1
    t_fs = q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1)
    np.testing.assert_allclose(t_fs, ev.t, rtol=1e-5, atol=1e-3)
    # weights: total cross-section at each energy; component fractions match sigma ratios
    sig = pk.sigma_all(m, "C12", E)
    np.testing.assert_allclose(ev.sigma_cm2, sig["total"], rtol=1e-12)
    frac = np.mean(sig["coherent"] / sig["total"])
    got = np.mean(ev.component == 0)
    assert abs(got - frac) < 4 * np.sqrt(frac * (1 - frac) / n)


def test_sampler_t_distribution_vs_quadrature():
    """<ln(-t)> and <E_gamma> of sampled coherent events vs quadrature of dsigma/dt."""
    m = pseudo()
    rng = np.random.default_rng(77)
    n, E = 50_000, 600.0
    ev = pk.sample_primakoff(rng, m, "C12", np.full(n, E), components=("coherent",))
    M = get_target("C12").mass
    tmin, tmax, _ = t_limits(np.array([E]), 1.0, 0.0, M)
    lo, hi = np.log(-tmin[0]), np.log(-tmax[0])
    w = lambda u: float(pk.dsigma_dt(m, "C12", E, -np.exp(u)) * np.exp(u))
    pts = np.linspace(lo, hi, 12)[1:-1]
    norm = integrate.quad(w, lo, hi, limit=400, points=pts)[0]
    for obs, fn in (("lnt", lambda u: u), ("Eg", lambda u: E - np.exp(u) / (2 * M))):
        mean_ref = integrate.quad(lambda u, fn=fn: fn(u) * w(u), lo, hi, limit=400, points=pts)[0] / norm
        x = np.log(-ev.t) if obs == "lnt" else ev.E_gamma
        assert abs(x.mean() - mean_ref) < 4 * x.std() / np.sqrt(n) + 1e-12, obs
    assert np.all((ev.t <= tmin[0]) & (ev.t >= tmax[0]))
