"""Tests for nnlib.losses: gradients, hand-worked values, properties, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from finite_differences import central_difference, rel_error_global
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.activations import sigmoid, sigmoid_grad, softmax
from nnlib.losses import (
    LOSSES,
    Loss,
    NonFiniteError,
    bce,
    bce_grad,
    bce_with_logits,
    bce_with_logits_grad,
    check_loss_targets,
    check_pairing,
    get_loss,
    mse,
    mse_grad,
    paired_loss,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_grad,
)

rng0 = np.random.default_rng(0)
P = rng0.uniform(0.05, 0.95, size=(6, 2))  # probabilities away from the clipping
Y01 = rng0.integers(0, 2, size=(6, 2)).astype(float)
Y_SOFT = rng0.uniform(0, 1, size=(6, 2))
Z = rng0.normal(scale=3, size=(6, 2))
LOGITS = rng0.normal(scale=3, size=(5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
TARGETS = rng0.dirichlet(np.ones(4), size=5)  # probability rows


# ----------------------------------------------------------------------------------------
# Gradients against finite differences (float64, relative error < 1e-7)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "grad", "output", "target"),
    [
        (mse, mse_grad, Z, Y_SOFT),
        (mse, mse_grad, Z[:, 0], Y_SOFT[:, 0]),
        (bce, bce_grad, P, Y01),
        (bce, bce_grad, P, Y_SOFT),
        (bce_with_logits, bce_with_logits_grad, Z, Y01),
        (bce_with_logits, bce_with_logits_grad, Z, Y_SOFT),
        (softmax_cross_entropy, softmax_cross_entropy_grad, LOGITS, LABELS),
        (softmax_cross_entropy, softmax_cross_entropy_grad, LOGITS, TARGETS),
    ],
    ids=["mse", "mse-1d", "bce", "bce-soft", "logits", "logits-soft", "ce-labels", "ce-probs"],
)
def test_grad_matches_finite_differences(loss, grad, output, target):
    numeric = central_difference(lambda x: loss(x, target), output)
    analytic = grad(output, target)
    assert analytic.shape == np.shape(output)
    assert rel_error_global(analytic, numeric) < 1e-7


def test_bce_grad_with_custom_eps_matches_finite_differences():
    p = np.array([0.3, 0.7, 0.5])
    y = np.array([1.0, 0.0, 1.0])
    numeric = central_difference(lambda x: bce(x, y, eps=0.01), p)
    assert rel_error_global(bce_grad(p, y, eps=0.01), numeric) < 1e-7


# ----------------------------------------------------------------------------------------
# Hand-worked values
# ----------------------------------------------------------------------------------------


def test_mse_by_hand_mean_over_all_elements():
    y_pred = [[1.0, 2.0], [3.0, 4.0]]
    y = [[1.0, 1.0], [1.0, 1.0]]
    # differences 0, 1, 2, 3 -> squares 0 + 1 + 4 + 9 = 14, over 4 elements = 3.5
    # (divided by all N*K = 4 elements, not by N = 2: the PyTorch/Keras convention)
    assert mse(y_pred, y) == 3.5
    # gradient 2 (y_pred - y) / 4 = [0, 0.5, 1, 1.5]
    assert np.array_equal(mse_grad(y_pred, y), [[0.0, 0.5], [1.0, 1.5]])


def test_bce_by_hand():
    # -(1 * log 0.9 + 1 * log(1 - 0.2)) / 2 = (0.105361 + 0.223144) / 2 = 0.164252
    assert bce([0.9, 0.2], [1.0, 0.0]) == pytest.approx(0.164252, abs=1e-6)
    # gradient (p - y) / (p (1 - p)) / N: (0.9 - 1)/(0.09)/2 = -0.5556; 0.2/0.16/2 = 0.625
    assert np.allclose(bce_grad([0.9, 0.2], [1.0, 0.0]), [-0.555556, 0.625], atol=1e-6)


def test_eps_takes_effect():
    # p = 0 clipped to eps: loss = -log(eps)
    assert bce([0.0], [1.0]) == pytest.approx(-math.log(1e-12))  # 27.631
    assert bce([0.0], [1.0], eps=1e-3) == pytest.approx(-math.log(1e-3))  # 6.9078
    assert bce([1.0], [0.0], eps=1e-3) == pytest.approx(-math.log(1e-3))
    # gradient at the clipped point: (eps - 1) / (eps (1 - eps)) = -1 / eps
    assert bce_grad([0.0], [1.0], eps=1e-3)[0] == pytest.approx(-1000.0)
    assert np.isfinite(bce_grad([0.0, 1.0], [1.0, 0.0])).all()


def test_bce_with_logits_by_hand():
    # z = 0: -log(sigmoid(0)) = log 2 = 0.693147 for y = 1 and for y = 0
    assert bce_with_logits([0.0, 0.0], [1.0, 0.0]) == pytest.approx(math.log(2))
    # z = 2, y = 1: log(1 + e^-2) = 0.126928; z = 2, y = 0: 2 + 0.126928 = 2.126928
    assert bce_with_logits([2.0], [1.0]) == pytest.approx(0.126928, abs=1e-6)
    assert bce_with_logits([2.0], [0.0]) == pytest.approx(2.126928, abs=1e-6)
    # gradient (sigmoid(z) - y)/N: (0.880797 - 1)/2, (0.880797 - 0)/2
    assert np.allclose(bce_with_logits_grad([2.0, 2.0], [1.0, 0.0]), [-0.059601, 0.440399])


def test_softmax_cross_entropy_by_hand():
    logits = [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]
    labels = [2, 0]
    # row 1: p = e^[1,2,3] / 30.193 = [0.0900, 0.2447, 0.6652], -log 0.6652 = 0.4076
    # row 2: p = [1/3, 1/3, 1/3], -log(1/3) = 1.0986; mean = (0.4076 + 1.0986) / 2 = 0.7531
    assert softmax_cross_entropy(logits, labels) == pytest.approx(0.7531, abs=1e-4)
    # gradient (p - onehot) / N: row 1 [0.0900, 0.2447, -0.3348] / 2,
    #                            row 2 [-2/3, 1/3, 1/3] / 2
    expected = np.array([[0.0900, 0.2447, -0.3348], [-2 / 3, 1 / 3, 1 / 3]]) / 2
    assert np.allclose(softmax_cross_entropy_grad(logits, labels), expected, atol=1e-4)


# ----------------------------------------------------------------------------------------
# Cross-entropy derivations (FACTS.md)
# ----------------------------------------------------------------------------------------


def test_bce_on_logits_gradient_is_a_minus_y():
    z = np.array([-3.0, -0.5, 0.0, 1.0, 4.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    a = sigmoid(z)
    n = z.size
    # dJ/dz = a - y (per example, before the 1/N of the mean)
    assert np.allclose(bce_with_logits_grad(z, y) * n, a - y, rtol=1e-14)
    # chain rule through the sigmoid: dJ/da * da/dz = (a - y)/(a (1 - a)) * a (1 - a) = a - y
    assert np.allclose(bce_grad(a, y) * sigmoid_grad(z), bce_with_logits_grad(z, y))
    # and the losses agree where clipping does not matter
    assert bce(a, y) == pytest.approx(bce_with_logits(z, y), rel=1e-12)


def test_squared_error_gradient_vanishes_when_the_output_saturates():
    # Output saturated on the wrong side: z = -10, y = 1, a = sigmoid(-10) = 4.54e-5.
    z, y = np.array([-10.0]), np.array([1.0])
    a = sigmoid(z)
    # squared error: 2 (a - y) a (1 - a) = 2 * (-1) * 4.54e-5 = -9.08e-5: learning stalls
    se = mse_grad(a, y) * sigmoid_grad(z)
    assert se[0] == pytest.approx(2 * (a[0] - 1) * a[0] * (1 - a[0]))
    assert abs(se[0]) < 1e-4
    # cross-entropy: a - y = -0.99995: full-size gradient
    ce = bce_with_logits_grad(z, y)
    assert ce[0] == pytest.approx(-0.99995, abs=1e-5)
    assert abs(ce[0]) > 1e4 * abs(se[0])


def test_softmax_cross_entropy_gradient_is_p_minus_onehot():
    n, c = LOGITS.shape
    onehot = np.eye(c)[LABELS]
    expected = (softmax(LOGITS) - onehot) / n
    assert np.allclose(softmax_cross_entropy_grad(LOGITS, LABELS), expected, rtol=1e-13)
    # labels and their one-hot rows give the same loss and gradient
    assert softmax_cross_entropy(LOGITS, LABELS) == pytest.approx(
        softmax_cross_entropy(LOGITS, onehot), rel=1e-14
    )
    assert np.allclose(
        softmax_cross_entropy_grad(LOGITS, LABELS), softmax_cross_entropy_grad(LOGITS, onehot)
    )
    # integer and boolean one-hot arrays are targets too
    assert softmax_cross_entropy(LOGITS, onehot.astype(int)) == pytest.approx(
        softmax_cross_entropy(LOGITS, LABELS)
    )
    assert softmax_cross_entropy(LOGITS, onehot.astype(bool)) == pytest.approx(
        softmax_cross_entropy(LOGITS, LABELS)
    )


def test_softmax_cross_entropy_matches_naive_formula():
    # -mean(log p[n, y_n]) with p from the softmax, where nothing overflows
    p = softmax(LOGITS)
    naive = -np.mean(np.log(p[np.arange(5), LABELS]))
    assert softmax_cross_entropy(LOGITS, LABELS) == pytest.approx(naive, rel=1e-13)
    naive_soft = -np.mean(np.sum(TARGETS * np.log(p), axis=1))
    assert softmax_cross_entropy(LOGITS, TARGETS) == pytest.approx(naive_soft, rel=1e-13)


# ----------------------------------------------------------------------------------------
# Stability at |z| = 1000, properties (hypothesis)
# ----------------------------------------------------------------------------------------


def test_losses_on_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # wrong by 1000 on both: each costs 1000
        assert bce_with_logits([1000.0, -1000.0], [0.0, 1.0]) == 1000.0
        assert bce_with_logits([1000.0, -1000.0], [1.0, 0.0]) == 0.0
        assert np.array_equal(bce_with_logits_grad([1000.0, -1000.0], [0.0, 1.0]), [0.5, -0.5])
        # -log p for the label: logits (1000, -1000): label 1 costs 2000, label 0 costs 0
        assert softmax_cross_entropy([[1000.0, -1000.0]], [1]) == 2000.0
        assert softmax_cross_entropy([[1000.0, -1000.0]], [0]) == 0.0
        assert np.array_equal(softmax_cross_entropy_grad([[1000.0, -1000.0]], [1]), [[1, -1]])
        # the fused path (one exponential, the training hot path) agrees
        value, g = softmax_cross_entropy_and_grad([[1000.0, -1000.0]], [1])
        assert value == 2000.0 and np.array_equal(g, [[1, -1]])


logit_matrices = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
    elements=st.one_of(
        st.floats(-1000.0, 1000.0, allow_nan=False), st.sampled_from([-1000.0, 1000.0])
    ),
)


@settings(max_examples=50, deadline=None)
@given(logits=logit_matrices, data=st.data())
def test_softmax_cross_entropy_properties(logits, data):
    n, c = logits.shape
    labels = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    shift = data.draw(hnp.arrays(np.float64, (n, 1), elements=st.floats(-500.0, 500.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow / invalid value would raise
        loss = softmax_cross_entropy(logits, labels)
        grad = softmax_cross_entropy_grad(logits, labels)
        shifted = softmax_cross_entropy(logits + shift, labels)
    assert isinstance(loss, float) and math.isfinite(loss) and loss >= 0
    assert grad.shape == (n, c) and np.all(np.isfinite(grad))
    assert np.allclose(grad.sum(axis=1), 0.0, atol=1e-12)  # p and one-hot both sum to 1
    # adding a constant to each row's logits changes nothing
    assert shifted == pytest.approx(loss, rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(z=logit_matrices, data=st.data())
def test_bce_with_logits_properties(z, data):
    y = data.draw(hnp.arrays(np.float64, z.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = bce_with_logits(z, y)
        grad = bce_with_logits_grad(z, y)
    assert isinstance(loss, float) and math.isfinite(loss) and loss >= 0
    assert grad.shape == z.shape and np.all(np.abs(grad) <= 1.0 / z.size)


@settings(max_examples=50, deadline=None)
@given(p=logit_matrices, data=st.data())
def test_bce_and_mse_properties(p, data):
    p = np.clip(np.abs(p) / 1000.0, 0.0, 1.0)  # probabilities, including exactly 0 and 1
    y = data.draw(hnp.arrays(np.float64, p.shape, elements=st.sampled_from([0.0, 1.0])))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(bce(p, y)) and np.all(np.isfinite(bce_grad(p, y)))
        assert mse(p, y) >= 0 and mse_grad(p, y).shape == p.shape
    assert mse(y, y) == 0.0 and not np.any(mse_grad(y, y))


# ----------------------------------------------------------------------------------------
# Types, dtypes, copies
# ----------------------------------------------------------------------------------------


def test_losses_return_python_floats_and_float64_grads():
    z32 = Z.astype(np.float32)
    for loss, grad, out, tgt in [
        (mse, mse_grad, z32, Y_SOFT),
        (bce, bce_grad, P.astype(np.float32), Y01),
        (bce_with_logits, bce_with_logits_grad, z32, Y01),
        (softmax_cross_entropy, softmax_cross_entropy_grad, LOGITS.astype(np.float32), LABELS),
    ]:
        assert type(loss(out, tgt)) is float
        assert grad(out, tgt).dtype == np.float64
    # integer input works (converted to float64)
    assert mse([1, 2], [1, 4]) == 2.0  # (0 + 4) / 2


def test_inputs_are_not_modified():
    arrays = [Z.copy(), Y_SOFT.copy(), P.copy(), Y01.copy(), LOGITS.copy(), LABELS.copy()]
    mse_grad(Z, Y_SOFT)
    bce_grad(P, Y01)
    bce_with_logits_grad(Z, Y01)
    softmax_cross_entropy_grad(LOGITS, LABELS)
    softmax_cross_entropy(LOGITS, LABELS)
    for before, now in zip(arrays, [Z, Y_SOFT, P, Y01, LOGITS, LABELS], strict=True):
        assert np.array_equal(before, now)


# ----------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------


def test_registry():
    assert LOSSES == ("mse", "bce", "bce_with_logits", "softmax_cross_entropy")
    fused = {
        "mse": None,
        "bce": None,
        "bce_with_logits": "sigmoid",
        "softmax_cross_entropy": "softmax",
    }
    funcs = {
        "mse": (mse, mse_grad),
        "bce": (bce, bce_grad),
        "bce_with_logits": (bce_with_logits, bce_with_logits_grad),
        "softmax_cross_entropy": (softmax_cross_entropy, softmax_cross_entropy_grad),
    }
    for name in LOSSES:
        loss = get_loss(name)
        assert isinstance(loss, Loss) and loss.name == name
        assert loss.fused_output == fused[name]
        assert (loss.forward, loss.grad) == funcs[name]
        assert get_loss(loss) is loss
    assert get_loss("mse")([1.0, 2.0], [1.0, 1.0]) == 0.5  # __call__ = forward
    assert repr(get_loss("mse")) == "Loss('mse')"
    assert repr(get_loss("bce_with_logits")) == "Loss('bce_with_logits', fused_output='sigmoid')"


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'; valid names are:") as e:
        get_loss("cross_entropy")
    for name in LOSSES:
        assert repr(name) in str(e.value)
    with pytest.raises(TypeError, match="loss must be a name"):
        get_loss(mse)


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loss", "names"),
    [
        (mse, ("y_pred", "y")),
        (mse_grad, ("y_pred", "y")),
        (bce, ("p", "y")),
        (bce_grad, ("p", "y")),
        (bce_with_logits, ("z", "y")),
        (bce_with_logits_grad, ("z", "y")),
    ],
)
def test_n_vs_n1_is_refused_with_a_fix(loss, names):
    out = np.full((4, 1), 0.5)
    y = np.array([0.0, 1.0, 1.0, 0.0])
    a, b = names
    msg = rf"{a} has shape \(4, 1\) but {b} has shape \(4,\).*reshape one, e.g. {b}.reshape"
    with pytest.raises(ValueError, match=msg):
        loss(out, y)
    with pytest.raises(ValueError, match="they must match exactly"):
        loss(np.full((4, 2), 0.5), np.zeros((4, 3)))
    with pytest.raises(TypeError, match=f"{a} must be an array of numbers, got str"):
        loss("abc", y)
    with pytest.raises(TypeError, match=f"{b} must be an array of numbers"):
        loss(out, None)
    with pytest.raises(ValueError, match=f"{a} is empty"):
        loss([], [])


def test_probabilities_and_targets_out_of_range():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\].*for logits use bce_with_logits"):
        bce([2.5, 0.5], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"y must be in \[0, 1\], got values such as -1.0"):
        bce_grad([0.5, 0.5], [-1.0, 1.0])
    with pytest.raises(ValueError, match=r"y must be in \[0, 1\]"):
        bce_with_logits([0.5, 0.5], [2.0, 1.0])
    # NaN is not "out of range": it gets the message about where NaN comes from
    with pytest.raises(ValueError, match=r"probabilities p contain NaN or inf.*\(p\[0\] = nan\)"):
        bce([np.nan], [1.0])


def test_bad_eps():
    with pytest.raises(ValueError, match=r"eps must be in \(0, 0.5\), got 0.0"):
        bce([0.5], [1.0], eps=0.0)
    with pytest.raises(ValueError, match=r"eps must be in \(0, 0.5\)"):
        bce_grad([0.5], [1.0], eps=0.7)
    with pytest.raises(TypeError, match="eps must be a real number"):
        bce([0.5], [1.0], eps="small")


def test_softmax_cross_entropy_bad_input():
    logits = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"labels in y must be in \[0, 4\) for 4 classes, got 4"):
        softmax_cross_entropy(logits, [0, 4, 1])
    with pytest.raises(ValueError, match=r"labels in y must be in \[0, 4\).*got -1"):
        softmax_cross_entropy_grad(logits, [0, -1, 1])
    with pytest.raises(TypeError, match=r"must hold integer class labels.*y.astype\(int\)"):
        softmax_cross_entropy(logits, [0.0, 1.0, 2.0])
    # the one target message of nnlib._checks.check_targets (losses, accuracy, fit, score)
    with pytest.raises(
        ValueError,
        match=r"labels of shape \(3,\) .* got shape \(2,\); y must have one row per row of logits",
    ):
        softmax_cross_entropy(logits, [0, 1])
    with pytest.raises(ValueError, match=r"got shape \(3, 1\); .*y.ravel\(\) of shape \(3,\)"):
        softmax_cross_entropy(logits, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"one-hot rows of shape \(3, 4\) .* got shape \(3, 5\)"):
        softmax_cross_entropy(logits, np.eye(5)[:3])
    with pytest.raises(ValueError, match=r"row 1 sums to 2.0"):
        softmax_cross_entropy(logits, [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(ValueError, match="must be non-negative"):
        softmax_cross_entropy(logits, [[2, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]])
    with pytest.raises(ValueError, match=r"y must be integer labels of shape \(3,\) or one-hot"):
        softmax_cross_entropy(logits, np.zeros((3, 4, 1)))
    with pytest.raises(ValueError, match=r"logits must be a 2-D array, got shape \(4,\)"):
        softmax_cross_entropy(np.zeros(4), [1])
    with pytest.raises(ValueError, match="at least one row and one class"):
        softmax_cross_entropy(np.zeros((0, 4)), np.array([], dtype=int))
    with pytest.raises(TypeError, match="y must be an array of targets, one per row of logits"):
        softmax_cross_entropy(logits, None)
    with pytest.raises(TypeError, match="logits must be an array of numbers"):
        softmax_cross_entropy("abc", [0])


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("one_hot", [False, True])
def test_value_and_grad_equals_forward_and_grad(name, one_hot):
    # The fused path a training step uses must give exactly what the two calls give.
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    if name == "softmax_cross_entropy":
        labels = rng.integers(0, 4, 5)
        y = np.eye(4)[labels] if one_hot else labels
        out = z
    else:
        y = rng.integers(0, 2, (5, 4)).astype(float)
        out = 1 / (1 + np.exp(-z)) if name == "bce" else z
    loss = get_loss(name)
    value, grad = loss.value_and_grad(out, y)
    assert value == pytest.approx(loss.forward(out, y), rel=1e-15)
    np.testing.assert_allclose(grad, loss.grad(out, y), rtol=1e-14, atol=0)


# ----------------------------------------------------------------------------------------
# NaN and infinity
# ----------------------------------------------------------------------------------------

DIVERGED = r"contain NaN or inf: the training diverged \(learning rate too large\) or the input"

# (loss name, output argument's name in the message, a valid output, a valid target)
NONFINITE_CASES = [
    ("mse", "y_pred", np.zeros((3, 2)), np.zeros((3, 2))),
    ("bce", "p", np.full((3, 2), 0.5), np.ones((3, 2))),
    ("bce_with_logits", "z", np.zeros((3, 2)), np.ones((3, 2))),
    ("softmax_cross_entropy", "logits", np.zeros((3, 2)), np.array([0, 1, 1])),
    ("softmax_cross_entropy", "logits", np.zeros((3, 2)), np.eye(2)[[0, 1, 1]]),
]


@pytest.mark.parametrize(("name", "arg", "out", "y"), NONFINITE_CASES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_outputs_are_refused_by_every_entry_point(name, arg, out, y, bad):
    # -inf in a column that is not the label would give a finite softmax cross-entropy:
    # the check looks at the logits, not at the loss value. (1, 0) is not a label column.
    out = out.copy()
    out[1, 0] = bad
    loss = get_loss(name)
    calls = [loss.forward, loss.grad, loss.value_and_grad]
    if name == "softmax_cross_entropy":
        calls.append(softmax_cross_entropy_and_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a refusal, not a RuntimeWarning on the way
        for call in calls:
            with pytest.raises(NonFiniteError, match=DIVERGED) as e:
                call(out, y)
            assert f"{arg}[1, 0] = {bad!r}" in str(e.value)


def test_non_finite_error_is_a_value_error_and_a_floating_point_error():
    # ValueError: bad input. FloatingPointError: what a training loop catches on divergence.
    with pytest.raises(ValueError, match="the logits contain NaN or inf"):
        softmax_cross_entropy([[0.0, np.nan]], [0])
    with pytest.raises(FloatingPointError, match="learning rate too large"):
        bce_with_logits([np.inf], [1.0])


@pytest.mark.parametrize("name", ["mse", "bce", "bce_with_logits"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_targets_are_refused(name, bad):
    loss = get_loss(name)
    out = np.full((2, 1), 0.5)
    y = np.array([[1.0], [bad]])
    for call in (loss.forward, loss.grad, loss.value_and_grad):
        with pytest.raises(ValueError, match="y must contain only finite targets") as e:
            call(out, y)
        assert not isinstance(e.value, NonFiniteError)  # the data, not a diverged model


@pytest.mark.parametrize("name", ["mse", "bce", "bce_with_logits"])
def test_fused_value_and_grad_of_the_elementwise_losses(name):
    # value_and_grad uses one validation; the numbers are those of forward and grad.
    r = np.random.default_rng(5)
    out = r.uniform(0.05, 0.95, (4, 3))
    y = r.integers(0, 2, (4, 3)).astype(float)
    loss = get_loss(name)
    assert loss.forward_and_grad is not None
    value, grad = loss.value_and_grad(out, y)
    assert value == loss.forward(out, y)
    np.testing.assert_array_equal(grad, loss.grad(out, y))
    assert grad.shape == out.shape


# ------------------------------------------------------------------ pairing and kernels


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity", "tanh"])
def test_check_pairing_follows_the_table(loss, output):
    ok = {
        "softmax_cross_entropy": output == "softmax",
        "bce_with_logits": output == "sigmoid",
        "bce": output == "sigmoid",
        "mse": True,
    }[loss]
    if ok:
        check_pairing(get_loss(loss), output)
    else:
        with pytest.raises(
            ValueError, match=rf"loss '{loss}' does not work with output='{output}'"
        ):
            check_pairing(get_loss(loss), output)


def _valid_case(name, rng):
    """An (output, target) pair each loss accepts, targets already checked."""
    if name == "softmax_cross_entropy":
        return rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    if name == "bce":
        return rng.uniform(0.05, 0.95, (5, 2)), rng.integers(0, 2, (5, 2)).astype(float)
    if name == "bce_with_logits":
        return rng.standard_normal((5, 2)), rng.uniform(0, 1, (5, 2))
    return rng.standard_normal((5, 2)), rng.standard_normal((5, 2))


@pytest.mark.parametrize("name", LOSSES)
def test_the_unchecked_kernels_compute_what_the_checked_functions_do(name):
    loss = get_loss(name)
    out, y = _valid_case(name, np.random.default_rng(0))
    value, grad = loss.kernel(out, y)
    checked_value, checked_grad = loss.value_and_grad(out, y)
    assert value == checked_value  # the same computation, bit for bit
    np.testing.assert_array_equal(grad, checked_grad)
    assert value == pytest.approx(loss.forward(out, y), rel=1e-14)
    np.testing.assert_allclose(grad, loss.grad(out, y), rtol=1e-13, atol=1e-17)
    assert loss.value_kernel(out, y) == loss.forward(out, y)
    if name == "softmax_cross_entropy":  # one-hot rows take the other branch
        onehot = np.eye(3)[y]
        value, grad = loss.kernel(out, onehot)
        assert value == pytest.approx(loss.forward(out, y), rel=1e-14)
        np.testing.assert_allclose(grad, loss.grad(out, y), rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize(
    ("name", "output"),
    [("mse", "identity"), ("mse", "softmax"), ("mse", "tanh"), ("bce", "sigmoid")],
)
def test_paired_loss_chains_through_the_output_activation(name, output):
    # The gradient at the logits, checked against central differences of the value.
    from nnlib.activations import get_activation

    rng = np.random.default_rng(1)
    loss, act = get_loss(name), get_activation(output)
    Z = rng.standard_normal((4, 3))
    Y = rng.uniform(0.1, 0.9, (4, 3)) if name == "bce" else rng.standard_normal((4, 3))
    value, dZ = paired_loss(loss, act, Z, Y)
    assert value == pytest.approx(loss.forward(act.forward(Z), Y), rel=1e-14)
    numeric = central_difference(lambda z: paired_loss(loss, act, z, Y, grad=False)[0], Z)
    assert rel_error_global(dZ, numeric) < 1e-8


def test_paired_loss_on_logits_is_the_fused_gradient_and_converts_float32():
    from nnlib.activations import get_activation

    Z = np.array([[0.0, 0.0]], dtype=np.float32)
    value, dZ = paired_loss(
        get_loss("softmax_cross_entropy"), get_activation("softmax"), Z, np.array([1])
    )
    assert dZ.dtype == np.float64  # losses are computed in float64
    np.testing.assert_allclose(dZ, [[0.5, -0.5]])  # p - y
    assert value == pytest.approx(math.log(2))


@pytest.mark.parametrize(
    ("name", "y", "match"),
    [
        ("bce_with_logits", [[0.0], [1.5]], r"y must be in \[0, 1\], got values such as 1.5"),
        ("bce", [[-1.0], [0.0]], r"y must be in \[0, 1\]"),
        ("softmax_cross_entropy", [[0.5, 0.0], [0.0, 1.0]], "row 0 sums to 0.5"),
        ("softmax_cross_entropy", [[2.0, -1.0], [0.0, 1.0]], "must be non-negative"),
        ("mse", [0.0, 1.0], r"y.reshape\(-1, 1\)"),
    ],
)
def test_check_loss_targets_adds_what_each_loss_needs(name, y, match):
    n_outputs = 2 if name == "softmax_cross_entropy" else 1
    with pytest.raises(ValueError, match=match):
        check_loss_targets(get_loss(name), y, 2, n_outputs)


def test_check_loss_targets_lets_regression_targets_through():
    y = check_loss_targets(get_loss("mse"), [[-3.0], [7.0]], 2, 1)
    np.testing.assert_array_equal(y, [[-3.0], [7.0]])
