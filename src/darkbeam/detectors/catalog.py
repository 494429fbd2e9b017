"""Catalog of proton beams and detectors, found through registries.

Geometry in internal units (mm), masses in tonnes. Target composition is a list of
(nucleus, Z, A, number per molecule) so that interaction modules can count coherent nuclei and
free nucleons. Sources are cited per entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hepunits as hu

from ..errors import InputError
from ..registry import Registry


@dataclass(frozen=True)
class Beam:
    """A proton beam line with its target and (optional) decay region.

    Attributes:
        name: registry key.
        proton_momentum: beam momentum, MeV/c.
        target_material: target nucleus ("Be", "W", "Hg", "C").
        target_length, target_radius: mm.
        decay_length: length of the decay region downstream of the target, mm (0 = none).
        decay_radius: radius of the decay pipe, mm (particles leaving it are absorbed).
        focusing_modes: beam mode -> default focusing model name.
        reference: citation.
    """

    name: str
    proton_momentum: float
    target_material: str
    target_length: float
    target_radius: float
    decay_length: float
    decay_radius: float
    focusing_modes: dict[str, str]
    reference: str


@dataclass(frozen=True)
class Material:
    """Detector medium: molecule composition as (symbol, Z, A, count per molecule)."""

    name: str
    components: tuple[tuple[str, int, int, int], ...]
    molar_mass: float  # g/mol of one molecule (formula unit)

    def targets_per_tonne(self) -> dict[str, float]:
        """Number of nuclei of each symbol per tonne of material."""
        n_molecules = 1e6 / self.molar_mass * hu.Avogadro  # per tonne (1e6 g)
        out: dict[str, float] = {}
        for sym, _z, _a, count in self.components:
            out[sym] = out.get(sym, 0.0) + count * n_molecules
        return out


CH2 = Material("CH2 (mineral oil)", (("C12", 6, 12, 1), ("H1", 1, 1, 2)), 14.027)
LAR = Material("liquid argon", (("Ar40", 18, 40, 1),), 39.948)


@dataclass(frozen=True)
class Experiment:
    """A detector at a beam line.

    Attributes:
        name: registry key.
        beam: key of :data:`BEAMS`.
        distance: distance from the target centre to the detector centre, mm.
        off_axis_angle: angle of the detector centre to the beam axis, rad.
        radius: radius of the sensitive volume's cross-section seen from the target (sphere radius,
            or radius of the disc of equal area for a box), mm.
        fiducial_radius: fiducial radius (sphere) or equivalent, mm.
        fiducial_mass: tonnes.
        material: detector medium.
        pot: protons on target per beam mode.
        reference: citation.
    """

    name: str
    beam: str
    distance: float
    off_axis_angle: float
    radius: float
    fiducial_radius: float
    fiducial_mass: float
    material: Material
    pot: dict[str, float] = field(default_factory=dict)
    reference: str = ""

    def targets(self) -> dict[str, float]:
        """Number of each target nucleus in the fiducial volume."""
        return {k: v * self.fiducial_mass for k, v in self.material.targets_per_tonne().items()}

    def pot_for(self, mode: str) -> float:
        if mode not in self.pot:
            raise InputError(f"mode of experiment {self.name}", mode, self.pot.keys())
        return self.pot[mode]


BEAMS: Registry[Beam] = Registry("beam")
EXPERIMENTS: Registry[Experiment] = Registry("experiment")

BEAMS.add(
    "bnb",
    Beam(
        "bnb", 8.89 * hu.GeV, "Be", 71.1 * hu.cm, 0.51 * hu.cm, 50.0 * hu.m, 0.91 * hu.m,
        {"neutrino": "horn-window", "antineutrino": "horn-window", "off-target": "none"},
        "MiniBooNE, PRD 79, 072002 (2009), arXiv:0806.1449: 71 cm Be target, 50 m decay region of 91 cm radius",
    ),
    "Fermilab Booster Neutrino Beam: 8.89 GeV/c protons on Be, magnetic horn, 50 m decay pipe",
)
BEAMS.add(
    "lanl-lujan",
    Beam("lanl-lujan", 1.463 * hu.GeV, "W", 10 * hu.cm, 5 * hu.cm, 0.0, 0.0, {"stopped": "none"},
         "CCM: 800 MeV kinetic-energy protons on the Lujan W target (arXiv:2105.14020)"),
    "LANSCE Lujan center: 800 MeV protons on tungsten (stopped-pion source)",
)
BEAMS.add(
    "sns",
    Beam("sns", 1.696 * hu.GeV, "Hg", 50 * hu.cm, 5 * hu.cm, 0.0, 0.0, {"stopped": "none"},
         "COHERENT: ~1 GeV kinetic-energy protons on the SNS mercury target (arXiv:1708.01294)"),
    "ORNL Spallation Neutron Source: 1 GeV protons on mercury",
)
BEAMS.add(
    "jparc-mlf",
    Beam("jparc-mlf", 3.825 * hu.GeV, "Hg", 50 * hu.cm, 5 * hu.cm, 0.0, 0.0, {"stopped": "none"},
         "JSNS2: 3 GeV kinetic-energy protons on the MLF mercury target (arXiv:2104.13169)"),
    "J-PARC MLF: 3 GeV protons on mercury",
)
BEAMS.add(
    "lbnf",
    Beam("lbnf", 120 * hu.GeV, "C", 150 * hu.cm, 0.8 * hu.cm, 194 * hu.m, 2.0 * hu.m,
         {"neutrino": "horn-window", "antineutrino": "horn-window"},
         "DUNE TDR vol. II, arXiv:2002.03005: 120 GeV protons, graphite target, 194 m decay pipe"),
    "LBNF/DUNE: 120 GeV protons on graphite",
)

EXPERIMENTS.add(
    "miniboone",
    Experiment(
        "miniboone", "bnb", 541.0 * hu.m, 0.0, 610.6 * hu.cm, 500.0 * hu.cm, 818.0, CH2,
        {"neutrino": 18.75e20, "antineutrino": 11.27e20, "off-target": 1.86e20},
        "MiniBooNE: PRD 103, 052002 (2021) arXiv:2006.16883; NIM A599, 28 (2009): 6.1 m radius "
        "sphere of CH2 (818 t), 541 m from the target; the official efficiency (eg_effs.dat) includes the 5 m fiducial cut, so rates use 818 t with it",
    ),
    "MiniBooNE: 818 t fiducial CH2 Cherenkov detector, 541 m on axis of the BNB",
)
EXPERIMENTS.add(
    "microboone",
    Experiment(
        "microboone", "bnb", 470.0 * hu.m, 0.0, 1.375 * hu.m, 1.3 * hu.m, 85.0, LAR,
        {"neutrino": 13.6e20},
        "MicroBooNE, JINST 12, P02017 (2017) arXiv:1612.05824: 2.56 x 2.32 x 10.36 m TPC (85 t active LAr), "
        "470 m from the BNB target; radius = that of the disc of equal area to the 2.56 x 2.32 m face "
        "(1.37 m); fiducial_mass = active mass (the LArTPC efficiency in detectors/response.py includes "
        "the fiducial cut); POT 13.6e20 = the exposure seed 001 (arXiv:2007.11813) quotes (the 1gamma "
        "analyses used 6.80e20, arXiv:2110.00409, and 6.34e20, arXiv:2502.06064)",
    ),
    "MicroBooNE: 85 t active LArTPC at 470 m on the BNB",
)
EXPERIMENTS.add(
    "sbnd",
    Experiment(
        "sbnd", "bnb", 110.0 * hu.m, 0.0, 2.26 * hu.m, 2.0 * hu.m, 112.0, LAR,
        {"neutrino": 6.6e20},
        "SBN proposal arXiv:1503.01520: 4 x 4 x 5 m (W x H x L) active LArTPC, 112 t active, 110 m from the "
        "BNB target, 6.6e20 POT; radius = disc of equal area to the 4 x 4 m face (2.26 m); fiducial_mass = "
        "active mass (efficiency includes the fiducial cut)",
    ),
    "SBND: 112 t LArTPC at 110 m on the BNB",
)
EXPERIMENTS.add(
    "icarus",
    Experiment(
        "icarus", "bnb", 600.0 * hu.m, 0.0, 2.46 * hu.m, 2.3 * hu.m, 476.0, LAR,
        {"neutrino": 6.6e20},
        "SBN proposal arXiv:1503.01520: ICARUS T600, 476 t active, 600 m from the BNB target, 6.6e20 POT; "
        "four TPCs of 1.5 m drift x 3.16 m height x 17.95 m (4 x 85.1 m^3 x 1.396 t/m^3 = 476 t): the face "
        "seen from the target is 4 x 1.5 x 3.16 = 19.0 m^2, radius of the equal-area disc 2.46 m (was 2.9 m, "
        "the cryostat-size face); fiducial_mass = active mass (efficiency includes the fiducial cut)",
    ),
    "ICARUS: 476 t LArTPC at 600 m on the BNB",
)
EXPERIMENTS.add(
    "ccm",
    Experiment(
        "ccm", "lanl-lujan", 20.0 * hu.m, 1.57, 1.0 * hu.m, 1.0 * hu.m, 7.0, LAR,
        {"stopped": 2.25e22},
        "CCM120, arXiv:2105.14020: ~7 t fiducial LAr at 20 m, ~90 degrees to the beam",
    ),
    "CCM: 7 t LAr scintillator 20 m from the Lujan target",
)
EXPERIMENTS.add(
    "coherent-lar",
    Experiment(
        "coherent-lar", "sns", 27.5 * hu.m, 2.35, 0.4 * hu.m, 0.4 * hu.m, 0.0245, LAR,
        {"stopped": 1.38e23},
        "COHERENT CENNS-10, PRL 126, 012002 (2021): 24.4 kg LAr at 27.5 m, 137 degrees",
    ),
    "COHERENT CENNS-10: 24 kg LAr at the SNS",
)
EXPERIMENTS.add(
    "jsns2",
    Experiment(
        "jsns2", "jparc-mlf", 24.0 * hu.m, 1.57, 1.6 * hu.m, 1.4 * hu.m, 17.0, CH2,
        {"stopped": 3.8e22},
        "JSNS2, NIM A1014, 165742 (2021) arXiv:2104.13169: 17 t Gd-LS at 24 m",
    ),
    "JSNS2: 17 t liquid scintillator 24 m from the J-PARC MLF target",
)
EXPERIMENTS.add(
    "dune-nd",
    Experiment(
        "dune-nd", "lbnf", 574.0 * hu.m, 0.0, 2.0 * hu.m, 1.5 * hu.m, 67.0, LAR,
        {"neutrino": 1.1e21},
        "DUNE ND CDR arXiv:2103.13910: ND-LAr, 67 t fiducial, 574 m from the target",
    ),
    "DUNE near detector ND-LAr at 574 m on the LBNF beam",
)


def get_experiment(name: str) -> Experiment:
    """Look up an experiment by name (unknown names raise InputError listing allowed ones)."""
    return EXPERIMENTS.get(name)
