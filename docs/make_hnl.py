"""Numbers and figure of docs/portal_hnl.md: darkbeam's BNB sensitivity to |U_μ4|² at MicroBooNE, against
MicroBooNE's published HNL limits.

What is computed (the assumptions are stated in docs/portal_hnl.md, "Check against published limits"):

* darkbeam's ``heavy-neutral-lepton`` model (Majorana, |U_e4|² = |U_τ4|² = 0) at MicroBooNE on the BNB (470 m, the 2.56 ×
  2.32 × 10.36 m TPC active volume), N from K± → μ± N decays in flight (π → μN is closed above 34 MeV),
  N → μ∓π± decays anywhere in the active volume: ``build_signal(..., detector=False)`` (truth level);
* the exposure of MicroBooNE's BNB HNL search, 2.0e20 POT (arXiv:1911.10545), a flat efficiency
  ``EFFICIENCY`` and no background with no event observed: the 90 % CL upper limit is 2.30 signal events
  (Poisson). The limit solves N(|U|²) = 2.30 on the rising (long-lived) branch of N(|U|²) by exact
  re-weighting of one sample per mass;
* a variant with the late-arrival requirement of that BNB search (its trigger recorded decays "that occur
  after the neutrino spill reaches the detector", arXiv:1911.10545 abstract), modelled here as the
  acceptance min(Δt / 1.6 μs, 1) for a uniform 1.6 μs BNB spill, with Δt the delay of the decay relative to a
  light-speed particle from the target (the N's and the kaon's flight at β < 1).

Run:  /work/venv/bin/python docs/make_hnl.py          (about 20 s; writes docs/figures/hnl_microboone.png)
      /work/venv/bin/python docs/make_hnl.py --quick  (smaller samples, no figure)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from darkbeam.constants import C_LIGHT, M_K, M_MU, M_PI
from darkbeam.models import get_model
from darkbeam.pipeline.signal import build_signal

FIG = Path(__file__).with_name("figures") / "hnl_microboone.png"

#: exposure of MicroBooNE's BNB HNL search (PRD 101, 052001 (2020), arXiv:1911.10545)
POT_BNB = 2.0e20
#: stated flat signal efficiency (|U|² limits scale as EFFICIENCY^(-1/2) in the long-lived regime)
EFFICIENCY = 1.0
#: 90 % CL Poisson upper limit on the signal mean with zero background and zero observed events
N_UP_90 = 2.30
#: BNB spill length, ns (MiniBooNE, NIM A599 (2009) 28: 1.6 μs spills)
SPILL_NS = 1600.0
#: reference |U_μ4|² of the generated samples (re-weighted exactly to any other value)
U2_REF = 1e-8

#: published 90 % CL limits on |U_μ4|² for Majorana HNLs decaying to μπ, by mass in MeV
PUBLISHED = {
    "MicroBooNE NuMI 2022 (arXiv:2207.03840; NuMI beam, 7.01e20 POT)":
        {246.0: 12.9e-8, 385.0: 0.92e-8},
    "MicroBooNE BNB 2020 (arXiv:1911.10545; 2.0e20 POT, BNB, late-arrival trigger)":
        {260.0: 4.7e-7, 385.0: 0.7e-7},
}
#: masses of the comparison table (MeV)
TABLE_MASSES = (246.0, 260.0, 385.0)


def sample(mass: float, n_mesons: int = 200_000, n_events: int = 20_000, seed: int = 3):
    """(model at U2_REF, truth-level decay-in-volume sample at MicroBooNE on the BNB) for m_N = ``mass`` MeV."""
    m = get_model("heavy-neutral-lepton", {"m_n": f"{mass} MeV", "u2_mu": str(U2_REF), "nature": "majorana"})
    return m, build_signal(m, "microboone", "neutrino", n_mesons=n_mesons, n_events=n_events, seed=seed,
                           detector=False)


def late_acceptance(s) -> np.ndarray:
    """Per-event acceptance min(Δt/spill, 1) of a window that opens at the end of a uniform spill (module doc)."""
    c = s.columns
    e_n = s.particles["p4_in"][:, 0]
    dt = np.linalg.norm(c["x_dec"] - c["x_prod"], axis=1) * (e_n / c["p_lab"] - 1.0) / C_LIGHT
    if "parent_p4" in c and "parent_x0" in c:
        pk = c["parent_p4"]
        beta_k = np.linalg.norm(pk[:, 1:], axis=1) / pk[:, 0]
        dt = dt + np.linalg.norm(c["x_prod"] - c["parent_x0"], axis=1) * (1.0 / beta_k - 1.0) / C_LIGHT
    return np.minimum(np.maximum(dt, 0.0) / SPILL_NS, 1.0)


def events(m, s, u2: float, pot: float = POT_BNB, efficiency: float = EFFICIENCY,
           acceptance: np.ndarray | None = None) -> float:
    """Expected signal events at |U_μ4|² = ``u2`` (exact re-weighting of the sample)."""
    w = s.weights(m.replace(u2_mu=u2))
    if acceptance is not None:
        w = w * acceptance
    return float(np.sum(w)) * pot * efficiency


def limit(m, s, n_up: float = N_UP_90, **kw) -> float:
    """Smallest |U_μ4|² with N = ``n_up`` (log-linear interpolation on a grid in log |U|²); nan if never."""
    grid = np.logspace(-11, -4, 561)
    ev = np.array([events(m, s, u, **kw) for u in grid])
    above = np.flatnonzero(ev > n_up)
    if len(above) == 0 or above[0] == 0:
        return float("nan")
    i = above[0]
    x0, x1, y0, y1 = np.log(grid[i - 1]), np.log(grid[i]), np.log(max(ev[i - 1], 1e-300)), np.log(ev[i])
    return float(np.exp(x0 + (np.log(n_up) - y0) * (x1 - x0) / (y1 - y0)))


def table(n_mesons: int = 200_000, n_events: int = 20_000) -> list[dict]:
    """Limits at TABLE_MASSES: ideal (EFFICIENCY) and with the late-arrival acceptance."""
    rows = []
    for mass in TABLE_MASSES:
        m, s = sample(mass, n_mesons, n_events)
        acc = late_acceptance(s)
        rows.append({"mass": mass, "limit": limit(m, s), "limit_late": limit(m, s, acceptance=acc),
                     "mean_late_acceptance": float(np.average(acc, weights=s.weights())),
                     "events_per_pot_at_ref": float(np.sum(s.weights()))})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples, no figure")
    args = ap.parse_args()
    n_mesons = 50_000 if args.quick else 200_000
    rows = table(n_mesons)
    print(f"MicroBooNE on the BNB, {POT_BNB:.2g} POT, efficiency {EFFICIENCY:g}, 0 background, "
          f"N_up = {N_UP_90} (90 % CL); Majorana, |U_e|^2 = |U_tau|^2 = 0")
    print("| m_N [MeV] | darkbeam | darkbeam, late arrival | <late acceptance> | NuMI 2022 | BNB 2020 |")
    for r in rows:
        pub = [PUBLISHED[k].get(r["mass"]) for k in PUBLISHED]
        print(f"| {r['mass']:g} | {r['limit']:.3g} | {r['limit_late']:.3g} | {r['mean_late_acceptance']:.3f} | "
              + " | ".join("–" if p is None else f"{p:.3g}" for p in pub) + " |")
    if args.quick:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    thr = M_MU + M_PI
    masses = np.array([246.0, 248.0, 252.0, 260.0, 270.0, 285.0, 300.0, 320.0, 340.0, 360.0, 375.0, 385.0, 387.5])
    lim, lim_late = [], []
    for mass in masses:
        m, s = sample(float(mass), n_mesons)
        lim.append(limit(m, s))
        lim_late.append(limit(m, s, acceptance=late_acceptance(s)))
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.plot(masses, lim, "-", color="C0", label=f"darkbeam, BNB K decays in flight, {POT_BNB:.1e} POT, "
                                                f"$\\epsilon$ = {EFFICIENCY:g}, 0 bkg")
    ax.plot(masses, lim_late, "--", color="C0", label="darkbeam, the same with a late-arrival acceptance")
    markers = ("s", "o")
    for (name, pts), mk in zip(PUBLISHED.items(), markers):
        ax.plot(list(pts), list(pts.values()), mk, color="C3" if mk == "s" else "C2", ms=7,
                label=name.split(" (")[0] + " (published)")
    ax.axvline(thr, color="grey", lw=0.8, ls=":")
    ax.axvline(M_K - M_MU, color="grey", lw=0.8, ls=":")
    ax.text(thr + 1, 3e-10, r"$m_\mu + m_\pi$", fontsize=8, color="grey")
    ax.text(M_K - M_MU - 30, 3e-10, r"$m_K - m_\mu$", fontsize=8, color="grey")
    ax.set_yscale("log")
    ax.set_ylim(1e-10, 3e-6)
    ax.set_xlim(240, 395)
    ax.set_xlabel(r"$m_N$ [MeV]")
    ax.set_ylabel(r"$|U_{\mu 4}|^2$ (90 % CL)")
    ax.set_title("Majorana HNL, N → μπ in MicroBooNE", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    FIG.parent.mkdir(exist_ok=True)
    fig.savefig(FIG, dpi=130)
    print(f"wrote {FIG}")
    for mass, a, b in zip(masses, lim, lim_late):
        print(f"  {mass:6.1f} MeV: {a:.3g}  late: {b:.3g}")


if __name__ == "__main__":
    main()
