"""Numbers of docs/portal_hnl.md, "Detection" (the table of events per detection channel) and "Detector response"
(the totals of ``darkbeam run examples/hnl_microboone.toml``).

At two points of the ``heavy-neutral-lepton`` model (Majorana, only |U_μ4|² ≠ 0):

* the example's, examples/hnl_microboone.toml: m_N = 385 MeV, |U_μ4|² = 1e-8, MicroBooNE on the BNB, neutrino mode,
  200000 mesons per species, 20000 events per channel, seed 12345;
* a DUNE ND point: m_N = 300 MeV, |U_μ4|² = 1e-8, experiment ``dune-nd`` (LBNF), neutrino mode, the same sample sizes
  and seed;

for each of the model's seven detection channels: BR(N → channel) (``decays()["N"]``), the decays inside the detector
at the experiment's exposure at truth level (the channel's part of ``build_signal(..., detector=False)``, its relative
MC error √Σw²/Σw), and the events of ``darkbeam run`` (``Predictor.predict``: the catalogue detector response, the
``by_channel`` of ``darkbeam run --json``), with each closed channel's reason.

Run:  /work/venv/bin/python docs/make_hnl_channels.py     (about 30 s)
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np

from darkbeam.inference.predict import Predictor
from darkbeam.io.config import parse_config
from darkbeam.pipeline.signal import build_signal, detection_channel

ROOT = Path(__file__).resolve().parents[1]
#: the channels added to the model's first four (μπ, eπ, ν e⁺e⁻, ν π⁰)
ADDED = ("nu mu+ mu-", "nu gamma", "e mu nu")
EXAMPLE = ROOT / "examples" / "hnl_microboone.toml"
#: the DUNE ND point of the table (the example's simulation section is used for both points)
DUNE_ND = {"model": {"name": "heavy-neutral-lepton", "m_n": "300 MeV", "u2_e": 0.0, "u2_mu": 1e-8, "u2_tau": 0.0,
                     "nature": "majorana"},
           "experiment": {"name": "dune-nd", "modes": ["neutrino"], "off_target": False}}


def configs(n_mesons: int | None = None, n_events: int | None = None, seed: int | None = None) -> dict[str, dict]:
    """{point name: raw run configuration} of the two points; sample sizes and seed default to the example's."""
    with EXAMPLE.open("rb") as f:
        example = tomllib.load(f)
    sim = dict(example["simulation"])
    sim.update({k: v for k, v in (("n_mesons", n_mesons), ("n_events", n_events), ("seed", seed)) if v is not None})
    example["simulation"] = sim
    dune = copy.deepcopy(DUNE_ND)
    dune["simulation"] = dict(sim)
    return {"example (MicroBooNE, BNB)": example, "DUNE ND": dune}


def point_rows(raw: dict) -> dict:
    """Per channel of one point: label, BR, truth-level decays in the detector at the exposure and their relative MC
    error, ``darkbeam run`` events (catalogue response) and the channel's note; plus the point's totals."""
    cfg = parse_config(raw)
    pred = Predictor(cfg)
    model = pred.model
    out = pred.predict()
    (mode,) = out["modes"]
    res = out["modes"][mode]
    pot = float(res["pot"])
    sim = raw["simulation"]
    truth = build_signal(model, cfg.experiment.name, mode, n_mesons=sim["n_mesons"], n_events=sim["n_events"],
                         seed=sim["seed"], detector=False)
    dec = model.decays()["N"]
    rows = []
    for part in truth.parts:
        ch = detection_channel(model, part.channel)
        w = part.weights(pot=pot)
        rows.append({"channel": ch.visible, "label": ch.label, "br": dec.widths[ch.visible] / dec.total,
                     "truth": float(np.sum(w)), "mc_error": float(np.sqrt(np.sum(w**2)) / np.sum(w)) if np.sum(w) > 0
                     else 0.0, "run": float(res["by_channel"][ch.label]), "note": part.note})
    return {"experiment": cfg.experiment.name, "mode": mode, "pot": pot, "m_n": float(model.values["m_n"]),
            "u2_mu": float(model.values["u2_mu"]), "run_total": float(res["signal_events"]),
            "run_by_topology": {k: float(np.sum(v)) for k, v in res["by_topology"].items()}, "run_mc_error": float(res["mc_relative_error"]),
            "truth_total": float(sum(r["truth"] for r in rows)), "rows": rows,
            "br_invisible": sum(dec.widths[c] for c in model.invisible_channels) / dec.total}


def all_rows(n_mesons: int | None = None, n_events: int | None = None, seed: int | None = None) -> dict[str, dict]:
    """:func:`point_rows` of both points."""
    return {name: point_rows(raw) for name, raw in configs(n_mesons, n_events, seed).items()}


def _fmt(x: float) -> str:
    return "0" if x == 0 else (f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}")


def main() -> None:
    for name, p in all_rows().items():
        print(f"### {name}: {p['experiment']}, {p['mode']} mode, m_N = {p['m_n']:g} MeV, |U_mu4|^2 = {p['u2_mu']:g}, "
              f"Majorana, {p['pot']:.3g} POT")
        print("| channel | BR | decays in the detector (truth) | MC error | `darkbeam run` events | closed because |")
        print("|---|---|---|---|---|---|")
        for r in p["rows"]:
            err = f"{r['mc_error']:.1%}" if r["truth"] > 0 else "-"
            print(f"| {r['channel']} | {r['br']:.3g} | {_fmt(r['truth'])} | {err} | {_fmt(r['run'])} | "
                  f"{r['note'] or '-'} |")
        print(f"| all seven | {sum(r['br'] for r in p['rows']):.3g} | {_fmt(p['truth_total'])} | | {_fmt(p['run_total'])} "
              f"(MC error {p['run_mc_error']:.1%}) | |")
        print(f"BR(N -> nu nu nu, invisible) = {p['br_invisible']:.3g}")
        added = sum(r["run"] for r in p["rows"] if r["channel"] in ADDED)
        print(f"`darkbeam run` events of the added channels ({', '.join(ADDED)}): {_fmt(added)} of "
              f"{_fmt(p['run_total'])} ({added / p['run_total']:.0%})")
        print("`darkbeam run` events by topology: " + ", ".join(f"{k} {_fmt(v)}" for k, v in p["run_by_topology"].items()))
        print()


if __name__ == "__main__":
    main()
