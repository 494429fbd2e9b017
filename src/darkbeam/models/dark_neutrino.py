"""Dark neutrinos: light ν + 1..3 heavy neutral leptons (HNLs) charged under a secluded U(1)'.

Physics (seed 001, Abdullahi, Hostert, Pascoli, arXiv:2007.11813, Eqs. 1-3 and App. A):
  L ⊃ Z'_μ (e ε J^μ_EM + g_D J^μ_D)  (Eq. 3, leading order in χ and m_Z'²/m_Z²; ε = c_W χ),
the dark current of the mass eigenstates is  g_D Σ_ij V_ij ν̄_i γ^μ P_L ν_j  with
V = U_DL† U_DL − U_DR† U_DR (Eq. A3), and the Z couples to the active part C = U_α† U_α (Eq. A3)
plus the dark current with strength g_D s_W χ (Eq. B4).

Two ways to specify the neutral-lepton sector:

* phenomenological (DarkNews parameter names, DarkNews 0.4.8 ``ThreePortalModel`` conventions):
  masses ``m4, m5, m6`` and mixings ``Ue4.., Umu4.., Utau4.., UD4, UD5, UD6``. The light neutrinos'
  dark component follows from unitarity at first order, U_Dα = −Σ_k U_αk U_Dk, so the
  ν_α–N_j–Z' vertex is d_αj = −g_D (Σ_k U_αk U_Dk) U_Dj  (for 3+1: −g_D Umu4 |UD4|²) and the
  N_j–N_k–Z' vertex is g_D U_Dj U_Dk.
* the seed-001 mass matrix (Eq. A1: 1 active + 3 sterile + 2 dark Weyl states), diagonalised
  numerically (:func:`diagonalise_mass_matrix`); V_ij is then computed from Eq. A3 including the
  Takagi phases (i for negative eigenvalues), which decide whether a Majorana transition current is
  vector- or axial-like. The presets BP-A and BP-B (seed 001 Table I, parameters of Table III) use it.

Internal units: MeV. Couplings are dimensionless.
"""

from __future__ import annotations

import math
from typing import Any

import hepunits as hu
import numpy as np

from ..declarations import Decays, Model, Param
from ..errors import InputError
from ..interactions import hnl_decays
from ..interactions.channels import ScatterThenDecay
from ..interactions.hnl_couplings import _CW, _SW, G_WEAK, G_Z, DarkNeutrinoCouplings  # noqa: F401  (re-exported)
from .registry import MODELS

HNL_TYPES = ("majorana", "dirac")
FLAVOURS = ("e", "mu", "tau")

# --- Seed 001 Table III: mass-matrix parameters of BP-A and BP-B -------------------------------
# Units as printed: m_D in MeV (10^6 eV), M_i in GeV (10^9 eV), Λ in 10 MeV (10^7 eV), M_X in
# 100 MeV (10^8 eV). Dark-sector parameters from Table I / App. A: m_Z' = 1.25 GeV, ε² = 4.6e-4.
_TABLE_III = {
    "BP-A": {"mD": (0.00950, 0.278, 0.190), "M": (-0.0429, 1.10, -1.10), "LL": (-2.39, 19.0, 0.00),
             "LR": (-2.39, 19.0, 0.00), "MX": -1.21, "alphaD": 0.39},
    "BP-B": {"mD": (-0.0347, 1.98, -3.89), "M": (-0.0900, 6.00, -18.0), "LL": (3.75, 24.0, 0.00),
             "LR": (-2.81, 54.0, 0.00), "MX": 1.96, "alphaD": 0.32},
}
PRESETS: dict[str, dict] = {
    name: {
        "mD": tuple(v * hu.MeV for v in p["mD"]),
        "M": tuple(v * hu.GeV for v in p["M"]),
        "LambdaL": tuple(v * 10 * hu.MeV for v in p["LL"]),
        "LambdaR": tuple(v * 10 * hu.MeV for v in p["LR"]),
        "MX": p["MX"] * 100 * hu.MeV,
        "alphaD": p["alphaD"],
        "mzprime": 1.25 * hu.GeV,
        "epsilon": math.sqrt(4.6e-4),
    }
    for name, p in _TABLE_III.items()
}
# Published values of seed 001 Table I used as checks (masses MeV, |V|^2, c tau0 cm).
TABLE_I = {
    "BP-A": {"m": (35.0, 120.0, 185.0), "V2_3j": (0.0, 22.2e-8, 0.0), "ctau_cm": (1.6e13, 3.0, 0.26)},
    "BP-B": {"m": (74.0, 146.0, 220.0), "V2_3j": (13.6e-8, 26.5e-8, 123e-8), "ctau_cm": (1.1e7, 2.2, 0.14)},
}


def diagonalise_mass_matrix(
    mD: tuple[float, ...], M: tuple[float, ...], LambdaL: tuple[float, ...], LambdaR: tuple[float, ...], MX: float
) -> tuple[np.ndarray, np.ndarray]:
    """Diagonalise the seed-001 Eq. (A1) neutral-lepton mass matrix (MeV).

    Basis (ν_α^c, N1^c, N2^c, N3^c, ν_DL^c, ν_DR). The real symmetric matrix is written as
    O diag(λ) O^T (``numpy.linalg.eigh``); the Takagi factor is U = diag(η) O^T with η = 1 (λ > 0)
    or i (λ < 0), so that the physical masses are |λ|. States are ordered by mass.

    Returns:
        (masses, U): masses (6,) in MeV ascending; U (6 mass, 6 flavour) complex, rows = mass states.
    """
    n = len(M)
    dim = 1 + n + 2
    mat = np.zeros((dim, dim))
    mat[0, 1:1 + n] = mat[1:1 + n, 0] = mD
    mat[1:1 + n, 1:1 + n] = np.diag(M)
    mat[1:1 + n, 1 + n] = mat[1 + n, 1:1 + n] = LambdaL
    mat[1:1 + n, 2 + n] = mat[2 + n, 1:1 + n] = LambdaR
    mat[1 + n, 2 + n] = mat[2 + n, 1 + n] = MX
    lam, O = np.linalg.eigh(mat)
    order = np.argsort(np.abs(lam))
    lam, O = lam[order], O[:, order]
    eta = np.where(lam < 0, 1j, 1.0)
    U = eta[:, None] * O.T
    return np.abs(lam), U


def vertex_matrices(U: np.ndarray, n_sterile: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Seed 001 Eq. (A3) in the mass basis: C = U_α† U_α and V = U_DL† U_DL − U_DR† U_DR.

    ``U`` rows are mass states, columns flavour states (ν_α^c, N^c..., ν_DL^c, ν_DR); the
    columns of the flavour components give U_α etc. as row vectors over mass states.
    """
    ua = U[:, 0]
    udl = U[:, 1 + n_sterile]
    udr = U[:, 2 + n_sterile]
    C = np.outer(ua.conj(), ua)
    V = np.outer(udl.conj(), udl) - np.outer(udr.conj(), udr)
    return C, V


def couplings_from_mass_matrix(
    mD, M, LambdaL, LambdaR, MX, *, gD: float, epsilon: float, mzprime: float, flavour: str = "mu", n_hnl: int = 3,
    phases: str = "takagi",
) -> DarkNeutrinoCouplings:
    """Couplings of ν and the n_hnl lightest HNLs from the Eq. (A1) mass matrix (single active flavour).

    ``phases="takagi"`` keeps the factor i of states with negative eigenvalues (physical: it makes
    the transition current between opposite-CP-parity states vector-like, as for the two Majorana
    halves of a Dirac fermion); ``phases="real"`` drops it (|V| with real signs), which is what
    reproduces the c τ0 of seed 001 Table I (see docs/dark_neutrino.md).
    """
    masses, U = diagonalise_mass_matrix(mD, M, LambdaL, LambdaR, MX)
    if phases == "real":
        U = np.real(U) + np.imag(U)
    C, V = vertex_matrices(U, len(M))
    chi = epsilon / _CW
    a = FLAVOURS.index(flavour)
    h = slice(1, 1 + n_hnl)
    d_nu = np.zeros((3, n_hnl), complex)
    c_nu = np.zeros((3, n_hnl), complex)
    ua = np.zeros((3, n_hnl), complex)
    # Z' (seed 001 Eq. A2-A3): g_D V_ij; Z: (g/2c_W) C_ij + g_D s_W χ V_ij (Eq. B4).
    d_nu[a] = gD * V[0, h]
    c_nu[a] = G_Z * C[0, h] + gD * _SW * chi * V[0, h]
    ua[a] = U[h, 0]
    return DarkNeutrinoCouplings(
        masses=masses[h].copy(), majorana=True, d_nu=d_nu, d_NN=gD * V[h, h].copy(),
        c_nu=c_nu, c_NN=G_Z * C[h, h] + gD * _SW * chi * V[h, h], U_active=ua, c_nu_weak=c_nu - gD * _SW * chi * d_nu / gD,
        mzprime=mzprime, epsilon=epsilon, gD=gD,
    )


def couplings_from_mixings(
    masses: np.ndarray, U_active: np.ndarray, U_dark: np.ndarray, *, majorana: bool, gD: float, epsilon: float,
    mzprime: float,
) -> DarkNeutrinoCouplings:
    """Phenomenological couplings (DarkNews 0.4.8 ThreePortalModel conventions, see module doc).

    Args:
        masses: (n,) HNL masses, MeV.
        U_active: (3, n) mixings U_aj (a = e, mu, tau).
        U_dark: (n,) dark-flavour components U_Dj.
    """
    chi = epsilon / _CW
    W = np.outer(U_active @ U_dark, U_dark)  # (Σ_k U_ak U_Dk) U_Dj
    d_nu = -gD * W
    # Z: +(g/2c_W) U_aj (C = U_α† U_α with U_α,light ≈ 1), plus the dark current g_D s_W χ (Eq. B4).
    # The relative sign to d is fixed by the same orthogonality relation (DarkNews uses −(g/2c_W)U).
    c_nu = G_Z * U_active - gD * _SW * chi * W
    D = np.outer(U_dark, U_dark)
    C = U_active.T @ U_active
    return DarkNeutrinoCouplings(
        masses=np.asarray(masses, float), majorana=majorana, d_nu=d_nu.astype(complex), d_NN=(gD * D).astype(complex),
        c_nu=c_nu.astype(complex), c_NN=(G_Z * C + gD * _SW * chi * D).astype(complex),
        U_active=U_active.astype(complex), c_nu_weak=(G_Z * U_active).astype(complex), mzprime=mzprime, epsilon=epsilon, gD=gD,
    )


_MIX = tuple(
    Param(f"U{f}{j}", "dimensionless", 1e-3 if (f, j) == ("mu", 4) else 0.0, f"mixing of N{j} with nu_{f}", minimum=None)
    for j in (4, 5, 6) for f in FLAVOURS
)


#: parameters a preset sets (masses, Z', epsilon, gD, alphaD) or does not use (the phenomenological mixings)
PRESET_FIXES = frozenset({"m4", "m5", "m6", "mzprime", "epsilon", "gD", "alphaD", *(p.name for p in _MIX),
                          "UD4", "UD5", "UD6"})


@MODELS.register("dark-neutrino")
class DarkNeutrino(Model):
    """Dark neutrinos: 1-3 HNLs with a kinetically mixed Z' (seed 001; DarkNews parameter names)."""

    name = "dark-neutrino"
    boson = "Zprime"
    boson_kind = "vector"
    # no meson-decay production: the HNLs are made by BNB neutrinos upscattering in the detector
    production = ()
    detection = (ScatterThenDecay("nu", "e+ e-", process="dark-neutrino-upscattering"),)
    params = (
        Param("m4", "energy", 150.0 * hu.MeV, "mass of N4"),
        Param("m5", "energy", 0.0, "mass of N5 (0 = absent: 3+1)"),
        Param("m6", "energy", 0.0, "mass of N6 (0 = absent)"),
        Param("mzprime", "energy", 1.25 * hu.GeV, "Z' mass"),
        Param("epsilon", "dimensionless", 1e-2, "kinetic mixing, DarkNews convention eps = c_W chi (Z' couples e*eps*Q)"),
        Param("gD", "dimensionless", 1.0, "dark gauge coupling g_D (give gD or alphaD; both must agree)"),
        Param("alphaD", "dimensionless", 0.0,
              "alpha_D = g_D^2/4pi (give gD or alphaD; both must agree; 0 = use gD)"),
        *_MIX,
        Param("UD4", "dimensionless", 0.9, "dark-flavour component of N4", minimum=None),
        Param("UD5", "dimensionless", 0.0, "dark-flavour component of N5", minimum=None),
        Param("UD6", "dimensionless", 0.0, "dark-flavour component of N6", minimum=None),
        Param("HNLtype", "dimensionless", "majorana", "Dirac or Majorana HNLs", choices=HNL_TYPES),
        Param("majorana_phases", "dimensionless", "takagi",
              "mass-matrix route: keep Takagi CP phases ('takagi') or drop them as seed 001 Table I does ('real')",
              choices=("takagi", "real")),
        Param("preset", "dimensionless", "none", "seed 001 benchmark (fixes masses, mixings, Z', epsilon "
              "and gD: giving one of them with another value is an error)", choices=("none", *PRESETS)),
    )

    def __init__(self, **values) -> None:
        #: the parameters given explicitly (the others are defaults or derived): a preset together with a
        #: different value of a parameter it fixes, or gD and alphaD that disagree, is an error (see
        #: validate), never silently resolved
        self.explicit = frozenset(values)
        super().__init__(**values)

    def replace(self, **changes) -> DarkNeutrino:
        """A copy with some parameters changed. Only the explicitly given parameters are carried over
        (values derived from a preset or from alphaD/gD are recomputed), and changing gD (alphaD) drops
        a given alphaD (gD); changing a parameter that a preset fixes is an error, as when giving both."""
        base = {k: self.values[k] for k in self.explicit}
        for a, b in (("gD", "alphaD"), ("alphaD", "gD")):
            if a in changes and b not in changes:
                base.pop(b, None)
        return type(self)(**{**base, **changes})

    def validate(self) -> None:
        v = self.values
        preset = v["preset"]
        given = getattr(self, "explicit", frozenset())
        if preset == "none" and "gD" in given and "alphaD" in given \
                and not math.isclose(v["alphaD"], v["gD"] ** 2 / (4 * math.pi), rel_tol=1e-9, abs_tol=1e-300):
            raise InputError("dark-neutrino.alphaD", v["alphaD"],
                             f"gD or alphaD = gD^2/4pi, not both (gD = {v['gD']:g} is given too, which means "
                             f"alphaD = {v['gD'] ** 2 / (4 * math.pi):.6g})")
        if preset != "none":
            p = PRESETS[preset]
            if v["HNLtype"] != "majorana":
                raise InputError("dark-neutrino.HNLtype", v["HNLtype"], f"majorana for preset {preset}")
            gD = math.sqrt(4 * math.pi * p["alphaD"])
            self.couplings = couplings_from_mass_matrix(
                p["mD"], p["M"], p["LambdaL"], p["LambdaR"], p["MX"], gD=gD, epsilon=p["epsilon"], mzprime=p["mzprime"],
                phases=v["majorana_phases"],
            )
            # what the preset sets (masses, Z', couplings) or leaves unused (mixings: their defaults); a
            # given value that differs is a conflict (the same value, e.g. a saved parameter set, is fine)
            fixed = {q.name: q.default for q in self.params if q.name in PRESET_FIXES}
            fixed.update({f"m{4 + j}": float(m) for j, m in enumerate(self.couplings.masses)})
            fixed.update(mzprime=p["mzprime"], epsilon=p["epsilon"], alphaD=p["alphaD"], gD=gD)
            clash = [k for k in fixed if k in given
                     and not math.isclose(float(v[k]), float(fixed[k]), rel_tol=1e-9, abs_tol=1e-300)]
            if clash:
                raise InputError(f"dark-neutrino.{clash[0]}", v[clash[0]],
                                 f"not together with preset={preset}, which fixes {', '.join(clash)}: drop "
                                 f"{'it' if len(clash) == 1 else 'them'} or use preset = 'none'")
            v.update(fixed)
            return
        masses = [v["m4"]]
        for j in (5, 6):
            m = v[f"m{j}"]
            if m > 0:
                if len(masses) != j - 4:
                    raise InputError(f"dark-neutrino.m{j}", m, f"0 unless m{j - 1} is set (HNLs are added in order)")
                if m <= masses[-1]:
                    raise InputError(f"dark-neutrino.m{j}", m, f"a mass above m{j - 1} = {masses[-1]} MeV (N{j} -> N{j - 1} chain)")
                masses.append(m)
            elif any(v[f"U{f}{j}"] for f in (*FLAVOURS, "D")):
                raise InputError(f"dark-neutrino.m{j}", m, f"a positive mass when N{j} mixings are set")
        if v["m4"] <= 0:
            raise InputError("dark-neutrino.m4", v["m4"], "a positive mass")
        n = len(masses)
        ua = np.array([[v[f"U{f}{j}"] for j in range(4, 4 + n)] for f in FLAVOURS])
        ud = np.array([v[f"UD{j}"] for j in range(4, 4 + n)])
        # unitarity: every column (N_j) and every flavour row must have Σ|U|² <= 1
        for j in range(n):
            col = float(np.sum(ua[:, j] ** 2) + ud[j] ** 2)
            if col > 1.0:
                name = "UD" if abs(ud[j]) >= np.max(np.abs(ua[:, j])) else "U" + FLAVOURS[int(np.argmax(np.abs(ua[:, j])))]
                raise InputError(f"dark-neutrino.{name}{4 + j}", v[f"{name}{4 + j}"],
                                 f"|U_e{4+j}|²+|U_mu{4+j}|²+|U_tau{4+j}|²+|U_D{4+j}|² <= 1 (now {col:.6g})")
        for i, f in enumerate(FLAVOURS):
            if np.sum(ua[i] ** 2) > 1.0:
                raise InputError(f"dark-neutrino.U{f}4", v[f"U{f}4"], f"Σ_j |U_{f}j|² <= 1")
        if np.sum(ud**2) > 1.0:
            raise InputError("dark-neutrino.UD4", v["UD4"], "Σ_j |U_Dj|² <= 1")
        if v["epsilon"] >= 1.0:
            raise InputError("dark-neutrino.epsilon", v["epsilon"], "a kinetic mixing below 1")
        gD = math.sqrt(4 * math.pi * v["alphaD"]) if v["alphaD"] > 0 else v["gD"]
        v.update(gD=gD, alphaD=gD**2 / (4 * math.pi))  # both report the coupling used
        self.couplings = couplings_from_mixings(
            np.array(masses), ua, ud, majorana=v["HNLtype"] == "majorana", gD=gD, epsilon=v["epsilon"],
            mzprime=v["mzprime"],
        )

    @property
    def n_hnl(self) -> int:
        return self.couplings.n_hnl

    @property
    def hnl_masses(self) -> np.ndarray:
        """HNL masses (N4, N5, ...), MeV."""
        return self.couplings.masses

    def decays(self) -> dict[str, Decays]:
        """Partial widths of every HNL N4, N5, ... (interactions/hnl_decays.py; zero channels dropped)."""
        return {f"N{4 + j}": Decays(f"N{4 + j}", float(self.couplings.masses[j]),
                                    hnl_decays.partial_widths(self.couplings, j))
                for j in range(self.n_hnl)}

    def coupling_product(self) -> dict[str, Any]:
        """ε² α_D: seed 001 Table I quotes ε² and α_D separately; their product sets the Z'-mediated
        upscattering rate."""
        g_d = float(self.couplings.gD)
        return {"name": "epsilon^2*alpha_D", "value": float(self.epsilon**2 * g_d**2 / (4 * math.pi)), "unit": ""}

    def mixing_table(self) -> dict[str, float]:
        """|V_3j|², |V_jk|² (in g_D units) and |U_mu j|² — for comparison with seed 001 Tables I, IV, V."""
        c = self.couplings
        out = {}
        for j in range(c.n_hnl):
            out[f"|V_3{4 + j}|^2"] = float(abs(c.d_nu[1, j] / c.gD) ** 2)
            out[f"|Umu{4 + j}|^2"] = float(abs(c.U_active[1, j]) ** 2)
            for k in range(j, c.n_hnl):
                out[f"|V_{4 + j}{4 + k}|^2"] = float(abs(c.d_NN[j, k] / c.gD) ** 2)
        return out


__all__ = [
    "PRESETS",
    "TABLE_I",
    "DarkNeutrino",
    "DarkNeutrinoCouplings",
    "couplings_from_mass_matrix",
    "couplings_from_mixings",
    "diagonalise_mass_matrix",
    "vertex_matrices",
]
