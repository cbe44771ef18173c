"""Tests for nnlib.classic: gates, thresholds, Hebb traces (FACTS.md), the perceptron.

Expected numbers are worked out by hand in the comments; the Hebb traces are Fausett's
(FACTS.md). Where a result could be produced by nnlib's own tables, it is compared with
literal values or an independent loop written here instead.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from finite_differences import central_difference, rel_error_global

from nnlib import datasets
from nnlib.classic import (
    DECOMPOSITIONS,
    GATES,
    UNIT_FUNCTIONS,
    HebbTrace,
    MCPNetwork,
    MCPNeuron,
    NovikoffBound,
    PerceptronResult,
    PerceptronUpdate,
    ThresholdInterval,
    binary,
    bipolar,
    criterion_landscape,
    gate_neuron,
    gate_truth_table,
    hebb,
    identify_gate,
    margin,
    max_margin_2d,
    novikoff_bound,
    perceptron,
    perceptron_criterion,
    perceptron_criterion_grad,
    predict_sign,
    predict_step,
    search_single_neuron,
    valid_thresholds,
    xor_network,
)
from nnlib.datasets import blobs

# Truth tables written out here, independently of nnlib: inputs (0,0), (0,1), (1,0), (1,1).
INPUTS2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
INPUTS1 = np.array([[0], [1]])
EXPECTED = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "not": [1, 0],
}

WEIGHT_GRID = np.arange(-2, 2.5, 0.5)  # -2, -1.5, ..., 2: 9 values
THRESHOLD_GRID = np.arange(-3, 3.25, 0.25)  # -3, -2.75, ..., 3: 25 values

# Fausett's pattern order for the Hebb examples (reverse truth-table order).
FAUSETT_BIPOLAR = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
FAUSETT_BINARY = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
X3 = np.array([[1, 1, 1], [1, 1, -1], [1, -1, 1], [-1, 1, 1]])
Y3 = np.array([1, -1, -1, -1])

ALL_GATES_MESSAGE = "'and', 'or', 'not', 'nand', 'nor', 'xor'"


def _inputs(name):
    return INPUTS1 if name == "not" else INPUTS2


# ---------------------------------------------------------------------------- gates


def test_gates_tuple():
    assert GATES == ("and", "or", "not", "nand", "nor", "xor")
    assert DECOMPOSITIONS == ("or_nand", "and_not")


@pytest.mark.parametrize("name", GATES)
def test_gate_truth_table_literal(name):
    X, y = gate_truth_table(name)
    np.testing.assert_array_equal(X, _inputs(name))
    np.testing.assert_array_equal(y, EXPECTED[name])
    assert X.dtype == np.int64 and y.dtype == np.int64


def test_classic_and_datasets_share_one_list_of_gates():
    # One list, one order, for both public entry points.
    assert datasets.GATES == GATES
    assert set(EXPECTED) == set(GATES)


@pytest.mark.parametrize("name", GATES)
def test_every_gate_same_full_truth_table_from_both_entry_points(name):
    X_classic, y_classic = gate_truth_table(name)
    X_data, y_data = datasets.logic_gate(name)
    np.testing.assert_array_equal(X_classic, _inputs(name))
    np.testing.assert_array_equal(X_data, _inputs(name))
    np.testing.assert_array_equal(y_classic, EXPECTED[name])
    np.testing.assert_array_equal(y_data, EXPECTED[name])
    # bipolar: every 0 becomes -1, inputs and targets
    Xb, yb = datasets.logic_gate(name, encoding="bipolar")
    np.testing.assert_array_equal(Xb, 2 * _inputs(name) - 1)
    np.testing.assert_array_equal(yb, 2 * np.array(EXPECTED[name]) - 1)


@pytest.mark.parametrize(
    ("name", "weights", "threshold"),
    [
        ("and", [1, 1], 2),
        ("or", [1, 1], 1),
        ("not", [-1], 0),
        ("nand", [-1, -1], -1),
        ("nor", [-1, -1], 0),
    ],
)
def test_gate_neuron_on_full_truth_table(name, weights, threshold):
    neuron = gate_neuron(name)
    np.testing.assert_array_equal(neuron.weights, weights)
    assert neuron.threshold == threshold
    np.testing.assert_array_equal(neuron(_inputs(name)), EXPECTED[name])
    # one pattern at a time too: an int per pattern
    assert [neuron(x) for x in _inputs(name)] == EXPECTED[name]
    assert identify_gate(weights, threshold) == name


def test_gate_neuron_nets_by_hand():
    # AND, w = (1, 1): nets 0+0, 0+1, 1+0, 1+1 = 0, 1, 1, 2; only 2 >= 2 fires
    np.testing.assert_array_equal(gate_neuron("and").net(INPUTS2), [0, 1, 1, 2])
    # NAND, w = (-1, -1): nets 0, -1, -1, -2; >= -1 everywhere but (1, 1)
    np.testing.assert_array_equal(gate_neuron("nand").net(INPUTS2), [0, -1, -1, -2])
    assert isinstance(gate_neuron("and").net([1, 1]), float)
    assert isinstance(gate_neuron("and")([1, 1]), int)


def test_bird_eats_blueberries_is_and():
    # (purple, round) -> eat: blueberry (1,1) -> 1, golf ball (0,1) -> 0,
    # violet (1,0) -> 0, hot dog (0,0) -> 0. w = (1, 1), theta = 2: nets 2, 1, 1, 0.
    objects = {
        "blueberry": (1, 1, 1),
        "golf ball": (0, 1, 0),
        "violet": (1, 0, 0),
        "hot dog": (0, 0, 0),
    }
    bird = MCPNeuron([1, 1], threshold=2)
    for name, (purple, round_, eat) in objects.items():
        assert bird([purple, round_]) == eat, name
    assert identify_gate([1, 1], 2) == "and"
    assert repr(bird) == "MCPNeuron(weights=[1, 1], threshold=2)"
    X, y = bird.truth_table()
    np.testing.assert_array_equal(X, INPUTS2)
    np.testing.assert_array_equal(y, EXPECTED["and"])


def test_xor_has_no_single_neuron():
    with pytest.raises(ValueError, match=r"not linearly separable.*xor_network"):
        gate_neuron("xor")


@pytest.mark.parametrize(
    ("decomposition", "hidden1", "hidden2"),
    [
        # h1 = x1 OR x2, h2 = NAND; out = h1 AND h2
        ("or_nand", [0, 1, 1, 1], [1, 1, 1, 0]),
        # h1 = x1 AND NOT x2 (fires only on (1,0)), h2 = NOT x1 AND x2 (only on (0,1)); out = OR
        ("and_not", [0, 0, 1, 0], [0, 1, 0, 0]),
    ],
)
def test_xor_network_both_decompositions(decomposition, hidden1, hidden2):
    net = xor_network(decomposition)
    np.testing.assert_array_equal(net(INPUTS2), EXPECTED["xor"])
    H, out = net.hidden(INPUTS2)
    np.testing.assert_array_equal(H[:, 0], hidden1)
    np.testing.assert_array_equal(H[:, 1], hidden2)
    np.testing.assert_array_equal(out[:, 0], EXPECTED["xor"])
    assert [net(x) for x in INPUTS2] == EXPECTED["xor"]
    np.testing.assert_array_equal(net.truth_table()[1], EXPECTED["xor"])
    assert net.n_inputs == 2 and len(net.layers) == 2


def test_xor_network_neurons():
    and_not = xor_network("and_not")
    (h1, h2), (out,) = and_not.layers
    assert (list(h1.weights), h1.threshold) == ([1, -1], 1)
    assert (list(h2.weights), h2.threshold) == ([-1, 1], 1)
    assert (list(out.weights), out.threshold) == ([1, 1], 1)
    assert "MCPNeuron(weights=[-1, -1], threshold=-1)" in repr(xor_network())


def test_mcp_network_deeper():
    # NOT(NOT x) = x, through two 1-input layers
    net = MCPNetwork([[gate_neuron("not")], [gate_neuron("not")]])
    np.testing.assert_array_equal(net(INPUTS1), [0, 1])


def test_identify_gate_names_every_threshold_function():
    # (weights, θ, outputs on (0,0), (0,1), (1,0), (1,1)) worked by hand: fires iff net >= θ
    cases = {
        "x1": ([1, 0], 1, (0, 0, 1, 1)),  # nets 0, 0, 1, 1
        "x2": ([0, 2], 1, (0, 1, 0, 1)),  # nets 0, 2, 0, 2
        "not x1": ([-1, 0], 0, (1, 1, 0, 0)),  # nets 0, 0, -1, -1
        "not x2": ([0, -1], -0.5, (1, 0, 1, 0)),  # nets 0, -1, 0, -1
        "x1 and not x2": ([1, -1], 1, (0, 0, 1, 0)),  # nets 0, -1, 1, 0
        "not x1 and x2": ([-1, 1], 1, (0, 1, 0, 0)),
        "x1 or not x2": ([1, -1], 0, (1, 0, 1, 1)),  # nets 0, -1, 1, 0
        "not x1 or x2": ([-1, 1], 0, (1, 1, 0, 1)),
        "always fires": ([1, 1], 0, (1, 1, 1, 1)),  # every net >= 0
        "never fires": ([1, 1], 2.5, (0, 0, 0, 0)),  # nets at most 2
    }
    for name, (w, theta, outputs) in cases.items():
        assert tuple(MCPNeuron(w, theta)(INPUTS2).tolist()) == outputs  # the hand table
        assert identify_gate(w, theta) == name
        assert name in UNIT_FUNCTIONS
    # one input
    assert identify_gate([1], 1) == "x1" and identify_gate([-1], 0) == "not"
    assert identify_gate([0], 0) == "always fires" and identify_gate([1], 2) == "never fires"
    # every 2-input neuron on a grid gets a name; only XOR and XNOR are never computed
    names = {
        identify_gate([a, b], t)
        for a in (-1, 0, 1)
        for b in (-1, 0, 1)
        for t in (-1.5, -0.5, 0.5, 1.5)
    }
    assert None not in names
    assert len(names) == 14 and "xor" not in names
    assert set(GATES) - {"xor"} <= set(UNIT_FUNCTIONS)


def test_identify_gate_none_and_other_weights():
    assert identify_gate([0.5, 0.5], 0.25) == "or"  # nets 0, .5, .5, 1: >= .25 except (0,0)
    assert identify_gate([2, 2], 3) == "and"  # nets 0, 2, 2, 4
    assert identify_gate([1, 1, 1], 3) is None  # no named 3-input function


# ----------------------------------------------------------------- valid thresholds


def test_valid_thresholds_hand_worked():
    # w = (1, 1): nets of (0,0), (0,1), (1,0), (1,1) are 0, 1, 1, 2.
    # AND: theta > max net of the 0-targets = max(0, 1, 1) = 1, theta <= net of (1,1) = 2.
    iv = valid_thresholds([1, 1], "and")
    assert (iv.low, iv.high) == (1, 2) and str(iv) == "(1, 2]"
    assert not iv.closed_low and iv.closed_high
    # OR: theta > net of (0,0) = 0, theta <= min(1, 1, 2) = 1.
    assert str(valid_thresholds([1, 1], "or")) == "(0, 1]"
    # NAND with w = (-1, -1): nets 0, -1, -1, -2; theta > -2 (the 0-target (1,1)),
    # theta <= min(0, -1, -1) = -1.
    assert str(valid_thresholds([-1, -1], "nand")) == "(-2, -1]"
    # NOR with w = (-1, -1): theta > max(-1, -1, -2) = -1, theta <= 0.
    assert str(valid_thresholds([-1, -1], "nor")) == "(-1, 0]"
    # NOT with w = (-1,): nets 0, -1: theta in (-1, 0].
    assert str(valid_thresholds([-1], "not")) == "(-1, 0]"
    # XOR: 0-targets have nets 0 and 2, 1-targets 1 and 1: 2 < theta <= 1 is empty.
    assert valid_thresholds([1, 1], "xor") is None
    # AND with w = (1, -1): nets 0, -1, 1, 0; theta > max(0, -1, 1) = 1 but <= 0: empty.
    assert valid_thresholds([1, -1], "and") is None
    # "copy x2" with w = (1, 1): (0,1) must fire and (1,0) must not, but both nets are 1:
    # 1 < theta <= 1 is empty (the interval is open at its low end).
    assert valid_thresholds([1, 1], [0, 1, 0, 1]) is None
    assert str(valid_thresholds([0, 1], [0, 1, 0, 1])) == "(0, 1]"


def test_valid_thresholds_unbounded_ends():
    # always fire: no 0-target, theta <= min net 0
    iv = valid_thresholds([1, 1], [1, 1, 1, 1])
    assert str(iv) == "(-inf, 0]" and -1e9 in iv and 0.1 not in iv
    # never fire: no 1-target, theta > max net 2
    iv = valid_thresholds([1, 1], [0, 0, 0, 0])
    assert str(iv) == "(2, inf)" and not iv.closed_high and 1e9 in iv and 2 not in iv


@pytest.mark.parametrize(
    ("weights", "name"),
    [([1, 1], "and"), ([1, 1], "or"), ([-1, -1], "nand"), ([-1, -1], "nor"), ([-1], "not"),
     ([0.5, 1.5], "or"), ([2, 0.5], "and")],
)  # fmt: skip
def test_every_threshold_inside_gives_the_gate_and_just_outside_not(weights, name):
    iv = valid_thresholds(weights, name)
    assert iv == valid_thresholds(weights, EXPECTED[name])  # name or targets: same interval
    eps = 1e-9
    inside = [*np.linspace(iv.low, iv.high, 12)[1:], iv.high]  # low excluded, high included
    for theta in inside:
        assert theta in iv
        np.testing.assert_array_equal(MCPNeuron(weights, theta)(_inputs(name)), EXPECTED[name])
    for theta in (iv.low, iv.low - eps, iv.high + eps):  # just outside, both ends
        assert theta not in iv
        out = MCPNeuron(weights, theta)(_inputs(name))
        assert not np.array_equal(out, EXPECTED[name]), theta


def test_threshold_interval_contains_and_str():
    iv = ThresholdInterval(0.5, 1.5)
    assert str(iv) == "(0.5, 1.5]"
    assert 0.5 not in iv and 0.51 in iv and 1.5 in iv and 1.51 not in iv


# ------------------------------------------------------------ single-neuron search


def _brute_force(targets):
    """Independent reference: loop over the grid and test every neuron."""
    d = 1 if len(targets) == 2 else 2
    X = INPUTS1 if d == 1 else INPUTS2
    rows = []
    for w in itertools.product(WEIGHT_GRID, repeat=d):
        for theta in THRESHOLD_GRID:
            if list((X @ np.array(w) >= theta).astype(int)) == list(targets):
                rows.append([*w, theta])
    return np.array(rows).reshape(-1, d + 1)


@pytest.mark.parametrize("name", ["and", "or", "nand", "nor", "not"])
def test_search_finds_separable_gates(name):
    sols = search_single_neuron(name, WEIGHT_GRID, THRESHOLD_GRID)
    d = 1 if name == "not" else 2
    assert sols.shape[1] == d + 1 and sols.shape[0] > 0
    np.testing.assert_array_equal(sols, _brute_force(EXPECTED[name]))  # same rows, same order
    for *w, theta in sols:
        assert theta in valid_thresholds(w, name)
        np.testing.assert_array_equal(MCPNeuron(w, theta)(_inputs(name)), EXPECTED[name])


def test_search_contains_textbook_solutions_and_none_for_xor():
    and_rows = search_single_neuron("and", WEIGHT_GRID, THRESHOLD_GRID).tolist()
    or_rows = search_single_neuron(EXPECTED["or"], WEIGHT_GRID, THRESHOLD_GRID).tolist()
    assert [1, 1, 2] in and_rows and [1, 1, 1] in or_rows
    # w = (1, 1): AND for theta in (1, 2] on the 0.25 grid: 1.25, 1.5, 1.75, 2
    assert [r[2] for r in and_rows if r[:2] == [1, 1]] == [1.25, 1.5, 1.75, 2]
    xor = search_single_neuron("xor", WEIGHT_GRID, THRESHOLD_GRID)
    assert xor.shape == (0, 3)
    assert _brute_force(EXPECTED["xor"]).shape == (0, 3)


def test_search_three_inputs():
    # majority of three: w = (1, 1, 1), theta = 2 is one of the solutions
    targets = [0, 0, 0, 1, 0, 1, 1, 1]
    sols = search_single_neuron(targets, [0, 1], [1, 2, 3])
    assert sols.tolist() == [[1, 1, 1, 2]]


# ------------------------------------------------------------------------ Hebb


def _hebb_loop(X, t):
    """Independent reference: the rule one pattern at a time."""
    w, b, rows = np.zeros(X.shape[1]), 0.0, []
    for x, target in zip(X, t, strict=True):
        w = w + x * target
        b = b + target
        rows.append([*w, b])
    return np.array(rows)


def test_hebb_bipolar_and_matches_fausett():
    trace = hebb(FAUSETT_BIPOLAR, [1, -1, -1, -1])
    # (1,1)->1: w = (1,1), b = 1; (1,-1)->-1: w = (1-1, 1+1) = (0,2), b = 0;
    # (-1,1)->-1: w = (0+1, 2-1) = (1,1), b = -1; (-1,-1)->-1: (2,2), b = -2.
    expected = [[1, 1, 1], [0, 2, 0], [1, 1, -1], [2, 2, -2]]
    np.testing.assert_array_equal(np.column_stack([trace.w, trace.b]), expected)
    np.testing.assert_array_equal(trace.dw, [[1, 1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(trace.db, [1, -1, -1, -1])
    np.testing.assert_array_equal(trace.final_w, [2, 2])
    assert trace.final_b == -2
    # the final line 2 x1 + 2 x2 - 2 = 0, i.e. x2 = -x1 + 1, separates the patterns
    np.testing.assert_array_equal(predict_sign(FAUSETT_BIPOLAR, [2, 2], -2), [1, -1, -1, -1])


def test_hebb_binary_and_learns_only_on_1_1_and_fires_everywhere():
    trace = hebb(FAUSETT_BINARY, [1, 0, 0, 0])
    # only (1,1) with t = 1 changes anything: x t = 0 and t = 0 for the rest
    np.testing.assert_array_equal(trace.dw, [[1, 1], [0, 0], [0, 0], [0, 0]])
    np.testing.assert_array_equal(np.column_stack([trace.w, trace.b]), [[1, 1, 1]] * 4)
    # nets x1 + x2 + 1 >= 1 > 0 for every binary input: fires everywhere
    np.testing.assert_array_equal(predict_step(INPUTS2, trace.final_w, trace.final_b), [1] * 4)


def test_hebb_binary_inputs_bipolar_targets():
    trace = hebb(FAUSETT_BINARY, [1, -1, -1, -1])
    # (1,1)->1: (1,1,1); (1,0)->-1: (0,1,0); (0,1)->-1: (0,0,-1); (0,0)->-1: (0,0,-2)
    expected = [[1, 1, 1], [0, 1, 0], [0, 0, -1], [0, 0, -2]]
    np.testing.assert_array_equal(np.column_stack([trace.w, trace.b]), expected)


def test_hebb_three_input_case_fails_although_separable():
    trace = hebb(X3, Y3)
    # (1,1,1)->1: (1,1,1,1); (1,1,-1)->-1: (0,0,2,0); (1,-1,1)->-1: (-1,1,1,-1);
    # (-1,1,1)->-1: (0,0,0,-2)
    expected = [[1, 1, 1, 1], [0, 0, 2, 0], [-1, 1, 1, -1], [0, 0, 0, -2]]
    np.testing.assert_array_equal(np.column_stack([trace.w, trace.b]), expected)
    # net = -2 for every pattern: -1 everywhere, wrong on the first
    np.testing.assert_array_equal(predict_sign(X3, trace.final_w, trace.final_b), [-1] * 4)
    # yet w = (1,1,1), b = -2 separates: nets 3-2 = 1, 1-2 = -1, -1, -1
    np.testing.assert_array_equal(predict_sign(X3, [1, 1, 1], -2), Y3)


def test_hebb_matches_independent_loop_and_initial_weights():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 3))
    t = rng.choice([-1.0, 1.0], size=7)
    trace = hebb(X, t)
    np.testing.assert_allclose(np.column_stack([trace.w, trace.b]), _hebb_loop(X, t), atol=1e-12)
    # non-default start: everything shifts by (w0, b0)
    shifted = hebb(X, t, w0=[1.0, 2.0, 3.0], b0=-1.0)
    np.testing.assert_allclose(shifted.w, trace.w + np.array([1, 2, 3]))
    np.testing.assert_allclose(shifted.b, trace.b - 1)
    assert shifted.weights_after(0)[1] == -1.0
    np.testing.assert_array_equal(shifted.weights_after(0)[0], [1, 2, 3])


def test_hebb_trace_views():
    trace = hebb(FAUSETT_BIPOLAR, [1, -1, -1, -1])
    assert isinstance(trace, HebbTrace) and len(trace) == 4
    text = str(trace)
    lines = text.splitlines()
    assert lines[0].split() == ["x1", "x2", "t", "|", "Δw1", "Δw2", "Δb", "|", "w1", "w2", "b"]
    assert lines[-1].split() == ["-1", "-1", "-1", "|", "1", "1", "-1", "|", "2", "2", "-2"]
    assert text in repr(trace)
    table = trace.as_table()
    assert len(table) == 4
    assert table[1] == {
        "x1": 1.0, "x2": -1.0, "t": -1.0, "dw1": -1.0, "dw2": 1.0, "db": -1.0,
        "w1": 0.0, "w2": 2.0, "b": 0.0,
    }  # fmt: skip
    w, b = trace.weights_after(2)
    np.testing.assert_array_equal(w, [0, 2])
    assert b == 0
    with pytest.raises(ValueError, match="k must be at most"):
        trace.weights_after(5)


# ----------------------------------------------------------------- encodings, units


def test_encodings():
    np.testing.assert_array_equal(bipolar([0, 1]), [-1, 1])
    assert bipolar(np.array([0, 1])).dtype == np.int64
    assert bipolar(np.array([0.0, 1.0])).dtype == np.float64
    np.testing.assert_array_equal(bipolar(np.array([True, False])), [1, -1])
    np.testing.assert_array_equal(binary([-1, 1, 1]), [0, 1, 1])
    assert binary(np.array([-1.0, 1.0])).dtype == np.float64
    X = np.array([[0, 1], [1, 1]])
    np.testing.assert_array_equal(binary(bipolar(X)), X)
    with pytest.raises(ValueError, match="x must contain only 0 and 1"):
        bipolar([0, 2])
    with pytest.raises(ValueError, match="x must contain only -1 and \\+1"):
        binary([0, 1])


def test_predict_on_the_boundary():
    # net = 1 + 0 - 1 = 0: counts as firing (+1 / 1)
    assert predict_sign([[1, 0]], [1, 1], -1).tolist() == [1]
    assert predict_step([[1, 0]], [1, 1], -1).tolist() == [1]
    # net = -0.5: -1 / 0
    assert predict_sign([[0.5, 0]], [1, 1], -1).tolist() == [-1]
    assert predict_step([[0.5, 0]], [1, 1], -1).tolist() == [0]


# ------------------------------------------------------------------- perceptron


def _check_history(result, X, y, lr, w0=None, b0=0.0):
    """Consistency of a PerceptronResult, recomputed from its own updates."""
    X, y = np.asarray(X, float), np.asarray(y)
    d = X.shape[1]
    w0 = np.zeros(d) if w0 is None else np.asarray(w0, float)
    H = result.weights_history
    assert H.shape == (result.n_updates + 1, d + 1)
    np.testing.assert_array_equal(H[0], [*w0, b0])
    assert sum(result.mistakes_per_epoch) == result.n_updates == len(result.updates)
    assert len(result.mistakes_per_epoch) == result.epochs
    epochs = [u.epoch for u in result.updates]
    assert np.array_equal(np.bincount(epochs, minlength=result.epochs), result.mistakes_per_epoch)
    w, b = w0, b0
    for k, u in enumerate(result.updates):
        assert isinstance(u, PerceptronUpdate)
        np.testing.assert_array_equal(u.w_before, w)
        assert u.b_before == b
        np.testing.assert_array_equal(u.x, X[u.index])
        assert u.y == y[u.index]
        assert u.y * (u.x @ u.w_before + u.b_before) <= 0  # it was a mistake
        np.testing.assert_allclose(u.w_after, u.w_before + lr * u.y * u.x)  # the rule
        assert u.b_after == pytest.approx(u.b_before + lr * u.y)
        np.testing.assert_array_equal(H[k + 1], [*u.w_after, u.b_after])
        w, b = u.w_after, u.b_after
    np.testing.assert_array_equal(result.w, H[-1][:-1])
    assert result.b == H[-1][-1]


def test_perceptron_bipolar_and_by_hand():
    # start (0,0), b = 0. (1,1)->+1: margin 0 <= 0, w = (1,1), b = 1.
    # (1,-1)->-1: net 1-1+1 = 1, margin -1: w = (1-1, 1+1) = (0,2), b = 0.
    # (-1,1)->-1: net 2, margin -2: w = (0+1, 2-1) = (1,1), b = -1.
    # (-1,-1)->-1: net -3, fine. Epoch 2: nets 1, -1, -1, -3: no mistakes.
    result = perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1])
    assert isinstance(result, PerceptronResult)
    assert result.converged and result.epochs == 2 and result.mistakes_per_epoch == [3, 0]
    np.testing.assert_array_equal(
        result.weights_history, [[0, 0, 0], [1, 1, 1], [0, 2, 0], [1, 1, -1]]
    )
    assert [u.index for u in result.updates] == [0, 1, 2]
    assert result.updates[1]["w_after"].tolist() == [0, 2]  # dict-style access works too
    _check_history(result, FAUSETT_BIPOLAR, [1, -1, -1, -1], lr=1.0)


def test_perceptron_converges_on_blobs_within_novikoff_bound():
    X, labels = blobs(60, centers=[[1, 1], [4, 4]], std=0.5, rng=1)
    y = bipolar(labels)  # 0 -> -1, 1 -> +1
    result = perceptron(X, y, epochs=1000)
    assert result.converged and result.mistakes_per_epoch[-1] == 0
    assert result.n_updates > 1  # not trivially solved by the first update
    np.testing.assert_array_equal(predict_sign(X, result.w, result.b), y)
    _check_history(result, X, y, lr=1.0)
    # Novikoff: updates <= (R / gamma)^2 for ANY separating (w, b) ...
    own = novikoff_bound(X, y, result.w, result.b)
    assert result.n_updates <= own.bound
    # ... e.g. the perpendicular bisector of the centres: (1, 1).x - 5 = 0 through (2.5, 2.5)
    known = novikoff_bound(X, y, [1, 1], -5)
    assert result.n_updates <= known.bound
    R = np.sqrt(np.max(np.sum(X**2, axis=1) + 1))  # ||(x, 1)||
    gamma = np.min(y * (X @ [1, 1] - 5)) / np.sqrt(1 + 1 + 25)
    np.testing.assert_allclose([known.R, known.gamma], [R, gamma])
    assert known.bound == pytest.approx((R / gamma) ** 2)


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_within_bound_on_random_separable_data(seed):
    rng = np.random.default_rng(seed)
    teacher_w, teacher_b = rng.normal(size=3), rng.normal()
    X = rng.uniform(-2, 2, size=(300, 3))
    margin = (X @ teacher_w + teacher_b) / np.linalg.norm([*teacher_w, teacher_b])
    X = X[np.abs(margin) > 0.2][:60]  # keep a margin so the bound stays small
    y = np.where(X @ teacher_w + teacher_b > 0, 1, -1)
    result = perceptron(X, y, epochs=5000)
    bound = novikoff_bound(X, y, teacher_w, teacher_b).bound
    assert result.converged and result.n_updates <= bound
    _check_history(result, X, y, lr=1.0)


@pytest.mark.parametrize("encoding", ["binary", "bipolar"])
def test_perceptron_fails_on_xor_and_cycles(encoding):
    X = INPUTS2 if encoding == "binary" else bipolar(INPUTS2)
    y = bipolar(EXPECTED["xor"])
    result = perceptron(X, y, epochs=30, w0=[0.5, -0.25], b0=0.25)
    assert not result.converged and result.epochs == 30
    assert min(result.mistakes_per_epoch) > 0  # never an epoch without a mistake
    _check_history(result, X, y, lr=1.0, w0=[0.5, -0.25], b0=0.25)
    # the weights at the end of each epoch repeat: the run is in a cycle
    ends = np.cumsum(result.mistakes_per_epoch)
    states = [tuple(result.weights_history[k]) for k in ends]
    first_seen = {}
    cycle = None
    for e, s in enumerate(states):
        if s in first_seen:
            cycle = (first_seen[s], e)
            break
        first_seen[s] = e
    assert cycle is not None, "no repeated state in 30 epochs"
    start, again = cycle
    period = again - start
    # from then on the mistakes per epoch repeat with that period
    tail = result.mistakes_per_epoch[start + 1 :]
    assert all(tail[i] == tail[i + period] for i in range(len(tail) - period))


def test_perceptron_solves_the_three_input_case():
    result = perceptron(X3, Y3)
    assert result.converged
    np.testing.assert_array_equal(predict_sign(X3, result.w, result.b), Y3)
    assert result.n_updates <= novikoff_bound(X3, Y3, [1, 1, 1], -2).bound
    _check_history(result, X3, Y3, lr=1.0)


def test_perceptron_learning_rate_scales_from_zero_start():
    X, y = FAUSETT_BIPOLAR, [1, -1, -1, -1]
    a, b = perceptron(X, y, lr=1.0), perceptron(X, y, lr=0.25)
    assert [u.index for u in a.updates] == [u.index for u in b.updates]
    np.testing.assert_allclose(b.weights_history, 0.25 * a.weights_history)
    _check_history(b, X, y, lr=0.25)
    # from a nonzero start the learning rate changes the run
    c = perceptron(X, y, lr=0.25, w0=[-1.0, 0.5], b0=0.5)
    d = perceptron(X, y, lr=2.0, w0=[-1.0, 0.5], b0=0.5)
    assert c.n_updates != d.n_updates
    _check_history(c, X, y, lr=0.25, w0=[-1.0, 0.5], b0=0.5)


def test_perceptron_shuffle_uses_rng():
    X, labels = blobs(40, centers=[[1, 1], [3, 3]], std=0.5, rng=0)
    y = bipolar(labels)
    ordered = perceptron(X, y, epochs=500)
    s1 = perceptron(X, y, epochs=500, shuffle=True, rng=7)
    s2 = perceptron(X, y, epochs=500, shuffle=True, rng=7)
    assert [u.index for u in s1.updates] == [u.index for u in s2.updates]  # deterministic
    assert [u.index for u in s1.updates] != [u.index for u in ordered.updates]
    assert s1.converged
    _check_history(s1, X, y, lr=1.0)
    # without shuffle, the indices within an epoch increase
    for e in range(ordered.epochs):
        idx = [u.index for u in ordered.updates if u.epoch == e]
        assert idx == sorted(idx)


def test_perceptron_epochs_limit():
    y = bipolar(EXPECTED["xor"])
    result = perceptron(INPUTS2, y, epochs=1)
    assert result.epochs == 1 and not result.converged
    assert "converged=False" in repr(result)


# -------------------------------------------------------- perceptron criterion


def test_criterion_hand_example():
    X, y = np.array([[1, 1], [-1, -1], [2, 0]]), np.array([1, 1, -1])
    w, b = np.array([1.0, 0.0]), 0.5
    # nets: 1 + 0.5 = 1.5, -1 + 0.5 = -0.5, 2 + 0.5 = 2.5
    # margins y*net: 1.5, -0.5, -2.5 -> M = {1, 2}; J = 0.5 + 2.5 = 3
    assert perceptron_criterion(w, b, X, y) == 3.0
    dw, db = perceptron_criterion_grad(w, b, X, y)
    # dJ/dw = -(y_1 x_1 + y_2 x_2) = -((+1)(-1,-1) + (-1)(2,0)) = -(-3, -1) = (3, 1)
    # dJ/db = -(y_1 + y_2) = -(1 - 1) = 0
    np.testing.assert_array_equal(dw, [3, 1])
    assert db == 0
    # a separating unit has J = 0 and zero gradient: w = (1, 1), b = -3 gives
    # margins 1*(2-3) = -1 (wrong), so use w = (-1, 1), b = 1: margins 1, 1, 1
    assert perceptron_criterion([-1, 1], 1, X, y) == 0
    assert np.all(perceptron_criterion_grad([-1, 1], 1, X, y)[0] == 0)


def test_criterion_landscape_is_the_count_and_j_at_every_grid_point():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, 2))
    y = rng.choice([-1, 1], size=9)
    w1, w2, b = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5), 0.3
    mistakes, J = criterion_landscape(X, y, b, w1, w2)
    assert mistakes.shape == J.shape == (5, 7)  # rows follow w2, columns w1
    for j, i in itertools.product(range(5), range(7)):
        w = np.array([w1[i], w2[j]])
        assert J[j, i] == pytest.approx(perceptron_criterion(w, b, X, y), abs=1e-12)
        assert mistakes[j, i] == np.sum(y * (X @ w + b) <= 0)


def test_criterion_landscape_hand_example():
    # binary AND, bipolar labels, b = -1: at w = (0, 0) only (1, 1) is wrong, margin
    # 1 * (0 + 0 - 1) = -1, so J = 1; at w = (2, 0) the pattern (1, 0) is wrong,
    # margin -1 * (2 - 1) = -1, and (1, 1) is right: J = 1 again, one mistake.
    X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1, -1, -1, 1]
    mistakes, J = criterion_landscape(X, y, -1, [0.0, 2.0], [0.0])
    np.testing.assert_array_equal(mistakes, [[1, 1]])
    np.testing.assert_array_equal(J, [[1.0, 1.0]])
    # on the boundary: w = (0.5, 0.5) puts (1, 1) exactly on the line, a mistake adding 0
    mistakes, J = criterion_landscape(X, y, -1, [0.5], [0.5])
    assert mistakes[0, 0] == 1 and J[0, 0] == 0.0 and not np.signbit(J[0, 0])


def test_criterion_landscape_bad_input():
    X, y = [[0, 0], [1, 1]], [-1, 1]
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        criterion_landscape([[0, 0, 0]], [1], 0, [0], [0])
    with pytest.raises(ValueError, match="y"):
        criterion_landscape(X, [0, 1], 0, [0], [0])
    with pytest.raises(ValueError, match="w1_values"):
        criterion_landscape(X, y, 0, [[0]], [0])
    with pytest.raises(TypeError, match="b"):
        criterion_landscape(X, y, "0", [0], [0])


def test_criterion_gradient_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    y = rng.choice([-1, 1], size=12)
    wb = rng.normal(size=4)
    margins = y * (X @ wb[:3] + wb[3])
    assert np.min(np.abs(margins)) > 1e-3  # away from the boundary: J is linear near wb
    assert np.sum(margins <= 0) >= 2  # some mistakes, so the gradient is not trivially 0

    def J(z):
        return perceptron_criterion(z[:3], z[3], X, y)

    numeric = central_difference(J, wb)
    dw, db = perceptron_criterion_grad(wb[:3], wb[3], X, y)
    assert rel_error_global(np.append(dw, db), numeric) < 1e-7


def test_batch_perceptron_epoch_is_gradient_descent_on_criterion():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 2))
    y = rng.choice([-1, 1], size=10)
    w, b, lr = rng.normal(size=2), 0.3, 0.1
    dw, db = perceptron_criterion_grad(w, b, X, y)
    # descent SUBTRACTS the gradient: w - lr dJ/dw = w + lr sum_M y_i x_i
    w_gd, b_gd = w - lr * dw, b - lr * db
    # batch perceptron epoch: test every sample at the epoch's starting (w, b), add them all
    w_batch, b_batch = w.copy(), b
    for xi, yi in zip(X, y, strict=True):
        if yi * (xi @ w + b) <= 0:
            w_batch = w_batch + lr * yi * xi
            b_batch = b_batch + lr * yi
    np.testing.assert_allclose(w_gd, w_batch)
    assert b_gd == pytest.approx(b_batch)
    # and it lowers J by lr * ||grad||^2 for a small step (J is linear there), while the
    # wrong sign (w + lr dJ/dw) raises it
    small = 1e-4
    g2 = dw @ dw + db**2
    J0 = perceptron_criterion(w, b, X, y)
    down = perceptron_criterion(w - small * dw, b - small * db, X, y)
    up = perceptron_criterion(w + small * dw, b + small * db, X, y)
    assert down == pytest.approx(J0 - small * g2, rel=1e-9)
    assert up > J0


def test_online_perceptron_step_is_sgd_on_one_sample_criterion():
    X, labels = blobs(30, centers=[[1, 1], [3, 3]], std=0.6, rng=2)
    y = bipolar(labels)
    result = perceptron(X, y, lr=0.5, epochs=500)
    assert result.n_updates > 0
    for u in result.updates:
        dw, db = perceptron_criterion_grad(u.w_before, u.b_before, u.x[None, :], [u.y])
        np.testing.assert_allclose(u.w_after, u.w_before - 0.5 * dw)
        assert u.b_after == pytest.approx(u.b_before - 0.5 * db)


def test_novikoff_hand_example_and_non_separating():
    # bipolar AND, (w, b) = (1, 1, -1): margins 1*(1+1-1) = 1, -1*(1-1-1) = 1, 1, 1*... = 1
    # R = ||(+-1, +-1, 1)|| = sqrt(3); ||(1, 1, -1)|| = sqrt(3); gamma = 1/sqrt(3); bound 9
    nb = novikoff_bound(FAUSETT_BIPOLAR, [1, -1, -1, -1], [1, 1], -1)
    assert isinstance(nb, NovikoffBound)
    np.testing.assert_allclose([nb.R, nb.gamma, nb.bound], [np.sqrt(3), 1 / np.sqrt(3), 9])
    assert str(nb) == "R = 1.732, γ = 0.5774, (R/γ)² = 9"
    with pytest.raises(ValueError, match="does not separate"):
        novikoff_bound(FAUSETT_BIPOLAR, [1, -1, -1, -1], [1, 1], 0)  # (1,-1): net 0
    with pytest.raises(ValueError, match="does not separate"):
        novikoff_bound(INPUTS2, bipolar(EXPECTED["xor"]), [1, 1], -1)


def test_margin_by_hand_and_versus_novikoff():
    # bipolar AND, line x1 + x2 - 1 = 0: y (w.x + b) = 1, 1, 1, 3; ||w|| = sqrt(2)
    y = [1, -1, -1, -1]
    assert margin(FAUSETT_BIPOLAR, y, [1, 1], -1) == pytest.approx(1 / np.sqrt(2))
    # scaling (w, b) does not change it; Novikoff's gamma divides by ||(1, 1, -1)|| = sqrt(3)
    assert margin(FAUSETT_BIPOLAR, y, [3, 3], -3) == pytest.approx(1 / np.sqrt(2))
    assert novikoff_bound(FAUSETT_BIPOLAR, y, [1, 1], -1).gamma == pytest.approx(1 / np.sqrt(3))
    # through the origin (b = 0) both agree: x1 = 0 separating x1 = -2 from x1 = 1
    X, yy = [[1, 0], [-2, 5]], [1, -1]
    assert margin(X, yy, [1, 0], 0) == pytest.approx(1.0)
    assert novikoff_bound(X, yy, [1, 0], 0).gamma == pytest.approx(1.0)
    # a point on the wrong side: negative; w = 0 refused
    assert margin(FAUSETT_BIPOLAR, y, [1, 1], 1) == pytest.approx(-1 / np.sqrt(2))
    with pytest.raises(ValueError, match="w must not be all zeros"):
        margin(FAUSETT_BIPOLAR, y, [0, 0], 1)


def test_max_margin_2d_hand_examples():
    # two points (0, 0) -1 and (2, 2) +1: the perpendicular bisector x1 + x2 = 2,
    # w = (1, 1)/sqrt(2), b = -2/sqrt(2) = -sqrt(2), margin = half the distance = sqrt(2)
    w, b, gamma = max_margin_2d([[0, 0], [2, 2]], [-1, 1])
    np.testing.assert_allclose(w, [1 / np.sqrt(2), 1 / np.sqrt(2)], atol=1e-12)
    assert b == pytest.approx(-np.sqrt(2)) and gamma == pytest.approx(np.sqrt(2))
    # bipolar AND: x1 + x2 = 1, margin 1/sqrt(2) (the perceptron's (1, 1, -1) line)
    w, b, gamma = max_margin_2d(FAUSETT_BIPOLAR, [1, -1, -1, -1])
    np.testing.assert_allclose(w, [1 / np.sqrt(2)] * 2, atol=1e-12)
    assert b == pytest.approx(-1 / np.sqrt(2)) and gamma == pytest.approx(1 / np.sqrt(2))
    assert gamma == pytest.approx(margin(FAUSETT_BIPOLAR, [1, -1, -1, -1], w, b))
    # vertical gap: +1 at x1 = 3, -1 at x1 = 1 (any x2): the line x1 = 2, margin 1
    X = [[3, -5], [3, 5], [1, 0], [1, 9]]
    w, b, gamma = max_margin_2d(X, [1, 1, -1, -1])
    np.testing.assert_allclose(w, [1, 0], atol=1e-12)
    assert b == pytest.approx(-2) and gamma == pytest.approx(1)


def test_max_margin_2d_is_the_best_direction_and_refuses_non_separable():
    X, y = blobs(40, centers=[[-2.0, -2.0], [2.0, 2.0]], std=0.5, rng=0)
    y = bipolar(y)
    w, b, gamma = max_margin_2d(X, y)
    assert np.linalg.norm(w) == pytest.approx(1.0)
    assert gamma == pytest.approx(margin(X, y, w, b))
    # no other line beats it: the perceptron's separating line has a smaller margin
    result = perceptron(X, y)
    assert margin(X, y, result.w, result.b) <= gamma + 1e-9
    coarse = max_margin_2d(X, y, n_angles=8)[2]
    assert coarse <= gamma + 1e-12  # a finer scan is never worse (8 divides 3600)
    with pytest.raises(ValueError, match="not linearly separable"):
        max_margin_2d(INPUTS2, bipolar(EXPECTED["xor"]))
    with pytest.raises(ValueError, match="both classes"):
        max_margin_2d([[0, 0], [1, 1]], [1, 1])
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        max_margin_2d(np.zeros((2, 3)), [1, -1])
    with pytest.raises(ValueError, match="n_angles"):
        max_margin_2d([[0, 0], [1, 1]], [1, -1], n_angles=2)


# ------------------------------------------------------------------- bad input


def test_mcp_refuses_non_binary_inputs():
    with pytest.raises(ValueError, match=r"X must contain only 0 and 1.*binary.*-1"):
        gate_neuron("and")(bipolar(INPUTS2))
    with pytest.raises(ValueError, match=r"X must contain only 0 and 1.*0\.5"):
        gate_neuron("or").net([[0.5, 1]])
    with pytest.raises(ValueError, match="X must contain only 0 and 1"):
        xor_network()([[2, 0]])


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        gate_neuron("and")([[1, 0, 1]])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\) or \(2,\)"):
        gate_neuron("and")([1, 0, 1])
    with pytest.raises(ValueError, match=r"X must be a 1-D or 2-D array"):
        gate_neuron("and")(np.zeros((1, 1, 2)))
    with pytest.raises(ValueError, match="t must have one target per row of X"):
        hebb(FAUSETT_BIPOLAR, [1, -1, -1])
    with pytest.raises(ValueError, match="w0 must have shape"):
        hebb(FAUSETT_BIPOLAR, [1, -1, -1, -1], w0=[0, 0, 0])
    with pytest.raises(ValueError, match="y must have one label per row of X"):
        perceptron(FAUSETT_BIPOLAR, [1, -1])
    with pytest.raises(ValueError, match="w0 must have shape"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], w0=[1.0])
    with pytest.raises(ValueError, match="w must have one weight per column of X"):
        predict_sign(FAUSETT_BIPOLAR, [1, 1, 1], 0)
    with pytest.raises(ValueError, match="w must have one weight per column of X"):
        perceptron_criterion([1.0], 0, FAUSETT_BIPOLAR, [1, -1, -1, -1])
    with pytest.raises(ValueError, match="weights must have one entry per input"):
        valid_thresholds([1, 1, 1], "and")
    with pytest.raises(ValueError, match="2\\*\\*D entries"):
        search_single_neuron([0, 1, 1], WEIGHT_GRID, THRESHOLD_GRID)
    with pytest.raises(ValueError, match=r"layers\[1\]\[0\] has 1 weight\(s\) but needs 2"):
        MCPNetwork([[gate_neuron("or"), gate_neuron("nand")], [gate_neuron("not")]])
    with pytest.raises(ValueError, match="last layer must have exactly one neuron"):
        MCPNetwork([[gate_neuron("or"), gate_neuron("nand")]])
    with pytest.raises(TypeError, match=r"layers\[0\]\[1\] must be an MCPNeuron"):
        MCPNetwork([[gate_neuron("or"), (1, 1)], [gate_neuron("and")]])
    with pytest.raises(ValueError, match="weights must be a 1-D array"):
        MCPNeuron([[1, 1]], 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: gate_neuron("xnor"),
        lambda: gate_truth_table("AND"),
        lambda: valid_thresholds([1, 1], "xnor"),
        lambda: search_single_neuron("nxor", WEIGHT_GRID, THRESHOLD_GRID),
    ],
)
def test_unknown_gate_lists_gates(call):
    with pytest.raises(ValueError, match=f"unknown gate .*{ALL_GATES_MESSAGE}"):
        call()


def test_unknown_decomposition():
    with pytest.raises(ValueError, match=r"unknown decomposition 'xor'.*'or_nand', 'and_not'"):
        xor_network("xor")


@pytest.mark.parametrize("labels", [[1, 0, 0, 0], [2, -1, -1, -1], [1.0, -1.0, -0.5, -1.0]])
def test_perceptron_refuses_non_bipolar_labels(labels):
    with pytest.raises(ValueError, match=r"y must contain only -1 and \+1.*bipolar\(y\)"):
        perceptron(FAUSETT_BIPOLAR, labels)
    with pytest.raises(ValueError, match=r"y must contain only -1 and \+1"):
        perceptron_criterion([1, 1], 0, FAUSETT_BIPOLAR, labels)


@pytest.mark.parametrize("lr", [0, 0.0, -1.0])
def test_perceptron_refuses_non_positive_lr(lr):
    with pytest.raises(ValueError, match=r"lr must be in \(0, inf\)"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], lr=lr)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], epochs=0)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], shuffle="yes")
    with pytest.raises(TypeError, match="threshold must be a real number"):
        MCPNeuron([1, 1], "2")
    with pytest.raises(ValueError, match="threshold must be finite"):
        MCPNeuron([1, 1], float("inf"))
    with pytest.raises(ValueError, match="b0 must be finite, got inf"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], b0=np.inf)
    with pytest.raises(ValueError, match="b0 must be finite, got -inf"):
        hebb(FAUSETT_BIPOLAR, [1, -1, -1, -1], b0=-np.inf)
    with pytest.raises(ValueError, match="lr must be finite, got inf"):
        perceptron(FAUSETT_BIPOLAR, [1, -1, -1, -1], lr=np.inf)
    with pytest.raises(ValueError, match="weights must contain only finite values"):
        MCPNeuron([1, np.nan], 1)
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        bipolar("01")
