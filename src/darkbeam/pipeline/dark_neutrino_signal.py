"""Dark-neutrino signal at MiniBooNE as a re-weightable :class:`~darkbeam.pipeline.signal.SignalSample`.

Wraps :func:`darkbeam.pipeline.dark_neutrino.generate_events` (ν_μ/ν̄_μ + T → N_j + T with the official
BNB flux, N_j → N_k e⁺e⁻ or ν e⁺e⁻ inside the detector volume; seed 001, Abdullahi, Hostert, Pascoli,
arXiv:2007.11813) and passes the e⁺e⁻ pair through the detector response (detectors/response.py):
one electron-like shower when overlapping or asymmetric, 140 MeV threshold, official efficiency.

Chains: every HNL N_j that is upscattered, decaying into every open e⁺e⁻ channel (N_k e⁺e⁻, k < j,
and ν e⁺e⁻) with a branching ratio above :data:`MIN_BR` at the reference couplings. Cascades
(N6 → N5 e⁺e⁻ followed by N5 → N4 e⁺e⁻) are counted once, with the first pair only.

Re-weighting in couplings (masses, HNL type and Majorana phase convention fixed) is importance
re-weighting of each event (exact for the production and the decay probability):

    w_new = w_ref × [dσ_new/dQ²(E_ν, Q²) / dσ_ref/dQ²(E_ν, Q²)] × [P_in,new / P_in,ref] × [BR_new / BR_ref],

with P_in = exp(−l_enter/λ) − exp(−l_exit/λ) the probability to decay inside the detector volume
(λ = βγcτ0 from the total width at the new couplings) and BR the branching ratio of the simulated
channel. The shape of the e⁺e⁻ decay distribution is kept at the reference couplings (exact when
one mediator dominates the decay; the Z/Z' mixture of the decay amplitude could shift it slightly).
Chains with zero rate at the reference couplings are absent and cannot be re-weighted into.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..declarations import Model
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..interactions import hnl_decays as hd
from ..interactions.hnl_upscattering import TARGETS, Upscattering, _target_mass
from ..particles import HNL_PDG, NU_LIGHT_PDG, NUCLEUS_PDG
from .dark_neutrino import FLUX_BEAM, detector_volume, flux_nodes, generate_events
from .geometry import detector_center
from .signal import SIGNAL_PROCESSES, SignalProcess, SignalSample, _check_same_masses, _empty, _response

#: smallest branching ratio of an e⁺e⁻ channel simulated as a chain.
MIN_BR = 1e-3
#: parameters that cannot change in a cached dark-neutrino sample (besides masses).
FIXED_DN = ("HNLtype", "majorana_phases", "preset")


@dataclass
class DarkNeutrinoSample(SignalSample):
    """:class:`SignalSample` of the dark-neutrino model with exact importance re-weighting in couplings.

    ``base_weight`` is in events per POT at the reference couplings (all factors included);
    ``chains`` holds, per simulated chain, the event slice and what the re-weighting needs.
    """

    chains: list = field(default_factory=list)

    def weights(self, model: Model | None = None, pot: float = 1.0) -> np.ndarray:
        """Events per POT × ``pot`` for ``model`` (same masses; couplings may differ)."""
        if model is None or model.values == self.model.values:
            return self.base_weight * pot
        _check_same_masses(self.model, model)
        for k in FIXED_DN:
            if model.values[k] != self.model.values[k]:
                raise InputError(f"{model.name}.{k}", model.values[k],
                                 f"{self.model.values[k]!r} (fixed in a cached sample; generate a new one)")
        return self.base_weight * reweight_factor(self, model) * pot


def reweight_factor(sample: DarkNeutrinoSample, model: Model) -> np.ndarray:
    """w_new / w_ref per event (see module docstring)."""

    c = model.couplings
    out = np.zeros(len(sample.base_weight))
    for ch in sample.chains:
        sl = ch["slice"]
        ratio = np.zeros(sl.stop - sl.start)
        for regime, target in ch["targets"].items():
            sel = ch["regime"] == regime
            if not np.any(sel):
                continue
            up = Upscattering(c, target, regime, ch["hnl"], 1, ch["form_factor"])
            ds = up.dsigma_dQ2(ch["Enu"][sel], ch["Q2"][sel])
            ref = ch["ds_ref"][sel]
            ratio[sel] = np.where(ref > 0, ds / np.where(ref > 0, ref, 1.0), 0.0)
        widths = hd.partial_widths(c, ch["hnl"])
        g_tot = sum(widths.values())
        br = widths.get(ch["channel"], 0.0) / g_tot if g_tot > 0 else 0.0
        lam = ch["p_over_m"] * hd.ctau0(c, ch["hnl"])
        p_in = hd.decay_probability_inside(np.zeros_like(lam), ch["l_exit"], lam)
        with np.errstate(divide="ignore", invalid="ignore"):
            r_in = np.where(ch["p_in_ref"] > 0, p_in / np.where(ch["p_in_ref"] > 0, ch["p_in_ref"], 1.0), 0.0)
        out[sl] = ratio * r_in * (br / ch["br_ref"] if ch["br_ref"] > 0 else 0.0)
    return out


def _chain_channels(model, hnl: int) -> list[tuple[int | None, str, float]]:
    """(daughter, channel label, BR) of the e⁺e⁻ channels of N_{4+hnl} above :data:`MIN_BR`."""

    widths = hd.partial_widths(model.couplings, hnl)
    tot = sum(widths.values())
    out = []
    for daughter in [*range(hnl), None]:
        label = f"N{4 + daughter} e+ e-" if daughter is not None else "nu e+ e-"
        br = widths.get(label, 0.0) / tot if tot > 0 else 0.0
        if br > MIN_BR:
            out.append((daughter, label, br))
    return out


# ids of the HNLs and of the light neutrino of N → ν e⁺e⁻: darkbeam.particles (DarkNews 0.4.8 numbers,
# so that darkbeam and DarkNews event files can be compared)


def _dn_particles(ev, exp, mode: str, hnl: int, daughter: int | None, tmap: dict[str, str]) -> dict[str, np.ndarray]:
    """True four-momenta of ν T → N_j T', N_j → (N_k | ν) e⁻ e⁺ for event files (SignalSample ``particles``).

    The neutrino moves along +z (the generator's frame; the 541 m baseline makes the beam direction
    at the detector +z to < 1 mrad); the target is at rest, so the recoil is p_ν + (M, 0) − p_N
    (M: nucleus for the coherent regime, proton for p-el, as in hnl_upscattering._target_mass).
    The incoming species is not recorded per event by the generator: pdg_in is the mode's
    dominant species (ν_μ = 14 in neutrino mode, ν̄_μ = −14 in antineutrino mode).
    Positions: ``x_int`` (upscattering) and ``x_dec`` (HNL decay), mm, beam frame (target at the
    origin, detector centre at pipeline.geometry.detector_center).
    """

    n = len(ev.w)
    regime = ev.regime.astype(str)
    regs, inv = np.unique(regime, return_inverse=True)  # per regime, not per event
    m_t = np.array([_target_mass(TARGETS.get(tmap[r]), r) for r in regs], float)[inv.reshape(-1)]
    pdg_of = {"coherent": None, "p-el": 2212, "n-el": 2112}
    pdg_t = np.array([pdg_of.get(r) or NUCLEUS_PDG[tmap[r]] for r in regs], np.int64)[inv.reshape(-1)]
    p_nu = np.zeros((n, 4))
    p_nu[:, 0] = p_nu[:, 3] = ev.Enu
    recoil = p_nu - ev.p_hnl
    recoil[:, 0] += m_t
    centre = detector_center(exp)
    nu = 14 if mode == "neutrino" else -14
    return {"p4_in": p_nu, "pdg_in": np.full(n, nu), "p4_vis1": ev.p_em, "pdg_vis1": np.full(n, 11),
            "p4_vis2": ev.p_ep, "pdg_vis2": np.full(n, -11), "p4_recoil": recoil, "pdg_recoil": pdg_t,
            "p4_inv": ev.p_daughter,
            "pdg_inv": np.full(n, NU_LIGHT_PDG if daughter is None else HNL_PDG[daughter]),
            "p4_mid": ev.p_hnl, "pdg_mid": np.full(n, HNL_PDG[hnl]),
            "x_int": ev.x_int + centre, "x_dec": ev.x_dec + centre}


@SIGNAL_PROCESSES.register("dark-neutrino-upscattering", "ν N → N_j N, N_j → (N_k | ν) e⁺e⁻ via Z' (seed 001)")
class DarkNeutrinoSignal(SignalProcess):
    """Upscattering of BNB neutrinos into HNLs decaying to e⁺e⁻ in the detector."""

    name = "dark-neutrino-upscattering"
    form_factor = "fourier-bessel"

    def build(self, model, experiment, mode, n_mesons, n_events, rng, progress, detector=True):
        """Generate ``n_events`` per chain (``n_mesons`` unused: the official BNB flux is folded).

        ``detector=False`` keeps every event at truth level (validation), as for the other processes.
        """

        exp = get_experiment(experiment)
        if exp.beam != FLUX_BEAM:
            return _empty(model, experiment, mode, f"not predicted: the dark-neutrino upscattering folds the official "
                          f"{FLUX_BEAM.upper()} neutrino flux, and {experiment} is on beam {exp.beam!r}, for which no "
                          "neutrino-flux table is packaged", self.name)
        if mode not in ("neutrino", "antineutrino"):
            return _empty(model, experiment, mode, f"no BNB neutrino flux for mode {mode!r} (official flux: "
                          "neutrino and antineutrino modes only)", self.name)
        pot = exp.pot_for(mode)
        # nucleus for the coherent regime, any target for the per-proton (ratio-only) elastic regime
        nuclei = [t for t in exp.targets() if t != "H1"]
        tmap = {"coherent": nuclei[0] if nuclei else "H1", "p-el": next(iter(exp.targets()))}
        cols = {k: [] for k in ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")}
        parts: dict[str, list] = {}
        chains, start = [], 0
        for hnl in range(model.n_hnl):
            for daughter, label, br in _chain_channels(model, hnl):
                seed = int(rng.integers(2**31))
                try:
                    ev = generate_events(model, experiment, mode, hnl=hnl, daughter=daughter, n_events=n_events,
                                         seed=seed, form_factor=self.form_factor)
                except InputError:  # zero upscattering rate into this HNL
                    continue
                res = _response(experiment, mode, ev.p_em, ev.p_ep, ev.w, rng, detector)
                n = len(ev.w)
                regime = ev.regime.astype(str)
                ds_ref = np.zeros(n)
                targets = {}
                for reg in np.unique(regime):
                    targets[reg] = tmap[reg]
                    sel = regime == reg
                    up = Upscattering(model.couplings, tmap[reg], reg, hnl, 1, self.form_factor)
                    ds_ref[sel] = up.dsigma_dQ2(ev.Enu[sel], ev.Q2[sel])
                p = np.linalg.norm(ev.p_hnl[:, 1:], axis=1)
                d = ev.p_hnl[:, 1:] / np.where(p > 0, p, 1.0)[:, None]
                l_exit = detector_volume(exp).chord(ev.x_int, d)[1]
                p_over_m = p / float(model.couplings.masses[hnl])
                lam = p_over_m * hd.ctau0(model.couplings, hnl)
                p_in_ref = hd.decay_probability_inside(np.zeros(n), l_exit, lam)
                chains.append({"slice": slice(start, start + n), "hnl": hnl, "channel": label, "br_ref": br,
                               "regime": regime, "targets": targets, "Enu": ev.Enu, "Q2": ev.Q2, "ds_ref": ds_ref,
                               "l_exit": l_exit, "p_over_m": p_over_m, "p_in_ref": p_in_ref,
                               "form_factor": self.form_factor})
                start += n
                cols["E_vis"].append(res.E_vis)
                cols["cos_theta"].append(res.cos_theta)
                cols["E_QE"].append(res.E_QE)
                cols["base_weight"].append(np.where(res.accepted, res.weight, 0.0) / pot)
                cols["source"].append(np.full(n, f"N{4 + hnl}->{label.split()[0]}", dtype="<U8"))
                cols["target"].append(np.array([tmap[r] for r in regime], dtype="<U4"))
                for k, v in _dn_particles(ev, exp, mode, hnl, daughter, tmap).items():
                    parts.setdefault(k, []).append(v)
        if not chains:
            return _empty(model, experiment, mode, "no HNL is upscattered or none decays to e+e- "
                          f"with BR > {MIN_BR}", self.name)
        cat = {k: np.concatenate(v) for k, v in cols.items()}
        # event-record column (no random numbers): the integrated ν_μ + ν̄_μ flux the generator folds
        # (per cm² per POT, the same value in every row), for the flux-averaged cross-section of event files

        flux = float(sum(np.sum(flux_nodes(experiment, mode, sp)[1]) for sp in ("nu_mu", "nu_mu_bar")))
        return DarkNeutrinoSample(model, experiment, mode, cat["E_vis"], cat["cos_theta"], cat["E_QE"],
                                  cat["base_weight"], cat["source"], cat["target"], process=self.name,
                                  particles={k: np.concatenate(v) for k, v in parts.items()}, chains=chains,
                                  columns={"flux_total": np.full(len(cat["E_vis"]), flux)})

    def coupling_factor(self, model, source):
        """Not used: :class:`DarkNeutrinoSample` re-weights event by event (see module docstring)."""
        return np.ones(len(source))


__all__ = ["HNL_PDG", "MIN_BR", "NU_LIGHT_PDG", "DarkNeutrinoSample", "DarkNeutrinoSignal", "reweight_factor"]
