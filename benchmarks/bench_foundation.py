"""Foundation throughput: meson production, three-body decays, full ν flux; memory for 10^7 mesons.

Prints, on one core:
* mesons produced per second (BNB π+, weighted sampling with vertices),
* three-body decays π+ → μ+ ν φ sampled per second (floor: 10^6 /s; alplib ~1.3e4 /s),
* the end-to-end ν flux at MiniBooNE (production → focusing → decay in flight → SM decays incl. the
  polarised-muon chain → point-flux estimator) in mesons per second,
* the peak traced memory while 10^7 mesons are processed through the flux chain in chunks, and for
  10^6, to show it is flat in the number of events.
Run: python benchmarks/bench_foundation.py [--quick]
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np

from darkbeam.beams.production import sample_mesons
from darkbeam.detectors.catalog import BEAMS
from darkbeam.models import get_model
from darkbeam.pipeline.neutrino_flux import neutrino_flux
from darkbeam.production.three_body import sample_three_body

ALPLIB_RATE = 1.3e4  # decays/s quoted in the issue for alplib's sampler


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def main(quick: bool = False) -> None:
    beam = BEAMS.get("bnb")
    rng = np.random.default_rng(0)
    n = 1_000_000
    sample_mesons(beam, "pi+", 1000, rng)  # warm caches (proposal grid)
    _, dt = timed(sample_mesons, beam, "pi+", n, rng)
    print(f"meson production   : {n / dt:12.3e} mesons/s   ({n} pi+ in {dt:.2f} s)")

    model = get_model("muphilic-scalar", {"m_phi": "1 MeV", "g_mu": "5e-3"})
    parents = sample_mesons(beam, "pi+", n, rng)
    parents.x[:, 2] += 1000.0
    sample_three_body(rng, parents.select(np.arange(1000)), "mu", model)  # grid + numba compile
    _, dt = timed(sample_three_body, rng, parents, "mu", model, 1, False)
    rate = n / dt
    print(f"three-body decays  : {rate:12.3e} decays/s   (floor 1e6/s: {'OK' if rate >= 1e6 else 'BELOW'};"
          f" {rate / ALPLIB_RATE:.0f}x alplib's 1.3e4/s)")

    nf = 200_000
    neutrino_flux("miniboone", n_mesons=10_000, seed=1)
    _, dt = timed(neutrino_flux, "miniboone", n_mesons=nf, seed=1)
    print(f"nu flux end-to-end : {5 * nf / dt:12.3e} mesons/s   (5 species x {nf} in {dt:.2f} s)")

    for total in ((10**6,) if quick else (10**6, 10**7)):
        tracemalloc.start()
        t = time.perf_counter()
        neutrino_flux("miniboone", n_mesons=total, chunk=200_000, seed=2, parents=("pi+",))
        dt = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"flux chain, {total:9d} pi+ in chunks of 2e5: peak traced memory {peak / 2**20:7.1f} MiB,"
              f" {dt:.1f} s")


if __name__ == "__main__":
    main("--quick" in sys.argv)
