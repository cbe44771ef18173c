"""Issue #4 end to end: every mutant of assignment 1 loses its points under nbgrader.

tests/test_autograder_specs.py runs each mutant against its spec in-process. Here the same
mutants go through the whole instructor workflow instead: a scratch course with the course's
nbgrader_config.py, `release`, `collect` and `autograde` (autograder.cli, as `make` does) and
the feedback pages. Submission k pastes, into every answer cell of the release, the k-th
mutant of that question (`autograder.mutants.a1.source`, cycling through a question's
mutants when it has fewer), so six submissions cover all 50; two more paste the correct
solutions of `CORRECT` and must earn every automatic point.

Each question's test cell runs its visible asserts first and the hidden spec check after
them. A mutant the visible tests catch therefore stops at a visible assert: it scores 0 but
its spec hint is never printed. Only the mutants that pass the visible tests reach the
hidden check, and those must show ``Hint [<id>]: <message>`` in the test cell's output and on
the student's feedback page.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import checks, cli
from autograder.checks import get_spec
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.specs.a1 import HINTS as A1_HINTS

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CONFIG = ROOT / "autograder" / "nbgrader_config.py"
HINTS = {**checks.HINTS, **A1_HINTS}

#: spec name -> the student's function (= answer cell grade id; its test cell is test_<fn>)
QUESTIONS = {m.question: get_spec(m.question).function for m in MUTANTS}
BY_QUESTION = {q: [m for m in MUTANTS if m.question == q] for q in QUESTIONS}
ROUNDS = max(len(ms) for ms in BY_QUESTION.values())  # 6 submissions cover every mutant
CORRECT_ROUNDS = max(len(fns) for fns in CORRECT.values())


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _paste(released, answers):
    """The release with each answer cell's stub replaced by `answers[fn]` (pasted source)."""
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        fn = _grade_id(cell)
        if fn in answers:
            cell.source = answers[fn]
    return nb


def _mutant_submission(k):
    """{function: the k-th mutant of its question}, cycling through shorter lists."""
    return {QUESTIONS[q]: ms[k % len(ms)] for q, ms in BY_QUESTION.items()}


def _correct_submission(k):
    return {QUESTIONS[q]: fns[k % len(fns)] for q, fns in CORRECT.items()}


def _outputs(cell):
    """(stdout, error name, error value) of an executed test cell."""
    stdout = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    errors = [o for o in cell.outputs if o["output_type"] == "error"]
    ename = errors[0]["ename"] if errors else None
    evalue = errors[0]["evalue"] if errors else ""
    return stdout, ename, evalue


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release, collect, autograde and give feedback on the mutant and correct submissions."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(CONFIG, root / "nbgrader_config.py")  # its root is the folder it sits in
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(SOURCE, root / "source" / ASSIGNMENT)

    env = pytest.MonkeyPatch()
    env.delenv("NNFP_DB_URL", raising=False)  # the scratch course keeps its own gradebook
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

        grades = {}
        with course.gradebook() as gb:
            for student in [*plan, *correct]:
                sub = gb.find_submission(ASSIGNMENT, student)
                cells = {g.name: g.score for g in sub.notebooks[0].grades}
                grades[student] = (sub.score, sub.max_score, cells)
        notebooks = {
            student: nbformat.read(
                root / "autograded" / student / ASSIGNMENT / SOURCE.name, as_version=4
            )
            for student in [*plan, *correct]
        }
        pages = {
            student: (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
            for student in plan
        }
    finally:
        env.undo()
    return {
        "report": report,
        "plan": plan,
        "correct": correct,
        "grades": grades,
        "notebooks": notebooks,
        "pages": pages,
    }


def _feedback(page, fn):
    """(listed score, HTML of the test cell's section) of test_<fn> on a feedback page."""
    match = re.search(rf'<a href="#test_{fn}">Test cell</a> \(Score: ([\d.]+) / [\d.]+\)', page)
    assert match, f"test_{fn} is not listed on the feedback page"
    section = page.split(f'<a name="test_{fn}"></a>', 1)[1].split("<a name=", 1)[0]
    return float(match.group(1)), section


def _occurrences(graded, mutant):
    """(student, score of its test cell, its test cell) for each submission holding it."""
    fn = QUESTIONS[mutant.question]
    found = []
    for student, answers in graded["plan"].items():
        if answers[fn] is mutant:
            cell = {_grade_id(c): c for c in graded["notebooks"][student].cells}[f"test_{fn}"]
            found.append((student, graded["grades"][student][2][f"test_{fn}"], cell))
    return found


def test_the_plan_covers_every_mutant():
    assert ROUNDS == 6 and len(MUTANTS) == 50
    planned = {m.name for k in range(ROUNDS) for m in _mutant_submission(k).values()}
    assert planned == {m.name for m in MUTANTS}


@pytest.mark.slow
def test_every_submission_is_graded(graded):
    assert graded["report"] == {s: "graded" for s in [*graded["plan"], *graded["correct"]]}


@pytest.mark.slow
def test_correct_solutions_score_full_automatic_points(graded):
    auto = sum(get_spec(q).points for q in QUESTIONS)  # 28; the written answer is manual
    meta = [c.metadata["nbgrader"] for c in nbformat.read(SOURCE, as_version=4).cells]
    total = sum(m.get("points", 0) for m in meta if m["grade"])  # 31
    for student in graded["correct"]:
        score, max_score, cells = graded["grades"][student]
        assert (score, max_score) == (auto, total), (student, cells)
        for q, fn in QUESTIONS.items():
            assert cells[f"test_{fn}"] == get_spec(q).points, (student, fn)
            stdout, ename, _ = _outputs(
                {_grade_id(c): c for c in graded["notebooks"][student].cells}[f"test_{fn}"]
            )
            assert ename is None and f"{q} (seed " in stdout and "passed" in stdout


@pytest.mark.slow
def test_mutant_submissions_score_only_the_mutants_points(graded):
    for student, answers in graded["plan"].items():
        score, _, _ = graded["grades"][student]
        assert score == sum(m.points for m in answers.values()), student


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_scores_its_points_and_shows_its_hint(graded, mutant):
    fn = QUESTIONS[mutant.question]
    hint = HINTS[mutant.hint]
    shown = f"Hint [{hint.id}]: {hint.message}"
    occurrences = _occurrences(graded, mutant)
    assert occurrences, f"{mutant.name} was in no submission"
    for student, score, cell in occurrences:
        stdout, ename, evalue = _outputs(cell)
        assert score == mutant.points == 0, (student, mutant.name, stdout, evalue)
        assert ename == "AssertionError", (student, mutant.name, ename, evalue)
        # The spec check runs before the visible asserts, so every mistake is named.
        assert f"Public tests for {fn} passed" not in stdout, (student, mutant.name)
        assert evalue.startswith(f"{mutant.question} (seed "), (student, evalue)
        assert shown in evalue, (student, mutant.name, evalue)
        listed, section = _feedback(graded["pages"][student], fn)
        assert listed == mutant.points, (student, mutant.name)
        assert html.escape(shown, quote=False) in section, (student, mutant.name)
