"""Reading darkbeam's packaged data files: :func:`data_path` and :func:`read_csv_table`.

The loaders of ``darkbeam.data`` (the package's ``__init__`` and :mod:`darkbeam.data.miniboone_release`) import
these helpers from here, so that the package imports its modules and never the other way round.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np

#: the package whose files these are (``darkbeam.data``)
_PACKAGE = __package__ or "darkbeam.data"


def data_path(*parts: str) -> Traversable:
    """Traversable path of a packaged data file, e.g. ``data_path("miniboone", "x.csv")``."""
    return resources.files(_PACKAGE).joinpath(*parts)


def read_csv_table(*parts: str) -> np.ndarray:
    """Read a packaged CSV table (``#`` comments, one header line) as a structured array."""
    with data_path(*parts).open("r") as f:
        lines = [ln for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    return np.genfromtxt(lines, delimiter=",", names=True, dtype=None, encoding="utf-8")


__all__ = ["data_path", "read_csv_table"]
