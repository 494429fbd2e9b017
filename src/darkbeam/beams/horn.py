"""Magnetic-horn transport focusing for the Booster Neutrino Beam (focusing model ``horn-field``).

Instead of the angular window of seed 000 (``horn-window``), every charged meson leaving the target
is transported through the toroidal field of the horn by integrating the Lorentz force, as proposed
in seed 003 ("Transport the charged pions through the horn system by solving dp^α/dτ = q F^{αβ} u_β").

Field (Ampère's law for a coaxial conductor pair carrying current I, e.g. Jackson §5.3):

    B = s · μ0 I / (2π r) φ̂    for a(z) < r < R_out and z_start ≤ z ≤ z_end, else 0,

with a(z) the outer radius of the inner conductor (a documented piecewise-linear profile, see
:data:`BNB_HORN`), R_out the inner radius of the outer conductor and s = +1 / −1 the polarity.
With B = +φ̂ a positive particle moving along +z at x > 0 feels q v × B = −q v B x̂: polarity +1
(neutrino mode) focuses positive mesons, −1 (antineutrino mode) negative ones.

Equation of motion in path length s (a magnetic field does no work, |p| is constant):

    du/ds = (q c / p) u × B = κ/r · u × φ̂,    κ = q · s · μ0 I c / (2π p)  (dimensionless),

u the unit direction. One step is a rotation of u about φ̂ (evaluated at the mid-point of the step)
by the angle −κ ds / r — a Boris-type "drift–rotate–drift" leap-frog step: second order in ds and
exactly norm-preserving, so |p| is conserved to rounding. Two exact invariants of this field are
used as checks (tests/test_horn.py): the angular momentum L_z = x p_y − y p_x (B_φ exerts no torque
about z) and, inside the field region, the canonical momentum p_z − q s (μ0 I c/2π) ln r
(A_z ∝ ln r for the 1/r field).

Conductors: the inner conductor is a ~3 mm aluminium shell (0.008 nuclear interaction lengths), so by
default mesons cross it without interaction (``conductor="traverse"``); ``conductor="absorb"``
removes every meson that crosses r = a(z) instead. Mesons reaching the outer conductor
(r > R_out) are absorbed (they would leave the horn at wide angle into the shielding), as are mesons
that turn back upstream of the horn.

Decays inside the horn (path ≲ 2 m against a 50 m decay pipe; P ≈ 2 % for a 2 GeV π+,
≈ 9 % at 0.4 GeV) are either kept approximately (``in_horn_decays="extrapolate"``: the exit ray is
extended backwards by the in-horn path length, so the total decay probability along the flight is
right while the neutrino direction of those few percent of decays is the exit direction), or removed
(``"drop"``: weight × exp(−ℓ_horn/λ), the in-horn decays are lost). The flux difference between the
two is reported in docs/horn.md.

Units: mm, MeV, A; the transport is a numba kernel looping over particles (no Python loop per meson).
"""

from __future__ import annotations

from dataclasses import dataclass

import hepunits as hu
import numba as nb
import numpy as np

from ..detectors.catalog import BEAMS
from ..errors import InputError
from ..production.sm_decays import PDG_CTAU, PDG_MASS
from ..propagation.decay import path_length_in_cylinder
from ..sample import ParticleSample
from .focusing import FOCUSING, Focusing, FocusingResult, charge_of

# μ0 = 4π × 10⁻⁷ H/m (exact to 1e-10 in SI 2019); hepunits has no μ0, so build it from its units.
MU0 = 4.0e-7 * np.pi * hu.henry / hu.m

STATUS_EXIT, STATUS_INNER, STATUS_OUTER, STATUS_BACK, STATUS_STUCK = 0, 1, 2, 3, 4
STATUS_NAMES = {STATUS_EXIT: "exit", STATUS_INNER: "inner-conductor", STATUS_OUTER: "outer-conductor",
                STATUS_BACK: "upstream", STATUS_STUCK: "step limit"}


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
    """

    z_start: float
    s_nodes: tuple[float, ...]
    a_nodes: tuple[float, ...]
    r_outer: float
    current: float
    reference: str = ""

    def __post_init__(self) -> None:
        s, a = np.asarray(self.s_nodes, float), np.asarray(self.a_nodes, float)
        if s.ndim != 1 or len(s) < 2 or len(s) != len(a) or s[0] != 0 or np.any(np.diff(s) <= 0):
            raise InputError("horn.s_nodes", self.s_nodes, "increasing node positions from 0, one per radius")
        if np.any(a <= 0) or np.any(a >= self.r_outer):
            raise InputError("horn.a_nodes", self.a_nodes, f"radii in (0, r_outer = {self.r_outer} mm)")
        if not self.current >= 0:
            raise InputError("horn.current", self.current, "a non-negative current in A (sign = polarity)")

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


# The BNB horn (MiniBooNE flux paper, PRD 79, 072002 (2009), arXiv:0806.1449, Sec. III C): a single
# pulsed aluminium horn, 174 kA, with the 71 cm beryllium target inserted into its upstream end;
# length ≈ 1.85 m; the inner conductor radius varies between ≈ 2.2 cm (around the target and at the
# neck) and ≈ 6.5 cm at the downstream end; outer conductor ≈ 30 cm. The engineering drawing is not
# available here: the profile below (cylinder of 2.2 cm around the target, a neck just downstream of
# the target, then a parabolic flare to 6.5 cm) is an approximation of that description, documented
# in docs/horn.md, not the as-built shape.
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


@nb.njit(cache=True)
def _interp(z: float, z0: float, s_nodes: np.ndarray, a_nodes: np.ndarray) -> float:
    s = z - z0
    n = s_nodes.shape[0]
    if s <= s_nodes[0]:
        return a_nodes[0]
    if s >= s_nodes[n - 1]:
        return a_nodes[n - 1]
    k = 1
    while s_nodes[k] < s:
        k += 1
    t = (s - s_nodes[k - 1]) / (s_nodes[k] - s_nodes[k - 1])
    return a_nodes[k - 1] + t * (a_nodes[k] - a_nodes[k - 1])


@nb.njit(cache=True)
def _transport_one(x: np.ndarray, u: np.ndarray, kappa: float, z0: float, s_nodes: np.ndarray,
                   a_nodes: np.ndarray, r_out: float, frac: float, ds_min: float, ds_max: float,
                   slope_max: float, absorb_inner: bool, rec: np.ndarray) -> tuple[int, float, int]:
    """Transport one particle in place (x, u) to z_end; returns (status, path length, points recorded)."""
    z1 = z0 + s_nodes[s_nodes.shape[0] - 1]
    path = 0.0
    nrec = 0
    maxrec = rec.shape[0]
    if maxrec > 0:
        rec[0, 0], rec[0, 1], rec[0, 2] = x[0], x[1], x[2]
        nrec = 1
    nstep = 0
    while x[2] < z1:
        nstep += 1
        if nstep > 1000000:
            return 4, path, nrec
        r = np.hypot(x[0], x[1])
        if r > r_out:
            return 2, path, nrec
        if x[2] < z0 - 1.0e3 * ds_max or (x[2] < z0 and u[2] <= 0.0):
            return 3, path, nrec
        a = _interp(x[2], z0, s_nodes, a_nodes)
        ur = (x[0] * u[0] + x[1] * u[1]) / r if r > 0.0 else np.hypot(u[0], u[1])
        if r < a or x[2] < z0:
            # field-free: straight line; step to within half the gap of the conductor
            closing = max(ur, 0.0) + slope_max * abs(u[2]) + 1e-9
            ds = min(ds_max, max(ds_min, 0.5 * (a - r) / closing))
            if x[2] < z0 and u[2] > 0.0:
                ds = max(ds, min(ds_max, (z0 - x[2]) / u[2]))
        else:
            # field region: resolve the 1/r variation and the bending (angle per step ≤ 0.05 rad)
            ds = frac * r
            if kappa != 0.0:
                ds = min(ds, 0.05 * r / abs(kappa))
            ds = min(ds_max, max(ds_min, ds))
        landing = False
        if u[2] > 0.0 and x[2] + u[2] * ds >= z1:
            ds = (z1 - x[2]) / u[2]
            landing = True
        # drift half a step
        xm0 = x[0] + 0.5 * ds * u[0]
        xm1 = x[1] + 0.5 * ds * u[1]
        xm2 = x[2] + 0.5 * ds * u[2]
        rm = np.hypot(xm0, xm1)
        am = _interp(xm2, z0, s_nodes, a_nodes)
        if kappa != 0.0 and rm > am and rm < r_out and xm2 >= z0 and xm2 <= z1:
            # rotate u about φ̂ = (−y, x, 0)/r by −κ ds / r (Rodrigues): du/ds = κ/r u × φ̂
            n0, n1 = -xm1 / rm, xm0 / rm
            th = -kappa * ds / rm
            c, s = np.cos(th), np.sin(th)
            nu = n0 * u[0] + n1 * u[1]
            cx0 = n1 * u[2]
            cx1 = -n0 * u[2]
            cx2 = n0 * u[1] - n1 * u[0]
            u0 = u[0] * c + cx0 * s + n0 * nu * (1.0 - c)
            u1 = u[1] * c + cx1 * s + n1 * nu * (1.0 - c)
            u2 = u[2] * c + cx2 * s
            norm = np.sqrt(u0 * u0 + u1 * u1 + u2 * u2)
            u[0], u[1], u[2] = u0 / norm, u1 / norm, u2 / norm
        xn0 = xm0 + 0.5 * ds * u[0]
        xn1 = xm1 + 0.5 * ds * u[1]
        xn2 = xm2 + 0.5 * ds * u[2]
        if absorb_inner:
            r_new = np.hypot(xn0, xn1)
            a_new = _interp(xn2, z0, s_nodes, a_nodes)
            if (r - a) * (r_new - a_new) < 0.0 and x[2] >= z0:
                x[0], x[1], x[2] = xn0, xn1, xn2
                return 1, path + ds, nrec
        if landing and u[2] > 0.0:
            # snap onto the exit plane along the new direction (the rotation changed u_z slightly)
            dl = (z1 - xn2) / u[2]
            xn0, xn1, xn2 = xn0 + dl * u[0], xn1 + dl * u[1], z1
            ds += dl
        x[0], x[1], x[2] = xn0, xn1, xn2
        path += ds
        if nrec < maxrec:
            rec[nrec, 0], rec[nrec, 1], rec[nrec, 2] = x[0], x[1], x[2]
            nrec += 1
    return 0, path, nrec


@nb.njit(cache=True)
def _transport_all(x: np.ndarray, u: np.ndarray, kappa: np.ndarray, z0: float, s_nodes: np.ndarray,
                   a_nodes: np.ndarray, r_out: float, frac: float, ds_min: float, ds_max: float,
                   slope_max: float, absorb_inner: bool, status: np.ndarray, path: np.ndarray) -> None:
    dummy = np.zeros((0, 3))
    for i in range(x.shape[0]):
        st, pl, _ = _transport_one(x[i], u[i], kappa[i], z0, s_nodes, a_nodes, r_out, frac, ds_min,
                                   ds_max, slope_max, absorb_inner, dummy)
        status[i] = st
        path[i] = pl


@dataclass
class TransportResult:
    """Result of :func:`transport`: positions x (N,3) mm and unit directions u (N,3) where each
    particle stopped, path length in the horn (mm) and status (0 exit, 1 inner conductor,
    2 outer conductor, 3 turned upstream; see :data:`STATUS_NAMES`)."""

    x: np.ndarray
    u: np.ndarray
    path: np.ndarray
    status: np.ndarray


def _kappa(geom: HornGeometry, charge: np.ndarray, momentum: np.ndarray, polarity: int) -> np.ndarray:
    # κ = q s μ0 I c/(2π p): bending angle per unit path is κ/r
    p = np.asarray(momentum, float)
    if np.any(~(p > 0)) or np.any(~np.isfinite(p)):
        raise InputError("momentum", "non-positive or non-finite values", "finite momenta > 0 MeV")
    return np.asarray(charge, float) * polarity * geom.field_constant / p


def _check_step(frac: float, ds_min: float, ds_max: float) -> None:
    if not (0 < frac <= 0.5):
        raise InputError("horn.step_fraction", frac, "0 < step_fraction <= 0.5")
    if not (0 < ds_min <= ds_max):
        raise InputError("horn.ds_min/ds_max", (ds_min, ds_max), "0 < ds_min <= ds_max (mm)")


def transport(x: np.ndarray, momentum_vec: np.ndarray, charge: np.ndarray, polarity: int = 1,
              geom: HornGeometry = BNB_HORN, conductor: str = "traverse", step_fraction: float = 0.05,
              ds_min: float = 0.5 * hu.mm, ds_max: float = 20.0 * hu.mm) -> TransportResult:
    """Transport charged particles through the horn field to its downstream face.

    Args:
        x: start positions (N, 3), mm (may be upstream of or inside the horn).
        momentum_vec: momenta (N, 3), MeV/c (|p| is conserved).
        charge: charges in units of e (N,).
        polarity: +1 (focus positive), −1 (focus negative), 0 (horn off).
        conductor: "traverse" (cross the inner conductor freely) or "absorb".
        step_fraction: step in the field region as a fraction of r (also ≤ 0.05 rad of bending).
        ds_min, ds_max: step bounds, mm.
    Returns:
        :class:`TransportResult` (positions mm, unit directions, path mm, status).
    """
    if conductor not in ("traverse", "absorb"):
        raise InputError("horn.conductor", conductor, ("traverse", "absorb"))
    if polarity not in (-1, 0, 1):
        raise InputError("polarity", polarity, "-1, 0 or +1")
    _check_step(step_fraction, ds_min, ds_max)
    xx = np.array(np.atleast_2d(x), dtype=np.float64, order="C")
    pv = np.atleast_2d(np.asarray(momentum_vec, np.float64))
    pnorm = np.linalg.norm(pv, axis=1)
    kappa = _kappa(geom, np.broadcast_to(charge, (len(pv),)), pnorm, polarity)
    uu = np.ascontiguousarray(pv / pnorm[:, None])
    status = np.zeros(len(xx), np.int64)
    path = np.zeros(len(xx))
    s_nodes, a_nodes = np.asarray(geom.s_nodes, float), np.asarray(geom.a_nodes, float)
    slope = float(np.max(np.abs(np.diff(a_nodes) / np.diff(s_nodes))))
    _transport_all(xx, uu, np.ascontiguousarray(kappa), float(geom.z_start), s_nodes, a_nodes,
                   float(geom.r_outer), float(step_fraction), float(ds_min), float(ds_max), slope,
                   conductor == "absorb", status, path)
    return TransportResult(xx, uu, path, status)


def trajectory(x: np.ndarray, momentum_vec: np.ndarray, charge: float, polarity: int = 1,
               geom: HornGeometry = BNB_HORN, conductor: str = "traverse", step_fraction: float = 0.05,
               ds_min: float = 0.5 * hu.mm, ds_max: float = 20.0 * hu.mm,
               max_points: int = 20000) -> tuple[np.ndarray, int]:
    """Points (K, 3) mm along the path of one particle through the horn, and its status (for plots)."""
    _check_step(step_fraction, ds_min, ds_max)
    if conductor not in ("traverse", "absorb"):
        raise InputError("horn.conductor", conductor, ("traverse", "absorb"))
    xx = np.array(x, np.float64).reshape(3)
    pv = np.asarray(momentum_vec, np.float64).reshape(3)
    p = float(np.linalg.norm(pv))
    kappa = float(_kappa(geom, np.array([charge]), np.array([p]), polarity)[0])
    rec = np.zeros((max_points, 3))
    s_nodes, a_nodes = np.asarray(geom.s_nodes, float), np.asarray(geom.a_nodes, float)
    slope = float(np.max(np.abs(np.diff(a_nodes) / np.diff(s_nodes))))
    st, _, n = _transport_one(xx, pv / p, kappa, float(geom.z_start), s_nodes, a_nodes, float(geom.r_outer),
                              step_fraction, ds_min, ds_max, slope, conductor == "absorb", rec)
    return rec[:n].copy(), int(st)


# Meson-Be inelastic cross-sections for absorption in the target (approximate, momentum independent
# at 0.5-5 GeV/c): σ(πBe) ≈ 0.85 σ(pBe) and σ(KBe) ≈ 0.7 σ(pBe) with σ_inel(pBe) = 212 mb at 8.9 GeV/c
# (PRD 79, 072002 Regge fit, beams.target), the ratios from σ_πN/σ_NN ≈ 25/30 and σ_KN/σ_NN ≈ 18/30
# scaled as A^{-0.25} shadowing cancels to first order in the ratio (Glauber, light nucleus).
SIGMA_INEL_BE = {211: 180.0 * hu.millibarn, -211: 180.0 * hu.millibarn,
                 321: 150.0 * hu.millibarn, -321: 150.0 * hu.millibarn}


def _lookup(table: dict[int, float], pdg: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(pdg, return_inverse=True)
    return np.array([table[int(k)] for k in uniq], dtype=float)[inv].reshape(pdg.shape)


@FOCUSING.register("horn-field")
class HornField(Focusing):
    """Horn field transport: charged mesons tracked through the BNB horn's 1/r toroidal field."""

    name = "horn-field"

    def __init__(self, current: float = BNB_HORN.current, conductor: str = "traverse",
                 in_horn_decays: str = "extrapolate", step_fraction: float = 0.05,
                 ds_min: float = 0.5 * hu.mm, ds_max: float = 20.0 * hu.mm,
                 geometry: HornGeometry | None = None, target_absorption: bool = True,
                 beam: str = "bnb") -> None:
        """Args: horn current (A, magnitude), ``conductor`` ("traverse" or "absorb"), treatment of
        decays in the horn ("extrapolate" or "drop", module docstring), integration step controls
        (fraction of r, bounds in mm), an optional :class:`HornGeometry` (default :data:`BNB_HORN`),
        and whether charged mesons are absorbed on their way out of the target of ``beam``
        (weight × exp(−n σ ℓ), ℓ the straight path from the vertex to the target surface,
        σ = :data:`SIGMA_INEL_BE`)."""
        if conductor not in ("traverse", "absorb"):
            raise InputError("focusing.conductor", conductor, ("traverse", "absorb"))
        if in_horn_decays not in ("extrapolate", "drop"):
            raise InputError("focusing.in_horn_decays", in_horn_decays, ("extrapolate", "drop"))
        if not (np.isfinite(current) and current >= 0):
            raise InputError("focusing.current", current, "a finite current >= 0 A")
        _check_step(step_fraction, ds_min, ds_max)
        base = geometry or BNB_HORN
        self.geometry = HornGeometry(base.z_start, base.s_nodes, base.a_nodes, base.r_outer, float(current),
                                     base.reference)
        self.conductor, self.in_horn_decays = conductor, in_horn_decays
        self.step = (step_fraction, ds_min, ds_max)
        self.last_status: np.ndarray | None = None
        self.target_absorption = bool(target_absorption)
        self.beam = BEAMS.get(beam)

    def target_survival(self, mesons: ParticleSample) -> np.ndarray:
        """Probability that each charged meson leaves the target without an inelastic interaction:
        exp(−n σ ℓ), ℓ = straight path (mm) from its vertex to the target surface (the target is a
        field-free region inside the inner conductor), n the Be number density."""
        from .target import target_material

        b = self.beam
        d = mesons.p4[:, 1:] / np.linalg.norm(mesons.p4[:, 1:], axis=1)[:, None]
        ell = path_length_in_cylinder(mesons.x, d, b.target_radius, -b.target_length / 2, b.target_length / 2)
        sigma = np.array([SIGMA_INEL_BE.get(int(k), 0.0) for k in np.unique(mesons.pdg)])
        sig = sigma[np.searchsorted(np.unique(mesons.pdg), mesons.pdg)]
        return np.exp(-target_material(b).number_density * sig * ell)

    def apply(self, mesons: ParticleSample, polarity: int) -> FocusingResult:
        """Charged mesons at the horn exit (new directions, positions); neutral ones unchanged.

        Mesons absorbed on a conductor or turned upstream are removed; their status codes of the
        last call are kept in ``self.last_status`` (charged mesons only, in input order)."""
        charge = charge_of(mesons.pdg)
        charged = charge != 0
        neutral = mesons.select(~charged)
        ch = mesons.select(charged)
        if len(ch) == 0:
            self.last_status = np.zeros(0, np.int64)
            return FocusingResult(neutral, "decay-pipe")
        res = transport(ch.x, ch.p4[:, 1:], charge[charged], polarity, self.geometry, self.conductor,
                        *self.step)
        self.last_status = res.status
        if self.target_absorption:
            ch.w = ch.w * self.target_survival(ch)
        ok = res.status == STATUS_EXIT
        out = ch.select(ok)
        u, xe, path = res.u[ok], res.x[ok], res.path[ok]
        p = out.momentum
        out.p4[:, 1:] = p[:, None] * u
        if self.in_horn_decays == "drop":
            lam = p / _lookup(PDG_MASS, out.pdg) * _lookup(PDG_CTAU, out.pdg)
            out.w = out.w * np.exp(-path / lam)
            out.x = xe
        else:
            # extend the exit ray backwards by the in-horn path (not upstream of the production
            # vertex, not outside the horn radius) so that decays along the whole flight are counted
            d = np.minimum(path, np.where(u[:, 2] > 0, (xe[:, 2] - out.x[:, 2]) / np.where(u[:, 2] > 0, u[:, 2], 1), 0))
            back = xe - d[:, None] * u
            inside = np.hypot(back[:, 0], back[:, 1]) < self.geometry.r_outer
            out.x = np.where(inside[:, None], back, xe)
        return FocusingResult(ParticleSample.concat([out, neutral]), "decay-pipe")
