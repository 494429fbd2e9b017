"""Proton beam lines (the source layer): beam momentum, target, decay region, focusing modes, how the parents of
new particles are made, with a citation per entry, found through the :data:`BEAMS` registry.

Geometry in internal units (mm, MeV/c). The detectors that see a beam live in
:mod:`darkbeam.detectors.catalog` (which re-exports :class:`Beam` and :data:`BEAMS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import hepunits as hu

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
        production: name of the meson-production set for this beam (a key of
            ``darkbeam.beams.production.PRODUCTION_SETS``; default: the MiniBooNE p-Be fits of the BNB).
        hall_length: distance from the target centre to the upstream end of the decay pipe, mm (target
            hall / chase with the horns); mesons may decay there too, so the decay region of the flux
            chains runs from the target to ``hall_length + decay_length`` with radius ``decay_radius``
            (default 0: the decay region starts at the target, as for the BNB).
        source: how the beam makes the parents of new particles, read by the generic flux code
            (:func:`darkbeam.pipeline.boson_flux.iter_boson_sources`): "decay-in-flight" (default: mesons
            from ``production`` on the target, focused and decaying in flight) or "stopped" (a stopped-pion
            source: π⁺/K⁺ decaying at rest and π⁰/η in flight from :mod:`darkbeam.beams.stopped`, whose
            registry uses this beam's name).
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
    production: str = "miniboone-sw"
    hall_length: float = 0.0
    source: str = "decay-in-flight"


BEAMS: Registry[Beam] = Registry("beam")

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
         "CCM: 800 MeV kinetic-energy protons on the Lujan W target (arXiv:2105.14020)", source="stopped"),
    "LANSCE Lujan center: 800 MeV protons on tungsten (stopped-pion source)",
)

BEAMS.add(
    "sns",
    Beam("sns", 1.696 * hu.GeV, "Hg", 50 * hu.cm, 5 * hu.cm, 0.0, 0.0, {"stopped": "none"},
         "COHERENT: ~1 GeV kinetic-energy protons on the SNS mercury target (arXiv:1708.01294)",
         source="stopped"),
    "ORNL Spallation Neutron Source: 1 GeV protons on mercury",
)

BEAMS.add(
    "jparc-mlf",
    Beam("jparc-mlf", 3.825 * hu.GeV, "Hg", 50 * hu.cm, 5 * hu.cm, 0.0, 0.0, {"stopped": "none"},
         "JSNS2: 3 GeV kinetic-energy protons on the MLF mercury target (arXiv:2104.13169)",
         source="stopped"),
    "J-PARC MLF: 3 GeV protons on mercury",
)

BEAMS.add(
    "lbnf",
    Beam("lbnf", 120 * hu.GeV, "C", 150 * hu.cm, 0.8 * hu.cm, 194 * hu.m, 2.0 * hu.m,
         {"neutrino": "horn-window-lbnf", "antineutrino": "horn-window-lbnf"},
         "DUNE TDR vol. II, arXiv:2002.03005: 120 GeV protons, graphite target, 194 m decay pipe; "
         "hall_length 22.2 m = the decay-pipe position downstream of the target in the LBNE CDR geometry "
         "(g4lbne LBNEVolumePlacements, 'CDR-Vol2, March 2012, p. 3.130'), APPROXIMATE for the 3-horn "
         "optimized design of the TDR; meson production BMPT (EPJ C20 (2001) 13) on carbon",
         production="bmpt", hall_length=22.2 * hu.m),
    "LBNF/DUNE: 120 GeV protons on graphite",
)

BEAMS.add(
    "numi",
    Beam("numi", 120 * hu.GeV, "C", 94.0 * hu.cm, 3.2 * hu.mm, 676.681 * hu.m, 0.9906 * hu.m,
         {"neutrino": "horn-window-numi-le", "antineutrino": "horn-window-numi-le"},
         "NuMI low-energy (LE) configuration, P. Adamson et al., NIM A806, 279 (2016) arXiv:1507.06690; numbers "
         "from g4numi (woodtp/g4numi src/NumiDataInput.cc): 47 graphite fins of 20 mm (6.4 mm wide, "
         "1.78 g/cm3; the 0.3 mm gaps are ignored: 94 cm), decay pipe 676.681 m long, radius 0.9906 m, "
         "starting 45.699 m downstream of horn 1 (hall_length; the LE target centre is ~0.1 m from that "
         "origin); meson production BMPT (EPJ C20 (2001) 13) on carbon",
         production="bmpt", hall_length=45.699 * hu.m),
    "Fermilab NuMI beam (LE configuration): 120 GeV protons on graphite, two horns, 677 m decay pipe",
)

# MiniBooNE-DM off-target run (PRL 118, 221803 (2017) arXiv:1702.02688; PRD 98, 112004 (2018) arXiv:1807.06137):
# the 8.89 GeV/c Booster protons are steered past the Be target onto the steel absorber at the end of the 50 m
# decay region; MiniBooNE is 490 m downstream of it. The dump is modelled as a 3 m long, 0.5 m radius iron
# cylinder (≫ λ_I = 16.8 cm: every proton interacts; the real absorber's transverse size does not matter
# on axis) with no decay region: π⁰/η decay promptly, π±/K± are absorbed or decay within ~1 λ_I
# (beams.focusing "none"). Meson production: p-Be fits scaled to Fe (beams.production "miniboone-sw-fe").
BEAMS.add(
    "bnb-off-target",
    Beam("bnb-off-target", 8.89 * hu.GeV, "Fe", 3.0 * hu.m, 0.5 * hu.m, 0.0, 0.0, {"off-target": "none"},
         "MiniBooNE-DM, PRD 98, 112004 (2018) arXiv:1807.06137: 8 GeV protons on the steel beam dump at the end of "
         "the 50 m BNB decay pipe, 1.86e20 POT; dump modelled as a 3 m x 0.5 m iron cylinder",
         production="miniboone-sw-fe"),
    "BNB off-target (beam-dump) running: 8.89 GeV/c protons on the steel dump, no focusing",
)

# The NuMI hadron absorber as a stopped source (K+ decaying at rest, beams/stopped_yields.py "numi-absorber"):
# its own frame has the origin at the absorber's K+ decay region and +z along the NuMI beam. The absorber is
# ~730 m downstream of the NuMI target on the beam axis (the ICARUS NuMI analysis code places it at 730e2 cm in
# beam coordinates; g4numi puts the decay-pipe end at 722.4 m and the absorber pivot 3.1 m further); MicroBooNE
# is at (53, 76, 679) m in the same frame (g4numi, see "microboone-numi"), hence 105.8 m from the absorber at
# 118.8 deg to the NuMI axis (vector (53, 76, -51) m). MicroBooNE quotes "100 m" (PRL 127, 151803 (2021),
# arXiv:2106.00568). Uncertain by ~3 m and ~2 deg (the absorber position along the beam).
BEAMS.add(
    "numi-absorber",
    Beam("numi-absorber", 120 * hu.GeV, "Al", 0.0, 0.0, 0.0, 0.0, {"stopped": "none"},
         "NuMI hadron absorber (Al core, steel) ~730 m downstream of the NuMI target: K+ that stop there and "
         "decay at rest (NuMI beam, NIM A806, 279 (2016) arXiv:1507.06690; MicroBooNE PRL 127, 151803 (2021))",
         source="stopped"),
    "NuMI hadron absorber: K+ decays at rest (stopped source)",
)


__all__ = ["BEAMS", "Beam"]
