"""Issues #4 and #5 end to end: every mutant of assignment 1 loses its points.

tests/test_autograder_specs.py runs each mutant against its spec in-process. Here the same
mutants go through the whole instructor workflow instead: a scratch course with the course's
nbgrader_config.py, `release`, `collect` and `autograde` (autograder.cli, as `make` does,
so the engine judges them outside confined kernels) and the feedback pages. Submission k
pastes, into every answer cell of the release, the k-th mutant of that question
(`autograder.mutants.a1.source`, cycling through a question's mutants when it has fewer), so
ten submissions cover all 55; three more paste the correct solutions of `CORRECT` and must
earn every automatic point.

Every mutant must score 0 in the gradebook, with its own hint in the result file's message
(``Hint [<id>]: <message>``) and on the student's feedback page.
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
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.results import read_results
from autograder.specs import get_spec
from autograder.specs.a1 import HINTS as A1_HINTS

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CONFIG = ROOT / "autograder" / "nbgrader_config.py"
HINTS = {**checks.HINTS, **A1_HINTS}

#: spec name -> the student's function (= answer cell grade id; its test cell is test_<fn>)
QUESTIONS = {m.question: get_spec(m.question).function for m in MUTANTS}
BY_QUESTION = {q: [m for m in MUTANTS if m.question == q] for q in QUESTIONS}
ROUNDS = max(len(ms) for ms in BY_QUESTION.values())  # 10 submissions cover every mutant
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
        results = {r.student: r for r in read_results(root / "results", ASSIGNMENT)}
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
        "results": results,
        "pages": pages,
    }


def _feedback(page, question):
    """(listed points, HTML of the question's section) on a feedback page."""
    assert f"<h2>{question}</h2>" in page, f"{question} is not listed on the feedback page"
    section = page.split(f"<h2>{question}</h2>", 1)[1].split("</section>", 1)[0]
    match = re.search(r"([\d.]+) / ([\d.]+) points", section)
    assert match, section
    return float(match.group(1)), section


def _question(graded, student, question):
    """The `QuestionResult` of `question` in a student's result file."""
    cells = graded["results"][student].questions
    return next(cell.result for cell in cells if cell.result.name == question)


def _occurrences(graded, mutant):
    """(student, gradebook score of its test cell, its result entry) per submission."""
    fn = QUESTIONS[mutant.question]
    found = []
    for student, answers in graded["plan"].items():
        if answers[fn] is mutant:
            entry = _question(graded, student, mutant.question)
            found.append((student, graded["grades"][student][2][f"test_{fn}"], entry))
    return found


def test_the_plan_covers_every_mutant():
    assert ROUNDS == 10 and len(MUTANTS) == 55
    planned = {m.name for k in range(ROUNDS) for m in _mutant_submission(k).values()}
    assert planned == {m.name for m in MUTANTS}


@pytest.mark.slow
def test_every_submission_is_graded(graded):
    students = [*graded["plan"], *graded["correct"]]
    assert sorted(graded["report"]) == sorted(students)
    assert all(status.startswith("graded") for status in graded["report"].values())
    assert all(not graded["results"][s].flags for s in students)  # nothing suspicious


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
            entry = _question(graded, student, q)
            assert entry.passed and f"{q} (seed " in entry.message, entry


@pytest.mark.slow
def test_mutant_submissions_score_only_the_mutants_points(graded):
    for student, answers in graded["plan"].items():
        score, _, _ = graded["grades"][student]
        assert score == sum(m.points for m in answers.values()), student


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_mutant_scores_its_points_and_shows_its_hint(graded, mutant):
    hint = HINTS[mutant.hint]
    shown = f"Hint [{hint.id}]: {hint.message}"
    occurrences = _occurrences(graded, mutant)
    assert occurrences, f"{mutant.name} was in no submission"
    for student, score, entry in occurrences:
        message = entry.message
        assert score == mutant.points == 0 == entry.points_earned, (student, mutant.name)
        assert entry.hint_id == hint.id, (student, mutant.name, message)
        assert message.startswith(f"{mutant.question} (seed "), (student, message)
        assert shown in message, (student, mutant.name, message)
        listed, section = _feedback(graded["pages"][student], mutant.question)
        assert listed == mutant.points, (student, mutant.name)
        assert html.escape(shown) in section, (student, mutant.name)
