"""Proton beams on targets: meson production models, target interaction law, (focusing).

Public API (internal units: MeV, mm, rad; weights in mesons per POT):
- :data:`MESON_PRODUCTION` registry species -> :class:`ProductionModel` (``d2sigma_dp_domega``).
- :func:`mesons_per_pot`, :func:`production_table`: deterministic integrals, per POT.
- :func:`sample_mesons`, :func:`iter_mesons`: weighted mesons as :class:`~darkbeam.sample.ParticleSample`.
"""

from .production import (
    HORN_WINDOW,
    MESON_PRODUCTION,
    SPECIES,
    ProductionModel,
    integrate_cross_section,
    iter_mesons,
    mesons_per_pot,
    production_model,
    production_table,
    sample_mesons,
)
from .target import interaction_length, interaction_probability, sigma_inelastic

__all__ = [
    "HORN_WINDOW",
    "MESON_PRODUCTION",
    "SPECIES",
    "ProductionModel",
    "integrate_cross_section",
    "interaction_length",
    "interaction_probability",
    "iter_mesons",
    "mesons_per_pot",
    "production_model",
    "production_table",
    "sample_mesons",
    "sigma_inelastic",
]

# Registrations, here rather than at the bottom of the modules they extend, so that every import is one-way:
# the production sets beyond "miniboone-sw" (bmpt: the 120 GeV beams; production_iron: "miniboone-sw-fe", p-Fe at
# the BNB dump; charm, which imports production_iron first, adds D±, D_s± to every set) and the "horn-field"
# focusing model.
from . import bmpt, charm, horn, production_iron  # noqa: F401  (registration side effects)
