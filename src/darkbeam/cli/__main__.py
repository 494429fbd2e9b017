"""``python -m darkbeam.cli``."""

from . import main

main()
