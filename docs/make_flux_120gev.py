"""Regenerate the numbers and figures of docs/validation_flux_120gev.md: the NuMI and LBNF fluxes of darkbeam
(BMPT production on graphite, per-beam horn windows) against the published on-axis fluxes.

References (read from DarkNews, a test dependency of darkbeam, which ships copies of the public files):
* DUNE ND FHC/RHC flux, DUNE TDR arXiv:2103.04797 ancillary files (DarkNews include/fluxes/DUNE_ND_{FHC,RHC}.dat,
  0.25 GeV bins given at their centres);
* NuMI LE FHC/RHC flux at MINERvA, arXiv:1607.00704 ancillary files (DarkNews include/fluxes/NUMI_{FHC,RHC}_LE.dat,
  tabulated at E = k·50/99 GeV; interpolated linearly at our bin centres).
Columns of both: E, ν_e, ν_μ, ν_τ, ν̄_e, ν̄_μ, ν̄_τ per cm² per POT per GeV.

Run: python docs/make_flux_120gev.py  (about two minutes on one core)
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from darkbeam.beams import interaction_probability, production_table
from darkbeam.detectors.catalog import BEAMS
from darkbeam.pipeline.neutrino_flux import neutrino_flux

HERE = Path(__file__).parent
N_MESONS = 1_000_000
SEED = 2025
COLUMNS = {"nu_e": 1, "nu_mu": 2, "nu_e_bar": 4, "nu_mu_bar": 5}
LABEL = {"nu_mu": r"$\nu_\mu$", "nu_mu_bar": r"$\bar\nu_\mu$", "nu_e": r"$\nu_e$", "nu_e_bar": r"$\bar\nu_e$"}
CASES = {
    # experiment, mode -> reference file, bin width (GeV), comparison range (GeV), reference label
    ("dune-nd", "neutrino"): ("DUNE_ND_FHC.dat", 0.25, (1.0, 5.0), "DUNE TDR ND FHC (arXiv:2103.04797)"),
    ("dune-nd", "antineutrino"): ("DUNE_ND_RHC.dat", 0.25, (1.0, 5.0), "DUNE TDR ND RHC (arXiv:2103.04797)"),
    ("minerva", "neutrino"): ("NUMI_FHC_LE.dat", 0.5, (1.0, 5.0), "MINERvA LE FHC (arXiv:1607.00704)"),
    ("minerva", "antineutrino"): ("NUMI_RHC_LE.dat", 0.5, (1.0, 5.0), "MINERvA LE RHC (arXiv:1607.00704)"),
}


def reference(name: str) -> np.ndarray:
    import DarkNews

    return np.loadtxt(os.path.join(os.path.dirname(DarkNews.__file__), "include", "fluxes", name))


def ref_in_bins(table: np.ndarray, col: int, edges: np.ndarray, binned: bool) -> np.ndarray:
    """Reference per GeV in our bins: bin means of the 0.25 GeV DUNE bins (binned) or interpolation (MINERvA)."""
    e = table[:, 0]
    if binned:
        return np.array([table[(e > lo) & (e < hi), col].mean() for lo, hi in itertools.pairwise(edges)])
    return np.interp(0.5 * (edges[1:] + edges[:-1]), e, table[:, col])


def plot(path: Path, edges, res, ref, species_main: str, title: str, ref_label: str, window) -> None:
    fig, (ax, rx) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.4]})
    for s, color in ((species_main, "C0"), ("nu_mu_bar" if species_main == "nu_mu" else "nu_mu", "C1")):
        ax.stairs(res.flux[s], edges, color=color, label=f"darkbeam {LABEL[s]}")
        ax.stairs(ref[s], edges, color=color, ls="--", label=f"{LABEL[s]}, {ref_label}")
    ax.set_yscale("log")
    top = max(np.max(res.flux[species_main]), np.max(ref[species_main]))
    ax.set_ylim(top * 3e-3, top * 3)
    ax.set_ylabel(r"flux [cm$^{-2}$ POT$^{-1}$ GeV$^{-1}$]")
    ax.set_title(title)
    ax.legend(fontsize=8)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = res.flux[species_main] / ref[species_main]
        err = res.error[species_main] / ref[species_main]
    c = 0.5 * (edges[1:] + edges[:-1])
    rx.stairs(ratio, edges, color="C0")
    rx.errorbar(c, ratio, yerr=err, fmt="none", ecolor="C0", alpha=0.6)
    rx.axhline(1, color="k", lw=0.8)
    for y in (1 / 1.5, 1.5):
        rx.axhline(y, color="k", lw=0.8, ls=":")
    rx.axvspan(*window, color="0.9", zorder=0)
    rx.set_ylim(0, 3)
    rx.set_ylabel(f"darkbeam / ref. ({LABEL[species_main]})")
    rx.set_xlabel(r"$E_\nu$ [GeV]")
    rx.set_xlim(0, 10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    out: dict = {"n_mesons_per_species": N_MESONS, "seed": SEED, "yields_per_pot": {}, "fluxes": {}}
    for b in ("numi", "lbnf"):
        beam = BEAMS.get(b)
        out["yields_per_pot"][b] = {
            "P_int": round(interaction_probability(beam), 4),
            "all": {k: round(v, 4) for k, v in production_table(beam).items()},
            "theta<0.05": {k: round(v, 4) for k, v in production_table(beam, theta_range=(0.0, 0.05)).items()},
        }
    for (exp, mode), (fname, width, window, ref_label) in CASES.items():
        table = reference(fname)
        edges = np.round(np.arange(0.0, 10.0 + 1e-9, width), 6)
        res = neutrino_flux(exp, mode, n_mesons=N_MESONS, chunk=250_000, seed=SEED, edges_GeV=edges)
        ref = {s: ref_in_bins(table, col, edges, binned=exp == "dune-nd") for s, col in COLUMNS.items()}
        main_sp = "nu_mu" if mode == "neutrino" else "nu_mu_bar"
        lo, hi = window
        m = (edges[:-1] >= lo - 1e-9) & (edges[1:] <= hi + 1e-9)
        ratio = res.flux[main_sp] / ref[main_sp]
        w = np.diff(edges)
        e_ref = table[:, 0]

        def per_gev(f, a, w=w, edges=edges):  # flux integrated over [a, a + 1] GeV
            return float(np.sum((f * w)[(edges[:-1] >= a - 1e-9) & (edges[1:] <= a + 1 + 1e-9)]))

        key = f"{exp}/{mode}"
        out["fluxes"][key] = {
            "bins_GeV": [f"{a:g}-{b:g}" for a, b in zip(edges[:-1][m], edges[1:][m])],
            "ratio": [round(float(x), 2) for x in ratio[m]],
            "min": round(float(ratio[m].min()), 3), "max": round(float(ratio[m].max()), 3),
            "max_rel_mc_error": round(float(np.max(res.error[main_sp][m] / res.flux[main_sp][m])), 3),
            "ratio_5_10GeV_per_GeV": [round(per_gev(res.flux[main_sp], a) / per_gev(ref[main_sp], a), 2)
                                      for a in range(5, 10)],
            "ratio_below_1GeV": [round(float(x), 2) for x in ratio[edges[1:] <= 1.0 + 1e-9]],
            # integrated 0-10 GeV: ours vs the reference integrated over the same range
            "integrated_0_10GeV": {s: round(float(np.sum(res.flux[s] * w) / np.trapezoid(
                np.where(e_ref <= 10, table[:, c], 0), e_ref)), 3) for s, c in COLUMNS.items()},
            "mean_E_nu_GeV": round(float(np.sum(res.flux[main_sp] * w * 0.5 * (edges[1:] + edges[:-1]))
                                         / np.sum(res.flux[main_sp] * w)), 2),
        }
        title = f"{'NuMI LE' if exp == 'minerva' else 'LBNF'} at {exp}, {mode} mode (BMPT + horn window)"
        plot(HERE / "figures" / f"flux120_{exp.replace('-', '_')}_{mode}.png", edges, res, ref, main_sp, title,
             ref_label, window)
    # off-axis NuMI detectors: ν_μ spectra (no published reference compared here)
    edges = np.round(np.arange(0.0, 10.0 + 1e-9, 0.25), 6)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    out["offaxis_numi"] = {}
    for exp in ("minerva", "nova-nd", "icarus-numi", "microboone-numi"):
        res = neutrino_flux(exp, "neutrino", n_mesons=N_MESONS // 4, chunk=250_000, seed=SEED, edges_GeV=edges)
        c = 0.5 * (edges[1:] + edges[:-1])
        f = res.flux["nu_mu"]
        out["offaxis_numi"][exp] = {"integrated_nu_mu_per_cm2_pot": float(res.integrated("nu_mu")),
                                    "mean_E_GeV": round(float(np.sum(c * f) / np.sum(f)), 2),
                                    "peak_GeV": float(c[np.argmax(f)])}
        ax.stairs(f, edges, label=exp)
    ax.set_yscale("log")
    ax.set_xlabel(r"$E_\nu$ [GeV]")
    ax.set_ylabel(r"$\nu_\mu$ flux [cm$^{-2}$ POT$^{-1}$ GeV$^{-1}$]")
    ax.set_title("NuMI LE, neutrino mode: on- and off-axis detectors (darkbeam)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "figures" / "flux120_numi_offaxis.png", dpi=110)
    plt.close(fig)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
