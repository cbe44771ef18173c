"""Per-student result files, and the one step that copies them into the gradebook.

Grading workers never touch SQLite: each writes ``<results_dir>/<assignment>/<student>.json``
atomically (a temporary file in the same folder, then ``os.replace``), so a reader sees the
old file or the new one, never half of one. A run killed midway leaves only complete files
(and perhaps a ``.<student>.*.tmp`` that readers ignore); `is_done` lets the next run skip
every submission whose result is already there for the same submission bytes (sha256).

A `StudentResult` keeps its parts typed (`GradedCell` with its `QuestionResult`, the
rebuild's `Note` s, the scan's `Flag` s); they become JSON only in ``to_json`` and are
rebuilt in ``from_json``. A file of another `SCHEMA_VERSION` is not read, and its
submission is graded again.

Text from a submission or its kernel is made fit where it enters the grader with
`clean_text` (at most `MAX_TEXT` characters, then ``[... N characters cut]``; a lone
surrogate becomes its backslash escape, `valid_text`), and ``to_json`` applies it again to
every string (and keeps at most `MAX_ITEMS` notes and flags), so writing a result file
never raises and a 100 MB error message costs a few kilobytes.

`record_to_gradebook` is then the single writer of the gradebook. It is idempotent: it adds
a student or submission only when missing and sets each grade cell's ``auto_score``, so
running it twice gives the same rows and no duplicates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.checks import QuestionResult
from autograder.course import STUDENT_ID, quiet_sqlalchemy
from autograder.rebuild import Note
from autograder.scan import Flag

#: Version of the result files' layout. 2: notes and flags are objects with their fields
#: (1 had "kind: message" strings); a file of another version is not read, so its
#: submission is graded again on the next run.
SCHEMA_VERSION = 2
STATUSES = ("graded", "failed")

#: The longest string a result file or a feedback page keeps, in characters: a message the
#: submission makes 100 MB long is cut (with a marker saying how much) where it enters.
MAX_TEXT = 20_000

#: The most notes, and the most flags, a result file keeps; the rest are counted in one
#: last entry (a million flagged lines must not make a million-entry file).
MAX_ITEMS = 1000


def valid_text(text: str) -> str:
    """`text` made encodable as UTF-8: a lone surrogate (from a file name, or a JSON escape
    in a notebook or a kernel's reply) becomes its backslash escape, e.g. ``\\udc80``.

    In a Python string literal the escape means the same character, so a student's code
    keeps its meaning; anywhere else it is visible text instead of an encoding error.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def clean_text(value, limit: int = MAX_TEXT) -> str:
    """Any text from a submission or its kernel, fit for a result file or a feedback page:
    at most `limit` characters kept (then ``[... N characters cut]``), and valid UTF-8
    (`valid_text`). Cut first, so a huge string is never copied whole."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}[... {len(text) - limit} characters cut]"
    return valid_text(text)


def _cleaned(data):
    """`data` (JSON-ready: dicts, lists, strings, numbers) with every string `clean_text`."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {clean_text(k): _cleaned(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_cleaned(v) for v in data]
    return data


@dataclass(frozen=True)
class GradedCell:
    """One automatically graded cell: its nbgrader grade id and its question's result."""

    grade_id: str
    result: QuestionResult

    def to_dict(self) -> dict:
        """The JSON form: the result's fields and ``grade_id``, side by side."""
        return {"grade_id": self.grade_id, **dataclasses.asdict(self.result)}

    @classmethod
    def from_dict(cls, data: dict) -> GradedCell:
        if not isinstance(data, dict):
            raise ValueError(f"a question is a JSON object, not {type(data).__name__}")
        data = dict(data)
        grade_id = data.pop("grade_id", None)
        if not isinstance(grade_id, str):
            raise ValueError(f"question {data.get('name')!r} lacks a grade_id")
        return cls(grade_id, QuestionResult(**_known_fields(QuestionResult, data)))


def _known_fields(cls, data: dict) -> dict:
    """`data` if its keys are fields of dataclass `cls`, else ValueError naming the others."""
    if not isinstance(data, dict):
        raise ValueError(f"a {cls.__name__} is a JSON object, not {type(data).__name__}")
    unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys {sorted(unknown)}")
    return data


@dataclass
class StudentResult:
    """What grading one submission produced; everything needed to record or regrade it.

    ``questions`` holds one `GradedCell` per automatically graded cell; ``notes`` the
    `autograder.rebuild.Note` s of the rebuild and of the run (shown to the student);
    ``flags`` the `autograder.scan.Flag` s of the static scan (for the instructor only:
    the grades CSV and the autograde output show them, the feedback page does not).
    They keep their types here and become JSON only in `to_json` / `from_json`.
    """

    student: str
    assignment: str
    submission_sha256: str
    seed: int
    started: float
    finished: float
    versions: dict[str, str] = field(default_factory=dict)
    questions: list[GradedCell] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    status: str = "graded"
    error: str | None = None
    timestamp: str | None = None  # the submission's timestamp.txt, for the gradebook

    def __post_init__(self):
        for name in ("student", "assignment"):
            value = getattr(self, name)
            if not isinstance(value, str) or not STUDENT_ID.match(value):
                raise ValueError(f"{name} must be a plain name (letters, digits, _ . -): {value!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        for name, kind in (("questions", GradedCell), ("notes", Note), ("flags", Flag)):
            wrong = [x for x in getattr(self, name) if not isinstance(x, kind)]
            if wrong:
                raise TypeError(
                    f"{name} must hold {kind.__name__} objects, got {type(wrong[0]).__name__}"
                )

    @property
    def score(self) -> float:
        return float(sum(q.result.points_earned for q in self.questions))

    def to_json(self) -> str:
        data = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("questions", "notes", "flags")
        }
        data["questions"] = [q.to_dict() for q in self.questions]
        notes, flags = self.notes[:MAX_ITEMS], self.flags[:MAX_ITEMS]
        if len(self.notes) > MAX_ITEMS:
            notes.append(Note("cut", f"[... {len(self.notes) - MAX_ITEMS} more notes cut]"))
        if len(self.flags) > MAX_ITEMS:
            cut = f"[... {len(self.flags) - MAX_ITEMS} more flags cut]"
            flags.append(Flag("cut", "", 0, "", cut))
        data["notes"] = [dataclasses.asdict(n) for n in notes]
        data["flags"] = [dataclasses.asdict(f) for f in flags]
        data = _cleaned({"schema_version": SCHEMA_VERSION, **data})  # never raises, stays small
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> StudentResult:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a result file holds a JSON object")
        version = data.pop("schema_version", None)
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {version!r}, not {SCHEMA_VERSION}: written by another "
                "version of the grader (autograde grades it again)"
            )
        data = _known_fields(cls, data)
        data["questions"] = [GradedCell.from_dict(q) for q in data.get("questions", [])]
        data["notes"] = [Note(**_known_fields(Note, n)) for n in data.get("notes", [])]
        data["flags"] = [Flag(**_known_fields(Flag, f)) for f in data.get("flags", [])]
        return cls(**data)


def current_versions() -> dict[str, str]:
    """Versions of what grading depends on, to store with each result."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for name in ("numpy", "nnlib", "nbgrader"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


# ----------------------------------------------------------------------------- files


def result_path(results_dir: Path | str, assignment: str, student: str) -> Path:
    return Path(results_dir) / assignment / f"{student}.json"


def write_atomic(path: Path | str, text: str) -> Path:
    """Write `text` to `path` atomically: a temporary file in the same folder, flushed to
    disk, then ``os.replace``; a reader sees the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # a lone surrogate left in `text` is written as its escape, never an error
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def write_result(results_dir: Path | str, result: StudentResult) -> Path:
    """Write ``<results_dir>/<assignment>/<student>.json`` atomically; returns its path."""
    return write_atomic(
        result_path(results_dir, result.assignment, result.student), result.to_json()
    )


def read_result(path: Path | str) -> StudentResult:
    """One result file; raises ValueError (or OSError) if it is corrupt or misnamed."""
    path = Path(path)
    result = StudentResult.from_json(path.read_text(encoding="utf-8"))
    if (result.assignment, result.student) != (path.parent.name, path.stem):
        raise ValueError(f"holds {result.assignment}/{result.student}")
    return result


def read_results(
    results_dir: Path | str, assignment: str, problems: list[str] | None = None
) -> list[StudentResult]:
    """Every readable result of `assignment`, sorted by student.

    A corrupt file, or one of another `SCHEMA_VERSION`, is skipped: a line names it on
    stderr, and in `problems` if given.
    """
    results = []
    for path in sorted((Path(results_dir) / assignment).glob("*.json")):
        try:
            results.append(read_result(path))
        except (OSError, ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
            message = f"{path}: skipped, unreadable result file ({error})"
            print(message, file=sys.stderr)
            if problems is not None:
                problems.append(message)
    return results


def is_done(
    results_dir: Path | str,
    assignment: str,
    student: str,
    submission_sha256: str,
    grader: str | None = None,
) -> bool:
    """True if a graded result exists for this exact submission (the resume check).

    A "failed" result (the grader could not grade it) is never done, and with `grader`
    (a fingerprint of the source and specs) a result made by another grader is not either.
    """
    path = result_path(results_dir, assignment, student)
    if not path.is_file():
        return False
    try:
        result = read_result(path)
    except (OSError, ValueError, TypeError):
        return False
    if result.submission_sha256 != submission_sha256 or result.status == "failed":
        return False
    return grader is None or result.versions.get("grader") == grader


# ------------------------------------------------------------------------- gradebook


def parse_timestamp(text: str | None):
    """A submission's timestamp.txt as a datetime for the gradebook (None if unreadable)."""
    if not text:
        return None
    from nbgrader.utils import parse_utc

    with contextlib.suppress(Exception):
        return parse_utc(text)
    return None


def record_to_gradebook(
    db_url: str, assignment: str, results: list[StudentResult], course_id: str = "nnfp"
) -> list[str]:
    """Copy `results` into the gradebook: the single writer, safe to run again.

    Adds missing students and submissions, then sets ``auto_score`` of each grade cell named
    by a question's ``grade_id``. A "failed" result scores 0 on every automatically graded
    code cell. Manual scores are never touched. Returns problems (e.g. an unknown grade id);
    the assignment must already be in the gradebook (``generate_assignment`` puts it there).
    """
    from nbgrader.api import Gradebook

    problems = []
    with quiet_sqlalchemy(), Gradebook(db_url, course_id=course_id) as gb:
        gb.find_assignment(assignment)  # MissingEntry if the assignment was never released
        for result in results:
            if result.assignment != assignment:
                problems.append(f"{result.student}: result is for {result.assignment}, skipped")
                continue
            gb.update_or_create_student(result.student)
            stamp = parse_timestamp(result.timestamp)
            kwargs = {"timestamp": stamp} if stamp is not None else {}
            sub = gb.update_or_create_submission(assignment, result.student, **kwargs)
            grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
            if result.status == "failed":
                for grade in grades.values():
                    if grade.cell.cell_type == "code":
                        grade.auto_score = 0.0
                        grade.needs_manual_grade = False
            else:
                for q in result.questions:
                    grade = grades.get(q.grade_id)
                    if grade is None:
                        problems.append(f"{result.student}: no grade cell {q.grade_id!r}")
                        continue
                    grade.auto_score = float(q.result.points_earned)
                    grade.needs_manual_grade = False
            gb.db.commit()
    return problems
