"""The registry of dark-sector models, :data:`MODELS`, and :func:`get_model`.

It lives in the models package (not with the declaration types in :mod:`darkbeam.declarations`) so that whoever
can see it has the built-in models registered: importing any module of ``darkbeam.models`` runs the package's
``__init__``, which imports every built-in model. User models are added by
:func:`darkbeam.models.plugins.register_model` (which validates the declarations) or ``@MODELS.register(name)``.
"""

from __future__ import annotations

from ..declarations import Model
from ..registry import Registry

#: model name -> model class (built-in models register when darkbeam.models is imported; plugins add theirs)
MODELS: Registry[type[Model]] = Registry("model")


def get_model(name: str, settings: dict[str, str] | None = None) -> Model:
    """Instantiate the model registered as ``name`` from string settings with units (e.g. ``{"m_phi": "5 MeV"}``;
    stored in internal units, MeV)."""
    return MODELS.get(name).from_settings(settings or {})


__all__ = ["MODELS", "get_model"]
