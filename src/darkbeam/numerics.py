"""Numerical integration shared by the physics modules (a utility layer like :mod:`darkbeam.units`: imports nothing
of darkbeam's)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import numpy as np

#: 48-node Gauss–Legendre rule on [−1, 1]
GL48_X, GL48_W = np.polynomial.legendre.leggauss(48)


def integrate_log_panels(f: Callable[[np.ndarray], np.ndarray], ln_lo: np.ndarray, ln_hi: np.ndarray,
                         panels: int) -> np.ndarray:
    """∫ f(x) dx from exp(``ln_lo``) to exp(``ln_hi``), one integral per row, as ∫ f(x) x d(ln x) by composite
    Gauss–Legendre: ``panels`` equal panels in ln x, 48 nodes each, vectorised over rows and nodes. ``f`` maps the
    node abscissae x, shape (rows, 48), to f(x) of the same shape (suited to integrands smooth in ln x: cross-sections
    in q², photon track lengths in k)."""
    ln_lo, ln_hi = np.asarray(ln_lo, float), np.asarray(ln_hi, float)
    edges = np.linspace(0.0, 1.0, panels + 1)
    total = np.zeros(len(ln_lo))
    for k in range(panels):  # a few panels, each vectorised over all rows and nodes
        u = edges[k] + (edges[k + 1] - edges[k]) * 0.5 * (GL48_X + 1.0)
        x = np.exp(ln_lo[:, None] + (ln_hi - ln_lo)[:, None] * u[None, :])
        total += (ln_hi - ln_lo) * 0.5 * (edges[k + 1] - edges[k]) * ((f(x) * x) @ GL48_W)
    return total


def side_stream(rng: np.random.Generator, salt: str) -> np.random.Generator:
    """A generator seeded from a SHA-256 hash of ``rng``'s current state and ``salt``, leaving ``rng`` untouched: extra
    draws (the charges of event records, the Dalitz points of a decay, a τ chain) that change no other number of a
    sample; same seed, same numbers."""
    state = json.dumps(rng.bit_generator.state, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{salt}|{state}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


__all__ = ["GL48_W", "GL48_X", "integrate_log_panels", "side_stream"]
