"""Vector-portal light dark matter: a dark photon V (≡ A′) decaying to dark matter χχ̄ (Snowmass white
paper, seed 004 §5.2; the model of the MiniBooNE-DM search, PRL 118, 221803 (2017) and PRD 98, 112004
(2018), and of CCM120, PRL 129, 021801 (2022)).

    L ⊃ −(ε/2) F_μν F′^μν + ½ m_V² V_μV^μ + g_D V_μ J^μ_χ,   α_D = g_D²/4π,

so that V couples to the electromagnetic current with strength e·ε and to χ with g_D; χ is a Dirac fermion
(J^μ = χ̄γ^μχ) or a complex scalar (J^μ = i(χ*∂^μχ − χ∂^μχ*)), chosen by ``dm_type``.

* Production (declared, generic code does the rest): π⁰/η → γV (anomaly vertex, BR = 2ε² BR(γγ)
  (1 − m_V²/m²)³, :mod:`darkbeam.production.neutral_meson`), π±/K± → ℓ±νV (three-body, inner
  bremsstrahlung with the dark photon's charges, :mod:`darkbeam.production.three_body`) and proton
  bremsstrahlung p N → p N V (FWW with the proton's timelike form factor, Blümlein & Brunner, PLB 731 (2014)
  320; :mod:`darkbeam.production.proton_brem`; decay-in-flight beams only).
* Decays of V (tree level):
  - V → χχ̄, fermion: Γ = (α_D m_V/3)(1 + 2m_χ²/m_V²)√(1 − 4m_χ²/m_V²);
    scalar: Γ = (α_D m_V/12)(1 − 4m_χ²/m_V²)^{3/2}
    (deNiverville, Pospelov, Ritz, PRD 84, 075020 (2011) arXiv:1107.4580, Sec. II; the same as the
    ℓ⁺ℓ⁻ and π⁺π⁻ widths below with αε² → α_D and unit form factor);
  - V → e⁺e⁻, μ⁺μ⁻: Γ = (αε² m_V/3)(1 + 2m_ℓ²/m_V²)√(1 − 4m_ℓ²/m_V²) (Batell, Pospelov, Ritz,
    PRD 79, 115008 (2009));
  - V → hadrons: Γ_had = Γ_μμ(m_μ → 0)·R(m_V²). Below 1 GeV the R ratio is that of e⁺e⁻ → π⁺π⁻,
    R_ππ = β_π³|F_π|²/4 with the Gounaris–Sakurai ρ form factor (darkbeam.models.widths.width_vector_pipi;
    Ilten, Soreq, Williams, Xue, JHEP 06 (2018) 004, Eq. 2.10). The narrow ω (782 MeV, → 3π, π⁰γ) and
    the φ are not included, so Γ_had is low within ~±10 MeV of 782 MeV; masses above 1 GeV (where the
    full measured R ratio is needed) are refused. For the searches this model is checked against
    (α_D = 0.5 ≫ αε²), BR(V → χχ̄) = 1 − O(αε²/α_D) and the hadronic width does not matter.
* Detection, three channels (in this order; the first is built exactly as when it was the only one):
  - χ N → χ N elastic scattering on the nucleons of the detector medium with dipole form factors
    (:mod:`darkbeam.interactions.dm_elastic`; detection process ``dm-elastic``);
  - V → e⁺e⁻ decays inside the detector (generic ``decay-in-volume``): BR(V → e⁺e⁻) ≈ αε²/α_D for α_D ≫ αε², so
    it matters at small α_D; α_D = 0 is the pure (visible) dark photon, where the χ channels close with a reason
    ("a coupling is zero") and a sample made there cannot be re-weighted to α_D > 0 (zero-coupling rule of
    cached samples);
  - χ e⁻ → χ e⁻ elastic scattering on the electrons of the medium (detection process ``dm-electron``,
    :mod:`darkbeam.pipeline.dm_electron`), the recoil electron one electron-like shower.

The coupling combination the searches quote is Y = ε² α_D (m_χ/m_V)⁴ (:meth:`VectorPortalDM.coupling_product`);
the default mass ratio m_V = 3 m_χ is the searches' (``m_v = 0`` means 3 m_χ).
Valid for m_V > 2 m_χ (on-shell V → χχ̄; off-shell production is not modelled: refused).
"""

from __future__ import annotations

import math
from typing import Any

import hepunits as hu
import numpy as np

from ..constants import M_E, M_MU
from ..declarations import Decays, Param
from ..errors import InputError
from ..interactions.channels import DecayInVolume, Scatter
from ..interactions.dm_elastic import DM_TYPES
from ..production.channels import MesonThreeBody, NeutralMesonToGammaX
from ..production.proton_brem import ProtonBremsstrahlung
from .dark_photon import AMPLITUDES, _VectorEmitter
from .registry import MODELS
from .widths import (
    EE,
    MUMU,
    PIPI,
    _check_hadronic_range,
    width_vector_fermions,
    width_vector_leptons,
    width_vector_pipi,
)

CHICHI = "chi chibar"
#: default m_V/m_χ of the searches (MiniBooNE-DM, CCM120)
DEFAULT_MASS_RATIO = 3.0
#: α_D above this is refused: g_D = √(4π α_D) above √(4π) is not perturbative
ALPHA_D_MAX = 1.0


def width_v_to_chichi(m_v: float, m_chi: float, alpha_d: float, dm_type: str) -> float:
    """Γ(V → χχ̄) in MeV (see the module docstring for the formulas and their source); 0 at and below
    threshold. ``dm_type``: "fermion" (Dirac) or "scalar" (complex)."""
    if dm_type == "fermion":
        return float(width_vector_fermions(m_v, m_chi, m_chi, math.sqrt(4.0 * math.pi * alpha_d)))
    if dm_type == "scalar":
        if m_v <= 2.0 * m_chi:
            return 0.0
        return alpha_d * m_v / 12.0 * (1.0 - 4.0 * m_chi**2 / m_v**2) ** 1.5
    raise InputError("dm_type", dm_type, DM_TYPES)


@MODELS.register("vector-portal-dm")
class VectorPortalDM(_VectorEmitter):
    """Dark photon V (m_v, epsilon) decaying to light dark matter chi (m_chi, alpha_d; fermion or scalar)."""

    name = "vector-portal-dm"
    boson = "V"
    mass_param = "m_v"
    eps_param = "epsilon"
    params = (
        Param("m_chi", "energy", 30.0 * hu.MeV, "dark-matter mass"),
        Param("m_v", "energy", 0.0, "dark-photon mass; 0 = 3 m_chi (the searches' ratio)"),
        Param("epsilon", "dimensionless", 1e-4, "kinetic mixing (coupling e*epsilon to charge), <= 1"),
        Param("alpha_d", "dimensionless", 0.5, "dark coupling alpha_D = g_D^2/4pi, <= 1 (perturbative)"),
        Param("dm_type", "dimensionless", "fermion", "dark matter spin", choices=DM_TYPES),
        Param("amplitude", "dimensionless", "gauge-invariant", "3-body production amplitude", choices=AMPLITUDES),
    )
    production = (MesonThreeBody(), NeutralMesonToGammaX(), ProtonBremsstrahlung())
    detection = (Scatter("chi", "nucleon", process="dm-elastic"), DecayInVolume("V", EE),
                 Scatter("chi", "e-", process="dm-electron"))

    def validate(self) -> None:
        v = self.values
        if v["m_chi"] <= 0:
            raise InputError("vector-portal-dm.m_chi", v["m_chi"], "a positive mass")
        if not 0.0 <= v["epsilon"] <= 1.0:
            raise InputError("vector-portal-dm.epsilon", v["epsilon"], "a kinetic mixing in [0, 1]")
        if v["alpha_d"] < 0.0:
            raise InputError("vector-portal-dm.alpha_d", v["alpha_d"], "alpha_D >= 0 (0: a pure dark photon)")
        if v["alpha_d"] > ALPHA_D_MAX:
            raise InputError("vector-portal-dm.alpha_d", v["alpha_d"],
                             f"alpha_D <= {ALPHA_D_MAX} (g_D <= sqrt(4 pi): perturbative)")
        if self.m_x <= 2.0 * v["m_chi"]:
            raise InputError("vector-portal-dm.m_v", self.m_x,
                             f"a mass above 2 m_chi = {2 * v['m_chi']:.6g} MeV (on-shell V -> chi chi; "
                             "off-shell production is not modelled)")
        _check_hadronic_range("vector-portal-dm.m_v", self.m_x)

    @property
    def m_x(self) -> float:
        """The dark-photon mass in MeV: ``m_v``, or 3 m_chi when ``m_v`` = 0 (kept as 0 in the parameters, so that
        a scan or a re-weighting over m_chi keeps the ratio)."""
        m_v = float(self.values["m_v"])
        return m_v if m_v > 0 else DEFAULT_MASS_RATIO * float(self.values["m_chi"])

    def decays(self) -> dict[str, Decays]:
        """V → χχ̄, e⁺e⁻, μ⁺μ⁻, π⁺π⁻ (hadrons below 1 GeV; see the module docstring)."""
        m, eps = self.m_x, float(self.epsilon)
        widths = {
            CHICHI: width_v_to_chichi(m, float(self.m_chi), float(self.alpha_d), str(self.dm_type)),
            EE: float(width_vector_leptons(m, eps, M_E)),
            MUMU: float(width_vector_leptons(m, eps, M_MU)),
            PIPI: float(width_vector_pipi(m, eps)),
        }
        return {"V": Decays("V", m, widths)}

    def br_chichi(self) -> float:
        """BR(V → χχ̄)."""
        d = self.boson_decays()
        return d.widths[CHICHI] / d.total if d.total > 0 else 0.0

    def coupling_product(self) -> dict[str, Any]:
        """Y = ε² α_D (m_χ/m_V)⁴, the variable of the MiniBooNE-DM and CCM120 limits."""
        return {"name": "Y = epsilon^2*alpha_d*(m_chi/m_v)^4", "value": float(y_parameter(self)), "unit": ""}


def y_parameter(model: VectorPortalDM) -> float:
    """Y = ε² α_D (m_χ/m_V)⁴ of a vector-portal model."""
    return float(model.epsilon) ** 2 * float(model.alpha_d) * (float(model.m_chi) / float(model.m_x)) ** 4


def epsilon_for_y(y: float | np.ndarray, m_chi: float, m_v: float, alpha_d: float) -> np.ndarray:
    """ε giving Y = ε² α_D (m_χ/m_V)⁴ (inverse of :func:`y_parameter`)."""
    return np.sqrt(np.asarray(y, float) / (alpha_d * (m_chi / m_v) ** 4))
