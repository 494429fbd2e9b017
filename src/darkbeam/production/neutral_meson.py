"""Two-body neutral-meson decays π⁰/η → γ V for a vector V coupling e·ε to the electromagnetic current.

BR(P⁰ → γV) = 2 ε² (1 − m_V²/M²)³ BR(P⁰ → γγ)
(Batell, Pospelov, Ritz, PRD 80 (2009) 095024, arXiv:0906.5614, Eq. 4.1). Derivation: the anomaly vertex
ε_{μνρσ}k₁^ρk₂^σ gives Σ_pol|M|² ∝ 2(k₁·k₂)² = (M² − m_V²)²/2 for one massless photon; with the
two-body phase space |p| ∝ (1 − m_V²/M²) and the identical-photon factor 1/2 of γγ this is the ratio above.

For a vector coupled to another quark current (B−L, ...) the model declares the effective ε of the P⁰γV
anomaly vertex, ``model.neutral_meson_mixing(parent)``: the ratio of Σ_q N_c Q_q x_q T_q to Σ_q N_c Q_q² T_q
(x_q the vector's charges, T_q the meson's flavour weights) times g_X/e (Ilten, Soreq, Williams, Xue,
JHEP 06 (2018) 004, "darkcast", Sec. 2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import constants as c
from ..errors import InputError
from ..kinematics.fourvec import two_body_decay
from ..particles import BOSON_PDG
from ..registry import Registry
from ..sample import ParticleSample


@dataclass(frozen=True)
class NeutralMeson:
    name: str
    pdg: int
    mass: float  # MeV
    br_gg: float  # BR(→γγ), PDG 2022


NEUTRAL_MESONS: Registry[NeutralMeson] = Registry("neutral meson")
NEUTRAL_MESONS.add("pi0", NeutralMeson("pi0", 111, c.M_PI0, c.BR_PI0_GG), "π⁰")
NEUTRAL_MESONS.add("eta", NeutralMeson("eta", 221, c.M_ETA, c.BR_ETA_GG), "η")


def _epsilon(model: Any, parent: str) -> tuple[float, float]:
    """(effective ε of the P⁰γV vertex, m_V in MeV) that the model declares."""
    mixing = getattr(model, "neutral_meson_mixing", None)
    if mixing is None:
        raise InputError("model", getattr(model, "name", model), "a model declaring neutral_meson_mixing(parent)")
    return float(mixing(parent)), float(model.m_x)


def neutral_meson_br(parent: str, model: Any) -> float:
    """BR(P⁰ → γ V) = 2ε²(1 − m_V²/M²)³ BR(P⁰→γγ); 0.0 if m_V ≥ M (closed)."""
    mes = NEUTRAL_MESONS.get(parent)
    eps, mv = _epsilon(model, parent)
    if mv >= mes.mass:
        return 0.0
    return 2.0 * eps * eps * (1.0 - (mv / mes.mass) ** 2) ** 3 * mes.br_gg


def sample_neutral_meson(rng: np.random.Generator, parents: ParticleSample, model: Any,
                         n_per_parent: int = 1) -> ParticleSample:
    """Decay π⁰/η parents (pdg 111/221; others skipped) isotropically into γ V; return the V's.

    Weights ``parents.w × BR / n_per_parent``; ``extra`` has ``parent_index``, ``parent_pdg`` and
    ``p4_gamma`` (lab, MeV).
    """
    if not isinstance(n_per_parent, (int, np.integer)) or n_per_parent < 1:
        raise InputError("n_per_parent", n_per_parent, "an integer >= 1")
    mv = float(model.m_x)
    pieces = []
    for name in NEUTRAL_MESONS:
        mes = NEUTRAL_MESONS.get(name)
        idx = np.flatnonzero(parents.pdg == mes.pdg)
        br = neutral_meson_br(name, model)
        if len(idx) == 0 or br <= 0.0:
            continue
        idx = np.repeat(idx, n_per_parent)
        p4 = parents.p4[idx].copy()
        # put the parent on its mass shell (the decay kinematics assume the nominal mass)
        p4[:, 0] = np.sqrt(np.sum(p4[:, 1:] ** 2, axis=1) + mes.mass**2)
        gam, v = two_body_decay(rng, p4, 0.0, mv)
        pieces.append(ParticleSample(np.full(len(idx), BOSON_PDG["vector"]), v, parents.x[idx],
                                     parents.w[idx] * (br / n_per_parent), parents.weight_unit,
                                     {"parent_index": idx, "parent_pdg": parents.pdg[idx], "p4_gamma": gam}))
    if not pieces:
        return ParticleSample.empty(parents.weight_unit)
    return ParticleSample.concat(pieces)
