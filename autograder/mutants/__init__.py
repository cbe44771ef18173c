"""Known-wrong implementations (mutants) of each assignment's questions, with expected hints."""

from autograder.mutants import a1, a3

__all__ = ["a1", "a3"]
