"""darkbeam commands over grids and posteriors: scan, regions, posterior, sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import InputError
from .app import (
    ConfigArg,
    JsonOpt,
    NEventsOpt,
    NMesonsOpt,
    OutputOpt,
    OverwriteOpt,
    SeedOpt,
    _check_output_file,
    _emit,
    _load_run_config,
    _plot_failure,
    _progress,
    _write_json,
    app,
)


@app.command("scan")
def scan_cmd(
    config: ConfigArg = None,
    grid: Annotated[list[str] | None, typer.Option(
        "--grid", help="Axis NAME=VALUES with units: a list (m_phi='1 MeV,5 MeV,10 MeV'), N log-spaced points "
                       "(m_phi='1 MeV..100 MeV/5'), N linear points (g_n='1e-4..1e-3/10:lin'); masses, couplings "
                       "(re-weighted), settings, or experiment=miniboone,sbnd. Repeat for more axes (a product grid); "
                       "replaces [fit].masses.")] = None,
    backend: Annotated[str, typer.Option("--backend", help="local (default: all cores) | serial | dask | "
                                                           "dask-distributed")] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: the number of "
                                                                  "cores).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run on a Dask cluster: the scheduler's "
                                                                      "address, tcp://HOST:PORT.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table: .parquet (one row per "
                                                                         "point, written incrementally and "
                                                                         "atomically, resumable), .json or .csv.")
                      ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the -o FILE.parquet of a killed scan (same "
                                                          "config and grid, checked by hashes).")] = False,
    background: Annotated[list[str] | None, typer.Option(
        "--background", help="Expected background events for the significance at experiments without data: N, "
                             "or EXPERIMENT=N (repeatable).")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG of delta chi^2 (or signal) over the "
                                                             "grid.")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory (default: "
                                                               "$DARKBEAM_CACHE or ~/.cache/darkbeam).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    status_every: Annotated[float, typer.Option("--status-every", help="Seconds between status lines when stderr "
                                                                       "is not a terminal.")] = 30.0,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Scan model parameters (masses, couplings, settings) and experiments: chi^2 (and the fit of fit.parameter)
    at experiments with data, expected signal and significance elsewhere. Samples are generated once per mass
    point and cached on disk; couplings re-weight. See docs/scans.md."""
    from ..inference.scan import check_output_path, parse_background, scan

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    if workers is not None and workers < 1:
        raise InputError("--workers", workers, "a positive number of worker processes")
    if not status_every > 0:
        raise InputError("--status-every", status_every, "a positive number of seconds")
    check_output_path(output, resume)
    parquet = output is not None and output.suffix.lower() == ".parquet"
    if parquet and overwrite:
        raise InputError("--overwrite", True, "no --overwrite with a Parquet scan table (a scan table is never "
                                              "overwritten: --resume continues it; remove it to start again)")
    _check_output_file(output, "--output", overwrite or parquet)  # the scan table checks its own file (resume)
    _check_output_file(plot, "--plot", overwrite)
    bkg = parse_background(background)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    # every input check (grid, priors, resume table, scheduler) happens in scan() before any simulation
    res = scan(cfg, grid or None, backend=backend, workers=workers, scheduler=scheduler,
               cache=False if no_cache else (cache if cache is not None else True), output=output, resume=resume,
               background=bkg, progress=True, status_every=status_every)
    out = res.to_dict()
    if output is not None:
        out["output"] = str(output)
    if plot is not None:
        out["plot"] = str(plot)  # written after the results (a plotting failure never loses them)
    _emit(out, as_json, _scan_text(res))
    if plot is not None:
        with _plot_failure(plot):
            res.plot(plot)


def _scan_text(res) -> str:
    """Plain-text report of a scan: the points (at most 40 lines), then the summary."""

    def fmt(v) -> str:
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    axes = " x ".join(f"{k} ({len(v)})" for k, v in res.axes.items())
    fitted = f"{res.parameter} fitted at each point; " if res.parameter else ""
    lines = [f"scan of {res.model} over {axes}: {fitted}{len(res.points)} points [{res.backend}, {res.seconds:.1f} s"
             + (f", {res.resumed_points} resumed from {res.output}" if res.resumed_points else "") + "]"]
    shown = res.points if len(res.points) <= 40 else res.points[:20] + [None] + res.points[-19:]
    for p in shown:
        if p is None:
            lines.append(f"  ... ({len(res.points) - 39} points not shown: see -o / --json)")
            continue
        desc = ", ".join(f"{k} = {fmt(v)}" for k, v in p["point"].items())
        if p.get("value") is not None:
            desc += f": {res.parameter} = {p['value']:.4g}"
        if p.get("chi2") is not None:
            desc += f", chi2 = {p['chi2']:.2f}, dchi2 = {p['delta_chi2']:.2f}"
        else:
            desc += f", signal = {p['signal_total']:.4g}"
            if p.get("significance") is not None:
                desc += f", Z = {p['significance']:.3g}"
        if p.get("status") not in ("ok", "fit"):
            desc += f" [{p['status']}]"
        lines.append("  " + desc)
    summ = res.summary()
    for exp, b in summ["best"].items():
        desc = ", ".join(f"{k} = {fmt(v)}" for k, v in b["point"].items() if k != "experiment")
        if "chi2" in b:
            line = f"best at {exp}: {desc}"
            if "fitted" in b:
                f = b["fitted"]
                lo, hi = f["interval_68"]
                line += (f", {f['parameter']} = {f['value']:.4g} (68%: {'-' if lo is None else f'{lo:.3g}'} .. "
                         f"{'-' if hi is None else f'{hi:.3g}'})")
            line += f", chi2 = {b['chi2']:.2f} / ndof {b['ndof']} (background only {b['chi2_null']:.2f})"
            lines.append(line)
            for name, (lo, hi) in b["intervals_68"].items():
                lines.append(f"  {name}: 68% (profile, dchi2 < 1) {'<' if lo is None else f'{lo:.4g}'} .. "
                             f"{'>' if hi is None else f'{hi:.4g}'}  (grid resolution)")
        else:
            z = b.get("significance")
            lines.append(f"largest signal at {exp}: {desc}: {b['signal_total']:.4g} events"
                         + (f", significance {z:.3g} over {b['background']:g} background events" if z is not None
                            else " (no --background: no significance)"))
    lines += [f"warning: {w}" for w in summ["warnings"]]
    st = res.cache_stats()
    if st is not None:
        lines.append(f"cache {res.cache_dir}: {st['hits']} samples loaded, {st['misses']} generated")
    if res.output:
        lines.append(f"table: {res.output}")
    return "\n".join(lines)


@app.command("regions")
def regions_cmd(
    table: Annotated[Path, typer.Argument(help="A Parquet scan table (darkbeam scan -o FILE.parquet).")],
    x: Annotated[str, typer.Option("--x", help="Grid axis on the x axis (e.g. m_phi).")],
    y: Annotated[str, typer.Option("--y", help="Grid axis on the y axis (e.g. g_n).")],
    y_column: Annotated[str | None, typer.Option("--y-column", help="Show y as this table column (e.g. "
                                                                    "coupling_product).")] = None,
    cl: Annotated[list[float] | None, typer.Option("--cl", help="Confidence levels (default 0.68 and 0.95).")] = None,
    experiment: Annotated[str | None, typer.Option("--experiment", help="Experiment of the chi^2 (default: the "
                                                                        "first with data).")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG of the regions.")] = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Delta-chi^2 confidence regions (68 %, 95 %; 2 parameters of interest) of a scan in two of its axes, profiled
    over the others. See docs/regions.md."""
    from ..inference.regions import DEFAULT_CLS, delta_chi2_region, plot_regions

    if not table.is_file():
        raise InputError("scan table", str(table), "an existing Parquet scan table (darkbeam scan -o FILE.parquet)")
    _check_output_file(plot, "--plot", overwrite)
    _check_output_file(output, "--output", overwrite)
    reg = delta_chi2_region(table, x, y, tuple(cl) if cl else DEFAULT_CLS, experiment, y_column)
    out = reg.to_dict()
    lines = [f"delta chi^2 regions in ({reg.x_label}, {reg.y_label}) at {reg.experiment}: {reg.note}",
             f"  best point: {reg.x} = {reg.best[0]:.4g}, {reg.y_label} = {reg.best[1]:.4g}"]
    for lev in out["levels"]:
        lines.append(f"  {100 * lev['cl']:.0f}%: delta chi^2 <= {lev['threshold']:.3f}, "
                     f"{100 * lev['grid_fraction']:.1f}% of the grid, {len(lev['contours'])} contour line(s)")
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_regions(plot, [reg], ["darkbeam"], title=f"{reg.experiment}: {reg.note.split(';')[0]}")


@app.command("posterior")
def posterior_cmd(
    config: ConfigArg = None,
    grid: Annotated[list[str] | None, typer.Option("--grid", help="Mass nodes NAME=VALUES (as for scan) of the "
                                                                  "masses with a prior; replaces [fit].masses.")
                    ] = None,
    sampler: Annotated[str, typer.Option("--sampler", help="dynesty (nested sampling, default) | emcee.")] = "dynesty",
    nlive: Annotated[int, typer.Option("--nlive", help="dynesty live points.")] = 200,
    dlogz: Annotated[float, typer.Option("--dlogz", help="dynesty stopping criterion.")] = 0.5,
    x: Annotated[str | None, typer.Option("--x", help="Parameter on the x axis of --plot.")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Parameter (or coupling_product) on the y axis of --plot.")
                 ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of the 68 %/95 % credible regions in (x, y).")
                    ] = None,
    samples: Annotated[Path | None, typer.Option("--samples", help="Write the equal-weight samples (.parquet or "
                                                                   ".csv).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="How the node samples are generated (as for scan).")
                       ] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: cores).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Bayesian posterior of the [priors] parameters (dynesty nested sampling; masses interpolated between mass
    nodes, couplings exact by re-weighting): medians, 68 %/95 % intervals, evidence, credible regions."""
    from ..inference.posterior import run_posterior
    from ..inference.regions import plot_regions

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    if plot is not None and (x is None or y is None):
        raise InputError("--plot", str(plot), "--x and --y naming the parameters of the plane")
    if samples is not None and samples.suffix.lower() not in (".parquet", ".csv"):
        raise InputError("--samples suffix", samples.suffix or str(samples), (".parquet", ".csv"))
    for p, opt in ((plot, "--plot"), (samples, "--samples"), (output, "--output")):
        _check_output_file(p, opt, overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    res = run_posterior(cfg, grid or None, sampler=sampler, nlive=nlive, dlogz=dlogz, backend=backend, workers=workers,
                        cache=False if no_cache else (cache if cache is not None else True), progress=_progress())
    if plot is not None:
        for name in (x, y):
            res.column(name)  # InputError naming the parameters before anything is written
    out = res.to_dict()
    summ = out["parameters"]
    lines = [(f"posterior of {', '.join(res.parameters)} ({res.model} at {res.experiment}; {res.sampler}, "
              f"{res.n_calls} likelihood calls, {res.seconds:.1f} s)")]
    if res.logz is not None:
        lines.append(f"  log evidence {res.logz:.2f} +- {res.logz_err:.2f}")
    for name, s in summ.items():
        u = f" {s['unit']}" if s["unit"] else ""
        lines.append(f"  {name}: median {s['median']:.4g}{u}, 68% [{s['interval_68'][0]:.4g}, "
                     f"{s['interval_68'][1]:.4g}], 95% [{s['interval_95'][0]:.4g}, {s['interval_95'][1]:.4g}]")
    lines.append("  best fit: " + ", ".join(f"{k} = {v:.4g}" for k, v in out["best_fit"].items()))
    lines += [f"  note: {n}" for n in res.notes]
    if samples is not None:
        res.write(samples)
        out["samples"] = str(samples)
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_regions(plot, [res.credible_region(x, y)], ["credible"],
                         title=f"{res.model} at {res.experiment}: posterior ({res.sampler})")


@app.command("sensitivity")
def sensitivity_cmd(
    config: ConfigArg = None,
    experiment: Annotated[list[str] | None, typer.Option("--experiment", help="Experiment(s) of the catalog "
                                                                              "(default: the config's).")] = None,
    grid: Annotated[str | None, typer.Option("--grid", help="The mass axis NAME=VALUES (x axis; default "
                                                            "[fit].masses).")] = None,
    coupling: Annotated[str | None, typer.Option("--coupling", help="The coupling on the y axis (default "
                                                                    "fit.parameter).")] = None,
    bounds: Annotated[str | None, typer.Option("--bounds", help="Range of the coupling LOW,HIGH (units as the "
                                                                "parameter's).")] = None,
    background: Annotated[float, typer.Option("--background", help="Expected background events at the exposure.")
                          ] = 0.0,
    pot: Annotated[float | None, typer.Option("--pot", help="Exposure in protons on target (default: the "
                                                            "experiment's).")] = None,
    method: Annotated[str, typer.Option("--method", help="fc (Feldman-Cousins) | poisson.")] = "fc",
    cl: Annotated[float, typer.Option("--cl", help="Confidence level.")] = 0.9,
    observed: Annotated[int | None, typer.Option("--observed", help="Observed events (default: the median "
                                                                    "expected limit, a sensitivity).")] = None,
    constraints: Annotated[bool, typer.Option("--constraints/--no-constraints", help="Overlay the exotic pi/K "
                                                                                     "decay limits.")] = True,
    product: Annotated[bool, typer.Option("--product", help="Draw the coupling product on the y axis.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of the curve(s).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="How the samples are generated (as for scan).")] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: cores).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Exclusion / sensitivity curve in a mass-coupling plane at any experiment of the catalog: expected signal by
    re-weighting, Poisson or Feldman-Cousins limit for a background and an exposure. See docs/sensitivity.md."""
    from ..inference.sensitivity import constraint_bounds, plot_sensitivity, sensitivity_curve
    from ..units import parse_quantity

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    _check_output_file(plot, "--plot", overwrite)
    _check_output_file(output, "--output", overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    model = cfg.build_model()
    b = None
    if bounds is not None:
        parts = [t.strip() for t in bounds.split(",")]
        name = coupling or cfg.fit.parameter
        dims = {p.name: p.dimension for p in model.params}
        if len(parts) != 2 or name not in dims:
            raise InputError("--bounds", bounds, "LOW,HIGH of the coupling given with --coupling")
        b = tuple(parse_quantity(t if dims[name] != "dimensionless" else float(t), dims[name], "--bounds")
                  for t in parts)
    curves = [sensitivity_curve(cfg, e, [grid] if grid else None, coupling, b, background, pot, method, cl, observed,
                                cache=False if no_cache else (cache if cache is not None else True), backend=backend,
                                workers=workers, progress=_progress())
              for e in (experiment or [cfg.experiment.name])]
    c0 = curves[0]
    cons = constraint_bounds(cfg, c0.mass_parameter, c0.masses, c0.coupling, c0.bounds) if constraints else {}
    out = {"curves": [c.to_dict() for c in curves],
           "constraints": {k: {"lower": [None if not np.isfinite(v) else float(v) for v in d["lower"]],
                               "citation": d["citation"], "cl": d["cl"]} for k, d in cons.items()}}
    lines = []
    for c in curves:
        lines.append(f"{c.label()}: s_up = {c.s_up:.3g} events, POT {', '.join(f'{m} {p:.3g}' for m, p in c.pot.items())}")
        for m, lo, hi, s in zip(c.masses, c.lower, c.upper, c.signal_ref):
            rng = ("not reached within the bounds" if not np.isfinite(lo) else
                   f"{c.coupling} > {lo:.3g}" + (f" and < {hi:.3g}" if np.isfinite(hi) else ""))
            lines.append(f"  {c.mass_parameter} = {m:.4g} MeV: {rng}   (signal at the config's couplings {s:.3g})")
        lines += [f"  note: {n}" for n in c.notes]
    for k, d in cons.items():
        lines.append(f"exotic-decay limit {k}: excludes {c0.coupling} above "
                     + ", ".join("-" if not np.isfinite(v) else f"{v:.2g}" for v in d["lower"]))
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_sensitivity(plot, curves, cons, y_as_product=product, title=f"{c0.model}")
