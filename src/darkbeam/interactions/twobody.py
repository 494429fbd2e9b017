"""Shared 2 -> 2 machinery for a projectile on a target at rest: t limits, t integration, t sampling
and lab-frame final states. Internal units: MeV; vectorised over projectile energies.

Process 1(p1, m1) + 2(p2, M at rest) -> 3(p3, m3) + 4(p4, M), t = (p1 - p3)^2 = (p2 - p4)^2.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from ..kinematics.fourvec import kallen

# Integration / sampling grid in x = (ln(-t) - ln(-t_min)) / (ln(-t_max) - ln(-t_min)) in [0, 1]:
# composite Gauss-Legendre (N_PANELS panels of GL_ORDER nodes) plus the two end points (weight 0),
# which close the piecewise-linear interpolant used as the sampling proposal.
N_PANELS = 10
GL_ORDER = 16


def _make_nodes(panels: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    xg, wg = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(0.0, 1.0, panels + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    mid = 0.5 * (edges[1:] + edges[:-1])
    x = (mid[:, None] + half[:, None] * xg[None, :]).ravel()
    w = (half[:, None] * wg[None, :]).ravel()
    return np.concatenate([[0.0], x, [1.0]]), np.concatenate([[0.0], w, [0.0]])


X_NODES, X_WEIGHTS = _make_nodes(N_PANELS, GL_ORDER)


def s_lab(E1: np.ndarray, m1: float, M: float) -> np.ndarray:
    """Mandelstam s = m1^2 + M^2 + 2 M E1 for a target at rest (MeV^2)."""
    return m1 * m1 + M * M + 2.0 * M * np.asarray(E1, float)


def t_limits(E1: np.ndarray, m1: float, m3: float, M: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kinematic limits of t for 1 + 2(at rest) -> 3 + 4 with m2 = m4 = M (seed 000 Eq. B7, in t).

    Returns (t_min, t_max, open): t_max <= t_min <= 0 (t_min is the forward, smallest-|t| end).
    Below threshold (sqrt(s) < m3 + M) both are 0 and ``open`` is False (never NaN).
    The forward end is computed without cancellation from t_min t_max = (m1^2 - m3^2)^2 M^2 / s
    (derived for m2 = m4 = M).
    """
    E1 = np.asarray(E1, float)
    s = s_lab(E1, m1, M)
    lam1 = np.clip(kallen(s, m1 * m1, M * M), 0.0, None)
    lam3 = kallen(s, m3 * m3, M * M)
    is_open = (lam3 > 0) & (np.sqrt(s) > m3 + M) & (lam1 > 0)
    lam3 = np.where(is_open, lam3, 0.0)
    # t = m1^2 + m3^2 - 2 (E1* E3* -+ p1* p3*) in the CM frame
    a = m1 * m1 + m3 * m3 - (s + m1 * m1 - M * M) * (s + m3 * m3 - M * M) / (2.0 * s)
    b = np.sqrt(lam1 * lam3) / (2.0 * s)
    t_far = a - b
    prod = (m1 * m1 - m3 * m3) ** 2 * M * M / s
    safe = np.where(t_far < 0, t_far, -1.0)
    t_near = np.where(t_far < 0, prod / safe, 0.0)
    t_near = np.minimum(t_near, 0.0)
    return np.where(is_open, t_near, 0.0), np.where(is_open, t_far, 0.0), is_open


def t_grid(t_min: np.ndarray, t_max: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid in u = ln(-t) between the limits on :data:`X_NODES`: returns (u (N, n), t (N, n)).

    A zero forward limit (massless exchange kinematics) is replaced by 1e-14 |t_max|.
    """
    hi = np.log(np.maximum(-t_max, 1e-300))
    lo = np.log(np.maximum(-t_min, 1e-14 * np.maximum(-t_max, 1e-300)))
    lo = np.minimum(lo, hi)
    u = lo[:, None] + (hi - lo)[:, None] * X_NODES[None, :]
    # clip so that rounding in exp(log(.)) never puts an end node outside the physical range
    t = np.clip(-np.exp(u), t_max[:, None], np.minimum(t_min, -np.exp(lo))[:, None])
    return u, t


def integrate_grid(f: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Integral over u of f tabulated on :func:`t_grid` rows (composite Gauss-Legendre)."""
    return (f @ X_WEIGHTS) * (u[:, -1] - u[:, 0])


def integrate_t(dsdt: Callable[[np.ndarray, np.ndarray], np.ndarray], E1: np.ndarray, m1: float, m3: float,
                M: float) -> np.ndarray:
    """sigma(E1) = integral dt dsigma/dt over the allowed t range (Gauss-Legendre in ln(-t)).

    ``dsdt(E1_column (N,1), t (N,n))`` returns dsigma/dt on the grid. Zero below threshold.
    """
    E1 = np.atleast_1d(np.asarray(E1, float))
    tmin, tmax, ok = t_limits(E1, m1, m3, M)
    out = np.zeros(E1.shape)
    if not np.any(ok):
        return out
    u, t = t_grid(tmin[ok], tmax[ok])
    f = dsdt(E1[ok][:, None], t) * (-t)  # dsigma/du
    out[ok] = integrate_grid(f, u)
    return out


def sample_t_from_grid(rng: np.random.Generator, u: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Draw one t per row from the density f(u) (>= 0) tabulated on the rows of u, interpolated
    linearly in u (exact inversion of the piecewise-linear CDF). Returns t = -exp(u)."""
    n_rows = u.shape[0]
    h = u[:, 1:] - u[:, :-1]
    seg = 0.5 * (f[:, 1:] + f[:, :-1]) * h
    cdf = np.cumsum(seg, axis=1)
    total = cdf[:, -1]
    r = rng.uniform(0.0, 1.0, n_rows) * total
    idx = np.sum(cdf < r[:, None], axis=1)
    idx = np.minimum(idx, seg.shape[1] - 1)
    rows = np.arange(n_rows)
    before = np.where(idx > 0, cdf[rows, np.maximum(idx - 1, 0)], 0.0)
    c = np.clip(r - before, 0.0, None)  # area to cover inside the segment
    f0 = f[rows, idx]
    f1 = f[rows, idx + 1]
    hh = h[rows, idx]
    # density on x in [0, 1]: (f0 (1-x) + f1 x) hh; solve f0 x + (f1-f0) x^2/2 = c/hh
    cc = c / np.where(hh > 0, hh, 1.0)
    d = f1 - f0
    disc = np.clip(f0 * f0 + 2.0 * d * cc, 0.0, None)
    den = f0 + np.sqrt(disc)
    x = np.where(den > 0, 2.0 * cc / np.where(den > 0, den, 1.0), 0.5)
    x = np.clip(x, 0.0, 1.0)
    return -np.exp(u[rows, idx] + x * hh)


def orthonormal_frame(n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors (e1, e2) perpendicular to the unit vectors n (N,3), right-handed with n."""
    helper = np.where(np.abs(n[:, 2:3]) < 0.9, np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))
    e1 = np.cross(helper, n)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(n, e1)
    return e1, e2


def final_state_lab(rng: np.random.Generator, p1: np.ndarray, m1: float, m3: float, M: float,
                    t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lab four-momenta (p3, p4) for projectiles p1 (N,4) on a target at rest, given t (N,).

    E3 = E1 + t/(2M) (from t = (p2 - p4)^2 with p2 at rest), cos(theta_13) from
    t = m1^2 + m3^2 - 2(E1 E3 - |p1||p3| cos theta); azimuth uniform. Returns (p3, p4, cos_theta).
    """
    E1 = p1[:, 0]
    pvec = p1[:, 1:]
    pabs = np.linalg.norm(pvec, axis=1)
    n = pvec / np.where(pabs > 0, pabs, 1.0)[:, None]
    n = np.where(pabs[:, None] > 0, n, np.array([[0.0, 0.0, 1.0]]))
    E3 = E1 + t / (2.0 * M)
    p3abs = np.sqrt(np.clip(E3 * E3 - m3 * m3, 0.0, None))
    den = 2.0 * pabs * p3abs
    cos = np.where(den > 0, (t - m1 * m1 - m3 * m3 + 2.0 * E1 * E3) / np.where(den > 0, den, 1.0), 1.0)
    cos = np.clip(cos, -1.0, 1.0)
    sin = np.sqrt(1.0 - cos * cos)
    phi = rng.uniform(0.0, 2.0 * np.pi, len(t))
    e1, e2 = orthonormal_frame(n)
    d = cos[:, None] * n + (sin * np.cos(phi))[:, None] * e1 + (sin * np.sin(phi))[:, None] * e2
    p3 = np.empty_like(p1)
    p3[:, 0] = E3
    p3[:, 1:] = p3abs[:, None] * d
    p4 = p1.copy()
    p4[:, 0] += M
    p4 -= p3
    return p3, p4, cos


def projectile_p4(E: np.ndarray, m: float, dirs: np.ndarray | None) -> np.ndarray:
    """Four-momenta (N,4) of projectiles of mass m and energy E along ``dirs`` (N,3) (default +z)."""
    E = np.asarray(E, float)
    p = np.sqrt(np.clip(E * E - m * m, 0.0, None))
    if dirs is None:
        d = np.zeros((len(E), 3))
        d[:, 2] = 1.0
    else:
        d = np.asarray(dirs, float).reshape(len(E), 3)
        d = d / np.linalg.norm(d, axis=1)[:, None]
    out = np.empty((len(E), 4))
    out[:, 0] = E
    out[:, 1:] = p[:, None] * d
    return out


DSDT = Callable[[np.ndarray, np.ndarray], np.ndarray]


def sample_t_exact(rng: np.random.Generator, dsdt: DSDT, E: np.ndarray, u: np.ndarray, f: np.ndarray,
                   bound: float = 1.25, max_rounds: int = 100, max_restarts: int = 4) -> np.ndarray:
    """Draw t per row exactly from dsigma/dt: proposals from the piecewise-linear (in u = ln(-t))
    interpolant g of the tabulated f = -t dsigma/dt, accepted with probability f_exact/(bound g).

    ``dsdt(E (k,), t (k,))`` evaluates dsigma/dt pointwise. If f/g is found to exceed ``bound``
    (the envelope is not one), the whole draw is repeated with the bound raised to 1.2 × the largest
    ratio seen, so that the accept-reject stays exact; a warning remains only if that still fails.
    """
    for _ in range(max_restarts):
        out, worst = _sample_t_round(rng, dsdt, E, u, f, bound, max_rounds)
        if worst <= bound:
            return out
        bound = 1.2 * worst
    warnings.warn(f"t sampling: f/g reached {worst:.3f} > bound {bound / 1.2:.3f}", RuntimeWarning, stacklevel=2)
    return out


def _sample_t_round(rng: np.random.Generator, dsdt: DSDT, E: np.ndarray, u: np.ndarray, f: np.ndarray,
                    bound: float, max_rounds: int) -> tuple[np.ndarray, float]:
    """One accept-reject pass of :func:`sample_t_exact`; returns (t, largest f/g seen)."""
    n = len(E)
    out = np.zeros(n)
    todo = np.arange(n)
    worst = 0.0
    for _ in range(max_rounds):
        if len(todo) == 0:
            break
        uu, ff = u[todo], f[todo]
        t = sample_t_from_grid(rng, uu, ff)
        up = np.log(-t)
        rows = np.arange(len(todo))
        # interpolant value at the proposal
        span = uu[:, -1] - uu[:, 0]
        xp = np.where(span > 0, (up - uu[:, 0]) / np.where(span > 0, span, 1.0), 0.0)
        i0 = np.clip(np.searchsorted(X_NODES, xp, side="right") - 1, 0, len(X_NODES) - 2)
        x = np.clip((xp - X_NODES[i0]) / (X_NODES[i0 + 1] - X_NODES[i0]), 0.0, 1.0)
        g = ff[rows, i0] * (1 - x) + ff[rows, i0 + 1] * x
        fe = dsdt(E[todo], t) * (-t)
        ratio = np.where(g > 0, fe / np.where(g > 0, g, 1.0), 0.0)
        worst = max(worst, float(ratio.max(initial=0.0)))
        acc = rng.uniform(0.0, bound, len(todo)) < ratio
        out[todo[acc]] = t[acc]
        todo = todo[~acc]
    if len(todo):
        out[todo] = sample_t_from_grid(rng, u[todo], f[todo])
        warnings.warn(f"t sampling: {len(todo)} rows fell back to the grid interpolant", RuntimeWarning, stacklevel=2)
    return out, worst


def sample_components(rng: np.random.Generator, E: np.ndarray, m1: float, m3: float,
                      comps: Sequence[tuple[float, DSDT] | None], chunk: int = 8192
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Choose a sub-process per event and draw its t.

    Args:
        E: projectile lab energies (N,), MeV.
        comps: per component (target mass M [MeV], dsigma/dt(E, t) [any area unit / MeV^2]) or None.
    Returns:
        (component index (N,) with -1 where all are closed, t (N,) MeV^2, sigma per component
        (n_comp, N) in the unit of dsdt times MeV^2, total sigma (N,)).
    """
    n = len(E)
    sig = np.zeros((len(comps), n))
    comp = np.full(n, -1)
    t_out = np.zeros(n)
    for start in range(0, n, chunk):
        sl = slice(start, min(start + chunk, n))
        Ec = E[sl]
        grids = []
        for ic, c in enumerate(comps):
            if c is None:
                grids.append(None)
                continue
            M, dsdt = c
            tmin, tmax, ok = t_limits(Ec, m1, m3, M)
            u, tg = t_grid(tmin, tmax)
            f = np.where(ok[:, None], dsdt(Ec[:, None], tg) * (-tg), 0.0)
            sig[ic, sl] = integrate_grid(f, u)
            grids.append((u, f, tmin, tmax))
        tot = sig[:, sl].sum(axis=0)
        cum = np.cumsum(sig[:, sl], axis=0) / np.where(tot > 0, tot, 1.0)
        r = rng.uniform(0.0, 1.0, len(Ec))
        ch = np.minimum(np.sum(cum < r[None, :], axis=0), len(comps) - 1)
        ch = np.where(tot > 0, ch, -1)
        comp[sl] = ch
        for ic, c in enumerate(comps):
            rows = np.nonzero(ch == ic)[0]
            if c is None or len(rows) == 0:
                continue
            u, f, tmin, tmax = grids[ic]
            dsdt = c[1]
            t = sample_t_exact(rng, dsdt, Ec[rows], u[rows], f[rows])
            t_out[start + rows] = np.clip(t, tmax[rows], tmin[rows])
    return comp, t_out, sig, sig.sum(axis=0)
