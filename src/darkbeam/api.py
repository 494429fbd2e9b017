"""darkbeam from Python: the small top-level API (``import darkbeam``; docs/python.md).

* :func:`model` — a model from keyword arguments, with units exactly as on the command line
  (``darkbeam.model("muphilic-scalar", m_phi="5 MeV", g_mu=5e-3)``);
* :func:`predict` — the prediction of a config (a TOML path, a :class:`~darkbeam.io.config.RunConfig`, a
  mapping as read from TOML, a model, or None: the embedded default): the same dict as
  ``darkbeam run --json``;
* :func:`fit` — the fit of one coupling: the same dict as ``darkbeam fit --json``;
* :func:`flux` — a neutrino flux, or the flux of a dark boson, at a detector: the same dict as
  ``darkbeam flux --json``.

The command line calls the same functions (:func:`run_prediction`, :func:`flux`), so the numbers agree.
Everything is in darkbeam's internal units (MeV, mm, ns) unless a key names its unit (``edges_GeV``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .data import official_bnb_flux
from .declarations import Model
from .errors import InputError

# The other darkbeam imports of this module (beyond the foundation and the declaration types, which load no
# model) sit inside its functions, on purpose: the command line imports this module at start-up
# (cli/catalog.py), and models, detectors, pipeline and inference at module level would make every command,
# ``darkbeam --help`` included, load the whole package (0.2 s -> 1.5 s). None dodges a cycle:
# tests/test_layering.py checks that they all point down the layer order.

#: docs explaining why darkbeam's rate at seed 000's couplings differs from the seed's (~170x)
VALIDATION_DOC = "docs/validation.md"
#: the embedded default config: seed 000 (Dutta et al., arXiv:2110.11944) Table I scalar benchmark
SEED_REFERENCE = ("seed 000 (Dutta et al., arXiv:2110.11944), Table I scalar benchmark: (m_Z', m_phi) = "
                  "(49, 1) MeV, g_mu g_n lambda = 2.2e-8 /MeV (Table II couplings 5e-3, 1e-2, 4.4e-4 /MeV)")
SEED_EXPLANATION = ("at the seed's couplings darkbeam's rate is ~170x the seed's: the u-quark coherent charge "
                    "2Z+N instead of the seed's Z (x7.3), the vertex normalisation (x4), the printed C2 "
                    "amplitude (x0.79) and a possible fiducial double count (x1.8) explain ~42x; ~4x is open")

#: ``(stage, index, total)`` callback of :func:`run_prediction` (progress of a long run)
StageCallback = Callable[[str, int, int], None]


# ------------------------------------------------------------------------------------------------
# models and configs
# ------------------------------------------------------------------------------------------------


def model(name: str, **parameters: Any):
    """A registered model (``darkbeam list models``) with ``parameters`` as keyword arguments.

    Dimensionful parameters need their unit in a string, exactly as on the command line
    (``m_phi="5 MeV"``, ``lam="4.4e-4 /MeV"``); a bare number for a mass is an
    :class:`~darkbeam.errors.InputError` naming the parameter. Dimensionless couplings may be numbers
    (``g_mu=5e-3``); string settings are strings (``zprime_current="em"``). Unset parameters take the
    model's defaults.

    Example: ``darkbeam.model("muphilic-scalar", m_phi="5 MeV", g_mu=5e-3)``.
    """
    from .models import get_model  # deferred: CLI start-up

    return get_model(name, parameters)


def _model_settings(m) -> dict[str, Any]:
    """Config ``[model]`` settings reproducing ``m`` exactly (internal values written with their unit)."""
    out: dict[str, Any] = {"name": m.name}
    for p in m.params:
        v = m.values[p.name]
        if p.choices is not None:
            out[p.name] = v
        elif p.dimension == "dimensionless":
            out[p.name] = float(v)
        else:
            out[p.name] = f"{float(v)!r} {'/MeV' if p.unit == '1/MeV' else p.unit}"
    return out


def run_config(config_or_model: Any = None, *, experiment: str | None = None, modes: list[str] | None = None,
               off_target: bool | None = None, n_mesons: int | None = None, n_events: int | None = None,
               seed: int | None = None, parameter: str | None = None, bounds: tuple | None = None,
               masses: Mapping[str, list] | None = None):
    """A validated :class:`~darkbeam.io.config.RunConfig` from a config or a model, with overrides.

    ``config_or_model``: None (the embedded default: seed 000's scalar benchmark), a TOML path, a
    RunConfig, a mapping as read from TOML, or a :class:`~darkbeam.declarations.Model` (default
    experiment, analysis and simulation). ``experiment`` replaces ``[experiment].name`` (then the POT
    settings are dropped and, unless ``modes`` is given, the new experiment's modes are run); ``modes``,
    ``off_target``, ``n_mesons``, ``n_events``, ``seed`` and ``parameter``/``bounds``/``masses`` (``[fit]``)
    replace the config's values. Raises InputError naming the key.
    """
    from .io.config import RunConfig, load_config, parse_config  # deferred: CLI start-up

    if config_or_model is None or isinstance(config_or_model, (str, Path)):
        cfg = load_config(config_or_model)
    elif isinstance(config_or_model, RunConfig):
        cfg = config_or_model
    elif isinstance(config_or_model, Model):
        cfg = parse_config({"model": _model_settings(config_or_model)})
        if cfg.build_model().values != config_or_model.values:  # pragma: no cover  (a model we cannot write)
            raise InputError("config_or_model", config_or_model.name, "a model whose parameters a config reproduces")
    elif isinstance(config_or_model, Mapping):
        cfg = parse_config(dict(config_or_model))
    else:
        raise InputError("config_or_model", type(config_or_model).__name__,
                         "None (the embedded default), a TOML path, a RunConfig, a mapping or a darkbeam model")
    data = cfg.model_dump(mode="python")
    exp = dict(data["experiment"])
    if experiment is not None and experiment != exp["name"]:
        exp = {"name": experiment, "off_target": exp["off_target"]}  # modes: the new experiment's
    if modes is not None:
        exp["modes"] = list(modes)
    if off_target is not None:
        exp["off_target"] = bool(off_target)
    data["experiment"] = exp
    sim = {"n_mesons": n_mesons, "n_events": n_events, "seed": seed}
    data["simulation"] = {**data["simulation"], **{k: v for k, v in sim.items() if v is not None}}
    fit = dict(data["fit"])
    for k, v in (("parameter", parameter), ("bounds", bounds), ("masses", masses)):
        if v is not None:
            fit[k] = dict(v) if k == "masses" else (list(v) if k == "bounds" else v)
    data["fit"] = fit
    data["priors"] = {k: {f: x for f, x in v.items() if x is not None} for k, v in data.get("priors", {}).items()}
    return parse_config(data)


# ------------------------------------------------------------------------------------------------
# predictions (darkbeam run)
# ------------------------------------------------------------------------------------------------

_OBS_UNITS = {"E_vis": "MeV", "E_QE": "MeV", "cos_theta": "dimensionless"}


def add_spectrum_units(out: dict[str, Any]) -> dict[str, Any]:
    """State the units of every spectrum of a prediction in its keys: ``edges_unit`` ("MeV" or
    "dimensionless"), ``edges_MeV`` (a copy of ``edges``, energy observables only) and ``signal_unit``
    ("events per bin"). ``edges`` stays for compatibility."""
    for r in out.get("modes", {}).values():
        for obs, spec in r.get("spectra", {}).items():
            unit = _OBS_UNITS.get(obs, "")
            spec["edges_unit"] = unit
            if unit == "MeV":
                spec["edges_MeV"] = spec["edges"]
            spec["signal_unit"] = "events per bin (for the mode's POT)"
    return out


def _excess(out: dict[str, Any]) -> float | None:
    """Data minus background in the main mode's spectrum with the 200 < E_QE < 1250 MeV window (the
    MiniBooNE low-energy excess), or None without data."""
    for spec in out.get("spectra", {}).values():
        if spec.get("data") is not None and spec.get("background") is not None and spec.get("eqe_window_MeV"):
            return float(np.sum(np.asarray(spec["data"], float) - np.asarray(spec["background"], float)))
    return None


def _grid_edge(res, cfg) -> list[str]:
    """Mass axes whose best point lies at an end of the scanned ``[fit].masses`` grid."""
    from .io.config import mass_grid  # deferred: CLI start-up

    if not res.scan:
        return []
    grid = mass_grid(cfg, res.model)
    return [f"{k} = {res.masses[k]:g} MeV" for k, vals in grid.items()
            if len(vals) > 1 and res.masses.get(k) in (min(vals), max(vals))]


def _fit_warnings(res, cfg) -> list[str]:
    """Warnings of a best-fit run: no sensitivity, background only, best fit at an edge of the range."""
    from .io.config import fit_bounds  # deferred: CLI start-up

    w = []
    if res.status == "no sensitivity":
        w.append(f"no sensitivity to {res.parameter}: {res.reason}; the prediction is at the config's couplings")
    elif res.status == "background only":
        w.append(f"no {res.parameter} in the bounds fits better than background only: the prediction is at the "
                 "smallest coupling scanned, not a measurement")
    elif res.at_edge:
        lo, hi = fit_bounds(cfg, res.model)
        w.append(f"the best fit {res.parameter} = {res.value:.4g} lies at the {res.at_edge} edge of the allowed "
                 f"range [{lo:.3g}, {hi:.3g}] ([fit].bounds): it is not determined inside the range; widen it")
    for e in _grid_edge(res, cfg):
        w.append(f"the best point {e} lies at an edge of the mass grid ([fit].masses): extend the grid")
    return w


def run_prediction(cfg, *, fit: bool = False, seed_comparison: bool = False, progress: bool = False,
                   cache=None, stage: StageCallback | None = None):
    """What ``darkbeam run`` computes: ``(predictor, prediction dict, FitOutcome or None)``.

    Without ``fit``: the prediction at the config's couplings. With ``fit``: ``[fit].parameter`` is fitted
    first (exact re-weighting of the in-memory samples), then the prediction, spectra, χ², off-target run
    and plots are at the best fit (re-weighting the same samples: nothing is regenerated, except the best
    point of a ``[fit].masses`` grid); the dict adds ``best_fit`` (the :class:`FitOutcome` dict), ``ndof`` and
    ``pvalue`` count the fitted parameter(s), and ``seed_comparison`` (the embedded default: seed 000's
    coupling product, darkbeam's best-fit product, their ratio and :data:`VALIDATION_DOC`) or
    ``config_comparison`` (any other config: its product against the best fit's).
    ``stage(name, index, total)`` is called as each stage starts (progress reports).
    """
    from .detectors.catalog import get_experiment  # deferred: CLI start-up
    from .inference.predict import Predictor, coupling_product  # deferred: CLI start-up
    from .io.config import fit_bounds  # deferred: CLI start-up

    pred = Predictor(cfg, progress=progress, cache=cache)
    if fit:  # fail on a config that cannot be fitted before any simulation
        pred._require_data("fit")
        fit_bounds(cfg, pred.model)
    exp = get_experiment(cfg.experiment.name)
    samples = [] if (fit and cfg.fit.masses) else list(cfg.experiment.modes)
    if cfg.experiment.off_target and "off-target" in exp.pot:
        samples.append("off-target")
    total = len(samples) + (1 if fit else 0) + 1
    for i, mode in enumerate(samples):
        if stage is not None:
            stage(f"{mode}{'' if mode == 'off-target' else '-mode'} signal sample", i, total)
        pred.view(mode)
    res = None
    if fit:
        if stage is not None:
            n = math.prod(len(v) for v in cfg.fit.masses.values()) if cfg.fit.masses else 1
            stage(f"fit of {cfg.fit.parameter}" + (f" over {n} mass points" if n > 1 else ""), len(samples), total)
        res = pred.fit()
    if stage is not None:
        stage("prediction" + (" at the best fit" if fit else ""), total - 1, total)
    if res is None:
        out = pred.predict()
    else:
        at = res.model  # "no sensitivity": the config's model (value NaN)
        out = pred.predict(at)
        fd = {"parameter": res.parameter, "masses": dict(res.masses), **res.to_dict()}
        if cfg.experiment.off_target and "off_target" in out:
            fd["off_target"] = out["off_target"]
        out["best_fit"] = fd
        if math.isfinite(res.chi2) and res.status != "no sensitivity":
            n_fitted = out["ndof"] - res.ndof  # the prediction's ndof is the number of bins
            out["ndof"], out["pvalue"] = res.ndof, res.pvalue  # the fitted coupling (and mass axes) counted
            out["notes"].append(f"prediction at darkbeam's best fit of {res.parameter}: ndof = bins - {n_fitted} "
                                "fitted parameter(s)")
        out["warnings"] = _fit_warnings(res, cfg) + out["warnings"]
        start = coupling_product(pred.model)
        best = res.coupling_product
        if start and best and res.status != "no sensitivity":
            ratio = best["value"] / start["value"] if start["value"] else None
            if seed_comparison:
                at_seed = pred.totals(pred.model)
                main = out["mode"]
                excess = _excess(out)
                n_seed = at_seed[main]["eqe_200_1250"]
                out["seed_comparison"] = {
                    "reference": SEED_REFERENCE, "name": start["name"], "unit": start["unit"],
                    "seed_product": start["value"], "darkbeam_product": best["value"], "ratio": ratio,
                    "mode": main, "signal_events_eqe_200_1250_at_seed_product": n_seed,
                    "signal_events_eqe_200_1250_at_best_fit": out["signal_events_eqe_200_1250"],
                    "excess_eqe_200_1250": excess,
                    "excess_ratio_at_seed_product": (n_seed / excess) if excess else None,
                    "explanation": SEED_EXPLANATION, "doc": VALIDATION_DOC}
            else:
                out["config_comparison"] = {"name": start["name"], "unit": start["unit"],
                                            "config_product": start["value"], "darkbeam_product": best["value"],
                                            "ratio": ratio}
    add_spectrum_units(out)
    return pred, out, res


def predict(config_or_model: Any = None, *, experiment: str | None = None, modes: list[str] | None = None,
            off_target: bool | None = None, n_mesons: int | None = None, n_events: int | None = None,
            seed: int | None = None, fit: bool | None = None, cache=None, progress: bool = False) -> dict[str, Any]:
    """The prediction of ``darkbeam run --json``: spectra against data, χ², off-target run, notes, warnings.

    Args:
        config_or_model: None (the embedded default, seed 000's scalar benchmark), a TOML path, a
            RunConfig, a mapping as read from TOML, or a model from :func:`model`.
        experiment, modes, off_target, n_mesons, n_events, seed: override the config (see :func:`run_config`;
            by default the experiment's own modes).
        fit: fit ``[fit].parameter`` first and predict at the best fit (adds ``best_fit`` and
            ``seed_comparison``/``config_comparison``). None: as ``darkbeam run``, i.e. fit only the embedded
            default (``config_or_model=None``).
        cache: a sample-cache directory, True (the default one, ``darkbeam cache info``) or None (memory).
        progress: tqdm progress bars on stderr.

    Returns:
        the dict of ``darkbeam run --json`` (without ``plots``/``events_file``).
    """
    cfg = run_config(config_or_model, experiment=experiment, modes=modes, off_target=off_target,
                     n_mesons=n_mesons, n_events=n_events, seed=seed)
    do_fit = (config_or_model is None) if fit is None else bool(fit)
    return run_prediction(cfg, fit=do_fit, seed_comparison=do_fit and config_or_model is None,
                          progress=progress, cache=cache)[1]


def fit(config_or_model: Any = None, *, parameter: str | None = None, bounds: tuple | None = None,
        masses: Mapping[str, list] | None = None, experiment: str | None = None, modes: list[str] | None = None,
        off_target: bool | None = None, n_mesons: int | None = None, n_events: int | None = None,
        seed: int | None = None, cache=None, progress: bool = False) -> dict[str, Any]:
    """The fit of ``darkbeam fit --json``: one coupling (``parameter``, default ``[fit].parameter``) fitted to
    the experiment's data by exact re-weighting, optionally over a mass grid (``masses``,
    e.g. ``{"m_phi": ["1 MeV", "5 MeV"]}``); ``bounds`` with units where dimensionful.

    Returns:
        ``best_fit`` ({parameter: value, unit, interval_68, at_edge, coupling_product, signal_events}),
        ``chi2``, ``ndof``, ``chi2_per_dof``, ``pvalue``, ``chi2_background_only``, ``status``, ``notes``,
        ``off_target`` (at the best fit) and, for mass grids, ``scan``.
    """
    from .inference.predict import Predictor  # deferred: CLI start-up

    cfg = run_config(config_or_model, experiment=experiment, modes=modes, off_target=off_target,
                     n_mesons=n_mesons, n_events=n_events, seed=seed, parameter=parameter, bounds=bounds,
                     masses=masses)
    pred = Predictor(cfg, progress=progress, cache=cache)
    res = pred.fit()
    out = res.to_dict()
    if cfg.experiment.off_target:
        out["off_target"] = pred.off_target(res.model)
    return out


# ------------------------------------------------------------------------------------------------
# fluxes (darkbeam flux)
# ------------------------------------------------------------------------------------------------

#: what the flux of a dark boson is (``darkbeam flux --species <boson>``)
BOSON_FLUX_NOTE = ("flux arriving at the detector before decays in flight: no survival probability applied; "
                   "the signal stage applies it with the model's width")
#: experiments with a reference (official) flux to compare with: the MiniBooNE flux release
#: (PRD 79, 072002) is the flux at MiniBooNE (541 m), no other detector's
REFERENCE_FLUX_EXPERIMENTS = ("miniboone",)
#: units of ``darkbeam flux``
FLUX_UNIT = "per cm^2 per POT per GeV"
INTEGRATED_FLUX_UNIT = "per cm^2 per POT"
RATIO_DEFINITION = ("darkbeam flux / official MiniBooNE flux (PRD 79, 072002) in the same energy bin; null where "
                    "the official flux is zero")


def check_compare(experiment: str, mode: str, species: str, nu_species) -> None:
    """``flux --compare`` only where a reference flux exists (before any simulation)."""
    if experiment not in REFERENCE_FLUX_EXPERIMENTS:
        raise InputError("--experiment for --compare", experiment,
                         f"{', '.join(REFERENCE_FLUX_EXPERIMENTS)} (the official BNB flux is MiniBooNE's at "
                         f"541 m; there is no reference flux for {experiment})")
    if mode not in ("neutrino", "antineutrino"):
        raise InputError("--mode for --compare", mode, "neutrino or antineutrino (the official flux's modes)")
    if species not in nu_species:
        raise InputError("--species for --compare", species,
                         f"a neutrino species ({', '.join(nu_species)}): no reference flux of a dark boson")


def official_or_none(mode: str, species: str, experiment: str, edges: np.ndarray):
    """The official MiniBooNE flux of ``species`` in these bins (MiniBooNE, horn modes), else None."""
    if experiment not in REFERENCE_FLUX_EXPERIMENTS or mode not in ("neutrino", "antineutrino"):
        return None
    off = official_bnb_flux(mode)
    if len(off["edges_GeV"]) != len(edges) or not np.allclose(off["edges_GeV"], edges):
        return None
    return off.get(species)  # None for dark bosons: no official flux


def compare_official(edges, flux_values, mode, species) -> list[float | None]:
    """Bin-by-bin ratio darkbeam / official MiniBooNE flux (None where the official flux is 0)."""
    # callers check first (check_compare) that the experiment is MiniBooNE, whose official flux this is
    off = official_or_none(mode, species, "miniboone", edges)
    if off is None:
        raise InputError("--compare", mode, "neutrino or antineutrino mode at miniboone with default binning")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(off > 0, flux_values / off, np.nan)
    return [None if not np.isfinite(x) else float(x) for x in r]


def flux(species: str = "nu_mu", experiment: str = "miniboone", mode: str = "neutrino", model: Any = None, *,
         focusing: str | None = None, n_mesons: int = 400_000, seed: int = 12345, compare: bool = False,
         progress: bool = False) -> dict[str, Any]:
    """The flux of ``darkbeam flux --json``, per cm² per POT per GeV, averaged over the detector's disc.

    Args:
        species: nu_mu, nu_mu_bar, nu_e, nu_e_bar (no ``model``), or the boson of ``model`` (its flux
            arriving at the detector before decays in flight).
        experiment, mode, focusing: where and how (focusing: the beam's default for the mode).
        model: a model from :func:`model` (or a registered name, at its defaults), dark bosons only.
        n_mesons: mesons sampled per parent species; seed: random seed.
        compare: add ``official_ratio`` (MiniBooNE and neutrino species only: the official flux).

    Returns:
        ``edges_GeV``, ``flux``, ``error`` (MC), ``units``, ``integrated`` ({value, error, unit}: the flux
        summed over the bins, per cm² per POT), and for bosons ``note``, ``coupling2``,
        ``flux_per_coupling2``, ``by_parent``.
    """
    from .production.sm_decays import NU_SPECIES  # deferred: CLI start-up

    if not 0 <= seed < 2**63:
        raise InputError("seed", seed, "a non-negative integer (numpy seeds are >= 0)")
    if n_mesons < 1:
        raise InputError("n_mesons", n_mesons, "a positive integer")
    if species in NU_SPECIES and model is not None:
        raise InputError("model", getattr(model, "name", model),
                         f"only with a dark-boson species: the {species} flux has no model parameters")
    if compare:
        check_compare(experiment, mode, species, NU_SPECIES)
    if species in NU_SPECIES:
        from .pipeline.neutrino_flux import neutrino_flux  # deferred: CLI start-up

        res = neutrino_flux(experiment, mode, focusing, n_mesons=n_mesons, seed=seed, progress=progress)
        edges, values, err = res.edges_GeV, res.flux[species], res.error[species]
        bres = None
    else:
        if model is None:
            raise InputError("species", species, list(NU_SPECIES) + ["<boson of a model>"])
        from .models import get_model  # deferred: CLI start-up
        from .pipeline.boson_flux import boson_flux  # deferred: CLI start-up

        m = model if isinstance(model, Model) else get_model(str(model))
        if species != m.boson:
            raise InputError(f"species of model {m.name}", species, list(NU_SPECIES) + [str(m.boson)])
        bres = boson_flux(m, experiment, mode, focusing, n_mesons=n_mesons, seed=seed, progress=progress)
        edges, values, err = bres.edges_GeV, bres.flux, bres.error
    width = np.diff(np.asarray(edges, float))
    out: dict[str, Any] = {
        "experiment": experiment, "mode": mode, "species": species, "units": FLUX_UNIT,
        "edges_GeV": edges, "flux": values, "error": err,
        "integrated": {"value": float(np.sum(np.asarray(values) * width)),
                       "error": float(np.sqrt(np.sum((np.asarray(err) * width) ** 2))),
                       "unit": INTEGRATED_FLUX_UNIT, "range_GeV": [float(edges[0]), float(edges[-1])]},
        "simulation": {"n_mesons": n_mesons, "seed": seed},
    }
    if bres is not None:
        out["note"] = BOSON_FLUX_NOTE
        # the flux scales with the production coupling squared: give it per unit coupling² when the
        # model has a single production coupling (g_mu, g_e or e*epsilon), so users can rescale
        out["coupling2"] = bres.coupling2
        out["flux_per_coupling2"] = bres.flux_per_coupling2
        out["by_parent"] = bres.by_parent
    if compare:
        out["official_ratio"] = compare_official(edges, values, mode, species)
        out["ratio_definition"] = RATIO_DEFINITION
    return out


__all__ = ["BOSON_FLUX_NOTE", "FLUX_UNIT", "REFERENCE_FLUX_EXPERIMENTS", "VALIDATION_DOC", "add_spectrum_units",
           "fit", "flux", "model", "predict", "run_config", "run_prediction"]
