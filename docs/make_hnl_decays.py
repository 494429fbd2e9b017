"""Numbers of docs/portal_hnl.md, "Decays above 0.5 GeV": the decay table of the heavy neutral lepton with the
single-meson channels of darkbeam.models.hnl (K, η, η′, ρ, ω, K*, φ, τπ) and the τ leptonic channels.

What is printed:

* the constants the new channels use: g_K* (fixed by BR(τ → K*ν)) and κ_V of ρ⁰, ω, φ (derived, beside B2018's);
* the one-meson τ decays and Γ(V → e⁺e⁻) these formulas and constants give, against PDG 2022
  (tests/test_hnl_hadronic.py checks both);
* the branching ratios and cτ of a Majorana N with only |U_μ4|² = 1e-8 at m_N = 0.6, 1.0, 1.5 GeV (markdown table;
  channels below 0.05 % in every column are summed into "other", shown only when not empty);
* the total width with the new channels over the former eight-channel total at the same masses;
* Σ exclusive / inclusive quark-level width ((1 + α_s/π), B2018 Sec. 3.1) for the charged- and neutral-current
  hadronic channels at 1.5 and 1.9 GeV (tests/test_hnl_hadronic.py bounds it), and what the total width would be
  with the quark-level hadronic widths instead.

Run:  /work/venv/bin/python docs/make_hnl_decays.py     (about a second)
"""

from __future__ import annotations

import math

from particle import Particle

from darkbeam.constants import (
    ALPHA_EM,
    CTAU_TAU,
    F_K,
    F_PI,
    G_OMEGA,
    G_PHI,
    G_RHO,
    HBARC,
    M_K,
    M_MU,
    M_PI,
    M_RHO,
    M_TAU,
    SIN2_THETA_W,
    V_UD,
    V_US,
)
from darkbeam.models import get_model, hnl

MASSES_GEV = (0.6, 1.0, 1.5)
U2_MU = 1e-8
FORMER = ("nu nu nu", "nu e+ e-", "nu mu+ mu-", "e mu nu", "e pi", "mu pi", "nu pi0", "nu gamma")


def widths(m_gev: float) -> dict[str, float]:
    """Partial widths (MeV) of the Majorana N at m_N = m_gev GeV, |U_μ4|² = U2_MU."""
    model = get_model("heavy-neutral-lepton", {"m_n": f"{m_gev} GeV", "u2_mu": str(U2_MU), "nature": "majorana"})
    return dict(model.decays()["N"].widths)


def br_table() -> str:
    cols = {m: widths(m) for m in MASSES_GEV}
    keep = [ch for ch in hnl.CHANNELS if any(w[ch] / sum(w.values()) >= 5e-4 for w in cols.values())]
    lines = ["| channel | " + " | ".join(f"{m} GeV" for m in MASSES_GEV) + " |",
             "|---|" + "---|" * len(MASSES_GEV)]
    for ch in keep:
        lines.append(f"| `{ch}` | " + " | ".join(_fmt(cols[m][ch] / sum(cols[m].values())) for m in MASSES_GEV) + " |")
    other = [sum(w[ch] for ch in hnl.CHANNELS if ch not in keep) / sum(w.values()) for w in cols.values()]
    if any(x > 0 for x in other):
        lines.append("| other | " + " | ".join(_fmt(x) for x in other) + " |")
    lines.append("| cτ | " + " | ".join(f"{HBARC / sum(cols[m].values()) / 1e6:.3g} km" for m in MASSES_GEV) + " |")
    lines.append("| Γ / Γ(former 8 channels) | " + " | ".join(
        f"{sum(cols[m].values()) / sum(cols[m][c] for c in FORMER):.3f}" for m in MASSES_GEV) + " |")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return "–" if x == 0 else (f"{x:.3f}" if x >= 0.001 else f"{x:.1e}")


def exclusive_over_inclusive(m: float) -> tuple[float, float, float]:
    """(CC, NC) ratio of the single-meson widths to the quark-level widths × (1 + α_s/π), |U_μ|² = 1, Dirac, and the
    total width with the hadronic channels replaced by the quark-level ones over the model's total."""
    s2 = SIN2_THETA_W
    alpha_s = 0.33 / (1 + 27 / (12 * math.pi) * 0.33 * math.log(m**2 / M_TAU**2))
    qcd = 1 + alpha_s / math.pi
    w = hnl.partial_widths(m, {"mu": 1.0}, majorana=False)
    g0 = hnl.gamma0(m)
    cc_in = 3 * g0 * (V_UD**2 * hnl.cc_phase_space(0.0, 0.0, M_MU / m)
                      + V_US**2 * hnl.cc_phase_space(0.0, 93.0 / m, M_MU / m)) * qcd
    nc_in = 3 * g0 * (0.25 * (1 - 8 / 3 * s2 + 32 / 9 * s2**2) + 2 * 0.25 * (1 - 4 / 3 * s2 + 8 / 9 * s2**2)) * qcd
    cc_ex = sum(w[c] for c in ("mu pi", "mu K", "mu rho", "mu K*"))
    nc_ex = sum(w[c] for c in ("nu pi0", "nu eta", "nu eta'", "nu rho0", "nu omega", "nu phi"))
    tot = sum(w.values())
    return cc_ex / cc_in, nc_ex / nc_in, (tot - cc_ex - nc_ex + cc_in + nc_in) / tot


def main() -> None:
    s2 = SIN2_THETA_W
    print(f"g_K* = {hnl.G_KSTAR / 1e6:.4f} GeV^2 (f_K* = g/m_K* from BR(tau -> K* nu) = 1.20 %)")
    b2018 = {"rho0": 1 - 2 * s2, "omega": 4 / 3 * s2, "phi": 4 / 3 * s2 - 1}
    for v, k in hnl.KAPPA_V.items():
        print(f"kappa_{v}: derived {k:+.4f}, B2018 table {b2018[v]:+.4f}, width ratio derived/B2018 "
              f"{(k / b2018[v]) ** 2:.3f}")
    g_tau = HBARC / CTAU_TAU
    for name, w, br in (("pi nu", hnl.width_lepton_pseudoscalar(M_TAU, 0.0, M_PI, F_PI, V_UD), 0.1082),
                        ("K nu", hnl.width_lepton_pseudoscalar(M_TAU, 0.0, M_K, F_K, V_US), 0.00696),
                        ("rho nu", hnl.width_lepton_vector(M_TAU, 0.0, M_RHO, G_RHO, V_UD), 0.2549)):
        print(f"tau -> {name}: BR {w / g_tau:.4f} (PDG 2022 {br}), ratio {w / g_tau / br:.4f}")
    for pdg, g, em, br in ((113, G_RHO, 1 / math.sqrt(2), 4.72e-5), (223, G_OMEGA, 1 / (3 * math.sqrt(2)), 7.38e-5),
                           (333, G_PHI, -1 / 3, 2.979e-4)):
        p = Particle.from_pdgid(pdg)
        gee = 4 * math.pi * ALPHA_EM**2 * (g * em) ** 2 / (3 * p.mass**3)
        print(f"{p.name} -> e+ e-: {gee * 1e3:.3f} keV, PDG 2022 {br * p.width * 1e3:.3f} keV, ratio "
              f"{gee / (br * p.width):.3f}")
    print(f"\nMajorana N, |U_mu4|^2 = {U2_MU:g} (other mixings 0): branching ratios\n")
    print(br_table())
    print()
    for m in (1500.0, 1900.0):
        cc, nc, tot = exclusive_over_inclusive(m)
        print(f"m_N = {m / 1e3:.1f} GeV: exclusive / inclusive(1 + alpha_s/pi): CC {cc:.2f}, NC {nc:.2f}; "
              f"total width with quark-level hadrons / model total {tot:.2f}")


if __name__ == "__main__":
    main()
