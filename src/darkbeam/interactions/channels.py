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

    def describe(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {"kind": self.kind, "process": self.process, "incoming": self.incoming, "visible": self.visible}


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


@dataclass(frozen=True)
class ScatterThenDecay(DetectionChannel):
    """Incoming state + target → heavier state + target, which decays into ``visible``."""

    kind: ClassVar[str] = "scatter-then-decay"


__all__ = ["DecayInVolume", "DetectionChannel", "Scatter", "ScatterThenDecay"]
