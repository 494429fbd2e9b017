"""Detection channels a model declares: how its dark states show up in a detector.

Three generic kinds cover darkbeam's processes:

* :class:`Scatter` — an incoming dark state scatters on a target of the detector medium and leaves
  visible particles (dark Primakoff φ/a N → γ N, seed 000 model ii);
* :class:`DecayInVolume` — a long-lived state decays inside the detector volume into visible
  particles (Z_BL → e⁺e⁻, A′ → e⁺e⁻, S → e⁺e⁻, ALP → γγ, HNL → ν e⁺e⁻ from meson decays);
* :class:`ScatterThenDecay` — an incoming state upscatters on a target into a heavier state that
  decays promptly or inside the detector (iDM χN → χ′N, χ′ → χe⁺e⁻, seed 000 model i; dark
  neutrinos νN → N_j N, N_j → N_k e⁺e⁻, seed 001).

Each declaration names the ``process`` that builds its signal sample (a key of the pipeline's
detection-process registry: a *process* kind, never a model name) and says what it needs; generic code
reads ``kind``, ``process``, ``visible`` and ``describe()`` only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InputError


@dataclass(frozen=True)
class DetectionChannel:
    """Base of detection declarations.

    Attributes:
        incoming: the dark state arriving at the detector ("phi", "chi", "nu", "Z_BL", ...).
        visible: the visible final state ("gamma", "e+ e-", ...).
        process: key of the detection-process registry (``darkbeam.pipeline.signal.SIGNAL_PROCESSES``).
    """

    incoming: str
    visible: str
    process: str = ""
    kind: ClassVar[str] = ""
    #: model attributes/methods the channel uses (checked when a model is registered)
    requires: ClassVar[tuple[str, ...]] = ()

    @property
    def label(self) -> str:
        """Short name of the channel, unique among a model's channels (the per-event ``channel`` label of
        signal samples and event files): ``"<kind> <incoming> -> <visible>"``."""
        return f"{self.kind} {self.incoming} -> {self.visible}"

    def describe(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"kind": self.kind, "process": self.process, "incoming": self.incoming, "visible": self.visible}

    def check(self, decays: dict[str, Any], where: str) -> None:
        """Checks at model registration against the model's ``decays()`` (raise InputError naming ``where``)."""


@dataclass(frozen=True)
class Scatter(DetectionChannel):
    """Incoming dark state + target → visible particles + target."""

    kind: ClassVar[str] = "scatter"


@dataclass(frozen=True)
class DecayInVolume(DetectionChannel):
    """A state decaying inside the detector volume into ``visible`` (a channel name of its decays).

    ``incoming`` is the decaying state (a key of ``model.decays()``); the decay probability inside the
    detector is exp(−t_in/λ) − exp(−t_out/λ) along each ray through the detector geometry.
    """

    process: str = "decay-in-volume"
    kind: ClassVar[str] = "decay-in-volume"
    requires: ClassVar[tuple[str, ...]] = ("decays",)

    def check(self, decays: dict[str, Any], where: str) -> None:
        """The decaying state is one of the model's, and the visible channel one of its decay channels."""
        if self.incoming not in decays:
            raise InputError(f"{where} DecayInVolume.incoming", self.incoming, list(decays) or "a state of decays()")
        if self.visible not in decays[self.incoming].widths:
            raise InputError(f"{where} DecayInVolume.visible", self.visible, list(decays[self.incoming].widths))


@dataclass(frozen=True)
class ScatterThenDecay(DetectionChannel):
    """Incoming state + target → heavier state + target, which decays into ``visible``."""

    kind: ClassVar[str] = "scatter-then-decay"


__all__ = ["DecayInVolume", "DetectionChannel", "Scatter", "ScatterThenDecay"]
