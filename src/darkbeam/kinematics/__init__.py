"""Vectorised relativistic kinematics: four-vectors, boosts, two- and three-body phase space."""
