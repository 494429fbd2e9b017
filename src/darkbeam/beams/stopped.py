"""Stopped-pion sources (SNS, LANSCE Lujan, J-PARC MLF): decays at rest, π⁰/η in flight, timing, fluxes.

Public API (internal units MeV, mm, ns; weights per proton on target, POT; see docs/stopped_pion.md):

* Sources and yields (from :mod:`darkbeam.beams.stopped_yields`): :data:`STOPPED_SOURCES`,
  :func:`get_source` (by source name), :func:`yields_per_pot`, :func:`pi0_over_pi_plus`. Every function here
  takes a source ("sns", "lanl-lujan", "jparc-mlf", "numi-absorber" or a :class:`StoppedSource`), never an
  experiment name: the source layer does not look up detectors. For a catalog experiment use
  :func:`darkbeam.pipeline.stopped_sources.experiment_source` (its source and distance) or the wrappers there.
* :func:`decays_at_rest_per_pot`: π⁺ → μ⁺ν_μ, π⁺ → e⁺ν_e, μ⁺ → e⁺ν_e ν̄_μ, K⁺ → μ⁺ν_μ per POT.
* Spectra: the lines :data:`E_NU_PI` (29.79 MeV), :data:`E_NU_K` (235.5 MeV); :func:`michel_pdf` /
  :func:`michel_cdf` for ν_e and ν̄_μ from μ⁺ decay at rest (endpoint :data:`MICHEL_ENDPOINT`, 52.83 MeV).
* Fluxes at distance L (mm, given explicitly) from an isotropic point source, Φ = N × spectrum / (4π L²):
  :func:`neutrino_flux` (continuous part, per cm² per POT per MeV), :func:`neutrino_lines` (per cm² per POT),
  :func:`binned_neutrino_flux` (both, bin-averaged, per cm² per POT per MeV).
* Samplers returning :class:`~darkbeam.sample.ParticleSample` with ``extra["t"]`` (ns, from the centre of
  the first proton bunch): :func:`sample_pion_dar`, :func:`sample_muon_dar`, :func:`sample_kaon_dar`,
  :func:`sample_dar_neutrinos`, :func:`sample_neutral_mesons`, :func:`sample_neutral_meson_photons`.
* Dark-boson hook: :func:`stopped_mesons` (π⁺/K⁺ at rest at the target), whose samples the declared production
  channels decay (:mod:`darkbeam.pipeline.stopped_sources`).
* Timing: :func:`emission_time_cdf` (analytic; pulse ⊗ exponential decays).

Kinematics: two-body lines E = (M² − m²)/(2M) (PDG 2022, "Kinematics" §49.4.2); muon decay from the V−A
|M|² ∝ ((p_μ + m_μ s)·k_νe)(p_e·k_ν̄μ) for μ⁺ (the CP conjugate of the μ⁻ form quoted in
:mod:`darkbeam.production.sm_decays`). At rest |M|² depends on E_νe (through Q² = (p_μ − k_νe)²) and on ŝ·n̂_νe
only, so an event is: E_νe from E²(Q² − m_e²)²/Q², the ν_e direction from (1 − ŝ·n̂), then Q → e⁺ ν̄_μ
isotropic in the Q rest frame (flat Dalitz plot). For m_e → 0 this gives the Michel spectra 12x²(1 − x)
(ν_e) and 2x²(3 − 2x) (ν̄_μ), x = 2E/m_μ. A μ⁺ from π⁺ decay at rest has helicity −1, so its spin points
along the ν_μ; the polarisation is assumed kept while the μ⁺ stops (no depolarisation modelled). Decays at
rest happen at the target centre (origin); π⁺ and μ⁺ stopping times (~ns) are neglected.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from particle import Particle

from .. import constants as c
from ..errors import ClosedChannelError, InputError
from ..kinematics.fourvec import from_p_theta_phi, isotropic_directions, two_body_decay, two_body_momentum
from ..sample import ParticleSample
from .stopped_yields import (
    EXPERIMENT_HELPER,
    STOPPED_SOURCES,
    StoppedSource,
    Yield,
    get_source,
    pi0_over_pi_plus,
    production_shape,
    yields_per_pot,
)

# --- lifetimes (ns): PDG via scikit-hep `particle` (darkbeam.constants), τ = cτ / c --------------------
TAU_PI = c.CTAU_PI / c.C_LIGHT  # 26.03 ns
TAU_MU = c.CTAU_MU / c.C_LIGHT  # 2197 ns
TAU_K = c.CTAU_K / c.C_LIGHT  # 12.38 ns
TAU_PI0 = float(Particle.from_pdgid(111).lifetime)  # ns (hepunits), 8.43e-8 ns = 8.43e-17 s
TAU_ETA = float(Particle.from_pdgid(221).lifetime)  # ns, 5.0e-10 ns (Γ_η = 1.31 keV)

# --- line energies and the Michel endpoint (MeV) ------------------------------------------------------
E_NU_PI = float(two_body_momentum(c.M_PI, c.M_MU, 0.0))  # π⁺ → μ⁺ ν_μ: 29.79 MeV
E_NU_PI_E = float(two_body_momentum(c.M_PI, c.M_E, 0.0))  # π⁺ → e⁺ ν_e: 69.79 MeV
E_NU_K = float(two_body_momentum(c.M_K, c.M_MU, 0.0))  # K⁺ → μ⁺ ν_μ: 235.5 MeV
MICHEL_ENDPOINT = (c.M_MU**2 - c.M_E**2) / (2.0 * c.M_MU)  # 52.83 MeV (ν energy when e⁺ recoils against ν)

PDG = {"nu_e": 12, "nu_mu": 14, "nu_mu_bar": -14, "pi+": 211, "K+": 321, "pi0": 111, "eta": 221}
#: parent -> exponential delays after the proton arrives (ns) that set the emission/decay time
DELAYS = {"proton": (), "pi+": (TAU_PI,), "mu+": (TAU_PI, TAU_MU), "K+": (TAU_K,),
          "pi0": (), "eta": ()}  # π⁰/η lifetimes (~1e-7 ns) are below any resolution: treated as prompt


# ------------------------------------------------------------------------------------------------
# yields, spectra, fluxes
# ------------------------------------------------------------------------------------------------


def decays_at_rest_per_pot(source: str | StoppedSource) -> dict[str, Yield]:
    """Decays at rest per POT, by channel (π⁺ → μ⁺ν_μ and → e⁺ν_e, μ⁺ → e⁺ν_e ν̄_μ, K⁺ → μ⁺ν_μ).

    Branching ratios: PDG 2022 (:mod:`darkbeam.constants`). Each decay gives one neutrino of each listed
    species.
    """
    y = get_source(source).yields
    pi, mu, k = y["pi+_dar"], y["mu+_dar"], y["K+_dar"]

    def scaled(yy: Yield, br: float, what: str) -> Yield:
        return Yield(yy.value * br, yy.uncertainty * br, f"{what}: yield x BR (PDG 2022)")

    return {
        "pi+ -> mu+ nu_mu": scaled(pi, c.BR_PI_MUNU, "pi+ DAR"),
        "pi+ -> e+ nu_e": scaled(pi, c.BR_PI_ENU, "pi+ DAR"),
        "mu+ -> e+ nu_e nu_mu_bar": scaled(mu, 1.0, "mu+ DAR"),
        "K+ -> mu+ nu_mu": scaled(k, c.BR_K_MUNU, "K+ DAR"),
    }


#: neutrino lines of decays at rest: (channel, species, energy in MeV)
LINES = (("pi+ -> mu+ nu_mu", "nu_mu", E_NU_PI), ("pi+ -> e+ nu_e", "nu_e", E_NU_PI_E),
         ("K+ -> mu+ nu_mu", "nu_mu", E_NU_K))
#: continuous spectra: species from μ⁺ decay at rest
MICHEL_SPECIES = ("nu_e", "nu_mu_bar")


def _x(e: np.ndarray) -> np.ndarray:
    return 2.0 * np.asarray(e, dtype=float) / c.M_MU


def michel_pdf(species: str, e: np.ndarray | float) -> np.ndarray:
    """Normalised energy density (1/MeV) of ν_e or ν̄_μ from unpolarised μ⁺ decay at rest (m_e → 0).

    ν_e: 12x²(1 − x), ν̄_μ: 2x²(3 − 2x), x = 2E/m_μ ∈ [0, 1] (e.g. Okun, "Leptons and Quarks", §6; the
    massless-electron limit of the |M|² above; means ⟨x⟩ = 3/5 and 7/10).
    """
    x = _x(e)
    if species == "nu_e":
        f = 12.0 * x * x * (1.0 - x)
    elif species == "nu_mu_bar":
        f = 2.0 * x * x * (3.0 - 2.0 * x)
    else:
        raise InputError("Michel species", species, MICHEL_SPECIES)
    return np.where((x >= 0) & (x <= 1), f, 0.0) * 2.0 / c.M_MU


def michel_cdf(species: str, e: np.ndarray | float) -> np.ndarray:
    """Cumulative of :func:`michel_pdf`: ν_e 4x³ − 3x⁴, ν̄_μ 2x³ − x⁴ (x clipped to [0, 1])."""
    x = np.clip(_x(e), 0.0, 1.0)
    if species == "nu_e":
        return 4 * x**3 - 3 * x**4
    if species == "nu_mu_bar":
        return 2 * x**3 - x**4
    raise InputError("Michel species", species, MICHEL_SPECIES)


def _source_and_distance(source: str | StoppedSource, distance: float | None) -> tuple[StoppedSource, float]:
    """(source, L in mm) from a source (name or object) and an explicit ``distance`` in mm."""
    src = get_source(source)  # an experiment name raises InputError naming the pipeline helper
    if distance is None:
        raise InputError("distance", None, "a distance from the source in mm; " + EXPERIMENT_HELPER)
    if not (distance > 0 and math.isfinite(distance)):
        raise InputError("distance", distance, "a finite distance > 0 mm")
    return src, float(distance)


def _inv_area_cm2(distance_mm: float) -> float:
    return 1.0 / (4.0 * math.pi * (distance_mm / 10.0) ** 2)  # 1 / (4π L²) with L in cm (mm / 10)


def neutrino_flux(source: str | StoppedSource, species: str, energy: np.ndarray | float,
                  distance: float | None = None) -> np.ndarray:
    """Continuous dΦ/dE (per cm² per POT per MeV) of ``species`` at ``energy`` (MeV), at ``distance`` (mm,
    required) from the isotropic ``source``.

    dΦ/dE = N(μ⁺ DAR per POT) × michel_pdf(E) / (4π L²); ν_μ (lines only) and species without a continuous
    spectrum give 0 (their lines are in :func:`neutrino_lines`). A missing distance, or an experiment name
    instead of a source, raises InputError (for an experiment see
    :func:`darkbeam.pipeline.stopped_sources.experiment_neutrino_flux`).
    """
    src, dist = _source_and_distance(source, distance)
    if species not in ("nu_e", "nu_mu", "nu_mu_bar"):
        raise InputError("neutrino species", species, ("nu_e", "nu_mu", "nu_mu_bar"))
    e = np.asarray(energy, dtype=float)
    if species not in MICHEL_SPECIES:
        return np.zeros_like(e)
    return src.yields["mu+_dar"].value * michel_pdf(species, e) * _inv_area_cm2(dist)


def neutrino_lines(source: str | StoppedSource, distance: float | None = None) -> list[dict[str, Any]]:
    """Monoenergetic neutrino fluxes (per cm² per POT) at ``distance`` L (mm, required) from ``source``:
    N(decays per POT) / (4π L²)."""
    src, dist = _source_and_distance(source, distance)
    dar = decays_at_rest_per_pot(src)
    inv = _inv_area_cm2(dist)
    return [{"channel": ch, "species": sp, "energy_MeV": e, "flux_per_cm2_per_pot": dar[ch].value * inv,
             "uncertainty": dar[ch].uncertainty * inv} for ch, sp, e in LINES if dar[ch].value > 0]


def binned_neutrino_flux(source: str | StoppedSource, edges: np.ndarray, distance: float | None = None
                         ) -> dict[str, np.ndarray]:
    """Bin-averaged flux (per cm² per POT per MeV) of ν_e, ν_μ, ν̄_μ in bins ``edges`` (MeV), lines added, at
    ``distance`` (mm, required) from ``source``."""
    src, dist = _source_and_distance(source, distance)
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise InputError("edges", edges, "increasing bin edges (MeV)")
    width = np.diff(edges)
    inv = _inv_area_cm2(dist)
    out = {s: np.zeros(len(width)) for s in ("nu_e", "nu_mu", "nu_mu_bar")}
    for s in MICHEL_SPECIES:
        out[s] += src.yields["mu+_dar"].value * np.diff(michel_cdf(s, edges)) * inv / width
    for line in neutrino_lines(src, dist):
        i = np.searchsorted(edges, line["energy_MeV"], side="right") - 1
        if 0 <= i < len(width):
            out[line["species"]][i] += line["flux_per_cm2_per_pot"] / width[i]
    return out


# ------------------------------------------------------------------------------------------------
# timing
# ------------------------------------------------------------------------------------------------


def emission_time_cdf(source: str | StoppedSource, parent: str, t: np.ndarray | float) -> np.ndarray:
    """P(emission time ≤ t) of neutrinos (or decays) of ``parent`` at ``source``, t in ns from bunch 1.

    parent: "proton" (the pulse itself), "pi+" (π⁺ DAR: ν_μ), "mu+" (μ⁺ DAR: ν_e, ν̄_μ), "K+" (KDAR ν_μ),
    "pi0", "eta" (prompt). Pulse ⊗ exponentials, see :meth:`StoppedSource.time_cdf`.
    """
    if parent not in DELAYS:
        raise InputError("parent", parent, DELAYS.keys())
    return get_source(source).time_cdf(t, DELAYS[parent])


def _times(rng: np.random.Generator, src: StoppedSource, n: int,
           *taus: float) -> tuple[np.ndarray, np.ndarray]:
    """(proton times, proton times + Σ Exp(τ)) for n decays, ns."""
    t0 = src.sample_proton_times(rng, n)
    t = t0.copy()
    for tau in taus:
        t += rng.exponential(tau, n)
    return t0, t


# ------------------------------------------------------------------------------------------------
# decays at rest
# ------------------------------------------------------------------------------------------------


def _check_n(n: int) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise InputError("n", n, "an integer >= 1")
    return int(n)


def _need(src: StoppedSource, species: str) -> Yield:
    y = src.yields[species]
    if y.value <= 0.0:
        raise ClosedChannelError(f"no {species} at the {src.name} source (yield 0: {y.reference})")
    return y


def _two_body_at_rest(rng: np.random.Generator, n: int, m_parent: float, m_lepton: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P⁺ → ℓ⁺ ν at rest, isotropic: (ν four-momenta, ℓ four-momenta, ν unit directions)."""
    q = float(two_body_momentum(m_parent, m_lepton, 0.0))
    d = isotropic_directions(rng, n)
    nu = np.concatenate([np.full((n, 1), q), q * d], axis=1)
    lep = np.concatenate([np.full((n, 1), math.sqrt(q * q + m_lepton**2)), -q * d], axis=1)
    return nu, lep, d


def sample_pion_dar(rng: np.random.Generator, source: str | StoppedSource, n: int) -> ParticleSample:
    """ν_μ from n π⁺ → μ⁺ ν_μ decays at rest (the 29.79 MeV prompt line); weights N(π⁺ DAR) × BR / n per POT.

    extra: ``t`` (decay time, ns), ``t_production`` (proton time), ``p4_mu`` (μ⁺ four-momentum, MeV),
    ``spin_mu`` (μ⁺ spin unit vector: along the ν_μ, helicity −1).
    """
    src, n = get_source(source), _check_n(n)
    y = _need(src, "pi+_dar")
    t0, t = _times(rng, src, n, TAU_PI)
    nu, mu, d = _two_body_at_rest(rng, n, c.M_PI, c.M_MU)
    return ParticleSample(np.full(n, PDG["nu_mu"]), nu, np.zeros((n, 3)),
                          np.full(n, y.value * c.BR_PI_MUNU / n), "per POT",
                          {"t": t, "t_production": t0, "p4_mu": mu, "spin_mu": d})


def _unit_perp(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors completing the unit vectors s (N,3) to right-handed orthonormal bases."""
    helper = np.where(np.abs(s[:, :1]) < 0.9, np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]))
    e1 = np.cross(helper, s)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    return e1, np.cross(s, e1)


def _muon_decays_at_rest(rng: np.random.Generator, spin: np.ndarray | None, n: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n μ⁺ → e⁺ ν_e ν̄_μ at rest (see the module doc): (k_νe, k_ν̄μ, p_e) four-momenta, (n, 4) each, MeV."""
    m, me2 = c.M_MU, c.M_E**2
    e_nu = np.empty(0)
    while e_nu.size < n:  # proposal x ~ Beta(3, 2) (the m_e → 0 density), accept with ((Q² − m_e²)/Q²)²
        k = int(1.05 * (n - e_nu.size)) + 64
        e = 0.5 * m * rng.beta(3.0, 2.0, k)
        q2 = m * m - 2.0 * m * e
        ok = (q2 > me2) & (rng.random(k) < ((q2 - me2) / np.where(q2 > 0, q2, 1.0)) ** 2)
        e_nu = np.concatenate([e_nu, e[ok]])
    e_nu = e_nu[:n]
    if spin is None:
        d = isotropic_directions(rng, n)
    else:  # density (1 − ŝ·n̂)/2: with v = 1 − cos, v/2 on [0, 2] → v = 2√u
        cos = 1.0 - 2.0 * np.sqrt(rng.random(n))
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
        e1, e2 = _unit_perp(spin)
        sin = np.sqrt(np.clip(1.0 - cos * cos, 0.0, None))[:, None]
        d = cos[:, None] * spin + sin * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
    k_e = np.concatenate([e_nu[:, None], e_nu[:, None] * d], axis=1)
    q = -k_e
    q[:, 0] += m  # Q = p_μ − k_νe, then Q → e⁺ ν̄_μ isotropically in its rest frame
    p_e, k_m = two_body_decay(rng, q, c.M_E, 0.0)
    return k_e, k_m, p_e


def sample_muon_dar(rng: np.random.Generator, source: str | StoppedSource, n: int,
                    pions: ParticleSample | None = None, polarised: bool = True) -> ParticleSample:
    """ν_e and ν̄_μ from n μ⁺ → e⁺ ν_e ν̄_μ decays at rest: 2n rows (ν_e first), weights N(μ⁺ DAR) / n per POT.

    With ``pions`` (the output of :func:`sample_pion_dar`, n rows) the muons continue those decays (their
    times and spins); otherwise the chain π⁺ → μ⁺ → decay is sampled here with isotropic spins.
    ``polarised=False`` decays unpolarised muons. extra: ``t`` (ns), ``t_production``, ``p4_positron``,
    ``p4_partner`` (the other neutrino of the decay), ``spin_mu``, ``decay_index`` (0..n−1).
    """
    src, n = get_source(source), _check_n(n)
    y = _need(src, "mu+_dar")
    if pions is None:
        t0, t_pi = _times(rng, src, n, TAU_PI)
        spin = isotropic_directions(rng, n)
    else:
        if len(pions) != n:
            raise InputError("pions", f"{len(pions)} rows", f"the output of sample_pion_dar with n = {n}")
        t0, t_pi, spin = pions.extra["t_production"], pions.extra["t"], pions.extra["spin_mu"]
    t = t_pi + rng.exponential(TAU_MU, n)
    k_e, k_m, p_e = _muon_decays_at_rest(rng, spin if polarised else None, n)
    idx = np.arange(n)
    w = np.full(2 * n, y.value / n)
    extra = {"t": np.tile(t, 2), "t_production": np.tile(t0, 2), "p4_positron": np.vstack([p_e, p_e]),
             "p4_partner": np.vstack([k_m, k_e]), "spin_mu": np.vstack([spin, spin]),
             "decay_index": np.tile(idx, 2)}
    pdg = np.concatenate([np.full(n, PDG["nu_e"]), np.full(n, PDG["nu_mu_bar"])])
    return ParticleSample(pdg, np.vstack([k_e, k_m]), np.zeros((2 * n, 3)), w, "per POT", extra)


def sample_kaon_dar(rng: np.random.Generator, source: str | StoppedSource, n: int) -> ParticleSample:
    """ν_μ from n K⁺ → μ⁺ ν_μ decays at rest (the 235.5 MeV KDAR line); weights N(K⁺ DAR) × BR / n per POT.

    Raises ClosedChannelError where the source makes no kaons (SNS, Lujan: below threshold).
    extra: ``t``, ``t_production``, ``p4_mu``.
    """
    src, n = get_source(source), _check_n(n)
    y = _need(src, "K+_dar")
    t0, t = _times(rng, src, n, TAU_K)
    nu, mu, _ = _two_body_at_rest(rng, n, c.M_K, c.M_MU)
    return ParticleSample(np.full(n, PDG["nu_mu"]), nu, np.zeros((n, 3)),
                          np.full(n, y.value * c.BR_K_MUNU / n), "per POT",
                          {"t": t, "t_production": t0, "p4_mu": mu})


def sample_dar_neutrinos(rng: np.random.Generator, source: str | StoppedSource, n: int,
                         polarised: bool = True) -> ParticleSample:
    """All decay-at-rest neutrinos of ``source``: n π⁺ decays, the n following μ⁺ decays and, where the source
    makes kaons, n K⁺ decays. extra: ``t`` (ns) and ``parent_pdg`` (211, −13, 321)."""
    src = get_source(source)
    pions = sample_pion_dar(rng, src, n)
    parts = [pions, sample_muon_dar(rng, src, n, pions=pions, polarised=polarised)]
    parts[0].extra["parent_pdg"] = np.full(len(parts[0]), 211)
    parts[1].extra["parent_pdg"] = np.full(len(parts[1]), -13)
    if src.yields["K+_dar"].value > 0:
        k = sample_kaon_dar(rng, src, n)
        k.extra["parent_pdg"] = np.full(n, 321)
        parts.append(k)
    return ParticleSample.concat(parts)


# ------------------------------------------------------------------------------------------------
# π⁰ / η in flight
# ------------------------------------------------------------------------------------------------

_NEUTRAL = {"pi0": (c.M_PI0, TAU_PI0, c.BR_PI0_GG), "eta": (c.M_ETA, TAU_ETA, c.BR_ETA_GG)}


def sample_neutral_mesons(rng: np.random.Generator, source: str | StoppedSource, n: int,
                          species: str = "pi0") -> ParticleSample:
    """n π⁰ (or η) produced in the target (at the origin), weights N per POT / n.

    Kinetic energy from the gamma distribution and direction from 1 + a cos θ of
    :func:`~darkbeam.beams.stopped_yields.production_shape`. extra: ``t`` (decay time, ns; γτ is ~1e-7 ns),
    ``t_production``.
    """
    src, n = get_source(source), _check_n(n)
    if species not in _NEUTRAL:
        raise InputError("neutral meson", species, _NEUTRAL.keys())
    y = _need(src, species)
    mass, tau, _ = _NEUTRAL[species]
    shape = production_shape(src)
    tk = np.empty(0)
    while tk.size < n:  # truncate the gamma tail at the beam kinetic energy
        draw = rng.gamma(shape.k, shape.t0, int(1.02 * (n - tk.size)) + 16)
        tk = np.concatenate([tk, draw[draw <= shape.t_max]])
    tk = tk[:n]
    if abs(shape.a) > 1e-12:  # cos θ from (1 + a c)/2: inverse of the quadratic CDF
        u = rng.random(n)
        disc = 1.0 - 2.0 * shape.a * (1.0 - 0.5 * shape.a - 2.0 * u)
        cos = (-1.0 + np.sqrt(np.clip(disc, 0.0, None))) / shape.a
    else:
        cos = rng.uniform(-1.0, 1.0, n)
    p = np.sqrt(tk * (tk + 2.0 * mass))
    p4 = from_p_theta_phi(p, np.arccos(np.clip(cos, -1.0, 1.0)), rng.uniform(0.0, 2 * np.pi, n), mass)
    t0, _ = _times(rng, src, n)
    t = t0 + rng.exponential(tau, n) * p4[:, 0] / mass
    return ParticleSample(np.full(n, PDG[species]), p4, np.zeros((n, 3)), np.full(n, y.value / n), "per POT",
                          {"t": t, "t_production": t0})


def sample_neutral_meson_photons(rng: np.random.Generator, mesons: ParticleSample) -> ParticleSample:
    """π⁰/η → γγ in flight (isotropic in the meson rest frame): 2 rows per meson, each weighted w × BR(γγ)
    (PDG 2022), so Σw = photons per POT.

    extra: ``t`` (the meson's decay time), ``parent_index``, ``parent_pdg``, ``p4_partner`` (the other
    photon).
    """
    pieces = []
    for name, (mass, _tau, br) in _NEUTRAL.items():
        idx = np.flatnonzero(mesons.pdg == PDG[name])
        if len(idx) == 0:
            continue
        parent = mesons.p4[idx].copy()
        parent[:, 0] = np.sqrt(np.sum(parent[:, 1:] ** 2, axis=1) + mass**2)  # on the mass shell
        g1, g2 = two_body_decay(rng, parent, 0.0, 0.0)
        both = np.concatenate([idx, idx])
        pieces.append(ParticleSample(
            np.full(2 * len(idx), 22), np.vstack([g1, g2]), mesons.x[both], mesons.w[both] * br,
            mesons.weight_unit,
            {"t": mesons.extra["t"][both], "parent_index": both, "parent_pdg": mesons.pdg[both],
             "p4_partner": np.vstack([g2, g1])}))
    return ParticleSample.concat(pieces) if pieces else ParticleSample.empty(mesons.weight_unit)


# ------------------------------------------------------------------------------------------------
# dark-boson hooks
# ------------------------------------------------------------------------------------------------


def stopped_mesons(rng: np.random.Generator, source: str | StoppedSource, n: int,
                   species: str = "pi+") -> ParticleSample:
    """n π⁺ (or K⁺) at rest at the target centre, weights N(DAR) / n per POT, p4 = (M, 0, 0, 0).

    The declared production channels decay them (:mod:`darkbeam.pipeline.stopped_sources`). extra: ``t`` (decay
    time, ns), ``t_production``.
    """
    src, n = get_source(source), _check_n(n)
    table = {"pi+": ("pi+_dar", c.M_PI, TAU_PI), "K+": ("K+_dar", c.M_K, TAU_K)}
    if species not in table:
        raise InputError("stopped meson", species, table.keys())
    key, mass, tau = table[species]
    y = _need(src, key)
    t0, t = _times(rng, src, n, tau)
    p4 = np.zeros((n, 4))
    p4[:, 0] = mass
    return ParticleSample(np.full(n, PDG[species]), p4, np.zeros((n, 3)), np.full(n, y.value / n), "per POT",
                          {"t": t, "t_production": t0})


__all__ = [
    "DELAYS", "EXPERIMENT_HELPER", "E_NU_K", "E_NU_PI", "E_NU_PI_E", "LINES", "MICHEL_ENDPOINT", "MICHEL_SPECIES",
    "STOPPED_SOURCES", "TAU_K", "TAU_MU", "TAU_PI", "StoppedSource", "Yield", "binned_neutrino_flux",
    "decays_at_rest_per_pot",
    "emission_time_cdf", "get_source", "michel_cdf", "michel_pdf", "neutrino_flux", "neutrino_lines",
    "pi0_over_pi_plus", "production_shape", "sample_dar_neutrinos", "sample_kaon_dar", "sample_muon_dar",
    "sample_neutral_meson_photons", "sample_neutral_mesons", "sample_pion_dar", "stopped_mesons",
    "yields_per_pot",
]
