"""Assignments 2 and 3 under nbgrader and the course's grading workflow, end to end.

What every assignment owes its instructor and students, checked the same way for each
(assignment 1 has its own module, `test_assignment_a1.py` and `_mutants.py`, whose
mutants may keep points):

* the source notebook: every cell is an nbgrader cell with a unique grade id; each question
  has an answer cell (solution, unlocked, ``def <fn>(``) and a locked test cell worth its
  spec's points, whose hidden part names exactly that spec and whose visible part runs the
  public cases; the solutions are plain numpy (no nnlib); the points add up to the total the
  first cell states; no outputs are stored;
* stock nbgrader (a scratch course with the course's nbgrader_config.py):
  `generate_assignment` makes a release with no solution code and no hidden-test text,
  whose stubs raise NotImplementedError and which runs with no other error;
  `nbgrader autograde` gives the reference every automatic point (the written answer waits
  for a human) and the blank release zero;
* the course's own workflow (`autograder.cli`, as ``make release``, ``collect``,
  ``autograde``, ``feedback`` and ``grades`` run it; the engine judges outside confined
  kernels): submission k pastes into every answer cell the k-th mutant of that question
  (the mutants module's ``source``, cycling through a question's mutants and adversarial
  answers), more paste the correct variants. Every mutant and adversarial answer scores 0 on
  its question with its own hint in the result file and on the feedback page; the correct
  ones earn every automatic point; the grades CSV lists each submission with its score.

Each assignment's own text (its numbers, its written question) is checked in its module.
"""

from __future__ import annotations

import html
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import assignment_harness as harness
import nbclient
import nbformat
import pytest

from autograder import checks
from autograder.specs import get_spec

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@dataclass(frozen=True)
class Assignment:
    """One assignment as these tests see it."""

    key: str  # "a2"
    folder: str  # "a2_update_rules"
    written: str  # the hand-graded answer's grade id
    written_points: int
    total: int  # the points the first cell states

    @property
    def source(self) -> Path:
        return ROOT / "autograder" / "source" / self.folder / f"{self.folder}.ipynb"

    @property
    def specs(self) -> tuple:
        return getattr(
            importlib.import_module(f"autograder.specs.{self.key}"), "SPECS_" + self.key.upper()
        )

    @property
    def mutants(self):
        return importlib.import_module(f"autograder.mutants.{self.key}")

    @property
    def hints(self) -> dict:
        return {**checks.HINTS, **importlib.import_module(f"autograder.specs.{self.key}").HINTS}

    @property
    def questions(self) -> dict:
        """Spec name -> the student's function (its answer cell's grade id)."""
        return {s.name: s.function for s in self.specs}

    @property
    def auto_points(self) -> int:
        return sum(s.points for s in self.specs)

    @property
    def graded(self) -> tuple:
        """Every named mistake and every adversarial answer (some are both)."""
        m = self.mutants
        names = {x.name for x in m.MUTANTS}
        return (*m.MUTANTS, *(a for a in m.ADVERSARIAL if a.name not in names))

    def mutant_submission(self, k: int) -> dict:
        """{function: the k-th mutant of its question}, cycling through shorter lists."""
        by_question = {q: [m for m in self.graded if m.question == q] for q in self.questions}
        return {self.questions[q]: ms[k % len(ms)] for q, ms in by_question.items()}

    def correct_submission(self, k: int) -> dict:
        return {self.questions[q]: fns[k % len(fns)] for q, fns in self.mutants.CORRECT.items()}

    @property
    def rounds(self) -> int:
        return max(sum(m.question == q for m in self.graded) for q in self.questions)


ASSIGNMENTS = {
    "a2": Assignment("a2", "a2_update_rules", "written_update_rules", 3, 32),
    "a3": Assignment("a3", "a3_activation_statistics", "written_initialization", 3, 23),
}
KEYS = tuple(ASSIGNMENTS)


def _lazy(make):
    """A module fixture's value per assignment, made on first use (the batches are slow)."""
    made: dict = {}

    def get(key):
        if key not in made:
            made[key] = make(ASSIGNMENTS[key])
        return made[key]

    return get


# ------------------------------------------------------------------ the source notebook


@pytest.mark.parametrize("key", KEYS)
def test_every_cell_is_an_nbgrader_cell_with_a_unique_grade_id(key):
    a = ASSIGNMENTS[key]
    notebook = nbformat.read(a.source, as_version=4)
    ids = [harness.meta(c).get("grade_id") for c in notebook.cells]
    assert all(ids) and len(set(ids)) == len(ids)
    expected = {*a.questions.values(), *(f"test_{fn}" for fn in a.questions.values()), a.written}
    assert expected <= set(ids)
    for cell in notebook.cells:
        m = harness.meta(cell)
        if m["grade_id"] not in expected:  # instructions and setup: read-only
            assert m["locked"] and not m["grade"] and not m["solution"], m["grade_id"]


@pytest.mark.parametrize("key", KEYS)
def test_answer_and_test_cells(key):
    a = ASSIGNMENTS[key]
    cells = harness.by_id(nbformat.read(a.source, as_version=4))
    for name, fn in a.questions.items():
        cell, m = cells[fn], harness.meta(cells[fn])
        assert (m["solution"], m["grade"], m["locked"]) == (True, False, False), fn
        assert f"def {fn}(" in cell.source and SOLUTION.search(cell.source), fn
        test, tm = cells[f"test_{fn}"], harness.meta(cells[f"test_{fn}"])
        want = (True, False, True, get_spec(name).points)
        assert (tm["grade"], tm["solution"], tm["locked"], tm["points"]) == want, fn
        assert test.source.startswith("from autograder.public import check\n\n### BEGIN HIDDEN")
        body = HIDDEN.search(test.source).group(1)
        assert re.findall(r'^assert_check\("([\w.]+)", (\w+)\)$', body, flags=re.M) == [(name, fn)]
        visible = test.source.split("### END HIDDEN TESTS", 1)[1]
        assert f'check("{name}", {fn})' in visible, fn
        assert visible.rstrip().endswith(f'visible_tests_passed("{fn}")'), fn


@pytest.mark.parametrize("key", KEYS)
def test_the_written_answer_is_graded_by_hand_with_a_rubric(key):
    a = ASSIGNMENTS[key]
    cell = harness.by_id(nbformat.read(a.source, as_version=4))[a.written]
    m = harness.meta(cell)
    assert cell.cell_type == "markdown" and "Rubric" in cell.source
    assert (m["grade"], m["solution"], m["points"]) == (True, True, a.written_points)


@pytest.mark.parametrize("key", KEYS)
def test_solutions_are_plain_numpy_and_points_add_up(key):
    a = ASSIGNMENTS[key]
    notebook = nbformat.read(a.source, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "nnlib" not in code
    graded = [harness.meta(c) for c in notebook.cells if harness.meta(c)["grade"]]
    assert sum(m.get("points", 0) for m in graded) == a.total == a.auto_points + a.written_points
    assert f"**{a.total}**" in notebook.cells[0].source


@pytest.mark.parametrize("key", KEYS)
def test_source_is_stored_without_outputs(key):
    for cell in nbformat.read(ASSIGNMENTS[key].source, as_version=4).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# ------------------------------------------------------------- nbgrader, end to end


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Per assignment, a scratch course: release generated, the reference and the blank
    release autograded by stock nbgrader."""

    def make(a):
        submitted = {"reference": nbformat.read(a.source, as_version=4), "blank": None}
        return harness.nbgrader_course(tmp_path_factory.mktemp(a.key), a.source, submitted)

    return _lazy(make)


def _scores(root, a, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(a.folder, student)
        grades = {g.name: (g.score, g.needs_manual_grade) for g in sub.notebooks[0].grades}
        return sub.score, sub.max_score, grades


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_release_has_no_solution_code_and_no_hidden_tests(course, key):
    a = ASSIGNMENTS[key]
    release = course(key) / "release" / a.folder / f"{a.folder}.ipynb"
    text = release.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "assert_check"]:
        assert marker not in text, f"the release contains {marker!r}"
    released = harness.by_id(nbformat.read(release, as_version=4))
    source = harness.by_id(nbformat.read(a.source, as_version=4))
    for fn in a.questions.values():
        solution = SOLUTION.search(source[fn].source).group(1)
        stub = released[fn].source
        assert "raise NotImplementedError" in stub and f"def {fn}(" in stub, fn
        for line in solution.splitlines():
            if len(line.strip()) > 8:
                assert line.strip() not in stub, f"{fn}: solution line left in: {line}"
    assert released[a.written].source.strip() == "YOUR ANSWER HERE"


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_release_runs_with_no_error_but_not_implemented(course, key):
    a = ASSIGNMENTS[key]
    folder = course(key) / "release" / a.folder
    nb = nbformat.read(folder / f"{a.folder}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    assert harness.errors(nb) == {
        f"test_{fn}": "NotImplementedError" for fn in a.questions.values()
    }
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", f"{harness.meta(cell)['grade_id']} wrote to stderr"


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_reference_scores_full_marks_and_blank_zero(course, key):
    a = ASSIGNMENTS[key]
    score, max_score, grades = _scores(course(key), a, "reference")
    assert (score, max_score) == (a.auto_points, a.total), grades
    assert grades[a.written][1], "the written answer waits for a human grader"
    score, _, grades = _scores(course(key), a, "blank")
    assert score == 0, grades


# ------------------------------------------------------- the course's workflow, mutants


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Per assignment: release, collect, autograde and feedback on the mutant and correct
    submissions."""

    def make(a):
        plan = {f"mutants{k}": a.mutant_submission(k) for k in range(a.rounds)}
        rounds = max(len(fns) for fns in a.mutants.CORRECT.values())
        correct = {f"correct{k}": a.correct_submission(k) for k in range(rounds)}
        root = tmp_path_factory.mktemp(f"{a.key}_course")
        return harness.grade_mutants(root, a.source, plan, correct, a.mutants.source)

    return _lazy(make)


@pytest.mark.parametrize("key", KEYS)
def test_the_plan_covers_every_mutant(key):
    a = ASSIGNMENTS[key]
    planned = {m.name for k in range(a.rounds) for m in a.mutant_submission(k).values()}
    assert planned == {m.name for m in a.graded}


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_every_submission_is_graded_and_correct_ones_score_full(graded, key):
    g, a = graded(key), ASSIGNMENTS[key]
    students = [*g["plan"], *g["correct"]]
    assert sorted(g["report"]) == sorted(students)
    assert all(status.startswith("graded") for status in g["report"].values())
    assert all(not g["results"][s].flags for s in students)
    for student in g["correct"]:
        score, _, cells = g["grades"][student]
        assert score == a.auto_points, (student, cells)


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_grades_csv_lists_every_submission_with_its_score(graded, key):
    g, a = graded(key), ASSIGNMENTS[key]
    rows = {r["student_id"]: r for r in g["csv"] if r["assignment"] == a.folder}
    assert set(rows) == {*g["plan"], *g["correct"]}
    for student, row in rows.items():
        assert float(row["score"]) == g["grades"][student][0], student
        assert float(row["max_score"]) == a.total
        assert row["status"] not in ("failed", "missing") and not row["note"], row


@pytest.mark.slow
@pytest.mark.parametrize(
    "key, mutant",
    [(key, m) for key, a in ASSIGNMENTS.items() for m in a.graded],
    ids=lambda x: x if isinstance(x, str) else x.name,
)
def test_mutant_scores_zero_and_shows_its_hint(graded, key, mutant):
    g, a = graded(key), ASSIGNMENTS[key]
    hint = a.hints[mutant.hint]
    shown = f"Hint [{hint.id}]: {hint.message}"
    fn = a.questions[mutant.question]
    found = [s for s, answers in g["plan"].items() if answers[fn] is mutant]
    assert found, f"{mutant.name} was in no submission"
    for student in found:
        entry = harness.question_result(g, student, mutant.question)
        assert g["grades"][student][2][f"test_{fn}"] == 0 == entry.points_earned
        assert entry.hint_id == hint.id, (student, mutant.name, entry.message)
        page = g["pages"][student]
        section = page.split(f"<h2>{mutant.question}</h2>", 1)[1].split("</section>", 1)[0]
        assert html.escape(shown) in section, (student, mutant.name)
