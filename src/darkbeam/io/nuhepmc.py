"""NuHepMC v1.0.0 metadata of darkbeam event files, and a checker of its requirements.

NuHepMC (Gardiner, Isaacson, Pickering, arXiv:2310.13211; the living specification is
https://github.com/NuHepMC/Spec, version 1.0.0) adds requirements (G.R.*, E.R.*, V.R.*, P.R.*),
conventions and suggestions to HepMC3 for neutrino-generator output. This module holds darkbeam's
choices (process ids, status codes, run-info attributes) and :func:`check_file`, which reads a HepMC3
file with pyhepmc and lists every violated requirement (an empty list: the file complies).

Status codes (P.R.1, V.R.1; NuHepMC 1.0.0, where the target particle is 20 — it was 11 in the v0.9
drafts of 2023):

* particles: 1 final state, 2 decayed (parent meson, a dark state decaying in the detector, the HNL),
  4 incoming beam particle (the proton; the ν_μ for the dark-neutrino process), 20 target, and the
  darkbeam-specific 22: a dark state that flies from its production point to the primary vertex and
  scatters there (an internal line, neither decayed nor final).
* vertices: 1 primary (the detection process in the detector), and darkbeam-specific 31 (beam proton
  → parent meson in the target), 32 (parent-meson decay making the dark state), 33 (displaced decay of
  a dark state made at the primary vertex, e.g. an HNL).
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Any

import numpy as np

#: NuHepMC version implemented (G.R.2)
NUHEPMC_VERSION = (1, 0, 0)

# --- status codes -------------------------------------------------------------------------------------
P_FINAL, P_DECAYED, P_BEAM, P_TARGET, P_DARK_INTERACTING = 1, 2, 4, 20, 22
V_PRIMARY, V_BEAM_TARGET, V_PARENT_DECAY, V_DARK_DECAY = 1, 31, 32, 33

#: particle status -> (name, description) (G.R.10; the standard codes too, G.S.2)
PARTICLE_STATUS = MappingProxyType({
    P_FINAL: ("UndecayedPhysical", "Physical final-state particle (visible, invisible dark states included)"),
    P_DECAYED: ("DecayedPhysical", ("Particle decayed by darkbeam (parent meson, a dark state decaying "
                                   "inside the detector, an HNL)")),
    P_BEAM: ("IncomingBeamParticle", ("Incoming beam particle: the beam proton (for the dark-neutrino process, "
                                     "whose flux has no parent history, the muon neutrino)")),
    P_TARGET: ("TargetParticle", ("Target particle at rest: the detector nucleus or free nucleon hit at the "
                                 "primary vertex, or, when nothing is hit in the detector (decay in volume), "
                                 "the nucleus of the proton target")),
    P_DARK_INTERACTING: ("InteractingDarkState", ("Dark state made in a parent-meson decay that flies to the "
                                                 "detector and scatters at the primary vertex (internal line)")),
})
#: vertex status -> (name, description) (G.R.9; the primary vertex too, G.S.2)
VERTEX_STATUS = MappingProxyType({
    V_PRIMARY: ("PrimaryVertex", ("The detection process in the detector: the dark state's (or neutrino's) "
                                 "scattering, or the decay of a long-lived dark state inside the detector volume")),
    V_BEAM_TARGET: ("BeamTargetInteraction", ("Beam proton interacting in the target (or the absorber in "
                                             "off-target running) at the parent meson's production point, "
                                             "c t = 0; the other products of this interaction are not simulated")),
    V_PARENT_DECAY: ("ParentMesonDecay", ("Decay of the parent meson (in flight, or prompt for pi0/eta) "
                                         "producing the dark state; the other decay products are not written")),
    V_DARK_DECAY: ("DarkStateDecay", ("Displaced decay, inside the detector, of a dark state made at the "
                                     "primary vertex (HNL N_j -> (N_k | nu) e+ e-)")),
})

#: darkbeam process ids (G.R.8, E.R.3, E.C.1: 700+ "other", neutral-current-like block X50-X99):
#: (detection process, "coherent" | "nucleon" | None) -> (id, name, description)
PROCESSES = MappingProxyType({
    ("dark-primakoff", "coherent"): (750, "DarkPrimakoffCoherent",
                                     "phi/a A -> gamma A through Z', coherent on the nucleus (seed 000 model ii)"),
    ("dark-primakoff", "nucleon"): (751, "DarkPrimakoffNucleon",
                                    "phi/a N -> gamma N through Z', on a nucleon (incoherent)"),
    ("idm-upscattering", "coherent"): (752, "InelasticDMCoherent",
                                       "chi A -> chi' A, chi' -> chi e+ e- (prompt), coherent (seed 000 model i)"),
    ("idm-upscattering", "nucleon"): (753, "InelasticDMNucleon",
                                      "chi N -> chi' N, chi' -> chi e+ e- (prompt), on a nucleon"),
    ("dark-neutrino-upscattering", "coherent"): (754, "DarkNeutrinoCoherent",
                                                 "nu A -> N_j A via Z', coherent on the nucleus (seed 001)"),
    ("dark-neutrino-upscattering", "nucleon"): (755, "DarkNeutrinoProtonElastic",
                                                "nu p -> N_j p via Z', elastic on a proton (seed 001)"),
    ("inverse-primakoff", None): (756, "InversePrimakoff",
                                  "a A -> gamma A: ALP conversion on the screened field of a detector atom (coherent)"),
    ("decay-in-volume", None): (760, "DecayInVolume",
                                "long-lived dark state X -> visible pair decaying inside the detector volume"),
})
#: id of events of a detection process darkbeam has no id for (a plugin's process)
OTHER_PROCESS = (799, "OtherDarkProcess", "a darkbeam detection process without a dedicated id (plugin)")
#: citations of the processes (G.C.3), arXiv eprints
CITATIONS = MappingProxyType({
    "Generator": ("2110.11944", "2007.11813"),
    750: ("2110.11944",), 751: ("2110.11944",), 752: ("2110.11944",), 753: ("2110.11944",),
    754: ("2007.11813",), 755: ("2007.11813",), 756: ("1912.05733",),
})


def process_ids(process: str, recoil_pdg) -> Any:
    """Per-event process id: coherent (recoil a nucleus, PDG >= 1e9) or on a nucleon; decay in volume;
    :data:`OTHER_PROCESS` for a process without an id. ``recoil_pdg``: numpy array (0 where absent)."""
    recoil_pdg = np.asarray(recoil_pdg)
    if (process, None) in PROCESSES:
        return np.full(len(recoil_pdg), PROCESSES[(process, None)][0], np.int64)
    if (process, "coherent") not in PROCESSES:
        return np.full(len(recoil_pdg), OTHER_PROCESS[0], np.int64)
    return np.where(np.abs(recoil_pdg) >= 1_000_000_000, PROCESSES[(process, "coherent")][0],
                    PROCESSES[(process, "nucleon")][0]).astype(np.int64)


def _fmt(v: Any) -> str:
    """HepMC3 attribute text of a value: ints, doubles (shortest round trip), strings, vectors (space separated)."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list | tuple):
        return " ".join(_fmt(x) for x in v)
    return " ".join(str(v).split())  # one line


def run_info_attributes(*, process: str, pot: float, fatx: float, fatx_unit: str, fatx_scale: str,
                        conventions: list[str], particle_numbers: dict[int, tuple[str, str]],
                        particle_status: list[int], vertex_status: list[int],
                        beam: dict[str, Any] | None = None, provenance: dict[str, Any] | None = None,
                        extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """NuHepMC run-info attributes (name -> value; ints, floats, strings or lists of them) for a file of
    one detection ``process``: version (G.R.2), conventions (G.R.4), flux-averaged total cross-section
    (G.R.5 via G.C.2) and its units (G.R.6), process metadata (G.R.8), vertex and particle status
    metadata (G.R.9, G.R.10, with the standard codes used, G.S.2), non-PDG particle numbers (G.R.11,
    descriptions G.C.5), exposure in POT (G.C.1), citations (G.C.3), the beam (G.C.4), provenance (G.S.1)."""
    a: dict[str, Any] = {
        "NuHepMC.Version.Major": NUHEPMC_VERSION[0], "NuHepMC.Version.Minor": NUHEPMC_VERSION[1],
        "NuHepMC.Version.Patch": NUHEPMC_VERSION[2],
        "NuHepMC.Conventions": list(conventions),
        "NuHepMC.Exposure.POT": float(pot),
        "NuHepMC.FluxAveragedTotalCrossSection": float(fatx),
        "NuHepMC.Units.CrossSection.Unit": fatx_unit,
        "NuHepMC.Units.CrossSection.TargetScale": fatx_scale,
    }
    # several detection channels: ``process`` joins their processes with "+" (pipeline.signal.combine_samples)
    procs = list(dict.fromkeys(v for sub in process.split("+")
                               for v in ([v for (p, _), v in PROCESSES.items() if p == sub] or [OTHER_PROCESS])))
    a["NuHepMC.ProcessIDs"] = [pid for pid, _, _ in procs]
    for pid, name, desc in procs:
        a[f"NuHepMC.ProcessInfo[{pid}].Name"] = name
        a[f"NuHepMC.ProcessInfo[{pid}].Description"] = desc
    a["NuHepMC.VertexStatusIDs"] = sorted(vertex_status)
    for s in sorted(vertex_status):
        a[f"NuHepMC.VertexStatusInfo[{s}].Name"], a[f"NuHepMC.VertexStatusInfo[{s}].Description"] = VERTEX_STATUS[s]
    a["NuHepMC.ParticleStatusIDs"] = sorted(particle_status)
    for s in sorted(particle_status):
        a[f"NuHepMC.ParticleStatusInfo[{s}].Name"], a[f"NuHepMC.ParticleStatusInfo[{s}].Description"] = \
            PARTICLE_STATUS[s]
    a["NuHepMC.AdditionalParticleNumbers"] = sorted(particle_numbers)
    for pdg in sorted(particle_numbers):
        name, desc = particle_numbers[pdg]
        a[f"NuHepMC.AdditionalParticleNumber[{pdg}].Name"] = name
        a[f"NuHepMC.AdditionalParticleInfo[{pdg}].Description"] = desc
    if "G.C.3" in conventions:
        a["NuHepMC.Citations.Generator.arXiv"] = list(CITATIONS["Generator"])
        for pid in a["NuHepMC.ProcessIDs"]:
            if pid in CITATIONS:
                a[f"NuHepMC.Citations.Process[{pid}].arXiv"] = list(CITATIONS[pid])
    if beam:
        pdg = beam["pdg"]
        a["NuHepMC.Beam.EnergyUnit"] = "MEV"
        a[f"NuHepMC.Beam[{pdg}].Type"] = "MonoEnergetic"
        a[f"NuHepMC.Beam[{pdg}].MonoEnergetic.Energy"] = float(beam["energy"])
    for k, v in (provenance or {}).items():
        a[f"NuHepMC.Provenance.darkbeam.{k}"] = v
    a.update(extra or {})
    return {k: a[k] for k in sorted(a)}


def header_lines(attributes: dict[str, Any]) -> list[str]:
    """``A name value`` lines of the HepMC3 run-info header."""
    return [f"A {k} {_fmt(v)}" for k, v in attributes.items()]


# ------------------------------------------------------------------------------------------------------
# checker
# ------------------------------------------------------------------------------------------------------

#: G.R.4 conventions needing no further attribute checks here, and those checked below
_KNOWN_CONVENTIONS = {"G.C.1", "G.C.2", "G.C.3", "G.C.4", "G.C.5", "E.C.1", "E.C.2", "E.C.3", "E.C.4", "E.C.5",
                      "V.C.1", "P.C.1", "P.C.2", "E.S.1", "G.S.1", "G.S.2", "G.S.3"}


def _is_standard_pdg(pdg: int) -> bool:
    """True for numbers of the PDG Monte Carlo numbering scheme known to the ``particle`` package, and
    nuclear codes 10LZZZAAAI (checked for their form)."""
    # lazy: the particle package reads its PDG tables on import; only the checker needs it
    from particle import InvalidParticle, Particle, ParticleNotFound
    from particle.pdgid import is_nucleus

    a = abs(int(pdg))
    if a >= 1_000_000_000:
        return bool(is_nucleus(int(pdg))) and a < 2_000_000_000
    try:
        Particle.from_pdgid(int(pdg))
    except (ParticleNotFound, InvalidParticle):
        return False
    return True


def _attr(obj: Any, name: str) -> str | None:
    attrs = obj.attributes
    if name not in attrs:
        return None
    v = attrs[name]
    if hasattr(v, "astype"):  # pyhepmc UnparsedAttribute
        return v.astype(str)
    return v if isinstance(v, str) else _fmt(v.tolist() if hasattr(v, "tolist") else v)


def _ints(text: str | None) -> list[int] | None:
    try:
        return [int(x) for x in (text or "").split()]
    except ValueError:
        return None


def _check_run_info(ri, v: list[str]) -> dict[str, Any]:
    """Run-info requirements G.R.1-11; returns what the event checks need."""
    out: dict[str, Any] = {"procs": set(), "vstat": set(), "pstat": set(), "pdgs": set(), "conv": set()}
    if ri is None:
        v.append("G.R.1: no GenRunInfo")
        return out
    for k in ("Major", "Minor", "Patch"):
        t = _attr(ri, f"NuHepMC.Version.{k}")
        if t is None or _ints(t) is None or len(_ints(t)) != 1:
            v.append(f"G.R.2: NuHepMC.Version.{k} missing or not an integer")
    if not ri.tools:
        v.append("G.R.3: no ToolInfo")
    for t in ri.tools:
        if not (t.name and t.version):
            v.append(f"G.R.3: ToolInfo {t.name!r} without name or version")
    conv = _attr(ri, "NuHepMC.Conventions")
    if conv is None:
        v.append("G.R.4: NuHepMC.Conventions missing")
    out["conv"] = set((conv or "").split())
    unknown = out["conv"] - _KNOWN_CONVENTIONS
    if unknown:
        v.append(f"G.R.4: unknown convention labels {sorted(unknown)}")
    if "G.C.2" in out["conv"]:
        try:
            float(_attr(ri, "NuHepMC.FluxAveragedTotalCrossSection") or "x")
        except ValueError:
            v.append("G.R.5/G.C.2: G.C.2 signalled but NuHepMC.FluxAveragedTotalCrossSection missing or not a number")
    elif "E.C.4" not in out["conv"]:
        v.append("G.R.5: neither G.C.2 nor E.C.4 signalled (flux-averaged total cross section)")
    for k in ("Unit", "TargetScale"):
        if not _attr(ri, f"NuHepMC.Units.CrossSection.{k}"):
            v.append(f"G.R.6: NuHepMC.Units.CrossSection.{k} missing")
    if "CV" not in list(ri.weight_names):
        v.append("G.R.7: no weight named CV declared")
    if "G.C.1" in out["conv"]:
        ok = False
        for k in ("POT", "Livetime"):
            try:
                float(_attr(ri, f"NuHepMC.Exposure.{k}") or "x")
                ok = True
            except ValueError:
                pass
        if not ok:
            v.append("G.C.1: signalled but neither NuHepMC.Exposure.POT nor .Livetime is a number")
    for key, info, what, store in (("NuHepMC.ProcessIDs", "NuHepMC.ProcessInfo[{}]", "G.R.8", "procs"),
                                   ("NuHepMC.VertexStatusIDs", "NuHepMC.VertexStatusInfo[{}]", "G.R.9", "vstat"),
                                   ("NuHepMC.ParticleStatusIDs", "NuHepMC.ParticleStatusInfo[{}]", "G.R.10", "pstat")):
        ids = _ints(_attr(ri, key))
        if ids is None or _attr(ri, key) is None:
            v.append(f"{what}: {key} missing or not integers")
            continue
        out[store] = set(ids)
        for i in ids:
            for field in ("Name", "Description"):
                if not _attr(ri, info.format(i) + f".{field}"):
                    v.append(f"{what}: {info.format(i)}.{field} missing")
    pdgs = _ints(_attr(ri, "NuHepMC.AdditionalParticleNumbers"))
    if pdgs is None or _attr(ri, "NuHepMC.AdditionalParticleNumbers") is None:
        v.append("G.R.11: NuHepMC.AdditionalParticleNumbers missing or not integers")
        pdgs = []
    out["pdgs"] = set(pdgs)
    names = []
    for p in pdgs:
        name = _attr(ri, f"NuHepMC.AdditionalParticleNumber[{p}].Name")
        if not name:
            v.append(f"G.R.11: NuHepMC.AdditionalParticleNumber[{p}].Name missing")
        names.append(name)
    if len(set(names)) != len(names):
        v.append("G.R.11: additional particle names are not unique")
    return out


def check_file(path: str | Path, max_events: int | None = None) -> list[str]:
    """Violations of the NuHepMC 1.0.0 requirements in the HepMC3 file ``path`` (empty list: compliant).

    Checks G.R.1-11 on the run info (version ints, tools, conventions, the flux-averaged total cross
    section and its units, the CV weight, process / vertex-status / particle-status metadata, non-PDG
    particle numbers with names, G.C.1 exposure when signalled) and, on each event (the first
    ``max_events``), E.R.2 (unique non-negative event numbers), E.R.3 (declared ``signal_process_id``),
    E.R.4 (units set), E.R.5 (``lab_pos`` of 3 or 4 numbers), E.R.6 (exactly one primary vertex, no status
    0), E.R.7 (exactly one beam particle (4) and one target (20)), G.R.7 (a CV weight per event), V.R.1 /
    P.R.1 (no undefined or reserved status; generator-specific codes declared, G.R.9/G.R.10; incoming
    real particles 4 or 20, outgoing ones 1) and G.R.11 (every non-standard particle number declared).
    Each violation is reported once per rule and message, with the first event showing it."""
    import pyhepmc  # lazy: optional (HepMC3 files)

    path = Path(path)
    v: list[str] = []
    seen: set[str] = set()

    def bad(msg: str, evno: int) -> None:
        if msg not in seen:
            seen.add(msg)
            v.append(f"{msg} (first in event {evno})")

    numbers: set[int] = set()
    info: dict[str, Any] | None = None
    n = 0
    with pyhepmc.open(str(path)) as f:
        for ev in f:
            if info is None:
                info = _check_run_info(ev.run_info, v)
            if max_events is not None and n >= max_events:
                break
            n += 1
            no = ev.event_number
            if no < 0 or no in numbers:
                bad("E.R.2: negative or repeated event number", no)
            numbers.add(no)
            pid = _ints(_attr(ev, "signal_process_id"))
            if not pid or len(pid) != 1:
                bad("E.R.3: signal_process_id missing or not one integer", no)
            elif pid[0] not in info["procs"]:
                bad(f"E.R.3: signal_process_id {pid[0]} not declared in NuHepMC.ProcessIDs", no)
            if ev.momentum_unit is None or ev.length_unit is None:
                bad("E.R.4: units not set", no)
            lab = _attr(ev, "lab_pos")
            try:
                ok = lab is not None and len([float(x) for x in lab.split()]) in (3, 4)
            except ValueError:
                ok = False
            if not ok:
                bad("E.R.5: lab_pos missing or not 3 or 4 numbers", no)
            names = list(ev.run_info.weight_names) if ev.run_info is not None else []
            if "CV" not in names or len(ev.weights) != len(names):
                bad("G.R.7: no CV weight in the event", no)
            vst = [x.status for x in ev.vertices]
            if not vst:
                bad("E.R.6: no vertex", no)
            if vst.count(1) != 1:
                bad(f"E.R.6: {vst.count(1)} primary vertices (status 1), need exactly one", no)
            for s in vst:
                if s == 0 or 3 <= s <= 20:
                    bad(f"V.R.1: vertex status {s} is undefined or reserved", no)
                elif s > 2 and s not in info["vstat"]:
                    bad(f"G.R.9: vertex status {s} not declared in NuHepMC.VertexStatusIDs", no)
            pst = [p.status for p in ev.particles]
            if pst.count(4) != 1 or pst.count(20) != 1:
                bad(f"E.R.7: {pst.count(4)} beam particles (4) and {pst.count(20)} targets (20), need one each", no)
            for p in ev.particles:
                s = p.status
                if s == 0 or 5 <= s <= 19:
                    bad(f"P.R.1: particle status {s} is undefined or reserved", no)
                elif s > 20 and s not in info["pstat"]:
                    bad(f"G.R.10: particle status {s} not declared in NuHepMC.ParticleStatusIDs", no)
                if p.production_vertex is None or p.production_vertex.id == 0:
                    if s not in (4, 20):
                        bad(f"P.R.1: incoming particle (pdg {p.pid}) with status {s}, need 4 or 20", no)
                elif p.end_vertex is None and s != 1:
                    bad(f"P.R.1: outgoing particle (pdg {p.pid}) with status {s}, need 1", no)
                if p.pid not in info["pdgs"] and not _is_standard_pdg(p.pid):
                    bad(f"G.R.11: particle number {p.pid} is not a PDG number and not declared", no)
    if info is None:  # no events: the run info of the header (pyhepmc only gives it with an event)
        ri = _header_run_info(path)
        if ri is None:
            v.append("G.R.1: no GenRunInfo (no HepMC3 run-info header)")
        else:
            _check_run_info(ri, v)
    return v


def _header_run_info(path: Path):
    """The run info of an Asciiv3 header (W, T and A lines before the first event), as a namespace with
    ``attributes`` (text), ``tools`` and ``weight_names``; None without a START_EVENT_LISTING line."""
    attrs, tools, names, started = {}, [], [], False
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("HepMC::Asciiv3-START_EVENT_LISTING"):
                started = True
            elif line.startswith(("E ", "HepMC::Asciiv3-END_EVENT_LISTING")):
                break
            elif line.startswith("A "):
                k, _, val = line[2:].partition(" ")
                attrs[k] = val
            elif line.startswith("T "):
                f = line[2:].split("\\|")
                tools.append(SimpleNamespace(name=f[0], version=f[1] if len(f) > 1 else ""))
            elif line.startswith("W "):
                names = line[2:].replace("\\|", " ").split()
    return SimpleNamespace(attributes=attrs, tools=tools, weight_names=names) if started else None


__all__ = ["CITATIONS", "NUHEPMC_VERSION", "OTHER_PROCESS", "PARTICLE_STATUS", "PROCESSES", "VERTEX_STATUS",
           "check_file", "header_lines", "process_ids", "run_info_attributes"]
