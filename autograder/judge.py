"""Judgment happens in the grader: the grading protocol over a confined kernel.

`Judge` runs a rebuilt notebook's setup and answer cells (never its test cells) in a
confined kernel (`autograder.kernel.KernelSession`), then grades each spec there:

* the grader draws the cases from the seed with the spec's own generator and sends only
  the *inputs* into the kernel, encoded in the wire format of `autograder.wire` (arrays as
  ``.npy`` bytes, ``allow_pickle=False``); a test function (``numerical_gradient``'s
  ``f``) travels as its marshalled code, with no path of the grader's in it
  (`CODE_FILENAME`), and its closure's values;
* the kernel calls the student's function and sends back the *outputs*: an ndarray of a
  numeric or boolean dtype, or a tuple / dict (str keys) of them. Anything else (a list,
  an ``np.matrix``, an object array, an object with ``__eq__``) is described by its
  type's name only and never unpickled. It also sends back, raw, the arguments the spec
  declares unchanged, as they were right after the call;
* the grader decodes them with ``np.load(..., allow_pickle=False)`` and hands them to
  `autograder.checks.run_check` through a replay function, so the comparison, the
  hard-coded-answer detection, the hints and the message are exactly run_check's.
  Expected values are computed by the grader only; they never exist in the kernel, and
  whether an argument changed is decided by run_check against the grader's own copy of
  the inputs: the kernel reports values, never verdicts.

The wire format has two halves: the kernel's (`autograder.wire`, whose source text the
judge sends into each kernel it starts, with a configuration dict) and the grader's (this
module: `encode_input`, `decode_reply`). Both take the wire kinds from `autograder.wire`.
In the kernel, the helper that answers the grader's calls is a closure sealed before any
student cell runs and bound in ``builtins`` under a random name chosen per `Judge`
(`kernel_preamble`): it cannot be imported, and what it sends cannot be changed by
patching numpy, json, base64 or a builtin. Code in the same process can still reach it by
walking ``gc``, frames or ``builtins``; `autograder.scan` flags those routes.

The kernel is confined (`autograder.confine`): its own namespaces, uid, limits and
environment, with the course, nnlib and the checkout hidden from it, so the reference can
be neither imported nor read. On top of that, importing ``nnlib`` (and
``autograder.specs``/``autograder.mutants``) raises ImportError via a meta path finder
installed at kernel start; that alone would be a speed bump, not a boundary.

A spec's cases go into the kernel in one call (`autograder.wire`'s batch: one cell per
question, not one per case, each cell costing the kernel about 5 ms beyond the student's
code); the time limit stays per case: when a batch times out after some of its replies,
the kernel is restarted and the remaining cases get a call each.

Student exceptions, per-call timeouts and a dead kernel become failed `QuestionResult` s
with a message; the kernel is then restarted and the notebook's cells re-run, so the
remaining specs are still graded.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import json
import marshal
import secrets
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder import wire
from autograder.checks import QuestionResult, run_check
from autograder.course import Limits
from autograder.kernel import KernelLost, KernelSession, error_text
from autograder.results import valid_text
from autograder.specs import get_spec

__all__ = ["BLOCKED_MODULES", "Judge", "decode_reply", "encode_input", "judge_notebook"]

#: Modules that cannot be imported in the kernel while grading (a speed bump only).
BLOCKED_MODULES = ("nnlib", "autograder.specs", "autograder.mutants")

#: Grader modules that locked cells may import: a stub in the kernel (their functions raise).
STUBBED_MODULES = ("autograder", "autograder.checks")

#: Largest array (bytes) the kernel sends back; larger answers are reported as wrong type
#: ("ndarray of N bytes (too large)"). Its reply, base64 in JSON, is 4/3 of this plus a few
#: hundred bytes and must fit in one message the grader accepts
#: (`autograder.kernel.MAX_MESSAGE_BYTES`, 12 MiB): 8 MiB is a million float64s, far more
#: than any answer of the course.
MAX_OUTPUT_BYTES = 8 * 2**20

#: The MIME type of the kernel's replies to the grader (a display message with a token).
REPLY_MIME = "application/x-nnfp-judge+json"


#: The file name of every code object the grader sends into the kernel (`encode_input`):
#: never a path of the grader's.
CODE_FILENAME = "<grader>"


@functools.cache
def _wire_source() -> str:
    return Path(wire.__file__).read_text(encoding="utf-8")


def helper_name() -> str:
    """A fresh random name for one kernel's helper (see `kernel_preamble`)."""
    return "_" + secrets.token_hex(12)


def kernel_preamble(helper: str) -> str:
    """The code run first in every kernel, before any student cell: `autograder.wire`'s
    source, executed twice in private namespaces, one copy installing the blocked and
    stubbed modules, the other sealed into the helper that answers the grader's calls and
    bound in ``builtins`` as `helper` (a name of `helper_name`'s: random, so no student
    code can name it without reading ``builtins``). It leaves no name in the notebook's
    namespace and nothing in ``sys.modules``; see `autograder.wire` for what it captures
    and what remains reachable in-process."""
    if not helper.isidentifier():
        raise ValueError(f"helper must be an identifier, got {helper!r}")
    config = {
        "blocked": BLOCKED_MODULES,
        "stubbed": STUBBED_MODULES,
        "max_output_bytes": MAX_OUTPUT_BYTES,
        "reply_mime": REPLY_MIME,
    }
    return (
        "def _nnfp_preamble():\n"
        "    import builtins\n"
        f"    code = compile({_wire_source()!r}, '<judge>', 'exec')\n"
        "    guard, sealed = ({'__builtins__': dict(vars(builtins)), '__name__': '<judge>'}\n"
        "                     for _ in range(2))\n"
        "    exec(code, guard)\n"
        "    exec(code, sealed)\n"
        f"    guard['install']({config!r})\n"
        f"    call = sealed['seal']({config!r}, globals())\n"
        f"    setattr(builtins, {helper!r}, call)\n"
        "_nnfp_preamble()\n"
        "del _nnfp_preamble\n"
    )


# ----------------------------------------------------------------- the grader's half of the wire


def _refuse_path(value, where: str) -> None:
    """Raise ValueError if `value` (a constant, or a tuple or frozenset of them) is an
    absolute path: a function holding one cannot be sent into the kernel."""
    if isinstance(value, tuple | frozenset):
        for item in value:
            _refuse_path(item, where)
    elif isinstance(value, str) and (value.startswith(("/", "~")) or ":\\" in value):
        raise ValueError(f"{where} holds a path, {value!r}: it cannot be sent into the kernel")


def _pathless(code: types.CodeType) -> types.CodeType:
    """`code` and its nested code objects with no path of the grader's: the file name is
    `CODE_FILENAME`, the qualified name only the function's own name (not the grader's
    functions it was defined in); a constant that is an absolute path is refused."""
    consts = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            const = _pathless(const)
        _refuse_path(const, code.co_name)
        consts.append(const)
    return code.replace(
        co_filename=CODE_FILENAME, co_qualname=code.co_name, co_consts=tuple(consts)
    )


def encode_input(value) -> dict:
    """Encode one of the grader's inputs for the kernel (`autograder.wire.decode_input`)."""
    if isinstance(value, np.ndarray):
        return {"kind": wire.ARRAY, "data": wire.save(np.asarray(value))}
    if isinstance(value, np.generic):
        return {"kind": wire.SCALAR, "data": wire.save(np.asarray(value))}
    if value is None or isinstance(value, bool | int | float | str):
        return {"kind": wire.JSON, "data": value}
    if isinstance(value, tuple):
        return {"kind": wire.TUPLE, "items": [encode_input(v) for v in value]}
    if isinstance(value, list):
        return {"kind": wire.LIST, "items": [encode_input(v) for v in value]}
    if isinstance(value, dict):
        return {"kind": wire.DICT, "items": [[k, encode_input(v)] for k, v in value.items()]}
    if isinstance(value, types.FunctionType):
        for cell in value.__closure__ or ():
            _refuse_path(cell.cell_contents, value.__name__)
        return {
            "kind": wire.FUNCTION,
            "code": base64.b64encode(marshal.dumps(_pathless(value.__code__))).decode("ascii"),
            "cells": [encode_input(c.cell_contents) for c in value.__closure__ or ()],
            "name": value.__name__,
        }
    raise TypeError(f"cannot send a {type(value).__name__} into the kernel")


#: The longest list a placeholder stands in for: the kernel says how long the student's list
#: was, and the grader must not allocate what the kernel asks for.
MAX_PLACEHOLDER_LEN = 10_000


def _safe_name(value, default: str = "object") -> str:
    """A type or module name from the kernel, made harmless: printable, at most 80 chars."""
    text = "".join(ch for ch in str(value) if ch.isprintable() and ch not in "\0<>")[:80]
    return text or default


def _placeholder(desc: dict):
    """A stand-in for an output that was not sent: only its type's name survives."""
    name, module = _safe_name(desc.get("name")), _safe_name(desc.get("module"), "builtins")
    if desc.get("subclass"):
        cls = type(name, (np.ndarray,), {"__module__": module})
        return np.zeros(0).view(cls)
    length = desc.get("length")
    if isinstance(length, int) and not isinstance(length, bool):
        cls = type(name, (list,), {"__module__": module})
        return cls([None] * max(0, min(length, MAX_PLACEHOLDER_LEN)))
    return type(name, (), {"__module__": module})()


def _decode_output(obj: dict, depth: int = 0):
    """What the kernel sent back (`autograder.wire.encode_output`); anything unexpected
    becomes a placeholder named after its type."""
    kind = obj.get("kind")
    if kind == wire.ARRAY:
        return wire.load(obj["data"])
    if kind == wire.JSON and type(obj.get("data")) in (int, float):
        return obj["data"]  # a plain number (not a bool, not a string)
    if kind == wire.SCALAR:
        number = wire.load(obj["data"])
        if number.shape == () and number.dtype.kind in "iuf":
            return number[()]
        raise ValueError(f"a scalar must be a real number, got {number.dtype} {number.shape}")
    if kind == wire.TUPLE and depth < wire.MAX_DEPTH:
        return tuple(_decode_output(v, depth + 1) for v in obj["items"])
    if kind == wire.DICT and depth < wire.MAX_DEPTH:
        return {str(k): _decode_output(v, depth + 1) for k, v in obj["items"]}
    return _placeholder(obj)


def _error(name: str, message: str, not_implemented: bool = False) -> BaseException:
    message = valid_text(str(message)[:2000])  # a reply's JSON may escape a lone surrogate
    if not_implemented:
        return NotImplementedError(message)
    return type(_safe_name(name, "Exception"), (Exception,), {})(message)


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None
    after: dict[int, np.ndarray | None] = field(default_factory=dict)


def decode_reply(reply: dict, watch: list[int]) -> _Outcome:
    """One call's reply from the kernel; raises on anything malformed.

    Its ``after`` maps each watched position to the argument as the kernel sent it back
    after the call, or to None when it did not (`_replay` counts that as changed); the
    kernel's other positions are ignored, not decoded."""
    sent = dict(reply.get("after", {}))
    after: dict[int, np.ndarray | None] = {}
    for pos in watch:
        after[pos] = wire.load(sent[str(pos)]) if str(pos) in sent else None
    outcome = _Outcome(after=after)
    if "error" in reply:
        ename, evalue, nie = reply["error"]
        outcome.error = _error(ename, evalue, bool(nie))
    elif "notcallable" in reply:
        outcome.error = _error("TypeError", f"{_safe_name(reply['notcallable'])} is not callable")
    else:
        outcome.value = _decode_output(reply["value"])
    return outcome


def _mark_changed(given: np.ndarray) -> None:
    """Make `given` differ from what it was in every entry (NaN, or bits flipped)."""
    if given.dtype.kind in "fc":
        given.fill(np.nan)
    elif given.dtype.kind in "biu":
        np.invert(given, out=given)


def _replay(outcomes: list[_Outcome]):
    """A stand-in for the student's function that returns what the kernel returned.

    It writes each watched argument as the kernel sent it back into the grader's copy, for
    run_check to compare with the grader's own inputs; an argument that did not come back
    as it was sent (missing, another shape or dtype) is marked changed."""
    it = iter(outcomes)

    def student(*args):
        try:
            o = next(it)
        except StopIteration:
            raise _error("GraderError", "no recorded outcome for this case") from None
        for pos, arr in o.after.items():
            given = args[pos]
            if not isinstance(given, np.ndarray):
                continue
            if arr is None or arr.shape != given.shape or arr.dtype != given.dtype:
                _mark_changed(given)
            else:
                given[...] = arr  # the kernel's argument after the call (in-place edits)
        if o.error is not None:
            raise o.error
        return o.value

    return student


# --------------------------------------------------------------------------- the protocol


class Judge:
    """The grading of specs against one rebuilt notebook, running in a confined kernel.

    Parameters
    ----------
    notebook : NotebookNode
        The rebuilt notebook (`autograder.rebuild.rebuild`); its test cells never run.
    timeout : float, optional
        Seconds per cell or call; a shortcut for ``limits=Limits(cell_seconds=timeout)``.
    limits : Limits, optional
        Every limit of the submission (default: `autograder.course.Limits()`).
    kernel_name, course_root, level, workdir_name
        As for `autograder.kernel.KernelSession`.

    Attributes
    ----------
    kernel : KernelSession
        The kernel: what was executed, the cells' errors, restarts, output, confinement.
    """

    #: The name of the kernel's helper in ``builtins``: each Judge draws its own in
    #: ``__init__`` (`helper_name`); restarts of its kernel run the same preamble.
    _helper = ""

    def __init__(
        self,
        notebook,
        timeout: float | None = None,
        kernel_name: str = "python3",
        limits: Limits | None = None,
        course_root=None,
        level: str | None = None,
        workdir_name: str = "work",
    ):
        if limits is None:
            limits = Limits() if timeout is None else Limits(cell_seconds=float(timeout))
        self._helper = helper_name()
        self.kernel = KernelSession(
            notebook,
            limits,
            preamble=kernel_preamble(self._helper),
            reply_mime=REPLY_MIME,
            kernel_name=kernel_name,
            course_root=course_root,
            level=level,
            workdir_name=workdir_name,
        )

    def __enter__(self):
        self.kernel.__enter__()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Stop the kernel."""
        self.kernel.close()

    # -- one call

    def _call(self, function: str, request: dict) -> dict:
        token = secrets.token_hex(8)
        payload = json.dumps(request)
        self.kernel.forget_reply(token)
        code = f"{self._helper}({function!r}, {payload!r}, {token!r})"
        reply = self.kernel.run(code)
        text = self.kernel.pop_reply(token)
        if text is None:
            raise KernelLost(f"the call did not complete ({error_text(reply)})")
        return _read_reply(text)

    def _call_batch(self, function: str, requests: list[dict]):
        """Send `requests` in one call (`autograder.wire`'s batch): ``(replies, lost)``, the
        replies that came, in order, and the `KernelLost` that ended the call early, if any
        (the kernel is then not recovered yet)."""
        token = secrets.token_hex(8)
        tokens = [f"{token}.{i}" for i in range(len(requests))]
        for t in tokens:
            self.kernel.forget_reply(t)
        code = f"{self._helper}({function!r}, {json.dumps({'batch': requests})!r}, {token!r})"
        lost, reply = None, {}
        try:
            reply = self.kernel.run(code)
        except KernelLost as exc:
            lost = exc
        replies = []
        for t in tokens:
            text = self.kernel.pop_reply(t)  # pops every token: none stays awaited
            if text is not None and len(replies) == tokens.index(t):
                replies.append(_read_reply(text))
        stopped = replies and ("error" in replies[-1] or "notcallable" in replies[-1])
        if lost is None and len(replies) < len(requests) and not stopped:
            lost = KernelLost(f"the call did not complete ({error_text(reply)})")
        return replies, lost

    # -- one spec

    def check(self, name: str, seed: int) -> QuestionResult:
        """Grade spec `name` with the cases of `seed`; never raises for a bad submission.

        If the function is missing because a cell of the notebook failed, the message says
        which error, not just "define it"."""
        result = self._check(name, seed)
        if not result.passed and result.hint_id == "not-callable" and self.kernel.cell_errors:
            errors = "; ".join(e[:300] for e in self.kernel.cell_errors[:3])
            result = dataclasses.replace(
                result, message=f"{result.message}\nYour notebook's cells raised: {errors}"
            )
        return result

    def _check(self, name: str, seed: int) -> QuestionResult:
        spec = get_spec(name)
        cases = list(spec.cases(np.random.default_rng(seed)))
        watch = [int(p) for p in spec.unchanged_args]
        requests = [
            {"args": [encode_input(a) for a in case.args], "watch": watch} for case in cases
        ]
        replies, lost = self._call_batch(spec.function, requests)
        if lost is not None:
            self.kernel.recover()  # before anything returns: the next spec needs a kernel
        if replies and "notcallable" in replies[0]:
            stand_in = type(_safe_name(replies[0]["notcallable"]), (), {})()
            return run_check(spec, stand_in, seed)
        outcomes = []
        for reply in replies:
            outcomes.append(_decoded(reply, watch))
            if outcomes[-1].error is not None:
                return run_check(spec, _replay(outcomes), seed)  # run_check stops there too
        if lost is not None:
            if lost.kind == "TimeoutError" and replies:
                # The time limit is per call: the cases after the last reply get a call each,
                # as if sent one by one (a case that loops forever alone was the first one).
                outcomes += self._one_by_one(spec.function, requests[len(replies) :], watch)
            else:
                outcomes.append(_Outcome(error=_error(lost.kind, str(lost))))
        return run_check(spec, _replay(outcomes), seed)

    def _one_by_one(self, function: str, requests: list[dict], watch) -> list[_Outcome]:
        """One call per request, stopping at the first error (the kernel recovered if lost)."""
        outcomes: list[_Outcome] = []
        for request in requests:
            try:
                reply = self._call(function, request)
            except KernelLost as exc:
                outcomes.append(_Outcome(error=_error(exc.kind, str(exc))))
                self.kernel.recover()
                break
            outcomes.append(_decoded(reply, watch))
            if outcomes[-1].error is not None:
                break
        return outcomes


def _read_reply(text: str) -> dict:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # e.g. nested deeper than json can read
        return {"malformed": type(exc).__name__}  # fails this call only (decode_reply)


def _decoded(reply: dict, watch: list[int]) -> _Outcome:
    """`decode_reply`; the reply comes from the student's process: a malformed one fails the
    call, never the grader."""
    try:
        return decode_reply(reply, watch)
    except Exception as exc:
        return _Outcome(error=_error("MalformedReply", f"unreadable reply: {exc}"))


def judge_notebook(
    rebuilt_nb, spec_names: Iterable[str], seed: int, timeout: float = 10.0
) -> list[QuestionResult]:
    """Grade `spec_names` against `rebuilt_nb` in a fresh kernel; one result per spec.

    Parameters
    ----------
    rebuilt_nb : NotebookNode
        The notebook from `autograder.rebuild.rebuild` (its ``.notebook``); its test cells
        (nbgrader ``grade=True``, ``solution=False``) are never sent to the kernel.
    spec_names : iterable of str
        Registered specs, e.g. ``"a1.sigmoid_grad"`` (an unknown name raises ValueError).
    seed : int
        Seed of every spec's cases (log it: the same seed replays the grading).
    timeout : float
        Wall-time limit in seconds per cell and per call of the student's function.
    """
    names = list(spec_names)
    for name in names:
        get_spec(name)  # a misconfigured grader fails loudly, before any kernel starts
    with Judge(rebuilt_nb, timeout=timeout) as judge:
        results = []
        for name in names:
            try:
                results.append(judge.check(name, seed))
            except Exception as exc:  # never let one spec crash the batch
                spec = get_spec(name)
                results.append(
                    QuestionResult(
                        name=name,
                        passed=False,
                        points_earned=0,
                        points_possible=spec.points,
                        seed=seed,
                        message=f"{name} (seed {seed}): could not be graded: "
                        f"{type(exc).__name__}: {exc}",
                    )
                )
        return results
