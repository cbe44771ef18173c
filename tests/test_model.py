"""Tests for nnlib.model.MLP: structure, forward/backward (finite differences), losses,
penalties, prediction, weights round trip, validation."""

import copy
import math
import pickle
from collections.abc import Mapping

import numpy as np
import pytest
from finite_differences import central_difference_4th, rel_error_elementwise

from nnlib import layers as L
from nnlib.activations import get_activation, relu, softmax
from nnlib.losses import get_loss
from nnlib.model import MLP, NamedArrays


def targets(loss, n, k, rng):
    """Targets in the form each loss expects."""
    if loss == "softmax_cross_entropy":
        return rng.integers(0, k, n)  # int labels (N,)
    if loss in ("bce", "bce_with_logits"):
        return rng.integers(0, 2, (n, k)).astype(float)  # exactly the output's shape
    return rng.standard_normal((n, k))  # mse


def loss_value(model, X, y, loss):
    """The training objective computed independently of loss_and_grad's wiring."""
    loss = get_loss(loss)
    logits = model.forward(X, train=True)
    out = logits if loss.fused_output else model.output_activation(logits)
    return loss.forward(out, y) + model.penalty()


# ----------------------------------------------------------------------------- structure


def test_parameter_count_and_repr():
    model = MLP([64, 128, 10], hidden="relu", output="softmax", init="he_normal", rng=0)
    # W1 64*128 = 8192, b1 128, W2 128*10 = 1280, b2 10: 8192 + 128 + 1280 + 10 = 9610
    assert model.n_params() == 9610
    assert repr(model) == (
        "MLP([64, 128, 10], hidden='relu', output='softmax', init='he_normal', params=9,610)"
    )
    # batchnorm adds gamma1 and beta1 (128 each): 9610 + 256 = 9866
    bn = MLP([64, 128, 10], batchnorm=True, dropout=0.5, l2=1e-4, l1=1e-5, dtype=np.float32)
    assert bn.n_params() == 9866
    assert repr(bn) == (
        "MLP([64, 128, 10], hidden='relu', output='identity', init='he_normal', dropout=0.5, "
        "batchnorm=True, l2=0.0001, l1=1e-05, dtype='float32', params=9,866)"
    )


def test_layer_stack_and_parameter_names():
    model = MLP([3, 5, 4, 2], hidden="tanh", dropout=0.2, batchnorm=True, rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNorm", "Activation", "Dropout"] * 2 + ["Dense"]
    assert list(model.params) == [
        "W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3",
    ]  # fmt: skip
    assert list(model.grads) == list(model.params)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes["W1"] == (3, 5) and shapes["b2"] == (4,) and shapes["W3"] == (4, 2)
    assert shapes["gamma2"] == (4,)
    # the values are the layers' own arrays: an in-place update reaches the layer
    assert model.params["W1"] is model.layers[0].params["W"]
    model.params["b3"] += 1.0
    np.testing.assert_array_equal(model.layers[-1].params["b"], 1.0)
    # no dropout / batchnorm layers unless asked
    plain = MLP([3, 5, 2])
    assert [type(layer).__name__ for layer in plain.layers] == ["Dense", "Activation", "Dense"]
    assert repr(plain.layers[1]) == "Activation('relu')"


def test_init_and_hidden_take_effect():
    model = MLP([4, 3, 2], init="zeros", hidden="tanh")
    np.testing.assert_array_equal(model.params["W1"], 0.0)
    assert model.layers[1].activation.name == "tanh"
    np.testing.assert_allclose(MLP([4, 3], init="constant").forward(np.ones((2, 4))), 0.0)


def test_forward_matches_hand_computation():
    r = np.random.default_rng(0)
    model = MLP([4, 6, 3], rng=1)
    model.params["b1"][:] = r.standard_normal(6)
    X = r.standard_normal((5, 4))
    p = model.params
    logits = relu(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    np.testing.assert_allclose(model.forward(X), logits, rtol=1e-12)


def test_determinism_given_rng():
    a, b, c = MLP([5, 4, 3], rng=3), MLP([5, 4, 3], rng=3), MLP([5, 4, 3], rng=4)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    # dropout masks come from the same rng: two identical models train identically
    X, y = np.ones((8, 5)), np.arange(8) % 3
    m1 = MLP([5, 4, 3], output="softmax", dropout=0.5, rng=np.random.default_rng(9))
    m2 = MLP([5, 4, 3], output="softmax", dropout=0.5, rng=np.random.default_rng(9))
    assert m1.loss_and_grad(X, y, "softmax_cross_entropy") == m2.loss_and_grad(
        X, y, "softmax_cross_entropy"
    )
    np.testing.assert_array_equal(m1.grads["W1"], m2.grads["W1"])


# ----------------------------------------------------------------------------- prediction


def test_predict_shapes_and_semantics():
    X = np.random.default_rng(0).standard_normal((7, 4))
    soft = MLP([4, 5, 3], output="softmax", rng=0)
    proba = soft.predict_proba(X)
    assert proba.shape == (7, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, softmax(soft.forward(X)))
    labels = soft.predict(X)
    assert labels.shape == (7,) and labels.dtype.kind == "i"
    np.testing.assert_array_equal(labels, soft.forward(X).argmax(axis=1))

    sig = MLP([4, 5, 2], output="sigmoid", rng=0)
    pred = sig.predict(X)
    assert pred.shape == (7, 2) and pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, (sig.forward(X) >= 0).astype(int))  # p >= 0.5 <=> z >= 0

    reg = MLP([4, 5, 2], output="identity", rng=0)
    np.testing.assert_array_equal(reg.predict(X), reg.forward(X))


def test_predict_uses_evaluation_mode():
    X = np.random.default_rng(0).standard_normal((6, 4))
    model = MLP([4, 50, 2], dropout=0.5, rng=0)
    np.testing.assert_array_equal(model.predict(X), model.predict(X))  # no dropout noise
    assert not np.array_equal(model.forward(X, train=True), model.forward(X))


def test_output_activation():
    logits = np.array([[0.0, math.log(3.0)]])
    # softmax: [1, 3] / 4
    np.testing.assert_allclose(
        MLP([2, 2], output="softmax").output_activation(logits), [[0.25, 0.75]]
    )
    # sigmoid(log 3) = 3 / (1 + 3)
    np.testing.assert_allclose(
        MLP([2, 2], output="sigmoid").output_activation(logits), [[0.5, 0.75]]
    )


# ----------------------------------------------------------------------------- penalty


def _penalty_model(l2, l1):
    model = MLP([2, 2, 1], l2=l2, l1=l1, init="zeros")
    model.params["W1"][:] = [[1.0, -2.0], [0.0, 3.0]]
    model.params["W2"][:] = [[0.5], [-1.0]]
    model.params["b1"][:] = 100.0  # biases are not penalized
    model.params["b2"][:] = -100.0
    return model


def test_penalty_hand_computed():
    # sum W^2 = 1 + 4 + 0 + 9 + 0.25 + 1 = 15.25  -> l2/2 * 15.25 = 0.05 * 15.25 = 0.7625
    # sum |W| = 1 + 2 + 0 + 3 + 0.5 + 1 = 7.5     -> l1 * 7.5 = 0.01 * 7.5 = 0.075
    assert _penalty_model(0.1, 0.0).penalty() == pytest.approx(0.7625)
    assert _penalty_model(0.0, 0.01).penalty() == pytest.approx(0.075)
    assert _penalty_model(0.1, 0.01).penalty() == pytest.approx(0.8375)
    assert _penalty_model(0.0, 0.0).penalty() == 0.0


def test_penalty_gradient_enters_backward_on_weights_only():
    X = np.random.default_rng(0).standard_normal((4, 2))
    dlogits = np.random.default_rng(1).standard_normal((4, 1))
    plain, reg = _penalty_model(0.0, 0.0), _penalty_model(0.1, 0.01)
    for model in (plain, reg):
        model.forward(X, train=True)
        model.backward(dlogits)
    for k in ("W1", "W2"):
        W = reg.params[k]
        # d/dW [l2/2 W^2 + l1 |W|] = l2 W + l1 sign(W); sign(0) = 0 (subgradient)
        np.testing.assert_allclose(reg.grads[k] - plain.grads[k], 0.1 * W + 0.01 * np.sign(W))
    for k in ("b1", "b2"):
        np.testing.assert_array_equal(reg.grads[k], plain.grads[k])


def test_loss_and_grad_adds_penalty():
    # zero weights, 3 classes: uniform softmax, loss ln 3 = 1.0986; W = 0 so penalty 0
    model = MLP([2, 3], output="softmax", init="zeros", l2=0.5)
    X, y = np.ones((4, 2)), np.array([0, 1, 2, 0])
    assert model.loss_and_grad(X, y, "softmax_cross_entropy") == pytest.approx(math.log(3))
    # W1 = 1 everywhere (6 entries): penalty 0.5/2 * 6 = 1.5; logits equal, still ln 3
    model.params["W1"][:] = 1.0
    assert model.loss_and_grad(X, y, "softmax_cross_entropy") == pytest.approx(math.log(3) + 1.5)


# ----------------------------------------------------------------------------- gradients

PAIRS = [
    ("softmax_cross_entropy", "softmax"),
    ("bce_with_logits", "sigmoid"),
    ("bce", "sigmoid"),
    ("mse", "identity"),
    ("mse", "softmax"),
    ("mse", "sigmoid"),
    ("mse", "tanh"),
]


@pytest.mark.parametrize(("loss", "output"), PAIRS)
@pytest.mark.parametrize("hidden", ["tanh", "relu"])
def test_full_backward_finite_differences(loss, output, hidden):
    # relu: hidden pre-activations are drawn away from 0 for these seeds (checked below),
    # so no perturbation of 2h = 2e-4 crosses the kink and the strict tolerance holds.
    r = np.random.default_rng(0)
    model = MLP(
        [3, 4, 3], hidden=hidden, output=output, init="xavier_normal", rng=1, l2=0.3, l1=0.05
    )
    for k in ("b1", "b2"):
        model.params[k][:] = r.standard_normal(model.params[k].shape) * 0.5
    X = r.standard_normal((5, 3))
    y = targets(loss, 5, 3, r)
    Z1 = X @ model.params["W1"] + model.params["b1"]
    assert np.abs(Z1).min() > 1e-3

    value = model.loss_and_grad(X, y, loss)
    assert value == pytest.approx(loss_value(model, X, y, loss), rel=1e-12)
    grads = {k: v.copy() for k, v in model.grads.items()}
    for k, p in model.params.items():
        numeric = central_difference_4th(lambda: loss_value(model, X, y, loss), p)
        assert rel_error_elementwise(grads[k], numeric) < 1e-7, k


def test_batchnorm_and_dropout_model_finite_differences():
    # Dropout masks are fixed by re-seeding every Dropout layer before each forward pass.
    r = np.random.default_rng(0)
    model = MLP([3, 5, 2], hidden="tanh", output="softmax", rng=2, batchnorm=True, dropout=0.3)
    model.params["gamma1"][:] = r.uniform(0.5, 1.5, 5)
    model.params["beta1"][:] = r.standard_normal(5)
    X, y = r.standard_normal((6, 3)), r.integers(0, 2, 6)
    drops = [layer for layer in model.layers if isinstance(layer, L.Dropout)]

    def reseed():
        for layer in drops:
            layer.rng = np.random.default_rng(5)

    def f():
        reseed()
        return loss_value(model, X, y, "softmax_cross_entropy")

    reseed()
    model.loss_and_grad(X, y, "softmax_cross_entropy")
    grads = {k: v.copy() for k, v in model.grads.items()}
    assert set(grads) == {"W1", "b1", "gamma1", "beta1", "W2", "b2"}
    for k, p in model.params.items():
        assert rel_error_elementwise(grads[k], central_difference_4th(f, p)) < 1e-7, k


def test_backward_returns_input_gradient():
    r = np.random.default_rng(0)
    model = MLP([3, 4, 2], hidden="tanh", rng=0)
    X, G = r.standard_normal((5, 3)), r.standard_normal((5, 2))
    model.forward(X)
    dX = model.backward(G)
    assert dX.shape == (5, 3)
    numeric = central_difference_4th(lambda: float(np.sum(model.forward(X) * G)), X)
    assert rel_error_elementwise(dX, numeric) < 1e-7
    model.forward(X)
    assert model.backward(G, input_grad=False) is None
    assert model.layers[0].needs_input_grad  # restored after the call


def test_gradient_descent_reduces_the_loss():
    # Sign errors in any gradient make plain gradient descent diverge or stall.
    r = np.random.default_rng(0)
    X = np.vstack([r.normal(-2, 1, (30, 2)), r.normal(2, 1, (30, 2))])
    y = np.repeat([0, 1], 30)
    model = MLP([2, 8, 2], output="softmax", rng=0)
    first = model.loss_and_grad(X, y, "softmax_cross_entropy")
    for _ in range(100):
        loss = model.loss_and_grad(X, y, "softmax_cross_entropy")
        for k, p in model.params.items():
            p -= 0.5 * model.grads[k]
    assert loss < 0.2 * first
    assert np.mean(model.predict(X) == y) > 0.95


# ----------------------------------------------------------------------------- pairing


@pytest.mark.parametrize(
    ("loss", "output"),
    [
        ("softmax_cross_entropy", "identity"),
        ("softmax_cross_entropy", "sigmoid"),
        ("bce_with_logits", "softmax"),
        ("bce_with_logits", "identity"),
        ("bce", "softmax"),
        ("bce", "identity"),
    ],
)
def test_mismatched_loss_and_output_raise(loss, output):
    model = MLP([2, 2], output=output)
    with pytest.raises(
        ValueError, match=f"loss '{loss}' does not work with output='{output}'"
    ) as e:
        model.loss_and_grad(np.ones((2, 2)), np.zeros(2, dtype=int), loss)
    msg = str(e.value)
    for pair in (
        "('softmax_cross_entropy', output='softmax')",
        "('bce_with_logits', output='sigmoid')",
        "('mse', any output)",
        "('bce', output='sigmoid')",
    ):
        assert pair in msg


def test_softmax_is_not_applied_twice():
    # fused loss receives the logits: the loss equals softmax_cross_entropy(forward(X))
    model = MLP([3, 4], output="softmax", rng=0)
    X, y = np.random.default_rng(0).standard_normal((5, 3)), np.array([0, 1, 2, 3, 0])
    loss = model.loss_and_grad(X, y, "softmax_cross_entropy")
    assert loss == pytest.approx(get_loss("softmax_cross_entropy").forward(model.forward(X), y))


# ----------------------------------------------------------------------------- weights


def test_get_and_set_weights_round_trip_with_copies():
    model = MLP([3, 4, 2], batchnorm=True, rng=0)
    model.loss_and_grad(np.random.default_rng(0).standard_normal((6, 3)), np.zeros((6, 2)), "mse")
    saved = model.get_weights()
    assert set(saved) == set(model.params) | {"running_mean1", "running_var1"}
    np.testing.assert_array_equal(saved["running_mean1"], model.layers[1].running_mean)
    for k, v in model.params.items():
        assert v is not saved[k]  # a copy
    saved["W1"] += 1.0  # changing the copy does not change the model
    assert not np.array_equal(model.params["W1"], saved["W1"])

    W1 = model.params["W1"]
    before = {k: v.copy() for k, v in model.get_weights().items()}
    model.set_weights(saved)
    assert model.params["W1"] is W1  # copied in place: arrays keep their identity
    np.testing.assert_array_equal(model.params["W1"], before["W1"] + 1.0)
    saved["W1"] += 1.0  # and later changes to the source do not leak in
    np.testing.assert_array_equal(model.params["W1"], before["W1"] + 1.0)
    model.layers[1].running_var[:] = 123.0
    model.set_weights(before)
    for k, v in model.get_weights().items():
        np.testing.assert_array_equal(v, before[k])


def test_set_weights_validation():
    model = MLP([3, 2], rng=0)
    good = model.get_weights()
    with pytest.raises(ValueError, match=r"missing \['b1'\]"):
        model.set_weights({"W1": good["W1"]})
    with pytest.raises(ValueError, match=r"unexpected \['W9'\]"):
        model.set_weights({**good, "W9": np.zeros(1)})
    with pytest.raises(ValueError, match=r"weights\['W1'\] must have shape \(3, 2\)"):
        model.set_weights({**good, "W1": np.zeros((2, 3))})
    with pytest.raises(TypeError, match="weights must be a dict"):
        model.set_weights([good["W1"], good["b1"]])
    # nothing was copied by the failed calls
    np.testing.assert_array_equal(model.params["W1"], good["W1"])


# ----------------------------------------------------------------------------- dtype, batchnorm


def test_float32_model_stays_float32():
    model = MLP([4, 8, 3], output="softmax", dtype=np.float32, rng=0)
    assert all(v.dtype == np.float32 for v in model.params.values())
    X = np.random.default_rng(0).standard_normal((5, 4))  # float64 in: cast to the model's
    assert model.forward(X).dtype == np.float32
    model.loss_and_grad(X, np.array([0, 1, 2, 0, 1]), "softmax_cross_entropy")
    assert all(g.dtype == np.float32 for g in model.grads.values())


def test_batchnorm_model_modes():
    r = np.random.default_rng(0)
    model = MLP([3, 4, 2], batchnorm=True, rng=0)
    X = r.normal(5.0, 3.0, (10, 3))
    bn = model.layers[1]
    np.testing.assert_array_equal(bn.running_mean, 0.0)
    model.loss_and_grad(X, r.standard_normal((10, 2)), "mse")
    Z1 = X @ model.params["W1"] + model.params["b1"]
    np.testing.assert_allclose(bn.running_mean, 0.1 * Z1.mean(axis=0))  # momentum 0.9
    assert not np.allclose(model.forward(X, train=True), model.forward(X))


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"sizes": [64]}, ValueError, "at least the input and the output size"),
        ({"sizes": []}, ValueError, "at least the input and the output size"),
        ({"sizes": [64, 0]}, ValueError, r"sizes\[1\] = 0"),
        ({"sizes": [64, -3, 10]}, ValueError, r"sizes\[1\] = -3"),
        ({"sizes": [64, 2.5]}, ValueError, r"sizes\[1\] = 2.5"),
        ({"sizes": [True, 3]}, ValueError, r"sizes\[0\] = True"),
        ({"sizes": 64}, TypeError, "sizes must be a list"),
        ({"sizes": [2, 2], "hidden": "rleu"}, ValueError, "unknown activation 'rleu'"),
        ({"sizes": [2, 2], "output": "softmx"}, ValueError, "unknown activation 'softmx'"),
        ({"sizes": [2, 2], "init": "kaiming"}, ValueError, "unknown init 'kaiming'"),
        ({"sizes": [2, 2], "dropout": 1.0}, ValueError, r"dropout must be in \[0, 1\)"),
        ({"sizes": [2, 2], "dropout": -0.1}, ValueError, "dropout"),
        ({"sizes": [2, 2], "l2": -1e-3}, ValueError, "l2 must be in"),
        ({"sizes": [2, 2], "l1": "0.1"}, TypeError, "l1 must be a real number"),
        ({"sizes": [2, 2], "batchnorm": "yes"}, TypeError, "batchnorm must be True or False"),
        ({"sizes": [2, 2], "dtype": np.int32}, ValueError, "dtype must be a floating"),
        ({"sizes": [2, 2], "rng": "seed"}, TypeError, "rng must be"),
    ],
)
def test_constructor_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        MLP(**kwargs)


def test_input_shape_validation():
    model = MLP([64, 10], rng=0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 64\) .* got \(5, 63\)"):
        model.forward(np.ones((5, 63)))
    with pytest.raises(
        ValueError, match=r"got \(64,\); for a single sample use X.reshape\(1, 64\)"
    ):
        model.predict(np.ones(64))
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        model.forward("pixels")
    assert model.forward(np.ones((1, 64), dtype=int)).shape == (1, 10)  # ints are converted
    model.forward(np.ones((5, 64)))
    with pytest.raises(ValueError, match=r"dlogits must have shape \(N, 10\)"):
        model.backward(np.ones((5, 9)))


def test_unknown_loss():
    with pytest.raises(ValueError, match="unknown loss 'cross_entropy'"):
        MLP([2, 2]).loss_and_grad(np.ones((1, 2)), np.zeros((1, 2)), "cross_entropy")


def test_loss_from_logits_options():
    r = np.random.default_rng(0)
    model = MLP([3, 2], output="sigmoid", rng=0, l2=0.2)
    X, y = r.standard_normal((4, 3)), r.integers(0, 2, (4, 2)).astype(float)
    logits = model.forward(X, train=True)
    value, dlogits = model.loss_from_logits(logits, y, "bce")
    data, none = model.loss_from_logits(logits, y, "bce", penalty=False, grad=False)
    assert none is None
    assert value == pytest.approx(data + model.penalty())
    assert model.penalty() > 0
    assert value == pytest.approx(model.loss_and_grad(X, y, "bce"))
    # bce on sigmoid(z) chained through the sigmoid = bce_with_logits's p - y (over N*k)
    _, fused = model.loss_from_logits(logits, y, "bce_with_logits")
    np.testing.assert_allclose(dlogits, fused, rtol=1e-9)
    with pytest.raises(ValueError, match="does not work with output='sigmoid'"):
        model.loss_from_logits(logits, y, "softmax_cross_entropy")


# ------------------------------------------------------------- flat parameter storage


def test_params_and_grads_are_views_into_one_flat_vector():
    model = MLP([3, 4, 2], hidden="tanh", output="softmax", batchnorm=True, rng=0)
    # 3*4 + 4 (W1, b1) + 4 + 4 (gamma1, beta1) + 4*2 + 2 (W2, b2) = 34
    assert model.flat_params.shape == (34,) == model.flat_grads.shape
    assert model.flat_params.flags.c_contiguous
    offset = 0
    for name, value in model.params.items():
        np.testing.assert_array_equal(
            model.flat_params[offset : offset + value.size], value.ravel(), err_msg=name
        )
        assert np.shares_memory(value, model.flat_params)
        assert np.shares_memory(model.grads[name], model.flat_grads)
        offset += value.size
    model.flat_params[:] = 0.5  # writing the vector writes every layer's parameters
    assert all(np.all(p == 0.5) for p in model.params.values())


def test_backward_overwrites_the_flat_gradient_in_place():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    model = MLP([3, 4, 2], hidden="tanh", output="softmax", rng=0)
    grads_before = model.flat_grads
    model.loss_and_grad(X, y, "softmax_cross_entropy")
    first = model.flat_grads.copy()
    model.loss_and_grad(X, y, "softmax_cross_entropy")
    assert model.flat_grads is grads_before  # same array, refilled
    np.testing.assert_array_equal(model.flat_grads, first)  # overwritten, not accumulated
    assert np.any(first != 0)


# ------------------------------------------------------------- read-only params and grads


def test_params_and_grads_are_one_read_only_mapping_each():
    model = MLP([3, 4, 2], batchnorm=True, rng=0)
    params, grads = model.params, model.grads
    assert model.params is params and model.grads is grads  # built once, not per access
    assert isinstance(params, Mapping) and isinstance(params, NamedArrays)
    names = ["W1", "b1", "gamma1", "beta1", "W2", "b2"]
    assert list(params) == list(params.keys()) == list(grads) == names
    assert len(params) == 6 and "gamma1" in params and "W3" not in params
    assert [v.shape for v in params.values()] == [(3, 4), (4,), (4,), (4,), (4, 2), (2,)]
    assert [k for k, _ in params.items()] == names
    assert params.get("W3") is None and params.get("b2") is model.layers[-1].params["b"]
    assert dict(params)["W1"] is model.layers[0].params["W"]  # a plain dict of the same arrays
    assert repr(params).startswith("NamedArrays({'W1': array(")


def test_assigning_a_parameter_raises_instead_of_being_lost():
    model = MLP([3, 2], rng=0)
    before = model.params["W1"].copy()
    msg = (
        r"model.params is read-only: write into the array in place, e.g. "
        r"model.params\['W1'\]\[...\] = new_W, or use model.set_weights\(...\)"
    )
    with pytest.raises(TypeError, match=msg):
        model.params["W1"] = np.zeros((3, 2))
    with pytest.raises(TypeError, match=msg):
        model.params["W9"] = np.zeros((3, 2))  # nor can a key be added
    with pytest.raises(TypeError, match=msg):
        del model.params["b1"]
    with pytest.raises(TypeError, match=r"model.grads is read-only.*model.grads\['W1'\]\[...\]"):
        model.grads["W1"] = np.zeros((3, 2))
    np.testing.assert_array_equal(model.params["W1"], before)
    assert list(model.params) == ["W1", "b1"]
    # the ways that work: write into the array, in place arithmetic, set_weights
    model.params["W1"][...] = 1.0
    np.testing.assert_array_equal(model.layers[0].params["W"], 1.0)
    model.params["W1"] -= 0.25  # stores the same array back: allowed
    np.testing.assert_array_equal(model.forward(np.ones((1, 3))), [[2.25, 2.25]])  # 3 * 0.75
    model.set_weights({"W1": before, "b1": np.zeros(2)})
    np.testing.assert_array_equal(model.params["W1"], before)


def test_set_weights_accepts_another_models_params():
    a, b = MLP([3, 4, 2], rng=0), MLP([3, 4, 2], rng=1)
    b.set_weights(a.params)  # a Mapping, not a dict
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
        assert a.params[k] is not b.params[k]


# ------------------------------------------------------------- unflatten


def test_unflatten_names_views_of_a_flat_vector():
    model = MLP([3, 4, 2], hidden="tanh", batchnorm=True, rng=0)
    v = np.arange(float(model.n_params()))
    parts = model.unflatten(v)
    assert isinstance(parts, NamedArrays)
    assert list(parts) == list(model.params)
    for k, p in parts.items():
        assert p.shape == model.params[k].shape, k
        assert np.shares_memory(p, v), k  # views, not copies
    # laid out like flat_params: W1 is entries 0..11, b1 12..15, gamma1 16..19, ...
    np.testing.assert_array_equal(parts["W1"], np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(parts["b1"], [12.0, 13.0, 14.0, 15.0])
    np.testing.assert_array_equal(parts["b2"], [32.0, 33.0])
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in parts.values()]), v)
    # on flat_params and flat_grads it gives exactly params and grads
    for k, p in model.unflatten(model.flat_params).items():
        np.testing.assert_array_equal(p, model.params[k])
        assert np.shares_memory(p, model.params[k])
    assert np.shares_memory(model.unflatten(model.flat_grads)["W2"], model.grads["W2"])
    parts["b1"][...] = -1.0  # writes into the vector
    np.testing.assert_array_equal(v[12:16], -1.0)
    with pytest.raises(TypeError, match="read-only"):
        parts["b1"] = np.zeros(4)
    # float32 vectors stay float32 views
    assert model.unflatten(v.astype(np.float32))["W1"].dtype == np.float32


def test_unflatten_validation():
    model = MLP([2, 3, 1], rng=0)  # 13 parameters
    with pytest.raises(ValueError, match=r"vector must have shape \(13,\) .* got \(12,\)$"):
        model.unflatten(np.zeros(12))
    with pytest.raises(ValueError, match=r"got \(13, 1\), e.g. vector.ravel\(\)"):
        model.unflatten(np.zeros((13, 1)))
    with pytest.raises(TypeError, match="vector must be an array of numbers"):
        model.unflatten("weights")


def test_unflatten_shows_the_optimizer_state_per_parameter():
    # fit steps the optimizer once per batch on flat_params (its state in flat vectors,
    # optimizer.flat_state). With one batch (the whole data), Adam's first moment after one
    # step is (1 - beta1) * g = 0.1 * g, with g the gradient at the initial weights.
    from nnlib import optimizers
    from nnlib.training import fit

    r = np.random.default_rng(0)
    X, y = r.standard_normal((8, 3)), r.integers(0, 2, 8)
    model = MLP([3, 4, 2], output="softmax", rng=0)
    reference = MLP([3, 4, 2], output="softmax", rng=0)
    reference.loss_and_grad(X, y, "softmax_cross_entropy")
    opt = optimizers.Adam(lr=1e-3)
    fit(model, X, y, "softmax_cross_entropy", opt, epochs=1, batch_size=8, verbose=False, rng=0)
    m = model.unflatten(opt.flat_state["m"])
    for k, g in reference.grads.items():
        np.testing.assert_allclose(m[k], 0.1 * g, rtol=1e-12, atol=1e-15, err_msg=k)
        np.testing.assert_array_equal(opt.state[k]["m"], m[k], err_msg=k)  # the named view


# ------------------------------------------------------------- construction checks, repr


def test_softmax_over_one_unit_is_refused():
    with pytest.raises(
        ValueError,
        match=r"a softmax over one unit is always 1; use output='sigmoid' with bce_with_logits",
    ):
        MLP([4, 3, 1], output="softmax")
    assert MLP([4, 1], output="sigmoid").sizes == [4, 1]  # the two-class model that works
    assert MLP([4, 2], output="softmax").sizes == [4, 2]


@pytest.mark.parametrize("name", ["l2", "l1"])
def test_penalty_strengths_must_be_finite(name):
    with pytest.raises(ValueError, match=f"{name} must be finite, got inf"):
        MLP([2, 2], **{name: math.inf})
    with pytest.raises(ValueError, match=f"{name} must be a number, got nan"):
        MLP([2, 2], **{name: math.nan})
    assert getattr(MLP([2, 2], **{name: 1e6}), name) == 1e6


def test_repr_shows_bound_activation_parameters():
    leaky = get_activation("leaky_relu", alpha=0.3)
    model = MLP([2, 3, 2], hidden=leaky, output=get_activation("gelu", approximate=True))
    assert repr(model) == (
        "MLP([2, 3, 2], hidden=leaky_relu(alpha=0.3), output=gelu(approximate=True), "
        "init='he_normal', params=17)"
    )
    assert model.hidden == "leaky_relu" and model.output == "gelu"  # names stay names
    # defaults print as the name, however they were given
    assert "hidden='leaky_relu'" in repr(MLP([2, 3, 2], hidden="leaky_relu"))
    assert "hidden='leaky_relu'" in repr(MLP([2, 3, 2], hidden=get_activation("leaky_relu")))
    # and the parameter takes effect in the layer: leaky_relu(-2) = 0.3 * -2 = -0.6
    assert model.layers[1].activation.params == {"alpha": 0.3}
    np.testing.assert_allclose(model.layers[1].forward(np.array([[-2.0]])), [[-0.6]])


# ------------------------------------------------------------- score


def test_score_softmax_by_hand():
    model = MLP([2, 3], output="softmax", init="zeros")
    model.params["W1"][:] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]  # class = argmax(x0, x1, 0)
    X = np.array([[2.0, 1.0], [1.0, 2.0], [-1.0, -2.0], [3.0, 0.0]])  # predicts 0, 1, 2, 0
    y = np.array([0, 1, 1, 2])  # right, right, wrong, wrong: 2/4
    assert model.score(X, y) == 0.5
    assert model.score(X, np.eye(3)[y]) == 0.5  # one-hot rows
    soft = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.0, 0.4, 0.6]])
    assert model.score(X, soft) == 0.5  # the argmax of probability rows
    assert model.score(X, y) == np.mean(model.predict(X) == y)
    assert isinstance(model.score(X, y), float)


def test_score_sigmoid_accepts_n_and_n1_and_avoids_the_broadcast_trap():
    model = MLP([1, 1], output="sigmoid", init="zeros")
    model.params["W1"][:] = 1.0  # predicts x >= 0
    X = np.array([[-1.0], [2.0], [3.0], [-4.0]])  # predictions 0, 1, 1, 0
    y = np.array([0, 1, 0, 0])  # right, right, wrong, right: 3/4
    assert model.score(X, y) == 0.75
    assert model.score(X, y.reshape(-1, 1)) == 0.75
    assert model.score(X, y.astype(bool)) == 0.75
    assert model.score(X, [0.2, 0.9, 0.4, 0.0]) == 0.75  # soft targets count as 1 from 0.5
    # what score avoids: (4, 1) == (4,) broadcasts to (4, 4), a meaningless 0.5
    assert np.mean(model.predict(X) == y) == 0.5


def test_score_sigmoid_with_several_outputs_counts_each_output():
    model = MLP([2, 2], output="sigmoid", init="zeros")
    model.params["W1"][:] = np.eye(2)  # predicts (x0 >= 0, x1 >= 0)
    X = np.array([[1.0, -1.0], [-1.0, -1.0]])  # predictions [1, 0], [0, 0]
    y = np.array([[1, 1], [0, 0]])  # 3 of 4 outputs right
    assert model.score(X, y) == 0.75
    with pytest.raises(ValueError, match=r"y must have shape \(2, 2\), .* got \(2,\).*one_hot"):
        model.score(X, np.array([0, 1]))


def test_score_is_for_classifiers_only():
    for output in ("identity", "tanh"):
        with pytest.raises(ValueError, match=r"needs output='softmax' or output='sigmoid'.*mse"):
            MLP([2, 1], output=output).score(np.ones((3, 2)), np.ones((3, 1)))


@pytest.mark.parametrize(
    ("output", "y", "exc", "match"),
    [
        ("softmax", [0.0, 1.0, 2.0], TypeError, r"integer class labels.*y.astype\(int\)"),
        ("softmax", [0, 1, 3], ValueError, r"labels in y must be in \[0, 3\)"),
        ("softmax", [0, -1, 2], ValueError, r"labels in y must be in \[0, 3\)"),
        ("softmax", [0, 1], ValueError, r"labels of shape \(3,\) .* got shape \(2,\)"),
        ("softmax", [[0], [1], [2]], ValueError, r"got shape \(3, 1\); .* y.ravel\(\)"),
        ("softmax", np.eye(4)[:3], ValueError, r"one-hot rows of shape \(3, 3\)"),
        ("softmax", [[1.0, 0, 0], [np.nan, 0, 1], [0, 1, 0]], ValueError, "finite"),
        ("softmax", "labels", TypeError, "y must be an array of targets"),
        ("softmax", ["a", "b", "c"], TypeError, "y must be an array of numbers"),
        ("sigmoid", np.ones((3, 2)), ValueError, r"y must have shape \(3, 3\), .* got \(3, 2\)"),
        ("sigmoid", np.ones((2, 3)), ValueError, r"for X with 3 rows, got \(2, 3\)"),
        ("sigmoid", 2 * np.ones((3, 3)), ValueError, r"binary targets in \[0, 1\]"),
        ("sigmoid", np.full((3, 3), np.nan), ValueError, r"binary targets in \[0, 1\]"),
    ],
)
def test_score_validation(output, y, exc, match):
    model = MLP([2, 3], output=output)  # 3 outputs, X with 3 rows
    with pytest.raises(exc, match=match):
        model.score(np.ones((3, 2)), y)


def test_score_needs_samples():
    with pytest.raises(ValueError, match="at least one sample"):
        MLP([2, 3], output="softmax").score(np.ones((0, 2)), np.zeros(0, dtype=int))


# ------------------------------------------------------------- NaN and infinity


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_forward_refuses_non_finite_input(bad):
    model = MLP([3, 4, 2], output="softmax", batchnorm=True, rng=0)
    X = np.ones((5, 3))
    X[3, 1] = bad
    X[4, 0] = bad
    before = model.get_weights()
    match = r"X contains NaN or inf \(2 entries in 2 rows, first in row 3\).*remove or impute"
    calls = [
        lambda X: model.forward(X),
        lambda X: model.forward(X, train=True),
        model.predict,
        model.predict_proba,
        lambda X: model.loss_and_grad(X, np.zeros(5, dtype=int), "softmax_cross_entropy"),
        lambda X: model.score(X, np.zeros(5, dtype=int)),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=match):
            call(X)
        with pytest.raises(ValueError, match=match):
            call(X.tolist())  # the slow path (conversion) checks too
    for k, v in model.get_weights().items():  # refused before any layer ran
        np.testing.assert_array_equal(v, before[k], err_msg=k)


def test_non_finite_logits_are_explained_by_the_loss():
    # diverged weights: the input is fine, the logits are not
    model = MLP([2, 2], output="softmax", init="zeros")
    model.params["W1"][:] = np.nan
    X, y = np.array([[1.0, -1.0]]), np.array([0])
    with pytest.raises(ValueError, match=r"the logits contain NaN or inf: the training diverged"):
        model.loss_and_grad(X, y, "softmax_cross_entropy")
    # a FloatingPointError too, which a training loop catching divergence sees
    with pytest.raises(FloatingPointError, match=r"learning rate too large"):
        model.loss_from_logits(np.array([[np.nan, 0.0]]), y, "softmax_cross_entropy")
    regression = MLP([2, 1], init="zeros")
    with pytest.raises(ValueError, match=r"predictions y_pred contain NaN or inf"):
        regression.loss_from_logits(np.array([[np.inf]]), np.zeros((1, 1)), "mse")


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copied_model_keeps_its_parameters_in_one_flat_vector(how):
    model = MLP([3, 4, 2], batchnorm=True, rng=0)
    model.loss_and_grad(np.random.default_rng(0).standard_normal((5, 3)), np.zeros((5, 2)), "mse")
    copied = copy.deepcopy(model) if how == "deepcopy" else pickle.loads(pickle.dumps(model))
    for k, p in copied.params.items():
        np.testing.assert_array_equal(p, model.params[k])
        np.testing.assert_array_equal(copied.grads[k], model.grads[k])
        assert np.shares_memory(p, copied.flat_params), k
        assert np.shares_memory(copied.grads[k], copied.flat_grads), k
        assert not np.shares_memory(p, model.flat_params), k
        assert copied.params[k] is copied.layers[0].params["W"] or k != "W1"
    copied.flat_params[:] = 0.0  # what an optimizer stepping the flat vector does
    assert all(np.all(p == 0.0) for p in copied.params.values())
    assert not np.all(model.flat_params == 0.0)


# ------------------------------------------------------------- one validator, one accuracy


@pytest.mark.parametrize(("output", "k"), [("softmax", 3), ("sigmoid", 1), ("sigmoid", 3)])
def test_score_is_metrics_accuracy_of_the_logits(output, k):
    from nnlib.metrics import accuracy

    r = np.random.default_rng(0)
    model = MLP([4, 5, k], output=output, rng=0)
    X = r.standard_normal((30, 4))
    y = r.integers(0, k, 30) if output == "softmax" else r.integers(0, 2, (30, k))
    assert model.score(X, y) == accuracy(model.forward(X), y, output)
    assert model.score(X, y) == np.mean(model.predict(X) == y)  # same shapes: no broadcast


def test_loss_from_logits_checks_the_logits_and_targets_at_its_edge():
    model = MLP([2, 3], output="softmax", rng=0)
    with pytest.raises(ValueError, match=r"logits must have shape \(N, 3\), got \(2, 4\)"):
        model.loss_from_logits(np.zeros((2, 4)), [0, 1], "softmax_cross_entropy")
    with pytest.raises(ValueError, match=r"labels of shape \(2,\) .* for logits with 2 rows"):
        model.loss_from_logits(np.zeros((2, 3)), [0, 1, 2], "softmax_cross_entropy")
    value, dlogits = model.loss_from_logits(np.zeros((2, 3)), [0, 1], "softmax_cross_entropy")
    assert value == pytest.approx(math.log(3))
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, atol=1e-15)  # rows of p - y sum to 0


def test_the_unchecked_passes_fit_uses_match_the_public_ones():
    r = np.random.default_rng(0)
    X, dZ = r.standard_normal((6, 3)), r.standard_normal((6, 2))
    checked = MLP([3, 5, 2], hidden="tanh", batchnorm=True, l2=0.1, l1=0.01, rng=0)
    unchecked = copy.deepcopy(checked)
    np.testing.assert_array_equal(unchecked._forward(X, True), checked.forward(X, train=True))
    assert unchecked._backward(dZ) is None  # no dX unless asked for
    checked.backward(dZ, input_grad=False)
    np.testing.assert_array_equal(unchecked.flat_grads, checked.flat_grads)  # penalty too
    np.testing.assert_array_equal(unchecked._forward(X, False), checked.forward(X))


def test_post_step_is_a_no_op_by_default():
    model = MLP([3, 4, 2], rng=0, l2=0.1, l1=0.01)
    before = model.flat_params.copy()
    model.post_step(0.5)
    np.testing.assert_array_equal(model.flat_params, before)
    with pytest.raises(ValueError, match="lr"):
        model.post_step(-1.0)
