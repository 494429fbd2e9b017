"""Input/output: configs, atomic file writing, Parquet and HepMC3 event files."""
