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

import html
import re
from pathlib import Path

import assignment_harness as harness
import nbformat
import pytest

from autograder import checks
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.specs import get_spec
from autograder.specs.a1 import HINTS as A1_HINTS

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
HINTS = {**checks.HINTS, **A1_HINTS}

#: spec name -> the student's function (= answer cell grade id; its test cell is test_<fn>)
QUESTIONS = {m.question: get_spec(m.question).function for m in MUTANTS}
BY_QUESTION = {q: [m for m in MUTANTS if m.question == q] for q in QUESTIONS}
ROUNDS = max(len(ms) for ms in BY_QUESTION.values())  # 10 submissions cover every mutant
CORRECT_ROUNDS = max(len(fns) for fns in CORRECT.values())


def _mutant_submission(k):
    """{function: the k-th mutant of its question}, cycling through shorter lists."""
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


def _feedback(page, question):
    """(listed points, HTML of the question's section) on a feedback page."""
    assert f"<h2>{question}</h2>" in page, f"{question} is not listed on the feedback page"
    section = page.split(f"<h2>{question}</h2>", 1)[1].split("</section>", 1)[0]
    match = re.search(r"([\d.]+) / ([\d.]+) points", section)
    assert match, section
    return float(match.group(1)), section


def _occurrences(graded, mutant):
    """(student, gradebook score of its test cell, its result entry) per submission."""
    fn = QUESTIONS[mutant.question]
    found = []
    for student, answers in graded["plan"].items():
        if answers[fn] is mutant:
            entry = harness.question_result(graded, student, mutant.question)
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
            entry = harness.question_result(graded, student, q)
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
