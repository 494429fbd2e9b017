"""Command-line contract of the foundation commands (list, br, mesons, flux) and their errors."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from darkbeam.beams.production import mesons_per_pot
from darkbeam.detectors.catalog import BEAMS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "darkbeam.cli", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_list_json():
    out = run("list", "models", "--json")
    assert out.returncode == 0, out.stderr
    names = {m["name"] for m in json.loads(out.stdout)["models"]}
    assert {"muphilic-scalar", "muphilic-pseudoscalar", "dark-photon", "vector-idm"} <= names
    for what in ("experiments", "focusing"):
        assert run("list", what, "--json").returncode == 0


def test_br_json_contract_and_values():
    out = run("br", "muphilic-scalar", "--set", "m_phi=1 MeV", "--set", "g_mu=5e-3", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert d["model"] == "muphilic-scalar"
    rows = {(r["parent"], r["channel"]): r["value"] for r in d["branching_ratios"]}
    assert len(rows) == 8
    # seed 000 Table II: BR(K → μ ν φ) = 230e-8, BR(π → μ ν φ) = 120e-8 (10 %)
    assert rows[("K+", "mu+ nu_mu phi")] == pytest.approx(230e-8, rel=0.1)
    assert rows[("pi+", "mu+ nu_mu phi")] == pytest.approx(120e-8, rel=0.1)


def test_br_reports_closed_channels():
    out = run("br", "dark-photon", "--set", "m_v=200 MeV", "--set", "epsilon=1e-4", "--json")
    assert out.returncode == 0, out.stderr
    rows = {(r["parent"], r["channel"]): r["value"] for r in json.loads(out.stdout)["branching_ratios"]}
    assert any(v == "closed" for (p, _), v in rows.items() if p.startswith("pi"))
    assert all(v == "closed" or np.isfinite(v) for v in rows.values())


def test_mesons_matches_numerical_integration():
    out = run("mesons", "--json")
    assert out.returncode == 0, out.stderr
    table = json.loads(out.stdout)["mesons_per_pot"]
    assert table["pi+"] == pytest.approx(mesons_per_pot(BEAMS.get("bnb"), "pi+"), rel=1e-9)


def test_flux_json_contract():
    out = run("flux", "--experiment", "miniboone", "--species", "nu_mu", "--n-mesons", "20000", "--json")
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert len(d["edges_GeV"]) == len(d["flux"]) + 1
    assert all(f >= 0 for f in d["flux"])


def test_boson_flux_json(tmp_path):
    png = tmp_path / "phi.png"
    out = run("flux", "--species", "phi", "--model", "muphilic-scalar", "--set", "m_phi=1 MeV",
              "--set", "g_mu=5e-3", "--n-mesons", "5000", "--json", "--plot", str(png))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert sum(d["flux"]) > 0 and png.exists() and png.stat().st_size > 1000
    assert d["coupling2"] == pytest.approx(5e-3**2)
    np.testing.assert_allclose(np.array(d["flux_per_coupling2"]) * d["coupling2"], d["flux"], rtol=1e-12)


@pytest.mark.parametrize(
    "args,needle",
    [
        (("br", "no-such-model"), "model"),
        (("br", "muphilic-scalar", "--set", "m_phi=1"), "unit"),
        (("br", "muphilic-scalar", "--set", "g_mu=-1"), "g_mu"),
        (("br", "muphilic-scalar", "--set", "bogus=1"), "bogus"),
        (("flux", "--experiment", "nowhere"), "experiment"),
        (("flux", "--species", "nu_tau"), "species"),
        (("flux", "--focusing", "magic"), "focusing"),
        (("list", "things"), "list"),
    ],
)
def test_bad_input_one_line_error_exit_2(args, needle):
    out = run(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
