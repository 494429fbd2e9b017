"""darkbeam: dark-sector physics at accelerator neutrino-beam experiments, confronted with data.

Internal units are those of :mod:`hepunits` (MeV, mm, ns); see :mod:`darkbeam.units`.
"""

__version__ = "0.1.0"
