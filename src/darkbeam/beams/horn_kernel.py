"""Numba kernels of the horn transport (:mod:`darkbeam.beams.horn`): one loop over particles, no Python
loop per meson.

Equation of motion in path length s (a magnetic field does no work, |p| is constant):

    du/ds = (q c / p) u × B = k · u × b̂,

u the unit direction, b̂ the field direction and k = q c |B| / p the curvature (1/mm). One step is the
"drift–rotate–drift" leap-frog (Boris-type) step: drift ½ ds, rotate u about b̂ (evaluated at the
mid-point) by the exact angle −k ds (Rodrigues' formula), drift ½ ds. It is second order in ds and
exactly norm-preserving. In the horn, b̂ = s φ̂ and k = κ/r with κ = q s μ0 I c/(2π p).

Field-free regions (inside the inner conductor, upstream of the horn, the conductor walls) are crossed
in one straight segment to the next boundary, found by solving r(s)² = a(z(s))² on each linear piece of
the inner-conductor profile (a quadratic in s). The path length inside the aluminium walls
(a − t_in < r < a and r_out < r < r_out + t_out) is accumulated so that the caller can apply the
survival probability exp(−L/λ_I). A particle stops at a pre-sampled decay path length ``ldec``
(its decay point and direction are then those on the trajectory).

Units: mm; κ dimensionless; k in 1/mm.
"""

from __future__ import annotations

import numba as nb
import numpy as np

EXIT, INNER, OUTER, BACK, STUCK, DECAYED = 0, 1, 2, 3, 4, 5
_BIG = 1.0e30
_MAX_STEPS = 200000


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
def rotate(u0: float, u1: float, u2: float, n0: float, n1: float, n2: float,
           th: float) -> tuple[float, float, float]:
    """Rotate u about the unit vector n by the angle th (Rodrigues), renormalised to rounding."""
    c, s = np.cos(th), np.sin(th)
    nu = n0 * u0 + n1 * u1 + n2 * u2
    cx0 = n1 * u2 - n2 * u1
    cx1 = n2 * u0 - n0 * u2
    cx2 = n0 * u1 - n1 * u0
    v0 = u0 * c + cx0 * s + n0 * nu * (1.0 - c)
    v1 = u1 * c + cx1 * s + n1 * nu * (1.0 - c)
    v2 = u2 * c + cx2 * s + n2 * nu * (1.0 - c)
    norm = np.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
    return v0 / norm, v1 / norm, v2 / norm


@nb.njit(cache=True)
def push_uniform(x: np.ndarray, u: np.ndarray, k: float, b: np.ndarray, ds: float, nsteps: int,
                 rec: np.ndarray) -> None:
    """Leap-frog steps (the horn's drift–rotate–drift scheme) in a uniform field along unit ``b`` with
    curvature ``k`` (1/mm): du/ds = k u × b̂. Positions after each step go to ``rec`` (nsteps, 3)."""
    for i in range(nsteps):
        xm0, xm1, xm2 = x[0] + 0.5 * ds * u[0], x[1] + 0.5 * ds * u[1], x[2] + 0.5 * ds * u[2]
        u[0], u[1], u[2] = rotate(u[0], u[1], u[2], b[0], b[1], b[2], -k * ds)
        x[0], x[1], x[2] = xm0 + 0.5 * ds * u[0], xm1 + 0.5 * ds * u[1], xm2 + 0.5 * ds * u[2]
        rec[i, 0], rec[i, 1], rec[i, 2] = x[0], x[1], x[2]


@nb.njit(cache=True)
def _cross_inner(x: np.ndarray, u: np.ndarray, s_max: float, z0: float, s_nodes: np.ndarray,
                 a_nodes: np.ndarray) -> float:
    """First path length s in (0, s_max] at which the straight line x + s u crosses r = a(z) outwards
    (z within the horn), or _BIG. On each linear piece a = α + β s, r² − a² is quadratic in s."""
    A = u[0] * u[0] + u[1] * u[1]
    B = x[0] * u[0] + x[1] * u[1]
    C = x[0] * x[0] + x[1] * x[1]
    n = s_nodes.shape[0]
    zrel = x[2] - z0
    for j in range(n - 1):
        k = j if u[2] >= 0.0 else n - 2 - j
        za, zb = s_nodes[k], s_nodes[k + 1]
        # s-range of the line inside this piece
        if u[2] > 0.0:
            sa, sb = (za - zrel) / u[2], (zb - zrel) / u[2]
        elif u[2] < 0.0:
            sa, sb = (zb - zrel) / u[2], (za - zrel) / u[2]
        else:
            if zrel < za or zrel > zb:
                continue
            sa, sb = 0.0, s_max
        sa = max(sa, 0.0)
        sb = min(sb, s_max)
        if sb <= sa:
            continue
        m = (a_nodes[k + 1] - a_nodes[k]) / (zb - za)
        alpha = a_nodes[k] + m * (zrel - za)
        beta = m * u[2]
        qa = A - beta * beta
        qb = B - alpha * beta
        qc = C - alpha * alpha
        root = _BIG
        if abs(qa) < 1e-14:
            if qb > 0.0:
                root = -qc / (2.0 * qb)
        else:
            disc = qb * qb - qa * qc
            if disc >= 0.0:
                sq = np.sqrt(disc)
                r1, r2 = (-qb - sq) / qa, (-qb + sq) / qa
                if r1 > r2:
                    r1, r2 = r2, r1
                # outward crossing: d(r² − a²)/ds = 2(qa s + qb) > 0
                if r1 > 0.0 and qa * r1 + qb > 0.0:
                    root = r1
                elif r2 > 0.0 and qa * r2 + qb > 0.0:
                    root = r2
        if root >= sa and root <= sb:
            return root
    return _BIG


@nb.njit(cache=True)
def _length_outside(x: np.ndarray, u: np.ndarray, s_end: float, rho: float) -> float:
    """Length of the segment x + s u, 0 ≤ s ≤ s_end, with r > rho (r² is convex in s)."""
    A = u[0] * u[0] + u[1] * u[1]
    B = x[0] * u[0] + x[1] * u[1]
    C = x[0] * x[0] + x[1] * x[1] - rho * rho
    if A < 1e-300:
        return s_end if C > 0.0 else 0.0
    disc = B * B - A * C
    if disc <= 0.0:
        return s_end
    sq = np.sqrt(disc)
    s1, s2 = (-B - sq) / A, (-B + sq) / A
    inside = max(0.0, min(s2, s_end) - max(s1, 0.0))
    return s_end - inside


@nb.njit(cache=True)
def _radial_exit(x: np.ndarray, u: np.ndarray, rho: float) -> float:
    """Path length to r = rho along a straight line from inside r < rho (or on it, moving out); _BIG if never."""
    A = u[0] * u[0] + u[1] * u[1]
    if A < 1e-300:
        return _BIG
    B = x[0] * u[0] + x[1] * u[1]
    C = x[0] * x[0] + x[1] * x[1] - rho * rho
    disc = B * B - A * C
    if disc < 0.0:
        return _BIG
    return max((-B + np.sqrt(disc)) / A, 0.0)


@nb.njit(cache=True)
def _move(x: np.ndarray, u: np.ndarray, s: float) -> None:
    x[0] += s * u[0]
    x[1] += s * u[1]
    x[2] += s * u[2]


@nb.njit(cache=True)
def _step(x: np.ndarray, u: np.ndarray, ds: float, kappa: float, z0: float, z1: float, s_nodes: np.ndarray,
          a_nodes: np.ndarray, r_out: float) -> tuple[float, float, float, float, float, float]:
    """One drift–rotate–drift step of length ds in the horn's toroidal field (field sampled at the mid-point;
    none outside a(z) < r < r_out, z0 ≤ z ≤ z1). Returns the new position and direction."""
    xm0 = x[0] + 0.5 * ds * u[0]
    xm1 = x[1] + 0.5 * ds * u[1]
    xm2 = x[2] + 0.5 * ds * u[2]
    u0, u1, u2 = u[0], u[1], u[2]
    rm = np.hypot(xm0, xm1)
    if kappa != 0.0 and rm < r_out and xm2 >= z0 and xm2 <= z1 and rm > _interp(xm2, z0, s_nodes, a_nodes):
        # du/ds = κ/r u × φ̂: rotate u about φ̂ = (−y, x, 0)/r by −κ ds / r
        u0, u1, u2 = rotate(u0, u1, u2, -xm1 / rm, xm0 / rm, 0.0, -kappa * ds / rm)
    return xm0 + 0.5 * ds * u0, xm1 + 0.5 * ds * u1, xm2 + 0.5 * ds * u2, u0, u1, u2


@nb.njit(cache=True)
def _beyond(x0: float, x1: float, x2: float, inward: bool, z0: float, s_nodes: np.ndarray, a_nodes: np.ndarray,
            r_out: float) -> float:
    """Signed distance past the wall surface being crossed: a(z) − r (inward) or r − r_out (outward), mm."""
    r = np.hypot(x0, x1)
    return _interp(x2, z0, s_nodes, a_nodes) - r if inward else r - r_out


@nb.njit(cache=True)
def transport_one(x: np.ndarray, u: np.ndarray, kappa: float, ldec: float, z0: float, s_nodes: np.ndarray,
                  a_nodes: np.ndarray, r_out: float, t_in: float, t_out: float, frac: float, bend: float,
                  ds_min: float, ds_max: float, absorb_inner: bool,
                  rec: np.ndarray) -> tuple[int, float, float, int]:
    """Transport one particle in place (x, u) to the horn's downstream face, a conductor, or its decay.

    Returns (status, path length mm, path length in the aluminium walls mm, points recorded in ``rec``:
    the start and the point before each step; the final position is ``x``).
    """
    z1 = z0 + s_nodes[s_nodes.shape[0] - 1]
    path = 0.0
    l_al = 0.0
    nrec = 0
    maxrec = rec.shape[0]
    force_field = False
    for _ in range(_MAX_STEPS):
        if nrec < maxrec:
            rec[nrec, 0], rec[nrec, 1], rec[nrec, 2] = x[0], x[1], x[2]
            nrec += 1
        if x[2] >= z1:
            return EXIT, path, l_al, nrec
        if x[2] < z0:
            # upstream of the horn face: straight to the face (or away upstream)
            if u[2] <= 0.0:
                return BACK, path, l_al, nrec
            s = (z0 - x[2]) / u[2]
            if path + s >= ldec:
                _move(x, u, ldec - path)
                return DECAYED, ldec, l_al, nrec
            _move(x, u, s)
            x[2] = z0
            path += s
            continue
        r = np.hypot(x[0], x[1])
        a = _interp(x[2], z0, s_nodes, a_nodes)
        if r >= r_out and not force_field:
            # through the outer conductor wall (field-free) to r_out + t_out, then out of the horn
            s = _radial_exit(x, u, r_out + t_out)
            if u[2] > 0.0:
                s = min(s, (z1 - x[2]) / u[2])
            elif u[2] < 0.0:
                s = min(s, (z0 - x[2]) / u[2])
            if path + s >= ldec:
                s = ldec - path
                _move(x, u, s)
                return DECAYED, ldec, l_al + s, nrec
            _move(x, u, s)
            return OUTER, path + s, l_al + s, nrec
        if r <= a and not force_field:
            # field-free interior: one straight segment to the next boundary
            s_end = _BIG
            kind = STUCK
            if u[2] > 0.0:
                s_end, kind = (z1 - x[2]) / u[2], EXIT
            elif u[2] < 0.0:
                s_end, kind = (z0 - x[2]) / u[2], BACK
            sc = _cross_inner(x, u, s_end, z0, s_nodes, a_nodes)
            if sc < s_end:
                s_end, kind = sc, INNER
            if path + s_end >= ldec:
                s_end, kind = ldec - path, DECAYED
            if s_end >= _BIG:
                return STUCK, path, l_al, nrec
            # aluminium: the part of the segment with r > a − t_in (a taken at the end nearer the wall)
            r_end2 = (x[0] + s_end * u[0]) ** 2 + (x[1] + s_end * u[1]) ** 2
            z_wall = x[2] + s_end * u[2] if r_end2 > r * r else x[2]
            rho = _interp(z_wall, z0, s_nodes, a_nodes) - t_in
            l_al += _length_outside(x, u, s_end, rho)
            _move(x, u, s_end)
            path += s_end
            if kind == EXIT:
                x[2] = z1
                return EXIT, path, l_al, nrec
            if kind == BACK or kind == DECAYED:
                return kind, path, l_al, nrec
            if absorb_inner and x[2] >= z0:
                return INNER, path, l_al, nrec
            force_field = True  # on the surface r = a: the next step is a field step
            continue
        force_field = False
        # field region: resolve the 1/r variation (|Δr| ≤ frac · r per step) and the bending (≤ bend rad per step)
        ur = abs(x[0] * u[0] + x[1] * u[1]) / r
        ds = frac * r / max(ur, frac)
        if kappa != 0.0:
            ds = min(ds, bend * r / abs(kappa))
        ds = min(ds_max, max(ds_min, ds))
        landing = False
        if u[2] > 0.0 and x[2] + u[2] * ds >= z1:
            ds = (z1 - x[2]) / u[2]
            landing = True
        decaying = False
        if path + ds >= ldec:
            ds = ldec - path
            decaying = True
            landing = False
        xn0, xn1, xn2, un0, un1, un2 = _step(x, u, ds, kappa, z0, z1, s_nodes, a_nodes, r_out)
        r_new = np.hypot(xn0, xn1)
        inward = r_new < _interp(xn2, z0, s_nodes, a_nodes) and xn2 >= z0
        if inward or r_new >= r_out:
            # the step leaves the field region: find the crossing by false position (Illinois) on the step
            # length and stop just past the wall surface (the walls are then crossed by the exact
            # straight-segment code above)
            lo, hi = 0.0, ds
            flo = _beyond(x[0], x[1], x[2], inward, z0, s_nodes, a_nodes, r_out)
            fhi = _beyond(xn0, xn1, xn2, inward, z0, s_nodes, a_nodes, r_out)
            side = 0
            if flo >= 0.0:
                hi = 0.0
            for _ in range(60):
                if hi - lo < 1e-9 * (1.0 + ds) or fhi < 1e-10:
                    break
                mid = (lo * fhi - hi * flo) / (fhi - flo)
                ym0, ym1, ym2, _u0, _u1, _u2 = _step(x, u, mid, kappa, z0, z1, s_nodes, a_nodes, r_out)
                fm = _beyond(ym0, ym1, ym2, inward, z0, s_nodes, a_nodes, r_out)
                if fm >= 0.0:
                    hi, fhi = mid, fm
                    if side == 1:
                        flo *= 0.5
                    side = 1
                else:
                    lo, flo = mid, fm
                    if side == -1:
                        fhi *= 0.5
                    side = -1
            ds = hi
            xn0, xn1, xn2, un0, un1, un2 = _step(x, u, ds, kappa, z0, z1, s_nodes, a_nodes, r_out)
            landing = decaying = False
        elif landing and un2 > 0.0:
            # snap onto the exit plane along the new direction (the rotation changed u_z slightly)
            dl = (z1 - xn2) / un2
            xn0, xn1, xn2 = xn0 + dl * un0, xn1 + dl * un1, z1
            ds += dl
        x[0], x[1], x[2] = xn0, xn1, xn2
        u[0], u[1], u[2] = un0, un1, un2
        path += ds
        if absorb_inner and inward:
            return INNER, path, l_al, nrec
        if decaying:
            return DECAYED, path, l_al, nrec
        if landing:
            return EXIT, path, l_al, nrec
        if xn2 < z0 and un2 <= 0.0:
            return BACK, path, l_al, nrec
    return STUCK, path, l_al, nrec


@nb.njit(cache=True)
def transport_all(x: np.ndarray, u: np.ndarray, kappa: np.ndarray, ldec: np.ndarray, z0: float,
                  s_nodes: np.ndarray, a_nodes: np.ndarray, r_out: float, t_in: float, t_out: float,
                  frac: float, bend: float, ds_min: float, ds_max: float, absorb_inner: bool,
                  status: np.ndarray, path: np.ndarray, l_al: np.ndarray) -> None:
    """:func:`transport_one` for every particle (rows of x, u updated in place)."""
    dummy = np.zeros((0, 3))
    for i in range(x.shape[0]):
        st, pl, la, _ = transport_one(x[i], u[i], kappa[i], ldec[i], z0, s_nodes, a_nodes, r_out, t_in, t_out,
                                      frac, bend, ds_min, ds_max, absorb_inner, dummy)
        status[i] = st
        path[i] = pl
        l_al[i] = la
