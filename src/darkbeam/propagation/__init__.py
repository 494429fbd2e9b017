"""Propagation: decay regions, decay positions along flight paths, survival, detector acceptance."""
