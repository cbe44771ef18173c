"""The instructor's workflow on top of nbgrader: ``python -m autograder <command>``.

Commands (each has a ``make`` target of the same name)::

    release   [A]            student version of one or all assignments + release/<A>.zip
    collect   SRC [A]        import <student_id>.ipynb / <student_id>.zip files from SRC
                             (exit status 3 if some file was skipped: see `collect`)
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
import bz2
import copy
import csv
import datetime as dt
import io
import lzma
import os
import shutil
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

from autograder import engine
from autograder.course import (
    COURSE_ROOT,
    MAX_NOTEBOOK_MB,
    STUDENT_ID,
    TIMESTAMP_FORMAT,
    Course,
    CourseError,
    Limits,
    default_limits,
)
from autograder.feedback import write_pages
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

#: How far a zip's own ``timestamp.txt`` may be from the file's arrival before collect says so.
CLAIM_MARGIN = dt.timedelta(minutes=5)

#: Beside ``timestamp.txt`` (the trusted arrival time), the time a zip's ``timestamp.txt``
#: claimed, kept verbatim for the instructor: information only, never the submission time.
CLAIMED_TIMESTAMP = "claimed_timestamp.txt"

#: `main`'s exit status when collect or feedback did what it could but skipped something.
EXIT_SKIPPED = 3

_CLAIM_BYTES = 1024  # what is read of a zip's timestamp.txt
_CHUNK = 4096  # bytes read from a zip member at a time
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


class Unreadable(Exception):
    """A submitted file collect cannot read (corrupt, encrypted, too large, ...): it is
    reported with the reason and skipped, and every other file is still collected."""


def _shown(text: object, limit: int = 200) -> str:
    """Student-controlled text made safe to print: escaped, one line, at most `limit` chars."""
    text = str(text)
    return repr(text[:limit])[1:-1] + ("..." if len(text) > limit else "")


def _why(error: Exception) -> str:
    """Why a file was skipped: an `Unreadable`'s reason, or the error zipfile (or zlib, bz2,
    lzma) raised, named by its module: ``zlib.error: Error -3 while decompressing...``."""
    if isinstance(error, Unreadable):
        return str(error)
    kind = type(error).__name__
    if type(error).__module__ != "builtins":
        kind = f"{type(error).__module__}.{kind}"
    return _shown(f"{kind}: {error}")


def _too_large(name: str, size: int, cap: int, inflating: bool = False) -> Unreadable:
    limit = f"the {cap / 2**20:g} MB limit"
    if inflating:  # the zip's size field lied: stopped at the limit
        return Unreadable(f"{_shown(name)} inflates past {limit} (the zip says {size:,} bytes)")
    return Unreadable(f"{_shown(name)} is over {limit} ({size:,} bytes)")


def _lzma_inflater(packed, cap: int) -> lzma.LZMADecompressor:
    """The decompressor of a zip's LZMA member, after its header (2 bytes of version, 2 of
    properties size, the properties: lc/lp/pb in one byte, then the dictionary size). The
    dictionary is clamped to `cap`: no match reaches further back than what was inflated."""
    head = packed.read(4)
    props = packed.read(struct.unpack("<H", head[2:4])[0]) if len(head) == 4 else b""
    if len(props) < 5 or props[0] >= 9 * 5 * 5:
        raise Unreadable("bad LZMA header")
    pb, rest = divmod(props[0], 45)
    lp, lc = divmod(rest, 9)
    size = min(struct.unpack("<I", props[1:5])[0], max(cap, 4096))
    lzma1 = {"id": lzma.FILTER_LZMA1, "dict_size": size, "lc": lc, "lp": lp, "pb": pb}
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1])


def _inflate_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A bzip2 or LZMA member, inflated by at most `cap` bytes. zipfile inflates a whole
    chunk of compressed bytes at once, and 4 KB of bzip2 can hold gigabytes (of LZMA, tens
    of MB): the raw stream is read as if stored and inflated here, `cap` bytes at most."""
    raw = copy.copy(info)
    raw.compress_type, raw.file_size, raw.CRC = zipfile.ZIP_STORED, info.compress_size, None
    out = bytearray()
    with zf.open(raw) as packed:
        if info.compress_type == zipfile.ZIP_BZIP2:
            inflater = bz2.BZ2Decompressor()
        else:
            inflater = _lzma_inflater(packed, cap)
        while not inflater.eof:
            data = packed.read(_CHUNK) if inflater.needs_input else b""
            before = len(out)
            out += inflater.decompress(data, cap + 1 - len(out))
            if len(out) > cap:
                raise _too_large(info.filename, info.file_size, cap, inflating=True)
            if not data and len(out) == before:
                break  # the stream ended (LZMA may have no end marker): size and CRC decide
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise Unreadable(f"{_shown(info.filename)}: size or CRC-32 does not match the zip's")
    return bytes(out)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """A zip member's bytes, never inflating more than `cap` of them: a member that says it
    is larger is refused unread, and one that lies is stopped at `cap` (or by its CRC)."""
    if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: strong encryption
        raise Unreadable(f"{_shown(info.filename)} is encrypted (password-protected)")
    if info.compress_type not in _METHODS:
        method = zipfile.compressor_names.get(info.compress_type, str(info.compress_type))
        raise Unreadable(f"{_shown(info.filename)}: compression method {method} is not supported")
    if info.file_size > cap:
        raise _too_large(info.filename, info.file_size, cap)
    if info.compress_type in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        return _inflate_raw(zf, info, cap)
    out = bytearray()
    with zf.open(info) as member:  # never returns more than file_size; checks the CRC
        while chunk := member.read(_CHUNK):
            out += chunk
            if len(out) > cap:
                raise _too_large(info.filename, info.file_size, cap, inflating=True)
    return bytes(out)


def _claim(zf: zipfile.ZipFile, info: zipfile.ZipInfo | None) -> str | None:
    """The text of the zip's ``timestamp.txt`` (the student's claim), or None if it has none.
    An unreadable one is described, not fatal: the claim is only information."""
    if info is None:
        return None
    try:
        data = _inflate(zf, info, _CLAIM_BYTES)
    except Exception as error:  # corrupt, encrypted, too long: the notebook may still be fine
        return f"(unreadable timestamp.txt: {_shown(error, 120)})"
    return data.decode("utf-8", errors="replace").strip()


def _read_zip(path: Path, expected: list[str], cap: int) -> tuple[dict[str, bytes], str | None]:
    """The notebooks collect keeps from a zip, by the name nbgrader expects, and its
    ``timestamp.txt`` text. Only the kept notebooks are inflated, each at most `cap` bytes."""
    with zipfile.ZipFile(path) as zf:
        found: dict[str, zipfile.ZipInfo] = {}
        stamp = None
        for info in zf.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or not parts or {"__MACOSX", ".ipynb_checkpoints"} & set(parts):
                continue
            if parts[-1].endswith(".ipynb"):
                found[parts[-1]] = info
            elif parts[-1] == "timestamp.txt":
                stamp = info
        if len(expected) == 1 and len(found) == 1:
            found = {expected[0]: next(iter(found.values()))}
        chosen = {name: info for name, info in found.items() if name in expected}
        if not chosen:
            raise Unreadable(f"no notebook named {' or '.join(expected)}")
        return {name: _inflate(zf, info, cap) for name, info in chosen.items()}, _claim(zf, stamp)


def _read_submission(
    path: Path, expected: list[str], cap: int
) -> tuple[dict[str, bytes], str | None]:
    """(notebooks by the name nbgrader expects, the zip's timestamp.txt claim or None) of one
    file of SRC; raises `Unreadable` (or whatever a broken zip raises) if it cannot be read."""
    if not path.is_file():
        raise Unreadable("not a regular file")
    size = path.stat().st_size
    if size > cap:  # a zip over the cap is refused too: its central directory alone is big
        raise _too_large("the file", size, cap)
    if path.suffix == ".zip":
        return _read_zip(path, expected, cap)
    with path.open("rb") as file:
        data = file.read(cap + 1)
    if len(data) > cap:
        raise _too_large("the file", len(data), cap)
    name = expected[0] if len(expected) == 1 else path.name
    if name not in expected:
        raise Unreadable(f"no notebook named {' or '.join(expected)}")
    return {name: data}, None


def _claim_note(filename: str, claim: str | None, arrival: dt.datetime) -> str | None:
    """What collect says about a zip's own ``timestamp.txt``, or None when it has none or
    it agrees with the arrival time within `CLAIM_MARGIN`."""
    from nbgrader.utils import parse_utc  # here, not at the top: start-up speed

    if claim is None:
        return None
    try:
        claimed = parse_utc(claim).replace(tzinfo=dt.UTC)
    except Exception:  # dateutil raises ValueError, OverflowError, TypeError...
        return f"{filename}: timestamp.txt holds no time ({_shown(claim, 60)}); ignored"
    if abs(claimed - arrival) <= CLAIM_MARGIN:
        return None
    return (
        f"{filename}: timestamp.txt claims {claimed.strftime(TIMESTAMP_FORMAT)}, the file "
        f"arrived {arrival.strftime(TIMESTAMP_FORMAT)}; the arrival time is kept"
    )


def collect(
    course: Course,
    src: Path | str,
    assignment: str | None = None,
    max_mb: float = MAX_NOTEBOOK_MB,
    problems: list[str] | None = None,
) -> list[str]:
    """Copy ``SRC/<student_id>.ipynb`` or ``.zip`` into ``submitted/<student_id>/<A>/``.

    The notebook is saved under the name nbgrader expects, whatever the student called it.
    ``timestamp.txt``, the submission time nbgrader uses for late penalties, is the file's
    arrival: its modification time in SRC, as the LMS download set it. What a student puts
    in the zip (its own ``timestamp.txt``, the members' dates) is theirs to forge: a
    ``timestamp.txt`` in the zip is kept in ``claimed_timestamp.txt`` as information only,
    and named in the output when it is more than `CLAIM_MARGIN` from the arrival.

    A file that cannot be read (corrupt, encrypted, a submission file or notebook over
    `max_mb` MB: never inflated past that) is reported with the reason, appended to
    `problems`, and skipped; every other file is collected. Students not yet in the
    gradebook are added. Returns the student ids collected.
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
    if not max_mb > 0:
        raise CourseError(f"the largest notebook must be a positive number of MB, not {max_mb}")
    expected, cap = course.notebooks(a), int(max_mb * 2**20)
    collected, skipped, notes = [], [], []
    for path in sorted(src.iterdir()):
        if path.suffix not in (".ipynb", ".zip"):
            continue
        if not STUDENT_ID.match(path.stem):
            skipped.append(f"{_shown(path.name)}: not a valid student id (letters, digits, _ . -)")
            continue
        try:
            notebooks, claim = _read_submission(path, expected, cap)
        except Exception as error:  # whatever one file does, the others are collected
            skipped.append(f"{path.name}: {_why(error)}")
            continue
        arrival = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        dest = course.submission(path.stem, a)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name, data in notebooks.items():
            (dest / name).write_bytes(data)
        (dest / "timestamp.txt").write_text(arrival.strftime(TIMESTAMP_FORMAT))
        if claim is not None:
            (dest / CLAIMED_TIMESTAMP).write_text(claim + "\n", errors="backslashreplace")
        notes.append(_claim_note(path.name, claim, arrival))
        collected.append(path.stem)
    with course.gradebook() as gb:
        known = {s.id for s in gb.students}
        for student in collected:
            if student not in known:
                gb.update_or_create_student(student)
    new = [s for s in collected if s not in known]
    print(f"collected {len(collected)} submission(s) of {a} ({len(new)} new student(s))")
    for note in filter(None, notes):
        print(f"  note {note}")
    for problem in skipped:
        print(f"  skipped {problem}", file=sys.stderr)
    if skipped:
        print(f"  {len(skipped)} file(s) skipped: none of them was imported", file=sys.stderr)
    if problems is not None:
        problems.extend(skipped)
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


def feedback(
    course: Course, assignment: str | None = None, problems: list[str] | None = None
) -> list[Path]:
    """Per-student HTML from the result files: verdicts, points, seeds, failing cases, hints
    and notes; never the hidden tests' source or reference code (nbgrader's own feedback
    copies the hidden tests verbatim), and never the scan's flags, which are for the
    instructor only (`grades` and `autograde` list them). A student whose page cannot be
    written is named (and added to `problems`); every other student still gets a page."""
    written: list[Path] = []
    for a in course.assignments(assignment):
        missed: list[str] = []
        pages = write_pages(
            read_results(course.results, a),
            lambda student, a=a: course.folder("feedback", a, student),
            course.notebooks(a),
            missed,
        )
        written += pages
        print(
            f"feedback {a}: {len(pages)} page(s) in {course.root / course.step('feedback')}/"
            + (f"; {len(missed)} student(s) without a page (named above)" if missed else "")
        )
        if problems is not None:
            problems += missed
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
    p.add_argument(
        "--max-mb",
        type=float,
        default=MAX_NOTEBOOK_MB,
        help="largest submitted file, or notebook inflated from a zip; a larger one is "
        "skipped unread (default: %(default)s)",
    )
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
        (
            "--cell-timeout",
            "cell_seconds",
            float,
            "CPU seconds per cell or graded call (wall-clock backstop: 3x)",
        ),
        (
            "--submission-timeout",
            "submission_seconds",
            float,
            "CPU seconds per submission (wall-clock backstop: 3x)",
        ),
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
    status = 0
    try:
        course = Course(args.course)
        if args.command == "release":
            release(course, args.assignment)
        elif args.command == "collect":
            skipped: list[str] = []
            collect(course, args.src, args.assignment, max_mb=args.max_mb, problems=skipped)
            status = EXIT_SKIPPED if skipped else 0
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
            missed: list[str] = []
            feedback(course, args.assignment, problems=missed)
            status = EXIT_SKIPPED if missed else 0
        else:
            grades(course, args.out)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"({args.command} took {time.perf_counter() - start:.1f} s)")
    return status
