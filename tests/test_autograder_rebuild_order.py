"""The rebuild runs the student's code answers as Run All of their notebook would.

A correct function written in another question's answer cell, or in a copy of an answer
cell (JupyterLab's copy and paste keeps the nbgrader metadata, grade id included), must be
graded wherever the student's answer cells put it; a later definition, a later stub
included, replaces an earlier one, exactly as Run All would. Locked and test cells still
come from the instructor, and code outside answer cells never runs.

Each submission is the real assignment 1 (nbgrader's release with the textbook answers of
`autograder.mutants.a1` pasted in), changed the way a student changes a notebook. The
rebuilt notebook's code answer cells are compared with the exact text expected, in order;
the issue's cases, and the known-wrong ones, are then graded end to end by the judge.
"""

import copy
from pathlib import Path

import nbformat
import pytest

from autograder import rebuild as rebuild_module
from autograder import scan as scan_module
from autograder.judge import judge_notebook
from autograder.mutants.a1 import CORRECT, source
from autograder.rebuild import ANYTHING, answer_ids, effects, rebuild, student_version

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
SEED = 20261207
CODE_IDS = answer_ids(SOURCE)[:-1]  # the last answer is the written one (markdown)
WRITTEN = answer_ids(SOURCE)[-1]
ANSWERS = {
    name.split(".", 1)[1]: source(fns[0], name.split(".", 1)[1]) for name, fns in CORRECT.items()
}
WRONG_TANH = "def tanh_grad(z):\n    return 1.0 - z**2  # the derivative at the output\n"
WRONG_MLP = "def mlp_backward(X, y, params):\n    return {k: 0.0 * v for k, v in params.items()}\n"


def _gid(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


@pytest.fixture(scope="module")
def blank():
    return student_version(SOURCE)


@pytest.fixture(scope="module")
def stubs(blank):
    return {_gid(c): c.source for c in blank.cells if _gid(c) in CODE_IDS}


@pytest.fixture
def submission(blank):
    """The release with every code answer filled in, freshly copied per test."""
    nb = copy.deepcopy(blank)
    for cell in nb.cells:
        if _gid(cell) in ANSWERS:
            cell.source = ANSWERS[_gid(cell)]
    _cell(nb, WRITTEN).source = "The sigmoid's derivative cancels against the loss's."
    return nb


def _index(nb, gid):
    (i,) = [i for i, c in enumerate(nb.cells) if _gid(c) == gid]
    return i


def _cell(nb, gid):
    return nb.cells[_index(nb, gid)]


def _copy_of(nb, gid, text, cell_id):
    """A copy of answer `gid`'s cell (metadata and grade id kept, as copy and paste does)."""
    cell = copy.deepcopy(_cell(nb, gid))
    cell.source, cell.id = text, cell_id
    return cell


def _texts(rebuilt):
    """The rebuilt notebook's code answer cells, by grade id."""
    return {_gid(c): c.source for c in rebuilt.notebook.cells if _gid(c) in CODE_IDS}


def _assert_answers(rebuilt, expected):
    """Every code answer cell holds `expected` (grade id -> text, default the textbook
    answer), and every locked and test cell is the instructor's."""
    instructor = nbformat.read(SOURCE, as_version=4)
    assert [_gid(c) for c in rebuilt.notebook.cells] == [_gid(c) for c in instructor.cells]
    assert _texts(rebuilt) == {gid: expected.get(gid, ANSWERS[gid]) for gid in CODE_IDS}
    for mine, theirs in zip(rebuilt.notebook.cells, instructor.cells, strict=True):
        if _gid(mine) not in (*CODE_IDS, WRITTEN):
            assert mine.source == theirs.source, _gid(mine)


def _notes(rebuilt, kind):
    return [n for n in rebuilt.report if n.kind == kind]


def _join(*texts):
    return "\n\n".join(t.rstrip() for t in texts)


# ----------------------------------------------- what a cell does to the notebook's names


def test_effects_count_what_runs_when_the_cell_runs():
    found = effects(
        "import numpy as np\nfrom math import tau as TAU\n\n"
        "EPS = 1e-8\n\n"
        "@np.vectorize\n"
        "def f(z, scale=SCALE):\n    return helper(z) * scale\n\n"
        "class K(Base):\n    inner = OUTER\n\n"
        "cache['k'] = 1\nnp.allclose = None\ncount += 1\n"
    )
    assert set(found.binds) == {"np", "TAU", "EPS", "f", "K", "cache", "count"}
    # decorators, defaults, class bodies and the right-hand sides run now; a body later
    assert {"SCALE", "Base", "OUTER", "np", "count"} <= found.reads
    assert "helper" not in found.reads and "inner" not in found.binds
    assert not found.dynamic


@pytest.mark.parametrize(
    "text",
    [
        "%timeit f(1)",
        "def f(:\n    pass",
        "exec('def tanh_grad(z): return z')",
        "globals()['tanh_grad'] = len",
        "from numpy import *",
        "x = 1 +" + " (1 +" * 1000,
    ],
)
def test_cells_the_grader_cannot_follow_are_dynamic(text):
    found = effects(text)
    assert found.dynamic
    assert found.clash(effects("def g():\n    pass\n")) == {ANYTHING}


def test_the_same_statements_in_two_cells_do_not_clash():
    a = effects("import numpy as np\n\ndef f(z):\n    return z\n")
    same = effects("import numpy as np\n\n\ndef f(z):\n    return z\n")
    other = effects("import numpy as np\n\ndef f(z):\n    return -z\n")
    reader = effects("table = {'f': f}\n")
    assert a.clash(same) == set()
    assert a.clash(other) == {"f"} == other.clash(a)
    assert a.clash(reader) == {"f"}  # reader uses f when it runs
    assert effects("def g():\n    return f(1)\n").clash(a) == set()  # ... a body, when called


# ------------------------------------------- issue case 1: a function in another answer cell


@pytest.mark.parametrize("own", ["stub", "empty", "wrong"])
def test_a_function_in_a_later_answer_cell_is_graded(submission, stubs, own):
    own_text = {"stub": stubs["tanh_grad"], "empty": "", "wrong": WRONG_TANH}[own]
    _cell(submission, "tanh_grad").source = own_text
    later = _join(ANSWERS["relu_grad"], ANSWERS["tanh_grad"])
    _cell(submission, "relu_grad").source = later
    rebuilt = rebuild(SOURCE, submission)
    _assert_answers(rebuilt, {"tanh_grad": own_text, "relu_grad": later})
    if own == "empty":
        assert rebuilt.report == []
    else:
        (note,) = rebuilt.report
        assert (note.kind, note.grade_id) == ("redefined", "tanh_grad")
        assert (
            "'tanh_grad', 'relu_grad'" in note.message and "in answer 'relu_grad'" in note.message
        )
    assert rebuilt.unanswered == (["tanh_grad"] if own == "stub" else [])


def test_a_later_stub_replaces_an_earlier_definition_and_says_so(submission, stubs):
    """Run All runs the stub after the definition: the stub is what is left defined."""
    _cell(submission, "tanh_grad").source = stubs["tanh_grad"]
    earlier = _join(ANSWERS["sigmoid_grad"], ANSWERS["tanh_grad"])
    _cell(submission, "sigmoid_grad").source = earlier
    rebuilt = rebuild(SOURCE, submission)
    _assert_answers(rebuilt, {"sigmoid_grad": earlier, "tanh_grad": stubs["tanh_grad"]})
    (note,) = rebuilt.report
    assert note.kind == "redefined" and "still the released stub" in note.message


def test_a_deleted_answer_cell_gets_no_stub_over_a_definition_elsewhere(submission):
    earlier = _join(ANSWERS["sigmoid_grad"], ANSWERS["tanh_grad"])
    _cell(submission, "sigmoid_grad").source = earlier
    del submission.cells[_index(submission, "tanh_grad")]
    rebuilt = rebuild(SOURCE, submission)
    texts = _texts(rebuilt)
    assert "def tanh_grad" not in texts["tanh_grad"] and texts["tanh_grad"].startswith("#")
    _assert_answers(rebuilt, {"sigmoid_grad": earlier, "tanh_grad": texts["tanh_grad"]})
    (note,) = rebuilt.report
    assert (note.kind, note.grade_id) == ("missing", "tanh_grad")
    assert "defined in answer 'sigmoid_grad'" in note.message
    assert rebuilt.unanswered == ["tanh_grad"]


def test_a_stub_moved_above_the_definition_runs_before_it(submission, stubs):
    """The student put tanh's stub cell above sigmoid's, which defines tanh_grad too: in
    their order the definition comes last, so sigmoid's code runs after the stub."""
    stub_cell = submission.cells.pop(_index(submission, "tanh_grad"))
    stub_cell.source = stubs["tanh_grad"]
    submission.cells.insert(_index(submission, "sigmoid_grad"), stub_cell)
    both = _join(ANSWERS["sigmoid_grad"], ANSWERS["tanh_grad"])
    _cell(submission, "sigmoid_grad").source = both
    rebuilt = rebuild(SOURCE, submission)
    texts = _texts(rebuilt)
    assert "def" not in texts["sigmoid_grad"]  # its code runs in tanh_grad's cell
    _assert_answers(
        rebuilt,
        {"sigmoid_grad": texts["sigmoid_grad"], "tanh_grad": _join(stubs["tanh_grad"], both)},
    )
    assert rebuilt.kinds == ["reordered", "moved", "redefined"]
    assert "both define or use tanh_grad" in _notes(rebuilt, "moved")[0].message


def test_reordered_answers_that_share_nothing_stay_in_their_cells(submission):
    submission.cells.reverse()
    rebuilt = rebuild(SOURCE, submission)
    assert rebuilt.kinds == ["reordered"]
    _assert_answers(rebuilt, {})


def test_a_helper_defined_twice_keeps_the_students_last_one(submission):
    """Two answers bind the same helper differently: the order matters, and the one the
    student's notebook runs last must run last here too."""
    relu = "_KIND = 'relu'\n\n" + ANSWERS["relu_grad"]
    sigmoid = "_KIND = 'sigmoid'\n\n" + ANSWERS["sigmoid_grad"]
    _cell(submission, "relu_grad").source = relu
    _cell(submission, "sigmoid_grad").source = sigmoid
    relu_cell = submission.cells.pop(_index(submission, "relu_grad"))
    submission.cells.insert(_index(submission, "sigmoid_grad"), relu_cell)  # relu first
    rebuilt = rebuild(SOURCE, submission)
    texts = _texts(rebuilt)
    _assert_answers(
        rebuilt, {"sigmoid_grad": texts["sigmoid_grad"], "relu_grad": _join(relu, sigmoid)}
    )
    (moved,) = _notes(rebuilt, "moved")
    assert moved.grade_id == "sigmoid_grad" and "_KIND" in moved.message


def test_code_the_grader_cannot_follow_keeps_the_students_order(submission, stubs):
    """globals()[...] defines tanh_grad where no def shows it: order is kept anyway."""
    dynamic = (
        ANSWERS["sigmoid_grad"] + "\nglobals()['tanh_grad'] = lambda z: 1.0 - np.tanh(z) ** 2\n"
    )
    stub_cell = submission.cells.pop(_index(submission, "tanh_grad"))
    stub_cell.source = stubs["tanh_grad"]
    submission.cells.insert(_index(submission, "sigmoid_grad"), stub_cell)
    _cell(submission, "sigmoid_grad").source = dynamic
    rebuilt = rebuild(SOURCE, submission)
    assert _texts(rebuilt)["tanh_grad"] == _join(stubs["tanh_grad"], dynamic)
    assert "cannot follow" in _notes(rebuilt, "moved")[0].message


# ---------------------------------------------------- issue case 2: a copied answer cell


def test_a_copy_pasted_below_a_later_stub_runs_after_it(submission, stubs):
    """The issue's case: sigmoid's cell is copied (grade id and all), pasted below tanh's
    stub and edited to define tanh_grad. Run All runs the copy after the stub."""
    _cell(submission, "tanh_grad").source = stubs["tanh_grad"]
    pasted = _copy_of(submission, "sigmoid_grad", ANSWERS["tanh_grad"], "pasted")
    submission.cells.insert(_index(submission, "tanh_grad") + 1, pasted)
    rebuilt = rebuild(SOURCE, submission)
    _assert_answers(rebuilt, {"tanh_grad": _join(stubs["tanh_grad"], ANSWERS["tanh_grad"])})
    assert rebuilt.kinds == ["duplicate", "moved", "redefined"]
    moved = _notes(rebuilt, "moved")[0]
    assert moved.grade_id == "sigmoid_grad" and "end of answer 'tanh_grad'" in moved.message


@pytest.mark.parametrize("where", ["below", "above"])
def test_a_copy_edited_next_to_its_stub_is_the_answer(submission, stubs, where):
    """Copy and paste next to the stub, answer in the copy. Below the stub, the copy is
    the answer; above it, Run All runs the stub last, and so does the rebuild."""
    _cell(submission, "relu_grad").source = stubs["relu_grad"]
    answered = _copy_of(submission, "relu_grad", ANSWERS["relu_grad"], "answered")
    i = _index(submission, "relu_grad")
    submission.cells.insert(i + 1 if where == "below" else i, answered)
    rebuilt = rebuild(SOURCE, submission)
    (note,) = rebuilt.report
    assert (note.kind, note.grade_id) == ("duplicate", "relu_grad")
    if where == "below":  # the stub runs first and is replaced at once: left out
        _assert_answers(rebuilt, {})
        assert "the answered one is kept" in note.message
    else:  # Run All runs the stub last: it is what is left defined, and the note says so
        _assert_answers(rebuilt, {"relu_grad": _join(ANSWERS["relu_grad"], stubs["relu_grad"])})
        assert "the last copy is still the released stub" in note.message


def test_an_edited_copy_after_the_answer_replaces_it(submission):
    """Known wrong: the correct answer, then a copy below edited into a wrong one."""
    wrong = _copy_of(submission, "tanh_grad", WRONG_TANH, "wrong")
    submission.cells.insert(_index(submission, "tanh_grad") + 1, wrong)
    rebuilt = rebuild(SOURCE, submission)
    _assert_answers(rebuilt, {"tanh_grad": _join(ANSWERS["tanh_grad"], WRONG_TANH)})
    assert rebuilt.kinds == ["duplicate"] and rebuilt.unanswered == []


@pytest.mark.parametrize("how", ["added", "metadata_stripped"])
def test_a_definition_outside_answer_cells_is_never_run(submission, stubs, how):
    """A cell the student added, or a copy whose nbgrader metadata was stripped, is not an
    answer cell: its code never runs (it could be anything), and the note names what it
    defines so that the student knows where the points went."""
    _cell(submission, "tanh_grad").source = stubs["tanh_grad"]
    if how == "added":
        extra = nbformat.v4.new_code_cell(ANSWERS["tanh_grad"])
    else:
        extra = _copy_of(submission, "tanh_grad", ANSWERS["tanh_grad"], "stripped")
        del extra.metadata["nbgrader"]
    submission.cells.insert(_index(submission, "tanh_grad") + 1, extra)
    rebuilt = rebuild(SOURCE, submission)
    _assert_answers(rebuilt, {"tanh_grad": stubs["tanh_grad"]})
    (note,) = rebuilt.report
    assert note.kind == "extra_cells" and "they define tanh_grad" in note.message
    assert rebuilt.unanswered == ["tanh_grad"]


# ----------------------------------------------------------------------------- bounds


def test_many_copies_give_one_note_of_each_kind_per_answer(submission, stubs):
    """Thousands of copies cost one note each kind per answer, and past the analysis
    budget every answer runs strictly in the student's order (Run All's)."""
    _cell(submission, "tanh_grad").source = stubs["tanh_grad"]
    copies = [
        _copy_of(submission, "sigmoid_grad", ANSWERS["tanh_grad"], f"c{i}") for i in range(3000)
    ]
    i = _index(submission, "tanh_grad") + 1
    submission.cells[i:i] = copies
    rebuilt = rebuild(SOURCE, submission)
    assert sorted(rebuilt.kinds) == ["duplicate", "moved"]
    assert "3000 of the 3001 copies of 'sigmoid_grad'" in _notes(rebuilt, "moved")[0].message
    tanh = _texts(rebuilt)["tanh_grad"]
    assert tanh.startswith(stubs["tanh_grad"].rstrip()) and tanh.count("def tanh_grad") == 3001


@pytest.mark.parametrize(
    "module, limit, value",
    [
        (rebuild_module, "MAX_ANALYSED_CELLS", 3),
        (rebuild_module, "MAX_ANALYSED_CHARS", 0),
        (scan_module, "MAX_CELL_CHARS", 10),  # the scan's limit of one cell, shared
    ],
)
def test_past_the_analysis_budget_answers_run_in_the_students_order(
    submission, monkeypatch, module, limit, value
):
    monkeypatch.setattr(module, limit, value)
    submission.cells.reverse()
    rebuilt = rebuild(SOURCE, submission)
    texts = _texts(rebuilt)
    # the last answer of the assignment comes first in this notebook: everything after it
    # runs at the end of its cell, in the student's (reversed) order
    assert texts[CODE_IDS[-1]] == _join(*(ANSWERS[gid] for gid in reversed(CODE_IDS)))
    assert all(text.startswith("# This answer runs") for text in list(texts.values())[:-1])


def test_a_cell_too_long_to_analyse_is_never_parsed(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(rebuild_module.ast, "parse", forbidden)
    assert effects("x = 1\n" * (scan_module.MAX_CELL_LINES + 1)).dynamic
    assert effects("#" * (scan_module.MAX_CELL_CHARS + 1)).dynamic


# ---------------------------------------------------------------- graded end to end


@pytest.fixture(scope="module")
def graded(blank):
    """One notebook holding one case per question, graded by the judge in one kernel.

    sigmoid_grad    its stub in its cell; the answer in tanh_grad's cell, below (issue case 1)
    relu_grad       its stub in its cell; the answer in a copy of sigmoid_grad's cell
                    pasted below it (issue case 2)
    swish_grad      its cell deleted; the answer in bce_logits_grad's cell
    dense_backward  its stub moved above softmax_ce_grad's cell, which defines it
    tanh_grad       correct, then redefined wrongly in mlp_backward's cell (known wrong)
    numerical_gradient  answered, then a copy of the stub pasted below it (Run All leaves
                    the stub)
    """
    nb = copy.deepcopy(blank)
    for cell in nb.cells:
        if _gid(cell) in ANSWERS:
            cell.source = ANSWERS[_gid(cell)]
    stub = {g: c.source for c in blank.cells if (g := _gid(c)) in CODE_IDS}
    _cell(nb, "sigmoid_grad").source = stub["sigmoid_grad"]
    _cell(nb, "tanh_grad").source = _join(ANSWERS["tanh_grad"], ANSWERS["sigmoid_grad"])
    _cell(nb, "relu_grad").source = stub["relu_grad"]
    pasted = _copy_of(nb, "sigmoid_grad", ANSWERS["relu_grad"], "pasted")
    nb.cells.insert(_index(nb, "relu_grad") + 1, pasted)
    del nb.cells[_index(nb, "swish_grad")]
    _cell(nb, "bce_logits_grad").source = _join(ANSWERS["bce_logits_grad"], ANSWERS["swish_grad"])
    dense = nb.cells.pop(_index(nb, "dense_backward"))
    dense.source = stub["dense_backward"]
    nb.cells.insert(_index(nb, "softmax_ce_grad"), dense)
    _cell(nb, "softmax_ce_grad").source = _join(
        ANSWERS["softmax_ce_grad"], ANSWERS["dense_backward"]
    )
    _cell(nb, "mlp_backward").source = _join(ANSWERS["mlp_backward"], WRONG_TANH)
    stub_copy = _copy_of(nb, "numerical_gradient", stub["numerical_gradient"], "stubcopy")
    nb.cells.insert(_index(nb, "numerical_gradient") + 1, stub_copy)
    rebuilt = rebuild(SOURCE, nb)
    results = judge_notebook(rebuilt.notebook, list(CORRECT), seed=SEED, timeout=10)
    return rebuilt, {r.name.split(".", 1)[1]: r for r in results}


@pytest.mark.parametrize(
    "function", ["sigmoid_grad", "relu_grad", "swish_grad", "dense_backward", "softmax_ce_grad"]
)
def test_answers_wherever_the_answer_cells_put_them_earn_full_points(graded, function):
    result = graded[1][function]
    assert result.passed and result.points_earned == result.points_possible > 0, result.message


def test_a_later_wrong_definition_is_graded_wrong(graded):
    result = graded[1]["tanh_grad"]
    assert not result.passed and result.points_earned == 0
    (note,) = [n for n in graded[0].report if n.kind == "redefined" and n.grade_id == "tanh_grad"]
    assert "in answer 'mlp_backward', is graded" in note.message


def test_a_later_stub_copy_is_graded_as_not_implemented(graded):
    result = graded[1]["numerical_gradient"]
    assert not result.passed and result.hint_id == "not-implemented", result.message


def test_the_rest_is_graded_as_usual(graded):
    result = graded[1]["mlp_backward"]
    assert result.passed, result.message
    assert sum(r.points_earned for r in graded[1].values()) == 28 - 2 - 4
