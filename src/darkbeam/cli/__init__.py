"""The ``darkbeam`` command line.

Every subcommand has ``--help``. Bad input (unknown model, experiment, species or parameter,
missing units, ...) prints a one-line error naming the field, the value and what is allowed,
and exits with code 2; output paths are checked before any simulation, results are printed (and
``-o`` written) before plots, so a plotting failure is an error line after complete results (exit
code 2). Ctrl-C prints "darkbeam: interrupted" and exits with 130.
"""

from __future__ import annotations

import sys

import typer

from ..errors import DarkbeamError
from . import catalog, runs, scans  # noqa: F401  (the commands register on the app)
from .app import app, parse_settings
from .runs import _run_text

__all__ = ["_run_text", "app", "main", "parse_settings"]


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
