"""fit_coupling: the global minimum of χ²(g) for any dependence on the coupling (issue "One flow")."""

from __future__ import annotations

import math

import pytest

from darkbeam.inference.fit import fit_coupling


def test_parabola_in_log_g_gives_the_delta_chi2_interval():
    # χ²(t) = 10 + ((t − t0)/σ)², t = log10 g: minimum at g0, Δχ² = 1 at t0 ± σ
    t0, s = -4.3, 0.2
    r = fit_coupling(lambda t: 10 + ((t - t0) / s) ** 2, 1e-8, 1.0)
    assert math.log10(r.value) == pytest.approx(t0, abs=1e-3) and r.chi2 == pytest.approx(10.0, abs=1e-6)
    lo, hi = r.interval
    assert math.log10(lo) == pytest.approx(t0 - s, abs=1e-3) and math.log10(hi) == pytest.approx(t0 + s, abs=1e-3)
    assert r.at_edge is None


def test_rise_and_fall_signal_finds_the_interior_minimum():
    """A long-lived particle: signal ∝ g⁴ exp(−g²/g_c²) peaks at g = √2 g_c; a fit that follows the local
    slope from a start on the falling side (large g) would run to the upper bound."""
    g_c, data = 1e-4, 50.0

    def chi2(t):
        g = 10.0**t
        sig = 1e18 * g**4 * math.exp(-(g / g_c) ** 2)
        return (sig - data) ** 2 / data

    r = fit_coupling(chi2, 1e-7, 1e-2, extra_starts=(5e-3,))
    g = r.value
    assert 1e18 * g**4 * math.exp(-(g / g_c) ** 2) == pytest.approx(data, rel=1e-3)
    assert r.value < math.sqrt(2) * g_c * 1.0001 or r.chi2 < 1e-6  # one of the two roots, χ² ≈ 0


def test_edges_are_reported():
    r = fit_coupling(lambda t: (t + 9.0) ** 2, 1e-6, 1e-2)  # minimum below the range
    assert r.at_edge == "lower" and r.value == pytest.approx(1e-6, rel=1e-6)
    r = fit_coupling(lambda t: -t, 1e-6, 1e-2)  # decreasing: best at the upper end
    assert r.at_edge == "upper"
    r = fit_coupling(lambda t: 5.0 + 0.01 * t**2, 1e-6, 1e-2)  # flat: Δχ² < 1 everywhere
    assert r.interval == (None, None)
