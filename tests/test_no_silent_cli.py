"""No silent wrong answers at the command line: ignored options, crashes, exit codes, help texts.

Bad input gives ONE line on stderr naming the field, the value and what is allowed, and exit code 2,
never a traceback; paths and options are checked before any simulation runs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
g_n = 6.136e-4
lam = "4.4e-4 /MeV"

[experiment]
modes = ["neutrino"]
off_target = false

[simulation]
n_mesons = 20000
n_events = 2000
seed = 3
"""


def in_process(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``darkbeam ARGS`` through :func:`darkbeam.cli.main` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["darkbeam", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


class Simulated(Exception):
    """Raised by the stubbed simulation: a check that should come first did not."""


@pytest.fixture()
def no_simulation(monkeypatch):
    """Make every simulation entry point fail: checks must reject bad input before any simulation runs."""
    import darkbeam.inference.scan as scan_mod
    import darkbeam.pipeline.boson_flux as bf
    import darkbeam.pipeline.neutrino_flux as nf
    import darkbeam.pipeline.signal as sig

    def boom(*a, **k):
        raise Simulated("the simulation ran before the input was checked")

    for mod, name in ((sig, "build_signal"), (nf, "neutrino_flux"), (bf, "boson_flux"), (scan_mod, "scan")):
        monkeypatch.setattr(mod, name, boom)


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.fixture()
def scalar_cfg(tmp_path):
    p = tmp_path / "scalar.toml"
    p.write_text(SCALAR)
    return p


# --- item 1: ignored parameters -----------------------------------------------------------------

def test_xsec_honours_zprime_current(monkeypatch, capsys):
    common = ["xsec", "muphilic-scalar", "--set", "g_n=1e-2", "--set", "lam=4.4e-4 /MeV", "--set",
              "m_zprime=49 MeV", "--target", "C12", "--energy", "300 MeV"]
    code, out, _ = in_process(monkeypatch, capsys, *common, "--json")
    u = json.loads(out)
    code_em, out_em, _ = in_process(monkeypatch, capsys, *common, "--set", "zprime_current=em", "--json")
    em = json.loads(out_em)
    assert code == code_em == 0
    assert u["zprime_current"] == "u-quark" and em["zprime_current"] == "em"
    assert "Q_coh = Z," in em["charge_convention"] and em["Q_coherent"] == 6.0 and u["Q_coherent"] == 18.0
    # coherent rate ∝ Q_coh²: (2Z + N)² / Z² = 9 for C12 (same Helm form factor)
    assert u["sigma_cm2"]["coherent"] / em["sigma_cm2"]["coherent"] == pytest.approx(9.0, rel=1e-6)
    _, text, _ = in_process(monkeypatch, capsys, *common, "--set", "zprime_current=em")
    assert "Z' current: em" in text and "u-quark" not in text


@pytest.mark.parametrize("extra,needle", [
    (["--set", "bogus=5"], "--set"),
    (["--model", "muphilic-scalar"], "--model"),
    (["--model", "muphilic-scalar", "--set", "m_phi=1 MeV"], "--model"),
])
def test_flux_rejects_model_options_for_a_neutrino_species(monkeypatch, capsys, no_simulation, extra, needle):
    code, out, err = in_process(monkeypatch, capsys, "flux", "--species", "nu_mu", *extra)
    assert_one_line_error(code, err, needle, "dark-boson species")
    assert out == ""


def test_boson_flux_says_before_decays_in_flight(monkeypatch, capsys):
    args = ["flux", "--species", "phi", "--model", "muphilic-scalar", "--set", "m_phi=1 MeV",
            "--set", "g_mu=5e-3", "--n-mesons", "5000"]
    code, out, _ = in_process(monkeypatch, capsys, *args, "--json")
    assert code == 0 and "before decays in flight" in json.loads(out)["note"]
    code, text, _ = in_process(monkeypatch, capsys, *args)
    assert code == 0 and "before decays in flight" in text.splitlines()[0]
    code, help_text, _ = in_process(monkeypatch, capsys, "flux", "--help")
    assert code == 0 and "before decays in flight" in " ".join(help_text.split())


# --- item 2: --compare only where a reference flux exists ---------------------------------------

@pytest.mark.parametrize("experiment", ["sbnd", "icarus", "microboone"])
def test_flux_compare_refused_away_from_miniboone(monkeypatch, capsys, no_simulation, experiment):
    code, out, err = in_process(monkeypatch, capsys, "flux", "--experiment", experiment, "--compare")
    assert_one_line_error(code, err, "--compare", experiment, "miniboone")  # refused before the simulation
    assert out == ""


def test_flux_compare_refused_for_a_boson(monkeypatch, capsys, no_simulation):
    code, _, err = in_process(monkeypatch, capsys, "flux", "--species", "phi", "--model", "muphilic-scalar",
                              "--compare")
    assert_one_line_error(code, err, "--compare", "phi")


@pytest.mark.parametrize("experiment,has_official", [("miniboone", True), ("sbnd", False)])
def test_flux_plot_overlays_official_flux_only_at_miniboone(monkeypatch, capsys, tmp_path, experiment,
                                                            has_official):
    from darkbeam import plotting

    seen = {}

    def fake_plot_flux(path, edges, flux, error, species, exp, mode, official=None, note=None):
        seen.update(official=official, experiment=exp)

    monkeypatch.setattr(plotting, "plot_flux", fake_plot_flux)
    code, _, err = in_process(monkeypatch, capsys, "flux", "--experiment", experiment, "--n-mesons", "5000",
                              "--plot", str(tmp_path / "f.png"))
    assert code == 0, err
    assert seen["experiment"] == experiment
    assert (seen["official"] is not None) == has_official


def test_flux_compare_at_miniboone_still_works(monkeypatch, capsys):
    code, out, err = in_process(monkeypatch, capsys, "flux", "--compare", "--n-mesons", "20000", "--json")
    assert code == 0, err
    d = json.loads(out)
    # same detector, same normalisation: ratios of order 1 at the 0.5-1.5 GeV peak
    peak = [r for lo, r in zip(d["edges_GeV"], d["official_ratio"]) if 0.5 <= lo < 1.5]
    assert all(r is not None and 0.6 < r < 1.6 for r in peak)


# --- item 7: crashes and exit codes -------------------------------------------------------------

def test_run_plot_works_for_signal_only_and_results_come_first(monkeypatch, capsys, tmp_path):
    plots, js = tmp_path / "plots", tmp_path / "o.json"
    code, out, err = in_process(monkeypatch, capsys, "run", str(ROOT / "examples/scalar_microboone.toml"),
                                *SMALL, "--json", "--plot", str(plots), "-o", str(js))
    assert code == 0, err
    d = json.loads(out)
    assert d["analysis"] == "signal-only"
    assert json.loads(js.read_text())["signal_events"] == d["signal_events"]
    assert sorted(p.name for p in plots.iterdir()) == ["fig2_panels.png", "neutrino_E_vis.png",
                                                       "neutrino_cos_theta.png"]
    assert sorted(d["plots"]) == sorted(str(p) for p in plots.iterdir())


def test_plot_failure_keeps_results_then_one_line_error(monkeypatch, capsys, tmp_path, scalar_cfg):
    from darkbeam import plotting

    def broken(*a, **k):
        raise KeyError("background")

    monkeypatch.setattr(plotting, "plot_spectra_panels", broken)
    js = tmp_path / "o.json"
    code, out, err = in_process(monkeypatch, capsys, "run", str(scalar_cfg), "--json", "-o", str(js),
                                "--plot", str(tmp_path / "plots"))
    assert_one_line_error(code, err, "plotting failed", "results above are complete")
    assert json.loads(out)["chi2"] == json.loads(js.read_text())["chi2"]  # printed and written first


def test_ctrl_c_during_run_exits_130_with_message():
    code = ("import sys; import darkbeam.cli as c; sys.stderr.write('ready\\n'); sys.stderr.flush(); "
            "sys.argv = ['darkbeam', 'run', '--n-mesons', '5000000']; c.main()")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, cwd=ROOT)
    try:
        assert p.stderr.readline().strip() == "ready"
        time.sleep(2.0)  # inside the simulation (5e6 mesons take far longer)
        assert p.poll() is None
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1] == "darkbeam: interrupted"
    assert "Traceback" not in err and out == ""


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path):
    from darkbeam.io.atomic import write_text_atomic

    target = tmp_path / "result.json"
    writer = ("import sys, time; from darkbeam.io.atomic import atomic_path\n"
              f"with atomic_path({str(target)!r}) as tmp:\n"
              "    open(tmp, 'w').write('trunc'); print(tmp, flush=True); time.sleep(120)\n")
    p = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    try:
        tmp = Path(p.stdout.readline().strip())
        assert tmp.exists() and tmp.name.startswith(".result.json.darkbeam-") and tmp.name.endswith(".part")
        # a live writer's temporary is left alone
        write_text_atomic(target, "first")
        assert tmp.exists()
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    assert tmp.exists()  # SIGKILL: the writer could not clean up
    other = tmp_path / ".other.json.darkbeam-999999999-x.part"  # stale temporary of another target: untouched
    other.write_text("x")
    write_text_atomic(target, "second")
    assert not tmp.exists() and other.exists()
    assert sorted(os.listdir(tmp_path)) == sorted([other.name, "result.json"])
    assert target.read_text() == "second"


@pytest.mark.parametrize("args", [
    ["run", "--seed", "-1"],
    ["events", "--seed", "-1", "-o", "ev.parquet"],
    ["flux", "--seed", "-1"],
])
def test_negative_seed_on_the_command_line(monkeypatch, capsys, no_simulation, args):
    code, _, err = in_process(monkeypatch, capsys, *args)
    assert_one_line_error(code, err, "--seed", "-1", "non-negative")


def test_negative_seed_in_a_config(monkeypatch, capsys, tmp_path):
    p = tmp_path / "neg.toml"
    p.write_text(SCALAR.replace("seed = 3", "seed = -1"))
    code, _, err = in_process(monkeypatch, capsys, "run", str(p))
    assert_one_line_error(code, err, "simulation.seed", "-1")


def test_bad_output_paths_fail_before_the_simulation(monkeypatch, capsys, no_simulation, tmp_path,
                                                     scalar_cfg):
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("")
    cases = [
        (["run", str(scalar_cfg), "-o", str(folder)], "--output", "folder"),
        (["run", str(scalar_cfg), "--plot", str(afile)], "--plot", "existing file"),
        (["run", str(scalar_cfg), "-o", str(afile / "x.json")], "--output", "not a folder"),
        (["run", str(scalar_cfg), "--events", str(folder / "e.parquet" / "")], "--events", ""),
        (["fit", str(scalar_cfg), "--plot", str(afile)], "--plot", "existing file"),
        (["flux", "--plot", str(folder)], "--plot", "folder"),
        (["scan", str(scalar_cfg), "--plot", str(folder)], "--plot", "folder"),
        (["events", str(scalar_cfg), "-o", str(afile / "e.parquet")], "--output", "not a folder"),
    ]
    (folder / "e.parquet").mkdir()
    if os.geteuid() != 0:  # root can write anywhere but on read-only file systems
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        cases.append((["run", str(scalar_cfg), "-o", str(ro / "x.json")], "--output", "writable"))
    elif Path("/proc").is_dir():
        cases.append((["run", str(scalar_cfg), "-o", "/proc/darkbeam-test.json"], "--output", "writable"))
    for args, field, needle in cases:
        code, out, err = in_process(monkeypatch, capsys, *args)
        assert_one_line_error(code, err, field, needle)
        assert out == ""


def test_existing_outputs_are_never_replaced_without_overwrite(monkeypatch, capsys, no_simulation, tmp_path,
                                                               scalar_cfg):
    """-o, --plot FILE and run/fit --plot DIR (holding an earlier run's plots) refuse an existing file before any
    simulation; --overwrite lets the command go on (here into the stubbed simulation)."""
    old = tmp_path / "old.json"
    old.write_text("{}")
    png = tmp_path / "old.png"
    png.write_bytes(b"")
    plots = tmp_path / "plots"
    plots.mkdir()
    (plots / "fig2_panels.png").write_bytes(b"")
    cases = [
        ["run", str(scalar_cfg), "-o", str(old)],
        ["run", str(scalar_cfg), "--plot", str(plots)],
        ["fit", str(scalar_cfg), "-o", str(old)],
        ["fit", str(scalar_cfg), "--plot", str(plots)],
        ["flux", "--plot", str(png)],
        ["scan", str(scalar_cfg), "-o", str(old)],
        ["scan", str(scalar_cfg), "--plot", str(png)],
        ["sensitivity", str(scalar_cfg), "-o", str(old)],
        ["posterior", str(scalar_cfg), "-o", str(old)],
    ]
    for args in cases:
        code, out, err = in_process(monkeypatch, capsys, *args)
        assert_one_line_error(code, err, "--overwrite")
        assert out == ""
        assert old.read_text() == "{}"
    for args in (cases[0], cases[1], cases[4]):
        with pytest.raises(Simulated):
            in_process(monkeypatch, capsys, *args, "--overwrite")
    # a Parquet scan table is never overwritten (--resume continues it): --overwrite is refused with it
    code, _, err = in_process(monkeypatch, capsys, "scan", str(scalar_cfg), "-o", str(tmp_path / "t.parquet"),
                              "--overwrite")
    assert_one_line_error(code, err, "--overwrite", "Parquet")


def test_config_encoding(monkeypatch, capsys, tmp_path):
    from darkbeam.io.config import load_config

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(SCALAR.replace("[model]", "# café\n[model]").encode("latin-1"))
    code, _, err = in_process(monkeypatch, capsys, "run", str(latin1))
    assert_one_line_error(code, err, "config file", "latin1.toml", "UTF-8")
    # a UTF-8 byte-order mark is accepted (stripped)
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + SCALAR.encode())
    plain = tmp_path / "plain.toml"
    plain.write_text(SCALAR)
    assert load_config(bom) == load_config(plain)


# --- item 8: help texts -------------------------------------------------------------------------

def test_help_keeps_square_brackets(monkeypatch, capsys):
    code, out, _ = in_process(monkeypatch, capsys, "run", "--help")
    flat = " ".join(out.split())
    assert code == 0
    for s in ("Override [simulation].n_mesons.", "Override [simulation].n_events.",
              "Override [simulation].seed."):
        assert s in flat
    code, out, _ = in_process(monkeypatch, capsys, "scan", "--help")
    assert "replaces [fit].masses" in " ".join(out.split())


# --- item 9: dark-neutrino off-target text ------------------------------------------------------

def test_dark_neutrino_off_target_text_says_not_modelled(monkeypatch, capsys, tmp_path):
    p = tmp_path / "dn.toml"
    p.write_text('[model]\nname = "dark-neutrino"\npreset = "BP-A"\n[experiment]\nmodes = ["neutrino"]\n'
                 'off_target = true\n[simulation]\nn_events = 300\n')
    code, out, err = in_process(monkeypatch, capsys, "run", str(p))
    assert code == 0, err
    line = next(x for x in out.splitlines() if "off-target" in x and "POT" in x)
    assert "not modelled" in line and "signal events" not in line and "no excess" not in line
