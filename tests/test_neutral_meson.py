"""π⁰/η → γ V: BR formula vs an explicit anomaly-vertex polarisation sum, and the sampler."""

import math

import numpy as np
import pytest

from darkbeam import constants as c
from darkbeam.errors import InputError
from darkbeam.models import MODELS, get_model
from darkbeam.production import neutral_meson as nm
from darkbeam.sample import ParticleSample

ETA = np.diag([1.0, -1, -1, -1])


def _eps4():
    import itertools

    e = np.zeros((4, 4, 4, 4))
    for p in itertools.permutations(range(4)):
        inv = sum(1 for i in range(4) for j in range(i + 1, 4) if p[i] > p[j])
        e[p] = (-1) ** inv
    return e


def _pol_sum_rate(M, m1, m2, rng):
    """Σ_pol |ε_{μνρσ} e1^μ e2^ν k1^ρ k2^σ|² × |p|/M² with explicit polarisation vectors (m=0: two
    transverse; massive: three)."""
    q = math.sqrt(max((M * M - (m1 + m2) ** 2) * (M * M - (m1 - m2) ** 2), 0)) / (2 * M)
    n = rng.normal(size=3)
    n /= np.linalg.norm(n)
    k1 = np.concatenate([[math.hypot(q, m1)], q * n])
    k2 = np.concatenate([[math.hypot(q, m2)], -q * n])

    def pols(k, m):
        kh = k[1:] / np.linalg.norm(k[1:])
        a = np.cross(kh, [1.0, 0, 0] if abs(kh[0]) < 0.9 else [0, 1.0, 0])
        a /= np.linalg.norm(a)
        b = np.cross(kh, a)
        out = [np.concatenate([[0], a]), np.concatenate([[0], b])]
        if m > 0:
            out.append(np.concatenate([[np.linalg.norm(k[1:]) / m], k[0] * kh / m]))
        return out

    E = _eps4()
    lo = lambda v: ETA @ v
    tot = 0.0
    for e1 in pols(k1, m1):
        for e2 in pols(k2, m2):
            tot += np.einsum("abcd,a,b,c,d->", E, lo(e1), lo(e2), lo(k1), lo(k2)) ** 2
    return tot * q / (M * M)


@pytest.mark.parametrize("parent,mv", [("pi0", 17.0), ("pi0", 100.0), ("eta", 17.0), ("eta", 300.0)])
def test_br_formula_vs_explicit_amplitude(parent, mv):
    rng = np.random.default_rng(3)
    mes = nm.NEUTRAL_MESONS.get(parent)
    eps = 1e-3
    model = get_model("dark-photon", {"m_v": f"{mv} MeV", "epsilon": str(eps)})
    # Γ(γV)/Γ(γγ) = ε² × rate(0, m_V) / (½ rate(0, 0))   (½: identical photons)
    ratio = eps**2 * _pol_sum_rate(mes.mass, 0.0, mv, rng) / (0.5 * _pol_sum_rate(mes.mass, 0.0, 0.0, rng))
    assert nm.neutral_meson_br(parent, model) == pytest.approx(ratio * mes.br_gg, rel=1e-10)


def test_closed_and_bad_model():
    assert nm.neutral_meson_br("pi0", get_model("dark-photon", {"m_v": "200 MeV"})) == 0.0
    with pytest.raises(InputError):
        nm.neutral_meson_br("pi0", get_model("muphilic-scalar", {}))
    with pytest.raises(InputError):
        nm.neutral_meson_br("rho0", get_model("dark-photon", {}))


def test_sampler():
    rng = np.random.default_rng(4)
    n = 5000
    p = np.zeros((2 * n + 10, 4))
    p[:, 3] = rng.uniform(100, 2000, len(p))
    pdg = np.array([111] * n + [221] * n + [211] * 10)
    mass = np.where(pdg == 111, c.M_PI0, np.where(pdg == 221, c.M_ETA, c.M_PI))
    p[:, 0] = np.sqrt(p[:, 3] ** 2 + mass**2)
    parents = ParticleSample(pdg, p, np.zeros((len(p), 3)), np.ones(len(p)))
    model = MODELS.get("vector-idm")(eps1=1e-4, m_v1=17.0)
    out = nm.sample_neutral_meson(rng, parents, model, n_per_parent=2)
    assert len(out) == 4 * n
    expect = n * (nm.neutral_meson_br("pi0", model) + nm.neutral_meson_br("eta", model))
    assert out.total() == pytest.approx(expect, rel=1e-12)
    m2 = out.p4[:, 0] ** 2 - np.sum(out.p4[:, 1:] ** 2, axis=1)
    np.testing.assert_allclose(np.sqrt(m2), 17.0, rtol=1e-6)
    tot = out.p4 + out.extra["p4_gamma"]
    np.testing.assert_allclose(tot, parents.p4[out.extra["parent_index"]], atol=1e-6)
