"""Regenerate every number and figure of docs/horn.md (the ``horn-field`` focusing model).

Metric (stated in docs/horn.md): RMS over the 50 MeV bins of 0.3-2 GeV of ln(ours / official), for the
focused species at MiniBooNE (ν_μ in neutrino mode, ν̄_μ in antineutrino mode); the official flux is the
MiniBooNE release (PRD 79, 072002 (2009)) read by darkbeam.data.official_bnb_flux, as in
docs/make_flux_validation.py. The Monte Carlo part of that RMS, sqrt(mean (σ_bin/φ_bin)²), is printed with
it. Nothing is fitted to the metric.

Run: python docs/make_horn.py [--quick]   (about 12 min on a loaded 2-core machine; --quick: 5× fewer mesons)
Prints a JSON document; writes docs/figures/horn_trajectories.png and docs/figures/horn_flux_ratio.png.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from darkbeam.beams.focusing import get_focusing
from darkbeam.beams.horn import (
    BNB_HORN,
    LAMBDA_I_AL,
    STATUS_DECAYED,
    STATUS_EXIT,
    STATUS_OUTER,
    push_uniform_field,
    trajectory,
    transport,
)
from darkbeam.beams.production import sample_mesons
from darkbeam.data import official_bnb_flux
from darkbeam.detectors.catalog import BEAMS
from darkbeam.io.atomic import save_figure
from darkbeam.pipeline.neutrino_flux import neutrino_flux

HERE = Path(__file__).parent
FOCUSED = {"neutrino": "nu_mu", "antineutrino": "nu_mu_bar"}
SEED = 2024


def metric(res, mode: str) -> dict:
    """RMS of ln(ours/official) for the focused species over the 50 MeV bins of 0.3-2 GeV, and more."""
    off = official_bnb_flux(mode)
    e = res.edges_GeV
    m = (e[:-1] >= 0.3 - 1e-9) & (e[1:] <= 2.0 + 1e-9)
    sp = FOCUSED[mode]
    ratio = res.flux[sp][m] / off[sp][m]
    lr = np.log(ratio)
    rel = res.error[sp][m] / res.flux[sp][m]
    w = np.diff(e)
    return {
        "species": sp, "bins": int(m.sum()),
        "rms_log_ratio": round(float(np.sqrt(np.mean(lr**2))), 4),
        "mean_log_ratio": round(float(lr.mean()), 4),
        "rms_log_ratio_about_mean": round(float(lr.std()), 4),
        "mc_rms": round(float(np.sqrt(np.mean(rel**2))), 4),
        # RMS with the Monte Carlo variance removed (E[ln²] ≈ true² + σ²/φ² per bin)
        "rms_log_ratio_mc_subtracted": round(float(np.sqrt(max(np.mean(lr**2) - np.mean(rel**2), 0.0))), 4),
        "ratio_min": round(float(ratio.min()), 3), "ratio_max": round(float(ratio.max()), 3),
        "ratio_per_100MeV": [round(float(x), 2) for x in
                             (np.add.reduceat(res.flux[sp][m], np.arange(0, m.sum(), 2))
                              / np.add.reduceat(off[sp][m], np.arange(0, m.sum(), 2)))],
        "integrated": {s: round(float(np.sum(res.flux[s] * w) / np.sum(off[s] * w)), 3) for s in res.flux},
    }


def flux_runs(n_main: int, n_var: int) -> tuple[dict, dict]:
    """Main comparison (both models, both modes) and the systematic variants of horn-field (ν mode)."""
    main, curves = {}, {}
    for mode in ("neutrino", "antineutrino"):
        for foc in ("horn-field", "horn-window"):
            t0 = time.process_time()
            res = neutrino_flux("miniboone", mode, focusing=foc, n_mesons=n_main, seed=SEED)
            main[f"{foc}/{mode}"] = {**metric(res, mode), "n_mesons_per_species": n_main,
                                     "cpu_s": round(time.process_time() - t0, 1)}
            off = official_bnb_flux(mode)[FOCUSED[mode]]
            with np.errstate(divide="ignore", invalid="ignore"):  # empty official bins above 8 GeV
                curves[(foc, mode)] = (res.edges_GeV, res.flux[FOCUSED[mode]] / off, res.error[FOCUSED[mode]] / off)
    variants = {}
    for label, opts in (("default", {}), ("in_horn_decays=drop", {"in_horn_decays": "drop"}),
                        ("conductor=traverse", {"conductor": "traverse"}), ("outer=drop", {"outer": "drop"}),
                        ("target_absorption=False", {"target_absorption": False}),
                        ("step_fraction=0.01,ds_max=20", {"step_fraction": 0.01, "ds_max": 20.0}),
                        ("t_inner=2mm", {"geometry": replace(BNB_HORN, t_inner=2.0)}),
                        ("t_inner=5mm", {"geometry": replace(BNB_HORN, t_inner=5.0)})):
        res = neutrino_flux("miniboone", "neutrino", focusing="horn-field", focusing_options=opts, n_mesons=n_var,
                            seed=SEED)
        met = metric(res, "neutrino")
        variants[label] = {k: met[k] for k in ("rms_log_ratio", "rms_log_ratio_mc_subtracted", "mean_log_ratio", "mc_rms",
                                               "integrated")}
    variants["n_mesons_per_species"] = n_var
    return main, {"variants": variants, "curves": curves}


def transport_numbers(n: int) -> dict:
    """What happens to π+ from the BNB production model in the horn (ν mode, default options)."""
    rng = np.random.default_rng(SEED)
    mes = sample_mesons(BEAMS.get("bnb"), "pi+", n, rng)
    foc = get_focusing("horn-field")
    res = foc.apply(mes, +1)
    st = foc.last_status
    w = mes.w
    tr = transport(mes.x, mes.p4[:, 1:], np.ones(n), +1)
    exit_ = tr.status == STATUS_EXIT
    surv = np.exp(-tr.l_al / LAMBDA_I_AL)
    # conservation on the sample (no decays): |p| and L_z
    p0 = np.linalg.norm(mes.p4[:, 1:], axis=1)
    lz0 = mes.x[:, 0] * mes.p4[:, 2] - mes.x[:, 1] * mes.p4[:, 1]
    p1 = tr.u * p0[:, None]
    lz1 = tr.x[:, 0] * p1[:, 1] - tr.x[:, 1] * p1[:, 0]
    scale = p0 * np.maximum(np.hypot(tr.x[:, 0], tr.x[:, 1]), 1.0)
    return {
        "n_pi_plus": n,
        # per produced π+ weight: decayed in the horn (after target and conductor absorption weights)
        "decayed_in_horn_per_produced": round(float(res.decayed.total() / w.sum()), 4),
        # fate before any absorption weight (fractions of the produced weight)
        "weight_fraction_status": {name: round(float(w[st == code].sum() / w.sum()), 4)
                                   for name, code in (("exit", STATUS_EXIT), ("outer", STATUS_OUTER),
                                                      ("decayed", STATUS_DECAYED))},
        "mean_al_path_mm_exiting": round(float(np.average(tr.l_al[exit_], weights=w[exit_])), 2),
        "mean_conductor_survival_exiting": round(float(np.average(surv[exit_], weights=w[exit_])), 4),
        "max_rel_momentum_error": float(np.max(np.abs(np.linalg.norm(p1, axis=1) / p0 - 1))),
        "max_rel_Lz_error": float(np.max(np.abs(lz1 - lz0) / scale)),
    }


def helix_numbers() -> dict:
    """Stepper in a uniform field (tests/test_horn.py::test_helix_in_uniform_field): radius error vs step."""
    pt, pz, bz = 300.0, 400.0, 1.5
    radius = pt / 1000 / (0.299792458 * bz) * 1000
    k = pt / (radius * np.hypot(pt, pz))
    out = {"radius_mm": round(radius, 3)}
    for nturn in (16, 64, 256):
        theta = 2 * np.pi / nturn
        rec, _ = push_uniform_field(np.zeros(3), np.array([pt, 0.0, pz]), 1.0, np.array([0, 0, bz]), theta / k, nturn)
        c = rec[:, :2].mean(axis=0)
        rfit = np.hypot(rec[:, 0] - c[0], rec[:, 1] - c[1]).mean()
        out[f"steps_per_turn_{nturn}"] = {"rel_radius_error": float(rfit / radius - 1),
                                          "theta2_over_12": float(theta**2 / 12)}
    return out


def plot_trajectories(path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4.2))
    z = np.linspace(BNB_HORN.z_start, BNB_HORN.z_end, 300)
    a = BNB_HORN.inner_radius(z)
    for sgn in (1, -1):
        ax.fill_between(z / 10, sgn * a / 10, sgn * (a - BNB_HORN.t_inner) / 10, color="0.5")
        ax.fill_between(z / 10, sgn * BNB_HORN.r_outer / 10, sgn * (BNB_HORN.r_outer + BNB_HORN.t_outer) / 10,
                        color="0.5")
    for q, col in ((1, "C3"), (-1, "C0")):
        for p in (500.0, 1000.0, 2000.0):
            for th in (0.06, 0.12, 0.2):
                pv = p * np.array([np.sin(th), 0.0, np.cos(th)])
                tr, _ = trajectory(np.array([0.0, 0.0, -200.0]), pv, q, +1)
                ax.plot(tr[:, 2] / 10, tr[:, 0] / 10, color=col, lw=0.8)
    ax.plot([], [], color="C3", label=r"$\pi^+$ (focused, $\nu$ mode)")
    ax.plot([], [], color="C0", label=r"$\pi^-$ (defocused)")
    ax.set_xlabel("z (cm)")
    ax.set_ylabel("x (cm)")
    ax.set_ylim(-35, 35)
    ax.set_title("BNB horn, 174 kA: 0.5/1/2 GeV/c at 0.06/0.12/0.2 rad from z = -20 cm (walls grey)")
    ax.legend(loc="lower left", fontsize=8)
    save_figure(fig, path)
    plt.close(fig)


def plot_ratio(path: Path, curves: dict) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, mode in zip(axes, ("neutrino", "antineutrino")):
        for foc, col in (("horn-field", "C3"), ("horn-window", "C0")):
            e, r, err = curves[(foc, mode)]
            c = 0.5 * (e[:-1] + e[1:])
            m = (c > 0.1) & (c < 3.0)
            ax.errorbar(c[m], r[m], err[m], color=col, fmt=".", ms=3, lw=0.7, label=foc)
        ax.axhline(1, color="k", lw=0.6)
        ax.axvspan(0.3, 2.0, color="0.9", zorder=0)
        ax.set_xlabel(r"$E_\nu$ (GeV)")
        ax.set_title(f"{mode} mode: {'ν_μ' if mode == 'neutrino' else 'ν̄_μ'} / official (metric range shaded)")
        ax.set_ylim(0, 2.2)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("ours / official MiniBooNE flux")
    save_figure(fig, path)
    plt.close(fig)


def main() -> None:
    quick = "--quick" in sys.argv
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    n_main, n_var = (200_000, 100_000) if quick else (1_000_000, 400_000)
    out = {"geometry": {"G_MeV": round(BNB_HORN.field_constant, 3),
                        "B_at_5cm_T": round(float(BNB_HORN.field(np.array([[50.0, 0, 0]]))[0, 1]), 4),
                        "t_inner_mm": BNB_HORN.t_inner, "t_outer_mm": BNB_HORN.t_outer,
                        "lambda_I_Al_mm": LAMBDA_I_AL,
                        "inner_wall_lambda_fraction": round(BNB_HORN.t_inner / LAMBDA_I_AL, 4)}}
    out["helix"] = helix_numbers()
    out["transport_pi_plus"] = transport_numbers(200_000)
    main_runs, extra = flux_runs(n_main, n_var)
    out["flux_metric"] = main_runs
    out["horn_field_variants_nu_mode"] = extra["variants"]
    hf, hw = main_runs["horn-field/neutrino"], main_runs["horn-window/neutrino"]
    out["verdict_nu_mode"] = ("horn-field beats horn-window" if hf["rms_log_ratio"] < hw["rms_log_ratio"]
                              else "horn-field does not beat horn-window")
    hf, hw = main_runs["horn-field/antineutrino"], main_runs["horn-window/antineutrino"]
    out["verdict_nubar_mode"] = ("horn-field beats horn-window" if hf["rms_log_ratio"] < hw["rms_log_ratio"]
                                 else "horn-field does not beat horn-window")
    plot_trajectories(HERE / "figures" / "horn_trajectories.png")
    plot_ratio(HERE / "figures" / "horn_flux_ratio.png", extra["curves"])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
