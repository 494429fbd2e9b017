"""Upper limits on a Poisson signal from a counting experiment (n observed, b expected background).

* :func:`cls_upper_limit` — the CLs method (Junk, NIM A434 (1999) 435; Read, J. Phys. G28 (2002) 2693) with the
  event count as test statistic: CLs(s) = P(n ≤ n_obs | s + b) / P(n ≤ n_obs | b); the limit is the s with
  CLs = 1 − CL. A background uncertainty σ_b is included by averaging both probabilities over a Gaussian prior on
  b truncated at 0 (Cousins & Highland, NIM A320 (1992) 331), integrated with Gauss–Hermite nodes.
* :func:`feldman_cousins_upper_limit` — the upper end of the Feldman–Cousins interval (PRD 57, 3873 (1998)):
  likelihood-ratio ordering R = P(n|s+b)/P(n|max(0, n−b)+b), acceptance regions built on a grid of s.

Used by the Higgs-portal check (docs/make_higgs.py): 1 event observed on 1.9 ± 0.8 expected (MicroBooNE,
PRL 127, 151803 (2021)).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import poisson

from ..errors import InputError


def _check(n_obs: int, b: float, cl: float) -> None:
    if int(n_obs) != n_obs or n_obs < 0:
        raise InputError("n_obs", n_obs, "a non-negative integer")
    if not b >= 0:
        raise InputError("background", b, "an expected background >= 0")
    if not 0 < cl < 1:
        raise InputError("cl", cl, "a confidence level between 0 and 1")


def _p_le(n_obs: int, mu: float, b: float, sigma_b: float) -> float:
    """P(n ≤ n_obs | mu + b'), b' ~ Gauss(b, σ_b) truncated at 0 (σ_b = 0: b' = b)."""
    if sigma_b <= 0:
        return float(poisson.cdf(n_obs, mu + b))
    x, w = np.polynomial.hermite_e.hermegauss(64)  # ∫ f(x) e^{−x²/2} dx
    bb = b + sigma_b * x
    keep = bb >= 0
    return float(np.sum(w[keep] * poisson.cdf(n_obs, mu + bb[keep])) / np.sum(w[keep]))


def cls_upper_limit(n_obs: int, b: float, sigma_b: float = 0.0, cl: float = 0.95) -> float:
    """CLs upper limit on the expected signal s (events) at confidence ``cl`` (see the module docstring)."""
    _check(n_obs, b, cl)
    p_b = _p_le(n_obs, 0.0, b, sigma_b)

    def f(s: float) -> float:
        return _p_le(n_obs, s, b, sigma_b) / p_b - (1.0 - cl)

    hi = 10.0 + 10.0 * (n_obs + b)
    return float(brentq(f, 0.0, hi, xtol=1e-10))


def feldman_cousins_upper_limit(n_obs: int, b: float, cl: float = 0.95, s_max: float = 30.0,
                                ds: float = 0.001) -> float:
    """Upper end (events) of the Feldman–Cousins interval for n_obs on a known background b (grid step ``ds``)."""
    _check(n_obs, b, cl)
    n = np.arange(0, int(s_max + b + 20 * np.sqrt(s_max + b + 1) + 20))
    s_best = np.maximum(0.0, n - b)
    p_best = poisson.pmf(n, s_best + b)
    upper = 0.0
    for s in np.arange(0.0, s_max, ds):  # one acceptance region per grid point (a few ten thousand, no events)
        p = poisson.pmf(n, s + b)
        order = np.argsort(-p / p_best, kind="stable")
        cum = np.cumsum(p[order])
        k = int(np.searchsorted(cum, cl)) + 1
        if n_obs in order[:k]:
            upper = s
    return float(upper)


__all__ = ["cls_upper_limit", "feldman_cousins_upper_limit"]
