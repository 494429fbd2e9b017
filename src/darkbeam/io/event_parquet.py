"""Parquet event files: one row per event (docs/events.md), written and read back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..declarations import Model
from ..errors import InputError
from .event_record import (
    _META_KEY,
    P4_COMPONENTS,
    VERTEX_COMPONENTS,
    WEIGHT_NAMES,
    EventRecord,
    _as_record,
    _check_overwrite,
    _check_suffix,
    _json_default,
    _no_partial_output,
    event_record,
)

PARQUET_SUFFIXES = (".parquet",)


def record_columns(rec: EventRecord) -> dict[str, np.ndarray]:
    """Columns of a record, one row per event (the Parquet columns; :func:`read_events` gives the same):
    ``event``, ``CV``, ``expected_events``, ``process_id``, the observables, ``source``, ``target``,
    ``{role}_pdg`` and ``{role}_E/px/py/pz`` per particle role, ``v_{role}_x/y/z/ct`` per vertex role. A mixed
    record (events of several graphs, ``graph`` label) has a column for every role of any graph: NaN (pdg 0) in the
    events whose graph lacks the role."""
    cols: dict[str, np.ndarray] = {"event": rec.event, **{k: rec.weights[k] for k in WEIGHT_NAMES},
                                   "process_id": rec.process_id, **rec.observables,
                                   **{k: rec.label(k) for k in rec.labels}}
    if rec.mixed:
        n = len(rec)
        for _, sub, idx in rec.graph_records():
            for k, a in _slot_columns(sub).items():
                if k not in cols:
                    cols[k] = np.zeros(n, np.int64) if k.endswith("_pdg") else np.full(n, np.nan)
                cols[k][idx] = a
        return cols
    return {**cols, **_slot_columns(rec)}


def _slot_columns(rec: EventRecord) -> dict[str, np.ndarray]:
    """The particle and vertex columns of a record of one graph."""
    cols: dict[str, np.ndarray] = {}
    order = rec.write_order()
    for kind, slot, _, _ in order:
        if kind == "P":
            cols[f"{slot.role}_pdg"] = slot.pdg
            for i, c in enumerate(P4_COMPONENTS):
                cols[f"{slot.role}_{c}"] = slot.p4[:, i]
    for kind, slot, _, _ in order:
        if kind == "V":
            for i, c in enumerate(VERTEX_COMPONENTS):
                cols[f"v_{slot.role}_{c}"] = slot.x[:, i]
    return cols


def event_columns(sample, model: Model | None = None, pot: float = 1.0, rng: np.random.Generator | None = None,
                  **kw: Any) -> dict[str, np.ndarray]:
    """:func:`record_columns` of the record of ``sample`` (keywords of :func:`event_record`)."""
    return record_columns(event_record(sample, model, pot, rng, **kw))


def write_parquet(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                  rng: np.random.Generator | None = None, *, overwrite: bool = True, **kw: Any) -> Path:
    """Write the event record of ``sample`` (or an :class:`EventRecord`) as Parquet, one row per event,
    atomically; returns the path. Columns: :func:`record_columns`; the schema metadata key ``darkbeam``
    holds the record's metadata as JSON (model, exposure, counts, the graph ``record`` layout with the
    status of every role, and ``run_info``, the NuHepMC attributes of the HepMC3 header). Keywords:
    those of :func:`event_record`."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)
    import pyarrow.parquet as pq

    path = Path(path)
    _check_suffix(path, PARQUET_SUFFIXES, "Parquet")
    _check_overwrite(path, overwrite)
    rec = _as_record(sample, model, pot, rng, kw)
    cols = record_columns(rec)
    meta = {**rec.metadata, "run_info": rec.run_info}
    table = pa.table({k: _dictionary(*rec.labels[k]) if k in rec.labels else pa.array(v) for k, v in cols.items()})
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta, default=_json_default).encode()})
    with _no_partial_output(path) as tmp:
        # dictionary encoding only for the label columns; plain snappy for the numbers (speed)
        pq.write_table(table, tmp, use_dictionary=list(rec.labels), write_statistics=False)
    return path


def _dictionary(categories: np.ndarray, codes: np.ndarray):
    """Arrow dictionary array of a label column (a handful of distinct strings: no string per event)."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)

    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array([str(c) for c in categories], pa.string()))


def read_parquet(path: str | Path) -> dict[str, Any]:
    """Read a file of :func:`write_parquet`: ``{"columns": {name: numpy array}, "metadata": dict}``."""
    import pyarrow.parquet as pq  # lazy: optional, heavy (Parquet/Arrow output)

    path = Path(path)
    _check_suffix(path, PARQUET_SUFFIXES, "Parquet")
    if not path.is_file():
        raise InputError("events file", str(path), "an existing Parquet file written by darkbeam")
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(_META_KEY)
    meta = json.loads(raw) if raw else {}
    cols = {}
    for name in table.column_names:
        arr = table.column(name).to_numpy()
        cols[name] = arr.astype(str) if arr.dtype == object else arr
    return {"columns": cols, "metadata": meta}

