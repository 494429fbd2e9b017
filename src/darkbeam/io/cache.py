"""On-disk cache of signal samples, keyed by a SHA-256 of everything that determines them.

DESIGN.md ("Fast scans come from factorised weights"): kinematics are generated once per mass point
and re-weighted in couplings; this module keeps those per-mass samples on disk so that a scan (or a
second run, or a worker process of a parallel scan) loads a sample instead of regenerating it.

Key: SHA-256 of a canonical JSON document (sorted keys, floats written with ``repr`` so that they
round-trip exactly) holding

* the cache format version and the darkbeam version (a new release never reuses old samples),
* the model name and *all* its parameters in internal units: masses, the couplings the sample was
  generated at (its reference couplings: importance resampling and the coupling factors divided out
  of ``base_weight`` depend on them) and the settings fixed in a sample (``amplitude``,
  ``br_v1_chichi``, ``zprime_current``, ``HNLtype``, ...),
* the experiment, the beam mode, ``n_mesons``, ``n_events``, the seed and the ``detector`` flag.

Same inputs, same key: with a fixed seed generation is deterministic, so a cache hit returns the
sample a fresh build would have produced.

File format: one ``.npz`` per sample (``<dir>/samples/<key>.npz``, no pickles), with the arrays of
the :class:`~darkbeam.pipeline.signal.SignalSample` (observables, weights, source/target labels,
path/momentum for survival, the ``particles`` four-momenta, and for
:class:`~darkbeam.pipeline.dark_neutrino_signal.DarkNeutrinoSample` the per-chain re-weighting
arrays; a :class:`~darkbeam.pipeline.signal.CombinedSample` of several detection channels as its parts,
under ``part<i>/``) and one ``__meta__`` entry holding the JSON metadata (key, format, class, model, scalars).
Files are written atomically (temporary file + rename, :mod:`darkbeam.io.atomic`), so concurrent
writers of the same key (parallel scan workers) and interrupted runs never leave a partial file under
the final name. A file that cannot be read (truncated, corrupted: the zip CRC32 of every member is
checked on read, the metadata must name the same key and format, array lengths must agree) is
ignored with a warning and the sample is regenerated and rewritten.

Directory: ``$DARKBEAM_CACHE`` if set, else ``~/.cache/darkbeam`` (:func:`default_cache_dir`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..declarations import Model
from ..errors import InputError
from ..models.plugins import plugin_fingerprint
from ..models.registry import MODELS
from ..pipeline import signal as pipeline_signal  # build_signal looked up per call: stubbable
from ..pipeline.dark_neutrino_signal import DarkNeutrinoSample
from ..pipeline.signal import CombinedSample, SignalSample, combine_samples
from ..registry import Registry
from .atomic import _pid_alive, atomic_path

#: bump when the file layout changes (old files are then simply not found: the key changes).
CACHE_FORMAT = 3
#: environment variable naming the cache directory.
CACHE_ENV = "DARKBEAM_CACHE"
_META = "__meta__"
_SCALAR_FIELDS = ("experiment", "mode", "note", "process", "channel")
_ARRAY_FIELDS = ("E_vis", "cos_theta", "E_QE", "base_weight", "source", "target")
_OPTIONAL_ARRAYS = ("path", "p_lab")


def _sample_classes() -> Registry[type]:
    """Sample classes the cache can store, by class name (SignalSample and its subclasses)."""
    reg: Registry[type] = Registry("cached sample class")
    reg.add("SignalSample", SignalSample, "meson-decay dark states (dark Primakoff, iDM upscattering)")
    reg.add("DarkNeutrinoSample", DarkNeutrinoSample, "dark-neutrino upscattering (per-chain re-weighting)")
    reg.add("CombinedSample", CombinedSample, "several detection channels (one stored part per channel)")
    return reg


def default_cache_dir() -> Path:
    """``$DARKBEAM_CACHE`` if set and non-empty, else ``~/.cache/darkbeam``."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "darkbeam"


def _canonical(obj: Any) -> Any:
    """JSON-ready copy with numpy scalars as Python numbers (floats keep their exact repr)."""
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of darkbeam's own source and data files: any change to the physics code or its defaults
    (a response setting, a form factor) changes every key, even within one version number."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".csv", ".txt", ".json")):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _model_code_hash(cls: type) -> str:
    """SHA-256 of the source file of a model class defined outside darkbeam ("" for built-in models,
    which :func:`code_fingerprint` covers)."""
    mod = sys.modules.get(cls.__module__)
    f = getattr(mod, "__file__", None)
    if not f or Path(f).resolve().is_relative_to(Path(__file__).resolve().parents[1]):
        return ""
    return hashlib.sha256(Path(f).read_bytes()).hexdigest()


def key_document(model: Model, experiment: str, mode: str, n_mesons: int, n_events: int, seed: int,
                 detector: bool = True) -> dict[str, Any]:
    """Everything that determines a sample (what :func:`sample_key` hashes), including the code of the
    loaded plugins (:func:`darkbeam.models.plugins.plugin_fingerprint`) and the file defining the
    model's class when it lives outside the package."""
    return {"format": CACHE_FORMAT, "darkbeam": __version__, "code": code_fingerprint(),
            "plugins": plugin_fingerprint(), "model_code": _model_code_hash(type(model)), "model": model.name,
            "parameters": _canonical(dict(model.values)), "experiment": str(experiment), "mode": str(mode),
            "n_mesons": int(n_mesons), "n_events": int(n_events), "seed": int(seed), "detector": bool(detector)}


def sample_key(model: Model, experiment: str, mode: str, n_mesons: int, n_events: int, seed: int,
               detector: bool = True) -> str:
    """SHA-256 (hex) of :func:`key_document`: canonical JSON, sorted keys, exact float reprs."""
    doc = key_document(model, experiment, mode, n_mesons, n_events, seed, detector)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------------------
# (de)serialisation of one sample
# ------------------------------------------------------------------------------------------------


def _encode_chain_value(name: str, v: Any, i: int, arrays: dict[str, np.ndarray], prefix: str = "") -> Any:
    if isinstance(v, np.ndarray):
        arrays[f"{prefix}chain{i}/{name}"] = v
        return {"__array__": f"{prefix}chain{i}/{name}"}
    if isinstance(v, slice):
        return {"__slice__": [v.start, v.stop, v.step]}
    return _canonical(v)


def _decode_chain_value(v: Any, arrays) -> Any:
    if isinstance(v, dict) and "__array__" in v:
        return arrays[v["__array__"]]
    if isinstance(v, dict) and "__slice__" in v:
        return slice(*v["__slice__"])
    return v


def _encode(sample, arrays: dict[str, np.ndarray], prefix: str = "") -> dict[str, Any]:
    """Put the arrays of one (non-combined) sample into ``arrays`` under ``prefix``; return its metadata."""
    cls_name = type(sample).__name__
    _sample_classes().get(cls_name)  # InputError for classes the format does not know
    for name in _ARRAY_FIELDS:
        arrays[prefix + name] = np.asarray(getattr(sample, name))
    present = []
    for name in _OPTIONAL_ARRAYS:
        v = getattr(sample, name)
        if v is not None:
            arrays[prefix + name] = np.asarray(v)
            present.append(name)
    for name, v in sample.particles.items():
        arrays[f"{prefix}particles/{name}"] = np.asarray(v)
    for name, v in getattr(sample, "columns", {}).items():
        arrays[f"{prefix}columns/{name}"] = np.asarray(v)
    chains = []
    for i, ch in enumerate(getattr(sample, "chains", None) or []):
        chains.append({k: _encode_chain_value(k, v, i, arrays, prefix) for k, v in ch.items()})
    return {"class": cls_name, "scalars": {k: getattr(sample, k) for k in _SCALAR_FIELDS}, "optional": present,
            "particles": list(sample.particles), "columns": list(getattr(sample, "columns", {})),
            "chains": chains if hasattr(sample, "chains") else None, "n": len(sample.E_vis)}


def save_sample(sample, path: str | Path, key: str = "") -> Path:
    """Write ``sample`` (a SignalSample, DarkNeutrinoSample or CombinedSample) to ``path`` (.npz) atomically.

    A CombinedSample is stored as its parts (arrays under ``part<i>/``, metadata under ``parts``); its
    concatenated arrays are rebuilt on load. ``meta`` (an in-memory cache of label codes) is not stored.
    """
    arrays: dict[str, np.ndarray] = {}
    parts = getattr(sample, "parts", None)
    if parts is not None:
        _sample_classes().get(type(sample).__name__)
        meta = {"class": type(sample).__name__, "parts": [_encode(p, arrays, f"part{i}/") for i, p in enumerate(parts)]}
    else:
        meta = _encode(sample, arrays)
    meta.update({"format": CACHE_FORMAT, "darkbeam": __version__, "key": key, "model": sample.model.name,
                 "parameters": _canonical(dict(sample.model.values))})
    for name, a in arrays.items():
        if a.dtype == object:
            raise InputError(f"sample array {name!r}", str(a.dtype), "numeric or fixed-width string arrays")
    arrays[_META] = np.frombuffer(json.dumps(meta, allow_nan=False).encode(), dtype=np.uint8)
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def _decode(meta: dict[str, Any], arrays: dict[str, np.ndarray], model: Model, prefix: str = ""):
    """The sample whose metadata is ``meta`` and arrays are under ``prefix`` (lengths checked)."""
    cls = _sample_classes().get(meta["class"])
    n = int(meta["n"])
    cols = meta.get("columns", [])
    for name in (*_ARRAY_FIELDS, *meta["optional"], *(f"particles/{p}" for p in meta["particles"]),
                 *(f"columns/{c}" for c in cols)):
        if len(arrays[prefix + name]) != n:
            raise ValueError(f"array {prefix + name!r} has {len(arrays[prefix + name])} rows, expected {n}")
    opt = {name: arrays.get(prefix + name) for name in _OPTIONAL_ARRAYS}
    kwargs: dict[str, Any] = {}
    if meta.get("chains") is not None:
        kwargs["chains"] = [{k: _decode_chain_value(v, arrays) for k, v in ch.items()} for ch in meta["chains"]]
    s = meta["scalars"]
    return cls(model, s["experiment"], s["mode"], *(arrays[prefix + k] for k in _ARRAY_FIELDS), opt["path"],
               opt["p_lab"], note=s["note"], process=s["process"],
               particles={p: arrays[f"{prefix}particles/{p}"] for p in meta["particles"]},
               columns={c: arrays[f"{prefix}columns/{c}"] for c in cols}, channel=int(s["channel"]), **kwargs)


def load_sample(path: str | Path, key: str | None = None):
    """Read a sample written by :func:`save_sample` (every array read and CRC-checked).

    Raises:
        ValueError (or OSError, zipfile.BadZipFile, KeyError) for unreadable or inconsistent files,
        including a ``key`` differing from the one recorded in the file.
    """
    with np.load(Path(path), allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}  # reads every member: zip CRC32 checked
    if _META not in arrays:
        raise ValueError("no metadata")
    meta = json.loads(arrays.pop(_META).tobytes().decode())
    if meta.get("format") != CACHE_FORMAT:
        raise ValueError(f"cache format {meta.get('format')!r}, expected {CACHE_FORMAT}")
    if key is not None and meta.get("key") != key:
        raise ValueError("metadata key differs from the file's key")
    model = MODELS.get(meta["model"])(**meta["parameters"])
    if "parts" in meta:
        _sample_classes().get(meta["class"])
        return combine_samples(model, [_decode(m, arrays, model, f"part{i}/") for i, m in enumerate(meta["parts"])])
    return _decode(meta, arrays, model)


# ------------------------------------------------------------------------------------------------
# the cache
# ------------------------------------------------------------------------------------------------


@dataclass
class SampleCache:
    """Directory of cached samples (``directory/samples/<sha256>.npz``).

    Attributes:
        directory: cache root (default :func:`default_cache_dir`).
        hits, misses, rejected: counts of loads, builds, and unreadable files ignored (this object).
    """

    directory: Path = field(default_factory=default_cache_dir)
    hits: int = 0
    misses: int = 0
    rejected: int = 0

    def __post_init__(self) -> None:
        self.directory = Path(self.directory).expanduser()

    def path(self, key: str) -> Path:
        """File of ``key``."""
        return self.directory / "samples" / f"{key}.npz"

    def load(self, key: str):
        """The cached sample of ``key``, or None if absent or unreadable (then a warning)."""
        p = self.path(key)
        if not p.is_file():
            return None
        try:
            return load_sample(p, key)
        except Exception as exc:  # noqa: BLE001  any unreadable file is ignored and regenerated
            self.rejected += 1
            warnings.warn(f"darkbeam cache: ignoring unreadable {p.name} ({type(exc).__name__}: {exc}); "
                          "regenerating", RuntimeWarning, stacklevel=2)
            return None

    def store(self, key: str, sample) -> Path | None:
        """Write ``sample`` under ``key`` (atomically); a write failure only warns."""
        try:
            return save_sample(sample, self.path(key), key)
        except OSError as exc:
            warnings.warn(f"darkbeam cache: cannot write {self.path(key)} ({exc})", RuntimeWarning, stacklevel=2)
            return None

    def get_or_build(self, model: Model, experiment: str = "miniboone", mode: str = "neutrino",
                     n_mesons: int = 200_000, n_events: int = 20_000, seed: int = 12345,
                     progress: bool = False, detector: bool = True):
        """Load the sample of these inputs, or build it with :func:`~darkbeam.pipeline.signal.build_signal`
        and store it. Arguments as for ``build_signal`` (n_mesons per parent species, n_events per target)."""
        key = sample_key(model, experiment, mode, n_mesons, n_events, seed, detector)
        s = self.load(key)
        if s is not None:
            self.hits += 1
            return s
        self.misses += 1
        s = pipeline_signal.build_signal(model, experiment, mode, n_mesons=n_mesons, n_events=n_events,
                                         seed=seed, progress=progress, detector=detector)
        self.store(key, s)
        return s

    def stats(self) -> dict[str, int]:
        """{"hits", "misses", "rejected"} of this object."""
        return {"hits": self.hits, "misses": self.misses, "rejected": self.rejected}

    def clear(self) -> int:
        """Delete every cached sample file; returns how many were removed."""
        n = 0
        d = self.directory / "samples"
        if d.is_dir():
            for p in d.glob("*.npz"):
                p.unlink(missing_ok=True)
                n += 1
        return n


def resolve_cache(cache: SampleCache | str | Path | bool | None) -> SampleCache | None:
    """None/False: no cache; True: the default directory; a path: that directory; a SampleCache: itself."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return SampleCache()
    if isinstance(cache, SampleCache):
        return cache
    if isinstance(cache, (str, Path)):
        return SampleCache(Path(cache))
    raise InputError("cache", cache, "a directory, True (default directory), or None/False (no cache)")


# ------------------------------------------------------------------------------------------------
# inspecting and clearing a cache directory (``darkbeam cache info`` / ``darkbeam cache clear``)
# ------------------------------------------------------------------------------------------------


def _cache_files(directory: Path) -> tuple[list[Path], list[Path]]:
    """(sample files, temporaries ``.*.part`` of interrupted or running writers) under ``directory/samples``."""
    d = directory / "samples"
    if not d.is_dir():
        return [], []
    return sorted(d.glob("*.npz")), sorted(d.glob(".*.part"))


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:  # removed meanwhile (a concurrent clear or writer)
        return 0


def cache_info(directory: str | Path | None = None) -> dict[str, Any]:
    """Where the sample cache is and how big it is: ``directory`` (default :func:`default_cache_dir`),
    ``source`` (how it was chosen), ``samples`` (number of sample files), ``bytes`` (their total size),
    ``temporaries`` (partial files of interrupted or running writers) and ``temporary_bytes``."""
    d = Path(directory).expanduser() if directory is not None else default_cache_dir()
    if directory is not None:
        source = "--cache option"
    elif os.environ.get(CACHE_ENV, "").strip():
        source = f"${CACHE_ENV}"
    else:
        source = "default (~/.cache/darkbeam; set $" + CACHE_ENV + " to move it)"
    files, tmps = _cache_files(d)
    return {"directory": str(d), "samples_directory": str(d / "samples"), "source": source, "exists": d.is_dir(),
            "samples": len(files), "bytes": sum(_size(p) for p in files), "temporaries": len(tmps),
            "temporary_bytes": sum(_size(p) for p in tmps)}


def clear_cache(directory: str | Path | None = None) -> dict[str, Any]:
    """Remove every cached sample file, and the temporaries left by writers that no longer run (those of
    live writers are kept), from ``directory`` (default :func:`default_cache_dir`). Nothing else in the
    directory is touched. Returns ``directory``, ``removed`` (file names), ``samples_removed``,
    ``temporaries_removed`` and ``bytes_freed``."""

    d = Path(directory).expanduser() if directory is not None else default_cache_dir()
    files, tmps = _cache_files(d)
    removed: list[str] = []
    freed = 0
    n_samples = n_tmp = 0
    for p in files:
        size = _size(p)
        try:
            p.unlink()
        except FileNotFoundError:
            continue
        removed.append(p.name)
        freed += size
        n_samples += 1
    for p in tmps:
        m = re.search(r"\.darkbeam-(\d+)-[^/]*\.part$", p.name)
        if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
            continue
        size = _size(p)
        try:
            p.unlink()
        except FileNotFoundError:
            continue
        removed.append(p.name)
        freed += size
        n_tmp += 1
    return {"directory": str(d), "removed": removed, "samples_removed": n_samples, "temporaries_removed": n_tmp,
            "bytes_freed": freed}


__all__ = ["CACHE_ENV", "CACHE_FORMAT", "SampleCache", "cache_info", "clear_cache", "default_cache_dir",
           "key_document", "load_sample", "resolve_cache", "sample_key", "save_sample"]
