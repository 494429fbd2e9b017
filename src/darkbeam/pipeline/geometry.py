"""Detector geometry seen from the target: the face through the detector centre, normal to the line of
sight, over which fluxes are averaged — the projection of the detector volume along the line of sight
(``exp.geometry.sample_face``: MiniBooNE's disc of radius 610.6 cm, the convention of the MiniBooNE flux
release; a LArTPC's rectangular face), or the disc of radius ``exp.radius`` for an experiment without a
geometry. :func:`face_area` is the area the averages refer to."""

from __future__ import annotations

import numpy as np

from ..detectors.catalog import Experiment
from ..detectors.geometry import from_detector_frame, to_detector_frame


def detector_center(exp: Experiment) -> np.ndarray:
    """Detector centre (mm) for the beam along +z from the origin, off-axis in the x-z plane."""
    a = exp.off_axis_angle
    return exp.distance * np.array([np.sin(a), 0.0, np.cos(a)])


def face_area(exp: Experiment) -> float:
    """Area (mm²) of the face fluxes are averaged over (see module docstring)."""
    return float(exp.geometry.face_area) if exp.geometry is not None else float(np.pi * exp.radius**2)


def sample_disc_points(rng: np.random.Generator, exp: Experiment, n: int) -> np.ndarray:
    """n points (lab, mm) uniform on the detector's face normal to the line of sight (module docstring)."""
    if exp.geometry is not None:
        xy = exp.geometry.sample_face(rng, n)
        return from_detector_frame(exp, np.concatenate([xy, np.zeros((n, 1))], axis=1))
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
    if exp.geometry is not None:
        inside = exp.geometry.face_contains(to_detector_frame(exp, np.nan_to_num(hit_pt))[:, :2])
    else:
        inside = np.linalg.norm(hit_pt - centre, axis=1) < exp.radius
    return (denom > 0) & (t > 0) & inside
