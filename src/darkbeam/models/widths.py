"""Decay widths, branching ratios, lifetimes and survival of the new bosons (darkbeam issue 4, item 1).

Bosons and channels (all widths in MeV, internal units):

* muon-philic scalar φ / pseudoscalar a (seed 000 = Dutta et al., arXiv:2110.11944, Eq. 2)
    L ⊃ g_n Z'_α ū γ^α u + g_ℓ φ ℓ̄ℓ + (λ/4) φ F'_{μν} F^{μν}          (scalar)
    L ⊃ g_n Z'_α ū γ^α u + i g_ℓ a ℓ̄γ5ℓ + (λ/4) a F'_{μν} F̃^{μν}     (pseudoscalar), ℓ = μ (g_mu), e (g_e)
  channels: γγ (charged-lepton loop), e+e−, μ+μ−, γZ' (λ operator, when m_X > m_Z').
  X → γ ℓ+ℓ− through an off-shell Z' is absent: the Z' of Eq. 2 couples to u quarks only, so it has no
  tree-level lepton coupling (a loop-induced γ–Z' mixing ~ e g_n/(16π²) is beyond the model). Below the
  pion threshold Z'* has no open final state at all. See docs/widths.md.
* dark photon V (ε e J_EM·V): e+e−, μ+μ−, π+π− (R(s) from the Gounaris–Sakurai ρ form factor); valid for
  m_V ≤ 1 GeV (above, KK̄, 4π, ... would be missing: InputError).
* vector-idm V1: the same visible channels with ε1, plus χχ fixed by br_v1_chichi, plus χχ' (single
  mediator, g' = g_prime) when open; V2 (double mediator): visible channels with ε2, plus χχ' (g_prime).

Vertex normalisation of the λ operator: the Feynman rule is taken as printed in seed 000 App. C
(Eqs. C1, C4), i λ [q^ρ k^ν − (k·q) g^{ρν}] (scalar) and i λ ε^{νραβ} q_α k_β (pseudoscalar), the
convention of darkbeam.interactions.primakoff ("+h.c." of Eq. 2 doubling the real operator). The
literal (λ/4) φ F'F alone would give λ/2 and widths 4 times smaller (LAMBDA_VERTEX below).

Every formula is vectorised over the boson mass so that mass scans need no Python loop.
"""

from __future__ import annotations

import math

import numpy as np
from particle import Particle

from ..constants import ALPHA_EM, E_CHARGE, HBARC, M_E, M_MU, M_PI
from ..declarations import Decays, Model
from ..errors import ClosedChannelError, InputError
from ..kinematics.fourvec import two_body_momentum
from ..propagation.decay import survival_probability as _survival_along_path

ArrayLike = float | np.ndarray

# Channel names (keys of partial_widths dictionaries).
GG = "gamma gamma"
EE = "e+ e-"
MUMU = "mu+ mu-"
GZP = "gamma Zprime"
PIPI = "pi+ pi-"
CHICHI = "chi chi"
CHICHIP = "chi chi'"

LEPTON_MASS = {"e": M_E, "mu": M_MU}
LEPTON_CHANNEL = {"e": EE, "mu": MUMU}

# Coefficient of the λ vertex relative to λ (seed 000 Eqs. C1/C4 convention; see module docstring).
LAMBDA_VERTEX = 1.0

# ρ(770)0 mass and width for the pion form factor (PDG via scikit-hep particle).
_RHO = Particle.from_pdgid(113)
M_RHO = float(_RHO.mass)
GAMMA_RHO = float(_RHO.width)
# Upper end of validity of the hadronic (ππ only) description of R(s).
M_V_MAX_HADRONIC = 1000.0


# ---------------------------------------------------------------------------------------------
# Fermion-loop functions for X → γγ
# ---------------------------------------------------------------------------------------------
def loop_f(tau: ArrayLike) -> np.ndarray:
    """Triangle function f(τ), τ = m_X²/(4 m_f²) (Djouadi, hep-ph/0503172, Eq. 2.20; complex).

    f(τ) = arcsin²(√τ) for τ ≤ 1;  −¼ [ln((1+√(1−1/τ))/(1−√(1−1/τ))) − iπ]² for τ > 1.
    Equivalently f(τ) = −½ ∫₀¹ dx/x ln[1 − 4τ x(1−x) − i0] (tested).
    """
    tau = np.asarray(tau, float)
    below = tau <= 1.0
    tb = np.where(below, tau, 0.0)
    ta = np.where(below, 2.0, tau)
    r = np.sqrt(1.0 - 1.0 / ta)
    f_below = np.arcsin(np.sqrt(tb)) ** 2 + 0j
    f_above = -0.25 * (np.log((1.0 + r) / (1.0 - r)) - 1j * np.pi) ** 2
    return np.where(below, f_below, f_above)


def loop_amp_scalar(tau: ArrayLike) -> np.ndarray:
    """Spin-½ loop amplitude for a scalar (CP-even) coupling, A^H_{1/2}(τ) = 2[τ + (τ−1) f(τ)]/τ²
    (Djouadi I, hep-ph/0503172, Eq. 2.19). Limits: 4/3 for τ → 0 (heavy fermion), → 0 for τ → ∞."""
    tau = np.asarray(tau, float)
    small = tau < 1e-4
    ts = np.where(small, 1.0, tau)
    exact = 2.0 * (ts + (ts - 1.0) * loop_f(ts)) / ts**2
    # Taylor series for small τ (avoids the cancellation in τ + (τ−1) f): 4/3 + 14τ/45 + ...
    series = 4.0 / 3.0 + 14.0 / 45.0 * tau + 0j
    return np.where(small, series, exact)


def loop_amp_pseudoscalar(tau: ArrayLike) -> np.ndarray:
    """Spin-½ loop amplitude for a pseudoscalar (CP-odd) coupling, A^A_{1/2}(τ) = 2 f(τ)/τ
    (Djouadi II, hep-ph/0503173, Eq. 2.26). Limits: 2 for τ → 0, → 0 for τ → ∞."""
    tau = np.asarray(tau, float)
    small = tau < 1e-4
    ts = np.where(small, 1.0, tau)
    exact = 2.0 * loop_f(ts) / ts
    series = 2.0 + 2.0 / 3.0 * tau + 0j  # arcsin²√τ/τ = 1 + τ/3 + ...
    return np.where(small, series, exact)


_LOOP = {"scalar": loop_amp_scalar, "pseudoscalar": loop_amp_pseudoscalar}


def _kind(kind: str) -> str:
    if kind not in _LOOP:
        raise InputError("boson kind", kind, tuple(_LOOP))
    return kind


def width_x_gammagamma(m_x: ArrayLike, kind: str, couplings: dict[str, float]) -> np.ndarray:
    """Γ(X → γγ) in MeV through charged-lepton loops.

    Γ = α² m_X³/(256 π³) |Σ_ℓ Q_ℓ² (g_ℓ/m_ℓ) A_{1/2}(τ_ℓ)|²,  τ_ℓ = m_X²/(4 m_ℓ²)
    (Djouadi I Eq. 2.18 / II Eq. 2.25 with the Higgs/A Yukawa m_f/v → g_ℓ, Q_ℓ² = 1, N_c = 1).
    Heavy-lepton limit (pseudoscalar): the axion-like g_aγγ = α g_ℓ/(π m_ℓ), Γ = g_aγγ² m³/(64π).

    Args:
        m_x: boson mass(es), MeV. kind: "scalar" or "pseudoscalar".
        couplings: {"mu": g_mu, "e": g_e} (dimensionless Yukawas; missing leptons count as 0).
    """
    loop = _LOOP[_kind(kind)]
    m_x = np.asarray(m_x, float)
    amp = np.zeros(np.shape(m_x), complex)
    for lep, g in couplings.items():
        if lep not in LEPTON_MASS:
            raise InputError("lepton", lep, tuple(LEPTON_MASS))
        if g != 0.0:
            ml = LEPTON_MASS[lep]
            amp = amp + g / ml * loop(m_x**2 / (4.0 * ml * ml))
    return ALPHA_EM**2 * m_x**3 / (256.0 * math.pi**3) * np.abs(amp) ** 2


def width_x_leptons(m_x: ArrayLike, m_l: float, g: float, kind: str) -> np.ndarray:
    """Γ(X → ℓ+ℓ−) in MeV for g X ℓ̄ℓ (scalar) or i g X ℓ̄γ5ℓ (pseudoscalar).

    Spin sums: Tr[(p1̸+m)(p2̸−m)] = 4(p1·p2 − m²) = 2 m_X² β²;  Tr[(p1̸+m)γ5(p2̸−m)γ5] = 2 m_X²,
    with Γ = |p| Σ|M|²/(8π m_X²), |p| = m_X β/2 give
      scalar:       Γ = g² m_X β³/(8π),   pseudoscalar:  Γ = g² m_X β/(8π),   β = √(1 − 4m_ℓ²/m_X²)
    (e.g. Djouadi I Eq. 2.6 / II Eq. 2.9 with m_f/v → g). Exactly 0 at and below threshold.
    """
    _kind(kind)
    m_x = np.asarray(m_x, float)
    open_ = m_x > 2.0 * m_l
    ms = np.where(open_, m_x, 1.0)
    beta = np.sqrt(np.clip(1.0 - 4.0 * m_l * m_l / (ms * ms), 0.0, None))
    power = 3 if kind == "scalar" else 1
    return np.where(open_, g * g * ms * beta**power / (8.0 * math.pi), 0.0)


def width_x_gamma_zprime(m_x: ArrayLike, m_zp: float, lam: float) -> np.ndarray:
    """Γ(X → γ Z') in MeV from the λ operator (scalar and pseudoscalar alike).

    Vertex V = c λ [(q·k) g^{νρ} − k^ν q^ρ] or c λ ε^{νραβ} q_α k_β (q: Z', k: photon, c = LAMBDA_VERTEX).
    Polarisation sums (−g for γ, −g + qq/m² for Z'; the qq part vanishes by transversality):
      Σ|M|² = 2 c² λ² (q·k)²,  q·k = (m_X² − m_Z'²)/2   (both parities)
    and Γ = |p| Σ|M|²/(8π m_X²), |p| = (m_X² − m_Z'²)/(2 m_X):
      Γ = c² λ² (m_X² − m_Z'²)³ / (32 π m_X³)
    (cf. Γ(a → γγ) = g² m³/(64π) for identical photons). Checked in the tests by integrating the
    explicit-polarisation |M|² over the two-body phase space. 0 when m_X ≤ m_Z'.
    """
    m_x = np.asarray(m_x, float)
    open_ = m_x > m_zp
    ms = np.where(open_, m_x, 1.0)
    d = np.clip(ms * ms - m_zp * m_zp, 0.0, None)
    return np.where(open_, (LAMBDA_VERTEX * lam) ** 2 * d**3 / (32.0 * math.pi * ms**3), 0.0)


# ---------------------------------------------------------------------------------------------
# Vectors: dark photon, inelastic-DM mediators
# ---------------------------------------------------------------------------------------------
def width_vector_fermions(m_v: ArrayLike, m1: float, m2: float, g: float) -> np.ndarray:
    """Γ(V → f1 f̄2) in MeV for a vector coupling g V_μ f̄2 γ^μ f1 (Dirac fermions, masses m1, m2).

    (1/3) Σ|M|² = (4g²/3)[m_V² − (m1² + m2²)/2 − (m1² − m2²)²/(2 m_V²) + 3 m1 m2] from the trace with
    −g^{μν} + k^μk^ν/m_V², and Γ = |p| (1/3)Σ|M|²/(8π m_V²). For m1 = m2 = m_f:
      Γ = g² m_V (1 + 2m_f²/m_V²) √(1 − 4m_f²/m_V²)/(12π),  i.e. α ε² m_V/3 (...) for g = eε
    (e.g. Batell, Pospelov, Ritz, PRD 79 (2009) 115008). 0 at and below threshold.
    """
    m_v = np.asarray(m_v, float)
    open_ = m_v > m1 + m2
    ms = np.where(open_, m_v, 1.0)
    p = two_body_momentum(ms, m1, m2)
    bracket = 2.0 * ms**2 - m1**2 - m2**2 - (m1**2 - m2**2) ** 2 / ms**2 + 6.0 * m1 * m2
    return np.where(open_, g * g * p * bracket / (12.0 * math.pi * ms**2), 0.0)


def width_vector_leptons(m_v: ArrayLike, eps: float, m_l: float) -> np.ndarray:
    """Γ(V → ℓ+ℓ−) = (α ε² m_V/3)(1 + 2m_ℓ²/m_V²)√(1 − 4m_ℓ²/m_V²), MeV (coupling eε to charge)."""
    return width_vector_fermions(m_v, m_l, m_l, E_CHARGE * eps)


def _gs_k(s: np.ndarray) -> np.ndarray:
    return 0.5 * np.sqrt(np.clip(s - 4.0 * M_PI**2, 0.0, None))


def _gs_h(s: np.ndarray) -> np.ndarray:
    rs = np.sqrt(s)
    k = _gs_k(s)
    return 2.0 / math.pi * k / rs * np.log((rs + 2.0 * k) / (2.0 * M_PI))


def pion_form_factor(s: ArrayLike) -> np.ndarray:
    """Pion EM form factor F_π(s) (complex) for s ≥ 4 m_π² (MeV²): Gounaris–Sakurai ρ(770) alone
    (G.J. Gounaris, J.J. Sakurai, PRL 21 (1968) 244; form as in Belle, PRD 78 (2008) 072006, Eqs. 4–8):

      F = m_ρ²(1 + d Γ_ρ/m_ρ) / (m_ρ² − s + f(s) − i m_ρ Γ(s)),  Γ(s) = Γ_ρ (m_ρ/√s)(k/k_ρ)³,
      f(s) = Γ_ρ m_ρ²/k_ρ³ [k² (h(s) − h(m_ρ²)) + (m_ρ² − s) k_ρ² h'(m_ρ²)],
      h(s) = (2/π)(k/√s) ln((√s + 2k)/(2m_π)),  k = ½√(s − 4m_π²),
      d = (3/π) m_π²/k_ρ² ln((m_ρ + 2k_ρ)/(2m_π)) + m_ρ/(2π k_ρ) − m_π² m_ρ/(π k_ρ³)   (so F(0) = 1).

    ρ–ω mixing and ρ', ρ'' are neglected: fine (few %) below ~600 MeV, ~30% low at the ρ peak.
    Below threshold the result is unused (the ππ width vanishes) and returned as 1.
    """
    s = np.asarray(s, float)
    above = s > 4.0 * M_PI**2
    ss = np.where(above, s, M_RHO**2)
    mr2 = M_RHO**2
    kr = _gs_k(np.asarray(mr2))
    hr = _gs_h(np.asarray(mr2))
    dhr = hr * (1.0 / (8.0 * kr**2) - 1.0 / (2.0 * mr2)) + 1.0 / (2.0 * math.pi * mr2)  # h'(m_ρ²)
    k = _gs_k(ss)
    f = GAMMA_RHO * mr2 / kr**3 * (k**2 * (_gs_h(ss) - hr) + (mr2 - ss) * kr**2 * dhr)
    d = (3.0 / math.pi * M_PI**2 / kr**2 * math.log((M_RHO + 2.0 * kr) / (2.0 * M_PI))
         + M_RHO / (2.0 * math.pi * kr) - M_PI**2 * M_RHO / (math.pi * kr**3))
    gam = GAMMA_RHO * M_RHO / np.sqrt(ss) * (k / kr) ** 3
    F = mr2 * (1.0 + d * GAMMA_RHO / M_RHO) / (mr2 - ss + f - 1j * M_RHO * gam)
    return np.where(above, F, 1.0 + 0j)


def width_vector_pipi(m_v: ArrayLike, eps: float) -> np.ndarray:
    """Γ(V → π+π−) = Γ_μμ(m_μ → 0) R_ππ(m_V²) = (α ε² m_V/12) β_π³ |F_π(m_V²)|², MeV.

    R_ππ(s) = β_π³|F_π|²/4 (point-like scalar QED times the form factor; e.g. Ilten, Soreq, Williams,
    Xue, JHEP 06 (2018) 004, Eq. 2.10 and around). 0 below 2 m_π.
    """
    m_v = np.asarray(m_v, float)
    open_ = m_v > 2.0 * M_PI
    ms = np.where(open_, m_v, 1.0)
    beta = np.sqrt(np.clip(1.0 - 4.0 * M_PI**2 / ms**2, 0.0, None))
    ff2 = np.abs(pion_form_factor(ms**2)) ** 2
    return np.where(open_, ALPHA_EM * eps**2 * ms / 12.0 * beta**3 * ff2, 0.0)


def _check_hadronic_range(field: str, m_v: float) -> None:
    if m_v > M_V_MAX_HADRONIC:
        raise InputError(field, m_v, f"a mass <= {M_V_MAX_HADRONIC} MeV (hadronic R(s) = pi pi only)")


def dark_photon_sm_widths(m_v: float, eps: float) -> dict[str, float]:
    """Partial widths (MeV) of a kinetically mixed vector to SM final states: e+e−, μ+μ−, π+π−."""
    return {
        EE: float(width_vector_leptons(m_v, eps, M_E)),
        MUMU: float(width_vector_leptons(m_v, eps, M_MU)),
        PIPI: float(width_vector_pipi(m_v, eps)),
    }


# ---------------------------------------------------------------------------------------------
# Widths of the built-in models (each model's decays() calls one of these)
# ---------------------------------------------------------------------------------------------
#: a model's unstable states with their widths (see darkbeam.declarations.Decays)
BosonDecays = Decays


def muphilic_decays(model: Model) -> Decays:
    """φ/a of the muon-philic models: γγ (lepton loops), e⁺e⁻, μ⁺μ⁻, γZ' (seed 000 Eq. 2)."""
    kind = model.boson_kind
    m = float(model.m_x)
    coup = {"mu": float(model.g_mu), "e": float(model.g_e)}
    w = {GG: float(width_x_gammagamma(m, kind, coup))}
    for lep in ("e", "mu"):
        w[LEPTON_CHANNEL[lep]] = float(width_x_leptons(m, LEPTON_MASS[lep], coup[lep], kind))
    w[GZP] = float(width_x_gamma_zprime(m, float(model.m_zprime), float(model.lam)))
    return Decays(str(model.boson), m, w)


def dark_photon_decays(model: Model) -> Decays:
    """V of the dark-photon model: e⁺e⁻, μ⁺μ⁻, π⁺π⁻ (kinetic mixing)."""
    m = float(model.m_v)
    _check_hadronic_range("dark-photon.m_v", m)
    return Decays(str(model.boson), m, dark_photon_sm_widths(m, float(model.epsilon)))


def vector_idm_v1_decays(model: Model) -> Decays:
    """V1 of vector-idm: SM channels with ε1, χχ fixed by br_v1_chichi, χχ' (single mediator)."""
    v = model.values
    m = float(v["m_v1"])
    _check_hadronic_range("vector-idm.m_v1", m)
    w = dark_photon_sm_widths(m, float(v["eps1"]))
    # V1 → χχ' only with a known coupling: single mediator (V1 is the scattering mediator,
    # g'_1 = g_prime).
    g1p = float(v["g_prime"]) if model.single_mediator else 0.0
    w[CHICHIP] = float(width_vector_fermions(m, v["m_chi"], v["m_chi_prime"], g1p))
    # V1 → χχ: its coupling g_1 is not a parameter; BR(V1 → χχ) = br fixes it (seed 000 footnote 3):
    # Γ_χχ = br/(1 − br) Σ_other Γ.
    br = float(v["br_v1_chichi"])
    rest = sum(w.values())
    if br > 0.0:
        if br >= 1.0 or rest <= 0.0:
            raise InputError("vector-idm.br_v1_chichi", br,
                             "a value < 1 with an open visible channel (m_v1 > 2 m_e) "
                             "to fix Gamma(V1 -> chi chi)")
        w[CHICHI] = br / (1.0 - br) * rest
    else:
        w[CHICHI] = 0.0
    return Decays("V1", m, w)


def vector_idm_v2_decays(model: Model) -> Decays:
    """V2 of vector-idm (double mediator): SM channels with ε2, χχ' (g_prime)."""
    v = model.values
    m = float(v["m_v2"])
    _check_hadronic_range("vector-idm.m_v2", m)
    w = dark_photon_sm_widths(m, float(v["eps2"]))
    # V2 → χχ (diagonal g_2) is not a model parameter and is left out (docs/widths.md).
    w[CHICHIP] = float(width_vector_fermions(m, v["m_chi"], v["m_chi_prime"], float(v["g_prime"])))
    return Decays("V2", m, w)


def boson_decays(model: Model, boson: str | None = None) -> Decays:
    """Mass and partial widths of ``boson`` (default: the model's emitted boson, ``model.boson``),
    as the model declares them (``model.decays()``).

    Raises:
        InputError: the model declares no widths, or ``boson`` is not one of its unstable states.
    """
    return model.boson_decays(boson)


def partial_widths(model: Model, boson: str | None = None) -> dict[str, float]:
    """Partial widths (MeV) by channel; closed channels appear with 0."""
    return dict(boson_decays(model, boson).widths)


def total_width(model: Model, boson: str | None = None) -> float:
    """Total width Γ (MeV): sum of :func:`partial_widths`."""
    return float(sum(boson_decays(model, boson).widths.values()))


def branching_ratios(model: Model, boson: str | None = None) -> dict[str, float]:
    """Branching ratios by channel (sum to 1).

    Raises:
        ClosedChannelError: no channel is open (Γ = 0, the boson is stable in this model).
    """
    w = boson_decays(model, boson).widths
    tot = sum(w.values())
    if not tot > 0.0:
        raise ClosedChannelError(f"{model.name}: no open decay channel of {boson or model.boson}; "
                                 "branching ratios undefined (stable)")
    return {k: v / tot for k, v in w.items()}


def ctau(model: Model, boson: str | None = None) -> float:
    """Proper decay length cτ = ħc/Γ in mm (``inf`` when Γ = 0)."""
    g = total_width(model, boson)
    return HBARC / g if g > 0.0 else math.inf


def survival_probability_from_width(
    mass: float, width: float, p_lab: ArrayLike, distance: ArrayLike
) -> np.ndarray:
    """P(no decay over ``distance``) = exp(−distance · m Γ/(p ħc)), vectorised and broadcast.

    Args:
        mass: boson mass, MeV. width: total width, MeV (0 = stable).
        p_lab: lab momenta, MeV (≥ 0; p = 0 with Γ > 0 gives 0). distance: flight distances, mm (≥ 0).

    Returns values in [0, 1]; never NaN (Γ = 0 → 1, huge Γ → 0).
    """
    p = np.asarray(p_lab, float)
    L = np.asarray(distance, float)
    for name, arr in (("p_lab", p), ("distance", L)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            shown = arr if arr.size <= 4 else f"array with {arr.size} values"
            raise InputError(name, shown, "finite values >= 0")
    if not (math.isfinite(mass) and mass >= 0 and math.isfinite(width) and width >= 0):
        raise InputError("mass/width", (mass, width), "finite values >= 0")
    if width == 0.0 or mass == 0.0:
        return np.ones(np.broadcast(p, L).shape)
    # lab decay length λ = (p/m) ħc/Γ; p = 0 with Γ > 0 gives λ = 0 (decays at once)
    return _survival_along_path(L, p / mass * (HBARC / width))


def survival_probability(
    model: Model, p_lab: ArrayLike, distance: ArrayLike, boson: str | None = None
) -> np.ndarray:
    """Probability that the model's boson of lab momentum ``p_lab`` (MeV) survives ``distance`` (mm):
    exp(−distance m Γ/(p ħc)) with the total width of :func:`total_width`. Vectorised; never NaN."""
    d = boson_decays(model, boson)
    return survival_probability_from_width(d.mass, float(sum(d.widths.values())), p_lab, distance)


def decay_length_lab(model: Model, p_lab: ArrayLike, boson: str | None = None) -> np.ndarray:
    """Mean lab decay length (p/m) cτ in mm (``inf`` for Γ = 0)."""
    d = boson_decays(model, boson)
    tot = float(sum(d.widths.values()))
    p = np.asarray(p_lab, float)
    if tot <= 0.0:
        return np.full(np.shape(p), np.inf)
    return p / d.mass * HBARC / tot


__all__ = [
    "CHICHI",
    "CHICHIP",
    "EE",
    "GG",
    "GZP",
    "MUMU",
    "PIPI",
    "BosonDecays",
    "Decays",
    "boson_decays",
    "branching_ratios",
    "ctau",
    "dark_photon_decays",
    "dark_photon_sm_widths",
    "decay_length_lab",
    "loop_amp_pseudoscalar",
    "loop_amp_scalar",
    "loop_f",
    "muphilic_decays",
    "partial_widths",
    "pion_form_factor",
    "survival_probability",
    "survival_probability_from_width",
    "total_width",
    "vector_idm_v1_decays",
    "vector_idm_v2_decays",
    "width_vector_fermions",
    "width_vector_leptons",
    "width_vector_pipi",
    "width_x_gamma_zprime",
    "width_x_gammagamma",
    "width_x_leptons",
]
