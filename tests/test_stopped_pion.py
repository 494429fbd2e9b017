"""Stopped-pion sources (darkbeam.beams.stopped): lines, Michel spectra, π⁰ → γγ, fluxes, yields, timing,
dark-boson hooks.

Fixed seeds; statistical tolerances are 5 standard deviations of the quantity for the sample size used
(σ/√n for means, √(p(1 − p)/n) for fractions, χ² p-values for shapes).
"""

from __future__ import annotations

import math

import hepunits as hu
import numpy as np
import pytest
from scipy import integrate, stats

from darkbeam import constants as c
from darkbeam.beams import stopped as sp
from darkbeam.beams.stopped_yields import burman_smith, pi_plus_energy_scaling, production_shape
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import ClosedChannelError, InputError
from darkbeam.models import MODELS
from darkbeam.pipeline.stopped_sources import (
    experiment_binned_neutrino_flux,
    experiment_neutrino_flux,
    experiment_neutrino_lines,
    experiment_source,
)
from darkbeam.production import neutral_meson as nm
from darkbeam.production.matrix_elements import LEPTONS, MESONS, Invariants, me2
from darkbeam.production.three_body import branching_ratio, sample_decays, unit_width

N = 200_000
Z5 = 5.0  # number of standard deviations of the statistical tolerances


def _mass(p4: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1), 0.0, None))


def _massless(p4: np.ndarray) -> bool:
    """E² − p² = 0 up to double-precision rounding of E² (a direct sqrt would amplify it to ~1e-5 MeV)."""
    return bool(np.all(np.abs(p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)) <= 1e-12 * p4[:, 0] ** 2))


def _at_rest(m: float, n: int) -> np.ndarray:
    p = np.zeros((n, 4))
    p[:, 0] = m
    return p


@pytest.fixture(scope="module")
def muons_unpolarised():
    return sp.sample_muon_dar(np.random.default_rng(11), "sns", N, polarised=False)


@pytest.fixture(scope="module")
def chain_sns():
    return sp.sample_dar_neutrinos(np.random.default_rng(12), "sns", 100_000)


# ------------------------------------------------------------------------------------------------
# lines and four-momentum conservation
# ------------------------------------------------------------------------------------------------


def test_pion_dar_line_and_conservation():
    n = 50_000
    out = sp.sample_pion_dar(np.random.default_rng(1), "sns", n)
    e_line = (c.M_PI**2 - c.M_MU**2) / (2 * c.M_PI)  # PDG "Kinematics": E = (M² − m²)/(2M) for a massless ν
    assert e_line == pytest.approx(29.79, abs=0.01)
    np.testing.assert_allclose(out.energy, e_line, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out.momentum, e_line, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out.p4 + out.extra["p4_mu"], _at_rest(c.M_PI, n), atol=1e-9)
    np.testing.assert_allclose(_mass(out.extra["p4_mu"]), c.M_MU, rtol=1e-9)
    assert set(np.unique(out.pdg)) == {14}
    assert out.total() == pytest.approx(0.09 / c.BR_PI_MUNU * c.BR_PI_MUNU, rel=1e-12)
    # μ⁺ spin along the ν_μ (helicity −1 of the μ⁺ in the π rest frame)
    np.testing.assert_allclose(out.extra["spin_mu"], out.p4[:, 1:] / out.energy[:, None], atol=1e-12)
    # isotropic: <cos θ> = 0 within 5σ (σ = 1/√(3n))
    assert abs(np.mean(out.p4[:, 3] / out.energy)) < Z5 / math.sqrt(3 * n)


def test_kdar_line_and_conservation():
    n = 20_000
    out = sp.sample_kaon_dar(np.random.default_rng(2), "jparc-mlf", n)
    e_line = (c.M_K**2 - c.M_MU**2) / (2 * c.M_K)
    assert e_line == pytest.approx(235.5, abs=0.05)
    np.testing.assert_allclose(out.energy, e_line, rtol=0, atol=1e-6)
    np.testing.assert_allclose(out.p4 + out.extra["p4_mu"], _at_rest(c.M_K, n), atol=1e-9)
    y = sp.yields_per_pot("jparc-mlf")["K+_dar"].value
    assert out.total() == pytest.approx(y * c.BR_K_MUNU, rel=1e-12)
    with pytest.raises(ClosedChannelError):  # no kaons below threshold at the SNS
        sp.sample_kaon_dar(np.random.default_rng(2), "sns", 10)


def test_muon_decay_conservation(muons_unpolarised):
    out = muons_unpolarised
    tot = out.p4 + out.extra["p4_partner"] + out.extra["p4_positron"]
    np.testing.assert_allclose(tot, _at_rest(c.M_MU, len(out)), atol=1e-9 * c.M_MU)
    np.testing.assert_allclose(_mass(out.extra["p4_positron"]), c.M_E, rtol=1e-6)
    assert _massless(out.p4) and _massless(out.extra["p4_partner"])
    n = len(out) // 2  # rows i and i + n are the ν_e and ν̄_μ of the same decay
    np.testing.assert_array_equal(out.pdg[:n], 12)
    np.testing.assert_array_equal(out.pdg[n:], -14)
    np.testing.assert_allclose(out.p4[:n], out.extra["p4_partner"][n:])


# ------------------------------------------------------------------------------------------------
# Michel spectra
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("species,pdg,mean_x,var_x,tail", [
    # <x> and var(x) of 12x²(1−x) and 2x²(3−2x); tail: P(x > 1 − ε) ≈ 6ε² and 2ε near the endpoint
    ("nu_e", 12, 3 / 5, 2 / 5 - 9 / 25, lambda eps: 6 * eps**2),
    ("nu_mu_bar", -14, 7 / 10, 8 / 15 - 49 / 100, lambda eps: 2 * eps),
])
def test_michel_spectra(muons_unpolarised, species, pdg, mean_x, var_x, tail):
    e = muons_unpolarised.energy[muons_unpolarised.pdg == pdg]
    n = len(e)
    half = c.M_MU / 2
    # endpoint (m_μ² − m_e²)/(2 m_μ) = 52.83 MeV: never exceeded, and reached to within ε where n·P(tail) ≥ 14
    assert sp.MICHEL_ENDPOINT == pytest.approx(52.83, abs=0.005)
    assert e.max() <= sp.MICHEL_ENDPOINT + 1e-9
    eps = next(x for x in np.geomspace(1e-6, 0.1, 400) if n * tail(x) >= 14.0)  # P(no event) ≤ e⁻¹⁴
    assert e.max() >= sp.MICHEL_ENDPOINT * (1 - eps)
    # mean energy: ⟨E⟩ = ⟨x⟩ m_μ/2 (3/5 → 31.70 MeV, 7/10 → 36.98 MeV)
    assert abs(e.mean() - mean_x * half) < Z5 * math.sqrt(var_x / n) * half
    # shape: χ² of 30 bins against the analytic cumulative
    edges = np.linspace(0.0, half, 31)
    obs, _ = np.histogram(e, edges)
    exp = n * np.diff(sp.michel_cdf(species, edges))
    ok = exp > 0
    chi2 = np.sum((obs[ok] - exp[ok]) ** 2 / exp[ok])
    assert stats.chi2.sf(chi2, ok.sum() - 1) > 1e-4
    # the pdf integrates to 1 and its cumulative is consistent
    assert integrate.quad(lambda x: sp.michel_pdf(species, x), 0, half)[0] == pytest.approx(1.0, rel=1e-9)


def test_muon_polarisation_correlation():
    """<ŝ·n̂> of μ⁺ decay: ν_e −1/3 (density 1 − ŝ·n̂), ν̄_μ +1/9 (from 2x²[(3−2x) − (1−2x)ŝ·n̂], the μ⁺ form of
    the polarised spectra in darkbeam.production.sm_decays): an independent check of the sampled |M|²."""
    n = N
    out = sp.sample_muon_dar(np.random.default_rng(13), "sns", n, polarised=True)
    cos = np.sum(out.p4[:, 1:] * out.extra["spin_mu"], axis=1) / out.energy
    for pdg, expect in ((12, -1 / 3), (-14, 1 / 9)):
        x = cos[out.pdg == pdg]
        assert abs(x.mean() - expect) < Z5 * x.std() / math.sqrt(len(x))
    # the spectra are those of unpolarised muons
    e = out.energy[out.pdg == 12]
    assert abs(e.mean() - 0.6 * c.M_MU / 2) < Z5 * 0.2 * (c.M_MU / 2) / math.sqrt(len(e))
    # and the whole sample stays isotropic in the lab
    assert abs(np.mean(out.p4[:, 3] / out.energy)) < Z5 / math.sqrt(3 * len(out))


# ------------------------------------------------------------------------------------------------
# π⁰ / η in flight
# ------------------------------------------------------------------------------------------------


def test_pi0_production_and_gamma_gamma():
    n = 100_000
    rng = np.random.default_rng(21)
    pi0 = sp.sample_neutral_mesons(rng, "sns", n, "pi0")
    shape = production_shape("sns")
    t_kin = pi0.energy - c.M_PI0
    # gamma(k, T0): mean k T0, var k T0² (truncation at T_p removes ~1e-4)
    assert abs(t_kin.mean() - shape.k * shape.t0) < Z5 * math.sqrt(shape.k) * shape.t0 / math.sqrt(n) + 0.1
    cos = pi0.p4[:, 3] / pi0.momentum
    assert abs(cos.mean() - shape.a / 3) < Z5 * math.sqrt(1 / 3) / math.sqrt(n)
    assert pi0.total() == pytest.approx(sp.yields_per_pot("sns")["pi0"].value, rel=1e-12)
    gam = sp.sample_neutral_meson_photons(rng, pi0)
    assert len(gam) == 2 * n  # two photons per decay: Σw = photons per POT
    assert gam.total() == pytest.approx(2 * pi0.total() * c.BR_PI0_GG, rel=1e-12)
    assert _massless(gam.p4) and _massless(gam.extra["p4_partner"])
    parent = pi0.p4[gam.extra["parent_index"]]
    np.testing.assert_allclose(gam.p4 + gam.extra["p4_partner"], parent, atol=1e-6)
    # endpoints E± = (E ± p)/2: u = (2E_γ − E)/p is uniform on [−1, 1] for an isotropic decay
    e, p = parent[:, 0], np.linalg.norm(parent[:, 1:], axis=1)
    u = (2 * gam.energy - e) / p
    assert u.min() >= -1 - 1e-9 and u.max() <= 1 + 1e-9
    assert u.min() < -1 + 14 / n and u.max() > 1 - 14 / n  # P(no photon within δ of an end) = (1 − δ/2)^{2n}
    # (the two photons of a decay have u₁ = −u₂, so test the first photon of each decay)
    assert stats.kstest(u[:n], "uniform", args=(-1, 2)).pvalue > 1e-4
    np.testing.assert_array_equal(gam.extra["t"], pi0.extra["t"][gam.extra["parent_index"]])


def test_eta_only_at_jparc():
    rng = np.random.default_rng(22)
    eta = sp.sample_neutral_mesons(rng, "jparc-mlf", 2000, "eta")
    np.testing.assert_allclose(_mass(eta.p4), c.M_ETA, rtol=1e-9)
    gam = sp.sample_neutral_meson_photons(rng, eta)
    assert gam.total() == pytest.approx(2 * eta.total() * c.BR_ETA_GG, rel=1e-12)
    with pytest.raises(ClosedChannelError, match="threshold"):
        sp.sample_neutral_mesons(rng, "sns", 10, "eta")


def test_burman_smith_shape():
    """The gamma shape reproduces the angle-integrated Burman–Smith spectrum it is matched to (L1 < 0.12)."""
    shape = production_shape("lanl-lujan")
    t = np.linspace(0, 800, 801)
    th = np.linspace(0, 180, 721)
    f = np.trapezoid(burman_smith(t[:, None], th[None, :], 800.0, 74), th, axis=1)
    f /= np.trapezoid(f, t)
    g = stats.gamma.pdf(t, shape.k, scale=shape.t0)
    assert np.trapezoid(np.abs(f - g), t) < 0.12
    assert 55 < t[np.argmax(f)] < 65 and 0.6 < shape.a < 0.9  # peak ~60 MeV, forward-peaked


# ------------------------------------------------------------------------------------------------
# yields and fluxes
# ------------------------------------------------------------------------------------------------


def test_sns_yields_match_coherent(chain_sns):
    y = sp.yields_per_pot("sns")
    assert y["nu_per_flavour"].value == 0.09 and y["nu_per_flavour"].uncertainty == pytest.approx(0.009)
    dar = sp.decays_at_rest_per_pot("sns")
    for ch in ("pi+ -> mu+ nu_mu", "mu+ -> e+ nu_e nu_mu_bar"):
        assert dar[ch].value == pytest.approx(0.09, rel=1e-12)
        assert dar[ch].uncertainty == pytest.approx(0.009, rel=1e-12)
    assert dar["K+ -> mu+ nu_mu"].value == 0.0 and "threshold" in y["K+_dar"].reference
    # the samples carry the same numbers per flavour
    for pdg in (14, 12, -14):
        assert chain_sns.w[chain_sns.pdg == pdg].sum() == pytest.approx(0.09, rel=1e-12)
    # π⁰/π⁺ and the energy scaling to Lujan (Efremenko: 0.14 E − 0.05)
    assert sp.pi0_over_pi_plus("sns").value == pytest.approx(0.106 / (0.09 / c.BR_PI_MUNU), rel=1e-12)
    assert pi_plus_energy_scaling(800.0) == pytest.approx((0.14 * 0.8 - 0.05) / 0.09, rel=1e-12)
    lujan = sp.yields_per_pot("lanl-lujan")["pi+_dar"]
    assert lujan.value == pytest.approx(y["pi+_dar"].value * 0.062 / 0.09, rel=1e-12)
    assert lujan.relative_uncertainty == pytest.approx(math.hypot(0.1, 0.2), rel=1e-9)
    with pytest.raises(InputError):
        pi_plus_energy_scaling(3000.0)


def test_jparc_yield_reproduces_jsns2_flux():
    """μ⁺ DAR per POT is the JSNS² ν_e flux (6.7 ± 2.3)e-9 /cm²/POT times 4π(24 m)²: the flux closes back."""
    y = sp.yields_per_pot("jparc-mlf")["mu+_dar"]
    assert y.value == pytest.approx(6.7e-9 * 4 * math.pi * 2400.0**2, rel=1e-12)
    edges = np.linspace(0, 60, 61)
    flux = experiment_binned_neutrino_flux("jsns2", edges)
    nu_e_michel = np.sum(flux["nu_e"] * np.diff(edges))  # the 69.8 MeV π → eν line is outside 0–60 MeV
    assert nu_e_michel == pytest.approx(6.7e-9, rel=1e-9)


def test_flux_inverse_square_and_normalisation():
    e = np.linspace(1.0, 52.0, 52)
    l1, l2 = 19.3 * hu.m, 27.5 * hu.m
    for s in sp.MICHEL_SPECIES:
        f1 = sp.neutrino_flux("sns", s, e, distance=l1)
        f2 = sp.neutrino_flux("sns", s, e, distance=l2)
        np.testing.assert_allclose(f1 / f2, (l2 / l1) ** 2, rtol=1e-12)
        np.testing.assert_allclose(experiment_neutrino_flux("coherent-csi", s, e), f1, rtol=1e-12)
    lines1 = sp.neutrino_lines("sns", l1)
    lines2 = experiment_neutrino_lines("coherent-lar")
    for a, b in zip(lines1, lines2, strict=True):
        ratio = a["flux_per_cm2_per_pot"] / b["flux_per_cm2_per_pot"]
        assert ratio == pytest.approx((l2 / l1) ** 2, rel=1e-12)
    # the COHERENT number: 0.09 / (4π (1930 cm)²) = 1.92e-9 ν per cm² per POT per flavour at the CsI detector
    assert lines1[0]["flux_per_cm2_per_pot"] == pytest.approx(0.09 / (4 * math.pi * 1930.0**2), rel=1e-12)
    # the binned flux integrates to yield / (4π L²), species by species
    edges = np.linspace(0, 300, 301)
    for where in ("ccm", "coherent-lar", "jsns2"):
        flux = experiment_binned_neutrino_flux(where, edges)
        area = 4 * math.pi * (get_experiment(where).distance / hu.cm) ** 2
        dar = sp.decays_at_rest_per_pot(experiment_source(where)[0])
        expect = {"nu_mu": dar["pi+ -> mu+ nu_mu"].value + dar["K+ -> mu+ nu_mu"].value,
                  "nu_e": dar["mu+ -> e+ nu_e nu_mu_bar"].value + dar["pi+ -> e+ nu_e"].value,
                  "nu_mu_bar": dar["mu+ -> e+ nu_e nu_mu_bar"].value}
        for s, v in expect.items():
            assert np.sum(flux[s] * np.diff(edges)) * area == pytest.approx(v, rel=1e-9)
    assert not np.any(sp.neutrino_flux("sns", "nu_mu", e, distance=l1))  # lines only
    with pytest.raises(InputError):
        sp.neutrino_flux("sns", "nu_e", e)  # a source needs a distance
    with pytest.raises(InputError):
        sp.neutrino_flux("sns", "nu_tau", e, distance=l1)


def test_sampled_spectra_match_binned_flux(chain_sns):
    """Weighted histograms of the sampled neutrinos = binned flux × 4πL² within the MC error."""
    edges = np.linspace(0, 54, 28)
    flux = sp.binned_neutrino_flux("sns", edges, distance=1.0 * hu.m)
    area = 4 * math.pi * 100.0**2
    for s, pdg in (("nu_e", 12), ("nu_mu_bar", -14), ("nu_mu", 14)):
        sel = chain_sns.pdg == pdg
        h, _ = np.histogram(chain_sns.energy[sel], edges, weights=chain_sns.w[sel])
        h2, _ = np.histogram(chain_sns.energy[sel], edges, weights=chain_sns.w[sel] ** 2)
        expect = flux[s] * np.diff(edges) * area
        assert np.all(np.abs(h - expect) <= Z5 * np.sqrt(h2) + 1e-12 * expect.max())


# ------------------------------------------------------------------------------------------------
# timing
# ------------------------------------------------------------------------------------------------


def test_time_cdf_formula_against_quadrature():
    """The closed-form pulse ⊗ exponential(s) CDF equals a direct numerical convolution."""
    src = sp.get_source("sns")
    sig = src.pulse[0].sigma
    a, b = sp.TAU_PI, sp.TAU_MU

    def one(x):  # CDF of Exp(τπ) at x
        return 0.0 if x <= 0 else 1 - math.exp(-x / a)

    def two(x):  # CDF of Exp(τπ) + Exp(τμ) at x (hypoexponential)
        return 0.0 if x <= 0 else 1 - (a * math.exp(-x / a) - b * math.exp(-x / b)) / (a - b)

    for t in (-200.0, 100.0, 1000.0, 5000.0):
        for parent, cdf in (("pi+", one), ("mu+", two)):
            num = integrate.quad(lambda g, t=t, cdf=cdf: stats.norm.pdf(g, 0, sig) * cdf(t - g),
                                 -10 * sig, 10 * sig, points=[t], limit=200)[0]
            assert float(sp.emission_time_cdf(src, parent, t)) == pytest.approx(num, abs=1e-7)


@pytest.mark.parametrize("source,cuts", [("sns", (0.0, 300.0, 1000.0, 6000.0)),
                                         ("jparc-mlf", (0.0, 270.0, 700.0, 1000.0))])
def test_prompt_and_delayed_fractions(source, cuts):
    """Fraction of ν_μ (prompt, π⁺ DAR) and ν_e (delayed, μ⁺ DAR) emitted before t (ns from the first bunch):
    sampled vs the analytic pulse ⊗ lifetime expectation, 5σ binomial tolerance."""
    n = 100_000
    out = sp.sample_dar_neutrinos(np.random.default_rng(31), source, n)
    for pdg, parent in ((14, "pi+"), (12, "mu+")):
        t = out.extra["t"][(out.pdg == pdg) & (out.extra["parent_pdg"] != 321)]
        assert len(t) == n
        for cut in cuts:
            p = float(sp.emission_time_cdf(source, parent, cut))
            frac = np.mean(t <= cut)
            assert abs(frac - p) <= Z5 * math.sqrt(max(p * (1 - p), 1.0 / n) / n)
    # within 1 μs of the pulse: nearly all ν_μ but only ~1/3 of the ν_e (1 − e^{−1 μs/2.2 μs} ≈ 0.37)
    if source == "sns":
        assert sp.emission_time_cdf(source, "pi+", 1000.0) > 0.999
        assert 0.30 < sp.emission_time_cdf(source, "mu+", 1000.0) < 0.40
    # KDAR ν_μ at J-PARC follow the kaon lifetime
    if source == "jparc-mlf":
        t = out.extra["t"][out.extra["parent_pdg"] == 321]
        p = float(sp.emission_time_cdf(source, "K+", 270.0))
        assert abs(np.mean(t <= 270.0) - p) <= Z5 * math.sqrt(p * (1 - p) / len(t))


# ------------------------------------------------------------------------------------------------
# dark-boson hooks
# ------------------------------------------------------------------------------------------------


def _scalar_spectrum_tail(mx: float, e_cut: float) -> tuple[float, float]:
    """(P(E_X > e_cut), Γ) for π⁺ → μ⁺ ν φ at rest by direct quadrature of |M|² over (s = m²_μν, q² = m²_μX)
    (PDG 2022 Eq. 49.22; q² limits at fixed s from the μν rest frame), independent of the sampler's grid."""
    mes, M, m = MESONS.get("pi"), c.M_PI, c.M_MU
    xs, ws = np.polynomial.legendre.leggauss(200)

    def dgamma_ds(s):
        rs = np.sqrt(s)
        el = (s + m * m) / (2 * rs)
        ex = (M * M - s - mx * mx) / (2 * rs)
        pl, px = np.sqrt(np.clip(el**2 - m * m, 0, None)), np.sqrt(np.clip(ex**2 - mx * mx, 0, None))
        lo, hi = (el + ex) ** 2 - (pl + px) ** 2, (el + ex) ** 2 - (pl - px) ** 2
        q2 = 0.5 * (hi - lo)[:, None] * xs[None, :] + 0.5 * (hi + lo)[:, None]
        f = me2(mes, Invariants(M, m, mx, q2, np.broadcast_to(s[:, None], q2.shape)), "scalar")
        return 0.5 * (hi - lo) * (f @ ws) / (256 * math.pi**3 * M**3)

    def gamma(s_lo, s_hi):
        s = 0.5 * (s_hi - s_lo) * xs + 0.5 * (s_hi + s_lo)
        return 0.5 * (s_hi - s_lo) * float(dgamma_ds(s) @ ws)

    s_min, s_max = m * m, (M - mx) ** 2
    s_cut = M * M + mx * mx - 2 * M * e_cut  # E_X = (M² + m_X² − s)/(2M)
    total = gamma(s_min, s_max)
    return gamma(s_min, min(max(s_cut, s_min), s_max)) / total, total


def test_pi_dar_scalar_endpoint():
    """π⁺ → μ⁺ ν φ at rest (muon-philic scalar) with the existing three-body sampler: E_φ ∈ [m_φ, E_max],
    E_max = (M² + m_φ² − m_μ²)/(2M), the upper tail as the quadrature of |M|² predicts, p conserved."""
    mx, n = 10.0, 100_000
    rng = np.random.default_rng(41)
    pions = sp.stopped_mesons(rng, "sns", n, "pi+")
    np.testing.assert_allclose(pions.p4, _at_rest(c.M_PI, n))
    pl, pn, k = sample_decays(rng, MESONS.get("pi"), LEPTONS.get("mu"), "scalar", mx, "gauge-invariant",
                              pions.p4)
    np.testing.assert_allclose(pl + pn + k, pions.p4, atol=1e-9)
    e_max = (c.M_PI**2 + mx**2 - c.M_MU**2) / (2 * c.M_PI)
    ex = k[:, 0]
    assert ex.min() >= mx - 1e-9 and ex.max() <= e_max + 1e-9
    # the quadrature reproduces the cached width, then predicts the tail near the endpoint
    _, total = _scalar_spectrum_tail(mx, e_max)
    assert total == pytest.approx(unit_width("pi", "mu", "scalar", mx), rel=2e-3)
    for frac_of_range in (0.5, 0.2, 0.1):
        cut = e_max - frac_of_range * (e_max - mx)
        p, _ = _scalar_spectrum_tail(mx, cut)
        # 5σ binomial + 0.2 % for the sampler's bilinear grid interpolation
        assert abs(np.mean(ex > cut) - p) <= Z5 * math.sqrt(p * (1 - p) / n) + 2e-3 * p
    # the largest sampled energy reaches the endpoint region as far as the statistics allow:
    # smallest δ with n·P(E > E_max − δ) ≥ 14, i.e. P(no event beyond) ≤ e⁻¹⁴
    delta = next(d for d in np.linspace(0.005, 0.5, 100) * (e_max - mx)
                 if n * _scalar_spectrum_tail(mx, e_max - d)[0] >= 14.0)
    assert ex.max() >= e_max - delta


def test_declared_channels_at_a_stopped_source_carry_weights_and_times():
    """The models' declared production channels decay the stopped source's parents (pipeline.stopped_sources):
    π⁺ at rest → μ⁺νφ with weight yield × BR, π⁰ in flight → γV with yield × BR(π⁰ → γV) and the V on its mass
    shell; every X carries its parent's decay time."""
    from darkbeam.detectors.catalog import BEAMS
    from darkbeam.pipeline.stopped_sources import iter_stopped_sources

    beam = BEAMS.get("lanl-lujan")
    yields = sp.yields_per_pot("lanl-lujan")
    model = MODELS.get("muphilic-scalar")(m_phi=10.0, g_mu=1e-3)
    got = {}
    for xs, _p4, label in iter_stopped_sources(model, beam, list(model.production), 5000, 5000,
                                                np.random.default_rng(42)):
        got.setdefault(label, []).append(xs)
    x = got["pi+ mu"][0]
    assert x.total() == pytest.approx(yields["pi+_dar"].value * branching_ratio("pi+", "mu", model), rel=1e-12)
    assert "t" in x.extra and np.all(np.isfinite(x.extra["t"]))
    e_max = (c.M_PI**2 + 10.0**2 - c.M_MU**2) / (2 * c.M_PI)  # three-body endpoint of the X energy
    assert x.p4[:, 0].min() >= 10.0 - 1e-9 and x.p4[:, 0].max() <= e_max + 1e-9
    # π⁰ in flight → γ V (dark photon, 20 MeV)
    dp = MODELS.get("dark-photon")(m_v=20.0, epsilon=1e-3)
    neutral = [ch for ch in dp.production if "pi0" in ch.parents]
    vs = [xs for xs, _p4, label in iter_stopped_sources(dp, beam, neutral, 5000, 5000, np.random.default_rng(7))
          if label == "pi0"]
    v = vs[0]
    assert "t" in v.extra
    assert v.total() == pytest.approx(yields["pi0"].value * nm.neutral_meson_br("pi0", dp), rel=1e-12)
    np.testing.assert_allclose(_mass(v.p4), 20.0, rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# catalog and inputs
# ------------------------------------------------------------------------------------------------


def test_coherent_csi_in_catalog():
    exp = get_experiment("coherent-csi")
    assert exp.beam == "sns" and exp.distance == pytest.approx(19.3 * hu.m)
    assert exp.fiducial_mass == pytest.approx(0.0146) and exp.threshold == pytest.approx(14 * hu.keV)
    assert exp.pot["stopped"] == pytest.approx(3.20e23) and exp.threshold_note
    # volume × ρ(CsI) = 4.51 g/cm³ (4.51e-6 t/cm³) gives the catalogue's mass
    assert exp.geometry.volume / hu.cm3 * 4.51e-6 == pytest.approx(exp.fiducial_mass, rel=0.03)
    assert set(exp.targets()) == {"Cs133", "I127"}
    assert experiment_source("coherent-csi") == (sp.get_source("sns"), exp.distance)
    assert experiment_source("ccm")[0].name == "lanl-lujan" and experiment_source("jsns2")[0].name == "jparc-mlf"
    assert get_experiment("ccm").threshold == 0.0  # existing entries keep the default


def test_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(InputError):
        sp.get_source("miniboone")
    with pytest.raises(InputError):
        sp.sample_pion_dar(rng, "sns", 0)
    with pytest.raises(InputError):
        sp.sample_neutral_mesons(rng, "sns", 10, "rho0")
    with pytest.raises(InputError):
        sp.emission_time_cdf("sns", "tau", 0.0)
    with pytest.raises(InputError):
        sp.binned_neutrino_flux("lanl-lujan", [1.0, 1.0], distance=20.0 * hu.m)
    with pytest.raises(InputError):
        sp.neutrino_flux("sns", "nu_e", 1.0, distance=-1.0)


def test_source_layer_takes_sources_not_experiments():
    """The source layer does not look up detectors: an experiment name there is an InputError naming the pipeline
    helper, which gives the same numbers as the source at the experiment's catalog distance."""
    e = np.linspace(1.0, 52.0, 11)
    for call in (lambda: sp.get_source("coherent-csi"), lambda: sp.neutrino_lines("ccm"),
                 lambda: sp.neutrino_flux("jsns2", "nu_e", e, distance=24.0 * hu.m),
                 lambda: sp.binned_neutrino_flux("coherent-lar", [0.0, 60.0]),
                 lambda: sp.neutrino_lines("sns")):  # a source without its distance
        with pytest.raises(InputError, match="experiment_source"):
            call()
    src, dist = experiment_source("ccm")
    assert dist == get_experiment("ccm").distance and src is sp.STOPPED_SOURCES.get("lanl-lujan")
    np.testing.assert_array_equal(experiment_neutrino_flux("ccm", "nu_e", e),
                                  sp.neutrino_flux("lanl-lujan", "nu_e", e, distance=dist))
    with pytest.raises(InputError, match="stopped-pion source"):
        experiment_source("miniboone")  # a decay-in-flight experiment
    with pytest.raises(InputError):
        experiment_source("nosuch")
