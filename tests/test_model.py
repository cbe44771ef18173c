"""Tests for nnlib.model.MLP: structure, forward/backward (finite differences), losses,
penalties, prediction, weights round trip, validation."""

import math

import numpy as np
import pytest
from finite_differences import central_difference_4th, rel_error_elementwise

from nnlib import layers as L
from nnlib.activations import relu, softmax
from nnlib.losses import get_loss
from nnlib.model import MLP


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
