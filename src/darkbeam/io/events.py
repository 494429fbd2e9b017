"""Standard event files of signal samples: Parquet (one row per event) and HepMC3 ASCII following NuHepMC.

Input: a :class:`~darkbeam.pipeline.signal.SignalSample` (or its subclass
:class:`~darkbeam.pipeline.dark_neutrino_signal.DarkNeutrinoSample`). Its ``particles`` dict holds the true
lab four-momenta (MeV) of the detection process (``p4_in``/``pdg_in``: the incoming dark state or
neutrino; ``p4_vis1``, ``p4_vis2``: visible; ``p4_recoil``/``pdg_recoil``; ``p4_inv``/``pdg_inv``;
``p4_mid``/``pdg_mid`` with ``x_int``/``x_dec`` for the dark neutrino), and its ``columns`` the history
when the process records it: the parent meson (``parent_pdg``, ``parent_p4``, its production point
``parent_x0``), the dark state's production point ``x_prod`` (the parent's decay point), the decay point
``x_dec`` (decay in volume) and ``flux_total`` (the integrated flux of the incoming state at the detector).

:func:`event_record` turns a sample into a columnar *event record*: particle slots (role, PDG id, four-
momentum, status, production vertex) and vertex slots (role, status, position and c·t, incoming
particles), the same for every event of a file, or, for a sample whose detection channels have different
graphs (decays in volume and scatters), each event's own (a mixed record, ``EventRecord.graphs``; the ``graph``
label names it). A full record (docs/events.md) is

    beam proton (4) → [31: production point in the target] → parent meson (2) → [32: its decay point]
    → dark state (22 scatters / 2 decays) → [1: primary vertex in the detector, with the target (20)]
    → recoil and every visible (and invisible) final-state particle (1)

with times of flight (c·t, mm) from the proton's interaction (c·t = 0). The record is written as Parquet
(one row per event, one column per particle-role component / vertex-role coordinate, the graph layout in
the schema metadata) or as HepMC3 ASCII with NuHepMC 1.0.0 run and event metadata
(:mod:`darkbeam.io.nuhepmc`). :func:`read_events` reads either back into an :class:`EventTable`.

Weights: ``CV`` (events per POT at the couplings of ``model``) and ``expected_events`` (CV × ``pot``).
Events of weight 0 (rejected by the detector response) are left out and counted; ``unweight=True`` keeps
events with probability w/w_max and gives all kept events the same CV (Σw / kept).

HepMC3 is written without one Python object per event (every numeric column is cast to text in one Arrow
call and the lines are joined element-wise), at ~10⁵ events/s instead of ~10⁴ for per-event writers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..declarations import Model
from ..errors import InputError
from ..registry import Registry
from .event_hepmc3 import (  # noqa: F401  (re-exported)
    _HEPMC_VERSION,
    HEPMC3_SUFFIXES,
    EventTable,
    _clean,
    _csv,
    _event_lines,
    _header,
    _labels,
    _Lines,
    _split_header,
    _text_chunk,
    read_hepmc3,
    write_hepmc3,
    write_hepmc3_pyhepmc,
)
from .event_parquet import (  # noqa: F401  (re-exported)
    PARQUET_SUFFIXES,
    _dictionary,
    event_columns,
    read_parquet,
    record_columns,
    write_parquet,
)
from .event_record import (  # noqa: F401  (re-exported)
    _C_MM_PER_S,
    _META_KEY,
    _PARENT_PDG,
    FORMAT_VERSION,
    OBSERVABLES,
    P4_COMPONENTS,
    ROLES,
    SPHERES,
    TARGET_NUCLEI,
    VERTEX_COMPONENTS,
    WEIGHT_NAMES,
    EventRecord,
    ParticleSlot,
    VertexSlot,
    _as_record,
    _at_rest,
    _categories,
    _check_overwrite,
    _check_pot,
    _check_suffix,
    _column_names,
    _empty_columns,
    _fill_nucleus_pdg,
    _flux_cross_section,
    _graph,
    _history,
    _json_default,
    _mass,
    _n_events,
    _no_partial_output,
    _ordered,
    _parent_pdg,
    _particle_numbers,
    _particles,
    _run_info,
    _tof,
    _unweight,
    _weights,
    _x4,
    beam_proton,
    event_metadata,
    event_record,
    interaction_vertices,
    nucleus_pdg,
)


def read_events(path: str | Path) -> EventTable:
    """Read an event file of darkbeam (.parquet, .hepmc3, .hepmc) into an :class:`EventTable`: the same
    column names for both formats (:func:`record_columns`), the metadata and the NuHepMC run info."""
    path = Path(path)
    sfx = path.suffix.lower()
    if sfx in HEPMC3_SUFFIXES:
        return read_hepmc3(path)
    if sfx in PARQUET_SUFFIXES:
        d = read_parquet(path)
        meta = d["metadata"]
        return EventTable(d["columns"], meta, meta.get("run_info", {}), "parquet")
    raise InputError("events file suffix", path.suffix or str(path), PARQUET_SUFFIXES + HEPMC3_SUFFIXES)


EVENT_WRITERS: Registry[Callable[..., Path]] = Registry("events file suffix")
EVENT_WRITERS.add(".parquet", write_parquet, "Apache Parquet, one row per event (pyarrow)")
for _sfx in HEPMC3_SUFFIXES:
    EVENT_WRITERS.add(_sfx, write_hepmc3, "HepMC3 ASCII (Asciiv3) with NuHepMC 1.0.0 metadata")


def check_events_path(path: str | Path, overwrite: bool = False) -> Path:
    """Fail early (before any simulation) on a path :func:`write_events` would refuse: a suffix other than
    .parquet/.hepmc3/.hepmc, a folder, or an existing file without ``overwrite``."""
    path = Path(path)
    if path.suffix.lower() not in EVENT_WRITERS:
        raise InputError("events file suffix", path.suffix or str(path), EVENT_WRITERS.names())
    _check_overwrite(path, overwrite)
    return path


def write_record(rec: EventRecord, path: str | Path, overwrite: bool = True) -> Path:
    """Write an :class:`EventRecord` in the format given by the suffix of ``path``."""
    path = check_events_path(path, overwrite)
    return EVENT_WRITERS.get(path.suffix.lower())(rec, path, overwrite=overwrite)


def write_events(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                 rng: np.random.Generator | None = None, *, overwrite: bool = True, **kw: Any) -> Path:
    """Write ``sample`` in the format given by the suffix of ``path`` (.parquet, .hepmc3, .hepmc); keywords
    of :func:`event_record` (``unweight``, ``keep_zero_weight``, ``provenance``, ``sphere``). With
    ``overwrite=False`` an existing file is an error (checked before the record is built)."""
    check_events_path(path, overwrite)
    return write_record(event_record(sample, model, pot, rng, **kw), path, overwrite)


__all__ = ["EVENT_WRITERS", "FORMAT_VERSION", "HEPMC3_SUFFIXES", "OBSERVABLES", "PARQUET_SUFFIXES", "ROLES",
           "SPHERES", "WEIGHT_NAMES", "EventRecord", "EventTable", "ParticleSlot", "VertexSlot", "beam_proton",
           "check_events_path", "event_columns", "event_metadata", "event_record", "interaction_vertices",
           "read_events", "read_hepmc3", "read_parquet", "record_columns", "write_events", "write_hepmc3",
           "write_hepmc3_pyhepmc", "write_parquet", "write_record"]
