"""Scan tables: one Parquet row per grid point, written incrementally and atomically, resumable.

A scan with ``-o FILE.parquet`` keeps two things on disk while it runs:

* ``FILE.parquet.parts/task-NNNNNN.parquet``: the rows of one finished task (one mass point: every
  coupling point of it), written atomically (temporary file + rename) the moment the task's result
  arrives. A killed scan (Ctrl-C, SIGKILL, a lost machine) therefore loses no finished point;
* ``FILE.parquet``: the consolidated table (every finished row, sorted by grid index), rewritten
  atomically at most every ``flush_seconds`` and at the end; parts it holds are then removed. At the end of
  a complete scan the table gets a ``delta_chi2`` column and ``complete = true`` in its metadata and the
  parts folder is removed.

The file's Parquet metadata (key ``darkbeam.scan``) is a JSON document with the table format, the
darkbeam version, ``config_hash`` (SHA-256 of the canonical JSON of the run config: model, experiment,
simulation, analysis, fit, priors), ``scan_hash`` (SHA-256 of the grid, the experiments and the scan
options), the axes, the column units and ``n_tasks`` / ``n_points``.

``resume=True`` reads the table and its parts, checks both hashes against the scan being started and
returns the finished tasks, which are not run again. Failures are one-line :class:`InputError` s, and
nothing is overwritten silently:

* the output exists but ``resume`` is not set;
* the table or one of its parts cannot be read (truncated, not Parquet, no darkbeam metadata): the
  message names the file;
* the table was written by another config or another grid: the message says which hash differs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError
from ..io.atomic import atomic_path

#: bump when the table layout changes
TABLE_FORMAT = 1
META_KEY = b"darkbeam.scan"
_PART = re.compile(r"^task-(\d+)\.parquet$")


def canonical_hash(obj: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``obj`` (sorted keys, exact float reprs)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def config_hash(config) -> str:
    """SHA-256 of the canonical JSON of a :class:`~darkbeam.io.config.RunConfig` (every section)."""
    return canonical_hash(config.model_dump(mode="json"))


def parts_dir(path: str | Path) -> Path:
    """The folder of per-task parts of the table ``path`` (``FILE.parquet.parts``)."""
    path = Path(path)
    return path.with_name(path.name + ".parts")


def _columns(rows: list[dict]) -> list[str]:
    cols: dict[str, None] = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    return list(cols)


def rows_to_table(rows: list[dict], meta: dict):
    """A pyarrow Table of ``rows`` (union of their keys; None where a row lacks a column) with ``meta``."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)

    cols = _columns(rows)
    arrays = []
    for c in cols:
        vals = [r.get(c) for r in rows]
        try:
            arrays.append(pa.array(vals))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types (e.g. a string setting axis): as text
            arrays.append(pa.array([None if v is None else str(v) for v in vals]))
    table = pa.Table.from_arrays(arrays, names=cols) if cols else pa.table({})
    return table.replace_schema_metadata({META_KEY: json.dumps(meta, allow_nan=False, default=str).encode()})


def write_rows(path: Path, rows: list[dict], meta: dict) -> Path:
    """Write ``rows`` as Parquet atomically (temporary file in the same folder, then a rename)."""
    import pyarrow.parquet as pq  # lazy: optional, heavy (Parquet/Arrow output)

    with atomic_path(path) as tmp:
        pq.write_table(rows_to_table(rows, meta), tmp)
    return path


def read_rows(path: str | Path) -> tuple[list[dict], dict]:
    """(rows, metadata) of a darkbeam scan table. InputError naming the file when it cannot be read or is
    not a darkbeam scan table (corrupted, truncated, another program's Parquet)."""
    import pyarrow.parquet as pq  # lazy: optional, heavy (Parquet/Arrow output)

    path = Path(path)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - ArrowInvalid, OSError, ...: one line naming the file
        raise InputError("scan table", str(path), "a readable darkbeam scan table: this file is corrupted or "
                                                   f"not Parquet ({type(exc).__name__}: {str(exc)[:120]}); "
                                                   "move it away or choose another -o (it is never overwritten)"
                         ) from None
    raw = (table.schema.metadata or {}).get(META_KEY)
    try:
        meta = json.loads(raw.decode()) if raw is not None else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict) or "config_hash" not in meta:
        raise InputError("scan table", str(path), "a darkbeam scan table (this Parquet file has no darkbeam "
                                                   "scan metadata); move it away or choose another -o")
    if meta.get("format") != TABLE_FORMAT:
        raise InputError("scan table", str(path), f"a table of format {TABLE_FORMAT} (this one has format "
                                                   f"{meta.get('format')!r}, written by darkbeam "
                                                   f"{meta.get('darkbeam')})")
    return table.to_pylist(), meta


def check_compatible(path: Path, meta: dict, expected: dict) -> None:
    """InputError when the table ``path`` (metadata ``meta``) was written by another config or grid."""
    if meta.get("config_hash") != expected["config_hash"]:
        raise InputError("--resume", str(path),
                         f"a table written by this config: the table's config hash {str(meta.get('config_hash'))[:12]} "
                         f"differs from this config's {expected['config_hash'][:12]} ([model], [experiment], "
                         "[simulation], [analysis], [fit] or [priors] changed, or --n-mesons / --n-events / --seed); "
                         "use the config that wrote it, or another -o")
    if meta.get("scan_hash") != expected["scan_hash"]:
        raise InputError("--resume", str(path),
                         f"a table of this scan: the table's grid/options hash {str(meta.get('scan_hash'))[:12]} "
                         f"differs from this scan's {expected['scan_hash'][:12]} (--grid, experiments, "
                         "--background or the fitted parameter changed); use the same options, or another -o")


class ScanTable:
    """The on-disk table of one scan (see the module docstring).

    Args:
        path: ``FILE.parquet``.
        meta: metadata of the scan being run (must hold ``config_hash`` and ``scan_hash``).
        resume: continue an existing table (else the output must not exist).
        flush_seconds: consolidate ``FILE.parquet`` at most this often while the scan runs (0: after
            every task).
    """

    def __init__(self, path: str | Path, meta: dict, resume: bool = False, flush_seconds: float = 5.0) -> None:
        self.path = Path(path)
        self.parts = parts_dir(self.path)
        self.meta = {"format": TABLE_FORMAT, "darkbeam": __version__, **meta, "complete": False}
        self.flush_seconds = float(flush_seconds)
        #: rows of the finished tasks, by task id
        self.done: dict[int, list[dict]] = {}
        self._in_table: set[int] = set()
        self._last_flush = time.monotonic()
        exists = self.path.exists() or (self.parts.is_dir() and any(self.parts.iterdir()))
        if exists and not resume:
            raise InputError("--output", str(self.path),
                             "a new file: this scan table exists (pass --resume to continue that scan, or remove "
                             "it / choose another -o; a scan table is never overwritten)")
        if self.path.is_dir():
            raise InputError("--output", str(self.path), "a file path (this is an existing folder)")
        if resume and exists:
            self._load()

    # --- reading ----------------------------------------------------------------------------------
    def _load(self) -> None:
        if self.path.exists():
            rows, meta = read_rows(self.path)
            check_compatible(self.path, meta, self.meta)
            for r in rows:
                self.done.setdefault(int(r["task"]), []).append(r)
            self._in_table = set(self.done)
        if self.parts.is_dir():
            for f in sorted(self.parts.iterdir()):
                m = _PART.match(f.name)
                if not m:
                    continue  # temporaries of an interrupted write, other files: not ours to judge
                rows, meta = read_rows(f)
                check_compatible(f, meta, self.meta)
                task = int(m.group(1))
                if task not in self.done:
                    self.done[task] = rows
        for rows in self.done.values():  # Δχ² of a finished table is recomputed at the end
            for r in rows:
                r.pop("delta_chi2", None)

    @property
    def finished_tasks(self) -> set[int]:
        return set(self.done)

    def rows(self) -> list[dict]:
        """Every finished row, in grid order."""
        return sorted((r for rows in self.done.values() for r in rows), key=lambda r: int(r["index"]))

    # --- writing ----------------------------------------------------------------------------------
    def add(self, task: int, rows: list[dict]) -> None:
        """Record the rows of a finished task: a part file now, the consolidated table when due."""
        self.done[int(task)] = list(rows)
        self.parts.mkdir(parents=True, exist_ok=True)
        write_rows(self.parts / f"task-{int(task):06d}.parquet", rows, self.meta)
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self, final_rows: list[dict] | None = None, complete: bool = False) -> None:
        """Rewrite ``FILE.parquet`` atomically with every finished row, then drop the parts it holds."""
        meta = {**self.meta, "complete": bool(complete), "n_done_tasks": len(self.done)}
        rows = self.rows() if final_rows is None else final_rows
        write_rows(self.path, rows, meta)
        self._in_table = set(self.done)
        self._last_flush = time.monotonic()
        if complete:
            shutil.rmtree(self.parts, ignore_errors=True)
            return
        for task in self._in_table:
            with contextlib.suppress(OSError):
                os.unlink(self.parts / f"task-{task:06d}.parquet")


__all__ = ["META_KEY", "TABLE_FORMAT", "ScanTable", "canonical_hash", "check_compatible", "config_hash",
           "parts_dir", "read_rows", "rows_to_table", "write_rows"]
