"""The instructor's workflow on top of nbgrader: ``python -m autograder <command>``.

Commands (each has a ``make`` target of the same name)::

    release   [A]            student version of one or all assignments + release/<A>.zip
    collect   SRC [A]        import <student_id>.ipynb / <student_id>.zip files from SRC
    autograde [A] [--force]  grade every submission, one student per nbgrader run
    feedback  [A]            per-student HTML in feedback/<student>/<A>/
    grades    [--out CSV]    one row per student and assignment

Everything goes through nbgrader's own API (``NbGraderAPI`` and ``Gradebook``), so the
formgrader and ``nbgrader export`` see the same gradebook. What this module adds is what
nbgrader 0.9.6 gets wrong in a batch: a failure of one submission never stops the others,
a duplicated grade cell is repaired instead of failing, a submission nbgrader cannot grade
at all still ends with a recorded score of zero and the reason, and re-running skips what is
already graded.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import sys
import time
import warnings
import zipfile
from pathlib import Path

COURSE = Path(__file__).resolve().parent
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
FAILURES = "autograde_failures.json"  # in autograded/: submissions recorded as zero, and why


@contextlib.contextmanager
def _quiet_sqlalchemy():
    """nbgrader's gradebook code triggers SQLAlchemy's SAWarning (a RuntimeWarning) in normal
    use; keep it a warning that is not shown, even under ``-W error::RuntimeWarning``."""
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        yield


class CourseError(Exception):
    """A mistake in the command or the course folder, reported without a traceback."""


# --------------------------------------------------------------------------- course helpers


class Course:
    """The nbgrader course folder and the APIs that work on it."""

    def __init__(self, root: Path | str = COURSE):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        # nbgrader runs `alembic` from PATH when it creates a gradebook: make the tools of this
        # Python visible even when it was started as .venv/bin/python without activating.
        bindir = str(Path(sys.executable).parent)
        path = os.environ.get("PATH", "")
        if bindir not in path.split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + path
        self.root = Path(root).resolve()
        config_file = self.root / "nbgrader_config.py"
        if not config_file.is_file():
            raise CourseError(f"no nbgrader_config.py in {self.root}")
        self.config = PyFileConfigLoader(config_file.name, path=str(self.root)).load_config()
        self.coursedir = CourseDirectory(config=self.config)
        self.api = NbGraderAPI(self.coursedir, config=self.config)

    def dir(self, kind: str, *parts: str) -> Path:
        return self.root / kind / Path(*parts) if parts else self.root / kind

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.coursedir.db_url, course_id=self.coursedir.course_id)

    def assignments(self, name: str | None = None) -> list[str]:
        """``[name]`` if it is a source assignment, else every source assignment."""
        found = sorted(p.name for p in self.dir("source").glob("*") if p.is_dir())
        found = [a for a in found if not a.startswith((".", "_"))]
        if name is None:
            if not found:
                raise CourseError(f"no assignment in {self.dir('source')}")
            return found
        if name not in found:
            raise CourseError(f"unknown assignment {name!r}; the course has: {', '.join(found)}")
        return [name]

    def notebooks(self, assignment: str) -> list[str]:
        return sorted(p.name for p in self.dir("source", assignment).glob("*.ipynb"))

    def released(self, assignment: str) -> bool:
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                return False
        return self.dir("release", assignment).is_dir()

    def failures(self) -> dict:
        path = self.dir("autograded", FAILURES)
        return json.loads(path.read_text()) if path.is_file() else {}

    def save_failures(self, failures: dict) -> None:
        path = self.dir("autograded", FAILURES)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(failures, indent=1, sort_keys=True))


def _check(result: dict, what: str) -> None:
    if not result.get("success"):
        detail = result.get("error") or result.get("log") or ""
        raise CourseError(f"{what} failed:\n{detail}")


def _read_timestamp(folder: Path) -> str:
    path = folder / "timestamp.txt"
    return path.read_text().strip() if path.is_file() else ""


def _reason(result: dict) -> str:
    """The most telling line of a failed nbgrader run (the last exception named in its log)."""
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    lines = re.findall(r"^\s*(?:[\w.]+(?:Error|Exception|Exit)\b.*)$", text, re.MULTILINE)
    lines = [line.strip() for line in lines if "NbGraderException" not in line]
    if not lines:
        return "nbgrader could not grade this submission"
    if "DeadKernelError" in lines[-1]:
        return "the kernel died (a cell called os._exit, crashed Python or ran out of memory)"
    return lines[-1]


# --------------------------------------------------------------------------------- release


def release(course: Course, assignment: str | None = None) -> list[Path]:
    """Generate the student version of each assignment and a zip of it for an LMS."""
    zips = []
    for a in course.assignments(assignment):
        _check(course.api.generate_assignment(a, force=True, create=True), f"release of {a}")
        folder = course.dir("release", a)
        target = course.dir("release", f"{a}.zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and ".ipynb_checkpoints" not in path.parts:
                    zf.write(path, Path(a) / path.relative_to(folder))
        print(f"released {a}: {folder.relative_to(course.root)}/ and {target.name}")
        zips.append(target)
    return zips


# --------------------------------------------------------------------------------- collect


def _notebooks_in_zip(path: Path) -> tuple[dict[str, bytes], str | None]:
    with zipfile.ZipFile(path) as zf:
        found, stamp = {}, None
        for info in zf.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or "__MACOSX" in parts or ".ipynb_checkpoints" in parts:
                continue
            if info.filename.endswith(".ipynb"):
                found[Path(info.filename).name] = zf.read(info)
            elif Path(info.filename).name == "timestamp.txt":
                stamp = zf.read(info).decode().strip()
        return found, stamp


def collect(course: Course, src: Path | str, assignment: str | None = None) -> list[str]:
    """Copy ``SRC/<student_id>.ipynb`` or ``.zip`` into ``submitted/<student_id>/<A>/``.

    The notebook is saved under the name nbgrader expects, whatever the student called it;
    ``timestamp.txt`` comes from the zip if it holds one, else from the file's mtime. Students
    not yet in the gradebook are added. Returns the student ids collected.
    """
    src = Path(src)
    if not src.is_dir():
        raise CourseError(f"SRC must be a folder of <student_id>.ipynb / .zip files: {src}")
    names = course.assignments(assignment)
    if len(names) > 1:
        raise CourseError(f"say which assignment the submissions are for: A={' | A='.join(names)}")
    a = names[0]
    if not course.released(a):
        release(course, a)
    expected = course.notebooks(a)
    collected, problems = [], []
    for path in sorted(src.iterdir()):
        if path.suffix not in (".ipynb", ".zip"):
            continue
        student = path.stem
        if not STUDENT_ID.match(student):
            problems.append(f"{path.name}: not a valid student id (letters, digits, _ . -)")
            continue
        if path.suffix == ".zip":
            try:
                found, stamp = _notebooks_in_zip(path)
            except zipfile.BadZipFile:
                problems.append(f"{path.name}: not a zip file")
                continue
        else:
            found, stamp = {path.name: path.read_bytes()}, None
        if len(expected) == 1 and len(found) == 1:
            found = {expected[0]: next(iter(found.values()))}
        chosen = {name: data for name, data in found.items() if name in expected}
        if not chosen:
            problems.append(f"{path.name}: no notebook named {' or '.join(expected)}")
            continue
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)
        dest = course.dir("submitted", student, a)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name, data in chosen.items():
            (dest / name).write_bytes(data)
        (dest / "timestamp.txt").write_text(stamp or mtime.strftime(TIMESTAMP_FORMAT))
        collected.append(student)
    with course.gradebook() as gb:
        known = {s.id for s in gb.students}
        for student in collected:
            if student not in known:
                gb.update_or_create_student(student)
    new = [s for s in collected if s not in known]
    print(f"collected {len(collected)} submission(s) of {a} ({len(new)} new student(s))")
    for problem in problems:
        print(f"  skipped {problem}", file=sys.stderr)
    return collected


# ------------------------------------------------------------------------------- autograde


def repair_duplicates(folder: Path) -> list[str]:
    """Make every grade id unique again in the submitted notebooks of one folder.

    nbgrader refuses a notebook where a cell with a grade id was copied (#1083, #1933): the
    whole submission fails, and in a batch every later student too. The first cell with a
    given grade id keeps it; later copies become ordinary cells, so the student's code in
    them still runs but is not graded twice. The original is kept as ``<name>.ipynb.orig``.
    Returns the grade ids that were duplicated.
    """
    duplicated = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        seen, changed = set(), False
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader")
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id is None:
                continue
            if grade_id in seen:
                del cell["metadata"]["nbgrader"]
                duplicated.append(grade_id)
                changed = True
            seen.add(grade_id)
        if changed:
            shutil.copy2(path, path.with_name(path.name + ".orig"))
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    return duplicated


def _record_zero(course: Course, a: str, student: str, timestamp: str) -> None:
    """Give every automatically graded cell 0 points, so the student has a recorded score."""
    stamp = None
    with contextlib.suppress(ValueError):
        stamp = dt.datetime.strptime(timestamp, TIMESTAMP_FORMAT)
    with _quiet_sqlalchemy(), course.gradebook() as gb:
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(a, student, timestamp=stamp)
        for notebook in sub.notebooks:
            for grade in notebook.grades:
                if grade.cell.cell_type == "code" and grade.manual_score is None:
                    grade.auto_score = 0.0
                    grade.needs_manual_grade = False
        gb.db.commit()


def _grade_one(course: Course, a: str, student: str) -> tuple[bool, str]:
    """One nbgrader autograde run for one student; (graded?, reason if not)."""
    with _quiet_sqlalchemy():
        result = course.api.autograde(a, student, force=True, create=True)
    if result.get("success"):
        return True, ""
    return False, _reason(result)


_WORKER_COURSE: Course | None = None


def _worker_start(root: str) -> None:
    global _WORKER_COURSE
    _WORKER_COURSE = Course(root)


def _worker_grade(a: str, student: str) -> tuple[bool, str]:
    assert _WORKER_COURSE is not None
    return _grade_one(_WORKER_COURSE, a, student)


def _graded(course: Course, a: str, todo: list[str], jobs: int, bar):
    """Yield (student, graded?, reason) as each nbgrader run ends, `jobs` runs at a time.

    With jobs > 1 each worker process holds its own gradebook connection; a run that lost a
    race for the SQLite lock, or whose worker died, is retried alone at the end rather than
    recorded as failed.
    """
    if jobs <= 1 or len(todo) <= 1:
        for student in todo:
            bar.set_postfix_str(student)
            yield (student, *_grade_one(course, a, student))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    retry = []
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(str(course.root),),
    ) as pool:
        futures = {pool.submit(_worker_grade, a, student): student for student in todo}
        for future in as_completed(futures):
            student = futures[future]
            try:
                ok, reason = future.result()
            except Exception:  # a worker process died: grade its students again, alone
                retry.append(student)
                continue
            if not ok and "database" in reason.lower():
                retry.append(student)
                continue
            bar.set_postfix_str(student)
            yield student, ok, reason
    for student in retry:
        yield (student, *_grade_one(course, a, student))


def autograde(
    course: Course,
    assignment: str | None = None,
    force: bool = False,
    progress: bool = True,
    students: list[str] | None = None,
    jobs: int = 1,
) -> dict[str, dict[str, str]]:
    """Grade every submission (or those of `students`) of one or all assignments.

    Each student is a separate nbgrader run, so a submission that crashes nbgrader costs
    only that student, who is recorded with zero points and the reason.

    ``jobs`` nbgrader runs go on at once, each in a worker process (2 on 2 cores grades a
    batch about 1.5 times faster than 1; with SQLite keep it small, or use PostgreSQL).

    Returns ``{assignment: {student: status}}`` with status "graded", "skipped" (already
    graded from the same timestamp) or "failed: <reason>" (recorded as zero).
    """
    from tqdm import tqdm

    failures = course.failures()
    report: dict[str, dict[str, str]] = {}
    for a in course.assignments(assignment):
        submitted = sorted(p.parent.name for p in course.dir("submitted").glob(f"*/{a}"))
        if students:
            submitted = [s for s in submitted if s in students]
        if not submitted:
            continue
        if not course.released(a):
            release(course, a)
        status, todo = {}, []
        for student in submitted:
            stamp = _read_timestamp(course.dir("submitted", student, a))
            done = course.dir("autograded", student, a)
            graded = done.is_dir() and _read_timestamp(done) == stamp
            failed = failures.get(a, {}).get(student, {}).get("timestamp") == stamp
            if (graded or failed) and not force:
                status[student] = "skipped"
            else:
                todo.append((student, stamp))
        notes = {}
        for student, _ in todo:
            duplicated = repair_duplicates(course.dir("submitted", student, a))
            if duplicated:
                notes[student] = f" (duplicated grade cells ungraded: {', '.join(duplicated)})"
        stamps = dict(todo)
        bar = tqdm(total=len(todo), desc=f"autograde {a}", unit="submission", disable=not progress)
        for student, ok, reason in _graded(course, a, list(stamps), jobs, bar):
            if ok:
                failures.get(a, {}).pop(student, None)
                status[student] = "graded" + notes.get(student, "")
            else:
                _record_zero(course, a, student, stamps[student])
                failures.setdefault(a, {})[student] = {
                    "timestamp": stamps[student],
                    "reason": reason,
                }
                status[student] = f"failed: {reason}"
            course.save_failures(failures)
            bar.update()
        bar.close()
        status = dict(sorted(status.items()))
        report[a] = status
        counts = {
            k: sum(v.split(":")[0].split(" ")[0] == k for v in status.values())
            for k in ("graded", "skipped", "failed")
        }
        print(f"autograde {a}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        for student, text in status.items():
            if text.startswith("failed") or "duplicated" in text:
                print(f"  {student}: {text}")
    return report


# -------------------------------------------------------------------------------- feedback

_FAILED_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{a}: feedback for {student}</title></head>
<body><h1>{a}: your submission could not be graded automatically</h1>
<p>Recorded score: 0. Reason: <code>{reason}</code></p>
<p>Run your notebook top to bottom on a fresh kernel (Kernel &rarr; Restart and Run All):
it must finish without crashing the kernel. Then contact the instructor.</p>
</body></html>
"""


def feedback(course: Course, assignment: str | None = None) -> list[Path]:
    """Per-student HTML: each test cell with its verdict, points and message."""
    failures = course.failures()
    written = []
    for a in course.assignments(assignment):
        if any(course.dir("autograded").glob(f"*/{a}")):
            _check(course.api.generate_feedback(a, force=True), f"feedback for {a}")
        for student, info in failures.get(a, {}).items():
            folder = course.dir("feedback", student, a)
            folder.mkdir(parents=True, exist_ok=True)
            for nb in course.notebooks(a):
                page = _FAILED_HTML.format(
                    a=html.escape(a),
                    student=html.escape(student),
                    reason=html.escape(info["reason"]),
                )
                (folder / Path(nb).with_suffix(".html").name).write_text(page)
        pages = sorted(course.dir("feedback").glob(f"*/{a}/*.html"))
        print(f"feedback {a}: {len(pages)} page(s) in {course.dir('feedback')}/")
        written += pages
    return written


# ---------------------------------------------------------------------------------- grades

GRADE_COLUMNS = ("assignment", "student_id", "timestamp", "score", "max_score", "status", "note")


def grades(course: Course, out: Path | str | None = None) -> Path:
    """Write a CSV with one row per student and assignment in the gradebook."""
    from nbgrader.api import MissingEntry

    out = Path(out) if out else course.root / "grades.csv"
    failures = course.failures()
    rows = []
    with course.gradebook() as gb:
        for assignment in gb.assignments:
            a = assignment.name
            for student in gb.students:
                row = {"assignment": a, "student_id": student.id, "timestamp": "", "note": ""}
                try:
                    sub = gb.find_submission(a, student.id)
                except MissingEntry:
                    row.update(score=0, max_score=assignment.max_score, status="missing")
                    rows.append(row)
                    continue
                row.update(score=round(sub.score, 2), max_score=sub.max_score)
                if sub.timestamp:
                    row["timestamp"] = sub.timestamp.strftime(TIMESTAMP_FORMAT)
                failed = failures.get(a, {}).get(student.id)
                if failed:
                    row.update(status="failed", note=failed["reason"])
                elif sub.needs_manual_grade:
                    row["status"] = "needs manual grade"
                else:
                    row["status"] = "graded"
                rows.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=GRADE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out.write_text(buffer.getvalue())
    print(f"grades: {len(rows)} row(s) in {out}")
    return out


# ------------------------------------------------------------------------------------ main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="The instructor's workflow on top of nbgrader; every command has a make "
        "target of the same name (make release, make collect SRC=dir, ...).",
    )
    parser.add_argument(
        "--course", default=str(COURSE), help="nbgrader course folder (default: %(default)s)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="student version + zip of one or all assignments")
    p.add_argument("assignment", nargs="?", help="assignment id (default: all)")
    p = sub.add_parser("collect", help="import <student_id>.ipynb/.zip files from a folder")
    p.add_argument("src", help="folder of submissions named by student id")
    p.add_argument("assignment", nargs="?", help="assignment id (default: the only one)")
    p = sub.add_parser("autograde", help="grade every submission, one student per run")
    p.add_argument("assignment", nargs="?", help="assignment id (default: all)")
    p.add_argument("--force", action="store_true", help="regrade what is already graded")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="nbgrader runs at once, each in a worker process (default: %(default)s)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p = sub.add_parser("feedback", help="per-student HTML feedback")
    p.add_argument("assignment", nargs="?", help="assignment id (default: all)")
    p = sub.add_parser("grades", help="CSV with one row per student and assignment")
    p.add_argument("--out", help="CSV path (default: <course>/grades.csv)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    start = time.perf_counter()
    try:
        course = Course(args.course)
        if args.command == "release":
            release(course, args.assignment)
        elif args.command == "collect":
            collect(course, args.src, args.assignment)
        elif args.command == "autograde":
            autograde(
                course,
                args.assignment,
                force=args.force,
                progress=not args.no_progress,
                students=args.student,
                jobs=args.jobs,
            )
        elif args.command == "feedback":
            feedback(course, args.assignment)
        else:
            grades(course, args.out)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"({args.command} took {time.perf_counter() - start:.1f} s)")
    return 0
