"""The lessons' multiple-choice questions: the right option and the feedback for every option.

A lesson asks a conceptual question in a markdown cell, lists its options (a), (b), (c), ...,
and checks the student's letter with ``selfcheck.check_answer("04.change-loss", answer)``.
The answer and the feedback live here, one data module per lesson (``lesson04.py``
holds the questions of lesson 04), so that the notebook shows the question and never the
solution. Each module defines ``QUESTIONS``, a plain dict with no imports::

    QUESTIONS = {
        "change-loss": {
            "title": "Changing the loss",            # optional; shown in the feedback
            "correct": "a",
            "feedback": {"a": "why (a) is right", "b": "the misconception behind (b)"},
        },
    }

The feedback for a wrong option names the misconception that leads to it, never only
"wrong". `question` reads one entry and checks its structure, so that a mistake in the
data is reported with its key, not as a KeyError in a student's notebook.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

__all__ = ["all_questions", "question"]

_KEY = re.compile(r"(\d\d)\.([a-z0-9][a-z0-9-]*)")
_OPTION = re.compile(r"[a-z]")


def _lesson_questions(lesson: str) -> dict:
    """Return the ``QUESTIONS`` dict of ``lesson<lesson>.py``, or {} when there is none."""
    try:
        module = importlib.import_module(f"{__name__}.lesson{lesson}")
    except ModuleNotFoundError as err:
        if err.name != f"{__name__}.lesson{lesson}":
            raise
        return {}
    return module.QUESTIONS


def _checked(key: str, entry) -> dict:
    """Return `entry` when it is a well-formed question, else raise naming `key`."""
    if not isinstance(entry, dict):
        raise TypeError(f"question {key!r} must be a dict, got {type(entry).__name__}")
    feedback = entry.get("feedback")
    if not isinstance(feedback, dict) or len(feedback) < 2:
        raise ValueError(f"question {key!r} needs feedback for at least two options")
    for option, text in feedback.items():
        if not (isinstance(option, str) and _OPTION.fullmatch(option)):
            raise ValueError(f"question {key!r}: option {option!r} is not one letter a-z")
        if not (isinstance(text, str) and text.strip()):
            raise ValueError(f"question {key!r}: option {option!r} has no feedback")
    if entry.get("correct") not in feedback:
        raise ValueError(
            f"question {key!r}: correct must be one of its options "
            f"{', '.join(sorted(feedback))}, got {entry.get('correct')!r}"
        )
    title = entry.get("title", key)
    if not isinstance(title, str):
        raise TypeError(f"question {key!r}: title must be a string")
    return entry


def question(key: str) -> dict:
    """Return the question `key`, written ``"NN.name"`` (lesson number, then its name).

    Returns
    -------
    dict
        With ``"correct"`` (one letter), ``"feedback"`` (letter -> text) and ``"title"``.

    Raises
    ------
    TypeError, ValueError
        When `key` is not a string of the form ``"NN.name"``, names no question (the
        message lists the lesson's questions), or its entry is malformed.

    Examples
    --------
    >>> question("99.none")
    Traceback (most recent call last):
    ...
    ValueError: no question '99.none'; lesson 99 has: none
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be a string like '04.change-loss', got {type(key).__name__}")
    match = _KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"key must look like '04.change-loss' (lesson.name), got {key!r}")
    lesson, name = match.groups()
    questions = _lesson_questions(lesson)
    if name not in questions:
        known = ", ".join(f"'{lesson}.{n}'" for n in sorted(questions)) or "none"
        raise ValueError(f"no question {key!r}; lesson {lesson} has: {known}")
    entry = _checked(key, questions[name])
    return {**entry, "title": entry.get("title", key)}


def all_questions() -> dict[str, dict]:
    """Every question of every lesson, by key (``"04.change-loss"``), each checked."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        match = re.fullmatch(r"lesson(\d\d)", info.name)
        if match:
            for name in _lesson_questions(match.group(1)):
                key = f"{match.group(1)}.{name}"
                found[key] = question(key)
    return found
