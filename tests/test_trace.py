"""Tests of MLP.trace: every layer's Z, A, dA, dZ, dW, db, as backprop defines them."""

import numpy as np
import pytest

from nnlib import MLP, activations, gradcheck, losses
from nnlib.model import trace


def _random_model(sizes, hidden, output, rng=0, **kwargs):
    model = MLP(sizes, hidden=hidden, output=output, init="xavier_normal", rng=rng, **kwargs)
    r = np.random.default_rng(rng + 1)
    for name in model.params:  # nonzero biases, so a missing + b shows
        if name.startswith("b"):
            model.params[name][:] = r.normal(size=model.params[name].shape)
    return model


def _mazur():
    """Mazur (2015), "A Step by Step Backpropagation Example": the 2-2-2 sigmoid network."""
    model = MLP([2, 2, 2], hidden="sigmoid", output="sigmoid")
    model.params["W1"][:] = [[0.15, 0.25], [0.20, 0.30]]  # w1 w3 / w2 w4 (from i1, i2)
    model.params["b1"][:] = 0.35
    model.params["W2"][:] = [[0.40, 0.50], [0.45, 0.55]]  # w5 w7 / w6 w8 (from h1, h2)
    model.params["b2"][:] = 0.60
    return model, np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])


def test_forward_quantities_are_the_layer_equations():
    rng = np.random.default_rng(3)
    model = _random_model([3, 4, 5, 2], "tanh", "softmax")
    X = rng.normal(size=(6, 3))
    t = model.trace(X)
    assert [d["layer"] for d in t] == [1, 2, 3]
    A = X
    for k, d in enumerate(t, start=1):
        W, b = model.params[f"W{k}"], model.params[f"b{k}"]
        np.testing.assert_allclose(d["Z"], A @ W + b, rtol=1e-12)
        np.testing.assert_array_equal(d["W"], W)
        np.testing.assert_array_equal(d["b"], b)
        A = np.tanh(d["Z"]) if k < 3 else activations.softmax(d["Z"])
        np.testing.assert_allclose(d["A"], A, rtol=1e-12)
        assert "dZ" not in d  # no loss: forward only
    np.testing.assert_allclose(t[-1]["Z"], model.forward(X), rtol=1e-12)
    np.testing.assert_allclose(t[-1]["A"], model.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize(
    ("output", "loss", "targets"),
    [
        ("sigmoid", "mse", "binary"),
        ("identity", "mse", "real"),
        ("sigmoid", "bce", "binary"),
        ("sigmoid", "bce_with_logits", "binary"),
        ("softmax", "softmax_cross_entropy", "labels"),
    ],
)
def test_backward_quantities_match_loss_and_grad_and_the_recursion(output, loss, targets):
    rng = np.random.default_rng(5)
    model = _random_model([3, 4, 3], "sigmoid", output)
    X = rng.normal(size=(5, 3))
    y = {
        "binary": rng.integers(0, 2, size=(5, 3)).astype(float),
        "real": rng.normal(size=(5, 3)),
        "labels": rng.integers(0, 3, size=5),
    }[targets]
    t = model.trace(X, y, loss)
    model.loss_and_grad(X, y, loss)
    for k, d in enumerate(t, start=1):
        np.testing.assert_allclose(d["dW"], model.grads[f"W{k}"], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(d["db"], model.grads[f"b{k}"], rtol=1e-10, atol=1e-14)
    A0 = X
    for k, d in enumerate(t):
        A_prev = A0 if k == 0 else t[k - 1]["A"]
        np.testing.assert_allclose(d["dW"], A_prev.T @ d["dZ"], rtol=1e-10)
        np.testing.assert_allclose(d["db"], d["dZ"].sum(axis=0), rtol=1e-10)
    hidden = t[0]
    np.testing.assert_allclose(hidden["dA"], t[1]["dZ"] @ t[1]["W"].T, rtol=1e-10)
    np.testing.assert_allclose(
        hidden["dZ"], hidden["dA"] * activations.sigmoid_grad(hidden["Z"]), rtol=1e-10
    )


def test_last_da_is_the_loss_gradient_or_none_for_fused_losses():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(4, 2)), rng.integers(0, 2, size=(4, 1)).astype(float)
    model = _random_model([2, 3, 1], "tanh", "sigmoid")
    last = model.trace(X, y, "mse")[-1]
    np.testing.assert_allclose(last["dA"], losses.mse_grad(last["A"], y), rtol=1e-12)
    np.testing.assert_allclose(last["dZ"], last["dA"] * last["A"] * (1 - last["A"]), rtol=1e-12)
    fused = model.trace(X, y, "bce_with_logits")[-1]
    assert fused["dA"] is None
    np.testing.assert_allclose(fused["dZ"], (fused["A"] - y) / 4, rtol=1e-12)


def test_mazur_first_step_to_every_printed_digit():
    model, x, target = _mazur()
    t = model.trace(x, target, "mse")  # mean over 2 outputs of (o - t)^2 = 1/2 sum: Mazur's E
    assert losses.mse(t[-1]["A"], target) == pytest.approx(0.298371109, abs=5e-10)
    np.testing.assert_allclose(t[0]["A"], [[0.593269992, 0.596884378]], atol=5e-10)
    np.testing.assert_allclose(t[1]["A"], [[0.75136507, 0.772928465]], atol=5e-9)
    assert t[1]["dW"][0, 0] == pytest.approx(0.082167041, abs=5e-10)  # dE/dw5
    assert model.params["W2"][0, 0] - 0.5 * t[1]["dW"][0, 0] == pytest.approx(0.35891648, abs=5e-9)
    assert model.params["W1"][0, 0] - 0.5 * t[0]["dW"][0, 0] == pytest.approx(
        0.149780716, abs=5e-10
    )


def test_the_model_is_left_unchanged():
    rng = np.random.default_rng(11)
    model = _random_model([2, 3, 2], "relu", "softmax")
    X, y = rng.normal(size=(4, 2)), np.array([0, 1, 1, 0])
    model.loss_and_grad(X, y, "softmax_cross_entropy")
    params, grads = model.flat_params.copy(), model.flat_grads.copy()
    model.trace(X + 1.0, np.array([1, 1, 0, 0]), "softmax_cross_entropy")
    np.testing.assert_array_equal(model.flat_params, params)
    np.testing.assert_array_equal(model.flat_grads, grads)
    t = model.trace(X, y, "softmax_cross_entropy")
    t[0]["W"][0, 0] = 99.0  # the trace holds copies
    assert model.params["W1"][0, 0] != 99.0


def test_the_penalty_gradient_is_in_dw():
    rng = np.random.default_rng(13)
    model = _random_model([2, 3, 1], "tanh", "identity", l2=0.3, l1=0.1)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    t = model.trace(X, y, "mse")
    model.loss_and_grad(X, y, "mse")
    np.testing.assert_allclose(t[0]["dW"], model.grads["W1"], rtol=1e-12)
    np.testing.assert_allclose(t[1]["db"], model.grads["b2"], rtol=1e-12)


def test_batchnorm_and_dropout_models_are_traced_in_evaluation_mode():
    rng = np.random.default_rng(17)
    model = _random_model([3, 4, 2], "tanh", "identity", batchnorm=True, dropout=0.5)
    model.forward(rng.normal(size=(8, 3)), train=True)  # running statistics away from 0 and 1
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    t = model.trace(X, y, "mse")
    np.testing.assert_allclose(t[-1]["Z"], model.forward(X, train=False), rtol=1e-12)
    params = {k: model.params[k] for k in ("W1", "b1", "W2")}
    report = gradcheck.check_gradients(
        lambda: losses.mse(model.forward(X, train=False), y),
        params,
        {"W1": t[0]["dW"], "b1": t[0]["db"], "W2": t[1]["dW"]},
    )
    assert report.ok, report


def test_method_and_function_agree():
    model, x, target = _mazur()
    a, b = model.trace(x, target, "mse"), trace(model, x, target, "mse")
    for da, db in zip(a, b, strict=True):
        for key in ("Z", "A", "dZ", "dW"):
            np.testing.assert_array_equal(da[key], db[key])


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([[1.0, 2.0]], [[1.0, 0.0]], None), ValueError, "got y but no loss"),
        (([[1.0, 2.0]], None, "mse"), ValueError, "got loss but no y"),
        (([1.0, 2.0],), ValueError, r"X must have shape \(N, 2\)"),
        (([[1.0, 2.0]], [1], "softmax_cross_entropy"), ValueError, "does not work with"),
        (([[1.0, 2.0]], [[1.0]], "mse"), ValueError, "shape"),
        (([[1.0, 2.0]], [[1.0, 0.0]], "hinge"), ValueError, "unknown loss"),
    ],
)
def test_bad_input_is_refused_with_a_message(args, error, match):
    model, _, _ = _mazur()
    with pytest.raises(error, match=match):
        model.trace(*args)


def test_trace_needs_an_mlp():
    with pytest.raises(TypeError, match="model must be an nnlib MLP"):
        trace(object(), [[1.0]])
