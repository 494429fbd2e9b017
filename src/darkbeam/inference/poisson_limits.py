"""Upper limits on a Poisson signal from a counting experiment (n observed, b expected background).

* :func:`cls_upper_limit` — the CLs method (Junk, NIM A434 (1999) 435; Read, J. Phys. G28 (2002) 2693) with the
  event count as test statistic: CLs(s) = P(n ≤ n_obs | s + b) / P(n ≤ n_obs | b); the limit is the s with
  CLs = 1 − CL. A background uncertainty σ_b is included by averaging both probabilities over a Gaussian prior on
  b truncated at 0 (Cousins & Highland, NIM A320 (1992) 331), integrated with Gauss–Hermite nodes.
* :func:`fc_interval` / :func:`fc_upper_limit` — the Feldman–Cousins interval (PRD 57, 3873 (1998)):
  likelihood-ratio ordering R = P(n|s+b)/P(n|max(0, n−b)+b), acceptance regions built on a grid of s.
* :func:`poisson_upper_limit` — the classical upper limit P(N ≤ n_obs | s + b) = 1 − CL.

One home for counting statistics: the sensitivity curves (:mod:`.sensitivity`) and the published-limit checks
(docs/make_higgs.py: 1 event observed on 1.9 ± 0.8 expected, MicroBooNE PRL 127, 151803 (2021); docs/make_hnl.py)
use these functions.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2 as chi2_dist
from scipy.stats import poisson

from ..errors import InputError


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


def _check(n_obs: int, b: float, cl: float) -> None:
    if not 0 < cl < 1:
        raise InputError("confidence level", cl, "a number in (0, 1), e.g. 0.9")
    if not (b >= 0 and math.isfinite(b)):
        raise InputError("background", b, "a non-negative number of expected events")
    if int(n_obs) != n_obs or n_obs < 0:
        raise InputError("observed events", n_obs, "a non-negative integer")


def poisson_upper_limit(n_obs: int, b: float = 0.0, cl: float = 0.9) -> float:
    """Classical upper limit on the signal: P(N ≤ n_obs | s + b) = 1 − cl, s ≥ 0 (0 when b alone exceeds it)."""
    _check(n_obs, b, cl)
    return max(float(chi2_dist.ppf(cl, 2 * (int(n_obs) + 1))) / 2.0 - b, 0.0)


def _fc_accepts(mus: np.ndarray, b: float, n_obs: int, cl: float, n_max: int) -> np.ndarray:
    """For each signal μ: is n_obs inside its Feldman–Cousins acceptance set (n added in decreasing order of
    R = P(n | μ + b) / P(n | μ_best + b), μ_best = max(0, n − b), until their probability reaches CL)?"""
    n = np.arange(n_max + 1)
    p = poisson.pmf(n[None, :], mus[:, None] + b)
    r = p / poisson.pmf(n, np.maximum(n - b, 0.0) + b)[None, :]
    order = np.argsort(-r, axis=1, kind="stable")
    cum = np.cumsum(np.take_along_axis(p, order, axis=1), axis=1)
    k = (cum < cl).sum(axis=1) + 1  # the number of n values the acceptance set needs
    rank = np.argmax(order == n_obs, axis=1)  # position of n_obs in the ordering
    return rank < k


def fc_interval(n_obs: int, b: float = 0.0, cl: float = 0.9, step: float = 0.005) -> tuple[float, float]:
    """Feldman–Cousins confidence interval [μ_lo, μ_hi] for the signal given n_obs and background b
    (μ scanned in steps of ``step``; Table IV of Feldman & Cousins, b = 0, is reproduced to ±step; no
    belt-monotonicity adjustment is applied)."""
    _check(n_obs, b, cl)
    n_obs = int(n_obs)
    mu_top = n_obs + 10.0 + 6.0 * math.sqrt(n_obs + 1.0)
    mus = np.arange(0.0, mu_top, step)
    n_max = int(mu_top + b + 12 * math.sqrt(mu_top + b + 1) + 20)
    acc = _fc_accepts(mus, b, n_obs, cl, n_max)
    if not acc.any():
        return 0.0, 0.0
    idx = np.flatnonzero(acc)
    return float(mus[idx[0]]), float(mus[idx[-1]])


def fc_upper_limit(n_obs: int, b: float = 0.0, cl: float = 0.9, step: float = 0.005) -> float:
    """Feldman–Cousins upper limit (the upper end of :func:`fc_interval`)."""
    return fc_interval(n_obs, b, cl, step)[1]


__all__ = ["cls_upper_limit", "fc_interval", "fc_upper_limit", "poisson_upper_limit"]
