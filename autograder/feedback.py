"""Feedback pages for students: messages, seeds and failing cases, never hidden code.

`render_feedback` turns the `QuestionResult`s of one submission (plus the notes of
`autograder.rebuild` and the flags of `autograder.scan`) into a self-contained HTML page:
no scripts, no external assets, and every piece of text HTML-escaped. It receives only
results, never the source notebook, the hidden tests or nnlib's reference functions, so it
cannot leak them (issue #5, item 7). `write_feedback` writes the page atomically.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from autograder.checks import QuestionResult

__all__ = ["render_feedback", "write_feedback"]

_STYLE = """
body { font-family: sans-serif; max-width: 52em; margin: 2em auto; line-height: 1.4; }
header { border-bottom: 2px solid #444; margin-bottom: 1em; }
section { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 1em; margin: 1em 0; }
section.pass { border-left: 6px solid #2a7; }
section.fail { border-left: 6px solid #c33; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5em; }
.verdict { font-weight: bold; }
"""


def _e(value: Any) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape(str(value), quote=True)


def _question(result: QuestionResult) -> str:
    verdict = "passed" if result.passed else "failed"
    rows = [
        f'<section class="{"pass" if result.passed else "fail"}">',
        f"<h2>{_e(result.name)}</h2>",
        f'<p><span class="verdict">{verdict}</span> &mdash; '
        f"{_e(result.points_earned)} / {_e(result.points_possible)} points</p>",
        f"<p>Regrade with seed {_e(result.seed)}.</p>",
    ]
    if result.case:
        rows.append(f"<p>Failing case: {_e(result.case)}</p>")
    if result.hint_id:
        rows.append(f"<p>Hint: {_e(result.hint_id)}</p>")
    rows.append(f"<pre>{_e(result.message)}</pre>")
    rows.append("</section>")
    return "\n".join(rows)


def _about(notes: Sequence[Any], flags: Sequence[Any]) -> str:
    if not notes and not flags:
        return ""
    items = []
    for note in notes:
        where = f" ({_e(note.grade_id)})" if getattr(note, "grade_id", None) else ""
        items.append(f"<li>[{_e(note.kind)}]{where}: {_e(note.message)}</li>")
    for flag in flags:
        where = f"{flag.cell} line {flag.line}" if flag.cell else f"line {flag.line}"
        items.append(
            f"<li>[{_e(flag.kind)}] {_e(where)}: <code>{_e(flag.code)}</code> "
            f"&mdash; {_e(flag.message)}</li>"
        )
    return (
        '<section class="about">\n<h2>About your submission</h2>\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n</section>"
    )


def render_feedback(
    student: str,
    assignment: str,
    results: Iterable[QuestionResult],
    notes: Iterable[Any] = (),
    flags: Iterable[Any] = (),
) -> str:
    """A self-contained HTML feedback page for one student's graded assignment.

    Parameters
    ----------
    student, assignment : str
        Shown in the header (escaped).
    results : iterable of QuestionResult
        One section per question: verdict, points, seed to regrade with, message.
    notes : iterable of autograder.rebuild.Note
        Problems found while rebuilding the submission.
    flags : iterable of autograder.scan.Flag
        Suspicious lines found by the static scan.
    """
    results = list(results)
    notes, flags = list(notes), list(flags)
    earned = sum(r.points_earned for r in results)
    possible = sum(r.points_possible for r in results)
    title = f"Feedback: {assignment} for {student}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(assignment)}</h1>",
        f"<p>Student: {_e(student)}</p>",
        f'<p class="total">Total: {earned} / {possible} points</p>',
        "</header>",
    ]
    parts += [_question(r) for r in results]
    about = _about(notes, flags)
    if about:
        parts.append(about)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_feedback(path: str | os.PathLike, html_text: str) -> Path:
    """Write `html_text` to `path` atomically (temporary file in the same folder, then replace)."""
    from autograder.results import write_atomic

    return write_atomic(path, html_text)
