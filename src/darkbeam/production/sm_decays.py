"""Standard-model decays in flight that make the beam neutrinos.

Channels (branching ratios: PDG 2022, in :mod:`darkbeam.constants`):
  π± → μ± ν,  π± → e± ν,  K± → μ± ν,  K± → π0 e± ν (Ke3),  K± → π0 μ± ν (Kμ3),
  K0L → π∓ e± ν (Ke3),  K0L → π∓ μ± ν (Kμ3),  and the chain μ± → e± ν ν̄ of muons from π/K → μν.

Neutrinos are massless, so each decay is described by the neutrino's rest-frame energy E* and its
rest-frame angular density (1 + α ŝ·n̂*)/(4π) about the parent's spin direction ŝ (α = 0 for
spin-0 parents). :mod:`darkbeam.pipeline.neutrino_flux` turns that into a flux at a detector with a
forced-direction (point-flux) estimator.

Kinematics:
* two-body: E* = (M² − m_ℓ²)/(2M).
* K_ℓ3: Dalitz density of the PDG review "K_ℓ3 form factors" (Chounet, Gaillard & Gaillard, Phys. Rep.
  4C (1972) 199): ρ(E_π, E_ℓ) ∝ f+²(t)[A + Bξ + Cξ²] with
  A = M(2E_ℓE_ν − M E'_π) + m_ℓ²(E'_π/4 − E_ν), B = m_ℓ²(E_ν − E'_π/2), C = m_ℓ² E'_π/4,
  E'_π = E_π^max − E_π, linear form factors f+,0(t) = 1 + λ+,0 t/m_π² (PDG 2022: λ+ = 0.0297,
  λ0 = 0.0196) and ξ = f−/f+ = (f0 − f+)(M² − m_π²)/(t f+).
* polarised muon decay (V−A, m_e → 0): for μ∓ with polarisation ŝ and x = 2E*/m_μ,
  ν̄_e (ν_e):  12 x²(1 − x) (1 ± ŝ·n̂),   ν_μ (ν̄_μ):  2x²[(3 − 2x) ± (1 − 2x) ŝ·n̂]
  (upper sign μ−; e.g. Okun, "Leptons and Quarks", §6; from |M|² ∝ ((p − m s)·k_ν̄e)(p_e·k_νμ)).
  A muon from π+/K+ → μ+ν has helicity −1 in the parent rest frame (+1 for μ− from π−/K−).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import constants as c
from ..kinematics.fourvec import boost, isotropic_directions, two_body_momentum
from ..particles import PDG_CTAU, PDG_MASS  # noqa: F401  (re-exported for the flux chains)
from ..sample import ParticleSample

LAMBDA_PLUS = 0.0297  # PDG 2022, K_l3 linear vector form-factor slope
LAMBDA_ZERO = 0.0196  # PDG 2022, K_mu3 linear scalar form-factor slope


NU_SPECIES = ("nu_mu", "nu_mu_bar", "nu_e", "nu_e_bar")

# K0L semileptonic branching ratios (PDG 2022)
BR_KL_PI_E_NU = 0.4055
BR_KL_PI_MU_NU = 0.2704


@dataclass(frozen=True)
class Channel:
    """One neutrino-producing decay channel of a parent (charge-conjugate pairs listed separately).

    Attributes:
        parent: PDG id. br: branching ratio. nu: neutrino species emitted.
        kind: "two-body" or "kl3". m_lepton: charged-lepton mass (MeV). m_other: π mass for K_ℓ3.
        muon: PDG id of a muon whose decay should be followed (two-body π/K → μν), else 0.
    """

    parent: int
    br: float
    nu: str
    kind: str
    m_lepton: float
    m_other: float = 0.0
    muon: int = 0


def _channels() -> dict[int, list[Channel]]:
    out: dict[int, list[Channel]] = {}
    for sign in (+1, -1):
        nu_mu, nu_e = ("nu_mu", "nu_e") if sign > 0 else ("nu_mu_bar", "nu_e_bar")
        pi, k = 211 * sign, 321 * sign
        out[pi] = [
            Channel(pi, c.BR_PI_MUNU, nu_mu, "two-body", c.M_MU, muon=-13 * sign),
            Channel(pi, c.BR_PI_ENU, nu_e, "two-body", c.M_E),
        ]
        out[k] = [
            Channel(k, c.BR_K_MUNU, nu_mu, "two-body", c.M_MU, muon=-13 * sign),
            Channel(k, c.BR_K_ENU, nu_e, "two-body", c.M_E),
            Channel(k, c.BR_K_PI0_E_NU, nu_e, "kl3", c.M_E, c.M_PI0),
            Channel(k, c.BR_K_PI0_MU_NU, nu_mu, "kl3", c.M_MU, c.M_PI0),
        ]
    out[130] = [
        Channel(130, BR_KL_PI_E_NU / 2, "nu_e", "kl3", c.M_E, c.M_PI),
        Channel(130, BR_KL_PI_E_NU / 2, "nu_e_bar", "kl3", c.M_E, c.M_PI),
        Channel(130, BR_KL_PI_MU_NU / 2, "nu_mu", "kl3", c.M_MU, c.M_PI),
        Channel(130, BR_KL_PI_MU_NU / 2, "nu_mu_bar", "kl3", c.M_MU, c.M_PI),
    ]
    return out


SM_CHANNELS: dict[int, list[Channel]] = _channels()


@dataclass
class NeutrinoSource:
    """Neutrinos from decays at known vertices, described in each parent's rest frame.

    Attributes:
        nu: species. parent_p4: lab four-momenta of the decaying parents (N,4), MeV.
        x: decay vertices (N,3), mm. w: weights (decays per POT × BR).
        e_star: neutrino energy in the parent rest frame (N,), MeV.
        spin: unit spin vector of the parent in its rest frame (reached from the lab by a pure
            boost), (N,3), or None for spin-0 parents. alpha: angular asymmetry (N,) multiplying ŝ·n̂*.
    """

    nu: str
    parent_p4: np.ndarray
    x: np.ndarray
    w: np.ndarray
    e_star: np.ndarray
    spin: np.ndarray | None = None
    alpha: np.ndarray | None = None


def kl3_density(m_parent: float, m_pi: float, m_l: float, e_pi: np.ndarray, e_l: np.ndarray) -> np.ndarray:
    """Unnormalised K_ℓ3 Dalitz density ρ(E_π, E_ℓ) in the parent rest frame (see module doc)."""
    M = m_parent
    e_nu = M - e_pi - e_l
    e_pi_max = (M * M + m_pi * m_pi - m_l * m_l) / (2 * M)
    ep = e_pi_max - e_pi
    t = M * M + m_pi * m_pi - 2 * M * e_pi
    fp = 1.0 + LAMBDA_PLUS * t / c.M_PI**2
    xi = (LAMBDA_ZERO - LAMBDA_PLUS) * (M * M - m_pi * m_pi) / (c.M_PI**2 * fp)
    a = M * (2 * e_l * e_nu - M * ep) + m_l * m_l * (ep / 4 - e_nu)
    b = m_l * m_l * (e_nu - ep / 2)
    cc = m_l * m_l * ep / 4
    return np.clip(fp * fp * (a + b * xi + cc * xi * xi), 0.0, None)


def _dalitz_inside(M: float, m1: float, m2: float, m3: float, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """True where rest-frame energies (e1, e2) of particles 1, 2 are inside the Dalitz region."""
    e3 = M - e1 - e2
    p1 = np.sqrt(np.clip(e1 * e1 - m1 * m1, 0, None))
    p2 = np.sqrt(np.clip(e2 * e2 - m2 * m2, 0, None))
    p3sq = e3 * e3 - m3 * m3
    return (e1 >= m1) & (e2 >= m2) & (e3 >= m3) & (p3sq >= (p1 - p2) ** 2) & (p3sq <= (p1 + p2) ** 2)


def sample_kl3_nu_energy(rng: np.random.Generator, n: int, m_parent: float, m_pi: float, m_l: float) -> np.ndarray:
    """Neutrino rest-frame energies (MeV) of n K_ℓ3 decays, by vectorised accept-reject on ρ."""
    e_pi_lo, e_pi_hi = m_pi, (m_parent**2 + m_pi**2 - m_l**2) / (2 * m_parent)
    e_l_lo, e_l_hi = m_l, (m_parent**2 + m_l**2 - m_pi**2) / (2 * m_parent)
    # bound of ρ from a dense grid (+10 %)
    gp, gl = np.meshgrid(np.linspace(e_pi_lo, e_pi_hi, 200), np.linspace(e_l_lo, e_l_hi, 200))
    inside = _dalitz_inside(m_parent, m_pi, m_l, 0.0, gp, gl)
    rho_max = 1.1 * np.max(np.where(inside, kl3_density(m_parent, m_pi, m_l, gp, gl), 0.0))
    out = np.empty(0)
    while out.size < n:
        k = max(2 * (n - out.size), 1024)
        ep = rng.uniform(e_pi_lo, e_pi_hi, k)
        el = rng.uniform(e_l_lo, e_l_hi, k)
        ok = _dalitz_inside(m_parent, m_pi, m_l, 0.0, ep, el)
        ok &= rng.uniform(0, rho_max, k) < kl3_density(m_parent, m_pi, m_l, ep, el)
        out = np.concatenate([out, (m_parent - ep - el)[ok]])
    return out[:n]


def muon_decay_source(muons: ParticleSample, spin: np.ndarray, rng: np.random.Generator) -> list[NeutrinoSource]:
    """Neutrino sources from polarised muon decays at ``muons.x`` (weights = decays per POT).

    ``spin`` is the muon spin unit vector in the muon rest frame (pure boost from the lab).
    """
    n = len(muons)
    if n == 0:
        return []
    mu_minus = muons.pdg == 13
    s = np.where(mu_minus, 1.0, -1.0)  # sign of the polarisation term: + for μ−, − for μ+
    # electron-flavour neutrino: x ~ 12 x²(1−x) = Beta(3, 2)
    x_e = rng.beta(3.0, 2.0, n)
    # muon-flavour neutrino: marginal 2x²(3−2x), sampled by accept-reject from Beta(3,1) = 3x²
    x_m = np.empty(0)
    while x_m.size < n:
        k = 2 * (n - x_m.size) + 64
        xs = rng.random(k) ** (1.0 / 3.0)
        keep = rng.random(k) * 3.0 < 3.0 - 2.0 * xs  # accept with f/(2g) = (3 − 2x)/3
        x_m = np.concatenate([x_m, xs[keep]])
    x_m = x_m[:n]
    half = c.M_MU / 2
    out = []
    for species_e, species_m, sel in (("nu_e_bar", "nu_mu", mu_minus), ("nu_e", "nu_mu_bar", ~mu_minus)):
        if not sel.any():
            continue
        out.append(NeutrinoSource(species_e, muons.p4[sel], muons.x[sel], muons.w[sel], half * x_e[sel],
                                  spin[sel], s[sel] * 1.0))
        xm = x_m[sel]
        out.append(NeutrinoSource(species_m, muons.p4[sel], muons.x[sel], muons.w[sel], half * xm,
                                  spin[sel], s[sel] * (1 - 2 * xm) / (3 - 2 * xm)))
    return out


def muons_from_two_body(
    rng: np.random.Generator, parents: ParticleSample, m_parent: float, ch: Channel
) -> tuple[ParticleSample, np.ndarray]:
    """Muons from P → μν with isotropic rest-frame directions; returns (muons, spin in μ rest frame).

    The muons sit at the parents' decay vertices with weights parent weight × BR; following them to their own
    decays (geometry, absorption) is the pipeline's job (:func:`darkbeam.pipeline.neutrino_flux.decay_parents`).
    """
    n = len(parents)
    q = two_body_momentum(m_parent, c.M_MU, 0.0)
    e_mu = np.sqrt(q * q + c.M_MU**2)
    d = isotropic_directions(rng, n)
    p_rest = np.concatenate([np.full((n, 1), e_mu), q * d], axis=1)
    beta_parent = parents.p4[:, 1:] / parents.p4[:, :1]
    p_lab = boost(p_rest, beta_parent)
    # spin four-vector of a helicity-h muon in the parent frame: h (|p|/m, E p̂/m)
    h = -1.0 if ch.muon == -13 else 1.0  # μ+ from π+/K+ has helicity −1
    s_rest = h * np.concatenate([np.full((n, 1), q / c.M_MU), (e_mu / c.M_MU) * d], axis=1)
    s_lab = boost(s_rest, beta_parent)
    s_mu = boost(s_lab, -p_lab[:, 1:] / p_lab[:, :1])  # into the muon rest frame (pure boost)
    spin = s_mu[:, 1:] / np.linalg.norm(s_mu[:, 1:], axis=1)[:, None]
    muons = ParticleSample(np.full(n, ch.muon), p_lab, parents.x.copy(), parents.w * ch.br, parents.weight_unit)
    return muons, spin
