"""Detector responses that are nucleon-recoil selections: MiniBooNE-DM ("miniboone-dm").

The MiniBooNE-DM off-target run (PRL 118, 221803 (2017) arXiv:1702.02688; PRD 98, 112004 (2018)
arXiv:1807.06137) searched for light dark matter scattering elastically on the nucleons of the oil (χN → χN,
an NCE-like sample: scintillation light of the recoil nucleon, no electron-like Cherenkov ring). Its detector
response is therefore not the electron-like (νe CCQE) shower response of "miniboone" (140 MeV threshold, eg_effs
efficiency: :mod:`darkbeam.detectors.response`) but a window in the recoil nucleon's kinetic energy T_N with a flat
efficiency. The detection process ``dm-elastic`` (:mod:`darkbeam.pipeline.dm_elastic`) reads the window, the
efficiency and the scattering components from this response (``selection_for``), and predictions state them
(``detector.response`` in JSON, the response's ``assumptions`` as warnings).

Numbers: 35 MeV < T_N < 1 GeV and a flat 35 % efficiency inside the r < 5 m fiducial sphere (the catalogue's
fiducial_mass of "miniboone-dm"). Source: the MiniBooNE run card of BdNMC (github.com/pgdeniverville/BdNMC,
Parameter_Card_Generator.py: min_scatter_energy 0.035 GeV, max_scatter_energy 1.0 GeV, efficiency 0.35, detector a
5 m sphere), the generator of the MiniBooNE-DM analysis (PRD 98, 112004, Sec. III; deNiverville et al., PRD 95,
035006 (2017)). The paper's own energy-dependent efficiency was not available offline (docs/portal_vector.md).

Electromagnetic signals (a photon, an e⁺e⁻ pair: the showers of the other detection processes) have no packaged
selection at the off-target run (its electron and π⁰ channels, PRD 98, 112004, are not packaged): calling this
response on them raises an :class:`~darkbeam.errors.InputError` saying so, rather than returning a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError
from .response import RESPONSES, ResponseResult

#: scattering components a nucleon-recoil selection can pass (the names of
#: darkbeam.interactions.dm_elastic.NUCLEON_COMPONENTS; checked equal in tests/test_vector_portal.py)
RECOIL_NUCLEONS = ("proton", "neutron")


@dataclass(frozen=True)
class RecoilResponse:
    """A nucleon-recoil selection as a detector response.

    Attributes:
        name: experiment. kind: what the numbers mean.
        t_min, t_max: recoil kinetic-energy window, MeV. efficiency: flat, in [0, 1] (includes the fiducial cut).
        components: scattering components that can pass ("proton", "neutron", "coherent").
        note: one-line statement of the selection and its source.
        reference: citation.
        shower_reason: why electron-like (shower) signals are not selected here.
        eqe_mode: accepted for the common response interface (no E_QE is reconstructed).
        assumptions: statements about numbers taken without the analysis' own value; predictions repeat them
            as warnings.
    """

    name: str
    t_min: float
    t_max: float
    efficiency: float
    note: str
    reference: str
    shower_reason: str
    components: tuple[str, ...] = RECOIL_NUCLEONS
    kind: str = "nucleon-recoil selection"
    eqe_mode: str = "neutrino"
    assumptions: tuple[str, ...] = ()

    def with_options(self, **kw) -> RecoilResponse:
        """Copy with some attributes changed (unknown names or an efficiency outside [0, 1] raise InputError)."""
        allowed = set(self.__dataclass_fields__)
        for k in kw:
            if k not in allowed:
                raise InputError("response option", k, sorted(allowed))
        if "efficiency" in kw and not 0.0 <= float(kw["efficiency"]) <= 1.0:
            raise InputError("efficiency", kw["efficiency"], "a number in [0, 1]")
        return replace(self, **kw)

    def explain_zero(self, e_true: np.ndarray) -> str:
        """Why no electromagnetic event is accepted (this response selects recoil nucleons only)."""
        return f"{self.name}: {self.shower_reason}"

    def __call__(self, p4_a: np.ndarray, p4_b: np.ndarray | None = None, weights: np.ndarray | None = None,
                 rng: np.random.Generator | None = None) -> ResponseResult:
        """Electron-like (shower) signals: not selected here; raises InputError with the reason (a zero would
        claim the detector cannot see them, which is not known)."""
        raise InputError(f"detector response of {self.name} for an electron-like (e/gamma shower) signal",
                         "a shower signal", f"a nucleon-recoil signal (detection process dm-elastic): "
                         f"{self.shower_reason}")


#: the stated assumption of the MiniBooNE-DM response (repeated as a warning by predictions)
MINIBOONE_DM_EFFICIENCY_ASSUMPTION = (
    "flat 35 % nucleon-elastic efficiency for 35 MeV < T_N < 1 GeV in r < 5 m, from BdNMC's MiniBooNE card; the "
    "analysis' energy-dependent efficiency (PRD 98, 112004) was not available offline")

#: stated with the MiniBooNE-DM response because the chi-electron channel of the vector portal (detection process
#: dm-electron) uses an APPROXIMATE electron selection there (pipeline/dm_electron.ELECTRON_SELECTIONS)
MINIBOONE_DM_ELECTRON_ASSUMPTION = (
    "APPROXIMATE chi-electron selection (dm-electron channel; numbers in darkbeam.pipeline.dm_electron): the cuts "
    "and efficiency of MiniBooNE-DM's electron channel (PRD 98, 112004) were not found offline")


def _miniboone_dm(**kw) -> RecoilResponse:
    return RecoilResponse(
        "miniboone-dm", 35.0, 1000.0, 0.35,
        "MiniBooNE-DM nucleon-elastic selection as in BdNMC's MiniBooNE card: 35 MeV < T_N < 1 GeV, flat 35 % "
        "efficiency in r < 5 m",
        "BdNMC MiniBooNE run card (github.com/pgdeniverville/BdNMC), the generator of MiniBooNE-DM, PRD 98, 112004 "
        "(2018) arXiv:1807.06137",
        "only the nucleon-elastic selection of MiniBooNE-DM is packaged; its electron-like and pi0 channels "
        "(PRD 98, 112004) are not, so electron-like signals cannot be predicted at miniboone-dm",
        assumptions=(MINIBOONE_DM_EFFICIENCY_ASSUMPTION, MINIBOONE_DM_ELECTRON_ASSUMPTION),
    ).with_options(**kw)


#: experiment → (factory, description) registered in RESPONSES
RECOIL_RESPONSES = {
    "miniboone-dm": (_miniboone_dm, ("MiniBooNE-DM nucleon-elastic selection: recoil nucleon 35 MeV < T_N < 1 GeV, "
                                     "flat 35 % efficiency in r < 5 m (BdNMC card); no electron-like selection")),
}
for _name, (_make, _doc) in RECOIL_RESPONSES.items():
    if _name not in RESPONSES:
        RESPONSES.add(_name, _make, _doc)

__all__ = ["MINIBOONE_DM_EFFICIENCY_ASSUMPTION", "MINIBOONE_DM_ELECTRON_ASSUMPTION", "RECOIL_NUCLEONS", "RECOIL_RESPONSES", "RecoilResponse"]
