"""Packaged MiniBooNE data: totals against the published / release numbers, covariance sanity."""

import numpy as np
import pytest

from darkbeam.data import (
    miniboone_efficiency,
    miniboone_eqe,
    miniboone_eqe_combined_frac_cov,
    miniboone_off_target,
    miniboone_spectrum,
)
from darkbeam.data.miniboone_release import miniboone_efficiency_table
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError

LOW = slice(0, 9)  # 200 < E_QE < 1250 MeV


def test_eqe_edges_and_totals_neutrino():
    d = miniboone_eqe("neutrino")
    edges = [200, 300, 375, 475, 550, 675, 800, 950, 1100, 1250, 1500, 3000]
    np.testing.assert_array_equal(d["edges_MeV"], edges)
    # arXiv:2006.16883: 2870 events in 200-1250 MeV; release background 2322.7
    assert d["data"][LOW].sum() == 2870
    assert d["background"][LOW].sum() == pytest.approx(2322.7, abs=0.05)
    assert d["data"].sum() == 3202
    assert d["pot"] == 18.75e20
    assert d["numu_data"].shape == (8,) and d["numu_prediction"].shape == (8,)


def test_eqe_totals_antineutrino():
    d = miniboone_eqe("antineutrino")
    assert d["data"][LOW].sum() == 478
    assert d["background"][LOW].sum() == pytest.approx(398.2, abs=0.05)
    # excess 79.8 vs the paper's 79.3 (arXiv:1805.12028 abstract: 460.5 - 381.2)
    assert d["data"][LOW].sum() - d["background"][LOW].sum() == pytest.approx(79.3, abs=1.0)


@pytest.mark.parametrize("mode", ["neutrino", "antineutrino"])
def test_fractional_covariance_symmetric_psd(mode):
    F = miniboone_eqe(mode)["frac_cov"]
    assert F.shape == (30, 30)
    np.testing.assert_allclose(F, F.T, atol=0)
    ev = np.linalg.eigvalsh(F)
    assert ev.min() > -1e-9 * ev.max()
    # absolute covariance of a positive prediction is PSD too
    d = miniboone_eqe(mode)
    p = np.concatenate([d["data"] - d["background"], d["background"], d["numu_prediction"]])
    C = F * np.outer(p, p)
    assert np.linalg.eigvalsh(C).min() > -1e-9 * np.abs(C).max()


def test_combined_covariance_blocks_match_single_mode():
    Fc = miniboone_eqe_combined_frac_cov()
    assert Fc.shape == (60, 60)
    np.testing.assert_allclose(Fc, Fc.T, atol=0)
    np.testing.assert_allclose(Fc[:30, :30], miniboone_eqe("neutrino")["frac_cov"], atol=1e-12)
    np.testing.assert_allclose(Fc[30:, 30:], miniboone_eqe("antineutrino")["frac_cov"], atol=1e-6)
    assert np.linalg.eigvalsh(Fc).min() > -1e-3  # documented: -8.8e-4 as released
    assert np.abs(Fc[:30, 30:]).max() > 0  # nu / nubar correlations present


def test_costheta_and_evis_totals():
    c = miniboone_spectrum("neutrino", "cos_theta")
    np.testing.assert_allclose(c["edges"], np.linspace(-1, 1, 21), atol=1e-12)
    assert c["data"].sum() == 2881
    assert c["background"].sum() == pytest.approx(2318.3, abs=0.1)
    comp = sum(c["components"].values())
    np.testing.assert_allclose(comp, c["background"], atol=0.01)  # categories add up (rounding)
    assert c["data"][:3].tolist() == [36, 41, 36] and c["data"][-1] == 575
    e = miniboone_spectrum("neutrino", "E_vis")
    assert e["data"].sum() == 2881 and e["edges"][0] == 100 and e["edges"][-1] == 1250
    assert e["background"].sum() == pytest.approx(c["background"].sum(), abs=0.1)  # same events
    nb = miniboone_spectrum("antineutrino", "E_vis")
    assert nb["digitised"] and len(nb["data"]) == 19
    assert nb["data"].sum() == pytest.approx(577, abs=3)


def test_spectrum_bad_input():
    with pytest.raises(InputError):
        miniboone_spectrum("antineutrino", "cos_theta")
    with pytest.raises(InputError):
        miniboone_spectrum("neutrino", "E_QE")
    with pytest.raises(InputError):
        miniboone_eqe("dump")


def test_efficiency_values():
    assert miniboone_efficiency(150.0) == pytest.approx(0.089)
    assert miniboone_efficiency(350.0) == pytest.approx(0.139)
    assert miniboone_efficiency(2000.0) == pytest.approx(0.026)
    assert miniboone_efficiency(200.0) == pytest.approx(0.5 * (0.089 + 0.135))  # linear
    assert miniboone_efficiency(10.0) == 0.0
    assert miniboone_efficiency(5000.0) == pytest.approx(0.026)
    t = miniboone_efficiency_table()
    assert np.all(t["syst_error"] <= t["efficiency"]) and t["E_MeV"].size == 16
    with pytest.raises(InputError):
        miniboone_efficiency([np.nan])


def test_off_target():
    o = miniboone_off_target()
    assert o["pot"] == get_experiment("miniboone").pot_for("off-target")  # catalog agrees
    assert o["pot"] == 1.86e20 and o["distance_m"] == 490
    assert o["pot_scaled_nu_mode_excess"] == pytest.approx(560.6 * 1.86 / 18.75)
    assert o["entries"]["seed000_scalar_signal"]["value"] == 1.0
