"""HepMC3 (NuHepMC) event files: a vectorised ASCII writer, a pyhepmc reference writer and a reader of
darkbeam's own files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..declarations import Model
from ..errors import InputError
from . import nuhepmc
from .atomic import atomic_path
from .event_record import (
    _C_MM_PER_S,
    LABELS,
    OBSERVABLES,
    P4_COMPONENTS,
    VERTEX_COMPONENTS,
    WEIGHT_NAMES,
    EventRecord,
    _as_record,
    _check_overwrite,
    _check_suffix,
    _empty_columns,
    _mass,
    _no_partial_output,
    _ordered,
)

HEPMC3_SUFFIXES = (".hepmc3", ".hepmc")


_HEPMC_VERSION = "3.02.05"  # the Asciiv3 flavour written (what pyhepmc 2.16 / HepMC3 3.2.5 write)


def _clean(s: str) -> str:
    """One-line attribute text (HepMC3 attributes end at the line end)."""
    return " ".join(str(s).split())


def _labels(categories: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-event one-line labels (cleaned once per distinct label, not per event); "" is written "-"."""
    return np.array([_clean(u) or "-" for u in categories], dtype=object)[codes]


def _event_lines(rec: EventRecord) -> list[list]:
    """Per-event HepMC3 lines as lists of pieces (literal text or per-event numpy columns), for a record of one
    graph (a mixed record is written graph by graph: :meth:`EventRecord.graph_records`)."""
    order = rec.write_order()
    n_part = sum(1 for k, *_ in order if k == "P")
    lines: list[list] = [["E", rec.event, f"{len(rec.vertices)} {n_part}"], ["U MEV MM"],
                         ["W", *[rec.weights[k] for k in WEIGHT_NAMES]]]
    prim = rec.vertex(rec.primary).x
    # event attributes (E.R.3, E.R.5 with the time in seconds, E.C.5; darkbeam: observables and labels)
    lines += [[f"A 0 {k}", rec.observables[k]] for k in OBSERVABLES]
    lines.append(["A 0 lab_pos", prim[:, 0], prim[:, 1], prim[:, 2], prim[:, 3] / _C_MM_PER_S])
    lines.append(["A 0 signal_process_id", rec.process_id])
    lines += [[f"A 0 {k}", _labels(*v)] for k, v in rec.labels.items()]
    for kind, slot, i, extra in order:
        if kind == "P":  # P id production_vertex pdg px py pz e m status
            const = len(slot.pdg) > 0 and bool(np.all(slot.pdg == slot.pdg[0]))
            head = f"P {i} {extra} {int(slot.pdg[0])}" if const else f"P {i} {extra}"
            lines.append([head, *([] if const else [slot.pdg]), slot.p4[:, 1], slot.p4[:, 2], slot.p4[:, 3],
                          slot.p4[:, 0], _mass(slot.p4), str(slot.status)])
        else:  # V id status [incoming particle ids] @ x y z ct
            lines.append([f"V {i} {slot.status} [{','.join(map(str, extra))}] @", slot.x[:, 0], slot.x[:, 1],
                          slot.x[:, 2], slot.x[:, 3]])
    return lines


def _text_chunk(lines: list[list], sl: slice) -> bytes:
    """UTF-8 text of events ``sl``: every numeric column is turned into strings in one vectorised cast
    (round-trip decimals, so the file holds the doubles exactly), the pieces of each line are
    joined element-wise, the lines of each event likewise, and the concatenated values buffer of the
    resulting Arrow string array *is* the text of the chunk (no Python object per event)."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)
    import pyarrow.compute as pc

    def piece(x):
        if isinstance(x, str):
            return x
        x = x[sl]
        return pa.array(x) if x.dtype.kind in "UOS" else pc.cast(pa.array(x), pa.string())

    joined = [pc.binary_join_element_wise(*[piece(x) for x in line], " ") if len(line) > 1 else line[0]
              for line in lines]
    events = pc.binary_join_element_wise(*joined, "", "\n")  # lines joined by "\n", ending with "\n"
    if isinstance(events, pa.ChunkedArray):
        events = events.combine_chunks()
    offsets = np.frombuffer(events.buffers()[1], dtype=np.int32)
    lo, hi = int(offsets[events.offset]), int(offsets[events.offset + len(events)])
    return memoryview(events.buffers()[2])[lo:hi]


def _header(rec: EventRecord) -> list[str]:
    return ["HepMC::Version " + _HEPMC_VERSION, "HepMC::Asciiv3-START_EVENT_LISTING", "W " + "\\|".join(WEIGHT_NAMES),
            f"T darkbeam\\|{__version__}\\|dark-sector signal events (https://arxiv.org/abs/2110.11944)",
            *nuhepmc.header_lines(rec.run_info)]


def write_hepmc3(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                 rng: np.random.Generator | None = None, *, chunk: int = 50_000, overwrite: bool = True,
                 **kw: Any) -> Path:
    """Write the event record of ``sample`` (or an :class:`EventRecord`) as HepMC3 ASCII (Asciiv3,
    ``U MEV MM``) with NuHepMC 1.0.0 metadata, atomically; returns the path.

    Run info: weights ``CV`` and ``expected_events``, the darkbeam tool line and the NuHepMC attributes
    of :func:`darkbeam.io.nuhepmc.run_info_attributes` (plus ``darkbeam_metadata``, JSON). Each event:
    ``signal_process_id``, ``lab_pos`` (primary vertex, mm, and its time in s), the observables and
    labels as attributes, then the particles and vertices of the record (statuses in docs/events.md).
    Numbers are written as decimals that read back to the same double. ``chunk``:
    events formatted per pass (memory bound). Keywords: those of :func:`event_record`. A mixed record (events
    of different graphs: decays in volume and scatters) is written graph by graph (events in record order within
    each; for samples of ``build_signal``, whose channels are contiguous, the record's order when each channel has
    its own graph), each event with its own particles and vertices and the attribute ``graph`` naming its graph in
    the layout (``darkbeam.Record``, ``graphs``).
    """
    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    if not (isinstance(chunk, int | np.integer) and chunk > 0):
        raise InputError("chunk", chunk, "a positive integer (events per formatting pass)")
    _check_overwrite(path, overwrite)
    rec = _as_record(sample, model, pot, rng, kw)
    n = len(rec)
    with _no_partial_output(path) as tmp, open(tmp, "wb") as fh:
        fh.write(("\n".join(_header(rec)) + "\n").encode())
        for _, sub, _ in (rec.graph_records() if n else []):  # a mixed record: its events graph by graph
            lines = _event_lines(sub)
            fh.writelines(_text_chunk(lines, slice(i, min(len(sub), i + chunk))) for i in range(0, len(sub), chunk))
        fh.write(b"HepMC::Asciiv3-END_EVENT_LISTING\n\n")
    return path


def write_hepmc3_pyhepmc(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                         rng: np.random.Generator | None = None, **kw: Any) -> Path:
    """Reference writer: the same record built as one pyhepmc ``GenEvent`` per event (slow, ~10⁴ events/s),
    with the run-info attributes as typed pyhepmc attributes. Used to validate :func:`write_hepmc3` (same
    ``rng`` → same events) and as the baseline of benchmarks/bench_events.py."""
    import pyhepmc  # lazy: optional (HepMC3 files)
    from pyhepmc.io import WriterAscii

    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    rec = _as_record(sample, model, pot, rng, kw)
    run = pyhepmc.GenRunInfo()
    run.weight_names = list(WEIGHT_NAMES)
    run.tools = [("darkbeam", __version__, "dark-sector signal events (https://arxiv.org/abs/2110.11944)")]
    for k, v in rec.run_info.items():
        run.attributes[k] = v
    with atomic_path(path) as tmp, WriterAscii(tmp, run) as writer:
        for _, sub, _ in (rec.graph_records() if len(rec) else []):
            _write_pyhepmc_events(writer, run, sub)
    return path


def _write_pyhepmc_events(writer: Any, run: Any, rec: EventRecord) -> None:
    """The events of a record of one graph, one pyhepmc ``GenEvent`` each (:func:`write_hepmc3_pyhepmc`)."""
    import pyhepmc  # lazy: optional (HepMC3 files)

    order = rec.write_order()
    prim = rec.vertex(rec.primary).x
    for i in range(len(rec)):  # one Python object per particle and event: the slow reference route
        ev = pyhepmc.GenEvent(pyhepmc.Units.MEV, pyhepmc.Units.MM)
        ev.run_info = run
        ev.event_number = int(rec.event[i])
        ev.weights = [float(rec.weights[k][i]) for k in WEIGHT_NAMES]
        for k in OBSERVABLES:
            ev.attributes[k] = float(rec.observables[k][i])
        ev.attributes["lab_pos"] = [float(x) for x in prim[i, :3]] + [float(prim[i, 3] / _C_MM_PER_S)]
        ev.attributes["signal_process_id"] = int(rec.process_id[i])
        for k, (cats, codes) in rec.labels.items():
            ev.attributes[k] = _clean(cats[codes[i]]) or "-"
        parts: dict[int, Any] = {}
        verts: dict[int, Any] = {}
        for kind, slot, j, extra in order:
            if kind == "P":
                e, px, py, pz = (float(c) for c in slot.p4[i])
                p = pyhepmc.GenParticle((px, py, pz, e), int(slot.pdg[i]), slot.status)
                p.generated_mass = float(_mass(slot.p4[i:i + 1])[0])
                parts[j] = p
                if extra < 0:
                    verts[extra].add_particle_out(p)
            else:
                vtx = pyhepmc.GenVertex(tuple(float(c) for c in slot.x[i]))
                vtx.status = slot.status
                for pid in extra:
                    vtx.add_particle_in(parts[pid])
                verts[j] = vtx
                ev.add_vertex(vtx)
        writer.write_event(ev)


@dataclass
class EventTable:
    """Events read back from a file (:func:`read_events`), one row per event.

    Attributes:
        columns: the columns of :func:`record_columns` (same names for Parquet and HepMC3).
        metadata: the darkbeam metadata (model, exposure, counts, ``record`` layout, unweighting).
        run_info: the NuHepMC run-info attributes (HepMC3: as text; Parquet: as written).
        format: "parquet" or "hepmc3".
    """

    columns: dict[str, np.ndarray]
    metadata: dict[str, Any]
    run_info: dict[str, Any]
    format: str

    def __len__(self) -> int:
        return len(self.columns["event"])

    @property
    def layout(self) -> dict[str, Any]:
        return self.metadata.get("record", {})

    def p4(self, role: str) -> np.ndarray:
        """(N, 4) four-momenta (E, px, py, pz), MeV, of particle ``role``."""
        return np.stack([self.columns[f"{role}_{c}"] for c in P4_COMPONENTS], axis=1)

    def vertex(self, role: str) -> np.ndarray:
        """(N, 4) positions (x, y, z, c·t), mm, of vertex ``role``."""
        return np.stack([self.columns[f"v_{role}_{c}"] for c in VERTEX_COMPONENTS], axis=1)

    def histogram(self, column: str, edges, weight: str = "expected_events") -> np.ndarray:
        """Σ weight per bin of ``column`` (NaN entries left out)."""
        x = np.asarray(self.columns[column], float)
        ok = np.isfinite(x)
        return np.histogram(x[ok], bins=np.asarray(edges, float), weights=self.columns[weight][ok])[0]


def _split_header(data: bytes) -> tuple[list[bytes], bytes]:
    i = data.find(b"\nE ")
    if i < 0:
        end = data.find(b"\nHepMC::Asciiv3-END_EVENT_LISTING")
        return data[: end if end >= 0 else len(data)].split(b"\n"), b""
    return data[:i].split(b"\n"), data[i + 1:]


class _Lines:
    """The lines of a text buffer as numpy offsets: lines selected by a prefix are cut out and joined
    with numpy masks, without a Python object per line."""

    def __init__(self, data: bytes) -> None:
        self.buf = np.frombuffer(data, np.uint8)
        self.ends = np.flatnonzero(self.buf == 10)  # each line's "\n"
        self.starts = np.concatenate([[0], self.ends[:-1] + 1]).astype(np.int64)[:len(self.ends)]

    def select(self, prefix: bytes) -> np.ndarray:
        """Lines starting with ``prefix`` (the first two bytes of every line are compared at once, the
        others only on the remaining candidates)."""
        if not hasattr(self, "_head"):
            long = self.ends - self.starts >= 2
            self._head = np.full(len(self.starts), -1, np.int32)
            s = self.starts[long]
            self._head[long] = self.buf[s].astype(np.int32) * 256 + self.buf[s + 1]
            self._by_head: dict[int, np.ndarray] = {}
        out = np.zeros(len(self.starts), bool)
        if len(prefix) < 2:
            raise ValueError("prefix of at least two bytes")
        code = prefix[0] * 256 + prefix[1]
        if code not in self._by_head:  # lines of each leading pair ("P ", "A ", ...), found once
            self._by_head[code] = np.flatnonzero(self._head == code)
        idx = self._by_head[code]
        idx = idx[self.ends[idx] - self.starts[idx] >= len(prefix)]
        for i in range(2, len(prefix)):
            idx = idx[self.buf[self.starts[idx] + i] == prefix[i]]
        out[idx] = True
        return out

    def lines(self, prefix: bytes, strip: bool = False):
        """Arrow binary array of the lines starting with ``prefix`` (without it when ``strip``), each with its
        final "\\n": one filter of a zero-copy array of all lines (only the selected bytes are copied)."""
        import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)
        import pyarrow.compute as pc

        if not hasattr(self, "_all"):
            offsets = np.concatenate([self.starts, self.ends[-1:] + 1]) if len(self.ends) else np.zeros(1, np.int64)
            self._all = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(self.ends),
                                                         [None, pa.py_buffer(offsets), pa.py_buffer(self.buf)])
        sub = self._all.filter(pa.array(self.select(prefix)))
        return pc.binary_slice(sub, len(prefix), 1 << 30) if strip and len(sub) else sub  # (stop=None fails)

    def join(self, prefix: bytes, strip: bool = False):
        """The text of :meth:`lines` as one Arrow buffer (empty: None)."""
        sub = self.lines(prefix, strip)
        if len(sub) == 0:
            return None
        offsets = np.frombuffer(sub.buffers()[1], np.int64)
        lo, hi = int(offsets[sub.offset]), int(offsets[sub.offset + len(sub)])
        return sub.buffers()[2].slice(lo, hi - lo)


def _vertex_text(lines: _Lines):
    """The V lines as one Arrow buffer, each with a position: HepMC3 writers leave out "@ x y z t" for a vertex at
    the origin (HepMC3 ASCII format; pyhepmc and the C++ WriterAscii do), which is added back as "@ 0 0 0 0"."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)
    import pyarrow.compute as pc

    sub = lines.lines(b"V ")
    if len(sub) == 0:
        return None
    has_at = pc.match_substring(sub, "@")
    if pc.all(has_at).as_py():
        return lines.join(b"V ")
    fixed = pc.if_else(has_at, sub, pc.replace_substring_regex(sub, pattern="\n$", replacement=" @ 0 0 0 0\n"))
    fixed = pa.concat_arrays([fixed]) if isinstance(fixed, pa.ChunkedArray) else fixed
    offsets = np.frombuffer(fixed.buffers()[1], np.int64)
    lo, hi = int(offsets[fixed.offset]), int(offsets[fixed.offset + len(fixed)])
    return fixed.buffers()[2].slice(lo, hi - lo)


def _csv(data, names: list[str], types: dict[str, Any]):
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)
    import pyarrow.csv as pacsv

    if data is None:
        return None
    return pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 26),
        parse_options=pacsv.ParseOptions(delimiter=" ", quote_char=False),
        convert_options=pacsv.ConvertOptions(column_types=types, include_columns=[c for c in names
                                                                                  if not c.startswith("_")]))


def read_hepmc3(path: str | Path) -> EventTable:
    """Read a HepMC3 file written by darkbeam (:func:`write_hepmc3` or :func:`write_hepmc3_pyhepmc`)
    into an :class:`EventTable`, vectorised (pyarrow's CSV parser on the P, V, W lines; the layout of
    every event is the ``darkbeam.Record`` run-info attribute). Other HepMC3 files: use pyhepmc."""
    import pyarrow as pa  # lazy: optional, heavy (Parquet/Arrow output)

    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    if not path.is_file():
        raise InputError("events file", str(path), "an existing HepMC3 file written by darkbeam")
    head, body = _split_header(path.read_bytes())
    run_info: dict[str, str] = {}
    weight_names: list[str] = []
    for line in head:
        t = line.decode()
        if t.startswith("A "):
            k, _, v = t[2:].partition(" ")
            run_info[k] = v
        elif t.startswith("W "):  # names separated by "\|" (HepMC3 writers) or blanks
            weight_names = t[2:].replace("\\|", " ").split()
    if "darkbeam.Record" not in run_info:
        raise InputError("events file", str(path), "a HepMC3 file written by darkbeam (run info with "
                         "darkbeam.Record); read other HepMC3 files with pyhepmc")
    layout = json.loads(run_info["darkbeam.Record"])
    meta = json.loads(run_info.get("darkbeam_metadata", "{}"))
    roles = [p["role"] for p in layout["particles"]]
    vroles = [v["role"] for v in layout["vertices"]]
    lines = _Lines(body)
    n = int(np.sum(lines.select(b"E ")))
    i64, f64 = pa.int64(), pa.float64()
    cols: dict[str, np.ndarray] = {}
    if n == 0:
        return EventTable(_empty_columns(layout, weight_names), meta, run_info, "hepmc3")
    e = _csv(lines.join(b"E "), ["_E", "event", "nv", "np"], {"event": i64, "nv": i64, "np": i64})
    cols["event"] = e.column("event").to_numpy()
    counts = e.column("nv").to_numpy(), e.column("np").to_numpy()  # vertices and particles of each event
    w = _csv(lines.join(b"W "), ["_W", *weight_names], {k: f64 for k in weight_names})
    for k in weight_names:
        cols[k] = w.column(k).to_numpy()
    names = {b"A 0 signal_process_id ": "process_id", **{f"A 0 {k} ".encode(): k for k in OBSERVABLES}}
    for prefix, name in names.items():
        t = _csv(lines.join(prefix, strip=True), [name], {name: i64 if name == "process_id" else f64})
        cols[name] = t.column(name).to_numpy(zero_copy_only=False) if t is not None else np.zeros(0)
    for k in layout.get("labels", LABELS):
        import pyarrow.compute as pc

        vals = lines.lines(f"A 0 {k} ".encode(), strip=True)
        vals = pc.cast(pc.binary_slice(vals, 0, -1), pa.large_string()) if len(vals) else vals
        vals = np.asarray(vals.to_numpy(zero_copy_only=False)).astype(str)
        cols[k] = np.where(vals == "-", "", vals)
    if any(len(cols[k]) != n for k in cols):
        raise InputError("events file", str(path), "one value of every darkbeam attribute per event")
    p = _csv(lines.join(b"P "), ["_P", "_id", "_vtx", "pdg", "px", "py", "pz", "E", "_m", "_status"],
             {"pdg": i64, "px": f64, "py": f64, "pz": f64, "E": f64})
    v = _csv(_vertex_text(lines), ["_V", "_id", "_status", "_in", "_at", "x", "y", "z", "ct"],
             {"x": f64, "y": f64, "z": f64, "ct": f64})
    if "graphs" in layout:  # events of several graphs: each event's rows by its graph's layout
        _gather_graphs(cols, layout, p, v, counts, path)
        return EventTable(_ordered(cols, layout, weight_names), meta, run_info, "hepmc3")
    if p.num_rows != n * len(roles) or (v.num_rows if v is not None else 0) != n * len(vroles):
        raise InputError("events file", str(path), f"{len(roles)} particles and {len(vroles)} vertices per event "
                         "(the darkbeam.Record layout)")
    for c in ("pdg", *P4_COMPONENTS):
        a = p.column(c).to_numpy().reshape(n, len(roles))
        for j, r in enumerate(roles):
            cols[f"{r}_{c}"] = a[:, j].copy()
    for c in VERTEX_COMPONENTS:
        a = v.column(c).to_numpy().reshape(n, len(vroles))
        for j, r in enumerate(vroles):
            cols[f"v_{r}_{c}"] = a[:, j].copy()
    return EventTable(_ordered(cols, layout, weight_names), meta, run_info, "hepmc3")


def _gather_graphs(cols: dict[str, np.ndarray], layout: dict[str, Any], p, v, counts, path: Path) -> None:
    """Particle and vertex columns of a file of several event graphs: the rows of each event are cut out by its
    ``graph`` attribute's layout (vectorised per graph); roles an event's graph lacks are NaN (pdg 0)."""
    graph = cols["graph"]
    n_v, n_p = counts
    if p.num_rows != int(np.sum(n_p)) or (v.num_rows if v is not None else 0) != int(np.sum(n_v)):
        raise InputError("events file", str(path), "as many P and V lines as the E lines announce")
    first = {"P": np.concatenate([[0], np.cumsum(n_p)[:-1]]), "V": np.concatenate([[0], np.cumsum(n_v)[:-1]])}
    n = len(graph)
    for q in layout["particles"]:
        cols[f"{q['role']}_pdg"] = np.zeros(n, np.int64)
        cols.update({f"{q['role']}_{c}": np.full(n, np.nan) for c in P4_COMPONENTS})
    cols.update({f"v_{q['role']}_{c}": np.full(n, np.nan) for q in layout["vertices"] for c in VERTEX_COMPONENTS})
    known = {g["name"] for g in layout["graphs"]}
    if not set(np.unique(graph)) <= known:
        raise InputError("events file", str(path), f"a graph attribute naming one of the layout's graphs {sorted(known)}")
    for g in layout["graphs"]:
        ev = np.flatnonzero(graph == g["name"])
        roles = [x["role"] for x in g["particles"]]
        vroles = [x["role"] for x in g["vertices"]]
        if np.any(n_p[ev] != len(roles)) or np.any(n_v[ev] != len(vroles)):
            raise InputError("events file", str(path), f"{len(roles)} particles and {len(vroles)} vertices in each "
                             f"event of graph {g['name']} (the darkbeam.Record layout)")
        for table, names, comps, fmt, kind in ((p, roles, ("pdg", *P4_COMPONENTS), "{r}_{c}", "P"),
                                               (v, vroles, VERTEX_COMPONENTS, "v_{r}_{c}", "V")):
            rows = first[kind][ev][:, None] + np.arange(len(names))[None, :]
            for c in comps:
                a = table.column(c).to_numpy()
                for j, r in enumerate(names):
                    cols[fmt.format(r=r, c=c)][ev] = a[rows[:, j]]
