"""Predictions of one model point at several experiments, with the reason for every zero.

:func:`predict_experiments` runs the config's model at each requested experiment of the catalog in its
own default beam modes (the catalogue's exposures, off-target runs left out) and returns, per experiment,
the expected signal events per mode with their split by topology/parent/component, the χ² where the
experiment has a packaged dataset, and — for every experiment that yields nothing — the reason: the beam
cannot be run yet (no meson-production model), the detector has no response model, the model's detection
channel gives no event there (the sample's note), or the input does not apply.

At the BNB LArTPCs each mode also carries ``selections``: the signal split into the single-shower selections
(1γ0p, 1γ1p, 1eNp, 1e0p, e⁺e⁻ two-shower) with the expected background of each from
:mod:`darkbeam.detectors.backgrounds` and the significances s/√b and the Asimov Z (with and without the
background's systematic uncertainty); a selection without a known background says why. Elsewhere
``backgrounds`` gives the reason no background is modelled. The detector response's stated assumptions (e.g. an
efficiency taken as 1) are repeated as warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..beams.stopped_yields import STOPPED_SOURCES
from ..beams.target import target_material
from ..detectors.backgrounds import has_backgrounds, selection_rows, selections
from ..detectors.catalog import BEAMS, get_experiment
from ..detectors.response import RESPONSES, get_response
from ..errors import InputError
from ..io.config import RunConfig, experiment_modes, parse_config
from ..pipeline.stopped_sources import beam_source
from .groups import sample_groups
from .predict import Predictor


def experiment_status(name: str) -> tuple[bool, str]:
    """(runnable, reason): can darkbeam simulate signals at experiment ``name`` today?"""
    exp = get_experiment(name)
    beam = BEAMS.get(exp.beam)
    if beam_source(beam) == "stopped":
        # a stopped-pion source: the parents come from darkbeam.beams.stopped (its registry of sources)
        if beam.name not in STOPPED_SOURCES:
            return False, (f"beam {exp.beam!r} declares a stopped-pion source but darkbeam.beams.stopped has none "
                           f"of that name ({', '.join(STOPPED_SOURCES.names())})")
    else:
        try:
            target_material(beam)
        except InputError as exc:
            return False, f"beam {exp.beam!r} has no meson-production model yet ({exc.allowed})"
    if name not in RESPONSES:
        return False, f"no detector response model for {name} yet"
    return True, ""


def default_modes(name: str) -> list[str]:
    """The beam modes an experiment runs by default: its catalogue exposures without the off-target run, or the
    off-target run where it is the only one (:func:`darkbeam.io.config.experiment_modes`)."""
    get_experiment(name)  # unknown names: InputError listing the catalog
    return experiment_modes(name) or []


def _config_at(config: RunConfig, name: str) -> RunConfig:
    data = config.model_dump(mode="python")
    data["experiment"] = {"name": name, "modes": default_modes(name), "pot": {}, "off_target": False}
    return parse_config(data)


def selection_signals(groups: dict[str, dict[str, Any]], w: Any) -> dict[str, float] | str:
    """Signal events per background selection (:func:`darkbeam.detectors.backgrounds.selections`) from the
    masks of :func:`darkbeam.inference.groups.sample_groups` and the event weights ``w`` (events); a string
    (the reason) when the sample has no topology or proton split to assign events with."""
    if "topology" not in groups:
        return "the detector response does not classify single-shower topologies"
    topo, prot = groups["topology"], groups.get("protons")
    out = {}
    for key, d in selections().items():
        m = topo.get(d["topology"])
        if m is None:
            out[key] = 0.0
            continue
        if d["protons"] is not None:
            if prot is None:
                return "the sample records no recoil, so events cannot be split by visible protons"
            m = m & prot[d["protons"]]
        out[key] = float(w[m].sum())
    return out


def _backgrounds(pred: Predictor, name: str, summ: dict[str, Any]) -> None:
    """Add per-mode ``selections`` (signal, background, significances) or the reason there are none."""
    if not has_backgrounds(name):
        summ["backgrounds"] = {"modelled": False, "reason": (
            f"no background model packaged for {name}: darkbeam's background table (data/backgrounds) covers the "
            "single-shower selections of the BNB LArTPCs (microboone, sbnd, icarus); signal counts only")}
        return
    summ["backgrounds"] = {"modelled": True, "significance": (
        "s_over_sqrt_b = s/sqrt(b); z_asimov = sqrt(2((s+b)ln(1+s/b)-s)) (Cowan et al. EPJC 71 1554, Eq. 97); "
        "z_asimov_syst with the background's systematic uncertainty (Cowan 2012 note, Eq. 20)")}
    for mode, row in summ["modes"].items():
        v = pred.view(mode)
        w = v.weights(pred.model, row["pot"])
        sig = selection_signals(sample_groups(v.sample, name), w)
        if isinstance(sig, str):
            row["selections_reason"] = sig
            continue
        row["selections"] = selection_rows(name, sig, row["pot"])


#: the generic note of a sample whose events all fail the detector response (darkbeam.pipeline.signal)
_GENERIC_RESPONSE_NOTE = "no sampled event passes the detector response"


def response_zero_reason(name: str, sample: Any) -> str | None:
    """The specific reason a sample's events all fail the detector response of experiment ``name``: the signal's
    true visible energies (``particles`` p4_vis1 + p4_vis2 of the sample, MeV) against the response's threshold /
    window, from the response's ``explain_zero`` where it has one, else from its ``threshold``. None when the
    sample carries no visible particles to judge from."""
    parts = getattr(sample, "particles", {}) or {}
    if "p4_vis1" not in parts or len(parts["p4_vis1"]) == 0:
        return None
    e = np.asarray(parts["p4_vis1"])[:, 0] + (np.asarray(parts["p4_vis2"])[:, 0] if "p4_vis2" in parts else 0.0)
    resp = get_response(name)
    explain = getattr(resp, "explain_zero", None)
    if explain is not None:
        return str(explain(e))
    thr = float(getattr(resp, "threshold", 0.0))
    e = e[e > 0]
    if len(e) and e.max() <= thr:
        return (f"{name}: the signal's visible energy (sampled {e.min():.3g}-{e.max():.3g} MeV) lies below the "
                f"{thr:.0f} MeV threshold of the detector response")
    return None


def _specific_reasons(pred: Predictor, name: str, summ: dict[str, Any]) -> None:
    """Replace the generic 'no sampled event passes the detector response' reason of zero modes by the specific
    one (:func:`response_zero_reason`), keeping the generic note under ``note``."""
    for mode, row in summ["modes"].items():
        if "reason" in row and row["reason"].startswith(_GENERIC_RESPONSE_NOTE):
            why = response_zero_reason(name, pred.view(mode).sample)
            if why:
                row["reason"] = f"the detector response rejects every sampled event: {why}"


def _not_applicable(config: RunConfig, name: str, exc: InputError) -> str:
    """The reason a model cannot be predicted at experiment ``name`` (an InputError raised while building it),
    said in terms of the source when the error is about a production ingredient the beam lacks."""
    beam = get_experiment(name).beam
    if "meson species" in exc.field:
        return (f"{config.model.name} cannot be predicted at {name}: its production includes {exc.value} decays, but "
                f"the meson-production model of beam {beam!r} has no {exc.value} (it has {exc.allowed}), and a "
                f"production channel is not dropped silently [{exc}]")
    return f"{config.model.name} cannot be predicted at {name} (beam {beam!r}): {exc}"


def _mc_errors(pred: Predictor, summ: dict[str, Any]) -> None:
    """Add each mode's relative MC error √Σw²/Σw of the signal (None for a zero signal)."""
    for mode, row in summ["modes"].items():
        w = np.asarray(pred.view(mode).weights(pred.model, row["pot"]), float)
        t = float(w.sum())
        row["mc_relative_error"] = float(np.sqrt(np.sum(w * w)) / t) if t > 0 else None


def _summary(out: dict[str, Any]) -> dict[str, Any]:
    """Per-experiment summary of a full prediction (``Predictor.predict`` output)."""
    modes = {}
    for mode, r in out["modes"].items():
        row = {"pot": r["pot"], "signal_events": r["signal_events"], "note": r.get("note", "")}
        for k in ("by_channel", "by_topology", "by_parent", "by_component", "by_protons"):
            if k in r:
                row[k] = r[k]
        if not r["signal_events"] > 0:
            row["reason"] = r.get("note") or "the detection channel yields no accepted event at this point"
        modes[mode] = row
    summ: dict[str, Any] = {"experiment": out["experiment"], "status": "predicted", "modes": modes,
                            "signal_events": out["signal_events"], "analysis": out.get("analysis", "dataset"),
                            "warnings": out.get("warnings", [])}
    if "chi2" in out:
        summ.update(chi2=out["chi2"], ndof=out["ndof"], chi2_background_only=out["chi2_background_only"])
    return summ


def predict_experiments(config: RunConfig, experiments: list[str], progress: bool = False,
                        cache: Any = None, full: bool = False) -> dict[str, Any]:
    """Expected signal of ``config``'s model at each of ``experiments`` (see module docstring).

    Returns ``{"model": ..., "experiments": [summary, ...]}``; each summary has ``experiment``, ``status``
    ("predicted", "not runnable" or "not applicable"), ``reason`` when nothing was predicted, ``modes`` with
    ``signal_events`` (events for the catalogue POT of the mode) and their splits, and the χ² where the
    experiment has data. ``full``: also keep each experiment's complete prediction under ``prediction``.
    """
    if not experiments:
        raise InputError("--experiments", "", "a comma-separated list of experiments (see `darkbeam list experiments`)")
    rows = []
    model_info = None
    for name in experiments:
        get_experiment(name)  # unknown names: InputError listing the catalog
        ok, why = experiment_status(name)
        if not ok:
            rows.append({"experiment": name, "status": "not runnable", "reason": why, "signal_events": None})
            continue
        try:
            pred = Predictor(_config_at(config, name), progress=progress, cache=cache)
            out = pred.predict()
        except InputError as exc:
            rows.append({"experiment": name, "status": "not applicable", "reason": _not_applicable(config, name, exc),
                         "signal_events": None})
            continue
        model_info = model_info or out["model"]
        row = _summary(out)
        _specific_reasons(pred, name, row)
        _mc_errors(pred, row)
        _backgrounds(pred, name, row)
        row["warnings"] = row["warnings"] + [f"{name} response: {a}" for a in
                                             getattr(get_response(name), "assumptions", ())]
        if full:
            row["prediction"] = out
        rows.append(row)
    return {"model": model_info or {"name": config.model.name}, "experiments": rows}


def experiments_text(res: dict[str, Any]) -> str:
    """Plain-text table of :func:`predict_experiments` (events for each experiment's catalogue POT)."""
    lines = [f"model {res['model']['name']}: expected signal events (catalogue exposure of each experiment)"]
    for r in res["experiments"]:
        if r["status"] != "predicted":
            lines.append(f"  {r['experiment']:14s} {r['status']}: {r['reason']}")
            continue
        for mode, m in r["modes"].items():
            line = f"  {r['experiment']:14s} {mode:13s} POT {m['pot']:.3g}: {m['signal_events']:.4g} events"
            if "by_topology" in m:
                line += "  [" + ", ".join(f"{k} {v:.3g}" for k, v in m["by_topology"].items()) + "]"
            if "reason" in m:
                line += f"  (zero: {m['reason']})"
            lines.append(line)
            for key, sel in m.get("selections", {}).items():
                if sel["background"] is None:
                    lines.append(f"  {'':14s}   {key:5s} signal {sel['signal']:.4g}, {sel['reason']}")
                else:
                    zs = sel["z_asimov_syst"]
                    lines.append(f"  {'':14s}   {key:5s} signal {sel['signal']:.4g}, background {sel['background']:.4g}"
                                 f": s/sqrt(b) {sel['s_over_sqrt_b']:.3g}, Z_Asimov {sel['z_asimov']:.3g}"
                                 + (f" ({zs:.3g} with the background's syst.)" if zs is not None else ""))
            if "selections_reason" in m:
                lines.append(f"  {'':14s}   no selection split: {m['selections_reason']}")
        bk = r.get("backgrounds", {})
        if bk.get("modelled") is False:
            lines.append(f"  {'':14s} backgrounds: {bk['reason']}")
        if "chi2" in r:
            lines.append(f"  {'':14s} chi2 = {r['chi2']:.2f} / ndof {r['ndof']} (background only: "
                         f"{r['chi2_background_only']:.2f})")
        lines.extend(f"  {'':14s} warning: {w}" for w in r["warnings"])
    return "\n".join(lines)


__all__ = ["default_modes", "experiment_status", "experiments_text", "predict_experiments", "response_zero_reason",
           "selection_signals"]
