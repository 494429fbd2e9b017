"""Splits of a signal sample (process component, parent, target, protons, topology) and the text of a
signal-only prediction (experiments without packaged data)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..constants import M_P
from ..detectors.response import LArTPCResponse, get_response

#: recoil PDG code → component name (nuclei, PDG ≥ 1e9, are "coherent")
_RECOIL_COMPONENT = {2212: "proton", 2112: "neutron"}
#: a recoil proton is visible above this kinetic energy (MeV): the proton threshold of MicroBooNE's
#: νe low-energy-excess selections (1eNp0π, arXiv:2110.14065, 40 MeV kinetic energy)
PROTON_KE_THRESHOLD = 40.0


def sample_groups(sample, experiment: str) -> dict[str, dict[str, np.ndarray]]:
    """Boolean masks splitting a sample's events: ``component`` (coherent nucleus / proton / neutron
    recoil, from the recorded recoil), ``parent`` (production source label: "pi+ mu", "K+ mu", "pi0",
    "N5->N4", ...), ``target`` (nucleus or nucleon species of the detector medium), ``protons`` ("Np": a
    recoil proton above :data:`PROTON_KE_THRESHOLD` kinetic energy, else "0p") and, for a LArTPC
    response, ``topology`` ("1g", "1e", "2sh"; recomputed from the true visible particles); for a model with
    several detection channels, ``channel`` (:func:`channel_groups`)."""
    n = len(sample.base_weight)
    out: dict[str, dict[str, np.ndarray]] = {}
    pdg = sample.particles.get("pdg_recoil")
    if pdg is not None and len(pdg) == n:
        comp = np.where(np.asarray(pdg) >= 1_000_000_000, "coherent", "other").astype("<U8")
        for code, label in _RECOIL_COMPONENT.items():
            comp[np.asarray(pdg) == code] = label
        out["component"] = {str(k): comp == k for k in np.unique(comp)}
        rec = sample.particles.get("p4_recoil")
        if rec is not None and len(rec) == n:
            vis_p = (np.asarray(pdg) == 2212) & (rec[:, 0] - M_P > PROTON_KE_THRESHOLD)
            out["protons"] = {"0p": ~vis_p, "Np": vis_p}
    channel = (getattr(sample, "columns", {}) or {}).get("channel")
    if channel is not None and len(channel) == n and len(getattr(sample.model, "detection", ())) > 1:
        out["channel"] = channel_groups(sample)
    out["parent"] = {str(k): sample.source == k for k in np.unique(sample.source)}
    out["target"] = {str(k): sample.target == k for k in np.unique(sample.target)}
    resp = get_response(experiment)
    if isinstance(resp, LArTPCResponse) and "p4_vis1" in sample.particles and n > 0:
        topo = resp.classify(sample.particles["p4_vis1"], sample.particles.get("p4_vis2"))
        out["topology"] = {str(t): topo == t for t in np.unique(topo) if t}
    return out


def channel_groups(sample) -> dict[str, np.ndarray]:
    """Masks of the events of each detection channel the model declares (``columns["channel"]``), in the
    model's order; a channel without events (closed: its reason is in the sample's note) gets an empty mask."""
    labels = [ch.label for ch in getattr(sample.model, "detection", ())]
    channel = np.asarray(sample.columns["channel"])
    return {lab: channel == lab for lab in labels}


def _response_summary(resp) -> dict[str, Any]:
    """JSON-ready settings of a detector response (energies MeV, angles rad)."""
    d = {k: v for k, v in vars(resp).items() if not callable(v)}
    if "efficiencies" in d:
        d["efficiencies"] = dict(d["efficiencies"])
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


def signal_only_text(out: dict[str, Any]) -> str:
    """Plain-text summary of a signal-only prediction (see :meth:`Predictor.predict_signal_only`)."""
    cp = out.get("coupling_product")
    lines = [f"model {out['model']['name']} at {out['experiment']} (signal only: no packaged data, no chi2)"]
    if cp:
        lines.append(f"  {cp['name']} = {cp['value']:.4g} {cp['unit']}")
    for mode, r in out["modes"].items():
        lines.append(f"  {mode:13s} POT {r['pot']:.3g}: {r['signal_events']:.4g} signal events"
                     + (f"  [{r['note']}]" if r["note"] else ""))
        for g in ("channel", "component", "parent", "topology", "protons"):
            if f"by_{g}" in r:
                lines.append(f"    by {g:9s}: " + ", ".join(f"{k} {x:.4g}" for k, x in r[f"by_{g}"].items()))
    return "\n".join(lines)


__all__ = ["PROTON_KE_THRESHOLD", "channel_groups", "sample_groups", "signal_only_text"]
