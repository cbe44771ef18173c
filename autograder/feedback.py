"""Feedback pages for students: messages, seeds and failing cases, never hidden code.

`render_feedback` turns the `QuestionResult` s of one submission and the `Note` s about it
(from `autograder.rebuild` and the engine) into a self-contained HTML page: no scripts, no
external assets, and every piece of text HTML-escaped. It receives only results, never the
source notebook, the hidden tests or nnlib's reference functions, so it cannot leak them.
`write_feedback` writes the page atomically, and `write_pages` every student's pages of
one assignment, one student at a time.

Whatever a submission put into its results, rendering and writing its page never raise:
every string is cut to `autograder.results.MAX_TEXT` characters and made valid UTF-8
(`autograder.results.clean_text`), so one student's page cannot stop the others'.

The static scan's flags (`autograder.scan.Flag`) are **not** shown to students, and the
renderer does not even receive them: they are heuristics for the instructor (the grades
CSV and the autograde output list them), they never cost points, and showing them would
teach a student which constructs the scan looks for.
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from autograder.checks import QuestionResult
from autograder.rebuild import Note
from autograder.results import MAX_ITEMS, StudentResult, clean_text, write_atomic

__all__ = ["render_feedback", "write_feedback", "write_pages"]

_STYLE = """
body { font-family: sans-serif; max-width: 52em; margin: 2em auto; line-height: 1.4; }
header { border-bottom: 2px solid #444; margin-bottom: 1em; }
section { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 1em; margin: 1em 0; }
section.pass { border-left: 6px solid #2a7; }
section.fail { border-left: 6px solid #c33; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5em; }
.verdict { font-weight: bold; }
"""


def _escape(value: Any) -> str:
    """HTML-escape any value (quotes included), cut and made valid UTF-8 first."""
    return html.escape(clean_text(value), quote=True)


def _points(value: Any) -> float:
    """A number of points as it is; 0 for anything that is not a number (never raises)."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _question(result: QuestionResult) -> str:
    verdict = "passed" if result.passed else "failed"
    rows = [
        f'<section class="{"pass" if result.passed else "fail"}">',
        f"<h2>{_escape(result.name)}</h2>",
        f'<p><span class="verdict">{verdict}</span> &mdash; '
        f"{_escape(result.points_earned)} / {_escape(result.points_possible)} points</p>",
        f"<p>Regrade with seed {_escape(result.seed)}.</p>",
    ]
    if result.case:
        rows.append(f"<p>Failing case: {_escape(result.case)}</p>")
    if result.hint_id:
        rows.append(f"<p>Hint: {_escape(result.hint_id)}</p>")
    rows.append(f"<pre>{_escape(result.message)}</pre>")
    rows.append("</section>")
    return "\n".join(rows)


def _about(notes: Sequence[Note]) -> str:
    if not notes:
        return ""
    items = []
    for note in notes[:MAX_ITEMS]:
        where = f" ({_escape(note.grade_id)})" if note.grade_id else ""
        items.append(f"<li>[{_escape(note.kind)}]{where}: {_escape(note.message)}</li>")
    if len(notes) > MAX_ITEMS:
        items.append(f"<li>[... {len(notes) - MAX_ITEMS} more notes cut]</li>")
    return (
        '<section class="about">\n<h2>About your submission</h2>\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n</section>"
    )


def render_feedback(
    student: str,
    assignment: str,
    results: Iterable[QuestionResult],
    notes: Iterable[Note] = (),
) -> str:
    """A self-contained HTML feedback page for one student's graded assignment.

    Parameters
    ----------
    student, assignment : str
        Shown in the header (escaped).
    results : iterable of QuestionResult
        One section per question: verdict, points, seed to regrade with, message.
    notes : iterable of autograder.rebuild.Note
        Problems found while rebuilding or running the submission.

    The scan's flags are not a parameter: students do not see them (module docstring).
    """
    results = list(results)
    notes = list(notes)
    earned = sum(_points(r.points_earned) for r in results)
    possible = sum(_points(r.points_possible) for r in results)
    title = f"Feedback: {assignment} for {student}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_escape(assignment)}</h1>",
        f"<p>Student: {_escape(student)}</p>",
        f'<p class="total">Total: {earned} / {possible} points</p>',
        "</header>",
    ]
    parts += [_question(r) for r in results]
    about = _about(notes)
    if about:
        parts.append(about)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_feedback(path: str | os.PathLike, html_text: str) -> Path:
    """Write `html_text` to `path` atomically (temporary file in the same folder, then
    replace); a lone surrogate is written as its escape, never an error."""
    return write_atomic(path, html_text)


def write_pages(
    results: Iterable[StudentResult],
    folder: Callable[[str], Path],
    notebooks: Sequence[str],
    problems: list[str] | None = None,
) -> list[Path]:
    """Every student's feedback pages: ``folder(student) / <notebook>.html`` for each of
    `notebooks`; returns the paths written.

    A student whose page cannot be rendered or written is named on stderr (and in
    `problems`) and skipped: every other student still gets a page. A "failed" result's
    page says that the submission could not be graded.
    """
    written: list[Path] = []
    for r in results:
        try:
            notes = list(r.notes)
            if r.status == "failed":
                notes.append(Note("failed", "your submission could not be graded; recorded as 0"))
            page = render_feedback(r.student, r.assignment, [q.result for q in r.questions], notes)
            for nb in notebooks:
                path = folder(r.student) / Path(nb).with_suffix(".html").name
                written.append(write_feedback(path, page))
        except Exception as error:  # one student's page never stops the others'
            message = clean_text(
                f"{r.student}: no feedback page ({type(error).__name__}: {error})", 2000
            )
            print(message, file=sys.stderr)
            if problems is not None:
                problems.append(message)
    return written
