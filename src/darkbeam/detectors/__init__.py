"""Experiment catalog (geometry, material, exposure) and fast parametrised detector response."""

from .catalog import BEAMS, EXPERIMENTS, Beam, Experiment, get_experiment

__all__ = ["BEAMS", "EXPERIMENTS", "Beam", "Experiment", "get_experiment"]
