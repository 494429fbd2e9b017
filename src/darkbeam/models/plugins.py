"""User models from outside the package: registration with validation, and plugin discovery.

A plugin is one Python file (or importable module) that defines a :class:`~darkbeam.declarations.Model`
subclass and registers it::

    import darkbeam

    @darkbeam.register_model("bl-boson")
    class BLBoson(darkbeam.Model):
        ...

darkbeam finds plugins in two places, loaded once per process before any command runs (the CLI, and the
workers of a parallel scan, call :func:`load_plugins`):

* the environment variable ``DARKBEAM_PLUGINS``: a list of ``.py`` file paths or module names separated
  by ``os.pathsep`` (":" on Linux/macOS) or commas;
* installed packages that declare an entry point in the group ``darkbeam.models`` (the entry point's
  object is imported; registering happens as a side effect, or the object is a Model subclass, which is
  then registered under its ``name``).

Registration validates the declarations (:func:`validate_model_class`): the parameters, the production
and detection channels and the methods they need, and — by instantiating the model with its defaults —
that ``decays()`` returns partial widths as finite, non-negative floats. A broken plugin fails at load
time with a one-line :class:`~darkbeam.errors.InputError` naming what is missing, not at event time.

The on-disk sample cache includes the source of every loaded plugin in its key
(:func:`plugin_fingerprint`), so editing a plugin never reuses stale samples.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..declarations import Model, Param
from ..errors import InputError
from ..interactions.channels import DetectionChannel
from ..particles import BOSON_KINDS
from ..production.channels import ProductionChannel
from .registry import MODELS

#: environment variable listing plugin files or modules
PLUGINS_ENV = "DARKBEAM_PLUGINS"
#: entry-point group of installed plugin packages
ENTRY_POINT_GROUP = "darkbeam.models"

_LOADED: dict[str, str] = {}  # source (path or module) -> SHA-256 of its code
_REGISTERED_BY_PLUGIN: set[str] = set()


def validate_model_class(cls: Any, name: str) -> None:
    """Check a model class's declarations; raise InputError naming the first problem."""
    where = f"plugin model {name!r}"
    if not (inspect.isclass(cls) and issubclass(cls, Model)):
        raise InputError(where, getattr(cls, "__name__", cls), "a subclass of darkbeam.Model")
    if cls.name != name:
        raise InputError(f"{where} class attribute 'name'", cls.name, f"the registered name {name!r}")
    if not isinstance(cls.params, tuple) or not all(isinstance(p, Param) for p in cls.params):
        raise InputError(f"{where} 'params'", type(cls.params).__name__, "a tuple of darkbeam.Param")
    names = [p.name for p in cls.params]
    if len(set(names)) != len(names):
        raise InputError(f"{where} 'params'", names, "distinct parameter names")
    for ch in cls.production:
        if not isinstance(ch, ProductionChannel):
            raise InputError(f"{where} 'production'", ch, "instances of darkbeam.production.channels classes")
    for ch in cls.detection:
        if not isinstance(ch, DetectionChannel):
            raise InputError(f"{where} 'detection'", ch, "instances of darkbeam.interactions.channels classes")
    if cls.production and cls.mass_param not in names:
        raise InputError(f"{where} 'mass_param'", cls.mass_param, f"the name of its boson mass parameter ({names})")
    for ch in (*cls.production, *cls.detection):
        for attr in ch.requires:
            if getattr(cls, attr, None) is None:
                raise InputError(f"{where} attribute {attr!r}", None,
                                 f"declared, because its channel {type(ch).__name__} needs it")
    # instantiate with defaults and call what generic code will call
    try:
        model = cls()
    except InputError as exc:
        raise InputError(f"{where} defaults", exc.value, f"defaults that validate ({exc})") from None
    if cls.production and cls.boson_kind is not None and cls.boson_kind not in BOSON_KINDS:
        raise InputError(f"{where} 'boson_kind'", cls.boson_kind, BOSON_KINDS)
    decays = model.decays()
    if not isinstance(decays, dict):
        raise InputError(f"{where} decays()", type(decays).__name__, "a dict {state: darkbeam.models.Decays}")
    for state, d in decays.items():
        widths = getattr(d, "widths", None)
        if not isinstance(widths, dict):
            raise InputError(f"{where} decays()[{state!r}]", type(d).__name__, "a darkbeam.models.Decays")
        for ch_name, w in widths.items():
            if not isinstance(w, (int, float)) or not math.isfinite(float(w)) or w < 0:
                raise InputError(f"{where} width of {state} -> {ch_name}", w, "a finite float >= 0 in MeV")
    for ch in cls.detection:
        ch.check(decays, where)
    _check_channel_methods(model, where)
    cp = model.coupling_product()
    if cp is not None and not (isinstance(cp, dict) and {"name", "value", "unit"} <= set(cp)):
        raise InputError(f"{where} coupling_product()", cp, "None or a dict with name, value and unit")


def _call(where: str, what: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin's wrong signature or bug, named at registration
        raise InputError(f"{where} {what}", type(exc).__name__, f"a method that works at the defaults ({exc})") from None


def _check_channel_methods(model: Model, where: str) -> None:
    """Call what the declared channels will call, at the model's defaults, and check what comes back."""
    needs = {a for ch in (*model.production, *model.detection) for a in ch.requires}
    if "m_x" in needs:
        m = _call(where, "m_x", lambda: model.m_x)
        if not (isinstance(m, (int, float)) and math.isfinite(m) and m > 0):
            raise InputError(f"{where} m_x", m, "a finite boson mass > 0 in MeV")
    if "lepton_coupling" in needs:
        for lep in ("e", "mu"):
            g = _call(where, f"lepton_coupling({lep!r})", lambda lep=lep: model.lepton_coupling(lep))
            if not (isinstance(g, (int, float)) and math.isfinite(g)):
                raise InputError(f"{where} lepton_coupling({lep!r})", g, "a finite dimensionless float")
    if "three_body_amplitude" in needs and model.boson_kind == "vector":
        amp = _call(where, "three_body_amplitude()", model.three_body_amplitude)
        ok = isinstance(amp, str) or (isinstance(amp, tuple) and len(amp) == 3
                                      and all(isinstance(q, (int, float)) for q in amp))
        if not ok:
            raise InputError(f"{where} three_body_amplitude()", amp,
                             "a registered vector amplitude name or the charges (q_lepton, q_nu, q_meson)")
    if "neutral_meson_mixing" in needs:
        for parent in ("pi0", "eta"):
            e = _call(where, f"neutral_meson_mixing({parent!r})", lambda p=parent: model.neutral_meson_mixing(p))
            if not (isinstance(e, (int, float)) and math.isfinite(e)):
                raise InputError(f"{where} neutral_meson_mixing({parent!r})", e, "a finite dimensionless float")


def register_model(name: str, *, override: bool = False) -> Callable[[type[Model]], type[Model]]:
    """Class decorator: validate a model class and add it to :data:`MODELS` under ``name``.

    ``override=True`` replaces a registered model of the same name (otherwise a clash is an error).
    """

    def deco(cls: type[Model]) -> type[Model]:
        validate_model_class(cls, name)
        if name in MODELS:
            if not override and MODELS.get(name) is not cls:
                raise InputError("model name", name, "a name not registered yet (or register_model(..., override=True))")
            MODELS.remove(name)
        MODELS.register(name)(cls)
        _REGISTERED_BY_PLUGIN.add(name)
        return cls

    return deco


def _hash_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_file(path: Path) -> None:
    key = str(path.resolve())
    if key in _LOADED:
        return
    if not path.is_file():
        raise InputError(f"{PLUGINS_ENV} entry", str(path), "an existing .py file or an importable module")
    mod_name = "darkbeam_plugin_" + hashlib.sha1(key.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise InputError(f"{PLUGINS_ENV} entry", str(path), "a Python source file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    _LOADED[key] = _hash_file(path)  # before exec: a plugin importing itself is not loaded twice
    try:
        spec.loader.exec_module(module)
    except InputError:
        del _LOADED[key]
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin's own bug: one line naming the file
        del _LOADED[key]
        raise InputError(f"plugin {path}", type(exc).__name__, f"a file that imports cleanly ({exc})") from None


def _load_module(name: str) -> None:
    if name in _LOADED:
        return
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise InputError(f"{PLUGINS_ENV} entry", name, f"an existing .py file or an importable module ({exc})") from None
    f = getattr(module, "__file__", None)
    _LOADED[name] = _hash_file(Path(f)) if f else name


def _split(value: str) -> list[str]:
    out = []
    for part in value.replace(",", os.pathsep).split(os.pathsep):
        if part.strip():
            out.append(part.strip())
    return out


def load_plugins(env: str | None = None) -> list[str]:
    """Load every plugin named in ``$DARKBEAM_PLUGINS`` (or ``env``) and every ``darkbeam.models``
    entry point. Idempotent. Returns the sources loaded so far."""
    value = os.environ.get(PLUGINS_ENV, "") if env is None else env
    for item in _split(value):
        if item.endswith(".py") or os.sep in item or Path(item).is_file():
            _load_file(Path(item).expanduser())
        else:
            _load_module(item)
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        key = f"entry-point:{ep.value}"
        if key in _LOADED:
            continue
        try:
            obj = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken entry point: one line naming it
            raise InputError(f"entry point {ep.name!r} of group {ENTRY_POINT_GROUP}", ep.value,
                             f"an importable object ({exc})") from None
        if inspect.isclass(obj) and issubclass(obj, Model) and obj.name not in MODELS:
            register_model(obj.name)(obj)
        mod = sys.modules.get(getattr(obj, "__module__", ""), None)
        f = getattr(mod, "__file__", None)
        _LOADED[key] = _hash_file(Path(f)) if f else ep.value
    return sorted(_LOADED)


def plugin_fingerprint() -> str:
    """SHA-256 over the loaded plugins' sources and code hashes ("" when none is loaded)."""
    if not _LOADED:
        return ""
    h = hashlib.sha256()
    for k in sorted(_LOADED):
        h.update(k.encode())
        h.update(_LOADED[k].encode())
    return h.hexdigest()


def plugin_models() -> list[str]:
    """Names of the models registered through :func:`register_model`."""
    return sorted(_REGISTERED_BY_PLUGIN)


__all__ = ["ENTRY_POINT_GROUP", "PLUGINS_ENV", "load_plugins", "plugin_fingerprint", "plugin_models",
           "register_model", "validate_model_class"]
