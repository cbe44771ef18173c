"""Public tests: a question's fixed public cases, judged exactly as grading judges.

A released notebook's public test cell runs in the student's own kernel::

    from autograder.public import check

    check("a1.softmax_ce_grad", softmax_ce_grad)

`check` runs the spec's public cases (`autograder.specs.a1.PUBLIC_A1`: the worked example
and a few inputs chosen to catch the usual mistakes) through `autograder.checks.run_check`
with the spec itself: the same checks in the same order, the same tolerances (an
``x += h; ...; x -= 2*h; ...; x += h`` that the grader accepts passes here too), and the
same `diagnose`, so the student sees the hint the grader would give (``Hint
[softmax-wrong-axis]: ...``) while working. A failure raises AssertionError with the case,
its inputs in full (public cases are no secret) and the hint; a stub raises its own
NotImplementedError, and an answer that raises is shown with its own traceback.

Where an answer calls the student's earlier functions (`autograder.specs.a1.HELPERS_A1`:
``mlp_backward`` may call ``softmax_ce_grad``, ``dense_backward`` and ``relu_grad``), a
failure is retried with the reference versions of those helpers in their place; if that
passes, the message names the helper at fault, so the student fixes the right function.

Grading never runs this module: the judge runs no test cell, and grading uses other,
random cases drawn from a logged seed.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import inspect

import numpy as np

from autograder.checks import Case, QuestionResult, run_check
from autograder.specs import a1, a2, a3, get_spec

__all__ = ["HELPERS", "PUBLIC", "cases", "check"]

#: Spec name -> its public cases, for every assignment.
PUBLIC: dict[str, tuple[Case, ...]] = {**a1.PUBLIC_A1, **a2.PUBLIC_A2, **a3.PUBLIC_A3}

#: Spec name -> {helper the answer may call: that helper's spec name}.
HELPERS: dict[str, dict[str, str]] = {**a1.HELPERS_A1, **a2.HELPERS_A2, **a3.HELPERS_A3}


def cases(name: str) -> tuple[Case, ...]:
    """The public cases of spec `name` (label and inputs), in the order they are checked."""
    if name not in PUBLIC:
        raise ValueError(f"no public cases for {name!r}; there are some for {sorted(PUBLIC)}")
    return PUBLIC[name]


def _run(name: str, fn) -> QuestionResult:
    spec = get_spec(name)
    public = cases(name)
    return run_check(dataclasses.replace(spec, cases=lambda rng: list(public)), fn, seed=0)


def _named_values(name: str, value):
    """(name, value) pairs of one argument: a dict's or a tuple's entries one by one."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _named_values(f"{name}[{k!r}]", v)]
    if isinstance(value, tuple):
        return [pair for i, v in enumerate(value) for pair in _named_values(f"{name}[{i}]", v)]
    return [(name, value)]


def _inputs(fn, case: Case) -> str:
    """The case's arguments in full, named as the student's function names them."""
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    lines = []
    for i, arg in enumerate(case.args):
        for name, value in _named_values(names[i] if i < len(names) else f"arg{i + 1}", arg):
            if callable(value):
                text = getattr(value, "__name__", "a function")
            else:
                with np.printoptions(precision=6, suppress=True, linewidth=88):
                    text = repr(value)
            lines.append(f"  {name} = " + text.replace("\n", "\n" + " " * (len(name) + 5)))
    return "\n".join(lines)


@contextlib.contextmanager
def _replaced(namespace: dict, replacements: dict):
    """Bind `replacements` in `namespace` (the student's globals), then restore them."""
    missing = object()
    saved = {k: namespace.get(k, missing) for k in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v


def _helper_at_fault(name: str, fn) -> list[str]:
    """The helpers whose reference versions make `fn` pass its public cases, or []."""
    namespace = getattr(fn, "__globals__", None)
    helpers = {
        h: spec for h, spec in HELPERS.get(name, {}).items() if callable((namespace or {}).get(h))
    }
    if not helpers:
        return []
    reference = {h: get_spec(spec).reference for h, spec in helpers.items()}
    with _replaced(namespace, reference):
        if not _run(name, fn).passed:
            return []  # the mistake is (also) in the answer itself
    at_fault = []
    for h in helpers:
        with _replaced(namespace, {h: reference[h]}):
            if _run(name, fn).passed:
                at_fault.append(h)
    return at_fault or sorted(helpers)


def check(name: str, fn) -> None:
    """Run the public cases of spec `name` on the student's `fn`; raise AssertionError with
    the case, its inputs and the grader's hint at the first failure, else return None.

    Parameters
    ----------
    name : str
        The spec, e.g. ``"a1.softmax_ce_grad"``.
    fn : callable
        The student's function.
    """
    spec = get_spec(name)
    res = _run(name, fn)
    if res.passed:
        return
    public = cases(name)
    case = next((c for c in public if c.label == res.case), public[0])
    message = res.message.removeprefix(f"{name} (seed {res.seed}): ")
    text = f"public test of {spec.function}: {message}"
    if res.hint_id in ("not-implemented", "exception"):
        try:  # call it again, so that the student sees the line that raised
            fn(*copy.deepcopy(case.args))
        except NotImplementedError:
            raise
        except Exception as exc:
            raise AssertionError(f"{text}\nInputs of that case:\n{_inputs(fn, case)}") from exc
    at_fault = _helper_at_fault(name, fn)
    if at_fault:
        text += (
            f"\nYour {spec.function} passes these cases when it calls correct versions of "
            f"{' and '.join(at_fault)}: the mistake is there, not in {spec.function}. "
            f"Grading calls your own functions, so fix {' and '.join(at_fault)} first."
        )
    raise AssertionError(f"{text}\nInputs of that case:\n{_inputs(fn, case)}")
