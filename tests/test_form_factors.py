"""Targets, Helm and nucleon form factors, hadronic tensor coefficients."""

from __future__ import annotations

import hepunits as hu
import numpy as np
import pytest
from scipy.optimize import brentq

from darkbeam.errors import InputError
from darkbeam.interactions import dirac_numeric as dn
from darkbeam.interactions.form_factors import (
    COUPLINGS,
    MU_N,
    MU_P,
    dipole,
    dirac_pauli,
    hadronic_coefficients,
    helm,
    sachs,
)
from darkbeam.interactions.targets import TARGETS, Target, get_target


def test_target_registry_and_errors():
    c12 = get_target("C12")
    assert (c12.Z, c12.A, c12.N) == (6, 12, 6)
    # 12 u minus 6 electrons (independent numbers: 1 u = 931.494 MeV, m_e = 0.511 MeV)
    assert c12.mass == pytest.approx(12 * 931.494 - 6 * 0.511, rel=1e-5)
    assert get_target("H1").mass == get_target("proton").mass
    assert get_target("neutron").Z == 0
    for name in ("O16", "Ar40", "Fe56", "Pb208"):
        t = TARGETS.get(name)
        assert t.is_nucleus and abs(t.mass / (t.A * 931.494) - 1) < 0.01
    with pytest.raises(InputError) as e:
        get_target("C13")
    assert "C12" in str(e.value) and "C13" in str(e.value)
    with pytest.raises(InputError):
        get_target(12)


def test_helm_normalisation_and_small_q():
    c12 = get_target("C12")
    assert helm(0.0, c12) == pytest.approx(1.0, abs=1e-15)
    # low-q expansion F ~ 1 - q^2 <r^2>/6 with <r^2> = 3/5 r_n^2 + 3 s^2 (Lewin & Smith 1996)
    r2 = 0.6 * c12.helm_rn**2 + 3 * c12.helm_s**2
    q = 0.02 / hu.fermi  # 1/mm
    t = -(q * hu.hbarc) ** 2
    assert helm(t, c12) == pytest.approx(1 - q * q * r2 / 6, rel=1e-6)
    # continuity across the switch to the Taylor series (x = 1e-2)
    x = np.array([0.99e-2, 1.01e-2])
    tt = -((x / c12.helm_rn) * hu.hbarc) ** 2
    f = helm(tt, c12)
    assert abs(f[0] - f[1]) < 1e-5
    assert np.all(np.isfinite(helm(-np.logspace(-10, 7, 50), c12)))


@pytest.mark.parametrize("name", ["C12", "Ar40", "Pb208"])
def test_helm_first_zero(name):
    tgt = get_target(name)
    x0 = brentq(lambda x: np.tan(x) - x, 4.0, 4.6)  # first zero of j1: tan x = x (4.4934)
    q0 = x0 / tgt.helm_rn
    f = lambda q: float(helm(-(q * hu.hbarc) ** 2, tgt))
    q_zero = brentq(f, 0.8 * q0, 1.2 * q0)
    assert q_zero == pytest.approx(q0, rel=1e-8)


def test_helm_rejects_nucleons():
    with pytest.raises(InputError):
        helm(-100.0, get_target("proton"))


def test_nucleon_normalisations():
    ge, gm = sachs(0.0, "proton")
    assert (ge, gm) == (pytest.approx(1.0), pytest.approx(MU_P))
    ge, gm = sachs(0.0, "neutron")
    assert (ge, gm) == (pytest.approx(0.0), pytest.approx(MU_N))
    assert MU_P == pytest.approx(2.79, abs=0.01) and MU_N == pytest.approx(-1.91, abs=0.01)
    f1, f2 = dirac_pauli(0.0, "proton")
    assert (f1, f2) == (pytest.approx(1.0), pytest.approx(MU_P - 1))
    f1, f2 = dirac_pauli(0.0, "neutron")
    assert (f1, f2) == (pytest.approx(0.0), pytest.approx(MU_N))
    assert dipole(-0.71 * hu.GeV**2) == pytest.approx(0.25)
    with pytest.raises(InputError):
        sachs(0.0, "electron")
    with pytest.raises(InputError):
        sachs(0.0, "neutron", neutron_ge="bogus")


@pytest.mark.parametrize("nucleon", ["proton", "neutron"])
def test_sachs_relations_b14(nucleon):
    from darkbeam.constants import M_N, M_P

    m = M_P if nucleon == "proton" else M_N
    t = -np.logspace(2, 6.5, 20)
    f1, f2 = dirac_pauli(t, nucleon)
    ge, gm = sachs(t, nucleon)
    tau = -t / (4 * m * m)
    np.testing.assert_allclose(f1 + f2, gm, rtol=1e-12)  # G_M = F1 + kappa F2 (B14)
    np.testing.assert_allclose(f1 - tau * f2, ge, rtol=1e-10, atol=1e-14)  # G_E = F1 + t/4m^2 kappa F2
    # seed 000 (B12) for kappa F2
    np.testing.assert_allclose(f2, (gm - ge) / (1 - t / (4 * m * m)), rtol=1e-12)


def test_u_quark_charges():
    u = COUPLINGS.get("u-quark")
    em = COUPLINGS.get("em")
    assert u.coherent_charge(6, 6) == 18 and em.coherent_charge(6, 6) == 6
    f1p, _ = u.nucleon_ff(np.array([0.0]), "proton")
    f1n, _ = u.nucleon_ff(np.array([0.0]), "neutron")
    assert f1p[0] == pytest.approx(2.0) and f1n[0] == pytest.approx(1.0)  # u-quark counting
    with pytest.raises(InputError):
        COUPLINGS.get("b-l-typo")


def test_hadronic_coefficients_against_trace():
    rng = np.random.default_rng(11)
    m = 938.0
    for _ in range(4):
        p = np.array([m, 0, 0, 0.0])
        v = rng.normal(size=3) * 400
        pp = np.concatenate([[np.sqrt(m * m + v @ v)], v])
        q = pp - p
        t = q @ dn.G @ q
        f1, f2 = rng.normal(size=2)
        V = dn.nucleon_vertex(f1, f2, q, m)
        so, si = dn.slash(pp) + m * dn.ID4, dn.slash(p) + m * dn.ID4
        H = np.array([[0.5 * np.real(np.trace(so @ V[a] @ si @ dn.bar(V[b]))) for b in range(4)] for a in range(4)])
        A, B = hadronic_coefficients(f1, f2, t, m)
        P = p + pp
        H_an = A * np.outer(P, P) + B * (t * np.linalg.inv(dn.G) - np.outer(q, q))
        np.testing.assert_allclose(H, H_an, atol=1e-9 * np.abs(H).max())


def test_custom_target_dataclass():
    t = Target("X", 10, 20, 20 * 931.0, "nucleus", 3e-12, 0.5e-12, 0.9e-12)
    assert t.N == 10 and t.helm_rn > 0 and get_target(t) is t
