"""Detector responses at the stopped-pion sources: CCM (LAr scintillation), COHERENT CsI[Na] and CENNS-10 LAr
(CEvNS detectors), JSNS² (Gd-loaded liquid scintillator). Registered in
:data:`darkbeam.detectors.response.RESPONSES` under the experiment names of the catalog, with the interface of
the other responses: ``RESPONSES.get(name)(**options)(p4_a, p4_b, weights, rng) -> ResponseResult``.

The dark-boson signals darkbeam simulates are electromagnetic: the photon of dark Primakoff conversion
(φ/a N → γ N) and the e⁺e⁻ pair of χ' → χ e⁺e⁻ (iDM upscattering), with energies from ~1 MeV (the boson's mass)
to tens of MeV from decays at rest (≤ 30 MeV from π⁺ → μ⁺νX, ≤ 236 MeV from K⁺) and up to a few hundred MeV from
π⁰ in flight. What each detector can see of them:

* **CCM** (10 t LAr, 200 PMTs, no TPC): a calorimeter for MeV-scale electromagnetic deposits — scintillation light
  of the whole event, no imaging and no direction. :class:`CalorimetricResponse` with
  - signal region 0.1 < E_vis < 100 MeV: "sensitive to 0.1-100 MeV signal region: e, γ" (B. Dutta, Rabi-Fest 2022
    talk), "energy reconstruction from 10 keV all the way up to 100 MeV" (Snowmass NF03
    white paper, arXiv:2207.00670, CCM entry). (CCM120's 50 keV threshold, PRL 129, 021801 (2022)
    arXiv:2105.14020, is for nuclear recoils and lies below this window.)
  - resolution σ_E/E = 0.58/√(E/keV) = 1.83 %/√(E/MeV): the COHERENT CENNS-10 LAr scintillation resolution
    (CENNS-10 data release of arXiv:2006.12659), taken as a proxy — a CCM number for MeV
    electromagnetic events was not found here (ASSUMPTION; CCM, with 50 % photocathode coverage of a 7 t volume,
    likely resolves worse: the option ``energy_stochastic`` changes it).
  - flat efficiency 1 (ASSUMPTION: no published CCM selection efficiency for electromagnetic events was found; the
    catalogue's 7 t is the fiducial mass, so the number is an upper bound without timing/PSD cuts).
* **COHERENT CsI[Na] and CENNS-10 LAr** are CEvNS detectors: their analyses look at keV nuclear recoils (CsI
  14 < E_r < 26 keV, LAr E_r > 21 keV: seed 004 Table 5). A CEvNS recoil from the most energetic DAR neutrino
  (the Michel endpoint, 52.83 MeV) deposits at most T_max = 2E²/(M + 2E) (45.0 keV on ¹³³Cs, 47.1 keV on ¹²⁷I,
  149.4 keV on ⁴⁰Ar; M = A u) and, with a quenching factor ≤ 1, at most that much electron-equivalent light. An
  electromagnetic deposit of MeV lies 20–1000 times above any CEvNS region of interest: the CEvNS analyses do not
  select it. :class:`CalorimetricResponse` as a *region-of-interest* response: accepted if 0 < E_vis ≤ T_max
  (largest over the detector's nuclei, from the catalogue material), flat efficiency 1, no smearing — a generous
  superset of the true windows. The dark Primakoff photon and the iDM pair therefore give **zero** here, by
  construction and with that reason. Not modelled: a photon that deposits only keV (one small-angle Compton
  scatter, then escape) — the Klein–Nishina fraction of Compton scatters of a 5–30 MeV photon with T < T_max is
  10⁻³–10⁻² (docs/stopped_pion.md), and no COHERENT analysis of MeV electromagnetic events is packaged.
* **JSNS²** (17 t Gd-LS, 24 m): a calorimeter with a prompt-energy threshold. :class:`CalorimetricResponse` with
  - prompt energy E_vis > 30 MeV: the JSNS² selection of seed 004 Table 5 (electron scattering, E_r > 30 MeV in
    the prompt window t < 0.25 μs), above the Michel-electron and 29.8 MeV ν_μ backgrounds;
  - resolution σ_E/E = 8.5 %/√(E/MeV) ⊕ 3.1 %: the form a/√E ⊕ b through the two measured points of JSNS²,
    3.3 ± 0.1 % at the Michel endpoint (52.8 MeV) and 4.3 ± 0.1 % at the n-Gd peak (taken at 8.0 MeV, the
    n-Gd γ cascade) in the central region (arXiv:2404.04153, ²⁵²Cf and Michel-electron calibration);
  - flat efficiency 1 (ASSUMPTION, upper bound).

For all: E_vis is the summed total energy of the visible particles (a scintillator collects the light of the whole
event: for e⁺e⁻, both leptons; the e⁺ annihilation photons are taken as contained), smeared with the resolution;
``cos_theta`` is the true direction of the summed momentum (these detectors do not reconstruct directions: kept
for the uniform sample format, not an observable), E_QE the CCQE electron hypothesis (likewise, format only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import hepunits as hu
import numpy as np

from ..constants import M_E, M_MU
from ..errors import InputError
from .catalog import get_experiment
from .response import RESPONSES, ResponseResult, _check_inputs, _unit, reconstruct_eqe

#: atomic mass unit, MeV (CODATA 2018: 931.49410242 MeV)
_AMU = 931.49410242 * hu.MeV
#: largest neutrino energy of a stopped-pion source's decays at rest below the K⁺ line: the Michel endpoint
#: (m_μ² − m_e²)/(2 m_μ) = 52.83 MeV (docs/stopped_pion.md)
E_NU_MAX_DAR = (M_MU**2 - M_E**2) / (2.0 * M_MU)

# --- parameters, with their sources (see the module docstring) -----------------------------------------------
#: CCM signal region for e/γ (seed 002, B. Dutta 2022; seed 004 NF03 white paper: reconstruction 10 keV-100 MeV)
CCM_WINDOW = (0.1 * hu.MeV, 100.0 * hu.MeV)
#: LAr scintillation resolution σ/E = 0.58/√(E/keV) of COHERENT CENNS-10 (arXiv:2006.12659 data release), as a
#: proxy for CCM: a/√(E/MeV) with a = 0.58/√1000
LAR_SCINT_STOCHASTIC = 0.58 / np.sqrt(1000.0)
#: JSNS² prompt-energy threshold (seed 004 Table 5: E_r > 30 MeV, t < 0.25 μs)
JSNS2_THRESHOLD = 30.0 * hu.MeV
#: JSNS² measured resolution points (arXiv:2404.04153): (energy in MeV, σ/E)
JSNS2_RESOLUTION_POINTS = ((52.8, 0.033), (8.0, 0.043))
#: Efficiencies: the published ones do not apply to the signals simulated here. CCM120 (PRL 129, 021801 (2022),
#: arXiv:2105.14020) gives efficiencies for keV nuclear recoils (its dark-matter search), not for MeV photons or
#: e⁺e⁻ pairs; the JSNS² TDR (arXiv:1705.08629) gives them for the inverse-beta-decay (prompt e⁺ + delayed n-Gd)
#: selection of its oscillation search, whose delayed-coincidence cuts a single prompt shower does not pass.
#: Efficiency 1 is kept, stated as an assumption (an upper bound on the rate) in every prediction's warnings.
CCM_EFFICIENCY_ASSUMPTION = (
    "selection efficiency taken as 1 (upper bound): CCM120's published efficiencies (PRL 129, 021801 (2022)) are for "
    "keV nuclear recoils, not for MeV electromagnetic showers")
JSNS2_EFFICIENCY_ASSUMPTION = (
    "selection efficiency taken as 1 (upper bound): the JSNS2 TDR (arXiv:1705.08629) efficiencies are for the "
    "inverse-beta-decay delayed coincidence, not for a single prompt electromagnetic shower")


def _two_point_resolution(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    """(a, b) of σ/E = a/√E ⊕ b through two (E in MeV, σ/E) points."""
    (e1, r1), (e2, r2) = points
    a2 = (r2 * r2 - r1 * r1) / (1.0 / e2 - 1.0 / e1)
    b2 = r1 * r1 - a2 / e1
    if a2 < 0 or b2 < 0:
        raise InputError("resolution points", points, "two points of a resolution falling with energy")
    return float(np.sqrt(a2)), float(np.sqrt(b2))


JSNS2_STOCHASTIC, JSNS2_CONSTANT = _two_point_resolution(JSNS2_RESOLUTION_POINTS)  # 0.0847, 0.0309


def max_cevns_recoil(mass_number: int, e_nu: float = E_NU_MAX_DAR) -> float:
    """Largest CEvNS nuclear recoil (MeV) of a neutrino of energy ``e_nu`` on a nucleus of ``mass_number``:
    T_max = 2E²/(M + 2E), M = A u (elastic two-body kinematics, backward scattering)."""
    m = mass_number * _AMU
    return 2.0 * e_nu * e_nu / (m + 2.0 * e_nu)


@dataclass(frozen=True)
class CalorimetricResponse:
    """Calorimetric (scintillation) response: the whole event's light, no imaging, no direction.

    Selection: ``threshold`` < E_vis (reconstructed) ≤ ``max_energy`` (None: no upper edge) and a flat
    ``efficiency``. E_vis = summed total energy of the visible particles, smeared (``smear``) with
    σ_E/E = ``energy_stochastic``/√(E/MeV) ⊕ ``energy_constant`` (quadrature).

    Attributes:
        name: label. kind: "scintillation calorimeter" or "CEvNS region of interest" (what the numbers mean).
        threshold, max_energy: MeV. efficiency: flat, in [0, 1]. smear: apply the energy resolution.
        energy_stochastic: a of a/√(E/MeV). energy_constant: b (relative, quadrature).
        eqe_mode, binding_energy: CCQE hypothesis of the E_QE column (format only).
        seed: default random seed for smearing. reference: where the numbers come from.
        assumptions: statements about parameters taken without a published number (e.g. an efficiency of 1);
            predictions repeat them as warnings.
    """

    name: str = "scintillator"
    kind: str = "scintillation calorimeter"
    threshold: float = 0.0
    max_energy: float | None = None
    efficiency: float = 1.0
    smear: bool = True
    energy_stochastic: float = 0.0
    energy_constant: float = 0.0
    eqe_mode: str = "neutrino"
    binding_energy: float | None = None
    seed: int | None = None
    reference: str = ""
    assumptions: tuple[str, ...] = ()

    def with_options(self, **kw) -> CalorimetricResponse:
        """Copy with some attributes changed (unknown names or an efficiency outside [0, 1] raise InputError)."""
        allowed = set(self.__dataclass_fields__)
        for k in kw:
            if k not in allowed:
                raise InputError("response option", k, allowed)
        if "efficiency" in kw and not 0.0 <= float(kw["efficiency"]) <= 1.0:
            raise InputError("efficiency", kw["efficiency"], "a number in [0, 1]")
        return replace(self, **kw)

    def resolution(self, energy: np.ndarray) -> np.ndarray:
        """σ_E (MeV) at true visible energy ``energy`` (MeV)."""
        e = np.maximum(np.asarray(energy, float), 1e-6)
        return e * np.hypot(self.energy_stochastic / np.sqrt(e / hu.MeV), self.energy_constant)

    def explain_zero(self, e_true: np.ndarray) -> str:
        """Why no event with true visible energies ``e_true`` (MeV) is accepted: where the signal's energies lie
        against this detector's window (with what the window is and its source), or the efficiency."""
        e = np.asarray(e_true, float)
        e = e[e > 0]
        if len(e) == 0:
            return f"{self.name}: no sampled event leaves visible energy"
        lo, hi = self.threshold, self.max_energy
        window = f"{lo:.3g} < E_vis" + (f" <= {hi:.3g} MeV" if hi is not None else " (MeV)")
        span = f"the signal's visible energy (sampled {e.min():.3g}-{e.max():.3g} MeV, median {np.median(e):.3g} MeV)"
        what = f" ({self.kind}: {self.reference})" if self.reference else f" ({self.kind})"
        if hi is not None and e.min() > hi:
            return (f"{self.name}: {span} lies above the accepted window {window}{what}: the softest signal event "
                    f"deposits {e.min() / hi:.3g} times the window's upper edge ({hi / hu.keV:.3g} keV)")
        if e.max() <= lo:
            return f"{self.name}: {span} lies below the threshold, window {window}{what}"
        if self.efficiency <= 0:
            return f"{self.name}: selection efficiency is 0"
        inside = np.mean((e > lo) & (e <= hi if hi is not None else True))
        return (f"{self.name}: {inside:.0%} of the sampled visible energies fall in the window {window}{what}, but "
                "none after the energy smearing")

    def __call__(
        self,
        p4_a: np.ndarray,
        p4_b: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
    ) -> ResponseResult:
        """Apply the response (same interface as :meth:`darkbeam.detectors.response.ShowerResponse.__call__`):
        ``p4_a`` the visible particle (or the first of a pair), ``p4_b`` the second (rows with E = 0: none)."""
        a, b, w = _check_inputs(p4_a, p4_b, weights, self.eqe_mode)
        n = len(a)
        is_pair = b[:, 0] > 0
        vis = a + np.where(is_pair[:, None], b, 0.0)
        e_true = vis[:, 0]
        u, has_dir = _unit(vis[:, 1:])
        e_reco = e_true.copy()
        if self.smear and (self.energy_stochastic > 0 or self.energy_constant > 0):
            gen = rng if rng is not None else np.random.default_rng(self.seed)
            e_reco = np.maximum(e_true + gen.normal(0.0, 1.0, n) * self.resolution(e_true), 0.0)
        cos_theta = np.where(has_dir, u[:, 2], 0.0)
        eff = np.full(n, float(self.efficiency))
        accepted = (e_true > 0) & (e_reco > self.threshold)
        if self.max_energy is not None:
            accepted &= e_reco <= self.max_energy
        weight = np.where(accepted, w * eff, 0.0)
        eqe = reconstruct_eqe(e_reco, cos_theta, self.eqe_mode, self.binding_energy)
        return ResponseResult(e_reco, cos_theta, eqe, weight, eff, accepted, np.ones(n, bool), e_true)


def _ccm(**kw) -> CalorimetricResponse:
    return CalorimetricResponse(
        "ccm", "scintillation calorimeter", CCM_WINDOW[0], CCM_WINDOW[1], 1.0, True, LAR_SCINT_STOCHASTIC, 0.0,
        reference="window 0.1-100 MeV: seeds 002 (Dutta 2022) and 004 (NF03 white paper); resolution: CENNS-10 LAr "
                  "0.58/sqrt(E/keV) (arXiv:2006.12659 release) as a proxy (assumption); efficiency 1 (assumption)",
        assumptions=(CCM_EFFICIENCY_ASSUMPTION, "energy resolution of COHERENT CENNS-10 LAr used as a proxy for CCM"),
    ).with_options(**kw)


def _jsns2(**kw) -> CalorimetricResponse:
    return CalorimetricResponse(
        "jsns2", "scintillation calorimeter", JSNS2_THRESHOLD, None, 1.0, True, JSNS2_STOCHASTIC, JSNS2_CONSTANT,
        reference="prompt E > 30 MeV: seed 004 Table 5; resolution a/sqrt(E) (+) b through 3.3 % at 52.8 MeV and "
                  "4.3 % at 8 MeV (arXiv:2404.04153); efficiency 1 (assumption)",
        assumptions=(JSNS2_EFFICIENCY_ASSUMPTION,),
    ).with_options(**kw)


def _cevns_window(experiment: str) -> Callable[..., CalorimetricResponse]:
    def make(**kw) -> CalorimetricResponse:
        exp = get_experiment(experiment)
        t_max = max(max_cevns_recoil(a) for _sym, _z, a, _n in exp.material.components)
        return CalorimetricResponse(
            experiment, "CEvNS region of interest", 0.0, t_max, 1.0, False, 0.0, 0.0,
            reference=f"accepts E_vis <= {t_max / hu.keV:.1f} keV: the largest CEvNS recoil of a 52.83 MeV DAR "
                      f"neutrino on the {exp.material.name} nuclei (quenching <= 1); CEvNS windows (seed 004 "
                      "Table 5) lie below it; MeV electromagnetic deposits are outside",
        ).with_options(**kw)

    return make


# the CsI[Na] nuclei (Cs133, I127) are interaction targets of darkbeam.interactions.targets

#: experiment → (factory, description) registered in RESPONSES
STOPPED_RESPONSES: dict[str, tuple[Callable[..., CalorimetricResponse], str]] = {
    "ccm": (_ccm, "CCM LAr scintillation: e/gamma 0.1-100 MeV, 1.8 %/sqrt(E/MeV) (CENNS-10 proxy), efficiency 1"),
    "coherent-csi": (_cevns_window("coherent-csi"),
                     "COHERENT CsI[Na] CEvNS region of interest (<= 47 keV): MeV electromagnetic deposits outside"),
    "coherent-lar": (_cevns_window("coherent-lar"),
                     "COHERENT CENNS-10 LAr CEvNS region of interest (<= 150 keV): MeV electromagnetic deposits outside"),
    "jsns2": (_jsns2, "JSNS2 Gd-LS: prompt E > 30 MeV, 8.5 %/sqrt(E/MeV) (+) 3.1 % (arXiv:2404.04153), efficiency 1"),
}
for _name, (_make, _doc) in STOPPED_RESPONSES.items():
    if _name not in RESPONSES:
        RESPONSES.add(_name, _make, _doc)

__all__ = [
    "CCM_EFFICIENCY_ASSUMPTION",
    "CCM_WINDOW",
    "E_NU_MAX_DAR",
    "JSNS2_CONSTANT",
    "JSNS2_EFFICIENCY_ASSUMPTION",
    "JSNS2_RESOLUTION_POINTS",
    "JSNS2_STOCHASTIC",
    "JSNS2_THRESHOLD",
    "LAR_SCINT_STOCHASTIC",
    "STOPPED_RESPONSES",
    "CalorimetricResponse",
    "max_cevns_recoil",
]
