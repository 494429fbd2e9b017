"""Event graphs of signal samples: the particle and vertex slots of event records (beam proton, parent meson,
dark state, target, final state, with production points and times of flight), built from a sample's
``particles`` and ``columns``; the HepMC3 order and JSON layout of a graph; interaction points in the detector.
Used by :mod:`darkbeam.io.event_record` (docs/events.md, "Event records")."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..constants import M_P
from ..detectors.catalog import BEAMS, get_experiment
from ..errors import InputError
from ..interactions.targets import AMU, get_target
from ..particles import nucleus_pdg
from ..pipeline.geometry import detector_center
from . import nuhepmc
from .event_files import _mass

ROLES = ("in", "vis1", "vis2", "recoil", "inv")

SPHERES = ("detector", "fiducial")

TARGET_NUCLEI = {"Be": (4, 9), "C": (6, 12), "Al": (13, 27), "Fe": (26, 56), "W": (74, 184), "Hg": (80, 200)}

_PARENT_PDG = {"pi+": 211, "pi-": -211, "K+": 321, "K-": -321, "K0L": 130, "pi0": 111, "eta": 221}


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

    radii = {"detector": "radius", "fiducial": "fiducial_radius"}
    if sphere not in radii:
        raise InputError("sphere", sphere, SPHERES)
    parts = getattr(sample, "particles", {}) or {}
    if "x_int" in parts:
        return np.asarray(parts["x_int"], float)
    n = len(sample.E_vis)
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


def _write_order(particles: list[ParticleSlot], vertices: list[VertexSlot]) -> list[tuple[str, Any]]:
    """HepMC3 line order of one graph (:meth:`EventRecord.write_order`)."""
    out: list[tuple[str, Any]] = []
    ids: dict[str, int] = {}
    by_role = {p.role: p for p in particles}

    def particle(p: ParticleSlot, parent: int) -> None:
        ids[p.role] = len(ids) + 1
        out.append(("P", p, ids[p.role], parent))

    for k, v in enumerate(vertices):
        for role in v.incoming:
            if role not in ids:
                particle(by_role[role], 0)
        out.append(("V", v, -(k + 1), [ids[r] for r in v.incoming]))
        for p in particles:
            if p.production == v.role:
                particle(p, -(k + 1))
    return out


def _graph_layout(particles: list[ParticleSlot], vertices: list[VertexSlot]) -> dict[str, Any]:
    """Particles (role, status, HepMC3 id, production vertex) and vertices (role, status, HepMC3 id, incoming
    roles) of one graph, in HepMC3 order."""
    parts, verts = [], []
    for kind, slot, i, _ in _write_order(particles, vertices):
        if kind == "P":
            parts.append({"role": slot.role, "status": slot.status, "id": i, "production_vertex": slot.production})
        else:
            verts.append({"role": slot.role, "status": slot.status, "id": i, "incoming": list(slot.incoming)})
    return {"particles": parts, "vertices": verts}


@dataclass
class Graph:
    """One event graph of a mixed :class:`EventRecord`: its ``name`` (the detection processes with this graph,
    joined by "+"), slots holding the events of this graph (record order) and the primary vertex's role."""

    name: str
    particles: list[ParticleSlot]
    vertices: list[VertexSlot]
    primary: str

    def select(self, mask: np.ndarray) -> Graph:
        return replace(self, particles=[replace(p, pdg=p.pdg[mask], p4=p.p4[mask]) for p in self.particles],
                       vertices=[replace(v, x=v.x[mask]) for v in self.vertices])


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
