"""Straight-line path lengths through simple volumes (mm), used by every layer that follows particles: the
horn transport (beams/), SM decays in flight (production/) and the decay regions (propagation/)."""

from __future__ import annotations

import numpy as np


def path_length_in_cylinder(
    x: np.ndarray, direction: np.ndarray, radius: float, z_min: float, z_max: float
) -> np.ndarray:
    """Distance from points ``x`` (N,3) along unit ``direction`` (N,3) to the exit of a cylinder
    about the z axis (radius, z_min < z < z_max). Points outside the cylinder get 0. Units: mm."""
    dx, dy, dz = direction[:, 0], direction[:, 1], direction[:, 2]
    x0, y0, z0 = x[:, 0], x[:, 1], x[:, 2]
    big = np.full(len(x), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        tz = np.where(dz > 0, (z_max - z0) / dz, np.where(dz < 0, (z_min - z0) / dz, big))
        a = dx * dx + dy * dy
        b = x0 * dx + y0 * dy
        c = x0 * x0 + y0 * y0 - radius * radius
        disc = b * b - a * c
        tr = np.where(a > 0, (-b + np.sqrt(np.clip(disc, 0, None))) / np.where(a > 0, a, 1.0), big)
    inside = (c <= 0) & (z0 >= z_min) & (z0 <= z_max)
    return np.where(inside, np.clip(np.minimum(tz, tr), 0.0, None), 0.0)


__all__ = ["path_length_in_cylinder"]
