"""A binned view of a cached signal sample, for fast exact re-weighting (fits, scans, Table I), and the
MiniBooNE binning helper it is used with."""

from __future__ import annotations

import numpy as np

from ..declarations import Model
from ..errors import InputError
from .datasets import DATASETS, Binning


def binning(mode: str, observable: str, eqe_window: tuple[float, float] | None = (200.0, 1250.0)) -> Binning:
    """MiniBooNE binning and data of ``observable`` in beam ``mode`` (the ``miniboone`` dataset's)."""
    b = DATASETS.get("miniboone").binning(mode, observable, eqe_window)
    if isinstance(b, str):
        raise InputError("observable", f"{mode}/{observable}", b)
    return b


class SampleView:
    """A cached :class:`SignalSample` with precomputed bin indices, for fast exact re-weighting.

    ``weights(model, pot)`` is ``sample.weights(model, pot)`` (which evaluates coupling factors once
    per distinct source label); histograms reuse precomputed bin indices.
    """

    def __init__(self, sample) -> None:
        self.sample = sample
        self._idx: dict[tuple, tuple[np.ndarray, int]] = {}

    def weights(self, model: Model | None = None, pot: float = 1.0) -> np.ndarray:
        """Expected events per sampled event for ``model`` (same masses) and ``pot``."""
        return self.sample.weights(model, pot)

    def _bin_index(self, b: Binning) -> tuple[np.ndarray, int]:
        key = (b.mode, b.observable, tuple(b.edges), b.eqe_window)
        if key not in self._idx:
            x = getattr(self.sample, b.observable)
            nb = len(b.edges) - 1
            i = np.searchsorted(b.edges, x, side="right") - 1
            i = np.where(x == b.edges[-1], nb - 1, i)  # np.histogram's closed last bin
            ok = np.isfinite(x) & (i >= 0) & (i < nb)
            if b.eqe_window is not None:
                e = self.sample.E_QE
                ok &= np.isfinite(e) & (e >= b.eqe_window[0]) & (e < b.eqe_window[1])
            self._idx[key] = (np.where(ok, i, nb), nb)
        return self._idx[key]

    def histogram(self, b: Binning, w: np.ndarray) -> np.ndarray:
        """Sum of ``w`` per bin of ``b`` (events outside the bins or the E_QE window dropped)."""
        idx, nb = self._bin_index(b)
        return np.bincount(idx, weights=w, minlength=nb + 1)[:nb]


__all__ = ["SampleView", "binning"]
