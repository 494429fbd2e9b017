"""Detector volumes (sphere, box, cylinder) with vectorised ray chords, and the detector frame.

Frame
-----
Every shape lives in **detector-local coordinates** (lengths in mm, the hepunits internal unit):

* origin at the detector centre;
* local **z** = the line of sight from the target to the detector centre (for an on-axis detector,
  the beam direction);
* local **y** = vertical up (the lab y axis: the detector centre lies in the lab x-z plane, so lab y is
  perpendicular to the line of sight);
* local **x** = y × z (right-handed; for an on-axis detector it is the lab x axis).

The lab frame is that of :func:`darkbeam.pipeline.geometry.detector_center`: target at the origin,
beam along +z, detector centre at ``distance * (sin a, 0, cos a)`` for off-axis angle ``a``.
:func:`to_detector_frame` / :func:`from_detector_frame` convert points and directions; the rotation is
orthogonal, so distances along a ray (the chords) are the same in both frames.

Chord convention
----------------
``shape.chord(origin, direction)`` treats each ray as the half-line ``origin + t * direction``,
``t >= 0``, and returns ``(t_in, t_out)``: the distances to the entry and exit points (mm for unit
directions; in units of ``|direction|`` otherwise). An origin inside the volume gets ``t_in = 0``.
Rays that miss the volume, graze it (zero-length chord) or have it entirely behind them get
``t_in = t_out = 0`` — never NaN, and no warning — so the hit mask is ``t_out > t_in``, the chord length is
``t_out - t_in`` (0 for misses) and the decay-in-volume probability ``exp(-t_in/ℓ) - exp(-t_out/ℓ)``
is 0 for misses without masking. Surfaces are closed (points on the boundary are inside).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, overload

import numpy as np

from ..errors import InputError


class PlacedDetector(Protocol):
    """What the detector frame reads of an experiment (:class:`darkbeam.detectors.catalog.Experiment`, which
    imports this module): the target-to-detector distance (mm) and the off-axis angle (rad)."""

    distance: float
    off_axis_angle: float


_M = 1000.0  # mm per m (hepunits: mm = 1)
_AXES = {"x": 0, "y": 1, "z": 2}


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


def _rays(origin: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast ray origins and directions to a common (..., 3) shape and check them."""
    o = np.asarray(origin, dtype=float)
    d = np.asarray(direction, dtype=float)
    if o.ndim == 0 or o.shape[-1] != 3:
        raise InputError("ray origin", o.shape, "an array of shape (3,) or (N, 3)")
    if d.ndim == 0 or d.shape[-1] != 3:
        raise InputError("ray direction", d.shape, "an array of shape (3,) or (N, 3)")
    try:
        o, d = np.broadcast_arrays(o, d)
    except ValueError:
        raise InputError("ray origin/direction shapes", (o.shape, d.shape),
                         "broadcastable (N, 3) arrays") from None
    if np.any(np.all(d == 0.0, axis=-1)):
        raise InputError("ray direction", "a zero vector", "non-zero (unit) direction vectors")
    return o, d


def _points(points: Any) -> np.ndarray:
    p = np.asarray(points, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 3:
        raise InputError("points", p.shape, "an array of shape (3,) or (N, 3)")
    return p


def _slab(o: np.ndarray, d: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Parameter interval where ``|o + t d| <= h`` along one axis ((-inf, inf) or empty if d = 0)."""
    parallel = d == 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inv = 1.0 / np.where(parallel, 1.0, d)
        t1 = (-h - o) * inv
        t2 = (h - o) * inv
    inside = np.abs(o) <= h
    lo = np.where(parallel, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    hi = np.where(parallel, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    return lo, hi


def _quadric(o: np.ndarray, d: np.ndarray, r: float) -> tuple[np.ndarray, np.ndarray]:
    """Parameter interval where ``|o + t d| <= r`` for vectors along the last axis (a ball of any
    dimension). Uses the closest-approach point, which is accurate for origins far from the centre.
    A direction with no component in this subspace gives (-inf, inf) if inside, else empty."""
    a = np.sum(d * d, axis=-1)
    moving = a > 0.0
    a_safe = np.where(moving, a, 1.0)
    tm = -np.sum(o * d, axis=-1) / a_safe
    p = o + tm[..., None] * d
    h2 = (r * r - np.sum(p * p, axis=-1)) / a_safe
    crosses = moving & (h2 > 0.0)
    s = np.sqrt(np.where(crosses, h2, 0.0))
    inside = np.sum(o * o, axis=-1) <= r * r
    lo = np.where(crosses, tm - s, np.where(~moving & inside, -np.inf, np.inf))
    hi = np.where(crosses, tm + s, np.where(~moving & inside, np.inf, -np.inf))
    return lo, hi


def _finish(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clip the entry at the origin (t >= 0) and zero the rays that do not cross the volume."""
    t_in = np.maximum(lo, 0.0)
    hit = hi > t_in  # False for NaN, empty intervals, tangents and volumes behind the origin
    return np.where(hit, t_in, 0.0), np.where(hit, hi, 0.0)


def _positive(name: str, value: float) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0.0:
        raise InputError(name, value, "a positive finite length in mm")
    return v


# ------------------------------------------------------------------------------------------------
# shapes
# ------------------------------------------------------------------------------------------------


class _Shape:
    """Common interface: ``chord``, ``contains``, ``volume``, ``face_area``, ``sample_points``,
    ``sample_face`` / ``face_contains`` (the face projected along local z, where flux estimators aim),
    ``bounding_radius``, ``describe``."""

    def chord(self, origin: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def chord_length(self, origin: Any, direction: Any) -> np.ndarray:
        """``t_out - t_in`` (0 for rays that miss)."""
        t_in, t_out = self.chord(origin, direction)
        return t_out - t_in


@dataclass(frozen=True)
class Sphere(_Shape):
    """Sphere of ``radius`` (mm) centred at the detector-frame origin."""

    radius: float

    def __post_init__(self) -> None:
        _positive("sphere radius", self.radius)

    def chord(self, origin: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:
        """Entry/exit distances along rays (see the module's chord convention)."""
        o, d = _rays(origin, direction)
        return _finish(*_quadric(o, d, self.radius))

    def contains(self, points: Any) -> np.ndarray:
        p = _points(points)
        return np.sum(p * p, axis=-1) <= self.radius**2

    @property
    def volume(self) -> float:
        """mm^3."""
        return 4.0 / 3.0 * np.pi * self.radius**3

    @property
    def face_area(self) -> float:
        """Area projected along local z, mm^2."""
        return np.pi * self.radius**2

    @property
    def bounding_radius(self) -> float:
        """Radius of the smallest origin-centred sphere enclosing the volume, mm."""
        return self.radius

    def sample_points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n points uniform in the volume, (n, 3), mm."""
        g = rng.standard_normal((n, 3))
        g /= np.linalg.norm(g, axis=1)[:, None]
        return g * (self.radius * np.cbrt(rng.random(n)))[:, None]

    def sample_face(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n points (local x, y) uniform on the face projected along local z (the disc of ``radius``).
        Drawn as r = R√u, then φ, and returned as (−r cos φ, −r sin φ): the convention of the flux
        estimator's original disc, so MiniBooNE's random stream and numbers are unchanged."""
        r = self.radius * np.sqrt(rng.random(n))
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        return np.stack([-r * np.cos(phi), -r * np.sin(phi)], axis=1)

    def face_contains(self, xy: np.ndarray) -> np.ndarray:
        """True for local (x, y) inside the projected face."""
        return np.sum(np.asarray(xy, float) ** 2, axis=-1) <= self.radius**2

    def describe(self) -> dict[str, Any]:
        return {"shape": "sphere", "radius_m": self.radius / _M, "volume_m3": self.volume / _M**3,
                "face_area_m2": self.face_area / _M**2}


@dataclass(frozen=True)
class Box(_Shape):
    """Axis-aligned box in the detector frame, given by its **half** sizes (mm) along local x, y, z:
    it spans ``-half_x <= x <= half_x`` etc. Use :meth:`from_size` for full side lengths."""

    half_x: float
    half_y: float
    half_z: float

    def __post_init__(self) -> None:
        for name in ("half_x", "half_y", "half_z"):
            _positive(f"box {name}", getattr(self, name))

    @classmethod
    def from_size(cls, size_x: float, size_y: float, size_z: float) -> Box:
        """Box of full side lengths (mm) along local x, y, z."""
        return cls(size_x / 2.0, size_y / 2.0, size_z / 2.0)

    @property
    def half_sizes(self) -> np.ndarray:
        return np.array([self.half_x, self.half_y, self.half_z])

    @property
    def size(self) -> np.ndarray:
        """Full side lengths (mm) along local x, y, z."""
        return 2.0 * self.half_sizes

    def chord(self, origin: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:
        """Entry/exit distances along rays (slab method; see the module's chord convention)."""
        o, d = _rays(origin, direction)
        lo = np.full(o.shape[:-1], -np.inf)
        hi = np.full(o.shape[:-1], np.inf)
        for k, h in enumerate((self.half_x, self.half_y, self.half_z)):  # three axes, not a loop over rays
            lo_k, hi_k = _slab(o[..., k], d[..., k], h)
            lo = np.maximum(lo, lo_k)
            hi = np.minimum(hi, hi_k)
        return _finish(lo, hi)

    def contains(self, points: Any) -> np.ndarray:
        p = _points(points)
        return np.all(np.abs(p) <= self.half_sizes, axis=-1)

    @property
    def volume(self) -> float:
        return 8.0 * self.half_x * self.half_y * self.half_z

    @property
    def face_area(self) -> float:
        """Area projected along local z (the x-y face), mm^2."""
        return 4.0 * self.half_x * self.half_y

    @property
    def bounding_radius(self) -> float:
        return float(np.linalg.norm(self.half_sizes))

    def sample_points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        h = self.half_sizes
        return rng.uniform(-h, h, size=(n, 3))

    def sample_face(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n points (local x, y) uniform on the face projected along local z (the x-y rectangle)."""
        return np.stack([rng.uniform(-self.half_x, self.half_x, n), rng.uniform(-self.half_y, self.half_y, n)], axis=1)

    def face_contains(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, float)
        return (np.abs(xy[..., 0]) <= self.half_x) & (np.abs(xy[..., 1]) <= self.half_y)

    def describe(self) -> dict[str, Any]:
        return {"shape": "box", "size_m": [float(s) / _M for s in self.size],
                "axes": "local x, y (vertical), z (line of sight)",
                "volume_m3": self.volume / _M**3, "face_area_m2": self.face_area / _M**2}


@dataclass(frozen=True)
class Cylinder(_Shape):
    """Right circular cylinder of ``radius`` and ``half_length`` (mm; it spans ``-half_length`` to
    ``+half_length`` along its axis), with its axis along local ``axis`` ("x", "y" = vertical,
    "z" = line of sight)."""

    radius: float
    half_length: float
    axis: Literal["x", "y", "z"] = "z"

    def __post_init__(self) -> None:
        _positive("cylinder radius", self.radius)
        _positive("cylinder half_length", self.half_length)
        if self.axis not in _AXES:
            raise InputError("cylinder axis", self.axis, _AXES.keys())

    @property
    def _k(self) -> int:
        return _AXES[self.axis]

    @property
    def _radial(self) -> list[int]:
        return [i for i in range(3) if i != self._k]

    def chord(self, origin: Any, direction: Any) -> tuple[np.ndarray, np.ndarray]:
        """Entry/exit distances along rays (see the module's chord convention)."""
        o, d = _rays(origin, direction)
        r = self._radial
        lo_r, hi_r = _quadric(o[..., r], d[..., r], self.radius)
        lo_a, hi_a = _slab(o[..., self._k], d[..., self._k], self.half_length)
        return _finish(np.maximum(lo_r, lo_a), np.minimum(hi_r, hi_a))

    def contains(self, points: Any) -> np.ndarray:
        p = _points(points)
        rad = p[..., self._radial]
        return (np.sum(rad * rad, axis=-1) <= self.radius**2) & (np.abs(p[..., self._k]) <= self.half_length)

    @property
    def volume(self) -> float:
        return 2.0 * np.pi * self.radius**2 * self.half_length

    @property
    def face_area(self) -> float:
        """Area projected along local z: the disc (axis z) or the 2R x 2L rectangle (axis x or y), mm^2."""
        if self.axis == "z":
            return np.pi * self.radius**2
        return 4.0 * self.radius * self.half_length

    @property
    def bounding_radius(self) -> float:
        return float(np.hypot(self.radius, self.half_length))

    def sample_points(self, rng: np.random.Generator, n: int) -> np.ndarray:
        rr = self.radius * np.sqrt(rng.random(n))
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        out = np.empty((n, 3))
        i, j = self._radial
        out[:, i] = rr * np.cos(phi)
        out[:, j] = rr * np.sin(phi)
        out[:, self._k] = rng.uniform(-self.half_length, self.half_length, n)
        return out

    def sample_face(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n points (local x, y) uniform on the face projected along local z: the disc (axis z) or the
        2R x 2L rectangle (axis x or y)."""
        if self.axis == "z":
            return Sphere(self.radius).sample_face(rng, n)
        half = {"x": (self.half_length, self.radius), "y": (self.radius, self.half_length)}[self.axis]
        return np.stack([rng.uniform(-half[0], half[0], n), rng.uniform(-half[1], half[1], n)], axis=1)

    def face_contains(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, float)
        if self.axis == "z":
            return np.sum(xy**2, axis=-1) <= self.radius**2
        hx, hy = {"x": (self.half_length, self.radius), "y": (self.radius, self.half_length)}[self.axis]
        return (np.abs(xy[..., 0]) <= hx) & (np.abs(xy[..., 1]) <= hy)

    def describe(self) -> dict[str, Any]:
        return {"shape": "cylinder", "radius_m": self.radius / _M, "length_m": 2.0 * self.half_length / _M,
                "axis": self.axis, "volume_m3": self.volume / _M**3, "face_area_m2": self.face_area / _M**2}


#: Any detector volume.
Shape = Sphere | Box | Cylinder


# ------------------------------------------------------------------------------------------------
# lab <-> detector frame
# ------------------------------------------------------------------------------------------------


def detector_frame(exp_or_center: PlacedDetector | Any) -> tuple[np.ndarray, np.ndarray]:
    """``(centre, rotation)`` of the detector frame.

    Args:
        exp_or_center: an :class:`~darkbeam.detectors.catalog.Experiment` (its centre is
            ``distance * (sin a, 0, cos a)``, as in :func:`darkbeam.pipeline.geometry.detector_center`)
            or the detector centre in the lab, shape (3,), mm.

    Returns:
        centre (3,) in the lab, mm, and the 3x3 rotation whose rows are the local x, y, z axes expressed
        in lab coordinates, so that ``local = rotation @ (lab - centre)``.
    """
    if hasattr(exp_or_center, "distance") and hasattr(exp_or_center, "off_axis_angle"):
        a = float(exp_or_center.off_axis_angle)
        centre = float(exp_or_center.distance) * np.array([np.sin(a), 0.0, np.cos(a)])
    else:
        centre = np.asarray(exp_or_center, dtype=float)
        if centre.shape != (3,):
            raise InputError("detector centre", centre.shape, "an Experiment or a lab position of shape (3,)")
    norm = np.linalg.norm(centre)
    if not np.isfinite(norm) or norm == 0.0:
        raise InputError("detector centre", centre.tolist(), "a finite point away from the target (origin)")
    z = centre / norm
    y = np.array([0.0, 1.0, 0.0]) - z[1] * z
    ny = np.linalg.norm(y)
    if ny < 1e-12:
        raise InputError("detector centre", centre.tolist(), "a line of sight that is not vertical")
    y /= ny
    x = np.cross(y, z)
    return centre, np.vstack([x, y, z])


@overload
def to_detector_frame(exp_or_center: PlacedDetector | Any, x: Any, d: None = None) -> np.ndarray: ...
@overload
def to_detector_frame(exp_or_center: PlacedDetector | Any, x: Any, d: Any) -> tuple[np.ndarray, np.ndarray]: ...


def to_detector_frame(exp_or_center, x, d=None):  # type: ignore[no-untyped-def]
    """Lab points ``x`` (..., 3) (and directions ``d`` (..., 3)) -> detector frame.

    Returns the local points, or ``(points, directions)`` when ``d`` is given. Directions are rotated
    only (not shifted), so unit vectors stay unit vectors.
    """
    centre, rot = detector_frame(exp_or_center)
    xl = (_points(x) - centre) @ rot.T
    if d is None:
        return xl
    return xl, _points(d) @ rot.T


@overload
def from_detector_frame(exp_or_center: PlacedDetector | Any, x: Any, d: None = None) -> np.ndarray: ...
@overload
def from_detector_frame(exp_or_center: PlacedDetector | Any, x: Any, d: Any) -> tuple[np.ndarray, np.ndarray]: ...


def from_detector_frame(exp_or_center, x, d=None):  # type: ignore[no-untyped-def]
    """Detector-frame points ``x`` (..., 3) (and directions ``d``) -> lab; inverse of
    :func:`to_detector_frame`."""
    centre, rot = detector_frame(exp_or_center)
    xg = _points(x) @ rot + centre
    if d is None:
        return xg
    return xg, _points(d) @ rot


__all__ = ["Box", "Cylinder", "Shape", "Sphere", "detector_frame", "from_detector_frame", "to_detector_frame"]
