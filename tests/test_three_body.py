"""Widths, branching ratios and the sampler of P± → ℓ± ν X (darkbeam.production.three_body)."""

import math

import numpy as np
import pytest

from darkbeam import constants as c
from darkbeam.errors import InputError
from darkbeam.models import MODELS, get_model
from darkbeam.production import matrix_elements as me
from darkbeam.production import three_body as tb
from darkbeam.sample import ParticleSample


def scalar(g="5e-3", m="1 MeV"):
    return get_model("muphilic-scalar", {"g_mu": g, "g_e": g, "m_phi": m})


def pseudo(g="1e-2", m="1 MeV"):
    return get_model("muphilic-pseudoscalar", {"g_mu": g, "g_e": g, "m_a": m})


def vidm(amp, eps=6e-5, m=17.0):
    return MODELS.get("vector-idm")(eps1=eps, m_v1=m, amplitude=amp)


def mc_width(mname, lname, kind, mx, amp, n, rng):
    """Independent route: uniform MC over the (q², s) rectangle with the exact |M|² (no variable map)."""
    mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
    M, m = mes.mass, lep.mass
    q2 = rng.uniform((m + mx) ** 2, M * M, n)
    s = rng.uniform(m * m, (M - mx) ** 2, n)
    # physical region: Gram determinant condition via the ℓX rest-frame limits
    rq = np.sqrt(q2)
    el = (q2 + m * m - mx * mx) / (2 * rq)
    en = (M * M - q2) / (2 * rq)
    pl = np.sqrt(np.clip(el * el - m * m, 0, None))
    inside = (s > (el + en) ** 2 - (pl + en) ** 2) & (s < (el + en) ** 2 - (pl - en) ** 2)
    f = np.zeros(n)
    inv = me.Invariants(M, m, mx, q2[inside], s[inside])
    f[inside] = me.me2(mes, inv, kind, amp)
    area = (M * M - (m + mx) ** 2) * ((M - mx) ** 2 - m * m)
    norm = area / (256 * math.pi**3 * M**3)
    return norm * f.mean(), norm * f.std() / math.sqrt(n)


@pytest.mark.parametrize("mname,lname,kind,mx,amp", [
    ("K", "mu", "scalar", 10.0, "gauge-invariant"),
    ("pi", "mu", "pseudoscalar", 5.0, "gauge-invariant"),
    ("K", "e", "vector", 17.0, "lepton"),
    ("K", "mu", "vector", 50.0, "gauge-invariant"),
])
def test_width_quadrature_vs_plain_mc(mname, lname, kind, mx, amp):
    rng = np.random.default_rng(7)
    quad = tb.unit_width(mname, lname, kind, mx, amp)
    val, err = mc_width(mname, lname, kind, mx, amp, 200_000 if kind != "vector" or amp == "gauge-invariant" else 20_000, rng)
    assert abs(quad - val) < 4 * err + 1e-6 * quad
    assert err < 0.08 * val  # the check has teeth


def test_quadrature_converged():
    for args in [("K", "e", "vector", 17.0, "gauge-invariant"), ("pi", "mu", "scalar", 1.0, "gauge-invariant")]:
        a = tb.unit_width.__wrapped__(*args, n=48)
        b = tb.unit_width(*args)
        assert a == pytest.approx(b, rel=1e-4)


@pytest.mark.parametrize("parent,lepton,br", [("pi+", "mu", c.BR_PI_MUNU), ("pi+", "e", c.BR_PI_ENU),
                                              ("K+", "mu", c.BR_K_MUNU), ("K+", "e", c.BR_K_ENU)])
def test_two_body_normalisation(parent, lepton, br):
    """Tree-level Γ(P→ℓν)/Γ_total vs PDG BR: agreement up to radiative/SU(3) corrections (< 4%)."""
    mes, _ = tb._meson(parent)
    assert tb.two_body_width(parent, lepton) / mes.total_width == pytest.approx(br, rel=0.04)


@pytest.mark.parametrize("model,parent,ref", [
    (scalar(), "K+", 230e-8), (scalar(), "pi+", 120e-8), (pseudo(), "K+", 100e-8), (pseudo(), "pi+", 1.1e-8)])
def test_seed000_table2_scalars(model, parent, ref):
    assert tb.branching_ratio(parent, "mu", model) == pytest.approx(ref, rel=0.10)


@pytest.mark.parametrize("parent,lepton,single,double,rel", [
    ("K+", "mu", 500e-12, 680e-12, 0.10), ("K+", "e", 530e-12, 720e-12, 0.10),
    ("pi+", "mu", 0.12e-12, 0.17e-12, 0.20), ("pi+", "e", 25e-12, 34e-12, 0.10)])
def test_seed000_table2_vectors_are_lepton_amplitude_times_half(parent, lepton, single, double, rel):
    """Seed 000's vector column = 50% (BR(V→χχ) or BR(V→ee)) × BR(P→ℓνV) of the `lepton` amplitude
    (docs/three_body.md); the gauge-invariant amplitude is far smaller."""
    br1 = tb.branching_ratio(parent, lepton, vidm("lepton", 6e-5))
    br2 = tb.branching_ratio(parent, lepton, vidm("lepton", 7e-5))
    assert 0.5 * br1 == pytest.approx(single, rel=rel)
    assert 0.5 * br2 == pytest.approx(double, rel=rel)
    assert tb.branching_ratio(parent, lepton, vidm("gauge-invariant", 6e-5)) < 0.1 * br1


def test_coupling_scaling_and_cache():
    a = tb.branching_ratio("K+", "mu", scalar("1e-3"))
    b = tb.branching_ratio("K+", "mu", scalar("2e-3"))
    assert b == pytest.approx(4 * a, rel=1e-12)


def test_closed_and_threshold_no_nan():
    for lname, m in (("mu", c.M_MU), ("e", c.M_E)):
        for mname, M, parent in (("pi", c.M_PI, "pi+"), ("K", c.M_K, "K+")):
            thr = M - m
            for g in ("1e-12", "1"):
                for mx in (thr * (1 - 1e-7), thr * (1 - 1e-3), 1e-3):
                    for model in (scalar(g, f"{mx} MeV"), pseudo(g, f"{mx} MeV")):
                        br = tb.branching_ratio(parent, lname, model)
                        assert math.isfinite(br) and br >= 0
            assert tb.branching_ratio(parent, lname, scalar("1", f"{thr} MeV")) == 0.0
            for amp in ("gauge-invariant", "lepton", "gauge-invariant+sd"):
                for eps in (1e-12, 1.0):
                    br = tb.branching_ratio(parent, lname, vidm(amp, eps, thr * (1 - 1e-6)))
                    assert math.isfinite(br) and br >= 0
    # width falls to zero continuously at threshold
    thr = c.M_K - c.M_MU
    brs = [tb.branching_ratio("K+", "mu", scalar("1", f"{thr - d} MeV")) for d in (10.0, 1.0, 0.1)]
    assert brs[0] > brs[1] > brs[2] > 0


def test_model_branching_ratios_lists_all_channels():
    rows = tb.model_branching_ratios(scalar(m="100 MeV"))
    assert len(rows) == 8
    by = {(r["parent"], r["channel"]): r["value"] for r in rows}
    assert by[("pi+", "mu+ nu_mu phi")] == "closed"
    assert by[("pi-", "mu- anti-nu_mu phi")] == "closed"
    assert isinstance(by[("K+", "mu+ nu_mu phi")], float) and by[("K+", "mu+ nu_mu phi")] > 0
    assert by[("K-", "e- anti-nu_e phi")] == pytest.approx(by[("K+", "e+ nu_e phi")])


def test_bad_input():
    with pytest.raises(InputError):
        tb.branching_ratio("rho+", "mu", scalar())
    with pytest.raises(InputError):
        tb.branching_ratio("K+", "tau", scalar())
    with pytest.raises(InputError):
        tb.branching_ratio("K+", "mu", scalar(m="0 MeV"))
    with pytest.raises(InputError):
        tb.sample_three_body(np.random.default_rng(0), _parents(np.random.default_rng(0), 3), "mu", scalar(), n_per_parent=0)


def _parents(rng, n, pdg=211, mass=c.M_PI):
    p = np.zeros((n, 4))
    p[:, 1:] = rng.normal(0, 100, (n, 3))
    p[:, 3] += rng.uniform(300, 3000, n)
    p[:, 0] = np.sqrt(np.sum(p[:, 1:] ** 2, axis=1) + mass**2)
    return ParticleSample(np.full(n, pdg), p, rng.normal(0, 10, (n, 3)), rng.uniform(0.5, 1.5, n))


def test_sampler_weights_and_kinematics():
    rng = np.random.default_rng(1)
    n = 20_000
    parents = ParticleSample.concat([_parents(rng, n), _parents(rng, n, -321, c.M_K),
                                     _parents(rng, 50, 2212, c.M_P)])
    model = scalar()
    out = tb.sample_three_body(rng, parents, "mu", model, n_per_parent=3)
    assert len(out) == 3 * 2 * n
    expect = (tb.branching_ratio("pi+", "mu", model) * parents.w[parents.pdg == 211].sum()
              + tb.branching_ratio("K-", "mu", model) * parents.w[parents.pdg == -321].sum())
    assert out.total() == pytest.approx(expect, rel=1e-12)
    par = parents.p4[out.extra["parent_index"]]
    tot = out.p4 + out.extra["p4_lepton"] + out.extra["p4_nu"]
    np.testing.assert_allclose(tot, par, atol=1e-8 * np.abs(par).max())
    m2 = out.p4[:, 0] ** 2 - np.sum(out.p4[:, 1:] ** 2, axis=1)
    np.testing.assert_allclose(np.sqrt(np.clip(m2, 0, None)), 1.0, atol=2e-3)
    ml = out.extra["p4_lepton"]
    np.testing.assert_allclose(np.sqrt(ml[:, 0] ** 2 - np.sum(ml[:, 1:] ** 2, axis=1)), c.M_MU, rtol=1e-6)
    np.testing.assert_array_equal(out.x, parents.x[out.extra["parent_index"]])
    kaon = out.extra["parent_pdg"] == -321
    assert np.all(out.extra["lepton_pdg"][kaon] == 13) and np.all(out.extra["nu_pdg"][kaon] == -14)
    assert np.all(out.extra["lepton_pdg"][~kaon] == -13)
    assert np.all(np.isfinite(out.p4)) and np.all(np.isfinite(out.w))


@pytest.mark.parametrize("mname,lname,kind,mx,amp", [
    ("K", "mu", "scalar", 1.0, "gauge-invariant"),
    ("pi", "e", "vector", 17.0, "gauge-invariant"),
    ("K", "e", "pseudoscalar", 30.0, "gauge-invariant")])
def test_sampler_spectrum_matches_exact_dalitz_density(mname, lname, kind, mx, amp):
    """E_X and E_ℓ spectra of the sampler (grid interpolant) vs a |M|²-weighted uniform Dalitz MC; χ² test
    with errors from both sample sizes; plus isotropy of the X direction at rest."""
    rng = np.random.default_rng(5)
    mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
    n = 100_000
    pl, _pn, k = tb.sample_rest_frame(rng, mes, lep, kind, mx, amp, n)
    # reference: weighted uniform points
    M, m = mes.mass, lep.mass
    nr = 400_000
    q2 = rng.uniform((m + mx) ** 2, M * M, nr)
    s = rng.uniform(m * m, (M - mx) ** 2, nr)
    rq = np.sqrt(q2)
    el = (q2 + m * m - mx * mx) / (2 * rq)
    en = (M * M - q2) / (2 * rq)
    p_l = np.sqrt(np.clip(el * el - m * m, 0, None))
    ins = (s > (el + en) ** 2 - (p_l + en) ** 2) & (s < (el + en) ** 2 - (p_l - en) ** 2)
    wref = np.zeros(nr)
    wref[ins] = me.me2(mes, me.Invariants(M, m, mx, q2[ins], s[ins]), kind, amp)
    for var_s, var_r in ((k[:, 0], (M * M + mx * mx - s) / (2 * M)), (pl[:, 0], M - (M * M - q2) / (2 * M) - (M * M + mx * mx - s) / (2 * M))):
        edges = np.quantile(var_s, np.linspace(0, 1, 21))
        edges[0], edges[-1] = -np.inf, np.inf
        hs = np.histogram(var_s, edges)[0]
        hr = np.histogram(var_r, edges, weights=wref)[0]
        hr2 = np.histogram(var_r, edges, weights=wref**2)[0]
        ps, pr = hs / n, hr / wref.sum()
        var = ps / n + hr2 / wref.sum() ** 2
        chi2 = np.sum((ps - pr) ** 2 / var)
        assert chi2 < 20 + 5 * math.sqrt(2 * 20)  # ndf ≈ 19, > 5σ of the χ² distribution fails
    cos = k[:, 3] / np.linalg.norm(k[:, 1:], axis=1)
    assert abs(cos.mean()) < 5 / math.sqrt(3 * n)


def test_sampler_closed_channel_gives_empty_sample():
    rng = np.random.default_rng(2)
    out = tb.sample_three_body(rng, _parents(rng, 100), "mu", scalar(m="50 MeV"))
    assert len(out) == 0
