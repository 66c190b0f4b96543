"""The ``carecenter`` command line (Typer)."""
