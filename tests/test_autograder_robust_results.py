"""What a submission sends cannot break the grader: lone surrogates and huge messages.

A lone surrogate (``'\\udc80'``: a file name that is not UTF-8, a JSON escape in a notebook
or in a kernel's reply) used to make the grader fail the whole submission, and the feedback
writer raise, so no later student got a page. A cell raising a 20 MB message used to put
it whole into the result file and the feedback page. Now text is made valid and cut where
it enters the grader (`autograder.results.clean_text`), and the writers never raise on it.

The end-to-end test grades real submissions of assignment 1 in confined kernels.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest

from autograder.checks import QuestionResult
from autograder.feedback import render_feedback, write_feedback
from autograder.kernel import MAX_ERROR, error_text
from autograder.rebuild import Note
from autograder.results import (
    MAX_ITEMS,
    MAX_TEXT,
    GradedCell,
    StudentResult,
    clean_text,
    read_result,
    valid_text,
    write_atomic,
    write_result,
)
from autograder.scan import Flag

ROOT = Path(__file__).resolve().parents[1]
A = "a1_gradients"
SOURCE = ROOT / "autograder" / "source" / A / f"{A}.ipynb"
BIG = 20 * 2**20  # characters: big enough to matter, small enough for a test
BIG_CELL_ERROR = 2 * 2**20  # characters of a cell's error sent by a real kernel
SMALL_FILE = 20 * MAX_TEXT  # bytes: a file of at most 20 strings, each cut, stays below this
SURROGATES = "lone \udc80 and \ud800 end"


def _question(message: str, name: str = "a1.q", **kw) -> QuestionResult:
    fields = dict(passed=False, points_earned=0.0, points_possible=2.0, seed=7, message=message)
    return QuestionResult(name=name, **{**fields, **kw})


def _result(message: str, **kw) -> StudentResult:
    return StudentResult(
        student="s1",
        assignment=A,
        submission_sha256="0" * 64,
        seed=7,
        started=0.0,
        finished=1.0,
        questions=[GradedCell("test_q", _question(message, case=message, hint_id=message))],
        notes=[Note("cell_error", message, "gid"), Note(message, message, message)],
        **{"flags": [Flag(message, message, 3, message, message)], **kw},
    )


# ------------------------------------------------------------------------- the text itself


def test_clean_text_cuts_with_a_marker_and_makes_text_valid():
    assert valid_text("plain é ∑") == "plain é ∑"
    assert valid_text(SURROGATES) == "lone \\udc80 and \\ud800 end"
    cut = clean_text("x" * 50 + "\udc80", limit=10)
    assert cut == "x" * 10 + "[... 41 characters cut]"
    assert clean_text(SURROGATES).encode("utf-8")  # never raises
    assert clean_text(12.5) == "12.5"


def test_a_surrogate_escape_in_a_string_literal_keeps_its_meaning():
    code = valid_text("X = '\ud800'")
    assert code == "X = '\\ud800'"
    space: dict = {}
    exec(code, space)
    assert space["X"] == "\ud800"


def test_a_cell_error_is_cut_to_its_limit():
    text = error_text({"ename": "ValueError" * 1000, "evalue": "y" * BIG + "\udc80"})
    assert len(text) <= MAX_ERROR + 40 and "characters cut]" in text
    assert text.startswith("ValueError")
    assert error_text({"ename": "KeyError", "evalue": "'\udc80'"}) == "KeyError: '\\udc80'"


def test_a_reply_nested_too_deep_to_read_fails_only_that_call():
    from autograder.judge import Judge, decode_reply

    class Kernel:  # what _call needs of a kernel session: a reply the kernel made up
        def forget_reply(self, token):
            pass

        def run(self, code):
            return {"status": "ok"}

        def pop_reply(self, token):
            return "[" * 100_000 + "]" * 100_000

    judge = Judge.__new__(Judge)
    judge.kernel = Kernel()
    reply = judge._call("f", {"probe": True})
    assert reply == {"malformed": "RecursionError"}
    with pytest.raises(KeyError):  # _outcomes turns this into a MalformedReply failure
        decode_reply(reply, [])


# ----------------------------------------------------------------------- result files


def test_the_result_writer_never_raises_on_surrogates(tmp_path):
    result = _result(SURROGATES, error=SURROGATES)
    path = write_result(tmp_path, result)
    text = path.read_text(encoding="utf-8")
    back = read_result(path)
    assert back.questions[0].result.message == "lone \\udc80 and \\ud800 end"
    assert back.notes[0].message == back.flags[0].message == back.error
    assert "\\udc80" in text


def test_a_huge_message_is_cut_in_the_result_file(tmp_path):
    result = _result("z" * BIG, error="e" * BIG)
    path = write_result(tmp_path, result)
    assert path.stat().st_size < SMALL_FILE
    back = read_result(path)
    message = back.questions[0].result.message
    assert message.startswith("z" * 100)
    assert message.endswith(f"[... {BIG - MAX_TEXT} characters cut]")
    assert back.score == 0.0 and back.status == "graded"


def test_a_million_notes_and_flags_keep_a_bounded_number(tmp_path):
    result = _result("m", flags=[Flag("k", "c", i, "x", "m") for i in range(10**6)])
    result.notes = [Note("cell_error", "n")] * 10**6
    path = write_result(tmp_path, result)
    back = read_result(path)
    assert len(back.notes) == len(back.flags) == MAX_ITEMS + 1
    assert back.notes[-1] == Note("cut", f"[... {10**6 - MAX_ITEMS} more notes cut]")
    assert back.flags[-1].message == f"[... {10**6 - MAX_ITEMS} more flags cut]"
    page = render_feedback("s1", A, [], result.notes)
    assert page.count("<li>") == MAX_ITEMS + 1 and "more notes cut" in page


def test_write_atomic_writes_a_lone_surrogate_as_its_escape(tmp_path):
    path = write_atomic(tmp_path / "page.html", "a\udc80b")
    assert path.read_bytes() == b"a\\udc80b"


# ---------------------------------------------------------------------- feedback pages


def test_the_feedback_page_of_surrogates_renders_and_writes(tmp_path):
    result = _result(SURROGATES)
    page = render_feedback(
        "s1", A, [q.result for q in result.questions], [*result.notes, Note("x", "\udcff")]
    )
    page.encode("utf-8")  # valid: no surrogate left
    assert "lone \\udc80 and \\ud800 end" in page
    path = write_feedback(tmp_path / "s1" / "a.html", page)
    assert path.read_text(encoding="utf-8") == page


def test_the_feedback_page_renders_surrogates_read_back_from_json():
    # a result file may hold JSON escapes of lone surrogates (written by hand, or by an
    # older grader): what json.loads gives back must still render
    question = QuestionResult(**json.loads(json.dumps(_question(SURROGATES).__dict__)))
    assert "\udc80" in question.message
    render_feedback("s1", A, [question]).encode("utf-8")


def test_a_huge_message_is_cut_on_the_feedback_page(tmp_path):
    page = render_feedback("s1", A, [_question("m" * BIG)], [Note("cell_error", "n" * BIG)])
    assert len(page) < SMALL_FILE
    assert page.count("characters cut]") == 2


def test_a_result_with_points_that_are_not_numbers_still_renders():
    question = _question("msg", points_earned="3", points_possible=None)
    assert "Total: 0 / 0 points" in render_feedback("s1", A, [question])


def test_one_students_broken_page_leaves_every_other_page_written(tmp_path, monkeypatch):
    from autograder import feedback

    results = [_result(SURROGATES), _result("m" * BIG), _result("fine", status="failed")]
    for r, student in zip(results, ("s1", "s2", "s3"), strict=True):
        r.student = student
    real = feedback.render_feedback

    def render(student, *args, **kwargs):
        if student == "s2":
            raise RuntimeError("a grader bug on this student's page \udc80")
        return real(student, *args, **kwargs)

    monkeypatch.setattr(feedback, "render_feedback", render)
    problems: list[str] = []
    written = feedback.write_pages(
        results, lambda s: tmp_path / s, ["a.ipynb", "b.ipynb"], problems
    )
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "s1/a.html",
        "s1/b.html",
        "s3/a.html",
        "s3/b.html",
    ]
    assert len(problems) == 1 and problems[0].startswith("s2: no feedback page (RuntimeError")
    assert "\\udc80" in problems[0]
    assert "could not be graded" in (tmp_path / "s3" / "a.html").read_text(encoding="utf-8")
    assert "lone \\udc80" in (tmp_path / "s1" / "b.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------- end to end, graded


def _answers() -> dict[str, str]:
    from autograder.mutants.a1 import CORRECT, source

    return {n.split(".", 1)[1]: source(fns[0], n.split(".", 1)[1]) for n, fns in CORRECT.items()}


def _notebook(extra: dict[str, str]):
    """The release with correct answers, `extra` code appended to some (grade id -> code)."""
    from autograder.rebuild import student_version

    nb = copy.deepcopy(student_version(SOURCE))
    answers = _answers()
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid] + "\n" + extra.get(gid, "")
    return nb


def test_garbage_on_iopub_costs_only_the_cell_that_sent_it():
    from autograder.judge import Judge
    from autograder.rebuild import rebuild

    garbage = "get_ipython().kernel.iopub_socket.send_multipart([b'garbage', b'x'])\n"
    nb = rebuild(SOURCE, _notebook({"sigmoid_grad": garbage})).notebook
    with Judge(nb, timeout=10) as judge:
        results = [judge.check(name, 1) for name in ("a1.sigmoid_grad", "a1.tanh_grad")]
        errors = judge.kernel.cell_errors
    assert all(r.passed for r in results), [r.message for r in results]
    assert len(errors) == 1 and "a message the grader cannot read" in errors[0]


def _submit(root: Path, student: str, extra: dict[str, str], file_name: bytes | None = None):
    """A correct submission with `extra` code appended to answer cells (grade id -> code),
    written as JSON with escapes (a lone surrogate in it stays one when read back)."""
    nb = _notebook(extra)
    folder = root / "submitted" / student / A
    folder.mkdir(parents=True)
    (folder / SOURCE.name).write_text(json.dumps(nb), encoding="ascii")
    if file_name is not None:
        (folder / os.fsdecode(file_name)).write_bytes(b"{}")


#: student -> (code appended to answer cells, a file name, the spec that must fail or None)
SUBMISSIONS = {
    "surrogates": (
        {
            "sigmoid_grad": "print('out \\udc80 \\ud800')\nX = '\ud800'\n",
            "tanh_grad": "raise ValueError('cell \\udc80 \\ud800')\n",
        },
        b"notes \xff.ipynb",
        None,
    ),
    # the largest cell error the grader reads and cuts: it travels twice in each of two
    # messages, which must stay under the 12 MiB the grader accepts of one (a larger one is
    # refused unread: tests/test_autograder_kernel_memory.py)
    "huge_error": ({"relu_grad": f"raise ValueError('x' * {BIG_CELL_ERROR})\n"}, None, None),
    "raises_surrogate": (
        {"tanh_grad": "def tanh_grad(z):\n    raise ValueError('call \\udc80\\ud800' * 10**6)\n"},
        None,
        "a1.tanh_grad",
    ),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from autograder.course import Course, Limits
    from autograder.engine import grade_submission

    root = tmp_path_factory.mktemp("robust") / "course"
    (root / "source").mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(SOURCE.parent, root / "source" / A)
    for student, (extra, file_name, _) in SUBMISSIONS.items():
        _submit(root, student, extra, file_name)
    course = Course(root)
    limits = Limits(cell_seconds=10, submission_seconds=60)
    paths = {}
    for student in SUBMISSIONS:
        result = grade_submission(course, A, student, seed=20261122, limits=limits)
        paths[student] = write_result(course.results, result)
    return course, paths


@pytest.mark.parametrize("student", list(SUBMISSIONS))
def test_what_a_submission_sends_costs_at_most_its_own_questions(graded, student):
    course, paths = graded
    result = read_result(paths[student])
    assert result.status == "graded", result.error
    failing = SUBMISSIONS[student][2]
    judged = [q.result for q in result.questions if q.result.name.startswith("a1.")]
    assert len(judged) >= 9  # every question judged (the written answer is hand-graded)
    for q in judged:
        assert q.passed == (q.name != failing), q.message
    assert paths[student].stat().st_size < SMALL_FILE
    page = render_feedback(student, A, [q.result for q in result.questions], result.notes)
    path = write_feedback(course.root / "feedback" / student / "a1.html", page)
    assert path.stat().st_size < SMALL_FILE


def test_the_submission_text_arrives_escaped_not_lost(graded):
    course, paths = graded
    notes = read_result(paths["surrogates"]).notes
    text = " ".join(n.message for n in notes)
    assert "notes \\udcff.ipynb" in text  # the extra file, named
    # the cell's error is reported (the kernel itself cannot send '\ud800': ipykernel's
    # packer raises on it, and that error is what the cell reports)
    assert [n.kind for n in notes].count("cell_error") == 1
    autograded = course.folder("autograded", A, "surrogates") / SOURCE.name
    assert "X = '\\\\ud800'" in autograded.read_text(encoding="utf-8")


def test_a_huge_cell_error_is_cut_in_the_notes(graded):
    _, paths = graded
    notes = read_result(paths["huge_error"]).notes
    (error,) = [n.message for n in notes if n.kind == "cell_error"]
    assert error.startswith("ValueError: xxx") and "characters cut]" in error
    assert len(error) <= MAX_ERROR + 40


def test_a_huge_call_error_is_cut_in_the_message(graded):
    _, paths = graded
    (tanh,) = [
        q.result
        for q in read_result(paths["raises_surrogate"]).questions
        if "tanh" in q.result.name
    ]
    assert "\\udc80" in tanh.message and len(tanh.message) < MAX_TEXT
