"""Experimental data shipped with darkbeam, each file citing its original publication.

Loaders return numpy arrays in the units stated in their docstrings. The file helpers (:func:`data_path`,
:func:`read_csv_table`) live in :mod:`darkbeam.data.files` and the MiniBooNE data release in
:mod:`darkbeam.data.miniboone_release`; this package re-exports them (it imports its modules, never the reverse).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..errors import InputError
from .files import data_path, read_csv_table
from .miniboone_release import (
    miniboone_efficiency,
    miniboone_eqe,
    miniboone_eqe_combined_frac_cov,
    miniboone_off_target,
    miniboone_spectrum,
)

FLUX_SPECIES = ("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar")
_FLUX_MODES = ("neutrino", "antineutrino")


@cache
def official_bnb_flux(mode: str = "neutrino") -> dict[str, np.ndarray]:
    """Official MiniBooNE BNB flux at the MiniBooNE detector (PRD 79, 072002 (2009)).

    Args:
        mode: "neutrino" or "antineutrino" (horn polarity).

    Returns:
        dict with ``edges_GeV`` (201 edges, 50 MeV bins, 0-10 GeV) and, for each species in
        :data:`FLUX_SPECIES`, the flux in neutrinos per cm² per POT per GeV.
    """
    if mode not in _FLUX_MODES:
        raise InputError("mode", mode, _FLUX_MODES)
    t = read_csv_table("miniboone", f"bnb_flux_{mode}_mode.csv")
    edges = np.append(t["E_low_GeV"], t["E_high_GeV"][-1])
    width = np.diff(edges)
    out = {"edges_GeV": edges}
    for s in FLUX_SPECIES:
        out[s] = np.asarray(t[s], float) / width
    return out


__all__ = [
    "FLUX_SPECIES",
    "data_path",
    "miniboone_efficiency",
    "miniboone_eqe",
    "miniboone_eqe_combined_frac_cov",
    "miniboone_off_target",
    "miniboone_spectrum",
    "official_bnb_flux",
    "read_csv_table",
]
