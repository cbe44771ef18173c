"""Assignment 3 ("The 10-layer activation-statistics experiment"): what its notebook says
is what its grader does.

The structure of the notebook, its release under stock nbgrader and its grading through
the course's workflow (every mutant and adversarial answer at 0 with its own hint) are
checked with assignment 2's in `test_assignments_end_to_end.py`. Here: the bands and the
grading size the text quotes are `a3_bands.json`'s, the worked prediction is the
reference's, and the written question quotes the seed's table as S1 prints it.
"""

from __future__ import annotations

from pathlib import Path

import assignment_harness as harness
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a3_activation_statistics"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
WRITTEN = "written_initialization"


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(SOURCE, as_version=4)


def test_the_written_question_quotes_the_seed_s_table(notebook):
    cells = harness.by_id(notebook)
    # the slide's own line, as /work/shared/seeds S1 prints it (LESSONS.md §2)
    assert "hidden layer 1 had mean 0.001880 and std 1.001311" in cells["q7_text"].source
    assert "input layer" in cells[WRITTEN].source


def test_the_text_s_numbers_are_the_grader_s(notebook):
    from autograder.specs import a3, a3_bands

    cells = harness.by_id(notebook)
    he = a3.BANDS["configs"]["he/relu"]
    text = cells["q4_text"].source
    assert f"[{he['lower'][0]:.2f}, {he['upper'][0]:.2f}]" in text
    assert f"[{he['lower'][-1]:.2f}, {he['upper'][-1]:.2f}]" in text
    size = a3.BANDS["size"]
    assert f"{size['n_layers']} layers of width {size['width']} and $N = {size['n']}$" in text
    assert f"mean of {a3_bands.SEEDS} seeds" in text
    assert f"derived from {a3_bands.SEEDS} seeds" in notebook.cells[0].source
    assert f"{a3.predicted_std_reference('he', 'relu', 1, 250)[0]:.6f}" in cells["q6_text"].source
