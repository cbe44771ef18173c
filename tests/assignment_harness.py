"""What every assignment's tests share, so assignment N's tests hold only what is N's own.

* the nbgrader metadata of a cell and a notebook's cells by grade id;
* the student's namespace after the release's setup, given and answer cells, run
  in-process with ``exec`` (answer cells: the instructor's solution, or pasted answers),
  and a released public test cell run in it;
* ``nbgrader`` run in a scratch course (its own SQLite gradebook, the venv's ``alembic``);
* answers pasted into a release, and a whole batch of pasted submissions graded through
  the course's commands (`autograder.cli`: release, collect, autograde, feedback, grades),
  returned as what the tests read: status per student, gradebook scores, result files,
  feedback pages and the grades CSV.
"""

from __future__ import annotations

import copy
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "autograder" / "nbgrader_config.py"


def meta(cell) -> dict:
    """A cell's nbgrader metadata ({} for a cell nbgrader does not manage)."""
    return cell.metadata.get("nbgrader", {})


def grade_id(cell) -> str | None:
    return meta(cell).get("grade_id")


def by_id(nb) -> dict:
    """The notebook's nbgrader cells by grade id."""
    return {meta(c)["grade_id"]: c for c in nb.cells if "grade_id" in meta(c)}


def namespace(released: dict, instructor: dict, answers: dict | None = None) -> dict:
    """The student's namespace after the release's setup and given cells and its answer
    cells: the instructor's solutions, or `answers` (grade id -> source) instead.

    `released` and `instructor` map grade ids to cells (`by_id`); markdown and test cells
    are not run."""
    answers = answers or {}
    ns: dict = {"__name__": "__main__"}
    for gid, cell in released.items():
        m = cell.metadata["nbgrader"]
        if cell.cell_type != "code" or m["grade"]:
            continue
        text = answers.get(gid, instructor[gid].source) if m["solution"] else cell.source
        exec(compile(text, f"<{gid}>", "exec"), ns)
    return ns


def public_test(released: dict, ns: dict, fn: str, capsys) -> str:
    """Run the released test cell of `fn` (grade id ``test_<fn>``) in `ns`; what it printed."""
    exec(compile(released[f"test_{fn}"].source, f"<test_{fn}>", "exec"), ns)
    return capsys.readouterr().out


def run_nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` in `course`; fails the test with nbgrader's stderr if it fails."""
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH when it creates a gradebook: use the venv's
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
    return proc


def paste(released_nb, answers: dict):
    """A copy of the released notebook with `answers` (grade id -> source) in its cells."""
    nb = copy.deepcopy(released_nb)
    for cell in nb.cells:
        gid = meta(cell).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def grade_batch(root: Path, source: Path, submissions: dict, show: set | None = None) -> dict:
    """Release `source` in a scratch course at `root`, collect `submissions` (student ->
    {grade id: pasted source}), autograde them (2 workers, 30 s per cell), write feedback
    and the grades CSV, and return what the tests read.

    Returns a dict: ``report`` (student -> status), ``grades`` (student -> (score,
    max_score, {grade cell: score})), ``results`` (student -> its result file),
    ``pages`` (student -> feedback HTML, for the students in `show`, default all) and
    ``csv`` (the grades CSV's rows).
    """
    from autograder import cli
    from autograder.results import read_results

    assignment = source.stem
    shutil.copy(CONFIG, root / "nbgrader_config.py")
    (root / "source" / assignment).mkdir(parents=True)
    shutil.copy(source, root / "source" / assignment)
    env = pytest.MonkeyPatch()
    env.delenv("NNFP_DB_URL", raising=False)  # the scratch course keeps its own gradebook
    env.setenv("NNFP_CELL_TIMEOUT", "30")
    try:
        course = cli.Course(root)
        cli.release(course, assignment)
        released = nbformat.read(root / "release" / assignment / source.name, as_version=4)
        inbox = root.parent / (root.name + "_inbox")
        inbox.mkdir()
        for student, answers in submissions.items():
            nbformat.write(paste(released, answers), inbox / f"{student}.ipynb")
        cli.collect(course, inbox)
        report = cli.autograde(course, assignment, progress=False, jobs=2)[assignment]
        cli.feedback(course, assignment)
        with open(cli.grades(course), newline="") as f:
            csv_rows = list(csv.DictReader(f))
        grades = {}
        with course.gradebook() as gb:
            for student in submissions:
                sub = gb.find_submission(assignment, student)
                cells = {g.name: g.score for g in sub.notebooks[0].grades}
                grades[student] = (sub.score, sub.max_score, cells)
        results = {r.student: r for r in read_results(root / "results", assignment)}
        pages = {
            s: (root / "feedback" / s / assignment / f"{assignment}.html").read_text()
            for s in (submissions if show is None else show)
        }
    finally:
        env.undo()
    return {"report": report, "grades": grades, "results": results, "pages": pages, "csv": csv_rows}


def question_result(graded: dict, student: str, question: str):
    """The `QuestionResult` of spec `question` in a student's result file."""
    cells = graded["results"][student].questions
    return next(cell.result for cell in cells if cell.result.name == question)


def nbgrader_course(root: Path, source: Path, submitted: dict) -> Path:
    """A scratch course at `root` driven by stock nbgrader: ``generate_assignment`` of
    `source`, then each of `submitted` (student -> notebook, or None for the blank
    release) submitted and ``nbgrader autograde`` run over them. Returns `root`."""
    assignment = source.stem
    shutil.copy(CONFIG, root / "nbgrader_config.py")  # its root is the folder it sits in
    (root / "source" / assignment).mkdir(parents=True)
    shutil.copy(source, root / "source" / assignment)
    run_nbgrader(root, "generate_assignment", assignment)
    release = root / "release" / assignment / source.name
    for student, nb in submitted.items():
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb or nbformat.read(release, as_version=4), folder / source.name)
        (folder / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")
        run_nbgrader(root, "db", "student", "add", student)
    run_nbgrader(root, "autograde", assignment)
    return root


def errors(nb) -> dict:
    """Grade id -> the name of the error each cell of an executed notebook raised."""
    return {
        meta(c)["grade_id"]: out["ename"]
        for c in nb.cells
        for out in c.get("outputs", [])
        if out["output_type"] == "error"
    }


def grade_mutants(root: Path, source: Path, plan: dict, correct: dict, paste_source) -> dict:
    """`grade_batch` of the mutant submissions `plan` (student -> {function: Mutant}) and the
    correct ones `correct` (student -> {function: function}), each function pasted with
    `paste_source(fn, name)` (the mutants module's ``source``); feedback pages are read for
    the mutant submissions. The result also holds ``plan`` and ``correct``."""
    submissions = {s: {f: paste_source(m.fn, f) for f, m in a.items()} for s, a in plan.items()}
    for student, answers in correct.items():
        submissions[student] = {f: paste_source(g, f) for f, g in answers.items()}
    graded = grade_batch(root, source, submissions, show=set(plan))
    return {**graded, "plan": plan, "correct": correct}
