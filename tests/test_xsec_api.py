"""The PROCESSES registry and detection_xsec / xsec_for_cli."""

from __future__ import annotations

import json

import numpy as np
import pytest

from darkbeam.errors import InputError
from darkbeam.interactions import PROCESSES, detection_xsec, xsec_for_cli
from darkbeam.interactions import dm_upscattering as du
from darkbeam.interactions import primakoff as pk
from darkbeam.interactions.targets import get_target
from darkbeam.models import get_model

SCALAR = {"m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": "5e-3", "g_n": "1e-2", "lam": "4.4e-4 /MeV"}


def test_registry_keyed_by_detection_process():
    # keyed by the process the model declares, not by model name (issue "One flow")
    assert {"dark-primakoff", "idm-upscattering", "dark-neutrino-upscattering"} <= set(PROCESSES.names())
    with pytest.raises(InputError):
        detection_xsec(get_model("dark-photon", {}), "C12", 300.0)


def test_cli_dict_shape_and_json():
    m = get_model("muphilic-scalar", SCALAR)
    r = xsec_for_cli(m, "C12", 300.0)
    assert r["process"] == "dark-primakoff" and r["target"] == "C12" and r["model"] == "muphilic-scalar"
    assert r["energy_GeV"] == pytest.approx(0.3)
    sig = r["sigma_cm2"]
    assert set(sig) == {"coherent", "incoherent", "total"}
    assert sig["total"] == pytest.approx(sig["coherent"] + sig["incoherent"])
    assert r["Q_coherent"] == 18.0 and "2Z + N" in r["charge_convention"]
    json.dumps(r)
    ref = pk.sigma(m, "C12", 300.0, "coherent")[0]
    assert sig["coherent"] == pytest.approx(ref, rel=1e-12)


def test_vectorised_energies_match_scalar_calls():
    m = get_model("vector-idm", {})
    E = np.array([30.0, 300.0, 1000.0])
    r = detection_xsec(m, "C12", E)
    assert r["energy_GeV"] == pytest.approx(list(E / 1000))
    assert r["below_threshold"] == [True, False, False]
    for i, e in enumerate(E):
        one = xsec_for_cli(m, "C12", e)
        for k in ("coherent", "incoherent", "total"):
            assert r["sigma_cm2"][k][i] == pytest.approx(one["sigma_cm2"][k], rel=1e-12)
    assert r["sigma_cm2"]["total"][0] == 0.0
    assert r["mediator"] == "V1"
    assert r["threshold_MeV"]["coherent"] == pytest.approx(du.threshold_energy(8.0, 40.0, 11174.86), rel=1e-6)


def test_nucleon_target_has_no_coherent_part():
    m = get_model("muphilic-pseudoscalar", {"m_a": "1 MeV", "m_zprime": "85 MeV", "g_n": "1e-2", "lam": "6.5e-3 /MeV"})
    r = xsec_for_cli(m, "H1", 1000.0)
    assert r["sigma_cm2"]["coherent"] == 0.0 and r["sigma_cm2"]["incoherent"] > 0
    assert r["Q_coherent"] is None


@pytest.mark.parametrize("energy", [0.0, -5.0, float("nan"), float("inf")])
def test_bad_energy(energy):
    with pytest.raises(InputError):
        xsec_for_cli(get_model("vector-idm", {}), "C12", energy)


def test_bad_target():
    with pytest.raises(InputError) as e:
        xsec_for_cli(get_model("vector-idm", {}), "carbon", 300.0)
    assert "C12" in str(e.value)


def test_other_modules_can_register():
    name = "test-only-model-for-registry"

    def fn(model, target, energy):
        return {"process": "dummy", "sigma_cm2": {"coherent": [0.0] * len(energy), "incoherent": [1e-40] * len(energy),
                                                  "total": [1e-40] * len(energy)}}

    from darkbeam.interactions.channels import Scatter

    class Dummy:
        pass

    d = Dummy()
    d.name = "a-user-model"
    d.detection = (Scatter("X", "gamma", process=name),)  # models declare the process they use
    PROCESSES.add(name, fn, "dummy")
    try:
        r = xsec_for_cli(d, "Ar40", 500.0)
        assert r["process"] == "dummy" and r["sigma_cm2"]["total"] == 1e-40
        with pytest.raises(KeyError):
            PROCESSES.add(name, fn)
    finally:
        PROCESSES._items.pop(name)
        PROCESSES._docs.pop(name)


def test_several_scattering_processes_are_chosen_not_silently():
    """A model declaring several scattering processes: the first by default, the others named in the result,
    each selectable; an undeclared one is an error naming the allowed ones."""
    from darkbeam.interactions import dm_elastic

    m = get_model("vector-portal-dm", {})
    first = detection_xsec(m, "C12", 500.0)
    assert first["process"] == "dm-elastic" and first["other_processes"] == ["dm-electron"]
    el = detection_xsec(m, "C12", 500.0, process="dm-electron")
    assert el["other_processes"] == ["dm-elastic"]
    ref = dm_elastic.elastic_xsec_entry(m, get_target("C12"), np.array([500.0]))["sigma_electron_cm2"][0]
    assert el["sigma_cm2"]["total"][0] == pytest.approx(ref, rel=1e-12) and ref > 0
    with pytest.raises(InputError, match="process"):
        detection_xsec(m, "C12", 500.0, process="inverse-primakoff")


def test_alp_inverse_primakoff_entry_against_detailed_balance():
    """darkbeam xsec for the ALP: a N -> gamma N by direct integration equals 2 (E/p)^2 sigma(gamma N -> a N)
    (the production cross-section: an independent route), and is zero at threshold."""
    from darkbeam.interactions.inverse_primakoff import sigma_detailed_balance

    m = get_model("alp", {"m_a": "10 MeV", "g_agg": "1e-5 /GeV"})
    e = np.array([10.0, 50.0, 500.0])
    r = detection_xsec(m, "Ar40", e)
    ref = sigma_detailed_balance(e, 10.0, float(m.photon_coupling()), "Ar40")
    assert r["sigma_cm2"]["total"][0] == 0.0 and r["below_threshold"] == [True, False, False]
    assert r["sigma_cm2"]["total"][1:] == pytest.approx(ref[1:], rel=2e-3)
