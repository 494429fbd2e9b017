"""chi^2 against MiniBooNE data, normalisation fits and mass scans."""

import numpy as np
import pytest

from darkbeam.data import miniboone_eqe, miniboone_spectrum
from darkbeam.errors import InputError
from darkbeam.inference import (
    background_frac_syst,
    chi2_eqe,
    chi2_joint,
    chi2_spectrum,
    excess,
    fit_normalisation,
    scan_masses,
    stat_variance,
)
from darkbeam.inference.chi2 import chi2_from_covariance, eqe_covariance


def test_stat_variance():
    d, mu = np.array([4.0, 10.0, 0.0]), np.array([9.0, 10.0, 3.0])
    np.testing.assert_allclose(stat_variance(d, mu, "pearson"), mu)
    np.testing.assert_allclose(stat_variance(d, mu, "neyman"), [4.0, 10.0, 1.0])
    cnp = stat_variance(d, mu, "cnp")
    assert cnp[0] == pytest.approx(3.0 / (1 / 4 + 2 / 9))  # arXiv:1903.07185 Eq. (CNP)
    assert cnp[1] == pytest.approx(10.0) and cnp[2] == pytest.approx(1.5)
    assert 4.0 < cnp[0] < 9.0  # between Neyman and Pearson
    with pytest.raises(InputError):
        stat_variance(d, mu, "poisson")


def test_collapse_equals_explicit_block_sums():
    # independent route: explicit signal/background block sums of the absolute 30x30 covariance
    rel = miniboone_eqe("neutrino")
    s = np.clip(rel["data"] - rel["background"], 0, None)
    p = np.concatenate([s, rel["background"], rel["numu_prediction"]])
    M = rel["frac_cov"] * np.outer(p, p)
    S, B, U = slice(0, 11), slice(11, 22), slice(22, 30)
    ee = M[S, S] + M[S, B] + M[B, S] + M[B, B]
    eu = M[S, U] + M[B, U]
    _, cov, is_nue = eqe_covariance(s, "neutrino", stat="pearson")
    stat = np.concatenate([s + rel["background"], rel["numu_prediction"]])
    np.testing.assert_allclose(cov[:11, :11], ee + np.diag(stat[:11]), rtol=1e-12)
    np.testing.assert_allclose(cov[:11, 11:], eu, rtol=1e-12)
    np.testing.assert_allclose(cov[11:, 11:], M[U, U] + np.diag(stat[11:]), rtol=1e-12)
    assert is_nue.sum() == 11


@pytest.mark.parametrize("mode", ["neutrino", "antineutrino"])
def test_excess_only_check_eqe(mode):
    z, e = np.zeros(11), excess(mode)
    # without the nu_mu bins, signal = data - background leaves zero residual
    assert chi2_eqe(e, mode, numu_constraint=False).chi2 == pytest.approx(0.0, abs=1e-18)
    # with them, the floor is the nu_mu residual through the Schur complement (independent route)
    resid, cov, nue = eqe_covariance(e, mode)
    Cee, Ceu, Cuu = cov[np.ix_(nue, nue)], cov[np.ix_(nue, ~nue)], cov[np.ix_(~nue, ~nue)]
    schur = Cuu - Ceu.T @ np.linalg.solve(Cee, Ceu)
    floor = resid[~nue] @ np.linalg.solve(schur, resid[~nue])
    assert chi2_eqe(e, mode).chi2 == pytest.approx(floor, rel=1e-8)
    r0, r1 = chi2_eqe(z, mode), chi2_eqe(e, mode)
    assert r0.ndof == 19 and 0.0 < r1.chi2 < r0.chi2
    if mode == "neutrino":
        # published: 560.6 +- 119.6 events excess (4.7 sigma, arXiv:2006.16883); the shape chi^2
        # with the release covariance should give a comparable background-only rejection
        assert np.sqrt(r0.chi2 - r1.chi2) == pytest.approx(4.69, abs=0.5)


def test_combined_eqe():
    z = {"neutrino": np.zeros(11), "antineutrino": np.zeros(11)}
    e = {m: excess(m) for m in z}
    r0, r1 = chi2_eqe(z, "combined"), chi2_eqe(e, "combined")
    assert r0.ndof == 38 and r0.chi2 - r1.chi2 > 25  # 4.8 sigma combined excess (paper)
    assert chi2_eqe(e, "combined", numu_constraint=False).chi2 == pytest.approx(0.0, abs=1e-15)
    assert chi2_eqe(tuple(e.values()), "combined").chi2 == pytest.approx(r1.chi2)
    with pytest.raises(InputError):
        chi2_eqe(np.zeros(11), "combined")
    with pytest.raises(InputError):
        chi2_eqe(np.zeros(10), "neutrino")
    assert chi2_eqe(z["neutrino"], "neutrino", eqe_max_MeV=1250).n_bins == 9 + 8


def test_chi2_unbiased_on_gaussian_pseudo_data():
    # pseudo-data drawn from the covariance itself: <chi^2> = number of bins
    _resid0, cov, _ = eqe_covariance(np.zeros(11), "neutrino", stat="pearson")
    rng = np.random.default_rng(11)
    n = 400
    draws = rng.multivariate_normal(np.zeros(len(cov)), cov, n)
    vals = np.array([chi2_from_covariance(x, cov) for x in draws])
    assert abs(vals.mean() - 19) < 4 * np.sqrt(2 * 19 / n)


def test_chi2_spectrum_poisson_mean():
    # Pearson chi^2 of Poisson pseudo-data around the background: <chi^2> = n_bins exactly
    b = miniboone_spectrum("neutrino", "cos_theta")["background"]
    rng = np.random.default_rng(5)
    n = 400
    vals = [chi2_spectrum(np.zeros(20), "neutrino", "cos_theta", stat="pearson", frac_syst=0.0,
                          data=rng.poisson(b).astype(float)).chi2 for _ in range(n)]
    assert abs(np.mean(vals) - 20) < 4 * np.sqrt(2 * 20 / n)


@pytest.mark.parametrize(
    "mode,obs", [("neutrino", "E_vis"), ("neutrino", "cos_theta"), ("antineutrino", "E_vis")]
)
def test_excess_only_check_spectra(mode, obs):
    e = excess(mode, obs)
    z = np.zeros_like(e)
    assert chi2_spectrum(e, mode, obs).chi2 == pytest.approx(0.0, abs=1e-12)
    r0 = chi2_spectrum(z, mode, obs)
    stat_only = chi2_spectrum(z, mode, obs, frac_syst=0.0)
    assert stat_only.chi2 > r0.chi2 > 0
    if mode == "neutrino":  # 2881 observed vs 2318 expected: background-only must be excluded
        assert r0.pvalue < 1e-4
    corr = chi2_spectrum(z, mode, obs, syst_correlation="correlated")
    assert corr.chi2 < stat_only.chi2


def test_background_frac_syst_monte_carlo():
    # independent route: sample background vectors from the release covariance
    for mode, ref in (("neutrino", 0.110), ("antineutrino", 0.125)):
        rel = miniboone_eqe(mode)
        b = rel["background"][:9]
        C = rel["frac_cov"][11:20, 11:20] * np.outer(b, b)
        rng = np.random.default_rng(2)
        n = 20000
        tot = rng.multivariate_normal(b, C, n).sum(axis=1)
        f_mc = tot.std() / b.sum()
        f = background_frac_syst(mode)
        assert abs(f_mc / f - 1) < 4 / np.sqrt(2 * n)
        assert f == pytest.approx(ref, abs=0.002)


def test_joint():
    sig = {("neutrino", "E_QE"): excess("neutrino"), ("neutrino", "cos_theta"): np.zeros(20),
           ("antineutrino", "E_vis"): excess("antineutrino", "E_vis")}
    r = chi2_joint(sig, n_params=2)
    assert r.n_bins == 19 + 20 + 19 and r.ndof == r.n_bins - 2
    assert r.chi2 == pytest.approx(sum(c for c, _ in r.parts.values()))
    alone = chi2_spectrum(np.zeros(20), "neutrino", "cos_theta").chi2
    assert r.parts["neutrino/cos_theta"][0] == pytest.approx(alone)
    with pytest.raises(InputError):
        chi2_joint({("antineutrino", "cos_theta"): np.zeros(20)})
    with pytest.raises(InputError):
        chi2_joint(sig, n_params=100)


def _shape(n):
    x = np.linspace(0, 1, n)
    t = np.exp(-4 * x)
    return t / t.sum()


def test_fit_recovers_injected_normalisation():
    spec = miniboone_spectrum("neutrino", "E_vis")
    b = spec["background"]
    c_true, power = 3e-4, 2.0
    T = 400.0 * _shape(len(b)) / c_true**power  # template for unit coupling product
    rng = np.random.default_rng(2024)
    pulls = []
    for _ in range(30):
        d = rng.poisson(b + c_true**power * T).astype(float)
        def chi2_fn(s, d=d):
            return chi2_spectrum(s, "neutrino", "E_vis", frac_syst=0.0, data=d)

        fit = fit_normalisation(chi2_fn, T, power)
        assert fit.valid and fit.ndof == len(b) - 1
        pulls.append((fit.c - c_true) / fit.c_error)
        # HESSE error <-> Delta chi^2 = 1 (independent check of the error definition)
        up = chi2_fn((fit.c + fit.c_error) ** power * T).chi2
        assert up - fit.chi2 == pytest.approx(1.0, abs=0.25)
    pulls = np.array(pulls)
    n = len(pulls)
    assert abs(pulls.mean()) < 3.0 / np.sqrt(n)
    frac_in = np.mean(np.abs(pulls) < 1)
    assert abs(frac_in - 0.683) < 3 * np.sqrt(0.683 * 0.317 / n)
    assert np.abs(pulls).max() < 4


def test_fit_official_eqe_and_boundary():
    T = np.clip(excess("neutrino"), 0, None) / 1e-14  # huge template (tiny coupling)
    fit = fit_normalisation(lambda s: chi2_eqe(s), T, 2.0)
    assert fit.c == pytest.approx(1e-7, rel=0.2) and fit.chi2 < fit.chi2_null - 15
    # data = background exactly: any signal makes chi^2 worse -> fit at the boundary c = 0
    b = miniboone_spectrum("neutrino", "E_vis")["background"]
    neg = fit_normalisation(lambda s: chi2_spectrum(s, data=b), 100.0 * _shape(len(b)), 1.0)
    assert neg.c == pytest.approx(0.0, abs=0.02) and neg.chi2 == pytest.approx(0.0, abs=1e-3)
    with pytest.raises(InputError):
        fit_normalisation(lambda s: chi2_eqe(s), np.zeros(11), 2.0)
    with pytest.raises(InputError):
        fit_normalisation(lambda s: chi2_eqe(s), T, 0.0)


def test_scan_finds_injected_mass_point():
    b = miniboone_spectrum("neutrino", "cos_theta")["background"]
    x = np.linspace(-0.95, 0.95, 20)

    def template(m_a, m_b):
        if m_a > 3.5:
            return np.zeros(20)  # closed channel
        t = np.exp(-0.5 * ((x - (0.5 - 0.2 * m_a)) / (0.1 + 0.05 * m_b)) ** 2)
        return 300.0 * t / t.sum() * (1 + m_b)

    d = b + template(2.0, 1.0)  # Asimov data at (2, 1), coupling product 1
    chi2_fn = lambda s: chi2_spectrum(s, "neutrino", "cos_theta", data=d)
    sc = scan_masses(template, chi2_fn, {"m_a": [0.0, 1.0, 2.0, 3.0, 4.0], "m_b": [0.0, 1.0, 2.0]})
    assert sc.best["point"] == {"m_a": 2.0, "m_b": 1.0}
    assert sc.best["c"] == pytest.approx(1.0, rel=1e-3) and sc.best["chi2"] < 1e-6
    assert sc.c[4, 0] == 0.0 and sc.chi2[4, 0] == pytest.approx(chi2_fn(np.zeros(20)).chi2)
    assert sc.delta_chi2.min() == 0.0 and sc.chi2.shape == (5, 3)
