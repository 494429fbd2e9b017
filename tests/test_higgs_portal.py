"""Higgs-portal dark scalar (``higgs-scalar``): widths and K → πS against independent routes, the two-body production
channel in flight and at rest, the NuMI-absorber KDAR source, Poisson limits, and MicroBooNE's published limit
(PRL 127, 151803 (2021), arXiv:2106.00568) reproduced within the issue's factor 2 in θ.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from darkbeam import constants as c
from darkbeam.beams.stopped_yields import (
    NUMI_KDAR_ESTIMATE,
    NUMI_KDAR_NUMU_PER_POT,
    NUMI_PROTONS_TO_ABSORBER,
    get_source,
)
from darkbeam.detectors.catalog import BEAMS, get_experiment
from darkbeam.errors import InputError
from darkbeam.inference.poisson_limits import cls_upper_limit, fc_upper_limit
from darkbeam.interactions import scalar_decays as sd
from darkbeam.kinematics.fourvec import two_body_momentum
from darkbeam.models import MODELS, get_model
from darkbeam.models.plugins import validate_model_class
from darkbeam.models.widths import width_x_leptons
from darkbeam.pipeline.signal import build_signal
from darkbeam.pipeline.stopped_sources import stopped_parent_plan
from darkbeam.production.meson_to_meson import (
    TRANSITIONS,
    MesonToMesonX,
    two_body_branching_ratio,
    x_energy_at_rest,
)
from darkbeam.sample import ParticleSample

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "higgs_scalar_microboone.toml"
POT = 1.93e20


def _model(m: float = 150.0, theta: float = 4e-4):
    return get_model("higgs-scalar", {"m_s": f"{m} MeV", "theta": str(theta)})


# --- decays --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m_s", [2.0, 50.0, 150.0, 250.0, 350.0])
@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_lepton_width_equals_yukawa_trace_formula(m_s, lepton):
    """Γ(S → ℓℓ) = the generic scalar Yukawa width (spin-trace route of models.widths) with g = θ m_ℓ/v."""
    m_l = c.M_E if lepton == "e" else c.M_MU
    theta = 3e-4
    ours = float(sd.width_s_leptons(m_s, m_l, theta))
    other = float(width_x_leptons(m_s, m_l, theta * m_l / c.HIGGS_VEV, "scalar"))
    if m_s <= 2 * m_l:
        assert ours == 0.0 and other == 0.0
    else:
        assert ours == pytest.approx(other, rel=1e-12)


def test_pipi_isospin_ratio_and_white_paper_total():
    """Γ(π⁰π⁰)/Γ(π⁺π⁻) = ½ × (β₀ G₀²)/(β₊ G₊²) (identical particles; phase space and form factor at each mass), and
    the sum equals 3θ²G²β/(32π v² m_S) of the white paper's Eq. (14) when both pion masses are set equal."""
    theta = 1e-3
    for m in (280.0, 320.0, 360.0):
        gp, g0 = sd.width_s_pipi(m, theta, True), sd.width_s_pipi(m, theta, False)
        bp, b0 = math.sqrt(1 - 4 * c.M_PI**2 / m**2), math.sqrt(1 - 4 * c.M_PI0**2 / m**2)
        ratio = (g0 / gp) / ((b0 * sd.g_pion(m, c.M_PI0) ** 2) / (bp * sd.g_pion(m, c.M_PI) ** 2))
        assert ratio == pytest.approx(0.5, rel=1e-12)
        eq14 = 3 * theta**2 * sd.g_pion(m, c.M_PI) ** 2 / (32 * math.pi * c.HIGGS_VEV**2 * m) * bp
        assert 1.5 * gp == pytest.approx(eq14, rel=1e-12)
    # closed below threshold, with a non-zero width just above
    assert sd.width_s_pipi(2 * c.M_PI, theta, True) == 0.0 and sd.width_s_pipi(2 * c.M_PI0 - 1e-6, theta, False) == 0.0
    assert sd.width_s_pipi(2 * c.M_PI0 + 1.0, theta, False) > 0.0


def test_widths_scale_as_theta_squared_and_ctau():
    a, b = _model(150.0, 1e-4).boson_decays(), _model(150.0, 2e-4).boson_decays()
    assert b.total == pytest.approx(4 * a.total, rel=1e-12)
    # below 2 m_mu only e+e- is open: c tau = hbar c / Gamma(ee) (about 48 km at theta = 4e-4, 150 MeV)
    d = _model(150.0, 4e-4).boson_decays()
    assert {k for k, v in d.widths.items() if v > 0} == {"e+ e-"}
    assert c.HBARC / d.total == pytest.approx(
        8 * math.pi * c.HIGGS_VEV**2 / (16e-8 * c.M_E**2 * 150.0 * (1 - 4 * c.M_E**2 / 150.0**2) ** 1.5) * c.HBARC,
        rel=1e-12)


# --- K -> pi S -----------------------------------------------------------------------------------------------------
def test_k_to_pi_s_matches_bezrukov_gorbunov_number():
    """BR(K⁺ → π⁺S) = 2×10⁻³ θ² · 2|p_S|/m_K (Bezrukov & Gorbunov, JHEP 05 (2010) 010) within 5 % (their rounded
    prefactor; CKM and m_t inputs differ), at a small and a large mass."""
    for m in (2.0, 200.0):
        br = two_body_branching_ratio("K+", _model(m, 1.0))
        p = float(two_body_momentum(c.M_K, c.M_PI, m))
        assert br == pytest.approx(2e-3 * 2 * p / c.M_K, rel=0.05)


def test_k_long_over_k_plus_ratio():
    """BR(K_L → π⁰S)/BR(K⁺ → π⁺S) ≈ 7.0e-3/2.0e-3 = 3.5 (Bezrukov & Gorbunov), from cos²β and τ_L/τ₊; 10 %."""
    m = _model(2.0, 1.0)
    assert two_body_branching_ratio("K0L", m) / two_body_branching_ratio("K+", m) == pytest.approx(3.5, rel=0.10)


def test_kallen_is_the_two_body_momentum():
    """λ^{1/2}(1, m_S²/M², m_π²/M²) = 2p/M with p from the kinematics module (numerical phase-space route)."""
    for m in (1.5, 100.0, 300.0, 354.0):
        lam = float(sd.kallen(1.0, m**2 / c.M_K**2, c.M_PI**2 / c.M_K**2))
        assert math.sqrt(lam) == pytest.approx(2 * float(two_body_momentum(c.M_K, c.M_PI, m)) / c.M_K, rel=1e-10)


def test_phase_space_numerically():
    """Two-body phase space ∫ d³p_S/((2π)³2E_S) d³p_π/((2π)³2E_π) (2π)⁴δ⁴ = p/(4π M) checked by integrating the
    energy delta over a fine momentum grid (Gaussian of width 0.05 MeV); Γ = |M|²Φ₂/(2M) is then the module's Γ."""
    m_s = 150.0
    p = np.linspace(0.0, 300.0, 600001)
    e_s, e_pi = np.sqrt(p**2 + m_s**2), np.sqrt(p**2 + c.M_PI**2)
    sig = 0.05
    delta = np.exp(-0.5 * ((e_s + e_pi - c.M_K) / sig) ** 2) / (sig * math.sqrt(2 * math.pi))
    phi2 = np.trapezoid(4 * math.pi * p**2 / (2 * math.pi) ** 3 / (4 * e_s * e_pi) * 2 * math.pi * delta, p)
    q = float(two_body_momentum(c.M_K, c.M_PI, m_s))
    assert phi2 == pytest.approx(q / (4 * math.pi * c.M_K), rel=1e-4)
    amp = 3 * c.V_TD * c.V_TS * c.M_TOP**2 * c.M_K**2 / (32 * math.pi**2 * c.HIGGS_VEV**3)  # |M| at θ = 1
    assert amp**2 * phi2 / (2 * c.M_K) == pytest.approx(float(sd.width_k_to_pi_s("K+", m_s, 1.0)), rel=1e-4)


# --- model declarations and bad input ---------------------------------------------------------------------------
def test_bad_input_names_the_parameter():
    with pytest.raises(InputError, match="higgs-scalar.theta"):
        _model(150.0, 1.5)
    with pytest.raises(InputError, match="higgs-scalar.m_s"):
        _model(400.0, 1e-4)
    with pytest.raises(InputError, match="theta"):
        _model(150.0, -1e-4)


def test_declarations_pass_the_plugin_validation():
    """The checks a plugin model gets at load time (channel requirements called at the defaults, finite widths,
    the decay-in-volume channel among the declared decays) pass for the built-in model."""
    validate_model_class(MODELS.get("higgs-scalar"), "higgs-scalar")


def test_branching_ratio_rows_close_channels_with_reason():
    rows = MesonToMesonX().branching_ratios(_model(358.0, 1e-3))  # above K+ -> pi+ S, below K0L -> pi0 S
    by = {r["parent"]: r["value"] for r in rows}
    assert by["K+"] == "closed" and by["K-"] == "closed" and isinstance(by["K0L"], float) and by["K0L"] > 0


# --- production channel kinematics -------------------------------------------------------------------------------
def test_at_rest_monoenergetic_isotropic_and_weighted_by_br():
    rng = np.random.default_rng(1)
    n = 40000
    p4 = np.zeros((n, 4))
    p4[:, 0] = c.M_K
    parents = ParticleSample(np.full(n, 321), p4, np.zeros((n, 3)), np.full(n, 2.0), "per POT")
    model = _model(150.0, 4e-4)
    (xs, _pp4, label), = list(MesonToMesonX().sample(rng, "K+", parents, model))
    e_star = (c.M_K**2 + 150.0**2 - c.M_PI**2) / (2 * c.M_K)
    assert x_energy_at_rest("K+", 150.0) == pytest.approx(e_star, rel=1e-12)
    assert math.isnan(x_energy_at_rest("K+", 360.0))  # closed
    assert label == "K+" and np.allclose(xs.p4[:, 0], e_star, rtol=1e-12)
    cos = xs.p4[:, 3] / np.linalg.norm(xs.p4[:, 1:], axis=1)
    assert abs(np.mean(cos)) < 4 / math.sqrt(3 * n)  # isotropic: <cos> = 0 within 4 sigma
    assert np.allclose(xs.w, 2.0 * two_body_branching_ratio("K+", model))


def test_in_flight_conserves_four_momentum():
    rng = np.random.default_rng(2)
    n = 2000
    pz = rng.uniform(1e3, 2e4, n)
    for parent, (_, pdg, m_p, m_d, _) in TRANSITIONS.items():
        p4 = np.stack([np.sqrt(pz**2 + m_p**2), np.zeros(n), np.zeros(n), pz], axis=1)
        parents = ParticleSample(np.full(n, pdg), p4, np.zeros((n, 3)), np.ones(n), "per POT")
        (xs, pp4, _label), = list(MesonToMesonX().sample(rng, parent, parents, _model(100.0, 1e-4)))
        assert np.allclose(xs.p4 + xs.extra["p4_meson"], pp4, rtol=1e-9, atol=1e-6)
        inv = xs.p4[:, 0] ** 2 - np.sum(xs.p4[:, 1:] ** 2, axis=1)
        assert np.allclose(np.sqrt(inv), 100.0, rtol=1e-6)


# --- source, experiment, signal ----------------------------------------------------------------------------------
def test_absorber_source_and_parent_plan():
    src = get_source("numi-absorber")
    y = src.yields["K+_dar"]
    # the cited normalisation: 0.085 KDAR ν_μ per POT (MicroBooNE's public NuMI HNL analysis code) ± 30 %, as K⁺ DAR
    assert NUMI_KDAR_NUMU_PER_POT == 0.085
    assert y.value * c.BR_K_MUNU == pytest.approx(NUMI_KDAR_NUMU_PER_POT, rel=1e-12)
    assert y.value == pytest.approx(0.1337, abs=5e-5) and y.relative_uncertainty == pytest.approx(0.30, rel=1e-12)
    assert "uboone_HNL_analysis" in y.reference and "not a number printed in a paper" in y.reference
    # cross-check: inside the former order-of-magnitude estimate (0.1 per POT, a factor 3 either way; 14.2 % of the
    # 120 GeV protons cross the 94 cm graphite target without interacting, exp(-L rho / lambda_I))
    assert NUMI_PROTONS_TO_ABSORBER == pytest.approx(0.142, abs=5e-4)
    assert NUMI_KDAR_ESTIMATE / 3 < y.value < 3 * NUMI_KDAR_ESTIMATE
    exp = get_experiment("microboone-absorber")
    assert exp.beam == "numi-absorber" and exp.pot["stopped"] == POT
    # the published 100 m, within the ~6 % of the g4numi-based position
    assert exp.distance == pytest.approx(100e3, rel=0.06)
    plan = {r["parent"]: r for r in stopped_parent_plan(_model(), BEAMS.get("numi-absorber"))}
    assert plan["K+"]["used"] and not plan["K-"]["used"] and not plan["K0L"]["used"]
    assert plan["K-"]["reason"] and plan["K0L"]["reason"]


def _truth_sample(m: float, theta: float = 4e-4, n_mesons: int = 20000, n_events: int = 4000):
    return build_signal(_model(m, theta), "microboone-absorber", "stopped", n_mesons, n_events, 12345, detector=False)


def test_kdar_signal_matches_long_lived_analytic_estimate():
    """MC decays in the TPC vs N = POT·Y·BR·V/(4πL²)/λ (long-lived limit, chord-independent). Tolerance 5 %: the
    point-flux estimator aims at the face through the detector centre (exact only for a distant source; here
    ℓ/2L ≈ 5 %, measured −2.4 %) plus the MC error (~1.5 % with 4000 events)."""
    m, theta = 150.0, 4e-4
    smp = _truth_sample(m, theta)
    model = _model(m, theta)
    dec = model.boson_decays()
    q = float(two_body_momentum(c.M_K, c.M_PI, m))
    lam = q / m * c.HBARC / dec.total
    vol = 2560.0 * 2320.0 * 10360.0
    exp = get_experiment("microboone-absorber")
    y = get_source("numi-absorber").yields["K+_dar"].value
    analytic = POT * y * two_body_branching_ratio("K+", model) * vol / (4 * math.pi * exp.distance**2) / lam
    assert smp.total(pot=POT) == pytest.approx(analytic, rel=0.05)
    # re-weighting: long-lived, so N ∝ θ⁴ (production θ², decay probability θ²)
    assert smp.total(model.replace(theta=8e-4), POT) / smp.total(pot=POT) == pytest.approx(16.0, rel=0.01)


# --- Poisson limits -----------------------------------------------------------------------------------------------
def test_poisson_limits_against_published_tables():
    """CLs with no background is the classical Poisson limit (PDG RPP Statistics, Table 40.3: 3.00 and 4.74 at 95 %
    for n = 0, 1); Feldman–Cousins (PRD 57, 3873, Table IV, 95 %): n = 0, b = 0 → 3.09; n = 1, b = 0 → 5.14."""
    assert cls_upper_limit(0, 0.0) == pytest.approx(-math.log(0.05), rel=1e-8)
    assert cls_upper_limit(1, 0.0) == pytest.approx(4.74, abs=0.005)
    assert fc_upper_limit(0, 0.0, cl=0.95) == pytest.approx(3.09, abs=0.01)
    assert fc_upper_limit(1, 0.0, cl=0.95) == pytest.approx(5.14, abs=0.01)
    # a background uncertainty weakens the limit
    assert cls_upper_limit(1, 1.9, 0.8) > cls_upper_limit(1, 1.9)
    with pytest.raises(InputError):
        cls_upper_limit(-1, 1.0)


# --- the published check -------------------------------------------------------------------------------------------
def _load_make_higgs():
    spec = importlib.util.spec_from_file_location("make_higgs", ROOT / "docs" / "make_higgs.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("m_s", [100.0, 150.0, 200.0])
def test_microboone_kdar_limit_within_factor_two(m_s):
    """95 % CLs limit on θ from 1 event on 1.9 ± 0.8 background, with darkbeam's documented LArTPC response (flat 7 %
    MicroBooNE shower-selection efficiency, arXiv:2502.06064, plus its topology cuts: ~6.8 % of the decays), against
    MicroBooNE's band (3.3–4.6)×10⁻⁴ interpolated between 100 and 200 MeV, and against the digitized published
    curve. Tolerance: the issue's factor 2 in θ; θ scales as (yield × efficiency)^(−1/4), so it covers the 30 %
    uncertainty of the absorber's K⁺ DAR yield (from MicroBooNE's public analysis code) and MicroBooNE's unread
    selection efficiency. The documented ratios are reproduced to their printed 3 decimals."""
    mh = _load_make_higgs()
    model = _model(m_s, 4e-4)
    smp = build_signal(model, "microboone-absorber", "stopped", 20000, 4000, 12345, detector=True)
    theta = mh.theta_limit(smp, model, cls_upper_limit(1, 1.9, 0.8))
    ratio = theta / mh.published_curve(m_s)
    assert 0.5 < ratio < 2.0, ratio
    # the same against the published curve as digitized by MicroBooNE analysts (docs/portal_higgs.md)
    ratio_dig = theta / mh.published_digitized(m_s)
    assert 0.5 < ratio_dig < 2.0, ratio_dig
    # the numbers documented in docs/portal_higgs.md (same sample and seed as docs/make_higgs.py)
    documented = {100.0: (1.131, 1.144), 150.0: (1.074, 1.221), 200.0: (1.111, 1.101)}
    assert ratio == pytest.approx(documented[m_s][0], abs=5e-4)
    assert ratio_dig == pytest.approx(documented[m_s][1], abs=5e-4)


def test_digitized_published_curve_matches_the_abstract():
    """The digitized PRL curve (MicroBooNE analysts' limit_files/uboone_ee_theta.csv) against the abstract's band
    (3.3–4.6)×10⁻⁴ for 100–200 MeV: its ends agree within the digitization step (~3 % in θ), and over 100–200 MeV it
    stays inside the band; it is not linear in between (13.7 % below the band-end interpolation at 150 MeV)."""
    mh = _load_make_higgs()
    assert mh.published_digitized(100.0) == pytest.approx(4.6e-4, rel=0.03)
    assert mh.published_digitized(200.0) == pytest.approx(3.3e-4, rel=0.03)
    grid = np.linspace(100.0, 200.0, 101)
    vals = np.array([mh.published_digitized(m) for m in grid])
    assert np.all(vals <= 4.6e-4 * 1.03) and np.all(vals >= 3.3e-4 / 1.03)
    assert mh.published_curve(150.0) / mh.published_digitized(150.0) == pytest.approx(1.137, abs=5e-4)


# --- commands ------------------------------------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "darkbeam.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600, check=False)


def test_cli_widths_br_list():
    r = _cli("widths", "higgs-scalar", "--set", "m_s=150 MeV", "--set", "theta=4e-4")
    assert r.returncode == 0 and "e+ e-" in r.stdout and "BR 1" in r.stdout
    r = _cli("br", "higgs-scalar", "--set", "m_s=358 MeV", "--set", "theta=1e-3")
    assert r.returncode == 0 and "closed" in r.stdout and "K0L" in r.stdout
    r = _cli("list", "models")
    assert r.returncode == 0 and "higgs-scalar" in r.stdout
    r = _cli("widths", "higgs-scalar", "--set", "theta=2")
    assert r.returncode != 0 and "higgs-scalar.theta" in r.stderr and "Traceback" not in r.stderr


def test_cli_run_predict_events_constraints(tmp_path):
    small = ["--n-mesons", "5000", "--n-events", "1000"]
    r = _cli("run", str(CONFIG), *small)
    assert r.returncode == 0, r.stderr
    assert "microboone-absorber" in r.stdout and "signal events" in r.stdout
    r = _cli("predict", str(CONFIG), "--experiments", "microboone-absorber,microboone-numi", "--json", *small)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    text = json.dumps(out)
    assert "microboone-absorber" in text and "microboone-numi" in text
    ev = tmp_path / "hs.hepmc3"
    r = _cli("events", str(CONFIG), "-o", str(ev), *small)
    assert r.returncode == 0, r.stderr
    assert ev.exists() and ev.stat().st_size > 0
    r = _cli("fit", str(CONFIG), *small)  # no packaged data for this experiment: a one-line reason, no traceback
    assert r.returncode != 0 and "no data to fit" in r.stderr and "Traceback" not in r.stderr
    r = _cli("constraints", str(CONFIG), "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert "not applicable" in json.dumps(rows)
