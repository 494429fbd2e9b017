"""Proton bremsstrahlung of a vector boson, p N → p N V, in the Fermi–Weizsäcker–Williams approximation
(Blümlein & Brunner, PLB 731 (2014) 320, arXiv:1311.3870, Eqs. 2–4; the method MiniBooNE-DM's generator BdNMC
uses for the BNB dump, deNiverville et al., PRD 95, 035006 (2017) Sec. III).

The number of V per interacting beam proton, with z = p_V,∥/P_beam and p⊥ the transverse momentum of V:

    d²N/dz dp⊥² = [σ_pp(s′)/σ_pp(s)] |F_1(m_V²)|² w(z, p⊥²),    s = 2 m_p E_p,  s′ = 2 m_p (E_p − E_V),

    w(z, p⊥²) = g²/(8π² H) { [1 + (1 − z)²]/z − 2z(1 − z)[(2m_p² + m_V²)/H − z² 2m_p⁴/H²]
                              + 2z(1 − z)[z² + m_V²/2] m_V²/H² + 2z(1 − z)² m_V⁴/H² },
    H = p⊥² + (1 − z) m_V² + z² m_p²,

where g is the V coupling to the proton's charge (g²/(8π²) = ε²α/(2π) for a dark photon). σ_pp is the PDG
total pp cross-section fit (PDG Review "Plots of cross sections and related quantities", 2014 edition, Eq. 50.x:
σ = Z + B ln²(s/s_M) + Y1 (s_M/s)^η1 − Y2 (s_M/s)^η2, s_M = (2m_p + M)²; Z = 34.41 mb, B = π(ħc)²/M² with
M = 2.1206 GeV, Y1 = 13.07 mb, Y2 = 7.394 mb, η1 = 0.4473, η2 = 0.5486; values recalled, not re-checked against
the table offline: only the RATIO σ(s′)/σ(s) enters, which is within a few % of 1 at BNB energies).
F_1 is the proton's timelike Dirac form factor in vector-meson dominance with ρ, ρ′, ρ″, ω, ω′, ω″
(Faessler, Fuchs, Krivoruchenko, PRC 61, 035206 (2000), as used by Blümlein & Brunner; F_1(0) = Σ f_i = 1 is
checked in the tests), which enhances production near m_V ≈ 770 MeV.

Validity (FWW): E_p, E_V, E_p − E_V ≫ m_p, m_V, p⊥. At the 8.9 GeV BNB the phase space is restricted, as in the
MiniBooNE-DM simulation (BdNMC MiniBooNE card: 0.3 < z < 0.7, p⊥ < 0.2 GeV): :data:`Z_RANGE`, :data:`PT_MAX`.
The rate is per interacting proton: × the beam's interaction probability in the target (≈ 1 for a dump).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import hepunits as hu
import numpy as np

from ..beams import target as _target
from ..beams.beamlines import Beam
from ..constants import M_P
from ..errors import InputError
from ..particles import BOSON_PDG
from ..sample import ParticleSample
from .channels import ProductionChannel

#: the parent name of channels whose parent is the beam proton itself (read by the generic flux code)
BEAM_PARENT = "p"
Z_RANGE = (0.3, 0.7)
PT_MAX = 0.2 * hu.GeV
#: lowest beam energy the FWW approximation is used at (below: the channel is closed, with this reason)
E_BEAM_MIN = 5.0 * hu.GeV

# PDG 2014 total pp cross-section fit (module docstring); energies in GeV, cross-sections in mb
_PP = {"Z": 34.41, "M": 2.1206, "Y1": 13.07, "Y2": 7.394, "eta1": 0.4473, "eta2": 0.5486}
_HBARC2_MB_GEV2 = 0.389379  # (ħc)² in mb GeV²
# VMD fit of the proton Dirac form factor (Faessler et al. PRC 61, 035206): (f_i, m_i [GeV], Γ_i [GeV])
VMD_RESONANCES = (
    (0.616, 0.77, 0.15), (0.223, 1.25, 0.3), (-0.339, 1.45, 0.5),       # ρ, ρ′, ρ″
    (1.011, 0.77, 0.0085), (-0.881, 1.25, 0.3), (0.369, 1.45, 0.5),     # ω, ω′, ω″
)


def sigma_pp_total(s: np.ndarray | float) -> np.ndarray:
    """Total pp cross-section (mb) at Mandelstam s (GeV²), PDG 2014 fit (see the module docstring)."""
    s = np.asarray(s, float)
    sm = (2 * M_P / hu.GeV + _PP["M"]) ** 2
    b = math.pi * _HBARC2_MB_GEV2 / _PP["M"] ** 2
    x = np.maximum(s, 1e-9) / sm
    return _PP["Z"] + b * np.log(x) ** 2 + _PP["Y1"] * x ** (-_PP["eta1"]) - _PP["Y2"] * x ** (-_PP["eta2"])


def proton_f1_timelike(m_v: np.ndarray | float) -> np.ndarray:
    """|F_1(q² = m_V²)| of the proton in the VMD fit (m_V in MeV); 1 at m_V = 0 up to the fit's Σ f_i."""
    q2 = (np.asarray(m_v, float) / hu.GeV) ** 2
    f = sum(fi * mi**2 / (mi**2 - q2 - 1j * mi * gi) for fi, mi, gi in VMD_RESONANCES)
    return np.abs(f)


def splitting_w(z: np.ndarray, pt2: np.ndarray, m_v: float, g: float) -> np.ndarray:
    """Blümlein–Brunner w(z, p⊥²) in 1/MeV² (p⊥² in MeV², m_V in MeV, g the coupling to the proton's charge)."""
    mp2 = M_P * M_P
    mv2 = m_v * m_v
    h = pt2 + (1 - z) * mv2 + z * z * mp2
    br = ((1 + (1 - z) ** 2) / z - 2 * z * (1 - z) * ((2 * mp2 + mv2) / h - z * z * 2 * mp2 * mp2 / (h * h))
          + 2 * z * (1 - z) * (z * z + mv2 / 2) * mv2 / (h * h) + 2 * z * (1 - z) ** 2 * mv2 * mv2 / (h * h))
    return g * g / (8 * math.pi**2 * h) * br


def d2n_dz_dpt2(z: np.ndarray, pt2: np.ndarray, m_v: float, g: float, e_beam: float) -> np.ndarray:
    """d²N/dz dp⊥² (1/MeV²) per interacting proton of energy ``e_beam`` (MeV); 0 where E_V ≥ E_beam."""
    p_beam = math.sqrt(max(e_beam**2 - M_P**2, 0.0))
    e_v = np.sqrt((z * p_beam) ** 2 + pt2 + m_v * m_v)
    s = 2 * M_P * e_beam / hu.GeV**2
    s1 = 2 * M_P * np.clip(e_beam - e_v, 0.0, None) / hu.GeV**2
    ratio = sigma_pp_total(s1) / sigma_pp_total(s)
    val = ratio * proton_f1_timelike(m_v) ** 2 * splitting_w(z, pt2, m_v, g)
    return np.where(e_v < e_beam, val, 0.0)


def vectors_per_proton(m_v: float, g: float, e_beam: float, n: int = 64) -> float:
    """∫ d²N/dz dp⊥² over :data:`Z_RANGE` × [0, PT_MAX²] (Gauss–Legendre in z and p⊥²): V per interacting proton."""
    x, w = np.polynomial.legendre.leggauss(n)
    z = 0.5 * (Z_RANGE[1] - Z_RANGE[0]) * (x + 1) + Z_RANGE[0]
    pt2 = 0.5 * PT_MAX**2 * (x + 1)
    f = d2n_dz_dpt2(z[:, None], pt2[None, :], m_v, g, e_beam)
    return float(0.25 * (Z_RANGE[1] - Z_RANGE[0]) * PT_MAX**2 * (w @ f @ w))


def iter_beam_protons(beam: Beam, n_total: int, chunk: int, rng: np.random.Generator) -> Iterator[ParticleSample]:
    """Beam protons at their (first) interaction vertices in the target, in chunks: weights sum to the
    interaction probability per POT (the parents of channels declaring :data:`BEAM_PARENT`)."""
    p_int = _target.interaction_probability(beam)
    e = math.hypot(beam.proton_momentum, M_P)
    done = 0
    while done < n_total:
        k = min(chunk, n_total - done)
        x = _target.sample_vertices(beam, k, rng)
        p4 = np.tile(np.array([e, 0.0, 0.0, beam.proton_momentum]), (k, 1))
        yield ParticleSample(np.full(k, 2212, np.int64), p4, x, np.full(k, p_int / n_total))
        done += k


@dataclass(frozen=True)
class ProtonBremsstrahlung(ProductionChannel):
    """p N → p N X for a vector X coupling to the proton's charge (FWW, Blümlein & Brunner 2014).

    The coupling is ``model.lepton_coupling("e")`` (the model's coupling to unit electric charge; a kinetically
    mixed dark photon couples to the proton's charge with the same e·ε). The sampler yields X with, as its
    "parent four-momentum", X's own four-momentum: X is not a decay product, so a flux estimator of X itself
    cannot use a parent's rest frame (the sample is flagged ``extra["own_direction"]``: X is counted where its
    momentum takes it); daughters of a prompt X decay (e.g. χ of X → χχ̄) are isotropic in X's frame.
    """

    parents: tuple[str, ...] = (BEAM_PARENT,)
    in_flight: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ("m_x", "lepton_coupling")
    kind: ClassVar[str] = "proton-brem"

    def coupling2(self, model: Any, label: str) -> float | None:
        if str(label) != f"{BEAM_PARENT} brem":
            return None
        return float(model.lepton_coupling("e")) ** 2

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        """Not a decay: no branching ratio (the rate per proton depends on the beam: :func:`vectors_per_proton`)."""
        return [{"parent": BEAM_PARENT, "channel": f"p N -> p N {model.boson} (bremsstrahlung)",
                 "value": "not a decay: rate per proton depends on the beam"}]

    def sample(self, rng: np.random.Generator, parent: str, parents: ParticleSample, model: Any
               ) -> Iterator[tuple[ParticleSample, np.ndarray, str]]:
        if parent != BEAM_PARENT or len(parents) == 0:
            return
        e_beam = float(parents.p4[0, 0])
        if e_beam < E_BEAM_MIN:
            raise InputError("proton bremsstrahlung beam energy", e_beam,
                             f">= {E_BEAM_MIN:g} MeV (FWW approximation; closed at lower energies)")
        m_v, g = float(model.m_x), float(model.lepton_coupling("e"))
        n = len(parents)
        z = rng.uniform(*Z_RANGE, n)
        pt2 = rng.uniform(0.0, PT_MAX**2, n)
        w = parents.w * d2n_dz_dpt2(z, pt2, m_v, g, e_beam) * (Z_RANGE[1] - Z_RANGE[0]) * PT_MAX**2
        p_beam = float(parents.p4[0, 3])
        phi = rng.uniform(0.0, 2 * np.pi, n)
        pt = np.sqrt(pt2)
        p4 = np.column_stack([np.sqrt((z * p_beam) ** 2 + pt2 + m_v * m_v), pt * np.cos(phi), pt * np.sin(phi),
                              z * p_beam])
        keep = w > 0
        xs = ParticleSample(np.full(int(keep.sum()), BOSON_PDG["vector"], np.int64), p4[keep], parents.x[keep].copy(),
                            w[keep])
        # event records: the "parent" of a brem X is X itself (the four-momentum yielded below), made at the
        # proton's interaction vertex
        xs.extra["parent_pdg"] = xs.pdg.copy()
        xs.extra["parent_x_production"] = parents.x[keep].copy()
        # X itself is not emitted isotropically in a parent's frame: flux code counting X (not its decay products)
        # follows X's own momentum (the "hits" estimator of pipeline/boson_flux.arrivals_from_sources)
        xs.extra["own_direction"] = np.ones(int(keep.sum()), dtype=bool)
        yield xs, xs.p4.copy(), f"{BEAM_PARENT} brem"


__all__ = ["BEAM_PARENT", "PT_MAX", "VMD_RESONANCES", "Z_RANGE", "ProtonBremsstrahlung", "d2n_dz_dpt2",
           "iter_beam_protons", "proton_f1_timelike", "sigma_pp_total", "splitting_w", "vectors_per_proton"]
