"""Command-line contract of `darkbeam run`, `darkbeam fit` and `darkbeam xsec` (tiny samples)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app

runner = CliRunner()
TINY = ["--n-mesons", "5000", "--n-events", "500"]

CONFIG = """
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-2
lam = "4.4e-4 /MeV"

[experiment]
modes = ["neutrino", "antineutrino"]

[simulation]
n_mesons = 5000
n_events = 500
seed = 3

[fit]
parameter = "g_n"
bounds = [1e-6, 1.0]
"""


def _json(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


@pytest.fixture()
def config_file(tmp_path):
    p = tmp_path / "scalar.toml"
    p.write_text(CONFIG)
    return p


def test_run_json_contract(config_file, tmp_path):
    out = _json(runner.invoke(app, ["run", str(config_file), "--json", "--output", str(tmp_path / "o.json")]))
    for key in ("experiment", "mode", "signal_events", "spectra", "chi2", "ndof", "modes", "off_target"):
        assert key in out
    assert out["experiment"] == "miniboone" and out["mode"] == "neutrino"
    for obs in ("E_vis", "cos_theta"):
        sp = out["spectra"][obs]
        assert {"edges", "signal", "data", "background"} <= set(sp)
        assert len(sp["edges"]) == len(sp["signal"]) + 1 == len(sp["data"]) + 1 == len(sp["background"]) + 1
        assert all(np.isfinite(sp["signal"]))
    assert set(out["modes"]) == {"neutrino", "antineutrino"}
    assert out["signal_events"] == pytest.approx(out["modes"]["neutrino"]["signal_events"])
    assert out["off_target"]["pot"] == pytest.approx(1.86e20)
    # --output: same JSON, written atomically (no temporary files left)
    assert json.loads((tmp_path / "o.json").read_text())["chi2"] == pytest.approx(out["chi2"])
    assert not list(tmp_path.glob(".*.part"))


def test_run_without_config_uses_default_benchmark():
    # --no-fit: the embedded benchmark at the seed's couplings (the default run is now darkbeam's best fit,
    # tests/test_first_hour.py)
    out = _json(runner.invoke(app, ["run", "--json", "--no-fit", *TINY]))
    assert out["model"]["name"] == "muphilic-scalar"
    assert out["model"]["parameters"]["m_zprime"] == pytest.approx(49.0)
    assert out["coupling_product"]["value"] == pytest.approx(2.2e-8, rel=1e-12)
    assert out["ndof"] == 62


def test_fit_json_contract(config_file):
    out = _json(runner.invoke(app, ["fit", str(config_file), "--json"]))
    for key in ("best_fit", "chi2", "ndof", "chi2_per_dof", "pvalue"):
        assert key in out
    assert "g_n" in out["best_fit"] and "coupling_product" in out["best_fit"]
    assert out["chi2_per_dof"] == pytest.approx(out["chi2"] / out["ndof"])
    assert out["chi2"] <= out["chi2_background_only"]


@pytest.mark.parametrize(
    "model, settings, energy, keys",
    [
        ("muphilic-scalar", ["g_n=1e-2", "lam=4.4e-4 /MeV", "m_zprime=49 MeV"], "300 MeV",
         {"coherent", "incoherent", "total"}),
        ("vector-idm", ["m_v2=200 MeV", "m_chi_prime=50 MeV", "eps2=1e-4"], "300 MeV",
         {"coherent", "incoherent", "total"}),
        ("dark-neutrino", ["preset=BP-A"], "1 GeV", {"coherent", "elastic_proton", "total"}),
    ],
)
def test_xsec_json(model, settings, energy, keys):
    args = ["xsec", model, "--target", "C12", "--energy", energy, "--json"]
    for s in settings:
        args += ["--set", s]
    out = _json(runner.invoke(app, args))
    assert {"process", "target", "energy_GeV", "sigma_cm2"} <= set(out)
    assert set(out["sigma_cm2"]) == keys
    assert out["target"] == "C12"
    tot = out["sigma_cm2"]["total"]
    assert tot > 0 and tot == pytest.approx(sum(v for k, v in out["sigma_cm2"].items() if k != "total"), rel=1e-9)


def test_plots_written_atomically(config_file, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    plots = tmp_path / "plots"
    out = _json(runner.invoke(app, ["run", str(config_file), "--json", "--plot", str(plots)]))
    names = sorted(p.name for p in plots.iterdir())
    assert names == ["antineutrino_E_vis.png", "fig2_panels.png", "neutrino_E_vis.png", "neutrino_cos_theta.png"]
    assert len(out["plots"]) == 4
    # a writer that fails half-way leaves no partial file behind
    calls = {"n": 0}

    def broken_savefig(self, fname, *a, **k):
        calls["n"] += 1
        with open(fname, "wb") as f:
            f.write(b"\x89PNG partial")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken_savefig)
    bad = tmp_path / "bad_plots"
    res = runner.invoke(app, ["run", str(config_file), "--plot", str(bad)])
    assert res.exit_code != 0 and calls["n"] == 1
    assert list(bad.iterdir()) == []


def test_bad_config_one_line_error_exit_2(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[model]\nname = "muphilic-scalar"\nm_phi = "1"\n')
    r = subprocess.run([sys.executable, "-c", "from darkbeam.cli import main; main()", "run", str(p)], check=False,
                       capture_output=True, text=True)
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "m_phi" in err[0] and "unit" in err[0]
