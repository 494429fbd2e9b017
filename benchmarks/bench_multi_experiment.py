"""Speed of a seven-experiment prediction (`darkbeam predict --experiments ...`) at one model point.

The seed-000 scalar benchmark (examples/scalar.toml: m_Z' = 49 MeV, m_phi = 1 MeV, the couplings of Table II) at
microboone, sbnd, icarus, ccm, coherent-csi, jsns2 and dune-nd, each in its default modes and catalogue exposure,
default statistics of the config (2e5 mesons per species, 2e4 detector events per target), with an on-disk sample
cache in a temporary directory:

1. cold: the cache is empty, every sample is simulated and stored (target: < 60 s on one core);
2. warm: a new prediction (new Predictor objects, nothing in memory) reading every sample from the cache
   (target: < 2 s on one core), repeated ``--repeat`` times (the median is reported);
3. the two give the same numbers (signal events, and every selection's signal and background).

Numba/table warm-up is excluded from "cold" by a small prediction at another mass first (``--no-warmup`` keeps it).

Run: ``OMP_NUM_THREADS=1 taskset -c 0 /work/venv/bin/python benchmarks/bench_multi_experiment.py``
(the one-core condition of the target; ``--n-mesons/--n-events`` to change the statistics).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from darkbeam.inference.multi_experiment import predict_experiments
from darkbeam.io.cache import SampleCache
from darkbeam.io.config import load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ["microboone", "sbnd", "icarus", "ccm", "coherent-csi", "jsns2", "dune-nd"]
TARGET_WARM_S, TARGET_COLD_S = 2.0, 60.0


def _numbers(res: dict) -> list:
    out = []
    for r in res["experiments"]:
        out.append((r["experiment"], r["status"], r.get("signal_events")))
        for mode, m in r.get("modes", {}).items():
            for k, s in m.get("selections", {}).items():
                out.append((r["experiment"], mode, k, s["signal"], s["background"]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-mesons", type=int, default=None)
    ap.add_argument("--n-events", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-warmup", action="store_true")
    args = ap.parse_args()
    cfg = load_config(ROOT / "examples" / "scalar.toml").with_simulation(n_mesons=args.n_mesons,
                                                                          n_events=args.n_events)
    sim = cfg.simulation
    print(f"7-experiment prediction: {', '.join(EXPERIMENTS)}; model {cfg.model.name}; "
          f"{sim.n_mesons} mesons/species, {sim.n_events} events/target, seed {sim.seed}")
    with tempfile.TemporaryDirectory(prefix="darkbeam-bench-cache-") as tmp:
        if not args.no_warmup:  # numba compilation and lazily built tables, at a different mass (own cache dir)
            t0 = time.perf_counter()
            w = load_config(ROOT / "examples" / "scalar.toml").model_dump(mode="python")
            w["model"]["m_phi"] = "2 MeV"
            w["simulation"].update(n_mesons=2000, n_events=200)
            predict_experiments(parse_config(w), EXPERIMENTS)
            print(f"warm-up (numba, tables; 2e3 mesons, other mass): {time.perf_counter() - t0:.2f} s")
        cache = SampleCache(Path(tmp) / "samples")
        t0 = time.perf_counter()
        cold = predict_experiments(cfg, EXPERIMENTS, cache=cache)
        t_cold = time.perf_counter() - t0
        warm_times = []
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            warm = predict_experiments(cfg, EXPERIMENTS, cache=SampleCache(Path(tmp) / "samples"))
            warm_times.append(time.perf_counter() - t0)
        t_warm = statistics.median(warm_times)
    same = _numbers(cold) == _numbers(warm)
    print(f"cold (empty cache): {t_cold:.2f} s  (target < {TARGET_COLD_S:g} s: "
          f"{'met' if t_cold < TARGET_COLD_S else 'MISSED'})")
    print(f"warm (from cache, median of {len(warm_times)}): {t_warm:.3f} s  (target < {TARGET_WARM_S:g} s: "
          f"{'met' if t_warm < TARGET_WARM_S else 'MISSED'}); all: " + ", ".join(f"{t:.3f}" for t in warm_times))
    print(f"cold and warm numbers identical: {same}")
    for r in warm["experiments"]:
        print(f"  {r['experiment']:13s} {r['status']:10s} signal {r.get('signal_events')}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
