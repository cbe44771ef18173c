"""Mutants of assignment 2: plausible wrong update rules, each with the hint its check must
give (LESSONS.md §8.3), and correct answers written the way students write them.

Every function uses only ``np`` and this module's helpers (``_adam_step`` for the
trajectory's mistakes), so `source` pastes a function together with the helpers it calls,
renamed to the student's function. `CORRECT` holds textbook solutions in other orders of
operations (the paper's Adam and its "efficient" form with eps-hat, an EMA as a weighted
sum, in-place updates on a copy, a namedtuple), which must score full marks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograder.mutants import a1
from autograder.mutants.a1 import Mutant

__all__ = ["ADVERSARIAL", "CORRECT", "MUTANTS", "source"]


#: A mutant or correct answer's source, renamed to the student's function, after the helpers
#: of this module it calls (`autograder.mutants.a1.source_with_helpers`).
source = a1.source_with_helpers


# ============================================================================ correct answers


def ema_textbook(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def ema_weighted_sum(x, beta, bias_correction):
    T = x.shape[0]
    t = np.arange(1, T + 1)
    lag = t[:, None] - t[None, :]
    weights = np.where(lag >= 0, (1 - beta) * beta ** np.maximum(lag, 0), 0.0)
    if bias_correction:
        weights = weights / (1 - beta**t)[:, None]
    return np.tensordot(weights, x, axes=(1, 0))


def sgd_momentum_textbook(w, dw, v, lr, mu):
    v = mu * v + dw
    w = w - lr * v
    return w, v


def sgd_momentum_in_place(w, dw, v, lr, mu):
    w, v = w.copy(), v.copy()
    v *= mu
    v += dw
    w -= lr * v
    return w, v


def ema_momentum_textbook(w, dw, v, lr, beta):
    v = beta * v + (1 - beta) * dw
    return w - lr * v, v


def ema_momentum_interpolated(w, dw, v, lr, beta):
    v = v + (1 - beta) * (dw - v)
    return w - lr * v, v


def nesterov_textbook(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (dw + mu * v), v


def nesterov_expanded(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * dw - lr * mu * v_new, v_new


def nesterov_lookahead_textbook(w, v, grad_fn, lr, mu):
    v = mu * v - lr * grad_fn(w + mu * v)
    return w + v, v


def nesterov_lookahead_two_lines(w, v, grad_fn, lr, mu):
    ahead = w + mu * v
    g = grad_fn(ahead)
    v_new = mu * v - lr * g
    w_new = w + mu * v - lr * g
    return w_new, v_new


def adagrad_textbook(w, dw, s, lr, eps):
    s = s + dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s


def rmsprop_textbook(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s


def rmsprop_interpolated(w, dw, s, lr, alpha, eps):
    s = s + (1 - alpha) * (dw * dw - s)
    return w - lr * dw / (np.sqrt(s) + eps), s


def adam_textbook(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_efficient_form(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    eps_hat = eps * np.sqrt(1 - beta2**t)
    return w - lr_t * m / (np.sqrt(v) + eps_hat), m, v


def adam_namedtuple(w, dw, m, v, t, lr, beta1, beta2, eps):
    from collections import namedtuple

    AdamState = namedtuple("AdamState", "w m v")
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return AdamState(w - step, m, v)


def _adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_trajectory_textbook(w0, grads, lr, beta1, beta2, eps):
    w, m, v = w0, np.zeros_like(w0), np.zeros_like(w0)
    out = []
    for t in range(1, len(grads) + 1):
        w, m, v = _adam_step(w, grads[t - 1], m, v, t, lr, beta1, beta2, eps)
        out.append(w)
    return np.array(out)


def step_decay_textbook(t, lr0, drop, every):
    return lr0 * drop ** (t // every)


def step_decay_floor(t, lr0, drop, every):
    return lr0 * np.power(drop, np.floor(np.asarray(t) / every))


def exponential_decay_textbook(t, lr0, k):
    return lr0 * np.exp(-k * t)


def exponential_decay_powers(t, lr0, k):
    return lr0 * np.exp(-k) ** t


def inverse_time_decay_textbook(t, lr0, k):
    return lr0 / (1 + k * t)


def linear_decay_textbook(t, lr0, lr_final, n):
    return lr0 + (lr_final - lr0) * np.minimum(t, n) / n


def linear_decay_interpolated(t, lr0, lr_final, n):
    frac = np.clip(t / n, 0.0, 1.0)
    return (1 - frac) * lr0 + frac * lr_final


def tune_momentum_heavy_ball():
    lam_min, lam_max = 1.0, 50.0
    lr = 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
    mu = ((np.sqrt(lam_max) - np.sqrt(lam_min)) / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2
    return float(lr), float(mu)


def tune_momentum_by_hand():
    return 0.03, 0.7


#: Correct answers that must score full marks, by question.
CORRECT: dict[str, tuple[Callable, ...]] = {
    "a2.ema": (ema_textbook, ema_weighted_sum),
    "a2.sgd_momentum": (sgd_momentum_textbook, sgd_momentum_in_place),
    "a2.ema_momentum": (ema_momentum_textbook, ema_momentum_interpolated),
    "a2.nesterov": (nesterov_textbook, nesterov_expanded),
    "a2.nesterov_lookahead": (nesterov_lookahead_textbook, nesterov_lookahead_two_lines),
    "a2.adagrad": (adagrad_textbook,),
    "a2.rmsprop": (rmsprop_textbook, rmsprop_interpolated),
    "a2.adam": (adam_textbook, adam_efficient_form, adam_namedtuple),
    "a2.adam_trajectory": (adam_trajectory_textbook,),
    "a2.step_decay": (step_decay_textbook, step_decay_floor),
    "a2.exponential_decay": (exponential_decay_textbook, exponential_decay_powers),
    "a2.inverse_time_decay": (inverse_time_decay_textbook,),
    "a2.linear_decay": (linear_decay_textbook, linear_decay_interpolated),
    "a2.tune_momentum": (tune_momentum_heavy_ball, tune_momentum_by_hand),
}

# ============================================================================ ema


def ema_init_first(x, beta, bias_correction):
    v = x[0].copy()
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def ema_swapped_weights(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = (1 - beta) * v + beta * x[t - 1]
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def ema_t_from_zero(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(x.shape[0]):
        v = beta * v + (1 - beta) * x[t]
        out[t] = v / (1 - beta**t) if bias_correction else v
    return out


def ema_correct_the_state(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        if bias_correction:
            v = v / (1 - beta**t)
        out[t - 1] = v
    return out


def ema_multiply_correction(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        out[t - 1] = v * (1 - beta**t) if bias_correction else v
    return out


def ema_always_corrected(x, beta, bias_correction):
    v = np.zeros(x.shape[1:])
    out = np.zeros(x.shape)
    for t in range(1, x.shape[0] + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        out[t - 1] = v / (1 - beta**t)
    return out


def ema_running_mean(x, beta, bias_correction):
    counts = np.arange(1, x.shape[0] + 1).reshape((-1,) + (1,) * (x.ndim - 1))
    return np.cumsum(x, axis=0) / counts


# ============================================================================ momentum


def sgd_momentum_old_velocity(w, dw, v, lr, mu):
    w = w - lr * v
    v = mu * v + dw
    return w, v


def sgd_momentum_ascent(w, dw, v, lr, mu):
    v = mu * v + dw
    return w + lr * v, v


def sgd_momentum_lr_twice(w, dw, v, lr, mu):
    v = mu * v + lr * dw
    return w - lr * v, v


def sgd_momentum_ema_form(w, dw, v, lr, mu):
    v = mu * v + (1 - mu) * dw
    return w - lr * v, v


def sgd_momentum_cs231n_mixed(w, dw, v, lr, mu):
    v = mu * v - lr * dw
    return w - v, v


def sgd_momentum_no_mu(w, dw, v, lr, mu):
    v = v + dw
    return w - lr * v, v


def sgd_momentum_two_tap(w, dw, v, lr, mu):
    g_prev = v
    return w - lr * (dw + mu * g_prev), dw.copy()


def ema_momentum_old_velocity(w, dw, v, lr, beta):
    w = w - lr * v
    return w, beta * v + (1 - beta) * dw


def ema_momentum_ascent(w, dw, v, lr, beta):
    v = beta * v + (1 - beta) * dw
    return w + lr * v, v


def ema_momentum_pytorch_form(w, dw, v, lr, beta):
    v = beta * v + dw
    return w - lr * v, v


def ema_momentum_swapped(w, dw, v, lr, beta):
    v = (1 - beta) * v + beta * dw
    return w - lr * v, v


def ema_momentum_no_decay(w, dw, v, lr, beta):
    v = v + (1 - beta) * dw
    return w - lr * v, v


def ema_momentum_lr_inside(w, dw, v, lr, beta):
    v = beta * v + (1 - beta) * lr * dw
    return w - v, v


def ema_momentum_negative_velocity(w, dw, v, lr, beta):
    v = beta * v - (1 - beta) * dw
    return w + lr * v, v


# ============================================================================ nesterov


def nesterov_as_momentum(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * v, v


def nesterov_state_not_updated(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * (dw + mu * v_new), v


def nesterov_double_g(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * (2 * dw + mu * v), v_new


def nesterov_ema_form(w, dw, v, lr, mu):
    v = mu * v + (1 - mu) * dw
    return w - lr * (dw + mu * v), v


def nesterov_ascent(w, dw, v, lr, mu):
    v = mu * v + dw
    return w + lr * (dw + mu * v), v


def nesterov_lr_in_velocity(w, dw, v, lr, mu):
    v = mu * v + lr * dw
    return w - (lr * dw + mu * v), v


def nesterov_lookahead_at_w(w, v, grad_fn, lr, mu):
    v = mu * v - lr * grad_fn(w)
    return w + v, v


def nesterov_lookahead_uphill(w, v, grad_fn, lr, mu):
    v = mu * v - lr * grad_fn(w - mu * v)
    return w + v, v


def nesterov_lookahead_lr_twice(w, v, grad_fn, lr, mu):
    v = mu * v - lr * grad_fn(w + lr * mu * v)
    return w + v, v


def nesterov_lookahead_no_mu(w, v, grad_fn, lr, mu):
    v_new = mu * v - lr * grad_fn(w + v)
    return w + v_new, v_new


def nesterov_lookahead_old_velocity(w, v, grad_fn, lr, mu):
    v_new = mu * v - lr * grad_fn(w + mu * v)
    return w + v, v_new


def nesterov_lookahead_pytorch_sign(w, v, grad_fn, lr, mu):
    v = mu * v + lr * grad_fn(w + mu * v)
    return w - v, v


# ============================================================================ adagrad, rmsprop


def adagrad_as_rmsprop(w, dw, s, lr, eps):
    s = 0.99 * s + 0.01 * dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s


def adagrad_eps_inside(w, dw, s, lr, eps):
    s = s + dw**2
    return w - lr * dw / np.sqrt(s + eps), s


def adagrad_no_sqrt(w, dw, s, lr, eps):
    s = s + dw**2
    return w - lr * dw / (s + eps), s


def adagrad_abs(w, dw, s, lr, eps):
    s = s + np.abs(dw)
    return w - lr * dw / (np.sqrt(s) + eps), s


def adagrad_step_before_update(w, dw, s, lr, eps):
    w = w - lr * dw / (np.sqrt(s) + eps)
    return w, s + dw**2


def rmsprop_eps_inside(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw**2
    return w - lr * dw / np.sqrt(s + eps), s


def rmsprop_no_sqrt(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw**2
    return w - lr * dw / (s + eps), s


def rmsprop_abs(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * np.abs(dw)
    return w - lr * dw / (np.sqrt(s) + eps), s


def rmsprop_step_before_update(w, dw, s, lr, alpha, eps):
    w = w - lr * dw / (np.sqrt(s) + eps)
    return w, alpha * s + (1 - alpha) * dw**2


def rmsprop_alpha_swapped(w, dw, s, lr, alpha, eps):
    s = (1 - alpha) * s + alpha * dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s


def rmsprop_as_adagrad(w, dw, s, lr, alpha, eps):
    s = s + dw**2
    return w - lr * dw / (np.sqrt(s) + eps), s


# ============================================================================ adam


def adam_no_correction(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_correct_m_only(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v


def adam_correct_v_only(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_store_corrected(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m = m / (1 - beta1**t)
    v = v / (1 - beta2**t)
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_increments_t(w, dw, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_beta_times_t(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1 * t)
    v_hat = v / (1 - beta2 * t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_eps_inside(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_keras_epsilon(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return w - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_betas_swapped(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta2 * m + (1 - beta2) * dw
    v = beta1 * v + (1 - beta1) * dw**2
    m_hat = m / (1 - beta2**t)
    v_hat = v / (1 - beta1**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_one_minus_beta(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + dw
    v = beta2 * v + dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_t_always_one(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1)
    v_hat = v / (1 - beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_abs_gradient(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * np.abs(dw)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# ============================================================================ adam_trajectory


def adam_trajectory_t_from_zero(w0, grads, lr, beta1, beta2, eps):
    w, m, v = w0, np.zeros_like(w0), np.zeros_like(w0)
    out = []
    for t in range(len(grads)):
        w, m, v = _adam_step(w, grads[t], m, v, t, lr, beta1, beta2, eps)
        out.append(w)
    return np.array(out)


def adam_trajectory_state_reset(w0, grads, lr, beta1, beta2, eps):
    w = w0
    out = []
    for t in range(1, len(grads) + 1):
        zeros = np.zeros_like(w0)
        w = _adam_step(w, grads[t - 1], zeros, zeros, t, lr, beta1, beta2, eps)[0]
        out.append(w)
    return np.array(out)


def adam_trajectory_final_only(w0, grads, lr, beta1, beta2, eps):
    w, m, v = w0, np.zeros_like(w0), np.zeros_like(w0)
    for t in range(1, len(grads) + 1):
        w, m, v = _adam_step(w, grads[t - 1], m, v, t, lr, beta1, beta2, eps)
    return w


def adam_trajectory_with_w0(w0, grads, lr, beta1, beta2, eps):
    w, m, v = w0, np.zeros_like(w0), np.zeros_like(w0)
    out = [w0]
    for t in range(1, len(grads)):
        w, m, v = _adam_step(w, grads[t - 1], m, v, t, lr, beta1, beta2, eps)
        out.append(w)
    return np.array(out)


def adam_trajectory_t_fixed(w0, grads, lr, beta1, beta2, eps):
    w, m, v = w0, np.zeros_like(w0), np.zeros_like(w0)
    out = []
    for g in grads:
        w, m, v = _adam_step(w, g, m, v, 1, lr, beta1, beta2, eps)
        out.append(w)
    return np.array(out)


def adam_trajectory_from_w0(w0, grads, lr, beta1, beta2, eps):
    m, v = np.zeros_like(w0), np.zeros_like(w0)
    out = []
    for t in range(1, len(grads) + 1):
        w, m, v = _adam_step(w0, grads[t - 1], m, v, t, lr, beta1, beta2, eps)
        out.append(w)
    return np.array(out)


# ============================================================================ schedules


def step_decay_inverted(t, lr0, drop, every):
    with np.errstate(divide="ignore"):
        return lr0 * drop ** np.floor(every / np.asarray(t, dtype=float))


def step_decay_ceil(t, lr0, drop, every):
    return lr0 * drop ** np.ceil(t / every)


def step_decay_smooth(t, lr0, drop, every):
    return lr0 * drop ** (t / every)


def step_decay_from_one(t, lr0, drop, every):
    return lr0 * drop ** ((t + 1) // every)


def step_decay_every_epoch(t, lr0, drop, every):
    return lr0 * drop ** np.asarray(t, dtype=float)


def exponential_decay_growing(t, lr0, k):
    return lr0 * np.exp(k * t)


def exponential_decay_base(t, lr0, k):
    return lr0 * np.exp(-k) * t


def exponential_decay_power_of_lr0(t, lr0, k):
    return lr0 ** (1 + k * t)


def exponential_decay_discrete(t, lr0, k):
    return lr0 * (1 - k) ** t


def exponential_decay_k_inverted(t, lr0, k):
    return lr0 * np.exp(-t / k)


def exponential_decay_from_one(t, lr0, k):
    return lr0 * np.exp(-k * (t + 1))


def inverse_time_decay_compounding(t, lr0, k):
    out = np.zeros(np.shape(t))
    for j, epoch in enumerate(np.asarray(t).ravel()):
        eta = lr0
        for i in range(1, int(epoch) + 1):
            eta /= 1 + k * i
        out.flat[j] = eta
    return out


def inverse_time_decay_power_of_lr0(t, lr0, k):
    return lr0 ** (1 + k * t)


def inverse_time_decay_no_one(t, lr0, k):
    with np.errstate(divide="ignore"):
        return lr0 / (k * np.asarray(t, dtype=float))


def inverse_time_decay_sqrt(t, lr0, k):
    return lr0 / np.sqrt(1 + k * t)


def inverse_time_decay_from_one(t, lr0, k):
    return lr0 / (1 + k * (t + 1))


def linear_decay_unclipped(t, lr0, lr_final, n):
    return lr0 + (lr_final - lr0) * t / n


def linear_decay_to_zero(t, lr0, lr_final, n):
    return lr0 * (1 - np.minimum(t, n) / n)


def linear_decay_swapped(t, lr0, lr_final, n):
    return lr_final + (lr0 - lr_final) * np.minimum(t, n) / n


def linear_decay_n_minus_one(t, lr0, lr_final, n):
    return lr0 + (lr_final - lr0) * np.minimum(t / (n - 1), 1.0)


def linear_decay_from_one(t, lr0, lr_final, n):
    return lr0 + (lr_final - lr0) * np.minimum(t + 1, n) / n


# ============================================================================ tune_momentum


def tune_momentum_no_momentum():
    return 0.035, 0.0


def tune_momentum_too_large():
    return 0.2, 0.9


def tune_momentum_out_of_range():
    return 0.05, 1.2


def tune_momentum_too_slow():
    return 0.001, 0.9


def tune_momentum_swapped():
    return 0.7, 0.03


def _m(question, fn, hint):
    return Mutant(question, fn.__name__, fn, hint)


#: Every mutant of assignment 2 with the hint id its check must report.
MUTANTS: tuple[Mutant, ...] = (
    _m("a2.ema", ema_init_first, "ema-init-first"),
    _m("a2.ema", ema_swapped_weights, "ema-swapped-weights"),
    _m("a2.ema", ema_t_from_zero, "ema-t-from-zero"),
    _m("a2.ema", ema_correct_the_state, "ema-correct-the-state"),
    _m("a2.ema", ema_multiply_correction, "ema-multiply-correction"),
    _m("a2.ema", ema_always_corrected, "ema-correction-flag-ignored"),
    _m("a2.ema", ema_running_mean, "cumulative-mean"),
    _m("a2.sgd_momentum", sgd_momentum_old_velocity, "momentum-update-order"),
    _m("a2.sgd_momentum", sgd_momentum_ascent, "momentum-sign"),
    _m("a2.sgd_momentum", sgd_momentum_lr_twice, "momentum-lr-twice"),
    _m("a2.sgd_momentum", sgd_momentum_ema_form, "momentum-ema-form"),
    _m("a2.sgd_momentum", sgd_momentum_cs231n_mixed, "momentum-cs231n-form-mixed"),
    _m("a2.sgd_momentum", sgd_momentum_no_mu, "momentum-no-mu"),
    _m("a2.sgd_momentum", sgd_momentum_two_tap, "two-tap"),
    _m("a2.ema_momentum", ema_momentum_old_velocity, "momentum-update-order"),
    _m("a2.ema_momentum", ema_momentum_ascent, "momentum-sign"),
    _m("a2.ema_momentum", ema_momentum_pytorch_form, "ema-momentum-no-damping"),
    _m("a2.ema_momentum", ema_momentum_swapped, "ema-swapped-weights"),
    _m("a2.ema_momentum", ema_momentum_no_decay, "momentum-no-mu"),
    _m("a2.ema_momentum", ema_momentum_lr_inside, "lr-in-velocity"),
    _m("a2.ema_momentum", ema_momentum_negative_velocity, "velocity-sign"),
    _m("a2.nesterov", nesterov_as_momentum, "nesterov-is-momentum"),
    _m("a2.nesterov", nesterov_state_not_updated, "velocity-not-returned"),
    _m("a2.nesterov", nesterov_double_g, "nesterov-double-g"),
    _m("a2.nesterov", nesterov_ema_form, "momentum-ema-form"),
    _m("a2.nesterov", nesterov_ascent, "update-sign"),
    _m("a2.nesterov", nesterov_lr_in_velocity, "lr-in-velocity"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_at_w, "lookahead-missing"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_uphill, "lookahead-sign"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_lr_twice, "lookahead-scaled-by-lr"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_no_mu, "lookahead-without-mu"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_old_velocity, "lookahead-old-velocity"),
    _m("a2.nesterov_lookahead", nesterov_lookahead_pytorch_sign, "lookahead-velocity-sign"),
    _m("a2.adagrad", adagrad_as_rmsprop, "adagrad-is-rmsprop"),
    _m("a2.adagrad", adagrad_eps_inside, "eps-inside-sqrt"),
    _m("a2.adagrad", adagrad_no_sqrt, "no-sqrt"),
    _m("a2.adagrad", adagrad_abs, "g-not-squared"),
    _m("a2.adagrad", adagrad_step_before_update, "state-updated-after-step"),
    _m("a2.rmsprop", rmsprop_eps_inside, "eps-inside-sqrt"),
    _m("a2.rmsprop", rmsprop_no_sqrt, "no-sqrt"),
    _m("a2.rmsprop", rmsprop_abs, "g-not-squared"),
    _m("a2.rmsprop", rmsprop_step_before_update, "state-updated-after-step"),
    _m("a2.rmsprop", rmsprop_alpha_swapped, "rmsprop-alpha-swapped"),
    _m("a2.rmsprop", rmsprop_as_adagrad, "rmsprop-is-adagrad"),
    _m("a2.adam", adam_no_correction, "adam-no-bias-correction"),
    _m("a2.adam", adam_correct_m_only, "adam-correct-m-only"),
    _m("a2.adam", adam_correct_v_only, "adam-correct-v-only"),
    _m("a2.adam", adam_store_corrected, "adam-store-corrected"),
    _m("a2.adam", adam_increments_t, "adam-t-shifted"),
    _m("a2.adam", adam_beta_times_t, "adam-beta-times-t"),
    _m("a2.adam", adam_eps_inside, "eps-inside-sqrt"),
    _m("a2.adam", adam_keras_epsilon, "adam-epsilon-hat"),
    _m("a2.adam", adam_betas_swapped, "adam-betas-swapped"),
    _m("a2.adam", adam_no_one_minus_beta, "adam-no-one-minus-beta"),
    _m("a2.adam", adam_t_always_one, "adam-global-t"),
    _m("a2.adam", adam_abs_gradient, "abs-not-square"),
    _m("a2.adam_trajectory", adam_trajectory_t_from_zero, "t-starts-at-zero"),
    _m("a2.adam_trajectory", adam_trajectory_state_reset, "state-not-carried"),
    _m("a2.adam_trajectory", adam_trajectory_final_only, "returns-final-only"),
    _m("a2.adam_trajectory", adam_trajectory_with_w0, "includes-initial"),
    _m("a2.adam_trajectory", adam_trajectory_t_fixed, "t-not-incremented"),
    _m("a2.adam_trajectory", adam_trajectory_from_w0, "w-not-carried"),
    _m("a2.step_decay", step_decay_inverted, "step-decay-inverted"),
    _m("a2.step_decay", step_decay_ceil, "ceil-instead-of-floor"),
    _m("a2.step_decay", step_decay_smooth, "no-floor"),
    _m("a2.step_decay", step_decay_from_one, "epoch-from-one"),
    _m("a2.step_decay", step_decay_every_epoch, "every-ignored"),
    _m("a2.exponential_decay", exponential_decay_growing, "exp-sign"),
    _m("a2.exponential_decay", exponential_decay_base, "exp-base-confusion"),
    _m("a2.exponential_decay", exponential_decay_power_of_lr0, "power-of-lr0"),
    _m("a2.exponential_decay", exponential_decay_discrete, "discrete-rate"),
    _m("a2.exponential_decay", exponential_decay_k_inverted, "k-inverted"),
    _m("a2.exponential_decay", exponential_decay_from_one, "epoch-from-one"),
    _m("a2.inverse_time_decay", inverse_time_decay_compounding, "compounding-inverse-time"),
    _m("a2.inverse_time_decay", inverse_time_decay_power_of_lr0, "power-of-lr0"),
    _m("a2.inverse_time_decay", inverse_time_decay_no_one, "inverse-time-no-one"),
    _m("a2.inverse_time_decay", inverse_time_decay_sqrt, "sqrt-not-inverse-time"),
    _m("a2.inverse_time_decay", inverse_time_decay_from_one, "epoch-from-one"),
    _m("a2.linear_decay", linear_decay_unclipped, "linear-not-clipped"),
    _m("a2.linear_decay", linear_decay_to_zero, "linear-final-ignored"),
    _m("a2.linear_decay", linear_decay_swapped, "linear-endpoints-swapped"),
    _m("a2.linear_decay", linear_decay_n_minus_one, "linear-n-minus-one"),
    _m("a2.linear_decay", linear_decay_from_one, "epoch-from-one"),
    _m("a2.tune_momentum", tune_momentum_no_momentum, "no-momentum"),
    _m("a2.tune_momentum", tune_momentum_too_large, "step-too-large"),
    _m("a2.tune_momentum", tune_momentum_out_of_range, "out-of-range"),
    _m("a2.tune_momentum", tune_momentum_too_slow, "too-slow"),
    _m("a2.tune_momentum", tune_momentum_swapped, "lr-mu-swapped"),
)


def inverse_time_decay_s2_table(t, lr0, k):
    return np.array([0.1, 0.1 / 1.5, 0.05, 0.04])


#: Answers that aim at the checks rather than make a mistake: each scores 0 with its hint.
ADVERSARIAL: tuple[Mutant, ...] = (
    _m("a2.inverse_time_decay", inverse_time_decay_s2_table, "hard-coded"),
)
