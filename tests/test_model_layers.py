"""MLP with learnable-activation layers, Maxout, DropConnect, proximal L1 and max-norm.

Each test asserts what a wrong implementation would break: parameter names and shapes,
gradients of the whole model against central differences (`check_model_gradients`),
exact zeros from the proximal step (and none from the subgradient), the norm cap, that
the plain path builds exactly the old stack, and the errors for bad settings.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from nnlib import layers as L
from nnlib.datasets import spirals
from nnlib.gradcheck import check_model_gradients
from nnlib.model import MLP
from nnlib.optimizers import SGD
from nnlib.training import fit


def _data(n=12, d=3, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, classes, n)


# ---------------------------------------------------------------------- the plain path


def test_a_name_builds_exactly_the_plain_stack():
    model = MLP([4, 5, 6, 2], hidden="tanh", rng=0)
    assert [type(layer) for layer in model.layers] == [L.Dense, L.Activation] * 2 + [L.Dense]
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert model.hidden == "tanh" and model.l1_mode == "subgradient" and model.max_norm is None


# --------------------------------------------------------------------- layer factories


def test_prelu_factory_names_its_parameters_and_passes_gradcheck():
    model = MLP([3, 4, 5, 3], hidden=L.PReLU, output="softmax", rng=1)
    assert list(model.params) == [
        "W1", "b1", "prelu_alpha1", "W2", "b2", "prelu_alpha2", "W3", "b3",
    ]  # fmt: skip
    assert model.params["prelu_alpha2"].shape == (5,)
    np.testing.assert_array_equal(model.params["prelu_alpha1"], 0.25)
    assert model.hidden == "prelu"
    assert repr(model).startswith("MLP([3, 4, 5, 3], hidden=PReLU, output='softmax'")
    X, y = _data()
    assert check_model_gradients(model, X, y, "softmax_cross_entropy").ok


def test_swish_factory_gradcheck_and_beta_learns():
    model = MLP([3, 6, 3], hidden=lambda d: L.Swish(beta0=0.5), output="softmax", rng=2)
    assert list(model.params) == ["W1", "b1", "swish_beta1", "W2", "b2"]
    X, y = _data(seed=3)
    report = check_model_gradients(model, X, y, "softmax_cross_entropy")
    assert report.ok and "swish_beta1" in report.checks
    # the flat vector holds beta: fit moves it
    Xs, ys = spirals(150, rng=0)
    model = MLP([2, 16, 3], hidden=lambda d: L.Swish(beta0=0.5), output="softmax", rng=2)
    fit(model, Xs, ys, "softmax_cross_entropy", SGD(lr=0.5), epochs=20, verbose=False, rng=0)
    assert model.params["swish_beta1"][0] != 0.5
    assert model.layers[1].beta == model.params["swish_beta1"][0]


def test_factory_model_trace_and_pickle():
    model = MLP([3, 4, 2], hidden=L.PReLU, output="softmax", rng=4)
    X, y = _data(n=5, classes=2)
    t = model.trace(X, y, "softmax_cross_entropy")
    Z1 = X @ model.params["W1"] + model.params["b1"]
    np.testing.assert_allclose(t[0]["A"], np.where(Z1 > 0, Z1, 0.25 * Z1))
    np.testing.assert_allclose(t[0]["dZ"], t[0]["dA"] * np.where(Z1 > 0, 1.0, 0.25))
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        np.testing.assert_array_equal(clone.forward(X), model.forward(X))
        clone.flat_params[...] = 0.0  # still one vector: the layers see it
        assert np.all(clone.layers[1].params["alpha"] == 0.0)


def test_bad_factories():
    with pytest.raises(TypeError, match="the factory returned int 7 for d = 4"):
        MLP([3, 4, 2], hidden=lambda d: 7)
    with pytest.raises(TypeError, match=r"hidden='Swish' is called with each hidden layer's"):
        MLP([3, 4, 2], hidden=L.Swish)  # Swish(4) would have meant beta = 4
    with pytest.raises(ValueError, match=r"must map \(N, 4\) to \(N, 4\)"):
        MLP([3, 4, 2], hidden=lambda d: L.Dense(d, d + 1))


# -------------------------------------------------------------------------- maxout


def test_maxout_model_shapes_and_gradcheck():
    model = MLP([3, 4, 5, 3], output="softmax", maxout=3, rng=5)
    assert [type(layer) for layer in model.layers] == [L.Maxout, L.Maxout, L.Dense]
    assert model.params["W1"].shape == (3, 3, 4) and model.params["b2"].shape == (3, 5)
    assert model.hidden == "maxout" and "maxout=3" in repr(model)
    for layer in model.layers[:2]:
        layer.params["b"][:] = np.random.default_rng(6).standard_normal(layer.params["b"].shape)
    X, y = _data(seed=7)
    assert check_model_gradients(model, X, y, "softmax_cross_entropy").ok
    with pytest.raises(ValueError, match="trace records Z = A W"):
        model.trace(X)


def test_maxout_bad_settings():
    with pytest.raises(ValueError, match="leave hidden at its default"):
        MLP([3, 4, 2], hidden="tanh", maxout=2)
    with pytest.raises(ValueError, match="maxout and batchnorm=True cannot be combined"):
        MLP([3, 4, 2], maxout=2, batchnorm=True)
    with pytest.raises(ValueError, match="maxout must be"):
        MLP([3, 4, 2], maxout=1)


# ----------------------------------------------------------------------- dropconnect


def test_dropconnect_model_layers_and_modes():
    model = MLP([3, 8, 8, 2], dropconnect=0.5, rng=8)
    kinds = [type(layer) for layer in model.layers if "W" in layer.params]
    assert kinds == [L.Dense, L.DropConnect, L.DropConnect]  # layers 2..L
    X, _ = _data(n=6)
    np.testing.assert_array_equal(model.forward(X), model.forward(X))  # evaluation: fixed
    plain = MLP([3, 8, 8, 2], rng=8)
    plain.flat_params[...] = model.flat_params
    np.testing.assert_allclose(model.forward(X), plain.forward(X))
    assert not np.allclose(model.forward(X, train=True), plain.forward(X))
    assert "dropconnect=0.5" in repr(model)
    with pytest.raises(ValueError, match=r"dropconnect must be in \[0, 1\)"):
        MLP([3, 4, 2], dropconnect=1.0)


# ---------------------------------------------------------------------- proximal L1


def test_proximal_leaves_l1_out_of_the_gradient_but_not_the_loss():
    X, y = _data()
    sub = MLP([3, 4, 3], output="softmax", l1=0.1, rng=9)
    prox = MLP([3, 4, 3], output="softmax", l1=0.1, l1_mode="proximal", rng=9)
    plain = MLP([3, 4, 3], output="softmax", rng=9)
    values = [m.loss_and_grad(X, y, "softmax_cross_entropy") for m in (sub, prox, plain)]
    assert values[0] == values[1] > values[2]  # same objective, penalty included
    np.testing.assert_array_equal(prox.flat_grads, plain.flat_grads)
    W1 = sub.params["W1"]
    np.testing.assert_allclose(sub.grads["W1"], plain.grads["W1"] + 0.1 * np.sign(W1))
    t = prox.trace(X, y, "softmax_cross_entropy")
    np.testing.assert_allclose(t[0]["dW"], plain.grads["W1"])
    # the gradient is the loss's without its L1 term: against the full objective it fails
    assert not check_model_gradients(prox, X, y, "softmax_cross_entropy").ok


def test_proximal_step_by_hand_and_its_exact_zeros():
    model = MLP([4, 1], init="zeros", l1=0.5, l1_mode="proximal")
    model.params["W1"][:, 0] = [0.3, -0.2, 2.0, -1.0]
    model.params["b1"][:] = 5.0
    model.post_step(0.8)  # threshold lr * l1 = 0.4
    W = model.params["W1"][:, 0]
    np.testing.assert_allclose(W, [0.0, 0.0, 1.6, -0.6])
    assert np.all(np.signbit(W[:2]) == False)  # noqa: E712 -- +0.0, not -0.0
    assert model.params["b1"][0] == 5.0  # biases are not penalized
    model.post_step(0.0)
    np.testing.assert_allclose(model.params["W1"][:, 0], [0.0, 0.0, 1.6, -0.6])


def test_proximal_training_gives_exact_zeros_and_the_subgradient_none():
    X, y = spirals(150, rng=1)
    zeros = {}
    for mode in ("subgradient", "proximal"):
        model = MLP([2, 32, 3], output="softmax", l1=0.01, l1_mode=mode, rng=3)
        fit(model, X, y, "softmax_cross_entropy", SGD(lr=0.3), epochs=30, verbose=False, rng=0)
        zeros[mode] = int(sum(np.sum(model.params[k] == 0.0) for k in ("W1", "W2")))
    assert zeros["subgradient"] == 0  # it oscillates around 0, never lands on it
    assert zeros["proximal"] > 20  # of 160 weights (56 for these seeds)


# -------------------------------------------------------------------------- max-norm


def test_max_norm_caps_each_units_incoming_weights():
    model = MLP([3, 2, 2], init="zeros", max_norm=2.0)
    model.params["W1"][:] = [[3.0, 0.1], [4.0, 0.2], [0.0, 0.2]]  # column norms 5 and 0.3
    model.params["W2"][:] = [[0.0, 0.0], [0.0, 0.0]]  # a zero column stays zero
    model.post_step(0.1)
    np.testing.assert_allclose(model.params["W1"], [[1.2, 0.1], [1.6, 0.2], [0.0, 0.2]])
    np.testing.assert_array_equal(model.params["W2"], 0.0)
    assert "max_norm=2.0" in repr(model)


def test_max_norm_in_training_and_on_maxout_pieces():
    X, y = spirals(150, rng=2)
    model = MLP([2, 16, 3], output="softmax", max_norm=0.5, maxout=2, rng=4)
    fit(model, X, y, "softmax_cross_entropy", SGD(lr=1.0), epochs=5, verbose=False, rng=0)
    for key in ("W1", "W2"):
        norms = np.sqrt(np.sum(model.params[key] ** 2, axis=-2))
        assert norms.max() <= 0.5 * (1 + 1e-12)
        assert norms.max() > 0.49  # the cap was reached, so it did something


def test_post_step_bad_settings():
    with pytest.raises(ValueError, match="unknown l1_mode 'prox'"):
        MLP([2, 2], l1_mode="prox")
    with pytest.raises(ValueError, match="max_norm must be in"):
        MLP([2, 2], max_norm=0.0)
    with pytest.raises(TypeError, match="positional arguments"):  # the new ones: keyword only
        MLP([2, 2], "relu", "identity", "he_normal", None, 0.0, False, 0.0, 0.0, np.float64, "x")
    with pytest.raises(ValueError, match="lr"):
        MLP([2, 2], max_norm=1.0).post_step(np.nan)
