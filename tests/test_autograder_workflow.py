"""The instructor's workflow end to end: release, collect, autograde, feedback, grades.

Everything runs in a temporary copy of the course (the real ``nbgrader_config.py`` with a
tiny throwaway assignment), on a batch of 21 submissions that covers what breaks plain
nbgrader: an infinite loop, ``os._exit(1)``, a deleted test cell, an edited locked cell,
duplicated cells, a correct solution that only emits a RuntimeWarning, and more.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest
from courses import new_course
from running import command_lines

from autograder import cli

REPO = Path(__file__).resolve().parents[1]
A = "tiny"

# ------------------------------------------------------------------ the throwaway assignment


def _cell(kind, source, grade_id=None, *, grade=False, solution=False, locked=False, points=0):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if grade_id is not None:
        cell.metadata["nbgrader"] = {
            "grade": grade,
            "grade_id": grade_id,
            "locked": locked,
            "schema_version": 3,
            "solution": solution,
            "task": False,
        }
        if grade:
            cell.metadata["nbgrader"]["points"] = points
    return cell


SOURCE_CELLS = [
    _cell("markdown", "# Tiny assignment\nImplement `square` and `sigmoid`."),
    _cell("code", "import numpy as np\n\nEXPECTED = 9", "setup", locked=True),
    _cell(
        "code",
        "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
        "square",
        solution=True,
    ),
    _cell(
        "code",
        "assert square(3) == EXPECTED\n"
        "### BEGIN HIDDEN TESTS\nassert square(-4) == 16\n### END HIDDEN TESTS",
        "test_square",
        grade=True,
        locked=True,
        points=2,
    ),
    _cell(
        "code",
        "def sigmoid(z):\n    ### BEGIN SOLUTION\n"
        "    return np.exp(-np.logaddexp(0.0, -z))\n    ### END SOLUTION",
        "sigmoid",
        solution=True,
    ),
    _cell(
        "code",
        "assert abs(sigmoid(0.0) - 0.5) < 1e-12\n### BEGIN HIDDEN TESTS\n"
        "assert abs(sigmoid(-1000.0)) < 1e-12 and abs(sigmoid(1000.0) - 1) < 1e-12\n"
        "### END HIDDEN TESTS",
        "test_sigmoid",
        grade=True,
        locked=True,
        points=3,
    ),
    _cell(  # a written answer, graded by hand in the formgrader
        "markdown",
        "### BEGIN SOLUTION\nBecause sigmoid saturates.\n### END SOLUTION",
        "explain",
        grade=True,
        solution=True,
        points=1,
    ),
]

GOOD_SQUARE = "def square(x):\n    return x**2"
GOOD_SIGMOID = "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(z / 2))"
ANSWER = "The derivative is small where the sigmoid saturates."


def _submission(release_nb, *, edits=None, delete=(), duplicate=()):
    """A student's notebook: the release with solution cells replaced, cells removed/copied."""
    nb = copy.deepcopy(release_nb)
    edits = {"square": GOOD_SQUARE, "sigmoid": GOOD_SIGMOID, "explain": ANSWER, **(edits or {})}
    cells = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in delete:
            continue
        if gid in edits and edits[gid] is not None:
            cell.source = edits[gid]
        cells.append(cell)
        if gid in duplicate:  # as Jupyter's "duplicate cell" does: same metadata, new id
            cells.append(copy.deepcopy(cell))
            cells[-1].id = f"copy-of-{cell.id}"
    nb.cells = cells
    return nb


STDERR_SIGMOID = (
    "import sys\n\n\ndef sigmoid(z):\n    sys.stderr.write('debug\\n')\n"
    "    return 0.5 * (1 + np.tanh(z / 2))"
)
BLANK = {
    "square": None,
    "sigmoid": None,
    "explain": None,
}  # the stubs as released: NotImplementedError
# student id -> (how the notebook differs from a correct one, expected automatic score out
# of 5; the written answer, 1 point, waits for a human)
STUDENTS = {
    **{f"ok{i:02d}": ({}, 5) for i in range(1, 7)},
    "blank": ({"edits": BLANK}, 0),
    "wrong_square": ({"edits": {"square": "def square(x):\n    return x + x"}}, 3),
    "wrong_sigmoid": ({"edits": {"sigmoid": "def sigmoid(z):\n    return np.tanh(z)"}}, 2),
    # visible test passes, hidden random-free test fails
    "hardcoded": ({"edits": {"square": "def square(x):\n    return 9"}}, 3),
    # correct, but np.exp(1000) overflows: only a RuntimeWarning on stderr, keeps the points
    "warning": ({"edits": {"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"}}, 5),
    # stderr output costs nothing: the engine judges results, not what was printed
    # (plain nbgrader gives 0 to a test cell with any stderr output)
    "stderr_print": (
        {"edits": {"sigmoid": STDERR_SIGMOID}},
        5,
    ),
    "loop": ({"edits": {"square": "def square(x):\n    while True:\n        pass"}}, 3),
    # kills the kernel: only the question that needs that cell is lost (plain nbgrader: 0)
    "exit": ({"edits": {"sigmoid": "import os\n\nos._exit(1)"}}, 2),
    "deleted_test": ({"delete": ("test_sigmoid",)}, 5),
    "edited_locked": ({"edits": {"setup": "import numpy as np\n\nEXPECTED = 10"}}, 5),
    "duplicated": ({"duplicate": ("square",)}, 5),
    "duplicated_test": ({"duplicate": ("test_square",)}, 5),
    "syntax_error": ({"edits": {"square": "def square(x) return x * x"}}, 3),
    "raises": ({"edits": {"sigmoid": "def sigmoid(z):\n    raise ValueError('no')"}}, 2),
    "zipped": ({}, 5),  # submitted as a zip holding a notebook with another name
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded course: release, collect and autograde the whole batch once."""
    root = tmp_path_factory.mktemp("course")
    new_course(root, A, SOURCE_CELLS)

    env = pytest.MonkeyPatch()
    env.setenv("NNFP_CELL_TIMEOUT", "3")  # the infinite loop costs 3 s, not the default 60
    env.delenv("NNFP_DB_URL", raising=False)
    grading = cli.Course(root)
    timings = {}
    start = time.perf_counter()
    cli.release(grading, A)
    timings["release"] = time.perf_counter() - start
    released = nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)

    inbox = root.parent / (root.name + "_inbox")
    inbox.mkdir()
    for student, (changes, _) in STUDENTS.items():
        sub = _submission(released, **changes)
        if student == "zipped":
            with zipfile.ZipFile(inbox / "zipped.zip", "w") as zf:
                zf.writestr("__MACOSX/._my_work.ipynb", "junk")
                zf.writestr("work/my_work.ipynb", nbformat.writes(sub))
        else:
            nbformat.write(sub, inbox / f"{student}.ipynb")
    (inbox / "notes.txt").write_text("not a submission")
    cli.collect(grading, inbox)

    start = time.perf_counter()
    report = cli.autograde(grading, A, progress=False, jobs=2)
    timings["autograde"] = time.perf_counter() - start
    print(f"timings: {timings} ({timings['autograde'] / len(STUDENTS):.2f} s per submission)")
    yield {"root": root, "course": grading, "report": report[A], "released": released}
    env.undo()


def _grader_processes() -> set[int]:
    """Processes running autograder/sandbox.py: zygotes, launchers and forked kernels."""
    sandbox = str(REPO / "autograder" / "sandbox.py")
    return {pid for pid, text in command_lines().items() if sandbox in text}


def _describe(pid: int) -> str:
    """State, parent and command line of a process, for a failure message."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return "gone"
    return f"state {stat[0]}, ppid {stat[1]}: {command_lines().get(pid, '?')}"


def _scores(course):
    with course.gradebook() as gb:
        return {s: gb.find_submission(A, s).score for s in STUDENTS}


def test_release_hides_solutions_and_hidden_tests_and_zips(course):
    text = (course["root"] / "release" / A / f"{A}.ipynb").read_text()
    assert "NotImplementedError" in text
    assert "logaddexp" not in text and "HIDDEN TESTS" not in text and "-1000.0" not in text
    with zipfile.ZipFile(course["root"] / "release" / f"{A}.zip") as zf:
        assert zf.namelist() == [f"{A}/{A}.ipynb"]


def test_collect_writes_submitted_folders_with_timestamps(course):
    root = course["root"]
    submitted = sorted(p.name for p in (root / "submitted").iterdir())
    assert submitted == sorted(STUDENTS)
    # the zipped notebook is stored under the name nbgrader expects
    assert (root / "submitted" / "zipped" / A / f"{A}.ipynb").is_file()
    stamp = (root / "submitted" / "ok01" / A / "timestamp.txt").read_text()
    assert time.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f UTC")
    with course["course"].gradebook() as gb:
        assert {s.id for s in gb.students} == set(STUDENTS)  # unknown students were added


def test_every_student_gets_the_expected_score(course):
    scores = _scores(course["course"])
    assert scores == {s: expected for s, (_, expected) in STUDENTS.items()}


def test_broken_submissions_are_reported_not_lost(course):
    from autograder.results import read_results

    report = course["report"]
    assert len(report) == len(STUDENTS)
    assert all(status.startswith("graded") for status in report.values()), report
    results = {r.student: r for r in read_results(course["root"] / "results", A)}
    assert set(results) == set(STUDENTS)
    notes = " ".join(note.message for note in results["exit"].notes)
    assert "kernel died" in notes and "restarted" in notes
    assert any(note.kind == "duplicate" for note in results["duplicated"].notes)


def test_rerun_skips_what_is_graded_and_force_regrades(course):
    grading = course["course"]
    start = time.perf_counter()
    again = cli.autograde(grading, A, progress=False)[A]
    assert set(again.values()) == {"skipped"}
    assert time.perf_counter() - start < 5
    # a resubmission (new timestamp) is graded again, the rest skipped
    stamp = course["root"] / "submitted" / "ok01" / A / "timestamp.txt"
    stamp.write_text("2029-12-31 12:00:00.000000 UTC")
    again = cli.autograde(grading, A, progress=False)[A]
    assert again["ok01"].startswith("graded") and again["ok02"] == "skipped"
    forced = cli.autograde(grading, A, force=True, progress=False, students=["blank", "exit"])[A]
    assert set(forced) == {"blank", "exit"}
    assert all(status.startswith("graded") for status in forced.values())
    assert _scores(grading) == {s: expected for s, (_, expected) in STUDENTS.items()}


def test_a_run_killed_midway_resumes_without_regrading_or_duplicates(course):
    """SIGKILL the whole autograde process group while it works; the next run finishes
    the batch, skipping every result already written, and the gradebook holds one
    submission per student with the expected scores."""
    from nbgrader.api import SubmittedAssignment

    root, grading = course["root"], course["course"]
    results = root / "results" / A
    shutil.rmtree(results)
    before = _grader_processes()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "autograder", "--course", str(root), "autograde", A),
            *("--jobs", "2", "--no-progress", "--cell-timeout", "3"),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(results.glob("*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=30)
    done = {p.stem for p in results.glob("*.json")}
    assert 4 <= len(done) < len(STUDENTS)  # killed in the middle of the batch
    deadline = time.monotonic() + 10  # zygotes, launchers and kernels die with their worker
    while _grader_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = _grader_processes() - before
    assert not survivors, {pid: _describe(pid) for pid in survivors}
    resumed = cli.autograde(grading, A, progress=False, jobs=2)[A]
    assert {s for s, status in resumed.items() if status == "skipped"} == done
    assert {s for s, status in resumed.items() if status.startswith("graded")} == (
        set(STUDENTS) - done
    )
    assert {p.stem for p in results.glob("*.json")} == set(STUDENTS)
    with grading.gradebook() as gb:
        for student in STUDENTS:
            count = (
                gb.db.query(SubmittedAssignment)
                .filter(SubmittedAssignment.student_id == student)
                .count()
            )
            assert count == 1, student
    assert _scores(grading) == {s: expected for s, (_, expected) in STUDENTS.items()}


def test_a_dying_worker_costs_only_its_own_student(course, monkeypatch):
    """A worker killed mid-job (the OOM killer, a grader bug) breaks the process pool; the
    others are graded again, and only the one that kills its worker is recorded failed,
    and graded again on the next run (a failed result is never "done")."""
    from autograder import engine
    from autograder.results import read_result

    root = course["root"]
    real = engine.grade_submission

    def grade(course_root, assignment, student, **kwargs):
        if student == "ok02":
            os._exit(9)  # workers are forked after the patch, so they call this
        return real(course_root, assignment, student, **kwargs)

    monkeypatch.setattr(engine, "grade_submission", grade)
    group = ["ok01", "ok02", "ok03", "ok04"]
    summary = engine.grade_batch(root, A, group, root / "results", jobs=2, progress=False)
    assert summary["ok02"].startswith("failed")
    assert all(summary[s].startswith("graded") for s in group if s != "ok02"), summary
    assert "process died" in read_result(root / "results" / A / "ok02.json").error
    todo, _ = engine.pending(root, A, root / "results", students=group)
    assert todo == ["ok02"]
    monkeypatch.setattr(engine, "grade_submission", real)
    assert cli.autograde(course["course"], A, progress=False, students=["ok02"])[A]["ok02"] == (
        "graded 5 points"
    )


def test_a_folder_that_is_not_a_student_id_is_reported_not_fatal(course, capsys):
    root = course["root"]
    odd = root / "submitted" / "jos\u00e9 2" / A
    shutil.copytree(root / "submitted" / "ok01" / A, odd)
    try:
        report = cli.autograde(course["course"], A, progress=False)[A]
    finally:
        shutil.rmtree(odd.parent)
    assert set(report) == set(STUDENTS)
    assert "jos\u00e9 2: not a student id" in capsys.readouterr().err


def test_changing_the_source_or_the_specs_regrades(course, tmp_path):
    from autograder import engine
    from autograder.results import read_result

    root = course["root"]
    before = engine.grader_fingerprint(root, A)
    result = read_result(root / "results" / A / "ok03.json")
    assert result.versions["grader"] == before
    copy_root = tmp_path / "course"
    shutil.copytree(root / "source", copy_root / "source")
    assert engine.grader_fingerprint(copy_root, A) == before
    nb = copy_root / "source" / A / f"{A}.ipynb"
    nb.write_text(nb.read_text() + "\n")
    assert engine.grader_fingerprint(copy_root, A) != before


def test_feedback_has_each_test_verdict(course):
    pages = cli.feedback(course["course"], A)
    assert len(pages) == len(STUDENTS)
    page = (course["root"] / "feedback" / "wrong_square" / A / f"{A}.html").read_text()
    assert "AssertionError" in page and "test_square" in page
    crashed = (course["root"] / "feedback" / "exit" / A / f"{A}.html").read_text()
    assert "kernel died" in crashed


def test_feedback_names_a_student_whose_page_fails_and_writes_everyone_else(course, capsys):
    # A file where ok03's feedback folder should be: that page cannot be written.
    root = course["root"]
    blocked = root / "feedback" / "ok03"
    shutil.rmtree(blocked, ignore_errors=True)
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("in the way")
    try:
        status = cli.main(["--course", str(root), "feedback", A])
        err = capsys.readouterr().err
        assert status == cli.EXIT_SKIPPED
        assert "ok03: no feedback page" in err
        others = [s for s in STUDENTS if s != "ok03"]
        assert all((root / "feedback" / s / A / f"{A}.html").is_file() for s in others)
    finally:
        blocked.unlink()
    assert cli.main(["--course", str(root), "feedback", A]) == 0


def test_grades_cli_writes_the_csv(course):
    out = course["root"] / "grades.csv"
    with course["course"].gradebook() as gb:  # what the formgrader does for a manual grade
        grade = gb.find_grade("explain", A, A, "ok03")
        grade.manual_score = 1
        grade.needs_manual_grade = False
        gb.db.commit()
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "--course", str(course["root"]), "grades"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(STUDENTS)
    by_student = {r["student_id"]: r for r in rows}
    assert {r["assignment"] for r in rows} == {A}
    assert by_student["ok03"]["status"] == "graded"
    assert float(by_student["ok03"]["score"]) == 6 and float(by_student["ok03"]["max_score"]) == 6
    assert float(by_student["ok04"]["score"]) == 5
    assert by_student["blank"]["status"] == "graded"  # an untouched answer scores 0 at once
    assert float(by_student["wrong_sigmoid"]["score"]) == 2
    assert by_student["exit"]["status"] == "needs manual grade"  # graded: 2 of 5 automatic
    assert float(by_student["exit"]["score"]) == 2
    assert by_student["warning"]["status"] == "needs manual grade"
    assert float(by_student["warning"]["score"]) == 5


def test_flags_are_shown_to_the_instructor_not_to_the_student(course, capsys):
    """The scan's flags are heuristics for the instructor: grades.csv and the autograde
    output list them; the student's feedback page does not (showing them would teach
    evasion, and they never cost points)."""
    from autograder.results import read_result

    root = course["root"]
    flags = read_result(root / "results" / A / "exit.json").flags
    assert "process" in {flag.kind for flag in flags}  # os._exit(1)
    cli.feedback(course["course"], A)
    page = (root / "feedback" / "exit" / A / f"{A}.html").read_text()
    assert "kernel died" in page  # the notes are shown
    for flag in flags:
        assert f"[{flag.kind}]" not in page and flag.message not in page
        assert str(flag) not in page and "flag" not in page.lower()
    cli.grades(course["course"])
    rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").open())}
    assert rows["exit"]["note"].startswith(f"{len(flags)} flag(s): ")
    assert str(flags[0]) in rows["exit"]["note"]
    capsys.readouterr()
    cli.autograde(course["course"], A, force=True, progress=False, students=["exit"])
    assert f"flag {flags[0]}" in capsys.readouterr().out


def test_formgrader_lists_the_graded_assignment(course):
    port, token = _free_port(), "nnfp-test-token"
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [
            str(jupyter),
            "server",
            "--allow-root",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
        ],
        cwd=course["root"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NNFP_CELL_TIMEOUT": "3"},
    )
    try:
        url = f"http://127.0.0.1:{port}/formgrader/api/assignments"
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        deadline, data = time.monotonic() + 40, None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    data = json.load(response)
                break
            except OSError:
                assert server.poll() is None, "jupyter server exited"
                time.sleep(0.5)
        assert data is not None, "the formgrader did not answer within 40 s"
        tiny = {a["name"]: a for a in data}[A]
        assert tiny["num_submissions"] == len(STUDENTS)
        assert tiny["max_score"] == 6
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


A1 = REPO / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"


@pytest.mark.skipif(not A1.is_file(), reason="assignment 1 source notebook not written yet")
def test_make_style_session_on_assignment_1(tmp_path):
    """The commands behind the make targets, as separate processes, on the real assignment."""
    root, inbox = tmp_path / "course", tmp_path / "inbox"
    (root / "source").mkdir(parents=True)
    inbox.mkdir()
    (root / "nbgrader_config.py").write_text((REPO / "autograder/nbgrader_config.py").read_text())
    shutil.copytree(A1.parent, root / "source" / A1.parent.name)

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "--course", str(root), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("release")
    shutil.copy(A1, inbox / "reference.ipynb")
    shutil.copy(root / "release" / A1.parent.name / A1.name, inbox / "blank.ipynb")
    assert "collected 2 submission(s)" in run("collect", str(inbox))
    assert "2 graded, 0 skipped, 0 failed" in run("autograde", "--no-progress")
    run("grades")
    rows = {r["student_id"]: r for r in csv.DictReader((root / "grades.csv").open())}
    cells = [c.metadata.get("nbgrader", {}) for c in nbformat.read(A1, as_version=4).cells]
    tests = sum(m.get("points", 0) for m in cells if m.get("grade") and not m.get("solution"))
    total = sum(m.get("points", 0) for m in cells if m.get("grade"))
    assert float(rows["reference"]["score"]) == tests  # every test passes; the rest is manual
    assert float(rows["reference"]["max_score"]) == total
    assert float(rows["blank"]["score"]) == 0
