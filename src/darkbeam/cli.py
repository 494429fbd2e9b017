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
    survival probability applied), per cm² per POT per GeV, with its integral (per cm² per POT)."""
    from .api import flux as compute_flux
    from .production.sm_decays import NU_SPECIES

    # options that do not apply are errors, checked before any simulation
    _check_seed(seed, "--seed")
    if n_mesons < 1:
        raise InputError("--n-mesons", n_mesons, "a positive integer")
    if species in NU_SPECIES and (model is not None or settings):
        opt = "--model" if model is not None else "--set"
        raise InputError(opt, model if model is not None else " ".join(settings or []),
                         f"only with a dark-boson species (--species <boson of --model>): the {species} flux "
                         "has no model parameters; drop --model/--set")
    if compare:
        _check_compare(experiment, mode, species, NU_SPECIES)
    _check_output_file(plot, "--plot")
    if species not in NU_SPECIES and model is None:
        raise InputError("species", species, list(NU_SPECIES) + ["<boson of --model>"])
    m = None
    if model is not None:
        from .models import get_model

        m = get_model(model, parse_settings(settings))
        if species != m.boson:
            raise InputError(f"species of model {model}", species, list(NU_SPECIES) + [str(m.boson)])
    with _CommandStatus("flux") as status:
        status.stage(f"{species} flux at {experiment} ({n_mesons} mesons per parent species)", 0, 1)
        out = compute_flux(species, experiment, mode, m, focusing=focusing, n_mesons=n_mesons, seed=seed,
                           compare=compare, progress=status.progress)
    if plot is not None:
        out["plot"] = str(plot)
    _emit(out, as_json, _flux_text(out))  # results first: a plotting failure never loses them
    if plot is not None:
        from .plotting import plot_flux

        # the official flux is overlaid only where it is the reference (MiniBooNE, neutrino species)
        edges = np.asarray(out["edges_GeV"])
        with _plot_failure(plot):
            plot_flux(plot, edges, np.asarray(out["flux"]), np.asarray(out["error"]), species, experiment, mode,
                      official=_official_or_none(mode, species, experiment, edges),
                      note=None if species in NU_SPECIES else "before decays in flight")


def _flux_text(out: dict) -> str:
    """Text of ``darkbeam flux``: a header stating the unit, the integrated flux and what "ratio" means,
    then one row per energy bin (flux and its MC error, and the ratio to the official flux with --compare)."""
    species, boson = out["species"], "note" in out
    sim = out.get("simulation", {})
    integ = out["integrated"]
    lo, hi = integ["range_GeV"]
    rows = [f"# {species} flux at {out['experiment']}, {out['mode']} mode, {out['units']}"
            + (f" ({out['note']})" if boson else "")
            + (f"; {sim['n_mesons']} mesons per parent species, seed {sim['seed']}" if sim else ""),
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
from .api import BOSON_FLUX_NOTE, REFERENCE_FLUX_EXPERIMENTS  # noqa: F401
from .api import check_compare as _check_compare
from .api import compare_official as _compare_official  # noqa: F401
from .api import official_or_none as _official_or_none


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


def _best_fit_text(out: dict) -> list[str]:
    """Header of a prediction at darkbeam's best fit (``run --fit``, the default run): the fitted
    coupling with its 68% interval, the chi^2, and the comparison with the seed's (or the config's)
    coupling product."""
    f = out["best_fit"]
    b = f["best_fit"]
    name = f.get("parameter") or next(iter(b))
    unit = f" {b['unit']}" if b.get("unit") else ""
    if f["status"] == "no sensitivity":
        lines = [f"no sensitivity to {name}: {f['reason']}; the prediction below is at the config's couplings"]
    else:
        iv = b.get("interval_68")
        if iv is None:
            ivtext = ""
        elif iv[0] is None and iv[1] is None:
            ivtext = " (chi2 stays within 1 of its minimum over the whole range: not constrained)"
        else:
            ivtext = (" (68% interval " + " to ".join("the range's end" if x is None else f"{x:.3g}" for x in iv)
                      + ")")
        masses = "".join(f", {k} = {b[k]:g} MeV" for k in (f.get("masses") or {}))
        lines = [f"darkbeam's best fit: {name} = {b[name]:.4g}{unit}{ivtext}{masses}, chi2 = {f['chi2']:.2f} for "
                 f"ndof = {f['ndof']} (background only: {f['chi2_background_only']:.2f})"
                 + (f" [{f['status']}]" if f["status"] != "fit" else "")]
    sc = out.get("seed_comparison")
    if sc:
        u = f" {sc['unit']}" if sc["unit"] else ""
        lines += [("compared with seed 000 (arXiv:2110.11944, Table I scalar benchmark; `darkbeam run --no-fit` "
                   "predicts at the seed's couplings):"),
                  (f"  {sc['name']}: seed {sc['seed_product']:.3g}{u}, darkbeam's best fit "
                   f"{sc['darkbeam_product']:.3g}{u}, ratio darkbeam/seed = {sc['ratio']:.3g}")]
        if sc.get("excess_eqe_200_1250"):
            lines.append(f"  {sc['mode']} mode, 200 < E_QE < 1250 MeV: data excess over background "
                         f"{sc['excess_eqe_200_1250']:.4g} events; darkbeam predicts "
                         f"{sc['signal_events_eqe_200_1250_at_best_fit']:.4g} at its best fit and "
                         f"{sc['signal_events_eqe_200_1250_at_seed_product']:.4g} "
                         f"({sc['excess_ratio_at_seed_product']:.0f}x the excess) at the seed's product")
        lines.append(f"  why darkbeam's rate at the seed's couplings is ~170x the seed's: {sc['doc']}")
    cc = out.get("config_comparison")
    if cc:
        u = f" {cc['unit']}" if cc["unit"] else ""
        lines.append(f"  {cc['name']}: config {cc['config_product']:.4g}{u}, best fit {cc['darkbeam_product']:.4g}{u} "
                     f"(ratio best fit/config = {cc['ratio']:.3g})")
    lines.append("prediction at the best fit:" if f["status"] != "no sensitivity" else "prediction:")
    return lines


def _run_text(out: dict) -> str:
    head = _best_fit_text(out) if out.get("best_fit") else []
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
    return "\n".join(head + lines)


EventsOpt = Annotated[Path | None, typer.Option("--events", help="Also write the signal events of the run's "
                                                                  "neutrino mode (else its first mode) to this "
                                                                  "file: .parquet, .hepmc3 or .hepmc.")]


OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing events file (without it, "
                                                                  "an existing file is an error, reported before "
                                                                  "the simulation).")]


def _check_events_path(path: Path | None, option: str = "--events", overwrite: bool = False) -> None:
    """Fail on a bad suffix, an existing file (without ``overwrite``) or an unwritable path before any
    simulation runs."""
    if path is not None:
        from .io.events import EVENT_WRITERS

        if path.suffix.lower() not in EVENT_WRITERS:
            raise InputError("events file suffix", path.suffix or str(path), EVENT_WRITERS.names())
        _check_output_file(path, option)
        if not overwrite and (path.exists() or path.is_symlink()):
            raise InputError(option, str(path), "a file that does not exist yet (pass --overwrite to replace it)")


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


def _write_run_events(pred, path: Path, mode: str | None = None, model=None, overwrite: bool = True,
                      unweight: bool = False, config: Path | None = None) -> dict:
    """Write the (cached) signal sample of ``mode`` at ``model`` (default: the run's) for the config's POT
    (docs/events.md: full records, NuHepMC, zero-weight events left out, optional unweighting); a summary.
    Interaction points and unweighting draw from ``[simulation].seed``. The caller checks the path before
    the simulation (:func:`_check_events_path`); ``overwrite=False`` also refuses a file that appeared since."""
    from .io.events import event_record, write_record

    cfg = pred.config
    modes = cfg.experiment.modes
    mode = mode if mode is not None else ("neutrino" if "neutrino" in modes else modes[0])
    if mode not in modes:
        raise InputError("--mode", mode, modes)
    model = pred.model if model is None else model
    sample = pred.view(mode, model).sample
    pot = cfg.pot(mode)
    sim = cfg.simulation
    prov = {"config": str(config) if config is not None else "embedded default", "seed": sim.seed,
            "n_mesons": sim.n_mesons, "n_events": sim.n_events, "experiment": cfg.experiment.name, "mode": mode}
    rec = event_record(sample, model, pot, np.random.default_rng(sim.seed), unweight=unweight, provenance=prov)
    write_record(rec, path, overwrite=overwrite)
    meta = rec.metadata
    info = {"path": str(path), "format": path.suffix.lower().lstrip("."), "mode": mode, "pot": pot,
            "n_events": len(rec), "n_sample": meta["n_sample"], "n_zero_weight_dropped": meta["n_zero_weight"],
            "expected_events": float(np.sum(rec.weights["expected_events"])),
            "flux_averaged_total_cross_section": meta["flux_averaged_total_cross_section"],
            "seed": sim.seed, "n_mesons": sim.n_mesons, "n_events_per_target": sim.n_events}
    if meta["unweighting"] is not None:
        info["unweighting_efficiency"] = meta["unweighting"]["efficiency"]
    return info


def _events_text(info: dict) -> str:
    text = (f"{info['n_events']} {info['mode']}-mode events ({info['expected_events']:.4g} expected for "
            f"{info['pot']:.3g} POT) written to {info['path']}; {info['n_zero_weight_dropped']} of "
            f"{info['n_sample']} sampled events had weight 0 (rejected by the detector response) and were left out")
    if "unweighting_efficiency" in info:
        text += f"; unweighted (accept-reject efficiency {info['unweighting_efficiency']:.3g})"
    return text


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
    overwrite: OverwriteOpt = False,
    fit: Annotated[bool | None, typer.Option(
        "--fit/--no-fit", "--best-fit",
        help="--fit (or --best-fit): fit [fit].parameter first and give the prediction, spectra, chi^2, "
             "off-target run, events and plots at darkbeam's best fit. --no-fit: at the config's couplings. "
             "Default: --fit without CONFIG (darkbeam's best fit of the embedded seed-000 benchmark, compared "
             "with the seed's couplings), --no-fit with a CONFIG.")] = None,
) -> None:
    """Predict the signal of a config, its spectra against data, the chi^2 and the off-target run.

    Without CONFIG: darkbeam's best fit of the embedded default (seed 000's scalar benchmark at MiniBooNE),
    with the seed's coupling product, darkbeam's and their ratio (docs/validation.md explains the
    difference); `darkbeam run --no-fit` predicts at the seed's couplings instead.
    """
    from .api import run_prediction

    # output paths are checked before the simulation; results (text/JSON, -o) are written before the
    # plots, so that a plotting failure never loses them (it is then a one-line error, exit code 2)
    _check_events_path(events, overwrite=overwrite)
    _check_output_file(output, "--output")
    _check_output_dir(plot, "--plot")
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    do_fit = (config is None) if fit is None else fit
    with _CommandStatus("run") as status:
        pred, out, res = run_prediction(cfg, fit=do_fit, seed_comparison=do_fit and config is None,
                                        progress=status.progress, stage=status.stage)
        if events is not None:
            status.stage(f"writing events to {events}", 0, 1)
            out["events_file"] = _write_run_events(pred, events, model=None if res is None else res.model,
                                                   overwrite=overwrite, config=config)
            if res is not None:
                out["events_file"]["at"] = "best fit"
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
    overwrite: OverwriteOpt = False,
    unweight: Annotated[bool, typer.Option("--unweight", help="Unit-weight events: keep each event with "
                                                               "probability w/w_max (accept-reject), all kept "
                                                               "events get the same weight; the efficiency is "
                                                               "reported.")] = False,
) -> None:
    """Generate the signal sample of a config and write its events (no chi^2): Parquet or HepMC3 (NuHepMC).

    Each event holds the beam proton, the parent meson with its production and decay points, the dark
    state(s) with their interaction or decay points and times of flight, the target and recoil, and every
    final-state particle (docs/events.md). Weights: CV (events per POT) and expected_events (config POT).
    """
    from .inference.predict import Predictor

    _check_events_path(output, "--output", overwrite)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    if mode is not None and mode not in cfg.experiment.modes:
        raise InputError("--mode", mode, cfg.experiment.modes)
    info = _write_run_events(Predictor(cfg, progress=_progress()), output, mode, overwrite=overwrite,
                             unweight=unweight, config=config)
    _emit(info, as_json, _events_text(info))


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
    from .api import _fit_warnings

    out["warnings"] = _fit_warnings(res, cfg)  # background only, edge of the range or of the mass grid
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
        *[f"WARNING: {w}" for w in out["warnings"]],
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


#: environment variable: seconds between status lines of long commands when stderr is not a terminal
STATUS_INTERVAL_ENV = "DARKBEAM_STATUS_INTERVAL"


class _CommandStatus:
    """Progress of a long command (``run``, ``flux``) on stderr.

    On a terminal: tqdm progress bars, as before. Otherwise (a log file, a pipe, a batch job): one line
    every ``$DARKBEAM_STATUS_INTERVAL`` seconds (default 10; 0 turns it off) such as
    ``darkbeam run: 20 s, stage 2/4 antineutrino-mode signal sample (flux (mesons) 45%), 36% done``;
    the tqdm bars then run silently and only feed the fraction done.
    """

    def __init__(self, command: str) -> None:
        self.command = command
        self.tty = sys.stderr.isatty()
        raw = os.environ.get(STATUS_INTERVAL_ENV, "").strip()
        try:
            self.interval = float(raw) if raw else 10.0
        except ValueError:
            raise InputError(STATUS_INTERVAL_ENV, raw, "a number of seconds (0: no status lines)") from None
        self.active = not self.tty and self.interval > 0
        #: whether the pipeline should make progress bars (shown on a terminal, counted silently otherwise)
        self.progress = self.tty or self.active
        self._stage = ("starting", 0, 1)
        self._inner = 0.0  # fraction of the current stage done (from its progress bars; never goes back)
        self._t0 = 0.0
        self._stop = None
        self._thread = None
        self._tqdm = None

    def stage(self, name: str, index: int, total: int) -> None:
        """Stage ``index`` (0-based) of ``total`` starts."""
        self._stage = (name, index, max(total, 1))
        self._inner = 0.0

    def line(self) -> str:
        """The status line now."""
        import time

        name, i, n = self._stage
        inner, bar = 0.0, ""
        cls = self._tqdm
        if cls is not None:
            try:
                bars = [b for b in list(getattr(cls, "_instances", ())) if getattr(b, "total", None)]
            except RuntimeError:  # the set of bars changed meanwhile
                bars = []
            if bars:
                b = bars[-1]
                inner = min(max(b.n / b.total, 0.0), 1.0)
                bar = f" ({b.desc or 'progress'} {inner:.0%})"
        self._inner = inner = max(self._inner, inner)
        done = min((i + inner) / n, 1.0)
        return (f"darkbeam {self.command}: {time.monotonic() - self._t0:.0f} s, stage {i + 1}/{n} {name}{bar}, "
                f"{done:.0%} done")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                sys.stderr.write(self.line() + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):  # stderr closed
                return

    def __enter__(self):
        import threading
        import time

        self._t0 = time.monotonic()
        if not self.active:
            return self
        import tqdm as tqdm_module

        original = tqdm_module.tqdm
        devnull = open(os.devnull, "w")  # closed in __exit__

        class _Counted(original):  # bars of the pipeline: counted, not drawn
            def __init__(self, *args, **kwargs):
                kwargs["file"] = devnull
                super().__init__(*args, **kwargs)

        self._original, self._devnull, self._tqdm = original, devnull, _Counted
        tqdm_module.tqdm = _Counted  # the pipeline imports tqdm.tqdm when it makes a bar
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"darkbeam-{self.command}-status", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if not self.active or self._thread is None:
            return
        import tqdm as tqdm_module

        self._stop.set()
        self._thread.join(timeout=5)
        tqdm_module.tqdm = self._original
        self._devnull.close()
        self._thread = None


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
    from .io.cache import cache_info

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
    from .io.cache import clear_cache

    res = clear_cache(cache)
    lines = [f"removed {res['samples_removed']} samples"
             + (f" and {res['temporaries_removed']} partial files" if res["temporaries_removed"] else "")
             + f" ({_mb(res['bytes_freed'])}) from {res['directory']}"]
    lines += [f"  {name}" for name in res["removed"]]
    _emit(res, as_json, "\n".join(lines))


@app.command("regions")
def regions_cmd(
    table: Annotated[Path, typer.Argument(help="A Parquet scan table (darkbeam scan -o FILE.parquet).")],
    x: Annotated[str, typer.Option("--x", help="Grid axis on the x axis (e.g. m_phi).")],
    y: Annotated[str, typer.Option("--y", help="Grid axis on the y axis (e.g. g_n).")],
    y_column: Annotated[str | None, typer.Option("--y-column", help="Show y as this table column (e.g. "
                                                                    "coupling_product).")] = None,
    cl: Annotated[list[float] | None, typer.Option("--cl", help="Confidence levels (default 0.68 and 0.95).")] = None,
    experiment: Annotated[str | None, typer.Option("--experiment", help="Experiment of the chi^2 (default: the "
                                                                        "first with data).")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG of the regions.")] = None,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delta-chi^2 confidence regions (68 %, 95 %; 2 parameters of interest) of a scan in two of its axes, profiled
    over the others. See docs/regions.md."""
    from .inference.regions import DEFAULT_CLS, delta_chi2_region, plot_regions

    if not table.is_file():
        raise InputError("scan table", str(table), "an existing Parquet scan table (darkbeam scan -o FILE.parquet)")
    _check_output_file(plot, "--plot")
    _check_output_file(output, "--output")
    reg = delta_chi2_region(table, x, y, tuple(cl) if cl else DEFAULT_CLS, experiment, y_column)
    out = reg.to_dict()
    lines = [f"delta chi^2 regions in ({reg.x_label}, {reg.y_label}) at {reg.experiment}: {reg.note}",
             f"  best point: {reg.x} = {reg.best[0]:.4g}, {reg.y_label} = {reg.best[1]:.4g}"]
    for lev in out["levels"]:
        lines.append(f"  {100 * lev['cl']:.0f}%: delta chi^2 <= {lev['threshold']:.3f}, "
                     f"{100 * lev['grid_fraction']:.1f}% of the grid, {len(lev['contours'])} contour line(s)")
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_regions(plot, [reg], ["darkbeam"], title=f"{reg.experiment}: {reg.note.split(';')[0]}")


@app.command("posterior")
def posterior_cmd(
    config: ConfigArg = None,
    grid: Annotated[list[str] | None, typer.Option("--grid", help="Mass nodes NAME=VALUES (as for scan) of the "
                                                                  "masses with a prior; replaces [fit].masses.")
                    ] = None,
    sampler: Annotated[str, typer.Option("--sampler", help="dynesty (nested sampling, default) | emcee.")] = "dynesty",
    nlive: Annotated[int, typer.Option("--nlive", help="dynesty live points.")] = 200,
    dlogz: Annotated[float, typer.Option("--dlogz", help="dynesty stopping criterion.")] = 0.5,
    x: Annotated[str | None, typer.Option("--x", help="Parameter on the x axis of --plot.")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Parameter (or coupling_product) on the y axis of --plot.")
                 ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of the 68 %/95 % credible regions in (x, y).")
                    ] = None,
    samples: Annotated[Path | None, typer.Option("--samples", help="Write the equal-weight samples (.parquet or "
                                                                   ".csv).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="How the node samples are generated (as for scan).")
                       ] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: cores).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Bayesian posterior of the [priors] parameters (dynesty nested sampling; masses interpolated between mass
    nodes, couplings exact by re-weighting): medians, 68 %/95 % intervals, evidence, credible regions."""
    from .inference.posterior import run_posterior
    from .inference.regions import plot_regions

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    if plot is not None and (x is None or y is None):
        raise InputError("--plot", str(plot), "--x and --y naming the parameters of the plane")
    if samples is not None and samples.suffix.lower() not in (".parquet", ".csv"):
        raise InputError("--samples suffix", samples.suffix or str(samples), (".parquet", ".csv"))
    for p, opt in ((plot, "--plot"), (samples, "--samples"), (output, "--output")):
        _check_output_file(p, opt)
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    res = run_posterior(cfg, grid or None, sampler=sampler, nlive=nlive, dlogz=dlogz, backend=backend, workers=workers,
                        cache=False if no_cache else (cache if cache is not None else True), progress=_progress())
    if plot is not None:
        for name in (x, y):
            res.column(name)  # InputError naming the parameters before anything is written
    out = res.to_dict()
    summ = out["parameters"]
    lines = [f"posterior of {', '.join(res.parameters)} ({res.model} at {res.experiment}; {res.sampler}, "
             f"{res.n_calls} likelihood calls, {res.seconds:.1f} s)"]
    if res.logz is not None:
        lines.append(f"  log evidence {res.logz:.2f} +- {res.logz_err:.2f}")
    for name, s in summ.items():
        u = f" {s['unit']}" if s["unit"] else ""
        lines.append(f"  {name}: median {s['median']:.4g}{u}, 68% [{s['interval_68'][0]:.4g}, "
                     f"{s['interval_68'][1]:.4g}], 95% [{s['interval_95'][0]:.4g}, {s['interval_95'][1]:.4g}]")
    lines.append("  best fit: " + ", ".join(f"{k} = {v:.4g}" for k, v in out["best_fit"].items()))
    lines += [f"  note: {n}" for n in res.notes]
    if samples is not None:
        res.write(samples)
        out["samples"] = str(samples)
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_regions(plot, [res.credible_region(x, y)], ["credible"],
                         title=f"{res.model} at {res.experiment}: posterior ({res.sampler})")


@app.command("sensitivity")
def sensitivity_cmd(
    config: ConfigArg = None,
    experiment: Annotated[list[str] | None, typer.Option("--experiment", help="Experiment(s) of the catalog "
                                                                              "(default: the config's).")] = None,
    grid: Annotated[str | None, typer.Option("--grid", help="The mass axis NAME=VALUES (x axis; default "
                                                            "[fit].masses).")] = None,
    coupling: Annotated[str | None, typer.Option("--coupling", help="The coupling on the y axis (default "
                                                                    "fit.parameter).")] = None,
    bounds: Annotated[str | None, typer.Option("--bounds", help="Range of the coupling LOW,HIGH (units as the "
                                                                "parameter's).")] = None,
    background: Annotated[float, typer.Option("--background", help="Expected background events at the exposure.")
                          ] = 0.0,
    pot: Annotated[float | None, typer.Option("--pot", help="Exposure in protons on target (default: the "
                                                            "experiment's).")] = None,
    method: Annotated[str, typer.Option("--method", help="fc (Feldman-Cousins) | poisson.")] = "fc",
    cl: Annotated[float, typer.Option("--cl", help="Confidence level.")] = 0.9,
    observed: Annotated[int | None, typer.Option("--observed", help="Observed events (default: the median "
                                                                    "expected limit, a sensitivity).")] = None,
    constraints: Annotated[bool, typer.Option("--constraints/--no-constraints", help="Overlay the exotic pi/K "
                                                                                     "decay limits.")] = True,
    product: Annotated[bool, typer.Option("--product", help="Draw the coupling product on the y axis.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="PNG of the curve(s).")] = None,
    backend: Annotated[str, typer.Option("--backend", help="How the samples are generated (as for scan).")] = "local",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: cores).")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="Sample cache directory.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the sample cache.")] = False,
    output: OutputOpt = None,
    as_json: JsonOpt = False,
    n_mesons: NMesonsOpt = None,
    n_events: NEventsOpt = None,
    seed: SeedOpt = None,
) -> None:
    """Exclusion / sensitivity curve in a mass-coupling plane at any experiment of the catalog: expected signal by
    re-weighting, Poisson or Feldman-Cousins limit for a background and an exposure. See docs/sensitivity.md."""
    from .inference.sensitivity import constraint_bounds, plot_sensitivity, sensitivity_curve
    from .units import parse_quantity

    if cache is not None and no_cache:
        raise InputError("--cache", str(cache), "either --cache DIR or --no-cache, not both")
    _check_output_file(plot, "--plot")
    _check_output_file(output, "--output")
    cfg = _load_run_config(config, n_mesons, n_events, seed)
    model = cfg.build_model()
    b = None
    if bounds is not None:
        parts = [t.strip() for t in bounds.split(",")]
        name = coupling or cfg.fit.parameter
        dims = {p.name: p.dimension for p in model.params}
        if len(parts) != 2 or name not in dims:
            raise InputError("--bounds", bounds, "LOW,HIGH of the coupling given with --coupling")
        b = tuple(parse_quantity(t if dims[name] != "dimensionless" else float(t), dims[name], "--bounds")
                  for t in parts)
    curves = [sensitivity_curve(cfg, e, [grid] if grid else None, coupling, b, background, pot, method, cl, observed,
                                cache=False if no_cache else (cache if cache is not None else True), backend=backend,
                                workers=workers, progress=_progress())
              for e in (experiment or [cfg.experiment.name])]
    c0 = curves[0]
    cons = constraint_bounds(cfg, c0.mass_parameter, c0.masses, c0.coupling, c0.bounds) if constraints else {}
    out = {"curves": [c.to_dict() for c in curves],
           "constraints": {k: {"lower": [None if not np.isfinite(v) else float(v) for v in d["lower"]],
                               "citation": d["citation"], "cl": d["cl"]} for k, d in cons.items()}}
    lines = []
    for c in curves:
        lines.append(f"{c.label()}: s_up = {c.s_up:.3g} events, POT {', '.join(f'{m} {p:.3g}' for m, p in c.pot.items())}")
        for m, lo, hi, s in zip(c.masses, c.lower, c.upper, c.signal_ref):
            rng = ("not reached within the bounds" if not np.isfinite(lo) else
                   f"{c.coupling} > {lo:.3g}" + (f" and < {hi:.3g}" if np.isfinite(hi) else ""))
            lines.append(f"  {c.mass_parameter} = {m:.4g} MeV: {rng}   (signal at the config's couplings {s:.3g})")
        lines += [f"  note: {n}" for n in c.notes]
    for k, d in cons.items():
        lines.append(f"exotic-decay limit {k}: excludes {c0.coupling} above "
                     + ", ".join("-" if not np.isfinite(v) else f"{v:.2g}" for v in d["lower"]))
    if output is not None:
        _write_json(output, out)
    _emit(out, as_json, "\n".join(lines))
    if plot is not None:
        with _plot_failure(plot):
            plot_sensitivity(plot, curves, cons, y_as_product=product, title=f"{c0.model}")


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
