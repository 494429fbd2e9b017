"""Production of dark states in meson decays (three-body π±/K± → ℓ±νX, two-body π⁰/η → γV)."""

from .neutral_meson import neutral_meson_br, sample_neutral_meson
from .three_body import (
    BOSON_PDG,
    branching_ratio,
    model_branching_ratios,
    sample_three_body,
    two_body_width,
    width,
)

__all__ = [
    "BOSON_PDG",
    "branching_ratio",
    "model_branching_ratios",
    "neutral_meson_br",
    "sample_neutral_meson",
    "sample_three_body",
    "two_body_width",
    "width",
]
