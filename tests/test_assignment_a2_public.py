"""Assignment 2's public cases catch the common mistakes, with the grader's own hints.

`autograder.public.check` runs a question's public cases (`autograder.specs.a2.PUBLIC_A2`:
the worked example or published figure first, cs231n's momentum fixture, FACTS' EMA of a
constant, S2's schedule tables, then the spec's own cases drawn from a fixed seed) through
the grader's `run_check` and hints, on the reference, every correct answer of
`autograder.mutants.a2.CORRECT` and every mutant of `MUTANTS`:

* the reference and every correct answer pass every public test;
* every mutant fails its question's public test with the hint the grader gives it, also
  when its source is pasted alone (what an answer cell holds);
* a right `adam_trajectory` that calls a wrong `adam` is told where the mistake is;
* the published figures the labels state are what the reference computes;
* the released notebook's test cells hold only these public tests, the reference passes
  them and every mutant pasted into its answer cell fails them with its hint.
"""

from __future__ import annotations

from pathlib import Path

import assignment_harness as harness
import nbformat
import numpy as np
import pytest

from autograder import public
from autograder.mutants import a2 as m2
from autograder.mutants.a2 import CORRECT, MUTANTS, source
from autograder.rebuild import student_version
from autograder.specs import a2, get_spec


@pytest.mark.parametrize("spec", a2.SPECS_A2, ids=lambda s: s.name)
def test_the_reference_passes_every_public_test(spec):
    assert public.cases(spec.name)
    public.check(spec.name, spec.reference)


@pytest.mark.parametrize(
    ("question", "fn"),
    [(q, f) for q, fns in CORRECT.items() for f in fns],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_every_correct_answer_passes_its_public_test(question, fn):
    public.check(question, fn)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_fails_its_public_test_with_the_grader_s_hint(mutant):
    with pytest.raises(AssertionError) as failed:
        public.check(mutant.question, mutant.fn)
    message = str(failed.value)
    function = mutant.question.split(".", 1)[1]
    assert message.startswith(f"public test of {function}: "), message
    assert f"Hint [{mutant.hint}]" in message, message
    assert "Inputs of that case:" in message, message


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_a_pasted_mutant_runs_alone_and_fails_the_same_way(mutant):
    # what the end-to-end tests paste into an answer cell: only np from the setup cell
    function = get_spec(mutant.question).function
    namespace = {"np": np}
    exec(source(mutant.fn, function), namespace)
    with pytest.raises(AssertionError, match=rf"Hint \[{mutant.hint}\]"):
        public.check(mutant.question, namespace[function])


def test_a_right_adam_trajectory_is_told_that_adam_is_wrong():
    namespace = {"np": np, "adam": m2.adam_no_correction}
    exec(
        "def adam_trajectory(w0, grads, lr, beta1, beta2, eps):\n"
        "    w, m, v, out = w0, np.zeros_like(w0), np.zeros_like(w0), []\n"
        "    for t in range(1, len(grads) + 1):\n"
        "        w, m, v = adam(w, grads[t - 1], m, v, t, lr, beta1, beta2, eps)\n"
        "        out.append(w)\n"
        "    return np.array(out)\n",
        namespace,
    )
    with pytest.raises(AssertionError) as failed:
        public.check("a2.adam_trajectory", namespace["adam_trajectory"])
    assert "correct versions of adam: the mistake is there" in str(failed.value)


def test_the_published_figures_are_what_the_reference_computes():
    # cs231n's fixture: next_w[0, 0] = 0.1406, velocity[0, 0] = 0.5406 (their form)
    case = public.cases("a2.sgd_momentum")[0]
    new_w, v = a2.sgd_momentum_reference(*case.args)
    assert f"{new_w[0, 0]:.4f}" == "0.1406"
    assert f"{-v[0, 0] * 1e-3:.4f}" == "0.5406"
    # FACTS: the EMA of a constant 10 with beta = 0.98
    ema = public.cases("a2.ema")
    np.testing.assert_allclose(a2.ema_reference(*ema[0].args), 10.0, rtol=1e-14)
    np.testing.assert_allclose(a2.ema_reference(*ema[-1].args), [0.2, 0.396, 0.58808])
    # S2's tables: 1 / (1 + 0.5 t) and 0.95 ** t
    inv = a2.inverse_time_decay_reference(*public.cases("a2.inverse_time_decay")[0].args)
    assert [f"{x:.3g}" for x in inv] == ["0.1", "0.0667", "0.05", "0.04"]
    exp = a2.exponential_decay_reference(*public.cases("a2.exponential_decay")[0].args)
    np.testing.assert_allclose(exp, 0.1 * 0.95 ** np.arange(4), rtol=1e-14)
    # Adam's first step is lr * sign(g); the schedules' worked examples
    new_w, m, v = a2.adam_reference(*public.cases("a2.adam")[0].args)
    np.testing.assert_allclose(new_w, [0.9, 1.1], rtol=1e-7)  # up to eps
    np.testing.assert_allclose(m, [0.5, -0.05])
    np.testing.assert_allclose(v, [0.025, 0.00025])
    step = a2.step_decay_reference(*public.cases("a2.step_decay")[0].args)
    np.testing.assert_allclose(step, [0.1, 0.1, 0.05, 0.025])
    lin = a2.linear_decay_reference(*public.cases("a2.linear_decay")[0].args)
    np.testing.assert_allclose(lin, [0.1, 0.055, 0.01, 0.01])


# ------------------------------------------------------------------ the released notebook

SOURCE = (
    Path(__file__).resolve().parents[1]
    / "autograder"
    / "source"
    / "a2_update_rules"
    / "a2_update_rules.ipynb"
)
FUNCTIONS = [spec.function for spec in a2.SPECS_A2]


@pytest.fixture(scope="module")
def released():
    return harness.by_id(student_version(SOURCE))


@pytest.fixture(scope="module")
def instructor():
    return harness.by_id(nbformat.read(SOURCE, as_version=4))


def test_the_released_test_cells_hold_only_the_public_tests(released):
    for fn in FUNCTIONS:
        text = released[f"test_{fn}"].source
        assert "assert_check" not in text and "HIDDEN" not in text, fn
        assert f'check("a2.{fn}", {fn})' in text, fn
        assert text.rstrip().endswith(f'visible_tests_passed("{fn}")'), fn


def test_the_reference_passes_every_released_public_test(released, instructor, capsys):
    ns = harness.namespace(released, instructor)
    for fn in FUNCTIONS:
        assert f"Public tests for {fn} passed" in harness.public_test(released, ns, fn, capsys), fn
    assert ns["valley_steps"](*ns["tune_momentum"]()) == 46  # the valley cell, on their rule


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_fails_its_released_public_test_with_its_hint(
    released, instructor, capsys, mutant
):
    fn = get_spec(mutant.question).function
    ns = harness.namespace(released, instructor, {fn: source(mutant.fn, fn)})
    with pytest.raises(AssertionError) as failed:
        harness.public_test(released, ns, fn, capsys)
    assert f"Hint [{mutant.hint}]" in str(failed.value), str(failed.value)
    assert "passed" not in capsys.readouterr().out


def test_a_stub_raises_not_implemented(released, capsys):
    ns: dict = {}
    for gid in ("setup", "ema"):
        exec(released[gid].source, ns)
    with pytest.raises(NotImplementedError):
        harness.public_test(released, ns, "ema", capsys)
