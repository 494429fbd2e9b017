"""Geometry and field of a single magnetic horn (used by :mod:`darkbeam.beams.horn`).

Field (Ampère's law for a coaxial conductor pair carrying current I, e.g. Jackson §5.3):

    B = s · μ0 I / (2π r) φ̂    for a(z) < r < R_out and z_start ≤ z ≤ z_end, else 0,

with a(z) the outer radius of the inner conductor (a piecewise-linear profile), R_out the inner radius of
the outer conductor and s = +1 / −1 the polarity. With B = +φ̂ a positive particle moving along +z at x > 0
feels q v × B = −q v B x̂: polarity +1 (neutrino mode) focuses positive mesons, −1 negative ones.
Inside the conductor walls (a − t_in < r < a, R_out < r < R_out + t_out) the field is taken as zero
(the current is a surface sheet in this model: no skin-depth profile).

Units: mm, A, tesla for :meth:`HornGeometry.field`.
"""

from __future__ import annotations

from dataclasses import dataclass

import hepunits as hu
import numpy as np

from ..errors import InputError

# μ0 = 4π × 10⁻⁷ H/m (exact to 1e-10 in SI 2019); hepunits has no μ0, so build it from its units.
MU0 = 4.0e-7 * np.pi * hu.henry / hu.m

# Nuclear interaction length of aluminium, PDG "Atomic and Nuclear Properties of Materials" (Al, Z = 13):
# λ_I = 107.2 g cm⁻² / 2.699 g cm⁻³ = 39.70 cm.
LAMBDA_I_AL = 39.70 * hu.cm


@dataclass(frozen=True)
class HornGeometry:
    """A single horn: piecewise-linear inner conductor a(z) inside an outer conductor of radius R_out.

    Attributes:
        z_start: z of the horn's upstream face, mm (beam axis +z, target centre at the origin).
        s_nodes: positions of the profile nodes measured from ``z_start``, mm (increasing, from 0
            to the horn length).
        a_nodes: inner-conductor (outer surface) radius at the nodes, mm.
        r_outer: inner radius of the outer conductor, mm.
        current: horn current, A (magnitude; the sign is the beam-mode polarity).
        reference: where the numbers come from.
        t_inner: wall thickness of the inner conductor, mm (material between a − t_inner and a).
        t_outer: wall thickness of the outer conductor, mm (material between r_outer and r_outer + t_outer).
        lambda_int: nuclear interaction length of the conductor material, mm (aluminium by default).
    """

    z_start: float
    s_nodes: tuple[float, ...]
    a_nodes: tuple[float, ...]
    r_outer: float
    current: float
    reference: str = ""
    t_inner: float = 3.0 * hu.mm
    t_outer: float = 10.0 * hu.mm
    lambda_int: float = LAMBDA_I_AL

    def __post_init__(self) -> None:
        s, a = np.asarray(self.s_nodes, float), np.asarray(self.a_nodes, float)
        if s.ndim != 1 or len(s) < 2 or len(s) != len(a) or s[0] != 0 or np.any(np.diff(s) <= 0):
            raise InputError("horn.s_nodes", self.s_nodes, "increasing node positions from 0, one per radius")
        if np.any(a <= 0) or np.any(a >= self.r_outer):
            raise InputError("horn.a_nodes", self.a_nodes, f"radii in (0, r_outer = {self.r_outer} mm)")
        if not self.current >= 0:
            raise InputError("horn.current", self.current, "a non-negative current in A (sign = polarity)")
        if not (0 <= self.t_inner < float(np.min(a))):
            raise InputError("horn.t_inner", self.t_inner, f"a wall thickness in [0, {float(np.min(a))}) mm")
        if not (self.t_outer >= 0 and np.isfinite(self.t_outer)):
            raise InputError("horn.t_outer", self.t_outer, "a finite wall thickness >= 0 mm")
        if not self.lambda_int > 0:
            raise InputError("horn.lambda_int", self.lambda_int, "a positive interaction length in mm")

    @property
    def length(self) -> float:
        """Horn length, mm."""
        return float(self.s_nodes[-1])

    @property
    def z_end(self) -> float:
        """z of the horn's downstream face, mm."""
        return self.z_start + self.length

    @property
    def field_constant(self) -> float:
        """G = μ0 I c e/(2π), MeV: the transverse kick per unit path is G/r (charge 1, B ⟂ u)."""
        return MU0 * self.current * hu.ampere * hu.c_light * hu.eplus / (2.0 * np.pi)

    def inner_radius(self, z: np.ndarray) -> np.ndarray:
        """Inner-conductor radius a(z), mm (end values held outside the horn)."""
        return np.interp(np.asarray(z, float) - self.z_start, self.s_nodes, self.a_nodes)

    def field(self, x: np.ndarray, polarity: int = 1) -> np.ndarray:
        """Magnetic field at points ``x`` (N, 3) mm, in tesla, shape (N, 3)."""
        x = np.atleast_2d(np.asarray(x, float))
        r = np.hypot(x[:, 0], x[:, 1])
        inside = ((r > self.inner_radius(x[:, 2])) & (r < self.r_outer)
                  & (x[:, 2] >= self.z_start) & (x[:, 2] <= self.z_end))
        # Ampère: B_φ = μ0 I/(2π r) between the conductors
        bphi = np.where(inside, polarity * MU0 * self.current * hu.ampere / (2 * np.pi * np.where(r > 0, r, 1)), 0)
        rr = np.where(r > 0, r, 1.0)
        out = np.stack([-bphi * x[:, 1] / rr, bphi * x[:, 0] / rr, np.zeros_like(r)], axis=1)
        return out / hu.tesla

    def with_current(self, current: float) -> HornGeometry:
        """The same horn at another current, A."""
        return HornGeometry(self.z_start, self.s_nodes, self.a_nodes, self.r_outer, float(current), self.reference,
                            self.t_inner, self.t_outer, self.lambda_int)


# The BNB horn (MiniBooNE flux paper, PRD 79, 072002 (2009), arXiv:0806.1449, Sec. III C): a single
# pulsed aluminium horn, 174 kA, with the 71 cm beryllium target inserted into its upstream end;
# length ≈ 1.85 m; the inner conductor radius varies between ≈ 2.2 cm (around the target and at the
# neck) and ≈ 6.5 cm at the downstream end; outer conductor ≈ 30 cm. The engineering drawing is not
# available here: the profile below (cylinder of 2.2 cm around the target, a neck just downstream of
# the target, then a parabolic flare to 6.5 cm) is an approximation of that description, documented
# in docs/horn.md, not the as-built shape. Wall thicknesses (3 mm inner, 10 mm outer aluminium) are
# assumptions of this model (no public drawing found), varied in docs/make_horn.py.
_A_MIN, _A_MAX = 22.0 * hu.mm, 65.0 * hu.mm
_S_NECK = 850.0 * hu.mm  # end of the 2.2 cm section: target (71.1 cm) + 9 cm, from the horn face
_L_HORN = 1850.0 * hu.mm
_S_FLARE = np.linspace(_S_NECK, _L_HORN, 9)
BNB_HORN = HornGeometry(
    z_start=-400.0 * hu.mm,
    s_nodes=(0.0,) + tuple(float(s) for s in _S_FLARE),
    a_nodes=(_A_MIN,) + tuple(float(_A_MIN + (_A_MAX - _A_MIN) * np.sqrt((s - _S_NECK) / (_L_HORN - _S_NECK)))
                              for s in _S_FLARE),
    r_outer=300.0 * hu.mm,
    current=174.0e3,
    reference="BNB horn: PRD 79, 072002 (2009), Sec. III C (174 kA, target inside, 1.85 m); profile approximated",
)
