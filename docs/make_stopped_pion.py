"""Regenerate the numbers of docs/stopped_pion.md and docs/figures/stopped_pion_sns_spectra.png.

Run: /work/venv/bin/python docs/make_stopped_pion.py   (about two minutes, most of it the dark-boson predictions of
the four seed 000 benchmarks; prints Markdown tables)
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from darkbeam.beams import stopped as sp
from darkbeam.detectors.catalog import get_experiment
from darkbeam.pipeline.stopped_sources import (
    experiment_binned_neutrino_flux,
    experiment_neutrino_flux,
    experiment_neutrino_lines,
    experiment_source,
)

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
        lines = {ln["channel"]: ln["flux_per_cm2_per_pot"] for ln in experiment_neutrino_lines(e)}
        fl = experiment_binned_neutrino_flux(e, edges)
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
        ax.plot(e, experiment_neutrino_flux(exp, s, e) / UNIT, color=col, label=label)
    # sampled neutrinos, as a cross-check of the samplers (weights per POT → flux per cm² per MeV)
    out = sp.sample_dar_neutrinos(np.random.default_rng(SEED), "sns", 200_000)
    edges = np.linspace(0.0, 60.0, 31)
    area = 4 * math.pi * (get_experiment(exp).distance / 10.0) ** 2
    for pdg, col in ((12, "C0"), (-14, "C1")):
        sel = out.pdg == pdg
        h, _ = np.histogram(out.energy[sel], edges, weights=out.w[sel])
        ax.step(edges[1:], h / np.diff(edges) / area / UNIT, where="pre", color=col, alpha=0.5, lw=0.8)
    line = experiment_neutrino_lines(exp)[0]
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


# ------------------------------------------------------------------------------------------------
# dark bosons through the one flow (pipeline/stopped_sources.py, detectors/response_stopped.py)
# ------------------------------------------------------------------------------------------------

BENCHMARKS = ("scalar", "pseudoscalar", "idm_single", "idm_double")  # examples/<name>.toml (seed 000 Table I)


def _benchmark(name: str):
    import tomllib

    from darkbeam.io.config import parse_config

    with (HERE.parent / "examples" / f"{name}.toml").open("rb") as f:
        return parse_config(tomllib.load(f))


def boson_flux_table() -> None:
    """Flux of each benchmark's boson at the four experiments (before decays), by parent, with the isotropic
    decay-at-rest part against yield × BR / (4π L²) (three_body.branching_ratio, an independent route)."""
    from darkbeam.pipeline.boson_flux import boson_flux
    from darkbeam.production.three_body import branching_ratio

    print("| benchmark | boson | experiment | flux (cm⁻² POT⁻¹) | by parent | DAR part / (Σ N·BR/4πL²) |")
    print("|---|---|---|---|---|---|")
    for b in BENCHMARKS:
        model = _benchmark(b).build_model()
        for e in EXPERIMENTS:
            exp = get_experiment(e)
            r = boson_flux(model, e, "stopped", n_mesons=100_000, seed=SEED, keep_arrivals=True)
            arr = r.arrivals
            by = {}
            for lab in np.unique(arr.parent):
                by[str(lab)] = float(arr.weight[arr.parent == lab].sum())
            dar = sum(v for k, v in by.items() if k.split()[0] in ("pi+", "K+"))
            y = sp.yields_per_pot(experiment_source(e)[0])
            expected = sum(y[key].value * branching_ratio(p, lep, model)
                           for p, key in (("pi+", "pi+_dar"), ("K+", "K+_dar")) for lep in ("mu", "e")
                           if y[key].value > 0) / (4 * math.pi * (exp.distance / 10.0) ** 2)
            ratio = f"{dar / expected:.4f}" if expected > 0 else "—"
            parts = ", ".join(f"{k} {v:.3g}" for k, v in sorted(by.items(), key=lambda kv: -kv[1]))
            print(f"| {b} | {model.boson} | {e} | {arr.weight.sum():.3e} | {parts} | {ratio} |")
    print("\n(100 000 parents per species, seed 2025; the ratio < 1 by ⟨1/r²⟩ over the detector face, < 0.2 %)\n")


def response_table() -> None:
    from darkbeam.detectors.response import get_response

    print("| experiment | kind | accepted E_vis (MeV) | σ_E/E | efficiency | sources |")
    print("|---|---|---|---|---|---|")
    for e in EXPERIMENTS:
        r = get_response(e)
        hi = "∞" if r.max_energy is None else f"{r.max_energy:.4g}"
        res = ("none" if not r.smear else
               f"{100 * r.energy_stochastic:.2f} %/√(E/MeV)" + (f" ⊕ {100 * r.energy_constant:.2f} %"
                                                               if r.energy_constant else ""))
        print(f"| {e} | {r.kind} | {r.threshold:.4g} – {hi} | {res} | {r.efficiency:g} | {r.reference} |")
    print()


def compton_leakage() -> None:
    """Klein–Nishina fraction of Compton scatters of a photon of energy k depositing T < T_max (the electron's
    kinetic energy): the corner of a MeV photon that could land in a CEvNS region of interest (not modelled)."""
    from scipy import integrate

    from darkbeam.detectors.response import get_response

    me = sp.c.M_E

    def dsdt(t, k):  # dσ/dT ∝ 2 + s²/(ε²(1−s)²) + s/(1−s)(s − 2/ε), s = T/k, ε = k/m_e (common factor dropped)
        eps, s_ = k / me, t / k
        return 2 + s_**2 / (eps**2 * (1 - s_) ** 2) + s_ / (1 - s_) * (s_ - 2 / eps)

    print("| photon energy (MeV) | CsI: P(T < 47.1 keV) | LAr: P(T < 149.4 keV) |")
    print("|---|---|---|")
    t_csi, t_lar = get_response("coherent-csi").max_energy, get_response("coherent-lar").max_energy
    for k in (5.0, 10.0, 30.0):
        tc = k * 2 * (k / me) / (1 + 2 * k / me)  # Compton edge
        tot = integrate.quad(dsdt, 0.0, tc, args=(k,), limit=200)[0]
        fr = [integrate.quad(dsdt, 0.0, tm, args=(k,))[0] / tot for tm in (t_csi, t_lar)]
        print(f"| {k:g} | {fr[0]:.2e} | {fr[1]:.2e} |")
    print()


def predictions_table() -> None:
    """`darkbeam predict examples/<benchmark>.toml --experiments ccm,coherent-csi,coherent-lar,jsns2`."""
    from darkbeam.inference.multi_experiment import predict_experiments

    print("| benchmark | experiment | POT | signal events | by parent | zero: reason |")
    print("|---|---|---|---|---|---|")
    for b in BENCHMARKS:
        res = predict_experiments(_benchmark(b), list(EXPERIMENTS))
        for r in res["experiments"]:
            if r["status"] != "predicted":
                print(f"| {b} | {r['experiment']} | — | {r['status']} | — | {r['reason']} |")
                continue
            m = r["modes"]["stopped"]
            parts = ", ".join(f"{k} {v:.3g}" for k, v in m.get("by_parent", {}).items())
            print(f"| {b} | {r['experiment']} | {m['pot']:.3g} | {m['signal_events']:.4g} | {parts} | "
                  f"{m.get('reason', '')} |")
    print("\n(examples/<benchmark>.toml: 200 000 parents per species, 20 000 events per target, seed 12345)\n")


def main() -> None:
    yields_table()
    shapes_table()
    flux_table()
    timing_table()
    michel_check()
    figure()
    boson_flux_table()
    response_table()
    compton_leakage()
    predictions_table()


if __name__ == "__main__":
    main()
