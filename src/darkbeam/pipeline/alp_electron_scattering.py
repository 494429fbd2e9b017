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

from ..constants import HBARC
from ..detectors.catalog import get_experiment
from ..interactions.alp_electron import sample_scatter, sigma_inverse_compton
from ..interactions.targets import get_target
from ..particles import boson_pdg
from ..production.channels import production_coupling2
from ..propagation.decay import decay_length, survival_probability
from .boson_flux import Arrivals, arrivals_from_sources, iter_boson_sources, no_flux_reason
from .signal import (
    SIGNAL_PROCESSES,
    SignalProcess,
    _assemble,
    _empty,
    _particles,
    _response,
    _sigma_interp,
    arrival_columns,
    response_refusal,
)

#: share of the resampling density that ignores survival and production couplings (defensive mixture)
_DEFENSIVE = 0.1
#: target label of the events (the atomic electrons of every species of the medium together)
ELECTRON_TARGET = "e-"


def detector_electrons(experiment: str) -> float:
    """Electrons in the fiducial volume of ``experiment``: Σ Z × (number of atoms) over the medium's species."""
    return float(sum(get_target(t).Z * n for t, n in get_experiment(experiment).targets().items()))


@SIGNAL_PROCESSES.register("inverse-compton", "ALP a e- -> gamma e- on the electrons of the detector medium")
class InverseComptonSignal(SignalProcess):
    """Inverse Compton-like scattering of a long-lived pseudoscalar on an atomic electron: photon + electron."""

    name = "inverse-compton"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        ch = self.declared(model)
        dec = model.boson_decays(ch.incoming)
        m_a = float(dec.mass)
        g = float(model.electron_coupling())
        if not g > 0:
            return _empty(model, experiment, mode, f"electron coupling of {ch.incoming} is 0: no {ch.incoming} e- -> "
                          "gamma e- scattering (and no Compton-like production)", self.name)
        refused = response_refusal(experiment) if detector else ""
        if refused:
            return _empty(model, experiment, mode, f"not applicable at {experiment} with its detector response: "
                          f"{refused} (truth level: detector=False)", self.name)
        arrivals = Arrivals.concat([
            arrivals_from_sources(xs, pp4, label, m_a, exp, rng)
            for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng,
                                                     progress=progress)
        ])
        if len(arrivals) == 0:
            return _empty(model, experiment, mode, no_flux_reason(model, experiment, mode, ch.incoming), self.name)
        labels, codes = np.unique(arrivals.parent, return_inverse=True)
        prod = production_coupling2(model, labels)[codes]
        base_flux = np.where(prod > 0, arrivals.weight / np.where(prod > 0, prod, 1.0), 0.0)
        p = np.sqrt(np.clip(arrivals.energy**2 - m_a**2, 0.0, None))
        surv = self.survival(model, p, arrivals.distance)
        ray = arrivals.point - arrivals.origin if arrivals.point is not None else arrivals.direction
        u = ray / np.linalg.norm(ray, axis=1)[:, None]
        n_e = detector_electrons(experiment)
        # σ per g_aee² (its shape in E does not depend on couplings at fixed mass)
        sig = _sigma_interp(lambda e: sigma_inverse_compton(e, m_a, 1.0), arrivals.energy, m_a)
        rate0 = base_flux * sig * n_e
        if not np.sum(rate0) > 0:
            return _empty(model, experiment, mode, f"no {ch.incoming} reaching {experiment} scatters on an electron "
                          f"(E > m = {m_a:g} MeV)", self.name)
        ref = rate0 * prod * g * g * surv
        q = (1.0 - _DEFENSIVE) * (ref / np.sum(ref) if np.sum(ref) > 0 else rate0 / np.sum(rate0)) \
            + _DEFENSIVE * rate0 / np.sum(rate0)
        idx = rng.choice(len(q), size=n_events, p=q / np.sum(q))
        w = rate0[idx] / (n_events * q[idx])
        p4_a = np.concatenate([arrivals.energy[idx, None], p[idx, None] * u[idx]], axis=1)
        p4_g, p4_e = sample_scatter(rng, p4_a, m_a)
        res = _response(experiment, mode, p4_g, p4_e, w, rng, detector)
        pdg_in = int(getattr(model, "state_pdg", None) or boson_pdg(str(model.boson_kind)))
        piece = dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                     base_weight=np.where(res.accepted, res.weight, 0.0), source=arrivals.parent[idx],
                     target=np.full(n_events, ELECTRON_TARGET), path=arrivals.distance[idx], p_lab=p[idx],
                     # the photon and the recoil electron (both visible: the response saw both); the electron in
                     # the recoil slot makes event files write an electron target at rest (four-momentum conserved)
                     **_particles(p4_a, pdg_in, p4_g, 22, None, 0, p4_e, 11, None, 0))
        out = _assemble(model, experiment, mode, [piece], self.name)
        out.columns = arrival_columns(arrivals, idx, float(np.sum(arrivals.weight * surv)))
        return out

    def coupling_factor(self, model, source):
        """Production coupling² of each source label × g_aee² of the scattering."""
        return production_coupling2(model, np.asarray(source)) * float(model.electron_coupling()) ** 2

    def survival(self, model, p, path):
        """exp(−path/λ), λ = (p/m) ħc/Γ_tot of the declared incoming state."""
        d = model.boson_decays(self.declared(model).incoming)
        return survival_probability(path, decay_length(p, d.mass, HBARC / d.total) if d.total > 0 else np.inf)


__all__ = ["ELECTRON_TARGET", "InverseComptonSignal", "detector_electrons"]
