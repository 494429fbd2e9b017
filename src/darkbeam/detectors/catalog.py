"""Catalog of detectors (experiments), found through a registry; the proton beams they see are defined in the
source layer (:mod:`darkbeam.beams.beamlines`) and re-exported here.

Geometry in internal units (mm), masses in tonnes. Target composition is a list of
(nucleus, Z, A, number per molecule) so that interaction modules can count coherent nuclei and
free nucleons. Sources are cited per entry.

Each experiment also carries its detector volume (``geometry``) and fiducial volume
(``fiducial_geometry``) as shapes of :mod:`darkbeam.detectors.geometry`, in the detector frame
(origin at the detector centre, local z along the line of sight from the target, local y vertical);
``Experiment.chord`` gives entry/exit distances along lab rays. See docs/geometry.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import hepunits as hu
import numpy as np

from ..beams.beamlines import BEAMS, Beam  # noqa: F401  (re-exported: beams are listed with the experiments)
from ..errors import InputError
from ..registry import Registry
from .geometry import Box, Cylinder, Shape, Sphere, to_detector_frame


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
# CsI: Cs-133 (Z = 55) and I-127 (Z = 53), 132.905 + 126.904 = 259.81 g/mol (PDG 2022 atomic masses)
CSI = Material("CsI[Na]", (("Cs133", 55, 133, 1), ("I127", 53, 127, 1)), 259.81)


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
        geometry: the detector's (active) volume in the detector frame (see
            :mod:`darkbeam.detectors.geometry`), or None where unknown.
        fiducial_geometry: the fiducial volume in the same frame (equal to ``geometry`` where the
            catalogue adopts no separate fiducial volume), or None.
        threshold: detection threshold in the detector's own observable (nuclear-recoil kinetic energy
            for the CEvNS detectors), MeV; 0.0 = not set in the catalogue (optional, default 0.0).
        threshold_note: what ``threshold`` refers to and its citation ("" when not set).

    ``radius``, ``fiducial_radius`` and ``fiducial_mass`` are independent of the two shapes (fluxes are
    averaged over the disc of ``radius``; rates use ``fiducial_mass``); the shapes serve path lengths.
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
    geometry: Shape | None = None
    fiducial_geometry: Shape | None = None
    threshold: float = 0.0
    threshold_note: str = ""

    def chord(
        self, x_lab: np.ndarray, d_lab: np.ndarray, fiducial: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Entry and exit distances (mm) along lab rays through the detector (or fiducial) volume.

        Args:
            x_lab: ray origins in the lab frame (target at the origin, beam along +z), (N, 3) or (3,), mm.
            d_lab: unit ray directions in the lab frame, (N, 3) or (3,).
            fiducial: use ``fiducial_geometry`` instead of ``geometry``.

        Returns:
            ``(t_in, t_out)`` arrays: t_in = 0 for origins inside, t_in = t_out = 0 for rays that miss
            (the convention of :mod:`darkbeam.detectors.geometry`).
        """
        shape = self.fiducial_geometry if fiducial else self.geometry
        if shape is None:
            what = "fiducial_geometry" if fiducial else "geometry"
            raise InputError(f"{what} of experiment {self.name}", None,
                             "an experiment with a registered detector geometry "
                             "(see darkbeam.detectors.geometry)")
        x_loc, d_loc = to_detector_frame(self, x_lab, d_lab)
        return shape.chord(x_loc, d_loc)

    def targets(self) -> dict[str, float]:
        """Number of each target nucleus in the fiducial volume."""
        return {k: v * self.fiducial_mass for k, v in self.material.targets_per_tonne().items()}

    def pot_for(self, mode: str) -> float:
        if mode not in self.pot:
            raise InputError(f"mode of experiment {self.name}", mode, self.pot.keys())
        return self.pot[mode]


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


# ------------------------------------------------------------------------------------------------
# Detector volumes (detector frame: local z = line of sight from the target, y = vertical up, x = y × z;
# for the on-axis BNB and LBNF detectors local x is the horizontal direction transverse to the beam).
# Masses quoted as checks use ρ(LAr) = 1.396 t/m³, ρ(mineral oil, MiniBooNE Marcol 7) = 0.845 t/m³,
# ρ(JSNS2 LAB-based Gd-LS) ≈ 0.86 t/m³; tests/test_detector_geometry.py checks volume × ρ against the
# catalogue mass. See docs/geometry.md.
# ------------------------------------------------------------------------------------------------

# MiniBooNE, NIM A599, 28 (2009) arXiv:0806.4201: spherical tank of 610.6 cm inner radius filled with
# mineral oil (953.6 m³ × 0.845 = 806 t, cf. the catalogue's 818 t); fiducial cut r < 500 cm (442 t).
MINIBOONE_TANK = Sphere(610.6 * hu.cm)
MINIBOONE_FIDUCIAL = Sphere(500.0 * hu.cm)
# MicroBooNE, JINST 12, P02017 (2017) arXiv:1612.05824: TPC active volume 2.56 m (drift, x) × 2.32 m
# (height, y) × 10.36 m (length along the beam, z): 61.5 m³ → 85.9 t. The catalogue's fiducial_mass is the
# active mass (fiducial cuts live in the efficiency), so fiducial_geometry = the active box.
MICROBOONE_TPC = Box.from_size(2.56 * hu.m, 2.32 * hu.m, 10.36 * hu.m)
# SBND, SBN proposal arXiv:1503.01520: active LArTPC 4 m (two 2 m drifts, x) × 4 m (height, y) × 5 m (along
# the beam, z): 80 m³ → 112 t. fiducial_geometry = the active box (as for MicroBooNE).
SBND_TPC = Box.from_size(4.0 * hu.m, 4.0 * hu.m, 5.0 * hu.m)
# ICARUS T600, SBN proposal arXiv:1503.01520 (as in the reference string below): four TPCs of
# 1.5 m drift × 3.16 m height × 17.95 m length (long axis along the BNB). Modelled as ONE box of the combined
# active dimensions, 6.0 m (= 4 × 1.5 m, x) × 3.16 m (y) × 17.95 m (z): same volume (340 m³ → 475 t), same
# face seen from the target (19.0 m², the catalogue's radius 2.46 m) and same chords along the beam as the
# four TPCs, but without the inactive gaps between them (cathodes, wire planes, the two cryostats' walls), so
# transverse positions inside it are compressed by ~25 %. fiducial_geometry = the active box.
ICARUS_TPCS = Box.from_size(6.0 * hu.m, 3.16 * hu.m, 17.95 * hu.m)
# CCM, vertical cylinder (axis y). Dimensions from the CAD-based CCM model of SIREN
# (github.com/Harvard-Neutrino/SIREN resources/detectors/CCM/CCM-v2/densities.dat, "CAD 11-23 version 2"):
# argon inside the PMT support frame, radius 1.128 m, height 1.240 m (4.95 m³ → 6.9 t ≈ the "7 t fiducial"
# of CCM, PRL 129, 021801 (2022) arXiv:2105.14020 and arXiv:2507.08887); the TPB-foil-bounded region
# that SIREN calls fiducial, radius 1.034 m, same height (4.16 m³ → 5.8 t), is fiducial_geometry.
# Approximate: not from a CCM publication; the catalogue's 7 t matches `geometry`, not the foil region.
CCM_INNER = Cylinder(1.128 * hu.m, 0.620 * hu.m, axis="y")
CCM_FOIL = Cylinder(1.034 * hu.m, 0.620 * hu.m, axis="y")
# COHERENT CENNS-10, PRL 126, 012002 (2021) arXiv:2003.10630: 24.4 kg fiducial LAr
# in an upright cylinder viewed by two PMTs. APPROXIMATE: the cylinder's dimensions were not found here; we
# take a 60 cm height and the radius (9.63 cm) that gives 24.4 kg at 1.396 g/cm³ (17.5 L).
COHERENT_LAR = Cylinder(9.63 * hu.cm, 30.0 * hu.cm, axis="y")
# JSNS2, NIM A1014, 165742 (2021) arXiv:2104.13169: 17 t Gd-loaded LAB scintillator in a cylindrical acrylic
# vessel 3.2 m in diameter and 2.5 m high, axis vertical (20.1 m³ × 0.86 = 17.3 t). The catalogue's 17 t is
# the whole target, so fiducial_geometry = the vessel.
JSNS2_TARGET = Cylinder(1.6 * hu.m, 1.25 * hu.m, axis="y")
# COHERENT CsI[Na], Science 357, 1123 (2017) arXiv:1708.01294: one cylindrical 14.6 kg crystal. APPROXIMATE (the
# dimensions were not checked against the paper): 11 cm diameter and the length (34 cm) that gives 14.6 kg at
# rho(CsI) = 4.51 g/cm^3 (3.23 L); axis taken vertical.
COHERENT_CSI = Cylinder(5.5 * hu.cm, 17.0 * hu.cm, axis="y")
# DUNE ND-LAr, ND CDR arXiv:2103.13910 (and seed 004): 35 modules forming a 7 m (transverse, x) × 3 m
# (height, y) × 5 m (along the beam, z) active volume (105 m³ → 147 t). Fiducial: APPROXIMATE, a 50 cm inset
# from every face, 6 × 2 × 4 m = 48 m³ → 67.0 t, which reproduces the CDR's 67 t fiducial mass (the CDR's
# exact fiducial cuts were not checked).
DUNE_ND_LAR = Box.from_size(7.0 * hu.m, 3.0 * hu.m, 5.0 * hu.m)
DUNE_ND_LAR_FIDUCIAL = Box.from_size(6.0 * hu.m, 2.0 * hu.m, 4.0 * hu.m)
# NuMI detectors. Positions in the NuMI beam frame from g4numi (woodtp/g4numi src/NumiDataInput.cc, "Near &
# Far Detector locations", origin at the upstream face of horn 1, ~0.1 m from the LE target centre):
# MINERvA (-0.563, -0.533, 1032.319) m (centre of the tracker), NOvA ND (11.717, -3.315, 992.935) m,
# MicroBooNE (53, 76, 679) m, MiniBooNE (26.04, 78.64, 744.87) m. darkbeam places a detector at
# ``distance`` from the target and ``off_axis_angle`` from the beam axis in the horizontal plane; the
# azimuth of the real position does not matter for an azimuthally symmetric beam.
# MINERvA, NIM A743, 130 (2014) arXiv:1305.5199: the tracker fiducial region is a hexagonal prism of 85 cm
# apothem (face 2.50 m², the disc of equal area has r = 0.893 m); 62 tracker modules × 2 planes × 1.7 cm of
# polystyrene scintillator (1.043 g/cm³) → 2.11 m of CH, 5.5 t. Modelled as ONE cylinder (axis z) of that
# radius and 2.11 m length (the plane gaps and the passive side/downstream calorimeters are left out):
# APPROXIMATE (analyses use 5-6 t fiducial masses depending on the z range).
MINERVA_TRACKER = Cylinder(0.893 * hu.m, 1.055 * hu.m, axis="z")
# NOvA ND (NOvA TDR FERMILAB-DESIGN-2007-01 and DarkNews's nova_le_fhc card): 3.9 m × 3.9 m planes of
# 6.6 cm deep PVC cells of liquid scintillator, the fully active region of 193 t; modelled as a
# 3.9 × 3.9 × 12.7 m box (192 planes × 6.6 cm; mean density ≈ 1.0 t/m³). APPROXIMATE (muon catcher left out).
NOVA_ND_ACTIVE = Box.from_size(3.9 * hu.m, 3.9 * hu.m, 12.7 * hu.m)

EXPERIMENTS.add(
    "miniboone",
    Experiment(
        "miniboone", "bnb", 541.0 * hu.m, 0.0, 610.6 * hu.cm, 500.0 * hu.cm, 818.0, CH2,
        {"neutrino": 18.75e20, "antineutrino": 11.27e20, "off-target": 1.86e20},
        "MiniBooNE: PRD 103, 052002 (2021) arXiv:2006.16883; NIM A599, 28 (2009): 6.1 m radius "
        "sphere of CH2 (818 t), 541 m from the target; the official efficiency (eg_effs.dat) includes the 5 m fiducial cut, so rates use 818 t with it",
        geometry=MINIBOONE_TANK, fiducial_geometry=MINIBOONE_FIDUCIAL,
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
        geometry=MICROBOONE_TPC, fiducial_geometry=MICROBOONE_TPC,
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
        geometry=SBND_TPC, fiducial_geometry=SBND_TPC,
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
        geometry=ICARUS_TPCS, fiducial_geometry=ICARUS_TPCS,
    ),
    "ICARUS: 476 t LArTPC at 600 m on the BNB",
)
EXPERIMENTS.add(
    "ccm",
    Experiment(
        "ccm", "lanl-lujan", 20.0 * hu.m, 1.57, 1.0 * hu.m, 1.0 * hu.m, 7.0, LAR,
        {"stopped": 2.25e22},
        "CCM120, arXiv:2105.14020: ~7 t fiducial LAr at 20 m, ~90 degrees to the beam",
        geometry=CCM_INNER, fiducial_geometry=CCM_FOIL,
    ),
    "CCM: 7 t LAr scintillator 20 m from the Lujan target",
)
EXPERIMENTS.add(
    "coherent-lar",
    Experiment(
        "coherent-lar", "sns", 27.5 * hu.m, 2.35, 0.4 * hu.m, 0.4 * hu.m, 0.0245, LAR,
        {"stopped": 1.38e23},
        "COHERENT CENNS-10, PRL 126, 012002 (2021): 24.4 kg LAr at 27.5 m, 137 degrees",
        geometry=COHERENT_LAR, fiducial_geometry=COHERENT_LAR,
    ),
    "COHERENT CENNS-10: 24 kg LAr at the SNS",
)
EXPERIMENTS.add(
    "coherent-csi",
    Experiment(
        "coherent-csi", "sns", 19.3 * hu.m, math.pi / 2, 10.9 * hu.cm, 10.9 * hu.cm, 0.0146, CSI,
        {"stopped": 3.20e23},
        "COHERENT CsI[Na]: Science 357, 1123 (2017) arXiv:1708.01294 and PRL 129, 081801 (2022) arXiv:2110.07730: "
        "14.6 kg at 19.3 m from the SNS target; exposure 13.99 GWh, i.e. 3.20e23 POT at 0.984 GeV per proton "
        "(13.99 GWh / 0.984 GeV). Angle APPROXIMATE: 90 degrees (pyCEvNS's COHERENT default detector_direction "
        "cos(theta) = 0); radius = that of the disc of equal area to the 11 x 34 cm side of the crystal (10.9 cm)",
        geometry=COHERENT_CSI, fiducial_geometry=COHERENT_CSI,
        threshold=14.0 * hu.keV,
        threshold_note="nuclear-recoil energy cut 14 keV < E_r < 26 keV used for COHERENT-CsI in seed 004 "
                       "(Snowmass 'neutrino frontier' white paper, Table 5); an analysis cut, not the hardware threshold",
    ),
    "COHERENT CsI[Na]: 14.6 kg CsI at 19.3 m from the SNS target",
)
EXPERIMENTS.add(
    "jsns2",
    Experiment(
        "jsns2", "jparc-mlf", 24.0 * hu.m, 1.57, 1.6 * hu.m, 1.4 * hu.m, 17.0, CH2,
        {"stopped": 3.8e22},
        "JSNS2, NIM A1014, 165742 (2021) arXiv:2104.13169: 17 t Gd-LS at 24 m",
        geometry=JSNS2_TARGET, fiducial_geometry=JSNS2_TARGET,
    ),
    "JSNS2: 17 t liquid scintillator 24 m from the J-PARC MLF target",
)
EXPERIMENTS.add(
    "dune-nd",
    Experiment(
        "dune-nd", "lbnf", 574.0 * hu.m, 0.0, 2.0 * hu.m, 1.5 * hu.m, 67.0, LAR,
        {"neutrino": 1.1e21},
        "DUNE ND CDR arXiv:2103.13910: ND-LAr, 67 t fiducial, 574 m from the target",
        geometry=DUNE_ND_LAR, fiducial_geometry=DUNE_ND_LAR_FIDUCIAL,
    ),
    "DUNE near detector ND-LAr at 574 m on the LBNF beam",
)

# CH (polystyrene scintillator, MINERvA) and the NOvA liquid scintillator (mineral oil + PVC, taken as CH2).
CH = Material("CH (polystyrene scintillator)", (("C12", 6, 12, 1), ("H1", 1, 1, 1)), 13.019)
EXPERIMENTS.add(
    "minerva",
    Experiment(
        "minerva", "numi", 1032.3 * hu.m, 0.75e-3, 0.893 * hu.m, 0.893 * hu.m, 5.5, CH,
        {"neutrino": 3.43e20},
        "MINERvA, NIM A743, 130 (2014) arXiv:1305.5199; position from g4numi (centre of the tracker at "
        "1032.3 m, 0.775 m = 0.75 mrad off the NuMI axis); tracker fiducial hexagon of 85 cm apothem "
        "(equal-area disc r = 0.893 m), 5.5 t of CH (APPROXIMATE, see MINERVA_TRACKER); POT 3.43e20 = the "
        "LE neutrino-mode exposure of the nu-e scattering flux constraint, PRD 93, 112007 (2016) "
        "arXiv:1512.07699. The flux-validation reference: MINERvA LE flux, PRD 94, 092005 (2016) arXiv:1607.00704",
        geometry=MINERVA_TRACKER, fiducial_geometry=MINERVA_TRACKER,
    ),
    "MINERvA: 5.5 t CH tracker on the NuMI axis at 1.03 km",
)
EXPERIMENTS.add(
    "nova-nd",
    Experiment(
        "nova-nd", "numi", 993.0 * hu.m, 12.27e-3, 2.2 * hu.m, 2.2 * hu.m, 193.0, CH2,
        {"neutrino": 13.6e20, "antineutrino": 12.5e20},
        "NOvA near detector: position from g4numi (11.717, -3.315, 992.935) m, i.e. 993.0 m from the target and "
        "12.3 mrad off axis as seen from the target. NOvA quotes 14.6 mrad (the far-detector angle, 11.8 km / "
        "810 km; the ND sees 14.6 mrad from a decay point ~160 m downstream of the target): the angle from the "
        "target is what the flux chain needs. 193 t fully active region, 3.9 x 3.9 m face (equal-area disc "
        "2.2 m), APPROXIMATE geometry (NOVA_ND_ACTIVE); POT 13.6e20 (nu) + 12.5e20 (nubar): NOvA, PRD 106, "
        "032004 (2022) arXiv:2108.08219",
        geometry=NOVA_ND_ACTIVE, fiducial_geometry=NOVA_ND_ACTIVE,
    ),
    "NOvA near detector: 193 t liquid scintillator ~1 km from the NuMI target, 12 mrad off axis",
)
EXPERIMENTS.add(
    "microboone-numi",
    Experiment(
        "microboone-numi", "numi", 685.3 * hu.m, 0.1356, 1.375 * hu.m, 1.3 * hu.m, 85.0, LAR,
        {"neutrino": 1.93e20},
        "MicroBooNE seen from the NuMI target: position from g4numi (53, 76, 679) m, i.e. 685.3 m and "
        "135.6 mrad (7.8 deg; MicroBooNE quotes 679 m and 8 deg) off the NuMI axis, uncertain by ~1 m and "
        "~1 mrad; same TPC as 'microboone' (JINST 12, P02017 (2017)) with its long axis taken along the line of "
        "sight (in reality it lies along the BNB, ~27 deg from it): chords are APPROXIMATE. POT 1.93e20 = the "
        "NuMI exposure of the MicroBooNE Higgs-portal search, PRL 127, 151803 (2021) arXiv:2106.00568 "
        "(its split between horn polarities is not kept here)",
        geometry=MICROBOONE_TPC, fiducial_geometry=MICROBOONE_TPC,
    ),
    "MicroBooNE in the NuMI beam: 85 t LArTPC 685 m from the NuMI target, 8 deg off axis",
)
EXPERIMENTS.add(
    "icarus-numi",
    Experiment(
        "icarus-numi", "numi", 803.7 * hu.m, 0.1004, 2.46 * hu.m, 2.3 * hu.m, 476.0, LAR,
        {"neutrino": 2.41e20},
        "ICARUS seen from the NuMI target: 5.75 deg (100.4 mrad) far off axis (ICARUS, arXiv:2411.02727); "
        "distance 803.7 m derived here from the g4numi positions of MicroBooNE and MiniBooNE (470 m and 541 m "
        "on the BNB axis) extrapolated along the BNB axis to ICARUS at 600 m, which also gives 101 mrad: "
        "uncertain by ~5 m and ~2 mrad; same TPCs as 'icarus' (long axis taken along the line of sight, "
        "APPROXIMATE); POT 2.41e20 (NuMI, neutrino mode) of the same search",
        geometry=ICARUS_TPCS, fiducial_geometry=ICARUS_TPCS,
    ),
    "ICARUS in the NuMI beam: 476 t LArTPC 804 m from the NuMI target, 5.75 deg off axis",
)


EXPERIMENTS.add(
    "miniboone-dm",
    Experiment(
        "miniboone-dm", "bnb-off-target", 490.0 * hu.m, 0.0, 610.6 * hu.cm, 500.0 * hu.cm, 442.0, CH2,
        {"off-target": 1.86e20},
        "MiniBooNE-DM: PRL 118, 221803 (2017) arXiv:1702.02688 and PRD 98, 112004 (2018) arXiv:1807.06137: "
        "818 t of mineral oil 490 m downstream of the steel beam dump, 1.86e20 POT; same tank as 'miniboone' "
        "(NIM A599, 28 (2009)). fiducial_mass = the r < 5 m sphere (4/3 pi 5^3 m^3 x 0.845 t/m^3 = 442 t), the "
        "volume the nucleon-elastic efficiency (35 %) refers to (BdNMC's MiniBooNE detector card, the simulation "
        "of the MiniBooNE-DM analysis: a 5 m sphere with efficiency 0.35; detectors/response_recoil.py)",
        geometry=MINIBOONE_TANK, fiducial_geometry=MINIBOONE_FIDUCIAL,
    ),
    "MiniBooNE-DM: MiniBooNE 490 m from the BNB steel dump (off-target run)",
)

EXPERIMENTS.add(
    "microboone-absorber",
    Experiment(
        "microboone-absorber", "numi-absorber", 105.8 * hu.m, 2.074, 1.375 * hu.m, 1.3 * hu.m, 85.0, LAR,
        {"stopped": 1.93e20},
        "MicroBooNE seen from the NuMI hadron absorber: 105.8 m at 118.8 deg to the NuMI axis (from g4numi "
        "positions; MicroBooNE quotes 100 m, PRL 127, 151803 (2021) arXiv:2106.00568); same TPC and active mass "
        "as 'microboone' (JINST 12, P02017 (2017)) with its long axis taken along the line of sight (in reality "
        "at an angle to it: chords APPROXIMATE; decays of long-lived S scale with the volume, not the chord); "
        "POT 1.93e20 = the NuMI exposure of the Higgs-portal search",
        geometry=MICROBOONE_TPC, fiducial_geometry=MICROBOONE_TPC,
    ),
    "MicroBooNE seeing the NuMI absorber's kaon decays at rest, 106 m away",
)


def get_experiment(name: str) -> Experiment:
    """Look up an experiment by name (unknown names raise InputError listing allowed ones)."""
    return EXPERIMENTS.get(name)
