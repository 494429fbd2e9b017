"""Exceptions raised for bad user input.

Every error names the offending field, the value given and what is allowed, so that the
command line can print a one-line message (exit code 2) instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class DarkbeamError(ValueError):
    """Base class for user-facing errors of darkbeam."""


class InputError(DarkbeamError):
    """A user-provided value is invalid.

    Args:
        field: name of the parameter / option / config key.
        value: the value that was given.
        allowed: human-readable description of what is allowed, or an iterable of names.
    """

    def __init__(self, field: str, value: object, allowed: str | Iterable[str]) -> None:
        if not isinstance(allowed, str):
            allowed = "one of: " + ", ".join(sorted(str(a) for a in allowed))
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid {field} = {value!r}; allowed: {allowed}")

    def __reduce__(self):
        """Pickle by the constructor's arguments (errors raised in Dask workers reach the caller intact)."""
        return (type(self), (self.field, self.value, self.allowed))


class ClosedChannelError(DarkbeamError):
    """A requested decay or scattering channel is kinematically closed."""
