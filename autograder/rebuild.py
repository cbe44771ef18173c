"""Rebuild a submission from the instructor's source notebook; never grade it as it is.

The student's notebook is never graded as it is. `rebuild` starts from a deep copy of the
instructor's source notebook and splices in, by grade id, only the student's answer cells
(code cells with ``solution=True, grade=False``) and written answers (markdown cells with
``solution=True, grade=True``). Every locked, instruction and test cell, hidden tests
included, comes from the instructor; student code outside answer cells never runs. All
outputs and execution counts of the rebuilt notebook are cleared.

Nothing a student does to the file raises: each anomaly becomes a `Note` in the report.
Kinds: ``corrupt``, ``upgraded``, ``missing``, ``duplicate``, ``retyped``,
``extra_cells``, ``reordered``, ``edited_locked``, ``outputs_cleared``, and for
`rebuild_from_folder` ``no_notebook``, ``ambiguous``, ``renamed``, ``extra_notebooks``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

__all__ = ["Note", "Rebuilt", "answer_ids", "rebuild", "rebuild_from_folder", "student_version"]


@dataclass(frozen=True)
class Note:
    """One line of the rebuild report."""

    kind: str
    message: str
    grade_id: str | None = None


@dataclass
class Rebuilt:
    """The notebook to grade and what was done to get it."""

    notebook: NotebookNode
    report: list[Note] = field(default_factory=list)
    #: Grade ids of the answers graded as released (missing, or no copy differs from the stub).
    unanswered: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [note.kind for note in self.report]


def _meta(cell: Any) -> dict:
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return nbg if isinstance(nbg, dict) else {}


def _grade_id(cell: Any) -> str | None:
    gid = _meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def _is_answer(cell: Any) -> bool:
    """An answer cell: student code, or a hand-graded written answer."""
    m = _meta(cell)
    if not m.get("solution"):
        return False
    if cell.get("cell_type") == "code":
        return not m.get("grade")
    return cell.get("cell_type") == "markdown" and bool(m.get("grade"))


def _text(cell: Any) -> str:
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def _load_source(source_nb: NotebookNode | str | PathLike) -> NotebookNode:
    if isinstance(source_nb, dict):
        return copy.deepcopy(nbformat.from_dict(source_nb))
    return nbformat.read(str(source_nb), as_version=4)


def student_version(source_nb: NotebookNode | str | PathLike) -> NotebookNode:
    """The student's version of a source notebook, as nbgrader's release makes it
    (``ClearSolutions`` then ``ClearHiddenTests``), in memory: nothing is written."""
    # Here, not at the top, for start-up speed: nbgrader.preprocessors takes seconds to
    # import, and readers of result files need only `Note`.
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = _load_source(source_nb)
    resources: dict = {}
    nb, resources = ClearSolutions().preprocess(nb, resources)
    nb, _ = ClearHiddenTests().preprocess(nb, resources)
    return nb


def answer_ids(source_nb: NotebookNode | str | PathLike) -> list[str]:
    """Grade ids of the source's answer cells, in order."""
    nb = _load_source(source_nb)
    return [gid for c in nb.cells if _is_answer(c) and (gid := _grade_id(c))]


def _read_submission(sub: Any, report: list[Note]) -> NotebookNode | None:
    """Parse the submission into nbformat 4, or report why it cannot be read."""
    if isinstance(sub, dict):
        raw_version = sub.get("nbformat")
        try:
            nb = nbformat.from_dict(copy.deepcopy(sub))
            if isinstance(raw_version, int) and raw_version < 4:
                nb = nbformat.convert(nb, 4)
        except Exception as exc:  # a student's file must never crash grading
            report.append(Note("corrupt", f"the submitted notebook is unusable: {exc}"))
            return None
    else:
        path = Path(sub)
        try:
            text = path.read_text(encoding="utf-8")
            raw_version = json.loads(text).get("nbformat")
            nb = nbformat.reads(text, as_version=4)
        except Exception as exc:
            report.append(
                Note(
                    "corrupt",
                    f"{path.name} is not a readable notebook ({type(exc).__name__}: {exc})",
                )
            )
            return None
    if not isinstance(nb.get("cells"), list):
        report.append(Note("corrupt", "the submitted notebook has no list of cells"))
        return None
    if isinstance(raw_version, int) and raw_version < 4:
        report.append(
            Note("upgraded", f"the notebook was in nbformat {raw_version}; upgraded to nbformat 4")
        )
    return nb


def _clear_outputs(nb: NotebookNode) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def _report_layout(student_cells: list, known: set[str], src_ids: list, report: list) -> None:
    """Notes about the submission as a whole: foreign cells, order, outputs."""
    # Student code and text outside the source's cells is never used.
    extra = [c for c in student_cells if _grade_id(c) not in known]
    if extra:
        report.append(
            Note(
                "extra_cells",
                f"{len(extra)} cell(s) not in the assignment were ignored "
                "(only the cells with an answer's grade id are graded)",
            )
        )
    order = [gid for gid in (_grade_id(c) for c in student_cells) if gid in known]
    first_seen = list(dict.fromkeys(order))
    if first_seen != [gid for gid in src_ids if gid in set(first_seen)]:
        report.append(Note("reordered", "cells were re-ordered; the assignment's order is used"))
    if any(
        c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
        for c in student_cells
    ):
        report.append(
            Note("outputs_cleared", "submitted outputs and execution counts were discarded")
        )


def _splice_answer(cell: Any, gid: str, stub: str, candidates: list, report: list) -> bool:
    """Put the student's answer `gid` into the source's `cell`; False if it is unanswered.

    Copies of another cell type are not answers (``retyped``); several answered copies are
    joined in order (``duplicate``); no copy at all leaves the released `stub` (``missing``).
    """
    same_type = [c for c in candidates if c.get("cell_type") == cell.cell_type]
    if len(same_type) < len(candidates):
        kinds = sorted({str(c.get("cell_type")) for c in candidates} - {cell.cell_type})
        report.append(
            Note(
                "retyped",
                f"answer {gid!r} was turned into a {'/'.join(kinds)} cell and is not graded "
                f"as an answer (it must stay a {cell.cell_type} cell)",
                gid,
            )
        )
    answered = [c for c in same_type if _text(c).strip() != stub.strip()]
    if len(same_type) > 1:
        report.append(
            Note(
                "duplicate",
                f"answer {gid!r} appears {len(same_type)} times; "
                + (
                    f"its {len(answered)} answered copies are joined in order, as Run All "
                    "would run them"
                    if len(answered) > 1
                    else "the answered one is kept"
                ),
                gid,
            )
        )
    if not same_type:
        cell.source = stub
        report.append(
            Note("missing", f"answer {gid!r} is missing; the unanswered stub is graded", gid)
        )
        return False
    chosen = (answered or same_type)[0]
    if len(answered) > 1:
        cell.source = "\n\n".join(_text(c).rstrip() for c in answered)
    else:
        cell.source = _text(chosen)
    if cell.cell_type == "markdown" and isinstance(chosen.get("attachments"), dict):
        cell.attachments = copy.deepcopy(chosen["attachments"])
    return bool(answered)


def rebuild(
    source_nb: NotebookNode | str | PathLike, submission: NotebookNode | dict | str | PathLike
) -> Rebuilt:
    """Splice the submission's answer cells, by grade id, into a copy of the source.

    Locked cells keep the instructor's text (an edited copy is reported ``edited_locked``);
    each answer cell takes the student's copy (`_splice_answer`). Outputs are cleared.
    """
    source = _load_source(source_nb)
    released = {_grade_id(c): c for c in student_version(source).cells if _grade_id(c)}
    report: list[Note] = []
    unanswered: list[str] = []
    student = _read_submission(submission, report)
    student_cells = [
        c for c in (student.cells if student is not None else []) if isinstance(c, dict)
    ]
    src_ids = [_grade_id(c) for c in source.cells]
    known = {gid for gid in src_ids if gid}
    by_id: dict[str, list[Any]] = {}
    for cell in student_cells:
        gid = _grade_id(cell)
        if gid in known:
            by_id.setdefault(gid, []).append(cell)
    _report_layout(student_cells, known, src_ids, report)

    for cell in source.cells:
        gid = _grade_id(cell)
        if gid is None:
            continue
        candidates = by_id.get(gid, [])
        if not _is_answer(cell):
            rel = released.get(gid, cell)
            allowed = {_text(rel).rstrip(), _text(cell).rstrip()}
            if any(
                _text(c).rstrip() not in allowed or c.get("cell_type") != cell.cell_type
                for c in candidates
            ):
                report.append(
                    Note("edited_locked", f"edits to locked cell {gid!r} were ignored", gid)
                )
            continue
        stub = _text(released.get(gid, cell))
        if not _splice_answer(cell, gid, stub, candidates, report):
            unanswered.append(gid)

    _clear_outputs(source)
    return Rebuilt(source, report, unanswered)


def rebuild_from_folder(
    source_nb: NotebookNode | str | PathLike, folder: str | PathLike, expected_name: str
) -> Rebuilt:
    """Rebuild from a submission folder: the expected notebook, else the only notebook."""
    folder = Path(folder)
    notebooks = sorted(
        p.name for p in folder.glob("*.ipynb") if p.is_file() and not p.name.startswith(".")
    )
    notes: list[Note] = []
    if expected_name in notebooks:
        others = [n for n in notebooks if n != expected_name]
        if others:
            notes.append(
                Note("extra_notebooks", f"other notebooks were ignored: {', '.join(others)}")
            )
        chosen: Path | None = folder / expected_name
    elif len(notebooks) == 1:
        chosen = folder / notebooks[0]
        notes.append(
            Note("renamed", f"{expected_name} not found; graded the only notebook, {notebooks[0]}")
        )
    else:
        chosen = None
        if notebooks:
            notes.append(
                Note(
                    "ambiguous",
                    f"{expected_name} not found and several notebooks were submitted "
                    f"({', '.join(notebooks)}); none was graded",
                )
            )
        else:
            notes.append(Note("no_notebook", f"no notebook found (expected {expected_name})"))
    if chosen is None:
        empty = nbformat.v4.new_notebook()
        result = rebuild(source_nb, empty)
    else:
        result = rebuild(source_nb, chosen)
    result.report[:0] = notes
    return result
