"""darkbeam commands that predict and fit a run config: run, events, fit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import InputError
from .app import (
    ConfigArg,
    EventsOpt,
    JsonOpt,
    NEventsOpt,
    NMesonsOpt,
    OutputOpt,
    OverwriteOpt,
    SeedOpt,
    _check_events_path,
    _check_output_dir,
    _check_output_file,
    _check_plot_files,
    _CommandStatus,
    _emit,
    _load_run_config,
    _plot_failure,
    _progress,
    _write_json,
    app,
)


def _best_fit_text(out: dict) -> list[str]:
    """Header of a prediction at darkbeam's best fit (``run --fit``, the default run): the fitted
    coupling with its 68% interval, the chi^2, and the comparison with the seed's (or the config's)
    coupling product."""
    f = out["best_fit"]
    b = f["best_fit"]
    name = f.get("parameter") or next(iter(b))
    unit = f" {b['unit']}" if b.get("unit") else ""
    if f["status"] == "no sensitivity":
        lines = [f"no sensitivity to {name}: {f['reason']}; the prediction below is at the config's couplings"]
    else:
        iv = b.get("interval_68")
        if iv is None:
            ivtext = ""
        elif iv[0] is None and iv[1] is None:
            ivtext = " (chi2 stays within 1 of its minimum over the whole range: not constrained)"
        else:
            ivtext = (" (68% interval " + " to ".join("the range's end" if x is None else f"{x:.3g}" for x in iv)
                      + ")")
        masses = "".join(f", {k} = {b[k]:g} MeV" for k in (f.get("masses") or {}))
        lines = [f"darkbeam's best fit: {name} = {b[name]:.4g}{unit}{ivtext}{masses}, chi2 = {f['chi2']:.2f} for "
                 f"ndof = {f['ndof']} (background only: {f['chi2_background_only']:.2f})"
                 + (f" [{f['status']}]" if f["status"] != "fit" else "")]
    sc = out.get("seed_comparison")
    if sc:
        u = f" {sc['unit']}" if sc["unit"] else ""
        lines += [("compared with seed 000 (arXiv:2110.11944, Table I scalar benchmark; `darkbeam run --no-fit` "
                   "predicts at the seed's couplings):"),
                  (f"  {sc['name']}: seed {sc['seed_product']:.3g}{u}, darkbeam's best fit "
                   f"{sc['darkbeam_product']:.3g}{u}, ratio darkbeam/seed = {sc['ratio']:.3g}")]
        if sc.get("excess_eqe_200_1250"):
            lines.append(f"  {sc['mode']} mode, 200 < E_QE < 1250 MeV: data excess over background "
                         f"{sc['excess_eqe_200_1250']:.4g} events; darkbeam predicts "
                         f"{sc['signal_events_eqe_200_1250_at_best_fit']:.4g} at its best fit and "
                         f"{sc['signal_events_eqe_200_1250_at_seed_product']:.4g} "
                         f"({sc['excess_ratio_at_seed_product']:.0f}x the excess) at the seed's product")
        lines.append(f"  why darkbeam's rate at the seed's couplings is ~170x the seed's: {sc['doc']}")
    cc = out.get("config_comparison")
    if cc:
        u = f" {cc['unit']}" if cc["unit"] else ""
        lines.append(f"  {cc['name']}: config {cc['config_product']:.4g}{u}, best fit {cc['darkbeam_product']:.4g}{u} "
                     f"(ratio best fit/config = {cc['ratio']:.3g})")
    lines.append("prediction at the best fit:" if f["status"] != "no sensitivity" else "prediction:")
    return lines


def _run_text(out: dict) -> str:
    head = _best_fit_text(out) if out.get("best_fit") else []
    if out.get("analysis") == "signal-only":  # experiment without packaged data (inference.predict)
        from ..inference.predict import signal_only_text

        lines = [signal_only_text(out)]
    else:
        cp = out.get("coupling_product")
        lines = [f"model {out['model']['name']} at {out['experiment']}"]
        if cp:
            lines.append(f"  {cp['name']} = {cp['value']:.4g} {cp['unit']}")
        for mode, r in out["modes"].items():
            lines.append(f"  {mode:13s} POT {r['pot']:.3g}: {r['signal_events']:.4g} signal events "
                         f"({r['signal_events_eqe_200_1250']:.4g} with 200 < E_QE < 1250 MeV)"
                         + (f"  [{r['note']}]" if r["note"] else ""))
            if "by_channel" in r:
                lines.append("    by channel  : " + ", ".join(f"{k} {x:.4g}" for k, x in r["by_channel"].items()))
        for part, (c2, nb) in out["chi2_parts"].items():
            lines.append(f"  chi2 {part:24s} {c2:10.2f} / {nb} bins")
        pot_chi2 = out.get("pot_for_chi2") or {}
        differ = {m: p for m, p in pot_chi2.items() if m in out["modes"] and p != out["modes"][m]["pot"]}
        lines.append(f"  chi2 = {out['chi2']:.2f}, ndof = {out['ndof']}, p = {out['pvalue']:.3g} "
                     f"(background only: {out['chi2_background_only']:.2f})"
                     + (" at the data's exposure: " + ", ".join(f"{m} {p:.4g} POT" for m, p in differ.items())
                        if differ else ""))
    o = out.get("off_target") or {}
    if "signal_events" in o:
        lines.append(f"  off-target ({o['pot']:.3g} POT): {o['signal_events']:.3g} signal events "
                     "(observed: no excess)")
    elif o.get("modelled") is False:
        lines.append(f"  off-target ({o['pot']:.3g} POT): {o['note']}")
    for n in out.get("notes", []):
        lines.append(f"  note: {n}")
    for w in out.get("warnings", []):
        lines.append(f"  WARNING: {w}")
    return "\n".join(head + lines)


def _write_run_events(pred, path: Path, mode: str | None = None, model=None, overwrite: bool = True,
                      unweight: bool = False, config: Path | None = None) -> dict:
    """Write the (cached) signal sample of ``mode`` at ``model`` (default: the run's) for the config's POT
    (docs/events.md: full records, NuHepMC, zero-weight events left out, optional unweighting); a summary.
    Interaction points and unweighting draw from ``[simulation].seed``. The caller checks the path before
    the simulation (:func:`_check_events_path`); ``overwrite=False`` also refuses a file that appeared since."""
    from ..io.events import event_record, write_record

    cfg = pred.config
    modes = cfg.experiment.modes
    mode = mode if mode is not None else ("neutrino" if "neutrino" in modes else modes[0])
    if mode not in modes:
        raise InputError("--mode", mode, modes)
    model = pred.model if model is None else model
    sample = pred.view(mode, model).sample
    pot = cfg.pot(mode)
    sim = cfg.simulation
    prov = {"config": str(config) if config is not None else "embedded default", "seed": sim.seed,
            "n_mesons": sim.n_mesons, "n_events": sim.n_events, "experiment": cfg.experiment.name, "mode": mode}
    rec = event_record(sample, model, pot, np.random.default_rng(sim.seed), unweight=unweight, provenance=prov)
    write_record(rec, path, overwrite=overwrite)
    meta = rec.metadata
    info = {"path": str(path), "format": path.suffix.lower().lstrip("."), "mode": mode, "pot": pot,
            "n_events": len(rec), "n_sample": meta["n_sample"], "n_zero_weight_dropped": meta["n_zero_weight"],
            "expected_events": float(np.sum(rec.weights["expected_events"])),
            "flux_averaged_total_cross_section": meta["flux_averaged_total_cross_section"],
            "seed": sim.seed, "n_mesons": sim.n_mesons, "n_events_per_target": sim.n_events}
    if meta["unweighting"] is not None:
        info["unweighting_efficiency"] = meta["unweighting"]["efficiency"]
    return info


def _events_text(info: dict) -> str:
    text = (f"{info['n_events']} {info['mode']}-mode events ({info['expected_events']:.4g} expected for "
            f"{info['pot']:.3g} POT) written to {info['path']}; {info['n_zero_weight_dropped']} of "
            f"{info['n_sample']} sampled events had weight 0 (rejected by the detector response) and were left out")
    if "unweighting_efficiency" in info:
        text += f"; unweighted (accept-reject efficiency {info['unweighting_efficiency']:.3g})"
    return text


@app.command("run")
def run_cmd(
    config: ConfigArg = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write seed-000 Fig.-2 style panels (PNG) "
                                                                "into this directory.")] = None,
    output: OutputOpt = None,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    events: EventsOpt = None,
    overwrite: OverwriteOpt = False,
    fit: Annotated[bool | None, typer.Option(
        "--fit/--no-fit", "--best-fit",
        help="--fit (or --best-fit): fit [fit].parameter first and give the prediction, spectra, chi^2, "
             "off-target run, events and plots at darkbeam's best fit. --no-fit: at the config's couplings. "
             "Default: --fit without CONFIG (darkbeam's best fit of the embedded seed-000 benchmark, compared "
             "with the seed's couplings), --no-fit with a CONFIG.")] = None,
) -> None:
    """Predict the signal of a config, its spectra against data, the chi^2 and the off-target run.

    Without CONFIG: darkbeam's best fit of the embedded default (seed 000's scalar benchmark at MiniBooNE),
    with the seed's coupling product, darkbeam's and their ratio (docs/validation.md explains the
    difference); `darkbeam run --no-fit` predicts at the seed's couplings instead.
    """
    from ..api import run_prediction

    # output paths are checked before the simulation; results (text/JSON, -o) are written before the
    # plots, so that a plotting failure never loses them (it is then a one-line error, exit code 2)
    _check_events_path(events, overwrite=overwrite)
    _check_output_file(output, "--output", overwrite)
    _check_output_dir(plot, "--plot", overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    do_fit = (config is None) if fit is None else fit
    with _CommandStatus("run") as status:
        pred, out, res = run_prediction(cfg, fit=do_fit, seed_comparison=do_fit and config is None,
                                        progress=status.progress, stage=status.stage)
        if events is not None:
            status.stage(f"writing events to {events}", 0, 1)
            out["events_file"] = _write_run_events(pred, events, model=None if res is None else res.model,
                                                   overwrite=overwrite, config=config)
            if res is not None:
                out["events_file"]["at"] = "best fit"
    if plot is not None:
        from ..plotting import spectra_panel_paths

        paths = spectra_panel_paths(plot, out)
        _check_plot_files(paths, "--plot", overwrite)  # the exact names, known now (before anything is written)
        out["plots"] = [str(p) for p in paths]  # written after the results
    if output is not None:
        _write_json(output, out)
    text = _run_text(out)
    if "events_file" in out:
        e = out["events_file"]
        text += f"\n  events: {e['n_events']} {e['mode']}-mode events written to {e['path']}"
    _emit(out, as_json, text)
    if plot is not None:
        from ..plotting import plot_spectra_panels

        with _plot_failure(plot):
            plot_spectra_panels(plot, out)


@app.command("events")
def events_cmd(
    config: ConfigArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Events file: .parquet, .hepmc3 or .hepmc "
                                                                  "(format by suffix).")] = Path("events.parquet"),
    mode: Annotated[str | None, typer.Option("--mode", help="Beam mode of the config (default: neutrino if "
                                                             "present, else the first).")] = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    overwrite: OverwriteOpt = False,
    unweight: Annotated[bool, typer.Option("--unweight", help="Unit-weight events: keep each event with "
                                                               "probability w/w_max (accept-reject), all kept "
                                                               "events get the same weight; the efficiency is "
                                                               "reported.")] = False,
) -> None:
    """Generate the signal sample of a config and write its events (no chi^2): Parquet or HepMC3 (NuHepMC).

    Each event holds the beam proton, the parent meson with its production and decay points, the dark
    state(s) with their interaction or decay points and times of flight, the target and recoil, and every
    final-state particle (docs/events.md). Weights: CV (events per POT) and expected_events (config POT).
    """
    from ..inference.predict import Predictor

    _check_events_path(output, "--output", overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    if mode is not None and mode not in cfg.experiment.modes:
        raise InputError("--mode", mode, cfg.experiment.modes)
    info = _write_run_events(Predictor(cfg, progress=_progress()), output, mode, overwrite=overwrite,
                             unweight=unweight, config=config)
    _emit(info, as_json, _events_text(info))


@app.command("fit")
def fit_cmd(
    config: ConfigArg = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write Fig.-2 style panels at the best fit "
                                                                "into this directory.")] = None,
    output: OutputOpt = None,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Fit the coupling named by fit.parameter in the config (exact re-weighting), over fit.masses if given."""
    from ..inference.predict import Predictor

    _check_output_file(output, "--output", overwrite)
    _check_output_dir(plot, "--plot", overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    pred = Predictor(cfg, progress=_progress())
    res = pred.fit()
    out = res.to_dict()
    from ..api import _fit_warnings

    out["warnings"] = _fit_warnings(res, cfg)  # background only, edge of the range or of the mass grid
    if cfg.experiment.off_target:
        out["off_target"] = pred.off_target(res.model)
    best_prediction = None
    if plot is not None:
        from ..plotting import spectra_panel_paths

        best_prediction = pred.predict(res.model, off_target=False)
        paths = spectra_panel_paths(plot, best_prediction)
        _check_plot_files(paths, "--plot", overwrite)
        out["plots"] = [str(p) for p in paths]  # written after the results
    if output is not None:
        _write_json(output, out)
    b = out["best_fit"]
    cp = b.get("coupling_product")
    iv = b.get("interval_68")
    if res.status == "no sensitivity":
        head = f"no sensitivity to {res.parameter}: {res.reason}"
    else:
        if iv is None:
            ivtext = ""
        elif iv[0] is None and iv[1] is None:
            ivtext = " (chi2 stays within 1 of its minimum over the whole range: the data do not constrain it)"
        else:
            ivtext = (" (68% interval " + " to ".join("the range's end" if x is None else f"{x:.3g}" for x in iv)
                      + ")")
        head = (f"best fit {res.parameter} = {res.value:.4g}" + (f" {b['unit']}" if b["unit"] else "") + ivtext
                + "".join(f", {k} = {v:g} MeV" for k, v in res.masses.items())
                + (f" [{res.status}: {res.reason}]" if res.status != "fit" else ""))
    text = "\n".join([
        head,
        *([f"  {cp['name']} = {cp['value']:.4g} {cp['unit']}"] if cp else []),
        *[f"  {m}: {n:.4g} signal events" for m, n in res.signal_events.items()],
        (f"  chi2 = {res.chi2:.2f}, ndof = {res.ndof}, chi2/dof = {out['chi2_per_dof']:.3f}, p = {res.pvalue:.3g} "
         f"(background only: {res.chi2_null:.2f})"),
        *([f"  off-target: {out['off_target']['signal_events']:.3g} events"]
          if "signal_events" in out.get("off_target", {}) else []),
        *([f"  off-target: not modelled ({out['off_target'].get('note', '')})"]
          if out.get("off_target", {}).get("modelled") is False else []),
        *[f"  note: {n}" for n in res.notes],
        *[f"WARNING: {w}" for w in out["warnings"]],
    ])
    _emit(out, as_json, text)
    if plot is not None:
        from ..plotting import plot_spectra_panels

        with _plot_failure(plot):
            plot_spectra_panels(plot, best_prediction)
