"""Numbers and figure of docs/portal_hnl.md, "Second check: MicroBooNE on the BNB (arXiv:1911.10545)": darkbeam's
90 % CL limit on |U_μ4|² (Dirac and Majorana) against MicroBooNE's BNB search for N → μπ, PRD 101, 052001 (2020).

What is computed (the assumptions are stated in docs/portal_hnl.md):

* darkbeam's ``heavy-neutral-lepton`` model with only |U_μ4|² ≠ 0 at the experiment ``microboone`` (BNB, 470 m): K⁺
  decaying in flight in the BNB target and decay pipe (neutrino mode), K⁺ → μ⁺N, N → μ∓π± anywhere in the TPC at truth
  level (``build_signal(..., detector=False)``; the μπ part of the model's sample, :func:`channel_part`, as the model
  also detects eπ, ν e⁺e⁻, ν π⁰, ν μ⁺μ⁻, ν γ and e μ ν), one sample per mass and nature, re-weighted exactly in |U_μ4|²;
* the exposure of the search, 2.0e20 POT (abstract);
* the late trigger as a cut on the N's arrival time: each event's delay Δt relative to light-speed neutrinos from the
  target (the kaon's flight at β_K from its production point to its decay, then the N's at β_N to its decay point in
  the TPC, minus the straight light path; β from the per-event momenta), a uniform BNB spill of T = 1.6 μs
  (MiniBooNE, NIM A599 (2009) 28), and a window that opens when the spill's last light-speed neutrinos have passed
  (ASSUMED: the paper's window could not be read). An N produced at time t₀ ∈ [0, T] is recorded when
  t₀ + Δt falls in [T, T + W], so the acceptance is |[T − Δt, T + W − Δt] ∩ [0, T]| / T (W = ∞ by default);
* a stated efficiency (ε = 1: none was found) and 0 observed events on 0 background (not found either), i.e.
  the 90 % CL signal limit N_up = 2.30 (``darkbeam.inference.poisson_limits``);
* the published limits from ``darkbeam/data/constraints/microboone_hnl_bnb_2020.json``: the abstract's ends (260 and
  385 MeV, Dirac and Majorana) and a digitised Majorana curve (at 300 and 340 MeV).

Run:  /work/venv/bin/python docs/make_hnl_bnb.py          (about 30 s; writes docs/figures/hnl_microboone_bnb.png)
      /work/venv/bin/python docs/make_hnl_bnb.py --quick  (no figure, no seed spread)
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from darkbeam.constants import C_LIGHT, M_MU, M_PI
from darkbeam.data import data_path
from darkbeam.inference.poisson_limits import cls_upper_limit
from darkbeam.interactions.channels import DecayInVolume
from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal, detection_channel

FIG = Path(__file__).with_name("figures") / "hnl_microboone_bnb.png"
DATA = ("constraints", "microboone_hnl_bnb_2020.json")
#: the detection channel of the published search (N → μ∓π±; ``DetectionChannel.label``)
MU_PI = DecayInVolume("N", "mu pi").label

#: BNB spill length, ns (MiniBooNE, NIM A599 (2009) 28: 1.6 μs spills)
SPILL_NS = 1600.0
#: the late window opens this long after the first light-speed neutrinos of the spill (ASSUMED: at the spill's end)
WINDOW_OPEN_NS = SPILL_NS
#: its length, ns (ASSUMED open for every late N; the analysis' window could not be read)
WINDOW_NS = math.inf
#: observed events and expected background: ASSUMED (0, 0) (the paper's counts could not be read)
N_OBS, BKG = 0, 0.0
#: stated selection efficiency: every μπ decay in the TPC (no μπ efficiency of the analysis was found)
EFFICIENCY = 1.0
#: masses of the comparison (MeV): the abstract's ends and two points of the digitised Majorana curve
MASSES = (260.0, 300.0, 340.0, 385.0)
NATURES = ("majorana", "dirac")
#: openings of the window after the spill's end scanned by the script (ns)
OPENINGS_NS = (0.0, 100.0, 200.0, 400.0, 800.0, 1600.0)
#: an ILLUSTRATIVE later opening of the window (ns after the spill's end) drawn in the figure (see the doc)
ILLUSTRATIVE_OPENING_NS = 800.0
#: reference |U_μ4|² of the samples (re-weighted exactly to any other value)
U2_REF = 1e-8
#: sample sizes and seed of the script (≤ 2e5 mesons per species)
N_MESONS, N_EVENTS, SEED = 200_000, 40_000, 11


def published() -> dict:
    """The packaged published numbers (arXiv:1911.10545; see the file's provenance)."""
    with data_path(*DATA).open("r") as f:
        return json.load(f)


def abstract_limit(mass: float, nature: str) -> float | None:
    """The abstract's limit at one end of its mass range (260 or 385 MeV), else None."""
    for m, u2 in published()["abstract_limits"][nature]:
        if m == mass:
            return float(u2)
    return None


def digitised_majorana(mass: float) -> float:
    """The digitised published Majorana curve at ``mass`` MeV (linear in m, log in |U|²; ends clamped to the data)."""
    pts = np.array(published()["majorana_curve"]["points"], float)
    return float(10.0 ** np.interp(mass, pts[:, 0], np.log10(pts[:, 1])))


def hnl(mass: float, nature: str, u2: float = U2_REF):
    """The ``heavy-neutral-lepton`` model at m_N = ``mass`` MeV with only |U_μ4|² = ``u2``."""
    return get_model("heavy-neutral-lepton", {"m_n": f"{mass} MeV", "u2_mu": str(u2), "nature": nature})


def channel_part(s, label: str = MU_PI):
    """The part of the combined sample ``s`` (``CombinedSample.parts``) built for the detection channel ``label``."""
    return {detection_channel(s.model, p.channel).label: p for p in s.parts}[label]


def sample(mass: float, nature: str, n_mesons: int = N_MESONS, n_events: int = N_EVENTS, seed: int = SEED):
    """(model at U2_REF, truth-level N → μπ sample at ``microboone``, BNB neutrino mode): the μπ part of the model's
    sample (the first channel, built with ``seed`` exactly as a μπ-only model)."""
    m = hnl(mass, nature)
    return m, channel_part(build_signal(m, "microboone", "neutrino", n_mesons=n_mesons, n_events=n_events, seed=seed,
                                        detector=False))


def arrival_delay_ns(s) -> np.ndarray:
    """Per-event delay (ns) of the N's decay relative to a light-speed neutrino from the kaon's production point:
    |x_prod − x_K|/(β_K c) + |x_dec − x_prod|/(β_N c) − |x_dec − x_K|/c, with β_K = |p_K|/E_K and β_N = p/E."""
    c = s.columns
    pk = c["parent_p4"]
    beta_k = np.linalg.norm(pk[:, 1:], axis=1) / pk[:, 0]
    e_n = s.particles["p4_in"][:, 0]
    beta_n = c["p_lab"] / e_n
    leg_k = np.linalg.norm(c["x_prod"] - c["parent_x0"], axis=1)
    leg_n = np.linalg.norm(c["x_dec"] - c["x_prod"], axis=1)
    light = np.linalg.norm(c["x_dec"] - c["parent_x0"], axis=1)
    # C_LIGHT is in mm/ns; lengths in mm
    return (leg_k / beta_k + leg_n / beta_n - light) / C_LIGHT


def window_acceptance(delay_ns: np.ndarray, spill_ns: float = SPILL_NS, open_ns: float = WINDOW_OPEN_NS,
                      length_ns: float = WINDOW_NS) -> np.ndarray:
    """Fraction of a uniform spill [0, T] whose N (delay Δt) arrives in the window [open, open + length] (ns)."""
    lo = np.clip(open_ns - delay_ns, 0.0, spill_ns)
    hi = np.clip(open_ns + length_ns - delay_ns, 0.0, spill_ns)
    return (hi - lo) / spill_ns


def signal_limit(n_obs: int = N_OBS, bkg: float = BKG) -> float:
    """90 % CL CLs upper limit on the signal mean (2.303 for 0 observed on 0 background)."""
    return cls_upper_limit(n_obs, bkg, cl=0.90)


def expected(model, s, u2: float, acceptance: np.ndarray, efficiency: float = EFFICIENCY, pot: float | None = None) -> float:
    """Expected recorded μπ decays at |U_μ4|² = ``u2`` (exact re-weighting) × timing acceptance × efficiency."""
    pot = published()["exposure_pot"] if pot is None else pot
    return float(np.sum(s.weights(model.replace(u2_mu=u2)) * acceptance)) * pot * efficiency


def u2_limit(model, s, acceptance: np.ndarray, n_up: float, efficiency: float = EFFICIENCY) -> float:
    """Smallest |U_μ4|² with ``expected`` = ``n_up`` (first upward crossing on a log grid, then brentq); nan if none."""
    def f(x: float) -> float:
        return expected(model, s, 10.0**x, acceptance, efficiency) - n_up

    grid = np.linspace(-11.0, -3.0, 81)
    vals = np.array([f(x) for x in grid])
    up = np.flatnonzero((vals[:-1] < 0) & (vals[1:] >= 0))
    if len(up) == 0:
        return float("nan")
    i = int(up[0])
    return float(10.0 ** brentq(f, grid[i], grid[i + 1], xtol=1e-8))


def limit_mc_error(model, s, acceptance: np.ndarray, u2: float) -> float:
    """Relative MC error of a long-lived limit: ½ × √Σw²/Σw of the accepted weights at ``u2`` (N ∝ |U|⁴)."""
    w = s.weights(model.replace(u2_mu=u2)) * acceptance
    return 0.5 * float(np.sqrt(np.sum(w**2)) / np.sum(w))


def row(mass: float, nature: str, n_mesons: int = N_MESONS, n_events: int = N_EVENTS, seed: int = SEED,
        n_up: float | None = None) -> dict:
    """darkbeam's limits at one mass and nature: without timing, with the late window, and its MC error."""
    n_up = signal_limit() if n_up is None else n_up
    m, s = sample(mass, nature, n_mesons, n_events, seed)
    delay = arrival_delay_ns(s)
    acc = window_acceptance(delay)
    lim_all = u2_limit(m, s, np.ones(len(delay)), n_up)
    lim = u2_limit(m, s, acc, n_up)
    lim_later = u2_limit(m, s, window_acceptance(delay, open_ns=SPILL_NS + ILLUSTRATIVE_OPENING_NS), n_up)
    w = s.weights()
    pub = abstract_limit(mass, nature)
    dig = digitised_majorana(mass) if nature == "majorana" else None
    return {"mass": mass, "nature": nature, "limit_no_timing": lim_all, "limit": lim, "limit_later": lim_later,
            "mc_error": limit_mc_error(m, s, acc, lim), "mean_acceptance": float(np.average(acc, weights=w)),
            "median_delay_ns": float(np.median(delay)),
            "abstract": pub, "digitised": dig,
            "published": pub if pub is not None else dig,
            "decays_at_ref": float(np.sum(w)) * published()["exposure_pot"]}


def table(masses=MASSES, natures=NATURES, **kw) -> list[dict]:
    """One ``row`` per mass and nature."""
    return [row(mass, nat, **kw) for nat in natures for mass in masses]


def opening_scan(mass: float, nature: str = "majorana", openings_ns=OPENINGS_NS,
                 lengths_ns=(math.inf,)) -> list[dict]:
    """How the unknown window moves the limit at one mass: the window opening δ ns after the spill's end (and,
    optionally, finite lengths); returns {"delta", "length", "limit", "ratio" (to the published value)}."""
    m, s = sample(mass, nature)
    delay = arrival_delay_ns(s)
    n_up = signal_limit()
    pub = abstract_limit(mass, nature) or digitised_majorana(mass)
    out = []
    for ln in lengths_ns:
        for d in openings_ns:
            lim = u2_limit(m, s, window_acceptance(delay, open_ns=SPILL_NS + d, length_ns=ln), n_up)
            out.append({"delta": d, "length": ln, "limit": lim, "ratio": lim / pub})
    return out


def factor_two_efficiencies(ratios: list[float]) -> tuple[float, float] | None:
    """The efficiencies ε (relative to EFFICIENCY) for which every darkbeam/published ratio r/√ε lies in [½, 2]
    (long-lived: |U|² ∝ ε^(−1/2)); None if there is none."""
    lo = max(r / 2.0 for r in ratios) ** 2
    hi = min(r / 0.5 for r in ratios) ** 2
    return (lo, hi) if lo <= hi else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="no seed spread and no figure")
    args = ap.parse_args()
    pub = published()
    n_up = signal_limit()
    print(f"MicroBooNE BNB HNL search ({pub['publication']}): {pub['exposure_pot']:.2g} POT, 90% CL, "
          f"{pub['assumptions']}")
    print(f"assumed: eps = {EFFICIENCY:g}; {N_OBS} observed on {BKG:g} background -> N_up = {n_up:.4f}; spill "
          f"{SPILL_NS:g} ns uniform, window opens {WINDOW_OPEN_NS:g} ns after the first light-speed neutrinos, "
          f"length {WINDOW_NS:g} ns")
    rows = table()
    print("| nature | m_N [MeV] | mu-pi decays at 1e-8 | median delay [ns] | <acceptance> | "
          "darkbeam, no timing | darkbeam, late window | MC error | published | source | darkbeam/published |")
    for r in rows:
        src = "abstract" if r["abstract"] is not None else ("digitised" if r["digitised"] is not None else "-")
        pub_s = "-" if r["published"] is None else f"{r['published']:.3g}"
        ratio = "-" if r["published"] is None else f"{r['limit'] / r['published']:.3f}"
        print(f"| {r['nature']} | {r['mass']:g} | {r['decays_at_ref']:.4g} | {r['median_delay_ns']:.1f} | "
              f"{r['mean_acceptance']:.4f} | {r['limit_no_timing']:.3g} | {r['limit']:.3g} | "
              f"{r['mc_error']:.2%} | {pub_s} | {src} | {ratio} |")
    for r in rows:
        if r["nature"] == "majorana" and r["abstract"] is not None:
            print(f"  digitised / abstract at {r['mass']:g} MeV: {r['digitised'] / r['abstract']:.3f}; darkbeam / "
                  f"digitised {r['limit'] / r['digitised']:.3f}")
    by = {(r["nature"], r["mass"]): r for r in rows}
    for mass in (MASSES[0], MASSES[-1]):
        d, mj = by[("dirac", mass)], by[("majorana", mass)]
        # the abstract's rounding: 2 significant figures at 260 MeV (±0.05e-7), 1 at 385 MeV (±0.05e-7 as well)
        lo_r = (d["abstract"] - 0.05e-7) / (mj["abstract"] + 0.05e-7)
        hi_r = (d["abstract"] + 0.05e-7) / (mj["abstract"] - 0.05e-7)
        print(f"  Dirac/Majorana at {mass:g} MeV: darkbeam {d['limit'] / mj['limit']:.3f} (sqrt 2 = {math.sqrt(2):.3f}), "
              f"published {d['abstract'] / mj['abstract']:.3f}, {lo_r:.3f}-{hi_r:.3f} within the abstract's rounding")
    for nat in NATURES:
        lo, hi = by[(nat, MASSES[0])], by[(nat, MASSES[-1])]
        print(f"  {nat}: limit(260)/limit(385) darkbeam {lo['limit'] / hi['limit']:.2f} (no timing "
              f"{lo['limit_no_timing'] / hi['limit_no_timing']:.2f}), published {lo['abstract'] / hi['abstract']:.2f}")
        for r in (lo, hi):
            print(f"    {r['mass']:g} MeV: darkbeam {r['published'] / r['limit']:.2f} times stronger than published; "
                  f"mu-pi Q-value {r['mass'] - M_MU - M_PI:.1f} MeV")
            k = (r["limit"] / r["published"]) ** 2
            print(f"    {r['mass']:g} MeV: ratio 1 needs eps x (1/N_up) x {k:.3f} of the assumed one, i.e. an "
                  f"efficiency {EFFICIENCY * k:.3f} at N_up = {n_up:.3f}")
    if args.quick:
        return
    ends = [r for r in rows if r["abstract"] is not None]
    for nat in NATURES:
        win = factor_two_efficiencies([r["limit"] / r["abstract"] for r in ends if r["nature"] == nat])
        print(f"  {nat}: both ends within a factor 2 for eps in " + ("none" if win is None else
                                                                    f"[{win[0]:.4f}, {win[1]:.4f}]"))
    scans = {mass: opening_scan(mass) for mass in (MASSES[0], MASSES[-1])}
    print("| window opens after the spill's end [ns] | ratio 260 | ratio 385 | ratio 260/385 | eps for factor 2 |")
    for i, d in enumerate(OPENINGS_NS):
        r_lo, r_hi = scans[MASSES[0]][i]["ratio"], scans[MASSES[-1]][i]["ratio"]
        win = factor_two_efficiencies([r_lo, r_hi])
        print(f"| {d:g} | {r_lo:.3f} | {r_hi:.3f} | {r_lo / r_hi:.2f} | "
              + ("none" if win is None else f"{win[0]:.3f}-{win[1]:.3f}") + " |")
    for mass in (MASSES[0], MASSES[-1]):
        sc = opening_scan(mass, openings_ns=(0.0,), lengths_ns=(400.0, 1600.0, 6400.0, math.inf))
        print(f"  window length at {mass:g} MeV (opening at the spill's end): "
              + ", ".join(f"{x['length']:g} ns -> {x['limit']:.3g} (x {x['limit'] / sc[-1]['limit']:.3f})" for x in sc))
    # the test's configuration (tests/test_hnl_bnb.py): its spread over seeds
    for mass in (MASSES[0], MASSES[-1]):
        rs = [row(mass, "majorana", n_mesons=TEST_MESONS, n_events=TEST_EVENTS, seed=sd) for sd in TEST_SEEDS]
        vals = [r["limit"] for r in rs]
        print(f"  test sample ({TEST_MESONS} mesons, {TEST_EVENTS} events) at {mass:g} MeV, seeds {TEST_SEEDS}: "
              + ", ".join(f"{v:.4g}" for v in vals)
              + f"; mean {np.mean(vals):.4g}, rel. std {np.std(vals, ddof=1) / np.mean(vals):.2%} (the weight "
              f"estimate of one sample: {np.mean([r['mc_error'] for r in rs]):.2%}); mean / this script's "
              f"{np.mean(vals) / next(r['limit'] for r in rows if r['mass'] == mass and r['nature'] == 'majorana'):.4f}")
    _plot(rows)


#: the configuration of tests/test_hnl_bnb.py and the seeds of its spread
TEST_MESONS, TEST_EVENTS = 50_000, 10_000
TEST_SEEDS = (1, 2, 3, 4, 5)


def _plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.io.atomic import save_figure

    pub = published()
    masses = np.array([260.0, 270.0, 285.0, 300.0, 320.0, 340.0, 360.0, 375.0, 385.0])
    curves = {nat: [row(float(mm), nat, n_mesons=N_MESONS // 2, n_events=N_EVENTS // 2) for mm in masses]
              for nat in NATURES}
    fig, ax = plt.subplots(figsize=(6.6, 4.8))
    pts = np.array(pub["majorana_curve"]["points"])
    ax.plot(pts[:, 0], pts[:, 1], "-", color="C3", lw=1.2, label="MicroBooNE 2020, Majorana (digitised figure)")
    for nat, col, mk in (("majorana", "C3", "s"), ("dirac", "C0", "o")):
        ab = np.array(pub["abstract_limits"][nat])
        ax.plot(ab[:, 0], ab[:, 1], mk, color=col, ms=8, mfc="none", label=f"MicroBooNE 2020, {nat} (abstract ends)")
        ax.plot(masses, [r["limit"] for r in curves[nat]], "--", color=col,
                label=f"darkbeam {nat}, late window, $\\epsilon$ = {EFFICIENCY:g}")
        ax.plot(masses, [r["limit_no_timing"] for r in curves[nat]], ":", color=col, lw=1,
                label=f"darkbeam {nat}, no timing cut")
    ax.plot(masses, [r["limit_later"] for r in curves["majorana"]], "-.", color="0.45", lw=1,
            label=f"darkbeam majorana, window opening {ILLUSTRATIVE_OPENING_NS / 1e3:g} μs after the spill "
                  "(illustration)")
    ax.set_yscale("log")
    ax.set_xlim(250, 392)
    ax.set_ylim(1e-9, 2e-6)
    ax.set_xlabel(r"$m_N$ [MeV]")
    ax.set_ylabel(r"$|U_{\mu 4}|^2$ (90 % CL)")
    ax.set_title(f"N → μπ in MicroBooNE on the BNB, {pub['exposure_pot']:.1e} POT\ndarkbeam: 0 events on 0 "
                 "background, late window from the spill's end, truth level", fontsize=8)
    ax.legend(fontsize=6.5, loc="lower left")
    fig.tight_layout()
    save_figure(fig, FIG, dpi=130)
    plt.close(fig)
    print(f"wrote {FIG}")
    for nat in NATURES:
        print(f"  {nat}: " + ", ".join(f"{mm:g} {r['limit']:.3g}" for mm, r in zip(masses, curves[nat], strict=True)))
    print(f"  majorana, window opening {ILLUSTRATIVE_OPENING_NS:g} ns after the spill: " + ", ".join(
        f"{mm:g} {r['limit_later']:.3g} ({r['limit_later'] / digitised_majorana(mm):.2f})"
        for mm, r in zip(masses, curves["majorana"], strict=True)))


if __name__ == "__main__":
    main()
