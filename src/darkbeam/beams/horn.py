"""Magnetic-horn transport focusing for the Booster Neutrino Beam (focusing model ``horn-field``).

Instead of the angular window of seed 000 (``horn-window``), every charged meson leaving the target
is transported through the toroidal field of the horn by integrating the Lorentz force, as proposed
in seed 003 ("Transport the charged pions through the horn system by solving dp^α/dτ = q F^{αβ} u_β").
Field and geometry: :mod:`darkbeam.beams.horn_geometry`; integrator: :mod:`darkbeam.beams.horn_kernel`
(drift–rotate–drift leap-frog in the field, exact straight segments in the field-free regions).

Two exact invariants of the 1/r field are used as checks (tests/test_horn.py): the angular momentum
L_z = x p_y − y p_x (B_φ exerts no torque about z) and, inside the field region, the canonical momentum
p_z − q s (μ0 I c/2π) ln r (A_z ∝ ln r for the 1/r field).

Decays along the real path (default ``in_horn_decays="trajectory"``): each charged meson gets a decay
path length ℓ_d drawn from exp(−ℓ/λ)/λ, λ = (p/m) cτ (|p| is constant in a magnetic field, so the path
length is proportional to the proper time, PDG "Kinematics" §49.2). If ℓ_d falls inside the horn, the
meson decays there, at the point and with the direction it has on its curved trajectory; otherwise it
leaves the horn and the decay chain (pipeline.neutrino_flux) decays it in the decay region, which is
exact by the memorylessness of the exponential law. ``"drop"`` removes in-horn decays instead (weight
× exp(−ℓ_horn/λ)), a bracket.

Conductors (default ``conductor="interact"``): the aluminium walls of the inner (a − t_in < r < a) and
outer (r_out < r < r_out + t_out) conductors absorb a meson with probability 1 − exp(−L/λ_I), L its
path length inside them and λ_I = 39.70 cm (aluminium, PDG "Atomic and Nuclear Properties of
Materials"): weight × exp(−L/λ_I). Mesons leaving the horn through the outer conductor continue in a
straight line into the decay chain (the shielding around the horn and the collimator are not modelled:
``outer="drop"`` removes them instead). ``"traverse"`` makes the walls transparent, ``"absorb"`` kills
every meson crossing r = a(z) (a bracket: nearly every meson has to cross it).

Units: mm, MeV, A.
"""

from __future__ import annotations

from dataclasses import dataclass

import hepunits as hu
import numpy as np

from ..errors import InputError
from ..kinematics.paths import path_length_in_cylinder
from ..particles import PDG_CTAU, PDG_MASS
from ..sample import ParticleSample
from . import horn_kernel as _k
from .beamlines import BEAMS
from .focusing import FOCUSING, Focusing, FocusingResult, charge_of
from .horn_geometry import BNB_HORN, LAMBDA_I_AL, MU0, HornGeometry
from .target import target_material

__all__ = ["BNB_HORN", "LAMBDA_I_AL", "MU0", "STATUS_NAMES", "HornField", "HornGeometry", "TransportResult",
           "push_uniform_field", "trajectory", "transport"]

STATUS_EXIT, STATUS_INNER, STATUS_OUTER, STATUS_BACK, STATUS_STUCK, STATUS_DECAYED = (
    _k.EXIT, _k.INNER, _k.OUTER, _k.BACK, _k.STUCK, _k.DECAYED)
STATUS_NAMES = {STATUS_EXIT: "exit", STATUS_INNER: "absorbed at the inner conductor",
                STATUS_OUTER: "left through the outer conductor", STATUS_BACK: "upstream",
                STATUS_STUCK: "step limit", STATUS_DECAYED: "decayed in the horn"}
CONDUCTOR_MODES = ("interact", "traverse", "absorb")

# default step control: fraction of r per step in the field, largest bending per step (rad), bounds (mm)
STEP_FRACTION, BEND_MAX, DS_MIN, DS_MAX = 0.05, 0.05, 0.5 * hu.mm, 100.0 * hu.mm


@dataclass
class TransportResult:
    """Result of :func:`transport`: positions x (N,3) mm and unit directions u (N,3) where each particle
    stopped, path length in the horn (mm), path length in the aluminium walls ``l_al`` (mm) and status
    (see :data:`STATUS_NAMES`)."""

    x: np.ndarray
    u: np.ndarray
    path: np.ndarray
    status: np.ndarray
    l_al: np.ndarray


def _kappa(geom: HornGeometry, charge: np.ndarray, momentum: np.ndarray, polarity: int) -> np.ndarray:
    # κ = q s μ0 I c/(2π p): bending angle per unit path is κ/r
    p = np.asarray(momentum, float)
    if np.any(~(p > 0)) or np.any(~np.isfinite(p)):
        raise InputError("momentum", "non-positive or non-finite values", "finite momenta > 0 MeV")
    return np.asarray(charge, float) * polarity * geom.field_constant / p


def _check(conductor: str, polarity: int, frac: float, ds_min: float, ds_max: float) -> None:
    if conductor not in CONDUCTOR_MODES:
        raise InputError("horn.conductor", conductor, CONDUCTOR_MODES)
    if polarity not in (-1, 0, 1):
        raise InputError("polarity", polarity, "-1, 0 or +1")
    if not (0 < frac <= 0.5):
        raise InputError("horn.step_fraction", frac, "0 < step_fraction <= 0.5")
    if not (0 < ds_min <= ds_max):
        raise InputError("horn.ds_min/ds_max", (ds_min, ds_max), "0 < ds_min <= ds_max (mm)")


def _geom_args(geom: HornGeometry) -> tuple:
    return (float(geom.z_start), np.asarray(geom.s_nodes, float), np.asarray(geom.a_nodes, float),
            float(geom.r_outer), float(geom.t_inner), float(geom.t_outer))


def transport(x: np.ndarray, momentum_vec: np.ndarray, charge: np.ndarray, polarity: int = 1,
              geom: HornGeometry = BNB_HORN, conductor: str = "interact", step_fraction: float = STEP_FRACTION,
              ds_min: float = DS_MIN, ds_max: float = DS_MAX,
              decay_length: np.ndarray | None = None) -> TransportResult:
    """Transport charged particles through the horn to its downstream face (or a wall, or their decay).

    Args:
        x: start positions (N, 3), mm (may be upstream of or inside the horn).
        momentum_vec: momenta (N, 3), MeV/c (|p| is conserved).
        charge: charges in units of e (N,).
        polarity: +1 (focus positive), −1 (focus negative), 0 (horn off).
        conductor: "interact" or "traverse" (the transport is the same; ``l_al`` is reported for the
            caller's exp(−L/λ_I)), or "absorb" (stop at the first crossing of r = a(z)).
        step_fraction: step in the field region as a fraction of r (also ≤ 0.05 rad of bending).
        ds_min, ds_max: step bounds in the field region, mm.
        decay_length: path length (N,), mm, at which each particle decays and stops (default: never).
    Returns:
        :class:`TransportResult` (positions mm, unit directions, path mm, status, path in aluminium mm).
    """
    _check(conductor, polarity, step_fraction, ds_min, ds_max)
    xx = np.array(np.atleast_2d(x), dtype=np.float64, order="C")
    pv = np.atleast_2d(np.asarray(momentum_vec, np.float64))
    pnorm = np.linalg.norm(pv, axis=1)
    kappa = _kappa(geom, np.broadcast_to(charge, (len(pv),)), pnorm, polarity)
    uu = np.ascontiguousarray(pv / pnorm[:, None])
    n = len(xx)
    ldec = np.full(n, np.inf) if decay_length is None else np.ascontiguousarray(np.broadcast_to(decay_length, (n,)),
                                                                               dtype=np.float64)
    status = np.zeros(n, np.int64)
    path, l_al = np.zeros(n), np.zeros(n)
    _k.transport_all(xx, uu, np.ascontiguousarray(kappa), ldec, *_geom_args(geom), float(step_fraction), BEND_MAX,
                     float(ds_min), float(ds_max), conductor == "absorb", status, path, l_al)
    return TransportResult(xx, uu, path, status, l_al)


def trajectory(x: np.ndarray, momentum_vec: np.ndarray, charge: float, polarity: int = 1,
               geom: HornGeometry = BNB_HORN, conductor: str = "interact", step_fraction: float = STEP_FRACTION,
               ds_min: float = DS_MIN, ds_max: float = DS_MAX, max_points: int = 20000,
               decay_length: float = np.inf) -> tuple[np.ndarray, int]:
    """Points (K, 3) mm along the path of one particle through the horn (start, step points, end) and its
    status (for plots and checks)."""
    _check(conductor, polarity, step_fraction, ds_min, ds_max)
    xx = np.array(x, np.float64).reshape(3)
    pv = np.asarray(momentum_vec, np.float64).reshape(3)
    p = float(np.linalg.norm(pv))
    kappa = float(_kappa(geom, np.array([charge]), np.array([p]), polarity)[0])
    rec = np.zeros((max_points, 3))
    st, _, _, n = _k.transport_one(xx, pv / p, kappa, float(decay_length), *_geom_args(geom), step_fraction,
                                   BEND_MAX, ds_min, ds_max, conductor == "absorb", rec)
    return np.vstack([rec[:n], xx[None]]), int(st)


def push_uniform_field(x: np.ndarray, momentum_vec: np.ndarray, charge: float, b_tesla: np.ndarray,
                       ds: float, nsteps: int) -> tuple[np.ndarray, np.ndarray]:
    """The horn's leap-frog stepper in a uniform field ``b_tesla`` (3,) T: positions (nsteps, 3) mm after each
    step of ``ds`` mm, and the final unit direction. Curvature k = q c |B|/p (PDG "Passage of particles":
    R = p_T/(0.2998 |q| B) in m, GeV, T)."""
    b = np.asarray(b_tesla, float)
    bmag = float(np.linalg.norm(b))
    pv = np.asarray(momentum_vec, float)
    p = float(np.linalg.norm(pv))
    if not (p > 0 and bmag > 0 and ds > 0 and nsteps > 0):
        raise InputError("push_uniform_field", (p, bmag, ds, nsteps), "|p| > 0, |B| > 0, ds > 0, nsteps > 0")
    k = charge * hu.c_light * hu.eplus * bmag * hu.tesla / p  # 1/mm
    u = pv / p
    rec = np.zeros((nsteps, 3))
    _k.push_uniform(np.array(x, float), u, k, b / bmag, float(ds), int(nsteps), rec)
    return rec, u


# Meson-Be inelastic cross-sections for absorption in the target (approximate, momentum independent
# at 0.5-5 GeV/c): σ(πBe) ≈ 0.85 σ(pBe) and σ(KBe) ≈ 0.7 σ(pBe) with σ_inel(pBe) = 212 mb at 8.9 GeV/c
# (PRD 79, 072002 Regge fit, beams.target), the ratios from σ_πN/σ_NN ≈ 25/30 and σ_KN/σ_NN ≈ 18/30
# scaled as A^{-0.25} shadowing cancels to first order in the ratio (Glauber, light nucleus).
SIGMA_INEL_BE = {211: 180.0 * hu.millibarn, -211: 180.0 * hu.millibarn,
                 321: 150.0 * hu.millibarn, -321: 150.0 * hu.millibarn}


def _lookup(table: dict[int, float], pdg: np.ndarray) -> np.ndarray:
    uniq, inv = np.unique(pdg, return_inverse=True)
    return np.array([table.get(int(k), 0.0) for k in uniq], dtype=float)[inv].reshape(pdg.shape)


@FOCUSING.register("horn-field")
class HornField(Focusing):
    """Horn field transport: charged mesons tracked through the BNB horn's 1/r toroidal field."""

    name = "horn-field"

    def __init__(self, current: float = BNB_HORN.current, conductor: str = "interact",
                 in_horn_decays: str = "trajectory", step_fraction: float = STEP_FRACTION,
                 ds_min: float = DS_MIN, ds_max: float = DS_MAX, geometry: HornGeometry | None = None,
                 target_absorption: bool = True, beam: str = "bnb", outer: str = "keep", seed: int = 20240) -> None:
        """Args: horn current (A, magnitude); ``conductor`` ("interact", "traverse" or "absorb"); treatment
        of decays in the horn ("trajectory" or "drop", module docstring); integration step controls
        (fraction of r, bounds in mm); an optional :class:`HornGeometry` (default :data:`BNB_HORN`);
        whether charged mesons are absorbed on their way out of the target of ``beam`` (weight ×
        exp(−n σ ℓ), ℓ the straight path from the vertex to the target surface, σ = :data:`SIGMA_INEL_BE`);
        ``outer`` ("keep" or "drop") for mesons leaving through the outer conductor; ``seed`` of the
        focusing's own random stream (decay points in the horn)."""
        if conductor not in CONDUCTOR_MODES:
            raise InputError("focusing.conductor", conductor, CONDUCTOR_MODES)
        if in_horn_decays not in ("trajectory", "drop"):
            raise InputError("focusing.in_horn_decays", in_horn_decays, ("trajectory", "drop"))
        if outer not in ("keep", "drop"):
            raise InputError("focusing.outer", outer, ("keep", "drop"))
        if not (np.isfinite(current) and current >= 0):
            raise InputError("focusing.current", current, "a finite current >= 0 A")
        _check(conductor, 1, step_fraction, ds_min, ds_max)
        self.geometry = (geometry or BNB_HORN).with_current(current)
        self.conductor, self.in_horn_decays, self.outer = conductor, in_horn_decays, outer
        self.step = (step_fraction, ds_min, ds_max)
        self.last_status: np.ndarray | None = None
        self.target_absorption = bool(target_absorption)
        self.beam = BEAMS.get(beam)
        self.rng = np.random.default_rng(seed)

    def target_survival(self, mesons: ParticleSample, path: np.ndarray | None = None) -> np.ndarray:
        """Probability that each charged meson leaves the target without an inelastic interaction:
        exp(−n σ ℓ), ℓ = straight path (mm) from its vertex to the target surface (the target is a
        field-free region inside the inner conductor), capped at ``path`` (mm; the meson's flight
        before its decay), n the Be number density."""
        b = self.beam
        d = mesons.p4[:, 1:] / np.linalg.norm(mesons.p4[:, 1:], axis=1)[:, None]
        ell = path_length_in_cylinder(mesons.x, d, b.target_radius, -b.target_length / 2, b.target_length / 2)
        if path is not None:
            ell = np.minimum(ell, path)
        return np.exp(-target_material(b).number_density * _lookup(SIGMA_INEL_BE, mesons.pdg) * ell)

    def apply(self, mesons: ParticleSample, polarity: int) -> FocusingResult:
        """Charged mesons at the horn exit (new directions, positions) and those that decayed inside the
        horn (``FocusingResult.decayed``, at their decay points); neutral ones unchanged.

        Mesons absorbed on a conductor or turned upstream are removed; their status codes of the
        last call are kept in ``self.last_status`` (charged mesons only, in input order)."""
        charge = charge_of(mesons.pdg)
        charged = charge != 0
        neutral = mesons.select(~charged)
        ch = mesons.select(charged)
        if len(ch) == 0:
            self.last_status = np.zeros(0, np.int64)
            return FocusingResult(neutral, "decay-pipe")
        p = ch.momentum
        lam = p / _lookup(PDG_MASS, ch.pdg) * _lookup(PDG_CTAU, ch.pdg)  # mean decay length, mm
        ldec = self.rng.exponential(lam) if self.in_horn_decays == "trajectory" else None
        res = transport(ch.x, ch.p4[:, 1:], charge[charged], polarity, self.geometry,
                        "absorb" if self.conductor == "absorb" else "interact", *self.step, decay_length=ldec)
        self.last_status = res.status
        w = ch.w.copy()
        if self.target_absorption:
            w *= self.target_survival(ch, res.path)
        if self.conductor == "interact":
            w *= np.exp(-res.l_al / self.geometry.lambda_int)
        if self.in_horn_decays == "drop":
            w *= np.exp(-res.path / lam)
        ch.w = w
        ch.x = res.x
        ch.p4[:, 1:] = p[:, None] * res.u
        leave = res.status == STATUS_EXIT
        if self.outer == "keep" and self.conductor != "absorb":
            leave |= res.status == STATUS_OUTER
        decayed = ch.select(res.status == STATUS_DECAYED)
        decayed.extra["p_decay"] = np.ones(len(decayed))
        return FocusingResult(ParticleSample.concat([ch.select(leave), neutral]), "decay-pipe", decayed)
