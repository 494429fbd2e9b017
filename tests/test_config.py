"""Run configs (io/config.py): defaults, examples, and errors that name the key and what is allowed."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from darkbeam.errors import InputError
from darkbeam.io.config import default_config, fit_bounds, load_config, mass_grid, parse_config

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.toml"))


def _cfg(**sections):
    base = {"model": {"name": "muphilic-scalar", "m_phi": "1 MeV", "g_mu": 5e-3, "g_n": 1e-2, "lam": "4.4e-4 /MeV"}}
    base.update(sections)
    return base


def test_default_is_the_scalar_benchmark():
    cfg = default_config()
    m = cfg.build_model()
    assert m.name == "muphilic-scalar"
    assert m.m_phi == pytest.approx(1.0) and m.m_zprime == pytest.approx(49.0)
    # seed 000 Table I: g_mu g_n lambda = 2.2e-8 /MeV (internal unit MeV)
    assert m.g_mu * m.g_n * m.lam == pytest.approx(2.2e-8, rel=1e-12)
    assert cfg.experiment.modes == ["neutrino", "antineutrino"]
    assert cfg.analysis.observables == ["E_vis", "cos_theta"]
    # POT default from the experiment catalogue
    assert cfg.pot("neutrino") == pytest.approx(18.75e20) and cfg.pot("off-target") == pytest.approx(1.86e20)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_parse(path):
    # examples of plugin models (examples/plugins/*.py) need their plugin, as DARKBEAM_PLUGINS gives it
    from darkbeam.models.plugins import load_plugins

    load_plugins(":".join(str(p) for p in sorted((path.parent / "plugins").glob("*.py"))))
    cfg = load_config(path)
    cfg.build_model()


def test_examples_present():
    names = {p.stem for p in EXAMPLES}
    assert {"scalar", "pseudoscalar", "idm_single", "idm_double", "dark_neutrino_bpa"} <= names


def test_pot_override_and_simulation_override():
    cfg = parse_config(_cfg(experiment={"pot": {"neutrino": 1e20}}))
    assert cfg.pot("neutrino") == 1e20 and cfg.pot("antineutrino") == pytest.approx(11.27e20)
    small = cfg.with_simulation(n_mesons=1000, n_events=None)
    assert small.simulation.n_mesons == 1000 and small.simulation.n_events == cfg.simulation.n_events


@pytest.mark.parametrize(
    "sections, key, allowed",
    [
        ({"simulation": {"n_mesonz": 10}}, "simulation.n_mesonz", "n_mesons"),
        ({"analysis": {"observable": ["E_vis"]}}, "analysis.observable", "observables"),
        ({"modle": {}}, "modle", "model"),
        ({"analysis": {"observables": ["E_visible"]}}, "analysis.observables", "E_vis"),
        ({"analysis": {"stat": "poisson"}}, "analysis.stat", "cnp"),
        ({"experiment": {"name": "superk"}}, "experiment", "miniboone"),
        ({"experiment": {"pot": {"stopped": 1e20}}}, "experiment.pot.stopped", "neutrino"),
        ({"fit": {"parameter": "m_phi"}}, "fit.parameter", "g_n"),
        ({"fit": {"masses": {"g_n": ["1 MeV"]}}}, "fit.masses", "m_phi"),
        ({"simulation": {"n_events": 0}}, "simulation.n_events", "greater than 0"),
    ],
)
def test_errors_name_key_and_allowed(sections, key, allowed):
    with pytest.raises(InputError) as exc:
        parse_config(_cfg(**sections))
    msg = str(exc.value)
    assert key in msg and allowed in msg


def test_unknown_model_lists_models():
    with pytest.raises(InputError) as exc:
        parse_config({"model": {"name": "axion-thing"}})
    assert "model.name" in str(exc.value) and "muphilic-scalar" in str(exc.value)


def test_missing_unit_and_unknown_parameter():
    with pytest.raises(InputError, match="m_phi.*unit"):
        parse_config({"model": {"name": "muphilic-scalar", "m_phi": "1"}})
    with pytest.raises(InputError, match="lam.*1/energy"):
        parse_config({"model": {"name": "muphilic-scalar", "lam": "4.4e-4 MeV"}})
    with pytest.raises(InputError) as exc:
        parse_config({"model": {"name": "muphilic-scalar", "g_nn": 1e-2}})
    assert "g_nn" in str(exc.value) and "g_n" in str(exc.value)


def test_missing_model_section():
    with pytest.raises(InputError, match="'model'.*required"):
        parse_config({"simulation": {"seed": 1}})


def test_preset_fixes_fit_parameter():
    with pytest.raises(InputError, match="preset"):
        parse_config({"model": {"name": "dark-neutrino", "preset": "BP-A"}, "fit": {"parameter": "epsilon"}})


def test_fit_bounds_and_mass_grid_units():
    cfg = parse_config(_cfg(fit={"parameter": "lam", "bounds": ["1e-6 /MeV", "1e-2 /GeV"],
                                 "masses": {"m_phi": ["1 MeV", "0.005 GeV"]}}))
    m = cfg.build_model()
    lo, hi = fit_bounds(cfg, m)
    assert lo == pytest.approx(1e-6) and hi == pytest.approx(1e-5)  # 1e-2 /GeV = 1e-5 /MeV
    assert mass_grid(cfg, m) == {"m_phi": [pytest.approx(1.0), pytest.approx(5.0)]}
    with pytest.raises(InputError, match="fit.bounds"):
        fit_bounds(parse_config(_cfg(fit={"parameter": "g_n", "bounds": [1.0, 0.1]})), m)
    # default bounds: a wide band around the config value
    lo, hi = fit_bounds(parse_config(_cfg(fit={"parameter": "g_n"})), m)
    assert math.isclose(lo, 1e-8) and math.isclose(hi, 10.0)


def test_toml_file_errors(tmp_path):
    with pytest.raises(InputError, match="existing TOML file"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\nname = 1\n")
    with pytest.raises(InputError, match="valid TOML"):
        load_config(bad)
    good = tmp_path / "good.toml"
    good.write_text('[model]\nname = "muphilic-pseudoscalar"\nm_a = "2 MeV"\ng_mu = 1e-2\n')
    assert load_config(good).build_model().m_a == pytest.approx(2.0)


# --- an experiment whose only run is off-target (MiniBooNE-DM at the BNB steel dump) ----------------------------
def test_off_target_only_experiment_runs_that_mode():
    """miniboone-dm's beam "bnb-off-target" has only the "off-target" mode: a config without modes runs it, and
    off_target defaults to false (the run is the main prediction, not a side record)."""
    from darkbeam.detectors.catalog import BEAMS, get_experiment
    from darkbeam.io.config import OFF_TARGET, experiment_modes

    exp = get_experiment("miniboone-dm")
    assert list(BEAMS.get(exp.beam).focusing_modes) == [OFF_TARGET] == list(exp.pot)
    assert experiment_modes("miniboone-dm") == [OFF_TARGET]
    for section in ({"name": "miniboone-dm"}, {"name": "miniboone-dm", "modes": [OFF_TARGET]}):
        cfg = parse_config(_cfg(experiment=section))
        assert cfg.experiment.modes == [OFF_TARGET] and cfg.experiment.off_target is False
        assert cfg.pot(OFF_TARGET) == pytest.approx(1.86e20)
    cfg = parse_config(_cfg(experiment={"name": "miniboone-dm", "pot": {OFF_TARGET: 1e20}}))
    assert cfg.pot(OFF_TARGET) == 1e20
    cfg = load_config(Path(__file__).parent.parent / "examples" / "vector_portal_dm_miniboone.toml")
    assert cfg.experiment.name == "miniboone-dm" and cfg.experiment.modes == [OFF_TARGET]


def test_off_target_as_a_mode_is_refused_where_the_experiment_has_horn_modes():
    """MiniBooNE keeps its off-target run as the record of off_target = true (unchanged); listing it as a mode,
    or asking for the same run twice at MiniBooNE-DM, is an error naming the key."""
    cfg = parse_config(_cfg())  # MiniBooNE default: horn modes, off-target record on
    assert cfg.experiment.modes == ["neutrino", "antineutrino"] and cfg.experiment.off_target is True
    with pytest.raises(InputError) as e:
        parse_config(_cfg(experiment={"name": "miniboone", "modes": ["neutrino", "off-target"]}))
    assert "experiment.modes" in str(e.value) and "off_target = true" in str(e.value)
    with pytest.raises(InputError) as e:
        parse_config(_cfg(experiment={"name": "miniboone-dm", "modes": ["off-target"], "off_target": True}))
    assert "experiment.off_target" in str(e.value)
    with pytest.raises(InputError) as e:  # a mode the experiment does not run
        parse_config(_cfg(experiment={"name": "miniboone-dm", "modes": ["neutrino"]}))
    assert "experiment.modes" in str(e.value) and "off-target" in str(e.value)
    with pytest.raises(InputError) as e:  # an off-target-only beam elsewhere: no such run at MicroBooNE
        parse_config(_cfg(experiment={"name": "microboone", "modes": ["off-target"]}))
    assert "experiment.modes" in str(e.value)
