"""Throughput of the three-body sampler (π⁺ → μ⁺ ν φ, in-flight parents) vs a naive baseline.

Baseline: a per-event Python loop with accept–reject on the exact |M|² over the flat Dalitz rectangle
(the approach of simple generators), timed on a small sample; reference: alplib ~1.3e4 decays/s.
Run: /work/venv/bin/python benchmarks/bench_three_body.py
"""

import math
import time

import numpy as np

from darkbeam import constants as c
from darkbeam.models import get_model
from darkbeam.production import matrix_elements as me
from darkbeam.production import three_body as tb
from darkbeam.sample import ParticleSample


def parents(rng, n):
    p = np.zeros((n, 4))
    p[:, 3] = rng.uniform(300, 3000, n)
    p[:, 0] = np.sqrt(p[:, 3] ** 2 + c.M_PI**2)
    return ParticleSample(np.full(n, 211), p, np.zeros((n, 3)), np.ones(n))


def naive(rng, n, mx=1.0):
    mes, lep = me.MESONS.get("pi"), me.LEPTONS.get("mu")
    M, m = mes.mass, lep.mass
    fmax = 0.0
    for _ in range(2000):  # crude envelope
        q2, s = rng.uniform((m + mx) ** 2, M * M), rng.uniform(m * m, (M - mx) ** 2)
        fmax = max(fmax, float(me.me2_scalar(mes, me.Invariants(M, m, mx, np.array([q2]), np.array([s])))[0]))
    out = 0
    while out < n:
        q2, s = rng.uniform((m + mx) ** 2, M * M), rng.uniform(m * m, (M - mx) ** 2)
        rq = math.sqrt(q2)
        el, en = (q2 + m * m - mx * mx) / (2 * rq), (M * M - q2) / (2 * rq)
        pl = math.sqrt(max(el * el - m * m, 0))
        if not ((el + en) ** 2 - (pl + en) ** 2 < s < (el + en) ** 2 - (pl - en) ** 2):
            continue
        f = float(me.me2_scalar(mes, me.Invariants(M, m, mx, np.array([q2]), np.array([s])))[0])
        if rng.uniform() * 1.5 * fmax < f:
            out += 1
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    model = get_model("muphilic-scalar", {"g_mu": "5e-3", "m_phi": "1 MeV"})
    par = parents(rng, 1_000_000)
    tb.sample_three_body(rng, parents(rng, 10), "mu", model)  # grid + numba compilation
    best = {}
    for wl in (False, True):
        rates = []
        for _ in range(3):
            t = time.perf_counter()
            out = tb.sample_three_body(rng, par, "mu", model, with_leptons=wl)
            rates.append(len(out) / (time.perf_counter() - t))
        best[wl] = max(rates)
    t = time.perf_counter()
    nn = naive(rng, 2000)
    r_naive = nn / (time.perf_counter() - t)
    print(f"darkbeam sample_three_body (X only):        {best[False]:.3e} decays/s")
    print(f"darkbeam sample_three_body (X, lepton, nu): {best[True]:.3e} decays/s")
    print(f"naive per-event Python accept-reject:       {r_naive:.3e} decays/s  -> ratio {best[True] / r_naive:.0f}x")
    print(f"alplib reference 1.3e4 decays/s             -> ratio {best[True] / 1.3e4:.0f}x")


if __name__ == "__main__":
    main()
