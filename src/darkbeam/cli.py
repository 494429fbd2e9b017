"""The ``darkbeam`` command line.

Every subcommand has ``--help``. Bad input (unknown model, experiment, species or parameter,
missing units, ...) prints a one-line error naming the field, the value and what is allowed,
and exits with code 2; output paths are checked before any simulation, results are printed (and
``-o`` written) before plots, so a plotting failure is an error line after complete results (exit
code 2). Ctrl-C prints "darkbeam: interrupted" and exits with 130.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from .errors import DarkbeamError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="darkbeam: dark-sector physics at accelerator neutrino beams, confronted with data.",
    # plain help text: rich markup would eat "[simulation]" in "Override [simulation].n_mesons."
    rich_markup_mode=None,
)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Model parameter NAME=VALUE with explicit units, e.g. --set m_phi='1 MeV'."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.callback()
def _load_plugins_first() -> None:
    """Load user models (DARKBEAM_PLUGINS files or modules, darkbeam.models entry points) before any command."""
    from .models.plugins import load_plugins

    load_plugins()


def parse_settings(items: list[str] | None) -> dict[str, str]:
    """Parse repeated ``--set NAME=VALUE`` options into a dict."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError("--set", item, "NAME=VALUE, e.g. m_phi='1 MeV'")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _emit(obj: dict, as_json: bool, text: str | None = None) -> None:
    if as_json:
        typer.echo(json.dumps(obj, indent=1, default=_json_default))
    else:
        typer.echo(text if text is not None else json.dumps(obj, indent=1, default=_json_default))


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    raise TypeError(type(o))


def _beam_status(beam) -> tuple[bool, str]:
    """(runnable, reason) of a beam: is there a meson-production model for its target and energy?"""
    from .beams.target import target_material

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
    from .beams.focusing import FOCUSING
    from .detectors.catalog import BEAMS, EXPERIMENTS
    from .models import MODELS

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
            beam = BEAMS.get(EXPERIMENTS.get(n).beam) if what == "experiments" else BEAMS.get(n)
            ok, why = _beam_status(beam)
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
            prod = ", ".join(ch["kind"].split()[0] + " " + "/".join(ch["parents"]) for ch in r["production"]) or "none"
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
    from .models import get_model
    from .models.base import perturbativity_warnings

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
    from .constants import HBARC
    from .models import get_model

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
                                             "microboone,sbnd,icarus,ccm,coherent-csi,jsns2,dune-nd.")] = "",
    as_json: JsonOpt = False,
    n_mesons: Annotated[int | None, typer.Option("--n-mesons", help="Override [simulation].n_mesons.")] = None,
    n_events: Annotated[int | None, typer.Option("--n-events", help="Override [simulation].n_events.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Override [simulation].seed.")] = None,
) -> None:
    """Expected signal events of one model point at several experiments (each in its own default modes
    and catalogue exposure), with the reason for every zero and the chi2 where data are packaged."""
    from .inference.multi_experiment import experiments_text, predict_experiments
    from .io.config import load_config

    names = [e.strip() for e in experiments.split(",") if e.strip()]
    cfg = load_config(config).with_simulation(n_mesons=n_mesons, n_events=n_events, seed=seed)
    res = predict_experiments(cfg, names, progress=sys.stderr.isatty())
    _emit(res, as_json, experiments_text(res))


@app.command("mesons")
def mesons_cmd(
    beam: Annotated[str, typer.Option(help="Beam line (see `darkbeam list beams`).")] = "bnb",
    as_json: JsonOpt = False,
) -> None:
    """Mesons produced per proton on target for each species (numerical integration)."""
    from .beams.production import production_table
    from .detectors.catalog import BEAMS

    table = production_table(BEAMS.get(beam))
    text = "\n".join(f"{k:6s} {v:.4g} per POT" for k, v in table.items())
    _emit({"beam": beam, "mesons_per_pot": table}, as_json, text)


@app.command("flux")
def flux_cmd(
    experiment: Annotated[str, typer.Option(help="Experiment (see `darkbeam list experiments`).")] = "miniboone",
    species: Annotated[str, typer.Option(help="nu_mu, nu_mu_bar, nu_e, nu_e_bar, or the model's boson "
                                                          "(its flux before decays in flight).")] = "nu_mu",
    mode: Annotated[str, typer.Option(help="neutrino | antineutrino | off-target")] = "neutrino",
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
) -> None:
    """Flux of neutrinos at a detector, or of a dark boson arriving at it before decays in flight (no
    survival probability applied), per cm² per POT per GeV."""
    from .production.sm_decays import NU_SPECIES

    # options that do not apply are errors, checked before any simulation
    _check_seed(seed, "--seed")
    if species in NU_SPECIES and (model is not None or settings):
        opt = "--model" if model is not None else "--set"
        raise InputError(opt, model if model is not None else " ".join(settings or []),
                         f"only with a dark-boson species (--species <boson of --model>): the {species} flux "
                         "has no model parameters; drop --model/--set")
    if compare:
        _check_compare(experiment, mode, species, NU_SPECIES)
    _check_output_file(plot, "--plot")
    if species in NU_SPECIES:
        from .pipeline.neutrino_flux import neutrino_flux

        res = neutrino_flux(experiment, mode, focusing, n_mesons=n_mesons, seed=seed, progress=sys.stderr.isatty())
        edges, flux, err = res.edges_GeV, res.flux[species], res.error[species]
    else:
        if model is None:
            raise InputError("species", species, list(NU_SPECIES) + ["<boson of --model>"])
        from .models import get_model
        from .pipeline.boson_flux import boson_flux

        m = get_model(model, parse_settings(settings))
        if species != m.boson:
            raise InputError(f"species of model {model}", species, list(NU_SPECIES) + [str(m.boson)])
        bres = boson_flux(m, experiment, mode, focusing, n_mesons=n_mesons, seed=seed, progress=sys.stderr.isatty())
        edges, flux, err = bres.edges_GeV, bres.flux, bres.error
    out = {"experiment": experiment, "mode": mode, "species": species, "units": "per cm^2 per POT per GeV",
           "edges_GeV": edges, "flux": flux, "error": err}
    if species not in NU_SPECIES:
        out["note"] = BOSON_FLUX_NOTE
        # the flux scales with the production coupling squared: give it per unit coupling² when the
        # model has a single production coupling (g_mu, g_e or e*epsilon), so users can rescale
        out["coupling2"] = bres.coupling2
        out["flux_per_coupling2"] = bres.flux_per_coupling2
        out["by_parent"] = bres.by_parent
    ratio = None
    if compare:
        ratio = _compare_official(edges, flux, mode, species)
        out["official_ratio"] = ratio
    if plot is not None:
        out["plot"] = str(plot)
    rows = [f"# {species} flux at {experiment}, {mode} mode, per cm^2 per POT per GeV"
            + (f" ({BOSON_FLUX_NOTE})" if species not in NU_SPECIES else "")]
    for i, (lo, hi, f) in enumerate(zip(edges[:-1], edges[1:], flux)):
        row = f"{lo:6.3f}-{hi:6.3f} GeV  {f:.4e}"
        if ratio is not None:
            row += "  ratio " + ("  n/a" if ratio[i] is None else f"{ratio[i]:.3f}")
        rows.append(row)
    text = "\n".join(rows)
    _emit(out, as_json, text)  # results first: a plotting failure never loses them
    if plot is not None:
        from .plotting import plot_flux

        # the official flux is overlaid only where it is the reference (MiniBooNE, neutrino species)
        with _plot_failure(plot):
            plot_flux(plot, edges, flux, err, species, experiment, mode,
                      official=_official_or_none(mode, species, experiment, edges),
                      note=None if species in NU_SPECIES else "before decays in flight")


#: what the flux of a dark boson is (``darkbeam flux --species <boson>``)
BOSON_FLUX_NOTE = ("flux arriving at the detector before decays in flight: no survival probability applied; "
                   "the signal stage applies it with the model's width")
#: experiments with a reference (official) flux to compare with: the MiniBooNE flux release
#: (PRD 79, 072002) is the flux at MiniBooNE (541 m), no other detector's
REFERENCE_FLUX_EXPERIMENTS = ("miniboone",)


def _check_compare(experiment: str, mode: str, species: str, nu_species) -> None:
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


@contextlib.contextmanager
def _plot_failure(where: Path):
    """Turn a plotting failure (after the results were printed) into a one-line error (exit code 2)."""
    try:
        yield
    except DarkbeamError:
        raise
    except Exception as exc:  # noqa: BLE001  (results are out; report, do not lose them to a traceback)
        raise DarkbeamError(f"plotting failed ({type(exc).__name__}: {exc}); the results above are complete, "
                            f"no plot written to {where}") from exc


def _official_or_none(mode: str, species: str, experiment: str, edges: np.ndarray):
    from .data import official_bnb_flux

    if experiment != "miniboone" or mode not in ("neutrino", "antineutrino"):
        return None
    off = official_bnb_flux(mode)
    if len(off["edges_GeV"]) != len(edges) or not np.allclose(off["edges_GeV"], edges):
        return None
    return off.get(species)  # None for dark bosons: no official flux


def _compare_official(edges, flux, mode, species):
    # callers check first (_check_compare) that the experiment is MiniBooNE, whose official flux this is
    off = _official_or_none(mode, species, "miniboone", edges)
    if off is None:
        raise InputError("--compare", mode, "neutrino or antineutrino mode at miniboone with default binning")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(off > 0, flux / off, np.nan)
    return [None if not np.isfinite(x) else float(x) for x in r]


ConfigArg = Annotated[
    Path | None,
    typer.Argument(help="TOML run config (see examples/ and docs/usage.md); none: the embedded default "
                        "(seed 000 scalar benchmark)."),
]
NMesonsOpt = Annotated[int | None, typer.Option("--n-mesons", help="Override [simulation].n_mesons.")]
NEventsOpt = Annotated[int | None, typer.Option("--n-events", help="Override [simulation].n_events.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Override [simulation].seed.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Also write the JSON to this file "
                                                                         "(atomically).")]


def _progress() -> bool:
    return sys.stderr.isatty()


def _load_run_config(config: Path | None, n_mesons: int | None, n_events: int | None, seed: int | None):
    from .io.config import load_config

    _check_seed(seed)
    for opt, n in (("--n-mesons", n_mesons), ("--n-events", n_events)):
        if n is not None and n <= 0:
            raise InputError(opt, n, "a positive integer")
    cfg = load_config(config)
    return cfg.with_simulation(n_mesons=n_mesons, n_events=n_events, seed=seed)


def _write_json(path: Path, obj: dict) -> None:
    from .io.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(obj, indent=1, default=_json_default) + "\n")


def _run_text(out: dict) -> str:
    if out.get("analysis") == "signal-only":  # experiment without packaged data (inference.predict)
        from .inference.predict import signal_only_text

        lines = [signal_only_text(out)]
    else:
        cp = out.get("coupling_product")
        lines = [f"model {out['model']['name']} at {out['experiment']}"]
        if cp:
            lines.append(f"  {cp['name']} = {cp['value']:.4g} {cp['unit']}")
        for mode, r in out["modes"].items():
            lines.append(f"  {mode:13s} POT {r['pot']:.3g}: {r['signal_events']:.4g} signal events "
                         f"({r['signal_events_eqe_200_1250']:.4g} with 200 < E_QE < 1250 MeV)"
                         + (f"  [{r['note']}]" if r["note"] else ""))
        for part, (c2, nb) in out["chi2_parts"].items():
            lines.append(f"  chi2 {part:24s} {c2:10.2f} / {nb} bins")
        pot_chi2 = out.get("pot_for_chi2") or {}
        differ = {m: p for m, p in pot_chi2.items() if m in out["modes"] and p != out["modes"][m]["pot"]}
        lines.append(f"  chi2 = {out['chi2']:.2f}, ndof = {out['ndof']}, p = {out['pvalue']:.3g} "
                     f"(background only: {out['chi2_background_only']:.2f})"
                     + (" at the data's exposure: " + ", ".join(f"{m} {p:.4g} POT" for m, p in differ.items())
                        if differ else ""))
    o = out.get("off_target") or {}
    if "signal_events" in o:
        lines.append(f"  off-target ({o['pot']:.3g} POT): {o['signal_events']:.3g} signal events "
                     "(observed: no excess)")
    elif o.get("modelled") is False:
        lines.append(f"  off-target ({o['pot']:.3g} POT): {o['note']}")
    for n in out.get("notes", []):
        lines.append(f"  note: {n}")
    for w in out.get("warnings", []):
        lines.append(f"  WARNING: {w}")
    return "\n".join(lines)


EventsOpt = Annotated[Path | None, typer.Option("--events", help="Also write the signal events of the run's "
                                                                  "neutrino mode (else its first mode) to this "
                                                                  "file: .parquet, .hepmc3 or .hepmc.")]


def _check_events_path(path: Path | None, option: str = "--events") -> None:
    """Fail on a bad suffix or an unwritable path before any simulation runs."""
    if path is not None:
        from .io.events import EVENT_WRITERS

        if path.suffix.lower() not in EVENT_WRITERS:
            raise InputError("events file suffix", path.suffix or str(path), EVENT_WRITERS.names())
        _check_output_file(path, option)


def _check_seed(seed: int | None, option: str = "--seed") -> None:
    if seed is not None and not 0 <= seed < 2**63:
        raise InputError(option, seed, "a non-negative integer (numpy seeds are >= 0)")


def _writable_ancestor(path: Path, option: str, original: Path) -> None:
    """The nearest existing folder at or above ``path`` must be a folder we can create files in
    (atomic writes create the missing folders, then a temporary file there)."""
    anc = path
    while not anc.exists() and anc != anc.parent:
        anc = anc.parent
    if not anc.is_dir():
        raise InputError(option, str(original), f"a path inside a folder ({anc} is a file, not a folder)")
    try:  # os.access is not enough (root, read-only file systems): create and remove a probe file
        fd, probe = tempfile.mkstemp(prefix=".darkbeam-probe-", dir=anc)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(option, str(original), f"a writable location ({anc}: {exc.strerror})") from None


def _check_output_file(path: Path | None, option: str) -> None:
    """An output *file* (``-o``, ``--events``, a plot PNG): checked before any simulation runs."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(option, str(path), "a file path (this is an existing folder)")
    _writable_ancestor(path.parent, option, path)


def _check_output_dir(path: Path | None, option: str) -> None:
    """An output *folder* (``run --plot DIR``): checked before any simulation runs."""
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise InputError(option, str(path), "a folder for the plots (this is an existing file)")
    _writable_ancestor(path, option, path)


def _write_run_events(pred, path: Path, mode: str | None = None) -> dict:
    """Write the (cached) signal sample of ``mode`` at the run's model and POT; a summary dict."""
    from .io.events import write_events

    cfg = pred.config
    modes = cfg.experiment.modes
    mode = mode if mode is not None else ("neutrino" if "neutrino" in modes else modes[0])
    if mode not in modes:
        raise InputError("--mode", mode, modes)
    sample = pred.view(mode).sample
    pot = cfg.pot(mode)
    write_events(sample, path, model=pred.model, pot=pot, rng=np.random.default_rng(cfg.simulation.seed))
    return {"path": str(path), "format": path.suffix.lower().lstrip("."), "mode": mode, "pot": pot,
            "n_events": len(sample.E_vis), "expected_events": float(sample.total(pred.model, pot))}


@app.command("run")
def run_cmd(
    config: ConfigArg = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write seed-000 Fig.-2 style panels (PNG) "
                                                                "into this directory.")] = None,
    output: OutputOpt = None,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
    events: EventsOpt = None,
) -> None:
    """Predict the signal of a config, its spectra against data, the chi^2 and the off-target run."""
    from .inference.predict import Predictor

    # output paths are checked before the simulation; results (text/JSON, -o) are written before the
    # plots, so that a plotting failure never loses them (it is then a one-line error, exit code 2)
    _check_events_path(events)
    _check_output_file(output, "--output")
    _check_output_dir(plot, "--plot")
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    pred = Predictor(cfg, progress=_progress())
    out = pred.predict()
    if events is not None:
        out["events_file"] = _write_run_events(pred, events)
    if plot is not None:
        from .plotting import spectra_panel_paths

        out["plots"] = [str(p) for p in spectra_panel_paths(plot, out)]  # written after the results
    if output is not None:
        _write_json(output, out)
    text = _run_text(out)
    if "events_file" in out:
        e = out["events_file"]
        text += f"\n  events: {e['n_events']} {e['mode']}-mode events written to {e['path']}"
    _emit(out, as_json, text)
    if plot is not None:
        from .plotting import plot_spectra_panels

        with _plot_failure(plot):
            plot_spectra_panels(plot, out)


@app.command("events")
def events_cmd(
    config: ConfigArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Events file: .parquet, .hepmc3 or .hepmc "
                                                                  "(format by suffix).")] = Path("events.parquet"),
    mode: Annotated[str | None, typer.Option("--mode", help="Beam mode of the config (default: neutrino if "
                                                             "present, else the first).")] = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Generate the signal sample of a config and write its events (no chi^2): Parquet or HepMC3."""
    from .inference.predict import Predictor

    _check_events_path(output, "--output")
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    if mode is not None and mode not in cfg.experiment.modes:
        raise InputError("--mode", mode, cfg.experiment.modes)
    info = _write_run_events(Predictor(cfg, progress=_progress()), output, mode)
    _emit(info, as_json, f"{info['n_events']} {info['mode']}-mode events ({info['expected_events']:.4g} expected "
                         f"for {info['pot']:.3g} POT) written to {info['path']}")


@app.command("fit")
def fit_cmd(
    config: ConfigArg = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write Fig.-2 style panels at the best fit "
                                                                "into this directory.")] = None,
    output: OutputOpt = None,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Fit the coupling named by fit.parameter in the config (exact re-weighting), over fit.masses if given."""
    from .inference.predict import Predictor

    _check_output_file(output, "--output")
    _check_output_dir(plot, "--plot")
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    pred = Predictor(cfg, progress=_progress())
    res = pred.fit()
    out = res.to_dict()
    if cfg.experiment.off_target:
        out["off_target"] = pred.off_target(res.model)
    best_prediction = None
    if plot is not None:
        from .plotting import spectra_panel_paths

        best_prediction = pred.predict(res.model, off_target=False)
        # written after the results
        out["plots"] = [str(p) for p in spectra_panel_paths(plot, best_prediction)]
    if output is not None:
        _write_json(output, out)
    b = out["best_fit"]
    cp = b.get("coupling_product")
    iv = b.get("interval_68")
    if res.status == "no sensitivity":
        head = f"no sensitivity to {res.parameter}: {res.reason}"
    else:
        if iv is None:
            ivtext = ""
        elif iv[0] is None and iv[1] is None:
            ivtext = " (chi2 stays within 1 of its minimum over the whole range: the data do not constrain it)"
        else:
            ivtext = (" (68% interval " + " to ".join("the range's end" if x is None else f"{x:.3g}" for x in iv)
                      + ")")
        head = (f"best fit {res.parameter} = {res.value:.4g}" + (f" {b['unit']}" if b["unit"] else "") + ivtext
                + "".join(f", {k} = {v:g} MeV" for k, v in res.masses.items())
                + (f" [{res.status}: {res.reason}]" if res.status != "fit" else ""))
    text = "\n".join([
        head,
        *([f"  {cp['name']} = {cp['value']:.4g} {cp['unit']}"] if cp else []),
        *[f"  {m}: {n:.4g} signal events" for m, n in res.signal_events.items()],
        (f"  chi2 = {res.chi2:.2f}, ndof = {res.ndof}, chi2/dof = {out['chi2_per_dof']:.3f}, p = {res.pvalue:.3g} "
         f"(background only: {res.chi2_null:.2f})"),
        *([f"  off-target: {out['off_target']['signal_events']:.3g} events"]
          if "signal_events" in out.get("off_target", {}) else []),
        *([f"  off-target: not modelled ({out['off_target'].get('note', '')})"]
          if out.get("off_target", {}).get("modelled") is False else []),
        *[f"  note: {n}" for n in res.notes],
    ])
    _emit(out, as_json, text)
    if plot is not None:
        from .plotting import plot_spectra_panels

        with _plot_failure(plot):
            plot_spectra_panels(plot, best_prediction)


@app.command("scan")
def scan_cmd(
    config: ConfigArg = None,
    grid: Annotated[list[str] | None, typer.Option(
        "--grid", help="Axis NAME=VALUES with units: a list (m_phi='1 MeV,5 MeV,10 MeV'), N log-spaced points "
                       "(m_phi='1 MeV..100 MeV/5'), N linear points (g_n='1e-4..1e-3/10:lin'); masses, couplings "
                       "(re-weighted), settings, or experiment=miniboone,sbnd. Repeat for more axes (a product grid); "
                       "replaces [fit].masses.")] = None,
    backend: Annotated[str, typer.Option("--backend", help="local (default: all cores) | serial | dask | "
                                                           "dask-distributed")] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: the number of "
                                                                  "cores).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Run on a Dask cluster: the scheduler's "
                                                                      "address, tcp://HOST:PORT.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table: .parquet (one row per "
                                                                         "point, written incrementally and "
                                                                         "atomically, resumable), .json or .csv.")
                      ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the -o FILE.parquet of a killed scan (same "
                                                          "config and grid, checked by hashes).")] = False,
    background: Annotated[list[str] | None, typer.Option(
        "--background", help="Expected background events for the significance at experiments without data: N, "
                             "or EXPERIMENT=N (repeatable).")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG of delta chi^2 (or signal) over the "
                                                             "grid.")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory (default: "
                                                               "$DARKBEAM_CACHE or ~/.cache/darkbeam).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    status_every: Annotated[float, typer.Option("--status-every", help="Seconds between status lines when stderr "
                                                                       "is not a terminal.")] = 30.0,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Scan model parameters (masses, couplings, settings) and experiments: chi^2 (and the fit of fit.parameter)
    at experiments with data, expected signal and significance elsewhere. Samples are generated once per mass
    point and cached on disk; couplings re-weight. See docs/scans.md."""
    from .inference.scan import check_output_path, parse_background, scan

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    if workers is not None and workers < 1:
        raise InputError("--workers", workers, "a positive number of worker processes")
    if not status_every > 0:
        raise InputError("--status-every", status_every, "a positive number of seconds")
    check_output_path(output, resume)
    _check_output_file(output, "--output")
    _check_output_file(plot, "--plot")
    bkg = parse_background(background)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    # every input check (grid, priors, resume table, scheduler) happens in scan() before any simulation
    res = scan(cfg, grid or None, backend=backend, workers=workers, scheduler=scheduler,
               cache=False if no_cache else (cache if cache is not None else True), output=output, resume=resume,
               background=bkg, progress=True, status_every=status_every)
    out = res.to_dict()
    if output is not None:
        out["output"] = str(output)
    if plot is not None:
        out["plot"] = str(plot)  # written after the results (a plotting failure never loses them)
    _emit(out, as_json, _scan_text(res))
    if plot is not None:
        with _plot_failure(plot):
            res.plot(plot)


def _scan_text(res) -> str:
    """Plain-text report of a scan: the points (at most 40 lines), then the summary."""

    def fmt(v) -> str:
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    axes = " x ".join(f"{k} ({len(v)})" for k, v in res.axes.items())
    fitted = f"{res.parameter} fitted at each point; " if res.parameter else ""
    lines = [f"scan of {res.model} over {axes}: {fitted}{len(res.points)} points [{res.backend}, {res.seconds:.1f} s"
             + (f", {res.resumed_points} resumed from {res.output}" if res.resumed_points else "") + "]"]
    shown = res.points if len(res.points) <= 40 else res.points[:20] + [None] + res.points[-19:]
    for p in shown:
        if p is None:
            lines.append(f"  ... ({len(res.points) - 39} points not shown: see -o / --json)")
            continue
        desc = ", ".join(f"{k} = {fmt(v)}" for k, v in p["point"].items())
        if p.get("value") is not None:
            desc += f": {res.parameter} = {p['value']:.4g}"
        if p.get("chi2") is not None:
            desc += f", chi2 = {p['chi2']:.2f}, dchi2 = {p['delta_chi2']:.2f}"
        else:
            desc += f", signal = {p['signal_total']:.4g}"
            if p.get("significance") is not None:
                desc += f", Z = {p['significance']:.3g}"
        if p.get("status") not in ("ok", "fit"):
            desc += f" [{p['status']}]"
        lines.append("  " + desc)
    summ = res.summary()
    for exp, b in summ["best"].items():
        desc = ", ".join(f"{k} = {fmt(v)}" for k, v in b["point"].items() if k != "experiment")
        if "chi2" in b:
            line = f"best at {exp}: {desc}"
            if "fitted" in b:
                f = b["fitted"]
                lo, hi = f["interval_68"]
                line += (f", {f['parameter']} = {f['value']:.4g} (68%: {'-' if lo is None else f'{lo:.3g}'} .. "
                         f"{'-' if hi is None else f'{hi:.3g}'})")
            line += f", chi2 = {b['chi2']:.2f} / ndof {b['ndof']} (background only {b['chi2_null']:.2f})"
            lines.append(line)
            for name, (lo, hi) in b["intervals_68"].items():
                lines.append(f"  {name}: 68% (profile, dchi2 < 1) {'<' if lo is None else f'{lo:.4g}'} .. "
                             f"{'>' if hi is None else f'{hi:.4g}'}  (grid resolution)")
        else:
            z = b.get("significance")
            lines.append(f"largest signal at {exp}: {desc}: {b['signal_total']:.4g} events"
                         + (f", significance {z:.3g} over {b['background']:g} background events" if z is not None
                            else " (no --background: no significance)"))
    lines += [f"warning: {w}" for w in summ["warnings"]]
    st = res.cache_stats()
    if st is not None:
        lines.append(f"cache {res.cache_dir}: {st['hits']} samples loaded, {st['misses']} generated")
    if res.output:
        lines.append(f"table: {res.output}")
    return "\n".join(lines)


@app.command("xsec")
def xsec_cmd(
    model: Annotated[str, typer.Argument(help="Model name (see `darkbeam list models`).")],
    settings: SetOpt = None,
    target: Annotated[str, typer.Option(help="Target nucleus or nucleon, e.g. C12, Ar40, H1.")] = "C12",
    energy: Annotated[str, typer.Option(help="Incoming energy with unit, e.g. '300 MeV'.")] = "1 GeV",
    as_json: JsonOpt = False,
) -> None:
    """Detection cross-sections (cm^2) of the model's process at one incoming energy."""
    from .interactions.xsec import xsec_for_cli
    from .models import get_model
    from .units import parse_quantity

    m = get_model(model, parse_settings(settings))
    e = parse_quantity(energy, "energy", "--energy")
    out = xsec_for_cli(m, target, e)
    text = "\n".join([f"{out['process']} on {out['target']} at {out['energy_GeV']:.4g} GeV:"]
                     + [f"  {k:16s} {v:.4e} cm^2" for k, v in out["sigma_cm2"].items()]
                     + ([f"  Z' current: {out['zprime_current']} ({out['charge_convention']})"]
                        if "zprime_current" in out else
                        [f"  charge convention: {out['charge_convention']}"]
                        if "charge_convention" in out else []))
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
    from .inference.constraints import evaluate_constraints
    from .io.config import load_config
    from .models import get_model

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


def main() -> None:
    """Entry point: run the app, turning user errors into one-line messages and exit code 2."""
    try:
        # with standalone_mode=False the app *returns* an exit code instead of exiting: typer turns a
        # KeyboardInterrupt into Exit(130) and returns 130; other codes come from explicit Exit(code)
        rc = app(standalone_mode=False)
    except DarkbeamError as exc:
        typer.echo(f"darkbeam: error: {exc}", err=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("darkbeam: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # usage errors of the (vendored) click layer
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if type(exc).__name__ == "Exit":
            sys.exit(getattr(exc, "exit_code", 0))
        raise
    if rc == 130:  # Ctrl-C (SIGINT) during a command
        typer.echo("darkbeam: interrupted", err=True)
        sys.exit(130)
    if isinstance(rc, int) and not isinstance(rc, bool) and rc != 0:
        sys.exit(rc)


if __name__ == "__main__":
    main()
