"""Scan results: the table of points, best point, summary, outputs (JSON, CSV, Parquet) and plots."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import save_figure, write_text_atomic
from ..plotting import _plt
from .scan_grid import EXPERIMENT_AXIS, OUTPUT_SUFFIXES, Axis
from .scan_table import write_rows


@dataclass
class ScanResult:
    """A scan: its axes, one row per grid point, and how it ran.

    Attributes:
        model: model name. parameter / unit: the coupling fitted at every point (None: none fitted).
        axes: {axis name: values} (internal units; experiments as names). axis_info: the :class:`Axis` es.
        points: one flat row per grid point (grid order, last axis fastest) plus, for convenience,
            ``point`` ({axis: value}), ``value`` (fitted coupling), ``signal_events`` ({mode: events}),
            ``delta_chi2`` (χ² − the minimum of the same experiment) and ``ndof``.
        coupling_product_name / _unit: seed 000 Table I combination (None if the model has none).
        modes: beam modes; backend, workers, cache_dir, seconds: how it ran; cache: hits/misses of this run.
    """

    model: str
    parameter: str | None
    unit: str
    axes: dict[str, list]
    points: list[dict]
    coupling_product_name: str | None
    coupling_product_unit: str | None
    modes: list[str]
    backend: str
    workers: int
    cache_dir: str | None
    seconds: float
    simulation: dict = field(default_factory=dict)
    axis_info: list[Axis] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    cache: dict | None = None
    resumed_points: int = 0
    output: str | None = None

    # --- lookups ----------------------------------------------------------------------------------
    def _fitted(self) -> list[dict]:
        return [p for p in self.points if p.get("chi2") is not None and math.isfinite(p["chi2"])]

    @property
    def chi2_min(self) -> float | None:
        f = self._fitted()
        return min(p["chi2"] for p in f) if f else None

    @property
    def best(self) -> dict:
        """The point with the smallest χ² (first on ties); without χ² (signal only) the largest signal."""
        f = self._fitted()
        if f:
            return min(f, key=lambda p: p["chi2"])
        return max(self.points, key=lambda p: p.get("signal_total") or 0.0)

    @property
    def scanned_axes(self) -> list[str]:
        """Axes with more than one value."""
        return [k for k, v in self.axes.items() if len(v) > 1]

    def axis(self, name: str) -> Axis:
        for a in self.axis_info:
            if a.name == name:
                return a
        raise InputError("scan axis", name, [a.name for a in self.axis_info])

    def cache_stats(self) -> dict[str, int] | None:
        """Summed cache hits/misses of the tasks of this run (None without a cache)."""
        return None if self.cache_dir is None else dict(self.cache or {"hits": 0, "misses": 0, "rejected": 0})

    # --- summary ----------------------------------------------------------------------------------
    def profile_1d(self, name: str, experiment: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(axis values, Δχ² profiled over every other axis) along numeric axis ``name``."""
        a = self.axis(name)
        pts = [p for p in self._fitted() if experiment is None or p[EXPERIMENT_AXIS] == experiment]
        if not pts:
            raise InputError("profile", name, "a scan with chi2 values (an experiment with a dataset)")
        cmin = min(p["chi2"] for p in pts)
        prof = np.full(len(a.values), np.inf)
        pos = {v: i for i, v in enumerate(a.values)}
        for p in pts:
            i = pos[p["point"][name]]
            prof[i] = min(prof[i], p["chi2"] - cmin)
        return np.asarray(a.values, float), prof

    def interval_1d(self, name: str, level: float = 1.0, experiment: str | None = None) -> tuple:
        """(low, high) where the 1-D profile of ``name`` is below ``level`` (Δχ² = 1: 68 % for one
        parameter), interpolated between grid points (in log for log axes); None where it reaches the
        grid's edge (the interval is open there)."""
        x, d = self.profile_1d(name, experiment)
        a = self.axis(name)
        t = np.log(x) if a.log else x
        ib = int(np.argmin(d))
        ok = d <= level
        lo_i = ib
        while lo_i > 0 and ok[lo_i - 1]:
            lo_i -= 1
        hi_i = ib
        while hi_i < len(x) - 1 and ok[hi_i + 1]:
            hi_i += 1

        def cross(i_in, i_out):
            if not np.isfinite(d[i_out]):
                return float(x[i_in])
            f = (level - d[i_in]) / (d[i_out] - d[i_in]) if d[i_out] != d[i_in] else 0.0
            v = t[i_in] + f * (t[i_out] - t[i_in])
            return float(np.exp(v) if a.log else v)

        lo = None if lo_i == 0 else cross(lo_i, lo_i - 1)
        hi = None if hi_i == len(x) - 1 else cross(hi_i, hi_i + 1)
        return lo, hi

    def summary(self) -> dict[str, Any]:
        """Best point (per experiment with a dataset; else the largest signal), its uncertainty (the fitted
        coupling's Δχ² = 1 interval, the Δχ² = 1 interval of each scanned axis from the profile) and
        warnings when it sits on the grid's edge."""
        out: dict[str, Any] = {"best": {}, "warnings": []}
        exps = list(dict.fromkeys(p[EXPERIMENT_AXIS] for p in self.points))
        for e in exps:
            pts = [p for p in self.points if p[EXPERIMENT_AXIS] == e]
            fitted = [p for p in pts if p.get("chi2") is not None and math.isfinite(p["chi2"])]
            if fitted:
                b = min(fitted, key=lambda p: p["chi2"])
                entry: dict[str, Any] = {"point": dict(b["point"]), "chi2": b["chi2"], "ndof": b.get("ndof"),
                                         "chi2_null": b.get("chi2_null"), "intervals_68": {}}
                if self.parameter is not None and b.get("value") is not None:
                    col = b.get("_fit_column")
                    entry["fitted"] = {"parameter": self.parameter, "value": b["value"], "unit": self.unit,
                                       "interval_68": [b.get(f"{col}_lo68"), b.get(f"{col}_hi68")]}
                    if b.get("at_edge"):
                        out["warnings"].append(f"{e}: the fitted {self.parameter} sits at the {b['at_edge']} edge "
                                               "of [fit].bounds: widen them")
                for a in self.axis_info:
                    if not a.numeric or len(a.values) < 2:
                        continue
                    entry["intervals_68"][a.name] = list(self.interval_1d(a.name, 1.0, e))
                    i = a.values.index(b["point"][a.name])
                    if len(a.values) >= 3 and i in (0, len(a.values) - 1):
                        side = "lower" if i == 0 else "upper"
                        out["warnings"].append(f"{e}: the best point sits on the {side} edge of the grid in "
                                               f"{a.name} ({a.values[i]:g} {a.unit}): extend the grid")
                if b.get("status") not in (None, "ok", "fit"):
                    out["warnings"].append(f"{e}: best point status: {b['status']}")
            else:
                b = max(pts, key=lambda p: p.get("signal_total") or 0.0)
                entry = {"point": dict(b["point"]), "signal_total": b.get("signal_total"),
                         "significance": b.get("significance"), "background": b.get("background")}
                if b.get("background") is None:
                    entry["note"] = "no background given (--background): no significance"
            out["best"][e] = entry
        return out

    # --- outputs ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: ``points`` (with ``delta_chi2``), ``best``, ``chi2_min``, ``summary``, run details."""
        return {"model": self.model, "parameter": self.parameter, "unit": self.unit,
                "axes": {a.name: {"values": list(a.values), "unit": a.unit, "kind": a.kind, "spacing": a.spacing,
                                  "column": a.column} for a in self.axis_info},
                "coupling_product": {"name": self.coupling_product_name, "unit": self.coupling_product_unit},
                "modes": self.modes, "chi2_min": self.chi2_min, "best": _public(self.best),
                "points": [_public(p) for p in self.points], "summary": self.summary(),
                "ndof": self.best.get("ndof"), "simulation": self.simulation,
                "config_hash": self.meta.get("config_hash"), "scan_hash": self.meta.get("scan_hash"),
                "backend": self.backend, "workers": self.workers, "resumed_points": self.resumed_points,
                "cache": {"directory": self.cache_dir, **(self.cache_stats() or {})}, "seconds": self.seconds}

    def rows(self) -> list[dict]:
        """Flat rows (the table's columns)."""
        return [{k: v for k, v in p.items() if not k.startswith("_") and k not in _DERIVED} for p in self.points]

    def columns(self) -> list[str]:
        cols: dict[str, None] = {}
        for r in self.rows():
            for k in r:
                cols.setdefault(k, None)
        return list(cols)

    def to_csv(self) -> str:
        """CSV text, the table's columns (floats written with repr: they read back exactly)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        cols = self.columns()
        w.writerow(cols)
        for r in self.rows():
            w.writerow(["" if r.get(c) is None else (repr(r[c]) if isinstance(r[c], float) else r[c]) for c in cols])
        return buf.getvalue()

    def write(self, path: str | Path) -> Path:
        """Write JSON (``.json``), CSV (``.csv``) or Parquet (``.parquet``) atomically."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise InputError("scan output suffix", path.suffix or str(path), OUTPUT_SUFFIXES)
        if suffix == ".parquet":
            return write_rows(path, self.rows(), {**self.meta, "complete": True})
        text = self.to_csv() if suffix == ".csv" else json.dumps(self.to_dict(), indent=1, allow_nan=False,
                                                                  default=_json_default) + "\n"
        write_text_atomic(path, text)
        return path

    def delta_chi2_grid(self, experiment: str | None = None) -> tuple[list[str], list[np.ndarray], np.ndarray]:
        """Δχ² on the first two scanned numeric axes (further axes profiled, i.e. minimised over).

        Returns (axis names, axis values, Δχ² array of shape (n_1[, n_2]))."""
        return _grid_of(self, "delta_chi2", experiment, np.min)

    def plot(self, path: str | Path, experiment: str | None = None) -> Path:
        """PNG (or any matplotlib format, by suffix) of Δχ² over the grid (signal events where the experiment
        has no data), written atomically."""
        plt = _plt()
        exps = list(dict.fromkeys(p[EXPERIMENT_AXIS] for p in self.points))
        experiment = experiment or next((e for e in exps if any(
            p.get("chi2") is not None for p in self.points if p[EXPERIMENT_AXIS] == e)), exps[0])
        has_chi2 = any(p.get("chi2") is not None for p in self.points if p[EXPERIMENT_AXIS] == experiment)
        key = "delta_chi2" if has_chi2 else "signal_total"
        names, vals, d = _grid_of(self, key, experiment, np.min if has_chi2 else np.max)
        fig, ax = plt.subplots(figsize=(6.0, 4.5))
        best = self.best["point"]
        fitted = f"{self.parameter} fitted at each point, " if self.parameter else ""
        title = (f"{self.model} at {experiment}: {fitted}min χ² = {self.chi2_min:.2f}" if has_chi2
                 else f"{self.model} at {experiment}: expected signal events")
        axes = [self.axis(n) for n in names]
        lab = [f"{a.name} [{a.unit}]" if a.unit else a.name for a in axes]
        if len(names) == 1:
            x = vals[0]
            ax.plot(x, d, "o-", color="C0")
            if has_chi2:
                for level, txt in ((1.0, "1σ"), (4.0, "2σ")):
                    ax.axhline(level, color="grey", ls=":", lw=0.8)
                    ax.annotate(txt, (x[0], level), fontsize=8, color="grey", va="bottom")
                ax.set_ylabel(r"$\Delta\chi^2$")
            else:
                ax.set_ylabel("signal events")
                if np.all(d > 0):
                    ax.set_yscale("log")
            ax.set_xlabel(lab[0])
            if axes[0].log:
                ax.set_xscale("log")
        else:
            from matplotlib.colors import LogNorm  # lazy: heavy; only plots need it

            x, y = vals
            if has_chi2:
                mesh = ax.pcolormesh(_cell_edges(x, axes[0].log), _cell_edges(y, axes[1].log), d.T, shading="flat",
                                     cmap="viridis_r", vmin=0.0, vmax=max(float(np.nanmax(d)), 1e-9)
                                     if np.nanmax(d) < 25 else 25.0)
                fig.colorbar(mesh, ax=ax, label=r"$\Delta\chi^2$")
                from scipy.stats import chi2 as chi2_dist  # lazy: heavy; only this path needs it

                levels = [float(chi2_dist.ppf(0.68, 2)), float(chi2_dist.ppf(0.95, 2))]
                if min(len(x), len(y)) >= 2 and np.nanmax(d) > levels[0]:
                    cs = ax.contour(x, y, d.T, levels=levels, colors=["w", "k"], linewidths=1.0)
                    ax.clabel(cs, fmt={levels[0]: "68%", levels[1]: "95%"}, fontsize=7)
                ax.plot([best[names[0]]], [best[names[1]]], "*", color="red", ms=12)
            else:
                pos = d[d > 0]
                norm = LogNorm(vmin=max(float(pos.min()), float(pos.max()) * 1e-8), vmax=float(pos.max())) \
                    if pos.size else None
                mesh = ax.pcolormesh(_cell_edges(x, axes[0].log), _cell_edges(y, axes[1].log),
                                     np.where(d > 0, d, np.nan).T, shading="flat", cmap="magma", norm=norm)
                fig.colorbar(mesh, ax=ax, label="signal events")
            ax.set_xlabel(lab[0])
            ax.set_ylabel(lab[1])
            if axes[0].log:
                ax.set_xscale("log")
            if axes[1].log:
                ax.set_yscale("log")
        ax.set_title(title, fontsize=9)
        fig.tight_layout()
        path = save_figure(fig, path, dpi=110)
        plt.close(fig)
        return path


#: keys of a point that are not table columns
_DERIVED = ("point", "value", "signal_events", "cache", "seconds_task")


def _public(p: dict) -> dict:
    return {k: v for k, v in p.items() if not k.startswith("_")}


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _grid_of(res: ScanResult, key: str, experiment: str | None, reduce) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    numeric = [a for a in res.axis_info if a.numeric]
    keep = [a for a in numeric if len(a.values) > 1][:2] or numeric[:1]
    if not keep:
        raise InputError("plot", "grid", "a scan with a numeric axis")
    shape = tuple(len(a.values) for a in keep)
    out = np.full(shape, np.nan)
    pos = [{v: i for i, v in enumerate(a.values)} for a in keep]
    for p in res.points:
        if experiment is not None and p[EXPERIMENT_AXIS] != experiment:
            continue
        v = p.get(key)
        if v is None or not math.isfinite(v):
            continue
        idx = tuple(pos[j][p["point"][a.name]] for j, a in enumerate(keep))
        out[idx] = v if np.isnan(out[idx]) else reduce([out[idx], v])
    return [a.name for a in keep], [np.asarray(a.values, float) for a in keep], out


def _cell_edges(v: np.ndarray, log: bool | None = None) -> np.ndarray:
    """Cell edges around grid values (geometric midpoints for positive log axes, else arithmetic)."""
    v = np.asarray(v, float)
    if len(v) == 1:
        return np.array([v[0] * 0.9, v[0] * 1.1]) if v[0] > 0 else np.array([v[0] - 0.5, v[0] + 0.5])
    if (log if log is not None else np.all(v > 0)) and np.all(v > 0):
        lv = np.log(v)
        mid = 0.5 * (lv[1:] + lv[:-1])
        return np.exp(np.concatenate([[2 * lv[0] - mid[0]], mid, [2 * lv[-1] - mid[-1]]]))
    mid = 0.5 * (v[1:] + v[:-1])
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
