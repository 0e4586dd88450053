"""Command-line front end (being built)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gdplayground`` command."""
    print("gdplayground: command line under construction")
    return 0
