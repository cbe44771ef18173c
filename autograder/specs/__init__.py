"""The graded questions of every assignment, by name, and the call a hidden test makes.

`SPECS` maps a spec's name (``"a1.sigmoid_grad"``) to its `autograder.checks.Spec`;
importing this package registers every assignment's specs. A source notebook's hidden-test
cell only names its spec::

    from autograder.specs import assert_check
    assert_check("a1.sigmoid_grad", sigmoid_grad)

and the grader finds those names in the notebook (`autograder.engine.SPEC_CALL`), looks
each up with `get_spec` and runs it with `autograder.checks.run_check`.
"""

from __future__ import annotations

from autograder.checks import Spec, run_check
from autograder.specs import a1, a2, a3

__all__ = ["SPECS", "a1", "a2", "a3", "assert_check", "get_spec", "register"]

#: Registered specs by name.
SPECS: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    """Add `spec` to `SPECS` (a name may be registered once) and return it."""
    if not isinstance(spec, Spec):
        raise TypeError(f"register expects a Spec, got {type(spec).__name__}")
    if spec.name in SPECS and SPECS[spec.name] is not spec:
        raise ValueError(f"spec {spec.name!r} is already registered")
    SPECS[spec.name] = spec
    return spec


def get_spec(name: str) -> Spec:
    """Return the registered spec `name`; an unknown name raises ValueError listing them."""
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(
            f"unknown check {name!r}; registered checks: {', '.join(sorted(SPECS))}"
        ) from None


def assert_check(name: str, student_fn, seed: int | None = None) -> None:
    """Run spec `name` in a hidden-test cell: print the verdict, or raise AssertionError."""
    res = run_check(get_spec(name), student_fn, seed=seed)
    if not res.passed:
        raise AssertionError(res.message)
    print(res.message)


for _spec in (*a1.SPECS_A1, *a2.SPECS_A2, *a3.SPECS_A3):
    register(_spec)
