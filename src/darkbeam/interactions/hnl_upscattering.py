"""Neutrino upscattering ν_μ (ν̄_μ) + target → N_j + target through Z' (and Z) exchange.

Derivation (this module; checked against DarkNews 0.4.8 ``UpscatteringProcess`` in
tests/test_vs_darknews.py): with the lepton vertex d ū_N γ^μ P_L u_ν and a vector hadronic current
ū(p4)[A1 γ_μ + i A2 σ_μν q^ν/2M]u(p2), where the bosons' propagators and couplings are folded into
  A_i(Q²) = d e ε F_i^EM(Q²)/(Q² + m_Z'²) + c (g/c_W) F_i^Z(Q²)/(Q² + m_Z²),
the spin-averaged hadronic tensor is (τ = Q²/4M², P = p2 + p4, q = p4 − p2)
  H^μν = (A1² + τ A2²) P^μ P^ν − (A1 + A2)² (q^μ q^ν + Q² g^μν)        (spin ½)
  H^μν = A1² P^μ P^ν                                                  (spin 0, coherent 0⁺ nuclei)
and the lepton tensor Tr[γ^μ k̸1 γ^ν P_L b̸] (b = k3 for the helicity sum; b = (k3 − h m s)/2·2 with
the factor ½ for helicity h, s the CM-frame helicity vector of N, as in DarkNews) contracts to
  L·H = 2(A1²+τA2²)[2(k1·P)(b·P) − (4M²+Q²)(k1·b)] − (A1+A2)²[4(k1·q)(b·q) − 2Q²(k1·b)].
dσ/dQ² = L·H /(16π (s − M²)²). Only the vector hadronic current is kept (the nucleon axial NC
current matters only for Z exchange, i.e. for ε → 0; see docs/dark_neutrino.md). Antineutrinos give
the same cross-section (the hadronic tensor is symmetric). Majorana and Dirac HNLs have the same
upscattering cross-section (the incoming ν is left-handed, so only the P_L term contributes).

Form factors: coherent — Fourier–Bessel charge densities of De Vries, De Jager, De Vries, At. Data
Nucl. Data Tables 36, 495 (1987) (the convention DarkNews uses), or Helm; nucleons — dipole
G_E^p = D, G_M^{p,n} = μ_{p,n} D, G_E^n = 0, D = (1 + Q²/0.71 GeV²)⁻².

Units: MeV internally; cross-sections returned in cm².
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..constants import E_CHARGE, INV_MEV2_TO_CM2, M_E, M_N, M_P, M_Z, SIN2_THETA_W
from ..errors import InputError
from ..registry import Registry
from .form_factors import helm
from .hnl_couplings import G_WEAK, DarkNeutrinoCouplings
from .targets import get_target

_CW = math.sqrt(1 - SIN2_THETA_W)
_GZ_HAD = G_WEAK / _CW  # g/c_W, Z coupling to the hadronic NC vector charge T3/2 − Q s_W² (per nucleon below)
MU_P, MU_N = 2.7928473, -1.9130427  # PDG 2022 magnetic moments (nuclear magnetons)
M_DIPOLE2 = 0.71e6  # MeV², dipole mass² of the nucleon form factors
_U = 931.49410242  # MeV, atomic mass unit (CODATA 2018)
_FM = 1.0 / 197.3269804  # 1 fm in MeV⁻¹
REGIMES = ("coherent", "p-el", "n-el")

# De Vries et al. (1987), Table of Fourier-Bessel coefficients a_ν (fm⁻³) and cut-off radius R (fm)
_FOURIER_BESSEL = {
    "C12": (8.0, (0.15737e-1, 0.38897e-1, 0.37085e-1, 0.14795e-1, -0.44831e-2, -0.10057e-1, -0.68696e-2,
                  -0.28813e-2, -0.77229e-3, 0.66908e-4, 0.10636e-3, -0.36864e-4, -0.50135e-5, 0.94550e-5,
                  -0.47687e-5)),
    "Ar40": (9.0, (0.30451e-1, 0.55337e-1, 0.20203e-1, -0.16765e-1, -0.13578e-1, -0.43204e-4, 0.91988e-3,
                   -0.41205e-3, 0.11971e-3, -0.19801e-4, -0.43204e-5, 0.61205e-5, -0.37803e-5, 0.18001e-5,
                   -0.77407e-6)),
}


@dataclass(frozen=True)
class Target:
    """A scattering target nucleus: charge Z, neutrons N, nuclear mass (MeV)."""

    name: str
    Z: int
    N: int
    mass: float

    @property
    def A(self) -> int:
        return self.Z + self.N


# Nuclear masses from AME2020 atomic masses (Wang et al., Chin. Phys. C45, 030003 (2021)) minus electrons.
TARGETS: Registry[Target] = Registry("target")
TARGETS.add("C12", Target("C12", 6, 6, 12.0 * _U - 6 * M_E), "carbon-12")
TARGETS.add("Ar40", Target("Ar40", 18, 22, 39.9623831237 * _U - 18 * M_E), "argon-40")
TARGETS.add("H1", Target("H1", 1, 0, M_P), "free proton (hydrogen)")
TARGETS.add("O16", Target("O16", 8, 8, 15.9949146193 * _U - 8 * M_E), "oxygen-16 (Helm form factor)")


def fourier_bessel_ff(target: str, Q2: np.ndarray) -> np.ndarray:
    """Charge form factor F(Q²) (F(0) = 1) from a Fourier–Bessel density, Q² in MeV².

    ρ(r) = Σ a_ν j0(νπr/R) (r ≤ R) ⇒ F(q) ∝ Σ a_ν (−1)^{ν+1} j0(qR)/((νπ)² − (qR)²) (derived).
    """
    R, a = _FOURIER_BESSEL[target]
    a = np.asarray(a)
    nu = np.arange(1, len(a) + 1)
    x = np.sqrt(np.asarray(Q2, float)) * _FM * R  # qR (q in fm⁻¹)
    x = np.where(np.any(np.abs(x[..., None] - nu * np.pi) < 1e-6, axis=-1), x + 1e-5, x)
    j0 = np.where(x > 0, np.sin(x) / np.where(x > 0, x, 1.0), 1.0)
    terms = a * (-1.0) ** (nu + 1) / ((nu * np.pi) ** 2 - x[..., None] ** 2)
    norm = np.sum(a * (-1.0) ** (nu + 1) / (nu * np.pi) ** 2)
    return np.abs(j0 * terms.sum(-1) / norm)


def helm_ff(target: str, Q2: np.ndarray) -> np.ndarray:
    """Helm form factor of ``target`` (shared implementation :func:`darkbeam.interactions.form_factors.helm`)."""
    return helm(-np.asarray(Q2, float), get_target(target))


def coherent_form_factor(target: Target, kind: str = "fourier-bessel") -> Callable[[np.ndarray], np.ndarray]:
    """F(Q²) of a nucleus; ``kind`` = "fourier-bessel" (De Vries 1987) or "helm"."""
    if kind == "fourier-bessel" and target.name in _FOURIER_BESSEL:
        return lambda Q2: fourier_bessel_ff(target.name, Q2)
    if kind in ("helm", "fourier-bessel"):
        return lambda Q2: helm_ff(target.name, Q2)
    raise InputError("form_factor", kind, ("fourier-bessel", "helm"))


def nucleon_form_factors(Q2: np.ndarray, nucleon: str) -> tuple[np.ndarray, np.ndarray]:
    """Dirac and Pauli EM form factors (F1, F2) of the proton or neutron, dipole parametrisation."""
    D = 1.0 / (1.0 + Q2 / M_DIPOLE2) ** 2
    tau = Q2 / (4 * M_P**2)
    ge, gm = (D, MU_P * D) if nucleon == "p" else (0.0 * D, MU_N * D)
    f1 = (ge + tau * gm) / (1 + tau)
    f2 = (gm - ge) / (1 + tau)
    return f1, f2


def _hadronic_A(c: DarkNeutrinoCouplings, target: Target, regime: str, d: complex, cz: complex, Q2, ff):
    """Effective vector form factors (A1, A2) in MeV⁻² (couplings × form factor / propagator)."""
    pz, pzp = 1.0 / (Q2 + M_Z**2), 1.0 / (Q2 + c.mzprime**2)
    sw2 = SIN2_THETA_W
    ee = E_CHARGE * c.epsilon
    if regime == "coherent":
        F = ff(Q2)
        qz = target.Z * (0.25 - sw2) - 0.25 * target.N  # NC vector charge (units of g/c_W)
        a1 = (d * ee * target.Z * pzp + cz * _GZ_HAD * qz * pz) * F
        return a1, 0.0 * a1
    f1p, f2p = nucleon_form_factors(Q2, "p")
    f1n, f2n = nucleon_form_factors(Q2, "n")
    if regime == "p-el":
        em, z1, z2 = (f1p, f2p), ((1 - 4 * sw2) * f1p - f1n) / 4, ((1 - 4 * sw2) * f2p - f2n) / 4
    else:
        em, z1, z2 = (f1n, f2n), ((1 - 4 * sw2) * f1n - f1p) / 4, ((1 - 4 * sw2) * f2n - f2p) / 4
    a1 = d * ee * em[0] * pzp + cz * _GZ_HAD * z1 * pz
    a2 = d * ee * em[1] * pzp + cz * _GZ_HAD * z2 * pz
    return a1, a2


def _target_mass(target: Target, regime: str) -> float:
    return target.mass if regime == "coherent" else (M_P if regime == "p-el" else M_N)


def threshold_energy(m_hnl: float, target_mass: float) -> float:
    """Lab neutrino energy threshold for ν + T → N + T: m + m²/(2M), MeV."""
    return m_hnl + m_hnl**2 / (2 * target_mass)


def q2_range(Enu: np.ndarray, m: float, M: float) -> tuple[np.ndarray, np.ndarray]:
    """(Q²min, Q²max) for ν(E) + T(M, at rest) → N(m) + T, MeV² (0 below threshold)."""
    s = M * M + 2 * M * np.asarray(Enu, float)
    rs = np.sqrt(s)
    e1 = (s - M * M) / (2 * rs)
    e3 = (s + m * m - M * M) / (2 * rs)
    k3 = np.sqrt(np.clip((s - (m + M) ** 2) * (s - (m - M) ** 2), 0, None)) / (2 * rs)
    qmin = -m * m + 2 * e1 * (e3 - k3)
    qmax = -m * m + 2 * e1 * (e3 + k3)
    ok = s > (m + M) ** 2
    return np.where(ok, np.maximum(qmin, 0.0), 0.0), np.where(ok, qmax, 0.0)


def _dsigma(Enu, Q2, m, M, A1, A2, spin0: bool, h: int | None):
    """dσ/dQ² (MeV⁻⁴) from the contraction in the module docstring."""
    s = M * M + 2 * M * Enu
    k1k3 = 0.5 * (m * m + Q2)
    X = (s - M * M) - k1k3  # k1·P = k3·P
    k3q = 0.5 * (Q2 - m * m)
    a_b, b_P, b_q, pol = k1k3, X, k3q, 1.0
    if h is not None:
        rs = np.sqrt(s)
        e1 = (s - M * M) / (2 * rs)
        e2 = (s + M * M) / (2 * rs)
        e3 = (s + m * m - M * M) / (2 * rs)
        e4 = (s + M * M - m * m) / (2 * rs)
        k3v = np.sqrt(np.clip((s - (m + M) ** 2) * (s - (m - M) ** 2), 0, None)) / (2 * rs)
        den = np.where(e1 * k3v > 0, 2 * e1 * k3v, 1.0)
        cth = np.clip((-Q2 - m * m + 2 * e1 * e3) / den, -1, 1)
        k1s = (e1 * k3v - e1 * e3 * cth) / m
        Ps = (e2 * k3v + e1 * e3 * cth) / m + k3v * (e3 + e4) / m
        a_b, b_P, b_q, pol = k1k3 - h * m * k1s, X - h * m * Ps, k3q - h * m * k1s, 0.5
    a_q = -k1k3
    tau = Q2 / (4 * M * M)
    A1sq, A2sq = np.abs(A1) ** 2, np.abs(A2) ** 2
    if spin0:
        LH = 2 * A1sq * (2 * X * b_P - (4 * M * M + Q2) * a_b)
    else:
        GM2 = np.abs(A1 + A2) ** 2
        LH = 2 * (A1sq + tau * A2sq) * (2 * X * b_P - (4 * M * M + Q2) * a_b) - GM2 * (4 * a_q * b_q - 2 * Q2 * a_b)
    return np.clip(pol * LH, 0, None) / (16 * np.pi * (s - M * M) ** 2)


@dataclass
class Upscattering:
    """ν_flavour + target → N_{4+hnl} + target in one scattering regime.

    Args:
        couplings: model couplings (``model.couplings``).
        target: key of :data:`TARGETS` ("C12", "Ar40", "H1").
        regime: "coherent", "p-el" (Z free protons) or "n-el" (N free neutrons).
        hnl: 0 for N4, 1 for N5, 2 for N6.
        flavour: 0, 1, 2 for ν_e, ν_μ, ν_τ.
        form_factor: "fourier-bessel" or "helm" (coherent only).
    """

    couplings: DarkNeutrinoCouplings
    target: str
    regime: str
    hnl: int = 0
    flavour: int = 1
    form_factor: str = "fourier-bessel"

    def __post_init__(self) -> None:
        if self.regime not in REGIMES:
            raise InputError("regime", self.regime, REGIMES)
        self.tgt = TARGETS.get(self.target)
        if self.hnl < 0 or self.hnl >= self.couplings.n_hnl:
            raise InputError("hnl", self.hnl, f"an index below {self.couplings.n_hnl}")
        if self.regime == "coherent" and self.tgt.A == 1:
            raise InputError("regime", self.regime, "p-el for a free-proton target")
        self.M = _target_mass(self.tgt, self.regime)
        self.m = float(self.couplings.masses[self.hnl])
        self.d = self.couplings.d_nu[self.flavour, self.hnl]
        self.cz = self.couplings.c_nu[self.flavour, self.hnl]
        self.ff = coherent_form_factor(self.tgt, self.form_factor) if self.regime == "coherent" else None
        self.multiplicity = 1 if self.regime == "coherent" else (self.tgt.Z if self.regime == "p-el" else self.tgt.N)

    @property
    def threshold(self) -> float:
        """Neutrino energy threshold, MeV."""
        return threshold_energy(self.m, self.M)

    def dsigma_dQ2(self, Enu, Q2, helicity: str = "both") -> np.ndarray:
        """dσ/dQ² per target nucleus in cm²/MeV² (zero outside the physical region).

        ``helicity``: "both", "conserving" (N left-handed, h = −1) or "flipping" (h = +1), CM frame.
        """
        Enu, Q2 = np.broadcast_arrays(np.asarray(Enu, float), np.asarray(Q2, float))
        h = {"both": None, "conserving": -1, "flipping": +1}.get(helicity, 0)
        if h == 0:
            raise InputError("helicity", helicity, ("both", "conserving", "flipping"))
        qmin, qmax = q2_range(Enu, self.m, self.M)
        inside = (Q2 >= qmin) & (Q2 <= qmax) & (qmax > 0)
        Qs = np.where(inside, Q2, np.where(qmax > 0, qmax, 1.0))
        a1, a2 = _hadronic_A(self.couplings, self.tgt, self.regime, self.d, self.cz, Qs, self.ff)
        ds = _dsigma(Enu, Qs, self.m, self.M, a1, a2, self.regime == "coherent", h)
        return np.where(inside, ds, 0.0) * self.multiplicity * INV_MEV2_TO_CM2

    def q2_nodes(self, Enu: np.ndarray, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
        """Gauss–Legendre nodes in ln Q² over the physical range: (Q², weights incl. Jacobian), (nE, n)."""
        x, w = np.polynomial.legendre.leggauss(n)
        qmin, qmax = q2_range(np.atleast_1d(np.asarray(Enu, float)), self.m, self.M)
        ok = qmax > 0
        lo = np.log(np.where(ok, np.maximum(qmin, qmax * 1e-12, where=ok, out=np.ones_like(qmax)), 1.0))
        hi = np.log(np.where(ok, qmax, 1.0))
        if self.regime == "coherent":  # beyond q ~ 1 GeV the form factor is negligible
            hi = np.minimum(hi, np.log(1.0e6))
            lo = np.minimum(lo, hi)
        y = lo[:, None] + (hi - lo)[:, None] * (x[None, :] + 1) / 2
        q2 = np.exp(y)
        wt = w[None, :] * (hi - lo)[:, None] / 2 * q2
        return q2, np.where(ok[:, None], wt, 0.0)

    def total_xsec(self, Enu, helicity: str = "both", n: int = 64) -> np.ndarray:
        """σ(E_ν) per target nucleus, cm² (Z × per-proton for p-el). Vectorised over ``Enu`` (MeV)."""
        E = np.atleast_1d(np.asarray(Enu, float))
        q2, wt = self.q2_nodes(E, n)
        ds = self.dsigma_dQ2(E[:, None], q2, helicity)
        out = np.sum(ds * wt, axis=1)
        return out if np.ndim(Enu) else out[0]

    def sample_q2(self, rng: np.random.Generator, Enu: np.ndarray, n: int = 64) -> np.ndarray:
        """Draw Q² (MeV²) from dσ/dQ² at each energy (inverse CDF on the ln Q² quadrature grid)."""
        q2, wt = self.q2_nodes(Enu, n)
        f = self.dsigma_dQ2(np.asarray(Enu)[:, None], q2) * wt
        cdf = np.cumsum(f, axis=1)
        tot = cdf[:, -1:]
        cdf = cdf / np.where(tot > 0, tot, 1.0)
        u = rng.uniform(size=(len(Enu), 1))
        idx = np.minimum(np.sum(cdf < u, axis=1), n - 1)
        lq = np.log(q2)
        # linear interpolation of ln Q² between neighbouring nodes
        i0 = np.maximum(idx - 1, 0)
        c0 = np.where(idx > 0, np.take_along_axis(cdf, i0[:, None], 1)[:, 0], 0.0)
        c1 = np.take_along_axis(cdf, idx[:, None], 1)[:, 0]
        frac = np.clip((u[:, 0] - c0) / np.where(c1 > c0, c1 - c0, 1.0), 0, 1)
        l0 = np.take_along_axis(lq, i0[:, None], 1)[:, 0]
        l1 = np.take_along_axis(lq, idx[:, None], 1)[:, 0]
        return np.exp(l0 + frac * (l1 - l0))

    def kinematics(self, rng: np.random.Generator, Enu: np.ndarray, Q2: np.ndarray) -> np.ndarray:
        """Lab four-momenta (N, 4) of the HNL for ν along +z with energy Enu and momentum transfer Q²."""
        t_rec = Q2 / (2 * self.M)
        e_n = Enu - t_rec
        p_n = np.sqrt(np.clip(e_n**2 - self.m**2, 0, None))
        cth = np.clip((2 * Enu * e_n - self.m**2 - Q2) / np.where(p_n > 0, 2 * Enu * p_n, 1.0), -1, 1)
        sth = np.sqrt(1 - cth**2)
        phi = rng.uniform(0, 2 * np.pi, len(Enu))
        return np.stack([e_n, p_n * sth * np.cos(phi), p_n * sth * np.sin(phi), p_n * cth], 1)


def total_upscattering_xsec(model, target: str, energy: float, hnl: int = 0, form_factor: str = "fourier-bessel") -> dict[str, float]:
    """σ (cm²) per nucleus of ``target`` at neutrino energy ``energy`` (MeV): coherent, elastic_proton, total."""
    tgt = TARGETS.get(target)
    c = model.couplings
    coh = 0.0 if tgt.A == 1 else float(Upscattering(c, target, "coherent", hnl, form_factor=form_factor).total_xsec(energy))
    pel = float(Upscattering(c, target, "p-el", hnl).total_xsec(energy))
    return {"coherent": coh, "elastic_proton": pel, "total": coh + pel}


def xsec_for_cli(model, target_name: str, energy_MeV: float) -> dict:
    """CLI hook for ``darkbeam xsec dark-neutrino --target T --energy E --json`` (σ into N4 + N5 + N6)."""
    if energy_MeV <= 0 or not np.isfinite(energy_MeV):
        raise InputError("energy", energy_MeV, "a positive finite neutrino energy")
    sig = {"coherent": 0.0, "elastic_proton": 0.0, "total": 0.0}
    per_hnl = {}
    for j in range(model.n_hnl):
        s = total_upscattering_xsec(model, target_name, energy_MeV, j)
        per_hnl[f"N{4 + j}"] = s
        for k in sig:
            sig[k] += s[k]
    return {
        "process": "nu_mu + target -> N + target (Z'/Z exchange, dark neutrino upscattering)",
        "target": target_name,
        "energy_GeV": energy_MeV / 1000.0,
        "sigma_cm2": sig,
        "sigma_cm2_per_hnl": per_hnl,
    }
