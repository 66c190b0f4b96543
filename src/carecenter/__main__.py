"""``python -m carecenter``."""

from carecenter.interfaces.cli.app import main

main()
