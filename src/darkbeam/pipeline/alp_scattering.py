"""Detection process ``inverse-primakoff``: an axion-like particle converting into a photon on an atom of the
detector medium, a N → γ N (:mod:`darkbeam.interactions.inverse_primakoff`).

Chain, for a model declaring ``Scatter(<state>, "gamma", process="inverse-primakoff")``:

1. arrivals of the state at the detector from every production channel the model declares (generic
   ``iter_boson_sources`` / ``arrivals_from_sources``; production samples flagged ``extra["own_direction"]``, as
   the Primakoff conversion of π⁰/η photons, are hit-counted along their own momenta there);
2. survival to the detector centre, exp(−L m Γ_tot/(p ħc)), with the model's total width of the state;
3. a N → γ N on each target of the detector medium (``Experiment.targets()``, N_T atoms): events = Φ σ(E) N_T
   (thin target), σ ∝ g² with g the model's ``photon_coupling()``; arrivals are resampled to a fixed number of
   events in proportion to Φ σ N_T × (the production coupling² × survival at the reference couplings, mixed with
   10 % without them, so that every arrival keeps a chance at any coupling);
4. the outgoing photon (exact two-body kinematics on the nucleus at rest) is one electromagnetic shower through
   the experiment's detector response (``_response``; truth level with ``detector=False``).

Re-weighting in couplings (masses fixed) is exact: each event carries its source label, path and momentum, and
``event_factor`` = production coupling² (the declared channel's ``coupling2``) × g² × survival at the new couplings
(Γ_tot from the model's ``decays()``, e.g. g_aγγ and g_aee for the ALP). ``_check_same_masses`` refuses a
re-weighting that would open a channel closed by a zero coupling in the sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import HBARC
from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..interactions.inverse_primakoff import sample_scatter, sigma_inverse_primakoff
from ..interactions.targets import get_target
from ..particles import NUCLEUS_PDG, nucleus_pdg, record_pdg
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
)

#: share of the resampling density that ignores survival and production couplings (defensive mixture)
_DEFENSIVE = 0.1


def _nucleus_pdg(target: str) -> int:
    """PDG id of a detector nucleus (darkbeam.particles, else the nuclear code 10LZZZAAAI of its Z and A)."""
    if target in NUCLEUS_PDG:
        return int(NUCLEUS_PDG[target])
    t = get_target(target)
    return nucleus_pdg(int(t.Z), int(t.A))


@dataclass
class LongLivedArrivals:
    """Arrivals of a long-lived incoming state at the detector, with what the scatter processes need: ``prod`` (the
    production coupling² per arrival), ``base_flux`` (flux per POT without it), ``p`` (MeV), ``surv`` (survival to
    the detector centre at the reference couplings) and ``u`` (unit direction of travel)."""

    arrivals: Arrivals
    prod: np.ndarray
    base_flux: np.ndarray
    p: np.ndarray
    surv: np.ndarray
    u: np.ndarray


def defensive_draw(rng: np.random.Generator, rate0: np.ndarray, ref: np.ndarray, n: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` arrivals drawn from (1 − _DEFENSIVE) ref/Σref + _DEFENSIVE rate0/Σrate0 (``ref``: the expectation at the
    reference couplings; ``rate0``: without survival and production couplings, so that every arrival keeps a chance
    at any coupling) and their weights rate0/(n q): events per POT per unit coupling factor."""
    q = (1.0 - _DEFENSIVE) * (ref / np.sum(ref) if np.sum(ref) > 0 else rate0 / np.sum(rate0)) \
        + _DEFENSIVE * rate0 / np.sum(rate0)
    idx = rng.choice(len(q), size=n, p=q / np.sum(q))
    return idx, rate0[idx] / (n * q[idx])


class LongLivedScatter(SignalProcess):
    """Base of the scatter processes of a long-lived incoming state (``inverse-primakoff``, ``inverse-compton``):
    arrivals with survival, exact re-weighting as production coupling² × ``scattering_coupling(model)``² ×
    survival. Subclasses define ``scattering_coupling`` and ``build``."""

    def scattering_coupling(self, model: Model) -> float:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def long_lived_arrivals(self, model: Model, experiment: str, mode: str, n_mesons: int, m: float,
                            rng: np.random.Generator, progress: bool) -> LongLivedArrivals | str:
        """The arrivals of the declared incoming state (mass ``m``, MeV) at ``experiment``, or the reason there are
        none."""
        exp = get_experiment(experiment)
        arrivals = Arrivals.concat([
            arrivals_from_sources(xs, pp4, label, m, exp, rng)
            for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng,
                                                     progress=progress)
        ])
        if len(arrivals) == 0:
            return no_flux_reason(model, experiment, mode, self.declared(model).incoming)
        labels, codes = np.unique(arrivals.parent, return_inverse=True)
        prod = production_coupling2(model, labels)[codes]
        base_flux = np.where(prod > 0, arrivals.weight / np.where(prod > 0, prod, 1.0), 0.0)
        p = np.sqrt(np.clip(arrivals.energy**2 - m**2, 0.0, None))
        surv = self.survival(model, p, arrivals.distance)
        # the state's own path (hit counting) or the line of sight to the detector (forced estimator)
        ray = arrivals.point - arrivals.origin if arrivals.point is not None else arrivals.direction
        u = ray / np.linalg.norm(ray, axis=1)[:, None]
        return LongLivedArrivals(arrivals, prod, base_flux, p, surv, u)

    def coupling_factor(self, model, source):
        """Production coupling² of each source label × the scattering coupling²."""
        return production_coupling2(model, np.asarray(source)) * float(self.scattering_coupling(model)) ** 2

    def survival(self, model, p, path):
        """exp(−path/λ), λ = (p/m) ħc/Γ_tot of the declared incoming state."""
        d = model.boson_decays(self.declared(model).incoming)
        return survival_probability(path, decay_length(p, d.mass, HBARC / d.total) if d.total > 0 else np.inf)


@SIGNAL_PROCESSES.register("inverse-primakoff", "ALP a N -> gamma N on the screened field of a detector atom")
class InversePrimakoffSignal(LongLivedScatter):
    """Inverse Primakoff conversion of a long-lived pseudoscalar into one photon in the detector."""

    name = "inverse-primakoff"

    def scattering_coupling(self, model: Model) -> float:
        """g_aγγ (1/MeV): the model's ``photon_coupling()``."""
        return float(model.photon_coupling())

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        ch = self.declared(model)
        m_a = float(model.boson_decays(ch.incoming).mass)
        g = self.scattering_coupling(model)
        if not g > 0:
            return _empty(model, experiment, mode, f"photon coupling of {ch.incoming} is 0: no {ch.incoming} N -> "
                          "gamma N scattering (and no Primakoff production)", self.name)
        la = self.long_lived_arrivals(model, experiment, mode, n_mesons, m_a, rng, progress)
        if isinstance(la, str):
            return _empty(model, experiment, mode, la, self.name)
        arrivals = la.arrivals
        pdg_in = record_pdg(model)
        pieces, picked = [], []
        for target, n_t in exp.targets().items():
            # σ per g² (the shape in E does not depend on couplings at fixed mass)
            sig = _sigma_interp(lambda e, t=target: sigma_inverse_primakoff(e, m_a, 1.0, t),
                                arrivals.energy, m_a)
            rate0 = la.base_flux * sig * n_t  # events per POT per g⁴-like coupling factor, without survival
            if not np.sum(rate0) > 0:
                continue
            idx, w = defensive_draw(rng, rate0, rate0 * la.prod * g * g * la.surv, n_events)
            p4_a = np.concatenate([arrivals.energy[idx, None], la.p[idx, None] * la.u[idx]], axis=1)
            p4_g, p4_rec, _ = sample_scatter(rng, p4_a, m_a, target)
            res = _response(experiment, mode, p4_g, None, w, rng, detector)
            pieces.append(dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                               base_weight=np.where(res.accepted, res.weight, 0.0),
                               source=arrivals.parent[idx], target=np.full(n_events, target),
                               path=arrivals.distance[idx], p_lab=la.p[idx],
                               **_particles(p4_a, pdg_in, p4_g, 22, None, 0, p4_rec, _nucleus_pdg(target), None, 0)))
            picked.append(idx)
        if not pieces:
            return _empty(model, experiment, mode, f"no {ch.incoming} reaching {experiment} is above the "
                          f"{ch.incoming} N -> gamma N threshold (E > m = {m_a:g} MeV)", self.name)
        out = _assemble(model, experiment, mode, pieces, self.name)
        # event-record columns: parents, production points and the flux at the detector (per cm² per POT at the
        # reference couplings, survival included; the same value in every row)
        out.columns = arrival_columns(arrivals, np.concatenate(picked), float(np.sum(arrivals.weight * la.surv)))
        return out


__all__ = ["InversePrimakoffSignal", "LongLivedArrivals", "LongLivedScatter", "defensive_draw"]
