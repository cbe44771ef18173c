"""Tests for the layers with learnable activation parameters and DropConnect.

PReLU, Swish (trainable beta), Maxout and DropConnect: hand values, every parameter's
and the input's gradient checked with `nnlib.gradcheck.check_gradients` (float64,
relative error <= 1e-7), shapes, and bad input.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlib import layers as L
from nnlib.activations import leaky_relu, swish
from nnlib.gradcheck import check_gradients


def _check_layer(layer, X, train=False, reseed=None):
    """Gradient-check `layer` on ``L = sum(forward(X) * G)`` over its params and X.

    `reseed` (an int) makes a random layer deterministic: its rng is reset before every
    forward, so each call draws the same mask.
    """
    rng = np.random.default_rng(123)
    G = rng.standard_normal(layer.forward(X).shape)
    params = {**layer.params, "X": X}

    def loss():
        if reseed is not None:
            layer.rng = np.random.default_rng(reseed)
        return float(np.sum(layer.forward(params["X"], train=train) * G))

    loss()
    dX = layer.backward(G)
    grads = {**{k: v.copy() for k, v in layer.grads.items()}, "X": dX}
    report = check_gradients(loss, params, grads)
    assert report.ok, report
    return report


# ------------------------------------------------------------------------------ PReLU


def test_prelu_hand_values_and_alpha_gradient():
    layer = L.PReLU(3)
    np.testing.assert_array_equal(layer.params["alpha"], [0.25, 0.25, 0.25])  # He et al.
    Z = np.array([[-4.0, 2.0, -1.0], [2.0, -2.0, -3.0]])
    np.testing.assert_allclose(layer.forward(Z), [[-1.0, 2.0, -0.25], [2.0, -0.5, -0.75]])
    dA = np.array([[1.0, 1.0, 2.0], [3.0, 1.0, -1.0]])
    dZ = layer.backward(dA)
    np.testing.assert_allclose(dZ, [[0.25, 1.0, 0.5], [3.0, 0.25, -0.25]])
    # dL/dalpha_j = sum_n dA_nj min(Z_nj, 0): [1*-4 + 3*0, 1*0 + 1*-2, 2*-1 + -1*-3]
    np.testing.assert_allclose(layer.grads["alpha"], [-4.0, -2.0, 1.0])


def test_prelu_per_unit_slopes_match_leaky_relu():
    layer = L.PReLU(2, alpha0=0.1)
    layer.params["alpha"][1] = 0.3
    Z = np.random.default_rng(0).standard_normal((5, 2))
    out = layer.forward(Z)
    np.testing.assert_allclose(out[:, 0], leaky_relu(Z[:, 0], alpha=0.1))
    np.testing.assert_allclose(out[:, 1], leaky_relu(Z[:, 1], alpha=0.3))
    # at the kink the left slope alpha, as leaky_relu_grad
    layer.forward(np.zeros((1, 2)))
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), [[0.1, 0.3]])


def test_prelu_gradcheck():
    rng = np.random.default_rng(1)
    layer = L.PReLU(4, alpha0=0.2)
    layer.params["alpha"][:] = rng.uniform(-0.5, 0.5, 4)  # any slope, negative too
    X = rng.standard_normal((6, 4))
    X[np.abs(X) < 1e-3] = 0.5  # central differences must not straddle the kink
    report = _check_layer(layer, X)
    assert set(report.checks) == {"alpha", "X"}


def test_prelu_bad_input():
    with pytest.raises(ValueError, match=r"d must be"):
        L.PReLU(0)
    with pytest.raises(ValueError, match="alpha0 must be finite"):
        L.PReLU(2, alpha0=np.inf)
    layer = L.PReLU(3)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\) for a layer of 3 units"):
        layer.forward(np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="dout must have the shape of the forward output"):
        layer.backward(np.ones((2, 2)))


# ------------------------------------------------------------------------------ Swish


def test_swish_layer_matches_the_function_and_its_beta_limits():
    Z = np.linspace(-5.0, 5.0, 11).reshape(1, -1)
    for beta in (0.0, 0.5, 1.0, 3.0):
        np.testing.assert_allclose(L.Swish(beta0=beta).forward(Z), swish(Z, beta=beta))
    np.testing.assert_allclose(L.Swish(beta0=0.0).forward(Z), Z / 2)  # beta = 0: z/2
    big = L.Swish(beta0=50.0).forward(Z)
    np.testing.assert_allclose(big, np.maximum(Z, 0.0), atol=1e-20)  # beta large: ReLU


def test_swish_beta_gradient_by_hand():
    # dA/dbeta = z^2 s (1 - s); at beta = 1, z = 2: s = sigmoid(2) = 0.880797
    layer = L.Swish(beta0=1.0)
    layer.forward(np.array([[2.0]]))
    layer.backward(np.array([[1.0]]))
    s = 1.0 / (1.0 + np.exp(-2.0))
    np.testing.assert_allclose(layer.grads["beta"], [4.0 * s * (1 - s)], rtol=1e-14)
    assert layer.beta == 1.0


@pytest.mark.parametrize("beta0", [1.0, 0.0, -0.7, 2.5])
def test_swish_gradcheck(beta0):
    X = np.random.default_rng(2).standard_normal((5, 3)) * 2
    report = _check_layer(L.Swish(beta0=beta0), X)
    assert set(report.checks) == {"beta", "X"}


def test_swish_fixed_beta_has_no_parameter():
    layer = L.Swish(beta0=2.0, trainable=False)
    assert layer.params == {} and layer.grads == {} and layer.beta == 2.0
    assert repr(layer) == "Swish(beta0=2.0, trainable=False)"
    X = np.random.default_rng(3).standard_normal((4, 2))
    report = _check_layer(layer, X)
    assert set(report.checks) == {"X"}


def test_swish_float32_and_large_inputs():
    layer = L.Swish(dtype=np.float32)
    out = layer.forward(np.array([[-1000.0, 1000.0]], dtype=np.float32))
    assert out.dtype == np.float32 and np.array_equal(out, [[0.0, 1000.0]])
    dX = layer.backward(np.ones((1, 2), dtype=np.float32))
    assert np.all(np.isfinite(dX)) and np.all(np.isfinite(layer.grads["beta"]))


def test_swish_bad_input():
    with pytest.raises(ValueError, match="beta0 must be a number, got nan"):
        L.Swish(beta0=np.nan)
    with pytest.raises(TypeError, match="trainable"):
        L.Swish(trainable="yes")
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        L.Swish().forward(np.ones(3))


# ----------------------------------------------------------------------------- Maxout


def test_maxout_abs_by_hand():
    layer = L.Maxout(1, 1, k=2, init="zeros")
    layer.params["W"][:, 0, 0] = [1.0, -1.0]
    layer.params["b"][:, 0] = [0.0, 0.5]
    X = np.array([[-3.0], [2.0]])
    # pieces: x and -x + 0.5 -> max(-3, 3.5) = 3.5 (piece 2), max(2, -1.5) = 2 (piece 1)
    np.testing.assert_allclose(layer.forward(X), [[3.5], [2.0]])
    dX = layer.backward(np.array([[1.0], [2.0]]))
    np.testing.assert_allclose(dX, [[-1.0], [2.0]])
    # dW piece 1 gets x2 * 2 = 4, piece 2 gets x1 * 1 = -3; db per piece [2, 1]
    np.testing.assert_allclose(layer.grads["W"][:, 0, 0], [4.0, -3.0])
    np.testing.assert_allclose(layer.grads["b"][:, 0], [2.0, 1.0])


def test_maxout_is_the_max_of_its_dense_pieces():
    rng = np.random.default_rng(4)
    layer = L.Maxout(5, 3, k=4, rng=rng)
    layer.params["b"][:] = rng.standard_normal((4, 3))
    X = rng.standard_normal((7, 5))
    pieces = [L.dense_forward(X, layer.params["W"][i], layer.params["b"][i])[0] for i in range(4)]
    np.testing.assert_allclose(layer.forward(X), np.max(pieces, axis=0), rtol=1e-14)
    assert layer.params["W"].shape == (4, 5, 3) and layer.params["b"].shape == (4, 3)


def test_maxout_gradcheck():
    rng = np.random.default_rng(5)
    layer = L.Maxout(4, 3, k=3, init="xavier_normal", rng=rng)
    layer.params["b"][:] = rng.standard_normal((3, 3))
    X = rng.standard_normal((6, 4))
    report = _check_layer(layer, X)
    assert set(report.checks) == {"W", "b", "X"}


def test_maxout_skips_dx_when_not_needed_and_bad_input():
    layer = L.Maxout(2, 2, k=2, rng=0)
    layer.forward(np.ones((3, 2)))
    layer.needs_input_grad = False
    assert layer.backward(np.ones((3, 2))) is None
    with pytest.raises(ValueError, match=r"k must be"):
        L.Maxout(2, 2, k=1)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\) for a layer of 2 inputs"):
        layer.forward(np.ones((3, 5)))
    with pytest.raises(ValueError, match="dout must have the shape"):
        layer.backward(np.ones((3, 3)))
    assert repr(layer) == "Maxout(2, 2, k=2, init='he_normal')"


# ------------------------------------------------------------------------ DropConnect


def test_dropconnect_masks_weights_not_units():
    layer = L.DropConnect(50, 40, p=0.3, rng=6)
    X = np.random.default_rng(7).standard_normal((8, 50))
    Z = layer.forward(X, train=True)
    M = layer.mask
    kept = M > 0
    assert M.shape == (50, 40)  # one entry per weight, not per unit or per example
    np.testing.assert_allclose(M[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 5 * np.sqrt(0.7 * 0.3 / M.size)  # 5 standard errors
    np.testing.assert_allclose(Z, X @ (layer.params["W"] * M) + layer.params["b"])
    # dropout of units would zero whole columns of Z; here no column of Z is zero
    assert np.all(np.abs(Z).sum(axis=0) > 0)


def test_dropconnect_evaluation_is_dense_and_mean_is_unbiased():
    layer = L.DropConnect(3, 2, p=0.5, rng=8)
    X = np.random.default_rng(9).standard_normal((4, 3))
    dense = X @ layer.params["W"] + layer.params["b"]
    np.testing.assert_allclose(layer.forward(X), dense)
    assert layer.mask is None
    # inverted scaling: the average over many masks is the evaluation output
    # (2000 draws: the mean's standard error is below 0.05 |XW|, the tolerance 0.1)
    mean = np.mean([layer.forward(X, train=True) for _ in range(2000)], axis=0)
    np.testing.assert_allclose(mean, dense, atol=0.1 * np.abs(dense).max())


def test_dropconnect_gradcheck_in_training_with_a_fixed_mask():
    X = np.random.default_rng(10).standard_normal((5, 4))
    layer = L.DropConnect(4, 3, p=0.4, rng=0)
    report = _check_layer(layer, X, train=True, reseed=11)
    assert set(report.checks) == {"W", "b", "X"}
    # masked weights get no gradient
    assert np.all(layer.grads["W"][layer.mask == 0] == 0)
    _check_layer(L.DropConnect(4, 3, p=0.4, rng=0), X, train=False)


def test_dropconnect_bad_input():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        L.DropConnect(2, 2, p=1.0)
    layer = L.DropConnect(2, 3, p=0.5, rng=0)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        layer.forward(np.ones((4, 3)), train=True)
    assert isinstance(layer, L.Dense)  # a Dense: the MLP penalizes and traces its W
