"""Experimental data shipped with darkbeam, each file citing its original publication.

Loaders return numpy arrays in the units stated in their docstrings.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np

from ..errors import InputError

FLUX_SPECIES = ("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar")
_FLUX_MODES = ("neutrino", "antineutrino")


def data_path(*parts: str):
    """Traversable path of a packaged data file, e.g. ``data_path("miniboone", "x.csv")``."""
    return resources.files(__name__).joinpath(*parts)


def read_csv_table(*parts: str) -> np.ndarray:
    """Read a packaged CSV table (``#`` comments, one header line) as a structured array."""
    with data_path(*parts).open("r") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    return np.genfromtxt(lines, delimiter=",", names=True, dtype=None, encoding="utf-8")


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


# re-exported; miniboone_release imports the helpers above, so this import comes after them
from .miniboone_release import (
    miniboone_efficiency,
    miniboone_eqe,
    miniboone_eqe_combined_frac_cov,
    miniboone_off_target,
    miniboone_spectrum,
)

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
