"""The forced-direction (point-flux) estimator against plain hit counting, an independent route."""

from __future__ import annotations

import dataclasses

import hepunits as hu
import numpy as np
import pytest

from darkbeam.detectors.catalog import get_experiment
from darkbeam.kinematics.fourvec import boost, isotropic_directions, two_body_momentum
from darkbeam.pipeline.estimators import forced_flux, hit_flux

# a big, close detector so that hit counting has statistics
EXP = dataclasses.replace(get_experiment("miniboone"), distance=60 * hu.m, radius=6 * hu.m)


def _parents(rng, n, p_mean=2000.0, mass=139.57):
    p = rng.normal(p_mean, 300.0, n).clip(300)
    theta = rng.uniform(0, 0.02, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    p4 = np.stack([np.sqrt(p * p + mass**2), p * np.sin(theta) * np.cos(phi), p * np.sin(theta) * np.sin(phi),
                   p * np.cos(theta)], axis=1)
    x = np.zeros((n, 3))
    x[:, 2] = rng.uniform(0, 20 * hu.m, n)
    return p4, x


@pytest.mark.parametrize("m_daughter,m_other", [(0.0, 105.66), (17.0, 105.66), (60.0, 20.0)])
def test_forced_equals_hit_counting(m_daughter, m_other):
    """Integrated flux and mean energy agree within combined MC errors, massless and massive."""
    rng = np.random.default_rng(1)
    n = 400_000
    M = 139.57 if m_daughter + m_other < 139.57 else 493.7
    p4, x = _parents(rng, n, mass=M)
    w = np.full(n, 1.0 / n)
    q = two_body_momentum(M, m_daughter, m_other)
    e_star = np.full(n, np.sqrt(q * q + m_daughter**2))
    e_f, w_f, _ = forced_flux(p4, x, w, e_star, m_daughter, EXP, rng)
    # hit counting: explicit isotropic decays, boosted
    d = isotropic_directions(rng, n) * q
    k = boost(np.concatenate([e_star[:, None], d], axis=1), p4[:, 1:] / p4[:, :1])
    e_h, w_h = hit_flux(k, x, w, EXP)
    assert len(e_h) > 2000
    tot_f, tot_h = w_f.sum(), w_h.sum()
    err_f = np.sqrt((w_f**2).sum())
    err_h = np.sqrt((w_h**2).sum())
    assert abs(tot_f - tot_h) < 4 * np.hypot(err_f, err_h)
    mean_f = np.sum(w_f * e_f) / tot_f
    mean_h = np.sum(w_h * e_h) / tot_h
    sd = np.sqrt(np.sum(w_h * (e_h - mean_h) ** 2) / tot_h)
    assert abs(mean_f - mean_h) < 4 * sd / np.sqrt(len(e_h)) + 1e-3 * mean_h


def test_forced_flux_polarised_source_integrates_like_unpolarised():
    """An asymmetry term (1 + α ŝ·n̂*) averages to zero over spins pointing both ways."""
    rng = np.random.default_rng(2)
    n = 200_000
    p4, x = _parents(rng, n)
    w = np.full(n, 1.0 / n)
    e_star = np.full(n, 29.8)
    spin = np.zeros((n, 3))
    spin[:, 2] = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    alpha = np.full(n, 1.0)
    _, w0, _ = forced_flux(p4, x, w, e_star, 0.0, EXP, np.random.default_rng(3))
    _, w1, _ = forced_flux(p4, x, w, e_star, 0.0, EXP, np.random.default_rng(3), spin, alpha)
    assert w1.sum() == pytest.approx(w0.sum(), rel=5 * np.sqrt((w1**2).sum()) / w1.sum())
    # forward-pointing spin with α = +1 beams neutrinos forward: more flux on axis
    spin[:, 2] = 1.0
    _, w2, _ = forced_flux(p4, x, w, e_star, 0.0, EXP, np.random.default_rng(3), spin, alpha)
    assert w2.sum() > 1.2 * w0.sum()


def test_no_nan_weights_for_slow_parents():
    rng = np.random.default_rng(4)
    n = 10_000
    p4, x = _parents(rng, n, p_mean=10.0)
    e_f, w_f, _ = forced_flux(p4, x, np.ones(n), np.full(n, 20.0), 15.0, EXP, rng)
    assert np.all(np.isfinite(w_f)) and np.all(np.isfinite(e_f))
