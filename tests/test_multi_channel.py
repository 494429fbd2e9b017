"""Models declaring several detection channels: build_signal combines one sample per channel.

Test-only models (registered for this module, removed afterwards): the heavy neutral lepton with its
N → μπ channel and N → eπ (both decays in the detector volume), and with N → eπ alone.
"""

from __future__ import annotations

import numpy as np
import pytest

import darkbeam.pipeline  # noqa: F401  (registers the detection processes)
from darkbeam.errors import InputError
from darkbeam.inference.groups import sample_groups, signal_only_text
from darkbeam.inference.predict import Predictor
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.io.cache import SampleCache, load_sample, save_sample
from darkbeam.io.config import parse_config
from darkbeam.io.events import read_events, write_events
from darkbeam.models.base import MODELS
from darkbeam.models.hnl import HeavyNeutralLepton
from darkbeam.models.plugins import _REGISTERED_BY_PLUGIN, register_model
from darkbeam.pipeline.signal import CombinedSample, build_signal, detection_channel, detection_channels

SIM = {"n_mesons": 20000, "n_events": 2000, "seed": 3}
MU_PI, E_PI = "decay-in-volume N -> mu pi", "decay-in-volume N -> e pi"
NU_EE, NU_PI0 = "decay-in-volume N -> nu e+ e-", "decay-in-volume N -> nu pi0"


class HNLTwoChannels(HeavyNeutralLepton):
    name = "hnl-mu-pi-e-pi-test"
    detection = (DecayInVolume("N", "mu pi"), DecayInVolume("N", "e pi"))


class HNLMuPi(HeavyNeutralLepton):
    name = "hnl-mu-pi-test"
    detection = (DecayInVolume("N", "mu pi"),)


class HNLEPi(HeavyNeutralLepton):
    name = "hnl-e-pi-test"
    detection = (DecayInVolume("N", "e pi"),)


class HNLTwice(HeavyNeutralLepton):
    name = "hnl-twice-test"
    detection = (DecayInVolume("N", "mu pi"), DecayInVolume("N", "mu pi"))


@pytest.fixture(scope="module", autouse=True)
def _models():
    for cls in (HNLTwoChannels, HNLMuPi, HNLEPi):
        register_model(cls.name, override=True)(cls)
    yield
    for cls in (HNLTwoChannels, HNLMuPi, HNLEPi):
        MODELS.remove(cls.name)
        _REGISTERED_BY_PLUGIN.discard(cls.name)


def _build(model, **kw):
    return build_signal(model, "miniboone", "neutrino", **{**SIM, **kw})


@pytest.fixture(scope="module")
def combined():
    return _build(HNLTwoChannels(u2_e=1e-7))


def test_parts_are_the_single_channel_samples(combined):
    """Channel k of the combined sample is the single-channel build of channel k with the same seed (the
    first channel exactly as a model declaring it alone)."""
    mu = _build(HNLMuPi(u2_e=1e-7))
    e = _build(HNLEPi(u2_e=1e-7))
    assert isinstance(combined, CombinedSample)
    assert [p.channel for p in combined.parts] == [0, 1]
    for part, single in zip(combined.parts, (mu, e), strict=True):
        for k in ("E_vis", "cos_theta", "E_QE", "base_weight"):
            assert np.array_equal(getattr(part, k), getattr(single, k))
        assert np.array_equal(part.weights(), single.weights())
    assert mu.total() > 0 and e.total() > 0
    assert combined.total() == pytest.approx(mu.total() + e.total(), rel=1e-12, abs=0)
    assert len(combined.E_vis) == len(mu.E_vis) + len(e.E_vis)
    assert np.array_equal(combined.E_vis, np.concatenate([mu.E_vis, e.E_vis]))
    assert list(np.unique(combined.columns["channel"])) == sorted([MU_PI, E_PI])
    assert np.all(combined.columns["channel"][: len(mu.E_vis)] == MU_PI)
    # histograms add up too
    edges = np.linspace(0, 3000, 16)
    assert np.allclose(combined.histogram("E_vis", edges), mu.histogram("E_vis", edges) + e.histogram("E_vis", edges),
                       rtol=1e-12, atol=0)


def test_reweighting_is_exact_per_part_and_matches_a_fresh_build(combined):
    new = combined.model.replace(u2_e=4e-7)
    w = combined.weights(new)
    assert np.array_equal(w, np.concatenate([p.weights(new) for p in combined.parts]))
    # N → eπ: production ∝ |U_e|² (K, π → e N) + |U_μ|² (K → μ N), BR(eπ) and the decay probability change:
    # the re-weighted eπ part must differ from the reference
    assert abs(combined.parts[1].total(new) / combined.parts[1].total() - 1) > 0.5
    fresh = _build(new)
    for i in range(2):
        a, b = combined.parts[i].weights(new), fresh.parts[i].weights()
        sigma = np.sqrt(np.sum(a**2) + np.sum(b**2))  # MC errors of the two independent estimates
        assert abs(a.sum() - b.sum()) < 4 * sigma, (i, a.sum(), b.sum(), sigma)
    assert abs(combined.total(new) - fresh.total()) < 4 * np.sqrt(np.sum(w**2) + np.sum(fresh.weights() ** 2))


def test_per_channel_breakdown(combined):
    g = sample_groups(combined, "miniboone")["channel"]
    assert list(g) == [MU_PI, E_PI]
    w = combined.weights()
    for sel, part in zip(g.values(), combined.parts, strict=True):
        assert float(w[sel].sum()) == pytest.approx(part.total(), rel=1e-12, abs=0)
    # single-channel models get no channel split (their output is unchanged)
    single = _build(MODELS.get("higgs-scalar")())
    assert "channel" in single.columns and "channel" not in sample_groups(single, "miniboone")


def _cfg(experiment: str, **model):
    return parse_config({"model": {"name": HNLTwoChannels.name, "u2_e": 1e-7, **model},
                         "experiment": {"name": experiment, "modes": ["neutrino"], "off_target": False},
                         "simulation": SIM, "fit": {"parameter": "u2_mu", "bounds": [1e-12, 1e-3]}})


def test_breakdown_in_predictions_and_text():
    from darkbeam.cli import _run_text

    out = Predictor(_cfg("miniboone")).predict()
    by = out["modes"]["neutrino"]["by_channel"]
    assert list(by) == [MU_PI, E_PI] and all(v > 0 for v in by.values())
    assert sum(by.values()) == pytest.approx(out["signal_events"], rel=1e-12, abs=0)
    assert "by channel" in _run_text(out) and E_PI in _run_text(out)
    so = Predictor(_cfg("sbnd")).predict()
    assert so["analysis"] == "signal-only"
    by = so["modes"]["neutrino"]["by_channel"]
    assert sum(by.values()) == pytest.approx(so["signal_events"], rel=1e-12, abs=0)
    assert "by channel" in signal_only_text(so)


def test_closed_channel_gives_its_reason_and_the_other_counts():
    m = HNLTwoChannels(u2_e=1e-7, m_n=150.0)  # N → μπ closed (m_μ + m_π = 245 MeV), N → eπ open
    s = _build(m)
    assert len(s.parts[0].E_vis) == 0 and "mu pi is closed" in s.parts[0].note
    assert s.note.startswith(f"{MU_PI}: ") and "closed" in s.note
    e = _build(HNLEPi(u2_e=1e-7, m_n=150.0))
    assert e.total() > 0 and s.total() == pytest.approx(e.total(), rel=1e-12, abs=0)
    assert s.channel_notes() == {MU_PI: s.parts[0].note, E_PI: ""}
    assert list(sample_groups(s, "miniboone")["channel"]) == [MU_PI, E_PI]
    out = Predictor(_cfg("miniboone", m_n="150 MeV")).predict()
    assert out["modes"]["neutrino"]["by_channel"][MU_PI] == 0.0
    assert "mu pi is closed" in out["modes"]["neutrino"]["note"]


def test_cache_round_trip(combined, tmp_path):
    path = save_sample(combined, tmp_path / "s.npz", key="k")
    back = load_sample(path, "k")
    assert isinstance(back, CombinedSample) and len(back.parts) == 2
    new = combined.model.replace(u2_mu=3e-7, u2_e=2e-7)
    for m in (None, new):
        assert np.array_equal(back.weights(m), combined.weights(m))
    assert np.array_equal(back.columns["channel"], combined.columns["channel"])
    assert np.array_equal(back.E_QE, combined.E_QE, equal_nan=True)
    cache = SampleCache(tmp_path / "cache")
    a = cache.get_or_build(combined.model, "miniboone", "neutrino", **SIM)
    b = cache.get_or_build(combined.model, "miniboone", "neutrino", **SIM)
    assert cache.stats() == {"hits": 1, "misses": 1, "rejected": 0}
    assert np.array_equal(a.weights(new), b.weights(new)) and np.array_equal(a.weights(), combined.weights())


@pytest.mark.parametrize("suffix", [".parquet", ".hepmc3"])
def test_event_file_round_trip(combined, tmp_path, suffix):
    path = write_events(combined, tmp_path / f"ev{suffix}", pot=1e20)
    t = read_events(path)
    w = combined.weights()
    keep = w > 0
    assert len(t.columns["event"]) == int(keep.sum())
    assert np.array_equal(t.columns["event"], np.flatnonzero(keep))
    assert np.array_equal(t.columns["channel"], combined.columns["channel"][keep])
    assert np.allclose(t.columns["CV"], w[keep], rtol=1e-12, atol=0)
    for lab in (MU_PI, E_PI):
        sel = t.columns["channel"] == lab
        assert sel.any() and float(np.sum(t.columns["CV"][sel])) == pytest.approx(
            combined.parts[[MU_PI, E_PI].index(lab)].total(), rel=1e-9, abs=0)
    # the lepton of each event: a muon in μπ events, an electron in eπ events
    pdgs = {lab: set(np.abs(t.columns["vis2_pdg"][t.columns["channel"] == lab])) for lab in (MU_PI, E_PI)}
    assert pdgs == {MU_PI: {13}, E_PI: {11}}
    assert t.metadata["process"] == "decay-in-volume"
    # both channels see the same N flux (same production sample): the flux-averaged cross-section is the
    # total over that flux, an effective area in cm2
    flux = float(combined.columns["flux_total"][0])
    assert np.all(combined.columns["flux_total"] == flux) and flux > 0
    fatx = t.metadata["flux_averaged_total_cross_section"]
    assert fatx["unit"] == "cm2" and fatx["value"] == pytest.approx(combined.total() / flux, rel=1e-9, abs=0)


def test_channel_declarations_are_checked():
    with pytest.raises(InputError, match="distinct labels"):
        detection_channels(HNLTwice())
    with pytest.raises(InputError, match="detection channel index"):
        detection_channel(HNLEPi(), 1)
    assert [c.label for c in detection_channels(HNLTwoChannels())] == [MU_PI, E_PI]


def test_fit_and_multi_experiment_predictions():
    """A fit of |U_mu4|^2 re-weights both channels; multi-experiment summaries keep the channel split."""
    from darkbeam.inference.multi_experiment import predict_experiments

    cfg = _cfg("miniboone")
    pred = Predictor(cfg)
    res = pred.fit()
    # the fitted signal is the sum of the two channels re-weighted to the best fit
    parts = [p.total(res.model, cfg.pot("neutrino")) for p in pred.view("neutrino", res.model).sample.parts]
    assert res.signal_events["neutrino"] == pytest.approx(sum(parts), rel=1e-9, abs=0)
    rows = predict_experiments(cfg, ["miniboone", "sbnd"])["experiments"]
    for row in rows:
        assert row["status"] == "predicted"
        by = row["modes"]["neutrino"]["by_channel"]
        assert list(by) == [MU_PI, E_PI]
        assert sum(by.values()) == pytest.approx(row["modes"]["neutrino"]["signal_events"], rel=1e-12, abs=0)


def test_heavy_neutral_lepton_detects_mu_pi_and_e_pi():
    """heavy-neutral-lepton declares N -> mu pi, N -> e pi, N -> nu e+ e- and N -> nu pi0: at u2_e = 0 its mu pi part
    is the former single-channel model's sample (same seed), the e pi part is empty with its reason and is not
    re-weighted into, the nu e+ e- and nu pi0 parts (open through u2_mu) count; at u2_e > 0 every channel counts."""
    m = MODELS.get("heavy-neutral-lepton")()
    # the first four, in their original order (N -> nu mu+ mu-, nu gamma, e mu nu follow: tests/test_hnl_more_channels.py)
    assert [c.label for c in m.detection][:4] == [MU_PI, E_PI, NU_EE, NU_PI0]
    s, mu = _build(m), _build(HNLMuPi())
    parts = {m.detection[p.channel].label: p for p in s.parts}
    assert np.array_equal(parts[MU_PI].weights(), mu.weights()) and np.array_equal(parts[MU_PI].E_vis, mu.E_vis)
    assert np.array_equal(s.columns["channel"][: len(mu.E_vis)], np.full(len(mu.E_vis), MU_PI))
    assert len(parts[E_PI].E_vis) == 0 and s.note == f"{E_PI}: N -> e pi has zero width at these couplings"
    assert parts[NU_EE].total() > 0 and parts[NU_PI0].total() > 0
    new = m.replace(u2_mu=1e-6)
    assert parts[MU_PI].total(new) == pytest.approx(mu.total(mu.model.replace(u2_mu=1e-6)), rel=1e-12, abs=0)
    assert s.total(new) == pytest.approx(sum(p.total(new) for p in s.parts), rel=1e-12, abs=0)
    with pytest.raises(InputError, match="u2_e = 1e-07; allowed: 0, its value in the sample"):
        s.weights(m.replace(u2_e=1e-7))
    both = _build(m.replace(u2_e=1e-7))
    assert all(p.total() > 0 for p in both.parts) and not both.note


def test_mass_scan_of_a_two_channel_model():
    """A scan of heavy-neutral-lepton (four channels) over m_N below and above the mu pi threshold: below it the
    e pi, nu e+ e- and nu pi0 channels carry the fit and the closed channel's reason is in the row's notes."""
    from darkbeam.inference.scan import scan

    cfg = parse_config({"model": {"name": "heavy-neutral-lepton", "u2_e": 1e-7},
                        "experiment": {"name": "miniboone", "modes": ["neutrino"], "off_target": False},
                        "simulation": SIM, "fit": {"parameter": "u2_mu", "bounds": [1e-12, 1e-3]}})
    rows = scan(cfg, ["m_n=150 MeV,300 MeV"], backend="serial", cache=None).points
    assert [r["m_n_MeV"] for r in rows] == [150.0, 300.0]
    assert all(r["status"] == "fit" and r["signal_total"] > 0 for r in rows)
    assert "mu pi is closed" in rows[0]["notes"] and "closed" not in rows[1]["notes"]
    # the row's signal at its best fit is the sum of all channels of a fresh sample re-weighted there
    best = MODELS.get("heavy-neutral-lepton")(u2_e=1e-7, m_n=300.0).replace(u2_mu=rows[1]["u2_mu"])
    s = _build(MODELS.get("heavy-neutral-lepton")(u2_e=1e-7, m_n=300.0))
    assert rows[1]["signal_total"] == pytest.approx(s.total(best, cfg.pot("neutrino")), rel=1e-9, abs=0)
