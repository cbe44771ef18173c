"""Shared pytest hooks: the notebook execution times are printed at the end of a run, each
lesson's and the whole course's (issue 15: the course executes headless in <= 3 minutes on
2 cores)."""

import numpy as np
import pytest

NOTEBOOK_TIMES: dict[str, float] = {}

#: The whole course's budget, seconds of headless execution on 2 cores.
COURSE_BUDGET = 180.0


def pytest_terminal_summary(terminalreporter):
    if not NOTEBOOK_TIMES:
        return
    terminalreporter.section("notebook execution times (fresh kernel, headless)")
    for name, seconds in sorted(NOTEBOOK_TIMES.items()):
        terminalreporter.write_line(f"{name:<40} {seconds:6.1f} s")
    total = sum(NOTEBOOK_TIMES.values())
    verdict = "within" if total <= COURSE_BUDGET else "OVER"
    terminalreporter.write_line(
        f"{f'all {len(NOTEBOOK_TIMES)} lessons':<40} {total:6.1f} s "
        f"({verdict} the course's {COURSE_BUDGET:.0f} s budget)"
    )


@pytest.fixture(autouse=True)
def _restore_printoptions():
    """A released notebook's setup cell, run in-process by the public-test modules, sets
    numpy's print options for the student (precision 6): restore them after every test, or
    every later doctest prints 6 digits instead of 8."""
    with np.printoptions(**np.get_printoptions()):
        yield
