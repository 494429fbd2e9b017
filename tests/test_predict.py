"""Prediction + χ² glue (inference/predict.py) and the dark-neutrino signal sample."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.errors import InputError
from darkbeam.inference.chi2 import chi2_spectrum
from darkbeam.inference.predict import Predictor, binning, coupling_product
from darkbeam.io.config import parse_config
from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal

SMALL = {"n_mesons": 20_000, "n_events": 2_000, "seed": 7}


def _scalar_cfg(**over):
    d = {"model": {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3, "g_n": 1e-2,
                   "lam": "4.4e-4 /MeV"},
         "simulation": SMALL, "fit": {"parameter": "g_n", "bounds": [1e-6, 1.0]}}
    d.update(over)
    return parse_config(d)


@pytest.fixture(scope="module")
def pred():
    p = Predictor(_scalar_cfg(experiment={"off_target": True}))
    p.predict()  # build and cache the samples once
    return p


def test_fast_weights_equal_sample_weights(pred):
    m2 = pred.model.replace(g_mu=2e-2, lam=3e-3, g_n=0.3)  # survival changes with g_mu, lam
    for mode in pred.config.experiment.modes:
        v = pred.view(mode)
        w_fast, w_ref = v.weights(m2, 2.0), v.sample.weights(m2, 2.0)
        assert np.allclose(w_fast, w_ref, rtol=1e-13, atol=0)
        b = binning(mode, "E_vis", None)
        assert np.allclose(v.histogram(b, w_fast), v.sample.histogram("E_vis", b.edges, m2, 2.0), rtol=1e-12)
    with pytest.raises(InputError, match="m_phi"):
        pred.view("neutrino").weights(pred.model.replace(m_phi=2.0))


def test_eqe_window_applied_to_neutrino_spectra(pred):
    v = pred.view("neutrino")
    s = v.sample
    w = v.weights(pred.model, pred.config.pot("neutrino"))
    h = pred.signals()[("neutrino", "E_vis")]
    edges = binning("neutrino", "E_vis").edges
    sel = (s.E_QE >= 200) & (s.E_QE < 1250) & (s.E_vis >= edges[0]) & (s.E_vis <= edges[-1])
    assert h.sum() == pytest.approx(w[sel].sum(), rel=1e-12)
    assert h.sum() < w.sum()
    # antineutrino-mode E_vis data have no E_QE window
    assert binning("antineutrino", "E_vis").eqe_window is None


def test_prediction_contract_and_chi2(pred):
    out = pred.predict()
    for key in ("experiment", "mode", "signal_events", "spectra", "chi2", "ndof", "modes", "off_target",
                "coupling_product", "chi2_background_only"):
        assert key in out
    assert out["mode"] == "neutrino"
    assert set(out["spectra"]) == {"E_vis", "cos_theta"}
    assert set(out["modes"]["antineutrino"]["spectra"]) == {"E_vis"}  # no nubar cos_theta data
    assert out["ndof"] == 23 + 20 + 19
    assert out["coupling_product"]["value"] == pytest.approx(2.2e-8, rel=1e-12)
    # χ² is the sum of the independent pieces, each computed with the chi2 module
    sig = pred.signals()
    manual = sum(chi2_spectrum(sig[k], *k).chi2 for k in sig)
    assert out["chi2"] == pytest.approx(manual, rel=1e-12)
    o = out["off_target"]
    assert o["pot"] == pytest.approx(1.86e20) and np.isfinite(o["signal_events"]) and o["signal_events"] >= 0
    # signal scales as g_n² at fixed g_mu, λ (no g_n in the φ width): exact re-weighting
    t1 = pred.totals()["neutrino"]["all"]
    t2 = pred.totals(pred.model.replace(g_n=3e-2))["neutrino"]["all"]
    assert t2 / t1 == pytest.approx(9.0, rel=1e-12)


def test_eqe_observable_uses_combined_release():
    p = Predictor(_scalar_cfg(analysis={"observables": ["E_QE"]}))
    r = p.chi2()
    assert r.n_bins == 38 and list(r.parts) == ["combined/E_QE"]
    p2 = Predictor(_scalar_cfg(analysis={"observables": ["E_QE"], "eqe_combined": False}))
    assert p2.chi2().n_bins == 2 * 19


def test_fit_recovers_injected_signal():
    """Pseudo-data = background + c_true² × template: the re-weighting fit finds c_true, χ² ≈ 0."""
    cfg = _scalar_cfg(experiment={"modes": ["neutrino"], "off_target": False},
                      analysis={"observables": ["E_vis", "cos_theta"]})
    p = Predictor(cfg)
    tpl = p.signals()
    c_true = np.sqrt(500.0 / tpl[("neutrino", "E_vis")].sum())  # ~500 signal events injected
    p.pseudo_data = {k: binning(*k).background + c_true**2 * v for k, v in tpl.items()}
    res = p.fit()
    g_ref = p.model.g_n
    assert res.value == pytest.approx(c_true * g_ref, rel=1e-3)
    assert res.chi2 < 1e-4 and res.ndof == 43 - 1
    assert res.chi2_null > 50
    assert res.coupling_product["value"] == pytest.approx(c_true * 2.2e-8, rel=1e-3)
    assert res.power == pytest.approx(2.0, rel=1e-9)


def test_fit_on_data_improves_on_background():
    p = Predictor(_scalar_cfg(experiment={"modes": ["neutrino"], "off_target": False}))
    res = p.fit()
    assert res.chi2 < res.chi2_null and res.ndof == 42
    assert 1e-6 <= res.value <= 1.0
    d = res.to_dict()
    for key in ("best_fit", "chi2", "ndof", "chi2_per_dof", "pvalue"):
        assert key in d
    assert d["chi2_per_dof"] == pytest.approx(res.chi2 / res.ndof)


def test_coupling_products():
    single = get_model("vector-idm", {"eps1": 6e-5, "g_prime": str(np.sqrt(4 * np.pi))})
    assert coupling_product(single)["value"] == pytest.approx(3.6e-9, rel=1e-9)  # ε2 = ε1
    double = get_model("vector-idm", {"m_v2": "200 MeV", "m_chi_prime": "50 MeV", "eps1": 7e-5, "eps2": 1e-4,
                                      "g_prime": str(np.sqrt(2 * np.pi))})
    assert coupling_product(double)["value"] == pytest.approx(3.5e-9, rel=1e-9)


def test_experiment_without_data_is_refused():
    # signal-only predictions are allowed (tests/test_lar_predictions.py); fits and χ² are refused
    cfg = parse_config({"model": {"name": "muphilic-scalar", "g_mu": 1e-3}, "experiment": {"name": "microboone",
                                                                                         "modes": ["neutrino"]},
                        "fit": {"parameter": "g_n"}})
    pred = Predictor(cfg)
    assert pred.signal_only
    with pytest.raises(InputError, match="experiment with packaged data"):
        pred.fit()


# --- dark-neutrino signal sample -------------------------------------------------------------------------


def _rel_err(w):
    return float(np.sqrt(np.sum(w**2)) / np.sum(w))


def test_dark_neutrino_reweighting_matches_regeneration():
    m = get_model("dark-neutrino", {"m4": "150 MeV", "Umu4": "1e-3", "UD4": "0.9", "epsilon": "1e-2"})
    s = build_signal(m, n_events=3000, seed=3)
    assert s.total() > 0 and not s.note
    assert np.array_equal(s.weights(m), s.base_weight)
    for change in ({"epsilon": 2e-2}, {"Umu4": 3e-3}, {"gD": 0.5}):
        m2 = m.replace(**change)
        w_rw = s.weights(m2)
        s2 = build_signal(m2, n_events=3000, seed=4)
        w_new = s2.weights()
        tol = 4 * np.hypot(_rel_err(w_rw), _rel_err(w_new))
        assert np.sum(w_rw) == pytest.approx(np.sum(w_new), rel=tol), change
    with pytest.raises(InputError, match="m4"):
        s.weights(m.replace(m4=160.0))
    with pytest.raises(InputError, match="HNLtype"):
        s.weights(m.replace(HNLtype="dirac"))


def test_dark_neutrino_off_target_is_empty_with_reason():
    m = get_model("dark-neutrino", {"m4": "150 MeV"})
    s = build_signal(m, mode="off-target", n_events=100)
    assert s.total() == 0.0 and "off-target" in s.note


def test_mass_grid_scan_regenerates_per_point():
    cfg = _scalar_cfg(experiment={"modes": ["neutrino"], "off_target": False},
                      simulation={"n_mesons": 5000, "n_events": 500, "seed": 1},
                      fit={"parameter": "g_n", "bounds": [1e-6, 1.0], "masses": {"m_phi": ["1 MeV", "5 MeV"]}})
    res = Predictor(cfg).fit()
    assert [s["point"]["m_phi"] for s in res.scan] == [pytest.approx(1.0), pytest.approx(5.0)]
    assert res.chi2 == pytest.approx(min(s["chi2"] for s in res.scan))
    assert res.ndof == 43 - 2  # coupling + one mass axis
    assert res.model.m_phi == pytest.approx(res.masses["m_phi"])
