"""Inverse Primakoff scattering a N → γ N (darkbeam.interactions.inverse_primakoff): the cross-section checked by
independent routes (the massless closed form of Creswick et al., a second integration method, detailed balance
against the production cross-section γ N → a N), its threshold, and the sampled final states."""

from __future__ import annotations

import math
from pathlib import Path

import hepunits as hu
import numpy as np
import pytest
from scipy import integrate

from darkbeam.constants import ALPHA_EM, INV_MEV2_TO_CM2
from darkbeam.errors import InputError
from darkbeam.interactions import inverse_primakoff as ip
from darkbeam.interactions.targets import get_target
from darkbeam.production import photon_primakoff as pp

G = 1e-5 / hu.GeV  # 1/MeV


@pytest.mark.parametrize("target", ["C12", "Ar40", "H1"])
def test_massless_limit_against_the_creswick_closed_form(target):
    """m_a → 0 (1e-6 MeV), point nucleus, screening only: the quadrature of eq. (1) equals Creswick et al.'s
    closed form eq. (3) (written in their variables, not the production module's I(b)); the residual m_a²/E²
    and quadrature errors are < 1e-6."""
    e = np.array([5.0, 30.0, 100.0, 1000.0, 1e4])
    num = ip.sigma_inverse_primakoff(e, 1e-6, G, target, nuclear=False)
    assert num == pytest.approx(ip.sigma_massless_creswick(e, G, target), rel=1e-5)
    # high-energy limit of eq. (3): (g²αZ²/2)[½ ln(4r₀²E²) − 1] for r₀E ≫ 1
    mat = ip.detector_material(target)
    limit = G * G * ALPHA_EM * mat.Z**2 / 2 * (0.5 * math.log(4 * mat.screening_a**2 * 1e8) - 1) * INV_MEV2_TO_CM2
    assert ip.sigma_massless_creswick(1e4, G, target) == pytest.approx(limit, rel=1e-6)


def _dsigma_domega(e, theta, m_a, g, target):
    """dσ/dΩ = g²αZ²F² E³p sin²θ/(4π q⁴), cm²/sr, written in θ (eq. 1 of the module)."""
    mat = ip.detector_material(target)
    p = math.sqrt(e * e - m_a * m_a)
    q2 = e * e + p * p - 2 * e * p * math.cos(theta)
    ff = float(pp.form_factor(q2, mat))
    return g * g * ALPHA_EM * mat.Z**2 * ff**2 * e**3 * p * math.sin(theta) ** 2 / (4 * math.pi * q2**2) \
        * INV_MEV2_TO_CM2


@pytest.mark.parametrize("m_a,e,target", [(1.0, 30.0, "C12"), (10.0, 100.0, "Ar40"), (30.0, 1000.0, "C12"),
                                          (0.01, 50.0, "Ar40")])
def test_total_cross_section_by_a_second_integration_method(m_a, e, target):
    """Adaptive quadrature over ln θ of dσ/dΩ (scipy quad) against Gauss–Legendre in ln q² of dσ/dq²."""

    def integrand(lt):
        th = math.exp(lt)
        return 2 * math.pi * math.sin(th) * _dsigma_domega(e, th, m_a, G, target) * th

    th_s = 1.0 / (e * ip.detector_material(target).screening_a)
    pts = sorted({math.log(max(th_s, 1e-10)), math.log(max(m_a**2 / (2 * e * e), 1e-11)), math.log(0.1)})
    val, _ = integrate.quad(integrand, math.log(1e-12), math.log(math.pi), points=pts, limit=400, epsabs=0,
                            epsrel=1e-8)
    assert float(ip.sigma_inverse_primakoff(e, m_a, G, target)[0]) == pytest.approx(val, rel=2e-4)


@pytest.mark.parametrize("target", ["C12", "Ar40"])
def test_detailed_balance_against_the_production_cross_section(target):
    """σ(aN → γN) = 2 (p_γ/p_a)² σ(γN → aN) at the same energy (static nucleus): pointwise for dσ/dq² (the two
    modules write their integrands independently) and for the totals, from near threshold (where (E/p)² is large)
    to 1 GeV; the factor → 2 (photon polarisations summed vs averaged) for E ≫ m_a."""
    m_a = 10.0
    e = np.array([10.05, 11.0, 20.0, 100.0, 1000.0])
    p2 = e * e - m_a * m_a
    lo, hi = pp.q2_limits(e, m_a)
    q2 = lo + (hi - lo) * np.array([[1e-3], [0.3], [0.9]])  # inside the kinematic range
    mat = ip.detector_material(target)
    ratio = ip.dsigma_dq2(e, q2, m_a, G, target) / pp.dsigma_dq2(e, q2, m_a, G, mat)
    assert ratio == pytest.approx(np.broadcast_to(2 * e * e / p2, ratio.shape), rel=1e-12)
    inv = ip.sigma_inverse_primakoff(e, m_a, G, target)
    assert inv == pytest.approx(ip.sigma_detailed_balance(e, m_a, G, target), rel=1e-10)
    big = ip.sigma_inverse_primakoff(1e5, m_a, G, target)[0] / pp.sigma_primakoff(1e5, m_a, G, mat)[0]
    assert big == pytest.approx(2.0, rel=1e-7)


def test_threshold_scaling_and_form_factor():
    """0 at and below E = m_a, > 0 just above; ∝ g²; the nuclear form factor only lowers it; Z² between C and Ar
    at high energy up to the logarithm of the screening length."""
    m_a = 10.0
    s = ip.sigma_inverse_primakoff(np.array([5.0, 9.999, 10.0, 10.01]), m_a, G, "C12")
    assert s[:3].tolist() == [0.0, 0.0, 0.0] and s[3] > 0
    assert ip.sigma_detailed_balance(np.array([9.0, 10.0]), m_a, G, "C12").tolist() == [0.0, 0.0]
    s1 = ip.sigma_inverse_primakoff(200.0, m_a, G, "Ar40")[0]
    assert ip.sigma_inverse_primakoff(200.0, m_a, 3 * G, "Ar40")[0] == pytest.approx(9 * s1, rel=1e-12)
    assert ip.sigma_inverse_primakoff(200.0, m_a, G, "Ar40", nuclear=False)[0] > s1 > 0
    r = ip.sigma_inverse_primakoff(1e4, 1e-3, G, "Ar40")[0] / ip.sigma_inverse_primakoff(1e4, 1e-3, G, "C12")[0]
    assert 0.7 * (18 / 6) ** 2 < r < (18 / 6) ** 2


def test_detector_materials():
    c = ip.detector_material("C12")
    assert (c.Z, c.mass_number) == (6, 12) and math.isnan(c.X0)
    assert ip.detector_material(pp.get_material("W")) is pp.get_material("W")
    with pytest.raises(InputError):
        ip.detector_material("Xx99")


def test_sampled_final_states():
    """Four-momentum conserved exactly, the photon massless and the recoil on shell; the photon takes the ALP's
    energy up to the recoil q²/2M; the sampled q² follows eq. (1): the fraction below the median of the
    numerical CDF is 1/2 within 4σ of the binomial error."""
    rng = np.random.default_rng(11)
    n, m_a, e = 40_000, 5.0, 200.0
    tgt = get_target("Ar40")
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p4_a = np.concatenate([np.full((n, 1), e), math.sqrt(e * e - m_a * m_a) * d], axis=1)
    p4_g, p4_r, q2 = ip.sample_scatter(rng, p4_a, m_a, "Ar40")
    p4_t = np.zeros((n, 4))
    p4_t[:, 0] = tgt.mass
    assert np.max(np.abs(p4_a + p4_t - p4_g - p4_r)) < 1e-9 * tgt.mass
    m2_g = p4_g[:, 0] ** 2 - np.sum(p4_g[:, 1:] ** 2, axis=1)
    assert np.max(np.abs(m2_g)) < 1e-9 * e * e
    m_r = np.sqrt(p4_r[:, 0] ** 2 - np.sum(p4_r[:, 1:] ** 2, axis=1))
    assert np.max(np.abs(m_r - tgt.mass)) < 1e-6
    q2_true = np.sum((p4_a[:, 1:] - p4_g[:, 1:]) ** 2, axis=1)
    assert np.all(e - p4_g[:, 0] <= 1.01 * q2_true / (2 * tgt.mass) + 1e-9)
    lo, hi = pp.q2_limits(np.array([e]), m_a)
    grid = np.geomspace(lo[0], hi[0], 20_001)
    dens = ip.dsigma_dq2(e, grid, m_a, G, "Ar40")
    cdf = np.concatenate([[0], np.cumsum(0.5 * (dens[1:] + dens[:-1]) * np.diff(grid))])
    med = np.interp(0.5, cdf / cdf[-1], grid)
    frac = np.mean(q2 < med)
    assert frac == pytest.approx(0.5, abs=4 * 0.5 / math.sqrt(n))
    with pytest.raises(InputError):
        ip.sample_scatter(rng, p4_a[:1] * np.array([[0.01, 1, 1, 1]]), m_a, "Ar40")


def test_doc_quotes_the_cross_sections():
    """docs/portal_alp.md ("Inverse-Primakoff scattering") quotes σ from docs/make_alp_scatter.py: two cells
    recomputed here."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "portal_alp.md").read_text()
    for target, m_a, e in (("C12", 1.0, 100.0), ("Ar40", 10.0, 1000.0)):
        assert f"{float(ip.sigma_inverse_primakoff(e, m_a, G, target)[0]):.3e}" in doc
