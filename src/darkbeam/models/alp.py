"""The ALP portal (seed 004, Sec. 5.4): an axion-like particle a coupled to photons (and optionally electrons).

    L ⊃ −¼ g_aγγ a F_μν F̃^μν + i g_aee a ē γ⁵ e        (seed 004 Eq. 20; F̃^μν = ½ ε^μνρσ F_ρσ)

Parameters: ``m_a`` (energy), ``g_agg`` (1/energy: "1e-5 1/GeV"), ``g_aee`` (dimensionless, default 0) and
``target`` — the production-target material whose photons convert: "beam" (default) follows the beam's
``target_material`` ("W": Lujan/CCM, "Hg": SNS and J-PARC, "Be": BNB, "C": NuMI/LBNF, "Fe": the BNB steel dump
of off-target running); a material name must equal the beam's (``PhotonPrimakoff.for_beam`` refuses a conflict).

* Production (:class:`darkbeam.production.photon_primakoff.PhotonPrimakoff`): photons of π⁰/η → γγ in the
  target convert by the Primakoff process γ N → a N before they are absorbed, P(E_γ) = σ_P/σ_abs ∝ g_aγγ²
  (that module's docstring has the cross-sections and their sources). ``cascade = "approx-b"`` adds the
  photons of each primary's electromagnetic shower (Rossi's approximation-B track length,
  :mod:`darkbeam.production.em_cascade`; default "none").
* Production through g_aee (:class:`darkbeam.production.alp_compton.PhotonCompton`): the same photons (and, with
  the cascade, their shower photons) convert by Compton-like scattering γ e → a e on the target's atomic electrons,
  P = Z σ_C/σ_abs ∝ g_aee² (source labels "pi0 comp", "eta comp"); e⁺e⁻ → aγ and bremsstrahlung are not
  modelled. At g_aee = 0 (the default) the channel is closed and draws no random numbers.
* Decays:
  - a → γγ: Γ = g_aγγ² m_a³ / (64π)  (Döbrich et al., JHEP 02 (2016) 018, arXiv:1512.03069, Sec. 2; PDG RPP
    2022 review "Axions and other similar particles");
  - a → e⁺e⁻: Γ = g_aee² m_a β / (8π), β = √(1 − 4m_e²/m_a²) (a pseudoscalar Yukawa coupling i g a ē γ⁵ e;
    e.g. Bauer, Neubert, Thamm, JHEP 12 (2017) 044, arXiv:1708.00443, with their c_ee m_e/f = g_aee).
  The tests check both against independent routes (an explicit trace of the Yukawa amplitude; the π⁰ → γγ
  width with the anomaly coupling g = α/(π f_π), f_π = 92 MeV).
* Detection, two channels (``pipeline.signal.build_signal`` combines them; each event carries its channel):
  - a → γγ inside the detector volume (``DecayInVolume("a", "gamma gamma")``, darkbeam's generic decay-in-volume
    process);
  - inverse Primakoff scattering a N → γ N on the atoms of the detector medium (``Scatter("a", "gamma",
    process="inverse-primakoff")``: :mod:`darkbeam.pipeline.alp_scattering`, cross-section
    :mod:`darkbeam.interactions.inverse_primakoff`, σ = 2 (E/p)² σ_P by detailed balance), one photon through the
    experiment's response; it matters for light ALPs (m_a ≲ 0.1 MeV), whose decays are suppressed as m_a⁴.
  - through g_aee: a → e⁺e⁻ inside the detector (``DecayInVolume("a", "e+ e-")``) and inverse Compton-like
    scattering a e → γ e on the medium's electrons (``Scatter("a", "gamma e-", process="inverse-compton")``:
    :mod:`darkbeam.pipeline.alp_electron_scattering`, cross-section :mod:`darkbeam.interactions.alp_electron`),
    photon and electron through the response as one pair. Both are closed, with their reasons, at g_aee = 0.

Valid for 0 < m_a; the photon coupling must keep σ_P ≪ σ_abs (always true for g_aγγ < 10⁻² /GeV).
"""

from __future__ import annotations

import math

import hepunits as hu

from ..constants import M_E
from ..declarations import Decays, Model, Param
from ..errors import InputError
from ..interactions.channels import DecayInVolume, Scatter
from ..particles import ALP_PDG
from ..production.alp_compton import PhotonCompton
from ..production.em_cascade import CASCADE_CHOICES
from ..production.photon_primakoff import FOLLOW_BEAM, MATERIALS, PhotonPrimakoff
from .plugins import register_model

#: largest photon coupling accepted (1/MeV): 1e-2 /GeV, far above every bound; keeps P(E_γ) = σ_P/σ_abs ≪ 1
G_AGG_MAX = 1e-2 / hu.GeV


def width_gamma_gamma(m_a: float, g_agg: float) -> float:
    """Γ(a → γγ) = g² m³/(64π), MeV (m_a in MeV, g in 1/MeV)."""
    return g_agg * g_agg * m_a**3 / (64.0 * math.pi)


def width_ee(m_a: float, g_aee: float) -> float:
    """Γ(a → e⁺e⁻) = g_aee² m_a β/(8π), MeV; 0 below 2 m_e."""
    if m_a <= 2.0 * M_E:
        return 0.0
    return g_aee * g_aee * m_a * math.sqrt(1.0 - 4.0 * M_E * M_E / (m_a * m_a)) / (8.0 * math.pi)


@register_model("alp")
class AxionLikeParticle(Model):
    """Axion-like particle a (m_a, g_agg, g_aee): Primakoff and Compton-like production, decays, scatters.

    Decays a -> gamma gamma, e+ e- in the detector; scatters a N -> gamma N, a e -> gamma e."""

    name = "alp"
    boson = "a"
    boson_kind = "pseudoscalar"
    #: particle id of a in samples and event records (darkbeam.particles.ALP_PDG)
    state_pdg = ALP_PDG
    mass_param = "m_a"
    params = (
        Param("m_a", "energy", 10.0 * hu.MeV, "ALP mass m_a"),
        Param("g_agg", "1/energy", 1e-5 / hu.GeV, "ALP-photon coupling g_agamma (L = -1/4 g a F Ftilde), 1/energy"),
        Param("g_aee", "dimensionless", 0.0, "ALP-electron coupling (L = i g a e-bar gamma5 e): a -> e+ e-, "
              "Compton-like gamma e -> a e in the target, a e -> gamma e in the detector"),
        Param("target", "dimensionless", FOLLOW_BEAM, "production-target material whose pi0/eta photons convert: "
              "'beam' (default) = the beam's target_material (W Lujan, Hg SNS/J-PARC, Be BNB, C NuMI/LBNF, Fe BNB "
              "dump); a material name must equal it (an error otherwise)",
              choices=(FOLLOW_BEAM, *MATERIALS)),
        Param("cascade", "dimensionless", "none", "electromagnetic cascade of the pi0/eta photons in the thick "
              "target: 'none' (default: each primary photon converts with P = sigma_P/sigma_abs) or 'approx-b' "
              "(its shower photons convert too: Rossi's approximation B track length, em_cascade)",
              choices=CASCADE_CHOICES),
    )
    production = (PhotonPrimakoff(), PhotonCompton())
    detection = (DecayInVolume("a", "gamma gamma"), Scatter("a", "gamma", process="inverse-primakoff"),
                 DecayInVolume("a", "e+ e-"), Scatter("a", "gamma e-", process="inverse-compton"))

    def validate(self) -> None:
        if not self.values["m_a"] > 0.0:
            raise InputError(f"{self.name}.m_a", self.values["m_a"], "a mass > 0 MeV")
        if self.values["g_agg"] > G_AGG_MAX:
            raise InputError(f"{self.name}.g_agg", self.values["g_agg"],
                             f"a coupling <= {G_AGG_MAX:g} 1/MeV (1e-2 /GeV): above it sigma_Primakoff is no "
                             "longer small against photon absorption")
        if self.values["g_aee"] > math.sqrt(4.0 * math.pi):
            raise InputError(f"{self.name}.g_aee", self.values["g_aee"], "a perturbative coupling <= sqrt(4 pi)")

    # --- what the production channel reads ----------------------------------------------------------
    def photon_coupling(self) -> float:
        """g_aγγ, 1/MeV."""
        return float(self.values["g_agg"])

    def electron_coupling(self) -> float:
        """g_aee, dimensionless (Compton-like production and detection)."""
        return float(self.values["g_aee"])

    def primakoff_target(self) -> str:
        """Material of the production target ("beam": the beam's; or "W", "Hg", "Be", "C", "Fe")."""
        return str(self.values["target"])

    def primakoff_cascade(self) -> str:
        """The target's electromagnetic cascade: "none" or "approx-b" (darkbeam.production.em_cascade)."""
        return str(self.values["cascade"])

    # --- decays ---------------------------------------------------------------------------------------
    def decays(self) -> dict[str, Decays]:
        m = float(self.values["m_a"])
        widths = {"gamma gamma": width_gamma_gamma(m, float(self.values["g_agg"])),
                  "e+ e-": width_ee(m, float(self.values["g_aee"]))}
        return {"a": Decays("a", m, widths)}

    def coupling_product(self) -> dict:
        return {"name": "g_agg", "value": float(self.values["g_agg"]), "unit": "1/MeV"}
