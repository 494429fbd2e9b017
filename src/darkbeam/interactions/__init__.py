"""Interactions in the detector: targets, form factors and detection cross-sections.

* :mod:`.targets` — :data:`TARGETS` registry of nuclei and nucleons.
* :mod:`.form_factors` — Helm and dipole nucleon form factors; :data:`COUPLINGS` (charge conventions).
* :mod:`.primakoff` — dark Primakoff phi/a N -> gamma N via Z' (seed 000 App. C).
* :mod:`.dm_upscattering` — chi N -> chi' N via a dark photon and chi' decays (seed 000 App. B).
* :mod:`.xsec` — :data:`PROCESSES` registry (model name -> cross-section function), ``detection_xsec``.

Cross-sections are returned in cm^2; energies, masses and t are in MeV / MeV^2.
"""

from .form_factors import COUPLINGS, dirac_pauli, helm, sachs
from .targets import TARGETS, Target, get_target
from .xsec import PROCESSES, detection_xsec, xsec_for_cli

__all__ = ["COUPLINGS", "PROCESSES", "TARGETS", "Target", "detection_xsec", "dirac_pauli", "get_target", "helm",
           "sachs", "xsec_for_cli"]
