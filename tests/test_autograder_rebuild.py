"""The submission is rebuilt, not trusted.

Submissions are made from the real assignment 1: nbgrader's release of the source notebook
with the textbook answers of `autograder.mutants.a1` pasted in, then mangled the ways a
student can mangle a notebook. Whatever they did, the rebuilt notebook has the instructor's
locked and test cells (hidden tests included) byte for byte, the student's code in the
answer cells only, no outputs, and the report names what happened.
"""

import copy
import json
from pathlib import Path

import nbformat
import pytest

from autograder.mutants.a1 import CORRECT, source
from autograder.rebuild import Note, answer_ids, rebuild, rebuild_from_folder, student_version

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
NAME = SOURCE.name
WRITTEN = "written_logit_shift"
ANSWER_TEXT = "The sigmoid's derivative cancels against the loss's: a - y."


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _by_id(nb):
    return {_gid(c): c for c in nb.cells if _gid(c)}


@pytest.fixture(scope="module")
def instructor():
    return nbformat.read(SOURCE, as_version=4)


@pytest.fixture(scope="module")
def answers():
    out = {
        spec.split(".", 1)[1]: source(fns[0], spec.split(".", 1)[1])
        for spec, fns in CORRECT.items()
    }
    out[WRITTEN] = ANSWER_TEXT
    return out


@pytest.fixture(scope="module")
def blank():
    return student_version(SOURCE)


@pytest.fixture
def submission(blank, answers):
    """The release with every answer filled in, freshly copied per test."""
    nb = copy.deepcopy(blank)
    for cell in nb.cells:
        if _gid(cell) in answers:
            cell.source = answers[_gid(cell)]
    return nb


def _write(tmp_path, nb, name=NAME):
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def _assert_sound(rebuilt, instructor, answers):
    """Locked and test cells are the instructor's; answer cells hold `answers`; no outputs."""
    nb = rebuilt.notebook
    assert [_gid(c) for c in nb.cells] == [_gid(c) for c in instructor.cells]
    assert [c.cell_type for c in nb.cells] == [c.cell_type for c in instructor.cells]
    ids = set(answer_ids(SOURCE))
    for mine, theirs in zip(nb.cells, instructor.cells, strict=True):
        assert mine.metadata == theirs.metadata
        if _gid(mine) in ids:
            assert mine.source == answers[_gid(mine)], _gid(mine)
        else:
            assert mine.source == theirs.source, _gid(mine)
        if mine.cell_type == "code":
            assert mine.outputs == [] and mine.execution_count is None
    hidden = [c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source]
    assert len(hidden) == 9


def _kinds(rebuilt):
    return [n.kind for n in rebuilt.report]


# ------------------------------------------------------------------------------ baseline


def test_the_release_hides_solutions_and_hidden_tests(blank, instructor):
    assert "### BEGIN HIDDEN TESTS" not in "".join(c.source for c in blank.cells)
    assert "raise NotImplementedError" in _by_id(blank)["sigmoid_grad"].source
    assert answer_ids(SOURCE)[-1] == WRITTEN and len(answer_ids(SOURCE)) == 10


def test_a_clean_submission_is_rebuilt_silently(tmp_path, submission, instructor, answers):
    rebuilt = rebuild(SOURCE, _write(tmp_path, submission))
    assert rebuilt.report == [] and rebuilt.unanswered == []
    _assert_sound(rebuilt, instructor, answers)
    # also from an in-memory notebook, and the source is not modified
    again = rebuild(instructor, submission)
    assert again.report == [] and again.notebook == rebuilt.notebook
    assert instructor == nbformat.read(SOURCE, as_version=4)


def test_a_blank_release_rebuilds_to_stubs(blank, instructor):
    stubs = {_gid(c): c.source for c in blank.cells if _gid(c) in answer_ids(SOURCE)}
    rebuilt = rebuild(SOURCE, blank)
    assert rebuilt.report == [] and rebuilt.unanswered == answer_ids(SOURCE)
    _assert_sound(rebuilt, instructor, stubs)


# ------------------------------------------------------------------------- cell mangling


def test_a_deleted_answer_cell_is_the_stub(submission, blank, instructor, answers):
    submission.cells = [c for c in submission.cells if _gid(c) != "tanh_grad"]
    rebuilt = rebuild(SOURCE, submission)
    assert rebuilt.report == [Note("missing", rebuilt.report[0].message, "tanh_grad")]
    assert rebuilt.unanswered == ["tanh_grad"]
    expected = dict(answers, tanh_grad=_by_id(blank)["tanh_grad"].source)
    assert "raise NotImplementedError" in expected["tanh_grad"]
    _assert_sound(rebuilt, instructor, expected)


def test_deleted_locked_and_test_cells_come_back(submission, instructor, answers):
    submission.cells = [c for c in submission.cells if _gid(c) not in {"setup", "test_relu_grad"}]
    rebuilt = rebuild(SOURCE, submission)
    assert rebuilt.report == []
    _assert_sound(rebuilt, instructor, answers)


def test_duplicates_skip_stubs_and_join_answers_in_order(submission, blank, instructor, answers):
    cells = _by_id(submission)
    stub_copy = copy.deepcopy(_by_id(blank)["relu_grad"])
    later = copy.deepcopy(cells["relu_grad"])
    later.source = "def relu_grad(z):\n    return z\n"
    i = submission.cells.index(cells["relu_grad"])
    submission.cells[i:i] = [stub_copy]  # a stub copy is skipped
    submission.cells.append(later)  # a later answered copy runs after, as Run All would
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["duplicate"]
    assert rebuilt.report[0].grade_id == "relu_grad" and "3 times" in rebuilt.report[0].message
    joined = answers["relu_grad"].rstrip() + "\n\n" + later.source.rstrip()
    _assert_sound(rebuilt, instructor, dict(answers, relu_grad=joined))


def test_a_split_answer_keeps_both_halves(submission, instructor, answers):
    cell = _by_id(submission)["swish_grad"]
    first, second = copy.deepcopy(cell), copy.deepcopy(cell)
    first.source = "def _sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
    second.source = "def swish_grad(z, beta=1.0):\n    return _sigmoid(z)\n"
    i = submission.cells.index(cell)
    submission.cells[i : i + 1] = [first, second]  # Edit > Split Cell keeps the metadata
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["duplicate"] and "joined" in rebuilt.report[0].message
    joined = first.source.rstrip() + "\n\n" + second.source.rstrip()
    _assert_sound(rebuilt, instructor, dict(answers, swish_grad=joined))


def test_split_cells_are_ignored_and_never_run(submission, instructor, answers):
    cells = _by_id(submission)
    i = submission.cells.index(cells["swish_grad"])
    helper = nbformat.v4.new_code_cell("import os\nos.remove('gradebook.db')")
    submission.cells.insert(i + 1, helper)
    submission.cells.append(nbformat.v4.new_markdown_cell("notes"))
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["extra_cells"] and "2 cell(s)" in rebuilt.report[0].message
    _assert_sound(rebuilt, instructor, answers)
    assert "gradebook" not in "".join(c.source for c in rebuilt.notebook.cells)


@pytest.mark.parametrize("new_type", ["markdown", "raw"])
def test_a_retyped_answer_is_treated_as_missing(submission, blank, instructor, answers, new_type):
    cell = _by_id(submission)["dense_backward"]
    cell.cell_type = new_type
    del cell["outputs"], cell["execution_count"]
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["retyped", "missing"]
    assert {n.grade_id for n in rebuilt.report} == {"dense_backward"}
    expected = dict(answers, dense_backward=_by_id(blank)["dense_backward"].source)
    _assert_sound(rebuilt, instructor, expected)


def test_a_retyped_written_answer_is_missing(submission, blank, instructor, answers):
    cell = _by_id(submission)[WRITTEN]
    submission.cells[submission.cells.index(cell)] = nbformat.v4.new_code_cell(
        cell.source, metadata=cell.metadata
    )
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["retyped", "missing"]
    _assert_sound(rebuilt, instructor, dict(answers, **{WRITTEN: _by_id(blank)[WRITTEN].source}))


def test_reordered_cells_follow_the_source(submission, instructor, answers):
    submission.cells.reverse()
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["reordered"]
    _assert_sound(rebuilt, instructor, answers)


def test_edited_locked_and_test_cells_are_ignored(submission, instructor, answers):
    cells = _by_id(submission)
    cells["setup"].source += "\nnp.allclose = lambda *a, **k: True\n"
    cells["test_mlp_backward"].source = "pass"
    cells["q1a_text"].source = "# my notes"
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["edited_locked"] * 3
    assert [n.grade_id for n in rebuilt.report] == ["setup", "q1a_text", "test_mlp_backward"]
    _assert_sound(rebuilt, instructor, answers)
    assert "lambda *a" not in "".join(c.source for c in rebuilt.notebook.cells)


def test_metadata_tampering_does_not_change_the_cell_roles(submission, instructor, answers):
    # a test cell relabelled as an answer is still the instructor's test cell
    cell = _by_id(submission)["test_sigmoid_grad"]
    cell.metadata["nbgrader"].update(solution=True, grade=False, locked=False)
    cell.source = "pass"
    rebuilt = rebuild(SOURCE, submission)
    assert _kinds(rebuilt) == ["edited_locked"]
    _assert_sound(rebuilt, instructor, answers)


# ------------------------------------------------------------------------ file problems


def test_corrupt_json_grades_every_answer_as_missing(tmp_path, blank, instructor):
    path = tmp_path / NAME
    path.write_text('{"cells": [', encoding="utf-8")
    rebuilt = rebuild(SOURCE, path)
    ids = answer_ids(SOURCE)
    assert _kinds(rebuilt) == ["corrupt"] + ["missing"] * len(ids)
    assert NAME in rebuilt.report[0].message
    stubs = {gid: _by_id(blank)[gid].source for gid in ids}
    _assert_sound(rebuilt, instructor, stubs)


@pytest.mark.parametrize("content", ["", "[1, 2]", '{"nbformat": 4, "cells": 3}', "\x00\xff"])
def test_other_unreadable_files_are_reported(tmp_path, instructor, content):
    path = tmp_path / NAME
    path.write_text(content, encoding="utf-8", errors="ignore")
    rebuilt = rebuild(SOURCE, path)
    assert _kinds(rebuilt)[0] == "corrupt"
    assert set(_kinds(rebuilt)[1:]) == {"missing"}


def test_an_nbformat3_notebook_is_upgraded(tmp_path, submission, instructor, answers):
    v3 = nbformat.convert(submission, 3)
    path = tmp_path / NAME
    path.write_text(nbformat.writes(v3, version=3), encoding="utf-8")
    assert json.loads(path.read_text())["nbformat"] == 3
    rebuilt = rebuild(SOURCE, path)
    assert _kinds(rebuilt) == ["upgraded"]
    _assert_sound(rebuilt, instructor, answers)
    in_memory = rebuild(SOURCE, nbformat.reads(path.read_text(), as_version=3))
    assert _kinds(in_memory) == ["upgraded"]
    _assert_sound(in_memory, instructor, answers)


def test_prefilled_outputs_are_cleared(tmp_path, submission, instructor, answers):
    cell = _by_id(submission)["test_tanh_grad"]
    cell.execution_count = 7
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="All tests passed")]
    rebuilt = rebuild(SOURCE, _write(tmp_path, submission))
    assert _kinds(rebuilt) == ["outputs_cleared"]
    _assert_sound(rebuilt, instructor, answers)


def test_many_problems_at_once(tmp_path, submission, instructor, answers):
    cells = _by_id(submission)
    cells["setup"].outputs = [nbformat.v4.new_output("stream", text="hi")]
    cells["test_swish_grad"].source = "pass"
    submission.cells.remove(cells["mlp_backward"])
    submission.cells.insert(0, nbformat.v4.new_code_cell("print('hi')"))
    submission.cells.reverse()
    rebuilt = rebuild(SOURCE, _write(tmp_path, submission))
    assert sorted(_kinds(rebuilt)) == sorted(
        ["extra_cells", "reordered", "outputs_cleared", "edited_locked", "missing"]
    )
    stub = _by_id(student_version(SOURCE))["mlp_backward"].source
    _assert_sound(rebuilt, instructor, dict(answers, mlp_backward=stub))


# ------------------------------------------------------------------------------ folders


def test_a_folder_picks_the_expected_notebook(tmp_path, submission, blank, instructor, answers):
    _write(tmp_path, submission)
    _write(tmp_path, blank, "scratch.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    _write(tmp_path / ".ipynb_checkpoints", blank, NAME)
    rebuilt = rebuild_from_folder(SOURCE, tmp_path, NAME)
    assert _kinds(rebuilt) == ["extra_notebooks"] and "scratch.ipynb" in rebuilt.report[0].message
    _assert_sound(rebuilt, instructor, answers)


def test_a_folder_with_one_renamed_notebook_uses_it(tmp_path, submission, instructor, answers):
    _write(tmp_path, submission, "a1_gradients (1).ipynb")
    rebuilt = rebuild_from_folder(SOURCE, tmp_path, NAME)
    assert _kinds(rebuilt) == ["renamed"]
    _assert_sound(rebuilt, instructor, answers)


def test_a_folder_with_several_other_notebooks_is_ambiguous(
    tmp_path, submission, blank, instructor
):
    _write(tmp_path, submission, "mine.ipynb")
    _write(tmp_path, submission, "mine_v2.ipynb")
    rebuilt = rebuild_from_folder(SOURCE, tmp_path, NAME)
    kinds = _kinds(rebuilt)
    assert kinds[0] == "ambiguous" and set(kinds[1:]) == {"missing"}
    assert (
        "mine.ipynb" in rebuilt.report[0].message and "mine_v2.ipynb" in rebuilt.report[0].message
    )
    stubs = {gid: _by_id(blank)[gid].source for gid in answer_ids(SOURCE)}
    _assert_sound(rebuilt, instructor, stubs)


def test_an_empty_folder_is_reported(tmp_path, blank, instructor):
    rebuilt = rebuild_from_folder(SOURCE, tmp_path, NAME)
    assert _kinds(rebuilt)[0] == "no_notebook"
    stubs = {gid: _by_id(blank)[gid].source for gid in answer_ids(SOURCE)}
    _assert_sound(rebuilt, instructor, stubs)
