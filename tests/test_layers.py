"""Tests for nnlib.layers: forward values, finite-difference backward checks, modes, classes."""

import numpy as np
import pytest
from finite_differences import central_difference_4th, rel_error_elementwise
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import layers as L
from nnlib.activations import ACTIVATIONS, get_activation


def rng():
    return np.random.default_rng(0)


# ----------------------------------------------------------------------------- dense


def test_dense_forward_hand_example():
    X = np.array([[1.0, 2.0], [0.0, -1.0]])
    W = np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]])
    b = np.array([0.0, 1.0, 0.5])
    Z, cache = L.dense_forward(X, W, b)
    # row 1: [1*1 + 2*0.5, 1*0 + 2*1, 1*(-1) + 2*2] + b = [2, 2, 3] + [0, 1, 0.5]
    # row 2: [0 - 0.5, 0 - 1, 0 - 2] + b = [-0.5, -1, -2] + [0, 1, 0.5]
    np.testing.assert_allclose(Z, [[2.0, 3.0, 3.5], [-0.5, 0.0, -1.5]])
    assert cache.X is X and cache.W is W  # the cache keeps references, no copies


def test_dense_backward_hand_example():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[1.0], [-1.0]])
    _, cache = L.dense_forward(X, W, np.zeros(1))
    dX, dW, db = L.dense_backward(np.array([[1.0], [2.0]]), cache)
    np.testing.assert_allclose(dW, [[7.0], [10.0]])  # X.T @ dZ = [1 + 6, 2 + 8]
    np.testing.assert_allclose(db, [3.0])  # 1 + 2 (sum over the batch, not mean)
    np.testing.assert_allclose(dX, [[1.0, -1.0], [2.0, -2.0]])  # dZ @ W.T


def test_dense_backward_can_skip_dX():
    r = rng()
    X, W = r.standard_normal((5, 4)), r.standard_normal((4, 3))
    _, cache = L.dense_forward(X, W, np.zeros(3))
    dZ = r.standard_normal((5, 3))
    dX, dW, db = L.dense_backward(dZ, cache, compute_dX=False)
    assert dX is None
    _, dW_full, db_full = L.dense_backward(dZ, cache)
    np.testing.assert_array_equal(dW, dW_full)
    np.testing.assert_array_equal(db, db_full)


def test_dense_keeps_float32():
    r = rng()
    X = r.standard_normal((3, 4)).astype(np.float32)
    W = r.standard_normal((4, 2)).astype(np.float32)
    Z, cache = L.dense_forward(X, W, np.zeros(2, np.float32))
    assert Z.dtype == np.float32
    dX, dW, db = L.dense_backward(np.ones((3, 2), np.float32), cache)
    assert dX.dtype == dW.dtype == db.dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 8), d_in=st.integers(1, 8), d_out=st.integers(1, 8))
def test_dense_shapes(n, d_in, d_out):
    r = rng()
    X, W, b = r.standard_normal((n, d_in)), r.standard_normal((d_in, d_out)), np.zeros(d_out)
    Z, cache = L.dense_forward(X, W, b)
    assert Z.shape == (n, d_out)
    dX, dW, db = L.dense_backward(np.ones_like(Z), cache)
    assert (dX.shape, dW.shape, db.shape) == (X.shape, W.shape, b.shape)


@pytest.mark.parametrize(
    ("X", "W", "b", "match"),
    [
        (np.ones(3), np.ones((3, 2)), np.ones(2), r"X must be a 2-D array, got shape \(3,\)"),
        (np.ones((4, 3)), np.ones((2, 2)), np.ones(2), "X has 3 features .* W has 2 rows"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones(3), r"b must have shape \(2,\)"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones((1, 2)), "b must be a 1-D array"),
        # the usual fixes are in the message
        (np.ones(3), np.ones((3, 2)), np.ones(2), r"for a single sample use X.reshape\(1, -1\)"),
        ([1.0, 2.0, 3.0], [[1.0], [1.0], [1.0]], [0.0], r"X.reshape\(1, -1\)"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones((1, 2)), r"shape \(2,\), e.g. b.ravel\(\)"),
        (np.ones((4, 3)), np.ones((3, 2)), np.ones((2, 1)), r"shape \(2,\), e.g. b.ravel\(\)"),
        (np.ones((4, 3)), np.ones(3), np.ones(1), r"for one output unit W.reshape\(-1, 1\)"),
        (
            np.ones((2, 4, 3)),
            np.ones((3, 2)),
            np.ones(2),
            r"X must be a 2-D array, got shape \(2, 4, 3\)$",
        ),
    ],
)
def test_dense_forward_bad_shapes(X, W, b, match):
    with pytest.raises(ValueError, match=match):
        L.dense_forward(X, W, b)


def test_dense_backward_bad_input():
    _, cache = L.dense_forward(np.ones((4, 3)), np.ones((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"dZ must have the shape of the forward output \(4, 2\)"):
        L.dense_backward(np.ones((4, 3)), cache)
    with pytest.raises(TypeError, match="cache must be the DenseCache"):
        L.dense_backward(np.ones((4, 2)), (1, 2, 3))
    with pytest.raises(TypeError, match="dZ must be an array of numbers"):
        L.dense_backward("grad", cache)


# ----------------------------------------------------------------------------- activation

ACT_CASES = [(name, {}) for name in ACTIVATIONS] + [
    ("leaky_relu", {"alpha": 0.2}),
    ("elu", {"alpha": 0.5}),
    ("swish", {"beta": 2.0}),
    ("gelu", {"approximate": True}),
]


@pytest.mark.parametrize(("name", "params"), ACT_CASES)
def test_activation_backward_finite_differences(name, params):
    # Z ~ N(0, 1): no entry lies within h = 1e-6 of the ReLU kink at 0 for this seed,
    # so the strict tolerance holds for relu and leaky_relu too.
    r = rng()
    act = get_activation(name, **params)
    Z = r.standard_normal((4, 5))
    assert np.abs(Z).min() > 1e-3
    G = r.standard_normal((4, 5))

    def loss():
        return float(np.sum(L.activation_forward(Z, act)[0] * G))

    A, cache = L.activation_forward(Z, act)
    np.testing.assert_allclose(A, act.forward(Z))
    dZ = L.activation_backward(G, cache)
    assert rel_error_elementwise(dZ, central_difference_4th(loss, Z)) < 1e-7


def test_softmax_backward_is_the_vector_jacobian_product():
    # dZ = A * (dA - sum(dA * A)) with A = softmax(Z); compare with J^T dA from the Jacobian
    # J_ij = A_i (delta_ij - A_j), computed by hand for one row.
    Z = np.array([[1.0, 2.0, 0.5]])
    dA = np.array([[0.3, -1.0, 2.0]])
    A, cache = L.activation_forward(Z, "softmax")
    a = A[0]
    J = np.diag(a) - np.outer(a, a)
    np.testing.assert_allclose(L.activation_backward(dA, cache)[0], J.T @ dA[0], rtol=1e-12)


def test_activation_parameters_take_effect():
    Z = np.array([[-2.0, 3.0]])
    A, cache = L.activation_forward(Z, get_activation("leaky_relu", alpha=0.2))
    np.testing.assert_allclose(A, [[-0.4, 3.0]])  # 0.2 * -2 = -0.4
    np.testing.assert_allclose(L.activation_backward(np.ones((1, 2)), cache), [[0.2, 1.0]])


def test_activation_hand_example_relu():
    A, cache = L.activation_forward(np.array([[-1.0, 0.5, 2.0]]), "relu")
    np.testing.assert_array_equal(A, [[0.0, 0.5, 2.0]])
    # relu'(z) = [0, 1, 1], times dA = [5, 5, 5]
    np.testing.assert_array_equal(L.activation_backward(np.full((1, 3), 5.0), cache), [[0, 5, 5]])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_layer_no_overflow_at_large_z(name):
    # pytest turns RuntimeWarning (overflow) into an error
    Z = np.array([[-1000.0, 0.0, 1000.0], [1000.0, -1000.0, 5.0]])
    A, cache = L.activation_forward(Z, name)
    dZ = L.activation_backward(np.ones_like(Z), cache)
    assert np.all(np.isfinite(A))
    assert np.all(np.isfinite(dZ))


def test_activation_bad_input():
    with pytest.raises(ValueError, match="unknown activation 'rleu'"):
        L.activation_forward(np.ones((2, 2)), "rleu")
    _, cache = L.activation_forward(np.ones((2, 2)), "tanh")
    with pytest.raises(ValueError, match="dA must have the shape of the forward output"):
        L.activation_backward(np.ones((2, 1)), cache)
    with pytest.raises(TypeError, match="ActivationCache"):
        L.activation_backward(np.ones((2, 2)), None)


def test_activation_keeps_float32():
    Z = np.ones((2, 3), np.float32)
    A, cache = L.activation_forward(Z, "relu")
    assert A.dtype == np.float32
    assert L.activation_backward(np.ones((2, 3), np.float32), cache).dtype == np.float32


# ----------------------------------------------------------------------------- dropout


def test_dropout_eval_is_identity():
    X = rng().standard_normal((10, 4))
    out, cache = L.dropout_forward(X, 0.5, rng=0, train=False)
    assert out is X
    dout = rng().standard_normal((10, 4))
    assert L.dropout_backward(dout, cache) is dout


def test_dropout_p_zero_is_identity_in_training():
    X = rng().standard_normal((10, 4))
    out, cache = L.dropout_forward(X, 0.0, rng=0, train=True)
    np.testing.assert_array_equal(out, X)
    assert cache.mask is None


def test_dropout_train_preserves_the_mean_inverted_scaling():
    # Each output is X / (1 - p) with probability 1 - p and 0 otherwise: mean 1 for X = 1,
    # variance p / (1 - p) = 0.3 / 0.7 = 0.43. Over n = 1e6 entries the standard error of
    # the mean is sqrt(0.43 / 1e6) = 6.5e-4; a 6-sigma band is +-0.004. Non-inverted
    # dropout (no 1/(1-p)) would give mean 0.7.
    p = 0.3
    X = np.ones((1000, 1000))
    out, cache = L.dropout_forward(X, p, rng=0)
    assert abs(out.mean() - 1.0) < 0.004
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    dropped = np.mean(out == 0)
    assert abs(dropped - p) < 6 * np.sqrt(p * (1 - p) / X.size)  # fraction dropped ~ p
    np.testing.assert_array_equal(cache.mask, out)  # X = 1: the output is the scaled mask


def test_dropout_p_takes_effect():
    X = np.ones((200, 500))
    for p in (0.1, 0.8):
        out, _ = L.dropout_forward(X, p, rng=1)
        assert abs(np.mean(out == 0) - p) < 0.01


def test_dropout_backward_finite_differences_with_fixed_mask():
    # An int seed gives the same mask on every call, so the function is deterministic.
    r = rng()
    X, G = r.standard_normal((6, 5)), r.standard_normal((6, 5))

    def loss():
        return float(np.sum(L.dropout_forward(X, 0.4, rng=3)[0] * G))

    _, cache = L.dropout_forward(X, 0.4, rng=3)
    dX = L.dropout_backward(G, cache)
    assert rel_error_elementwise(dX, central_difference_4th(loss, X)) < 1e-7
    np.testing.assert_allclose(dX, G * cache.mask)


def test_dropout_determinism_given_rng():
    X = np.ones((8, 8))
    a, _ = L.dropout_forward(X, 0.5, rng=7)
    b, _ = L.dropout_forward(X, 0.5, rng=np.random.default_rng(7))
    c, _ = L.dropout_forward(X, 0.5, rng=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_keeps_float32():
    out, cache = L.dropout_forward(np.ones((4, 4), np.float32), 0.5, rng=0)
    assert out.dtype == cache.mask.dtype == np.float32


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        L.dropout_forward(np.ones((2, 2)), p, rng=0)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        L.Dropout(p)


# ----------------------------------------------------------------------------- batchnorm


def test_batchnorm_hand_example():
    X = np.array([[1.0, 10.0], [3.0, 10.0]])
    out, cache = L.batchnorm_forward(X, np.array([2.0, 1.0]), np.array([0.5, -1.0]), eps=1e-4)
    np.testing.assert_allclose(cache.mean, [2.0, 10.0])  # column means
    np.testing.assert_allclose(cache.var, [1.0, 0.0])  # biased: ((1-2)^2 + (3-2)^2) / 2 = 1
    # column 1: xhat = (+-1) / sqrt(1 + 1e-4) = +-0.99995, out = 2 * xhat + 0.5
    # column 2: constant column, xhat = 0, out = beta = -1
    s = 1 / np.sqrt(1 + 1e-4)
    np.testing.assert_allclose(out, [[-2 * s + 0.5, -1.0], [2 * s + 0.5, -1.0]])


def test_batchnorm_train_output_standardised_per_feature():
    X = rng().normal(loc=[5.0, -3.0, 0.0], scale=[10.0, 0.1, 1.0], size=(200, 3))
    out, cache = L.batchnorm_forward(X, np.ones(3), np.zeros(3))
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), X.var(axis=0) / (X.var(axis=0) + 1e-5))
    np.testing.assert_allclose(cache.mean, X.mean(axis=0))
    np.testing.assert_allclose(cache.var, X.var(axis=0))  # biased variance (ddof=0)
    # gamma and beta take effect: per-feature mean beta and std ~gamma
    out2, _ = L.batchnorm_forward(X, np.array([2.0, 3.0, 4.0]), np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(out2.mean(axis=0), [1.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(out2.std(axis=0), [2.0, 3.0, 4.0], rtol=1e-3)


def test_batchnorm_backward_of_constant_shift_is_zero():
    # adding c to every output row changes nothing through the batch statistics: dX = 0
    X = rng().standard_normal((5, 3))
    _, cache = L.batchnorm_forward(X, np.ones(3), np.zeros(3))
    dX, _, dbeta = L.batchnorm_backward(np.ones((5, 3)), cache)
    np.testing.assert_allclose(dX, 0.0, atol=1e-12)
    np.testing.assert_allclose(dbeta, 5.0)


def test_batchnorm_eval_uses_running_statistics():
    # out = gamma * (x - mu) / sqrt(var + eps) + beta = 2 * (4 - 2) / sqrt(4) + 1 = 3
    out = L.batchnorm_eval(np.array([[4.0]]), [2.0], [1.0], [2.0], [4.0], eps=1e-12)
    np.testing.assert_allclose(out, [[3.0]])
    # rows are independent: the output of a row does not depend on the rest of the batch
    X = rng().standard_normal((6, 3))
    args = (np.ones(3), np.zeros(3), np.full(3, 0.5), np.full(3, 2.0))
    np.testing.assert_allclose(L.batchnorm_eval(X, *args)[:2], L.batchnorm_eval(X[:2], *args))


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match="at least 2 rows"):
        L.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\)"):
        L.batchnorm_forward(np.ones((4, 3)), np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match="eps must be in"):
        L.batchnorm_forward(np.ones((4, 3)), np.ones(3), np.zeros(3), eps=0.0)
    with pytest.raises(ValueError, match=r"running_var must have shape \(3,\)"):
        L.batchnorm_eval(np.ones((4, 3)), np.ones(3), np.zeros(3), np.zeros(3), np.ones(4))
    # a variance cannot be negative (sqrt would give NaN and a warning); NaN is refused too
    for bad in (-0.5, np.nan):
        with pytest.raises(ValueError, match=f"running_var must hold variances, >= 0, got {bad}"):
            L.batchnorm_eval(np.ones((4, 3)), np.ones(3), np.zeros(3), np.zeros(3), [1.0, bad, 1.0])
    # a zero variance is fine: eps keeps the division finite, (1 - 0) / sqrt(0 + 1e-4) = 100
    out = L.batchnorm_eval(np.ones((1, 1)), np.ones(1), np.zeros(1), np.zeros(1), np.zeros(1), 1e-4)
    np.testing.assert_allclose(out, [[100.0]])


# ----------------------------------------------------------------------------- dense and batchnorm

# Both are forward(X, p, q) -> (out, cache) with backward(dout, cache) -> (dX, dp, dq), for
# (p, q) = (W, b) and (gamma, beta): one finite-difference test checks both.


def _dense_inputs(r):
    """X, W, b for dense_forward."""
    return r.standard_normal((5, 4)), r.standard_normal((4, 3)), r.standard_normal(3)


def _batchnorm_inputs(n):
    """A function of the generator giving X, gamma, beta for an n-row batchnorm_forward."""

    def inputs(r):
        X = r.normal(1.0, 2.0, size=(n, 4))
        return X, r.normal(1.0, 0.5, 4), r.standard_normal(4)

    return inputs


@pytest.mark.parametrize(
    ("forward", "backward", "inputs"),
    [
        pytest.param(L.dense_forward, L.dense_backward, _dense_inputs, id="dense"),
        # Not n = 2: with two rows xhat = +-sqrt(var / (var + eps)) ~ +-1 whatever X is, so
        # the true dX is ~1e-5 and central differences resolve it only to ~1e-5 relative.
        *[
            pytest.param(
                L.batchnorm_forward, L.batchnorm_backward, _batchnorm_inputs(n), id=f"batchnorm-{n}"
            )
            for n in (3, 8)
        ],
    ],
)
def test_backward_finite_differences(forward, backward, inputs):
    r = rng()
    X, p, q = inputs(r)
    out, cache = forward(X, p, q)
    G = r.standard_normal(out.shape)  # loss = sum(out * G), so dL/dout = G

    def loss():
        return float(np.sum(forward(X, p, q)[0] * G))

    dX, dp, dq = backward(G, cache)
    assert rel_error_elementwise(dX, central_difference_4th(loss, X)) < 1e-7
    assert rel_error_elementwise(dp, central_difference_4th(loss, p)) < 1e-7
    assert rel_error_elementwise(dq, central_difference_4th(loss, q)) < 1e-7


# ----------------------------------------------------------------------------- classes


def test_dense_class_interface():
    layer = L.Dense(4, 3, rng=0)
    assert repr(layer) == "Dense(4, 3, init='he_normal')"
    assert set(layer.params) == set(layer.grads) == {"W", "b"}
    assert layer.params["W"].shape == (4, 3) and layer.params["b"].shape == (3,)
    np.testing.assert_array_equal(layer.params["b"], 0.0)
    X = rng().standard_normal((5, 4))
    Z = layer.forward(X)
    np.testing.assert_allclose(Z, X @ layer.params["W"])
    dZ = rng().standard_normal((5, 3))
    dX = layer.backward(dZ)
    np.testing.assert_allclose(layer.grads["W"], X.T @ dZ)
    np.testing.assert_allclose(layer.grads["b"], dZ.sum(axis=0))
    np.testing.assert_allclose(dX, dZ @ layer.params["W"].T)


def test_dense_class_gradients_finite_differences():
    layer = L.Dense(3, 2, init="xavier_normal", rng=1)
    layer.params["b"][:] = [0.5, -0.2]
    r = rng()
    X, G = r.standard_normal((4, 3)), r.standard_normal((4, 2))

    def loss():
        return float(np.sum(layer.forward(X) * G))

    layer.forward(X)
    layer.backward(G)
    for key in ("W", "b"):
        numeric = central_difference_4th(loss, layer.params[key])
        assert rel_error_elementwise(layer.grads[key], numeric) < 1e-7


def test_dense_class_options_take_effect():
    layer = L.Dense(3, 2, init="zeros")
    np.testing.assert_array_equal(layer.params["W"], 0.0)
    layer = L.Dense(3, 2, init="constant", dtype=np.float32)
    assert layer.params["W"].dtype == layer.params["b"].dtype == np.float32
    assert repr(layer) == "Dense(3, 2, init='constant', dtype='float32')"
    np.testing.assert_array_equal(
        L.Dense(5, 4, rng=3).params["W"], L.Dense(5, 4, rng=3).params["W"]
    )
    assert not np.array_equal(L.Dense(5, 4, rng=3).params["W"], L.Dense(5, 4, rng=4).params["W"])
    # He normal with rng=3 draws exactly the initializer's matrix
    from nnlib.initializers import he_normal

    np.testing.assert_array_equal(L.Dense(5, 4, rng=3).params["W"], he_normal(5, 4, rng=3))


def test_dense_class_skips_input_grad_when_asked():
    layer = L.Dense(3, 2, rng=0)
    layer.forward(np.ones((4, 3)))
    layer.needs_input_grad = False
    assert layer.backward(np.ones((4, 2))) is None
    np.testing.assert_allclose(layer.grads["b"], [4.0, 4.0])


def test_dense_class_bad_arguments():
    with pytest.raises(ValueError, match="d_in must be an integer >= 1"):
        L.Dense(0, 3)
    with pytest.raises(TypeError, match="d_out must be an integer"):
        L.Dense(3, 2.0)
    with pytest.raises(ValueError, match="unknown init 'kaiming'"):
        L.Dense(3, 2, init="kaiming")
    with pytest.raises(ValueError, match=r"must return shape \(d_in, d_out\)"):
        L.Dense(3, 2, init=lambda fi, fo, rng: np.zeros((fo, fi)))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        L.Dense(3, 2).backward(np.ones((1, 2)))


def test_activation_class():
    layer = L.Activation("leaky_relu", alpha=0.1)
    assert repr(layer) == "Activation('leaky_relu', alpha=0.1)"
    assert layer.params == {} and layer.grads == {}
    np.testing.assert_allclose(layer.forward(np.array([[-2.0, 3.0]])), [[-0.2, 3.0]])
    np.testing.assert_allclose(layer.backward(np.array([[1.0, 1.0]])), [[0.1, 1.0]])
    assert repr(L.Activation("relu")) == "Activation('relu')"
    with pytest.raises(TypeError, match="unknown parameter 'alpha'"):
        L.Activation("relu", alpha=0.1)


def test_dropout_class():
    layer = L.Dropout(0.5, rng=0)
    assert repr(layer) == "Dropout(p=0.5)"
    X = np.ones((50, 40))
    assert layer.forward(X) is X  # default train=False: evaluation mode
    out1 = layer.forward(X, train=True)
    d1 = layer.backward(np.ones_like(X))
    np.testing.assert_array_equal(d1, out1)  # dout = 1: dX is the scaled mask = out for X = 1
    out2 = layer.forward(X, train=True)
    assert not np.array_equal(out1, out2)  # a new mask for each batch
    again = L.Dropout(0.5, rng=0)
    np.testing.assert_array_equal(again.forward(X, train=True), out1)  # deterministic


def test_batchnorm_class_running_statistics_converge():
    # Batches of 1000 from N([3, -1], [2, 0.5]^2). With momentum 0.9 the running averages
    # forget the initial (0, 1) as 0.9^t (0.9^100 = 3e-5) and are EMAs of recent batches:
    # an EMA of iid values has variance (1 - m) / (1 + m) = 0.053 times theirs.
    # Mean: batch-mean sd 2 / sqrt(1000) = 0.063, EMA sd 0.063 * 0.23 = 0.015; atol 0.1 ~ 7 sd.
    # Var: batch-var relative sd sqrt(2 / 999) = 0.045, EMA 0.045 * 0.23 = 0.010; rtol 0.05 ~ 5 sd.
    bn = L.BatchNorm(2)
    r = rng()
    for _ in range(100):
        bn.forward(r.normal([3.0, -1.0], [2.0, 0.5], size=(1000, 2)), train=True)
    np.testing.assert_allclose(bn.running_mean, [3.0, -1.0], atol=0.1)
    # biased batch variance: E = (999 / 1000) * sigma^2 = [3.996, 0.24975]
    np.testing.assert_allclose(bn.running_var, [3.996, 0.24975], rtol=0.05)
    # eval mode uses them: a fresh large sample comes out ~standardised
    Xt = r.normal([3.0, -1.0], [2.0, 0.5], size=(5000, 2))
    out = bn.forward(Xt)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=0.1)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=0.1)
    expected = L.batchnorm_eval(Xt, np.ones(2), np.zeros(2), bn.running_mean, bn.running_var)
    np.testing.assert_array_equal(out, expected)


def test_batchnorm_class_momentum_convention():
    bn = L.BatchNorm(2, momentum=0.8)
    assert repr(bn) == "BatchNorm(2, momentum=0.8, eps=1e-05)"
    X = np.array([[0.0, 1.0], [2.0, 5.0]])  # mean [1, 3], biased var [1, 4]
    bn.forward(X, train=True)
    np.testing.assert_allclose(bn.running_mean, [0.2, 0.6])  # 0.8 * 0 + 0.2 * [1, 3]
    np.testing.assert_allclose(bn.running_var, [1.0, 1.6])  # 0.8 * 1 + 0.2 * [1, 4]
    before = bn.running_mean.copy()
    bn.forward(X)  # evaluation does not update the running statistics
    np.testing.assert_array_equal(bn.running_mean, before)


def test_batchnorm_class_gradients_train_and_eval():
    bn = L.BatchNorm(3, eps=1e-3)
    bn.params["gamma"][:] = [1.5, 0.5, -1.0]
    bn.params["beta"][:] = [0.1, 0.2, 0.3]
    bn.running_mean[:] = [0.5, -0.5, 0.0]
    bn.running_var[:] = [2.0, 0.5, 1.0]
    r = rng()
    X, G = r.standard_normal((6, 3)), r.standard_normal((6, 3))
    for train in (True, False):

        def loss(train=train):
            return float(np.sum(bn.forward(X, train=train) * G))

        bn.forward(X, train=train)
        dX = bn.backward(G)
        grads = {k: v.copy() for k, v in bn.grads.items()}
        assert rel_error_elementwise(dX, central_difference_4th(loss, X)) < 1e-7
        for key in ("gamma", "beta"):
            numeric = central_difference_4th(loss, bn.params[key])
            assert rel_error_elementwise(grads[key], numeric) < 1e-7


def test_batchnorm_refuses_a_batch_of_one_row_in_training_only():
    # one row has zero variance: xhat would be 0 whatever the input (no signal, no gradient)
    bn = L.BatchNorm(3)
    with pytest.raises(
        ValueError, match=r"at least 2 rows .* got X of shape \(1, 3\).*batchnorm_eval"
    ):
        bn.forward(np.ones((1, 3)), train=True)
    np.testing.assert_array_equal(bn.running_mean, 0.0)  # nothing was updated
    assert bn.forward(np.ones((1, 3))).shape == (1, 3)  # evaluation works on single samples


def test_batchnorm_class_bad_arguments():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        L.BatchNorm(3, momentum=1.0)
    with pytest.raises(ValueError, match="d must be an integer >= 1"):
        L.BatchNorm(0)
    with pytest.raises(RuntimeError, match=r"BatchNorm\.backward called before forward"):
        L.BatchNorm(3).backward(np.ones((2, 3)))
    assert L.BatchNorm(3, dtype=np.float32).forward(np.ones((2, 3), np.float32)).dtype == (
        np.float32
    )


def test_dense_backward_writes_into_preallocated_out():
    rng = np.random.default_rng(0)
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    _, cache = L.dense_forward(X, W, b)
    dZ = rng.standard_normal((4, 2))
    dW_out, db_out = np.full((3, 2), np.nan), np.full(2, np.nan)
    dX, dW, db = L.dense_backward(dZ, cache, out=(dW_out, db_out))
    assert dW is dW_out and db is db_out
    np.testing.assert_allclose(dW_out, X.T @ dZ)
    np.testing.assert_allclose(db_out, dZ.sum(axis=0))
    np.testing.assert_allclose(dX, dZ @ W.T)
    with pytest.raises(ValueError, match="out must be arrays"):
        L.dense_backward(dZ, cache, out=(np.zeros((2, 3)), np.zeros(2)))


# ------------------------------------------------------------------ unchecked pair


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize(
    "make",
    [
        lambda: L.Dense(4, 3, rng=0),
        lambda: L.Activation("tanh"),
        lambda: L.Activation("softmax"),
        lambda: L.Dropout(0.5, rng=0),
        lambda: L.BatchNorm(4),
    ],
    ids=["dense", "tanh", "softmax", "dropout", "batchnorm"],
)
def test_the_unchecked_pair_computes_what_forward_and_backward_do(make, train):
    # _forward/_backward are what an MLP calls on a batch it checked itself: the same
    # numbers as forward/backward, without the checks.
    r = np.random.default_rng(0)
    X = r.standard_normal((5, 4))
    checked, unchecked = make(), make()
    if isinstance(checked, L.BatchNorm):  # a non-trivial evaluation mode
        for layer in (checked, unchecked):
            layer.running_mean[:], layer.running_var[:] = 0.5, 2.0
            layer.params["gamma"][:] = [1.0, 2.0, -1.0, 0.5]
    out = checked.forward(X, train=train)
    np.testing.assert_array_equal(unchecked._forward(X, train), out)
    dout = r.standard_normal(out.shape)
    np.testing.assert_array_equal(unchecked._backward(dout), checked.backward(dout))
    for k in checked.grads:
        np.testing.assert_array_equal(unchecked.grads[k], checked.grads[k], err_msg=k)
    if isinstance(checked, L.BatchNorm):
        np.testing.assert_array_equal(unchecked.running_mean, checked.running_mean)


def test_the_public_backward_still_checks_what_the_unchecked_one_trusts():
    bn = L.BatchNorm(3)
    bn.forward(np.ones((4, 3)), train=False)
    with pytest.raises(
        ValueError, match=r"dout must have the shape of the forward output \(4, 3\)"
    ):
        bn.backward(np.ones((5, 3)))
    with pytest.raises(RuntimeError, match="backward called before forward"):
        L.Dense(2, 2, rng=0).backward(np.ones((1, 2)))
