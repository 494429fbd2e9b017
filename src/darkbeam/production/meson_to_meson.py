"""Two-body meson transitions P → P′ X (e.g. K⁺ → π⁺ S, K⁰_L → π⁰ S) as a production channel.

A model lists :class:`MesonToMesonX` in its ``production``; generic code (the boson flux, ``darkbeam br``, event
files, the stopped-source flow of :mod:`darkbeam.pipeline.stopped_sources`) samples the decays through
:meth:`MesonToMesonX.sample` and never asks for the model's name. The parent is spin 0 and so is the daughter
meson, so the decay is isotropic in the parent rest frame; the X energy there is fixed,
E* = (M² + m_X² − m_P′²)/(2M) (two-body kinematics, PDG RPP "Kinematics" §49.4.2). Works for parents in flight
(lab four-momenta after focusing, at their decay vertices) and at rest (p4 = (M, 0, 0, 0): the stopped sources).

The model supplies the physics through two methods (checked at registration):

* ``meson_transition_coupling(parent)`` → the coupling g the width is proportional to (Γ ∝ g²), e.g. the mixing θ;
* ``meson_transition_width(parent)`` → Γ(P → P′ X) in MeV at the model's parameters (0 when closed).

BR = Γ / Γ_P with Γ_P = ħc / (cτ)_P from the PDG lifetimes in :mod:`darkbeam.constants` (BR ≪ 1 is assumed:
Γ_X is not added to Γ_P). Weights of the X sample are the parents' weights × BR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .. import constants as c
from ..kinematics.fourvec import two_body_decay, two_body_momentum
from ..particles import BOSON_PDG
from ..sample import ParticleSample
from .channels import ProductionChannel, _add_parent_origin

#: parent meson -> (daughter meson, parent pdg, parent mass MeV, daughter mass MeV, parent cτ mm)
TRANSITIONS: dict[str, tuple[str, int, float, float, float]] = {
    "K+": ("pi+", 321, c.M_K, c.M_PI, c.CTAU_K),
    "K-": ("pi-", -321, c.M_K, c.M_PI, c.CTAU_K),
    "K0L": ("pi0", 130, c.M_K0, c.M_PI0, c.CTAU_KL),
}


def parent_width(parent: str) -> float:
    """Total width of the parent meson, MeV: ħc / cτ (PDG lifetimes via darkbeam.constants)."""
    return float(c.HBARC / TRANSITIONS[parent][4])


def two_body_branching_ratio(parent: str, model: Any) -> float:
    """BR(P → P′ X) = Γ(P → P′ X) / Γ_P at the model's parameters (0.0 when the channel is closed)."""
    _, _, m_p, m_d, _ = TRANSITIONS[parent]
    if float(model.m_x) >= m_p - m_d:
        return 0.0
    return float(model.meson_transition_width(parent)) / parent_width(parent)


def x_energy_at_rest(parent: str, m_x: float) -> float:
    """Energy (MeV) of X from P → P′ X at rest: (M² + m_X² − m_P′²)/(2M); nan when closed."""
    _, _, m_p, m_d, _ = TRANSITIONS[parent]
    if m_x >= m_p - m_d:
        return float("nan")
    q = float(two_body_momentum(m_p, m_d, m_x))
    return float(np.sqrt(q * q + m_x * m_x))


@dataclass(frozen=True)
class MesonToMesonX(ProductionChannel):
    """P → P′ X two-body meson transitions (K± → π± X, K⁰_L → π⁰ X), isotropic in the parent frame."""

    parents: tuple[str, ...] = ("K+", "K-", "K0L")
    #: particle id of X in the samples (default: the generic scalar id)
    x_pdg: int = field(default=BOSON_PDG["scalar"])
    in_flight: ClassVar[bool] = True
    requires: ClassVar[tuple[str, ...]] = ("m_x", "meson_transition_coupling", "meson_transition_width")
    kind: ClassVar[str] = "meson two-body P -> P' X"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "daughters": {p: TRANSITIONS[p][0] for p in self.parents}}

    def coupling2(self, model: Any, label: str) -> float | None:
        if str(label) not in self.parents:
            return None
        return float(model.meson_transition_coupling(str(label))) ** 2  # Γ(P → P′X) ∝ g²

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        boson = getattr(model, "boson", None) or "X"
        out = []
        for parent in self.parents:
            daughter, _, m_p, m_d, _ = TRANSITIONS[parent]
            closed = float(model.m_x) >= m_p - m_d
            out.append({"parent": parent, "lepton": None, "channel": f"{daughter} {boson}",
                        "value": "closed" if closed else two_body_branching_ratio(parent, model)})
        return out

    def sample(self, rng, parent, parents, model):
        if parent not in TRANSITIONS:
            return
        _, pdg, m_p, m_d, _ = TRANSITIONS[parent]
        m_x = float(model.m_x)
        br = two_body_branching_ratio(parent, model)
        idx = np.flatnonzero(parents.pdg == pdg)
        if len(idx) == 0 or br <= 0.0:
            return
        p4 = parents.p4[idx].copy()
        # put the parent on its mass shell (the decay kinematics assume the nominal mass)
        p4[:, 0] = np.sqrt(np.sum(p4[:, 1:] ** 2, axis=1) + m_p**2)
        meson, x = two_body_decay(rng, p4, m_d, m_x)
        xs = ParticleSample(np.full(len(idx), self.x_pdg), x, parents.x[idx], parents.w[idx] * br,
                            parents.weight_unit,
                            {"parent_index": idx, "parent_pdg": parents.pdg[idx], "p4_meson": meson})
        _add_parent_origin(xs, parents)
        yield xs, p4, parent


__all__ = ["TRANSITIONS", "MesonToMesonX", "parent_width", "two_body_branching_ratio", "x_energy_at_rest"]
