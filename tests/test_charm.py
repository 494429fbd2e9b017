"""Charm at 120 GeV (darkbeam.beams.charm) and HNLs from D±, D_s± → ℓ±N (darkbeam.production.two_body).

Each check uses an independent route: measured leptonic branching ratios (PDG 2022) for the width formula, the
analytic m_N → 0 limit, a second integration method and the high-energy limit for the LO energy dependence, the
HERA-B cross-section for the energy dependence calibrated at NA27, the analytic x_F and p_T shapes for the sampler.
"""

from __future__ import annotations

import math

import hepunits as hu
import numpy as np
import pytest
from scipy import integrate

from darkbeam import constants as c
from darkbeam.beams import charm
from darkbeam.beams.beamlines import BEAMS
from darkbeam.beams.production import mesons_per_pot, production_model, sample_mesons
from darkbeam.errors import InputError
from darkbeam.models import get_model
from darkbeam.pipeline.boson_flux import iter_boson_sources
from darkbeam.pipeline.signal import build_signal
from darkbeam.production import two_body as tb

# PDG 2022 (R.L. Workman et al., PTEP 2022, 083C01) measured leptonic branching ratios and their errors
PDG_BR = {("Ds+", "mu"): (5.43e-3, 0.15e-3), ("D+", "mu"): (3.74e-4, 0.17e-4), ("Ds+", "tau"): (5.32e-2, 0.11e-2)}
# relative 1σ errors of the inputs of the prediction: |V_cd| 0.004/0.221, |V_cs| 0.006/0.975 (PDG 2022 CKM review),
# f_D 0.7/212.0, f_Ds 0.5/249.9 (FLAG 2021), lifetimes τ(D+) 1033 ± 5 fs, τ(Ds) 501.2 ± 2.2 fs (PDG 2022)
INPUT_REL = {"D+": math.hypot(2 * 0.004 / 0.221, 2 * 0.7 / 212.0, 5 / 1033),
             "Ds+": math.hypot(2 * 0.006 / 0.975, 2 * 0.5 / 249.9, 2.2 / 501.2)}
# radiative corrections, not in the tree-level formula: ~1-2 % for P → ℓν (PDG 2022 "Leptonic decays" review)
RADIATIVE_REL = 0.02


def hnl(mass_mev: float, **mix: str):
    return get_model("heavy-neutral-lepton", {"m_n": f"{mass_mev} MeV", **mix})


# ------------------------------------------------------------------------------------------------
# widths
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("parent, lepton", sorted(PDG_BR))
def test_sm_leptonic_branching_ratios_against_pdg(parent, lepton):
    """Tree-level BR(P → ℓν) from the width formula at m_N → 0, |U|² = 1, against the measured BR: within 2σ of the
    combined error (measurement, inputs f·V·τ, 2 % radiative corrections). Darkbeam: BR(D_s → μν) = 5.35e-3,
    BR(D⁺ → μν) = 3.87e-4, BR(D_s → τν) = 5.21e-2."""
    pred = tb.branching_ratio(parent, lepton, 0.0, 1.0)
    meas, err = PDG_BR[(parent, lepton)]
    sigma = math.hypot(err, pred * math.hypot(INPUT_REL[parent], RADIATIVE_REL))
    assert abs(pred - meas) < 2.0 * sigma, (pred, meas, sigma)


@pytest.mark.parametrize("parent, lepton", [("D+", "mu"), ("D+", "e"), ("Ds+", "mu"), ("Ds+", "e"), ("Ds+", "tau"),
                                            ("D-", "mu"), ("Ds-", "tau")])
def test_hnl_width_reduces_to_the_sm_width_times_u2(parent, lepton):
    """Γ(P → ℓN) → |U|² Γ_SM(P → ℓν) as m_N → 0, with Γ_SM written out here (PDG 2022 Eq. 72.1):
    G_F² f² |V|² m_ℓ² M (1 − m_ℓ²/M²)²/(8π); and at finite m_N the helicity factor ρ of Shrock / Bondarenko et al.
    in their form y_N²(1 − y_N² + 2y_ℓ² + (y_ℓ²/y_N²)(1 − y_ℓ²)) λ^{1/2}/[y_ℓ²(1 − y_ℓ²)²]."""
    f, v, mass = {"D": (c.F_D, c.V_CD, c.M_D), "Ds": (c.F_DS, c.V_CS, c.M_DS)}[parent.rstrip("+-")]
    m_l = {"e": c.M_E, "mu": c.M_MU, "tau": c.M_TAU}[lepton]
    gamma_sm = c.G_F**2 * f**2 * v**2 * m_l**2 * mass * (1 - m_l**2 / mass**2) ** 2 / (8 * math.pi)
    u2 = 3e-7
    assert tb.width(parent, lepton, 1e-4, u2) == pytest.approx(u2 * gamma_sm, rel=1e-6)
    assert tb.sm_limit_width(parent, lepton) == pytest.approx(gamma_sm, rel=1e-12)
    m_n = 0.5 * (mass - m_l)
    yn2, yl2 = (m_n / mass) ** 2, (m_l / mass) ** 2
    lam = (1 - yn2 - yl2) ** 2 - 4 * yn2 * yl2
    rho = yn2 * (1 - yn2 + 2 * yl2 + yl2 / yn2 * (1 - yl2)) * math.sqrt(lam) / (yl2 * (1 - yl2) ** 2)
    assert tb.width(parent, lepton, m_n, u2) == pytest.approx(u2 * gamma_sm * rho, rel=1e-10)
    assert tb.width(parent, lepton, mass - m_l, u2) == 0.0  # closed at threshold


def test_charm_channel_branching_ratios_and_tau_thresholds():
    """The prompt channel's ``darkbeam br`` rows: D_s⁺ → τ⁺N open below m_Ds − m_τ = 191 MeV, closed above; every
    BR scales with the mixing of its lepton."""
    ch = tb.PromptMesonTwoBody()
    low = {(r["parent"], r["lepton"]): r["value"] for r in ch.branching_ratios(hnl(150, u2_mu="1e-6",
                                                                                   u2_tau="1e-6"))}
    high = {(r["parent"], r["lepton"]): r["value"] for r in ch.branching_ratios(hnl(1000, u2_mu="1e-6",
                                                                                    u2_tau="1e-6"))}
    assert low[("Ds+", "tau")] > 0 and high[("Ds+", "tau")] == "closed" and high[("D+", "tau")] == "closed"
    assert low[("Ds+", "e")] == 0.0  # u2_e = 0
    assert high[("Ds+", "mu")] == pytest.approx(tb.branching_ratio("Ds+", "mu", 1000.0, 1e-6), rel=1e-12)
    assert high[("Ds-", "mu")] == high[("Ds+", "mu")]


# ------------------------------------------------------------------------------------------------
# σ(cc̄) and its energy dependence
# ------------------------------------------------------------------------------------------------
def test_partonic_cross_section_high_energy_limit():
    """σ̂(gg → cc̄) → π/(3ŝ) [ln(ŝ/m²) − 7/4] (per α_s²) for ŝ ≫ m² (the ρ → 0 limit of Combridge's formula,
    expanded here: ln((1+β)/(1−β)) → ln(4/ρ) = ln(ŝ/m²))."""
    m, shat = 1.5, 1.5e6
    limit = math.pi / (3 * shat) * (math.log(shat / m**2) - 7 / 4)
    assert charm.sigma_hat_gg(shat, m) == pytest.approx(limit, rel=1e-4)
    assert charm.sigma_hat_gg(4 * m * m * 0.999, m) == 0.0


def test_lo_integral_with_a_second_integration_method():
    """σ_LO(√s) computed in (ln τ, ln x₁) equals the direct double integral over (x₁, x₂) of g(x₁) g(x₂) σ̂(x₁x₂s)
    (scipy dblquad in other variables)."""
    rs, m, eta = 15.06, 1.5, 5.0
    a = 0.5 * (eta + 1)
    s = rs * rs

    def f(x2, x1):
        return (a * (1 - x1) ** eta / x1) * (a * (1 - x2) ** eta / x2) * charm.sigma_hat_gg(x1 * x2 * s, m)

    tau0 = 4 * m * m / s
    direct = integrate.dblquad(f, tau0, 1.0, lambda x1: tau0 / x1, lambda x1: 1.0, epsabs=0, epsrel=1e-8)[0]
    assert charm.sigma_lo_gg(rs, m, eta) == pytest.approx(direct, rel=1e-5)


def test_sigma_cc_at_120_gev_and_the_herab_check():
    """σ_cc̄ per nucleon: NA27 σ(D/D̄) = 30.2 μb → 17.8 μb at √s = 27.4 GeV; at 120 GeV/c (√s = 15.06 GeV)
    2.31 μb, inside the band 1.60-4.51 μb (LO grid × NA27 ±11 %). The same energy dependence predicts 45.0 μb at
    920 GeV/c, within 1σ of HERA-B's 49.1 ± 4.6 ± 7.4 μb (σ combined with NA27's 11 %)."""
    p120 = 120 * hu.GeV
    assert charm.sqrt_s(p120) / hu.GeV == pytest.approx(15.06, abs=0.01)
    assert charm.sigma_cc_na27() == pytest.approx(30.2 / (2 * (0.6086 + 0.2404)), rel=1e-12)
    s120 = charm.sigma_cc(p120) / hu.microbarn
    lo, hi = (x / hu.microbarn for x in charm.sigma_cc_band(p120))
    assert lo < s120 < hi
    assert s120 == pytest.approx(2.31, abs=0.01)
    assert (lo, hi) == pytest.approx((1.60, 4.51), abs=0.01)
    assert s120 < charm.sigma_cc_na27()  # below the lowest-energy measurement used
    pred = charm.sigma_cc(charm.HERAB_P_BEAM) / hu.microbarn
    err = math.hypot(charm.HERAB_STAT_UB, charm.HERAB_SYST_UB, pred * charm.NA27_SIGMA_DDBAR_ERR_UB
                     / charm.NA27_SIGMA_DDBAR_UB)
    assert abs(pred - charm.HERAB_SIGMA_CC_UB) < err
    lo9, hi9 = (x / hu.microbarn for x in charm.sigma_cc_band(charm.HERAB_P_BEAM))
    assert lo9 < charm.HERAB_SIGMA_CC_UB < hi9


@pytest.mark.parametrize("beam_name", ["numi", "lbnf"])
def test_yields_per_pot_equal_p_int_a_sigma_f_over_sigma_inel(beam_name):
    """Integrated d²σ/dp dΩ = A σ_cc̄ f(c → H) (the kinematic cut E* ≤ E*max and |x_F| < 1 lose < 1e-4), so
    D per POT = P_int A σ_cc̄ f / σ_inel (α = 1)."""
    from darkbeam.beams import target

    beam = BEAMS.get(beam_name)
    norm = target.interaction_probability(beam) / target.sigma_inelastic(beam)
    for sp, frac in (("D+", 0.2404), ("D-", 0.2404), ("Ds+", 0.0802), ("Ds-", 0.0802)):
        expected = norm * 12.0107 * charm.sigma_cc(beam.proton_momentum) * frac
        assert mesons_per_pot(beam, sp) == pytest.approx(expected, rel=1e-4)
        assert production_model(beam, sp).pdg == {"D+": 411, "D-": -411, "Ds+": 431, "Ds-": -431}[sp]


# ------------------------------------------------------------------------------------------------
# kinematics
# ------------------------------------------------------------------------------------------------
def test_xf_pt_sampling_against_the_analytic_shape():
    """Weighted D_s⁺ sampled on NuMI: the x_F and p_T² histograms follow (n+1)/2 (1 − |x_F|)^n and b exp(−b p_T²)
    (n = 4.9, b = 1.0 GeV⁻²), bin by bin within 4 standard errors of the weighted sums (fixed seed); the total
    weight equals mesons_per_pot within 4 standard errors."""
    beam = BEAMS.get("numi")
    model = production_model(beam, "Ds+")
    s = sample_mesons(beam, "Ds+", 200_000, np.random.default_rng(7))
    p = np.linalg.norm(s.p4[:, 1:], axis=1)
    theta = np.arccos(np.clip(s.p4[:, 3] / p, -1, 1))
    x_f, p_t, _ = model.xf_pt(p / hu.GeV, theta)
    w = s.w
    total, total_err = w.sum(), math.sqrt(np.sum(w * w))
    assert abs(total - mesons_per_pot(beam, "Ds+")) < 4 * total_err
    n, b = charm.NA27_N, charm.NA27_B

    # cumulative of (n+1)/2 (1 − |x|)^n on [−1, 1]: ½(1 − |x|)^(n+1) for x < 0, 1 − ½(1 − x)^(n+1) for x ≥ 0
    edges = np.linspace(-0.6, 0.6, 13)
    cdf = np.where(edges < 0, 0.5 * (1 - np.abs(edges)) ** (n + 1), 1 - 0.5 * (1 - edges) ** (n + 1))
    expected = np.diff(cdf) * total
    got = np.histogram(x_f, edges, weights=w)[0]
    err = np.sqrt(np.histogram(x_f, edges, weights=w * w)[0])
    assert np.all(np.abs(got - expected) < 4 * np.hypot(err, np.diff(cdf) * total_err)), (got / expected)
    pt2_edges = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0])
    expected_pt = (np.exp(-b * pt2_edges[:-1]) - np.exp(-b * pt2_edges[1:])) * total
    got_pt = np.histogram(p_t**2, pt2_edges, weights=w)[0]
    err_pt = np.sqrt(np.histogram(p_t**2, pt2_edges, weights=w * w)[0])
    assert np.all(np.abs(got_pt - expected_pt) < 4 * np.hypot(err_pt, expected_pt / total * total_err))


# ------------------------------------------------------------------------------------------------
# beams that make no charm, and the prompt channel in the flux code
# ------------------------------------------------------------------------------------------------
def test_bnb_charm_request_closes_with_its_reason():
    """8.89 GeV/c on a nucleon: √s = 4.31 GeV, below every open-charm threshold (N Λc D̄: 5.09 GeV; D⁺ needs
    D̄⁰NN recoil: 5.61 GeV). A direct request is refused naming the threshold; the HNL's charm channel is closed on
    the BNB (no parents, reason kept), on its steel dump and at a stopped source; it stays open at NuMI and LBNF."""
    bnb = BEAMS.get("bnb")
    rs = math.sqrt(2 * c.M_P**2 + 2 * c.M_P * math.hypot(8.89 * hu.GeV, c.M_P))
    assert rs / hu.GeV == pytest.approx(4.31, abs=0.005)
    assert charm.open_charm_threshold() / hu.GeV == pytest.approx(0.9396 + 2.2865 + 1.8648, abs=1e-3)
    assert rs < charm.open_charm_threshold() < c.M_D + c.M_D0 + 2 * c.M_N
    with pytest.raises(InputError, match="threshold.*4.31 GeV"):
        mesons_per_pot(bnb, "D+")
    model = hnl(1000, u2_mu="1e-8")
    ch = tb.PromptMesonTwoBody()
    for name in ("bnb", "bnb-off-target", "numi-absorber"):
        bound = ch.for_beam(model, BEAMS.get(name))
        assert bound.parents == () and bound.closed and bound.describe()["closed"] == bound.closed
    assert "4.31 GeV" in ch.for_beam(model, bnb).closed and "threshold" in ch.for_beam(model, bnb).closed
    assert "stopped" in ch.for_beam(model, BEAMS.get("numi-absorber")).closed
    for name in ("numi", "lbnf"):
        assert ch.for_beam(model, BEAMS.get(name)) is ch
    # the BNB flux of the full model: only π/K labels, and above m_K − m_μ nothing at all
    labels = {lab for _, _, lab in iter_boson_sources(hnl(300, u2_mu="1e-8"), "microboone", "neutrino",
                                                      n_mesons=2000, rng=np.random.default_rng(1))}
    assert labels and all(lab.split()[0] in ("pi+", "pi-", "K+", "K-") for lab in labels)
    assert not list(iter_boson_sources(model, "microboone", "neutrino", n_mesons=2000, rng=np.random.default_rng(1)))
    # the empty signal sample says why, the charm threshold included
    sample = build_signal(model, "microboone", "neutrino", n_mesons=2000, n_events=100, seed=1, detector=False)
    assert sample.total(model, 1.0) == 0.0 and "threshold" in sample.note and "4.31 GeV" in sample.note


def test_prompt_charm_sources_at_numi():
    """At NuMI (horn-window focusing) the D's decay at their production vertex in the target, unfocused, and the
    N weight of each source is (D per POT) × BR(D → μN) within its Monte Carlo error (4σ, fixed seed)."""
    beam = BEAMS.get("numi")
    model = hnl(1000, u2_mu="1e-8")
    sums: dict[str, list[float]] = {}
    tau_chain_labels = set()
    z_max = 0.0
    for xs, parent_p4, label in iter_boson_sources(model, "microboone-numi", "neutrino", n_mesons=40_000,
                                                   rng=np.random.default_rng(3)):
        assert label.split()[0] in charm.CHARM_SPECIES
        if label.split()[1].startswith("t/"):  # D → τν, τ → ν_τ μ N̄ (|U_μ|²): the τ is the parent; production/
            tau_chain_labels.add(label)        # tau_chain.py, its totals in tests/test_hnl_tau.py
            m_parent = np.sqrt(parent_p4[:, 0] ** 2 - np.sum(parent_p4[:, 1:] ** 2, axis=1))
            assert np.allclose(m_parent, c.M_TAU, rtol=1e-6)
            continue
        acc = sums.setdefault(label, [0.0, 0.0])
        acc[0] += xs.w.sum()
        acc[1] += np.sum(xs.w**2)
        z_max = max(z_max, float(np.max(np.abs(xs.x[:, 2]))))
        m_parent = np.sqrt(parent_p4[:, 0] ** 2 - np.sum(parent_p4[:, 1:] ** 2, axis=1))
        assert np.allclose(m_parent, {"D": c.M_D, "Ds": c.M_DS}[label.split()[0].rstrip("+-")], rtol=1e-6)
    assert z_max <= beam.target_length / 2 + 1e-9
    assert set(sums) == {"D+ mu", "D- mu", "Ds+ mu", "Ds- mu"}
    assert tau_chain_labels == {"D+ t/mu", "D- t/mu", "Ds+ t/mu", "Ds- t/mu"}  # u2_tau = u2_e = 0: only the |U_μ|² part
    for label, (tot, tot2) in sums.items():
        parent = label.split()[0]
        expected = mesons_per_pot(beam, parent) * tb.branching_ratio(parent, "mu", 1000.0, 1e-8)
        assert abs(tot - expected) < 4 * math.sqrt(tot2), (label, tot, expected)
