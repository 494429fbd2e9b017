"""The second published check of ``heavy-neutral-lepton``: MicroBooNE's BNB search for N → μπ (PRD 101, 052001 (2020),
arXiv:1911.10545), docs/portal_hnl.md "Second check", numbers from docs/make_hnl_bnb.py.

At the stated assumptions (ε = 1, a late window that opens at the spill's end, 0 events on 0 background) darkbeam's
limit is NOT within the issue's factor 2 of the published one (2.6 times stronger at 260 MeV, 6.3 times at 385 MeV,
Majorana), so, as the issue's rule for a failing check asks, the test asserts the measured ratios within their Monte
Carlo error (and that they are outside the factor 2), next to the parts of the check that do agree: the published
Dirac/Majorana ratio (√2) and the digitised curve against the abstract.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from darkbeam.constants import C_LIGHT

ROOT = Path(__file__).resolve().parents[1]

#: darkbeam/published of docs/portal_hnl.md ("Second check", make_hnl_bnb.py: 2e5 mesons, 4e4 events, seed 11),
#: printed to 3 digits, and the relative MC error of those limits printed by the script
DOC_RATIOS = {("majorana", 260.0): 0.389, ("majorana", 385.0): 0.159,
              ("dirac", 260.0): 0.391, ("dirac", 385.0): 0.175}
DOC_MC_ERROR = {260.0: 0.0057, 385.0: 0.0040}
#: darkbeam's limit(260)/limit(385), Majorana, from the same script
DOC_SHAPE = 16.45


@pytest.fixture(scope="module")
def mb():
    spec = importlib.util.spec_from_file_location("make_hnl_bnb", ROOT / "docs" / "make_hnl_bnb.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def test_rows(mb):
    """The test's smaller samples (5e4 mesons, 1e4 events, seed 1) at the two ends, both natures."""
    return {(nat, mass): mb.row(mass, nat, n_mesons=mb.TEST_MESONS, n_events=mb.TEST_EVENTS, seed=1)
            for nat in ("majorana", "dirac") for mass in (260.0, 385.0)}


# --- the published numbers ------------------------------------------------------------------------------------------
def test_packaged_numbers_are_the_abstracts(mb):
    pub = mb.published()
    assert pub["exposure_pot"] == 2.0e20 and pub["cl"] == 0.90
    assert "arXiv:1911.10545" in pub["publication"]
    assert mb.abstract_limit(260.0, "majorana") == 4.7e-7 and mb.abstract_limit(385.0, "majorana") == 0.7e-7
    assert mb.abstract_limit(260.0, "dirac") == 6.6e-7 and mb.abstract_limit(385.0, "dirac") == 0.9e-7
    assert mb.abstract_limit(300.0, "dirac") is None


def test_digitised_curve_agrees_with_the_abstract_within_its_rounding(mb):
    """The third-party digitisation at its end points lies inside the abstract's rounding intervals (4.7 ± 0.05 and
    0.7 ± 0.05, ×1e-7): an independent check of the digitisation's axes."""
    pts = np.array(mb.published()["majorana_curve"]["points"])
    assert pts[0, 0] == pytest.approx(260.0, abs=0.5) and pts[-1, 0] == pytest.approx(385.0, abs=0.6)
    assert 4.65e-7 <= pts[0, 1] <= 4.75e-7
    assert 0.65e-7 <= pts[-1, 1] <= 0.75e-7
    assert np.all(np.diff(pts[:, 0]) > 0)
    # interpolation is linear in m and log |U|²: exact at a node, geometric mean half way between two nodes
    assert mb.digitised_majorana(300.0) == pytest.approx(2.06e-7, rel=1e-12)
    m0, m1 = pts[20, 0], pts[21, 0]
    assert mb.digitised_majorana((m0 + m1) / 2) == pytest.approx(math.sqrt(pts[20, 1] * pts[21, 1]), rel=1e-12)


# --- the timing model -----------------------------------------------------------------------------------------------
def test_window_acceptance_is_the_overlap_with_a_uniform_spill(mb):
    t = mb.SPILL_NS
    d = np.array([-5.0, 0.0, t / 4, t, 3 * t])
    assert np.allclose(mb.window_acceptance(d), [0.0, 0.0, 0.25, 1.0, 1.0])
    # a window of length T/4 opening at the spill's end: [T − Δt, 1.25 T − Δt] ∩ [0, T]
    assert np.allclose(mb.window_acceptance(d, length_ns=t / 4), [0.0, 0.0, 0.25, 0.25, 0.0])
    # opening δ later shifts the acceptance by δ
    assert np.allclose(mb.window_acceptance(d + 100.0, open_ns=t + 100.0), mb.window_acceptance(d))


def test_arrival_delay_against_the_small_angle_route(mb):
    """Δt of the script (legs at β_K and β_N minus the straight light path) against the collinear route
    Σ leg × (1/β − 1)/c with β recomputed from E² = p² + m² (the two differ by the light path's geometric detour,
    which is below 0.1 ns here), and the delay is ≥ 0."""
    _, s = mb.sample(300.0, "majorana", n_mesons=20_000, n_events=2000, seed=5)
    d = mb.arrival_delay_ns(s)
    c = s.columns
    pk = c["parent_p4"]
    p_k = np.linalg.norm(pk[:, 1:], axis=1)
    m_k = np.sqrt(pk[:, 0] ** 2 - p_k**2)
    inv_beta_k = np.hypot(p_k, m_k) / p_k
    inv_beta_n = np.hypot(c["p_lab"], 300.0) / c["p_lab"]
    other = (np.linalg.norm(c["x_prod"] - c["parent_x0"], axis=1) * (inv_beta_k - 1.0)
             + np.linalg.norm(c["x_dec"] - c["x_prod"], axis=1) * (inv_beta_n - 1.0)) / C_LIGHT
    assert np.all(d >= -1e-6)
    assert np.max(np.abs(d - other)) < 0.1
    assert np.median(d) > 10.0  # tens of ns: the N are slower than light


def test_factor_two_efficiency_window(mb):
    assert mb.factor_two_efficiencies([1.0, 1.0]) == pytest.approx((0.25, 4.0))
    assert mb.factor_two_efficiencies([4.0, 0.25]) is None
    lo, hi = mb.factor_two_efficiencies([0.4, 0.2])
    assert (0.4 / math.sqrt(lo), 0.2 / math.sqrt(hi)) == pytest.approx((2.0, 0.5))


# --- the comparison -------------------------------------------------------------------------------------------------
def test_dirac_over_majorana_is_sqrt2_as_published(test_rows):
    """Dirac N decay at half the Majorana rate: in the long-lived regime the limit rises by √2. The published ratio
    at 260 MeV, 6.6/4.7 = 1.404, contains √2 within the abstract's rounding ([6.55/4.75, 6.65/4.65])."""
    for mass in (260.0, 385.0):
        r = test_rows[("dirac", mass)]["limit"] / test_rows[("majorana", mass)]["limit"]
        assert r == pytest.approx(math.sqrt(2.0), rel=2e-3)  # the same events (same seed): only the decay length
    assert 6.55 / 4.75 <= math.sqrt(2.0) <= 6.65 / 4.65


@pytest.mark.parametrize("nature", ["majorana", "dirac"])
@pytest.mark.parametrize("mass", [260.0, 385.0])
def test_published_limit_ratio_as_measured(test_rows, nature, mass):
    """darkbeam/published at the abstract's ends, at the stated assumptions: NOT within the issue's factor 2
    (docs/portal_hnl.md says so and why). Asserted as measured: the test sample's ratio equals the doc's within 4σ,
    σ² = (the test sample's MC error)² + (the doc sample's)² + (the doc's 3-digit rounding)²; the MC error is the
    weight estimate ½ √Σw²/Σw, which is larger than the spread over 5 seeds the script prints (0.83 % and 0.42 %
    for 1.14 % and 0.79 %)."""
    r = test_rows[(nature, mass)]
    ratio = r["limit"] / r["published"]
    ref = DOC_RATIOS[(nature, mass)]
    sigma = math.sqrt(r["mc_error"] ** 2 + DOC_MC_ERROR[mass] ** 2 + (0.0005 / ref) ** 2)
    assert ratio == pytest.approx(ref, rel=4 * sigma)
    assert not 0.5 <= ratio <= 2.0  # the check fails: darkbeam is more than twice as strong


def test_mass_dependence_as_measured(test_rows):
    """darkbeam's limit(260)/limit(385) (16.45) against the published 6.71: a factor 2.45 apart, which no constant
    efficiency removes; asserted as measured within 4σ of the two ends' MC errors."""
    lo, hi = test_rows[("majorana", 260.0)], test_rows[("majorana", 385.0)]
    shape = lo["limit"] / hi["limit"]
    sigma = math.hypot(lo["mc_error"], hi["mc_error"]) * math.sqrt(2.0)  # test and doc samples
    assert shape == pytest.approx(DOC_SHAPE, rel=4 * sigma)
    assert shape / (4.7 / 0.7) > 2.0
