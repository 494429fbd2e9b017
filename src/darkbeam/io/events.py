"""Standard event outputs of signal samples: Parquet (columnar, one row per event) and HepMC3 ASCII.

Input: a :class:`~darkbeam.pipeline.signal.SignalSample` (or its subclass
:class:`~darkbeam.pipeline.dark_neutrino_signal.DarkNeutrinoSample`) whose ``particles`` dict holds the
true lab four-momenta (MeV) of each event: ``p4_in``/``pdg_in`` (incoming dark particle or neutrino),
``p4_vis1``, ``p4_vis2`` (visible; zeros and PDG 0 when absent), ``p4_recoil``/``pdg_recoil`` (nucleus
or struck nucleon), ``p4_inv``/``pdg_inv`` (outgoing invisible; zeros and PDG 0 when absent) and,
for processes with a displaced decay (dark neutrino), ``p4_mid``/``pdg_mid`` (the decaying HNL) with
the positions ``x_int``/``x_dec`` (mm, beam frame).

Conventions (docs/events.md):

* units: MeV for energies and momenta, mm for positions (HepMC3 ``U MEV MM``); c·t in mm.
* frame: beam frame, proton target at the origin, beam along +z, detector centre at
  :func:`darkbeam.pipeline.geometry.detector_center` ((0, 0, 541 m) for MiniBooNE).
* weight: expected events for ``pot`` protons on target at the couplings of ``model``
  (``sample.weights(model, pot)``); events rejected by the detector response carry weight 0.
* the target is at rest before the interaction, with the mass of the recoil (nucleus for coherent,
  nucleon for incoherent scattering, Fermi motion neglected as in the generators), so that every
  vertex conserves four-momentum exactly (up to the generators' rounding).
* PDG ids of new particles: production.three_body.BOSON_PDG (scalar 9000005, pseudoscalar 9000006,
  vector 4900022), pipeline.signal.CHI_PDG (χ and χ', 9000011), HNLs N4/N5/N6 = 5914/5915/5916 and the
  light neutrino of N → ν e⁺e⁻ = 5910 (DarkNews convention, pipeline.dark_neutrino_signal.HNL_PDG).

HepMC3 is written without one Python object per event: the text of a chunk of events is a single
``%`` formatting of one per-event template repeated over the chunk (the columns interleaved into
one flat tuple), which runs at a few 10⁵ events/s instead of ~10³ for per-event GenEvent writers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..models.base import Model
from ..registry import Registry
from .atomic import atomic_path

#: particle roles of the ``particles`` dict, in file order (``mid`` only for displaced decays).
ROLES = ("in", "vis1", "vis2", "recoil", "inv")
#: Parquet columns of a four-momentum role ``r``: r_E, r_px, r_py, r_pz (MeV) and r_pdg.
P4_COMPONENTS = ("E", "px", "py", "pz")
#: vertex sphere used to place interaction points: the detector (catalog ``radius``, as the rates
#: count the targets of the whole detector) or the fiducial sphere.
SPHERES = ("detector", "fiducial")
#: format version of the Parquet metadata (bump on incompatible column changes).
FORMAT_VERSION = 1
_META_KEY = b"darkbeam"
_WEIGHT_NAME = "expected_events"


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
        "units": {"energy": "MeV", "momentum": "MeV", "position": "mm", "time": "mm (c t)",
                  "weight": f"expected events for pot = {float(pot):g} protons on target"},
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
# Parquet
# ----------------------------------------------------------------------------------------------------

PARQUET_SUFFIXES = (".parquet",)


def event_columns(sample, model: Model | None = None, pot: float = 1.0) -> dict[str, np.ndarray]:
    """Columns of the Parquet file (see docs/events.md): observables, weight, labels, particles."""
    n = _n_events(sample)
    parts = _particles(sample)
    cols: dict[str, np.ndarray] = {
        "event": np.arange(n, dtype=np.int64),
        "E_vis": np.asarray(sample.E_vis, float), "cos_theta": np.asarray(sample.cos_theta, float),
        "E_QE": np.asarray(sample.E_QE, float), "weight": _weights(sample, model, pot),
        "source": np.asarray(sample.source).astype(str), "target": np.asarray(sample.target).astype(str),
    }
    roles = ROLES + (("mid",) if "p4_mid" in parts else ())
    for r in roles:
        p4 = np.asarray(parts[f"p4_{r}"], float).reshape(n, 4)
        for i, c in enumerate(P4_COMPONENTS):
            cols[f"{r}_{c}"] = p4[:, i]
        cols[f"{r}_pdg"] = np.asarray(parts[f"pdg_{r}"]).astype(np.int64)
    for key, prefix in (("x_int", "vtx"), ("x_dec", "dec")):
        if key in parts:
            x = np.asarray(parts[key], float).reshape(n, 3)
            for i, c in enumerate("xyz"):
                cols[f"{prefix}_{c}"] = x[:, i]
    return cols


def write_parquet(sample, path: str | Path, model: Model | None = None, pot: float = 1.0) -> Path:
    """Write one row per event to a Parquet file (atomically); returns the path.

    Columns: ``event``; ``E_vis`` [MeV], ``cos_theta``, ``E_QE`` [MeV] (NaN where undefined);
    ``weight`` (expected events for ``pot`` POT at ``model``, default the sample's model);
    ``source``, ``target``; per particle role r in in, vis1, vis2, recoil, inv (and mid):
    ``r_E, r_px, r_py, r_pz`` [MeV] and ``r_pdg``; ``vtx_x/y/z``, ``dec_x/y/z`` [mm] when the sample
    has positions. The schema metadata key ``darkbeam`` holds :func:`event_metadata` as JSON.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    _check_suffix(path, PARQUET_SUFFIXES, "Parquet")
    cols = event_columns(sample, model, pot)
    meta = event_metadata(sample, model, pot)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    table = table.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)
    return path


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
# HepMC3 ASCII (Asciiv3)
# ----------------------------------------------------------------------------------------------------

HEPMC3_SUFFIXES = (".hepmc3", ".hepmc")
_HEPMC_VERSION = "3.02.05"  # the Asciiv3 flavour written (what pyhepmc 2.16 / HepMC3 3.2.5 write)


def _mass(p4: np.ndarray) -> np.ndarray:
    """Invariant mass (MeV) of (N, 4) four-momenta, 0 for space-like rounding."""
    m2 = p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)
    return np.sqrt(np.clip(m2, 0, None))


def _clean(s: str) -> str:
    """One-line attribute text (HepMC3 attributes end at the line end)."""
    return " ".join(str(s).split())


def _labels(x: np.ndarray) -> np.ndarray:
    """Per-event one-line labels (cleaned once per distinct label, not per event)."""
    uniq, inv = np.unique(np.asarray(x).astype(str), return_inverse=True)
    return np.array([_clean(u) or "-" for u in uniq], dtype=object)[inv.reshape(-1)]


def _event_layout(parts: dict[str, np.ndarray], n: int, x_int: np.ndarray) -> tuple[list[list], int, int]:
    """Per-event HepMC3 lines as lists of pieces (literal text or per-event numpy columns).

    One vertex: (in, target) → vis1, vis2, recoil, inv (absent roles, PDG 0, left out). With a
    displaced decay (``p4_mid``): (in, target) → mid (status 2), recoil at ``x_int``, and
    mid → vis1, vis2, inv at ``x_dec`` (c t = flight length / β).
    """
    p4 = {r: np.asarray(parts[f"p4_{r}"], float).reshape(n, 4) for r in ROLES + ("mid",) if f"p4_{r}" in parts}
    pdg = {r: np.asarray(parts[f"pdg_{r}"]).astype(np.int64) for r in p4}
    present = {}
    for r in p4:
        nz = pdg[r] != 0
        if np.any(nz) and not np.all(nz):
            raise InputError(f"sample.particles pdg_{r}", "present in some events only",
                             "a role present in every event or in none (one process per sample)")
        present[r] = bool(np.all(nz))
    rec = p4["recoil"]
    target = np.zeros((n, 4))
    target[:, 0] = _mass(rec)  # target at rest with the recoil's mass: the vertex conserves p exactly
    lines: list[list] = []

    def particle(pid: int, parent: int, role_p4: np.ndarray, role_pdg: np.ndarray, status: int) -> None:
        # P id parent_vertex pdg px py pz e m status
        lines.append([f"P {pid} {parent}", role_pdg, role_p4[:, 1], role_p4[:, 2], role_p4[:, 3], role_p4[:, 0],
                      _mass(role_p4), str(status)])

    def vertex(vid: int, incoming: str, x: np.ndarray, t: np.ndarray) -> None:
        # V id status [incoming particle ids] @ x y z ct
        lines.append([f"V {vid} 0 [{incoming}] @", x[:, 0], x[:, 1], x[:, 2], t])

    particle(1, 0, p4["in"], pdg["in"], 4)
    particle(2, 0, target, pdg["recoil"], 4)
    vertex(-1, "1,2", x_int, np.zeros(n))
    n_part, n_vert = 2, 1
    if present.get("mid"):
        particle(3, -1, p4["mid"], pdg["mid"], 2)
        particle(4, -1, rec, pdg["recoil"], 1)
        x_dec = np.asarray(parts["x_dec"], float).reshape(n, 3)
        pm = np.linalg.norm(p4["mid"][:, 1:], axis=1)
        flight = np.linalg.norm(x_dec - x_int, axis=1)
        ct = flight * p4["mid"][:, 0] / np.where(pm > 0, pm, 1.0)  # c t = L / β
        vertex(-2, "3", x_dec, ct)
        n_part, n_vert = 4, 2
        for r in ("vis1", "vis2", "inv"):
            if present[r]:
                n_part += 1
                particle(n_part, -2, p4[r], pdg[r], 1)
    else:
        for r in ("vis1", "vis2", "recoil", "inv"):
            if present[r]:
                n_part += 1
                particle(n_part, -1, p4[r], pdg[r], 1)
    return lines, n_part, n_vert


def _text_chunk(lines: list[list], sl: slice) -> bytes:
    """UTF-8 text of events ``sl``: every numeric column is turned into strings in one vectorised cast
    (shortest round-trip decimal, so the file holds the doubles exactly), the pieces of each line are
    joined element-wise, the lines of each event likewise, and the concatenated values buffer of the
    resulting Arrow string array *is* the text of the chunk (no Python object per event)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def piece(x):
        if isinstance(x, str):
            return x
        x = x[sl]
        return pa.array(x) if x.dtype.kind in "UOS" else pc.cast(pa.array(x), pa.string())

    joined = [pc.binary_join_element_wise(*[piece(x) for x in line], " ") for line in lines]
    events = pc.binary_join_element_wise(*joined, "", "\n")  # lines joined by "\n", ending with "\n"
    if isinstance(events, pa.ChunkedArray):
        events = events.combine_chunks()
    offsets = np.frombuffer(events.buffers()[1], dtype=np.int32)
    lo, hi = int(offsets[events.offset]), int(offsets[events.offset + len(events)])
    return memoryview(events.buffers()[2])[lo:hi]


def write_hepmc3(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                 rng: np.random.Generator | None = None, sphere: str = "detector", chunk: int = 100_000) -> Path:
    """Write the events as HepMC3 ASCII (Asciiv3, ``U MEV MM``) atomically; returns the path.

    Each event: the incoming particle and the target at rest (status 4) enter vertex −1 placed by
    :func:`interaction_vertices` (``rng``, ``sphere``; c t = 0); outgoing particles have status 1,
    invisible ones included; a displaced decay (dark neutrino) adds vertex −2 with the HNL (status 2)
    as incoming particle. One weight per event (name ``expected_events``: events for ``pot`` POT at
    ``model``); event attributes ``source`` and ``target``; run-info attributes hold
    :func:`event_metadata` (``darkbeam_metadata``, JSON). Numbers are written in the shortest decimal
    form that reads back to the same double. ``chunk``: events formatted per pass (memory bound).
    """
    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    if not (isinstance(chunk, int | np.integer) and chunk > 0):
        raise InputError("chunk", chunk, "a positive integer (events per formatting pass)")
    n = _n_events(sample)
    parts = _particles(sample)
    w = _weights(sample, model, pot)
    x_int = interaction_vertices(sample, rng, sphere)
    meta = event_metadata(sample, model, pot)
    header = ["HepMC::Version " + _HEPMC_VERSION, "HepMC::Asciiv3-START_EVENT_LISTING", f"W {_WEIGHT_NAME}",
              f"T darkbeam\\|{__version__}\\|dark-sector signal events",
              f"A darkbeam_metadata {json.dumps(meta, separators=(',', ':'), ensure_ascii=True)}",
              f"A model {_clean(meta['model']['name'])}", f"A experiment {_clean(sample.experiment)}",
              f"A mode {_clean(sample.mode)}", f"A pot {float(pot)!r}"]
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(("\n".join(header) + "\n").encode())
        if n:
            body, n_part, n_vert = _event_layout(parts, n, x_int)
            src, tgt = _labels(sample.source), _labels(sample.target)
            lines = [["E", np.arange(n, dtype=np.int64), f"{n_vert} {n_part}"], ["U MEV MM"], ["W", w],
                     ["A 0 source", src], ["A 0 target", tgt], *body]
            fh.writelines(_text_chunk(lines, slice(i, min(n, i + chunk))) for i in range(0, n, chunk))
        fh.write(b"HepMC::Asciiv3-END_EVENT_LISTING\n\n")
    return path


def write_hepmc3_pyhepmc(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                         rng: np.random.Generator | None = None, sphere: str = "detector") -> Path:
    """Reference writer: the same events built as one pyhepmc ``GenEvent`` per event (slow, ~10³–10⁴
    events/s). Used to validate :func:`write_hepmc3` (same ``rng`` → same vertices) and as the
    baseline of benchmarks/bench_events.py."""
    import pyhepmc
    from pyhepmc.io import WriterAscii

    path = Path(path)
    _check_suffix(path, HEPMC3_SUFFIXES, "HepMC3")
    n = _n_events(sample)
    parts = _particles(sample)
    w = _weights(sample, model, pot)
    x_int = interaction_vertices(sample, rng, sphere)
    meta = event_metadata(sample, model, pot)
    run = pyhepmc.GenRunInfo()
    run.weight_names = [_WEIGHT_NAME]
    run.attributes["darkbeam_metadata"] = json.dumps(meta, separators=(",", ":"))
    if n:
        body, _, _ = _event_layout(parts, n, x_int)
    src, tgt = _labels(sample.source), _labels(sample.target)
    with atomic_path(path) as tmp, WriterAscii(tmp, run) as writer:
        for i in range(n):  # one Python object per particle and event: the slow reference route
            ev = pyhepmc.GenEvent(pyhepmc.Units.MEV, pyhepmc.Units.MM)
            ev.run_info = run
            ev.event_number = i
            ev.weights = [float(w[i])]
            ev.attributes["source"] = str(src[i])
            ev.attributes["target"] = str(tgt[i])
            particles: dict[int, Any] = {}
            vertices: dict[int, Any] = {}
            for line in body:
                head = line[0].split()
                if head[0] == "P":
                    pid, parent = int(head[1]), int(head[2])
                    px, py, pz, e, m = (float(c[i]) for c in line[2:7])
                    p = pyhepmc.GenParticle((px, py, pz, e), int(line[1][i]), int(line[7]))
                    p.generated_mass = m
                    particles[pid] = p
                    if parent < 0:
                        vertices[parent].add_particle_out(p)
                else:
                    vid = int(head[1])
                    v = pyhepmc.GenVertex(tuple(float(c[i]) for c in line[1:5]))
                    for pid in head[3].strip("[]").split(","):
                        v.add_particle_in(particles[int(pid)])
                    vertices[vid] = v
                    ev.add_vertex(v)
            writer.write_event(ev)
    return path


# ----------------------------------------------------------------------------------------------------
# dispatch by suffix
# ----------------------------------------------------------------------------------------------------

EVENT_WRITERS: Registry[Callable[..., Path]] = Registry("events file suffix")
EVENT_WRITERS.add(".parquet", lambda s, p, model=None, pot=1.0, rng=None: write_parquet(s, p, model, pot),
                  "Apache Parquet, one row per event (pyarrow)")
for _sfx in HEPMC3_SUFFIXES:
    EVENT_WRITERS.add(_sfx, write_hepmc3, "HepMC3 ASCII (Asciiv3)")


def write_events(sample, path: str | Path, model: Model | None = None, pot: float = 1.0,
                 rng: np.random.Generator | None = None) -> Path:
    """Write ``sample`` in the format given by the suffix of ``path`` (.parquet, .hepmc3, .hepmc)."""
    path = Path(path)
    if path.suffix.lower() not in EVENT_WRITERS:
        raise InputError("events file suffix", path.suffix or str(path), EVENT_WRITERS.names())
    return EVENT_WRITERS.get(path.suffix.lower())(sample, path, model=model, pot=pot, rng=rng)


__all__ = ["EVENT_WRITERS", "FORMAT_VERSION", "HEPMC3_SUFFIXES", "PARQUET_SUFFIXES", "ROLES", "SPHERES",
           "event_columns", "event_metadata", "interaction_vertices", "read_parquet", "write_events",
           "write_hepmc3", "write_hepmc3_pyhepmc", "write_parquet"]
