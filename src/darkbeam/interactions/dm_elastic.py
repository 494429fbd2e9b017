"""Elastic scattering of light dark matter through a dark photon: χ N → χ N and χ e → χ e.

Model: V couples to the electromagnetic current with e·ε and to χ with g_D (α_D = g_D²/4π); χ is a Dirac
fermion or a complex scalar (darkbeam.models.vector_portal). The amplitude (t-channel V exchange; the
q^μq^ν/m_V² part of the propagator drops because both currents are conserved) is

    M = e ε g_D / (t − m_V²) · J_χ^μ · J_T,μ ,

J_χ = ū(k′)γ^μu(k) (fermion) or (k + k′)^μ (scalar). The target current is that of a nucleon with Dirac
and Pauli form factors F1, F2 (dipole Sachs form factors, neutron G_E = Galster, as in
:mod:`darkbeam.interactions.form_factors`), of a nucleus (coherent charge Z with the Helm form factor), or of a
point electron (F1 = 1, F2 = 0). With the spin-averaged target tensor A P^μP^ν + B (t g^μν − q^μq^ν),
P = p + p′ (:func:`darkbeam.interactions.form_factors.hadronic_coefficients`):

* fermion χ (averaged over the χ spin): the m_χ′ = m_χ case of the inelastic formula,
  |M|² = 2 g² {A[(s − u)²/2 − (4M² − t)(−t/2)] + B[t² + 2 m_χ² t]}/(t − m_V²)²
  (darkbeam.interactions.dm_upscattering.msq_upscatter);
* scalar χ: contracting (k + k′)_μ(k + k′)_ν with the tensor, (k + k′)·P = s − u and (k + k′)·q = 0:
  |M|² = g² {A (s − u)² + B t (4 m_χ² − t)}/(t − m_V²)².

dσ/dt = |M|²/(16π λ(s, m_χ², M²)); the recoil kinetic energy is T = −t/(2M).
These are the cross-sections of deNiverville, Pospelov, Ritz, PRD 84, 075020 (2011) arXiv:1107.4580, Eq. (13)
(scalar χ on a nucleon with F1, F2) and of the MiniBooNE-DM analysis, PRD 98, 112004 (2018) arXiv:1807.06137,
Sec. II (χN → χN with dipole form factors, via BdNMC, deNiverville, Chen, Pospelov, Ritz, PRD 95, 035006
(2017)); the tests check them against the Mott/Rutherford heavy-target limit, the non-relativistic
direct-detection cross-section σ = 16π α α_D ε² μ²/m_V⁴ and an explicit Dirac-matrix trace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import E_CHARGE, INV_MEV2_TO_CM2, M_E
from ..declarations import Model, require_parameters
from ..errors import InputError
from ..kinematics.fourvec import kallen
from .dm_upscattering import msq_upscatter
from .form_factors import component_setup
from .targets import Target, get_target
from .twobody import X_NODES, X_WEIGHTS, final_state_lab, s_lab, sample_t_from_grid, t_limits

DM_TYPES = ("fermion", "scalar")
#: model parameters the elastic processes read
ELASTIC_PARAMETERS = ("m_chi", "m_v", "epsilon", "alpha_d", "dm_type")
NUCLEON_COMPONENTS = ("proton", "neutron")
COMPONENTS = ("coherent", "proton", "neutron", "electron")


@dataclass(frozen=True)
class ElasticCouplings:
    """m_chi, m_med in MeV; g = e ε g_D (the product of the two vertex couplings); dm_type."""

    m_chi: float
    m_med: float
    g: float
    dm_type: str


def elastic_couplings(model: Model) -> ElasticCouplings:
    """The couplings of χT → χT for a vector-portal model (parameters :data:`ELASTIC_PARAMETERS`; the mediator mass
    is the model's boson mass ``m_x``)."""
    require_parameters(model, ELASTIC_PARAMETERS, "dark-matter elastic scattering")
    g_d = np.sqrt(4.0 * np.pi * float(model.alpha_d))
    return ElasticCouplings(float(model.m_chi), float(model.m_x), float(E_CHARGE * model.epsilon * g_d),
                            str(model.dm_type))


def msq_elastic(s: np.ndarray, t: np.ndarray, m: float, M: float, g: float, m_med: float, dm_type: str,
                A: np.ndarray | float = 1.0, B: np.ndarray | float = 1.0) -> np.ndarray:
    """Spin-averaged |M|² (dimensionless) of χ(m) T(M) → χ T at s, t (MeV²) through a vector of mass
    ``m_med`` with coupling product ``g``; A, B: target-tensor coefficients (1, 1: point Dirac unit charge)."""
    if dm_type == "fermion":
        return msq_upscatter(s, t, m, m, M, g, m_med, A, B)
    if dm_type == "scalar":
        s = np.asarray(s, float)
        t = np.asarray(t, float)
        s_minus_u = 2.0 * s + t - 2.0 * M * M - 2.0 * m * m  # s − u with u = 2M² + 2m² − s − t
        val = g * g * (A * s_minus_u**2 + B * t * (4.0 * m * m - t)) / (t - m_med * m_med) ** 2
        return np.clip(val, 0.0, None)
    raise InputError("dm_type", dm_type, DM_TYPES)


def _setup(target: Target, component: str):
    if component not in COMPONENTS:
        raise InputError("component", component, COMPONENTS)
    if component == "electron":
        return M_E, lambda t, form_factor=True: (np.ones_like(t) * target.Z, np.ones_like(t) * target.Z)
    return component_setup(target, component, "em", point_nucleon_pauli=True)


def dsigma_dt_elastic(c: ElasticCouplings, target: str | Target, E: np.ndarray, t: np.ndarray,
                      component: str = "proton", form_factor: bool = True) -> np.ndarray:
    """dσ/dt (cm²/MeV²) of χ T → χ T at χ lab energy E (MeV) and t (MeV²).

    ``component``: "coherent" (the nucleus), "proton"/"neutron" (its nucleons, free and at rest, or a free
    nucleon target) or "electron" (the target's Z electrons, free and at rest). 0 outside the kinematic
    range (never NaN)."""
    tgt = get_target(target)
    setup = _setup(tgt, component)
    E, t = np.asarray(E, float), np.asarray(t, float)
    if setup is None:
        return np.zeros(np.broadcast(E, t).shape)
    M, ab = setup
    tmin, tmax, ok = t_limits(E, c.m_chi, c.m_chi, M)
    s = s_lab(E, c.m_chi, M)
    A, B = ab(t, form_factor)
    lam = kallen(s, c.m_chi**2, M * M)
    inside = ok & (t <= tmin) & (t >= tmax) & (lam > 0)
    val = msq_elastic(s, t, c.m_chi, M, c.g, c.m_med, c.dm_type, A, B) / (16.0 * np.pi * np.where(lam > 0, lam, 1.0))
    return np.where(inside, val * INV_MEV2_TO_CM2, 0.0)


def recoil_window_t(E: np.ndarray, m: float, M: float, t_window: tuple[float, float] | None):
    """(t_hi, t_lo, open) limits of t (t_lo ≤ t_hi ≤ 0) for recoil kinetic energies T = −t/(2M) in
    ``t_window`` = (T_min, T_max) MeV (None: the whole kinematic range)."""
    tmin, tmax, ok = t_limits(E, m, m, M)
    if t_window is None:
        return tmin, tmax, ok
    hi = np.minimum(tmin, -2.0 * M * t_window[0])
    lo = np.maximum(tmax, -2.0 * M * t_window[1])
    return hi, lo, ok & (lo < hi)


def _grid(E: np.ndarray, m: float, M: float, t_window):
    """Gauss-Legendre grid in u = ln(−t) over the allowed (windowed) range: (u, t, open)."""
    hi, lo, ok = recoil_window_t(E, m, M, t_window)
    a = np.log(np.maximum(-hi, 1e-14 * np.maximum(-lo, 1e-300)))
    b = np.log(np.maximum(-lo, 1e-300))
    b = np.maximum(a, b)
    u = a[:, None] + (b - a)[:, None] * X_NODES[None, :]
    t = -np.exp(u)
    return u, t, ok


def sigma_elastic(c: ElasticCouplings, target: str | Target, E: np.ndarray | float, component: str = "proton",
                  t_window: tuple[float, float] | None = None, form_factor: bool = True) -> np.ndarray:
    """σ (cm²) of χT → χT at lab energies E (MeV), optionally for recoil kinetic energies T in ``t_window``
    = (T_min, T_max) MeV; Gauss-Legendre in ln(−t)."""
    tgt = get_target(target)
    E = np.atleast_1d(np.asarray(E, float))
    if np.any(~np.isfinite(E)) or np.any(E < c.m_chi * (1 - 1e-12)):
        raise InputError("energy", E[:3].tolist(), f"finite total energies >= m_chi = {c.m_chi} MeV")
    setup = _setup(tgt, component)
    out = np.zeros(E.shape)
    if setup is None:
        return out
    M = setup[0]
    u, t, ok = _grid(E, c.m_chi, M, t_window)
    if not np.any(ok):
        return out
    f = dsigma_dt_elastic(c, tgt, E[ok][:, None], t[ok], component, form_factor) * (-t[ok])
    out[ok] = (f @ X_WEIGHTS) * (u[ok, -1] - u[ok, 0])
    return out


def components_of(target: Target, wanted: tuple[str, ...] = NUCLEON_COMPONENTS) -> tuple[str, ...]:
    """The components among ``wanted`` ("coherent", "proton", "neutron", "electron") that ``target`` has."""
    return tuple(k for k in wanted if _setup(target, k) is not None)


def sample_elastic(rng: np.random.Generator, c: ElasticCouplings, target: str | Target, p4_chi: np.ndarray,
                   component: str, t_window: tuple[float, float] | None = None):
    """Final states of χT → χT for incoming χ four-momenta ``p4_chi`` (N,4), MeV, on one component, with t
    drawn from dσ/dt within the recoil window. Returns (p4_chi_out, p4_recoil, t) in the lab (MeV)."""
    tgt = get_target(target)
    setup = _setup(tgt, component)
    if setup is None:
        raise InputError("component", component, components_of(tgt))
    M = setup[0]
    p1 = np.asarray(p4_chi, float).reshape(-1, 4)
    u, t, ok = _grid(p1[:, 0], c.m_chi, M, t_window)
    f = dsigma_dt_elastic(c, tgt, p1[:, 0][:, None], t, component) * (-t)
    f = np.where(ok[:, None], f, 0.0)
    t_s = np.where(ok, sample_t_from_grid(rng, u, np.where(ok[:, None], f, 1.0)), 0.0)
    p3, p4, _ = final_state_lab(rng, p1, c.m_chi, c.m_chi, M, t_s)
    return p3, p4, t_s


def elastic_xsec_entry(model: Model, target: Target, energy: np.ndarray) -> dict:
    """Entry of the ``dm-elastic`` process in darkbeam.interactions.xsec.PROCESSES (``darkbeam xsec``): σ(χT → χT)
    (cm²) per component over the whole recoil range, at lab energies ``energy`` (MeV)."""
    c = elastic_couplings(model)
    if np.any(energy < c.m_chi):
        raise InputError("energy", energy.tolist(), f"total energies >= m_chi = {c.m_chi} MeV")
    sig = {k: sigma_elastic(c, target, energy, k) for k in ("coherent", "proton", "neutron", "electron")}
    inc = sig["proton"] + sig["neutron"]
    return {"process": "dm-elastic",
            "sigma_cm2": {"coherent": [float(v) for v in sig["coherent"]], "incoherent": [float(v) for v in inc],
                          "total": [float(v) for v in sig["coherent"] + inc]},
            "sigma_nucleon_cm2": {k: [float(v) for v in sig[k]] for k in ("proton", "neutron")},
            "sigma_electron_cm2": [float(v) for v in sig["electron"]],
            "dm_type": c.dm_type,
            "notes": "whole kinematic recoil range (no threshold); incoherent = Z protons + N neutrons free and at "
                     "rest; electrons: the target's Z electrons, free; total = coherent + incoherent"}


__all__ = ["DM_TYPES", "ElasticCouplings", "components_of", "dsigma_dt_elastic", "elastic_couplings",
           "elastic_xsec_entry", "msq_elastic", "recoil_window_t", "sample_elastic", "sigma_elastic"]

