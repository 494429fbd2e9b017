"""NuHepMC 1.0.0 compliance of darkbeam's HepMC3 files (io/nuhepmc.py, io/events.py).

Each requirement is asserted twice: by :func:`darkbeam.io.nuhepmc.check_file` (which must return no
violation for darkbeam's files, and must report the rule of a deliberately broken file) and directly here
on what pyhepmc reads (run-info attributes G.R.2-11, G.C.1/G.C.2 values, event attributes E.R.2-7,
vertex and particle status codes V.R.1/P.R.1). Samples: dark Primakoff (scalar), inelastic DM, dark
neutrino (BP-A) and the B-L boson plugin (decay in volume), small and with fixed seeds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from darkbeam.detectors.catalog import get_experiment
from darkbeam.io import nuhepmc
from darkbeam.io.events import write_hepmc3, write_hepmc3_pyhepmc
from darkbeam.models import get_model
from darkbeam.models.plugins import load_plugins
from darkbeam.particles import NEW_PARTICLE_NAMES
from darkbeam.pipeline.signal import build_signal

pyhepmc = pytest.importorskip("pyhepmc")

SCALAR = {"m_phi": "1 MeV", "g_mu": "5e-3", "g_n": "1e-3", "lam": "4.4e-4 /MeV", "m_zprime": "49 MeV"}
IDM = {"m_v1": "17 MeV", "m_chi": "8 MeV", "m_chi_prime": "40 MeV", "eps1": "6e-5", "g_prime": "3.5449",
       "amplitude": "lepton"}
POT = 1.875e21
BL_PLUGIN = Path(__file__).resolve().parents[1] / "examples" / "plugins" / "bl_boson.py"


def _first(sample, n: int = 80):
    cut = {f: getattr(sample, f)[:n] for f in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")}
    for f in ("path", "p_lab"):
        if getattr(sample, f) is not None:
            cut[f] = getattr(sample, f)[:n]
    extra = {"chains": []} if hasattr(sample, "chains") else {}
    return dataclasses.replace(sample, **cut, **extra, particles={k: v[:n] for k, v in sample.particles.items()},
                               columns={k: v[:n] for k, v in sample.columns.items()}, meta={})


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    load_plugins(str(BL_PLUGIN))
    d = tmp_path_factory.mktemp("nuhepmc")
    kw = {"experiment": "miniboone", "mode": "neutrino", "seed": 11}
    samples = {
        "scalar": build_signal(get_model("muphilic-scalar", SCALAR), n_mesons=3000, n_events=100, **kw),
        "idm": build_signal(get_model("vector-idm", IDM), n_mesons=3000, n_events=100, **kw),
        "dn": build_signal(get_model("dark-neutrino", {"preset": "BP-A"}), n_events=40, **kw),
        "bl": build_signal(get_model("bl-boson", {}), n_mesons=3000, n_events=100, **kw),
    }
    out = {}
    for name, s in samples.items():
        s = _first(s)
        out[name] = (s, write_hepmc3(s, d / f"{name}.hepmc3", pot=POT, rng=np.random.default_rng(1)))
    out["scalar-pyhepmc"] = (out["scalar"][0], write_hepmc3_pyhepmc(out["scalar"][0], d / "scalar-ref.hepmc3",
                                                                     pot=POT, rng=np.random.default_rng(1)))
    return out


def _text(a) -> str:
    return a.astype(str) if hasattr(a, "astype") else str(a)


def _events(path):
    with pyhepmc.open(str(path)) as f:
        return list(f)


@pytest.mark.parametrize("name", ["scalar", "idm", "dn", "bl", "scalar-pyhepmc"])
def test_checker_finds_no_violation(files, name):
    assert nuhepmc.check_file(files[name][1]) == []


@pytest.mark.parametrize("name", ["scalar", "idm", "dn", "bl"])
def test_run_info_requirements(files, name):
    """G.R.1-11 and the signalled conventions G.C.1 (POT), G.C.2 (flux-averaged total cross section)."""
    s, path = files[name]
    events = _events(path)
    assert events
    ri = events[0].run_info
    a = {k: _text(v) for k, v in ri.attributes.items()}
    # G.R.2 version, G.R.3 tool, G.R.4 conventions, G.R.7 CV weight
    assert (a["NuHepMC.Version.Major"], a["NuHepMC.Version.Minor"], a["NuHepMC.Version.Patch"]) == ("1", "0", "0")
    assert ri.tools[0].name == "darkbeam" and ri.tools[0].version
    conv = a["NuHepMC.Conventions"].split()
    assert {"G.C.1", "G.C.2", "E.C.1", "E.C.5"} <= set(conv)
    assert ("E.S.1" in conv) == (name != "dn")  # parent history in the event (beam simulation)
    assert list(ri.weight_names) == ["CV", "expected_events"]
    # G.C.1 exposure; G.R.5 / G.C.2 and G.R.6: Σ CV = FATX × Φ (× N_atoms for scattering)
    assert float(a["NuHepMC.Exposure.POT"]) == POT
    fatx = float(a["NuHepMC.FluxAveragedTotalCrossSection"])
    total_cv = sum(ev.weights[0] for ev in events)
    flux = float(a["darkbeam.Flux.Integrated"])
    assert flux == s.columns["flux_total"][0] > 0
    if name == "bl":  # decay in volume: an effective area per detector, cm²
        assert a["NuHepMC.Units.CrossSection.Unit"] == "cm2"
        assert a["NuHepMC.Units.CrossSection.TargetScale"] == "PerDetector"
        assert fatx * flux == pytest.approx(total_cv, rel=1e-12)
    else:
        assert a["NuHepMC.Units.CrossSection.Unit"] == "pb"
        assert a["NuHepMC.Units.CrossSection.TargetScale"] == "PerAtom"
        n_atoms = sum(get_experiment("miniboone").targets().values())
        assert float(a["darkbeam.Targets.Atoms"]) == pytest.approx(n_atoms, rel=1e-15)
        assert fatx * 1e-36 * flux * n_atoms == pytest.approx(total_cv, rel=1e-12)
    # G.R.8 processes, G.R.9 vertex statuses, G.R.10 particle statuses, G.R.11 particle numbers
    procs = [int(x) for x in a["NuHepMC.ProcessIDs"].split()]
    vstat = [int(x) for x in a["NuHepMC.VertexStatusIDs"].split()]
    pstat = [int(x) for x in a["NuHepMC.ParticleStatusIDs"].split()]
    extra = [int(x) for x in a["NuHepMC.AdditionalParticleNumbers"].split()]
    for ids, key in ((procs, "ProcessInfo"), (vstat, "VertexStatusInfo"), (pstat, "ParticleStatusInfo")):
        for i in ids:
            assert a[f"NuHepMC.{key}[{i}].Name"] and a[f"NuHepMC.{key}[{i}].Description"]
    assert set(extra) == set(NEW_PARTICLE_NAMES)
    names = [a[f"NuHepMC.AdditionalParticleNumber[{p}].Name"] for p in extra]
    assert all(names) and len(set(names)) == len(names)
    used_v = {v.status for ev in events for v in ev.vertices}
    used_p = {p.status for ev in events for p in ev.particles}
    assert used_v - {1, 2} <= set(vstat) and used_p - {1, 2, 3, 4, 20} <= set(pstat)
    used_pdg = {p.pid for ev in events for p in ev.particles}
    non_pdg = {p for p in used_pdg if not nuhepmc._is_standard_pdg(p)}
    assert non_pdg and non_pdg <= set(extra)
    assert {int(_text(ev.attributes["signal_process_id"])) for ev in events} <= set(procs)
    assert a["NuHepMC.Provenance.darkbeam.version"]


@pytest.mark.parametrize("name", ["scalar", "idm", "dn", "bl"])
def test_event_requirements(files, name):
    """E.R.2-7, V.R.1, P.R.1: numbers, process id, units, lab_pos (primary vertex; time in s), one primary
    vertex, one beam particle (4) and one target (20), incoming 4/20 and outgoing 1, no reserved codes."""
    _, path = files[name]
    events = _events(path)
    numbers = [ev.event_number for ev in events]
    assert min(numbers) >= 0 and len(set(numbers)) == len(numbers)
    for ev in events:
        assert ev.momentum_unit == pyhepmc.Units.MEV and ev.length_unit == pyhepmc.Units.MM
        int(_text(ev.attributes["signal_process_id"]))
        lab = [float(x) for x in _text(ev.attributes["lab_pos"]).split()]
        prim = [v for v in ev.vertices if v.status == 1]
        assert len(prim) == 1 and all(v.status not in (0, *range(3, 21)) for v in ev.vertices)
        pos = prim[0].position
        assert lab[:3] == [pos.x, pos.y, pos.z] and lab[3] == pytest.approx(pos.t / 299_792_458e3, rel=1e-12)
        status = [p.status for p in ev.particles]
        assert status.count(4) == 1 and status.count(20) == 1
        assert all(s not in (0, *range(5, 20)) for s in status)
        for p in ev.particles:
            if p.production_vertex is None or p.production_vertex.id == 0:
                assert p.status in (4, 20)
            elif p.end_vertex is None:
                assert p.status == 1
        beam = next(p for p in ev.particles if p.status == 4)
        assert beam.pid == (14 if name == "dn" else 2212)
        target = next(p for p in ev.particles if p.status == 20)
        assert target.momentum.px == target.momentum.py == target.momentum.pz == 0  # at rest
        if name == "bl":  # decay in volume: the proton's beryllium target nucleus
            assert target.pid == 1000040090 and target.end_vertex.status == 31


def _mutate(path: Path, tmp: Path, fn) -> Path:
    lines = path.read_text().splitlines(keepends=True)
    out = tmp / f"broken-{len(list(tmp.iterdir()))}.hepmc3"
    out.write_text("".join(fn(lines)))
    return out


def _replace_first(prefix: str, new: str | None):
    def fn(lines):
        i = next(k for k, line in enumerate(lines) if line.startswith(prefix))
        return lines[:i] + ([] if new is None else [new]) + lines[i + 1:]
    return fn


def test_checker_reports_each_broken_requirement(files, tmp_path):
    path = files["scalar"][1]
    text = path.read_text()
    first_event, second_event = (text.split("\nE ")[k].split()[0] for k in (1, 2))
    cases = {
        "G.R.2": _replace_first("A NuHepMC.Version.Major", None),
        "G.R.4": _replace_first("A NuHepMC.Conventions", None),
        "G.R.6": _replace_first("A NuHepMC.Units.CrossSection.Unit", None),
        "G.R.7": _replace_first("W CV", "W central\\|expected_events\n"),
        "G.R.8": _replace_first("A NuHepMC.ProcessInfo[750].Name", None),
        "G.R.11": _replace_first("A NuHepMC.AdditionalParticleNumbers", "A NuHepMC.AdditionalParticleNumbers 5910\n"),
        "E.R.2": lambda ls: [line.replace(f"E {second_event} ", f"E {first_event} ", 1)
                             if line.startswith("E ") else line for line in ls],
        "E.R.3": _replace_first("A 0 signal_process_id", "A 0 signal_process_id 12345\n"),
        "E.R.5": _replace_first("A 0 lab_pos", None),
        "V.R.1": lambda ls: [line.replace(" 31 [", " 7 [", 1) for line in ls],
        "E.R.6": lambda ls: [line.replace(" 32 [", " 1 [", 1) for line in ls],
        "E.R.7": lambda ls: [line[:-3] + "21\n" if line.startswith("P ") and line.endswith(" 20\n") else line
                             for line in ls],
        "P.R.1": lambda ls: [line[:-3] + "11\n" if line.startswith("P ") and line.endswith(" 20\n") else line
                             for line in ls],
        "G.R.10": lambda ls: [line[:-3] + "23\n" if line.startswith("P ") and line.endswith(" 22\n") else line
                              for line in ls],
    }
    for rule, fn in cases.items():
        found = nuhepmc.check_file(_mutate(path, tmp_path, fn))
        assert any(v.startswith(rule) for v in found), (rule, found)
