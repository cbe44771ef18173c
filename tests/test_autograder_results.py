"""Per-student result files (atomic, resumable) and the single gradebook writer."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import results as R
from autograder.checks import QuestionResult
from autograder.course import quiet_sqlalchemy
from autograder.rebuild import Note
from autograder.scan import Flag

ROOT = Path(__file__).resolve().parents[1]
A = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / A / f"{A}.ipynb"
CONFIG = ROOT / "autograder" / "nbgrader_config.py"


def _entry(check: QuestionResult) -> R.GradedCell:
    """The ``questions`` entry the engine makes for a check (a1: grade id test_<function>)."""
    return R.GradedCell("test_" + check.name.removeprefix("a1."), check)


def _result(student="alice", sha="aa" * 32, earned=(2, 0), status="graded", **kw):
    checks = [
        QuestionResult("a1.sigmoid_grad", earned[0] == 2, earned[0], 2, 7, "ok"),
        QuestionResult(
            "a1.tanh_grad", earned[1] == 2, earned[1], 2, 7, "wrong", "finite-difference"
        ),
    ]
    return R.StudentResult(
        student=student,
        assignment=A,
        submission_sha256=sha,
        seed=7,
        started=100.0,
        finished=101.5,
        questions=[_entry(c) for c in checks],
        notes=[Note("duplicate", "duplicated cell ignored", "sigmoid_grad")],
        flags=[Flag("reference-import", "sigmoid_grad", 3, "import nnlib", "import of nnlib")],
        status=status,
        **{"versions": R.current_versions(), **kw},
    )


def _leftovers(folder: Path):
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".json"))


# ----------------------------------------------------------------------------- files


def test_round_trip_and_grade_ids_from_specs(tmp_path):
    result = _result()
    assert [q.grade_id for q in result.questions] == ["test_sigmoid_grad", "test_tanh_grad"]
    assert set(result.versions) == {"python", "numpy", "nnlib", "nbgrader"}
    assert R.StudentResult.from_json(result.to_json()) == result
    path = R.write_result(tmp_path, result)
    assert path == tmp_path / A / "alice.json"
    assert R.read_results(tmp_path, A) == [result]
    assert result.score == 2.0


def test_invalid_results_are_refused():
    with pytest.raises(ValueError):
        _result(student="../evil")
    with pytest.raises(ValueError):
        _result(status="maybe")
    with pytest.raises(ValueError):
        R.StudentResult.from_json('{"schema_version": 99}')


def test_results_keep_their_types_and_become_json_only_at_the_edge():
    result = _result()
    back = R.StudentResult.from_json(result.to_json())
    assert all(isinstance(q.result, QuestionResult) for q in back.questions)
    assert back.notes == [Note("duplicate", "duplicated cell ignored", "sigmoid_grad")]
    assert back.flags == [
        Flag("reference-import", "sigmoid_grad", 3, "import nnlib", "import of nnlib")
    ]
    data = json.loads(result.to_json())
    # one flat object per question: the QuestionResult's fields and the grade id
    assert data["questions"][1] == {
        "grade_id": "test_tanh_grad",
        **dataclasses.asdict(result.questions[1].result),
    }
    assert data["notes"] == [
        {"kind": "duplicate", "message": "duplicated cell ignored", "grade_id": "sigmoid_grad"}
    ]
    assert data["flags"][0]["line"] == 3 and data["flags"][0]["kind"] == "reference-import"


@pytest.mark.parametrize(
    "field",
    [
        {"notes": ["duplicate: duplicated cell ignored"]},
        {"flags": ["line 3: import of nnlib"]},
        {"questions": [{"grade_id": "test_sigmoid_grad", "points_earned": 2}]},
    ],
)
def test_strings_and_dicts_are_refused_where_objects_belong(field):
    with pytest.raises(TypeError, match="must hold"):
        dataclasses.replace(_result(), **field)


def test_a_file_of_the_old_schema_is_skipped_and_graded_again(tmp_path, capsys):
    old = json.loads(_result().to_json())
    old.update(schema_version=1, notes=["duplicate: duplicated cell ignored"], flags=[])
    (tmp_path / A).mkdir()
    (tmp_path / A / "alice.json").write_text(json.dumps(old))
    problems = []
    assert R.read_results(tmp_path, A, problems) == []
    assert "alice.json" in problems[0] and "another version of the grader" in problems[0]
    assert not R.is_done(tmp_path, A, "alice", "aa" * 32)
    capsys.readouterr()


@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_tmp(tmp_path, monkeypatch, fail_in):
    old = _result(earned=(2, 2))
    path = R.write_result(tmp_path, old)
    before = path.read_bytes()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(R.os, fail_in, boom)
    with pytest.raises(OSError, match="disk full"):
        R.write_result(tmp_path, _result(earned=(0, 0)))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path / A) == []
    assert R.read_results(tmp_path, A) == [old]


def test_corrupt_files_are_skipped_and_reported(tmp_path, capsys):
    good = _result("bob")
    R.write_result(tmp_path, good)
    folder = tmp_path / A
    (folder / "carol.json").write_text('{"student": "carol", "assign')  # cut off
    (folder / "dave.json").write_text(_result("erin").to_json())  # misnamed
    (folder / ".frank.x1y2.tmp").write_text("{")  # a killed writer's leftover: not a result
    problems = []
    assert R.read_results(tmp_path, A, problems) == [good]
    assert len(problems) == 2
    assert "carol.json" in problems[0] and "dave.json" in problems[1]
    assert "carol.json" in capsys.readouterr().err
    assert R.read_results(tmp_path, "no_such_assignment") == []


def test_is_done_only_for_the_same_submission(tmp_path):
    assert not R.is_done(tmp_path, A, "alice", "aa" * 32)
    R.write_result(tmp_path, _result(sha="aa" * 32))
    assert R.is_done(tmp_path, A, "alice", "aa" * 32)
    assert not R.is_done(tmp_path, A, "alice", "bb" * 32)  # resubmitted: grade again
    assert not R.is_done(tmp_path, A, "bob", "aa" * 32)
    R.write_result(tmp_path, _result(sha="bb" * 32, versions={"grader": "g1"}))
    assert R.is_done(tmp_path, A, "alice", "bb" * 32, grader="g1")
    assert not R.is_done(tmp_path, A, "alice", "bb" * 32, grader="g2")  # new source or specs
    R.write_result(tmp_path, _result(sha="bb" * 32, status="failed", error="worker died"))
    assert not R.is_done(tmp_path, A, "alice", "bb" * 32)  # a failure is tried again
    (tmp_path / A / "alice.json").write_text("not json")
    assert not R.is_done(tmp_path, A, "alice", "bb" * 32)


# ------------------------------------------------------------------------- gradebook


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    """A scratch course where `nbgrader generate_assignment` registered a1 and its cells."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(CONFIG, course / "nbgrader_config.py")
    (course / "source" / A).mkdir(parents=True)
    shutil.copy(SOURCE, course / "source" / A)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("NNFP_DB_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", A],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return f"sqlite:///{course / 'gradebook.db'}"


def _rows(db_url):
    """Every student, submission and grade row, as plain values."""
    from nbgrader.api import Gradebook

    with quiet_sqlalchemy(), Gradebook(db_url, course_id="nnfp") as gb:
        students = sorted(s.id for s in gb.students)
        subs = sorted((s.student.id, s.id) for s in gb.assignment_submissions(A))
        grades = sorted(
            (sub.student.id, g.id, g.name, g.auto_score, g.needs_manual_grade)
            for sub in gb.assignment_submissions(A)
            for nb in sub.notebooks
            for g in nb.grades
        )
        return students, subs, grades


def _score(db_url, student, grade_id):
    from nbgrader.api import Gradebook

    with quiet_sqlalchemy(), Gradebook(db_url, course_id="nnfp") as gb:
        grade = gb.find_grade(grade_id, A, A, student)
        return grade.auto_score, grade.needs_manual_grade


def test_record_to_gradebook_is_idempotent(db_url, tmp_path):
    R.write_result(tmp_path, _result("alice", earned=(2, 0), timestamp="2026-11-22 12:00:00"))
    R.write_result(tmp_path, _result("bob", earned=(2, 2)))
    R.write_result(tmp_path, _result("carol", status="failed", error="kernel died"))
    results = R.read_results(tmp_path, A)
    assert R.record_to_gradebook(db_url, A, results) == []
    assert _score(db_url, "alice", "test_sigmoid_grad") == (2.0, False)
    assert _score(db_url, "alice", "test_tanh_grad") == (0.0, False)
    assert _score(db_url, "bob", "test_tanh_grad") == (2.0, False)
    assert _score(db_url, "carol", "test_sigmoid_grad") == (0.0, False)  # failed: all zero
    assert _score(db_url, "carol", "test_mlp_backward") == (0.0, False)
    # the written answer is left to a human
    assert _score(db_url, "bob", "written_logit_shift")[1] is True
    first = _rows(db_url)
    assert first[0] == ["alice", "bob", "carol"]
    assert len(first[1]) == 3

    assert R.record_to_gradebook(db_url, A, results) == []  # a resumed run records again
    assert _rows(db_url) == first


def test_record_to_gradebook_reports_unknown_cells_and_updates_regrades(db_url):
    regraded = _result("alice", earned=(2, 2))
    regraded.questions.append(R.GradedCell("test_nothing", regraded.questions[0].result))
    problems = R.record_to_gradebook(db_url, A, [regraded])
    assert problems == ["alice: no grade cell 'test_nothing'"]
    assert _score(db_url, "alice", "test_tanh_grad") == (2.0, False)
    students, subs, _ = _rows(db_url)
    assert students.count("alice") == 1 and [s for s, _ in subs].count("alice") == 1
