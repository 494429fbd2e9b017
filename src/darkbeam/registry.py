"""A small name -> object registry used for models, experiments, focusing schemes, processes.

Registries replace if/else chains on names: ``REG.register("name")(cls)`` adds an entry,
``REG.get(name)`` looks it up and raises :class:`~darkbeam.errors.InputError` naming the
allowed entries when the name is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import InputError

T = TypeVar("T")


class Registry(Generic[T]):
    """Mapping from names to registered objects (classes, factories or instances)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._docs: dict[str, str] = {}

    def register(self, name: str, doc: str | None = None) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name``."""

        def deco(obj: T) -> T:
            if name in self._items:
                raise KeyError(f"{self.kind} {name!r} registered twice")
            self._items[name] = obj
            d = doc if doc is not None else (getattr(obj, "__doc__", None) or "")
            self._docs[name] = d.strip().splitlines()[0] if d.strip() else ""
            return obj

        return deco

    def add(self, name: str, obj: T, doc: str = "") -> None:
        """Register ``obj`` under ``name`` (non-decorator form)."""
        self.register(name, doc)(obj)

    def remove(self, name: str) -> None:
        """Drop the entry ``name`` (to replace it: plugins registered with ``override=True``)."""
        self.get(name)
        del self._items[name]
        del self._docs[name]

    def get(self, name: str) -> T:
        """Return the object registered as ``name``; unknown names raise InputError."""
        try:
            return self._items[name]
        except KeyError:
            raise InputError(self.kind, name, self._items.keys()) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def describe(self) -> dict[str, str]:
        """Name -> one-line description."""
        return {n: self._docs[n] for n in self.names()}

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
