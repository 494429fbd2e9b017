"""MiniBooNE nu_e-like data releases shipped with darkbeam (loaders).

Data sets (each packaged CSV cites its publication in its header):

* E_QE spectra, neutrino mode: PRD 103, 052002 (2021), arXiv:2006.16883 (18.75e20 POT);
  antineutrino mode: PRL 121, 221801 (2018), arXiv:1805.12028 (11.27e20 POT). Observed events,
  predicted background, the nu_mu-CCQE constraint sample and the official FRACTIONAL systematic
  covariance (signal / background / nu_mu blocks; statistics not included).
* E_vis and cos(theta) distributions: neutrino mode binned from the 2020 analysis event lists;
  antineutrino mode E_vis digitised from arXiv:1805.12028 (no antineutrino cos(theta) available).
* gamma/e- selection efficiency (official 2012 release, includes the fiducial cut).
* the off-target (beam-dump) run, PRD 98, 112004 (2018), arXiv:1807.06137.

Units: energies in MeV (the package's internal unit), counts in events.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..errors import InputError
from .files import data_path, read_csv_table

MODES = ("neutrino", "antineutrino")
OBSERVABLES = ("E_vis", "cos_theta")
_TAG = {"neutrino": "2020_neutrino_mode", "antineutrino": "2018_antineutrino_mode"}
POT = {"neutrino": 18.75e20, "antineutrino": 11.27e20, "off-target": 1.86e20}
REFERENCE = {
    "neutrino": "MiniBooNE, PRD 103, 052002 (2021), arXiv:2006.16883 (data release, 18.75e20 POT)",
    "antineutrino": "MiniBooNE, PRL 121, 221801 (2018), arXiv:1805.12028 (data release, 11.27e20 POT)",
}
#: number of E_QE bins of the nu_e sample and of the nu_mu constraint sample in the releases.
N_NUE = 11
N_NUMU = 8


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InputError("mode", mode, MODES)


def _read_matrix(name: str) -> np.ndarray:
    """Read a packaged matrix CSV ('#' comments, one header line of column names)."""
    with data_path("miniboone", name).open("r") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    return np.loadtxt(lines[1:], delimiter=",", ndmin=2)


@cache
def _eqe_cached(mode: str) -> dict[str, np.ndarray]:
    t = read_csv_table("miniboone", f"nue_eqe_{_TAG[mode]}.csv")
    m = read_csv_table("miniboone", f"numu_ccqe_{_TAG[mode]}.csv")
    edges = np.append(np.asarray(t["EQE_low_MeV"], float), float(t["EQE_high_MeV"][-1]))
    frac = _read_matrix(f"fraccov_{_TAG[mode]}.csv")
    return {
        "edges_MeV": edges,
        "data": np.asarray(t["data"], float),
        "background": np.asarray(t["background"], float),
        "frac_cov": frac,
        "numu_data": np.asarray(m["data"], float),
        "numu_prediction": np.asarray(m["prediction"], float),
    }


def miniboone_eqe(mode: str = "neutrino") -> dict:
    """MiniBooNE nu_e CCQE-like E_QE spectrum from the official data release.

    Args:
        mode: "neutrino" (2020 release, 18.75e20 POT) or "antineutrino" (11.27e20 POT).

    Returns:
        dict with ``edges_MeV`` (12 edges, 200-3000 MeV), ``data`` and ``background`` (events per
        bin; the background is the release's MC prediction before the nu_mu constraint),
        ``frac_cov`` (30x30 fractional systematic covariance, block order nu_e signal(11),
        nu_e background(11), nu_mu(8); multiply by outer(pred, pred); no statistics),
        ``numu_data`` and ``numu_prediction`` (8 bins), ``pot`` and ``reference``.
        Arrays are fresh copies.
    """
    _check_mode(mode)
    out = {k: v.copy() for k, v in _eqe_cached(mode).items()}
    out["pot"] = POT[mode]
    out["reference"] = REFERENCE[mode]
    return out


@cache
def _combined_cached() -> np.ndarray:
    return _read_matrix("fraccov_combined_nu_nubar.csv")


def miniboone_eqe_combined_frac_cov() -> np.ndarray:
    """Official 60x60 fractional covariance of the joint neutrino + antineutrino fit (2020 release).

    Block order: nu-mode [nu_e signal(11), nu_e bkg(11), nu_mu(8)], then the same for nubar mode.
    Dimensionless; statistics not included. As released its smallest eigenvalue is -8.8e-4.
    """
    return _combined_cached().copy()


@cache
def _spectrum_cached(mode: str, observable: str) -> dict:
    if observable == "E_vis":
        name = f"evis_{_TAG[mode]}.csv"
    else:
        if mode == "antineutrino":
            raise InputError(
                "observable", observable,
                "E_vis for antineutrino mode (no antineutrino-mode cos(theta) distribution is packaged)",
            )
        name = f"costheta_{_TAG[mode]}.csv"
    t = read_csv_table("miniboone", name)
    edges = np.append(np.asarray(t["low"], float), float(t["high"][-1]))
    comps = {
        n[len("bkg_"):]: np.asarray(t[n], float) for n in t.dtype.names if n.startswith("bkg_")
    }
    return {
        "edges": edges,
        "data": np.asarray(t["data"], float),
        "background": np.asarray(t["background"], float),
        "components": comps,
        "unit": "MeV" if observable == "E_vis" else "",
        "digitised": mode == "antineutrino",
    }


def miniboone_spectrum(mode: str = "neutrino", observable: str = "E_vis") -> dict:
    """E_vis or cos(theta) distribution of the MiniBooNE nu_e CCQE-like sample.

    Args:
        mode: "neutrino" (2020, 18.75e20 POT, 200 < E_QE < 1250 MeV, binned from the analysis
            event lists) or "antineutrino" (2018, digitised figure; only ``E_vis``).
        observable: "E_vis" (edges in MeV) or "cos_theta" (electron-candidate angle to the beam).

    Returns:
        dict with ``edges``, ``data``, ``background`` (events per bin), ``components`` (dict of
        background categories; empty for digitised data), ``unit``, ``digitised`` (bool), ``pot``.
    """
    _check_mode(mode)
    if observable not in OBSERVABLES:
        raise InputError("observable", observable, OBSERVABLES)
    c = _spectrum_cached(mode, observable)
    out = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in c.items()}
    out["components"] = {k: v.copy() for k, v in c["components"].items()}
    out["pot"] = POT[mode]
    out["reference"] = REFERENCE[mode]
    return out


@cache
def miniboone_efficiency_table() -> dict[str, np.ndarray]:
    """Official MiniBooNE gamma/e- selection efficiency table (2012 release; fiducial cut included).

    Returns dict with ``E_MeV`` (generated energy), ``efficiency`` and ``syst_error``.
    """
    t = read_csv_table("miniboone", "efficiency_gamma_e_2012.csv")
    return {
        "E_MeV": np.asarray(t["E_MeV"], float),
        "efficiency": np.asarray(t["efficiency"], float),
        "syst_error": np.asarray(t["syst_error"], float),
    }


def miniboone_efficiency(E_MeV: np.ndarray | float) -> np.ndarray:
    """gamma/e- selection efficiency at generated shower energy ``E_MeV`` (MeV).

    Linear interpolation between the tabulated points (50-2000 MeV) of the official 2012
    release; 0 below 50 MeV, held at the last value (0.026) above 2000 MeV. Includes the
    fiducial-volume cut (use with the full 818 t detector mass).
    """
    t = miniboone_efficiency_table()
    e = np.asarray(E_MeV, float)
    if not np.all(np.isfinite(e)):
        raise InputError("E_MeV", "non-finite values", "finite energies in MeV")
    return np.interp(e, t["E_MeV"], t["efficiency"], left=0.0, right=float(t["efficiency"][-1]))


@cache
def _off_target_cached() -> dict:
    with data_path("miniboone", "off_target_2018.csv").open("r") as f:
        lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    out: dict = {}
    for ln in lines[1:]:
        key, value, unc, unit, note = ln.split(",", 4)
        out[key] = {
            "value": float(value),
            "uncertainty": float(unc) if unc else None,
            "unit": unit,
            "note": note,
        }
    return out


def miniboone_off_target() -> dict:
    """The MiniBooNE off-target (beam-dump) run: PRD 98, 112004 (2018), arXiv:1807.06137.

    No binned nu_e-like counts are available to darkbeam; the published constraint is "no excess
    over the background prediction". Returns dict with ``pot``, ``distance_m``, ``statement``,
    ``reference``, ``entries`` (all packaged key/value rows, incl. the seed-000 signal predictions
    considered compatible) and ``pot_scaled_nu_mode_excess``: the neutrino-mode excess
    (560.6 events, arXiv:2006.16883) scaled by POT, i.e. what any explanation whose rate follows
    the POT and not the horn focusing would predict (such explanations are disfavoured).
    """
    e = _off_target_cached()
    pot = e["pot"]["value"]
    return {
        "pot": pot,
        "distance_m": e["dump_to_detector_distance"]["value"],
        "statement": "No excess over the background prediction was observed (PRD 98, 112004).",
        "reference": "MiniBooNE-DM, PRD 98, 112004 (2018), arXiv:1807.06137",
        "entries": {k: dict(v) for k, v in e.items()},
        "pot_scaled_nu_mode_excess": 560.6 * pot / POT["neutrino"],
    }


__all__ = [
    "MODES",
    "OBSERVABLES",
    "POT",
    "miniboone_efficiency",
    "miniboone_efficiency_table",
    "miniboone_eqe",
    "miniboone_eqe_combined_frac_cov",
    "miniboone_off_target",
    "miniboone_spectrum",
]
