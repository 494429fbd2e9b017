"""End-to-end chains of the pipeline stages: fluxes at detectors, signal predictions."""
