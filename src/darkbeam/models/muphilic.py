"""Muon-philic scalar and pseudoscalar with a Z' portal to quarks ("long-lived (pseudo)scalar").

Lagrangian: seed 000 (Dutta et al., PRL 129, 111803 (2022), arXiv:2110.11944), Eq. (2):
  L ⊃ g_n Z'_α ū γ^α u + g_μ φ μ̄μ + (λ/4) φ F'_{μν} F^{μν}           (scalar)
  L ⊃ g_n Z'_α ū γ^α u + i g_μ a μ̄ γ^5 μ + (λ/4) a F'_{μν} F̃^{μν}   (pseudoscalar)
plus an optional coupling g_e to electrons of the same Lorentz structure.
"""

from __future__ import annotations

from typing import Any

import hepunits as hu

from ..declarations import Decays, Model, Param
from ..interactions.channels import Scatter
from ..production.channels import MesonThreeBody
from .registry import MODELS
from .widths import muphilic_decays

_COMMON = (
    Param("g_mu", "dimensionless", 0.0, "Yukawa coupling to muons"),
    Param("g_e", "dimensionless", 0.0, "Yukawa coupling to electrons"),
    Param("m_zprime", "energy", 100.0 * hu.MeV, "mass of the Z' mediating the dark Primakoff process"),
    Param("g_n", "dimensionless", 0.0, "Z' coupling to up quarks"),
    Param("lam", "1/energy", 0.0, "lambda of the (pseudo)scalar-Z'-photon operator, 1/energy"),
    Param("zprime_current", "dimensionless", "u-quark",
          "current the Z' couples to: u-quark (Eq. 2: coherent charge 2Z+N) or em (charge Z, as in seed Eq. C3)",
          choices=("u-quark", "em")),
)


class _Muphilic(Model):
    """Shared parts of the muon-philic (pseudo)scalar models."""

    mass_param = ""
    production = (MesonThreeBody(),)

    def lepton_coupling(self, lepton: str) -> float:
        """Yukawa coupling of the boson to the charged lepton ``lepton`` ("e" or "mu")."""
        return self.values["g_mu"] if lepton == "mu" else self.values["g_e"]

    def three_body_amplitude(self) -> Any:
        """Unused for (pseudo)scalars (one amplitude: emission from the charged lepton)."""
        return "gauge-invariant"

    def decays(self) -> dict[str, Decays]:
        """The boson's widths: γγ (lepton loops), e⁺e⁻, μ⁺μ⁻, γZ' (models/widths.py)."""
        return {str(self.boson): muphilic_decays(self)}

    def coupling_product(self) -> dict[str, Any]:
        """g_μ g_n λ: at fixed masses the rate ∝ (g_μ g_n λ)² (seed 000 Table I)."""
        return {"name": "g_mu*g_n*lam", "value": float(self.g_mu * self.g_n * self.lam), "unit": "1/MeV"}


@MODELS.register("muphilic-scalar")
class MuphilicScalar(_Muphilic):
    """Scalar phi coupled to muons (g_mu) and electrons (g_e); Z' portal (seed 000, Eq. 2)."""

    name = "muphilic-scalar"
    boson = "phi"
    boson_kind = "scalar"
    mass_param = "m_phi"
    detection = (Scatter("phi", "gamma", process="dark-primakoff"),)
    params = (Param("m_phi", "energy", 1.0 * hu.MeV, "scalar mass"),) + _COMMON


@MODELS.register("muphilic-pseudoscalar")
class MuphilicPseudoscalar(_Muphilic):
    """Pseudoscalar a coupled to muons (g_mu) and electrons (g_e); Z' portal (seed 000, Eq. 2)."""

    name = "muphilic-pseudoscalar"
    boson = "a"
    boson_kind = "pseudoscalar"
    mass_param = "m_a"
    detection = (Scatter("a", "gamma", process="dark-primakoff"),)
    params = (Param("m_a", "energy", 1.0 * hu.MeV, "pseudoscalar mass"),) + _COMMON
