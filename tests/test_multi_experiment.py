"""`darkbeam predict`: one model point at several experiments, with reasons for every zero."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from darkbeam.errors import InputError
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


def test_cli_predict_json_and_bad_input(tmp_path):
    cmd = [sys.executable, "-m", "darkbeam.cli", "predict", "--experiments", "sbnd,dune-nd", "--n-mesons", "20000",
           "--n-events", "1000", "--json", "--cache", str(tmp_path)]
    r = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["cache"]["samples_generated"] == 2 and out["cache"]["samples_loaded"] == 0
    # a second call reads both samples from the cache and gives the same numbers
    again = json.loads(subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300).stdout)
    assert again["cache"] == {**out["cache"], "samples_generated": 0, "samples_loaded": 2}
    assert again["experiments"] == out["experiments"]
    assert [e["experiment"] for e in out["experiments"]] == ["sbnd", "dune-nd"]
    assert out["experiments"][1]["status"] == "predicted"  # dune-nd has a response (DUNE CDR parametrisation)
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "predict", "--experiments", "nosuch"],
                       check=False, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "nosuch" in r.stderr and "Traceback" not in r.stderr


def test_cli_predict_defaults_to_the_configs_experiment(tmp_path):
    """Without --experiments, `darkbeam predict CONFIG` predicts at the config's [experiment] (here the τ-chain HNL
    example at dune-nd), as its --help says."""
    cfg = Path(__file__).resolve().parents[1] / "examples" / "hnl_tau_dune.toml"
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "predict", str(cfg), "--n-mesons", "3000", "--n-events",
                        "300", "--json", "--no-cache"], check=False, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [e["experiment"] for e in out["experiments"]] == ["dune-nd"]
    assert out["experiments"][0]["modes"]["neutrino"]["signal_events"] > 0


def test_lartpc_selections_carry_background_and_significance():
    from darkbeam.detectors.backgrounds import background

    res = predict_experiments(parse_config(CFG), ["microboone", "ccm"])
    ub, ccm = res["experiments"]
    m = ub["modes"]["neutrino"]
    sel = m["selections"]
    # dark Primakoff: single photons only, so 1γ0p + 1γ1p hold the whole signal
    assert sel["1g0p"]["signal"] + sel["1g1p"]["signal"] == pytest.approx(m["signal_events"], rel=1e-12)
    assert sel["1g0p"]["signal"] > sel["1g1p"]["signal"] > 0  # coherent on argon: mostly no proton
    assert sel["1g0p"]["background"] == pytest.approx(background("microboone", "1g0p").per_pot * m["pot"], rel=1e-12)
    assert sel["1g0p"]["s_over_sqrt_b"] == pytest.approx(sel["1g0p"]["signal"] / sel["1g0p"]["background"] ** 0.5)
    assert sel["2sh"]["background"] is None and "no background known" in sel["2sh"]["reason"]
    assert ub["backgrounds"]["modelled"] is True
    assert ccm["backgrounds"]["modelled"] is False and "no background model packaged for ccm" in ccm["backgrounds"]["reason"]
    assert any("efficiency" in w for w in ccm["warnings"])  # the efficiency assumption is stated


def test_flux_cli_at_stopped_sources():
    """`darkbeam flux` at ccm / jsns2 / coherent-csi: the analytic decay-at-rest fluxes in the source's own mode
    (it used to fail with "invalid mode"), checked against N/(4πL²) with COHERENT's 0.09 ν per flavour per POT."""
    import math

    from typer.testing import CliRunner

    from darkbeam.beams.stopped import E_NU_PI, decays_at_rest_per_pot
    from darkbeam.cli import app
    from darkbeam.detectors.catalog import get_experiment
    from darkbeam.pipeline.stopped_sources import experiment_source

    runner = CliRunner()
    for exp in ("ccm", "jsns2", "coherent-csi"):
        r = runner.invoke(app, ["flux", "--experiment", exp, "--json"])
        assert r.exit_code == 0, r.output
        out = json.loads(r.output)
        assert out["mode"] == "stopped" and out["species"] == "nu_mu"
        # the ν_μ flux is the 29.8 MeV π⁺ line (+ the K⁺ line at J-PARC): its bin holds N_π/(4πL²)
        n_pi = decays_at_rest_per_pot(experiment_source(exp)[0])["pi+ -> mu+ nu_mu"].value
        L_cm = get_experiment(exp).distance / 10.0
        i = int(E_NU_PI)  # 1 MeV bins from 0
        assert out["flux"][i] * 1e-3 == pytest.approx(n_pi / (4 * math.pi * L_cm**2), rel=1e-9)
        assert out["lines"][0]["energy_MeV"] == pytest.approx(29.79, abs=0.01)
    # COHERENT (SNS): 0.09 ± 0.009 ν per flavour per proton (Science 357, 1123) → ν̄_μ (Michel) at 19.3 m
    out = json.loads(runner.invoke(app, ["flux", "--experiment", "coherent-csi", "--species", "nu_mu_bar",
                                         "--json"]).output)
    assert out["integrated"]["value"] == pytest.approx(0.09 / (4 * math.pi * 1930.0**2), rel=0.1)
    # Michel spectrum: nothing above the 52.8 MeV endpoint
    assert sum(out["flux"][53:]) == 0.0 and out["flux"][52] > 0
    # ν̄_e: zero with its reason; a decay-in-flight mode: a one-line error naming the allowed mode
    out = json.loads(runner.invoke(app, ["flux", "--experiment", "ccm", "--species", "nu_e_bar", "--json"]).output)
    assert out["integrated"]["value"] == 0 and "captured" in out["reason"]
    r = runner.invoke(app, ["flux", "--experiment", "ccm", "--mode", "neutrino"])
    # (the console entry point prints an InputError as one line with exit code 2: tests/test_no_silent_cli.py)
    assert isinstance(r.exception, InputError) and "allowed: one of: stopped" in str(r.exception)


def test_issue_experiments_all_runnable():
    """Every experiment the issue names runs in its own default modes (dune-nd has a response now)."""
    from darkbeam.inference.multi_experiment import experiment_status

    for name in ("microboone", "sbnd", "icarus", "ccm", "coherent-csi", "jsns2", "dune-nd"):
        assert experiment_status(name) == (True, ""), name
        assert default_modes(name)


def test_stopped_source_zero_has_a_specific_reason_in_text_and_json():
    """COHERENT CsI sees nothing of the scalar's photons: the reason names the signal's visible energies against
    the CsI CEvNS window (keV), not the generic 'no event passes the response' — in JSON and in the text table."""
    from darkbeam.inference.multi_experiment import experiments_text

    res = predict_experiments(parse_config(CFG), ["coherent-csi"])
    m = res["experiments"][0]["modes"]["stopped"]
    assert m["signal_events"] == 0
    assert "above the accepted window" in m["reason"] and "keV" in m["reason"] and "CEvNS" in m["reason"]
    assert not m["reason"].startswith("no sampled event passes")
    assert m["mc_relative_error"] is None
    assert m["reason"] in experiments_text(res)
    assert json.loads(json.dumps(res))["experiments"][0]["modes"]["stopped"]["reason"] == m["reason"]


def test_response_zero_reasons_from_the_response_window():
    """The reason compares the sample's true visible energies (p4_vis1 + p4_vis2) with the response's window."""
    from types import SimpleNamespace

    import numpy as np

    from darkbeam.detectors.response import get_response
    from darkbeam.inference.multi_experiment import response_zero_reason

    def sample(e1, e2=None):
        e1 = np.asarray(e1, float)
        p1 = np.column_stack([e1, np.zeros((len(e1), 2)), e1])
        parts = {"p4_vis1": p1, "p4_vis2": np.zeros_like(p1) if e2 is None else
                 np.column_stack([np.asarray(e2, float), np.zeros((len(e1), 2)), np.asarray(e2, float)])}
        return SimpleNamespace(particles=parts)

    # JSNS²: prompt energy > 30 MeV; a 12 + 10 MeV pair is below it (the pair's summed energy is what counts)
    why = response_zero_reason("jsns2", sample([12.0, 5.0], [10.0, 4.0]))
    assert "below the threshold" in why and "9-22 MeV" in why
    # COHERENT CENNS-10 LAr: accepts <= 149 keV; 5 MeV photons are 33 times above it
    why = response_zero_reason("coherent-lar", sample([5.0, 8.0]))
    assert "above the accepted window" in why and f"{5.0 / get_response('coherent-lar').max_energy:.3g}" in why
    # a tracker: below its 0.8 GeV single-shower threshold
    assert "below the 800 MeV threshold" in response_zero_reason("minerva", sample([300.0, 500.0]))
    # no visible particles recorded: no specific reason (the caller keeps the generic note)
    assert response_zero_reason("jsns2", SimpleNamespace(particles={})) is None


def test_every_listed_experiment_runs_in_its_default_modes():
    """Every experiment of `darkbeam list experiments` with a response runs; MINERvA and NOvA ND have one now."""
    from darkbeam.detectors.catalog import EXPERIMENTS
    from darkbeam.inference.multi_experiment import experiment_status

    for name in ("minerva", "nova-nd"):
        assert experiment_status(name) == (True, ""), name
    assert default_modes("nova-nd") == ["neutrino", "antineutrino"]
    for name in EXPERIMENTS.names():
        ok, why = experiment_status(name)
        assert ok or why, name  # runnable, or says why not in one line


def _documented_all_experiments() -> dict:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "predictions.md").read_text()
    m = re.search(r"<!-- all-experiments numbers: (\{.*?\}) -->", text)
    assert m, "docs/predictions.md lacks the all-experiments section (docs/make_predictions.py --all-experiments)"
    return json.loads(m.group(1))


def test_all_experiments_table_as_documented():
    """Recompute two numbers of the all-experiments table (the scalar benchmark at CCM and at MINERvA) with an
    independent seed and the documented sample sizes; agreement within 5 combined relative MC errors."""
    import importlib.util
    from pathlib import Path

    import numpy as np

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_predictions", root / "docs" / "make_predictions.py")
    mp = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_predictions", mp)
    spec.loader.exec_module(mp)
    doc = _documented_all_experiments()
    sim = {**doc["sim"], "seed": doc["sim"]["seed"] + 7919}
    res = mp.all_experiments("scalar", sim, ["ccm", "minerva"])
    rows = {r["experiment"]: r for r in res["experiments"]}
    for name, mode in (("ccm", "stopped"), ("minerva", "neutrino")):
        n_doc, rel_doc = doc["events"][f"scalar/{name}/{mode}"]
        m = rows[name]["modes"][mode]
        sigma = np.hypot(rel_doc, m["mc_relative_error"])
        assert m["signal_events"] == pytest.approx(n_doc, rel=5 * sigma), name
