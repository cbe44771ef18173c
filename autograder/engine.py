"""The grading engine behind ``make autograde``: rebuild, scan, judge, record a result.

One submission is graded by `grade_submission`:

1. **rebuild** each notebook of the assignment from the instructor's source, taking only
   the student's answer cells, by grade id (`autograder.rebuild`);
2. **scan** the student's cells for suspicious code, reported with the line, never a
   reason to take points (`autograder.scan`);
3. **judge** in a confined kernel (`autograder.judge` over `autograder.kernel`): a test cell
   that names a spec (``assert_check("a1.sigmoid_grad", sigmoid_grad)``) is judged in the
   grader, from the kernel's outputs only; a plain test cell (``assert`` statements, as in stock
   nbgrader) runs in the confined kernel after the answers, and passes if it raises nothing;
4. the result (a `StudentResult`, its questions, notes and flags typed) is returned, and
   the rebuilt notebook written to ``autograded/<student>/<assignment>/`` for the
   formgrader.

`grade_batch` runs `grade_submission` for many students in worker processes, each writing
its result to an atomic per-student file (`autograder.results`), and shows a progress bar;
`pending` says which submissions are already graded from the same bytes by the same
grader. Neither touches the gradebook: the caller (``python -m autograder autograde``)
records every result in it in one step afterwards, the only writer of SQLite.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import secrets
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder.checks import QuestionResult
from autograder.confine import sweep_stale
from autograder.course import STUDENT_ID, Course, Limits, cell_source, is_test_cell
from autograder.judge import Judge
from autograder.rebuild import Note, Rebuilt, rebuild_from_folder
from autograder.results import (
    GradedCell,
    StudentResult,
    current_versions,
    is_done,
    valid_text,
    write_atomic,
    write_result,
)
from autograder.scan import scan_notebook

__all__ = [
    "Limits",
    "TestCell",
    "grade_batch",
    "grade_submission",
    "grader_fingerprint",
    "pending",
    "test_cells",
]

SPEC_CALL = re.compile(r"""assert_check\(\s*["']([A-Za-z0-9_.]+)["']""")


@dataclass(frozen=True)
class TestCell:
    """An automatically graded cell of the instructor's notebook."""

    grade_id: str
    points: float
    spec: str | None  # the spec it names, or None: the cell's code is run in the kernel
    source: str


def test_cells(source_nb) -> list[TestCell]:
    """The autograded code cells of an instructor notebook, in order."""
    cells = []
    for cell in filter(is_test_cell, source_nb.cells):
        nbg = cell.metadata["nbgrader"]
        src = cell_source(cell)
        found = SPEC_CALL.search(src)
        cells.append(
            TestCell(nbg["grade_id"], float(nbg.get("points", 0)), found and found.group(1), src)
        )
    return cells


def unanswered_manual(source_nb, rebuilt) -> list[tuple[str, float]]:
    """(grade id, points) of hand-graded answers left as released (`Rebuilt.unanswered`):
    like nbgrader, they score 0 at once instead of waiting for a grader."""
    points = {}
    for cell in source_nb.cells:
        nbg = cell.get("metadata", {}).get("nbgrader", {})
        if nbg.get("grade") and nbg.get("solution"):
            points[nbg["grade_id"]] = float(nbg.get("points", 0))
    return [(gid, points[gid]) for gid in rebuilt.unanswered if gid in points]


def submission_sha256(folder: Path) -> str:
    """sha256 over the names and bytes of the files of a submission folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        if path.name.endswith(".orig"):
            continue
        # the name's bytes as on disk: a name that is not UTF-8 is hashed, never an error
        digest.update(os.fsencode(path.relative_to(folder)) + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _graded(
    cell: TestCell,
    passed: bool,
    message: str,
    seed: int,
    hint_id: str | None = None,
    case: str | None = None,
) -> GradedCell:
    """The result of one test cell: all of its points if `passed`, else none."""
    result = QuestionResult(
        name=cell.spec or cell.grade_id,
        passed=passed,
        points_earned=cell.points if passed else 0.0,
        points_possible=cell.points,
        seed=seed,
        message=message,
        hint_id=hint_id,
        case=case,
    )
    return GradedCell(cell.grade_id, result)


def _write_autograded(course: Course, assignment: str, student: str, name: str, nb, stamp):
    folder = course.folder("autograded", assignment, student)
    write_atomic(folder / name, nbformat.writes(nb))
    if stamp:
        write_atomic(folder / "timestamp.txt", stamp)


def _as_course(course: Course | Path | str) -> Course:
    return course if isinstance(course, Course) else Course(course)


def _judge_notebook(judge: Judge, cells: list[TestCell], seed: int, result: StudentResult):
    """Grade every test cell of one notebook against the running `judge`, into `result`."""
    for cell in cells:
        if cell.spec is not None:
            check = judge.check(cell.spec, seed)
            result.questions.append(
                _graded(cell, check.passed, check.message, seed, check.hint_id, check.case)
            )
        else:
            result.notes.append(
                Note(
                    "plain_test",
                    f"{cell.grade_id} names no spec, so it ran inside the student's kernel "
                    "(not defended against tampering)",
                    cell.grade_id,
                )
            )
            ok, error = judge.kernel.run_cell(cell.source)
            result.questions.append(_graded(cell, ok, "passed" if ok else f"failed: {error}", seed))
    kernel = judge.kernel
    result.notes += [Note("cell_error", e) for e in kernel.cell_errors]
    if kernel.restarts:
        result.notes.append(
            Note("kernel_restarted", f"the kernel was restarted {kernel.restarts} time(s)")
        )
    if kernel.output_exceeded:
        result.notes.append(
            Note(
                "output_dropped",
                f"the notebook printed {kernel.output_bytes / 2**20:.1f} MB; "
                f"output beyond {kernel.limits.output_mb:g} MB was dropped",
            )
        )


def _valid(notebook) -> None:
    """Make every string of a notebook (dicts, lists, strings: a markdown cell's attachments
    may nest as deep as the JSON parser allows, so no recursion) `valid_text`, in place."""
    stack = [notebook]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
                if isinstance(value, str):
                    node[key] = valid_text(value)
                else:
                    stack.append(value)


def _grade_rebuilt(rebuilt: Rebuilt, source_nb, result: StudentResult, course: Course, **judge):
    """Scan a rebuilt notebook, score its unanswered hand-graded cells, judge its tests.

    The submission's text enters the grader here: a lone surrogate (a JSON escape in the
    notebook, a file name in a note) becomes its backslash escape, which in a string literal
    means the same character, so the scan, the kernel and the files written never choke."""
    _valid(rebuilt.notebook)
    rebuilt.report[:] = [
        Note(valid_text(n.kind), valid_text(n.message), n.grade_id and valid_text(n.grade_id))
        for n in rebuilt.report
    ]
    result.notes += rebuilt.report
    result.flags += scan_notebook(rebuilt.notebook)
    for gid, points in unanswered_manual(source_nb, rebuilt):
        cell = TestCell(gid, points, None, "")
        message = "not answered: the cell is as released"
        result.questions.append(_graded(cell, False, message, result.seed))
    with Judge(rebuilt.notebook, course_root=course.root, **judge) as running:
        _judge_notebook(running, test_cells(source_nb), result.seed, result)


def grade_submission(
    course_root: Course | Path | str,
    assignment: str,
    student: str,
    *,
    seed: int | None = None,
    limits: Limits | None = None,
    level: str | None = None,
) -> StudentResult:
    """Grade the submission ``submitted/<student>/<assignment>/`` of a course (a `Course`
    or its folder); never raises for a bad submission (a grader bug still raises). See the
    module docstring for the steps."""
    course = _as_course(course_root)
    limits = limits or Limits()
    seed = secrets.randbits(31) if seed is None else int(seed)
    folder = course.submission(student, assignment)
    stamp = course.timestamp(folder)
    result = StudentResult(
        student=student,
        assignment=assignment,
        submission_sha256=submission_sha256(folder),
        seed=seed,
        started=time.time(),
        finished=0.0,
        versions={**current_versions(), "grader": grader_fingerprint(course, assignment)},
        timestamp=stamp,
    )
    for name in course.notebooks(assignment):
        source_nb = nbformat.read(str(course.folder("source", assignment) / name), as_version=4)
        rebuilt = rebuild_from_folder(source_nb, folder, name)
        _grade_rebuilt(
            rebuilt, source_nb, result, course, limits=limits, level=level, workdir_name=assignment
        )
        _write_autograded(course, assignment, student, name, rebuilt.notebook, stamp)
    result.finished = time.time()
    return result


# ----------------------------------------------------------------------------- the batch


def _failed(course: Course, assignment: str, student: str, seed: int, error: str) -> StudentResult:
    folder = course.submission(student, assignment)
    now = time.time()
    return StudentResult(
        student=student,
        assignment=assignment,
        submission_sha256=submission_sha256(folder) if folder.is_dir() else "",
        seed=seed,
        started=now,
        finished=now,
        versions=current_versions(),
        status="failed",
        error=error,
        timestamp=course.timestamp(folder),
    )


def _work(course: str, assignment: str, student: str, seed: int, limits: Limits, results: str):
    """One job in a worker process: grade, write the result file, return a summary."""
    grading = Course(course)
    try:
        result = grade_submission(grading, assignment, student, seed=seed, limits=limits)
    except Exception:  # a grader bug: record it, never lose the student
        result = _failed(grading, assignment, student, seed, traceback.format_exc(limit=5))
    write_result(results, result)
    return student, result.score, result.status, len(result.flags)


def grader_fingerprint(course: Course | Path | str, assignment: str) -> str:
    """sha256 of what a grade depends on besides the submission: the assignment's source
    notebooks and the check specs. Changing either regrades everything on the next run.

    `course` is a `Course`, or the root of a folder with nbgrader's default layout
    (``source/<assignment>/``), which needs no ``nbgrader_config.py``."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    if isinstance(course, Course):
        source = course.folder("source", assignment)
    else:
        source = Path(course) / "source" / assignment
    files = sorted(source.glob("*.ipynb"))
    files += [here / "checks.py", *sorted((here / "specs").glob("*.py"))]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def pending(
    course: Course | Path | str,
    assignment: str,
    results_dir: Path,
    students=None,
    force: bool = False,
    problems: list[str] | None = None,
) -> tuple[list[str], list[str]]:
    """(to grade, already graded) among the submitted students of `assignment`.

    A folder whose name is not a plain student id (`autograder.course.STUDENT_ID`) is left
    out and named in `problems`: it cannot be a gradebook student."""
    course = _as_course(course)
    submitted = []
    for name in course.submitted_students(assignment):
        if STUDENT_ID.match(name):
            submitted.append(name)
        elif problems is not None:
            problems.append(f"submitted/{name}: not a student id (letters, digits, _ . -)")
    if students:
        submitted = [s for s in submitted if s in students]
    fingerprint = grader_fingerprint(course, assignment)
    todo, done = [], []
    for student in submitted:
        sha = submission_sha256(course.submission(student, assignment))
        if not force and is_done(results_dir, assignment, student, sha, fingerprint):
            done.append(student)
        else:
            todo.append(student)
    return todo, done


def _bar(tqdm, total: int, assignment: str, progress: bool):
    return tqdm(total=total, desc=f"autograde {assignment}", unit="sub", disable=not progress)


def _tally(summary: dict, bar, student: str, score: float, status: str, flags: int) -> None:
    """Record a finished job's summary line and advance the progress bar."""
    summary[student] = f"{status} {score:g} points" + (f", {flags} flag(s)" if flags else "")
    bar.set_postfix_str(student)
    bar.update()


def grade_batch(
    course: Course | Path | str,
    assignment: str,
    students: list[str],
    results_dir: Path | str,
    *,
    jobs: int | None = None,
    limits: Limits | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> dict[str, str]:
    """Grade `students` in `jobs` worker processes (default: one per core); each writes its
    own result file. Returns ``{student: summary}``. The gradebook is not touched here."""
    course = _as_course(course)
    limits = limits or Limits()
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    sweep_stale()  # what killed runs left: their jobs' cgroups and socket folders
    seeds = {s: (secrets.randbits(31) if seed is None else int(seed)) for s in students}
    summary: dict[str, str] = {}
    args = (str(course.root), assignment)
    if jobs == 1 or len(students) <= 1:
        bar = _bar(tqdm, len(students), assignment, progress)
        for s in students:
            _tally(summary, bar, *_work(*args, s, seeds[s], limits, str(results_dir)))
        bar.close()
        return dict(sorted(summary.items()))
    # Workers are forked where possible, after the heavy imports (what the modules above
    # import only when first used: nbgrader's preprocessors, jupyter_client's manager), and
    # before the progress bar's monitor thread exists.
    import jupyter_client.manager  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    bar = None
    queue, isolated = list(students), False
    while queue:
        # A worker that dies (the OOM killer, a grader bug) breaks the whole pool: every
        # job not finished is queued again. When a round finishes nobody, each remaining
        # student gets a pool of its own, so only the one that breaks it is recorded failed.
        rounds = [[s] for s in queue] if isolated else [queue]
        retry = []
        for group in rounds:
            with ProcessPoolExecutor(max_workers=min(jobs, len(group)), mp_context=context) as pool:
                futures = {
                    pool.submit(_work, *args, s, seeds[s], limits, str(results_dir)): s
                    for s in group
                }
                if bar is None:
                    bar = _bar(tqdm, len(students), assignment, progress)
                for future in as_completed(futures):
                    student = futures[future]
                    try:
                        _tally(summary, bar, *future.result())
                    except Exception as exc:  # the worker process died
                        if isolated:
                            error = f"the grading process died: {exc!r}"
                            result = _failed(course, assignment, student, seeds[student], error)
                            write_result(results_dir, result)
                            _tally(summary, bar, student, 0.0, "failed", 0)
                        else:
                            retry.append(student)
        isolated = isolated or len(retry) == len(queue)
        queue = retry
    if bar is not None:
        bar.close()
    return dict(sorted(summary.items()))
