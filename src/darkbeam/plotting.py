"""Plots of fluxes and spectra (matplotlib, Agg backend; files written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .io.atomic import atomic_path

LABELS = {"nu_mu": r"$\nu_\mu$", "nu_mu_bar": r"$\bar\nu_\mu$", "nu_e": r"$\nu_e$", "nu_e_bar": r"$\bar\nu_e$"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_flux(
    path: Path | str,
    edges: np.ndarray,
    flux: np.ndarray,
    error: np.ndarray | None,
    species: str,
    experiment: str,
    mode: str,
    official: np.ndarray | None = None,
) -> None:
    """Step plot of a flux (per cm² per POT per GeV), with the official flux and ratio if given."""
    plt = _plt()
    nrows = 2 if official is not None else 1
    fig, axes = plt.subplots(nrows, 1, figsize=(7, 6 if nrows == 2 else 4.5), sharex=True,
                             gridspec_kw={"height_ratios": [3, 1.3][:nrows]}, squeeze=False)
    ax = axes[0, 0]
    lab = LABELS.get(species, species)
    ax.stairs(flux, edges, label=f"darkbeam {lab}", color="C0")
    if error is not None:
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.errorbar(centres, flux, yerr=error, fmt="none", ecolor="C0", alpha=0.5)
    if official is not None:
        ax.stairs(official, edges, label="MiniBooNE official (PRD 79, 072002)", color="k", ls="--")
    ax.set_yscale("log")
    top = np.nanmax(np.concatenate([flux, official if official is not None else flux]))
    if top > 0:
        ax.set_ylim(top * 1e-4, top * 3)
    ax.set_ylabel(r"flux [cm$^{-2}$ POT$^{-1}$ GeV$^{-1}$]")
    ax.set_title(f"{lab} flux at {experiment}, {mode} mode")
    ax.legend()
    if official is not None:
        r = axes[1, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(official > 0, flux / official, np.nan)
        r.stairs(ratio, edges, color="C0")
        r.axhline(1, color="k", lw=0.8)
        for y in (1 / 1.5, 1.5):
            r.axhline(y, color="grey", ls=":", lw=0.8)
        r.set_ylim(0, 2.5)
        r.set_ylabel("ratio")
    axes[-1, 0].set_xlabel(r"$E$ [GeV]")
    axes[-1, 0].set_xlim(edges[0], min(edges[-1], 4.0))
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=Path(path).suffix.lstrip(".") or "png", dpi=110)
    plt.close(fig)
