"""Inverse Compton-like scattering a e⁻ → γ e⁻ of an axion-like particle on the electrons of the detector medium.

The time-reversed process of the Compton-like production γ e → a e (:mod:`darkbeam.production.alp_compton`, whose
docstring derives the matrix element): a(k_a) e(p) → γ(k) e(p′), electron at rest, with the same invariants
s, t = (k_a − k)², u = (p − k)² and the same spin-summed Σ|M|² = e² g² A(S, U) (S = s − m², U = u − m²; eq. 1 there;
time reversal). Here only the electron's spin is averaged (1/2; the photon's two polarisations are summed) and the
flux is that of the massive ALP, 2 √λ(s, m_a², m²):

    dσ/dU = α g² A(S, U) / (8 λ),    λ = λ(s, m_a², m²) = 4 s p_a*²,                                        (1)

over the same range U ∈ [U₋, U₊] as the production (:func:`darkbeam.production.alp_compton.u_limits`: the t range
of a two-body final state is symmetric in the two bosons). Hence, at the same s (detailed balance),

    σ(a e → γ e) = 2 (p_γ*/p_a*)² σ(γ e → a e) = 2 S²/λ · σ(γ e → a e),                                   (2)

the factor 2 counting the photon's polarisations and (p_γ*/p_a*)² the ratio of the final to the initial
centre-of-mass momenta squared — the relation of :mod:`darkbeam.interactions.inverse_primakoff` (eq. 2 there) for
the electron process (tests/test_alp_electron.py checks it, and eq. 1 against the explicit Dirac evaluation of the
amplitudes). The process was used for beam-dump ALP detection by Brdar et al., PRL 126 (2021) 201801,
arXiv:2011.07054, and Capozzi et al., PRD 108 (2023) 075019, arXiv:2307.03878.

Kinematics (ALP lab energy E_a, electron at rest): S = m_a² + 2 m E_a (always above threshold: s ≥ (m + m_a)² for
every E_a ≥ m_a), the outgoing photon's energy E_γ = −U/(2m) and its angle to the ALP from
t = m_a² − S − U = m_a² − 2E_γ(E_a − p_a cos θ); the electron takes p_a + p − k. Both the photon and the electron are
visible (one electromagnetic pair in the detector response). Electrons are free and at rest (binding, ≲ 0.1 MeV in
argon's K shell, is neglected against MeV energies).
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import ALPHA_EM, INV_MEV2_TO_CM2, M_E
from ..declarations import Model
from ..errors import InputError
from ..kinematics.fourvec import kallen, rotate_about
from ..production.alp_compton import amplitude_primitive, amplitude_squared, sample_u, u_limits
from .targets import Target
from .xsec import PROCESSES


def _s_of(E_a: np.ndarray, m_a: float) -> np.ndarray:
    """s = m² + m_a² + 2 m E_a (MeV²) of an ALP of lab energy E_a on an electron at rest."""
    return M_E * M_E + m_a * m_a + 2.0 * M_E * np.asarray(E_a, float)


def dsigma_du(E_a: np.ndarray, U: np.ndarray, m_a: float, g: float) -> np.ndarray:
    """dσ/dU of a e → γ e, eq. (1), cm²/MeV² per electron: ALP lab energy E_a (MeV), U = u − m² (MeV²), m_a (MeV),
    g = g_aee. 0 outside [U₋, U₊] and for E_a ≤ m_a."""
    E, U = np.broadcast_arrays(np.asarray(E_a, float), np.asarray(U, float))
    ok = E > m_a
    s = np.where(ok, _s_of(E, m_a), (M_E + m_a) ** 2 * 2.0)
    lo, hi = u_limits(s, m_a)
    inside = ok & (U >= lo) & (U <= hi)
    lam = kallen(s, m_a * m_a, M_E * M_E)
    val = ALPHA_EM * g * g * amplitude_squared(s - M_E * M_E, np.where(inside, U, -1.0), m_a) / (8.0 * lam)
    return np.where(inside, val, 0.0) * INV_MEV2_TO_CM2


def sigma_inverse_compton(E_a: np.ndarray | float, m_a: float, g: float) -> np.ndarray:
    """Total σ(a e → γ e) per electron at rest, cm², closed form (eq. 1 with the primitive of A, eq. 3 of
    alp_compton), vectorised over the ALP lab energy E_a (MeV); 0 for E_a ≤ m_a."""
    E = np.atleast_1d(np.asarray(E_a, float))
    ok = E > m_a * (1.0 + 1e-12)
    s = np.where(ok, _s_of(E, m_a), (M_E + m_a) ** 2 * 2.0)
    S = s - M_E * M_E
    lo, hi = u_limits(s, m_a)
    lam = kallen(s, m_a * m_a, M_E * M_E)
    val = ALPHA_EM * g * g * (amplitude_primitive(S, hi, m_a) - amplitude_primitive(S, lo, m_a)) / (8.0 * lam)
    return np.where(ok, val, 0.0) * INV_MEV2_TO_CM2


def sample_scatter(rng: np.random.Generator, p4_a: np.ndarray, m_a: float) -> tuple[np.ndarray, np.ndarray]:
    """Final states of a e → γ e for ALPs of lab four-momenta ``p4_a`` (N, 4), MeV, all with E > m_a, on electrons at
    rest: U from eq. (1) (:func:`darkbeam.production.alp_compton.sample_u`, the same shape A(S, U)), uniform azimuth.
    Returns (photon four-momenta (N, 4), electron four-momenta (N, 4)); four-momentum conserved exactly."""
    E = p4_a[:, 0]
    if np.any(E <= m_a):
        raise InputError("ALP energies for a e -> gamma e sampling", float(np.min(E)), f"> m_a = {m_a:g} MeV")
    mu = m_a * m_a
    S = mu + 2.0 * M_E * E
    U = sample_u(rng, S, m_a)
    e_g = -U / (2.0 * M_E)
    p = np.sqrt(E * E - mu)
    t = mu - S - U
    cos_t = np.clip((t - mu + 2.0 * E * e_g) / (2.0 * p * e_g), -1.0, 1.0)
    u = rotate_about(p4_a[:, 1:] / p[:, None], cos_t, rng.uniform(0.0, 2.0 * math.pi, len(E)))
    p4_g = np.concatenate([e_g[:, None], e_g[:, None] * u], axis=1)
    p4_e = p4_a - p4_g
    p4_e[:, 0] += M_E
    return p4_g, p4_e


def xsec_entry(model: Model, target: Target, energy: np.ndarray) -> dict:
    """``darkbeam xsec`` entry: σ(a e → γ e) on the target's Z electrons (free, at rest), cm² per atom, with the
    model's ``electron_coupling()`` and its state's mass; 0 for E ≤ m_a."""
    m_a = float(model.boson_decays().mass)
    sig = target.Z * sigma_inverse_compton(energy, m_a, float(model.electron_coupling()))
    return {"process": "inverse-compton",
            "sigma_cm2": {"coherent": [0.0] * len(sig), "incoherent": [float(x) for x in sig],
                          "total": [float(x) for x in sig]},
            "below_threshold": [bool(e <= m_a) for e in np.atleast_1d(energy)],
            "notes": "per atom: the target's Z electrons, free and at rest (a e- -> gamma e-); zero for E <= m_a"}


# the scattering process's cross-section for `darkbeam xsec` (keyed by the declared process, never a model name)
PROCESSES.add("inverse-compton", xsec_entry, "ALP inverse Compton-like a e- -> gamma e- on atomic electrons")

__all__ = ["dsigma_du", "sample_scatter", "sigma_inverse_compton", "xsec_entry"]
