"""Question specs of every assignment; importing this package registers them in `SPECS`."""

from autograder.specs import a1

__all__ = ["a1"]
