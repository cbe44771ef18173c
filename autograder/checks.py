r"""Checks as specifications: one declaration per graded question, run on random cases.

A `Spec` names the student's function, its points, a generator of random test cases
drawn from a seed, the reference implementation (nnlib's), how to compare, and a
`diagnose` function that recognises known mistakes. `run_check` runs a student's function
on every case and checks, case by case, in a fixed order:

1. the input arrays the spec declares unchanged (``unchanged_args``) are unchanged, to
   within `UNCHANGED_ULPS` units in the last place (an honest ``x += h; ...; x -= h``);
2. the output's structure: exactly ``np.ndarray`` (a ``tuple`` or ``dict`` of parts where
   the question returns several values, a namedtuple or any mapping such as an
   ``OrderedDict`` too; a part may be a number where the reference's is), then each
   array's shape and dtype;

3. every value finite;
4. the values, part by part, with the spec's comparator: a `Tolerance` (every error within
   ``atol + rtol * |expected|``, written positively as ``np.all(err <= tol)`` so that a
   NaN fails) or a `Band` (an interval per element, linear or logarithmic, around the
   reference's value or fixed); ``compare=None`` skips this stage;
5. the spec's predicates (`Satisfies`): procedures the grader runs on the student's
   output, e.g. "these hyper-parameters make nnlib's momentum converge".

Only when every case passed do the spec's cross-case checks (``across``) look at all
outputs together: `Deterministic` (equal inputs, e.g. the same seed, give identical
outputs), `VariesWith` (inputs that differ only in one argument, e.g. the seed, give
different outputs) and `DistinctParts` (no two returned arrays are copies of each other).

Every check works on the declared cases' inputs and the outputs alone, so the grader can
call the student's function elsewhere (a confined kernel) and replay its outputs here.
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "HINTS",
    "Band",
    "Case",
    "Deterministic",
    "DistinctParts",
    "Hint",
    "QuestionResult",
    "Satisfies",
    "Spec",
    "Tolerance",
    "VariesWith",
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
        Hint(
            "not-a-number",
            "Return a plain number (an int or a float) for this part, not a string, a bool, "
            "an array or a list.",
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
            "out-of-band",
            "Your values leave the range allowed around the expected ones: look at the "
            "first element named, the step that produces it and the ones before it.",
        ),
        Hint(
            "hard-coded",
            "Your function returns the same answer whatever its input (hard-coded?): "
            "grading uses random inputs, so compute the answer from the arguments.",
        ),
        Hint(
            "input-modified",
            "Your function changed one of its input arrays in place; work on a copy.",
        ),
        Hint(
            "not-deterministic",
            "The same inputs (the same seed) gave different outputs: draw every random "
            "number from one generator made from the seed argument, "
            "rng = np.random.default_rng(seed), not from np.random's global state.",
        ),
        Hint(
            "seed-ignored",
            "Different seeds gave the same output: make your generator from the seed "
            "argument, not from a seed written in the code.",
        ),
        Hint(
            "copies",
            "Two of the arrays you return are identical: draw each one with its own call "
            "of one generator, instead of reusing, copying or re-seeding.",
        ),
    )
}


# ----------------------------------------------------------------------------- comparators


def within_tolerance(value: np.ndarray, want: np.ndarray, tol: Tolerance):
    """Return ``(err, bound, ok)`` with ``ok = err <= bound`` elementwise (False for NaN)."""
    with np.errstate(all="ignore"):
        err = np.abs(value - want)
    bound = tol.atol + tol.rtol * np.abs(want)
    return err, bound, err <= bound


@dataclass(frozen=True)
class Tolerance:
    r"""Elementwise tolerance :math:`|y - \hat y| \le \mathrm{atol} + \mathrm{rtol}\,|\hat y|`."""

    rtol: float = 1e-9
    atol: float = 1e-12

    stage: ClassVar[str] = "values"

    def __str__(self) -> str:
        return f"{self.atol:g} + {self.rtol:g}*|expected|"

    def check(self, value: np.ndarray, want: np.ndarray) -> str | None:
        """None when every element of `value` is within tolerance of `want`, else what differs.

        The element reported is the one furthest outside its bound (NaN counts as worst).
        """
        err, bound, ok = within_tolerance(value, want, self)
        if np.all(ok):
            return None
        with np.errstate(all="ignore"):
            excess = np.atleast_1d(np.where(ok, 0.0, err / np.maximum(bound, np.finfo(float).tiny)))
        excess[~np.isfinite(excess)] = np.finfo(float).max
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), value.shape))
        mine, expected = float(value[idx]), float(want[idx])
        if idx == ():
            tail = f"yours {mine!r}, expected {expected!r} (tolerance {self})"
            return f"differs from the expected value: {tail}"
        ok = np.atleast_1d(ok)
        return (
            f"differs from the expected values in {int(ok.size - np.count_nonzero(ok))} of "
            f"{ok.size} entries; e.g. at index {idx}: yours {mine!r}, expected {expected!r} "
            f"(tolerance {self})"
        )


@dataclass(frozen=True)
class Band:
    r"""An interval per element: around the reference's value, or fixed bounds.

    For statistics that a correct answer reproduces only roughly (the spread of a layer's
    activations when the student draws the weights), or that must lie in a range whatever
    the reference says. The message names the first element outside its band with
    `element`, and the band.

    Attributes
    ----------
    width : float, optional
        Around the reference value :math:`r`: ``scale="linear"`` allows
        :math:`[r - w, r + w]`; ``scale="log"`` allows :math:`[r / w, r \cdot w]` (w > 1,
        "within a factor w"), for values spanning orders of magnitude.
    scale : {"linear", "log"}
        A log band holds positive values only and reports how many times too small or
        too large a value is.
    lower, upper : float or sequence of float, optional
        Fixed bounds instead (one per element, or one for all); either may be omitted.
        Give `width` or the bounds, not both.
    element : str
        How the message names an element: ``{i}`` becomes its index, counted from
        `start` in a 1-D array ("layer {i}" -> "layer 7"), numpy's index tuple otherwise.
    start : int
        The index of a 1-D array's first element in `element`.
    """

    width: float | None = None
    scale: str = "linear"
    lower: float | Sequence[float] | None = None
    upper: float | Sequence[float] | None = None
    element: str = "element {i}"
    start: int = 1

    stage: ClassVar[str] = "band"

    def __post_init__(self) -> None:
        if self.scale not in ("linear", "log"):
            raise ValueError(f"Band scale must be 'linear' or 'log', got {self.scale!r}")
        fixed = self.lower is not None or self.upper is not None
        if (self.width is None) == (not fixed):
            raise ValueError("Band needs either width or lower/upper bounds, not both")
        if self.width is not None and not self.width > (1.0 if self.scale == "log" else 0.0):
            limit = "> 1 (a factor)" if self.scale == "log" else "> 0"
            raise ValueError(f"Band width must be {limit} for scale {self.scale!r}")
        if "{i}" not in self.element:
            raise ValueError(f"Band element must contain '{{i}}', got {self.element!r}")

    def __str__(self) -> str:
        if self.width is None:
            return f"[{_bound_text(self.lower, '-inf')}, {_bound_text(self.upper, 'inf')}]"
        return f"expected {'×/÷' if self.scale == 'log' else '±'} {self.width:g}"

    def bounds(self, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The band ``(low, high)`` of every element, shaped like `want`."""
        want = np.asarray(want, dtype=np.float64)
        if self.width is None:
            lo = -np.inf if self.lower is None else np.asarray(self.lower, dtype=np.float64)
            hi = np.inf if self.upper is None else np.asarray(self.upper, dtype=np.float64)
            return np.broadcast_to(lo, want.shape), np.broadcast_to(hi, want.shape)
        if self.scale == "log":
            return want / self.width, want * self.width
        return want - self.width, want + self.width

    def name(self, idx: tuple, ndim: int) -> str:
        """The element's name in messages, e.g. ``"layer 7"`` (`idx` of an array, ndim >= 1)."""
        return self.element.format(i=idx[0] + self.start if ndim == 1 else idx)

    def check(self, value: np.ndarray, want: np.ndarray) -> str | None:
        """None when every element of `value` lies in its band, else the first one outside."""
        lo, hi = self.bounds(want)
        with np.errstate(all="ignore"):
            ok = (value >= lo) & (value <= hi)
            if self.scale == "log":
                ok &= value > 0
        if np.all(ok):
            return None
        ok = np.atleast_1d(ok)
        first = np.argwhere(~ok)[0]
        idx = tuple(int(i) for i in first) if np.ndim(value) else ()
        mine, low, high = float(value[idx]), float(lo[idx]), float(hi[idx])
        if idx == ():
            text = f"is {mine:.4g}, outside its band [{low:.4g}, {high:.4g}]"
        else:
            text = (
                f"has {int(ok.size - np.count_nonzero(ok))} of {ok.size} values outside "
                f"their bands; first {self.name(idx, np.ndim(value))}: yours {mine:.4g}, "
                f"allowed [{low:.4g}, {high:.4g}]"
            )
        expected = None if self.width is None else float(want[idx])
        if expected is not None:
            text += f" (expected {expected:.4g} {'×/÷' if self.scale == 'log' else '±'}"
            text += f" {self.width:g})"
        if self.scale == "log":
            text += "; yours is " + _factor_text(mine, expected, low, high)
        return text


def _bound_text(bound, missing: str) -> str:
    if bound is None:
        return missing
    values = np.atleast_1d(np.asarray(bound, dtype=np.float64))
    return f"{values[0]:.4g}" if values.size == 1 else f"{values.min():.4g}..{values.max():.4g}"


def _factor_text(value: float, want: float | None, low: float, high: float) -> str:
    """How far a value is off on a log band, in words: against the expected value when
    the band is around one, else against the bound it crosses."""
    if not value > 0:
        return "a log band holds positive values only"
    if want is not None and want > 0:
        ratio = value / want
        return (
            f"{ratio:.3g} times the expected"
            if ratio >= 1
            else f"1/{1 / ratio:.3g} of the expected"
        )
    return (
        f"{low / value:.3g} times too small"
        if value < low
        else f"{value / high:.3g} times too large"
    )


@dataclass(frozen=True)
class Satisfies:
    """A property of the student's output that the grader tests by running a procedure.

    Attributes
    ----------
    test : callable
        ``test(output, case) -> None`` when the property holds, else a message saying
        what happened ("with lr=0.02, mu=0 nnlib's momentum ends at f = 3e-3 after 120
        steps"). `output` is the student's whole output (a tuple for ``output="tuple"``);
        `case` gives the inputs. An exception it raises (e.g. nnlib refusing a value)
        counts as a failure with its message.
    description : str
        The requirement in words, for documentation and the course site.
    hint : Hint, optional
        Reported when the test fails and the spec's `diagnose` names nothing more precise
        (default: the generic "wrong-values").
    """

    test: Callable[[Any, Case], str | None]
    description: str
    hint: Hint | None = None


# ----------------------------------------------------------------------------- cross-case checks


@dataclass(frozen=True)
class _Ran:
    """One case that ran: its number (from 1), the case, and both outputs split in parts."""

    number: int
    case: Case
    mine: list[tuple[str, Any]]
    ref: list[tuple[str, Any]]


def _same(a, b) -> bool:
    """Bitwise-identical values (arrays: same shape, dtype and bytes; NaNs included)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    return _key(a) == _key(b)


def _key(value):
    """A hashable stand-in for an input or output value, equal for equal values."""
    if isinstance(value, np.ndarray):
        return ("a", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return ("d", tuple((repr(k), _key(v)) for k, v in value.items()))
    if isinstance(value, float | np.floating):
        return ("f", np.float64(value).tobytes())
    if callable(value):
        return ("c", id(value))
    return ("v", repr(value))


def _pair_text(a: _Ran, b: _Ran) -> str:
    return f"cases {a.number} [{a.case.label}] and {b.number} [{b.case.label}]"


def _part_name(name: str, single: bool) -> str:
    return "the result" if single else name


@dataclass(frozen=True)
class Deterministic:
    """Cases with equal inputs (e.g. the same seed twice) must give identical outputs.

    The spec's cases must contain at least one such pair (else the spec is misconfigured
    and `run_check` raises ValueError).
    """

    hint: Hint | None = None
    default_hint: ClassVar[str] = "not-deterministic"

    def check(self, ran: list[_Ran], single: bool) -> str | None:
        """None when every pair of equal-input cases gave identical outputs."""
        first: dict[Any, _Ran] = {}
        pairs = 0
        for r in ran:
            key = _key(r.case.args)
            if key not in first:
                first[key] = r
                continue
            pairs += 1
            for (name, a), (_, b) in zip(first[key].mine, r.mine, strict=True):
                if not _same(a, b):
                    return (
                        f"{_pair_text(first[key], r)} have the same inputs, yet "
                        f"{_part_name(name, single)} differs between them"
                    )
        if pairs == 0:
            raise ValueError("Deterministic needs two cases with equal inputs; the spec has none")
        return None


@dataclass(frozen=True)
class VariesWith:
    """Cases whose inputs differ only in argument `arg` must give different outputs.

    Every part must change, except a part that the reference leaves unchanged too (e.g.
    biases initialised to zero). The spec's cases must contain such a pair.

    Attributes
    ----------
    arg : int
        Position of the argument (0 = first), e.g. the seed's.
    name : str
        Its name in messages, e.g. ``"seed"``.
    """

    arg: int
    name: str
    hint: Hint | None = None
    default_hint: ClassVar[str] = "seed-ignored"

    def check(self, ran: list[_Ran], single: bool) -> str | None:
        """None when every such pair gave outputs that differ in every varying part."""
        pairs = 0
        for i, a in enumerate(ran):
            for b in ran[i + 1 :]:
                if not self._differ_only_here(a.case.args, b.case.args):
                    continue
                pairs += 1
                for k, ((name, x), (_, y)) in enumerate(zip(a.mine, b.mine, strict=True)):
                    if _same(x, y) and not _same(a.ref[k][1], b.ref[k][1]):
                        return (
                            f"{_pair_text(a, b)} differ only in {self.name} "
                            f"({a.case.args[self.arg]!r} vs {b.case.args[self.arg]!r}), yet "
                            f"{_part_name(name, single)} is the same in both"
                        )
        if pairs == 0:
            raise ValueError(
                f"VariesWith({self.arg}) needs two cases that differ only in argument "
                f"{self.arg}; the spec has none"
            )
        return None

    def _differ_only_here(self, a: tuple, b: tuple) -> bool:
        if len(a) != len(b) or self.arg >= len(a):
            return False
        return all(
            (_key(x) == _key(y)) == (k != self.arg)
            for k, (x, y) in enumerate(zip(a, b, strict=True))
        )


@dataclass(frozen=True)
class DistinctParts:
    """No two same-shaped array parts of one output may be identical copies.

    Parts that are identical in the reference's output too (two zero bias vectors) are
    exempt.
    """

    hint: Hint | None = None
    default_hint: ClassVar[str] = "copies"

    def check(self, ran: list[_Ran], single: bool) -> str | None:
        """None when no case returned two identical parts (that the reference keeps apart)."""
        for r in ran:
            for i, (name_a, a) in enumerate(r.mine):
                for j in range(i + 1, len(r.mine)):
                    name_b, b = r.mine[j]
                    if (
                        isinstance(a, np.ndarray)
                        and a.size > 1
                        and _same(a, b)
                        and not _same(r.ref[i][1], r.ref[j][1])
                    ):
                        return (
                            f"case {r.number} [{r.case.label}]: {name_a} and {name_b} are "
                            "identical copies"
                        )
        return None


Across = Deterministic | VariesWith | DistinctParts
Comparator = Tolerance | Band


# ----------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Case:
    """One set of inputs for the student's function.

    ``args`` are passed positionally (each call gets fresh copies of the arrays); ``label``
    says what the case tests ("random shape (1, 7)", "edge |z| in [20, 35]"); ``tol``
    overrides the spec's comparator for every part; ``meta`` carries what `diagnose` needs
    to know about the case (e.g. the exact gradient of a test function).
    """

    args: tuple
    label: str
    tol: Comparator | None = None
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
        The correct implementation, called with the same ``args`` as the student's; its
        output also fixes the structure the student's must have (types, shapes, dtypes).
    compare : Tolerance, Band, dict or None
        How each part's values are compared with the reference's: one comparator for
        every part, a dict part name -> comparator (a part left out is not compared), or
        None (no comparison: `satisfies` and `across` decide). A `Case` may override it.
    diagnose : callable or None
        ``diagnose(student_out, reference_out, case) -> Hint | None`` names a known mistake
        from the first failing case (it may raise; that counts as "no diagnosis").
    output : {"array", "tuple", "dict"}
        What the function returns: one ndarray, a tuple of parts (named by `parts`), or a
        dict with exactly the keys `parts`. A part is an ndarray, or a number (int or
        float, not bool) where the reference returns a number.
    parts : tuple of str
        Names of the tuple's entries / the dict's keys.
    unchanged_args : tuple of int
        Positions of array arguments the student's function must leave unchanged;
        `unchanged_hint` is reported when it does not. "Unchanged" allows
        `UNCHANGED_ULPS` units in the last place of ``|entry| + unchanged_scale``, so an
        honest in-place edit undone by arithmetic (``x += h; ...; x -= h``) passes.
    unchanged_scale : callable or None
        ``unchanged_scale(case, position) -> float``: the largest magnitude an honest
        in-place computation reaches in that argument beyond its own entries, e.g.
        ``2 * h`` for a central difference that steps ``x + h`` then ``x - h`` (its
        roundings are ulps of ``|x| + 2h``, not of ``|x|``); None is 0.
    satisfies : tuple of Satisfies
        Predicates on each case's output, tested after the values.
    across : tuple of Deterministic, VariesWith or DistinctParts
        Checks on all cases' outputs together, run once every case has passed.
    """

    name: str
    function: str
    points: int
    cases: Callable[[np.random.Generator], Iterable[Case]]
    reference: Callable
    compare: Comparator | Mapping[str, Comparator] | None = Tolerance()
    diagnose: Callable[[Any, Any, Case], Hint | None] | None = None
    output: str = "array"
    parts: tuple[str, ...] = ()
    unchanged_args: tuple[int, ...] = ()
    unchanged_hint: Hint | None = None
    unchanged_scale: Callable[[Case, int], float] | None = None
    satisfies: tuple[Satisfies, ...] = ()
    across: tuple[Across, ...] = ()

    def __post_init__(self) -> None:
        if self.output not in ("array", "tuple", "dict"):
            raise ValueError(
                f"{self.name}: output must be 'array', 'tuple' or 'dict', got {self.output!r}"
            )
        if (self.output == "array") != (not self.parts):
            raise ValueError(f"{self.name}: parts name a tuple's or dict's entries, and only those")
        if isinstance(self.compare, Mapping) and not set(self.compare) <= set(self.parts):
            raise ValueError(
                f"{self.name}: compare names parts {sorted(self.compare)} of {self.parts}"
            )
        if self.compare is None and not self.satisfies and not self.across:
            raise ValueError(f"{self.name}: compare=None needs satisfies or across checks")
        for item in self.satisfies:
            if not isinstance(item, Satisfies):
                raise TypeError(
                    f"{self.name}: satisfies holds Satisfies, got {type(item).__name__}"
                )
        for item in self.across:
            if not isinstance(item, Deterministic | VariesWith | DistinctParts):
                raise TypeError(
                    f"{self.name}: across holds Deterministic, VariesWith or DistinctParts, "
                    f"got {type(item).__name__}"
                )

    def comparator(self, part: str, case: Case) -> Comparator | None:
        """How `part` of `case` is compared (None: not compared)."""
        if case.tol is not None:
            return case.tol
        if isinstance(self.compare, Mapping):
            return self.compare.get(part)
        return self.compare


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


# ----------------------------------------------------------------------------- one case


class _Failure(Exception):
    """A failed check: the stage ("type", "shape", ...), a message and hints.

    `hint` is final (diagnose is not asked); `fallback` is used when diagnose names nothing.
    """

    def __init__(
        self,
        stage: str,
        message: str,
        hint: Hint | None = None,
        boolean: bool = False,
        fallback: Hint | None = None,
    ):
        super().__init__(message)
        self.boolean = boolean  # a dtype failure because the answer holds booleans
        self.stage = stage
        self.message = message
        self.hint = hint
        self.fallback = fallback


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


def _is_number(value) -> bool:
    """A real number that is not a bool (Python's or numpy's) and not an array."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


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
                f"{who} must return a tuple of {len(spec.parts)} values "
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


def _check_structure(mine, ref, label) -> None:
    """Types first for every part, then each array's shape and dtype."""
    for (name, value), (_, want) in zip(mine, ref, strict=True):
        if _is_number(want):
            if not _is_number(value):
                raise _Failure(
                    "type",
                    f"{label(name)} must be a number (float), got {_describe_value(value)}",
                    HINTS["not-a-number"],
                )
        elif type(value) is not np.ndarray:
            raise _Failure(
                "type", f"{label(name)} must be a numpy ndarray, got {_describe_value(value)}"
            )
    for (name, value), (_, want) in zip(mine, ref, strict=True):
        if _is_number(want):
            continue
        if value.shape != want.shape:
            raise _Failure("shape", f"{label(name)} has shape {value.shape}, expected {want.shape}")
        if value.dtype != want.dtype:
            raise _Failure(
                "dtype",
                f"{label(name)} has dtype {value.dtype}, expected {want.dtype}",
                boolean=value.dtype == np.bool_,
            )


def _check_finite(mine, label) -> None:
    for name, value in mine:
        value = np.asarray(value)
        finite = np.isfinite(value)
        if not np.all(finite):
            if value.ndim == 0:
                raise _Failure("finite", f"{label(name)} is {float(value)}, not a finite number")
            idx = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise _Failure(
                "finite",
                f"{label(name)} contains {int(np.size(finite) - np.count_nonzero(finite))} "
                f"non-finite value(s), first {float(value[idx])} at index {idx}",
            )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _check_values(mine, ref, spec: Spec, case: Case, label) -> None:
    """Compare every part; report the first failing one and say which others are right."""
    failing, right = [], []
    for (name, value), (_, want) in zip(mine, ref, strict=True):
        comparator = spec.comparator(name, case)
        if comparator is None:
            continue
        message = comparator.check(
            np.asarray(value, dtype=np.float64) if _is_number(value) else value,
            np.asarray(want, dtype=np.float64) if _is_number(want) else want,
        )
        if message is None:
            right.append(name)
        else:
            failing.append((name, message, comparator.stage))
    if not failing:
        return
    name, message, stage = failing[0]
    text = f"{label(name)} {message}"
    if len(failing) > 1:
        others = [f[0] for f in failing[1:]]
        text += f"; {_and(others)} {'is' if len(others) == 1 else 'are'} wrong too"
    if right and spec.output != "array":
        text += f"; {_and(right)} {'is' if len(right) == 1 else 'are'} right"
    raise _Failure(stage, text)


def _check_predicates(out, spec: Spec, case: Case) -> None:
    for item in spec.satisfies:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                message = item.test(out, case)
        except Exception as exc:  # e.g. nnlib refusing the student's value
            message = f"checking it raised {type(exc).__name__}: {exc}"
        if message is not None:
            raise _Failure(
                "predicate",
                f"{message} (required: {item.description})",
                fallback=item.hint,
            )


def _compare(student, expected, spec: Spec, case: Case) -> None:
    """Raise `_Failure` at the first failed stage: type, shape/dtype, finite, values, predicates."""
    mine = _split(student, spec, f"{spec.function}")
    ref = _split(expected, spec, "reference")
    label = (lambda n: "the result") if spec.output == "array" else (lambda n: n)
    _check_structure(mine, ref, label)
    _check_finite(mine, label)
    _check_values(mine, ref, spec, case, label)
    _check_predicates(student, spec, case)


def _fingerprint(out):
    """Hashable summary of an output made of ndarrays and numbers (None if anything else)."""
    if type(out) is np.ndarray:
        return ("a", out.shape, out.dtype.str, out.tobytes())
    if _is_number(out):
        return ("n", np.float64(out).tobytes())
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
        return _plain(student_fn(*args))


def _plain(value, depth: int = 0):
    """`value` with a tuple subclass (a namedtuple) made a tuple and a mapping (an
    OrderedDict) a dict, two levels deep as the judge's wire format sends them: equal
    values in an equivalent container are a correct answer. A list stays a list (the
    questions ask for a tuple, and their visible tests check ``isinstance(out, tuple)``)."""
    if depth >= 2 or type(value) is np.ndarray:
        return value
    if isinstance(value, tuple):
        return tuple(_plain(v, depth + 1) for v in tuple.__iter__(value))
    if isinstance(value, Mapping):
        return {k: _plain(value[k], depth + 1) for k in list(value.keys())}
    return value


#: How many units in the last place an argument declared unchanged may move (see
#: `Spec.unchanged_args`): ``x += h; x -= 2*h; x += h`` rounds three times, each by at
#: most half an ulp of ``|x| + 2h``, so 1.5 ulps; 4 leaves room for a fourth step, while
#: any real modification (zeroing x, leaving x + h in place) is off by far more.
UNCHANGED_ULPS = 4


def _float_pair(a, b) -> tuple[np.ndarray, np.ndarray] | None:
    """`a` and `b` as float64 arrays of one shape, or None if either is not numeric or
    their shapes differ: the common first step of every comparison below."""
    try:
        a = np.asarray(a, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return (a, b) if a.shape == b.shape else None


def _left_changed(after, before, scale: float = 0.0) -> bool:
    """True unless `after` equals `before` within `UNCHANGED_ULPS` ulps of ``|before| + scale``."""
    pair = _float_pair(after, before)
    if pair is None:
        return True
    a, b = pair
    with np.errstate(all="ignore"):
        allowed = UNCHANGED_ULPS * np.spacing(np.abs(b) + abs(float(scale)))
        ok = (a == b) | (np.abs(a - b) <= allowed)  # NaN in `after` is a change
    return not bool(np.all(ok))


# ----------------------------------------------------------------------------- all cases


@dataclass
class _Run:
    """What running the cases gave: every output, the first failure, and what else was seen.

    `first` is ``(case, failure, student output, expected output, where)``; `raised` is
    ``(message, hint, case label)`` when the student's function raised before any failure.
    """

    ran: list[tuple[Case, Any, Any]] = field(default_factory=list)
    first: tuple[Case, _Failure, Any, Any, str] | None = None
    raised: tuple[str, Hint, str | None] | None = None
    hard_coded: bool = False


def _run_cases(spec: Spec, student_fn, cases: list[Case]) -> _Run:
    """Call `student_fn` on every case and check each output; stop at an exception."""
    run = _Run()
    seen: dict[Any, Any] = {}  # student fingerprint -> reference fingerprint
    for i, case in enumerate(cases):
        where = f"case {i + 1}/{len(cases)} [{case.label}] with inputs {_describe_args(case.args)}"
        expected = spec.reference(*_copy_args(case.args))
        given = _copy_args(case.args)
        try:
            out = _call_student(student_fn, given)
        except (Exception, SystemExit) as exc:
            if run.first is None:  # else: keep reporting the first failure
                run.raised = _raised(spec, exc, where, case)
            break
        fp, ref_fp = _fingerprint(out), _fingerprint(expected)
        if fp is not None:
            run.hard_coded |= fp in seen and seen[fp] != ref_fp
            seen.setdefault(fp, ref_fp)
        run.ran.append((case, out, expected))
        if run.first is not None:
            continue
        try:
            for pos in spec.unchanged_args:  # first: a changed input explains wrong values
                scale = 0.0 if spec.unchanged_scale is None else spec.unchanged_scale(case, pos)
                if _left_changed(given[pos], case.args[pos], scale):
                    raise _Failure(
                        "input",
                        f"argument {pos + 1} ({_describe_args(case.args[pos : pos + 1])}) "
                        "was left changed by your function",
                        spec.unchanged_hint or HINTS["input-modified"],
                    )
            _compare(out, expected, spec, case)
        except _Failure as failure:
            run.first = (case, failure, out, expected, where)
    return run


def _raised(spec: Spec, exc: BaseException, where: str, case: Case):
    if isinstance(exc, NotImplementedError):
        return f"{spec.function} is not implemented yet", HINTS["not-implemented"], None
    return (  # the student's bug, reported, not propagated
        f"{where}: your function raised {type(exc).__name__}: {exc}",
        HINTS["exception"],
        case.label,
    )


_STAGE_HINTS = {
    "type": "wrong-type",
    "shape": "wrong-shape",
    "dtype": "wrong-dtype",
    "finite": "non-finite",
    "band": "out-of-band",
}


def _hint_for(spec: Spec, run: _Run) -> Hint:
    """The hint of the first failure: hard-coding, the failure's own, diagnose, or generic."""
    case, failure, out, expected, _ = run.first
    if run.hard_coded:
        return HINTS["hard-coded"]
    hint = failure.hint
    if hint is None and failure.stage == "dtype" and failure.boolean:
        hint = HINTS["boolean-mask"]
    if hint is None and failure.stage not in ("type", "dtype") and spec.diagnose is not None:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                hint = spec.diagnose(out, expected, case)
        except Exception:
            hint = None
    return hint or failure.fallback or HINTS[_STAGE_HINTS.get(failure.stage, "wrong-values")]


def _check_across(spec: Spec, run: _Run) -> tuple[str, Hint] | None:
    """The first cross-case check that fails, as ``(message, hint)``, or None."""
    if not spec.across:
        return None
    ran = [
        _Ran(i + 1, case, _split(out, spec, spec.function), _split(exp, spec, "reference"))
        for i, (case, out, exp) in enumerate(run.ran)
    ]
    for item in spec.across:
        message = item.check(ran, spec.output == "array")
        if message is not None:
            return message, item.hint or HINTS[item.default_hint]
    return None


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

    Returns
    -------
    QuestionResult
        All or nothing: the spec's points when every case and every cross-case check
        passed. The message names the first failing case and its inputs, and the hint
        the likely mistake.

    Raises
    ------
    TypeError
        `spec` is not a `Spec`.
    ValueError
        A bad `seed`, or a cross-case check whose spec has no pair of cases to compare.
    """
    if not isinstance(spec, Spec):
        raise TypeError(f"run_check expects a Spec as spec, got {type(spec).__name__}")
    seed = _draw_seed(seed)

    def result(passed, message, hint=None, case=None):
        text = f"{spec.name} (seed {seed}): {message}"
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
    cases = list(spec.cases(np.random.default_rng(seed)))
    run = _run_cases(spec, student_fn, cases)
    if run.raised is not None:
        return result(False, *run.raised)
    if run.first is not None:
        case, failure, _, _, where = run.first
        return result(False, f"{where}: {failure.message}", _hint_for(spec, run), case.label)
    across = _check_across(spec, run)
    if across is not None:
        return result(False, f"after all {len(cases)} cases: {across[0]}", across[1])
    return result(True, f"passed {len(cases)} of {len(cases)} random cases.")


def visible_tests_passed(question: str) -> None:
    """Print the verdict of a notebook's visible tests; it never claims that all tests passed."""
    print(
        f"Public tests for {question} passed. Grading uses other, random cases, so also "
        "check your reasoning."
    )


# ----------------------------------------------------------------------------- helpers for specs


def close(a, b, rtol: float = 1e-7, atol: float = 1e-10) -> bool:
    """True when `a` and `b` are same-shape float arrays equal within the tolerance."""
    pair = _float_pair(a, b)
    if pair is None:
        return False
    a, b = pair
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def constant_ratio(a, b) -> float | None:
    """The constant c with ``a = c * b`` (to 1e-6), or None."""
    pair = _float_pair(a, b)
    if pair is None or pair[0].size == 0:
        return None
    a, b = pair
    mask = np.abs(b) > 1e-12
    if not np.any(mask):
        return None
    c = float(np.median(a[mask] / b[mask]))
    if not math.isfinite(c):
        return None
    return c if close(a, c * b, rtol=1e-6, atol=1e-12) else None
