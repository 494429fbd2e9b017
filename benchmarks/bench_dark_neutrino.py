"""darkbeam vs DarkNews 0.4.8: wall time to the MiniBooNE 3+1 upscattering rate at 1% precision.

Same configuration for both: ν_μ flux of MiniBooNE (ν mode, 18.75e20 POT, 818 t CH2, coherent on C12
+ elastic on the protons of C12 and H), m4 = 150 MeV, m_Z' = 1.25 GeV, ε = 0.01 (DarkNews
convention), g_D = 2, Umu4 = 1e-3, UD4 = 0.8, Dirac.

darkbeam computes the rate by quadrature (its precision is the change when the quadrature nodes
are doubled); DarkNews by VEGAS Monte Carlo in its generator, whose statistical precision is
sqrt(Σw²)/Σw of the event weights. DarkNews runs are repeated with 4× more evaluations until the
precision is ≤ 1%; if the time budget is exhausted, the time is extrapolated ∝ precision⁻².

Run: /work/venv/bin/python benchmarks/bench_dark_neutrino.py
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from darkbeam.interactions.hnl_upscattering import Upscattering
from darkbeam.models import get_model
from darkbeam.pipeline import dark_neutrino as pdn

PARS = {"m4": 0.15, "mzprime": 1.25, "epsilon": 0.01, "gD": 2.0, "Umu4": 1e-3, "UD4": 0.8, "HNLtype": "dirac"}


def darkbeam_rate(nodes_per_bin=4, n_q2=64):
    m = get_model("dark-neutrino", {"m4": "150 MeV", "mzprime": "1.25 GeV", "epsilon": "0.01", "gD": "2",
                                     "Umu4": "1e-3", "UD4": "0.8", "HNLtype": "dirac"})
    exp = pdn.get_experiment("miniboone")
    E, w = pdn.flux_nodes("miniboone", "neutrino", "nu_mu", nodes_per_bin)
    tot = 0.0
    for tname, n in exp.targets().items():
        for regime in (("coherent", "p-el") if tname == "C12" else ("p-el",)):
            up = Upscattering(m.couplings, tname, regime, 0)
            sel = E > up.threshold
            tot += exp.pot_for("neutrino") * n * float(np.sum(w[sel] * up.total_xsec(E[sel], n=n_q2)))
    return tot


def bench_darkbeam():
    darkbeam_rate()  # warm-up (imports, caches)
    t0 = time.perf_counter()
    r = darkbeam_rate()
    t = time.perf_counter() - t0
    prec = abs(darkbeam_rate(8, 128) / r - 1)
    return r, t, prec


def bench_darknews(budget_s=240.0):
    from DarkNews.GenLauncher import GenLauncher

    neval, spent, out = 2000, 0.0, None
    while True:
        with tempfile.TemporaryDirectory() as tmp:
            gen = GenLauncher(experiment="miniboone_fhc", nu_flavors=["nu_mu"], decay_product="e+e-", neval=neval,
                              nint=10, neval_warmup=1000, nint_warmup=5, path=tmp, loglevel="ERROR", seed=42,
                              pandas=False, parquet=False, make_summary_plots=False, **PARS)
            t0 = time.perf_counter()
            df = gen.run(loglevel="ERROR")
            t = time.perf_counter() - t0
        w = np.asarray(df["w_event_rate"]).ravel()
        rate, prec = float(w.sum()), float(np.sqrt(np.sum(w**2)) / w.sum())
        spent += t
        out = (rate, t, prec, neval)
        if prec <= 0.01 or spent + 4 * t > budget_s:
            break
        neval *= 4
    rate, t, prec, neval = out
    t_1pct = t * max(prec / 0.01, 1.0) ** 2
    return rate, t, prec, t_1pct, neval


if __name__ == "__main__":
    r_db, t_db, p_db = bench_darkbeam()
    print(f"darkbeam : rate = {r_db:10.1f} events   time = {t_db * 1e3:8.1f} ms   numerical precision = {p_db:.1e}")
    try:
        r_dn, t_dn, p_dn, t1, neval = bench_darknews(float(os.environ.get("DN_BUDGET_S", "240")))
    except Exception as exc:  # noqa: BLE001 - DarkNews missing or failing: report and stop
        print(f"DarkNews : not run ({exc!r})")
    else:
        print(f"DarkNews : rate = {r_dn:10.1f} events   time = {t_dn:8.1f} s    stat. precision = {p_dn:.2%} "
              f"(neval = {neval}); time to 1% = {t1:.1f} s")
        print(f"rate ratio darkbeam/DarkNews = {r_db / r_dn:.3f} (DarkNews: e eps_eff = 1.019 e eps, starts at 1.05 x threshold,"
              " spin-1/2 carbon)")
        print(f"speed-up to 1% precision: {t1 / t_db:,.0f}x  (floor: 10x)")
