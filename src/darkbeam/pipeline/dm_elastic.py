"""Detection process ``dm-elastic``: light dark matter χ from V → χχ̄ decays scattering elastically on the
nucleons of the detector, χ N → χ N (:mod:`darkbeam.interactions.dm_elastic`).

Chain: the model's declared production channels give V (π⁰/η → γV, π/K → ℓνV; generic
``iter_boson_sources``); V decays promptly to χχ̄ (both χ kept; the point-flux estimator with the meson as
parent, :func:`darkbeam.pipeline.signal._chi_arrivals`, shared with the inelastic-DM process); χ reaching the
detector scatters on the protons and neutrons of the medium (nucleons of a nucleus taken free and at rest,
dipole form factors; no Pauli blocking or final-state interactions). The observable is the recoil nucleon:
``E_vis`` = its kinetic energy T_N, ``cos_theta`` = its direction to the beam axis.

Selection: the experiment's published nucleon-elastic selection where one is packaged (:data:`SELECTIONS`: a
window in T_N and a flat efficiency, with its source; where the experiment's registered detector response is a
nucleon-recoil selection, :class:`darkbeam.detectors.response_recoil.RecoilResponse` as at MiniBooNE-DM, the
numbers are that response's), else truth level with efficiency 1 (the note says so).

Coupling dependence (re-weighting): events ∝ ε² (production) × BR(V → χχ̄) × (e ε g_D)² (scattering), so at
fixed masses a sample re-weights exactly in ε and α_D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..detectors.response import RESPONSES
from ..detectors.response_recoil import RecoilResponse
from ..interactions.dm_elastic import (
    NUCLEON_COMPONENTS,
    components_of,
    elastic_couplings,
    sample_elastic,
    sigma_elastic,
)
from ..interactions.targets import get_target
from ..particles import CHI_PDG
from ..particles import NUCLEUS_PDG as _NUCLEUS_PDG
from .boson_flux import Arrivals, iter_boson_sources
from .signal import (
    SIGNAL_PROCESSES,
    SignalProcess,
    _assemble,
    _chi_arrivals,
    _empty,
    _particles,
    _resample,
    _sigma_interp,
    arrival_columns,
)


@dataclass(frozen=True)
class RecoilSelection:
    """Recoil selection of an experiment: recoil kinetic-energy window (MeV), flat efficiency, the scattering
    components that can pass it ("proton", "neutron", "coherent"; darkbeam.interactions.dm_elastic) and the source."""

    t_min: float
    t_max: float
    efficiency: float
    note: str
    components: tuple[str, ...] = NUCLEON_COMPONENTS


def _response_selection(experiment: str) -> RecoilSelection | None:
    """The selection of an experiment whose registered detector response is a nucleon-recoil selection
    (:class:`~darkbeam.detectors.response_recoil.RecoilResponse`); None for any other or no response."""
    if experiment not in RESPONSES:
        return None
    r = RESPONSES.get(experiment)()
    if not isinstance(r, RecoilResponse):
        return None
    return RecoilSelection(r.t_min, r.t_max, r.efficiency, r.note, r.components)


#: published (or documented) nucleon-elastic selections of experiments whose detector response is not a
#: nucleon-recoil selection (MiniBooNE-DM's is: :class:`~darkbeam.detectors.response_recoil.RecoilResponse`, read by
#: :func:`selection_for`)
SELECTIONS: dict[str, RecoilSelection] = {
    # CCM120 (PRL 129, 021801 (2022) arXiv:2109.14146, abstract): coherent elastic scattering off argon nuclei,
    # "strictly light-based with a threshold of 50 keV". The selection efficiency and any upper recoil cut were not
    # available offline: efficiency 1 (an upper bound on the signal), coherent argon recoils above 50 keV only.
    "ccm": RecoilSelection(0.050, np.inf, 1.0,
                           "CCM120-like: coherent argon recoils above 50 keV (PRL 129, 021801 abstract); efficiency "
                           "taken as 1 (not published in the abstract: an upper bound)", ("coherent",)),
    # MiniBooNE's packaged data (the "miniboone" dataset) are the nu_e CCQE-like, electron-like samples; a recoil
    # nucleon makes scintillation light without an electron-like Cherenkov ring and is not selected there
    # (MiniBooNE NCE analyses select it separately, PRD 82, 092005 (2010)): no component passes.
    "miniboone": RecoilSelection(0.0, 0.0, 0.0,
                                 "MiniBooNE's packaged selections are electron-like (nu_e CCQE); chi-nucleon recoils "
                                 "are not electron-like and are not selected (use experiment miniboone-dm for the "
                                 "nucleon-elastic search)", ()),
}


def selection_for(experiment: str) -> RecoilSelection:
    """The nucleon selection of ``experiment``: its nucleon-recoil detector response (MiniBooNE-DM), else
    :data:`SELECTIONS`, else truth level above its catalogue threshold (the note says none is packaged)."""
    sel = _response_selection(experiment)
    if sel is not None:
        return sel
    if experiment in SELECTIONS:
        return SELECTIONS[experiment]
    exp = get_experiment(experiment)
    return RecoilSelection(float(exp.threshold), np.inf, 1.0,
                           f"no recoil selection packaged for {experiment}: truth level, efficiency 1, coherent "
                           f"and nucleon recoils with T > {exp.threshold:g} MeV", ("coherent",) + NUCLEON_COMPONENTS)


def br_to_incoming(model: Model, incoming: str) -> float:
    """Branching ratio of the model's boson into channels that contain ``incoming`` (e.g. "chi chibar")."""
    d = model.boson_decays()
    if d.total <= 0:
        return 0.0
    return sum(w for ch, w in d.widths.items() if ch.split()[0].startswith(incoming)) / d.total


def chi_arrivals(model: Model, experiment: str, mode: str, n_mesons: int, rng: np.random.Generator,
                 progress: bool = False) -> Arrivals:
    """χ from prompt V → χχ̄ decays arriving at ``experiment`` from every production channel the model declares
    (weights: χ per cm² per POT at the model's ε, without BR(V → χχ̄)); shared by ``dm-elastic`` and ``dm-electron``."""
    exp = get_experiment(experiment)
    m_chi = float(model.m_chi)
    pieces = []
    for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng, progress=progress):
        pieces.extend(_chi_arrivals(xs, pp4, label, m_chi, exp, rng))
    return Arrivals.concat(pieces)


@SIGNAL_PROCESSES.register("dm-elastic", "χ N → χ N elastic scattering of DM from V → χχ̄ (vector portal)")
class DMElasticSignal(SignalProcess):
    """Dark matter from prompt V → χχ̄ decays scattering elastically on nucleons."""

    name = "dm-elastic"
    shower_response = False  # its selection (selection_for) is read here, never the e/γ shower response

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        c = elastic_couplings(model)
        incoming = self.declared(model).incoming
        arrivals, why = self.arrivals_or_reason(model, experiment, mode, n_mesons, rng, progress)
        if why:
            return _empty(model, experiment, mode, why, self.name)
        sel = selection_for(experiment)
        if detector and not sel.components:
            return _empty(model, experiment, mode, sel.note, self.name)
        if not detector:
            sel = RecoilSelection(0.0, np.inf, 1.0, "truth level, every recoil kept", sel.components)
        window = (sel.t_min, sel.t_max)
        # arrivals carry ε² (production); BR(V → χχ̄) and the scattering coupling are restored by re-weighting
        base_flux = arrivals.weight / float(model.epsilon) ** 2
        g2 = c.g**2
        pieces, picked = [], []
        for target, n_t in exp.targets().items():
            tgt = get_target(target)
            for comp in components_of(tgt, sel.components):
                sig = _sigma_interp(lambda e, tgt=tgt, comp=comp: sigma_elastic(c, tgt, e, comp, window),
                                    arrivals.energy, c.m_chi) / g2
                idx, wfac = _resample(rng, base_flux * sig * n_t, n_events)
                if len(idx) == 0:
                    continue
                e = arrivals.energy[idx]
                p = np.sqrt(np.clip(e * e - c.m_chi**2, 0, None))
                p4_chi = np.concatenate([e[:, None], p[:, None] * arrivals.direction[idx]], axis=1)
                p4_out, p4_rec, _ = sample_elastic(rng, c, tgt, p4_chi, comp, window)
                m_n = np.sqrt(np.clip(p4_rec[:, 0] ** 2 - np.sum(p4_rec[:, 1:] ** 2, axis=1), 0, None))
                t_kin = p4_rec[:, 0] - m_n
                cos = p4_rec[:, 3] / np.maximum(np.linalg.norm(p4_rec[:, 1:], axis=1), 1e-300)
                w = base_flux[idx] * sig[idx] * n_t * wfac * sel.efficiency
                pdg = {"proton": 2212, "neutron": 2112}.get(comp, _NUCLEUS_PDG.get(target, 0))
                pieces.append(dict(E_vis=t_kin, cos_theta=cos, E_QE=np.full(len(idx), np.nan), base_weight=w,
                                   source=arrivals.parent[idx], target=np.full(len(idx), target),
                                   # the only visible particle is the recoil: recorded as the recoil (no e/γ
                                   # shower: the visible slots stay empty)
                                   **_particles(p4_chi, CHI_PDG, np.zeros((len(idx), 4)), 0, None, 0, p4_rec,
                                                np.full(len(idx), pdg), p4_out, CHI_PDG)))
                picked.append(idx)
        out = _assemble(model, experiment, mode, pieces, self.name)
        out.meta["selection"] = sel.note
        out.meta["incoming"] = incoming
        if pieces:
            flux = float(np.sum(arrivals.weight)) * br_to_incoming(model, incoming)
            out.columns = arrival_columns(arrivals, np.concatenate(picked), flux)
        elif not out.note or out.note == "no open detection channel":
            out.note = (f"no chi reaching {experiment} can give a nucleon recoil in the selection window "
                        f"{sel.t_min:g} < T_N < {sel.t_max:g} MeV")
        return out

    def arrivals_or_reason(self, model, experiment: str, mode: str, n_mesons: int, rng: np.random.Generator,
                           progress: bool = False) -> tuple[Arrivals, str]:
        """The χ arrivals (:func:`chi_arrivals`) and, when they can give no event, why ("" otherwise): no flux, or a
        zero coupling (shared by the χ-nucleon and χ-electron processes)."""
        arrivals = chi_arrivals(model, experiment, mode, n_mesons, rng, progress)
        if len(arrivals.energy) == 0:
            return arrivals, ("no flux reaches the detector (every production channel is closed at these masses or no "
                              "parent reaches it)")
        if not np.any(self.coupling_factor(model, arrivals.parent) > 0):
            return arrivals, "a coupling is zero (epsilon, alpha_d or BR(V -> chi chi))"
        return arrivals, ""

    def coupling_factor(self, model, source):
        """ε² · BR(V → χχ̄) · (e ε g_D)²: the coupling dependence of each event."""
        c = elastic_couplings(model)
        f = float(model.epsilon) ** 2 * br_to_incoming(model, self.declared(model).incoming) * c.g**2
        return np.full(len(source), f)


__all__ = ["SELECTIONS", "DMElasticSignal", "RecoilSelection", "br_to_incoming", "chi_arrivals", "selection_for"]
