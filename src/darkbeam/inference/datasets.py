"""Datasets that own their likelihood: binning, data, background, covariance, χ² and related records.

A :class:`Dataset` is registered in :data:`DATASETS` under a name and declares the experiment it belongs
to; predictions, fits and scans look a dataset up by experiment (:func:`dataset_for`) and ask it for

* the binning of each (beam mode, observable) with observed and background events (:class:`Binning`),
  or the reason a combination is not available;
* the χ² of a signal (events per bin for every (mode, observable)) against its data;
* its exposure per mode (the POT the observed counts correspond to);
* related records, e.g. MiniBooNE's off-target (beam-dump) run, which saw no excess.

Experiments without a registered dataset get signal-only predictions in the default binnings
(:func:`signal_only_binning`). Edges are in MeV (energies) or unitless (cos θ).

Registered: ``miniboone`` — the MiniBooNE ν_e CCQE-like samples (arXiv:2006.16883 data release; E_vis and
cos θ of the neutrino-mode 200 < E_QE < 1250 MeV selection, the antineutrino-mode E_vis of
arXiv:1805.12028, E_QE in both modes with the official covariance; see docs/miniboone_data.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import chi2 as chi2_dist

from ..data.miniboone_release import miniboone_eqe, miniboone_off_target, miniboone_spectrum
from ..detectors.catalog import get_experiment
from ..errors import InputError
from ..registry import Registry
from .chi2 import Chi2Result, chi2_joint, chi2_spectrum

#: default binnings of signal-only predictions (experiments without packaged data): E_vis and E_QE in
#: MeV (50 MeV bins to 1 GeV, so that MicroBooNE's 200-250 MeV 1γ0p bin is one bin; then wider),
#: cos θ in 40 bins of 0.05.
SIGNAL_ONLY_BINNING: dict[str, np.ndarray] = {
    "E_vis": np.concatenate([np.arange(0.0, 1000.0, 50.0), [1000.0, 1250.0, 1500.0, 2000.0, 3000.0]]),
    "cos_theta": np.linspace(-1.0, 1.0, 41),
    "E_QE": np.concatenate([np.arange(0.0, 1000.0, 50.0), [1000.0, 1250.0, 1500.0, 2000.0, 3000.0]]),
}


@dataclass(frozen=True)
class Binning:
    """Data of one (mode, observable): bin edges, observed and background events per bin, and the E_QE
    window (MeV) the data's selection applies to the events of this spectrum (None: no window)."""

    mode: str
    observable: str
    edges: np.ndarray
    data: np.ndarray | None
    background: np.ndarray | None
    eqe_window: tuple[float, float] | None


def signal_only_binning(mode: str, observable: str) -> Binning:
    """Default binning of ``observable`` for an experiment without data (no data, no background)."""
    if observable not in SIGNAL_ONLY_BINNING:
        raise InputError("observable", observable, SIGNAL_ONLY_BINNING.keys())
    return Binning(mode, observable, SIGNAL_ONLY_BINNING[observable].copy(), None, None, None)


@dataclass(frozen=True)
class Dataset:
    """Interface of a packaged dataset (see module docstring)."""

    name: str
    experiment: str
    description: str
    reference: str
    modes: tuple[str, ...] = ()
    observables: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)

    def binning(self, mode: str, observable: str,
                eqe_window: tuple[float, float] | None) -> Binning | str:  # pragma: no cover
        """The :class:`Binning` of (mode, observable), or a string saying why it is not available;
        ``eqe_window`` (MeV, the config's ``analysis.eqe_window_MeV``) is the E_QE selection of windowed spectra."""
        raise NotImplementedError

    def chi2(self, signals: dict[tuple[str, str], np.ndarray], analysis: Any, n_params: int = 0,
             pseudo_data: dict[tuple[str, str], np.ndarray] | None = None) -> Chi2Result:  # pragma: no cover
        """χ² of background + ``signals`` (events per bin at the data's exposure) against the data."""
        raise NotImplementedError

    def exposure(self, mode: str) -> float:
        """Protons on target the observed counts of ``mode`` correspond to."""
        return get_experiment(self.experiment).pot_for(mode)

    def off_target_record(self) -> dict[str, Any] | None:
        """The dataset's off-target (beam-dump) record, if it has one."""
        return None


@dataclass(frozen=True)
class MiniBooNEDataset(Dataset):
    """MiniBooNE ν_e CCQE-like samples: E_vis, cos θ (ν mode) and E_QE (ν and ν̄ modes)."""

    #: beam modes whose E_vis / cos θ data are the 200 < E_QE < 1250 MeV selection (arXiv:2006.16883)
    windowed_modes: tuple[str, ...] = ("neutrino",)

    def binning(self, mode: str, observable: str, eqe_window: tuple[float, float] | None) -> Binning | str:
        if mode not in self.modes:
            return f"{self.name} has no {mode}-mode data"
        if observable == "E_QE":
            rel = miniboone_eqe(mode)
            return Binning(mode, observable, rel["edges_MeV"], rel["data"], rel["background"], None)
        if observable == "cos_theta" and mode == "antineutrino":
            return "antineutrino-mode cos_theta: no data packaged, skipped"
        spec = miniboone_spectrum(mode, observable)
        win = eqe_window if mode in self.windowed_modes else None
        return Binning(mode, observable, spec["edges"], spec["data"], spec["background"],
                       None if win is None else tuple(win))

    @staticmethod
    def _keyed(signals: dict[tuple[str, str], np.ndarray], analysis: Any) -> dict:
        """Pieces of the joint χ²: E_QE of both modes combined with the joint covariance when asked."""
        keyed: dict = {}
        eqe = {m: s for (m, o), s in signals.items() if o == "E_QE"}
        combine = analysis.eqe_combined and set(eqe) == {"neutrino", "antineutrino"}
        for (m, o), s in signals.items():
            if o == "E_QE" and combine:
                continue
            keyed[(m, o)] = s
        if combine:
            keyed[("combined", "E_QE")] = {"neutrino": eqe["neutrino"], "antineutrino": eqe["antineutrino"]}
        return keyed

    def chi2(self, signals, analysis, n_params=0, pseudo_data=None) -> Chi2Result:
        a = analysis
        keyed = self._keyed(signals, a)
        if pseudo_data:
            total, n_bins, parts = 0.0, 0, {}
            for (mode, obs), sig in keyed.items():
                if obs == "E_QE":
                    raise InputError("pseudo_data", "E_QE", "E_vis and cos_theta observables only")
                r = chi2_spectrum(sig, mode, obs, stat=a.stat, frac_syst=a.frac_syst,
                                  syst_correlation=a.syst_correlation, data=pseudo_data.get((mode, obs)))
                parts[f"{mode}/{obs}"] = (r.chi2, r.n_bins)
                total += r.chi2
                n_bins += r.n_bins
            return Chi2Result(total, n_bins - n_params, float(chi2_dist.sf(total, n_bins - n_params)), n_bins, parts)
        return chi2_joint(keyed, stat=a.stat, n_params=n_params,
                          eqe_options={"numu_constraint": a.numu_constraint, "eqe_max_MeV": a.eqe_max_MeV},
                          spectrum_options={"frac_syst": a.frac_syst, "syst_correlation": a.syst_correlation})

    def off_target_record(self) -> dict[str, Any]:
        return miniboone_off_target()


#: packaged datasets by name
DATASETS: Registry[Dataset] = Registry("dataset")
DATASETS.add("miniboone", MiniBooNEDataset(
    "miniboone", "miniboone", "MiniBooNE nu_e CCQE-like samples (2018/2020 releases)",
    "MiniBooNE, PRD 103, 052002 (2021) arXiv:2006.16883; PRL 121, 221801 (2018) arXiv:1805.12028",
    modes=("neutrino", "antineutrino"), observables=("E_vis", "cos_theta", "E_QE")),
    "MiniBooNE nu_e CCQE-like samples (2018/2020 releases)")


def dataset_for(experiment: str) -> Dataset | None:
    """The dataset registered for ``experiment`` (None if the experiment has no packaged data)."""
    for name in DATASETS.names():
        ds = DATASETS.get(name)
        if ds.experiment == experiment:
            return ds
    return None


__all__ = ["DATASETS", "SIGNAL_ONLY_BINNING", "Binning", "Dataset", "MiniBooNEDataset", "dataset_for",
           "signal_only_binning"]
