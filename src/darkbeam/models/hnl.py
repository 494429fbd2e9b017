"""The neutrino portal: a heavy neutral lepton N mixing with the active neutrinos (seed 004, Sec. 5.3).

Model (seed 004 Sec. 5.3.1, the minimal phenomenological one): one N of mass m_N, Dirac or Majorana, whose
only interactions are through its mixing with ν_e, ν_μ, ν_τ, with parameters |U_α4|² (``u2_e``, ``u2_mu``,
``u2_tau``: the SQUARED moduli, the quantity experiments quote). Weak currents: ν_α → ν_α + U_α N in the
W and Z couplings (e.g. Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, JHEP 11 (2018) 032, arXiv:1805.08567,
Sec. 1.1, "B2018" below).

* Production (:class:`darkbeam.production.two_body.MesonTwoBody`): π±, K± → ℓ± N in flight (decay-in-flight
  beams) and π⁺, K⁺ → ℓ⁺ N at rest (stopped sources, e.g. the NuMI absorber's K⁺: a monochromatic N),
  Γ = |U_ℓ|² Γ_SM(P → ℓν) ρ (Shrock 1981; B2018 Sec. 2.1.1), isotropic in the parent frame; and
  (:class:`darkbeam.production.two_body.PromptMesonTwoBody`) D±, D_s± → ℓ± N (ℓ = e, μ, τ) with the same width,
  the D's decaying unfocused where the 120 GeV protons make them (darkbeam.beams.charm; closed, with its reason,
  on beams that make no charm, e.g. the BNB below threshold); and (:class:`darkbeam.production.tau_chain.TauChain`)
  D±, D_s± → τ±ν, τ → N X (N π, N K, N ρ, N K*, N ℓν̄ ∝ |U_τ|²; ν_τ ℓ N̄ ∝ |U_ℓ|²; B2018 Sec. 2.2), both prompt.
* Decays (:func:`partial_widths`), widths of B2018 Sec. 3 for one N of the Dirac type; a Majorana N has
  every channel AND its charge conjugate (N → ℓ⁻π⁺ and ℓ⁺π⁻, N → νπ⁰ and ν̄π⁰, ...), so all its widths
  are twice the Dirac ones (B2018 Sec. 3): branching ratios are the same, cτ is halved.
  With x = m/m_N, s_W² = sin²θ_W and the 4-fermion constant G_F²m_N⁵/(192π³) ≡ Γ₀:
  - N → ν_α ν_β ν̄_β summed over β ("nu nu nu"):  Σ_β (1 + δ_αβ) G_F² m_N⁵ |U_α|²/(768π³) = Γ₀|U_α|²
    (B2018 Sec. 3.1.2, Z-mediated);
  - N → ν_α ℓ_β⁺ℓ_β⁻ ("nu e+ e-", "nu mu+ mu-"; Z, and W for β = α with their interference):
        Γ₀ |U_α|² [C₁ F₁(x) + 4 C₂ F₂(x)],
        F₁ = (1 − 14x² − 2x⁴ − 12x⁶)√(1−4x²) + 12x⁴(x⁴ − 1) L(x),
        F₂ = x²(2 + 10x² − 12x⁴)√(1−4x²) + 6x⁴(1 − 2x² + 2x⁴) L(x),
        L = ln[(1 − 3x² − (1 − x²)√(1−4x²)) / (x²(1 + √(1−4x²)))],
        C₁ = ¼(1 ∓ 4s_W² + 8s_W⁴), C₂ = ½ s_W²(2s_W² ∓ 1)   (upper sign β ≠ α, lower β = α)
    (B2018 Sec. 3.1.2 and its table of C₁, C₂; originally Gorbunov & Shaposhnikov, JHEP 10 (2007) 015,
    arXiv:0705.1729);
  - N → ℓ_α⁻ ℓ_β⁺ ν_β, β ≠ α ("e mu nu"; W only):  Γ₀ |U_α|² I(0, x_β, x_α),
        I(x_u, x_d, x_l) = 12 ∫_{(x_d+x_l)²}^{(1−x_u)²} dx/x (x − x_l² − x_d²)(1 + x_u² − x)
                           λ^{1/2}(x, x_l², x_d²) λ^{1/2}(1, x, x_u²)
    (B2018 Sec. 3.1.1, N_W = 1 for leptons);
  - N → ℓ_α⁻ π⁺ ("e pi", "mu pi"):  G_F² f_π² |V_ud|² |U_α|² m_N³/(16π) [(1 − x_ℓ²)² − x_π²(1 + x_ℓ²)]
    λ^{1/2}(1, x_π², x_ℓ²)   (B2018 Sec. 3.2.1, charged pseudoscalar meson);
  - N → ν_α π⁰ ("nu pi0"):  G_F² f_π² |U_α|² m_N³/(32π) (1 − x_π⁰²)²   (B2018 Sec. 3.2.1, neutral
    pseudoscalar meson; f_π⁰ = f_π± by isospin);
  - N → ν_α γ ("nu gamma", one loop):  9 α G_F² m_N⁵ |U_α|²/(512π⁴) for Dirac N — the Majorana value
    9 α G_F² m_N⁵ |U|²/(256π⁴) is the sterile-neutrino radiative width 9αG_F² sin²(2θ) m⁵/(1024π⁴) with
    sin²2θ = 4|U|² (Pal & Wolfenstein, PRD 25 (1982) 766; Boyarsky, Ruchayskiy, Shaposhnikov, Ann. Rev.
    Nucl. Part. Sci. 59 (2009) 191, arXiv:0901.0011). About 1 % of the 3ν width.
  - above 0.5 GeV (N from D/D_s decays), the other single-meson channels of B2018 Sec. 3.2.1, x = m/m_N:
    N → ℓ⁻K⁺ ("e K", "mu K") and N → τ⁻π⁺ ("tau pi", above 1.92 GeV): the ℓπ formula with (f, V) = (f_K, V_us),
    (f_π, V_ud); N → ν η, ν η′ ("nu eta", "nu eta'"): the νπ⁰ formula with f_η = 81.7, f_η′ = −94.7 MeV;
    N → ℓ⁻V⁺, V = ρ, K* ("e rho", "mu rho", "e K*", "mu K*"):
        G_F² g_V² |V_qq′|² |U_α|² m_N³/(16π m_V²) [(1 − x_ℓ²)² + x_V²(1 + x_ℓ²) − 2x_V⁴] λ^{1/2}(1, x_V², x_ℓ²);
    N → ν V⁰, V = ρ⁰, ω, φ ("nu rho0", "nu omega", "nu phi"):
        G_F² κ_V² g_V² Σ|U_α|² m_N³/(32π m_V²) (1 + 2x_V²)(1 − x_V²)²,
    g_ρ = 0.162, g_ω = 0.153, g_φ = 0.234 GeV² (B2018's table); g_K* from BR(τ → K*ν) (:data:`G_KSTAR`); κ_V
    derived from the quark content (:data:`KAPPA_V`: κ_ρ = 1 − 2s_W² as B2018, κ_ω and κ_φ differ from B2018's
    table, see there); and N → ℓ_α⁻τ⁺ν_τ, τ⁻ℓ_β⁺ν_β ("e tau nu", "mu tau nu", above m_τ + m_ℓ) as "e mu nu".
  Not modelled: multi-hadron final states (N → ℓ⁻π⁺π⁰ and νπ⁺π⁻ off the ρ peak, ℓ 3π, ...). Below m_ρ they are
  strongly suppressed; at 1.5–2 GeV they are what the exclusive sum misses of the inclusive quark-level width
  (tests/test_hnl_hadronic.py measures the ratio).
  f_π = 130.2 MeV, |V_ud|, G_F, sin²θ_W (MS-bar, 0.23121) from :mod:`darkbeam.constants`.
  B2018 is cited by section (its table of contents was checked; docs/portal_hnl.md says why equation
  numbers are not quoted); every formula is checked against an independent calculation in tests/test_hnl.py.
* Detection: N → μ∓π±, N → e∓π±, N → ν e⁺e⁻, N → ν π⁰ (π⁰ → γγ), N → ν μ⁺μ⁻, N → ν γ and N → e∓μ±ν inside the
  detector (``DecayInVolume("N", "mu pi")``, ``("N", "e pi")``, ``("N", "nu e+ e-")``, ``("N", "nu pi0")``,
  ``("N", "nu mu+ mu-")``, ``("N", "nu gamma")``, ``("N", "e mu nu")``: darkbeam's generic decay-in-volume process,
  with its multi-body and single-visible final states for all but the first two; one sample per channel joined by
  ``pipeline.signal.build_signal``, each a part of the combined sample labelled by its channel, the μπ part exactly
  the sample of a μπ-only model with the same seed). Below m_μ + m_π the μπ part is empty with its reason and
  N → ν e⁺e⁻ (above m_π⁰ also ν π⁰) carries the signal. The eπ channel, ∝ |U_e4|², is empty with its reason when
  u2_e = 0 and is then not re-weighted into: a sample to be used at u2_e > 0 is generated at u2_e > 0. "mu pi" and
  "e pi" are the charge-summed channels (for Majorana N both charges; for Dirac N
  the one the beam's N or N̄ makes). Event records carry the charges (``Decays.self_conjugate``): a Dirac N̄ (from
  P⁻) is written as −state_pdg decaying to π⁻ℓ⁺, a Dirac N to π⁺ℓ⁻; a Majorana N to either with probability ½ each.
  "e mu nu" is N → e⁻μ⁺ν_μ (|U_e4|²) plus N → μ⁻e⁺ν_e (|U_μ4|²), equal widths (I is symmetric in x_d, x_l), so N
  declares the share of the listed e⁻μ⁺ order, f = Γ(e⁻μ⁺ν)/Γ("e mu nu") = |U_e|²/(|U_e|² + |U_μ|²)
  (``Decays.pair_charge_fraction``): a Dirac N gives e⁻μ⁺ with probability f and μ⁻e⁺ otherwise, a Dirac N̄
  the conjugates (e⁺μ⁻ with f), a Majorana N either order's charge conjugate with ½ (so e⁻μ⁺ : e⁺μ⁻ = ½ : ½ whatever
  f). N → ν γ is isotropic in the N frame for a Majorana N (CP: the ν γ and ν̄ γ decays have opposite asymmetries,
  the sum is isotropic); for a polarised Dirac N the photon follows 1 − P cos θ (α = −1 of
  :data:`darkbeam.interactions.hnl_decays.NU_GAMMA_ASYMMETRY`; Balantekin, de Gouvêa, Kayser, PLB 789 (2019) 488,
  arXiv:1808.10518), declared as ``Decays.asymmetry["nu gamma"]`` (below); likewise N → ν_L π⁰: the π⁰ follows
  1 + P cos θ for a Dirac N (:data:`darkbeam.interactions.hnl_decays.NU_PI0_ASYMMETRY`, ``asymmetry["nu pi0"]``), the
  Majorana sum is isotropic.
* Polarisation (``polarisation = "on"``, the default; docs/portal_hnl.md, "Polarisation"): N from P → ℓN
  carries the helicity polarisation of :func:`darkbeam.production.two_body.helicity_polarisation` (per
  particle, from the production channel), and a Dirac N declares the decay asymmetry of N → ℓ⁻π⁺ for the
  pion, the first listed daughter of "mu pi"/"e pi": −α of
  :func:`darkbeam.interactions.hnl_decays.lepton_meson_asymmetry` (N̄ → ℓ⁺π⁻: the opposite, applied by the
  decay-in-volume process through the production channel's ``cp_conjugate`` column). A Majorana N declares
  none: its ℓ⁻π⁺ and ℓ⁺π⁻ decays have equal widths and opposite asymmetries (CP), so the charge-summed
  channel is exactly isotropic whatever the polarisation. A Dirac N also declares the photon's α = −1 of N → ν γ;
  both natures declare the spin dependence of the three-body |M|² (``Decays.dalitz_spin``, :func:`dalitz_spin_terms`;
  docs/portal_hnl.md, "Polarisation": "ν γ and three-body decays"). ν π⁰ is isotropic (its asymmetry is not
  applied). ``polarisation = "off"`` decays every N isotropically (the former treatment).
* Three-body kinematics (``Decays.dalitz_msq``, :func:`dalitz_densities`): ν e⁺e⁻, ν μ⁺μ⁻ and e μ ν are drawn from
  their spin-summed four-fermion |M|² (Z, and W for ℓ = ℓ_α, with the interference; the width-weighted sum over the
  light neutrino's flavour, which does not interfere; for e μ ν the |M|² of the charge order written, the other order
  under ``pair_conjugate_key(channel)``), not flat phase space. The |M|² of one charge state is the same for a Dirac and a
  Majorana N (the Majorana N adds the CP-conjugate decays, which the decay-in-volume process draws as such). Summed
  over the N spin; the orientation of a polarised N's decay follows ``dalitz_spin`` (above).

Valid for 0 < m_N < m_Ds − m_e: π, K → ℓN everywhere, D±, D_s± → ℓN (``PromptMesonTwoBody``) at the 120 GeV beams
(NuMI, LBNF; darkbeam.beams.charm), where they are the only source above m_K − m_μ. Tree-level widths, no radiative
or QCD corrections. The decay table has every single-meson channel open below m_Ds (K, η, η′, ρ, ω, K*, φ, and τπ
above 1.92 GeV) and the τ leptonic channels; multi-hadron final states are missing, so above ~1.5 GeV the total
width is somewhat underestimated (docs/portal_hnl.md, "Decays above 0.5 GeV"). The decay-in-volume rate of a
long-lived N (decay length ≫ baseline, the regime of the searches) depends on Γ(N → channel) only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..constants import (
    ALPHA_EM,
    F_ETA,
    F_ETAP,
    F_K,
    F_PI,
    G_F,
    G_OMEGA,
    G_PHI,
    G_RHO,
    M_DS,
    M_E,
    M_ETA,
    M_ETAP,
    M_K,
    M_KSTAR,
    M_MU,
    M_OMEGA,
    M_PHI,
    M_PI,
    M_PI0,
    M_RHO,
    M_RHO0,
    M_TAU,
    SIN2_THETA_W,
    V_UD,
    V_US,
)
from ..declarations import Decays, Model, Param, pair_conjugate_key
from ..errors import InputError
from ..interactions.channels import DecayInVolume
from ..interactions.hnl_decays import (
    NU_GAMMA_ASYMMETRY,
    NU_PI0_ASYMMETRY,
    lepton_meson_asymmetry,
    msq_cc_leptons,
    msq_nu_ll,
    spin_cc_leptons,
    spin_nu_ll,
)
from ..kinematics.fourvec import kallen
from ..particles import HNL_PDG
from ..production.tau_chain import G_KSTAR, TauChain
from ..production.two_body import MesonTwoBody, PromptMesonTwoBody
from .plugins import register_model

#: charged-lepton masses of the ℓπ detection channels and the νℓℓ channels (the τ ones: ``M_TAU``)
LEPTON_MASS = {"e": M_E, "mu": M_MU}
FLAVOURS = ("e", "mu", "tau")
#: decay channels of N (names of ``decays()["N"].widths``, always all present; 0 when closed)
CHANNELS = ("nu nu nu", "nu e+ e-", "nu mu+ mu-", "e mu nu", "e pi", "mu pi", "nu pi0", "nu gamma",
            "e tau nu", "mu tau nu", "e K", "mu K", "tau pi", "nu eta", "nu eta'", "e rho", "mu rho", "nu rho0",
            "nu omega", "e K*", "mu K*", "nu phi")
#: channels of N with no visible particle
INVISIBLE_CHANNELS = ("nu nu nu",)
NATURES = ("majorana", "dirac")
POLARISATION = ("on", "off")


# ------------------------------------------------------------------------------------------------
# widths of one Dirac N at |U_α|² = 1 (module docstring); the model multiplies by |U_α|² and by 2 (Majorana)
# ------------------------------------------------------------------------------------------------
def gamma0(m: float) -> float:
    """G_F² m⁵ /(192 π³), MeV (the muon-decay normalisation)."""
    return G_F**2 * m**5 / (192.0 * math.pi**3)


def width_3nu(m: float) -> float:
    """Σ_β Γ(N → ν_α ν_β ν̄_β) = Σ_β (1 + δ_αβ) G_F² m⁵/(768π³) = G_F² m⁵/(192π³) (B2018 Sec. 3.1.2)."""
    return 4.0 * G_F**2 * m**5 / (768.0 * math.pi**3)  # Σ_β (1 + δ_αβ) = 4 over β = e, μ, τ


def _log_l(x: float) -> float:
    """L(x) = ln[(1 − 3x² − (1−x²)√(1−4x²)) / (x²(1 + √(1−4x²)))], with the numerator rationalised:
    1 − 3x² − (1−x²)√(1−4x²) = 4x⁶ / (1 − 3x² + (1−x²)√(1−4x²)) (no cancellation at small x)."""
    r = math.sqrt(1.0 - 4.0 * x * x)
    num = 4.0 * x**6 / (1.0 - 3.0 * x * x + (1.0 - x * x) * r)
    return math.log(num / (x * x * (1.0 + r)))


def nc_coefficients(same_flavour: bool, s2w: float = SIN2_THETA_W) -> tuple[float, float]:
    """(C₁, C₂) of N → ν_α ℓ_β⁺ℓ_β⁻: β ≠ α (Z only) or β = α (Z + W and their interference)."""
    sign = 1.0 if same_flavour else -1.0
    return 0.25 * (1.0 + sign * 4.0 * s2w + 8.0 * s2w**2), 0.5 * s2w * (2.0 * s2w + sign)


def width_nu_ll(m: float, m_l: float, same_flavour: bool) -> float:
    """Γ(N → ν_α ℓ⁺ℓ⁻) at |U_α|² = 1, MeV (B2018 Sec. 3.1.2; 0 when closed)."""
    if m <= 2.0 * m_l:
        return 0.0
    x = m_l / m
    r = math.sqrt(1.0 - 4.0 * x * x)
    lx = _log_l(x) if x > 0 else 0.0
    f1 = (1 - 14 * x**2 - 2 * x**4 - 12 * x**6) * r + 12 * x**4 * (x**4 - 1) * lx
    f2 = x**2 * (2 + 10 * x**2 - 12 * x**4) * r + 6 * x**4 * (1 - 2 * x**2 + 2 * x**4) * lx
    c1, c2 = nc_coefficients(same_flavour)
    return gamma0(m) * max(c1 * f1 + 4.0 * c2 * f2, 0.0)


_GL_T, _GL_W = np.polynomial.legendre.leggauss(96)


@lru_cache(maxsize=1024)
def cc_phase_space(x_u: float, x_d: float, x_l: float) -> float:
    """I(x_u, x_d, x_l) of B2018 Sec. 3.1.1 (= 1 for massless final states; the muon-decay function
    1 − 8x² + 8x⁶ − x⁸ − 12x⁴ ln x² for one massive lepton x). Gauss–Legendre in θ with
    x = a + (b − a)(1 − cos θ)/2, which removes the square-root end points."""
    a, b = (x_d + x_l) ** 2, (1.0 - x_u) ** 2
    if a >= b:
        return 0.0
    th = 0.5 * math.pi * (_GL_T + 1.0)
    xv = a + 0.5 * (b - a) * (1.0 - np.cos(th))
    jac = 0.5 * (b - a) * np.sin(th) * 0.5 * math.pi
    lam1 = np.clip(kallen(xv, x_l**2, x_d**2), 0.0, None)
    lam2 = np.clip(kallen(1.0, xv, x_u**2), 0.0, None)
    f = (xv - x_l**2 - x_d**2) * (1.0 + x_u**2 - xv) * np.sqrt(lam1 * lam2) / xv
    return float(12.0 * np.sum(_GL_W * f * jac))


def width_cc_leptons(m: float, m_alpha: float, m_beta: float) -> float:
    """Γ(N → ℓ_α⁻ ℓ_β⁺ ν_β), β ≠ α, at |U_α|² = 1, MeV: Γ₀ I(0, x_β, x_α) (B2018 Sec. 3.1.1)."""
    if m <= m_alpha + m_beta:
        return 0.0
    return gamma0(m) * cc_phase_space(0.0, m_beta / m, m_alpha / m)


def width_lepton_pi(m: float, m_l: float) -> float:
    """Γ(N → ℓ⁻π⁺) at |U_ℓ|² = 1, MeV (B2018 Sec. 3.2.1; 0 when closed)."""
    if m <= m_l + M_PI:
        return 0.0
    xl2, xp2 = (m_l / m) ** 2, (M_PI / m) ** 2
    lam = float(kallen(1.0, xp2, xl2))
    shape = ((1.0 - xl2) ** 2 - xp2 * (1.0 + xl2)) * math.sqrt(max(lam, 0.0))
    return G_F**2 * F_PI**2 * V_UD**2 * m**3 / (16.0 * math.pi) * max(shape, 0.0)


def width_nu_pi0(m: float) -> float:
    """Γ(N → ν π⁰) at |U_α|² = 1, MeV (B2018 Sec. 3.2.1; 0 when closed)."""
    if m <= M_PI0:
        return 0.0
    return G_F**2 * F_PI**2 * m**3 / (32.0 * math.pi) * (1.0 - (M_PI0 / m) ** 2) ** 2


def width_nu_gamma(m: float) -> float:
    """Γ(N → ν γ) at |U_α|² = 1 for a Dirac N, MeV: 9 α G_F² m⁵/(512 π⁴) (module docstring)."""
    return 9.0 * ALPHA_EM * G_F**2 * m**5 / (512.0 * math.pi**4)


# ------------------------------------------------------------------------------------------------
# single-meson channels with K, η, η′, ρ, ω, K*, φ (B2018 Sec. 3.2.1, "Single meson in the final state");
# all at |U_α|² = 1 for a Dirac N, in MeV, 0 when closed
# ------------------------------------------------------------------------------------------------
def width_lepton_pseudoscalar(m: float, m_l: float, m_p: float, f: float, v_ckm: float) -> float:
    """Γ(N → ℓ⁻P⁺), charged pseudoscalar P of decay constant f (MeV) and CKM element v_ckm, MeV:
    G_F² f² |V|² m³/(16π) [(1 − x_ℓ²)² − x_P²(1 + x_ℓ²)] λ^{1/2}(1, x_P², x_ℓ²) (B2018 Sec. 3.2.1; the ℓπ formula
    with f_π → f, V_ud → V). Also Γ(τ⁻ → ν_τ P⁻) for m = m_τ, m_l = 0 (same V−A amplitude)."""
    if m <= m_l + m_p:
        return 0.0
    xl2, xp2 = (m_l / m) ** 2, (m_p / m) ** 2
    shape = ((1.0 - xl2) ** 2 - xp2 * (1.0 + xl2)) * math.sqrt(max(float(kallen(1.0, xp2, xl2)), 0.0))
    return G_F**2 * f**2 * v_ckm**2 * m**3 / (16.0 * math.pi) * max(shape, 0.0)


def width_nu_pseudoscalar(m: float, m_p: float, f: float) -> float:
    """Γ(N → ν P⁰) for a neutral pseudoscalar of neutral-current decay constant f (MeV; f_π⁰ = f_π, f_η, f_η′ of
    B2018's table), MeV: G_F² f² m³/(32π) (1 − x_P²)² (B2018 Sec. 3.2.1)."""
    if m <= m_p:
        return 0.0
    return G_F**2 * f**2 * m**3 / (32.0 * math.pi) * (1.0 - (m_p / m) ** 2) ** 2


def width_lepton_vector(m: float, m_l: float, m_v: float, g: float, v_ckm: float) -> float:
    """Γ(N → ℓ⁻V⁺), charged vector V with ⟨0|q̄γ^μq′|V⟩ = g ε^μ (g in MeV²), MeV:
    G_F² g² |V|² m³/(16π m_V²) [(1 − x_ℓ²)² + x_V²(1 + x_ℓ²) − 2x_V⁴] λ^{1/2}(1, x_V², x_ℓ²) (B2018 Sec. 3.2.1;
    rederived here from the trace with Σε_με_ν* = −g_μν + q_μq_ν/m_V²). For m = m_τ, m_l = 0 it is Γ(τ⁻ → ν_τ V⁻)."""
    if m <= m_l + m_v:
        return 0.0
    xl2, xv2 = (m_l / m) ** 2, (m_v / m) ** 2
    shape = ((1.0 - xl2) ** 2 + xv2 * (1.0 + xl2) - 2.0 * xv2**2) * math.sqrt(max(float(kallen(1.0, xv2, xl2)), 0.0))
    return G_F**2 * g**2 * v_ckm**2 * m**3 / (16.0 * math.pi * m_v**2) * max(shape, 0.0)


def width_nu_vector(m: float, m_v: float, g: float, kappa: float) -> float:
    """Γ(N → ν V⁰), MeV: G_F² κ² g² m³/(32π m_V²) (1 + 2x_V²)(1 − x_V²)² (B2018 Sec. 3.2.1), with
    ⟨0|J^Z_μ|V⁰⟩ = κ g ε_μ/√2 (:data:`KAPPA_V`)."""
    if m <= m_v:
        return 0.0
    xv2 = (m_v / m) ** 2
    return G_F**2 * kappa**2 * g**2 * m**3 / (32.0 * math.pi * m_v**2) * (1.0 + 2.0 * xv2) * (1.0 - xv2) ** 2


def _z_vector_coupling(t3: float, charge: float) -> float:
    """g_V = T₃ − 2Q sin²θ_W of a quark in the Z current (G_F/√2)[ν̄γ^μ(1−γ⁵)ν][q̄γ_μ(g_V − g_Aγ⁵)q]."""
    return t3 - 2.0 * charge * SIN2_THETA_W


_GV_U, _GV_D = _z_vector_coupling(0.5, 2.0 / 3.0), _z_vector_coupling(-0.5, -1.0 / 3.0)
#: κ_V of N → νV⁰ from the quark content and the Z vector couplings (⟨0|J^Z_μ|V⟩ = κ g ε_μ/√2):
#: ρ⁰ = (uū − dd̄)/√2: g_V^u − g_V^d = 1 − 2s_W² (as B2018); ω = (uū + dd̄)/√2: g_V^u + g_V^d = −(2/3)s_W²; φ = ss̄
#: (no 1/√2 in ⟨0|s̄γ^μs|φ⟩ = g_φ ε^μ): √2 g_V^s = −√2(½ − (2/3)s_W²). B2018's table has κ_ω = (4/3)s_W² and
#: κ_φ = (4/3)s_W² − 1, which are −2 and √2 times these (widths ×4 and ×2); its g_ω, g_φ are those that give
#: Γ(ω, φ → e⁺e⁻) in the normalisation used here (tests/test_hnl_hadronic.py), so the derived κ are used
#: (docs/portal_hnl.md, "Decays above 0.5 GeV").
KAPPA_V = {"rho0": _GV_U - _GV_D, "omega": _GV_U + _GV_D, "phi": math.sqrt(2.0) * _GV_D}

#: g_K* (MeV², ≈ 0.18 GeV²; B2018's table has no K*) is derived once, from BR(τ⁻ → K*(892)⁻ν_τ) (PDG 2022), in
#: :data:`darkbeam.production.tau_chain.G_KSTAR` (imported above): Γ(τ → ν K*) there equals
#: width_lepton_vector(m_τ, 0, m_K*, g, V_us) here (tests/test_hnl_tau.py)


def partial_widths(m: float, u2: dict[str, float], majorana: bool = True) -> dict[str, float]:
    """Partial widths of N (MeV) by channel name (:data:`CHANNELS`, all present, 0 when closed), for mixings
    ``u2`` = {"e": |U_e4|², "mu": |U_μ4|², "tau": |U_τ4|²}; Majorana: twice the Dirac widths."""
    u = {f: float(u2.get(f, 0.0)) for f in FLAVOURS}
    tot = sum(u.values())
    w = dict.fromkeys(CHANNELS, 0.0)
    w["nu nu nu"] = tot * width_3nu(m)
    for beta, name in (("e", "nu e+ e-"), ("mu", "nu mu+ mu-")):
        w[name] = sum(u[a] * width_nu_ll(m, LEPTON_MASS[beta], a == beta) for a in FLAVOURS)
    # ℓ_α⁻ ℓ_β⁺ ν_β with α ≠ β: N → e⁻μ⁺ν_μ (U_e) and N → μ⁻e⁺ν_e (U_μ); τ closed
    w["e mu nu"] = u["e"] * width_cc_leptons(m, M_E, M_MU) + u["mu"] * width_cc_leptons(m, M_MU, M_E)
    w["e pi"] = u["e"] * width_lepton_pi(m, M_E)
    w["mu pi"] = u["mu"] * width_lepton_pi(m, M_MU)
    w["nu pi0"] = tot * width_nu_pi0(m)
    w["nu gamma"] = tot * width_nu_gamma(m)
    # ℓ_α⁻ τ⁺ ν_τ (U_α) and τ⁻ ℓ_β⁺ ν_β (U_τ), open above m_τ + m_ℓ (B2018 Sec. 3.1.1)
    for lep, ml, name in (("e", M_E, "e tau nu"), ("mu", M_MU, "mu tau nu")):
        w[name] = u[lep] * width_cc_leptons(m, ml, M_TAU) + u["tau"] * width_cc_leptons(m, M_TAU, ml)
    # single mesons (B2018 Sec. 3.2.1): charged ones ∝ |U_ℓ|², neutral ones ∝ Σ|U_α|²
    for lep, ml in (("e", M_E), ("mu", M_MU)):
        w[f"{lep} K"] = u[lep] * width_lepton_pseudoscalar(m, ml, M_K, F_K, V_US)
        w[f"{lep} rho"] = u[lep] * width_lepton_vector(m, ml, M_RHO, G_RHO, V_UD)
        w[f"{lep} K*"] = u[lep] * width_lepton_vector(m, ml, M_KSTAR, G_KSTAR, V_US)
    w["tau pi"] = u["tau"] * width_lepton_pseudoscalar(m, M_TAU, M_PI, F_PI, V_UD)
    w["nu eta"] = tot * width_nu_pseudoscalar(m, M_ETA, F_ETA)
    w["nu eta'"] = tot * width_nu_pseudoscalar(m, M_ETAP, F_ETAP)
    w["nu rho0"] = tot * width_nu_vector(m, M_RHO0, G_RHO, KAPPA_V["rho0"])
    w["nu omega"] = tot * width_nu_vector(m, M_OMEGA, G_OMEGA, KAPPA_V["omega"])
    w["nu phi"] = tot * width_nu_vector(m, M_PHI, G_PHI, KAPPA_V["phi"])
    factor = 2.0 if majorana else 1.0
    return {k: float(factor * v) for k, v in w.items()}


def e_mu_order_fraction(m: float, u2: dict[str, float]) -> float | None:
    """Share of N → e⁻μ⁺ν_μ (|U_e4|²) in the "e mu nu" width, the rest N → μ⁻e⁺ν_e (|U_μ4|²) (module docstring;
    the same for a Majorana N, whose widths are both doubled); None when the channel is closed."""
    we = float(u2.get("e", 0.0)) * width_cc_leptons(m, M_E, M_MU)
    wm = float(u2.get("mu", 0.0)) * width_cc_leptons(m, M_MU, M_E)
    return we / (we + wm) if we + wm > 0 else None




def _open_nu_ll(m: float, u: dict[str, float]):
    """The open ν ℓ⁺ℓ⁻ channels at mass ``m`` (MeV) and mixings ``u``: (channel, m_ℓ, the same-flavour mixing (Z + W),
    the sum of the other mixings (Z only)), for ℓ = e, μ."""
    for beta, name in (("e", "nu e+ e-"), ("mu", "nu mu+ mu-")):
        ml = LEPTON_MASS[beta]
        same, other = u[beta], sum(v for f, v in u.items() if f != beta)
        if m > 2.0 * ml and same + other > 0:
            yield name, ml, same, other


def _e_mu_open(m: float, u: dict[str, float]) -> bool:
    """Whether N → e μ ν is open at mass ``m`` (MeV) with mixings ``u`` (|U_e|² or |U_μ|² non-zero)."""
    return m > M_E + M_MU and u["e"] + u["mu"] > 0


def dalitz_densities(m: float, u2: dict[str, float]) -> dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """Spin-summed |M|² of the open three-body detection channels (``Decays.dalitz_msq``) as functions f(s12, s01) of
    the decay-in-volume Dalitz invariants (MeV²; daughters as listed there: (ν, ℓ⁺, ℓ⁻) and (ν, e, μ)), normalised so
    that ∫ f ds12 ds01 /(512 π³ m³) is the Dirac partial width (PDG RPP Eq. 49.22, ½ for the N spin average;
    ×2 for a Majorana N, whose charge states have the same |M|²; interactions/hnl_decays.msq_nu_ll).

    * "nu e+ e-", "nu mu+ mu-": Σ_α |U_α|² |M_α|², the flavours of the light neutrino do not interfere; α = β has the
      W exchange and its interference with the Z (:func:`darkbeam.interactions.hnl_decays.msq_nu_ll`), α ≠ β the Z
      only. s01 = (p_ν + p_ℓ⁺)², so |M|² is evaluated at (p_ν + p_ℓ⁻)² = m² + 2m_ℓ² − s12 − s01.
    * "e mu nu": the listed order N → e⁻μ⁺ν_μ, |U_e|² |M|²(s12, s01) with s01 = (p_ν + p_e)²; and under
      ``pair_conjugate_key(channel)`` the other order N → μ⁻e⁺ν_e, |U_μ|² |M|² at (p_ν + p_μ)² = m² + m_e² + m_μ² − s12 − s01 with
      the masses exchanged (:func:`darkbeam.interactions.hnl_decays.msq_cc_leptons`): the kinematics of each event
      follow its written order.
    Summed over the N spin: its dependence is :func:`dalitz_spin_terms`."""
    out: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {}
    u = {f: float(u2.get(f, 0.0)) for f in FLAVOURS}
    for name, ml, same, other in _open_nu_ll(m, u):
        def nu_ll(s12, s01, ml=ml, same=same, other=other):
            s_minus = m * m + 2.0 * ml * ml - s12 - s01
            return same * msq_nu_ll(m, ml, True, s12, s_minus) + other * msq_nu_ll(m, ml, False, s12, s_minus)

        out[name] = nu_ll
    if _e_mu_open(m, u):
        total = m * m + M_E * M_E + M_MU * M_MU
        out["e mu nu"] = lambda s12, s01: u["e"] * msq_cc_leptons(m, M_E, M_MU, s12, s01)
        out[pair_conjugate_key("e mu nu")] = (
            lambda s12, s01: u["mu"] * msq_cc_leptons(m, M_MU, M_E, s12, total - s12 - s01))
    return out


def dalitz_spin_terms(m: float, u2: dict[str, float]) -> dict[str, Callable]:
    """Spin dependence of the |M|² of :func:`dalitz_densities` (``Decays.dalitz_spin``, same keys and daughters): per
    channel g(s12, s01) -> (b_ν, b_1, b_2) with |M|²(s) = ½ f + Σ b_i k_i·s for N (or one charge state of a Majorana
    N; the CP image has −b, applied by the decay-in-volume process): the flavour-weighted sums of
    :func:`darkbeam.interactions.hnl_decays.spin_nu_ll` and ``spin_cc_leptons`` (left-handed N current: ½ of the spin
    sum at k_N → k_N − m s)."""
    out: dict[str, Callable] = {}
    u = {f: float(u2.get(f, 0.0)) for f in FLAVOURS}
    for name, ml, same, other in _open_nu_ll(m, u):
        def nu_ll(s12, s01, ml=ml, same=same, other=other):
            s_minus = m * m + 2.0 * ml * ml - s12 - s01
            bs = [np.add(same * x, other * y) for x, y in zip(spin_nu_ll(m, ml, True, s12, s_minus),
                                                              spin_nu_ll(m, ml, False, s12, s_minus), strict=True)]
            return bs[0], bs[2], bs[1]  # listed (ν, ℓ⁺, ℓ⁻)

        out[name] = nu_ll
    if _e_mu_open(m, u):
        total = m * m + M_E * M_E + M_MU * M_MU

        def listed(s12, s01):
            return tuple(u["e"] * x for x in spin_cc_leptons(m, M_E, M_MU, s12, s01))

        def other_order(s12, s01):
            b_nu, b_mu, b_e = spin_cc_leptons(m, M_MU, M_E, s12, total - s12 - s01)
            return u["mu"] * b_nu, u["mu"] * b_e, u["mu"] * b_mu

        out["e mu nu"], out[pair_conjugate_key("e mu nu")] = listed, other_order
    return out


# ------------------------------------------------------------------------------------------------
# the model
# ------------------------------------------------------------------------------------------------
@register_model("heavy-neutral-lepton")
class HeavyNeutralLepton(Model):
    """Heavy neutral lepton N (mass m_n, mixings |U_a4|^2): pi/K/D -> l N; N -> mu pi, e pi, nu e+ e-, nu pi0,
    nu mu+ mu-, nu gamma, e mu nu inside the detector."""

    name = "heavy-neutral-lepton"
    boson = "N"  # the new state the production channels emit (a fermion: no boson_kind)
    boson_kind = None
    #: particle id of N in samples and event records (DarkNews' N4, darkbeam.particles.HNL_PDG)
    state_pdg = HNL_PDG[0]
    mass_param = "m_n"
    invisible_channels = INVISIBLE_CHANNELS
    params = (
        Param("m_n", "energy", 300.0, "HNL mass m_N (0 < m_N < m_Ds - m_e; above m_K - m_mu only D/D_s make N, "
              "at the 120 GeV beams)"),
        Param("u2_e", "dimensionless", 0.0, "|U_e4|^2: squared mixing of N with nu_e"),
        Param("u2_mu", "dimensionless", 1e-7, "|U_mu4|^2: squared mixing of N with nu_mu"),
        Param("u2_tau", "dimensionless", 0.0, "|U_tau4|^2: squared mixing of N with nu_tau"),
        Param("nature", "dimensionless", "majorana", "Majorana (every width doubled by the charge conjugates) "
              "or Dirac", choices=NATURES),
        Param("polarisation", "dimensionless", "on", "N polarised from pi/K -> l N, its decays oriented about the "
              "spin (l pi, nu gamma, nu pi0 for a Dirac N; the three-body channels for both natures), or off: "
              "isotropic decays",
              choices=POLARISATION),
    )
    # π±/K± → ℓN in flight or at rest; D±/D_s± → ℓN, prompt, where the beam makes charm (120 GeV: beams.charm);
    # D±/D_s± → τν, τ → N X (production/tau_chain.py, after the others: their random streams are untouched)
    production = (MesonTwoBody(), PromptMesonTwoBody(), TauChain())
    # the first four in their original order (each part is built with the same seed: the added channels change none)
    detection = (DecayInVolume("N", "mu pi"), DecayInVolume("N", "e pi"), DecayInVolume("N", "nu e+ e-"),
                 DecayInVolume("N", "nu pi0"), DecayInVolume("N", "nu mu+ mu-"), DecayInVolume("N", "nu gamma"),
                 DecayInVolume("N", "e mu nu"))

    def validate(self) -> None:
        m = self.values["m_n"]
        if not 0.0 < m < M_DS - M_E:
            raise InputError(f"{self.name}.m_n", m, f"a mass between 0 and m_Ds - m_e = {M_DS - M_E:.6g} MeV "
                                                    "(N is made in pi/K/D/D_s decays; heavier parents are not modelled)")
        for f in FLAVOURS:
            if self.values[f"u2_{f}"] > 1.0:
                raise InputError(f"{self.name}.u2_{f}", self.values[f"u2_{f}"], "a squared mixing |U|^2 <= 1")

    # --- couplings the channels read -----------------------------------------------------------------
    def mixing_squared(self, lepton: str) -> float:
        """|U_ℓ4|² of the charged lepton ``lepton`` ("e", "mu", "tau"): the production rate of P → ℓN ∝ it."""
        if lepton not in FLAVOURS:
            raise InputError(f"{self.name} lepton flavour", lepton, FLAVOURS)
        return float(self.values[f"u2_{lepton}"])

    def lepton_coupling(self, lepton: str) -> float:
        """|U_ℓ4| (so that generic flux code, which squares it, sees the production coupling |U_ℓ4|²)."""
        return math.sqrt(self.mixing_squared(lepton))

    @property
    def majorana(self) -> bool:
        return self.values["nature"] == "majorana"

    # --- decays --------------------------------------------------------------------------------------
    def decays(self) -> dict[str, Decays]:
        m = float(self.values["m_n"])
        u2 = {f: self.values[f"u2_{f}"] for f in FLAVOURS}
        widths = partial_widths(m, u2, self.majorana)
        asym: dict[str, float] = {}
        spin: dict[str, Callable] = {}
        if self.values["polarisation"] == "on":
            # N → ℓ⁻π⁺: the pion (first daughter of TWO_BODY_FINAL_STATES) has −α of the lepton; a Majorana N's
            # charge-summed decay is isotropic, each charge state keeps its asymmetry (±α): charge_asymmetry
            asym = {ch: -lepton_meson_asymmetry(m, LEPTON_MASS[lep], M_PI) for ch, lep in (("mu pi", "mu"), ("e pi", "e"))}
            # three-body: |M|²(s) of each charge state (both natures; docs/portal_hnl.md, "Polarisation")
            spin = dalitz_spin_terms(m, u2)
        # event records: N̄ (from P⁻) and its charge-conjugate decays for a Dirac N; either charge state for a Majorana N;
        # "e mu nu": the listed e⁻μ⁺ order with the |U_e|² share (module docstring)
        f = e_mu_order_fraction(m, u2)
        pairs = {} if f is None else {"e mu nu": f}
        # three-body channels: their spin-summed |M|² (the same shape for both natures; the spin in ``spin``)
        msq = dalitz_densities(m, u2)
        if self.majorana:  # N → ν γ: ν γ + ν̄ γ is isotropic (hnl_decays.NU_GAMMA_ASYMMETRY), nothing declared
            return {"N": Decays("N", m, widths, {}, self_conjugate=True, charge_asymmetry=asym,
                                   pair_charge_fraction=pairs, dalitz_msq=msq, dalitz_spin=spin)}
        if asym:  # Dirac N → ν_L γ: the photon against the spin (α = −1; N̄ → ν̄_R γ: +1, from cp_conjugate);
            asym["nu gamma"] = NU_GAMMA_ASYMMETRY  # N → ν_L π⁰: the π⁰ along it (α = +1, hnl_decays.NU_PI0_ASYMMETRY)
            asym["nu pi0"] = NU_PI0_ASYMMETRY
        return {"N": Decays("N", m, widths, asym, self_conjugate=False, pair_charge_fraction=pairs, dalitz_msq=msq,
                            dalitz_spin=spin)}

    def coupling_product(self) -> dict:
        return {"name": "u2_e + u2_mu + u2_tau", "value": float(sum(self.values[f"u2_{f}"] for f in FLAVOURS)),
                "unit": ""}


__all__ = ["CHANNELS", "G_KSTAR", "KAPPA_V", "HeavyNeutralLepton", "cc_phase_space", "dalitz_densities", "dalitz_spin_terms",
           "e_mu_order_fraction", "nc_coefficients", "partial_widths",
           "width_3nu", "width_cc_leptons", "width_lepton_pi", "width_lepton_pseudoscalar", "width_lepton_vector",
           "width_nu_gamma", "width_nu_ll", "width_nu_pi0", "width_nu_pseudoscalar", "width_nu_vector"]
