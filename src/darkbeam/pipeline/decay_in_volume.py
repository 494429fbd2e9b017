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
   point is drawn along the chord (truncated exponential) and X → c is generated in the X rest frame
   (below); the visible pair goes through the experiment's detector response with the beam mode's E_QE
   hypothesis.

Polarisation. When the model declares a decay asymmetry α for c (``Decays.asymmetry``) and the production
channel reports a polarisation P per particle (its ``polarisation`` and ``cp_conjugate`` columns, carried by
:class:`~darkbeam.pipeline.boson_flux.Arrivals`), the first daughter of c is drawn from
dΓ/dcos θ ∝ 1 + a cos θ, a = ±α P (− for the CP-conjugate state), by inverting its CDF
(cos θ = (a − 2 + 4u)/(1 + √((1 − a)² + 4au)), u uniform: vectorised, no rejection), θ measured from the spin
axis. P is a helicity in the parent's rest frame, so the axis is built covariantly and without approximation:
the spin four-vector s^μ = [(p·K) p^μ − m² K^μ] / (m √((p·K)² − m²M²)) (p, m: X; K, M: parent) is the
(|p*|/m, E* p̂*/m) of a helicity state in the parent frame, and its boost to the X rest frame reached from
the lab by a pure boost (the frame in which the daughters are generated and then boosted back) is (0, ŝ), the
Wigner rotation included. Otherwise (no declaration, no polarisation column, a = 0 for every event: X
unpolarised, e.g. a vector from π/K decays, an approximation there) X → c is isotropic, with the random
stream of :func:`darkbeam.kinematics.fourvec.two_body_decay`. The polarisation changes no rate: the width
integrated over angles does not depend on P, and neither do the weights; it changes the daughters' energy
sharing and opening angle, hence a detector's acceptance. The sample's ``polarisation`` and ``asymmetry``
columns hold P and ±α per event.

Charges. Kinematics and weights are those of the channel as listed (the asymmetry's sign already follows the
CP-conjugate state); the particle ids of the record follow the state's declaration ``Decays.self_conjugate``
(:func:`charge_states`): a state with a distinct antiparticle (False, e.g. a Dirac N) reported as the CP conjugate
by its production channel (N̄ from P⁻ → ℓ⁻N̄) is written as −id, its visible pair as the charge conjugates (μ⁺π⁻
for μ⁻π⁺; ids from :func:`darkbeam.particles.charge_conjugate`), each in the same slot as its unconjugated
partner; a self-conjugate state (True, e.g. a Majorana N) goes to either charge state with probability ½ (equal
widths), from a separate generator seeded by a hash of the stream's state after every other draw, so that no
other number changes. Where such a state declares ``Decays.charge_asymmetry`` α for the channel and its production
channel reports a polarisation P, the listed charge state is chosen with probability (1 + αP cos θ)/2 given the
drawn (isotropic, charge-summed) angle θ of the first daughter to the spin axis, so that each charge state follows
1 ± αP cos θ. Pairs that are their own conjugate (e⁺e⁻, γγ) and the invisible daughter (the light neutrino of
:data:`MULTI_BODY_FINAL_STATES`, a flavour- and lepton-number-blind id) keep their ids. A state that makes a channel's
visible pair in both charge orders (N → e⁻μ⁺ν_μ through |U_e4|², N → μ⁻e⁺ν_e through |U_μ4|², both "e mu nu")
declares the share of the listed order in ``pair_charge_fraction`` (a mapping channel → f on its ``Decays``; the
state itself, not its CP conjugate); each decay keeps the listed order with probability f and is otherwise written
with the pair's charge conjugate, the state's id unchanged, from a second side stream; this composes with the CP
conjugation above (N̄: the conjugate of either order). Where a three-body channel declares its |M|² ("Matrix
element" below), these draws (:func:`charge_flags`) are made before its decay, from the generator's state there, and
its kinematics follow them; elsewhere they come after every other draw and the kinematics do not depend on them.

Re-weighting in couplings (masses fixed) is exact: each event carries t_in, t_out and p, and
``event_factor`` recomputes the production coupling², BR(X → c) and P at the new couplings; observables
do not depend on where along the chord X decayed (the response has no position dependence). Importance
weights stay unbiased for any coupling, with a variance that grows far from the reference point; where the
decay probability underflows to 0 on some rays at the reference couplings (X decays long before the detector),
those rays could never be drawn, so a share ``MIX_LONG_LIVED`` of the events is drawn from the long-lived-limit
expectation (P ∝ chord·m/p) and re-weighting to a longer-lived X stays unbiased.

Multi-body. A visible channel with an invisible daughter (:data:`MULTI_BODY_FINAL_STATES`: N → ν e⁺e⁻, ν μ⁺μ⁻,
N → e⁻μ⁺ν (and μ⁻e⁺ν, below) and N → ν π⁰ with π⁰ → γγ) is built the same way; only the daughters differ. The pair's
mass comes from the channel's matrix element ("Matrix element" below), from flat three-body phase space, or from the
intermediate state (π⁰); the invisible daughter is recorded in ``p4_inv``. A channel with ONE
visible daughter and an invisible one (:data:`SINGLE_VISIBLE_FINAL_STATES`: N → ν γ) is a two-body decay in the X
frame, isotropic or, with ``Decays.asymmetry`` α declared for it (α of the VISIBLE daughter) and a polarisation,
drawn as above (1 + aP cos θ of the visible daughter); the record has no second visible particle (``pdg_vis2`` = 0).
The count, the decay points and the re-weighting do not depend on the daughters (they use BR(X → c) and the chord
only), so truth-level totals are exact. A channel through an intermediate state (``via``: ν π⁰) may declare
``Decays.asymmetry`` α of the intermediate state: with a polarisation, R's direction in the X frame follows
1 + αP cos θ about the spin axis (:func:`polarised_via_decay`; its two daughters stay isotropic in R's frame). A
three-body channel takes no ``asymmetry`` (rejected): its spin dependence is ``Decays.dalitz_spin`` ("Matrix element").

Matrix element. A three-body channel for which the state declares its spin-summed |M|² (``Decays.dalitz_msq``: a
function f(s12, s01) of the Dalitz invariants of the listed daughters (invisible 0, visible 1, visible 2), MeV²) is
drawn from it (:func:`dalitz_decay`): Dalitz points by accept–reject against a bound checked on every proposal
(:func:`darkbeam.kinematics.dalitz.sample_dalitz`, from a :func:`side_stream`), then an isotropic orientation from the
channel's generator (:func:`darkbeam.kinematics.dalitz.three_body_momenta`: in the pair frame the angle of daughter 1
to daughter 0 follows from s01). f is that of the channel as listed, for the state itself; each event follows the
charges written for it. The CP image (a Dirac state's CP-conjugate arrivals; a self-conjugate state's other charge
state) has the same |M|² in the conjugate particles' momenta: where the record keeps the pair's ids (e⁺e⁻), the two
visible daughters exchange roles, f(s12, s02). The pair's other charge order of ``pair_charge_fraction`` is a
different process: its density is declared under the key ``pair_conjugate_key(channel)`` (darkbeam.declarations; else f).
Spin: where the state also declares ``Decays.dalitz_spin`` (|M|²(s) = ½f + Σ b_i k_i·s) and is polarised, the
orientation is then re-drawn about the spin axis at the same Dalitz point by accept–reject on (A + P B·ŝ)/(A + |P||B|)
(:func:`darkbeam.kinematics.dalitz.orient_to_spin`, from a side stream; the CP image with −b, in its roles). Count,
decay points, weights and every other channel's numbers are those of flat phase space bit for bit (the Dalitz and
orientation draws use side streams, the charge draws of these channels move before the decay); only the daughters'
momenta of the declared channels (and the responses to them) and their records' charge orders change. Without a declaration: flat phase space
(:func:`multi_body_decay`: the pair mass of :func:`pair_mass_squared`, the pair's direction in the X frame and the
daughters' in the pair frame isotropic).

Shared arrivals. A model with several decay-in-volume channels of one state (the heavy neutral lepton's seven) gets
the same arrivals in every channel: ``build_signal`` seeds each channel's generator alike and the arrivals depend
only on the model, experiment, mode, n_mesons, the state's mass and the generator's state. They are computed once,
with their chords through the detector and the state's momenta (:func:`shared_rays`: the last result is kept for the same live model object, parameter values and generator
state, and a hit restores the generator to the state the computation left), so each channel's numbers are
bit-identical to building it alone; only the time changes.

Fiducial convention (the same as the scatter processes): decays anywhere in the detector's volume
(``exp.geometry``) are counted and the experiment's efficiency, which includes its fiducial cut
(MiniBooNE eg_effs), is applied by the response.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass

import hepunits as hu
import numpy as np

from ..constants import HBARC
from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..kinematics.fourvec import (
    two_body_decay,
)
from ..particles import TWO_BODY_FINAL_STATES, record_pdg
from ..production.channels import production_coupling2
from ..propagation.decay import decay_inside_probability, decay_probability
from .boson_flux import Arrivals, arrivals_from_sources, iter_boson_sources, no_flux_reason
from .decay_products import (
    MULTI_BODY_FINAL_STATES,
    SINGLE_VISIBLE_FINAL_STATES,
    charge_flags,
    charge_states,
    dalitz_decay,
    decay_asymmetry,
    multi_body_decay,
    pair_mass_squared,
    polarised_two_body_decay,
    polarised_via_decay,
    sample_cos_theta,
    self_conjugate_pair,
    side_stream,
    spin_axes,
)
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

#: share of a sample's events drawn from the long-lived-limit expectation when some rays' decay probability
#: underflows at the sample's couplings (see ``DecayInVolumeSignal.build``)
MIX_LONG_LIVED = 0.1


@SIGNAL_PROCESSES.register("decay-in-volume", "a long-lived state decaying inside the detector volume")
class DecayInVolumeSignal(SignalProcess):
    """Generic decay-in-volume detection (see module docstring)."""

    name = "decay-in-volume"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        ch = self.declared(model)
        dec = model.boson_decays(ch.incoming)
        m_x = float(dec.mass)
        if ch.visible in TWO_BODY_FINAL_STATES:
            (pdg1, pdg2), (m1, m2) = TWO_BODY_FINAL_STATES[ch.visible]
            threshold = m1 + m2
        elif ch.visible in MULTI_BODY_FINAL_STATES:
            (pdg_nu, pdg1, pdg2), (m0, m1, m2), via = MULTI_BODY_FINAL_STATES[ch.visible]
            threshold = m0 + (via or m1 + m2)
        elif ch.visible in SINGLE_VISIBLE_FINAL_STATES:
            (pdg_nu, pdg1), (m0, m1) = SINGLE_VISIBLE_FINAL_STATES[ch.visible]
            pdg2, threshold = 0, m0 + m1
        else:
            known = ", ".join((*TWO_BODY_FINAL_STATES, *MULTI_BODY_FINAL_STATES, *SINGLE_VISIBLE_FINAL_STATES))
            return _empty(model, experiment, mode, f"visible channel {ch.visible!r} has no final state in "
                          f"darkbeam.particles or decay_in_volume.MULTI_BODY_FINAL_STATES / SINGLE_VISIBLE_FINAL_STATES "
                          f"(known: {known})", self.name)
        if not dec.widths.get(ch.visible, 0.0) > 0:
            why = (f"{ch.incoming} -> {ch.visible} is closed (m = {m_x:g} MeV <= {threshold:g} MeV)"
                   if m_x <= threshold else f"{ch.incoming} -> {ch.visible} has zero width at these couplings")
            return _empty(model, experiment, mode, why, self.name)
        if exp.geometry is None:
            return _empty(model, experiment, mode, f"{experiment} has no detector geometry for decays in volume",
                          self.name)
        rays = shared_rays(model, experiment, mode, n_mesons, m_x, rng, progress)
        arrivals = rays.arrivals
        if len(arrivals) == 0:
            return _empty(model, experiment, mode, no_flux_reason(model, experiment, mode, ch.incoming), self.name)
        prod = production_coupling2(model, rays.labels)[rays.codes]
        base_flux = np.where(prod > 0, arrivals.weight / np.where(prod > 0, prod, 1.0), 0.0)
        u, t_in, t_out, p = rays.u, rays.t_in, rays.t_out, rays.p
        area_cm2 = face_area(exp) / hu.cm2
        p_in = decay_inside_probability(t_in, t_out, p / m_x * HBARC / dec.total)
        br = dec.widths[ch.visible] / dec.total
        importance = base_flux * area_cm2 * p_in * br * prod
        hits = (t_out > t_in) & (base_flux * prod > 0)
        lost = hits & (p_in == 0.0)
        if np.any(lost):
            # rays on which X decays (long) before the detector at these couplings (P underflows to 0) could never be
            # drawn, so re-weighting to a longer-lived X would silently miss them: a share MIX_LONG_LIVED of the
            # events is drawn from the long-lived-limit expectation (P ≈ chord/λ ∝ chord m/p, any width) instead.
            # Unbiased at any coupling (the weights divide by the mixed importance; event_factor gives P at the model).
            ll = np.where(hits, base_flux * area_cm2 * br * prod * (t_out - t_in) * m_x / np.maximum(p, 1e-300), 0.0)
            tot = float(np.sum(importance))
            importance = ((1.0 - MIX_LONG_LIVED) * importance / tot if tot > 0 else 0.0) + (
                (MIX_LONG_LIVED if tot > 0 else 1.0) * ll / float(np.sum(ll)))
        idx, wfac = _resample(rng, importance, n_events)
        if len(idx) == 0:
            return _empty(model, experiment, mode, f"no {ch.incoming} decays inside {experiment} (every ray misses "
                          "the detector volume)", self.name)
        lam = p[idx] / m_x * HBARC / dec.total
        # decay point along the chord: exponential truncated to [t_in, t_out]
        length = t_out[idx] - t_in[idx]
        r = rng.random(len(idx))
        dist = np.minimum(-lam * np.log1p(-r * decay_probability(length, lam)), length)
        x_dec = arrivals.origin[idx] + (t_in[idx] + dist)[:, None] * u[idx]
        p4_x = np.concatenate([arrivals.energy[idx, None], p[idx, None] * u[idx]], axis=1)
        pol, alpha = decay_asymmetry(dec, ch.visible, arrivals, idx)
        inv, pdg_inv, b, flags = None, 0, None, None
        if ch.visible in MULTI_BODY_FINAL_STATES or ch.visible in SINGLE_VISIBLE_FINAL_STATES:
            # invisible + visible pair or one visible (module docstring, "Multi-body" and "Polarisation")
            via = MULTI_BODY_FINAL_STATES[ch.visible][2] if ch.visible in MULTI_BODY_FINAL_STATES else None
            if ch.visible in MULTI_BODY_FINAL_STATES and via is None and np.any(alpha * pol != 0.0):
                raise InputError(f"{model.name} Decays.asymmetry", ch.visible, "an asymmetry only for two-body "
                                 "channels (TWO_BODY_FINAL_STATES, SINGLE_VISIBLE_FINAL_STATES, or an invisible daughter "
                                 "and an intermediate state such as nu pi0); dalitz_spin for three-body ones")
            if ch.visible in MULTI_BODY_FINAL_STATES and ch.visible in getattr(dec, "dalitz_msq", {}):
                # |M|² declared (module docstring, "Multi-body"): the charges first, the kinematics follow them
                flags = charge_flags(dec, arrivals, idx, rng, pdg1, pdg2, ch.visible, three_body=True)
                spin = ch.visible in getattr(dec, "dalitz_spin", {}) and np.any(pol != 0.0)
                axis = spin_axes(p4_x, arrivals.parent_p4[idx], m_x) if spin else None
                inv, a, b = dalitz_decay(rng, p4_x, dec, ch.visible, *flags, pol if spin else None, axis)
            elif via is not None and np.any(alpha * pol != 0.0):  # the intermediate state follows 1 + αP cos θ
                axis = spin_axes(p4_x, arrivals.parent_p4[idx], m_x)
                inv, a, b = polarised_via_decay(rng, p4_x, axis, alpha * pol, ch.visible)
            elif ch.visible in MULTI_BODY_FINAL_STATES:
                inv, a, b = multi_body_decay(rng, p4_x, m_x, ch.visible)
            elif np.any(alpha * pol != 0.0):  # the visible daughter follows 1 + αP cos θ (module docstring)
                axis = spin_axes(p4_x, arrivals.parent_p4[idx], m_x)
                a, inv = polarised_two_body_decay(rng, p4_x, axis, alpha * pol, m1, m0)
            else:
                inv, a = two_body_decay(rng, p4_x, m0, m1)
            pdg_inv = pdg_nu
        elif np.any(alpha * pol != 0.0):  # a polarised state with an asymmetric decay (module docstring)
            axis = spin_axes(p4_x, arrivals.parent_p4[idx], m_x)
            a, b = polarised_two_body_decay(rng, p4_x, axis, alpha * pol, m1, m2)
        else:
            a, b = two_body_decay(rng, p4_x, m1, m2)
        # response order: (particle, antiparticle) as in the other processes (e⁻ first)
        first, second = (b, a) if pdg1 < 0 else (a, b)  # one visible (b None): (a, None)
        w = base_flux[idx] * area_cm2 * wfac
        res = _response(experiment, mode, first, second, w, rng, detector)
        n = len(idx)
        pdg_x = record_pdg(model)  # the decaying state's id (its ``state_pdg``, else its boson kind's)
        # charges of the record (module docstring, "Charges"): ids only, drawn after every other random number
        pdg_in, pdg_v1, pdg_v2 = charge_states(dec, arrivals, idx, rng, pdg_x, max(pdg1, pdg2), min(pdg1, pdg2),
                                               ch.visible, p4_x, a, flags)
        piece = dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                     base_weight=np.where(res.accepted, res.weight, 0.0),
                     source=arrivals.parent[idx], target=np.full(n, "", dtype="<U4"),
                     **_particles(p4_x, pdg_in, first, pdg_v1, second, pdg_v2,
                                  np.zeros((n, 4)), 0, inv, pdg_inv))
        out = _assemble(model, experiment, mode, [piece], self.name)
        out.columns = {"t_in": t_in[idx], "t_out": t_out[idx], "p_lab": p[idx], "x_prod": arrivals.origin[idx],
                       "x_dec": x_dec, "polarisation": pol, "asymmetry": alpha}
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

    def zero_reason(self, sample: SignalSample, model: Model) -> str:
        """Why a sample with events has zero weight at ``model``: X decays before the detector on every ray (the
        decay probability inside underflows), or the response rejects every event, or a coupling is zero."""
        ch = self.declared(model)
        dec = model.boson_decays(ch.incoming)
        if np.any(sample.base_weight > 0) and dec.total > 0 and len(sample.base_weight):
            c = sample.columns
            lam = c["p_lab"] / float(dec.mass) * HBARC / dec.total
            if not np.any(decay_inside_probability(c["t_in"], c["t_out"], lam) > 0):
                return (f"{ch.incoming} decays before it reaches the detector at these couplings (c*tau = "
                        f"{HBARC / dec.total:.3g} mm; the smallest distance to it is "
                        f"{float(np.min(c['t_in'] / lam)):.3g} decay lengths)")
        return super().zero_reason(sample, model)


@dataclass(frozen=True)
class Rays:
    """The arrivals of one state at a detector and what every decay-in-volume channel reads from them (all read-only,
    shared between the channels of one model): the arrivals' parent labels (``labels``, and ``codes`` indexing them),
    the unit ray directions ``u``, the chord ``t_in``, ``t_out`` (mm) through the detector along each ray, and the
    state's momentum ``p`` (MeV)."""

    arrivals: Arrivals
    labels: np.ndarray
    codes: np.ndarray
    u: np.ndarray
    t_in: np.ndarray
    t_out: np.ndarray
    p: np.ndarray


#: the last rays computed by :func:`shared_rays`, one tuple (key, weak reference to the model, rays, generator state
#: after), replaced whole so that concurrent builds (threaded scans) never read a mixed entry
_LAST_ARRIVALS: list[tuple] = []


def shared_rays(model: Model, experiment: str, mode: str, n_mesons: int, m_x: float, rng: np.random.Generator,
                progress: bool = False) -> Rays:
    """Arrivals at the detector of the model's state of mass ``m_x`` (MeV) from every production channel (module
    docstring, step 1) with their chords, advancing ``rng`` as their computation does. The last result is reused when
    the same live ``model`` object, with the same parameter values, asks again with the same experiment, mode,
    n_mesons, mass and generator state (the next channel of one ``build_signal``): ``rng`` is then set to the state
    the computation left, so every number is that of a fresh computation (module docstring, "Shared arrivals")."""
    key = (type(model), json.dumps(model.values, sort_keys=True, default=str), experiment, mode, int(n_mesons),
           float(m_x), json.dumps(rng.bit_generator.state, sort_keys=True, default=str))
    last = _LAST_ARRIVALS[0] if _LAST_ARRIVALS else None  # one read: the tuple is replaced whole
    if last is not None and last[0] == key and last[1]() is model:
        rng.bit_generator.state = last[3]
        return last[2]
    exp = get_experiment(experiment)
    arrivals = Arrivals.concat([
        arrivals_from_sources(xs, pp4, label, m_x, exp, rng)
        for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng, progress=progress)
    ])
    labels, codes = np.unique(arrivals.parent, return_inverse=True)
    ray = arrivals.point - arrivals.origin
    u = ray / np.linalg.norm(ray, axis=1)[:, None] if len(arrivals) else ray
    have = len(arrivals) > 0 and exp.geometry is not None  # no geometry: the process closes the channel first
    t_in, t_out = exp.chord(arrivals.origin, u) if have else (np.zeros(len(arrivals)), np.zeros(len(arrivals)))
    p = np.sqrt(np.clip(arrivals.energy**2 - m_x**2, 0.0, None))
    rays = Rays(arrivals, labels, codes, u, np.asarray(t_in), np.asarray(t_out), p)
    arrays = [v for v in vars(arrivals).values() if isinstance(v, np.ndarray)] + [labels, codes, u, rays.t_in,
                                                                                   rays.t_out, p]
    for v in arrays:  # shared between channels: read-only, so that no channel can alter another's
        v.flags.writeable = False
    _LAST_ARRIVALS[:] = [(key, weakref.ref(model), rays, rng.bit_generator.state)]
    return rays


def shared_arrivals(model: Model, experiment: str, mode: str, n_mesons: int, m_x: float, rng: np.random.Generator,
                    progress: bool = False) -> Arrivals:
    """The arrivals of :func:`shared_rays` (MeV, mm)."""
    return shared_rays(model, experiment, mode, n_mesons, m_x, rng, progress).arrivals


__all__ = ["MULTI_BODY_FINAL_STATES", "SINGLE_VISIBLE_FINAL_STATES", "DecayInVolumeSignal", "Rays", "charge_flags", "charge_states", "dalitz_decay", "decay_asymmetry", "multi_body_decay", "pair_mass_squared", "polarised_two_body_decay", "polarised_via_decay", "sample_cos_theta", "self_conjugate_pair", "shared_arrivals", "shared_rays", "side_stream", "spin_axes"]
