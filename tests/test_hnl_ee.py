"""The third published check of ``heavy-neutral-lepton``: MicroBooNE's NuMI search for N → ν e⁺e⁻ and N → ν π⁰
(PRL 132, 041801 (2024), arXiv:2310.07660), docs/portal_hnl.md "Third check", numbers from docs/make_hnl_ee.py; and
the multi-body final states of the generic decay-in-volume process that the check uses.

At the stated assumptions (ε = 1, 0 events on 0 background: the paper's efficiencies and counts could not be read)
darkbeam's limit is NOT within the issue's factor 2 of the published one (4 to 8 times stronger), so, as the issue's
rule for a failing check asks, the test asserts the measured ratios within their Monte Carlo error and that they are
outside the factor 2, next to the parts that agree: the long-lived estimate, |U|⁴ scaling, the data file.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from darkbeam.constants import M_E, M_PI0
from darkbeam.kinematics.fourvec import kallen, mass
from darkbeam.pipeline.decay_in_volume import MULTI_BODY_FINAL_STATES, multi_body_decay, pair_mass_squared

ROOT = Path(__file__).resolve().parents[1]

#: darkbeam/published of docs/portal_hnl.md ("Third check", make_hnl_ee.py: 1e5 kaons, 2e4 events, seed 7), printed to
#: 3 digits; the limits' relative MC error printed by the script is 0.35 % at every mass
DOC_RATIOS = {("nu e+ e-", 50.0): 0.201, ("nu e+ e-", 100.0): 0.205, ("nu e+ e-", 150.0): 0.242,
              ("nu pi0", 200.0): 0.163, ("nu pi0", 240.0): 0.122}
DOC_MC_ERROR = 0.0035
#: MC / long-lived estimate − 1 of the same script (the point-flux estimator's aim at the face centre, as in the μπ
#: check of docs/portal_hnl.md: −2.2 %)
DOC_ESTIMATOR_BIAS = -0.0230


@pytest.fixture(scope="module")
def mk():
    spec = importlib.util.spec_from_file_location("make_hnl_ee", ROOT / "docs" / "make_hnl_ee.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows(mk):
    # an independent seed and half the kaons and events of the document
    return mk.rows(n_mesons=50_000, n_events=10_000, seed=1)


def test_the_check_fails_by_the_documented_ratio(rows):
    """darkbeam/published at ε = 1 equals the document's value within 4σ (this sample's MC error, the document's and
    the 3-digit rounding), and lies outside the issue's factor 2: the check fails, as docs/portal_hnl.md says."""
    assert len(rows) == len(DOC_RATIOS)
    for r in rows:
        doc = DOC_RATIOS[(r["channel"], r["mass"])]
        sigma = math.hypot(r["mc_error"], DOC_MC_ERROR, 0.0005 / doc)
        assert abs(r["ratio"] / doc - 1.0) < 4.0 * sigma, (r["channel"], r["mass"], r["ratio"], doc)
        assert not 0.5 <= r["ratio"] <= 2.0  # the failure itself (darkbeam far stronger at ε = 1, no background)


def test_the_decays_match_the_long_lived_estimate(rows):
    """MC decays in the TPC = POT · Y · BR(K → μN) · V/(4πL²)/λ · BR(N → channel) up to the estimator's known −2.3 %
    (the relative MC error of a count is twice that of the limit)."""
    for r in rows:
        dev = r["n_ref"] / r["n_analytic"] - 1.0
        assert abs(dev - DOC_ESTIMATOR_BIAS) < 4.0 * math.hypot(2 * r["mc_error"], 2 * DOC_MC_ERROR), (r, dev)
        assert r["ctau_km_at_limit"] > 1e4  # long-lived at the limit: the |U|⁴ regime of the comparison


def test_reweighting_equals_a_sample_built_at_the_new_mixing(mk):
    """A sample re-weighted from |U|² = 1e-7 to 4e-7 gives the total of a sample built at 4e-7 with the same seed
    (same arrivals and resampling: the relative weights change only through P(inside), here ≈ 1 − 1e-8), and 16 times
    the reference total (|U|⁴)."""
    m, s = mk.sample("nu e+ e-", 100.0, n_mesons=20_000, n_events=4000, seed=3)
    m4 = m.replace(u2_mu=4e-7)
    _, s4 = mk.sample("nu e+ e-", 100.0, n_mesons=20_000, n_events=4000, seed=3, u2=4e-7)
    assert s.total(m4) == pytest.approx(s4.total(), rel=1e-6)
    assert s.total(m4) / s.total() == pytest.approx(16.0, rel=1e-5)


def test_published_numbers_of_the_data_file(mk):
    """The exposure and CL of the abstract; the digitised e⁺e⁻ branch's end (149.6 MeV) agrees with the analysis code's
    150 MeV value within 2 % (the digitiser reads a log axis to ~1 %, and the limit falls 2 %/MeV there); the two
    branches meet at the 150 MeV step."""
    pub = mk.published()
    assert pub["exposure_pot"] == 7.01e20 and pub["cl"] == 0.9
    code = pub["analysis_code"]["ee_limit_150MeV"]["value"]
    assert abs(mk.published_limit("nu e+ e-", 149.6) / code - 1.0) < 0.02
    ee, pi0 = np.array(pub["curve"]["nu e+ e-"]), np.array(pub["curve"]["nu pi0"])
    assert ee[-1, 0] < 150.0 < pi0[0, 0]
    assert np.all(np.diff(ee[:, 0]) > 0) and np.all(np.diff(pi0[:, 0]) > 0)
    with pytest.raises(ValueError, match="outside"):
        mk.published_limit("nu pi0", 100.0)


# ---- the generic multi-body final states of decay-in-volume ---------------------------------------------------------
def _lab_states(rng, m, n):
    p = rng.uniform(0.0, 3.0 * m, n)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    return np.concatenate([np.sqrt(p * p + m * m)[:, None], p[:, None] * d], axis=1)


@pytest.mark.parametrize("visible", sorted(MULTI_BODY_FINAL_STATES))
def test_multi_body_decays_conserve_four_momentum(visible):
    """Σ daughters = parent to 1e-9 relative, each daughter on its mass shell, ν π⁰: the γγ mass is m_π⁰."""
    rng = np.random.default_rng(5)
    m = 200.0 if visible != "nu mu+ mu-" else 300.0
    p4 = _lab_states(rng, m, 5000)
    inv, a, b = multi_body_decay(rng, p4, m, visible)
    _, masses, via = MULTI_BODY_FINAL_STATES[visible]
    scale = np.max(np.abs(p4))
    assert np.max(np.abs(inv + a + b - p4)) < 1e-9 * scale
    for q, mq in zip((inv, a, b), masses, strict=True):
        assert np.max(np.abs(q[:, 0] ** 2 - np.sum(q[:, 1:] ** 2, axis=1) - mq * mq)) < 1e-7 * scale**2
    if via is not None:
        assert np.allclose(mass(a + b), via, rtol=1e-9, atol=1e-6)
        assert via == M_PI0


def test_pair_mass_follows_flat_three_body_phase_space():
    """The e⁺e⁻ pair mass² of N(100 MeV) → ν e⁺e⁻ against the phase-space density λ^{1/2}(M², s, 0) λ^{1/2}(s, m², m²)/s
    integrated independently (trapezoid on 20001 points): the mean within 4σ and a 20-bin χ² below its 0.1 % value."""
    rng = np.random.default_rng(11)
    m, n = 100.0, 200_000
    s = pair_mass_squared(rng, m, 0.0, M_E, M_E, n)
    lo, hi = 4 * M_E**2, m * m
    assert s.min() >= lo and s.max() <= hi
    x = np.linspace(lo, hi, 20001)
    f = np.sqrt(np.clip(kallen(m * m, x, 0.0), 0, None) * np.clip(kallen(x, M_E**2, M_E**2), 0, None)) / x
    norm = np.trapezoid(f, x)
    mean = np.trapezoid(f * x, x) / norm
    assert abs(s.mean() - mean) < 4 * s.std() / math.sqrt(n)
    edges = np.linspace(lo, hi, 21)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(x))]) / norm
    expected = n * np.diff(np.interp(edges, x, cdf))
    observed = np.histogram(s, edges)[0]
    chi2 = float(np.sum((observed - expected) ** 2 / expected))
    assert chi2 < 45.3  # χ²(19 dof) 0.1 % upper quantile


def test_closed_multi_body_channels_say_why(mk):
    """Below its threshold a multi-body channel's part of the registered model's sample is empty, with the threshold
    in the note (ν π⁰ at 100 MeV), while the open ν e⁺e⁻ part of the same sample counts."""
    _, s = mk.sample("nu pi0", 100.0, n_mesons=2000, n_events=100, seed=1)
    assert len(s.base_weight) == 0 and s.total() == 0.0
    assert "N -> nu pi0 is closed (m = 100 MeV <= 134.977 MeV)" in s.note
    _, ee = mk.sample("nu e+ e-", 100.0, n_mesons=2000, n_events=100, seed=1)
    assert ee.total() > 0.0 and not ee.note
