"""Detector geometry seen from the target: the disc through the detector centre, normal to the
line of sight, over which fluxes are averaged (the convention of the MiniBooNE flux release:
flux averaged over a disc of radius 610.6 cm at the detector)."""

from __future__ import annotations

import numpy as np

from ..detectors.catalog import Experiment


def detector_center(exp: Experiment) -> np.ndarray:
    """Detector centre (mm) for the beam along +z from the origin, off-axis in the x-z plane."""
    a = exp.off_axis_angle
    return exp.distance * np.array([np.sin(a), 0.0, np.cos(a)])


def sample_disc_points(rng: np.random.Generator, exp: Experiment, n: int) -> np.ndarray:
    """n points uniform on the detector's disc (radius ``exp.radius``), normal to the line of sight."""
    centre = detector_center(exp)
    normal = centre / np.linalg.norm(centre)
    u = np.cross(normal, [0.0, 1.0, 0.0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    r = exp.radius * np.sqrt(rng.random(n))
    phi = rng.uniform(0, 2 * np.pi, n)
    return centre + (r * np.cos(phi))[:, None] * u + (r * np.sin(phi))[:, None] * v


def hits_disc(x: np.ndarray, direction: np.ndarray, exp: Experiment) -> np.ndarray:
    """True where the straight line from x (N,3) along unit ``direction`` (N,3) crosses the detector
    disc (the sphere's cross-section normal to the line of sight) in the forward direction."""
    centre = detector_center(exp)
    normal = centre / np.linalg.norm(centre)
    denom = direction @ normal
    with np.errstate(divide="ignore", invalid="ignore"):
        t = ((centre - x) @ normal) / denom
    hit_pt = x + t[:, None] * direction
    return (denom > 0) & (t > 0) & (np.linalg.norm(hit_pt - centre, axis=1) < exp.radius)
