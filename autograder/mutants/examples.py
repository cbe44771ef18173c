"""Mutants of the example specs (`autograder.specs.examples`), one or more per check type.

Like `autograder.mutants.a1`: every function is self-contained (it uses only ``np``), so
`autograder.mutants.a1.source` can paste it into a notebook under the question's name;
`CORRECT` holds answers written another way than the reference, which must pass.
"""

from __future__ import annotations

import numpy as np

from autograder.mutants.a1 import Mutant

__all__ = ["CORRECT", "MUTANTS"]

# ============================================================================ correct answers


def adam_textbook(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * (dw * dw)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v


def layer_stds_weights_first(n_layers, width, gain, seed):
    # draws every weight first, then the input: other numbers, the same statistics
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(0.0, gain / np.sqrt(width), size=(width, width)) for _ in range(n_layers)]
    h = rng.standard_normal((256, width))
    stds = []
    for W in Ws:
        h = np.tanh(h @ W)
        stds.append(h.std())
    return np.array(stds)


def momentum_hyper_textbook(lam_min, lam_max):
    kappa = lam_max / lam_min
    lr = 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
    mu = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    return lr, mu


def momentum_hyper_cautious(lam_min, lam_max):
    # not the optimum, yet fast enough: a smaller step, a little more momentum
    lr, mu = momentum_hyper_textbook(lam_min, lam_max)
    return 0.8 * lr, min(0.5 + 0.5 * mu + 0.02, 0.97)


def init_weights_normal(sizes, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


#: Correct answers per example spec.
CORRECT = {
    "ex.adam": (adam_textbook,),
    "ex.layer_stds": (layer_stds_weights_first,),
    "ex.momentum_hyper": (momentum_hyper_textbook, momentum_hyper_cautious),
    "ex.init_weights": (init_weights_normal,),
}

# ============================================================================ adam: tuple state


def adam_returns_v_hat(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v_hat  # only v is wrong


def adam_returns_m_hat(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v


def adam_no_bias_correction(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_t_plus_one(w, dw, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_eps_inside_sqrt(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def adam_abs_gradient(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * np.abs(dw)
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_swaps_m_v(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), v, m


def adam_in_place(w, dw, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_returns_list(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return [w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v]


# ============================================================================ layer_stds: band


def layer_stds_pre_activation(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((256, width))
    out = []
    for _ in range(n_layers):
        z = h @ (rng.standard_normal((width, width)) * (gain / np.sqrt(width)))
        out.append(z.std())  # measured before tanh
        h = np.tanh(z)
    return np.array(out)


def layer_stds_unscaled(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((256, width))
    out = []
    for _ in range(n_layers):
        h = np.tanh(h @ (rng.standard_normal((width, width)) * gain))
        out.append(h.std())
    return np.array(out)


def layer_stds_variance(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((256, width))
    out = []
    for _ in range(n_layers):
        h = np.tanh(h @ (rng.standard_normal((width, width)) * (gain / np.sqrt(width))))
        out.append(h.var())
    return np.array(out)


def layer_stds_same_input(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((256, width))
    out = []
    for _ in range(n_layers):
        h = np.tanh(x @ (rng.standard_normal((width, width)) * (gain / np.sqrt(width))))
        out.append(h.std())
    return np.array(out)


def layer_stds_last_linear(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((256, width))
    out = []
    for k in range(n_layers):
        h = h @ (rng.standard_normal((width, width)) * (gain / np.sqrt(width)))
        if k < n_layers - 1:
            h = np.tanh(h)
        out.append(h.std())
    return np.array(out)


def layer_stds_one_short(n_layers, width, gain, seed):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((256, width))
    out = []
    for _ in range(n_layers - 1):
        h = np.tanh(h @ (rng.standard_normal((width, width)) * (gain / np.sqrt(width))))
        out.append(h.std())
    return np.array(out)


# ============================================================================ momentum: predicate


def momentum_hyper_gd_only(lam_min, lam_max):
    return 2 / (lam_min + lam_max), 0.0


def momentum_hyper_step_too_large(lam_min, lam_max):
    kappa = lam_max / lam_min
    lr = 16 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
    return lr, ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2


def momentum_hyper_hard_coded(lam_min, lam_max):
    return 0.01, 0.9


def momentum_hyper_array(lam_min, lam_max):
    kappa = lam_max / lam_min
    lr = 4 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2
    return np.array([lr, ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2])


# ============================================================================ init: cross-case


def init_weights_global_rng(sizes, seed):
    return tuple(
        np.random.randn(n_in, n_out) * np.sqrt(2 / n_in)  # noqa: NPY002 (the mistake)
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


def init_weights_fixed_seed(sizes, seed):
    rng = np.random.default_rng(0)
    return tuple(
        rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


def init_weights_reseeded(sizes, seed):
    Ws = []
    for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1)):
        rng = np.random.default_rng(seed)  # a new generator per layer: same draws
        Ws.append(rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in))
    return tuple(Ws)


def init_weights_xavier(sizes, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        rng.standard_normal((n_in, n_out)) * np.sqrt(1 / n_in)
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


def init_weights_fan_out(sizes, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_out)
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


def init_weights_unscaled(sizes, seed):
    rng = np.random.default_rng(seed)
    return tuple(
        rng.standard_normal((n_in, n_out))
        for n_in, n_out in ((sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1))
    )


def _m(question, fn, hint):
    return Mutant(question, fn.__name__, fn, hint)


#: Every example mutant with the hint id its check must report.
MUTANTS: tuple[Mutant, ...] = (
    _m("ex.adam", adam_returns_v_hat, "v-bias-corrected-in-state"),
    _m("ex.adam", adam_returns_m_hat, "m-bias-corrected-in-state"),
    _m("ex.adam", adam_no_bias_correction, "no-bias-correction"),
    _m("ex.adam", adam_t_plus_one, "step-count-off-by-one"),
    _m("ex.adam", adam_eps_inside_sqrt, "eps-inside-sqrt"),
    _m("ex.adam", adam_abs_gradient, "abs-not-square"),
    _m("ex.adam", adam_swaps_m_v, "m-v-swapped"),
    _m("ex.adam", adam_in_place, "input-modified"),
    _m("ex.adam", adam_returns_list, "wrong-type"),
    _m("ex.layer_stds", layer_stds_pre_activation, "pre-activation"),
    _m("ex.layer_stds", layer_stds_unscaled, "no-fan-in-scaling"),
    _m("ex.layer_stds", layer_stds_variance, "variance-not-std"),
    _m("ex.layer_stds", layer_stds_same_input, "same-input-every-layer"),
    _m("ex.layer_stds", layer_stds_last_linear, "last-layer-linear"),
    _m("ex.layer_stds", layer_stds_one_short, "wrong-shape"),
    _m("ex.momentum_hyper", momentum_hyper_gd_only, "no-momentum"),
    _m("ex.momentum_hyper", momentum_hyper_step_too_large, "step-too-large"),
    _m("ex.momentum_hyper", momentum_hyper_hard_coded, "hard-coded"),
    _m("ex.momentum_hyper", momentum_hyper_array, "wrong-type"),
    _m("ex.init_weights", init_weights_global_rng, "not-deterministic"),
    _m("ex.init_weights", init_weights_fixed_seed, "seed-ignored"),
    _m("ex.init_weights", init_weights_reseeded, "copies"),
    _m("ex.init_weights", init_weights_xavier, "xavier-not-he"),
    _m("ex.init_weights", init_weights_fan_out, "fan-out"),
    _m("ex.init_weights", init_weights_unscaled, "not-scaled"),
)
