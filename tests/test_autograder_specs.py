"""The checks of assignment 1 are themselves tested: the reference and textbook solutions
pass every spec, and each known-wrong version (mutant) fails with the hint meant for it."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import checks, specs
from autograder.checks import QuestionResult, Spec, Tolerance, run_check, visible_tests_passed
from autograder.mutants.a1 import CORRECT, MUTANTS, mutant_table, source
from autograder.specs import SPECS, assert_check, get_spec
from autograder.specs.a1 import HINTS as A1_HINTS
from autograder.specs.a1 import SPECS_A1

SEEDS = (0, 1, 2, 12345)
QUESTIONS = [s.name for s in SPECS_A1]
POINTS = {
    "a1.sigmoid_grad": 2,
    "a1.tanh_grad": 2,
    "a1.relu_grad": 2,
    "a1.swish_grad": 2,
    "a1.bce_logits_grad": 3,
    "a1.softmax_ce_grad": 3,
    "a1.dense_backward": 4,
    "a1.mlp_backward": 6,
    "a1.numerical_gradient": 4,
}


def test_registry_holds_the_nine_questions_with_their_points():
    assert {name: get_spec(name).points for name in QUESTIONS} == POINTS
    assert set(POINTS) <= set(SPECS)
    # 2 x 4 activations + 3 + 3 + 4 + 6 + 4 = 28 autograded points (+ 3 manual)
    assert sum(POINTS.values()) == 28


def test_unknown_check_name_lists_the_registered_ones():
    with pytest.raises(ValueError, match=r"unknown check 'a1.nope'.*a1.sigmoid_grad"):
        get_spec("a1.nope")
    with pytest.raises(TypeError, match="run_check expects a Spec as spec, got str"):
        run_check("a1.sigmoid_grad", lambda z: z)


@pytest.mark.parametrize("name", QUESTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_passes_every_spec(name, seed):
    res = run_check(get_spec(name), get_spec(name).reference, seed=seed)
    assert res.passed, res.message
    assert res.points_earned == res.points_possible == POINTS[name]
    assert res.hint_id is None
    assert f"seed {seed}" in res.message


@pytest.mark.parametrize(
    "name, fn",
    [(q, f) for q, fns in CORRECT.items() for f in fns],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_textbook_solutions_pass(name, fn):
    # s * (1 - s), 1 - tanh(z)**2, ... differ from nnlib in the last digits (and s * (1 - s)
    # keeps ~3 digits at z = 30): the tolerances must not fail a correct student.
    for seed in SEEDS:
        res = run_check(get_spec(name), fn, seed=seed)
        assert res.passed, res.message


def test_at_least_four_mutants_per_question_each_with_its_own_hint():
    for q in QUESTIONS:
        hints = [m.hint for m in MUTANTS if m.question == q]
        assert len(hints) >= 4, q
        assert len(set(hints)) == len(hints), f"{q}: two mutants share a hint"


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_each_mutant_loses_the_points_with_its_hint(mutant):
    for seed in SEEDS:
        res = run_check(get_spec(mutant.question), mutant.fn, seed=seed)
        assert not res.passed, f"{mutant.name} passed with seed {seed}"
        assert res.points_earned == mutant.points == 0
        assert res.hint_id == mutant.hint, res.message
        assert f"Hint [{mutant.hint}]" in res.message


def test_hint_ids_of_mutants_are_known():
    known = set(checks.HINTS) | set(A1_HINTS)
    assert {m.hint for m in MUTANTS} <= known


def test_mutant_table_rows():
    rows = mutant_table()
    assert len(rows) == len(MUTANTS) >= 4 * len(QUESTIONS)
    first = rows[0]
    assert first.question == "a1.sigmoid_grad"
    assert first.mutant == "sigmoid_grad_at_output"
    assert first.points == "0/2"
    assert first.hint == "derivative-at-output"
    assert {r.question for r in rows} == set(QUESTIONS)


def test_mutant_source_is_renamed_to_the_student_function():
    text = source(MUTANTS[0].fn, "sigmoid_grad")
    assert text.startswith("def sigmoid_grad(z):")
    namespace = {"np": np}
    exec(text, namespace)  # self-contained: only np is needed
    res = run_check(get_spec("a1.sigmoid_grad"), namespace["sigmoid_grad"], seed=0)
    assert res.hint_id == "derivative-at-output"


# ----------------------------------------------------------------------------- reproducibility


def test_results_are_reproducible_given_the_seed():
    wrong = MUTANTS[3].fn  # a finite-difference sigmoid_grad
    a = run_check(get_spec("a1.sigmoid_grad"), wrong, seed=987)
    b = run_check(get_spec("a1.sigmoid_grad"), wrong, seed=987)
    assert a == b
    assert a.seed == 987 and "seed 987" in a.message
    c = run_check(get_spec("a1.sigmoid_grad"), wrong, seed=988)
    assert c.message != a.message  # other seed, other random inputs


def test_seed_is_drawn_when_not_given_and_reported(monkeypatch):
    monkeypatch.delenv(checks.SEED_ENV, raising=False)
    res = run_check(get_spec("a1.relu_grad"), get_spec("a1.relu_grad").reference)
    assert isinstance(res.seed, int) and f"seed {res.seed}" in res.message
    again = run_check(get_spec("a1.relu_grad"), MUTANTS[11].fn, seed=res.seed)
    assert f"seed {res.seed}" in again.message


def test_seed_from_environment(monkeypatch):
    monkeypatch.setenv(checks.SEED_ENV, "4242")
    assert run_check(get_spec("a1.tanh_grad"), np.tanh).seed == 4242


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        run_check(get_spec("a1.tanh_grad"), np.tanh, seed=-1)


# ----------------------------------------------------------------------------- hostile answers


def _sigmoid_grad(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


class _Sub(np.ndarray):
    def __eq__(self, other):  # tries to look equal to anything
        return np.ones(self.shape, bool)


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda z: _sigmoid_grad(z).tolist(), "wrong-type"),
        (lambda z: _sigmoid_grad(z).view(_Sub), "wrong-type"),
        (lambda z: np.asmatrix(_sigmoid_grad(z).reshape(z.shape[0], -1)), "wrong-type"),
        (lambda z: float(_sigmoid_grad(z).ravel()[0]), "wrong-type"),
        (lambda z: None, "wrong-type"),
        (lambda z: np.full(z.shape, np.nan), "non-finite"),
        (lambda z: np.where(np.abs(z) > 25, np.nan, _sigmoid_grad(z)), "non-finite"),
        (lambda z: _sigmoid_grad(z).astype(np.float32), "wrong-dtype"),
        (lambda z: _sigmoid_grad(z).astype(object), "wrong-dtype"),
        (lambda z: _sigmoid_grad(z).ravel(), None),  # 1-D for the (1, D) case
    ],
    ids=["list", "subclass", "matrix", "scalar", "none", "nan", "nan-edges", "f32", "obj", "flat"],
)
def test_weird_answers_fail(answer, hint):
    res = run_check(get_spec("a1.sigmoid_grad"), answer, seed=5)
    assert not res.passed and res.points_earned == 0, res.message
    if hint is not None:
        assert res.hint_id == hint, res.message


def test_nan_fails_the_value_comparison_itself():
    # Stage 3 is written positively: err <= tol is False for NaN (and for inf), even
    # with a huge tolerance, so it fails without the finiteness stage too.
    got = np.array([1.0, np.nan, np.inf, 0.5])
    want = np.array([1.0, 0.42, 0.42, 0.5])
    _, _, ok = checks.within_tolerance(got, want, Tolerance(rtol=1e6, atol=1.0))
    assert ok.tolist() == [True, False, False, True]


def test_tuple_and_dict_outputs_are_checked_strictly():
    def as_list(dZ, cache):
        X, W = cache
        return [dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)]

    def dx_none(dZ, cache):
        X, _ = cache
        return None, X.T @ dZ, dZ.sum(axis=0)

    for fn in (as_list, dx_none):
        res = run_check(get_spec("a1.dense_backward"), fn, seed=1)
        assert not res.passed and res.hint_id == "wrong-type", res.message

    ref = get_spec("a1.mlp_backward").reference

    def extra_key(X, y, params):
        return {**ref(X, y, params), "X": X}

    res = run_check(get_spec("a1.mlp_backward"), extra_key, seed=1)
    assert not res.passed and "unexpected ['X']" in res.message


def test_student_exception_is_reported_not_raised():
    def boom(z):
        return z / 0 if False else {}["missing"]

    res = run_check(get_spec("a1.relu_grad"), boom, seed=3)
    assert not res.passed and res.hint_id == "exception"
    assert "raised KeyError: 'missing'" in res.message and "seed 3" in res.message

    def leaves(z):
        raise SystemExit(1)

    assert run_check(get_spec("a1.relu_grad"), leaves, seed=3).hint_id == "exception"


def test_stub_and_non_function_are_reported():
    def stub(z, beta):
        raise NotImplementedError

    res = run_check(get_spec("a1.swish_grad"), stub, seed=0)
    assert (res.passed, res.hint_id) == (False, "not-implemented")
    assert run_check(get_spec("a1.swish_grad"), 3.0, seed=0).hint_id == "not-callable"


def test_runtime_warnings_of_the_student_do_not_escape():
    # pytest turns RuntimeWarning into errors here; a student's overflow must not crash.
    def noisy(z):
        np.exp(np.array([1000.0]))
        return _sigmoid_grad(z)

    assert run_check(get_spec("a1.sigmoid_grad"), noisy, seed=0).passed


def test_student_cannot_change_the_cases():
    # Mutating the inputs in place neither breaks the reference nor the next cases.
    def destructive(z):
        out = _sigmoid_grad(z)
        z[...] = 0.0
        return out

    assert run_check(get_spec("a1.sigmoid_grad"), destructive, seed=0).passed


def _fd_sigmoid_grad(h):
    def sigmoid_grad(z):
        return (1 / (1 + np.exp(-(z + h))) - 1 / (1 + np.exp(-(z - h)))) / (2 * h)

    return sigmoid_grad


@pytest.mark.parametrize("seed", range(10))
def test_finite_differences_are_caught_by_the_edge_inputs(seed):
    # Even at the edge case's loose 1% tolerance (which the textbook s * (1 - s) needs
    # there), a central difference fails: at z in [25, 30], 1 - sigmoid(z) < 1.4e-11 and
    # sigmoid(z + h) - sigmoid(z - h) is a few ulps of 1.0, for every usual step h.
    spec = get_spec("a1.sigmoid_grad")
    (case,) = [c for c in spec.cases(np.random.default_rng(seed)) if c.label.startswith("edge")]
    z = case.args[0]
    assert np.all((np.abs(z) >= 20) & (np.abs(z) <= 30)) and np.any(z > 0) and np.any(z < 0)
    checks._compare(_sigmoid_grad(z), spec.reference(z), spec, case)  # textbook passes
    for h in (1e-4, 1e-5, 1e-6, 1e-7):
        with pytest.raises(checks._Failure):
            checks._compare(_fd_sigmoid_grad(h)(z), spec.reference(z), spec, case)
    for h in (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8):  # and the full check, any h
        res = run_check(get_spec("a1.sigmoid_grad"), _fd_sigmoid_grad(h), seed=seed)
        assert res.hint_id == "finite-difference", res.message


def test_cases_cover_batch_of_one_non_square_and_both_sides_of_zero():
    rng = np.random.default_rng(0)
    labels = " | ".join(c.label for c in get_spec("a1.relu_grad").cases(rng))
    assert "batch of one" in labels and "non-square" in labels and "both sides" in labels
    (kink,) = [c for c in get_spec("a1.relu_grad").cases(rng) if "both sides" in c.label]
    z = kink.args[0]
    assert np.any(z > 0) and np.any(z < 0) and np.max(np.abs(z)) < 0.1
    for name in ("a1.dense_backward", "a1.mlp_backward"):
        cases = list(get_spec(name).cases(np.random.default_rng(1)))
        assert any(c.args[0].shape[0] == 1 for c in cases), name


# ----------------------------------------------------------------------------- notebook helpers


def test_assert_check_raises_with_the_hint_and_prints_on_success(capsys):
    with pytest.raises(AssertionError, match=r"(?s)seed 11.*Hint \[transposed-dW\]"):
        (transposed,) = [m for m in MUTANTS if m.name == "dense_backward_transposed_dw"]
        assert_check("a1.dense_backward", transposed.fn, seed=11)
    assert assert_check("a1.relu_grad", get_spec("a1.relu_grad").reference, seed=2) is None
    assert "a1.relu_grad (seed 2): passed" in capsys.readouterr().out


def test_visible_tests_passed_never_claims_all_tests_passed(capsys):
    visible_tests_passed("sigmoid_grad")
    out = capsys.readouterr().out
    assert out.startswith("Public tests for sigmoid_grad passed.")
    assert "random cases" in out
    assert "all tests passed" not in out.lower()
    ok = run_check(get_spec("a1.relu_grad"), get_spec("a1.relu_grad").reference, seed=0)
    assert "all tests passed" not in ok.message.lower()


def test_register_refuses_duplicates_and_spec_contract():
    spec = get_spec("a1.relu_grad")
    assert specs.register(spec) is spec  # re-registering the same object is harmless
    clone = Spec(name=spec.name, function="f", points=1, cases=spec.cases, reference=spec.reference)
    with pytest.raises(ValueError, match="already registered"):
        specs.register(clone)
    assert isinstance(Tolerance(), Tolerance) and str(Tolerance(1e-9, 1e-12)).startswith("1e-12")
    assert QuestionResult.__dataclass_fields__.keys() >= {
        "name",
        "passed",
        "points_earned",
        "points_possible",
        "seed",
        "message",
        "hint_id",
    }
