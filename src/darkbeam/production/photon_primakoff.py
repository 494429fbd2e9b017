"""Primakoff conversion γ N → a N of the photons of π⁰/η → γγ in the production target.

Production of an axion-like particle a coupled to photons (L ⊃ −¼ g a F F̃, g = ``g_agg`` in 1/MeV) in a
thick target: each π⁰/η made in the target decays promptly into two photons (isotropic in its rest frame,
weights BR(γγ), PDG 2022); each photon is absorbed in the target (pair production, Compton scattering), and
on its way converts into an ALP with probability

    P(E_γ) = σ_P(E_γ) / σ_abs(E_γ)                                                        (1)

(the photon is absorbed before it leaves: thick-target limit; Döbrich, Jaeckel, Spadaro, JHEP 05 (2019) 213,
arXiv:1904.02091, Sec. 3; Brdar et al., PRL 126 (2021) 201801, arXiv:2011.07054). The nuclear recoil q²/2M is neglected (E_a = E_γ; at the nuclear scale q² = d it is 15 keV on
W and 2.3 MeV on Be, far less at the typical q). σ_P ≪ σ_abs for every
coupling of interest, so P ∝ g² (the production coupling² of the source labels is g²).

Primakoff cross-section (coherent scattering on the screened atomic field, heavy target: E_a = E_γ). With p = √(E² − m_a²), q² = |q⃗|² = E² + p² − 2Ep cos θ:

    dσ_P/dΩ = g² α Z² F²(q²) E p³ sin²θ / (8π q⁴),   i.e.   dσ_P/dq² = g² α Z² F² p² sin²θ / (8 q⁴)      (2)

derived from the E⃗·B⃗ vertex on a static Coulomb field ZeF/q² (photon polarisations averaged; phase space
p/E): Tsai, PRD 34 (1986) 1326 with the form of Döbrich et al., JHEP 02 (2016) 018, arXiv:1512.03069
(``dσ/dθ = ¼ g² α Z² F² p⁴ sin³θ / t²``, which has p⁴ for our E p³: identical for E ≫ m_a). For m_a → 0 and
a pure screening form factor F = a²q²/(1 + a²q²) eq. (2) integrates in closed form (the tests check it):

    σ_P = (g² α Z²/16) I(b),  b = 2E²a²,
    I = 2[ln(1+2b) + 1/(1+2b) − 1] − [2b − 2 ln(1+2b) − 1/(1+2b) + 1]/b  →  2 ln(4E²a²) − 4.

Form factor: the elastic atomic form factor of Tsai, Rev. Mod. Phys. 46 (1974) 815, Sec. IV.B (used by
arXiv:1512.03069 and arXiv:1904.02091), atomic screening × nuclear dipole:

    F(q²) = [a²q² / (1 + a²q²)] · [1 / (1 + q²/d)],   a = 111 Z^{−1/3}/m_e,   d = 0.164 GeV² A^{−2/3}.

Absorption σ_abs = σ_pair + σ_Compton per atom:

* pair production, high-energy limit σ_pair(∞) = (7/9) A/(X₀ N_A) (PDG RPP 2022, "Passage of particles through
  matter", Sec. 34.4.5; X₀ from the PDG "Atomic and nuclear properties of materials" tables), with the energy
  dependence of the Bethe–Heitler cross-section with Thomas–Fermi screening and the Coulomb correction in the
  parametrisation of Butcher & Messel, Nucl. Phys. 20 (1960) 15, as in the Geant4 Physics Reference Manual
  ("Gamma conversion into an e⁺e⁻ pair", screening functions Φ₁, Φ₂ of δ = 136 m_e/(Z^{1/3} E ε(1 − ε))).
  The shape is normalised to the PDG limit at 1 TeV. It vanishes at the 2m_e threshold and reaches half its
  limit at 28 MeV (W) and 37 MeV (Be) (docs/make_alp.py prints it).
* Compton scattering on the Z electrons: Klein–Nishina (Klein & Nishina, Z. Phys. 52 (1929) 853).
Photonuclear absorption (≲ 1 % above the giant dipole resonance) is neglected.

Direction: the ALP angle to its photon is drawn from eq. (2) (forward peaked, flat in ln q² between the screening
scale 1/a and the nuclear scale: on W at 100 MeV the median angle is 0.011 rad for m_a = 1 MeV and 0.059 rad for
10 MeV; docs/make_alp.py), with a uniform azimuth. These ALPs are not emitted isotropically in any parent's rest
frame (a massive ALP carrying the energy of a photon from a fast π⁰ is not a fixed-energy emission in the π⁰
frame), so darkbeam's forced (point-flux) estimator does not apply: each sample is flagged
``extra["own_direction"]`` and the flux code counts the ALPs whose own momentum crosses the detector disc
(:func:`darkbeam.pipeline.boson_flux.arrivals_from_sources`, the "hits" estimator; docs/portal_alp.md).

Target material: the channel reads ``model.primakoff_target()`` ("W", "Hg", "Be", "C", "Fe": :data:`MATERIALS`),
which the ALP model takes from its ``target`` parameter (the production channel interface does not pass the
beam; the example configs set it to the beam's ``target_material``).

Electromagnetic cascade (``model.primakoff_cascade()``: "none" or "approx-b"; :mod:`.em_cascade`): with "approx-b"
every primary photon of energy E₀ > m_a also gets ``em_cascade.N_SHOWER`` sampled shower photons, energies from
Rossi's approximation-B track length (1/k² on (m_a, E₀), weighted by the approximation-B factor), directions about
the primary's (2-D Gaussian of scale E_s/k); each converts with probability n σ_P(k) × track length
(:func:`sample_cascade`; their sum estimates C(E₀) of :func:`cascade_conversion`), ∝ g² like the primary's, and
its ALP gets its own Primakoff angle (:func:`sample_q2_tabulated`). The primaries are sampled first with the same
random draws as with "none", so "none" is exactly the production without the cascade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, ClassVar

import hepunits as hu
import numpy as np

from ..constants import ALPHA_EM, INV_MEV2_TO_CM2, M_E
from ..errors import InputError
from ..kinematics.fourvec import rotate_about, two_body_decay
from ..numerics import integrate_log_panels
from ..particles import record_pdg
from ..sample import ParticleSample
from . import em_cascade as ec
from .channels import ProductionChannel, _add_parent_origin
from .neutral_meson import NEUTRAL_MESONS


@dataclass(frozen=True)
class Material:
    """A target material for photon absorption and Primakoff conversion.

    Attributes: symbol, Z, A (molar mass, g/mol), mass_number (for the nuclear size), X0 (radiation length,
    g/cm², PDG "Atomic and nuclear properties of materials").
    """

    symbol: str
    Z: int
    A: float
    mass_number: int
    X0: float

    @property
    def screening_a(self) -> float:
        """Atomic screening length a = 111 Z^{−1/3}/m_e (Tsai 1974), 1/MeV."""
        return 111.0 * self.Z ** (-1.0 / 3.0) / M_E

    @property
    def nuclear_d(self) -> float:
        """Nuclear dipole scale d = 0.164 GeV² A^{−2/3} (Tsai 1974), MeV²."""
        return 0.164 * hu.GeV**2 * self.mass_number ** (-2.0 / 3.0)

    @property
    def sigma_pair_limit_cm2(self) -> float:
        """High-energy pair-production cross-section per atom (7/9) A/(X₀ N_A), cm² (PDG RPP Sec. 34.4.5)."""
        return 7.0 / 9.0 * self.A / (self.X0 * hu.Avogadro)


#: the model setting "take the beam's target material"
FOLLOW_BEAM = "beam"

#: target materials of darkbeam's beams (Beam.target_material): PDG atomic and nuclear properties
MATERIALS: dict[str, Material] = {
    "Be": Material("Be", 4, 9.012182, 9, 65.19),
    "C": Material("C", 6, 12.0107, 12, 42.70),
    "Fe": Material("Fe", 26, 55.845, 56, 13.84),
    "W": Material("W", 74, 183.84, 184, 6.76),
    "Hg": Material("Hg", 80, 200.59, 201, 6.44),
}


def get_material(symbol: str | Material) -> Material:
    """Material by symbol; InputError naming the known ones."""
    if isinstance(symbol, Material):
        return symbol
    if symbol not in MATERIALS:
        raise InputError("Primakoff target material", symbol, tuple(MATERIALS))
    return MATERIALS[symbol]


# ------------------------------------------------------------------------------------------------
# Primakoff cross-section, eq. (2)
# ------------------------------------------------------------------------------------------------
def form_factor(q2: np.ndarray, material: str | Material, nuclear: bool = True) -> np.ndarray:
    """Elastic atomic form factor F(q²) (Tsai 1974): screening × nuclear dipole; q² in MeV², dimensionless.
    ``nuclear=False`` drops the nuclear factor (point nucleus)."""
    mat = get_material(material)
    q2 = np.asarray(q2, float)
    a2q2 = mat.screening_a**2 * q2
    f = a2q2 / (1.0 + a2q2)
    return f / (1.0 + q2 / mat.nuclear_d) if nuclear else f


def q2_limits(E: np.ndarray, m_a: float) -> tuple[np.ndarray, np.ndarray]:
    """(q²_min, q²_max) = ((E − p)², (E + p)²), MeV², for photon energies E ≥ m_a (MeV)."""
    E = np.asarray(E, float)
    p = np.sqrt(np.clip(E * E - m_a * m_a, 0.0, None))
    # (E − p)² = m⁴/(E + p)² without cancellation
    return (m_a * m_a / np.maximum(E + p, 1e-300)) ** 2, (E + p) ** 2


def dsigma_dq2(E: np.ndarray, q2: np.ndarray, m_a: float, g: float, material: str | Material,
               nuclear: bool = True) -> np.ndarray:
    """dσ_P/dq² of γ N → a N, eq. (2), cm²/MeV²: E photon energy (MeV), q² = |q⃗|² (MeV²), g in 1/MeV.
    0 outside the kinematic range or below threshold (E ≤ m_a)."""
    mat = get_material(material)
    E, q2 = np.broadcast_arrays(np.asarray(E, float), np.asarray(q2, float))
    p2 = np.clip(E * E - m_a * m_a, 0.0, None)
    p = np.sqrt(p2)
    ok = (p > 0) & (q2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(ok, (E * E + p2 - q2) / (2.0 * E * np.where(p > 0, p, 1.0)), 1.0)
        sin2 = np.clip(1.0 - c * c, 0.0, None)
        val = g * g * ALPHA_EM * mat.Z**2 * form_factor(q2, mat, nuclear) ** 2 * p2 * sin2 / (8.0 * q2 * q2)
    return np.where(ok & (np.abs(c) <= 1.0), val, 0.0) * INV_MEV2_TO_CM2


_PANELS = 12


def sigma_primakoff(E: np.ndarray | float, m_a: float, g: float, material: str | Material,
                    nuclear: bool = True) -> np.ndarray:
    """Total Primakoff cross-section σ_P(E) per atom, cm² (eq. 2 integrated over q²), vectorised over E (MeV).

    Composite Gauss–Legendre in ln q² between the kinematic limits (12 panels × 48 nodes): the integrand
    q² dσ/dq² is smooth in ln q² (flat between 1/a² and the nuclear scale). 0 for E ≤ m_a.
    """
    E = np.atleast_1d(np.asarray(E, float))
    out = np.zeros(E.shape)
    ok = E > m_a
    if not np.any(ok):
        return out
    lo, hi = q2_limits(E[ok], m_a)
    total = integrate_log_panels(lambda q2: dsigma_dq2(E[ok][:, None], q2, m_a, g, material, nuclear),
                                 np.log(lo), np.log(hi), _PANELS)
    out[ok] = total
    return out


def sigma_primakoff_screened_massless(E: np.ndarray | float, g: float, material: str | Material) -> np.ndarray:
    """Closed form of σ_P for m_a = 0 with the screening factor only (point nucleus), cm² (module docstring)."""
    mat = get_material(material)
    b = 2.0 * np.asarray(E, float) ** 2 * mat.screening_a**2
    u = 2.0 * b
    i_val = 2.0 * (np.log1p(u) + 1.0 / (1.0 + u) - 1.0) - (u - 2.0 * np.log1p(u) - 1.0 / (1.0 + u) + 1.0) / b
    return g * g * ALPHA_EM * mat.Z**2 / 16.0 * i_val * INV_MEV2_TO_CM2


# ------------------------------------------------------------------------------------------------
# photon absorption
# ------------------------------------------------------------------------------------------------
def coulomb_correction(Z: int) -> float:
    """Davies–Bethe–Maximon Coulomb correction f_c(αZ) (PDG RPP Eq. 34.27)."""
    a2 = (ALPHA_EM * Z) ** 2
    return a2 * (1.0 / (1.0 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 * a2 - 0.002 * a2**3)


_GL_E_X, _GL_E_W = np.polynomial.legendre.leggauss(64)


def _bethe_heitler_shape(E: np.ndarray, Z: int) -> np.ndarray:
    """∫ dε of the screened Bethe–Heitler dσ/dε in units of α r_e² Z(Z + ξ) (Butcher–Messel / Geant4 PRM),
    for E > 2 m_e (0 otherwise)."""
    E = np.asarray(E, float)
    out = np.zeros(E.shape)
    ok = E > 2.0 * M_E
    if not np.any(ok):
        return out
    e = E[ok][:, None]
    e0 = M_E / e
    eps = 0.5 + (0.5 - e0) * _GL_E_X[None, :]  # ε ∈ [m_e/E, 1 − m_e/E], symmetric about 1/2
    x = eps * (1.0 - eps)
    delta = 136.0 * M_E / (Z ** (1.0 / 3.0) * e * x)
    big = delta > 1.0
    phi_big = 21.12 - 4.184 * np.log(delta + 0.952)
    phi1 = np.where(big, phi_big, 20.867 - 3.242 * delta + 0.625 * delta**2)
    phi2 = np.where(big, phi_big, 20.209 - 1.930 * delta - 0.086 * delta**2)
    f_z = 8.0 / 3.0 * math.log(Z) + 8.0 * coulomb_correction(Z)
    dens = (eps**2 + (1 - eps) ** 2) * np.clip(phi1 - 0.5 * f_z, 0.0, None) \
        + 2.0 / 3.0 * x * np.clip(phi2 - 0.5 * f_z, 0.0, None)
    out[ok] = (0.5 - e0[:, 0]) * (dens @ _GL_E_W)
    return out


@lru_cache(maxsize=16)
def _bh_limit(Z: int) -> float:
    return float(_bethe_heitler_shape(np.array([1e6 * hu.MeV]), Z)[0])


def sigma_pair(E: np.ndarray | float, material: str | Material) -> np.ndarray:
    """Pair-production cross-section per atom, cm²: the PDG high-energy limit (7/9)A/(X₀N_A) times the screened
    Bethe–Heitler energy dependence normalised to 1 at 1 TeV (module docstring); 0 below 2 m_e."""
    mat = get_material(material)
    return mat.sigma_pair_limit_cm2 * _bethe_heitler_shape(np.asarray(E, float), mat.Z) / _bh_limit(mat.Z)


def sigma_compton(E: np.ndarray | float, material: str | Material) -> np.ndarray:
    """Compton scattering on the Z atomic electrons (Klein–Nishina, free electrons at rest), cm² per atom."""
    mat = get_material(material)
    k = np.asarray(E, float) / M_E
    r_e2 = (ALPHA_EM / M_E) ** 2 * INV_MEV2_TO_CM2
    lg = np.log1p(2 * k)
    kn = ((1 + k) / k**2 * (2 * (1 + k) / (1 + 2 * k) - lg / k) + lg / (2 * k) - (1 + 3 * k) / (1 + 2 * k) ** 2)
    return mat.Z * 2.0 * math.pi * r_e2 * kn


def sigma_absorption(E: np.ndarray | float, material: str | Material) -> np.ndarray:
    """σ_abs = σ_pair + σ_Compton per atom, cm² (photonuclear absorption neglected)."""
    return sigma_pair(E, material) + sigma_compton(E, material)


def conversion_probability(E: np.ndarray | float, m_a: float, g: float, material: str | Material) -> np.ndarray:
    """P(E_γ) = σ_P/σ_abs, eq. (1): probability that a photon of energy E (MeV) absorbed in ``material`` turns
    into an ALP of mass m_a (MeV) and coupling g (1/MeV) on its way. 0 for E ≤ m_a (closed)."""
    E = np.atleast_1d(np.asarray(E, float))
    return sigma_primakoff(E, m_a, g, material) / sigma_absorption(E, material)


_N_TABLE = 160


@lru_cache(maxsize=64)
def _probability_table(m_a: float, material: str) -> tuple[np.ndarray, np.ndarray]:
    """(ln E grid, P at g = 1/MeV) from just above threshold to 1 TeV, for interpolation in ln E."""
    lo = max(m_a, 2.0 * M_E) * (1.0 + 1e-6)
    e = np.geomspace(lo, 1e6 * hu.MeV, _N_TABLE)
    return np.log(e), conversion_probability(e, m_a, 1.0, material)


def conversion_probability_fast(E: np.ndarray, m_a: float, g: float, material: str) -> np.ndarray:
    """:func:`conversion_probability` interpolated (linear in ln E) from a table of 160 energies per (m_a,
    material): the hot-path version (its accuracy is tested against the direct integration)."""
    lne, p1 = _probability_table(float(m_a), str(material))
    E = np.asarray(E, float)
    out = np.interp(np.log(np.maximum(E, 1e-300)), lne, p1, left=0.0, right=p1[-1])
    return np.where(E > m_a, out * g * g, 0.0)


@lru_cache(maxsize=64)
def _sigma_table(m_a: float, material: str) -> tuple[np.ndarray, np.ndarray]:
    """(ln E grid, σ_P at g = 1/MeV in cm²) from just above threshold to 1 TeV, for interpolation in ln E."""
    e = np.geomspace(m_a * (1.0 + 1e-6), 1e6 * hu.MeV, _N_TABLE)
    return np.log(e), sigma_primakoff(e, m_a, 1.0, material)


def sigma_primakoff_fast(E: np.ndarray, m_a: float, g: float, material: str) -> np.ndarray:
    """:func:`sigma_primakoff` (cm²) interpolated linearly in ln E from 160 energies per (m_a, material)."""
    lne, s1 = _sigma_table(float(m_a), str(material))
    E = np.asarray(E, float)
    out = np.interp(np.log(np.maximum(E, 1e-300)), lne, s1, left=0.0, right=s1[-1])
    return np.where(E > m_a, out * g * g, 0.0)


def atoms_per_gram(material: str | Material) -> float:
    """n = N_A/A, atoms per gram."""
    return hu.Avogadro / get_material(material).A


def cascade_conversion(E0: np.ndarray | float, m_a: float, g: float, material: str | Material,
                       exact_sigma: bool = True) -> np.ndarray:
    """C(E₀) = (N_A/A) ∫ dk (dT/dk) σ_P(k) (em_cascade eq. 2): ALPs made by the shower photons of a primary photon
    of energy E₀ (MeV), approximation B (:func:`darkbeam.production.em_cascade.photon_track_length`); 0 for
    E₀ ≤ m_a. Gauss–Legendre in ln k over (m_a, E₀), 8 panels × 48 nodes; ``exact_sigma=False`` uses the
    interpolated σ_P table (the channel's)."""
    mat = get_material(material)
    E0 = np.atleast_1d(np.asarray(E0, float))
    out = np.zeros(E0.shape)
    ok = E0 > m_a
    if not np.any(ok):
        return out
    def integrand(k: np.ndarray) -> np.ndarray:
        sig = sigma_primakoff_fast(k, m_a, g, mat.symbol) if not exact_sigma else \
            sigma_primakoff(k.ravel(), m_a, g, mat).reshape(k.shape)
        return ec.photon_track_length(k, E0[ok][:, None], mat.X0, mat.Z) * sig

    total = integrate_log_panels(integrand, np.full(int(ok.sum()), math.log(m_a)), np.log(E0[ok]), 8)
    out[ok] = atoms_per_gram(mat) * total
    return out


def sample_cascade(rng: np.random.Generator, photons: np.ndarray, m_a: float, g: float, material: str,
                   n_shower: int = ec.N_SHOWER) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shower photons of the primary photons (lab four-momenta (N,4)) in a thick target of ``material``:
    ``n_shower`` per primary with E₀ > m_a, energies from eq. (1) of em_cascade (1/k² on (m_a, E₀)), directions
    about the primary's (:func:`darkbeam.production.em_cascade.sample_shower_cos_theta`, uniform azimuth).
    Returns (index of the primary (M,), shower-photon four-momenta (M,4), conversion probability (M,)) with
    probability = T_asym(E₀) s(k, E₀) (N_A/A) σ_P(k)/n_shower (T_asym the integral of eq. (1) over (m_a, E₀),
    s the approximation-B factor): the sum over a primary's shower photons estimates C(E₀) (∝ g² exactly)."""
    mat = get_material(material)
    e_all = photons[:, 0]
    src = np.repeat(np.flatnonzero(e_all > m_a * (1.0 + 1e-9)), n_shower)
    e0 = e_all[src]
    k_min = m_a * (1.0 + 1e-9)
    k = ec.sample_shower_energies(rng, e0, k_min)
    cos_t = ec.sample_shower_cos_theta(rng, k)
    dirs = rotate_about(photons[src, 1:] / e0[:, None], cos_t, rng.uniform(0.0, 2.0 * np.pi, len(k)))
    shower = np.concatenate([k[:, None], k[:, None] * dirs], axis=1)
    prob = ec.asymptotic_track_length(e0, k_min, mat.X0) * ec.approx_b_factor(k, e0, mat.Z) \
        * atoms_per_gram(mat) * sigma_primakoff_fast(k, m_a, g, mat.symbol) / n_shower
    return src, shower, prob


# ------------------------------------------------------------------------------------------------
# sampling the ALP direction
# ------------------------------------------------------------------------------------------------
_K_SAMPLE = 64


def sample_q2(rng: np.random.Generator, E: np.ndarray, m_a: float, material: str | Material,
              chunk: int = 50_000) -> np.ndarray:
    """q² (MeV²) of each conversion, drawn from dσ_P/dq² at the photon energies E (all > m_a): inverse CDF of
    q² dσ/dq² on 64 nodes in ln q² per photon (piecewise-linear density), vectorised in chunks."""
    E = np.asarray(E, float)
    out = np.empty(len(E))
    u = np.linspace(0.0, 1.0, _K_SAMPLE)
    for s in range(0, len(E), chunk):
        e = E[s:s + chunk]
        lo, hi = q2_limits(e, m_a)
        ll, lh = np.log(lo), np.log(hi)
        lnq = ll[:, None] + (lh - ll)[:, None] * u[None, :]
        q2 = np.exp(lnq)
        dens = dsigma_dq2(e[:, None], q2, m_a, 1.0, material) * q2
        cdf = np.concatenate([np.zeros((len(e), 1)), np.cumsum(0.5 * (dens[:, 1:] + dens[:, :-1]), axis=1)], axis=1)
        cdf /= np.where(cdf[:, -1:] > 0, cdf[:, -1:], 1.0)
        r = rng.random(len(e))
        j = np.clip(np.sum(cdf < r[:, None], axis=1), 1, _K_SAMPLE - 1)  # first node with cdf >= r
        rows = np.arange(len(e))
        c0, c1 = cdf[rows, j - 1], cdf[rows, j]
        frac = np.where(c1 > c0, (r - c0) / np.where(c1 > c0, c1 - c0, 1.0), 0.5)
        out[s:s + chunk] = np.exp(lnq[rows, j - 1] + frac * (lnq[rows, j] - lnq[rows, j - 1]))
    return out


_N_E_Q, _N_R_Q = 200, 257


@lru_cache(maxsize=32)
def _q2_quantile_table(m_a: float, material: str) -> tuple[np.ndarray, np.ndarray]:
    """(ln E grid, Q[i, j]): the position u ∈ [0, 1] of q² between ln q²_min and ln q²_max at which the CDF of
    q² dσ/dq² (as :func:`sample_q2` builds it, 64 nodes) reaches j/256, for 200 energies from 1.001 m_a to 1 TeV."""
    e = np.geomspace(m_a * 1.001, 1e6 * hu.MeV, _N_E_Q)
    u = np.linspace(0.0, 1.0, _K_SAMPLE)
    lo, hi = q2_limits(e, m_a)
    lnq = np.log(lo)[:, None] + np.log(hi / lo)[:, None] * u[None, :]
    dens = dsigma_dq2(e[:, None], np.exp(lnq), m_a, 1.0, material) * np.exp(lnq)
    cdf = np.concatenate([np.zeros((len(e), 1)), np.cumsum(0.5 * (dens[:, 1:] + dens[:, :-1]), axis=1)], axis=1)
    cdf /= cdf[:, -1:]
    levels = np.linspace(0.0, 1.0, _N_R_Q)
    return np.log(e), np.array([np.interp(levels, c, u) for c in cdf])  # 200 rows, once per (m_a, material)


def sample_q2_tabulated(rng: np.random.Generator, E: np.ndarray, m_a: float, material: str) -> np.ndarray:
    """q² (MeV²) drawn like :func:`sample_q2`, from a quantile table in (ln E, CDF level) interpolated bilinearly
    (:func:`_q2_quantile_table`): the fast version for the many shower photons of the cascade (tested against
    the cross-section-weighted ⟨ln q²⟩ in tests/test_alp_cascade.py)."""
    lne, q = _q2_quantile_table(float(m_a), str(material))
    E = np.asarray(E, float)
    x = np.clip((np.log(E) - lne[0]) / (lne[1] - lne[0]), 0.0, _N_E_Q - 1 - 1e-9)
    i, fx = x.astype(int), x - np.floor(x)
    y = rng.random(len(E)) * (_N_R_Q - 1)
    j = np.minimum(y.astype(int), _N_R_Q - 2)
    fy = y - j
    row = (1 - fy) * q[i, j] + fy * q[i, j + 1]
    row1 = (1 - fy) * q[np.minimum(i + 1, _N_E_Q - 1), j] + fy * q[np.minimum(i + 1, _N_E_Q - 1), j + 1]
    u = (1 - fx) * row + fx * row1
    lo, hi = q2_limits(E, m_a)
    return np.exp(np.log(lo) + u * np.log(hi / lo))


def meson_photons(rng: np.random.Generator, parents: ParticleSample, idx: np.ndarray, mass: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two photons of P⁰ → γγ for the parents ``idx`` of ``parents`` (their four-momenta put on the mass shell
    ``mass``, MeV; isotropic decays): (photon lab four-momenta (2n, 4): first photons then second photons, the parent
    index of each (2n,), the parent four-momentum of each (2n, 4))."""
    on_shell = parents.p4[idx].copy()
    on_shell[:, 0] = np.sqrt(np.sum(on_shell[:, 1:] ** 2, axis=1) + mass**2)
    g1, g2 = two_body_decay(rng, on_shell, 0.0, 0.0)
    return np.vstack([g1, g2]), np.concatenate([idx, idx]), np.vstack([on_shell, on_shell])


def photons_to_alps(rng: np.random.Generator, photons: np.ndarray, m_a: float, material: str | Material,
                    tabulated: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Convert photons (lab four-momenta (N,4), all with E > m_a) into ALPs: E_a = E_γ, angle to the photon from
    eq. (2), uniform azimuth. Returns (ALP four-momenta (N,4), q² (N,)). ``tabulated``: q² from
    :func:`sample_q2_tabulated` (the cascade's shower photons) instead of :func:`sample_q2`."""
    E = photons[:, 0]
    q2 = sample_q2_tabulated(rng, E, m_a, get_material(material).symbol) if tabulated else \
        sample_q2(rng, E, m_a, material)
    p = np.sqrt(np.clip(E * E - m_a * m_a, 0.0, None))
    cos_t = np.clip((E * E + p * p - q2) / (2.0 * E * p), -1.0, 1.0)
    k = photons[:, 1:] / np.linalg.norm(photons[:, 1:], axis=1)[:, None]
    u = rotate_about(k, cos_t, rng.uniform(0.0, 2.0 * np.pi, len(E)))
    return np.concatenate([E[:, None], p[:, None] * u], axis=1), q2


# ------------------------------------------------------------------------------------------------
# the production channel
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhotonPrimakoff(ProductionChannel):
    """π⁰/η → γγ in the target, then γ N → a N (Primakoff) before the photon is absorbed; rate ∝ g_aγγ²."""

    parents: tuple[str, ...] = ("pi0", "eta")
    #: the target material the photons convert in (set by :meth:`for_beam`; None: the model's ``target``)
    material: str | None = None
    in_flight: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ("m_x", "photon_coupling", "primakoff_target", "primakoff_cascade")
    kind: ClassVar[str] = "photon Primakoff gamma N -> a N (photons of P0 -> gamma gamma, optional EM cascade)"

    def coupling2(self, model: Any, label: str) -> float | None:
        if str(label) not in self.parents:
            return None
        return float(model.photon_coupling()) ** 2  # P(E_γ) ∝ g_aγγ²

    def branching_ratios(self, model: Any) -> list[dict[str, Any]]:
        """Rows per parent: ``value`` = the mean number of ALPs per parent decay for photons at E = M/2 (the
        parent at rest: 2 BR(γγ) P(M/2)), or "closed" if m_a ≥ M/2 (boosted parents still convert photons with
        E > m_a; the flux code uses the full spectrum). With a cascade, a second row per parent: its shower
        photons, 2 BR(γγ) C(M/2)."""
        boson = getattr(model, "boson", None) or "a"
        mat = self.material or str(model.primakoff_target())
        if mat == FOLLOW_BEAM:  # no beam here (`darkbeam br`): one row per material the beams can have
            return [r for m in MATERIALS for r in replace(self, material=m).branching_ratios(model)]
        out = []
        for parent in self.parents:
            mes = NEUTRAL_MESONS.get(parent)
            e_half = 0.5 * mes.mass
            closed = float(model.m_x) >= e_half
            value: float | str = "closed" if closed else float(
                2.0 * mes.br_gg * conversion_probability(e_half, float(model.m_x), float(model.photon_coupling()),
                                                         mat)[0])
            out.append({"parent": parent, "lepton": None, "channel": f"gamma gamma, gamma {mat} -> {boson} {mat}",
                        "value": value})
            if self._cascade(model) != "none":  # the shower photons of both primaries: 2 BR(γγ) C(M/2)
                c_val: float | str = "closed" if closed else float(2.0 * mes.br_gg * cascade_conversion(
                    e_half, float(model.m_x), float(model.photon_coupling()), mat)[0])
                out.append({"parent": parent, "lepton": None, "value": c_val,
                            "channel": f"gamma gamma, EM cascade ({self._cascade(model)}) in {mat}, "
                                       f"shower gamma {mat} -> {boson} {mat}"})
        return out

    @staticmethod
    def _cascade(model: Any) -> str:
        """The model's cascade setting ("none" or "approx-b": em_cascade), validated here too."""
        val = str(model.primakoff_cascade())
        if val not in ec.CASCADE_CHOICES:
            raise InputError(f"{model.name}.cascade", val, ec.CASCADE_CHOICES)
        return val

    def for_beam(self, model: Any, beam: Any) -> PhotonPrimakoff:
        """Bound to the beam's target material, where the photons convert. The model's ``target`` is "beam"
        (follow the beam) or must equal the beam's ``target_material`` (a conflicting setting is an error)."""
        want = str(getattr(beam, "target_material", ""))
        have = str(model.primakoff_target())
        if want not in MATERIALS:
            raise InputError(f"target material of beam {beam.name} for Primakoff production", want,
                             f"one with photon-absorption and Primakoff data: {', '.join(MATERIALS)}")
        if have not in (FOLLOW_BEAM, want):
            raise InputError(f"{model.name}.target", have, f"{FOLLOW_BEAM!r} or {want!r} (the target material of beam "
                                                           f"{beam.name}, where the pi0/eta photons convert)")
        return replace(self, material=want)

    def _material(self, model: Any) -> str:
        mat = self.material or str(model.primakoff_target())
        if mat == FOLLOW_BEAM:
            raise InputError(f"{model.name}.target", mat, "a material (" + ", ".join(MATERIALS) + ") when no beam is "
                             "given (the flux code binds the channel to its beam's target)")
        return mat

    def sample(self, rng, parent, parents, model):
        mes = NEUTRAL_MESONS.get(parent)
        idx = np.flatnonzero(parents.pdg == mes.pdg)
        if len(idx) == 0:
            return
        m_a, g = float(model.m_x), float(model.photon_coupling())
        mat = self._material(model)
        photons, both, parent_p4 = meson_photons(rng, parents, idx, mes.mass)
        prob = conversion_probability_fast(photons[:, 0], m_a, g, mat)
        keep = prob > 0
        if not np.any(keep):
            return
        alps, _ = photons_to_alps(rng, photons[keep], m_a, mat)
        sel, p_gamma, conv, from_shower = both[keep], photons[keep], prob[keep], np.zeros(int(keep.sum()), bool)
        mother = parent_p4[keep]
        if self._cascade(model) == "approx-b":  # the shower photons of every primary (em_cascade), after it
            src, shower, p_sh = sample_cascade(rng, photons, m_a, g, mat)
            on = p_sh > 0
            alps_sh, _ = photons_to_alps(rng, shower[on], m_a, mat, tabulated=True)
            alps = np.vstack([alps, alps_sh])
            sel, p_gamma = np.concatenate([sel, both[src[on]]]), np.vstack([p_gamma, shower[on]])
            conv, mother = np.concatenate([conv, p_sh[on]]), np.vstack([mother, parent_p4[src[on]]])
            from_shower = np.concatenate([from_shower, np.ones(int(on.sum()), bool)])
        pdg = record_pdg(model)
        xs = ParticleSample(np.full(len(sel), pdg), alps, parents.x[sel],
                            parents.w[sel] * mes.br_gg * conv, parents.weight_unit,
                            {"parent_index": sel, "parent_pdg": parents.pdg[sel], "p4_gamma": p_gamma,
                             # not isotropic in the parent's frame: fluxes count each ALP along its own momentum
                             "own_direction": np.ones(len(sel), dtype=bool), "from_shower": from_shower})
        _add_parent_origin(xs, parents)
        yield xs, mother, mes.name


__all__ = ["MATERIALS", "Material", "PhotonPrimakoff", "atoms_per_gram", "cascade_conversion",
           "conversion_probability", "conversion_probability_fast", "coulomb_correction", "dsigma_dq2", "form_factor", "get_material", "meson_photons", "photons_to_alps", "q2_limits",
           "sample_cascade", "sample_q2", "sample_q2_tabulated", "sigma_absorption", "sigma_compton", "sigma_pair", "sigma_primakoff",
           "sigma_primakoff_fast", "sigma_primakoff_screened_massless"]
