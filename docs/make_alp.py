"""Numbers and figure of docs/portal_alp.md: the ALP portal (photon coupling) in darkbeam.

What is computed:

1. the Primakoff cross-section σ_P(E) on W and its conversion probability P = σ_P/σ_abs (module
   darkbeam.production.photon_primakoff), with σ_abs against NIST XCOM for W;
2. the ALP flux and the a → γγ decays at CCM (Lujan, W target) at the point of examples/alp_ccm.toml,
   truth level and after CCM's response;
3. the published check: MiniBooNE's beam-dump (off-target) run, 1.86e20 POT of 8.89 GeV/c protons on the steel
   dump, 490 m from the detector. Capozzi, Dutta, Gurung, Jang, Shoemaker, Thompson, Yu, PRD 108 (2023) 075019,
   arXiv:2307.03878 excluded a region of (m_a, g_aγγ) with a → γγ decays inside MiniBooNE. darkbeam's exclusion
   here: π⁰/η photons made in the dump (target "Fe") converting by the Primakoff process, a → γγ decays anywhere
   in the 6.1 m sphere (truth level, efficiency ``EFFICIENCY``), 90 % CL with no background and no event
   (N = 2.30); the edges solve N(g) = 2.30 on the rising (long-lived) and falling (short-lived) branches by exact
   re-weighting of one sample per mass and branch.

4. the audit of that comparison, factor by factor (``audit_dump``): mesons per POT, P = σ_P/σ_abs against a
   hand estimate, decay lengths, darkbeam's hit counting against an independent forced-direction estimate, the
   iron dump of ``miniboone-dm``, a Rossi approximation-B estimate of the electromagnetic cascade, and a what-if
   with a massless inverse-Primakoff cross-section.

Run:  /work/venv/bin/python docs/make_alp.py          (about 4 min; writes docs/figures/alp_miniboone_dump.png)
      /work/venv/bin/python docs/make_alp.py --quick  (smaller samples, no figure)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import hepunits as hu
import numpy as np

from darkbeam.beams.production import iter_mesons, mesons_per_pot
from darkbeam.constants import ALPHA_EM, HBARC, INV_MEV2_TO_CM2
from darkbeam.detectors.catalog import BEAMS, get_experiment
from darkbeam.kinematics.fourvec import two_body_decay
from darkbeam.models import get_model
from darkbeam.pipeline.boson_flux import boson_flux
from darkbeam.pipeline.geometry import detector_center, face_area, sample_disc_points
from darkbeam.pipeline.signal import SIGNAL_PROCESSES
from darkbeam.production import em_cascade as ec
from darkbeam.production import photon_primakoff as pp
from darkbeam.production.neutral_meson import NEUTRAL_MESONS

FIG = Path(__file__).with_name("figures") / "alp_miniboone_dump.png"

#: MiniBooNE beam-dump exposure (PRD 98, 112004 (2018))
POT_DUMP = 1.86e20
#: flat efficiency of the a → γγ selection assumed here (the published analysis' efficiency is not used)
EFFICIENCY = 1.0
#: 90 % CL Poisson upper limit with zero background and zero observed events
N_UP_90 = 2.30

#: points of the published exclusion (arXiv:2307.03878, MiniBooNE dump, a → γγ), read from its boundary as
#: compiled in C. O'Hare's AxionLimits (github.com/cajohare/AxionLimits, limit_data/AxionPhoton/MiniBooNE.txt),
#: rounded to two digits: m_a in MeV -> g_aγγ in 1/GeV
PUBLISHED_LOWER = {11.5: 9.9e-7, 19.8: 5.8e-7, 28.0: 4.1e-7, 52.1: 2.1e-7, 71.2: 1.5e-7, 90.2: 1.3e-7,
                   110.9: 1.4e-7, 151.3: 1.6e-7}
PUBLISHED_UPPER = {14.6: 1.4e-4, 23.6: 4.9e-5, 36.6: 1.9e-5, 51.4: 8.8e-6, 73.3: 3.8e-6, 97.1: 1.9e-6,
                   116.0: 1.2e-6, 143.7: 5.9e-7, 166.6: 3.6e-7}
#: masses of our comparison (MeV) and the reference couplings (1/GeV) of the two samples per mass
MASSES = (10.0, 20.0, 35.0, 50.0, 70.0, 90.0)


def _model(m_mev: float, g_gev: float, target: str = "Fe", cascade: str = "none"):
    return get_model("alp", {"m_a": f"{m_mev} MeV", "g_agg": f"{g_gev} /GeV", "target": target, "cascade": cascade})


def decay_signal(model, experiment: str, mode: str, n_mesons: int, n_events: int, seed: int, detector: bool = False):
    """The model's a → γγ decay-in-volume channel alone, built exactly as ``build_signal`` builds that channel
    (same seed, same numbers): the published dump check counts decays only (the model may declare further
    detection channels, e.g. inverse-Primakoff scattering, which this comparison leaves out)."""
    idx = [ch.process for ch in model.detection].index("decay-in-volume")
    proc = SIGNAL_PROCESSES.get("decay-in-volume")()
    proc.index = idx
    s = proc.build(model, experiment, mode, n_mesons, n_events, np.random.default_rng(seed), False, detector)
    s.channel = idx
    return s


def dump_events(m_mev: float, g_ref_gev: float, n_mesons: int, n_events: int, seed: int = 5,
                cascade: str = "none"):
    """(model at g_ref, function g [1/GeV] -> a → γγ decays inside MiniBooNE for the dump exposure)."""
    model = _model(m_mev, g_ref_gev, cascade=cascade)
    s = decay_signal(model, "miniboone-dm", "off-target", n_mesons, n_events, seed)

    def n_of(g_gev: float) -> float:
        return EFFICIENCY * s.total(model.replace(g_agg=g_gev / hu.GeV), POT_DUMP)

    return model, n_of


def solve_edge(n_of, lo: float, hi: float, rising: bool, n_up: float = N_UP_90) -> float | None:
    """g (1/GeV) in [lo, hi] where n_of(g) = n_up on a monotonic branch (bisection in ln g); None if none."""
    f_lo, f_hi = n_of(lo) - n_up, n_of(hi) - n_up
    if f_lo * f_hi > 0:
        return None
    a, b = np.log(lo), np.log(hi)
    for _ in range(60):
        c = 0.5 * (a + b)
        fc = n_of(float(np.exp(c))) - n_up
        if (fc < 0) == rising:
            a = c
        else:
            b = c
    return float(np.exp(0.5 * (a + b)))


def contour_edges(m_mev: float, n_mesons: int, n_events: int, cascade: str = "none", with_counts: bool = False):
    """(lower edge, upper edge, maximum number of events over g) of the exclusion at m_a (1/GeV); with
    ``with_counts`` also the long-lived branch's function g -> events (to evaluate at the published edge)."""
    grid = np.geomspace(1e-8, 1e-3, 121)
    # sample for the long-lived branch at a coupling near it, and one near the ceiling
    _, n_low = dump_events(m_mev, 1e-6, n_mesons, n_events, cascade=cascade)
    vals = np.array([n_low(g) for g in grid])
    k = int(np.argmax(vals))
    lower = solve_edge(n_low, grid[0], grid[k], rising=True) if vals[k] > N_UP_90 else None
    g_hi_ref = float(grid[k] * 2.0)
    _, n_high = dump_events(m_mev, g_hi_ref, n_mesons, n_events, seed=6, cascade=cascade)
    vals_h = np.array([n_high(g) for g in grid])
    kh = int(np.argmax(vals_h))
    upper = solve_edge(n_high, grid[kh], grid[-1], rising=False) if vals_h[kh] > N_UP_90 else None
    out = (lower, upper, float(max(vals[k], vals_h[kh])))
    return (*out, n_low) if with_counts else out


def published_at(points: dict[float, float], m_mev: float) -> float | None:
    """The published edge at m_a (log-log interpolation between the points), None outside them."""
    ms = np.array(list(points))
    if not ms.min() <= m_mev <= ms.max():
        return None
    return float(np.exp(np.interp(np.log(m_mev), np.log(ms), np.log(list(points.values())))))


# ------------------------------------------------------------------------------------------------
# audit of the dump chain: independent estimates, factor by factor
# ------------------------------------------------------------------------------------------------
#: multiple-scattering scale of the shower photons' angles, MeV (darkbeam.production.em_cascade)
E_S = ec.E_S
#: nodes in ln k of the forced-direction cascade integral
N_K = 48


def _dump_rays(rng, beam, exp, mesons):
    """Vertices at the dump (prompt decays at the end of the decay region, as boson_flux does in off-target
    running), a point on the detector disc per meson, the unit ray, its chord and its solid angle."""
    x = mesons.x + np.array([0.0, 0.0, beam.decay_length])
    pts = sample_disc_points(rng, exp, len(x))
    d = pts - x
    dist = np.linalg.norm(d, axis=1)
    n = d / dist[:, None]
    normal = detector_center(exp) / np.linalg.norm(detector_center(exp))
    d_omega = face_area(exp) * np.abs(n @ normal) / dist**2
    t_in, t_out = exp.chord(x, n)
    return n, d_omega, t_in, t_out


def _p_inside(e, m_a, width, t_in, t_out):
    """exp(−t_in/λ)(1 − exp(−(t_out − t_in)/λ)) for ALPs of energy e (MeV), λ = (p/m) ħc/Γ; 0 below m_a."""
    p = np.sqrt(np.clip(e * e - m_a * m_a, 0.0, None))
    lam = np.where(p > 0, p / m_a * HBARC / width, 1.0)
    return np.where(p > 0, np.exp(-t_in / lam) * -np.expm1(-(t_out - t_in) / lam), 0.0)


#: screening radius of the massless inverse-Primakoff formula below (Creswick et al.'s r₀ = 2.2e-10 m), 1/MeV
R0_SCREEN = 2.2e-10 * hu.m / HBARC


def sigma_massless_inverse(e: np.ndarray, m_a: float, g: float, material: str = "Fe") -> np.ndarray:
    """WHAT-IF cross-section (cm²): the inverse-Primakoff cross-section a N → γ N of a MASSLESS ALP on a screened
    Coulomb field, σ = (g²Z²α/2)[(2η² + 1)/(4η²) ln(1 + 4η²) − 1], η = r₀E (Creswick et al., PLB 427 (1998)
    235), switched on above E > m_a. Against darkbeam's σ_P(γN → aN) it has no mass suppression near threshold
    and twice the polarisation count (inverse: summed over the photon's two states; direct: averaged). Used
    only to measure how sensitive the dump comparison is to that choice (docs/portal_alp.md)."""
    z = pp.get_material(material).Z
    eta2 = (R0_SCREEN * np.asarray(e, float)) ** 2
    val = 0.5 * g * g * z * z * ALPHA_EM * ((2 * eta2 + 1) / (4 * eta2) * np.log1p(4 * eta2) - 1.0)
    return np.where(np.asarray(e, float) > m_a, val, 0.0) * INV_MEV2_TO_CM2


def forced_direction_events(m_mev: float, g_gev: float, n_mesons: int, experiment: str = "miniboone-dm",
                            seed: int = 3, massless_inverse: bool = False, e_s: float = E_S) -> dict[str, float]:
    """a → γγ decays inside MiniBooNE for the dump exposure by an independent route (no hit counting).

    Primary photons: for each π⁰/η (the same production sampling as darkbeam), the photon density in the
    direction n of a point drawn on the detector disc is the exact lab density of a two-body decay,
    2 BR(γγ)/(4π γ²(1 − β cos θ)²) per sr, with energy E = M/(2γ(1 − β cos θ)); × ΔΩ × P(E) × P_inside(E).
    The ALP's own angle to its photon is neglected (median 0.01 rad at 1 GeV for 50 MeV, against the disc's
    half-angle of 0.0124 rad and the ~0.1 rad scale of the photon density: a per-cent effect).

    Cascade, the same model as the production channel's ``cascade = "approx-b"`` but integrated instead of
    sampled (a cross-check of the channel's hit counting): every π⁰/η photon of energy E₀ showers in the iron;
    its shower photons of energy m_a < k < E₀ have the approximation-B track length
    (``em_cascade.photon_track_length``) and the 2-D Gaussian angle of scale E_s/k about the primary (isotropic
    once E_s/k > 0.5 rad); each converts with X₀ n σ_P(k) per radiation length. The ALP's own angle to its
    shower photon and the hadronic cascade's extra π⁰ are neglected. ``massless_inverse`` swaps σ_P for :func:`sigma_massless_inverse` (a what-if); ``e_s`` (MeV) scales the
    shower's angular spread (the estimate's main uncertainty). Returns the
    expected decays (truth level, efficiency 1) and the primary photons per
    POT into the disc (``n_primary_var``, ``n_cascade_var``: the MC variances of ``n_primary``, ``n_cascade``)."""
    beam = BEAMS.get(get_experiment(experiment).beam)
    exp = get_experiment(experiment)
    g = g_gev / hu.GeV
    width = g * g * m_mev**3 / (64.0 * np.pi)
    fe = pp.get_material("Fe")
    # X₀ n σ_P(k) per radiation length at g = 1/MeV, tabulated in ln k
    k_tab = np.geomspace(m_mev * 1.0001, 20.0 * hu.GeV, 240)
    sig = sigma_massless_inverse if massless_inverse else pp.sigma_primakoff
    kappa_tab = fe.X0 * hu.Avogadro / fe.A * sig(k_tab, m_mev, 1.0, "Fe")
    prob_tab = sig(k_tab, m_mev, 1.0, "Fe") / pp.sigma_absorption(k_tab, "Fe")
    rng = np.random.default_rng(seed)
    out = {"n_primary": 0.0, "n_primary_var": 0.0, "n_cascade": 0.0, "n_cascade_var": 0.0, "photons_into_disc": 0.0}
    for species in ("pi0", "eta"):
        mes = NEUTRAL_MESONS.get(species)
        for ms in iter_mesons(beam, species, n_mesons, 50_000, rng):
            n, d_omega, t_in, t_out = _dump_rays(rng, beam, exp, ms)
            p3 = ms.p4[:, 1:]
            p = np.linalg.norm(p3, axis=1)
            e0 = np.sqrt(p * p + mes.mass**2)
            beta, gam = p / e0, e0 / mes.mass
            one_m = 1.0 - beta * np.sum(p3 * n, axis=1) / p
            photons = ms.w * 2.0 * mes.br_gg * d_omega / (4.0 * np.pi * gam**2 * one_m**2)
            e_gam = mes.mass / (2.0 * gam * one_m)
            out["photons_into_disc"] += float(np.sum(photons))
            contrib = POT_DUMP * photons * g * g * np.where(
                e_gam > m_mev, np.interp(np.log(e_gam), np.log(k_tab), prob_tab), 0.0) * _p_inside(
                e_gam, m_mev, width, t_in, t_out)
            out["n_primary"] += float(np.sum(contrib))
            out["n_primary_var"] += float(np.sum(contrib * contrib))
            # cascade: both photons of each decay, sampled
            on_shell = np.concatenate([e0[:, None], p3], axis=1)
            per_meson = np.zeros(len(e0))
            for ph in two_body_decay(rng, on_shell, 0.0, 0.0):
                e_0 = ph[:, 0]
                cos_t = np.clip(np.sum(ph[:, 1:] * n, axis=1) / e_0, -1.0, 1.0)
                theta = np.arccos(cos_t)
                k_hi = e_0
                ok = k_hi > k_tab[0]
                u = np.linspace(0.0, 1.0, N_K)
                lnk = np.log(k_tab[0]) + (np.log(np.maximum(k_hi, k_tab[0])) - np.log(k_tab[0]))[:, None] * u[None, :]
                k = np.exp(lnk)
                kappa = g * g * np.exp(np.interp(lnk, np.log(k_tab), np.log(np.maximum(kappa_tab, 1e-300))))
                th_s = e_s / k
                dens = np.where(th_s < 0.5, np.exp(-(theta[:, None] / th_s) ** 2) / (np.pi * th_s**2), 1.0 / (4 * np.pi))
                per_lnk = k * ec.photon_track_length(k, e_0[:, None], 1.0, fe.Z) * kappa * dens * _p_inside(
                    k, m_mev, width, t_in[:, None], t_out[:, None])
                integral = np.trapezoid(per_lnk, lnk, axis=1)
                per_meson += POT_DUMP * np.where(ok, ms.w * mes.br_gg * d_omega * integral, 0.0)
            out["n_cascade"] += float(np.sum(per_meson))
            out["n_cascade_var"] += float(np.sum(per_meson**2))
    return out


def hits_events(m_mev: float, g_gev: float, n_mesons: int, experiment: str = "miniboone-dm", seed: int = 5,
                cascade: str = "none") -> tuple[float, float, int]:
    """darkbeam's own count (boson_flux "hits" arrivals × P_inside), with its relative MC error and the number of
    ALPs that hit the disc: the same sum the decay-in-volume process forms before resampling."""
    model = _model(m_mev, g_gev, cascade=cascade)
    exp = get_experiment(experiment)
    arr = boson_flux(model, experiment, "off-target", n_mesons=n_mesons, seed=seed).arrivals
    ray = arr.point - arr.origin
    t_in, t_out = exp.chord(arr.origin, ray / np.linalg.norm(ray, axis=1)[:, None])
    w = arr.weight * face_area(exp) / hu.cm2 * POT_DUMP * _p_inside(
        arr.energy, m_mev, model.boson_decays("a").total, t_in, t_out)
    return float(np.sum(w)), float(np.sqrt(np.sum(w * w)) / np.sum(w)), len(w)


def hits_without_shower_alp_angle(m_mev: float, g_gev: float, n_mesons: int, seed: int = 5
                                  ) -> tuple[float, float, int]:
    """Diagnostic: :func:`hits_events` with the cascade on but each shower ALP sent along its shower photon (the
    Primakoff angle of the shower ALPs switched off, as the forced-direction estimate assumes), to separate
    that angle from the rest of the comparison. Restores the module function afterwards."""
    original = pp.photons_to_alps

    def along_photon(rng, photons, m_a, material, tabulated=False):
        alps, q2 = original(rng, photons, m_a, material, tabulated)
        if tabulated:  # the shower photons only (the primaries keep their angle)
            e = photons[:, 0]
            p = np.sqrt(np.clip(e * e - m_a * m_a, 0.0, None))
            alps = np.concatenate([e[:, None], (p / e)[:, None] * photons[:, 1:]], axis=1)
        return alps, q2

    pp.photons_to_alps = along_photon
    try:
        return hits_events(m_mev, g_gev, n_mesons, seed=seed, cascade="approx-b")
    finally:
        pp.photons_to_alps = original


def audit_dump(n_mesons: int) -> None:
    """Print the factor-by-factor audit of the dump comparison (docs/portal_alp.md)."""
    print("Audit of the MiniBooNE dump chain:")
    for beam_name in ("bnb", "bnb-off-target"):
        beam = BEAMS.get(beam_name)
        row = ", ".join(f"{s} {mesons_per_pot(beam, s):.3g} (theta < 0.05 rad: "
                        f"{mesons_per_pot(beam, s, theta_range=(0.0, 0.05)):.3g})" for s in ("pi0", "eta"))
        print(f"  beam {beam_name} ({beam.production}), per POT: {row}")
    g = 1e-6 / hu.GeV
    for m in (0.0, 50.0):
        sp = float(pp.sigma_primakoff(1000.0, max(m, 1e-6), g, "Fe")[0])
        print(f"  Fe, E = 1 GeV, g = 1e-6 /GeV, m_a = {m:g} MeV: sigma_P {sp:.3e} cm^2, sigma_abs "
              f"{float(pp.sigma_absorption(1000.0, 'Fe')):.3e} cm^2, P {sp / float(pp.sigma_absorption(1000.0, 'Fe')):.3e}")
    fe = pp.get_material("Fe")
    pref = g * g * ALPHA_EM * fe.Z**2 / 8.0 * INV_MEV2_TO_CM2
    print(f"  by hand: g^2 alpha Z^2/8 = {pref:.3e} cm^2; x [ln(a^2 d) - 2] = {pref * (np.log(fe.screening_a**2 * fe.nuclear_d) - 2):.3e} "
          f"(m_a = 0); x [ln(d/q_min^2) - 2], q_min = m^2/2E = {pref * (np.log(fe.nuclear_d / (50.0**2 / 2000.0) ** 2) - 2):.3e} "
          f"(50 MeV); 7/9 A/(X0 N_A) = {fe.sigma_pair_limit_cm2:.3e} cm^2")
    e = np.array([60.0, 100.0, 1000.0])
    s_m, s_0 = pp.sigma_primakoff(e, 50.0, g, "Fe"), pp.sigma_primakoff(e, 1e-6, g, "Fe")
    s_inv = sigma_massless_inverse(e, 50.0, g)
    print("  Fe, g = 1e-6 /GeV, E = 60, 100, 1000 MeV: sigma_P(m_a = 50 MeV) " + ", ".join(f"{v:.3g}" for v in s_m)
          + "; sigma_P(m_a = 0) " + ", ".join(f"{v:.3g}" for v in s_0) + "; massless inverse-Primakoff "
          + ", ".join(f"{v:.3g}" for v in s_inv) + " cm^2 (ratio to sigma_P(50 MeV) "
          + ", ".join(f"{v:.3g}" for v in s_inv / s_m) + ")")
    for m in (20.0, 50.0, 70.0):
        gam = g * g * m**3 / (64 * np.pi)
        lam = np.sqrt(1000.0**2 - m * m) / m * HBARC / gam
        print(f"  m_a = {m:g} MeV, g = 1e-6 /GeV: c tau = {HBARC / gam / hu.m:.4g} m, lab decay length at 1 GeV "
              f"{lam / hu.m:.4g} m, P(decay in the mean chord 4R/3) = {-np.expm1(-4 * 610.6 * hu.cm / 3 / lam):.3g}")
    for m in (20.0, 50.0, 70.0):
        hits, rel, n_hits = hits_events(m, 1e-6, n_mesons)
        fd = forced_direction_events(m, 1e-6, n_mesons)
        be = _model(m, 1e-6, "beam")  # the BNB beam's off-target mode: p-Be production moved to the dump, Be photons
        dm = decay_signal(be, "miniboone", "off-target", n_mesons, 20_000, 5)
        n_dm = dm.total(be, POT_DUMP)
        print(f"  m_a = {m:g} MeV, g = 1e-6 /GeV: darkbeam hits N = {hits:.4g} (+- {100 * rel:.1f} %, {n_hits} hits), "
              f"forced-direction N = {fd['n_primary']:.4g} (ratio {hits / fd['n_primary']:.3f}); primary photons per POT "
              f"into the disc {fd['photons_into_disc']:.3g}; miniboone off-target (p-Be moved to the dump, Be) / "
              f"miniboone-dm (p-Fe dump, 490 m) {n_dm / hits:.3f}")


def cascade_at_published_edge(m: float, n_mesons: int, n_off, n_on) -> None:
    """The events at the published lower-edge coupling: darkbeam's channel without and with the cascade (the
    long-lived-branch samples ``n_off``, ``n_on`` of the edge search), the forced-direction cross-check of the
    cascade factor, its sensitivity to the shower's angular spread, and the massless inverse-Primakoff what-if."""
    g_pub = published_at(PUBLISHED_LOWER, m)
    off, on = n_off(g_pub), n_on(g_pub)
    at_pub = forced_direction_events(m, g_pub, n_mesons)
    what_if = forced_direction_events(m, g_pub, n_mesons, massless_inverse=True)
    tot_pub, tot_wi = at_pub["n_primary"] + at_pub["n_cascade"], what_if["n_primary"] + what_if["n_cascade"]
    spread = [forced_direction_events(m, g_pub, n_mesons // 4, e_s=f * E_S) for f in (0.5, 2.0)]
    wi = tot_wi / tot_pub
    print(f"  m_a = {m:g} MeV at the published lower edge g = {g_pub:.2g} /GeV: channel N = {off:.3g} (pi0/eta photons), "
          f"{on:.3g} (cascade approx-b): x{on / off:.3g}; remaining factor {N_UP_90 / on:.3g} in rate, "
          f"{(N_UP_90 / on) ** 0.25:.3g} in g")
    na, na_rel, _ = hits_without_shower_alp_angle(m, g_pub, n_mesons // 2)
    print(f"    forced-direction cross-check: primary {at_pub['n_primary']:.3g}, cascade x{tot_pub / at_pub['n_primary']:.3g} "
          f"(channel/forced with the cascade {on / tot_pub:.3f}; channel hits with the shower ALPs' Primakoff angle "
          f"switched off {na:.3g} +- {100 * na_rel:.1f} %, /forced {na / tot_pub:.3f}); spread E_s halved / doubled: x"
          + " / x".join(f"{(r['n_primary'] + r['n_cascade']) / r['n_primary']:.3g}" for r in spread)
          + " (forced cascade factor relative to E_s nominal: "
          + " / ".join(f"{(r['n_primary'] + r['n_cascade']) / r['n_primary'] / (tot_pub / at_pub['n_primary']):.2f}"
                       for r in spread) + ")")
    print(f"    what-if massless inverse-Primakoff sigma (forced, with the cascade): x{wi:.3g}: {on * wi:.3g} events; "
          f"remaining factor {N_UP_90 / (on * wi):.3g} in rate, {(N_UP_90 / (on * wi)) ** 0.25:.3g} in g")


def cross_section_table() -> None:
    print("Primakoff conversion on tungsten (g = 1e-5 /GeV): E [MeV], sigma_P [cm^2] for m_a = 1, 10, 60 MeV; "
          "P = sigma_P/sigma_abs")
    g = 1e-5 / hu.GeV
    for e in (50.0, 100.0, 300.0, 1000.0):
        row = [f"{float(pp.sigma_primakoff(e, m, g, 'W')[0]):.3e}" for m in (1.0, 10.0, 60.0)]
        prob = [f"{float(pp.conversion_probability(e, m, g, 'W')[0]):.3e}" for m in (1.0, 10.0, 60.0)]
        print(f"  E = {e:6.0f}: sigma_P {' '.join(row)}   P {' '.join(prob)}")
    for mat in ("W", "Be"):
        e = np.geomspace(3.0, 1000.0, 2000)
        half = e[np.argmax(pp.sigma_pair(e, mat) >= 0.5 * pp.get_material(mat).sigma_pair_limit_cm2)]
        m = pp.get_material(mat)
        recoil = m.nuclear_d / (2.0 * m.mass_number * 931.494)
        print(f"{mat}: sigma_pair reaches half its high-energy limit at {half:.0f} MeV; nuclear recoil q^2/2M at the "
              f"nuclear scale q^2 = d: {recoil * 1e3:.0f} keV")
    rng = np.random.default_rng(11)
    for e_gam, m_a in ((100.0, 1.0), (100.0, 10.0), (1000.0, 10.0)):
        alps, _ = pp.photons_to_alps(rng, np.tile([e_gam, 0.0, 0.0, e_gam], (20000, 1)), m_a, "W")
        theta = np.arccos(np.clip(alps[:, 3] / np.linalg.norm(alps[:, 1:], axis=1), -1, 1))
        print(f"ALP angle to its photon on W, E = {e_gam:g} MeV, m_a = {m_a:g} MeV: median {np.median(theta):.2g} rad, "
              f"90 % below {np.quantile(theta, 0.9):.2g} rad")
    e = np.array([100.0, 1000.0])
    ref = pp.conversion_probability(e, 10.0, g, "Be")
    print("P(material)/P(Be), m_a = 10 MeV, E = 100 MeV and 1 GeV: " + ", ".join(
        f"{mat} {r[0]:.2f} {r[1]:.2f}" for mat in ("C", "Fe", "W", "Hg")
        for r in [pp.conversion_probability(e, 10.0, g, mat) / ref]))
    xcom = {10.0: 14.49, 20.0: 17.99, 50.0: 23.26, 100.0: 26.85, 1000.0: 33.05}  # NIST XCOM W, barn/atom
    ours = pp.sigma_absorption(np.array(list(xcom)), "W") / 1e-24
    print("photon absorption on W, ours / NIST XCOM (total attenuation): " + ", ".join(
        f"{e:g} MeV {o / x:.3f}" for (e, x), o in zip(xcom.items(), ours)))


def cascade_track_length_check() -> None:
    """The approximation-B track length of em_cascade: Rossi's 0.572 against the cascade MC (as in
    tests/test_alp_cascade.py), and the approximation-B factor s in iron."""
    runs = [ec.rossi_cascade_mc(np.random.default_rng(100 + i), 2e4, 100, 1.0, 26, 1.0,
                                np.array([200.0, 1000.0]))["photon_track"][0] for i in range(8)]
    ratio = np.array(runs) / (ec.ROSSI_B_PHOTON * 2e4 * (1 / 200 - 1 / 1000) / 800.0)
    print(f"EM cascade: MC photon track length / 0.572 E0/k^2 (E0 = 2e4 eps0, k = 200-1000 eps0): {ratio.mean():.3f} "
          f"+- {ratio.std(ddof=1) / np.sqrt(len(ratio)):.3f}; critical energy eps0(Fe) = {ec.critical_energy(26):.1f} MeV")
    k = np.array([10.0, 20.0, 50.0, 100.0])
    print("  approximation-B factor s in Fe (E0 >> k), k = 10, 20, 50, 100 MeV: "
          + ", ".join(f"{v:.2f}" for v in ec.approx_b_factor(k, 1e5, 26)))


def ccm_point(n_mesons: int, n_events: int) -> None:
    model = _model(10.0, 1e-5, "W")
    for det in (False, True):
        s = decay_signal(model, "ccm", "stopped", n_mesons, n_events, 7, detector=det)
        print(f"CCM, m_a = 10 MeV, g = 1e-5 /GeV, 2.25e22 POT: {s.total(model, 2.25e22):.4g} a -> gamma gamma decays "
              f"inside the detector ({'after the CCM response' if det else 'truth level'})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_mesons, n_events = (40_000, 4_000) if args.quick else (200_000, 20_000)
    cross_section_table()
    cascade_track_length_check()
    ccm_point(n_mesons, n_events)
    audit_dump(n_mesons)
    print(f"MiniBooNE dump ({POT_DUMP:.3g} POT, Fe, a -> gamma gamma in the sphere, efficiency {EFFICIENCY}, "
          f"N = {N_UP_90}):")
    ours, counts = {}, {}
    n_casc = n_mesons // 2  # the cascade samples hold 5 ALPs per photon: half the mesons keeps the runtime
    for cascade, n_m in (("none", n_mesons), ("approx-b", n_casc)):
        print(f"  cascade = {cascade!r} ({n_m} mesons per species):")
        for m in MASSES:
            lo, up, nmax, n_low = contour_edges(m, n_m, n_events, cascade=cascade, with_counts=True)
            ours[cascade, m], counts[cascade, m] = (lo, up), n_low
            pub_lo, pub_up = published_at(PUBLISHED_LOWER, m), published_at(PUBLISHED_UPPER, m)
            lo_s = "none" if lo is None else f"{lo:.3g}" + (
                f" (published {pub_lo:.2g}, ratio {lo / pub_lo:.2f})" if pub_lo else " (outside the published points)")
            up_s = "none" if up is None else f"{up:.3g}" + (
                f" (published {pub_up:.2g}, ratio {up / pub_up:.2f}, squared {(up / pub_up) ** 2:.2f})" if pub_up
                else " (outside the published points)")
            print(f"    m_a = {m:5.1f} MeV: max events {nmax:.3g}; lower edge {lo_s}; upper edge {up_s}")
    print("  lower edge without / with the cascade: " + ", ".join(
        f"{m:g} MeV {ours['none', m][0] / ours['approx-b', m][0]:.2f}" for m in MASSES
        if ours["none", m][0] and ours["approx-b", m][0]))
    print("What the difference is made of:")
    for m in (20.0, 50.0, 70.0):
        cascade_at_published_edge(m, n_mesons, counts["none", m], counts["approx-b", m])
    if args.quick:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from darkbeam.io.atomic import save_figure

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.plot(list(PUBLISHED_LOWER), list(PUBLISHED_LOWER.values()), "k-", label="published lower edge (arXiv:2307.03878)")
    ax.plot(list(PUBLISHED_UPPER), list(PUBLISHED_UPPER.values()), "k--", label="published upper edge")
    for cascade, col, what in (("none", "C0", "pi0/eta photons"), ("approx-b", "C3", "with the EM cascade")):
        ms = [m for m in MASSES if ours[cascade, m][0]]
        ax.plot(ms, [ours[cascade, m][0] for m in ms], "o-", color=col, label=f"darkbeam lower edge ({what})")
        ms = [m for m in MASSES if ours[cascade, m][1]]
        ax.plot(ms, [ours[cascade, m][1] for m in ms], "s--", color=col, label=f"darkbeam upper edge ({what})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("m_a [MeV]")
    ax.set_ylabel("g_agamma [1/GeV]")
    ax.set_title("MiniBooNE beam dump, a -> gamma gamma, 1.86e20 POT (90 % CL, N = 2.3)", fontsize=9)
    ax.legend(fontsize=7)
    save_figure(fig, FIG)
    print(f"wrote {FIG}")


if __name__ == "__main__":
    main()
