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

import ast
import contextlib
import functools
import hashlib
import importlib.util
import multiprocessing
import os
import pkgutil
import re
import secrets
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm import tqdm

from autograder import specs as registry
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
    "GraderMemory",
    "Limits",
    "TestCell",
    "grade_batch",
    "grade_submission",
    "grader_fingerprint",
    "grading_modules",
    "peak_mb",
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


def _reset_peak() -> None:
    """Start this process's peak resident memory (Linux's VmHWM) afresh, so that a worker's
    figure is that of the submission it grades next; elsewhere the peak stays lifelong."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def peak_mb() -> float:
    """This process's peak resident memory in MiB: since `_reset_peak` where /proc tells
    (``VmHWM``), else over its life (``getrusage``; KiB on Linux, bytes on macOS)."""
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


@dataclass
class GraderMemory:
    """The peak resident memory (MiB) of the grader's own processes during a batch.

    `by_student` holds each worker's peak while it graded that student (the peak is reset
    before each job), `parent_mb` the batch's parent process. The student's kernel and its
    zygote are other processes, held to `Limits.memory_mb`; this is what the grader itself
    kept of what a submission sent (floods, huge messages, a notebook to parse), which must
    stay bounded too."""

    by_student: dict[str, float] = field(default_factory=dict)
    parent_mb: float = 0.0

    @property
    def peak_mb(self) -> float:
        return max([self.parent_mb, *self.by_student.values()])

    @property
    def heaviest(self) -> str | None:
        """The student whose grading took a worker to its highest peak."""
        return max(self.by_student, key=self.by_student.__getitem__, default=None)


def _work(course: str, assignment: str, student: str, seed: int, limits: Limits, results: str):
    """One job in a worker process: grade, write the result file, return a summary (with
    the worker's peak memory during this job)."""
    _reset_peak()
    grading = Course(course)
    try:
        result = grade_submission(grading, assignment, student, seed=seed, limits=limits)
    except Exception:  # a grader bug: record it, never lose the student
        result = _failed(grading, assignment, student, seed, traceback.format_exc(limit=5))
    write_result(results, result)
    return student, result.score, result.status, len(result.flags), peak_mb()


# ------------------------------------------------------------- what a grade depends on

#: The packages whose modules a grade may depend on: the grader and the reference library.
_PACKAGES = ("autograder", "nnlib")


def _module_path(dotted: str) -> Path | None:
    """The file of module `dotted` (``autograder.judge``, ``nnlib.losses``, a package's
    ``__init__.py``) if it belongs to one of `_PACKAGES`, else None."""
    top, *rest = dotted.split(".")
    if top not in _PACKAGES:
        return None
    found = importlib.util.find_spec(top)
    roots = found.submodule_search_locations if found else None
    if not roots:
        return None
    base = Path(next(iter(roots))).joinpath(*rest)
    for path in ([base.with_suffix(".py")] if rest else []) + [base / "__init__.py"]:
        if path.is_file():
            return path
    return None


def _imports(path: Path, dotted: str) -> list[str]:
    """The modules of `_PACKAGES` that `path` (module `dotted`) names in an import, at the
    top or inside a function: ``from nnlib import losses`` names ``nnlib.losses``, not the
    package ``nnlib`` (whose ``__init__`` only gathers names), ``from x import name`` names
    ``x``."""
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    named = []
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            named += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, one level up per extra dot
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                named.append(sub if _module_path(sub) else base)
    return named


@functools.cache
def grading_modules(spec_modules: frozenset[str]) -> tuple[tuple[str, Path], ...]:
    """The modules whose code grades an assignment whose specs live in `spec_modules`
    (``{"autograder.specs.a1"}``), as sorted (name, file) pairs: the engine and every
    module of the grader or of nnlib it imports, directly or not (judge, kernel, wire,
    confine, sandbox, rebuild, scan, checks, results, course, the registry
    ``autograder.specs``), and the spec modules with the nnlib modules they take their
    references from. Another assignment's spec module, the mutants, the commands (cli) and
    feedback are not in it: changing them changes no grade of this assignment.

    The source is parsed, not imported, so an import inside a function counts; cached per
    process, as the imports of the code it runs cannot change under it."""
    found: dict[str, Path] = {}
    todo = ["autograder.engine", *sorted(spec_modules)]
    while todo:
        name = todo.pop()
        foreign = name.startswith("autograder.specs.") and name not in spec_modules
        if name in found or foreign or name.startswith("autograder.mutants"):
            continue
        path = _module_path(name)
        if path is not None:
            found[name] = path
            todo += _imports(path, name)
    return tuple(sorted(found.items()))


def _spec_modules(names: set[str]) -> frozenset[str]:
    """The modules of ``autograder/specs/`` that define the specs `names`, found among those
    the registry imported (a draft module nobody registers is never imported here); a spec
    none defines, e.g. a name the registry does not know: every spec module, to be safe."""
    loaded = {
        name: module
        for name, module in list(sys.modules.items())
        if name.startswith("autograder.specs.") and module is not None
    }
    every = {f"autograder.specs.{info.name}" for info in pkgutil.iter_modules(registry.__path__)}

    def holds(module, spec) -> bool:
        return any(
            value is spec or (isinstance(value, tuple | list) and any(v is spec for v in value))
            for value in vars(module).values()
        )

    owners: set[str] = set()
    for name in names:
        spec = registry.SPECS.get(name)
        holders = {m for m, module in loaded.items() if spec is not None and holds(module, spec)}
        owners |= holders or every
    return frozenset(owners)


def grader_fingerprint(course: Course | Path | str, assignment: str) -> str:
    """sha256 of what a grade depends on besides the submission: the assignment's source
    notebooks and the code that grades them (`grading_modules`: its own spec modules, the
    check mechanism, the judge, the kernel session and sandbox, the references in nnlib).
    Changing any of it regrades the assignment on the next run; changing another
    assignment's specs, the example specs or the commands does not.

    `course` is a `Course`, or the root of a folder with nbgrader's default layout
    (``source/<assignment>/``), which needs no ``nbgrader_config.py``."""
    digest = hashlib.sha256()
    if isinstance(course, Course):
        source = course.folder("source", assignment)
    else:
        source = Path(course) / "source" / assignment
    named: set[str] = set()
    for path in sorted(source.glob("*.ipynb")):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        with contextlib.suppress(Exception):  # an unreadable source fails later, loudly
            named |= {c.spec for c in test_cells(nbformat.reads(data, as_version=4)) if c.spec}
    for name, path in grading_modules(_spec_modules(named)):
        digest.update(name.encode() + b"\0" + path.read_bytes())
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


def _tally(
    summary: dict,
    memory: GraderMemory,
    bar,
    student: str,
    score: float,
    status: str,
    flags: int,
    mb: float | None = None,
) -> None:
    """Record a finished job's summary line and its worker's peak memory (None: the worker
    died, its peak is unknown), and advance the progress bar."""
    summary[student] = f"{status} {score:g} points" + (f", {flags} flag(s)" if flags else "")
    if mb is not None:
        memory.by_student[student] = mb
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
    memory: GraderMemory | None = None,
) -> dict[str, str]:
    """Grade `students` in `jobs` worker processes (default: one per core); each writes its
    own result file. Returns ``{student: summary}``. The gradebook is not touched here.

    `memory`, if given, receives the grader's own peak memory: each worker's per student
    and this process's since the batch began (`GraderMemory`)."""
    course = _as_course(course)
    memory = GraderMemory() if memory is None else memory
    _reset_peak()
    limits = limits or Limits()
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    sweep_stale()  # what killed runs left: their jobs' cgroups and socket folders
    seeds = {s: (secrets.randbits(31) if seed is None else int(seed)) for s in students}
    summary: dict[str, str] = {}
    args = (str(course.root), assignment)
    if jobs == 1 or len(students) <= 1:
        bar = _bar(tqdm, len(students), assignment, progress)
        for s in students:
            _tally(summary, memory, bar, *_work(*args, s, seeds[s], limits, str(results_dir)))
        bar.close()
        memory.parent_mb = peak_mb()
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
                        _tally(summary, memory, bar, *future.result())
                    except Exception as exc:  # the worker process died
                        if isolated:
                            error = f"the grading process died: {exc!r}"
                            result = _failed(course, assignment, student, seeds[student], error)
                            write_result(results_dir, result)
                            _tally(summary, memory, bar, student, 0.0, "failed", 0)
                        else:
                            retry.append(student)
        isolated = isolated or len(retry) == len(queue)
        queue = retry
    if bar is not None:
        bar.close()
    memory.parent_mb = peak_mb()
    return dict(sorted(summary.items()))
