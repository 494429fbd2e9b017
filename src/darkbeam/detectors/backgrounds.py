"""Expected Standard-Model backgrounds of the single-shower selections at the BNB LArTPCs, and significances.

The numbers are data (``darkbeam/data/backgrounds/lartpc_single_shower.json``, each with its publication):
MicroBooNE's published background predictions of the 1γ0p and 1γ1p selections (PRL 128, 111801 (2022),
arXiv:2110.00409) and of the 1e1p selection (arXiv:2110.14080, PRL 128, 241801 (2022)). SBND and ICARUS have no
published background for these selections: they scale MicroBooNE's per POT by mass × (1/L²) (the file's
``conventions.scaling`` states the approximation). Selections without a number (1e0p0π, e⁺e⁻ two-shower) carry
their reason, never a silent zero.

A darkbeam signal falls in a selection by its LArTPC topology (``1g``/``1e``/``2sh``, see
:class:`darkbeam.detectors.response.LArTPCResponse`) and its visible protons (``0p``/``Np``).

Significances (:func:`significance`): ``s/√b``; the Asimov discovery significance
Z_A = √(2[(s+b) ln(1+s/b) − s]) (Cowan, Cranmer, Gross, Vitells, EPJC 71, 1554 (2011), Eq. 97); and Z_A with
the background's systematic uncertainty σ_b (G. Cowan, "Discovery sensitivity for a counting experiment with
background uncertainty", 2012, www.pp.rhul.ac.uk/~cowan/stat/medsig/medsigNote.pdf, Eq. 20).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..data import data_path
from ..errors import InputError
from .catalog import get_experiment

DATA_FILE = ("backgrounds", "lartpc_single_shower.json")


@dataclass(frozen=True)
class Background:
    """Expected background of one selection at one experiment.

    Attributes:
        selection: key ("1g0p", "1g1p", "1eNp", "1e0p", "2sh").
        experiment: catalog name.
        per_pot: expected events per proton on target (None: not known, see ``reason``).
        uncertainty_per_pot: systematic uncertainty per POT (same scaling), or None.
        reference: publication of the number (and the scaling applied, if any).
        reason: why no number is known ("" when ``per_pot`` is set).
        scale: factor applied to the reference experiment's per-POT number (1 where measured).
    """

    selection: str
    experiment: str
    per_pot: float | None
    uncertainty_per_pot: float | None
    reference: str
    reason: str = ""
    scale: float = 1.0

    def events(self, pot: float) -> float | None:
        """Expected background events for ``pot`` protons on target (None if unknown)."""
        return None if self.per_pot is None else self.per_pot * pot


@lru_cache(maxsize=1)
def background_data() -> dict[str, Any]:
    """The packaged background table (see module docstring)."""
    with data_path(*DATA_FILE).open("r", encoding="utf-8") as f:
        return json.load(f)


def selections() -> dict[str, dict[str, Any]]:
    """Selection key → its entry in the data file (topology, protons, events, pot, reference or reason)."""
    return background_data()["selections"]


def has_backgrounds(experiment: str) -> bool:
    """True if the packaged table covers ``experiment`` (the BNB LArTPCs)."""
    return experiment in background_data()["experiments"]


def scale_factor(experiment: str, reference: str) -> float:
    """Per-POT background scale from ``reference`` to ``experiment``: (M/M_ref) × (L_ref/L)² (catalog values)."""
    e, r = get_experiment(experiment), get_experiment(reference)
    return (e.fiducial_mass / r.fiducial_mass) * (r.distance / e.distance) ** 2


def background(experiment: str, selection: str) -> Background:
    """Expected background of ``selection`` at ``experiment`` (see :class:`Background`).

    Raises InputError for an unknown selection; an experiment outside the table gives ``per_pot`` None with
    the reason."""
    sel = selections()
    if selection not in sel:
        raise InputError("background selection", selection, list(sel))
    d = sel[selection]
    if not has_backgrounds(experiment):
        return Background(selection, experiment, None, None, "",
                          f"no background model packaged for {experiment} (darkbeam's table covers the BNB LArTPCs: "
                          f"{', '.join(background_data()['experiments'])})")
    if d["events"] is None:
        return Background(selection, experiment, None, None, "", d["reason"])
    ref = d["measured_at"]
    k = 1.0 if experiment == ref else scale_factor(experiment, ref)
    per_pot = d["events"] / d["pot"] * k
    unc = None if d.get("uncertainty") is None else d["uncertainty"] / d["pot"] * k
    text = d["reference"] if k == 1.0 else (
        f"{d['reference']}; scaled from {ref} to {experiment} by mass x 1/L^2 = {k:.4g} (approximate, see "
        "the data file's conventions.scaling)")
    return Background(selection, experiment, per_pot, unc, text, "", k)


def significance(s: float, b: float, sigma_b: float | None = None) -> dict[str, float | None]:
    """Significances of ``s`` signal events over ``b`` background events (``sigma_b``: its absolute uncertainty).

    Returns ``s_over_sqrt_b``, ``z_asimov`` (Poisson, Cowan et al. EPJC 71, 1554 (2011), Eq. 97) and
    ``z_asimov_syst`` (with σ_b; Cowan 2012 note, Eq. 20; None without ``sigma_b``). b must be > 0."""
    if not (b > 0 and math.isfinite(b)):
        raise InputError("background events", b, "a finite number > 0")
    if not (s >= 0 and math.isfinite(s)):
        raise InputError("signal events", s, "a finite number >= 0")
    z = math.sqrt(max(2.0 * ((s + b) * math.log1p(s / b) - s), 0.0))
    out: dict[str, float | None] = {"s_over_sqrt_b": s / math.sqrt(b), "z_asimov": z, "z_asimov_syst": None}
    if sigma_b is not None and sigma_b > 0 and s > 0:  # s = 0: Z = 0 exactly (the formula's logs cancel)
        v = sigma_b * sigma_b
        t1 = (s + b) * math.log((s + b) * (b + v) / (b * b + (s + b) * v))
        t2 = b * b / v * math.log1p(v * s / (b * (b + v)))
        out["z_asimov_syst"] = math.sqrt(max(2.0 * (t1 - t2), 0.0))
    elif sigma_b is not None:  # no systematic uncertainty, or s = 0
        out["z_asimov_syst"] = z
    return out


def selection_rows(experiment: str, signal: dict[str, float], pot: float) -> dict[str, dict[str, Any]]:
    """Per selection: ``signal`` (events), ``background`` (events or None), its ``background_uncertainty``, the
    significances (:func:`significance`) and the ``reference``, or the ``reason`` why no background is known.

    ``signal``: selection key → expected signal events at ``pot`` (selections absent from it count 0)."""
    rows: dict[str, dict[str, Any]] = {}
    for key, d in selections().items():
        bg = background(experiment, key)
        s = float(signal.get(key, 0.0))
        row: dict[str, Any] = {"label": d["label"], "signal": s, "background": bg.events(pot)}
        if bg.per_pot is None:
            row["reason"] = f"no background known: {bg.reason}"
        else:
            sb = None if bg.uncertainty_per_pot is None else bg.uncertainty_per_pot * pot
            row.update(background_uncertainty=sb, **significance(s, bg.per_pot * pot, sb), reference=bg.reference)
        rows[key] = row
    return rows


__all__ = ["DATA_FILE", "Background", "background", "background_data", "has_backgrounds", "scale_factor",
           "selection_rows", "selections", "significance"]
