"""Speed of a full MiniBooNE ν + ν̄ prediction (issue 4, item 8) for a run config.

Measures, for the config (default: the embedded seed-000 scalar benchmark, 200k mesons per species,
20k detector events per target):
  * cold: one full ν + ν̄ prediction including generation of the signal samples;
  * warm: the same prediction from the cached samples (spectra in the data binning + joint χ²);
  * 1000 coupling re-weights (each: exact weights of both modes at a new coupling, histograms, joint χ²).
Floors: warm < 1 s, 1000 re-weights < 5 s on one core. Pin one core with e.g.
``OMP_NUM_THREADS=1 taskset -c 0 /work/venv/bin/python benchmarks/bench_signal.py [CONFIG.toml]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from darkbeam.inference.predict import Predictor
from darkbeam.io.config import load_config


def main(path: str | None = None) -> int:
    cfg = load_config(path)
    param = cfg.fit.parameter or "g_n"
    pred = Predictor(cfg)
    n_modes = len(cfg.experiment.modes)

    t0 = time.perf_counter()
    out = pred.predict(off_target=False)
    cold = time.perf_counter() - t0
    n_ev = sum(len(pred.view(m).sample.base_weight) for m in cfg.experiment.modes)

    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        pred.predict(off_target=False)
    warm = (time.perf_counter() - t0) / reps

    v0 = float(pred.model.values[param])
    values = v0 * np.geomspace(0.01, 10.0, 1000)
    t0 = time.perf_counter()
    chi2 = [pred.chi2(pred.model.replace(**{param: v})).chi2 for v in values]
    rew = time.perf_counter() - t0
    assert np.all(np.isfinite(chi2))

    print(f"model {cfg.model.name}, {n_modes} modes, {n_ev} cached events; n_mesons {cfg.simulation.n_mesons}, "
          f"n_events {cfg.simulation.n_events}")
    print(f"signal events (nu mode): {out['signal_events']:.4g};  chi2 = {out['chi2']:.2f} / {out['ndof']}")
    print(f"cold prediction (generation + chi2): {cold:8.3f} s")
    print(f"warm prediction (cached samples)   : {warm * 1e3:8.2f} ms   (floor 1 s: {'PASS' if warm < 1 else 'FAIL'})")
    print(f"1000 re-weights of {param} with chi2 : {rew:8.3f} s   ({1000 / rew:,.0f} predictions/s, "
          f"{1000 * n_ev / rew:,.3g} event-weights/s; floor 5 s: {'PASS' if rew < 5 else 'FAIL'})")
    print(f"ratios: cold / warm = {cold / warm:,.0f};  cold / one re-weight = {cold / (rew / 1000):,.0f}")
    return 0 if (warm < 1 and rew < 5) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
