"""Scattering targets in detectors: nuclei and free nucleons, found through :data:`TARGETS`.

Each target carries Z, A, its mass (MeV) and, for nuclei, the Helm form-factor parameters of
J.D. Lewin & P.F. Smith, Astropart. Phys. 6 (1996) 87, Sec. 4.3:
    c = 1.23 A^(1/3) - 0.60 fm,  a = 0.52 fm,  s = 0.9 fm,  r_n^2 = c^2 + (7/3) pi^2 a^2 - 5 s^2.
Nuclear masses are atomic masses (AME2020: M. Wang et al., Chin. Phys. C 45 (2021) 030003)
minus Z electron masses (electron binding energies, < 0.1 MeV for Pb, are neglected).
Free nucleons use the PDG masses from :mod:`darkbeam.constants`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import hepunits as hu

from ..constants import M_E, M_N, M_P
from ..errors import InputError
from ..registry import Registry

AMU = 931.49410242 * hu.MeV  # atomic mass unit, CODATA 2018


@dataclass(frozen=True)
class Target:
    """A scattering target.

    Attributes:
        name: registry key ("C12", "proton", ...).
        Z: number of protons.
        A: mass number.
        mass: mass of the target particle (nucleus or nucleon), MeV.
        kind: "nucleus" (coherent + incoherent scattering) or "nucleon" (free proton / neutron).
        helm_c, helm_a, helm_s: Helm parameters (Lewin & Smith 1996), mm (internal length unit);
            0 for nucleons.
    """

    name: str
    Z: int
    A: int
    mass: float
    kind: str
    helm_c: float = 0.0
    helm_a: float = 0.0
    helm_s: float = 0.0

    @property
    def N(self) -> int:
        """Number of neutrons."""
        return self.A - self.Z

    @property
    def is_nucleus(self) -> bool:
        return self.kind == "nucleus"

    @property
    def helm_rn(self) -> float:
        """Helm effective radius r_n (Lewin & Smith 1996, Eq. 4.11), mm."""
        return math.sqrt(self.helm_c**2 + 7.0 / 3.0 * math.pi**2 * self.helm_a**2 - 5.0 * self.helm_s**2)


def nucleus(name: str, Z: int, A: int, atomic_mass_u: float) -> Target:
    """A nucleus with Lewin-Smith Helm parameters; ``atomic_mass_u`` is the atomic mass in u."""
    c = (1.23 * A ** (1.0 / 3.0) - 0.60) * hu.fermi
    return Target(name, Z, A, atomic_mass_u * AMU - Z * M_E, "nucleus", c, 0.52 * hu.fermi, 0.9 * hu.fermi)


TARGETS: Registry[Target] = Registry("target")

# Atomic masses in u: AME2020 (C12 exact by definition).
for _t, _doc in (
    (nucleus("C12", 6, 12, 12.0), "carbon-12 nucleus (mineral oil, scintillator)"),
    (nucleus("O16", 8, 16, 15.99491461957), "oxygen-16 nucleus (water)"),
    (nucleus("Ar40", 18, 40, 39.9623831237), "argon-40 nucleus (liquid argon TPCs)"),
    (nucleus("Fe56", 26, 56, 55.93493633), "iron-56 nucleus"),
    (nucleus("Pb208", 82, 208, 207.9766525), "lead-208 nucleus"),
    (nucleus("Cs133", 55, 133, 132.905452), "caesium-133 nucleus (CsI[Na] of COHERENT)"),
    (nucleus("I127", 53, 127, 126.904472), "iodine-127 nucleus (CsI[Na] of COHERENT)"),
):
    TARGETS.add(_t.name, _t, _doc)

_PROTON = Target("proton", 1, 1, M_P, "nucleon")
TARGETS.add("proton", _PROTON, "free proton")
TARGETS.add("H1", Target("H1", 1, 1, M_P, "nucleon"), "hydrogen nucleus = free proton")
TARGETS.add("neutron", Target("neutron", 0, 1, M_N, "nucleon"), "free neutron")


def get_target(target: str | Target) -> Target:
    """Look up a target by name (or pass a :class:`Target` through).

    Raises:
        InputError: unknown name; the message lists the registered targets.
    """
    if isinstance(target, Target):
        return target
    if not isinstance(target, str):
        raise InputError("target", target, TARGETS.names())
    return TARGETS.get(target)
