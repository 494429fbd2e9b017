"""Expected signals, Poisson and Feldman–Cousins limits, exclusion / sensitivity curves in a mass–coupling plane.

For any experiment of the catalog and any model, at every mass of a grid the signal sample is generated
once (through :func:`~darkbeam.inference.scan.scan`, in parallel, into the sample cache) and the expected
signal s(g) at the experiment's exposure is obtained by exact re-weighting on a fine log grid of the coupling
g. The coupling is excluded (or, for an experiment that has not observed yet, within reach) where
s(g) > s_up, the upper limit on the signal at confidence level CL:

* ``poisson``: the classical upper limit, P(N ≤ n | s_up + b) = 1 − CL (Garwood; for n = 0, b = 0 and
  90 % CL: s_up = 2.30), clipped at 0 (with a note) when the background exceeds what was observed;
* ``fc``: the Feldman–Cousins unified limit (PRD 57, 3873 (1998): likelihood-ratio ordering with
  μ_best = max(0, n − b); n = 0, b = 0, 90 % CL: 2.44).

With ``n_obs`` the limit is the observed one; without it, the *sensitivity*: the median upper limit of
background-only experiments, i.e. the limit at n = the median of Poisson(b) (the upper limit grows with n).
Because s(g) need not be monotonic (a long-lived particle decays before the detector at large coupling),
the excluded set at each mass is a union of intervals, found from sign changes of s(g) − s_up and refined
by root finding in log g; the curve's ``lower`` / ``upper`` edges are those of the first interval.

:func:`constraint_bounds` gives, for the same plane, the smallest coupling excluded by each exotic π/K decay
limit of :mod:`darkbeam.inference.constraints` (where it applies: charged-meson production channel, mass in
range), and :func:`plot_sensitivity` draws everything in the field's conventions (log axes, shaded
excluded regions, hatched external constraints).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.stats import poisson

from ..errors import InputError
from ..io.atomic import save_figure
from ..io.cache import resolve_cache
from ..io.config import RunConfig, fit_bounds, parse_config
from ..plotting import _plt
from . import scan as scan_module  # scan looked up per call: stubbable
from .constraints import STATUS_EXCLUDED, evaluate_constraint, registered_constraints
from .poisson_limits import _check, fc_interval, fc_upper_limit, poisson_upper_limit  # noqa: F401  (re-exported)
from .predict import Predictor, coupling_product
from .scan import config_for_experiment, grid_axes

METHODS = ("fc", "poisson")


def upper_limit(n_obs: int, b: float = 0.0, cl: float = 0.9, method: str = "fc") -> float:
    """Upper limit on the signal by ``method`` ("fc" or "poisson")."""
    if method not in METHODS:
        raise InputError("--method", method, METHODS)
    return fc_upper_limit(n_obs, b, cl) if method == "fc" else poisson_upper_limit(n_obs, b, cl)


def expected_upper_limit(b: float = 0.0, cl: float = 0.9, method: str = "fc") -> tuple[float, int]:
    """Median upper limit of background-only experiments and the n it corresponds to (the median of
    Poisson(b); the limit is non-decreasing in n, so the median limit is the limit at the median n)."""
    if not (b >= 0 and math.isfinite(b)):
        raise InputError("background", b, "a non-negative number of expected events")
    n_med = int(poisson.median(b)) if b > 0 else 0
    return upper_limit(n_med, b, cl, method), n_med


@dataclass
class SensitivityCurve:
    """Exclusion (observed) or sensitivity (expected) curve of one experiment in a mass–coupling plane.

    Attributes:
        experiment, model, mass_parameter, coupling, unit (of the coupling), masses (MeV).
        s_up: signal upper limit; n_obs (None: expected); background, cl, method; pot {mode: POT}.
        lower / upper: edges of the first excluded coupling interval at each mass (NaN: none within the bounds;
            upper NaN with lower finite: still excluded at the upper bound). intervals: all intervals per mass.
        signal_ref: expected signal at the config's couplings, per mass.
        product_per_coupling: coupling product / coupling at each mass (to draw y as the product; None
            when the product is not proportional to the coupling).
    """

    experiment: str
    model: str
    mass_parameter: str
    coupling: str
    unit: str
    masses: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    intervals: list[list[tuple[float, float | None]]]
    signal_ref: np.ndarray
    s_up: float
    n_obs: int | None
    background: float
    cl: float
    method: str
    pot: dict[str, float]
    bounds: tuple[float, float]
    product_per_coupling: np.ndarray | None = None
    product: dict | None = None
    notes: list[str] = field(default_factory=list)

    def label(self) -> str:
        kind = "excluded" if self.n_obs is not None else "sensitivity"
        return f"{self.experiment} {kind} ({int(round(100 * self.cl))}% CL {self.method.upper()}, b = {self.background:g})"

    def to_dict(self) -> dict[str, Any]:
        def num(a):
            return [None if not np.isfinite(v) else float(v) for v in a]

        return {"experiment": self.experiment, "model": self.model, "mass_parameter": self.mass_parameter,
                "masses_MeV": [float(m) for m in self.masses], "coupling": self.coupling, "unit": self.unit,
                "lower": num(self.lower), "upper": num(self.upper),
                "intervals": [[[a, b] for a, b in iv] for iv in self.intervals],
                "signal_at_config_couplings": [float(s) for s in self.signal_ref], "s_up": self.s_up,
                "n_obs": self.n_obs, "kind": "observed" if self.n_obs is not None else "expected (median)",
                "background": self.background, "cl": self.cl, "method": self.method, "pot": self.pot,
                "bounds": list(self.bounds), "coupling_product": self.product,
                "product_per_coupling": None if self.product_per_coupling is None else num(self.product_per_coupling),
                "notes": self.notes}


def _excluded_intervals(f, ts: np.ndarray) -> list[tuple[float, float | None]]:
    """Intervals of t = log10 g where f(t) > 0, from sign changes on ``ts`` refined by brentq (None: open at the
    upper bound)."""
    vals = np.array([f(float(t)) for t in ts])
    pos = vals > 0
    out = []
    i = 0
    while i < len(ts):
        if not pos[i]:
            i += 1
            continue
        lo = float(ts[0]) if i == 0 else brentq(f, float(ts[i - 1]), float(ts[i]), xtol=1e-6)
        j = i
        while j + 1 < len(ts) and pos[j + 1]:
            j += 1
        hi = None if j == len(ts) - 1 else brentq(f, float(ts[j]), float(ts[j + 1]), xtol=1e-6)
        out.append((10.0**lo, None if hi is None else 10.0**hi))
        i = j + 1
    return out


def sensitivity_curve(config: RunConfig, experiment: str | None = None, masses: dict | Sequence[str] | None = None,
                      coupling: str | None = None, bounds: tuple[float, float] | None = None,
                      background: float = 0.0, pot: float | dict[str, float] | None = None, method: str = "fc",
                      cl: float = 0.9, n_obs: int | None = None, n_coupling: int = 121, cache=True,
                      backend: str = "local", workers: int | None = None, progress: bool = False) -> SensitivityCurve:
    """Exclusion or sensitivity curve (see the module docstring).

    Args:
        config: model (reference couplings) and simulation settings; ``[experiment]`` modes.
        experiment: catalog name (default: the config's). masses: one mass axis, ``NAME=VALUES`` (a
            one-element list) or {name: values}; default ``[fit].masses``.
        coupling: the coupling on the y axis (default ``[fit].parameter``); bounds: its range (default
            ``[fit].bounds`` or 1e-6..1e3 × the config value).
        background: expected background events at the exposure; pot: POT (one number for every mode, or
            {mode: POT}; default the experiment's); method: "fc" | "poisson"; cl; n_obs: observed events
            (None: the median expected limit).
    """
    if method not in METHODS:
        raise InputError("--method", method, METHODS)
    if n_coupling < 11:
        raise InputError("n_coupling", n_coupling, "at least 11 coupling points")
    model = config.build_model()
    experiment = experiment or config.experiment.name
    cfg = config_for_experiment(config, experiment)
    if pot is not None:
        pots = {m: float(pot) for m in cfg.experiment.modes} if not isinstance(pot, dict) else dict(pot)
        for m, v in pots.items():
            if m not in cfg.experiment.modes or not (v > 0 and math.isfinite(v)):
                raise InputError("--pot", {m: v}, f"a positive POT for a mode run at {experiment} "
                                                  f"({', '.join(cfg.experiment.modes)})")
        d = cfg.model_dump(mode="python")
        d["experiment"]["pot"] = {**d["experiment"]["pot"], **pots}
        cfg = parse_config(d)
    coupling = coupling or config.fit.parameter
    params = {p.name: p for p in model.params}
    if coupling is None or coupling not in params or params[coupling].is_fixed_in_sample \
            or params[coupling].choices is not None:
        raise InputError("--coupling", coupling, [p.name for p in model.params if not p.is_fixed_in_sample
                                                  and p.choices is None])
    if not float(model.values[coupling]) > 0:
        raise InputError(f"model.{coupling}", model.values[coupling], "a positive reference value (the samples "
                                                                      "are re-weighted from it)")
    if bounds is None:
        if config.fit.parameter == coupling:
            bounds = fit_bounds(config, model)
        else:
            ref = float(model.values[coupling])
            bounds = (ref * 1e-6, ref * 1e3)
    lo, hi = float(bounds[0]), float(bounds[1])
    if not 0 < lo < hi:
        raise InputError("--bounds", [lo, hi], "0 < low < high")
    axes = grid_axes(config, masses, model)
    if len(axes) != 1 or axes[0].kind != "mass":
        raise InputError("--grid", [a.name for a in axes], "exactly one mass axis (the x axis of the plane)")
    ax = axes[0]
    if n_obs is None:
        s_up, n_used = expected_upper_limit(background, cl, method)
    else:
        s_up, n_used = upper_limit(n_obs, background, cl, method), n_obs
    notes = [(f"s_up = {s_up:.4g} signal events ({method.upper()}, {int(round(100 * cl))}% CL, b = {background:g}, "
             f"n = {n_used}{' observed' if n_obs is not None else ': median of background-only experiments'})")]
    if s_up == 0.0:
        notes.append("the background exceeds what is observed: the classical Poisson limit is 0 (use fc)")
    base = cfg.model_dump(mode="python")
    base["fit"] = {}
    base["priors"] = {}
    cfg0 = parse_config(base)

    c = resolve_cache(cache)
    if c is not None and len(ax.values) > 1:  # generate the samples of every mass in parallel, into the cache
        scan_module.scan(cfg0, {ax.name: list(ax.values)}, backend=backend, workers=workers, cache=c,
                         progress=progress)
    pred = Predictor(cfg0, cache=c)
    ts = np.linspace(math.log10(lo), math.log10(hi), n_coupling)
    lower, upper, intervals, sref, ppc = [], [], [], [], []
    cp0 = coupling_product(model)
    for mval in ax.values:
        m_ref = model.replace(**{ax.name: mval})
        views = {mode: pred.view(mode, m_ref) for mode in cfg0.experiment.modes}

        def signal(g: float, m_ref=m_ref, views=views) -> float:
            m = m_ref.replace(**{coupling: g})
            return float(sum(v.weights(m, cfg0.pot(mode)).sum() for mode, v in views.items()))

        sref.append(signal(float(model.values[coupling])))
        iv = _excluded_intervals(lambda t: signal(10.0**t) - s_up, ts)
        intervals.append(iv)
        lower.append(iv[0][0] if iv else np.nan)
        upper.append((np.nan if iv[0][1] is None else iv[0][1]) if iv else np.nan)
        if cp0 is not None:
            g1 = float(model.values[coupling])
            p1 = m_ref.replace(**{coupling: g1}).coupling_product()["value"]
            p2 = m_ref.replace(**{coupling: 2 * g1}).coupling_product()["value"]
            ppc.append(p1 / g1 if math.isclose(p2, 2 * p1, rel_tol=1e-12) else np.nan)
        pred.clear()  # one mass point in memory at a time
    ppc_arr = np.asarray(ppc) if ppc and np.all(np.isfinite(ppc)) else None
    others = {k: v for k, v in model.values.items() if k not in (ax.name, coupling) and params[k].choices is None}
    notes.append("other parameters at the config's values: " + ", ".join(
        f"{k} = {v:.4g} {params[k].unit}".rstrip() for k, v in others.items()))
    return SensitivityCurve(experiment, model.name, ax.name, coupling, params[coupling].unit,
                            np.asarray(ax.values, float), np.asarray(lower, float), np.asarray(upper, float), intervals,
                            np.asarray(sref), s_up, n_obs, float(background), cl, method,
                            {m: cfg0.pot(m) for m in cfg0.experiment.modes}, (lo, hi), ppc_arr,
                            None if cp0 is None else {"name": cp0["name"], "unit": cp0["unit"]}, notes)


def constraint_bounds(config: RunConfig, mass_parameter: str, masses: Sequence[float], coupling: str,
                      bounds: tuple[float, float], n_coupling: int = 61,
                      include_proxies: bool = False) -> dict[str, dict[str, Any]]:
    """Smallest coupling excluded by each exotic π/K decay limit at each mass (NaN where it does not apply or
    excludes nothing within ``bounds``); {constraint name: {"lower": array, "citation", "cl"}} — only
    constraints that exclude something somewhere are returned."""
    model = config.build_model()
    ts = np.linspace(math.log10(bounds[0]), math.log10(bounds[1]), n_coupling)
    out: dict[str, dict[str, Any]] = {}
    for c in registered_constraints(include_proxies):
        low = np.full(len(masses), np.nan)
        for i, mv in enumerate(masses):
            m0 = model.replace(**{mass_parameter: float(mv)})

            def excluded(t, m0=m0, c=c) -> bool:
                return evaluate_constraint(c, m0.replace(**{coupling: 10.0**t}))["status"] == STATUS_EXCLUDED

            if not excluded(ts[-1]):
                ex = [t for t in ts[::6] if excluded(t)]
                if not ex:
                    continue
            k = next(j for j, t in enumerate(ts) if excluded(t))
            if k == 0:
                low[i] = 10.0 ** ts[0]
                continue
            a, b = ts[k - 1], ts[k]
            for _ in range(30):  # bisection of the lower edge in log10 g
                mid = 0.5 * (a + b)
                a, b = (a, mid) if excluded(mid) else (mid, b)
            low[i] = 10.0**b
        if np.any(np.isfinite(low)):
            out[c.name] = {"lower": low, "citation": c.citation, "cl": c.cl}
    return out


def plot_sensitivity(path: str | Path | None, curves: Sequence[SensitivityCurve],
                     constraints: dict[str, dict[str, Any]] | None = None, y_as_product: bool = False,
                     points: Sequence[dict] = (), title: str = "", ax=None, y_range: tuple | None = None,
                     styles: Sequence[dict] | None = None):
    """Exclusion / sensitivity curves in the (mass, coupling) plane: log axes, each experiment's excluded region
    shaded between its lower and upper edges (to the top of the plot where still excluded at the bound),
    exotic-decay constraints hatched grey above their edges; reference ``points`` ({"x", "y", "label"}).
    ``y_as_product`` draws the coupling product instead (when it is proportional to the coupling)."""
    plt = _plt()
    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(6.2, 4.6))
    if not curves:
        raise InputError("curves", [], "at least one sensitivity curve")
    ylo = min(c.bounds[0] for c in curves)
    yhi = max(c.bounds[1] for c in curves)

    def yscale(c: SensitivityCurve) -> np.ndarray:
        if y_as_product:
            if c.product_per_coupling is None:
                raise InputError("y_as_product", c.coupling, "a model whose coupling product is proportional "
                                                             "to the coupling")
            return c.product_per_coupling
        return np.ones(len(c.masses))

    top = yhi * (curves[0].product_per_coupling[0] if y_as_product else 1.0)
    bottom = ylo * (curves[0].product_per_coupling[0] if y_as_product else 1.0)
    for k, c in enumerate(curves):
        st = (styles[k] if styles and k < len(styles) else {}) or {}
        color = st.get("color", f"C{k}")
        f = yscale(c)
        lowc = c.lower * f
        upc = np.where(np.isfinite(c.upper), c.upper * f, top)
        ok = np.isfinite(lowc)
        if ok.any():
            ax.fill_between(c.masses, np.where(ok, lowc, np.nan), np.where(ok, upc, np.nan), color=color,
                            alpha=st.get("alpha", 0.25), lw=0, step=None)
            ax.plot(c.masses, np.where(ok, lowc, np.nan), color=color, lw=1.6, ls=st.get("ls", "-"),
                    label=st.get("label", c.label()))
            if np.any(np.isfinite(c.upper)):
                ax.plot(c.masses, np.where(ok & np.isfinite(c.upper), upc, np.nan), color=color, lw=1.0,
                        ls=st.get("ls", "-"))
    if constraints:
        f0 = yscale(curves[0])
        for j, (name, d) in enumerate(constraints.items()):
            low = d["lower"] * f0
            ok = np.isfinite(low)
            ax.fill_between(curves[0].masses, np.where(ok, low, np.nan), np.where(ok, top, np.nan), facecolor="none",
                            edgecolor="0.45", hatch=["////", "\\\\\\\\", "xx", "..", "--"][j % 5], lw=0.0)
            ax.plot(curves[0].masses, low, color="0.35", lw=0.9, ls=":", label=f"{name} ({int(round(100 * d['cl']))}% CL)")
    for p in points:
        ax.plot([p["x"]], [p["y"]], p.get("marker", "*"), color=p.get("color", "k"), ms=p.get("ms", 11),
                label=p.get("label"), ls="none")
    c0 = curves[0]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"{c0.mass_parameter} [MeV]")
    if y_as_product and c0.product:
        ax.set_ylabel(f"{c0.product['name']} [{c0.product['unit']}]" if c0.product["unit"] else c0.product["name"])
    else:
        ax.set_ylabel(f"{c0.coupling} [{c0.unit}]" if c0.unit else c0.coupling)
    ax.set_ylim(*(y_range or (bottom, top)))
    ax.set_xlim(float(min(c.masses.min() for c in curves)), float(max(c.masses.max() for c in curves)))
    ax.legend(fontsize=6.5, loc="lower right")
    if title:
        ax.set_title(title, fontsize=9)
    if own:
        fig.tight_layout()
        if path is not None:
            save_figure(fig, path, dpi=120)
            plt.close(fig)
    return ax


__all__ = ["METHODS", "SensitivityCurve", "constraint_bounds", "expected_upper_limit", "fc_interval",
           "fc_upper_limit", "plot_sensitivity", "poisson_upper_limit", "sensitivity_curve", "upper_limit"]
