"""Sensitivity curves of the BNB LArTPCs (MicroBooNE, SBND, ICARUS) to seed 000's long-lived scalar.

Model: the muon-philic scalar of seed 000 (model ii) with m_Z' = 49 MeV and g_n, lambda at darkbeam's
MiniBooNE best fit (examples/scalar_sbnd.toml: g_n = 6.136e-4, lambda = 4.4e-4 /MeV, so that g_mu = 5e-3
gives the best-fit product 1.35e-9 /MeV). Plane: (m_phi, g_mu), g_mu being the production coupling that the
exotic-decay limits constrain. For each detector at its nominal exposure (catalog POT, neutrino mode):

* the expected signal by re-weighting, all accepted events of the LArTPC response (no analysis selection);
* the median expected 90 % CL Feldman–Cousins upper limit for two background assumptions, b = 0 and
  b = 100 events (darkbeam has no LArTPC background model: these are stated assumptions, not estimates);
* the region where the expected signal exceeds it (the sensitivity), with the exotic pi/K decay limits of
  darkbeam.inference.constraints overlaid (PIENU pi -> mu nu X, NA62 K -> mu nu X; 90 % CL, where they apply).

Writes docs/figures/sensitivity_lartpc.png and docs/figures/sensitivity_lartpc.json (the numbers of
docs/sensitivity.md). Run: ``/work/venv/bin/python docs/make_sensitivity.py`` (about 6 minutes on 2 cores;
``--quick`` for 10x smaller samples).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.inference.sensitivity import constraint_bounds, plot_sensitivity, sensitivity_curve
from darkbeam.io.config import load_config

ROOT = Path(__file__).resolve().parents[1]
DETECTORS = ("microboone", "sbnd", "icarus")
BACKGROUNDS = (0.0, 100.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--work", type=Path, default=Path("/tmp/darkbeam-sensitivity"))
    ap.add_argument("--points", type=int, default=13)
    a = ap.parse_args(argv)
    cfg = load_config(ROOT / "examples" / "scalar_sbnd.toml")
    if a.quick:
        cfg = cfg.with_simulation(n_mesons=20_000, n_events=2_000)
    grid = [f"m_phi=0.1 MeV..100 MeV/{a.points if not a.quick else 7}"]
    bounds = (1e-6, 1.0)
    from darkbeam.plotting import _plt

    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15.0, 4.6), sharey=True)
    out: dict = {"quick": a.quick, "model": "muphilic-scalar", "fixed": {"m_zprime_MeV": 49.0, "g_n": 6.136e-4,
                                                                        "lam_per_MeV": 4.4e-4}, "detectors": {}}
    cons = None
    for ax, det in zip(axes, DETECTORS):
        t0 = time.perf_counter()
        curves = [sensitivity_curve(cfg, det, grid, "g_mu", bounds, background=b, method="fc", cl=0.9,
                                    cache=a.work / "cache") for b in BACKGROUNDS]
        if cons is None:
            c0 = curves[0]
            cons = constraint_bounds(cfg, "m_phi", c0.masses, "g_mu", bounds)
        plot_sensitivity(None, curves, cons, ax=ax, title=f"{det} ({curves[0].pot['neutrino']:.3g} POT, ν mode)",
                         points=[{"x": 1.0, "y": 5e-3, "label": "MiniBooNE best fit (g_mu g_n λ = 1.35e-9 /MeV)",
                                  "marker": "*", "color": "red"}],
                         styles=[{"color": "C0", "label": f"sensitivity, b = {BACKGROUNDS[0]:g}"},
                                 {"color": "C1", "ls": "--", "alpha": 0.15,
                                  "label": f"sensitivity, b = {BACKGROUNDS[1]:g}"}])
        secs = time.perf_counter() - t0
        out["detectors"][det] = {"seconds": secs, "curves": [c.to_dict() for c in curves]}
        i1 = int(np.argmin(np.abs(curves[0].masses - 1.0)))
        print(f"{det}: {secs:.0f} s; at m_phi = {curves[0].masses[i1]:.3g} MeV: signal at g_mu = 5e-3 "
              f"{curves[0].signal_ref[i1]:.3g} events; g_mu reach b=0 {curves[0].lower[i1]:.3g}, "
              f"b=100 {curves[1].lower[i1]:.3g}", flush=True)
    out["constraints"] = {k: {"lower": [None if not np.isfinite(v) else float(v) for v in d["lower"]],
                              "citation": d["citation"], "cl": d["cl"]} for k, d in (cons or {}).items()}
    fig.suptitle("Seed 000 long-lived scalar (m_Z' = 49 MeV, g_n λ at darkbeam's MiniBooNE best fit): "
                 "90% CL FC sensitivity of the BNB LArTPCs" + (" [--quick]" if a.quick else ""), fontsize=10)
    fig.tight_layout()
    name = "sensitivity_lartpc" + ("_quick" if a.quick else "")
    figs = ROOT / "docs" / "figures"
    fig.savefig(figs / f"{name}.png", dpi=105)
    (figs / f"{name}.json").write_text(json.dumps(out, indent=1, default=float) + "\n")
    print(f"wrote {figs / name}.png and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
