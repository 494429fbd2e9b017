"""Flux of new bosons X (φ, a, V) at a detector, from charged-meson three-body decays in flight
(π±/K± → ℓ± ν X, :mod:`darkbeam.production.three_body`) and, for vectors, from prompt neutral-meson
decays π0/η → γ V (:mod:`darkbeam.production.neutral_meson`).

Same chain as the neutrino flux (production → focusing → decay in flight), then the point-flux
estimator of :mod:`darkbeam.pipeline.estimators` for a massive particle emitted isotropically in
its parent's rest frame (the parents are spin 0), with the rest-frame energy E* = p_X·P/M of each
sampled decay. The result is the flux of X arriving at the detector disc *before* any decay of X
in flight (survival is applied by the signal stage, which knows the model's width); the
``arrivals`` keep every contribution (energy, direction, distance, weight) for that stage.

Weights are proportional to the production coupling squared (g_μ², g_e² or (eε)²); the result
also reports the flux per unit coupling² when the model has a single production coupling.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import hepunits as hu
import numpy as np

from ..beams.production import iter_mesons
from ..declarations import Model
from ..detectors.catalog import BEAMS, Experiment, get_experiment
from ..errors import InputError
from ..kinematics.fourvec import dot
from ..production.proton_brem import BEAM_PARENT, iter_beam_protons
from ..sample import ParticleSample
from .estimators import forced_flux
from .geometry import detector_center, face_area, hits_disc
from .neutrino_flux import DEFAULT_EDGES_GEV, _decay, _progress, beam_setup
from .stopped_sources import beam_source, iter_stopped_sources, stopped_parent_plan


@dataclass
class Arrivals:
    """Bosons arriving at the detector disc (columnar).

    Attributes:
        energy: lab energy, MeV. direction: unit vectors (N,3) from the decay vertex to the detector centre.
        distance: path length from the decay vertex to the detector centre, mm.
        weight: particles per cm² per POT (averaged over the disc). parent: source label per entry,
            e.g. "pi+ mu" or "pi0".
        origin: the parent's decay vertex (N,3), mm (lab frame, target at the origin).
        point: the point on the detector disc the flux estimator aimed at (N,3), mm: the ray
            origin → point is the particle's straight path through the detector (for chords).
        parent_pdg, parent_p4, parent_x0 (optional, for event records): the parent meson's PDG id
            (N,), its lab four-momentum at the decay (N,4), MeV (after focusing; on shell for prompt
            π⁰/η), and its production point in the target (N,3), mm (None when the production
            channel does not report it).
        polarisation, cp_conjugate (optional spin columns of the production channel,
            :meth:`darkbeam.production.channels.ProductionChannel.sample`): helicity polarisation of X along
            its momentum in the parent rest frame, and True for the CP-conjugate state; pieces from a channel
            that does not report them are unpolarised (0, False) when joined with pieces that do.
    """

    energy: np.ndarray
    direction: np.ndarray
    distance: np.ndarray
    weight: np.ndarray
    parent: np.ndarray
    origin: np.ndarray | None = None
    point: np.ndarray | None = None
    parent_pdg: np.ndarray | None = None
    parent_p4: np.ndarray | None = None
    parent_x0: np.ndarray | None = None
    polarisation: np.ndarray | None = None
    cp_conjugate: np.ndarray | None = None

    #: optional per-entry fields, concatenated when every piece has them
    OPTIONAL = ("origin", "point", "parent_pdg", "parent_p4", "parent_x0")
    #: optional spin fields and their value for a piece that lacks them (unpolarised, not conjugate)
    SPIN = (("polarisation", 0.0), ("cp_conjugate", False))

    @staticmethod
    def concat(items: list[Arrivals]) -> Arrivals:
        if not items:
            return Arrivals(np.zeros(0), np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0, dtype="<U8"),
                            np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64), np.zeros((0, 4)),
                            np.zeros((0, 3)))
        fields = ["energy", "direction", "distance", "weight", "parent"]
        out = Arrivals(*(np.concatenate([getattr(a, f) for a in items]) for f in fields))
        for f in Arrivals.OPTIONAL:
            if all(getattr(a, f) is not None for a in items):
                setattr(out, f, np.concatenate([getattr(a, f) for a in items]))
        for f, fill in Arrivals.SPIN:
            if any(getattr(a, f) is not None for a in items):
                setattr(out, f, np.concatenate([np.full(len(a), fill) if getattr(a, f) is None else getattr(a, f)
                                                for a in items]))
        return out

    def __len__(self) -> int:
        return len(self.energy)


@dataclass
class BosonFluxResult:
    """Binned X flux (per cm² per POT per GeV) with MC errors, its split by parent, and arrivals."""

    model: str
    boson: str
    edges_GeV: np.ndarray
    flux: np.ndarray
    error: np.ndarray
    by_parent: dict[str, np.ndarray] = field(default_factory=dict)
    arrivals: Arrivals | None = None
    coupling2: float | None = None

    def integrated(self) -> float:
        """Integrated flux per cm² per POT."""
        return float(np.sum(self.flux * np.diff(self.edges_GeV)))

    @property
    def flux_per_coupling2(self) -> np.ndarray | None:
        """Flux per unit production coupling² (None when the model has several couplings)."""
        return None if not self.coupling2 else self.flux / self.coupling2


def flux_coupling2(model: Model) -> float | None:
    """The coupling² the boson flux is reported per (g_μ² or g_e² or (eε)², the charged-lepton coupling of the
    three-body channel; every declared channel scales with it), or None when two lepton couplings differ
    (not to be confused with :func:`darkbeam.production.channels.production_coupling2`, per source label)."""
    if getattr(model, "lepton_coupling", None) is None:
        return None
    g = {lep: float(model.lepton_coupling(lep)) for lep in ("e", "mu")}
    nonzero = {v for v in g.values() if v > 0}
    return (nonzero.pop() ** 2) if len(nonzero) == 1 else None


def iter_boson_sources(
    model: Model,
    experiment: str = "miniboone",
    mode: str = "neutrino",
    focusing: str | None = None,
    focusing_options: dict | None = None,
    n_mesons: int = 200_000,
    chunk: int = 200_000,
    rng: np.random.Generator | None = None,
    include_neutral: bool = True,
    progress: bool = False,
) -> Iterator[tuple[ParticleSample, np.ndarray, str]]:
    """Yield ``(X sample, parent four-momenta, label)`` chunk by chunk, for every production channel
    the model declares (``model.production``, :mod:`darkbeam.production.channels`).

    X samples are at the parents' decay vertices with lab four-momenta and weights in X per POT
    (production BR included); ``label`` is e.g. "pi+ mu" (parent and charged lepton) or "pi0".
    Channels whose parents decay in flight get focusing and decay in the decay pipe; prompt channels
    (π⁰, η) decay where the meson is made. ``include_neutral=False`` drops the prompt channels.
    """

    channels = [ch for ch in model.production if include_neutral or ch.in_flight]
    if not model.production:
        raise InputError("model", model.name, "a model declaring a meson-decay production channel "
                                              "(this one has none: see `darkbeam list models`)")
    setup = beam_setup(experiment, mode, focusing, focusing_options, n_mesons)
    beam, polarity, foc = setup.beam, setup.polarity, setup.foc
    # channels bound to the beam (e.g. its target material); settings that conflict with it are errors here
    channels = [ch.for_beam(model, beam) for ch in channels]
    rng = rng if rng is not None else np.random.default_rng()
    if beam_source(beam) == "stopped":
        if focusing not in (None, "none") or focusing_options:
            raise InputError("focusing", focusing if focusing_options is None else focusing_options,
                             f"none (beam {beam.name} is a stopped-pion source: no horn focusing)")
        # the beam declares a stopped-pion source: π⁺/K⁺ decay at rest, π⁰/η decay promptly, all at the target
        # (pipeline/stopped_sources.py); the decay-in-flight chain below (and its random stream) is not touched
        yield from iter_stopped_sources(model, beam, channels, n_mesons, chunk, rng, progress)
        return
    # parents in a fixed order (charged in flight, then prompt neutral), each sampled once and offered to
    # every channel that uses it; the order of the random stream is that of the original charged-then-
    # neutral loop, so results are unchanged for the built-in models
    parents: list[str] = []
    for ch in sorted(channels, key=lambda c: not c.in_flight):
        parents.extend(p for p in ch.parents if p not in parents)
    bar = _progress(progress, len(parents) * int(np.ceil(n_mesons / chunk)), "mesons")
    for parent in parents:
        users = [ch for ch in channels if parent in ch.parents]
        if parent == BEAM_PARENT:  # the beam proton itself is the parent (e.g. bremsstrahlung): no meson sampling
            for protons in iter_beam_protons(beam, n_mesons, chunk, rng):
                for ch in users:
                    yield from ch.sample(rng, parent, protons, model)
            continue
        in_flight = users[0].in_flight
        # prompt parents (π0, η, D, D_s) decay before any horn: no wrong-sign drop, no angular window
        skip, theta_max = setup.sampling(parent) if in_flight else (False, None)
        for mesons in iter_mesons(beam, parent, n_mesons, chunk, rng, theta_max=theta_max):
            if bar is not None:
                bar.update(1)
            if skip:
                continue
            if in_flight:
                # the production point travels with each meson (extra column, no random numbers) for
                # event records; in off-target running the mesons are made at the absorber
                mesons.extra["x_production"] = mesons.x.copy()
                res = foc.apply(mesons, polarity)
                decayed, _ = _decay(rng, res.mesons, res.region, beam, foc)
                decayed = res.with_decayed(decayed)  # plus decays inside the focusing system (horn-field)
                if res.region == "absorber" and "x_production" in decayed.extra:
                    decayed.extra["x_production"] = decayed.extra["x_production"] + np.array(
                        [0.0, 0.0, beam.decay_length])
            else:
                # prompt decays (cτ of π0 ~ 25 nm): at the production vertex, or at the absorber in
                # off-target running
                if polarity == 0 and beam.decay_length > 0:
                    mesons.x = mesons.x + np.array([0.0, 0.0, beam.decay_length])
                mesons.extra["x_production"] = mesons.x.copy()
                decayed = mesons
            for ch in users:
                yield from ch.sample(rng, parent, decayed, model)
    if bar is not None:
        bar.close()


def no_flux_reason(model: Model, experiment: str, mode: str, state: str) -> str:
    """Why no ``state`` arrives at ``experiment`` in ``mode``: at a stopped-pion source, the parents the model's
    channels need that the source does not provide (with the source's reason); else the generic reason."""
    beam = BEAMS.get(get_experiment(experiment).beam)
    head = f"no {state} flux reaches {experiment} in {mode} mode"
    if beam_source(beam) == "stopped":
        missing = [r["reason"] for r in stopped_parent_plan(model, beam) if not r["used"]]
        if missing:
            return f"{head}: " + "; ".join(missing)
    # channels the beam closes say why (e.g. no charm below threshold: ``closed`` of production.two_body)
    closed = [c for c in (getattr(ch.for_beam(model, beam), "closed", "") for ch in model.production) if c]
    extra = "".join(f"; {c}" for c in closed)
    return f"{head} (no open production channel, or none points at the detector{extra})"


def arrivals_from_sources(
    xs: ParticleSample, parent_p4: np.ndarray, label: str, mass: float, exp: Experiment,
    rng: np.random.Generator, estimator: str = "forced",
) -> Arrivals:
    """Particles of ``mass`` emitted isotropically by parents ``parent_p4`` at ``xs.x`` (with lab
    momenta ``xs.p4`` when ``estimator == "hits"``) arriving at the detector disc.

    A sample flagged ``xs.extra["own_direction"]`` by its production channel is not emitted isotropically in its
    parent's rest frame (e.g. ALPs from the Primakoff conversion of π⁰ photons,
    :mod:`darkbeam.production.photon_primakoff`): the forced estimator does not apply, and its particles are
    counted where their own momenta take them (the "hits" estimator)."""
    if estimator == "forced" and "own_direction" in xs.extra:
        estimator = "hits"
    if estimator == "forced":
        mass_parent = np.sqrt(np.clip(dot(parent_p4, parent_p4), 0, None))
        e_star = dot(xs.p4, parent_p4) / mass_parent
        e, w, idx, pts = forced_flux(parent_p4, xs.x, xs.w, e_star, mass, exp, rng, return_points=True)
    else:
        u = xs.p4[:, 1:] / np.linalg.norm(xs.p4[:, 1:], axis=1)[:, None]
        idx = np.flatnonzero(hits_disc(xs.x, u, exp))
        e, w = xs.p4[idx, 0], xs.w[idx] / (face_area(exp) / hu.cm2)
        normal = detector_center(exp) / np.linalg.norm(detector_center(exp))  # the disc's plane
        t = ((detector_center(exp) - xs.x[idx]) @ normal) / (u[idx] @ normal)
        pts = xs.x[idx] + t[:, None] * u[idx]
    centre = detector_center(exp)
    d = centre - xs.x[idx]
    r = np.linalg.norm(d, axis=1)
    spin = {f: np.asarray(xs.extra[f])[idx] for f, _ in Arrivals.SPIN if f in xs.extra}
    return Arrivals(e, d / r[:, None], r, w, np.full(len(e), label, dtype="<U8"), xs.x[idx], pts,
                    **parent_fields(xs, parent_p4, idx), **spin)


def parent_fields(xs: ParticleSample, parent_p4: np.ndarray, idx: np.ndarray) -> dict[str, np.ndarray | None]:
    """The optional parent fields of :class:`Arrivals` for the entries ``idx`` of a production sample
    ``xs`` (PDG id and production point from ``xs.extra`` when the channel reports them)."""
    pdg = xs.extra.get("parent_pdg")
    x0 = xs.extra.get("parent_x_production")
    return {"parent_pdg": None if pdg is None else np.asarray(pdg, np.int64)[idx],
            "parent_p4": np.asarray(parent_p4, float)[idx],
            "parent_x0": None if x0 is None else np.asarray(x0, float)[idx]}


def boson_flux(
    model: Model,
    experiment: str = "miniboone",
    mode: str = "neutrino",
    focusing: str | None = None,
    focusing_options: dict | None = None,
    n_mesons: int = 200_000,
    chunk: int = 200_000,
    seed: int = 12345,
    edges_GeV: np.ndarray | None = None,
    include_neutral: bool = True,
    keep_arrivals: bool = True,
    estimator: str = "forced",
    progress: bool = False,
) -> BosonFluxResult:
    """Flux of the model's boson at ``experiment`` per cm² per POT per GeV (before X decays).

    Args:
        model: a model whose ``boson_kind`` is scalar, pseudoscalar or vector.
        experiment, mode, focusing: as for :func:`darkbeam.pipeline.neutrino_flux.neutrino_flux`.
        n_mesons: mesons sampled per parent species. include_neutral: add π0/η → γV for vectors.
        estimator: "forced" (point-flux estimator, default) or "hits" (count the sampled bosons
            whose straight path crosses the detector disc: unbiased but far noisier; used as an
            independent check).
    """
    if estimator not in ("forced", "hits"):
        raise InputError("estimator", estimator, ("forced", "hits"))
    exp = get_experiment(experiment)
    edges = np.asarray(DEFAULT_EDGES_GEV if edges_GeV is None else edges_GeV, float)
    rng = np.random.default_rng(seed)
    m_x = float(model.m_x)
    h = np.zeros(len(edges) - 1)
    h2 = np.zeros(len(edges) - 1)
    by_parent: dict[str, np.ndarray] = {}
    arrivals: list[Arrivals] = []
    for xs, parent_p4, label in iter_boson_sources(model, experiment, mode, focusing, focusing_options,
                                                   n_mesons, chunk, rng, include_neutral, progress):
        arr = arrivals_from_sources(xs, parent_p4, label, m_x, exp, rng, estimator)
        hh, _ = np.histogram(arr.energy / hu.GeV, edges, weights=arr.weight)
        hq, _ = np.histogram(arr.energy / hu.GeV, edges, weights=arr.weight**2)
        h += hh
        h2 += hq
        parent = label.split()[0]
        by_parent[parent] = by_parent.get(parent, 0) + hh
        if keep_arrivals:
            arrivals.append(arr)
    width = np.diff(edges)
    return BosonFluxResult(
        model.name, str(model.boson), edges, h / width, np.sqrt(h2) / width,
        {k: v / width for k, v in by_parent.items()},
        Arrivals.concat(arrivals) if keep_arrivals else None,
        flux_coupling2(model),
    )
