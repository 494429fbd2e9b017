"""The MiniBooNE-DM off-target (beam-dump) dark-matter search as a dataset record.

MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688 and PRD 98, 112004 (2018) arXiv:1807.06137: 1.86e20
protons of 8.89 GeV/c on the steel beam dump at the end of the 50 m BNB decay region, the 818 t MiniBooNE
detector 490 m downstream; dark matter searched for in the nucleon-elastic (NCE-like), π⁰ and electron channels.
What darkbeam packages (read off the two abstracts; the BdNMC run card for the selection):

* the exposure and geometry (catalogue experiment ``miniboone-dm``, beam ``bnb-off-target``);
* the published result: "no excess of events over background", and the 90 % CL limit
  Y = ε²α_D(m_χ/m_V)⁴ ≲ 1e-8 for α_D = 0.5, m_V = 3 m_χ and 0.01 < m_χ < 0.3 GeV (PRL 118 abstract);
* the nucleon-elastic selection of the simulation (35 MeV < T_N < 1 GeV, 35 % efficiency in the r < 5 m sphere;
  :data:`darkbeam.pipeline.dm_elastic.SELECTIONS`).

NOT packaged: the observed and background counts of the nucleon-elastic selection (PRD 98, 112004, Sec. V and its
tables) and the limit curve itself were not available offline when this was written, so this dataset has no
binning and no χ² (each says why), and limits in docs/portal_vector.md are computed for a stated number of
excluded signal events, not fitted to the data. It follows the :class:`~darkbeam.inference.datasets.Dataset`
interface but is not registered for ``dataset_for`` (a dataset without counts would turn predictions into fits
with nothing to fit); use :data:`MINIBOONE_DM` directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    "statement": "Y <~ 1e-8 for alpha_D = 0.5 and 0.01 < m_chi < 0.3 GeV (90 % CL; upper envelope, not a curve)",
    "reference": "MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688, abstract",
}

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
                "published_limit": dict(PUBLISHED_LIMIT), "counts": None, "counts_note": _MISSING}

    def published_limit(self) -> dict[str, Any]:
        """The published 90 % CL statement (:data:`PUBLISHED_LIMIT`)."""
        return dict(PUBLISHED_LIMIT)


MINIBOONE_DM = MiniBooNEDMDataset(
    "miniboone-dm", "miniboone-dm", "MiniBooNE-DM off-target dark-matter search (nucleon-elastic channel)",
    "MiniBooNE-DM, PRL 118, 221803 (2017) arXiv:1702.02688; PRD 98, 112004 (2018) arXiv:1807.06137",
    modes=("off-target",), observables=("E_vis",),
    notes={"counts": _MISSING, "selection": "35 MeV < T_N < 1 GeV, 35 % in r < 5 m (BdNMC MiniBooNE card)"},
)

__all__ = ["MINIBOONE_DM", "PUBLISHED_LIMIT", "MiniBooNEDMDataset"]
