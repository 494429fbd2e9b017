""""Dark Primakoff" scattering phi/a N -> gamma N via t-channel Z' exchange (seed 000, App. C).

Amplitudes (seed 000, Dutta et al. arXiv:2110.11944, Eqs. C1 and C4), q = k' - k = p - p':
  pseudoscalar:  M = g_n lambda/(t - m_Z'^2) J_nu eps^{nu rho alpha beta} q_alpha k'_beta eps*_rho
  scalar:        M = g_n lambda/(t - m_Z'^2) J_nu (q^rho k'^nu - (k'.q) g^{rho nu}) eps*_rho
with J_nu = u-bar(p') Gamma_nu u(p) the target current (the q_mu q_nu/m_Z'^2 part of the
propagator drops: J.q = 0 and the vertices are transverse in q). The vertex normalisation lambda
(not lambda/2) is that of C1/C4, i.e. Eq. (2) with its "+ h.c." doubling the real operator.

Our derivation (spin average 1/2 over the target, photon polarisation sum -g, valid because the
vertices are gauge invariant), with the hadronic tensor A P P + B (t g - q q):
  |M|^2 = (g_n lambda)^2/(t - m_Z'^2)^2 * { -A [ (4 M^2 - t)(q.k')^2 + t (P.k')^2 ] - 2 B t (q.k')^2 },
  q.k' = (t - m_a^2)/2,  P.k' = (s - u)/2,  u = 2 M^2 + m_a^2 - s - t.
Scalar and pseudoscalar give the same |M|^2 (as seed 000 states). For a point Dirac target
(A = B = 1) this equals -[C2 as printed] - (g_n lambda)^2 M^2 (t - m_a^2)^2/(t - m_Z'^2)^2: the
printed C2 has the opposite overall sign (negative for t < 0) and lacks the M^2 (t - m_a^2)^2 term,
without which the forward (sin^2 theta) suppression of the static limit, |M|^2 ~ 4 M^2 |k x k'|^2,
is lost. See docs/cross_sections.md.

Targets: coherent on nuclei with charge Q_coh and Helm form factor (A = B = Q^2 F^2: the nucleus
is treated as a point Dirac fermion as in seed 000 Eq. C3; a spin-0 nucleus would drop the B term,
an O(|t|/4M^2) < 1e-3 change); incoherent on the Z protons and N neutrons as free nucleons at
rest with nucleon form factors, summed without Pauli blocking or binding. The coupling-to-charge
convention (default "u-quark": Q_coh = 2Z + N, as the Z' couples to u quarks only; "em" gives the
Q_coh = Z printed in seed 000 Eq. C3) is an explicit argument.

dsigma/dt = |M|^2/(16 pi lambda(s, m_a^2, M^2))  (seed 000 Eq. C3; lambda = Kallen function).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import INV_MEV2_TO_CM2
from ..declarations import Model, require_parameters
from ..errors import InputError
from ..kinematics.fourvec import kallen
from .form_factors import component_setup
from .targets import Target, get_target
from .twobody import final_state_lab, integrate_t, projectile_p4, s_lab, sample_components, t_limits

COMPONENTS = ("coherent", "proton", "neutron")


def primakoff_couplings(model: Model) -> tuple[float, float, float]:
    """(m_x, g_n * lambda [1/MeV], m_Z' [MeV]) of a muphilic (pseudo)scalar model."""
    require_parameters(model, ("g_n", "lam", "m_zprime"), "the dark Primakoff process (Z' portal of seed 000 Eq. 2)")
    return float(model.m_x), float(model.g_n * model.lam), float(model.m_zprime)


def msq_primakoff(s: np.ndarray, t: np.ndarray, m_x: float, M: float, g_lam: float, m_zp: float,
                  A: np.ndarray | float = 1.0, B: np.ndarray | float = 1.0) -> np.ndarray:
    """Spin-averaged |M|^2 of phi/a(k) T(p) -> gamma(k') T(p') (dimensionless).

    Args:
        s, t: Mandelstam invariants, MeV^2.
        m_x: (pseudo)scalar mass, MeV.  M: target mass, MeV.
        g_lam: g_n * lambda, 1/MeV.  m_zp: Z' mass, MeV.
        A, B: hadronic-tensor coefficients (:func:`~.form_factors.hadronic_coefficients`),
            including the squared charge; 1 for a point Dirac particle of unit charge.
    """
    s = np.asarray(s, float)
    t = np.asarray(t, float)
    u = 2.0 * M * M + m_x * m_x - s - t
    qk = 0.5 * (t - m_x * m_x)
    Pk = 0.5 * (s - u)
    core = -A * ((4.0 * M * M - t) * qk * qk + t * Pk * Pk) - 2.0 * B * t * qk * qk
    return np.clip(g_lam * g_lam * core / (t - m_zp * m_zp) ** 2, 0.0, None)


def msq_primakoff_seed_c2(s: np.ndarray, t: np.ndarray, m_x: float, M: float, g_lam: float, m_zp: float) -> np.ndarray:
    """Seed 000 Eq. (C2) exactly as printed (for comparison only; negative for t < 0)."""
    brace = 2 * M**2 * (m_x**2 - 2 * s - t) + 2 * M**4 - 2 * m_x**2 * (s + t) + m_x**4 + 2 * s**2 + 2 * s * t + t**2
    return g_lam**2 * t * brace / (2.0 * (t - m_zp**2) ** 2)


def _check_energy(E: np.ndarray, m_x: float) -> np.ndarray:
    E = np.atleast_1d(np.asarray(E, float))
    if not np.all(np.isfinite(E)) or np.any(E < m_x):
        raise InputError("energy", E[~(np.isfinite(E) & (E >= m_x))][:3].tolist(),
                         f"finite total energies >= m = {m_x} MeV of the incoming boson")
    return E


def _component_setup(target: Target, component: str, coupling: str):
    """(mass, A-B function of t) for one component on ``target``; None if it does not exist."""
    return component_setup(target, component, coupling, point_nucleon_pauli=False)


def dsigma_dt(model: Model, target: str | Target, E: np.ndarray, t: np.ndarray, component: str = "coherent",
              coupling: str = "u-quark", form_factor: bool = True) -> np.ndarray:
    """dsigma/dt (cm^2/MeV^2) of phi/a T -> gamma T at lab energy E (MeV) and t (MeV^2).

    ``component``: "coherent" (nucleus, Helm) or "proton"/"neutron" (all Z protons / N neutrons
    of the target summed, free nucleons at rest). Outside the kinematic range the result is 0.
    ``form_factor=False`` switches off Helm / nucleon form factors (point charges).
    """
    tgt = get_target(target)
    m_x, g_lam, m_zp = primakoff_couplings(model)
    setup = _component_setup(tgt, component, coupling)
    E, t = np.asarray(E, float), np.asarray(t, float)  # per-row quantities stay at E's shape
    if setup is None:
        return np.zeros(np.broadcast(E, t).shape)
    M, ab = setup
    tmin, tmax, ok = t_limits(E, m_x, 0.0, M)
    s = s_lab(E, m_x, M)
    A, B = ab(t, form_factor)
    lam = kallen(s, m_x * m_x, M * M)
    inside = ok & (t <= tmin) & (t >= tmax) & (lam > 0)
    val = msq_primakoff(s, t, m_x, M, g_lam, m_zp, A, B) / (16.0 * np.pi * np.where(lam > 0, lam, 1.0))
    return np.where(inside, val * INV_MEV2_TO_CM2, 0.0)


def sigma(model: Model, target: str | Target, E: np.ndarray | float, component: str = "coherent",
          coupling: str = "u-quark", form_factor: bool = True) -> np.ndarray:
    """Total cross-section (cm^2) of one component at lab energies E (MeV), vectorised."""
    tgt = get_target(target)
    m_x, _g_lam, _m_zp = primakoff_couplings(model)
    E = _check_energy(E, m_x)
    setup = _component_setup(tgt, component, coupling)
    if setup is None:
        return np.zeros(E.shape)
    M = setup[0]
    return integrate_t(lambda e, t: dsigma_dt(model, tgt, e, t, component, coupling, form_factor), E, m_x, 0.0, M)


def sigma_all(model: Model, target: str | Target, E: np.ndarray | float, coupling: str = "u-quark") -> dict[str, np.ndarray]:
    """{"coherent", "proton", "neutron", "incoherent", "total"} cross-sections in cm^2 at E (MeV)."""
    out = {c: sigma(model, target, E, c, coupling) for c in COMPONENTS}
    out["incoherent"] = out["proton"] + out["neutron"]
    out["total"] = out["coherent"] + out["incoherent"]
    return out


@dataclass
class PrimakoffEvents:
    """Sampled dark-Primakoff final states (lab frame, target at rest).

    Attributes:
        E_gamma: photon energy, MeV.
        cos_theta: cosine of the photon angle to the incoming boson's direction.
        p4_gamma: photon four-momenta (N,4), MeV, along the given incoming directions.
        p4_recoil: recoiling nucleus / nucleon four-momenta (N,4), MeV.
        t: momentum transfer (p - p')^2, MeV^2.
        component: index into :data:`COMPONENTS` of the sub-process chosen for each event (-1: none open).
        sigma_cm2: per event, the total cross-section on ``target`` (all components), cm^2.
    """

    E_gamma: np.ndarray
    cos_theta: np.ndarray
    p4_gamma: np.ndarray
    p4_recoil: np.ndarray
    t: np.ndarray
    component: np.ndarray
    sigma_cm2: np.ndarray


def sample_primakoff(rng: np.random.Generator, model: Model, target: str | Target, E_in: np.ndarray,
                     dirs: np.ndarray | None = None, components: tuple[str, ...] = COMPONENTS,
                     coupling: str = "u-quark", chunk: int = 8192) -> PrimakoffEvents:
    """Sample phi/a T -> gamma T events for incoming bosons of energies E_in (MeV).

    Each event picks a component (coherent / proton / neutron) with probability proportional to
    its cross-section at that energy, then t from dsigma/dt (piecewise-linear inversion on the
    ln(-t) grid, corrected to the exact dsigma/dt by accept-reject), then the photon direction with a uniform azimuth about ``dirs`` (N,3; default
    +z). The event weight to use is ``sigma_cm2`` (sum over ``components``).
    """
    tgt = get_target(target)
    m_x, _, _ = primakoff_couplings(model)
    E = _check_energy(E_in, m_x)
    for c in components:
        if c not in COMPONENTS:
            raise InputError("component", c, COMPONENTS)
    p1 = projectile_p4(E, m_x, dirs)
    comps = []
    for c in COMPONENTS:
        setup = _component_setup(tgt, c, coupling) if c in components else None
        comps.append(None if setup is None else
                     (setup[0], lambda e, t, c=c: dsigma_dt(model, tgt, e, t, c, coupling)))
    comp, t_out, _, total = sample_components(rng, E, m_x, 0.0, comps, chunk)
    n = len(E)
    p3 = np.zeros((n, 4))
    p4 = np.zeros((n, 4))
    cos = np.ones(n)
    for ic, c in enumerate(comps):
        sel = np.nonzero(comp == ic)[0]
        if c is None or len(sel) == 0:
            continue
        p3[sel], p4[sel], cos[sel] = final_state_lab(rng, p1[sel], m_x, 0.0, c[0], t_out[sel])
    return PrimakoffEvents(p3[:, 0].copy(), cos, p3, p4, t_out, comp, total)
