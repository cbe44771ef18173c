"""Assignment 1 ("Gradients") under nbgrader itself.

The source notebook's cells carry the nbgrader metadata the course relies on, and every
hidden test names a registered spec worth the cell's points. Then, in a scratch course with
the course's own nbgrader_config.py: `nbgrader generate_assignment` makes a release with no
solution code and no hidden-test text whose stubs raise NotImplementedError; the release runs
with no other error; `nbgrader autograde` gives the reference solution full marks (the written
answer waits for a human) and the blank release zero, without crashing.
"""

import re
from pathlib import Path

import assignment_harness as harness
import nbclient
import nbformat
import pytest

from autograder.specs import get_spec

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

#: answer cell grade id (= the student's function) -> (test cell grade id, spec, points)
QUESTIONS = {
    "sigmoid_grad": ("test_sigmoid_grad", "a1.sigmoid_grad", 2),
    "tanh_grad": ("test_tanh_grad", "a1.tanh_grad", 2),
    "relu_grad": ("test_relu_grad", "a1.relu_grad", 2),
    "swish_grad": ("test_swish_grad", "a1.swish_grad", 2),
    "bce_logits_grad": ("test_bce_logits_grad", "a1.bce_logits_grad", 3),
    "softmax_ce_grad": ("test_softmax_ce_grad", "a1.softmax_ce_grad", 3),
    "dense_backward": ("test_dense_backward", "a1.dense_backward", 4),
    "mlp_backward": ("test_mlp_backward", "a1.mlp_backward", 6),
    "numerical_gradient": ("test_numerical_gradient", "a1.numerical_gradient", 4),
}
WRITTEN, WRITTEN_POINTS = "written_logit_shift", 3
AUTO_POINTS = sum(points for _, _, points in QUESTIONS.values())  # 28
TOTAL_POINTS = AUTO_POINTS + WRITTEN_POINTS  # 31
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


@pytest.fixture(scope="module")
def source():
    return nbformat.read(SOURCE, as_version=4)


# ------------------------------------------------------------------ the source notebook


def test_every_cell_is_an_nbgrader_cell_with_a_unique_grade_id(source):
    ids = [harness.meta(c).get("grade_id") for c in source.cells]
    assert all(ids), "every cell carries nbgrader metadata with a grade_id"
    assert len(set(ids)) == len(ids), "grade ids are unique"
    assert all(harness.meta(c)["schema_version"] == 3 for c in source.cells)
    cells = harness.by_id(source)
    expected = {*QUESTIONS, *(t for t, _, _ in QUESTIONS.values()), WRITTEN}
    assert expected <= set(cells)
    for cell in source.cells:
        m = harness.meta(cell)
        if m["grade_id"] not in expected:  # instructions, setup, given code: read-only
            assert m["locked"] and not m["grade"] and not m["solution"], m["grade_id"]


def test_answer_cells_hold_the_solution_between_markers(source):
    cells = harness.by_id(source)
    for fn in QUESTIONS:
        cell, m = cells[fn], harness.meta(cells[fn])
        assert cell.cell_type == "code"
        assert (m["solution"], m["grade"], m["locked"], m["task"]) == (True, False, False, False)
        assert f"def {fn}(" in cell.source
        assert SOLUTION.search(cell.source), f"{fn}: no BEGIN/END SOLUTION block"


def test_solutions_are_plain_numpy(source):
    code = "\n".join(c.source for c in source.cells if c.cell_type == "code")
    assert "nnlib" not in code, "the notebook must not use nnlib's reference implementations"


def test_test_cells_check_the_spec_first_then_run_the_public_tests(source):
    cells = harness.by_id(source)
    for fn, (test_id, spec_name, points) in QUESTIONS.items():
        cell, m = cells[test_id], harness.meta(cells[test_id])
        assert (m["grade"], m["solution"], m["locked"], m["points"]) == (True, False, True, points)
        # Graded first, so a wrong answer is named by its hint before a public test could
        # stop the cell; students (the release) see only the public part. The public
        # import comes first: an import below the hidden block would not be at the top of
        # the cell (ruff E402), and the judge never runs test cells.
        head = "from autograder.public import check\n\n### BEGIN HIDDEN TESTS"
        assert cell.source.startswith(head), test_id
        _, visible = cell.source.split("### END HIDDEN TESTS", 1)
        # the public tests: the spec's public cases, judged as grading judges (issue 12)
        assert f'check("{spec_name}", {fn})' in visible, test_id
        # the public message comes last in the visible part, so it prints only when they pass
        assert visible.rstrip().endswith(f'visible_tests_passed("{fn}")'), test_id
        body = HIDDEN.search(cell.source).group(1)
        calls = re.findall(r'^assert_check\("([\w.]+)", (\w+)\)$', body, flags=re.M)
        assert calls == [(spec_name, fn)], f"{test_id}: the hidden block only names the spec"
        spec = get_spec(spec_name)
        assert (spec.function, spec.points) == (fn, points), spec_name


def test_the_written_answer_is_graded_by_hand(source):
    cell = harness.by_id(source)[WRITTEN]
    m = harness.meta(cell)
    assert cell.cell_type == "markdown"
    assert (m["grade"], m["solution"], m["points"]) == (True, True, WRITTEN_POINTS)
    # question 7 (issue 12): each row of dJ/dZ sums to 0, and shifting the logits; the
    # rubric is in the solution, which the release replaces by YOUR ANSWER HERE
    question = harness.by_id(source)["q7_text"].source
    assert "sums to 0" in question and "z + t" in question
    assert "Rubric" in cell.source and "1 - 1" in cell.source


def test_derivations_are_asked_and_given_only_in_the_solutions(source):
    # issue 12: for 1d, 3 and 4 the question gives the forward definition, the shapes and a
    # worked example; the derivation is in the solution cell, which the release clears
    cells = harness.by_id(source)
    given = {
        "q1d_text": ["beta z s", r"\beta z\, s", "s + "],
        "q3_text": ["p_c - Y_c", "P - Y"],
        "q4_text": [r"X^\top dZ", r"dZ\, W^\top", "X.T @ dZ"],
    }
    for gid, results in given.items():
        assert "Derive" in cells[gid].source, gid
        for text in results:
            assert text not in cells[gid].source, (gid, text)
    for fn in ("swish_grad", "softmax_ce_grad", "dense_backward"):
        solution = SOLUTION.search(cells[fn].source).group(1)
        assert "# Derivation." in solution, fn
        docstring = cells[fn].source.split("### BEGIN SOLUTION")[0]  # released as it is
        assert "onehot" not in docstring and "sigmoid(beta * z) +" not in docstring, fn
    q5 = cells["q5_text"].source  # question 5 no longer prints question 4's answers
    assert r"A_1^\top" not in q5 and "W_2^\top" not in q5
    assert "uses your answers to questions 1c, 3 and 4" in q5


def test_the_text_follows_lesson_04_and_its_numbers_are_right(source):
    cells = harness.by_id(source)
    assert 'follows lesson 04, "Backpropagation, derived"' in cells["intro"].source
    assert "0.955990" in cells["q1d_text"].source  # E1: 3/4 + (3/16) ln 3 = 0.9559898
    assert "0.955993" not in "".join(c.source for c in source.cells)
    assert r"1 - 6.7\times10^{-16}" in cells["q1a_text"].source  # E2: the double below 1


def test_points_add_up_to_the_table(source):
    points = sum(harness.meta(c).get("points", 0) for c in source.cells if harness.meta(c)["grade"])
    assert points == TOTAL_POINTS == 31
    assert f"**{TOTAL_POINTS}**" in source.cells[0].source


def test_source_is_stored_without_outputs(source):
    for cell in source.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


# ------------------------------------------------------------- nbgrader, end to end


def _hardcoded_sigmoid_grad():
    """The reference, except that sigmoid_grad returns the visible test's answers."""
    nb = nbformat.read(SOURCE, as_version=4)
    cell = harness.by_id(nb)["sigmoid_grad"]
    fake = "z = as_float(z)\n    return np.where(z == 0, 0.25, 3 / 16)  # hard-coded\n"
    cell.source = SOLUTION.sub(lambda _: fake, cell.source)  # keeps the indentation before
    assert "raise" not in cell.source and "sigmoid(-z)" not in cell.source
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A scratch course: release generated, the reference and the blank release autograded."""
    submitted = {
        "reference": nbformat.read(SOURCE, as_version=4),
        "blank": None,
        "hardcoded": _hardcoded_sigmoid_grad(),
    }
    return harness.nbgrader_course(tmp_path_factory.mktemp("course"), SOURCE, submitted)


def _scores(course, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(ASSIGNMENT, student)
        grades = {
            g.name: (g.score, g.max_score, g.needs_manual_grade) for g in sub.notebooks[0].grades
        }
        return sub.score, sub.max_score, grades


def _autograded(course, student):
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(path, as_version=4)


def _stdout(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


@pytest.mark.slow
def test_release_has_no_solution_code_and_no_hidden_tests(course, source):
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = release.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "assert_check"]:
        assert marker not in text, f"the release contains {marker!r}"
    released = harness.by_id(nbformat.read(release, as_version=4))
    for fn in QUESTIONS:
        solution = SOLUTION.search(harness.by_id(source)[fn].source).group(1)
        stub = released[fn].source
        assert "raise NotImplementedError" in stub, f"{fn}: the stub must raise"
        assert f"def {fn}(" in stub, f"{fn}: the stub keeps the signature"
        for line in solution.splitlines():
            if len(line.strip()) > 8:  # every meaningful solution line is gone
                assert line.strip() not in stub, f"{fn}: solution line left in: {line}"
    written = released[WRITTEN]
    assert written.source.strip() == "YOUR ANSWER HERE"


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
    errors = harness.errors(nb)
    assert errors == {t: "NotImplementedError" for t, _, _ in QUESTIONS.values()}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr", f"{harness.meta(cell)['grade_id']} wrote to stderr"
    assert "passed" not in "".join(_stdout(c) for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_reference_solution_scores_full_marks(course):
    score, max_score, grades = _scores(course, "reference")
    assert max_score == TOTAL_POINTS
    assert score == AUTO_POINTS, grades
    for _, (test_id, _, points) in QUESTIONS.items():
        assert grades[test_id] == (points, points, False), test_id
    assert grades[WRITTEN][2], "the written answer waits for a human grader"
    nb = _autograded(course, "reference")
    assert harness.errors(nb) == {}
    cells = harness.by_id(nb)
    for fn, (test_id, spec_name, _) in QUESTIONS.items():
        out = _stdout(cells[test_id])
        assert f"Public tests for {fn} passed" in out and "random" in out, test_id
        assert spec_name in out, f"{test_id}: the hidden check did not run"
        assert "all tests passed" not in out.lower()


@pytest.mark.slow
def test_blank_release_scores_zero_without_crashing(course):
    score, max_score, grades = _scores(course, "blank")
    assert (score, max_score) == (0, TOTAL_POINTS)
    assert all(s == 0 for s, _, _ in grades.values()), grades
    # the spec check meets the stub first and reports it as not implemented
    graded = _autograded(course, "blank")
    assert set(harness.errors(graded).values()) == {"AssertionError"}
    for fn, (test_id, _, _) in QUESTIONS.items():
        evalue = next(
            o["evalue"]
            for o in harness.by_id(graded)[test_id].outputs
            if o["output_type"] == "error"
        )
        assert "Hint [not-implemented]" in evalue, (fn, evalue)


@pytest.mark.slow
def test_visible_tests_alone_do_not_earn_the_points(course):
    # a sigmoid_grad hard-coded to the visible answers would pass them; the spec's random
    # cases (run first when grading) fail it and name the mistake
    score, _, grades = _scores(course, "hardcoded")
    assert grades["test_sigmoid_grad"][0] == 0
    assert score == AUTO_POINTS - QUESTIONS["sigmoid_grad"][2]
    graded = _autograded(course, "hardcoded")
    assert harness.errors(graded) == {"test_sigmoid_grad": "AssertionError"}
    cell = harness.by_id(graded)["test_sigmoid_grad"]
    evalue = next(o["evalue"] for o in cell.outputs if o["output_type"] == "error")
    assert evalue.startswith("a1.sigmoid_grad (seed ") and "Hint [" in evalue
    assert "Public tests for sigmoid_grad passed" not in _stdout(cell)
