"""The neutrino portal: a heavy neutral lepton N mixing with the active neutrinos (seed 004, Sec. 5.3).

Model (seed 004 Sec. 5.3.1, the minimal phenomenological one): one N of mass m_N, Dirac or Majorana, whose
only interactions are through its mixing with ν_e, ν_μ, ν_τ, with parameters |U_α4|² (``u2_e``, ``u2_mu``,
``u2_tau``: the SQUARED moduli, the quantity experiments quote). Weak currents: ν_α → ν_α + U_α N in the
W and Z couplings (e.g. Bondarenko, Boyarsky, Gorbunov, Ruchayskiy, JHEP 11 (2018) 032, arXiv:1805.08567,
Sec. 1.1, "B2018" below).

* Production (:class:`darkbeam.production.two_body.MesonTwoBody`): π±, K± → ℓ± N in flight (decay-in-flight
  beams) and π⁺, K⁺ → ℓ⁺ N at rest (stopped sources, e.g. the NuMI absorber's K⁺: a monochromatic N),
  Γ = |U_ℓ|² Γ_SM(P → ℓν) ρ (Shrock 1981; B2018 Sec. 2.1.1), isotropic in the parent frame.
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
  Channels with a K or an η are closed (N is made in K decays, so m_N < m_K − m_e). Not modelled: the
  two-pion channels N → ℓ⁻π⁺π⁰ and N → νπ⁺π⁻ (open above 275 and 279 MeV, through an off-shell ρ: strongly
  suppressed far below m_ρ = 775 MeV).
  f_π = 130.2 MeV, |V_ud|, G_F, sin²θ_W (MS-bar, 0.23121) from :mod:`darkbeam.constants`.
  B2018 is cited by section (its table of contents was checked; docs/portal_hnl.md says why equation
  numbers are not quoted); every formula is checked against an independent calculation in tests/test_hnl.py.
* Detection: N → μ∓π± and N → e∓π± inside the detector (``DecayInVolume("N", "mu pi")``,
  ``DecayInVolume("N", "e pi")``: darkbeam's generic decay-in-volume process, one sample per channel joined by
  ``pipeline.signal.build_signal``; the eπ channel, ∝ |U_e4|², is empty with its reason when u2_e = 0 and
  is then not re-weighted into: a sample to be used at u2_e > 0 is generated at u2_e > 0). "mu pi" and
  "e pi" are the charge-summed channels (for Majorana N both charges; for Dirac N
  the one the beam's N or N̄ makes), written in event records as π⁺ μ⁻. The decay is isotropic in the N
  rest frame: exact for a Majorana N summed over the two charge states (their angular asymmetries are
  equal and opposite under CP), an approximation for a Dirac N, whose decay is (1 + α cos θ)-distributed
  with respect to its polarisation (docs/portal_hnl.md, "Polarisation").

Valid for 0 < m_N < m_K − m_e (production from π and K only). Tree-level widths, no radiative or QCD
corrections; τ channels are closed at these masses.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..constants import ALPHA_EM, F_PI, G_F, M_E, M_K, M_MU, M_PI, M_PI0, SIN2_THETA_W, V_UD
from ..errors import InputError
from ..interactions.channels import DecayInVolume
from ..kinematics.fourvec import kallen
from ..particles import HNL_PDG
from ..production.two_body import MesonTwoBody
from .base import Decays, Model, Param
from .plugins import register_model

#: charged-lepton masses by flavour (τ: every τ channel is closed below m_K)
LEPTON_MASS = {"e": M_E, "mu": M_MU}
FLAVOURS = ("e", "mu", "tau")
#: decay channels of N (names of ``decays()["N"].widths``, always all present; 0 when closed)
CHANNELS = ("nu nu nu", "nu e+ e-", "nu mu+ mu-", "e mu nu", "e pi", "mu pi", "nu pi0", "nu gamma")
#: channels of N with no visible particle
INVISIBLE_CHANNELS = ("nu nu nu",)
NATURES = ("majorana", "dirac")


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
    factor = 2.0 if majorana else 1.0
    return {k: float(factor * v) for k, v in w.items()}


# ------------------------------------------------------------------------------------------------
# the model
# ------------------------------------------------------------------------------------------------
@register_model("heavy-neutral-lepton")
class HeavyNeutralLepton(Model):
    """Heavy neutral lepton N (mass m_n, mixings |U_a4|^2): pi/K -> l N, N -> mu pi inside the detector."""

    name = "heavy-neutral-lepton"
    boson = "N"  # the new state the production channels emit (a fermion: no boson_kind)
    boson_kind = None
    #: particle id of N in samples and event records (DarkNews' N4, darkbeam.particles.HNL_PDG)
    state_pdg = HNL_PDG[0]
    mass_param = "m_n"
    invisible_channels = INVISIBLE_CHANNELS
    params = (
        Param("m_n", "energy", 300.0, "HNL mass m_N (0 < m_N < m_K - m_e)"),
        Param("u2_e", "dimensionless", 0.0, "|U_e4|^2: squared mixing of N with nu_e"),
        Param("u2_mu", "dimensionless", 1e-7, "|U_mu4|^2: squared mixing of N with nu_mu"),
        Param("u2_tau", "dimensionless", 0.0, "|U_tau4|^2: squared mixing of N with nu_tau"),
        Param("nature", "dimensionless", "majorana", "Majorana (every width doubled by the charge conjugates) "
              "or Dirac", choices=NATURES),
    )
    production = (MesonTwoBody(),)
    detection = (DecayInVolume("N", "mu pi"), DecayInVolume("N", "e pi"))

    def validate(self) -> None:
        m = self.values["m_n"]
        if not 0.0 < m < M_K - M_E:
            raise InputError(f"{self.name}.m_n", m, f"a mass between 0 and m_K - m_e = {M_K - M_E:.6g} MeV "
                                                    "(N is made in pi/K decays; heavier channels are not modelled)")
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
        return {"N": Decays("N", m, partial_widths(m, u2, self.majorana))}

    def coupling_product(self) -> dict:
        return {"name": "u2_e + u2_mu + u2_tau", "value": float(sum(self.values[f"u2_{f}"] for f in FLAVOURS)),
                "unit": ""}


__all__ = ["CHANNELS", "HeavyNeutralLepton", "cc_phase_space", "nc_coefficients", "partial_widths", "width_3nu",
           "width_cc_leptons", "width_lepton_pi", "width_nu_gamma", "width_nu_ll", "width_nu_pi0"]
