"""Re-export of the model declaration types and the model registry (the import path of earlier versions, kept
for users and plugins: ``from darkbeam.models.base import Model, Param, Decays, MODELS``).

Where each name lives now:

* :class:`Param`, :class:`Decays`, :class:`Model`, :func:`model_summary`, :func:`require_parameters`,
  :func:`perturbativity_warnings` — :mod:`darkbeam.declarations` (the "declarations" layer, below production and
  interactions, which read them; importing it loads no model);
* :data:`MODELS`, :func:`get_model` — :mod:`darkbeam.models.registry`.

Being inside the models package, this module sits in the "models" layer (importing it runs
``darkbeam/models/__init__.py``, which imports every built-in model): modules below the models import
:mod:`darkbeam.declarations` instead (tests/test_layering.py checks it).
"""

from __future__ import annotations

from ..declarations import Decays, Model, Param, model_summary, perturbativity_warnings, require_parameters
from .registry import MODELS, get_model

__all__ = ["MODELS", "Decays", "Model", "Param", "get_model", "model_summary", "perturbativity_warnings",
           "require_parameters"]
