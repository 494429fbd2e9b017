"""The ALP portal (darkbeam.models.alp, darkbeam.production.photon_primakoff): physics checked by independent
routes, the flux/decay chain, the commands, and the published comparison of docs/portal_alp.md."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import hepunits as hu
import numpy as np
import pytest
from particle import Particle
from scipy import integrate

from darkbeam.constants import ALPHA_EM, BR_PI0_GG, F_PI, HBARC, INV_MEV2_TO_CM2, M_E, M_PI0
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.kinematics.fourvec import dot, two_body_momentum
from darkbeam.models import MODELS, get_model
from darkbeam.models.alp import width_ee, width_gamma_gamma
from darkbeam.particles import ALP_PDG
from darkbeam.pipeline.boson_flux import boson_flux
from darkbeam.pipeline.geometry import face_area
from darkbeam.pipeline.signal import build_signal
from darkbeam.production import photon_primakoff as pp
from darkbeam.production.matrix_elements import GAMMA5, ONE4, slash
from darkbeam.production.photon_primakoff import MATERIALS
from darkbeam.sample import ParticleSample

ROOT = Path(__file__).resolve().parents[1]
G = 1e-5 / hu.GeV  # 1e-5 /GeV in 1/MeV


# ------------------------------------------------------------------------------------------------
# Primakoff cross-section
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("material", ["W", "Be", "Fe"])
def test_massless_screened_cross_section_matches_its_closed_form(material):
    """m_a → 0, screening only (point nucleus): the quadrature of eq. (2) equals the closed form."""
    e = np.array([20.0, 100.0, 1000.0, 1e4])
    num = pp.sigma_primakoff(e, 1e-6, G, material, nuclear=False)
    assert num == pytest.approx(pp.sigma_primakoff_screened_massless(e, G, material), rel=1e-5)


def test_high_energy_limit_of_the_screened_cross_section():
    """σ_P → (g²αZ²/8)[ln(4E²a²) − 2] for E a ≫ 1 (the closed form's limit, derived in the module docstring)."""
    mat = pp.get_material("W")
    for e in (1e4, 1e5):
        limit = G * G * ALPHA_EM * mat.Z**2 / 8.0 * (math.log(4 * e * e * mat.screening_a**2) - 2.0)
        assert pp.sigma_primakoff_screened_massless(e, G, "W") == pytest.approx(limit * INV_MEV2_TO_CM2, rel=1e-6)


def _primex_dsigma_domega(e, theta, m_a, g, material):
    """dσ/dΩ in the PrimEx form Γ_γγ (8αZ²/m³) β³E⁴ sin²θ F²/|q|⁴ (e.g. PrimEx, Science 368 (2020) 506, with
    Γ_γγ = g²m³/(64π) of an ALP): an independent writing of eq. (2), cm²/sr."""
    mat = pp.get_material(material)
    p = math.sqrt(e * e - m_a * m_a)
    q2 = e * e + p * p - 2 * e * p * math.cos(theta)
    gamma_gg = g * g * m_a**3 / (64 * math.pi)
    beta = p / e
    ff = float(pp.form_factor(q2, mat))
    return gamma_gg * 8 * ALPHA_EM * mat.Z**2 / m_a**3 * beta**3 * e**4 * math.sin(theta) ** 2 * ff**2 / q2**2 \
        * INV_MEV2_TO_CM2


@pytest.mark.parametrize("m_a,e,material", [(10.0, 100.0, "W"), (60.0, 300.0, "W"), (30.0, 1000.0, "Be")])
def test_total_cross_section_by_a_second_integration_method(m_a, e, material):
    """Adaptive quadrature of the PrimEx-form dσ/dΩ over ln θ (scipy quad) against darkbeam's Gauss–Legendre in
    ln q² of dσ/dq²: two integration variables and two writings of the same cross-section."""

    def integrand(lt):
        th = math.exp(lt)
        return 2 * math.pi * math.sin(th) * _primex_dsigma_domega(e, th, m_a, G, material) * th

    lo = math.log(1e-9)
    th_s = 1.0 / (e * pp.get_material(material).screening_a)
    pts = sorted({math.log(max(th_s, 1e-8)), math.log(m_a**2 / (2 * e * e)), math.log(0.1)})
    val, _ = integrate.quad(integrand, lo, math.log(math.pi), points=pts, limit=400, epsabs=0, epsrel=1e-8)
    assert float(pp.sigma_primakoff(e, m_a, G, material)[0]) == pytest.approx(val, rel=2e-4)


def test_cross_section_threshold_scaling_and_form_factor():
    """Closed below threshold, ∝ g², and the nuclear form factor only lowers it."""
    assert pp.sigma_primakoff(np.array([9.99, 10.0]), 10.0, G, "W").tolist() == [0.0, 0.0]
    s1 = pp.sigma_primakoff(200.0, 10.0, G, "W")[0]
    assert pp.sigma_primakoff(200.0, 10.0, 3 * G, "W")[0] == pytest.approx(9 * s1, rel=1e-12)
    assert pp.sigma_primakoff(200.0, 10.0, G, "W", nuclear=False)[0] > s1 > 0


# ------------------------------------------------------------------------------------------------
# photon absorption and the conversion probability
# ------------------------------------------------------------------------------------------------
#: NIST XCOM total attenuation of tungsten with coherent scattering, barn/atom (M.J. Berger et al., XCOM:
#: Photon Cross Sections Database, NIST Standard Reference Database 8)
XCOM_W = {10.0: 14.49, 20.0: 17.99, 50.0: 23.26, 100.0: 26.85, 200.0: 29.62, 1000.0: 33.05}


def test_absorption_against_nist_xcom():
    """σ_pair + σ_Compton on W within 6 % of XCOM from 20 MeV to 1 GeV (the range of π⁰ photons) and within 12 %
    at 10 MeV (screened Bethe–Heitler with the high-energy Coulomb correction is low there)."""
    for e, xcom in XCOM_W.items():
        ours = float(pp.sigma_absorption(e, "W")) / 1e-24
        assert ours == pytest.approx(xcom, rel=0.12 if e < 20 else 0.06), e


def test_pair_cross_section_limits():
    """0 below 2 m_e; the PDG limit (7/9)A/(X0 N_A) reached at high energy (within 1 % at 100 GeV)."""
    assert float(pp.sigma_pair(1.9 * M_E, "W")) == 0.0
    for mat in ("W", "Be", "C", "Hg", "Fe"):
        lim = pp.get_material(mat).sigma_pair_limit_cm2
        assert float(pp.sigma_pair(1e5, mat)) == pytest.approx(lim, rel=0.01)
        e = np.geomspace(3.0, 1e5, 40)
        assert np.all(np.diff(pp.sigma_pair(e, mat)) > 0)  # rises monotonically to the limit


def test_conversion_probability_sanity_and_table():
    """P is tiny, ∝ g², 0 at and below threshold; the interpolated table agrees with direct integration (0.5 %)."""
    e = np.geomspace(10.5, 5000.0, 37)
    direct = pp.conversion_probability(e, 10.0, G, "W")
    assert np.all((direct > 0) & (direct < 1e-12))
    assert pp.conversion_probability_fast(e, 10.0, 2 * G, "W") == pytest.approx(4 * direct, rel=5e-3)
    assert pp.conversion_probability_fast(np.array([5.0, 10.0]), 10.0, G, "W").tolist() == [0.0, 0.0]


# ------------------------------------------------------------------------------------------------
# widths
# ------------------------------------------------------------------------------------------------
def test_gamma_gamma_width_against_the_pi0_anomaly():
    """Γ = g²m³/(64π) with the π⁰'s anomaly coupling g = α/(π f_π), f_π = 130.2/√2 MeV, gives the LO prediction
    α²m³/(64π³f²) = 7.76 eV; PDG Γ(π⁰ → γγ) = Γ_tot BR(γγ) = 7.72 eV (within 2 %)."""
    f = F_PI / math.sqrt(2.0)
    gam = width_gamma_gamma(M_PI0, ALPHA_EM / (math.pi * f))
    assert gam == pytest.approx(ALPHA_EM**2 * M_PI0**3 / (64 * math.pi**3 * f * f), rel=1e-12)
    pdg = float(Particle.from_pdgid(111).width) * BR_PI0_GG
    assert gam == pytest.approx(pdg, rel=0.02)


def test_ee_width_against_a_dirac_trace():
    """Γ(a → e⁺e⁻) = g²mβ/(8π) against Σ|ū iγ⁵ v|² = Tr[(p̸₁+m)iγ⁵(p̸₂−m)iγ⁵] with explicit Dirac matrices."""
    m_a, g = 30.0, 1e-6
    q = float(two_body_momentum(m_a, M_E, M_E))
    p1 = np.array([math.hypot(q, M_E), 0.0, 0.0, q])
    p2 = np.array([math.hypot(q, M_E), 0.0, 0.0, -q])
    a = slash(p1[None])[0] + M_E * ONE4
    b = slash(p2[None])[0] - M_E * ONE4
    msq = g * g * float(np.real(np.trace(a @ (1j * GAMMA5) @ b @ (1j * GAMMA5))))
    trace_width = msq * q / (8 * math.pi * m_a * m_a)  # Γ = |M|² |p*| / (8π M²)
    assert width_ee(m_a, g) == pytest.approx(trace_width, rel=1e-12)
    assert width_ee(1.0, g) == 0.0  # closed below 2 m_e


# ------------------------------------------------------------------------------------------------
# production channel and kinematics
# ------------------------------------------------------------------------------------------------
def _pi0s(n, rng):
    p = rng.uniform(0, 2000.0, n)
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1)[:, None]
    p4 = np.concatenate([np.sqrt(p * p + M_PI0**2)[:, None], p[:, None] * d], axis=1)
    return ParticleSample(np.full(n, 111), p4, np.zeros((n, 3)), np.full(n, 1.0 / n))


def test_pi0_decay_photons_and_alp_kinematics():
    """Each ALP comes from a photon with E* = M/2 in its π⁰ frame (two-body energy-momentum conservation), carries
    the photon's energy (heavy nucleus) on the ALP mass shell, and the weights are BR(γγ) P(E_γ)."""
    rng = np.random.default_rng(1)
    model = get_model("alp", {"m_a": "20 MeV", "g_agg": "1e-5 /GeV", "target": "W"})
    parents = _pi0s(20000, rng)
    (xs, parent_p4, label), = list(model.production[0].sample(rng, "pi0", parents, model))
    assert label == "pi0" and np.all(xs.pdg == ALP_PDG)
    k = xs.extra["p4_gamma"]
    assert np.allclose(dot(k, k), 0.0, atol=1e-6 * k[:, 0].max() ** 2)
    assert dot(k, parent_p4) / M_PI0 == pytest.approx(np.full(len(k), M_PI0 / 2), rel=1e-9)
    assert xs.p4[:, 0] == pytest.approx(k[:, 0], rel=1e-12)
    assert np.sqrt(dot(xs.p4, xs.p4)) == pytest.approx(np.full(len(xs), 20.0), rel=1e-6)
    assert np.all(k[:, 0] > 20.0) and np.all(k[:, 0] <= parent_p4[:, 0])
    w = parents.w[xs.extra["parent_index"]] * BR_PI0_GG * pp.conversion_probability_fast(k[:, 0], 20.0, G, "W")
    assert xs.w == pytest.approx(w, rel=1e-12)
    assert np.all(xs.extra["own_direction"])


def test_alp_angle_follows_the_cross_section():
    """The sampled ⟨ln q²⟩ at 100 MeV on W equals the cross-section-weighted mean (within 4σ of the MC error)."""
    rng = np.random.default_rng(2)
    e, m_a = 100.0, 5.0
    q2 = pp.sample_q2(rng, np.full(40000, e), m_a, "W")
    lo, hi = pp.q2_limits(np.array([e]), m_a)
    assert np.all((q2 >= lo[0] * (1 - 1e-9)) & (q2 <= hi[0] * (1 + 1e-9)))

    def dens(lq):
        x = math.exp(lq)
        return float(pp.dsigma_dq2(e, x, m_a, G, "W")) * x

    pts = [math.log(1 / pp.get_material("W").screening_a ** 2), math.log(pp.get_material("W").nuclear_d)]
    norm = integrate.quad(dens, math.log(lo[0]), math.log(hi[0]), points=pts, limit=400)[0]
    mean = integrate.quad(lambda lq: lq * dens(lq), math.log(lo[0]), math.log(hi[0]), points=pts, limit=400)[0] / norm
    lq = np.log(q2)
    assert lq.mean() == pytest.approx(mean, abs=4 * lq.std() / math.sqrt(len(lq)))


def test_alp_flux_counts_own_directions():
    """ALP samples are flagged for hit counting, so the default (forced) flux equals the hits flux exactly."""
    model = get_model("alp", {"m_a": "10 MeV", "g_agg": "1e-5 /GeV", "target": "W"})
    kw = {"n_mesons": 100_000, "seed": 3, "keep_arrivals": False}
    a = boson_flux(model, "ccm", "stopped", estimator="forced", **kw)
    b = boson_flux(model, "ccm", "stopped", estimator="hits", **kw)
    assert a.integrated() == b.integrated() > 0


# ------------------------------------------------------------------------------------------------
# decays in the detector
# ------------------------------------------------------------------------------------------------
def test_decay_in_volume_long_lived_limit_and_reweighting():
    """At a tiny coupling the decays inside MiniBooNE equal Σ flux × A × chord/λ over the arrivals (the long-lived
    limit of exp(−t_in/λ) − exp(−t_out/λ)), and re-weighting in g is exact: N(2g) = 16 N(g) there."""
    model = get_model("alp", {"m_a": "20 MeV", "g_agg": "1e-8 /GeV", "target": "Be"})
    combined = build_signal(model, "miniboone", "neutrino", n_mesons=60_000, n_events=20_000, seed=4, detector=False)
    s = combined.parts[0]  # the decay channel (the model also declares inverse-Primakoff scattering)
    assert s.process == "decay-in-volume"
    n1 = s.total(model)
    assert n1 > 0
    assert s.total(model.replace(g_agg=2e-8 / hu.GeV)) == pytest.approx(16 * n1, rel=1e-5)
    r = boson_flux(model, "miniboone", "neutrino", n_mesons=60_000, seed=4)
    arr = r.arrivals
    exp = get_experiment("miniboone")
    ray = arr.point - arr.origin
    t_in, t_out = exp.chord(arr.origin, ray / np.linalg.norm(ray, axis=1)[:, None])
    dec = model.boson_decays()
    p = np.sqrt(arr.energy**2 - 20.0**2)
    lam = p / 20.0 * HBARC / dec.total
    expected = np.sum(arr.weight * face_area(exp) / hu.cm2 * (t_out - t_in) / lam)
    # the sample resamples 20000 events from the same arrivals: its total is unbiased with this relative error
    w = arr.weight * (t_out - t_in) / lam
    rel_err = math.sqrt(np.sum(w**2)) / np.sum(w) + 1.0 / math.sqrt(20_000)
    assert n1 == pytest.approx(expected, rel=4 * rel_err)
    # mean chord of the sphere over rays uniform on its central disc: 4R/3
    hit = t_out > t_in
    assert np.average((t_out - t_in)[hit], weights=arr.weight[hit]) == pytest.approx(
        4 * exp.radius / 3, rel=0.1)


# ------------------------------------------------------------------------------------------------
# model declarations and bad input
# ------------------------------------------------------------------------------------------------
def test_model_declarations_and_bad_input():
    assert "alp" in MODELS
    d = MODELS.get("alp").describe()
    assert d["production"][0]["parents"] == ["pi0", "eta"]
    assert d["detection"][0]["process"] == "decay-in-volume" and d["detection"][0]["visible"] == "gamma gamma"
    m = get_model("alp", {"m_a": "50 MeV", "g_agg": "1e-4 /GeV", "g_aee": "1e-6"})
    dec = m.boson_decays("a")
    assert dec.widths["gamma gamma"] == pytest.approx((1e-7) ** 2 * 50.0**3 / (64 * math.pi), rel=1e-12)
    assert dec.widths["e+ e-"] > 0
    for bad in ({"g_agg": "1 /GeV"}, {"m_a": "0 MeV"}, {"g_aee": "5"}, {"target": "Pb"}):
        with pytest.raises(InputError):
            get_model("alp", bad)
    rows = m.production[0].branching_ratios(m)  # target "beam" and no beam: one pair of rows per material
    assert [r["parent"] for r in rows] == ["pi0", "eta"] * len(MATERIALS)
    assert all(isinstance(r["value"], float) for r in rows)
    assert [r["parent"] for r in m.replace(target="W").production[0].branching_ratios(m.replace(target="W"))] == [
        "pi0", "eta"]
    heavy = m.replace(m_a=100.0)  # above m_pi0/2: a pi0 at rest cannot make it (the row says so)
    assert heavy.production[0].branching_ratios(heavy)[0]["value"] == "closed"


# ------------------------------------------------------------------------------------------------
# commands on the example configs
# ------------------------------------------------------------------------------------------------
def test_commands_on_the_example_configs(tmp_path):
    """run, predict, events, widths, br, list models and constraints work on the ALP configs; where a command
    does not apply it says why in one line (no traceback)."""
    env = {**os.environ, "DARKBEAM_CACHE": str(tmp_path / "cache")}

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "darkbeam.cli", *args], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=600, check=False)
        assert "Traceback" not in r.stderr, r.stderr
        return r

    small = ("--n-mesons", "20000", "--n-events", "2000")
    for cfg, mode in (("alp_ccm.toml", "stopped"), ("alp_miniboone.toml", "neutrino")):
        r = cli("run", str(ROOT / "examples" / cfg), "--json", *small)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["model"]["name"] == "alp" and out["signal_events"] > 0
    r = cli("predict", str(ROOT / "examples" / "alp_ccm.toml"), "--experiments", "ccm,dune-nd", "--json", *small)
    assert r.returncode == 0, r.stderr
    exps = {e["experiment"]: e for e in json.loads(r.stdout)["experiments"]}
    assert exps["ccm"]["signal_events"] > 0
    # the LBNF production set (BMPT, beams/bmpt.py) now provides η (the K0_L-shaped spectrum): dune-nd is predicted
    # (it used to stop with the one-line reason "invalid meson species = 'eta'")
    assert exps["dune-nd"]["status"] == "predicted" and exps["dune-nd"]["signal_events"] > 0
    ev = tmp_path / "alp.hepmc3"
    r = cli("events", str(ROOT / "examples" / "alp_ccm.toml"), "-o", str(ev), "--n-mesons", "20000")
    assert r.returncode == 0, r.stderr
    assert ev.exists() and str(ALP_PDG) in ev.read_text()
    r = cli("widths", "alp", "--set", "m_a=10 MeV", "--set", "g_agg=1e-5 /GeV", "--json")
    assert r.returncode == 0, r.stderr
    st = json.loads(r.stdout)["states"]["a"]
    assert st["ctau"] == pytest.approx(HBARC / st["total_width"], rel=1e-12)
    assert st["total_width"] == pytest.approx(width_gamma_gamma(10.0, G), rel=1e-12)
    r = cli("br", "alp")
    assert r.returncode == 0 and "pi0" in r.stdout and "eta" in r.stdout
    r = cli("list", "models")
    assert r.returncode == 0 and "alp" in r.stdout and "decay-in-volume" in r.stdout
    r = cli("constraints", str(ROOT / "examples" / "alp_ccm.toml"))
    assert r.returncode == 0 and "not applicable" in r.stdout
    r = cli("scan", str(ROOT / "examples" / "alp_ccm.toml"), "--grid", "m_a=5 MeV,20 MeV", "--grid",
            "g_agg=1e-6 /GeV..1e-4 /GeV/3", "--backend", "serial", "--no-cache", "--json", *small)
    assert r.returncode == 0, r.stderr
    pts = json.loads(r.stdout)["points"]
    assert len(pts) == 6 and all(p["status"] == "ok" for p in pts)
    sig = {(p["m_a_MeV"], p["g_agg_per_MeV"]): p["signal_total"] for p in pts}
    # long-lived at 5 MeV: N ∝ g⁴ between 1e-6 and 1e-5 /GeV (re-weighted in g from one sample per mass)
    assert sig[(5.0, 1e-8)] == pytest.approx(1e4 * sig[(5.0, 1e-9)], rel=0.01)


# ------------------------------------------------------------------------------------------------
# the published comparison (docs/portal_alp.md, docs/make_alp.py)
# ------------------------------------------------------------------------------------------------
def _make_alp():
    spec = importlib.util.spec_from_file_location("make_alp", ROOT / "docs" / "make_alp.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_dump_hit_counting_against_an_independent_forced_direction_estimate():
    """MiniBooNE dump, m_a = 50 MeV, g = 1e-6 /GeV: darkbeam's count (boson_flux "hits" arrivals × P_inside, the
    sum the decay-in-volume process resamples) against docs/make_alp.forced_direction_events, which counts no
    hits: the exact lab density of π⁰/η → γγ photons toward a point drawn on the detector disc × ΔΩ × P(E) ×
    P_inside(E). Independent random streams; tolerance 4σ of the two MC errors combined (the forced estimate
    neglects the ALP's own angle to its photon, a per-cent effect, below that tolerance). The primary photons
    into the disc per POT are checked against their order of magnitude (π⁰ per POT × forward density)."""
    mod = _make_alp()
    hits, rel, n_hits = mod.hits_events(50.0, 1e-6, 100_000, seed=8)
    assert n_hits > 300
    fd = mod.forced_direction_events(50.0, 1e-6, 100_000, seed=9)
    sigma = math.hypot(rel * hits, math.sqrt(fd["n_primary_var"]))
    assert hits == pytest.approx(fd["n_primary"], abs=4 * sigma)
    assert 1e-3 < fd["photons_into_disc"] < 3e-3
    # N ∝ g⁴ in the long-lived limit (same random stream; at 1e-7 /GeV λ ≥ 1.9e5 m ≫ 490 m: survival > 0.99),
    # while at 1e-6 /GeV the survival over 490 m already removes part of the slow ALPs
    fd7, fd8 = (mod.forced_direction_events(50.0, g, 100_000, seed=9) for g in (1e-7, 1e-8))
    assert fd7["n_primary"] == pytest.approx(1e4 * fd8["n_primary"], rel=0.01)
    assert fd["n_primary"] < 1e4 * fd7["n_primary"]

def test_miniboone_dump_comparison_with_the_published_exclusion():
    """MiniBooNE beam dump (1.86e20 POT), a → γγ in the detector, against Capozzi et al. arXiv:2307.03878.

    What is checked: (1) docs/portal_alp.md quotes darkbeam's edges at 35 MeV from docs/make_alp.py, without the
    cascade (2.75e-6 and 4.11e-5 /GeV with 200k mesons, experiment miniboone-dm; here 120k) and with it
    (``cascade = "approx-b"``: 1.77e-6 and 4.08e-5 /GeV with 100k mesons; here 60k): lower edges within 10 %, upper
    within 15 %, the spread of hit counting at these sample sizes (the lower edge moves as N^-1/4: 10 % in g is
    40 % in rate, over 4σ of the hit counting's ~6-8 % at 60k); (2) the cascade lowers the lower edge (more, softer
    ALPs) by a factor 1.3-1.8 at 35 MeV (the script: 1.55); (3) darkbeam's production even with the cascade
    cannot exclude more than the published analysis: its lower edge stays above the published one, by 5.5 at
    35 MeV (tolerance 15 %, as the edge). The published lower edge is NOT reproduced (docs/portal_alp.md)."""
    mod = _make_alp()
    lower, upper, _ = mod.contour_edges(35.0, 120_000, 8_000)
    assert lower == pytest.approx(2.75e-6, rel=0.10)
    assert upper == pytest.approx(4.11e-5, rel=0.15)
    lower_c, upper_c, _ = mod.contour_edges(35.0, 60_000, 8_000, cascade="approx-b")
    assert lower_c == pytest.approx(1.77e-6, rel=0.10)
    assert upper_c == pytest.approx(4.08e-5, rel=0.15)
    assert 1.3 < lower / lower_c < 1.8
    pub = mod.published_at(mod.PUBLISHED_LOWER, 35.0)
    assert lower > lower_c > pub
    assert lower_c / pub == pytest.approx(5.50, rel=0.15)
    doc = (ROOT / "docs" / "portal_alp.md").read_text()
    assert all(x in doc for x in ("2.75e-06", "4.11e-05", "1.77e-06", "4.08e-05"))


def test_dump_audit_decomposition_quoted_in_the_doc():
    """The audit of docs/portal_alp.md at m_a = 50 MeV and the published lower-edge coupling (2.2e-7 /GeV), from
    docs/make_alp.forced_direction_events (quoted there with 200k mesons per species; here 60k, seed 3 as the
    script: the ratios below are stable to ~1 % between seeds, the tolerances are 5 %): the π⁰/η photons give
    ~4.2e-4 events, thousands of times too few; the forced-direction cascade (approximation B, the channel's
    model integrated) multiplies them by 7.84; a massless inverse-Primakoff cross-section multiplies the total by
    25.5. These are estimates that quantify the discrepancy, not a claim of agreement."""
    mod = _make_alp()
    g_pub = mod.published_at(mod.PUBLISHED_LOWER, 50.0)
    ours = mod.forced_direction_events(50.0, g_pub, 60_000)
    what_if = mod.forced_direction_events(50.0, g_pub, 60_000, massless_inverse=True)
    assert mod.N_UP_90 / ours["n_primary"] > 3e3
    total, total_wi = (r["n_primary"] + r["n_cascade"] for r in (ours, what_if))
    assert total / ours["n_primary"] == pytest.approx(7.84, rel=0.05)
    assert total_wi / total == pytest.approx(25.5, rel=0.05)
    doc = (ROOT / "docs" / "portal_alp.md").read_text()
    assert all(x in doc for x in ("| 7.84 |", "| 25.5 |"))


def test_dump_cascade_channel_against_the_forced_direction_cascade():
    """The channel's cascade (cascade = "approx-b", hit counting) against the forced-direction integral of the
    same model (docs/make_alp.py), MiniBooNE dump, 50 MeV, g = 2.2e-7 /GeV: with the shower ALPs' own Primakoff
    angle switched off (what the forced estimate assumes) they agree within 4σ of the two MC errors combined plus
    10 % (the forced estimate also neglects the primaries' angle: hits/forced = 0.91 for the primaries alone, the
    test above); with the angle on, the channel counts fewer (slow ALPs near threshold leave their photon at wide
    angles: × 0.5-0.7, docs/portal_alp.md)."""
    mod = _make_alp()
    g_pub = mod.published_at(mod.PUBLISHED_LOWER, 50.0)
    na, na_rel, n_hits = mod.hits_without_shower_alp_angle(50.0, g_pub, 100_000, seed=8)
    assert n_hits > 500
    fd = mod.forced_direction_events(50.0, g_pub, 100_000, seed=9)
    tot = fd["n_primary"] + fd["n_cascade"]
    sigma = math.hypot(na_rel * na, math.sqrt(fd["n_primary_var"] + fd["n_cascade_var"]))
    assert na == pytest.approx(tot, abs=4 * sigma + 0.10 * tot)
    on, on_rel, _ = mod.hits_events(50.0, g_pub, 100_000, seed=8, cascade="approx-b")
    assert on < na - 2 * math.hypot(on_rel * on, na_rel * na)


def test_target_that_conflicts_with_the_beam_is_an_error(tmp_path):
    """The photons convert in the beam's own target: an ALP ``target`` other than the beam's target_material is
    refused with one line naming the parameter, before any sampling (never a silently wrong material)."""
    import subprocess
    import sys

    cfg = tmp_path / "alp_bad.toml"
    cfg.write_text('[model]\nname = "alp"\nm_a = "10 MeV"\ng_agg = "1e-5 /GeV"\ntarget = "Be"\n'
                   '[experiment]\nname = "ccm"\nmodes = ["stopped"]\noff_target = false\n')
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "run", str(cfg)], capture_output=True, text=True,
                       check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "alp.target" in line and "'W'" in line and "lanl-lujan" in line
