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

import csv
import hashlib
import io
import itertools
import json
import math
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path, write_text_atomic
from ..io.cache import SampleCache, resolve_cache
from ..io.config import RunConfig, fit_bounds, mass_grid, parse_config, parse_priors
from ..models.base import Model
from ..models.plugins import load_plugins
from ..registry import Registry
from ..units import parse_quantity
from .predict import Predictor, coupling_product
from .scan_table import ScanTable, canonical_hash, config_hash

#: output formats of :meth:`ScanResult.write`, by file suffix.
OUTPUT_SUFFIXES = (".json", ".csv", ".parquet")
#: the grid axis that scans experiments
EXPERIMENT_AXIS = "experiment"
_UNIT = {"energy": "MeV", "1/energy": "1/MeV", "dimensionless": ""}
SPACINGS = ("log", "lin")


# ------------------------------------------------------------------------------------------------
# grids
# ------------------------------------------------------------------------------------------------


def mass_parameters(model: Model) -> list[str]:
    """Names of the model's energy-dimension parameters (its masses)."""
    return [p.name for p in model.params if p.choices is None and p.dimension == "energy"]


def column_name(name: str, unit: str) -> str:
    """Table column of a parameter: the name with its unit (``m_phi_MeV``, ``lam_per_MeV``, ``g_n``)."""
    if not unit:
        return name
    return f"{name}_{unit.replace('1/', 'per_').replace('/', '_per_')}"


@dataclass(frozen=True)
class Axis:
    """One grid axis.

    Attributes:
        name: model parameter (or ``experiment``). values: internal units (floats) or strings.
        kind: "mass" (energy parameter), "coupling" (re-weighted in a sample), "setting" (fixed in a
            sample but not a mass: string choices, flagged numbers) or "experiment".
        unit: unit of the values ("MeV", "1/MeV", ""). spacing: "log", "lin" or "list".
    """

    name: str
    values: tuple
    kind: str
    unit: str = ""
    spacing: str = "list"

    @property
    def fixed_in_sample(self) -> bool:
        return self.kind != "coupling"

    @property
    def numeric(self) -> bool:
        return self.kind != "experiment" and all(isinstance(v, float) for v in self.values)

    @property
    def column(self) -> str:
        return self.name if self.kind == "experiment" else column_name(self.name, self.unit)

    @property
    def log(self) -> bool:
        """Plot / interpolate in log: log-spaced, or a positive list spanning a factor 10 or more."""
        if not self.numeric or len(self.values) < 2 or min(self.values) <= 0:
            return False
        return self.spacing == "log" or (self.spacing == "list" and max(self.values) / min(self.values) >= 10)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "values": list(self.values), "kind": self.kind, "unit": self.unit,
                "spacing": self.spacing, "column": self.column}


def _experiment_axis(text: str) -> Axis:
    from ..detectors.catalog import EXPERIMENTS

    items = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in items):
        raise InputError("--grid experiment", text, "a comma-separated list of experiments, e.g. "
                                                    "'miniboone,sbnd' (a grid with no points otherwise)")
    for e in items:
        if e not in EXPERIMENTS:
            raise InputError("--grid experiment", e, EXPERIMENTS.names())
    return Axis(EXPERIMENT_AXIS, tuple(items), "experiment")


def parse_axis(name: str, text: str, model: Model) -> Axis:
    """Parse the VALUES of one ``--grid NAME=VALUES`` option (see the module docstring)."""
    if name == EXPERIMENT_AXIS:
        return _experiment_axis(text)
    params = {p.name: p for p in model.params}
    if name not in params:
        raise InputError(f"--grid parameter of model {model.name}", name,
                         [*params, EXPERIMENT_AXIS])
    p = params[name]
    field_ = f"--grid {name}"
    text = text.strip().strip('"').strip("'")
    if p.choices is not None:
        items = [t.strip() for t in text.split(",")]
        if not text or any(not t for t in items):
            raise InputError(field_, text, f"a comma-separated list of {', '.join(p.choices)}")
        for t in items:
            if t not in p.choices:
                raise InputError(field_, t, p.choices)
        return Axis(name, tuple(items), "setting")
    kind = "mass" if p.dimension == "energy" else ("setting" if p.is_fixed_in_sample else "coupling")
    unit = _UNIT.get(p.dimension, p.dimension)
    if ".." in text:
        spacing = "log"
        body = text
        head, colon, tail = text.rpartition(":")
        if colon and tail.strip() in SPACINGS:
            body, spacing = head, tail.strip()
        rng, sep, count = body.rpartition("/")
        lo_s, _, hi_s = rng.partition("..")
        allowed = ("'LO..HI/N' (N log-spaced points) or 'LO..HI/N:lin' (N linear), N >= 2, LO < HI"
                   + (" with 0 < LO" if spacing == "log" else "") + (", units explicit" if unit else "")
                   + f", e.g. '{'1 MeV..100 MeV/5' if unit == 'MeV' else '1e-6..1e-2/5'}'")
        if not sep or not lo_s.strip() or not hi_s.strip():
            raise InputError(field_, text, allowed)
        try:
            n = int(count.strip())
        except ValueError:
            raise InputError(field_, text, allowed) from None
        if n <= 0:
            raise InputError(field_, text, "a grid with points: " + allowed + f" (N = {n} gives no points)")
        lo = parse_quantity(lo_s.strip(), p.dimension, field_)
        hi = parse_quantity(hi_s.strip(), p.dimension, field_)
        if n < 2 or not lo < hi or (spacing == "log" and not lo > 0):
            raise InputError(field_, text, allowed)
        vals = np.geomspace(lo, hi, n) if spacing == "log" else np.linspace(lo, hi, n)
        return Axis(name, tuple(float(v) for v in vals), kind, unit, spacing)
    items = [t.strip() for t in text.split(",")]
    if not text or any(not t for t in items):
        raise InputError(field_, text, "a comma-separated list of values" + (" with units, e.g. '1 MeV,5 MeV'"
                                                                              if unit else ", e.g. '1e-4,1e-3'")
                         + " (a grid with no points otherwise)")
    return Axis(name, tuple(parse_quantity(t, p.dimension, field_) for t in items), kind, unit, "list")


def parse_grid_axes(specs: Sequence[str], model: Model) -> list[Axis]:
    """Parse ``NAME=VALUES`` options (one per axis) into :class:`Axis` objects (InputError on bad input:
    unknown parameter, missing unit, repeated axis or value, empty list, bad range)."""
    out: list[Axis] = []
    for spec in specs:
        if "=" not in spec:
            raise InputError("--grid", spec, "NAME=VALUES, e.g. m_phi='1 MeV,5 MeV,10 MeV' or g_n='1e-6..1e-2/20'")
        name, text = (s.strip() for s in spec.split("=", 1))
        if any(a.name == name for a in out):
            raise InputError("--grid parameter", name, "each parameter once")
        out.append(parse_axis(name, text, model))
    for a in out:
        if len(set(a.values)) != len(a.values):
            raise InputError(f"--grid {a.name}", list(a.values), "distinct values")
    return out


def parse_grid(specs: Sequence[str], model: Model) -> dict[str, list]:
    """{name: values} of ``NAME=VALUES`` options (see :func:`parse_grid_axes`)."""
    return {a.name: list(a.values) for a in parse_grid_axes(specs, model)}


def _axes_from_dict(grid: dict[str, Sequence], model: Model) -> list[Axis]:
    params = {p.name: p for p in model.params}
    out = []
    for k, vals in grid.items():
        vals = list(vals)
        if not vals:
            raise InputError(f"grid {k}", vals, "a non-empty list of values (a grid with no points otherwise)")
        if k == EXPERIMENT_AXIS:
            out.append(_experiment_axis(",".join(str(v) for v in vals)))
            continue
        if k not in params:
            raise InputError(f"grid parameter of model {model.name}", k, [*params, EXPERIMENT_AXIS])
        p = params[k]
        if p.choices is not None:
            out.append(parse_axis(k, ",".join(str(v) for v in vals), model))
            continue
        kind = "mass" if p.dimension == "energy" else ("setting" if p.is_fixed_in_sample else "coupling")
        fl = [float(v) for v in vals]
        if len(set(fl)) != len(fl):
            raise InputError(f"grid {k}", fl, "distinct values")
        out.append(Axis(k, tuple(fl), kind, _UNIT.get(p.dimension, p.dimension), "list"))
    return out


def grid_axes(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None,
              model: Model | None = None) -> list[Axis]:
    """The scan's axes: ``grid`` if given (``NAME=VALUES`` strings or {name: values in internal units}),
    else the config's ``[fit].masses``."""
    model = config.build_model() if model is None else model
    if grid:
        axes = _axes_from_dict(grid, model) if isinstance(grid, dict) else parse_grid_axes(list(grid), model)
    else:
        axes = _axes_from_dict(mass_grid(config, model), model)
    if not axes:
        raise InputError("scan grid", None, "a grid: [fit].masses in the config or --grid NAME=VALUES "
                                            "(masses, couplings or experiment)")
    return axes


def resolve_grid(config: RunConfig, grid: dict[str, Sequence] | Sequence[str] | None = None,
                 model: Model | None = None) -> dict[str, list]:
    """{name: values} of :func:`grid_axes`."""
    return {a.name: list(a.values) for a in grid_axes(config, grid, model)}


# ------------------------------------------------------------------------------------------------
# priors on a grid
# ------------------------------------------------------------------------------------------------


def log_prior(priors: dict[str, dict], values: dict[str, Any]) -> float:
    """log of the (unnormalised) prior density at ``values`` (internal units); -inf outside the support.

    uniform: 0 inside [min, max]; log-uniform: −log(x) inside; normal: −(x−mean)²/2σ², truncated by
    min/max if given. Parameters without a prior contribute nothing."""
    lp = 0.0
    for name, pr in priors.items():
        if name not in values:
            continue
        x = float(values[name])
        lo, hi = pr.get("min"), pr.get("max")
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            return -math.inf
        if pr["dist"] == "log-uniform":
            lp -= math.log(x)
        elif pr["dist"] == "normal":
            lp -= 0.5 * ((x - pr["mean"]) / pr["sigma"]) ** 2
    return lp


# ------------------------------------------------------------------------------------------------
# tasks: one per (experiment, point of the sample-fixed axes)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointTask:
    """Everything a worker needs for one task (small, picklable): the config of its experiment, the values
    of the sample-fixed axes (masses, settings), and the coupling points ``(grid index, {coupling: value})``
    evaluated by re-weighting."""

    config: RunConfig
    task: int
    fixed: dict[str, Any]
    points: tuple[tuple[int, dict[str, float]], ...]
    #: (parameter, low, high) of the coupling fitted at every point, or None
    fit: tuple[str, float, float] | None
    n_params: int
    cache_dir: str | None
    #: plugins loaded in the submitting process: (source, code) — a worker without the file loads the code
    plugins: tuple[tuple[str, str], ...] = ()
    #: expected background events of the experiment (signal-only significance), or None
    background: float | None = None
    #: {parameter: (column, unit)} of the row's parameter columns
    columns: tuple[tuple[str, str], ...] = ()
    priors: dict = field(default_factory=dict)


def _plugin_payload(sources: Sequence[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for s in sources:
        if s.startswith("entry-point:"):
            continue  # installed packages: present on a worker with the same environment
        p = Path(s)
        code = p.read_text() if p.is_file() else ""
        out.append((s, code))
    return tuple(out)


def _load_task_plugins(plugins: tuple[tuple[str, str], ...]) -> None:
    """Load the submitting process's plugins in a worker: the same file when it exists with the same code
    (a worker on this machine or a shared file system), else its code written to a private folder."""
    items = []
    for src, code in plugins:
        p = Path(src)
        if not code or (p.is_file() and p.read_text() == code):
            items.append(src)
            continue
        d = Path(tempfile.gettempdir()) / f"darkbeam-plugins-{os.getuid() if hasattr(os, 'getuid') else 0}"
        d.mkdir(parents=True, exist_ok=True)
        f = d / f"{hashlib.sha256(code.encode()).hexdigest()[:16]}-{p.name}"
        if not f.is_file():
            with atomic_path(f) as tmp:
                Path(tmp).write_text(code)
        items.append(str(f))
    if items:
        load_plugins(os.pathsep.join(items))


def asimov_significance(s: float, b: float | None) -> float | None:
    """Median discovery significance Z = sqrt(2((s+b) ln(1+s/b) − s)) (Cowan et al., EPJC 71, 1554 (2011),
    Eq. 97) for expected signal s over background b > 0; None without a background."""
    if b is None or not b > 0 or not math.isfinite(s):
        return None
    if s <= 0:
        return 0.0
    return math.sqrt(max(2.0 * ((s + b) * math.log1p(s / b) - s), 0.0))


def _piece(name: str) -> str:
    return name.replace("/", "_").replace(" ", "_")


_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Undo the cost of Dask's ``MALLOC_TRIM_THRESHOLD_=65536`` in worker processes (Linux/glibc).

    A Dask nanny starts its worker with that variable (``distributed.nanny.pre-spawn-environ``). Setting it
    switches off glibc's dynamic mmap threshold, so every large numpy temporary becomes a fresh mmap/munmap
    with new page faults. A cold mass point then takes twice as long (measured 6.2 s instead of 3.0 s).
    Raising the mmap and trim thresholds once per process restores the reuse of large blocks. Only in
    processes that have the variable; the numbers are unchanged."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 2**20)  # M_MMAP_THRESHOLD: blocks below 32 MiB from the heap
        libc.mallopt(-1, 64 * 2**20)  # M_TRIM_THRESHOLD: keep up to 64 MiB of freed heap
    except (OSError, AttributeError):  # not glibc
        pass


def run_task(task: PointTask) -> dict[str, Any]:
    """Build or load the samples of one task and evaluate every coupling point (see the module docstring).

    Returns ``{"task", "rows", "cache", "seconds", "worker"}``; ``rows`` are flat dicts (one per grid point)."""
    t0 = time.perf_counter()
    _tune_malloc()
    _load_task_plugins(task.plugins)
    cache = SampleCache(Path(task.cache_dir)) if task.cache_dir is not None else None
    cfg = task.config
    pred = Predictor(cfg, progress=False, cache=cache)
    m_ref = pred.model.replace(**task.fixed) if task.fixed else pred.model
    exp_name = cfg.experiment.name
    modes = list(cfg.experiment.modes)
    for mode in modes:  # generated (or loaded) once, at the reference couplings; couplings re-weight
        pred.view(mode, m_ref)
    from ..detectors.catalog import get_experiment

    off = bool(cfg.experiment.off_target) and "off-target" in get_experiment(exp_name).pot \
        and pred.dataset is not None and pred.dataset.off_target_record() is not None
    if off:
        pred.view("off-target", m_ref)
    cols = {name: col for name, (col, _u) in task.columns}
    chi2_null = None
    same_exposure = pred.dataset is not None and all(pred.dataset.exposure(m) == cfg.pot(m) for m in modes)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    rows = []
    for index, cpoint in task.points:
        m = m_ref.replace(**cpoint) if cpoint else m_ref
        row: dict[str, Any] = {"index": int(index), "task": int(task.task), EXPERIMENT_AXIS: exp_name}
        notes: list[str] = []
        status, valid = "ok", True
        best = m
        if pred.signal_only:
            pass
        elif task.fit is not None:
            name, lo, hi = task.fit
            r = pred.fit_at(m, name, lo, hi, task.n_params)
            best = r.model if math.isfinite(r.value) else m
            status, valid = r.status, bool(r.valid)
            notes += list(r.notes)
            unc = r.uncertainty or (None, None)
            col = cols[name]
            row[f"{col}_lo68"] = None if unc[0] is None else float(unc[0])
            row[f"{col}_hi68"] = None if unc[1] is None else float(unc[1])
            row["at_edge"] = r.at_edge
        for name, (col, _u) in task.columns:
            v = best.values.get(name)
            row[col] = v if isinstance(v, str) else (None if v is None or not math.isfinite(v) else float(v))
        if task.fit is not None and not pred.signal_only and status == "no sensitivity":
            row[cols[task.fit[0]]] = None  # no signal to scale: no fitted value
        cp = coupling_product(best)
        row["coupling_product"] = None if cp is None else float(cp["value"])
        # one re-weighting per mode: totals and spectra at the config's POT (what Predictor.signals computes)
        ws = {mode: pred.view(mode, best).weights(best, cfg.pot(mode)) for mode in modes}
        sig = {(mode, obs): pred.view(mode, best).histogram(b, ws[mode]) for (mode, obs), b in pred.binnings.items()}
        for mode in modes:
            row[f"signal_{mode}"] = float(ws[mode].sum())
        for (mode, obs), h in sig.items():
            row[f"signal_{mode}_{obs}"] = float(np.sum(h))
        total = sum(row[f"signal_{mode}"] for mode in modes)
        row["signal_total"] = total
        if pred.signal_only:
            row["background"] = task.background
            row["significance"] = asimov_significance(total, task.background)
            if not total > 0:
                status = "no signal"
                notes += [pred.view(mode, m_ref).sample.note for mode in modes if pred.view(mode, m_ref).sample.note]
        else:
            if chi2_null is None:
                zero = {k: np.zeros_like(v) for k, v in sig.items()}
                chi2_null = pred.chi2(m_ref, task.n_params, zero)
            # against the data at the dataset's exposure (the spectra above when the POT is the data's)
            res = pred.chi2(best, task.n_params, sig if same_exposure else None)
            row.update(chi2=float(res.chi2), ndof=int(res.ndof), pvalue=float(res.pvalue),
                       chi2_null=float(chi2_null.chi2))
            for piece, (c2, _nb) in res.parts.items():
                row[f"chi2_{_piece(piece)}"] = float(c2)
            if task.fit is None and not total > 0:
                status = "no signal"
        row["off_target_events"] = None
        if off:
            o = pred.off_target(best)
            row["off_target_events"] = None if o.get("signal_events") is None else float(o["signal_events"])
        if task.priors:
            vals = {**{k: v for k, v in best.values.items()}}
            row["log_prior"] = log_prior(task.priors, vals)
        row["status"] = status
        row["valid"] = bool(valid)
        row["notes"] = "; ".join(dict.fromkeys(n for n in notes if n))
        row["worker"] = worker
        head = ["index", "task", EXPERIMENT_AXIS, *(c for _n, (c, _u) in task.columns)]
        rows.append({**{k: row[k] for k in head if k in row}, **row})
    return {"task": task.task, "rows": rows, "cache": None if cache is None else cache.stats(),
            "seconds": time.perf_counter() - t0, "worker": worker, "worker_pid": os.getpid()}


#: the old name of :func:`run_task` (one task = one mass point)
fit_point = run_task


# ------------------------------------------------------------------------------------------------
# progress
# ------------------------------------------------------------------------------------------------


class ScanProgress:
    """Progress of a scan: a tqdm bar (points done, rate, ETA) on a terminal, else one line of status on
    the stream every ``interval`` seconds (and at the end); ``enabled=False`` prints nothing."""

    def __init__(self, total: int, done: int = 0, enabled: bool = True, stream=None,
                 interval: float = 30.0, bar: bool | None = None) -> None:
        self.total, self.done = int(total), int(done)
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(enabled)
        self.interval = float(interval)
        self._t0 = time.monotonic()
        self._start_done = self.done
        self._last = self._t0
        isatty = getattr(self.stream, "isatty", lambda: False)()
        self._bar = None
        if self.enabled and (isatty if bar is None else bar):
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, initial=self.done, desc="scan", unit="point", file=self.stream,
                             dynamic_ncols=True, smoothing=0.1)

    def line(self) -> str:
        el = time.monotonic() - self._t0
        new = self.done - self._start_done
        rate = new / el if el > 0 else 0.0
        left = self.total - self.done
        eta = f"{left / rate:.0f} s" if rate > 0 else "?"
        pct = 100.0 * self.done / self.total if self.total else 100.0
        return (f"scan: {self.done}/{self.total} points ({pct:.0f} %), {rate:.3g} points/s, "
                f"elapsed {el:.0f} s, ETA {eta}")

    def update(self, n: int) -> None:
        self.done += int(n)
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(int(n))
            return
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            print(self.line(), file=self.stream, flush=True)

    def close(self, final_line: bool = True) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        elif final_line:
            print(self.line(), file=self.stream, flush=True)


# ------------------------------------------------------------------------------------------------
# backends: run(tasks, workers, on_result, scheduler) calls on_result(result) as results arrive
# ------------------------------------------------------------------------------------------------

Backend = Callable[[list[PointTask], int, Callable[[dict], None], "str | None"], None]
SCAN_BACKENDS: Registry[Backend] = Registry("scan backend")
#: seconds to wait for a scheduler given with ``scheduler=`` before failing
SCHEDULER_TIMEOUT = 5.0
#: seconds to wait for the first worker of a scheduler
WORKER_TIMEOUT = 60.0
#: attempts of a task beyond the first (a task whose worker dies is also rescheduled by Dask itself)
RETRIES = 2


@SCAN_BACKENDS.register("serial", "one task after another in this process")
def _serial(tasks, workers, on_result, scheduler=None) -> None:
    for t in tasks:
        on_result(run_task(t))


@SCAN_BACKENDS.register("dask", "dask's local multiprocessing scheduler, one task per mass point")
def _dask_processes(tasks, workers, on_result, scheduler=None) -> None:
    import dask
    from dask.callbacks import Callback

    class _Results(Callback):  # local schedulers call _posttask in this process
        def _posttask(self, key, result, dsk, state, worker_id):
            if str(key).startswith("darkbeam-task-"):
                on_result(result)

    delayed = [dask.delayed(run_task, pure=True)(t, dask_key_name=f"darkbeam-task-{i}") for i, t in enumerate(tasks)]
    with _Results():
        # chunksize=1: dask's multiprocessing scheduler otherwise batches up to 6 ready tasks into
        # one submission, i.e. one worker, which serialises small grids
        dask.compute(*delayed, scheduler="processes", num_workers=workers, chunksize=1)


def _distributed():
    try:
        import distributed
    except ImportError:  # pragma: no cover - a dependency since the scale-out issue
        raise InputError("backend", "dask-distributed", "'serial' or 'dask' (the 'distributed' package is not "
                                                         "installed: pip install distributed)") from None
    return distributed


def _run_on_client(client, tasks: list[PointTask], on_result) -> None:
    from distributed import as_completed

    tag = hashlib.sha256(os.urandom(16)).hexdigest()[:10]
    futures = client.map(run_task, tasks, key=[f"darkbeam-task-{tag}-{t.task}" for t in tasks], pure=False,
                         retries=RETRIES)
    try:
        for fut in as_completed(futures, loop=client.loop):
            on_result(fut.result())
            fut.release()
    finally:
        for f in futures:
            f.cancel()


def connect_scheduler(address: str, timeout: float | None = None):
    """A :class:`distributed.Client` connected to ``address`` (``tcp://HOST:PORT``); InputError within
    ``timeout`` (default :data:`SCHEDULER_TIMEOUT`) seconds when no scheduler answers there."""
    distributed = _distributed()
    timeout = SCHEDULER_TIMEOUT if timeout is None else float(timeout)
    addr = address.strip()
    if not addr or " " in addr or ("://" not in addr and ":" not in addr):
        raise InputError("--scheduler", address, "a Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    try:
        return distributed.Client(addr, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InputError("--scheduler", address, f"a reachable Dask scheduler (start one with `dask scheduler`); "
                                                 f"none answered within {timeout:g} s ({msg})") from None


@SCAN_BACKENDS.register("dask-distributed", "dask.distributed: a LocalCluster of single-threaded worker "
                                            "processes, or the cluster of scheduler=ADDRESS")
def _dask_distributed(tasks, workers, on_result, scheduler=None) -> None:
    import logging

    distributed = _distributed()
    if scheduler is not None:  # an address, or a Client connected by scan()
        client = connect_scheduler(scheduler) if isinstance(scheduler, str) else scheduler
        name = scheduler if isinstance(scheduler, str) else str(client.scheduler.address)
        try:
            try:
                client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            except (TimeoutError, OSError):
                raise InputError("--scheduler", name, f"a scheduler with workers (none joined within "
                                                      f"{WORKER_TIMEOUT:g} s: start some with `dask worker "
                                                      f"{name}`)") from None
            _run_on_client(client, tasks, on_result)
        finally:
            client.close()
        return
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        _run_on_client(client, tasks, on_result)


@SCAN_BACKENDS.register("local", "default: all cores of this machine (dask.distributed LocalCluster; a single "
                                 "task or a single worker runs in this process)")
def _local(tasks, workers, on_result, scheduler=None) -> None:
    if scheduler is not None:
        return _dask_distributed(tasks, workers, on_result, scheduler)
    if len(tasks) <= 1 or workers <= 1:
        return _serial(tasks, workers, on_result)
    return _dask_distributed(tasks, min(workers, len(tasks)), on_result)


# ------------------------------------------------------------------------------------------------
# result
# ------------------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    """A scan: its axes, one row per grid point, and how it ran.

    Attributes:
        model: model name. parameter / unit: the coupling fitted at every point (None: none fitted).
        axes: {axis name: values} (internal units; experiments as names). axis_info: the :class:`Axis` es.
        points: one flat row per grid point (grid order, last axis fastest) plus, for convenience,
            ``point`` ({axis: value}), ``value`` (fitted coupling), ``signal_events`` ({mode: events}),
            ``delta_chi2`` (χ² − the minimum of the same experiment) and ``ndof``.
        coupling_product_name / _unit: seed 000 Table I combination (None if the model has none).
        modes: beam modes; backend, workers, cache_dir, seconds: how it ran; cache: hits/misses of this run.
    """

    model: str
    parameter: str | None
    unit: str
    axes: dict[str, list]
    points: list[dict]
    coupling_product_name: str | None
    coupling_product_unit: str | None
    modes: list[str]
    backend: str
    workers: int
    cache_dir: str | None
    seconds: float
    simulation: dict = field(default_factory=dict)
    axis_info: list[Axis] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    cache: dict | None = None
    resumed_points: int = 0
    output: str | None = None

    # --- lookups ----------------------------------------------------------------------------------
    def _fitted(self) -> list[dict]:
        return [p for p in self.points if p.get("chi2") is not None and math.isfinite(p["chi2"])]

    @property
    def chi2_min(self) -> float | None:
        f = self._fitted()
        return min(p["chi2"] for p in f) if f else None

    @property
    def best(self) -> dict:
        """The point with the smallest χ² (first on ties); without χ² (signal only) the largest signal."""
        f = self._fitted()
        if f:
            return min(f, key=lambda p: p["chi2"])
        return max(self.points, key=lambda p: p.get("signal_total") or 0.0)

    @property
    def scanned_axes(self) -> list[str]:
        """Axes with more than one value."""
        return [k for k, v in self.axes.items() if len(v) > 1]

    def axis(self, name: str) -> Axis:
        for a in self.axis_info:
            if a.name == name:
                return a
        raise InputError("scan axis", name, [a.name for a in self.axis_info])

    def cache_stats(self) -> dict[str, int] | None:
        """Summed cache hits/misses of the tasks of this run (None without a cache)."""
        return None if self.cache_dir is None else dict(self.cache or {"hits": 0, "misses": 0, "rejected": 0})

    # --- summary ----------------------------------------------------------------------------------
    def profile_1d(self, name: str, experiment: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(axis values, Δχ² profiled over every other axis) along numeric axis ``name``."""
        a = self.axis(name)
        pts = [p for p in self._fitted() if experiment is None or p[EXPERIMENT_AXIS] == experiment]
        if not pts:
            raise InputError("profile", name, "a scan with chi2 values (an experiment with a dataset)")
        cmin = min(p["chi2"] for p in pts)
        prof = np.full(len(a.values), np.inf)
        pos = {v: i for i, v in enumerate(a.values)}
        for p in pts:
            i = pos[p["point"][name]]
            prof[i] = min(prof[i], p["chi2"] - cmin)
        return np.asarray(a.values, float), prof

    def interval_1d(self, name: str, level: float = 1.0, experiment: str | None = None) -> tuple:
        """(low, high) where the 1-D profile of ``name`` is below ``level`` (Δχ² = 1: 68 % for one
        parameter), interpolated between grid points (in log for log axes); None where it reaches the
        grid's edge (the interval is open there)."""
        x, d = self.profile_1d(name, experiment)
        a = self.axis(name)
        t = np.log(x) if a.log else x
        ib = int(np.argmin(d))
        ok = d <= level
        lo_i = ib
        while lo_i > 0 and ok[lo_i - 1]:
            lo_i -= 1
        hi_i = ib
        while hi_i < len(x) - 1 and ok[hi_i + 1]:
            hi_i += 1

        def cross(i_in, i_out):
            if not np.isfinite(d[i_out]):
                return float(x[i_in])
            f = (level - d[i_in]) / (d[i_out] - d[i_in]) if d[i_out] != d[i_in] else 0.0
            v = t[i_in] + f * (t[i_out] - t[i_in])
            return float(np.exp(v) if a.log else v)

        lo = None if lo_i == 0 else cross(lo_i, lo_i - 1)
        hi = None if hi_i == len(x) - 1 else cross(hi_i, hi_i + 1)
        return lo, hi

    def summary(self) -> dict[str, Any]:
        """Best point (per experiment with a dataset; else the largest signal), its uncertainty (the fitted
        coupling's Δχ² = 1 interval, the Δχ² = 1 interval of each scanned axis from the profile) and
        warnings when it sits on the grid's edge."""
        out: dict[str, Any] = {"best": {}, "warnings": []}
        exps = list(dict.fromkeys(p[EXPERIMENT_AXIS] for p in self.points))
        for e in exps:
            pts = [p for p in self.points if p[EXPERIMENT_AXIS] == e]
            fitted = [p for p in pts if p.get("chi2") is not None and math.isfinite(p["chi2"])]
            if fitted:
                b = min(fitted, key=lambda p: p["chi2"])
                entry: dict[str, Any] = {"point": dict(b["point"]), "chi2": b["chi2"], "ndof": b.get("ndof"),
                                         "chi2_null": b.get("chi2_null"), "intervals_68": {}}
                if self.parameter is not None and b.get("value") is not None:
                    col = b.get("_fit_column")
                    entry["fitted"] = {"parameter": self.parameter, "value": b["value"], "unit": self.unit,
                                       "interval_68": [b.get(f"{col}_lo68"), b.get(f"{col}_hi68")]}
                    if b.get("at_edge"):
                        out["warnings"].append(f"{e}: the fitted {self.parameter} sits at the {b['at_edge']} edge "
                                               "of [fit].bounds: widen them")
                for a in self.axis_info:
                    if not a.numeric or len(a.values) < 2:
                        continue
                    entry["intervals_68"][a.name] = list(self.interval_1d(a.name, 1.0, e))
                    i = a.values.index(b["point"][a.name])
                    if len(a.values) >= 3 and i in (0, len(a.values) - 1):
                        side = "lower" if i == 0 else "upper"
                        out["warnings"].append(f"{e}: the best point sits on the {side} edge of the grid in "
                                               f"{a.name} ({a.values[i]:g} {a.unit}): extend the grid")
                if b.get("status") not in (None, "ok", "fit"):
                    out["warnings"].append(f"{e}: best point status: {b['status']}")
            else:
                b = max(pts, key=lambda p: p.get("signal_total") or 0.0)
                entry = {"point": dict(b["point"]), "signal_total": b.get("signal_total"),
                         "significance": b.get("significance"), "background": b.get("background")}
                if b.get("background") is None:
                    entry["note"] = "no background given (--background): no significance"
            out["best"][e] = entry
        return out

    # --- outputs ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``points`` (with ``delta_chi2``), ``best``, ``chi2_min``, ``summary``, run details."""
        return {"model": self.model, "parameter": self.parameter, "unit": self.unit,
                "axes": {a.name: {"values": list(a.values), "unit": a.unit, "kind": a.kind, "spacing": a.spacing,
                                  "column": a.column} for a in self.axis_info},
                "coupling_product": {"name": self.coupling_product_name, "unit": self.coupling_product_unit},
                "modes": self.modes, "chi2_min": self.chi2_min, "best": _public(self.best),
                "points": [_public(p) for p in self.points], "summary": self.summary(),
                "ndof": self.best.get("ndof"), "simulation": self.simulation,
                "config_hash": self.meta.get("config_hash"), "scan_hash": self.meta.get("scan_hash"),
                "backend": self.backend, "workers": self.workers, "resumed_points": self.resumed_points,
                "cache": {"directory": self.cache_dir, **(self.cache_stats() or {})}, "seconds": self.seconds}

    def rows(self) -> list[dict]:
        """Flat rows (the table's columns)."""
        return [{k: v for k, v in p.items() if not k.startswith("_") and k not in _DERIVED} for p in self.points]

    def columns(self) -> list[str]:
        cols: dict[str, None] = {}
        for r in self.rows():
            for k in r:
                cols.setdefault(k, None)
        return list(cols)

    def to_csv(self) -> str:
        """CSV text, the table's columns (floats written with repr: they read back exactly)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        cols = self.columns()
        w.writerow(cols)
        for r in self.rows():
            w.writerow(["" if r.get(c) is None else (repr(r[c]) if isinstance(r[c], float) else r[c]) for c in cols])
        return buf.getvalue()

    def write(self, path: str | Path) -> Path:
        """Write JSON (``.json``), CSV (``.csv``) or Parquet (``.parquet``) atomically."""
        from .scan_table import write_rows

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError("scan output suffix", path.suffix or str(path), OUTPUT_SUFFIXES)
        if suffix == ".parquet":
            return write_rows(path, self.rows(), {**self.meta, "complete": True})
        text = self.to_csv() if suffix == ".csv" else json.dumps(self.to_dict(), indent=1, allow_nan=False,
                                                                  default=_json_default) + "\n"
        write_text_atomic(path, text)
        return path

    def delta_chi2_grid(self, experiment: str | None = None) -> tuple[list[str], list[np.ndarray], np.ndarray]:
        """Δχ² on the first two scanned numeric axes (further axes profiled, i.e. minimised over).

        Returns (axis names, axis values, Δχ² array of shape (n_1[, n_2]))."""
        return _grid_of(self, "delta_chi2", experiment, np.min)

    def plot(self, path: str | Path, experiment: str | None = None) -> Path:
        """PNG (or any matplotlib format, by suffix) of Δχ² over the grid (signal events where the experiment
        has no data), written atomically."""
        from ..plotting import _plt

        plt = _plt()
        exps = list(dict.fromkeys(p[EXPERIMENT_AXIS] for p in self.points))
        experiment = experiment or next((e for e in exps if any(
            p.get("chi2") is not None for p in self.points if p[EXPERIMENT_AXIS] == e)), exps[0])
        has_chi2 = any(p.get("chi2") is not None for p in self.points if p[EXPERIMENT_AXIS] == experiment)
        key = "delta_chi2" if has_chi2 else "signal_total"
        names, vals, d = _grid_of(self, key, experiment, np.min if has_chi2 else np.max)
        fig, ax = plt.subplots(figsize=(6.0, 4.5))
        best = self.best["point"]
        fitted = f"{self.parameter} fitted at each point, " if self.parameter else ""
        title = (f"{self.model} at {experiment}: {fitted}min χ² = {self.chi2_min:.2f}" if has_chi2
                 else f"{self.model} at {experiment}: expected signal events")
        axes = [self.axis(n) for n in names]
        lab = [f"{a.name} [{a.unit}]" if a.unit else a.name for a in axes]
        if len(names) == 1:
            x = vals[0]
            ax.plot(x, d, "o-", color="C0")
            if has_chi2:
                for level, txt in ((1.0, "1σ"), (4.0, "2σ")):
                    ax.axhline(level, color="grey", ls=":", lw=0.8)
                    ax.annotate(txt, (x[0], level), fontsize=8, color="grey", va="bottom")
                ax.set_ylabel(r"$\Delta\chi^2$")
            else:
                ax.set_ylabel("signal events")
                if np.all(d > 0):
                    ax.set_yscale("log")
            ax.set_xlabel(lab[0])
            if axes[0].log:
                ax.set_xscale("log")
        else:
            from matplotlib.colors import LogNorm

            x, y = vals
            if has_chi2:
                mesh = ax.pcolormesh(_cell_edges(x, axes[0].log), _cell_edges(y, axes[1].log), d.T, shading="flat",
                                     cmap="viridis_r", vmin=0.0, vmax=max(float(np.nanmax(d)), 1e-9)
                                     if np.nanmax(d) < 25 else 25.0)
                fig.colorbar(mesh, ax=ax, label=r"$\Delta\chi^2$")
                from scipy.stats import chi2 as chi2_dist

                levels = [float(chi2_dist.ppf(0.68, 2)), float(chi2_dist.ppf(0.95, 2))]
                if min(len(x), len(y)) >= 2 and np.nanmax(d) > levels[0]:
                    cs = ax.contour(x, y, d.T, levels=levels, colors=["w", "k"], linewidths=1.0)
                    ax.clabel(cs, fmt={levels[0]: "68%", levels[1]: "95%"}, fontsize=7)
                ax.plot([best[names[0]]], [best[names[1]]], "*", color="red", ms=12)
            else:
                pos = d[d > 0]
                norm = LogNorm(vmin=max(float(pos.min()), float(pos.max()) * 1e-8), vmax=float(pos.max())) \
                    if pos.size else None
                mesh = ax.pcolormesh(_cell_edges(x, axes[0].log), _cell_edges(y, axes[1].log),
                                     np.where(d > 0, d, np.nan).T, shading="flat", cmap="magma", norm=norm)
                fig.colorbar(mesh, ax=ax, label="signal events")
            ax.set_xlabel(lab[0])
            ax.set_ylabel(lab[1])
            if axes[0].log:
                ax.set_xscale("log")
            if axes[1].log:
                ax.set_yscale("log")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        path = Path(path)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", dpi=110)
        plt.close(fig)
        return path


#: keys of a point that are not table columns
_DERIVED = ("point", "value", "signal_events", "cache", "seconds_task")


def _public(p: dict) -> dict:
    return {k: v for k, v in p.items() if not k.startswith("_")}


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _grid_of(res: ScanResult, key: str, experiment: str | None, reduce) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    numeric = [a for a in res.axis_info if a.numeric]
    keep = [a for a in numeric if len(a.values) > 1][:2] or numeric[:1]
    if not keep:
        raise InputError("plot", "grid", "a scan with a numeric axis")
    shape = tuple(len(a.values) for a in keep)
    out = np.full(shape, np.nan)
    pos = [{v: i for i, v in enumerate(a.values)} for a in keep]
    for p in res.points:
        if experiment is not None and p[EXPERIMENT_AXIS] != experiment:
            continue
        v = p.get(key)
        if v is None or not math.isfinite(v):
            continue
        idx = tuple(pos[j][p["point"][a.name]] for j, a in enumerate(keep))
        out[idx] = v if np.isnan(out[idx]) else reduce([out[idx], v])
    return [a.name for a in keep], [np.asarray(a.values, float) for a in keep], out


def _cell_edges(v: np.ndarray, log: bool | None = None) -> np.ndarray:
    """Cell edges around grid values (geometric midpoints for positive log axes, else arithmetic)."""
    v = np.asarray(v, float)
    if len(v) == 1:
        return np.array([v[0] * 0.9, v[0] * 1.1]) if v[0] > 0 else np.array([v[0] - 0.5, v[0] + 0.5])
    if (log if log is not None else np.all(v > 0)) and np.all(v > 0):
        lv = np.log(v)
        mid = 0.5 * (lv[1:] + lv[:-1])
        return np.exp(np.concatenate([[2 * lv[0] - mid[0]], mid, [2 * lv[-1] - mid[-1]]]))
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


# ------------------------------------------------------------------------------------------------
# the scan
# ------------------------------------------------------------------------------------------------


def config_for_experiment(config: RunConfig, experiment: str) -> RunConfig:
    """``config`` moved to ``experiment``: its modes that the experiment runs, their POT, the off-target run
    only where the experiment had one. InputError when the experiment runs none of the config's modes."""
    from ..detectors.catalog import get_experiment

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
    from .datasets import dataset_for

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
    from .scan_table import parts_dir, read_rows

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
