"""Experiment catalog (geometry, material, exposure) and fast parametrised detector response."""

# response_recoil, response_stopped and response_tracker register their responses in response.RESPONSES (the
# MiniBooNE-DM recoil selection, the stopped-pion calorimeters, the NuMI trackers) when imported; they import
# response.py, which therefore does not import them
from . import response_recoil, response_stopped, response_tracker  # noqa: F401  (registration)
from .catalog import BEAMS, EXPERIMENTS, Beam, Experiment, get_experiment

__all__ = ["BEAMS", "EXPERIMENTS", "Beam", "Experiment", "get_experiment"]
