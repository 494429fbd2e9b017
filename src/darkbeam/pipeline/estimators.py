"""Flux estimators at a detector for particles emitted isotropically in their parent's rest frame.

Forced-direction (point-flux) estimator. A parent with lab velocity β decays at x into a particle
of mass m with rest-frame momentum p* (energy E*), emitted with rest-frame angular density
(1 + α ŝ·n̂*)/(4π). For a point y on the detector disc (drawn uniformly), direction n̂ = (y − x)/r,
the lab momenta p that reach y solve E* = γ(E − β p cos θ) (inverse boost), i.e.
    p²(1 − β²cos²θ) − 2(E*/γ)β cos θ p + (m² − E*²/γ²) = 0,
with one root for β* > β and zero or two roots otherwise. The lab-to-rest-frame solid-angle
Jacobian follows from the invariance of d³p/E:
    dΩ*/dΩ = p² / (p* γ |p − β E cos θ|)
(→ 1/(γ²(1 − β cos θ)²) for m = 0). Each root contributes w (1 + α ŝ·n̂*) (dΩ*/dΩ)/(4π r²) per unit
area. Averaged over disc points this is the disc-averaged flux. It is checked against plain
hit-counting in tests/test_flux_estimators.py.
"""

from __future__ import annotations

import hepunits as hu
import numpy as np

from ..detectors.catalog import Experiment
from ..kinematics.fourvec import boost
from .geometry import face_area, hits_disc, sample_disc_points


def forced_flux(
    parent_p4: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    e_star: np.ndarray,
    mass: float,
    exp: Experiment,
    rng: np.random.Generator,
    spin: np.ndarray | None = None,
    alpha: np.ndarray | None = None,
    return_points: bool = False,
) -> tuple[np.ndarray, ...]:
    """Point-flux estimator (see module doc).

    Args:
        parent_p4: lab four-momenta of the parents (N,4), MeV. x: decay vertices (N,3), mm.
        w: weights (decays per POT × BR, or any unit). e_star: rest-frame energy (N,), MeV.
        mass: emitted particle's mass, MeV. exp: the detector.
        spin, alpha: optional rest-frame spin unit vectors (N,3) and asymmetries (N,).

    Returns:
        (E_lab in MeV, flux weight per cm², index of the decay) for every contributing root, and with
        ``return_points`` also the point on the detector disc (mm) each root's ray goes to.
    """
    n = len(w)
    if n == 0:
        empty = (np.zeros(0), np.zeros(0), np.zeros(0, int))
        return (*empty, np.zeros((0, 3))) if return_points else empty
    y = sample_disc_points(rng, exp, n)
    d = y - x
    r = np.linalg.norm(d, axis=1)
    n_hat = d / r[:, None]
    beta_vec = parent_p4[:, 1:] / parent_p4[:, :1]
    beta = np.linalg.norm(beta_vec, axis=1)
    gamma = 1.0 / np.sqrt(np.maximum(1.0 - beta * beta, 1e-300))
    bcos = np.sum(beta_vec * n_hat, axis=1)  # β cos θ
    m2 = mass * mass
    p_star = np.sqrt(np.clip(e_star * e_star - m2, 0.0, None))
    eg = e_star / gamma
    a = 1.0 - bcos * bcos
    disc = (eg * bcos) ** 2 - a * (m2 - eg * eg)
    ok = disc >= 0
    sq = np.sqrt(np.where(ok, disc, 0.0))
    energies, weights, index = [], [], []
    idx = np.arange(n)
    for sgn in (+1.0, -1.0):
        p = (eg * bcos + sgn * sq) / a
        e = np.sqrt(p * p + m2)
        # a physical root has p ≥ 0 and satisfies the unsquared equation E − βp cos θ = E*/γ > 0
        good = ok & (p > 0) & (np.abs(e - bcos * p - eg) <= 1e-7 * np.maximum(e, 1e-3))
        if sgn < 0:
            good &= sq > 0  # avoid double counting the tangent root
            if mass == 0.0:
                good &= False
        denom = gamma * np.abs(p - bcos * e)
        with np.errstate(divide="ignore", invalid="ignore"):
            jac = np.where(good, p * p / np.where(good, p_star * denom, 1.0), 0.0)
        ang = np.ones(n)
        if spin is not None and alpha is not None:
            k_lab = np.concatenate([e[:, None], p[:, None] * n_hat], axis=1)
            k_rest = boost(k_lab, -beta_vec)
            n_rest = k_rest[:, 1:] / np.maximum(np.linalg.norm(k_rest[:, 1:], axis=1), 1e-300)[:, None]
            ang = 1.0 + alpha * np.sum(spin * n_rest, axis=1)
        wf = w * ang * jac / (4.0 * np.pi * r * r) * hu.cm2
        keep = good & np.isfinite(wf)
        energies.append(e[keep])
        weights.append(wf[keep])
        index.append(idx[keep])
    out = (np.concatenate(energies), np.concatenate(weights), np.concatenate(index))
    if return_points:
        return (*out, y[out[2]])
    return out


def hit_flux(p4: np.ndarray, x: np.ndarray, w: np.ndarray, exp: Experiment) -> tuple[np.ndarray, np.ndarray]:
    """Hit-counting estimator: particles whose straight path crosses the detector disc.

    Returns (E_lab in MeV, flux weight per cm²) of the hitting particles (weight / disc area).
    """
    direction = p4[:, 1:] / np.linalg.norm(p4[:, 1:], axis=1)[:, None]
    hit = hits_disc(x, direction, exp)
    area_cm2 = face_area(exp) / hu.cm2
    return p4[hit, 0], w[hit] / area_cm2
