"""Speed of scans: cold mass points, coupling re-weights, and the 50 × 50 (mass × coupling) grid.

The seed-000 scalar benchmark (the default config: m_Z' = 49 MeV, g_mu, g_n, lambda of Table II) at MiniBooNE,
neutrino + antineutrino modes, default statistics (2e5 mesons per species, 2e4 detector events per target):

1. cold cost of one mass point per beam mode (``build_signal``, after a warm-up of numba and the tables);
2. cost of one coupling re-weight: the joint chi^2 (both modes, E_vis and cos theta) at a new g_n, i.e.
   re-weighting + histograms + chi^2, averaged over 500 couplings; the ratio cold mass step / coupling step
   (floor: >= 1000);
3. the 50 x 50 grid ``m_phi = 0.3..30 MeV/50 x g_n = 1e-5..1e-1/50`` (2500 points, 50 tasks) with no sample
   cache (every mass point cold), serially and on two Dask workers (a LocalCluster of 2 single-threaded
   processes; floor: < 3 min on the 2-core development machine), with the peak memory of the scanning
   process sampled after every task (flat in the grid size: one mass point in memory at a time) and a check
   that both runs give the same numbers.

Run: ``OMP_NUM_THREADS=1 /work/venv/bin/python benchmarks/bench_scan.py`` (about 7 minutes on 2 cores;
``--points 20`` for a quicker 20 x 20 grid; ``--skip-serial`` to run the grid on Dask only).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
import psutil

from darkbeam.inference.predict import Predictor
from darkbeam.inference.scan import scan
from darkbeam.io.config import default_config, parse_config
from darkbeam.pipeline.signal import build_signal


def _config(n_mesons: int, n_events: int):
    d = default_config().with_simulation(n_mesons=n_mesons, n_events=n_events).model_dump(mode="python")
    d["experiment"]["off_target"] = False  # the off-target run is a constraint, not part of the chi^2
    d["fit"] = {}
    return parse_config(d)


def _numbers(res):
    return [(p["index"], p["chi2"], p["signal_total"]) for p in res.points]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=50, help="grid points per axis (default 50)")
    ap.add_argument("--n-mesons", type=int, default=200_000)
    ap.add_argument("--n-events", type=int, default=20_000)
    ap.add_argument("--skip-serial", action="store_true")
    a = ap.parse_args(argv)
    cfg = _config(a.n_mesons, a.n_events)
    sim = cfg.simulation
    print(f"seed-000 scalar at MiniBooNE, modes {cfg.experiment.modes}; {sim.n_mesons} mesons/species, "
          f"{sim.n_events} events/target; cpus {os.cpu_count()}, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}")
    model = cfg.build_model()
    # warm-up (numba compilation, cross-section and production tables), then one cold mass point per mode
    for mode in cfg.experiment.modes:
        build_signal(model.replace(m_phi=2.0), "miniboone", mode, n_mesons=2000, n_events=200, seed=1)
    cold = {}
    for mode in cfg.experiment.modes:
        t0 = time.perf_counter()
        build_signal(model.replace(m_phi=3.0), "miniboone", mode, n_mesons=sim.n_mesons, n_events=sim.n_events,
                     seed=sim.seed)
        cold[mode] = time.perf_counter() - t0
        print(f"  cold mass point, {mode:13s}: {cold[mode]:6.2f} s")
    mass_step = sum(cold.values())
    print(f"  cold mass point, all modes:     {mass_step:6.2f} s")
    pred = Predictor(cfg)
    m3 = model.replace(m_phi=3.0)
    for mode in cfg.experiment.modes:
        pred.view(mode, m3)
    gs = np.geomspace(1e-5, 1e-1, 500)
    pred.chi2(m3.replace(g_n=1e-3))
    t0 = time.perf_counter()
    for g in gs:
        pred.chi2(m3.replace(g_n=float(g)))
    step = (time.perf_counter() - t0) / len(gs)
    print(f"  one coupling re-weight (chi^2 of both modes at a new g_n): {1e3 * step:.2f} ms")
    ratio = mass_step / step
    print(f"  mass step / coupling step: {ratio:.0f}  (floor >= 1000: {'met' if ratio >= 1000 else 'MISSED'})")
    del pred

    n = a.points
    grid = [f"m_phi=0.3 MeV..30 MeV/{n}", f"g_n=1e-5..1e-1/{n}"]
    proc = psutil.Process()
    results, times, mem = {}, {}, {}
    runs = ([] if a.skip_serial else [("serial", "serial")]) + [("dask-2", "dask-distributed")]
    for label, backend in runs:
        rss = []
        with tempfile.TemporaryDirectory():
            t0 = time.perf_counter()
            results[label] = scan(cfg, grid, backend=backend, workers=2, cache=None,
                                  on_result=lambda r, rss=rss: rss.append(proc.memory_info().rss))
            times[label] = time.perf_counter() - t0
        mem[label] = rss
        k = max(len(rss) // 10, 1)
        print(f"  {n} x {n} grid, {label:7s}: {times[label]:7.1f} s ({times[label] / n:.2f} s per mass point); "
              f"scanning process RSS after {k} tasks {rss[k - 1] / 2**20:.0f} MiB, after {len(rss)} tasks "
              f"{rss[-1] / 2**20:.0f} MiB")
    if "dask-2" in times:
        ok = times["dask-2"] < 180.0
        print(f"  {n} x {n} grid on 2 Dask workers under 3 min: {'met' if ok else 'MISSED'}")
    same = len({tuple(_numbers(r)) for r in results.values()}) == 1
    print(f"  identical numbers in every run: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
