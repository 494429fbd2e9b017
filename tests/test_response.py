"""Fast MiniBooNE response: single showers, pair merging, threshold, efficiency, E_QE, smearing."""

import numpy as np
import pytest

from darkbeam.constants import M_E, M_N, M_P
from darkbeam.data import miniboone_efficiency
from darkbeam.detectors.response import RESPONSES, ShowerResponse, get_response, reconstruct_eqe
from darkbeam.errors import InputError
from darkbeam.kinematics.fourvec import boost, from_p_theta_phi, two_body_momentum

DEG = np.pi / 180


def photon(E, theta, phi=0.0):
    return from_p_theta_phi(np.atleast_1d(float(E)), np.atleast_1d(theta), np.atleast_1d(phi), 0.0)


def electron(E, theta, phi=0.0):
    p = np.sqrt(E * E - M_E * M_E)
    return from_p_theta_phi(np.atleast_1d(p), np.atleast_1d(theta), np.atleast_1d(phi), M_E)


def test_single_photon_maps_to_itself():
    r = get_response("miniboone")
    res = r(photon(400.0, 30 * DEG, 1.0), weights=np.array([2.0]))
    assert res.accepted[0] and res.single_shower[0]
    assert res.E_vis[0] == pytest.approx(400.0)
    assert res.cos_theta[0] == pytest.approx(np.cos(30 * DEG))
    # eg_effs: 0.139 at 350 and 0.131 at 450 MeV -> 0.135 at 400 MeV
    assert res.efficiency[0] == pytest.approx(0.135)
    assert res.weight[0] == pytest.approx(2.0 * 0.135)


def test_threshold():
    r = get_response("miniboone")
    p4 = np.concatenate([photon(139.0, 0.1), photon(141.0, 0.1), photon(1000.0, 2.0)])
    res = r(p4)
    assert res.accepted.tolist() == [False, True, True]
    assert res.weight[0] == 0.0 and res.weight[1] > 0
    assert r.with_options(threshold=100.0)(p4).accepted[0]


def pair(E1, E2, opening, theta0=0.2):
    """e+ e- pair with energies E1, E2 symmetric about direction theta0 (in the x-z plane)."""
    return electron(E1, theta0 - opening / 2), electron(E2, theta0 + opening / 2)


def test_pair_opening_angle_logic():
    r = get_response("miniboone")
    a, b = pair(200.0, 200.0, 8 * DEG)
    res = r(a, b)
    assert res.single_shower[0] and res.accepted[0]
    assert res.E_vis[0] == pytest.approx(400.0)
    assert res.cos_theta[0] == pytest.approx(np.cos(0.2), abs=1e-6)  # direction of summed momentum
    assert res.efficiency[0] == pytest.approx(miniboone_efficiency(400.0))
    a, b = pair(200.0, 200.0, 12 * DEG)
    assert not r(a, b).single_shower[0] and r(a, b).weight[0] == 0.0  # two rings
    assert r.with_options(max_opening_angle=15 * DEG)(a, b).accepted[0]  # configurable


def test_pair_asymmetry_logic():
    r = get_response("miniboone")
    a, b = pair(300.0, M_E + 20.0, 40 * DEG)  # softer kinetic energy 20 MeV < 30 MeV
    res = r(a, b)
    assert res.single_shower[0] and res.accepted[0]
    assert res.E_vis[0] == pytest.approx(320.0 + M_E)
    assert not r.with_options(soft_kinetic_max=None)(a, b).single_shower[0]
    a, b = pair(600.0, 50.0, 40 * DEG)  # 40 MeV kinetic: not soft enough, fraction 0.077
    assert not r(a, b).single_shower[0]
    assert r.with_options(soft_fraction_max=0.1)(a, b).single_shower[0]


def test_mixed_single_and_pairs_vectorised():
    r = get_response("miniboone")
    a1, b1 = pair(200.0, 200.0, 5 * DEG)
    a2 = photon(300.0, 0.5)
    res = r(np.concatenate([a1, a2]), np.concatenate([b1, np.zeros((1, 4))]))
    assert res.accepted.all()
    assert res.E_vis == pytest.approx([400.0, 300.0])


def test_eqe_hand_computed_point():
    # electron of 500 MeV at 20 degrees, neutrino mode, E_B = 34 MeV. Hand computation with the
    # E_B-expanded form of the CCQE formula (MiniBooNE PRL 102, 101802 (2009)):
    # E = [2(Mn-EB)E - (EB^2 - 2 Mn EB + m^2 + Mn^2 - Mp^2)] / [2 (Mn - EB - E + p cos)]
    E, c, eb = 500.0, np.cos(20 * DEG), 34.0
    p = np.sqrt(E * E - M_E**2)
    num = 2 * (M_N - eb) * E - (eb * eb - 2 * M_N * eb + M_E**2 + M_N**2 - M_P**2)
    den = 2 * (M_N - eb - E + p * c)
    assert reconstruct_eqe(np.array([E]), np.array([c]))[0] == pytest.approx(num / den, rel=1e-12)
    assert num / den == pytest.approx(551.7, abs=0.1)  # by hand: 965871 / 1750.8
    res = get_response("miniboone")(electron(E, 20 * DEG))
    assert res.E_QE[0] == pytest.approx(num / den, rel=1e-9)


def test_eqe_exact_for_free_nucleon_two_body():
    # nu n -> e- p on a free neutron at rest (E_B = 0): generate the exact two-body final state
    # (CM decay + boost) and check E_QE returns the true neutrino energy; same for nubar p -> e+ n.
    rng = np.random.default_rng(1)
    n = 200
    for mode, m_t, m_f in (("neutrino", M_N, M_P), ("antineutrino", M_P, M_N)):
        enu = rng.uniform(200.0, 3000.0, n)
        s = m_t**2 + 2 * m_t * enu
        q = two_body_momentum(np.sqrt(s), M_E, m_f)
        ct = rng.uniform(-1, 1, n)
        e_cm = from_p_theta_phi(q, np.arccos(ct), rng.uniform(0, 2 * np.pi, n), M_E)
        beta = np.zeros((n, 3))
        beta[:, 2] = enu / (enu + m_t)
        e_lab = boost(e_cm, beta)
        cos_lab = e_lab[:, 3] / np.linalg.norm(e_lab[:, 1:], axis=1)
        eqe = reconstruct_eqe(e_lab[:, 0], cos_lab, mode, binding_energy=0.0)
        np.testing.assert_allclose(eqe, enu, rtol=1e-9)


def test_unphysical_eqe_is_inf_and_histogram_ignores_it():
    r = get_response("miniboone")
    res = r(np.concatenate([photon(1500.0, np.pi), photon(300.0, 0.0)]))
    assert np.isinf(res.E_QE[0]) and np.isfinite(res.E_QE[1])
    h = res.histogram("E_QE", [0, 5000])
    assert h[0] == pytest.approx(res.weight[1])
    assert np.all(np.isfinite(res.weight))


def test_random_sample_consistency():
    rng = np.random.default_rng(7)
    n = 5000
    E = rng.uniform(50, 2500, n)
    th = np.arccos(rng.uniform(-1, 1, n))
    w = rng.uniform(0.5, 1.5, n)
    res = get_response("miniboone")(from_p_theta_phi(E, th, rng.uniform(0, 6.3, n), 0.0), weights=w)
    expected = np.where(E > 140, w * miniboone_efficiency(E), 0.0)
    np.testing.assert_allclose(res.weight, expected, rtol=1e-12)
    assert res.histogram("cos_theta", np.linspace(-1, 1, 21)).sum() == pytest.approx(res.total())


def test_smearing_resolution():
    n = 20000
    r = get_response("miniboone", smear=True, seed=3)
    res = r(np.repeat(photon(500.0, 0.0), n, axis=0))
    sigma = 0.12 * np.sqrt(0.5) * 1000 + 10.0  # documented resolution at 500 MeV
    assert abs(res.E_vis.mean() - 500.0) < 4 * sigma / np.sqrt(n)
    assert abs(res.E_vis.std() / sigma - 1) < 4 / np.sqrt(2 * n)
    theta = np.arccos(np.clip(res.cos_theta, -1, 1))
    sig_th = (np.log(2.0) + 2.7) * DEG
    # |N(0, s)| has mean s sqrt(2/pi) and std s sqrt(1 - 2/pi)
    tol = 4 * sig_th * np.sqrt(1 - 2 / np.pi) / np.sqrt(n)
    assert abs(theta.mean() - sig_th * np.sqrt(2 / np.pi)) < tol
    np.testing.assert_array_equal(res.E_vis_true, 500.0)
    again = get_response("miniboone", smear=True, seed=3)(np.repeat(photon(500.0, 0.0), n, axis=0))
    np.testing.assert_array_equal(again.E_vis, res.E_vis)  # reproducible


def test_registry_and_errors():
    assert {"miniboone", "microboone", "sbnd", "icarus"} <= set(RESPONSES.names())
    lar = get_response("microboone", smear=False)  # LArTPC response: tests/test_lar_predictions.py
    assert lar.threshold == 100.0 and lar(photon(150.0, 0.1)).weight[0] == pytest.approx(0.07)
    with pytest.raises(InputError):
        get_response("superk")
    with pytest.raises(InputError):
        get_response("miniboone", thresold=3)
    with pytest.raises(InputError):
        ShowerResponse()(np.zeros((3, 3)))
    with pytest.raises(InputError):
        ShowerResponse()(photon(300.0, 0.1), weights=np.array([np.inf]))
    with pytest.raises(InputError):
        reconstruct_eqe(np.array([300.0]), np.array([1.0]), mode="dump")
    with pytest.raises(InputError):
        ShowerResponse()(photon(300.0, 0.1)).histogram("E_true", [0, 1])
    # undoing the fiducial cut rescales the efficiency by 1 / (500/610.6)^3
    f = get_response("miniboone", efficiency_includes_fiducial=False)(photon(350.0, 0.1)).efficiency[0]
    assert f == pytest.approx(0.139 / (500 / 610.6) ** 3)
