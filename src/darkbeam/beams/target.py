"""Proton interactions in a thick production target: cross-sections, interaction law, vertices.

Internal units (hepunits): MeV, mm; cross-sections in mm² internally.

The normalisation convention used by :mod:`darkbeam.beams.production` is

    mesons per POT = P_int × σ_meson / σ_inel,        P_int = 1 − exp(−L / λ),  λ = 1 / (n σ_inel)

i.e. only *primary* proton interactions are counted; the primary beam is attenuated with the
p-nucleus inelastic cross-section σ_inel and every inelastic interaction yields on average
σ_meson / σ_inel mesons, where σ_meson = ∫ d²σ/dp dΩ is the inclusive production cross-section.
This equals n σ_meson ∫_0^L exp(−z/λ) dz (the meson production rate integrated along the
attenuated beam). Tertiary production (re-interacting protons and mesons, ~7 % of the BNB ν_μ flux
according to MiniBooNE, PRD 79, 072002) is not included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import hepunits as hu
import numpy as np

from ..errors import InputError
from .beamlines import Beam


@dataclass(frozen=True)
class TargetMaterial:
    """Bulk properties of a target material.

    Attributes:
        symbol: chemical symbol ("Be").
        A: molar mass, g/mol.
        density: g/cm³.
        reference: citation.
    """

    symbol: str
    A: float
    density: float
    reference: str

    @property
    def number_density(self) -> float:
        """Nuclei per mm³ (internal units)."""
        # n = ρ N_A / A ; ρ in g/cm³ -> nuclei per cm³ -> per mm³
        return self.density * hu.Avogadro / self.A / hu.cm3


# PDG "Atomic and nuclear properties of materials": Be, A = 9.0122 g/mol, ρ = 1.848 g/cm³.
BERYLLIUM = TargetMaterial("Be", 9.0121831, 1.848, "PDG Atomic and Nuclear Properties (beryllium)")
# Graphite of the NuMI/LBNF targets: A = 12.0107 g/mol (PDG); ρ = 1.78 g/cm³, the NuMI LE target graphite
# (g4numi NumiDataInput.cc, woodtp/g4numi: "TargetDensity = 1.78 g/cm3", POCO ZXF-5Q). The LBNF target is
# taken to be the same grade (its density was not checked; 1.78-1.83 g/cm³ changes P_int by < 1 %).
GRAPHITE = TargetMaterial("C", 12.0107, 1.78, "PDG Atomic and Nuclear Properties (carbon); ρ of the NuMI "
                          "target graphite (g4numi)")
# Iron of the BNB steel beam dump (MiniBooNE-DM off-target run; p-Fe production set of beams.production_iron):
# PDG "Atomic and nuclear properties of materials", iron: A = 55.845 g/mol, ρ = 7.874 g/cm³.
IRON = TargetMaterial("Fe", 55.845, 7.874, "PDG Atomic and Nuclear Properties (iron)")
TARGET_MATERIALS: dict[str, TargetMaterial] = {"Be": BERYLLIUM, "C": GRAPHITE, "Fe": IRON}

# p-Be cross-sections of the MiniBooNE/BNB beam simulation (PRD 79, 072002 (2009), hadronic cross-sections;
# Regge-type fits sigma(p) = c0 + c1 p^c2 + c3 ln^2 p + c4 ln p [mb], p in GeV/c, fitted to p-Be
# data between 2 and 9 GeV/c). Coefficients as coded in the BooNE Geant4 beam simulation
# (g4bnb, BooNEHadronCrossSectionsMessenger defaults). At 8.89 GeV/c: total 285.5 mb,
# inelastic 212.4 mb.
_PBE_TOTAL = (307.825, 0.897317, 0.002670, -2.59749, -4.97272)
_PBE_INELASTIC = (186.670, 104.307, -1.03926, 10.3808, -15.8309)
PBE_FIT_RANGE = (2.0 * hu.GeV, 12.3 * hu.GeV)  # fit data 2-9 GeV/c; mild extrapolation to 12.3 GeV/c


def _regge(c: tuple[float, ...], p: float) -> float:
    lp = math.log(p / hu.GeV)
    return c[0] + c[1] * (p / hu.GeV) ** c[2] + c[3] * lp * lp + c[4] * lp


def _check_pbe(p_beam: float) -> None:
    if not (PBE_FIT_RANGE[0] <= p_beam <= PBE_FIT_RANGE[1]):
        raise InputError(
            "proton_momentum", p_beam,
            f"{PBE_FIT_RANGE[0] / hu.GeV:g}-{PBE_FIT_RANGE[1] / hu.GeV:g} GeV/c (range of the p-Be fits)",
        )


def sigma_inelastic_pbe(p_beam: float) -> float:
    """p-Be inelastic cross-section σ_inel (mm²) at beam momentum ``p_beam`` (MeV/c).

    Source: MiniBooNE flux paper PRD 79, 072002 (2009) Regge fit (see module constants).
    """
    _check_pbe(p_beam)
    return _regge(_PBE_INELASTIC, p_beam) * hu.millibarn


def sigma_total_pbe(p_beam: float) -> float:
    """p-Be total cross-section σ_tot (mm²) at ``p_beam`` (MeV/c); same source as σ_inel."""
    _check_pbe(p_beam)
    return _regge(_PBE_TOTAL, p_beam) * hu.millibarn


# p-C inelastic cross-section at high energy: PDG "Atomic and nuclear properties of materials", carbon
# (graphite), nuclear interaction length λ_I = 85.8 g/cm² → σ_inel = A/(N_A λ_I) = 232.5 mb (the PDG values are
# for 60-240 GeV/c; the same table gives λ_I(Fe) = 132.1 g/cm², i.e. the 16.77 cm of beams.focusing).
# Taken constant over 60-450 GeV/c (the hadron-nucleus cross-sections vary by ~1 % there).
LAMBDA_I_CARBON = 85.8  # g/cm²
PC_RANGE = (60.0 * hu.GeV, 450.0 * hu.GeV)


def sigma_inelastic_pc(p_beam: float) -> float:
    """p-C (graphite) inelastic cross-section σ_inel (mm²) at beam momentum ``p_beam`` (MeV/c), 60-450 GeV/c.

    Source: PDG carbon λ_I = 85.8 g/cm² (see module constants): 232.5 mb.
    """
    if not (PC_RANGE[0] <= p_beam <= PC_RANGE[1]):
        raise InputError("proton_momentum", p_beam,
                         f"{PC_RANGE[0] / hu.GeV:g}-{PC_RANGE[1] / hu.GeV:g} GeV/c (range of the p-C cross-section)")
    return GRAPHITE.A / (hu.Avogadro * LAMBDA_I_CARBON) * hu.cm2  # (g/mol)/(1/mol × g/cm²) = cm²


# p-Fe inelastic cross-section: from the PDG nuclear interaction length of iron, λ_I(Fe) = 132.1 g/cm²
# (PDG "Atomic and nuclear properties of materials"): σ_inel = A/(N_A λ_I) = 702 mb. The PDG value is for
# 60-240 GeV/c; at the 8.9 GeV/c of the BNB it is APPROXIMATE (p-A inelastic cross-sections are within a few % of
# it there). Used over the momenta of the p-Fe production set (6.4-12.3 GeV/c: the data range of the MiniBooNE
# p-Be fits it scales, beams.production.P_BEAM_RANGE; tests/test_vector_portal.py checks the two agree).
LAMBDA_I_IRON = 132.1  # g/cm²
PFE_RANGE = (6.4 * hu.GeV, 12.3 * hu.GeV)


def sigma_inelastic_pfe(p_beam: float) -> float:
    """p-Fe inelastic cross-section σ_inel (mm²) at beam momentum ``p_beam`` (MeV/c), 6.4-12.3 GeV/c.

    Source: PDG iron λ_I = 132.1 g/cm² (see module constants): 702 mb.
    """
    if not (PFE_RANGE[0] <= p_beam <= PFE_RANGE[1]):
        raise InputError("proton_momentum", p_beam, f"{PFE_RANGE[0] / hu.GeV:g}-{PFE_RANGE[1] / hu.GeV:g} GeV/c "
                                                    "(range of the p-Fe production set)")
    return IRON.A / (hu.Avogadro * LAMBDA_I_IRON) * hu.cm2  # (g/mol)/(1/mol × g/cm²) = cm²


_SIGMA_INEL = {"Be": sigma_inelastic_pbe, "C": sigma_inelastic_pc, "Fe": sigma_inelastic_pfe}


def target_material(beam: Beam) -> TargetMaterial:
    """Material of the beam's target; InputError if darkbeam has no production model for it."""
    if beam.target_material not in TARGET_MATERIALS:
        raise InputError(f"target_material of beam {beam.name}", beam.target_material, TARGET_MATERIALS)
    return TARGET_MATERIALS[beam.target_material]


def sigma_inelastic(beam: Beam) -> float:
    """Inelastic proton-nucleus cross-section (mm²) for the beam's target and momentum."""
    target_material(beam)
    return _SIGMA_INEL[beam.target_material](beam.proton_momentum)


def interaction_length(beam: Beam) -> float:
    """Inelastic interaction length λ = 1/(n σ_inel) of the beam protons in the target, mm."""
    return 1.0 / (target_material(beam).number_density * sigma_inelastic(beam))


def interaction_probability(beam: Beam) -> float:
    """Probability that a primary proton interacts inelastically in the target, 1 − exp(−L/λ)."""
    return -math.expm1(-beam.target_length / interaction_length(beam))


def mesons_per_pot_from_sigma(beam: Beam, sigma_meson: float) -> float:
    """Convert an inclusive production cross-section (mm²) to mesons per POT: P_int σ/σ_inel."""
    return interaction_probability(beam) * sigma_meson / sigma_inelastic(beam)


# Primary beam spot (Gaussian σ_x, σ_y), mm. BNB: σ_x = 1.51 mm, σ_y = 0.75 mm (MiniBooNE flux
# paper PRD 79, 072002, primary beam; g4bnb primary-generator defaults). The angular divergence
# (0.66, 0.40 mrad) is neglected: it is < 1 % of the meson angles that matter (≥ 30 mrad).
# NuMI: σ_x ≈ σ_y ≈ 1.1 mm on the LE target (NuMI beam paper, NIM A806, 279 (2016) arXiv:1507.06690,
# APPROXIMATE: 1.0-1.3 mm over the runs); the 6.4 mm wide fins are modelled as a 3.2 mm radius.
BEAM_SPOTS: dict[str, tuple[float, float]] = {"bnb": (1.51 * hu.mm, 0.75 * hu.mm),
                                              "numi": (1.1 * hu.mm, 1.1 * hu.mm)}


def beam_spot(beam: Beam) -> tuple[float, float]:
    """(σ_x, σ_y) of the primary beam at the target, mm (default: target_radius / 3 each)."""
    return BEAM_SPOTS.get(beam.name, (beam.target_radius / 3.0, beam.target_radius / 3.0))


def sample_vertices(beam: Beam, n: int, rng: np.random.Generator) -> np.ndarray:
    """Primary-interaction vertices, shape (n, 3), mm (target centre at the origin, beam along +z).

    z follows the exponential interaction law truncated to the target, p(z) ∝ exp(−(z + L/2)/λ)
    for −L/2 ≤ z ≤ L/2; (x, y) follow the Gaussian beam spot truncated to the target radius
    (protons outside the target radius miss it; the spot is ≈ 3σ inside the BNB target).
    """
    L = beam.target_length
    lam = interaction_length(beam)
    u = rng.random(n)
    # inverse CDF of the truncated exponential: z' = -λ ln(1 - u (1 - e^{-L/λ}))
    z = -L / 2.0 - lam * np.log1p(-u * (-math.expm1(-L / lam)))
    sx, sy = beam_spot(beam)
    R2 = beam.target_radius**2
    x = rng.normal(0.0, sx, n)
    y = rng.normal(0.0, sy, n)
    bad = x * x + y * y > R2
    while np.any(bad):  # vectorised rejection of the (rare) points outside the target radius
        k = int(bad.sum())
        x[bad] = rng.normal(0.0, sx, k)
        y[bad] = rng.normal(0.0, sy, k)
        bad = x * x + y * y > R2
    return np.stack([x, y, z], axis=1)
