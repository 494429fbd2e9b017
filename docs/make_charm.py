"""Numbers of docs/portal_hnl.md, "Charm at 120 GeV": open-charm production by the 120 GeV protons of NuMI and LBNF
(darkbeam.beams.charm) and the heavy neutral leptons of D±, D_s± → ℓ±N (darkbeam.production.two_body).

What is computed:

* σ_cc̄ per nucleon at 120 GeV/c (NA27-normalised LO energy dependence) with its band, and the check of that
  energy dependence against HERA-B at 920 GeV/c;
* D⁺, D⁻, D_s⁺, D_s⁻ per POT on the NuMI and LBNF targets (deterministic integrals, P_int A σ_cc̄ f / σ_inel);
* N → μπ decays inside ``dune-nd`` and ``microboone-numi`` (neutrino mode, truth level: every μπ decay in the
  detector volume, ``build_signal(..., detector=False)``, the μπ part of the sample: the model also detects eπ,
  ν e⁺e⁻ and ν π⁰), Majorana N, |U_μ4|² = 1e-8 (|U_e4|² = |U_τ4|² = 0), at
  m_N = 0.3, 0.6, 1.0, 1.5 GeV, from K± → μN and from D±, D_s± → μN SEPARATELY (the model's two production
  channels, each alone in a copy of the model), per 1e21 POT. The Monte Carlo error is the spread of N_SEEDS
  independent samples (standard error of their mean), which includes the meson sampling and the resampling of
  the decays.

Run:  /work/venv/bin/python docs/make_charm.py          (about 2 min on one core)
      /work/venv/bin/python docs/make_charm.py --quick  (smaller samples)
"""

from __future__ import annotations

import argparse

import hepunits as hu
import numpy as np

from darkbeam.beams import charm
from darkbeam.beams.beamlines import BEAMS
from darkbeam.beams.production import mesons_per_pot
from darkbeam.constants import HBARC
from darkbeam.detectors.catalog import get_experiment
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.models.hnl import HeavyNeutralLepton
from darkbeam.pipeline.signal import build_signal, detection_channel
from darkbeam.production.two_body import MesonTwoBody, PromptMesonTwoBody, branching_ratio

#: HNL masses (MeV), mixing, experiments, exposure the event numbers are quoted for
MASSES = (300.0, 600.0, 1000.0, 1500.0)
U2_MU = 1e-8
EXPERIMENTS = ("dune-nd", "microboone-numi")
POT = 1e21
#: sample sizes, independent seeds
N_MESONS, N_EVENTS, N_SEEDS, SEED0 = 20_000, 2000, 4, 100
#: the detection channel counted (``DetectionChannel.label``): N → μ∓π±
MU_PI = DecayInVolume("N", "mu pi").label


class KaonOnly(HeavyNeutralLepton):
    """The model with its π/K channel only (not registered: a copy for splitting the sources)."""

    production = (MesonTwoBody(),)


class CharmOnly(HeavyNeutralLepton):
    """The model with its D/D_s channel only (not registered)."""

    production = (PromptMesonTwoBody(),)


SOURCES = {"K": KaonOnly, "D(s)": CharmOnly}


def sigma_summary() -> dict:
    """σ_cc̄ (μb per nucleon) at NA27, at 120 GeV/c with its band, and the HERA-B prediction vs measurement."""
    p120 = 120 * hu.GeV
    lo, hi = charm.sigma_cc_band(p120)
    lo9, hi9 = charm.sigma_cc_band(charm.HERAB_P_BEAM)
    return {"sqrt_s_120": charm.sqrt_s(p120) / hu.GeV, "na27": charm.sigma_cc_na27(),
            "s120": charm.sigma_cc(p120) / hu.microbarn, "band120": (lo / hu.microbarn, hi / hu.microbarn),
            "herab_pred": charm.sigma_cc(charm.HERAB_P_BEAM) / hu.microbarn,
            "herab_band": (lo9 / hu.microbarn, hi9 / hu.microbarn),
            "herab_meas": (charm.HERAB_SIGMA_CC_UB, charm.HERAB_STAT_UB, charm.HERAB_SYST_UB)}


def yields() -> dict[str, dict[str, float]]:
    """Charm mesons per POT by beam and species (the band scales them by the σ_cc̄ band / central)."""
    return {b: {sp: mesons_per_pot(BEAMS.get(b), sp) for sp in charm.CHARM_SPECIES} for b in ("numi", "lbnf")}


def events(mass: float, experiment: str, source: str, n_mesons: int = N_MESONS, n_events: int = N_EVENTS,
           n_seeds: int = N_SEEDS) -> dict:
    """N → μπ decays in ``experiment`` per POT from ``source`` ("K" or "D(s)"): mean and standard error over
    ``n_seeds`` independent samples, and the note of an empty sample."""
    model = SOURCES[source](m_n=mass, u2_mu=U2_MU, nature="majorana")
    totals, note, p_lab = [], "", []
    for k in range(n_seeds):
        combined = build_signal(model, experiment, "neutrino", n_mesons=n_mesons, n_events=n_events, seed=SEED0 + k,
                                detector=False)
        s = {detection_channel(model, p.channel).label: p for p in combined.parts}[MU_PI]  # the μπ part
        totals.append(s.total(model, 1.0))
        note = note or s.note
        if len(s.base_weight) and "p_lab" in s.columns:
            p_lab.append(np.asarray(s.columns["p_lab"]))
    # decay length λ = (p/m) cτ of the N that decay in the detector (median) and their survival to the detector
    ctau = HBARC / model.decays()["N"].total
    lam = float(np.median(np.concatenate(p_lab))) / mass * ctau if p_lab else float("nan")
    survival = float(np.exp(-get_experiment(experiment).distance / lam)) if p_lab else float("nan")
    t = np.array(totals)
    err = float(t.std(ddof=1) / np.sqrt(len(t))) if len(t) > 1 else float("nan")
    if t.mean() == 0:
        # the production channel's own verdict when every P → μN is closed, else the sample's note
        rows = [r for ch in model.production for r in ch.branching_ratios(model) if r["lepton"] == "mu"]
        if all(r["value"] == "closed" for r in rows):
            note = "closed: m_N >= M - m_mu for every parent " + ", ".join(sorted({r["parent"] for r in rows}))
    return {"mean": float(t.mean()), "err": err, "note": note if t.mean() == 0 else "", "lambda_km": lam / 1e6,
            "survival": survival}


def event_table(n_mesons: int = N_MESONS, n_events: int = N_EVENTS, n_seeds: int = N_SEEDS) -> list[dict]:
    """One row per (experiment, mass): events per POT from K and from D(s)."""
    return [{"experiment": e, "mass": m, **{src: events(m, e, src, n_mesons, n_events, n_seeds) for src in SOURCES}}
            for e in EXPERIMENTS for m in MASSES]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples")
    args = ap.parse_args()
    kw = {"n_mesons": 5000, "n_events": 1000, "n_seeds": 3} if args.quick else {}
    s = sigma_summary()
    print(f"sqrt(s) at 120 GeV/c = {s['sqrt_s_120']:.2f} GeV; sigma_cc(NA27, 27.4 GeV) = {s['na27']:.1f} ub/nucleon")
    print(f"sigma_cc(120 GeV/c) = {s['s120']:.2f} ub/nucleon, band {s['band120'][0]:.2f}-{s['band120'][1]:.2f}")
    m, st, sy = s["herab_meas"]
    print(f"HERA-B 920 GeV/c: predicted {s['herab_pred']:.1f} (band {s['herab_band'][0]:.1f}-{s['herab_band'][1]:.1f})"
          f" vs measured {m} +- {st} +- {sy} ub")
    rel_lo, rel_hi = s["band120"][0] / s["s120"], s["band120"][1] / s["s120"]
    print("\n| beam | D+ /POT | D- /POT | Ds+ /POT | Ds- /POT | band factor |\n|---|---|---|---|---|---|")
    for b, row in yields().items():
        print(f"| {b} | " + " | ".join(f"{row[sp]:.3g}" for sp in charm.CHARM_SPECIES)
              + f" | x{rel_lo:.2f} - x{rel_hi:.2f} |")
    print("\nSM leptonic BRs (m_N -> 0, |U|^2 = 1) vs PDG 2022:")
    pdg_brs = ((("Ds+", "mu"), "5.43e-3 +- 0.15e-3"), (("D+", "mu"), "3.74e-4 +- 0.17e-4"),
               (("Ds+", "tau"), "5.32e-2 +- 0.11e-2"))
    for (par, lep), pdg in pdg_brs:
        print(f"  BR({par} -> {lep} nu) = {branching_ratio(par, lep, 0.0, 1.0):.3g}  (PDG {pdg})")
    print(f"open-charm threshold sqrt(s) = {charm.open_charm_threshold() / hu.GeV:.2f} GeV; BNB sqrt(s) = "
          f"{charm.sqrt_s(BEAMS.get('bnb').proton_momentum) / hu.GeV:.2f} GeV; BNB request: "
          f"{charm.charm_closed_reason(BEAMS.get('bnb'))}")
    print(f"\nN -> mu pi decays in the detector per {POT:.0e} POT (neutrino mode), |U_mu|^2 = {U2_MU:g}, Majorana")
    print("| experiment | m_N [GeV] | from K | from D, D_s | D/K | lambda [km] (D) | survival (D) |\n"
          "|---|---|---|---|---|---|---|")
    for r in event_table(**kw):
        cells = []
        for src in SOURCES:
            e = r[src]
            cells.append(f"0 ({e['note']})" if e["mean"] == 0 else f"{e['mean'] * POT:.3g} ± {e['err'] * POT:.2g}")
        k, d = r["K"]["mean"], r["D(s)"]
        ratio = f"{d['mean'] / k:.2g}" if k > 0 else "-"
        print(f"| {r['experiment']} | {r['mass'] / 1000:g} | " + " | ".join(cells)
              + f" | {ratio} | {d['lambda_km']:.3g} | {d['survival']:.4f} |")


if __name__ == "__main__":
    main()
