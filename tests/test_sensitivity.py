"""Limits (Poisson, Feldman–Cousins), sensitivity curves in a mass–coupling plane, exotic-decay overlays."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.errors import InputError
from darkbeam.inference.constraints import STATUS_EXCLUDED, evaluate_constraint, registered_constraints
from darkbeam.inference.predict import Predictor
from darkbeam.inference.sensitivity import (
    constraint_bounds,
    expected_upper_limit,
    fc_interval,
    plot_sensitivity,
    poisson_upper_limit,
    sensitivity_curve,
    upper_limit,
)
from darkbeam.io.config import parse_config

MODEL = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 6.136e-4,
         "lam": "4.4e-4 /MeV"}
SIM = {"n_mesons": 4000, "n_events": 400, "seed": 5}


def _cfg(**over):
    d = {"model": MODEL, "experiment": {"name": "sbnd", "modes": ["neutrino"], "off_target": False},
         "simulation": SIM}
    d.update(over)
    return parse_config(d)


def test_limits_reproduce_the_tables():
    # Feldman & Cousins PRD 57, 3873, Table IV (90 % CL, b = 0): [0, 2.44], [0.11, 4.36], [0.53, 5.91], [1.10, 7.42]
    for n, (lo, hi) in enumerate([(0.0, 2.44), (0.11, 4.36), (0.53, 5.91), (1.10, 7.42)]):
        got = fc_interval(n, 0.0, 0.9)
        assert got[0] == pytest.approx(lo, abs=0.011) and got[1] == pytest.approx(hi, abs=0.011)
    assert poisson_upper_limit(0, 0.0, 0.9) == pytest.approx(math.log(10.0), rel=1e-12)  # 2.303
    assert poisson_upper_limit(0, 0.0, 0.95) == pytest.approx(math.log(20.0), rel=1e-12)  # 2.996
    assert poisson_upper_limit(2, 10.0, 0.9) == 0.0  # far fewer events than background: clipped
    assert upper_limit(2, 10.0, 0.9, "fc") > 0.0  # FC never gives an empty interval
    ul, n = expected_upper_limit(3.0, 0.9, "fc")
    assert n == 3 and ul == pytest.approx(fc_interval(3, 3.0, 0.9)[1])
    with pytest.raises(InputError, match="--method"):
        upper_limit(0, 0.0, 0.9, "bayes")
    with pytest.raises(InputError, match="observed events"):
        poisson_upper_limit(-1)


def test_sensitivity_curve_edges_are_where_the_signal_equals_the_limit(tmp_path):
    cfg = _cfg()
    cur = sensitivity_curve(cfg, None, ["m_phi=1 MeV,5 MeV"], "g_n", (1e-6, 1.0), background=5.0, method="fc",
                            cache=tmp_path / "c", backend="serial")
    assert cur.experiment == "sbnd" and cur.pot == {"neutrino": 6.6e20}
    assert cur.s_up == pytest.approx(expected_upper_limit(5.0, 0.9, "fc")[0])
    pred = Predictor(cfg.model_copy(update={}), cache=tmp_path / "c")
    for m, lo, s_ref in zip(cur.masses, cur.lower, cur.signal_ref):
        # signal ∝ g_n² exactly (detection coupling): the edge is analytic
        assert lo == pytest.approx(6.136e-4 * math.sqrt(cur.s_up / s_ref), rel=1e-5)
        model = pred.model.replace(m_phi=float(m), g_n=float(lo))
        assert pred.totals(model)["neutrino"]["all"] == pytest.approx(cur.s_up, rel=1e-5)
    assert np.all(np.isnan(cur.upper))  # still excluded at g_n = 1 (nothing makes the signal fall)
    observed = sensitivity_curve(cfg, None, ["m_phi=1 MeV,5 MeV"], "g_n", (1e-6, 1.0), background=5.0, n_obs=12,
                                 method="poisson", cache=tmp_path / "c", backend="serial")
    assert observed.s_up == pytest.approx(poisson_upper_limit(12, 5.0, 0.9)) and np.all(observed.lower > cur.lower)
    bigger = sensitivity_curve(cfg, None, ["m_phi=1 MeV,5 MeV"], "g_n", (1e-6, 1.0), background=5.0,
                               pot=2 * 6.6e20, cache=tmp_path / "c", backend="serial")
    assert bigger.lower == pytest.approx(cur.lower / math.sqrt(2.0), rel=1e-5)  # twice the exposure
    d = cur.to_dict()
    assert json.dumps(d) and d["kind"].startswith("expected")
    with pytest.raises(InputError, match="--coupling"):
        sensitivity_curve(cfg, None, ["m_phi=1 MeV"], "m_zprime", cache=None)
    with pytest.raises(InputError, match="exactly one mass axis"):
        sensitivity_curve(cfg, None, ["m_phi=1 MeV", "m_zprime=40 MeV"], "g_n", cache=None)
    with pytest.raises(InputError, match="--pot"):
        sensitivity_curve(cfg, None, ["m_phi=1 MeV"], "g_n", pot={"antineutrino": 1e20}, cache=None)


def test_constraint_overlay_and_plot(tmp_path):
    cfg = _cfg()
    masses = [1.0, 20.0, 100.0]
    cons = constraint_bounds(cfg, "m_phi", masses, "g_mu", (1e-6, 1.0))
    assert cons, "a muon-philic scalar meets the PIENU / NA62 pi/K -> mu nu X limits"
    by = {c.name: c for c in registered_constraints()}
    model = cfg.build_model()
    for name, d in cons.items():
        for m, lo in zip(masses, d["lower"]):
            if not np.isfinite(lo):
                continue
            above = evaluate_constraint(by[name], model.replace(m_phi=m, g_mu=lo * 1.01))
            below = evaluate_constraint(by[name], model.replace(m_phi=m, g_mu=lo * 0.99))
            assert above["status"] == STATUS_EXCLUDED and below["status"] != STATUS_EXCLUDED
    cur = sensitivity_curve(cfg, None, ["m_phi=1 MeV,20 MeV,100 MeV"], "g_mu", (1e-6, 1.0), background=0.0,
                            cache=tmp_path / "c", backend="serial")
    assert cur.product_per_coupling == pytest.approx(6.136e-4 * 4.4e-4)  # g_mu g_n lam / g_mu
    plot_sensitivity(tmp_path / "s.png", [cur], cons, y_as_product=True, points=[{"x": 1.0, "y": 1.35e-9}])
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_sensitivity(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[model]\nname = "muphilic-scalar"\nm_phi = "1 MeV"\nm_zprime = "49 MeV"\ng_mu = 5e-3\n'
                 'g_n = 6.136e-4\nlam = "4.4e-4 /MeV"\n[experiment]\nname = "sbnd"\nmodes = ["neutrino"]\n'
                 'off_target = false\n[simulation]\nn_mesons = 4000\nn_events = 400\nseed = 5\n')
    r = CliRunner().invoke(app, ["sensitivity", str(p), "--grid", "m_phi=1 MeV,5 MeV", "--coupling", "g_n",
                                 "--bounds", "1e-6,1", "--background", "2", "--backend", "serial", "--json",
                                 "--cache", str(tmp_path / "c"), "--experiment", "sbnd", "--experiment", "microboone",
                                 "--plot", str(tmp_path / "s.png")])
    assert r.exit_code == 0, (r.output, r.exception)
    out = json.loads(r.stdout)
    assert [c["experiment"] for c in out["curves"]] == ["sbnd", "microboone"] and (tmp_path / "s.png").is_file()
    r = CliRunner().invoke(app, ["sensitivity", str(p), "--grid", "m_phi=1 MeV", "--coupling", "g_n",
                                 "--method", "cls", "--no-cache"])
    assert r.exit_code != 0 and "--method" in str(r.exception)
