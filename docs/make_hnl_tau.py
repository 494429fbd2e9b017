"""Numbers of docs/portal_hnl.md, "HNLs from τ decays": D±, D_s± → τν, τ → N X (darkbeam.production.tau_chain).

What is computed:

* the SM limit: BR(τ → ν X) at tree level (m_N → 0, |U|² = 1) and with the radiative corrections stated in
  tests/test_hnl_tau.py (short-distance electroweak 1 + (2α/π) ln(M_Z/m_τ) for hadrons; QED and W propagator for
  leptons);
* the bound on the neglected τ polarisation: the largest shift of the mean N energy in the D rest frame,
  β_τ p*_N/(3E*_N) ≤ β_τ/3 (β_τ of the τ in the D frame; docs/portal_hnl.md, "HNLs from τ decays");
* BR(τ → N X) per channel at |U|² = 1 (formal: the |U|² = 1 value multiplies the mixing) for m_N = 0 (the SM τ
  widths, tree level), 300, 500, 1000, 1500 MeV, from ``tau_chain.tau_branching_ratios``;
* N per POT from τ decays at NuMI and LBNF, |U_τ4|² = 1 (and, for comparison, the |U_μ4|² = 1 channel τ → ν_τ μ N and
  D → μN directly): Σ_D (D per POT, ``mesons_per_pot``) × BR(D → τν) × Σ BR(τ → N X), deterministic;
* events at DUNE ND (``dune-nd``, LBNF neutrino mode, 1e21 POT) of a Majorana N with |U_τ4|² = 1e-6 only
  (u2_e = u2_mu = 0) at m_N = 300, 500, 1000 MeV, per detection channel: truth level (every decay in the detector
  volume, ``build_signal(..., detector=False)``) and with the catalogue's detector response (what ``darkbeam run``
  reports; examples/hnl_tau_dune.toml is the 500 MeV point). The Monte Carlo error is the spread of N_SEEDS
  independent samples (standard error of their mean);
* random streams (``--streams``, about 2 min more): the fluxes of every non-τ-chain source built with and without
  ``TauChain`` in one process (fresh model objects), hashed, at examples/hnl_microboone.toml's point at MicroBooNE/BNB
  and at microboone-numi (385 and 500 MeV), and the signal totals of the τ-chain and other sources (the full config
  sizes: 200 000 mesons, 20 000 events, seed 12345).

Run:  /work/venv/bin/python docs/make_hnl_tau.py          (about 2 min on one core)
      /work/venv/bin/python docs/make_hnl_tau.py --quick  (smaller samples)
"""

from __future__ import annotations

import argparse
import hashlib
import math
import tomllib
from pathlib import Path

import numpy as np

from darkbeam.beams.beamlines import BEAMS
from darkbeam.beams.production import mesons_per_pot
from darkbeam.constants import ALPHA_EM, HBARC, M_D, M_DS, M_PI, M_TAU
from darkbeam.models import get_model
from darkbeam.models.hnl import HeavyNeutralLepton
from darkbeam.pipeline.boson_flux import iter_boson_sources
from darkbeam.pipeline.signal import build_signal, detection_channel
from darkbeam.production import tau_chain as tc
from darkbeam.production.two_body import branching_ratio

BR_MASSES = (0.0, 300.0, 500.0, 1000.0, 1500.0)
FLUX_MASSES = (300.0, 500.0, 1000.0, 1500.0)
EVENT_MASSES = (300.0, 500.0, 1000.0)
U2_TAU = 1e-6
POT = 1e21
EXPERIMENT = "dune-nd"
N_MESONS, N_EVENTS, N_SEEDS, SEED0 = 50_000, 5000, 3, 200
PARENTS = ("D+", "D-", "Ds+", "Ds-")


def sm_limit() -> None:
    s_ew = 1.0 + 2.0 * ALPHA_EM / math.pi * math.log(91187.6 / M_TAU)
    lept = (1.0 - ALPHA_EM * (math.pi**2 - 6.25) / (2.0 * math.pi)) * (1.0 + 0.6 * (M_TAU / 80377.0) ** 2)
    print(f"SM limit (m_N -> 0): S_EW = {s_ew:.4f}, leptonic correction = {lept:.5f}")
    for ch, rc in (("N pi", s_ew), ("N rho", s_ew), ("N K*", 1.0), ("N e nu", lept), ("N mu nu", lept)):
        br = tc.unit_width(ch, 1e-3) / tc.GAMMA_TAU
        print(f"  tau -> {ch}: tree {100 * br:.3f} %, corrected {100 * br * rc:.3f} %")
    had = sum(tc.unit_width(ch, 1e-3) for ch in tc.TWO_BODY) / tc.GAMMA_TAU
    print(f"  sum of the exclusive hadronic channels: {100 * had:.1f} % of the tau width")


def polarisation_bound() -> None:
    print("tau polarisation not applied: bound on the shift of the mean N energy in the D frame (|alpha P| <= 1)")
    for name, m_d in (("Ds", M_DS), ("D+", M_D)):
        p_t = (m_d**2 - M_TAU**2) / (2 * m_d)
        beta = p_t / math.hypot(p_t, M_TAU)
        parts = []
        for m in FLUX_MASSES:
            e = (M_TAU**2 + m**2 - M_PI**2) / (2 * M_TAU)  # tau -> N pi; beta/3 bounds every channel
            parts.append(f"{m:g} MeV: {100 * beta * math.sqrt(e * e - m * m) / (3 * e):.2f} %")
        print(f"  {name} -> tau nu: p_tau = {p_t:.1f} MeV, beta_tau = {beta:.4f}, beta/3 = {100 * beta / 3:.2f} %; "
              "tau -> N pi: " + ", ".join(parts))


def br_table() -> None:
    print("BR(tau -> N X) at |U|^2 = 1 (formal); mixing each channel is proportional to in brackets")
    head = "| channel | mixing | " + " | ".join(f"m_N = {m:g} MeV" for m in BR_MASSES) + " |"
    print(head)
    print("|" + "---|" * (2 + len(BR_MASSES)))
    rows = {m: tc.tau_branching_ratios(max(m, 1e-3), {"tau": 1.0, "e": 1.0, "mu": 1.0}) for m in BR_MASSES}
    for ch in tc.CHANNELS:
        print(f"| τ → {ch} | U_{tc.MIXING[ch]} | " + " | ".join(f"{rows[m][ch]:.4g}" for m in BR_MASSES) + " |")
    for mix in ("tau", "e", "mu"):
        tot = {m: sum(v for ch, v in rows[m].items() if tc.MIXING[ch] == mix) for m in BR_MASSES}
        print(f"| sum ∝ U_{mix} | | " + " | ".join(f"{tot[m]:.4g}" for m in BR_MASSES) + " |")


def n_per_pot() -> None:
    print("\nN per POT from tau decays (|U|^2 = 1 of the stated mixing; deterministic D yields)")
    for beam_name in ("numi", "lbnf"):
        beam = BEAMS.get(beam_name)
        d = {p: mesons_per_pot(beam, p) for p in PARENTS}
        br_tau = {p: branching_ratio(p, "tau", 0.0, 1.0) for p in PARENTS}
        print(f"{beam_name}: D+ {d['D+']:.4g}, D- {d['D-']:.4g}, Ds+ {d['Ds+']:.4g}, Ds- {d['Ds-']:.4g} per POT; "
              f"BR(D+ -> tau nu) = {br_tau['D+']:.4g}, BR(Ds+ -> tau nu) = {br_tau['Ds+']:.4g}")
        for m in FLUX_MASSES:
            br = tc.tau_branching_ratios(m, {"tau": 1.0, "e": 1.0, "mu": 1.0})
            via = {mix: sum(v for ch, v in br.items() if tc.MIXING[ch] == mix) for mix in ("tau", "mu")}
            n_tau = sum(d[p] * br_tau[p] * via["tau"] for p in PARENTS)
            n_mu_chain = sum(d[p] * br_tau[p] * via["mu"] for p in PARENTS)
            n_mu_direct = sum(d[p] * branching_ratio(p, "mu", m, 1.0) for p in PARENTS)
            print(f"  m_N = {m:g} MeV: N/POT via tau (U_tau) {n_tau:.4g}; tau -> nu mu N (U_mu) {n_mu_chain:.4g}; "
                  f"D -> mu N directly (U_mu) {n_mu_direct:.4g} (chain/direct = {n_mu_chain / n_mu_direct:.3g})")


def events() -> None:
    print(f"\nEvents at {EXPERIMENT} (neutrino mode, {POT:.0e} POT), Majorana N, |U_tau|^2 = {U2_TAU:g} only; "
          f"mean ± standard error of {N_SEEDS} seeds ({N_MESONS} D per species, {N_EVENTS} events per channel)")
    for m in EVENT_MASSES:
        model = get_model("heavy-neutral-lepton", {"m_n": f"{m} MeV", "u2_mu": "0", "u2_tau": f"{U2_TAU}"})
        gamma = sum(model.decays()["N"].widths.values())
        print(f"m_N = {m:g} MeV: c tau = {HBARC / gamma / 1e3:.4g} m")
        for detector in (False, True):
            per: dict[str, list[float]] = {}
            for k in range(N_SEEDS):
                s = build_signal(model, EXPERIMENT, "neutrino", n_mesons=N_MESONS, n_events=N_EVENTS, seed=SEED0 + k,
                                 detector=detector)
                for p in s.parts:
                    per.setdefault(detection_channel(model, p.channel).label, []).append(p.total(model, POT))
            tag = "with the detector response" if detector else "truth level"
            tot = np.sum([v for v in per.values()], axis=0)
            print(f"  {tag}: total {tot.mean():.4g} ± {tot.std(ddof=1) / np.sqrt(N_SEEDS):.2g}")
            for lab, v in per.items():
                v = np.asarray(v)
                print(f"    {lab}: {v.mean():.4g} ± {v.std(ddof=1) / np.sqrt(N_SEEDS):.2g}")


def streams() -> None:
    """Item 4 of the τ issue: the other sources unchanged by the τ chain (module docstring)."""
    cfg = tomllib.loads((Path(__file__).resolve().parents[1] / "examples" / "hnl_microboone.toml").read_text())
    pars = {k: str(v) for k, v in cfg["model"].items() if k != "name"}
    sim = cfg["simulation"]
    new = HeavyNeutralLepton.production
    old = tuple(ch for ch in new if not isinstance(ch, tc.TauChain))
    print("\nRandom streams: non-tau-chain sources with and without TauChain (hnl_microboone.toml sizes and seed)")
    for experiment, mass in (("microboone", None), ("microboone-numi", None), ("microboone-numi", "500 MeV")):
        p = {**pars, **({"m_n": mass} if mass else {})}
        out = {}
        for tag, prod in (("without", old), ("with", new)):
            HeavyNeutralLepton.production = prod
            try:
                model = get_model("heavy-neutral-lepton", p)  # fresh object: no shared arrivals between the two
                h = hashlib.sha256()
                for xs, _, lab in iter_boson_sources(model, experiment, "neutrino", n_mesons=sim["n_mesons"],
                                                     rng=np.random.default_rng(sim["seed"])):
                    if " t/" not in lab:
                        for a in (xs.p4, xs.w, xs.x):
                            h.update(a.tobytes())
                s = build_signal(model, experiment, "neutrino", n_mesons=sim["n_mesons"], n_events=sim["n_events"],
                                 seed=sim["seed"], detector=False)
                mu = s.parts[0]  # N -> mu pi
                w = mu.weights(model)
                tau = np.char.find(mu.source.astype(str), " t/") >= 0
                out[tag] = (h.hexdigest()[:16], float(w[~tau].sum()), float(w[tau].sum()))
            finally:
                HeavyNeutralLepton.production = new
        a, b = out["without"], out["with"]
        print(f"  {experiment} m_N = {p['m_n']}: flux hash {a[0]} / {b[0]} ({'identical' if a[0] == b[0] else 'DIFFERENT'}); "
              f"N -> mu pi per POT, other sources {a[1]:.6g} / {b[1]:.6g} (ratio {b[1] / a[1] if a[1] else float('nan'):.6f}), "
              f"tau chain {b[2]:.4g} ({100 * b[2] / a[1] if a[1] else 0:.2f} % of the others)")


def main() -> None:
    global N_MESONS, N_EVENTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples")
    ap.add_argument("--streams", action="store_true", help="also the random-stream check (full config sizes)")
    args = ap.parse_args()
    if args.quick:
        N_MESONS, N_EVENTS = 5000, 1000
    sm_limit()
    polarisation_bound()
    br_table()
    n_per_pot()
    events()
    if args.streams:
        streams()


if __name__ == "__main__":
    main()
