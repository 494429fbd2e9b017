"""Event files (io/events.py): full records (beam proton, parent meson with production and decay points,
dark state, target, final state; times of flight), HepMC3 read back with pyhepmc (momenta, ids, statuses,
weights, four-momentum conservation at the detector vertices, agreement with a per-event pyhepmc writer),
vertex sampling (uniform in the detector sphere), Parquet and HepMC3 read back with read_events (identical
histograms), zero-weight events, unweighting (histograms agree with the weighted ones within statistics),
safe writing (--overwrite, SIGTERM and SIGKILL mid-write), empty samples, bad suffixes, the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.io.events import (
    event_record,
    interaction_vertices,
    read_events,
    read_parquet,
    write_events,
    write_hepmc3,
    write_hepmc3_pyhepmc,
    write_parquet,
)
from darkbeam.models import get_model
from darkbeam.models.plugins import load_plugins
from darkbeam.pipeline.geometry import detector_center
from darkbeam.pipeline.signal import _empty, build_signal

pyhepmc = pytest.importorskip("pyhepmc")

SCALAR = {"m_phi": "1 MeV", "g_mu": "5e-3", "g_n": "1e-3", "lam": "4.4e-4 /MeV", "m_zprime": "49 MeV"}
IDM = {"m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": "6e-5", "g_prime": "3.5449",
       "amplitude": "lepton"}
POT = 1.875e21


def _small(sample, n: int = 120):
    """The first n events of a sample (keeps the pyhepmc read-back loops short)."""
    cut = {f: getattr(sample, f)[:n] for f in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            cut[f] = getattr(sample, f)[:n]
    extra = {}
    if hasattr(sample, "chains"):  # dark-neutrino: keep only the reference-weight path
        extra["chains"] = []
    return dataclasses.replace(sample, **cut, **extra, particles={k: v[:n] for k, v in sample.particles.items()},
                               columns={k: v[:n] for k, v in sample.columns.items()}, meta={})


def _tile(sample, n: int, rng):
    """``sample`` repeated to n events with its base weights multiplied by exponential random factors
    (a sample with a spread of weights, for the unweighting test)."""
    k = -(-n // len(sample.E_vis))
    rep = lambda a: np.concatenate([a] * k)[:n]
    cut = {f: rep(getattr(sample, f)) for f in ("E_vis", "cos_theta", "E_QE", "source", "target")}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            cut[f] = rep(getattr(sample, f))
    return dataclasses.replace(sample, **cut, base_weight=rep(sample.base_weight) * rng.exponential(size=n),
                               particles={a: rep(v) for a, v in sample.particles.items()},
                               columns={a: rep(v) for a, v in sample.columns.items()}, meta={})


BL_PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugins" / "bl_boson.py"


@pytest.fixture(scope="module")
def samples():
    load_plugins(str(BL_PLUGIN))  # B-L boson: the decay-in-volume process
    kw = {"experiment": "miniboone", "mode": "neutrino", "seed": 7}
    return {
        "scalar": _small(build_signal(get_model("muphilic-scalar", SCALAR), n_mesons=4000, n_events=150, **kw)),
        "idm": _small(build_signal(get_model("vector-idm", IDM), n_mesons=4000, n_events=150, **kw)),
        "dn": _small(build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=60, **kw)),
        "bl": _small(build_signal(get_model("bl-boson", {}), n_mesons=4000, n_events=150, **kw)),
    }


def _attr(a) -> str:
    return a.astype(str) if hasattr(a, "astype") else str(a)


def _read_hepmc(path):
    """Per event: weights, particles (pdg, status, E, px, py, pz, production vertex id, end vertex id),
    vertices (status, in/out four-momentum sums, position), attributes."""
    out = []
    with pyhepmc.open(path) as f:
        for ev in f:
            assert ev.momentum_unit == pyhepmc.Units.MEV and ev.length_unit == pyhepmc.Units.MM
            parts = [(p.pid, p.status, p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz,
                      p.production_vertex.id if p.production_vertex else 0, p.end_vertex.id if p.end_vertex else 0)
                     for p in ev.particles]
            verts = []
            for v in ev.vertices:
                pin = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_in], 0)
                pout = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_out], 0)
                verts.append((v.status, pin, pout, np.array([v.position.x, v.position.y, v.position.z, v.position.t])))
            out.append({"no": ev.event_number, "w": list(ev.weights), "parts": parts, "verts": verts,
                        "attrs": {k: _attr(ev.attributes[k]) for k in ev.attributes},
                        "meta": json.loads(_attr(ev.run_info.attributes["darkbeam_metadata"]))})
    return out


PROCESS_IDS = {"scalar": {750, 751}, "idm": {752, 753}, "dn": {754, 755}, "bl": {760}}
C_MM_PER_S = 299_792_458e3


@pytest.mark.parametrize("name", ["scalar", "idm", "dn", "bl"])
def test_hepmc3_full_records(samples, name, tmp_path):
    """Every event: beam particle and target once each, the parent meson with its production point in the
    target and its decay point, the dark state, the recoil and final state with the sample's momenta; the
    detector vertices conserve four-momentum; c t at each vertex is the flight time from the vertex that
    made the incoming particle (L E/|p|); lab_pos is the primary vertex with its time in seconds."""
    s = samples[name]
    path = write_hepmc3(s, tmp_path / f"{name}.hepmc3", pot=POT, rng=np.random.default_rng(1))
    events = _read_hepmc(str(path))
    cv, w = s.weights(None, 1.0), s.weights(None, POT)
    keep = np.flatnonzero(cv != 0)
    assert len(events) == len(keep) > 0 and [e["no"] for e in events] == list(keep)  # zero weights left out
    # weights are written as round-trip decimals: exact
    assert np.array_equal([e["w"] for e in events], np.stack([cv[keep], w[keep]], axis=1))
    layout = events[0]["meta"]["record"]
    roles = [p["role"] for p in layout["particles"]]
    vroles = [v["role"] for v in layout["vertices"]]
    history = name != "dn"
    assert ("parent" in roles) == history and ("beam" in roles) == history
    assert ("beam_target" in roles) == (name == "bl") and ("target" in roles) == (name != "bl")
    assert ("recoil" in roles) == (name != "bl")
    P, C = s.particles, s.columns
    for ev, i in zip(events, keep):
        parts = dict(zip(roles, ev["parts"]))
        verts = dict(zip(vroles, ev["verts"]))
        st = [p[1] for p in ev["parts"]]
        assert st == [p["status"] for p in layout["particles"]] and st.count(4) == 1 and st.count(20) == 1
        assert [v[0] for v in ev["verts"]].count(1) == 1 and verts["primary"][0] == 1
        for role in ("in", "vis1", "vis2", "recoil", "inv", "mid"):
            if role in parts:
                assert parts[role][0] == P[f"pdg_{role}"][i]
                np.testing.assert_array_equal(parts[role][2:6], P[f"p4_{role}"][i])
        if name != "bl":  # target at rest with the recoil's mass: the primary vertex conserves p exactly
            assert parts["target"][0] == P["pdg_recoil"][i] and parts["target"][1] == 20
        # four-momentum conservation at the detector vertices (generators conserve it to ~1e-13 relative)
        for role in ("primary", "decay"):
            if role in verts:
                _, pin, pout, _ = verts[role]
                np.testing.assert_allclose(pout, pin, rtol=0, atol=1e-10 * pin[0])
        prim = verts["primary"][3]
        if history:
            assert parts["beam"][0] == 2212 and parts["beam"][1] == 4 and parts["beam"][2:6][3] == 8890.0
            np.testing.assert_array_equal(parts["parent"][2:6], C["parent_p4"][i])
            x0, x1 = verts["production"][3], verts["parent_decay"][3]
            np.testing.assert_array_equal(x0, [*C["parent_x0"][i], 0.0])
            np.testing.assert_array_equal(x1[:3], C["x_prod"][i])
            assert -400 < x0[2] < 400 and np.hypot(x0[0], x0[1]) < 10  # in the 71 cm Be target
            pp = C["parent_p4"][i]
            assert x1[3] == pytest.approx(np.linalg.norm(x1[:3] - x0[:3]) * pp[0] / np.linalg.norm(pp[1:]), rel=1e-12)
            start = x1
        else:  # dark neutrino: the ν flies from the target (origin) at the speed of light
            start = np.zeros(4)
        p_in = P["p4_in"][i]
        assert prim[3] == pytest.approx(start[3] + np.linalg.norm(prim[:3] - start[:3]) * p_in[0]
                                        / np.linalg.norm(p_in[1:]), rel=1e-12)
        assert prim[3] >= start[3] + np.linalg.norm(prim[:3] - start[:3]) * (1 - 1e-12)  # causal
        if name == "bl":
            np.testing.assert_array_equal(prim[:3], C["x_dec"][i])
        if name == "dn":
            np.testing.assert_array_equal(prim[:3], P["x_int"][i])
            dec = verts["decay"][3]
            np.testing.assert_array_equal(dec[:3], P["x_dec"][i])
            pm = P["p4_mid"][i]
            assert dec[3] - prim[3] == pytest.approx(np.linalg.norm(dec[:3] - prim[:3]) * pm[0] / np.linalg.norm(pm[1:]),
                                                     rel=1e-9)
        r = np.linalg.norm(prim[:3] - detector_center(get_experiment("miniboone")))
        assert r <= get_experiment("miniboone").radius * (1 + 1e-12)  # in the detector
        lab = [float(x) for x in ev["attrs"]["lab_pos"].split()]
        np.testing.assert_array_equal(lab[:3], prim[:3])
        assert lab[3] == pytest.approx(prim[3] / C_MM_PER_S, rel=1e-12)
        assert int(ev["attrs"]["signal_process_id"]) in PROCESS_IDS[name]
        assert ev["attrs"]["source"] == str(s.source[i]) and ev["attrs"]["target"] == (str(s.target[i]) or "-")
        assert float(ev["attrs"]["E_vis"]) == s.E_vis[i]
    assert events[0]["meta"]["pot"] == POT and events[0]["meta"]["model"]["name"] == s.model.name


@pytest.mark.parametrize("name", ["scalar", "dn", "bl"])
def test_hepmc3_matches_per_event_pyhepmc_writer(samples, name, tmp_path):
    """The vectorised text and pyhepmc's own writer (one GenEvent per event) describe the same events."""
    s = samples[name]
    fast = read_events(write_hepmc3(s, tmp_path / "a.hepmc3", pot=POT, rng=np.random.default_rng(3)))
    slow = read_events(write_hepmc3_pyhepmc(s, tmp_path / "b.hepmc", pot=POT, rng=np.random.default_rng(3)))
    assert list(fast.columns) == list(slow.columns) and len(fast) == len(slow) > 0
    for k, a in fast.columns.items():
        if k in ("E_vis", "cos_theta", "E_QE"):  # pyhepmc writes double attributes with 15 digits
            np.testing.assert_allclose(slow.columns[k], a, rtol=1e-13)
        else:  # momenta, positions (%.16e) and weights (%.22e): the same doubles
            np.testing.assert_array_equal(slow.columns[k], a)
    fast_raw, slow_raw = _read_hepmc(str(tmp_path / "a.hepmc3")), _read_hepmc(str(tmp_path / "b.hepmc"))
    for a, b in zip(fast_raw, slow_raw):
        assert [p[:2] + p[6:] for p in a["parts"]] == [p[:2] + p[6:] for p in b["parts"]]
        assert [v[0] for v in a["verts"]] == [v[0] for v in b["verts"]]

def test_vertices_uniform_in_detector_sphere():
    """Chord sampling with a uniform impact parameter gives a uniform density in the sphere for any
    direction: P(r < R/2) = 1/8 and <r²> = 3R²/5, checked within 5σ of the sample size."""
    exp = get_experiment("miniboone")
    n = 200_000
    rng = np.random.default_rng(11)
    d = rng.normal(size=(n, 3))
    d[: n // 2] = [0.0, 0.0, 1.0]  # half along the beam, half isotropic
    p4 = np.concatenate([np.full((n, 1), 500.0), 300.0 * d / np.linalg.norm(d, axis=1)[:, None]], axis=1)
    fake = SimpleNamespace(experiment="miniboone", E_vis=np.zeros(n), particles={"p4_in": p4})
    for sphere, radius in (("detector", exp.radius), ("fiducial", exp.fiducial_radius)):
        x = interaction_vertices(fake, np.random.default_rng(5), sphere) - detector_center(exp)
        r2 = np.sum(x**2, axis=1) / radius**2
        assert r2.max() <= 1 + 1e-12
        frac = np.mean(r2 < 0.25)
        assert abs(frac - 1 / 8) < 5 * np.sqrt(1 / 8 * 7 / 8 / n)
        # var(r²/R²) for a uniform ball = 3/7 - 9/25
        assert abs(r2.mean() - 0.6) < 5 * np.sqrt((3 / 7 - 0.36) / n)
        # no preferred side: along the path the mean is the centre
        assert abs(np.mean(x[:, 2]) / radius) < 5 * np.sqrt(0.2 / n)
    with pytest.raises(InputError, match="sphere"):
        interaction_vertices(fake, rng, "cylinder")


@pytest.mark.parametrize("name", ["scalar", "idm", "dn", "bl"])
def test_parquet_round_trip(samples, name, tmp_path):
    s = samples[name]
    other = s.model.replace(**({"g_n": 2 * s.model.g_n} if name == "scalar" else {}))
    path = write_parquet(s, tmp_path / f"{name}.parquet", model=other, pot=POT)
    data = read_parquet(path)
    c, meta = data["columns"], data["metadata"]
    cv = s.weights(other, 1.0)
    keep = np.flatnonzero(cv != 0)
    n = len(keep)
    np.testing.assert_array_equal(c["event"], keep)
    for obs in ("E_vis", "cos_theta", "E_QE"):
        np.testing.assert_array_equal(c[obs], getattr(s, obs)[keep])
    np.testing.assert_array_equal(c["CV"], cv[keep])
    np.testing.assert_array_equal(c["expected_events"], s.weights(other, POT)[keep])
    if name == "scalar":  # detection ∝ (g_n λ)²; g_n does not enter the (π/K → μνφ) production or the width
        np.testing.assert_allclose(c["CV"], 4 * s.weights(None, 1.0)[keep], rtol=1e-12)
    assert list(c["source"]) == list(s.source[keep]) and list(c["target"]) == list(s.target[keep])
    for role in ("in", "vis1", "vis2", "recoil", "inv", "mid"):
        if f"{role}_E" in c:
            got = np.stack([c[f"{role}_{k}"] for k in ("E", "px", "py", "pz")], axis=1)
            np.testing.assert_array_equal(got, s.particles[f"p4_{role}"][keep])
            np.testing.assert_array_equal(c[f"{role}_pdg"], s.particles[f"pdg_{role}"][keep])
    if name != "dn":  # parent meson and its production / decay points
        np.testing.assert_array_equal(c["parent_pdg"], s.columns["parent_pdg"][keep])
        got = np.stack([c[f"v_production_{k}"] for k in "xyz"], axis=1)
        np.testing.assert_array_equal(got, s.columns["parent_x0"][keep])
        got = np.stack([c[f"v_parent_decay_{k}"] for k in "xyz"], axis=1)
        np.testing.assert_array_equal(got, s.columns["x_prod"][keep])
    assert meta["model"]["name"] == s.model.name
    assert meta["model"]["parameters"] == json.loads(json.dumps(other.values))
    assert meta["pot"] == POT and meta["experiment"] == "miniboone" and meta["mode"] == "neutrino"
    assert meta["units"]["energy"] == "MeV" and "darkbeam_version" in meta and meta["n_events"] == n
    assert meta["n_sample"] == len(s.E_vis) and meta["n_zero_weight"] == len(s.E_vis) - n
    statuses = {p["role"]: p["status"] for p in meta["record"]["particles"]}
    assert list(statuses.values()).count(4) == 1 and list(statuses.values()).count(20) == 1
    assert meta["run_info"]["NuHepMC.Version.Major"] == 1 and meta["run_info"]["NuHepMC.Exposure.POT"] == POT
    assert not list(tmp_path.glob(".*.part"))  # atomic write leaves nothing behind


@pytest.mark.parametrize("name", ["scalar", "dn", "bl"])
def test_read_events_gives_identical_histograms(samples, name, tmp_path):
    """write → read_events → histogram: Parquet and HepMC3 give the same columns (the HepMC3 text holds
    round-trip decimals, so the doubles are the same), and the histograms are the sample's."""
    s = samples[name]
    pq_t = read_events(write_events(s, tmp_path / "e.parquet", pot=POT, rng=np.random.default_rng(2)))
    hm_t = read_events(write_events(s, tmp_path / "e.hepmc3", pot=POT, rng=np.random.default_rng(2)))
    assert pq_t.format == "parquet" and hm_t.format == "hepmc3"
    assert list(pq_t.columns) == list(hm_t.columns) and len(pq_t) == len(hm_t) > 0
    for k, a in pq_t.columns.items():
        np.testing.assert_array_equal(hm_t.columns[k], a, err_msg=k)
    edges = {"E_vis": np.linspace(0, 3000, 16), "cos_theta": np.linspace(-1, 1, 11),
             "v_primary_z": np.linspace(535e3, 548e3, 14), "in_E": np.geomspace(10, 1e4, 12)}
    for col, e in edges.items():
        h = pq_t.histogram(col, e)
        np.testing.assert_array_equal(hm_t.histogram(col, e), h)
        if col in ("E_vis", "cos_theta"):  # the sample's own histogram (zero-weight events add nothing)
            np.testing.assert_allclose(h, s.histogram(col, e, pot=POT), rtol=1e-12, atol=0)
    assert hm_t.run_info["NuHepMC.Version.Major"] == "1" and pq_t.run_info["NuHepMC.Version.Major"] == 1
    np.testing.assert_array_equal(pq_t.p4("in"), s.particles["p4_in"][pq_t.columns["event"]])
    assert pq_t.vertex("primary").shape == (len(pq_t), 4)


def test_zero_weight_events_counted_or_kept(samples, tmp_path):
    s = samples["scalar"]
    zero = int(np.sum(s.weights() == 0))
    assert zero > 0  # the MiniBooNE response rejects some events
    rec = event_record(s, pot=POT)
    assert len(rec) == len(s.E_vis) - zero and rec.metadata["n_zero_weight"] == zero
    assert rec.run_info["darkbeam.NEvents.ZeroWeight"] == zero
    kept = event_record(s, pot=POT, keep_zero_weight=True)
    assert len(kept) == len(s.E_vis) and kept.metadata["zero_weight_events"] == "kept"
    assert np.sum(kept.weights["CV"]) == pytest.approx(np.sum(rec.weights["CV"]), rel=1e-14)


def test_unweighted_histograms_agree_with_weighted(samples):
    """Accept-reject against w_max: every kept event has the same weight Σw/kept (the total is exact), the
    efficiency is <w>/w_max within binomial errors, and per bin the unweighted estimate agrees with the
    weighted one within 4 σ (σ² = W_b w_max: the kept count of a bin is ~Poisson with mean W_b / w_max)."""
    rng = np.random.default_rng(21)
    s = _tile(samples["scalar"], 40_000, rng)
    w = event_record(s, pot=POT)
    u = event_record(s, pot=POT, rng=np.random.default_rng(5), unweight=True)
    cv = u.weights["CV"]
    assert np.all(cv == cv[0]) and cv.sum() == pytest.approx(w.weights["CV"].sum(), rel=1e-12)
    info = u.metadata["unweighting"]
    wv = w.weights["CV"]
    eff = wv.mean() / wv.max()
    assert info["efficiency"] == len(u) / len(w)
    assert abs(info["efficiency"] - eff) < 4 * np.sqrt(eff * (1 - eff) / len(w))
    assert u.run_info["darkbeam.UnweightingEfficiency"] == info["efficiency"]
    for obs, edges in (("E_vis", np.linspace(100, 1500, 8)), ("cos_theta", np.linspace(0.9, 1.0, 6))):
        hw = np.histogram(w.observables[obs], edges, weights=wv)[0]
        hu_ = np.histogram(u.observables[obs], edges, weights=cv)[0]
        sigma = np.sqrt(hw * wv.max())
        ok = hw > 0
        assert np.all(np.abs(hu_ - hw)[ok] < 4 * sigma[ok]), (obs, hu_, hw, sigma)
        chi2 = np.sum(((hu_ - hw)[ok] / sigma[ok]) ** 2)
        assert chi2 < ok.sum() + 5 * np.sqrt(2 * ok.sum())


def test_empty_sample_writes_valid_files(tmp_path):
    s = _empty(get_model("vector-idm", IDM), "miniboone", "neutrino", "a coupling is zero", "idm-upscattering")
    data = read_parquet(write_events(s, tmp_path / "e.parquet", pot=POT))
    assert len(data["columns"]["CV"]) == 0 and "vis1_pdg" in data["columns"]
    assert data["metadata"]["n_events"] == 0 and data["metadata"]["note"] == "a coupling is zero"
    for suffix in (".hepmc3", ".hepmc"):
        p = write_events(s, tmp_path / f"e{suffix}", pot=POT)
        assert _read_hepmc(str(p)) == []
        assert "HepMC::Asciiv3-END_EVENT_LISTING" in p.read_text()
        t = read_events(p)
        assert len(t) == 0 and set(t.columns) == set(read_events(tmp_path / "e.parquet").columns)


def test_bad_suffixes_and_input(samples, tmp_path):
    s = samples["scalar"]
    with pytest.raises(InputError, match=r"suffix.*\.hepmc3.*\.parquet"):
        write_events(s, tmp_path / "x.root")
    with pytest.raises(InputError, match="suffix"):
        write_parquet(s, tmp_path / "x.hepmc3")
    with pytest.raises(InputError, match="suffix"):
        write_hepmc3(s, tmp_path / "x.parquet")
    with pytest.raises(InputError, match="suffix"):
        read_parquet(tmp_path / "x.csv")
    with pytest.raises(InputError, match="suffix"):
        read_events(tmp_path / "x.csv")
    with pytest.raises(InputError, match="pot"):
        write_parquet(s, tmp_path / "x.parquet", pot=float("nan"))
    with pytest.raises(InputError):
        write_parquet(s, tmp_path / "x.parquet", model=s.model.replace(m_phi=2.0))  # masses fixed in a sample
    (tmp_path / "other.hepmc3").write_text("HepMC::Version 3.02.05\nHepMC::Asciiv3-START_EVENT_LISTING\n"
                                           "HepMC::Asciiv3-END_EVENT_LISTING\n")
    with pytest.raises(InputError, match="written by darkbeam"):
        read_events(tmp_path / "other.hepmc3")
    assert not (tmp_path / "x.parquet").exists() and not list(tmp_path.glob(".*.part"))


_WRITER = """
import sys, time
from pathlib import Path
from darkbeam.io.events import _no_partial_output
with _no_partial_output(Path(sys.argv[1])) as tmp:
    open(tmp, "wb").write(b"partial")
    print("ready", flush=True)
    time.sleep(60)
"""


def _writer_killed_with(sig, target: Path) -> int:
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(sig)
    return proc.wait(timeout=30)


def test_overwrite_and_interrupted_writes(samples, tmp_path):
    """An existing file needs overwrite=True; a SIGTERM mid-write removes the temporary (no file looks like
    output); a SIGKILL leaves only a hidden .part, which the next write of that file removes."""
    s = samples["scalar"]
    target = tmp_path / "ev.hepmc3"
    write_events(s, target, pot=POT)
    before = target.read_bytes()
    with pytest.raises(InputError, match="overwrite"):
        write_events(s, target, pot=2 * POT, overwrite=False)
    assert target.read_bytes() == before
    write_events(s, target, pot=2 * POT, overwrite=True)
    assert target.read_bytes() != before
    fresh = tmp_path / "fresh.parquet"
    assert _writer_killed_with(signal.SIGTERM, fresh) == 128 + signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev.hepmc3"]
    assert _writer_killed_with(signal.SIGKILL, fresh) == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir() if p.name != "ev.hepmc3"]
    assert len(left) == 1 and left[0].startswith(".fresh.parquet.darkbeam-") and left[0].endswith(".part")
    assert not fresh.exists()
    write_events(s, fresh, pot=POT, overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ev.hepmc3", "fresh.parquet"]

CONFIG = """
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-3
lam = "4.4e-4 /MeV"

[experiment]
modes = ["neutrino"]
off_target = false

[simulation]
n_mesons = 3000
n_events = 100
seed = 3
"""


def test_cli_events_and_run_events(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(CONFIG)
    runner = CliRunner()
    ev = tmp_path / "ev.hepmc3"
    r = runner.invoke(app, ["events", str(cfg), "--output", str(ev), "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    info = json.loads(r.stdout)
    assert info["mode"] == "neutrino" and info["n_events"] == len(_read_hepmc(info["path"])) > 0
    assert info["n_sample"] == info["n_events"] + info["n_zero_weight_dropped"] and info["seed"] == 3
    run_info = read_events(ev).run_info
    assert run_info["NuHepMC.Provenance.darkbeam.seed"] == "3" and run_info["NuHepMC.Provenance.darkbeam.n_mesons"] == "3000"
    # an existing file is refused before any simulation, unless --overwrite
    t0 = time.perf_counter()
    r = runner.invoke(app, ["events", str(cfg), "--output", str(ev)])
    assert r.exit_code != 0 and isinstance(r.exception, InputError) and "--overwrite" in str(r.exception)
    assert time.perf_counter() - t0 < 2.0
    r = runner.invoke(app, ["events", str(cfg), "--output", str(ev), "--overwrite", "--unweight", "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    u = json.loads(r.stdout)
    assert 0 < u["unweighting_efficiency"] <= 1 and u["expected_events"] == pytest.approx(info["expected_events"])
    cvs = read_events(ev).columns["CV"]
    assert np.all(cvs == cvs[0])
    pq = tmp_path / "ev.parquet"
    r = runner.invoke(app, ["run", str(cfg), "--json", "--events", str(pq)])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    data = read_parquet(out["events_file"]["path"])
    # the file's weights are the run's neutrino-mode prediction
    assert data["columns"]["expected_events"].sum() == pytest.approx(out["modes"]["neutrino"]["signal_events"],
                                                                     rel=1e-12)
    assert data["metadata"]["pot"] == pytest.approx(out["modes"]["neutrino"]["pot"])
    r = runner.invoke(app, ["run", str(cfg), "--json", "--events", str(pq)])
    assert r.exit_code != 0 and isinstance(r.exception, InputError) and "--overwrite" in str(r.exception)
    r = runner.invoke(app, ["events", str(cfg), "--output", str(tmp_path / "ev.txt")])
    assert r.exit_code != 0 and isinstance(r.exception, InputError)
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = runner.invoke(app, ["events", str(cfg), "--output", str(blocker / "ev.parquet")])
    assert r.exit_code != 0 and isinstance(r.exception, InputError) and "folder" in str(r.exception)


def test_recoil_ids_missing_from_the_table_are_filled(samples):
    """A nucleus the particle table lacks (recoil PDG 0 in the sample, e.g. Cs133) gets its 10LZZZAAAI code
    from the event's target (Z, A of interactions.targets)."""
    s = samples["scalar"]
    coherent = s.particles["pdg_recoil"] == 1000060120
    assert np.any(coherent) and not np.all(coherent)
    parts = dict(s.particles, pdg_recoil=np.where(coherent, 0, s.particles["pdg_recoil"]))
    rec = event_record(dataclasses.replace(s, particles=parts, meta={}), keep_zero_weight=True)
    np.testing.assert_array_equal(rec.particle("recoil").pdg, s.particles["pdg_recoil"])
    np.testing.assert_array_equal(rec.particle("target").pdg, s.particles["pdg_recoil"])


def test_beam_proton_target_nucleus_follows_the_beam_and_never_stands_in():
    """The record's target nucleus is the beam's material (aluminium at the NuMI absorber, iron at the BNB dump);
    a material without a nucleus entry is an error, not a silent beryllium stand-in."""
    import dataclasses
    from types import SimpleNamespace

    from darkbeam.detectors.catalog import BEAMS
    from darkbeam.errors import InputError
    from darkbeam.io.event_record import beam_proton

    _, pdg, _ = beam_proton(SimpleNamespace(experiment="microboone-absorber", mode="stopped"), 2)
    assert pdg == 1000130270
    _, pdg, _ = beam_proton(SimpleNamespace(experiment="miniboone-dm", mode="off-target"), 2)
    assert pdg == 1000260560
    lujan = BEAMS.get("lanl-lujan")
    try:
        BEAMS._items["lanl-lujan"] = dataclasses.replace(lujan, target_material="Pb")
        with pytest.raises(InputError, match="Pb"):
            beam_proton(SimpleNamespace(experiment="ccm", mode="stopped"), 2)
    finally:
        BEAMS._items["lanl-lujan"] = lujan
