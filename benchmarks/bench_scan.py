"""Speed of a mass-grid scan: serial vs dask (2 worker processes), cold vs warm sample cache.

A small grid (default 4 points of m_phi for the seed-000 scalar benchmark, ν and ν̄ modes plus the
off-target prediction, 100k mesons per species and 10k detector events per target) is scanned four
times, each with the coupling fitted at every point:

  * serial, cold cache (every sample generated and written), then serial, warm (every sample loaded);
  * dask with 2 processes, cold (a fresh cache directory), then dask, warm.

Prints the wall times and the ratios serial/dask (parallel speed-up; the dask runs include starting
the worker processes, ~1-2 s) and cold/warm (what the cache saves), and checks that all four scans
give the same numbers. Run: ``OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/bench_scan.py
[--points 4] [--n-mesons 100000] [--n-events 10000]`` on a machine with at least 2 free cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from darkbeam.inference.scan import scan
from darkbeam.io.config import default_config


def _run(cfg, grid, backend, cache_dir):
    t0 = time.perf_counter()
    res = scan(cfg, grid, backend=backend, workers=2, cache=cache_dir)
    return time.perf_counter() - t0, res


def _numbers(res):
    return [(p["value"], p["chi2"], p["off_target_events"]) for p in res.points]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=4)
    ap.add_argument("--n-mesons", type=int, default=100_000)
    ap.add_argument("--n-events", type=int, default=10_000)
    a = ap.parse_args(argv)
    cfg = default_config().with_simulation(n_mesons=a.n_mesons, n_events=a.n_events)
    grid = [f"m_phi=1 MeV..20 MeV/{a.points}"]
    print(f"grid: {a.points} points of m_phi in 1-20 MeV; {a.n_mesons} mesons/species, {a.n_events} events/target; "
          f"modes {cfg.experiment.modes} + off-target; cpus {os.cpu_count()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    times, results = {}, {}
    with tempfile.TemporaryDirectory() as serial_dir, tempfile.TemporaryDirectory() as dask_dir:
        for label, backend, d in [("serial cold", "serial", serial_dir), ("serial warm", "serial", serial_dir),
                                  ("dask-2 cold", "dask", dask_dir), ("dask-2 warm", "dask", dask_dir)]:
            times[label], results[label] = _run(cfg, grid, backend, d)
            st = results[label].cache_stats()
            print(f"  {label:12s} {times[label]:7.2f} s   cache: {st['hits']} loaded, {st['misses']} generated")
    same = len({tuple(_numbers(r)) for r in results.values()}) == 1
    print(f"serial/dask cold (parallel speed-up): {times['serial cold'] / times['dask-2 cold']:.2f}")
    print(f"serial/dask warm:                     {times['serial warm'] / times['dask-2 warm']:.2f}")
    print(f"cold/warm serial (cache speed-up):    {times['serial cold'] / times['serial warm']:.1f}")
    print(f"cold/warm dask-2:                     {times['dask-2 cold'] / times['dask-2 warm']:.1f}")
    print(f"identical numbers in all four scans:  {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
