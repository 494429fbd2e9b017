"""Two-body charged-meson decays P± → ℓ± N into a heavy neutral lepton N (P = π, K; ℓ = e, μ).

Width (Shrock, Phys. Rev. D 24 (1981) 1232; in the form of Bondarenko, Boyarsky, Gorbunov, Ruchayskiy,
JHEP 11 (2018) 032, arXiv:1805.08567, Sec. 2.1.1 "Production from light unflavored and strange mesons",
the leptonic-decay branching ratio; docs/portal_hnl.md says why sections, not equation numbers, are
quoted), with y_i = m_i/M_P:

    Γ(P → ℓ N) = G_F² f_P² |V_qq'|² |U_ℓ|² M_P³ / (8π) · [y_N² + y_ℓ² − (y_N² − y_ℓ²)²] · λ^{1/2}(1, y_N², y_ℓ²)

(f_P in the f_π ≈ 130 MeV normalisation, λ the Källén function). Bondarenko et al. write the bracket as
y_N² (1 − y_N² + 2y_ℓ² + (y_ℓ²/y_N²)(1 − y_ℓ²)); the two are equal. For m_N → 0 it is
|U_ℓ|² Γ_SM(P → ℓν) = |U_ℓ|² G_F² V² f² m_ℓ² M (1 − m_ℓ²/M²)² / (8π) (PDG 2022 Eq. 72.1,
:func:`darkbeam.production.three_body.two_body_width`), so

    Γ(P → ℓ N) = |U_ℓ|² Γ_SM(P → ℓν) ρ(y_ℓ, y_N),
    ρ = [y_N² + y_ℓ² − (y_N² − y_ℓ²)²] λ^{1/2}(1, y_N², y_ℓ²) / [y_ℓ² (1 − y_ℓ²)²]

(the helicity-lifting factor ρ, large for electrons: ρ → y_N²/y_e² well above threshold). The formula is
the same for Dirac and Majorana N (P⁺ → ℓ⁺N; for a Dirac N the P⁻ decay makes N̄). BR = Γ/Γ_tot(P) with
Γ_tot from the PDG lifetime; tests/test_hnl.py checks the m_N → 0 limit against ``three_body.two_body_width``
and the whole formula against an explicit Dirac-matrix trace of the amplitude.

Kinematics: N is emitted isotropically in the parent's rest frame (spin-0 parent) with the fixed momentum
λ^{1/2}(M², m_ℓ², m_N²)/(2M), boosted to the lab (:func:`darkbeam.kinematics.fourvec.two_body_decay`);
weights carry the BR. N is polarised (its helicity in the parent frame is fixed by V−A); the decay stage
treats it as unpolarised (docs/portal_hnl.md, "Polarisation").

The channel (:class:`MesonTwoBody`) needs ``m_x`` (the N mass) and ``mixing_squared(lepton)`` (|U_ℓ|²) of
the model. Its charged leptons are listed in ``charged_leptons`` (not ``leptons``), so that the exotic
three-body decay limits of :mod:`darkbeam.inference.constraints` (P → ℓνX) do not treat it as P → ℓνX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError
from ..kinematics.fourvec import kallen, two_body_decay
from ..sample import ParticleSample
from .channels import ProductionChannel, _add_parent_origin
from .matrix_elements import LEPTONS, MESONS, LeptonSpec, MesonSpec
from .three_body import PARENTS
from .three_body import two_body_width as sm_two_body_width


def _meson_lepton(parent: str, lepton: str) -> tuple[MesonSpec, int, LeptonSpec]:
    key, charge = PARENTS.get(str(parent))
    return MESONS.get(key), charge, LEPTONS.get(str(lepton))


def is_closed(meson: MesonSpec, lepton: LeptonSpec, m_n: float) -> bool:
    """True if P → ℓ N is kinematically closed (m_N ≥ M_P − m_ℓ)."""
    return m_n >= meson.mass - lepton.mass


def kinematic_factor(M: float, m_l: float, m_n: float) -> float:
    """[y_N² + y_ℓ² − (y_N² − y_ℓ²)²] λ^{1/2}(1, y_N², y_ℓ²), y = m/M (0 when closed); = y_ℓ²(1 − y_ℓ²)² at m_N = 0."""
    if m_n + m_l >= M:
        return 0.0
    yn2, yl2 = (m_n / M) ** 2, (m_l / M) ** 2
    lam = float(kallen(1.0, yn2, yl2))
    return max(yn2 + yl2 - (yn2 - yl2) ** 2, 0.0) * math.sqrt(max(lam, 0.0))


def helicity_factor(M: float, m_l: float, m_n: float) -> float:
    """ρ = Γ(P → ℓN)/(|U_ℓ|² Γ_SM(P → ℓν)): the kinematic factor over its m_N = 0 value (module docstring)."""
    yl2 = (m_l / M) ** 2
    return kinematic_factor(M, m_l, m_n) / (yl2 * (1.0 - yl2) ** 2)


def unit_width(parent: str, lepton: str, m_n: float) -> float:
    """Γ(P → ℓ N) in MeV at |U_ℓ|² = 1 (module docstring): G_F² f² V² M³/(8π) × kinematic factor."""
    mes, _, lep = _meson_lepton(parent, lepton)
    if not (m_n >= 0.0 and math.isfinite(m_n)):
        raise InputError("HNL mass", m_n, "a finite mass >= 0 MeV")
    # mes.coupling = G_F V f/√2, so G_F² V² f² = 2 C²
    return 2.0 * mes.coupling**2 * mes.mass**3 / (8.0 * math.pi) * kinematic_factor(mes.mass, lep.mass, m_n)


def width(parent: str, lepton: str, m_n: float, u2: float) -> float:
    """Γ(P → ℓ N) in MeV for |U_ℓ|² = ``u2``."""
    return float(u2) * unit_width(parent, lepton, m_n)


def branching_ratio(parent: str, lepton: str, m_n: float, u2: float) -> float:
    """BR(P → ℓ N) = Γ/Γ_tot(P) (PDG lifetime). 0.0 when closed."""
    mes, _, _ = _meson_lepton(parent, lepton)
    return width(parent, lepton, m_n, u2) / mes.total_width


def sm_limit_width(parent: str, lepton: str) -> float:
    """Γ_SM(P → ℓν), MeV (:func:`darkbeam.production.three_body.two_body_width`): the m_N → 0 limit at |U|² = 1."""
    return sm_two_body_width(parent, lepton)


@dataclass(frozen=True)
class MesonTwoBody(ProductionChannel):
    """π±/K± → ℓ± N (two-body, isotropic in the parent frame), rate ∝ |U_ℓ|².

    Parents in flight (decay-in-flight beams) or at rest (stopped sources hand π⁺/K⁺ with p4 = (M, 0, 0, 0):
    every N then has the two-body momentum λ^{1/2}(M², m_ℓ², m_N²)/(2M); tests/test_hnl.py checks it at the
    NuMI absorber). ``in_flight`` is True because the channel also runs in flight (it orders the random stream).
    """

    parents: tuple[str, ...] = ("pi+", "pi-", "K+", "K-")
    charged_leptons: tuple[str, ...] = ("mu", "e")
    in_flight: ClassVar[bool] = True
    requires: ClassVar[tuple[str, ...]] = ("m_x", "mixing_squared")
    kind: ClassVar[str] = "meson two-body P -> l N"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "charged_leptons": list(self.charged_leptons)}

    def coupling2(self, model: Any, label: str) -> float | None:
        parts = str(label).split()
        if len(parts) != 2 or parts[0] not in self.parents or parts[1] not in self.charged_leptons:
            return None
        return float(model.mixing_squared(parts[1]))  # Γ(P → ℓN) ∝ |U_ℓ|²

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        """Rows as for the three-body channel: ``value`` = Γ(P → ℓN)/Γ_tot(P) or "closed"."""
        state = getattr(model, "boson", None) or "N"
        m_n = float(model.m_x)
        out = []
        for parent in self.parents:
            mes, q, _ = _meson_lepton(parent, "mu")
            for lname in self.charged_leptons:
                lep = LEPTONS.get(lname)
                sign = "+" if q > 0 else "-"
                value: float | str = ("closed" if is_closed(mes, lep, m_n)
                                      else branching_ratio(parent, lname, m_n, float(model.mixing_squared(lname))))
                out.append({"parent": parent, "lepton": lname, "channel": f"{lname}{sign} {state}", "value": value})
        return out

    def sample(self, rng, parent, parents, model):
        m_n = float(model.m_x)
        key, _ = PARENTS.get(str(parent))
        mes = MESONS.get(key)
        pdg_n = int(getattr(model, "state_pdg", None) or 0)
        idx_all = np.flatnonzero(np.abs(parents.pdg) == mes.pdg)
        if len(idx_all) == 0:
            return
        for lname in self.charged_leptons:
            lep = LEPTONS.get(lname)
            u2 = float(model.mixing_squared(lname))
            if u2 <= 0.0 or is_closed(mes, lep, m_n):
                continue
            br = branching_ratio(parent, lname, m_n, u2)
            p_l, p_n = two_body_decay(rng, parents.p4[idx_all], lep.mass, m_n)
            charge = np.sign(parents.pdg[idx_all])
            extra = {"parent_index": idx_all, "parent_pdg": parents.pdg[idx_all], "p4_lepton": p_l,
                     "lepton_pdg": -charge * lep.pdg}
            xs = ParticleSample(np.full(len(idx_all), pdg_n), p_n, parents.x[idx_all], parents.w[idx_all] * br,
                                parents.weight_unit, extra)
            _add_parent_origin(xs, parents)
            yield xs, parents.p4[idx_all], f"{parent} {lname}"


__all__ = ["MesonTwoBody", "branching_ratio", "helicity_factor", "is_closed", "kinematic_factor",
           "sm_limit_width", "unit_width", "width"]
