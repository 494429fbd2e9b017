"""Dark-neutrino signal at BNB detectors: flux folding, upscattering rates, weighted e⁺e⁻ events.

Rate (expected upscatterings in the detector volume over the exposure):
  N = POT × Σ_targets n_T × Σ_species ∫ dE φ(E) σ_T(E),
with φ the official MiniBooNE BNB flux (per cm² per POT per GeV, PRD 79, 072002 (2009)) through
:func:`darkbeam.data.official_bnb_flux`. Detectors other than MiniBooNE on the same beam use the
MiniBooNE flux scaled by (541 m / L)² (point-source approximation; documented in
docs/dark_neutrino.md). The flux histogram is integrated with 4 Gauss–Legendre nodes per 50 MeV bin.

Event weights are expected events over the full exposure (``weight_unit = "events"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import hepunits as hu
import numpy as np

from ..data import official_bnb_flux
from ..data.miniboone_release import miniboone_eqe, miniboone_spectrum
from ..detectors.catalog import get_experiment
from ..detectors.response import get_response
from ..errors import InputError
from ..interactions import hnl_decays as hd
from ..interactions.hnl_upscattering import TARGETS, Upscattering

SPECIES_FLAVOUR = {"nu_mu": 1, "nu_mu_bar": 1, "nu_e": 0, "nu_e_bar": 0}
_MB_DISTANCE = 541.0 * hu.m


FLUX_CHOICES = ("miniboone-scaled", "miniboone-unscaled")


def _flux_table(flux, mode: str, experiment) -> tuple[dict, float]:
    """(flux table with ``edges_GeV`` + species arrays per cm² per POT per GeV, distance scale factor)."""
    if flux is None or flux == "miniboone-scaled":
        # official MiniBooNE flux (PRD 79, 072002) moved to the detector as a point source: (541 m / L)²
        return official_bnb_flux(mode), (_MB_DISTANCE / experiment.distance) ** 2
    if flux == "miniboone-unscaled":  # the MiniBooNE flux at 541 m used as is (no 1/L² correction)
        return official_bnb_flux(mode), 1.0
    if hasattr(flux, "edges_GeV") and hasattr(flux, "flux"):  # pipeline.neutrino_flux.FluxResult
        return {"edges_GeV": np.asarray(flux.edges_GeV, float), **flux.flux}, 1.0
    if isinstance(flux, dict) and "edges_GeV" in flux:
        return flux, 1.0
    raise InputError("flux", flux, f"None, one of {FLUX_CHOICES}, a FluxResult or a dict with edges_GeV and species")


def flux_description(experiment: str, flux=None) -> str:
    """One line saying which neutrino flux :func:`flux_nodes` folds at ``experiment`` (for the notes of
    predictions): the official MiniBooNE flux at 541 m, and away from MiniBooNE its (541 m / L)² scaling."""
    exp = get_experiment(experiment)
    if flux not in (None, "miniboone-scaled", "miniboone-unscaled"):
        return "user-supplied flux at the detector"
    base = "official MiniBooNE BNB flux (PRD 79, 072002), released for MiniBooNE at 541 m"
    if abs(exp.distance - _MB_DISTANCE) < 1e-6 * _MB_DISTANCE:
        return base
    if flux == "miniboone-unscaled":
        return f"{base}, used unscaled at {exp.name} (L = {exp.distance / hu.m:g} m)"
    f = (_MB_DISTANCE / exp.distance) ** 2
    return (f"{base}, scaled to {exp.name} (L = {exp.distance / hu.m:g} m) by (541 m / L)^2 = {f:.4g} "
            "(point-source approximation: no flux simulated for this detector)")


#: the beam whose official neutrino flux (MiniBooNE's table, scaled by distance) the upscattering folds
FLUX_BEAM = "bnb"


def flux_nodes(experiment: str = "miniboone", mode: str = "neutrino", species: str = "nu_mu", nodes_per_bin: int = 4,
               flux=None):
    """Quadrature of the BNB flux: (E in MeV, neutrinos per cm² per POT at each node).

    ``flux``: None or "miniboone-scaled" (official MiniBooNE flux × (541 m/L)², the default),
    "miniboone-unscaled" (no distance correction), or a flux at the detector given as a
    :class:`~darkbeam.pipeline.neutrino_flux.FluxResult` or a dict {"edges_GeV": .., species: per cm² per POT per GeV}.
    """
    if species not in SPECIES_FLAVOUR:
        raise InputError("species", species, SPECIES_FLAVOUR)
    exp = get_experiment(experiment)
    if exp.beam != FLUX_BEAM:
        raise InputError("experiment", experiment, "an experiment on the BNB (flux available)")
    fl, scale = _flux_table(flux, mode, exp)
    if species not in fl:
        raise InputError("flux", f"table without {species}", "a flux table with every requested species")
    edges = np.asarray(fl["edges_GeV"], float) * hu.GeV
    x, w = np.polynomial.legendre.leggauss(nodes_per_bin)
    lo, hi = edges[:-1], edges[1:]
    E = (lo[:, None] + (hi - lo)[:, None] * (x[None, :] + 1) / 2).ravel()
    wt = (np.asarray(fl[species], float)[:, None] * (hi - lo)[:, None] / hu.GeV * w[None, :] / 2).ravel()
    return E, wt * scale


def _processes(model, experiment: str, hnl: int, form_factor: str, neutrons: bool):
    """(label, target, regime, number of target nuclei) for the detector medium."""
    exp = get_experiment(experiment)
    out = []
    for tname, n in exp.targets().items():
        tgt = TARGETS.get(tname)
        if tgt.A > 1:
            out.append(("coherent", tname, "coherent", n))
        out.append(("p-el", tname, "p-el", n))
        if neutrons and tgt.N > 0:
            out.append(("n-el", tname, "n-el", n))
    return exp, [(lab, t, r, n, Upscattering(model.couplings, t, r, hnl, form_factor=form_factor)) for lab, t, r, n in out]


def event_rates(
    model, experiment: str = "miniboone", mode: str = "neutrino", *, species: tuple[str, ...] = ("nu_mu", "nu_mu_bar"),
    form_factor: str = "fourier-bessel", neutrons: bool = False, pot: float | None = None, flux=None,
) -> dict[str, dict[str, float]]:
    """Expected number of upscatterings ν + T → N_j + T per HNL and regime (before decays/efficiencies).

    Returns:
        {"N4": {"coherent": .., "p-el": .., "total": ..}, ...} in events over ``pot`` (default: the
        experiment's exposure in ``mode``). ``flux``: see :func:`flux_nodes`.
    """
    exp = get_experiment(experiment)
    pot = exp.pot_for(mode) if pot is None else pot
    out: dict[str, dict[str, float]] = {}
    for j in range(model.n_hnl):
        _, procs = _processes(model, experiment, j, form_factor, neutrons)
        res: dict[str, float] = {}
        for sp in species:
            E, wt = flux_nodes(experiment, mode, sp, flux=flux)
            for lab, _t, _r, n, up in procs:
                if SPECIES_FLAVOUR[sp] != up.flavour:
                    up = Upscattering(model.couplings, up.target, up.regime, j, SPECIES_FLAVOUR[sp], up.form_factor)
                sel = E > up.threshold
                rate = pot * n * float(np.sum(wt[sel] * up.total_xsec(E[sel])))
                res[lab] = res.get(lab, 0.0) + rate
        res["total"] = sum(res.values())
        out[f"N{4 + j}"] = res
    return out


@dataclass
class DarkNeutrinoEvents:
    """Weighted upscattering + decay events (columnar). Four-momenta (N, 4) in MeV, positions in mm
    (detector centre at the origin, beam along +z), ``w`` in expected events over the exposure
    (upscattering × P(decay inside the detector volume) × branching ratio of the simulated channel)."""

    Enu: np.ndarray
    Q2: np.ndarray
    regime: np.ndarray
    p_hnl: np.ndarray
    x_int: np.ndarray
    x_dec: np.ndarray
    p_em: np.ndarray
    p_ep: np.ndarray
    p_daughter: np.ndarray
    w: np.ndarray
    weight_unit: str = "events"
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.w)

    def total(self) -> float:
        return float(self.w.sum())


def detector_volume(exp):
    """The volume interactions and decays are counted in: the detector's volume (``exp.geometry``) — the
    convention of every darkbeam chain, since the rates use the whole detector's targets and the
    experiment's efficiency includes its fiducial cut (MiniBooNE eg_effs; the LArTPC efficiencies)."""
    if exp.geometry is None:
        raise InputError(f"geometry of experiment {exp.name}", None, "an experiment with a detector geometry")
    return exp.geometry


def generate_events(
    model, experiment: str = "miniboone", mode: str = "neutrino", *, hnl: int = 1, daughter: int | None = 0,
    n_events: int = 10_000, seed: int = 1, species: tuple[str, ...] = ("nu_mu", "nu_mu_bar"),
    form_factor: str = "fourier-bessel", flux=None,
) -> DarkNeutrinoEvents:
    """Sample ν + T → N_{4+hnl} + T followed by N → (N_{4+daughter} | ν) e⁺e⁻ inside the detector.

    The interaction vertex is uniform in the detector volume (:func:`detector_volume`); the decay distance
    is exponential with the lab decay length βγcτ0 (total width), truncated at the volume's boundary, and
    the weight carries P(decay inside) × BR(channel). The HNL is treated as unpolarised in its decay.
    Positions are in the detector frame (origin at the detector centre, z along the line of sight, which
    is the beam axis for the on-axis BNB detectors).
    ``flux``: see :func:`flux_nodes` (default: official MiniBooNE flux × (541 m/L)²).
    """
    if daughter is not None and not 0 <= daughter < hnl:
        raise InputError("daughter", daughter, f"None (light ν) or an HNL index below {hnl}")
    rng = np.random.default_rng(seed)
    exp = get_experiment(experiment)
    pot = exp.pot_for(mode)
    c = model.couplings
    # --- which (species, process, node) : probability ∝ rate contribution -------------------------------
    blocks, labels = [], []
    for sp in species:
        E, wt = flux_nodes(experiment, mode, sp, flux=flux)
        _, procs = _processes(model, experiment, hnl, form_factor, False)
        for lab, _t, _r, n, up in procs:
            if SPECIES_FLAVOUR[sp] != up.flavour:
                up = Upscattering(c, up.target, up.regime, hnl, SPECIES_FLAVOUR[sp], up.form_factor)
            r = np.where(E > up.threshold, pot * n * wt * up.total_xsec(np.maximum(E, up.threshold)), 0.0)
            blocks.append((up, E, r))
            labels.append(lab)
    rates = np.concatenate([b[2] for b in blocks])
    total_rate = float(rates.sum())
    if total_rate <= 0:
        raise InputError("model", model.name, "a parameter point with a non-zero upscattering rate")
    pick = rng.choice(len(rates), size=n_events, p=rates / total_rate)
    sizes = np.cumsum([0] + [len(b[2]) for b in blocks])
    Enu = np.empty(n_events)
    Q2 = np.empty(n_events)
    p_hnl = np.empty((n_events, 4))
    regime = np.empty(n_events, dtype=object)
    for k, (up, E, _r) in enumerate(blocks):
        sel = (pick >= sizes[k]) & (pick < sizes[k + 1])
        if not sel.any():
            continue
        e = E[pick[sel] - sizes[k]]
        q = up.sample_q2(rng, e)
        Enu[sel], Q2[sel], regime[sel] = e, q, labels[k]
        p_hnl[sel] = up.kinematics(rng, e, q)
    # --- vertex, decay position, decay -------------------------------------------------------------------
    volume = detector_volume(exp)
    x_int = volume.sample_points(rng, n_events)
    widths = hd.partial_widths(c, hnl)
    gamma_tot = sum(widths.values())
    ch = f"N{4 + daughter} e+ e-" if daughter is not None else "nu e+ e-"
    br = widths.get(ch, 0.0) / gamma_tot if gamma_tot > 0 else 0.0
    p = np.linalg.norm(p_hnl[:, 1:], axis=1)
    mN = c.masses[hnl]
    lam = p / mN * (hd.ctau0(c, hnl))  # βγ cτ0, mm
    d = p_hnl[:, 1:] / np.where(p > 0, p, 1.0)[:, None]
    l_exit = volume.chord(x_int, d)[1]
    p_in = hd.decay_probability_inside(np.zeros(n_events), l_exit, lam)
    dist = hd.sample_decay_distance(rng, lam, l_exit)
    x_dec = x_int + d * dist[:, None]
    p_em, p_ep, p_d = hd.sample_dilepton_decays(rng, c, hnl, daughter, p_hnl, "e")
    w = np.full(n_events, total_rate / n_events) * p_in * br
    return DarkNeutrinoEvents(Enu, Q2, regime, p_hnl, x_int, x_dec, p_em, p_ep, p_d, w,
                              info={"upscatterings": total_rate, "branching_ratio": br, "channel": ch,
                                    "ctau0_mm": hd.ctau0(c, hnl), "experiment": experiment, "mode": mode})


# --------------------------------------------------------------------------------------------------
# MiniBooNE spectra (E_vis, cos θ, E_QE of the e⁺e⁻ "shower"), split by channel and scattering regime
# --------------------------------------------------------------------------------------------------


@dataclass
class SpectrumPrediction:
    """Binned MiniBooNE prediction of the dark-neutrino signal.

    ``edges[obs]``: bin edges of the MiniBooNE data products (E_vis and E_QE in MeV, cos θ unitless);
    ``hist[(channel, regime, obs)]``: accepted events per bin over the exposure (E_vis and cos θ inside
    the analysis E_QE window, E_QE over the release bins); ``totals[channel]``: upscatterings per regime,
    decays inside the detector volume (× BR), accepted events, accepted events inside the E_QE window.
    """

    mode: str
    edges: dict[str, np.ndarray]
    hist: dict[tuple[str, str, str], np.ndarray]
    totals: dict[str, dict[str, float]]

    def sum(self, observable: str, channel: str | None = None, regime: str | None = None) -> np.ndarray:
        """Events per bin of ``observable`` summed over channels/regimes (or restricted to one)."""
        if observable not in self.edges:
            raise InputError("observable", observable, tuple(self.edges))
        out = np.zeros(len(self.edges[observable]) - 1)
        for (ch, reg, obs), h in self.hist.items():
            if obs == observable and channel in (None, ch) and regime in (None, reg):
                out = out + h
        return out


def default_channels(model) -> tuple[tuple[int, int], ...]:
    """(hnl, daughter) pairs N_j → N4 e⁺e⁻ for every HNL above N4 (seed 001 Fig. 2: N5, N6 → N4 e⁺e⁻;
    the double-vertex N6 → N5 → N4 cascade is left out, as in the seed)."""
    return tuple((j, 0) for j in range(1, model.n_hnl))


def miniboone_prediction(
    model, mode: str = "neutrino", *, channels: tuple[tuple[int, int], ...] | None = None, n_events: int = 100_000,
    seed: int = 1, eqe_window: tuple[float, float] = (200.0 * hu.MeV, 1250.0 * hu.MeV),
    response_options: dict | None = None, flux=None,
) -> SpectrumPrediction:
    """E_vis, cos θ and E_QE of N_j → N_k e⁺e⁻ events at MiniBooNE through the MiniBooNE response.

    Events from :func:`generate_events` (upscattering on C12 coherent and on the CH2 protons, decay
    inside the detector volume applied) go through ``detectors.response.get_response("miniboone")``
    (overlapping (< 10°) or asymmetric (softer lepton < 30 MeV kinetic) pairs = one shower; official
    efficiency). E_vis and cos θ are histogrammed in the binning of
    :func:`darkbeam.data.miniboone_spectrum` for events with E_QE inside ``eqe_window`` (MeV; the
    data's 200–1250 MeV selection), E_QE in the release binning.
    """

    if mode not in ("neutrino", "antineutrino"):
        raise InputError("mode", mode, ("neutrino", "antineutrino"))
    chans = default_channels(model) if channels is None else tuple(channels)
    edges = {"E_vis": miniboone_spectrum(mode, "E_vis")["edges"] * hu.MeV,
             "E_QE": miniboone_eqe(mode)["edges_MeV"] * hu.MeV}
    if mode == "neutrino":
        edges["cos_theta"] = miniboone_spectrum(mode, "cos_theta")["edges"]
    resp = get_response("miniboone", **{"eqe_mode": mode, **(response_options or {})})
    hist: dict[tuple[str, str, str], np.ndarray] = {}
    totals: dict[str, dict[str, float]] = {}
    for k, (hnl, daughter) in enumerate(chans):
        label = f"N{4 + hnl}->" + (f"N{4 + daughter}" if daughter is not None else "nu") + "ee"
        try:
            ev = generate_events(model, "miniboone", mode, hnl=hnl, daughter=daughter, n_events=n_events,
                                 seed=seed + 7919 * k, flux=flux)
        except InputError as err:
            if err.field != "model":  # only "no upscattering at this point" is a legitimate zero
                raise
            totals[label] = {"upscatterings": 0.0, "reason": "zero upscattering rate"}
            continue
        r = resp(ev.p_em, ev.p_ep, ev.w)
        win = (r.E_QE > eqe_window[0]) & (r.E_QE < eqe_window[1])
        tot: dict[str, float] = {}
        for regime in ("coherent", "p-el"):
            sel = ev.regime == regime
            w = np.where(sel, r.weight, 0.0)
            tot[f"upscatterings_{regime}"] = ev.info["upscatterings"] * float(sel.mean())
            tot[f"decays_in_fv_{regime}"] = float(ev.w[sel].sum())
            tot[f"accepted_{regime}"] = float(w.sum())
            tot[f"accepted_window_{regime}"] = float(w[win].sum())
            for obs, e in edges.items():
                x = getattr(r, obs)
                m = (win if obs != "E_QE" else np.ones(len(w), bool)) & np.isfinite(x)
                hist[(label, regime, obs)] = np.histogram(x[m], bins=e, weights=w[m])[0]
        tot["upscatterings"] = ev.info["upscatterings"]
        tot["branching_ratio"] = ev.info["branching_ratio"]
        tot["single_shower_fraction"] = float(np.sum(ev.w * r.single_shower) / max(ev.w.sum(), 1e-300))
        totals[label] = tot
    return SpectrumPrediction(mode, edges, hist, totals)
