"""Detection process ``dm-electron``: light dark matter χ from V → χχ̄ decays scattering elastically on the
electrons of the detector, χ e⁻ → χ e⁻ (vector portal, t-channel V exchange).

Chain: the χ arrivals of ``dm-elastic`` (:func:`darkbeam.pipeline.dm_elastic.chi_arrivals`: every declared
production channel, prompt V → χχ̄, both χ kept, point-flux estimator with the meson as parent); χ reaching the
detector scatters on the Z electrons of each atom of the medium (8 per CH₂ molecule, 18 per argon atom; free and at
rest: atomic binding, O(keV), is negligible against the MeV-GeV recoils selected). Cross-section: the point-electron
component of :mod:`darkbeam.interactions.dm_elastic` (F1 = 1, F2 = 0), i.e. for a Dirac χ

    dσ/dT = 4π α α_D ε² [2 m_e E² − (2 m_e E + m_χ² + m_e²) T + m_e T²] / [(E² − m_χ²)(m_V² + 2 m_e T)²]

and for a complex scalar χ 4π α α_D ε² [2 m_e E² − (2 m_e E + m_χ²) T] / [(E² − m_χ²)(m_V² + 2 m_e T)²]
(deNiverville, Pospelov, Ritz, PRD 84, 075020 (2011) arXiv:1107.4580; tests/test_vector_channels.py checks the
code against both closed forms), with recoil kinetic energies 0 ≤ T ≤ T_max = 2 m_e p²/(m_χ² + m_e² + 2 m_e E).

Observable: the recoil electron, one electron-like shower. Where the experiment's detector response accepts
showers (MiniBooNE, the LArTPCs, the stopped-source calorimeters, the trackers) it goes through that response with
the beam mode's E_QE hypothesis. Where a packaged electron selection exists (:data:`ELECTRON_SELECTIONS`: a window in
the electron's kinetic energy T_e, a cut on its angle to the beam and a flat efficiency) it is applied instead, with
``E_vis`` = T_e, ``cos_theta`` = its direction to the beam axis: at ``miniboone-dm``, whose response is a
nucleon-recoil selection (:mod:`darkbeam.detectors.response_recoil`). Elsewhere, a response that refuses shower
signals closes the channel with its reason ("not applicable").

Coupling dependence (re-weighting, inherited from ``dm-elastic``): ε² (production) × BR(V → χχ̄) × (e ε g_D)²
(scattering), exact in ε and α_D at fixed masses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import M_E
from ..detectors.catalog import get_experiment
from ..interactions.dm_elastic import elastic_couplings, sample_elastic, sigma_elastic
from ..interactions.targets import get_target
from ..particles import CHI_PDG
from .dm_elastic import DMElasticSignal, br_to_incoming
from .signal import (
    SIGNAL_PROCESSES,
    _assemble,
    _empty,
    _particles,
    _resample,
    _response,
    _sigma_interp,
    arrival_columns,
    response_refusal,
)


@dataclass(frozen=True)
class ElectronSelection:
    """A packaged χe → χe selection: electron kinetic-energy window ``t_min`` < T_e < ``t_max`` (MeV), angle cut
    cos θ_e ≥ ``cos_min`` (θ_e to the beam axis), flat ``efficiency`` in [0, 1], ``note`` (numbers and source) and
    whether it is ``approximate`` (the experiment's own numbers were not available: then its detector response
    states a warning)."""

    t_min: float
    t_max: float
    cos_min: float
    efficiency: float
    note: str
    approximate: bool = False


#: χe selections of experiments whose detector response does not accept electron-like showers
ELECTRON_SELECTIONS: dict[str, ElectronSelection] = {
    # MiniBooNE-DM searched in an electron channel too (PRD 98, 112004 (2018) arXiv:1807.06137), but its cuts and
    # efficiency were not found offline (search tool: arXiv / arxiv-vanity / ar5iv / tomesphere pages return only
    # the abstract). APPROXIMATE stand-in: the electron-channel (NCE_electron) cuts of a public BdNMC run card for
    # MiniBooNE (github.com/Luc-Darme/DarkEFT, Data/ProdData/FNALBooster/write_BdNMC_miniboone.pl: scatter energy
    # 0.050-0.6 GeV, efficiency 1; BdNMC is the MiniBooNE-DM generator), no angular cut, in the r < 5 m sphere (the
    # catalogue's fiducial mass). Efficiency 1 makes it an upper bound. The response's assumptions repeat this
    # (detectors/response_recoil.MINIBOONE_DM_ELECTRON_ASSUMPTION) as a warning of every miniboone-dm prediction.
    "miniboone-dm": ElectronSelection(
        50.0, 600.0, -1.0, 1.0,
        "APPROXIMATE miniboone-dm electron selection: 50 MeV < T_e < 600 MeV, efficiency 1 (an upper bound), no "
        "angular cut, r < 5 m (a public BdNMC MiniBooNE card, DarkEFT); MiniBooNE-DM's own electron-channel cuts "
        "(PRD 98, 112004) were not found offline", approximate=True),
}


def electrons_in(experiment: str) -> dict[str, float]:
    """Electrons of each target species in the fiducial volume of ``experiment``: Z × (number of atoms)."""
    return {t: float(get_target(t).Z) * n for t, n in get_experiment(experiment).targets().items()}


def electron_recoil_max(energy: np.ndarray | float, m_chi: float) -> np.ndarray:
    """Largest electron recoil kinetic energy (MeV) of χ e → χ e at χ lab energy ``energy`` (MeV, total), electron
    at rest: T_max = 2 m_e p² / (m_χ² + m_e² + 2 m_e E) (backward χ in the centre-of-mass frame)."""
    e = np.asarray(energy, float)
    p2 = np.clip(e * e - m_chi * m_chi, 0.0, None)
    return 2.0 * M_E * p2 / (m_chi * m_chi + M_E * M_E + 2.0 * M_E * e)


@SIGNAL_PROCESSES.register("dm-electron", "χ e⁻ → χ e⁻ elastic scattering of DM from V → χχ̄ (vector portal)")
class DMElectronSignal(DMElasticSignal):
    """Dark matter from prompt V → χχ̄ decays scattering elastically on the electrons of the medium."""

    name = "dm-electron"
    shower_response = False  # applies its packaged selection where the response refuses showers (miniboone-dm)

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        c = elastic_couplings(model)
        sel = ELECTRON_SELECTIONS.get(experiment) if detector else None
        refused = response_refusal(experiment) if detector and sel is None else ""
        if refused:
            return _empty(model, experiment, mode, f"not applicable at {experiment}: {refused}", self.name)
        arrivals, why = self.arrivals_or_reason(model, experiment, mode, n_mesons, rng, progress)
        if why:
            return _empty(model, experiment, mode, why, self.name)
        window = None if sel is None else (sel.t_min, sel.t_max)
        # arrivals carry ε² (production); BR(V → χχ̄) and the scattering coupling are restored by re-weighting
        base_flux = arrivals.weight / float(model.epsilon) ** 2
        g2 = c.g**2
        pieces, picked = [], []
        for target, n_t in exp.targets().items():
            tgt = get_target(target)
            if tgt.Z <= 0:
                continue
            # σ of the "electron" component counts the atom's Z electrons
            sig = _sigma_interp(lambda e, tgt=tgt: sigma_elastic(c, tgt, e, "electron", window), arrivals.energy,
                                c.m_chi) / g2
            idx, wfac = _resample(rng, base_flux * sig * n_t, n_events)
            if len(idx) == 0:
                continue
            e = arrivals.energy[idx]
            p = np.sqrt(np.clip(e * e - c.m_chi**2, 0, None))
            p4_chi = np.concatenate([e[:, None], p[:, None] * arrivals.direction[idx]], axis=1)
            p4_out, p4_e, _ = sample_elastic(rng, c, tgt, p4_chi, "electron", window)
            w = base_flux[idx] * sig[idx] * n_t * wfac
            n = len(idx)
            if sel is not None:
                cos = p4_e[:, 3] / np.maximum(np.linalg.norm(p4_e[:, 1:], axis=1), 1e-300)
                obs = {"E_vis": p4_e[:, 0] - M_E, "cos_theta": cos, "E_QE": np.full(n, np.nan),
                       "base_weight": np.where(cos >= sel.cos_min, w * sel.efficiency, 0.0)}
            else:
                res = _response(experiment, mode, p4_e, None, w, rng, detector)
                obs = {"E_vis": res.E_vis, "cos_theta": res.cos_theta, "E_QE": res.E_QE,
                       "base_weight": np.where(res.accepted, res.weight, 0.0)}
            pieces.append(dict(**obs, source=arrivals.parent[idx], target=np.full(n, target),
                               # the struck electron is the recoil (the event record's target: an e- at rest,
                               # NuHepMC-conformant) and the visible particle (one shower, observables above)
                               **_particles(p4_chi, CHI_PDG, np.zeros((n, 4)), 0, None, 0, p4_e, 11, p4_out,
                                            CHI_PDG)))
            picked.append(idx)
        out = _assemble(model, experiment, mode, pieces, self.name)
        out.meta["selection"] = sel.note if sel is not None else f"{experiment} detector response (one e- shower)"
        if pieces:
            flux = float(np.sum(arrivals.weight)) * br_to_incoming(model, self.declared(model).incoming)
            out.columns = arrival_columns(arrivals, np.concatenate(picked), flux)
        elif not out.note or out.note == "no open detection channel":
            out.note = (f"no chi reaching {experiment} can give an electron recoil in the selection window "
                        f"{sel.t_min:g} < T_e < {sel.t_max:g} MeV" if sel is not None
                        else f"no chi reaching {experiment} scatters on an electron")
        return out


__all__ = ["ELECTRON_SELECTIONS", "DMElectronSignal", "ElectronSelection", "electron_recoil_max", "electrons_in"]
