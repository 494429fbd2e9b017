"""Decay widths of a light scalar S that mixes with the Higgs boson (mixing angle θ), and Γ(K → π S).

Units: MeV. v = (√2 G_F)^(−1/2) = 246.22 GeV (:data:`darkbeam.constants.HIGGS_VEV`).

* S → ℓ⁺ℓ⁻: the Higgs Yukawa coupling m_ℓ/v times θ,
      Γ = θ² m_ℓ² m_S β³ / (8π v²),  β = √(1 − 4m_ℓ²/m_S²)
  (Snowmass white paper, seed 004, Eq. (13); Batell, Berger, Ismail, arXiv:1909.11670, Eq. (3)).
* S → ππ at leading order in chiral perturbation theory (Voloshin, Sov. J. Nucl. Phys. 44 (1986) 478;
  Donoghue, Gasser, Leutwyler, Nucl. Phys. B343 (1990) 341): the amplitude S → π^a π^b is δ^{ab} θ G_π/v with
  G_π = (2/9) m_S² + (11/9) m_π²; summed over π⁺π⁻ and π⁰π⁰ (identical-particle factor 1/2)
      Γ(ππ) = 3 θ² |G_π|² / (32π v² m_S) β_π
  (seed 004 Eq. (14), BBI Eq. (4)), i.e. Γ(π⁺π⁻) = θ²G²β₊/(16π v² m_S) and Γ(π⁰π⁰) = θ²G²β₀/(32π v² m_S).
  VALIDITY: leading-order chiral perturbation theory holds just above threshold; final-state interactions
  change the width by a large factor towards 0.5–1 GeV (Winkler, PRD 99, 015018 (2019), arXiv:1809.01876,
  dispersive analysis). darkbeam's scalar is made only in K → πS, so m_S < m_K⁰ − m_π⁰ = 362.6 MeV; in
  270–363 MeV the ππ width (and so BR(S → e⁺e⁻)) is uncertain by a factor of order 2 (not modelled).
* S → γγ is left out: loops of W, t, c, b, τ, μ largely cancel below 2m_π (amplitude sum of order 1),
  giving Γ(γγ)/Γ(e⁺e⁻) ~ α² m_S²|F|²/(32π² m_e²) ≲ 1 % at 100–200 MeV (|F|² ≲ 1): below this model's accuracy.

K → πS (top-quark penguin, BBI Eq. (5), seed 004 Eq. (10); Bezrukov & Gorbunov, JHEP 05 (2010) 010, write it as
BR(K⁺ → π⁺S) ≈ 2×10⁻³ θ² · 2|p_S|/m_K):
      Γ(K⁺ → π⁺S) = θ²/(16π m_K) · |3 V_td* V_ts m_t² m_K² / (32π² v³)|² · λ^{1/2}(1, m_S²/m_K², m_π²/m_K²).
K⁰_L → π⁰S: the scalar density d̄s + s̄d is CP-even, so the CP-conserving K_L ≈ K₂ → π⁰S amplitude (π⁰S has
CP = −1) takes the real part of λ_t = V_ts* V_td: the same formula with |λ_t| → |Re λ_t| = |λ_t| cos β and the
neutral masses (Leutwyler & Shifman, Nucl. Phys. B343 (1990) 369; this gives BR(K_L)/BR(K⁺) ≈ 3.5, as in
Bezrukov & Gorbunov's BR(K_L → π⁰χ) ≈ 7×10⁻³ θ² · 2|p|/m_K).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .. import constants as c
from ..kinematics.fourvec import kallen

#: lepton masses of the S → ℓℓ channels (MeV)
LEPTONS = {"e+ e-": c.M_E, "mu+ mu-": c.M_MU}
#: largest m_S for which this model is used (K⁰_L → π⁰ S threshold), MeV
M_S_MAX = c.M_K0 - c.M_PI0


def width_s_leptons(m_s: ArrayLike, m_l: float, theta: float) -> np.ndarray:
    """Γ(S → ℓ⁺ℓ⁻) = θ² m_ℓ² m_S β³/(8π v²) in MeV (0 at and below threshold)."""
    m_s = np.asarray(m_s, float)
    open_ = m_s > 2.0 * m_l
    ms = np.where(open_, m_s, 1.0)
    beta = np.sqrt(np.clip(1.0 - 4.0 * m_l**2 / ms**2, 0.0, None))
    return np.where(open_, theta**2 * m_l**2 * ms * beta**3 / (8.0 * math.pi * c.HIGGS_VEV**2), 0.0)


def g_pion(m_s: ArrayLike, m_pi: float) -> np.ndarray:
    """Leading-order chiral form factor G_π = (2/9) m_S² + (11/9) m_π² (MeV²)."""
    m_s = np.asarray(m_s, float)
    return 2.0 / 9.0 * m_s**2 + 11.0 / 9.0 * m_pi**2


def width_s_pipi(m_s: ArrayLike, theta: float, charged: bool) -> np.ndarray:
    """Γ(S → π⁺π⁻) (``charged``) or Γ(S → π⁰π⁰) in MeV at leading chiral order (0 below threshold)."""
    m_pi = c.M_PI if charged else c.M_PI0
    m_s = np.asarray(m_s, float)
    open_ = m_s > 2.0 * m_pi
    ms = np.where(open_, m_s, 1.0)
    beta = np.sqrt(np.clip(1.0 - 4.0 * m_pi**2 / ms**2, 0.0, None))
    sym = 1.0 if charged else 0.5  # identical π⁰'s
    w = sym * theta**2 * g_pion(ms, m_pi) ** 2 * beta / (16.0 * math.pi * c.HIGGS_VEV**2 * ms)
    return np.where(open_, w, 0.0)


def scalar_widths(m_s: float, theta: float) -> dict[str, float]:
    """Partial widths (MeV) of S by channel: e+ e-, mu+ mu-, pi+ pi-, pi0 pi0."""
    out = {ch: float(width_s_leptons(m_s, ml, theta)) for ch, ml in LEPTONS.items()}
    out["pi+ pi-"] = float(width_s_pipi(m_s, theta, charged=True))
    out["pi0 pi0"] = float(width_s_pipi(m_s, theta, charged=False))
    return out


def ckm_factor(parent: str) -> float:
    """|λ_t| = |V_ts* V_td| for K± → π± S; |Re λ_t| = |λ_t| cos β for K⁰_L → π⁰ S (see the module docstring)."""
    lam = c.V_TD * c.V_TS
    return lam * math.cos(c.BETA_CKM) if parent == "K0L" else lam


def width_k_to_pi_s(parent: str, m_s: ArrayLike, theta: float) -> np.ndarray:
    """Γ(K → π S) in MeV for parent "K+", "K-" (→ π± S) or "K0L" (→ π⁰ S); 0 when closed (module docstring)."""
    m_k, m_pi = (c.M_K0, c.M_PI0) if parent == "K0L" else (c.M_K, c.M_PI)
    m_s = np.asarray(m_s, float)
    lam = kallen(1.0, m_s**2 / m_k**2, m_pi**2 / m_k**2)
    coup = 3.0 * ckm_factor(parent) * c.M_TOP**2 * m_k**2 / (32.0 * math.pi**2 * c.HIGGS_VEV**3)
    w = theta**2 / (16.0 * math.pi * m_k) * coup**2 * np.sqrt(np.clip(lam, 0.0, None))
    return np.where(m_s < m_k - m_pi, w, 0.0)


__all__ = ["LEPTONS", "M_S_MAX", "ckm_factor", "g_pion", "kallen", "scalar_widths", "width_k_to_pi_s",
           "width_s_leptons", "width_s_pipi"]
