"""The course and its shared nouns: the bottom floor of `autograder`.

Every other module of the autograder may import this one; it imports none of them. It
holds what several floors must agree on:

* `Course`: the nbgrader course folder, its configuration (``nbgrader_config.py``) and the
  folders of each step (``source``, ``release``, ``submitted``, ``autograded``,
  ``feedback``), located by nbgrader's own ``CourseDirectory.format_path`` so that a course
  that changes nbgrader's ``directory_structure`` is still found, and submission timestamps
  read by nbgrader's ``CourseDirectory.get_existing_timestamp``;
* `STUDENT_ID`, the names a student (and an assignment) may have; `TIMESTAMP_FORMAT`,
  nbgrader's ``timestamp.txt`` format; `RESULTS`, the engine's folder of result files;
* `Limits` and `default_limits`, what one submission may use while it is graded;
  `MAX_NOTEBOOK_MB`, the largest submitted file or notebook collect reads or inflates;
* `is_test_cell` and `cell_source`, the one rule for what a test cell is;
* `quiet_sqlalchemy`, for the gradebook's harmless SQLAlchemy warnings.

nbgrader and SQLAlchemy are imported inside the functions that need them, for start-up
speed: importing nbgrader takes seconds, and the launcher, the scan and the checks need
none of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

__all__ = [
    "COURSE_ROOT",
    "MAX_NOTEBOOK_MB",
    "RESULTS",
    "STUDENT_ID",
    "TIMESTAMP_FORMAT",
    "Course",
    "CourseError",
    "Limits",
    "cell_source",
    "default_limits",
    "is_test_cell",
    "quiet_sqlalchemy",
]

#: The course folder shipped with the repository (``nbgrader_config.py`` is in it).
COURSE_ROOT = Path(__file__).resolve().parent

#: A student id or assignment name: letters, digits, ``_ . -``, not starting with a dot
#: (``\Z``, not ``$``: ``$`` also matches before a final newline, and ``"s1\n"`` is no id).
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\Z")

#: nbgrader's ``timestamp.txt`` format, e.g. ``2029-12-31 12:00:00.000000 UTC``.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"

#: ``<course>/results/<assignment>/<student>.json``: one file per graded submission. Not an
#: nbgrader step: the engine's own record, copied into the gradebook by one process.
RESULTS = "results"

#: The largest submitted file (``.ipynb`` or ``.zip``), and the most collect inflates of one
#: notebook in a zip, in MB (2**20 bytes): a larger one is reported and skipped, unread.
#: The course's notebooks are well under 1 MB; plots in the outputs add a few MB at most.
MAX_NOTEBOOK_MB = 20

#: Environment variable: seconds per cell or graded call (as in ``nbgrader_config.py``).
CELL_TIMEOUT_ENV = "NNFP_CELL_TIMEOUT"


@dataclass(frozen=True)
class Limits:
    """What one submission may use.

    Time is counted in CPU seconds of the job (every process of the kernel, from its
    cgroup: `autograder.confine.Confinement.cpu_seconds`), so that a batch-mate who loads
    the machine costs a submission nothing; a wall-clock backstop, a few times the CPU
    limit (`autograder.kernel.WALL_FACTOR`), stops code that sleeps or blocks. Where the job
    has no cgroup (the "rlimits" level), the limits are wall seconds, stretched up to the
    backstop while the machine is loaded (load average above the number of processors).

    Parameters
    ----------
    cell_seconds : CPU time of one cell, or of one call of a graded function.
    submission_seconds : CPU time of the whole submission, kernel restarts included.
    memory_mb : memory of the whole job (cgroup) and address space of each process.
    processes : processes and threads of the job at once.
    output_mb : what the kernel may print or display; the rest is dropped and reported.
    disk_mb : size of each writable tmpfs (``/tmp`` with the working directory, ...).
    """

    cell_seconds: float = 10.0
    submission_seconds: float = 120.0
    memory_mb: int = 2048
    processes: int = 64
    output_mb: float = 4.0
    disk_mb: int = 256

    def __post_init__(self):
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive number, got {value!r}")


def default_limits() -> Limits:
    """The grading limits, with ``$NNFP_CELL_TIMEOUT`` (the course's per-cell limit, as in
    nbgrader_config.py) as the seconds per cell or graded call."""
    return Limits(cell_seconds=float(os.environ.get(CELL_TIMEOUT_ENV, "10")))


@contextlib.contextmanager
def quiet_sqlalchemy():
    """nbgrader's gradebook code triggers SQLAlchemy's SAWarning (a RuntimeWarning) in normal
    use; keep it a warning that is not shown, even under ``-W error::RuntimeWarning``."""
    from sqlalchemy.exc import SAWarning  # here, not at the top: start-up speed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        yield


def is_test_cell(cell) -> bool:
    """An autograded test cell (code, nbgrader ``grade=True``, ``solution=False``): the
    engine grades it, and it is never sent to the student's kernel."""
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(nbg.get("grade")) and not nbg.get("solution")


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


class CourseError(Exception):
    """A mistake in the command or the course folder, reported without a traceback."""


class Course:
    """The nbgrader course folder, its configuration, and the APIs that work on it.

    Parameters
    ----------
    root : path, default `COURSE_ROOT`
        A folder with an ``nbgrader_config.py``; raises `CourseError` if there is none.
    """

    def __init__(self, root: Path | str = COURSE_ROOT):
        # Here, not at the top: start-up speed (nbgrader takes seconds to import).
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
        # the folder holding the config is the course, whatever its config says
        self.coursedir.root = str(self.root)

    @cached_property
    def api(self):
        """nbgrader's ``NbGraderAPI`` for this course (release, collect), made on first use."""
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(self.coursedir, config=self.config)

    # -- folders

    def step(self, name: str) -> str:
        """The folder name of an nbgrader step, as configured (``"source"`` -> ``"source"``)."""
        return getattr(self.coursedir, f"{name}_directory")

    def folder(self, step: str, assignment: str, student: str = ".") -> Path:
        """``<root>/<step>/<student>/<assignment>`` as nbgrader lays it out (`step` is one of
        ``source release submitted autograded feedback``; source and release have no student).
        `assignment` or `student` may be ``"*"`` for a glob pattern."""
        return Path(self.coursedir.format_path(self.step(step), student, assignment))

    def submission(self, student: str, assignment: str) -> Path:
        """The folder of a collected submission: ``submitted/<student>/<assignment>``."""
        return self.folder("submitted", assignment, student)

    def submitted_students(self, assignment: str) -> list[str]:
        """Names of the folders that hold a submission of `assignment`, sorted (not checked
        against `STUDENT_ID`)."""
        pattern = self.folder("submitted", assignment, "*").relative_to(self.root)
        return sorted(p.parent.name for p in self.root.glob(str(pattern)) if p.is_dir())

    @property
    def results(self) -> Path:
        """The folder of the engine's result files, ``<root>/results``."""
        return self.root / RESULTS

    def timestamp(self, folder: Path | str) -> str | None:
        """A submission folder's ``timestamp.txt`` in `TIMESTAMP_FORMAT` (converted to UTC),
        or None if it has none or nbgrader cannot read it."""
        try:
            when = self.coursedir.get_existing_timestamp(str(folder))
        except Exception:  # nbgrader 0.9.6 calls a `fail` it lacks on a bad timestamp
            return None
        return when.strftime(TIMESTAMP_FORMAT) if isinstance(when, dt.datetime) else None

    # -- assignments

    def assignments(self, name: str | None = None) -> list[str]:
        """``[name]`` if it is a source assignment, else every source assignment."""
        pattern = self.folder("source", "*").relative_to(self.root)
        found = sorted(p.name for p in self.root.glob(str(pattern)) if p.is_dir())
        found = [a for a in found if not a.startswith((".", "_"))]
        if name is None:
            if not found:
                raise CourseError(f"no assignment in {self.root / pattern.parent}")
            return found
        if name not in found:
            raise CourseError(f"unknown assignment {name!r}; the course has: {', '.join(found)}")
        return [name]

    def notebooks(self, assignment: str) -> list[str]:
        """File names of the assignment's source notebooks, sorted."""
        return sorted(p.name for p in self.folder("source", assignment).glob("*.ipynb"))

    # -- gradebook

    def gradebook(self):
        """nbgrader's ``Gradebook`` of this course (use it in a ``with`` block)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.coursedir.db_url, course_id=self.coursedir.course_id)

    def released(self, assignment: str) -> bool:
        """True if the assignment is in the gradebook and its release folder exists."""
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                return False
        return self.folder("release", assignment).is_dir()
