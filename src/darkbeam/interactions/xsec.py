"""Detection cross-sections by model: the :data:`PROCESSES` registry behind ``darkbeam xsec``.

:data:`PROCESSES` maps a scattering detection process (the ``process`` of a model's detection declaration,
:mod:`darkbeam.interactions.channels`) to a callable
``(model, target: Target, energy: np.ndarray [MeV]) -> dict`` returning

    {"process": str, "model": str, "target": str, "energy_GeV": list[float],
     "sigma_cm2": {"coherent": list, "incoherent": list, "total": list}, ...extra keys}

Other modules register their own scattering process with ``PROCESSES.add("my-process", func, "doc")``
and models declare it (``Scatter(..., process="my-process")``). Cross-sections are in cm^2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hepunits as hu
import numpy as np

from ..constants import M_P
from ..declarations import Model
from ..errors import InputError
from ..registry import Registry
from . import dm_elastic, dm_upscattering, hnl_upscattering, inverse_primakoff, primakoff
from .form_factors import COUPLINGS
from .targets import Target, get_target

ProcessFn = Callable[[Model, Target, np.ndarray], dict[str, Any]]
PROCESSES: Registry[ProcessFn] = Registry("scattering detection process")


def _as_list(x: np.ndarray) -> list[float]:
    return [float(v) for v in np.atleast_1d(x)]


def _primakoff_xsec(model: Model, target: Target, energy: np.ndarray) -> dict[str, Any]:
    """Dark Primakoff phi/a T -> gamma T via Z' (seed 000 App. C), with the model's ``zprime_current``
    (the charge convention the signal simulation uses too)."""
    coupling = str(model.values.get("zprime_current", "u-quark"))
    sig = primakoff.sigma_all(model, target, energy, coupling)

    conv = COUPLINGS.get(coupling)
    return {
        "process": "dark-primakoff",
        "sigma_cm2": {k: _as_list(sig[k]) for k in ("coherent", "incoherent", "total")},
        "sigma_nucleon_cm2": {"proton": _as_list(sig["proton"]), "neutron": _as_list(sig["neutron"])},
        "zprime_current": coupling,
        "charge_convention": conv.doc,
        "Q_coherent": conv.coherent_charge(target.Z, target.N) if target.is_nucleus else None,
        "notes": "incoherent = Z protons + N neutrons, free and at rest (no Pauli blocking)",
    }


def _upscattering_xsec(model: Model, target: Target, energy: np.ndarray) -> dict[str, Any]:
    """Inelastic DM upscattering chi T -> chi' T via V1/V2 (seed 000 App. B)."""
    coupling = "em"
    sig = dm_upscattering.sigma_all(model, target, energy, coupling)

    c = dm_upscattering.scattering_couplings(model)
    conv = COUPLINGS.get(coupling)
    m_t = target.mass
    thresholds = {"coherent": dm_upscattering.threshold_energy(c.m_chi, c.m_chi_prime, m_t) if target.is_nucleus else None,
                  "nucleon": dm_upscattering.threshold_energy(c.m_chi, c.m_chi_prime, M_P)}
    return {
        "process": "dm-upscattering",
        "sigma_cm2": {k: _as_list(sig[k]) for k in ("coherent", "incoherent", "total")},
        "sigma_nucleon_cm2": {"proton": _as_list(sig["proton"]), "neutron": _as_list(sig["neutron"])},
        "mediator": c.mediator,
        "threshold_MeV": thresholds,
        "below_threshold": [bool(s == 0.0) for s in np.atleast_1d(sig["total"])],
        "charge_convention": conv.doc,
        "Q_coherent": conv.coherent_charge(target.Z, target.N) if target.is_nucleus else None,
        "notes": "incoherent = Z protons + N neutrons, free and at rest (no Pauli blocking); "
                 "zero below threshold",
    }


def _hnl_upscattering_xsec(model: Model, target: Target, energy: np.ndarray) -> dict[str, Any]:
    """Dark-neutrino upscattering ν T -> N_j T via Z'/Z (seed 001; hnl_upscattering.xsec_for_cli), per energy."""
    rows = [hnl_upscattering.xsec_for_cli(model, target.name, float(x))["sigma_cm2"] for x in energy]
    return {"process": "nu-upscattering",
            "sigma_cm2": {k: [r[k] for r in rows] for k in ("coherent", "elastic_proton", "total")}}


def _inverse_primakoff_xsec(model: Model, target: Target, energy: np.ndarray) -> dict[str, Any]:
    """ALP inverse Primakoff a T -> gamma T on the atom's screened nuclear field (inverse_primakoff, Tsai form
    factor; detailed balance with gamma N -> a N), with the model's ``photon_coupling()`` and its boson's mass."""
    m_a = float(model.boson_decays().mass)
    sig = inverse_primakoff.sigma_inverse_primakoff(energy, m_a, float(model.photon_coupling()), target)
    return {"process": "inverse-primakoff",
            "sigma_cm2": {"coherent": _as_list(sig), "incoherent": _as_list(np.zeros_like(sig)),
                          "total": _as_list(sig)},
            "below_threshold": [bool(e <= m_a) for e in np.atleast_1d(energy)],
            "notes": "per atom, coherent on the screened nucleus (atomic + nuclear form factor); "
                     "zero for E <= m_a"}


def _dm_electron_xsec(model: Model, target: Target, energy: np.ndarray) -> dict[str, Any]:
    """Light dark matter elastic scattering on the target's Z electrons, chi e -> chi e (dm_elastic, electrons)."""
    c = dm_elastic.elastic_couplings(model)
    if np.any(energy < c.m_chi):
        raise InputError("energy", energy.tolist(), f"total energies >= m_chi = {c.m_chi} MeV")
    sig = dm_elastic.sigma_elastic(c, target, energy, "electron")
    return {"process": "dm-electron",
            "sigma_cm2": {"coherent": _as_list(np.zeros_like(sig)), "incoherent": _as_list(sig),
                          "total": _as_list(sig)},
            "dm_type": c.dm_type,
            "notes": "the target's Z electrons, free and at rest; the whole kinematic recoil range"}


# keyed by the detection process a model declares (model.detection[i].process), never by model name
PROCESSES.add("dark-primakoff", _primakoff_xsec, "dark Primakoff phi/a N -> gamma N via Z'")
PROCESSES.add("idm-upscattering", _upscattering_xsec, "inelastic DM upscattering chi N -> chi' N via V2 (or V1)")
PROCESSES.add("dark-neutrino-upscattering", _hnl_upscattering_xsec,
              "dark-neutrino upscattering nu N -> N_j N via Z'/Z (seed 001)")
PROCESSES.add("dm-elastic", dm_elastic.elastic_xsec_entry,
              "light dark matter elastic scattering chi T -> chi T via a dark photon")
PROCESSES.add("inverse-primakoff", _inverse_primakoff_xsec, "ALP inverse Primakoff a N -> gamma N")
PROCESSES.add("dm-electron", _dm_electron_xsec, "light dark matter scattering on electrons chi e -> chi e")


def scattering_processes(model: Model) -> list[str]:
    """The scattering detection processes the model declares that have a cross-section here (declaration order)."""
    return list(dict.fromkeys(ch.process for ch in getattr(model, "detection", ()) if ch.process in PROCESSES))


def _process_of(model: Model, process: str | None = None) -> tuple[str, ProcessFn]:
    """(name, cross-section function) of the scattering process: ``process`` if given (one the model declares),
    else the first the model declares."""
    names = scattering_processes(model)
    if not names:
        declared = [ch.process for ch in getattr(model, "detection", ())] or "none"
        raise InputError("model with a scattering detection process", model.name,
                         f"a model declaring one of {', '.join(PROCESSES.names())} (declares: {declared})")
    if process is None:
        return names[0], PROCESSES.get(names[0])
    if process not in names:
        raise InputError("process", process, names)
    return process, PROCESSES.get(process)


def detection_xsec(model: Model, target: str | Target, energy: float | np.ndarray,
                   process: str | None = None) -> dict[str, Any]:
    """Detection cross-sections of ``model`` on ``target`` at incoming lab energies ``energy`` (MeV).

    ``process``: which of the model's scattering processes (default: the first it declares; the result's
    ``other_processes`` lists the rest, so that the choice is never silent).

    Returns the dict described in the module docstring (cross-sections in cm^2, energies in GeV;
    lists with one entry per energy).

    Raises:
        InputError: unknown target, model without a registered detection process, or
            non-finite / non-positive energies.
    """
    tgt = get_target(target)
    name, fn = _process_of(model, process)
    e = np.atleast_1d(np.asarray(energy, float))
    if e.ndim != 1 or not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise InputError("energy", energy, "finite positive energies (MeV internally, e.g. '300 MeV')")
    out = fn(model, tgt, e)
    result = {"process": out.pop("process"), "model": model.name, "target": tgt.name,
              "energy_GeV": _as_list(e / hu.GeV), "sigma_cm2": out.pop("sigma_cm2")}
    result.update(out)
    result["other_processes"] = [p for p in scattering_processes(model) if p != name]
    return result


def xsec_for_cli(model: Model, target_name: str, energy_MeV: float, process: str | None = None) -> dict[str, Any]:
    """Scalar-energy variant for ``darkbeam xsec MODEL --target T --energy E --json``.

    Same keys as :func:`detection_xsec`, with ``energy_GeV`` a float and each ``sigma_cm2`` entry
    a float (cm^2).
    """
    res = detection_xsec(model, target_name, float(energy_MeV), process)
    res["energy_GeV"] = res["energy_GeV"][0]
    res["sigma_cm2"] = {k: v[0] for k, v in res["sigma_cm2"].items()}
    for key in ("sigma_nucleon_cm2",):
        if key in res:
            res[key] = {k: v[0] for k, v in res[key].items()}
    if "below_threshold" in res:
        res["below_threshold"] = res["below_threshold"][0]
    return res
