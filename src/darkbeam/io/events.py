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
particles), the same for every event of a file. A full record (docs/events.md) is

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

import contextlib
import json
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import hepunits as hu
import numpy as np

from .. import __version__
from ..constants import C_LIGHT, M_P
from ..detectors.catalog import BEAMS, get_experiment
from ..errors import InputError
from ..interactions.targets import AMU
from ..models.base import Model
from ..particles import BOSON_PDG, CHI_PDG, HNL_PDG, NEW_PARTICLE_NAMES, NU_LIGHT_PDG
from ..registry import Registry
from . import nuhepmc
from .atomic import atomic_path

#: particle roles of the sample's ``particles`` dict (``mid`` only for displaced decays).
ROLES = ("in", "vis1", "vis2", "recoil", "inv")
#: Parquet columns of a four-momentum role ``r``: r_E, r_px, r_py, r_pz (MeV) and r_pdg.
P4_COMPONENTS = ("E", "px", "py", "pz")
#: Parquet columns of a vertex role ``v``: v_{v}_x, _y, _z (mm) and _ct (c·t, mm).
VERTEX_COMPONENTS = ("x", "y", "z", "ct")
#: vertex sphere used to place interaction points: the detector (catalog ``radius``, as the rates
#: count the targets of the whole detector) or the fiducial sphere.
SPHERES = ("detector", "fiducial")
#: format version of the files (2: full records, CV / expected_events weights, NuHepMC).
FORMAT_VERSION = 2
#: weight names, in file order: events per POT, and expected events for the file's exposure
WEIGHT_NAMES = ("CV", "expected_events")
#: reconstructed observables stored per event (Parquet columns, HepMC3 event attributes)
OBSERVABLES = ("E_vis", "cos_theta", "E_QE")
_META_KEY = b"darkbeam"
#: speed of light in mm/s (lab_pos time, E.C.5)
_C_MM_PER_S = C_LIGHT * hu.s
#: nuclei of the proton targets (Beam.target_material; steel for off-target running): (Z, A)
TARGET_NUCLEI = {"Be": (4, 9), "C": (6, 12), "Fe": (26, 56), "W": (74, 184), "Hg": (80, 200)}
#: parent-meson PDG ids by source-label name (fallback when a production channel does not report them)
_PARENT_PDG = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130, "pi0": 111, "eta": 221}


# ----------------------------------------------------------------------------------------------------
# shared pieces
# ----------------------------------------------------------------------------------------------------


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
    from ..inference.predict import model_summary

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


def _check_suffix(path: Path, allowed: tuple[str, ...], what: str) -> None:
    if path.suffix.lower() not in allowed:
        raise InputError(f"{what} file suffix", path.suffix or str(path), allowed)


# ----------------------------------------------------------------------------------------------------
# event records
# ----------------------------------------------------------------------------------------------------


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
                "weights": list(WEIGHT_NAMES), "observables": list(OBSERVABLES)}


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
    z, a = TARGET_NUCLEI.get(material, TARGET_NUCLEI["Be"])
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


#: descriptions of the non-PDG particle numbers (G.C.5)
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
    if n_sample == 0 or "flux_total" not in cols:
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
    parts = _particles(sample)
    cv = _weights(sample, model, 1.0)
    particles, vertices, primary = _graph(sample, parts, n, rng, sphere)
    recoil = parts.get("pdg_recoil", np.zeros(n, np.int64))
    rec = EventRecord(
        event=np.arange(n, dtype=np.int64), weights={"CV": cv, "expected_events": cv * pot},
        process_id=nuhepmc.process_ids(getattr(sample, "process", ""), np.asarray(recoil).reshape(n)),
        observables={k: np.asarray(getattr(sample, k), float).reshape(n) for k in OBSERVABLES},
        labels={k: _categories(getattr(sample, k), n) for k in ("source", "target")},
        particles=particles, vertices=vertices, primary=primary)
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


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating | np.bool_):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


# ----------------------------------------------------------------------------------------------------
# Parquet
# ----------------------------------------------------------------------------------------------------

PARQUET_SUFFIXES = (".parquet",)


def _as_record(obj, model, pot, rng, kw) -> EventRecord:
    return obj if isinstance(obj, EventRecord) else event_record(obj, model, pot, rng, **kw)


def record_columns(rec: EventRecord) -> dict[str, np.ndarray]:
    """Columns of a record, one row per event (the Parquet columns; :func:`read_events` gives the same):
    ``event``, ``CV``, ``expected_events``, ``process_id``, the observables, ``source``, ``target``,
    ``{role}_pdg`` and ``{role}_E/px/py/pz`` per particle role, ``v_{role}_x/y/z/ct`` per vertex role."""
    cols: dict[str, np.ndarray] = {"event": rec.event, **{k: rec.weights[k] for k in WEIGHT_NAMES},
                                   "process_id": rec.process_id, **rec.observables,
                                   **{k: rec.label(k) for k in rec.labels}}
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
    import pyarrow as pa
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
        pq.write_table(table, tmp, use_dictionary=["source", "target"], write_statistics=False)
    return path


def _dictionary(categories: np.ndarray, codes: np.ndarray):
    """Arrow dictionary array of a label column (a handful of distinct strings: no string per event)."""
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array([str(c) for c in categories], pa.string()))


def read_parquet(path: str | Path) -> dict[str, Any]:
    """Read a file of :func:`write_parquet`: ``{"columns": {name: numpy array}, "metadata": dict}``."""
    import pyarrow.parquet as pq

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


# ----------------------------------------------------------------------------------------------------
# HepMC3 ASCII (Asciiv3) with NuHepMC metadata
# ----------------------------------------------------------------------------------------------------

HEPMC3_SUFFIXES = (".hepmc3", ".hepmc")
_HEPMC_VERSION = "3.02.05"  # the Asciiv3 flavour written (what pyhepmc 2.16 / HepMC3 3.2.5 write)


def _mass(p4: np.ndarray) -> np.ndarray:
    """Invariant mass (MeV) of (N, 4) four-momenta; 0 for space-like rounding and for m² below 1e-14 E²
    (the rounding of E² − p² of a massless particle; every massive state here has m/E > 1e-5)."""
    m2 = p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)
    return np.sqrt(np.where(m2 > 1e-14 * p4[:, 0] ** 2, m2, 0.0))


def _clean(s: str) -> str:
    """One-line attribute text (HepMC3 attributes end at the line end)."""
    return " ".join(str(s).split())


def _labels(categories: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per-event one-line labels (cleaned once per distinct label, not per event); "" is written "-"."""
    return np.array([_clean(u) or "-" for u in categories], dtype=object)[codes]


def _event_lines(rec: EventRecord) -> list[list]:
    """Per-event HepMC3 lines as lists of pieces (literal text or per-event numpy columns)."""
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
    import pyarrow as pa
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
    events formatted per pass (memory bound). Keywords: those of :func:`event_record`.
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
        if n:
            lines = _event_lines(rec)
            fh.writelines(_text_chunk(lines, slice(i, min(n, i + chunk))) for i in range(0, n, chunk))
        fh.write(b"HepMC::Asciiv3-END_EVENT_LISTING\n\n")
    return path


def write_hepmc3_pyhepmc(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                         rng: np.random.Generator | None = None, **kw: Any) -> Path:
    """Reference writer: the same record built as one pyhepmc ``GenEvent`` per event (slow, ~10⁴ events/s),
    with the run-info attributes as typed pyhepmc attributes. Used to validate :func:`write_hepmc3` (same
    ``rng`` → same events) and as the baseline of benchmarks/bench_events.py."""
    import pyhepmc
    from pyhepmc.io import WriterAscii

    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    rec = _as_record(sample, model, pot, rng, kw)
    run = pyhepmc.GenRunInfo()
    run.weight_names = list(WEIGHT_NAMES)
    run.tools = [("darkbeam", __version__, "dark-sector signal events (https://arxiv.org/abs/2110.11944)")]
    for k, v in rec.run_info.items():
        run.attributes[k] = v
    order = rec.write_order()
    prim = rec.vertex(rec.primary).x
    with atomic_path(path) as tmp, WriterAscii(tmp, run) as writer:
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
    return path


# ----------------------------------------------------------------------------------------------------
# reading back
# ----------------------------------------------------------------------------------------------------


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
        import pyarrow as pa
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


def _csv(data, names: list[str], types: dict[str, Any]):
    import pyarrow as pa
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
    import pyarrow as pa

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
    e = _csv(lines.join(b"E "), ["_E", "event", "_nv", "_np"], {"event": i64})
    cols["event"] = e.column("event").to_numpy()
    w = _csv(lines.join(b"W "), ["_W", *weight_names], {k: f64 for k in weight_names})
    for k in weight_names:
        cols[k] = w.column(k).to_numpy()
    names = {b"A 0 signal_process_id ": "process_id", **{f"A 0 {k} ".encode(): k for k in OBSERVABLES}}
    for prefix, name in names.items():
        t = _csv(lines.join(prefix, strip=True), [name], {name: i64 if name == "process_id" else f64})
        cols[name] = t.column(name).to_numpy(zero_copy_only=False) if t is not None else np.zeros(0)
    for k in ("source", "target"):
        import pyarrow.compute as pc

        vals = lines.lines(f"A 0 {k} ".encode(), strip=True)
        vals = pc.cast(pc.binary_slice(vals, 0, -1), pa.large_string()) if len(vals) else vals
        vals = np.asarray(vals.to_numpy(zero_copy_only=False)).astype(str)
        cols[k] = np.where(vals == "-", "", vals)
    if any(len(cols[k]) != n for k in cols):
        raise InputError("events file", str(path), "one value of every darkbeam attribute per event")
    p = _csv(lines.join(b"P "), ["_P", "_id", "_vtx", "pdg", "px", "py", "pz", "E", "_m", "_status"],
             {"pdg": i64, "px": f64, "py": f64, "pz": f64, "E": f64})
    v = _csv(lines.join(b"V "), ["_V", "_id", "_status", "_in", "_at", "x", "y", "z", "ct"],
             {"x": f64, "y": f64, "z": f64, "ct": f64})
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


def _column_names(layout: dict[str, Any], weight_names) -> list[str]:
    names = ["event", *weight_names, "process_id", *OBSERVABLES, "source", "target"]
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
            "U" if k in ("source", "target") else "f")
        out[k] = np.zeros(0, {"i": np.int64, "U": "<U1", "f": float}[kind])
    return out


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


# ----------------------------------------------------------------------------------------------------
# safe writing and dispatch by suffix
# ----------------------------------------------------------------------------------------------------


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
        def _raise(signum, frame):  # noqa: ARG001
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
