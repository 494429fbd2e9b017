"""Signal-only predictions at the BNB LArTPCs (MicroBooNE, SBND, ICARUS) for the seed-000 benchmarks at
darkbeam's MiniBooNE best-fit couplings and for seed 001's BP-A: totals, splits, figures
docs/figures/pred_<exp>_<bm>.png, and the seed-000 MicroBooNE 1γ0p comparison (docs/predictions.md).

Usage: /work/venv/bin/python docs/make_predictions.py [--quick] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.inference.predict import Predictor, sample_groups
from darkbeam.io.config import parse_config
from darkbeam.pipeline.signal import build_signal

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("scalar", "pseudoscalar", "idm_single", "idm_double", "dark_neutrino_bpa")
EXPERIMENTS = ("microboone", "sbnd", "icarus")
#: MicroBooNE exposures of the single-photon analyses: 6.80e20 POT (1γ0p/1γ1p, PRL 128, 111801 (2022),
#: arXiv:2110.00409, the "[5]" of seed 000) and MiniBooNE's ν-mode 18.75e20 POT (arXiv:2006.16883)
UB_1G_POT = 6.80e20
MB_POT = 18.75e20


def config_for(bm: str, exp: str, quick: bool):
    import tomllib

    data = tomllib.loads((ROOT / "examples" / f"{bm}_microboone.toml").read_text())
    data["experiment"]["name"] = exp
    if quick:
        sim = data.setdefault("simulation", {})
        sim["n_mesons"] = 20000
        sim["n_events"] = 2000
    return parse_config(data)


def plot(path: Path, out: dict, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, obs, xl in zip(axes, ("E_vis", "cos_theta"), ("E_vis [MeV]", "cos θ")):
        sp = out["spectra"][obs]
        e = np.asarray(sp["edges"])
        width = np.diff(e) if obs == "E_vis" else np.diff(e) / 0.05
        bottom = np.zeros(len(e) - 1)
        for k, h in sp.get("by_component", {"all": sp["signal"]}).items():
            h = np.asarray(h) / width
            ax.bar(e[:-1], h, width=np.diff(e), bottom=bottom, align="edge", label=k, alpha=0.8)
            bottom += h
        ax.stairs(np.asarray(sp["signal"]) / width, e, color="k", lw=1)
        ax.set_xlabel(xl)
        ax.set_ylabel("events / MeV" if obs == "E_vis" else "events / 0.05")
        if obs == "E_vis":
            ax.set_xlim(0, 1500)
        else:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--benchmarks", nargs="*", default=list(BENCHMARKS))
    args = ap.parse_args()
    rows = {}
    for bm in args.benchmarks:
        for exp in EXPERIMENTS:
            t0 = time.time()
            cfg = config_for(bm, exp, args.quick)
            pred = Predictor(cfg)
            out = pred.predict()
            r = out["modes"]["neutrino"]
            s = pred.view("neutrino").sample
            w = s.weights(pred.model, cfg.pot("neutrino"))
            g = sample_groups(s, exp)
            low = s.E_vis < 300.0
            sel_1g0p = g.get("topology", {}).get("1g", np.zeros(len(w), bool)) & g["protons"]["0p"] \
                if "protons" in g else np.zeros(len(w), bool)
            row = {"pot": cfg.pot("neutrino"), "total": r["signal_events"], "mc_rel": r["mc_relative_error"],
                   "by_component": r.get("by_component"), "by_parent": r.get("by_parent"),
                   "by_topology": r.get("by_topology"), "by_protons": r.get("by_protons"),
                   "E_lt_300": float(w[low].sum()), "1g0p": float(w[sel_1g0p].sum()),
                   "1g0p_E_lt_300": float(w[sel_1g0p & low].sum()),
                   "1g0p_200_250": float(w[sel_1g0p & (s.E_vis >= 200) & (s.E_vis < 250)].sum()),
                   "coupling_product": out["coupling_product"], "seconds": time.time() - t0}
            if exp == "microboone":  # same model at MiniBooNE, ν mode, for the seed-000 scaling argument
                sim = cfg.simulation
                mb = build_signal(pred.model, "miniboone", "neutrino", n_mesons=sim.n_mesons, n_events=sim.n_events,
                                  seed=sim.seed)
                wmb = mb.weights(pred.model, MB_POT)
                row["miniboone_nu_total"] = float(wmb.sum())
                row["miniboone_nu_E_lt_300"] = float(wmb[mb.E_vis < 300.0].sum())
                row["ub_1g0p_E_lt_300_at_6.80e20"] = row["1g0p_E_lt_300"] * UB_1G_POT / row["pot"]
                row["ub_1g0p_200_250_at_6.80e20"] = row["1g0p_200_250"] * UB_1G_POT / row["pot"]
            rows[f"{exp}/{bm}"] = row
            fig = ROOT / "docs" / "figures" / f"pred_{exp}_{bm}.png"
            cp = out["coupling_product"]
            plot(fig, out, f"{bm} at {exp} ({row['pot']:.3g} POT): {row['total']:.4g} events"
                 + (f"; {cp['name']} = {cp['value']:.3g}" if cp else ""))
            print(f"{exp:10s} {bm:18s} total {row['total']:10.4g} (MC {row['mc_rel']:.3f}) "
                  f"1g0p {row['1g0p']:9.4g}  E<300 {row['E_lt_300']:9.4g}  comps {row['by_component']}  "
                  f"topo {row['by_topology']} [{row['seconds']:.0f} s]", flush=True)
            if exp == "microboone":
                print(f"           MiniBooNE nu: {row['miniboone_nu_total']:.4g} (E_vis<300: "
                      f"{row['miniboone_nu_E_lt_300']:.4g}); uB 1g0p E<300 at 6.80e20: "
                      f"{row['ub_1g0p_E_lt_300_at_6.80e20']:.4g}, 200-250: {row['ub_1g0p_200_250_at_6.80e20']:.4g}",
                      flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=float))


if __name__ == "__main__":
    sys.exit(main())
