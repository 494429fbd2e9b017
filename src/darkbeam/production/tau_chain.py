"""Heavy neutral leptons from τ decays: D±, D_s± → τ±ν_τ, then τ → N X (the |U_τ4|² channels at the 120 GeV beams).

Chain (:class:`TauChain`), both steps prompt:

* **D → τν** where the D is made (darkbeam.beams.charm, NuMI/LBNF only; cτ(D⁺) = 0.310 mm, cτ(D_s) = 0.150 mm), with
  BR(D → τν) = Γ_SM(D → τν)/Γ_tot(D) from the leptonic-width formula of :mod:`darkbeam.production.two_body`
  (``sm_limit_width``, tree level: 5.21 % for D_s⁺ against PDG 2022 5.32 ± 0.11 %, tests/test_charm.py; 0.104 % for
  D⁺). Two-body, isotropic in the D rest frame (spin 0).
* **τ → N X where the τ is made**: cτ(τ) = 87.0 μm (PDG), so γcτ ≲ 5 mm for the τ of 120 GeV charm, against
  baselines of hundreds of metres; the N starts at the D's production vertex. Channels (widths of one N, the same for
  Dirac and Majorana N: production does not depend on the nature; Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, JHEP 11
  (2018) 032, arXiv:1805.08567, "B2018", Sec. 2.2 "Production from τ"; sections cited, as in docs/portal_hnl.md),
  y_i = m_i/m_τ:

  - τ⁻ → N h⁻, h = π, K (pseudoscalar, decay constant f_h, CKM V_h), ∝ |U_τ|²:
        Γ = G_F² f_h² |V_h|² m_τ³/(16π) [(1 − y_N²)² − y_h²(1 + y_N²)] λ^{1/2}(1, y_N², y_h²)
  - τ⁻ → N h⁻, h = ρ, K* (vector, ⟨0|q̄γ^μq′|h⟩ = g_h ε^μ), ∝ |U_τ|²:
        Γ = G_F² g_h² |V_h|² m_τ³/(16π m_h²) [(1 − y_N²)² + y_h²(1 + y_N²) − 2y_h⁴] λ^{1/2}(1, y_N², y_h²)
    (the N → ℓ⁻h⁺ formulas of B2018 Sec. 3.2.1 with the parent and the daughter fermion exchanged: the spin-summed
    |M|² of a V−A current is symmetric in the two fermion momenta, and the mass terms drop).
    f_π = 130.2, f_K = 155.7 MeV, g_ρ = 0.162 GeV² (B2018's table), g_K* from BR(τ → K*ν) = 1.20 % (PDG 2022), the
    same values as the N decays (darkbeam.constants; :data:`G_KSTAR` is derived here as ``models.hnl.G_KSTAR``).
  - τ⁻ → N ℓ⁻ ν̄_ℓ (ℓ = e, μ; the τ line turns into N, W⁻ → ℓ⁻ν̄_ℓ), ∝ |U_τ|², and
  - τ⁻ → ν_τ ℓ⁻ N̄ (the ν̄_ℓ of W⁻ → ℓ⁻ν̄_ℓ is N̄ through U_ℓ; a Majorana N: N), ∝ |U_ℓ|²  (B2018 Sec. 2.2).
    Spin-averaged |M|² = 64 G_F² |U|² (p_τ·p_ā)(p_b·p_c), ā the antifermion of the W pair, b the fermion on the τ
    line, c the W's fermion (the muon-decay matrix element; V−A, so the masses enter only through the kinematics;
    the W propagator's q²/M_W² terms are dropped). With s the invariant mass² of the pair that does not contain ā
    (first channel: s = (p_N + p_ℓ)²; second: s = (p_ντ + p_ℓ)²) |M|² depends on s only:
        τ → N ℓ ν̄:  |M|² = 16 G_F² (m_τ² − s)(s − m_N² − m_ℓ²)
        τ → ν ℓ N̄:  |M|² = 16 G_F² (m_τ² − s + m_N²)(s − m_ℓ²)
    and Γ = 1/(2m_τ) ∫ ds/(2π) Φ₂(τ → Q ā) Φ₂(Q → b c) |M|² with Φ₂(M → 1 2) = λ^{1/2}(M², m₁², m₂²)/(8πM²)
    (:func:`three_body_width`; = G_F² m_τ⁵/(192π³) when every daughter is massless). tests/test_hnl_tau.py checks it
    against an independent 2-D integral over the Dalitz plot in other invariants (PDG RPP Eq. 49.22), against the
    N → ℓℓν function I of B2018 Sec. 3.1.1 (``models.hnl.cc_phase_space``) and, at m_N → 0, against the SM τ widths.
  Not modelled: multi-hadron final states (τ → N ππ off the ρ, N 3π (a₁), ...): at m_N → 0 the exclusive π, K, ρ, K*
  channels give 38 % of the SM τ width against 65 % for all hadrons, so BR(τ → N hadrons) is underestimated for a
  light N; the missing states are heavy (≥ 3π, ≳ 0.9 GeV for a₁ in practice), so the deficit shrinks with m_N.

Kinematics (vectorised): D → τν isotropic in the D frame; τ → N h isotropic in the τ frame; τ → three bodies from
|M|² (exact, unpolarised τ): s drawn from dΓ/ds (inverse of its cumulative on a grid), then τ → Q ā and Q → b c
isotropic in their frames (|M|² is constant at fixed s, so these angles are flat). **The τ polarisation is NOT
applied**: the τ⁻ of D_s⁻ → τ⁻ν̄ has helicity +½ in the D_s frame (V−A; the ν̄ is right-handed and the spin-0 parent
forces equal helicities), so τ → Nπ has an angular asymmetry in the τ frame that is ignored here (the N count does not
depend on it; the lab N spectrum does, little: the spin axis, the τ direction in the D frame, is isotropic, so the N
direction in the D frame stays isotropic and only its energy there moves, the mean by β_τ p*_N αP/3 ≤ β_τ/3 = 3.4 %
for D_s (p_τ = 182 MeV), 1.7 % for D⁺; docs/make_hnl_tau.py). Isotropic emission in the τ frame is what the point-flux estimator assumes
(the τ four-momentum is the parent of each sample). The N's own helicity from τ decays is not computed either: these
N are unpolarised (``polarisation`` 0; only the Dirac N → ℓπ asymmetry reads it). Charges: τ⁻ → N h⁻, N ℓ⁻ν̄ give N,
τ⁻ → ν_τ ℓ⁻ N̄ gives N̄ (``cp_conjugate`` for a Dirac N); τ⁺ the conjugates. D_s⁺ → τ⁺ν, D_s⁻ → τ⁻ν̄.

Random numbers: the chain draws from a side stream seeded from a hash of the generator's state
(:func:`darkbeam.numerics.side_stream`, the one the decay-in-volume process uses), so the other channels' samples are
bit-identical with and without it.

Labels and re-weighting: one label per mixing, ``"<D> t/t"`` (every |U_τ|² channel, one channel drawn per event with
probability ∝ its width, weight × Σ BR), ``"<D> t/e"`` and ``"<D> t/mu"`` (τ → ν_τ ℓ N̄, ∝ |U_e|², |U_μ|²), so
``coupling2`` is exact. A mixing that is exactly 0 closes its label (as for ``MesonTwoBody``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from ..beams.charm import charm_closed_reason
from ..constants import (
    BR_TAU_KSTAR_NU,
    CTAU_TAU,
    F_K,
    F_PI,
    G_F,
    G_RHO,
    HBARC,
    M_E,
    M_K,
    M_KSTAR,
    M_MU,
    M_PI,
    M_RHO,
    M_TAU,
    V_UD,
    V_US,
)
from ..kinematics.fourvec import kallen, two_body_decay
from ..numerics import side_stream
from ..sample import ParticleSample
from .channels import ProductionChannel, _add_parent_origin
from .matrix_elements import MESONS
from .two_body import CHARM_PARENTS
from .two_body import branching_ratio as two_body_br

#: Γ_tot(τ) in MeV from the PDG lifetime (cτ = 87.03 μm)
GAMMA_TAU = HBARC / CTAU_TAU
TAU_PDG = 15
LEPTON_MASS = {"e": M_E, "mu": M_MU}


def pseudoscalar_width(m_n: float, m_h: float, f: float, v_ckm: float) -> float:
    """Γ(τ⁻ → N h⁻) at |U_τ|² = 1, pseudoscalar h (f, m_h in MeV), MeV (B2018 Sec. 2.2; module docstring). 0 when
    closed; at m_N = 0 it is Γ_SM(τ → ν h)."""
    if m_n + m_h >= M_TAU:
        return 0.0
    yn2, yh2 = (m_n / M_TAU) ** 2, (m_h / M_TAU) ** 2
    shape = ((1.0 - yn2) ** 2 - yh2 * (1.0 + yn2)) * math.sqrt(max(float(kallen(1.0, yn2, yh2)), 0.0))
    return G_F**2 * f**2 * v_ckm**2 * M_TAU**3 / (16.0 * math.pi) * max(shape, 0.0)


def vector_width(m_n: float, m_h: float, g: float, v_ckm: float) -> float:
    """Γ(τ⁻ → N h⁻) at |U_τ|² = 1, vector h (g in MeV², m_h in MeV), MeV (B2018 Sec. 2.2; module docstring)."""
    if m_n + m_h >= M_TAU:
        return 0.0
    yn2, yh2 = (m_n / M_TAU) ** 2, (m_h / M_TAU) ** 2
    shape = ((1.0 - yn2) ** 2 + yh2 * (1.0 + yn2) - 2.0 * yh2**2) * math.sqrt(max(float(kallen(1.0, yn2, yh2)), 0.0))
    return G_F**2 * g**2 * v_ckm**2 * M_TAU**3 / (16.0 * math.pi * m_h**2) * max(shape, 0.0)


#: g_K* (MeV²) from BR(τ⁻ → K*⁻ν_τ) = 1.20 % (PDG 2022) with the vector width at m_N = 0 (as models.hnl.G_KSTAR)
G_KSTAR = math.sqrt(BR_TAU_KSTAR_NU * GAMMA_TAU / vector_width(0.0, M_KSTAR, 1.0, V_US))

#: two-body channels τ⁻ → N h⁻: name -> (kind, m_h, f or g, CKM)
TWO_BODY = {"N pi": ("P", M_PI, F_PI, V_UD), "N K": ("P", M_K, F_K, V_US),
            "N rho": ("V", M_RHO, G_RHO, V_UD), "N K*": ("V", M_KSTAR, G_KSTAR, V_US)}
#: three-body channels: name -> (mixing the width is ∝ to, charged lepton, N in the pair with ℓ (True) or alone)
THREE_BODY = {"N e nu": ("tau", "e", True), "N mu nu": ("tau", "mu", True),
              "nu e N": ("e", "e", False), "nu mu N": ("mu", "mu", False)}
#: channel -> the mixing its width is proportional to
MIXING = {**dict.fromkeys(TWO_BODY, "tau"), **{k: v[0] for k, v in THREE_BODY.items()}}
CHANNELS = tuple(MIXING)

_GL_T, _GL_W = np.polynomial.legendre.leggauss(128)


def _s_limits(name: str, m_n: float) -> tuple[float, float]:
    """(s_min, s_max) of the pair invariant mass² of a three-body channel (module docstring), MeV²."""
    _, lep, paired = THREE_BODY[name]
    m_l = LEPTON_MASS[lep]
    if paired:  # s = (p_N + p_ℓ)², ā = ν̄ massless
        return (m_n + m_l) ** 2, M_TAU**2
    return m_l**2, max(M_TAU - m_n, 0.0) ** 2  # s = (p_ν + p_ℓ)², ā = N (empty range when m_N > m_τ)


def three_body_density(name: str, m_n: float, s: np.ndarray) -> np.ndarray:
    """dΓ/ds of a three-body channel at unit mixing, MeV⁻¹ (0 outside the limits): the integrand of
    Γ = 1/(2m_τ) ∫ ds/(2π) Φ₂(τ → Q ā) Φ₂(Q → b c) |M|² (module docstring)."""
    _, lep, paired = THREE_BODY[name]
    m_l, mt2 = LEPTON_MASS[lep], M_TAU**2
    s = np.asarray(s, float)
    lo, hi = _s_limits(name, m_n)
    ok = (s > lo) & (s < hi)
    s = np.where(ok, s, 0.5 * (lo + hi))
    if paired:
        phi_a = (mt2 - s) / (8.0 * math.pi * mt2)
        phi_q = np.sqrt(np.clip(kallen(s, m_n**2, m_l**2), 0.0, None)) / (8.0 * math.pi * s)
        msq = 16.0 * G_F**2 * (mt2 - s) * (s - m_n**2 - m_l**2)
    else:
        phi_a = np.sqrt(np.clip(kallen(mt2, s, m_n**2), 0.0, None)) / (8.0 * math.pi * mt2)
        phi_q = (s - m_l**2) / (8.0 * math.pi * s)
        msq = 16.0 * G_F**2 * (mt2 - s + m_n**2) * (s - m_l**2)
    return np.where(ok, phi_a * phi_q * msq / (2.0 * M_TAU * 2.0 * math.pi), 0.0)


def _theta_grid(name: str, m_n: float, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s(θ) = a + (b − a)(1 − cos θ)/2 for θ = π(t + 1)/2 and ds/dθ (removes the square-root end points)."""
    a, b = _s_limits(name, m_n)
    th = 0.5 * math.pi * (np.asarray(t) + 1.0)
    return a + 0.5 * (b - a) * (1.0 - np.cos(th)), 0.5 * (b - a) * np.sin(th) * 0.5 * math.pi


@lru_cache(maxsize=512)
def three_body_width(name: str, m_n: float) -> float:
    """Γ of a three-body channel (:data:`THREE_BODY`) at unit mixing, MeV (Gauss-Legendre in θ; 0 when closed)."""
    a, b = _s_limits(name, m_n)
    if a >= b or m_n + LEPTON_MASS[THREE_BODY[name][1]] >= M_TAU:
        return 0.0
    s, jac = _theta_grid(name, m_n, _GL_T)
    return float(np.sum(_GL_W * three_body_density(name, m_n, s) * jac))


def unit_width(name: str, m_n: float) -> float:
    """Γ(τ⁻ → channel) in MeV at unit mixing (|U_τ|² or |U_ℓ|², :data:`MIXING`); 0 when closed."""
    if name in TWO_BODY:
        kind, m_h, coupling, v = TWO_BODY[name]
        return (pseudoscalar_width if kind == "P" else vector_width)(m_n, m_h, coupling, v)
    return three_body_width(name, float(m_n))


def tau_branching_ratios(m_n: float, u2: dict[str, float]) -> dict[str, float]:
    """BR(τ → channel) = Γ/Γ_τ (PDG lifetime) for mixings ``u2`` = {"e", "mu", "tau": |U|²}; every channel present."""
    return {ch: float(u2.get(MIXING[ch], 0.0)) * unit_width(ch, m_n) / GAMMA_TAU for ch in CHANNELS}


def _sample_s(rng: np.random.Generator, name: str, m_n: float, n: int) -> np.ndarray:
    """n values of s from dΓ/ds (inverse of the cumulative on a 4096-point grid in θ, linear in between)."""
    t = np.linspace(-1.0, 1.0, 4097)
    s, jac = _theta_grid(name, m_n, t)
    f = three_body_density(name, m_n, s) * jac
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))])
    return np.interp(rng.random(n) * cdf[-1], cdf, s)


def tau_decay_momenta(rng: np.random.Generator, p_tau: np.ndarray, name: str, m_n: float) -> dict[str, np.ndarray]:
    """Lab four-momenta (MeV) of τ → ``name`` for τ's ``p_tau`` (n, 4): {"N": ..., "other": [daughters...]}."""
    if name in TWO_BODY:
        p_h, p_n = two_body_decay(rng, p_tau, TWO_BODY[name][1], m_n)
        return {"N": p_n, "other": [p_h]}
    _, lep, paired = THREE_BODY[name]
    m_l = LEPTON_MASS[lep]
    mq = np.sqrt(_sample_s(rng, name, m_n, len(p_tau)))
    if paired:  # τ → Q(N ℓ) ν̄, Q → N ℓ
        p_q, p_nu = two_body_decay(rng, p_tau, mq, 0.0)
        p_n, p_l = two_body_decay(rng, p_q, m_n, m_l)
    else:  # τ → Q(ν_τ ℓ) N̄, Q → ν ℓ
        p_q, p_n = two_body_decay(rng, p_tau, mq, m_n)
        p_nu, p_l = two_body_decay(rng, p_q, 0.0, m_l)
    return {"N": p_n, "other": [p_l, p_nu]}


@dataclass(frozen=True)
class TauChain(ProductionChannel):
    """D±, D_s± → τ±ν, τ → N X, both prompt (module docstring). Labels ``"<D> t/<mixing>"``; closed, with the reason
    of :func:`darkbeam.beams.charm.charm_closed_reason`, on beams that make no charm."""

    parents: tuple[str, ...] = ("D+", "D-", "Ds+", "Ds-")
    mixings: tuple[str, ...] = ("tau", "e", "mu")
    closed: str = ""
    in_flight: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ("m_x", "mixing_squared")
    kind: ClassVar[str] = "prompt D(s) -> tau nu, tau -> N X"
    #: label token per mixing (labels stay within the 8 characters of the arrival labels)
    TOKEN: ClassVar[dict[str, str]] = {"tau": "t/t", "e": "t/e", "mu": "t/mu"}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "mixings": list(self.mixings), **({"closed": self.closed} if self.closed else {})}

    def for_beam(self, model: Any, beam: Any) -> ProductionChannel:
        """Closed, with its reason, on a beam without charm or when m_N closes every τ → N X channel declared."""
        why = charm_closed_reason(beam)
        m_n = float(model.m_x)
        if why is None and not any(unit_width(ch, m_n) > 0.0 for ch in CHANNELS if MIXING[ch] in self.mixings):
            why = (f"tau -> N X closed: m_N = {m_n:.6g} MeV is above every tau channel's threshold "
                   f"(the highest: m_tau - m_e = {M_TAU - M_E:.6g} MeV)")
        return self if why is None else replace(self, parents=(), closed=why)

    def coupling2(self, model: Any, label: str) -> float | None:
        parts = str(label).split()
        inv = {v: k for k, v in self.TOKEN.items()}
        if len(parts) != 2 or parts[0] not in self.parents or inv.get(parts[1]) not in self.mixings:
            return None
        return float(model.mixing_squared(inv[parts[1]]))  # every channel of the label ∝ this mixing

    def tau_br(self, parent: str) -> float:
        """BR(D → τν) (tree level, ``two_body.branching_ratio`` at m_N = 0 and |U|² = 1)."""
        return two_body_br(parent, "tau", 0.0, 1.0)

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        """Rows per parent and τ channel: ``value`` = BR(D → τν) × BR(τ → N X) or "closed"."""
        state = getattr(model, "boson", None) or "N"
        m_n = float(model.m_x)
        br = tau_branching_ratios(m_n, {f: float(model.mixing_squared(f)) for f in self.mixings})
        out = []
        for parent in self.parents:
            for ch in CHANNELS:
                if MIXING[ch] not in self.mixings:
                    continue
                value: float | str = "closed" if unit_width(ch, m_n) == 0.0 else self.tau_br(parent) * br[ch]
                out.append({"parent": parent, "lepton": "tau", "channel": f"tau nu, tau -> {ch.replace('N', state)}",
                            "value": value})
        return out

    def sample(self, rng, parent, parents, model):
        m_n = float(model.m_x)
        key, _ = CHARM_PARENTS.get(str(parent))
        idx = np.flatnonzero(np.abs(parents.pdg) == MESONS.get(key).pdg)
        if len(idx) == 0:
            return
        pdg_n = int(getattr(model, "state_pdg", None) or 0)
        br_d = self.tau_br(parent)
        for mix in self.mixings:
            u2 = float(model.mixing_squared(mix))
            chans = [ch for ch in CHANNELS if MIXING[ch] == mix and unit_width(ch, m_n) > 0.0]
            if u2 <= 0.0 or not chans:
                continue
            side = side_stream(rng, f"tau chain {parent} {mix}")
            widths = np.array([unit_width(ch, m_n) for ch in chans])
            br_tau = u2 * widths.sum() / GAMMA_TAU
            p_tau, _ = two_body_decay(side, parents.p4[idx], M_TAU, 0.0)  # D → τν, isotropic
            pick = side.choice(len(chans), size=len(idx), p=widths / widths.sum())
            p_n = np.empty_like(p_tau)
            for k, ch in enumerate(chans):  # a handful of channels, vectorised within each
                sel = np.flatnonzero(pick == k)
                if len(sel):
                    p_n[sel] = tau_decay_momenta(side, p_tau[sel], ch, m_n)["N"]
            charge = np.sign(parents.pdg[idx])  # the τ has the D's charge
            # τ⁻ → N X (U_τ) gives N, τ⁻ → ν ℓ N̄ (U_ℓ) N̄; τ⁺ the conjugates
            conj = (charge > 0) if mix == "tau" else (charge < 0)
            extra = {"parent_index": idx, "parent_pdg": (-charge * TAU_PDG).astype(np.int64), "tau_channel": pick,
                     "polarisation": np.zeros(len(idx)), "cp_conjugate": conj}
            xs = ParticleSample(np.full(len(idx), pdg_n), p_n, parents.x[idx],
                                parents.w[idx] * br_d * br_tau, parents.weight_unit, extra)
            _add_parent_origin(xs, parents)
            yield xs, p_tau, f"{parent} {self.TOKEN[mix]}"


__all__ = [
    "CHANNELS",
    "GAMMA_TAU",
    "G_KSTAR",
    "MIXING",
    "THREE_BODY",
    "TWO_BODY",
    "TauChain",
    "pseudoscalar_width",
    "side_stream",
    "tau_branching_ratios",
    "tau_decay_momenta",
    "three_body_density",
    "three_body_width",
    "unit_width",
    "vector_width",
]
