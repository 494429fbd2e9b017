"""A decay-in-volume sample left empty because the state decays before the detector must not re-weight silently to
zero at couplings where it would reach the detector (pipeline/decay_in_volume.py, ``_still_short_lived``)."""

from __future__ import annotations

import pytest

from darkbeam.errors import InputError
from darkbeam.models import get_model
from darkbeam.pipeline.decay_in_volume import SHORT_LIVED, _still_short_lived
from darkbeam.pipeline.signal import build_signal


@pytest.fixture(scope="module")
def sample():
    m = get_model("vector-portal-dm", {"m_chi": "30 MeV", "epsilon": "1e-4", "alpha_d": "0.5"})
    return m, build_signal(m, "sbnd", n_mesons=20_000, n_events=500, seed=1)


def test_prompt_v_leaves_the_decay_channel_empty_with_its_reason(sample):
    m, s = sample
    part = s.parts[1]  # decay-in-volume V -> e+ e-
    assert len(part.base_weight) == 0
    assert SHORT_LIVED in part.note and "decay lengths" in part.note


def test_reweighting_that_keeps_v_prompt_is_zero_without_error(sample):
    m, s = sample
    w = s.parts[1].weights(m.replace(epsilon=0.9e-4))  # Gamma barely changes: V still decays at once
    assert len(w) == 0
    assert s.parts[1].weights(m.replace(alpha_d=0.25)).sum() == 0.0


def test_reweighting_to_a_long_lived_v_is_refused(sample):
    m, s = sample
    with pytest.raises(InputError, match="still decays before it reaches the detector"):
        s.weights(m.replace(alpha_d=1e-12, epsilon=1e-8))  # c*tau ~ 10 km: V would reach SBND


def test_still_short_lived_threshold():
    note = f"V {SHORT_LIVED} sbnd (the detector is at least 1.0e+06 decay lengths away on every ray)"
    assert _still_short_lived(note, 1e-3)       # 1000 decay lengths: exp(-1000) underflows
    assert not _still_short_lived(note, 1e-4)   # 100 decay lengths: exp(-100) does not
    assert _still_short_lived("no V decays inside x (every ray misses the detector volume)", 1e-9)
