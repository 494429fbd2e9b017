"""Dark photon and vector-portal inelastic dark matter.

Dark photon: a massive vector V coupling to the electromagnetic current with strength e·ε
(L ⊃ e ε J^μ_EM V_μ). Vector-portal inelastic DM (seed 000, Eq. 1):
  L ⊃ Σ_{i=1,2} (e ε_i J^μ_EM + g_i J^μ_D + g'_i J'^μ_D) V_{i,μ},
with V1 produced in meson decays (V1 → χχ with a set branching ratio, seed 000 footnote 3) and
χ N → χ' N through V2 (double mediator) or V1 (single mediator, m_v2 absent).
"""

from __future__ import annotations

import math
from typing import Any

import hepunits as hu

from ..constants import E_CHARGE
from ..declarations import Decays, Model, Param
from ..errors import InputError
from ..interactions.channels import ScatterThenDecay
from ..production.channels import MesonThreeBody, NeutralMesonToGammaX
from .registry import MODELS
from .widths import dark_photon_decays, vector_idm_v1_decays, vector_idm_v2_decays

AMPLITUDES = ("gauge-invariant", "gauge-invariant+sd", "lepton")


class _VectorEmitter(Model):
    """A model whose boson emitted in π/K → ℓ ν X is a vector coupling to charge."""

    boson_kind = "vector"
    mass_param = ""
    eps_param = ""
    production = (MesonThreeBody(), NeutralMesonToGammaX())

    def lepton_coupling(self, lepton: str) -> float:
        """Vector coupling to charged leptons (and to the charged meson): e·ε."""
        return E_CHARGE * self.values[self.eps_param]

    def neutral_meson_mixing(self, parent: str) -> float:
        """Effective ε of the π⁰/η → γV vertex: the kinetic mixing (coupling e·ε to charge)."""
        return float(self.values[self.eps_param])

    def three_body_amplitude(self) -> Any:
        """The ``amplitude`` option (gauge-invariant, gauge-invariant+sd, lepton)."""
        return str(self.values["amplitude"])


@MODELS.register("dark-photon")
class DarkPhoton(_VectorEmitter):
    """Kinetically mixed dark photon V (mass m_v, mixing epsilon)."""

    name = "dark-photon"
    boson = "V"
    mass_param = "m_v"
    eps_param = "epsilon"
    params = (
        Param("m_v", "energy", 17.0 * hu.MeV, "dark-photon mass"),
        Param("epsilon", "dimensionless", 1e-4, "kinetic mixing (coupling e*epsilon to charge)"),
        Param("amplitude", "dimensionless", "gauge-invariant", "3-body production amplitude", choices=AMPLITUDES),
    )

    def decays(self) -> dict[str, Decays]:
        """V → e⁺e⁻, μ⁺μ⁻, π⁺π⁻ (models/widths.py)."""
        return {"V": dark_photon_decays(self)}


@MODELS.register("vector-idm")
class VectorIDM(_VectorEmitter):
    """Vector-portal inelastic dark matter, single or double mediator (seed 000, Eq. 1)."""

    name = "vector-idm"
    boson = "V1"
    mass_param = "m_v1"
    eps_param = "eps1"
    params = (
        Param("m_v1", "energy", 17.0 * hu.MeV, "mass of V1 (produced in meson decays)"),
        Param("m_v2", "energy", 0.0, "mass of V2 (scattering mediator); 0 = single mediator (V2 = V1)"),
        Param("m_chi", "energy", 8.0 * hu.MeV, "dark-matter mass"),
        Param("m_chi_prime", "energy", 40.0 * hu.MeV, "excited dark state mass"),
        Param("eps1", "dimensionless", 6.0e-5, "kinetic mixing of V1"),
        Param("eps2", "dimensionless", 0.0, "kinetic mixing of V2 (single mediator: ignored, eps1 used)"),
        Param("g_prime", "dimensionless", 3.5449077, "g' of the chi-chi'-V coupling (g'^2/4pi = 1 by default)"),
        Param("br_v1_chichi", "dimensionless", 0.5, "BR(V1 -> chi chi) (seed 000: 50%)", fixed_in_sample=True),
        Param("amplitude", "dimensionless", "gauge-invariant", "3-body production amplitude", choices=AMPLITUDES),
    )

    detection = (ScatterThenDecay("chi", "e+ e-", process="idm-upscattering"),)

    @property
    def single_mediator(self) -> bool:
        return self.values["m_v2"] == 0.0

    def decays(self) -> dict[str, Decays]:
        """V1 (and V2 for a double mediator) widths (models/widths.py)."""
        out = {"V1": vector_idm_v1_decays(self)}
        if not self.single_mediator:
            out["V2"] = vector_idm_v2_decays(self)
        return out

    def boson_decays(self, state: str | None = None) -> Decays:
        """Widths of one mediator only (the other's mass may lie outside its validity range)."""
        key = "V1" if state is None else state
        if key == "V1":
            return vector_idm_v1_decays(self)
        if key == "V2" and not self.single_mediator:
            return vector_idm_v2_decays(self)
        if key == "V2":
            raise InputError("vector-idm boson", key, "V1 (single mediator: m_v2 = 0, no separate V2)")
        raise InputError("vector-idm boson", key, ("V1", "V2"))

    def coupling_product(self) -> dict[str, Any]:
        """ε1 ε2 g'²/4π (seed 000 Table I), with ε2 = ε1 for a single mediator (V2 = V1)."""
        eps2 = self.eps1 if self.single_mediator else self.eps2
        return {"name": "eps1*eps2*g_prime^2/(4pi)", "value": float(self.eps1 * eps2 * self.g_prime**2 / (4 * math.pi)),
                "unit": ""}

    def validate(self) -> None:
        v = self.values
        if v["br_v1_chichi"] > 1.0:
            raise InputError("vector-idm.br_v1_chichi", v["br_v1_chichi"], "a branching ratio in [0, 1]")
        if v["m_chi_prime"] <= v["m_chi"]:
            raise InputError("vector-idm.m_chi_prime", v["m_chi_prime"], f"a mass above m_chi = {v['m_chi']} MeV")
        if v["br_v1_chichi"] > 0 and v["m_v1"] <= 2 * v["m_chi"]:
            raise InputError("vector-idm.m_v1", v["m_v1"], f"above 2 m_chi = {2 * v['m_chi']} MeV so that V1 -> chi chi is open")
