"""End-to-end chains of the pipeline stages: fluxes at detectors, signal predictions.

Importing the package registers every detection process (``signal.SIGNAL_PROCESSES``): the scatter and
scatter-then-decay processes of :mod:`.signal` and :mod:`.dark_neutrino_signal`, and the generic
decay-in-volume process of :mod:`.decay_in_volume`.
"""

from . import (  # noqa: F401  (registration side effects)
    alp_electron_scattering,
    alp_scattering,
    dark_neutrino_signal,
    decay_in_volume,
    dm_elastic,
    dm_electron,
    signal,
)
