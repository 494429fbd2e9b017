"""Confidence regions (Δχ²) and credible regions (posterior samples) in any two parameters, and their plots.

* :func:`delta_chi2_region` — from a scan (:class:`~darkbeam.inference.scan.ScanResult` or its Parquet
  table): Δχ² = χ² − χ²_min on the grid of two numeric axes, *profiled* (minimised) over every other axis
  and over a coupling fitted at every point. A region at confidence level CL is Δχ² ≤ F⁻¹_χ²(CL; k)
  with k the number of parameters of interest: k = 2 for a region in a plane (Δχ² ≤ 2.28 for 68 %, 5.99
  for 95 %), k = 1 for an interval (1.00 / 3.84) — Wilks' theorem, the "right degrees of freedom".
  The y axis may be shown as another column that is a function of the grid cell (e.g. the coupling
  product g_μ g_n λ at fixed g_μ, λ, when g_n is the gridded coupling).
* :func:`credible_region` — from posterior samples (:mod:`.posterior`): the highest-posterior-density
  regions holding 68 % / 95 % of the posterior mass, from a smoothed 2-D histogram of the (weighted)
  samples in the plotting coordinates (log for log axes).

Both give a :class:`Region2D`: the grid, the levels, the contours (polylines in data units) and a test of
whether a point lies inside; :func:`plot_regions` draws them in the field's conventions (log axes, dark
shading for 68 %, light for 95 %, the best point as a star, optional reference points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import chi2 as chi2_dist

from ..errors import InputError
from ..io.atomic import save_figure
from ..plotting import _plt
from .scan import EXPERIMENT_AXIS, ScanResult, load_table

#: default confidence / credibility levels
DEFAULT_CLS = (0.68, 0.95)


def delta_chi2_levels(cls: Sequence[float] = DEFAULT_CLS, dof: int = 2) -> list[float]:
    """Δχ² thresholds F⁻¹_χ²(CL; dof) for the given levels (dof = number of parameters of interest)."""
    for cl in cls:
        if not 0 < cl < 1:
            raise InputError("confidence level", cl, "a number in (0, 1), e.g. 0.68")
    if dof < 1:
        raise InputError("degrees of freedom", dof, "a positive integer")
    return [float(chi2_dist.ppf(cl, dof)) for cl in cls]


@dataclass
class Region2D:
    """Regions in the plane of two parameters.

    Attributes:
        x, y: parameter names; x_label / y_label: axis labels with units; x_log / y_log: log axes.
        X, Y: 2-D arrays (grid nodes, data units) of shape (n_x, n_y); Z: Δχ² (kind "delta-chi2") or the
            posterior density (kind "credible") there.
        cls: levels; thresholds: Z values bounding them (Δχ² ≤ t, or density ≥ t).
        best: (x, y) of the best point (grid minimum, or the highest-density point).
        contours: {cl: [array (n, 2) of (x, y) vertices, ...]} in data units.
        dof: parameters of interest (Δχ² regions); note: how it was made.
    """

    x: str
    y: str
    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    cls: tuple[float, ...]
    thresholds: list[float]
    kind: str
    best: tuple[float, float]
    x_log: bool = False
    y_log: bool = False
    x_label: str = ""
    y_label: str = ""
    dof: int = 2
    contours: dict[float, list[np.ndarray]] = field(default_factory=dict)
    note: str = ""
    experiment: str | None = None

    def mask(self, cl: float) -> np.ndarray:
        """Grid nodes inside the region of level ``cl``."""
        t = self.thresholds[self.cls.index(cl)]
        with np.errstate(invalid="ignore"):
            return (self.Z <= t) if self.kind == "delta-chi2" else (self.Z >= t)

    def _coords(self, x, y):
        return (np.log(x) if self.x_log else x), (np.log(y) if self.y_log else y)

    def contains(self, x: float, y: float, cl: float) -> bool:
        """Is (x, y) inside the region of level ``cl``? (Z interpolated bilinearly in the plotting coordinates;
        the grid must be rectangular in x.)"""
        from scipy.interpolate import RegularGridInterpolator  # lazy: heavy; only this path needs it

        gx, gy = self._coords(self.X[:, 0], self.Y[0, :])
        if not (np.allclose(self.X, self.X[:, :1]) and np.allclose(self.Y, self.Y[:1, :])):
            raise InputError("region", "curvilinear grid", "a rectangular grid for contains()")
        px, py = self._coords(np.asarray(x, float), np.asarray(y, float))
        f = RegularGridInterpolator((gx, gy), np.where(np.isfinite(self.Z), self.Z, np.inf if self.kind ==
                                                       "delta-chi2" else 0.0), bounds_error=False, fill_value=None)
        z = float(f([[px, py]])[0])
        t = self.thresholds[self.cls.index(cl)]
        return z <= t if self.kind == "delta-chi2" else z >= t

    def area_fraction(self, cl: float) -> float:
        """Fraction of the grid's nodes inside the region (a quick size measure)."""
        return float(np.mean(self.mask(cl)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the levels, thresholds, best point, and the contours (lists of [x, y] vertices)."""
        return {"x": self.x, "y": self.y, "kind": self.kind, "dof": self.dof, "experiment": self.experiment,
                "x_label": self.x_label, "y_label": self.y_label, "x_log": self.x_log, "y_log": self.y_log,
                "levels": [{"cl": cl, "threshold": t, "grid_fraction": self.area_fraction(cl),
                            "contours": [c.tolist() for c in self.contours.get(cl, [])]}
                           for cl, t in zip(self.cls, self.thresholds)],
                "best": list(self.best), "note": self.note}


def _contours(reg: Region2D) -> None:
    """Fill ``reg.contours`` with the boundary lines of every level (computed in plotting coordinates)."""
    import contourpy  # lazy: ships with matplotlib; only region contours need it

    cx, cy = reg._coords(reg.X, reg.Y)
    z = np.where(np.isfinite(reg.Z), reg.Z, np.nanmax(np.where(np.isfinite(reg.Z), reg.Z, np.nan)) * 10 + 1
                 if reg.kind == "delta-chi2" else 0.0)
    if z.shape[0] < 2 or z.shape[1] < 2:
        return
    gen = contourpy.contour_generator(cx, cy, z)
    for cl, t in zip(reg.cls, reg.thresholds):
        lines = []
        for seg in gen.lines(t):
            seg = np.asarray(seg, float)
            if len(seg) < 2:
                continue
            xs = np.exp(seg[:, 0]) if reg.x_log else seg[:, 0]
            ys = np.exp(seg[:, 1]) if reg.y_log else seg[:, 1]
            lines.append(np.column_stack([xs, ys]))
        reg.contours[cl] = lines


def _label(name: str, unit: str) -> str:
    return f"{name} [{unit}]" if unit else name


def delta_chi2_region(scan_result, x: str, y: str, cls: Sequence[float] = DEFAULT_CLS,
                      experiment: str | None = None, y_column: str | None = None,
                      y_label: str | None = None, dof: int | None = None) -> Region2D:
    """Δχ² regions of a scan in the plane (x, y) of two of its numeric axes (see the module docstring).

    Args:
        scan_result: a :class:`~darkbeam.inference.scan.ScanResult` (or a path to its Parquet table).
        x, y: axis names. cls: levels. experiment: which experiment's χ² (default: the first with data).
        y_column: show y as this table column instead (must be a function of the (x, y) cell, e.g.
            ``coupling_product``). dof: parameters of interest (default 2).
    """
    res = scan_result if isinstance(scan_result, ScanResult) else load_table(scan_result)
    names = [a.name for a in res.axis_info]
    for n in (x, y):
        if n not in names or not res.axis(n).numeric:
            raise InputError("region axis", n, [a.name for a in res.axis_info if a.numeric])
        if len(res.axis(n).values) < 2:
            raise InputError("region axis", n, "an axis with at least 2 values")
    if x == y:
        raise InputError("region axes", [x, y], "two different axes")
    with_chi2 = [e for e in dict.fromkeys(p[EXPERIMENT_AXIS] for p in res.points)
                 if any(p.get("chi2") is not None for p in res.points if p[EXPERIMENT_AXIS] == e)]
    if not with_chi2:
        raise InputError("scan for regions", res.output or res.model, "a scan with chi2 values (an experiment "
                                                                      "with a dataset)")
    experiment = experiment or with_chi2[0]
    if experiment not in with_chi2:
        raise InputError("experiment", experiment, with_chi2)
    ax, ay = res.axis(x), res.axis(y)
    xs, ys = np.asarray(ax.values, float), np.asarray(ay.values, float)
    ix = {v: i for i, v in enumerate(ax.values)}
    iy = {v: i for i, v in enumerate(ay.values)}
    chi = np.full((len(xs), len(ys)), np.inf)
    yv = np.full((len(xs), len(ys)), np.nan)
    for p in res.points:
        if p[EXPERIMENT_AXIS] != experiment or p.get("chi2") is None or not math.isfinite(p["chi2"]):
            continue
        i, j = ix[p["point"][x]], iy[p["point"][y]]
        chi[i, j] = min(chi[i, j], p["chi2"])
        if y_column is not None:
            v = p.get(y_column)
            if v is None:
                raise InputError("--y-column", y_column, sorted(k for k in p if not k.startswith("_")))
            if np.isfinite(yv[i, j]) and not math.isclose(yv[i, j], v, rel_tol=1e-9):
                raise InputError("--y-column", y_column, f"a column that is a function of ({x}, {y}) (it varies "
                                                         "with the other axes of this scan)")
            yv[i, j] = v
    dmin = float(np.min(chi))
    d = chi - dmin
    k = 2 if dof is None else int(dof)
    thr = delta_chi2_levels(cls, k)
    ib = np.unravel_index(int(np.argmin(chi)), chi.shape)
    X = np.repeat(xs[:, None], len(ys), axis=1)
    Y = yv if y_column is not None else np.repeat(ys[None, :], len(xs), axis=0)
    ylab = y_label or (y_column if y_column else _label(y, ay.unit))
    if y_column == "coupling_product" and res.coupling_product_name:
        ylab = y_label or _label(res.coupling_product_name, res.coupling_product_unit or "")
    others = [a.name for a in res.axis_info if a.name not in (x, y) and len(a.values) > 1]
    note = (f"Δχ² to the grid minimum χ² = {dmin:.2f}; levels for {k} parameters of interest"
            + (f"; profiled over {', '.join(others)}" if others else "")
            + (f"; {res.parameter} fitted at every point" if res.parameter else ""))
    reg = Region2D(x, y, X, Y, d, tuple(cls), thr, "delta-chi2", (float(X[ib]), float(Y[ib])), ax.log,
                   ay.log or (y_column is not None and bool(np.all(yv > 0)) and ay.log), _label(x, ax.unit), ylab, k,
                   note=note, experiment=experiment)
    _contours(reg)
    return reg


def hpd_thresholds(density: np.ndarray, cls: Sequence[float]) -> list[float]:
    """Density thresholds t such that the cells with density ≥ t hold the fraction CL of the total."""
    flat = np.sort(np.asarray(density, float).ravel())[::-1]
    tot = flat.sum()
    if not tot > 0:
        raise InputError("posterior density", "all zero", "samples inside the plotted range")
    cum = np.cumsum(flat) / tot
    return [float(flat[min(int(np.searchsorted(cum, cl)), len(flat) - 1)]) for cl in cls]


def credible_region(samples: np.ndarray, weights: np.ndarray | None, x: str, y: str,
                    x_range: tuple[float, float], y_range: tuple[float, float], x_log: bool, y_log: bool,
                    cls: Sequence[float] = DEFAULT_CLS, bins: int = 60, smooth: float = 1.0,
                    x_label: str = "", y_label: str = "") -> Region2D:
    """Highest-posterior-density regions of samples (n, 2) of (x, y) (optionally weighted): a 2-D histogram in
    the plotting coordinates, smoothed with a Gaussian of ``smooth`` bins, thresholds holding ``cls``."""
    from scipy.ndimage import gaussian_filter  # lazy: heavy; only this path needs it

    s = np.asarray(samples, float)
    if s.ndim != 2 or s.shape[1] != 2 or len(s) < 10:
        raise InputError("posterior samples", s.shape, "an array (n >= 10, 2) of (x, y) samples")
    w = np.ones(len(s)) if weights is None else np.asarray(weights, float)
    cx = np.log(s[:, 0]) if x_log else s[:, 0]
    cy = np.log(s[:, 1]) if y_log else s[:, 1]
    ex = np.linspace(*(np.log(x_range) if x_log else x_range), bins + 1)
    ey = np.linspace(*(np.log(y_range) if y_log else y_range), bins + 1)
    h, _, _ = np.histogram2d(cx, cy, bins=[ex, ey], weights=w)
    if smooth > 0:
        h = gaussian_filter(h, smooth, mode="constant")
    thr = hpd_thresholds(h, cls)
    mx, my = 0.5 * (ex[1:] + ex[:-1]), 0.5 * (ey[1:] + ey[:-1])
    gx = np.exp(mx) if x_log else mx
    gy = np.exp(my) if y_log else my
    X = np.repeat(gx[:, None], len(gy), axis=1)
    Y = np.repeat(gy[None, :], len(gx), axis=0)
    ib = np.unravel_index(int(np.argmax(h)), h.shape)
    reg = Region2D(x, y, X, Y, h, tuple(cls), thr, "credible", (float(X[ib]), float(Y[ib])), x_log, y_log,
                   x_label or x, y_label or y, 2,
                   note=f"highest-posterior-density regions of {len(s)} samples ({bins}x{bins} bins, "
                        f"Gaussian smoothing {smooth:g} bin)")
    _contours(reg)
    return reg


#: shading of 68 % (dark) and 95 % (light) regions, by colour family
_SHADES = {"C0": ("#1f4e9c", "#9db9e8"), "C1": ("#b4570b", "#f5c28f"), "C2": ("#1d7a32", "#a3dcae"),
           "C3": ("#9c1f2e", "#eca2ab"), "C4": ("#5b3d8f", "#c9b6e8")}


def plot_regions(path: str | Path | None, regions: Sequence[Region2D], labels: Sequence[str] | None = None,
                 points: Sequence[dict] = (), title: str = "", ax=None, legend: bool = True,
                 filled: Sequence[bool] | None = None, y_scale: Sequence[float] | None = None,
                 legend_loc: str = "best", legend_size: float = 7.0):
    """Draw regions in one panel: filled 68 % (dark) / 95 % (light) areas per region set (or only their
    boundary lines, solid 68 % and dashed 95 %, where ``filled[k]`` is False), the best point (star), reference
    ``points`` ({"x", "y", "label", "marker"}), log axes where the grid is log. ``y_scale[k]`` multiplies the y
    values of region k (e.g. a normalisation shift). Writes ``path`` atomically when given; returns the axes."""
    plt = _plt()
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(6.0, 4.6))
    labels = list(labels) if labels is not None else [r.kind for r in regions]
    handles = []
    from matplotlib.lines import Line2D  # lazy: heavy; only plots need it
    from matplotlib.patches import Patch

    for k, reg in enumerate(regions):
        dark, light = list(_SHADES.values())[k % len(_SHADES)]
        fill = True if filled is None else bool(filled[k])
        ys = 1.0 if y_scale is None else float(y_scale[k])
        cx, cy = reg._coords(reg.X, reg.Y * ys)
        z = np.where(np.isfinite(reg.Z), reg.Z, np.nan)
        t = sorted(reg.thresholds)
        if reg.kind == "delta-chi2":
            zz = np.where(np.isfinite(z), z, t[-1] * 10 + 1)
            levels = [-1e-12, *t]
            colors = [dark, light][: len(t)]
        else:
            zz = np.where(np.isfinite(z), z, 0.0)
            levels = [*t, float(np.nanmax(zz)) * (1 + 1e-9) + 1e-300]
            colors = [light, dark][-len(t):] if len(t) == 2 else [dark]
        X = np.exp(cx) if reg.x_log else cx
        Y = np.exp(cy) if reg.y_log else cy
        lo_cl, hi_cl = int(round(100 * min(reg.cls))), int(round(100 * max(reg.cls)))
        if min(X.shape) >= 2:
            if fill:
                ax.contourf(X, Y, zz, levels=levels, colors=colors, alpha=0.85)
                ax.contour(X, Y, zz, levels=t, colors=[dark], linewidths=0.8)
            else:  # boundaries only: 68 % solid, 95 % dashed (t sorted: Δχ² 68 % first; density 95 % first)
                styles = ["-", "--"] if reg.kind == "delta-chi2" else ["--", "-"]
                ax.contour(X, Y, zz, levels=t, colors=[dark], linewidths=1.3, linestyles=styles[: len(t)])
        ax.plot([reg.best[0]], [reg.best[1] * ys], "*", color=dark, ms=11, mec="k", mew=0.5)
        if fill:
            handles.append(Patch(facecolor=dark, label=f"{labels[k]} {lo_cl}%"))
            if len(reg.cls) > 1:
                handles.append(Patch(facecolor=light, label=f"{labels[k]} {hi_cl}%"))
        else:
            handles.append(Line2D([], [], color=dark, ls="-", label=f"{labels[k]} {lo_cl}%"))
            if len(reg.cls) > 1:
                handles.append(Line2D([], [], color=dark, ls="--", label=f"{labels[k]} {hi_cl}%"))
    for p in points:
        h, = ax.plot([p["x"]], [p["y"]], p.get("marker", "X"), color=p.get("color", "k"), ms=p.get("ms", 9),
                     label=p.get("label"), ls="none")
        handles.append(h)
    if regions:
        ax.set_xlabel(regions[0].x_label)
        ax.set_ylabel(regions[0].y_label)
        if regions[0].x_log:
            ax.set_xscale("log")
        if regions[0].y_log:
            ax.set_yscale("log")
    if legend and handles:
        ax.legend(handles=handles, fontsize=legend_size, loc=legend_loc)
    if title:
        ax.set_title(title, fontsize=9)
    if own:
        fig.tight_layout()
        if path is not None:
            save_figure(fig, path, dpi=120)
            plt.close(fig)
    return ax


__all__ = ["DEFAULT_CLS", "Region2D", "credible_region", "delta_chi2_levels", "delta_chi2_region", "hpd_thresholds",
           "plot_regions"]
