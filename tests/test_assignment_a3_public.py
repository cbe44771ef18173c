"""Assignment 3's public cases catch the common mistakes, with the grader's own hints.

`autograder.public.check` runs a question's public cases (`autograder.specs.a3.PUBLIC_A3`)
through the grader's `run_check` and hints. Here it is called directly, and through the
released notebook's own test cells (`autograder.rebuild.student_version` of the source, run
in-process with ``exec`` as tests/test_assignment_a1_public.py does), on the reference,
every correct variant of `autograder.mutants.a3.CORRECT` and every mutant of `MUTANTS`:

* the reference and every correct variant pass every public test;
* every mutant fails its question's public test with the hint the grader gives it;
* a right `run_experiment` that calls a wrong `make_weights` is told where the mistake is;
* the worked examples the notebook states are what the reference computes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import assignment_harness as harness
import nbformat
import numpy as np
import pytest

from autograder import public
from autograder.mutants.a3 import CORRECT, MUTANTS, source
from autograder.rebuild import student_version
from autograder.specs import a3, get_spec

#: Mutants the public tests are not expected to catch (each would need a reason here).
LEFT_TO_GRADING: frozenset[str] = frozenset()


@pytest.mark.parametrize("spec", a3.SPECS_A3, ids=lambda s: s.name)
def test_the_reference_passes_every_public_test(spec):
    assert public.cases(spec.name)
    public.check(spec.name, spec.reference)


@pytest.mark.parametrize(
    ("question", "fn"),
    [(q, f) for q, fns in CORRECT.items() for f in fns],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_every_correct_variant_passes_its_public_test(question, fn):
    public.check(question, fn)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_fails_its_public_test_with_the_grader_s_hint(mutant):
    if mutant.name in LEFT_TO_GRADING:
        public.check(mutant.question, mutant.fn)
        return
    with pytest.raises(AssertionError) as failed:
        public.check(mutant.question, mutant.fn)
    message = str(failed.value)
    function = mutant.question.split(".", 1)[1]
    assert message.startswith(f"public test of {function}: "), message
    assert f"Hint [{mutant.hint}]" in message, message
    assert "Inputs of that case:" in message or "after all" in message, message


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_a_pasted_mutant_runs_alone_and_fails_the_same_way(mutant):
    # what the end-to-end tests paste into an answer cell: only np from the setup cell
    function = get_spec(mutant.question).function
    namespace = {"np": np}
    exec(source(mutant.fn, function), namespace)
    with pytest.raises(AssertionError, match=rf"Hint \[{mutant.hint}\]"):
        public.check(mutant.question, namespace[function])


def test_a_right_run_experiment_is_told_that_make_weights_is_wrong():
    from autograder.mutants import a3 as m3

    def make_weights(sizes, scheme, seed, dist="normal"):
        return m3.make_weights_variance_as_std(sizes, scheme, seed, dist)

    namespace = {"np": np, "make_weights": make_weights}
    code = (
        "def run_experiment(scheme, activation, seed, n_layers=10, width=250, n=400):\n"
        "    weights = make_weights([width] * (n_layers + 1), scheme, seed)\n"
        "    h = np.random.default_rng(seed + 1).standard_normal((n, width))\n"
        "    out = []\n"
        "    for W in weights:\n"
        "        h = np.maximum(h @ W, 0) if activation == 'relu' else np.tanh(h @ W)\n"
        "        out.append(h.std())\n"
        "    return np.array(out)\n"
    )
    exec(code, namespace)
    with pytest.raises(AssertionError) as failed:
        public.check("a3.run_experiment", namespace["run_experiment"])
    assert "correct versions of make_weights: the mistake is there" in str(failed.value)


def test_the_worked_examples_are_what_the_reference_computes():
    assert a3.init_std_reference("he", 50, 200) == pytest.approx(0.2, rel=1e-15)
    assert a3.init_std_reference("lecun", 64, 256) == pytest.approx(0.125, rel=1e-15)
    he = a3.predicted_std_reference("he", "relu", 10, 250)
    assert np.allclose(he, np.sqrt(1 - 1 / np.pi), rtol=1e-14)
    assert f"{he[0]:.6f}" == "0.825645"
    assert np.allclose(a3.predicted_std_reference("lecun", "linear", 5, 100), 1.0, rtol=1e-14)


def test_the_public_cases_hold_the_inputs_that_expose_the_usual_mistakes():
    # a square, non-symmetric net comes first; non-square sizes follow; tanh saturates
    first = public.cases("a3.layer_statistics")[0]
    X, weights, activation = first.args
    assert activation == "tanh"
    assert all(W.shape[0] == W.shape[1] and not np.allclose(W, W.T) for W in weights)
    sat = a3.layer_statistics_reference(X, weights, activation)["saturated"]
    assert np.all(sat > 0)
    shapes = [W.shape for c in public.cases("a3.layer_statistics") for W in c.args[1]]
    assert any(a != b for a, b in shapes)
    # make_weights: every matrix >= 10,000 entries, a non-square one, a repeated seed
    mw = public.cases("a3.make_weights")
    assert mw[0].args == mw[1].args and mw[2].args[2] != mw[0].args[2]
    for case in mw:
        sizes = case.args[0]
        assert all(a * b >= 10_000 for a, b in itertools.pairwise(sizes))


# ------------------------------------------------------------------ the released notebook

SOURCE = (
    Path(__file__).resolve().parents[1]
    / "autograder"
    / "source"
    / "a3_activation_statistics"
    / "a3_activation_statistics.ipynb"
)
FUNCTIONS = [spec.function for spec in a3.SPECS_A3]


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
        assert f'check("a3.{fn}", {fn})' in text, fn
        assert text.rstrip().endswith(f'visible_tests_passed("{fn}")'), fn


def test_the_reference_passes_every_released_public_test(released, instructor, capsys):
    ns = harness.namespace(released, instructor)
    for fn in FUNCTIONS:
        assert f"Public tests for {fn} passed" in harness.public_test(released, ns, fn, capsys), fn


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
    for gid in ("setup", "init_std"):
        exec(released[gid].source, ns)
    with pytest.raises(NotImplementedError):
        harness.public_test(released, ns, "init_std", capsys)
