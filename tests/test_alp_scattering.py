"""The ``inverse-primakoff`` detection process (darkbeam.pipeline.alp_scattering) of the ALP model, and event files
mixing its scatters (a N → γ N) with the decays in volume (a → γγ) of the model's other channel: each event's own
graph, four-momentum conservation where the record claims it, NuHepMC conformance, Parquet and HepMC3 agreeing."""

from __future__ import annotations

import json
import math

import hepunits as hu
import numpy as np
import pytest

import darkbeam.pipeline  # noqa: F401  (registers the detection processes)
from darkbeam.constants import HBARC
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.interactions.inverse_primakoff import sigma_inverse_primakoff
from darkbeam.io.events import event_record, read_events, write_events, write_hepmc3_pyhepmc
from darkbeam.io.nuhepmc import check_file
from darkbeam.models import get_model
from darkbeam.particles import ALP_PDG
from darkbeam.pipeline.boson_flux import boson_flux
from darkbeam.pipeline.signal import CombinedSample, build_signal

pyhepmc = pytest.importorskip("pyhepmc")

DECAY, SCATTER = "decay-in-volume a -> gamma gamma", "scatter a -> gamma"
LIGHT = {"m_a": "0.05 MeV", "g_agg": "1e-5 /GeV", "target": "W"}  # long-lived: scatters outnumber decays


def _alp(**kw):
    return get_model("alp", {**LIGHT, **kw})


@pytest.fixture(scope="module")
def light():
    return build_signal(_alp(), "ccm", "stopped", n_mesons=40_000, n_events=400, seed=5)


def test_two_channels_and_their_labels(light):
    assert isinstance(light, CombinedSample)
    assert [p.process for p in light.parts] == ["decay-in-volume", "inverse-primakoff", "decay-in-volume",
                                                "inverse-compton"]
    # g_aee = 0: the electron-coupling channels (a -> e+ e-, a e -> gamma e) are closed, each with its reason
    assert all(len(p.base_weight) == 0 and p.note for p in light.parts[2:])
    assert set(np.unique(light.columns["channel"])) == {DECAY, SCATTER}
    dec, sca = (p.total() for p in light.parts[:2])
    assert dec > 0 and sca > 0 and light.total() == pytest.approx(dec + sca, rel=1e-12)


def test_scatter_total_against_flux_times_cross_section():
    """Truth level: the resampled total equals Σ Φ_i σ(E_i) N_T survival_i over the arrivals of the same flux run
    (boson_flux with the same seed draws the same ALPs), within 4× the resampling error."""
    model = _alp(m_a="1 MeV", g_agg="1e-4 /GeV")
    s = build_signal(model, "ccm", "stopped", n_mesons=40_000, n_events=4000, seed=6, detector=False).parts[1]
    arr = boson_flux(model, "ccm", "stopped", n_mesons=40_000, seed=6).arrivals
    n_t = get_experiment("ccm").targets()["Ar40"]
    dec = model.boson_decays()
    p = np.sqrt(arr.energy**2 - 1.0)
    surv = np.exp(-arr.distance / (p / 1.0 * HBARC / dec.total))
    terms = arr.weight * sigma_inverse_primakoff(arr.energy, 1.0, model.photon_coupling(), "Ar40") * n_t * surv
    w = s.weights()
    rel = math.sqrt(np.sum(w**2)) / np.sum(w) if len(w) > 1 else 1.0
    assert s.total() == pytest.approx(float(np.sum(terms)), rel=4 * rel + 1e-3)
    assert 0.9 < float(np.min(surv)) <= 1.0  # long-lived here: the survival factor is ~1


def test_reweighting_in_the_coupling_is_exact_and_valid_far_away():
    """Long-lived: N(2g) = 16 N(g) exactly (g² production × g² scattering); short-lived (m_a = 10 MeV, g = 1e-4 /GeV:
    cτ ≈ 4 m against 20 m): the sample re-weighted from 1e-5 /GeV agrees with a fresh build at 1e-4 /GeV within
    4σ of the combined Monte Carlo errors (the resampling keeps 10 % of its events without survival)."""
    s = build_signal(_alp(), "ccm", "stopped", n_mesons=20_000, n_events=400, seed=5).parts[1]
    m2 = _alp(g_agg="2e-5 /GeV")
    assert s.total(m2) == pytest.approx(16 * s.total(), rel=1e-9)
    ref = _alp(m_a="10 MeV", g_agg="1e-5 /GeV")
    far = _alp(m_a="10 MeV", g_agg="1e-4 /GeV")
    assert HBARC / far.boson_decays().total < 5 * hu.m
    a = build_signal(ref, "ccm", "stopped", n_mesons=40_000, n_events=3000, seed=8, detector=False).parts[1]
    b = build_signal(far, "ccm", "stopped", n_mesons=40_000, n_events=3000, seed=9, detector=False).parts[1]
    wa, wb = a.weights(far), b.weights(far)
    err = math.hypot(math.sqrt(np.sum(wa**2)), math.sqrt(np.sum(wb**2)))
    assert np.sum(wb) > 0 and np.sum(wa) == pytest.approx(np.sum(wb), abs=4 * err)
    assert np.sum(wb) < 0.9 * b.total(ref) * (1e-4 / 1e-5) ** 4  # the survival over 20 m removes a part


def test_zero_coupling_is_a_reasoned_zero_and_cannot_be_reweighted():
    s = build_signal(_alp(g_agg="0 /GeV"), "ccm", "stopped", n_mesons=5_000, n_events=100, seed=1)
    sca = s.parts[1]
    assert len(sca.base_weight) == 0 and "photon coupling of a is 0" in sca.note
    assert SCATTER in s.note
    with pytest.raises(InputError, match="g_agg"):
        s.weights(_alp())


def _attr(a) -> str:
    return a.astype(str) if hasattr(a, "astype") else str(a)


def _graph_checks(path: str, sample) -> dict:
    """Read a mixed file with pyhepmc and check each event's graph; returns counts per graph."""
    counts = {"decay-in-volume": 0, "inverse-primakoff": 0}
    with pyhepmc.open(path) as f:
        for ev in f:
            graph = _attr(ev.attributes["graph"])
            channel = _attr(ev.attributes["channel"])
            counts[graph] += 1
            prim = [v for v in ev.vertices if v.status == 1]
            assert len(prim) == 1
            v = prim[0]
            pin = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_in], 0)
            pout = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_out], 0)
            np.testing.assert_allclose(pout, pin, rtol=0, atol=1e-9 * pin[0])  # conserved at the primary vertex
            ins = sorted((p.pid, p.status) for p in v.particles_in)
            outs = sorted(p.pid for p in v.particles_out)
            pid = int(_attr(ev.attributes["signal_process_id"]))
            if graph == "decay-in-volume":  # a (decayed, 2) → γγ; the beam proton's target nucleus is the target
                assert channel == DECAY and pid == 760
                assert ins == [(ALP_PDG, 2)] and outs == [22, 22]
            else:  # a (interacting, 22) + nucleus (20) → γ + nucleus
                assert channel == SCATTER and pid == 756
                assert ins == [(ALP_PDG, 22), (1000180400, 20)] and outs == [22, 1000180400]
            st = [p.status for p in ev.particles]
            assert st.count(4) == 1 and st.count(20) == 1
    return counts


@pytest.mark.parametrize("suffix", [".hepmc3", ".parquet"])
def test_mixed_event_file(light, tmp_path, suffix):
    """One file, decays and scatters: every event carries its channel's graph, read back identically from HepMC3
    (its own particles and vertices per event) and Parquet (a column per role of any graph, NaN where absent);
    the totals per channel are the parts' totals."""
    path = write_events(light, tmp_path / f"alp{suffix}", pot=2.25e22)
    t = read_events(path)
    w = light.weights()
    keep = w > 0
    assert len(t) == int(np.sum(keep))
    assert np.array_equal(t.columns["event"], np.flatnonzero(keep))  # channels contiguous: the sample's order
    layout = t.metadata["record"]
    assert [g["name"] for g in layout["graphs"]] == ["decay-in-volume", "inverse-primakoff"]
    assert np.array_equal(t.columns["graph"] == "inverse-primakoff", t.columns["channel"] == SCATTER)
    for k, lab in enumerate((DECAY, SCATTER)):
        sel = t.columns["channel"] == lab
        assert float(np.sum(t.columns["expected_events"][sel])) == pytest.approx(
            light.parts[k].total(pot=2.25e22), rel=1e-9)
    dec = t.columns["graph"] == "decay-in-volume"
    assert np.all(np.isnan(t.columns["recoil_E"][dec])) and np.all(t.columns["recoil_pdg"][dec] == 0)
    assert np.all(np.isnan(t.columns["vis2_E"][~dec])) and np.all(t.columns["vis2_pdg"][dec] == 22)
    assert np.all(t.columns["beam_target_pdg"][dec] > 1_000_000_000) and np.all(t.columns["target_pdg"][~dec] > 0)
    # four-momentum at the scatter vertex: ALP + target at rest = photon + recoil
    p = {r: t.p4(r) for r in ("in", "target", "vis1", "recoil", "vis2")}
    # (to 1e-9 of the incoming energy: the generators' boosts conserve it to ~1e-13 relative)
    e_in = (p["in"] + p["target"])[~dec][:, :1]
    assert np.all(np.abs((p["in"] + p["target"] - p["vis1"] - p["recoil"])[~dec]) <= 1e-9 * e_in)
    assert np.all(np.abs((p["in"] - p["vis1"] - p["vis2"])[dec]) <= 1e-9 * p["in"][dec][:, :1])
    if suffix == ".hepmc3":
        counts = _graph_checks(str(path), light)
        assert counts["decay-in-volume"] == int(np.sum(dec)) > 0 and counts["inverse-primakoff"] > 0
        assert check_file(path) == []
        meta = json.loads(str(t.run_info["darkbeam_metadata"]))
        assert meta["flux_averaged_total_cross_section"]["unit"] == "events per POT"
        par = read_events(write_events(light, tmp_path / "alp.parquet", pot=2.25e22))
        for k, col in t.columns.items():
            a, b = np.asarray(col), np.asarray(par.columns[k])
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), k


def test_mixed_record_unweighting_and_the_reference_writer(light, tmp_path):
    """Unweighting keeps each event's graph (the kept events' graphs and channels still agree, the total is kept);
    pyhepmc's per-event writer and the vectorised one write the same mixed events; a mixed record refuses an
    index selection (its graphs are selected with a boolean mask)."""
    rec = event_record(light, pot=2.25e22, rng=np.random.default_rng(3), unweight=True)
    assert rec.mixed and 0 < len(rec) < int(np.sum(light.weights() > 0))
    graph, channel = rec.label("graph"), rec.label("channel")
    assert np.array_equal(graph == "inverse-primakoff", channel == SCATTER)
    assert float(np.sum(rec.weights["CV"])) == pytest.approx(light.total(), rel=1e-12)
    for (name, sub, idx), g in zip(rec.graph_records(), rec.graphs, strict=True):
        assert name == g.name and len(sub) == len(idx) == len(g.particles[0].pdg) and np.all(graph[idx] == name)
    with pytest.raises(InputError, match="boolean mask"):
        rec.select(np.arange(3))
    fast = write_events(light, tmp_path / "fast.hepmc3", pot=1e22, rng=np.random.default_rng(4))
    ref = write_hepmc3_pyhepmc(light, tmp_path / "ref.hepmc3", pot=1e22, rng=np.random.default_rng(4))

    def content(path):
        with pyhepmc.open(str(path)) as f:
            return [(ev.event_number, _attr(ev.attributes["graph"]), list(ev.weights),
                     [(p.pid, p.status, p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz) for p in ev.particles],
                     [(v.status, v.position.x, v.position.y, v.position.z, v.position.t) for v in ev.vertices])
                    for ev in f]

    a, b = content(fast), content(ref)
    assert len(a) == int(np.sum(light.weights() > 0)) and a == b


def test_read_hepmc3_takes_files_whose_vertices_at_the_origin_have_no_position(light, tmp_path):
    """HepMC3 writers (pyhepmc, the C++ WriterAscii) leave out "@ x y z t" for a vertex at the origin; darkbeam's
    reader adds it back, so a file written by pyhepmc reads the same as darkbeam's own."""
    ref = write_hepmc3_pyhepmc(light, tmp_path / "ref.hepmc3", pot=1e22, rng=np.random.default_rng(4))
    fast = write_events(light, tmp_path / "fast.hepmc3", pot=1e22, rng=np.random.default_rng(4))
    text = ref.read_text().splitlines()
    assert any(t.startswith("V ") and "@" not in t for t in text)  # the case this test is about
    a, b = read_events(ref), read_events(fast)
    assert set(a.columns) == set(b.columns)
    for k in a.columns:
        x, y = np.asarray(a.columns[k]), np.asarray(b.columns[k])
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-9, equal_nan=True)
        else:
            assert np.array_equal(x, y), k
