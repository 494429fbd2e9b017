"""Speed of the heavy-neutral-lepton signal: seven decay-in-volume channels of one state, with shared arrivals.

`heavy-neutral-lepton` detects N through seven channels (μπ, eπ, ν e⁺e⁻, ν π⁰, ν μ⁺μ⁻, ν γ, e μ ν), one sample per
channel with the same seed (`pipeline/signal.build_signal`). Their N arrivals at the detector are identical, so the
decay-in-volume process computes them, with their chords through the detector, once
(`pipeline.decay_in_volume.shared_rays`). This benchmark builds the signal at each point

1. as darkbeam does (arrivals and chords shared between the channels), and
2. as the baseline: the shared-rays cache emptied before every channel, i.e. the arrivals and chords recomputed
   seven times (what the code did before sharing),

checks that both give bit-identical parts, and prints the times, the ratio and the throughput (detector events of
all channels per second). Each timing is the best of ``--repeat`` builds (numba and tables are warmed up first).

Run: ``/work/venv/bin/python benchmarks/bench_hnl.py`` (``--n-mesons/--n-events`` to change the statistics).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from darkbeam.models import get_model
from darkbeam.pipeline import decay_in_volume as div
from darkbeam.pipeline.signal import build_signal

#: (experiment, mode, m_N, mixings): the BNB example point, the NuMI absorber's kaons at rest, LBNF with charm and τ
POINTS = [
    ("microboone", "neutrino", "385 MeV", {"u2_mu": "1e-8"}),
    ("microboone-absorber", "stopped", "300 MeV", {"u2_mu": "1e-8", "u2_e": "1e-8"}),
    ("dune-nd", "neutrino", "500 MeV", {"u2_mu": "1e-8", "u2_tau": "1e-7"}),
]


def _build(point, n_mesons: int, n_events: int, shared: bool):
    experiment, mode, m_n, mix = point
    model = get_model("heavy-neutral-lepton", {"m_n": m_n, **mix})
    original = div.shared_rays

    def recompute(*args, **kwargs):  # the baseline: no arrivals kept from the previous channel
        div._LAST_ARRIVALS.clear()
        return original(*args, **kwargs)

    div._LAST_ARRIVALS.clear()
    if not shared:
        div.shared_rays = recompute
    try:
        t = time.perf_counter()
        sample = build_signal(model, experiment, mode, n_mesons=n_mesons, n_events=n_events, seed=12345)
        return time.perf_counter() - t, sample
    finally:
        div.shared_rays = original


def _same(a, b) -> bool:
    for p, q in zip(a.parts, b.parts, strict=True):
        if not np.array_equal(p.base_weight, q.base_weight):
            return False
        if any(not np.array_equal(p.particles[k], q.particles[k]) for k in p.particles):
            return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-mesons", type=int, default=100_000)
    ap.add_argument("--n-events", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    _build(POINTS[0], 2000, 200, True)  # warm-up: numba, tables
    print(f"heavy-neutral-lepton, 7 detection channels; {args.n_mesons} mesons/species, {args.n_events} events/channel, "
          f"best of {args.repeat}")
    for point in POINTS:
        best = {}
        samples = {}
        for shared in (True, False):
            times = []
            for _ in range(args.repeat):
                dt, samples[shared] = _build(point, args.n_mesons, args.n_events, shared)
                times.append(dt)
            best[shared] = min(times)
        n = sum(len(p.base_weight) for p in samples[True].parts)
        same = _same(samples[True], samples[False])
        print(f"  {point[0]:20s} m_N = {point[2]:8s}: shared {best[True]:6.3f} s, recomputed {best[False]:6.3f} s, "
              f"ratio {best[False] / best[True]:.2f}; {n / best[True]:.3g} events/s; identical parts: {same}")
        if not same:
            raise SystemExit("shared and recomputed arrivals gave different samples")


if __name__ == "__main__":
    main()
