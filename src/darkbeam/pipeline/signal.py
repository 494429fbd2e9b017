"""Signal predictions in a detector: dark-sector flux → survival → interaction → response.

Two processes (seed 000, Dutta et al., arXiv:2110.11944, Eqs. 4-5):

* ``muphilic-scalar`` / ``muphilic-pseudoscalar`` (model ii): φ/a from π/K → μ ν φ reach the detector
  (survival exp(−L m Γ/(p ħc)) with the model's total width) and convert, "dark Primakoff"
  φ/a N → γ N through the Z', coherently on carbon and incoherently on nucleons; the photon is one
  electron-like shower.
* ``vector-idm`` (model i): V1 from π/K → ℓ ν V1 and π0/η → γ V1 decays promptly to χχ (BR set by
  the model); χ reaching the detector upscatters χ N → χ' N; χ' → χ V1 → χ e⁺e⁻ (or through an
  off-shell V1); the pair is one shower when overlapping or asymmetric (detector response).

Event rates: with a flux Φ (per cm², averaged over the detector disc) the number of interactions is
Φ σ N_T for N_T targets in the detector (thin target), independent of the detector's shape; the
MiniBooNE efficiency (eg_effs) includes the fiducial cut, so N_T counts the 818 t of CH2.

Speed: everything that depends only on masses is generated once (fluxes, final states, detector
response) and cached in a :class:`SignalSample`; couplings then re-weight it. Arrivals are
resampled in proportion to w·N_T·σ(E) (σ at reference couplings, whose shape in E does not depend on
couplings at fixed masses), so that the expensive final-state sampling is done for a fixed number
of events; the event weight carries the estimate of the total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import hepunits as hu
import numpy as np

from ..constants import HBARC
from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..detectors.response import RESPONSES, get_response
from ..errors import InputError
from ..interactions import dm_upscattering as up
from ..interactions import primakoff
from ..interactions.dm_upscattering import chi_prime_widths, scattering_couplings, v1_branching_ee
from ..interactions.targets import get_target
from ..kinematics.fourvec import dot, two_body_decay
from ..particles import BOSON_PDG, CHI_PDG, NUCLEUS_PDG
from ..propagation.decay import decay_length, survival_probability
from ..registry import Registry
from .boson_flux import Arrivals, arrivals_from_sources, iter_boson_sources, parent_fields
from .estimators import forced_flux
from .geometry import detector_center

OBSERVABLES = ("E_vis", "cos_theta", "E_QE")


@dataclass
class SignalSample:
    """Signal events (after detector response) at fixed masses, re-weightable in couplings.

    Attributes:
        model: the reference model the sample was generated with.
        experiment, mode: where and how.
        E_vis (MeV), cos_theta, E_QE (MeV): reconstructed observables per event.
        base_weight: events per POT *without* the coupling factors ``factors(model)`` and without
            survival of the incoming particle; efficiency and acceptance included.
        path, p_lab: path length (mm) and momentum (MeV) of the long-lived incoming particle, for
            its survival probability (None when no survival factor applies).
        source: production source label ("pi+ mu", "pi0", ...). target: "C12" / "H1".
        note: why the sample is empty, if it is.
        particles: true final-state four-momenta (lab, MeV) per event for event files: keys
            ``p4_in`` / ``pdg_in`` (the incoming dark particle), ``p4_vis1``, ``p4_vis2`` (visible
            particles; zeros when absent) with ``pdg_vis1``, ``pdg_vis2``, ``p4_recoil`` / ``pdg_recoil``,
            and ``p4_inv`` / ``pdg_inv`` (an outgoing invisible particle, zeros when absent).
        columns: further per-event arrays a process needs to re-weight or describe its events (free set;
            e.g. decay-in-volume: ``t_in``, ``t_out`` (mm), ``p_lab`` (MeV), ``x_prod``, ``x_dec`` (mm)).
    """

    model: Model
    experiment: str
    mode: str
    E_vis: np.ndarray
    cos_theta: np.ndarray
    E_QE: np.ndarray
    base_weight: np.ndarray
    source: np.ndarray
    target: np.ndarray
    path: np.ndarray | None = None
    p_lab: np.ndarray | None = None
    note: str = ""
    process: str = ""
    meta: dict = field(default_factory=dict)
    particles: dict[str, np.ndarray] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    #: index of the model's detection channel (``model.detection``) the sample was built for
    channel: int = 0

    def weights(self, model: Model | None = None, pot: float = 1.0) -> np.ndarray:
        """Events per bin-able event for ``model`` (same masses as the reference) times ``pot``."""
        model = self.model if model is None else model
        _check_same_masses(self.model, model)
        if "process" not in self.meta:  # the process that built the sample knows its re-weighting
            self.meta["process"] = SIGNAL_PROCESSES.get(self.process)()
            self.meta["process"].index = self.channel
        return self.base_weight * self.meta["process"].event_factor(self, model) * pot

    def total(self, model: Model | None = None, pot: float = 1.0) -> float:
        """Total expected events for ``pot`` protons on target."""
        return float(np.sum(self.weights(model, pot)))

    def histogram(self, observable: str, edges: np.ndarray, model: Model | None = None,
                  pot: float = 1.0) -> np.ndarray:
        """Expected events per bin of ``observable``."""
        if observable not in OBSERVABLES:
            raise InputError("observable", observable, OBSERVABLES)
        x = getattr(self, observable)
        w = self.weights(model, pot)
        ok = np.isfinite(x)
        return np.histogram(x[ok], bins=np.asarray(edges, float), weights=w[ok])[0]


def _check_same_masses(ref: Model, new: Model) -> None:
    """Masses, string settings and parameters flagged ``fixed_in_sample`` are fixed in a cached sample; so is
    a coupling that was exactly zero when the sample was made. A zero coupling closes the production, decay
    or detection channels it controls (π → eνφ at g_e = 0, K → eN at |U_e|² = 0), so the sample has no events
    of them, and re-weighting to a non-zero value would silently leave them out."""
    if type(ref) is not type(new):
        raise InputError("model", new.name, f"the model of the cached sample ({ref.name})")
    for p in ref.params:
        if p.is_fixed_in_sample and ref.values[p.name] != new.values[p.name]:
            raise InputError(f"{new.name}.{p.name}", new.values[p.name],
                             f"{ref.values[p.name]!r} (masses, settings and parameters flagged fixed_in_sample "
                             "are fixed in a cached sample; generate a new one)")
        if (not p.is_fixed_in_sample and ref.values[p.name] == 0.0 and new.values[p.name] != 0.0):
            raise InputError(f"{new.name}.{p.name}", new.values[p.name],
                             "0, its value in the sample: the channels a zero coupling closes have no events there, "
                             "so re-weighting cannot open them; generate a sample at a non-zero value")


class SignalProcess:
    """Interface of a signal process: build a sample, and its re-weighting in couplings.

    ``event_factor(sample, model)`` is the factor each event's ``base_weight`` is multiplied by for
    ``model``; the default is ``coupling_factor`` (evaluated once per source label) times ``survival``
    of the incoming particle over its recorded path.
    """

    name = ""
    #: which of the model's detection channels (index into ``model.detection``) this instance builds
    index = 0
    #: whether the process sends its visible particles through the experiment's e/γ shower response (``_response``);
    #: False for a process that applies its own selection where the response refuses showers (``dm-elastic``)
    shower_response = True

    def declared(self, model: Model):
        """The detection channel of ``model`` this process builds and re-weights."""
        return detection_channel(model, self.index)

    def event_factor(self, sample: SignalSample, model: Model) -> np.ndarray:
        """Coupling dependence of each event of ``sample`` at ``model`` (same masses)."""
        if "labels" not in sample.meta:  # coupling factors are evaluated once per source label
            sample.meta["labels"], sample.meta["codes"] = np.unique(sample.source, return_inverse=True)
        f = self.coupling_factor(model, sample.meta["labels"])[sample.meta["codes"]]
        if sample.path is not None:
            f = f * self.survival(model, sample.p_lab, sample.path)
        return f

    def build(self, model: Model, experiment: str, mode: str, n_mesons: int, n_events: int,
              rng: np.random.Generator, progress: bool, detector: bool = True) -> SignalSample:  # pragma: no cover
        raise NotImplementedError

    def coupling_factor(self, model: Model, source: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def survival(self, model: Model, p: np.ndarray, path: np.ndarray) -> np.ndarray:
        return np.ones_like(p)

    def zero_reason(self, sample: SignalSample, model: Model) -> str:
        """Why a sample with events has zero weight at ``model`` (the note of an all-zero sample)."""
        if not np.any(sample.base_weight > 0):
            return "no sampled event passes the detector response (threshold, topology or efficiency)"
        if sample.path is not None and "labels" in sample.meta:
            f = self.coupling_factor(model, sample.meta["labels"])[sample.meta["codes"]]
            if np.any(sample.base_weight * f > 0):
                try:
                    d = model.boson_decays()
                    ctau = HBARC / d.total if d.total > 0 else float("inf")
                    return (f"{model.boson} decays before it reaches the detector (c*tau = {ctau:.3g} mm, "
                            f"channels: {', '.join(k for k, v in d.widths.items() if v > 0)})")
                except InputError:
                    return "the incoming state decays before it reaches the detector"
        return "the coupling factors of the detection channel are zero at these couplings"


#: detection processes by process name (what a model's detection declaration names; never a model name)
SIGNAL_PROCESSES: Registry[type[SignalProcess]] = Registry("detection process")


def _resample(rng: np.random.Generator, importance: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices drawn ∝ ``importance`` and the weight factor total/n each drawn event carries."""
    tot = float(np.sum(importance))
    if not tot > 0 or n <= 0:
        return np.zeros(0, int), np.zeros(0)
    idx = rng.choice(len(importance), size=n, p=importance / tot)
    return idx, np.full(n, tot / n) / importance[idx]


def _sigma_interp(fn: Callable[[np.ndarray], np.ndarray], e: np.ndarray, e_min: float) -> np.ndarray:
    """σ(E) from a log grid (vectorised cross-sections with quadrature are costly per event)."""
    if len(e) == 0:
        return np.zeros(0)
    lo = max(e_min * (1 + 1e-9), float(e.min()))
    hi = max(float(e.max()), lo * 1.001)
    grid = np.geomspace(lo, hi, 160)
    vals = fn(grid)
    return np.where(e >= e_min, np.interp(e, grid, vals, left=0.0), 0.0)


@dataclass
class _TruthResult:
    """Stand-in for the detector response: true visible energy and direction, every event kept."""

    E_vis: np.ndarray
    cos_theta: np.ndarray
    E_QE: np.ndarray
    weight: np.ndarray
    accepted: np.ndarray


def _truth(p4_a, p4_b, w) -> _TruthResult:
    p = p4_a if p4_b is None else p4_a + p4_b
    cos = p[:, 3] / np.maximum(np.linalg.norm(p[:, 1:], axis=1), 1e-300)
    return _TruthResult(p[:, 0], cos, np.full(len(w), np.nan), w, np.ones(len(w), bool))


def _response(experiment: str, mode: str, p4_a, p4_b, w, rng, detector: bool = True):
    """Detector response of the experiment, or the truth-level stand-in when ``detector`` is False.

    E_QE is reconstructed with the CCQE hypothesis of the beam mode (ν_e in neutrino mode, ν̄_e in
    antineutrino mode; off-target and stopped-source runs use the neutrino hypothesis)."""
    if not detector:
        return _truth(p4_a, p4_b, w)
    resp = get_response(experiment, eqe_mode="antineutrino" if mode == "antineutrino" else "neutrino")
    return resp(p4_a, p4_b, w, rng)


@SIGNAL_PROCESSES.register("dark-primakoff", "dark Primakoff φ/a N → γ N through Z' (seed 000, model ii)")
class DarkPrimakoffSignal(SignalProcess):
    """Long-lived (pseudo)scalar converting to a photon in the detector."""

    name = "dark-primakoff"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        m_x = float(model.m_x)
        arrivals = Arrivals.concat([
            arrivals_from_sources(xs, pp4, label, m_x, exp, rng)
            for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng,
                                                     progress=progress)
        ])
        g_lam = float(model.g_n * model.lam)
        if len(arrivals.energy) == 0 or g_lam == 0:
            why = "no flux reaches the detector" if len(arrivals.energy) == 0 else "g_n * lam = 0"
            return _empty(model, experiment, mode, why, self.name)
        # production couplings are divided out (per channel) so that re-weighting can restore them
        prod = self.coupling_factor(model, arrivals.parent, detection=False)
        base_flux = np.where(prod > 0, arrivals.weight / np.where(prod > 0, prod, 1.0), 0.0)
        pieces, picked = [], []
        for target, n_t in exp.targets().items():
            cur = str(model.zprime_current)
            sig = _sigma_interp(
                lambda e, tgt=target, cur=cur: primakoff.sigma_all(model, tgt, e, coupling=cur)["total"],
                arrivals.energy, m_x) / g_lam**2
            idx, wfac = _resample(rng, base_flux * sig * n_t, n_events)
            if len(idx) == 0:
                continue
            ev = primakoff.sample_primakoff(rng, model, target, arrivals.energy[idx], arrivals.direction[idx],
                                            coupling=cur)
            w = base_flux[idx] * sig[idx] * n_t * wfac
            res = _response(experiment, mode, ev.p4_gamma, None, w, rng, detector)
            pieces.append(dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                               base_weight=np.where(res.accepted, res.weight, 0.0),
                               source=arrivals.parent[idx], target=np.full(len(idx), target),
                               path=arrivals.distance[idx],
                               p_lab=np.sqrt(np.clip(arrivals.energy[idx] ** 2 - m_x**2, 0, None)),
                               **_particles(_p4(arrivals.energy[idx], m_x, arrivals.direction[idx]),
                                            BOSON_PDG[model.boson_kind], ev.p4_gamma, 22, None, 0,
                                            ev.p4_recoil, _recoil_pdg(target, ev.component), None, 0)))
            picked.append(idx)
        out = _assemble(model, experiment, mode, pieces, self.name)
        if pieces:  # event-record columns (no random numbers): parents, vertices, the flux at the detector
            p_all = np.sqrt(np.clip(arrivals.energy**2 - m_x**2, 0, None))
            flux = float(np.sum(arrivals.weight * self.survival(model, p_all, arrivals.distance)))
            out.columns = arrival_columns(arrivals, np.concatenate(picked), flux)
        return out

    def coupling_factor(self, model, source, detection: bool = True):
        """g_ℓ² of each source's lepton (×(g_n λ)² when ``detection``)."""
        g2 = {"mu": float(model.g_mu) ** 2, "e": float(model.g_e) ** 2}
        labels, codes = np.unique(source, return_inverse=True)
        f = np.array([g2.get(str(lab).split()[-1], 0.0) for lab in labels], dtype=float)[codes]
        if detection:
            f = f * float(model.g_n * model.lam) ** 2
        return f

    def survival(self, model, p, path):
        """exp(−path/λ), λ = (p/m) ħc/Γ_tot of the model's declared boson widths."""
        d = model.boson_decays()
        return survival_probability(path, decay_length(p, d.mass, HBARC / d.total) if d.total > 0 else np.inf)


@SIGNAL_PROCESSES.register("idm-upscattering", "χ N → χ' N, χ' → χ e⁺e⁻ (seed 000, model i)")
class InelasticDMSignal(SignalProcess):
    """Vector-portal inelastic dark matter upscattering in the detector."""

    name = "idm-upscattering"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        exp = get_experiment(experiment)
        m_chi = float(model.m_chi)
        pieces_arr = []
        for xs, pp4, label in iter_boson_sources(model, experiment, mode, n_mesons=n_mesons, rng=rng,
                                                 progress=progress):
            pieces_arr.extend(_chi_arrivals(xs, pp4, label, m_chi, exp, rng))
        arrivals = Arrivals.concat(pieces_arr)
        f_ref = self.coupling_factor(model, arrivals.parent)
        if len(arrivals.energy) == 0 or not np.any(f_ref > 0):
            why = "no flux reaches the detector" if len(arrivals.energy) == 0 else "a coupling is zero"
            return _empty(model, experiment, mode, why, self.name)
        # arrivals carry ε1² (production BR) but not BR(V1→χχ): divide ε1² out
        base_flux = arrivals.weight / float(model.eps1) ** 2
        sc2 = _scattering_coupling2(model)
        pieces, picked = [], []
        for target, n_t in exp.targets().items():
            e_thr = up.threshold_energy(m_chi, float(model.m_chi_prime), _target_mass(target))
            sig = _sigma_interp(lambda e, target=target: up.sigma_all(model, target, e)["total"],
                                arrivals.energy, max(e_thr, m_chi)) / sc2
            idx, wfac = _resample(rng, base_flux * sig * n_t, n_events)
            if len(idx) == 0:
                continue
            e = arrivals.energy[idx]
            p = np.sqrt(np.clip(e * e - m_chi**2, 0, None))
            p4_chi = np.concatenate([e[:, None], p[:, None] * arrivals.direction[idx]], axis=1)
            ev = up.sample_upscattering(rng, model, target, p4_chi)
            dec = up.sample_chi_prime_decay(rng, model, ev.p4_chi_prime)
            # dec.weight = BR(χ' → χ e⁺e⁻) at the reference model: divided out, restored by re-weighting
            w = base_flux[idx] * sig[idx] * n_t * wfac * np.where(ev.is_open, 1.0, 0.0)
            res = _response(experiment, mode, dec.p4_em, dec.p4_ep, w, rng, detector)
            pieces.append(dict(E_vis=res.E_vis, cos_theta=res.cos_theta, E_QE=res.E_QE,
                               base_weight=np.where(res.accepted, res.weight, 0.0),
                               source=arrivals.parent[idx], target=np.full(len(idx), target),
                               **_particles(p4_chi, CHI_PDG, dec.p4_em, 11, dec.p4_ep, -11,
                                            ev.p4_recoil, _recoil_pdg(target, ev.component), dec.p4_chi,
                                            CHI_PDG)))
            picked.append(idx)
        out = _assemble(model, experiment, mode, pieces, self.name)
        if pieces:  # event-record columns (no random numbers); χ flux = V1-decay arrivals × BR(V1 → χχ)
            flux = float(np.sum(arrivals.weight)) * float(model.br_v1_chichi)
            out.columns = arrival_columns(arrivals, np.concatenate(picked), flux)
        return out

    def coupling_factor(self, model, source):
        """ε1² · BR(V1→χχ) · (ε_s g')² · BR(χ'→χ e⁺e⁻), the coupling dependence of each event."""
        f = float(model.eps1) ** 2 * float(model.br_v1_chichi) * _scattering_coupling2(model)
        return np.full(len(source), f * chi_prime_visible_br(model))


def _scattering_coupling2(model: Model) -> float:
    """(ε_s g')² of the upscattering (σ ∝ it; seed 000 Eq. B1 with e² absorbed in σ)."""

    sc = scattering_couplings(model)
    return float(sc.eps * sc.g_prime) ** 2


def chi_prime_visible_br(model: Model) -> float:
    """BR(χ' → χ e⁺e⁻): BR(χ'→χV1)·BR(V1→e⁺e⁻) on shell, else BR(χ' → χ e⁺e⁻ via V1*)."""

    w = chi_prime_widths(model)
    if w["total"] <= 0:
        return 0.0
    if "chi V1" in w:
        return v1_branching_ee(model) * w["chi V1"] / w["total"]
    return w.get("chi e+e- (V1*)", 0.0) / w["total"]


def _target_mass(name: str) -> float:
    return float(get_target(name).mass)


def _chi_arrivals(v1, parent_p4, label, m_chi, exp, rng) -> list[Arrivals]:
    """χ from V1 → χχ (prompt, isotropic in the V1 frame: V1 polarisation neglected) arriving at the
    detector. Both χ of each decay are kept. The point-flux estimator is applied with the *meson* as
    the parent: summed over everything else, a χ is emitted isotropically in the rest frame of the
    spin-0 meson, with the rest-frame energy E* = p_χ·P/M of the explicitly sampled chain. (With V1 as
    the parent the highly boosted V1 makes a narrow two-root cone whose Jacobian edge gives the
    estimator an unbounded variance.)"""

    chi_a, chi_b = two_body_decay(rng, v1.p4, m_chi, m_chi)
    m_parent = np.sqrt(np.clip(dot(parent_p4, parent_p4), 0, None))
    out = []
    for chi in (chi_a, chi_b):
        e_star = dot(chi, parent_p4) / m_parent
        e, w, idx = forced_flux(parent_p4, v1.x, v1.w, e_star, m_chi, exp, rng)
        d = detector_center(exp) - v1.x[idx]
        r = np.linalg.norm(d, axis=1)
        out.append(Arrivals(e, d / r[:, None], r, w, np.full(len(e), label, dtype="<U8"), v1.x[idx], None,
                            **parent_fields(v1, parent_p4, idx)))
    return out


def arrival_columns(arrivals: Arrivals, idx: np.ndarray, flux_total: float) -> dict[str, np.ndarray]:
    """Per-event columns for event records, from the arrivals ``idx`` the events were drawn from:
    ``x_prod`` (the dark state's production point = the parent's decay point, mm), ``parent_pdg``,
    ``parent_p4`` (MeV, at the decay), ``parent_x0`` (the parent's production point in the target, mm),
    and ``flux_total``: the integrated flux of the incoming dark state at the detector (per cm² per POT at
    the reference couplings, survival included; the same value in every row), for the flux-averaged
    cross-section of event files. Fields the production channel does not report are left out."""
    cols = {"x_prod": arrivals.origin, "parent_pdg": arrivals.parent_pdg, "parent_p4": arrivals.parent_p4,
            "parent_x0": arrivals.parent_x0}
    out = {k: np.asarray(v)[idx] for k, v in cols.items() if v is not None}
    out["flux_total"] = np.full(len(idx), float(flux_total))
    return out


def _empty(model, experiment, mode, why, process) -> SignalSample:
    z = np.zeros(0)
    return SignalSample(model, experiment, mode, z, z, z, z, np.zeros(0, "<U8"), np.zeros(0, "<U4"),
                        note=why, process=process)


# particle ids: darkbeam.particles (χ: CHI_PDG, X: BOSON_PDG, nuclei: NUCLEUS_PDG)
_NUCLEUS_PDG = NUCLEUS_PDG


def _recoil_pdg(target: str, component: np.ndarray) -> np.ndarray:
    """PDG id of the recoil: the nucleus (coherent, component 0), or the struck proton (1) / neutron (2)."""
    nucleus = _NUCLEUS_PDG.get(target, 0)
    return np.select([component == 0, component == 1, component == 2], [nucleus, 2212, 2112], 0)


def _p4(energy: np.ndarray, mass: float, direction: np.ndarray) -> np.ndarray:
    p = np.sqrt(np.clip(energy * energy - mass * mass, 0, None))
    return np.concatenate([energy[:, None], p[:, None] * direction], axis=1)


def _particles(p4_in, pdg_in, vis1, pdg1, vis2, pdg2, recoil, pdg_rec, inv, pdg_inv) -> dict:
    """Per-event true four-momenta for event files (see :class:`SignalSample` ``particles``)."""
    n = len(p4_in)
    z = np.zeros((n, 4))
    return {"p4_in": p4_in, "pdg_in": np.full(n, pdg_in), "p4_vis1": vis1, "pdg_vis1": np.full(n, pdg1),
            "p4_vis2": z if vis2 is None else vis2, "pdg_vis2": np.full(n, pdg2),
            "p4_recoil": recoil, "pdg_recoil": np.broadcast_to(pdg_rec, (n,)).copy(),
            "p4_inv": z if inv is None else inv, "pdg_inv": np.full(n, pdg_inv)}


_PARTICLE_KEYS = ("p4_in", "pdg_in", "p4_vis1", "pdg_vis1", "p4_vis2", "pdg_vis2", "p4_recoil", "pdg_recoil",
                  "p4_inv", "pdg_inv")


def _assemble(model, experiment, mode, pieces, process) -> SignalSample:
    if not pieces:
        return _empty(model, experiment, mode, "no open detection channel", process)
    cat = {k: np.concatenate([p[k] for p in pieces]) for k in pieces[0]}
    parts = {k: cat[k] for k in _PARTICLE_KEYS if k in cat}
    return SignalSample(model, experiment, mode, cat["E_vis"], cat["cos_theta"], cat["E_QE"], cat["base_weight"],
                        cat["source"], cat["target"], cat.get("path"), cat.get("p_lab"), process=process,
                        particles=parts)


def build_signal(
    model: Model,
    experiment: str = "miniboone",
    mode: str = "neutrino",
    n_mesons: int = 200_000,
    n_events: int = 20_000,
    seed: int = 12345,
    progress: bool = False,
    detector: bool = True,
) -> SignalSample:
    """Generate the cached signal sample of ``model`` at ``experiment`` in beam ``mode``.

    One sample per detection channel the model declares, each built by its own process with a generator
    seeded by ``seed`` (the first channel is built exactly as a single-channel model; channel k alone, with
    the same seed, gives the same events as channel k of the combined sample). Every event carries its
    channel's label in ``columns["channel"]``. A model with several channels gets a :class:`CombinedSample`
    (weights: the parts' weights, re-weighted each by its own process; observables concatenated). Where the response
    refuses e/γ showers (:func:`response_refusal`), such channels of a several-channel model close with that reason.

    Args:
        n_mesons: mesons sampled per parent species. n_events: detector events sampled per target.
        seed: random seed (same seed, same numbers).
        detector: apply the experiment's detector response (False: truth-level interactions, every
            event kept, E_vis = true energy of the visible final state, for validation).
    """
    channels = detection_channels(model)
    if n_events <= 0:
        raise InputError("n_events", n_events, "a positive integer")
    parts = []
    refused = response_refusal(experiment) if detector and len(channels) > 1 else ""
    if refused and all(SIGNAL_PROCESSES.get(ch.process).shower_response for ch in channels):
        raise InputError(f"detector response of {experiment} for electron-like (e/gamma shower) signals",
                         model.name, f"a model with a channel {experiment} selects: {refused}")
    for i, ch in enumerate(channels):
        proc = SIGNAL_PROCESSES.get(ch.process)()
        proc.index = i
        if refused and proc.shower_response:  # one channel of several: closed with the reason, the others still count
            sample = _empty(model, experiment, mode, f"not applicable at {experiment}: {refused}", proc.name)
        else:
            sample = proc.build(model, experiment, mode, n_mesons, n_events, np.random.default_rng(seed), progress,
                                detector)
        sample.channel = i
        sample.columns["channel"] = np.full(len(sample.base_weight), ch.label)
        if not sample.note and len(sample.base_weight) and not np.any(sample.weights() > 0):
            sample.note = proc.zero_reason(sample, model)
        parts.append(sample)
    return parts[0] if len(parts) == 1 else combine_samples(model, parts)


def response_refusal(experiment: str) -> str:
    """Why the detector response of ``experiment`` refuses electron-like (e/γ shower) signals, "" when it accepts
    them: a response that is a nucleon-recoil selection states it in ``shower_reason`` (MiniBooNE-DM,
    :mod:`darkbeam.detectors.response_recoil`)."""
    if experiment not in RESPONSES:
        return ""
    return str(getattr(get_response(experiment), "shower_reason", "") or "")


def detection_channels(model: Model) -> tuple:
    """Every detection channel the model declares (``model.detection``), checked: at least one, each naming
    a registered detection process, labels (``DetectionChannel.label``) distinct."""
    channels = tuple(getattr(model, "detection", ()))
    if not channels:
        raise InputError("model with a detection process", model.name,
                         "a model declaring a detection channel (see `darkbeam list models`)")
    for ch in channels:
        if ch.process not in SIGNAL_PROCESSES:
            raise InputError(f"{model.name} detection process", ch.process, SIGNAL_PROCESSES.names())
    labels = [ch.label for ch in channels]
    if len(set(labels)) != len(labels):
        raise InputError(f"{model.name} detection channels", labels, "channels with distinct labels")
    return channels


def detection_channel(model: Model, index: int = 0):
    """The ``index``-th detection channel the model declares (checked as in :func:`detection_channels`)."""
    channels = detection_channels(model)
    if not 0 <= index < len(channels):
        raise InputError(f"{model.name} detection channel index", index, f"0 .. {len(channels) - 1}")
    return channels[index]


@dataclass
class CombinedSample(SignalSample):
    """Signal of a model with several detection channels: ``parts`` (one :class:`SignalSample` per channel,
    each re-weighted by its own process) and their events concatenated in channel order. Per-event arrays
    a part lacks (``particles`` roles, ``columns``) are filled with zeros (NaN for float columns, "" for
    labels); ``columns["channel"]`` names each event's channel. ``note`` joins the parts' notes, each
    prefixed by its channel label (a closed channel says why; the others still count)."""

    parts: list = field(default_factory=list)

    def weights(self, model: Model | None = None, pot: float = 1.0) -> np.ndarray:
        """Concatenation of the parts' weights at ``model`` (each exact in its couplings) times ``pot``."""
        return np.concatenate([np.zeros(0)] + [p.weights(model, pot) for p in self.parts])

    def channel_notes(self) -> dict[str, str]:
        """{channel label: the part's note ("" when it has events)} in channel order."""
        return {detection_channel(self.model, p.channel).label: p.note for p in self.parts}


def _fill(arrays: list[np.ndarray | None], sizes: list[int]) -> np.ndarray:
    """Concatenate per-part arrays, a missing one (None) replaced by zeros / NaN / "" of the right shape."""
    ref = next(a for a in arrays if a is not None)
    filler = np.nan if ref.dtype.kind == "f" else ("" if ref.dtype.kind == "U" else 0)
    return np.concatenate([np.asarray(a) if a is not None else np.full((n, *ref.shape[1:]), filler, ref.dtype)
                           for a, n in zip(arrays, sizes, strict=True)])


def combine_samples(model: Model, parts: list[SignalSample]) -> CombinedSample:
    """One :class:`CombinedSample` of the per-channel ``parts`` (same model, experiment and mode)."""
    sizes = [len(p.base_weight) for p in parts]
    cat = {k: _fill([getattr(p, k) for p in parts], sizes)
           for k in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")}
    keys = {k: None for p in parts for k in p.particles}, {k: None for p in parts for k in p.columns}
    particles = {k: _fill([p.particles.get(k) for p in parts], sizes) for k in keys[0]}
    columns = {k: _fill([p.columns.get(k) for p in parts], sizes) for k in keys[1]}
    labels = [detection_channel(model, p.channel).label for p in parts]
    note = "; ".join(f"{lab}: {p.note}" for lab, p in zip(labels, parts, strict=True) if p.note)
    return CombinedSample(model, parts[0].experiment, parts[0].mode, cat["E_vis"], cat["cos_theta"], cat["E_QE"],
                          cat["base_weight"], cat["source"], cat["target"], note=note,
                          process="+".join(dict.fromkeys(p.process for p in parts)), particles=particles,
                          columns=columns, parts=list(parts))


assert hu.MeV == 1.0
