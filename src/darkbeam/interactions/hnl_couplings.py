"""Vertices of light neutrinos and heavy neutral leptons in the mass basis (dark-neutrino model).

The container the HNL cross-sections (:mod:`.hnl_upscattering`) and widths (:mod:`.hnl_decays`) read;
:mod:`darkbeam.models.dark_neutrino` fills it from the model's parameters (seed 001, Abdullahi, Hostert,
Pascoli, arXiv:2007.11813, Eqs. 1-3 and App. A).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import E_CHARGE, SIN2_THETA_W

_CW = math.sqrt(1.0 - SIN2_THETA_W)
_SW = math.sqrt(SIN2_THETA_W)
G_WEAK = E_CHARGE / _SW  # SU(2) coupling g = e/s_W
G_Z = G_WEAK / (2.0 * _CW)  # Z coupling of neutrinos, g/(2 c_W)


@dataclass
class DarkNeutrinoCouplings:
    """Vertices of the neutral leptons in the mass basis (dimensionless, masses in MeV).

    Index convention: HNL j = 0, 1, 2 is N4, N5, N6. ``d_nu[a, j]`` is the coefficient of
    ν̄_a γ^μ P_L N_j Z'_μ (a = e, mu, tau); ``d_NN[k, j]`` that of N̄_k γ^μ P_L N_j Z'_μ (for
    Majorana HNLs the Feynman rule is γ^μ (d P_L − d* P_R)); ``c_nu``, ``c_NN`` the same for the Z;
    ``U_active[a, j]`` the active-heavy mixing; ``c_nu_weak`` the SM (unitarity) part of ``c_nu``,
    which fixes the sign of the charged-current term relative to the neutral current.
    """

    masses: np.ndarray
    majorana: bool
    d_nu: np.ndarray
    d_NN: np.ndarray
    c_nu: np.ndarray
    c_NN: np.ndarray
    U_active: np.ndarray
    c_nu_weak: np.ndarray
    mzprime: float
    epsilon: float
    gD: float

    @property
    def n_hnl(self) -> int:
        return len(self.masses)

    @property
    def chi(self) -> float:
        """Kinetic mixing χ = ε / c_W (seed 001, below Eq. 3)."""
        return self.epsilon / _CW

    @property
    def e_eps(self) -> float:
        """Z' coupling to unit electric charge, e ε (seed 001, Eq. 3)."""
        return E_CHARGE * self.epsilon


__all__ = ["G_WEAK", "G_Z", "DarkNeutrinoCouplings"]
