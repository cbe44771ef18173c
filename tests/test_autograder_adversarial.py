"""The adversarial suite of assignment 1, graded in ONE batch by the engine.

The catalogue is ``tests/adversarial_a1.py``: every case is a student whose notebook
cheats, breaks, abuses or damages something, with the points each question must earn and
the flag kinds the scan must report. A scratch course is released, every case collected
and the whole batch graded once by ``python -m autograder autograde`` with small limits;
then:

* every student has a result (nothing lost), and each question scores exactly what the
  catalogue says: an attack that earns a point fails the build (property 1), and so does a
  legitimate correct solution that loses one (property 2);
* nothing the students started survives the job (``/proc`` has no process with this
  run's marker, and no kernel process this run started: other runs on the machine are
  not counted);
* the source notebooks are unchanged, no probe file was written into the course, and the
  gradebook holds exactly the results (no score rewritten by a detached process);
* collect skips and names exactly the unreadable zips (exit status 3) and keeps a zip's
  own ``timestamp.txt`` only as a claim; ``feedback`` writes every student's page and
  ``grades`` a row for each.

Cases marked ``needs_namespaces`` are left out of the batch, and skipped, when the machine
only allows the "rlimits" level of `autograder.confine` (there the file system and the
network are open by design).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import adversarial_a1 as adv
import pytest
from running import command_lines

REPO = Path(__file__).resolve().parents[1]
A = adv.ASSIGNMENT
LIMITS = adv.limit_flags()
SEED = 20261122
BY_NAME = {case.name: case for case in adv.CASES}
ATTACKS = ("attack-checks", "attack-infrastructure", "resource-abuse")


# ------------------------------------------------------------------------------ helpers


def _marked(mark: str) -> dict[int, str]:
    """This run's attack processes (their command line or name holds the run's mark)."""
    return {pid: text for pid, text in command_lines().items() if mark in text}


def _started(pid: int) -> int | None:
    """The start time of process `pid` (clock ticks since boot), or None if it is gone: with
    the pid it names one process, never a later one that reused the pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def _descendants(pid: int) -> set[int]:
    """The processes below `pid` now (children, their children, ...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _run_watching(root: Path, *args: str, timeout: float):
    """Run ``python -m autograder`` like `adv.run_cli`, and note every kernel process
    (launcher, zygote, kernel: ``sandbox.py`` in its command line) that is a descendant of
    it while it runs, as (pid, start time). Only this run's kernels are counted: other
    grading runs on the machine (a test in another checkout, a notebook build) are not."""
    sandbox = str(REPO / "autograder" / "sandbox.py")
    env = {k: v for k, v in os.environ.items() if k != "NNFP_DB_URL"}
    cmd = [sys.executable, "-m", "autograder", "--course", str(root), *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO, env=env)  # fmt: skip
    kernels: set[tuple[int, int]] = set()
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = proc.communicate(timeout=0.25)  # retried: no output is lost
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate()
                break
            lines = command_lines()
            for pid in _descendants(proc.pid):
                started = _started(pid)
                if sandbox in lines.get(pid, "") and started is not None:
                    kernels.add((pid, started))
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return done, kernels


def _hashes(*folders: Path) -> dict[str, str]:
    out = {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


_cli = adv.run_cli


# ------------------------------------------------------------------------------ fixture


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Release, collect every case and grade the whole batch once."""
    from autograder import cli
    from autograder.confine import isolation
    from autograder.results import read_results

    level = isolation()
    cases = [c for c in adv.CASES if level == "namespaces" or not c.needs_namespaces]
    mark = None
    try:
        with adv.scratch_course(tmp_path_factory.mktemp("adversarial"), cases) as course:
            root, mark = course.root, course.mark
            protected = [root / "source", REPO / "autograder" / "source", REPO / "nnlib"]
            before = _hashes(*protected)
            start = time.monotonic()
            done, kernels = _run_watching(
                root, "autograde", A, "--jobs", "2", "--no-progress", "--seed", str(SEED),
                *LIMITS, timeout=900,
            )  # fmt: skip
            elapsed = time.monotonic() - start
            finished = time.time()
            fed = _cli(root, "feedback", A)
            graded_csv = _cli(root, "grades")
            print(f"adversarial batch: {len(cases)} submissions in {elapsed:.1f} s ({level})")
            time.sleep(3)  # a delayed writer that escaped the job would act by now
            survivors = _marked(mark)
            alive = {pid for pid, started in kernels if _started(pid) == started}
            results = {r.student: r for r in read_results(root / "results", A)}
            scores, manual = {}, []
            with cli.Course(root).gradebook() as gb:
                for case in cases:
                    sub = gb.find_submission(A, case.name)
                    scores[case.name] = sub.score
                    manual += [
                        (case.name, g.name)
                        for nb in sub.notebooks
                        for g in nb.grades
                        if g.manual_score is not None
                    ]
            yield {
                "cases": cases,
                "level": level,
                "root": root,
                "loot": course.loot,
                "origin": course.origin,
                "cli": done,
                "collected": course.collected,
                "feedback": fed,
                "grades": graded_csv,
                "elapsed": elapsed,
                "finished": finished,
                "results": results,
                "survivors": survivors,
                "kernels_seen": kernels,
                "new_kernels": alive,
                "unchanged": before == _hashes(*protected),
                "scores": scores,
                "manual": manual,
            }
    finally:
        for pid in _marked(mark) if mark else ():  # this run's attack processes, if any escaped
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _case(graded, name):
    case = BY_NAME[name]
    if case not in graded["cases"]:
        pytest.skip(f"needs the 'namespaces' confinement level (this machine: {graded['level']})")
    return case, graded["results"][name]


def _kinds(result) -> set[str]:
    return {flag.kind for flag in result.flags}


# -------------------------------------------------------------------------------- tests


def test_catalogue_is_consistent():
    import autograder.specs.a1  # noqa: F401  (registers the specs)
    from autograder.course import STUDENT_ID
    from autograder.specs import get_spec

    assert {fn: get_spec(f"a1.{fn}").points for fn in adv.POINTS} == adv.POINTS
    assert adv.TOTAL == 28
    assert len(BY_NAME) == len(adv.CASES), "case names must be unique"
    for case in adv.CASES:
        assert STUDENT_ID.match(case.name), case.name
        assert case.what and case.plain_nbgrader, case.name
    assert {case.klass for case in adv.CASES} == set(adv.CLASSES)


def test_the_batch_loses_no_student(graded):
    done = graded["cli"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert set(graded["results"]) == {case.name for case in graded["cases"]}
    for name, result in graded["results"].items():
        assert result.status == "graded", (name, result.status, result.error)
        assert result.seed == SEED
        tests = sorted(q.grade_id for q in result.questions if q.grade_id != adv.WRITTEN)
        assert tests == sorted(f"test_{fn}" for fn in adv.POINTS), name
        # the written answer waits for a human; an unanswered one may be scored 0 at once
        for q in result.questions:
            if q.grade_id == adv.WRITTEN:
                assert q.result.points_earned == 0, name


@pytest.mark.parametrize("name", list(BY_NAME))
def test_case(graded, name):
    case, result = _case(graded, name)
    points = {q.grade_id: float(q.result.points_earned) for q in result.questions}
    messages = {q.grade_id: q.result.message for q in result.questions}
    wrong = {
        gid: (points.get(gid), want, messages.get(gid, "")[:300])
        for gid, want in case.expected_points.items()
        if points.get(gid) != want
    }
    assert not wrong, f"{name} ({case.what}): got, expected, message: {wrong}"
    kinds = _kinds(result)
    assert case.expected_flags <= kinds, (name, sorted(kinds), result.flags)
    if not case.expected_flags:
        assert not kinds & adv.CHEATING_KINDS, (name, result.flags)
    for kind in case.expected_notes:
        assert any(note.kind == kind for note in result.notes), (name, kind, result.notes)
    for kind, text in case.note_texts.items():
        assert any(n.kind == kind and text in n.message for n in result.notes), (
            name,
            kind,
            text,
            result.notes,
        )
    hints = {q.grade_id: q.result.hint_id for q in result.questions}
    for gid, hint in case.expected_hints.items():
        assert hints.get(gid) == hint, (name, gid, hints.get(gid), messages.get(gid, "")[:300])
    for gid, text in case.expected_messages.items():
        assert text in messages.get(gid, ""), (name, gid, text, messages.get(gid, "")[:300])


def test_legitimate_correct_solutions_get_every_point(graded):
    """Property 2: a grader change that costs a correct solution points fails the build."""
    legit = [
        c
        for c in graded["cases"]
        if c.klass in ("answers", "awkward-correct") and c.expected_total == adv.TOTAL
    ]
    assert {c.name for c in legit} >= {"correct", "correct_reference", "noisy", "slow"}
    for case in legit:
        result = graded["results"][case.name]
        assert result.score == adv.TOTAL, (case.name, result.score)
        assert not _kinds(result) & adv.CHEATING_KINDS, (case.name, result.flags)


def test_every_attack_scores_exactly_its_expected_points(graded):
    """Property 1: a grader change that lets an attack earn points fails the build."""
    attacks = [c for c in graded["cases"] if c.klass in ATTACKS]
    got = {c.name: graded["results"][c.name].score for c in attacks}
    assert got == {c.name: c.expected_total for c in attacks}


def test_nothing_the_students_started_survives(graded):
    assert graded["survivors"] == {}, graded["survivors"]
    assert graded["kernels_seen"], "no kernel of this run was seen: the watch is broken"
    assert graded["new_kernels"] == set()


def test_course_and_reference_files_are_untouched(graded):
    root = graded["root"]
    assert graded["unchanged"], "a source notebook or the reference changed"
    assert not list(root.rglob("probe-*")), list(root.rglob("probe-*"))
    assert not list((root / "source").rglob("*.py"))
    late = []
    for path in graded["loot"].glob("*-late-*"):
        written = float(path.read_text() or 0)
        result = graded["results"].get(path.name.split("-late-")[0])
        if result is None or written > result.finished + 0.5:
            late.append(path.name)  # written after its job had ended
    assert not late, late


def test_gradebook_holds_exactly_the_results(graded):
    assert graded["manual"] == [], "a manual score was written by a student's process"
    for name, score in graded["scores"].items():
        assert score == pytest.approx(graded["results"][name].score), name


def test_batch_wall_time(graded):
    # 2 cores: about 3 minutes for the whole suite, timeouts and restarts included
    assert graded["elapsed"] < 420, graded["elapsed"]


def test_collect_skips_and_names_exactly_the_unreadable_zips(graded):
    from autograder import cli

    done, course = graded["collected"], cli.Course(graded["root"])
    skipped = [line.split()[1] for line in done.stderr.splitlines() if "skipped " in line]
    assert sorted(skipped) == sorted(f"{s}.zip:" for s in adv.UNREADABLE_ZIPS), done.stderr
    for student in adv.UNREADABLE_ZIPS:
        assert not (course.root / "submitted" / student).exists(), student
        assert student not in graded["results"], student
    assert set(course.submitted_students(A)) == {case.name for case in graded["cases"]}


def test_a_zips_timestamp_is_its_arrival_and_its_claim_is_kept(graded):
    import datetime as dt

    from autograder import cli
    from autograder.course import TIMESTAMP_FORMAT

    course = cli.Course(graded["root"])
    arrival = dt.datetime.fromtimestamp(adv.ARRIVAL, tz=dt.UTC).strftime(TIMESTAMP_FORMAT)
    for name in ("forged", "badstamp"):
        _case(graded, name)
        folder = course.submission(name, A)
        assert (folder / "timestamp.txt").read_text().strip() == arrival, name
    claim = (course.submission("forged", A) / cli.CLAIMED_TIMESTAMP).read_text().strip()
    assert claim == adv.FORGED_CLAIM.decode()


def test_every_student_gets_a_feedback_page_and_a_grade(graded):
    from autograder import cli

    course = cli.Course(graded["root"])
    fed, csv = graded["feedback"], graded["grades"]
    assert fed.returncode == 0, fed.stdout[-3000:] + fed.stderr[-3000:]
    assert csv.returncode == 0, csv.stdout[-3000:] + csv.stderr[-3000:]
    for case in graded["cases"]:  # a page that is hard to write stops no one after it
        pages = [p for p in course.folder("feedback", A, case.name).rglob("*") if p.is_file()]
        assert pages, case.name
    rows = (graded["root"] / "grades.csv").read_text().splitlines()
    for case in graded["cases"]:
        assert any(f",{case.name}," in row for row in rows), case.name


@pytest.mark.parametrize("name", ["long-cell-error", "huge-cell-error"])
def test_a_huge_error_message_costs_a_few_kilobytes(graded, name):
    """2 MB is read and cut (it travels twice, value and traceback, in each of two
    messages: well under what the grader accepts of one message); 100 MB may be refused
    unread: either way one short note, and a small result file and page."""
    from autograder import cli
    from autograder.results import result_path

    case, result = _case(graded, name)
    (note,) = [n for n in result.notes if n.kind == "cell_error"]
    assert len(note.message) < 5000, note.message[-200:]
    if name == "long-cell-error":
        assert note.message.endswith("characters cut]"), note.message[-200:]
    course = cli.Course(graded["root"])
    assert result_path(graded["root"] / "results", A, case.name).stat().st_size < 400_000
    pages = [p for p in course.folder("feedback", A, case.name).rglob("*") if p.is_file()]
    assert pages and all(p.stat().st_size < 400_000 for p in pages), pages


def test_one_cell_error_note_per_surrogate_cell_error(graded):
    _, result = _case(graded, "surrogate-cell-error")
    assert [n.kind for n in result.notes].count("cell_error") == 1, result.notes
