"""The darkbeam command line: the Typer app, shared options, input checks and progress reporting."""

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

from ..errors import DarkbeamError, InputError
from ..plotting import SPECTRA_SUMMARY_PNG

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
    from ..models.plugins import load_plugins

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


@contextlib.contextmanager
def _plot_failure(where: Path):
    """Turn a plotting failure (after the results were printed) into a one-line error (exit code 2)."""
    try:
        yield
    except DarkbeamError:
        raise
    except Exception as exc:
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
    from ..io.config import load_config

    _check_seed(seed)
    for opt, n in (("--n-mesons", n_mesons), ("--n-events", n_events)):
        if n is not None and n <= 0:
            raise InputError(opt, n, "a positive integer")
    cfg = load_config(config)
    return cfg.with_simulation(n_mesons=n_mesons, n_events=n_events, seed=seed)


def _write_json(path: Path, obj: dict) -> None:
    from ..io.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(obj, indent=1, default=_json_default) + "\n")


EventsOpt = Annotated[Path | None, typer.Option("--events", help="Also write the signal events of the run's "
                                                                  "neutrino mode (else its first mode) to this "
                                                                  "file: .parquet, .hepmc3 or .hepmc.")]


OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace existing output files (-o, --events, "
                                                                  "--plot); without it an existing file is an "
                                                                  "error, reported before the simulation.")]


def _check_events_path(path: Path | None, option: str = "--events", overwrite: bool = False) -> None:
    """Fail on a bad suffix, an existing file (without ``overwrite``) or an unwritable path before any
    simulation runs."""
    if path is not None:
        from ..io.events import EVENT_WRITERS

        if path.suffix.lower() not in EVENT_WRITERS:
            raise InputError("events file suffix", path.suffix or str(path), EVENT_WRITERS.names())
        _check_output_file(path, option, overwrite)


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


def _check_output_file(path: Path | None, option: str, overwrite: bool = False) -> None:
    """An output *file* (``-o``, ``--events``, a plot PNG): checked before any simulation runs. An existing
    file is an error unless ``overwrite`` (the command's ``--overwrite``): outputs never replace a file silently."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(option, str(path), "a file path (this is an existing folder)")
    if not overwrite and (path.exists() or path.is_symlink()):
        raise InputError(option, str(path), "a file that does not exist yet (pass --overwrite to replace it)")
    _writable_ancestor(path.parent, option, path)


def _check_output_dir(path: Path | None, option: str, overwrite: bool = False) -> None:
    """An output *folder* (``run --plot DIR``): checked before any simulation runs. A folder holding an earlier
    run's plots (:data:`darkbeam.plotting.SPECTRA_SUMMARY_PNG`, which every such run writes) is an error unless
    ``overwrite``."""
    if path is None:
        return
    if path.exists() and not path.is_dir():
        raise InputError(option, str(path), "a folder for the plots (this is an existing file)")
    if not overwrite and (path / SPECTRA_SUMMARY_PNG).exists():
        raise InputError(option, str(path), f"a folder without earlier plots (it holds {SPECTRA_SUMMARY_PNG}; pass "
                                            "--overwrite to replace them, or choose another folder)")
    _writable_ancestor(path, option, path)


def _check_plot_files(paths: list[Path], option: str, overwrite: bool) -> None:
    """The exact plot files about to be written (known once results exist): none may exist unless
    ``overwrite``."""
    for p in paths:
        if not overwrite and (p.exists() or p.is_symlink()):
            raise InputError(option, str(p), "a file that does not exist yet (pass --overwrite to replace it)")


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
