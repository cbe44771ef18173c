r"""Check-yourself helpers for the lecture notebooks: pass, or where the answer goes wrong.

A check compares a student's answer with nnlib's reference and says either that it is
right or **where** it goes wrong (the input on which a gate misfires, the component of a
vector that differs). It never shows the solution: no reference weight, threshold or
value appears in a message, and the expected value of `check_value` may be a function,
so that it is computed only inside the check.

An exercise stub is ``None`` (``w_nand = None  # your answer``); a check of ``None``
says "not answered yet" and does not raise, so a notebook with unanswered exercises
still runs top to bottom.

Each check prints its message and returns a `CheckResult`, which is true when the answer
is right. In a notebook the message appears once even when the check is the last line
of a cell (the result does not repeat it).

Examples
--------
>>> result = check_gate("nand", [1, 1], 2)
✗ NAND: for input (0, 0) your neuron outputs 0, but NAND gives 1: the weighted sum of this
input stays below your threshold, and it should reach it. (Wrong on 4 of 4 inputs.)
>>> bool(result)
False
>>> check_gate("nand", None, None).answered
✗ NAND: not answered yet. Replace None with your weights and threshold.
False
>>> check_gate("nand", None, None, show=False)  # in a notebook: shown once, not twice
✗ NAND: not answered yet. Replace None with your weights and threshold.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import classic, questions
from ._checks import as_array, check_bool, check_choice, check_int, check_number

__all__ = [
    "CheckResult",
    "check_answer",
    "check_gate",
    "check_hebb_weights",
    "check_perceptron_step",
    "check_value",
]

_PASS, _FAIL = "✓", "✗"


def _execution_count() -> int | None:
    """Return the IPython cell number being executed, or None outside IPython."""
    if "IPython" not in sys.modules:  # never import IPython just to ask
        return None
    ipython = sys.modules["IPython"].get_ipython()
    return None if ipython is None else ipython.execution_count


@dataclass
class CheckResult:
    """The outcome of a check: true when the answer is right.

    Attributes
    ----------
    ok : bool
        The answer is right.
    message : str
        What was found, starting with ✓ or ✗; never the solution.
    answered : bool
        False when the answer was still ``None`` (the stub).

    Notes
    -----
    ``bool(result)`` is `ok`. ``str(result)`` and ``repr(result)`` are the message. In
    IPython, displaying the result in the cell whose check already printed it shows
    nothing more (so a check on the last line of a cell does not print twice); displayed
    later, it shows the message.
    """

    ok: bool
    message: str
    answered: bool = True
    _printed_in: int | None = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        count = _execution_count()
        if self._printed_in is not None and self._printed_in == count:
            return  # already printed by the check in this very cell
        print(self.message)


def _finish(result: CheckResult, show: bool) -> CheckResult:
    """Print the message (when `show`) and remember in which cell it was printed."""
    if check_bool(show, "show"):
        print(result.message)
        result._printed_in = _execution_count()
    return result


def _is_none(value) -> bool:
    """Tell whether `value` is None or a stub holding a None (``(None, None)``)."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return False
    if isinstance(value, np.ndarray):
        return value.dtype == object and any(v is None for v in value.ravel())
    if isinstance(value, Sequence):
        return any(_is_none(v) for v in value)
    return False


def _pattern_text(x: np.ndarray) -> str:
    """``(1, 0)`` for a two-input pattern, ``1`` for a single input."""
    values = [str(int(v)) for v in x]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _value_text(v: float) -> str:
    """Format a student's number as they would write it: ``1`` rather than ``1.0``."""
    v = float(v)
    if v == 0.0:
        return "0"
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"


def check_gate(name, weights, threshold, *, show: bool = True) -> CheckResult:
    r"""Check a McCulloch-Pitts neuron (weights, threshold) against a logic gate.

    The neuron :math:`y = [\,w \cdot x \ge \theta\,]` is run on the gate's whole truth
    table (`nnlib.classic.gate_truth_table`, inputs in the order (0, 0), (0, 1), (1, 0),
    (1, 1)). The message names the **first input** where it differs from the gate, what
    it outputs there and what the gate gives, and which way the weighted sum is off with
    respect to the threshold; it counts the wrong inputs. Any (weights, threshold) that
    computes the gate passes; the message never contains a reference solution.

    Parameters
    ----------
    name : {"and", "or", "not", "nand", "nor"}
        The gate (``"xor"`` is refused: no single neuron computes it).
    weights : array_like, shape (2,), or (1,) for "not"; or None
        The student's weights. ``None`` (or a stub containing ``None``): not answered yet.
    threshold : float or None
        The student's threshold :math:`\theta`.
    show : bool, default True
        Print the message.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        For an unknown gate, ``"xor"``, or weights of the wrong length.
    TypeError
        For weights or a threshold that are not numbers.

    Examples
    --------
    >>> ok = check_gate("and", [1, 1], 1.5)
    ✓ AND: your neuron is right on all 4 inputs.
    >>> ok = check_gate("nor", [-1, -1], -1)   # the NAND threshold
    ✗ NOR: for input (0, 1) your neuron outputs 1, but NOR gives 0: the weighted sum of this
    input reaches your threshold, and it should stay below it. (Wrong on 2 of 4 inputs.)
    """
    name = check_choice(name, "name", classic.GATES)
    if name == "xor":
        raise ValueError(
            "name 'xor' cannot be checked as one neuron: no single McCulloch-Pitts neuron "
            "computes XOR (see nnlib.classic.xor_network for a two-layer one)"
        )
    gate = name.upper()
    if _is_none(weights) or threshold is None:
        missing = "weights and threshold"
        if not _is_none(weights):
            missing = "threshold"
        elif threshold is not None:
            missing = "weights"
        message = f"{_FAIL} {gate}: not answered yet. Replace None with your {missing}."
        return _finish(CheckResult(ok=False, message=message, answered=False), show)

    X, target = classic.gate_truth_table(name)
    w = as_array(weights, "weights", ndim=(0, 1), finite=True).reshape(-1)
    if w.shape[0] != X.shape[1]:
        n = X.shape[1]
        raise ValueError(
            f"weights must hold {n} number{'s' if n > 1 else ''} for {gate} (one per input), "
            f"got {w.shape[0]}"
        )
    out = classic.MCPNeuron(w, threshold)(X)  # checks the threshold: a finite number
    wrong = np.flatnonzero(out != target)
    if wrong.size == 0:
        message = f"{_PASS} {gate}: your neuron is right on all {len(target)} inputs."
        return _finish(CheckResult(ok=True, message=message), show)

    i = int(wrong[0])
    if out[i] == 1:
        why = "reaches your threshold, and it should stay below it"
    else:
        why = "stays below your threshold, and it should reach it"
    message = (
        f"{_FAIL} {gate}: for input {_pattern_text(X[i])} your neuron outputs {int(out[i])}, "
        f"but {gate} gives {int(target[i])}: the weighted sum of this input {why}."
    )
    if wrong.size > 1:
        message += f" (Wrong on {wrong.size} of {len(target)} inputs.)"
    return _finish(CheckResult(ok=False, message=message), show)


def check_answer(key: str, answer, *, show: bool = True) -> CheckResult:
    """Check a letter chosen for one of the lessons' multiple-choice questions.

    The lesson's markdown asks the question and lists its options (a), (b), ...; the
    right option and the feedback for each option are in `nnlib.questions` (one data
    module per lesson), so the notebook never shows the solution. A wrong option's
    feedback names the misconception that leads to it.

    Parameters
    ----------
    key : str
        The question, ``"NN.name"``: the lesson number and the question's name, e.g.
        ``"04.change-loss"``.
    answer : str or None
        The chosen option, one letter (``"b"``; ``"B"`` and ``"(b)"`` are read as ``"b"``).
        ``None``: not answered yet.
    show : bool, default True
        Print the message.

    Returns
    -------
    CheckResult

    Raises
    ------
    TypeError
        When `answer` is not a string (or None).
    ValueError
        When `answer` is not one of the question's options (the message lists them), or
        `key` names no question.
    """
    entry = questions.question(key)
    options = sorted(entry["feedback"])
    listed = ", ".join(f"'{o}'" for o in options)
    title = entry["title"]
    if answer is None:
        message = f"{_FAIL} {title}: not answered yet. Set answer to one of {listed}."
        return _finish(CheckResult(ok=False, message=message, answered=False), show)
    if not isinstance(answer, str):
        raise TypeError(f"answer must be one letter ({listed}), got {type(answer).__name__}")
    letter = answer.strip().strip("()").strip().lower()
    if letter not in entry["feedback"]:
        raise ValueError(f"answer must be one of {listed}, got {answer!r}")
    ok = letter == entry["correct"]
    verdict = f"({letter}) is right." if ok else f"({letter}) is not the answer."
    message = f"{_PASS if ok else _FAIL} {title}: {verdict} {entry['feedback'][letter]}"
    return _finish(CheckResult(ok=ok, message=message), show)


def _default_labels(name: str, shape: tuple[int, ...]) -> list[str]:
    """``name`` for a scalar, ``name[i]`` for a vector, ``name[i, j]`` for a matrix."""
    if shape == ():
        return [name]
    return [f"{name}[{', '.join(map(str, idx))}]" for idx in np.ndindex(*shape)]


def check_value(
    name: str,
    answer,
    expected,
    *,
    labels: Sequence[str] | None = None,
    hints: Mapping[str, str] | Sequence[str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-6,
    direction: bool = False,
    show: bool = True,
) -> CheckResult:
    r"""Check a numeric answer (a number or an array) against nnlib's value, without showing it.

    Each component passes when :math:`|a - e| \le \text{atol} + \text{rtol}\,|e|`
    (``numpy.isclose``). The message names every wrong component with the student's value
    and says that a different value was expected, with the hint for that component if one
    is given, e.g. ``"w2 is 1, expected a different value (check the second pattern's
    x2 · t)."``. The expected value never appears.

    Parameters
    ----------
    name : str
        What is checked, e.g. ``"Hebb weights after three patterns"``.
    answer : float, array_like or None
        The student's answer; ``None`` (or a stub containing ``None``): not answered yet.
        Any shape with as many values as `expected` (a list for a vector is fine).
    expected : float, array_like, or callable returning one
        The right value, e.g. ``lambda: nnlib.classic.hebb(X[:3], t[:3]).final_w``. A
        callable is only called once the answer is given.
    labels : sequence of str, optional
        Names of the components in order (``("w1", "w2", "b")``); default `name`, or
        ``name[i]``.
    hints : mapping label -> str, or sequence of str (one per component), optional
        Hints shown for a wrong component.
    rtol, atol : float >= 0, default 1e-6
        Tolerances; raise `atol` for answers computed by hand and rounded (e.g. 0.01).
    direction : bool, default False
        Say which way each wrong component is off instead of repeating the student's
        value: ``"w2 is too large."`` / ``"b is too small."`` (still never the expected
        value).
    show : bool, default True
        Print the message.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        When the answer holds a different number of values than expected (the message
        gives the number and the labels), or labels/hints do not match.
    TypeError
        When the answer is not numbers.

    Examples
    --------
    >>> ok = check_value("w after one update", [1, 3], [1, 2], labels=("w1", "w2"),
    ...                  hints={"w2": "add lr * y * x2"})
    ✗ w after one update: w2 is 3, expected a different value (add lr * y * x2).
    >>> ok = check_value("p at h = 0.5", 0.62, lambda: 0.6225, atol=0.01)
    ✓ p at h = 0.5: right.
    >>> ok = check_value("w", [1, 3], [1, 2], labels=("w1", "w2"), direction=True)
    ✗ w: w2 is too large.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if _is_none(answer):
        message = f"{_FAIL} {name}: not answered yet. Replace None with your answer."
        return _finish(CheckResult(ok=False, message=message, answered=False), show)
    rtol = check_number(rtol, "rtol", low=0)
    atol = check_number(atol, "atol", low=0)
    direction = check_bool(direction, "direction")
    if callable(expected):
        expected = expected()
    exp = as_array(expected, "expected", finite=True)
    labels = _component_labels(name, exp.shape, labels)
    hint_of = _hints_by_label(hints, labels)

    ans = as_array(answer, "answer")
    n = exp.size
    if ans.size != n:
        what = "1 value" if n == 1 else f"{n} values ({', '.join(labels)})"
        raise ValueError(f"answer must hold {what}, got {ans.size}")
    ans = ans.reshape(exp.shape).ravel()
    close = np.isclose(ans, exp.ravel(), rtol=rtol, atol=atol)
    if np.all(close):
        count = "" if n == 1 else f" (all {n} values)"
        message = f"{_PASS} {name}: right{count}."
        return _finish(CheckResult(ok=True, message=message), show)
    parts = [
        _wrong_component_text(labels[k], ans[k], exp.flat[k], hint_of.get(labels[k]), direction)
        for k in np.flatnonzero(~close)
    ]
    message = f"{_FAIL} {name}: " + " ".join(parts)
    return _finish(CheckResult(ok=False, message=message), show)


def _component_labels(name: str, shape: tuple[int, ...], labels) -> list[str]:
    """Check the `labels` given to `check_value` (one per expected value), or make them."""
    if labels is None:
        return _default_labels(name, shape)
    n = int(np.prod(shape))
    if isinstance(labels, str) or len(labels) != n:
        raise ValueError(f"labels must name each of the {n} expected values, got {labels!r}")
    return [str(s) for s in labels]


def _hints_by_label(hints, labels: list[str]) -> dict[str, str]:
    """Turn the `hints` given to `check_value` into a dict label -> hint."""
    if hints is None:
        return {}
    if isinstance(hints, Mapping):
        unknown = set(hints) - set(labels)
        if unknown:
            raise ValueError(f"hints has keys {sorted(unknown)} that are not labels {labels}")
        return dict(hints)
    if isinstance(hints, str) or len(hints) != len(labels):
        raise ValueError(f"hints must give one hint per value ({len(labels)}), got {hints!r}")
    return dict(zip(labels, hints, strict=True))


def _wrong_component_text(label: str, answer, expected, hint, direction: bool) -> str:
    """One wrong component, without the expected value: ``"w2 is 3, expected a ..."``."""
    hint = f" ({hint})" if hint else ""
    if direction:
        way = "too large" if answer > expected else "too small"
        return f"{label} is {way}{hint}."
    return f"{label} is {_value_text(answer)}, expected a different value{hint}."


def _unit_answer(answer_w, answer_b, d: int, what: str):
    """Return the student's (w, b) as one vector ``(w1, ..., wD, b)``, or None for a stub."""
    if _is_none(answer_w) or _is_none(answer_b):
        return None
    w = as_array(answer_w, "answer_w", ndim=(0, 1)).reshape(-1)
    if w.shape[0] != d:
        raise ValueError(
            f"answer_w must hold {d} weight{'s' if d > 1 else ''} ({what}), got {w.shape[0]}"
        )
    b = check_number(answer_b, "answer_b")
    return np.append(w, b)


def check_hebb_weights(answer_w, answer_b, X, t, after=None, *, show: bool = True):
    r"""Check Hebb weights computed by hand after the first `after` patterns.

    The reference is `nnlib.classic.hebb` from zero weights over ``X[:after], t[:after]``
    (:math:`w_i = \sum_n x_{n,i} t_n`, :math:`b = \sum_n t_n`). A wrong component is
    named with the direction it is off, ``"w2 is too large"``, and a hint; the expected
    numbers are never shown.

    Parameters
    ----------
    answer_w : array_like, shape (D,), or None
        The student's weights; None (the stub): not answered yet.
    answer_b : float or None
        The student's bias.
    X : array_like, shape (N, D)
        The patterns, in the order learned.
    t : array_like, shape (N,)
        Their targets.
    after : int, 1 <= after <= N, optional
        Patterns learned; default all N.
    show : bool, default True
        Print the message.

    Returns
    -------
    CheckResult

    Examples
    --------
    Bipolar AND after two patterns: w = (1, 1) + (-1, 1) = (0, 2), b = 1 - 1 = 0.

    >>> X, t = [[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]
    >>> ok = check_hebb_weights([0, 2], 0, X, t, after=2)
    ✓ Hebb weights after 2 patterns: right (all 3 values).
    >>> ok = check_hebb_weights([0, 3], 0, X, t, after=2)
    ✗ Hebb weights after 2 patterns: w2 is too large (w2 adds x2 · t for each pattern).
    >>> ok = check_hebb_weights(None, None, X, t)
    ✗ Hebb weights after 4 patterns: not answered yet. Replace None with your answer.
    """
    X = as_array(X, "X", ndim=2, finite=True)
    n, d = X.shape
    if after is None:
        after = n
    after = check_int(after, "after", low=1)
    if after > n:
        raise ValueError(f"after must be between 1 and {n} (the number of patterns), got {after}")
    name = f"Hebb weights after {after} pattern{'s' if after > 1 else ''}"
    answer = _unit_answer(answer_w, answer_b, d, "one per input")
    labels = [f"w{i + 1}" for i in range(d)] + ["b"]
    hints = [f"w{i + 1} adds x{i + 1} · t for each pattern" for i in range(d)]
    hints.append("b adds t for each pattern")

    t = as_array(t, "t", ndim=1, finite=True)
    if t.shape[0] != n:
        raise ValueError(f"t must have one target per row of X: shape ({n},), got {t.shape}")
    trace = classic.hebb(X[:after], t[:after])
    expected = np.append(trace.final_w, trace.final_b)
    return check_value(
        name, answer, expected, labels=labels, hints=hints, direction=True, show=show
    )


def check_perceptron_step(answer_w, answer_b, w, b, x, y, lr=1.0, *, show: bool = True):
    r"""Check one perceptron step computed by hand: the weights after sample (x, y).

    The reference is one step of `nnlib.classic.perceptron` from (w, b): on a mistake,
    :math:`y (w \cdot x + b) \le 0`, :math:`w \leftarrow w + \text{lr}\, y x`,
    :math:`b \leftarrow b + \text{lr}\, y`; otherwise (w, b) stays. A wrong component is
    named with the direction it is off (``"b is too small"``); the expected numbers are
    never shown.

    Parameters
    ----------
    answer_w : array_like, shape (D,), or None
        The student's weights after the step; None: not answered yet.
    answer_b : float or None
        The student's bias after the step.
    w : array_like, shape (D,)
        Weights before the step.
    b : float
        Bias before the step.
    x : array_like, shape (D,)
        The sample.
    y : {-1, +1}
        Its label.
    lr : float > 0, default 1.0
    show : bool, default True
        Print the message.

    Returns
    -------
    CheckResult

    Examples
    --------
    w = (1, 1), b = 1 meets x = (1, -1) with y = -1: net 1, y net = -1 <= 0, a mistake,
    so w = (1, 1) - (1, -1) = (0, 2) and b = 1 - 1 = 0.

    >>> ok = check_perceptron_step([0, 2], 0, [1, 1], 1, [1, -1], -1)
    ✓ perceptron step: right (all 3 values).
    >>> ok = check_perceptron_step([2, 0], 0, [1, 1], 1, [1, -1], -1)
    ✗ perceptron step: w1 is too large (on a mistake w1 changes by lr · y · x1, otherwise it
    stays). w2 is too small (on a mistake w2 changes by lr · y · x2, otherwise it stays).
    """
    x = as_array(x, "x", ndim=1, finite=True)
    d = x.shape[0]
    w = as_array(w, "w", ndim=1, finite=True)
    if w.shape[0] != d:
        raise ValueError(f"w must hold one weight per entry of x ({d}), got {w.shape[0]}")
    b = check_number(b, "b", finite=True)
    y_arr = np.array([y])
    answer = _unit_answer(answer_w, answer_b, d, "one per input")
    labels = [f"w{i + 1}" for i in range(d)] + ["b"]
    hints = [
        f"on a mistake w{i + 1} changes by lr · y · x{i + 1}, otherwise it stays" for i in range(d)
    ]
    hints.append("on a mistake b changes by lr · y, otherwise it stays")

    # one epoch over the single sample = one step of the perceptron rule (validates y, lr)
    result = classic.perceptron(x[None, :], y_arr, lr=lr, epochs=1, w0=w, b0=b)
    return check_value(
        "perceptron step",
        answer,
        np.append(result.w, result.b),
        labels=labels,
        hints=hints,
        direction=True,
        show=show,
    )
