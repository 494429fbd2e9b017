"""Detection by a decay inside the detector volume: the generic ``decay-in-volume`` process.

For a model declaring :class:`~darkbeam.interactions.channels.DecayInVolume` (state X, visible channel
c, e.g. Z_BL → e⁺e⁻):

1. X fluxes at the detector from every production channel the model declares (point-flux estimator of
   :mod:`.estimators`: each arrival is a ray from the parent's decay vertex to a point drawn on the
   detector disc, with a weight in X per cm² per POT averaged over the disc);
2. the ray's chord through the detector geometry (:meth:`Experiment.chord`, entry/exit distances
   t_in < t_out from the parent's decay vertex) gives the probability to decay inside,
       P = exp(−t_in/λ) − exp(−t_out/λ),   λ = (p/m) ħc/Γ_tot
   (decay law along a straight path; e.g. PDG RPP "Kinematics", and the same formula as the
   dark-neutrino chain), so that the expected decays per POT are
       N = Σ w_flux · A · P · BR(X → c),
   with A the area of the detector's face through its centre normal to the line of sight (the
   projection of the volume, :mod:`.geometry`: a disc for MiniBooNE, a rectangle for a LArTPC), so that
   every ray through the volume crosses it exactly once (for a distant source);
3. arrivals are resampled in proportion to that expectation to a fixed number of events; the decay
   point is drawn along the chord (truncated exponential) and X → c is isotropic in the X rest frame
   (X unpolarised: an approximation for a vector from π/K decays); the visible pair goes through the
   experiment's detector response with the beam mode's E_QE hypothesis.

Re-weighting in couplings (masses fixed) is exact: each event carries t_in, t_out and p, and
``event_factor`` recomputes the production coupling², BR(X → c) and P at the new couplings; observables
do not depend on where along the chord X decayed (the response has no position dependence). Importance
weights stay unbiased for any coupling, with a variance that grows far from the reference point.

Fiducial convention (the same as the scatter processes): decays anywhere in the detector's volume
(``exp.geometry``) are counted and the experiment's efficiency, which includes its fiducial cut
(MiniBooNE eg_effs), is applied by the response.
"""

from __future__ import annotations

import hepunits as hu
import numpy as np

from ..constants import HBARC
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..kinematics.fourvec import two_body_decay
from ..models.base import Model
from ..particles import TWO_BODY_FINAL_STATES, boson_pdg
from ..production.channels import production_coupling2
from ..propagation.decay import decay_inside_probability, decay_probability
from .boson_flux import Arrivals, arrivals_from_sources, iter_boson_sources, no_flux_reason
from .geometry import face_area
from .signal import (
    SIGNAL_PROCESSES,
    SignalProcess,
    SignalSample,
    _assemble,
    _empty,
    _particles,
    _resample,
    _response,
    arrival_columns,
)


@SIGNAL_PROCESSES.register("decay-in-volume", "a long-lived state decaying inside the detector volume")
class DecayInVolumeSignal(SignalProcess):
    """Generic decay-in-volume detection (see module docstring)."""

    name = "decay-in-volume"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        ch = self.declared(model)
        dec = model.boson_decays(ch.incoming)
        m_x = float(dec.mass)
        if ch.visible not in TWO_BODY_FINAL_STATES:
            return _empty(model, experiment, mode, f"visible channel {ch.visible!r} has no two-body final state "
                          f"in darkbeam.particles (known: {', '.join(TWO_BODY_FINAL_STATES)})", self.name)
        (pdg1, pdg2), (m1, m2) = TWO_BODY_FINAL_STATES[ch.visible]
        if not dec.widths.get(ch.visible, 0.0) > 0:
            why = (f"{ch.incoming} -> {ch.visible} is closed (m = {m_x:g} MeV <= {m1 + m2:g} MeV)" if m_x <= m1 + m2
                   else f"{ch.incoming} -> {ch.visible} has zero width at these couplings")
            return _empty(model, experiment, mode, why, self.name)
        if exp.geometry is None:
            return _empty(model, experiment, mode, f"{experiment} has no detector geometry for decays in volume",
                          self.name)
        arrivals = Arrivals.concat([
            arrivals_from_sources(xs, pp4, label, m_x, exp, rng)
            for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng,
                                                     progress=progress)
        ])
        if len(arrivals) == 0:
            return _empty(model, experiment, mode, no_flux_reason(model, experiment, mode, ch.incoming), self.name)
        labels, codes = np.unique(arrivals.parent, return_inverse=True)
        prod = production_coupling2(model, labels)[codes]
        base_flux = np.where(prod > 0, arrivals.weight / np.where(prod > 0, prod, 1.0), 0.0)
        ray = arrivals.point - arrivals.origin
        u = ray / np.linalg.norm(ray, axis=1)[:, None]
        t_in, t_out = exp.chord(arrivals.origin, u)
        p = np.sqrt(np.clip(arrivals.energy**2 - m_x**2, 0.0, None))
        area_cm2 = face_area(exp) / hu.cm2
        p_in = decay_inside_probability(t_in, t_out, p / m_x * HBARC / dec.total)
        br = dec.widths[ch.visible] / dec.total
        idx, wfac = _resample(rng, base_flux * area_cm2 * p_in * br * prod, n_events)
        if len(idx) == 0:
            return _empty(model, experiment, mode, f"no {ch.incoming} decays inside {experiment} "
                          "(every ray misses the detector volume or the decay probability is 0)", self.name)
        lam = p[idx] / m_x * HBARC / dec.total
        # decay point along the chord: exponential truncated to [t_in, t_out]
        length = t_out[idx] - t_in[idx]
        r = rng.random(len(idx))
        dist = np.minimum(-lam * np.log1p(-r * decay_probability(length, lam)), length)
        x_dec = arrivals.origin[idx] + (t_in[idx] + dist)[:, None] * u[idx]
        p4_x = np.concatenate([arrivals.energy[idx, None], p[idx, None] * u[idx]], axis=1)
        a, b = two_body_decay(rng, p4_x, m1, m2)
        # response order: (particle, antiparticle) as in the other processes (e⁻ first)
        first, second = (b, a) if pdg1 < 0 else (a, b)
        w = base_flux[idx] * area_cm2 * wfac
        res = _response(experiment, mode, first, second, w, rng, detector)
        n = len(idx)
        # particle id of the decaying state: the model's declaration ``state_pdg`` if it has one (a fermion
        # such as a heavy neutral lepton has no boson kind), else the id of its boson kind
        pdg_x = getattr(model, "state_pdg", None) or (
            boson_pdg(str(model.boson_kind)) if model.boson_kind else 0)
        piece = dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                     base_weight=np.where(res.accepted, res.weight, 0.0),
                     source=arrivals.parent[idx], target=np.full(n, "", dtype="<U4"),
                     **_particles(p4_x, pdg_x,
                                  first, max(pdg1, pdg2), second, min(pdg1, pdg2),
                                  np.zeros((n, 4)), 0, None, 0))
        out = _assemble(model, experiment, mode, [piece], self.name)
        out.columns = {"t_in": t_in[idx], "t_out": t_out[idx], "p_lab": p[idx], "x_prod": arrivals.origin[idx],
                       "x_dec": x_dec}
        # event-record columns (no random numbers): the parent meson and the flux of X at the detector disc
        # (per cm² per POT at the reference couplings, before X decays; the same value in every row)
        out.columns.update({k: v for k, v in arrival_columns(arrivals, idx, float(np.sum(arrivals.weight))).items()
                            if k not in out.columns})
        return out

    def event_factor(self, sample: SignalSample, model: Model) -> np.ndarray:
        """Production coupling² × BR(X → visible) × P(decay inside) at ``model``, per event."""
        ch = self.declared(model)
        if len(sample.base_weight) == 0:  # an empty sample (its note says why) re-weights to nothing ...
            dec = model.boson_decays(ch.incoming)
            if (dec.widths.get(ch.visible, 0.0) > 0
                    and not sample.model.boson_decays(ch.incoming).widths.get(ch.visible, 0.0) > 0):
                # ... unless the channel was shut only by a zero coupling: no event to re-weight into
                raise InputError(f"{model.name} couplings", {k: v for k, v in model.values.items()
                                                             if v != sample.model.values[k]},
                                 f"couplings at which {ch.incoming} -> {ch.visible} stays closed, as in the sample "
                                 f"({sample.note}); generate a sample where the channel is open")
            return np.zeros(0)
        dec = model.boson_decays(ch.incoming)
        if "labels" not in sample.meta:
            sample.meta["labels"], sample.meta["codes"] = np.unique(sample.source, return_inverse=True)
        prod = production_coupling2(model, sample.meta["labels"])[sample.meta["codes"]]
        if not dec.total > 0:
            return np.zeros(len(sample.base_weight))
        c = sample.columns
        lam = c["p_lab"] / float(dec.mass) * HBARC / dec.total
        return prod * (dec.widths.get(ch.visible, 0.0) / dec.total) * decay_inside_probability(c["t_in"], c["t_out"], lam)

    def coupling_factor(self, model, source):  # pragma: no cover - event_factor is overridden
        return np.ones(len(source))


__all__ = ["DecayInVolumeSignal"]
