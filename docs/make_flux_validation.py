"""Regenerate docs/validation_flux.md numbers and figures: darkbeam BNB flux vs the official release.

Run: python docs/make_flux_validation.py  (about a minute on one core)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from darkbeam.data import official_bnb_flux
from darkbeam.pipeline.neutrino_flux import neutrino_flux
from darkbeam.plotting import plot_flux

HERE = Path(__file__).parent


def main() -> None:
    out = {}
    for mode, species in (("neutrino", "nu_mu"), ("antineutrino", "nu_mu_bar")):
        res = neutrino_flux("miniboone", mode, n_mesons=2_000_000, seed=2024)
        off = official_bnb_flux(mode)
        e = res.edges_GeV
        m = (e[:-1] >= 0.3 - 1e-9) & (e[1:] <= 2.0 + 1e-9)
        ratio = res.flux[species] / off[species]
        width = np.diff(e)
        out[mode] = {
            "ratio_0p3_2GeV": [round(float(x), 3) for x in ratio[m]],
            "min": float(ratio[m].min()), "max": float(ratio[m].max()),
            "integrated": {s: float(np.sum(res.flux[s] * width) / np.sum(off[s] * width)) for s in res.flux},
            "max_rel_mc_error": float(np.max(res.error[species][m] / res.flux[species][m])),
        }
        for s in res.flux:
            plot_flux(HERE / "figures" / f"flux_{s}_{mode}_mode.png", e, res.flux[s], res.error[s], s,
                      "miniboone", mode, official=off[s])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
