"""On-disk sample cache (io/cache.py): keys, exact round trips, corrupted files, atomic writes."""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest

from darkbeam.errors import InputError
from darkbeam.inference.predict import Predictor
from darkbeam.io import cache as cache_mod
from darkbeam.io.cache import (
    SampleCache,
    default_cache_dir,
    load_sample,
    resolve_cache,
    sample_key,
    save_sample,
)
from darkbeam.io.config import parse_config
from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal

SCALAR = {"m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": "5e-3", "g_n": "1e-2", "lam": "4.4e-4 /MeV"}
TINY = {"n_mesons": 4000, "n_events": 300, "seed": 11}
DN = {"m4": "150 MeV", "mzprime": "1.25 GeV", "epsilon": "1e-2", "gD": "1.0", "Umu4": "1e-3", "UD4": "0.9",
      "HNLtype": "majorana"}


@pytest.fixture(scope="module")
def scalar():
    return get_model("muphilic-scalar", SCALAR)


@pytest.fixture(scope="module")
def scalar_sample(scalar):
    return build_signal(scalar, "miniboone", "neutrino", **TINY)


def _assert_same_sample(a, b, couplings):
    assert type(a) is type(b)
    assert a.model.name == b.model.name and a.model.values == b.model.values
    assert (a.experiment, a.mode, a.note, a.process) == (b.experiment, b.mode, b.note, b.process)
    for name in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    for name in ("path", "p_lab"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None)
        if x is not None:
            assert np.array_equal(x, y)
    assert list(a.particles) == list(b.particles)
    for k in a.particles:
        assert a.particles[k].dtype == b.particles[k].dtype and np.array_equal(a.particles[k], b.particles[k]), k
    for c in couplings:  # re-weighting (coupling factors, survival) after the round trip
        m = a.model.replace(**c)
        wa, wb = a.weights(m, 2.0), b.weights(m, 2.0)
        assert len(wa) == len(a.E_vis) and np.all(np.isfinite(wb))
        np.testing.assert_allclose(wb, wa, rtol=1e-12, atol=0)


def test_round_trip_signal_sample(tmp_path, scalar_sample):
    s = scalar_sample
    assert len(s.E_vis) > 0 and s.path is not None and s.particles
    p = save_sample(s, tmp_path / "s.npz", key="abc")
    back = load_sample(p, "abc")
    # g_mu and lam change the φ width, hence survival; g_n only the detection factor
    _assert_same_sample(s, back, [{}, {"g_n": 0.3}, {"g_mu": 2e-2, "lam": 3e-3}])
    with pytest.raises(ValueError, match="key"):
        load_sample(p, "another-key")


def test_round_trip_idm_and_dark_neutrino(tmp_path):
    idm = get_model("vector-idm", {})
    s = build_signal(idm, "miniboone", "neutrino", **TINY)
    assert s.path is None
    _assert_same_sample(s, load_sample(save_sample(s, tmp_path / "i.npz")), [{"eps1": 1e-4}, {"g_prime": 1.0}])
    dn = get_model("dark-neutrino", DN)
    d = build_signal(dn, "miniboone", "neutrino", n_events=200, seed=5)
    assert type(d).__name__ == "DarkNeutrinoSample" and d.chains
    back = load_sample(save_sample(d, tmp_path / "d.npz"))
    # event-by-event importance re-weighting needs the per-chain arrays back exactly
    _assert_same_sample(d, back, [{"epsilon": 3e-2}, {"Umu4": 2e-3, "UD4": 0.5}])
    for ca, cb in zip(d.chains, back.chains):
        assert ca.keys() == cb.keys() and ca["slice"] == cb["slice"]
        for k, v in ca.items():
            if isinstance(v, np.ndarray):
                assert np.array_equal(v, cb[k]), k
            else:
                assert v == cb[k], k


def test_key_covers_everything_that_determines_a_sample(scalar, monkeypatch):
    base = {"experiment": "miniboone", "mode": "neutrino", "n_mesons": 4000, "n_events": 300, "seed": 11}
    k0 = sample_key(scalar, **base)
    # same inputs (also from a model built with other unit spellings) → same key
    same = get_model("muphilic-scalar", {**SCALAR, "m_zprime": "0.049 GeV"})
    assert sample_key(same, **base) == k0 and len(k0) == 64
    changed = {sample_key(scalar, **{**base, k: v}) for k, v in
               [("mode", "antineutrino"), ("n_mesons", 4001), ("n_events", 301), ("seed", 12)]}
    changed.add(sample_key(scalar, **base, detector=False))
    for p in scalar.params:  # every parameter, masses and reference couplings alike
        v = scalar.values[p.name]
        if p.choices is not None:  # e.g. zprime_current, fixed in a sample
            new = next(c for c in p.choices if c != v)
        else:
            new = v * 1.5 if v else 1e-3
        changed.add(sample_key(scalar.replace(**{p.name: new}), **base))
    idm = get_model("vector-idm", {})
    k_idm = sample_key(idm, **base)
    changed |= {k_idm, sample_key(idm.replace(amplitude="lepton"), **base),
                sample_key(idm.replace(br_v1_chichi=0.7), **base)}
    monkeypatch.setattr(cache_mod, "__version__", "99.0")
    changed.add(sample_key(scalar, **base))
    assert k0 not in changed and len(changed) == 5 + len(scalar.params) + 3 + 1


def test_get_or_build_reuses_and_matches_fresh_build(tmp_path, scalar, scalar_sample):
    c = SampleCache(tmp_path)
    a = c.get_or_build(scalar, "miniboone", "neutrino", **TINY)
    assert c.stats() == {"hits": 0, "misses": 1, "rejected": 0}
    b = c.get_or_build(scalar, "miniboone", "neutrino", **TINY)
    assert c.stats()["hits"] == 1
    # the cached sample is the sample an independent fresh build gives (same seed → same numbers)
    _assert_same_sample(scalar_sample, a, [{}, {"g_n": 0.05}])
    _assert_same_sample(scalar_sample, b, [{}, {"g_mu": 1e-2}])
    c.get_or_build(scalar, "miniboone", "neutrino", **{**TINY, "seed": 12})
    assert c.stats()["misses"] == 2 and len(list((tmp_path / "samples").glob("*.npz"))) == 2
    assert c.clear() == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong-key", "empty"])
def test_corrupted_cache_file_is_ignored_and_regenerated(tmp_path, scalar, scalar_sample, damage):
    c = SampleCache(tmp_path)
    c.get_or_build(scalar, "miniboone", "neutrino", **TINY)
    key = sample_key(scalar, "miniboone", "neutrino", **TINY)
    path = c.path(key)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(raw[:100] + bytes(len(raw) - 100))
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a readable file whose recorded key is another one (e.g. copied by hand)
        other = c.get_or_build(scalar, "miniboone", "neutrino", **{**TINY, "seed": 99})
        assert len(other.E_vis)
        shutil.copy(c.path(sample_key(scalar, "miniboone", "neutrino", **{**TINY, "seed": 99})), path)
    (path.parent / f".{path.name}.abc.part").write_bytes(b"partial")  # leftover of an interrupted write
    c2 = SampleCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="ignoring unreadable"):
        s = c2.get_or_build(scalar, "miniboone", "neutrino", **TINY)
    assert c2.stats() == {"hits": 0, "misses": 1, "rejected": 1}
    _assert_same_sample(scalar_sample, s, [{"g_n": 0.02}])
    c3 = SampleCache(tmp_path)  # regenerated file is good again
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c3.get_or_build(scalar, "miniboone", "neutrino", **TINY)
    assert c3.stats()["hits"] == 1


def test_interrupted_write_leaves_no_file(tmp_path, scalar_sample, monkeypatch):
    def broken(fh, **arrays):
        fh.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(cache_mod.np, "savez", broken)
    c = SampleCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="cannot write"):
        assert c.store("k" * 64, scalar_sample) is None
    assert os.listdir(tmp_path / "samples") == []


def test_cache_directory_and_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("DARKBEAM_CACHE", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    assert resolve_cache(True).directory == tmp_path / "env"
    monkeypatch.delenv("DARKBEAM_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "darkbeam"
    assert resolve_cache(None) is None and resolve_cache(False) is None
    assert resolve_cache(tmp_path).directory == tmp_path
    with pytest.raises(InputError, match="cache"):
        resolve_cache(3)


def test_predictor_with_cache_gives_the_same_prediction(tmp_path):
    cfg = parse_config({"model": {"name": "muphilic-scalar", **SCALAR}, "experiment": {"modes": ["neutrino"]},
                        "simulation": TINY, "fit": {"parameter": "g_n", "bounds": [1e-6, 1.0]}})
    ref = Predictor(cfg).predict()
    cold = Predictor(cfg, cache=tmp_path)
    out_cold = cold.predict()
    warm = Predictor(cfg, cache=tmp_path)
    out_warm = warm.predict()
    assert cold.cache.stats()["misses"] == 2 and warm.cache.stats() == {"hits": 2, "misses": 0, "rejected": 0}
    for out in (out_cold, out_warm):
        assert out["chi2"] == pytest.approx(ref["chi2"], rel=1e-12)
        assert out["signal_events"] == pytest.approx(ref["signal_events"], rel=1e-12)
        assert out["off_target"]["signal_events"] == pytest.approx(ref["off_target"]["signal_events"], rel=1e-12)
        np.testing.assert_allclose(out["spectra"]["E_vis"]["signal"], ref["spectra"]["E_vis"]["signal"], rtol=1e-12)
