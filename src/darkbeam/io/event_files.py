"""Column layout and safe-writing helpers of event files (Parquet and HepMC3): column names and empty
columns of a record layout, suffix and overwrite checks, atomic writes that a SIGTERM cannot leave half
written; docs/events.md."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .atomic import atomic_path

P4_COMPONENTS = ("E", "px", "py", "pz")


VERTEX_COMPONENTS = ("x", "y", "z", "ct")


OBSERVABLES = ("E_vis", "cos_theta", "E_QE")


#: per-event string labels of a record: production source, target, and (samples of build_signal) the
#: detection channel of the event (``DetectionChannel.label``)
LABELS = ("source", "target")


def _check_suffix(path: Path, allowed: tuple[str, ...], what: str) -> None:
    if path.suffix.lower() not in allowed:
        raise InputError(f"{what} file suffix", path.suffix or str(path), allowed)



def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating | np.bool_):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _mass(p4: np.ndarray) -> np.ndarray:
    """Invariant mass (MeV) of (N, 4) four-momenta; 0 for space-like rounding and for m² below 1e-14 E²
    (the rounding of E² − p² of a massless particle; every massive state here has m/E > 1e-5)."""
    m2 = p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)
    return np.sqrt(np.where(m2 > 1e-14 * p4[:, 0] ** 2, m2, 0.0))


def _column_names(layout: dict[str, Any], weight_names) -> list[str]:
    names = ["event", *weight_names, "process_id", *OBSERVABLES, *layout.get("labels", LABELS)]
    for p in layout["particles"]:
        names += [f"{p['role']}_pdg", *(f"{p['role']}_{c}" for c in P4_COMPONENTS)]
    for v in layout["vertices"]:
        names += [f"v_{v['role']}_{c}" for c in VERTEX_COMPONENTS]
    return names


def _ordered(cols: dict[str, np.ndarray], layout, weight_names) -> dict[str, np.ndarray]:
    return {k: cols[k] for k in _column_names(layout, weight_names) if k in cols}


def _empty_columns(layout: dict[str, Any], weight_names) -> dict[str, np.ndarray]:
    out = {}
    for k in _column_names(layout, weight_names):
        kind = "i" if k in ("event", "process_id") or k.endswith("_pdg") else (
            "U" if k in layout.get("labels", LABELS) else "f")
        out[k] = np.zeros(0, {"i": np.int64, "U": "<U1", "f": float}[kind])
    return out


def _check_overwrite(path: Path, overwrite: bool) -> None:
    if path.is_dir():
        raise InputError("events file", str(path), "a file path (this is an existing folder)")
    if not overwrite and (path.exists() or path.is_symlink()):
        raise InputError("events file", str(path), "a path that does not exist yet (pass overwrite=True, "
                         "or --overwrite on the command line, to replace it)")


@contextlib.contextmanager
def _no_partial_output(path: Path) -> Iterator[str]:
    """:func:`~darkbeam.io.atomic.atomic_path` with SIGTERM (and SIGHUP) turned into an exception while
    the file is written (main thread only), so that a terminated run removes its temporary; a SIGKILL
    leaves a hidden ``.<name>.darkbeam-<pid>-*.part`` that the next write of ``path`` removes."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        def _raise(signum, frame):
            raise SystemExit(128 + signum)


        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                with contextlib.suppress(ValueError, OSError):
                    previous[sig] = signal.signal(sig, _raise)
    try:
        with atomic_path(path) as tmp:
            yield tmp
    finally:
        for sig, handler in previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, handler)
