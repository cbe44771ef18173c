"""Tests for nnlib.activations: derivatives, hand-worked values, properties, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from finite_differences import central_difference, rel_error_global
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import activations as act
from nnlib._erf import erf, erfc, normal_cdf
from nnlib.activations import (
    ACTIVATIONS,
    ActivationFunction,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    selu,
    selu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_grad,
    softmax_vjp,
    softplus,
    softplus_grad,
    swish,
    swish_grad,
    tanh,
    tanh_grad,
)

ELEMENTWISE = [name for name in ACTIVATIONS if name != "softmax"]

# (function, its derivative, keyword arguments): defaults and non-default parameters.
CASES = [
    (identity, identity_grad, {}),
    (sigmoid, sigmoid_grad, {}),
    (tanh, tanh_grad, {}),
    (relu, relu_grad, {}),
    (leaky_relu, leaky_relu_grad, {}),
    (leaky_relu, leaky_relu_grad, {"alpha": 0.3}),
    (softplus, softplus_grad, {}),
    (elu, elu_grad, {}),
    (elu, elu_grad, {"alpha": 0.5}),
    (elu, elu_grad, {"alpha": 2.0}),
    (selu, selu_grad, {}),
    (swish, swish_grad, {}),
    (swish, swish_grad, {"beta": 0.0}),
    (swish, swish_grad, {"beta": 0.5}),
    (swish, swish_grad, {"beta": 2.0}),
    (swish, swish_grad, {"beta": -1.5}),
    (gelu, gelu_grad, {}),
    (gelu, gelu_grad, {"approximate": True}),
]
CASE_IDS = [f.__name__ + "".join(f"-{k}={v}" for k, v in kw.items()) for f, _, kw in CASES]
KINKED = {"relu", "leaky_relu", "elu", "selu"}


def _numerical_derivative(f, z, h=1e-6):
    """Central difference (f(z + h) - f(z - h)) / 2h of an ELEMENTWISE f, in float64.

    Each output entry depends only on the same input entry, so shifting every entry at
    once gives every partial derivative in one call.
    """
    return (f(z + h) - f(z - h)) / (2 * h)


def _grad_points(name):
    rng = np.random.default_rng(0)
    z = rng.uniform(-5.0, 5.0, size=(8, 6))
    z[0, :3] = [-1.2784645, -0.7517916, 0.0]  # swish's and gelu's minima; 0
    if name in KINKED:
        # The derivative jumps at 0 (ELU's second derivative does, and its first for
        # alpha != 1): a central difference straddling 0 averages the two slopes. Keep
        # every point at least 0.01 from the kink (h = 1e-6 never crosses it then).
        z[np.abs(z) < 0.01] = 0.5
    return z


# ----------------------------------------------------------------------------------------
# Derivatives against finite differences (float64, relative error < 1e-7)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "fgrad", "kw"), CASES, ids=CASE_IDS)
def test_grad_matches_finite_differences(f, fgrad, kw):
    z = _grad_points(f.__name__)
    numeric = _numerical_derivative(lambda x: f(x, **kw), z)
    assert rel_error_global(fgrad(z, **kw), numeric) < 1e-7


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_registry_grad_matches_finite_differences(name):
    a = get_activation(name)
    z = _grad_points(name)
    assert rel_error_global(a.grad(z), _numerical_derivative(a.forward, z)) < 1e-7


def test_gelu_grad_far_in_both_tails():
    # The exact form's derivative uses erfc directly, so it keeps relative accuracy
    # where Phi(z) is tiny: z = -8 gives Phi = 6.2e-16, f' = Phi + z phi = -4.0e-14.
    z = np.array([-8.0, -6.0, 6.0, 8.0])
    numeric = _numerical_derivative(gelu, z, h=1e-4)
    assert np.allclose(gelu_grad(z), numeric, rtol=1e-6, atol=1e-20)


def test_softmax_jacobian_matches_finite_differences():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 5)) * 3
    h = 1e-6
    numeric = np.empty((4, 5, 5))
    for j in range(5):
        e = np.zeros(5)
        e[j] = h
        numeric[:, :, j] = (softmax(z + e) - softmax(z - e)) / (2 * h)
    assert rel_error_global(softmax_grad(z), numeric) < 1e-7


def test_softmax_vjp_matches_finite_differences_and_jacobian():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(3, 4))
    dA = rng.normal(size=(3, 4))
    dz = softmax_vjp(dA, softmax(z))
    numeric = central_difference(lambda x: float(np.sum(dA * softmax(x))), z)
    assert rel_error_global(dz, numeric) < 1e-7
    # the same product written with the Jacobian: dZ[n, j] = sum_i dA[n, i] J[n, i, j]
    assert np.allclose(dz, np.einsum("ni,nij->nj", dA, softmax_grad(z)), rtol=1e-12, atol=1e-15)
    assert np.allclose(dz.sum(axis=1), 0.0, atol=1e-15)  # softmax ignores a shift of z


# ----------------------------------------------------------------------------------------
# erf (numpy has none; the exact GELU needs one)
# ----------------------------------------------------------------------------------------


def test_erf_matches_math_erf_on_a_grid():
    x = np.concatenate([np.linspace(-7, 7, 20000), np.geomspace(1e-300, 0.5, 200)])
    ref = np.array([math.erf(v) for v in x])
    rel = np.abs(erf(x) - ref) / np.abs(ref)
    assert rel.max() < 2e-15  # a few units in the last place
    assert erf(np.array([0.0]))[0] == 0.0


def test_erfc_matches_math_erfc_including_the_tail():
    x = np.linspace(-6, 26, 16001)
    ref = np.array([math.erfc(v) for v in x])
    rel = np.abs(erfc(x) - ref) / ref
    assert rel.max() < 2e-15  # relative, even at erfc(26) = 5.7e-296


def test_erf_special_values_and_shape():
    x = np.array([[0.0, np.inf], [-np.inf, np.nan]])
    out = erf(x)
    assert out.shape == (2, 2)
    assert out[0, 0] == 0 and out[0, 1] == 1 and out[1, 0] == -1 and np.isnan(out[1, 1])
    assert np.array_equal(erfc(np.array([-np.inf, np.inf, 40.0])), [2.0, 0.0, 0.0])


def test_normal_cdf_matches_math_erfc_and_keeps_the_left_tail():
    # Phi(z) = erfc(-z/sqrt2)/2, relative accuracy even where Phi is tiny (Phi(-30) ~ 5e-198).
    # Rounding z/sqrt2 alone moves erfc by a relative 2 x^2 eps (1e-13 at z = -30), so the
    # bound grows with z^2; 1 - erf would lose everything below Phi ~ 1e-16.
    z = np.linspace(-30, 8, 3801)
    ref = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in z])
    rel = np.abs(normal_cdf(z) - ref) / ref
    assert np.all(rel < 4e-15 * np.maximum(z * z, 1.0))
    out = normal_cdf(np.float32(1.0))
    assert out.dtype == np.float64 and out.shape == ()
    assert normal_cdf(0.0) == 0.5


def test_gelu_exact_matches_math_erfc_formula():
    # z Phi(z) = z/2 (1 + erf(z/sqrt2)) = z/2 erfc(-z/sqrt2); the erfc form avoids the
    # cancellation in 1 + erf for z << 0 (at z = -6, 1 + erf = 2e-9 keeps only 7 digits)
    z = np.linspace(-6, 6, 241)
    ref = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in z])
    assert np.allclose(gelu(z), ref, rtol=1e-14, atol=1e-300)
    near = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    assert np.allclose(gelu(z), near, rtol=1e-6, atol=1e-15)


# ----------------------------------------------------------------------------------------
# Hand-worked values and published facts (FACTS.md)
# ----------------------------------------------------------------------------------------


def test_sigmoid_neuron_on_or_data_by_hand():
    # w1 = 1, w2 = -1, b = -0.5 on the OR inputs:
    # h = 0 - 0 - 0.5 = -0.5; 0 - 1 - 0.5 = -1.5; 1 - 0 - 0.5 = 0.5; 1 - 1 - 0.5 = -0.5
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    h = X @ np.array([1.0, -1.0]) - 0.5
    assert np.allclose(h, [-0.5, -1.5, 0.5, -0.5])
    p = sigmoid(h)
    # sigmoid(-0.5) = 1/(1 + e^0.5) = 1/2.6487 = 0.378; sigmoid(-1.5) = 1/(1 + 4.4817) = 0.182;
    # sigmoid(0.5) = 1 - 0.378 = 0.622 (not 0.38, as a commonly copied table prints)
    assert np.allclose(np.round(p, 3), [0.378, 0.182, 0.622, 0.378])
    assert np.array_equal(np.round(p), [0, 0, 1, 0])  # OR wants 0, 1, 1, 1: two wrong
    # squared error on (1, 0) -> 1: dl/dw1 = 2 (p - y) p (1 - p) x1
    #   = 2 * (0.6225 - 1) * 0.6225 * 0.3775 * 1 = -0.1774
    dl_dw1 = 2 * (p[2] - 1) * sigmoid_grad(h[2]) * X[2, 0]
    assert dl_dw1 == pytest.approx(-0.1774, abs=1e-4)
    numeric = central_difference(lambda w: (sigmoid(X[2] @ w - 0.5) - 1) ** 2, [1.0, -1.0])
    assert dl_dw1 == pytest.approx(numeric[0], rel=1e-7)


def test_sigmoid_values_and_grad_by_hand():
    # sigma(0) = 1/2, sigma'(0) = 1/2 * 1/2 = 1/4, the largest the derivative gets
    assert sigmoid(0.0) == 0.5
    assert sigmoid_grad(0.0) == 0.25
    z = np.linspace(-10, 10, 2001)
    assert sigmoid_grad(z).max() == 0.25
    # sigma(-z) = 1 - sigma(z); against the naive formula where it cannot overflow
    assert np.allclose(sigmoid(-z), 1 - sigmoid(z), rtol=0, atol=1e-15)
    assert np.allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)


def test_sigmoid_grad_keeps_relative_accuracy_in_the_tails():
    # sigma'(z) = e^-|z| / (1 + e^-|z|)^2 ~ e^-|z| for large |z|; 1 - sigma(z) computed
    # by subtraction would lose every digit at z = 40 and give 0.
    z = np.array([-40.0, 40.0])
    assert np.allclose(sigmoid_grad(z), np.exp(-40.0) / (1 + np.exp(-40.0)) ** 2, rtol=1e-14)


def test_tanh_is_a_rescaled_sigmoid():
    z = np.linspace(-5, 5, 101)
    assert np.allclose(tanh(z), 2 * sigmoid(2 * z) - 1, atol=1e-15)
    assert np.allclose(tanh_grad(z), 4 * sigmoid_grad(2 * z), atol=1e-15)
    assert tanh_grad(0.0) == 1.0


def test_relu_family_values_and_choice_at_zero():
    z = np.array([-2.0, 0.0, 3.0])
    assert np.array_equal(relu(z), [0.0, 0.0, 3.0])
    # documented choice: the derivative at the kink is the left one (0 for ReLU)
    assert np.array_equal(relu_grad(z), [0.0, 0.0, 1.0])
    # leaky: -2 * 0.01 = -0.02; default alpha 0.01
    assert np.allclose(leaky_relu(z), [-0.02, 0.0, 3.0])
    assert np.allclose(leaky_relu_grad(z), [0.01, 0.01, 1.0])


def test_non_default_alpha_takes_effect():
    z = np.array([-2.0, 3.0])
    assert np.allclose(leaky_relu(z, alpha=0.2), [-0.4, 3.0])  # -2 * 0.2
    assert np.allclose(leaky_relu_grad(z, alpha=0.2), [0.2, 1.0])
    assert np.array_equal(leaky_relu(z, alpha=0.0), relu(z))
    # elu(-2) = alpha (e^-2 - 1) = alpha * -0.864665; elu'(-2) = alpha e^-2 = alpha * 0.135335
    assert np.allclose(elu(z), [-0.864665, 3.0], atol=1e-6)
    assert np.allclose(elu(z, alpha=2.0), [-1.729329, 3.0], atol=1e-6)
    assert np.allclose(elu_grad(z, alpha=2.0), [0.270671, 1.0], atol=1e-6)
    assert elu(-1000.0, alpha=2.0) == -2.0  # saturates at -alpha


def test_elu_grad_equals_elu_plus_alpha_for_negative_z():
    z = np.linspace(-5, -0.01, 50)
    assert np.allclose(elu_grad(z, alpha=1.5), elu(z, alpha=1.5) + 1.5, rtol=1e-14)


def test_softplus_identities():
    z = np.linspace(-30, 30, 121)
    assert np.allclose(softplus(z) - softplus(-z), z, atol=1e-12)  # log(1+e^z)/(1+e^-z) = z
    assert np.array_equal(softplus_grad(z), sigmoid(z))
    assert softplus(0.0) == pytest.approx(math.log(2))
    # tiny values stay accurate: log(1 + e^-50) = e^-50 to within 1e-21 relative
    assert softplus(-50.0) == pytest.approx(math.exp(-50.0), rel=1e-15)


def test_swish_minimum_for_beta_one():
    # Ramachandran et al. 2017: minimum -0.27846 at x = -1.27846 (non-monotonic)
    z = np.linspace(-3, 0, 300001)  # step 1e-5
    f = swish(z)
    i = int(np.argmin(f))
    assert z[i] == pytest.approx(-1.27846, abs=2e-5)
    assert f[i] == pytest.approx(-0.27846, abs=1e-5)
    # the derivative changes sign there: decreasing before, increasing after
    assert swish_grad(-1.285) < 0 < swish_grad(-1.275)


def test_swish_beta_zero_is_half_identity_and_large_beta_approaches_relu():
    z = np.linspace(-4, 4, 81)
    assert np.array_equal(swish(z, beta=0.0), z / 2)  # sigma(0) = 1/2 exactly
    assert np.array_equal(swish_grad(z, beta=0.0), np.full_like(z, 0.5))
    assert np.max(np.abs(swish(z, beta=50.0) - relu(z))) < 0.006  # max at |z| ~ 0.03
    assert np.max(np.abs(swish(z, beta=1.0) - relu(z))) > 0.2  # beta matters


def test_swish_grad_equals_the_papers_form():
    # f'(x) = b f(x) + sigma(b x) (1 - b f(x))
    z = np.linspace(-8, 8, 161)
    for beta in (0.5, 1.0, 3.0):
        f = swish(z, beta=beta)
        papers = beta * f + sigmoid(beta * z) * (1 - beta * f)
        assert np.allclose(swish_grad(z, beta=beta), papers, rtol=1e-12, atol=1e-15)


def test_gelu_values_and_approximate_takes_effect():
    # gelu(1) = 1 * Phi(1) = 0.841345; gelu(-1) = -Phi(-1) = -0.158655; gelu(0) = 0
    assert np.allclose(gelu([-1.0, 0.0, 1.0]), [-0.158655, 0.0, 0.841345], atol=1e-6)
    z = np.linspace(-6, 6, 1201)
    diff = np.abs(gelu(z, approximate=True) - gelu(z))
    assert 1e-4 < diff.max() < 5e-4  # the tanh form is close but not equal (max at |z| ~ 2.7)
    gdiff = np.abs(gelu_grad(z, approximate=True) - gelu_grad(z))
    assert 1e-4 < gdiff.max() < 1e-3


# ----------------------------------------------------------------------------------------
# softmax
# ----------------------------------------------------------------------------------------


def test_softmax_by_hand():
    # e^1, e^2, e^3 = 2.718, 7.389, 20.086; sum 30.193 -> 0.0900, 0.2447, 0.6652
    p = softmax([[1.0, 2.0, 3.0]])
    assert np.allclose(p, [[0.09003057, 0.24472847, 0.66524096]])
    # 1-D input: the last axis is the only one
    assert np.allclose(softmax([1.0, 2.0, 3.0]), p[0])
    # 3-D input: rows along the last axis
    z = np.arange(24.0).reshape(2, 3, 4)
    assert np.allclose(softmax(z).sum(axis=-1), 1.0)


def test_softmax_jacobian_by_hand():
    # p = (1/2, 1/2): J = diag(p) - p p^T = [[1/2 - 1/4, -1/4], [-1/4, 1/2 - 1/4]]
    assert np.array_equal(softmax_grad([0.0, 0.0]), [[0.25, -0.25], [-0.25, 0.25]])
    J = softmax_grad(np.random.default_rng(3).normal(size=(2, 3, 4)))
    assert J.shape == (2, 3, 4, 4)
    assert np.allclose(J, np.swapaxes(J, -1, -2))  # symmetric


# ----------------------------------------------------------------------------------------
# Properties (hypothesis)
# ----------------------------------------------------------------------------------------

big_floats = st.floats(-1000.0, 1000.0, allow_nan=False, allow_infinity=False)
arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
    elements=st.one_of(big_floats, st.sampled_from([-1000.0, 1000.0, 0.0])),
)
rows = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.one_of(big_floats, st.sampled_from([-1000.0, 1000.0])),
)


@settings(max_examples=40, deadline=None)
@given(z=arrays)
def test_elementwise_shapes_finite_and_no_warnings(z):
    for f, fgrad, kw in CASES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # overflow / invalid value would raise
            out, g = f(z, **kw), fgrad(z, **kw)
        assert isinstance(out, np.ndarray) and out.shape == z.shape, f.__name__
        assert isinstance(g, np.ndarray) and g.shape == z.shape, fgrad.__name__
        assert np.all(np.isfinite(out)) and np.all(np.isfinite(g)), f.__name__


@settings(max_examples=40, deadline=None)
@given(z=rows)
def test_softmax_properties(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(z)
        J = softmax_grad(z)
    assert p.shape == z.shape and J.shape == (*z.shape, z.shape[-1])
    assert np.all((p >= 0) & (p <= 1))
    assert np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    assert np.all(np.isfinite(J))


@settings(max_examples=40, deadline=None)
@given(z=rows, c=st.floats(-500.0, 500.0))
def test_softmax_is_unchanged_by_adding_a_constant(z, c):
    assert np.allclose(softmax(z + c), softmax(z), rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(z=arrays)
def test_sigmoid_in_unit_interval_and_monotone(z):
    s = sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))
    order = np.argsort(z.ravel(), kind="stable")
    assert np.all(np.diff(s.ravel()[order]) >= 0)


# ----------------------------------------------------------------------------------------
# dtype, copies
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "fgrad", "kw"), CASES, ids=CASE_IDS)
def test_float32_preserved_and_ints_become_float64(f, fgrad, kw):
    z64 = np.linspace(-4, 4, 17)
    z32 = z64.astype(np.float32)
    assert f(z32, **kw).dtype == np.float32
    assert fgrad(z32, **kw).dtype == np.float32
    assert np.allclose(f(z32, **kw), f(z64, **kw), rtol=1e-5, atol=1e-6)
    assert np.allclose(fgrad(z32, **kw), fgrad(z64, **kw), rtol=1e-5, atol=1e-6)
    zi = np.array([-2, 0, 3])
    assert f(zi, **kw).dtype == np.float64 and fgrad(zi, **kw).dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(f(np.float32([-1000, 1000]), **kw)))
        assert np.all(np.isfinite(fgrad(np.float32([-1000, 1000]), **kw)))


def test_softmax_float32_preserved():
    z = np.float32([[1, 2, 3], [1000, -1000, 0]])
    assert softmax(z).dtype == np.float32
    assert softmax_grad(z).dtype == np.float32
    assert softmax_vjp(z, softmax(z)).dtype == np.float32
    assert softmax([[1, 2]]).dtype == np.float64


@pytest.mark.parametrize(("f", "fgrad", "kw"), CASES, ids=CASE_IDS)
def test_input_is_not_modified(f, fgrad, kw):
    z = np.linspace(-3, 3, 13)
    before = z.copy()
    f(z, **kw)
    fgrad(z, **kw)
    assert np.array_equal(z, before)
    out = f(z, **kw)
    assert not np.shares_memory(out, z)  # even identity returns a copy


def test_softmax_functions_do_not_modify_input():
    z = np.array([[1.0, 2.0, 0.5]])
    dA = np.array([[0.3, -1.0, 2.0]])
    zc, dAc = z.copy(), dA.copy()
    a = softmax(z)
    ac = a.copy()
    softmax_grad(z)
    softmax_vjp(dA, a)
    assert np.array_equal(z, zc) and np.array_equal(dA, dAc) and np.array_equal(a, ac)


# ----------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------


def test_registry_names():
    assert set(ACTIVATIONS) == {
        "identity",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "softplus",
        "elu",
        "selu",
        "swish",
        "gelu",
        "softmax",
    }


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_get_activation_defaults(name):
    a = get_activation(name)
    assert isinstance(a, ActivationFunction) and a.name == name
    z = np.array([[-1.5, 0.2, 2.0]])
    assert np.array_equal(a.forward(z), getattr(act, name)(z))
    assert np.array_equal(a(z), a.forward(z))
    if name == "softmax":
        assert a.grad is None and not a.elementwise
    else:
        assert a.elementwise
        assert np.array_equal(a.grad(z), getattr(act, name + "_grad")(z))
    assert get_activation(a) is a


def test_registry_record_is_not_named_like_the_layer():
    # nnlib.layers.Activation is the layer; the registry's record has its own name.
    import nnlib.layers

    assert not hasattr(act, "Activation")
    assert nnlib.layers.Activation is not ActivationFunction
    record = nnlib.layers.Activation("relu").activation
    assert isinstance(record, ActivationFunction) and record.name == "relu"


def test_get_activation_binds_parameters():
    assert get_activation("leaky_relu").params == {"alpha": 0.01}
    assert get_activation("swish").params == {"beta": 1.0}
    assert get_activation("gelu").params == {"approximate": False}
    assert get_activation("relu").params == {}
    z = np.array([-2.0, 1.0])
    leaky = get_activation("leaky_relu", alpha=0.3)
    assert np.allclose(leaky.forward(z), [-0.6, 1.0]) and np.allclose(leaky.grad(z), [0.3, 1.0])
    el = get_activation("elu", alpha=2.0)
    assert np.array_equal(el.forward(z), elu(z, alpha=2.0))
    sw = get_activation("swish", beta=0.0)
    assert np.array_equal(sw.forward(z), z / 2) and np.array_equal(sw.grad(z), [0.5, 0.5])
    ge = get_activation("gelu", approximate=True)
    assert np.array_equal(ge.forward(z), gelu(z, approximate=True))
    assert not np.array_equal(ge.forward(z), gelu(z))
    assert repr(sw) == "ActivationFunction('swish', beta=0.0)"
    assert repr(get_activation("relu")) == "ActivationFunction('relu')"


def test_backward_elementwise_and_softmax():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(3, 4))
    dA = rng.normal(size=(3, 4))
    t = get_activation("tanh")
    dz = t.backward(dA, z, t.forward(z))
    assert np.allclose(dz, dA * (1 - np.tanh(z) ** 2))
    sm = get_activation("softmax")
    expected = softmax_vjp(dA, softmax(z))
    assert np.allclose(sm.backward(dA, z, softmax(z)), expected)
    assert np.allclose(sm.backward(dA, z, None), expected)  # recomputes a from z
    # float32 stays float32 through backward
    z32, dA32 = z.astype(np.float32), dA.astype(np.float32)
    assert get_activation("relu").backward(dA32, z32, None).dtype == np.float32


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'rleu'; valid names are:") as e:
        get_activation("rleu")
    for name in ACTIVATIONS:
        assert repr(name) in str(e.value)
    with pytest.raises(TypeError, match="activation must be a name"):
        get_activation(np.tanh)


def test_unknown_parameter_names_it_and_the_valid_ones():
    with pytest.raises(TypeError, match="unknown parameter 'alpha'; valid parameters are: 'beta'"):
        get_activation("swish", alpha=1.0)
    with pytest.raises(TypeError, match="'relu' got an unknown parameter 'alpha'; it takes no"):
        get_activation("relu", alpha=0.1)
    with pytest.raises(TypeError, match="pass either a name with parameters or a ready"):
        get_activation(get_activation("swish"), beta=2.0)


def test_bad_parameter_values():
    with pytest.raises(ValueError, match=r"alpha must be in \[0, inf\), got -0.1"):
        leaky_relu([1.0], alpha=-0.1)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, inf\)"):
        get_activation("elu", alpha=-1.0)
    with pytest.raises(TypeError, match="alpha must be a real number, got str"):
        elu_grad([1.0], alpha="1")
    with pytest.raises(ValueError, match="beta must be finite, got inf"):
        swish([1.0], beta=np.inf)
    with pytest.raises(ValueError, match="beta must be a number, got nan"):
        swish_grad([1.0], beta=float("nan"))
    with pytest.raises(TypeError, match="approximate must be True or False"):
        gelu([1.0], approximate="tanh")
    with pytest.raises(TypeError, match="approximate must be True or False"):
        get_activation("gelu", approximate=1)
    with pytest.raises(TypeError, match=r"False \(True: the tanh approximation\), got str"):
        gelu_grad([1.0], approximate="yes")


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ("abc", TypeError, "z must be an array of numbers, got str 'abc'"),
        (None, TypeError, "z must be an array of numbers"),
        (np.array([1, "a"], dtype=object), TypeError, "z must be an array of numbers"),
        (np.array([1 + 2j]), TypeError, "z must be real"),
    ],
)
@pytest.mark.parametrize(("f", "fgrad", "kw"), CASES, ids=CASE_IDS)
def test_non_numeric_input(f, fgrad, kw, bad, error, match):
    with pytest.raises(error, match=match):
        f(bad, **kw)
    with pytest.raises(error, match=match):
        fgrad(bad, **kw)


def test_softmax_bad_input():
    with pytest.raises(ValueError, match="z must have at least 1 dimension"):
        softmax(3.0)
    with pytest.raises(TypeError, match="z must be an array of numbers"):
        softmax("abc")
    with pytest.raises(ValueError, match=r"dA has shape \(2, 3\) but A has shape \(2, 4\)"):
        softmax_vjp(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"dA has shape \(3, 1\) but z has shape \(3,\)"):
        get_activation("relu").backward(np.zeros((3, 1)), np.zeros(3), None)


# ----------------------------------------------------------------------------------------
# NaN and infinity (see the module docstring)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "fgrad", "kw"), CASES, ids=CASE_IDS)
def test_nan_propagates_quietly_through_elementwise_functions(f, fgrad, kw):
    # IEEE propagation: no error and no RuntimeWarning, NaN only where the input was NaN.
    z = np.array([np.nan, -1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, g = f(z, **kw), fgrad(z, **kw)
    assert np.isnan(out[0])
    assert np.all(np.isfinite(out[1:])) and np.all(np.isfinite(g[1:]))


def test_piecewise_derivatives_take_their_branch_at_nan():
    # nan > 0 is False: the documented behaviour, not NaN
    z = np.array([np.nan])
    assert relu_grad(z)[0] == 0.0
    assert leaky_relu_grad(z, alpha=0.3)[0] == 0.3
    assert identity_grad(z)[0] == 1.0
    assert np.isnan(sigmoid_grad(z)[0]) and np.isnan(tanh_grad(z)[0])


def test_infinities_give_the_limits_where_the_formula_allows():
    z = np.array([-np.inf, np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(sigmoid(z), [0.0, 1.0])
        np.testing.assert_array_equal(tanh(z), [-1.0, 1.0])
        np.testing.assert_array_equal(relu(z), [0.0, np.inf])
        np.testing.assert_array_equal(softplus(z), [0.0, np.inf])
        np.testing.assert_array_equal(elu(z), [-1.0, np.inf])


@pytest.mark.parametrize(
    ("z", "where"),
    [
        ([[0.0, 1.0], [np.inf, 1.0]], " in row 1"),
        ([[0.0, -np.inf], [0.0, 1.0]], " in row 0"),  # exp(-inf) = 0 would work, but is refused
        ([1.0, -np.inf], ""),
        (np.array([[[0.0, 0.0], [np.inf, -np.inf]]]), r" in row \(0, 1\)"),
    ],
)
def test_softmax_refuses_infinite_logits_without_a_warning(z, where):
    match = rf"z contains inf or -inf{where}: softmax needs finite logits.*diverged"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # inf - inf must not get as far as numpy
        with pytest.raises(ValueError, match=match):
            softmax(z)
        with pytest.raises(ValueError, match=match):
            softmax_grad(z)
        with pytest.raises(ValueError, match=match):
            get_activation("softmax").backward(np.ones_like(z), z, None)


def test_softmax_nan_stays_in_its_row():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax([[np.nan, 1.0], [0.0, 0.0]])
    assert np.all(np.isnan(p[0]))
    np.testing.assert_array_equal(p[1], [0.5, 0.5])


def test_softmax_needs_a_non_empty_last_axis():
    for z in (np.zeros(0), np.zeros((3, 0))):
        with pytest.raises(ValueError, match=r"softmax needs at least one entry along the last"):
            softmax(z)
        with pytest.raises(ValueError, match=r"z has shape"):
            softmax_grad(z)
    assert softmax(np.zeros((0, 3))).shape == (0, 3)  # no rows is fine: nothing to do


# ----------------------------------------------------------------------------------------
# SELU: the constants and the self-normalizing fixed point
# ----------------------------------------------------------------------------------------


def test_selu_constants_and_hand_values():
    # Klambauer et al. 2017, eq. 14: lambda_01 = 1.0507009873554804934193349852946,
    # alpha_01 = 1.6732632423543772848170429916717.
    assert abs(act.SELU_LAMBDA - 1.0507009873554805) < 1e-15
    assert abs(act.SELU_ALPHA - 1.6732632423543772) < 1e-15
    lam, alpha = act.SELU_LAMBDA, act.SELU_ALPHA
    z = np.array([-1000.0, -1.0, 0.0, 2.0])
    expected = [-lam * alpha, lam * alpha * (math.exp(-1.0) - 1.0), 0.0, 2.0 * lam]
    np.testing.assert_allclose(selu(z), expected, rtol=1e-15)
    # f' = lambda on the right, lambda alpha e^z on the left (and at the kink z = 0)
    np.testing.assert_allclose(
        selu_grad(z), [0.0, lam * alpha * math.exp(-1.0), lam * alpha, lam], rtol=1e-15
    )
    assert selu(np.float32([1.0, -1.0])).dtype == np.float32
    assert selu_grad(np.float32([1.0, -1.0])).dtype == np.float32
    assert np.array_equal(selu(z), get_activation("selu").forward(z))


def test_selu_is_a_scaled_elu():
    z = np.linspace(-6.0, 6.0, 101)
    np.testing.assert_allclose(selu(z), act.SELU_LAMBDA * elu(z, alpha=act.SELU_ALPHA), rtol=1e-14)


def test_selu_moments_of_a_standard_normal_are_zero_and_one():
    # The fixed point itself: E[f(z)] = 0 and Var[f(z)] = 1 for z ~ N(0, 1), by quadrature
    # (a 1e-4 grid on [-12, 12]: the rule's error is far below 1e-8).
    z = np.linspace(-12.0, 12.0, 240_001)
    density = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    dz = z[1] - z[0]
    a = selu(z)
    mean = float(np.sum(a * density) * dz)
    var = float(np.sum(a * a * density) * dz) - mean**2
    assert abs(mean) < 1e-8 and abs(var - 1.0) < 1e-8
    # ELU (alpha = 1, no scale) is not normalizing: mean 0.16, variance 0.65.
    e = elu(z)
    e_mean = float(np.sum(e * density) * dz)
    assert e_mean > 0.15


def test_selu_keeps_mean_zero_and_variance_one_through_a_wide_lecun_layer():
    # X (N, n) unit Gaussian, W (n, n) LeCun normal (variance 1/n), A = selu(X W).
    # Tolerances, 5 standard errors: the mean of the N n entries has standard error
    # 1/sqrt(N n) = 0.001 (measured over 30 seeds: 0.0011); the variance has
    # sqrt(2/(N n)) = 0.0014 from sampling plus sqrt(2)/n = 0.0055 from the column norms
    # of W (measured spread 0.004). ELU gives mean 0.16 and variance 0.62 here, and a
    # lambda 10% too large a variance of 1.2: both far outside.
    from nnlib.initializers import lecun_normal

    n_rows, n = 4000, 256
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n_rows, n))
    A = selu(X @ lecun_normal(n, n, rng=rng))
    tol_mean = 5 / math.sqrt(n_rows * n)
    tol_var = 5 * (math.sqrt(2 / (n_rows * n)) + math.sqrt(2) / n)
    assert abs(A.mean()) < tol_mean, A.mean()
    assert abs(A.var() - 1.0) < tol_var, A.var()
    # Ten such layers later it still holds (the fixed point attracts). Each layer adds
    # its own column-norm error sqrt(2)/n to the variance: at most 10 sqrt(2)/n = 0.055
    # undamped (measured over 8 seeds: |var - 1| < 0.025, |mean| < 0.007). ReLU with the
    # same weights would halve the second moment at every layer (2^-10 after ten).
    for _ in range(9):
        A = selu(A @ lecun_normal(n, n, rng=rng))
    assert abs(A.mean()) < 0.02, A.mean()
    assert abs(A.var() - 1.0) < 10 * math.sqrt(2) / n + tol_var, A.var()
