"""Speed of the event-file writers and reader (io/events.py) with full records, and of `darkbeam events`.

Builds a small MiniBooNE sample (vector-idm by default; "scalar": dark Primakoff; "dn": dark-neutrino BP-A;
"bl": the B-L boson plugin, decay in volume), replicates it to ``N`` events (default 200 000) and times

  * write_parquet            (pyarrow, one row per event),
  * write_hepmc3             (vectorised Arrow string building, no Python object per event),
  * write_hepmc3_pyhepmc     (one pyhepmc GenEvent per event; on the first 5 000 events only),
  * read_events              (Parquet and HepMC3 back into columns),

each on the full event record (beam proton, parent meson, dark state, target, final state: 6-8 particles
and 3 vertices per event for the meson-based processes), printing events per CPU second of the process
(the wall-clock rate of the writers in brackets: on a machine shared with other jobs it is lower). Floors
(CPU rates): HepMC3 > 2e4 events/s, Parquet > 1e6 events/s. ``e2e [N]`` instead times ``darkbeam events`` end to end (simulation + record +
file) for a config with N/2 events per target of MiniBooNE's CH2 (N sampled events, default 1e5).
``OMP_NUM_THREADS=1 taskset -c 0 /work/venv/bin/python benchmarks/bench_events.py [idm|scalar|dn|bl|e2e] [N]``
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from darkbeam.io.events import event_record, read_events, write_hepmc3, write_hepmc3_pyhepmc, write_parquet
from darkbeam.models import get_model
from darkbeam.models.plugins import load_plugins
from darkbeam.pipeline.signal import build_signal

SCALAR = {"m_phi": "1 MeV", "g_mu": "5e-3", "g_n": "1e-3", "lam": "4.4e-4 /MeV", "m_zprime": "49 MeV"}
ROOT = Path(__file__).resolve().parents[1]

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
                               particles={a: np.concatenate([v] * k)[:n] for a, v in sample.particles.items()},
                               columns={a: np.concatenate([v] * k)[:n] for a, v in sample.columns.items()})


#: "cpu": rates from the process's CPU time (a shared machine's other jobs do not count), "wall": wall clock
CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}


def _rate(fn, n: int, reps: int = 3, clock: str = "cpu") -> float:
    """Events per second of ``fn`` (best of ``reps``), by CPU time (default) or wall-clock time."""
    best = np.inf
    tick = CLOCK[clock]
    for _ in range(reps):
        t0 = tick()
        fn()
        best = min(best, tick() - t0)
    return n / best


def _base(which: str):
    if which == "dn":
        return build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=2000, seed=1)
    if which == "scalar":
        return build_signal(get_model("muphilic-scalar", SCALAR), n_mesons=20_000, n_events=2000, seed=1)
    if which == "bl":
        load_plugins(str(ROOT / "examples" / "plugins" / "bl_boson.py"))
        return build_signal(get_model("bl-boson", {}), n_mesons=20_000, n_events=2000, seed=1)
    return build_signal(get_model("vector-idm", IDM), n_mesons=20_000, n_events=2000, seed=1)


def main(which: str = "idm", n: int = 200_000) -> int:
    base = _base(which)
    big = _replicate(base, n)
    n_slow = min(5000, n)
    small = _replicate(base, n_slow)
    t0 = time.perf_counter()
    rec = event_record(big, pot=1e21, rng=np.random.default_rng(1), keep_zero_weight=True)
    t_rec = time.perf_counter() - t0
    n_p, n_v = len(rec.particles), len(rec.vertices)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        r_pq = _rate(lambda: write_parquet(rec, d / "e.parquet"), n)
        r_fast = _rate(lambda: write_hepmc3(rec, d / "e.hepmc3"), n)
        w_pq = _rate(lambda: write_parquet(rec, d / "e.parquet"), n, clock="wall")
        w_fast = _rate(lambda: write_hepmc3(rec, d / "e.hepmc3"), n, clock="wall")
        r_slow = _rate(lambda: write_hepmc3_pyhepmc(small, d / "s.hepmc3", pot=1e21, rng=np.random.default_rng(1),
                                                    keep_zero_weight=True), n_slow, reps=1)
        r_read_pq = _rate(lambda: read_events(d / "e.parquet"), n, reps=2)
        r_read_hm = _rate(lambda: read_events(d / "e.hepmc3"), n, reps=2)
        size = (d / "e.hepmc3").stat().st_size
        size_pq = (d / "e.parquet").stat().st_size
    print(f"sample: {base.model.name}, {n} events ({len(base.E_vis)} distinct), {n_p} particles and {n_v} vertices "
          f"per event; HepMC3 {size / n:.0f} bytes/event, Parquet {size_pq / n:.0f} bytes/event")
    print("rates per CPU second of this process (wall-clock rates, lower on a busy machine, in brackets)")
    print(f"event record (incl. vertex sampling) {n / t_rec:12.4g} events/s (wall)")
    print(f"Parquet write            {r_pq:12.4g} events/s  [{w_pq:.4g}]")
    print(f"HepMC3 write, vectorised {r_fast:12.4g} events/s  [{w_fast:.4g}]")
    print(f"HepMC3 write, pyhepmc    {r_slow:12.4g} events/s  ({n_slow} events, one GenEvent per event)")
    print(f"ratio vectorised / per-event: {r_fast / r_slow:.1f}")
    print(f"read_events Parquet      {r_read_pq:12.4g} events/s")
    print(f"read_events HepMC3       {r_read_hm:12.4g} events/s")
    ok = r_fast > 2e4 and r_pq > 1e6
    print("floors (HepMC3 > 2e4, Parquet > 1e6 events/s):", "ok" if ok else "MISSED")
    return 0 if ok else 1


E2E_CONFIG = """
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-3
lam = "4.4e-4 /MeV"

[experiment]
modes = ["neutrino"]
off_target = false

[simulation]
n_mesons = 200000
n_events = {n_per_target}
seed = 1
"""


def end_to_end(n: int = 100_000) -> int:
    """Wall and CPU time of `darkbeam events CONFIG -o FILE` (a fresh process: imports, simulation, record,
    file); the floor is on the wall time."""
    import resource
    import subprocess

    rc = 0
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        cfg = d / "c.toml"
        cfg.write_text(E2E_CONFIG.format(n_per_target=n // 2))
        for suffix in (".hepmc3", ".parquet"):
            out = d / f"ev{suffix}"
            t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "events", str(cfg), "-o", str(out)],
                               capture_output=True, text=True, check=False)
            dt, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
            print(f"darkbeam events -o {out.name}: {dt:.2f} s wall, {cpu:.2f} s CPU  "
                  f"{r.stdout.strip() or r.stderr.strip()}")
            rc |= r.returncode != 0 or dt > 10
    print("floor (< 10 s for", n, "sampled events):", "ok" if rc == 0 else "MISSED")
    return rc


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "e2e":
        sys.exit(end_to_end(int(float(args[1])) if len(args) > 1 else 100_000))
    sys.exit(main(args[0] if args else "idm", int(args[1]) if len(args) > 1 else 200_000))
