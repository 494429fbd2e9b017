"""Nuclear (Helm) and nucleon (dipole) form factors, and the vector charges of targets.

All functions take the momentum transfer t = q^2 <= 0 in MeV^2 (internal units) and are
vectorised over numpy arrays.

* Helm nuclear form factor: J.D. Lewin & P.F. Smith, Astropart. Phys. 6 (1996) 87, Eq. (4.7):
  F(q) = 3 j1(q r_n)/(q r_n) exp(-(q s)^2/2), F(0) = 1.
* Nucleon Sachs form factors in the dipole approximation, seed 000 (Dutta et al.,
  arXiv:2110.11944) Eq. (B13): G_E^p = G_M^p/mu_p = (1 - t/0.71 GeV^2)^-2; G_M^n = mu_n G_D.
  G_E^n: Galster parametrisation (S. Galster et al., Nucl. Phys. B32 (1971) 221),
  G_E^n = -mu_n tau/(1 + 5.6 tau) G_D, or 0 (``neutron_ge="zero"``).
* Dirac/Pauli form factors from the Sachs ones, inverting seed 000 Eq. (B14):
  F1 = (G_E + tau G_M)/(1 + tau), F2 = (G_M - G_E)/(1 + tau), tau = -t/(4 m^2).
  (Seed 000 Eq. (B12) as printed reads F1 = (G_E - t/4m^2)/(1 - t/4m^2): the factor G_M of the
  second numerator term was lost in extraction; B14 fixes it.) Here F2 includes kappa, i.e.
  F2 = kappa F2^(seed) with F2(0) = kappa.

Charges (:data:`COUPLINGS`): a vector mediator couples to a *current*; the coherent nuclear charge
and the nucleon form factors follow from it:
* "em"      (dark photon, e eps J_EM):   Q_coh = Z;      nucleons: EM form factors.
* "u-quark" (Z' with g_n u-bar gamma u only, seed 000 Eq. 2): Q_coh = 2Z + N (u-quark number);
  nucleons: u-quark flavour form factors from isospin symmetry with no strange contribution,
  F^(u,p) = 2 F^p + F^n, F^(u,n) = F^p + 2 F^n (so F1^(u,p)(0) = 2, F1^(u,n)(0) = 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import hepunits as hu
import numpy as np

from ..constants import M_N, M_P
from ..errors import InputError
from ..registry import Registry
from .targets import Target

DIPOLE_LAMBDA2 = 0.71 * hu.GeV**2  # seed 000 Eq. (B13)
MU_P = 2.7928473446  # proton magnetic moment in nuclear magnetons (CODATA 2018)
MU_N = -1.91304273  # neutron magnetic moment in nuclear magnetons (CODATA 2018)
GALSTER_B = 5.6  # Galster et al. 1971


def _spherical_j1_over_x(x: np.ndarray) -> np.ndarray:
    """3 j1(x)/x, with its Taylor series below x = 1e-2 (value 1 at x = 0)."""
    x = np.asarray(x, float)
    small = np.abs(x) < 1e-2
    xs = np.where(small, 1.0, x)
    exact = 3.0 * (np.sin(xs) - xs * np.cos(xs)) / xs**3
    series = 1.0 - x * x / 10.0 + x**4 / 280.0
    return np.where(small, series, exact)


def helm(t: np.ndarray | float, target: Target) -> np.ndarray:
    """Helm nuclear form factor F(t) (Lewin & Smith 1996, Eq. 4.7), dimensionless, F(0) = 1.

    Args:
        t: momentum transfer squared q^2 <= 0, MeV^2 (|t| is used).
        target: a nucleus (``target.kind == "nucleus"``).
    """
    if not target.is_nucleus:
        raise InputError("target", target.name, "a nucleus (Helm form factor)")
    q = np.sqrt(np.abs(np.asarray(t, float))) / hu.hbarc  # 1/mm
    x = q * target.helm_rn
    return _spherical_j1_over_x(x) * np.exp(-0.5 * (q * target.helm_s) ** 2)


def dipole(t: np.ndarray | float) -> np.ndarray:
    """Dipole G_D = (1 - t/0.71 GeV^2)^-2 (seed 000 Eq. B13), dimensionless."""
    return 1.0 / (1.0 - np.asarray(t, float) / DIPOLE_LAMBDA2) ** 2


def sachs(t: np.ndarray | float, nucleon: str, neutron_ge: str = "galster") -> tuple[np.ndarray, np.ndarray]:
    """Electromagnetic Sachs form factors (G_E, G_M) of "proton" or "neutron" at t (MeV^2).

    G_E^p(0) = 1, G_M^p(0) = mu_p, G_E^n(0) = 0, G_M^n(0) = mu_n.
    """
    t = np.asarray(t, float)
    gd = dipole(t)
    if nucleon == "proton":
        return gd, MU_P * gd
    if nucleon == "neutron":
        if neutron_ge == "galster":
            tau = -t / (4.0 * M_N**2)
            ge = -MU_N * tau / (1.0 + GALSTER_B * tau) * gd
        elif neutron_ge == "zero":
            ge = np.zeros_like(gd)
        else:
            raise InputError("neutron_ge", neutron_ge, ("galster", "zero"))
        return ge, MU_N * gd
    raise InputError("nucleon", nucleon, ("proton", "neutron"))


def dirac_pauli(t: np.ndarray | float, nucleon: str, neutron_ge: str = "galster") -> tuple[np.ndarray, np.ndarray]:
    """EM Dirac and Pauli form factors (F1, F2) with F2(0) = kappa (seed 000 Eqs. B12, B14).

    F1 = (G_E + tau G_M)/(1 + tau), F2 = (G_M - G_E)/(1 + tau), tau = -t/(4 m^2).
    """
    t = np.asarray(t, float)
    m = M_P if nucleon == "proton" else M_N
    ge, gm = sachs(t, nucleon, neutron_ge)
    tau = -t / (4.0 * m * m)
    return (ge + tau * gm) / (1.0 + tau), (gm - ge) / (1.0 + tau)


@dataclass(frozen=True)
class Coupling:
    """How a vector mediator couples to a target: coherent charge and nucleon form factors.

    Attributes:
        name: registry key.
        coherent_charge: (Z, N) -> Q_coh, the charge that multiplies the nucleus amplitude.
        nucleon_ff: (t, nucleon) -> (F1, F2) of the current in a free nucleon (F2 incl. kappa).
        doc: description, printed in outputs.
    """

    name: str
    coherent_charge: Callable[[int, int], float]
    nucleon_ff: Callable[[np.ndarray, str], tuple[np.ndarray, np.ndarray]]
    doc: str


def _u_quark_ff(t: np.ndarray, nucleon: str) -> tuple[np.ndarray, np.ndarray]:
    # Isospin symmetry, no strange quarks: F^(u,p) = 2F^p + F^n, F^(u,n) = F^p + 2F^n.
    f1p, f2p = dirac_pauli(t, "proton")
    f1n, f2n = dirac_pauli(t, "neutron")
    if nucleon == "proton":
        return 2 * f1p + f1n, 2 * f2p + f2n
    if nucleon == "neutron":
        return f1p + 2 * f1n, f2p + 2 * f2n
    raise InputError("nucleon", nucleon, ("proton", "neutron"))


COUPLINGS: Registry[Coupling] = Registry("charge convention")
COUPLINGS.add(
    "em",
    Coupling("em", lambda Z, N: float(Z), lambda t, n: dirac_pauli(t, n),
             "electromagnetic current: Q_coh = Z, EM nucleon form factors"),
    "electromagnetic current (dark photon): Q_coh = Z",
)
COUPLINGS.add(
    "u-quark",
    Coupling("u-quark", lambda Z, N: float(2 * Z + N), _u_quark_ff,
             "u-quark vector current: Q_coh = 2Z + N, u-quark nucleon form factors"),
    "u-quark vector current (Z' of seed 000 Eq. 2): Q_coh = 2Z + N",
)


def hadronic_coefficients(f1: np.ndarray, f2: np.ndarray, t: np.ndarray, m: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (A, B) of the spin-averaged hadronic tensor of a conserved vector current,

        1/2 sum_spins J^mu J^nu* = A P^mu P^nu + B (t g^munu - q^mu q^nu),   P = p + p',
        A = F1^2 + tau F2^2 = (G_E^2 + tau G_M^2)/(1 + tau),  B = (F1 + F2)^2 = G_M^2,
    for the vertex F1 gamma^mu + F2 i sigma^munu q_nu/(2m) (seed 000 Eq. B9). Point Dirac
    particle: A = B = 1. Derived from the Dirac trace; checked numerically in the tests.
    """
    tau = -np.asarray(t, float) / (4.0 * m * m)
    return f1 * f1 + tau * f2 * f2, (f1 + f2) ** 2


def component_setup(target: Target, component: str, coupling: str, point_nucleon_pauli: bool = False):
    """(target mass, A-B function of t) of one scattering component; None if it does not exist.

    ``component`` is "coherent" (whole nucleus: coherent charge² × Helm²) or "proton"/"neutron"
    (incoherent sum over the nucleons of a nucleus, or a free nucleon). The returned function
    ``ab(t, form_factor=True)`` gives the coefficients (A, B) of the spin-averaged hadronic tensor
    (:func:`hadronic_coefficients`) times the number of scatterers. With ``form_factor=False`` the
    charges are point-like: nucleon F1, F2 at t = 0, and F2 dropped as well when
    ``point_nucleon_pauli`` is False (a structureless Dirac nucleon).
    """
    conv = COUPLINGS.get(coupling)
    if component == "coherent":
        if not target.is_nucleus:
            return None
        q2 = conv.coherent_charge(target.Z, target.N) ** 2

        def ab_coherent(t: np.ndarray, form_factor: bool = True):
            f2 = helm(t, target) ** 2 if form_factor else 1.0
            return q2 * f2, q2 * f2

        return target.mass, ab_coherent
    if component in ("proton", "neutron"):
        if target.is_nucleus:
            count = target.Z if component == "proton" else target.N
        else:
            count = int((target.Z == 1) == (component == "proton"))
        if count == 0:
            return None
        m = M_P if component == "proton" else M_N

        def ab_nucleon(t: np.ndarray, form_factor: bool = True):
            f1, f2 = conv.nucleon_ff(t if form_factor else np.zeros_like(t), component)
            if not form_factor and not point_nucleon_pauli:
                f2 = 0.0 * f2
            a, b = hadronic_coefficients(f1, f2, t, m)
            return count * a, count * b

        return m, ab_nucleon
    raise InputError("component", component, ("coherent", "proton", "neutron"))
