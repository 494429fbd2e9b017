"""Scans over any model parameters and experiments, that scale out and resume.

DESIGN.md ("Fast scans come from factorised weights"): at fixed masses a signal sample is generated once
and every coupling is reached by exact re-weighting. A scan over a grid of parameters therefore splits
into independent *tasks*, one per point of the parameters that are fixed in a sample (masses, string
settings, flagged settings such as ``br_v1_chichi``) and per experiment; inside a task every point of
the coupling axes is a re-weighting of the same samples. Each task builds or loads its samples
(:class:`~darkbeam.io.cache.SampleCache`, keyed by a SHA-256 of everything that determines a sample), at
the config's couplings (the *reference* couplings), and evaluates every coupling point:

* at an experiment with a dataset (MiniBooNE): the joint χ² and its pieces, the background-only χ² and,
  when ``[fit].parameter`` is set and not itself a grid axis, the fit of that coupling at every point
  (the code of :meth:`Predictor.fit_at`: template start, global search in log10 of the coupling);
* at an experiment without a dataset (MicroBooNE, SBND, ICARUS, ...): the expected signal and, given a
  background, the Asimov discovery significance.

Rows (one per grid point) hold the parameters, the signal per beam mode and per (mode, observable),
χ² and pieces, the status; the off-target prediction where the config asks for it. Only rows travel
back from a worker: the samples stay in the cache on disk.

Grid syntax (``--grid NAME=VALUES``, several axes make a product grid, last axis fastest):

* ``LO..HI/N`` — N log-spaced points; ``LO..HI/N:lin`` — N linearly spaced points (``:log`` explicit);
* ``a,b,c`` — a list;
* values carry the parameter's units (``"1 MeV"``, ``"4.4e-4 /MeV"``; bare numbers for couplings);
  ``experiment=miniboone,sbnd`` scans experiments, a string setting (``amplitude=lepton,gauge-invariant``)
  its choices.

Backends (:data:`SCAN_BACKENDS`): ``local`` (default: a dask.distributed LocalCluster with one
single-threaded worker process per core; a single task runs in this process), ``serial``, ``dask``
(dask's local multiprocessing scheduler) and ``dask-distributed`` (a LocalCluster, explicitly);
``scheduler="tcp://HOST:PORT"`` runs the tasks on an existing Dask cluster. Distributed runs retry a task
whose worker died. Every backend runs the same function on the same inputs with the same seed, so the
numbers agree bit for bit (tests/test_scan*.py).

Output: :class:`ScanResult` (JSON / CSV / Parquet by suffix, a Δχ² or signal plot, a summary with the
best point, its uncertainty and grid-edge warnings); with a Parquet output the table is written
incrementally and a killed scan resumes (:mod:`.scan_table`).
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..io.cache import SampleCache, resolve_cache
from ..io.config import RunConfig, fit_bounds, parse_config, parse_priors
from ..models.plugins import load_plugins
from .datasets import dataset_for
from .predict import coupling_product
from .scan_backends import (  # noqa: F401  (re-exported)
    _MALLOC_TUNED,
    RETRIES,
    SCAN_BACKENDS,
    SCHEDULER_TIMEOUT,
    WORKER_TIMEOUT,
    Backend,
    PointTask,
    ScanProgress,
    _dask_distributed,
    _dask_processes,
    _distributed,
    _load_task_plugins,
    _local,
    _piece,
    _plugin_payload,
    _run_on_client,
    _serial,
    _tune_malloc,
    asimov_significance,
    connect_scheduler,
    fit_point,
    run_task,
)
from .scan_grid import (  # noqa: F401  (re-exported)
    _UNIT,
    EXPERIMENT_AXIS,
    OUTPUT_SUFFIXES,
    SPACINGS,
    Axis,
    _axes_from_dict,
    _experiment_axis,
    column_name,
    grid_axes,
    log_prior,
    mass_parameters,
    parse_axis,
    parse_grid,
    parse_grid_axes,
    resolve_grid,
)
from .scan_result import (  # noqa: F401  (re-exported)
    _DERIVED,
    ScanResult,
    _cell_edges,
    _grid_of,
    _json_default,
    _public,
)
from .scan_table import ScanTable, canonical_hash, config_hash, parts_dir, read_rows


def config_for_experiment(config: RunConfig, experiment: str) -> RunConfig:
    """``config`` moved to ``experiment``: its modes that the experiment runs, their POT, the off-target run
    only where the experiment had one. InputError when the experiment runs none of the config's modes."""
    if experiment == config.experiment.name:
        return config
    exp = get_experiment(experiment)
    modes = [m for m in config.experiment.modes if m in exp.pot]
    if not modes:
        raise InputError("--grid experiment", experiment, f"an experiment running one of the config's modes "
                                                          f"{list(config.experiment.modes)} ({experiment} runs "
                                                          f"{', '.join(exp.pot)})")
    off = bool(config.experiment.off_target) and "off-target" in exp.pot
    pot = {k: v for k, v in config.experiment.pot.items() if k in modes or (k == "off-target" and off)}
    d = config.model_dump(mode="python")
    d["experiment"] = {"name": experiment, "modes": modes, "pot": pot, "off_target": off}
    return parse_config(d)


def _background_for(background, experiment: str) -> float | None:
    if background is None:
        return None
    if isinstance(background, dict):
        b = background.get(experiment)
    else:
        b = background
    if b is None:
        return None
    b = float(b)
    if not (b >= 0 and math.isfinite(b)):
        raise InputError("--background", b, "a non-negative number of expected background events")
    return b


def parse_background(items: Sequence[str] | None) -> float | dict[str, float] | None:
    """``--background N`` (every experiment) or ``--background EXP=N`` (repeatable) → float or {exp: N}."""
    if not items:
        return None
    out: dict[str, float] = {}
    single: float | None = None
    for it in items:
        name, sep, val = it.partition("=")
        try:
            v = float(val if sep else name)
        except ValueError:
            raise InputError("--background", it, "N or EXPERIMENT=N (expected background events)") from None
        if not (v >= 0 and math.isfinite(v)):
            raise InputError("--background", it, "a non-negative number of expected background events")
        if sep:
            out[name.strip()] = v
        else:
            single = v
    if single is not None and out:
        raise InputError("--background", list(items), "either one N for every experiment or EXPERIMENT=N items")
    return single if single is not None else out


def plan_scan(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None,
              background: float | dict[str, float] | None = None, cache_dir: str | None = None,
              model: Model | None = None) -> tuple[list[Axis], list[PointTask], dict]:
    """Axes, tasks and table metadata of a scan — every input check, before any simulation runs.

    Raises InputError for: a grid with no points, a parameter the model lacks, a grid point the model
    rejects, a gridded coupling whose config value is not positive (samples are re-weighted from it),
    a prior that excludes the whole grid, an experiment without the config's modes."""
    model = config.build_model() if model is None else model
    axes = grid_axes(config, grid, model)
    params = {p.name: p for p in model.params}
    priors = parse_priors(config, model)
    for a in axes:
        if a.kind == "coupling" and not float(model.values[a.name]) > 0:
            raise InputError(f"--grid {a.name}", list(a.values),
                             f"a coupling whose config value is positive (model.{a.name} = {model.values[a.name]!r}: "
                             "samples are generated at the config's couplings and re-weighted from them)")
    exp_axis = next((a for a in axes if a.kind == "experiment"), None)
    experiments = list(exp_axis.values) if exp_axis else [config.experiment.name]
    configs = {e: config_for_experiment(config, e) for e in experiments}

    fit_name = config.fit.parameter
    gridded = {a.name for a in axes}
    fitting = fit_name is not None and fit_name not in gridded
    fit = None
    if fitting and any(dataset_for(e) is not None for e in experiments):
        lo, hi = fit_bounds(config, model)
        fit = (fit_name, lo, hi)
    n_params = (1 if fit else 0) + sum(1 for a in axes if a.numeric and len(a.values) > 1)
    # columns of the parameters in every row: the axes (but experiment) and the fitted coupling
    col_params = [a.name for a in axes if a.kind != "experiment"] + ([fit_name] if fit else [])
    columns = tuple((n, (column_name(n, params[n].unit), params[n].unit)) for n in col_params)
    points = [dict(zip([a.name for a in axes], vals)) for vals in itertools.product(*(a.values for a in axes))]
    kept: list[tuple[int, dict]] = []
    for i, pt in enumerate(points):
        vals = {k: v for k, v in pt.items() if k != EXPERIMENT_AXIS}
        try:
            m = model.replace(**vals) if vals else model
        except InputError as exc:  # fail fast, in this process, on points the model rejects
            where = ", ".join(f"{k} = {v:g} {params[k].unit}".rstrip() if isinstance(v, float) else f"{k} = {v}"
                              for k, v in vals.items())
            raise InputError(f"grid point ({where}): {exc.field}", exc.value,
                             f"{exc.allowed} (every grid point must be a valid model)") from None
        if priors and not math.isfinite(log_prior(priors, dict(m.values))):
            continue
        kept.append((i, pt))
    if not kept:
        raise InputError("[priors]", {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in priors.items()},
                         "priors that keep at least one grid point (these exclude the whole grid: every point "
                         "lies outside a prior's [min, max])")
    plugins = _plugin_payload(load_plugins())
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    fixed_names = [a.name for a in axes if a.fixed_in_sample]
    for i, pt in kept:
        key = tuple((n, pt[n]) for n in fixed_names)
        groups.setdefault(key, []).append((i, pt))
    tasks = []
    for t, (key, members) in enumerate(groups.items()):
        d = dict(key)
        e = d.pop(EXPERIMENT_AXIS, config.experiment.name)
        cpoints = tuple((i, {k: v for k, v in pt.items() if k not in fixed_names}) for i, pt in members)
        tasks.append(PointTask(configs[e], t, d, cpoints, fit if dataset_for(e) is not None else None, n_params,
                               cache_dir, plugins, _background_for(background, e), columns, priors))
    cp = coupling_product(model)
    scan_doc = {"axes": [a.describe() for a in axes], "fit": None if fit is None else list(fit),
                "background": background, "experiments": experiments, "n_points": len(kept)}
    meta = {"config_hash": config_hash(config), "scan_hash": canonical_hash(scan_doc), "model": model.name,
            "axes": [a.describe() for a in axes], "fit": None if fit is None else {"parameter": fit[0],
                                                                                   "bounds": [fit[1], fit[2]]},
            "experiments": experiments, "n_tasks": len(tasks), "n_points": len(kept),
            "coupling_product": None if cp is None else {"name": cp["name"], "unit": cp["unit"]},
            "columns": {c: u for _n, (c, u) in columns}, "param_columns": {n: c for n, (c, _u) in columns},
            "background": background,
            "priors": {k: {kk: vv for kk, vv in v.items() if vv is not None} for k, v in priors.items()}}
    return axes, tasks, meta


def check_output_path(path: str | Path | None, resume: bool = False) -> None:
    """Fail on a bad output suffix (or ``resume`` without a Parquet table) before any simulation runs."""
    if path is not None and Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError("scan output suffix", Path(path).suffix or str(path), OUTPUT_SUFFIXES)
    if resume and (path is None or Path(path).suffix.lower() != ".parquet"):
        raise InputError("--resume", None if path is None else str(path),
                         "a Parquet scan table to continue: -o FILE.parquet")


def scan(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None, backend: str = "local",
         workers: int | None = None, cache: SampleCache | str | Path | bool | None = True,
         progress: bool | ScanProgress = False, output: str | Path | None = None, resume: bool = False,
         scheduler: str | None = None, background: float | dict[str, float] | None = None,
         flush_seconds: float = 5.0, on_result: Callable[[dict], None] | None = None,
         status_every: float = 30.0) -> ScanResult:
    """Run a scan (see the module docstring).

    Args:
        config: run config (model and reference couplings, experiment, simulation, analysis, ``[fit]``,
            ``[priors]``).
        grid: ``NAME=VALUES`` strings or {name: values in internal units}; None: ``[fit].masses``.
        backend: a name of :data:`SCAN_BACKENDS` ("local" default, "serial", "dask", "dask-distributed").
        workers: worker processes (default: the number of cores; ignored by "serial" and by a scheduler).
        cache: sample cache: True (default directory), a directory, a SampleCache, or None/False (none).
        progress: True: a bar on a terminal, periodic status lines otherwise (or a :class:`ScanProgress`).
        output: ``.parquet`` (written incrementally, resumable), ``.json`` or ``.csv`` (written at the end).
        resume: continue the Parquet table ``output`` (same config and grid, checked by hashes).
        scheduler: ``tcp://HOST:PORT`` of a Dask scheduler: run the tasks on that cluster.
        background: expected background events (one number, or {experiment: events}) for the significance at
            experiments without a dataset.
        flush_seconds: rewrite the Parquet table at most this often while running (parts are written per task).
        on_result: called in this process with each task's result as it arrives (progress hooks, tests).
        status_every: seconds between status lines when the progress stream is not a terminal.
    """
    run = SCAN_BACKENDS.get(backend)
    if scheduler is not None and backend not in ("local", "dask-distributed"):
        raise InputError("--backend", backend, "'local' or 'dask-distributed' together with --scheduler")
    n_workers = (os.cpu_count() or 1) if workers is None else int(workers)
    if n_workers < 1:
        raise InputError("workers", workers, "a positive number of worker processes")
    if output is not None:
        check_output_path(output, resume)
    elif resume:
        check_output_path(None, True)
    if backend == "dask-distributed" or scheduler is not None:
        _distributed()
    model = config.build_model()
    c = resolve_cache(cache)
    cache_dir = None
    if c is not None:
        (c.directory / "samples").mkdir(parents=True, exist_ok=True)
        cache_dir = str(c.directory)
    axes, tasks, meta = plan_scan(config, grid, background, cache_dir, model)
    table = None
    if output is not None and Path(output).suffix.lower() == ".parquet":
        table = ScanTable(output, meta, resume=resume, flush_seconds=flush_seconds)
    done_rows: dict[int, list[dict]] = dict(table.done) if table is not None else {}
    todo = [t for t in tasks if t.task not in done_rows]
    resumed = sum(len(r) for r in done_rows.values())
    n_points = meta["n_points"]
    bar = progress if isinstance(progress, ScanProgress) else ScanProgress(n_points, resumed, enabled=bool(progress),
                                                                                 interval=status_every)
    cache_tot = {"hits": 0, "misses": 0, "rejected": 0}

    def got(result: dict) -> None:
        rows = result["rows"]
        for r in rows:
            r["seconds"] = result["seconds"] / max(len(rows), 1)
        done_rows[int(result["task"])] = rows
        for k in cache_tot:
            cache_tot[k] += int((result.get("cache") or {}).get(k, 0))
        if table is not None:
            table.add(result["task"], rows)
        bar.update(len(rows))
        if on_result is not None:
            on_result(result)

    client = connect_scheduler(scheduler) if (scheduler is not None and todo) else None  # fails fast
    t0 = time.perf_counter()
    ok = False
    try:
        if todo:
            run(todo, n_workers, got, client)
        ok = True
    except BaseException:
        if table is not None and table.done:
            table.flush()  # everything finished is in FILE.parquet (the parts stay for a later --resume)
        raise
    finally:
        bar.close(final_line=ok)
        if client is not None:
            client.close()
    seconds = time.perf_counter() - t0
    rows = sorted((r for rs in done_rows.values() for r in rs), key=lambda r: int(r["index"]))
    missing = n_points - len(rows)
    if missing:
        raise InputError("scan", f"{missing} of {n_points} points missing", "a complete scan (a task returned no "
                                                                             "rows; rerun with --resume)")
    _finish_rows(rows, axes, meta)
    if table is not None:
        table.flush(final_rows=[{k: v for k, v in r.items() if not k.startswith("_") and k not in _DERIVED}
                                for r in rows], complete=True)
    cp = meta["coupling_product"]
    fit = meta["fit"]
    params = {p.name: p for p in model.params}
    unit = params[fit["parameter"]].unit if fit else ""
    res = ScanResult(model.name, fit["parameter"] if fit else None, unit, {a.name: list(a.values) for a in axes},
                     rows, None if cp is None else cp["name"], None if cp is None else cp["unit"],
                     list(config.experiment.modes), "scheduler" if scheduler else backend,
                     1 if backend == "serial" else n_workers, cache_dir, seconds,
                     simulation=config.simulation.model_dump(), axis_info=axes, meta=meta,
                     cache=cache_tot if cache_dir is not None else None, resumed_points=resumed,
                     output=None if output is None else str(output))
    if output is not None and table is None:
        res.write(output)
    return res


def _finish_rows(rows: list[dict], axes: list[Axis], meta: dict) -> None:
    """Add ``delta_chi2`` (per experiment) and the convenience keys ``point``, ``value``, ``signal_events``."""
    params_cols = {a.name: a.column for a in axes}
    fit = meta["fit"]
    fit_col = meta["param_columns"][fit["parameter"]] if fit else None
    mins: dict[str, float] = {}
    for r in rows:
        c2 = r.get("chi2")
        if c2 is not None and math.isfinite(c2):
            e = r[EXPERIMENT_AXIS]
            mins[e] = min(mins.get(e, math.inf), c2)
    for r in rows:
        c2 = r.get("chi2")
        e = r[EXPERIMENT_AXIS]
        r["delta_chi2"] = (c2 - mins[e]) if (c2 is not None and math.isfinite(c2) and e in mins) else None
        r["point"] = {a.name: (r[EXPERIMENT_AXIS] if a.kind == "experiment" else r.get(params_cols[a.name]))
                      for a in axes}
        r["value"] = r.get(fit_col) if (fit_col and r.get("chi2") is not None) else None  # fitted only with data
        r["_fit_column"] = fit_col
        r["signal_events"] = {k[len("signal_"):]: v for k, v in r.items()
                              if k.startswith("signal_") and k.count("_") == 1 and k != "signal_total"}


def load_table(path: str | Path) -> ScanResult:
    """A finished (or partial) Parquet scan table as a :class:`ScanResult` (for regions and plots)."""
    rows, meta = read_rows(path)
    pd = parts_dir(path)
    if pd.is_dir():
        have = {int(r["task"]) for r in rows}
        for f in sorted(pd.glob("task-*.parquet")):
            more, _ = read_rows(f)
            if more and int(more[0]["task"]) not in have:
                rows += more
        rows.sort(key=lambda r: int(r["index"]))
    axes = [Axis(a["name"], tuple(a["values"]), a["kind"], a.get("unit", ""), a.get("spacing", "list"))
            for a in meta["axes"]]
    for r in rows:
        r.pop("delta_chi2", None)
    _finish_rows(rows, axes, meta)
    cp = meta.get("coupling_product")
    fit = meta.get("fit")
    unit = ""
    if fit:
        unit = meta["columns"].get(meta["param_columns"][fit["parameter"]], "")
    return ScanResult(meta.get("model", ""), fit["parameter"] if fit else None, unit,
                      {a.name: list(a.values) for a in axes}, rows, None if cp is None else cp["name"],
                      None if cp is None else cp["unit"], [], "table", 0, None, 0.0, axis_info=axes, meta=meta,
                      output=str(path))


__all__ = ["EXPERIMENT_AXIS", "OUTPUT_SUFFIXES", "SCAN_BACKENDS", "Axis", "PointTask", "ScanProgress", "ScanResult",
           "asimov_significance", "check_output_path", "column_name", "config_for_experiment", "connect_scheduler",
           "fit_point", "grid_axes", "load_table", "log_prior", "mass_parameters", "parse_axis", "parse_background",
           "parse_grid", "parse_grid_axes", "plan_scan", "resolve_grid", "run_task", "scan"]
