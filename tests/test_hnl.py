"""The neutrino portal (issue 11, item 3): the heavy-neutral-lepton model ``heavy-neutral-lepton``
(src/darkbeam/models/hnl.py).

* production π/K → ℓN: the m_N → 0 limit is |U|² × the SM width, and the whole formula agrees with an
  explicit Dirac-matrix trace of the V−A amplitude;
* decay widths: every channel and their sum at two masses against an independent calculation (explicit
  traces for the two-body channels; the four-fermion |M|² of darkbeam.interactions.hnl_decays integrated over
  the Dalitz plot for the three-body ones) and against the closed-form limits of Gorbunov & Shaposhnikov;
  Dirac vs Majorana;
* decay in volume at MicroBooNE against flux × decay probability (long-lived limit, analytic mean chord);
* registration validation, the example config through ``darkbeam run``, and the numbers of docs/portal_hnl.md.
"""

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

from darkbeam.constants import ALPHA_EM, F_PI, G_F, HBARC, M_E, M_K, M_MU, M_PI, M_PI0, SIN2_THETA_W, V_UD
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.interactions import hnl_decays as hd
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.kinematics.fourvec import two_body_momentum
from darkbeam.models import MODELS, get_model, hnl
from darkbeam.models.plugins import register_model, validate_model_class
from darkbeam.particles import HNL_PDG, TWO_BODY_FINAL_STATES
from darkbeam.production import two_body as tb
from darkbeam.production.matrix_elements import GAMMA5, MESONS, ONE4, slash
from darkbeam.production.three_body import two_body_width

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "hnl_microboone.toml"
#: labels of the model's detection channels (``DetectionChannel.label``, the per-event ``columns["channel"]``)
MU_PI, E_PI = "decay-in-volume N -> mu pi", "decay-in-volume N -> e pi"
NU_EE, NU_PI0 = "decay-in-volume N -> nu e+ e-", "decay-in-volume N -> nu pi0"
NU_MUMU, NU_GAMMA = "decay-in-volume N -> nu mu+ mu-", "decay-in-volume N -> nu gamma"
E_MU_NU = "decay-in-volume N -> e mu nu"


# ------------------------------------------------------------------------------------------------
# independent two-body widths: explicit Dirac traces
# ------------------------------------------------------------------------------------------------
def _trace(*factors: np.ndarray) -> float:
    out = ONE4
    for f in factors:
        out = out @ f
    return float(np.real(np.trace(out)))


def _two_body_frame(M: float, m1: float, m2: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Rest-frame momenta of M → 1 + 2 (1 along +z), and |p*|."""
    q = float(two_body_momentum(M, m1, m2))
    p1 = np.array([[math.hypot(q, m1), 0.0, 0.0, q]])
    p2 = np.array([[math.hypot(q, m2), 0.0, 0.0, -q]])
    return p1, p2, q


def trace_width_meson_to_lepton_hnl(M: float, coupling: float, m_l: float, m_n: float) -> float:
    """Γ(P⁺ → ℓ⁺ N) at |U|² = 1 from M = C p^μ ū_N γ_μ(1−γ⁵) v_ℓ, C = G_F V f/√2 (spin-0 parent)."""
    pn, pl, q = _two_body_frame(M, m_n, m_l)
    p = slash(pn + pl)[0]
    sum_m2 = coupling**2 * _trace(p, ONE4 - GAMMA5, slash(pl)[0] - m_l * ONE4, ONE4 + GAMMA5, p,
                                  slash(pn)[0] + m_n * ONE4)
    return q / (8 * math.pi * M**2) * sum_m2


def trace_width_hnl_to_lepton_meson(M: float, coupling: float, m_l: float, m_p: float) -> float:
    """Γ(N → ℓ⁻ P⁺) at |U|² = 1 from M = C p_P^μ ū_ℓ γ_μ(1−γ⁵) u_N, averaged over the N spin."""
    pl, pp, q = _two_body_frame(M, m_l, m_p)
    pn = pl + pp
    k = slash(pp)[0]
    sum_m2 = coupling**2 * _trace(k, ONE4 - GAMMA5, slash(pn)[0] + M * ONE4, ONE4 + GAMMA5, k,
                                  slash(pl)[0] + m_l * ONE4)
    return q / (8 * math.pi * M**2) * sum_m2 / 2


# ------------------------------------------------------------------------------------------------
# independent three-body widths: the four-fermion |M|² of interactions/hnl_decays over the Dalitz plot
# ------------------------------------------------------------------------------------------------
_GZ = 2 * math.sqrt(2) * G_F  # low-energy Z or W exchange between V−A currents (γ^μ P_L ⊗ γ_μ P_X)


def me_width_nu_ll(m: float, m_l: float, same_flavour: bool) -> float:
    """N → ν_α ℓ⁺ℓ⁻ (Dirac N, |U_α|² = 1): Z couplings (g_L, g_R) = (−½ + s_W², s_W²) of ℓ; for ℓ = ℓ_α the
    Fierzed W exchange adds 1 to g_L (as in ν_e e scattering)."""
    gl, gr = -0.5 + SIN2_THETA_W + (1.0 if same_flavour else 0.0), SIN2_THETA_W
    amp = lambda s: {"LL": -_GZ * gl, "LR": -_GZ * gr, "RL": 0.0, "RR": 0.0}
    return hd._three_body_width(m, m_l, m_l, 0.0, amp, n=64)


def me_width_cc(m: float, m_alpha: float, m_beta: float) -> float:
    """N → ℓ_α⁻ ℓ_β⁺ ν_β (W only, Fierzed to the neutral-current order of msq_dilepton)."""
    amp = lambda s: {"LL": _GZ, "LR": 0.0, "RL": 0.0, "RR": 0.0}
    return hd._three_body_width(m, m_alpha, m_beta, 0.0, amp, n=64)


def me_width_3nu_one_flavour(m: float) -> float:
    """N → ν_α ν_β ν̄_β for β ≠ α (Z only, g_L^ν = ½; no identical particles)."""
    amp = lambda s: {"LL": -_GZ * 0.5, "LR": 0.0, "RL": 0.0, "RR": 0.0}
    return hd._three_body_width(m, 1e-9, 1e-9, 0.0, amp, n=64)


def independent_widths(m: float, u2: dict[str, float]) -> dict[str, float]:
    """All Dirac widths of N from the independent routes above (the radiative width from the sterile-
    neutrino dark-matter formula 9αG_F² sin²2θ m⁵/(1024π⁴), sin²2θ = 4|U|², halved for a Dirac N)."""
    tot = sum(u2.values())
    pion = MESONS.get("pi")
    c_cc = G_F * V_UD * F_PI / math.sqrt(2)  # ⟨0|d̄γ^μγ⁵u|π⁺⟩ = i f_π p^μ
    c_nc = G_F * F_PI / 2  # (G_F/√2)·(f_π/√2): ⟨0|J_Z,axial|π⁰⟩ = f_π p^μ/√2 by isospin
    w = {
        # Σ_β (1 + δ_αβ): the identical-neutrino β = α term is twice a β ≠ α one
        "nu nu nu": tot * 4 * me_width_3nu_one_flavour(m),
        "nu e+ e-": sum(u * me_width_nu_ll(m, M_E, f == "e") for f, u in u2.items()),
        "nu mu+ mu-": (sum(u * me_width_nu_ll(m, M_MU, f == "mu") for f, u in u2.items()) if m > 2 * M_MU else 0.0),
        "e mu nu": ((u2["e"] * me_width_cc(m, M_E, M_MU) + u2["mu"] * me_width_cc(m, M_MU, M_E))
                    if m > M_E + M_MU else 0.0),
        "e pi": u2["e"] * trace_width_hnl_to_lepton_meson(m, c_cc, M_E, pion.mass) if m > M_E + M_PI else 0.0,
        "mu pi": u2["mu"] * trace_width_hnl_to_lepton_meson(m, c_cc, M_MU, pion.mass) if m > M_MU + M_PI else 0.0,
        "nu pi0": tot * trace_width_hnl_to_lepton_meson(m, c_nc, 0.0, M_PI0) if m > M_PI0 else 0.0,
        "nu gamma": tot * 9 * ALPHA_EM * G_F**2 * 4 * m**5 / (1024 * math.pi**4) / 2,
    }
    return w


# ------------------------------------------------------------------------------------------------
# production
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("parent", ["pi+", "K+"])
@pytest.mark.parametrize("lepton", ["e", "mu"])
def test_production_massless_limit_is_the_sm_width(parent, lepton):
    """m_N → 0: Γ(P → ℓN) = |U_ℓ|² Γ_SM(P → ℓν) (three_body.two_body_width, PDG Eq. 72.1), ρ → 1."""
    for m_n in (1e-5, 1e-4):
        assert tb.unit_width(parent, lepton, m_n) == pytest.approx(two_body_width(parent, lepton), rel=1e-6)
        assert tb.helicity_factor(MESONS.get(parent[:-1]).mass,
                                  {"e": M_E, "mu": M_MU}[lepton], m_n) == pytest.approx(1.0, rel=1e-6)
    u2 = 3e-7
    assert tb.width(parent, lepton, 1e-4, u2) == pytest.approx(u2 * two_body_width(parent, lepton), rel=1e-6)


def test_production_formula_matches_dirac_trace():
    """Γ(P → ℓN) of the Shrock/Bondarenko formula = explicit trace of the V−A amplitude, over the open range."""
    for key, parent in (("pi", "pi+"), ("K", "K+")):
        mes = MESONS.get(key)
        for lep, ml in (("e", M_E), ("mu", M_MU)):
            for frac in (0.01, 0.3, 0.7, 0.98):
                m_n = frac * (mes.mass - ml)
                assert tb.unit_width(parent, lep, m_n) == pytest.approx(
                    trace_width_meson_to_lepton_hnl(mes.mass, mes.coupling, ml, m_n), rel=1e-9)


def test_production_channel_brs_and_sampler():
    """Channel rows (Γ/Γ_tot), closed channels, and the sampler: N on shell, weights × BR, isotropic E*."""
    m = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "u2_mu": "2e-7", "u2_e": "1e-8"})
    ch = m.production[0]
    rows = {(r["parent"], r["lepton"]): r["value"] for r in ch.branching_ratios(m)}
    assert rows[("pi+", "mu")] == "closed" and rows[("pi-", "e")] == "closed"
    k = MESONS.get("K")
    assert rows[("K+", "mu")] == pytest.approx(2e-7 * tb.unit_width("K+", "mu", 300.0) / k.total_width, rel=1e-12)
    assert ch.coupling2(m, "K- e") == 1e-8 and ch.coupling2(m, "pi0") is None
    from darkbeam.sample import ParticleSample

    rng = np.random.default_rng(1)
    n = 4000
    p = rng.uniform(500, 3000, n)
    p4 = np.stack([np.hypot(p, k.mass), np.zeros(n), np.zeros(n), p], axis=1)
    parents = ParticleSample(np.full(n, 321), p4, np.zeros((n, 3)), np.full(n, 1e-3))
    out = list(ch.sample(rng, "K+", parents, m))
    assert [lab for _, _, lab in out] == ["K+ mu", "K+ e"]
    xs, pp4, _ = out[0]
    assert np.allclose(np.sqrt(xs.p4[:, 0] ** 2 - np.sum(xs.p4[:, 1:] ** 2, axis=1)), 300.0, rtol=1e-6)
    assert np.all(xs.pdg == HNL_PDG[0])
    assert xs.w.sum() == pytest.approx(n * 1e-3 * rows[("K+", "mu")], rel=1e-12)
    e_star = (xs.p4[:, 0] * pp4[:, 0] - np.sum(xs.p4[:, 1:] * pp4[:, 1:], axis=1)) / k.mass
    assert np.allclose(e_star, (k.mass**2 + 300.0**2 - M_MU**2) / (2 * k.mass), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# decays
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mass", [150.0, 385.0])
def test_widths_against_an_independent_calculation(mass):
    """Each Dirac partial width and their sum at 150 MeV (below μπ) and 385 MeV, all three mixings on, against
    explicit traces and the numerically integrated four-fermion |M|². Measured: the sum to 3e-6 (150 MeV) and
    1.4e-7 (385 MeV); two-body channels to 1e-14; ν e⁺e⁻ to 4e-5, the error of the Dalitz quadrature itself (it
    falls to 3e-6 with 256 nodes)."""
    u2 = {"e": 2e-7, "mu": 5e-7, "tau": 1e-7}
    mine = hnl.partial_widths(mass, u2, majorana=False)
    ref = independent_widths(mass, u2)
    assert set(mine) == set(hnl.CHANNELS) and set(ref) <= set(mine)
    # the channels with K, η, ρ, ..., τ (tests/test_hnl_hadronic.py) are closed at both masses: 0 here
    for ch in mine:
        assert mine[ch] == pytest.approx(ref.get(ch, 0.0), rel=1e-4, abs=1e-40), ch
    assert sum(mine.values()) == pytest.approx(sum(ref.values()), rel=1e-5)


def test_closed_form_limits_of_gorbunov_shaposhnikov():
    """m_ℓ → 0: Γ(ν ℓℓ)/Γ₀ → C₁ (¼(1 ∓ 4s² + 8s⁴)); I(0, 0, x) = 1 − 8x² + 8x⁶ − x⁸ − 12x⁴ ln x² (the muon-decay
    function, Gorbunov & Shaposhnikov 2007 for one massive lepton); 3ν = Γ₀ per unit Σ|U|²."""
    s2 = SIN2_THETA_W
    m = 400.0
    g0 = G_F**2 * m**5 / (192 * math.pi**3)
    assert hnl.width_nu_ll(m, 1e-6, False) / g0 == pytest.approx(0.25 * (1 - 4 * s2 + 8 * s2**2), rel=1e-9)
    assert hnl.width_nu_ll(m, 1e-6, True) / g0 == pytest.approx(0.25 * (1 + 4 * s2 + 8 * s2**2), rel=1e-9)
    for x in (0.05, 0.26, 0.4):
        f = 1 - 8 * x**2 + 8 * x**6 - x**8 - 12 * x**4 * math.log(x**2)
        assert hnl.cc_phase_space(0.0, 0.0, x) == pytest.approx(f, rel=1e-9)
        assert hnl.cc_phase_space(0.0, x, 0.0) == pytest.approx(f, rel=1e-9)
    assert hnl.cc_phase_space(0.0, 0.0, 0.0) == pytest.approx(1.0, rel=1e-12)
    assert hnl.width_3nu(m) == pytest.approx(g0, rel=1e-12)


def test_majorana_doubles_every_width():
    """Majorana: every channel and its charge conjugate, so all widths ×2, BRs unchanged, cτ halved."""
    kw = {"m_n": "300 MeV", "u2_mu": "1e-7", "u2_e": "3e-8"}
    maj = get_model("heavy-neutral-lepton", {**kw, "nature": "majorana"}).decays()["N"]
    dirac = get_model("heavy-neutral-lepton", {**kw, "nature": "dirac"}).decays()["N"]
    for ch in hnl.CHANNELS:
        assert maj.widths[ch] == pytest.approx(2 * dirac.widths[ch], rel=1e-14)
    assert maj.total == pytest.approx(2 * dirac.total, rel=1e-14)
    # τ mixing alone: only neutral-current channels (τ is too heavy)
    tau = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "u2_mu": "0", "u2_tau": "1e-6"}).decays()["N"].widths
    assert tau["mu pi"] == tau["e pi"] == tau["e mu nu"] == 0.0 and tau["nu pi0"] > 0


# ------------------------------------------------------------------------------------------------
# registration and detection
# ------------------------------------------------------------------------------------------------
def test_registration_validation():
    """hnl is registered through register_model and passes its validation; the declarations it relies on
    are checked (a visible channel it cannot decay into, a mass outside the π/K/D/D_s range: m_N < m_Ds − m_e)."""
    cls = MODELS.get("heavy-neutral-lepton")
    validate_model_class(cls, "heavy-neutral-lepton")
    assert cls.state_pdg == HNL_PDG[0] and cls.boson_kind is None
    assert {"e pi", "mu pi"} <= set(TWO_BODY_FINAL_STATES)
    assert TWO_BODY_FINAL_STATES["mu pi"] == ((211, 13), (M_PI, M_MU))

    class Broken(hnl.HeavyNeutralLepton):
        name = "hnl-broken"
        detection = (DecayInVolume("N", "tau K"),)  # not a channel of N ("tau pi" is one since the hadronic table)

    with pytest.raises(InputError, match="visible"):
        register_model("hnl-broken")(Broken)
    assert "hnl-broken" not in MODELS
    with pytest.raises(InputError, match="m_n"):
        get_model("heavy-neutral-lepton", {"m_n": "1968 MeV"})  # m_Ds − m_e = 1967.8 MeV
    with pytest.raises(InputError, match="u2_mu"):
        get_model("heavy-neutral-lepton", {"u2_mu": "-1e-7"})


def _parts(s) -> dict:
    """{channel label: part} of a combined sample of the model (``CombinedSample.parts``)."""
    return {s.model.detection[p.channel].label: p for p in s.parts}


def test_below_the_mu_pi_threshold_the_empty_sample_reweights_to_zero(tmp_path):
    """Below m_μ + m_π the μπ part of the decay-in-volume sample is empty with its reason, and re-weighting it gives
    zero (at the reference point, at other mixings, at a stopped source) instead of the former KeyError 'p_lab' of
    the generic process; the N -> ν e⁺e⁻ and ν π⁰ parts of the same sample have events (the HNL stays visible below
    the μπ threshold). `darkbeam run` at 200 MeV answers 0 μπ events with the reason, and the other channels' events."""
    from darkbeam.pipeline.signal import build_signal

    for experiment, mode in (("microboone", "neutrino"), ("microboone-absorber", "stopped")):
        m = get_model("heavy-neutral-lepton", {"m_n": "200 MeV"})
        s = build_signal(m, experiment, mode, n_mesons=2000, n_events=100, seed=1, detector=False)
        parts = _parts(s)
        mu = parts[MU_PI]
        assert len(mu.base_weight) == 0 and "closed" in mu.note and "245" in mu.note
        assert f"{MU_PI}: {mu.note}" in s.note
        assert mu.total() == 0.0 and mu.total(m.replace(u2_mu=1e-3), pot=1e21) == 0.0
        assert parts[NU_EE].total() > 0.0 and not parts[NU_EE].note
        assert parts[NU_PI0].total() > 0.0 and not parts[NU_PI0].note
        assert s.total() == pytest.approx(parts[NU_EE].total() + parts[NU_PI0].total(), rel=1e-12)
        # the N -> e pi channel (and K -> e N) is shut by u2_e = 0 in this sample: re-weighting into u2_e > 0 is
        # refused, naming the coupling
        with pytest.raises(InputError, match="u2_e"):
            s.weights(m.replace(u2_e=1e-6))
    toml = CONFIG.read_text().replace('m_n = "385 MeV"', 'm_n = "200 MeV"')
    assert 'm_n = "200 MeV"' in toml
    (tmp_path / "hnl200.toml").write_text(toml)
    env = {**os.environ, "DARKBEAM_CACHE": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "darkbeam.cli", "run", str(tmp_path / "hnl200.toml"), "--json",
                        "--n-mesons", "2000", "--n-events", "200"], capture_output=True, text=True, env=env,
                       check=False,
                       cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    by = out["modes"]["neutrino"]["by_channel"]
    assert by[MU_PI] == 0.0 and by[NU_EE] > 0.0
    assert out["signal_events"] == pytest.approx(sum(by.values()), rel=1e-12)
    assert "mu pi is closed" in out["modes"]["neutrino"]["note"] and "245" in out["modes"]["neutrino"]["note"]


def test_below_the_mu_pi_threshold_the_model_predicts_electron_pairs():
    """At m_N = 100 MeV (below m_μ + m_π, m_e + m_π and m_π⁰) with |U_μ4|² = 1e-6 at the NuMI absorber
    (``microboone-absorber``, K⁺ at rest) the prediction has N -> ν e⁺e⁻ and N -> ν γ events, and ``by_channel`` names
    all seven detection channels, the five closed ones at 0 with their thresholds in the note (e μ ν closes at
    m_e + m_μ = 106.2 MeV)."""
    from darkbeam.inference.predict import Predictor
    from darkbeam.io.config import parse_config

    cfg = parse_config({"model": {"name": "heavy-neutral-lepton", "m_n": "100 MeV", "u2_mu": 1e-6},
                        "experiment": {"name": "microboone-absorber", "modes": ["stopped"], "off_target": False},
                        "simulation": {"n_mesons": 5000, "n_events": 1000, "seed": 3}})
    out = Predictor(cfg).predict()
    r = out["modes"]["stopped"]
    assert list(r["by_channel"]) == [MU_PI, E_PI, NU_EE, NU_PI0, NU_MUMU, NU_GAMMA, E_MU_NU]
    assert r["by_channel"][NU_EE] > 0.0 and r["by_channel"][NU_GAMMA] > 0.0
    assert all(r["by_channel"][c] == 0.0 for c in (MU_PI, E_PI, NU_PI0, NU_MUMU, E_MU_NU))
    assert out["signal_events"] == pytest.approx(r["by_channel"][NU_EE] + r["by_channel"][NU_GAMMA], rel=1e-12)
    for label, reason in ((MU_PI, "N -> mu pi is closed (m = 100 MeV <= 245.229 MeV)"),
                          (E_PI, "N -> e pi is closed (m = 100 MeV <= 140.081 MeV)"),
                          (NU_PI0, "N -> nu pi0 is closed (m = 100 MeV <= 134.977 MeV)"),
                          (NU_MUMU, "N -> nu mu+ mu- is closed (m = 100 MeV <= 211.317 MeV)"),
                          (E_MU_NU, "N -> e mu nu is closed (m = 100 MeV <= 106.169 MeV)")):
        assert f"{label}: {reason}" in r["note"]
    assert NU_EE not in r["note"] and NU_GAMMA not in r["note"]


# ------------------------------------------------------------------------------------------------
# kaons decaying at rest in the NuMI absorber (stopped-source flow)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mass", [246.0, 300.0, 385.0])
def test_kaon_decay_at_rest_gives_a_monochromatic_n(mass):
    """At the NuMI absorber (beam ``numi-absorber``) the stopped-source flow hands MesonTwoBody K⁺ at rest: every N
    has |p| = λ^{1/2}(m_K², m_μ², m_N²)/(2 m_K) (written out here, not kinematics.two_body_momentum), is
    emitted isotropically from the origin, and the weights sum to Y(K⁺ DAR) × BR(K⁺ → μ⁺N); π⁺ (zero yield
    there), π⁻ and K⁻ (captured) give nothing, each with its reason."""
    from darkbeam.beams.stopped_yields import get_source
    from darkbeam.detectors.catalog import BEAMS
    from darkbeam.pipeline.stopped_sources import iter_stopped_sources, stopped_parent_plan

    m = get_model("heavy-neutral-lepton", {"m_n": f"{mass} MeV", "u2_mu": "1e-8"})
    beam = BEAMS.get("numi-absorber")
    n = 20_000
    out = list(iter_stopped_sources(m, beam, list(m.production), n, 8000, np.random.default_rng(5)))
    assert {lab for _, _, lab in out} == {"K+ mu"}
    p4 = np.concatenate([xs.p4 for xs, _, _ in out])
    w = np.concatenate([xs.w for xs, _, _ in out])
    assert len(p4) == n and np.all(np.concatenate([xs.x for xs, _, _ in out]) == 0.0)
    a, b, c = M_K**2, M_MU**2, mass**2
    p_expected = math.sqrt(a * a + b * b + c * c - 2 * a * b - 2 * a * c - 2 * b * c) / (2 * M_K)
    p = np.linalg.norm(p4[:, 1:], axis=1)
    assert np.allclose(p, p_expected, rtol=1e-12)
    assert np.allclose(p4[:, 0], math.hypot(p_expected, mass), rtol=1e-12)
    # isotropic: each component of the mean direction is 0 within 5σ (σ = 1/sqrt(3n))
    assert np.all(np.abs(np.mean(p4[:, 1:] / p[:, None], axis=0)) < 5 / math.sqrt(3 * n))
    y = get_source("numi-absorber").yields["K+_dar"].value
    assert w.sum() == pytest.approx(y * tb.branching_ratio("K+", "mu", mass, 1e-8), rel=1e-12)
    plan = {row["parent"]: row for row in stopped_parent_plan(m, beam)}
    assert plan["K+"]["used"] and not any(plan[k]["used"] for k in ("pi+", "pi-", "K-"))
    assert "captured" in plan["pi-"]["reason"] and "captured" in plan["K-"]["reason"]
    assert "not modelled" in plan["pi+"]["reason"]


def _make_hnl():
    spec = importlib.util.spec_from_file_location("make_hnl", ROOT / "docs" / "make_hnl.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("mass", [246.0, 385.0])
def test_absorber_decays_match_the_long_lived_estimate(mass):
    """μπ decays in the MicroBooNE TPC from the absorber's K⁺ at rest = POT·Y·BR(K → μN)·V/(4πL²)/λ·BR(μπ)
    (long-lived: λ ≥ 3e5 m ≫ the 10 m TPC). Measured −2.2 % at both masses (the point-flux estimator aims at the
    face through the TPC centre, exact only for a distant source); allowed: half the TPC length over the distance
    (0.049, the size of that geometric effect) plus 5 MC errors."""
    mod = _make_hnl()
    _, s = mod.absorber_sample(mass)
    w = s.weights(pot=mod.POT_NUMI)
    n_mc, err = float(w.sum()), float(np.sqrt(np.sum(w**2)))
    exp = get_experiment("microboone-absorber")
    half = exp.geometry.volume / exp.geometry.face_area / 2 / exp.distance
    assert half == pytest.approx(0.049, abs=0.001)
    assert n_mc == pytest.approx(mod.absorber_analytic(mass), abs=5 * err + half * n_mc)
    assert np.allclose(s.columns["p_lab"], float(two_body_momentum(M_K, M_MU, mass)), rtol=1e-12)
    assert set(np.unique(s.source)) == {"K+ mu"}


@pytest.fixture(scope="module")
def long_lived():
    """385 MeV, |U_μ|² = 1e-9 (cτ ≈ 3.6e4 km ≫ 470 m): the truth-level μπ part of the sample and the flux of the same
    arrivals."""
    from darkbeam.pipeline.boson_flux import boson_flux
    from darkbeam.pipeline.signal import build_signal

    m = get_model("heavy-neutral-lepton", {"m_n": "385 MeV", "u2_mu": "1e-9"})
    s = _parts(build_signal(m, "microboone", "neutrino", n_mesons=60_000, n_events=20_000, seed=7, detector=False))[MU_PI]
    f = boson_flux(m, "microboone", "neutrino", n_mesons=60_000, seed=7)  # same seed: the same arrivals
    return m, s, f


def test_decay_in_volume_matches_flux_times_decay_probability(long_lived):
    """Long-lived limit: decays per POT in the MicroBooNE TPC = Σ_arrivals w·A·exp(−d/λ)·⟨chord⟩/λ·BR(μπ),
    with ⟨chord⟩ = V/A = 10.36 m (the box's length along the beam: rays from the target are parallel to
    within 3 mrad), against the sampled chords. Measured: −0.6 % with a 0.7 % MC error (the sampled mean chord
    is 10.31 m, 0.5 % below V/A: rays near the edges enter or leave through the sides)."""
    m, s, f = long_lived
    exp = get_experiment("microboone")
    a, d = f.arrivals, m.decays()["N"]
    p = np.sqrt(a.energy**2 - d.mass**2)
    lam = p / d.mass * HBARC / d.total
    box = exp.geometry
    area = box.face_area / hu.cm2
    per = a.weight * area * np.exp(-a.distance / lam) * (box.volume / box.face_area) / lam * d.widths["mu pi"] / d.total
    n_an = float(np.sum(per))
    assert np.max(10.36 * hu.m / lam) < 1e-3  # linearised decay probability
    w = s.weights()
    n_mc, err = float(w.sum()), float(np.sqrt(np.sum(w**2)))
    assert n_mc == pytest.approx(n_an, abs=5 * err + 0.01 * n_an)
    assert np.all(s.particles["pdg_in"] == HNL_PDG[0])
    # Majorana N: π⁺μ⁻ or π⁻μ⁺ per event (tests/test_hnl_charges.py), the pion in slot 1
    assert np.all(np.abs(s.particles["pdg_vis1"]) == 211)
    assert np.all(s.particles["pdg_vis2"] == 13 * np.sign(s.particles["pdg_vis1"]))
    inv = s.particles["p4_vis1"] + s.particles["p4_vis2"]
    assert np.allclose(np.sqrt(inv[:, 0] ** 2 - np.sum(inv[:, 1:] ** 2, axis=1)), 385.0, rtol=1e-6)


def test_reweighting_in_the_mixing(long_lived):
    """Signal ∝ |U|⁴ in the long-lived limit (production × decay), exactly re-weighted; the decay probability
    saturates once λ ~ 470 m (signal falls again)."""
    m, s, _ = long_lived
    n1 = s.total()
    assert s.total(m.replace(u2_mu=4e-9)) == pytest.approx(16 * n1, rel=1e-3)
    assert s.total(m.replace(u2_mu=1e-2)) < s.total(m.replace(u2_mu=1e-4))


def test_darkbeam_run_on_the_example_config(tmp_path):
    """`darkbeam run examples/hnl_microboone.toml` works (smaller samples), and `widths`/`br` list the model."""
    env = {**os.environ, "DARKBEAM_CACHE": str(tmp_path / "cache")}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "darkbeam.cli", *args], capture_output=True, text=True, check=False,
                              env=env, cwd=tmp_path, timeout=300)

    r = cli("run", str(CONFIG), "--json", "--n-mesons", "20000", "--n-events", "2000")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["model"]["name"] == "heavy-neutral-lepton" and out["signal_events"] > 0
    r = cli("widths", "heavy-neutral-lepton", "--set", "m_n=385 MeV", "--set", "u2_mu=1e-8", "--json")
    assert r.returncode == 0, r.stderr
    st = json.loads(r.stdout)["states"]["N"]
    assert st["ctau"] == pytest.approx(HBARC / st["total_width"], rel=1e-12)
    assert st["branching_ratios"]["mu pi"] == pytest.approx(0.498, abs=0.002)


def test_docs_numbers_of_the_limit_comparison():
    """docs/portal_hnl.md, "Check against published limits", from docs/make_hnl.py (the same samples and seeds for
    the NuMI absorber, so those numbers are reproduced to their printed 3 digits).

    (A) MicroBooNE NuMI 2022 (arXiv:2207.03840: 12.9e-8 at 246 MeV, 0.92e-8 at 385 MeV, 90 % CL, 7.01e20 POT),
    with the NuMI absorber's K⁺ at rest (0.1337/POT: 0.085 KDAR ν_μ per POT from MicroBooNE's public analysis
    code, shared with the Higgs check), 0 events on 0 background (assumed; 2.303 events at 90 % CL):
    * ε = 1: darkbeam 1.022e-8 and 7.275e-10, ratio darkbeam/published 0.0792 and 0.0791;
    * ε = 7 % (the Higgs check's borrowed LArTPC efficiency): 3.862e-8 and 2.750e-9, ratio 0.2994 and 0.2989.
    The issue's factor 2 in |U|² is NOT reached at these two masses with these stated inputs (asserted as
    measured). limit(246)/limit(385) = 14.04 against the published 14.02, the difference within the rounding of
    the published numbers (±0.9 %: 12.9 ± 0.05 and 0.92 ± 0.005); the Monte Carlo does not move it (seed-to-seed
    spread < 1e-6). Between the ends the shapes differ (test_published_curve_comparison).
    (B) BNB sensitivity, 2.0e20 POT, ε = 1, 0 background: 1.25e-7 at 246 MeV and 2.85e-9 at 385 MeV (smaller
    samples here, 3 %)."""
    mod = _make_hnl()
    assert mod.signal_upper_limit() == pytest.approx(2.303, abs=0.001)
    rows = {r["mass"]: r for r in mod.numi_rows()}
    quoted = {246.0: (1.022e-8, 3.862e-8, 0.0792, 0.2994), 385.0: (7.275e-10, 2.750e-9, 0.0791, 0.2989)}
    for mass, (l1, l7, r1, r7) in quoted.items():
        lim = rows[mass]["limit"]
        assert lim[1.0] == pytest.approx(l1, rel=5e-3)
        assert lim[mod.LAR_PHOTON_EFFICIENCY] == pytest.approx(l7, rel=5e-3)
        assert lim[1.0] / mod.PUBLISHED_NUMI[mass] == pytest.approx(r1, abs=5e-4)
        assert lim[mod.LAR_PHOTON_EFFICIENCY] / mod.PUBLISHED_NUMI[mass] == pytest.approx(r7, abs=5e-4)
        # long-lived: |U|² limit ∝ ε^(-1/2)
        assert lim[mod.LAR_PHOTON_EFFICIENCY] / lim[1.0] == pytest.approx(mod.LAR_PHOTON_EFFICIENCY ** -0.5, rel=1e-3)
        # the measured outcome: outside the factor 2 with both stated efficiencies (darkbeam stronger)
        assert not 0.5 <= lim[mod.LAR_PHOTON_EFFICIENCY] / mod.PUBLISHED_NUMI[mass] <= 2.0
    shape = rows[246.0]["limit"][1.0] / rows[385.0]["limit"][1.0]
    assert shape == pytest.approx(14.04, abs=0.005)
    pub_shape = 12.9e-8 / 0.92e-8
    rounding = 0.05 / 12.9 + 0.005 / 0.92
    assert shape == pytest.approx(pub_shape, rel=rounding)
    for mass, quoted_bnb in ((246.0, 1.25e-7), (385.0, 2.85e-9)):
        m, s = mod.sample(mass, n_mesons=60_000, n_events=5000)
        assert mod.limit(m, s) == pytest.approx(quoted_bnb, rel=0.03)
    assert M_K - M_MU < 390  # the μ-mixing reach ends at m_K − m_μ = 388 MeV


def test_published_curve_comparison():
    """docs/portal_hnl.md, the 12 published mass points (arXiv:2207.03840, as tabulated in MicroBooNE's later NuMI
    HNL analysis code; the end points are the abstract's): with the same absorber samples, darkbeam/published at
    ε = 1 runs from 0.0701 (250 MeV) to 0.1648 (358 MeV), a spread of 2.35, so the end-point agreement of the mass
    dependence is a coincidence; with ε = 7 % only 331, 344.5 and 358 MeV are within the factor 2. The published
    limit weakens by 1.70 from 358 to 385 MeV where darkbeam's (no timing) keeps improving (0.82); the N delay at
    385 MeV is 5.70 μs (the illustrative acceptance 1 − Δt/9.6 μs = 0.406 gives 1.18)."""
    mod = _make_hnl()
    assert mod.PUBLISHED_NUMI_CURVE[246.0] == pytest.approx(mod.PUBLISHED_NUMI[246.0], rel=1e-12)
    assert mod.PUBLISHED_NUMI_CURVE[385.0] == pytest.approx(mod.PUBLISHED_NUMI[385.0], rel=1e-12)
    rows = {r["mass"]: r for r in mod.curve_rows()}
    assert len(rows) == 12
    r1 = {m: r["limit"][1.0] / r["published"] for m, r in rows.items()}
    r7 = {m: r["limit"][mod.LAR_PHOTON_EFFICIENCY] / r["published"] for m, r in rows.items()}
    assert min(r1, key=r1.get) == 250.0 and max(r1, key=r1.get) == 358.0
    assert r1[250.0] == pytest.approx(0.0701, abs=5e-4)
    assert r1[358.0] == pytest.approx(0.1648, abs=5e-4)
    assert r1[358.0] / r1[250.0] == pytest.approx(2.35, abs=0.005)
    assert [m for m, x in r7.items() if 0.5 <= x <= 2.0] == [331.0, 344.5, 358.0]
    d385 = rows[385.0]
    assert d385["delay_us"] == pytest.approx(5.704, abs=0.001)
    assert d385["timing_acceptance"] == pytest.approx(1.0 - 5.704 / 9.6, abs=2e-4)
    assert rows[385.0]["published"] / rows[358.0]["published"] == pytest.approx(1.70, abs=0.005)
    assert rows[385.0]["limit"][1.0] / rows[358.0]["limit"][1.0] == pytest.approx(0.82, abs=0.005)
    assert rows[385.0]["limit_timing"] / rows[358.0]["limit_timing"] == pytest.approx(1.18, abs=0.005)
    # the timing limit is the ε = 1 limit / √acceptance (long-lived regime)
    for r in rows.values():
        assert r["limit_timing"] == pytest.approx(r["limit"][1.0] / math.sqrt(r["timing_acceptance"]), rel=1e-3)
