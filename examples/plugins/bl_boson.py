"""A B−L gauge boson Z_BL as a darkbeam plugin: one file, outside the package.

Run it with::

    DARKBEAM_PLUGINS=examples/plugins/bl_boson.py darkbeam run examples/bl_boson.toml

Physics (a U(1)_{B−L} gauge boson, e.g. Bauer, Foldenauer, Jaeckel, JHEP 07 (2018) 094,
arXiv:1803.05466; Ilten, Soreq, Williams, Xue, JHEP 06 (2018) 004, arXiv:1801.04847):

    L ⊃ g_BL Z_BL,μ Σ_f x_f f̄ γ^μ f,   x_q = 1/3, x_ℓ = x_ν = −1   (neutrinos left-handed only)

* Production
  - π±/K± → ℓ± ν Z_BL: emission from the charged lepton and the neutrino (the meson is B−L neutral);
    the sum is gauge invariant because B−L is conserved at the W vertex (field charges
    (q_ℓ, q_ν, q_P) = (−1, −1, 0), darkbeam.production.matrix_elements.VECTOR_CHARGES "B-L"; the Ward
    identity is checked numerically in the tests).
  - π⁰/η → γ Z_BL: the anomaly vertex with one photon replaced by Z_BL. Its strength relative to γγ is
    Σ_q Q_q x_q T_q / Σ_q Q_q² T_q (T_q: flavour weights of the meson) = 1 for both π⁰ (T = (1, −1, 0))
    and η (T = (1, 1, −2), η–η′ mixing neglected), so the effective ε is g_BL/e (Ilten et al., Sec. 2.2).
* Decays (tree level, m_Z below the π⁰γ threshold so that no hadronic channel is open):
  - Z_BL → ℓ⁺ℓ⁻: Γ = g² m (1 + 2m_ℓ²/m²) √(1 − 4m_ℓ²/m²) / (12π)
    (darkbeam.models.widths.width_vector_fermions);
  - Z_BL → ν ν̄ (three left-handed flavours): Γ = 3 g² m / (24π) (Bauer et al., App. A).
* Detection: Z_BL → e⁺e⁻ inside the detector (darkbeam's generic decay-in-volume process); at
  MiniBooNE the pair is one electron-like shower when it overlaps or is asymmetric.

Valid for 2 m_e < m_Z_BL < m_π⁰ (135 MeV): above, Z_BL → π⁰γ and hadronic channels would be missing, so
the model refuses such masses.
"""

from __future__ import annotations

import math

import darkbeam
from darkbeam.constants import E_CHARGE, M_E, M_MU, M_PI0
from darkbeam.errors import InputError
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.models import Decays, Model, Param
from darkbeam.models.widths import width_vector_fermions
from darkbeam.production.channels import MesonThreeBody, NeutralMesonToGammaX
from darkbeam.production.matrix_elements import VECTOR_CHARGES

MEV = 1.0  # darkbeam's internal energy unit (hepunits): MeV = 1


@darkbeam.register_model("bl-boson")
class BLBoson(Model):
    """B−L gauge boson Z_BL (mass m_zbl, coupling g_bl): meson decays, Z_BL → e+e- in the detector."""

    name = "bl-boson"
    boson = "Z_BL"
    boson_kind = "vector"
    mass_param = "m_zbl"
    params = (
        Param("m_zbl", "energy", 50.0 * MEV, "Z_BL mass (2 m_e < m < m_pi0)"),
        Param("g_bl", "dimensionless", 3e-8, "B-L gauge coupling g_BL"),
    )
    production = (MesonThreeBody(), NeutralMesonToGammaX())
    detection = (DecayInVolume("Z_BL", "e+ e-"),)

    def validate(self) -> None:
        m = self.values["m_zbl"]
        if not 2 * M_E < m < M_PI0:
            raise InputError("bl-boson.m_zbl", m, f"a mass between 2 m_e = {2 * M_E:.4g} MeV and m_pi0 = "
                                                  f"{M_PI0:.4g} MeV (hadronic channels are not modelled)")

    # --- production couplings -----------------------------------------------------------------------
    def lepton_coupling(self, lepton: str) -> float:
        """Overall coupling of π/K → ℓνZ_BL (the charges below carry the −1 of ℓ and ν)."""
        return self.values["g_bl"]

    def three_body_amplitude(self) -> tuple[float, float, float]:
        """Field charges (q_ℓ, q_ν, q_P) = (−1, −1, 0): emission from the charged lepton and the neutrino."""
        return VECTOR_CHARGES.get("B-L")

    def neutral_meson_mixing(self, parent: str) -> float:
        """Effective ε of π⁰/η → γZ_BL: g_BL/e (quark-charge ratio 1 for π⁰ and η; see module docstring)."""
        return self.values["g_bl"] / E_CHARGE

    # --- decays ---------------------------------------------------------------------------------------
    def decays(self) -> dict[str, Decays]:
        m, g = self.values["m_zbl"], self.values["g_bl"]
        widths = {
            "e+ e-": float(width_vector_fermions(m, M_E, M_E, g)),
            "mu+ mu-": float(width_vector_fermions(m, M_MU, M_MU, g)),
            "nu nubar": 3 * g * g * m / (24 * math.pi),
        }
        return {"Z_BL": Decays("Z_BL", m, widths)}

    def coupling_product(self) -> dict:
        return {"name": "g_bl", "value": float(self.values["g_bl"]), "unit": ""}
