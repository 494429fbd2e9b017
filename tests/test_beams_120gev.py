"""The 120 GeV beams (NuMI, LBNF): BMPT meson production on graphite, per-beam horn windows, fluxes.

Independent routes: numbers computed with BdNMC's own BMPT code (pgdeniverville/BdNMC src/BMPT_dist.cpp at
6cba825c, compiled and run outside darkbeam), the BMPT formula re-typed here in scalar math, scipy dblquad
for the integrals, literal PDG numbers for the normalisation, Monte Carlo sums with tolerances from their
standard errors, and the published DUNE ND and MINERvA LE fluxes as shipped by DarkNews (a test dependency).
See docs/meson_production.md ("120 GeV beams") and docs/validation_flux_120gev.md.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os

import hepunits as hu
import numpy as np
import pytest
from scipy import integrate

from darkbeam.beams import (
    interaction_probability,
    mesons_per_pot,
    production_table,
    sample_mesons,
    sigma_inelastic,
)
from darkbeam.beams.bmpt import BMPT_MODELS
from darkbeam.beams.production import production_model
from darkbeam.constants import M_K, M_N, M_P, M_PI
from darkbeam.detectors.catalog import BEAMS, EXPERIMENTS, get_experiment
from darkbeam.errors import InputError
from darkbeam.pipeline.neutrino_flux import neutrino_flux

NUMI, LBNF = BEAMS.get("numi"), BEAMS.get("lbnf")
MB_PER_GEV = hu.millibarn / hu.GeV  # mb/(GeV/c)/sr in internal units

# --- BMPT formula, re-typed from hep-ph/0101163 (scalar; GeV, mb/(GeV^2/c^3)) ---------------------------
PI = {"A": 62.3, "B": 1.57, "alpha": 3.45, "beta": 0.517, "a": 6.10, "gamma": 0.153, "delta": 0.478, "r0": 1.05, "r1": 2.65}
KA = {"A": 7.74, "B": 0.0, "alpha": 2.45, "beta": 0.444, "a": 5.04, "gamma": 0.121, "delta": 0.242, "r0": 1.15, "r1": -3.17}


def _bmpt_inv(c, xr, pt):
    ap = c["a"] / xr ** c["gamma"]
    bp = c["a"] ** 2 / (2 * xr ** c["delta"])
    return (c["A"] * (1 - xr) ** c["alpha"] * (1 + c["B"] * xr) * xr ** -c["beta"]
            * (1 + ap * pt + bp * pt * pt) * math.exp(-ap * pt))


def _kin(p, th, m, mx, pb):
    """(x_R, x_F, p_T) for a meson of mass m (GeV) with recoil mass mx, beam momentum pb (GeV/c)."""
    mp = M_P / 1e3
    eb = math.hypot(pb, mp)
    rs = math.sqrt(2 * mp * mp + 2 * mp * eb)
    g, gb = (eb + mp) / rs, pb / rs
    e = math.hypot(p, m)
    estar = g * e - gb * p * math.cos(th)
    plstar = g * p * math.cos(th) - gb * e
    emax = (rs * rs + m * m - mx * mx) / (2 * rs)
    return estar / emax, 2 * plstar / rs, p * math.sin(th)


def _hand_xs(species, p, th, pb=120.0, a_target=12.0107):
    """d²σ/dp dΩ (mb/(GeV/c)/sr) on a nucleus of mass number a_target, from the formula above."""
    m_lambda = 1.115683
    mp, mn = M_P / 1e3, M_N / 1e3
    table = {"pi+": (PI, M_PI / 1e3, mp + mn, +1), "pi-": (PI, M_PI / 1e3, 2 * mp + M_PI / 1e3, -1),
             "K+": (KA, M_K / 1e3, m_lambda + mp, +1), "K-": (KA, M_K / 1e3, 2 * mp + M_K / 1e3, -1)}
    c, m, mx, q = table[species]
    xr, xf, pt = _kin(p, th, m, mx, pb)
    if xr >= 1:
        return 0.0
    inv = _bmpt_inv(c, xr, pt)
    if q < 0:  # π+/π− = r0 (1 + x_R)^r1, K+/K− = r0 (1 − x_R)^r1
        inv /= c["r0"] * ((1 + xr) if c is PI else (1 - xr)) ** c["r1"]
    alpha = (0.74 - 0.55 * xf + 0.26 * xf * xf) * (0.98 + 0.21 * pt * pt)
    inv *= (a_target / 9.0121831) ** alpha
    return inv * p * p / math.hypot(p, m)


@pytest.mark.parametrize("species", ["pi+", "pi-", "K+", "K-"])
@pytest.mark.parametrize("p,th", [(5.0, 0.01), (12.0, 0.02), (30.0, 0.004), (2.0, 0.12), (60.0, 0.0)])
def test_bmpt_hand_formula_on_carbon(species, p, th):
    got = float(production_model(NUMI, species).d2sigma_dp_domega(p * 1e3, th)) / MB_PER_GEV
    assert got == pytest.approx(_hand_xs(species, p, th), rel=1e-10)


def test_k0l_and_pi0_combinations():
    p, th = 1e3 * np.array([3.0, 8.0, 20.0]), np.array([0.03, 0.01, 0.004])
    m = {s: production_model(LBNF, s).d2sigma_dp_domega(p, th) for s in ("K+", "K-", "K0L", "pi+", "pi-", "pi0")}
    np.testing.assert_allclose(m["K0L"], (m["K+"] + 3 * m["K-"]) / 4, rtol=1e-12)
    np.testing.assert_allclose(m["pi0"], (m["pi+"] + m["pi-"]) / 2, rtol=1e-12)


# BdNMC@6cba825c BMPT::Invariant_Cross_Section{,_pi_minus,_Kaon,_K_minus}(p, theta) for BMPT(Eb, 8, ...), i.e.
# on its reference nucleus (scaling factor 1), Eb = total beam energy in GeV; columns p [GeV/c], θ [rad],
# π+, π−, K+, K− in mb/(GeV²/c³). Its kaon functions use the PION A (62.3) and K+/K− = r0 (1 + x_R)^r1;
# its x_R uses M_X = 1.88 GeV for every species.
BDNMC = {
    450.0: [(5, 0.01, 609.2072, 559.9457, 242.3997, 236.8179),
            (10, 0.02, 346.3802, 308.6157, 197.3071, 192.7803),
            (20, 0.005, 295.4016, 250.1245, 197.0507, 200.8296),
            (3, 0.05, 564.2260, 517.6981, 180.1499, 184.9938),
            (40, 0.003, 180.4210, 136.8734, 134.4011, 154.7463),
            (60, 0.001, 131.9873, 90.08717, 104.8948, 136.6180)],
    120.0: [(5, 0.01, 295.5332, 250.7674, 170.9497, 183.4908),
            (10, 0.02, 159.6782, 121.7585, 114.0210, 133.9480),
            (20, 0.005, 104.4912, 65.72963, 82.02947, 119.0327),
            (3, 0.05, 341.9917, 298.9817, 151.0495, 164.1837),
            (15, 0.0, 135.7581, 94.14502, 106.1604, 137.9621),
            (60, 0.001, 13.92453, 4.479976, 14.76937, 47.18965)],
}


@pytest.mark.parametrize("e_beam", sorted(BDNMC))
def test_bmpt_against_bdnmc(e_beam):
    """Be invariant cross-sections vs BdNMC's code (same M_X = 1.88 GeV; its kaon A bug and ratio sign undone)."""
    pb = math.sqrt(e_beam**2 - (M_P / 1e3) ** 2) * 1e3
    models = {s: dataclasses.replace(BMPT_MODELS[s], m_recoil=1880.0).at_beam_momentum(pb)
              for s in ("pi+", "pi-", "K+", "K-")}
    for p, th, pip, pim, kp, km in BDNMC[e_beam]:
        got = {}
        for s, mdl in models.items():
            xr, _, pt = mdl.xr_xf_pt(np.array(float(p)), np.array(float(th)))
            got[s] = float(mdl.invariant_be(xr, pt))
        assert got["pi+"] == pytest.approx(pip, rel=2e-6)
        assert got["pi-"] == pytest.approx(pim, rel=2e-6)
        assert got["K+"] == pytest.approx(kp * 7.74 / 62.3, rel=2e-6)
        # BdNMC: K− = K+/[1.15 (1 + x)^-3.17] → its x_R; ours: K− = K+ (1 − x)^3.17 / 1.15
        x = (kp / (1.15 * km)) ** (-1 / 3.17) - 1
        assert got["K-"] == pytest.approx(kp * 7.74 / 62.3 * (1 - x) ** 3.17 / 1.15, rel=1e-5)


def test_seagull_and_charge_ratios():
    """⟨p_T⟩ of the pion p_T shape grows with x_R (a' = a/x_R^γ); π+/π− and K+/K− grow with x_R."""
    m = BMPT_MODELS["pi+"]
    pt = np.linspace(0, 3, 3001)

    def mean_pt(x):
        f = m.invariant_be(np.full_like(pt, x), pt) * pt  # d²p_T = 2π p_T dp_T
        return np.sum(f * pt) / np.sum(f)

    assert mean_pt(0.05) < mean_pt(0.1) < mean_pt(0.3)
    # analytic: f(u) = (1 + u + c u²) e^(−u), u = a' p_T, c = b'/a'²: ⟨u⟩ = (2 + 6 + 24c)/(1 + 2 + 6c)
    ap, bp = 6.10 / 0.1**0.153, 6.10**2 / (2 * 0.1**0.478)
    c = bp / ap**2
    assert mean_pt(0.1) == pytest.approx((8 + 24 * c) / (3 + 6 * c) / ap, rel=1e-4)  # 0.399 GeV/c
    xr = np.array([0.1, 0.5, 0.9])
    r_pi = BMPT_MODELS["pi+"].invariant_be(xr, 0.3) / BMPT_MODELS["pi-"].invariant_be(xr, 0.3)
    r_k = BMPT_MODELS["K+"].invariant_be(xr, 0.3) / BMPT_MODELS["K-"].invariant_be(xr, 0.3)
    assert np.all(np.diff(r_pi) > 0) and np.all(np.diff(r_k) > 0)
    np.testing.assert_allclose(r_k, 1.15 * (1 - xr) ** -3.17, rtol=1e-12)


# --- normalisation and yields ----------------------------------------------------------------------------


def test_graphite_normalisation_from_literal_numbers():
    """σ_inel = A/(N_A λ_I) with PDG carbon λ_I = 85.8 g/cm²; P_int = 1 − exp(−L ρ/λ_I)."""
    assert sigma_inelastic(NUMI) / hu.millibarn == pytest.approx(12.0107 / (6.02214076e23 * 85.8) * 1e27, rel=1e-6)
    assert interaction_probability(NUMI) == pytest.approx(1 - math.exp(-94.0 * 1.78 / 85.8), rel=1e-9)
    assert interaction_probability(LBNF) == pytest.approx(1 - math.exp(-150.0 * 1.78 / 85.8), rel=1e-9)


def test_pi_plus_yield_by_scipy_dblquad():
    """mesons_per_pot = P_int σ/σ_inel with σ = ∫ d²σ/dp dΩ from scipy over the hand formula (θ < 0.2 rad)."""
    def f(th, p):
        return _hand_xs("pi+", p, th) * 2 * math.pi * math.sin(th)

    sigma_mb, _ = integrate.dblquad(f, 0.05, 60.0, 0.0, 0.2, epsabs=1e-6, epsrel=1e-7)
    expect = interaction_probability(NUMI) * sigma_mb / 232.4503
    got = mesons_per_pot(NUMI, "pi+", p_range=(50.0, 60e3), theta_range=(0.0, 0.2))
    assert got == pytest.approx(expect, rel=2e-4)


def test_yields_per_pot_120gev():
    """Yields per POT (docs/meson_production.md, "120 GeV beams") and sanity bands from p-A data at SPS energies:
    K+/π+ ≈ 0.07-0.11, π−/π+ ≈ 0.7-0.85, 2-5 π+ per inelastic p-C interaction."""
    tab = production_table(NUMI)
    assert set(tab) == {"pi+", "pi-", "K+", "K-", "K0L", "pi0", "eta"}
    assert tab["pi+"] == pytest.approx(2.615, rel=2e-3)
    assert tab["K+"] == pytest.approx(0.2219, rel=2e-3)
    assert 0.07 < tab["K+"] / tab["pi+"] < 0.11
    assert 0.7 < tab["pi-"] / tab["pi+"] < 0.85
    assert 2 < tab["pi+"] / interaction_probability(NUMI) < 5
    assert tab["K0L"] == pytest.approx((tab["K+"] + 3 * tab["K-"]) / 4, rel=1e-6)
    assert tab["eta"] == pytest.approx(tab["K0L"], rel=1e-6)  # η takes the K0_L spectrum (bmpt.py)
    # same per-interaction yields on the longer LBNF target, scaled by P_int
    lbnf = production_table(LBNF)
    ratio = interaction_probability(LBNF) / interaction_probability(NUMI)
    for s in tab:
        assert lbnf[s] == pytest.approx(tab[s] * ratio, rel=1e-9)


def test_sampler_sum_of_weights_matches_integral():
    rng = np.random.default_rng(120)
    for s in ("pi+", "K-"):
        smp = sample_mesons(NUMI, s, 100_000, rng, theta_max=0.2)
        se = math.sqrt(np.sum((smp.w - smp.w.mean()) ** 2))
        expect = mesons_per_pot(NUMI, s, theta_range=(0.0, 0.2))
        assert abs(smp.w.sum() - expect) < 5 * se, (s, smp.w.sum(), expect, se)
        assert smp.x[:, 2].min() >= -NUMI.target_length / 2 and smp.x[:, 2].max() <= NUMI.target_length / 2


def test_bad_input():
    with pytest.raises(InputError, match="meson species"):
        mesons_per_pot(NUMI, "B+")  # no such species in the BMPT set (D±, D_s± are: beams.charm, tests/test_charm.py)
    with pytest.raises(InputError, match="proton_momentum"):
        mesons_per_pot(dataclasses.replace(NUMI, proton_momentum=800 * hu.GeV), "pi+")
    with pytest.raises(InputError, match="target_material"):
        mesons_per_pot(dataclasses.replace(NUMI, target_material="W"), "pi+")
    with pytest.raises(InputError, match="production set"):
        mesons_per_pot(dataclasses.replace(NUMI, target_material="Be"), "pi+")  # BMPT set: graphite only
    with pytest.raises(InputError, match="meson-production set"):
        mesons_per_pot(dataclasses.replace(NUMI, production="nosuch"), "pi+")


# --- fluxes -----------------------------------------------------------------------------------------------


def _reference(name):
    dn = pytest.importorskip("DarkNews")
    d = np.loadtxt(os.path.join(os.path.dirname(dn.__file__), "include", "fluxes", name))
    return d[:, 0], d[:, 2], d[:, 5]  # E (GeV), ν_μ, ν̄_μ per cm² per POT per GeV


EDGES = np.arange(1.0, 5.0001, 0.5)


def _check_factor(res, species, ref, factor=1.5):
    ratio = res.flux[species] / ref
    rel = res.error[species] / res.flux[species]
    assert np.all(ratio < factor * (1 + 3 * rel)), ratio
    assert np.all(ratio > (1 / factor) * (1 - 3 * rel)), ratio
    return ratio


@pytest.fixture(scope="module")
def minerva_fhc():
    return neutrino_flux("minerva", "neutrino", n_mesons=100_000, chunk=100_000, seed=11, edges_GeV=EDGES)


def test_dune_nd_flux_within_factor_1p5():
    """ν_μ at DUNE ND-LAr vs the DUNE TDR ND FHC flux: every 0.5 GeV bin of 1-5 GeV within ×1.5 (with a 3σ MC
    allowance). The reference is tabulated per 0.25 GeV (bin centres): the mean of two entries is the
    0.5 GeV bin."""
    e, numu, _ = _reference("DUNE_ND_FHC.dat")
    ref = np.array([numu[(e > lo) & (e < hi)].mean() for lo, hi in itertools.pairwise(EDGES)])
    res = neutrino_flux("dune-nd", "neutrino", n_mesons=100_000, chunk=100_000, seed=12, edges_GeV=EDGES)
    ratio = _check_factor(res, "nu_mu", ref)
    assert 0.7 < np.sum(res.flux["nu_mu"]) / np.sum(ref) < 1.3
    assert ratio.max() / ratio.min() < 2.0


def test_minerva_flux_within_factor_1p5(minerva_fhc):
    """ν_μ at MINERvA vs the MINERvA LE flux (arXiv:1607.00704, DarkNews copy tabulated at E = k·50/99 GeV,
    interpolated linearly at our bin centres): every 0.5 GeV bin of 1-5 GeV within ×1.5 (3σ MC allowance)."""
    e, numu, numubar = _reference("NUMI_FHC_LE.dat")
    c = 0.5 * (EDGES[1:] + EDGES[:-1])
    _check_factor(minerva_fhc, "nu_mu", np.interp(c, e, numu))
    assert 0.7 < np.sum(minerva_fhc.flux["nu_mu"]) / np.sum(np.interp(c, e, numu)) < 1.3
    # the wrong-sign flux (unfocused forward π−) is of the published size, within a factor 2
    r_bar = np.sum(minerva_fhc.flux["nu_mu_bar"]) / np.sum(np.interp(c, e, numubar))
    assert 0.5 < r_bar < 2.0


def test_antineutrino_mode_swaps_the_dominant_sign(minerva_fhc):
    rhc = neutrino_flux("minerva", "antineutrino", n_mesons=50_000, chunk=50_000, seed=13, edges_GeV=EDGES)
    assert minerva_fhc.integrated("nu_mu") > 5 * minerva_fhc.integrated("nu_mu_bar")
    assert rhc.integrated("nu_mu_bar") > 3 * rhc.integrated("nu_mu")
    # horn polarity only: in RHC the ν̄_μ is below the FHC ν_μ (π−/π+ < 1)
    assert rhc.integrated("nu_mu_bar") < minerva_fhc.integrated("nu_mu")


@pytest.fixture
def far_detectors():
    """Two copies of MINERvA on the NuMI axis at 100 and 200 km (temporary registry entries)."""
    base = get_experiment("minerva")
    names = []
    for d in (100.0, 200.0):
        name = f"test-minerva-{d:g}km"
        EXPERIMENTS.add(name, dataclasses.replace(base, name=name, distance=d * hu.km, off_axis_angle=0.0))
        names.append(name)
    yield names
    for name in names:
        EXPERIMENTS.remove(name)


def test_inverse_square_law_far_from_the_source(far_detectors):
    """Far from the 0.72 km decay region the flux falls as 1/L²: 100 km vs 200 km gives 4 (to (1 − z̄/L)² ≲ 1 %;
    same seed, so the MC noise is correlated and small)."""
    near, far = (neutrino_flux(n, "neutrino", n_mesons=30_000, chunk=30_000, seed=14, parents=("pi+",),
                               edges_GeV=EDGES) for n in far_detectors)
    r = near.integrated("nu_mu") / far.integrated("nu_mu")
    err = 2 * np.sqrt(np.sum(near.error["nu_mu"] ** 2)) / np.sum(near.flux["nu_mu"])
    assert r == pytest.approx(4.0, rel=0.015 + 3 * err)


def test_off_axis_nova_nd_spectrum_is_softer():
    """12 mrad off axis (NOvA ND) the ν_μ spectrum is softer than on axis (MINERvA)."""
    edges = np.arange(0.0, 10.0001, 0.5)
    kw = {"n_mesons": 30_000, "chunk": 30_000, "seed": 15, "parents": ("pi+",), "edges_GeV": edges}
    on = neutrino_flux("minerva", "neutrino", **kw)
    off = neutrino_flux("nova-nd", "neutrino", **kw)
    c = 0.5 * (edges[1:] + edges[:-1])

    def mean_e(r):
        return np.sum(c * r.flux["nu_mu"]) / np.sum(r.flux["nu_mu"])

    assert mean_e(off) < 0.8 * mean_e(on)


def test_new_experiments_in_the_catalog():
    for name, beam, dist_m, angle in [("minerva", "numi", 1032.3, 0.75e-3), ("nova-nd", "numi", 993.0, 12.27e-3),
                                      ("microboone-numi", "numi", 685.3, 0.1356),
                                      ("icarus-numi", "numi", 803.7, 0.1004), ("dune-nd", "lbnf", 574.0, 0.0)]:
        exp = get_experiment(name)
        assert exp.beam == beam
        assert exp.distance / hu.m == pytest.approx(dist_m)
        assert exp.off_axis_angle == pytest.approx(angle)
        assert exp.geometry is not None and exp.fiducial_geometry is not None
        assert exp.pot and exp.fiducial_mass > 0 and exp.reference
    # NOvA ND from the g4numi position (11.717, -3.315, 992.935) m
    assert math.atan(math.hypot(11.717, 3.315) / 992.935) == pytest.approx(12.27e-3, rel=2e-3)


@pytest.mark.parametrize("beam", ["numi", "lbnf"])
def test_eta_at_120_gev_order_of_magnitude(beam):
    """η at 120 GeV takes the K0_L spectrum (no BMPT fit for η): its integrated yield relative to π0 must lie
    within a factor 2 of the ≈ 0.1 low-p_T η/π0 ratio measured from √s = 27.5 GeV (NA27) to 8 TeV (ALICE, EPJC
    78 (2018) 263). η and π0 are both made on the target; the η mass enters its kinematics."""
    from darkbeam.beams.production import production_table
    from darkbeam.detectors.catalog import BEAMS

    t = production_table(BEAMS.get(beam))
    assert 0.05 <= t["eta"] / t["pi0"] <= 0.2
