"""Issue 9, "No silent wrong answers: a newcomer's first hour": the default run is darkbeam's best fit
(with the seed comparison), default modes come from the experiment, outputs state their units, plots are
readable, long commands report progress off a terminal, and the sample cache can be inspected and cleared.

Small samples throughout (--n-mesons / --n-events); the default run itself keeps the default sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from darkbeam.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--n-mesons", "20000", "--n-events", "2000"]

SCALAR = """
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
n_mesons = 20000
n_events = 2000
seed = 3

[fit]
parameter = "g_n"
bounds = [1e-7, 1.0]
"""


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``darkbeam ARGS`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["darkbeam", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def scalar_cfg(tmp_path):
    p = tmp_path / "scalar.toml"
    p.write_text(SCALAR)
    return p


# --- item 1: the default run is darkbeam's best fit, compared with the seed ---------------------------

def test_default_run_is_the_best_fit_with_the_seed_comparison(monkeypatch, capsys, tmp_path):
    import darkbeam.pipeline.signal as sig

    built = []
    real = sig.build_signal

    def counting(model, experiment, mode, **kw):
        built.append(mode)
        return real(model, experiment, mode, **kw)

    monkeypatch.setattr(sig, "build_signal", counting)
    ev = tmp_path / "ev.parquet"
    code, out, err = cli(monkeypatch, capsys, "run", "--json", *SMALL, "--events", str(ev))
    assert code == 0, err
    d = json.loads(out)
    # one sample per mode: the fit and the prediction at the best fit re-weight them, nothing is regenerated
    assert sorted(built) == ["antineutrino", "neutrino", "off-target"]
    f = d["best_fit"]
    assert f["status"] == "fit" and f["parameter"] == "g_n" and f["best_fit"]["at_edge"] is None
    g = f["best_fit"]["g_n"]
    lo, hi = f["best_fit"]["interval_68"]
    assert lo < g < hi
    # the prediction, spectra and chi2 are at the best fit: it matches the excess, not 2.6e6 chi2
    assert d["model"]["parameters"]["g_n"] == pytest.approx(g, rel=1e-12)
    assert d["chi2"] == pytest.approx(f["chi2"], rel=1e-9) and d["chi2"] < d["chi2_background_only"] - 25
    assert d["ndof"] == 61 and not any("far worse" in w for w in d["warnings"])
    sc = d["seed_comparison"]
    assert sc["seed_product"] == pytest.approx(2.2e-8, rel=1e-12)
    assert sc["darkbeam_product"] == pytest.approx(d["coupling_product"]["value"], rel=1e-12)
    assert sc["ratio"] == pytest.approx(sc["darkbeam_product"] / sc["seed_product"], rel=1e-12)
    assert 0.02 < sc["ratio"] < 0.2 and sc["doc"] == "docs/validation.md"
    assert 400 < sc["excess_eqe_200_1250"] < 700  # the MiniBooNE excess (data - background, 200-1250 MeV)
    assert sc["signal_events_eqe_200_1250_at_seed_product"] > 50 * sc["excess_eqe_200_1250"]
    assert d["off_target"]["signal_events"] < 5  # at the best fit the off-target run sees ~nothing
    # events at the best fit as well
    assert d["events_file"]["expected_events"] == pytest.approx(d["modes"]["neutrino"]["signal_events"], rel=1e-9)
    code, text, _ = cli(monkeypatch, capsys, "run", *SMALL)
    assert code == 0
    assert text.startswith("darkbeam's best fit: g_n = ") and "68% interval" in text
    for needle in ("seed 2.2e-08 1/MeV", "darkbeam's best fit 1.", "ratio darkbeam/seed = 0.0",
                   "docs/validation.md", "data excess over background", "ndof = 61", "--no-fit"):
        assert needle in text, needle


def test_run_with_a_config_keeps_the_config_couplings_unless_fit(monkeypatch, capsys, scalar_cfg):
    code, out, _ = cli(monkeypatch, capsys, "run", str(scalar_cfg), "--json")
    d = json.loads(out)
    assert code == 0 and "best_fit" not in d and "seed_comparison" not in d
    assert d["coupling_product"]["value"] == pytest.approx(2.2e-8, rel=1e-12) and d["ndof"] == 43
    for flag in ("--fit", "--best-fit"):
        code, out, _ = cli(monkeypatch, capsys, "run", str(scalar_cfg), "--json", flag)
        f = json.loads(out)
        assert code == 0 and f["best_fit"]["status"] == "fit" and f["ndof"] == 42
        cc = f["config_comparison"]
        assert cc["config_product"] == pytest.approx(2.2e-8) and cc["ratio"] < 0.2 and "seed_comparison" not in f
    # the embedded default at the seed's couplings, on request
    code, out, _ = cli(monkeypatch, capsys, "run", "--json", "--no-fit", *SMALL)
    d = json.loads(out)
    assert code == 0 and "best_fit" not in d and d["coupling_product"]["value"] == pytest.approx(2.2e-8, rel=1e-12)


def test_run_fit_refuses_before_any_simulation(monkeypatch, capsys, tmp_path):
    import darkbeam.pipeline.signal as sig

    def boom(*a, **k):
        raise AssertionError("simulated before the input was checked")

    monkeypatch.setattr(sig, "build_signal", boom)
    code, _, err = cli(monkeypatch, capsys, "run", str(ROOT / "examples/scalar_microboone.toml"), "--fit")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "packaged data" in err
    nofit = tmp_path / "nofit.toml"
    nofit.write_text(SCALAR.split("[fit]")[0])
    code, _, err = cli(monkeypatch, capsys, "run", str(nofit), "--fit")
    assert code == 2 and "fit.parameter" in err


def test_fit_warns_at_the_edge_of_the_range(monkeypatch, capsys, tmp_path):
    p = tmp_path / "edge.toml"
    p.write_text(SCALAR.replace("bounds = [1e-7, 1.0]", "bounds = [1e-7, 1e-4]"))  # best fit ~6e-4: outside
    code, text, _ = cli(monkeypatch, capsys, "run", str(p), "--fit")
    assert code == 0 and "WARNING: the best fit g_n = 0.0001 lies at the upper edge" in text
    code, text, _ = cli(monkeypatch, capsys, "fit", str(p))
    assert code == 0 and "upper edge" in text and "68% interval" in text


# --- item 2: default modes from the experiment -------------------------------------------------------

@pytest.mark.parametrize("experiment,modes", [("miniboone", ["neutrino", "antineutrino"]),
                                              ("microboone", ["neutrino"]), ("sbnd", ["neutrino"]),
                                              ("nova-nd", ["neutrino", "antineutrino"])])
def test_default_modes_come_from_the_experiment(experiment, modes):
    from darkbeam.io.config import parse_config

    cfg = parse_config({"model": {"name": "muphilic-scalar", "m_phi": "1 MeV"}, "experiment": {"name": experiment}})
    assert cfg.experiment.modes == modes


def test_a_lartpc_config_without_modes_runs(monkeypatch, capsys, tmp_path):
    p = tmp_path / "uboone.toml"
    p.write_text(SCALAR.replace('modes = ["neutrino"]', 'name = "microboone"'))
    code, out, err = cli(monkeypatch, capsys, "run", str(p), "--json")
    assert code == 0, err
    assert list(json.loads(out)["modes"]) == ["neutrino"]


# --- item 2: units --------------------------------------------------------------------------------

def test_flux_text_states_unit_total_and_ratio(monkeypatch, capsys):
    code, text, _ = cli(monkeypatch, capsys, "flux", "--n-mesons", "20000", "--compare")
    assert code == 0
    head = text.splitlines()[:3]
    assert "per cm^2 per POT per GeV" in head[0]
    assert head[1].startswith("# integrated over 0-10 GeV: ") and head[1].endswith("nu_mu per cm^2 per POT")
    assert "ratio = darkbeam flux / official MiniBooNE flux" in head[2] and "n/a" in head[2]
    code, out, _ = cli(monkeypatch, capsys, "flux", "--n-mesons", "20000", "--json")
    d = json.loads(out)
    width = np.diff(d["edges_GeV"])
    assert d["integrated"]["value"] == pytest.approx(float(np.sum(np.array(d["flux"]) * width)), rel=1e-12)
    assert d["integrated"]["unit"] == "per cm^2 per POT"


def test_run_json_spectra_carry_their_units(monkeypatch, capsys, scalar_cfg):
    code, out, _ = cli(monkeypatch, capsys, "run", str(scalar_cfg), "--json")
    assert code == 0
    d = json.loads(out)
    e, c = d["spectra"]["E_vis"], d["spectra"]["cos_theta"]
    assert e["edges_unit"] == "MeV" and e["edges_MeV"] == e["edges"]  # `edges` kept for compatibility
    assert c["edges_unit"] == "dimensionless" and "edges_MeV" not in c
    assert e["signal_unit"].startswith("events per bin")


# --- item 2: plots ----------------------------------------------------------------------------------

@pytest.fixture()
def captured_figures(monkeypatch):
    """Texts of every figure the CLI saves (titles, suptitles, axis labels)."""
    from matplotlib.figure import Figure

    texts: list[str] = []
    real = Figure.savefig

    def savefig(self, *a, **k):
        real(self, *a, **k)  # renders: a bad mathtext string fails here
        if self._suptitle is not None:
            texts.append(self._suptitle.get_text())
        for ax in self.axes:
            if ax.get_visible():
                texts.extend([ax.get_title(), ax.get_xlabel(), ax.get_ylabel()])

    monkeypatch.setattr(Figure, "savefig", savefig)
    return texts


@pytest.mark.parametrize("args", [
    ["run", *SMALL],
    ["run", str(ROOT / "examples/scalar_microboone.toml"), *SMALL],
    ["flux", "--n-mesons", "20000"],
    ["flux", "--species", "phi", "--model", "muphilic-scalar", "--set", "m_phi=1 MeV", "--set", "g_mu=5e-3",
     "--n-mesons", "5000"],
])
def test_plot_titles_have_no_stray_characters(monkeypatch, capsys, tmp_path, captured_figures, args):
    target = tmp_path / ("plots" if args[0] == "run" else "flux.png")
    code, _, err = cli(monkeypatch, capsys, *args, "--plot", str(target))
    assert code == 0, err
    assert captured_figures
    for t in captured_figures:
        assert "*" not in t and "g_mu" not in t and "1/MeV" not in t, t
        assert t.count("$") % 2 == 0, t


def test_eqe_panel_in_events_per_mev(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.plotting import _spectrum_panel

    edges = np.array([200.0, 300.0, 375.0, 475.0, 1500.0, 3000.0])  # release-like variable bins
    counts = np.array([100.0, 75.0, 100.0, 200.0, 150.0])
    spec = {"edges": edges, "signal": counts, "background": counts, "data": 2 * counts}
    fig, ax = plt.subplots()
    _spectrum_panel(ax, spec, "E_QE", "t")
    assert ax.get_ylabel().startswith("events / MeV")
    # every bin holds 1 or 2 events/MeV... except the wide ones, drawn per MeV (not as tall blocks)
    assert ax.get_ylim()[1] < 5
    fig2, ax2 = plt.subplots()
    _spectrum_panel(ax2, {"edges": np.linspace(100, 1250, 24), "signal": np.ones(23)}, "E_vis", "t")
    assert ax2.get_ylabel() == "events / bin (50 MeV)"
    plt.close(fig)
    plt.close(fig2)


# --- item 2: progress off a terminal ------------------------------------------------------------------

def test_periodic_status_lines_when_stderr_is_not_a_terminal():
    env = {**os.environ, "DARKBEAM_STATUS_INTERVAL": "0.2"}
    r = subprocess.run([sys.executable, "-c", "from darkbeam.cli import main; main()", "run", "--n-mesons", "60000",
                        "--n-events", "3000", "--json"], check=False, capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("darkbeam run: ")]
    assert len(lines) >= 2, r.stderr
    assert all(" s, stage " in x and x.endswith("% done") for x in lines)
    assert any("signal sample" in x for x in lines)
    assert "\r" not in r.stderr  # no progress-bar redraws in a log
    json.loads(r.stdout)  # stdout stays the JSON alone


# --- item 2: the sample cache ----------------------------------------------------------------------------

def test_cache_info_and_clear(monkeypatch, capsys, tmp_path):
    d = tmp_path / "cache"
    (d / "samples").mkdir(parents=True)
    for i in range(3):
        (d / "samples" / f"{i:064x}.npz").write_bytes(b"x" * 1000)
    stale = d / "samples" / f".{0:064x}.npz.darkbeam-999999999-abc.part"  # a writer killed long ago
    stale.write_bytes(b"y" * 10)
    live = d / "samples" / f".{1:064x}.npz.darkbeam-{os.getpid()}-abc.part"  # a live writer's: kept
    live.write_bytes(b"z")
    other = d / "README"
    other.write_text("not ours")
    monkeypatch.setenv("DARKBEAM_CACHE", str(d))
    code, out, _ = cli(monkeypatch, capsys, "cache", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["samples"] == 3 and info["bytes"] == 3000 and info["temporaries"] == 2
    assert info["directory"] == str(d) and info["source"] == "$DARKBEAM_CACHE"
    code, text, _ = cli(monkeypatch, capsys, "cache", "info")
    assert code == 0 and str(d / "samples") in text and "3 samples" in text
    code, text, _ = cli(monkeypatch, capsys, "cache", "clear")  # asks nothing
    assert code == 0 and text.startswith("removed 3 samples and 1 partial files") and f"{0:064x}.npz" in text
    assert not list((d / "samples").glob("*.npz")) and not stale.exists() and live.exists() and other.exists()
    code, out, _ = cli(monkeypatch, capsys, "cache", "clear", "--cache", str(d), "--json")
    assert code == 0 and json.loads(out)["samples_removed"] == 0


def test_readme_quick_start_and_cache_paragraph():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "darkbeam run --plot out" in quick and "best fit" in quick and "docs/validation.md" in quick
    for needle in ("~/.cache/darkbeam", "DARKBEAM_CACHE", "darkbeam cache info", "darkbeam cache clear", "MB"):
        assert needle in readme, needle
