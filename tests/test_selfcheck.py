"""Tests of nnlib.selfcheck: right answers pass, each wrong one is failed with the input or
component where it goes wrong, unanswered stubs do not raise, and no message ever gives
the solution away."""

import re

import numpy as np
import pytest

from nnlib import classic, selfcheck
from nnlib.selfcheck import (
    CheckResult,
    check_gate,
    check_hebb_weights,
    check_perceptron_step,
    check_value,
)

_WRONG_ON = re.compile(r" \(Wrong on \d+ of \d+ inputs\.\)$")


def _numbers(text):
    return re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", text)


def _assert_no_numbers_but_bits(message):
    """Apart from the count of wrong inputs, a gate message holds only input/output bits."""
    assert set(_numbers(_WRONG_ON.sub("", message))) <= {"0", "1"}, message


# --------------------------------------------------------------------------- check_gate


@pytest.mark.parametrize("gate", ["and", "or", "not", "nand", "nor"])
def test_reference_neuron_passes(gate, capsys):
    ref = classic.gate_neuron(gate)
    result = check_gate(gate, ref.weights, ref.threshold)
    assert result.ok and bool(result) and result.answered
    assert (
        result.message == f"✓ {gate.upper()}: your neuron is right on all {2**ref.n_inputs} inputs."
    )
    assert capsys.readouterr().out == result.message + "\n"  # printed once


@pytest.mark.parametrize(
    ("gate", "weights", "threshold"),
    [
        ("and", (0.5, 0.5), 0.75),  # any threshold in (0.5, 1] works
        ("or", [2, 3], 1.5),
        ("nand", np.array([-2.0, -2.0]), -3),
        ("nor", (-1, -1), -0.5),
        ("not", [-3], -1),
        ("not", -1, -0.5),  # a single weight may be a number
    ],
)
def test_other_right_answers_pass(gate, weights, threshold):
    assert check_gate(gate, weights, threshold, show=False).ok


# Mutants: a wrong answer, and the first input (truth-table order) where it goes wrong, what
# the neuron outputs there, and how many inputs are wrong.
MUTANTS = [
    # NAND answered with AND's neuron: wrong everywhere, first at (0, 0)
    ("nand", (1, 1), 2, "(0, 0)", 0, 4, "stays below your threshold"),
    # NAND with the right weights but the NOR threshold: misses (0, 1) and (1, 0)
    ("nand", (-1, -1), 0, "(0, 1)", 0, 2, "stays below"),
    # NOR with NAND's threshold (one wrong threshold): fires on (0, 1) and (1, 0)
    ("nor", (-1, -1), -1, "(0, 1)", 1, 2, "reaches your threshold"),
    # NOR with positive weights (sign error)
    ("nor", (1, 1), 0, "(0, 1)", 1, 3, "reaches"),
    # AND answered with OR's threshold
    ("and", (1, 1), 1, "(0, 1)", 1, 2, "reaches"),
    # AND with one weight too small: (1, 1) no longer reaches the threshold
    ("and", (1, 0.5), 2, "(1, 1)", 0, 1, "stays below"),
    # OR that ignores x2
    ("or", (1, 0), 1, "(0, 1)", 0, 1, "stays below"),
    # NOT with an excitatory weight: input 1 still fires
    ("not", (1,), 0, "1", 1, 1, "reaches"),
    # NOT with a threshold above 0: input 0 does not fire
    ("not", (-1,), 0.5, "0", 0, 1, "stays below"),
]


@pytest.mark.parametrize(("gate", "weights", "theta", "pattern", "out", "n_wrong", "why"), MUTANTS)
def test_mutants_fail_naming_the_input(gate, weights, theta, pattern, out, n_wrong, why, capsys):
    result = check_gate(gate, weights, theta)
    assert not result.ok and not bool(result) and result.answered
    msg = result.message
    G = gate.upper()
    assert msg.startswith(
        f"✗ {G}: for input {pattern} your neuron outputs {out}, but {G} gives {1 - out}: "
    )
    assert why in msg
    if n_wrong > 1:
        assert msg.endswith(f"(Wrong on {n_wrong} of {2 if gate == 'not' else 4} inputs.)")
    else:
        assert "Wrong on" not in msg
    assert capsys.readouterr().out == msg + "\n"


@pytest.mark.parametrize(("gate", "weights", "theta", "pattern", "out", "n_wrong", "why"), MUTANTS)
def test_gate_messages_never_contain_the_solution(gate, weights, theta, pattern, out, n_wrong, why):
    msg = check_gate(gate, weights, theta, show=False).message
    # the only numbers are input and output bits (and the count of wrong inputs): no weight,
    # no threshold, the student's or the reference's (e.g. NAND's -1, AND's 2)
    _assert_no_numbers_but_bits(msg)
    ref = classic.gate_neuron(gate)
    for value in (*ref.weights, ref.threshold):
        if value not in (0, 1):
            assert f"{value:g}" not in _WRONG_ON.sub("", msg)
    for word in ("weights =", "threshold =", "θ", "solution", "should be"):
        assert word not in msg


def test_every_wrong_answer_on_a_grid_is_caught_and_hints_point_the_right_way():
    # every (w1, w2, θ) on a grid: passes exactly when the neuron computes the gate, and a
    # failure's hint says which way the weighted sum is off at the named input
    values = (-1.0, 0.0, 1.0)
    X, _ = classic.gate_truth_table("and")
    for gate in ("and", "or", "nand", "nor"):
        _, target = classic.gate_truth_table(gate)
        for w1 in values:
            for w2 in values:
                for theta in (-1.5, -0.5, 0.5, 1.5):
                    result = check_gate(gate, (w1, w2), theta, show=False)
                    out = classic.MCPNeuron([w1, w2], theta)(X)
                    assert result.ok == bool(np.all(out == target))
                    if not result.ok:
                        i = int(np.flatnonzero(out != target)[0])
                        assert f"input ({X[i, 0]}, {X[i, 1]})" in result.message
                        net = X[i] @ np.array([w1, w2])
                        side = "reaches" if net >= theta else "stays below"
                        assert f"input {side} your threshold" in result.message
                        _assert_no_numbers_but_bits(result.message)


@pytest.mark.parametrize(
    ("weights", "threshold", "missing"),
    [
        (None, None, "weights and threshold"),
        ((None, None), None, "weights and threshold"),
        ([1, None], 1, "weights"),
        ((1, 1), None, "threshold"),
        (None, 2, "weights"),
    ],
)
def test_unanswered_stubs_do_not_raise(weights, threshold, missing, capsys):
    result = check_gate("nand", weights, threshold)
    assert not result.ok and not result.answered
    assert result.message == f"✗ NAND: not answered yet. Replace None with your {missing}."
    assert capsys.readouterr().out == result.message + "\n"


def test_check_gate_bad_arguments_raise_named_errors():
    with pytest.raises(ValueError, match="unknown name 'nandd'"):
        check_gate("nandd", (1, 1), 1)
    with pytest.raises(ValueError, match="name 'xor' cannot be checked as one neuron"):
        check_gate("xor", (1, 1), 1)
    with pytest.raises(ValueError, match=r"weights must hold 2 numbers for NAND .* got 3"):
        check_gate("nand", (1, 1, 1), 1)
    with pytest.raises(ValueError, match="weights must hold 1 number for NOT"):
        check_gate("not", (1, 1), 1)
    with pytest.raises(TypeError, match="weights must be an array of numbers"):
        check_gate("nand", "-1 -1", 1)
    with pytest.raises(TypeError, match="threshold must be a real number"):
        check_gate("nand", (1, 1), "1")
    with pytest.raises(ValueError, match="weights must contain only finite"):
        check_gate("nand", (np.nan, 1), 1)
    with pytest.raises(ValueError, match="threshold must be finite"):
        check_gate("nand", (1, 1), np.inf)


# --------------------------------------------------------------------------- CheckResult


def test_check_result_bool_str_repr():
    good, bad = CheckResult(True, "✓ fine"), CheckResult(False, "✗ no")
    assert bool(good) and not bool(bad)
    assert str(bad) == repr(bad) == "✗ no"
    assert good.answered


def test_show_false_prints_nothing(capsys):
    check_gate("and", (1, 1), 2, show=False)
    check_value("x", 1, 1, show=False)
    assert capsys.readouterr().out == ""


def test_notebook_display_does_not_repeat_the_printed_message(monkeypatch, capsys):
    # In IPython a check on the last line of a cell prints its message, and IPython then
    # displays the returned result: that display must add nothing in the same cell, and
    # show the message when the result is displayed from a later cell.
    cell = {"n": 7}
    monkeypatch.setattr(selfcheck, "_execution_count", lambda: cell["n"])
    result = check_gate("nand", (1, 1), 2)
    result._ipython_display_()
    assert capsys.readouterr().out == result.message + "\n"  # once, not twice
    cell["n"] = 8
    result._ipython_display_()
    assert capsys.readouterr().out == result.message + "\n"
    # not printed by the check (show=False): displaying shows it
    quiet = check_gate("nand", (1, 1), 2, show=False)
    quiet._ipython_display_()
    assert capsys.readouterr().out == quiet.message + "\n"


# --------------------------------------------------------------------------- check_value


def _hebb_after_3():
    # bipolar AND, Fausett's order: after 3 patterns (w1, w2, b) = (1, 1, -1) (FACTS.md)
    X = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
    t = np.array([1, -1, -1, -1])
    trace = classic.hebb(X[:3], t[:3])
    return np.append(trace.final_w, trace.final_b)


HINTS = {"w1": "sum x1 * t", "w2": "check the second pattern's x2 * t", "b": "sum the targets"}


def test_check_value_passes_the_right_answer_in_any_layout(capsys):
    for answer in ([1, 1, -1], (1.0, 1.0, -1.0), np.array([[1, 1, -1]])):
        result = check_value(
            "Hebb after 3 patterns", answer, _hebb_after_3, labels=("w1", "w2", "b")
        )
        assert result.ok and result.message == "✓ Hebb after 3 patterns: right (all 3 values)."
    assert check_value("p", 0.62, 0.6225, atol=0.01, show=False).ok  # rounded by hand
    assert not check_value("p", 0.62, 0.6225, show=False).ok  # default tolerance 1e-6
    assert check_value("p", 0.6225, 0.6225, show=False).message == "✓ p: right."
    capsys.readouterr()


@pytest.mark.parametrize(
    ("answer", "wrong"),
    [
        ([1, 2, -1], {"w2": "2"}),  # second pattern's x2 * t added with the wrong sign
        ([1, 1, 1], {"b": "1"}),  # sign error on the bias
        ([2, 2, -2], {"w1": "2", "w2": "2", "b": "-2"}),  # one pattern too many
        ([0.5, 1, -1], {"w1": "0.5"}),
    ],
)
def test_check_value_mutants_name_each_wrong_component(answer, wrong):
    result = check_value(
        "Hebb after 3 patterns",
        answer,
        _hebb_after_3,
        labels=("w1", "w2", "b"),
        hints=HINTS,
        show=False,
    )
    assert not result.ok and result.answered
    msg = result.message
    assert msg.startswith("✗ Hebb after 3 patterns: ")
    for label, value in wrong.items():
        assert f"{label} is {value}, expected a different value ({HINTS[label]})." in msg
    right = {"w1", "w2", "b"} - set(wrong)
    for label in right:  # right components are not mentioned
        assert f"{label} is" not in msg


def test_check_value_never_shows_the_expected_value():
    # distinctive expected values: none may appear, for any wrong answer
    expected = np.array([2.5, -1.75, 0.625])
    for answer in ([0, 0, 0], [2.5, 1.75, 0.625], [-2.5, -1.75, 0.6], [1, 2, 3]):
        msg = check_value("update", answer, expected, labels=("w1", "w2", "b"), show=False).message
        assert msg.startswith("✗")
        numbers = set(_numbers(msg.replace("w1", "").replace("w2", "")))
        assert numbers <= {f"{a:g}" for a in answer}, msg  # only the student's own values
        for k, e in enumerate(expected):
            if answer[k] != e:  # a wrong component: its expected value is not in the message
                assert f"{e:g}" not in numbers


def test_check_value_default_labels_and_hint_sequence():
    msg = check_value("W", [[1, 2], [3, 5]], np.array([[1, 2], [3, 4]]), show=False).message
    assert msg == "✗ W: W[1, 1] is 5, expected a different value."
    msg = check_value("v", [0, 9], [0, 1], hints=["-", "look at x2"], show=False).message
    assert msg == "✗ v: v[1] is 9, expected a different value (look at x2)."
    msg = check_value("lr * y", 3, -0.5, show=False).message
    assert msg == "✗ lr * y: lr * y is 3, expected a different value."
    msg = check_value("x", [np.nan], 1.0, show=False).message  # NaN: wrong, not an error
    assert msg == "✗ x: x is nan, expected a different value."


@pytest.mark.parametrize("stub", [None, (None, None, None), [1, None, 2]])
def test_check_value_unanswered_does_not_raise_or_compute(stub, capsys):
    def expected():
        raise AssertionError("the expected value must not be computed for a stub")

    result = check_value("w after one update", stub, expected)
    assert not result.ok and not result.answered
    assert (
        result.message == "✗ w after one update: not answered yet. Replace None with your answer."
    )
    assert capsys.readouterr().out == result.message + "\n"


def test_check_value_bad_arguments():
    with pytest.raises(ValueError, match=r"answer must hold 3 values \(w1, w2, b\), got 2"):
        check_value("w", [1, 2], [1, 2, 3], labels=("w1", "w2", "b"))
    with pytest.raises(ValueError, match="answer must hold 1 value, got 2"):
        check_value("p", [1, 2], 0.5)
    with pytest.raises(TypeError, match="answer must be an array of numbers"):
        check_value("p", "0.5", 0.5)
    with pytest.raises(ValueError, match="labels must name each of the 3 expected values"):
        check_value("w", [1, 2, 3], [1, 2, 3], labels=("w1", "w2"))
    with pytest.raises(ValueError, match=r"hints has keys \['w3'\]"):
        check_value("w", [1, 2], [1, 2], labels=("w1", "w2"), hints={"w3": "?"})
    with pytest.raises(ValueError, match="hints must give one hint per value"):
        check_value("w", [1, 2], [1, 2], hints=["only one"])
    with pytest.raises(ValueError, match="atol must be in"):
        check_value("w", 1, 1, atol=-1)
    with pytest.raises(TypeError, match="name must be a string"):
        check_value(3, 1, 1)
    with pytest.raises(ValueError, match="expected must contain only finite"):
        check_value("w", 1, np.nan)
    with pytest.raises(TypeError, match="direction must be True or False, got str 'yes'"):
        check_value("w", 1, 2, direction="yes")
    # show="no" would be truthy and print: refused, also for an unanswered stub
    with pytest.raises(TypeError, match="show must be True or False, got str 'no'"):
        check_value("w", 1, 1, show="no")
    with pytest.raises(TypeError, match="show must be True or False"):
        check_gate("and", None, None, show="no")


def test_module_all_is_public():
    for name in selfcheck.__all__:
        assert hasattr(selfcheck, name)


# --------------------------------------------------------------------------- direction


def test_check_value_direction_says_too_large_or_too_small():
    r = check_value("v", [1, 3, -2], [1, 2, 0], labels=("a", "b", "c"), direction=True, show=False)
    assert not r and r.message == "✗ v: b is too large. c is too small."
    assert "2" not in r.message and "0" not in r.message  # neither expected value, nor -2
    r = check_value("v", 2.5, 2.5, direction=True, show=False)
    assert r and r.message == "✓ v: right."


# --------------------------------------------------------------------------- Hebb weights

# Fausett's bipolar AND: (w1, w2, b) after each pattern (1, 1, 1), (0, 2, 0), (1, 1, -1),
# (2, 2, -2): each pattern adds (x1 t, x2 t, t).
_BX = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
_BT = np.array([1, -1, -1, -1])
_AFTER = {1: ([1, 1], 1), 2: ([0, 2], 0), 3: ([1, 1], -1), 4: ([2, 2], -2)}


@pytest.mark.parametrize("after", [1, 2, 3, 4])
def test_check_hebb_weights_hand_values_pass(after, capsys):
    w, b = _AFTER[after]
    r = check_hebb_weights(w, b, _BX, _BT, after=after)
    assert r.ok and r.answered
    assert capsys.readouterr().out.startswith(f"✓ Hebb weights after {after} pattern")
    assert check_hebb_weights(np.array(w, float), float(b), _BX, _BT, after=after, show=False)


@pytest.mark.parametrize(
    ("answer_w", "answer_b", "after", "expected_parts"),
    [
        ([0, 3], 0, 2, ["w2 is too large"]),  # right: (0, 2, 0)
        ([0, 2], -1, 2, ["b is too small"]),
        ([1, 1], 1, 2, ["w1 is too large", "w2 is too small", "b is too large"]),  # after 1
        ([2, 2], 2, None, ["b is too large"]),  # default: all 4 patterns, b = -2
        ([1, 1], -1, None, ["w1 is too small", "w2 is too small", "b is too large"]),  # after 3
    ],
)
def test_check_hebb_weights_mutants_name_component_and_direction(
    answer_w, answer_b, after, expected_parts
):
    r = check_hebb_weights(answer_w, answer_b, _BX, _BT, after=after, show=False)
    assert not r and r.answered
    for part in expected_parts:
        assert part in r.message
    named = re.findall(r"(w\d|b) is too", r.message)
    assert len(named) == len(expected_parts)  # right components are not mentioned
    # the message never contains the expected numbers
    w, b = _AFTER[4 if after is None else after]
    for value in [*w, b]:
        assert not re.search(rf"(?<![\w.-]){value}(?![\w.])", r.message.split(":", 1)[1]), (
            value,
            r.message,
        )


def test_check_hebb_weights_stubs_and_bad_input(capsys):
    for stub in [(None, None), (None, 0), ([0, 2], None), ([None, None], None)]:
        r = check_hebb_weights(*stub, _BX, _BT, after=2)
        assert not r and not r.answered
        assert "not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="after must be between 1 and 4"):
        check_hebb_weights([0, 2], 0, _BX, _BT, after=5)
    with pytest.raises(ValueError, match="answer_w must hold 2 weights"):
        check_hebb_weights([0, 2, 1], 0, _BX, _BT)
    with pytest.raises(ValueError, match="t must have one target per row"):
        check_hebb_weights([0, 2], 0, _BX, _BT[:3])
    # binary encoding: a 0 input changes nothing (Fausett's binary AND: w = (1, 1), b = 1)
    X, t = classic.gate_truth_table("and")
    assert check_hebb_weights([1, 1], 1, X, t, show=False)


# --------------------------------------------------------------------------- perceptron step


def test_check_perceptron_step_mistake_and_no_mistake(capsys):
    # w = (1, 1), b = 1, x = (1, -1), y = -1: net 1 + -1 + 1 = 1, y net = -1 <= 0 -> update
    # w = (1, 1) + (-1)(1, -1) = (0, 2), b = 1 - 1 = 0
    assert check_perceptron_step([0, 2], 0, [1, 1], 1, [1, -1], -1)
    assert capsys.readouterr().out == "✓ perceptron step: right (all 3 values).\n"
    # lr = 0.5: w = (1, 1) - 0.5 (1, -1) = (0.5, 1.5), b = 0.5
    assert check_perceptron_step([0.5, 1.5], 0.5, [1, 1], 1, [1, -1], -1, lr=0.5, show=False)
    # correct sample (y net = 1 * 3 > 0): nothing changes
    assert check_perceptron_step([1, 1], 1, [1, 1], 1, [1, 0], 1, show=False)
    # mutant: updated although it was right -> every component too large
    r = check_perceptron_step([2, 1], 2, [1, 1], 1, [1, 0], 1, show=False)
    assert not r and "w1 is too large" in r.message and "b is too large" in r.message
    assert "w2" not in r.message


@pytest.mark.parametrize(
    ("answer_w", "answer_b", "parts"),
    [
        ([2, 0], 2, ["w1 is too large", "w2 is too small", "b is too large"]),  # sign flipped
        ([1, 1], 1, ["w1 is too large", "w2 is too small", "b is too large"]),  # no update
        ([0, 2], 1, ["b is too large"]),  # forgot the bias
        ([-1, 3], 0, ["w1 is too small", "w2 is too large"]),  # added 2 y x
    ],
)
def test_check_perceptron_step_mutants(answer_w, answer_b, parts):
    r = check_perceptron_step(answer_w, answer_b, [1, 1], 1, [1, -1], -1, show=False)
    assert not r
    for part in parts:
        assert part in r.message
    assert len(re.findall(r"(w\d|b) is too", r.message)) == len(parts)
    body = r.message.split(":", 1)[1]
    for value in ("0", "2"):  # the expected (0, 2, 0)
        assert not re.search(rf"(?<![\w.-]){value}(?![\w.])", body), r.message


def test_check_perceptron_step_stubs_and_bad_input(capsys):
    r = check_perceptron_step(None, None, [1, 1], 1, [1, -1], -1)
    assert not r and not r.answered and "not answered yet" in capsys.readouterr().out
    with pytest.raises(ValueError, match="y"):
        check_perceptron_step([0, 2], 0, [1, 1], 1, [1, -1], 0)  # labels must be -1/+1
    with pytest.raises(ValueError, match="w must hold one weight per entry of x"):
        check_perceptron_step([0, 2], 0, [1, 1, 1], 1, [1, -1], -1)
    with pytest.raises(ValueError, match="lr must be"):
        check_perceptron_step([0, 2], 0, [1, 1], 1, [1, -1], -1, lr=0)
    with pytest.raises(ValueError, match="b must be finite, got inf"):
        check_perceptron_step([0, 2], 0, [1, 1], np.inf, [1, -1], -1)
    with pytest.raises(ValueError, match="lr must be finite, got inf"):
        check_perceptron_step([0, 2], 0, [1, 1], 1, [1, -1], -1, lr=np.inf)


# ------------------------------------------------- the lessons' inline checks and their solutions


@pytest.mark.parametrize(
    ("key", "right"),
    [("01.raise-threshold", "b"), ("01.xor-grid", "b"), ("02.zero-target", "b"),
     ("02.order", "a"), ("03.on-the-line", "b"), ("03.count-loss", "a")],
)  # fmt: skip
def test_lesson_questions_accept_the_solution_and_explain_every_wrong_option(key, right):
    # the letter each lesson's <details> block gives as the solution is the one nnlib accepts
    assert selfcheck.check_answer(key, right, show=False)
    from nnlib import questions

    feedback = questions.question(key)["feedback"]
    for letter in sorted(set(feedback) - {right}):
        result = selfcheck.check_answer(key, letter, show=False)
        assert not result and feedback[letter] in result.message
        assert f"({right})" not in feedback[letter]  # a wrong option's text never names the answer


def test_lesson_numeric_checks_match_their_printed_solutions():
    from nnlib import datasets

    # lesson 01: AND with w = (2, 3): quiet net inputs 0, 3, 2, firing 5 -> (3, 5]
    interval = classic.valid_thresholds((2, 3), "and")
    assert (interval.low, interval.high) == (3, 5)
    assert selfcheck.check_value("AND", [3, 5], [interval.low, interval.high], show=False)
    # lesson 03: bipolar AND, w = (1, 1), b = -1: R = sqrt(3), gamma = 1/sqrt(3), bound 9
    X, y = datasets.logic_gate("and", encoding="bipolar")
    bound = classic.novikoff_bound(X, y, [1, 1], -1)
    np.testing.assert_allclose([bound.R, bound.gamma, bound.bound], [3**0.5, 3**-0.5, 9])
    assert selfcheck.check_value("bound", [1.732, 0.577, 9], [bound.R, bound.gamma, bound.bound],
                                 atol=1e-3, show=False)  # fmt: skip
    # lesson 02: the 3-input problem, w = X.T t = (0, 0, 0), b = sum(t) = -2
    X3 = np.array([[1, 1, 1], [1, 1, -1], [1, -1, 1], [-1, 1, 1]], dtype=float)
    t3 = np.array([1, -1, -1, -1])
    assert selfcheck.check_hebb_weights([0, 0, 0], -2, X3, t3, show=False)
