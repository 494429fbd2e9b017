"""|M|² of P → ℓ ν X checked against explicit Dirac spinors, the Ward identity and the classic
π/K → ℓνγ inner-bremsstrahlung formula (Bryman, Depommier, Leroy, Phys. Rept. 88 (1982) 151)."""

import math

import numpy as np
import pytest

from darkbeam import constants as c
from darkbeam.production import matrix_elements as me
from darkbeam.production import three_body as tb

# --- an independent Dirac algebra: explicit spinors in the Dirac representation -------------------
S = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]], complex), np.array([[1, 0], [0, -1]], complex)]
Z2, I2 = np.zeros((2, 2)), np.eye(2)
G = [np.block([[I2, Z2], [Z2, -I2]]).astype(complex)] + [np.block([[Z2, s], [-s, Z2]]) for s in S]
G5 = 1j * G[0] @ G[1] @ G[2] @ G[3]
I4 = np.eye(4)
ETA = np.diag([1.0, -1, -1, -1])


def sl(p):
    return G[0] * p[0] - G[1] * p[1] - G[2] * p[2] - G[3] * p[3]


def u_spinors(p, m):
    E = p[0]
    sp = sum(S[i] * p[i + 1] for i in range(3))
    out = []
    for chi in (np.array([1, 0], complex), np.array([0, 1], complex)):
        out.append(np.concatenate([math.sqrt(E + m) * chi, sp @ chi / math.sqrt(E + m)]))
    return out


def v_spinors(p, m):
    E = p[0]
    sp = sum(S[i] * p[i + 1] for i in range(3))
    return [np.concatenate([sp @ eta / math.sqrt(E + m), math.sqrt(E + m) * eta])
            for eta in (np.array([1, 0], complex), np.array([0, 1], complex))]


def polarisations(k, mx):
    """Three real polarisation vectors (upper index) of a massive vector of momentum k."""
    kv = k[1:]
    kh = kv / np.linalg.norm(kv)
    a = np.array([1.0, 0, 0]) if abs(kh[0]) < 0.9 else np.array([0, 1.0, 0])
    e1 = np.cross(kh, a)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(kh, e1)
    eL = np.concatenate([[np.linalg.norm(kv) / mx], k[0] * kh / mx])
    return [np.concatenate([[0.0], e1]), np.concatenate([[0.0], e2]), eL]


def spin_sum(pl, pn, k, m, mx, op_of_eps):
    """Σ_{spins, pols} |ū_ν O(ε*) v_ℓ|²; op_of_eps(eps) returns the 4×4 operator (None -> scalar)."""
    tot = 0.0
    pols = polarisations(k, mx) if op_of_eps.__code__.co_argcount == 1 else [None]
    for un in u_spinors(pn, 0.0):
        ubar = un.conj() @ G[0]
        for vl in v_spinors(pl, m):
            for eps in pols:
                O = op_of_eps(eps) if eps is not None else op_of_eps()
                tot += abs(ubar @ O @ vl) ** 2
    return tot


def points(meson, lepton, mx, n=4, seed=3):
    rng = np.random.default_rng(seed)
    pt = tb.dalitz_map(meson, lepton, mx, rng.uniform(0.05, 0.95, n), rng.uniform(0.05, 0.95, n))
    inv = me.Invariants(meson.mass, lepton.mass, mx, pt.q2, pt.s)
    return inv, me.momenta_from_invariants(inv)


CASES = [("pi", "mu", 10.0), ("pi", "e", 17.0), ("K", "mu", 17.0), ("K", "e", 100.0)]


@pytest.mark.parametrize("mname,lname,mx", CASES)
@pytest.mark.parametrize("kind", ["scalar", "pseudoscalar"])
def test_yukawa_me2_vs_explicit_spinors(mname, lname, mx, kind):
    mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
    m = lep.mass
    inv, (PL, PN, K) = points(mes, lep, mx)
    got = me.me2(mes, inv, kind)
    for i in range(len(PL)):
        pl, pn, k = PL[i], PN[i], K[i]
        p, q = pl + pn + k, pl + k
        D = q @ ETA @ q - m * m
        vertex = I4 if kind == "scalar" else G5  # g φ ℓ̄ℓ  /  i g a ℓ̄γ⁵ℓ (overall i dropped)
        ref = spin_sum(pl, pn, k, m, mx, lambda p=p, q=q, vertex=vertex, D=D:
                       sl(p) @ (I4 - G5) @ (-sl(q) + m * I4) @ vertex / D)
        assert got[i] == pytest.approx(mes.coupling**2 * ref, rel=1e-9)


def _vector_ops(pl, pn, k, m, M, fP, which):
    p, q = pl + pn + k, pl + k
    D = q @ ETA @ q - m * m
    N = (p - k) @ ETA @ (p - k) - M * M

    def op(eps):
        es = sl(eps.conj())  # ε̸*
        o = sl(p) @ (I4 - G5) @ (-sl(q) + m * I4) @ es / D  # emission from ℓ⁺
        if which != "lepton":
            o = o - ((2 * p - k) @ ETA @ eps) / N * sl(p - k) @ (I4 - G5)  # from the meson
            o = o + es @ (I4 - G5)  # contact term
        return o

    return op


@pytest.mark.parametrize("mname,lname,mx", CASES)
@pytest.mark.parametrize("amplitude", ["gauge-invariant", "lepton"])
def test_vector_me2_vs_explicit_spinors(mname, lname, mx, amplitude):
    mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
    inv, (PL, PN, K) = points(mes, lep, mx, n=3)
    got = me.me2(mes, inv, "vector", amplitude)
    for i in range(len(PL)):
        ref = spin_sum(PL[i], PN[i], K[i], lep.mass, mx, _vector_ops(PL[i], PN[i], K[i], lep.mass, mes.mass, mes.f, amplitude))
        assert got[i] == pytest.approx(mes.coupling**2 * ref, rel=1e-8)


def test_closed_form_ib_equals_trace_route():
    for mname, lname, mx in CASES:
        mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
        inv, _ = points(mes, lep, mx, n=50, seed=11)
        np.testing.assert_allclose(me.me2_vector_ib(mes, inv), me.me2_vector_traces(mes, inv, "gauge-invariant"), rtol=1e-8)


@pytest.mark.parametrize("amplitude,invariant", [("gauge-invariant", True), ("gauge-invariant+sd", True), ("lepton", False)])
def test_ward_identity(amplitude, invariant):
    """ū_ν k_μO^μ v_ℓ = 0 at random Dalitz points for the gauge-invariant options, ≠ 0 for `lepton`."""
    mes, lep = me.MESONS.get("K"), me.LEPTONS.get("mu")
    _inv, (PL, PN, K) = points(mes, lep, 17.0, n=6)
    ops = me.vector_operators(mes, lep.mass, PL, PN, K, **me.VECTOR_AMPLITUDES.get(amplitude))
    klow = K * np.diag(ETA)
    for i in range(len(PL)):
        kM = np.einsum("m,mij->ij", klow[i], ops[i])
        kms, scale = [], 0.0
        for un in u_spinors(PN[i], 0.0):
            ubar = un.conj() @ G[0]
            for v in v_spinors(PL[i], lep.mass):
                scale = max(scale, sum(abs(ubar @ ops[i][mu] @ v) * abs(K[i][mu]) for mu in range(4)))
                kms.append(abs(ubar @ kM @ v))
        if invariant:
            assert max(kms) < 1e-12 * scale
        else:
            assert max(kms) > 1e-2 * scale


def _xy_points(M, m, mx):
    r = m * m / M**2
    x = np.array([0.15, 0.4, 0.6, 0.8, 0.95])
    ymin, ymax = 1 - x + r / (1 - x), 1 + r
    y = ymin + np.array([0.2, 0.5, 0.8, 0.4, 0.6]) * (ymax - ymin)
    Ex, El = x * M / 2, y * M / 2
    En = M - El - Ex
    return x, y, r, M * M - 2 * M * En, M * M + mx * mx - 2 * M * Ex


@pytest.mark.parametrize("mname,lname", [("pi", "e"), ("pi", "mu"), ("K", "e"), ("K", "mu")])
def test_massless_limit_matches_classic_ib(mname, lname):
    """m_V → 0: d²Γ/dxdy = (α/2π) Γ(P→ℓν) IB(x,y)/(1−r)² (Bryman et al. 1982, Eq. 2.15; PDG review)."""
    mes, lep = me.MESONS.get(mname), me.LEPTONS.get(lname)
    mx = 1e-5
    x, y, r, q2, s = _xy_points(mes.mass, lep.mass, mx)
    inv = me.Invariants(mes.mass, lep.mass, mx, q2, s)
    d2 = me.me2(mes, inv, "vector") * c.E_CHARGE**2 * mes.mass / (256 * math.pi**3)
    z = x + y - 1 - r
    ib = (1 - y + r) / (x * x * z) * (x * x + 2 * (1 - x) * (1 - r) - 2 * x * r * (1 - r) / z)
    ref = c.ALPHA_EM / (2 * math.pi) * tb.two_body_width(mname, lname) * ib / (1 - r) ** 2
    np.testing.assert_allclose(d2, ref, rtol=1e-5)


def test_structure_dependent_terms_follow_sd_plus_minus():
    """Pure SD (massless limit): (F_V+F_A)² SD⁺ and (F_V−F_A)² SD⁻ with
    SD⁺ = z[(x+y−1)(1−x) − r], SD⁻ = (1−y+r)[(1−x)(1−y) + r] (Bryman et al. 1982), normalised by
    (α/2π) Γ_ℓ2 (M/f)² / (r (1−r)²)."""
    mes, lep = me.MESONS.get("pi"), me.LEPTONS.get("e")
    mx = 1e-3  # (the kk/m² term of the polarisation sum amplifies round-off for smaller m)
    x, y, r, q2, s = _xy_points(mes.mass, lep.mass, mx)
    inv = me.Invariants(mes.mass, lep.mass, mx, q2, s)
    pl, pn, k = me.momenta_from_invariants(inv)
    z = x + y - 1 - r
    pref = c.ALPHA_EM / (2 * math.pi) * tb.two_body_width("pi", "e") / (1 - r) ** 2 * (mes.mass / mes.f) ** 2 / r
    shapes = {(1.0, 1.0): 4 * z * ((x + y - 1) * (1 - x) - r), (1.0, -1.0): 4 * (1 - y + r) * ((1 - x) * (1 - y) + r)}
    for (fv, fa), shape in shapes.items():
        ops = me.vector_operators(mes, lep.mass, pl, pn, k, lepton=False, meson_and_contact=False, sd=True, f_v=fv, f_a=fa)
        d2 = mes.coupling**2 * me.trace_sum(pl, pn, k, lep.mass, ops, mx) * c.E_CHARGE**2 * mes.mass / (256 * math.pi**3)
        np.testing.assert_allclose(d2, pref * shape / 4, rtol=1e-3)
