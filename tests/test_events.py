"""Event files (io/events.py): full records (beam proton, parent meson with production and decay points,
dark state, target, final state; times of flight), HepMC3 read back with pyhepmc (momenta, ids, statuses,
weights, four-momentum conservation at the detector vertices, agreement with a per-event pyhepmc writer),
vertex sampling (uniform in the detector sphere), Parquet and HepMC3 read back with read_events (identical
histograms), zero-weight events, unweighting (histograms agree with the weighted ones within statistics),
safe writing (--overwrite, SIGTERM and SIGKILL mid-write), empty samples, bad suffixes, the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from darkbeam.cli import app
from darkbeam.detectors.catalog import get_experiment
from darkbeam.errors import InputError
from darkbeam.io.events import (
    event_record,
    interaction_vertices,
    read_events,
    read_parquet,
    write_events,
    write_hepmc3,
    write_hepmc3_pyhepmc,
    write_parquet,
)
from darkbeam.models import get_model
from darkbeam.models.plugins import load_plugins
from darkbeam.pipeline.geometry import detector_center
from darkbeam.pipeline.signal import _empty, build_signal

pyhepmc = pytest.importorskip("pyhepmc")

SCALAR = {"m_phi": "1 MeV", "g_mu": "5e-3", "g_n": "1e-3", "lam": "4.4e-4 /MeV", "m_zprime": "49 MeV"}
IDM = {"m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": "6e-5", "g_prime": "3.5449",
       "amplitude": "lepton"}
POT = 1.875e21


def _small(sample, n: int = 120):
    """The first n events of a sample (keeps the pyhepmc read-back loops short)."""
    cut = {f: getattr(sample, f)[:n] for f in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            cut[f] = getattr(sample, f)[:n]
    extra = {}
    if hasattr(sample, "chains"):  # dark-neutrino: keep only the reference-weight path
        extra["chains"] = []
    return dataclasses.replace(sample, **cut, **extra, particles={k: v[:n] for k, v in sample.particles.items()},
                               columns={k: v[:n] for k, v in sample.columns.items()}, meta={})


def _tile(sample, n: int, rng):
    """``sample`` repeated to n events with its base weights multiplied by exponential random factors
    (a sample with a spread of weights, for the unweighting test)."""
    k = -(-n // len(sample.E_vis))
    rep = lambda a: np.concatenate([a] * k)[:n]  # noqa: E731
    cut = {f: rep(getattr(sample, f)) for f in ("E_vis", "cos_theta", "E_QE", "source", "target")}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            cut[f] = rep(getattr(sample, f))
    return dataclasses.replace(sample, **cut, base_weight=rep(sample.base_weight) * rng.exponential(size=n),
                               particles={a: rep(v) for a, v in sample.particles.items()},
                               columns={a: rep(v) for a, v in sample.columns.items()}, meta={})


BL_PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugins" / "bl_boson.py"


@pytest.fixture(scope="module")
def samples():
    load_plugins(str(BL_PLUGIN))  # B-L boson: the decay-in-volume process
    kw = {"experiment": "miniboone", "mode": "neutrino", "seed": 7}
    return {
        "scalar": _small(build_signal(get_model("muphilic-scalar", SCALAR), n_mesons=4000, n_events=150, **kw)),
        "idm": _small(build_signal(get_model("vector-idm", IDM), n_mesons=4000, n_events=150, **kw)),
        "dn": _small(build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=60, **kw)),
        "bl": _small(build_signal(get_model("bl-boson", {}), n_mesons=4000, n_events=150, **kw)),
    }


def _attr(a) -> str:
    return a.astype(str) if hasattr(a, "astype") else str(a)


def _read_hepmc(path):
    """Per event: weights, particles (pdg, status, E, px, py, pz, production vertex id, end vertex id),
    vertices (status, in/out four-momentum sums, position), attributes."""
    out = []
    with pyhepmc.open(path) as f:
        for ev in f:
            assert ev.momentum_unit == pyhepmc.Units.MEV and ev.length_unit == pyhepmc.Units.MM
            parts = [(p.pid, p.status, p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz,
                      p.production_vertex.id if p.production_vertex else 0, p.end_vertex.id if p.end_vertex else 0)
                     for p in ev.particles]
            verts = []
            for v in ev.vertices:
                pin = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_in], 0)
                pout = np.sum([[p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz] for p in v.particles_out], 0)
                verts.append((v.status, pin, pout, np.array([v.position.x, v.position.y, v.position.z, v.position.t])))
            out.append({"no": ev.event_number, "w": list(ev.weights), "parts": parts, "verts": verts,
                        "attrs": {k: _attr(ev.attributes[k]) for k in ev.attributes},
                        "meta": json.loads(_attr(ev.run_info.attributes["darkbeam_metadata"]))})
    return out


@@READBACK@@

def test_vertices_uniform_in_detector_sphere():
    """Chord sampling with a uniform impact parameter gives a uniform density in the sphere for any
    direction: P(r < R/2) = 1/8 and <r²> = 3R²/5, checked within 5σ of the sample size."""
    exp = get_experiment("miniboone")
    n = 200_000
    rng = np.random.default_rng(11)
    d = rng.normal(size=(n, 3))
    d[: n // 2] = [0.0, 0.0, 1.0]  # half along the beam, half isotropic
    p4 = np.concatenate([np.full((n, 1), 500.0), 300.0 * d / np.linalg.norm(d, axis=1)[:, None]], axis=1)
    fake = SimpleNamespace(experiment="miniboone", E_vis=np.zeros(n), particles={"p4_in": p4})
    for sphere, radius in (("detector", exp.radius), ("fiducial", exp.fiducial_radius)):
        x = interaction_vertices(fake, np.random.default_rng(5), sphere) - detector_center(exp)
        r2 = np.sum(x**2, axis=1) / radius**2
        assert r2.max() <= 1 + 1e-12
        frac = np.mean(r2 < 0.25)
        assert abs(frac - 1 / 8) < 5 * np.sqrt(1 / 8 * 7 / 8 / n)
        # var(r²/R²) for a uniform ball = 3/7 - 9/25
        assert abs(r2.mean() - 0.6) < 5 * np.sqrt((3 / 7 - 0.36) / n)
        # no preferred side: along the path the mean is the centre
        assert abs(np.mean(x[:, 2]) / radius) < 5 * np.sqrt(0.2 / n)
    with pytest.raises(InputError, match="sphere"):
        interaction_vertices(fake, rng, "cylinder")


@@PARQUET@@

CONFIG = """
[model]
name = "muphilic-scalar"
m_phi = "1 MeV"
m_zprime = "49 MeV"
g_mu = 5e-3
g_n = 1e-3
lam = "4.4e-4 /MeV"

[experiment]
modes = ["neutrino"]
off_target = false

[simulation]
n_mesons = 3000
n_events = 100
seed = 3
"""


@@CLI@@
