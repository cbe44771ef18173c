"""The instructor's workflow on top of nbgrader: ``python -m autograder <command>``.

Commands (each has a ``make`` target of the same name)::

    release   [A]            student version of one or all assignments + release/<A>.zip
    collect   SRC [A]        import <student_id>.ipynb / <student_id>.zip files from SRC
    autograde [A] [--force]  grade every submission with the engine (autograder.engine)
    feedback  [A]            per-student HTML in feedback/<student>/<A>/
    grades    [--out CSV]    one row per student and assignment

nbgrader stays the transport and the record: release, collect, the gradebook, the
formgrader and ``nbgrader export`` all use nbgrader's own API (``NbGraderAPI`` and
``Gradebook``). Grading itself is the engine's: submissions are rebuilt from the source
notebooks, scanned, and judged outside confined kernels, in parallel worker processes that
write one result file each; this process alone then writes the gradebook. Re-running skips
what is already graded from the same submission bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

from autograder import engine
from autograder.course import (
    COURSE_ROOT,
    STUDENT_ID,
    TIMESTAMP_FORMAT,
    Course,
    CourseError,
    Limits,
    default_limits,
)
from autograder.feedback import render_feedback, write_feedback
from autograder.rebuild import Note
from autograder.results import read_results, record_to_gradebook

__all__ = ["Course", "CourseError", "autograde", "collect", "feedback", "grades", "main", "release"]


def _check(result: dict, what: str) -> None:
    if not result.get("success"):
        detail = result.get("error") or result.get("log") or ""
        raise CourseError(f"{what} failed:\n{detail}")


# --------------------------------------------------------------------------------- release


def release(course: Course, assignment: str | None = None) -> list[Path]:
    """Generate the student version of each assignment and a zip of it for an LMS."""
    zips = []
    for a in course.assignments(assignment):
        _check(course.api.generate_assignment(a, force=True, create=True), f"release of {a}")
        folder = course.folder("release", a)
        target = folder.parent / f"{a}.zip"
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
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        dest = course.submission(student, a)
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


def autograde(
    course: Course,
    assignment: str | None = None,
    force: bool = False,
    progress: bool = True,
    students: list[str] | None = None,
    jobs: int | None = None,
    limits=None,
    seed: int | None = None,
) -> dict[str, dict[str, str]]:
    """Grade every submission (or those of `students`) of one or all assignments.

    Uses the engine (`autograder.engine`): each submission is rebuilt from the source,
    scanned, and judged in a confined kernel by one of `jobs` worker processes (default: one
    per core), which writes ``results/<assignment>/<student>.json``. Then this process, and
    only it, records every result in the gradebook. A submission already graded from the
    same bytes is skipped unless `force`; a run killed midway resumes where it stopped.

    Returns ``{assignment: {student: status}}``, status "graded N points[, K flag(s)]",
    "failed ..." (recorded as zero, with the reason) or "skipped".
    """
    limits = limits or default_limits()

    report: dict[str, dict[str, str]] = {}
    results_dir = course.results
    for a in course.assignments(assignment):
        skipped: list[str] = []
        todo, done = engine.pending(course, a, results_dir, students, force, skipped)
        for problem in skipped:
            print(f"  not graded: {problem}", file=sys.stderr)
        if not todo and not done:
            continue
        if not course.released(a):
            release(course, a)
        status = {s: "skipped" for s in done}
        status.update(
            engine.grade_batch(
                course,
                a,
                todo,
                results_dir,
                jobs=jobs,
                limits=limits,
                seed=seed,
                progress=progress,
            )
        )
        problems: list[str] = []
        results = read_results(results_dir, a, problems)
        problems += record_to_gradebook(
            course.coursedir.db_url, a, results, course_id=course.coursedir.course_id
        )
        status = dict(sorted(status.items()))
        report[a] = status
        counts = {
            k: sum(v.split(" ")[0] == k for v in status.values())
            for k in ("graded", "skipped", "failed")
        }
        print(f"autograde {a}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        by_student = {r.student: r for r in results}
        for student, text in status.items():
            r = by_student.get(student)
            if r is not None and (r.status == "failed" or r.flags) and text != "skipped":
                print(f"  {student}: {text}")
                for flag in r.flags[:5]:
                    print(f"    flag {flag}")
                if r.error:
                    print(f"    error: {r.error.strip().splitlines()[-1]}")
        for problem in problems:
            print(f"  gradebook: {problem}", file=sys.stderr)
    return report


# -------------------------------------------------------------------------------- feedback


def feedback(course: Course, assignment: str | None = None) -> list[Path]:
    """Per-student HTML from the result files: verdicts, points, seeds, failing cases, hints
    and notes; never the hidden tests' source or reference code (nbgrader's own feedback
    copies the hidden tests verbatim), and never the scan's flags, which are for the
    instructor only (`grades` and `autograde` list them)."""
    written = []
    for a in course.assignments(assignment):
        count = 0
        for r in read_results(course.results, a):
            notes = list(r.notes)
            if r.status == "failed":
                notes.append(Note("failed", "your submission could not be graded; recorded as 0"))
            page = render_feedback(r.student, a, [q.result for q in r.questions], notes)
            for nb in course.notebooks(a):
                folder = course.folder("feedback", a, r.student)
                written.append(write_feedback(folder / Path(nb).with_suffix(".html").name, page))
                count += 1
        print(f"feedback {a}: {count} page(s) in {course.root / course.step('feedback')}/")
    return written


# ---------------------------------------------------------------------------------- grades

GRADE_COLUMNS = ("assignment", "student_id", "timestamp", "score", "max_score", "status", "note")


def grades(course: Course, out: Path | str | None = None) -> Path:
    """Write a CSV with one row per student and assignment in the gradebook; its ``note``
    names a failed grading's error, or the scan's flags (for the instructor only)."""
    from nbgrader.api import MissingEntry  # here, not at the top: start-up speed

    out = Path(out) if out else course.root / "grades.csv"
    rows = []
    with course.gradebook() as gb:
        for assignment in gb.assignments:
            a = assignment.name
            results = {r.student: r for r in read_results(course.results, a)}
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
                result = results.get(student.id)
                if result is not None and result.status == "failed":
                    note = (result.error or "").strip().splitlines()
                    row.update(status="failed", note=note[-1] if note else "")
                elif sub.needs_manual_grade:
                    row["status"] = "needs manual grade"
                else:
                    row["status"] = "graded"
                if result is not None and result.flags and row["status"] != "failed":
                    flags = "; ".join(str(flag) for flag in result.flags[:3])
                    row["note"] = f"{len(result.flags)} flag(s): {flags}"
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
        "--course", default=str(COURSE_ROOT), help="nbgrader course folder (default: %(default)s)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="student version + zip of one or all assignments")
    p.add_argument("assignment", nargs="?", help="assignment id (default: all)")
    p = sub.add_parser("collect", help="import <student_id>.ipynb/.zip files from a folder")
    p.add_argument("src", help="folder of submissions named by student id")
    p.add_argument("assignment", nargs="?", help="assignment id (default: the only one)")
    p = sub.add_parser("autograde", help="grade every submission in confined kernels")
    p.add_argument("assignment", nargs="?", help="assignment id (default: all)")
    p.add_argument("--force", action="store_true", help="regrade what is already graded")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes, each grading one submission at a time (default: %(default)s)",
    )
    p.add_argument("--seed", type=int, help="seed of every check (default: a new one each)")
    defaults = default_limits()
    for flag, field, kind, text in (
        ("--cell-timeout", "cell_seconds", float, "seconds per cell or graded call"),
        ("--submission-timeout", "submission_seconds", float, "seconds per submission"),
        ("--memory-mb", "memory_mb", int, "memory of one submission's processes"),
        ("--processes", "processes", int, "processes of one submission at once"),
        ("--output-mb", "output_mb", float, "output kept per submission"),
        ("--disk-mb", "disk_mb", int, "size of the submission's writable /tmp"),
    ):
        p.add_argument(
            flag,
            type=kind,
            default=getattr(defaults, field),
            dest=field,
            help=f"{text} (default: %(default)s)",
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
            limits = Limits(**{f: getattr(args, f) for f in Limits.__dataclass_fields__})
            autograde(
                course,
                args.assignment,
                force=args.force,
                progress=not args.no_progress,
                students=args.student,
                jobs=args.jobs,
                limits=limits,
                seed=args.seed,
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
