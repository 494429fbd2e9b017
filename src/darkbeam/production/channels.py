"""Production channels a model declares: what makes its new boson X in a beam.

A model lists instances of these classes in its ``production`` attribute; generic code (the boson
flux, ``darkbeam br``, event files) loops over them and never asks for a model's name. Each channel
states which parent mesons it uses, whether the parent must decay in flight (charged π/K, after
focusing, in the decay pipe) or decays promptly where it is made (π⁰, η), the model methods it needs
(checked when a model is registered), its branching ratios and a sampler.

* :class:`MesonThreeBody` — π±/K± → ℓ± ν X (X scalar, pseudoscalar or vector;
  :mod:`darkbeam.production.three_body`). Needs ``m_x``, ``boson_kind``, ``lepton_coupling(lepton)``
  and, for vectors, ``three_body_amplitude()`` (a registered amplitude name, or the tuple of vector
  charges (q_ℓ, q_ν, q_P) of :func:`darkbeam.production.matrix_elements.me2`).
* :class:`NeutralMesonToGammaX` — π⁰/η → γ X for a vector X (:mod:`darkbeam.production.neutral_meson`).
  Needs ``m_x`` and ``neutral_meson_mixing(parent)`` (the effective ε of the P⁰γX vertex relative to e).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..sample import ParticleSample
from . import neutral_meson, three_body


@dataclass(frozen=True)
class ProductionChannel:
    """Base of production declarations."""

    #: parent species (names of :mod:`darkbeam.beams.production`)
    parents: tuple[str, ...] = ()
    #: True: the parent decays in flight after focusing (charged mesons); False: prompt decay at birth
    in_flight: ClassVar[bool] = True
    #: model attributes/methods the channel uses (checked at registration)
    requires: ClassVar[tuple[str, ...]] = ()
    #: short name used in listings
    kind: ClassVar[str] = ""

    def describe(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"kind": self.kind, "parents": list(self.parents), "in_flight": self.in_flight}

    def for_beam(self, model: Any, beam: Any) -> ProductionChannel:
        """The channel as it runs on ``beam`` (called by the flux code before any sampling): a channel that needs
        the beam (e.g. its target material) returns a bound copy, and raises InputError if the model's settings
        conflict with the beam. Default: the channel itself."""
        return self

    def coupling2(self, model: Any, label: str) -> float | None:  # pragma: no cover - interface
        """The coupling² the channel's rate for source ``label`` is proportional to at ``model`` (None:
        not a label of this channel). Dividing it out makes a flux re-weightable in the couplings."""
        raise NotImplementedError

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:  # pragma: no cover - interface
        """``[{"parent", "channel", "value": float | "closed"}]`` at the model's parameters."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, parent: str, parents: ParticleSample, model: Any
               ) -> Iterator[tuple[ParticleSample, np.ndarray, str]]:  # pragma: no cover - interface
        """Decay ``parents`` (all of species ``parent``; at their decay vertices, lab four-momenta in MeV)
        and yield ``(X sample at the decay vertices, parent four-momenta, source label)``; weights carry
        the branching ratio. Optional ``extra`` columns of the X sample used by event records:
        ``parent_pdg`` and ``parent_x_production`` (the parent's production point, mm). Optional spin columns,
        read by the decay-in-volume process when the decay channel declares an angular asymmetry
        (:attr:`darkbeam.declarations.Decays.asymmetry`): ``polarisation`` (helicity polarisation of X along
        its momentum in the parent rest frame, in [−1, 1]) and ``cp_conjugate`` (True where the channel
        emits the CP conjugate of the state the model's ``decays()`` describe, e.g. N̄ from P⁻ → ℓ⁻N̄);
        a channel without them makes unpolarised X."""
        raise NotImplementedError


@dataclass(frozen=True)
class MesonThreeBody(ProductionChannel):
    """π±/K± → ℓ± ν X in flight (three-body, Dalitz-sampled |M|²)."""

    parents: tuple[str, ...] = ("pi+", "pi-", "K+", "K-")
    leptons: tuple[str, ...] = ("mu", "e")
    in_flight: ClassVar[bool] = True
    requires: ClassVar[tuple[str, ...]] = ("m_x", "boson_kind", "lepton_coupling", "three_body_amplitude")
    kind: ClassVar[str] = "meson three-body P -> l nu X"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "leptons": list(self.leptons)}

    def coupling2(self, model: Any, label: str) -> float | None:
        parts = str(label).split()
        if len(parts) != 2 or parts[0] not in self.parents or parts[1] not in self.leptons:
            return None
        return float(model.lepton_coupling(parts[1])) ** 2  # Γ(P → ℓνX) ∝ g_ℓ² (unit_width at g = 1)

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        return [r for r in three_body.model_branching_ratios(model)
                if r["parent"] in self.parents and r["lepton"] in self.leptons]

    def sample(self, rng, parent, parents, model):
        for lepton in self.leptons:
            xs = three_body.sample_three_body(rng, parents, lepton, model, with_leptons=False)
            if len(xs):
                _add_parent_origin(xs, parents)
                yield xs, parents.p4[xs.extra["parent_index"]], f"{parent} {lepton}"


@dataclass(frozen=True)
class NeutralMesonToGammaX(ProductionChannel):
    """π⁰/η → γ X, prompt (two-body, isotropic)."""

    parents: tuple[str, ...] = ("pi0", "eta")
    in_flight: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ("m_x", "neutral_meson_mixing")
    kind: ClassVar[str] = "neutral meson P0 -> gamma X"

    def coupling2(self, model: Any, label: str) -> float | None:
        if str(label) not in self.parents:
            return None
        return float(model.neutral_meson_mixing(str(label))) ** 2  # BR(P⁰ → γX) ∝ ε_eff²

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        boson = getattr(model, "boson", None) or "X"
        out = []
        for parent in self.parents:
            mes = neutral_meson.NEUTRAL_MESONS.get(parent)
            closed = float(model.m_x) >= mes.mass
            out.append({"parent": parent, "lepton": None, "channel": f"gamma {boson}",
                        "value": "closed" if closed else neutral_meson.neutral_meson_br(parent, model)})
        return out

    def sample(self, rng, parent, parents, model):
        mes = neutral_meson.NEUTRAL_MESONS.get(parent)
        on_shell = parents.p4.copy()
        on_shell[:, 0] = np.sqrt(np.sum(on_shell[:, 1:] ** 2, axis=1) + mes.mass**2)
        xs = neutral_meson.sample_neutral_meson(rng, parents, model)
        if len(xs):
            _add_parent_origin(xs, parents)
            yield xs, on_shell[xs.extra["parent_index"]], mes.name


def _add_parent_origin(xs: ParticleSample, parents: ParticleSample) -> None:
    """Extra information for event records (no random numbers): the parent's production point
    ``parent_x_production`` (mm) when the parents carry it (``extra["x_production"]``, set by
    :func:`darkbeam.pipeline.boson_flux.iter_boson_sources`). ``parent_pdg`` is already there."""
    x0 = parents.extra.get("x_production")
    if x0 is not None:
        xs.extra["parent_x_production"] = np.asarray(x0)[xs.extra["parent_index"]]


def production_coupling2(model: Any, labels: np.ndarray) -> np.ndarray:
    """Coupling² of each source label's production channel (0 for a label no channel declares)."""
    out = np.zeros(len(labels))
    for i, lab in enumerate(labels):  # one entry per distinct label (a handful), not per particle
        for ch in model.production:
            c2 = ch.coupling2(model, str(lab))
            if c2 is not None:
                out[i] = c2
                break
    return out


__all__ = ["MesonThreeBody", "NeutralMesonToGammaX", "ProductionChannel", "production_coupling2"]
