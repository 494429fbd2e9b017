"""Detection process ``inverse-compton``: an axion-like particle scattering on an electron of the detector medium,
a e⁻ → γ e⁻ (:mod:`darkbeam.interactions.alp_electron`), through its electron coupling.

Chain, for a model declaring ``Scatter(<state>, "gamma e-", process="inverse-compton")`` (the same steps as the
``inverse-primakoff`` process of :mod:`.alp_scattering`, on electrons):

1. arrivals of the state at the detector from every production channel the model declares (hit-counted along their
   own momenta when the channel flags ``own_direction``, as the Primakoff and Compton ALPs);
2. survival to the detector, exp(−L m Γ_tot/(p ħc)), with the model's total width;
3. a e → γ e on the Z electrons of every atom of the medium (free, at rest): events = Φ σ(E) N_e, σ ∝ g_aee² with
   g_aee the model's ``electron_coupling()``; arrivals are resampled to a fixed number of events in proportion to
   Φ σ N_e × (production coupling² × survival at the reference couplings, mixed with 10 % without them);
4. the photon and the recoil electron go together through the experiment's detector response as one
   electromagnetic pair (``_response`` with both four-momenta; truth level with ``detector=False``). An experiment
   whose response refuses electron-like showers (MiniBooNE-DM's nucleon-recoil selection) gives an empty sample with
   that reason (use ``detector=False`` there for truth-level numbers).

Re-weighting in couplings (masses fixed) is exact: ``coupling_factor`` = production coupling² of each event's source
label (the declared channel's ``coupling2``: g_aγγ² for Primakoff ALPs, g_aee² for Compton ALPs) × g_aee² of the
scattering, times the survival at the new couplings. A sample at g_aee = 0 is empty with its reason; the generic
zero-coupling rule (``_check_same_masses``) refuses re-weighting it to g_aee > 0.
"""

from __future__ import annotations

import numpy as np

from ..detectors.catalog import get_experiment
from ..interactions.alp_electron import sample_scatter, sigma_inverse_compton
from ..particles import record_pdg
from .alp_scattering import LongLivedScatter, defensive_draw
from .dm_electron import electrons_in
from .signal import (
    SIGNAL_PROCESSES,
    _assemble,
    _empty,
    _particles,
    _response,
    _sigma_interp,
    arrival_columns,
    response_refusal,
)

#: target label of the events (the atomic electrons of every species of the medium together)
ELECTRON_TARGET = "e-"


def detector_electrons(experiment: str) -> float:
    """Electrons in the fiducial volume of ``experiment``: Σ Z × (number of atoms) over the medium's species."""
    return float(sum(electrons_in(experiment).values()))


@SIGNAL_PROCESSES.register("inverse-compton", "ALP a e- -> gamma e- on the electrons of the detector medium")
class InverseComptonSignal(LongLivedScatter):
    """Inverse Compton-like scattering of a long-lived pseudoscalar on an atomic electron: photon + electron."""

    name = "inverse-compton"

    def scattering_coupling(self, model) -> float:
        """g_aee (dimensionless): the model's ``electron_coupling()``."""
        return float(model.electron_coupling())

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        get_experiment(experiment)  # an unknown experiment is an error before anything else
        ch = self.declared(model)
        m_a = float(model.boson_decays(ch.incoming).mass)
        g = self.scattering_coupling(model)
        if not g > 0:
            return _empty(model, experiment, mode, f"electron coupling of {ch.incoming} is 0: no {ch.incoming} e- -> "
                          "gamma e- scattering (and no Compton-like production)", self.name)
        refused = response_refusal(experiment) if detector else ""
        if refused:
            return _empty(model, experiment, mode, f"not applicable at {experiment} with its detector response: "
                          f"{refused} (truth level: detector=False)", self.name)
        la = self.long_lived_arrivals(model, experiment, mode, n_mesons, m_a, rng, progress)
        if isinstance(la, str):
            return _empty(model, experiment, mode, la, self.name)
        arrivals = la.arrivals
        # σ per g_aee² (its shape in E does not depend on couplings at fixed mass)
        sig = _sigma_interp(lambda e: sigma_inverse_compton(e, m_a, 1.0), arrivals.energy, m_a)
        rate0 = la.base_flux * sig * detector_electrons(experiment)
        if not np.sum(rate0) > 0:
            return _empty(model, experiment, mode, f"no {ch.incoming} reaching {experiment} scatters on an electron "
                          f"(E > m = {m_a:g} MeV)", self.name)
        idx, w = defensive_draw(rng, rate0, rate0 * la.prod * g * g * la.surv, n_events)
        p4_a = np.concatenate([arrivals.energy[idx, None], la.p[idx, None] * la.u[idx]], axis=1)
        p4_g, p4_e = sample_scatter(rng, p4_a, m_a)
        res = _response(experiment, mode, p4_g, p4_e, w, rng, detector)
        piece = dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                     base_weight=np.where(res.accepted, res.weight, 0.0), source=arrivals.parent[idx],
                     target=np.full(n_events, ELECTRON_TARGET), path=arrivals.distance[idx], p_lab=la.p[idx],
                     # the photon and the recoil electron (both visible: the response saw both); the electron in
                     # the recoil slot makes event files write an electron target at rest (four-momentum conserved)
                     **_particles(p4_a, record_pdg(model), p4_g, 22, None, 0, p4_e, 11, None, 0))
        out = _assemble(model, experiment, mode, [piece], self.name)
        out.columns = arrival_columns(arrivals, idx, float(np.sum(arrivals.weight * la.surv)))
        return out


__all__ = ["ELECTRON_TARGET", "InverseComptonSignal", "detector_electrons"]
