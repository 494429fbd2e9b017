"""Fits of a coupling-product normalisation and mass scans (templates in, numbers out).

A signal template T (events per bin, or a mapping of such arrays for joint fits) is computed
once for a unit coupling product; the signal for coupling product c is c^k T (k = ``power``;
e.g. k = 2 when the rate is proportional to the square of the coupling product, as for the
scattering models of seed 000). The chi^2 function is supplied by the caller, e.g.
``lambda s: chi2_eqe(s, "neutrino")`` or ``lambda s: chi2_joint(s)``; it must return a
:class:`~darkbeam.inference.chi2.Chi2Result` (or a float chi^2, then pass ``n_bins``).
The minimisation uses iminuit (MIGRAD + HESSE) on x = c / c_ref, with c_ref from a coarse scan
of the expected number of signal events, so that couplings of any magnitude are handled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from iminuit import Minuit
from scipy import stats
from scipy.optimize import brentq

from ..errors import InputError
from .chi2 import Chi2Result

Template = np.ndarray | Mapping[Any, np.ndarray]
Chi2Function = Callable[[Template], "Chi2Result | float"]


@dataclass(frozen=True)
class FitResult:
    """Best-fit coupling product and goodness of fit.

    Attributes:
        c: best-fit coupling product (units of the template's reference coupling).
        c_error: symmetric (HESSE) uncertainty on c.
        chi2: chi^2 at the best fit; ``chi2_null`` at c = 0 (background only).
        ndof: n_bins - 1 (one fitted parameter); pvalue: chi^2 survival probability.
        n_signal: total predicted signal events at the best fit.
        valid: Minuit's convergence flag.
    """

    c: float
    c_error: float
    chi2: float
    ndof: int
    pvalue: float
    chi2_null: float
    n_signal: float
    valid: bool


def scale_template(template: Template, factor: float) -> Template:
    """factor * template, for an array or a mapping of arrays."""
    if isinstance(template, Mapping):
        return {k: factor * np.asarray(v, float) for k, v in template.items()}
    return factor * np.asarray(template, float)


def _template_total(template: Template) -> float:
    if isinstance(template, Mapping):
        return float(sum(np.sum(np.asarray(v, float)) for v in template.values()))
    return float(np.sum(np.asarray(template, float)))


def _check_template(template: Template) -> None:
    arrays = template.values() if isinstance(template, Mapping) else [template]
    for a in arrays:
        a = np.asarray(a, float)
        if a.ndim != 1 or not np.all(np.isfinite(a)):
            raise InputError("template", "non-finite or non-1-d array", "finite 1-d arrays of events per bin")


def _chi2_value(res: Chi2Result | float) -> float:
    return float(res.chi2) if isinstance(res, Chi2Result) else float(res)


def fit_normalisation(
    chi2_fn: Chi2Function,
    template: Template,
    power: float = 2.0,
    *,
    n_bins: int | None = None,
    c_start: float | None = None,
    events_grid: Sequence[float] | None = None,
) -> FitResult:
    """Best coupling product c >= 0 for signal = c^power * template.

    Args:
        chi2_fn: signal (same structure as ``template``) -> Chi2Result or chi^2.
        template: signal for unit coupling product (events per bin; array or mapping).
        power: k in signal proportional to c^k (> 0).
        n_bins: number of bins (needed only if chi2_fn returns a bare float).
        c_start: optional starting value (else from a coarse scan).
        events_grid: total signal events tried in the coarse scan (default logspace(-1, 4.5)).

    Returns:
        :class:`FitResult` (ndof = n_bins - 1).
    """
    if not power > 0:
        raise InputError("power", power, "a positive exponent k (signal ~ c^k)")
    _check_template(template)
    total = _template_total(template)
    if not total > 0:
        raise InputError("template", f"total {total}", "a template with a positive total number of events")

    def chi2_of_c(c: float) -> float:
        return _chi2_value(chi2_fn(scale_template(template, c**power)))

    null = chi2_fn(scale_template(template, 0.0))
    chi2_null = _chi2_value(null)
    if n_bins is None:
        if not isinstance(null, Chi2Result):
            raise InputError("n_bins", None, "the number of bins when chi2_fn returns a float")
        n_bins = null.n_bins
    if c_start is None:
        grid = np.logspace(-1, 4.5, 45) if events_grid is None else np.asarray(events_grid, float)
        cs = (grid / total) ** (1.0 / power)
        vals = np.array([chi2_of_c(c) for c in cs])
        c_ref = float(cs[int(np.argmin(vals))])
    else:
        c_ref = float(c_start)
        if not c_ref > 0:
            raise InputError("c_start", c_start, "a positive starting coupling product")

    def fcn(x: float) -> float:
        return chi2_of_c(abs(x) * c_ref)

    m = Minuit(fcn, x=1.0)
    m.errordef = Minuit.LEAST_SQUARES
    m.limits["x"] = (0.0, None)
    m.migrad()
    m.hesse()
    x, ex = float(m.values["x"]), float(m.errors["x"])
    c_best = x * c_ref
    chi2_best = chi2_of_c(c_best)
    if chi2_null < chi2_best:  # boundary: background-only is better
        c_best, chi2_best = 0.0, chi2_null
    ndof = max(int(n_bins) - 1, 1)
    return FitResult(
        c=c_best, c_error=ex * c_ref, chi2=chi2_best, ndof=ndof,
        pvalue=float(stats.chi2.sf(chi2_best, ndof)), chi2_null=chi2_null,
        n_signal=c_best**power * total, valid=bool(m.valid),
    )


@dataclass(frozen=True)
class ScanResult:
    """Grid scan over masses (or any parameters) with the normalisation profiled at each point.

    Attributes:
        axes: parameter name -> grid values (1 or more axes).
        c: best-fit coupling product at each grid point, shape = grid shape.
        chi2: minimum chi^2 at each point; ``delta_chi2`` = chi2 - global minimum.
        best: {"point": {name: value}, "c": ..., "chi2": ...} at the global minimum.
        ndof: n_bins - 1 - number of scanned parameters, for the global best fit.
    """

    axes: dict[str, np.ndarray]
    c: np.ndarray
    chi2: np.ndarray
    delta_chi2: np.ndarray
    best: dict = field(default_factory=dict)
    ndof: int = 0


def scan_masses(
    template_fn: Callable[..., Template],
    chi2_fn: Chi2Function,
    axes: Mapping[str, Sequence[float]],
    power: float = 2.0,
    **fit_options,
) -> ScanResult:
    """Profile the coupling normalisation over a grid of masses.

    Args:
        template_fn: called as ``template_fn(**{name: value, ...})`` for each grid point,
            returns the unit-coupling template (array or mapping). A template with no events
            (closed channel) gives c = 0 and the background-only chi^2 at that point.
        chi2_fn: as in :func:`fit_normalisation`.
        axes: name -> grid values (e.g. {"m_V": [...], "m_chi": [...]}).
        power: k in signal ~ c^k.
        fit_options: passed to :func:`fit_normalisation`.
    """
    if not axes:
        raise InputError("axes", "{}", "at least one parameter axis")
    names = list(axes)
    grids = {n: np.asarray(axes[n], float) for n in names}
    shape = tuple(len(grids[n]) for n in names)
    c = np.zeros(shape)
    chi2 = np.zeros(shape)
    n_bins = None
    for idx in np.ndindex(*shape):
        point = {n: float(grids[n][i]) for n, i in zip(names, idx)}
        tpl = template_fn(**point)
        if _template_total(tpl) > 0:
            r = fit_normalisation(chi2_fn, tpl, power, **fit_options)
            c[idx], chi2[idx] = r.c, r.chi2
            n_bins = r.ndof + 1
        else:
            res = chi2_fn(scale_template(tpl, 0.0))
            c[idx], chi2[idx] = 0.0, _chi2_value(res)
            if isinstance(res, Chi2Result):
                n_bins = res.n_bins
    ib = np.unravel_index(int(np.argmin(chi2)), shape)
    point = {n: float(grids[n][i]) for n, i in zip(names, ib)}
    best = {"point": point, "c": float(c[ib]), "chi2": float(chi2[ib])}
    ndof = max((n_bins or 0) - 1 - len(names), 1)
    return ScanResult(grids, c, chi2, chi2 - chi2[ib], best, ndof)




@dataclass
class CouplingFit:
    """Result of :func:`fit_coupling`: best value, its Δχ² = 1 interval (None where it leaves the range),
    the edge ("lower" / "upper") the best point sits at (None inside), and Minuit's validity."""

    value: float
    chi2: float
    interval: tuple[float | None, float | None]
    at_edge: str | None
    valid: bool
    grid: list[tuple[float, float]]


def fit_coupling(chi2_of_log: Callable[[float], float], lo: float, hi: float, n_grid: int = 41,
                 extra_starts: tuple[float, ...] = ()) -> CouplingFit:
    """Global minimum of χ²(g) for g in [lo, hi], for any dependence of the signal on g.

    A long-lived particle's signal rises with its production coupling and then falls as its survival
    does, so χ² need not be monotonic or have one minimum. The search: χ² on ``n_grid`` log-spaced points
    (plus ``extra_starts``), then MIGRAD in t = log10 g restricted to the cells around the best point;
    the 68 % interval is where χ² crosses χ²_min + 1 (root finding between grid points).

    Args:
        chi2_of_log: χ² as a function of t = log10 g. lo, hi: bounds of g (internal units).
    """
    tl, th = math.log10(lo), math.log10(hi)
    ts = np.unique(np.concatenate([np.linspace(tl, th, n_grid),
                                   [math.log10(float(np.clip(s, lo, hi))) for s in extra_starts if s > 0]]))
    vals = np.array([chi2_of_log(float(t)) for t in ts])
    i = int(np.argmin(vals))
    a, b = ts[max(i - 1, 0)], ts[min(i + 1, len(ts) - 1)]
    m = Minuit(chi2_of_log, t=float(ts[i]))
    m.errordef = Minuit.LEAST_SQUARES
    m.limits["t"] = (float(a), float(b)) if b > a else (tl, th)
    m.migrad()
    t_best, c_best = float(m.values["t"]), float(m.fval)
    if vals[i] < c_best:  # MIGRAD may stop on a flat stretch: keep the better grid point
        t_best, c_best = float(ts[i]), float(vals[i])
    cell = (th - tl) / (n_grid - 1)
    edge = "lower" if t_best - tl < 0.5 * cell else ("upper" if th - t_best < 0.5 * cell else None)

    def crossing(direction: int) -> float | None:
        target = c_best + 1.0
        prev_t = t_best
        for t in (ts[ts > t_best] if direction > 0 else ts[ts < t_best][::-1]):
            c = float(chi2_of_log(float(t)))
            if c >= target:
                return 10.0 ** brentq(lambda x: chi2_of_log(x) - target, min(prev_t, t), max(prev_t, t), xtol=1e-4)
            prev_t = float(t)
        return None

    interval = (crossing(-1), crossing(+1))
    return CouplingFit(10.0**t_best, c_best, interval, edge, bool(m.valid),
                       [(float(10.0**t), float(v)) for t, v in zip(ts, vals)])


__all__ = ["CouplingFit", "FitResult", "ScanResult", "fit_coupling", "fit_normalisation", "scale_template",
           "scan_masses"]
