"""Meson production in p + Fe at the BNB momentum: the MiniBooNE-DM off-target run (protons on the steel dump).

Registers the production set "miniboone-sw-fe" (beam "bnb-off-target" of darkbeam.detectors.catalog) in
:data:`darkbeam.beams.production.PRODUCTION_SETS`; the iron target (A, ρ, σ_inel) is in
:mod:`darkbeam.beams.target`. Units as in :mod:`darkbeam.beams.production` (MeV, mm, rad; the parametrisations
in GeV/c and mb/(GeV/c)/sr).

The beam dump is steel; no p-Fe fit exists at 8.9 GeV/c, so the p-Be fits of :mod:`darkbeam.beams.production` are
scaled to iron with the nuclear exponent of BMPT (Bonesini et al., EPJ C20 (2001) 13, Eq. 7, from Barton et al.,
PRD 27 (1983) 2580):

    d²σ(Fe) = d²σ(Be) (A_Fe/A_Be)^α(x_F, p_T),  α = (0.74 − 0.55 x_F + 0.26 x_F²)(0.98 + 0.21 p_T²),

x_F = p_L*/p*max in the proton-nucleon c.m. frame (p*max = √s/2), clipped to x_F ∈ [−0.2, 1] and p_T ≤ 1.5 GeV/c
(the fitted region). The exponent was fitted at 100-450 GeV; using it at 8.9 GeV/c is an APPROXIMATION (the A
dependence of inclusive pion production is known to vary little with energy, but this was not checked against
p-Fe data here). π0 = (π+ + π−)/2 and η = Sanford-Wang with the K0 parameters (as for Be, BdNMC's choice,
deNiverville et al. PRD 95, 035006 (2017)), scaled the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..registry import Registry
from . import bmpt as _bmpt
from . import target as _target
from .production import (
    _REF_MB,
    GEV,
    MESON_PRODUCTION,
    PRODUCTION_SETS,
    ProductionModel,
    ProductionSet,
    _cm_frame,
)


@dataclass(frozen=True)
class ScaledToNucleus(ProductionModel):
    """A p-Be model scaled to a heavier nucleus with the BMPT exponent: (A/A_Be)^α(x_F, p_T)."""

    base: ProductionModel | None = None
    target_A: float = _target.BERYLLIUM.A

    def at_beam_momentum(self, p_beam: float) -> ProductionModel:
        assert self.base is not None
        return replace(self, p_beam=float(p_beam), base=self.base.at_beam_momentum(p_beam))

    def _xs_gev(self, p: np.ndarray, theta: np.ndarray) -> np.ndarray:
        assert self.base is not None
        e_cm, gamma, gammabeta = _cm_frame(self.p_beam / GEV)
        m = self.mass / GEV
        e = np.sqrt(p * p + m * m)
        x_f = (gamma * p * np.cos(theta) - gammabeta * e) / (0.5 * e_cm)
        # α is used inside the region of the data it was fitted to (x_F ≥ −0.2, p_T ≤ 1.5 GeV/c; outside,
        # where the p-Be fits are tiny anyway, the clipped value is used: the exponent must not run away)
        alpha = _bmpt.nuclear_alpha(np.clip(x_f, -0.2, 1.0), np.clip(p * np.sin(theta), 0.0, 1.5))
        ok = p * GEV < self.base.p_max()
        base = np.where(ok, np.nan_to_num(self.base._xs_gev(p, theta)), 0.0)
        return base * (self.target_A / _target.BERYLLIUM.A) ** alpha

    def p_max(self) -> float:
        assert self.base is not None
        return self.base.p_max()


IRON_SPECIES: tuple[str, ...] = ("pi+", "pi-", "K+", "K-", "pi0", "eta")
IRON_PRODUCTION: Registry[ProductionModel] = Registry("meson species (p-Fe)")
for _sp in IRON_SPECIES:
    _m = MESON_PRODUCTION.get(_sp)
    IRON_PRODUCTION.add(_sp, ScaledToNucleus(_m.species, _m.pdg, _m.mass, _m.p_beam,
                                             _m.reference + "; scaled to Fe with the BMPT A-dependence",
                                             base=_m, target_A=_target.IRON.A),
                        f"{_sp} on iron: p-Be fit × (A_Fe/A_Be)^alpha(x_F, p_T) (BMPT)")
PRODUCTION_SETS.add(
    "miniboone-sw-fe",
    ProductionSet("miniboone-sw-fe", IRON_PRODUCTION, IRON_SPECIES, ("Fe",), False,
                  _REF_MB + " fits scaled to iron with the BMPT nuclear exponent, EPJ C20 (2001) 13"),
    "p-Fe at 6.4-12.3 GeV/c (BNB steel dump): MiniBooNE p-Be fits x (A_Fe/A_Be)^alpha (BMPT)",
)

__all__ = ["IRON_PRODUCTION", "IRON_SPECIES", "ScaledToNucleus"]
