"""Inverse Primakoff scattering a N → γ N of an axion-like particle on the screened field of a detector atom.

An ALP (mass m_a, photon coupling g in 1/MeV, L ⊃ −¼ g a F F̃) arriving with energy E converts into a photon in
the Coulomb field of a nucleus of the detector medium, screened by the atomic electrons. Static (infinitely heavy)
nucleus: E_γ = E, p = √(E² − m_a²) the ALP momentum, θ the angle between the photon and the ALP,

    q² = |q⃗|² = E² + p² − 2Ep cos θ ∈ [(E − p)², (E + p)²],

    dσ/dΩ = g² α Z² F²(q²) E³ p sin²θ / (4π q⁴),   i.e.   dσ/dq² = g² α Z² F²(q²) E² sin²θ / (4 q⁴).     (1)

Derivation (and its check against the production process, γ N → a N of
:mod:`darkbeam.production.photon_primakoff`, eq. 2 there): both processes have the same E⃗·B⃗ vertex on the static
field ZeF/q², so the photon-polarisation-*summed* |M|² is the same function of (E, q²) (time reversal). In a
static potential dσ/dΩ = |M|² p_f / (16π² p_i) (energy conserved by the potential, flux 1/v_i). For γ → a the
photon is the initial state: its two polarisations are averaged (½ Σ|M|²), p_i = E, p_f = p; for a → γ the spin-0
ALP is initial and the photon's two polarisations are summed (Σ|M|²), p_i = p, p_f = E. Hence, at the same E
and q² (detailed balance),

    σ(a N → γ N) = 2 (p_γ/p_a)² σ(γ N → a N) = 2 (E²/p²) σ_P,                                        (2)

the factor 2 counting the photon's polarisations (summed, not averaged) and (E/p)² the ratio of the final- to
initial-state momenta squared. Eq. (1) is Tsai, PRD 34 (1986) 1326 (the Primakoff vertex on a screened nucleus)
crossed by eq. (2). It is the inverse-Primakoff cross-section used for beam-dump ALPs by Dent, Dutta, Kim, Liao,
Mahapatra, Sinha, Thompson, PRL 124 (2020) 211804, arXiv:1912.05733, written with β = p/E as
dσ/dθ = (g²αZ²/2) F² β sin³θ / (1 + β² − 2β cos θ)² (the same function; this is also the form of the public code
of some of those authors, alplib ``iprimakoff_dsigma_dtheta``, github.com/athompson-git/alplib, whose screening
form factor differs from Tsai's); for m_a → 0 with a pure screening form factor F = r₀²q²/(1 + r₀²q²) it
integrates to the closed form of Creswick et al., PLB 427 (1998) 235 (photon polarisations summed):

    σ₀ = (g² α Z²/2) [ (2 r₀²E² + 1)/(4 r₀²E²) · ln(1 + 4 r₀²E²) − 1 ]                                 (3)

(:func:`sigma_massless_creswick`; tests/test_inverse_primakoff.py checks eq. 1 against it, against eq. 2 and by a
second integration method).

Form factor: the elastic atomic form factor of Tsai, Rev. Mod. Phys. 46 (1974) 815 (screening a = 111 Z^{−1/3}/m_e
× nuclear dipole d = 0.164 GeV² A^{−2/3}), :func:`darkbeam.production.photon_primakoff.form_factor`, applied to the
nuclei of the detector medium (:func:`detector_material`: Z and A of :mod:`darkbeam.interactions.targets`). For
hydrogen (Z = 1) Tsai's generic screening length is an approximation (his exact hydrogen form factor is not used);
H contributes Z² = 1 per atom against 36 for C in mineral oil.

Kinematics of the sampled events: q² (hence θ) is drawn from eq. (1), which at fixed E has the shape of dσ_P/dq²
(eq. 2: the ratio is independent of q²), so :func:`darkbeam.production.photon_primakoff.sample_q2` is reused; the
outgoing photon's energy then follows from exact two-body kinematics on a nucleus of mass M at rest,

    E_γ = (m_a² + 2 E M) / (2 (E + M − p cos θ)),

and the recoil is p_a + P − p_γ (four-momentum conserved exactly; the cross-section keeps the static limit, the
recoil energy q²/2M being ≲ 0.2 MeV on C and Ar at the nuclear scale). Threshold: σ = 0 for E ≤ m_a.
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import ALPHA_EM, INV_MEV2_TO_CM2
from ..errors import InputError
from ..kinematics.fourvec import rotate_about
from ..numerics import integrate_log_panels
from ..production.photon_primakoff import (
    Material,
    form_factor,
    q2_limits,
    sample_q2,
    sigma_primakoff,
)
from .targets import Target, get_target


def detector_material(target: str | Target | Material) -> Material:
    """The :class:`~darkbeam.production.photon_primakoff.Material` of a detector target (a name of
    :mod:`darkbeam.interactions.targets`, a Target, or a Material): Z and mass number for Tsai's form factor.
    Its radiation length is NaN: no photon absorption is computed in the detector (only the form factor is used)."""
    if isinstance(target, Material):
        return target
    tgt = get_target(target) if isinstance(target, str) else target
    if not isinstance(tgt, Target) or tgt.Z < 1:
        raise InputError("inverse-Primakoff target", target, "a target with Z >= 1 (a nucleus or the proton)")
    return Material(tgt.name, int(tgt.Z), float(tgt.A), int(max(tgt.A, 1)), float("nan"))


def dsigma_dq2(E: np.ndarray, q2: np.ndarray, m_a: float, g: float, target: str | Target | Material,
               nuclear: bool = True) -> np.ndarray:
    """dσ/dq² of a N → γ N, eq. (1), cm²/MeV² per atom: E the ALP energy (MeV), q² = |q⃗|² (MeV²), m_a (MeV), g
    (1/MeV). 0 outside [(E − p)², (E + p)²] and below threshold (E ≤ m_a). ``nuclear=False``: point nucleus."""
    mat = detector_material(target)
    E, q2 = np.broadcast_arrays(np.asarray(E, float), np.asarray(q2, float))
    p2 = np.clip(E * E - m_a * m_a, 0.0, None)
    p = np.sqrt(p2)
    ok = (p > 0) & (q2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(ok, (E * E + p2 - q2) / (2.0 * E * np.where(p > 0, p, 1.0)), 1.0)
        sin2 = np.clip(1.0 - c * c, 0.0, None)
        val = g * g * ALPHA_EM * mat.Z**2 * form_factor(q2, mat, nuclear) ** 2 * E * E * sin2 / (4.0 * q2 * q2)
    return np.where(ok & (np.abs(c) <= 1.0), val, 0.0) * INV_MEV2_TO_CM2


_PANELS = 12


def sigma_inverse_primakoff(E: np.ndarray | float, m_a: float, g: float, target: str | Target | Material,
                            nuclear: bool = True) -> np.ndarray:
    """Total σ(a N → γ N) per atom, cm²: eq. (1) integrated over q² (composite Gauss–Legendre in ln q², 12 panels ×
    48 nodes, vectorised over E in MeV). 0 for E ≤ m_a (threshold)."""
    mat = detector_material(target)
    E = np.atleast_1d(np.asarray(E, float))
    out = np.zeros(E.shape)
    ok = E > m_a
    if not np.any(ok):
        return out
    lo, hi = q2_limits(E[ok], m_a)
    out[ok] = integrate_log_panels(lambda q2: dsigma_dq2(E[ok][:, None], q2, m_a, g, mat, nuclear),
                                   np.log(lo), np.log(hi), _PANELS)
    return out


def sigma_detailed_balance(E: np.ndarray | float, m_a: float, g: float, target: str | Target | Material,
                           nuclear: bool = True) -> np.ndarray:
    """σ(a N → γ N) from the production cross-section by eq. (2): 2 (E/p)² σ_P(γ N → a N), cm² (the independent
    route of the tests; 0 for E ≤ m_a)."""
    E = np.atleast_1d(np.asarray(E, float))
    p2 = np.clip(E * E - m_a * m_a, 0.0, None)
    sp = sigma_primakoff(E, m_a, g, detector_material(target), nuclear)
    return np.where(p2 > 0, 2.0 * E * E / np.where(p2 > 0, p2, 1.0) * sp, 0.0)


def sigma_massless_creswick(E: np.ndarray | float, g: float, target: str | Target | Material) -> np.ndarray:
    """Eq. (3): σ(a N → γ N) for m_a = 0, point nucleus, screening F = r₀²q²/(1 + r₀²q²) with r₀ = Tsai's a, cm²
    (Creswick et al. 1998, photon polarisations summed)."""
    mat = detector_material(target)
    x = 4.0 * mat.screening_a**2 * np.asarray(E, float) ** 2  # 4 r₀² E²
    val = (x + 2.0) / (2.0 * x) * np.log1p(x) - 1.0
    return g * g * ALPHA_EM * mat.Z**2 / 2.0 * val * INV_MEV2_TO_CM2


def sample_scatter(rng: np.random.Generator, p4_a: np.ndarray, m_a: float, target: str | Target,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final states of a N → γ N for ALPs of lab four-momenta ``p4_a`` (N, 4), MeV, all with E > m_a, on a
    nucleus ``target`` at rest: q² from eq. (1) (static limit), uniform azimuth, exact two-body photon energy.
    Returns (photon four-momenta (N, 4), recoil four-momenta (N, 4), q² (N,) in MeV²)."""
    tgt = get_target(target) if isinstance(target, str) else target
    mat = detector_material(tgt)
    E = p4_a[:, 0]
    if np.any(E <= m_a):
        raise InputError("ALP energies for inverse-Primakoff sampling", float(np.min(E)), f"> m_a = {m_a:g} MeV")
    q2 = sample_q2(rng, E, m_a, mat)
    p = np.sqrt(E * E - m_a * m_a)
    cos_t = np.clip((E * E + p * p - q2) / (2.0 * E * p), -1.0, 1.0)
    u = rotate_about(p4_a[:, 1:] / p[:, None], cos_t, rng.uniform(0.0, 2.0 * math.pi, len(E)))
    big_m = float(tgt.mass)
    e_g = (m_a * m_a + 2.0 * E * big_m) / (2.0 * (E + big_m - p * cos_t))
    p4_g = np.concatenate([e_g[:, None], e_g[:, None] * u], axis=1)
    p4_rec = p4_a - p4_g
    p4_rec[:, 0] += big_m
    return p4_g, p4_rec, q2


__all__ = ["detector_material", "dsigma_dq2", "sample_scatter", "sigma_detailed_balance", "sigma_inverse_primakoff",
           "sigma_massless_creswick"]
