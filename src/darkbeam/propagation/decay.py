"""Decay in flight: where along its path a particle decays, and with what probability.

Decay law: a particle of momentum p, mass m and proper decay length cτ decays after a lab distance
ℓ with density exp(−ℓ/λ)/λ, λ = (p/m) cτ. Inside a region of available path length L it decays with
probability P = 1 − exp(−L/λ); the position is sampled from the exponential truncated at L.
Everything is vectorised over particles.
"""

from __future__ import annotations

import numpy as np

from ..kinematics.paths import path_length_in_cylinder  # noqa: F401  (re-exported)
from ..sample import ParticleSample


def decay_length(p: np.ndarray, mass: float | np.ndarray, ctau: float | np.ndarray) -> np.ndarray:
    """Mean lab decay length λ = (p/m) cτ, same length unit as ``ctau``."""
    return np.asarray(p, float) / np.asarray(mass, float) * np.asarray(ctau, float)


def decay_probability(length: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """P(decay within ``length``) = 1 − exp(−L/λ), computed stably (−expm1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(lam > 0, np.asarray(length, float) / np.where(lam > 0, lam, 1.0), np.inf)
    return -np.expm1(-np.clip(x, 0.0, None))


def survival_probability(distance: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """P(no decay over ``distance``) = exp(−distance/λ) (λ = ∞ or Γ = 0: 1; λ = 0 with distance > 0: 0)."""
    d = np.asarray(distance, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.exp(-(d / np.asarray(lam, float)))
    bad = np.isnan(out)  # 0/0 (no distance travelled with λ = 0): survives; hot path, so one check only
    if bad.any():
        out = np.where(bad, 1.0, out)
    return out


def decay_inside_probability(t_in: np.ndarray, t_out: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """P(decay between path lengths t_in < t_out) = exp(−t_in/λ) − exp(−t_out/λ) (0 where t_out ≤ t_in).

    Written as exp(−t_in/λ)·(1 − exp(−(t_out − t_in)/λ)) with −expm1 so that λ ≫ t is accurate. This is the
    one decay-in-a-volume probability of darkbeam (decay-in-volume detection, dark-neutrino decays)."""
    t_in = np.asarray(t_in, float)
    return survival_probability(t_in, lam) * decay_probability(np.clip(np.asarray(t_out, float) - t_in, 0.0, None), lam)


def sample_truncated_exponential(rng: np.random.Generator, lam: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Distances in [0, L] distributed as exp(−ℓ/λ) (inverse CDF, stable for λ ≫ L and λ ≪ L)."""
    u = rng.random(np.shape(lam))
    p = decay_probability(length, lam)
    # ℓ = −λ log(1 − u P); log1p keeps precision when u P is tiny.
    return np.minimum(-lam * np.log1p(-u * p), length)


def decay_in_region(
    rng: np.random.Generator,
    particles: ParticleSample,
    mass: float | np.ndarray,
    ctau: float | np.ndarray,
    available: np.ndarray,
) -> ParticleSample:
    """Move particles to sampled decay vertices and multiply weights by P(decay within ``available``).

    Args:
        particles: sample whose ``x`` are production vertices (mm) and ``p4`` lab momenta (MeV).
        mass: particle mass(es), MeV. ctau: proper decay length(s), mm.
        available: path length (mm) each particle can travel before being absorbed.

    Returns:
        A new sample at the decay vertices, weights × P(decay); particles with P = 0 are dropped.
        ``extra["p_decay"]`` holds P(decay).
    """
    p = particles.momentum
    lam = decay_length(p, mass, ctau)
    prob = decay_probability(available, lam)
    keep = prob > 0
    out = particles.select(keep)
    lam, prob, avail = lam[keep], prob[keep], np.asarray(available)[keep]
    dist = sample_truncated_exponential(rng, lam, avail)
    direction = out.p4[:, 1:] / np.linalg.norm(out.p4[:, 1:], axis=1)[:, None]
    out.x = out.x + dist[:, None] * direction
    out.w = out.w * prob
    out.extra["p_decay"] = prob
    return out
