"""Stopped-pion sources: yields per proton on target, pulse structure and the π⁰/η production shape.

The numbers live in ``darkbeam/data/stopped/sources.json`` (each with its citation); this module turns them
into :class:`StoppedSource` objects registered in :data:`STOPPED_SOURCES` under the beam keys of
:mod:`darkbeam.beams.beamlines` ("sns", "lanl-lujan", "jparc-mlf"). Physics choices are in
docs/stopped_pion.md. Internal units: MeV, mm, ns.

Yields (per POT; ``Yield.uncertainty`` is one standard deviation):

* ``pi+_dar``: π⁺ that stop and decay at rest. SNS: the COHERENT 0.09 ± 0.009 ν per flavour per proton
  divided by BR(π → μν); Lujan: the SNS value scaled with N(π⁺)/p = 0.14 E[GeV] − 0.05 (Efremenko);
  J-PARC: from the JSNS² ν_e flux measurement (each μ⁺ DAR from a π⁺ DAR).
* ``mu+_dar``: μ⁺ decaying at rest = π⁺ DAR × BR(π → μν) (μ⁺ are not captured), except at J-PARC where it
  is measured (JSNS², ν_e flux × 4π L²).
* ``pi0``, ``eta``: produced (decaying in flight within ~10⁻⁷ ns); ``K+_dar``: kaons decaying at rest.
* ``pi-_captured``: π⁻ captured on nuclei (no neutrinos; informational); ``pi0/pi+``: the ratio.

π⁰/η production spectrum: the kinetic energy follows a gamma distribution,
dN/dT ∝ T^(k−1) exp(−T/T₀), and the direction (1 + a cos θ)/2 about the beam (+z), with k, T₀ matched to
the mean and variance, and a = 3⟨cos θ⟩, of the angle-integrated Burman–Smith π⁺ spectrum
(LA-11502-MS, 1989; formula in sources.json) at min(T_p, 800 MeV). The π⁰ shape is assumed equal to the
π⁺ one; at 1 and 3 GeV the true spectra are harder (the parametrisation stops at 800 MeV).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.interpolate import BSpline
from scipy.special import log_ndtr, ndtr

from .. import constants as c
from ..data import data_path
from ..errors import InputError
from ..registry import Registry

FWHM_TO_SIGMA = 1.0 / (2.0 * math.sqrt(2.0 * math.log(2.0)))  # Gaussian: σ = FWHM / 2.3548


@dataclass(frozen=True)
class Yield:
    """A number of particles per proton on target, its 1σ uncertainty and where it comes from."""

    value: float
    uncertainty: float
    reference: str

    @property
    def relative_uncertainty(self) -> float:
        return self.uncertainty / self.value if self.value > 0 else 0.0


@dataclass(frozen=True)
class Bunch:
    """One Gaussian proton bunch: centre (ns, relative to the first bunch), FWHM (ns), intensity fraction."""

    offset: float
    fwhm: float
    weight: float

    @property
    def sigma(self) -> float:
        return self.fwhm * FWHM_TO_SIGMA


@dataclass(frozen=True)
class StoppedSource:
    """A stopped-pion source (beam + thick target). Times are measured from the first bunch's centre.

    Attributes:
        name: registry key (= beam key of the catalog). proton_kinetic_energy: MeV. target, target_z.
        yields: species -> :class:`Yield` (per POT). pulse: the proton bunches. repetition_rate: Hz.
        pulse_reference: citation of the pulse structure.
    """

    name: str
    description: str
    proton_kinetic_energy: float
    target: str
    target_z: int
    yields: dict[str, Yield]
    pulse: tuple[Bunch, ...]
    repetition_rate: float
    pulse_reference: str
    extra: dict[str, Any] = field(default_factory=dict)

    def yield_of(self, species: str) -> Yield:
        if species not in self.yields:
            raise InputError(f"species of stopped source {self.name}", species, self.yields.keys())
        return self.yields[species]

    def sample_proton_times(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Arrival times (ns) of n protons drawn from the pulse (a mixture of Gaussian bunches)."""
        w = np.array([b.weight for b in self.pulse])
        k = rng.choice(len(self.pulse), size=n, p=w / w.sum())
        mu = np.array([b.offset for b in self.pulse])[k]
        sig = np.array([b.sigma for b in self.pulse])[k]
        return mu + sig * rng.standard_normal(n)

    def time_cdf(self, t: np.ndarray | float, lifetimes: tuple[float, ...] = ()) -> np.ndarray:
        """P(t_p + Σ Exp(τ_i) ≤ t) for the pulse's proton time t_p and up to two exponential delays τ_i (ns).

        Exponentially modified Gaussian (one τ) and its two-τ extension (τ₁ ≠ τ₂), summed over bunches:
          one τ:  Φ(z) − H(τ),  two τ:  Φ(z) − [τ₁ H(τ₁) − τ₂ H(τ₂)] / (τ₁ − τ₂),
          H(τ) = exp(−(t − μ)/τ + σ²/(2τ²)) Φ(z − σ/τ),  z = (t − μ)/σ
        (convolution of the Gaussian with the exponential / hypoexponential density; e.g. Grushka,
        Anal. Chem. 44 (1972) 1733 for the one-τ case). H is evaluated in log space.
        """
        t = np.asarray(t, dtype=float)
        if len(lifetimes) > 2:
            raise InputError("lifetimes", lifetimes, "at most two exponential delays")
        if len(lifetimes) == 2 and math.isclose(lifetimes[0], lifetimes[1]):
            raise InputError("lifetimes", lifetimes, "two different lifetimes")
        out = np.zeros_like(t)
        wsum = sum(b.weight for b in self.pulse)
        for b in self.pulse:
            dt, sig = t - b.offset, b.sigma
            z = dt / sig
            h = [np.exp(-dt / tau + sig**2 / (2 * tau * tau) + log_ndtr(z - sig / tau)) for tau in lifetimes]
            if not lifetimes:
                part = ndtr(z)
            elif len(lifetimes) == 1:
                part = ndtr(z) - h[0]
            else:
                t1, t2 = lifetimes
                part = ndtr(z) - (t1 * h[0] - t2 * h[1]) / (t1 - t2)
            out += b.weight / wsum * part
        return out


# ------------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def source_data() -> dict[str, Any]:
    """The parsed ``data/stopped/sources.json`` (numbers with their citations)."""
    with data_path("stopped", "sources.json").open("r") as f:
        return json.load(f)


def pi_plus_energy_scaling(t_p: float) -> float:
    """N(π⁺)/p relative to its value at 1 GeV: (0.14 E − 0.05)/(0.14 − 0.05), E = T_p in GeV (Efremenko).

    Outside 0.8–1.5 GeV (the stated validity) raises InputError.
    """
    s = source_data()["pi_plus_energy_scaling"]
    e = t_p / 1000.0
    lo, hi = s["valid_GeV"]
    if not lo - 1e-9 <= e <= hi + 1e-9:
        raise InputError("proton kinetic energy for the pi+ yield scaling", f"{e} GeV", f"{lo}-{hi} GeV")
    return (s["slope_per_GeV"] * e + s["intercept"]) / (s["slope_per_GeV"] + s["intercept"])


def _yields(name: str, entry: dict[str, Any], built: dict[str, StoppedSource]) -> dict[str, Yield]:
    br = c.BR_PI_MUNU
    y: dict[str, Yield] = {}
    pip = entry["pi_plus_dar"]
    if pip.get("from") == "nu_per_flavour":
        nu = entry["nu_per_flavour"]
        y["nu_per_flavour"] = Yield(nu["value"], nu["uncertainty"], nu["reference"])
        y["pi+_dar"] = Yield(nu["value"] / br, nu["uncertainty"] / br,
                             nu["reference"] + "; " + pip["reference"])
        y["mu+_dar"] = Yield(nu["value"], nu["uncertainty"],
                             "= pi+ DAR x BR(pi -> mu nu); mu+ are not captured")
    elif pip.get("from") == "scaling":
        ref = built["sns"].yields["pi+_dar"]
        scale = pi_plus_energy_scaling(entry["proton_kinetic_energy_MeV"])
        rel_scaling = source_data()["pi_plus_energy_scaling"]["relative_uncertainty"]
        rel = math.hypot(ref.relative_uncertainty, rel_scaling)
        v = ref.value * scale
        y["pi+_dar"] = Yield(v, v * rel, pip["reference"])
        y["mu+_dar"] = Yield(v * br, v * br * rel, "= pi+ DAR x BR(pi -> mu nu); mu+ are not captured")
    elif pip.get("from") == "mu_plus_dar":
        m = entry["nu_e_flux_measured"]
        area = 4.0 * math.pi * (m["distance_m"] * 100.0) ** 2  # cm²
        mu = Yield(m["value"] * area, m["uncertainty"] * area, m["reference"])
        y["mu+_dar"] = mu
        y["pi+_dar"] = Yield(mu.value / br, mu.uncertainty / br, pip["reference"])
    else:
        raise InputError(f"pi_plus_dar of stopped source {name}", pip,
                         "from: nu_per_flavour | scaling | mu_plus_dar")
    # π⁰, and the π⁰/π⁺ ratio (kept as a yield: at the derived sources it is the input, not a result)
    p0 = entry["pi0"]
    if "value" in p0:
        y["pi0"] = Yield(p0["value"], p0["uncertainty"], p0["reference"])
        r = p0["value"] / y["pi+_dar"].value  # independent simulations: relative uncertainties in quadrature
        y["pi0/pi+"] = Yield(r, r * math.hypot(y["pi0"].relative_uncertainty, y["pi+_dar"].relative_uncertainty),
                             "pi0 / pi+ DAR of this source")
    else:
        ref = built[p0["of"]].yields["pi0/pi+"]
        rel_r = math.hypot(ref.relative_uncertainty, p0.get("extra_relative_uncertainty", 0.0))
        y["pi0/pi+"] = Yield(ref.value, ref.value * rel_r, p0["reference"])
        v = ref.value * y["pi+_dar"].value
        y["pi0"] = Yield(v, v * math.hypot(rel_r, y["pi+_dar"].relative_uncertainty),
                         p0["reference"] + f" (pi0/pi+ = {ref.value:.3f})")
    eta = entry["eta"]
    if "value" in eta:
        y["eta"] = Yield(eta["value"], eta["uncertainty"], eta["reference"])
    else:
        r, dr = eta["eta_over_pi0"], eta["eta_over_pi0_uncertainty"]
        v = r * y["pi0"].value
        y["eta"] = Yield(v, v * math.hypot(dr / r, y["pi0"].relative_uncertainty), eta["reference"])
    k = entry["k_plus_dar"]
    if "value" in k:
        y["K+_dar"] = Yield(k["value"], k["uncertainty"], k["reference"])
    else:
        v = k["kdar_nu_over_pidar_nu"] * y["pi+_dar"].value * br / c.BR_K_MUNU
        y["K+_dar"] = Yield(v, v * math.hypot(k["relative_uncertainty"], y["pi+_dar"].relative_uncertainty),
                            k["reference"])
    if "pi_minus_captured" in entry:
        pm = entry["pi_minus_captured"]
        y["pi-_captured"] = Yield(pm["value"], pm["uncertainty"], pm["reference"])
    return y


def _build() -> Registry[StoppedSource]:
    reg: Registry[StoppedSource] = Registry("stopped-pion source")
    built: dict[str, StoppedSource] = {}
    for name in ("sns", "lanl-lujan", "jparc-mlf"):  # sns first: the others refer to it
        e = source_data()["sources"][name]
        p = e["pulse"]
        src = StoppedSource(
            name, e["description"], float(e["proton_kinetic_energy_MeV"]), e["target"], int(e["target_Z"]),
            _yields(name, e, built),
            tuple(Bunch(float(b["offset_ns"]), float(b["fwhm_ns"]), float(b["weight"]))
                  for b in p["bunches"]),
            float(p["repetition_Hz"]), p["reference"],
        )
        built[name] = src
        reg.add(name, src, e["description"])
    return reg


#: the registered stopped-pion sources, keyed like the catalog's beams
STOPPED_SOURCES: Registry[StoppedSource] = _build()


# --- the NuMI hadron absorber as a source of K+ decays at rest (beam "numi-absorber") --------------------------
#: nu_mu from K+ decays at rest in the NuMI hadron absorber per POT, as MicroBooNE's NuMI HNL analysis (e+e- and
#: nu pi0, arXiv:2310.07660) uses it for its rate cross-check: "KDAR_per_POT = 0.085 #This actually includes the BR,
#: since it is KDAR to numu" (D. Marsden, github.com/dmarsden01/uboone_HNL_analysis, Rough_rate_calculation.ipynb,
#: commit a462aa2e, 2024). Public analysis code, not a journal number: that code (and MicroBooNE's later Higgs-portal
#: code, github.com/JoeBateman/HPS_ALP_Analysis) normalises to the g4numi absorber KDAR flux scaled by 8.0 (FHC) /
#: 8.6 (RHC) to MiniBooNE's measured KDAR nu_mu rate (PRL 120, 141802), a factor "taken from Owen's thesis"
#: (O. Goodwin, the arXiv:2207.03840 analysis; Utilities/Constants.py there).
NUMI_KDAR_NUMU_PER_POT = 0.085
#: relative 1 sigma of that normalisation: the same analysis' signal flux uncertainty, "Signal_flux_error": 0.3
#: "This comes from the KDAR flux uncertainty" (4_pyhf_limit.ipynb there)
NUMI_KDAR_RELATIVE_UNCERTAINTY = 0.30
#: the former order-of-magnitude estimate, kept as a cross-check of the cited number (docs/portal_hnl.md): the
#: fraction of NuMI's 120 GeV protons that cross the 94 cm graphite target (1.78 g/cm3) without a nuclear
#: interaction, exp(-L rho / lambda_I), lambda_I(C) = 85.8 g/cm2 (PDG 2022), times an ASSUMED 0.5 K+ DAR per
#: 120 GeV proton shower in the absorber, plus K+ from secondary hadrons: ~0.1 per POT, a factor 3 either way
NUMI_PROTONS_TO_ABSORBER = math.exp(-94.0 * 1.78 / 85.8)
NUMI_KDAR_PER_ABSORBED_PROTON = 0.5
NUMI_KDAR_ESTIMATE = 0.1
_NUMI_KDAR = NUMI_KDAR_NUMU_PER_POT / c.BR_K_MUNU  # K+ DAR per POT = nu_mu (KDAR) per POT / BR(K+ -> mu+ nu)
STOPPED_SOURCES.add(
    "numi-absorber",
    StoppedSource(
        "numi-absorber", "NuMI hadron absorber: K+ stopping and decaying at rest (only K+ DAR is modelled)",
        120.0e3 - c.M_P, "Al/Fe (NuMI hadron absorber)", 13,
        {"K+_dar": Yield(_NUMI_KDAR, NUMI_KDAR_RELATIVE_UNCERTAINTY * _NUMI_KDAR,
                         f"{NUMI_KDAR_NUMU_PER_POT} KDAR nu_mu per POT / BR(K+ -> mu+ nu) = {c.BR_K_MUNU}, "
                         f"+-{NUMI_KDAR_RELATIVE_UNCERTAINTY:.0%}: MicroBooNE NuMI HNL analysis code "
                         "(github.com/dmarsden01/uboone_HNL_analysis, Rough_rate_calculation.ipynb and 4_pyhf_limit."
                         "ipynb, commit a462aa2e; arXiv:2310.07660), whose signal is the g4numi absorber KDAR flux "
                         "scaled by 8.0 (FHC) / 8.6 (RHC) to MiniBooNE's KDAR measurement (PRL 120, 141802), as in "
                         "the arXiv:2207.03840 analysis; public analysis code, not a number printed in a paper"),
         "pi+_dar": Yield(0.0, 0.0, "pi+ decays at rest in the NuMI absorber are not modelled"),
         "mu+_dar": Yield(0.0, 0.0, "mu+ decays at rest in the NuMI absorber are not modelled"),
         "pi0": Yield(0.0, 0.0, "pi0 production in the NuMI absorber is not modelled"),
         "eta": Yield(0.0, 0.0, "eta production in the NuMI absorber is not modelled")},
        (Bunch(0.0, 9600.0, 1.0),), 0.75,
        "NuMI spill: ~9.6 us (six Booster batches), one spill per 1.33 s (NuMI beam, NIM A806, 279 (2016) "
        "arXiv:1507.06690); modelled as one Gaussian of 9.6 us FWHM",
    ),
    "NuMI hadron absorber (K+ decay at rest; MicroBooNE Higgs-portal search)",
)


#: where an experiment name belongs instead of a source name (the source layer does not look up detectors)
EXPERIMENT_HELPER = ("for a catalog experiment (ccm, coherent-csi, coherent-lar, jsns2, ...) use "
                     "darkbeam.pipeline.stopped_sources.experiment_source(name) -> (source, distance in mm), "
                     "or its wrappers experiment_neutrino_flux / experiment_neutrino_lines / "
                     "experiment_binned_neutrino_flux")


def get_source(name: str | StoppedSource) -> StoppedSource:
    """A :class:`StoppedSource` by source (beam) name ("sns", "lanl-lujan", "jparc-mlf", "numi-absorber").

    Experiment names are not accepted here (InputError pointing to
    :func:`darkbeam.pipeline.stopped_sources.experiment_source`, the layer that knows the catalog).
    """
    if isinstance(name, StoppedSource):
        return name
    if isinstance(name, str) and name in STOPPED_SOURCES:
        return STOPPED_SOURCES.get(name)
    raise InputError("stopped-pion source", name,
                     f"one of: {', '.join(STOPPED_SOURCES.names())} (a source, not an experiment); "
                     + EXPERIMENT_HELPER)


def yields_per_pot(source: str | StoppedSource) -> dict[str, Yield]:
    """Yields per POT of ``source`` (π⁺ DAR, μ⁺ DAR, π⁰, η, K⁺ DAR, ...; see the module doc)."""
    return dict(get_source(source).yields)


def pi0_over_pi_plus(source: str | StoppedSource) -> Yield:
    """The π⁰ / π⁺(DAR) ratio of ``source`` with its uncertainty (SNS: Geant4 π⁰ over COHERENT π⁺, relative
    uncertainties in quadrature; Lujan, J-PARC: the SNS ratio, J-PARC with 40 % more for the extrapolation)."""
    return get_source(source).yields["pi0/pi+"]


# ------------------------------------------------------------------------------------------------
# π⁰ / η production spectrum (Burman–Smith shape)
# ------------------------------------------------------------------------------------------------


def burman_smith(t: np.ndarray, theta_deg: np.ndarray, t_p: float, z: int) -> np.ndarray:
    """Unnormalised Burman–Smith π⁺ d²σ/dT dθ (includes sin θ) at pion kinetic energy t (MeV), polar angle
    theta_deg, proton kinetic energy t_p (MeV; 585–800 MeV) on a nucleus of charge z > 8.

    Formula and parameters: ``burman_smith`` in data/stopped/sources.json (LA-11502-MS, 1989, as in BdNMC).
    """
    bs = source_data()["burman_smith"]
    if z <= 8:
        raise InputError("target Z for the Burman-Smith heavy-target parameters", z, "Z > 8")
    if not 585.0 <= t_p <= bs["max_proton_kinetic_energy_MeV"]:
        raise InputError("proton kinetic energy for Burman-Smith", t_p, "585-800 MeV")
    ta = bs["T_A_deg"]
    sa = bs["sigma_A_MeV"]
    lam = (t_p - 585.0) / (730.0 - 585.0)  # linear in T_p between the 585 and 730 MeV parameter sets
    t_a = ta["585"] + lam * (ta["730"] - ta["585"])
    sig_a = sa["585"] + lam * (sa["730"] - sa["585"])
    tbar = bs["Tbar_MeV"][0] + bs["Tbar_MeV"][1] * np.exp(-theta_deg / t_a)
    sig = sig_a * np.exp(-theta_deg / bs["sigma_theta_deg"])
    amps = [min(27.0 - 4.0 * ((730.0 - t_p) / 145.0) ** 2, 27.0), 18.2, 8.0,
            13.0 + (z - 12.0) / 10.0, 9.0 + (z - 12.0) / 10.0 - (t_p - 685.0) / 20.0]
    amp = BSpline(np.array(bs["spline_knots_deg"], float), np.array(amps), 2, extrapolate=False)(theta_deg)
    b = bs["B_MeV"]
    t_f = t_p - 140.0 - 2.0 * b
    return (np.sin(np.radians(theta_deg)) * np.nan_to_num(amp) * np.exp(-0.5 * ((t - tbar) / sig) ** 2)
            / (1.0 + np.exp((t - t_f) / b)))


@dataclass(frozen=True)
class ProductionShape:
    """dN/dT ∝ T^(k−1) e^(−T/T₀) (T ≤ t_max) and dN/dcos θ ∝ 1 + a cos θ about +z."""

    k: float
    t0: float  # MeV
    a: float
    t_max: float  # MeV
    reference: str


@lru_cache(maxsize=8)
def _shape_at(t_p: float, z: int) -> tuple[float, float, float]:
    t = np.linspace(0.0, t_p, 801)
    th = np.linspace(0.0, 180.0, 721)
    tt, hh = np.meshgrid(t, th, indexing="ij")
    f = burman_smith(tt, hh, t_p, z)
    f_t = np.trapezoid(f, th, axis=1)
    f_t /= np.trapezoid(f_t, t)
    mean = np.trapezoid(t * f_t, t)
    var = np.trapezoid((t - mean) ** 2 * f_t, t)
    f_th = np.trapezoid(f, t, axis=0)  # per dθ (sin θ included)
    mean_cos = np.trapezoid(np.cos(np.radians(th)) * f_th, th) / np.trapezoid(f_th, th)
    return float(mean * mean / var), float(var / mean), float(3.0 * mean_cos)


def production_shape(source: str | StoppedSource) -> ProductionShape:
    """π⁰/η kinetic-energy and angle shape of ``source`` (gamma distribution matched to Burman–Smith)."""
    src = get_source(source)
    t_ref = min(src.proton_kinetic_energy, source_data()["burman_smith"]["max_proton_kinetic_energy_MeV"])
    k, t0, a = _shape_at(t_ref, src.target_z)
    return ProductionShape(k, t0, a, src.proton_kinetic_energy,
                           f"gamma(k, T0) and 1 + a cos(theta) matched to Burman-Smith pi+ at "
                           f"T_p = {t_ref:g} MeV, Z = {src.target_z}")


__all__ = ["EXPERIMENT_HELPER", "FWHM_TO_SIGMA", "STOPPED_SOURCES", "Bunch", "ProductionShape", "StoppedSource", "Yield",
           "burman_smith", "get_source", "pi0_over_pi_plus", "pi_plus_energy_scaling", "production_shape",
           "source_data", "yields_per_pot"]
