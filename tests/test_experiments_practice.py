"""Tests for nnlib.experiments' practical-training tools (lessons 07 and 08).

Dead and saturated units on hand-built nets whose answers are counted by hand, and the
dying-ReLU pattern of LESSONS.md §6.1.4 on digits; random search in log space; the
babysitting sanity checks on a correct setup and on broken ones.
"""

import numpy as np
import pytest

import nnlib
from nnlib import datasets, optimizers
from nnlib import experiments as ex
from nnlib.training import fit

# --------------------------------------------------------------------------- dead units


def _relu_net(**kwargs):
    """[2, 4, 3, 2] ReLU net with hand-set weights; on X_POS (x >= 0) layer 1 has units
    1 and 3 dead (weights <= 0, bias <= 0), layer 2 has unit 2 dead (its inputs are >= 0
    and its weights <= 0)."""
    model = nnlib.MLP([2, 4, 3, 2], hidden="relu", output="softmax", init="zeros", **kwargs)
    model.params["W1"][:] = [[-1.0, 1.0, 0.0, 2.0], [-0.5, 1.0, -1.0, -1.0]]
    model.params["b1"][:] = [0.0, 0.0, -0.1, 0.5]
    model.params["W2"][:] = [[0.0, 0.0, 1.0], [1.0, -1.0, 0.0], [3.0, -2.0, 0.0], [1.0, -1.0, -1.0]]
    model.params["b2"][:] = [0.1, 0.0, 0.0]
    return model


X_POS = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 0.5], [0.2, 4.0]])


def test_dead_units_counts_units_zero_on_every_row():
    model = _relu_net()
    # layer 2's unit 3 = relu(-h4) with h4 = relu(2 x1 - x2 + 0.5) > 0 on rows 1 and 3:
    # zero there, but also on rows 2 and 4 (h4 = 0) -> dead; unit 1 has bias 0.1 -> alive
    np.testing.assert_array_equal(ex.dead_units(model, X_POS), [2 / 4, 2 / 3])
    # one row that wakes a unit up is enough: x1 < 0 makes layer 1's unit 1 positive
    np.testing.assert_array_equal(ex.dead_units(model, np.vstack([X_POS, [-1.0, 0.0]]))[0], 1 / 4)


def test_dead_units_leaves_the_model_unchanged_and_ignores_dropout():
    model = _relu_net()
    before = model.flat_params.copy()
    ex.dead_units(model, X_POS)
    np.testing.assert_array_equal(model.flat_params, before)
    # evaluation mode: dropout is off, so a dropout net has the same dead units
    np.testing.assert_array_equal(ex.dead_units(_relu_net(dropout=0.5, rng=0), X_POS), [0.5, 2 / 3])


def test_dead_units_follows_batch_normalization_running_statistics():
    model = nnlib.MLP([2, 2, 2], hidden="relu", output="softmax", init="zeros", batchnorm=True)
    model.params["W1"][:] = [[1.0, 1.0], [0.0, 0.0]]
    X = np.array([[1.0, 0.0], [2.0, 0.0]])  # Z1 = x1 in both units: 1 and 2
    assert ex.dead_units(model, X).tolist() == [0.0]
    model._bns[0].running_mean[:] = [5.0, 0.0]  # BN(Z) = Z - 5 < 0 for unit 1
    assert ex.dead_units(model, X).tolist() == [0.5]


def test_leaky_relu_units_are_never_dead():
    model = _relu_net()
    leaky = nnlib.MLP([2, 4, 3, 2], hidden="leaky_relu", output="softmax", init="zeros")
    leaky.set_weights(model.get_weights())
    assert ex.dead_units(leaky, X_POS).tolist() == [0.0, 0.0]


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.load_digits()
    return datasets.StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("lr", [0.1, 1.0])
def test_a_too_high_learning_rate_kills_most_relus_of_a_layer(digits, lr):
    # LESSONS.md §6.1.4: He-ReLU [64, 100, 100, 10], SGD, batch 32, 10 epochs, standardized
    # digits. Measured: lr 0.01-0.5 kill no unit (seeds 0-4); lr 1.0 kills 91% (seed 0) and
    # 99% (seed 1) of layer 2 and leaves 27% and 11% training accuracy. 0.15 s per run.
    X, y = digits
    model = nnlib.MLP([64, 100, 100, 10], "relu", "softmax", init="he_normal", rng=0)
    fit(model, X, y, "softmax_cross_entropy", optimizers.SGD(lr), epochs=10, verbose=False, rng=0)
    dead = ex.dead_units(model, X)
    if lr < 1:
        assert dead.tolist() == [0.0, 0.0]
        assert model.score(X, y) > 0.95
    else:
        assert dead[1] > 0.5  # most of layer 2 is silent on every training example ...
        assert model.score(X, y) < 0.5  # ... and the net cannot learn through it


# --------------------------------------------------------------------------- saturation


def test_saturation_counts_activations_near_the_bounds():
    model = nnlib.MLP([1, 2, 1], hidden="tanh", init="zeros")
    model.params["W1"][:] = [[1.0, 10.0]]
    X = np.array([[0.1], [1.0], [3.0], [-3.0]])
    # tanh(x): saturated at x = +-3 (0.99505); tanh(10 x): at 1, 3, -3 (not 0.1: 0.76)
    assert ex.saturation(model, X).tolist() == [5 / 8]
    # threshold 0.999: tanh(3) = 0.99505 no longer counts, tanh(10) and tanh(30) still do
    assert ex.saturation(model, X, threshold=0.999).tolist() == [3 / 8]


def test_sigmoid_saturates_at_both_ends_and_relu_does_not_apply():
    model = nnlib.MLP([1, 2, 3, 1], hidden="sigmoid", init="zeros")
    model.params["W1"][:] = [[10.0, 1.0]]  # layer 1: sigmoid(10 x), sigmoid(x)
    model.params["b2"][:] = [0.0, 5.0, -5.0]  # layer 2: 0.5, 0.9933, 0.0067 on every row
    X = np.array([[-1.0], [0.0], [1.0]])  # sigmoid(-10) = 4.5e-5, 0.5, 1 - 4.5e-5
    np.testing.assert_array_equal(ex.saturation(model, X), [2 / 6, 6 / 9])
    relu = nnlib.MLP([1, 2, 3, 1], hidden="relu")
    assert np.isnan(ex.saturation(relu, X)).all() and ex.saturation(relu, X).shape == (2,)


def test_saturation_agrees_with_activation_statistics_rule():
    r = np.random.default_rng(0)
    model = nnlib.MLP([50, 50, 50, 2], hidden="tanh", init="zeros")
    W = [r.standard_normal((50, 50)) for _ in range(2)]  # cs231n's "large" init: saturates
    model.params["W1"][:], model.params["W2"][:] = W
    X = r.standard_normal((200, 50))
    _, H = ex.deep_forward(X, W, "tanh")
    expected = [np.mean(np.abs(h) > 0.99) for h in H]
    np.testing.assert_allclose(ex.saturation(model, X), expected, rtol=0, atol=0)
    assert min(expected) > 0.5


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m: ex.dead_units({"W1": 1}, X_POS), TypeError, "model must be an nnlib MLP"),
        (lambda m: ex.dead_units(m, np.ones((3, 5))), ValueError, r"X must have shape \(N, 2\)"),
        (lambda m: ex.dead_units(m, np.ones((0, 2))), ValueError, "at least one row"),
        (lambda m: ex.saturation(m, X_POS, threshold=1.0), ValueError, "threshold"),
        (lambda m: ex.saturation(m, X_POS, threshold="high"), TypeError, "threshold"),
    ],
)
def test_dead_units_and_saturation_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(_relu_net())


def test_a_diverged_model_is_reported_not_measured():
    model = _relu_net()
    model.params["W2"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        ex.dead_units(model, X_POS)
