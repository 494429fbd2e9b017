"""Inelastic dark-matter upscattering chi T -> chi' T via a dark photon, and chi' decays
(seed 000, Dutta et al. arXiv:2110.11944, Eq. 1 and Appendix B).

Interaction: L ⊃ (e eps J_EM^mu + g' [chi'-bar gamma^mu chi + h.c.]) V_mu. The scattering mediator
is V2 (double-mediator scenario) or V1 (single mediator, ``m_v2 = 0``: eps1, m_v1 used).

Amplitude: M = e eps g' Q/(t - m_V^2) [u-bar(p3) gamma^mu u(p1)] [u-bar(p4) Gamma_mu u(p2)]
(the q_mu q_nu/m_V^2 propagator term drops because the target current is conserved).
Our derivation (average over the chi and target spins; dark trace
4[p3 p1 + p1 p3 - g (p1.p3 - m1 m3)], hadronic tensor A P P + B (t g - q q)):
  |M|^2 = (e eps g')^2/(t - m_V^2)^2 * 2 { A [ (s-u)^2/2 - (4M^2 - t)((m1^2 + m3^2 - t)/2 - m1 m3) ]
                                           + B [ t^2 - t (m1^2 + m3^2 - 6 m1 m3)/2 - (m1^2 - m3^2)^2/2 ] }
with m1 = m_chi, m3 = m_chi', u = 2M^2 + m1^2 + m3^2 - s - t. For A = B = 1 (point Dirac target)
this equals the printed seed 000 Eq. (B3) (M_0,FF) identically; with nucleon form factors it
equals Eqs. (B10)-(B11) once the paper's kappa F2 is read as our F2 (checked in the tests; see
docs/cross_sections.md for the details).

Coherent nucleus: A = B = Q^2 F_Helm^2 (point Dirac nucleus as in B3/B6; Q = Z for the dark
photon, "em" convention). Incoherent: Z free protons + N free neutrons at rest with EM dipole form
factors (B12-B13; neutron G_E Galster), no Pauli blocking.
dsigma/dt = |M|^2 / (16 pi lambda(s, m1^2, M^2)),  dsigma/dE_N = 2 M dsigma/dt  (seed 000 Eq. B6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate

from ..constants import ALPHA_EM, E_CHARGE, HBARC, INV_MEV2_TO_CM2, M_E, M_MU
from ..declarations import Model, require_parameters
from ..errors import InputError
from ..kinematics.fourvec import beta_of, boost, dot, isotropic_directions, kallen, two_body_decay
from .form_factors import component_setup
from .targets import Target, get_target
from .twobody import final_state_lab, integrate_t, s_lab, sample_components, t_limits

COMPONENTS = ("coherent", "proton", "neutron")


@dataclass(frozen=True)
class ScatteringCouplings:
    """Parameters of chi T -> chi' T: masses in MeV, eps and g' dimensionless."""

    m_chi: float
    m_chi_prime: float
    m_med: float
    eps: float
    g_prime: float
    mediator: str  # "V1" or "V2"


#: parameters the inelastic-DM processes read (vector-portal iDM, seed 000 Eq. 1)
IDM_PARAMETERS = ("m_chi", "m_chi_prime", "m_v1", "m_v2", "eps1", "eps2", "g_prime")


def scattering_couplings(model: Model) -> ScatteringCouplings:
    """Mediator and couplings of the upscattering for a ``vector-idm`` model (seed 000 Table I note:
    single mediator -> eps2 = eps1, g'2 = g'1, V2 = V1)."""
    require_parameters(model, IDM_PARAMETERS, "inelastic-DM upscattering")
    if model.single_mediator:
        return ScatteringCouplings(model.m_chi, model.m_chi_prime, model.m_v1, model.eps1, model.g_prime, "V1")
    return ScatteringCouplings(model.m_chi, model.m_chi_prime, model.m_v2, model.eps2, model.g_prime, "V2")


def msq_upscatter(s: np.ndarray, t: np.ndarray, m1: float, m3: float, M: float, coupling: float, m_med: float,
                  A: np.ndarray | float = 1.0, B: np.ndarray | float = 1.0) -> np.ndarray:
    """Spin-averaged |M|^2 of chi(m1) T(M) -> chi'(m3) T (dimensionless).

    Args:
        s, t: Mandelstam invariants, MeV^2.
        coupling: e * eps * g' (times nothing else; charges/form factors go in A, B).
        m_med: mediator mass, MeV.
        A, B: hadronic-tensor coefficients incl. squared charge (1 for a point Dirac unit charge).
    """
    s = np.asarray(s, float)
    t = np.asarray(t, float)
    u = 2.0 * M * M + m1 * m1 + m3 * m3 - s - t
    a_part = 0.5 * (s - u) ** 2 - (4.0 * M * M - t) * (0.5 * (m1 * m1 + m3 * m3 - t) - m1 * m3)
    b_part = t * t - 0.5 * t * (m1 * m1 + m3 * m3 - 6.0 * m1 * m3) - 0.5 * (m1 * m1 - m3 * m3) ** 2
    val = 2.0 * coupling**2 * (A * a_part + B * b_part) / (t - m_med * m_med) ** 2
    return np.clip(val, 0.0, None)


def m0_ff_seed(E1: np.ndarray, E3: np.ndarray, m1: float, m3: float, M: float) -> np.ndarray:
    """Seed 000 Eq. (B3) as printed: M_0,FF in lab energies (MeV^4)."""
    return 8 * M * (M**2 * (E3 - E1) + M * (E1**2 + E3**2) - 0.5 * (m3 - m1) ** 2 * (E3 - E1 + M)
                    + m1**2 * E3 - m3**2 * E1)


def m1_ff_seed(E1: np.ndarray, E3: np.ndarray, m1: float, m3: float, M: float) -> np.ndarray:
    """Seed 000 Eq. (B11) as printed: M_1,FF in lab energies (MeV^4)."""
    return 8 * M**2 * ((E1 + E3 - (m3**2 - m1**2) / (2 * M)) ** 2
                       + (E1 - E3 + 2 * M) * (E3 - E1 - (m3 - m1) ** 2 / (2 * M)))


def threshold_energy(m1: float, m3: float, M: float) -> float:
    """Lab energy (MeV) of chi at threshold: s = (m3 + M)^2."""
    return ((m3 + M) ** 2 - m1 * m1 - M * M) / (2.0 * M)


def _component_setup(target: Target, component: str, coupling: str):
    """(mass, A-B function of t) for one component on ``target``; None if it does not exist."""
    return component_setup(target, component, coupling, point_nucleon_pauli=True)


def _check_energy(E: np.ndarray, m1: float) -> np.ndarray:
    E = np.atleast_1d(np.asarray(E, float))
    if not np.all(np.isfinite(E)) or np.any(E < m1):
        raise InputError("energy", E[~(np.isfinite(E) & (E >= m1))][:3].tolist(),
                         f"finite total energies >= m_chi = {m1} MeV")
    return E


def dsigma_dt(model: Model, target: str | Target, E: np.ndarray, t: np.ndarray, component: str = "coherent",
              coupling: str = "em", form_factor: bool = True) -> np.ndarray:
    """dsigma/dt (cm^2/MeV^2) of chi T -> chi' T at chi lab energy E (MeV) and t (MeV^2).

    0 outside the kinematic range and below threshold (never NaN).
    """
    tgt = get_target(target)
    c = scattering_couplings(model)
    setup = _component_setup(tgt, component, coupling)
    E, t = np.asarray(E, float), np.asarray(t, float)  # per-row quantities stay at E's shape
    if setup is None:
        return np.zeros(np.broadcast(E, t).shape)
    M, ab = setup
    tmin, tmax, ok = t_limits(E, c.m_chi, c.m_chi_prime, M)
    s = s_lab(E, c.m_chi, M)
    A, B = ab(t, form_factor)
    lam = kallen(s, c.m_chi**2, M * M)
    inside = ok & (t <= tmin) & (t >= tmax) & (lam > 0)
    g = E_CHARGE * c.eps * c.g_prime
    val = msq_upscatter(s, t, c.m_chi, c.m_chi_prime, M, g, c.m_med, A, B) / (16.0 * np.pi * np.where(lam > 0, lam, 1.0))
    return np.where(inside, val * INV_MEV2_TO_CM2, 0.0)


def dsigma_dEN(model: Model, target: str | Target, E: np.ndarray, E_N: np.ndarray, component: str = "coherent",
               coupling: str = "em") -> np.ndarray:
    """dsigma/dE_N (cm^2/MeV) in the recoil total energy E_N (MeV): t = 2M(M - E_N) (seed 000 Eq. B6)."""
    tgt = get_target(target)
    setup = _component_setup(tgt, component, coupling)
    if setup is None:
        return np.zeros(np.broadcast(np.asarray(E), np.asarray(E_N)).shape)
    M = setup[0]
    t = 2.0 * M * (M - np.asarray(E_N, float))
    return 2.0 * M * dsigma_dt(model, tgt, E, t, component, coupling)


def sigma(model: Model, target: str | Target, E: np.ndarray | float, component: str = "coherent",
          coupling: str = "em", form_factor: bool = True) -> np.ndarray:
    """Total cross-section (cm^2) of one component at chi lab energies E (MeV); 0 below threshold."""
    tgt = get_target(target)
    c = scattering_couplings(model)
    E = _check_energy(E, c.m_chi)
    setup = _component_setup(tgt, component, coupling)
    if setup is None:
        return np.zeros(E.shape)
    return integrate_t(lambda e, t: dsigma_dt(model, tgt, e, t, component, coupling, form_factor), E,
                       c.m_chi, c.m_chi_prime, setup[0])


def sigma_all(model: Model, target: str | Target, E: np.ndarray | float, coupling: str = "em") -> dict[str, np.ndarray]:
    """{"coherent", "proton", "neutron", "incoherent", "total"} cross-sections (cm^2) at E (MeV)."""
    out = {c: sigma(model, target, E, c, coupling) for c in COMPONENTS}
    out["incoherent"] = out["proton"] + out["neutron"]
    out["total"] = out["coherent"] + out["incoherent"]
    return out


@dataclass
class UpscatterEvents:
    """Sampled chi T -> chi' T final states (lab frame, target at rest).

    Attributes:
        p4_chi_prime: chi' four-momenta (N,4), MeV.
        p4_recoil: recoil nucleus / nucleon four-momenta (N,4), MeV.
        t: (p_chi - p_chi')^2, MeV^2.
        component: index into :data:`COMPONENTS` (-1 where the channel is closed).
        sigma_cm2: total cross-section on the target at each event's energy, cm^2 (0 if closed).
        is_open: False below threshold (those rows carry zero four-momenta and zero weight).
    """

    p4_chi_prime: np.ndarray
    p4_recoil: np.ndarray
    t: np.ndarray
    component: np.ndarray
    sigma_cm2: np.ndarray
    is_open: np.ndarray


def sample_upscattering(rng: np.random.Generator, model: Model, target: str | Target, p4_chi: np.ndarray,
                        components: tuple[str, ...] = COMPONENTS, coupling: str = "em",
                        chunk: int = 8192) -> UpscatterEvents:
    """Sample chi' (and recoil) lab four-momenta for incoming chi four-momenta ``p4_chi`` (N,4), MeV.

    A component is chosen per event with probability proportional to its cross-section, then t
    from dsigma/dt, then the chi' direction (uniform azimuth about the chi direction). Events
    below threshold are flagged ``is_open = False`` with zero weight.
    """
    tgt = get_target(target)
    c = scattering_couplings(model)
    p1 = np.asarray(p4_chi, float).reshape(-1, 4)
    E = _check_energy(p1[:, 0], c.m_chi * (1 - 1e-9))
    for k in components:
        if k not in COMPONENTS:
            raise InputError("component", k, COMPONENTS)
    comps = []
    for k in COMPONENTS:
        setup = _component_setup(tgt, k, coupling) if k in components else None
        comps.append(None if setup is None else
                     (setup[0], lambda e, t, k=k: dsigma_dt(model, tgt, e, t, k, coupling)))
    comp, t_out, _, total = sample_components(rng, E, c.m_chi, c.m_chi_prime, comps, chunk)
    n = len(E)
    p3 = np.zeros((n, 4))
    p4 = np.zeros((n, 4))
    for ic, k in enumerate(comps):
        sel = np.nonzero(comp == ic)[0]
        if k is None or len(sel) == 0:
            continue
        p3[sel], p4[sel], _ = final_state_lab(rng, p1[sel], c.m_chi, c.m_chi_prime, k[0], t_out[sel])
    return UpscatterEvents(p3, p4, t_out, comp, total, total > 0)


# ------------------------------------------------------------------------------------------
# chi' decays
# ------------------------------------------------------------------------------------------


def width_v_to_ll(m_v: float, eps: float, m_l: float) -> float:
    """Gamma(V -> l+ l-) = alpha eps^2 m_V/3 (1 + 2 r) sqrt(1 - 4 r), r = m_l^2/m_V^2 (MeV)."""
    if m_v <= 2 * m_l:
        return 0.0
    r = m_l * m_l / (m_v * m_v)
    return ALPHA_EM * eps * eps * m_v / 3.0 * (1 + 2 * r) * np.sqrt(1 - 4 * r)


def v1_branching_ee(model: Model) -> float:
    """BR(V1 -> e+ e-) = (1 - BR(V1 -> chi chi)) Gamma_ee/(Gamma_ee + Gamma_mumu); hadronic modes are
    neglected (adequate below 2 m_pi; seed 000 footnote 3 fixes BR(V1 -> chi chi))."""
    gee = width_v_to_ll(model.m_v1, 1.0, M_E)
    gmm = width_v_to_ll(model.m_v1, 1.0, M_MU)
    return (1.0 - model.br_v1_chichi) * gee / (gee + gmm) if gee > 0 else 0.0


def msq_chi_prime_to_chi_v(M: float, m: float, m_v: float, g: float) -> float:
    """Spin-averaged |M|^2 of chi'(M) -> chi(m) V(m_v) for the vertex g chi-bar gamma^mu chi' V_mu:
    2 g^2 [p.P - 3 m M + 2 (p.k)(P.k)/m_v^2] (our trace, polarisation sum -g + k k/m_v^2)."""
    pP = 0.5 * (M * M + m * m - m_v * m_v)
    Pk = 0.5 * (M * M - m * m + m_v * m_v)
    pk = 0.5 * (M * M - m * m - m_v * m_v)
    return 2.0 * g * g * (pP - 3.0 * m * M + 2.0 * pk * Pk / (m_v * m_v))


def width_chi_prime_to_chi_v(M: float, m: float, m_v: float, g: float) -> float:
    """Gamma(chi' -> chi V) = |p|/(8 pi M^2) |M|^2 in MeV (0 if closed)."""
    if M <= m + m_v:
        return 0.0
    p = np.sqrt(kallen(M * M, m * m, m_v * m_v)) / (2 * M)
    return float(p / (8 * np.pi * M * M) * msq_chi_prime_to_chi_v(M, m, m_v, g))


def msq_chi_prime_3body(P: np.ndarray, p: np.ndarray, k1: np.ndarray, k2: np.ndarray, M: float, m: float,
                        coupling: float, m_v: float, width_v: float = 0.0) -> np.ndarray:
    """Spin-averaged |M|^2 of chi'(P) -> chi(p) e-(k1) e+(k2) via V* (rows of (N,4) arrays):
    (coupling)^2 / |q^2 - m_v^2 + i m_v Gamma_v|^2 * 8 [2(p.k1)(P.k2) + 2(p.k2)(P.k1) - 2(p.P) X
    - 2 Y (k1.k2) + 4 X Y],  X = k1.k2 + m_e^2,  Y = p.P - m M,  coupling = g' e eps."""
    q = k1 + k2
    q2 = dot(q, q)
    X = dot(k1, k2) + M_E * M_E
    Y = dot(p, P) - m * M
    core = 2 * dot(p, k1) * dot(P, k2) + 2 * dot(p, k2) * dot(P, k1) - 2 * dot(p, P) * X - 2 * Y * dot(k1, k2) + 4 * X * Y
    return coupling**2 * 8.0 * core / ((q2 - m_v * m_v) ** 2 + (m_v * width_v) ** 2)


def width_chi_prime_to_chi_ee(M: float, m: float, m_v: float, g: float, eps: float) -> float:
    """Gamma(chi' -> chi e+ e-) via V* (MeV), from the exact factorisation
    dGamma/dm^2 = Gamma(chi' -> chi V*(m)) m Gamma(V*(m) -> ee)/(pi (m^2 - m_V^2)^2), one-dimensional
    quadrature in m = m_ee. Intended for V off shell (m_V > M - m); checked in the tests against
    a Dalitz-plot Monte Carlo of :func:`msq_chi_prime_3body`."""
    lo, hi = 2 * M_E, M - m
    if hi <= lo:
        return 0.0

    def f(mee: float) -> float:
        return (width_chi_prime_to_chi_v(M, m, mee, g) * mee * width_v_to_ll(mee, eps, M_E)
                / (np.pi * (mee * mee - m_v * m_v) ** 2) * 2 * mee)

    pts = [m_v] if lo < m_v < hi else None
    val, _ = integrate.quad(f, lo, hi, points=pts, limit=200, epsrel=1e-8)
    return float(val)


def chi_prime_widths(model: Model) -> dict[str, float]:
    """Partial widths of chi' (MeV) in a ``vector-idm`` model.

    chi' -> chi V1 (on shell, g'_1 = ``g_prime``; seed 000 fixes g'_2 only, we take g'_1 = g'_2 in
    the double-mediator case) or, if closed, chi' -> chi e+ e- via off-shell V1. chi' -> chi V2 is
    added when open. Returns {"chi V1": ..., "chi e+e- (V1*)": ..., "chi V2": ..., "total": ...,
    "ctau_mm": proper decay length in mm}.
    """
    require_parameters(model, IDM_PARAMETERS, "chi' decays")
    M, m, g = model.m_chi_prime, model.m_chi, model.g_prime
    out: dict[str, float] = {}
    if M > m + model.m_v1:
        out["chi V1"] = width_chi_prime_to_chi_v(M, m, model.m_v1, g)
    else:
        out["chi e+e- (V1*)"] = width_chi_prime_to_chi_ee(M, m, model.m_v1, g, model.eps1)
    if not model.single_mediator and M > m + model.m_v2:
        out["chi V2"] = width_chi_prime_to_chi_v(M, m, model.m_v2, g)
    total = float(sum(out.values()))
    out["total"] = total
    out["ctau_mm"] = HBARC / total if total > 0 else float("inf")
    return out


@dataclass
class ChiPrimeDecays:
    """Sampled chi' -> chi e+ e- decays (lab frame).

    Attributes:
        p4_chi, p4_em, p4_ep: four-momenta (N,4) of chi, e-, e+, MeV.
        p4_v: V1 four-momenta (N,4) for the on-shell chain, else None.
        weight: per-event factor to apply: BR(V1 -> e+e-) for the on-shell chain,
            Gamma(chi' -> chi ee)/Gamma_total for the off-shell mode (dimensionless).
        mode: "on-shell V1" or "off-shell V1".
    """

    p4_chi: np.ndarray
    p4_em: np.ndarray
    p4_ep: np.ndarray
    p4_v: np.ndarray | None
    weight: np.ndarray
    mode: str


def _random_rotation_apply(rng: np.random.Generator, vecs: list[np.ndarray]) -> list[np.ndarray]:
    """Apply one uniformly random rotation per row to each (N,3) array in ``vecs`` (same rotation)."""
    n = vecs[0].shape[0]
    z = isotropic_directions(rng, n)
    e1 = np.cross(np.where(np.abs(z[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]]), z)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(z, e1)
    psi = rng.uniform(0, 2 * np.pi, n)[:, None]
    a = np.cos(psi) * e1 + np.sin(psi) * e2
    b = np.cross(z, a)
    return [v[:, 0:1] * a + v[:, 1:2] * b + v[:, 2:3] * z for v in vecs]


def sample_dalitz_3body(rng: np.random.Generator, n: int, M: float, m: float, model_coupling: float, m_v: float,
                        max_rounds: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """chi' -> chi e- e+ at rest via V*: accept-reject on |M|^2 over the uniform Dalitz plot.
    Returns (p_chi, p_em, p_ep), each (n,4), in the chi' rest frame."""
    me = M_E
    s12_lo, s12_hi = (2 * me) ** 2, (M - m) ** 2
    s23_lo, s23_hi = (me + m) ** 2, (M - me) ** 2
    P_rest = np.array([M, 0.0, 0.0, 0.0])
    out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    got = 0
    fmax = 0.0
    for _ in range(max_rounds):
        k = max(4 * (n - got), 1000)
        s12 = rng.uniform(s12_lo, s12_hi, k)
        s23 = rng.uniform(s23_lo, s23_hi, k)
        p_chi, p_em, p_ep, inside = _dalitz_momenta(s12, s23, M, m, me)
        p_chi, p_em, p_ep = p_chi[inside], p_em[inside], p_ep[inside]
        Pn = np.broadcast_to(P_rest, p_chi.shape)
        w = msq_chi_prime_3body(Pn, p_chi, p_em, p_ep, M, m, model_coupling, m_v)
        if fmax == 0.0:
            fmax = 1.2 * float(w.max())
        fmax = max(fmax, float(w.max()))
        acc = rng.uniform(0, fmax, len(w)) < w
        out.append((p_chi[acc], p_em[acc], p_ep[acc]))
        got += int(acc.sum())
        if got >= n:
            break
    pc, pe, pp = (np.concatenate([o[i] for o in out])[:n] for i in range(3))
    return pc, pe, pp


def _dalitz_momenta(s12: np.ndarray, s23: np.ndarray, M: float, m: float, me: float):
    """Rest-frame momenta of (chi, e-, e+) from s12 = m_ee^2 and s23 = m(e+ chi)^2; plus an inside mask."""
    E_chi = (M * M + m * m - s12) / (2 * M)
    E_em = (M * M + me * me - s23) / (2 * M)
    E_ep = M - E_chi - E_em
    pc = np.sqrt(np.clip(E_chi**2 - m * m, 0, None))
    pe = np.sqrt(np.clip(E_em**2 - me * me, 0, None))
    pp = np.sqrt(np.clip(E_ep**2 - me * me, 0, None))
    den = 2 * pc * pe
    cos = (pp**2 - pc**2 - pe**2) / np.where(den > 0, den, 1.0)
    inside = (E_ep > me) & (np.abs(cos) <= 1.0) & (den > 0)
    cos = np.clip(cos, -1, 1)
    sin = np.sqrt(1 - cos * cos)
    n = len(s12)
    v_chi = np.zeros((n, 3))
    v_chi[:, 2] = pc
    v_em = np.stack([pe * sin, np.zeros(n), pe * cos], axis=1)
    v_ep = -v_chi - v_em
    return (np.column_stack([E_chi, v_chi]), np.column_stack([E_em, v_em]), np.column_stack([E_ep, v_ep]), inside)


def sample_chi_prime_decay(rng: np.random.Generator, model: Model, p4_chi_prime: np.ndarray) -> ChiPrimeDecays:
    """Decay chi' (lab four-momenta (N,4), MeV) to chi e+ e-.

    On-shell chain (m_chi' > m_chi + m_V1): chi' -> chi V1 isotropic in the chi' rest frame, then
    V1 -> e+ e- isotropic in the V1 rest frame (chi' polarisation and V1 spin correlations are
    neglected); weight = BR(V1 -> ee). Otherwise chi' -> chi e+ e- through off-shell V1 with the
    full matrix element (Dalitz accept-reject, random orientation); weight = BR(chi' -> chi ee).
    Energy-momentum is conserved event by event.
    """
    require_parameters(model, IDM_PARAMETERS, "chi' decays")
    P = np.asarray(p4_chi_prime, float).reshape(-1, 4)
    n = len(P)
    M, m, m_v = model.m_chi_prime, model.m_chi, model.m_v1
    if M > m + m_v:
        p_chi, p_v = two_body_decay(rng, P, m, m_v)
        p_em, p_ep = two_body_decay(rng, p_v, M_E, M_E)
        widths = chi_prime_widths(model)
        w = np.full(n, v1_branching_ee(model) * widths["chi V1"] / widths["total"])
        return ChiPrimeDecays(p_chi, p_em, p_ep, p_v, w, "on-shell V1")
    coupling = model.g_prime * E_CHARGE * model.eps1
    pc, pe, pp = sample_dalitz_3body(rng, n, M, m, coupling, m_v)
    rot = _random_rotation_apply(rng, [pc[:, 1:], pe[:, 1:], pp[:, 1:]])
    pc[:, 1:], pe[:, 1:], pp[:, 1:] = rot
    b = beta_of(P)
    widths = chi_prime_widths(model)
    w = np.full(n, widths["chi e+e- (V1*)"] / widths["total"])
    return ChiPrimeDecays(boost(pc, b), boost(pe, b), boost(pp, b), None, w, "off-shell V1")
