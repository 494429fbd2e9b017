"""Numbers of docs/portal_alp.md, section "Inverse-Primakoff scattering": the ALP's second detection channel.

What is computed (printed; nothing is written):

1. σ(a N → γ N) per atom on C and Ar (darkbeam.interactions.inverse_primakoff) at a few ALP energies and masses,
   g = 1e-5 /GeV, with its ratio to 2 σ_P(γ N → a N) (→ 1 for E ≫ m_a: detailed balance, 2 (E/p)² σ_P);
2. scatter (a N → γ N) against decay (a → γγ) events of the `alp` model at
   * CCM (experiment `ccm`, Lujan stopped-pion source, W target; the point of examples/alp_ccm.toml, 2.25e22 POT,
     after CCM's response), and
   * the MiniBooNE beam dump (experiment `miniboone-dm`, off-target, Fe dump, 1.86e20 POT, truth level: its
     registered response is a nucleon-recoil selection that keeps no photon),
   at a few (m_a, g_aγγ): one combined sample per mass (both channels), re-weighted exactly in g.

Monte Carlo errors: hit counting (the ALPs whose own momenta cross the detector disc) is the dominant error: the
relative error of each channel is taken from the arrivals of the same flux run (``boson_flux``, same seed and
sample size), weighted by what each channel integrates over the flux (survival to the detector × σ(E) for the
scatter, × the probability to decay within the sphere's mean chord 4R/3 for a decay), combined with the
resampling error of the events (√Σw²/Σw). Deep in the short-lived regime (few energetic ALPs survive) the
re-weighted estimate rests on a handful of arrivals: the error says so.

Run:  /work/venv/bin/python docs/make_alp_scatter.py            (≈ 2 min: 2e5 mesons per species)
      /work/venv/bin/python docs/make_alp_scatter.py --quick    (4e4 mesons per species)
"""

from __future__ import annotations

import argparse
import math

import hepunits as hu
import numpy as np

from darkbeam.constants import HBARC
from darkbeam.detectors.catalog import get_experiment
from darkbeam.interactions.inverse_primakoff import (
    detector_material,
    sigma_detailed_balance,
    sigma_inverse_primakoff,
)
from darkbeam.models import get_model
from darkbeam.pipeline.boson_flux import boson_flux
from darkbeam.pipeline.signal import build_signal
from darkbeam.production.photon_primakoff import sigma_primakoff

G_REF = 1e-5  # 1/GeV
#: (experiment, mode, ALP target, POT, detector response applied, masses in MeV, couplings in 1/GeV)
SETUPS = (
    ("ccm", "stopped", "W", 2.25e22, True, (0.01, 0.1, 1.0, 10.0), (1e-5, 1e-4, 1e-3)),
    ("miniboone-dm", "off-target", "Fe", 1.86e20, False, (0.01, 0.1, 1.0, 10.0), (1e-6, 1e-5, 1e-4)),
)


def cross_sections() -> None:
    g = G_REF / hu.GeV
    print(f"sigma(a N -> gamma N) per atom [cm2], g = {G_REF:g} /GeV (ratio to 2 sigma_P(gamma N -> a N) in brackets)")
    for target in ("C12", "Ar40"):
        for m_a in (0.01, 1.0, 10.0):
            e = np.array([10.0, 30.0, 100.0, 1000.0])
            s = sigma_inverse_primakoff(e, m_a, g, target)
            sp = 2.0 * sigma_primakoff(e, m_a, g, detector_material(target))
            ratio = np.where(sp > 0, s / np.where(sp > 0, sp, 1.0), 0.0)
            assert np.allclose(s, sigma_detailed_balance(e, m_a, g, target), rtol=1e-10, atol=0)
            cells = ", ".join(f"E={x:g}: {v:.3e} ({r:.3f})" for x, v, r in zip(e, s, ratio, strict=True))
            print(f"  {target:5s} m_a = {m_a:g} MeV: {cells}")


def _rel_error(w: np.ndarray) -> float:
    return math.sqrt(float(np.sum(w**2))) / float(np.sum(w)) if np.sum(w) > 0 else float("inf")


def counts(n_mesons: int, n_events: int, seed: int = 21) -> None:
    for exp, mode, target, pot, det, masses, couplings in SETUPS:
        print(f"\n{exp} ({mode}, ALPs from pi0/eta photons in {target}), {pot:.3g} POT, "
              f"{'after the detector response' if det else 'truth level'}; {n_mesons} mesons per species")
        print("  m_a [MeV] | g [1/GeV] | N(a -> gamma gamma) | N(a N -> gamma N) | scatter/decay")
        for m_a in masses:
            model = get_model("alp", {"m_a": f"{m_a} MeV", "g_agg": f"{G_REF} /GeV", "target": target})
            s = build_signal(model, exp, mode, n_mesons=n_mesons, n_events=n_events, seed=seed, detector=det)
            arr = boson_flux(model, exp, mode, n_mesons=n_mesons, seed=seed).arrivals
            p = np.sqrt(np.clip(arr.energy**2 - m_a**2, 0, None))
            sig = sum(n * sigma_inverse_primakoff(arr.energy, m_a, 1.0, t)
                      for t, n in get_experiment(exp).targets().items())
            chord = 4.0 * get_experiment(exp).radius / 3.0  # mean chord of the detector sphere
            for g in couplings:
                at = model.replace(g_agg=g / hu.GeV)
                lam = p / m_a * HBARC / at.boson_decays().total
                surv = np.exp(-arr.distance / lam)
                # what each channel integrates over the arrivals: P(decay in the mean chord) / σ(E), both × survival
                flux_err = {"decay-in-volume": _rel_error(arr.weight * surv * -np.expm1(-chord / lam)),
                            "inverse-primakoff": _rel_error(arr.weight * surv * sig)}
                row = []
                for part in s.parts:
                    w = part.weights(at, pot)
                    n = float(np.sum(w))
                    err = math.hypot(flux_err[part.process], _rel_error(w)) if n > 0 else float("nan")
                    row.append((n, err))
                (nd, ed), (ns, es) = row
                ratio = ns / nd if nd > 0 else float("inf")
                print(f"  {m_a:g} | {g:g} | {nd:.3g} (+-{100 * ed:.0f} %) | {ns:.3g} (+-{100 * es:.0f} %) | "
                      f"{ratio:.3g}")
            print(f"    ({len(arr)} ALPs hit the detector disc; notes: {s.note or 'none'})")
            if m_a == 0.1:  # long-lived: scatter/decay ∝ m_a⁻⁴, so the two channels are equal at m_a ratio^(1/4)
                first = [float(np.sum(p_.weights(model.replace(g_agg=couplings[0] / hu.GeV)))) for p_ in s.parts]
                print(f"    scatters = decays at m_a ~ {m_a * (first[1] / first[0]) ** 0.25:.2g} MeV "
                      "(from this mass, ratio scaled as m_a^-4)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    cross_sections()
    counts(40_000 if args.quick else 200_000, 2000 if args.quick else 8000)


if __name__ == "__main__":
    main()
