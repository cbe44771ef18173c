"""The check types for state-passing functions, bands, predicates and cross-case checks.

Each is shown on an example spec (`autograder.specs.examples`): the reference and answers
written another way pass; every known-wrong version (`autograder.mutants.examples`) fails
with the hint meant for it, and the message names what is wrong (the part, the layer and
its band, the property, the pair of cases). The same verdicts come out when the outputs
are computed elsewhere and replayed, as the judge does with a confined kernel's.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from autograder import checks
from autograder.checks import (
    Band,
    Case,
    Deterministic,
    DistinctParts,
    Satisfies,
    Spec,
    Tolerance,
    VariesWith,
    run_check,
)
from autograder.mutants.examples import CORRECT, MUTANTS
from autograder.specs import SPECS
from autograder.specs import examples as ex

SEEDS = (0, 1, 2, 3)
BY_NAME = {m.name: m for m in MUTANTS}


def _run(name, fn, seed=0):
    return run_check(ex.EXAMPLES[name], fn, seed=seed)


# ----------------------------------------------------------------------------- every example


def test_examples_are_not_registered_with_the_assignments():
    assert not set(ex.EXAMPLES) & set(SPECS)
    assert set(ex.EXAMPLES) == {m.question for m in MUTANTS} == set(CORRECT)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(ex.EXAMPLES))
def test_reference_and_other_correct_answers_pass(name, seed):
    for fn in (ex.EXAMPLES[name].reference, *CORRECT[name]):
        res = _run(name, fn, seed)
        assert res.passed, res.message
        assert res.points_earned == ex.EXAMPLES[name].points and res.hint_id is None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_fails_with_its_hint(mutant, seed):
    res = _run(mutant.question, mutant.fn, seed)
    assert not res.passed and res.points_earned == 0, res.message
    assert res.hint_id == mutant.hint, res.message
    assert f"Hint [{mutant.hint}]" in res.message


def test_every_example_hint_is_earned_by_a_mutant():
    earned = {m.hint for m in MUTANTS}
    assert set(ex.HINTS) - earned == {"too-slow", "out-of-range"}  # tested below


# ----------------------------------------------------------------------------- tuple of state


def test_only_v_wrong_says_so_and_names_the_right_parts():
    res = _run("ex.adam", BY_NAME["adam_returns_v_hat"].fn, seed=5)
    assert re.search(r": v differs from the expected values in \d+ of \d+ entries", res.message)
    assert "; w and m are right" in res.message
    assert "w differs" not in res.message and "m differs" not in res.message


def test_several_wrong_parts_are_all_named():
    res = _run("ex.adam", BY_NAME["adam_abs_gradient"].fn, seed=5)
    assert ": w differs from the expected values" in res.message
    assert "; v is wrong too; m is right" in res.message


def test_scalar_state_and_floats_reach_the_function_as_python_numbers():
    seen = []

    def adam(w, dw, m, v, t, lr, beta1, beta2, eps):
        seen.append((type(t), type(lr), type(beta1), type(beta2), type(eps)))
        return ex.adam_reference(w, dw, m, v, t, lr, beta1, beta2, eps)

    assert _run("ex.adam", adam, seed=3).passed
    assert set(seen) == {(int, float, float, float, float)}
    ts = [c.args[4] for c in ex.ADAM.cases(np.random.default_rng(3))]
    assert ts[:2] == [1, 1] and all(t > 1 for t in ts[2:])  # first steps and later ones


def test_numpy_scalars_are_numbers_but_bools_strings_and_arrays_are_not():
    spec = ex.MOMENTUM_HYPER
    good = _run(
        spec.name, lambda a, b: tuple(np.float64(x) for x in ex.momentum_hyper_reference(a, b))
    )
    assert good.passed, good.message
    for answer, got in (
        (lambda a, b: ("0.1", 0.5 / b), "lr must be a number (float), got str"),
        (lambda a, b: (0.1 / b, True), "mu must be a number (float), got bool"),
        (lambda a, b: (np.array(0.1 / b), 0.5), "lr must be a number (float), got ndarray"),
    ):
        res = _run(spec.name, answer)
        assert not res.passed and res.hint_id == "not-a-number" and got in res.message
    res = _run(spec.name, lambda a, b: (float("nan"), 0.5 / b))
    assert res.hint_id == "non-finite" and "lr is nan, not a finite number" in res.message


def test_a_compared_number_part_reports_yours_and_expected():
    spec = Spec(
        name="t.pair",
        function="pair",
        points=1,
        cases=lambda rng: [Case((rng.standard_normal(3),), "x")],
        reference=lambda x: (x * 2, float(x.sum())),
        output="tuple",
        parts=("y", "total"),
    )
    res = run_check(spec, lambda x: (x * 2, float(x.sum()) + 1.0), seed=1)
    assert not res.passed
    assert re.search(r"total differs from the expected value: yours \S+, expected \S+", res.message)
    assert "y is right" in res.message


# ----------------------------------------------------------------------------- band


def test_band_names_the_element_and_the_band():
    res = _run("ex.layer_stds", BY_NAME["layer_stds_last_linear"].fn, seed=0)
    assert re.search(
        r"the result has 1 of 10 values outside their bands; first layer 10: yours [\d.]+, "
        r"allowed \[[\d.]+, [\d.]+\] \(expected [\d.]+ ×/÷ 1\.25\); yours is [\d.]+ times the "
        r"expected",
        res.message,
    ), res.message


def test_band_reports_the_first_layer_outside_it():
    mutant = BY_NAME["layer_stds_same_input"].fn
    for seed in SEEDS:
        res = _run("ex.layer_stds", mutant, seed)
        number = int(re.search(r"case (\d+)/", res.message).group(1))
        case = list(ex.LAYER_STDS.cases(np.random.default_rng(seed)))[number - 1]
        ratio = mutant(*case.args) / ex.layer_stds_reference(*case.args)
        first = int(np.argmax((ratio > 1.25) | (ratio < 1 / 1.25))) + 1
        assert f"first layer {first}: " in res.message, res.message
        assert first > 1  # the first layer is right: only later ones are off


def test_linear_and_fixed_bands():
    linear = Band(width=0.1, element="unit {i}", start=0)
    assert linear.check(np.array([1.0, 2.05]), np.array([1.0, 2.0])) is None
    text = linear.check(np.array([1.0, 2.2]), np.array([1.0, 2.0]))
    assert text.startswith("has 1 of 2 values outside their bands; first unit 1: yours 2.2, ")
    assert "allowed [1.9, 2.1] (expected 2 ± 0.1)" in text and "times" not in text
    fixed = Band(lower=0.5, upper=(2.0, 3.0), scale="log", element="layer {i}")
    assert str(fixed) == "[0.5, 2..3]"
    assert fixed.check(np.array([1.0, 2.5]), np.zeros(2)) is None
    text = fixed.check(np.array([1.0, 0.05]), np.zeros(2))
    assert "first layer 2: yours 0.05, allowed [0.5, 3]; yours is 10 times too small" in text
    assert "a log band holds positive values only" in fixed.check(
        np.array([-1.0, 1.0]), np.zeros(2)
    )
    assert Band(width=2.0, scale="log").check(np.array(0.1), np.array(1.0)) == (
        "is 0.1, outside its band [0.5, 2] (expected 1 ×/÷ 2); yours is 1/10 of the expected"
    )
    assert "yours is 1/10 of the expected" in Band(width=2.0, scale="log").check(
        np.array([0.1]), np.array([1.0])
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "either width or lower/upper"),
        ({"width": 1.0, "lower": 0.0}, "either width or lower/upper"),
        ({"width": 1.0, "scale": "log"}, r"width must be > 1 \(a factor\)"),
        ({"width": -1.0}, "width must be > 0"),
        ({"width": 1.0, "scale": "ln"}, "scale must be 'linear' or 'log'"),
        ({"width": 1.0, "element": "layer"}, "must contain"),
    ],
)
def test_band_refuses_a_bad_declaration(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Band(**kwargs)


# ----------------------------------------------------------------------------- predicate


def test_predicate_message_says_what_the_procedure_gave_and_what_was_required():
    res = _run("ex.momentum_hyper", BY_NAME["momentum_hyper_gd_only"].fn, seed=2)
    assert re.search(
        r"with lr = [\d.]+, mu = 0, nnlib's momentum ends at f = \S+ after 120 steps", res.message
    )
    assert (
        "(required: nnlib's momentum with (lr, mu) reaches f < 1e-06 within 120 steps"
        in res.message
    )


def test_predicate_uses_nnlib_on_the_students_values():
    lam_min, lam_max = 0.05, 4.0
    lr, mu = ex.momentum_hyper_reference(lam_min, lam_max)
    lam = np.geomspace(lam_min, lam_max, 8)
    x0 = np.ones(8) / np.sqrt(0.5 * lam.sum())
    assert ex.momentum_run(lr, mu, lam, x0)[-1] < ex.TARGET
    assert ex.momentum_run(lr, 0.0, lam, x0)[-1] > ex.TARGET  # the same step without momentum


def test_predicate_falls_back_to_its_hint_and_survives_nnlib_refusing_a_value():
    slow = _run("ex.momentum_hyper", lambda a, b: (0.5 / b, 0.5), seed=1)
    assert not slow.passed and slow.hint_id == "too-slow"
    refused = _run("ex.momentum_hyper", lambda a, b: (0.1 / b, 1.5), seed=1)
    assert not refused.passed and refused.hint_id == "out-of-range"
    assert "checking it raised ValueError" in refused.message and "mu" in refused.message


# ----------------------------------------------------------------------------- cross-case


def test_cross_case_messages_name_the_cases_and_the_part():
    det = _run("ex.init_weights", BY_NAME["init_weights_global_rng"].fn, seed=4)
    assert "after all 4 cases: cases 1 [" in det.message
    assert "have the same inputs, yet W1 differs between them" in det.message
    seed = _run("ex.init_weights", BY_NAME["init_weights_fixed_seed"].fn, seed=4)
    assert re.search(
        r"cases 1 \[.*\] and 3 \[.*\] differ only in seed \(\d+ vs \d+\), yet W1 is the same",
        seed.message,
    )
    copies = _run("ex.init_weights", BY_NAME["init_weights_reseeded"].fn, seed=4)
    assert "W2 and W3 are identical copies" in copies.message


def _zero_bias_spec(across):
    def init(n, seed):
        rng = np.random.default_rng(seed)
        return rng.standard_normal((n, n)), np.zeros(n), np.zeros(n)

    def cases(rng):
        s = int(rng.integers(100))
        return [Case((4, s), "a"), Case((4, s), "a again"), Case((4, s + 1), "b")]

    return init, Spec(
        name="t.init",
        function="init",
        points=1,
        cases=cases,
        reference=init,
        compare=None,
        output="tuple",
        parts=("W", "b1", "b2"),
        across=across,
    )


def test_parts_equal_in_the_reference_too_are_exempt():
    init, spec = _zero_bias_spec((Deterministic(), VariesWith(1, "seed"), DistinctParts()))
    assert run_check(spec, init, seed=0).passed  # b1 == b2, and both ignore the seed


def test_cross_case_checks_run_only_after_every_case_passed():
    _, spec = _zero_bias_spec((Deterministic(),))
    spec = Spec(**{**spec.__dict__, "compare": Tolerance()})

    def init_global(n, seed):
        return np.random.standard_normal((n, n)), np.zeros(n), np.zeros(n)  # noqa: NPY002

    res = run_check(spec, init_global, seed=0)
    assert res.hint_id == "wrong-values" and "case 1/3 [a]" in res.message  # not the cross-case one


def test_a_cross_case_check_without_a_pair_is_a_misconfigured_spec():
    init, spec = _zero_bias_spec((Deterministic(),))
    lonely = Spec(**{**spec.__dict__, "cases": lambda rng: [Case((4, 1), "a"), Case((4, 2), "b")]})
    with pytest.raises(ValueError, match="Deterministic needs two cases with equal inputs"):
        run_check(lonely, init, seed=0)
    varies = Spec(**{**lonely.__dict__, "across": (VariesWith(0, "n"),)})
    with pytest.raises(ValueError, match=r"VariesWith\(0\) needs two cases"):
        run_check(varies, init, seed=0)


# ----------------------------------------------------------------------------- declarations


def test_spec_refuses_inconsistent_declarations():
    base = {"name": "t.x", "function": "x", "points": 1, "cases": lambda rng: [], "reference": abs}
    with pytest.raises(ValueError, match="compare=None needs satisfies or across"):
        Spec(**base, compare=None)
    with pytest.raises(ValueError, match="parts name a tuple's or dict's entries"):
        Spec(**base, output="tuple")
    with pytest.raises(ValueError, match="compare names parts"):
        Spec(**base, output="tuple", parts=("a",), compare={"b": Tolerance()})
    with pytest.raises(TypeError, match="across holds Deterministic"):
        Spec(**base, across=(lambda ran: None,))
    with pytest.raises(TypeError, match="satisfies holds Satisfies"):
        Spec(**base, satisfies=(lambda out, case: None,))
    per_part = Spec(**base, output="tuple", parts=("a", "b"), compare={"a": Band(width=1.0)})
    case = Case((), "c")
    assert (
        isinstance(per_part.comparator("a", case), Band) and per_part.comparator("b", case) is None
    )
    assert per_part.comparator("b", Case((), "c", tol=Tolerance())) == Tolerance()
    assert isinstance(Satisfies(lambda o, c: None, "anything").description, str)


def test_new_hints_are_in_the_shared_table():
    for hint in ("out-of-band", "not-deterministic", "seed-ignored", "copies", "not-a-number"):
        assert hint in checks.HINTS


# ----------------------------------------------------------------------------- replayed outputs


def _replayed(spec, fn, seed):
    """The student's function as the judge sees it: called elsewhere on the cases' inputs,
    its outputs (and its array arguments afterwards) replayed in order, arguments ignored."""
    outcomes = []
    for case in spec.cases(np.random.default_rng(seed)):
        args = copy.deepcopy(case.args)
        try:
            out, error = fn(*args), None
        except Exception as exc:
            out, error = None, exc
        outcomes.append((out, error, {p: args[p] for p in spec.unchanged_args}))
        if error is not None:
            break
    replay = iter(outcomes)

    def student(*args):
        out, error, after = next(replay)
        for pos, value in after.items():
            args[pos][...] = value
        if error is not None:
            raise error
        return out

    return student


@pytest.mark.parametrize(
    "answer", [*MUTANTS, *((n, f) for n, fs in CORRECT.items() for f in fs)], ids=str
)
def test_replayed_outputs_give_the_same_verdict_and_message(answer):
    name, fn = (answer.question, answer.fn) if hasattr(answer, "fn") else answer
    spec = ex.EXAMPLES[name]
    direct, replayed = run_check(spec, fn, seed=7), run_check(spec, _replayed(spec, fn, 7), seed=7)
    assert (replayed.passed, replayed.hint_id) == (direct.passed, direct.hint_id)
    if fn.__name__ != "init_weights_global_rng":  # its numbers differ from call to call
        assert replayed.message == direct.message


# ----------------------------------------------------------------------------- through the judge


@pytest.fixture(scope="module")
def judged():
    """Notebooks graded by `autograder.judge.judge_notebook` in a confined kernel: one with
    right answers, one with mutants of the tuple, band and cross-case examples, and two
    whose function returns plain numbers (the predicate example: right, too slow)."""
    import nbformat

    from autograder.judge import judge_notebook
    from autograder.mutants.a1 import source

    right = {"ex.adam": CORRECT["ex.adam"][0], "ex.layer_stds": CORRECT["ex.layer_stds"][0]}
    right["ex.init_weights"] = CORRECT["ex.init_weights"][0]
    wrong = {
        "ex.adam": BY_NAME["adam_returns_v_hat"].fn,
        "ex.layer_stds": BY_NAME["layer_stds_last_linear"].fn,
        "ex.init_weights": BY_NAME["init_weights_reseeded"].fn,
    }
    numbers = {"ex.momentum_hyper": CORRECT["ex.momentum_hyper"][0]}
    slow = {"ex.momentum_hyper": BY_NAME["momentum_hyper_gd_only"].fn}
    seed, out = 11, {}
    with pytest.MonkeyPatch.context() as mp:
        for name in ex.EXAMPLES:
            mp.setitem(SPECS, name, ex.EXAMPLES[name])
        for label, answers in (
            ("right", right),
            ("wrong", wrong),
            ("numbers", numbers),
            ("slow", slow),
        ):
            cells = [nbformat.v4.new_code_cell("import numpy as np")]
            for name, fn in answers.items():
                cells.append(nbformat.v4.new_code_cell(source(fn, ex.EXAMPLES[name].function)))
            nb = nbformat.v4.new_notebook(cells=cells)
            results = judge_notebook(nb, list(answers), seed=seed, timeout=30)
            out[label] = {r.name: (r, answers[r.name]) for r in results}
    return seed, out


@pytest.mark.slow
@pytest.mark.parametrize("label", ["right", "wrong"])
def test_the_judge_gives_the_in_process_verdicts_and_messages(judged, label):
    seed, out = judged
    for name, (res, fn) in out[label].items():
        direct = run_check(ex.EXAMPLES[name], fn, seed=seed)
        assert res.passed == direct.passed == (label == "right"), res.message
        assert (res.hint_id, res.message) == (direct.hint_id, direct.message)
    if label == "wrong":
        assert "; w and m are right" in out[label]["ex.adam"][0].message
        assert "first layer 10: " in out[label]["ex.layer_stds"][0].message
        assert "W2 and W3 are identical copies" in out[label]["ex.init_weights"][0].message


@pytest.mark.slow
def test_the_judge_passes_numbers_to_a_predicate(judged):
    seed, out = judged
    res, fn = out["numbers"]["ex.momentum_hyper"]
    assert res.passed, res.message
    assert res.message == run_check(ex.MOMENTUM_HYPER, fn, seed=seed).message
    res, fn = out["slow"]["ex.momentum_hyper"]
    assert not res.passed and res.hint_id == "no-momentum"
    assert "nnlib's momentum ends at f = " in res.message
    assert res.message == run_check(ex.MOMENTUM_HYPER, fn, seed=seed).message


# ----------------------------------------------------------------------------- the README


def test_readme_messages_are_what_run_check_prints():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "autograder" / "README.md").read_text()
    shown = [b.strip() for b in readme.split("```")[1::2] if b.strip().startswith("ex.")]
    assert len(shown) == 4
    for block in shown:
        name, seed = re.match(r"(ex\.\w+) \(seed (\d+)\)", block).groups()
        hint = re.search(r"Hint \[([\w-]+)\]", block).group(1)
        (mutant,) = [m for m in MUTANTS if m.question == name and m.hint == hint]
        message = _run(name, mutant.fn, int(seed)).message
        assert " ".join(block.split()) == " ".join(message.split())


# ----------------------------------------------------------------------- equivalent containers

_MAPPING_ANSWER = """
from collections.abc import Mapping


class Grads(Mapping):  # a read-only mapping, not a dict
    def __init__(self, **parts):
        self._parts = parts

    def __getitem__(self, key):
        return self._parts[key]

    def __iter__(self):
        return iter(self._parts)

    def __len__(self):
        return len(self._parts)


def mlp_backward(X, y, params):
    grads = mlp_backward_ordered(X, y, params)
    return Grads(**grads)
"""


def _equivalent_answers():
    """(question, function name, source) of answers returning equal values in another
    container: a namedtuple for a tuple, an OrderedDict or a Mapping for a dict."""
    from autograder.mutants.a1 import CORRECT, source

    by_name = {f.__name__: f for fns in CORRECT.values() for f in fns}
    ordered = source(by_name["mlp_backward_ordered_dict"], "mlp_backward_ordered")
    return {
        "namedtuple": (
            "a1.dense_backward",
            source(by_name["dense_backward_namedtuple"], "dense_backward"),
        ),
        "OrderedDict": (
            "a1.mlp_backward",
            source(by_name["mlp_backward_ordered_dict"], "mlp_backward"),
        ),
        "Mapping": ("a1.mlp_backward", ordered + _MAPPING_ANSWER),
    }


def _namespace(text):
    space = {"np": np}
    exec(compile(text, "<answer>", "exec"), space)
    return space


def test_equal_values_in_an_equivalent_container_pass_in_process():
    # Issue 11: an OrderedDict where a dict is expected lost 6 points, a namedtuple where a
    # tuple is expected 4; a list stays wrong (the question and its visible test ask for a
    # tuple), and so does a mapping with other keys.
    from autograder.specs import get_spec

    for label, (question, text) in _equivalent_answers().items():
        spec = get_spec(question)
        fn = _namespace(text)[spec.function]
        for seed in SEEDS:
            res = run_check(spec, fn, seed=seed)
            assert res.passed, (label, res.message)
    space = _namespace(_equivalent_answers()["Mapping"][1])
    extra = space["Grads"]

    def with_extra_key(X, y, params):
        return extra(**space["mlp_backward_ordered"](X, y, params), W3=np.zeros(1))

    res = run_check(get_spec("a1.mlp_backward"), with_extra_key, seed=0)
    assert not res.passed and "unexpected ['W3']" in res.message and res.hint_id == "wrong-type"


@pytest.mark.slow
def test_the_judge_accepts_equivalent_containers_from_a_real_kernel():
    import nbformat

    from autograder.judge import judge_notebook

    for label, (question, text) in _equivalent_answers().items():
        cells = [nbformat.v4.new_code_cell("import numpy as np"), nbformat.v4.new_code_cell(text)]
        nb = nbformat.v4.new_notebook(cells=cells)
        (res,) = judge_notebook(nb, [question], seed=5, timeout=30)
        assert res.passed and res.points_earned == res.points_possible, (label, res.message)
