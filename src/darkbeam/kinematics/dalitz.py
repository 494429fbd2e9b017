"""Three-body decays drawn from a matrix element over the Dalitz plot.

A state of mass m decays to daughters 0, 1, 2 (masses m0, m1, m2; MeV). Its phase space is flat in the Dalitz
invariants s12 = (p₁ + p₂)² and s01 = (p₀ + p₁)² (PDG RPP "Kinematics", Eq. 49.22: dΓ ∝ |M|² ds12 ds01), so a density
|M|²(s12, s01) is sampled by accept–reject from the uniform distribution over the Dalitz region, and the daughters are
then built in the decay frame with the event's orientation drawn uniformly (an unpolarised state: the orientation
does not depend on the Dalitz point). A polarised state whose |M|² depends on its spin four-vector s as
|M|²(s) = A + B·s re-draws the orientation about its spin axis at the same Dalitz point (:func:`orient_to_spin`).

Units: MeV, MeV² for the invariants.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError
from .fourvec import beta_of, boost, isotropic_directions, kallen, two_body_momentum

#: grid of the bound of the accept–reject (nodes per axis, boundary included) and its safety factor
BOUND_NODES, BOUND_MARGIN = 257, 1.2


def s01_limits(s12: np.ndarray, m: float, m0: float, m1: float, m2: float) -> tuple[np.ndarray, np.ndarray]:
    """Range (MeV²) of s01 = (p₀ + p₁)² at fixed s12 (PDG RPP "Kinematics", Eq. 49.23, in the rest frame of 1 + 2:
    E₁* = (s12 − m2² + m1²)/(2√s12), E₀* = (m² − s12 − m0²)/(2√s12), s01 = (E₀* + E₁*)² − (p₀* ± p₁*)²)."""
    s12 = np.asarray(s12, float)
    root = np.sqrt(s12)
    e1 = (s12 - m2 * m2 + m1 * m1) / (2.0 * root)
    e0 = (m * m - s12 - m0 * m0) / (2.0 * root)
    p1 = np.sqrt(np.clip(e1 * e1 - m1 * m1, 0.0, None))
    p0 = np.sqrt(np.clip(e0 * e0 - m0 * m0, 0.0, None))
    return (e0 + e1) ** 2 - (p0 + p1) ** 2, (e0 + e1) ** 2 - (p0 - p1) ** 2


def dalitz_bound(density: Callable[[np.ndarray, np.ndarray], np.ndarray], m: float, m0: float, m1: float, m2: float,
                 name: str = "Dalitz density") -> tuple[float, float]:
    """(bound, mean) of ``density`` over the Dalitz region: BOUND_MARGIN × its maximum on a BOUND_NODES² grid that
    includes the region's boundary, and its mean on that grid. A density negative somewhere on the grid (beyond
    rounding, 1e-9 of the maximum) or nowhere positive is rejected with an InputError naming ``name``."""
    lo, hi = (m1 + m2) ** 2, (m - m0) ** 2
    s12 = np.linspace(lo, hi, BOUND_NODES)
    a, b = s01_limits(s12, m, m0, m1, m2)
    t = np.linspace(0.0, 1.0, BOUND_NODES)
    s01 = a[:, None] + (b - a)[:, None] * t[None, :]
    f = np.asarray(density(np.broadcast_to(s12[:, None], s01.shape).ravel(), s01.ravel()), float)
    fmax = float(np.max(f)) if f.size else 0.0
    if not np.all(np.isfinite(f)) or not fmax > 0.0 or float(np.min(f)) < -1e-9 * fmax:
        raise InputError(name, f"min {float(np.min(f)):.3g}, max {fmax:.3g} on the Dalitz grid",
                         "a finite |M|^2, >= 0 over the Dalitz region and positive somewhere")
    return BOUND_MARGIN * fmax, float(np.mean(np.clip(f, 0.0, None)))


def sample_dalitz(rng: np.random.Generator, density: Callable[[np.ndarray, np.ndarray], np.ndarray], m: float,
                  m0: float, m1: float, m2: float, n: int, name: str = "Dalitz density"
                  ) -> tuple[np.ndarray, np.ndarray]:
    """n Dalitz points (s12, s01) (MeV²) distributed as ``density``(s12, s01) over the Dalitz region of m → m0 m1 m2.

    Accept–reject: proposals uniform in the rectangle around the region, kept inside it (flat phase space), accepted
    with probability density/bound (:func:`dalitz_bound`). Every proposal's density is checked against the bound; if
    one exceeds it, the bound is raised to BOUND_MARGIN × that value and the sampling starts again from scratch, so
    the accepted points always come from one pass under a valid bound. Vectorised in batches."""
    bound, mean = dalitz_bound(density, m, m0, m1, m2, name)
    lo12, hi12 = (m1 + m2) ** 2, (m - m0) ** 2
    lo01, hi01 = (m0 + m1) ** 2, (m - m2) ** 2
    rate = max(0.5 * mean / bound, 1e-3)  # expected acceptance (region ≈ half the rectangle): batch sizes only
    s12_out, s01_out, have, tried = [], [], 0, 0
    while have < n:
        k = int(min(max(1.3 * (n - have) / rate, 64), 4_000_000))
        s12 = rng.uniform(lo12, hi12, k)
        s01 = rng.uniform(lo01, hi01, k)
        a, b = s01_limits(s12, m, m0, m1, m2)
        inside = (s01 >= a) & (s01 <= b)
        f = np.zeros(k)
        f[inside] = np.asarray(density(s12[inside], s01[inside]), float)
        if np.any(f > bound):  # the grid missed a peak: a larger bound, and start again
            bound = BOUND_MARGIN * float(np.max(f))
            s12_out, s01_out, have, tried = [], [], 0, 0
            continue
        keep = rng.uniform(0.0, bound, k) < f
        s12_out.append(s12[keep])
        s01_out.append(s01[keep])
        have, tried = have + int(np.sum(keep)), tried + k
        rate = max(have / tried, 1e-3) if have else rate / 4.0
    return np.concatenate(s12_out)[:n], np.concatenate(s01_out)[:n]


def three_body_momenta(rng: np.random.Generator, p4: np.ndarray, m: float, m0: float, m1: float, m2: float,
                       s12: np.ndarray, s01: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lab four-momenta (MeV) of daughters 0, 1, 2 of states of mass ``m`` (lab four-momenta ``p4``) at the Dalitz
    points (s12, s01), the orientation uniform: in the state's frame, daughter 0 isotropic against the pair 12; in
    the pair's rest frame daughter 1 at the polar angle θ to daughter 0's direction fixed by s01,
        s01 = m0² + m1² + 2(E₀*E₁* − p₀*p₁* cos θ),
    and at a uniform azimuth (daughter 0 moves along its direction in the state's frame there too: the boost between
    the two frames is along it). Vectorised; daughters on their mass shells, their sum is ``p4``."""
    n = len(p4)
    m12 = np.sqrt(s12)
    q = two_body_momentum(m, m0, m12)  # state frame: daughter 0 against the pair
    u = isotropic_directions(rng, n)
    inv = np.concatenate([np.sqrt(q * q + m0 * m0)[:, None], u * q[:, None]], axis=1)
    pair = np.concatenate([np.sqrt(q * q + s12)[:, None], -u * q[:, None]], axis=1)
    k = two_body_momentum(m12, m1, m2)  # pair rest frame
    e1 = (s12 + m1 * m1 - m2 * m2) / (2.0 * m12)
    e0 = (m * m - s12 - m0 * m0) / (2.0 * m12)
    p0 = np.sqrt(np.clip(kallen(m * m, s12, m0 * m0), 0.0, None)) / (2.0 * m12)
    den = 2.0 * p0 * k
    cos = np.clip((m0 * m0 + m1 * m1 + 2.0 * e0 * e1 - s01) / np.where(den > 0, den, 1.0), -1.0, 1.0)
    sin = np.sqrt(1.0 - cos * cos)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    helper = np.where((np.abs(u[:, 0]) < 0.9)[:, None], np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    v1 = np.cross(u, helper)
    v1 /= np.linalg.norm(v1, axis=1)[:, None]
    v2 = np.cross(u, v1)
    d = (sin * np.cos(phi))[:, None] * v1 + (sin * np.sin(phi))[:, None] * v2 + cos[:, None] * u
    a = np.concatenate([np.sqrt(k * k + m1 * m1)[:, None], d * k[:, None]], axis=1)
    b = np.concatenate([np.sqrt(k * k + m2 * m2)[:, None], -d * k[:, None]], axis=1)
    to_x, to_lab = beta_of(pair), beta_of(np.asarray(p4, float))
    return boost(inv, to_lab), boost(boost(a, to_x), to_lab), boost(boost(b, to_x), to_lab)


def random_rotations(rng: np.random.Generator, n: int) -> np.ndarray:
    """n uniformly distributed (Haar) 3×3 rotation matrices, from uniform random unit quaternions (normalised
    4-D Gaussians; e.g. Shoemake, "Uniform random rotations", Graphics Gems III (1992))."""
    q = rng.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1)[:, None]
    w, x, y, z = q.T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
    ], 1)


def orient_to_spin(rng: np.random.Generator, p4: np.ndarray, daughters: tuple[np.ndarray, ...], half: np.ndarray,
                   b: tuple[np.ndarray, ...], axis: np.ndarray, pol: np.ndarray, name: str = "spin terms"
                   ) -> tuple[np.ndarray, ...]:
    """Re-orient decays of polarised states (lab four-momenta ``p4``, MeV; daughters' lab four-momenta ``daughters``,
    drawn with a uniform orientation) so that, at each event's Dalitz point, the orientation follows
    |M|²(s) = A + P B·s about the unit spin ``axis`` (rest frame reached by a pure boost; :func:`darkbeam.pipeline.
    decay_in_volume.spin_axes`), with A = ``half`` (½ of the spin-summed |M|²), B·s = Σ_i b_i (k_i·s) (``b``: one array
    per daughter) and P = ``pol``. In the rest frame s = (0, ŝ), so A + P B·ŝ = A + P v·ŝ with v = −Σ b_i k⃗_i, a
    vector that turns with the decay. Accept–reject: the given orientation is the first proposal, later ones are
    uniform rotations of it, each kept with probability (A + P v·ŝ)/(A + |P||v|) (≥ ½ when |v| ≤ A, which the
    positivity of |M|² for every spin requires: else an InputError naming ``name``); all draws from ``rng`` (a side
    stream), so an event kept at its first proposal keeps its daughters bit for bit. The Dalitz point is unchanged
    (the daughters turn rigidly); integrated over orientations the density is A, the spin-summed one. Vectorised."""
    p4 = np.asarray(p4, float)
    beta = beta_of(p4)
    rest = [boost(np.asarray(d, float), -beta) for d in daughters]
    v = -sum(np.asarray(bi, float)[:, None] * k[:, 1:] for bi, k in zip(b, rest, strict=True))
    vnorm = np.linalg.norm(v, axis=1)
    half = np.asarray(half, float)
    pol = np.asarray(pol, float)
    if np.any(vnorm > half * (1.0 + 1e-9) + 1e-300):
        raise InputError(name, f"|B| / A up to {float(np.max(vnorm / np.maximum(half, 1e-300))):.6g}",
                         "|B| <= A (|M|^2 = A + B.s >= 0 for every spin)")
    bound = half + np.abs(pol) * vnorm
    todo = (pol != 0.0) & (vnorm > 0.0)
    rot = np.broadcast_to(np.eye(3), (len(p4), 3, 3)).copy()
    turned = np.zeros(len(p4), bool)
    first = True
    while np.any(todo):
        idx = np.flatnonzero(todo)
        r = np.broadcast_to(np.eye(3), (len(idx), 3, 3)) if first else random_rotations(rng, len(idx))
        vr = np.einsum("nij,nj->ni", r, v[idx])
        keep = rng.random(len(idx)) * bound[idx] < half[idx] + pol[idx] * np.sum(vr * axis[idx], axis=1)
        if not first:
            rot[idx[keep]] = r[keep]
            turned[idx[keep]] = True
        todo[idx[keep]] = False
        first = False
    out = []
    for d, k in zip(daughters, rest, strict=True):
        q = np.concatenate([k[:, :1], np.einsum("nij,nj->ni", rot, k[:, 1:])], axis=1)
        out.append(np.where(turned[:, None], boost(q, beta), d))
    return tuple(out)


__all__ = ["BOUND_MARGIN", "BOUND_NODES", "dalitz_bound", "orient_to_spin", "random_rotations", "s01_limits",
           "sample_dalitz", "three_body_momenta"]
