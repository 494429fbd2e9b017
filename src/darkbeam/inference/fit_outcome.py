"""The result of a coupling fit (:meth:`darkbeam.inference.predict.Predictor.fit`), JSON-ready."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..declarations import Model, model_summary


@dataclass
class FitOutcome:
    """Best fit of one coupling (optionally profiled over a mass grid).

    Attributes:
        parameter: name of the fitted coupling; value: best-fit value (internal units).
        model: the best-fit model; masses: masses of the best point (MeV) when a grid was scanned.
        chi2, ndof, pvalue: at the best fit (ndof = bins − fitted parameters); chi2_null: no signal.
        coupling_product: {"name", "value", "unit"} at the best fit.
        signal_events: expected events per mode at the best fit.
        start: starting value from the template normalisation fit; power: k in signal ∝ coupling^k.
        scan: per grid point {"point", "value", "chi2"} (mass scans only).
        uncertainty: (low, high) of the Δχ² = 1 interval of the coupling (None where it leaves the range).
        at_edge: "lower" / "upper" when the best point sits at an edge of the allowed range, else None.
        status: "fit", "background only" (no coupling beats background only) or "no sensitivity" (no
            signal at all; ``value`` is NaN); reason: why, for the latter two.
    """

    parameter: str
    value: float
    model: Model
    chi2: float
    ndof: int
    pvalue: float
    chi2_null: float
    coupling_product: dict | None
    signal_events: dict[str, float]
    start: float
    power: float
    valid: bool
    masses: dict[str, float] = field(default_factory=dict)
    scan: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    uncertainty: tuple[float | None, float | None] | None = None
    at_edge: str | None = None
    status: str = "fit"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (``best_fit``, ``chi2``, ``ndof``, ``chi2_per_dof``, ``pvalue``, ...)."""
        unit = {p.name: p.unit for p in self.model.params}
        value = None if not math.isfinite(self.value) else self.value
        best = {self.parameter: value, "unit": unit.get(self.parameter, ""), **self.masses}
        if self.uncertainty is not None:
            best["interval_68"] = list(self.uncertainty)
        best["at_edge"] = self.at_edge
        if self.coupling_product is not None:
            best["coupling_product"] = self.coupling_product
        best["signal_events"] = self.signal_events
        out = {"model": model_summary(self.model), "best_fit": best, "chi2": self.chi2, "ndof": self.ndof,
               "chi2_per_dof": self.chi2 / self.ndof if self.ndof > 0 else float("nan"), "pvalue": self.pvalue,
               "chi2_background_only": self.chi2_null, "delta_chi2": self.chi2_null - self.chi2,
               "start_from_template": self.start, "signal_power": self.power, "valid": self.valid,
               "status": self.status, "reason": self.reason, "notes": self.notes}
        if self.scan:
            out["scan"] = self.scan
        return out


__all__ = ["FitOutcome"]
