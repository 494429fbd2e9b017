"""Higgs-portal dark scalar S (mass m_s, mixing angle θ with the Higgs boson): ``higgs-scalar``.

Snowmass white paper (seed 004) §5.1; Batell, Berger, Ismail, PRD 100, 115039 (2019), arXiv:1909.11670 (BBI);
Bezrukov & Gorbunov, JHEP 05 (2010) 010; Winkler, PRD 99, 015018 (2019).

* Production: K± → π± S and K⁰_L → π⁰ S through the top-quark penguin
  (:func:`darkbeam.interactions.scalar_decays.width_k_to_pi_s`), a two-body channel
  (:class:`darkbeam.production.meson_to_meson.MesonToMesonX`) that works in flight (decay pipes) and at rest
  (stopped sources: the NuMI absorber's K⁺ decays at rest).
* Decays: S → e⁺e⁻, μ⁺μ⁻, π⁺π⁻, π⁰π⁰ (:mod:`darkbeam.interactions.scalar_decays`; γγ left out, ≲ 1 %).
* Detection: S → e⁺e⁻ inside the detector (generic decay-in-volume process).

Valid for 2 m_e < m_s < m_K⁰ − m_π⁰ = 362.6 MeV (made only in K → πS; the leading-order chiral ππ width is
uncertain by a factor ~2 above 270 MeV, see scalar_decays). θ > 1 is unphysical (a mixing angle) and refused.
"""

from __future__ import annotations

from typing import Any

import hepunits as hu

from ..constants import M_E
from ..declarations import Decays, Model, Param
from ..errors import InputError
from ..interactions.channels import DecayInVolume
from ..interactions.scalar_decays import M_S_MAX, scalar_widths, width_k_to_pi_s
from ..particles import HIGGS_SCALAR_PDG
from ..production.meson_to_meson import MesonToMesonX
from .registry import MODELS


@MODELS.register("higgs-scalar")
class HiggsScalar(Model):
    """Higgs-portal scalar S (m_s, mixing theta): K -> pi S, S -> e+e- in the detector."""

    name = "higgs-scalar"
    boson = "S"
    boson_kind = "scalar"
    mass_param = "m_s"
    state_pdg = HIGGS_SCALAR_PDG
    params = (
        Param("m_s", "energy", 150.0 * hu.MeV, "scalar mass (2 m_e < m_s < m_K0 - m_pi0 = 362.6 MeV)"),
        Param("theta", "dimensionless", 4e-4, "scalar-Higgs mixing angle theta (0 <= theta <= 1)"),
    )
    production = (MesonToMesonX(x_pdg=HIGGS_SCALAR_PDG),)
    detection = (DecayInVolume("S", "e+ e-"),)

    def validate(self) -> None:
        th = self.values["theta"]
        if th > 1.0:
            raise InputError("higgs-scalar.theta", th, "a mixing angle 0 <= theta <= 1")
        m = self.values["m_s"]
        if not 2 * M_E < m < M_S_MAX:
            raise InputError("higgs-scalar.m_s", m, f"a mass between 2 m_e = {2 * M_E:.4g} MeV and m_K0 - m_pi0 = "
                                                    f"{M_S_MAX:.4g} MeV (S is made only in K -> pi S)")

    # --- production couplings -----------------------------------------------------------------------
    def meson_transition_coupling(self, parent: str) -> float:
        """Γ(K → πS) ∝ θ²."""
        return float(self.values["theta"])

    def meson_transition_width(self, parent: str) -> float:
        """Γ(K → πS) in MeV (parent "K+", "K-" or "K0L")."""
        return float(width_k_to_pi_s(parent, self.values["m_s"], self.values["theta"]))

    # --- decays ---------------------------------------------------------------------------------------
    def decays(self) -> dict[str, Decays]:
        m, th = self.values["m_s"], self.values["theta"]
        return {"S": Decays("S", m, scalar_widths(m, th))}

    def coupling_product(self) -> dict[str, Any]:
        return {"name": "theta", "value": float(self.values["theta"]), "unit": ""}


__all__ = ["HiggsScalar"]
