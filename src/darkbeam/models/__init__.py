"""Dark-sector models, found through the :data:`MODELS` registry.

Built-in models register on import; user models from files outside the package are added by
:func:`register_model` and :func:`load_plugins` (:mod:`darkbeam.models.plugins`).
"""

from ..declarations import Decays, Model, Param
from . import (  # noqa: F401  (registration side effects)
    alp,
    dark_neutrino,
    dark_photon,
    higgs_scalar,
    hnl,
    muphilic,
    vector_portal,
)
from .plugins import load_plugins, register_model
from .registry import MODELS, get_model

__all__ = ["MODELS", "Decays", "Model", "Param", "get_model", "load_plugins", "register_model"]
