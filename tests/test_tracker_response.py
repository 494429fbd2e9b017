"""Segmented-scintillator tracker responses (MINERvA, NOvA ND): threshold, resolutions (statistical checks with
fixed seeds, tolerances from the sample size), topology efficiencies, registration and stated assumptions."""

from __future__ import annotations

import numpy as np
import pytest

from darkbeam.detectors.response import RESPONSES, LArTPCResponse, get_response
from darkbeam.detectors.response_tracker import (
    POLYSTYRENE_RM,
    POLYSTYRENE_X0,
    TRACKER_PARAMETERS,
    TrackerResponse,
    separation_from_shower_size,
    tracker_response,
)
from darkbeam.errors import InputError
from darkbeam.inference.multi_experiment import experiment_status

TRACKERS = ("minerva", "nova-nd")
M_E = 0.51099895


def photons(energies, theta: float = 0.0) -> np.ndarray:
    """(N, 4) photons (MeV) at polar angle ``theta`` to the beam."""
    e = np.asarray(energies, float)
    return np.column_stack([e, e * np.sin(theta), np.zeros_like(e), e * np.cos(theta)])


def electron(e_tot: float, theta: float, phi: float = 0.0) -> np.ndarray:
    p = np.sqrt(e_tot**2 - M_E**2)
    return np.array([[e_tot, p * np.sin(theta) * np.cos(phi), p * np.sin(theta) * np.sin(phi), p * np.cos(theta)]])


@pytest.mark.parametrize("name", TRACKERS)
def test_registered_runnable_and_states_its_approximations(name):
    assert name in RESPONSES
    r = get_response(name)
    assert isinstance(r, TrackerResponse) and isinstance(r, LArTPCResponse) and r.name == name
    ok, why = experiment_status(name)
    assert ok, why
    # every unconfirmed number is repeated as a warning, and the efficiency-1 upper bound is stated
    assert any("APPROXIMATE" in a for a in r.assumptions)
    assert any("upper bound" in a for a in r.assumptions)
    assert len([a for a in r.assumptions if "APPROXIMATE" in a]) == len(
        [k for k in TRACKER_PARAMETERS[name].approximate if k != "efficiency"])


@pytest.mark.parametrize("name", TRACKERS)
def test_threshold(name):
    r = get_response(name, smear=False)
    thr = TRACKER_PARAMETERS[name].threshold
    res = r(photons([0.99 * thr, 1.01 * thr, 3.0 * thr]))
    np.testing.assert_array_equal(res.accepted, [False, True, True])
    eff = TRACKER_PARAMETERS[name].efficiency
    np.testing.assert_allclose(res.weight, [0.0, eff, eff])
    assert "below" in r.explain_zero(np.array([0.5 * thr, 0.9 * thr]))


@pytest.mark.parametrize("name", TRACKERS)
def test_energy_resolution_statistically(name):
    """σ(E_reco/E_true) at 2 GeV equals a/√2 ⊕ b; the sample standard deviation of N Gaussian draws has a relative
    error 1/√(2N): 5 of those as tolerance (no events lost at the threshold at 2 GeV: 2 GeV is > 8 σ above it)."""
    p = TRACKER_PARAMETERS[name]
    n = 40000
    e0 = 2000.0
    r = get_response(name, seed=11)
    res = r(photons(np.full(n, e0)), rng=np.random.default_rng(11))
    expected = np.hypot(p.energy_stochastic / np.sqrt(e0 / 1000.0), p.energy_constant)
    measured = np.std(res.E_vis / e0 - 1.0)
    assert measured == pytest.approx(expected, rel=5.0 / np.sqrt(2 * n))
    assert np.mean(res.E_vis / e0 - 1.0) == pytest.approx(0.0, abs=5 * expected / np.sqrt(n))


@pytest.mark.parametrize("name", TRACKERS)
def test_angular_resolution_statistically(name):
    """The polar angle to the true direction is |N(0, σ)|: its RMS is σ (relative error 1/√(2N), 5 of them)."""
    sigma = TRACKER_PARAMETERS[name].angle_resolution
    n = 40000
    res = get_response(name)(photons(np.full(n, 3000.0)), rng=np.random.default_rng(5))
    theta = np.arccos(np.clip(res.cos_theta, -1, 1))
    assert np.sqrt(np.mean(theta**2)) == pytest.approx(sigma, rel=5.0 / np.sqrt(2 * n))


def test_separation_angle_from_moliere_radius_and_radiation_length():
    # polystyrene: atan(9.4 cm / 41.31 cm) = 12.82 degrees
    assert np.degrees(separation_from_shower_size(POLYSTYRENE_RM, POLYSTYRENE_X0)) == pytest.approx(12.82, abs=0.01)
    assert TRACKER_PARAMETERS["minerva"].separation_angle == separation_from_shower_size(POLYSTYRENE_RM,
                                                                                          POLYSTYRENE_X0)
    with pytest.raises(InputError):
        separation_from_shower_size(0.0, 1.0)


@pytest.mark.parametrize("name", TRACKERS)
def test_topologies_and_efficiencies(name):
    """An e+e- pair is one photon-like shower (1g) when its opening angle is below the tracker's separation angle,
    two showers (2sh) above it, and electron-like (1e) when one lepton is below the shower threshold; each accepted
    event carries its topology's efficiency (overridable)."""
    p = TRACKER_PARAMETERS[name]
    half_small, half_large = 0.3 * p.separation_angle, 0.7 * p.separation_angle  # opening 0.6 / 1.4 x separation
    e = 2.0 * p.threshold
    a = np.vstack([electron(e / 2, half_small), electron(e / 2, half_large), electron(e - 2.0, 0.05)])
    b = np.vstack([electron(e / 2, half_small, np.pi), electron(e / 2, half_large, np.pi),
                   electron(M_E + 0.5 * p.shower_threshold, 0.4)])
    r = get_response(name, smear=False)
    np.testing.assert_array_equal(r.classify(a, b), ["1g", "2sh", "1e"])
    res = r(a, b)
    np.testing.assert_array_equal(res.topology, ["1g", "2sh", "1e"])
    np.testing.assert_allclose(res.weight, p.efficiency)
    r2 = tracker_response(name, smear=False, efficiencies={"1g": 0.5, "2sh": 0.25, "1e": 0.0})
    res2 = r2(a, b)
    np.testing.assert_allclose(res2.weight, [0.5, 0.25, 0.0])
    assert "none has an accepted topology" in r2.explain_zero(np.array([e]))
    with pytest.raises(InputError):
        tracker_response(name, efficiencies={"1g": 1.5})
    with pytest.raises(InputError):
        tracker_response("not-a-tracker")


def test_tracker_prediction_carries_topologies_and_warnings():
    """MINERvA runs in its default mode: signal > 0 for the scalar benchmark, split by topology, with the response's
    APPROXIMATE parameters repeated as warnings and the absence of a background model stated."""
    from darkbeam.inference.multi_experiment import predict_experiments
    from darkbeam.io.config import parse_config

    cfg = parse_config({"model": {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3,
                                  "g_n": 1e-2, "lam": "4.4e-4 /MeV"},
                        "experiment": {"name": "miniboone"},
                        "simulation": {"n_mesons": 5000, "n_events": 500, "seed": 3}})
    row = predict_experiments(cfg, ["minerva"])["experiments"][0]
    assert row["status"] == "predicted"
    m = row["modes"]["neutrino"]
    assert m["signal_events"] > 0 and 0 < m["mc_relative_error"] < 1
    assert set(m["by_topology"]) <= {"1g", "1e", "2sh"}
    assert sum(m["by_topology"].values()) == pytest.approx(m["signal_events"], rel=1e-9)
    assert any("APPROXIMATE" in w for w in row["warnings"])
    assert row["backgrounds"]["modelled"] is False and row["backgrounds"]["reason"]
