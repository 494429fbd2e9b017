"""Numbers of docs/portal_alp.md, section "Electron coupling": the ALP's electron coupling g_aee in production
(Compton-like γ e → a e of the target's photons, darkbeam.production.alp_compton) and detection (a → e⁺e⁻ in the
detector; a e → γ e, darkbeam.interactions.alp_electron, process ``inverse-compton``).

Prints
1. σ(γ e → a e) and σ(a e → γ e) per electron at a few energies (closed forms; their crossing ratio);
2. ALPs per POT made in the target by Primakoff (∝ g_aγγ²) and by Compton (∝ g_aee²) conversion of the π⁰/η photons,
   without and with the approximation-B cascade, at CCM (Lujan, W) and the MiniBooNE steel dump (``miniboone-dm``,
   Fe), for g_aee = 1e-6, g_aγγ = 1e-6 /GeV, m_a = 1 and 10 MeV;
3. events per detection channel at those points (CCM after its response, 2.25e22 POT; MiniBooNE dump at truth
   level, 1.86e20 POT), with the share of each production mechanism;
4. darkbeam's MiniBooNE-dump exclusion in g_aee (g_aγγ = 0: Compton production, a → e⁺e⁻ decays anywhere in the
   tank at truth level, efficiency 1, N = 2.30 at 90 % CL without background), by re-weighting one sample per mass.
   No published g_aee curve of the MiniBooNE dump (Capozzi et al., arXiv:2307.03878) was available to us as
   numbers (C. O'Hare's AxionLimits has no MiniBooNE file under limit_data/AxionElectron/ in the snapshot we could
   read), so no ratio to it is given.

Monte Carlo errors (in brackets): yields, sqrt(Σw²)/Σw of the sampled ALPs' weights; events, the same with the
events grouped by the ALP arrival they were drawn from (hit counting dominates). Run: ``python docs/make_alp_electron.py``.
"""

from __future__ import annotations

import math

import numpy as np

import darkbeam.pipeline  # noqa: F401  (registers the detection processes)
from darkbeam.constants import HBARC, M_E
from darkbeam.interactions.alp_electron import sigma_inverse_compton
from darkbeam.models import get_model
from darkbeam.pipeline.boson_flux import iter_boson_sources
from darkbeam.pipeline.signal import build_signal
from darkbeam.production.alp_compton import LABEL_SUFFIX, sigma_compton, threshold_energy

G_AEE, G_AGG = 1e-6, 1e-6  # dimensionless, 1/GeV
MASSES = (1.0, 10.0)  # MeV
#: (experiment, mode, target material, POT, detector response)
SETUPS = (("ccm", "stopped", "W", 2.25e22, True), ("miniboone-dm", "off-target", "Fe", 1.86e20, False))
N_MESONS = 200_000
N_EVENTS = 2000
N_90 = 2.30  # 90 % CL, no background, no event observed
G_REF_EXCL = 1e-7  # g_aee of the one sample per mass that is re-weighted (long-lived at 5-10 MeV)


def _model(m_a: float, target: str, g_aee: float = G_AEE, g_agg: float = G_AGG, cascade: str = "none"):
    return get_model("alp", {"m_a": f"{m_a} MeV", "g_agg": f"{g_agg} /GeV", "g_aee": g_aee, "target": target,
                             "cascade": cascade})


def _err(w: np.ndarray) -> float:
    return math.sqrt(float(np.sum(w**2))) / float(np.sum(w)) if np.sum(w) > 0 else float("inf")


def _err_arrivals(part, w: np.ndarray) -> float:
    """Relative error with the events grouped by the arrival they were resampled from (same production point and
    momentum): sqrt(Σ W_j²)/Σ W_j over arrivals j — the hit-counting error, larger than the resampling error."""
    p_lab = part.p_lab if part.p_lab is not None else part.columns["p_lab"]  # decay-in-volume keeps it in columns
    key = np.column_stack([np.asarray(part.columns["x_prod"], float), np.asarray(p_lab, float)])
    _, inv = np.unique(key, axis=0, return_inverse=True)
    return _err(np.bincount(inv.ravel(), w))


def cross_sections() -> None:
    print("1. cross-sections per electron at g_aee = 1e-6 [cm2]")
    for m_a in (0.0, 1.0, 10.0):
        print(f"  m_a = {m_a:g} MeV (Compton threshold E_gamma > {threshold_energy(m_a):.4g} MeV)")
        for e in (10.0, 100.0, 1000.0):
            s = M_E**2 + 2 * M_E * e
            e_a = (s - M_E**2 - m_a**2) / (2 * M_E)  # the ALP energy of the same s
            sc = sigma_compton(e, m_a, G_AEE)[0]
            sd = sigma_inverse_compton(e_a, m_a, G_AEE)[0]
            if not sc > 0:
                print(f"    E_gamma = {e:g} MeV: 0 (below the threshold)")
                continue
            print(f"    E_gamma = {e:g} MeV: sigma(gamma e -> a e) = {sc:.4e}; at E_a = {e_a:.4g} MeV (same s) "
                  f"sigma(a e -> gamma e) = {sd:.4e} (ratio {sd / sc:.4f} = 2 (p_gamma*/p_a*)^2)")


def lifetimes() -> None:
    print("   c tau of a at the benchmark couplings (g_aee = 1e-6, g_agg = 1e-6 /GeV):")
    for m_a in MASSES:
        d = _model(m_a, "W").boson_decays()
        print(f"    m_a = {m_a:g} MeV: c tau = {HBARC / d.total / 1000.0:.3g} m (widths {d.widths})")


def yields() -> None:
    print(f"2. ALPs per POT made in the target, g_aee = {G_AEE:g}, g_agg = {G_AGG:g} /GeV "
          f"({N_MESONS} mesons per species)")
    for exp, mode, target, _pot, _det in SETUPS:
        for m_a in MASSES:
            for cascade in ("none", "approx-b"):
                model = _model(m_a, target, cascade=cascade)
                tot = {"Primakoff": [], "Compton": []}
                energy = {"Primakoff": [], "Compton": []}
                rng = np.random.default_rng(1)
                for xs, _pp4, label in iter_boson_sources(model, exp, mode, n_mesons=N_MESONS, rng=rng):
                    key = "Compton" if label.endswith(LABEL_SUFFIX) else "Primakoff"
                    tot[key].append(xs.w)
                    energy[key].append(xs.p4[:, 0])
                cells = []
                for key in ("Primakoff", "Compton"):
                    w = np.concatenate(tot[key]) if tot[key] else np.zeros(0)
                    e = np.concatenate(energy[key]) if energy[key] else np.zeros(0)
                    mean_e = float(np.sum(w * e) / np.sum(w)) if np.sum(w) > 0 else float("nan")
                    cells.append(f"{key} {np.sum(w):.3e} ({_err(w):.1%}, <E_a> = {mean_e:.0f} MeV)")
                print(f"  {exp} {target} m_a = {m_a:g} MeV cascade = {cascade}: " + "; ".join(cells))


def events() -> None:
    print("3. events per detection channel (share of Compton-made ALPs in brackets)")
    for exp, mode, target, pot, det in SETUPS:
        for m_a in MASSES:
            model = _model(m_a, target)
            s = build_signal(model, exp, mode, n_mesons=N_MESONS, n_events=N_EVENTS, seed=2, detector=det)
            print(f"  {exp} ({'detector response' if det else 'truth level'}, {pot:.3g} POT) m_a = {m_a:g} MeV:")
            for part, label in zip(s.parts, s.channel_notes(), strict=True):
                w = part.weights(pot=pot)
                if not len(w) or not np.sum(w) > 0:
                    print(f"    {label}: 0 ({part.note or 'no event passes'})")
                    continue
                comp = np.char.endswith(part.source.astype(str), LABEL_SUFFIX)
                print(f"    {label}: {np.sum(w):.3e} ({_err_arrivals(part, w):.0%}; Compton-made "
                      f"{np.sum(w[comp]) / np.sum(w):.3f})")


def _edges(sample, model_at) -> tuple[float | None, float | None, float]:
    """Lower and upper g_aee where N(g) = N_90 (None when the curve does not cross), and the largest N."""
    grid = np.geomspace(1e-9, 1e-2, 141)
    n = np.array([sample.total(model_at(g), pot=1.86e20) for g in grid])
    above = n >= N_90
    if not np.any(above):
        return None, None, float(n.max())

    def solve(a, b):
        for _ in range(60):
            mid = math.sqrt(a * b)
            if (sample.total(model_at(mid), pot=1.86e20) >= N_90) == (sample.total(model_at(a), pot=1.86e20) >= N_90):
                a = mid
            else:
                b = mid
        return math.sqrt(a * b)

    i, j = int(np.argmax(above)), int(len(above) - 1 - np.argmax(above[::-1]))
    lo = solve(grid[i - 1], grid[i]) if i > 0 else None
    hi = solve(grid[j], grid[j + 1]) if j < len(grid) - 1 else None
    return lo, hi, float(n.max())


def exclusion() -> None:
    print("4. MiniBooNE dump (miniboone-dm, 1.86e20 POT), g_agg = 0: Compton production, a -> e+ e- in the tank "
          "(truth level, efficiency 1, N = 2.30)")
    for m_a in (5.0, 10.0):
        for cascade in ("none", "approx-b"):
            ref = _model(m_a, "Fe", g_aee=G_REF_EXCL, g_agg=0.0, cascade=cascade)
            s = build_signal(ref, "miniboone-dm", "off-target", n_mesons=N_MESONS, n_events=N_EVENTS, seed=3,
                             detector=False)
            part = s.parts[2]  # the model's channel DecayInVolume("a", "e+ e-")
            lo, hi, n_max = _edges(part, lambda g, m=m_a, c=cascade: _model(m, "Fe", g_aee=g, g_agg=0.0, cascade=c))
            n_ref = part.total(pot=1.86e20)
            txt = "none" if lo is None else f"{lo:.3e} .. {hi:.3e}" if hi is not None else f"> {lo:.3e}"
            print(f"  m_a = {m_a:g} MeV, cascade = {cascade}: N(g_aee = {G_REF_EXCL:g}) = {n_ref:.3e} "
                  f"({_err_arrivals(part, part.weights()):.0%}); excluded g_aee: {txt} (largest N on the grid "
                  f"{n_max:.3g})")


def main() -> None:
    cross_sections()
    yields()
    lifetimes()
    events()
    exclusion()


if __name__ == "__main__":
    main()
