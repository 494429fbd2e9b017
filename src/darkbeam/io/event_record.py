"""Event records: the columnar, NuHepMC-shaped content of signal events (particles, vertices, weights, run
info) built from a signal sample, and the safe-writing helpers of event files; docs/events.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import hepunits as hu
import numpy as np

from .. import __version__
from ..constants import C_LIGHT, M_P
from ..declarations import Model, model_summary
from ..detectors.catalog import BEAMS, get_experiment
from ..errors import InputError
from ..particles import BOSON_PDG, CHI_PDG, HNL_PDG, NEW_PARTICLE_NAMES, NU_LIGHT_PDG
from . import nuhepmc
from .event_files import (  # noqa: F401  (the file helpers and column layout, re-exported for the writers)
    LABELS,
    OBSERVABLES,
    P4_COMPONENTS,
    VERTEX_COMPONENTS,
    _check_overwrite,
    _check_suffix,
    _column_names,
    _empty_columns,
    _json_default,
    _mass,
    _no_partial_output,
    _ordered,
)
from .event_graph import (  # noqa: F401  (the graph builders, re-exported for the writers and io.events)
    _PARENT_PDG,
    ROLES,
    SPHERES,
    TARGET_NUCLEI,
    Graph,
    ParticleSlot,
    VertexSlot,
    _at_rest,
    _fill_nucleus_pdg,
    _graph,
    _graph_layout,
    _history,
    _parent_pdg,
    _tof,
    _write_order,
    _x4,
    beam_proton,
    interaction_vertices,
    nucleus_pdg,
)

FORMAT_VERSION = 2


WEIGHT_NAMES = ("CV", "expected_events")


_META_KEY = b"darkbeam"


_C_MM_PER_S = C_LIGHT * hu.s


def _n_events(sample) -> int:
    return len(sample.E_vis)


def _weights(sample, model: Model | None, pot: float) -> np.ndarray:
    """Expected events per event for ``pot`` POT at ``model`` (finite, checked)."""
    if not (np.isfinite(pot) and pot >= 0):
        raise InputError("pot", pot, "a finite number of protons on target >= 0")
    if _n_events(sample) == 0:
        return np.zeros(0)
    w = np.asarray(sample.weights(model, pot), float)
    if not np.all(np.isfinite(w)):
        raise InputError("model", getattr(model or sample.model, "values", model),
                         "couplings giving finite event weights")
    return w


def _particles(sample) -> dict[str, np.ndarray]:
    """The sample's particles dict; empty samples get zero-length arrays for every role."""
    n = _n_events(sample)
    parts = dict(getattr(sample, "particles", {}) or {})
    if n == 0:
        for r in ROLES:
            parts.setdefault(f"p4_{r}", np.zeros((0, 4)))
            parts.setdefault(f"pdg_{r}", np.zeros(0, np.int64))
        return parts
    missing = [f"{k}_{r}" for r in ROLES for k in ("p4", "pdg") if f"{k}_{r}" not in parts]
    if missing:
        raise InputError("sample.particles", sorted(parts), f"the keys {missing} (samples built by "
                         "pipeline.signal.build_signal carry them)")
    return parts


def event_metadata(sample, model: Model | None = None, pot: float = 1.0) -> dict[str, Any]:
    """File-level metadata: model (name, parameters in internal units, their units), experiment,
    mode, POT, process, darkbeam version, units and conventions."""
    model = sample.model if model is None else model
    return {
        "format": "darkbeam-events", "format_version": FORMAT_VERSION, "darkbeam_version": __version__,
        "model": model_summary(model), "experiment": sample.experiment, "mode": sample.mode,
        "pot": float(pot), "process": getattr(sample, "process", ""), "note": getattr(sample, "note", ""),
        "n_events": _n_events(sample),
        "units": {"energy": "MeV", "momentum": "MeV", "position": "mm", "time": "mm (c t; HepMC3 lab_pos: s)",
                  "weight": f"CV: events per POT; expected_events: for pot = {float(pot):g} protons on target"},
        "frame": "beam frame: target at the origin, beam along +z, detector centre at (x, 0, z) of "
                 "pipeline.geometry.detector_center",
    }


@dataclass
class EventRecord:
    """Columnar event graphs of a sample (see :func:`event_record`): one layout for every event, or, for a sample
    whose detection channels have different graphs (decays in volume and scatters), one per event (``graphs``).

    Attributes:
        event: index of each event in the sample (the event number in files). weights: ``CV`` (events
        per POT) and ``expected_events`` (for ``pot``). process_id: NuHepMC process id per event.
        observables: E_vis, cos_theta, E_QE. labels: ``source`` (production label), ``target``, each as
        ``(categories, codes)``: the distinct strings and the per-event index into them (see ``label``).
        particles, vertices: the slots, vertices in graph order (each vertex after its incoming
        particles' production vertices). primary: role of the primary vertex. metadata: file metadata
        (:func:`event_metadata` plus counts, unweighting, flux, layout). run_info: NuHepMC run-info
        attributes (name -> value).
        graphs: empty for a record of one graph; for a record of several (a *mixed* record), the
        :class:`Graph` of each (ordered by name), whose slots hold the events of that graph in record order; then
        ``particles`` and ``vertices`` are empty and ``labels["graph"]`` names each event's graph.
    """

    event: np.ndarray
    weights: dict[str, np.ndarray]
    process_id: np.ndarray
    observables: dict[str, np.ndarray]
    labels: dict[str, tuple[np.ndarray, np.ndarray]]
    particles: list[ParticleSlot]
    vertices: list[VertexSlot]
    primary: str
    metadata: dict[str, Any] = field(default_factory=dict)
    run_info: dict[str, Any] = field(default_factory=dict)
    graphs: list[Graph] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.event)

    @property
    def mixed(self) -> bool:
        """True when the events have different graphs (``graphs``)."""
        return bool(self.graphs)

    def graph_codes(self) -> np.ndarray:
        """Per-event index into ``graphs`` (mixed records; zeros otherwise)."""
        return self.labels["graph"][1] if self.mixed else np.zeros(len(self), np.int32)

    def select(self, mask: np.ndarray) -> EventRecord:
        """The events where ``mask`` is True (a boolean array; or indices, for a record of one graph)."""
        graphs = self.graphs
        if self.mixed:
            mask = np.asarray(mask)
            if mask.dtype != bool:
                raise InputError("mask", "indices", "a boolean mask (a record of several event graphs)")
            codes = self.graph_codes()
            graphs = [g.select(mask[codes == k]) for k, g in enumerate(self.graphs)]
        return replace(
            self, event=self.event[mask], weights={k: v[mask] for k, v in self.weights.items()},
            process_id=self.process_id[mask], observables={k: v[mask] for k, v in self.observables.items()},
            labels={k: (cats, codes[mask]) for k, (cats, codes) in self.labels.items()},
            particles=[replace(p, pdg=p.pdg[mask], p4=p.p4[mask]) for p in self.particles],
            vertices=[replace(v, x=v.x[mask]) for v in self.vertices],
            metadata=dict(self.metadata), run_info=dict(self.run_info), graphs=graphs)

    def graph_records(self) -> list[tuple[str | None, EventRecord, np.ndarray]]:
        """(graph name, a record of one graph holding its events, their indices in this record) per graph with
        events, in ``graphs`` order; a record of one graph is itself (name None)."""
        if not self.mixed:
            return [(None, self, np.arange(len(self)))]
        out = []
        codes = self.graph_codes()
        for k, g in enumerate(self.graphs):
            idx = np.flatnonzero(codes == k)
            if len(idx):
                sub = replace(self.select(codes == k), particles=g.particles, vertices=g.vertices, primary=g.primary,
                              graphs=[])
                out.append((g.name, sub, idx))
        return out

    def all_particles(self) -> list[ParticleSlot]:
        """The particle slots of every graph (a role may occur once per graph)."""
        return [p for g in self.graphs for p in g.particles] if self.mixed else list(self.particles)

    def all_vertices(self) -> list[VertexSlot]:
        return [v for g in self.graphs for v in g.vertices] if self.mixed else list(self.vertices)

    def label(self, name: str) -> np.ndarray:
        """Per-event strings of label ``name`` ("source" or "target")."""
        cats, codes = self.labels[name]
        return cats[codes]

    def particle(self, role: str) -> ParticleSlot:
        """The slot of particle ``role`` (mixed records: of the first graph that has it, with that graph's events)."""
        for p in self.all_particles():
            if p.role == role:
                return p
        raise KeyError(role)

    def vertex(self, role: str) -> VertexSlot:
        for v in self.all_vertices():
            if v.role == role:
                return v
        raise KeyError(role)

    def write_order(self) -> list[tuple[str, Any]]:
        """HepMC3 line order: each vertex after its incoming particles, its outgoing particles after it;
        ``("P", slot, hepmc_id, parent_vertex_id)`` and ``("V", slot, vertex_id, incoming_ids)``."""
        if self.mixed:
            raise InputError("record", "several event graphs", "one graph (use graph_records())")
        return _write_order(self.particles, self.vertices)

    def layout(self) -> dict[str, Any]:
        """JSON description of the graph: particles (role, status, HepMC3 id, production vertex) and
        vertices (role, status, HepMC3 id, incoming roles), in HepMC3 order. Mixed records: ``graphs`` (name and
        that description per graph), and ``particles`` / ``vertices`` the union of the roles (one column each in
        tables; NaN, or pdg 0, in the events of a graph without the role), each with the ``graphs`` having it."""
        out = {"weights": list(WEIGHT_NAMES), "observables": list(OBSERVABLES), "labels": list(self.labels)}
        if not self.mixed:
            return {**_graph_layout(self.particles, self.vertices), "primary": self.primary, **out}
        graphs = [{"name": g.name, **_graph_layout(g.particles, g.vertices), "primary": g.primary} for g in self.graphs]
        union: dict[str, dict[str, dict[str, Any]]] = {"particles": {}, "vertices": {}}
        for g in graphs:
            for kind in union:
                for slot in g[kind]:
                    union[kind].setdefault(slot["role"], {"role": slot["role"], "graphs": []})["graphs"].append(g["name"])
        return {"particles": list(union["particles"].values()), "vertices": list(union["vertices"].values()),
                "primary": "primary", "graphs": graphs, **out}


def _categories(x, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(distinct strings, per-event int32 codes) of a label array."""
    cats, codes = np.unique(np.asarray(x).astype(str).reshape(n), return_inverse=True)
    return cats, codes.reshape(n).astype(np.int32)


def _check_pot(pot: float) -> float:
    if not (isinstance(pot, int | float | np.floating | np.integer) and np.isfinite(pot) and pot >= 0):
        raise InputError("pot", pot, "a finite number of protons on target >= 0")
    return float(pot)


def _particle_numbers() -> dict[int, tuple[str, str]]:
    src = {**{v: "PDG MC numbering scheme, generator-specific block (rule 11)" for v in BOSON_PDG.values()},
           BOSON_PDG["vector"]: "Pythia hidden-valley number of a dark vector", CHI_PDG: "PDG generator-specific block",
           **{h: "DarkNews numbering (arXiv:2207.04137)" for h in (*HNL_PDG, NU_LIGHT_PDG)}}
    return {int(k): (str(v).replace(" ", "_"), f"{v}: darkbeam.particles; {src.get(k, 'darkbeam number')}")
            for k, v in NEW_PARTICLE_NAMES.items()}


def _flux_cross_section(sample, rec: EventRecord, n_sample: int) -> tuple[float, str, str, dict[str, Any]]:
    """(value, unit, target scale, extra attributes) of the flux-averaged total cross section (G.C.2).

    Scattering: Σ CV / (Φ N_atoms) in pb per atom of the detector medium (efficiency folded in: the
    file holds the events the detector keeps); decay in volume: Σ CV / Φ in cm² per detector (an
    effective area); without a recorded flux, or for a mixed record (decays and scatters have no common
    target scale): Σ CV in events per POT. Φ: ``columns["flux_total"]``."""
    total = float(np.sum(rec.weights["CV"])) if len(rec) else 0.0
    cols = getattr(sample, "columns", {}) or {}
    if (n_sample == 0 or "flux_total" not in cols or np.unique(np.asarray(cols["flux_total"])).size != 1
            or rec.mixed):
        # several detection channels whose incoming fluxes differ (or one lacks it), or whose events are decays
        # and scatters: no one flux and target scale to divide by
        return total, "events per POT", "PerExposure", {}
    flux = float(np.asarray(cols["flux_total"])[0])
    extra = {"darkbeam.Flux.Integrated": flux, "darkbeam.Flux.Unit": "per cm2 per POT at the reference couplings"}
    decay = any(p.role == "beam_target" for p in rec.particles) or getattr(sample, "process", "") == "decay-in-volume"
    if decay:
        return (total / flux if flux > 0 else 0.0), "cm2", "PerDetector", extra
    n_atoms = float(sum(get_experiment(sample.experiment).targets().values()))
    extra["darkbeam.Targets.Atoms"] = n_atoms
    sigma_cm2 = total / (flux * n_atoms) if flux > 0 and n_atoms > 0 else 0.0
    return sigma_cm2 * hu.cm2 / hu.picobarn, "pb", "PerAtom", extra


def event_record(sample, model: Model | None = None, pot: float = 1.0, rng: np.random.Generator | None = None,
                 *, sphere: str = "detector", keep_zero_weight: bool = False, unweight: bool = False,
                 provenance: dict[str, Any] | None = None) -> EventRecord:
    """The event record of ``sample`` at ``model`` for ``pot`` protons on target (docs/events.md).

    ``rng`` places interaction points (:func:`interaction_vertices`) and, with ``unweight``, draws the
    accept-reject numbers (default: seed 0). Events of weight 0 are dropped unless ``keep_zero_weight``
    (their number is in ``metadata["n_zero_weight"]``). ``unweight``: keep each event with probability
    w / w_max; kept events all get CV = Σw / kept (the total is kept exactly); the efficiency is in
    ``metadata["unweighting"]``. ``provenance``: settings that reproduce the sample (seed, n_mesons,
    n_events, config), written to the run info (NuHepMC.Provenance.darkbeam.*) and the metadata.
    """
    pot = _check_pot(pot)
    if sphere not in SPHERES:
        raise InputError("sphere", sphere, SPHERES)
    rng = np.random.default_rng(0) if rng is None else rng
    n = _n_events(sample)
    rec = _base_record(sample, model, pot, rng, sphere)
    meta = event_metadata(sample, model, pot)
    zero = rec.weights["CV"] == 0
    meta["n_sample"] = n
    meta["n_zero_weight"] = int(np.sum(zero))
    meta["zero_weight_events"] = "kept" if keep_zero_weight else "dropped"
    if not keep_zero_weight:
        rec = rec.select(~zero)
    meta["unweighting"] = None
    if unweight:
        rec, meta["unweighting"] = _unweight(rec, rng, pot)
    meta["n_events"] = len(rec)
    meta["provenance"] = dict(provenance or {})
    fatx, unit, scale, extra = _flux_cross_section(sample, rec, n)
    meta["flux_averaged_total_cross_section"] = {"value": fatx, "unit": unit, "target_scale": scale}
    meta["record"] = rec.layout()
    meta["weights"] = {"CV": "events per proton on target at the file's couplings",
                       "expected_events": f"expected events for {pot:g} protons on target (CV x POT)"}
    rec.metadata = meta
    rec.run_info = _run_info(sample, rec, pot, (fatx, unit, scale, extra))
    return rec


def _base_record(sample, model: Model | None, pot: float, rng, sphere: str) -> EventRecord:
    """Every event of ``sample`` as a record (no metadata, zero weights kept). A sample of several detection
    channels (``parts``) is the concatenation of its parts' records: one graph when they share it, else a mixed
    record whose events each keep their channel's graph."""
    parts_of = getattr(sample, "parts", None)
    if parts_of is not None:
        return _concat_records(sample, [_base_record(p, model, pot, rng, sphere) for p in parts_of])
    n = _n_events(sample)
    parts = _particles(sample)
    cv = _weights(sample, model, 1.0)
    particles, vertices, primary = _graph(sample, parts, n, rng, sphere)
    recoil = parts.get("pdg_recoil", np.zeros(n, np.int64))
    cols = getattr(sample, "columns", {}) or {}
    return EventRecord(
        event=np.arange(n, dtype=np.int64), weights={"CV": cv, "expected_events": cv * pot},
        process_id=nuhepmc.process_ids(getattr(sample, "process", ""), np.asarray(recoil).reshape(n)),
        observables={k: np.asarray(getattr(sample, k), float).reshape(n) for k in OBSERVABLES},
        labels={**{k: _categories(getattr(sample, k), n) for k in ("source", "target")},
                **({"channel": _categories(cols["channel"], n)} if "channel" in cols else {})},
        particles=particles, vertices=vertices, primary=primary)


def _concat_records(sample, recs: list[EventRecord]) -> EventRecord:
    """One record of the per-channel records ``recs`` of ``sample`` (event numbers: index in the sample). Channels
    whose records have different graphs (e.g. decays in volume and scatters) give a mixed record: the graph of
    each event is its channel's (``graphs``, named by the channels' processes; ``labels["graph"]``)."""
    offsets = np.cumsum([0] + [len(r) for r in recs])
    cat = [(r, off) for r, off in zip(recs, offsets, strict=False) if len(r)] or [(recs[0], 0)]
    rs = [r for r, _ in cat]
    procs = [getattr(p, "process", "") for p, r in zip(sample.parts, recs, strict=True) if len(r)] or [""]
    groups: dict[str, list[int]] = {}  # graph layout (JSON) -> indices into rs
    for i, r in enumerate(rs):
        groups.setdefault(json.dumps(_graph_layout(r.particles, r.vertices), sort_keys=True), []).append(i)

    def labels(name: str) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([r.label(name) for r in rs])
        return _categories(x, len(x))

    def slots(members: list[int]) -> tuple[list[ParticleSlot], list[VertexSlot]]:
        first = rs[members[0]]
        return ([replace(p, pdg=np.concatenate([rs[m].particles[i].pdg for m in members]),
                         p4=np.concatenate([rs[m].particles[i].p4 for m in members]))
                 for i, p in enumerate(first.particles)],
                [replace(v, x=np.concatenate([rs[m].vertices[i].x for m in members]))
                 for i, v in enumerate(first.vertices)])

    first = rs[0]
    rec = EventRecord(
        event=np.concatenate([r.event + off for r, off in cat]),
        weights={k: np.concatenate([r.weights[k] for r in rs]) for k in first.weights},
        process_id=np.concatenate([r.process_id for r in rs]),
        observables={k: np.concatenate([r.observables[k] for r in rs]) for k in first.observables},
        labels={k: labels(k) for k in first.labels}, particles=[], vertices=[], primary=first.primary)
    if len(groups) == 1:
        rec.particles, rec.vertices = slots(list(range(len(rs))))
        return rec
    names = ["+".join(dict.fromkeys(procs[m] for m in members)) for members in groups.values()]
    if len(set(names)) != len(names):  # one process with two graphs: number them
        names = [f"{n}#{k}" for k, n in enumerate(names)]
    order = sorted(range(len(names)), key=names.__getitem__)  # graphs by name (the label categories' order)
    members = list(groups.values())
    rec.graphs = [Graph(names[k], *slots(members[k]), rs[members[k][0]].primary) for k in order]
    graph_of = {m: names[k] for k, ms in enumerate(members) for m in ms}  # per channel record, not per event
    per_event = np.concatenate([np.full(len(r), graph_of[i]) for i, r in enumerate(rs)])
    rec.labels["graph"] = _categories(per_event, len(per_event))
    return rec


def _unweight(rec: EventRecord, rng: np.random.Generator, pot: float) -> tuple[EventRecord, dict[str, Any]]:
    """Accept-reject against the largest weight: P(keep) = w / w_max; kept events get CV = Σw / kept."""
    w = rec.weights["CV"]
    if np.any(w < 0):
        raise InputError("weights", "negative", "non-negative event weights to unweight")
    n = len(w)
    w_max = float(np.max(w)) if n else 0.0
    keep = (rng.random(n) * w_max < w) if w_max > 0 else np.zeros(n, bool)
    out = rec.select(keep)
    k = len(out)
    cv = float(np.sum(w)) / k if k else 0.0
    out.weights = {"CV": np.full(k, cv), "expected_events": np.full(k, cv) * pot}
    return out, {"n_attempted": n, "n_accepted": k, "efficiency": (k / n) if n else 0.0, "w_max_per_pot": w_max,
                 "cv_per_pot": cv}


def _run_info(sample, rec: EventRecord, pot: float, fatx) -> dict[str, Any]:
    value, unit, scale, extra = fatx
    history = any(p.role == "parent" for p in rec.all_particles())
    conventions = ["G.C.1", "G.C.2", "G.C.3", "G.C.5", "E.C.1", "E.C.5"] + (["G.C.4", "E.S.1"] if history else [])
    meta = rec.metadata
    numbers = _particle_numbers()
    for p in rec.all_particles():  # masses of the non-PDG states of this file (G.C.5 suggestion)
        for pdg in (int(k) for k in np.unique(p.pdg)):
            if -pdg in numbers and pdg not in numbers:  # an antiparticle (e.g. a Dirac N-bar): declared too (G.R.11)
                name, desc = numbers[-pdg]
                numbers[pdg] = (f"anti-{name}", f"antiparticle of {desc}")
            if pdg in numbers:
                first = int(np.argmax(p.pdg == pdg))
                extra[f"NuHepMC.AdditionalParticleNumber[{pdg}].darkbeam.Mass"] = float(_mass(p.p4[first:first + 1])[0])
    beam = None
    if history:
        proton = rec.particle("beam")
        beam = {"pdg": 2212, "energy": float(proton.p4[0, 0]) if len(proton.p4) else float(
            np.hypot(BEAMS.get(get_experiment(sample.experiment).beam).proton_momentum, M_P))}
    unw = meta["unweighting"]
    extra.update({
        "darkbeam.NEvents.Sample": meta["n_sample"], "darkbeam.NEvents.Written": meta["n_events"],
        "darkbeam.NEvents.ZeroWeight": meta["n_zero_weight"], "darkbeam.ZeroWeightEvents": meta["zero_weight_events"],
        "darkbeam.Unweighted": unw is not None,
        "darkbeam.Record": json.dumps(meta["record"], separators=(",", ":")),
        "darkbeam_metadata": json.dumps(meta, separators=(",", ":"), ensure_ascii=True, default=_json_default),
        "model": meta["model"]["name"], "experiment": sample.experiment, "mode": sample.mode, "pot": float(pot),
    })
    if unw is not None:
        extra["darkbeam.UnweightingEfficiency"] = float(unw["efficiency"])
    prov = {k: v for k, v in meta["provenance"].items() if isinstance(v, int | float | str) and not isinstance(v, bool)}
    prov["version"] = __version__
    return nuhepmc.run_info_attributes(
        process=getattr(sample, "process", ""), pot=pot, fatx=value, fatx_unit=unit, fatx_scale=scale,
        conventions=conventions, particle_numbers=numbers,
        particle_status=sorted({p.status for p in rec.all_particles()}),
        vertex_status=sorted({v.status for v in rec.all_vertices()}),
        beam=beam, provenance=prov, extra=extra)


def _as_record(obj, model, pot, rng, kw) -> EventRecord:
    return obj if isinstance(obj, EventRecord) else event_record(obj, model, pot, rng, **kw)
