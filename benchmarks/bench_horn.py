"""Throughput of the horn field transport (darkbeam.beams.horn, focusing "horn-field"), single core.

Mesons are drawn from the BNB production model (π+, all angles) and transported through the BNB horn
with the default step control; the numba kernel is compiled (and cached) before timing.
Run: /work/venv/bin/python benchmarks/bench_horn.py
"""

import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

from darkbeam.beams.focusing import get_focusing
from darkbeam.beams.horn import transport
from darkbeam.beams.production import sample_mesons
from darkbeam.detectors.catalog import BEAMS


def main(n: int = 200_000) -> None:
    rng = np.random.default_rng(1)
    mesons = sample_mesons(BEAMS.get("bnb"), "pi+", n, rng)
    q = np.ones(n)
    transport(mesons.x[:10], mesons.p4[:10, 1:], q[:10], 1)  # compile / load cache
    for label, kw in (("default steps (5 % of r, 0.5-20 mm)", {}),
                      ("fine steps (1 % of r, 0.1-5 mm)", {"step_fraction": 0.01, "ds_min": 0.1, "ds_max": 5.0})):
        t0 = time.perf_counter()
        res = transport(mesons.x, mesons.p4[:, 1:], q, 1, **kw)
        dt = time.perf_counter() - t0
        print(f"transport, {label}: {n / dt:,.0f} mesons/s ({n} π+, {dt:.2f} s); "
              f"exit fraction {np.mean(res.status == 0):.3f}")
    foc = get_focusing("horn-field")
    t0 = time.perf_counter()
    foc.apply(mesons, +1)
    dt = time.perf_counter() - t0
    print(f"HornField.apply (transport + target absorption + bookkeeping): {n / dt:,.0f} mesons/s")


if __name__ == "__main__":
    main()
