"""Bayesian posteriors of model parameters with a maintained sampler (dynesty; emcee optional).

Likelihood: L(θ) = exp(−χ²(θ)/2) with the joint χ² of the experiment's dataset (:meth:`Predictor.chi2`,
signal at the data's exposure). Couplings enter exactly, by re-weighting the samples of a mass point.
Masses cannot be re-weighted (the kinematics change), so a mass is sampled on a grid of *mass nodes*
(``--grid`` / ``[fit].masses``): χ² between nodes is interpolated (multilinearly, in log m for a
log-uniform prior or log-spaced nodes, else in m) from the exact χ² at the neighbouring nodes, each at the
sampled couplings. The samples of every node are generated once (in parallel through
:func:`~darkbeam.inference.scan.scan`, into the sample cache) and kept in memory.

Priors come from the config's ``[priors]`` section (:func:`~darkbeam.io.config.parse_priors`): uniform,
log-uniform or (truncated) normal, in the parameter's units. The sampled parameters are exactly those with
a prior; every other parameter keeps its config value. A mass prior is truncated to the range of its nodes
(stated in the result's notes); a prior that leaves no node is an error.

Sampler: dynesty's static nested sampling (``bound="multi"``; uniform sampling within the bounds up to 3
dimensions, random walks above). Why nested sampling and not MCMC by default: the likelihood in a
coupling of a long-lived particle is not unimodal (the signal rises with the production coupling, then
falls when the particle decays before the detector), priors span decades with hard edges, and the
evidence comes for free; nested sampling explores all modes from the prior inwards and needs no tuning
or burn-in. emcee (``sampler="emcee"``, if installed) fits better for a smooth unimodal posterior in
more dimensions where the prior is wide and flat: cheaper per effective sample, but no evidence, and walkers
can stall between separated modes (docs/regions.md).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path
from ..io.cache import resolve_cache
from ..io.config import RunConfig, parse_config, parse_priors
from . import scan as scan_module  # scan looked up per call: stubbable
from .datasets import dataset_for
from .predict import Predictor, coupling_product
from .regions import DEFAULT_CLS, Region2D, credible_region
from .scan import grid_axes

SAMPLERS = ("dynesty", "emcee")


@dataclass(frozen=True)
class Prior:
    """One parameter's prior (internal units): ``dist`` uniform | log-uniform | normal (truncated by lo/hi)."""

    name: str
    dist: str
    lo: float | None = None
    hi: float | None = None
    mean: float | None = None
    sigma: float | None = None
    unit: str = ""

    @property
    def log(self) -> bool:
        return self.dist == "log-uniform"

    def support(self) -> tuple[float, float]:
        """(low, high) of the prior (a normal without bounds: mean ± 6 σ)."""
        if self.dist == "normal":
            lo = self.lo if self.lo is not None else self.mean - 6 * self.sigma
            hi = self.hi if self.hi is not None else self.mean + 6 * self.sigma
            return float(lo), float(hi)
        return float(self.lo), float(self.hi)

    def ppf(self, u: float) -> float:
        """The prior's quantile function (maps the unit interval onto the prior: dynesty's prior transform)."""
        if self.dist == "uniform":
            return self.lo + u * (self.hi - self.lo)
        if self.dist == "log-uniform":
            return math.exp(math.log(self.lo) + u * (math.log(self.hi) - math.log(self.lo)))
        from scipy.stats import truncnorm  # lazy: heavy; only this path needs it

        a = -np.inf if self.lo is None else (self.lo - self.mean) / self.sigma
        b = np.inf if self.hi is None else (self.hi - self.mean) / self.sigma
        return float(truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sigma))

    def truncated(self, lo: float, hi: float) -> Prior:
        """This prior restricted to [lo, hi]."""
        a, b = self.support()
        if self.dist == "normal":
            a = -math.inf if self.lo is None else self.lo
            b = math.inf if self.hi is None else self.hi
        return Prior(self.name, self.dist, max(a, lo), min(b, hi), self.mean, self.sigma, self.unit)


def priors_from_config(config: RunConfig, model=None) -> list[Prior]:
    """The ``[priors]`` of ``config`` as :class:`Prior` objects (validated by the config parser)."""
    return [Prior(n, p["dist"], p["min"], p["max"], p["mean"], p["sigma"], p["unit"])
            for n, p in parse_priors(config, model).items()]


class MassInterpolatedLikelihood:
    """χ²(θ): exact in couplings (re-weighting), interpolated between mass nodes (see the module docstring).

    Args:
        config: run config (an experiment with a dataset). nodes: {mass parameter: node values (MeV)}.
        log_axes: mass parameters interpolated in log. cache: sample cache (as for :class:`Predictor`).
    """

    def __init__(self, config: RunConfig, nodes: dict[str, Sequence[float]], log_axes: Sequence[str] = (),
                 cache=None) -> None:
        self.pred = Predictor(config, progress=False, cache=cache)
        self.pred._require_data("posterior")
        self.config = config
        self.names = list(nodes)
        self.values = {k: np.asarray(sorted(float(v) for v in vals)) for k, vals in nodes.items()}
        self.coords = {k: (np.log(v) if k in log_axes else v) for k, v in self.values.items()}
        self.log_axes = set(log_axes)
        self.models: dict[tuple, Any] = {}
        for idx in itertools.product(*(range(len(self.values[k])) for k in self.names)):
            pt = {k: float(self.values[k][i]) for k, i in zip(self.names, idx)}
            m = self.pred.model.replace(**pt) if pt else self.pred.model
            for mode in config.experiment.modes:  # samples at the reference couplings
                self.pred.view(mode, m)
            self.models[idx] = m
        self.calls = 0

    def _corners(self, masses: dict[str, float]):
        """[(node index tuple, weight)] of the multilinear interpolation at ``masses``."""
        per = []
        for k in self.names:
            c = self.coords[k]
            x = float(masses.get(k, self.values[k][0]))
            t = math.log(x) if k in self.log_axes else x
            if len(c) == 1:
                per.append([(0, 1.0)])
                continue
            if t < c[0] - 1e-12 or t > c[-1] + 1e-12:
                raise InputError(f"posterior {k}", x, f"a value inside the mass nodes [{self.values[k][0]:g}, "
                                                      f"{self.values[k][-1]:g}]")
            i = int(np.clip(np.searchsorted(c, t, side="right") - 1, 0, len(c) - 2))
            f = float(np.clip((t - c[i]) / (c[i + 1] - c[i]), 0.0, 1.0))
            per.append([(i, 1.0 - f), (i + 1, f)])
        out = []
        for combo in itertools.product(*per):
            w = float(np.prod([c[1] for c in combo]))
            if w > 0:
                out.append((tuple(c[0] for c in combo), w))
        return out

    def chi2(self, theta: dict[str, float]) -> float:
        """χ² at ``theta`` ({parameter: value}; masses among :attr:`names`, couplings otherwise)."""
        self.calls += 1
        masses = {k: v for k, v in theta.items() if k in self.values}
        couplings = {k: v for k, v in theta.items() if k not in self.values}
        tot = 0.0
        for idx, w in self._corners(masses):
            m = self.models[idx]
            if couplings:
                m = m.replace(**couplings)
            tot += w * self.pred.chi2(m, 0).chi2
        return tot


@dataclass
class PosteriorResult:
    """Posterior samples and summaries.

    Attributes:
        parameters / units: sampled parameters. samples: equal-weight posterior samples (n, d), internal units.
        raw_samples / weights: the sampler's weighted samples. chi2: χ² of each raw sample.
        logz / logz_err: log evidence (dynesty; None for emcee). n_calls: likelihood evaluations.
        priors: the priors used (after truncation to the mass nodes). notes: how it was made.
    """

    parameters: list[str]
    units: list[str]
    samples: np.ndarray
    raw_samples: np.ndarray
    weights: np.ndarray
    chi2: np.ndarray
    logz: float | None
    logz_err: float | None
    n_calls: int
    seconds: float
    sampler: str
    priors: list[Prior]
    model: str
    experiment: str
    notes: list[str] = field(default_factory=list)
    coupling_product: dict | None = None
    derived: dict[str, np.ndarray] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        """Equal-weight samples of a parameter or of a derived quantity (``coupling_product``)."""
        if name in self.parameters:
            return self.samples[:, self.parameters.index(name)]
        if name in self.derived:
            return self.derived[name]
        raise InputError("posterior parameter", name, [*self.parameters, *self.derived])

    def summary(self) -> dict[str, Any]:
        """Per parameter: median, 68 % and 95 % central intervals; the best-fit (max-likelihood) sample."""
        out = {}
        for k, name in enumerate([*self.parameters, *self.derived]):
            x = self.column(name)
            q = np.quantile(x, [0.025, 0.16, 0.5, 0.84, 0.975])
            out[name] = {"median": float(q[2]), "interval_68": [float(q[1]), float(q[3])],
                         "interval_95": [float(q[0]), float(q[4])],
                         "unit": self.units[k] if k < len(self.units) else
                         ((self.coupling_product or {}).get("unit", "") if name == "coupling_product" else "")}
        ib = int(np.argmin(self.chi2))
        best = {n: float(self.raw_samples[ib, i]) for i, n in enumerate(self.parameters)}
        return {"parameters": out, "best_fit": {**best, "chi2": float(self.chi2[ib])}}

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "experiment": self.experiment, "sampler": self.sampler,
                "parameters": self.parameters, "units": self.units, "n_samples": len(self.samples),
                "n_calls": self.n_calls, "logz": self.logz, "logz_err": self.logz_err, "seconds": self.seconds,
                "priors": [{"name": p.name, "dist": p.dist, "min": p.lo, "max": p.hi, "mean": p.mean,
                            "sigma": p.sigma, "unit": p.unit} for p in self.priors],
                "coupling_product": self.coupling_product, **self.summary(), "notes": self.notes}

    def write(self, path: str | Path) -> Path:
        """Equal-weight samples as Parquet (``.parquet``) or CSV (``.csv``), written atomically."""
        import pandas as pd  # lazy: heavy; only sample files need it


        path = Path(path)
        df = pd.DataFrame({n: self.column(n) for n in [*self.parameters, *self.derived]})
        with atomic_path(path) as tmp:
            if path.suffix.lower() == ".parquet":
                df.to_parquet(tmp, index=False)
            elif path.suffix.lower() == ".csv":
                df.to_csv(tmp, index=False, float_format="%r")
            else:
                raise InputError("posterior output suffix", path.suffix or str(path), (".parquet", ".csv"))
        return path

    def credible_region(self, x: str, y: str, cls: Sequence[float] = DEFAULT_CLS, bins: int = 50,
                        smooth: float = 1.0) -> Region2D:
        """68 % / 95 % highest-posterior-density regions in (x, y) (a parameter or ``coupling_product``)."""
        pri = {p.name: p for p in self.priors}

        def rng(name):
            v = self.column(name)
            if name in pri:
                return pri[name].support(), pri[name].log
            lo, hi = float(np.min(v)), float(np.max(v))
            log = bool(lo > 0)
            return (lo, hi), log

        (xr, xl), (yr, yl) = rng(x), rng(y)
        unit = {n: u for n, u in zip(self.parameters, self.units)}
        if self.coupling_product:
            unit["coupling_product"] = self.coupling_product.get("unit", "")

        def lab(n):
            nm = self.coupling_product["name"] if n == "coupling_product" and self.coupling_product else n
            return f"{nm} [{unit.get(n)}]" if unit.get(n) else nm

        s = np.column_stack([self.column(x), self.column(y)])
        reg = credible_region(s, None, x, y, xr, yr, xl, yl, cls, bins, smooth, lab(x), lab(y))
        reg.experiment = self.experiment
        return reg


def _run_dynesty(loglike, ptform, ndim, nlive, dlogz, seed, maxcall, progress):
    import dynesty  # lazy: optional extra

    sampler = dynesty.NestedSampler(loglike, ptform, ndim, nlive=nlive, bound="multi",
                                    sample="unif" if ndim <= 3 else "rwalk", rstate=np.random.default_rng(seed))
    sampler.run_nested(dlogz=dlogz, maxcall=maxcall, print_progress=progress)
    r = sampler.results
    w = np.exp(r.logwt - r.logz[-1])
    w = w / w.sum()
    eq = r.samples_equal(rstate=np.random.default_rng(seed + 1)) if hasattr(r, "samples_equal") else \
        dynesty.utils.resample_equal(r.samples, w, rstate=np.random.default_rng(seed + 1))
    return (np.asarray(r.samples), w, np.asarray(eq), float(r.logz[-1]), float(r.logzerr[-1]),
            int(np.sum(r.ncall)), -2.0 * np.asarray(r.logl))


def _run_emcee(loglike, ptform, ndim, nsteps, seed, progress):
    try:
        import emcee  # lazy: optional extra
    except ImportError:
        raise InputError("--sampler", "emcee", "dynesty, or install emcee (pip install emcee)") from None
    nwalk = max(16, 4 * ndim)
    rng = np.random.default_rng(seed)

    def logp(u):
        if np.any(u <= 0) or np.any(u >= 1):
            return -np.inf
        return loglike(ptform(u))

    p0 = rng.uniform(0.05, 0.95, size=(nwalk, ndim))
    s = emcee.EnsembleSampler(nwalk, ndim, logp)
    s.random_state = np.random.RandomState(seed).get_state()
    s.run_mcmc(p0, nsteps, progress=progress)
    burn = nsteps // 2
    u = s.get_chain(discard=burn, flat=True)
    lp = s.get_log_prob(discard=burn, flat=True)
    x = np.array([ptform(v) for v in u])
    w = np.full(len(x), 1.0 / len(x))
    return x, w, x, None, None, int(nwalk * nsteps), -2.0 * lp


def run_posterior(config: RunConfig, grid: dict | Sequence[str] | None = None, sampler: str = "dynesty",
                  nlive: int = 200, dlogz: float = 0.5, seed: int | None = None, cache=True, backend: str = "local",
                  workers: int | None = None, maxcall: int | None = None, nsteps: int = 2000,
                  progress: bool = False) -> PosteriorResult:
    """Sample the posterior of the ``[priors]`` parameters (see the module docstring).

    Args:
        config: run config with ``[priors]`` (and an experiment with a dataset).
        grid: mass nodes (``NAME=VALUES`` or {name: values}); default ``[fit].masses``; may be empty when no
            mass has a prior.
        sampler: "dynesty" (default) or "emcee". nlive, dlogz, maxcall: dynesty settings; nsteps: emcee steps.
        seed: sampler seed (default: the config's simulation seed). cache, backend, workers: how the node
            samples are generated (through :func:`~darkbeam.inference.scan.scan`).
    """
    if sampler not in SAMPLERS:
        raise InputError("--sampler", sampler, SAMPLERS)
    if nlive < 10:
        raise InputError("--nlive", nlive, "at least 10 live points")
    model = config.build_model()
    if dataset_for(config.experiment.name) is None:
        raise InputError("experiment for a posterior", config.experiment.name,
                         "an experiment with a dataset (a likelihood): miniboone")
    priors = priors_from_config(config, model)
    if not priors:
        raise InputError("config section [priors]", {}, "a prior for each parameter to sample, e.g. "
                                                         "g_n = { dist = \"log-uniform\", min = 1e-6, max = 1e-2 }")
    params = {p.name: p for p in model.params}
    axes = grid_axes(config, grid, model) if (grid or config.fit.masses) else []
    nodes: dict[str, list[float]] = {}
    log_axes = []
    notes = []
    pri = {p.name: p for p in priors}
    for a in axes:
        if a.kind != "mass":
            raise InputError(f"--grid {a.name}", list(a.values), "mass nodes only (couplings are sampled from "
                                                                  "[priors]; settings and experiments are fixed)")
        if len(a.values) > 1 and a.name not in pri:
            raise InputError(f"--grid {a.name}", list(a.values), f"a single value, or a prior for {a.name} in "
                                                                  "[priors] (a mass with several nodes is sampled)")
        nodes[a.name] = sorted(a.values)
        if a.log or (a.name in pri and pri[a.name].log):
            log_axes.append(a.name)
    fixed_masses = {k: v[0] for k, v in nodes.items() if len(v) == 1}
    for p in priors:
        spec = params[p.name]
        if spec.is_fixed_in_sample:
            if spec.dimension != "energy":
                raise InputError(f"config key 'priors.{p.name}'", p.name, "a mass or a coupling (settings fixed in "
                                                                           "a sample cannot be sampled)")
            if p.name not in nodes or len(nodes[p.name]) < 2:
                raise InputError(f"config key 'priors.{p.name}'", p.name, f"mass nodes for {p.name}: --grid "
                                                                           f"{p.name}=LO..HI/N (or [fit].masses)")
            lo, hi = p.support()
            nlo, nhi = nodes[p.name][0], nodes[p.name][-1]
            if hi < nlo or lo > nhi:
                raise InputError("[priors]", {p.name: [lo, hi]}, f"a prior that keeps part of the mass nodes "
                                                                 f"[{nlo:g}, {nhi:g}] {p.unit} (it excludes the whole "
                                                                 "grid)")
            if lo < nlo or hi > nhi:
                pri[p.name] = p.truncated(nlo, nhi)
                notes.append(f"prior of {p.name} truncated to the mass nodes [{nlo:g}, {nhi:g}] {p.unit}")
        else:
            if not float(model.values[p.name]) > 0:
                raise InputError(f"model.{p.name}", model.values[p.name], "a positive reference value (the "
                                                                          "samples are re-weighted from it)")
    priors = [pri[p.name] for p in priors]
    c = resolve_cache(cache)
    base = config.model_dump(mode="python")
    base["fit"] = {}
    base["priors"] = {}
    base["model"] = {**base["model"], **{k: f"{v!r} MeV" for k, v in fixed_masses.items()}}
    cfg = parse_config(base)
    multi = {k: v for k, v in nodes.items() if len(v) > 1}
    if multi and c is not None:  # generate the node samples in parallel, into the cache
        scan_module.scan(cfg, {k: v for k, v in multi.items()}, backend=backend, workers=workers, cache=c,
                         progress=progress)
    like = MassInterpolatedLikelihood(cfg, multi, log_axes, cache=c)
    names = [p.name for p in priors]
    seed = int(config.simulation.seed if seed is None else seed)

    def ptform(u):
        return np.array([p.ppf(float(x)) for p, x in zip(priors, u)])

    def loglike(x):
        return -0.5 * like.chi2(dict(zip(names, (float(v) for v in x))))

    t0 = time.perf_counter()
    if sampler == "dynesty":
        raw, w, eq, logz, logz_err, ncall, chi = _run_dynesty(loglike, ptform, len(names), nlive, dlogz, seed,
                                                             maxcall, progress)
    else:
        raw, w, eq, logz, logz_err, ncall, chi = _run_emcee(loglike, ptform, len(names), nsteps, seed, progress)
    seconds = time.perf_counter() - t0
    cp = coupling_product(model)
    derived = {}
    if cp is not None:
        vals = []
        for row in eq:
            m = model.replace(**{n: float(v) for n, v in zip(names, row)})
            vals.append(float(m.coupling_product()["value"]))
        derived["coupling_product"] = np.asarray(vals)
    notes.append(f"likelihood exp(-chi2/2) of the {config.experiment.name} dataset; couplings by exact "
                 "re-weighting" + (f"; {', '.join(multi)} interpolated between {', '.join(str(len(v)) for v in multi.values())} "
                                   "mass nodes" if multi else ""))
    return PosteriorResult(names, [params[n].unit for n in names], eq, raw, w, chi, logz, logz_err, ncall, seconds,
                           sampler, priors, model.name, config.experiment.name, notes,
                           None if cp is None else {"name": cp["name"], "unit": cp["unit"]}, derived)


__all__ = ["SAMPLERS", "MassInterpolatedLikelihood", "PosteriorResult", "Prior", "priors_from_config",
           "run_posterior"]
