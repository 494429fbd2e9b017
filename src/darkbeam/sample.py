"""Columnar weighted particle samples: the currency passed between pipeline stages.

A :class:`ParticleSample` holds N particles as numpy arrays (never one Python object per
particle): PDG ids, lab-frame four-momenta ``p4 = (E, px, py, pz)`` in MeV, vertices ``x`` in
mm (production vertex for mesons, decay vertex for decay products) and weights ``w``. The
physical meaning of the weights is stated in ``weight_unit`` (e.g. ``"per POT"``: the sum of
the weights is the expected number of such particles per proton on target).
The beam axis is +z; the target centre is the origin.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class ParticleSample:
    pdg: np.ndarray
    p4: np.ndarray
    x: np.ndarray
    w: np.ndarray
    weight_unit: str = "per POT"
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.w)
        self.pdg = np.broadcast_to(np.asarray(self.pdg, dtype=np.int64), (n,)).copy()
        self.p4 = np.asarray(self.p4, dtype=np.float64).reshape(n, 4)
        self.x = np.asarray(self.x, dtype=np.float64).reshape(n, 3)
        self.w = np.asarray(self.w, dtype=np.float64)
        for k, v in self.extra.items():
            if len(v) != n:
                raise ValueError(f"extra column {k!r} has length {len(v)} != {n}")

    def __len__(self) -> int:
        return len(self.w)

    @property
    def energy(self) -> np.ndarray:
        """Lab energy, MeV."""
        return self.p4[:, 0]

    @property
    def momentum(self) -> np.ndarray:
        """|p|, MeV."""
        return np.linalg.norm(self.p4[:, 1:], axis=1)

    @property
    def theta(self) -> np.ndarray:
        """Polar angle to the beam (+z) axis, rad."""
        pt = np.hypot(self.p4[:, 1], self.p4[:, 2])
        return np.arctan2(pt, self.p4[:, 3])

    def select(self, mask: np.ndarray) -> ParticleSample:
        """Sub-sample where ``mask`` is True (weights unchanged)."""
        return ParticleSample(
            self.pdg[mask], self.p4[mask], self.x[mask], self.w[mask], self.weight_unit,
            {k: v[mask] for k, v in self.extra.items()},
        )

    def total(self) -> float:
        """Sum of weights (expected number of particles, in ``weight_unit``)."""
        return float(self.w.sum())

    @staticmethod
    def concat(samples: list[ParticleSample]) -> ParticleSample:
        """Concatenate samples that share ``weight_unit``."""
        if not samples:
            return ParticleSample.empty()
        units = {s.weight_unit for s in samples}
        if len(units) != 1:
            raise ValueError(f"cannot concatenate samples with weight units {units}")
        keys = set.intersection(*(set(s.extra) for s in samples))
        return ParticleSample(
            np.concatenate([s.pdg for s in samples]),
            np.concatenate([s.p4 for s in samples]),
            np.concatenate([s.x for s in samples]),
            np.concatenate([s.w for s in samples]),
            samples[0].weight_unit,
            {k: np.concatenate([s.extra[k] for s in samples]) for k in keys},
        )

    @staticmethod
    def empty(weight_unit: str = "per POT") -> ParticleSample:
        return ParticleSample(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0), weight_unit)
