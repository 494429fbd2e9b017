"""Seed 000 Fig. 4 analogue: Γ(P → ℓ ν X)/Γ(P → ℓ ν) at unit coupling vs m_X (φ, a, V), P = π, K.

Run: /work/venv/bin/python docs/make_fig4.py  → docs/figures/fig4_mu.png, docs/figures/fig4_e.png
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from darkbeam.production import matrix_elements as me
from darkbeam.production import three_body as tb

OUT = Path(__file__).parent / "figures"
CURVES = [("scalar", "gauge-invariant", "φ", "-"), ("pseudoscalar", "gauge-invariant", "a", "--"),
          ("vector", "gauge-invariant", "V (gauge-inv.)", "-."), ("vector", "lepton", "V (lepton only)", ":")]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for lname in ("mu", "e"):
        lep = me.LEPTONS.get(lname)
        fig, ax = plt.subplots(figsize=(6, 4.5))
        for mname, color in (("pi", "C0"), ("K", "C3")):
            mes = me.MESONS.get(mname)
            g2 = tb.two_body_width(mname, lname)
            masses = np.geomspace(0.5, (mes.mass - lep.mass) * 0.995, 24)
            for kind, amp, label, ls in CURVES:
                r = [tb.unit_width.__wrapped__(mname, lname, kind, float(m), amp, n=48) / g2 for m in masses]
                ax.plot(masses, r, ls=ls, color=color, label=f"{'π' if mname == 'pi' else 'K'} → {'μ' if lname == 'mu' else 'e'}ν{label}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("m [MeV]")
        ax.set_ylabel("BR(3-body)/BR(2-body) at unit coupling")
        ax.set_title(f"P → {'μ' if lname == 'mu' else 'e'} ν φ (cf. seed 000 Fig. 4)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(OUT / f"fig4_{lname}.png", dpi=120)
        plt.close(fig)


if __name__ == "__main__":
    main()
