"""Throughput of the horn field transport (darkbeam.beams.horn, focusing "horn-field"), one core.

Mesons are drawn from the BNB production model (π+, all angles) and transported through the BNB horn;
the numba kernel is compiled (and cached) before timing. The rate per core is mesons per second of CPU
time of this (single-threaded) process — on a shared machine the wall-clock rate is lower and is printed
too. The floor of issue 10 is 1e5 mesons/s per core; the transport of the previous implementation ran at
4.4e4 mesons/s (docs/horn.md before issue 10).

``--compare REV`` also times the horn.py of git revision REV (e.g. 7c8e2b7, before issue 10) on the same
mesons in the same process, for a side-by-side ratio on the same (possibly loaded) machine.

Run: /work/venv/bin/python benchmarks/bench_horn.py [--compare REV]
"""

import os
import subprocess
import sys
import time
import types

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np

from darkbeam.beams.focusing import get_focusing
from darkbeam.beams.horn import transport
from darkbeam.beams.production import sample_mesons
from darkbeam.detectors.catalog import BEAMS

OLD_RATE = 4.4e4  # mesons/s, the transport before issue 10 (docs/horn.md of that revision)
FLOOR = 1.0e5


def _timed(fn, n: int) -> tuple[float, float, object]:
    t0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    return n / (time.process_time() - t0), n / (time.perf_counter() - w0), out


def _old_module(rev: str) -> types.ModuleType:
    """horn.py of git revision ``rev``, loaded as darkbeam.beams._horn_old (not registered, not cached)."""
    src = subprocess.run(["git", "show", f"{rev}:src/darkbeam/beams/horn.py"], capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.abspath(__file__))).stdout
    src = src.replace('@FOCUSING.register("horn-field")\n', "").replace("cache=True", "cache=False")
    mod = types.ModuleType("darkbeam.beams._horn_old")
    mod.__package__ = "darkbeam.beams"
    sys.modules[mod.__name__] = mod
    exec(compile(src, f"{rev}:horn.py", "exec"), mod.__dict__)  # noqa: S102  (our own file from git history)
    return mod


def main(n: int = 200_000) -> None:
    rng = np.random.default_rng(1)
    mesons = sample_mesons(BEAMS.get("bnb"), "pi+", n, rng)
    q = np.ones(n)
    transport(mesons.x[:10], mesons.p4[:10, 1:], q[:10], 1)  # compile / load cache
    rate = 0.0
    for label, kw in (("default steps (|Δr| ≤ 5 % of r, ≤ 0.05 rad, 0.5-100 mm)", {}),
                      ("fine steps (|Δr| ≤ 1 % of r, 0.1-5 mm)", {"step_fraction": 0.01, "ds_min": 0.1, "ds_max": 5.0})):
        cpu, wall, res = _timed(lambda kw=kw: transport(mesons.x, mesons.p4[:, 1:], q, 1, **kw), n)
        rate = rate or cpu
        print(f"transport, {label}: {cpu:,.0f} mesons/s per core (CPU time; wall clock {wall:,.0f}/s), "
              f"{n} π+; exit fraction {np.mean(res.status == 0):.3f}")
    print(f"default transport: {rate / OLD_RATE:.2f} × the previous 4.4e4/s; floor 1e5/s "
          f"{'reached' if rate >= FLOOR else 'NOT reached'}")
    foc = get_focusing("horn-field")
    cpu, wall, _ = _timed(lambda: foc.apply(mesons, +1), n)
    print(f"HornField.apply (decay sampling + transport + target and conductor absorption + bookkeeping): "
          f"{cpu:,.0f} mesons/s per core (wall {wall:,.0f}/s)")
    if "--compare" in sys.argv:
        rev = sys.argv[sys.argv.index("--compare") + 1]
        old = _old_module(rev)
        old.transport(mesons.x[:10], mesons.p4[:10, 1:], q[:10], 1)  # compile
        cpu_old, wall_old, _ = _timed(lambda: old.transport(mesons.x, mesons.p4[:, 1:], q, 1), n)
        cpu_new, wall_new, _ = _timed(lambda: transport(mesons.x, mesons.p4[:, 1:], q, 1), n)
        print(f"side by side: {rev} transport {cpu_old:,.0f}/s per core (wall {wall_old:,.0f}/s); now "
              f"{cpu_new:,.0f}/s (wall {wall_new:,.0f}/s): ratio {cpu_new / cpu_old:.2f}")


if __name__ == "__main__":
    main()
