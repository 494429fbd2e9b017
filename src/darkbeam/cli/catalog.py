"""darkbeam commands about the catalog and physics quantities: list, br, widths, predict, mesons, flux, xsec,
constraints, cache."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..errors import InputError
from .app import (
    ConfigArg,
    JsonOpt,
    OverwriteOpt,
    SetOpt,
    _check_output_file,
    _check_seed,
    _CommandStatus,
    _emit,
    _plot_failure,
    app,
    parse_settings,
)


def _beam_status(beam) -> tuple[bool, str]:
    """(runnable, reason) of a beam: is there a meson-production model for its target and energy (decay in
    flight), or a stopped-pion source of its name (stopped sources)?"""
    from ..beams.stopped_yields import STOPPED_SOURCES
    from ..beams.target import target_material
    from ..pipeline.stopped_sources import beam_source

    if beam_source(beam) == "stopped":
        if beam.name in STOPPED_SOURCES:
            return True, ""
        return False, f"no stopped-pion source named {beam.name!r} in darkbeam.beams.stopped"
    try:
        target_material(beam)
    except InputError as exc:
        return False, f"no meson-production model for this beam yet ({exc.allowed})"
    return True, ""


@app.command("list")
def list_cmd(
    what: Annotated[str, typer.Argument(help="models | experiments | focusing | beams")],
    as_json: JsonOpt = False,
) -> None:
    """List the entries of a registry (models with their parameters and channels; experiments and beams
    with whether they can be run today)."""
    from ..beams.focusing import FOCUSING
    from ..detectors.catalog import BEAMS, EXPERIMENTS
    from ..models import MODELS

    registries = {"models": MODELS, "experiments": EXPERIMENTS, "focusing": FOCUSING, "beams": BEAMS}
    if what not in registries:
        raise InputError("list", what, registries.keys())
    reg = registries[what]
    desc = reg.describe()
    rows: list[dict] = []
    for n, d in desc.items():
        row: dict = {"name": n, "description": d}
        if what == "models":
            info = MODELS.get(n).describe()
            row.update({k: info[k] for k in ("boson", "boson_kind", "parameters", "production", "detection")})
        elif what in ("experiments", "beams"):
            from ..inference.multi_experiment import experiment_status

            beam = BEAMS.get(EXPERIMENTS.get(n).beam) if what == "experiments" else BEAMS.get(n)
            # an experiment also needs a detector response; a beam only its source
            ok, why = experiment_status(n) if what == "experiments" else _beam_status(beam)
            row["runnable"] = ok
            if what == "experiments":
                exp = EXPERIMENTS.get(n)
                row.update(beam=exp.beam, modes=list(exp.pot), distance_m=exp.distance / 1000.0)
            else:
                row["modes"] = list(beam.focusing_modes)
            if not ok:
                row["reason"] = why
        rows.append(row)
    if as_json:
        _emit({what: rows}, True)
        return
    for r in rows:
        line = f"{r['name']:24s} {r['description']}"
        if what == "models":
            prod = ", ".join(f"{ch['kind']} [{'/'.join(ch['parents']) or 'closed'}]" for ch in r["production"]) or "none"
            det = ", ".join(f"{ch['kind']} ({ch['incoming']} -> {ch['visible']})" for ch in r["detection"]) or "none"
            pars = ", ".join(p["name"] + (f" [{p['unit']}]" if p["unit"] else "") for p in r["parameters"])
            line += f"\n{'':24s}   parameters: {pars}\n{'':24s}   production: {prod}; detection: {det}"
        elif "runnable" in r:
            line += (f"  [runs: {', '.join(r['modes'])}]" if r["runnable"] else f"  [not runnable yet: {r['reason']}]")
        typer.echo(line)


@app.command("br")
def br_cmd(
    model: Annotated[str, typer.Argument(help="Model name (see `darkbeam list models`).")],
    settings: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Branching ratios of every production channel the model declares (π/K → ℓνX, π0/η → γX, ...).

    A BR is Γ_X/(Γ_SM + Γ_X) of the parent; channels where Γ_X is not small against Γ_SM, or couplings
    above the perturbative limit sqrt(4π), are flagged (the linear re-weighting in coupling² then fails).
    """
    from ..declarations import perturbativity_warnings
    from ..models import get_model

    m = get_model(model, parse_settings(settings))
    if not m.production:
        raise InputError("model", model, "a model with meson-decay production channels "
                                         "(this one declares none: see `darkbeam list models`)")
    rows = []
    for ch in m.production:
        for r in ch.branching_ratios(m):
            rows.append({"production": ch.kind, **r})
    warnings = perturbativity_warnings(m, rows)
    text = "\n".join(
        f"{r['parent']:4s} -> {r['channel']:22s} "
        + (f"{r['value']:.4g}" if isinstance(r["value"], float) else str(r["value"]))
        for r in rows
    )
    text += "".join(f"\nwarning: {w}" for w in warnings)
    _emit({"model": model, "parameters": m.values, "branching_ratios": rows, "warnings": warnings}, as_json, text)


@app.command("widths")
def widths_cmd(
    model: Annotated[str, typer.Argument(help="Model name (see `darkbeam list models`).")],
    settings: SetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Partial widths, total width, branching ratios and proper decay length c*tau of the model's
    unstable states (widths in MeV, c*tau in mm)."""
    from ..constants import HBARC
    from ..models import get_model

    m = get_model(model, parse_settings(settings))
    states = m.decays()
    if not states:
        raise InputError("model", model, "a model declaring decays (this one has no unstable new state)")
    out: dict = {"model": model, "parameters": m.values, "units": {"width": "MeV", "ctau": "mm", "mass": "MeV"},
                 "states": {}}
    lines = []
    for name, d in states.items():
        tot = d.total
        ctau = HBARC / tot if tot > 0 else None
        brs = {k: (w / tot if tot > 0 else None) for k, w in d.widths.items()}
        out["states"][name] = {"mass": d.mass, "partial_widths": dict(d.widths), "total_width": tot,
                               "branching_ratios": brs, "ctau": ctau,
                               "note": "" if tot > 0 else "stable at these couplings (no open channel)"}
        lines.append(f"{name}: m = {d.mass:.6g} MeV, total width {tot:.4e} MeV, "
                     + (f"c*tau = {ctau:.4e} mm" if ctau is not None else "stable (no open channel)"))
        for k, w in d.widths.items():
            lines.append(f"  {k:16s} {w:.4e} MeV" + (f"  BR {brs[k]:.4g}" if brs[k] is not None else ""))
    _emit(out, as_json, "\n".join(lines))


@app.command("predict")
def predict_cmd(
    config: Annotated[Path | None, typer.Argument(help="TOML run config (its [model] and [simulation] are used); "
                                                       "none: the embedded default.")] = None,
    experiments: Annotated[str, typer.Option("--experiments", help="Comma-separated experiments, e.g. "
                                             "microboone,sbnd,icarus,ccm,coherent-csi,jsns2,dune-nd (default: the "
                                             "config's [experiment] name).")] = "",
    as_json: JsonOpt = False,
    n_mesons: Annotated[int | None, typer.Option("--n-mesons", help="Override [simulation].n_mesons.")] = None,
    n_events: Annotated[int | None, typer.Option("--n-events", help="Override [simulation].n_events.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override [simulation].seed.")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory (default: "
                                                               "$DARKBEAM_CACHE or ~/.cache/darkbeam).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
) -> None:
    """Expected signal events of one model point at several experiments (each in its own default modes
    and catalogue exposure), with the reason for every zero, the chi2 where data are packaged, and at the
    BNB LArTPCs the background and significance of each single-shower selection. Samples are read from and
    written to the on-disk sample cache (as `darkbeam scan`), so a repeated prediction takes about a second."""
    from ..inference.multi_experiment import experiments_text, predict_experiments
    from ..io.cache import resolve_cache
    from ..io.config import load_config

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    cfg = load_config(config).with_simulation(n_mesons=n_mesons, n_events=n_events, seed=seed)
    names = [e.strip() for e in experiments.split(",") if e.strip()] or [cfg.experiment.name]  # stated in --help
    store = resolve_cache(False if no_cache else (cache if cache is not None else True))
    res = predict_experiments(cfg, names, progress=sys.stderr.isatty(), cache=store)
    if store is not None:
        res["cache"] = {"directory": str(store.directory), "samples_loaded": store.hits,
                        "samples_generated": store.misses}
    _emit(res, as_json, experiments_text(res))


@app.command("mesons")
def mesons_cmd(
    beam: Annotated[str, typer.Option(help="Beam line (see `darkbeam list beams`).")] = "bnb",
    as_json: JsonOpt = False,
) -> None:
    """Mesons produced per proton on target for each species (numerical integration)."""
    from ..beams.production import production_table
    from ..detectors.catalog import BEAMS

    table = production_table(BEAMS.get(beam))
    text = "\n".join(f"{k:6s} {v:.4g} per POT" for k, v in table.items())
    _emit({"beam": beam, "mesons_per_pot": table}, as_json, text)


@app.command("flux")
def flux_cmd(
    experiment: Annotated[str, typer.Option(help="Experiment (see `darkbeam list experiments`).")] = "miniboone",
    species: Annotated[str, typer.Option(help="nu_mu, nu_mu_bar, nu_e, nu_e_bar, or the model's boson "
                                                          "(its flux before decays in flight).")] = "nu_mu",
    mode: Annotated[str | None, typer.Option(
        help="neutrino | antineutrino | off-target at a decay-in-flight beam, stopped at a stopped-pion source "
             "(default: the beam's first mode).")] = None,
    focusing: Annotated[str | None, typer.Option(help="Focusing model (default: the beam's for the mode).")] = None,
    model: Annotated[str | None, typer.Option(
        help="Model, for a dark-boson species only (with --set).")] = None,
    settings: SetOpt = None,
    n_mesons: Annotated[int, typer.Option(help="Mesons sampled per parent species.")] = 400_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 12345,
    plot: Annotated[Path | None, typer.Option(help="Write a plot of the flux to this PNG file.")] = None,
    compare: Annotated[bool, typer.Option(
        help="Compare a neutrino flux with the official MiniBooNE flux (--experiment miniboone only: no "
             "other reference flux).")] = False,
    as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Flux of neutrinos at a detector, or of a dark boson arriving at it before decays in flight (no
    survival probability applied), per cm² per POT per GeV, with its integral (per cm² per POT).

    At a stopped-pion source (ccm, coherent-*, jsns2; mode "stopped") the neutrino flux is the analytic
    decay-at-rest flux of darkbeam.beams.stopped (29.8 MeV ν_μ line, Michel ν_e and ν̄_μ, the K⁺ line) in 1 MeV
    bins to 300 MeV; --n-mesons and --seed do not apply to it."""
    from ..api import flux as compute_flux
    from ..detectors.catalog import BEAMS, get_experiment
    from ..pipeline.stopped_sources import beam_source
    from ..production.sm_decays import NU_SPECIES

    # options that do not apply are errors, checked before any simulation
    _check_seed(seed, "--seed")
    if n_mesons < 1:
        raise InputError("--n-mesons", n_mesons, "a positive integer")
    if species in NU_SPECIES and (model is not None or settings):
        opt = "--model" if model is not None else "--set"
        raise InputError(opt, model if model is not None else " ".join(settings or []),
                         f"only with a dark-boson species (--species <boson of --model>): the {species} flux "
                         "has no model parameters; drop --model/--set")
    beam = BEAMS.get(get_experiment(experiment).beam)
    mode = next(iter(beam.focusing_modes)) if mode is None else mode  # default: the beam's first mode
    if compare:
        _check_compare(experiment, mode, species, NU_SPECIES)
    _check_output_file(plot, "--plot", overwrite)
    if species not in NU_SPECIES and model is None:
        raise InputError("species", species, list(NU_SPECIES) + ["<boson of --model>"])
    if beam_source(beam) == "stopped" and species in NU_SPECIES:
        if mode not in beam.focusing_modes:
            raise InputError(f"--mode at the stopped-pion source {beam.name}", mode, list(beam.focusing_modes))
        if focusing is not None:
            raise InputError("--focusing", focusing, f"none: {beam.name} is a stopped-pion source (no focusing)")
        out = _stopped_neutrino_flux(experiment, mode, species)
        if plot is not None:
            out["plot"] = str(plot)
        _emit(out, as_json, _flux_text(out))
        if plot is not None:
            from ..plotting import plot_flux

            with _plot_failure(plot):
                plot_flux(plot, np.asarray(out["edges_GeV"]), np.asarray(out["flux"]), np.asarray(out["error"]),
                          species, experiment, mode, official=None, note="decays at rest, analytic")
        return
    m = None
    if model is not None:
        from ..models import get_model

        m = get_model(model, parse_settings(settings))
        if species != m.boson:
            raise InputError(f"species of model {model}", species, list(NU_SPECIES) + [str(m.boson)])
    with _CommandStatus("flux") as status:
        status.stage(f"{species} flux at {experiment} ({n_mesons} mesons per parent species)", 0, 1)
        out = compute_flux(species, experiment, mode, m, focusing=focusing, n_mesons=n_mesons, seed=seed,
                           compare=compare, progress=status.progress)
    if plot is not None:
        out["plot"] = str(plot)
    if not out["integrated"]["value"] > 0:  # no silent zero
        out["reason"] = (f"the production coupling^2 of {species} is 0 at these parameters (set it with --set)"
                         if out.get("coupling2") == 0 else
                         f"no {species} from the sampled parents reaches {experiment} in the binned energy range")
    _emit(out, as_json, _flux_text(out))  # results first: a plotting failure never loses them
    if plot is not None:
        from ..plotting import plot_flux

        # the official flux is overlaid only where it is the reference (MiniBooNE, neutrino species)
        edges = np.asarray(out["edges_GeV"])
        with _plot_failure(plot):
            plot_flux(plot, edges, np.asarray(out["flux"]), np.asarray(out["error"]), species, experiment, mode,
                      official=_official_or_none(mode, species, experiment, edges),
                      note=None if species in NU_SPECIES else "before decays in flight")


#: energy bins of the stopped-pion neutrino flux: 1 MeV to 300 MeV (the 29.8 MeV line, the 52.8 MeV Michel
#: endpoint, the 69.8 MeV π⁺ → e⁺ν_e line and the 235.5 MeV K⁺ line, resolved)
STOPPED_FLUX_EDGES_MEV = np.arange(0.0, 301.0, 1.0)


def _stopped_neutrino_flux(experiment: str, mode: str, species: str) -> dict:
    """Output of ``darkbeam flux`` for a neutrino species at a stopped-pion source: the analytic bin-averaged flux
    of :func:`darkbeam.beams.stopped.binned_neutrino_flux` at the experiment's source and distance
    (:func:`darkbeam.pipeline.stopped_sources.experiment_source`; per cm² per POT per MeV → per GeV), lines included.
    ν̄_e has none (π⁻ and μ⁻ are captured in the target before decaying: 0 with that reason)."""
    from ..api import FLUX_UNIT, INTEGRATED_FLUX_UNIT
    from ..beams.stopped import binned_neutrino_flux, neutrino_lines
    from ..pipeline.stopped_sources import experiment_source

    edges = STOPPED_FLUX_EDGES_MEV
    src, dist = experiment_source(experiment)
    per_mev = binned_neutrino_flux(src, edges, distance=dist)
    values = per_mev[species] * 1000.0 if species in per_mev else np.zeros(len(edges) - 1)  # per MeV → per GeV
    e_gev = edges / 1000.0
    out = {"experiment": experiment, "mode": mode, "species": species, "units": FLUX_UNIT,
           "edges_GeV": e_gev.tolist(), "flux": values.tolist(), "error": [0.0] * len(values),
           "integrated": {"value": float(np.sum(values * np.diff(e_gev))), "error": 0.0,
                          "unit": INTEGRATED_FLUX_UNIT, "range_GeV": [float(e_gev[0]), float(e_gev[-1])]},
           "method": "analytic decays at rest (darkbeam.beams.stopped; isotropic source, 1/(4 pi L^2)); "
                     "lines added to their bin; no MC error; --n-mesons and --seed unused",
           "lines": [ln for ln in neutrino_lines(src, distance=dist) if ln["species"] == species]}
    if not out["integrated"]["value"] > 0:
        out["reason"] = (f"no {species} at a stopped-pion source: pi- and mu- are captured in the target "
                         "before they decay (only pi+, mu+ and K+ decay at rest)")
    return out


def _flux_text(out: dict) -> str:
    """Text of ``darkbeam flux``: a header stating the unit, the integrated flux and what "ratio" means,
    then one row per energy bin (flux and its MC error, and the ratio to the official flux with --compare)."""
    species, boson = out["species"], "note" in out
    sim = out.get("simulation", {})
    integ = out["integrated"]
    lo, hi = integ["range_GeV"]
    rows = [f"# {species} flux at {out['experiment']}, {out['mode']} mode, {out['units']}"
            + (f" ({out['note']})" if boson else "")
            + (f"; {sim['n_mesons']} mesons per parent species, seed {sim['seed']}" if sim else "")
            + (f"; {out['method']}" if "method" in out else ""),
            *([f"# zero: {out['reason']}"] if "reason" in out else []),
            (f"# integrated over {lo:g}-{hi:g} GeV: {integ['value']:.4e} +- {integ['error']:.2e} {species} "
             f"{integ['unit']}"),
            "# columns: energy bin [GeV], flux [" + out["units"] + "], MC error [same unit]"
            + ("; ratio = " + out["ratio_definition"].replace("null", "n/a") if "official_ratio" in out else "")]
    ratio = out.get("official_ratio")
    edges = out["edges_GeV"]
    for i, (a, b, f, e) in enumerate(zip(edges[:-1], edges[1:], out["flux"], out["error"])):
        row = f"{a:6.3f}-{b:6.3f} GeV  {f:.4e} +- {e:.2e}"
        if ratio is not None:
            row += "  ratio " + ("  n/a" if ratio[i] is None else f"{ratio[i]:.3f}")
        rows.append(row)
    return "\n".join(rows)


# the flux helpers live in darkbeam.api (shared with ``darkbeam.flux`` in Python); names kept here
from ..api import BOSON_FLUX_NOTE, REFERENCE_FLUX_EXPERIMENTS  # noqa: F401
from ..api import check_compare as _check_compare
from ..api import compare_official as _compare_official  # noqa: F401
from ..api import official_or_none as _official_or_none


@app.command("xsec")
def xsec_cmd(
    model: Annotated[str, typer.Argument(help="Model name (see `darkbeam list models`).")],
    settings: SetOpt = None,
    target: Annotated[str, typer.Option(help="Target nucleus or nucleon, e.g. C12, Ar40, H1.")] = "C12",
    energy: Annotated[str, typer.Option(help="Incoming energy with unit, e.g. '300 MeV'.")] = "1 GeV",
    process: Annotated[str | None, typer.Option(help="Scattering process, for a model declaring several "
                                                      "(default: the first it declares).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Detection cross-sections (cm^2) of the model's scattering process at one incoming energy."""
    from ..interactions.xsec import xsec_for_cli
    from ..models import get_model
    from ..units import parse_quantity

    m = get_model(model, parse_settings(settings))
    e = parse_quantity(energy, "energy", "--energy")
    out = xsec_for_cli(m, target, e, process)
    text = "\n".join([f"{out['process']} on {out['target']} at {out['energy_GeV']:.4g} GeV:"]
                     + [f"  {k:16s} {v:.4e} cm^2" for k, v in out["sigma_cm2"].items()]
                     + ([f"  Z' current: {out['zprime_current']} ({out['charge_convention']})"]
                        if "zprime_current" in out else
                        [f"  charge convention: {out['charge_convention']}"]
                        if "charge_convention" in out else [])
                     + ([f"  the model also declares: {', '.join(out['other_processes'])} (--process)"]
                        if out["other_processes"] else []))
    _emit(out, as_json, text)


@app.command("constraints")
def constraints_cmd(
    config: ConfigArg = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name instead of a config's [model] "
                                                               "(see `darkbeam list models`).")] = None,
    settings: SetOpt = None,
    proxies: Annotated[bool, typer.Option("--proxies", help="Also evaluate the opt-in proxy limits "
                                                             "(l nu nu nubar final states).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Exotic pi/K decay limits (seed 000 Table II: NA62, PIENU, PDG) at a model point: predicted BR, limit
    at m_X, mass range, status (excluded / allowed / not applicable) and citation of each.

    The model is the [model] section of CONFIG (default: the embedded seed-000 scalar benchmark), with
    --set overriding its parameters, or --model NAME with --set as for `darkbeam br`. See docs/constraints.md.
    """
    from ..inference.constraints import evaluate_constraints
    from ..io.config import load_config
    from ..models import get_model

    extra = parse_settings(settings)
    if model is not None:
        if config is not None:
            raise InputError("--model", model, "either a CONFIG file or --model NAME, not both")
        m = get_model(model, extra)
    else:
        cfg = load_config(config)
        m = get_model(cfg.model.name, {**cfg.model.parameters, **extra})
    rows = evaluate_constraints(m, include_proxies=proxies)
    for r in rows:
        r["model"] = m.name

    def num(v) -> str:
        return "-" if v is None else f"{v:.3g}"

    mx = rows[0]["m_X_MeV"] if rows else None
    lines = [f"{m.name}" + (f", m_X = {mx:.4g} MeV" if mx is not None else "") + ": exotic-decay limits",
             f"{'constraint':40s} {'predicted':>10s} {'limit':>10s}  {'m_X range [MeV]':17s} status"]
    cites: list[str] = []
    for r in rows:
        if r["citation"] not in cites:
            cites.append(r["citation"])
        lo, hi = r["mass_range_MeV"]
        lines.append(f"{r['name']:40s} {num(r['predicted_br']):>10s} {num(r['limit']):>10s}  "
                     f"{f'{lo:.4g}-{hi:.4g}':17s} {r['status']}  [{cites.index(r['citation']) + 1}]")
        lines += [f"{'':40s} warning: {w}" for w in r["warnings"]]
    lines.append("limits at 90% CL, flat over each range (no limit-vs-mass curve available; docs/constraints.md)")
    lines += [f"[{i + 1}] {c}" for i, c in enumerate(cites)]
    _emit(rows, as_json, "\n".join(lines))


cache_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None,
    help="The on-disk sample cache ($DARKBEAM_CACHE or ~/.cache/darkbeam): `darkbeam cache info` (where, how "
         "big), `darkbeam cache clear` (remove every cached sample; asks nothing).",
)
app.add_typer(cache_app, name="cache")
CacheDirOpt = Annotated[Path | None, typer.Option("--cache", help="Cache directory (default: $DARKBEAM_CACHE or "
                                                                  "~/.cache/darkbeam).")]


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


@cache_app.command("info")
def cache_info_cmd(cache: CacheDirOpt = None, as_json: JsonOpt = False) -> None:
    """Where the sample cache is, how many samples it holds and their size."""
    from ..io.cache import cache_info

    info = cache_info(cache)
    text = "\n".join([
        f"sample cache: {info['samples_directory']} ({info['source']})",
        f"  {info['samples']} samples, {_mb(info['bytes'])}"
        + ("" if info["exists"] else " (the directory does not exist yet)")
        + (f"; {info['temporaries']} partial files of interrupted or running writes ({_mb(info['temporary_bytes'])})"
           if info["temporaries"] else ""),
        "  written by `darkbeam scan` (and Predictor(cfg, cache=...)); `darkbeam cache clear` empties it",
    ])
    _emit(info, as_json, text)


@cache_app.command("clear")
def cache_clear_cmd(cache: CacheDirOpt = None, as_json: JsonOpt = False) -> None:
    """Remove every cached sample (and partial files of writers that no longer run); prints what it
    removed. Asks nothing."""
    from ..io.cache import clear_cache

    res = clear_cache(cache)
    lines = [f"removed {res['samples_removed']} samples"
             + (f" and {res['temporaries_removed']} partial files" if res["temporaries_removed"] else "")
             + f" ({_mb(res['bytes_freed'])}) from {res['directory']}"]
    lines += [f"  {name}" for name in res["removed"]]
    _emit(res, as_json, "\n".join(lines))
