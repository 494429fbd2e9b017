"""HNLs from τ decays (darkbeam.production.tau_chain): D±, D_s± → τν, τ → N X at the 120 GeV beams.

Independent routes: the SM τ branching ratios (PDG 2022) at m_N → 0; the two-body widths from their spin-summed |M|²
in invariants; the three-body widths by a 2-D integration over the Dalitz plot in other invariants and by B2018's
function I (models.hnl.cc_phase_space); the N count per POT against (D per POT) × BR(D → τν) × BR(τ → N X); four-momentum
conservation and the energy end points of the chain; exact re-weighting in u2_tau, u2_mu; closed channels with reasons;
the other channels' random stream unchanged.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate

from darkbeam import constants as c
from darkbeam.beams.beamlines import BEAMS
from darkbeam.beams.production import mesons_per_pot
from darkbeam.kinematics.fourvec import boost, dot, two_body_momentum
from darkbeam.models import get_model
from darkbeam.models import hnl as hnl_mod
from darkbeam.models.hnl import HeavyNeutralLepton
from darkbeam.pipeline.boson_flux import iter_boson_sources, no_flux_reason
from darkbeam.pipeline.signal import build_signal
from darkbeam.production import tau_chain as tc
from darkbeam.production import two_body as tb
from darkbeam.production.channels import production_coupling2
from darkbeam.sample import ParticleSample


def hnl(mass_mev: float, **mix: str):
    return get_model("heavy-neutral-lepton", {"m_n": f"{mass_mev} MeV", "u2_mu": "0", **mix})


# short-distance electroweak correction to semi-hadronic τ decays, 1 + (2α/π) ln(M_Z/m_τ) (Marciano & Sirlin,
# PRL 61 (1988) 1815, leading log), absent from the tree-level widths; M_Z = 91.1876 GeV (PDG 2022)
S_EW = 1.0 + 2.0 * c.ALPHA_EM / math.pi * math.log(91187.6 / c.M_TAU)
# leptonic: QED correction 1 − α(π² − 25/4)/(2π) and the W propagator 1 + (3/5) m_τ²/M_W² (PDG 2022 "τ branching
# fractions" / muon-decay review), M_W = 80.377 GeV
LEPTONIC_RC = (1.0 - c.ALPHA_EM * (math.pi**2 - 6.25) / (2.0 * math.pi)) * (1.0 + 0.6 * (c.M_TAU / 80377.0) ** 2)


# ------------------------------------------------------------------------------------------------
# widths
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel, pdg_br, pdg_err, rc, tol", [
    # PDG 2022: τ → πν 10.82 ± 0.05 %; τ → ππ⁰ν (ρ) 25.49 ± 0.09 %; τ → eνν 17.82 ± 0.04 %; τ → μνν 17.39 ± 0.04 %
    ("N pi", 0.1082, 0.0005, S_EW, 0.01),   # f_π (±0.6 % in the width) and long-distance corrections (< 0.5 %)
    ("N rho", 0.2549, 0.0009, S_EW, 0.03),  # g_ρ = 0.162 GeV² to 3 digits, ρ width and non-resonant ππ: 3 %
    ("N e nu", 0.1782, 0.0004, LEPTONIC_RC, 0.005),   # lifetime / universality residual (g_τ/g_μ), < 0.5 %
    ("N mu nu", 0.1739, 0.0004, LEPTONIC_RC, 0.008),
    ("nu e N", 0.1782, 0.0004, LEPTONIC_RC, 0.005),   # the same SM limit through |U_e|²: τ → ν_τ e ν̄_e
    ("nu mu N", 0.1739, 0.0004, LEPTONIC_RC, 0.008),
])
def test_widths_at_zero_mass_are_the_sm_tau_widths(channel, pdg_br, pdg_err, rc, tol):
    """Γ(τ → N X)/|U|² at m_N → 0 is the SM width of τ → ν X: tree level × the stated radiative correction against the
    measured BR, within the stated theory tolerance (plus 2σ of the measurement). Tree level: BR(τ → πν) = 10.63 %,
    ρν 25.11 %, eνν 17.86 %, μνν 17.37 %."""
    pred = tc.unit_width(channel, 1e-3) / tc.GAMMA_TAU * rc
    assert abs(pred / pdg_br - 1.0) < tol + 2.0 * pdg_err / pdg_br, (channel, pred, pdg_br)


def test_kstar_coupling_is_that_of_the_decay_table():
    """g_K* is fixed by BR(τ → K*ν) = 1.20 % (so that channel reproduces it by construction); the N → ℓK* width uses the
    same number (models.hnl imports it), and the N-decay formula crossed to τ⁻ → ν_τ K*⁻ (width_lepton_vector at
    m = m_τ, m_ℓ = 0, a second route) gives the same BR."""
    assert hnl_mod.G_KSTAR is tc.G_KSTAR
    crossed = hnl_mod.width_lepton_vector(c.M_TAU, 0.0, c.M_KSTAR, tc.G_KSTAR, c.V_US)
    assert crossed / tc.GAMMA_TAU == pytest.approx(c.BR_TAU_KSTAR_NU, rel=1e-12)
    assert tc.unit_width("N K*", 0.0) / tc.GAMMA_TAU == pytest.approx(c.BR_TAU_KSTAR_NU, rel=1e-12)


@pytest.mark.parametrize("m_n", [0.0, 300.0, 700.0, 1200.0, 1600.0])
def test_two_body_widths_from_their_invariant_matrix_elements(m_n):
    """½Σ|M|² of τ⁻ → N h⁻ written in invariants (P = p_τ, k = p_N, q = p_h; derived from the V−A trace):
    pseudoscalar 2G_F²f²V²[2(k·q)(P·q) − m_h²(k·P)], vector 2G_F²g²V²[k·P + 2(k·q)(P·q)/m_h²]; Γ = p*/(8π m_τ²) ½Σ|M|²."""
    mt = c.M_TAU
    for name, (kind, m_h, coup, v) in tc.TWO_BODY.items():
        if m_n + m_h >= mt:
            assert tc.unit_width(name, m_n) == 0.0
            continue
        kP = (mt**2 + m_n**2 - m_h**2) / 2
        kq = (mt**2 - m_n**2 - m_h**2) / 2
        Pq = (mt**2 + m_h**2 - m_n**2) / 2
        if kind == "P":
            msq = 2 * c.G_F**2 * coup**2 * v**2 * (2 * kq * Pq - m_h**2 * kP)
        else:
            msq = 2 * c.G_F**2 * coup**2 * v**2 * (kP + 2 * kq * Pq / m_h**2)
        p = float(two_body_momentum(mt, m_n, m_h))
        assert tc.unit_width(name, m_n) == pytest.approx(p / (8 * math.pi * mt**2) * msq, rel=1e-10), name


def _dalitz_width(name: str, m_n: float) -> float:
    """Γ of a three-body channel from ½Σ|M|² = 64 G_F² (P·ā)(b·c) integrated over the Dalitz plot in the invariants
    m_ab̄² = (p_b + p_ā)² and m_āc² (PDG RPP Eq. 49.22: dΓ = ½Σ|M|²/(256π³m_τ³) dm₁₂² dm₂₃², limits Eq. 49.23)."""
    _, lep, paired = tc.THREE_BODY[name]
    m_l = tc.LEPTON_MASS[lep]
    mb, ma, mc = (m_n, 0.0, m_l) if paired else (0.0, m_n, m_l)  # b on the τ line, ā and c from the W
    M = c.M_TAU

    def inner(m23, m12):
        s_bc = M**2 + ma**2 + mb**2 + mc**2 - m12 - m23
        return 64 * c.G_F**2 * (M**2 + ma**2 - s_bc) / 2 * (s_bc - mb**2 - mc**2) / 2 / (256 * math.pi**3 * M**3)

    def lims(m12):
        m = math.sqrt(m12)
        e_a = (m12 - mb**2 + ma**2) / (2 * m)  # ā in the (bā) frame
        e_c = (M**2 - m12 - mc**2) / (2 * m)
        pa, pc = math.sqrt(max(e_a**2 - ma**2, 0)), math.sqrt(max(e_c**2 - mc**2, 0))
        return (e_a + e_c) ** 2 - (pa + pc) ** 2, (e_a + e_c) ** 2 - (pa - pc) ** 2

    val, _ = integrate.dblquad(inner, (mb + ma) ** 2, (M - mc) ** 2, lambda x: lims(x)[0], lambda x: lims(x)[1],
                               epsrel=1e-9, epsabs=0)
    return val


@pytest.mark.parametrize("m_n", [0.0, 250.0, 800.0, 1500.0])
@pytest.mark.parametrize("name", sorted(tc.THREE_BODY))
def test_three_body_widths_two_independent_integrals(name, m_n):
    """The 1-D width (pair mass s, B2018 Sec. 2.2) against a 2-D Dalitz integral in other invariants, and against
    Γ₀(m_τ) I(x_u, x_d, x_l) of B2018 Sec. 3.1.1 (models.hnl.cc_phase_space; the parent τ, x_l the daughter on its
    line, x_u the W's fermion, x_d its antifermion); massless: G_F² m_τ⁵/(192π³)."""
    _, lep, paired = tc.THREE_BODY[name]
    x_l, x_n = tc.LEPTON_MASS[lep] / c.M_TAU, m_n / c.M_TAU
    w = tc.three_body_width(name, m_n)
    assert w == pytest.approx(_dalitz_width(name, m_n), rel=1e-6)
    i_b2018 = hnl_mod.cc_phase_space(x_l, 0.0, x_n) if paired else hnl_mod.cc_phase_space(x_l, x_n, 0.0)
    assert w == pytest.approx(hnl_mod.gamma0(c.M_TAU) * i_b2018, rel=1e-8)
    if m_n == 0.0 and lep == "e":
        assert w == pytest.approx(c.G_F**2 * c.M_TAU**5 / (192 * math.pi**3), rel=1e-5)


def test_branching_ratios_scale_with_their_own_mixing_and_close_at_threshold():
    """BR ∝ the channel's mixing (τ-mixing channels ∝ |U_τ|², τ → ν ℓ N ∝ |U_ℓ|²); each closes at its threshold."""
    b1 = tc.tau_branching_ratios(500.0, {"tau": 1e-6, "e": 2e-6, "mu": 3e-6})
    b2 = tc.tau_branching_ratios(500.0, {"tau": 4e-6, "e": 2e-6, "mu": 0.0})
    for ch, mix in tc.MIXING.items():
        ratio = {"tau": 4.0, "e": 1.0, "mu": 0.0}[mix]
        assert b2[ch] == pytest.approx(ratio * b1[ch], rel=1e-12, abs=0.0)
    assert tc.unit_width("N pi", c.M_TAU - c.M_PI - 1e-6) > 0 and tc.unit_width("N pi", c.M_TAU - c.M_PI) == 0.0
    assert tc.unit_width("N rho", 1000.0) > 0 and tc.unit_width("N rho", c.M_TAU - c.M_RHO) == 0.0
    assert tc.unit_width("nu mu N", c.M_TAU - c.M_MU + 1e-3) == 0.0 and tc.unit_width("N e nu", 1776.0) > 0


# ------------------------------------------------------------------------------------------------
# kinematics
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", tc.CHANNELS)
def test_tau_decay_momenta_conserve_four_momentum_and_reach_the_end_points(name):
    """Lab τ's (boosted): daughters sum to the τ, N on its mass shell; in the τ frame the N energy is the two-body value,
    or for three bodies inside [E_min, E_max] with both ends reached (n = 100 000, fixed seed)."""
    m_n = 400.0
    rng = np.random.default_rng(7)
    n = 100_000
    rest = np.tile([c.M_TAU, 0.0, 0.0, 0.0], (n, 1))
    beta = np.array([0.3, -0.2, 0.9])
    p_tau = boost(rest, beta)
    out = tc.tau_decay_momenta(rng, p_tau, name, m_n)
    total = out["N"] + sum(out["other"])
    assert np.allclose(total, p_tau, rtol=0, atol=1e-9 * c.M_TAU * 3)
    assert np.allclose(dot(out["N"], out["N"]), m_n**2, rtol=1e-9, atol=1e-6 * c.M_TAU**2)
    e_star = dot(out["N"], p_tau) / c.M_TAU  # N energy in the τ frame
    if name in tc.TWO_BODY:
        m_h = tc.TWO_BODY[name][1]
        assert np.allclose(e_star, (c.M_TAU**2 + m_n**2 - m_h**2) / (2 * c.M_TAU), rtol=1e-9)
        return
    m_l = tc.LEPTON_MASS[tc.THREE_BODY[name][1]]
    # recoil system: (ℓ ν̄) from m_ℓ to m_τ − m_N (paired), (ν ℓ) from m_ℓ to m_τ − m_N
    e_max = (c.M_TAU**2 + m_n**2 - m_l**2) / (2 * c.M_TAU)
    assert e_star.min() >= m_n * (1 - 1e-9) and e_star.max() <= e_max * (1 + 1e-9)
    assert e_star.max() > e_max - 0.01 * (e_max - m_n) and e_star.min() < m_n + 0.02 * (e_max - m_n)


@pytest.mark.parametrize("name", sorted(tc.THREE_BODY))
def test_three_body_pair_mass_follows_the_width_density(name):
    """The sampled pair mass² s against dΓ/ds integrated bin by bin with scipy.quad: χ² over 20 bins below
    ndf + 5√(2 ndf) (n = 200 000, fixed seed)."""
    m_n = 600.0
    s = tc._sample_s(np.random.default_rng(11), name, m_n, 200_000)
    lo, hi = tc._s_limits(name, m_n)
    edges = np.linspace(lo, hi, 21)
    obs, _ = np.histogram(s, edges)
    tot = tc.three_body_width(name, m_n)
    exp = np.array([integrate.quad(lambda x: float(tc.three_body_density(name, m_n, np.array([x]))[0]), a, b,
                                   epsrel=1e-10)[0] for a, b in itertools.pairwise(edges)]) / tot * len(s)
    assert exp.sum() == pytest.approx(len(s), rel=1e-6)
    chi2 = float(np.sum((obs - exp) ** 2 / exp))
    assert chi2 < 20 + 5 * math.sqrt(40), chi2


def test_chain_from_ds_at_rest_energy_end_points_and_weights():
    """D_s⁺ at rest: τ⁺ with the two-body momentum; the N lab energy lies within the analytic end points
    γ(E* ∓ βp*) of each τ channel, which are reached; weights = BR(D_s → τν) × Σ BR(τ → N X) of the label;
    charges: τ⁺ → N̄ h⁺ (U_τ, CP conjugate), τ⁺ → ν̄ μ⁺ N (U_μ, not)."""
    n = 50_000
    parents = ParticleSample(np.full(n, 431), np.tile([c.M_DS, 0, 0, 0], (n, 1)), np.zeros((n, 3)), np.full(n, 2.0))
    model = hnl(1000, u2_tau="1e-5", u2_mu="1e-6")
    got = {lab: (xs, pp4) for xs, pp4, lab in tc.TauChain().sample(np.random.default_rng(5), "Ds+", parents, model)}
    assert set(got) == {"Ds+ t/t", "Ds+ t/mu"}
    p_t = float(two_body_momentum(c.M_DS, c.M_TAU, 0.0))
    g, bg = math.hypot(c.M_TAU, p_t) / c.M_TAU, p_t / c.M_TAU
    br_d = tb.branching_ratio("Ds+", "tau", 0.0, 1.0)
    for lab, (xs, pp4) in got.items():
        assert np.allclose(np.linalg.norm(pp4[:, 1:], axis=1), p_t, rtol=1e-9)
        mix = "tau" if lab.endswith("t/t") else "mu"
        br = sum(v for ch, v in tc.tau_branching_ratios(1000.0, {mix: float(model.mixing_squared(mix))}).items())
        assert np.allclose(xs.w, 2.0 * br_d * br, rtol=1e-12)
        assert np.all(xs.extra["cp_conjugate"] == (mix == "tau")) and np.all(xs.extra["polarisation"] == 0.0)
        assert np.all(xs.extra["parent_pdg"] == -15)
    # the U_τ label with its N π channel: E* fixed, lab energies between γ(E* − βp*) and γ(E* + βp*)
    xs, pp4 = got["Ds+ t/t"]
    chans = [ch for ch in tc.CHANNELS if tc.MIXING[ch] == "tau" and tc.unit_width(ch, 1000.0) > 0]
    sel = xs.extra["tau_channel"] == chans.index("N pi")
    e_s = (c.M_TAU**2 + 1000.0**2 - c.M_PI**2) / (2 * c.M_TAU)
    p_s = math.sqrt(e_s**2 - 1000.0**2)
    lo, hi = g * e_s - bg * p_s, g * e_s + bg * p_s
    e = xs.p4[sel, 0]
    assert e.min() >= lo * (1 - 1e-9) and e.max() <= hi * (1 + 1e-9)
    assert e.min() < lo + 0.01 * (hi - lo) and e.max() > hi - 0.01 * (hi - lo)
    # the channel fractions follow the widths (binomial, 5σ)
    widths = np.array([tc.unit_width(ch, 1000.0) for ch in chans])
    frac = widths / widths.sum()
    counts = np.bincount(xs.extra["tau_channel"], minlength=len(chans))
    assert np.all(np.abs(counts - n * frac) < 5 * np.sqrt(n * frac * (1 - frac)) + 1e-9)


# ------------------------------------------------------------------------------------------------
# the channel in the flux and signal code
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("beam_name, experiment", [("lbnf", "dune-nd"), ("numi", "microboone-numi")])
def test_n_per_pot_is_d_per_pot_times_the_branching_ratios(beam_name, experiment):
    """Without acceptance, Σ w of each τ-chain label = (D per POT) × BR(D → τν) × Σ BR(τ → N X) of its mixing, within
    4σ of the sample's MC error (n = 40 000 per species, fixed seed); u2_tau only (500 MeV): the τ chain is the only
    source."""
    beam = BEAMS.get(beam_name)
    model = hnl(500, u2_tau="1e-4")
    sums: dict[str, list[float]] = {}
    for xs, _, label in iter_boson_sources(model, experiment, "neutrino", n_mesons=40_000, rng=np.random.default_rng(3)):
        acc = sums.setdefault(label, [0.0, 0.0])
        acc[0] += xs.w.sum()
        acc[1] += np.sum(xs.w**2)
    assert set(sums) == {"D+ t/t", "D- t/t", "Ds+ t/t", "Ds- t/t"}
    br_tau = sum(tc.tau_branching_ratios(500.0, {"tau": 1e-4}).values())
    for label, (tot, tot2) in sums.items():
        parent = label.split()[0]
        expected = mesons_per_pot(beam, parent) * tb.branching_ratio(parent, "tau", 0.0, 1.0) * br_tau
        assert abs(tot - expected) < 4 * math.sqrt(tot2), (label, tot, expected)


def test_reweighting_in_u2_tau_and_u2_mu_is_exact():
    """The same generator gives the same N's at other mixings, each label's weights scaled exactly by its own mixing
    (``coupling2``); at the signal level (long-lived N at DUNE ND) the t/t and t/mu events re-weight by the ratio of
    their production mixings times a common decay factor."""
    # mixings ~1e-12: cτ ~ 10⁷ km, so the decay probability is linear in Γ to ~1e-9 over DUNE ND (at 1e-9 the
    # event-to-event spread of the decay factor is 1e-5, the O(L/λ) term)
    m1 = hnl(500, u2_tau="1e-12", u2_mu="1e-12", u2_e="1e-12")
    m2 = m1.replace(u2_tau=3e-12, u2_mu=5e-12, u2_e=1e-12)
    f1 = {lab: xs for xs, _, lab in iter_boson_sources(m1, "dune-nd", "neutrino", n_mesons=5000,
                                                       rng=np.random.default_rng(2)) if " t/" in lab}
    f2 = {lab: xs for xs, _, lab in iter_boson_sources(m2, "dune-nd", "neutrino", n_mesons=5000,
                                                       rng=np.random.default_rng(2)) if " t/" in lab}
    assert set(f1) == set(f2) == {f"{p} t/{m}" for p in ("D+", "D-", "Ds+", "Ds-") for m in ("t", "e", "mu")}
    for lab, xs in f1.items():
        mix = {"t": "tau", "e": "e", "mu": "mu"}[lab.split("/")[1]]
        assert np.array_equal(xs.p4, f2[lab].p4)
        ratio = m2.mixing_squared(mix) / m1.mixing_squared(mix)
        assert np.allclose(f2[lab].w, xs.w * ratio, rtol=1e-12, atol=0)
        assert production_coupling2(m1, np.array([lab]))[0] == m1.mixing_squared(mix)
    s = build_signal(m1, "dune-nd", "neutrino", n_mesons=5000, n_events=2000, seed=4, detector=False)
    part = s.parts[2]  # N -> nu e+ e-: open for every mixing
    w1, w2 = part.weights(m1), part.weights(m2)
    src = part.source
    r_t = w2[np.char.endswith(src, "t/t")] / w1[np.char.endswith(src, "t/t")]
    r_mu = w2[np.char.endswith(src, "t/mu")] / w1[np.char.endswith(src, "t/mu")]
    assert len(r_t) and len(r_mu)
    decay = r_t / 3.0  # the decay factor: the same for every event in the long-lived limit (λ ≫ 574 m)
    assert np.allclose(decay, decay[0], rtol=1e-6)
    assert np.allclose(r_mu, 5.0 * decay[0], rtol=1e-6)


def test_closed_channels_give_their_reasons():
    """No charm at the BNB (below threshold) or at a stopped source: the τ chain is closed with that reason, and a
    u2_tau-only N at MicroBooNE/BNB is empty with it; above m_τ − m_e every τ channel is closed (reason given)."""
    model = hnl(500, u2_tau="1e-4")
    ch = tc.TauChain()
    for name in ("bnb", "numi-absorber"):
        bound = ch.for_beam(model, BEAMS.get(name))
        assert bound.parents == () and bound.closed and bound.describe()["closed"] == bound.closed
    assert ch.for_beam(model, BEAMS.get("numi")) is ch and ch.for_beam(model, BEAMS.get("lbnf")) is ch
    sample = build_signal(model, "microboone", "neutrino", n_mesons=2000, n_events=100, seed=1, detector=False)
    assert sample.total() == 0.0 and "4.31 GeV" in sample.note and "threshold" in sample.note
    heavy = hnl(1800, u2_tau="1e-4")
    bound = ch.for_beam(heavy, BEAMS.get("numi"))
    assert bound.parents == () and "m_tau - m_e" in bound.closed
    rows = ch.branching_ratios(heavy)
    assert rows and all(r["value"] == "closed" for r in rows)
    assert not list(iter_boson_sources(heavy, "microboone-numi", "neutrino", n_mesons=2000,
                                       rng=np.random.default_rng(1)))
    assert "m_tau - m_e" in no_flux_reason(heavy, "microboone-numi", "neutrino", "N")


def test_other_channels_unchanged_by_the_tau_chain(monkeypatch):
    """The τ chain draws from a side stream: every non-τ-chain source at NuMI is bit-identical with and without the
    channel declared (u2_mu > 0, 500 MeV: D → μN); with u2_tau = 0 no t/t label appears."""
    def sources(production):
        monkeypatch.setattr(HeavyNeutralLepton, "production", production)
        m = hnl(500, u2_mu="1e-8")  # a fresh model object
        return [(lab, xs.p4.copy(), xs.w.copy(), xs.x.copy()) for xs, _, lab in iter_boson_sources(
            m, "microboone-numi", "neutrino", n_mesons=5000, chunk=2000, rng=np.random.default_rng(9))]
    new = HeavyNeutralLepton.production
    after = sources(new)
    before = sources(tuple(ch for ch in new if not isinstance(ch, tc.TauChain)))
    kept = [a for a in after if " t/" not in a[0]]
    assert len(kept) == len(before) > 0 and len(after) > len(before)
    for a, b in zip(kept, before, strict=True):
        assert a[0] == b[0] and all(np.array_equal(x, y) for x, y in zip(a[1:], b[1:], strict=True))
    assert not any(a[0].endswith("t/t") for a in after)
