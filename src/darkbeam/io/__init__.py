"""Input/output: configs, atomic file writing, Parquet and HepMC3 event files."""

from typing import Any

#: names re-exported lazily (importing darkbeam.io stays cheap: configs do not load the event writers)
_LAZY = {"read_events": "events", "write_events": "events", "event_record": "events", "check_nuhepmc": "nuhepmc"}


def __getattr__(name: str) -> Any:
    """``darkbeam.io.read_events``, ``write_events``, ``event_record`` (io/events.py) and ``check_nuhepmc``
    (:func:`darkbeam.io.nuhepmc.check_file`), imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    mod = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    return mod.check_file if name == "check_nuhepmc" else getattr(mod, name)


__all__ = ["check_nuhepmc", "event_record", "read_events", "write_events"]
