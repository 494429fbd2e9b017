"""darkbeam: dark-sector physics at accelerator neutrino-beam experiments, confronted with data.

Internal units are those of :mod:`hepunits` (MeV, mm, ns); see :mod:`darkbeam.units`.

Top-level names (loaded on first use, so ``import darkbeam`` stays light):

* :class:`Model`, :class:`Param`, :class:`Decays`, :func:`register_model`, :func:`load_plugins` — define and
  register a model (also from a plugin file outside the package: :mod:`darkbeam.models.plugins`);
* :data:`MODELS`, :func:`get_model` — the registered models;
* :func:`model`, :func:`predict`, :func:`fit`, :func:`flux` — darkbeam from Python (:mod:`darkbeam.api`,
  docs/python.md): ``darkbeam.predict(darkbeam.model("muphilic-scalar", m_phi="5 MeV", g_mu=5e-3), ...)``
  returns the dict of ``darkbeam run --json``, ``fit`` that of ``darkbeam fit --json``, ``flux`` that of
  ``darkbeam flux --json``.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "Model": "darkbeam.declarations",
    "Param": "darkbeam.declarations",
    "Decays": "darkbeam.declarations",
    "MODELS": "darkbeam.models",
    "get_model": "darkbeam.models",
    "register_model": "darkbeam.models.plugins",
    "load_plugins": "darkbeam.models.plugins",
    "model": "darkbeam.api",
    "predict": "darkbeam.api",
    "fit": "darkbeam.api",
    "flux": "darkbeam.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'darkbeam' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = ["MODELS", "Decays", "Model", "Param", "__version__", "fit", "flux", "get_model", "load_plugins", "model",
           "predict", "register_model"]
