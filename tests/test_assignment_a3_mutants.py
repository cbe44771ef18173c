"""Assignment 3 ("The 10-layer activation-statistics experiment") under nbgrader and the
course's grading workflow, end to end.

The source notebook's cells carry the nbgrader metadata the course relies on, and every
hidden test names a registered spec worth the cell's points. In a scratch course with the
course's nbgrader_config.py, `nbgrader generate_assignment` makes a release with no
solution code and no hidden-test text whose stubs raise NotImplementedError; the release
runs with no other error; `nbgrader autograde` gives the reference full marks (the written
answer waits for a human) and the blank release zero.

Then the instructor's workflow as `make release`, `collect`, `autograde`, `feedback` and
`grades` run it (autograder.cli; the engine judges outside confined kernels): submission k
pastes into every answer cell the k-th mutant of that question
(`autograder.mutants.a3.source`, cycling through a question's mutants and its adversarial
answers: the band's centre returned, per-scheme constants hard-coded, output independent of
the seed), two more paste the correct solutions. Every mutant and adversarial answer scores 0
on its question with its own hint in the result file and on the feedback page; the correct
ones earn every automatic point.
"""

from __future__ import annotations

import copy
import csv
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

from autograder import checks, cli
from autograder.mutants.a3 import ADVERSARIAL, CORRECT, MUTANTS, source
from autograder.results import read_results
from autograder.specs import get_spec
from autograder.specs.a3 import HINTS as A3_HINTS
from autograder.specs.a3 import SPECS_A3

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a3_activation_statistics"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CONFIG = ROOT / "autograder" / "nbgrader_config.py"
HINTS = {**checks.HINTS, **A3_HINTS}

#: spec name -> the student's function (= answer cell grade id; its test cell is test_<fn>)
QUESTIONS = {s.name: s.function for s in SPECS_A3}
WRITTEN, WRITTEN_POINTS = "written_initialization", 3
AUTO_POINTS = sum(s.points for s in SPECS_A3)  # 20
TOTAL_POINTS = AUTO_POINTS + WRITTEN_POINTS  # 23
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
#: every named mistake and every adversarial answer (some are both), graded in one batch
GRADED = (*MUTANTS, *(a for a in ADVERSARIAL if a.name not in {m.name for m in MUTANTS}))
BY_QUESTION = {q: [m for m in GRADED if m.question == q] for q in QUESTIONS}
ROUNDS = max(len(ms) for ms in BY_QUESTION.values())
CORRECT_ROUNDS = max(len(fns) for fns in CORRECT.values())


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def _by_id(nb):
    return {_meta(c)["grade_id"]: c for c in nb.cells if "grade_id" in _meta(c)}


@pytest.fixture(scope="module")
def notebook():
    return nbformat.read(SOURCE, as_version=4)


# ------------------------------------------------------------------ the source notebook


def test_every_cell_is_an_nbgrader_cell_with_a_unique_grade_id(notebook):
    ids = [_meta(c).get("grade_id") for c in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    expected = {*QUESTIONS.values(), *(f"test_{fn}" for fn in QUESTIONS.values()), WRITTEN}
    assert expected <= set(ids)
    for cell in notebook.cells:
        m = _meta(cell)
        if m["grade_id"] not in expected:  # instructions and setup: read-only
            assert m["locked"] and not m["grade"] and not m["solution"], m["grade_id"]


def test_answer_and_test_cells(notebook):
    cells = _by_id(notebook)
    for name, fn in QUESTIONS.items():
        cell, m = cells[fn], _meta(cells[fn])
        assert (m["solution"], m["grade"], m["locked"]) == (True, False, False), fn
        assert f"def {fn}(" in cell.source and SOLUTION.search(cell.source), fn
        test, tm = cells[f"test_{fn}"], _meta(cells[f"test_{fn}"])
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


def test_the_written_answer_is_graded_by_hand_and_its_facts_are_the_seed_s(notebook):
    cells = _by_id(notebook)
    m = _meta(cells[WRITTEN])
    assert cells[WRITTEN].cell_type == "markdown"
    assert (m["grade"], m["solution"], m["points"]) == (True, True, WRITTEN_POINTS)
    assert "Rubric" in cells[WRITTEN].source
    # the slide's own line, as /work/shared/seeds S1 prints it (LESSONS.md §2)
    assert "hidden layer 1 had mean 0.001880 and std 1.001311" in cells["q7_text"].source
    assert "input layer" in cells[WRITTEN].source


def test_solutions_are_plain_numpy_and_points_add_up(notebook):
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "nnlib" not in code
    points = sum(_meta(c).get("points", 0) for c in notebook.cells if _meta(c)["grade"])
    assert points == TOTAL_POINTS == 23
    assert f"**{TOTAL_POINTS}**" in notebook.cells[0].source


def test_the_text_s_numbers_are_the_grader_s(notebook):
    from autograder.specs import a3, a3_bands

    cells = _by_id(notebook)
    he = a3.BANDS["configs"]["he/relu"]
    text = cells["q4_text"].source
    assert f"[{he['lower'][0]:.2f}, {he['upper'][0]:.2f}]" in text
    assert f"[{he['lower'][-1]:.2f}, {he['upper'][-1]:.2f}]" in text
    size = a3.BANDS["size"]
    assert f"{size['n_layers']} layers of width {size['width']} and $N = {size['n']}$" in text
    assert f"mean of {a3_bands.SEEDS} seeds" in text
    assert f"derived from {a3_bands.SEEDS} seeds" in notebook.cells[0].source
    assert f"{a3.predicted_std_reference('he', 'relu', 1, 250)[0]:.6f}" in cells["q6_text"].source


def test_source_is_stored_without_outputs(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# ------------------------------------------------------------- nbgrader, end to end


def _nbgrader(course, *args):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("NNFP_DB_URL", None)  # the scratch course keeps its own SQLite gradebook
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stderr[-3000:]}"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course: release generated, the reference and the blank release autograded."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOURCE, course / "source" / ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student, nb in [
        ("reference", nbformat.read(SOURCE, as_version=4)),
        ("blank", nbformat.read(release, as_version=4)),
    ]:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
        (folder / "timestamp.txt").write_text("2026-12-07 12:00:00.000000 UTC")
        _nbgrader(course, "db", "student", "add", student)
    _nbgrader(course, "autograde", ASSIGNMENT)
    return course


def _scores(course, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASSIGNMENT, student)
        grades = {g.name: (g.score, g.needs_manual_grade) for g in sub.notebooks[0].grades}
        return sub.score, sub.max_score, grades


def _errors(nb):
    return {
        _meta(c)["grade_id"]: out["ename"]
        for c in nb.cells
        for out in c.get("outputs", [])
        if out["output_type"] == "error"
    }


@pytest.mark.slow
def test_release_has_no_solution_code_and_no_hidden_tests(course, notebook):
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = release.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "assert_check"]:
        assert marker not in text, f"the release contains {marker!r}"
    released = _by_id(nbformat.read(release, as_version=4))
    for fn in QUESTIONS.values():
        solution = SOLUTION.search(_by_id(notebook)[fn].source).group(1)
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
    assert _errors(nb) == {f"test_{fn}": "NotImplementedError" for fn in QUESTIONS.values()}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", f"{_meta(cell)['grade_id']} wrote to stderr"


@pytest.mark.slow
def test_reference_scores_full_marks_and_blank_zero(course):
    score, max_score, grades = _scores(course, "reference")
    assert (score, max_score) == (AUTO_POINTS, TOTAL_POINTS), grades
    assert grades[WRITTEN][1], "the written answer waits for a human grader"
    score, _, grades = _scores(course, "blank")
    assert score == 0, grades


# ------------------------------------------------------- the course's workflow, mutants


def _paste(released, answers):
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        fn = _meta(cell).get("grade_id")
        if fn in answers:
            cell.source = answers[fn]
    return nb


def _mutant_submission(k):
    return {QUESTIONS[q]: ms[k % len(ms)] for q, ms in BY_QUESTION.items()}


def _correct_submission(k):
    return {QUESTIONS[q]: fns[k % len(fns)] for q, fns in CORRECT.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release, collect, autograde and give feedback on the mutant and correct submissions."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOURCE, root / "source" / ASSIGNMENT)
    env = pytest.MonkeyPatch()
    env.delenv("NNFP_DB_URL", raising=False)
    env.setenv("NNFP_CELL_TIMEOUT", "30")
    try:
        course = cli.Course(root)
        cli.release(course, ASSIGNMENT)
        released = nbformat.read(root / "release" / ASSIGNMENT / SOURCE.name, as_version=4)
        plan = {f"mutants{k}": _mutant_submission(k) for k in range(ROUNDS)}
        correct = {f"correct{k}": _correct_submission(k) for k in range(CORRECT_ROUNDS)}
        inbox = root.parent / (root.name + "_inbox")
        inbox.mkdir()
        for student, answers in plan.items():
            pasted = {fn: source(m.fn, fn) for fn, m in answers.items()}
            nbformat.write(_paste(released, pasted), inbox / f"{student}.ipynb")
        for student, answers in correct.items():
            pasted = {fn: source(f, fn) for fn, f in answers.items()}
            nbformat.write(_paste(released, pasted), inbox / f"{student}.ipynb")
        cli.collect(course, inbox)
        report = cli.autograde(course, ASSIGNMENT, progress=False, jobs=2)[ASSIGNMENT]
        cli.feedback(course, ASSIGNMENT)
        with open(cli.grades(course), newline="") as f:
            csv_rows = list(csv.DictReader(f))
        grades = {}
        with course.gradebook() as gb:
            for student in [*plan, *correct]:
                sub = gb.find_submission(ASSIGNMENT, student)
                grades[student] = (sub.score, {g.name: g.score for g in sub.notebooks[0].grades})
        results = {r.student: r for r in read_results(root / "results", ASSIGNMENT)}
        pages = {
            s: (root / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text() for s in plan
        }
    finally:
        env.undo()
    return {
        "report": report,
        "plan": plan,
        "correct": correct,
        "grades": grades,
        "results": results,
        "pages": pages,
        "csv": csv_rows,
    }


def _question(graded, student, question):
    cells = graded["results"][student].questions
    return next(cell.result for cell in cells if cell.result.name == question)


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
        score, cells = graded["grades"][student]
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
        entry = _question(graded, student, mutant.question)
        assert graded["grades"][student][1][f"test_{fn}"] == 0 == entry.points_earned
        assert entry.hint_id == hint.id, (student, mutant.name, entry.message)
        page = graded["pages"][student]
        section = page.split(f"<h2>{mutant.question}</h2>", 1)[1].split("</section>", 1)[0]
        assert html.escape(shown) in section, (student, mutant.name)
