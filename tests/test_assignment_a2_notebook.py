"""Assignment 2 ("Update rules"): what its notebook says is what its grader does.

The structure of the notebook, its release under stock nbgrader and its grading through
the course's workflow (every mutant and adversarial answer at 0 with its own hint) are
checked with assignment 3's in `test_assignments_end_to_end.py`. Here: the numbers the
text quotes are the grader's (FACTS' EMA of a constant 10, cs231n's momentum fixture, Adam's
uncorrected factors, the tuning goal's step counts, S2's schedule table), the written
question is about what the rubric grades, and the notebook's valley is the grader's.
"""

from __future__ import annotations

from pathlib import Path

import assignment_harness as harness
import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a2_update_rules"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
WRITTEN = "written_update_rules"


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(SOURCE, as_version=4)


def test_the_written_answer_asks_about_schedules_and_the_uncorrected_steps(notebook):
    written = harness.by_id(notebook)[WRITTEN].source
    assert "schedule" in written and "3.16" in written


def test_the_text_s_numbers_are_the_grader_s(notebook):
    from autograder.specs import a2

    cells = harness.by_id(notebook)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    # FACTS' EMA of a constant 10 (beta = 0.98), raw
    raw = a2.ema_reference(np.full(3, 10.0), 0.98, False)
    assert ", ".join(f"{x:.3f}" for x in raw) in cells["q1_text"].source
    # cs231n's next_w[0, 0] through our form
    case = a2.PUBLIC_A2["a2.sgd_momentum"][0]
    assert f"{a2.sgd_momentum_reference(*case.args)[0][0, 0]:.4f}" in cells["q2_text"].source
    # Adam without correction: the steps' factors (1 - b1**t) / sqrt(1 - b2**t)
    t = np.arange(1, 4)
    factors = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert ", ".join(f"{x:.2f}" for x in factors) in cells[WRITTEN].source
    # the tuning goal: 120 steps, the reference's 46, a grid's 95 at mu = 0.9
    lr, mu = a2.tune_momentum_reference()
    assert len(a2.momentum_run(lr, mu)) == 46 and "46 steps" in cells["tune_momentum"].source
    assert len(a2.momentum_run(0.01, 0.9)) == 95 and "needs 95 steps" in cells["q9_text"].source
    assert f"**{a2.STEPS} steps**" in cells["q9_text"].source
    assert "0.1, 0.0667, 0.05, 0.04" in text


def test_the_valley_cell_is_the_grader_s_valley(notebook):
    from autograder.specs import a2

    ns = {"np": np}
    exec(harness.by_id(notebook)["valley"].source, ns)
    np.testing.assert_allclose(ns["H"], a2.VALLEY["H"], rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ns["x0"], a2.VALLEY["x0"], rtol=1e-14)
