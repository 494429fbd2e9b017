"""Mass-grid × coupling scans that scale out: one task per mass point, samples through the disk cache.

DESIGN.md ("Fast scans come from factorised weights"): at fixed masses the signal sample is generated
once and the coupling is fitted by exact re-weighting. A scan therefore splits into independent tasks,
one per point of a grid over the model's energy (mass) parameters; each task builds or loads the
samples of its point (:class:`~darkbeam.io.cache.SampleCache`, keyed by a SHA-256 of everything that
determines a sample) and fits the ``[fit].parameter`` coupling with the fitting code of
:class:`~darkbeam.inference.predict.Predictor` (template normalisation start, MIGRAD in log10 of the
coupling, same χ² and ndof as ``Predictor.fit`` over the same grid). Only small per-point results
travel back from a worker: the samples go through the cache on disk.

Backends (:data:`SCAN_BACKENDS`):

* ``serial``: the points one after another in this process;
* ``dask``: dask's local multiprocessing scheduler (``scheduler="processes"``, ``workers`` processes);
* ``dask-distributed``: a ``dask.distributed`` LocalCluster of ``workers`` single-threaded processes
  (requires the optional ``distributed`` package).

Every backend runs the same function on the same inputs with the same seed, so the numbers agree
(tests/test_scan.py checks serial against dask).

Output (:class:`ScanResult`): per point the masses (MeV), the best coupling, the coupling product of
seed 000 Table I, χ², ndof, Δχ² to the global minimum of the grid, signal events per beam mode and the
off-target (beam-dump) prediction at the best coupling; written atomically as JSON or CSV, and a PNG of
Δχ² over the grid (1D curve, or 2D map with the Δχ² = 2.30 / 6.18 contours; more than two scanned
axes are profiled onto the first two).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path, write_text_atomic
from ..io.cache import SampleCache, resolve_cache
from ..io.config import RunConfig, fit_bounds, mass_grid
from ..models.base import Model
from ..models.plugins import load_plugins
from ..registry import Registry
from ..units import parse_quantity
from .predict import Predictor, coupling_product

#: output formats of :meth:`ScanResult.write`, by file suffix.
OUTPUT_SUFFIXES = (".json", ".csv")
_UNIT = {"energy": "MeV", "1/energy": "1/MeV", "dimensionless": ""}


# ------------------------------------------------------------------------------------------------
# grids
# ------------------------------------------------------------------------------------------------


def mass_parameters(model: Model) -> list[str]:
    """Names of the model's energy-dimension parameters (the axes a scan may vary)."""
    return [p.name for p in model.params if p.choices is None and p.dimension == "energy"]


def _parse_axis_values(name: str, text: str) -> list[float]:
    """``"1 MeV,5 MeV,10 MeV"`` (a list) or ``"1 MeV..100 MeV/5"`` (5 log-spaced points), in MeV."""
    field_ = f"--grid {name}"
    text = text.strip().strip('"').strip("'")
    if ".." in text:
        rng, sep, count = text.partition("/")
        lo_s, _, hi_s = rng.partition("..")
        lo = parse_quantity(lo_s.strip(), "energy", field_)
        hi = parse_quantity(hi_s.strip(), "energy", field_)
        try:
            n = int(count) if sep else -1
        except ValueError:
            n = -1
        if n < 2 or not 0 < lo < hi:
            raise InputError(field_, text, "'LO..HI/N' with 0 < LO < HI (units explicit) and N >= 2 points, "
                                           "e.g. '1 MeV..100 MeV/5'")
        return [float(v) for v in np.geomspace(lo, hi, n)]
    items = [t.strip() for t in text.split(",")]
    if not text or any(not t for t in items):
        raise InputError(field_, text, "a comma-separated list of masses with units, e.g. '1 MeV,5 MeV'")
    return [parse_quantity(t, "energy", field_) for t in items]


def parse_grid(specs: Sequence[str], model: Model) -> dict[str, list[float]]:
    """Parse ``NAME=VALUES`` grid options (one per axis) into {name: [MeV, ...]}.

    VALUES is a comma-separated list with explicit units (``m_phi=1 MeV,5 MeV``) or ``LO..HI/N``
    (N log-spaced points). Raises InputError for unknown or non-mass parameters, missing units,
    repeated axes and repeated values.
    """
    params = {p.name: p for p in model.params}
    out: dict[str, list[float]] = {}
    for spec in specs:
        if "=" not in spec:
            raise InputError("--grid", spec, "NAME=VALUES, e.g. m_phi='1 MeV,5 MeV,10 MeV'")
        name, text = (s.strip() for s in spec.split("=", 1))
        if name not in params:
            raise InputError(f"--grid parameter of model {model.name}", name, mass_parameters(model))
        if name not in mass_parameters(model):
            raise InputError("--grid parameter", name,
                             f"a mass (energy) parameter of {model.name}: " + ", ".join(mass_parameters(model))
                             + " (couplings are fitted, not gridded)")
        if name in out:
            raise InputError("--grid parameter", name, "each parameter once")
        out[name] = _parse_axis_values(name, text)
    for name, vals in out.items():
        if len(set(vals)) != len(vals):
            raise InputError(f"--grid {name}", vals, "distinct values")
    return out


def resolve_grid(config: RunConfig, grid: dict[str, list[float]] | Sequence[str] | None = None,
                 model: Model | None = None) -> dict[str, list[float]]:
    """The scan grid (MeV): ``grid`` if given (parsed from strings if needed), else ``[fit].masses``."""
    model = config.build_model() if model is None else model
    if grid:
        if isinstance(grid, dict):
            masses = mass_parameters(model)
            for k, vals in grid.items():
                if k not in masses:
                    raise InputError("grid parameter", k, masses)
                if not len(vals):
                    raise InputError(f"grid {k}", list(vals), "a non-empty list of masses (MeV)")
            out = {k: [float(v) for v in vals] for k, vals in grid.items()}
        else:
            out = parse_grid(list(grid), model)
    else:
        out = mass_grid(config, model)
    if not out:
        raise InputError("scan grid", None, "a grid of masses: [fit].masses in the config or --grid NAME=VALUES")
    return out


# ------------------------------------------------------------------------------------------------
# one task = one mass point
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs for one mass point (small, picklable)."""

    config: RunConfig
    point: dict[str, float]
    parameter: str
    bounds: tuple[float, float]
    n_params: int
    cache_dir: str | None
    #: plugin files/modules loaded in the submitting process (loaded again in each worker)
    plugins: tuple[str, ...] = ()


def fit_point(task: PointTask) -> dict[str, Any]:
    """Build or load the samples of one mass point and fit the coupling (Predictor's fit code).

    Returns a small JSON-ready dict: ``point`` (MeV), ``value`` (best coupling, internal units),
    ``coupling_product``, ``chi2``, ``ndof``, ``chi2_null``, ``signal_events`` per mode (expected
    events for the mode's POT), ``off_target_events`` (None without an off-target run), ``valid``,
    ``notes``, ``cache`` (hits/misses of this task), ``seconds`` and ``worker_pid`` (the process that ran it).
    """
    t0 = time.perf_counter()
    load_plugins(os.pathsep.join(p for p in task.plugins if not p.startswith("entry-point:")))  # worker processes
    cache = SampleCache(Path(task.cache_dir)) if task.cache_dir is not None else None
    pred = Predictor(task.config, progress=False, cache=cache)
    m0 = pred.model.replace(**task.point)
    lo, hi = task.bounds
    r = pred.fit_at(m0, task.parameter, lo, hi, task.n_params)  # the Predictor.fit code path, one point
    off = None
    if task.config.experiment.off_target:
        o = pred.off_target(r.model)
        off = o.get("signal_events")
    cp = r.coupling_product
    return {"point": dict(task.point), "value": float(r.value),
            "coupling_product": None if cp is None else float(cp["value"]),
            "chi2": float(r.chi2), "ndof": int(r.ndof), "chi2_null": float(r.chi2_null),
            "signal_events": {k: float(v) for k, v in r.signal_events.items()},
            "off_target_events": None if off is None else float(off), "valid": bool(r.valid),
            "notes": list(r.notes), "cache": None if cache is None else cache.stats(),
            "seconds": time.perf_counter() - t0, "worker_pid": os.getpid()}


# ------------------------------------------------------------------------------------------------
# backends
# ------------------------------------------------------------------------------------------------

Backend = Callable[[list[PointTask], int, bool], list[dict]]
SCAN_BACKENDS: Registry[Backend] = Registry("scan backend")


def _bar(n: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=n, desc="scan", unit="point", file=sys.stderr, disable=not progress)


@SCAN_BACKENDS.register("serial", "one point after another in this process")
def _serial(tasks: list[PointTask], workers: int, progress: bool) -> list[dict]:
    out = []
    with _bar(len(tasks), progress) as bar:
        for t in tasks:
            out.append(fit_point(t))
            bar.update(1)
    return out


@SCAN_BACKENDS.register("dask", "dask local multiprocessing scheduler, one task per mass point")
def _dask_processes(tasks: list[PointTask], workers: int, progress: bool) -> list[dict]:
    import dask
    from dask.callbacks import Callback

    with _bar(len(tasks), progress) as bar:

        class _Progress(Callback):  # local schedulers call _posttask in this process
            def _posttask(self, key, result, dsk, state, worker_id):
                if str(key).startswith("fit_point-"):
                    bar.update(1)

        delayed = [dask.delayed(fit_point, pure=True)(t, dask_key_name=f"fit_point-{i}")
                   for i, t in enumerate(tasks)]
        with _Progress():
            # chunksize=1: dask's multiprocessing scheduler otherwise batches up to 6 ready tasks into
            # one submission, i.e. one worker, which serialises small grids
            res = dask.compute(*delayed, scheduler="processes", num_workers=workers, chunksize=1)
    return list(res)


@SCAN_BACKENDS.register("dask-distributed", "dask.distributed LocalCluster (needs the 'distributed' package)")
def _dask_distributed(tasks: list[PointTask], workers: int, progress: bool) -> list[dict]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("backend", "dask-distributed",
                         "'serial' or 'dask' (the 'distributed' package is not installed)") from None
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        futures = client.map(fit_point, tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[dict | None] = [None] * len(tasks)
        with _bar(len(tasks), progress) as bar:
            for fut in as_completed(futures):
                out[index[fut.key]] = fut.result()
                bar.update(1)
    return [r for r in out if r is not None]


# ------------------------------------------------------------------------------------------------
# result
# ------------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """A scan over a mass grid with the coupling fitted at every point.

    Attributes:
        model: model name; parameter / unit: the fitted coupling and its unit.
        axes: {mass parameter: grid values in MeV} (including single-valued ones).
        points: per point (grid order, last axis fastest) the dict of :func:`fit_point` plus
            ``delta_chi2`` (to the grid's minimum χ²).
        coupling_product_name / _unit: seed 000 Table I combination (None if the model has none).
        modes: beam modes of the signal events; backend, workers, cache_dir, seconds: how it ran.
    """

    model: str
    parameter: str
    unit: str
    axes: dict[str, list[float]]
    points: list[dict]
    coupling_product_name: str | None
    coupling_product_unit: str | None
    modes: list[str]
    backend: str
    workers: int
    cache_dir: str | None
    seconds: float
    simulation: dict = field(default_factory=dict)

    @property
    def chi2_min(self) -> float:
        return min(p["chi2"] for p in self.points)

    @property
    def best(self) -> dict:
        """The point with the smallest χ² (first one on ties)."""
        return min(self.points, key=lambda p: p["chi2"])

    @property
    def scanned_axes(self) -> list[str]:
        """Axes with more than one value."""
        return [k for k, v in self.axes.items() if len(v) > 1]

    def cache_stats(self) -> dict[str, int] | None:
        """Summed cache hits/misses of all tasks (None without a cache)."""
        if self.cache_dir is None:
            return None
        tot = {"hits": 0, "misses": 0, "rejected": 0}
        for p in self.points:
            for k in tot:
                tot[k] += int((p.get("cache") or {}).get(k, 0))
        return tot

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``points`` with ``delta_chi2``; ``best``; ``chi2_min``; run details)."""
        return {"model": self.model, "parameter": self.parameter, "unit": self.unit,
                "axes": {k: {"values": v, "unit": "MeV"} for k, v in self.axes.items()},
                "coupling_product": {"name": self.coupling_product_name, "unit": self.coupling_product_unit},
                "modes": self.modes, "chi2_min": self.chi2_min, "best": self.best, "points": self.points,
                "ndof": self.points[0]["ndof"], "simulation": self.simulation,
                "backend": self.backend, "workers": self.workers,
                "cache": {"directory": self.cache_dir, **(self.cache_stats() or {})}, "seconds": self.seconds}

    def columns(self) -> list[str]:
        """CSV header: masses, coupling, product, χ², Δχ², ndof, events per mode, off-target, valid."""
        cp = [f"coupling_product[{self.coupling_product_name}]"] if self.coupling_product_name else []
        return ([f"{k}[MeV]" for k in self.axes] + [f"{self.parameter}[{self.unit}]" if self.unit else self.parameter]
                + cp + ["chi2", "delta_chi2", "ndof"] + [f"signal_events_{m}" for m in self.modes]
                + ["off_target_events", "valid"])

    def rows(self) -> list[list]:
        """One row per point, in :meth:`columns` order (None for a missing off-target prediction)."""
        out = []
        for p in self.points:
            row = [p["point"][k] for k in self.axes] + [p["value"]]
            if self.coupling_product_name:
                row.append(p["coupling_product"])
            row += [p["chi2"], p["delta_chi2"], p["ndof"]] + [p["signal_events"].get(m) for m in self.modes]
            row += [p["off_target_events"], p["valid"]]
            out.append(row)
        return out

    def to_csv(self) -> str:
        """CSV text (floats written with repr: they read back exactly)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns())
        for row in self.rows():
            w.writerow(["" if v is None else (repr(v) if isinstance(v, float) else v) for v in row])
        return buf.getvalue()

    def write(self, path: str | Path) -> Path:
        """Write JSON (``.json``) or CSV (``.csv``) atomically."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError("scan output suffix", path.suffix or str(path), OUTPUT_SUFFIXES)
        text = self.to_csv() if suffix == ".csv" else json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"
        write_text_atomic(path, text)
        return path

    def delta_chi2_grid(self) -> tuple[list[str], list[np.ndarray], np.ndarray]:
        """Δχ² on the scanned axes (up to the first two; further axes profiled, i.e. minimised over).

        Returns (axis names, axis values in MeV, Δχ² array of shape (n_1[, n_2]))."""
        names = list(self.axes)
        shape = tuple(len(v) for v in self.axes.values())
        d = np.array([p["delta_chi2"] for p in self.points]).reshape(shape)
        keep = [i for i, n in enumerate(names) if len(self.axes[n]) > 1][:2] or [0]
        other = tuple(i for i in range(len(names)) if i not in keep)
        if other:
            d = d.min(axis=other)
        return [names[i] for i in keep], [np.asarray(self.axes[names[i]]) for i in keep], d

    def plot(self, path: str | Path) -> Path:
        """PNG (or any matplotlib format, by suffix) of Δχ² over the grid, written atomically."""
        from ..plotting import _plt

        plt = _plt()
        names, vals, d = self.delta_chi2_grid()
        fig, ax = plt.subplots(figsize=(6.0, 4.5))
        best = self.best["point"]
        title = f"{self.model}: {self.parameter} fitted at each point (min χ² = {self.chi2_min:.2f})"
        if len(names) == 1:
            x = vals[0]
            ax.plot(x, d, "o-", color="C0")
            for level, lab in ((1.0, "1σ"), (4.0, "2σ")):
                ax.axhline(level, color="grey", ls=":", lw=0.8)
                ax.annotate(lab, (x[0], level), fontsize=8, color="grey", va="bottom")
            ax.set_xlabel(f"{names[0]} [MeV]")
            ax.set_ylabel(r"$\Delta\chi^2$")
            if x.min() > 0 and x.max() / x.min() >= 10:
                ax.set_xscale("log")
        else:
            x, y = vals
            mesh = ax.pcolormesh(_cell_edges(x), _cell_edges(y), d.T, shading="flat", cmap="viridis_r",
                                 vmin=0.0, vmax=max(float(np.max(d)), 1e-9) if np.max(d) < 25 else 25.0)
            fig.colorbar(mesh, ax=ax, label=r"$\Delta\chi^2$")
            if min(len(x), len(y)) >= 2 and np.max(d) > 2.30:
                cs = ax.contour(x, y, d.T, levels=[2.30, 6.18], colors=["w", "k"], linewidths=1.0)
                ax.clabel(cs, fmt={2.30: "68%", 6.18: "95%"}, fontsize=7)
            ax.plot([best[names[0]]], [best[names[1]]], "*", color="red", ms=12)
            ax.set_xlabel(f"{names[0]} [MeV]")
            ax.set_ylabel(f"{names[1]} [MeV]")
            for v, setter in ((x, ax.set_xscale), (y, ax.set_yscale)):
                if v.min() > 0 and v.max() / v.min() >= 10:
                    setter("log")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        path = Path(path)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=110)
        plt.close(fig)
        return path


def _cell_edges(v: np.ndarray) -> np.ndarray:
    """Cell edges around grid values (geometric midpoints for positive values, else arithmetic)."""
    v = np.asarray(v, float)
    if len(v) == 1:
        return np.array([v[0] * 0.9, v[0] * 1.1]) if v[0] > 0 else np.array([v[0] - 0.5, v[0] + 0.5])
    if np.all(v > 0):
        lv = np.log(v)
        mid = 0.5 * (lv[1:] + lv[:-1])
        return np.exp(np.concatenate([[2 * lv[0] - mid[0]], mid, [2 * lv[-1] - mid[-1]]]))
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


# ------------------------------------------------------------------------------------------------
# the scan
# ------------------------------------------------------------------------------------------------


def scan(config: RunConfig, grid: dict[str, list[float]] | Sequence[str] | None = None, backend: str = "serial",
         workers: int | None = None, cache: SampleCache | str | Path | bool | None = True,
         progress: bool = False) -> ScanResult:
    """Fit ``[fit].parameter`` at every point of a mass grid.

    Args:
        config: run config (model, experiment, simulation sizes and seed, analysis, ``[fit]``).
        grid: {mass parameter: values in MeV}, or ``NAME=VALUES`` strings (:func:`parse_grid`);
            None: the config's ``[fit].masses``.
        backend: a name of :data:`SCAN_BACKENDS` ("serial", "dask", "dask-distributed").
        workers: worker processes for the dask backends (default 2; ignored by "serial").
        cache: sample cache: True (default directory, :func:`~darkbeam.io.cache.default_cache_dir`),
            a directory, a :class:`~darkbeam.io.cache.SampleCache`, or None/False (no disk cache:
            every task generates its samples in memory).
        progress: tqdm progress bar on stderr.

    Returns:
        :class:`ScanResult`; ndof = bins − 1 − (number of axes with more than one value), as in
        ``Predictor.fit``.
    """
    run = SCAN_BACKENDS.get(backend)
    n_workers = 2 if workers is None else int(workers)
    if n_workers < 1:
        raise InputError("workers", workers, "a positive number of worker processes")
    name = config.fit.parameter
    if name is None:
        raise InputError("config key 'fit.parameter'", None, "the name of a coupling to fit (e.g. 'g_n')")
    model = config.build_model()
    axes = resolve_grid(config, grid, model)
    lo, hi = fit_bounds(config, model)
    n_params = 1 + sum(1 for v in axes.values() if len(v) > 1)
    points = [dict(zip(axes, vals)) for vals in itertools.product(*axes.values())]
    for p in points:  # fail fast, in this process, on masses the model rejects
        try:
            model.replace(**p)
        except InputError as exc:
            where = ", ".join(f"{k} = {v:g} MeV" for k, v in p.items())
            raise InputError(f"grid point ({where}): {exc.field}", exc.value,
                             f"{exc.allowed} (every grid point must be a valid model)") from None
    c = resolve_cache(cache)
    cache_dir = None
    if c is not None:
        (c.directory / "samples").mkdir(parents=True, exist_ok=True)
        cache_dir = str(c.directory)
    plugins = tuple(load_plugins())
    tasks = [PointTask(config, p, name, (lo, hi), n_params, cache_dir, plugins) for p in points]
    t0 = time.perf_counter()
    results = run(tasks, n_workers, progress)
    seconds = time.perf_counter() - t0
    chi2_min = min(r["chi2"] for r in results)
    for r in results:
        r["delta_chi2"] = r["chi2"] - chi2_min
    cp = coupling_product(model)
    unit = _UNIT.get({p.name: p.dimension for p in model.params}[name], "")
    return ScanResult(model.name, name, unit, axes, results, None if cp is None else cp["name"],
                      None if cp is None else cp["unit"], list(config.experiment.modes), backend,
                      n_workers if backend != "serial" else 1, cache_dir, seconds,
                      simulation=config.simulation.model_dump())


def check_output_path(path: str | Path | None) -> None:
    """Fail on a bad output suffix before any simulation runs."""
    if path is not None and Path(path).suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError("scan output suffix", Path(path).suffix or str(path), OUTPUT_SUFFIXES)


__all__ = ["OUTPUT_SUFFIXES", "SCAN_BACKENDS", "PointTask", "ScanResult", "check_output_path", "fit_point",
           "mass_parameters", "parse_grid", "resolve_grid", "scan"]
