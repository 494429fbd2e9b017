"""Scan tasks and backends: one task per mass point and experiment, serial / local Dask / distributed."""

from __future__ import annotations

import ctypes
import hashlib
import logging
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

from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..io.atomic import atomic_path
from ..io.cache import SampleCache
from ..io.config import RunConfig
from ..models.plugins import load_plugins
from ..registry import Registry
from .predict import Predictor, coupling_product
from .scan_grid import EXPERIMENT_AXIS, log_prior


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
            from tqdm import tqdm  # lazy: optional (progress bars)

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
    import dask  # lazy: optional extra (scan backends)
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
        import distributed  # lazy: optional extra (scan backends)
    except ImportError:  # pragma: no cover - a dependency since the scale-out issue
        raise InputError("backend", "dask-distributed", "'serial' or 'dask' (the 'distributed' package is not "
                                                         "installed: pip install distributed)") from None
    return distributed


def _run_on_client(client, tasks: list[PointTask], on_result) -> None:
    from distributed import as_completed  # lazy: optional extra (scan backends)

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
