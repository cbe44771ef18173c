"""Issue 12: the public tests of assignment 1's released notebook see the common mistakes.

The released notebook is `autograder.rebuild.student_version` of the source, which is what
``python -m autograder release`` hands out (nbgrader's ClearSolutions and ClearHiddenTests).
Its public test cells are run here for the reference solution, every correct variant of
`autograder.mutants.a1.CORRECT` and every mutant of `MUTANTS`:

* the reference and every correct variant pass every public test, among them the
  ``x += h; ...; x -= 2*h; ...; x += h`` central difference that the grader accepts
  (LESSONS.md E3: the old public test rejected it);
* every mutant fails its question's public test with the hint the grader gives it
  (``Hint [softmax-wrong-axis]: ...``), so the student meets the named mistake while
  working, not only after grading; none is left to the hidden tests alone;
* an ``mlp_backward`` that is right but calls a wrong ``softmax_ce_grad`` or
  ``dense_backward`` is told which function holds the mistake;
* a stub still raises NotImplementedError, and each worked example the text states is
  what the reference computes.

The cells are run in-process with ``exec``, not in a kernel: the setup, given and answer
cells only define functions, and a public test cell is an import and two calls, so one
namespace per mutant is built in milliseconds and the whole file takes about a second.
tests/test_assignment_a1.py runs the same released notebook in a real kernel (Run All of
the release, and nbgrader's autograde of the reference).
"""

from __future__ import annotations

import copy
from pathlib import Path

import assignment_harness as harness
import nbformat
import numpy as np
import pytest

from autograder import public
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.rebuild import student_version
from autograder.specs import get_spec
from autograder.specs.a1 import SPECS_A1

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
FUNCTIONS = [spec.function for spec in SPECS_A1]

#: Mutants the public tests are not expected to catch (each would need a reason here).
LEFT_TO_GRADING: frozenset[str] = frozenset()


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
        assert f'check("a1.{fn}", {fn})' in text, fn
        assert text.rstrip().endswith(f'visible_tests_passed("{fn}")'), fn
        assert len(text.splitlines()) <= 8, f"{fn}: keep the public test cell short"


def test_the_reference_passes_every_public_test(released, instructor, capsys):
    ns = harness.namespace(released, instructor)
    for fn in FUNCTIONS:
        out = harness.public_test(released, ns, fn, capsys)
        assert f"Public tests for {fn} passed" in out, fn


@pytest.mark.parametrize(
    "question, fn",
    [(q, f) for q, fns in CORRECT.items() for f in fns],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_every_correct_variant_passes_its_public_test(released, instructor, capsys, question, fn):
    name = get_spec(question).function
    ns = harness.namespace(released, instructor, {name: source(fn, name)})
    assert f"Public tests for {name} passed" in harness.public_test(released, ns, name, capsys)


def test_restoring_x_by_arithmetic_passes_as_it_does_in_grading():
    # E3: the public cases do move an entry of x by an ulp this way, and still pass
    from autograder.mutants.a1 import numerical_gradient_restore_by_arithmetic as fn

    moved = False
    for case in public.cases("a1.numerical_gradient"):
        f, x, h = copy.deepcopy(case.args)
        fn(f, x, h)
        moved |= not np.array_equal(x, case.args[1])
    assert moved, "no public case shows the ulp that arithmetic restoration leaves"
    public.check("a1.numerical_gradient", fn)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_fails_its_public_test_with_the_grader_s_hint(
    released, instructor, capsys, mutant
):
    fn = get_spec(mutant.question).function
    ns = harness.namespace(released, instructor, {fn: source(mutant.fn, fn)})
    if mutant.name in LEFT_TO_GRADING:
        assert f"Public tests for {fn} passed" in harness.public_test(released, ns, fn, capsys)
        return
    with pytest.raises(AssertionError) as failed:
        harness.public_test(released, ns, fn, capsys)
    message = str(failed.value)
    assert message.startswith(f"public test of {fn}: case "), message
    assert f"Hint [{mutant.hint}]" in message, message
    assert "Inputs of that case:" in message, message
    assert "passed" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "helper, mutant, hint",
    [
        ("softmax_ce_grad", "softmax_ce_grad_wrong_axis", "softmax-wrong-axis"),
        ("dense_backward", "dense_backward_extra_1_over_n", "extra-1/N"),
        ("relu_grad", "relu_grad_one_at_zero", "relu-kink"),
    ],
)
def test_a_right_mlp_backward_is_told_which_helper_is_wrong(
    released, instructor, capsys, helper, mutant, hint
):
    # the instructor's mlp_backward calls the student's helpers (question 5 says so)
    (wrong,) = [m for m in MUTANTS if m.name == mutant]
    ns = harness.namespace(released, instructor, {helper: source(wrong.fn, helper)})
    with pytest.raises(AssertionError, match=rf"Hint \[{hint}\]"):
        harness.public_test(released, ns, helper, capsys)
    with pytest.raises(AssertionError) as failed:
        harness.public_test(released, ns, "mlp_backward", capsys)
    message = str(failed.value)
    assert f"correct versions of {helper}: the mistake is there, not in mlp_backward" in message
    # and the student's own helper is back in place afterwards
    assert ns[helper].__code__.co_filename == f"<{helper}>"


def test_a_wrong_mlp_backward_is_not_blamed_on_its_helpers(released, instructor, capsys):
    (wrong,) = [m for m in MUTANTS if m.name == "mlp_backward_extra_1_over_n"]
    ns = harness.namespace(released, instructor, {"mlp_backward": source(wrong.fn, "mlp_backward")})
    with pytest.raises(AssertionError) as failed:
        harness.public_test(released, ns, "mlp_backward", capsys)
    assert "the mistake is there" not in str(failed.value)


def test_a_stub_raises_not_implemented(released, capsys):
    ns: dict = {}
    for gid in ("setup", "sigmoid_grad"):
        exec(released[gid].source, ns)
    with pytest.raises(NotImplementedError):
        harness.public_test(released, ns, "sigmoid_grad", capsys)


def _worked(name):
    (case,) = [c for c in public.cases(name) if c.label.startswith("the worked example")]
    return get_spec(name).reference(*copy.deepcopy(case.args))


def test_the_worked_examples_are_what_the_reference_computes():
    ln3 = np.log(3.0)
    assert np.allclose(_worked("a1.sigmoid_grad"), [[1 / 4, 3 / 16]], rtol=1e-14)
    assert np.allclose(_worked("a1.tanh_grad"), [[1.0, 0.64]], rtol=1e-14)
    assert np.array_equal(_worked("a1.relu_grad"), [[0.0, 0.0, 1.0]])
    swish = _worked("a1.swish_grad")
    assert np.allclose(swish, [[0.5, 3 / 4 + 3 / 16 * ln3]], rtol=1e-14)
    assert f"{swish[0, 1]:.6f}" == "0.955990"  # E1: the text's value
    assert np.allclose(_worked("a1.bce_logits_grad"), [[-0.25], [0.25]], rtol=1e-14)
    softmax = _worked("a1.softmax_ce_grad")
    assert np.allclose(softmax, [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)
    assert np.allclose(softmax.sum(axis=1), 0.0, atol=1e-15)  # question 7, part 1
    dX, dW, db = _worked("a1.dense_backward")
    assert np.allclose(dX, [[1, -1], [2, -2]]) and np.allclose(dW, [[7], [10]])
    assert np.allclose(db, [3])
    assert np.allclose(_worked("a1.numerical_gradient"), [3 + 1e-10, 12 + 1e-10], rtol=1e-9)


def test_the_public_cases_hold_the_inputs_that_expose_the_usual_mistakes():
    # asymmetric and non-square logits; N >= 2 and a square, non-symmetric W2; Z1 = 0
    logits = [c.args[0] for c in public.cases("a1.softmax_ce_grad")]
    assert any(z.shape[0] != z.shape[1] for z in logits)
    assert all(not np.allclose(z, z[:1]) for z in logits)  # rows differ
    for case in public.cases("a1.mlp_backward"):
        X, _, params = case.args
        assert X.shape[0] >= 2
        assert np.any(X @ params["W1"] + params["b1"] == 0.0), case.label  # on the kink
    W2 = public.cases("a1.mlp_backward")[0].args[2]["W2"]
    assert W2.shape[0] == W2.shape[1] and not np.allclose(W2, W2.T)
    z = public.cases("a1.relu_grad")[-1].args[0]
    assert np.any(z < 0) and np.any(z > 0) and np.any(z == 0)
    assert np.any(np.signbit(z[z == 0])) and np.any(~np.signbit(z[z == 0]))  # -0.0 and 0.0
