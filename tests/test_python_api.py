"""darkbeam from Python (issue 9, "a newcomer's first hour"): the top-level API and docs/python.md.

Every ```python block of docs/python.md runs here as written (small samples), in one namespace, from the
repository root; the functions return the same dicts as the command line's --json.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import darkbeam
from darkbeam.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "python.md"
SMALL = {"n_mesons": 20_000, "n_events": 2_000}


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_docs_python_md_code_blocks_run(monkeypatch, capsys):
    blocks = _blocks()
    assert len(blocks) >= 8  # models, errors, predict x4, fit, flux
    monkeypatch.chdir(ROOT)  # the examples use paths relative to the repository root
    ns: dict = {}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/python.md block {i + 1}", "exec"), ns)  # noqa: S102
        except Exception as exc:  # noqa: BLE001  (any failure: the message names the block)
            pytest.fail(f"docs/python.md block {i + 1} fails: {type(exc).__name__}: {exc}\n{code}")
    printed = capsys.readouterr().out
    assert "miniboone ['neutrino', 'antineutrino']" in printed
    assert "signal-only ['neutrino']" in printed
    assert "before decays in flight" in printed


def test_top_level_names_are_lazy_and_documented():
    for name in ("model", "predict", "fit", "flux"):
        assert name in darkbeam.__all__ and name in dir(darkbeam)
        assert callable(getattr(darkbeam, name)) and getattr(darkbeam, name).__doc__
    # `import darkbeam` stays light: the API module (and numpy-heavy physics) load on first use
    code = "import sys, darkbeam; print('darkbeam.api' in sys.modules, 'darkbeam.inference.predict' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "False"]


def test_model_units_as_on_the_command_line():
    m = darkbeam.model("muphilic-scalar", m_phi="5 MeV", g_mu=5e-3, lam="4.4e-4 /MeV")
    assert m.values["m_phi"] == 5.0 and m.values["lam"] == pytest.approx(4.4e-4) and m.values["g_mu"] == 5e-3
    with pytest.raises(InputError) as e:
        darkbeam.model("muphilic-scalar", m_phi=5)  # a bare number for a mass
    assert e.value.field == "muphilic-scalar.m_phi" and "unit" in str(e.value)
    with pytest.raises(InputError, match="m_ph"):
        darkbeam.model("muphilic-scalar", m_ph="5 MeV")  # unknown parameter: named, with the allowed ones


def test_predict_is_the_run_json(tmp_path, monkeypatch, capsys):
    from darkbeam.cli import main

    cfg = tmp_path / "c.toml"
    cfg.write_text('[model]\nname = "muphilic-scalar"\nm_phi = "1 MeV"\nm_zprime = "49 MeV"\ng_mu = 5e-3\n'
                   'g_n = 6.2e-4\nlam = "4.4e-4 /MeV"\n[experiment]\nmodes = ["neutrino"]\noff_target = false\n'
                   '[simulation]\nn_mesons = 20000\nn_events = 2000\nseed = 4\n')
    py = darkbeam.predict(cfg)
    monkeypatch.setattr(sys, "argv", ["darkbeam", "run", str(cfg), "--json"])
    main()
    cli = json.loads(capsys.readouterr().out)
    assert set(py) == set(cli) and "best_fit" not in py
    assert py["chi2"] == pytest.approx(cli["chi2"], rel=1e-12)
    assert py["signal_events"] == pytest.approx(cli["signal_events"], rel=1e-12)
    # the same point given as a model (default experiment: MiniBooNE in its own modes)
    m = darkbeam.model("muphilic-scalar", m_phi="1 MeV", m_zprime="49 MeV", g_mu=5e-3, g_n=6.2e-4,
                       lam="4.4e-4 /MeV")
    from_model = darkbeam.predict(m, modes=["neutrino"], off_target=False, seed=4, **SMALL)
    assert from_model["signal_events"] == pytest.approx(py["signal_events"], rel=1e-12)


def test_fit_and_flux_are_the_cli_json(monkeypatch, capsys):
    from darkbeam.cli import main

    def cli(*args):
        monkeypatch.setattr(sys, "argv", ["darkbeam", *args, "--json"])
        main()
        return json.loads(capsys.readouterr().out)

    fx = darkbeam.flux(species="nu_mu", n_mesons=20_000, seed=2, compare=True)
    assert fx["edges_GeV"] == pytest.approx(cli("flux", "--n-mesons", "20000", "--seed", "2", "--compare")["edges_GeV"])
    assert fx["integrated"]["value"] == pytest.approx(
        cli("flux", "--n-mesons", "20000", "--seed", "2")["integrated"]["value"], rel=1e-12)
    with pytest.raises(InputError, match="dark-boson species"):
        darkbeam.flux(species="nu_mu", model=darkbeam.model("muphilic-scalar", m_phi="1 MeV"))
    res = darkbeam.fit(None, modes=["neutrino"], off_target=False, **SMALL)
    assert res["status"] == "fit" and res["chi2"] < res["chi2_background_only"] and res["ndof"] == 42


def test_predict_rejects_unknown_inputs():
    with pytest.raises(InputError, match="config_or_model"):
        darkbeam.predict(42)
    with pytest.raises(InputError, match="experiment"):
        darkbeam.predict(darkbeam.model("muphilic-scalar", m_phi="1 MeV"), experiment="nowhere")
