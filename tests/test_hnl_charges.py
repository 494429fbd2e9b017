"""Charges of heavy-neutral-lepton event records (docs/portal_hnl.md, "Limitations"): a Dirac N̄ from P⁻ → ℓ⁻N̄ is
written as −HNL_PDG decaying to π⁻ℓ⁺, a Dirac N to π⁺ℓ⁻, and a Majorana N to either charge state with probability ½;
nothing else of a sample changes (src/darkbeam/pipeline/decay_in_volume.py, "Charges").

Independent routes: electric charges and antiparticles from the ``particle`` package (PDG tables), lepton number
from the parent meson's charge (P⁺ → ℓ⁺N: N has L = +1), a sample built with the charge assignment switched off
(same seed) for the bit-identical kinematics and weights, and the binomial error for the Majorana fraction.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from particle import Particle

from darkbeam.declarations import Decays
from darkbeam.io import nuhepmc
from darkbeam.io.events import read_parquet, write_events
from darkbeam.kinematics.fourvec import beta_of, boost
from darkbeam.models import get_model
from darkbeam.particles import HNL_PDG, SELF_CONJUGATE_PDG, charge_conjugate
from darkbeam.pipeline import decay_in_volume as div
from darkbeam.pipeline.boson_flux import Arrivals
from darkbeam.pipeline.signal import build_signal

pyhepmc = pytest.importorskip("pyhepmc")

POT = 1e21
MU_PI = "decay-in-volume N -> mu pi"


def _build(exp: str, mode: str, nature: str, n_events: int = 3000, seed: int = 7):
    m = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "u2_mu": "1e-8", "nature": nature})
    return build_signal(m, exp, mode, n_mesons=20_000, n_events=n_events, seed=seed, detector=True)


def _parts(sample) -> dict:
    return {sample.model.detection[p.channel].label: p for p in sample.parts}


def _ignored(dec, arrivals, idx, rng, pdg_x, pdg1, pdg2, *args):
    """The ids as listed (the records before charges were assigned)."""
    n = len(idx)
    return np.full(n, pdg_x), np.full(n, pdg1), np.full(n, pdg2)


def _charge(pdg: np.ndarray) -> np.ndarray:
    """Electric charges (units of e) from the PDG tables of the ``particle`` package."""
    table = {int(k): Particle.from_pdgid(int(k)).charge for k in np.unique(pdg)}
    return np.array([table[int(k)] for k in pdg])


def test_self_conjugate_ids_agree_with_the_pdg_tables():
    """SELF_CONJUGATE_PDG and charge_conjugate against ``particle`` (its antiparticle of each id)."""
    for pdg in (*SELF_CONJUGATE_PDG, 11, 13, 15, 211, 321, 2212, 14):
        p = Particle.from_pdgid(pdg)
        assert (pdg in SELF_CONJUGATE_PDG) == p.is_self_conjugate, pdg
        assert charge_conjugate(pdg) == int(p.invert().pdgid), pdg
        assert charge_conjugate(charge_conjugate(pdg)) == pdg


def test_side_stream_leaves_the_stream_alone():
    """The charge draws do not advance the sample's generator and are reproducible."""
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    x = div.side_stream(a, "charge N").random(5)
    assert np.array_equal(x, div.side_stream(b, "charge N").random(5))
    assert np.array_equal(a.random(4), np.random.default_rng(3).random(4))
    assert not np.array_equal(x, div.side_stream(np.random.default_rng(3), "charge X").random(5))


@pytest.mark.parametrize(("exp", "mode"), [("miniboone", "antineutrino"), ("miniboone", "neutrino"),
                                         ("microboone-numi", "neutrino")])
def test_dirac_records_follow_n_or_nbar(exp, mode, monkeypatch):
    """Dirac N: events from P⁻ (N̄) are −HNL_PDG → π⁻μ⁺, from P⁺ (N) HNL_PDG → π⁺μ⁻ (K⁻ only in the BNB's
    antineutrino mode, K⁺ only in neutrino mode, both at NuMI); the visible charges sum to 0, the lepton's
    charge follows N vs N̄ (lepton number) and the parent's charge; every other array is that of the sample
    with the charges ignored (same seed), bit for bit."""
    s = _build(exp, mode, "dirac")
    mu = _parts(s)[MU_PI]
    P, C = mu.particles, mu.columns
    assert len(mu.base_weight) == 3000
    nbar = C["parent_pdg"] < 0
    assert np.array_equal(nbar, np.char.startswith(mu.source.astype(str), "K-"))
    assert np.any(nbar) == (mode == "antineutrino" or exp == "microboone-numi")
    assert np.all(nbar) == (mode == "antineutrino")
    assert np.all(P["pdg_in"] == np.where(nbar, -HNL_PDG[0], HNL_PDG[0]))
    assert np.all(P["pdg_vis1"] == np.where(nbar, -211, 211)) and np.all(P["pdg_vis2"] == np.where(nbar, -13, 13))
    q_pi, q_mu = _charge(P["pdg_vis1"]), _charge(P["pdg_vis2"])
    assert np.all(q_pi + q_mu == 0)
    assert np.all(np.sign(q_mu) == np.where(nbar, 1, -1))  # L(N) = L(ℓ⁻) = +1
    assert np.all(np.sign(C["parent_pdg"]) == np.sign(P["pdg_in"]))  # P⁺ → ℓ⁺N, P⁻ → ℓ⁻N̄
    # the asymmetry's sign already followed the conjugate state
    assert np.all((C["asymmetry"] < 0) == nbar)
    # every other array is unchanged by the charges (the νe⁺e⁻ and νπ⁰ parts only change their N id)
    monkeypatch.setattr(div, "charge_states", _ignored)
    ref = _build(exp, mode, "dirac")
    _assert_same_but_ids(s, ref)
    for label in ("decay-in-volume N -> nu e+ e-", "decay-in-volume N -> nu pi0"):
        a, b = _parts(s)[label], _parts(ref)[label]
        flip = a.columns["parent_pdg"] < 0
        assert np.array_equal(a.particles["pdg_in"], np.where(flip, -1, 1) * b.particles["pdg_in"])
        for k in ("pdg_vis1", "pdg_vis2", "pdg_inv"):
            assert np.array_equal(a.particles[k], b.particles[k])


def _assert_same_but_ids(s, ref):
    assert s.total() == ref.total() and s.total(s.model.replace(u2_mu=3e-8)) == ref.total(ref.model.replace(u2_mu=3e-8))
    for a, b in zip(s.parts, ref.parts, strict=True):
        for f in ("E_vis", "cos_theta", "E_QE", "base_weight"):
            assert np.array_equal(getattr(a, f), getattr(b, f)), f
        assert np.array_equal(a.source, b.source)
        for k, v in a.particles.items():
            if k.startswith("p4_"):
                assert np.array_equal(v, b.particles[k]), k
        assert a.columns.keys() == b.columns.keys()
        for k, v in a.columns.items():
            assert np.array_equal(v, b.columns[k]), k


def test_majorana_decays_to_both_charge_states(monkeypatch):
    """Majorana N (its own antiparticle, id HNL_PDG always): π⁺μ⁻ and π⁻μ⁺ each with probability ½ (4σ of the
    binomial error), in N and N̄-parent events alike; charges sum to 0; the same seed gives the same charges; the
    kinematics, weights and totals are those of the sample with the charges ignored (the random stream is
    untouched), and the e⁺e⁻ / γγ pairs keep their ids."""
    s = _build("microboone-numi", "neutrino", "majorana")
    mu = _parts(s)[MU_PI]
    P = mu.particles
    assert np.all(P["pdg_in"] == HNL_PDG[0])
    conj = P["pdg_vis1"] == -211
    assert np.all(P["pdg_vis2"] == np.where(conj, -13, 13)) and np.all(np.abs(P["pdg_vis1"]) == 211)
    assert np.all(_charge(P["pdg_vis1"]) + _charge(P["pdg_vis2"]) == 0)
    n = len(conj)
    assert abs(conj.mean() - 0.5) < 4 * math.sqrt(0.25 / n)
    from_minus = mu.columns["parent_pdg"] < 0
    for sel in (from_minus, ~from_minus):  # independent of the parent's charge
        assert sel.sum() > 200 and abs(conj[sel].mean() - 0.5) < 4 * math.sqrt(0.25 / sel.sum())
    again = _parts(_build("microboone-numi", "neutrino", "majorana"))[MU_PI]
    assert np.array_equal(again.particles["pdg_vis1"], P["pdg_vis1"])
    monkeypatch.setattr(div, "charge_states", _ignored)
    ref = _build("microboone-numi", "neutrino", "majorana")
    _assert_same_but_ids(s, ref)
    for a, b in zip(s.parts, ref.parts, strict=True):
        # the other parts keep their ids, but e μ ν, whose pair is not its own conjugate (tests/test_hnl_more_channels.py)
        if a is not mu and len(a.base_weight) and s.model.detection[a.channel].visible != "e mu nu":
            for k in ("pdg_in", "pdg_vis1", "pdg_vis2", "pdg_inv"):
                assert np.array_equal(a.particles[k], b.particles[k]), k


def test_models_without_the_declaration_keep_their_ids():
    """A state that declares nothing (``Decays.self_conjugate`` None) keeps the ids as listed, whatever its
    production channel reports."""
    dec = Decays("X", 10.0, {"mu pi": 1.0})
    arr = Arrivals(*(np.zeros(3) for _ in range(4)), np.zeros(3, "<U8"), cp_conjugate=np.array([True, False, True]))
    pin, v1, v2 = div.charge_states(dec, arr, np.arange(3), np.random.default_rng(0), 5, 211, 13)
    assert list(pin) == [5] * 3 and list(v1) == [211] * 3 and list(v2) == [13] * 3
    dirac = Decays("X", 10.0, {"mu pi": 1.0}, self_conjugate=False)
    pin, v1, v2 = div.charge_states(dirac, arr, np.arange(3), np.random.default_rng(0), 5, 211, 13)
    assert list(pin) == [-5, 5, -5] and list(v1) == [-211, 211, -211] and list(v2) == [-13, 13, -13]
    pin, v1, v2 = div.charge_states(dirac, arr, np.arange(3), np.random.default_rng(0), 5, 11, -11)  # e⁻e⁺: kept
    assert list(pin) == [-5, 5, -5] and list(v1) == [11] * 3 and list(v2) == [-11] * 3


@pytest.mark.parametrize("nature", ["dirac", "majorana"])
def test_event_files_carry_the_charges(nature, tmp_path):
    """HepMC3 and Parquet files of a NuMI sample (N and N̄ parents) hold the per-event ids of the sample, pass the
    NuHepMC checker (the antiparticle −HNL_PDG is declared) and conserve electric charge at the decay."""
    s = _build("microboone-numi", "neutrino", nature, n_events=300)
    mu = _parts(s)[MU_PI]
    expect = {"in": set(np.unique(mu.particles["pdg_in"])), "vis1": set(np.unique(mu.particles["pdg_vis1"]))}
    assert len(expect["vis1"]) == 2  # both charge states present
    hep = write_events(mu, tmp_path / "n.hepmc3", pot=POT, rng=np.random.default_rng(1))
    assert nuhepmc.check_file(hep) == []
    data = read_parquet(write_events(mu, tmp_path / "n.parquet", pot=POT, rng=np.random.default_rng(1)))
    c = data["columns"]
    keep = np.asarray(c["event"])
    for role in ("in", "vis1", "vis2"):
        np.testing.assert_array_equal(c[f"{role}_pdg"], mu.particles[f"pdg_{role}"][keep])
    assert set(np.unique(c["vis1_pdg"])) == expect["vis1"]
    n_seen = 0
    with pyhepmc.open(str(hep)) as f:
        for ev in f:
            i = ev.event_number
            pids = Counter(p.pid for p in ev.particles)
            for role in ("in", "vis1", "vis2"):
                assert pids[int(mu.particles[f"pdg_{role}"][i])] >= 1
            final = [p.pid for p in ev.particles if p.status == 1 and abs(p.pid) in (211, 13)]
            assert sorted(final) == sorted([int(mu.particles["pdg_vis1"][i]), int(mu.particles["pdg_vis2"][i])])
            assert sum(Particle.from_pdgid(p).charge for p in final) == 0
            n_seen += 1
    assert n_seen == len(keep) > 0
    if nature == "dirac":
        assert expect["in"] == {HNL_PDG[0], -HNL_PDG[0]}
        header = hep.read_text().split("\nE ", 1)[0]
        assert f"NuHepMC.AdditionalParticleNumber[{-HNL_PDG[0]}].Name anti-N4" in header


def test_polarised_majorana_charge_states_keep_their_asymmetries():
    """A polarised Majorana N: the decay angles are drawn isotropically (the charge sum, unchanged), and each decay
    goes to π⁺μ⁻ with probability (1 + αP cos θ_π)/2 and to π⁻μ⁺ otherwise, so that each charge state follows
    1 ± αP cos θ. With s = ±1 for the two charge states and c = cos θ_π about the spin axis in the N frame,
    E[s c] = E[αP]/3 (uniform c); checked within 4 standard errors of s c. With ``polarisation = off`` the
    correlation is absent (E[s c] = 0 within 4 errors)."""
    for pol in ("on", "off"):
        m = get_model("heavy-neutral-lepton", {"m_n": "300 MeV", "u2_mu": "1e-8", "nature": "majorana",
                                               "polarisation": pol})
        s = build_signal(m, "microboone-numi", "neutrino", n_mesons=20_000, n_events=6000, seed=3)
        mu = _parts(s)[MU_PI]
        P, c = mu.particles, mu.columns
        axis = div.spin_axes(P["p4_in"], c["parent_p4"], 300.0)
        d = boost(P["p4_vis1"], -beta_of(P["p4_in"]))[:, 1:]  # the pion, in the N frame
        cos = np.sum(d * axis, axis=1) / np.linalg.norm(d, axis=1)
        sign = np.where(P["pdg_vis1"] == 211, 1.0, -1.0)
        x = sign * cos
        err = x.std() / math.sqrt(len(x))
        alpha = m.boson_decays("N").charge_asymmetry.get("mu pi", 0.0)
        expected = float(np.mean(alpha * c["polarisation"])) / 3.0 if pol == "on" else 0.0
        if pol == "on":
            assert abs(expected) > 5 * err  # the effect is resolved by this sample
        assert abs(x.mean() - expected) < 4 * err, (pol, x.mean(), expected, err)
