"""Plots of fluxes and spectra (matplotlib, Agg backend; files written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .io.atomic import save_figure

LABELS = {"nu_mu": r"$\nu_\mu$", "nu_mu_bar": r"$\bar\nu_\mu$", "nu_e": r"$\nu_e$", "nu_e_bar": r"$\bar\nu_e$",
          # dark bosons of the built-in models (others: their name, as plain text)
          "phi": r"$\phi$", "a": r"$a$", "V": r"$V$", "V1": r"$V_1$", "Zprime": r"$Z'$"}

#: coupling products of the built-in models (``Model.coupling_product()["name"]``) in mathtext
PRODUCT_LABELS = {
    "g_mu*g_n*lam": r"$g_\mu g_n \lambda$",
    "eps1*eps2*g_prime^2/(4pi)": r"$\epsilon_1 \epsilon_2 g'^2/4\pi$",
    "epsilon^2*alpha_D": r"$\epsilon^2 \alpha_D$",
}
_UNIT_LABELS = {"1/MeV": r"MeV$^{-1}$", "MeV": "MeV", "": ""}


def plain(text: str) -> str:
    """``text`` shown literally by matplotlib: "$" escaped (an odd "$" would start mathtext)."""
    return str(text).replace("$", r"\$")


def species_label(species: str) -> str:
    """Plot label of a flux species: mathtext for the known ones, else the name as plain text."""
    return LABELS.get(species, plain(species))


def number_label(x: float) -> str:
    """``1.35e-09`` as mathtext (1.35 x 10^-9); plain ``.3g`` format between 1e-3 and 1e4."""
    if x == 0 or not np.isfinite(x) or 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    mant, exp = f"{x:.2e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return rf"${mant}\times10^{{{int(exp)}}}$"


def product_label(cp: dict | None) -> str:
    """`` (g_mu g_n lambda = 1.35x10^-9 MeV^-1)`` for a title, from a coupling product dict; "" if None."""
    if not cp:
        return ""
    name = PRODUCT_LABELS.get(cp["name"], plain(cp["name"]))
    unit = _UNIT_LABELS.get(cp.get("unit", ""), plain(cp.get("unit", "")))
    return f" ({name} = {number_label(float(cp['value']))}{' ' + unit if unit else ''})"


def _plt():
    import matplotlib  # lazy: heavy; only plots need it

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
    note: str | None = None,
) -> None:
    """Step plot of a flux (per cm² per POT per GeV), with the official flux and ratio if given.

    ``official`` must be the reference flux *of this experiment* (callers pass it only at MiniBooNE);
    ``note`` is appended to the title (e.g. "before decays in flight" for a dark boson)."""
    plt = _plt()
    nrows = 2 if official is not None else 1
    fig, axes = plt.subplots(nrows, 1, figsize=(7, 6 if nrows == 2 else 4.5), sharex=True,
                             gridspec_kw={"height_ratios": [3, 1.3][:nrows]}, squeeze=False)
    ax = axes[0, 0]
    lab = species_label(species)
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
    ax.set_title(f"{lab} flux at {plain(experiment)}, {mode} mode" + (f"\n({plain(note)})" if note else ""))
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
        r.set_ylabel("darkbeam / official")
    axes[-1, 0].set_xlabel(r"$E$ [GeV]")
    axes[-1, 0].set_xlim(edges[0], min(edges[-1], 4.0))
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)


OBS_LABELS = {"E_vis": r"$E_{\rm vis}$ [MeV]", "cos_theta": r"$\cos\theta$", "E_QE": r"$E_\nu^{\rm QE}$ [MeV]"}
#: observables in MeV: drawn per MeV when their bins have different widths (E_QE release bins, LArTPC E_vis)
ENERGY_OBSERVABLES = ("E_vis", "E_QE")


def bin_scale(edges: np.ndarray, observable: str) -> tuple[np.ndarray, str]:
    """Divisor of the events per bin and the y label: events per MeV for an energy observable with
    variable bins, else events per bin (the bin width in the label when all bins are equal)."""
    w = np.diff(np.asarray(edges, float))
    uniform = len(w) > 0 and np.allclose(w, w[0], rtol=1e-6)
    if observable in ENERGY_OBSERVABLES and not uniform:
        return w, "events / MeV (variable bins)"
    if uniform:
        unit = " MeV" if observable in ENERGY_OBSERVABLES else ""
        return np.ones_like(w), f"events / bin ({w[0]:.3g}{unit})"
    return np.ones_like(w), "events / bin"


def _spectrum_panel(ax, spec: dict, observable: str, title: str) -> None:
    """Seed 000 Fig. 2 style: background (filled) with the signal stacked on it, data with √N errors.

    Signal-only predictions (experiments without packaged data: no ``data``/``background`` keys, or
    None) show the signal alone."""
    edges = np.asarray(spec["edges"], float)
    scale, ylabel = bin_scale(edges, observable)
    sig = np.asarray(spec["signal"], float) / scale
    bkg = None if spec.get("background") is None else np.asarray(spec["background"], float) / scale
    counts = None if spec.get("data") is None else np.asarray(spec["data"], float)
    data = None if counts is None else counts / scale
    base = bkg if bkg is not None else np.zeros_like(sig)
    ax.stairs(base + sig, edges, fill=True, color="C3", alpha=0.55, label="signal")
    if bkg is not None:
        ax.stairs(bkg, edges, fill=True, color="0.75", label="background")
    ax.stairs(base + sig, edges, color="C3", lw=1.2)
    centres = 0.5 * (edges[1:] + edges[:-1])
    if data is not None:
        ax.errorbar(centres, data, yerr=np.sqrt(np.maximum(counts, 0)) / scale, fmt="o", ms=3, color="k",
                    label="data")
    ax.set_xlabel(OBS_LABELS.get(observable, plain(observable)))
    ax.set_ylabel(ylabel)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, None)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)


#: the all-panels figure every :func:`plot_spectra_panels` call writes (with ``<mode>_<observable>.png``)
SPECTRA_SUMMARY_PNG = "fig2_panels.png"


def spectra_panel_paths(directory: Path | str, prediction: dict) -> list[Path]:
    """The files :func:`plot_spectra_panels` writes for ``prediction`` (known before plotting)."""
    directory = Path(directory)
    panels = [(mode, obs) for mode, r in prediction["modes"].items() for obs in r["spectra"]]
    if not panels:
        return []
    return [directory / f"{mode}_{obs}.png" for mode, obs in panels] + [directory / SPECTRA_SUMMARY_PNG]


def plot_spectra_panels(directory: Path | str, prediction: dict) -> list[Path]:
    """Write seed-000 Fig.-2 style panels (signal stacked on background vs data) for every mode.

    Args:
        directory: output folder (created); files ``<mode>_<observable>.png`` and ``fig2_panels.png``
            (all panels in one figure) are written atomically.
        prediction: the dict of :meth:`darkbeam.inference.predict.Predictor.predict` (``modes`` →
            ``spectra`` → observable → edges/signal/data/background; signal-only predictions have no
            data or background and are drawn as signal alone).

    Returns:
        the paths written.
    """
    plt = _plt()
    directory = Path(directory)
    panels = [(mode, obs, spec) for mode, r in prediction["modes"].items() for obs, spec in r["spectra"].items()]
    if not panels:
        return []
    name = plain(prediction["model"]["name"])
    sub = product_label(prediction.get("coupling_product"))
    if prediction.get("best_fit") is not None:  # a prediction at darkbeam's best fit (run --fit, default run)
        sub += ", best fit"
    figs = []
    for mode, obs, spec in panels:
        fig, ax = plt.subplots(figsize=(5.5, 4.2))
        _spectrum_panel(ax, spec, obs, f"{name}, {mode} mode{sub}")
        fig.tight_layout()
        figs.append((directory / f"{mode}_{obs}.png", fig))
    ncol = min(len(panels), 2)
    nrow = (len(panels) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.5 * ncol, 4.2 * nrow), squeeze=False)
    for ax, (mode, obs, spec) in zip(axes.ravel(), panels):
        _spectrum_panel(ax, spec, obs, f"{mode} mode")
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"{name} at {plain(prediction['experiment'])}{sub}", fontsize=11)
    fig.tight_layout()
    figs.append((directory / SPECTRA_SUMMARY_PNG, fig))
    written = []
    try:
        for path, f in figs:
            written.append(save_figure(f, path, dpi=110))
    finally:
        for _, f in figs:
            plt.close(f)
    return written
