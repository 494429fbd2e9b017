"""Mass-grid scans (inference/scan.py): grids, backends, cache reuse, outputs, `darkbeam scan`."""

from __future__ import annotations

import csv
import json
import math
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.errors import InputError
from darkbeam.inference.predict import Predictor
from darkbeam.inference.scan import SCAN_BACKENDS, parse_grid, resolve_grid, scan
from darkbeam.io.config import parse_config
from darkbeam.models import get_model

MODEL = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 1e-2,
         "lam": "4.4e-4 /MeV"}
SIM = {"n_mesons": 4000, "n_events": 400, "seed": 5}
FIT = {"parameter": "g_n", "bounds": [1e-6, 1.0], "masses": {"m_phi": ["1 MeV", "8 MeV"]}}


def _cfg(**over):
    d = {"model": MODEL, "experiment": {"modes": ["neutrino"]}, "simulation": SIM, "fit": FIT}
    d.update(over)
    return parse_config(d)


@pytest.fixture(scope="module")
def cfg():
    return _cfg()


@pytest.fixture(scope="module")
def serial_cold(cfg, tmp_path_factory):
    d = tmp_path_factory.mktemp("cache")
    return scan(cfg, backend="serial", cache=d), d


def _numbers(res):
    return [(p["point"], p["value"], p["coupling_product"], p["chi2"], p["delta_chi2"], p["signal_events"],
             p["off_target_events"]) for p in res.points]


def test_parse_grid_and_errors():
    m = get_model("muphilic-scalar", {k: str(v) for k, v in MODEL.items() if k != "name"})
    g = parse_grid(["m_phi=1 MeV, 5 MeV,0.01 GeV", "m_zprime=10 MeV..1 GeV/3"], m)
    assert g["m_phi"] == [1.0, 5.0, 10.0]
    np.testing.assert_allclose(g["m_zprime"], [10.0, 100.0, 1000.0], rtol=1e-12)
    bad = {"m_phi=1,5": "missing unit", "g_n=1 MeV": "couplings are fitted", "foo=1 MeV": "m_phi, m_zprime",
           "m_phi": "NAME=VALUES", "m_phi=": "comma-separated", "m_phi=1 MeV,,2 MeV": "comma-separated",
           "m_phi=1 MeV..2 MeV/1": "N >= 2", "m_phi=2 MeV..1 MeV/3": "LO < HI", "m_phi=1 MeV,1 MeV": "distinct",
           "m_phi=1 m": "dimension energy", "zprime_current=1 MeV": "mass"}
    for spec, msg in bad.items():
        with pytest.raises(InputError, match=msg):
            parse_grid([spec], m)
    with pytest.raises(InputError, match="each parameter once"):
        parse_grid(["m_phi=1 MeV", "m_phi=2 MeV"], m)
    cfg = _cfg(fit={"parameter": "g_n"})
    with pytest.raises(InputError, match="grid of masses"):
        resolve_grid(cfg)
    assert resolve_grid(cfg, {"m_zprime": [30, 40]}) == {"m_zprime": [30.0, 40.0]}
    with pytest.raises(InputError, match="grid parameter"):
        resolve_grid(cfg, {"lam": [1.0]})
    idm = parse_config({"model": {"name": "vector-idm"}, "fit": {"parameter": "eps1"}})
    with pytest.raises(InputError, match=r"grid point \(m_chi = 10 MeV\): vector-idm.m_v1"):
        scan(idm, ["m_chi=8 MeV,10 MeV"])  # V1 → χχ closed at the second point: fails before any work
    with pytest.raises(InputError, match="scan backend"):
        scan(cfg, ["m_phi=1 MeV"], backend="threads")
    with pytest.raises(InputError, match="workers"):
        scan(cfg, ["m_phi=1 MeV"], backend="dask", workers=0)
    with pytest.raises(InputError, match="fit.parameter"):
        scan(_cfg(fit={}), ["m_phi=1 MeV"])
    assert {"serial", "dask", "dask-distributed"} <= set(SCAN_BACKENDS.names())


def test_scan_equals_predictor_fit_and_is_a_minimum(cfg, serial_cold):
    res, _ = serial_cold
    assert [p["point"] for p in res.points] == [{"m_phi": 1.0}, {"m_phi": 8.0}]
    # Predictor.fit over the same [fit].masses grid: same code path, same numbers, same ndof
    best = Predictor(cfg).fit()
    assert res.best["chi2"] == pytest.approx(best.chi2, rel=1e-12)
    assert res.best["value"] == pytest.approx(best.value, rel=1e-12)
    assert res.best["ndof"] == best.ndof and [s["chi2"] for s in best.scan] == pytest.approx(
        [p["chi2"] for p in res.points], rel=1e-12)
    assert min(p["delta_chi2"] for p in res.points) == 0.0
    pred = Predictor(cfg)  # independent evaluation: fresh in-memory samples, χ² at the reported coupling
    for p in res.points:
        m = pred.model.replace(**p["point"], g_n=p["value"])
        assert pred.chi2(m, 2).chi2 == pytest.approx(p["chi2"], rel=1e-10)
        assert p["delta_chi2"] == pytest.approx(p["chi2"] - res.chi2_min, abs=1e-12)
        # a minimum in the coupling: ±10 % is not better (MIGRAD tolerance ~1e-4 in χ²)
        for f in (0.9, 1.1):
            assert pred.chi2(m.replace(g_n=f * p["value"]), 2).chi2 >= p["chi2"] - 1e-3
        assert p["coupling_product"] == pytest.approx(5e-3 * p["value"] * 4.4e-4, rel=1e-12)
        assert p["signal_events"]["neutrino"] == pytest.approx(pred.totals(m)["neutrino"]["all"], rel=1e-12)
        assert p["off_target_events"] == pytest.approx(pred.off_target(m)["signal_events"], rel=1e-12)
        assert p["cache"]["misses"] == 2 and p["cache"]["hits"] == 0  # neutrino + off-target samples built


def test_dask_backend_and_warm_cache_give_the_same_numbers(cfg, serial_cold):
    res, cache_dir = serial_cold
    # dask workers generate their own samples (no cache): same seed → the same numbers, bit for bit
    dsk = scan(cfg, backend="dask", workers=2, cache=None)
    assert dsk.backend == "dask" and dsk.workers == 2 and dsk.cache_stats() is None
    assert all(p["worker_pid"] != os.getpid() for p in dsk.points)  # ran in worker processes
    assert all(p["worker_pid"] == os.getpid() for p in res.points)
    warm = scan(cfg, backend="serial", cache=cache_dir)
    assert warm.cache_stats() == {"hits": 4, "misses": 0, "rejected": 0}
    assert _numbers(dsk) == _numbers(res) == _numbers(warm)


def test_outputs_json_csv_and_plots(cfg, serial_cold, tmp_path):
    res, cache_dir = serial_cold
    j = json.loads(res.write(tmp_path / "s.json").read_text())
    assert j["parameter"] == "g_n" and j["axes"]["m_phi"]["values"] == [1.0, 8.0]
    assert j["chi2_min"] == res.chi2_min and len(j["points"]) == 2 and j["cache"]["misses"] == 4
    with res.write(tmp_path / "s.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["chi2"]) for r in rows] == [p["chi2"] for p in res.points]  # repr floats read back exactly
    assert set(rows[0]) >= {"m_phi[MeV]", "g_n", "coupling_product[g_mu*g_n*lam]", "delta_chi2",
                            "signal_events_neutrino", "off_target_events"}
    assert res.plot(tmp_path / "s1.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InputError, match="suffix"):
        res.write(tmp_path / "s.txt")
    # 2D grid: Δχ² map; ndof counts the scanned axes
    res2 = scan(cfg, {"m_phi": [1.0, 8.0], "m_zprime": [30.0, 49.0]}, cache=cache_dir)
    names, _, d = res2.delta_chi2_grid()
    assert names == ["m_phi", "m_zprime"] and d.shape == (2, 2) and d.min() == 0.0
    assert res2.points[0]["ndof"] == res.points[0]["ndof"] - 1
    assert math.isclose(d[0, 1], res2.points[1]["delta_chi2"])  # last axis fastest
    assert res2.plot(tmp_path / "s2.png").stat().st_size > 1000


def test_cli_scan(tmp_path, monkeypatch):
    p = tmp_path / "c.toml"
    p.write_text("""
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-2
lam = "4.4e-4 /MeV"
[experiment]
modes = ["neutrino"]
off_target = false
[simulation]
n_mesons = 4000
n_events = 400
seed = 5
[fit]
parameter = "g_n"
bounds = [1e-6, 1.0]
""")
    monkeypatch.setenv("DARKBEAM_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    r = runner.invoke(app, ["scan", str(p), "--grid", "m_phi=1 MeV,8 MeV", "--json", "-o", str(tmp_path / "o.csv"),
                            "--plot", str(tmp_path / "o.png")])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    assert out["cache"]["directory"] == str(tmp_path / "cache") and out["cache"]["misses"] == 2
    assert all(q["off_target_events"] is None for q in out["points"])
    assert (tmp_path / "o.csv").is_file() and (tmp_path / "o.png").is_file()
    r = runner.invoke(app, ["scan", str(p), "--grid", "m_phi=1 MeV,8 MeV", "--no-cache"])
    assert r.exit_code == 0 and "cache" not in r.stdout.splitlines()[-1]
    for args, msg in [(["--grid", "m_phi=1,8"], "missing unit"), (["--grid", "g_mu=1 MeV"], "mass"),
                      ([], "grid of masses"), (["--grid", "m_phi=1 MeV", "-o", "x.txt"], "suffix"),
                      (["--grid", "m_phi=1 MeV", "--cache", "d", "--no-cache"], "not both")]:
        r = runner.invoke(app, ["scan", str(p), *args])
        assert r.exit_code != 0 and msg in str(r.exception), (args, r.exception)
