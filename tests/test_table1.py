"""Reduced checks of the seed 000 Table I comparison (docs/validation.md, docs/make_table1.py).

Small samples (fixed seeds); tolerances are either analytic brackets or several MC standard errors
(relative error sqrt(Σw²)/Σw of the weighted sums), so that each test can fail.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal

_PATH = Path(__file__).resolve().parents[1] / "docs" / "make_table1.py"
_spec = importlib.util.spec_from_file_location("make_table1", _PATH)
T1 = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_table1", T1)  # dataclasses look their module up
_spec.loader.exec_module(T1)

N_MES, N_EV, SEED = 20_000, 2_000, 7
CHARGED = ("pi+", "pi-", "K+", "K-")


@pytest.fixture(scope="module")
def scalar():
    return T1.analyse(T1.BENCHMARKS["scalar"], N_MES, N_EV, SEED)


@pytest.fixture(scope="module")
def single():
    bm = T1.BENCHMARKS["single"]
    model = get_model(bm.model, bm.params)
    out = {}
    for mode in ("neutrino", "off-target"):
        out[mode] = T1.Binned(build_signal(model, "miniboone", mode, n_mesons=N_MES, n_events=N_EV, seed=SEED), mode)
    gi = model.replace(amplitude="gauge-invariant")
    out["gi"] = T1.Binned(build_signal(gi, "miniboone", "neutrino", n_mesons=N_MES, n_events=N_EV, seed=SEED),
                          "neutrino")
    return out


def _split(b):
    """(charged-meson events, π0/η events, their MC variances) of a binned sample."""
    w = b.weights()
    ch = np.isin(np.char.partition(b.sample.source.astype(str), " ")[:, 0], CHARGED)
    return w[ch].sum(), w[~ch].sum(), np.sum(w[ch] ** 2), np.sum(w[~ch] ** 2)


def test_scalar_seed_coupling_overshoots_the_excess_by_orders_of_magnitude(scalar):
    """Claim: at g_μ g_n λ = 2.2e-8/MeV darkbeam predicts > 30× the 560.6-event excess (docs: ~160×),
    so the fitted product is < 0.2× the seed's (rate ∝ product²)."""
    n = scalar["N_nu_window"]
    assert n > 30 * T1.EXCESS_NU + 4 * n * scalar["err_nu_window"]
    assert scalar["c_fit"] < 0.2 * T1.BENCHMARKS["scalar"].seed_product
    # the fitted signal is exactly the template scaled by (c/c0)²
    x2 = (scalar["c_fit"] / scalar["c0"]) ** 2
    key = ("neutrino", "E_vis")
    np.testing.assert_allclose(scalar["best_signals"][key], x2 * scalar["template"][key], rtol=1e-12)


def test_scalar_fit_quality_matches_the_seed(scalar):
    """χ²/dof at the best fit within 1.0 of the seed's 2.0, better than background only by > 25 units,
    and no worse than at the seed's coupling."""
    f = scalar["fit"]
    assert abs(f.chi2 / f.ndof - 2.0) < 1.0
    assert f.chi2_null - f.chi2 > 25.0
    assert f.chi2 <= scalar["chi2_seed"].chi2 + 1e-9
    # stat-only χ² at the same signal is larger (systematics only add variance)
    assert scalar["chi2_fit_stat"].chi2 > f.chi2


def test_coherent_charge_convention_factor(scalar):
    """u-quark Z' (coherent 2Z+N = 18, nucleons 2 and 1) vs the seed's Z (C3): every component scales by
    a constant at small |t| — coherent (18/6)² = 9, incoherent (4Z+N)/Z = 5 — so the event ratio lies
    in [5, 9] (darkbeam measures ~7.3)."""
    bm = T1.BENCHMARKS["scalar"]
    em = build_signal(get_model(bm.model, {**bm.params, "zprime_current": "em"}), "miniboone", "neutrino",
                      n_mesons=N_MES, n_events=N_EV, seed=SEED)
    w_em = em.weights(pot=T1.get_experiment("miniboone").pot_for("neutrino"))
    ratio = scalar["N_neutrino"] / w_em.sum()
    err = math.hypot(scalar["err_neutrino"], T1.mc_rel_error(w_em))
    assert 5.0 * (1 - 4 * err) < ratio < 9.0 * (1 + 4 * err)


def test_focused_charged_sources_are_suppressed_off_target(scalar, single):
    """Per POT, the charged-meson (focused) scalar signal is > 50× weaker off-target than in ν mode,
    whereas the π0-dominated vector signal is not focused: off-target/ν per POT within a factor 2 of 1."""
    pot = T1.get_experiment("miniboone").pot_for
    s_ratio = (scalar["N_off-target"] / pot("off-target")) / (scalar["N_neutrino"] / pot("neutrino"))
    assert s_ratio < 1 / 50
    v_nu, v_off = single["neutrino"].weights().sum(), single["off-target"].weights().sum()
    v_ratio = (v_off / pot("off-target")) / (v_nu / pot("neutrino"))
    assert 0.5 < v_ratio < 2.0


def test_pi0_dominates_the_vector_signal(single):
    """BR(π0→γV) = 2ε²(1−m²/M²)³BR(γγ) ≈ 7e-9 ≫ BR(π/K→ℓνV) × (focused π/K per POT): π0 gives > 90 % of
    the single-mediator signal with the seed's (lepton) amplitude, not the seed's ~4 %."""
    ch, neu, _vch, _vneu = _split(single["neutrino"])
    assert neu / (ch + neu) > 0.9


def test_gauge_invariant_amplitude_removes_the_charged_meson_signal(single):
    """Gauge-invariant production cuts every charged-meson BR by 10²-10⁶ (docs/three_body.md) and leaves
    π0/η → γV alone: charged events drop by > 20×, neutral ones agree within 4σ (MC)."""
    ch_l, neu_l, _vch_l, vneu_l = _split(single["neutrino"])
    ch_g, neu_g, _vch_g, vneu_g = _split(single["gi"])
    assert ch_g < ch_l / 20
    assert abs(neu_g - neu_l) < 4 * math.sqrt(vneu_l + vneu_g)


def test_exotic_decays_match_table2_and_pass_limits():
    """Seed Table II (single mediator, ε1 = 6e-5): K→μνV with V invisible = 500e-12, π→eνX = 25e-12
    (darkbeam's lepton amplitude × BR(V→χχ) = ½; published numbers, 5 % / 15 %); every channel is
    below its limit at the seed point and with the gauge-invariant amplitude."""
    bm = T1.BENCHMARKS["single"]
    model = get_model(bm.model, bm.params)
    d = T1.exotic_decays(model)
    assert d["K→μνV (V→inv)"][0] == pytest.approx(500e-12, rel=0.05)
    assert d["π→eνX"][0] == pytest.approx(25e-12, rel=0.15)
    for m in (model, model.replace(amplitude="gauge-invariant")):
        for ch, (pred, lim) in T1.exotic_decays(m).items():
            assert pred < lim, ch
    gi = T1.exotic_decays(model.replace(amplitude="gauge-invariant"))
    assert gi["K→μνV (V→inv)"][0] < d["K→μνV (V→inv)"][0] / 50
