"""The detection channels of the vector portal (``vector-portal-dm``) beyond χN → χN: V → e⁺e⁻ decays inside the
detector (generic ``decay-in-volume``) and χe⁻ → χe⁻ elastic scattering (``dm-electron``,
darkbeam.pipeline.dm_electron): the χe cross-section against closed forms, the recoil kinematics, the electrons of
the medium, the channels' samples, their exact re-weighting, closed channels with reasons, and the channel order
(the nucleon channel, first, is built exactly as when it was alone)."""

from __future__ import annotations

import math
from pathlib import Path

import hepunits as hu
import numpy as np
import pytest
from scipy import integrate

import darkbeam.pipeline  # noqa: F401  (registers the detection processes)
from darkbeam.constants import ALPHA_EM, E_CHARGE, INV_MEV2_TO_CM2, M_E
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.interactions import dm_elastic as de
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.interactions.twobody import projectile_p4
from darkbeam.models import get_model
from darkbeam.pipeline.dm_elastic import DMElasticSignal
from darkbeam.pipeline.dm_electron import ELECTRON_SELECTIONS, electron_recoil_max, electrons_in
from darkbeam.pipeline.signal import CombinedSample, build_signal

NUCLEON, EE, ELECTRON = "scatter chi -> nucleon", "decay-in-volume V -> e+ e-", "scatter chi -> e-"


def vp(**kw):
    s = {"m_chi": "20 MeV", "epsilon": "1e-4", "alpha_d": "0.5"}
    s.update(kw)
    return get_model("vector-portal-dm", s)


def part(sample, label):
    """The part of a combined sample built for the channel ``label``."""
    labels = [c.label for c in sample.model.detection]
    return sample.parts[labels.index(label)]


def coup(dm_type, m_chi, m_v, eps=1e-3, alpha_d=0.5):
    return de.ElasticCouplings(m_chi, m_v, float(E_CHARGE * eps * math.sqrt(4 * math.pi * alpha_d)), dm_type)


def dsigma_dT_closed(dm_type, E, T, m_chi, m_v, eps=1e-3, alpha_d=0.5):
    """dσ/dT (cm²/MeV) of χ e → χ e on a free electron at rest, closed forms.

    Dirac χ: the spin-averaged e⁻μ⁻ → e⁻μ⁻ one-photon amplitude, 2g²[(s−m²−M²)² + (u−m²−M²)² + 2t(m²+M²)]/t²
    (e.g. Halzen & Martin, Quarks and Leptons, ch. 6) with the propagator 1/(t − m_V²), in the lab frame
    (s − m_χ² − m_e² = 2m_eE, u − m_χ² − m_e² = −2m_e(E − T), t = −2m_eT). Complex scalar χ: deNiverville, Pospelov,
    Ritz, PRD 84, 075020 (2011) arXiv:1107.4580 (electron scattering of scalar dark matter)."""
    p2 = E * E - m_chi**2
    if dm_type == "fermion":
        num = 2 * M_E * E**2 - (2 * M_E * E + m_chi**2 + M_E**2) * T + M_E * T**2
    else:
        num = 2 * M_E * E**2 - (2 * M_E * E + m_chi**2) * T
    return 4 * math.pi * ALPHA_EM * alpha_d * eps**2 * num / (p2 * (m_v**2 + 2 * M_E * T) ** 2) * INV_MEV2_TO_CM2


# --- cross-section and kinematics -------------------------------------------------------------------------
@pytest.mark.parametrize("dm_type", ["fermion", "scalar"])
@pytest.mark.parametrize("m_chi,m_v", [(10.0, 30.0), (0.1, 0.5), (200.0, 600.0)])
def test_electron_dsigma_dT_against_closed_forms(dm_type, m_chi, m_v):
    """The point-electron component of interactions.dm_elastic (general target-tensor formula) against the closed
    forms, across the recoil range, from near threshold to 3 GeV; 0 outside the kinematic range."""
    c = coup(dm_type, m_chi, m_v)
    for E in (1.5 * m_chi, 300.0, 3000.0):
        t_max = float(electron_recoil_max(E, m_chi))
        T = t_max * np.array([1e-6, 0.1, 0.5, 0.9, 1 - 1e-9])
        got = 2 * M_E * de.dsigma_dt_elastic(c, "H1", E, -2 * M_E * T, "electron")
        assert got == pytest.approx(dsigma_dT_closed(dm_type, E, T, m_chi, m_v), rel=1e-9)
        assert de.dsigma_dt_elastic(c, "H1", E, -2 * M_E * t_max * (1 + 1e-6), "electron") == 0.0
    # the electron component of an atom counts its Z electrons
    E = np.array([300.0, 1000.0])
    assert de.sigma_elastic(c, "C12", E, "electron") == pytest.approx(6 * de.sigma_elastic(c, "H1", E, "electron"),
                                                                       rel=1e-12)


@pytest.mark.parametrize("dm_type", ["fermion", "scalar"])
def test_electron_sigma_heavy_mediator_limit(dm_type):
    """m_V² ≫ 2 m_e T_max: the propagator is 1/m_V⁴ and σ is the closed-form integral of the polynomial numerator
    over 0 < T < T_max (and over a window) — against the Gauss-Legendre σ of the code (a second integration
    route). Neglected: O(2 m_e T_max/m_V²) ≤ 1e-7 here."""
    m_chi, m_v = 10.0, 1e5
    c = coup(dm_type, m_chi, m_v)
    E = np.array([50.0, 400.0, 2000.0])
    p2 = E * E - m_chi**2
    a = 2 * M_E * E**2
    b = 2 * M_E * E + m_chi**2 + (M_E**2 if dm_type == "fermion" else 0.0)
    cc = M_E if dm_type == "fermion" else 0.0

    def prim(T):
        return a * T - b * T**2 / 2 + cc * T**3 / 3

    pref = 4 * math.pi * ALPHA_EM * 0.5 * 1e-6 / (p2 * m_v**4) * INV_MEV2_TO_CM2
    t_max = electron_recoil_max(E, m_chi)
    assert de.sigma_elastic(c, "H1", E, "electron") == pytest.approx(pref * prim(t_max), rel=1e-6)
    lo, hi = 20.0, 300.0
    ref = pref * np.where(t_max > lo, prim(np.minimum(t_max, hi)) - prim(lo), 0.0)
    assert de.sigma_elastic(c, "H1", E, "electron", (lo, hi)) == pytest.approx(ref, rel=1e-6)


def test_electron_recoil_kinematic_limits():
    """T_max = 2 m_e p²/(m_χ² + m_e² + 2 m_e E) is the code's kinematic limit (t_limits); for m_χ ≫ m_e and
    2 m_e E ≪ m_χ² it tends to 2 m_e β²γ² (the heavy-projectile limit), for m_χ → 0 to E²/(E + m_e/2) (Compton-like
    edge). Sampled recoils lie inside, and each obeys the two-body relation between T and the electron angle θ to
    the χ direction, T = 2 m_e p² cos²θ/((E + m_e)² − p² cos²θ)."""
    from darkbeam.interactions.twobody import t_limits

    E = np.array([30.0, 300.0, 3000.0])
    for m_chi in (10.0, 100.0):
        _, tmax, _ = t_limits(E, m_chi, m_chi, M_E)
        assert -tmax / (2 * M_E) == pytest.approx(electron_recoil_max(E, m_chi), rel=1e-9)
    m_chi, e = 1e4, 1e4 * 1.01  # β²γ² = 0.0201, 2 m_e E / m_χ² = 1e-4
    bg2 = (e * e - m_chi**2) / m_chi**2
    assert electron_recoil_max(e, m_chi) == pytest.approx(2 * M_E * bg2, rel=2e-4)
    assert electron_recoil_max(1000.0, 1e-6) == pytest.approx(1000.0**2 / (1000.0 + M_E / 2), rel=1e-9)
    rng = np.random.default_rng(2)
    c = coup("fermion", 10.0, 30.0)
    p4 = projectile_p4(np.full(20000, 500.0), 10.0, None)
    _, p4_e, _ = de.sample_elastic(rng, c, "H1", p4, "electron")
    T = p4_e[:, 0] - M_E
    assert T.min() >= 0 and T.max() <= float(electron_recoil_max(500.0, 10.0)) * (1 + 1e-9)
    p = math.sqrt(500.0**2 - 100.0)
    cos = (p4_e[:, 1:] @ (p4[0, 1:] / p)) / np.linalg.norm(p4_e[:, 1:], axis=1)
    assert T == pytest.approx(2 * M_E * p * p * cos**2 / ((500.0 + M_E) ** 2 - p * p * cos**2), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("dm_type", ["fermion", "scalar"])
def test_sampled_electron_recoils_follow_the_closed_form(dm_type):
    """Mean recoil energy of sampled electrons (whole range, and in a window) against ∫T dσ/dT / ∫dσ/dT of the
    closed form by scipy quad; tolerance 4 MC errors of the mean."""
    m_chi, m_v, E, n = 10.0, 30.0, 800.0, 40000
    c = coup(dm_type, m_chi, m_v)
    rng = np.random.default_rng(5)
    p4 = projectile_p4(np.full(n, E), m_chi, None)
    for window in (None, (50.0, 600.0)):
        _, p4_e, _ = de.sample_elastic(rng, c, "C12", p4, "electron", window)
        T = p4_e[:, 0] - M_E
        a, b = (0.0, float(electron_recoil_max(E, m_chi))) if window is None else window

        def f(x):
            return dsigma_dT_closed(dm_type, E, x, m_chi, m_v)

        pts = np.geomspace(max(a, 1e-3), b, 8)[1:-1]
        mean = (integrate.quad(lambda x: x * f(x), a, b, points=pts, limit=200)[0]
                / integrate.quad(f, a, b, points=pts, limit=200)[0])
        assert T.mean() == pytest.approx(mean, abs=4 * T.std() / math.sqrt(n))
        if window is not None:
            assert T.min() >= 50.0 * (1 - 1e-9) and T.max() <= 600.0 * (1 + 1e-9)


def test_electrons_per_molecule():
    """Electrons of the medium: Z per atom, so 6 + 2 × 1 = 8 per CH₂ molecule (MiniBooNE oil) and 18 per argon
    atom (the LArTPCs); counted against the number of molecules of the fiducial mass (N_A × mass / molar mass)."""
    for name, per_molecule in (("miniboone-dm", 8.0), ("microboone", 18.0), ("sbnd", 18.0)):
        exp = get_experiment(name)
        n_mol = exp.fiducial_mass * 1e6 / exp.material.molar_mass * hu.Avogadro
        assert sum(electrons_in(name).values()) / n_mol == pytest.approx(per_molecule, rel=1e-12)
    assert electrons_in("miniboone-dm")["C12"] / electrons_in("miniboone-dm")["H1"] == pytest.approx(3.0)


# --- model: channels, bad input, alpha_D = 0 -------------------------------------------------------------
def test_channel_order_and_declarations():
    m = vp()
    assert [c.label for c in m.detection] == [NUCLEON, EE, ELECTRON]
    assert [c.process for c in m.detection] == ["dm-elastic", "decay-in-volume", "dm-electron"]
    for key, value in (("alpha_d", "-0.1"), ("epsilon", "-1e-4")):
        with pytest.raises(InputError) as e:
            vp(**{key: value})
        assert key in str(e.value)


@pytest.fixture(scope="module")
def dark_photon_sbnd():
    """α_D = 0: V → e⁺e⁻ (BR 1 below 2 m_μ), the pure dark photon; cτ = 0.9 m at ε = 1e-6, m_V = 90 MeV."""
    m = vp(m_chi="30 MeV", epsilon="1e-6", alpha_d="0")
    return m, build_signal(m, "sbnd", "neutrino", n_mesons=10000, n_events=1000, seed=5)


def test_alpha_d_zero_closes_the_chi_channels_with_reasons(dark_photon_sbnd):
    """α_D = 0: both χ channels close with the reason (a zero coupling), V → e⁺e⁻ in the detector has events; the
    sample cannot be re-weighted to α_D > 0 (the zero-coupling rule of cached samples: the closed χ channels have
    no events to re-weight), and says so naming alpha_d."""
    m, s = dark_photon_sbnd
    assert isinstance(s, CombinedSample) and m.boson_decays().widths["e+ e-"] / m.boson_decays().total == 1.0
    for lab in (NUCLEON, ELECTRON):
        assert len(part(s, lab).base_weight) == 0 and "a coupling is zero" in part(s, lab).note
        assert f"{lab}: " in s.note
    ee = part(s, EE)
    assert ee.total() > 0 and not ee.note
    assert np.all(ee.particles["pdg_vis1"] == 11) and np.all(ee.particles["pdg_vis2"] == -11)
    assert s.total() == pytest.approx(ee.total(), rel=1e-12)
    with pytest.raises(InputError) as e:
        s.total(m.replace(alpha_d=0.1))
    assert "alpha_d" in str(e.value)


def test_decay_in_volume_reweights_exactly_in_epsilon(dark_photon_sbnd):
    """V → e⁺e⁻ decays in SBND: the sample at ε re-weighted to ε′ = 1.5 ε against a sample generated at ε′ (same
    seed, so the same V flux; the decay probability changes the resampling). Tolerance: 4 combined MC errors, each
    below 10 % (measured 4.5 % and 3.2 %). The lifetime (cτ ∝ 1/ε²) suppresses the rate far below the ε⁴ of a
    long-lived V: the survival to 110 m matters, and the re-weighting follows it."""
    m, s = dark_photon_sbnd
    ee = part(s, EE)
    m2 = m.replace(epsilon=1.5e-6)
    s2 = part(build_signal(m2, "sbnd", "neutrino", n_mesons=10000, n_events=1000, seed=5), EE)
    w1, w2 = ee.weights(m2), s2.weights()
    e1, e2 = math.sqrt(np.sum(w1**2)), math.sqrt(np.sum(w2**2))
    assert e1 < 0.1 * w1.sum() and e2 < 0.1 * w2.sum()
    assert w1.sum() == pytest.approx(w2.sum(), rel=0, abs=4 * math.hypot(e1, e2))
    assert w1.sum() < 0.2 * 1.5**4 * ee.total()


def test_decay_in_volume_with_proton_bremsstrahlung():
    """m_V = 450 MeV (above m_π⁰; V → e⁺e⁻, μ⁺μ⁻, π⁺π⁻ open): V decaying in SBND come from proton bremsstrahlung
    (the channel whose parent is the beam proton, counted along its own direction); the brem part has events. At
    α_D = 0 BR(V → e⁺e⁻) does not depend on ε, and for a decay length ≫ the baseline N ∝ ε² (production) × ε²
    (decay probability ≈ chord/λ ∝ Γ_tot ∝ ε²): doubling ε multiplies the brem part by 16 up to the survival to
    SBND (cτ ≥ 0.8 km, γ ~ 10: within 2 %). Tolerance 5 %."""
    m = vp(m_chi="150 MeV", epsilon="5e-9", alpha_d="0")
    ee = part(build_signal(m, "sbnd", "neutrino", n_mesons=10000, n_events=1000, seed=3), EE)
    w = ee.weights()
    brem = ee.source == "p brem"
    assert np.any(brem) and w[brem].sum() > 0
    d = m.boson_decays()
    ctau = 1.973269804e-10 / d.total  # mm (ħc = 197.327 MeV fm)
    assert ctau > 3e6
    w2 = ee.weights(m.replace(epsilon=1e-8))
    assert w2[brem].sum() == pytest.approx(16 * w[brem].sum(), rel=0.05)


# --- the signals -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mbdm():
    m = vp(epsilon="1e-4")
    return m, build_signal(m, "miniboone-dm", "off-target", n_mesons=10000, n_events=1500, seed=5)


def test_first_channel_is_built_as_before(mbdm):
    """The nucleon channel (first) of the combined sample is the dm-elastic sample built alone with the same seed:
    the published MiniBooNE-DM check (tests/test_vector_portal.py, docs/portal_vector.md) does not move."""
    m, s = mbdm
    alone = DMElasticSignal().build(m, "miniboone-dm", "off-target", 10000, 1500, np.random.default_rng(5), False)
    first = s.parts[0]
    for k in ("E_vis", "cos_theta", "base_weight"):
        assert np.array_equal(getattr(first, k), getattr(alone, k))
    assert first.total() == alone.total() > 0


def test_miniboone_dm_channels(mbdm):
    """At miniboone-dm: V → e⁺e⁻ is not applicable (the response is a nucleon-recoil selection; one-line reason),
    χe uses the APPROXIMATE packaged electron selection (window, efficiency 1), the electrons of C and H share the
    events as their numbers (6 n_C : 2 n_C = 3: the importance resampling conserves each target's total exactly),
    and the whole re-weights exactly as ε⁴ α_D (BR(V → χχ̄) = 1 − 1e-9)."""
    m, s = mbdm
    ee = part(s, EE)
    assert len(ee.base_weight) == 0 and ee.note.startswith("not applicable at miniboone-dm: ")
    assert "\n" not in ee.note and "electron-like signals cannot be predicted" in ee.note
    el = part(s, ELECTRON)
    sel = ELECTRON_SELECTIONS["miniboone-dm"]
    assert sel.approximate and "APPROXIMATE" in el.meta["selection"]
    assert el.total() > 0 and np.all((el.E_vis >= sel.t_min * (1 - 1e-9)) & (el.E_vis <= sel.t_max * (1 + 1e-9)))
    # the struck electron is the recoil: the event record's target is an electron at rest (NuHepMC G.R.11)
    assert np.all(el.particles["pdg_recoil"] == 11) and np.all(el.particles["pdg_vis1"] == 0)
    w = el.weights()
    assert w[el.target == "C12"].sum() / w[el.target == "H1"].sum() == pytest.approx(3.0, rel=1e-9)
    n0 = s.total()
    assert s.total(m.replace(epsilon=2e-4)) == pytest.approx(16 * n0, rel=1e-6)
    assert s.total(m.replace(alpha_d=0.25)) == pytest.approx(0.5 * n0, rel=1e-6)


def test_electron_channel_through_the_lartpc_response():
    """At MicroBooNE the recoil electron is one shower through the LArTPC response (30 MeV shower threshold, 1e
    topology): accepted events have E_vis above the 100 MeV selection threshold of the response; at truth level
    (detector=False) every event is kept, so the detector-level total is below it; exact ε⁴ re-weighting."""
    m = vp(m_chi="10 MeV", epsilon="1e-4")
    s = part(build_signal(m, "microboone", "neutrino", n_mesons=8000, n_events=1500, seed=2), ELECTRON)
    t = part(build_signal(m, "microboone", "neutrino", n_mesons=8000, n_events=1500, seed=2, detector=False),
             ELECTRON)
    w = s.weights()
    assert w.sum() > 0 and not s.note
    assert np.all(s.E_vis[w > 0] > 100.0)
    assert 0 < w.sum() < t.total()
    assert s.total(m.replace(epsilon=3e-4)) == pytest.approx(81 * s.total(), rel=1e-6)


def test_all_channels_refused_is_not_applicable():
    """A model whose every channel needs the shower response, at miniboone-dm: the experiment is not applicable
    (InputError with the reason), as for a single-channel model."""
    base = vp()

    class ShowersOnly(type(base)):
        detection = (DecayInVolume("V", "e+ e-"), DecayInVolume("V", "mu+ mu-"))

    with pytest.raises(InputError) as e:
        build_signal(ShowersOnly(**base.values), "miniboone-dm", "off-target", n_mesons=100, n_events=10)
    assert "electron-like signals cannot be predicted at miniboone-dm" in str(e.value)


def test_predict_experiments_states_the_channels_and_the_approximate_selection():
    """`predict --experiments miniboone-dm` on the example: predicted (the nucleon and electron channels), the
    V → e⁺e⁻ channel's reason in the note, the events per channel, and the APPROXIMATE electron selection as a
    warning."""
    from darkbeam.inference.multi_experiment import predict_experiments
    from darkbeam.io.config import load_config

    cfg = load_config(Path(__file__).parent.parent / "examples" / "vector_portal_dm_miniboone.toml")
    cfg = cfg.with_simulation(n_mesons=3000, n_events=300)
    row = predict_experiments(cfg, ["miniboone-dm"])["experiments"][0]
    assert row["status"] == "predicted"
    mode = row["modes"]["off-target"]
    assert mode["by_channel"][NUCLEON] > 0 and mode["by_channel"][ELECTRON] > 0 and mode["by_channel"][EE] == 0
    assert "not applicable at miniboone-dm" in mode["note"]
    assert any("APPROXIMATE chi-electron selection" in w for w in row["warnings"])


def test_event_file_of_nucleon_and_electron_scatters_is_nuhepmc_conformant(mbdm, tmp_path):
    """The χe events carry the struck electron as the target at rest (pdg 11, E = m_e) and the recoil: the HepMC3
    file of the combined sample passes darkbeam's NuHepMC checks (G.R.11: no particle id 0) and four-momentum is
    conserved at the scattering vertex."""
    from darkbeam.io.events import write_events
    from darkbeam.io.nuhepmc import check_file

    _m, s = mbdm
    el = part(s, ELECTRON)
    p_in, p_e, p_out = el.particles["p4_in"], el.particles["p4_recoil"], el.particles["p4_inv"]
    target = np.zeros_like(p_in)
    target[:, 0] = M_E
    assert np.all(np.abs(p_in + target - p_e - p_out) <= 1e-9 * p_in[:, :1])
    path = write_events(s, tmp_path / "vp.hepmc3", pot=1.86e20, rng=np.random.default_rng(1))
    assert check_file(path) == []
