"""Electromagnetic cascade of a photon in a thick target: the shower photons' track length and directions.

A photon of energy E₀ absorbed in a thick target starts an electromagnetic shower. Summed over the whole shower,
the photons of energy k travel the differential track length (Rossi's approximation B, valid for ε₀ ≪ k ≪ E₀;
B. Rossi, High-Energy Particles (Prentice-Hall 1952), Ch. 5; Rossi & Greisen, Rev. Mod. Phys. 13 (1941) 240;
the same track length is used for beam-dump axion and dark-photon production by Tsai & Whitis, Phys. Rev. 149
(1966) 1248, and Bjorken et al., PRD 38 (1988) 3375):

    dT/dk = 0.572 X₀ E₀ / k²        (X₀ the radiation length, g/cm²; T in g/cm², k and E₀ in MeV)       (1)

It is the same for a photon- or an electron-initiated shower at k ≪ E₀. Approximation B itself (constant
ionisation loss ε₀ per X₀, ε₀ = :func:`critical_energy`) falls below eq. (1) near k ~ ε₀ and near k → E₀; the
track length used here is

    dT/dk = 0.572 X₀ E₀/k² · g(k/ε₀) h(k/E₀),   m_a < k < E₀                                              (1')

with g → 1 for k ≫ ε₀ (g ∝ k below ε₀) and h → 1 for k ≪ E₀ (h = 0 at k = E₀), both tabulated from the
approximation-B Monte Carlo below (fixed seeds; in iron g = 0.43, 0.58, 0.76, 0.85 at k = 10, 20, 50, 100 MeV).
The factorised form agrees with a direct MC of 1 GeV photons in iron within ~5 % (tests/test_alp_cascade.py).
The primary photon's own track length 1/(n σ_abs) is treated separately (it gives the thick-target
P = σ_P/σ_abs of :mod:`.photon_primakoff`). Each shower photon converts into an ALP with probability n σ_P(k) dT
(n = N_A/A atoms per gram), so a primary of energy E₀ adds

    C(E₀) = (N_A/A) ∫ dk (dT/dk) σ_P(k)                                                                    (2)

ALPs, ∝ g² exactly like σ_P (Compton scattering and the real, lower pair cross-section near 20 MeV, which would
lengthen the soft photons' tracks, are outside approximation B).

Independent check of eq. (1) (:func:`rossi_cascade_mc`, tests/test_alp_cascade.py): an energy-only Monte Carlo of
the cascade with the complete-screening bremsstrahlung and pair spectra of approximation A/B (Rossi 1952 Ch. 5:
φ(v) = [1 + (1 − v)² − (1 − v)(2/3 − 2b)]/v, ψ(u) = u² + (1 − u)² + (2/3 − 2b) u(1 − u), σ₀ = 7/9 − b/3 per X₀,
b = 1/(18 ln(183 Z^{−1/3}))), a constant ionisation loss ε₀ per X₀ and no Compton scattering. It reproduces
0.572 E₀/k² for ε₀ ≪ k ≪ E₀ (MC/0.572 = 0.991 ± 0.004, docs/make_alp.py) and the total charged track
length E₀/ε₀ (every MeV ends in ionisation).

Directions: a shower photon of energy k is radiated by electrons that have scattered about the primary's
direction; their angle scale is the multiple-scattering angle E_s/k, E_s = m_e √(4π/α) = 21.2 MeV (Rossi &
Greisen 1941, the angular spread of cascade particles; PDG RPP "Passage of particles through matter", Sec. 34.3).
Model used here: the space angle θ to the primary has the two-dimensional Gaussian density
exp(−θ²/θ_s²)/(π θ_s²), θ_s = E_s/k (so ⟨θ²⟩ = θ_s²), and the direction is isotropic once θ_s > 0.5 rad.
This angle model is the cascade's main uncertainty (docs/portal_alp.md varies E_s by 2).
"""

from __future__ import annotations

import math
from functools import lru_cache

import hepunits as hu
import numpy as np

#: approximation-B coefficient of the shower photons' differential track length, eq. (1) (Rossi 1952, Ch. 5)
ROSSI_B_PHOTON = 0.572
#: multiple-scattering scale E_s = m_e √(4π/α), MeV (PDG RPP Sec. 34.3)
E_S = 21.2 * hu.MeV
#: shower photons sampled per primary photon in the production channel
N_SHOWER = 4
#: the model's choices: no cascade, or Rossi's approximation B
CASCADE_CHOICES = ("none", "approx-b")


def critical_energy(Z: int) -> float:
    """ε₀ = 610 MeV/(Z + 1.24), MeV: the PDG fit to the (Rossi-definition) critical energies of solids and liquids
    (PDG RPP 2022, "Passage of particles through matter", Sec. 34.4.4; Fe 22.4 MeV against the tabulated 21.7)."""
    return 610.0 * hu.MeV / (Z + 1.24)


# the approximation-B correction factors, from the cascade Monte Carlo below (fixed seeds, cached per Z)
_X_EDGES = np.geomspace(0.04, 60.0, 25)          # k/ε₀ bins of the low-energy factor
_Y_EDGES = np.geomspace(0.004, 1.0, 17)          # k/E₀ bins of the high-energy factor


@lru_cache(maxsize=8)
def _low_energy_factor(Z: int) -> tuple[np.ndarray, np.ndarray]:
    """(ln x, g(x)): approximation B over eq. (1) as a function of x = k/ε₀, for k ≪ E₀ (MC at E₀ = 500 ε₀,
    k ≤ 0.12 E₀; units ε₀ = 1). g → 1 for x ≫ 1 (approximation A), g ∝ x for x ≪ 1."""
    rng = np.random.default_rng(20_260_001)
    r = rossi_cascade_mc(rng, 500.0, 2000, 1.0, Z, 0.01, _X_EDGES)
    xc = np.sqrt(_X_EDGES[1:] * _X_EDGES[:-1])
    return np.log(xc), r["photon_track"] * xc**2 / (ROSSI_B_PHOTON * 500.0)


@lru_cache(maxsize=8)
def _high_energy_factor(Z: int) -> tuple[np.ndarray, np.ndarray]:
    """(ln y, h(y)): the MC over eq. (1) × g as a function of y = k/E₀ (MC at E₀ = 1000 ε₀, so k ≥ 4 ε₀),
    → 1 for y ≪ 1, → 0 at y = 1 (no shower photon carries the primary's full energy)."""
    rng = np.random.default_rng(20_260_002)
    r = rossi_cascade_mc(rng, 1000.0, 1000, 1.0, Z, 0.5, 1000.0 * _Y_EDGES)
    yc = np.sqrt(_Y_EDGES[1:] * _Y_EDGES[:-1])
    k = 1000.0 * yc
    lnx, g = _low_energy_factor(Z)
    return np.log(yc), r["photon_track"] * k**2 / (ROSSI_B_PHOTON * 1000.0 * _interp_g(k, lnx, g))


def _interp_g(x: np.ndarray, lnx: np.ndarray, g: np.ndarray) -> np.ndarray:
    """g(x) interpolated in ln x; ∝ x below the table, 1 above it (approximation A)."""
    x = np.asarray(x, float)
    lx = np.log(np.maximum(x, 1e-300))
    inside = np.interp(lx, lnx, g)
    below = g[0] * x / math.exp(lnx[0])
    return np.where(lx < lnx[0], below, np.where(lx > lnx[-1], 1.0, inside))


def approx_b_factor(k: np.ndarray, e0: np.ndarray, Z: int) -> np.ndarray:
    """s = g(k/ε₀) h(k/E₀): approximation B's photon track length over eq. (1), from the cascade MC (tabulated,
    linear in ln x and ln y). h = 1 below the table (k ≪ E₀), 0 at k ≥ E₀."""
    k, e0 = np.broadcast_arrays(np.asarray(k, float), np.asarray(e0, float))
    lnx, g = _low_energy_factor(int(Z))
    lny, h = _high_energy_factor(int(Z))
    y = k / np.maximum(e0, 1e-300)
    ly = np.log(np.maximum(y, 1e-300))
    h_val = np.where(ly < lny[0], 1.0, np.interp(ly, np.append(lny, 0.0), np.append(h, 0.0)))
    return np.where(y < 1.0, _interp_g(k / critical_energy(int(Z)), lnx, g) * h_val, 0.0)


def photon_track_length(k: np.ndarray, e0: np.ndarray, x0: float, Z: int | None = None) -> np.ndarray:
    """dT/dk of the shower photons, g/cm² per MeV: k shower-photon energy, e0 primary energy (MeV), x0 radiation
    length (g/cm²). ``Z=None``: eq. (1) alone (its asymptotic form, 0 < k < E₀); with Z: approximation B,
    eq. (1) × :func:`approx_b_factor`."""
    k, e0 = np.broadcast_arrays(np.asarray(k, float), np.asarray(e0, float))
    ok = (k > 0) & (k < e0)
    base = np.where(ok, ROSSI_B_PHOTON * x0 * e0 / np.where(ok, k * k, 1.0), 0.0)
    return base if Z is None else base * approx_b_factor(k, e0, Z)


def asymptotic_track_length(e0: np.ndarray, k_min: float, x0: float) -> np.ndarray:
    """∫ eq. (1) dk over k_min < k < E₀, g/cm² (0 where E₀ ≤ k_min): 0.572 X₀ E₀ (1/k_min − 1/E₀)."""
    e0 = np.asarray(e0, float)
    return np.where(e0 > k_min, ROSSI_B_PHOTON * x0 * e0 * (1.0 / k_min - 1.0 / np.maximum(e0, k_min)), 0.0)


def sample_shower_energies(rng: np.random.Generator, e0: np.ndarray, k_min: float) -> np.ndarray:
    """One shower-photon energy per primary (MeV), drawn from eq. (1) ∝ 1/k² on (k_min, E₀) (inverse CDF: 1/k
    uniform); the channel weights each by :func:`approx_b_factor`. Every E₀ must exceed k_min."""
    e0 = np.asarray(e0, float)
    inv_lo, inv_hi = 1.0 / k_min, 1.0 / e0
    return 1.0 / (inv_lo - rng.random(len(e0)) * (inv_lo - inv_hi))


def shower_angle_scale(k: np.ndarray, e_s: float = E_S) -> np.ndarray:
    """θ_s = E_s/k, rad: the scale of the 2-D Gaussian angle of a shower photon of energy k (MeV) to its primary."""
    return e_s / np.asarray(k, float)


def sample_shower_cos_theta(rng: np.random.Generator, k: np.ndarray, e_s: float = E_S) -> np.ndarray:
    """cos θ of each shower photon to its primary: θ = θ_s √(−ln u) (the 2-D Gaussian exp(−θ²/θ_s²)), and
    cos θ uniform in [−1, 1] (isotropic) where θ_s > 0.5 rad."""
    th_s = shower_angle_scale(k, e_s)
    theta = th_s * np.sqrt(-np.log1p(-rng.random(len(th_s))))
    iso = rng.uniform(-1.0, 1.0, len(th_s))
    return np.where(th_s > 0.5, iso, np.cos(np.minimum(theta, math.pi)))


# ------------------------------------------------------------------------------------------------
# independent check: an energy-only Monte Carlo of the approximation-B cascade
# ------------------------------------------------------------------------------------------------
def _brem_rate(e: np.ndarray, k_cut: float, b: float) -> np.ndarray:
    """∫ φ(v) dv over k_cut/E < v < 1 per X₀ (complete-screening bremsstrahlung, Rossi 1952 Ch. 5)."""
    vc = np.clip(k_cut / e, 0.0, 1.0)
    c = 2.0 / 3.0 - 2.0 * b
    # φ(v) = (2 − c)/v − (2 − c) + v with 1 + (1 − v)² − (1 − v) c = (2 − c) − (2 − c) v + v²
    return (2.0 - c) * (-np.log(np.maximum(vc, 1e-300))) - (2.0 - c) * (1.0 - vc) + 0.5 * (1.0 - vc * vc)


def rossi_cascade_mc(rng: np.random.Generator, e0: float, n_showers: int, eps0: float, Z: int,
                     k_cut: float, k_edges: np.ndarray) -> dict[str, np.ndarray | float]:
    """Energy-only Monte Carlo of photon-initiated showers in approximations A/B (Rossi 1952 Ch. 5), the
    independent route to eq. (1): bremsstrahlung φ(v) and pair spectrum ψ(u) of complete screening, photon
    conversion σ₀ = 7/9 − b/3 per X₀ (energy independent, no Compton), ionisation ε₀ (MeV per X₀) for the
    electrons. Radiation below ``k_cut`` (MeV) is a continuous loss (its energy is returned). Vectorised over all
    live particles: each round moves every live electron to its next radiation (thinning in the falling rate).

    Returns (per shower): ``photon_track`` — the shower photons' track length per MeV in the bins ``k_edges``,
    X₀/MeV (number created / σ₀ / bin width; the primary photon excluded); ``charged_track`` — the electrons'
    total track length, X₀; ``soft_energy`` — the energy radiated below k_cut, MeV.
    """
    b = 1.0 / (18.0 * math.log(183.0 * Z ** (-1.0 / 3.0)))
    c = 2.0 / 3.0 - 2.0 * b
    sigma0 = 7.0 / 9.0 - b / 3.0
    # radiation below k_cut as a continuous loss E ∫_0^{k_cut/E} v φ dv ≈ (2 − c) k_cut per X₀ (E ≫ k_cut)
    soft_rate = (2.0 - c) * k_cut
    loss = eps0 + soft_rate
    counts = np.zeros(len(k_edges) - 1)
    charged = 0.0
    soft = 0.0
    photons = np.full(n_showers, float(e0))
    electrons = np.empty(0)
    primary = True
    while len(photons) or len(electrons):
        if len(photons):
            if not primary:
                counts += np.histogram(photons, k_edges)[0]
            primary = False
            # pair production: electron fraction u from ψ(u) = 1 − c u(1 − u) (max 1), by rejection
            u = rng.random(len(photons))
            bad = rng.random(len(photons)) > 1.0 - c * u * (1.0 - u)
            while np.any(bad):
                u[bad] = rng.random(int(bad.sum()))
                bad[bad] = rng.random(int(bad.sum())) > 1.0 - c * u[bad] * (1.0 - u[bad])
            electrons = np.concatenate([electrons, u * photons, (1.0 - u) * photons])
            photons = np.empty(0)
        if not len(electrons):
            break
        e = electrons
        r_max = _brem_rate(e, k_cut, b)
        t = rng.exponential(1.0, len(e)) / np.maximum(r_max, 1e-300)
        stop = (e - loss * t <= 0.0) | (r_max <= 0.0)
        track = np.where(stop, e / loss, t)
        charged += float(np.sum(track))
        soft += soft_rate * float(np.sum(track))
        e_new = e - loss * t
        live = ~stop
        e_new, r_max = e_new[live], r_max[live]
        emit = rng.random(len(e_new)) * r_max < _brem_rate(e_new, k_cut, b)
        # v from φ(v) on (k_cut/E, 1): proposal (2 − c)/v (log-uniform), accept 1 − v + v²/(2 − c) (≤ 1)
        ee = e_new[emit]
        vc = k_cut / ee
        v = vc ** rng.random(len(ee))
        bad = rng.random(len(ee)) > 1.0 - v + v * v / (2.0 - c)
        while np.any(bad):
            v[bad] = vc[bad] ** rng.random(int(bad.sum()))
            bad[bad] = rng.random(int(bad.sum())) > 1.0 - v[bad] + v[bad] ** 2 / (2.0 - c)
        k = v * ee
        e_new[emit] = ee * (1.0 - v)
        photons = k
        electrons = e_new
    return {"photon_track": counts / sigma0 / np.diff(k_edges) / n_showers, "charged_track": charged / n_showers,
            "soft_energy": soft / n_showers, "b": b}


__all__ = ["CASCADE_CHOICES", "E_S", "N_SHOWER", "ROSSI_B_PHOTON", "approx_b_factor", "asymptotic_track_length",
           "critical_energy", "photon_track_length", "rossi_cascade_mc", "sample_shower_cos_theta",
           "sample_shower_energies", "shower_angle_scale"]
