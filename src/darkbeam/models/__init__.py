"""Dark-sector models, found through the :data:`MODELS` registry."""

from . import dark_neutrino, dark_photon, muphilic  # noqa: F401  (registration side effects)
from .base import MODELS, Model, Param, get_model

__all__ = ["MODELS", "Model", "Param", "get_model"]
