"""The ``microcred`` command line (Typer + rich)."""
