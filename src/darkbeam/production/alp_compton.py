"""Compton-like production γ e⁻ → a e⁻ of an axion-like particle on the electrons of the production target.

The ALP's electron coupling (L ⊃ i g a ē γ⁵ e, g = ``g_aee``, dimensionless; seed 004 Eq. 20) lets every photon of
the target — the π⁰/η → γγ photons and, with ``cascade = "approx-b"``, their electromagnetic showers' photons —
convert on an atomic electron (free and at rest: binding, O(keV–100 keV), is negligible above the MeV thresholds):

    γ(k) e(p) → a(k_a) e(p′),   s = (k + p)²,  t = (k − k_a)²,  u = (p − k_a)²,  s + t + u = 2m² + m_a².

Matrix element (tree level, s- and u-channel electron exchange). Summed over the electron spins and the photon's
polarisations (−g_μν: the sum of both diagrams obeys the Ward identity), with S = s − m², U = u − m², μ = m_a²:

    Σ|M|² = e² g² A(S, U),
    A = −4 (S/U + U/S) − 8 + 8μ (S + U)/(S U) − 8μ²/(S U) + 8 m² μ (S + U)²/(S U)²              (1)

obtained for darkbeam from the spin sum of the two diagrams, and checked in tests/test_alp_electron.py against an explicit
4×4 Dirac-matrix evaluation of the amplitudes (spinors, polarisation vectors, no trace algebra) and the Ward
identity. For m_a = 0 it is A = −4 t²/(S U), the known massless form ∝ t²/((s − m²)(u − m²)) (Brodsky, Mottola,
Muzinich, Weinstein, PRL 56 (1986) 1763); with the mass it is the pseudoscalar "Compton" process of
Gondolo & Raffelt, PRD 79 (2009) 107301, arXiv:0807.2926 (the tests compare eq. 3 at m_a = 0 with the massless
closed form), used for beam-dump ALPs by Brdar et al., PRL 126 (2021) 201801, arXiv:2011.07054, and Capozzi et al.,
PRD 108 (2023) 075019, arXiv:2307.03878; eq. (2) equals, to 1e-9, the massive dσ/dE_a written with
x = 1 − E_a/E_γ + m_a²/(2E_γ m) in the public code of authors of the latter (alplib, prod_xs.compton_dsigma_dea).

Cross-section (γ e → a e: average 1/4 over the photon's polarisations and the electron's spin; flux 2S):

    dσ/dU = α g² A(S, U) / (16 S²)         (e² = 4πα; dσ/dt = dσ/dU at fixed s)                         (2)

over U ∈ [U₋, U₊] (the t range of the two-body final state; U₋ U₊ = S² m²/s, both < 0):

    U₋ = −S (s + m² − μ + √λ)/(2s),   U₊ = −2 S m² / (s + m² − μ + √λ),   λ = λ(s, m², μ).

The primitive of eq. (1) in U is elementary, so σ is exact in closed form (:func:`sigma_compton`; the tests check
it against Gauss–Legendre quadrature of eq. (2)):

    ∫A dU = (−4S + 8μ − 8μ²/S + 16 m² μ/S) ln|U| − 2U²/S − 8U + 8μU/S − 8m²μ/U + 8m²μU/S².           (3)

Threshold: s ≥ (m + m_a)², i.e. E_γ ≥ m_a + m_a²/(2m) on an electron at rest (1.98 MeV for m_a = 1 MeV, 107.8 MeV
for 10 MeV): heavy ALPs need hard photons. Lab kinematics (electron at rest): E_a = (μ − U)/(2m); the angle to the
photon from t = μ − S − U = μ − 2E_γ(E_a − p_a cos θ).

Conversion in a thick target (as the Primakoff channel, :mod:`.photon_primakoff`, eq. 1 there): a primary photon is
absorbed (σ_abs per atom, the same pair + Klein–Nishina cross-section) before it leaves, and converts with

    P_C(E_γ) = Z σ_C(E_γ) / σ_abs(E_γ),                                                              (4)

Z electrons per atom; a shower photon of the approximation-B cascade (:mod:`.em_cascade`) converts with
n_e σ_C(k) dT (n_e = Z N_A/A electrons per gram, dT the track length in g/cm²). Both ∝ g² exactly. The ALP's
energy and angle follow from eq. (2) sampled in U (inverse CDF in ln(−U)) and uniform azimuth; the samples are
flagged ``own_direction`` (hit counting, as for the Primakoff ALPs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, ClassVar

import hepunits as hu
import numpy as np

from ..constants import ALPHA_EM, INV_MEV2_TO_CM2, M_E
from ..kinematics.fourvec import kallen, rotate_about
from ..numerics import integrate_log_panels
from ..particles import record_pdg
from ..sample import ParticleSample
from . import em_cascade as ec
from .channels import _add_parent_origin
from .neutral_meson import NEUTRAL_MESONS
from .photon_primakoff import (
    FOLLOW_BEAM,
    MATERIALS,
    PhotonPrimakoff,
    atoms_per_gram,
    get_material,
    meson_photons,
    sigma_absorption,
)

#: suffix of the source labels of this channel ("pi0 comp", "eta comp": at most 8 characters, the label width)
LABEL_SUFFIX = "comp"


# ------------------------------------------------------------------------------------------------
# the matrix element and cross-sections, eqs. (1)-(3)
# ------------------------------------------------------------------------------------------------
def amplitude_squared(S: np.ndarray, U: np.ndarray, m_a: float) -> np.ndarray:
    """A(S, U) of eq. (1): Σ|M|²/(e² g²) summed over all spins and polarisations (dimensionless); S = s − m²,
    U = u − m² in MeV², m_a in MeV. The same function serves γe → ae and, by time reversal, ae → γe."""
    S, U = np.broadcast_arrays(np.asarray(S, float), np.asarray(U, float))
    mu = m_a * m_a
    with np.errstate(divide="ignore", invalid="ignore"):
        su = S * U
        return (-4.0 * (S / U + U / S) - 8.0 + 8.0 * mu * (S + U) / su - 8.0 * mu * mu / su
                + 8.0 * M_E * M_E * mu * ((S + U) / su) ** 2)


def u_limits(s: np.ndarray, m_a: float) -> tuple[np.ndarray, np.ndarray]:
    """(U₋, U₊), MeV², the range of U = u − m² of γe ↔ ae at s (MeV², ≥ (m + m_a)²); both negative. Written
    without cancellation (U₋ U₊ = S² m²/s)."""
    s = np.asarray(s, float)
    mu = m_a * m_a
    S = s - M_E * M_E
    root = np.sqrt(np.clip(kallen(s, M_E * M_E, mu), 0.0, None))
    d = s + M_E * M_E - mu + root
    return -S * d / (2.0 * s), -2.0 * S * M_E * M_E / d


def threshold_energy(m_a: float) -> float:
    """Smallest photon energy (MeV) for γ e → a e on an electron at rest: m_a + m_a²/(2 m_e)."""
    return m_a + m_a * m_a / (2.0 * M_E)


def amplitude_primitive(S: np.ndarray, U: np.ndarray, m_a: float) -> np.ndarray:
    """Eq. (3): ∫ A dU (MeV²), U < 0."""
    mu, m2 = m_a * m_a, M_E * M_E
    return ((-4.0 * S + 8.0 * mu - 8.0 * mu * mu / S + 16.0 * m2 * mu / S) * np.log(-U) - 2.0 * U * U / S
            - 8.0 * U + 8.0 * mu * U / S - 8.0 * m2 * mu / U + 8.0 * m2 * mu * U / (S * S))


def dsigma_du(E_gamma: np.ndarray, U: np.ndarray, m_a: float, g: float) -> np.ndarray:
    """dσ/dU of γ e → a e, eq. (2), cm²/MeV² per electron: photon lab energy E_γ (MeV, electron at rest), U = u − m²
    (MeV²), m_a (MeV), g = g_aee. 0 outside [U₋, U₊] and below threshold."""
    E, U = np.broadcast_arrays(np.asarray(E_gamma, float), np.asarray(U, float))
    s = M_E * M_E + 2.0 * M_E * E
    S = s - M_E * M_E
    open_ = s > (M_E + m_a) ** 2
    lo, hi = u_limits(np.where(open_, s, (M_E + m_a) ** 2 * 1.0001), m_a)
    inside = open_ & (U >= lo) & (U <= hi)
    val = ALPHA_EM * g * g * amplitude_squared(np.where(inside, S, 1.0), np.where(inside, U, -1.0), m_a) \
        / (16.0 * np.where(inside, S, 1.0) ** 2)
    return np.where(inside, val, 0.0) * INV_MEV2_TO_CM2


def sigma_compton(E_gamma: np.ndarray | float, m_a: float, g: float) -> np.ndarray:
    """Total σ(γ e → a e) per electron at rest, cm², closed form (eqs. 2 and 3), vectorised over the photon energy
    E_γ (MeV); 0 below threshold (:func:`threshold_energy`)."""
    E = np.atleast_1d(np.asarray(E_gamma, float))
    s = M_E * M_E + 2.0 * M_E * E
    open_ = s > (M_E + m_a) ** 2 * (1.0 + 1e-12)
    s_ok = np.where(open_, s, (M_E + m_a) ** 2 * 2.0)
    S = s_ok - M_E * M_E
    lo, hi = u_limits(s_ok, m_a)
    val = ALPHA_EM * g * g * (amplitude_primitive(S, hi, m_a) - amplitude_primitive(S, lo, m_a)) / (16.0 * S * S)
    return np.where(open_, val, 0.0) * INV_MEV2_TO_CM2


# ------------------------------------------------------------------------------------------------
# sampling U (shared with the detection side: the same A(S, U) at fixed S)
# ------------------------------------------------------------------------------------------------
_K_U = 96


def sample_u(rng: np.random.Generator, S: np.ndarray, m_a: float, chunk: int = 50_000) -> np.ndarray:
    """U = u − m² (MeV²) drawn from A(S, U) over [U₋, U₊] at each S = s − m² (MeV², above threshold): inverse CDF of
    |U| A in ln(−U) on 96 nodes (piecewise-linear density), vectorised in chunks."""
    S = np.asarray(S, float)
    out = np.empty(len(S))
    x = np.linspace(0.0, 1.0, _K_U)
    for c0 in range(0, len(S), chunk):
        sc = S[c0:c0 + chunk]
        lo, hi = u_limits(sc + M_E * M_E, m_a)
        ll, lh = np.log(-lo), np.log(-hi)  # ln|U₋| > ln|U₊|
        lnu = lh[:, None] + (ll - lh)[:, None] * x[None, :]
        uu = -np.exp(lnu)
        dens = np.clip(amplitude_squared(sc[:, None], uu, m_a), 0.0, None) * np.exp(lnu)
        cdf = np.concatenate([np.zeros((len(sc), 1)), np.cumsum(0.5 * (dens[:, 1:] + dens[:, :-1]), axis=1)], axis=1)
        cdf /= np.where(cdf[:, -1:] > 0, cdf[:, -1:], 1.0)
        r = rng.random(len(sc))
        j = np.clip(np.sum(cdf < r[:, None], axis=1), 1, _K_U - 1)
        rows = np.arange(len(sc))
        a, b = cdf[rows, j - 1], cdf[rows, j]
        frac = np.where(b > a, (r - a) / np.where(b > a, b - a, 1.0), 0.5)
        out[c0:c0 + chunk] = -np.exp(lnu[rows, j - 1] + frac * (lnu[rows, j] - lnu[rows, j - 1]))
    return out


def photons_to_alps(rng: np.random.Generator, photons: np.ndarray, m_a: float) -> tuple[np.ndarray, np.ndarray]:
    """γ e → a e for photons (lab four-momenta (N,4), all above threshold) on electrons at rest: U from eq. (2),
    uniform azimuth about the photon. Returns (ALP four-momenta (N,4), recoil-electron four-momenta (N,4)), MeV."""
    E = photons[:, 0]
    S = 2.0 * M_E * E
    U = sample_u(rng, S, m_a)
    mu = m_a * m_a
    e_a = (mu - U) / (2.0 * M_E)
    p_a = np.sqrt(np.clip(e_a * e_a - mu, 0.0, None))
    t = mu - S - U
    cos_t = np.clip((t - mu + 2.0 * E * e_a) / (2.0 * E * np.maximum(p_a, 1e-300)), -1.0, 1.0)
    k = photons[:, 1:] / np.linalg.norm(photons[:, 1:], axis=1)[:, None]
    u = rotate_about(k, cos_t, rng.uniform(0.0, 2.0 * np.pi, len(E)))
    alps = np.concatenate([e_a[:, None], p_a[:, None] * u], axis=1)
    electrons = photons - alps
    electrons[:, 0] += M_E
    return alps, electrons


# ------------------------------------------------------------------------------------------------
# conversion in a thick target, eq. (4)
# ------------------------------------------------------------------------------------------------
def conversion_probability(E: np.ndarray | float, m_a: float, g: float, material: str) -> np.ndarray:
    """P_C(E_γ) = Z σ_C/σ_abs, eq. (4): probability that a photon of energy E (MeV) absorbed in ``material`` makes an
    ALP on an atomic electron on its way; 0 below threshold."""
    mat = get_material(material)
    E = np.atleast_1d(np.asarray(E, float))
    return mat.Z * sigma_compton(E, m_a, g) / sigma_absorption(E, mat)


_N_TABLE = 160


@lru_cache(maxsize=64)
def _probability_table(m_a: float, material: str) -> tuple[np.ndarray, np.ndarray]:
    """(ln E grid, P_C at g = 1) from just above threshold to 1 TeV (interpolated in ln E)."""
    lo = max(threshold_energy(m_a), 2.0 * M_E) * (1.0 + 1e-6)
    e = np.geomspace(lo, 1e6 * hu.MeV, _N_TABLE)
    return np.log(e), conversion_probability(e, m_a, 1.0, material)


def conversion_probability_fast(E: np.ndarray, m_a: float, g: float, material: str) -> np.ndarray:
    """:func:`conversion_probability` interpolated linearly in ln E from 160 energies per (m_a, material)."""
    lne, p1 = _probability_table(float(m_a), str(material))
    E = np.asarray(E, float)
    out = np.interp(np.log(np.maximum(E, 1e-300)), lne, p1, left=0.0, right=p1[-1])
    return np.where(E > threshold_energy(m_a), out * g * g, 0.0)


def electrons_per_gram(material: str) -> float:
    """n_e = Z N_A/A, electrons per gram."""
    return get_material(material).Z * atoms_per_gram(material)


def sample_cascade(rng: np.random.Generator, photons: np.ndarray, m_a: float, g: float, material: str,
                   n_shower: int = ec.N_SHOWER) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shower photons of the primaries (lab four-momenta (N,4)) above the Compton threshold k_th: ``n_shower`` per
    primary with E₀ > k_th, energies ∝ 1/k² on (k_th, E₀) (em_cascade eq. 1), directions about the primary's
    (em_cascade's Gaussian of scale E_s/k). Returns (primary index (M,), four-momenta (M,4), conversion probability
    (M,)), the probability T_asym(E₀) s(k, E₀) n_e σ_C(k)/n_shower (∝ g²); their sum per primary estimates
    n_e ∫ dk (dT/dk) σ_C(k) (:func:`cascade_conversion`)."""
    mat = get_material(material)
    k_min = threshold_energy(m_a) * (1.0 + 1e-9)
    e_all = photons[:, 0]
    src = np.repeat(np.flatnonzero(e_all > k_min), n_shower)
    e0 = e_all[src]
    k = ec.sample_shower_energies(rng, e0, k_min)
    cos_t = ec.sample_shower_cos_theta(rng, k)
    dirs = rotate_about(photons[src, 1:] / np.linalg.norm(photons[src, 1:], axis=1)[:, None], cos_t,
                      rng.uniform(0.0, 2.0 * np.pi, len(k)))
    shower = np.concatenate([k[:, None], k[:, None] * dirs], axis=1)
    prob = ec.asymptotic_track_length(e0, k_min, mat.X0) * ec.approx_b_factor(k, e0, mat.Z) \
        * electrons_per_gram(mat.symbol) * sigma_compton(k, m_a, g) / n_shower
    return src, shower, prob


def cascade_conversion(E0: np.ndarray | float, m_a: float, g: float, material: str) -> np.ndarray:
    """C_C(E₀) = n_e ∫ dk (dT/dk) σ_C(k) over (k_th, E₀): ALPs made by Compton conversions of the shower photons of a
    primary of energy E₀ (MeV), approximation B (em_cascade.photon_track_length); 8 panels × 48 nodes in ln k."""
    mat = get_material(material)
    E0 = np.atleast_1d(np.asarray(E0, float))
    out = np.zeros(E0.shape)
    k_th = threshold_energy(m_a) * (1.0 + 1e-9)
    ok = E0 > k_th
    if not np.any(ok):
        return out
    total = integrate_log_panels(
        lambda k: ec.photon_track_length(k, E0[ok][:, None], mat.X0, mat.Z) * sigma_compton(k.ravel(), m_a, g).reshape(
            k.shape), np.full(int(ok.sum()), math.log(k_th)), np.log(E0[ok]), 8)
    out[ok] = electrons_per_gram(mat.symbol) * total
    return out


# ------------------------------------------------------------------------------------------------
# the production channel
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhotonCompton(PhotonPrimakoff):
    """π⁰/η → γγ in the target, then γ e → a e on an atomic electron before the photon is absorbed; rate ∝ g_aee².

    Shares the Primakoff channel's target binding (``for_beam``: the beam's ``target_material``) and cascade setting;
    its source labels are "<parent> comp" (re-weighted with g_aee², apart from the Primakoff labels "<parent>")."""

    requires: ClassVar[tuple[str, ...]] = ("m_x", "electron_coupling", "primakoff_target", "primakoff_cascade")
    kind: ClassVar[str] = "Compton-like gamma e -> a e (photons of P0 -> gamma gamma, optional EM cascade)"

    def coupling2(self, model: Any, label: str) -> float | None:
        parts = str(label).split()
        if len(parts) != 2 or parts[0] not in self.parents or parts[1] != LABEL_SUFFIX:
            return None
        return float(model.electron_coupling()) ** 2  # P_C ∝ g_aee²

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        """Rows per parent: the mean number of ALPs per parent decay at rest, 2 BR(γγ) P_C(M/2), "closed" below the
        Compton threshold (boosted parents still convert; the flux code uses the full spectrum); with a cascade, a
        second row 2 BR(γγ) C_C(M/2)."""
        boson = getattr(model, "boson", None) or "a"
        mat = self.material or str(model.primakoff_target())
        if mat == FOLLOW_BEAM:  # no beam here (`darkbeam br`): one row per material the beams can have
            return [r for m in MATERIALS for r in replace(self, material=m).branching_ratios(model)]
        m_a, g = float(model.m_x), float(model.electron_coupling())
        out = []
        for parent in self.parents:
            mes = NEUTRAL_MESONS.get(parent)
            e_half = 0.5 * mes.mass
            closed = e_half <= threshold_energy(m_a)
            value: float | str = "closed" if closed else float(
                2.0 * mes.br_gg * conversion_probability(e_half, m_a, g, mat)[0])
            out.append({"parent": parent, "lepton": None, "value": value,
                        "channel": f"gamma gamma, gamma e- -> {boson} e- in {mat}"})
            if self._cascade(model) != "none":
                c_val: float | str = "closed" if closed else float(
                    2.0 * mes.br_gg * cascade_conversion(e_half, m_a, g, mat)[0])
                out.append({"parent": parent, "lepton": None, "value": c_val,
                            "channel": f"gamma gamma, EM cascade ({self._cascade(model)}) in {mat}, "
                                       f"shower gamma e- -> {boson} e-"})
        return out

    def sample(self, rng, parent, parents, model):
        g = float(model.electron_coupling())
        if not g > 0:  # closed: no random numbers drawn (the model's other channels keep their streams)
            return
        mes = NEUTRAL_MESONS.get(parent)
        idx = np.flatnonzero(parents.pdg == mes.pdg)
        if len(idx) == 0:
            return
        m_a = float(model.m_x)
        mat = self._material(model)
        photons, both, parent_p4 = meson_photons(rng, parents, idx, mes.mass)
        prob = conversion_probability_fast(photons[:, 0], m_a, g, mat)
        keep = prob > 0
        alps, _ = photons_to_alps(rng, photons[keep], m_a)
        sel, p_gamma, conv, mother = both[keep], photons[keep], prob[keep], parent_p4[keep]
        from_shower = np.zeros(int(keep.sum()), bool)
        if self._cascade(model) == "approx-b":  # the shower photons of every primary (em_cascade)
            src, shower, p_sh = sample_cascade(rng, photons, m_a, g, mat)
            on = p_sh > 0
            alps = np.vstack([alps, photons_to_alps(rng, shower[on], m_a)[0]])
            sel, p_gamma = np.concatenate([sel, both[src[on]]]), np.vstack([p_gamma, shower[on]])
            conv, mother = np.concatenate([conv, p_sh[on]]), np.vstack([mother, parent_p4[src[on]]])
            from_shower = np.concatenate([from_shower, np.ones(int(on.sum()), bool)])
        if len(sel) == 0:
            return
        pdg = record_pdg(model)
        xs = ParticleSample(np.full(len(sel), pdg), alps, parents.x[sel], parents.w[sel] * mes.br_gg * conv,
                            parents.weight_unit,
                            {"parent_index": sel, "parent_pdg": parents.pdg[sel], "p4_gamma": p_gamma,
                             "own_direction": np.ones(len(sel), dtype=bool), "from_shower": from_shower})
        _add_parent_origin(xs, parents)
        yield xs, mother, f"{mes.name} {LABEL_SUFFIX}"


__all__ = ["LABEL_SUFFIX", "PhotonCompton", "amplitude_primitive", "amplitude_squared", "cascade_conversion",
           "conversion_probability", "conversion_probability_fast", "dsigma_du", "electrons_per_gram",
           "photons_to_alps", "sample_cascade", "sample_u", "sigma_compton", "threshold_energy", "u_limits"]
