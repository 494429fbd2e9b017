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
from ..detectors.catalog import BEAMS, get_experiment
from ..errors import InputError
from ..interactions.targets import AMU
from ..models.base import Model, model_summary
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

ROLES = ("in", "vis1", "vis2", "recoil", "inv")


SPHERES = ("detector", "fiducial")


FORMAT_VERSION = 2


WEIGHT_NAMES = ("CV", "expected_events")


_META_KEY = b"darkbeam"


_C_MM_PER_S = C_LIGHT * hu.s


TARGET_NUCLEI = {"Be": (4, 9), "C": (6, 12), "Al": (13, 27), "Fe": (26, 56), "W": (74, 184), "Hg": (80, 200)}


_PARENT_PDG = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130, "pi0": 111, "eta": 221}


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


def interaction_vertices(sample, rng: np.random.Generator | None = None, sphere: str = "detector") -> np.ndarray:
    """Interaction points (N, 3), mm, beam frame.


    Samples that carry ``particles["x_int"]`` (dark neutrino) use it. Otherwise each incoming
    particle is given a straight path parallel to its momentum through the sphere and the point is
    uniform along the chord. For a uniform flux over the cross-section a thin target interacts with
    probability ∝ chord length 2h(b) = 2√(R² − b²), so the impact parameter b has the density
    ∝ b h(b), CDF F(b) = 1 − (1 − b²/R²)^{3/2}, inverted as b² = R² [1 − (1 − u)^{2/3}]; the resulting
    points are uniform in volume (the density the rates assume: N_T targets of the whole detector,
    Φ averaged over the detector disc; tests/test_events.py checks it). The sphere is centred at
    :func:`~darkbeam.pipeline.geometry.detector_center`, radius ``Experiment.radius`` ("detector")
    or ``fiducial_radius`` ("fiducial").
    """
    from ..pipeline.geometry import detector_center


    radii = {"detector": "radius", "fiducial": "fiducial_radius"}
    if sphere not in radii:
        raise InputError("sphere", sphere, SPHERES)
    parts = getattr(sample, "particles", {}) or {}
    if "x_int" in parts:
        return np.asarray(parts["x_int"], float)
    n = _n_events(sample)
    if n == 0:
        return np.zeros((0, 3))
    rng = np.random.default_rng(0) if rng is None else rng
    exp = get_experiment(sample.experiment)
    big_r = float(getattr(exp, radii[sphere]))
    p = np.asarray(parts["p4_in"], float)[:, 1:]
    norm = np.linalg.norm(p, axis=1)
    d = np.where(norm[:, None] > 0, p / np.where(norm > 0, norm, 1.0)[:, None], [0.0, 0.0, 1.0])
    # orthonormal u, v ⟂ d (helper axis: x̂ unless d is close to it)
    helper = np.where(np.abs(d[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    u = np.cross(d, helper)
    u /= np.linalg.norm(u, axis=1)[:, None]
    v = np.cross(d, u)
    b = big_r * np.sqrt(1.0 - (1.0 - rng.random(n)) ** (2.0 / 3.0))  # impact parameter, density ∝ b √(R²−b²)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    half = np.sqrt(np.clip(big_r**2 - b**2, 0, None))  # half chord
    s = rng.uniform(-1.0, 1.0, n) * half
    return (detector_center(exp) + (b * np.cos(phi))[:, None] * u + (b * np.sin(phi))[:, None] * v
            + s[:, None] * d)


@dataclass
class ParticleSlot:
    """One particle of every event: ``pdg`` (N,), lab ``p4`` (N, 4) = (E, px, py, pz) in MeV, NuHepMC
    ``status``, ``production``: role of the vertex making it (None: an incoming particle)."""


    role: str
    pdg: np.ndarray
    p4: np.ndarray
    status: int
    production: str | None


@dataclass
class VertexSlot:
    """One vertex of every event: NuHepMC ``status``, ``x`` (N, 4) = (x, y, z, c·t) in mm, ``incoming``
    particle roles."""


    role: str
    status: int
    x: np.ndarray
    incoming: tuple[str, ...]


@dataclass
class EventRecord:
    """Columnar event graph of a sample (the same layout for every event; see :func:`event_record`).


    Attributes:
        event: index of each event in the sample (the event number in files). weights: ``CV`` (events
        per POT) and ``expected_events`` (for ``pot``). process_id: NuHepMC process id per event.
        observables: E_vis, cos_theta, E_QE. labels: ``source`` (production label), ``target``, each as
        ``(categories, codes)``: the distinct strings and the per-event index into them (see ``label``).
        particles, vertices: the slots, vertices in graph order (each vertex after its incoming
        particles' production vertices). primary: role of the primary vertex. metadata: file metadata
        (:func:`event_metadata` plus counts, unweighting, flux, layout). run_info: NuHepMC run-info
        attributes (name -> value).
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


    def __len__(self) -> int:
        return len(self.event)


    def select(self, mask: np.ndarray) -> EventRecord:
        """The events where ``mask`` is True (a boolean array or indices)."""
        return replace(
            self, event=self.event[mask], weights={k: v[mask] for k, v in self.weights.items()},
            process_id=self.process_id[mask], observables={k: v[mask] for k, v in self.observables.items()},
            labels={k: (cats, codes[mask]) for k, (cats, codes) in self.labels.items()},
            particles=[replace(p, pdg=p.pdg[mask], p4=p.p4[mask]) for p in self.particles],
            vertices=[replace(v, x=v.x[mask]) for v in self.vertices],
            metadata=dict(self.metadata), run_info=dict(self.run_info))


    def label(self, name: str) -> np.ndarray:
        """Per-event strings of label ``name`` ("source" or "target")."""
        cats, codes = self.labels[name]
        return cats[codes]


    def particle(self, role: str) -> ParticleSlot:
        for p in self.particles:
            if p.role == role:
                return p
        raise KeyError(role)


    def vertex(self, role: str) -> VertexSlot:
        for v in self.vertices:
            if v.role == role:
                return v
        raise KeyError(role)


    def write_order(self) -> list[tuple[str, Any]]:
        """HepMC3 line order: each vertex after its incoming particles, its outgoing particles after it;
        ``("P", slot, hepmc_id, parent_vertex_id)`` and ``("V", slot, vertex_id, incoming_ids)``."""
        out: list[tuple[str, Any]] = []
        ids: dict[str, int] = {}


        def particle(p: ParticleSlot, parent: int) -> None:
            ids[p.role] = len(ids) + 1
            out.append(("P", p, ids[p.role], parent))


        for k, v in enumerate(self.vertices):
            for role in v.incoming:
                if role not in ids:
                    particle(self.particle(role), 0)
            out.append(("V", v, -(k + 1), [ids[r] for r in v.incoming]))
            for p in self.particles:
                if p.production == v.role:
                    particle(p, -(k + 1))
        return out


    def layout(self) -> dict[str, Any]:
        """JSON description of the graph: particles (role, status, HepMC3 id, production vertex) and
        vertices (role, status, HepMC3 id, incoming roles), in HepMC3 order."""
        parts, verts = [], []
        for kind, slot, i, extra in self.write_order():
            if kind == "P":
                parts.append({"role": slot.role, "status": slot.status, "id": i, "production_vertex": slot.production})
            else:
                verts.append({"role": slot.role, "status": slot.status, "id": i, "incoming": list(slot.incoming)})
        return {"particles": parts, "vertices": verts, "primary": self.primary,
                "weights": list(WEIGHT_NAMES), "observables": list(OBSERVABLES), "labels": list(self.labels)}


def _tof(a: np.ndarray, b: np.ndarray, p4: np.ndarray) -> np.ndarray:
    """c·t (mm) to fly in a straight line from ``a`` to ``b`` (N, 3) with four-momentum ``p4``: L E/|p|."""
    p = np.linalg.norm(p4[:, 1:], axis=1)
    length = np.linalg.norm(np.asarray(b, float) - np.asarray(a, float), axis=1)
    return np.divide(length * p4[:, 0], p, out=np.zeros_like(length), where=p > 0)


def _at_rest(mass: np.ndarray | float, n: int) -> np.ndarray:
    out = np.zeros((n, 4))
    out[:, 0] = mass
    return out


def _x4(x: np.ndarray, ct: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(x, float).reshape(-1, 3), np.asarray(ct, float).reshape(-1, 1)], axis=1)


def nucleus_pdg(z: int, a: int) -> int:
    """PDG nuclear code 10LZZZAAAI (L = I = 0)."""
    return 1_000_000_000 + 10_000 * z + 10 * a


def beam_proton(sample, n: int) -> tuple[np.ndarray, int, float]:
    """Stand-in for the beam proton: the beam line's proton momentum along +z (MeV; the beam's
    divergence and the proton's path before the interaction are not simulated), the PDG id of the nucleus
    it hits (the beam's target material; steel for off-target running) and that nucleus's mass (MeV,
    A × atomic mass unit: binding and electrons neglected)."""
    beam = BEAMS.get(get_experiment(sample.experiment).beam)
    p4 = np.zeros((n, 4))
    p4[:, 0] = np.hypot(beam.proton_momentum, M_P)
    p4[:, 3] = beam.proton_momentum
    material = "Fe" if sample.mode == "off-target" else beam.target_material
    if material not in TARGET_NUCLEI:  # the beam proton's target nucleus in the event record: never a stand-in
        raise InputError(f"target material of beam {beam.name} for event records", material, tuple(TARGET_NUCLEI))
    z, a = TARGET_NUCLEI[material]
    return p4, nucleus_pdg(z, a), a * AMU


def _parent_pdg(sample, cols: dict[str, np.ndarray], n: int) -> np.ndarray | None:
    if "parent_pdg" in cols:
        return np.asarray(cols["parent_pdg"], np.int64).reshape(n)
    names = np.array([str(s).split()[0] if str(s).split() else "" for s in np.unique(sample.source)])
    pdgs = np.array([_PARENT_PDG.get(s, 0) for s in names], np.int64)
    out = pdgs[np.searchsorted(np.unique(sample.source), sample.source)] if n else np.zeros(0, np.int64)
    return out if np.all(out != 0) else None


def _fill_nucleus_pdg(pdg: np.ndarray, p4: np.ndarray, target) -> np.ndarray:
    """Recoil ids the sample left 0 (nuclei missing from ``particles.NUCLEUS_PDG``, e.g. Cs133) from the
    event's target nucleus (Z, A of :mod:`darkbeam.interactions.targets`), where a recoil is present."""
    from ..interactions.targets import get_target


    missing = (pdg == 0) & np.any(p4 != 0, axis=1)
    if not np.any(missing):
        return pdg
    pdg = pdg.copy()
    names = np.asarray(target).astype(str).reshape(len(pdg))
    for name in np.unique(names[missing]):
        try:
            t = get_target(str(name))
        except InputError:
            continue
        pdg[missing & (names == name)] = nucleus_pdg(int(t.Z), int(t.A))
    return pdg


def _history(sample, cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray] | None:
    """Parent meson and production points of the dark state, when the sample records them."""
    if n == 0 or "parent_p4" not in cols or "x_prod" not in cols:
        return None
    pdg = _parent_pdg(sample, cols, n)
    if pdg is None:
        return None
    x_prod = np.asarray(cols["x_prod"], float).reshape(n, 3)
    x0 = np.asarray(cols.get("parent_x0", x_prod), float).reshape(n, 3)  # prompt parents: made where they decay
    return {"pdg": pdg, "p4": np.asarray(cols["parent_p4"], float).reshape(n, 4), "x0": x0, "x_prod": x_prod}


def _graph(sample, parts: dict[str, np.ndarray], n: int, rng, sphere: str
           ) -> tuple[list[ParticleSlot], list[VertexSlot], str]:
    """Particle and vertex slots of a sample (see docs/events.md, "Event records")."""
    cols = dict(getattr(sample, "columns", {}) or {})
    p4 = {r: np.asarray(parts[f"p4_{r}"], float).reshape(n, 4) for r in ROLES + ("mid",) if f"p4_{r}" in parts}
    pdg = {r: np.asarray(parts[f"pdg_{r}"]).astype(np.int64).reshape(n) for r in p4}
    if "recoil" in pdg:
        pdg["recoil"] = _fill_nucleus_pdg(pdg["recoil"], p4["recoil"], sample.target)
    present = {}
    for r in p4:
        nz = pdg[r] != 0
        if np.any(nz) and not np.all(nz):
            raise InputError(f"sample.particles pdg_{r}", "present in some events only",
                             "a role present in every event or in none (one process per sample)")
        present[r] = bool(np.all(nz)) if n > 0 else r != "mid"  # empty samples: every scatter role (schema)
    hist = _history(sample, cols, n)
    decay_in_volume = getattr(sample, "process", "") == "decay-in-volume" or (
        "x_dec" in cols and not present.get("recoil", False))
    P, V = ParticleSlot, VertexSlot
    particles: list[ParticleSlot] = []
    vertices: list[VertexSlot] = []
    if hist is not None:  # proton → [31] → parent meson → [32] → dark state
        proton, nucleus, m_nucleus = beam_proton(sample, n)
        ct_parent = _tof(hist["x0"], hist["x_prod"], hist["p4"])
        incoming = ("beam",)
        particles.append(P("beam", np.full(n, 2212, np.int64), proton, nuhepmc.P_BEAM, None))
        if decay_in_volume:  # nothing is hit in the detector: the proton's target nucleus is the target (E.R.7)
            particles.append(P("beam_target", np.full(n, nucleus, np.int64), _at_rest(m_nucleus, n),
                               nuhepmc.P_TARGET, None))
            incoming = ("beam", "beam_target")
        vertices.append(V("production", nuhepmc.V_BEAM_TARGET, _x4(hist["x0"], np.zeros(n)), incoming))
        particles.append(P("parent", hist["pdg"], hist["p4"], nuhepmc.P_DECAYED, "production"))
        vertices.append(V("parent_decay", nuhepmc.V_PARENT_DECAY, _x4(hist["x_prod"], ct_parent), ("parent",)))
        origin, ct_origin, made_at = hist["x_prod"], ct_parent, "parent_decay"
    else:  # no history: the incoming particle enters as the beam particle, flying from the target origin
        origin, ct_origin, made_at = np.zeros((n, 3)), np.zeros(n), None
    if "mid" in p4 and present.get("mid"):  # dark neutrino: ν T → N_j T', N_j → X e⁺e⁻ displaced
        x_int = np.asarray(parts["x_int"], float).reshape(n, 3)
        x_dec = np.asarray(parts["x_dec"], float).reshape(n, 3)
        ct_int = ct_origin + _tof(origin, x_int, p4["in"])  # ν at the speed of light from the target
        ct_dec = ct_int + _tof(x_int, x_dec, p4["mid"])
        particles += [P("in", pdg["in"], p4["in"], nuhepmc.P_BEAM if made_at is None else nuhepmc.P_DARK_INTERACTING,
                        made_at),
                      P("target", pdg["recoil"], _at_rest(_mass(p4["recoil"]), n), nuhepmc.P_TARGET, None),
                      P("mid", pdg["mid"], p4["mid"], nuhepmc.P_DECAYED, "primary"),
                      P("recoil", pdg["recoil"], p4["recoil"], nuhepmc.P_FINAL, "primary")]
        vertices += [V("primary", nuhepmc.V_PRIMARY, _x4(x_int, ct_int), ("in", "target")),
                     V("decay", nuhepmc.V_DARK_DECAY, _x4(x_dec, ct_dec), ("mid",))]
        particles += [P(r, pdg[r], p4[r], nuhepmc.P_FINAL, "decay") for r in ("vis1", "vis2", "inv") if present[r]]
        return particles, vertices, "primary"
    if decay_in_volume:  # X → visible inside the detector
        x_dec = np.asarray(cols["x_dec"], float).reshape(n, 3) if "x_dec" in cols else \
            interaction_vertices(sample, rng, sphere)
        particles.append(P("in", pdg["in"], p4["in"], nuhepmc.P_BEAM if made_at is None else nuhepmc.P_DECAYED,
                           made_at))
        vertices.append(V("primary", nuhepmc.V_PRIMARY, _x4(x_dec, ct_origin + _tof(origin, x_dec, p4["in"])),
                          ("in",)))
        particles += [P(r, pdg[r], p4[r], nuhepmc.P_FINAL, "primary")
                      for r in ("vis1", "vis2", "recoil", "inv") if present.get(r)]
        return particles, vertices, "primary"
    # scattering in the detector on a target at rest with the recoil's mass (four-momentum conserved)
    x_int = interaction_vertices(sample, rng, sphere)
    particles += [P("in", pdg["in"], p4["in"], nuhepmc.P_BEAM if made_at is None else nuhepmc.P_DARK_INTERACTING,
                    made_at),
                  P("target", pdg["recoil"], _at_rest(_mass(p4["recoil"]), n), nuhepmc.P_TARGET, None)]
    vertices.append(V("primary", nuhepmc.V_PRIMARY, _x4(x_int, ct_origin + _tof(origin, x_int, p4["in"])),
                      ("in", "target")))
    particles += [P(r, pdg[r], p4[r], nuhepmc.P_FINAL, "primary")
                  for r in ("vis1", "vis2", "recoil", "inv") if present.get(r)]
    return particles, vertices, "primary"


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
    effective area); without a recorded flux: Σ CV in events per POT. Φ: ``columns["flux_total"]``."""
    total = float(np.sum(rec.weights["CV"])) if len(rec) else 0.0
    cols = getattr(sample, "columns", {}) or {}
    if n_sample == 0 or "flux_total" not in cols or np.unique(np.asarray(cols["flux_total"])).size != 1:
        # several detection channels whose incoming fluxes differ (or one lacks it): no one flux to divide by
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
    channels (``parts``) is the concatenation of its parts' records, which must share one event graph."""
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
    """One record of the per-channel records ``recs`` of ``sample`` (event numbers: index in the sample)."""
    full = [r for r in recs if len(r)] or recs[:1]
    layout = full[0].layout()
    if any(r.layout() != layout for r in full):
        kinds = sorted({getattr(p, "process", "") for p, r in zip(sample.parts, recs, strict=True) if len(r)})
        raise InputError("event file of several detection channels", kinds, "channels sharing one event graph "
                         "(e.g. decays in volume only); write one file per channel (the sample's ``parts``)")
    offsets = np.cumsum([0] + [len(r) for r in recs])
    cat = [(r, off) for r, off in zip(recs, offsets, strict=False) if len(r)] or [(full[0], 0)]
    rs = [r for r, _ in cat]

    def labels(name: str) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([r.label(name) for r in rs])
        return _categories(x, len(x))

    first = rs[0]
    return EventRecord(
        event=np.concatenate([r.event + off for r, off in cat]),
        weights={k: np.concatenate([r.weights[k] for r in rs]) for k in first.weights},
        process_id=np.concatenate([r.process_id for r in rs]),
        observables={k: np.concatenate([r.observables[k] for r in rs]) for k in first.observables},
        labels={k: labels(k) for k in first.labels},
        particles=[replace(p, pdg=np.concatenate([r.particles[i].pdg for r in rs]),
                           p4=np.concatenate([r.particles[i].p4 for r in rs])) for i, p in enumerate(first.particles)],
        vertices=[replace(v, x=np.concatenate([r.vertices[i].x for r in rs])) for i, v in enumerate(first.vertices)],
        primary=first.primary)


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
    history = any(p.role == "parent" for p in rec.particles)
    conventions = ["G.C.1", "G.C.2", "G.C.3", "G.C.5", "E.C.1", "E.C.5"] + (["G.C.4", "E.S.1"] if history else [])
    meta = rec.metadata
    numbers = _particle_numbers()
    for p in rec.particles:  # masses of the non-PDG states of this file (G.C.5 suggestion)
        if len(rec) and int(p.pdg[0]) in numbers:
            extra[f"NuHepMC.AdditionalParticleNumber[{int(p.pdg[0])}].darkbeam.Mass"] = float(_mass(p.p4[:1])[0])
    beam = None
    if history:
        proton = rec.particle("beam")
        beam = {"pdg": 2212, "energy": float(proton.p4[0, 0]) if len(rec) else float(
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
        particle_status=sorted({p.status for p in rec.particles}), vertex_status=sorted({v.status for v in rec.vertices}),
        beam=beam, provenance=prov, extra=extra)


def _as_record(obj, model, pot, rng, kw) -> EventRecord:
    return obj if isinstance(obj, EventRecord) else event_record(obj, model, pot, rng, **kw)
