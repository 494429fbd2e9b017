"""Brute-force numerical Dirac algebra (explicit 4x4 gamma matrices, Dirac representation) used to
validate the analytic spin-summed |M|^2 of this package. Not used on hot paths.

Metric (+,-,-,-); eps^{0123} = +1 (|M|^2 does not depend on this sign).
"""

from __future__ import annotations

import itertools

import numpy as np

G = np.diag([1.0, -1.0, -1.0, -1.0])
_I2 = np.eye(2)
_Z2 = np.zeros((2, 2))
_SIG = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex), np.array([[1, 0], [0, -1]], complex)]
GAMMA = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _SIG]
ID4 = np.eye(4, dtype=complex)


def levi_civita() -> np.ndarray:
    """eps^{mu nu rho sigma} with all indices up, eps^{0123} = +1."""
    e = np.zeros((4, 4, 4, 4))
    for perm in itertools.permutations(range(4)):
        inv = sum(1 for i in range(4) for j in range(i + 1, 4) if perm[i] > perm[j])
        e[perm] = -1.0 if inv % 2 else 1.0
    return e


EPS = levi_civita()


def lower(v: np.ndarray) -> np.ndarray:
    """Lower a Lorentz index of a vector."""
    return G @ v


def slash(p: np.ndarray) -> np.ndarray:
    """p-slash = gamma^mu p_mu for a contravariant p."""
    pl = lower(p)
    return sum(GAMMA[m] * pl[m] for m in range(4))


def sigma_munu() -> np.ndarray:
    """sigma^{mu nu} = i/2 [gamma^mu, gamma^nu], shape (4,4,4,4) = (mu, nu, a, b)."""
    out = np.zeros((4, 4, 4, 4), complex)
    for m in range(4):
        for n in range(4):
            out[m, n] = 0.5j * (GAMMA[m] @ GAMMA[n] - GAMMA[n] @ GAMMA[m])
    return out


SIGMA = sigma_munu()


def bar(O: np.ndarray) -> np.ndarray:
    """Dirac adjoint of a matrix: gamma^0 O^dagger gamma^0."""
    return GAMMA[0] @ O.conj().T @ GAMMA[0]


def nucleon_vertex(f1: float, f2: float, q: np.ndarray, mass: float) -> list[np.ndarray]:
    """Gamma^mu = F1 gamma^mu + F2 i sigma^{mu nu} q_nu / (2 mass), mu = 0..3 (seed 000 Eq. B9),
    with q = p' - p the four-momentum absorbed by the nucleon."""
    ql = lower(q)
    return [f1 * GAMMA[mu] + f2 * 1j * sum(SIGMA[mu, nu] * ql[nu] for nu in range(4)) / (2.0 * mass) for mu in range(4)]


def spin_sum(pout: np.ndarray, mout: float, O: np.ndarray, pin: np.ndarray, min_: float, anti_out: bool = False) -> float:
    """sum_spins |u-bar(pout) O u(pin)|^2 = Tr[(pout-slash + mout) O (pin-slash + min) O-bar]."""
    so = slash(pout) + (-mout if anti_out else mout) * ID4
    si = slash(pin) + min_ * ID4
    return float(np.real(np.trace(so @ O @ si @ bar(O))))


def transverse_polarisations(k: np.ndarray) -> list[np.ndarray]:
    """Two real transverse polarisation four-vectors (0, e) of a massless vector with momentum k."""
    n = k[1:] / np.linalg.norm(k[1:])
    helper = np.array([0.0, 0.0, 1.0]) if abs(n[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(helper, n)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n, e1)
    return [np.concatenate([[0.0], e1]), np.concatenate([[0.0], e2])]


def massive_polarisations(k: np.ndarray, m: float) -> list[np.ndarray]:
    """Three real polarisation four-vectors of a massive vector (mass m) with momentum k."""
    out = transverse_polarisations(k) if np.linalg.norm(k[1:]) > 0 else [np.array([0, 1.0, 0, 0]), np.array([0, 0, 1.0, 0])]
    pabs = np.linalg.norm(k[1:])
    n = k[1:] / pabs if pabs > 0 else np.array([0.0, 0.0, 1.0])
    out.append(np.concatenate([[pabs / m], k[0] / m * n]))
    return out
