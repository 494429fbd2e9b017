"""Signal-only predictions at the BNB LArTPCs (MicroBooNE, SBND, ICARUS) for the seed-000 benchmarks at
darkbeam's MiniBooNE best-fit couplings and for seed 001's BP-A: totals, splits, figures
docs/figures/pred_<exp>_<bm>.png, and the seed-000 MicroBooNE 1γ0p comparison (docs/predictions.md).

``--seed-section`` (re)writes only the section of docs/predictions.md between the markers
``<!-- BEGIN seed-000 MicroBooNE -->`` and ``<!-- END seed-000 MicroBooNE -->``: seed 000's MicroBooNE 1γ0p
estimate (~18 events) revisited with darkbeam's geometry and response (:func:`seed_comparison`, also used by
tests/test_lar_predictions.py), with MicroBooNE's published 1γ0p background and the significance.

``--all-experiments`` (re)writes only the section between ``<!-- BEGIN all-experiments -->`` and
``<!-- END all-experiments -->``: the seed benchmarks of examples/<benchmark>.toml (their stated model points) at
EVERY experiment of `darkbeam list experiments`, each in its default modes at its catalogue exposure, through
:func:`darkbeam.inference.multi_experiment.predict_experiments` (:func:`all_experiments`, also used by
tests/test_multi_experiment.py): expected signal events with the relative MC error, the reason for every zero,
and the best single-shower selection's background and significance where the backgrounds module has one.

Usage: /work/venv/bin/python docs/make_predictions.py [--quick] [--json OUT.json] [--seed-section]
       [--all-experiments [--n-mesons N --n-events N --sim-seed S]]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from darkbeam.data.miniboone_release import miniboone_efficiency
from darkbeam.detectors.backgrounds import background, selections, significance
from darkbeam.detectors.catalog import get_experiment
from darkbeam.detectors.response import LAR_PHOTON_EFFICIENCY
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
#: seed 000 (arXiv:2110.11944, "Fourth, ..." paragraph): MiniBooNE's 320 excess events below 300 MeV visible
#: energy, scaled by 1/18 (POT 1/3 x fiducial volume 1/6 x photon efficiency 1/3 x argon coherence 3) to ~18 events
#: in MicroBooNE's 1γ0p selection at low energy
SEED_MB_EXCESS = 320.0
SEED_FACTOR = 1.0 / 18.0
SEED_UB_EVENTS = SEED_MB_EXCESS * SEED_FACTOR
LOW_E = 300.0  # MeV, "below 300 MeV visible energy"
MARK_BEGIN, MARK_END = "<!-- BEGIN seed-000 MicroBooNE -->", "<!-- END seed-000 MicroBooNE -->"
ALL_BEGIN, ALL_END = "<!-- BEGIN all-experiments -->", "<!-- END all-experiments -->"
#: modest sample sizes of the all-experiments table (a few minutes on one core); stated in the doc
ALL_SIM = {"n_mesons": 50000, "n_events": 5000, "seed": 2024}


def _mc(w: np.ndarray) -> tuple[float, float]:
    """(sum, relative MC error) of event weights."""
    t = float(w.sum())
    return t, (float(np.sqrt(np.sum(w * w))) / t if t > 0 else float("inf"))


def _coherent_per_tonne(exp: str) -> float:
    """Σ over the medium's nuclei of (2Z+N)² per tonne / N_A: the coherent u-quark-Z' charge² (seed 000 Eq. 2) per
    tonne, free protons included (Z = 1, N = 0)."""
    m = get_experiment(exp).material
    return sum(n * (2 * z + (a - z)) ** 2 for _s, z, a, n in m.components) / m.molar_mass


def seed_comparison(model_cfg: dict, n_mesons: int, n_events: int, seed: int) -> dict:
    """Seed 000's MicroBooNE 1γ0p estimate revisited: the same model at MiniBooNE (ν mode, 18.75e20 POT, E_vis <
    300 MeV) and at MicroBooNE (darkbeam's 1g topology with no visible proton, E_vis < 300 MeV, 6.80e20 POT).

    Returns the two counts at the config's couplings, their ratio (coupling independent), the MicroBooNE count
    normalised as the seed does (MiniBooNE's 320 excess events x ratio), its ratio to the seed's 18, relative MC
    errors, the ratio's factors (POT, active mass, efficiency, coherent charge per tonne, 1/L²) and the rest."""
    sim = {"n_mesons": n_mesons, "n_events": n_events, "seed": seed}
    cfg = parse_config({"model": model_cfg, "experiment": {"name": "microboone", "modes": ["neutrino"],
                                                            "off_target": False}, "simulation": sim})
    pred = Predictor(cfg)
    s = pred.view("neutrino").sample
    w = s.weights(pred.model, UB_1G_POT)
    g = sample_groups(s, "microboone")
    sel = g["topology"]["1g"] & g["protons"]["0p"]
    ub, ub_err = _mc(np.where(sel & (s.E_vis < LOW_E), w, 0.0))
    ub_all, _ = _mc(np.where(sel, w, 0.0))
    mb_s = build_signal(pred.model, "miniboone", "neutrino", **sim)
    wmb = mb_s.weights(pred.model, MB_POT)
    low = (mb_s.E_vis < LOW_E) & (wmb > 0)
    mb, mb_err = _mc(np.where(low, wmb, 0.0))
    # signal-weighted mean MiniBooNE efficiency below 300 MeV: Σw / Σ(w/ε) (MiniBooNE's response is unsmeared)
    eff_mb = float(wmb[low].sum() / np.sum(wmb[low] / miniboone_efficiency(mb_s.E_vis[low])))
    ratio = ub / mb
    ub_e, mb_e = get_experiment("microboone"), get_experiment("miniboone")
    factors = {"pot": UB_1G_POT / MB_POT, "mass": ub_e.fiducial_mass / mb_e.fiducial_mass,
               "efficiency": LAR_PHOTON_EFFICIENCY / eff_mb,
               "coherent": _coherent_per_tonne("microboone") / _coherent_per_tonne("miniboone"),
               "distance": (mb_e.distance / ub_e.distance) ** 2}
    prod = float(np.prod(list(factors.values())))
    bkg = background("microboone", "1g0p")
    b = bkg.events(UB_1G_POT)
    sb = bkg.uncertainty_per_pot * UB_1G_POT
    scaled = SEED_MB_EXCESS * ratio
    return {"ub_1g0p_low": ub, "ub_1g0p_low_mc": ub_err, "ub_1g0p_all": ub_all, "mb_low": mb, "mb_low_mc": mb_err,
            "ratio": ratio, "ratio_mc": float(np.hypot(ub_err, mb_err)), "scaled_to_320": scaled,
            "ratio_to_seed": scaled / SEED_UB_EVENTS, "seed_events": SEED_UB_EVENTS, "seed_factor": SEED_FACTOR,
            "eff_mb": eff_mb, "factors": factors, "factor_product": prod, "rest": ratio / prod,
            "background_1g0p": b, "background_1g0p_syst": sb, "observed_1g0p": selections()["1g0p"]["observed"], "significance_scaled": significance(scaled, b, sb),
            "significance_best_fit": significance(ub_all, b, sb)}


def seed_section(r: dict, model_note: str, sim: dict) -> str:
    """Markdown of the seed-000 MicroBooNE comparison (between the markers), numbers from :func:`seed_comparison`."""
    f = r["factors"]
    sig, sigb = r["significance_scaled"], r["significance_best_fit"]
    meta = {k: r[k] for k in ("ub_1g0p_low", "mb_low", "ratio", "ratio_mc", "scaled_to_320", "ratio_to_seed",
                                 "rest")}
    return "\n".join([
        MARK_BEGIN,
        "## Seed 000's MicroBooNE estimate (~18 events in the low-energy 1γ0p selection), revisited",
        "Seed 000 scales MiniBooNE's 320 excess events below 300 MeV visible energy to MicroBooNE's 1γ0p analysis",
        "(PRL 128, 111801, 6.80e20 POT) by 1/3 (POT) × 1/6 (fiducial volume) × 1/3 (photon efficiency) × 3 (coherent",
        "gain of argon) = 1/18 → ~18 events. darkbeam runs the same model (" + model_note + ") through its geometry",
        "and responses: MiniBooNE ν mode (18.75e20 POT, Cherenkov response, E_vis < 300 MeV) and MicroBooNE",
        "(LArTPC response, topology 1g with no proton above 40 MeV, E_vis < 300 MeV, 6.80e20 POT). The ratio of the",
        "two does not depend on the couplings; normalising MiniBooNE to the seed's 320 events gives darkbeam's",
        "version of the seed's number.",
        "",
        "| quantity | darkbeam | seed 000 |",
        "|---|---|---|",
        f"| MiniBooNE, E_vis < 300 MeV, at the config's couplings | {r['mb_low']:.4g} (MC {r['mb_low_mc']:.1%}) | (320 excess) |",
        f"| MicroBooNE 1γ0p, E_vis < 300 MeV, same couplings | {r['ub_1g0p_low']:.4g} (MC {r['ub_1g0p_low_mc']:.1%}) | |",
        f"| ratio MicroBooNE / MiniBooNE | 1/{1 / r['ratio']:.3g} (MC {r['ratio_mc']:.1%}) | 1/18 |",
        f"| **MicroBooNE 1γ0p events for 320 MiniBooNE events** | **{r['scaled_to_320']:.3g}** | **~{r['seed_events']:.0f}** |",
        f"| ratio darkbeam / seed | **{r['ratio_to_seed']:.3g}** | |",
        "",
        "Why they differ — the ratio's factors, each from darkbeam's catalogue and responses:",
        "",
        "| factor | darkbeam | seed |",
        "|---|---|---|",
        f"| POT 6.80e20 / 18.75e20 | {f['pot']:.3g} | 1/3 |",
        f"| active (MicroBooNE 85 t, efficiency includes the fiducial cut) / fiducial mass (MiniBooNE 818 t with eg_effs) | {f['mass']:.3g} | 1/6 (fiducial volume) |",
        f"| efficiency: LArTPC flat {LAR_PHOTON_EFFICIENCY:.1%} / MiniBooNE eg_effs averaged over the signal below 300 MeV ({r['eff_mb']:.3f}) | {f['efficiency']:.3g} | 1/3 |",
        f"| coherent (2Z+N)² per tonne, Ar / CH2 (u-quark Z′, seed 000 Eq. 2) | {f['coherent']:.3g} | 3 |",
        f"| (541 m / 470 m)²: MicroBooNE is closer to the target | {f['distance']:.3g} | not included |",
        f"| product | 1/{1 / r['factor_product']:.3g} | 1/18 |",
        f"| rest (ratio / product): thresholds (100 MeV LAr vs 140 MeV MiniBooNE), form factors, pair/photon topology, angular acceptance | {r['rest']:.3g} | — |",
        "",
        f"darkbeam's mass × efficiency is {f['mass'] * f['efficiency']:.3g} against the seed's 1/6 × 1/3 = {1 / 18:.3g}; the",
        "larger coherent factor (argon's 2Z+N charge for a u-quark Z′, per tonne) and the shorter baseline, not in the",
        f"seed's estimate, make darkbeam's number {r['ratio_to_seed']:.2g} times the seed's; the rest collects what the factor",
        "list leaves out.",
        "",
        f"Against MicroBooNE's published 1γ0p background ({r['background_1g0p']:.4g} ± {r['background_1g0p_syst']:.3g} events at",
        "6.80e20 POT, all energies, `detectors/backgrounds.py`), the seed-normalised signal would stand at",
        f"s/√b = {sig['s_over_sqrt_b']:.3g}, Z_Asimov = {sig['z_asimov']:.3g} ({sig['z_asimov_syst']:.3g} with the background's",
        f"systematic uncertainty); darkbeam's best fit at MiniBooNE gives {r['ub_1g0p_all']:.3g} 1γ0p events (all energies),",
        f"s/√b = {sigb['s_over_sqrt_b']:.3g}, Z_Asimov = {sigb['z_asimov']:.3g} ({sigb['z_asimov_syst']:.3g}) at 6.80e20 POT. MicroBooNE",
        f"observed {r['observed_1g0p']} events ({r['observed_1g0p'] - r['background_1g0p']:.3g} above the background).",
        "",
        f"Numbers: `docs/make_predictions.py --seed-section` ({sim['n_mesons']} mesons per species, {sim['n_events']} events",
        f"per target, seed {sim['seed']}); `tests/test_lar_predictions.py::test_seed_microboone_comparison_as_documented`",
        "recomputes them with an independent seed and checks them within their MC errors.",
        f"<!-- seed-000 numbers: {json.dumps(meta)} -->",
        MARK_END,
    ])


def write_seed_section(quick: bool) -> dict:
    """Compute :func:`seed_comparison` for the scalar benchmark at darkbeam's best fit and rewrite its section."""
    import tomllib

    data = tomllib.loads((ROOT / "examples" / "scalar_microboone.toml").read_text())
    sim = dict(data["simulation"])
    if quick:
        sim.update(n_mesons=20000, n_events=2000)
    r = seed_comparison(data["model"], sim["n_mesons"], sim["n_events"], sim["seed"])
    note = ("seed 000's scalar benchmark at darkbeam's MiniBooNE best fit, examples/scalar_microboone.toml")
    doc = ROOT / "docs" / "predictions.md"
    text = doc.read_text()
    i, j = text.find(MARK_BEGIN), text.find(MARK_END)
    if i < 0 or j < 0:
        raise SystemExit(f"markers {MARK_BEGIN} / {MARK_END} not found in {doc}")
    doc.write_text(text[:i] + seed_section(r, note, sim) + text[j + len(MARK_END):])
    print(json.dumps(r, indent=1, default=float))
    return r


def all_experiments(bm: str, sim: dict, experiments: list[str] | None = None) -> dict:
    """Predictions of benchmark ``bm`` (examples/<bm>.toml, its stated model point) at ``experiments`` (default:
    every experiment of the catalogue), each in its default modes at its catalogue POT, with sample sizes ``sim``
    (n_mesons, n_events, seed). Returns :func:`predict_experiments`'s dict plus ``seconds``."""
    import tomllib

    from darkbeam.detectors.catalog import EXPERIMENTS
    from darkbeam.inference.multi_experiment import predict_experiments

    data = tomllib.loads((ROOT / "examples" / f"{bm}.toml").read_text())
    data["simulation"] = {**data.get("simulation", {}), **sim}
    data.pop("fit", None)
    t0 = time.time()
    res = predict_experiments(parse_config(data), list(experiments or EXPERIMENTS.names()))
    res["seconds"] = time.time() - t0
    return res


def _best_selection(m: dict) -> tuple[str, dict] | None:
    """The single-shower selection with a known background and the largest Asimov Z, or None."""
    sels = [(k, v) for k, v in m.get("selections", {}).items() if v.get("background") is not None]
    return max(sels, key=lambda kv: kv[1]["z_asimov"]) if sels else None


def all_cells(res_by_bm: dict) -> tuple[list[tuple[str, str]], dict, list[str]]:
    """(rows (experiment, mode), cells {(exp, mode, bm): text}, numbered reasons) of the all-experiments table.
    Rows are sorted by experiment and its default modes; an experiment not predicted for a benchmark fills each of
    its default modes (or one row "—" when it has none) with its status and reason."""
    from darkbeam.inference.multi_experiment import default_modes

    cells, reasons, keys = {}, [], set()

    def ref(text: str) -> str:
        if text not in reasons:
            reasons.append(text)
        return f"[{reasons.index(text) + 1}]"

    for bm, res in res_by_bm.items():
        for r in res["experiments"]:
            name = r["experiment"]
            if r["status"] != "predicted":
                for mode in default_modes(name) or ["—"]:
                    keys.add((name, mode))
                    cells[(name, mode, bm)] = f"{r['status']} {ref(r['reason'])}"
                continue
            for mode, m in r["modes"].items():
                keys.add((name, mode))
                n = m["signal_events"]
                if not n > 0:
                    cells[(name, mode, bm)] = f"0 {ref(m.get('reason', 'no accepted event'))}"
                    continue
                txt = f"{n:.3g} ± {100 * (m.get('mc_relative_error') or 0):.0f} %"
                best = _best_selection(m)
                if best:
                    k, v = best
                    zs = v["z_asimov_syst"]
                    txt += (f"; {k}: s {v['signal']:.3g} / b {v['background']:.3g}, Z {v['z_asimov']:.3g}"
                            + (f" ({zs:.2g} syst.)" if zs is not None else ""))
                cells[(name, mode, bm)] = txt

    def order(key: tuple[str, str]) -> tuple[str, int]:
        modes = default_modes(key[0])
        return key[0], modes.index(key[1]) if key[1] in modes else len(modes)

    return sorted(keys, key=order), cells, reasons


def _coupling_ratio() -> tuple[float, float, float]:
    """(g_mu g_n lam of examples/scalar.toml, of the MiniBooNE best fit examples/scalar_microboone.toml, ratio),
    the products in /MeV, read from the models the configs build."""
    import tomllib

    from darkbeam.inference.predict import coupling_product

    vals = []
    for f in ("scalar.toml", "scalar_microboone.toml"):
        data = tomllib.loads((ROOT / "examples" / f).read_text())
        data["experiment"] = {"name": "microboone", "modes": ["neutrino"], "off_target": False}
        data.pop("fit", None)
        vals.append(coupling_product(Predictor(parse_config(data)).model)["value"])
    return vals[0], vals[1], vals[0] / vals[1]


#: a zero reason known to hide its cause (the note of pipeline/dark_neutrino_signal.py when the generator refuses
#: the experiment): flagged under the table
def all_section(res_by_bm: dict, sim: dict) -> str:
    """Markdown of the all-experiments table (between its markers)."""
    bms = list(res_by_bm)
    rows, cells, reasons = all_cells(res_by_bm)
    meta = {f"{bm}/{r['experiment']}/{mode}": [m["signal_events"], m.get("mc_relative_error")]
            for bm, res in res_by_bm.items() for r in res["experiments"] if r["status"] == "predicted"
            for mode, m in r["modes"].items()}
    secs = sum(res["seconds"] for res in res_by_bm.values())
    cp = _coupling_ratio()
    errs = [e for _n, e in meta.values() if e is not None]
    lines = [
        ALL_BEGIN,
        "## The seed benchmarks at every experiment (`darkbeam list experiments`)",
        "Expected signal events of each seed benchmark at its stated model point (`examples/<benchmark>.toml`:",
        "scalar and pseudoscalar = seed 000 Table I/II couplings, iDM = seed 000 benchmarks, BP-A = seed 001), at every",
        "experiment of the catalogue in its default modes (catalogue exposure; off-target runs left out), through",
        "`predict_experiments` (the code behind `darkbeam predict CONFIG --experiments ...`). Each cell: events ± the",
        "relative MC error √Σw²/Σw; at the BNB LArTPCs the single-shower selection with a known background and the",
        "largest Asimov Z (s, b, Z_Asimov and, in brackets, Z with the background's systematic uncertainty; see the",
        "backgrounds section below). Elsewhere no background is modelled (signal counts only). A zero or a",
        "non-runnable experiment carries its reason [n], listed under the table. These are the seed's model points,",
        f"not darkbeam's MiniBooNE best fits (tables above): the scalar point's g_μ g_n λ = {cp[0]:.3g} /MeV is",
        f"{cp[2]:.3g} times the best fit's ({cp[1]:.3g} /MeV), so its rates are {cp[2] ** 2:.3g} times larger (rate ∝",
        "(g_μ g_n λ)²). Detector responses with unconfirmed numbers (DUNE ND,",
        "MINERvA, NOvA ND, CCM, JSNS²: efficiency 1, APPROXIMATE parameters) make those rows upper bounds; every",
        "prediction repeats its response's assumptions as warnings.",
        "",
        f"Sample sizes: {sim['n_mesons']} mesons per parent species, {sim['n_events']} detector events per target, seed",
        f"{sim['seed']} (`docs/make_predictions.py --all-experiments`, {secs:.0f} s in all on this machine). At these",
        f"sizes the relative MC errors of the non-zero cells lie between {min(errs):.1%} and {max(errs):.1%} (stated per",
        "cell); they are statistical only.",
        "",
        "| experiment | mode | " + " | ".join(bms) + " |",
        "|---|---|" + "---|" * len(bms),
    ]
    for name, mode in rows:
        lines.append(f"| {name} | {mode} | " + " | ".join(cells.get((name, mode, bm), "") for bm in bms) + " |")
    lines += ["", "Reasons:", ""]
    lines += [f"{i + 1}. {t}" for i, t in enumerate(reasons)]
    lines += ["", *tracker_lines()]
    lines += ["",
              "`tests/test_multi_experiment.py::test_all_experiments_table_as_documented` recomputes two of these",
              "numbers with an independent seed and checks them within their MC errors.",
              f"<!-- all-experiments numbers: {json.dumps({'sim': sim, 'events': meta})} -->",
              ALL_END]
    return "\n".join(lines)


def tracker_lines() -> list[str]:
    """Markdown table of the tracker responses' parameters (detectors/response_tracker.py), APPROXIMATE marked."""
    from darkbeam.detectors.response_tracker import TRACKER_PARAMETERS

    out = ["### Tracker responses (MINERvA, NOvA ND; `detectors/response_tracker.py`)",
           "LArTPC topologies (1g / 1e / 2sh) with tracker parameters; * = APPROXIMATE (recalled or estimated, not",
           "confirmed against the publication in this work; repeated as a warning in every prediction). Note: MINERvA's",
           "ν-e selection rejects photon-like (2-MIP) showers by dE/dx, so its published selection would not keep the",
           "1g topology; darkbeam counts every topology (a dedicated search is assumed).",
           "",
           "| tracker | E_vis threshold | shower threshold | σ_E/E | angle σ | 2-shower separation | efficiency |",
           "|---|---|---|---|---|---|---|"]
    for name, p in TRACKER_PARAMETERS.items():
        def star(key: str, p=p) -> str:
            return "*" if key in p.approximate else ""

        out.append(f"| {name} | {p.threshold:.0f} MeV{star('threshold')} | {p.shower_threshold:.0f} MeV"
                   f"{star('shower_threshold')} | {100 * p.energy_stochastic:.0f} %/√E ⊕ {100 * p.energy_constant:.0f} %"
                   f"{star('energy resolution')} | {1000 * p.angle_resolution:.3g} mrad{star('angle_resolution')} | "
                   f"{np.degrees(p.separation_angle):.1f}°{star('separation_angle')} | {p.efficiency:g}"
                   f"{star('efficiency')} |")
    out += ["", "Sources: " + "; ".join(f"{name}: " + ", ".join(f"{k} — {v}" for k, v in p.sources)
                                        for name, p in TRACKER_PARAMETERS.items()) + "."]
    return out


def write_all_section(benchmarks: list[str], sim: dict, json_out: Path | None) -> dict:
    """Compute :func:`all_experiments` for ``benchmarks`` and rewrite the all-experiments section."""
    res_by_bm = {}
    for bm in benchmarks:
        res_by_bm[bm] = all_experiments(bm, sim)
        print(f"{bm}: {res_by_bm[bm]['seconds']:.0f} s", flush=True)
    doc = ROOT / "docs" / "predictions.md"
    text = doc.read_text()
    i, j = text.find(ALL_BEGIN), text.find(ALL_END)
    if i < 0 or j < 0:
        raise SystemExit(f"markers {ALL_BEGIN} / {ALL_END} not found in {doc}")
    doc.write_text(text[:i] + all_section(res_by_bm, sim) + text[j + len(ALL_END):])
    if json_out:
        json_out.write_text(json.dumps(res_by_bm, indent=1, default=float))
    return res_by_bm


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
    ap.add_argument("--seed-section", action="store_true", help="only rewrite the seed-000 MicroBooNE section")
    ap.add_argument("--all-experiments", action="store_true",
                    help="only rewrite the section of the benchmarks at every experiment")
    ap.add_argument("--n-mesons", type=int, default=ALL_SIM["n_mesons"])
    ap.add_argument("--n-events", type=int, default=ALL_SIM["n_events"])
    ap.add_argument("--sim-seed", type=int, default=ALL_SIM["seed"])
    args = ap.parse_args()
    if args.seed_section:
        write_seed_section(args.quick)
        return
    if args.all_experiments:
        sim = {"n_mesons": args.n_mesons, "n_events": args.n_events, "seed": args.sim_seed}
        write_all_section(list(args.benchmarks), sim, args.json)
        return
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
