"""`darkbeam predict`: one model point at several experiments, with reasons for every zero."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from darkbeam.inference.multi_experiment import default_modes, predict_experiments
from darkbeam.inference.predict import Predictor
from darkbeam.io.config import parse_config

CFG = {"model": {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3,
                 "g_n": 6e-4, "lam": "4.4e-4 /MeV"},
       "simulation": {"n_mesons": 20000, "n_events": 2000, "seed": 5}}


def test_each_experiment_in_its_own_modes_with_reasons():
    res = predict_experiments(parse_config(CFG), ["miniboone", "microboone", "ccm"])
    rows = {r["experiment"]: r for r in res["experiments"]}
    assert list(rows["miniboone"]["modes"]) == ["neutrino", "antineutrino"] == default_modes("miniboone")
    assert list(rows["microboone"]["modes"]) == ["neutrino"]
    assert "chi2" in rows["miniboone"] and "chi2" not in rows["microboone"]  # data only where packaged
    # stopped-pion sources run in their own mode (the beam declares source = "stopped")
    assert rows["ccm"]["status"] == "predicted" and list(rows["ccm"]["modes"]) == ["stopped"]
    # the same numbers as a prediction configured for that experiment alone
    one = Predictor(parse_config({**CFG, "experiment": {"name": "microboone", "modes": ["neutrino"],
                                                         "off_target": False}})).predict()
    assert rows["microboone"]["signal_events"] == pytest.approx(one["signal_events"], rel=1e-12)


def test_zero_signal_carries_its_reason():
    cfg = {**CFG, "model": {**CFG["model"], "m_phi": "200 MeV"}}  # no π/K decays to a 200 MeV scalar + μ
    res = predict_experiments(parse_config(cfg), ["microboone"])
    m = res["experiments"][0]["modes"]["neutrino"]
    assert m["signal_events"] == 0 and "decays before it reaches the detector" in m["reason"]


def test_cli_predict_json_and_bad_input():
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "predict", "--experiments", "sbnd,dune-nd",
                        "--n-mesons", "20000", "--n-events", "1000", "--json"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [e["experiment"] for e in out["experiments"]] == ["sbnd", "dune-nd"]
    assert out["experiments"][1]["status"] in ("predicted", "not runnable")
    assert out["experiments"][1]["status"] == "predicted" or out["experiments"][1]["reason"]
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "predict", "--experiments", "nosuch"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "nosuch" in r.stderr and "Traceback" not in r.stderr
