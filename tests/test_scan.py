"""Scans (inference/scan.py, scan_table.py): grids over masses, couplings and experiments, the fit at every point,
re-weighting, Parquet tables written incrementally and resumed, progress, summary, `darkbeam scan`."""

from __future__ import annotations

import csv
import io
import json
import math
import os

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.errors import InputError
from darkbeam.inference.predict import Predictor
from darkbeam.inference.scan import (
    SCAN_BACKENDS,
    ScanProgress,
    asimov_significance,
    grid_axes,
    load_table,
    parse_grid,
    resolve_grid,
    scan,
)
from darkbeam.inference.scan_table import parts_dir, read_rows
from darkbeam.io.config import parse_config
from darkbeam.models import get_model

MODEL = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 1e-2,
         "lam": "4.4e-4 /MeV"}
SIM = {"n_mesons": 4000, "n_events": 400, "seed": 5}
FIT = {"parameter": "g_n", "bounds": [1e-6, 1.0], "masses": {"m_phi": ["1 MeV", "8 MeV"]}}
SKIP = {"worker", "seconds", "notes"}  # not numbers of the physics


def _cfg(**over):
    d = {"model": MODEL, "experiment": {"modes": ["neutrino"]}, "simulation": SIM, "fit": FIT}
    d.update(over)
    return parse_config(d)


@pytest.fixture(scope="module")
def cfg():
    return _cfg()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def serial_cold(cfg, tmp_path_factory):
    d = tmp_path_factory.mktemp("cold")
    return scan(cfg, backend="serial", cache=d), d


def _numbers(res):
    return [{k: v for k, v in p.items() if k not in SKIP} for p in res.points]


def test_parse_grid_and_errors():
    m = get_model("muphilic-scalar", {k: str(v) for k, v in MODEL.items() if k != "name"})
    g = parse_grid(["m_phi=1 MeV, 5 MeV,0.01 GeV", "m_zprime=10 MeV..1 GeV/3", "g_n=1e-4..3e-4/3:lin",
                    "lam=1e-4 /MeV..1e-2 /MeV/3:log", "zprime_current=em,u-quark", "experiment=miniboone,sbnd"], m)
    assert g["m_phi"] == [1.0, 5.0, 10.0]
    np.testing.assert_allclose(g["m_zprime"], [10.0, 100.0, 1000.0], rtol=1e-12)
    np.testing.assert_allclose(g["g_n"], [1e-4, 2e-4, 3e-4], rtol=1e-12)
    np.testing.assert_allclose(g["lam"], [1e-4, 1e-3, 1e-2], rtol=1e-12)
    assert g["zprime_current"] == ["em", "u-quark"] and g["experiment"] == ["miniboone", "sbnd"]
    kinds = {a.name: (a.kind, a.spacing, a.column) for a in grid_axes(_cfg(), ["m_phi=1 MeV..2 MeV/2:lin",
                                                                              "lam=1e-4 /MeV,2e-4 /MeV"])}
    assert kinds == {"m_phi": ("mass", "lin", "m_phi_MeV"), "lam": ("coupling", "list", "lam_per_MeV")}
    bad = {"m_phi=1,5": "missing unit", "g_n=1 MeV": "dimension dimensionless", "foo=1 MeV": "m_phi, m_zprime",
           "m_phi": "NAME=VALUES", "m_phi=": "comma-separated", "m_phi=1 MeV,,2 MeV": "comma-separated",
           "m_phi=1 MeV..2 MeV/1": "N >= 2", "m_phi=1 MeV..2 MeV/0": "no points", "m_phi=2 MeV..1 MeV/3": "LO < HI",
           "m_phi=1 MeV,1 MeV": "distinct", "m_phi=1 m": "dimension energy", "g_n=0..1e-2/3": "0 < LO",
           "zprime_current=quark": "em, u-quark", "experiment=nowhere": "miniboone", "experiment=": "no points",
           "m_phi=1 MeV..2 MeV/x": "LO..HI/N"}
    for spec, msg in bad.items():
        with pytest.raises(InputError, match=msg):
            parse_grid([spec], m)
    with pytest.raises(InputError, match="each parameter once"):
        parse_grid(["m_phi=1 MeV", "m_phi=2 MeV"], m)
    cfg = _cfg(fit={"parameter": "g_n"})
    with pytest.raises(InputError, match="a grid"):
        resolve_grid(cfg)
    assert resolve_grid(cfg, {"m_zprime": [30, 40]}) == {"m_zprime": [30.0, 40.0]}
    with pytest.raises(InputError, match="grid parameter"):
        resolve_grid(cfg, {"bogus": [1.0]})
    with pytest.raises(InputError, match="no points"):
        resolve_grid(cfg, {"m_phi": []})
    idm = parse_config({"model": {"name": "vector-idm"}, "fit": {"parameter": "eps1"}})
    with pytest.raises(InputError, match=r"grid point \(m_chi = 10 MeV\): vector-idm.m_v1"):
        scan(idm, ["m_chi=8 MeV,10 MeV"])  # V1 → χχ closed at the second point: fails before any work
    with pytest.raises(InputError, match="g_e = 0.0"):  # no reference to re-weight from
        scan(cfg, ["g_e=1e-4,1e-3"], cache=None)
    with pytest.raises(InputError, match="scan backend"):
        scan(cfg, ["m_phi=1 MeV"], backend="threads")
    with pytest.raises(InputError, match="workers"):
        scan(cfg, ["m_phi=1 MeV"], backend="dask", workers=0)
    priors = {"m_phi": {"dist": "uniform", "min": "20 MeV", "max": "30 MeV"}}
    with pytest.raises(InputError, match=r"\[priors\].*exclude the whole grid"):
        scan(_cfg(priors=priors), ["m_phi=1 MeV,5 MeV"], cache=None)
    with pytest.raises(InputError, match="--grid experiment"):  # the stopped-pion source runs no BNB mode
        scan(cfg, ["experiment=miniboone,ccm"], cache=None)
    assert {"serial", "dask", "dask-distributed", "local"} <= set(SCAN_BACKENDS.names())


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
        c2 = pred.chi2(m, 2)
        assert c2.chi2 == pytest.approx(p["chi2"], rel=1e-10)
        assert p["chi2_neutrino_E_vis"] == pytest.approx(c2.parts["neutrino/E_vis"][0], rel=1e-10)
        assert p["delta_chi2"] == pytest.approx(p["chi2"] - res.chi2_min, abs=1e-12)
        for f in (0.9, 1.1):  # a minimum in the coupling (MIGRAD tolerance ~1e-4 in χ²)
            assert pred.chi2(m.replace(g_n=f * p["value"]), 2).chi2 >= p["chi2"] - 1e-3
        assert p["g_n_lo68"] < p["value"] < p["g_n_hi68"]
        assert p["coupling_product"] == pytest.approx(5e-3 * p["value"] * 4.4e-4, rel=1e-12)
        assert p["signal_events"]["neutrino"] == pytest.approx(pred.totals(m)["neutrino"]["all"], rel=1e-12)
        assert p["off_target_events"] == pytest.approx(pred.off_target(m)["signal_events"], rel=1e-12)
        assert p["status"] == "fit" and p["worker"].endswith(f":{os.getpid()}")
    assert res.cache_stats() == {"hits": 0, "misses": 4, "rejected": 0}  # neutrino + off-target per mass


def test_dask_backend_and_warm_cache_give_the_same_numbers(cfg, serial_cold):
    res, cache_dir = serial_cold
    dsk = scan(cfg, backend="dask", workers=2, cache=None)  # workers generate their own samples: same seed
    assert dsk.backend == "dask" and dsk.workers == 2 and dsk.cache_stats() is None
    assert all(not p["worker"].endswith(f":{os.getpid()}") for p in dsk.points)  # ran in worker processes
    warm = scan(cfg, backend="serial", cache=cache_dir)
    assert warm.cache_stats() == {"hits": 4, "misses": 0, "rejected": 0}
    assert _numbers(dsk) == _numbers(res) == _numbers(warm)


def test_coupling_axes_reweight_one_sample_per_mass(cache_dir):
    cfg = _cfg(experiment={"modes": ["neutrino"], "off_target": False})
    res = scan(cfg, ["m_phi=1 MeV,8 MeV", "g_n=1e-4..1e-2/5", "g_mu=2e-3,5e-3"], backend="serial", cache=cache_dir)
    assert len(res.points) == 20 and res.parameter is None  # g_n gridded: evaluated, not fitted
    assert res.cache_stats()["misses"] + res.cache_stats()["hits"] == 2  # one sample per mass point
    assert {p["task"] for p in res.points} == {0, 1}
    pred = Predictor(cfg)
    for p in res.points[::3]:
        m = pred.model.replace(m_phi=p["point"]["m_phi"], g_n=p["point"]["g_n"], g_mu=p["point"]["g_mu"])
        assert p["chi2"] == pytest.approx(pred.chi2(m, 3).chi2, rel=1e-10)  # ndof: 3 scanned axes
        assert p["signal_neutrino"] == pytest.approx(pred.totals(m)["neutrino"]["all"], rel=1e-10)
        assert p["ndof"] == pred.chi2(m, 3).ndof
    # the signal scales as g_n² exactly (detection coupling; g_mu also changes the lifetime)
    a, b = res.points[0], res.points[2]  # g_n 1e-4 → 10^-3.5 at the same g_mu
    assert b["signal_total"] / a["signal_total"] == pytest.approx(10.0, rel=1e-9)
    assert res.points[1]["signal_total"] / a["signal_total"] == pytest.approx(6.25, rel=2e-3)  # g_mu², ~
    _, _, d = res.delta_chi2_grid()
    assert d.shape == (2, 5) and np.nanmin(d) == 0.0  # g_mu profiled away


def test_experiment_axis_signal_only_and_significance(cache_dir):
    cfg = _cfg(experiment={"modes": ["neutrino", "antineutrino"], "off_target": True})
    res = scan(cfg, ["experiment=miniboone,sbnd", "m_phi=1 MeV"], backend="serial", cache=cache_dir,
               background={"sbnd": 4.0})
    mb, sb = res.points
    assert mb["experiment"] == "miniboone" and mb["chi2"] > 0 and mb["value"] > 0  # g_n fitted at MiniBooNE
    assert sb["experiment"] == "sbnd" and sb.get("chi2") is None and sb["value"] is None
    assert "signal_antineutrino" not in sb or sb["signal_antineutrino"] is None  # SBND runs neutrino mode only
    sbnd = parse_config({"model": MODEL, "experiment": {"name": "sbnd", "modes": ["neutrino"], "off_target": False},
                         "simulation": SIM})
    tot = Predictor(sbnd).totals()["neutrino"]["all"]
    assert sb["signal_neutrino"] == pytest.approx(tot, rel=1e-12)
    assert sb["significance"] == pytest.approx(asimov_significance(tot, 4.0), rel=1e-12)
    assert asimov_significance(10.0, 1e6) == pytest.approx(10.0 / 1e3, rel=1e-4)  # s/sqrt(b) for s << b
    assert asimov_significance(1.0, None) is None
    summ = res.summary()
    assert summ["best"]["sbnd"]["significance"] == sb["significance"] and "chi2" in summ["best"]["miniboone"]
    # SBND alone: no dataset, no fit; a scan there works (it used to fail with "invalid experiment for fit")
    only = scan(sbnd, ["m_phi=1 MeV,8 MeV"], backend="serial", cache=cache_dir)
    assert [p["status"] for p in only.points] == ["ok", "ok"] and only.chi2_min is None
    assert only.summary()["best"]["sbnd"]["note"].startswith("no background")


def test_parquet_table_resume_and_refusals(cfg, tmp_path, cache_dir):
    grid = ["m_phi=1 MeV..8 MeV/3", "g_n=1e-4,1e-3"]
    full = scan(cfg, grid, backend="serial", cache=cache_dir, output=tmp_path / "full.parquet")
    rows, meta = read_rows(tmp_path / "full.parquet")
    assert meta["complete"] and len(rows) == 6 and not parts_dir(tmp_path / "full.parquet").exists()
    assert [r["delta_chi2"] for r in rows] == [p["delta_chi2"] for p in full.points]
    df = pd.read_parquet(tmp_path / "full.parquet")
    assert {"m_phi_MeV", "g_n", "chi2", "chi2_neutrino_E_vis", "signal_neutrino", "signal_neutrino_E_vis",
            "status", "off_target_events"} <= set(df.columns)
    # a scan killed after its first task: the finished task is on disk, the rest resumes
    out = tmp_path / "k.parquet"
    seen = []

    def die_after_first(result):
        seen.append(result["task"])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scan(cfg, grid, backend="serial", cache=cache_dir, output=out, on_result=die_after_first)
    assert len(read_rows(out)[0]) == 2 and not read_rows(out)[1]["complete"]  # one mass point: 2 couplings
    with pytest.raises(InputError, match="--resume"):  # never overwritten without --resume
        scan(cfg, grid, backend="serial", cache=cache_dir, output=out)
    ran = []
    res = scan(cfg, grid, backend="serial", cache=cache_dir, output=out, resume=True,
               on_result=lambda r: ran.append(r["task"]))
    assert sorted(ran) == [1, 2] and res.resumed_points == 2
    assert _numbers(res) == _numbers(full)
    assert _numbers(load_table(out)) == [{k: v for k, v in p.items() if k != "_fit_column"}
                                         | {"_fit_column": None} for p in _numbers(full)]
    # another config or another grid: detected by hashes
    with pytest.raises(InputError, match="config hash"):
        scan(_cfg(simulation={**SIM, "seed": 6}), grid, backend="serial", output=out, resume=True)
    with pytest.raises(InputError, match="grid/options hash"):
        scan(cfg, ["m_phi=1 MeV..8 MeV/4", "g_n=1e-4,1e-3"], backend="serial", output=out, resume=True)
    # a corrupted table is reported and left alone
    bad = tmp_path / "bad.parquet"
    blob = (tmp_path / "full.parquet").read_bytes()[:-40]
    bad.write_bytes(blob)
    with pytest.raises(InputError, match="corrupted"):
        scan(cfg, grid, backend="serial", output=bad, resume=True)
    assert bad.read_bytes() == blob
    with pytest.raises(InputError, match="--resume"):
        scan(cfg, grid, backend="serial", output=tmp_path / "x.csv", resume=True)


def test_outputs_json_csv_plots_and_summary(cfg, serial_cold, tmp_path, cache_dir):
    res, _ = serial_cold
    j = json.loads(res.write(tmp_path / "s.json").read_text())
    assert j["parameter"] == "g_n" and j["axes"]["m_phi"]["values"] == [1.0, 8.0]
    assert j["chi2_min"] == res.chi2_min and len(j["points"]) == 2 and j["config_hash"]
    with res.write(tmp_path / "s.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["chi2"]) for r in rows] == [p["chi2"] for p in res.points]  # repr floats read back exactly
    assert {"m_phi_MeV", "g_n", "coupling_product", "delta_chi2", "signal_neutrino"} <= set(rows[0])
    assert res.plot(tmp_path / "s1.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InputError, match="suffix"):
        res.write(tmp_path / "s.txt")
    res2 = scan(cfg, {"m_phi": [1.0, 3.0, 8.0], "m_zprime": [30.0, 49.0]}, backend="serial", cache=cache_dir)
    names, _, d = res2.delta_chi2_grid()
    assert names == ["m_phi", "m_zprime"] and d.shape == (3, 2) and d.min() == 0.0
    assert res2.points[0]["ndof"] == res.points[0]["ndof"] - 1
    assert math.isclose(d[0, 1], res2.points[1]["delta_chi2"])  # last axis fastest
    assert res2.plot(tmp_path / "s2.png").stat().st_size > 1000
    summ = res2.summary()
    b = summ["best"]["miniboone"]
    lo, hi = b["fitted"]["interval_68"]
    assert lo < b["fitted"]["value"] < hi and set(b["intervals_68"]) == {"m_phi", "m_zprime"}
    i = [1.0, 3.0, 8.0].index(b["point"]["m_phi"])
    assert any("edge of the grid in m_phi" in w for w in summ["warnings"]) == (i in (0, 2))


def test_progress_lines_without_a_terminal():
    buf = io.StringIO()
    p = ScanProgress(10, done=2, stream=buf, interval=0.0)
    p.update(3)
    p.close()
    lines = buf.getvalue().strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("scan: 5/10 points (50 %)") and "ETA" in lines[0]
    assert "points/s" in lines[-1]
    quiet = io.StringIO()
    q = ScanProgress(10, stream=quiet, enabled=False)
    q.update(10)
    q.close()
    assert quiet.getvalue() == ""


CONFIG = """
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
[priors]
m_phi = { dist = "log-uniform", min = "0.5 MeV", max = "10 MeV" }
"""


def test_cli_scan(tmp_path, monkeypatch):
    p = tmp_path / "c.toml"
    p.write_text(CONFIG)
    monkeypatch.setenv("DARKBEAM_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    args = ["scan", str(p), "--grid", "m_phi=1 MeV,8 MeV,20 MeV", "--backend", "serial"]
    r = runner.invoke(app, [*args, "--json", "-o", str(tmp_path / "o.parquet"), "--plot", str(tmp_path / "o.png")])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    assert out["cache"]["directory"] == str(tmp_path / "cache") and out["cache"]["misses"] == 2
    assert [q["point"]["m_phi"] for q in out["points"]] == [1.0, 8.0]  # 20 MeV: outside the prior
    assert all(q["off_target_events"] is None and q["log_prior"] == pytest.approx(-math.log(q["point"]["m_phi"]))
               for q in out["points"])  # log-uniform prior density 1/m
    assert (tmp_path / "o.parquet").is_file() and (tmp_path / "o.png").is_file()
    r = runner.invoke(app, [*args, "-o", str(tmp_path / "o.parquet"), "--resume"])
    assert r.exit_code == 0 and "2 resumed" in r.stdout and "best at miniboone" in r.stdout, r.output
    r = runner.invoke(app, [*args, "--no-cache"])
    assert r.exit_code == 0 and "cache" not in r.stdout.splitlines()[-1]
    for extra, msg in [(["--grid", "m_phi=1,8"], "missing unit"), (["--grid", "g_x=1"], "g_x"),
                       (["--grid", "m_phi=1 MeV", "-o", "x.txt"], "suffix"),
                       (["--grid", "m_phi=1 MeV", "--resume"], "--resume"),
                       (["--grid", "m_phi=1 MeV", "--cache", "d", "--no-cache"], "not both"),
                       (["--grid", "m_phi=1 MeV", "--background", "x"], "--background"),
                       (["--grid", "m_phi=1 MeV", "-o", str(tmp_path / "o.parquet")], "--resume")]:
        r = runner.invoke(app, ["scan", str(p), *extra])
        assert r.exit_code != 0 and msg in str(r.exception), (extra, r.exception)
