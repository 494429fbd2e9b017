"""No silent wrong answers in predictions: POT and exposure, warnings, parameter conflicts, notes."""

from __future__ import annotations

import copy

import pytest

from darkbeam.errors import InputError
from darkbeam.inference.predict import Predictor
from darkbeam.io.config import parse_config
from darkbeam.models import get_model

SIM = {"n_mesons": 20000, "n_events": 2000, "seed": 3}
#: the seed-000 scalar benchmark at darkbeam's MiniBooNE best fit (g_mu g_n lambda = 1.35e-9 /MeV)
SCALAR = {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 6.136e-4,
          "lam": "4.4e-4 /MeV"}


def _cfg(model=None, experiment=None, simulation=None):
    return {"model": dict(model or SCALAR),
            "experiment": {"modes": ["neutrino"], "off_target": False, **(experiment or {})},
            "simulation": {**SIM, **(simulation or {})}}


@pytest.fixture(scope="module")
def scalar_prediction():
    return Predictor(parse_config(_cfg())).predict()


# --- item 4: POT --------------------------------------------------------------------------------

def test_pot_override_chi2_at_the_data_exposure(scalar_prediction):
    ref = scalar_prediction
    assert ref["pot_for_chi2"] == {"neutrino": pytest.approx(18.75e20)}
    assert not any("POT" in n for n in ref["notes"])
    big = Predictor(parse_config(_cfg(experiment={"pot": {"neutrino": 1e30}}))).predict()
    # signal events for the requested POT ...
    assert big["signal_events"] / ref["signal_events"] == pytest.approx(1e30 / 18.75e20, rel=1e-9)
    assert big["modes"]["neutrino"]["pot"] == 1e30
    # ... the chi2 against data at the data's exposure (was 2.8e18 at 1e30 POT)
    assert big["chi2"] == pytest.approx(ref["chi2"], rel=1e-9)
    assert big["pot_for_chi2"] == {"neutrino": pytest.approx(18.75e20)}
    assert big["modes"]["neutrino"]["pot_for_chi2"] == pytest.approx(18.75e20)
    assert any("differs from the data's exposure" in n for n in big["notes"])


def test_pot_override_is_stated_in_the_text():
    from darkbeam.cli import _run_text

    out = Predictor(parse_config(_cfg(experiment={"pot": {"neutrino": 1e21}}))).predict()
    text = _run_text(out)
    assert "at the data's exposure: neutrino 1.875e+21 POT" in text
    assert "differs from the data's exposure" in text


@pytest.mark.parametrize("experiment,key,needle", [
    ({"pot": {"neutrino": "1e20"}}, "experiment.pot.neutrino", "not a string"),
    ({"pot": {"antineutrino": 1e20}}, "experiment.pot.antineutrino", "mode that is run"),
    ({"pot": {"off-target": 1e20}}, "experiment.pot.off-target", "off_target = true"),
    ({"pot": {"neutrino": float("inf")}}, "experiment.pot.neutrino", "positive"),
])
def test_bad_pot_in_config(experiment, key, needle):
    with pytest.raises(InputError) as e:
        parse_config(_cfg(experiment=experiment))
    assert key in str(e.value) and needle in str(e.value)


def test_off_target_pot_accepted_when_off_target_runs():
    cfg = parse_config(_cfg(experiment={"off_target": True, "pot": {"off-target": 1e20}}))
    assert cfg.pot("off-target") == 1e20


# --- items 5, 6: warnings -----------------------------------------------------------------------

def test_no_warnings_near_the_best_fit(scalar_prediction):
    assert scalar_prediction["warnings"] == []
    st = scalar_prediction["modes"]["neutrino"]["mc_statistics"]
    assert st["mc_error_over_data_error"] < Predictor.MC_ERROR_FRACTION and st["mc_events"] > 1000


def test_chi2_far_worse_than_background_is_flagged():
    cfg = _cfg(model={**SCALAR, "g_n": 1e-2}, simulation={"n_events": 20000})
    out = Predictor(parse_config(cfg)).predict()
    assert out["chi2"] > out["chi2_background_only"] + 25
    assert any("far worse than background only" in w for w in out["warnings"])
    from darkbeam.cli import _run_text

    assert "WARNING: chi2" in _run_text(out)


def test_mc_statistics_warning_with_one_event():
    out = Predictor(parse_config(_cfg(simulation={"n_events": 1}))).predict()
    st = out["modes"]["neutrino"]["mc_statistics"]
    assert st["mc_events"] < Predictor.MC_MIN_EVENTS
    assert st["mc_error_over_data_error"] > Predictor.MC_ERROR_FRACTION
    assert any(w.startswith("MC statistics: neutrino-mode") for w in out["warnings"])


def test_signal_only_mc_warning():
    cfg = _cfg(experiment={"name": "sbnd"}, simulation={"n_events": 1})
    out = Predictor(parse_config(cfg)).predict()
    assert out["analysis"] == "signal-only"
    # one MC event: either a large relative MC error, or (if the response rejects it) a zero that says so
    assert any("relative MC error" in w or "no accepted MC event" in w for w in out["warnings"])
    ok = Predictor(parse_config(_cfg(experiment={"name": "sbnd"}))).predict()
    assert ok["warnings"] == []


# --- item 3: parameter conflicts of dark neutrinos ----------------------------------------------

@pytest.mark.parametrize("settings,needles", [
    ({"preset": "BP-A", "m4": "100 MeV"}, ("dark-neutrino.m4", "preset=BP-A")),
    ({"preset": "BP-B", "epsilon": "0.1", "mzprime": "1 GeV"}, ("preset=BP-B", "mzprime, epsilon")),
    ({"preset": "BP-A", "Umu4": "1e-2"}, ("dark-neutrino.Umu4", "preset=BP-A")),
    ({"preset": "BP-A", "alphaD": "0.1"}, ("dark-neutrino.alphaD", "preset")),
    ({"gD": "1", "alphaD": "0.3"}, ("dark-neutrino.alphaD", "gD", "not both")),
])
def test_dark_neutrino_conflicts_are_errors(settings, needles):
    with pytest.raises(InputError) as e:
        get_model("dark-neutrino", settings)
    for n in needles:
        assert n in str(e.value)


def test_dark_neutrino_single_specifications_still_work():
    a = get_model("dark-neutrino", {"preset": "BP-A"})
    assert a.values["m4"] == pytest.approx(35.0, rel=0.05)
    # re-weighting copies of a preset model keep working (derived values are not "given")
    b = a.replace(majorana_phases="real")
    assert b.values["m4"] == pytest.approx(a.values["m4"], rel=1e-12)
    with pytest.raises(InputError, match="preset"):
        a.replace(epsilon=0.1)
    # the same value as the preset's (e.g. a saved parameter set, or the sample cache) is no conflict
    same = get_model("dark-neutrino", {"preset": "BP-A", "m4": f"{a.values['m4']!r} MeV",
                                       **{k: repr(a.values[k]) for k in ("epsilon", "gD")}})
    assert same.values == a.values
    assert type(a)(**a.values).values == a.values
    g = get_model("dark-neutrino", {"alphaD": "0.25"})
    assert g.values["gD"] == pytest.approx((4 * 3.141592653589793 * 0.25) ** 0.5)  # JSON shows the gD used
    assert g.replace(epsilon=0.02).couplings.gD == pytest.approx(g.couplings.gD)
    h = get_model("dark-neutrino", {"gD": "0.5"})
    assert h.values["alphaD"] == pytest.approx(0.25 / (4 * 3.141592653589793))
    assert h.replace(gD=0.7).couplings.gD == pytest.approx(0.7)
    # a full parameter set (gD and alphaD consistent) round-trips, and re-weights in gD
    full = type(h)(**h.values)
    assert full.couplings.gD == pytest.approx(0.5) and full.replace(gD=0.7).couplings.gD == pytest.approx(0.7)


def test_fit_of_a_parameter_a_preset_fixes_is_a_config_error():
    with pytest.raises(InputError) as e:
        parse_config({"model": {"name": "dark-neutrino", "preset": "BP-A"}, "fit": {"parameter": "gD"}})
    assert "fit.parameter" in str(e.value) and "preset" in str(e.value)


# --- item 9: notes ------------------------------------------------------------------------------

def test_single_mediator_idm_states_effective_eps2():
    idm = {"name": "vector-idm", "m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": 6e-5,
           "amplitude": "lepton"}
    out = Predictor(parse_config(_cfg(model=idm, simulation={"n_mesons": 5000, "n_events": 500}))).predict()
    assert out["model"]["parameters"]["eps2"] == 0.0
    assert out["model"]["effective"]["eps2"] == pytest.approx(6e-5)
    assert any("eps2 = eps1" in n for n in out["notes"])


def test_dark_neutrino_flux_scaling_is_stated_at_lartpcs():
    cfg = _cfg(model={"name": "dark-neutrino", "preset": "BP-A"}, experiment={"name": "sbnd"},
               simulation={"n_events": 300})
    out = Predictor(parse_config(cfg)).predict()
    note = next(n for n in out["notes"] if n.startswith("dark-neutrino flux"))
    assert "(541 m / L)^2" in note and "L = 110 m" in note and f"{(541 / 110) ** 2:.4g}" in note
    mb = Predictor(parse_config(_cfg(model={"name": "dark-neutrino", "preset": "BP-A"},
                                     simulation={"n_events": 300}))).predict()
    assert not any("scaled" in n for n in mb["notes"] if n.startswith("dark-neutrino flux"))


def test_dark_neutrino_off_target_not_modelled():
    cfg = _cfg(model={"name": "dark-neutrino", "preset": "BP-A"}, experiment={"off_target": True},
               simulation={"n_events": 300})
    o = Predictor(parse_config(cfg)).predict()["off_target"]
    assert o["modelled"] is False and "signal_events" not in o and "not modelled" in o["note"]


def test_off_target_pot_differing_from_the_run_is_noted():
    cfg = copy.deepcopy(_cfg(experiment={"off_target": True, "pot": {"off-target": 1e21}},
                             simulation={"n_mesons": 5000, "n_events": 500}))
    o = Predictor(parse_config(cfg)).off_target()
    assert o["pot"] == 1e21 and "1.86e+20" in o["pot_note"]


def test_off_target_sources_sit_at_the_absorber_491_m_from_miniboone():
    """Issue 9 item 8: off-target fluxes use the dump geometry (mesons made in the absorber at the end of the
    50 m decay region, ~491 m from the detector; the record quotes 490 m), not the 541 m target distance."""
    import numpy as np

    from darkbeam.pipeline.boson_flux import iter_boson_sources

    m = get_model("vector-idm", {})
    z, w = [], []
    for xs, _pp, _lab in iter_boson_sources(m, "miniboone", "off-target", n_mesons=5000,
                                            rng=np.random.default_rng(1)):
        z.append(xs.x[:, 2])
        w.append(xs.w)
    zz = np.concatenate(z) / 1000.0
    assert np.average(zz, weights=np.concatenate(w)) == pytest.approx(50.0, abs=0.5)
    assert 541.0 - np.average(zz, weights=np.concatenate(w)) == pytest.approx(491.0, abs=1.0)


def test_reweighting_from_a_zero_coupling_is_refused():
    """A sample made at g_e = 0 has no π/K → eνφ events and no φ → e⁺e⁻ decays: re-weighting it to g_e > 0 would
    silently leave them out (a fresh sample at g_e = g_μ differs by an order of magnitude), so it is an error
    naming the coupling; re-weighting the other couplings still works."""
    from darkbeam.errors import InputError
    from darkbeam.models import get_model
    from darkbeam.pipeline.signal import build_signal

    m = get_model("muphilic-scalar", {"m_phi": "1 MeV", "g_mu": "5e-3", "g_n": "1e-2", "lam": "4.4e-4 /MeV"})
    assert m.g_e == 0.0
    s = build_signal(m, "miniboone", "neutrino", n_mesons=20_000, n_events=2_000, seed=1)
    assert s.total(m.replace(g_n=2e-2)) == pytest.approx(4 * s.total(m), rel=1e-12)
    with pytest.raises(InputError, match="g_e"):
        s.total(m.replace(g_e=5e-3))
