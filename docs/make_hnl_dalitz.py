"""Numbers of docs/portal_hnl.md, "Three-body decays: the matrix element": the e⁺e⁻ pair of N → ν e⁺e⁻ drawn from
flat phase space (the former kinematics) and from the channel's spin-summed |M|² (``Decays.dalitz_msq`` of the
``heavy-neutral-lepton`` model), at m_N = 100 and 300 MeV, with only |U_μ4|² (Z exchange) or only |U_e4|² (Z and W
with their interference).

What is printed (markdown table), all in the N rest frame:

* the mean pair mass ⟨m_ee⟩ / m_N, flat and |M|²;
* the mean energy asymmetry ⟨|E₋ − E₊|⟩/(E₋ + E₊) of the pair (charge-blind: a detector that does not tell e⁺ from
  e⁻), flat and |M|²;
* the signed asymmetry ⟨(E₋ − E₊)/(E₋ + E₊)⟩ of a Dirac N (0 for a Majorana N, whose two charge states exchange e⁺
  and e⁻, and for flat phase space).

Each number is a 2-D Gauss–Legendre quadrature over the Dalitz plot (``darkbeam.interactions.hnl_decays.dalitz_grid``,
the |E₋ − E₊| kink resolved by splitting the s01 range at E₋ = E₊), cross-checked against 200 000 decays of the
decay-in-volume process (``dalitz_decay``; the largest pull is printed).

Run:  /work/venv/bin/python docs/make_hnl_dalitz.py     (about 5 s)
"""

from __future__ import annotations

import numpy as np

from darkbeam.constants import M_E
from darkbeam.kinematics.dalitz import s01_limits
from darkbeam.models import get_model
from darkbeam.pipeline.decay_in_volume import dalitz_decay

MASSES = (100.0, 300.0)
MIXINGS = {"|U_mu4|^2 only": {"u2_mu": 1e-7}, "|U_e4|^2 only": {"u2_e": 1e-7}}
N_MC, SEED = 200_000, 2024
_X, _W = np.polynomial.legendre.leggauss(96)


def _density(m: float, mixing: dict[str, float]):
    vals = {"m_n": f"{m} MeV", "u2_e": 0.0, "u2_mu": 0.0, "u2_tau": 0.0, "nature": "dirac", **mixing}
    return get_model("heavy-neutral-lepton", vals).boson_decays("N")


def _quadrature(m: float, f) -> dict[str, float]:
    """Moments of (m_ee, |A|, A) under the density f(s12, s01) (f = 1: flat phase space), A = (E₋ − E₊)/(E₋ + E₊)
    in the N frame; s01 = (p_ν + p_e⁺)², E₋ = (m² + m_e² − s01)/(2m), E₊ = (m² + m_e² − s02)/(2m). Gauss–Legendre in
    s12 and, at each s12, in s01 on either side of s01 = s02 (where A changes sign)."""
    lo, hi = (2 * M_E) ** 2, m * m
    s12 = lo + (hi - lo) * (_X + 1) / 2
    w12 = _W * (hi - lo) / 2
    a, b = s01_limits(s12, m, 0.0, M_E, M_E)
    mid = 0.5 * (m * m + 2 * M_E**2 - s12)  # s01 = s02
    sums = np.zeros(4)
    for left, right in ((a, mid), (mid, b)):
        s01 = left[:, None] + (right - left)[:, None] * (_X[None, :] + 1) / 2
        w = w12[:, None] * _W[None, :] * (right - left)[:, None] / 2
        s = np.broadcast_to(s12[:, None], s01.shape)
        e_minus = (m * m + M_E**2 - s01) / (2 * m)
        e_plus = (m * m + M_E**2 - (m * m + 2 * M_E**2 - s - s01)) / (2 * m)
        asym = (e_minus - e_plus) / (e_minus + e_plus)
        fw = w * np.asarray(f(s.ravel(), s01.ravel())).reshape(s01.shape)
        sums += [np.sum(fw), np.sum(fw * np.sqrt(s)), np.sum(fw * np.abs(asym)), np.sum(fw * asym)]
    return {"m_ee": sums[1] / sums[0] / m, "abs_asym": sums[2] / sums[0], "asym": sums[3] / sums[0]}


def _monte_carlo(dec, m: float) -> dict[str, tuple[float, float]]:
    """(mean, its error) of the same quantities from N_MC decays of N at rest by the decay-in-volume process."""
    rng = np.random.default_rng(SEED)
    p4 = np.tile([m, 0.0, 0.0, 0.0], (N_MC, 1))  # N at rest: the lab is its frame
    _, ep, em = dalitz_decay(rng, p4, dec, "nu e+ e-", np.zeros(N_MC, bool), np.zeros(N_MC, bool))
    pair = ep + em
    mee = np.sqrt(np.clip(pair[:, 0] ** 2 - np.sum(pair[:, 1:] ** 2, axis=1), 0.0, None)) / m
    asym = (em[:, 0] - ep[:, 0]) / (em[:, 0] + ep[:, 0])
    return {k: (float(v.mean()), float(v.std() / np.sqrt(N_MC))) for k, v in
            (("m_ee", mee), ("abs_asym", np.abs(asym)), ("asym", asym))}


def rows() -> list[dict]:
    """One row per (mass, mixing): the flat and |M|² moments (quadrature) and the largest Monte Carlo pull."""
    out = []
    for m in MASSES:
        for label, mixing in MIXINGS.items():
            dec = _density(m, mixing)
            f = dec.dalitz_msq["nu e+ e-"]
            flat, me = _quadrature(m, lambda s, t: np.ones_like(s)), _quadrature(m, f)
            mc = _monte_carlo(dec, m)
            pull = max(abs(mc[k][0] - me[k]) / mc[k][1] for k in me)
            out.append({"m": m, "mixing": label, "flat": flat, "msq": me, "pull": pull})
    return out


def main() -> None:
    table = rows()
    print("| m_N | mixing | <m_ee>/m_N flat | <m_ee>/m_N abs(M)^2 | <|A|> flat | <|A|> abs(M)^2 | <A> Dirac N |"
          " MC pull |")
    print("|---|---|---|---|---|---|---|---|")
    for r in table:
        print(f"| {r['m']:g} MeV | {r['mixing']} | {r['flat']['m_ee']:.4f} | {r['msq']['m_ee']:.4f} | "
              f"{r['flat']['abs_asym']:.4f} | {r['msq']['abs_asym']:.4f} | {r['msq']['asym']:+.4f} | {r['pull']:.1f} |")
    print("A = (E(e-) - E(e+))/(E(e-) + E(e+)) in the N frame; flat phase space: <A> = 0; Majorana N: <A> = 0")
    print("|M|^2 / flat, over the rows: <m_ee> " + ", ".join(f"{r['msq']['m_ee'] / r['flat']['m_ee']:.3f}" for r in table)
          + "; <|A|> " + ", ".join(f"{r['msq']['abs_asym'] / r['flat']['abs_asym']:.3f}" for r in table))
    # massless leptons: dΓ/ds ∝ (m² − s)²(m² + 2s) (V−A contact) and (m² − s) (flat); <√s>/m = ∫√x ρ / ∫ ρ
    print(f"massless limit: <m_ee>/m_N = {(2 / 3 - 6 / 7 + 4 / 9) / 0.5:.5f} (|M|^2), {8 / 15:.5f} (flat)")


if __name__ == "__main__":
    main()
