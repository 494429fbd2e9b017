"""Vectorised four-vector helpers. Arrays of four-vectors have shape (N, 4) = (E, px, py, pz).

All functions operate on whole arrays (no per-particle Python loops). Energies in MeV.
"""

from __future__ import annotations

import numpy as np


def kallen(a: np.ndarray | float, b: np.ndarray | float, c: np.ndarray | float) -> np.ndarray:
    """Källén triangle function λ(a, b, c) = a² + b² + c² − 2ab − 2ac − 2bc."""
    a, b, c = np.asarray(a, float), np.asarray(b, float), np.asarray(c, float)
    return a * a + b * b + c * c - 2 * a * b - 2 * a * c - 2 * b * c


def two_body_momentum(m: np.ndarray | float, m1: np.ndarray | float, m2: np.ndarray | float) -> np.ndarray:
    """Daughter momentum in the rest frame of a parent of mass m decaying to m1 + m2 (MeV).

    Returns 0 (not NaN) at and below threshold.
    """
    m = np.asarray(m, float)
    lam = kallen(m * m, np.asarray(m1, float) ** 2, np.asarray(m2, float) ** 2)
    return np.sqrt(np.clip(lam, 0.0, None)) / (2.0 * m)


def mass(p4: np.ndarray) -> np.ndarray:
    """Invariant mass of each four-vector (clipped at 0)."""
    m2 = p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)
    return np.sqrt(np.clip(m2, 0.0, None))


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Minkowski product a·b with metric (+,−,−,−), row by row."""
    return a[..., 0] * b[..., 0] - np.sum(a[..., 1:] * b[..., 1:], axis=-1)


def isotropic_directions(rng: np.random.Generator, n: int) -> np.ndarray:
    """n unit vectors uniformly distributed on the sphere, shape (n, 3)."""
    cos_t = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    sin_t = np.sqrt(1.0 - cos_t * cos_t)
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=1)


def boost(p4: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Boost four-vectors ``p4`` (N,4) by velocity vectors ``beta`` (N,3) (or (3,)).

    A particle at rest in the frame moving with ``beta`` gets velocity ``beta`` after the boost
    (i.e. this takes rest-frame momenta of a decaying parent with velocity beta to the lab).
    """
    beta = np.broadcast_to(beta, (p4.shape[0], 3))
    b2 = np.sum(beta * beta, axis=1)
    gamma = 1.0 / np.sqrt(np.clip(1.0 - b2, 1e-300, None))
    bp = np.sum(beta * p4[:, 1:], axis=1)
    safe_b2 = np.where(b2 > 0, b2, 1.0)
    g2 = np.where(b2 > 0, (gamma - 1.0) / safe_b2, 0.0)
    out = np.empty_like(p4)
    out[:, 0] = gamma * (p4[:, 0] + bp)
    out[:, 1:] = p4[:, 1:] + (g2 * bp + gamma * p4[:, 0])[:, None] * beta
    return out


def beta_of(p4: np.ndarray) -> np.ndarray:
    """Velocity vector p/E of each four-vector, shape (N, 3)."""
    return p4[:, 1:] / p4[:, 0:1]


def two_body_decay(
    rng: np.random.Generator, parent: np.ndarray, m1: float, m2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic two-body decays of parents (N,4) → daughters of masses m1, m2 (lab frame).

    Returns (p4_1, p4_2), each (N, 4). Isotropic in the parent rest frame (spin-0 parents, or
    unpolarised).
    """
    n = parent.shape[0]
    mp = mass(parent)
    q = two_body_momentum(mp, m1, m2)
    d = isotropic_directions(rng, n) * q[:, None]
    e1 = np.sqrt(q * q + m1 * m1)
    e2 = np.sqrt(q * q + m2 * m2)
    p1 = np.concatenate([e1[:, None], d], axis=1)
    p2 = np.concatenate([e2[:, None], -d], axis=1)
    b = beta_of(parent)
    return boost(p1, b), boost(p2, b)


def from_p_theta_phi(p: np.ndarray, theta: np.ndarray, phi: np.ndarray, m: float | np.ndarray) -> np.ndarray:
    """Four-vectors from momentum magnitude (MeV), polar angle and azimuth (rad), and mass."""
    st = np.sin(theta)
    out = np.empty((len(p), 4))
    out[:, 0] = np.sqrt(p * p + np.asarray(m) ** 2)
    out[:, 1] = p * st * np.cos(phi)
    out[:, 2] = p * st * np.sin(phi)
    out[:, 3] = p * np.cos(theta)
    return out


def rotate_about(direction: np.ndarray, cos_t: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Unit vectors at polar angle acos(cos_t) and azimuth phi (rad) about the unit vectors ``direction`` (N, 3); the
    azimuth is measured from direction × ẑ (× x̂ when the direction is within acos 0.9 of ẑ)."""
    helper = np.where(np.abs(direction[:, 2:3]) < 0.9, np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))
    e1 = np.cross(direction, helper)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(direction, e1)
    s = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
    return cos_t[:, None] * direction + (s * np.cos(phi))[:, None] * e1 + (s * np.sin(phi))[:, None] * e2

