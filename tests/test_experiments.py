"""Tests for nnlib.experiments: init names, deep passes, activation statistics, mean field.

The published numbers (LESSONS.md §4.2, "ours": N = 1000, D = 500, L = 10, no bias) are
checked with seed 0 inside bands derived from their spread over seeds, so that any seed
would pass and a wrong rule (a missing factor 2, variance used as std, the wrong fan)
would not. Spread over seeds 0-19 (rerun for this file), as log-sd of a layer's std:
layer 1 <= 0.002 for every configuration; layer 5: 0.004 for 0.01-tanh, 0.003 for
lecun-tanh, 0.067 for ReLU; layer 10: 0.011 for 0.01-tanh, 0.007 for lecun-tanh, 0.0001 for
1.0-tanh, 0.14 for both ReLU rows (0.12 over 100 seeds in LESSONS.md). A band is +-5 log-sd
or wider (a false failure below 1e-6) unless stated.
"""

import math

import numpy as np
import pytest
from finite_differences import central_difference_4th, rel_error_elementwise

from nnlib import experiments as ex
from nnlib import optimizers

N, D, L = 1000, 500, 10


@pytest.fixture(scope="module")
def runs():
    """cs231n's five configurations at full size, seed 0 (about 0.4 s each)."""
    configs = {
        "small-tanh": ("small", "tanh"),
        "large-tanh": ("large", "tanh"),
        "lecun-tanh": ("lecun", "tanh"),
        "lecun-relu": ("lecun", "relu"),
        "he-relu": ("he", "relu"),
    }
    return {k: ex.activation_statistics(i, a, rng=0) for k, (i, a) in configs.items()}


# --------------------------------------------------------------------------- init names


def test_init_std_follows_each_rule_on_a_non_square_layer():
    fi, fo = 64, 250  # non-square, so fan-in and fan-out swaps and Glorot vs LeCun differ
    assert ex.init_std("small", fi, fo) == 0.01
    assert ex.init_std("large", fi, fo) == 1.0
    assert ex.init_std("lecun", fi, fo) == pytest.approx(1 / 8, rel=1e-15)
    assert ex.init_std("xavier", fi, fo) == pytest.approx(math.sqrt(2 / 314), rel=1e-15)
    assert ex.init_std("he", fi, fo) == pytest.approx(math.sqrt(2 / 64), rel=1e-15)
    assert set(ex.INIT_SCHEMES) == {"small", "large", "lecun", "xavier", "he"}


def test_init_std_equals_nnlib_initializers_where_the_rules_coincide():
    from nnlib import initializers as ini

    for scheme, func in [("xavier", ini.xavier_normal), ("he", ini.he_normal),
                         ("lecun", ini.lecun_normal)]:  # fmt: skip
        W = func(300, 700, rng=1)
        assert abs(W.std() / ex.init_std(scheme, 300, 700) - 1) < 6 * math.sqrt(0.5 / W.size)


@pytest.mark.parametrize(
    "args, err, words",
    [
        (("kaiming", 4, 4), ValueError, "scheme"),
        ((2.0, 4, 4), TypeError, "scheme"),
        (("he", 0, 4), ValueError, "fan_in"),
        (("he", 4, 2.5), TypeError, "fan_out"),
    ],
)
def test_init_std_refuses_bad_input_naming_the_argument(args, err, words):
    with pytest.raises(err, match=words):
        ex.init_std(*args)


# --------------------------------------------------------------------------- weights


@pytest.mark.parametrize("scheme", ["lecun", "xavier", "he"])
@pytest.mark.parametrize("dist", ["normal", "uniform"])
def test_make_weights_shapes_scales_and_distribution(scheme, dist):
    sizes = [64, 250, 40, 250]
    Ws = ex.make_weights(sizes, scheme, rng=0, dist=dist)
    assert [W.shape for W in Ws] == [(64, 250), (250, 40), (40, 250)]
    for W, fi, fo in zip(Ws, sizes[:-1], sizes[1:], strict=True):
        std = ex.init_std(scheme, fi, fo)
        rel_se = math.sqrt((0.2 if dist == "uniform" else 0.5) / W.size)
        assert abs(W.std() / std - 1) < 6 * rel_se
        assert abs(W.mean()) < 6 * std / math.sqrt(W.size)
        kurt = np.mean((W - W.mean()) ** 4) / W.var() ** 2
        if dist == "uniform":
            bound = math.sqrt(3) * std
            assert abs(W).max() <= bound and abs(W).max() > 0.99 * bound
            assert 1.7 < kurt < 1.9
        else:
            assert 2.7 < kurt < 3.3


def test_make_weights_is_deterministic_per_seed_and_never_reuses_a_matrix():
    a = ex.make_weights([50, 50, 50, 50], "he", rng=3)
    b = ex.make_weights([50, 50, 50, 50], "he", rng=3)
    c = ex.make_weights([50, 50, 50, 50], "he", rng=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    for i in range(3):
        for j in range(i + 1, 3):
            r = np.corrcoef(a[i].ravel(), a[j].ravel())[0, 1]
            assert abs(r) < 6 / math.sqrt(a[i].size)


def test_make_weights_draws_in_the_published_order():
    """LESSONS.md appendix: W = rng.standard_normal((D, D)) * scale, layer after layer."""
    rng = np.random.default_rng(7)
    expected = [rng.standard_normal((20, 20)) * 0.01 for _ in range(3)]
    got = ex.make_weights([20] * 4, "small", rng=np.random.default_rng(7))
    assert all(np.array_equal(x, y) for x, y in zip(got, expected, strict=True))


def test_make_weights_takes_a_fixed_std_or_a_rule():
    a = ex.make_weights([30, 30], 0.01, rng=2)
    b = ex.make_weights([30, 30], "small", rng=2)
    c = ex.make_weights([30, 30], lambda fi, fo: 4 / math.sqrt(fi), rng=2)
    assert np.array_equal(a[0], b[0])
    np.testing.assert_allclose(c[0], a[0] * 400 / math.sqrt(30), rtol=1e-14)


@pytest.mark.parametrize(
    "kwargs, err, words",
    [
        ({"sizes": 5}, TypeError, "sizes"),
        ({"sizes": [5]}, ValueError, "sizes"),
        ({"sizes": [5, 0]}, ValueError, r"sizes\[1\]"),
        ({"scheme": -1.0}, ValueError, "std"),
        ({"scheme": None}, TypeError, "init"),
        ({"scheme": lambda i, o: 0.0}, ValueError, "std"),
        ({"dist": "gaussian"}, ValueError, "dist"),
        ({"rng": "seed"}, TypeError, "rng"),
    ],
)
def test_make_weights_refuses_bad_input_naming_the_argument(kwargs, err, words):
    args = {"sizes": [4, 3], "scheme": "he", "rng": 0, "dist": "normal", **kwargs}
    with pytest.raises(err, match=words):
        ex.make_weights(**args)


# --------------------------------------------------------------------------- passes


def test_deep_forward_is_a_plain_loop_without_bias():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 7))
    Ws = [rng.standard_normal(s) for s in [(7, 9), (9, 5), (5, 9)]]
    Z, H = ex.deep_forward(X, Ws, "tanh")
    h = X
    for z, a, W in zip(Z, H, Ws, strict=True):
        np.testing.assert_allclose(z, h @ W, rtol=1e-14)
        np.testing.assert_allclose(a, np.tanh(h @ W), rtol=1e-14)
        h = a
    assert [a.shape for a in H] == [(6, 9), (6, 5), (6, 9)]
    _, Hs = ex.deep_forward(X, Ws, "sigmoid")
    np.testing.assert_allclose(Hs[0], 1 / (1 + np.exp(-X @ Ws[0])), rtol=1e-14)
    _, Hl = ex.deep_forward(X, Ws, "linear")
    np.testing.assert_allclose(Hl[-1], X @ Ws[0] @ Ws[1] @ Ws[2], rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_deep_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 5))
    Ws = [rng.standard_normal(s) for s in [(5, 6), (6, 3), (3, 6)]]
    dout = rng.standard_normal((4, 6))

    def loss():  # the loss whose gradient at H_L is dout
        return float(np.sum(ex.deep_forward(X, Ws, activation)[1][-1] * dout))

    dW, dX = ex.deep_backward(X, Ws, activation, dout=dout)
    for W, g in zip(Ws, dW, strict=True):
        assert g.shape == W.shape
        assert rel_error_elementwise(g, central_difference_4th(loss, W)) < 1e-6
    assert rel_error_elementwise(dX[0], central_difference_4th(loss, X)) < 1e-6
    assert [g.shape for g in dX] == [(4, 5), (4, 6), (4, 3)]


def test_deep_backward_default_upstream_is_unit_gaussian_from_rng_and_reuses_forward():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((8, 4))
    Ws = ex.make_weights([4, 4, 4], "he", rng=3)
    dout = np.random.default_rng(5).standard_normal((8, 4))
    a = ex.deep_backward(X, Ws, "relu", rng=5)
    b = ex.deep_backward(X, Ws, "relu", dout=dout, forward=ex.deep_forward(X, Ws, "relu"))
    for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    "X, Ws, kwargs, err, words",
    [
        (np.ones((2, 3)), [np.ones((4, 2))], {}, ValueError, "X has shape"),
        (np.ones((2, 3)), [np.ones((3, 2)), np.ones((3, 2))], {}, ValueError, r"weights\[1\]"),
        (np.ones((2, 3)), np.ones((3, 2)), {}, TypeError, "weights"),
        (np.ones((2, 3)), [np.ones((3, 2))], {"dout": np.ones((2, 3))}, ValueError, "dout"),
        (np.ones((2, 3)), [np.ones((3, 2))], {"activation": "softmax"}, ValueError, "activation"),
        (np.ones((2, 3)), [np.ones((3, 2))], {"activation": 3}, TypeError, "activation"),
    ],
)
def test_deep_passes_refuse_bad_input_naming_the_argument(X, Ws, kwargs, err, words):
    act = kwargs.pop("activation", "tanh")
    with pytest.raises(err, match=words):
        ex.deep_backward(X, Ws, act, rng=0, **kwargs)


# --------------------------------------------------------------------------- statistics


def test_activation_statistics_is_the_published_recipe():
    """LESSONS.md appendix: X, then the weights, then dA, all from one rng, in that order."""
    n, d, layers = 40, 30, 4
    rng = np.random.default_rng(11)
    h = X = rng.standard_normal((n, d))
    Ws = [rng.standard_normal((d, d)) / math.sqrt(d) for _ in range(layers)]
    stds, Zs, Hs = [], [], []
    for W in Ws:
        Zs.append(h @ W)
        h = np.tanh(Zs[-1])
        Hs.append(h)
        stds.append(h.std())
    dA = rng.standard_normal((n, d))
    dWs, dXs = [], []
    for i in reversed(range(layers)):
        dZ = dA * (1 - np.tanh(Zs[i]) ** 2)
        dWs.append((X if i == 0 else Hs[i - 1]).T @ dZ)
        dA = dZ @ Ws[i].T
        dXs.append(dA)
    s = ex.activation_statistics("lecun", "tanh", n_layers=layers, width=d, n=n, rng=11)
    np.testing.assert_allclose(s.std, stds, rtol=1e-12)
    np.testing.assert_allclose(s.mean, [a.mean() for a in Hs], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(s.dW_std, [g.std() for g in dWs[::-1]], rtol=1e-12)
    np.testing.assert_allclose(s.dX_std, [g.std() for g in dXs[::-1]], rtol=1e-12)
    np.testing.assert_allclose(s.saturated, [np.mean(abs(a) > 0.99) for a in Hs])
    assert s.std.shape == s.dead.shape == (layers,)


def test_saturated_and_dead_fractions_are_defined_per_activation():
    s = ex.activation_statistics(3.0, "sigmoid", n_layers=2, width=50, n=60, rng=0, keep=True)
    h = s.activations[1]
    assert s.saturated[1] == np.mean((h < 0.01) | (h > 0.99)) > 0.3
    r = ex.activation_statistics("he", "relu", n_layers=2, width=50, n=60, rng=0, keep=True)
    assert r.dead[0] == np.mean(r.activations[0] == 0) and 0.4 < r.dead[0] < 0.6
    assert np.all(r.saturated == 0)
    assert ex.activation_statistics("he", "relu", 2, 50, 60, rng=0).activations is None
    assert ex.activation_statistics("he", "relu", 2, 50, 60, rng=0, backward=False).dW_std is None
    assert "layer" in r.table() and r.table().splitlines()[1].split()[0] == "1"


def test_small_init_collapses_by_its_gain_each_layer(runs):
    """0.01-tanh, published 0.2135, 0.0476, 0.0106, 0.00238, 5.3e-4 ... 2.979e-7 (30 seeds)."""
    s = runs["small-tanh"].std
    np.testing.assert_allclose(s[:5], [0.2135, 0.0476, 0.0106, 0.00238, 5.3e-4], rtol=0.02)
    assert abs(math.log(s[9] / 2.979e-7)) < 5 * 0.011
    ratio = s[1:] / s[:-1]  # tanh is linear near 0: the std shrinks by 0.01 sqrt(500)
    np.testing.assert_allclose(ratio[2:], 0.01 * math.sqrt(D), rtol=0.02)


def test_large_init_saturates_every_layer(runs):
    """1.0-tanh: 0.9816 [0.9814, 0.9819] over 20 seeds, 90.4% of units with abs(h) > 0.99."""
    s = runs["large-tanh"]
    np.testing.assert_allclose(s.std, 0.982, atol=0.001)
    np.testing.assert_allclose(s.saturated, 0.904, atol=0.005)


def test_lecun_tanh_decays_slowly(runs):
    """lecun-tanh, 30-seed means 0.6277 0.487 0.408 0.358 0.321 ... 0.2281."""
    s = runs["lecun-tanh"].std
    np.testing.assert_allclose(s[:5], [0.6277, 0.487, 0.408, 0.358, 0.321], rtol=0.02)
    assert abs(math.log(s[9] / 0.2281)) < 5 * 0.007


def test_relu_halves_with_lecun_and_holds_with_he(runs):
    """lecun-relu 0.5839 ... 0.02574 and He-relu 0.8258 ... 0.8238 (100 seeds)."""
    lecun, he = runs["lecun-relu"], runs["he-relu"]
    assert abs(lecun.std[0] / 0.5839 - 1) < 0.02 and abs(he.std[0] / 0.8258 - 1) < 0.02
    assert abs(math.log(lecun.std[9] / 0.02574)) < 5 * 0.14
    assert abs(math.log(he.std[9] / 0.8238)) < 5 * 0.14
    # half the units are off; beyond layer 1 the inputs have mean > 0, so each unit gets its
    # own offset (mean of h times the sum of its weights) and the fraction wanders
    assert abs(he.dead[0] - 0.5) < 0.01
    np.testing.assert_allclose(he.dead, 0.5, atol=0.05)
    np.testing.assert_allclose(he.dX_std, 1.0, atol=0.1)  # stable backward: 1.0 -> 1.0


def test_backward_pass_published_shapes(runs):
    """dW std layer 1 -> 10 (3 seeds): 0.01-tanh 4.2e-5 flat; 1.0-tanh 3.7e5 -> 4.8."""
    small, large = runs["small-tanh"], runs["large-tanh"]
    np.testing.assert_allclose(small.dW_std, 4.2e-5, rtol=0.05)
    np.testing.assert_allclose(small.dX_std[[0, 9]], [3.0e-7, 0.2236], rtol=0.05)
    assert 3e5 < large.dW_std[0] < 4.5e5 and 4 < large.dW_std[9] < 6
    grow = large.dW_std[:-1] / large.dW_std[1:]  # ~ sqrt(500 E[tanh'^2]) = 3.5 per layer
    np.testing.assert_allclose(grow, 3.5, rtol=0.05)


# --------------------------------------------------------------------------- mean field


def test_mean_field_closed_forms_relu_and_linear():
    g, layers = 1.7, 6
    relu = ex.mean_field("relu", g, layers, q0=1.3)
    q = 1.3 * g * (g / 2) ** np.arange(layers)  # E[relu(sqrt(q) z)^2] = q / 2 exactly
    np.testing.assert_allclose(relu.q, q, rtol=1e-9)
    np.testing.assert_allclose(relu.std, np.sqrt(q / 2 - q / (2 * np.pi)), rtol=1e-6)
    np.testing.assert_allclose(relu.mean, np.sqrt(q / (2 * np.pi)), rtol=1e-6)
    lin = ex.mean_field("linear", g, layers)
    np.testing.assert_allclose(lin.std, g ** (np.arange(1, layers + 1) / 2), rtol=1e-9)
    np.testing.assert_allclose(lin.mean, 0.0, atol=1e-12)


def test_mean_field_resolves_tanh_at_large_variance_where_gauss_hermite_fails():
    z, w = np.polynomial.hermite_e.hermegauss(201)
    q = 500.0
    gh = math.sqrt(np.sum(w * np.tanh(math.sqrt(q) * z) ** 2) / math.sqrt(2 * math.pi))
    fine = ex.mean_field("tanh", q, 1).std[0]
    # the exact value: 1 - E[tanh^2] = E[sech^2(sqrt(q) z)] ~ phi(0) * 2 / sqrt(q)
    exact = math.sqrt(1 - 2 / math.sqrt(2 * math.pi * q))
    assert abs(fine - exact) < 2e-3 < abs(gh - exact)
    assert round(fine, 3) == 0.982


def test_mean_field_sigmoid_mean_is_one_half():
    mf = ex.mean_field("sigmoid", 1.0, 3)
    np.testing.assert_allclose(mf.mean, 0.5, rtol=1e-9)


@pytest.mark.parametrize("key, scheme, act", [("lecun-tanh", "lecun", "tanh"),
                                              ("he-relu", "he", "relu"),
                                              ("lecun-relu", "lecun", "relu")])  # fmt: skip
def test_mean_field_predicts_the_measurement(runs, key, scheme, act):
    """Layer 1 agrees to 2% (seed log-sd <= 0.002, so 2% is 10 sigma); deeper layers within
    the seed spread: 2% for tanh (log-sd <= 0.007), 5 log-sd 0.14 for ReLU at layer 10."""
    mf = ex.mean_field(act, D * ex.init_std(scheme, D, D) ** 2, L)
    measured = runs[key].std
    assert abs(measured[0] / mf.std[0] - 1) < 0.02
    if act == "tanh":
        np.testing.assert_allclose(measured, mf.std, rtol=0.02)
    else:
        spread = 5 * 0.14 * np.sqrt(np.arange(1, L + 1) / L)  # layer 5: 0.49, > 5 * 0.067
        assert np.all(np.abs(np.log(measured / mf.std)) < np.maximum(spread, 0.02))


@pytest.mark.parametrize(
    "args, err, words",
    [
        (("tanh", 0.0, 3), ValueError, "gain"),
        (("tanh", "1", 3), TypeError, "gain"),
        (("tanh", 1.0, 0), ValueError, "n_layers"),
        (("softmax", 1.0, 3), ValueError, "activation"),
    ],
)
def test_mean_field_refuses_bad_input(args, err, words):
    with pytest.raises(err, match=words):
        ex.mean_field(*args)


# --------------------------------------------------------------------------- optimizer races
# Figures from LESSONS.md §5.1-5.2 and FACTS F3/F5/F7, each recomputed here.


def test_run_optimizer_is_the_rule_applied_to_the_surface_gradient():
    s = ex.SURFACES["s1_quadratic"]
    path = ex.run_optimizer("momentum", s, 3, lr=0.05, mu=0.9)
    w, state, expected = np.array([3.0, 3.0]), {}, [np.array([3.0, 3.0])]
    for _ in range(3):
        w = w - 0.05 * (state.setdefault("v", 0.0) * 0.9 + s.grad(w))
        state["v"] = state["v"] * 0.9 + s.grad(expected[-1])
        expected.append(w)
    assert path.shape == (4, 2)
    np.testing.assert_allclose(path, np.array(expected), rtol=1e-15)
    # a start of our own, and any callable rule
    own = ex.run_optimizer(lambda w, dw, state, lr: w - lr * dw, s, 1, x0=[1.0, 0.0], lr=0.5)
    np.testing.assert_allclose(own, [[1.0, 0.0], [0.0, -0.5]])  # grad (2, 1)


def test_s1_quadratic_gd_figures():
    # F5: best lr 2/(l_min + l_max) = 0.2 reaches f < 1e-6 in 20 steps, 0.24 in 212, 0.25 diverges
    tuned = ex.tune_lr("sgd", "s1_quadratic", [0.2, 0.24, 0.25], steps=1000)
    assert tuned.by_lr == {0.2: 20, 0.24: 212, 0.25: None}
    assert (tuned.lr, tuned.steps) == (0.2, 20)
    f = ex.SURFACES["s1_quadratic"].f(ex.run_optimizer("sgd", "s1_quadratic", 300, lr=0.25))
    assert f[-1] > 10 * f[0] and np.all(np.diff(f[-50:]) > 0)  # grows (1.04x per step)


def test_optimal_heavy_ball_and_momentum_that_is_too_much():
    # LESSONS §5.2: mu = 0.9 is slower than tuned GD on this kappa = 4.4 quadratic (111 vs 20);
    # the heavy ball tuned to the spectrum (lr 0.2254, mu 0.127) takes 12
    p = ex.run_optimizer("momentum", "s1_quadratic", 100, lr=0.2254, mu=0.127)
    assert ex.steps_to_tol(p, "s1_quadratic") == 12
    tuned = ex.tune_lr("momentum", "s1_quadratic", np.geomspace(0.01, 0.2, 14), mu=0.9, steps=400)
    assert tuned.steps is not None and tuned.steps > 60


@pytest.mark.parametrize(
    "rule, hyper, published",
    [
        ("sgd", {"lr": 0.4}, (-0.943467, -0.000073)),
        ("sgd", {"lr": 0.6}, (-0.387814, -1673.365109)),
        ("momentum", {"lr": 0.4, "mu": 0.5}, (-0.062843, 0.001202)),
        ("momentum", {"lr": 0.6, "mu": 0.5}, (0.007188, 0.002553)),
        (ex.adagrad_eps_inside, {"lr": 0.4}, (-2.382563, -0.158591)),
        (ex.adagrad_eps_inside, {"lr": 2.0}, (-0.002295, -0.000000)),
        (ex.rmsprop_eps_inside, {"lr": 0.4, "gamma": 0.9}, (-0.010599, 0.000000)),
    ],
)
def test_d2l_printed_traces_to_their_printed_digits(rule, hyper, published):
    # FACTS F3: d2l sec. 12.3-12.8, f = 0.1 x1^2 + 2 x2^2 from (-5, -2), 20 steps, printed
    # with 6 decimals. d2l's GD and momentum (v = beta v + g, x -= eta v) are nnlib's sgd and
    # momentum; its AdaGrad/RMSProp put eps = 1e-6 inside the square root.
    path = ex.run_optimizer(rule, "d2l_quadratic", 20, **hyper)
    assert [f"{v:.6f}" for v in path[-1]] == [f"{v:.6f}" for v in published]


def test_d2l_eps_placement_shows_in_the_sixth_decimal():
    # nnlib's eps-outside forms give -2.382564 and -0.010598: the printed digit moves
    inside = ex.run_optimizer(ex.adagrad_eps_inside, "d2l_quadratic", 20, lr=0.4)[-1, 0]
    outside = ex.run_optimizer("adagrad", "d2l_quadratic", 20, lr=0.4, eps=1e-6)[-1, 0]
    assert f"{inside:.6f}" == "-2.382563" and f"{outside:.6f}" == "-2.382564"
    r_out = ex.run_optimizer("rmsprop", "d2l_quadratic", 20, lr=0.4, alpha=0.9, eps=1e-6)
    assert f"{r_out[-1, 0]:.6f}" == "-0.010598"


def test_pytorch_nesterov_iterates_are_sutskevers_lookahead_points():
    # F7: theta from Sutskever's form (momentum + lookahead); PyTorch's w_t = theta_t + mu v_t
    lr, mu, T = 0.05, 0.9, 200
    theta = ex.run_optimizer("momentum", "s1_quadratic", T, lookahead=True, lr=lr, mu=mu)
    torch_form = ex.run_optimizer("nesterov", "s1_quadratic", T, lr=lr, mu=mu)
    v = np.diff(theta, axis=0)  # Sutskever's v_t = theta_t - theta_{t-1}
    ahead = theta[1:] + mu * v
    assert np.abs(torch_form[1:] - ahead).max() < 5e-15  # measured 5.6e-16
    # ...but plotted against theta itself they differ visibly (LESSONS: up to 1.35)
    assert np.abs(torch_form - theta).max() > 1.0
    # and the look-ahead form is not plain momentum
    plain = ex.run_optimizer("momentum", "s1_quadratic", T, lr=lr, mu=mu)
    assert np.abs(plain - theta).max() > 0.1


def test_sutskever_form_written_out():
    s, lr, mu = ex.SURFACES["valley"], 0.02, 0.8
    theta = ex.run_optimizer("momentum", s, 5, lookahead=True, lr=lr, mu=mu)
    w, v = np.array(s.x0), np.zeros(2)
    for t in range(1, 6):
        v = mu * v - lr * s.grad(w + mu * v)
        w = w + v
        np.testing.assert_allclose(theta[t], w, rtol=1e-13)


def test_ema_form_exact_lookahead_and_s2_slide_variant():
    # S2: W* = W - alpha v (lookahead=1) is inexact; the exact look-ahead is W - alpha beta v
    s, lr, beta = "s1_quadratic", 0.55, 0.75
    exact = ex.run_optimizer("ema_momentum", s, 200, lookahead=True, lr=lr, beta=beta)
    slide = ex.run_optimizer("ema_momentum", s, 200, lookahead=1.0, lr=lr, beta=beta)
    n_exact, n_slide = ex.steps_to_tol(exact, s), ex.steps_to_tol(slide, s)
    assert n_exact is not None and n_slide is not None and n_slide > 2 * n_exact
    assert (n_exact, n_slide) == (16, 81)  # LESSONS §2


def test_divergence_stops_with_nan_rows():
    path = ex.run_optimizer("sgd", "s1_quadratic", 2000, lr=1.0)
    assert path.shape == (2001, 2)
    assert np.isnan(path[-1]).all() and np.isfinite(path[:5]).all()
    assert ex.steps_to_tol(path, "s1_quadratic") is None


def test_race_is_fast_and_ranks_by_steps():
    import time

    configs = {
        "SGD": ("sgd", {"lr": 0.02}),
        "momentum": ("momentum", {"lr": 0.02, "mu": 0.9}),
        "Nesterov": ("nesterov", {"lr": 0.02, "mu": 0.9}),
        "AdaGrad": ("adagrad", {"lr": 1.0}),
        "RMSProp": ("rmsprop", {"lr": 0.05}),
        "Adam": ("adam", {"lr": 0.1}),
    }
    start = time.perf_counter()
    runs = ex.race("valley", configs, steps=500)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"a race of 6 x 500 steps took {elapsed:.2f} s"
    for name, run in runs.items():
        assert run.path.shape == (501, 2) and run.gap.shape == (501,)
        assert run.steps == ex.steps_to_tol(run.path, "valley"), name
    assert runs["momentum"].steps < runs["SGD"].steps
    assert runs["SGD"].gap[0] == pytest.approx(0.5 * (16 + 50))


def test_rotation_changes_only_the_per_coordinate_methods():
    # The rotated valley starts from the rotated start: GD, momentum and Nesterov trace the
    # same path turned by 45 degrees (same steps); AdaGrad, RMSProp and Adam do not.
    c, s_ = np.cos(np.pi / 4), np.sin(np.pi / 4)
    R = np.array([[c, -s_], [s_, c]])
    for rule, hyper in [("sgd", {"lr": 0.03}), ("nesterov", {"lr": 0.02, "mu": 0.9})]:
        a = ex.run_optimizer(rule, "valley", 100, **hyper)
        b = ex.run_optimizer(rule, "rotated_valley", 100, **hyper)
        np.testing.assert_allclose(b, a @ R.T, atol=1e-12)
    a = ex.run_optimizer("adagrad", "valley", 100, lr=3.0)
    b = ex.run_optimizer("adagrad", "rotated_valley", 100, lr=3.0)
    assert np.abs(b - a @ R.T).max() > 0.1
    assert ex.steps_to_tol(a, "valley") == 9 and ex.steps_to_tol(b, "rotated_valley") is None


def test_tuned_race_adaptive_wins_axis_aligned_and_loses_rotated():
    # LESSONS §5.2's lesson, with a grid (tests only: ~10 s of grid search is too long for
    # the notebook, which quotes the best learning rates)
    grid = np.geomspace(1e-3, 3.0, 25)
    out = {}
    for name in ("valley", "rotated_valley"):
        gd = ex.tune_lr("sgd", name, grid, steps=1500)
        ada = ex.tune_lr("adagrad", name, grid, steps=1500)
        out[name] = (gd.steps, ada.steps)
    assert out["valley"][1] < 20 < out["valley"][0]  # AdaGrad ~7 steps, GD hundreds
    assert out["rotated_valley"][0] == out["valley"][0]  # GD is rotation-invariant
    assert out["rotated_valley"][1] is None or out["rotated_valley"][1] > out["valley"][0] / 2


def test_seed_rules_as_written_and_labelled():
    rules = ex.SEED_RULES
    assert set(rules) == {
        "s0_momentum", "s0_momentum_code", "s0_nesterov", "s1_sgd_code", "s1_momentum_code",
        "s1_adam_code",
    }  # fmt: skip
    for r in rules.values():
        assert r.source.startswith(("S0", "S1")) and r.verdict and r.correct and r.as_written
    # S0's two-tap filter is not heavy ball: with a constant gradient its step tends to
    # alpha + beta (slide) or (1 + alpha) eta (code), heavy ball's to lr / (1 - mu)
    state, w = {}, np.zeros(1)
    for _ in range(50):
        w_new = rules["s0_momentum_code"](w, np.ones(1), state, eta=0.1, alpha=0.9)
        step, w = w - w_new, w_new
    assert step[0] == pytest.approx(0.19)
    state, w = {}, np.zeros(1)
    for _ in range(50):
        w_new = rules["s0_momentum"](w, np.ones(1), state, alpha=0.1, beta=0.9)
        step, w = w - w_new, w_new
    assert step[0] == pytest.approx(1.0)
    # LESSONS §2 on S1's quadratic: the slide's forms diverge, Larson's code converges
    s = "s1_quadratic"
    for a, b, n_code in [(0.05, 0.9, 37), (0.1, 0.5, 21), (0.1, 0.9, 44)]:
        slide = ex.run_optimizer(rules["s0_momentum"], s, 200, alpha=a, beta=b)
        nest = ex.run_optimizer(rules["s0_nesterov"], s, 200, alpha=a, beta=b)
        code = ex.run_optimizer(rules["s0_momentum_code"], s, 200, eta=a, alpha=b)
        assert np.isnan(slide[-1]).all() and np.isnan(nest[-1]).all()
        assert ex.steps_to_tol(code, s) == n_code
    # not exported by nnlib.optimizers
    from nnlib import optimizers

    assert not any("s0" in n or "seed" in n.lower() for n in optimizers.__all__)


def test_s0_nesterov_looks_uphill():
    # first step: g_prev = 0, rho = beta grad(W); second: grad at W + alpha g_prev (uphill)
    seen = []

    def grad(x):
        seen.append(np.array(x))
        return np.array(x, float)  # f = |x|^2 / 2

    state = {}
    w1 = ex.SEED_RULES["s0_nesterov"](np.array([1.0, 0.0]), grad, state, alpha=0.1, beta=0.5)
    np.testing.assert_allclose(w1, [0.5, 0.0])
    seen.clear()
    ex.SEED_RULES["s0_nesterov"](w1, grad, state, alpha=0.1, beta=0.5)
    np.testing.assert_allclose(seen[0], [0.5 + 0.1 * 1.0, 0.0])  # W + alpha * previous grad


def test_seed_schedules_as_written():
    c1, c2 = ex.SEED_SCHEDULES["s0_cooling_1"], ex.SEED_SCHEDULES["s0_cooling_2"]
    lr = c1(np.array([0, 1, 50, 100]), eta0=0.1, d=0.5, k_max=100)
    assert np.isnan(lr[0])
    np.testing.assert_allclose(lr[1:], [0.1 * 0.5**100, 0.025, 0.05])
    assert lr[1] == pytest.approx(7.9e-32, rel=0.01)  # increases with k
    assert c2(100, eta0=2.0, d=0.1) == pytest.approx(2048.0)
    assert c2(10, eta0=0.1, d=0.1) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="schedule, not an update rule"):
        ex.run_optimizer(c1, "valley", 3)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rule must be one of"):
        ex.run_optimizer("adamm", "valley", 3, lr=0.1)
    with pytest.raises(TypeError, match="rule must be a name"):
        ex.run_optimizer(3, "valley", 3)
    with pytest.raises(ValueError, match="surface must be"):
        ex.run_optimizer("sgd", "valey", 3, lr=0.1)
    with pytest.raises(ValueError, match="x0 must be a point"):
        ex.run_optimizer("sgd", "valley", 3, x0=[1.0, 2.0, 3.0], lr=0.1)
    with pytest.raises(ValueError, match="lookahead=True takes its coefficient"):
        ex.run_optimizer("sgd", "valley", 3, lookahead=True, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        ex.run_optimizer("sgd", "valley", 3, lr=-1.0)
    with pytest.raises(ValueError, match="grid must be"):
        ex.tune_lr("sgd", "valley", [0.1, -1.0])
    with pytest.raises(TypeError, match="do not pass lr"):
        ex.tune_lr("sgd", "valley", [0.1], lr=0.1)
    with pytest.raises(TypeError, match="configs"):
        ex.race("valley", {"a": ("sgd", 0.1)})


def _hyper(rule):
    return {"mu": 0.9} if rule in ("momentum", "nesterov") else {}


@pytest.mark.parametrize("surface", sorted(ex.TUNED))
def test_tuned_table_steps_and_neighbourhood(surface):
    # each stored lr reaches 1e-6 in the stored steps, and its grid neighbours are not
    # faster (the full 41-point search takes ~100 s: its neighbourhood is rerun here)
    grid = ex.TUNE_GRID
    for rule, (lr, n) in ex.TUNED[surface].items():
        if lr is None:
            continue
        path = ex.run_optimizer(rule, surface, n, lr=lr, **_hyper(rule))
        assert ex.steps_to_tol(path, surface) == n, (surface, rule)
        k = int(np.argmin(abs(grid - lr)))
        near = grid[max(0, k - 1) : k + 2]
        tuned = ex.tune_lr(rule, surface, near, steps=n, **_hyper(rule))
        assert tuned.lr == lr and tuned.steps == n, (surface, rule, tuned.by_lr)


def test_tuned_table_tells_the_rotation_story():
    v, r = ex.TUNED["valley"], ex.TUNED["rotated_valley"]
    for rule in ("sgd", "momentum", "nesterov"):
        assert v[rule] == r[rule]
    for rule in ("adagrad", "rmsprop"):
        assert v[rule][1] < 10 and r[rule][1] > 190
    assert min(n for _, n in v.values()) == v["rmsprop"][1]
    assert min(n for _, n in r.values()) == r["nesterov"][1]


def test_every_pure_rule_of_optimizers_runs_and_only_those():
    assert set(ex._pure_rules()) >= {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}
    assert "ema" not in ex._pure_rules() and "get_optimizer" not in ex._pure_rules()
    with pytest.raises(ValueError, match="rule must be one of"):
        ex.run_optimizer("ema", "valley", 3, beta=0.9)
    for rule in ex._pure_rules():
        path = ex.run_optimizer(rule, "valley", 5, lr=0.01)
        assert np.isfinite(path).all() and not np.array_equal(path[5], path[0]), rule


def test_adam_without_bias_correction_first_step_through_run_optimizer():
    # hyper-parameters pass through: Adam's first corrected step is lr * sign(g) per
    # coordinate; uncorrected it is lr (1 - beta1) / sqrt(1 - beta2) = 3.16 lr (FACTS)
    lr = 0.01
    on = ex.run_optimizer("adam", "valley", 1, lr=lr)
    off = ex.run_optimizer("adam", "valley", 1, lr=lr, bias_correction=False)
    np.testing.assert_allclose(np.abs(on[1] - on[0]), lr, rtol=1e-6)
    np.testing.assert_allclose(np.abs(off[1] - off[0]), lr * 0.1 / np.sqrt(0.001), rtol=1e-6)
    assert round(float(np.abs(off[1] - off[0])[0] / lr), 2) == 3.16


def test_s1_code_as_written_climbs_and_its_adam_divides_by_zero():
    rules, s = ex.SEED_RULES, ex.SURFACES["s1_quadratic"]
    up = ex.run_optimizer(rules["s1_sgd_code"], s, 5, learning_rate=0.05)
    down = ex.run_optimizer("sgd", s, 5, lr=0.05)
    assert np.all(np.diff(s.f(up)) > 0) and np.all(np.diff(s.f(down)) < 0)
    np.testing.assert_allclose(up[1] - up[0], -(down[1] - down[0]))  # the mirror step
    climb = ex.run_optimizer(rules["s1_momentum_code"], s, 5, learning_rate=0.05, rho=0.9)
    assert np.all(np.diff(s.f(climb)) > 0)
    # t = 0 first: 1 - beta^0 = 0, the first iterate is NaN and the run stops (no warning)
    path = ex.run_optimizer(rules["s1_adam_code"], s, 10, learning_rate=0.1)
    assert np.isfinite(path[0]).all() and np.isnan(path[1:]).all()
    # from t = 1 on, the same loop is nnlib's Adam with eps = 1e-7
    state, w = {"t": 1}, np.array(s.x0)
    state_nn, w_nn = {}, np.array(s.x0)
    for _ in range(5):
        w = rules["s1_adam_code"](w, s.grad(w), state, learning_rate=0.1)
        w_nn = optimizers.adam(w_nn, s.grad(w_nn), state_nn, lr=0.1, eps=1e-7)
    np.testing.assert_allclose(w, w_nn, rtol=1e-12)
