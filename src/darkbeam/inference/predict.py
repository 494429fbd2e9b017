"""Predictions and fits for a run config: signal samples → binned spectra → χ² against MiniBooNE data.

For a :class:`~darkbeam.io.config.RunConfig` the :class:`Predictor`

1. builds (once, cached in memory per mass point and beam mode) the re-weightable
   :class:`~darkbeam.pipeline.signal.SignalSample` of the model;
2. histograms the signal in the binning of the experiment's dataset (:mod:`.datasets`, which owns the
   binning, data, background and χ²; for MiniBooNE:) E_vis and cos θ
   from :func:`~darkbeam.data.miniboone_spectrum` (neutrino-mode data are the 200 < E_QE < 1250 MeV
   selection of arXiv:2006.16883, so the same E_QE window is applied to the signal of those spectra;
   the antineutrino-mode E_vis figure of arXiv:1805.12028 has a wider, unstated selection: no window),
   and E_QE from :func:`~darkbeam.data.miniboone_eqe` (release bins, 200-3000 MeV);
3. computes the joint χ² of signal + background against data with :func:`~darkbeam.inference.chi2.chi2_joint`
   (E_QE with the official covariance, E_vis / cos θ with statistics ⊕ background systematics;
   in both beam modes; the antineutrino-mode cos θ distribution is not available and is skipped);
4. fits one coupling: the signal at a coupling value is obtained by exact re-weighting of the cached
   sample, ``sample.weights(model.replace(param=value))`` (survival probabilities included), and
   χ² is minimised with iminuit in log10 of the coupling, started from the normalisation fit of
   :func:`~darkbeam.inference.fit.fit_normalisation` (template at the config's coupling, scaled as
   coupling^k with k measured from the sample); optionally on a grid of masses (regenerated per point);
5. predicts the off-target (beam-dump) run (mode "off-target", 1.86e20 POT at MiniBooNE), which saw
   no excess (PRD 98, 112004 (2018)): the prediction is reported as a constraint, not fitted.

For experiments without packaged data (the BNB LArTPCs MicroBooNE, SBND, ICARUS, ...) the predictor
is *signal-only*: spectra in the default binnings :data:`SIGNAL_ONLY_BINNING`, per-mode totals split by
process component (coherent / proton / neutron recoil), by parent (production source) and, with a
LArTPC response, by topology (1g / 1e / 2sh); no χ², and :meth:`Predictor.fit` raises InputError.

All energies are in MeV (internal units); event counts are expected events for the mode's POT.
"""

from __future__ import annotations

import itertools
import math
import sys
from typing import Any

import numpy as np

from ..declarations import Model, model_summary
from ..detectors.catalog import get_experiment
from ..detectors.response import get_response
from ..errors import InputError
from ..io.cache import resolve_cache
from ..io.config import RunConfig, fit_bounds, mass_grid
from ..pipeline import signal as pipeline_signal  # build_signal looked up per call: stubbable
from ..pipeline.dark_neutrino import flux_description
from ..pipeline.dark_neutrino_signal import DarkNeutrinoSignal
from .chi2 import Chi2Result
from .datasets import DATASETS, SIGNAL_ONLY_BINNING, Binning, dataset_for, signal_only_binning
from .fit import fit_coupling, fit_normalisation
from .fit_outcome import FitOutcome
from .groups import _response_summary, channel_groups, sample_groups, signal_only_text
from .sample_view import SampleView, binning

# ------------------------------------------------------------------------------------------------
# coupling products (the combinations seed 000 Table I quotes)
# ------------------------------------------------------------------------------------------------

def coupling_product(model: Model) -> dict[str, Any] | None:
    """{"name", "value", "unit"} of the coupling product the model declares (``model.coupling_product()``),
    or None if it declares none."""
    return model.coupling_product()


# ------------------------------------------------------------------------------------------------
# the predictor
# ------------------------------------------------------------------------------------------------


class Predictor:
    """Signal predictions, χ² and fits for one :class:`RunConfig` (samples cached in memory)."""

    def __init__(self, config: RunConfig, progress: bool = False, cache=None) -> None:
        """``cache``: an on-disk :class:`~darkbeam.io.cache.SampleCache` (or a directory, or True for the
        default directory) from which samples are loaded and into which new ones are written; None:
        samples are generated and kept in memory only."""
        #: the experiment's packaged dataset (None: predictions only, no χ² or fit)
        self.dataset = dataset_for(config.experiment.name)
        self.signal_only = self.dataset is None
        self.config = config
        self.model = config.build_model()
        self.progress = progress
        self.cache = resolve_cache(cache)
        #: optional replacement observations {(mode, observable): events per bin} (pseudo-experiments)
        self.pseudo_data: dict[tuple[str, str], np.ndarray] = {}
        self._views: dict[tuple, SampleView] = {}
        a = config.analysis
        self.notes: list[str] = []
        self.binnings: dict[tuple[str, str], Binning] = {}
        if self.signal_only:
            self.notes.append(f"{config.experiment.name}: no packaged data; signal-only prediction (no chi2), "
                              "default binnings")
            for mode in config.experiment.modes:
                for obs in a.observables:
                    self.binnings[(mode, obs)] = signal_only_binning(mode, obs)
            return
        for mode in config.experiment.modes:
            for obs in a.observables:
                b = self.dataset.binning(mode, obs, a.eqe_window_MeV)
                if isinstance(b, str):  # not available in this dataset: say why
                    self.notes.append(b)
                    continue
                self.binnings[(mode, obs)] = b

    # --- samples ----------------------------------------------------------------------------------
    def _mass_key(self, model: Model) -> tuple:
        return tuple((p.name, model.values[p.name]) for p in model.params if p.is_fixed_in_sample)

    def view(self, mode: str, model: Model | None = None) -> SampleView:
        """The cached sample of ``mode`` at the masses of ``model`` (built on first use)."""
        model = self.model if model is None else model
        key = (mode, self._mass_key(model))
        if key not in self._views:
            sim = self.config.simulation
            if self.cache is not None:  # on-disk cache keyed by everything that determines the sample
                s = self.cache.get_or_build(model, self.config.experiment.name, mode, n_mesons=sim.n_mesons,
                                            n_events=sim.n_events, seed=sim.seed, progress=self.progress)
            else:
                s = pipeline_signal.build_signal(model, self.config.experiment.name, mode,
                                                 n_mesons=sim.n_mesons, n_events=sim.n_events, seed=sim.seed,
                                                 progress=self.progress)
            self._views[key] = SampleView(s)
        return self._views[key]

    def clear(self) -> None:
        """Drop the cached samples."""
        self._views.clear()

    # --- spectra and χ² ---------------------------------------------------------------------------
    def signals(self, model: Model | None = None, at_data_exposure: bool = False) -> dict[tuple[str, str], np.ndarray]:
        """Signal events per bin for every (mode, observable) of the analysis, for the config's POT of each
        mode or, with ``at_data_exposure``, for the dataset's exposure (what a χ² against data needs)."""
        model = self.model if model is None else model
        out = {}
        weights = {}
        for (mode, obs), b in self.binnings.items():
            v = self.view(mode, model)
            if mode not in weights:
                pot = self.dataset.exposure(mode) if at_data_exposure and self.dataset else self.config.pot(mode)
                weights[mode] = v.weights(model, pot)
            out[(mode, obs)] = v.histogram(b, weights[mode])
        return out

    def chi2(self, model: Model | None = None, n_params: int = 0,
             signals: dict[tuple[str, str], np.ndarray] | None = None) -> Chi2Result:
        """Joint χ² of signal + background against data (all modes and observables of the config); without
        ``signals``, the model's signal at the data's exposure (whatever POT the config asks for)."""
        self._require_data("chi2")
        sig = self.signals(model, at_data_exposure=True) if signals is None else signals
        return self.dataset.chi2(sig, self.config.analysis, n_params, self.pseudo_data or None)

    def _require_data(self, what: str) -> None:
        """InputError for χ²/fits on an experiment without packaged data."""
        if self.signal_only:
            raise InputError(f"experiment for {what}", self.config.experiment.name,
                             f"an experiment with packaged data ({', '.join(DATASETS.names())}); "
                             f"{self.config.experiment.name} has no data to fit, use `darkbeam run` for its "
                             "signal-only prediction")

    def totals(self, model: Model | None = None) -> dict[str, dict[str, float]]:
        """Per mode: all accepted signal events, and those in 200 < E_QE < 1250 MeV (the excess window)."""
        model = self.model if model is None else model
        out = {}
        for mode in self.config.experiment.modes:
            v = self.view(mode, model)
            w = v.weights(model, self.config.pot(mode))
            e = v.sample.E_QE
            win = np.isfinite(e) & (e >= 200.0) & (e < 1250.0)
            out[mode] = {"all": float(w.sum()), "eqe_200_1250": float(w[win].sum())}
        return out

    def off_target(self, model: Model | None = None) -> dict[str, Any]:
        """Prediction for the off-target (beam-dump) run, if the experiment had one."""
        model = self.model if model is None else model
        exp = get_experiment(self.config.experiment.name)
        if "off-target" not in exp.pot:
            return {"mode": "off-target", "note": f"{exp.name} has no off-target run"}

        pot = self.config.pot("off-target")
        v = self.view("off-target", model)
        ref = self.dataset.off_target_record() if self.dataset is not None else None
        if ref is None:
            return {"mode": "off-target", "pot": pot, "modelled": False,
                    "note": f"no off-target record in the {self.config.experiment.name} data"}
        if v.sample.process == DarkNeutrinoSignal.name and len(v.sample.base_weight) == 0:
            # dark neutrinos are made by the BNB neutrino flux, which darkbeam has only for the horn modes:
            # the off-target signal is not modelled (not zero)
            return {"mode": "off-target", "pot": pot, "modelled": False,
                    "note": f"off-target signal not modelled: {v.sample.note}",
                    "observed": ref["statement"], "reference": ref["reference"]}
        out = {"mode": "off-target", "pot": pot, "modelled": True,
               "signal_events": float(v.weights(model, pot).sum()),
               "note": v.sample.note, "observed": ref["statement"], "reference": ref["reference"],
               "pot_scaled_nu_mode_excess": ref["pot_scaled_nu_mode_excess"],
               "detector_distance_note": "off-target mesons are made in the steel absorber at the end of the "
                                         "50 m decay region, about 491 m from the detector (the record: dump at "
                                         f"{ref['distance_m']:g} m), so fluxes use that geometry"}
        run_pot = exp.pot_for("off-target")
        if not math.isclose(pot, run_pot, rel_tol=1e-9):
            out["pot_note"] = (f"signal events for the requested {pot:.3g} POT; the off-target run that saw "
                               f"no excess had {run_pot:.3g} POT")
        return out

    def predict(self, model: Model | None = None, off_target: bool | None = None) -> dict[str, Any]:
        """Full prediction: spectra, totals, joint χ² (no fitted parameters), off-target run."""
        model = self.model if model is None else model
        if self.signal_only:
            return self.predict_signal_only(model, off_target)
        cfg = self.config
        notes, warnings = list(self.notes), []
        sig = self.signals(model)  # at the requested POT of each mode: the reported spectra and totals
        # the χ² against data is computed at the DATA's exposure (the catalogue POT of the release): the
        # observed counts are for that exposure, whatever POT the prediction is asked for
        pot = {mode: cfg.pot(mode) for mode in cfg.experiment.modes}
        pot_chi2 = {mode: self.dataset.exposure(mode) for mode in cfg.experiment.modes}
        scale = {mode: pot_chi2[mode] / pot[mode] for mode in pot}
        sig_chi2 = {(m, o): s * scale[m] for (m, o), s in sig.items()}
        for mode in cfg.experiment.modes:
            if not math.isclose(pot[mode], pot_chi2[mode], rel_tol=1e-9):
                notes.append(f"{mode}: POT {pot[mode]:.4g} differs from the data's exposure "
                             f"{pot_chi2[mode]:.4g} POT; signal events and spectra are for the requested "
                             "POT, the chi2 against data uses the signal at the data's exposure")
        res = self.chi2(model, 0, sig_chi2)
        null = self.chi2(model, 0, {k: np.zeros_like(v) for k, v in sig.items()})
        if res.chi2 > null.chi2 + self.FAR_WORSE_DCHI2:
            warnings.append(f"chi2 = {res.chi2:.4g} is far worse than background only ({null.chi2:.4g}; "
                            f"delta chi2 = {res.chi2 - null.chi2:.4g} > {self.FAR_WORSE_DCHI2:g}): the data "
                            "exclude this model point (the signal is too large for the data)")
        mc = self._mc_statistics(model, pot_chi2)
        for mode, st in mc.items():
            if st["warn"]:
                warnings.append(st.pop("warning"))
            st.pop("warn")
        totals = self.totals(model)
        modes = {}
        for mode in cfg.experiment.modes:
            spectra = {}
            for (m, obs), b in self.binnings.items():
                if m == mode:
                    spectra[obs] = {"edges": b.edges, "signal": sig[(m, obs)], "data": b.data,
                                    "background": b.background,
                                    "eqe_window_MeV": list(b.eqe_window) if b.eqe_window else None}
            modes[mode] = {"pot": cfg.pot(mode), "pot_for_chi2": pot_chi2[mode],
                           **self._by_channel(mode, model),
                           "signal_events": totals[mode]["all"],
                           "signal_events_eqe_200_1250": totals[mode]["eqe_200_1250"],
                           "spectra": spectra, "note": self.view(mode, model).sample.note,
                           "mc_statistics": mc[mode],
                           "chi2_parts": {k: v for k, v in res.parts.items() if k.startswith(mode + "/")}}
        main = "neutrino" if "neutrino" in modes else cfg.experiment.modes[0]
        notes += self._flux_notes(model)
        out: dict[str, Any] = {
            "experiment": cfg.experiment.name, "mode": main, "model": model_summary(model),
            "coupling_product": coupling_product(model),
            "signal_events": modes[main]["signal_events"],
            "signal_events_eqe_200_1250": modes[main]["signal_events_eqe_200_1250"],
            "spectra": modes[main]["spectra"],
            "chi2": res.chi2, "ndof": res.ndof, "pvalue": res.pvalue, "chi2_parts": res.parts,
            "chi2_background_only": null.chi2,
            "pot_for_chi2": pot_chi2,
            "modes": modes,
            "simulation": cfg.simulation.model_dump(),
            "notes": notes,
            "warnings": warnings,
        }
        self._effective_parameters(model, out)
        if cfg.experiment.off_target if off_target is None else off_target:
            out["off_target"] = self.off_target(model)
        return out

    #: a prediction whose χ² exceeds background only by more than this is flagged in ``warnings``
    FAR_WORSE_DCHI2 = 25.0
    #: MC-statistics criterion: warn when the MC error of the predicted signal (events in the analysis
    #: bins of a mode, at the data's exposure) exceeds this fraction of the data's statistical error
    #: √N_data there (above it the MC error inflates the statistical error by more than
    #: √(1 + 0.3²) − 1 = 4.4%), or when fewer than MC_MIN_EVENTS MC events carry the signal (the MC error
    #: estimate itself is then unreliable)
    MC_ERROR_FRACTION = 0.3
    MC_MIN_EVENTS = 10
    #: signal-only predictions (no data): warn above this relative MC error of a mode's signal
    MC_RELATIVE_ERROR_SIGNAL_ONLY = 0.1

    def _mc_statistics(self, model: Model, pot_chi2: dict[str, float]) -> dict[str, dict[str, Any]]:
        """Per mode: signal events in the analysis bins (first observable of the mode) at the data's
        exposure, their MC error √Σw², the number of MC events, the data events and √N_data; ``warn``
        and ``warning`` when the MC error is not small against the data's statistical error (see
        :attr:`MC_ERROR_FRACTION`, :attr:`MC_MIN_EVENTS`)."""
        out: dict[str, dict[str, Any]] = {}
        for (mode, obs), b in self.binnings.items():
            if mode in out or b.data is None:
                continue
            v = self.view(mode, model)
            w = v.weights(model, pot_chi2[mode])
            idx, nb = v._bin_index(b)
            w = w[idx < nb]
            n_sig, err = float(w.sum()), float(np.sqrt(np.sum(w**2)))
            n_mc = int(np.count_nonzero(w))
            n_data = float(np.sum(b.data))
            data_err = math.sqrt(max(n_data, 1.0))
            ratio = err / data_err
            st = {"observable": obs, "signal_events": n_sig, "mc_error": err,
                  "mc_relative_error": err / n_sig if n_sig > 0 else None, "mc_events": n_mc,
                  "data_events": n_data, "data_stat_error": data_err, "mc_error_over_data_error": ratio,
                  "criterion": f"mc_error < {self.MC_ERROR_FRACTION:g} x sqrt(data_events) and "
                               f">= {self.MC_MIN_EVENTS} MC events", "warn": False}
            few = 0 < n_mc < self.MC_MIN_EVENTS
            if ratio > self.MC_ERROR_FRACTION or few:
                st["warn"] = True
                st["warning"] = (f"MC statistics: {mode}-mode {obs} signal {n_sig:.4g} +- {err:.3g} "
                                 f"(MC, {n_mc} MC events) is not small against the data's statistical error "
                                 f"sqrt({n_data:.0f}) = {data_err:.3g} "
                                 f"(criterion: MC error < {self.MC_ERROR_FRACTION:g} x data error and >= "
                                 f"{self.MC_MIN_EVENTS} MC events); the chi2 is unreliable: increase "
                                 "[simulation].n_events / n_mesons")
            out[mode] = st
        return out

    def _by_channel(self, mode: str, model: Model) -> dict[str, Any]:
        """``{"by_channel": {label: events}}`` of a model with several detection channels (events for the
        mode's POT), else {}."""
        v = self.view(mode, model)
        if len(getattr(model, "detection", ())) < 2 or "channel" not in v.sample.columns:
            return {}
        w = v.weights(model, self.config.pot(mode))
        return {"by_channel": {k: float(w[sel].sum()) for k, sel in channel_groups(v.sample).items()}}

    def _flux_notes(self, model: Model) -> list[str]:
        """How the incoming flux was obtained where that is an approximation (dark neutrinos away from
        MiniBooNE: the official MiniBooNE flux scaled by (541 m / L)²)."""
        modes = [m for m in self.config.experiment.modes
                 if DarkNeutrinoSignal.name in self.view(m, model).sample.process.split("+")]
        if not modes:
            return []
        return [f"dark-neutrino flux ({', '.join(modes)}): {flux_description(self.config.experiment.name)}"]

    @staticmethod
    def _effective_parameters(model: Model, out: dict[str, Any]) -> None:
        """State parameters that the physics uses with another value than the one given (JSON
        ``model.effective`` and a note): a single-mediator vector-idm uses eps2 = eps1."""
        if getattr(model, "single_mediator", False) and "eps2" in model.values and "eps1" in model.values:
            eff = float(model.values["eps1"])
            out["model"]["effective"] = {"eps2": eff}
            out["notes"].append(f"single mediator (m_v2 = 0): V2 = V1, so eps2 = eps1 = {eff:.4g} is used "
                                f"(the eps2 = {model.values['eps2']:g} setting is not used)")

    # --- signal-only predictions (experiments without packaged data) -----------------------------
    def predict_signal_only(self, model: Model | None = None, off_target: bool | None = None) -> dict[str, Any]:
        """Signal-only prediction: per mode, the total and its split by component, parent and topology,
        and per observable the spectrum with the same splits (expected events for the mode's POT).

        Keys: ``experiment``, ``mode`` (main mode), ``analysis`` = "signal-only", ``model``,
        ``coupling_product``, ``signal_events``, ``spectra`` (main mode), ``modes``, ``detector``,
        ``simulation``, ``notes``. No χ² keys.
        """
        model = self.model if model is None else model
        cfg = self.config
        exp = get_experiment(cfg.experiment.name)
        modes: dict[str, Any] = {}
        for mode in cfg.experiment.modes:
            v = self.view(mode, model)
            w = v.weights(model, cfg.pot(mode))
            groups = sample_groups(v.sample, cfg.experiment.name)
            spectra = {}
            for (m, obs), b in self.binnings.items():
                if m != mode:
                    continue
                spectra[obs] = {"edges": b.edges, "signal": v.histogram(b, w),
                                **{f"by_{g}": {k: v.histogram(b, np.where(sel, w, 0.0)) for k, sel in lab.items()}
                                   for g, lab in groups.items()}}
            modes[mode] = {"pot": cfg.pot(mode), "signal_events": float(w.sum()),
                           "mc_relative_error": float(np.sqrt(np.sum(w**2)) / w.sum()) if w.sum() > 0 else None,
                           **{f"by_{g}": {k: float(w[sel].sum()) for k, sel in lab.items()}
                              for g, lab in groups.items()},
                           "spectra": spectra, "note": v.sample.note}
        main = "neutrino" if "neutrino" in modes else cfg.experiment.modes[0]
        resp = get_response(cfg.experiment.name)
        out: dict[str, Any] = {
            "experiment": cfg.experiment.name, "mode": main, "analysis": "signal-only",
            "model": model_summary(model), "coupling_product": coupling_product(model),
            "signal_events": modes[main]["signal_events"], "spectra": modes[main]["spectra"], "modes": modes,
            "detector": {"distance_m": exp.distance / 1000.0, "mass_t": exp.fiducial_mass,
                         "radius_m": exp.radius / 1000.0, "material": exp.material.name,
                         "response": _response_summary(resp)},
            "simulation": cfg.simulation.model_dump(),
            "notes": [*self.notes, ("energies in MeV; events for the POT of each mode; E_QE (if requested) is the "
                                    "CCQE electron hypothesis, not a LArTPC observable"),
                      *self._flux_notes(model)],
            # no data to compare with: MC statistics are judged on the signal alone (relative MC error)
            "warnings": [f"MC statistics: {mode}-mode signal {r['signal_events']:.4g} has a relative MC "
                         f"error of {r['mc_relative_error']:.2g} (criterion: < "
                         f"{self.MC_RELATIVE_ERROR_SIGNAL_ONLY:g}); increase [simulation].n_events / n_mesons"
                         for mode, r in modes.items()
                         if r["mc_relative_error"] is not None
                         and r["mc_relative_error"] > self.MC_RELATIVE_ERROR_SIGNAL_ONLY]
                        + [f"MC statistics: no accepted MC event carries the {mode}-mode signal out of "
                           f"{len(self.view(mode, model).sample.base_weight)} sampled; the zero is not a measurement "
                           "(increase [simulation].n_events / n_mesons)"
                           for mode, r in modes.items()
                           if r["signal_events"] == 0 and 0 < len(self.view(mode, model).sample.base_weight)
                           < self.MC_MIN_EVENTS * 100],
        }
        self._effective_parameters(model, out)
        if cfg.experiment.off_target if off_target is None else off_target:
            out["off_target"] = self.off_target(model)
        return out

    # --- fits -------------------------------------------------------------------------------------
    def fit(self) -> FitOutcome:
        """Fit ``[fit].parameter`` by exact re-weighting, on the ``[fit].masses`` grid if given."""
        cfg = self.config
        self._require_data("fit")
        name = cfg.fit.parameter
        if name is None:
            raise InputError("config key 'fit.parameter'", None, "the name of a coupling to fit, e.g. 'g_n'")
        lo, hi = fit_bounds(cfg, self.model)
        grid = mass_grid(cfg, self.model)
        axes = [k for k, v in grid.items() if len(v) > 1]
        n_params = 1 + len(axes)
        points = [dict(zip(grid, vals)) for vals in itertools.product(*grid.values())] if grid else [{}]
        bar = None
        if len(points) > 1:
            from tqdm import tqdm  # lazy: optional (progress bars)

            bar = tqdm(points, desc="mass grid", file=sys.stderr, disable=not self.progress)
        results = []
        for point in bar if bar is not None else points:
            m0 = self.model.replace(**point) if point else self.model
            r = self.fit_at(m0, name, lo, hi, n_params)
            r.masses = dict(point)
            results.append(r)
            if len(points) > 1:
                self.clear()  # one mass point at a time in memory
        best = min(results, key=lambda r: r.chi2)
        if len(points) > 1:
            best.scan = [{"point": r.masses, "value": r.value, "chi2": r.chi2} for r in results]
        return best

    def fit_at(self, m0: Model, name: str, lo: float, hi: float, n_params: int) -> FitOutcome:
        """Global fit of ``name`` in [lo, hi] at the masses of ``m0`` (see :func:`fit_coupling`)."""
        self._require_data("fit")
        v0 = float(m0.values[name])
        if not v0 > 0:
            raise InputError(f"model.{name}", v0, "a positive reference value (the sample is re-weighted from it)")
        tpl = self.signals(m0, at_data_exposure=True)  # the fit confronts the data at its own exposure
        null_sig = {k: np.zeros_like(v) for k, v in tpl.items()}
        chi2_null = self.chi2(m0, n_params, null_sig)
        total = sum(float(v.sum()) for v in tpl.values())
        notes = [self.view(mode, m0).sample.note for mode in self.config.experiment.modes
                 if self.view(mode, m0).sample.note]
        if not total > 0:
            why = "; ".join(notes) or "no signal events at the reference couplings"
            return FitOutcome(name, float("nan"), m0, chi2_null.chi2, chi2_null.ndof, chi2_null.pvalue,
                              chi2_null.chi2, coupling_product(m0), {m: 0.0 for m in self.config.experiment.modes},
                              float("nan"), float("nan"), False, status="no sensitivity", reason=why,
                              notes=notes + [f"no sensitivity: {why}; the fit has no signal to scale"])
        # k in signal ∝ coupling^k near the reference point, measured by re-weighting (2 for g_n, λ; ~2 for
        # g_μ; 4 for ε1 of a single mediator); the template normalisation fit gives one starting candidate
        t2 = sum(float(v.sum()) for v in self.signals(m0.replace(**{name: 2 * v0}), at_data_exposure=True).values())
        power = math.log2(t2 / total) if t2 > 0 else 2.0
        power = power if power > 0.1 else 2.0
        fn = fit_normalisation(lambda s: self.dataset.chi2(s, self.config.analysis, n_params, self.pseudo_data or None),
                               tpl, power=power)
        start = float(np.clip(v0 * fn.c, lo, hi)) if fn.c > 0 else lo

        def f(t: float) -> float:
            return self.chi2(m0.replace(**{name: 10.0**t}), n_params).chi2

        g = fit_coupling(f, lo, hi, extra_starts=(start,))
        best_v = g.value
        best_m = m0.replace(**{name: best_v})
        res = self.chi2(best_m, n_params)
        status, reason = "fit", ""
        if res.chi2 >= chi2_null.chi2 - 1e-9:
            status = "background only"
            reason = "no coupling in the bounds fits better than background only"
            notes.append(f"{reason}; the value is the smallest coupling scanned, not a measurement")
        elif g.at_edge:
            notes.append(f"the best fit lies at the {g.at_edge} edge of the allowed range [{lo:.3g}, {hi:.3g}] "
                         "(fit.bounds): widen it")
        totals = {mode: self.view(mode, m0).weights(best_m, self.config.pot(mode)).sum().item()
                  for mode in self.config.experiment.modes}
        return FitOutcome(name, best_v, best_m, res.chi2, res.ndof, res.pvalue, chi2_null.chi2,
                          coupling_product(best_m), totals, start, power, bool(g.valid), notes=notes,
                          uncertainty=g.interval, at_edge=g.at_edge, status=status, reason=reason)


def predict_config(config: RunConfig, progress: bool = False) -> dict[str, Any]:
    """One-shot prediction for ``config`` (see :meth:`Predictor.predict`)."""
    return Predictor(config, progress).predict()


def fit_config(config: RunConfig, progress: bool = False) -> FitOutcome:
    """One-shot fit for ``config`` (see :meth:`Predictor.fit`)."""
    return Predictor(config, progress).fit()


__all__ = ["SIGNAL_ONLY_BINNING", "Binning", "FitOutcome", "Predictor", "SampleView", "binning",
           "coupling_product", "fit_config", "model_summary", "predict_config", "sample_groups",
           "signal_only_binning", "signal_only_text"]
