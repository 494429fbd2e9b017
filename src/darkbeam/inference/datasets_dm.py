"""The MiniBooNE-DM off-target (beam-dump) dark-matter search as a dataset record.

MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688 and PRD 98, 112004 (2018) arXiv:1807.06137: 1.86e20
protons of 8.89 GeV/c on the steel beam dump at the end of the 50 m BNB decay region, the 818 t MiniBooNE
detector 490 m downstream; dark matter searched for in the nucleon-elastic (NCE-like), π⁰ and electron channels.
What darkbeam packages:

* the exposure and geometry (catalogue experiment ``miniboone-dm``, beam ``bnb-off-target``);
* the published statement of the PRL 118 abstract: "no excess of events over background", and the 90 % CL limit
  Y = ε²α_D(m_χ/m_V)⁴ ≲ 1e-8 for α_D = 0.5, m_V = 3 m_χ and 0.01 < m_χ < 0.3 GeV (:data:`PUBLISHED_LIMIT`);
* the published nucleon-channel limit **curve** Y90(m_χ) at α_D = 0.5, m_V = 3 m_χ
  (:func:`published_limit_curve`, :func:`published_y90`), from the packaged file
  ``darkbeam/data/miniboone_dm/y_limit_nucleon.json``: a third-party digitisation (pyCEvNS,
  github.com/athompson-tamu/pyCEvNS, ``pyCEvNS/data/dark_photon_limits/miniboone.csv``; the file states the
  provenance and a consistency check with a second digitisation at α_D = 0.1);
* the nucleon-elastic selection of the simulation (35 MeV < T_N < 1 GeV, 35 % efficiency in the r < 5 m sphere;
  :func:`darkbeam.pipeline.dm_elastic.selection_for`).

NOT packaged: the observed and background counts of the nucleon-elastic selection (PRD 98, 112004, Sec. V and its
tables) and the collaboration's expected signal at a stated point were not available offline, so this dataset has no
binning and no χ² (each says why), and :func:`darkbeam.inference.poisson_limits` cannot be applied to it; the
comparison with the published curve (docs/portal_vector.md) is therefore in shape and in the implied number of
excluded events. It follows the :class:`~darkbeam.inference.datasets.Dataset` interface but is not registered for
``dataset_for`` (a dataset without counts would turn predictions into fits with nothing to fit); use
:data:`MINIBOONE_DM` directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from ..data import data_path
from ..errors import InputError
from .datasets import Binning, Dataset

#: the published 90 % CL statement of MiniBooNE-DM (PRL 118, 221803 abstract)
PUBLISHED_LIMIT = {
    "variable": "Y = epsilon^2 alpha_D (m_chi/m_V)^4",
    "y_upper": 1e-8,
    "alpha_d": 0.5,
    "mass_ratio": 3.0,
    "m_chi_range_MeV": (10.0, 300.0),
    "cl": 0.90,
    "statement": "Y <~ 1e-8 for alpha_D = 0.5 and 0.01 < m_chi < 0.3 GeV (90 % CL; the abstract's wording; the "
                 "limit curve itself: published_limit_curve())",
    "reference": "MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688, abstract",
}

#: the packaged published limit curve (see its "provenance" entry)
CURVE_FILE = ("miniboone_dm", "y_limit_nucleon.json")
#: α_D values of the packaged curves (0.5: the published benchmark; 0.1: a second digitisation, consistency only)
CURVE_ALPHA_D = (0.5, 0.1)


@cache
def _curve_file() -> dict[str, Any]:
    with data_path(*CURVE_FILE).open("r") as f:
        return json.load(f)


def published_limit_curve(alpha_d: float = 0.5) -> dict[str, Any]:
    """The MiniBooNE-DM nucleon-channel 90 % CL limit on Y versus m_χ (m_V = 3 m_χ) at ``alpha_d`` (0.5 or 0.1).

    Returns dict with ``m_chi_MeV`` and ``y90`` (arrays, in the file's order; masses in MeV), ``dip_MeV`` (the
    ρ/ω window where the curve is nearly vertical), ``alpha_d``, ``publication`` and ``provenance`` (the
    digitisation it was written from)."""
    if alpha_d not in CURVE_ALPHA_D:
        raise InputError("alpha_d", alpha_d, "0.5 (the published benchmark) or 0.1 (second digitisation)")
    d = _curve_file()
    pts = np.array(d[f"alpha_d_{alpha_d:g}"], float)
    return {"m_chi_MeV": pts[:, 0], "y90": pts[:, 1], "alpha_d": alpha_d, "mass_ratio": 3.0,
            "dip_MeV": tuple(float(x) for x in d["conventions"]["rho_omega_dip_MeV"]),
            "publication": d["publication"], "provenance": d["provenance"], "corroboration": d["corroboration"]}


def published_y90(m_chi: float | np.ndarray, alpha_d: float = 0.5) -> np.ndarray:
    """Published Y90 at m_χ (MeV), interpolated linearly in log m_χ and log Y between the packaged points.

    Refused (InputError naming ``m_chi``) outside the digitised range and inside the ρ/ω window where the curve is
    nearly vertical (repeated masses: an interpolated value there would be arbitrary)."""
    c = published_limit_curve(alpha_d)
    m = np.atleast_1d(np.asarray(m_chi, float))
    lo, hi = float(c["m_chi_MeV"][0]), float(c["m_chi_MeV"][-1])
    if np.any(~np.isfinite(m)) or np.any((m < lo) | (m > hi)):
        raise InputError("m_chi", m_chi, f"masses within the digitised range {lo:g}-{hi:g} MeV")
    d0, d1 = c["dip_MeV"]
    if np.any((m > d0) & (m < d1)):
        raise InputError("m_chi", m_chi, f"a mass outside the rho/omega window {d0:g}-{d1:g} MeV, where the "
                         "digitised curve is nearly vertical (read the points instead)")
    keep = (c["m_chi_MeV"] <= d0) | (c["m_chi_MeV"] >= d1)
    return np.exp(np.interp(np.log(m), np.log(c["m_chi_MeV"][keep]), np.log(c["y90"][keep])))


_MISSING = ("MiniBooNE-DM nucleon-elastic observed/background counts are not packaged (PRD 98, 112004 tables "
            "were not available offline): no binned data, signal-only")


@dataclass(frozen=True)
class MiniBooNEDMDataset(Dataset):
    """MiniBooNE-DM off-target dark-matter search: exposure, geometry and the published limit (no counts)."""

    def binning(self, mode: str, observable: str, eqe_window: tuple[float, float] | None) -> Binning | str:
        if mode not in self.modes:
            return f"{self.name} has no {mode}-mode data (off-target run only)"
        return _MISSING

    def chi2(self, signals, analysis, n_params=0, pseudo_data=None):
        raise InputError(f"{self.name} chi2", None, _MISSING)

    def off_target_record(self) -> dict[str, Any]:
        return {"pot": 1.86e20, "distance_m": 490.0, "detector_mass_t": 818.0,
                "statement": "no excess of events over background (all channels)",
                "reference": "MiniBooNE-DM, PRL 118, 221803 (2017); PRD 98, 112004 (2018)",
                "published_limit": dict(PUBLISHED_LIMIT), "published_curve": "/".join(CURVE_FILE),
                "counts": None, "counts_note": _MISSING}

    def published_limit(self) -> dict[str, Any]:
        """The published 90 % CL statement (:data:`PUBLISHED_LIMIT`)."""
        return dict(PUBLISHED_LIMIT)


MINIBOONE_DM = MiniBooNEDMDataset(
    "miniboone-dm", "miniboone-dm", "MiniBooNE-DM off-target dark-matter search (nucleon-elastic channel)",
    "MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688; PRD 98, 112004 (2018) arXiv:1807.06137",
    modes=("off-target",), observables=("E_vis",),
    notes={"counts": _MISSING, "selection": "35 MeV < T_N < 1 GeV, 35 % in r < 5 m (BdNMC MiniBooNE card)"},
)

__all__ = ["CURVE_FILE", "MINIBOONE_DM", "PUBLISHED_LIMIT", "MiniBooNEDMDataset", "published_limit_curve",
           "published_y90"]
