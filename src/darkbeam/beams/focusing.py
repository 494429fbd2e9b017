"""Focusing models for charged mesons leaving the target, found through :data:`FOCUSING`.

* ``horn-window`` — the approximation of seed 000 (Dutta et al., arXiv:2110.11944, "Simulation"):
  mesons of the focused charge produced with θ in (0.03, 0.21) rad (Schmitz thesis, ref. [74] of
  seed 000) are made parallel to the beam axis by the horn, keeping |p|. The window, a momentum
  window and what happens to the other mesons are configurable.
  By default the horn also needs p_T = p sin θ < 200 MeV: the horn's field integral limits the
  transverse kick it can give (B ≈ μ0 I/(2π r) ≈ 0.7 T at r = 5 cm for I = 174 kA over ~1 m gives
  ≈ 0.2 GeV). With the bare angular window (``horn-window-seed``) every high-momentum meson at wide angle
  is made parallel and the ν_μ flux above 1 GeV comes out 3-10 times the official MiniBooNE flux; with the
  p_T limit it agrees within 0.96-1.4 from 0.3 to 2 GeV (docs/validation_flux.md).
* ``horn-window-seed`` — the bare seed-000 window, no p_T limit.
* ``none`` — off-target (beam-dump) running: the proton beam misses the target and hits the steel
  absorber at the end of the decay region; charged mesons are produced in steel and are absorbed
  after about one nuclear interaction length, so only the small fraction that decays first survives
  (decay probability 1 − exp(−λ_I/(βγcτ))). Prompt π0/η decays are unaffected (handled by the
  neutral-meson production, not here).

Horn polarity follows the beam mode: neutrino mode focuses positive mesons (π+, K+),
antineutrino mode negative ones (π−, K−).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import hepunits as hu
import numpy as np

from ..errors import InputError
from ..registry import Registry
from ..sample import ParticleSample

CHARGE = {211: 1, -211: -1, 321: 1, -321: -1, 130: 0, 310: 0, 111: 0, 221: 0}
MODE_POLARITY = {"neutrino": +1, "antineutrino": -1, "off-target": 0, "stopped": 0}

# Nuclear interaction length of iron, PDG 2022 "Atomic and nuclear properties": 16.77 cm.
LAMBDA_I_FE = 16.77 * hu.cm


def charge_of(pdg: np.ndarray) -> np.ndarray:
    """Electric charge (units of e) of each hadron PDG id in :data:`CHARGE` (others: 0)."""
    pdg = np.asarray(pdg, dtype=np.int64)
    uniq, inv = np.unique(pdg, return_inverse=True)
    return np.array([CHARGE.get(int(k), 0) for k in uniq], dtype=int)[inv].reshape(pdg.shape)


def mode_polarity(mode: str) -> int:
    """Sign of the charge focused by the horn in beam ``mode`` (+1, −1, or 0 for none)."""
    if mode not in MODE_POLARITY:
        raise InputError("mode", mode, MODE_POLARITY.keys())
    return MODE_POLARITY[mode]


@dataclass
class FocusingResult:
    """Mesons after focusing, ready to decay in flight.

    Attributes:
        mesons: the surviving mesons (directions possibly changed), weights per POT.
        region: "decay-pipe" if they fly through the decay region, "absorber" if they are produced
            in the absorber and must decay before being absorbed (off-target mode).
        decayed: mesons that already decayed inside the focusing system (``horn-field``: on their curved
            path in the horn), at their decay vertices with their momenta there; weights per POT include
            the decay probability. None if the model has none.
    """

    mesons: ParticleSample
    region: str
    decayed: ParticleSample | None = None

    def with_decayed(self, decayed: ParticleSample) -> ParticleSample:
        """``decayed`` (the mesons decayed in the decay region) plus :attr:`decayed` (those decayed
        inside the focusing system): every meson decay of this chunk."""
        if self.decayed is None or len(self.decayed) == 0:
            return decayed
        return ParticleSample.concat([decayed, self.decayed])


class Focusing:
    """Interface: ``apply(mesons, polarity) -> FocusingResult``."""

    name = ""

    def apply(self, mesons: ParticleSample, polarity: int) -> FocusingResult:  # pragma: no cover
        raise NotImplementedError


FOCUSING: Registry[type[Focusing]] = Registry("focusing")


@FOCUSING.register("horn-window")
class HornWindow(Focusing):
    """Horn window: focused-charge mesons with θ in (0.03, 0.21) rad and p_T < 200 MeV made parallel."""

    name = "horn-window"

    def __init__(
        self,
        theta_min: float = 0.03,
        theta_max: float = 0.21,
        p_min: float = 0.0,
        p_max: float = np.inf,
        pt_max: float = 200.0 * hu.MeV,
        unfocused: str = "drop",
    ) -> None:
        """Args: window in rad, momentum window in MeV, largest transverse momentum the horn can
        turn parallel (MeV; the horn's field integral limits its p_T kick); ``unfocused`` = "drop"
        (seed 000: only focused mesons are kept) or "straight" (other mesons keep their direction
        and may decay before hitting the decay-pipe wall)."""
        if not 0 <= theta_min < theta_max:
            raise InputError("focusing.theta_min/theta_max", (theta_min, theta_max), "0 <= theta_min < theta_max")
        if not 0 <= p_min < p_max:
            raise InputError("focusing.p_min/p_max", (p_min, p_max), "0 <= p_min < p_max")
        if unfocused not in ("drop", "straight"):
            raise InputError("focusing.unfocused", unfocused, ("drop", "straight"))
        self.theta_min, self.theta_max = theta_min, theta_max
        self.p_min, self.p_max = p_min, p_max
        if not pt_max > 0:
            raise InputError("focusing.pt_max", pt_max, "a positive transverse momentum")
        self.pt_max = pt_max
        self.unfocused = unfocused

    def focused_mask(self, mesons: ParticleSample, polarity: int) -> np.ndarray:
        """Mesons the horn makes parallel: right charge, inside the angle and momentum windows."""
        charge = charge_of(mesons.pdg)
        th, p = mesons.theta, mesons.momentum
        return (
            (charge == polarity) & (polarity != 0)
            & (th > self.theta_min) & (th < self.theta_max)
            & (p > self.p_min) & (p < self.p_max)
            & (p * np.sin(th) < self.pt_max)
        )

    def apply(self, mesons: ParticleSample, polarity: int) -> FocusingResult:
        """Neutral mesons (K0L) are not deflected by the horn and always fly straight on."""
        mask = self.focused_mask(mesons, polarity)
        neutral = charge_of(mesons.pdg) == 0
        focused = mesons.select(mask)
        p = focused.momentum
        focused.p4[:, 1] = 0.0
        focused.p4[:, 2] = 0.0
        focused.p4[:, 3] = p
        if self.unfocused == "drop":
            return FocusingResult(ParticleSample.concat([focused, mesons.select(neutral)]), "decay-pipe")
        rest = mesons.select(~mask)
        return FocusingResult(ParticleSample.concat([focused, rest]), "decay-pipe")


@FOCUSING.register("horn-window-seed")
class HornWindowSeed(HornWindow):
    """Seed-000 horn window exactly: θ in (0.03, 0.21) rad made parallel, no p_T limit."""

    name = "horn-window-seed"

    def __init__(self, theta_min: float = 0.03, theta_max: float = 0.21, p_min: float = 0.0,
                 p_max: float = np.inf, unfocused: str = "drop") -> None:
        super().__init__(theta_min, theta_max, p_min, p_max, np.inf, unfocused)


@FOCUSING.register("none")
class NoFocusing(Focusing):
    """Off-target / beam-dump running: no horn; charged mesons are made in the steel absorber."""

    name = "none"

    def __init__(self, absorber_lambda: float = LAMBDA_I_FE) -> None:
        """Args: nuclear interaction length of the absorber material, mm (iron by default)."""
        if absorber_lambda <= 0:
            raise InputError("focusing.absorber_lambda", absorber_lambda, "a positive length")
        self.absorber_lambda = absorber_lambda

    def apply(self, mesons: ParticleSample, polarity: int) -> FocusingResult:
        return FocusingResult(mesons, "absorber")


def get_focusing(name: str, **options: float | str) -> Focusing:
    """Instantiate the focusing model ``name`` with keyword options."""
    cls = FOCUSING.get(name)
    try:
        return cls(**options)  # type: ignore[arg-type]
    except TypeError as exc:
        raise InputError(f"options of focusing {name}", options, str(exc)) from None



# --- per-beam horn-window parameter sets (120 GeV beams) ------------------------------------------------
# The horn-window model with a parameter set per beam line. Three numbers are tuned to the published
# on-axis ν_μ flux of the same beam (so the flux comparison of docs/validation_flux_120gev.md checks the
# shape and the parts not tuned, not the normalisation): the angular window's lower edge θ_min (below it
# mesons pass through the neck of the first horn unfocused), the largest transverse momentum the horns can
# turn parallel p_T,max (with θ_min it sets a soft upper momentum edge p ≈ p_T,max/θ_min of the focused
# mesons) and, for LBNF, an explicit upper momentum p_max. Unfocused mesons (wrong sign, outside the window,
# above p_T,max or p_max) keep their direction (``unfocused="straight"``): the forward, high-momentum ones
# through the horn necks make the high-energy tail and the wrong-sign flux of these beams.
# Production: BMPT (darkbeam.beams.bmpt), primary interactions only; no meson absorption in the target.


class _HornWindowSet(HornWindow):
    """A horn window whose defaults are the parameter set ``PARAMETERS`` (options override them)."""

    PARAMETERS: ClassVar[dict[str, Any]] = {}

    def __init__(self, **options: float | str) -> None:
        super().__init__(**{**self.PARAMETERS, **options})  # type: ignore[arg-type]


@FOCUSING.register("horn-window-numi-le")
class HornWindowNuMILE(_HornWindowSet):
    """Horn window for NuMI LE: θ in (0.025, 0.15) rad, p_T < 300 MeV parallel; other mesons straight.

    Tuned to the MINERvA LE ν_μ flux (PRD 94, 092005 (2016), arXiv:1607.00704) at 1-5 GeV: p_T,max = 300 MeV
    and θ_min = 25 mrad (edge p_T,max/θ_min = 12 GeV/c, i.e. E_ν ≈ 5 GeV); θ_max = 0.15 rad is the acceptance
    of horn 1 (outer conductor ~15 cm at ~1 m from the target; the flux changes by < 10 % between 0.1 and
    0.2 rad). NuMI LE horns: 185 kA (182.1 kA in g4numi); the LE target sits inside horn 1.
    """

    name = "horn-window-numi-le"
    PARAMETERS: ClassVar[dict[str, Any]] = {"theta_min": 0.025, "theta_max": 0.15, "pt_max": 300.0 * hu.MeV,
                                            "unfocused": "straight"}


@FOCUSING.register("horn-window-lbnf")
class HornWindowLBNF(_HornWindowSet):
    """Horn window for LBNF: θ in (0.02, 0.2) rad, p_T < 500 MeV, p < 10.5 GeV/c parallel; others straight.

    Tuned to the DUNE ND FHC ν_μ flux (DUNE TDR, arXiv:2103.04797 ancillary files; the optimized three-horn
    design, ~300 kA, 2.2 m graphite target) at 1-5 GeV: the larger p_T,max than NuMI reflects the higher
    current and the three horns; p_max = 10.5 GeV/c makes the fast fall of the DUNE flux above 4 GeV
    (0.43 × 10.5 GeV = 4.5 GeV).
    """

    name = "horn-window-lbnf"
    PARAMETERS: ClassVar[dict[str, Any]] = {"theta_min": 0.02, "theta_max": 0.2, "pt_max": 500.0 * hu.MeV,
                                            "p_max": 10.5 * hu.GeV, "unfocused": "straight"}
