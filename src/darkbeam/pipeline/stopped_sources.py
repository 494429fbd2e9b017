"""Parents of new bosons at stopped-pion sources (beams declaring ``Beam.source == "stopped"``).

:func:`darkbeam.pipeline.boson_flux.iter_boson_sources` reads the beam's ``source`` declaration
(:class:`darkbeam.detectors.catalog.Beam`) and, for a stopped-pion source, hands the model's declared production
channels to :func:`iter_stopped_sources` instead of the decay-in-flight chain (meson production on the target,
focusing, decay pipe). The parents come from the source layer :mod:`darkbeam.beams.stopped`:

* π⁺ and K⁺ stop in the thick target and decay at rest at the target centre (the origin):
  :func:`~darkbeam.beams.stopped.stopped_mesons`, p4 = (M, 0, 0, 0), weights N(DAR per POT) / n.
  Pions decaying in flight (< 1 % at the SNS, COHERENT arXiv:2109.11049) are neglected, as in the source layer.
* π⁰ and η are made in flight and decay promptly where they are made (the origin):
  :func:`~darkbeam.beams.stopped.sample_neutral_mesons` (Burman–Smith-matched spectrum, docs/stopped_pion.md).
* π⁻ and K⁻ stop and are captured by nuclei before decaying (> 99 % of π⁻ at the SNS, arXiv:2109.11049): a
  channel's π⁻/K⁻ parents give nothing here; K⁰_L is not modelled at these sources.
* A parent with zero yield at the source (η and K⁺ below their production thresholds at the SNS and Lujan) gives
  nothing (the source's ``Yield.reference`` says why).

Each declared channel (:mod:`darkbeam.production.channels`) decays the parents through its own ``sample`` method,
so the production branching ratios, labels ("pi+ mu", "pi0", ...) and coupling re-weighting are those of the
decay-in-flight flow. Weights are per POT (yield × BR); the production vertex is the target centre; every X
carries its parent's decay time in ``extra["t"]`` (ns from the centre of the first proton bunch, from the source's
pulse and the parent's lifetime) and the parent's production point in ``extra["parent_x_production"]``.

Random stream: parents are sampled in chunks of ``chunk`` per species, in the order of the decay-in-flight flow
(charged channels first, then prompt ones), so the same seed gives the same numbers.

Experiments at stopped-pion sources: the source layer takes only sources (a name of
:data:`~darkbeam.beams.stopped_yields.STOPPED_SOURCES` or a ``StoppedSource``) and explicit distances; the
experiment → (source, distance) look-up lives here, one layer up, where the catalog is known:
:func:`experiment_source` returns ``(StoppedSource, distance in mm)`` of a catalog experiment, and
:func:`experiment_neutrino_flux`, :func:`experiment_neutrino_lines`, :func:`experiment_binned_neutrino_flux` are
the source layer's flux functions at the experiment's distance. Equivalent call pattern::

    src, dist = experiment_source("coherent-csi")        # (the "sns" source, its catalog distance in mm)
    flux = binned_neutrino_flux(src, edges, distance=dist)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..beams.stopped import (
    STOPPED_SOURCES,
    StoppedSource,
    binned_neutrino_flux,
    get_source,
    neutrino_flux,
    neutrino_lines,
    sample_neutral_mesons,
    stopped_mesons,
)
from ..detectors.catalog import EXPERIMENTS, get_experiment
from ..errors import InputError
from ..sample import ParticleSample
from .neutrino_flux import _progress

#: values of ``Beam.source``: how a beam makes the parents of new particles
SOURCE_KINDS = ("decay-in-flight", "stopped")


def beam_source(beam: Any) -> str:
    """The beam's ``source`` declaration ("decay-in-flight" when the beam declares none); unknown values raise
    InputError."""
    kind = getattr(beam, "source", "decay-in-flight")
    if kind not in SOURCE_KINDS:
        raise InputError(f"source of beam {getattr(beam, 'name', beam)}", kind, SOURCE_KINDS)
    return kind


@dataclass(frozen=True)
class StoppedParent:
    """How a stopped-pion source provides one parent species.

    Attributes:
        name: parent species (names of :mod:`darkbeam.beams.production`: "pi+", "K+", "pi0", "eta").
        yield_key: key of :attr:`darkbeam.beams.stopped_yields.StoppedSource.yields` (per POT).
        how: "decay at rest" or "prompt decay in flight".
        sampler: ``(rng, source, n) -> ParticleSample`` of n parents, weights yield / n per POT, ``extra["t"]``.
    """

    name: str
    yield_key: str
    how: str
    sampler: Callable[[np.random.Generator, Any, int], ParticleSample]


def _at_rest(species: str) -> Callable[[np.random.Generator, Any, int], ParticleSample]:
    def sample(rng: np.random.Generator, src: Any, n: int) -> ParticleSample:
        return stopped_mesons(rng, src, n, species)

    return sample


def _in_flight(species: str) -> Callable[[np.random.Generator, Any, int], ParticleSample]:
    def sample(rng: np.random.Generator, src: Any, n: int) -> ParticleSample:
        return sample_neutral_mesons(rng, src, n, species)

    return sample


#: parent species a stopped-pion source decays, keyed by parent name (see the module docstring)
STOPPED_PARENTS: dict[str, StoppedParent] = {
    "pi+": StoppedParent("pi+", "pi+_dar", "decay at rest", _at_rest("pi+")),
    "K+": StoppedParent("K+", "K+_dar", "decay at rest", _at_rest("K+")),
    "pi0": StoppedParent("pi0", "pi0", "prompt decay in flight", _in_flight("pi0")),
    "eta": StoppedParent("eta", "eta", "prompt decay in flight", _in_flight("eta")),
}
#: declared parents that do not decay at a stopped-pion source, and why
NOT_DECAYING: dict[str, str] = {
    "pi-": "pi- stop and are captured by nuclei before decaying (> 99 % at the SNS, arXiv:2109.11049)",
    "K-": "K- stop and are captured by nuclei before decaying",
    "K0L": "K0L production is not modelled at stopped-pion sources",
}


def _ordered_parents(channels: list) -> list[str]:
    """Parents of ``channels`` in the order of the decay-in-flight flow (in-flight channels first)."""
    parents: list[str] = []
    for ch in sorted(channels, key=lambda c: not c.in_flight):
        parents.extend(p for p in ch.parents if p not in parents)
    return parents


def stopped_parent_plan(model: Any, beam: Any, include_neutral: bool = True) -> list[dict[str, Any]]:
    """What a stopped-pion source does with each parent the model's channels declare: ``[{"parent", "used",
    "how", "yield_per_pot", "reason"}]`` (``reason`` says why an unused parent gives nothing)."""
    src = get_source(beam.name)
    channels = [ch for ch in model.production if include_neutral or ch.in_flight]
    out = []
    for parent in _ordered_parents(channels):
        if parent not in STOPPED_PARENTS:
            out.append({"parent": parent, "used": False, "how": None, "yield_per_pot": 0.0,
                        "reason": NOT_DECAYING.get(parent, f"{parent} is not provided by stopped-pion sources")})
            continue
        sp = STOPPED_PARENTS[parent]
        y = src.yields[sp.yield_key]
        used = y.value > 0
        out.append({"parent": parent, "used": used, "how": sp.how, "yield_per_pot": y.value,
                    "reason": "" if used else f"no {parent} at the {src.name} source ({y.reference})"})
    return out


def iter_stopped_sources(
    model: Any,
    beam: Any,
    channels: list,
    n_mesons: int,
    chunk: int,
    rng: np.random.Generator,
    progress: bool = False,
) -> Iterator[tuple[ParticleSample, np.ndarray, str]]:
    """Yield ``(X sample, parent four-momenta, label)`` for the declared ``channels`` at the stopped-pion source
    of ``beam`` (see the module docstring): ``n_mesons`` parents per species, in chunks of ``chunk``; X weights
    per POT (yield × BR), X at the parents' decay vertex (the target centre), decay times in ``extra["t"]``."""
    if n_mesons <= 0 or chunk <= 0:
        raise InputError("n_mesons / chunk", (n_mesons, chunk), "positive integers")
    src = get_source(beam.name)
    parents = [p for p in _ordered_parents(channels)
               if p in STOPPED_PARENTS and src.yields[STOPPED_PARENTS[p].yield_key].value > 0]
    bar = _progress(progress, len(parents) * int(np.ceil(n_mesons / chunk)), "stopped-source parents")
    for parent in parents:
        sp = STOPPED_PARENTS[parent]
        users = [ch for ch in channels if parent in ch.parents]
        for start in range(0, n_mesons, chunk):
            k = min(chunk, n_mesons - start)
            mesons = sp.sampler(rng, src, k)
            mesons.w = mesons.w * (k / n_mesons)  # weights yield / k per chunk → yield / n_mesons overall
            mesons.extra["x_production"] = mesons.x.copy()  # made (and decaying) at the target centre
            if bar is not None:
                bar.update(1)
            t = mesons.extra.get("t")
            for ch in users:
                for xs, parent_p4, label in ch.sample(rng, parent, mesons, model):
                    if t is not None and "t" not in xs.extra and "parent_index" in xs.extra:
                        xs.extra["t"] = np.asarray(t)[xs.extra["parent_index"]]
                    yield xs, parent_p4, label
    if bar is not None:
        bar.close()


# ------------------------------------------------------------------------------------------------
# experiments at stopped-pion sources (the catalog look-up the source layer does not do)
# ------------------------------------------------------------------------------------------------


def stopped_experiments() -> list[str]:
    """Names of the catalog experiments whose beam is a registered stopped-pion source."""
    return [name for name in EXPERIMENTS.names() if EXPERIMENTS.get(name).beam in STOPPED_SOURCES]


def experiment_source(experiment: str) -> tuple[StoppedSource, float]:
    """``(source, distance in mm)`` of a catalog ``experiment`` at a stopped-pion source: the
    :class:`~darkbeam.beams.stopped_yields.StoppedSource` of its beam and its catalog distance from the target
    centre (``Experiment.distance``). Unknown experiments, and experiments at a beam that is not a stopped-pion
    source, raise InputError."""
    exp = get_experiment(experiment)
    if exp.beam not in STOPPED_SOURCES:
        raise InputError("experiment at a stopped-pion source", experiment, stopped_experiments())
    return get_source(exp.beam), float(exp.distance)


def experiment_neutrino_flux(experiment: str, species: str, energy: np.ndarray | float) -> np.ndarray:
    """Continuous dΦ/dE (per cm² per POT per MeV) of ``species`` at ``energy`` (MeV) at ``experiment``:
    :func:`darkbeam.beams.stopped.neutrino_flux` at the experiment's source and distance."""
    src, dist = experiment_source(experiment)
    return neutrino_flux(src, species, energy, distance=dist)


def experiment_neutrino_lines(experiment: str) -> list[dict[str, Any]]:
    """Line fluxes (per cm² per POT) at ``experiment``: :func:`darkbeam.beams.stopped.neutrino_lines` at the
    experiment's source and distance."""
    src, dist = experiment_source(experiment)
    return neutrino_lines(src, distance=dist)


def experiment_binned_neutrino_flux(experiment: str, edges: np.ndarray) -> dict[str, np.ndarray]:
    """Bin-averaged flux (per cm² per POT per MeV, bins ``edges`` in MeV, lines added) at ``experiment``:
    :func:`darkbeam.beams.stopped.binned_neutrino_flux` at the experiment's source and distance."""
    src, dist = experiment_source(experiment)
    return binned_neutrino_flux(src, edges, distance=dist)


__all__ = ["NOT_DECAYING", "SOURCE_KINDS", "STOPPED_PARENTS", "StoppedParent", "beam_source",
           "experiment_binned_neutrino_flux", "experiment_neutrino_flux", "experiment_neutrino_lines",
           "experiment_source", "iter_stopped_sources", "stopped_experiments", "stopped_parent_plan"]
