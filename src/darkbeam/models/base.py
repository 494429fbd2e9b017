"""Base class and registry for dark-sector models.

A model is a set of named parameters with physical dimensions (parsed from strings with explicit
units at the edge, stored in internal units: MeV, mm, ns). Physics (widths, cross-sections) lives
in the production/ and interactions/ modules, which read a model's parameters; a model class only
declares its parameters, validates them and says which channels it opens.

Register a model with ``@MODELS.register("name")``; ``darkbeam list models`` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError
from ..registry import Registry
from ..units import DIMENSIONS, parse_quantity


@dataclass(frozen=True)
class Param:
    """Declaration of one model parameter.

    Attributes:
        name: parameter name as used on the command line (``--set name=value``) and in configs.
        dimension: key of :data:`darkbeam.units.DIMENSIONS` ("energy", "1/energy", "dimensionless").
        default: default in internal units; ``None`` means the parameter is required.
        doc: one-line description (with the unit convention).
        minimum: smallest allowed value (``0`` for couplings and masses; ``None`` for no bound).
        choices: for string-valued parameters, the allowed values.
    """

    name: str
    dimension: str
    default: float | str | None
    doc: str
    minimum: float | None = 0.0
    choices: tuple[str, ...] | None = None


class Model:
    """A dark-sector model: validated parameters in internal units.

    Access parameters as attributes (``model.m_phi``) or via ``model.values``.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    # Name of the new boson emitted in meson decays and its spin-parity kind, if any.
    boson: ClassVar[str | None] = None
    boson_kind: ClassVar[str | None] = None  # "scalar" | "pseudoscalar" | "vector"

    def __init__(self, **values: Any) -> None:
        spec = {p.name: p for p in self.params}
        for k in values:
            if k not in spec:
                raise InputError(f"parameter of model {self.name}", k, spec.keys())
        self.values: dict[str, Any] = {}
        for p in self.params:
            v = values.get(p.name, p.default)
            if v is None:
                raise InputError(f"{self.name}.{p.name}", None, f"a value is required ({p.doc})")
            if p.choices is not None:
                if v not in p.choices:
                    raise InputError(f"{self.name}.{p.name}", v, p.choices)
            else:
                if isinstance(v, str):
                    v = parse_quantity(v, p.dimension, f"{self.name}.{p.name}")
                v = float(v)
                if not np.isfinite(v):
                    raise InputError(f"{self.name}.{p.name}", v, "a finite number")
                if p.minimum is not None and v < p.minimum:
                    raise InputError(f"{self.name}.{p.name}", v, f"a value >= {p.minimum} ({p.doc})")
            self.values[p.name] = v
        self.validate()

    def validate(self) -> None:
        """Cross-parameter checks; subclasses raise InputError naming the parameter."""

    def __getattr__(self, item: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and item in values:
            return values[item]
        raise AttributeError(item)

    def replace(self, **changes: Any) -> Model:
        """A copy with some parameters changed (values in internal units or strings with units)."""
        v = dict(self.values)
        v.update(changes)
        return type(self)(**v)

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> Model:
        """Build from ``{"name": "value with unit"}`` strings (command line ``--set`` / configs)."""
        spec = {p.name: p for p in cls.params}
        vals: dict[str, Any] = {}
        for k, raw in settings.items():
            if k not in spec:
                raise InputError(f"parameter of model {cls.name}", k, spec.keys())
            p = spec[k]
            if p.choices is not None:
                vals[k] = str(raw)
            else:
                vals[k] = parse_quantity(raw, p.dimension, f"{cls.name}.{k}")
        return cls(**vals)

    @classmethod
    def describe_params(cls) -> list[dict[str, Any]]:
        out = []
        for p in cls.params:
            out.append({"name": p.name, "dimension": p.dimension, "default": p.default, "doc": p.doc})
        return out


MODELS: Registry[type[Model]] = Registry("model")


def get_model(name: str, settings: dict[str, str] | None = None) -> Model:
    """Instantiate the model registered as ``name`` from string settings with units."""
    return MODELS.get(name).from_settings(settings or {})


assert set(DIMENSIONS) >= {"energy", "1/energy", "dimensionless"}
