"""Fast parametrised detector response for electron-like (single-shower) signals.

Input: final-state four-momenta per event (one photon / electron, or an e+e- / gamma-gamma pair)
in MeV with the beam along +z, plus event weights. Output: a columnar :class:`ResponseResult`
with the visible energy E_vis, cos(theta) to the beam, the CCQE-hypothesis neutrino energy E_QE
and the accepted weights (selection efficiency applied, 0 for rejected events).

MiniBooNE (Cherenkov detector) treatment, following seed 000 (Dutta et al., "Solutions to the
MiniBooNE anomaly from new physics in charged meson decays", "Fits and discussions"): a 140 MeV
visible-energy threshold, e+e- pairs with opening angle below 10 degrees count as one shower,
energy-dependent detection efficiency (official eg_effs table). Seed 000 footnote 1 (citing
Ballett, Pascoli, Ross-Lonergan, PRD 99, 071701 (2019), arXiv:1808.02915) adds highly
energy-asymmetric pairs as a second route to a single electron-like ring: by default a pair is
also one shower when the softer lepton's kinetic energy is below 30 MeV (the value used in the
MiniBooNE-DarkNews analysis code, github.com/mhostert/MiniBooNE-DarkNews, fastbnb); an optional
cut on the softer energy fraction can be enabled. A pair that is neither overlapping nor
asymmetric gives two rings and is rejected.

For an accepted pair, E_vis is the summed energy and the direction is that of the summed momentum.
E_vis is the total energy of the visible particles (for electrons it differs from the kinetic
energy by m_e per particle; negligible at the 140 MeV threshold).

Smearing is OFF by default (deterministic response). When enabled (``smear=True``), the energy
is smeared with sigma_E = a sqrt(E/GeV) GeV + b (a = 0.12, b = 10 MeV) and the direction by a
Gaussian polar angle sigma_theta[deg] = ln(1 GeV/E) + 2.7 (clipped to >= 1 deg), the MiniBooNE
resolutions used by MiniBooNE-DarkNews (fastbnb/fastmc.py), citing J. Phys. Conf. Ser. 120,
052003 (2008) and R. B. Patterson's thesis (Princeton 2007).

LArTPC (MicroBooNE, SBND, ICARUS) treatment (:class:`LArTPCResponse`): imaging and calorimetry
separate a photon (its shower starts after a conversion gap with the dE/dx of two minimum-ionising
tracks) from an electron (one track), and resolve two showers at a common vertex. Each event is put
in a topology: single photon-like shower "1g" (a photon, or an unresolved e+e- pair, which has the
photon's 2-MIP start), single electron-like shower "1e" (e+e- with one lepton below the 30 MeV
shower threshold) or two resolved showers "2sh" (e+e- opening angle above 5 degrees, the value
MiniBooNE-DarkNews uses for MicroBooNE). Signal topologies per process (all accepted by default):
dark Primakoff → 1g (the MicroBooNE 1γ0p/1γNp selections; coherent argon events have no proton);
iDM and dark neutrinos → e+e-: 1g when collimated, 1e when asymmetric, 2sh when resolved.
Flat efficiency 7.0 % per topology (overall efficiency of MicroBooNE's inclusive single-photon
selection, arXiv:2502.06064; assumed for 1e/2sh and for SBND/ICARUS too), 100 MeV E_vis threshold,
smearing on by default: sigma_E/E = 15 %/sqrt(E/GeV) (SBN proposal arXiv:1503.01520) and 3 degrees
in direction. Rates use the active argon masses of detectors/catalog.py (efficiency includes the
fiducial cut). See docs/predictions.md.

DUNE ND-LAr ("dune-nd") uses the same :class:`LArTPCResponse` with the DUNE CDR vol. 2 parametrised e/γ
reconstruction (arXiv:1512.06148: 30 MeV threshold, 15 %/√E ⊕ 2 %, 1°) and efficiency 1 in the catalog's 67 t
fiducial volume (an assumption, stated in every prediction's warnings through ``assumptions``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import hepunits as hu
import numpy as np

from ..constants import M_E, M_N, M_P
from ..data.miniboone_release import miniboone_efficiency
from ..errors import InputError
from ..kinematics.fourvec import mass
from ..registry import Registry

#: CCQE-hypothesis nucleon binding energies used by MiniBooNE: 34 MeV in neutrino mode
#: (PRD 81, 092005 (2010), Eq. 3) and 30 MeV in antineutrino mode (PRD 88, 032001 (2013)).
BINDING_ENERGY = {"neutrino": 34.0 * hu.MeV, "antineutrino": 30.0 * hu.MeV}
RESPONSE_OBSERVABLES = ("E_vis", "cos_theta", "E_QE")


def reconstruct_eqe(
    E_lepton: np.ndarray,
    cos_theta: np.ndarray,
    mode: str = "neutrino",
    binding_energy: float | None = None,
    m_lepton: float = M_E,
) -> np.ndarray:
    """Neutrino energy under the CCQE hypothesis (lepton kinematics, nucleon at rest), MeV.

    E_QE = [2 M' E - (M'^2 + m^2 - M_f^2)] / [2 (M' - E + p cos(theta))],  M' = M_i - E_B,
    with (M_i, M_f) = (M_n, M_p) for neutrinos and (M_p, M_n) for antineutrinos
    (MiniBooNE, PRD 81, 092005 (2010), Eq. 3; used for the nu_e sample in arXiv:2006.16883).

    Args:
        E_lepton: total lepton (or shower, under the electron hypothesis) energy, MeV.
        cos_theta: cosine of the lepton angle to the beam.
        mode: "neutrino" or "antineutrino" (which nucleon is struck).
        binding_energy: E_B in MeV; default :data:`BINDING_ENERGY` of the mode.
        m_lepton: lepton mass, MeV (electron by default).

    Returns:
        E_QE in MeV; ``inf`` where the denominator is not positive (kinematically impossible
        under the hypothesis: such events fall outside any binning).
    """
    if mode not in BINDING_ENERGY:
        raise InputError("mode", mode, BINDING_ENERGY.keys())
    eb = BINDING_ENERGY[mode] if binding_energy is None else float(binding_energy)
    m_i, m_f = (M_N, M_P) if mode == "neutrino" else (M_P, M_N)
    e = np.maximum(np.asarray(E_lepton, float), m_lepton)
    p = np.sqrt(e * e - m_lepton * m_lepton)
    mprime = m_i - eb
    num = 2.0 * mprime * e - (mprime**2 + m_lepton**2 - m_f**2)
    den = 2.0 * (mprime - e + p * np.asarray(cos_theta, float))
    safe = den > 0
    return np.where(safe, num / np.where(safe, den, 1.0), np.inf)


@dataclass
class ResponseResult:
    """Columnar detector response; one entry per input event (rejected events have weight 0).

    Attributes:
        E_vis: reconstructed visible energy, MeV.
        cos_theta: cosine of the reconstructed shower direction to the beam (+z).
        E_QE: reconstructed CCQE neutrino energy, MeV (inf where undefined).
        weight: accepted weight = input weight x efficiency x acceptance (same unit as input).
        efficiency: detection efficiency at the true visible energy.
        accepted: selection decision.
        single_shower: the final state looks like one electron-like shower.
        E_vis_true: visible energy before smearing, MeV.
        topology: LArTPC topology label per event ("1g", "1e", "2sh", ""); None for MiniBooNE.
    """

    E_vis: np.ndarray
    cos_theta: np.ndarray
    E_QE: np.ndarray
    weight: np.ndarray
    efficiency: np.ndarray
    accepted: np.ndarray
    single_shower: np.ndarray
    E_vis_true: np.ndarray
    topology: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.weight)

    def total(self) -> float:
        """Sum of accepted weights."""
        return float(self.weight.sum())

    def histogram(self, observable: str, edges: np.ndarray) -> np.ndarray:
        """Sum of accepted weights per bin of ``observable`` ("E_vis", "cos_theta" or "E_QE")."""
        if observable not in RESPONSE_OBSERVABLES:
            raise InputError("observable", observable, RESPONSE_OBSERVABLES)
        x = getattr(self, observable)
        m = self.accepted & np.isfinite(x)
        return np.histogram(x[m], bins=np.asarray(edges, float), weights=self.weight[m])[0]


def _unit(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.linalg.norm(v, axis=1)
    ok = n > 0
    u = np.zeros_like(v)
    u[ok] = v[ok] / n[ok, None]
    return u, ok


def _smear_direction(rng: np.random.Generator, u: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Rotate unit vectors u (N,3) by a Gaussian polar angle (width sigma, rad), uniform azimuth."""
    n = len(u)
    # orthonormal basis (e1, e2) perpendicular to u
    helper = np.where(np.abs(u[:, 2:3]) < 0.9, np.array([[0.0, 0.0, 1.0]]), np.array([[1.0, 0.0, 0.0]]))
    e1, _ = _unit(np.cross(u, helper))
    e2 = np.cross(u, e1)
    dth = np.abs(rng.normal(0.0, 1.0, n) * sigma)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    st = np.sin(dth)
    return u * np.cos(dth)[:, None] + (e1 * np.cos(phi)[:, None] + e2 * np.sin(phi)[:, None]) * st[:, None]


def _as_p4(p4: np.ndarray, field_name: str) -> np.ndarray:
    a = np.asarray(p4, float)
    if a.ndim != 2 or a.shape[1] != 4:
        raise InputError(field_name, f"array of shape {a.shape}", "an (N, 4) array of (E, px, py, pz) in MeV")
    if not np.all(np.isfinite(a)):
        raise InputError(field_name, "non-finite entries", "finite four-momenta in MeV")
    return a


def _check_inputs(p4_a, p4_b, weights, eqe_mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate response inputs: (N,4) four-momenta, optional second particle (zeros if absent),
    finite (N,) weights (default 1), and a known E_QE mode. Returns (a, b, w)."""
    a = _as_p4(p4_a, "p4_a")
    n = len(a)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    if w.shape != (n,):
        raise InputError("weights", f"shape {w.shape}", f"a 1-d array of length {n}")
    if not np.all(np.isfinite(w)):
        raise InputError("weights", "non-finite entries", "finite weights")
    if eqe_mode not in BINDING_ENERGY:
        raise InputError("eqe_mode", eqe_mode, BINDING_ENERGY.keys())
    if p4_b is None:
        b = np.zeros_like(a)
    else:
        b = _as_p4(p4_b, "p4_b")
        if b.shape != a.shape:
            raise InputError("p4_b", f"shape {b.shape}", f"same shape as p4_a {a.shape}")
    return a, b, w


@dataclass(frozen=True)
class ShowerResponse:
    """Parametrised single-shower (electron-like) detector response.

    Attributes:
        name: label.
        threshold: minimum reconstructed visible energy, MeV.
        max_opening_angle: pairs with a smaller opening angle form one shower, rad.
        soft_kinetic_max: a pair whose softer particle has kinetic energy below this is one
            shower (MeV); None disables.
        soft_fraction_max: a pair whose softer particle carries less than this fraction of the
            pair energy is one shower; None disables.
        efficiency: callable, efficiency at the true visible energy (MeV).
        efficiency_includes_fiducial: if False, the efficiency is divided by ``fiducial_fraction``
            (the MiniBooNE table includes the fiducial-volume cut).
        fiducial_fraction: fiducial/total volume ratio used when undoing the fiducial cut.
        smear: apply energy/angle smearing (needs an rng or ``seed``).
        energy_stochastic, energy_constant: sigma_E = a sqrt(E/GeV) GeV + b.
        eqe_mode: CCQE hypothesis for E_QE ("neutrino" or "antineutrino").
        binding_energy: E_B for E_QE, MeV (None: mode default).
        seed: default random seed for smearing.
    """

    name: str = "miniboone"
    threshold: float = 140.0 * hu.MeV
    max_opening_angle: float = 10.0 * hu.degree
    soft_kinetic_max: float | None = 30.0 * hu.MeV
    soft_fraction_max: float | None = None
    efficiency: Callable[[np.ndarray], np.ndarray] = field(default=miniboone_efficiency)
    efficiency_includes_fiducial: bool = True
    fiducial_fraction: float = (500.0 / 610.6) ** 3
    smear: bool = False
    energy_stochastic: float = 0.12
    energy_constant: float = 10.0 * hu.MeV
    eqe_mode: str = "neutrino"
    binding_energy: float | None = None
    seed: int | None = None

    def with_options(self, **kw) -> ShowerResponse:
        """Copy with some attributes changed (unknown names raise InputError)."""
        allowed = set(self.__dataclass_fields__)
        for k in kw:
            if k not in allowed:
                raise InputError("response option", k, allowed)
        return replace(self, **kw)

    def __call__(
        self,
        p4_a: np.ndarray,
        p4_b: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> ResponseResult:
        """Apply the response.

        Args:
            p4_a: (N, 4) four-momenta (MeV) of the single visible particle, or of the first
                member of a pair.
            p4_b: optional (N, 4) four-momenta of the second pair member; rows with E = 0 are
                treated as single-particle events.
            weights: (N,) event weights (any unit, e.g. events per POT); default 1.
            rng: random generator for smearing (default: ``np.random.default_rng(self.seed)``).

        Returns:
            :class:`ResponseResult`.
        """
        a, b, w = _check_inputs(p4_a, p4_b, weights, self.eqe_mode)
        n = len(a)
        is_pair = b[:, 0] > 0

        # --- one shower or two? ---------------------------------------------------------
        ua, _ = _unit(a[:, 1:])
        ub, _ = _unit(b[:, 1:])
        cos_open = np.clip(np.sum(ua * ub, axis=1), -1.0, 1.0)
        overlapping = cos_open > np.cos(self.max_opening_angle)
        e_soft = np.minimum(a[:, 0], b[:, 0])
        soft_is_a = a[:, 0] <= b[:, 0]
        m_soft = np.where(soft_is_a, mass(a), mass(b))
        asymmetric = np.zeros(n, bool)
        if self.soft_kinetic_max is not None:
            asymmetric |= (e_soft - m_soft) < self.soft_kinetic_max
        if self.soft_fraction_max is not None:
            asymmetric |= e_soft < self.soft_fraction_max * (a[:, 0] + b[:, 0])
        single = ~is_pair | overlapping | asymmetric

        # --- visible energy and direction ---------------------------------------------------
        vis = a + np.where(is_pair[:, None], b, 0.0)
        e_true = vis[:, 0]
        u, has_dir = _unit(vis[:, 1:])
        e_reco = e_true.copy()
        if self.smear:
            gen = rng if rng is not None else np.random.default_rng(self.seed)
            e_gev = np.maximum(e_true, 1e-3 * hu.GeV) / hu.GeV
            sigma_e = self.energy_stochastic * np.sqrt(e_gev) * hu.GeV + self.energy_constant
            e_reco = np.maximum(e_true + gen.normal(0.0, 1.0, n) * sigma_e, 0.0)
            sigma_th = np.maximum(np.log(1.0 / e_gev) + 2.7, 1.0) * hu.degree
            u = np.where(has_dir[:, None], _smear_direction(gen, u, sigma_th), u)
        cos_theta = np.where(has_dir, u[:, 2], 0.0)

        # --- selection, efficiency, E_QE -------------------------------------------------------
        eff = np.clip(np.asarray(self.efficiency(e_true), float), 0.0, None)
        if not self.efficiency_includes_fiducial:
            eff = eff / self.fiducial_fraction
        accepted = single & (e_reco > self.threshold) & (e_true > 0)
        weight = np.where(accepted, w * eff, 0.0)
        eqe = reconstruct_eqe(e_reco, cos_theta, self.eqe_mode, self.binding_energy)
        return ResponseResult(e_reco, cos_theta, eqe, weight, eff, accepted, single, e_true)


#: Experiment name -> response factory (keyword overrides allowed), e.g.
#: ``RESPONSES.get("miniboone")(smear=True, seed=1)``.
RESPONSES: Registry[Callable[..., ShowerResponse]] = Registry("detector response")


def _miniboone(**kw) -> ShowerResponse:
    return ShowerResponse().with_options(**kw)


# ------------------------------------------------------------------------------------------------
# LArTPC response (MicroBooNE, SBND, ICARUS)
# ------------------------------------------------------------------------------------------------

#: LArTPC electromagnetic topologies: "1g" one photon-like shower (a photon, or an e+e- pair too
#: collimated to resolve: its shower starts with two minimum-ionising tracks, dE/dx ≈ 4 MeV/cm, like a
#: converted photon); "1e" one electron-like shower (dE/dx ≈ 2 MeV/cm: a pair whose softer lepton
#: is below the shower threshold); "2sh" two showers resolved at one vertex (e+e- pair); "" none.
LAR_TOPOLOGIES = ("1g", "1e", "2sh")

#: Overall selection efficiency of the MicroBooNE inclusive single-photon search (Wire-Cell,
#: arXiv:2502.06064, 6.34e20 POT): 7.0 %. Taken flat in energy and, for lack of published numbers,
#: for every topology and for SBND and ICARUS as well (see docs/predictions.md).
LAR_PHOTON_EFFICIENCY = 0.070


@dataclass(frozen=True)
class LArTPCResponse:
    """Parametrised LArTPC response for photon / e+e- signals (MicroBooNE, SBND, ICARUS).

    Topology (from the true final state, before smearing):

    * a particle makes a reconstructed shower when its kinetic energy exceeds ``shower_threshold``;
    * a single photon → "1g";
    * an e+e- pair with both leptons above ``shower_threshold``: "2sh" when their opening angle
      exceeds ``separation_angle`` (two showers from one vertex), else "1g" (one shower whose start
      has twice the minimum-ionising dE/dx, the photon signature); only one lepton above it → "1e"
      (its electron-like dE/dx start identifies it as an electron); none → no shower.

    E_vis is the summed (smeared) energy of the particles that make showers; the direction is that of
    their summed momentum. Selection: topology in ``topologies`` and E_vis > ``threshold``; the weight
    is multiplied by ``efficiencies[topology]`` (flat, includes the fiducial-volume cut: rates use the
    active mass of detectors/catalog.py).

    Attributes:
        name: label.
        threshold: minimum reconstructed visible energy, MeV.
        shower_threshold: minimum kinetic energy of a particle to make a reconstructed shower, MeV.
        separation_angle: minimum opening angle of two resolved showers, rad.
        topologies: topologies counted as signal.
        efficiencies: topology → flat selection efficiency.
        smear: apply energy/angle smearing.
        energy_stochastic, energy_constant: sigma_E = a sqrt(E/GeV) GeV ⊕ b E (quadrature).
        angle_resolution: Gaussian polar-angle smearing of the shower direction, rad.
        eqe_mode, binding_energy: CCQE hypothesis of the E_QE column (electron hypothesis; kept for
            a uniform sample format, not a LArTPC observable).
        seed: default random seed for smearing.
        assumptions: statements about parameters taken without a published number for this detector;
            predictions repeat them as warnings.
    """

    name: str = "lartpc"
    threshold: float = 100.0 * hu.MeV
    shower_threshold: float = 30.0 * hu.MeV
    separation_angle: float = 5.0 * hu.degree
    topologies: tuple[str, ...] = LAR_TOPOLOGIES
    efficiencies: tuple[tuple[str, float], ...] = (("1g", LAR_PHOTON_EFFICIENCY), ("1e", LAR_PHOTON_EFFICIENCY),
                                                   ("2sh", LAR_PHOTON_EFFICIENCY))
    smear: bool = True
    energy_stochastic: float = 0.15
    energy_constant: float = 0.0
    angle_resolution: float = 3.0 * hu.degree
    eqe_mode: str = "neutrino"
    binding_energy: float | None = None
    seed: int | None = None
    assumptions: tuple[str, ...] = ()

    def with_options(self, **kw) -> LArTPCResponse:
        """Copy with some attributes changed (unknown names or topologies raise InputError).

        ``efficiencies`` may be given as a dict {topology: efficiency}; missing topologies keep
        their value."""
        allowed = set(self.__dataclass_fields__)
        for k in kw:
            if k not in allowed:
                raise InputError("response option", k, allowed)
        if "efficiencies" in kw:
            new = dict(self.efficiencies)
            for t, e in dict(kw["efficiencies"]).items():
                if t not in LAR_TOPOLOGIES:
                    raise InputError("efficiencies topology", t, LAR_TOPOLOGIES)
                if not 0.0 <= float(e) <= 1.0:
                    raise InputError(f"efficiencies[{t}]", e, "a number in [0, 1]")
                new[t] = float(e)
            kw["efficiencies"] = tuple(new.items())
        if "topologies" in kw:
            topo = tuple(kw["topologies"])
            bad = [t for t in topo if t not in LAR_TOPOLOGIES]
            if bad or not topo:
                raise InputError("topologies", bad[0] if bad else topo, LAR_TOPOLOGIES)
            kw["topologies"] = topo
        return replace(self, **kw)

    def efficiency_of(self, topology: str) -> float:
        """Flat efficiency of ``topology`` (0 for topologies not counted as signal)."""
        if topology not in LAR_TOPOLOGIES:
            raise InputError("topology", topology, LAR_TOPOLOGIES)
        return dict(self.efficiencies).get(topology, 0.0) if topology in self.topologies else 0.0

    def classify(self, p4_a: np.ndarray, p4_b: np.ndarray | None = None) -> np.ndarray:
        """Topology label per event ("1g", "1e", "2sh" or "") from true four-momenta (MeV).

        ``p4_b`` None (or rows with E = 0): ``p4_a`` is a single photon; otherwise (p4_a, p4_b) is an
        e+e- pair."""
        a = _as_p4(p4_a, "p4_a")
        b = np.zeros_like(a) if p4_b is None else _as_p4(p4_b, "p4_b")
        return self._classify(a, b)[0]

    def _classify(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        is_pair = b[:, 0] > 0
        show_a = (a[:, 0] - mass(a)) > self.shower_threshold
        show_b = is_pair & ((b[:, 0] - mass(b)) > self.shower_threshold)
        ua, _ = _unit(a[:, 1:])
        ub, _ = _unit(b[:, 1:])
        resolved = np.sum(ua * ub, axis=1) < np.cos(self.separation_angle)
        both = show_a & show_b
        one = show_a ^ show_b
        topo = np.full(len(a), "", dtype="<U3")
        topo[~is_pair & show_a] = "1g"
        topo[is_pair & both & ~resolved] = "1g"
        topo[is_pair & both & resolved] = "2sh"
        topo[is_pair & one] = "1e"
        return topo, show_a, show_b

    def __call__(
        self,
        p4_a: np.ndarray,
        p4_b: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> ResponseResult:
        """Apply the response (same interface as :meth:`ShowerResponse.__call__`).

        Returns:
            :class:`ResponseResult` with ``topology`` filled; ``single_shower`` is True for "1g"/"1e".
        """
        a, b, w = _check_inputs(p4_a, p4_b, weights, self.eqe_mode)
        n = len(a)
        topo, show_a, show_b = self._classify(a, b)

        # visible = particles that make showers (a sub-threshold lepton is not counted)
        vis = np.where(show_a[:, None], a, 0.0) + np.where(show_b[:, None], b, 0.0)
        e_true = vis[:, 0]
        u, has_dir = _unit(vis[:, 1:])
        e_reco = e_true.copy()
        if self.smear:
            gen = rng if rng is not None else np.random.default_rng(self.seed)
            # sigma_E/E = 15 %/sqrt(E/GeV) for EM showers (SBN proposal arXiv:1503.01520, Sec. 4 detector
            # assumptions), optional constant term in quadrature
            e_gev = np.maximum(e_true, 1e-3 * hu.GeV) / hu.GeV
            sigma_e = np.hypot(self.energy_stochastic * np.sqrt(e_gev) * hu.GeV, self.energy_constant * e_true)
            e_reco = np.maximum(e_true + gen.normal(0.0, 1.0, n) * sigma_e, 0.0)
            sig_th = np.full(n, float(self.angle_resolution))
            u = np.where(has_dir[:, None], _smear_direction(gen, u, sig_th), u)
        cos_theta = np.where(has_dir, u[:, 2], 0.0)

        eff_of = {t: self.efficiency_of(t) for t in LAR_TOPOLOGIES}
        eff = np.zeros(n)
        for t, e in eff_of.items():
            eff[topo == t] = e
        accepted = (eff > 0) & (e_reco > self.threshold) & (e_true > 0)
        weight = np.where(accepted, w * eff, 0.0)
        eqe = reconstruct_eqe(e_reco, cos_theta, self.eqe_mode, self.binding_energy)
        single = (topo == "1g") | (topo == "1e")
        return ResponseResult(e_reco, cos_theta, eqe, weight, eff, accepted, single, e_true, topology=topo)


#: Experiment → (name of the LArTPC response). Rates use the catalogue's active mass; the flat
#: efficiency includes the fiducial cut (as MiniBooNE's eg_effs does).
LAR_EXPERIMENTS = ("microboone", "sbnd", "icarus", "microboone-absorber")

#: what the BNB LArTPC responses take without a published number (repeated as prediction warnings)
LAR_EFFICIENCY_ASSUMPTION = (
    "flat 7.0 % efficiency of MicroBooNE's inclusive single-photon selection (arXiv:2502.06064) assumed for every "
    "topology (1g, 1e, 2sh){}")

# --- DUNE ND-LAr -----------------------------------------------------------------------------------------------
#: Parametrised response of the DUNE LArTPCs for electrons and photons, DUNE CDR vol. 2 (arXiv:1512.06148),
#: table of the parametrised ("fast MC") reconstruction, used by the DUNE ND CDR (arXiv:2103.13910) physics studies:
#: 30 MeV kinetic-energy threshold for a reconstructed e/γ shower, σ_E/E = 15 %/√(E/GeV) ⊕ 2 %, 1° angular
#: resolution. Status after a search of the public record (the CDR tables themselves were not reachable): these
#: three numbers remain APPROXIMATE (recalled, not confirmed). What was confirmed: seed 004 (Snowmass NF03 white
#: paper, arXiv:2207.00670, Table 3) lists for the DUNE ND LArTPC an active mass of 147 t, a detection threshold
#: below 1 MeV for electrons (a hit-level threshold, far below the 30 MeV shower threshold used here), a pointing
#: resolution O(1 mrad) (so 1° = 17 mrad is conservative) and "4 % E_reco"; the ND-LAr preliminary design review
#: page (indico.fnal.gov/event/54919) describes a 7 × 5 array of 1 × 1 × 3 m³ modules (105 m³, i.e. 147 t of LAr,
#: consistent with the catalog's 7 × 3 × 5 m box). The catalog's 67 t fiducial mass was NOT confirmed (APPROXIMATE).
DUNE_ND_SHOWER_THRESHOLD = 30.0 * hu.MeV
DUNE_ND_ENERGY_STOCHASTIC = 0.15
DUNE_ND_ENERGY_CONSTANT = 0.02
DUNE_ND_ANGLE_RESOLUTION = 1.0 * hu.degree
#: No published ND-LAr selection efficiency for single photons or e⁺e⁻ pairs: efficiency 1 inside the 67 t fiducial
#: volume of the catalog (an upper bound); the 5° two-shower separation is MicroBooNE's (ND-LAr's pixel readout
#: likely resolves smaller angles); the E_vis threshold is the shower threshold.
DUNE_ND_ASSUMPTIONS = (
    ("selection efficiency 1 inside the 67 t fiducial volume (upper bound: no published ND-LAr single-photon or "
     "e+e- selection efficiency; the 67 t itself APPROXIMATE, not confirmed: 147 t active per arXiv:2207.00670)"),
    "two showers resolved above 5 degrees (MicroBooNE's value, assumed for the ND-LAr pixel readout)",
    ("e/gamma shower threshold 30 MeV and resolutions 15 %/sqrt(E) (+) 2 %, 1 deg of the DUNE CDR vol. 2 parametrised "
     "reconstruction (arXiv:1512.06148): APPROXIMATE, not confirmed (arXiv:2207.00670 Table 3 gives O(1 mrad) "
     "pointing, so 1 deg is conservative)"),
)


def _lartpc(name: str, measured_at: str) -> Callable[..., LArTPCResponse]:
    """Factory of the BNB LArTPC response of ``name``, whose efficiency was measured at ``measured_at``."""
    assumptions = (LAR_EFFICIENCY_ASSUMPTION.format("" if name == measured_at else f" and borrowed for {name}"),)

    def make(**kw) -> LArTPCResponse:
        return LArTPCResponse(name=name, assumptions=assumptions).with_options(**kw)

    return make


def _dune_nd(**kw) -> LArTPCResponse:
    return LArTPCResponse(
        name="dune-nd", threshold=DUNE_ND_SHOWER_THRESHOLD, shower_threshold=DUNE_ND_SHOWER_THRESHOLD,
        efficiencies=tuple((t, 1.0) for t in LAR_TOPOLOGIES), energy_stochastic=DUNE_ND_ENERGY_STOCHASTIC,
        energy_constant=DUNE_ND_ENERGY_CONSTANT, angle_resolution=DUNE_ND_ANGLE_RESOLUTION,
        assumptions=DUNE_ND_ASSUMPTIONS,
    ).with_options(**kw)


RESPONSES.add("miniboone", _miniboone,
              "MiniBooNE Cherenkov: 140 MeV threshold, <10 deg or asymmetric pairs = 1 shower, eg_effs")
for _name in LAR_EXPERIMENTS:
    RESPONSES.add(_name, _lartpc(_name, "microboone"),
                  "LArTPC: 1g / 1e / 2-shower topologies, 30 MeV showers, 5 deg separation, 100 MeV E_vis, "
                  "flat 7 % efficiency (MicroBooNE arXiv:2502.06064), 15 %/sqrt(E) and 3 deg smearing")
# the same TPCs seen from the NuMI target (catalog entries "<name>-numi"): the same response and efficiency
for _name, _det in (("microboone-numi", "microboone"), ("icarus-numi", "icarus")):
    RESPONSES.add(_name, _lartpc(_name, "microboone"),
                  f"LArTPC of {_det} in the NuMI beam: the {_det} response (1g / 1e / 2sh, flat 7 % efficiency)")
RESPONSES.add("dune-nd", _dune_nd,
              "DUNE ND-LAr: 1g / 1e / 2-shower topologies, 30 MeV e/gamma threshold, 15 %/sqrt(E) (+) 2 %, 1 deg "
              "(DUNE CDR vol. 2 parametrised reconstruction), efficiency 1 in the fiducial volume (assumption)")

# The responses of response_recoil.py (MiniBooNE-DM nucleon recoils), response_stopped.py (CCM, COHERENT CsI and
# LAr, JSNS²) and response_tracker.py (MINERvA, NOvA ND) are added to RESPONSES by darkbeam/detectors/__init__.py,
# which Python runs before this module is imported: they import this module, so it does not import them.


def get_response(experiment: str, **options) -> ShowerResponse | LArTPCResponse:
    """Response object for ``experiment`` with optional attribute overrides (see ShowerResponse)."""
    return RESPONSES.get(experiment)(**options)


__all__ = [
    "BINDING_ENERGY",
    "DUNE_ND_ASSUMPTIONS",
    "LAR_EFFICIENCY_ASSUMPTION",
    "LAR_EXPERIMENTS",
    "LAR_PHOTON_EFFICIENCY",
    "LAR_TOPOLOGIES",
    "RESPONSES",
    "LArTPCResponse",
    "ResponseResult",
    "ShowerResponse",
    "get_response",
    "reconstruct_eqe",
]
