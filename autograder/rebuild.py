"""Rebuild a submission from the instructor's source notebook; never grade it as it is.

The student's notebook is never graded as it is. `rebuild` starts from a deep copy of the
instructor's source notebook and splices in, by grade id, only the student's answer cells
(code cells with ``solution=True, grade=False``) and written answers (markdown cells with
``solution=True, grade=True``). Every locked, instruction and test cell, hidden tests
included, comes from the instructor; student code outside answer cells never runs. All
outputs and execution counts of the rebuilt notebook are cleared.

The student's code answers run in the order their notebook has them, so the rebuilt
notebook leaves defined what Run All of theirs would: a function written in another
question's answer cell, or in a copy of an answer cell (JupyterLab's copy and paste keeps
the grade id), is found wherever it is, and a later definition, a stub included, replaces
an earlier one. Each answer stays in its own cell unless that would change what Run All
leaves defined (`_place`); then it runs at the end of the cell it must follow (``moved``).

Nothing a student does to the file raises: each anomaly becomes a `Note` in the report.
Kinds: ``corrupt``, ``upgraded``, ``missing``, ``duplicate``, ``retyped``,
``extra_cells``, ``reordered``, ``moved``, ``redefined``, ``edited_locked``,
``outputs_cleared``, and for `rebuild_from_folder` ``no_notebook``, ``ambiguous``,
``renamed``, ``extra_notebooks``.
"""

from __future__ import annotations

import ast
import copy
import json
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from autograder.scan import MAX_NOTEBOOK_CHARS, over_limit

__all__ = [
    "Effects",
    "Note",
    "Rebuilt",
    "answer_ids",
    "effects",
    "rebuild",
    "rebuild_from_folder",
    "student_version",
]


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


# ------------------------------------------------- what running an answer cell does to names

#: The analysis of the student's cells is bounded as the scan's is: a cell the scan would
#: not parse (`autograder.scan.over_limit`), or past `MAX_ANALYSED_CHARS` in all, is never
#: parsed, and past `MAX_ANALYSED_CELLS` answer cells none is. Such a cell keeps its place
#: in the student's order against every other (Run All's order, so the grade is the same;
#: only its code may run in a later cell).
MAX_ANALYSED_CHARS = MAX_NOTEBOOK_CHARS
MAX_ANALYSED_CELLS = 200

#: Names whose use when a cell runs may touch any global name (exec, globals(), a magic's
#: get_ipython(), ...): such a cell keeps its place in the student's order against every
#: other answer cell.
DYNAMIC_NAMES = frozenset(
    {
        "exec",
        "eval",
        "compile",
        "globals",
        "locals",
        "vars",
        "get_ipython",
        "setattr",
        "delattr",
        "__import__",
        "__builtins__",
        "builtins",
        "importlib",
        "sys",
    }
)

#: The name standing for "anything" in a clash: a cell the grader cannot follow.
ANYTHING = "*"


@dataclass(frozen=True)
class Effects:
    """What running a cell does to the notebook's global names, as its text shows.

    ``binds`` maps each global name the cell binds (def, class, import, assignment, del,
    and an attribute or item stored on it) to the hashes of the statements binding it:
    two cells that bind a name by the same statements leave it the same in either order.
    ``reads`` holds the names its code reads *as it runs*: a function's body runs only
    when it is called, after every cell has run, so it does not count (its decorators
    and default values do). ``dynamic`` marks a cell that may touch any name (see
    `DYNAMIC_NAMES`), or whose text is not plain Python (a magic, a syntax error) or is
    too long to analyse.
    """

    binds: dict[str, tuple[int, ...]] = field(default_factory=dict)
    reads: frozenset[str] = frozenset()
    dynamic: bool = False

    def clash(self, other: Effects) -> set[str]:
        """The names whose final value may depend on which of the two cells runs first
        (`ANYTHING` if either cell is dynamic); empty if the order does not matter."""
        if self.dynamic or other.dynamic:
            return {ANYTHING}
        names = (self.reads & other.binds.keys()) | (other.reads & self.binds.keys())
        names |= {
            n for n in self.binds.keys() & other.binds.keys() if self.binds[n] != other.binds[n]
        }
        return names


class _Runtime(ast.NodeVisitor):
    """Collects a cell's `Effects`, statement by statement (see `effects`)."""

    def __init__(self) -> None:
        self.binds: dict[str, list[int]] = {}
        self.reads: set[str] = set()
        self.dynamic = False
        self.statement = 0  # hash of the top-level statement being visited
        self.in_class = 0  # names bound in a class body are the class's, not global

    def bind(self, name: str) -> None:
        if not self.in_class:
            self.binds.setdefault(name, []).append(self.statement)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.reads.add(node.id)
            self.dynamic |= node.id in DYNAMIC_NAMES
        else:
            self.bind(node.id)

    def _stored_on(self, node: ast.Attribute | ast.Subscript) -> None:
        """``np.x = ...`` or ``d[k] = ...`` changes what the name ``np`` or ``d`` holds."""
        if not isinstance(node.ctx, ast.Load):
            root = node.value
            while isinstance(root, ast.Attribute | ast.Subscript):
                root = root.value
            if isinstance(root, ast.Name):
                self.bind(root.id)
        self.generic_visit(node)

    visit_Attribute = visit_Subscript = _stored_on

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        """A def runs its decorators, defaults and annotations, never its body."""
        args = node.args
        parts = [*args.defaults, *args.kw_defaults]
        if not isinstance(node, ast.Lambda):
            every = (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
            parts += [*node.decorator_list, node.returns, *(a.annotation for a in every if a)]
            self.bind(node.name)
        for part in parts:
            if part is not None:
                self.visit(part)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for part in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(part)
        self.in_class += 1
        for statement in node.body:
            self.visit(statement)
        self.in_class -= 1
        self.bind(node.name)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.bind(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.dynamic = True  # binds names the text does not show
            else:
                self.bind(alias.asname or alias.name)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.reads.add(node.target.id)  # x += 1 reads x as well
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name)
        self.generic_visit(node)

    def visit_Match(self, node: ast.Match) -> None:
        self.dynamic = True  # its patterns bind names in ways not worth following


def effects(text: str) -> Effects:
    """What running `text` as a cell does to global names (`Effects`); a cell that is not
    plain Python (IPython magics, a syntax error), too long (`autograder.scan.over_limit`)
    or too deep to parse is `dynamic`, so it keeps its place in the student's order."""
    if over_limit(text):
        return Effects(dynamic=True)
    runtime = _Runtime()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for an invalid escape
            tree = ast.parse(text)
        for statement in tree.body:
            runtime.statement = hash(ast.dump(statement))
            runtime.visit(statement)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Effects(dynamic=True)
    binds = {name: tuple(hashes) for name, hashes in runtime.binds.items()}
    return Effects(binds, frozenset(runtime.reads), runtime.dynamic)


def _effects_of(texts: list[str]) -> list[Effects]:
    """`effects` of each text, within the analysis budget (`MAX_ANALYSED_CHARS`)."""
    if len(texts) > MAX_ANALYSED_CELLS:
        return [Effects(dynamic=True)] * len(texts)
    found, budget = [], MAX_ANALYSED_CHARS
    for text in texts:
        if len(text) <= budget and not over_limit(text):
            budget -= len(text)
            found.append(effects(text))
        else:
            found.append(Effects(dynamic=True))
    return found


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


def _report_layout(
    student_cells: list, known: set[str], src_ids: list, report: list, functions: set[str]
) -> None:
    """Notes about the submission as a whole: foreign cells, order, outputs."""
    # Student code and text outside the source's cells is never used.
    extra = [c for c in student_cells if _grade_id(c) not in known]
    if extra:
        code = [_text(c) for c in extra if c.get("cell_type") == "code"]
        defined = sorted(set().union(*(e.binds for e in _effects_of(code))) & functions)
        message = (
            f"{len(extra)} cell(s) not in the assignment were ignored "
            "(only the cells with an answer's grade id are graded)"
        )
        if defined:
            message += f"; they define {', '.join(defined)}: put that code in an answer cell"
        report.append(Note("extra_cells", message))
    order = [gid for gid in (_grade_id(c) for c in student_cells) if gid in known]
    first_seen = list(dict.fromkeys(order))
    if first_seen != [gid for gid in src_ids if gid in set(first_seen)]:
        report.append(
            Note(
                "reordered",
                "cells were re-ordered; each answer is graded in its place in the assignment "
                "unless your order changes what Run All would leave defined (see 'moved')",
            )
        )
    if any(
        c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
        for c in student_cells
    ):
        report.append(
            Note("outputs_cleared", "submitted outputs and execution counts were discarded")
        )


def _same_type(cell: Any, gid: str, candidates: list, report: list) -> list:
    """The copies of answer `gid` that kept its cell type; copies of another type are not
    answers (``retyped``)."""
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
    return same_type


def _splice_written(cell: Any, gid: str, stub: str, same_type: list, report: list) -> bool:
    """Put the student's written answer `gid` into the source's `cell`; False if it is
    unanswered. Several answered copies are joined in order (``duplicate``); no copy at all
    leaves the released `stub` (``missing``)."""
    answered = [c for c in same_type if _text(c).strip() != stub.strip()]
    if len(same_type) > 1:
        how = (
            f"its {len(answered)} answered copies are joined in order"
            if len(answered) > 1
            else "the answered one is kept"
        )
        report.append(
            Note("duplicate", f"answer {gid!r} appears {len(same_type)} times; {how}", gid)
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
    if isinstance(chosen.get("attachments"), dict):
        cell.attachments = copy.deepcopy(chosen["attachments"])
    return bool(answered)


def _check_locked(cell: Any, released: Any, candidates: list, report: list) -> None:
    """Note edits to a locked cell; the instructor's text is kept whatever they were."""
    allowed = {_text(released).rstrip(), _text(cell).rstrip()}
    if any(
        _text(c).rstrip() not in allowed or c.get("cell_type") != cell.cell_type for c in candidates
    ):
        gid = _grade_id(cell)
        report.append(Note("edited_locked", f"edits to locked cell {gid!r} were ignored", gid))


# ------------------------------------------------------------------ code answers, in order


@dataclass
class _Answer:
    """One of the student's code answer cells (a copy counts as one)."""

    gid: str
    text: str
    index: int  # its place among the student's code answer cells
    slot: int  # the place of its grade id among the source's code answer cells
    stub: bool  # still the released stub
    effects: Effects = field(default_factory=Effects)
    at: int = -1  # the slot it runs in (`_place`)
    after: set[str] = field(default_factory=set)  # the names that made it move there


def _without_dead_stubs(answers: list[_Answer]) -> list[_Answer]:
    """Leave out each copy that is still the released stub when the next copy of the same
    answer binds every name the stub binds: Run All would replace the stub at once
    (JupyterLab's "duplicate cell" keeps the stub above the copy the student fills in)."""
    kept = []
    for i, answer in enumerate(answers):
        if answer.stub and not answer.effects.dynamic:
            after = next((a for a in answers[i + 1 :] if a.gid == answer.gid), None)
            if after is not None and answer.effects.binds.keys() <= after.effects.binds.keys():
                continue
        kept.append(answer)
    return kept


def _place(answers: list[_Answer]) -> None:
    """Choose the slot each answer runs in (``at``), so that Run All of the rebuilt notebook
    leaves defined what Run All of the student's notebook would.

    An answer runs in its own cell, unless an answer before it in the student's notebook
    runs in a later cell and the two `Effects.clash`: then it runs at the end of that cell
    (answers run in the student's order within a cell). Of two answers that clash, the one
    the student's notebook runs first therefore runs first here too; answers that do not
    clash leave the same names whatever their order.
    """
    latest = -1
    for k, answer in enumerate(answers):
        answer.at = answer.slot
        if answer.effects.dynamic:  # it may clash with anything: keep the student's order
            if latest > answer.slot:
                answer.at, answer.after = latest, {ANYTHING}
        else:
            for before in answers[:k]:
                if before.at > answer.slot and (names := answer.effects.clash(before.effects)):
                    answer.at = max(answer.at, before.at)
                    answer.after |= names
        latest = max(latest, answer.at)


@dataclass
class _CodePlan:
    """The text of each code answer cell of the rebuilt notebook and its notes, by grade id."""

    texts: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[Note]] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)
    #: the names the released stubs define: the questions' functions
    functions: set[str] = field(default_factory=set)


def _student_answers(student_cells: list, slots: dict[str, int], stubs: dict) -> list[_Answer]:
    """The student's code answer cells, copies included, in their notebook's order."""
    cells = [c for c in student_cells if c.get("cell_type") == "code" and _grade_id(c) in slots]
    texts = [_text(c) for c in cells]
    return [
        _Answer(gid, text, k, slots[gid], text.strip() == stubs[gid].strip(), found)
        for k, (gid, text, found) in enumerate(
            zip(map(_grade_id, cells), texts, _effects_of(texts), strict=True)
        )
    ]


def _plan_code(code_ids: list[str], stubs: dict[str, str], student_cells: list) -> _CodePlan:
    """Where each of the student's code answers runs in the rebuilt notebook (`_place`), and
    the notes that say what was done: ``duplicate``, ``missing``, ``moved``, ``redefined``
    (at most one of each kind per answer, whatever the number of copies)."""
    slots = {gid: i for i, gid in enumerate(code_ids)}
    answers = _student_answers(student_cells, slots, stubs)
    running = _without_dead_stubs(answers)
    _place(running)
    plan = _CodePlan(unanswered=set(code_ids) - {a.gid for a in answers if not a.stub})
    questions = {gid: set(effects(stubs[gid]).binds) for gid in code_ids}
    plan.functions = set().union(*questions.values())
    copies, own, here = Counter(a.gid for a in answers), defaultdict(list), defaultdict(list)
    for answer in running:
        own[answer.gid].append(answer)
        here[code_ids[answer.at]].append(answer)
    for gid in code_ids:
        notes = plan.notes.setdefault(gid, [])
        if copies[gid] > 1:
            notes.append(_duplicate_note(gid, copies[gid], own[gid], gid not in plan.unanswered))
        if not copies[gid]:
            plan.texts[gid] = _missing(gid, stubs[gid], questions[gid], running, notes)
        elif not here[gid]:
            target = code_ids[own[gid][0].at]
            plan.texts[gid] = (
                f"# This answer runs at the end of answer {target!r} (see the notes).\n"
            )
        elif len(here[gid]) == 1:
            plan.texts[gid] = here[gid][0].text
        else:
            plan.texts[gid] = "\n\n".join(a.text.rstrip() for a in here[gid])
        moved = [a for a in own[gid] if a.at != a.slot]
        if moved:
            notes.append(_moved_note(gid, moved, copies[gid], code_ids))
        notes += filter(None, (_redefined_note(gid, n, running) for n in sorted(questions[gid])))
    return plan


def _duplicate_note(gid: str, count: int, own: list[_Answer], answered: bool) -> Note:
    if len(own) > 1:
        how = f"{'the' if len(own) == count else len(own)} copies are joined in your notebook's "
        how += "order, as Run All would run them"
        if len(own) < count:
            how += " (a copy still the released stub, followed by your answer, is left out)"
        if own[-1].stub and answered:
            how += (
                "; the last copy is still the released stub, so it replaces your answer "
                "(as Run All would): delete that copy"
            )
    else:
        how = "the answered one is kept" if answered else "every copy is the released stub"
    return Note("duplicate", f"answer {gid!r} appears {count} times; {how}", gid)


def _missing(gid: str, stub: str, names: set[str], running: list, notes: list) -> str:
    """The text of a missing answer's cell: the released stub, unless another answer cell
    defines the stub's function (Run All of the student's notebook has no stub to run)."""
    elsewhere = [a for a in running if a.effects.binds.keys() & names]
    if not elsewhere:
        notes.append(
            Note("missing", f"answer {gid!r} is missing; the unanswered stub is graded", gid)
        )
        return stub
    where = ", ".join(dict.fromkeys(repr(a.gid) for a in elsewhere))
    defined = ", ".join(sorted(names))
    notes.append(
        Note(
            "missing",
            f"answer {gid!r} is missing; {defined} as defined in answer {where} is graded, "
            "as Run All would",
            gid,
        )
    )
    return f"# This answer's cell is missing; {defined} is defined in answer {where}.\n"


def _moved_note(gid: str, moved: list[_Answer], copies: int, code_ids: list[str]) -> Note:
    which = f"answer {gid!r}" if copies == 1 else f"{len(moved)} of the {copies} copies of {gid!r}"
    targets = ", ".join(repr(code_ids[at]) for at in sorted({a.at for a in moved})[:3])
    names = sorted(set().union(*(a.after for a in moved)))
    if ANYTHING in names:
        why = "the grader cannot follow which names its code, or the code before it, touches"
    else:
        why = f"both define or use {', '.join(names[:5])}" + (", ..." if len(names) > 5 else "")
    return Note(
        "moved",
        f"{which} runs at the end of answer {targets}, after the code it follows in your "
        f"notebook, as Run All would run them: {why}",
        gid,
    )


def _redefined_note(gid: str, name: str, running: list[_Answer]) -> Note | None:
    """Say which definition is graded when several answer cells define a question's
    function differently (None if one does)."""
    defs = sorted((a for a in running if name in a.effects.binds), key=lambda a: (a.at, a.index))
    gids = list(dict.fromkeys(a.gid for a in defs))
    if len(gids) < 2 or len({a.effects.binds[name] for a in defs}) < 2:
        return None
    last = defs[-1]
    message = (
        f"{name} is defined in answers {', '.join(map(repr, gids))}; the last definition Run "
        f"All runs, in answer {last.gid!r}, is graded"
    )
    if last.stub:
        message += " (it is still the released stub, which raises NotImplementedError)"
    return Note("redefined", message, gid)


def rebuild(
    source_nb: NotebookNode | str | PathLike, submission: NotebookNode | dict | str | PathLike
) -> Rebuilt:
    """Splice the submission's answer cells, by grade id, into a copy of the source.

    Locked cells keep the instructor's text (an edited copy is reported ``edited_locked``);
    the code answers run in the student's order (`_plan_code`), a written answer takes the
    student's copy (`_splice_written`). Outputs are cleared.
    """
    source = _load_source(source_nb)
    released = {_grade_id(c): c for c in student_version(source).cells if _grade_id(c)}
    report: list[Note] = []
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
    answers = [c for c in source.cells if _is_answer(c) and _grade_id(c)]
    stubs = {_grade_id(c): _text(released.get(_grade_id(c), c)) for c in answers}
    plan = _plan_code(
        [_grade_id(c) for c in answers if c.cell_type == "code"], stubs, student_cells
    )
    _report_layout(student_cells, known, src_ids, report, plan.functions)

    unanswered: list[str] = []
    for cell in source.cells:
        gid = _grade_id(cell)
        if gid is None:
            continue
        candidates = by_id.get(gid, [])
        if not _is_answer(cell):
            _check_locked(cell, released.get(gid, cell), candidates, report)
            continue
        same_type = _same_type(cell, gid, candidates, report)
        if cell.cell_type == "code":
            cell.source = plan.texts[gid]
            report += plan.notes[gid]
            answered = gid not in plan.unanswered
        else:
            answered = _splice_written(cell, gid, stubs[gid], same_type, report)
        if not answered:
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
