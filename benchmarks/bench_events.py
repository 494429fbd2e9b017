"""Speed of the event-file writers (io/events.py): Parquet, vectorised HepMC3, per-event pyhepmc HepMC3.

Builds a small MiniBooNE sample (vector-idm by default: 5 particles per event, or dark-neutrino BP-A:
7 particles and 2 vertices per event), replicates it to ``N`` events (default 200 000) and times

  * write_parquet            (pyarrow, one row per event),
  * write_hepmc3             (vectorised Arrow string building, no Python object per event),
  * write_hepmc3_pyhepmc     (one pyhepmc GenEvent per event; on the first 5 000 events only),

printing events/s and the vectorised/per-event ratio. Floor: vectorised HepMC3 > 1e5 events/s.
``OMP_NUM_THREADS=1 taskset -c 0 /work/venv/bin/python benchmarks/bench_events.py [idm|dn] [N]``
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from darkbeam.io.events import write_hepmc3, write_hepmc3_pyhepmc, write_parquet
from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal

IDM = {"m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": "6e-5", "g_prime": "3.5449",
       "amplitude": "lepton"}
FIELDS = ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")


def _replicate(sample, n: int):
    """``sample`` tiled to ``n`` events (weights evaluated at the reference model)."""
    k = -(-n // len(sample.E_vis))
    take = {f: np.concatenate([getattr(sample, f)] * k)[:n] for f in FIELDS}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            take[f] = np.concatenate([getattr(sample, f)] * k)[:n]
    extra = {"chains": []} if hasattr(sample, "chains") else {}
    return dataclasses.replace(sample, **take, **extra, meta={},
                               particles={a: np.concatenate([v] * k)[:n] for a, v in sample.particles.items()})


def _rate(fn, n: int, reps: int = 3) -> float:
    best = np.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(which: str = "idm", n: int = 200_000) -> int:
    if which == "dn":
        base = build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=2000, seed=1)
    else:
        base = build_signal(get_model("vector-idm", IDM), n_mesons=20_000, n_events=2000, seed=1)
    big = _replicate(base, n)
    n_slow = min(5000, n)
    small = _replicate(base, n_slow)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        r_pq = _rate(lambda: write_parquet(big, d / "e.parquet", pot=1e21), n)
        r_fast = _rate(lambda: write_hepmc3(big, d / "e.hepmc3", pot=1e21, rng=np.random.default_rng(1)), n)
        r_slow = _rate(lambda: write_hepmc3_pyhepmc(small, d / "s.hepmc3", pot=1e21, rng=np.random.default_rng(1)),
                       n_slow, reps=1)
        size = (d / "e.hepmc3").stat().st_size
    print(f"sample: {base.model.name}, {n} events ({len(base.E_vis)} distinct), HepMC3 {size / n:.0f} bytes/event")
    print(f"Parquet                  {r_pq:12.4g} events/s")
    print(f"HepMC3 vectorised        {r_fast:12.4g} events/s")
    print(f"HepMC3 per-event pyhepmc {r_slow:12.4g} events/s  ({n_slow} events)")
    print(f"ratio vectorised / per-event: {r_fast / r_slow:.1f}")
    ok = r_fast > 1e5
    print("floor (> 1e5 events/s):", "ok" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0] if args else "idm", int(args[1]) if len(args) > 1 else 200_000))
