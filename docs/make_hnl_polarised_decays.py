"""Numbers of docs/portal_hnl.md, "Polarisation" ("ν γ and three-body decays"): the angular asymmetries of the
heavy neutral lepton's ν γ and three-body decays about its spin, and what they do to a lab-frame observable at the
NuMI absorber (K⁺ at rest: a monochromatic N whose spin lies along its flight direction).

Printed (two markdown tables):

1. For an N at rest with polarisation P = +1: α of the named daughter, dΓ/dcos θ ∝ 1 + α cos θ about the spin
   (⟨cos θ⟩ = α/3), for a Dirac N and, for the charge-identified ℓ⁻ of ν ℓ⁺ℓ⁻, for a Majorana N (½ : ½ charge
   states: ½[α_ℓ⁻ − α_ℓ⁺]). α is a 2-D Gauss–Legendre quadrature of the declared terms (``Decays.dalitz_spin``,
   α_j = ∫ v·k̂_j / ∫ A, v = −Σ b_i k⃗_i) or, for ν γ, ``hnl_decays.NU_GAMMA_ASYMMETRY``; it is cross-checked against
   N_MC decays of the decay-in-volume sampler (``dalitz_decay`` / ``polarised_two_body_decay``), the pull printed.
2. At microboone-absorber (truth level, Dirac N, |U_μ4|² = 10⁻⁸, N_EVENTS events, same seed on and off): the mean
   lab energy of the photon of ν γ and of the e⁻ of ν e⁺e⁻ with polarisation off and on, and the expectation on,
   γ(⟨E*⟩ + βP⟨k⃗*·ŝ⟩) with ⟨k⃗*·ŝ⟩ = α E*/3 (photon) or ∫ v·k⃗_j / (3 ∫ A) (quadrature), P = P(K⁺ → μ⁺N).

Run:  /work/venv/bin/python docs/make_hnl_polarised_decays.py     (about 15 s)
"""

from __future__ import annotations

import math

import numpy as np

from darkbeam.constants import M_K, M_MU
from darkbeam.interactions.hnl_decays import NU_GAMMA_ASYMMETRY, dalitz_grid
from darkbeam.kinematics.fourvec import two_body_momentum
from darkbeam.models import get_model
from darkbeam.pipeline.decay_in_volume import MULTI_BODY_FINAL_STATES, dalitz_decay, polarised_two_body_decay
from darkbeam.pipeline.signal import build_signal
from darkbeam.production.two_body import helicity_polarisation

MASSES = (150.0, 300.0)
N_MC, SEED = 100_000, 2025
N_MESONS, N_EVENTS = 20_000, 20_000
#: (channel, mixing, daughter slot (0 invisible, 1, 2 as listed), label)
ROWS = (("nu e+ e-", "mu", 2, "e⁻"), ("nu e+ e-", "e", 2, "e⁻"), ("nu mu+ mu-", "mu", 2, "μ⁻"),
        ("e mu nu", "e", 1, "e⁻"), ("e mu nu", "e", 2, "μ⁺"))
PRETTY = {"nu e+ e-": "ν e⁺e⁻", "nu mu+ mu-": "ν μ⁺μ⁻", "e mu nu": "e μ ν", "e": "e", "mu": "μ"}


def decays(m: float, flavour: str, nature: str = "dirac"):
    vals = {"m_n": f"{m} MeV", "u2_e": 0.0, "u2_mu": 0.0, "u2_tau": 0.0, f"u2_{flavour}": 1e-7, "nature": nature}
    return get_model("heavy-neutral-lepton", vals).boson_decays("N")


def moments(dec, channel: str, m: float) -> tuple[list[float], list[float], list[float]]:
    """(α_j, ⟨E*_j⟩, ⟨k⃗_j·v⟩/⟨A⟩) of the listed daughters j, for P = +1 (module docstring), by quadrature."""
    m0, m1, m2 = MULTI_BODY_FINAL_STATES[channel][1]
    s12, s01, w = dalitz_grid(m, m1, m2, m0, 96)
    s02 = m * m + m0**2 + m1**2 + m2**2 - s12 - s01
    mass2 = np.array([m0, m1, m2]) ** 2
    sij = {(0, 1): s01, (0, 2): s02, (1, 2): s12}
    e = [(m * m + mass2[j] - {0: s12, 1: s02, 2: s01}[j]) / (2 * m) for j in range(3)]

    def kk(i, j):
        if i == j:
            return e[i] ** 2 - mass2[i]
        return e[i] * e[j] - 0.5 * (sij[tuple(sorted((i, j)))] - mass2[i] - mass2[j])

    b, a = dec.dalitz_spin[channel](s12, s01), 0.5 * dec.dalitz_msq[channel](s12, s01)
    norm = float(np.sum(w * a))
    alpha, energy, vk = [], [], []
    for j in range(3):
        v_dot_k = -sum(b[i] * kk(i, j) for i in range(3))
        alpha.append(float(np.sum(w * v_dot_k / np.sqrt(np.maximum(kk(j, j), 1e-300))) / norm))
        energy.append(float(np.sum(w * a * e[j]) / norm))
        vk.append(float(np.sum(w * v_dot_k) / norm))
    return alpha, energy, vk


def _mc_cos(dec, channel: str, slot: int, m: float, conj_share: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    p4 = np.tile([m, 0.0, 0.0, 0.0], (N_MC, 1))
    axis = np.tile([0.0, 0.0, 1.0], (N_MC, 1))
    conj = rng.random(N_MC) < conj_share
    out = dalitz_decay(rng, p4, dec, channel, conj, np.zeros(N_MC, bool), np.ones(N_MC), axis)
    d = out[slot]  # the ℓ⁺ℓ⁻ pair keeps its ids as listed in its CP image too: ℓ⁻ is always daughter 2
    return d[:, 3] / np.linalg.norm(d[:, 1:], axis=1)


def rows() -> list[dict]:
    """Table 1 (module docstring)."""
    out = []
    for m in MASSES:
        rng = np.random.default_rng(SEED)
        g, _ = polarised_two_body_decay(rng, np.tile([m, 0.0, 0.0, 0.0], (N_MC, 1)),
                                        np.tile([0.0, 0.0, 1.0], (N_MC, 1)), np.full(N_MC, NU_GAMMA_ASYMMETRY), 0.0, 0.0)
        c = g[:, 3] / np.linalg.norm(g[:, 1:], axis=1)
        out.append({"m": m, "channel": "ν γ", "mixing": "any", "daughter": "γ", "alpha": NU_GAMMA_ASYMMETRY,
                    "majorana": 0.0, "mc": float(c.mean()),
                    "pull": abs(c.mean() - NU_GAMMA_ASYMMETRY / 3) / (c.std() / math.sqrt(N_MC))})
        for channel, flavour, slot, label in ROWS:
            dec = decays(m, flavour)
            if channel not in dec.dalitz_msq:
                continue
            alpha = moments(dec, channel, m)[0]
            c = _mc_cos(dec, channel, slot, m)
            maj = 0.5 * (alpha[2] - alpha[1]) if channel.startswith("nu ") else None
            pull = abs(c.mean() - alpha[slot] / 3) / (c.std() / math.sqrt(N_MC))
            if maj is not None:  # the Majorana ℓ⁻ from the sampler too
                cm = _mc_cos(dec, channel, slot, m, conj_share=0.5)
                pull = max(pull, abs(cm.mean() - maj / 3) / (cm.std() / math.sqrt(N_MC)))
            out.append({"m": m, "channel": PRETTY[channel], "mixing": f"\\|U_{PRETTY[flavour]}4\\|² only",
                        "daughter": label, "alpha": alpha[slot], "majorana": maj, "mc": float(c.mean()), "pull": pull})
    return out


def table_lines(rs: list[dict]) -> list[str]:
    lines = ["| m_N [MeV] | channel | mixing | daughter | α, Dirac N | α, Majorana N (ℓ⁻) | MC ⟨cos θ⟩, Dirac |",
             "|---|---|---|---|---|---|---|"]
    for r in rs:
        maj = "—" if r["majorana"] is None else f"{r['majorana']:+.4f}"
        lines.append(f"| {r['m']:g} | {r['channel']} | {r['mixing']} | {r['daughter']} | {r['alpha']:+.4f} | {maj} | "
                     f"{r['mc']:+.4f} |")
    return lines


def lab_rows() -> list[dict]:
    """Table 2 (module docstring)."""
    out = []
    for m in MASSES:
        p = float(two_body_momentum(M_K, M_MU, m))
        gamma, beta = math.hypot(p, m) / m, p / math.hypot(p, m)
        pol = helicity_polarisation(M_K, M_MU, m)
        mean, err = {}, {}
        for switch in ("off", "on"):
            model = get_model("heavy-neutral-lepton", {"m_n": f"{m} MeV", "u2_mu": "1e-8", "nature": "dirac",
                                                       "polarisation": switch})
            s = build_signal(model, "microboone-absorber", "stopped", n_mesons=N_MESONS, n_events=N_EVENTS, seed=SEED,
                             detector=False)
            parts = {model.detection[q.channel].visible: q for q in s.parts}
            for key, channel, slot in (("gamma", "nu gamma", "p4_vis1"), ("e", "nu e+ e-", "p4_vis1")):
                e = parts[channel].particles[slot][:, 0]  # the photon; the e⁻ (record slot 1)
                mean[key, switch], err[key, switch] = float(e.mean()), float(e.std() / math.sqrt(len(e)))
        _, e_star, vk = moments(decays(m, "mu"), "nu e+ e-", m)
        expect = {"gamma": gamma * (m / 2) * (1 + beta * pol * NU_GAMMA_ASYMMETRY / 3),
                  "e": gamma * (e_star[2] + beta * pol * vk[2] / 3)}
        out.append({"m": m, "pol": pol, "mean": mean, "err": err, "expect": expect,
                    "pull": max(abs(mean[k, "on"] - expect[k]) / err[k, "on"] for k in expect)})
    return out


def lab_lines(rs: list[dict]) -> list[str]:
    lines = [("| m_N [MeV] | P(K⁺ → μ⁺N) | ⟨E_γ⟩ off [MeV] | ⟨E_γ⟩ on | on, expected | ⟨E_e⁻⟩ off (ν e⁺e⁻) | "
              "⟨E_e⁻⟩ on | on, expected |"), "|---|---|---|---|---|---|---|---|"]
    for r in rs:
        mn, er, ex = r["mean"], r["err"], r["expect"]
        lines.append(f"| {r['m']:g} | {r['pol']:+.4f} | {mn['gamma', 'off']:.2f} ± {er['gamma', 'off']:.2f} | "
                     f"{mn['gamma', 'on']:.2f} ± {er['gamma', 'on']:.2f} | {ex['gamma']:.2f} | "
                     f"{mn['e', 'off']:.2f} ± {er['e', 'off']:.2f} | {mn['e', 'on']:.2f} ± {er['e', 'on']:.2f} | "
                     f"{ex['e']:.2f} |")
    return lines


def main() -> None:
    rs = rows()
    print("\n".join(table_lines(rs)))
    print(f"\nlargest pull of the Monte Carlo against the quadrature: {max(r['pull'] for r in rs):.2f}\n")
    lab = lab_rows()
    print("\n".join(lab_lines(lab)))
    print(f"\nlargest pull of the 'on' means against the expectation: {max(r['pull'] for r in lab):.2f}")


if __name__ == "__main__":
    main()
