"""Event files (io/events.py): HepMC3 read back with pyhepmc (momenta, PDG ids, weights, four-momentum
conservation at every vertex, agreement with a per-event pyhepmc writer), vertex sampling (uniform in the
detector sphere), Parquet round trip with metadata, empty samples, bad suffixes, the CLI."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.io.events import (
    interaction_vertices,
    read_parquet,
    write_events,
    write_hepmc3,
    write_hepmc3_pyhepmc,
    write_parquet,
)
from darkbeam.models import get_model
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
                               meta={})


@pytest.fixture(scope="module")
def samples():
    kw = {"experiment": "miniboone", "mode": "neutrino", "seed": 7}
    return {
        "scalar": _small(build_signal(get_model("muphilic-scalar", SCALAR), n_mesons=4000, n_events=150, **kw)),
        "idm": _small(build_signal(get_model("vector-idm", IDM), n_mesons=4000, n_events=150, **kw)),
        "dn": _small(build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=60, **kw)),
    }


def _attr(a) -> str:
    return a.astype(str) if hasattr(a, "astype") else str(a)


def _read_hepmc(path):
    """Per event: weight, particles (pdg, status, E, px, py, pz), vertices (in/out four-momentum sums, position)."""
    out = []
    with pyhepmc.open(path) as f:
        for ev in f:
            assert ev.momentum_unit == pyhepmc.Units.MEV and ev.length_unit == pyhepmc.Units.MM
            parts = [(p.pid, p.status, p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz)
                     for p in ev.particles]
            verts = []
            for v in ev.vertices:
                pin = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_in], 0)
                pout = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_out], 0)
                verts.append((pin, pout, np.array([v.position.x, v.position.y, v.position.z, v.position.t])))
            out.append({"w": list(ev.weights), "parts": parts, "verts": verts,
                        "source": _attr(ev.attributes["source"]), "target": _attr(ev.attributes["target"]),
                        "meta": json.loads(_attr(ev.run_info.attributes["darkbeam_metadata"]))})
    return out


@pytest.mark.parametrize("name", ["scalar", "idm", "dn"])
def test_hepmc3_reads_back(samples, name, tmp_path):
    s = samples[name]
    path = write_hepmc3(s, tmp_path / f"{name}.hepmc3", pot=POT, rng=np.random.default_rng(1))
    events = _read_hepmc(str(path))
    n = len(s.E_vis)
    assert len(events) == n > 0
    w = s.weights(None, POT)
    # weights are written as shortest round-trip decimals: exact
    assert np.array_equal([e["w"][0] for e in events], w)
    P = s.particles
    for i, ev in enumerate(events):
        pdgs = [p[0] for p in ev["parts"]]
        status = [p[1] for p in ev["parts"]]
        mom = {p[0]: np.array(p[2:]) for p in ev["parts"] if p[1] in (1, 2)}
        assert pdgs[0] == P["pdg_in"][i] and pdgs[1] == P["pdg_recoil"][i] and status[:2] == [4, 4]
        np.testing.assert_array_equal(np.array(ev["parts"][0][2:]), P["p4_in"][i])
        for role in ("vis1", "vis2", "inv", "mid"):
            if f"pdg_{role}" in P and P[f"pdg_{role}"][i] != 0:
                np.testing.assert_array_equal(mom[P[f"pdg_{role}"][i]], P[f"p4_{role}"][i])
        n_final = sum(P[f"pdg_{r}"][i] != 0 for r in ("vis1", "vis2", "recoil", "inv"))
        assert status.count(1) == n_final
        assert ev["source"] == str(s.source[i]) and ev["target"] == str(s.target[i])
        # four-momentum conservation at every vertex (generators conserve it to ~1e-13 relative)
        for pin, pout, _ in ev["verts"]:
            np.testing.assert_allclose(pout, pin, rtol=0, atol=1e-10 * pin[0])
    assert events[0]["meta"]["pot"] == POT and events[0]["meta"]["model"]["name"] == s.model.name
    if name == "dn":  # two vertices: upscattering at x_int, decay at x_dec with c t = L / β
        x0 = np.array([e["verts"][0][2][:3] for e in events])
        x1 = np.array([e["verts"][1][2] for e in events])
        np.testing.assert_array_equal(x0, P["x_int"])
        np.testing.assert_array_equal(x1[:, :3], P["x_dec"])
        p = np.linalg.norm(P["p4_mid"][:, 1:], axis=1)
        np.testing.assert_allclose(x1[:, 3], np.linalg.norm(P["x_dec"] - P["x_int"], axis=1) * P["p4_mid"][:, 0] / p,
                                   rtol=1e-12)
        assert np.all(x1[:, 3] >= np.linalg.norm(P["x_dec"] - P["x_int"], axis=1))  # causal: c t >= L


@pytest.mark.parametrize("name", ["scalar", "dn"])
def test_hepmc3_matches_per_event_pyhepmc_writer(samples, name, tmp_path):
    """The vectorised text and pyhepmc's own writer (one GenEvent per event) describe the same events."""
    s = samples[name]
    fast = _read_hepmc(str(write_hepmc3(s, tmp_path / "a.hepmc3", pot=POT, rng=np.random.default_rng(3))))
    slow = _read_hepmc(str(write_hepmc3_pyhepmc(s, tmp_path / "b.hepmc", pot=POT, rng=np.random.default_rng(3))))
    assert len(fast) == len(slow) == len(s.E_vis)
    for a, b in zip(fast, slow):
        assert a["w"] == pytest.approx(b["w"], rel=1e-15)
        assert [p[:2] for p in a["parts"]] == [p[:2] for p in b["parts"]]
        np.testing.assert_allclose([p[2:] for p in a["parts"]], [p[2:] for p in b["parts"]], rtol=1e-15, atol=1e-12)
        np.testing.assert_allclose([v[2] for v in a["verts"]], [v[2] for v in b["verts"]], rtol=1e-15)


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


@pytest.mark.parametrize("name", ["scalar", "idm", "dn"])
def test_parquet_round_trip(samples, name, tmp_path):
    s = samples[name]
    other = s.model.replace(**({"g_n": 2 * s.model.g_n} if name == "scalar" else {}))
    path = write_parquet(s, tmp_path / f"{name}.parquet", model=other, pot=POT)
    data = read_parquet(path)
    c, meta = data["columns"], data["metadata"]
    n = len(s.E_vis)
    assert len(c["event"]) == n
    for obs in ("E_vis", "cos_theta", "E_QE"):
        np.testing.assert_array_equal(c[obs], getattr(s, obs))
    np.testing.assert_array_equal(c["weight"], s.weights(other, POT))
    if name == "scalar":  # detection ∝ (g_n λ)²; g_n does not enter the (π/K → μνφ) production or the width
        np.testing.assert_allclose(c["weight"], 4 * s.weights(None, POT), rtol=1e-12)
    assert list(c["source"]) == list(s.source) and list(c["target"]) == list(s.target)
    for role in ("in", "vis1", "vis2", "recoil", "inv") + (("mid",) if name == "dn" else ()):
        got = np.stack([c[f"{role}_{k}"] for k in ("E", "px", "py", "pz")], axis=1)
        np.testing.assert_array_equal(got, s.particles[f"p4_{role}"])
        np.testing.assert_array_equal(c[f"{role}_pdg"], s.particles[f"pdg_{role}"])
    assert meta["model"]["name"] == s.model.name
    assert meta["model"]["parameters"] == json.loads(json.dumps(other.values))
    assert meta["pot"] == POT and meta["experiment"] == "miniboone" and meta["mode"] == "neutrino"
    assert meta["units"]["energy"] == "MeV" and "darkbeam_version" in meta and meta["n_events"] == n
    assert not list(tmp_path.glob(".*.part"))  # atomic write leaves nothing behind


def test_empty_sample_writes_valid_files(tmp_path):
    s = _empty(get_model("vector-idm", IDM), "miniboone", "neutrino", "a coupling is zero", "idm-upscattering")
    data = read_parquet(write_events(s, tmp_path / "e.parquet", pot=POT))
    assert len(data["columns"]["weight"]) == 0 and "vis1_pdg" in data["columns"]
    assert data["metadata"]["n_events"] == 0 and data["metadata"]["note"] == "a coupling is zero"
    for suffix in (".hepmc3", ".hepmc"):
        p = write_events(s, tmp_path / f"e{suffix}", pot=POT)
        assert _read_hepmc(str(p)) == []
        assert "HepMC::Asciiv3-END_EVENT_LISTING" in p.read_text()


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
    with pytest.raises(InputError, match="pot"):
        write_parquet(s, tmp_path / "x.parquet", pot=float("nan"))
    with pytest.raises(InputError):
        write_parquet(s, tmp_path / "x.parquet", model=s.model.replace(m_phi=2.0))  # masses fixed in a sample
    assert not (tmp_path / "x.parquet").exists() and not list(tmp_path.glob(".*.part"))


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
    r = runner.invoke(app, ["events", str(cfg), "--output", str(tmp_path / "ev.hepmc3"), "--json"])
    assert r.exit_code == 0, (r.output, r.exception)
    info = json.loads(r.stdout)
    assert info["mode"] == "neutrino" and info["n_events"] == len(_read_hepmc(info["path"])) > 0
    r = runner.invoke(app, ["run", str(cfg), "--json", "--events", str(tmp_path / "ev.parquet")])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    data = read_parquet(out["events_file"]["path"])
    # the file's weights are the run's neutrino-mode prediction
    assert data["columns"]["weight"].sum() == pytest.approx(out["modes"]["neutrino"]["signal_events"], rel=1e-12)
    assert data["metadata"]["pot"] == pytest.approx(out["modes"]["neutrino"]["pot"])
    r = runner.invoke(app, ["events", str(cfg), "--output", str(tmp_path / "ev.txt")])
    assert r.exit_code != 0 and isinstance(r.exception, InputError)
