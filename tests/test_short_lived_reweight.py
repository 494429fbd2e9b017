"""Decay-in-volume samples made where the state decays before the detector (the decay probability underflows to 0
on some rays) must still re-weight correctly to couplings where it reaches the detector: a share of the events is
drawn from the long-lived-limit expectation (pipeline/decay_in_volume.py, ``MIX_LONG_LIVED``)."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.models import get_model
from darkbeam.pipeline.decay_in_volume import MIX_LONG_LIVED
from darkbeam.pipeline.signal import build_signal

EE = "decay-in-volume V -> e+ e-"


def _vp(**kw):
    return get_model("vector-portal-dm", {"m_chi": "30 MeV", **{k: str(v) for k, v in kw.items()}})


@pytest.fixture(scope="module")
def prompt():
    m = _vp(epsilon="1e-4", alpha_d="0.5")  # V -> chi chi: c*tau ~ 1e-11 mm
    return m, build_signal(m, "sbnd", n_mesons=20_000, n_events=2000, seed=1)


def test_prompt_v_has_events_of_zero_weight_and_says_why(prompt):
    _m, s = prompt
    part = s.parts[1]
    assert str(part.columns["channel"][0]) == EE
    assert len(part.base_weight) == 2000 and part.total() == 0.0
    assert part.note.startswith("V decays before it reaches the detector at these couplings")


def test_reweighting_a_prompt_sample_to_a_long_lived_v_matches_a_fresh_sample(prompt):
    """alpha_D -> 0, epsilon -> 1e-6: V -> e+ e- (BR 1 below 2 m_mu), c*tau = 0.9 m at 90 MeV. Only the long-lived share of
    the prompt sample's events carries weight there; it must agree with a sample made at that point from the same
    seed (the same mesons and arrivals: only the resampling of the arrivals differs, whose error the event weights
    estimate; the tolerance is 4 sigma of the combined error)."""
    m, s = prompt
    target = m.replace(alpha_d=0.0, epsilon=1e-6)
    w = s.parts[1].weights(target)
    fresh = build_signal(target, "sbnd", n_mesons=20_000, n_events=2000, seed=1).parts[1]
    wf = fresh.weights()
    a, b = w.sum(), wf.sum()
    err = np.sqrt(np.sum(w**2) + np.sum(wf**2))
    assert a > 0 and b > 0
    assert abs(a - b) < 4 * err, (a, b, err)
    assert np.count_nonzero(w) >= 0.5 * MIX_LONG_LIVED * 2000  # the long-lived share is drawn


def test_reweighting_that_keeps_v_prompt_stays_zero(prompt):
    m, s = prompt
    assert s.parts[1].total(m.replace(epsilon=0.9e-4)) == 0.0
    assert s.parts[1].total(m.replace(alpha_d=0.25)) == 0.0
