"""Flux folding and event generation for dark neutrinos at BNB detectors."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.detectors.catalog import get_experiment
from darkbeam.kinematics.fourvec import mass
from darkbeam.models import get_model
from darkbeam.pipeline import dark_neutrino as pdn


def test_flux_nodes_integrate_the_histogram():
    from darkbeam.data import official_bnb_flux

    _E, w = pdn.flux_nodes("miniboone", "neutrino", "nu_mu")
    fl = official_bnb_flux("neutrino")
    assert w.sum() == pytest.approx(np.sum(fl["nu_mu"] * np.diff(fl["edges_GeV"])), rel=1e-12)
    _E2, w2 = pdn.flux_nodes("microboone", "neutrino", "nu_mu")
    assert w2.sum() / w.sum() == pytest.approx((541 / 470) ** 2, rel=1e-12)


def test_microboone_rates_bp():
    m = get_model("dark-neutrino", {"preset": "BP-A"})
    r = pdn.event_rates(m, "microboone", "neutrino")
    n5 = r["N5"]
    assert n5["total"] == pytest.approx(n5["coherent"] + n5["p-el"])
    assert 0.3 < n5["coherent"] / n5["total"] < 0.7
    # V_34 = 0 in BP-A (left-right symmetry): only the SM Z (via U_mu4) upscatters into N4
    assert r["N4"]["total"] < 1e-4 * n5["total"]
    # rate ∝ POT
    r2 = pdn.event_rates(m, "microboone", "neutrino", pot=2 * 13.6e20)
    assert r2["N5"]["total"] == pytest.approx(2 * n5["total"], rel=1e-12)


def test_generate_events_weights_and_kinematics():
    m = get_model("dark-neutrino", {"preset": "BP-B"})
    ev = pdn.generate_events(m, "miniboone", hnl=1, daughter=0, n_events=4000, seed=5)
    assert len(ev) == 4000 and np.all(np.isfinite(ev.w)) and np.all(ev.w >= 0)
    assert np.allclose(ev.p_em + ev.p_ep + ev.p_daughter, ev.p_hnl, atol=1e-6)
    mee = mass(ev.p_em + ev.p_ep)
    assert mee.max() <= m.hnl_masses[1] - m.hnl_masses[0] + 1e-6
    # decays are contained in the detector volume (6.106 m sphere; the efficiency applies the fiducial cut)
    assert np.all(np.linalg.norm(ev.x_dec, axis=1) <= get_experiment("miniboone").geometry.radius + 1e-6)
    # Σw = rate × BR × <P(decay inside)>
    assert ev.total() <= ev.info["upscatterings"] * ev.info["branching_ratio"] * (1 + 1e-12)
    # Q² sample follows dσ/dQ²: mean Q² of coherent events far below proton-elastic
    coh, pel = ev.regime == "coherent", ev.regime == "p-el"
    assert ev.Q2[coh].mean() < ev.Q2[pel].mean()


@pytest.mark.parametrize("experiment", ["dune-nd", "microboone-numi"])
def test_off_bnb_experiment_says_not_predicted_not_zero_rate(experiment):
    """Off the BNB the upscattering has no flux table to fold: the zero says so (it used to claim that no HNL
    was upscattered, as if the rate had been computed)."""
    from darkbeam.pipeline.signal import build_signal

    model = get_model("dark-neutrino")
    s = build_signal(model, experiment, "neutrino", n_mesons=1000, n_events=100, seed=1)
    assert np.sum(s.weights(model)) == 0.0
    assert "not predicted" in s.note and get_experiment(experiment).beam in s.note
    assert "upscattered" not in s.note
