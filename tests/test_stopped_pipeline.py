"""Stopped-pion experiments (CCM, COHERENT, JSNS²) through the one flow: the beam's ``source = "stopped"``
declaration, dark-boson production from the declared channels (π⁺/K⁺ at rest, π⁰/η in flight), the detector
responses, and predictions with a reason for every zero.

Independent routes: the X energy endpoint and upper tail of π⁺ → μ⁺νφ at rest against a direct quadrature of
|M|² over the Dalitz plot; the flux of an isotropic source against yield × BR / (4π L²) from the source's yields and
the width module's branching ratios; π⁰ → γV against 2ε²(1 − m²/M²)³ BR(γγ) (Batell, Pospelov, Ritz).
Fixed seeds; statistical tolerances are 5 standard deviations.
"""

from __future__ import annotations

import dataclasses
import math

import hepunits as hu
import numpy as np
import pytest

from darkbeam import constants as c
from darkbeam.beams.stopped_yields import yields_per_pot
from darkbeam.detectors.catalog import BEAMS, get_experiment
from darkbeam.detectors.response import RESPONSES, ResponseResult, get_response
from darkbeam.detectors.response_stopped import (
    CCM_WINDOW,
    JSNS2_RESOLUTION_POINTS,
    JSNS2_THRESHOLD,
    max_cevns_recoil,
)
from darkbeam.errors import InputError
from darkbeam.inference.multi_experiment import default_modes, experiment_status, predict_experiments
from darkbeam.io.config import parse_config
from darkbeam.models import get_model
from darkbeam.pipeline.boson_flux import arrivals_from_sources, boson_flux, iter_boson_sources
from darkbeam.pipeline.stopped_sources import beam_source, experiment_source, stopped_parent_plan
from darkbeam.production import neutral_meson as nm
from darkbeam.production.matrix_elements import MESONS, Invariants, me2
from darkbeam.production.three_body import branching_ratio

STOPPED = ("ccm", "coherent-csi", "coherent-lar", "jsns2")
Z5 = 5.0


def _scalar(m="10 MeV", g="1e-3"):
    return get_model("muphilic-scalar", {"m_phi": m, "g_mu": g})


def _inv_area_cm2(distance_mm: float) -> float:
    return 1.0 / (4.0 * math.pi * (distance_mm / hu.cm) ** 2)


# ------------------------------------------------------------------------------------------------
# the declaration
# ------------------------------------------------------------------------------------------------


def test_beams_declare_their_source():
    assert beam_source(BEAMS.get("bnb")) == "decay-in-flight"  # the default: today's code path
    for name in STOPPED:
        exp = get_experiment(name)
        assert beam_source(BEAMS.get(exp.beam)) == "stopped"
        assert default_modes(name) == ["stopped"]
        assert experiment_status(name) == (True, "")
    with pytest.raises(InputError, match="source of beam"):
        beam_source(dataclasses.replace(BEAMS.get("sns"), source="nosuch"))
    with pytest.raises(InputError, match="mode"):  # a stopped source has no horn modes
        next(iter_boson_sources(_scalar(), "ccm", "neutrino"))


def test_parent_plan_says_what_each_declared_parent_does():
    plan = {p["parent"]: p for p in stopped_parent_plan(get_model("dark-photon", {}), BEAMS.get("lanl-lujan"))}
    assert plan["pi+"]["used"] and plan["pi+"]["how"] == "decay at rest"
    assert plan["pi0"]["used"] and plan["pi0"]["how"] == "prompt decay in flight"
    assert not plan["pi-"]["used"] and "captured" in plan["pi-"]["reason"]
    assert not plan["K+"]["used"] and not plan["eta"]["used"]  # below threshold at 800 MeV
    jp = {p["parent"]: p for p in stopped_parent_plan(get_model("dark-photon", {}), BEAMS.get("jparc-mlf"))}
    assert jp["K+"]["used"] and jp["eta"]["used"]


# ------------------------------------------------------------------------------------------------
# π⁺ → μ⁺ ν φ at rest: endpoint, tail, vertices, times
# ------------------------------------------------------------------------------------------------


def _tail_quadrature(mx: float, e_cut: float) -> float:
    """P(E_φ > e_cut) for π⁺ → μ⁺ ν φ at rest, by Gauss–Legendre quadrature of |M|² over (s = m²_μν, q² = m²_μφ)
    (PDG 2022 Eq. 49.22; E_φ = (M² + m_φ² − s)/(2M))."""
    mes, M, m = MESONS.get("pi"), c.M_PI, c.M_MU
    xs, ws = np.polynomial.legendre.leggauss(160)

    def dgamma_ds(s):
        rs = np.sqrt(s)
        el, ex = (s + m * m) / (2 * rs), (M * M - s - mx * mx) / (2 * rs)
        pl, px = np.sqrt(np.clip(el**2 - m * m, 0, None)), np.sqrt(np.clip(ex**2 - mx * mx, 0, None))
        lo, hi = (el + ex) ** 2 - (pl + px) ** 2, (el + ex) ** 2 - (pl - px) ** 2
        q2 = 0.5 * (hi - lo)[:, None] * xs[None, :] + 0.5 * (hi + lo)[:, None]
        f = me2(mes, Invariants(M, m, mx, q2, np.broadcast_to(s[:, None], q2.shape)), "scalar")
        return 0.5 * (hi - lo) * (f @ ws)

    def gamma(s_lo, s_hi):
        s = 0.5 * (s_hi - s_lo) * xs + 0.5 * (s_hi + s_lo)
        return 0.5 * (s_hi - s_lo) * float(dgamma_ds(s) @ ws)

    s_min, s_max = m * m, (M - mx) ** 2
    s_cut = M * M + mx * mx - 2 * M * e_cut
    return gamma(s_min, min(max(s_cut, s_min), s_max)) / gamma(s_min, s_max)


def test_pi_dar_scalar_spectrum_at_ccm_has_the_endpoint():
    mx, n = 10.0, 100_000
    res = boson_flux(_scalar(f"{mx} MeV"), "ccm", "stopped", n_mesons=n, seed=21)
    arr = res.arrivals
    assert set(arr.parent) == {"pi+ mu"}  # Lujan makes no K⁺; the model couples to muons only
    e_max = (c.M_PI**2 + mx**2 - c.M_MU**2) / (2 * c.M_PI)  # 30.15 MeV
    assert arr.energy.min() >= mx - 1e-9 and arr.energy.max() <= e_max + 1e-9
    np.testing.assert_allclose(arr.origin, 0.0, atol=1e-12)  # decays at rest at the target centre
    w = arr.weight / arr.weight.sum()
    for frac in (0.5, 0.2, 0.1):
        cut = e_max - frac * (e_max - mx)
        p = _tail_quadrature(mx, cut)
        # 5σ of the (equal-weight up to ~0.1 % face averaging) fraction + 0.3 % for the sampler's grid
        assert abs(w[arr.energy > cut].sum() - p) <= Z5 * math.sqrt(p * (1 - p) / len(w)) + 3e-3 * p
    # the largest energy reaches the endpoint region as far as the statistics allow (P(miss) ≤ e⁻¹⁴)
    delta = next(d for d in np.linspace(0.005, 0.5, 100) * (e_max - mx)
                 if len(w) * _tail_quadrature(mx, e_max - d) >= 14.0)
    assert arr.energy.max() >= e_max - delta


def test_stopped_sources_carry_times_and_vertices():
    rng = np.random.default_rng(5)
    got = list(iter_boson_sources(get_model("dark-photon", {"m_v": "20 MeV", "epsilon": "1e-3"}), "ccm",
                                  "stopped", n_mesons=2000, chunk=700, rng=rng))
    labels = {lab for _, _, lab in got}
    assert {"pi+ mu", "pi+ e", "pi0"} <= labels and not any(lab.startswith(("pi-", "K", "eta")) for lab in labels)
    for xs, pp4, lab in got:
        np.testing.assert_allclose(xs.x, 0.0)
        assert np.all(np.isfinite(xs.extra["t"])) and np.all(xs.extra["t"] > -2000.0)
        np.testing.assert_allclose(xs.extra["parent_x_production"], 0.0)
        if lab.startswith("pi+"):  # at rest: p4 = (m_π, 0, 0, 0); decay time = proton time + Exp(26 ns)
            np.testing.assert_allclose(pp4[:, 1:], 0.0)
            np.testing.assert_allclose(pp4[:, 0], c.M_PI)
    # chunking does not change the normalisation: Σ w(π⁰ → γV) = N(π⁰) × BR
    dp = get_model("dark-photon", {"m_v": "20 MeV", "epsilon": "1e-3"})
    tot = sum(xs.w.sum() for xs, _, lab in got if lab == "pi0")
    assert tot == pytest.approx(yields_per_pot("lanl-lujan")["pi0"].value * nm.neutral_meson_br("pi0", dp),
                                rel=1e-12)


# ------------------------------------------------------------------------------------------------
# fluxes: isotropic source vs analytic, π⁰ → γV scaling with ε² and 1/L²
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("experiment", ["ccm", "jsns2"])
def test_isotropic_flux_matches_yield_times_br_over_4pi_l2(experiment):
    """Decays at rest are isotropic: Φ = Σ_P N(P DAR per POT) × BR(P → μνφ) / (4π L²) at 90°, with the yields of
    beams.stopped_yields and the BRs of production.three_body (independent of the flux chain)."""
    m = _scalar("10 MeV", "1e-3")
    exp = get_experiment(experiment)
    res = boson_flux(m, experiment, "stopped", n_mesons=20_000, seed=3, keep_arrivals=False)
    y = yields_per_pot(experiment_source(experiment)[0])
    expected = (y["pi+_dar"].value * branching_ratio("pi+", "mu", m)
                + y["K+_dar"].value * branching_ratio("K+", "mu", m)) * _inv_area_cm2(exp.distance)
    # the estimator averages 1/r² over the detector face: ⟨ρ²⟩/L² ≲ 0.2 % from 1/L²
    assert res.integrated() == pytest.approx(expected, rel=3e-3)
    assert res.integrated() < expected  # ⟨1/r²⟩ < 1/L² on a face through the centre


@pytest.mark.parametrize("name,params,eps", [("dark-photon", {"m_v": "20 MeV"}, "epsilon"),
                                             ("vector-idm", {"m_v1": "17 MeV"}, "eps1")])
def test_pi0_to_gamma_v_scales_with_eps2_and_inverse_square(name, params, eps):
    def sources(e):
        model = get_model(name, {**params, eps: e})
        rng = np.random.default_rng(9)
        return model, [(xs, pp4, lab) for xs, pp4, lab in iter_boson_sources(model, "ccm", "stopped",
                                                                            n_mesons=50_000, rng=rng)
                       if lab == "pi0"]

    m1, s1 = sources("1e-4")
    _m2, s2 = sources("3e-4")
    w1 = sum(xs.w.sum() for xs, _, _ in s1)
    w2 = sum(xs.w.sum() for xs, _, _ in s2)
    assert w2 / w1 == pytest.approx(9.0, rel=1e-12)  # BR(π⁰ → γV) ∝ ε²: same draws, weights × 9
    mv, mpi = float(m1.m_x), c.M_PI0
    br = 2 * 1e-8 * (1 - (mv / mpi) ** 2) ** 3 * c.BR_PI0_GG  # Batell-Pospelov-Ritz, ε = 1e-4
    assert w1 == pytest.approx(yields_per_pot(experiment_source("ccm")[0])["pi0"].value * br, rel=1e-9)
    # 1/L²: the same π⁰ decays seen from the CCM position and from twice as far at the same angle
    exp = get_experiment("ccm")
    far = dataclasses.replace(exp, distance=2 * exp.distance)
    flux = {}
    for label, e in (("near", exp), ("far", far)):
        rng = np.random.default_rng(10)
        arr = [arrivals_from_sources(xs, pp4, lab, float(m1.m_x), e, rng) for xs, pp4, lab in s1]
        flux[label] = sum(a.weight.sum() for a in arr)
        err = math.sqrt(sum(np.sum(a.weight**2) for a in arr))
        assert err < 0.02 * flux[label]
    # the same face points (detector frame) at both distances: the ratio's MC error is far below each flux's;
    # the face averaging of 1/r² differs from 1/L² by < 0.3 %
    assert flux["near"] / flux["far"] == pytest.approx(4.0, rel=0.01)


# ------------------------------------------------------------------------------------------------
# detector responses
# ------------------------------------------------------------------------------------------------


def _photons(energies):
    e = np.asarray(energies, float)
    return np.stack([e, np.zeros_like(e), e, np.zeros_like(e)], axis=1)  # along x: 90° to the beam


def test_responses_are_registered_with_the_common_interface():
    for name in STOPPED:
        assert name in RESPONSES
        resp = get_response(name, eqe_mode="neutrino")
        out = resp(_photons([5.0, 50.0]), None, np.ones(2), np.random.default_rng(1))
        assert isinstance(out, ResponseResult) and len(out) == 2
        assert np.all(np.isfinite(out.E_vis)) and np.all(out.weight >= 0)
        assert resp.reference  # every response says where its numbers come from
    with pytest.raises(InputError):
        get_response("ccm", efficiency=1.5)
    with pytest.raises(InputError):
        get_response("jsns2", nosuch=1)


def test_ccm_window_and_pairs():
    resp = get_response("ccm", smear=False)
    out = resp(_photons([0.05, 1.0, 20.0, 150.0]))
    np.testing.assert_array_equal(out.accepted, [False, True, True, False])  # 0.1 < E < 100 MeV
    assert CCM_WINDOW == (0.1, 100.0)
    # an e⁺e⁻ pair: the calorimeter sees the summed energy, whatever the opening angle
    a = np.array([[10.0, 0.0, 10.0, 0.0]])
    b = np.array([[5.0, 0.0, -5.0, 0.0]])
    pair = resp(a, b)
    assert pair.E_vis[0] == pytest.approx(15.0) and pair.accepted[0]
    # smearing: σ/E = 1.83 %/√(E/MeV)
    sm = get_response("ccm")(_photons(np.full(20_000, 10.0)), rng=np.random.default_rng(2))
    assert np.std(sm.E_vis) / 10.0 == pytest.approx(0.58 / math.sqrt(10_000.0), rel=0.05)


def test_jsns2_threshold_and_resolution_closure():
    resp = get_response("jsns2")
    for e, rel in JSNS2_RESOLUTION_POINTS:  # the a/√E ⊕ b form goes through both measured points
        assert resp.resolution(e) / e == pytest.approx(rel, rel=1e-9)
    out = get_response("jsns2", smear=False)(_photons([29.0, 31.0, 200.0]))
    np.testing.assert_array_equal(out.accepted, [False, True, True])
    assert JSNS2_THRESHOLD == 30.0


def test_cevns_detectors_do_not_select_mev_electromagnetic_deposits():
    # largest CEvNS recoil of a 52.83 MeV neutrino: 2E²/(M + 2E)
    assert max_cevns_recoil(40) * 1e3 == pytest.approx(149.4, abs=0.1)
    for name in ("coherent-csi", "coherent-lar"):
        resp = get_response(name)
        out = resp(_photons([0.02, 1.0, 30.0]))
        np.testing.assert_array_equal(out.accepted, [True, False, False])
        assert "CEvNS" in resp.kind


# ------------------------------------------------------------------------------------------------
# predictions end to end
# ------------------------------------------------------------------------------------------------

CFG = {"model": {"name": "muphilic-scalar", "m_phi": "1 MeV", "m_zprime": "49 MeV", "g_mu": 5e-3,
                 "g_n": 1e-2, "lam": "4.4e-4 /MeV"},
       "simulation": {"n_mesons": 20_000, "n_events": 2000, "seed": 5}}


def test_prediction_at_stopped_experiments_with_reasons():
    res = predict_experiments(parse_config(CFG), ["ccm", "coherent-csi", "jsns2"])
    rows = {r["experiment"]: r for r in res["experiments"]}
    assert all(r["status"] == "predicted" for r in rows.values())
    ccm = rows["ccm"]["modes"]["stopped"]
    assert math.isfinite(ccm["signal_events"]) and ccm["signal_events"] > 0
    assert set(ccm["by_parent"]) == {"pi+ mu"}
    assert ccm["pot"] == pytest.approx(get_experiment("ccm").pot["stopped"])
    # CsI: the dark Primakoff photon (MeV) is far above the CEvNS region of interest: an explicit zero with a reason
    csi = rows["coherent-csi"]["modes"]["stopped"]
    assert csi["signal_events"] == 0 and "detector response" in csi["reason"]
    # JSNS²: φ from π⁺ DAR stay below the 30 MeV prompt threshold; K⁺ DAR φ pass it
    js = rows["jsns2"]["modes"]["stopped"]
    assert js["by_parent"]["pi+ mu"] == 0 and js["by_parent"]["K+ mu"] > 0


def test_idm_at_ccm_comes_from_neutral_pions():
    cfg = {"model": {"name": "vector-idm", "m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV",
                     "eps1": 6e-5, "g_prime": 3.5449077, "br_v1_chichi": 0.5, "amplitude": "lepton"},
           "experiment": {"name": "ccm", "modes": ["stopped"], "off_target": False},
           "simulation": {"n_mesons": 20_000, "n_events": 2000, "seed": 6}}
    from darkbeam.inference.predict import Predictor

    out = Predictor(parse_config(cfg)).predict()
    m = out["modes"]["stopped"]
    assert math.isfinite(m["signal_events"]) and m["signal_events"] > 0
    # χ from π⁺ → μ⁺ν V1 at rest (E_χ < 31 MeV) cannot make a 40 MeV χ': no "pi+ mu" events
    assert m["by_parent"].get("pi+ mu", 0.0) == 0.0 and m["by_parent"]["pi0"] > 0


def test_decay_in_volume_zero_at_a_source_without_the_parents_says_which():
    """K → πS at the Lujan source (800 MeV protons: no kaons): the zero names the missing parents and why, not a
    generic "no flux"."""
    from darkbeam.models import get_model
    from darkbeam.pipeline.signal import build_signal

    m = get_model("higgs-scalar", {"m_s": "150 MeV", "theta": "4e-4"})
    s = build_signal(m, "ccm", "stopped", n_mesons=2000, n_events=200, seed=1)
    assert s.total() == 0.0
    assert "no K+ at the lanl-lujan source" in s.note and "K- stop and are captured" in s.note
