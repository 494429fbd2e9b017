"""Two-body charged-meson decays P± → ℓ± N into a heavy neutral lepton N (P = π, K, D, D_s; ℓ = e, μ, τ).

The charm mesons D±, D_s± (:class:`PromptMesonTwoBody`, decaying where they are made at the 120 GeV targets,
darkbeam.beams.charm) use the same width with f_D = 212.0 MeV, f_Ds = 249.9 MeV (FLAG 2021 as quoted by PDG
2022), |V_cd| = 0.221, |V_cs| = 0.975 (PDG 2022), all in darkbeam.constants / ``matrix_elements.MESONS``
(B2018 Sec. 2.1 applies the formula below to every charged pseudoscalar, charm included); τ channels open only
for D_s⁺ → τ⁺N (m_N < 191 MeV) and D⁺ → τ⁺N (m_N < 93 MeV). tests/test_charm.py checks the SM limit against
the measured BR(D_s⁺ → μ⁺ν), BR(D⁺ → μ⁺ν), BR(D_s⁺ → τ⁺ν) (PDG 2022).

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
weights carry the BR.

Polarisation (derived here from the amplitude M ∝ p_P^μ ū_N γ_μ(1−γ⁵) v_ℓ with the spin projector
u ū = (p̸ + m_N)(1 + γ⁵s̸)/2; tests/test_hnl_polarisation.py checks it against that explicit trace): N is
emitted in a definite helicity mixture, with helicity polarisation along its momentum in the parent rest frame

    P(P⁺ → ℓ⁺N) = −(m_ℓ² − m_N²) λ^{1/2}(M², m_ℓ², m_N²) / [M²(m_ℓ² + m_N²) − (m_ℓ² − m_N²)²],

the denominator being M⁴ × the bracket of the width. Limits: P → −1 for m_N → 0 (a left-handed neutrino),
P = 0 at m_N = m_ℓ, P → +1 for m_ℓ → 0 (then the ℓ⁺ is right-handed and the spin-0 parent forces equal
helicities). CP gives P(P⁻ → ℓ⁻N̄) = −P(P⁺ → ℓ⁺N); for a Majorana N the P⁻ decay makes the same N with that
helicity. (Shrock, PRD 24 (1981) 1232, is the original calculation of P → ℓN with a massive neutrino; the same
polarisation is written out in public derivations, e.g. blog.zhaose.cyou "HNL polarization in decays"; the
papers' own equations were not read here.) ``MesonTwoBody.sample`` reports it per particle in ``extra["polarisation"]``,
with ``extra["cp_conjugate"]`` True for the P⁻ decays (N̄ for a Dirac N), the generic columns that the
decay-in-volume process reads (docs/portal_hnl.md, "Polarisation").

The channel (:class:`MesonTwoBody`) needs ``m_x`` (the N mass) and ``mixing_squared(lepton)`` (|U_ℓ|²) of
the model. Its charged leptons are listed in ``charged_leptons`` (not ``leptons``), so that the exotic
three-body decay limits of :mod:`darkbeam.inference.constraints` (P → ℓνX) do not treat it as P → ℓνX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..beams.charm import charm_closed_reason
from ..constants import M_TAU
from ..errors import InputError
from ..kinematics.fourvec import kallen, two_body_decay
from ..registry import Registry
from ..sample import ParticleSample
from .channels import ProductionChannel, _add_parent_origin
from .matrix_elements import LEPTONS, MESONS, LeptonSpec, MesonSpec
from .three_body import PARENTS
from .three_body import two_body_width as sm_two_body_width

#: parents of P → ℓN beyond the π±/K± of ``three_body.PARENTS`` (which also make P → ℓνX): name -> (MESONS key,
#: charge). The charm mesons are made by darkbeam.beams.charm; their data (mass, f, CKM, cτ) are in ``MESONS``.
CHARM_PARENTS: Registry[tuple[str, int]] = Registry("two-body parent")
CHARM_PARENTS.add("D+", ("D", +1), "D⁺ (cd̄): f_D, |V_cd|")
CHARM_PARENTS.add("D-", ("D", -1), "D⁻")
CHARM_PARENTS.add("Ds+", ("Ds", +1), "D_s⁺ (cs̄): f_Ds, |V_cs|")
CHARM_PARENTS.add("Ds-", ("Ds", -1), "D_s⁻")


def _parent(parent: str) -> tuple[str, int]:
    """(MESONS key, charge) of a parent name: π±/K± (three_body.PARENTS) or D±/D_s± (:data:`CHARM_PARENTS`)."""
    name = str(parent)
    return CHARM_PARENTS.get(name) if name in CHARM_PARENTS else PARENTS.get(name)


#: charged leptons of P → ℓN beyond the e, μ of ``matrix_elements.LEPTONS`` (the leptons of the three-body code):
#: the τ, open in D_s⁺ → τ⁺N (m_N < 191 MeV) and D⁺ → τ⁺N (m_N < 93 MeV) only
EXTRA_LEPTONS: Registry[LeptonSpec] = Registry("two-body lepton")
EXTRA_LEPTONS.add("tau", LeptonSpec("tau", M_TAU, 15, 16), "τ")


def _lepton(lepton: str) -> LeptonSpec:
    name = str(lepton)
    return EXTRA_LEPTONS.get(name) if name in EXTRA_LEPTONS else LEPTONS.get(name)


def _meson_lepton(parent: str, lepton: str) -> tuple[MesonSpec, int, LeptonSpec]:
    key, charge = _parent(parent)
    return MESONS.get(key), charge, _lepton(lepton)


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


def helicity_polarisation(M: float, m_l: float, m_n: float, charge: int = 1) -> float:
    """Helicity polarisation of N from P⁺ → ℓ⁺N along its momentum in the P rest frame (masses in MeV;
    module docstring): −(m_ℓ² − m_N²) λ^{1/2}(M², m_ℓ², m_N²)/[M²(m_ℓ² + m_N²) − (m_ℓ² − m_N²)²], in [−1, 1]
    (0 when closed). ``charge`` < 0 (P⁻ → ℓ⁻N̄ for a Dirac N, ℓ⁻N for a Majorana N): the opposite sign."""
    if m_n + m_l >= M:
        return 0.0
    a, b = m_l * m_l, m_n * m_n
    den = M * M * (a + b) - (a - b) ** 2
    lam = float(kallen(M * M, a, b))
    pol = float(np.clip(-(a - b) * math.sqrt(max(lam, 0.0)) / den, -1.0, 1.0)) if den > 0 else 0.0
    return -pol if charge < 0 else pol


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
    """Γ_SM(P → ℓν), MeV (:func:`darkbeam.production.three_body.two_body_width`): the m_N → 0 limit at |U|² = 1.
    For the τ, which the three-body code does not know, the same PDG 2022 Eq. 72.1 is written out here:
    G_F² V² f² m_τ² M (1 − m_τ²/M²)²/(8π) = 2C² m_τ² M (1 − m_τ²/M²)²/(8π) with C = G_F V f/√2."""
    if str(lepton) in EXTRA_LEPTONS:
        mes, _, lep = _meson_lepton(parent, lepton)
        return 2.0 * mes.coupling**2 * lep.mass**2 * mes.mass * (1.0 - (lep.mass / mes.mass) ** 2) ** 2 / (8.0 * math.pi)
    return sm_two_body_width(_parent(parent)[0], lepton)


@dataclass(frozen=True)
class MesonTwoBody(ProductionChannel):
    """π±/K± → ℓ± N (two-body, isotropic in the parent frame, N polarised along its momentum there), rate ∝ |U_ℓ|².

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
                lep = _lepton(lname)
                sign = "+" if q > 0 else "-"
                value: float | str = ("closed" if is_closed(mes, lep, m_n)
                                      else branching_ratio(parent, lname, m_n, float(model.mixing_squared(lname))))
                out.append({"parent": parent, "lepton": lname, "channel": f"{lname}{sign} {state}", "value": value})
        return out

    def sample(self, rng, parent, parents, model):
        m_n = float(model.m_x)
        key, _ = _parent(parent)
        mes = MESONS.get(key)
        pdg_n = int(getattr(model, "state_pdg", None) or 0)
        idx_all = np.flatnonzero(np.abs(parents.pdg) == mes.pdg)
        if len(idx_all) == 0:
            return
        for lname in self.charged_leptons:
            lep = _lepton(lname)
            u2 = float(model.mixing_squared(lname))
            if u2 <= 0.0 or is_closed(mes, lep, m_n):
                continue
            br = branching_ratio(parent, lname, m_n, u2)
            p_l, p_n = two_body_decay(rng, parents.p4[idx_all], lep.mass, m_n)
            charge = np.sign(parents.pdg[idx_all])
            # helicity polarisation along N's momentum in the parent frame (P⁻: the CP conjugate, opposite sign)
            pol = charge * helicity_polarisation(mes.mass, lep.mass, m_n)
            extra = {"parent_index": idx_all, "parent_pdg": parents.pdg[idx_all], "p4_lepton": p_l,
                     "lepton_pdg": -charge * lep.pdg, "polarisation": pol, "cp_conjugate": charge < 0}
            xs = ParticleSample(np.full(len(idx_all), pdg_n), p_n, parents.x[idx_all], parents.w[idx_all] * br,
                                parents.weight_unit, extra)
            _add_parent_origin(xs, parents)
            yield xs, parents.p4[idx_all], f"{parent} {lname}"


@dataclass(frozen=True)
class PromptMesonTwoBody(MesonTwoBody):
    """D±, D_s± → ℓ± N (ℓ = μ, e, τ; same width, kinematics and polarisation as :class:`MesonTwoBody`), the parents
    decaying where they are made: cτ = 0.310 mm (D⁺) and 0.150 mm (D_s⁺), so γcτ is a few mm inside the target and
    no horn acts on them (``in_flight`` False: the flux code decays them at their production vertex, unfocused).
    Parents come from darkbeam.beams.charm (120 GeV beams). On a beam that makes no charm (the 8.89 GeV/c BNB is
    below threshold, stopped sources make none) :meth:`for_beam` returns the channel closed: no parents, and the
    reason in ``closed`` (and in ``describe()``)."""

    parents: tuple[str, ...] = ("D+", "D-", "Ds+", "Ds-")
    charged_leptons: tuple[str, ...] = ("mu", "e", "tau")
    closed: str = ""
    in_flight: ClassVar[bool] = False
    kind: ClassVar[str] = "prompt meson two-body D(s) -> l N"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), **({"closed": self.closed} if self.closed else {})}

    def for_beam(self, model: Any, beam: Any) -> ProductionChannel:
        why = charm_closed_reason(beam)
        return self if why is None else replace(self, parents=(), closed=why)


__all__ = ["CHARM_PARENTS", "EXTRA_LEPTONS", "MesonTwoBody", "PromptMesonTwoBody", "branching_ratio", "helicity_factor",
           "helicity_polarisation", "is_closed", "kinematic_factor", "sm_limit_width", "unit_width", "width"]
