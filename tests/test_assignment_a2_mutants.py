"""Assignment 2 ("Update rules") under nbgrader and the course's grading workflow, end to end.

The source notebook's cells carry the nbgrader metadata the course relies on, and every
hidden test names a registered spec worth the cell's points. In a scratch course with the
course's nbgrader_config.py, `nbgrader generate_assignment` makes a release with no
solution code and no hidden-test text whose stubs raise NotImplementedError; the release
runs with no other error; `nbgrader autograde` gives the reference full marks (the written
answer waits for a human) and the blank release zero.

Then the instructor's workflow as `make release`, `collect`, `autograde`, `feedback` and
`grades` run it (autograder.cli; the engine judges outside confined kernels): submission k
pastes into every answer cell the k-th mutant of that question
(`autograder.mutants.a2.source`, cycling through a question's mutants and its adversarial
answers: S2's printed table returned whatever the arguments), three more paste the correct
answers (other orders of operations, the paper's efficient Adam, a namedtuple). Every mutant
and adversarial answer scores 0 on its question with its own hint in the result file and on
the feedback page; the correct ones earn every automatic point. `nesterov_lookahead`'s
gradient functions travel into the kernel as code and closure cells, as A1's
`numerical_gradient`'s test functions do.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import assignment_harness as harness
import nbclient
import nbformat
import numpy as np
import pytest

from autograder import checks
from autograder.mutants.a2 import ADVERSARIAL, CORRECT, MUTANTS, source
from autograder.specs import get_spec
from autograder.specs.a2 import HINTS as A2_HINTS
from autograder.specs.a2 import SPECS_A2

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a2_update_rules"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
HINTS = {**checks.HINTS, **A2_HINTS}

#: spec name -> the student's function (= answer cell grade id; its test cell is test_<fn>)
QUESTIONS = {s.name: s.function for s in SPECS_A2}
WRITTEN, WRITTEN_POINTS = "written_update_rules", 3
AUTO_POINTS = sum(s.points for s in SPECS_A2)  # 29
TOTAL_POINTS = AUTO_POINTS + WRITTEN_POINTS  # 32
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
#: every named mistake and every adversarial answer (some are both), graded in one batch
GRADED = (*MUTANTS, *(a for a in ADVERSARIAL if a.name not in {m.name for m in MUTANTS}))
BY_QUESTION = {q: [m for m in GRADED if m.question == q] for q in QUESTIONS}
ROUNDS = max(len(ms) for ms in BY_QUESTION.values())
CORRECT_ROUNDS = max(len(fns) for fns in CORRECT.values())


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(SOURCE, as_version=4)


# ------------------------------------------------------------------ the source notebook


def test_every_cell_is_an_nbgrader_cell_with_a_unique_grade_id(notebook):
    ids = [harness.meta(c).get("grade_id") for c in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    expected = {*QUESTIONS.values(), *(f"test_{fn}" for fn in QUESTIONS.values()), WRITTEN}
    assert expected <= set(ids)
    for cell in notebook.cells:
        m = harness.meta(cell)
        if m["grade_id"] not in expected:  # instructions and setup: read-only
            assert m["locked"] and not m["grade"] and not m["solution"], m["grade_id"]


def test_answer_and_test_cells(notebook):
    cells = harness.by_id(notebook)
    for name, fn in QUESTIONS.items():
        cell, m = cells[fn], harness.meta(cells[fn])
        assert (m["solution"], m["grade"], m["locked"]) == (True, False, False), fn
        assert f"def {fn}(" in cell.source and SOLUTION.search(cell.source), fn
        test, tm = cells[f"test_{fn}"], harness.meta(cells[f"test_{fn}"])
        points = get_spec(name).points
        assert (tm["grade"], tm["solution"], tm["locked"], tm["points"]) == (
            True,
            False,
            True,
            points,
        )
        assert test.source.startswith("from autograder.public import check\n\n### BEGIN HIDDEN")
        body = HIDDEN.search(test.source).group(1)
        assert re.findall(r'^assert_check\("([\w.]+)", (\w+)\)$', body, flags=re.M) == [(name, fn)]
        visible = test.source.split("### END HIDDEN TESTS", 1)[1]
        assert f'check("{name}", {fn})' in visible, fn
        assert visible.rstrip().endswith(f'visible_tests_passed("{fn}")'), fn


def test_the_written_answer_is_graded_by_hand_with_a_rubric(notebook):
    cells = harness.by_id(notebook)
    m = harness.meta(cells[WRITTEN])
    assert cells[WRITTEN].cell_type == "markdown"
    assert (m["grade"], m["solution"], m["points"]) == (True, True, WRITTEN_POINTS)
    assert "Rubric" in cells[WRITTEN].source
    assert "schedule" in cells[WRITTEN].source and "3.16" in cells[WRITTEN].source


def test_solutions_are_plain_numpy_and_points_add_up(notebook):
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "nnlib" not in code
    points = sum(
        harness.meta(c).get("points", 0) for c in notebook.cells if harness.meta(c)["grade"]
    )
    assert points == TOTAL_POINTS == 32
    assert f"**{TOTAL_POINTS}**" in notebook.cells[0].source


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


def test_source_is_stored_without_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# ------------------------------------------------------------- nbgrader, end to end


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course: release generated, the reference and the blank release autograded."""
    reference = nbformat.read(SOURCE, as_version=4)
    submitted = {"reference": reference, "blank": None}
    return harness.nbgrader_course(tmp_path_factory.mktemp("course"), SOURCE, submitted)


def _scores(course, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASSIGNMENT, student)
        grades = {g.name: (g.score, g.needs_manual_grade) for g in sub.notebooks[0].grades}
        return sub.score, sub.max_score, grades


@pytest.mark.slow
def test_release_has_no_solution_code_and_no_hidden_tests(course, notebook):
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = release.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "assert_check"]:
        assert marker not in text, f"the release contains {marker!r}"
    released = harness.by_id(nbformat.read(release, as_version=4))
    for fn in QUESTIONS.values():
        solution = SOLUTION.search(harness.by_id(notebook)[fn].source).group(1)
        stub = released[fn].source
        assert "raise NotImplementedError" in stub and f"def {fn}(" in stub, fn
        for line in solution.splitlines():
            if len(line.strip()) > 8:
                assert line.strip() not in stub, f"{fn}: solution line left in: {line}"
    assert released[WRITTEN].source.strip() == "YOUR ANSWER HERE"


@pytest.mark.slow
def test_release_runs_with_no_error_but_not_implemented(course):
    folder = course / "release" / ASSIGNMENT
    nb = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    assert harness.errors(nb) == {f"test_{fn}": "NotImplementedError" for fn in QUESTIONS.values()}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", f"{harness.meta(cell)['grade_id']} wrote to stderr"


@pytest.mark.slow
def test_reference_scores_full_marks_and_blank_zero(course):
    score, max_score, grades = _scores(course, "reference")
    assert (score, max_score) == (AUTO_POINTS, TOTAL_POINTS), grades
    assert grades[WRITTEN][1], "the written answer waits for a human grader"
    score, _, grades = _scores(course, "blank")
    assert score == 0, grades


# ------------------------------------------------------- the course's workflow, mutants


def _mutant_submission(k):
    return {QUESTIONS[q]: ms[k % len(ms)] for q, ms in BY_QUESTION.items()}


def _correct_submission(k):
    return {QUESTIONS[q]: fns[k % len(fns)] for q, fns in CORRECT.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release, collect, autograde and give feedback on the mutant and correct submissions."""
    plan = {f"mutants{k}": _mutant_submission(k) for k in range(ROUNDS)}
    correct = {f"correct{k}": _correct_submission(k) for k in range(CORRECT_ROUNDS)}
    root = tmp_path_factory.mktemp("course")
    return harness.grade_mutants(root, SOURCE, plan, correct, source)


def test_the_plan_covers_every_mutant():
    planned = {m.name for k in range(ROUNDS) for m in _mutant_submission(k).values()}
    assert planned == {m.name for m in GRADED}


@pytest.mark.slow
def test_every_submission_is_graded_and_correct_ones_score_full(graded):
    students = [*graded["plan"], *graded["correct"]]
    assert sorted(graded["report"]) == sorted(students)
    assert all(status.startswith("graded") for status in graded["report"].values())
    assert all(not graded["results"][s].flags for s in students)
    for student in graded["correct"]:
        score, _, cells = graded["grades"][student]
        assert score == AUTO_POINTS, (student, cells)


@pytest.mark.slow
def test_grades_csv_lists_every_submission_with_its_score(graded):
    rows = {r["student_id"]: r for r in graded["csv"] if r["assignment"] == ASSIGNMENT}
    assert set(rows) == {*graded["plan"], *graded["correct"]}
    for student, row in rows.items():
        assert float(row["score"]) == graded["grades"][student][0], student
        assert float(row["max_score"]) == TOTAL_POINTS
        assert row["status"] not in ("failed", "missing") and not row["note"], row


@pytest.mark.slow
@pytest.mark.parametrize("mutant", GRADED, ids=lambda m: m.name)
def test_mutant_scores_zero_and_shows_its_hint(graded, mutant):
    hint = HINTS[mutant.hint]
    shown = f"Hint [{hint.id}]: {hint.message}"
    fn = QUESTIONS[mutant.question]
    found = [s for s, answers in graded["plan"].items() if answers[fn] is mutant]
    assert found, f"{mutant.name} was in no submission"
    for student in found:
        entry = harness.question_result(graded, student, mutant.question)
        assert graded["grades"][student][2][f"test_{fn}"] == 0 == entry.points_earned
        assert entry.hint_id == hint.id, (student, mutant.name, entry.message)
        page = graded["pages"][student]
        section = page.split(f"<h2>{mutant.question}</h2>", 1)[1].split("</section>", 1)[0]
        assert html.escape(shown) in section, (student, mutant.name)
