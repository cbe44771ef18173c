"""Tests for nnlib.optimizers: hand-worked steps, published facts, properties, bad input."""

import inspect
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import optimizers as O

# Every rule with a configuration used by the generic tests below.
RULES = {
    "sgd": (O.sgd, O.SGD, {"lr": 0.1}),
    "momentum": (O.momentum, O.Momentum, {"lr": 0.1, "mu": 0.9}),
    "ema_momentum": (O.ema_momentum, O.EMAMomentum, {"lr": 0.1, "beta": 0.9}),
    "nesterov": (O.nesterov, O.Nesterov, {"lr": 0.1, "mu": 0.9}),
    "adagrad": (O.adagrad, O.AdaGrad, {"lr": 0.1}),
    "rmsprop": (O.rmsprop, O.RMSProp, {"lr": 0.01}),
    "adam": (O.adam, O.Adam, {"lr": 0.1}),
}
NAMES = list(RULES)

W0 = np.array([1.0, -2.0])
G1 = np.array([1.0, -2.0])
G2 = np.array([2.0, 1.0])


def two_steps(rule, **hyper):
    """Apply `rule` with G1 then G2 from W0; return (w1, w2, state)."""
    state = {}
    w1 = rule(W0, G1, state, **hyper)
    w2 = rule(w1, G2, state, **hyper)
    return w1, w2, state


# f(x1, x2) = x1^2 + x1 x2 + 4 x2^2 (FACTS: the optimizer race), minimum 0 at the origin.
def quad(x):
    return x[0] ** 2 + x[0] * x[1] + 4 * x[1] ** 2


def quad_grad(x):
    return np.array([2 * x[0] + x[1], x[0] + 8 * x[1]])


# ----------------------------------------------------------------------------------------
# Hand-worked first two steps. W0 = [1, -2], G1 = [1, -2], G2 = [2, 1].
# ----------------------------------------------------------------------------------------


def test_sgd_two_steps_by_hand():
    w1, w2, state = two_steps(O.sgd, lr=0.1)
    # w1 = [1 - 0.1*1, -2 - 0.1*(-2)] = [0.9, -1.8]
    np.testing.assert_allclose(w1, [0.9, -1.8], rtol=1e-12)
    # w2 = [0.9 - 0.1*2, -1.8 - 0.1*1] = [0.7, -1.9]
    np.testing.assert_allclose(w2, [0.7, -1.9], rtol=1e-12)
    assert state == {}


def test_momentum_two_steps_by_hand():
    w1, w2, state = two_steps(O.momentum, lr=0.1, mu=0.9)
    # v1 = 0.9*0 + G1 = [1, -2];  w1 = W0 - 0.1 v1 = [0.9, -1.8]
    np.testing.assert_allclose(w1, [0.9, -1.8], rtol=1e-12)
    # v2 = 0.9*[1, -2] + [2, 1] = [2.9, -0.8];  w2 = [0.9 - 0.29, -1.8 + 0.08] = [0.61, -1.72]
    np.testing.assert_allclose(state["v"], [2.9, -0.8], rtol=1e-12)
    np.testing.assert_allclose(w2, [0.61, -1.72], rtol=1e-12)


def test_ema_momentum_two_steps_by_hand():
    w1, w2, state = two_steps(O.ema_momentum, lr=0.1, beta=0.9)
    # v1 = 0.1*[1, -2] = [0.1, -0.2];  w1 = [1 - 0.01, -2 + 0.02] = [0.99, -1.98]
    np.testing.assert_allclose(w1, [0.99, -1.98], rtol=1e-12)
    # v2 = 0.9*[0.1, -0.2] + 0.1*[2, 1] = [0.29, -0.08];  w2 = [0.99 - 0.029, -1.98 + 0.008]
    np.testing.assert_allclose(state["v"], [0.29, -0.08], rtol=1e-12)
    np.testing.assert_allclose(w2, [0.961, -1.972], rtol=1e-12)
    assert state["t"] == 2


def test_ema_momentum_bias_corrected_two_steps_by_hand():
    w1, w2, state = two_steps(O.ema_momentum, lr=0.1, beta=0.9, bias_correction=True)
    # v_hat1 = [0.1, -0.2] / (1 - 0.9) = [1, -2]: w1 = [0.9, -1.8], as plain SGD
    np.testing.assert_allclose(w1, [0.9, -1.8], rtol=1e-12)
    # v_hat2 = [0.29, -0.08] / (1 - 0.81) = [1.5263.., -0.4210..]
    # w2 = [0.9 - 0.1*0.29/0.19, -1.8 + 0.1*0.08/0.19] = [0.747368.., -1.757894..]
    np.testing.assert_allclose(w2, [0.9 - 0.029 / 0.19, -1.8 + 0.008 / 0.19], rtol=1e-12)
    np.testing.assert_allclose(w2, [0.7473684, -1.7578947], rtol=1e-7)
    # the stored v stays the raw (uncorrected) average
    np.testing.assert_allclose(state["v"], [0.29, -0.08], rtol=1e-12)


def test_nesterov_two_steps_by_hand():
    w1, w2, state = two_steps(O.nesterov, lr=0.1, mu=0.9)
    # v1 = [1, -2];  step = G1 + 0.9 v1 = [1.9, -3.8];  w1 = [1 - 0.19, -2 + 0.38] = [0.81, -1.62]
    np.testing.assert_allclose(w1, [0.81, -1.62], rtol=1e-12)
    # v2 = 0.9*[1, -2] + [2, 1] = [2.9, -0.8];  step = [2 + 2.61, 1 - 0.72] = [4.61, 0.28]
    # w2 = [0.81 - 0.461, -1.62 - 0.028] = [0.349, -1.648]
    np.testing.assert_allclose(w2, [0.349, -1.648], rtol=1e-12)
    np.testing.assert_allclose(state["v"], [2.9, -0.8], rtol=1e-12)


def test_adagrad_two_steps_by_hand():
    w1, w2, state = two_steps(O.adagrad, lr=0.1)
    # s1 = [1, 4];  w1 = W0 - 0.1 * [1/1, -2/2] = [0.9, -1.9]  (lr * sign(g))
    np.testing.assert_allclose(w1, [0.9, -1.9], rtol=1e-9)
    # s2 = [1 + 4, 4 + 1] = [5, 5];  w2 = [0.9 - 0.1*2/sqrt(5), -1.9 - 0.1*1/sqrt(5)]
    #    = [0.9 - 0.0894427, -1.9 - 0.0447214] = [0.8105573, -1.9447214]
    np.testing.assert_allclose(state["s"], [5.0, 5.0], rtol=1e-12)
    np.testing.assert_allclose(w2, [0.8105573, -1.9447214], rtol=1e-7)


def test_rmsprop_two_steps_by_hand():
    w1, w2, state = two_steps(O.rmsprop, lr=0.01, alpha=0.99)
    # s1 = 0.01*[1, 4] = [0.01, 0.04], sqrt = [0.1, 0.2]
    # w1 = [1 - 0.01*1/0.1, -2 - 0.01*(-2)/0.2] = [0.9, -1.9]: ten times lr on step one
    # (up to eps = 1e-8 in the denominator: relative error 1e-7 on the step)
    np.testing.assert_allclose(w1, [0.9, -1.9], rtol=1e-7)
    # s2 = 0.99*[0.01, 0.04] + 0.01*[4, 1] = [0.0499, 0.0496]
    # w2 = [0.9 - 0.01*2/0.2233831, -1.9 - 0.01*1/0.2227106] = [0.8104677, -1.9449013]
    np.testing.assert_allclose(state["s"], [0.0499, 0.0496], rtol=1e-12)
    np.testing.assert_allclose(w2, w1 - 0.01 * G2 / (np.sqrt([0.0499, 0.0496]) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(w2, [0.8104677, -1.9449013], rtol=1e-7)


def test_adam_two_steps_by_hand():
    w1, w2, state = two_steps(O.adam, lr=0.1)
    # t = 1: m = 0.1*[1, -2] = [0.1, -0.2], v = 0.001*[1, 4] = [0.001, 0.004]
    # m_hat = m/0.1 = [1, -2], v_hat = v/0.001 = [1, 4]; step = 0.1*[1/1, -2/2]
    # (up to eps = 1e-8 beside sqrt(v_hat) = 1, 2)
    np.testing.assert_allclose(w1, [0.9, -1.9], rtol=1e-8)
    # t = 2: m = 0.9*[0.1, -0.2] + 0.1*[2, 1] = [0.29, -0.08]
    #        v = 0.999*[0.001, 0.004] + 0.001*[4, 1] = [0.004999, 0.004996]
    # m_hat = m / (1 - 0.81) = [1.5263158, -0.4210526]
    # v_hat = v / (1 - 0.998001) = [2.5007504, 2.4992496], sqrt = [1.5813761, 1.5809015]
    # m_hat / sqrt(v_hat) = [0.9651820, -0.2663370]
    # w2 = [0.9 - 0.1*0.9651820, -1.9 + 0.1*0.2663370] = [0.8034818, -1.8733663]
    assert state["t"] == 2
    np.testing.assert_allclose(state["m"], [0.29, -0.08], rtol=1e-12)
    np.testing.assert_allclose(state["v"], [0.004999, 0.004996], rtol=1e-12)
    m_hat = np.array([0.29, -0.08]) / 0.19
    v_hat = np.array([0.004999, 0.004996]) / 0.001999
    np.testing.assert_allclose(w2, w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(w2, [0.8034818, -1.8733663], rtol=1e-7)


def test_sgd_weight_decay_by_hand():
    # g = G1 + 0.5 W0 = [1 + 0.5, -2 - 1] = [1.5, -3];  w = W0 - 0.1 g = [0.85, -1.7]
    np.testing.assert_allclose(O.sgd(W0, G1, lr=0.1, weight_decay=0.5), [0.85, -1.7])


# ----------------------------------------------------------------------------------------
# FACTS.md: EMA, bias correction, Adam
# ----------------------------------------------------------------------------------------


def test_ema_of_constant_10_with_beta_098_facts():
    # Raw EMA of x_t = 10 with b = 0.98: v_t = 10 (1 - 0.98^t) = 0.200, 0.396, 0.588;
    # corrected v_t / (1 - 0.98^t) = 10 each time. Read raw v from the state and the
    # corrected one from the step of the bias-corrected rule (step = lr * v_hat).
    raw, corrected = [], []
    state_raw, state_cor = {}, {}
    w_raw, w_cor = np.zeros(1), np.zeros(1)
    for _ in range(3):
        w_raw = O.ema_momentum(w_raw, [10.0], state_raw, lr=1.0, beta=0.98)
        raw.append(state_raw["v"][0])
        w_new = O.ema_momentum(w_cor, [10.0], state_cor, lr=1.0, beta=0.98, bias_correction=True)
        corrected.append((w_cor - w_new)[0])
        w_cor = w_new
    np.testing.assert_allclose(raw, [0.200, 0.396, 0.58808], rtol=1e-12)
    assert [round(v, 3) for v in raw] == [0.2, 0.396, 0.588]
    np.testing.assert_allclose(corrected, [10.0, 10.0, 10.0], rtol=1e-12)


def test_adam_first_step_is_lr_times_sign_of_gradient():
    rng = np.random.default_rng(0)
    # magnitudes from 1e-3 to 1e3, both signs: the first step ignores the magnitude
    g = rng.choice([-1.0, 1.0], size=(20, 5)) * 10.0 ** rng.uniform(-3, 3, size=(20, 5))
    w = rng.normal(size=(20, 5))
    new_w = O.adam(w, g, {}, lr=0.01)
    # step = lr * |g| / (|g| + eps): relative deviation at most eps / |g| = 1e-5
    np.testing.assert_allclose(w - new_w, 0.01 * np.sign(g), rtol=1e-5)


def test_adam_with_constant_gradient_every_corrected_step_is_lr():
    state, w, lr = {}, np.array([5.0, -5.0]), 0.01
    for _ in range(100):
        new_w = O.adam(w, [3.0, -0.2], state, lr=lr)
        # m_hat = g and v_hat = g^2 exactly: step = lr * g / (|g| + eps) = lr * sign(g)
        np.testing.assert_allclose(w - new_w, [lr, -lr], rtol=1e-7)
        w = new_w


def test_adam_without_bias_correction_first_steps_are_too_large_facts():
    # With a constant gradient, m_t = (1 - b1^t) g and v_t = (1 - b2^t) g^2, so the
    # uncorrected step lr * m / sqrt(v) is lr (1 - b1^t) / sqrt(1 - b2^t):
    #   t=1: 0.1 / sqrt(0.001) = 3.162;   t=2: 0.19 / sqrt(0.001999) = 4.250;
    #   t=3: 0.271 / sqrt(0.002997001) = 4.950.  FACTS: 3.16x, 4.25x, 4.95x.
    state, w, lr, g = {}, np.array([0.0]), 1e-3, np.array([2.0])
    ratios = []
    for _ in range(3):
        new_w = O.adam(w, g, state, lr=lr)
        corrected_step = (w - new_w)[0]  # = lr
        uncorrected_step = lr * state["m"][0] / (math.sqrt(state["v"][0]) + 1e-8)
        ratios.append(uncorrected_step / corrected_step)
        w = new_w
    np.testing.assert_allclose(ratios, [3.1623, 4.2496, 4.9503], atol=1e-4)
    assert [round(r, 2) for r in ratios] == [3.16, 4.25, 4.95]


def test_ema_momentum_equals_momentum_with_rescaled_lr():
    # v_ema = (1 - beta) v_classic, so ema(lr) = momentum(lr * (1 - beta), mu = beta),
    # here over 300 steps on the quadratic (gradients depend on the path).
    lr, beta = 0.2, 0.9
    s_ema, s_mom = {}, {}
    x_ema = x_mom = np.array([3.0, 3.0])
    for _ in range(300):
        x_ema = O.ema_momentum(x_ema, quad_grad(x_ema), s_ema, lr=lr, beta=beta)
        x_mom = O.momentum(x_mom, quad_grad(x_mom), s_mom, lr=lr * (1 - beta), mu=beta)
        np.testing.assert_allclose(x_ema, x_mom, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s_ema["v"], (1 - beta) * s_mom["v"], rtol=1e-9, atol=1e-12)


def test_nesterov_and_momentum_differ_by_the_lookahead_term():
    state_m, state_n = {}, {}
    w_m = O.momentum(W0, G1, state_m, lr=0.1, mu=0.9)
    w_n = O.nesterov(W0, G1, state_n, lr=0.1, mu=0.9)
    # same velocity, but Nesterov also steps lr * mu * v: 0.1 * 0.9 * [1, -2]
    np.testing.assert_array_equal(state_m["v"], state_n["v"])
    np.testing.assert_allclose(w_m - w_n, [0.09, -0.18], rtol=1e-12)
    # and on the quadratic the trajectories separate (Nesterov damps the oscillation)
    xm, xn, sm, sn = np.array([3.0, 3.0]), np.array([3.0, 3.0]), {}, {}
    for _ in range(30):
        xm = O.momentum(xm, quad_grad(xm), sm, lr=0.02, mu=0.9)
        xn = O.nesterov(xn, quad_grad(xn), sn, lr=0.02, mu=0.9)
    assert quad(xn) < quad(xm) / 10


def run_adam_pair(grads, **hyper):
    """Adam and AMSGrad side by side; return (last Adam step, last AMSGrad step, AMSGrad state)."""
    s_adam, s_ams = {}, {}
    w_adam = w_ams = np.array([0.0])
    for g in grads:
        prev_adam, prev_ams = w_adam, w_ams
        w_adam = O.adam(w_adam, g, s_adam, **hyper)
        w_ams = O.adam(w_ams, g, s_ams, amsgrad=True, **hyper)
    return (prev_adam - w_adam)[0], (prev_ams - w_ams)[0], s_ams


def test_amsgrad_differs_from_adam_when_v_decreases():
    # Large gradients then small ones: v decays, so Adam's denominator shrinks and its
    # steps grow back; AMSGrad keeps the max of v and so keeps its steps small.
    grads = [np.array([10.0])] * 3 + [np.array([0.1])] * 20
    # beta2 = 0.9 makes v forget fast: v_3 = 100 (1 - 0.9^3) = 27.1 is the max, and
    # 20 steps later v = 27.1 * 0.9^20 + 0.01 (1 - 0.9^20) = 3.30, about 8x smaller
    last_adam, last_ams, state = run_adam_pair(grads, lr=0.01, beta2=0.9)
    assert state["v_max"][0] == pytest.approx(27.1, rel=1e-12)
    assert state["v"][0] == pytest.approx(27.1 * 0.9**20 + 0.01 * (1 - 0.9**20), rel=1e-12)
    # steps differ by sqrt(v_max / v) = sqrt(27.1 / 3.30) = 2.87
    assert last_adam / last_ams == pytest.approx(math.sqrt(state["v_max"][0] / state["v"][0]))
    assert last_adam / last_ams > 2.5
    # v_max is the max of the *uncorrected* v, then divided by (1 - b2^t), as in PyTorch:
    # the last AMSGrad step recomputed by hand
    t = len(grads)
    m_hat = state["m"][0] / (1 - 0.9**t)
    v_hat = state["v_max"][0] / (1 - 0.9**t)
    assert last_ams == pytest.approx(0.01 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-9)
    # with the default beta2 = 0.999, v decays slowly, but the steps still differ
    last_adam, last_ams, state = run_adam_pair(grads, lr=0.01)
    assert state["v_max"][0] > state["v"][0]
    assert 0 < last_ams < last_adam


def test_amsgrad_equals_adam_when_v_only_grows():
    # |g| increasing: v never decreases, so max(v_max, v) = v and the two agree exactly
    s_adam, s_ams = {}, {}
    w_adam = w_ams = np.array([1.0, -1.0])
    for k in range(1, 20):
        g = np.array([k, -2.0 * k])
        w_adam = O.adam(w_adam, g, s_adam, lr=0.01)
        w_ams = O.adam(w_ams, g, s_ams, lr=0.01, amsgrad=True)
    np.testing.assert_array_equal(w_adam, w_ams)


@pytest.mark.parametrize("name", NAMES)
def test_weight_decay_takes_effect(name):
    rule, cls, hyper = RULES[name]
    w, lam = np.array([2.0, -4.0]), 0.1
    # with a zero loss gradient, the decay alone moves w towards 0
    decayed = rule(w, np.zeros(2), {}, **hyper, weight_decay=lam)
    assert np.all(np.abs(decayed) < np.abs(w))
    # and it is the same as adding lam * w to the gradient
    np.testing.assert_array_equal(decayed, rule(w, lam * w, {}, **hyper))
    # in the class too
    params = {"w": w.copy()}
    cls(**hyper, weight_decay=lam).step(params, {"w": np.zeros(2)})
    np.testing.assert_array_equal(params["w"], decayed)


# ----------------------------------------------------------------------------------------
# Every hyper-parameter takes effect: hand-worked trajectories with non-default values
# chosen so each one changes the result a lot (eps comparable to sqrt(v), beta1 != 0.9
# with gradients that change, ...). Each case runs the pure rule AND the class, and
# `check_by_hand` also resets each argument to its default and asserts the result moves.
# ----------------------------------------------------------------------------------------


def rule_and_class(name, w0, grads, **hyper):
    """Trajectories (w1, w2, ...) of the pure rule and of the class from the same start."""
    rule, cls, _ = RULES[name]
    state, w, by_rule = {}, np.array(w0, dtype=float), []
    for g in grads:
        w = rule(w, np.array(g, dtype=float), state, **hyper)
        by_rule.append(w)
    opt, params, by_class = cls(**hyper), {"w": np.array(w0, dtype=float)}, []
    for g in grads:
        opt.step(params, {"w": np.array(g, dtype=float)})
        by_class.append(params["w"].copy())
    return np.array(by_rule), np.array(by_class)


def check_by_hand(name, hyper, w0, grads, expected, rtol=1e-12):
    """Assert rule and class follow `expected`, and that every argument in `hyper` matters."""
    by_rule, by_class = rule_and_class(name, w0, grads, **hyper)
    np.testing.assert_allclose(by_rule, expected, rtol=rtol, atol=1e-15)
    np.testing.assert_allclose(by_class, expected, rtol=rtol, atol=1e-15)
    defaults = inspect.signature(RULES[name][0]).parameters
    for key in hyper:
        with_default = {**hyper, key: defaults[key].default}
        other, other_cls = rule_and_class(name, w0, grads, **with_default)
        # at least 1% away somewhere: the argument visibly changes the trajectory
        assert np.max(np.abs(other - expected) / np.abs(expected)) > 0.01, key
        assert np.max(np.abs(other_cls - expected) / np.abs(expected)) > 0.01, key


def test_sgd_lr_and_weight_decay_by_hand():
    # w0 = 1, g = 2 then -1, lr = 0.25, weight_decay = 0.5 (g <- g + 0.5 w):
    #   g1 = 2 + 0.5*1 = 2.5          w1 = 1 - 0.25*2.5 = 0.375
    #   g2 = -1 + 0.5*0.375 = -0.8125  w2 = 0.375 + 0.25*0.8125 = 0.578125
    hyper = {"lr": 0.25, "weight_decay": 0.5}
    check_by_hand("sgd", hyper, [1.0], [[2.0], [-1.0]], [[0.375], [0.578125]])


def test_momentum_lr_and_mu_by_hand():
    # w0 = 0, g = 1 twice, lr = 0.5, mu = 0.5:
    #   v1 = 1,             w1 = 0 - 0.5*1 = -0.5
    #   v2 = 0.5*1 + 1 = 1.5, w2 = -0.5 - 0.5*1.5 = -1.25   (mu = 0.9 would give -1.45)
    hyper = {"lr": 0.5, "mu": 0.5}
    check_by_hand("momentum", hyper, [0.0], [[1.0], [1.0]], [[-0.5], [-1.25]])


def test_ema_momentum_lr_and_beta_by_hand():
    # w0 = 0, g = 4 then 1, lr = 0.5, beta = 0.5, no bias correction:
    #   v1 = 0.5*4 = 2,             w1 = 0 - 0.5*2 = -1
    #   v2 = 0.5*2 + 0.5*1 = 1.5,   w2 = -1 - 0.5*1.5 = -1.75
    # (beta = 0.9 would give v1 = 0.4, w1 = -0.2)
    hyper = {"lr": 0.5, "beta": 0.5}
    check_by_hand("ema_momentum", hyper, [0.0], [[4.0], [1.0]], [[-1.0], [-1.75]])


def test_ema_momentum_bias_correction_by_hand():
    # the same with bias_correction=True: v_hat = v / (1 - 0.5^t)
    #   v_hat1 = 2 / 0.5 = 4,      w1 = 0 - 0.5*4 = -2
    #   v_hat2 = 1.5 / 0.75 = 2,   w2 = -2 - 0.5*2 = -3
    # (with beta = 0.9: v_hat2 = (0.36 + 0.1) / 0.19 = 2.42, w2 = -3.21)
    hyper = {"lr": 0.5, "beta": 0.5, "bias_correction": True}
    check_by_hand("ema_momentum", hyper, [0.0], [[4.0], [1.0]], [[-2.0], [-3.0]])


def test_nesterov_lr_and_mu_by_hand():
    # w0 = 0, g = 1 twice, lr = 0.5, mu = 0.5:
    #   v1 = 1,    step1 = g + mu v1 = 1 + 0.5 = 1.5,     w1 = 0 - 0.5*1.5 = -0.75
    #   v2 = 1.5,  step2 = 1 + 0.5*1.5 = 1.75,            w2 = -0.75 - 0.875 = -1.625
    # (mu = 0.9: step1 = 1.9, w1 = -0.95; mu ignored only in v: v2 = 1.9, w2 = -1.7)
    hyper = {"lr": 0.5, "mu": 0.5}
    check_by_hand("nesterov", hyper, [0.0], [[1.0], [1.0]], [[-0.75], [-1.625]])


def test_adagrad_lr_and_eps_by_hand():
    # w0 = 0, g = 3 then 4, lr = 0.6, eps = 1 (comparable to sqrt(s)):
    #   s1 = 9,  sqrt = 3,   w1 = 0 - 0.6*3/(3 + 1) = -0.45
    #   s2 = 25, sqrt = 5,   w2 = -0.45 - 0.6*4/(5 + 1) = -0.85
    # (eps = 1e-10: w1 = -0.6, lr * sign(g))
    hyper = {"lr": 0.6, "eps": 1.0}
    check_by_hand("adagrad", hyper, [0.0], [[3.0], [4.0]], [[-0.45], [-0.85]])


def test_rmsprop_lr_alpha_and_eps_by_hand():
    # w0 = 0, g = 4 then 2, lr = 0.1, alpha = 0.75, eps = 2 (comparable to sqrt(s)):
    #   s1 = 0.25*16 = 4,          sqrt = 2,  w1 = 0 - 0.1*4/(2 + 2) = -0.1
    #   s2 = 0.75*4 + 0.25*4 = 4,  sqrt = 2,  w2 = -0.1 - 0.1*2/(2 + 2) = -0.15
    # (alpha = 0.99: s1 = 0.16, w1 = -0.4/2.4 = -0.1667; eps = 1e-8: w1 = -0.2)
    hyper = {"lr": 0.1, "alpha": 0.75, "eps": 2.0}
    check_by_hand("rmsprop", hyper, [0.0], [[4.0], [2.0]], [[-0.1], [-0.15]])


def test_adam_lr_betas_and_eps_by_hand():
    # w0 = 0, g = 5 then -1, lr = 0.6, beta1 = beta2 = 0.5, eps = 1:
    # t = 1: m = 0.5*5 = 2.5, v = 0.5*25 = 12.5; m_hat = 2.5/0.5 = 5, v_hat = 12.5/0.5 = 25
    #        w1 = 0 - 0.6*5/(sqrt(25) + 1) = -0.5        (eps = 1e-8 would give -0.6)
    # t = 2: m = 0.5*2.5 + 0.5*(-1) = 0.75, v = 0.5*12.5 + 0.5*1 = 6.75
    #        1 - 0.5^2 = 0.75: m_hat = 1, v_hat = 9
    #        w2 = -0.5 - 0.6*1/(sqrt(9) + 1) = -0.65
    # beta1 = 0.9 instead: m2 = 0.45 - 0.1 = 0.35, m_hat = 0.35/0.19 = 1.84, w2 = -0.776;
    # beta2 = 0.999 instead: v_hat2 = 0.025975/0.001999 = 12.99, w2 = -0.630.
    hyper = {"lr": 0.6, "beta1": 0.5, "beta2": 0.5, "eps": 1.0}
    check_by_hand("adam", hyper, [0.0], [[5.0], [-1.0]], [[-0.5], [-0.65]])


def test_adam_amsgrad_by_hand():
    # The case above with amsgrad=True: v fell from 12.5 to 6.75, AMSGrad keeps the max
    # (uncorrected), then corrects it: v_hat = 12.5 / 0.75 = 16.667, sqrt = 4.0824829
    #   w2 = -0.5 - 0.6*1/(4.0824829 + 1) = -0.5 - 0.1180525 = -0.6180525   (Adam: -0.65)
    hyper = {"lr": 0.6, "beta1": 0.5, "beta2": 0.5, "eps": 1.0, "amsgrad": True}
    expected = [[-0.5], [-0.5 - 0.6 / (math.sqrt(12.5 / 0.75) + 1)]]
    check_by_hand("adam", hyper, [0.0], [[5.0], [-1.0]], expected)
    np.testing.assert_allclose(expected[1], [-0.6180525], rtol=1e-7)


# w = 2, dw = -0.5, weight_decay = 0.5: g = -0.5 + 0.5*2 = +0.5, so the decay turns the
# step around (without it every rule would move w *up*, past 2).
WEIGHT_DECAY_BY_HAND = {
    "sgd": 1.95,  # 2 - 0.1*0.5
    "momentum": 1.95,  # v = 0.5, 2 - 0.1*0.5
    "ema_momentum": 1.995,  # v = 0.1*0.5 = 0.05, 2 - 0.1*0.05
    "nesterov": 1.905,  # v = 0.5, 2 - 0.1*(0.5 + 0.9*0.5)
    "adagrad": 1.9,  # s = 0.25, 2 - 0.1*0.5/0.5
    "rmsprop": 1.9,  # s = 0.01*0.25 = 0.0025, 2 - 0.01*0.5/0.05
    "adam": 1.9,  # first step lr * sign(g)
}


@pytest.mark.parametrize("name", NAMES)
def test_weight_decay_by_hand(name):
    _, _, hyper = RULES[name]
    by_rule, by_class = rule_and_class(name, [2.0], [[-0.5]], **hyper, weight_decay=0.5)
    # rtol 1e-7: eps = 1e-8 beside sqrt(s) = 0.05 (RMSProp) changes the step 0.1 by 2e-8
    np.testing.assert_allclose(by_rule, [[WEIGHT_DECAY_BY_HAND[name]]], rtol=1e-7)
    np.testing.assert_allclose(by_class, [[WEIGHT_DECAY_BY_HAND[name]]], rtol=1e-7)
    without, _ = rule_and_class(name, [2.0], [[-0.5]], **hyper)
    assert without[0, 0] > 2.0


# ----------------------------------------------------------------------------------------
# Pure rules and classes
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_pure_rule_does_not_modify_w_or_dw(name):
    rule, _, hyper = RULES[name]
    w, dw = np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5, 1.0])
    w_before, dw_before = w.copy(), dw.copy()
    state = {}
    for _ in range(3):
        new_w = rule(w, dw, state, **hyper)
    assert new_w is not w
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(dw, dw_before)
    assert not np.array_equal(new_w, w)


# Bound on |first step| per coordinate: lr for Adam and AdaGrad (lr |g| / (|g| + eps)),
# lr / sqrt(1 - alpha) for RMSProp, lr |g| (1 + mu) for Nesterov, lr |g| otherwise.
FIRST_STEP_BOUND = {
    "sgd": lambda g: 0.1 * np.abs(g),
    "momentum": lambda g: 0.1 * np.abs(g),
    "ema_momentum": lambda g: 0.1 * 0.1 * np.abs(g),
    "nesterov": lambda g: 0.1 * 1.9 * np.abs(g),
    "adagrad": lambda g: np.full_like(g, 0.1),
    "rmsprop": lambda g: np.full_like(g, 0.01 / math.sqrt(0.01)),
    "adam": lambda g: np.full_like(g, 0.1),
}


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    arrays=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5).flatmap(
        lambda shape: st.tuples(
            *[
                hnp.arrays(np.float64, shape, elements=st.floats(-1e3, 1e3, width=64))
                for _ in range(2)
            ]
        )
    ),
)
def test_first_step_shape_finite_and_bounded(name, arrays):
    w, g = arrays
    rule, _, hyper = RULES[name]
    new_w = rule(w, g, {}, **hyper)
    assert new_w.shape == w.shape and new_w.dtype == w.dtype
    assert np.all(np.isfinite(new_w))
    assert np.all(np.abs(new_w - w) <= FIRST_STEP_BOUND[name](g) * (1 + 1e-12) + 1e-9)


# Non-default values of every hyper-parameter (weight decay and the flags on), to tie each
# class to its pure rule beyond the defaults.
NON_DEFAULT = {
    "sgd": {"lr": 0.05, "weight_decay": 0.1},
    "momentum": {"lr": 0.05, "mu": 0.7, "weight_decay": 0.01},
    "ema_momentum": {"lr": 0.1, "beta": 0.8, "bias_correction": True, "weight_decay": 0.01},
    "nesterov": {"lr": 0.05, "mu": 0.8, "weight_decay": 0.01},
    "adagrad": {"lr": 0.05, "eps": 1e-3, "weight_decay": 0.01},
    "rmsprop": {"lr": 0.01, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.01},
    "adam": {
        "lr": 0.01,
        "beta1": 0.8,
        "beta2": 0.99,
        "eps": 1e-6,
        "amsgrad": True,
        "weight_decay": 0.01,
        "bias_correction": False,
    },
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("which", ["defaults", "non-default"])
def test_class_matches_its_pure_rule(name, which):
    # The class runs a fast kernel (other order of operations; Adam in cache-sized blocks,
    # with epsilon rescaled); the pure rule is the algorithm box written out. Same numbers
    # to rounding: rtol 1e-14 over 6 steps in float64. W1 has 40000 > _BLOCK entries, so
    # Adam's blocked path runs; w stays in [0.5, 2.5] (no cancellation to near 0, where a
    # relative tolerance would be meaningless).
    rule, cls, hyper = RULES[name]
    if which == "non-default":
        hyper = NON_DEFAULT[name]
        assert set(hyper) == set(inspect.signature(rule).parameters) - {"w", "dw", "state"}
    assert cls.rule is rule and O.get_optimizer(name).rule is rule
    rng = np.random.default_rng(1)
    opt = cls(**hyper)
    params = {"W1": rng.uniform(1, 2, size=(200, 200)), "b1": rng.uniform(1, 2, size=7)}
    assert params["W1"].size > O._BLOCK
    ref = {k: v.copy() for k, v in params.items()}
    ref_state = {k: {} for k in params}
    for _ in range(6):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        opt.step(params, grads)
        ref = {k: rule(ref[k], grads[k], ref_state[k], **hyper) for k in ref}
        for k in params:
            np.testing.assert_allclose(params[k], ref[k], rtol=1e-14, atol=0, err_msg=k)
    # State averages of random gradients can cancel to near 0: there the bound is 1e-14
    # of the array's largest entry.
    assert opt.state.keys() == ref_state.keys()
    for k, state in ref_state.items():
        assert opt.state[k].keys() == state.keys()
        for key, value in state.items():
            scale = np.max(np.abs(value))
            np.testing.assert_allclose(opt.state[k][key], value, rtol=1e-14, atol=1e-14 * scale)
    assert not np.array_equal(params["W1"], rng.uniform(1, 2, size=(200, 200)))


@pytest.mark.parametrize("name", NAMES)
def test_class_step_is_in_place_and_keeps_float32(name):
    _, cls, hyper = RULES[name]
    opt = cls(**hyper)
    W = np.ones((3, 2), dtype=np.float32)
    params = {"W": W}
    before = W.copy()
    for _ in range(3):
        # float64 gradients must not turn float32 parameters into float64
        opt.step(params, {"W": np.full((3, 2), 0.5)})
    assert params["W"] is W
    assert W.dtype == np.float32
    assert not np.array_equal(W, before)
    for buf in opt.state["W"].values():
        if isinstance(buf, np.ndarray):
            assert buf.dtype == np.float32
    # the pure rule keeps float32 too
    assert cls.rule(W, np.ones((3, 2), dtype=np.float32), {}, **hyper).dtype == np.float32


def test_state_is_per_parameter_and_created_lazily():
    opt = O.Momentum(lr=0.1, mu=0.9)
    assert opt.state == {}
    params = {"a": np.array([0.0]), "b": np.array([0.0, 0.0])}
    opt.step(params, {"a": np.array([1.0]), "b": np.array([-1.0, 2.0])})
    opt.step(params, {"a": np.array([1.0]), "b": np.array([-1.0, 2.0])})
    assert set(opt.state) == {"a", "b"}
    # each velocity saw only its own gradients: v = 0.9 g + g = 1.9 g
    np.testing.assert_allclose(opt.state["a"]["v"], [1.9])
    np.testing.assert_allclose(opt.state["b"]["v"], [-1.9, 3.8])
    # a parameter that appears later gets fresh state
    params["c"] = np.array([0.0])
    opt.step(params, {"a": np.zeros(1), "b": np.zeros(2), "c": np.array([1.0])})
    np.testing.assert_allclose(opt.state["c"]["v"], [1.0])
    np.testing.assert_allclose(params["c"], [-0.1])


def test_reset_forgets_state_but_keeps_hyperparameters():
    opt = O.Adam(lr=0.1)
    params = {"w": np.array([1.0])}
    opt.step(params, {"w": np.array([1.0])})
    opt.step(params, {"w": np.array([-3.0])})
    opt.reset()
    assert opt.state == {} and opt.lr == 0.1
    w = params["w"].copy()
    opt.step(params, {"w": np.array([-3.0])})
    # after reset, the step is a first step again: lr * sign(g)
    np.testing.assert_allclose(params["w"] - w, [0.1], rtol=1e-7)


def test_lr_is_mutable_and_a_new_lr_scales_the_whole_velocity():
    opt = O.Momentum(lr=0.1, mu=0.9)
    params = {"w": np.array([0.0])}
    opt.step(params, {"w": np.array([1.0])})  # v = 1, w = -0.1
    opt.lr = 0.01
    opt.step(params, {"w": np.array([1.0])})  # v = 1.9, w = -0.1 - 0.019
    np.testing.assert_allclose(params["w"], [-0.119], rtol=1e-12)
    with pytest.raises(ValueError, match="lr must be in"):
        opt.lr = 0.0
    with pytest.raises(ValueError, match="mu must be in"):
        opt.mu = 1.0
    assert opt.lr == 0.01 and opt.mu == 0.9


def test_step_refuses_mismatched_keys_and_updates_nothing():
    opt = O.SGD(lr=0.1)
    params = {"W1": np.ones(2), "b1": np.ones(2)}
    with pytest.raises(ValueError, match=r"same keys; no gradient for \['b1'\]"):
        opt.step(params, {"W1": np.ones(2)})
    with pytest.raises(ValueError, match=r"gradients without a parameter: \['W2'\]"):
        opt.step(params, {"W1": np.ones(2), "b1": np.ones(2), "W2": np.ones(2)})
    np.testing.assert_array_equal(params["W1"], np.ones(2))


def test_step_refuses_mismatched_shapes_and_updates_nothing():
    opt = O.Adam()
    params = {"W1": np.ones((3, 1)), "b1": np.ones(2)}
    with pytest.raises(ValueError, match=r"params\['b1'\] has shape \(2,\) but grads\['b1'\]"):
        opt.step(params, {"W1": np.ones((3, 1)), "b1": np.ones(3)})
    # (3, 1) against (3,) is refused rather than broadcast to (3, 3)
    with pytest.raises(ValueError, match="must match exactly"):
        opt.step(params, {"W1": np.ones(3), "b1": np.ones(2)})
    np.testing.assert_array_equal(params["W1"], np.ones((3, 1)))
    assert opt.state == {}


def test_step_refuses_non_float_or_non_array_params():
    opt = O.SGD()
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float ndarray.*int64"):
        opt.step({"w": np.array([1, 2])}, {"w": np.ones(2)})
    with pytest.raises(TypeError, match=r"params\['w'\] must be a float ndarray.*list"):
        opt.step({"w": [1.0, 2.0]}, {"w": np.ones(2)})
    with pytest.raises(TypeError, match="params must be a dict"):
        opt.step([np.ones(2)], [np.ones(2)])


def test_state_of_another_shape_is_refused():
    state = {}
    O.adam(np.ones(3), np.ones(3), state)
    with pytest.raises(ValueError, match=r"state\['m'\] has shape \(3,\).*one state dict per"):
        O.adam(np.ones(4), np.ones(4), state)
    with pytest.raises(TypeError, match="state must be a dict"):
        O.momentum(np.ones(3), np.ones(3), None)


def test_optimizer_reused_on_another_model_says_to_reset():
    opt = O.Adam(lr=0.1)
    opt.step({"b1": np.ones(2), "W1": np.ones((3, 2))}, {"b1": np.ones(2), "W1": np.ones((3, 2))})
    # a new model: same names, W1 now (4, 2); b1 comes first and must not be updated
    params = {"b1": np.ones(2), "W1": np.ones((4, 2))}
    message = (
        "this optimizer holds state for a parameter of shape (3, 2) under key 'W1' but got "
        "shape (4, 2): it was used with another model; call optimizer.reset() or create a "
        "new optimizer"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        opt.step(params, {"b1": np.ones(2), "W1": np.ones((4, 2))})
    np.testing.assert_array_equal(params["b1"], np.ones(2))
    assert opt.state["b1"]["t"] == 1
    # after reset() the same call works, as a first step: lr * sign(g)
    opt.reset()
    opt.step(params, {"b1": np.ones(2), "W1": np.ones((4, 2))})
    np.testing.assert_allclose(params["W1"], np.full((4, 2), 0.9), rtol=1e-7)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_pure_rule_refuses_non_finite_w_or_dw(name, bad):
    rule, _, hyper = RULES[name]
    state = {}
    with pytest.raises(ValueError, match=r"^w must contain only finite values"):
        rule(np.array([1.0, bad]), np.ones(2), state, **hyper)
    with pytest.raises(ValueError, match=r"^dw must contain only finite values"):
        rule(np.ones(2), np.array([bad, 1.0]), state, **hyper)
    assert state == {}  # refused before any buffer was created


def test_class_step_does_not_scan_for_nan():
    # documented: the hot path skips the finiteness pass (fit checks the loss instead)
    params = {"w": np.array([1.0, 1.0])}
    O.SGD(lr=0.1).step(params, {"w": np.array([np.nan, 1.0])})
    assert np.isnan(params["w"][0]) and params["w"][1] == pytest.approx(0.9)


def test_pure_rule_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"w has shape \(2,\) but dw has shape \(3,\)"):
        O.sgd(np.ones(2), np.ones(3))


BAD_HYPER = [
    (O.SGD, {"lr": 0.0}, ValueError, "lr"),
    (O.SGD, {"lr": -0.1}, ValueError, "lr"),
    (O.SGD, {"lr": math.inf}, ValueError, "lr"),
    (O.SGD, {"lr": "0.1"}, TypeError, "lr"),
    (O.SGD, {"weight_decay": -1e-4}, ValueError, "weight_decay"),
    (O.Momentum, {"mu": 1.0}, ValueError, "mu"),
    (O.Momentum, {"mu": -0.1}, ValueError, "mu"),
    (O.EMAMomentum, {"beta": 1.0}, ValueError, "beta"),
    (O.EMAMomentum, {"bias_correction": "yes"}, TypeError, "bias_correction"),
    (O.Nesterov, {"mu": 1.5}, ValueError, "mu"),
    (O.AdaGrad, {"eps": 0.0}, ValueError, "eps"),
    (O.RMSProp, {"alpha": 1.0}, ValueError, "alpha"),
    (O.RMSProp, {"eps": -1e-8}, ValueError, "eps"),
    (O.Adam, {"beta1": 1.0}, ValueError, "beta1"),
    (O.Adam, {"beta2": -0.5}, ValueError, "beta2"),
    (O.Adam, {"eps": 0}, ValueError, "eps"),
    (O.Adam, {"amsgrad": 1}, TypeError, "amsgrad"),
    (O.Adam, {"weight_decay": math.nan}, ValueError, "weight_decay"),
]


@pytest.mark.parametrize(("cls", "hyper", "error", "arg"), BAD_HYPER)
def test_bad_hyperparameters_raise_naming_the_argument(cls, hyper, error, arg):
    with pytest.raises(error, match=rf"^{arg} must"):
        cls(**hyper)
    # the pure rule validates eagerly too, before touching state
    state = {}
    with pytest.raises(error, match=rf"^{arg} must"):
        cls.rule(np.ones(2), np.ones(2), state, **hyper)
    assert state == {}


def test_defaults_follow_pytorch():
    assert (O.SGD().lr, O.SGD().weight_decay) == (0.01, 0.0)
    assert (O.Momentum().lr, O.Momentum().mu) == (0.01, 0.9)
    assert (O.AdaGrad().lr, O.AdaGrad().eps) == (0.01, 1e-10)
    assert (O.RMSProp().lr, O.RMSProp().alpha, O.RMSProp().eps) == (0.01, 0.99, 1e-8)
    adam = O.Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps, adam.amsgrad) == (
        1e-3,
        0.9,
        0.999,
        1e-8,
        False,
    )


def test_repr_shows_hyperparameters():
    assert repr(O.SGD()) == "SGD(lr=0.01, weight_decay=0.0)"
    assert repr(O.EMAMomentum(lr=0.1, bias_correction=True)) == (
        "EMAMomentum(lr=0.1, beta=0.9, bias_correction=True, weight_decay=0.0)"
    )
    assert repr(O.RMSProp(alpha=0.9)) == "RMSProp(lr=0.01, alpha=0.9, eps=1e-08, weight_decay=0.0)"


def test_get_optimizer_registry():
    assert (*NAMES, "adamw") == O.OPTIMIZERS  # AdamW: tests/test_adamw.py
    for name in NAMES:
        assert type(O.get_optimizer(name)) is RULES[name][1]
    opt = O.get_optimizer("rmsprop", lr=0.001, alpha=0.9)
    assert (opt.lr, opt.alpha) == (0.001, 0.9)
    adam = O.Adam(lr=0.5)
    assert O.get_optimizer(adam) is adam
    assert O.OPTIMIZERS[-1] == "adamw" and type(O.get_optimizer("adamw")) is O.AdamW
    with pytest.raises(ValueError, match="unknown optimizer 'adam_w'; valid names are: 'sgd'"):
        O.get_optimizer("adam_w")
    with pytest.raises(TypeError, match="unknown hyper-parameter 'momentum' for optimizer 'sgd'"):
        O.get_optimizer("sgd", momentum=0.9)
    with pytest.raises(TypeError, match="cannot be given together"):
        O.get_optimizer(adam, lr=0.1)
    with pytest.raises(ValueError, match=r"^lr must"):
        O.get_optimizer("adam", lr=-1)


# ----------------------------------------------------------------------------------------
# The optimizer race on the ill-conditioned quadratic (FACTS)
# ----------------------------------------------------------------------------------------

RACE = [
    # (name, hyper-parameters, step budget); steps needed: 22, 16, 16, 19, 20, 56, 40, 40, 26
    ("sgd", {"lr": 0.1}, 60),
    ("momentum", {"lr": 0.05, "mu": 0.5}, 60),
    ("ema_momentum", {"lr": 0.1, "beta": 0.5}, 60),
    ("nesterov", {"lr": 0.05, "mu": 0.5}, 60),
    ("adagrad", {"lr": 1.0}, 60),
    ("rmsprop", {"lr": 0.05, "alpha": 0.9}, 150),
    ("adam", {"lr": 0.1}, 100),
    ("adam", {"lr": 0.1, "amsgrad": True}, 100),
    ("nesterov", {"lr": 0.02, "mu": 0.9}, 60),
]


@pytest.mark.parametrize(("name", "hyper", "budget"), RACE)
def test_optimizer_minimizes_ill_conditioned_quadratic(name, hyper, budget):
    opt = O.get_optimizer(name, **hyper)
    params = {"x": np.array([3.0, 3.0])}
    assert quad(params["x"]) == 54.0  # 9 + 9 + 36
    for _ in range(budget):
        opt.step(params, {"x": quad_grad(params["x"])})
        if quad(params["x"]) < 1e-3:
            break
    assert quad(params["x"]) < 1e-3


# ----------------------------------------------------------------------------------------
# Independent implementation: torch.optim (optional; skipped when torch is absent)
# ----------------------------------------------------------------------------------------


def _torch_optimizer(torch, name, x, hyper):
    wd = hyper.get("weight_decay", 0.0)
    if name == "sgd":
        return torch.optim.SGD([x], lr=hyper["lr"], weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(
            [x], lr=hyper["lr"], momentum=hyper["mu"], nesterov=name == "nesterov", weight_decay=wd
        )
    if name == "ema_momentum":  # equals classic momentum with lr * (1 - beta)
        beta = hyper["beta"]
        return torch.optim.SGD([x], lr=hyper["lr"] * (1 - beta), momentum=beta, weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad([x], lr=hyper["lr"], eps=1e-10, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(
            [x], lr=hyper["lr"], alpha=hyper.get("alpha", 0.99), eps=1e-8, weight_decay=wd
        )
    if name == "adamw":
        return torch.optim.AdamW([x], lr=hyper["lr"], weight_decay=wd)
    return torch.optim.Adam(
        [x],
        lr=hyper["lr"],
        betas=(0.9, 0.999),
        eps=1e-8,
        amsgrad=hyper.get("amsgrad", False),
        weight_decay=wd,
    )


TORCH_CASES = [
    *RACE,
    ("adam", {"lr": 0.05, "weight_decay": 0.1}, 50),
    ("momentum", {"lr": 0.05, "mu": 0.9, "weight_decay": 0.01}, 50),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1}, 50),
]


@pytest.mark.parametrize(("name", "hyper", "budget"), TORCH_CASES)
def test_trajectory_matches_torch_optim(name, hyper, budget):
    torch = pytest.importorskip("torch")
    x = torch.tensor([3.0, 3.0], dtype=torch.float64, requires_grad=True)
    t_opt = _torch_optimizer(torch, name, x, hyper)
    opt = O.get_optimizer(name, **hyper)
    params = {"x": np.array([3.0, 3.0])}
    for _ in range(budget):
        t_opt.zero_grad()
        loss = x[0] ** 2 + x[0] * x[1] + 4 * x[1] ** 2
        loss.backward()
        t_opt.step()
        opt.step(params, {"x": quad_grad(params["x"])})
        np.testing.assert_allclose(params["x"], x.detach().numpy(), rtol=1e-9, atol=1e-12)
