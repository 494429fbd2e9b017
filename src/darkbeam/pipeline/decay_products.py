"""The decay products of the generic decay-in-volume process (:mod:`darkbeam.pipeline.decay_in_volume`, whose module
docstring explains each step: "Multi-body", "Matrix element", "Polarisation", "Charges"): the final-state tables,
the kinematics of two-body, intermediate-state, three-body and polarised decays, and the charges written in records.
Every function is vectorised over decays (no Python loop per event); random numbers come from the channel's
generator or from a :func:`side_stream` of it, as each docstring says.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from ..constants import M_E, M_MU, M_PI0
from ..declarations import pair_conjugate_key
from ..errors import InputError
from ..kinematics.dalitz import orient_to_spin, sample_dalitz, three_body_momenta
from ..kinematics.fourvec import (
    beta_of,
    boost,
    dot,
    isotropic_directions,
    kallen,
    mass,
    two_body_decay,
    two_body_momentum,
)
from ..numerics import side_stream
from ..particles import NU_LIGHT_PDG, charge_conjugate
from .boson_flux import Arrivals

#: visible channels with an invisible daughter (module docstring, "Multi-body"): name -> ((pdg of the invisible,
#: of visible 1, of visible 2), (their masses, MeV), via). via None: flat three-body phase space; via = m (MeV):
#: X → invisible + R of mass m, then R → visible 1 + visible 2 (N → ν π⁰, π⁰ → γγ): isotropic, or R along a
#: declared asymmetry (polarised_via_decay).
MULTI_BODY_FINAL_STATES = MappingProxyType({
    "nu e+ e-": ((NU_LIGHT_PDG, -11, 11), (0.0, M_E, M_E), None),
    "nu mu+ mu-": ((NU_LIGHT_PDG, -13, 13), (0.0, M_MU, M_MU), None),
    "nu pi0": ((NU_LIGHT_PDG, 22, 22), (0.0, 0.0, 0.0), M_PI0),
    # N → e⁻ μ⁺ ν (listed order; μ⁻ e⁺ ν per event from ``pair_charge_fraction``, module docstring "Charges")
    "e mu nu": ((NU_LIGHT_PDG, 11, -13), (0.0, M_E, M_MU), None),
})

#: visible channels with one visible and one invisible daughter (module docstring, "Multi-body"): name ->
#: ((pdg of the invisible, of the visible), (their masses, MeV)); an isotropic two-body decay in the X frame.
SINGLE_VISIBLE_FINAL_STATES = MappingProxyType({
    "nu gamma": ((NU_LIGHT_PDG, 22), (0.0, 0.0)),
})


def pair_mass_squared(rng: np.random.Generator, m: float, m0: float, m1: float, m2: float, n: int) -> np.ndarray:
    """n invariant masses² s = m₁₂² (MeV²) of the pair (m1, m2) in flat three-body phase space of a state of mass m
    decaying to m0 + m1 + m2: dΦ₃ ∝ ds λ^{1/2}(m², s, m0²)/m² · λ^{1/2}(s, m1², m2²)/s (the product of the two-body
    phase spaces of X → 0 + (12) and (12) → 1 + 2; PDG RPP "Kinematics", Eq. 49.21), by rejection against the
    density's maximum on a 2001-point grid (× 1.05; the density is smooth and unimodal)."""
    lo, hi = (m1 + m2) ** 2, (m - m0) ** 2

    def density(s):
        return np.sqrt(np.clip(kallen(m * m, s, m0 * m0), 0.0, None) * np.clip(kallen(s, m1 * m1, m2 * m2), 0.0, None)) / s

    fmax = 1.05 * float(np.max(density(np.linspace(lo, hi, 2001))))
    out = np.empty(0)
    while len(out) < n:
        k = 2 * (n - len(out)) + 64
        s = rng.uniform(lo, hi, k)
        out = np.concatenate([out, s[rng.uniform(0.0, fmax, k) < density(s)]])
    return out[:n]


def multi_body_decay(rng: np.random.Generator, p4: np.ndarray, m: float, visible: str
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decays of states of mass ``m`` (MeV; lab four-momenta ``p4``) into a channel of
    :data:`MULTI_BODY_FINAL_STATES`: (invisible, visible 1, visible 2) lab four-momenta. Unpolarised: the pair's
    direction in the X frame and the daughters' in the pair frame are isotropic; the pair mass is that of flat
    phase space (:func:`pair_mass_squared`) or the intermediate state's (``via``). Vectorised."""
    _, (m0, m1, m2), via = MULTI_BODY_FINAL_STATES[visible]
    n = len(p4)
    m12 = np.full(n, float(via)) if via is not None else np.sqrt(pair_mass_squared(rng, m, m0, m1, m2, n))
    q = two_body_momentum(m, m0, m12)  # X rest frame: invisible against the pair
    d = isotropic_directions(rng, n) * q[:, None]
    inv = np.concatenate([np.sqrt(q * q + m0 * m0)[:, None], d], axis=1)
    pair = np.concatenate([np.sqrt(q * q + m12 * m12)[:, None], -d], axis=1)
    k = two_body_momentum(m12, m1, m2)  # pair rest frame
    e = isotropic_directions(rng, n) * k[:, None]
    a = np.concatenate([np.sqrt(k * k + m1 * m1)[:, None], e], axis=1)
    b = np.concatenate([np.sqrt(k * k + m2 * m2)[:, None], -e], axis=1)
    to_x, to_lab = beta_of(pair), beta_of(p4)
    return boost(inv, to_lab), boost(boost(a, to_x), to_lab), boost(boost(b, to_x), to_lab)


def polarised_via_decay(rng: np.random.Generator, p4: np.ndarray, axis: np.ndarray, a: np.ndarray, visible: str
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decays of polarised states (lab four-momenta ``p4``, unit spin axes ``axis`` in their rest frames) into a
    channel of :data:`MULTI_BODY_FINAL_STATES` with an intermediate state (``via``, e.g. ν π⁰ with π⁰ → γγ): the
    intermediate state's direction in the X frame follows 1 + a cos θ about the axis (``a`` = α P per state, α of
    the intermediate state: ``Decays.asymmetry``), its two daughters are isotropic in its frame. Returns (invisible,
    visible 1, visible 2) lab four-momenta. Vectorised."""
    _, (m0, m1, m2), via = MULTI_BODY_FINAL_STATES[visible]
    pair, inv = polarised_two_body_decay(rng, p4, axis, a, float(via), m0)
    v1, v2 = two_body_decay(rng, pair, m1, m2)
    return inv, v1, v2


def decay_asymmetry(dec, visible: str, arrivals: Arrivals, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, ±α) per selected arrival: the production channel's polarisation (0 where none is reported or the
    parent four-momentum is unknown) and the declared asymmetry of ``visible`` (``dec.asymmetry``; 0 if none),
    with the sign flipped for CP-conjugate states."""
    n = len(idx)
    alpha0 = float(getattr(dec, "asymmetry", {}).get(visible, 0.0))
    if arrivals.polarisation is None or arrivals.parent_p4 is None:
        return np.zeros(n), np.full(n, alpha0)
    pol = np.asarray(arrivals.polarisation, float)[idx]
    conj = np.zeros(n, bool) if arrivals.cp_conjugate is None else np.asarray(arrivals.cp_conjugate, bool)[idx]
    return pol, np.where(conj, -alpha0, alpha0)


def charge_flags(dec, arrivals: Arrivals, idx: np.ndarray, rng: np.random.Generator, pdg1: int, pdg2: int,
                 visible: str = "", p4_x: np.ndarray | None = None, first: np.ndarray | None = None,
                 three_body: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-event (conj, flip) of the record's charges (:func:`charge_states`, module docstring "Charges"): conj, the
    decay is written as the CP image of the channel (a Dirac state's CP-conjugate arrivals; a self-conjugate state's
    ½, or (1 − αP cos θ)/2 with a charge asymmetry, from :func:`side_stream`); flip, the pair is written in its other
    charge order (``dec.pair_charge_fraction``: with probability 1 − f, from a second :func:`side_stream`; never for a
    pair that is its own conjugate). ``rng`` is not advanced. ``three_body``: the flags of a channel whose kinematics
    follow them (``Decays.dalitz_msq``), drawn before its decay; a charge asymmetry, which needs the drawn angle, is
    then rejected."""
    n = len(idx)
    declared = getattr(dec, "self_conjugate", None)
    if declared is None:
        conj = np.zeros(n, bool)
    elif declared:
        listed = np.full(n, 0.5)
        alpha = float(getattr(dec, "charge_asymmetry", {}).get(visible, 0.0))
        if alpha != 0.0 and three_body:
            raise InputError(f"{dec.state} Decays.charge_asymmetry", visible,
                             "no charge asymmetry for a channel with a declared dalitz_msq")
        if (alpha != 0.0 and first is not None and p4_x is not None and arrivals.polarisation is not None
                and arrivals.parent_p4 is not None):
            pol = np.asarray(arrivals.polarisation, float)[idx]
            axis = spin_axes(p4_x, arrivals.parent_p4[idx], float(dec.mass))
            d = boost(first, -beta_of(p4_x))[:, 1:]
            cos = np.sum(d * axis, axis=1) / np.maximum(np.linalg.norm(d, axis=1), 1e-300)
            listed = np.clip(0.5 * (1.0 + alpha * pol * cos), 0.0, 1.0)
        conj = side_stream(rng, f"charge {dec.state}").random(n) < 1.0 - listed
    else:
        conj = np.zeros(n, bool) if arrivals.cp_conjugate is None else np.asarray(arrivals.cp_conjugate, bool)[idx]
    flip = np.zeros(n, bool)
    fraction = getattr(dec, "pair_charge_fraction", {}).get(visible)
    if fraction is not None and not self_conjugate_pair(pdg1, pdg2):  # both orders: the other one with 1 − f
        if not 0.0 <= float(fraction) <= 1.0:
            raise InputError(f"{dec.state} pair_charge_fraction[{visible!r}]", fraction, "a probability in [0, 1]")
        flip = side_stream(rng, f"pair charge {dec.state} {visible}").random(n) >= float(fraction)
    return conj, flip


def self_conjugate_pair(pdg1: int, pdg2: int) -> bool:
    """Whether the pair (pdg1, pdg2) is its own charge conjugate (e⁺e⁻, γγ)."""
    return sorted((charge_conjugate(pdg1), charge_conjugate(pdg2))) == sorted((pdg1, pdg2))


def charge_states(dec, arrivals: Arrivals, idx: np.ndarray, rng: np.random.Generator, pdg_x: int, pdg1: int,
                  pdg2: int, visible: str = "", p4_x: np.ndarray | None = None, first: np.ndarray | None = None,
                  flags: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-event particle ids (state, visible 1, visible 2) of the record (module docstring, "Charges"), from the
    ids as listed (``pdg_x``; ``pdg1``, ``pdg2`` in the record's slots) and the state's ``dec.self_conjugate``:
    None: as listed; False: the CP-conjugate arrivals (``arrivals.cp_conjugate``) get −pdg_x and the charge
    conjugates of the pair; True: each decay is charge-conjugated with probability ½, from :func:`side_stream`
    (``rng`` is not advanced), the state keeping its id. A pair that is its own conjugate (e⁺e⁻, γγ) is kept.
    A self-conjugate state declaring ``dec.charge_asymmetry[visible]`` = α and reported polarised goes to the listed
    charge state with probability (1 + α P cos θ)/2, θ the angle of the first daughter (lab four-momenta ``first``)
    to the spin axis in its rest frame (``p4_x``), so that each charge state follows 1 ± αP cos θ while the drawn,
    isotropic angles (the charge sum) are unchanged. A channel of ``dec.pair_charge_fraction`` (= f) keeps the listed
    order of its pair with probability f and is written with the pair's charge conjugate otherwise (a second
    :func:`side_stream`), the state's id following only the CP conjugation (module docstring, "Charges"). The draws
    are those of :func:`charge_flags`, or ``flags`` where they were drawn before the decay (a declared |M|²)."""
    conj, flip = charge_flags(dec, arrivals, idx, rng, pdg1, pdg2, visible, p4_x, first) if flags is None else flags
    n = len(idx)
    pdg_in = np.where(conj & (getattr(dec, "self_conjugate", None) is False), -pdg_x, pdg_x)
    if self_conjugate_pair(pdg1, pdg2):  # the pair is its own conjugate: ids as listed
        return pdg_in, np.full(n, pdg1), np.full(n, pdg2)
    c1, c2 = charge_conjugate(pdg1), charge_conjugate(pdg2)
    conj = conj ^ flip
    return pdg_in, np.where(conj, c1, pdg1), np.where(conj, c2, pdg2)


def dalitz_decay(rng: np.random.Generator, p4: np.ndarray, dec, visible: str, conj: np.ndarray, flip: np.ndarray,
                 pol: np.ndarray | None = None, axis: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decays of the state of ``dec`` (lab four-momenta ``p4``, MeV) into ``visible`` of :data:`MULTI_BODY_FINAL_STATES`
    with its declared |M|² (``dec.dalitz_msq``; module docstring, "Multi-body"): (invisible, visible 1, visible 2)
    lab four-momenta. The Dalitz points come from a :func:`side_stream` of ``rng`` (:func:`sample_dalitz`), the
    orientations from ``rng`` (:func:`three_body_momenta`). Each event follows the charges written for it
    (:func:`charge_flags`): ``flip`` (the pair's other order) uses ``dec.dalitz_msq[pair_conjugate_key(visible)]``
    where declared; a CP image (``conj``) of a pair that is its own conjugate exchanges the two visible daughters'
    roles (their ids stay as listed). ``pol`` (polarisations) and ``axis`` (:func:`spin_axes`) given and
    ``dec.dalitz_spin`` declared: the orientations then follow |M|²(s) about the spin (:func:`orient_to_spin`, from a
    second side stream; the CP image with −b in its roles), the Dalitz points and ``rng`` unchanged."""
    (_, pdg1, pdg2), (m0, m1, m2), _ = MULTI_BODY_FINAL_STATES[visible]
    m = float(dec.mass)
    side = side_stream(rng, f"dalitz {dec.state} {visible}")
    n = len(p4)
    s12, s01 = np.empty(n), np.empty(n)
    spins = getattr(dec, "dalitz_spin", {}) if pol is not None else {}
    half, bs = np.zeros(n), np.zeros((3, n))
    for key, sel in ((visible, ~flip), (pair_conjugate_key(visible), flip)):
        if np.any(sel):
            density = dec.dalitz_msq.get(key, dec.dalitz_msq[visible])
            s12[sel], s01[sel] = sample_dalitz(side, density, m, m0, m1, m2, int(np.sum(sel)),
                                               f"{dec.state} Decays.dalitz_msq[{key!r}]")
            spin = spins.get(key if key in dec.dalitz_msq else visible)
            if spin is not None:  # |M|²(s) = ½ f + Σ b_i k_i·s in the roles of the drawn process
                half[sel] = 0.5 * np.asarray(density(s12[sel], s01[sel]), float)
                bs[:, sel] = np.asarray(spin(s12[sel], s01[sel]), float)
    swap = conj & self_conjugate_pair(pdg1, pdg2)  # the CP image: visible 1 plays the listed visible 2 (equal masses)
    s01 = np.where(swap, m * m + m0 * m0 + m1 * m1 + m2 * m2 - s12 - s01, s01)
    out = three_body_momenta(rng, p4, m, m0, m1, m2, s12, s01)
    if not spins:
        return out
    sign = np.where(conj, -1.0, 1.0)  # CP image: −b, its role 1 in slot 2 where the pair is its own conjugate
    b = (sign * bs[0], sign * np.where(swap, bs[2], bs[1]), sign * np.where(swap, bs[1], bs[2]))
    return orient_to_spin(side_stream(rng, f"spin {dec.state} {visible}"), p4, out, half, b, axis, pol,
                          f"{dec.state} Decays.dalitz_spin[{visible!r}]")


def spin_axes(p4: np.ndarray, parent_p4: np.ndarray, m: float) -> np.ndarray:
    """Unit spin axes (N, 3), in the rest frame reached from the lab by a pure boost, of states of mass ``m``
    (MeV) and lab four-momenta ``p4`` whose helicity is defined along their momentum in the rest frame of the
    parent ``parent_p4`` (module docstring: s^μ = [(p·K) p^μ − m² K^μ]/(m √((p·K)² − m²M²)), boosted by −β).
    Where that momentum vanishes (no axis) the axis is +z; its polarisation is then 0 (P ∝ |p*|)."""
    pk = dot(p4, parent_p4)
    norm = m * np.sqrt(np.clip(pk**2 - m * m * dot(parent_p4, parent_p4), 0.0, None))
    ok = norm > 0
    s = (pk[:, None] * p4 - m * m * parent_p4) / np.where(ok, norm, 1.0)[:, None]
    axis = boost(s, -beta_of(p4))[:, 1:]
    length = np.linalg.norm(axis, axis=1)
    ok &= length > 0
    return np.where(ok[:, None], axis / np.where(ok, length, 1.0)[:, None], np.array([0.0, 0.0, 1.0]))


def sample_cos_theta(rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    """cos θ from dN/dcos θ = (1 + a cos θ)/2 on [−1, 1] (|a| ≤ 1, one per event) by the inverse CDF
    (a − 2 + 4u)/(1 + √((1 − a)² + 4au)) (the root of F(c) = u that stays finite at a = 0)."""
    a = np.clip(np.asarray(a, float), -1.0, 1.0)
    u = rng.random(len(a))
    return np.clip((a - 2.0 + 4.0 * u) / (1.0 + np.sqrt(np.clip((1.0 - a) ** 2 + 4.0 * a * u, 0.0, None))), -1.0, 1.0)


def polarised_two_body_decay(rng: np.random.Generator, p4: np.ndarray, axis: np.ndarray, a: np.ndarray,
                             m1: float, m2: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-body decays of states (lab four-momenta ``p4``, MeV) into masses m1, m2 with the first daughter
    distributed as 1 + a cos θ about ``axis`` (unit vectors in the rest frame reached by a pure boost, e.g.
    :func:`spin_axes`), uniform in azimuth; returns the lab four-momenta (p4_1, p4_2)."""
    n = len(p4)
    q = two_body_momentum(mass(p4), m1, m2)
    c = sample_cos_theta(rng, a)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    helper = np.where((np.abs(axis[:, 0]) < 0.9)[:, None], np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    e1 = np.cross(axis, helper)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(axis, e1)
    sin_t = np.sqrt(1.0 - c * c)
    d = (sin_t * np.cos(phi))[:, None] * e1 + (sin_t * np.sin(phi))[:, None] * e2 + c[:, None] * axis
    d *= q[:, None]
    p1 = np.concatenate([np.sqrt(q * q + m1 * m1)[:, None], d], axis=1)
    p2 = np.concatenate([np.sqrt(q * q + m2 * m2)[:, None], -d], axis=1)
    b = beta_of(p4)
    return boost(p1, b), boost(p2, b)


__all__ = ["MULTI_BODY_FINAL_STATES", "SINGLE_VISIBLE_FINAL_STATES", "charge_flags", "charge_states", "dalitz_decay", "decay_asymmetry", "multi_body_decay", "pair_mass_squared", "polarised_two_body_decay", "polarised_via_decay", "sample_cos_theta", "self_conjugate_pair", "side_stream", "spin_axes"]
