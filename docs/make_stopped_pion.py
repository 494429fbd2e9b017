"""Regenerate the numbers of docs/stopped_pion.md and docs/figures/stopped_pion_sns_spectra.png.

Run: /work/venv/bin/python docs/make_stopped_pion.py   (a few seconds; prints Markdown tables)
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from darkbeam.beams import stopped as sp  # noqa: E402
from darkbeam.detectors.catalog import get_experiment  # noqa: E402

HERE = Path(__file__).parent
SOURCES = ("sns", "lanl-lujan", "jparc-mlf")
EXPERIMENTS = ("coherent-csi", "coherent-lar", "ccm", "jsns2")
SEED = 2025
UNIT = 1e-10  # plotted flux unit, per cm² per POT per MeV


def _fmt(y) -> str:
    return f"{y.value:.4g} ± {y.uncertainty:.2g}" if y.value > 0 else "0"


def yields_table() -> None:
    keys = ("pi+_dar", "mu+_dar", "pi0", "eta", "K+_dar")
    print("| source | T_p (MeV) | " + " | ".join(keys) + " | π⁰/π⁺ |")
    print("|---" * (len(keys) + 3) + "|")
    for s in SOURCES:
        src = sp.get_source(s)
        y = src.yields
        print(f"| {s} | {src.proton_kinetic_energy:g} | " + " | ".join(_fmt(y[k]) for k in keys)
              + f" | {_fmt(sp.pi0_over_pi_plus(s))} |")
    print()
    print("| source | " + " | ".join(sp.decays_at_rest_per_pot("sns")) + " |")
    print("|---" * 5 + "|")
    for s in SOURCES:
        print(f"| {s} | " + " | ".join(f"{v.value:.4g}" for v in sp.decays_at_rest_per_pot(s).values()) + " |")
    print()


def shapes_table() -> None:
    print("| source | k | T₀ (MeV) | ⟨T⟩ = kT₀ (MeV) | a | ⟨cos θ⟩ = a/3 |")
    print("|---|---|---|---|---|---|")
    for s in SOURCES:
        sh = sp.production_shape(s)
        print(f"| {s} | {sh.k:.3f} | {sh.t0:.1f} | {sh.k * sh.t0:.1f} | {sh.a:.3f} | {sh.a / 3:.3f} |")
    print()


def flux_table() -> None:
    print("| experiment | source | L (m) | ν_μ 29.8 MeV line | ν_e (Michel) | ν̄_μ (Michel) | ν_μ 235.5 MeV line |")
    print("|---|---|---|---|---|---|---|")
    edges = np.linspace(0.0, 60.0, 601)
    for e in EXPERIMENTS:
        exp = get_experiment(e)
        lines = {ln["channel"]: ln["flux_per_cm2_per_pot"] for ln in sp.neutrino_lines(e)}
        fl = sp.binned_neutrino_flux(e, edges)
        cont = {s: float(np.sum(fl[s] * np.diff(edges))) for s in sp.MICHEL_SPECIES}
        print(f"| {e} | {exp.beam} | {exp.distance / 1000:g} | {lines['pi+ -> mu+ nu_mu']:.3e} | "
              f"{cont['nu_e']:.3e} | {cont['nu_mu_bar']:.3e} | {lines.get('K+ -> mu+ nu_mu', 0.0):.3e} |")
    print("\n(per cm² per POT; ν_e excludes the 69.8 MeV π⁺ → e⁺ν_e line, BR 1.23e-4)\n")


def timing_table() -> None:
    print("| source | pulse | ν_μ (π⁺) t ≤ 1 μs: analytic / MC | ν_e (μ⁺) t ≤ 1 μs: analytic / MC |")
    print("|---|---|---|---|")
    for s in SOURCES:
        src = sp.get_source(s)
        out = sp.sample_dar_neutrinos(np.random.default_rng(SEED), s, 200_000)
        pulse = " + ".join(f"{b.fwhm:g} ns FWHM at {b.offset:g} ns" for b in src.pulse)
        cells = []
        for pdg, parent in ((14, "pi+"), (12, "mu+")):
            t = out.extra["t"][(out.pdg == pdg) & (out.extra["parent_pdg"] != 321)]
            cells.append(f"{float(sp.emission_time_cdf(s, parent, 1000.0)):.4f} / {np.mean(t <= 1000.0):.4f}")
        print(f"| {s} | {pulse} | " + " | ".join(cells) + " |")
    print()


def michel_check() -> None:
    out = sp.sample_muon_dar(np.random.default_rng(SEED), "sns", 500_000)
    half = sp.c.M_MU / 2
    print("| species | ⟨E⟩ analytic (MeV) | ⟨E⟩ sampled (MeV) | max E sampled (MeV) | endpoint (MeV) |")
    print("|---|---|---|---|---|")
    for s, pdg, mx in (("nu_e", 12, 0.6), ("nu_mu_bar", -14, 0.7)):
        e = out.energy[out.pdg == pdg]
        print(f"| {s} | {mx * half:.3f} | {e.mean():.3f} ± {e.std() / math.sqrt(len(e)):.3f} | {e.max():.3f} | "
              f"{sp.MICHEL_ENDPOINT:.3f} |")
    print(f"\nlines: π⁺ → μ⁺ν_μ {sp.E_NU_PI:.4f} MeV, π⁺ → e⁺ν_e {sp.E_NU_PI_E:.4f} MeV, "
          f"K⁺ → μ⁺ν_μ {sp.E_NU_K:.4f} MeV\n")


def figure() -> None:
    exp = "coherent-csi"
    e = np.linspace(0.0, 60.0, 601)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for s, label, col in (("nu_e", r"$\nu_e$ (delayed, $\mu^+$ DAR)", "C0"),
                          ("nu_mu_bar", r"$\bar\nu_\mu$ (delayed, $\mu^+$ DAR)", "C1")):
        ax.plot(e, sp.neutrino_flux(exp, s, e) / UNIT, color=col, label=label)
    # sampled neutrinos, as a cross-check of the samplers (weights per POT → flux per cm² per MeV)
    out = sp.sample_dar_neutrinos(np.random.default_rng(SEED), "sns", 200_000)
    edges = np.linspace(0.0, 60.0, 31)
    area = 4 * math.pi * (get_experiment(exp).distance / 10.0) ** 2
    for pdg, col in ((12, "C0"), (-14, "C1")):
        sel = out.pdg == pdg
        h, _ = np.histogram(out.energy[sel], edges, weights=out.w[sel])
        ax.step(edges[1:], h / np.diff(edges) / area / UNIT, where="pre", color=col, alpha=0.5, lw=0.8)
    line = sp.neutrino_lines(exp)[0]
    ymax = ax.get_ylim()[1]
    ax.annotate("", xy=(line["energy_MeV"], 1.3 * ymax), xytext=(line["energy_MeV"], 0.0),
                arrowprops={"arrowstyle": "->", "color": "C2", "lw": 2})
    ax.plot([], [], color="C2", lw=2,
            label=rf"$\nu_\mu$ line 29.8 MeV (prompt): {line['flux_per_cm2_per_pot']:.2e} cm$^{{-2}}$ POT$^{{-1}}$")
    ax.set_ylim(0, 1.4 * ymax)
    ax.set_xlabel(r"$E_\nu$ (MeV)")
    ax.set_ylabel(r"d$\Phi$/d$E$ ($10^{-10}$ cm$^{-2}$ POT$^{-1}$ MeV$^{-1}$)")
    ax.set_title("SNS stopped-pion neutrinos at COHERENT CsI (19.3 m)")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path = HERE / "figures" / "stopped_pion_sns_spectra.png"
    fig.savefig(path, dpi=120)
    print(f"wrote {path.relative_to(HERE.parent)}")


def main() -> None:
    yields_table()
    shapes_table()
    flux_table()
    timing_table()
    michel_check()
    figure()


if __name__ == "__main__":
    main()
