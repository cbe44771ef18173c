"""Tests for Adam's bias_correction flag and for AdamW (decoupled weight decay)."""

import math

import numpy as np
import pytest

from nnlib import optimizers as O


def adamw_loop(w0, grads, lr, beta1, beta2, eps, wd, bias_correction=True):
    """AdamW written from its formula, w <- w - lr (m_hat / (sqrt(v_hat) + eps) + wd w)."""
    w, m, v, out = np.array(w0, dtype=float), 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t) if bias_correction else m
        v_hat = v / (1 - beta2**t) if bias_correction else v
        w = w - lr * (m_hat / (np.sqrt(v_hat) + eps) + wd * w)
        out.append(w)
    return np.array(out)


def run_rule(rule, w0, grads, **hyper):
    state, w, out = {}, np.array(w0, dtype=float), []
    for g in grads:
        w = rule(w, g, state, **hyper)
        out.append(w)
    return np.array(out), state


def run_class(cls, w0, grads, **hyper):
    opt, params, out = cls(**hyper), {"w": np.array(w0, dtype=float)}, []
    for g in grads:
        opt.step(params, {"w": g})
        out.append(params["w"].copy())
    return np.array(out), opt


# ---------------------------------------------------------------- Adam without correction


def test_adam_without_bias_correction_first_steps_facts():
    # Constant gradient, default betas: the uncorrected step is lr (1 - b1^t) / sqrt(1 - b2^t)
    # = 3.162, 4.250, 4.950 times the corrected one (which is lr). FACTS: 3.16x, 4.25x, 4.95x.
    g = np.array([2.0])
    grads = [g] * 3
    lr = 1e-3
    corrected, _ = run_rule(O.adam, [0.0], grads, lr=lr)
    raw, _ = run_rule(O.adam, [0.0], grads, lr=lr, bias_correction=False)
    raw_steps = -np.diff(np.concatenate([[0.0], raw[:, 0]]))
    cor_steps = -np.diff(np.concatenate([[0.0], corrected[:, 0]]))
    np.testing.assert_allclose(cor_steps, lr, rtol=1e-7)
    ratios = raw_steps / cor_steps
    t = np.arange(1, 4)
    # rtol 1e-6: eps = 1e-8 beside sqrt(v) = 0.063 changes the ratio by 2e-7
    np.testing.assert_allclose(ratios, (1 - 0.9**t) / np.sqrt(1 - 0.999**t), rtol=1e-6)
    assert [round(r, 2) for r in ratios] == [3.16, 4.25, 4.95]
    # the class follows the rule
    by_class, opt = run_class(O.Adam, [0.0], grads, lr=lr, bias_correction=False)
    np.testing.assert_allclose(by_class, raw, rtol=1e-14)
    assert opt.bias_correction is False


def test_adam_without_bias_correction_by_hand_and_same_state():
    # w = 1, g = 4, lr = 0.1: m = 0.4, v = 0.016, step = 0.1 * 0.4 / (sqrt(0.016) + 1e-8)
    state_raw, state_cor = {}, {}
    raw = O.adam(np.array([1.0]), np.array([4.0]), state_raw, lr=0.1, bias_correction=False)
    O.adam(np.array([1.0]), np.array([4.0]), state_cor, lr=0.1)
    np.testing.assert_allclose(raw, [1 - 0.1 * 0.4 / (math.sqrt(0.016) + 1e-8)], rtol=1e-15)
    # the flag changes the step, never the stored averages
    for key in ("m", "v"):
        np.testing.assert_array_equal(state_raw[key], state_cor[key])
    assert state_raw["t"] == state_cor["t"] == 1


def test_adam_with_correction_off_tends_to_the_corrected_steps():
    # 1 - beta^t -> 1: after ~10,000 steps the two forms agree to 1e-4 relative
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(12_000, 2))
    w_cor, w_raw = np.zeros(2), np.zeros(2)
    s_cor, s_raw = {}, {}
    for g in grads:
        new_cor = O.adam(w_cor, g, s_cor, lr=1e-3)
        new_raw = O.adam(w_raw, g, s_raw, lr=1e-3, bias_correction=False)
        step_cor, step_raw = w_cor - new_cor, w_raw - new_raw
        w_cor, w_raw = new_cor, new_raw
    np.testing.assert_allclose(step_raw, step_cor, rtol=1e-4)


# ---------------------------------------------------------------------------- AdamW


def test_adamw_first_step_by_hand_and_adam_l2_differs():
    # w = 2, g = 0.5, lr = 0.1, wd = 0.5: Adam's first step lr * sign(g) = 0.1, plus the decay
    # lr * wd * w = 0.1: w1 = 1.8. Adam with the same coefficient as L2: g' = 0.5 + 0.5*2 =
    # 1.5, first step still lr * sign(g') = 0.1: w1 = 1.9. Same coefficient, another update.
    w, g = np.array([2.0]), np.array([0.5])
    np.testing.assert_allclose(O.adamw(w, g, {}, lr=0.1, weight_decay=0.5), [1.8], rtol=1e-7)
    np.testing.assert_allclose(O.adam(w, g, {}, lr=0.1, weight_decay=0.5), [1.9], rtol=1e-7)


@pytest.mark.parametrize("bias_correction", [True, False])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_matches_its_formula_rule_and_class(bias_correction, amsgrad):
    rng = np.random.default_rng(1)
    w0 = rng.uniform(1, 2, size=(4, 3))
    grads = rng.normal(size=(30, 4, 3))
    hyper = {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    by_rule, state = run_rule(
        O.adamw, w0, grads, **hyper, weight_decay=0.3, amsgrad=amsgrad,
        bias_correction=bias_correction,
    )  # fmt: skip
    by_class, opt = run_class(
        O.AdamW, w0, grads, **hyper, weight_decay=0.3, amsgrad=amsgrad,
        bias_correction=bias_correction,
    )  # fmt: skip
    np.testing.assert_allclose(by_class, by_rule, rtol=1e-13)
    assert state["t"] == opt.state["w"]["t"] == 30
    if not amsgrad:  # the loop has no v_max
        ref = adamw_loop(w0, grads, **hyper, wd=0.3, bias_correction=bias_correction)
        np.testing.assert_allclose(by_rule, ref, rtol=1e-13)


def test_adamw_equals_pytorchs_two_step_form():
    # torch.optim.AdamW: w <- w (1 - lr wd), then Adam's step (no decay in the gradient)
    rng = np.random.default_rng(2)
    w, w_torch, s, s_torch = rng.normal(size=5), None, {}, {}
    w_torch = w.copy()
    for g in rng.normal(size=(20, 5)):
        w = O.adamw(w, g, s, lr=0.01, weight_decay=0.1)
        w_torch = O.adam(w_torch * (1 - 0.01 * 0.1), g, s_torch, lr=0.01)
        np.testing.assert_allclose(w, w_torch, rtol=1e-13)


def test_adamw_with_no_decay_is_adam_and_decay_is_outside_the_moments():
    rng = np.random.default_rng(3)
    w0, grads = rng.normal(size=6), rng.normal(size=(15, 6))
    no_decay, _ = run_rule(O.adamw, w0, grads, lr=0.01, weight_decay=0.0)
    adam, s1 = run_rule(O.adam, w0, grads, lr=0.01)
    np.testing.assert_array_equal(no_decay, adam)
    # with decay the moments still see only the raw gradients
    _, s2 = run_rule(O.adamw, w0, grads, lr=0.01, weight_decay=0.5)
    for key in ("m", "v"):
        np.testing.assert_array_equal(s2[key], s1[key])
    # coupled L2 puts wd * w into them
    _, s3 = run_rule(O.adam, w0, grads, lr=0.01, weight_decay=0.5)
    assert not np.allclose(s3["m"], s1["m"])


def test_adamw_with_zero_gradient_shrinks_by_exactly_one_minus_lr_wd():
    w0 = np.array([3.0, -1.5, 0.25])
    decayed, _ = run_rule(O.adamw, w0, [np.zeros(3)] * 5, lr=0.1, weight_decay=0.2)
    np.testing.assert_allclose(decayed, w0 * 0.98 ** np.arange(1, 6)[:, None], rtol=1e-14)
    by_class, _ = run_class(O.AdamW, w0, [np.zeros(3)] * 5, lr=0.1, weight_decay=0.2)
    np.testing.assert_allclose(by_class, decayed, rtol=1e-14)
    # Adam's L2 instead steps lr * sign(w) at once: the gradient is wd * w alone
    l2 = O.adam(w0, np.zeros(3), {}, lr=0.1, weight_decay=0.2)
    np.testing.assert_allclose(w0 - l2, 0.1 * np.sign(w0), rtol=1e-6)


def test_decoupled_and_l2_differ_for_adam_but_not_for_sgd():
    # On f(w) = 0.5 * sum(a * w^2), curvatures a from 0.01 to 100: Adam + L2 divides the decay
    # term by sqrt(v_hat) with the loss gradient, AdamW does not; after 200 steps the
    # iterates are 0.0096 and 0.0156 (a difference of 0.006 in every coordinate).
    a = np.array([0.01, 1.0, 100.0])
    w0 = np.array([1.0, 1.0, 1.0])
    wd, lr = 0.1, 0.01
    w_w, w_l2, s_w, s_l2 = w0.copy(), w0.copy(), {}, {}
    for _ in range(200):
        w_w = O.adamw(w_w, a * w_w, s_w, lr=lr, weight_decay=wd)
        w_l2 = O.adam(w_l2, a * w_l2, s_l2, lr=lr, weight_decay=wd)
    assert np.min(np.abs(w_w - w_l2)) > 5e-3
    # a large gradient hides the L2 term: with a linear loss of slope 100, Adam + L2 barely
    # sees wd * w (its step stays ~lr), while AdamW adds lr * wd * w on top
    w = np.array([1.0])
    step_l2 = w - O.adam(w, np.array([100.0]), {}, lr=lr, weight_decay=wd)
    step_w = w - O.adamw(w, np.array([100.0]), {}, lr=lr, weight_decay=wd)
    np.testing.assert_allclose(step_l2, lr, rtol=1e-6)
    np.testing.assert_allclose(step_w, lr + lr * wd, rtol=1e-6)
    # SGD: L2 (g + wd w) and decoupled decay (w (1 - lr wd) - lr g) are the same update
    g = a * w0
    np.testing.assert_allclose(
        O.sgd(w0, g, lr=lr, weight_decay=wd), w0 * (1 - lr * wd) - lr * g, rtol=1e-12
    )


def test_adamw_class_in_place_float32_repr_and_registry():
    W = np.ones((3, 2), dtype=np.float32)
    opt = O.get_optimizer("adamw", lr=0.01)
    opt.step({"W": W}, {"W": np.full((3, 2), 0.5)})
    assert W.dtype == np.float32
    np.testing.assert_allclose(W, 1 - 0.01 - 0.01 * 0.01, rtol=1e-6)
    assert repr(opt) == (
        "AdamW(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08, amsgrad=False, weight_decay=0.01, "
        "bias_correction=True)"
    )
    assert O.AdamW.rule is O.adamw and O.AdamW().weight_decay == 0.01  # torch's default
    assert O.Adam().weight_decay == 0.0 and O.Adam().bias_correction is True


BAD = [
    ({"weight_decay": -0.1}, ValueError, "weight_decay"),
    ({"weight_decay": "0.1"}, TypeError, "weight_decay"),
    ({"bias_correction": 1}, TypeError, "bias_correction"),
    ({"lr": 0.0}, ValueError, "lr"),
    ({"beta1": 1.0}, ValueError, "beta1"),
    ({"eps": -1.0}, ValueError, "eps"),
]


@pytest.mark.parametrize(("hyper", "error", "arg"), BAD)
@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_bad_hyperparameters_name_the_argument(name, hyper, error, arg):
    cls, rule = O._CLASSES[name], getattr(O, name)
    with pytest.raises(error, match=rf"^{arg} must"):
        cls(**hyper)
    state = {}
    with pytest.raises(error, match=rf"^{arg} must"):
        rule(np.ones(2), np.ones(2), state, **hyper)
    assert state == {}
    opt = cls()
    with pytest.raises(error, match=rf"^{arg} must"):
        setattr(opt, arg, hyper[arg])


def test_adamw_rule_refuses_bad_arrays():
    with pytest.raises(ValueError, match=r"^dw must contain only finite values"):
        O.adamw(np.ones(2), np.array([np.nan, 1.0]), {})
    with pytest.raises(ValueError, match=r"w has shape \(2,\) but dw has shape \(3,\)"):
        O.adamw(np.ones(2), np.ones(3), {})
