r"""Checks as specifications: one declaration per graded question, run on random cases.

A `Spec` names the student's function, its points, a generator of random test cases
drawn from a seed, the reference implementation (nnlib's), the tolerance and a `diagnose`
function that recognises known mistakes. `run_check` runs a student's function on every
case and compares in a fixed order:

1. the output's type (exactly ``np.ndarray``; a ``tuple`` or ``dict`` of them where the
   question returns several arrays), then each array's shape and dtype;
2. every value finite;
3. every error within tolerance, written positively as ``np.all(err <= tol)`` with
   ``tol = atol + rtol * |expected|``, so that a NaN fails.

The seed is drawn fresh for every run (or taken from ``$AUTOGRADER_SEED`` or the `seed`
argument) and printed in the message, so any failure can be replayed exactly. Nothing here
relies on secret constants: the course is open source, and the hidden tests are hard only
because their inputs are random.

This module is the mechanism only: it knows nothing of the course's questions. The
registry of specs (`autograder.specs.get_spec`) and the notebook-facing
`autograder.specs.assert_check` live in `autograder.specs`; hidden-test cells only name
the spec::

    from autograder.specs import assert_check
    assert_check("a1.swish_grad", swish_grad)

so that the grader can run the same spec outside the student's kernel, replaying the
outputs the student's function returned there.
"""

from __future__ import annotations

import math
import os
import secrets
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "HINTS",
    "Case",
    "Hint",
    "QuestionResult",
    "Spec",
    "Tolerance",
    "run_check",
    "visible_tests_passed",
    "within_tolerance",
]

#: Environment variable that fixes the seed of `run_check` when no seed is passed.
SEED_ENV = "AUTOGRADER_SEED"


@dataclass(frozen=True)
class Hint:
    """A known mistake: a stable id (used by tests and the mutant table) and advice."""

    id: str
    message: str


@dataclass(frozen=True)
class Tolerance:
    r"""Elementwise tolerance :math:`|y - \hat y| \le \mathrm{atol} + \mathrm{rtol}\,|\hat y|`."""

    rtol: float = 1e-9
    atol: float = 1e-12

    def __str__(self) -> str:
        return f"{self.atol:g} + {self.rtol:g}*|expected|"


@dataclass(frozen=True)
class Case:
    """One set of inputs for the student's function.

    ``args`` are passed positionally (each call gets fresh copies of the arrays); ``label``
    says what the case tests ("random shape (1, 7)", "edge |z| in [20, 35]"); ``tol``
    overrides the spec's tolerance; ``meta`` carries what `diagnose` needs to know about
    the case (e.g. the exact gradient of a test function).
    """

    args: tuple
    label: str
    tol: Tolerance | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    """A graded question, declared once.

    Attributes
    ----------
    name : str
        Registry key, ``"<assignment>.<function>"``, e.g. ``"a1.sigmoid_grad"``.
    function : str
        The student's function name.
    points : int
    cases : callable
        ``cases(rng) -> iterable of Case``: fresh random inputs from a `numpy.random.Generator`.
    reference : callable
        The correct implementation, called with the same ``args`` as the student's.
    compare : Tolerance
        Default tolerance (a `Case` may override it).
    diagnose : callable or None
        ``diagnose(student_out, reference_out, case) -> Hint | None`` names a known mistake
        from the first failing case (it may raise; that counts as "no diagnosis").
    output : {"array", "tuple", "dict"}
        What the function returns: one ndarray, a tuple of ndarrays (named by `parts`), or
        a dict of ndarrays with exactly the keys `parts`.
    parts : tuple of str
        Names of the tuple's entries / the dict's keys.
    unchanged_args : tuple of int
        Positions of array arguments the student's function must leave unchanged;
        `unchanged_hint` is reported when it does not.
    """

    name: str
    function: str
    points: int
    cases: Callable[[np.random.Generator], Iterable[Case]]
    reference: Callable
    compare: Tolerance = Tolerance()
    diagnose: Callable[[Any, Any, Case], Hint | None] | None = None
    output: str = "array"
    parts: tuple[str, ...] = ()
    unchanged_args: tuple[int, ...] = ()
    unchanged_hint: Hint | None = None

    def __post_init__(self) -> None:
        if self.output not in ("array", "tuple", "dict"):
            raise ValueError(
                f"{self.name}: output must be 'array', 'tuple' or 'dict', got {self.output!r}"
            )


@dataclass
class QuestionResult:
    """Outcome of `run_check`: all-or-nothing points, the seed and a readable message."""

    name: str
    passed: bool
    points_earned: int
    points_possible: int
    seed: int
    message: str
    hint_id: str | None = None
    case: str | None = None


#: Hints that do not depend on the question.
HINTS: dict[str, Hint] = {
    h.id: h
    for h in (
        Hint("not-callable", "Define the function (a `def`), not a variable of the same name."),
        Hint(
            "not-implemented",
            "The function still raises NotImplementedError: replace the stub's `raise` "
            "with your solution.",
        ),
        Hint(
            "exception",
            "Your function raised an error on this input; run it on an input of the "
            "shape shown to reproduce it.",
        ),
        Hint(
            "wrong-type",
            "Return a plain numpy array (np.ndarray), not a list, a scalar, or an array "
            "subclass such as np.matrix; a question returning several arrays returns a "
            "tuple (or dict) of them.",
        ),
        Hint(
            "wrong-shape",
            "Check the shape of your result against the docstring: it must work for any "
            "batch size (including N = 1) and non-square matrices.",
        ),
        Hint("wrong-dtype", "Return float64 values (e.g. `.astype(np.float64)`)."),
        Hint(
            "boolean-mask",
            "A comparison such as z > 0 gives booleans; return float64 values, e.g. "
            "(z > 0).astype(np.float64).",
        ),
        Hint(
            "non-finite",
            "Your result contains NaN or infinity: look for overflow in np.exp, a division "
            "by zero, or a log of 0.",
        ),
        Hint("wrong-values", "Re-derive the formula step by step on a small example."),
        Hint(
            "hard-coded",
            "Your function returns the same answer whatever its input (hard-coded?): "
            "grading uses random inputs, so compute the answer from the arguments.",
        ),
        Hint(
            "input-modified",
            "Your function changed one of its input arrays in place; work on a copy.",
        ),
    )
}


# ----------------------------------------------------------------------------- running


class _Failure(Exception):
    """A failed comparison: the stage ("type", "shape", ...), a message and a hint."""

    def __init__(self, stage: str, message: str, hint: Hint | None = None, boolean=False):
        super().__init__(message)
        self.boolean = boolean  # a dtype failure because the answer holds booleans
        self.stage = stage
        self.message = message
        self.hint = hint


def _copy(value):
    """Copy arrays, also inside tuples, lists and dicts, so no call can change a case."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple | list):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _copy_args(args: tuple) -> tuple:
    return tuple(_copy(a) for a in args)


def _describe_value(value) -> str:
    if type(value) is np.ndarray:
        return f"ndarray {value.dtype} {value.shape}"
    if isinstance(value, np.ndarray):
        return f"{type(value).__module__}.{type(value).__name__} (an ndarray subclass)"
    if isinstance(value, tuple | list):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def _describe_args(args: tuple) -> str:
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(f"{a.dtype} array {a.shape}")
        elif callable(a):
            out.append(getattr(a, "__name__", "function"))
        elif isinstance(a, dict):
            out.append("{" + ", ".join(f"{k}: {np.shape(v)}" for k, v in a.items()) + "}")
        elif isinstance(a, tuple):
            out.append("(" + ", ".join(_describe_args(a).split("; ")) + ")")
        else:
            out.append(repr(a))
    return "; ".join(out)


def _split(out, spec: Spec, who: str) -> list[tuple[str, Any]]:
    """Return ``[(part name, value), ...]`` for the declared output structure."""
    if spec.output == "array":
        return [("result", out)]
    if spec.output == "tuple":
        if type(out) is not tuple or len(out) != len(spec.parts):
            raise _Failure(
                "type",
                f"{who} must return a tuple of {len(spec.parts)} arrays "
                f"({', '.join(spec.parts)}), got {_describe_value(out)}",
            )
        return list(zip(spec.parts, out, strict=True))
    if type(out) is not dict:
        raise _Failure(
            "type",
            f"{who} must return a dict with keys {', '.join(spec.parts)}, got "
            f"{_describe_value(out)}",
        )
    keys = set(out)
    if keys != set(spec.parts):
        missing = sorted(set(spec.parts) - keys, key=str)
        extra = sorted(keys - set(spec.parts), key=str)
        raise _Failure(
            "type",
            f"{who} must return a dict with exactly the keys {', '.join(spec.parts)}; "
            f"missing {missing}, unexpected {extra}",
        )
    return [(k, out[k]) for k in spec.parts]


def _compare(student, expected, spec: Spec, case: Case) -> None:
    """Raise `_Failure` at the first failed stage: type, shape/dtype, finite, values."""
    who = f"{spec.function}"
    mine = _split(student, spec, who)
    ref = _split(expected, spec, "reference")
    label = (lambda n: "the result") if spec.output == "array" else (lambda n: n)
    for name, value in mine:  # (1) type first, for every part
        if type(value) is not np.ndarray:
            raise _Failure(
                "type", f"{label(name)} must be a numpy ndarray, got {_describe_value(value)}"
            )
    for (name, value), (_, want) in zip(mine, ref, strict=True):
        if value.shape != want.shape:
            raise _Failure("shape", f"{label(name)} has shape {value.shape}, expected {want.shape}")
        if value.dtype != want.dtype:
            raise _Failure(
                "dtype",
                f"{label(name)} has dtype {value.dtype}, expected {want.dtype}",
                boolean=value.dtype == np.bool_,
            )
    for name, value in mine:  # (2) finite
        finite = np.isfinite(value)
        if not np.all(finite):
            idx = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise _Failure(
                "finite",
                f"{label(name)} contains {int(np.size(finite) - np.count_nonzero(finite))} "
                f"non-finite value(s), first {float(value[idx])} at index {idx}",
            )
    tol = case.tol or spec.compare
    for (name, value), (_, want) in zip(mine, ref, strict=True):  # (3) values
        err, bound, ok = within_tolerance(value, want, tol)
        if not np.all(ok):
            with np.errstate(all="ignore"):
                excess = np.where(ok, 0.0, err / np.maximum(bound, np.finfo(float).tiny))
            excess[~np.isfinite(excess)] = np.finfo(float).max  # NaN/inf count as worst
            idx = np.unravel_index(int(np.argmax(excess)), value.shape)
            idx = tuple(int(i) for i in idx)
            raise _Failure(
                "values",
                f"{label(name)} differs from the expected values in "
                f"{int(ok.size - np.count_nonzero(ok))} of {ok.size} entries; e.g. at index "
                f"{idx}: yours {float(value[idx])!r}, expected {float(want[idx])!r} "
                f"(tolerance {tol})",
            )


def within_tolerance(value: np.ndarray, want: np.ndarray, tol: Tolerance):
    """Return ``(err, bound, ok)`` with ``ok = err <= bound`` elementwise (False for NaN)."""
    with np.errstate(all="ignore"):
        err = np.abs(value - want)
    bound = tol.atol + tol.rtol * np.abs(want)
    return err, bound, err <= bound


def _fingerprint(out):
    """Hashable summary of an output made of ndarrays (None if it has anything else)."""
    if type(out) is np.ndarray:
        return ("a", out.shape, out.dtype.str, out.tobytes())
    if type(out) is tuple:
        parts = tuple(_fingerprint(o) for o in out)
        return None if None in parts else ("t", parts)
    if type(out) is dict:
        try:
            keys = sorted(out)
        except TypeError:
            return None
        parts = tuple(_fingerprint(out[k]) for k in keys)
        return None if None in parts else ("d", tuple(keys), parts)
    return None


def _draw_seed(seed) -> int:
    if seed is None:
        env = os.environ.get(SEED_ENV, "").strip()
        seed = int(env) if env else secrets.randbelow(2**32)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
    return int(seed)


def _call_student(student_fn, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return student_fn(*args)


def run_check(spec: Spec, student_fn, seed: int | None = None) -> QuestionResult:
    """Run `spec` on `student_fn`; student errors are reported, never raised.

    Parameters
    ----------
    spec : Spec
        The question, e.g. ``autograder.specs.get_spec("a1.sigmoid_grad")``.
    student_fn : callable
        The student's implementation.
    seed : int, optional
        Seed of the random cases; default ``$AUTOGRADER_SEED`` if set, else a fresh one.
        The seed is in the message, so ``run_check(spec, fn, seed=...)`` replays a run.
    """
    if not isinstance(spec, Spec):
        raise TypeError(f"run_check expects a Spec as spec, got {type(spec).__name__}")
    seed = _draw_seed(seed)
    head = f"{spec.name} (seed {seed})"

    def result(passed, message, hint=None, case=None):
        text = f"{head}: {message}"
        if hint is not None:
            text += f"\nHint [{hint.id}]: {hint.message}"
        return QuestionResult(
            name=spec.name,
            passed=passed,
            points_earned=spec.points if passed else 0,
            points_possible=spec.points,
            seed=seed,
            message=text,
            hint_id=None if hint is None else hint.id,
            case=case,
        )

    if not callable(student_fn):
        return result(
            False,
            f"{spec.function} is not a function (got {type(student_fn).__name__})",
            HINTS["not-callable"],
        )
    rng = np.random.default_rng(seed)
    cases = list(spec.cases(rng))
    first: tuple[Case, _Failure, Any, Any, str] | None = None
    seen: dict[Any, Any] = {}  # student fingerprint -> reference fingerprint
    hard_coded = False
    for i, case in enumerate(cases):
        where = f"case {i + 1}/{len(cases)} [{case.label}] with inputs {_describe_args(case.args)}"
        expected = spec.reference(*_copy_args(case.args))
        given = _copy_args(case.args)
        try:
            out = _call_student(student_fn, given)
        except (Exception, SystemExit) as exc:
            if first is not None:  # already failed: keep reporting the first failure
                break
            if isinstance(exc, NotImplementedError):
                return result(
                    False, f"{spec.function} is not implemented yet", HINTS["not-implemented"]
                )
            return result(  # the student's bug, reported, not propagated
                False,
                f"{where}: your function raised {type(exc).__name__}: {exc}",
                HINTS["exception"],
                case.label,
            )
        fp = _fingerprint(out)
        ref_fp = _fingerprint(expected)
        if fp is not None:
            if fp in seen and seen[fp] != ref_fp:
                hard_coded = True
            seen.setdefault(fp, ref_fp)
        if first is not None:
            continue
        try:
            for pos in spec.unchanged_args:  # first: a changed input explains wrong values
                if not close(given[pos], case.args[pos], rtol=1e-12, atol=0.0):
                    raise _Failure(
                        "input",
                        f"argument {pos + 1} ({_describe_args(case.args[pos : pos + 1])}) "
                        "was left changed by your function",
                        spec.unchanged_hint or HINTS["input-modified"],
                    )
            _compare(out, expected, spec, case)
        except _Failure as failure:
            first = (case, failure, out, expected, where)
    if first is None:
        return result(True, f"passed {len(cases)} of {len(cases)} random cases.")
    case, failure, out, expected, where = first
    hint = failure.hint
    if hard_coded:
        hint = HINTS["hard-coded"]
    if hint is None and failure.stage == "dtype" and failure.boolean:
        hint = HINTS["boolean-mask"]
    if hint is None and failure.stage not in ("type", "dtype") and spec.diagnose is not None:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                hint = spec.diagnose(out, expected, case)
        except Exception:
            hint = None
    if hint is None:
        hint = HINTS[
            {
                "type": "wrong-type",
                "shape": "wrong-shape",
                "dtype": "wrong-dtype",
                "finite": "non-finite",
            }.get(failure.stage, "wrong-values")
        ]
    return result(False, f"{where}: {failure.message}", hint, case.label)


def visible_tests_passed(question: str) -> None:
    """Print the verdict of a notebook's visible tests; it never claims that all tests passed."""
    print(
        f"Public tests for {question} passed. Grading uses other, random cases, so also "
        "check your reasoning."
    )


# ----------------------------------------------------------------------------- helpers for specs


def close(a, b, rtol: float = 1e-7, atol: float = 1e-10) -> bool:
    """True when `a` and `b` are same-shape float arrays equal within the tolerance."""
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def constant_ratio(a, b) -> float | None:
    """The constant c with ``a = c * b`` (to 1e-6), or None."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.size == 0:
        return None
    mask = np.abs(b) > 1e-12
    if not np.any(mask):
        return None
    c = float(np.median(a[mask] / b[mask]))
    if not math.isfinite(c):
        return None
    return c if close(a, c * b, rtol=1e-6, atol=1e-12) else None
