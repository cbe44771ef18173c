"""Mutants of assignment 3: plausible wrong answers, each with the hint its check must give.

Mutants of one question share helpers (``_weights_with(..., transposed=True)``), so
`source` pastes a function together with every helper of this module it calls, and
``import itertools`` when needed: the pasted cell runs with only ``np`` from the
notebook's setup. `CORRECT` holds textbook solutions that must score full marks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from autograder.mutants import a1
from autograder.mutants.a1 import Mutant

__all__ = ["ADVERSARIAL", "CORRECT", "MUTANTS", "source"]


#: A mutant or correct answer's source, renamed to the student's function, after the helpers
#: of this module it calls (`autograder.mutants.a1.source_with_helpers`).
source = a1.source_with_helpers


# ============================================================================ correct answers


def init_std_textbook(scheme, fan_in, fan_out):
    if scheme == "small":
        return 0.01
    if scheme == "large":
        return 1.0
    if scheme == "lecun":
        return np.sqrt(1.0 / fan_in)
    if scheme == "xavier":
        return np.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return np.sqrt(2.0 / fan_in)
    raise ValueError(scheme)


def make_weights_textbook(sizes, scheme, seed, dist="normal"):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        std = init_std_textbook(scheme, fan_in, fan_out)
        if dist == "normal":
            weights.append(rng.normal(0.0, std, size=(fan_in, fan_out)))
        else:
            a = np.sqrt(3.0) * std
            weights.append(rng.uniform(-a, a, size=(fan_in, fan_out)))
    return tuple(weights)


def _f(z, activation):
    return np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)


def layer_statistics_textbook(X, weights, activation):
    means, stds, sats = [], [], []
    h = X
    for W in weights:
        h = _f(h @ W, activation)
        means.append(h.mean())
        stds.append(h.std())
        sats.append(np.mean(np.abs(h) > 0.99) if activation == "tanh" else np.mean(h == 0))
    return {"mean": np.array(means), "std": np.array(stds), "saturated": np.array(sats)}


def run_experiment_textbook(scheme, activation, seed, n_layers=10, width=250, n=400):
    weights = make_weights_textbook([width] * (n_layers + 1), scheme, seed)
    X = np.random.default_rng(seed + 1).standard_normal((n, width))
    return layer_statistics_textbook(X, weights, activation)["std"]


def run_experiment_one_generator(scheme, activation, seed, n_layers=10, width=250, n=400):
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((n, width))
    out = []
    for _ in range(n_layers):
        W = rng.standard_normal((width, width)) * init_std_textbook(scheme, width, width)
        h = _f(h @ W, activation)
        out.append(h.std())
    return np.array(out)


def backward_statistics_textbook(X, weights, activation, dout):
    hs, zs, h = [X], [], X
    for W in weights:
        z = h @ W
        h = _f(z, activation)
        zs.append(z)
        hs.append(h)
    stds = np.zeros(len(weights))
    dh = dout
    for k in reversed(range(len(weights))):
        dz = dh * (1 - hs[k + 1] ** 2 if activation == "tanh" else (zs[k] > 0))
        stds[k] = (hs[k].T @ dz).std()
        dh = dz @ weights[k].T
    return stds


def predicted_std_textbook(scheme, activation, n_layers, width):
    var_w = init_std_textbook(scheme, width, width) ** 2
    second, out = 1.0, []
    for _ in range(n_layers):
        q = width * var_w * second
        if activation == "linear":
            second = q
            out.append(np.sqrt(q))
        else:
            second = q / 2
            out.append(np.sqrt(q / 2 - q / (2 * np.pi)))
    return np.array(out)


CORRECT: dict[str, tuple[Callable, ...]] = {
    "a3.init_std": (init_std_textbook,),
    "a3.make_weights": (make_weights_textbook,),
    "a3.layer_statistics": (layer_statistics_textbook,),
    "a3.run_experiment": (run_experiment_textbook, run_experiment_one_generator),
    "a3.backward_statistics": (backward_statistics_textbook,),
    "a3.predicted_std": (predicted_std_textbook,),
}

# ============================================================================ init_std


def _std_with(scheme, fan_in, fan_out, **over):
    table = {
        "small": 0.01,
        "large": 1.0,
        "lecun": np.sqrt(1.0 / fan_in),
        "xavier": np.sqrt(2.0 / (fan_in + fan_out)),
        "he": np.sqrt(2.0 / fan_in),
    }
    table.update({k: v(fan_in, fan_out) for k, v in over.items()})
    return table[scheme]


def init_std_he_inverted(scheme, fan_in, fan_out):
    return _std_with(scheme, fan_in, fan_out, he=lambda a, b: 1 / np.sqrt(2.0 / a))


def init_std_variance_as_std(scheme, fan_in, fan_out):
    return _std_with(scheme, fan_in, fan_out, he=lambda a, b: 2.0 / a, lecun=lambda a, b: 1.0 / a)


def init_std_fan_out(scheme, fan_in, fan_out):
    return _std_with(
        scheme,
        fan_in,
        fan_out,
        he=lambda a, b: np.sqrt(2.0 / b),
        lecun=lambda a, b: np.sqrt(1.0 / b),
    )


def init_std_glorot_as_lecun(scheme, fan_in, fan_out):
    return _std_with(scheme, fan_in, fan_out, xavier=lambda a, b: np.sqrt(1.0 / a))


def init_std_sqrt_misplaced(scheme, fan_in, fan_out):
    return _std_with(scheme, fan_in, fan_out, he=lambda a, b: 2.0 / np.sqrt(a))


def init_std_small_large_swapped(scheme, fan_in, fan_out):
    return _std_with(scheme, fan_in, fan_out, small=lambda a, b: 1.0, large=lambda a, b: 0.01)


def init_std_bound(scheme, fan_in, fan_out):
    return np.sqrt(3.0) * _std_with(scheme, fan_in, fan_out)


# ============================================================================ make_weights


def _draw(rng, shape, std, dist):
    if dist == "normal":
        return rng.standard_normal(shape) * std
    return rng.uniform(-np.sqrt(3.0) * std, np.sqrt(3.0) * std, size=shape)


def _weights_with(sizes, scheme, seed, dist, std=None, **m):
    rng = np.random.default_rng(None if m.get("no_seed") else seed)
    out = []
    for a, b in itertools.pairwise(sizes):
        s = (std or init_std_textbook)(scheme, a, b)
        if m.get("reseed"):
            rng = np.random.default_rng(seed)
        shape = (b, a) if m.get("transposed") else (a, b)
        if m.get("bound_as_std") and dist == "uniform":
            out.append(rng.uniform(-s, s, size=shape))
        elif m.get("swap_dist"):
            out.append(_draw(rng, shape, s, "uniform" if dist == "normal" else "normal"))
        elif m.get("not_centred"):
            out.append(rng.random(shape) * 2 * s)
        else:
            out.append(_draw(rng, shape, s, dist))
    return tuple(out)


def make_weights_he_inverted(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, init_std_he_inverted)


def make_weights_variance_as_std(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, init_std_variance_as_std)


def make_weights_fan_out(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, init_std_fan_out)


def make_weights_glorot_as_lecun(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, init_std_glorot_as_lecun)


def make_weights_bound_as_std(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, bound_as_std=True)


def make_weights_swapped_dist(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, swap_dist=True)


def make_weights_transposed(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, transposed=True)


def make_weights_seed_ignored(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, no_seed=True)


def make_weights_not_centred(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, not_centred=True)


def make_weights_reseeded(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, seed, dist, reseed=True)


# ============================================================================ layer_statistics


def _stats_with(X, weights, activation, **m):
    def f(z):
        if m.get("wrong_act"):
            return 1 / (1 + np.exp(-z)) if activation == "tanh" else np.abs(z)
        return _f(z, activation)

    h, rows = X, [X] if m.get("input_layer") else []
    for k, W in enumerate(weights):
        src = X if m.get("input_every") else h
        if m.get("act_first"):
            z = h = f(src) @ W
        else:
            z = src @ (W.T if m.get("transposed") else W)
            h = z if m.get("last_linear") and k == len(weights) - 1 else f(z)
        rows.append(z if m.get("pre") else h)
    if m.get("per_unit"):
        stds = [a.std(axis=0).mean() for a in rows]
    else:
        stds = [a.std(ddof=1 if m.get("ddof") else 0) for a in rows]
    if activation == "tanh":
        sats = [np.mean(np.abs(a) > (0.9 if m.get("sat_09") else 0.99)) for a in rows]
    else:
        sats = [np.mean(a == 0) for a in rows]
    if m.get("sat_count"):
        sats = [s * rows[0].size for s in sats]
    return {
        "mean": np.array([a.mean() for a in rows]),
        "std": np.array(stds) ** (2 if m.get("var") else 1),
        "saturated": np.array(sats, dtype=np.float64),
    }


def layer_statistics_transposed_w(X, weights, activation):
    return _stats_with(X, weights, activation, transposed=True)


def layer_statistics_input_every_layer(X, weights, activation):
    return _stats_with(X, weights, activation, input_every=True)


def layer_statistics_activation_first(X, weights, activation):
    return _stats_with(X, weights, activation, act_first=True)


def layer_statistics_includes_input(X, weights, activation):
    return _stats_with(X, weights, activation, input_layer=True)


def layer_statistics_ddof_1(X, weights, activation):
    return _stats_with(X, weights, activation, ddof=True)


def layer_statistics_pre_activation(X, weights, activation):
    return _stats_with(X, weights, activation, pre=True)


def layer_statistics_per_unit(X, weights, activation):
    return _stats_with(X, weights, activation, per_unit=True)


def layer_statistics_wrong_activation(X, weights, activation):
    return _stats_with(X, weights, activation, wrong_act=True)


def layer_statistics_last_linear(X, weights, activation):
    return _stats_with(X, weights, activation, last_linear=True)


def layer_statistics_threshold_09(X, weights, activation):
    return _stats_with(X, weights, activation, sat_09=True)


def layer_statistics_variance(X, weights, activation):
    return _stats_with(X, weights, activation, var=True)


# ============================================================================ run_experiment


def _experiment_with(scheme, activation, seed, n_layers, width, n, std=None, **m):
    rng = np.random.default_rng(None if m.get("no_seed") else seed)
    X = rng.random((n, width)) if m.get("x_uniform") else rng.standard_normal((n, width))
    s = (std or init_std_textbook)(scheme, width, width)
    h, out = X, []
    for k in range(n_layers):
        z = h @ (rng.standard_normal((width, width)) * s)
        h = z if m.get("last_linear") and k == n_layers - 1 else _f(z, activation)
        out.append((z if m.get("pre") else h).std())
    return np.array(out)


def run_experiment_he_inverted(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, init_std_he_inverted)


def run_experiment_variance_as_std(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, init_std_variance_as_std)


def run_experiment_sqrt_misplaced(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, init_std_sqrt_misplaced)


def run_experiment_bound_as_std(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, init_std_bound)


def run_experiment_x_uniform(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, x_uniform=True)


def run_experiment_pre_activation(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, pre=True)


def run_experiment_seed_ignored(scheme, activation, seed, n_layers=10, width=250, n=400):
    return _experiment_with(scheme, activation, seed, n_layers, width, n, no_seed=True)


def run_experiment_band_centre(scheme, activation, seed, n_layers=10, width=250, n=400):
    centre = {"he/relu": 0.82, "lecun/tanh": 0.4, "small/tanh": 1e-4, "lecun/relu": 0.2}
    return np.full(n_layers, centre[f"{scheme}/{activation}"])


def run_experiment_band_means(scheme, activation, seed, n_layers=10, width=250, n=400):
    # the adversary's best guess: the geometric mean of every layer over the bands' seeds
    # (a3_bands.json's exp(mu)), per configuration: inside every band, the same for all seeds
    means = {
        "he/relu": [0.8268, 0.8268, 0.8235, 0.8169, 0.8122, 0.8033, 0.7939, 0.7819, 0.7745, 0.767],
        "lecun/tanh": [
            0.6267,
            0.485,
            0.4069,
            0.356,
            0.3197,
            0.2922,
            0.2704,
            0.2528,
            0.2379,
            0.2255,
        ],
        "small/tanh": [
            0.09902,
            0.009899,
            0.0009893,
            9.888e-05,
            9.881e-06,
            9.875e-07,
            9.867e-08,
            9.862e-09,
            9.852e-10,
            9.855e-11,
        ],
        "lecun/relu": [
            0.5846,
            0.4134,
            0.2911,
            0.2042,
            0.1436,
            0.1004,
            0.07017,
            0.04887,
            0.03423,
            0.02397,
        ],
    }
    return np.array(means[f"{scheme}/{activation}"][:n_layers])


def run_experiment_fixed_seed(scheme, activation, seed, n_layers=10, width=250, n=400):
    # reproducible, but the same numbers whatever the seed
    return _experiment_with(scheme, activation, 0, n_layers, width, n)


def make_weights_fixed_seed(sizes, scheme, seed, dist="normal"):
    return _weights_with(sizes, scheme, 12345, dist)


def init_std_constants_for_250(scheme, fan_in, fan_out):
    # per-scheme constants hard-coded for the notebook's square layers of 250
    return {"small": 0.01, "large": 1.0, "lecun": 0.0632456, "xavier": 0.0632456, "he": 0.0894427}[
        scheme
    ]


# ============================================================================ backward_statistics


def _backward_with(X, weights, activation, dout, **m):
    hs, zs, h = [X], [], X
    for W in weights:
        z = h @ W
        h = _f(z, activation)
        zs.append(z)
        hs.append(h)
    stds, dh = [], dout
    for k in reversed(range(len(weights))):
        if activation == "tanh":
            a = np.tanh(hs[k + 1]) if m.get("at_output") else hs[k + 1]
            fp = 1 - a**2
        else:
            fp = (hs[k] if m.get("mask_prev") else zs[k]) > 0
        dz = dh if m.get("no_fprime") else dh * fp
        dW = (hs[k + 1] if m.get("wrong_layer") else hs[k]).T @ dz
        dh = dz @ (weights[k] if m.get("no_wt") else weights[k].T)
        stds.append((dh if m.get("dx") else dW).std(ddof=1 if m.get("ddof") else 0))
    return np.array(stds if m.get("reversed") else stds[::-1])


def backward_statistics_at_output(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, at_output=True)


def backward_statistics_mask_prev(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, mask_prev=True)


def backward_statistics_missing_wt(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, no_wt=True)


def backward_statistics_no_derivative(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, no_fprime=True)


def backward_statistics_reversed(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, reversed=True)


def backward_statistics_dx(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, dx=True)


def backward_statistics_ddof_1(X, weights, activation, dout):
    return _backward_with(X, weights, activation, dout, ddof=True)


# ============================================================================ predicted_std


def _predicted_with(scheme, activation, n_layers, width, **m):
    var_w = init_std_textbook(scheme, width, width) ** 2
    second, out = 1.0, [1.0] if m.get("input_layer") else []
    for _ in range(n_layers):
        q = width * var_w * second
        if activation == "linear" or m.get("as_linear"):
            second, s = q, np.sqrt(q)
        else:
            second = q if m.get("forgot_half") else q / 2
            s = np.sqrt(q / 2) if m.get("rms") else np.sqrt(second - q / (2 * np.pi))
            second = s**2 if m.get("var_rec") else s if m.get("std_rec") else second
        out.append(s)
    return np.array(out)


def predicted_std_forgot_half(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, forgot_half=True)


def predicted_std_rms(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, rms=True)


def predicted_std_variance_recursion(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, var_rec=True)


def predicted_std_std_recursion(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, std_rec=True)


def predicted_std_as_linear(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, as_linear=True)


def predicted_std_input_layer(scheme, activation, n_layers, width):
    return _predicted_with(scheme, activation, n_layers, width, input_layer=True)


def _m(question, fn, hint):
    return Mutant(question, fn.__name__, fn, hint)


#: Every mutant of assignment 3 with the hint id its check must report.
MUTANTS: tuple[Mutant, ...] = (
    _m("a3.init_std", init_std_he_inverted, "he-inverted"),
    _m("a3.init_std", init_std_variance_as_std, "variance-as-std"),
    _m("a3.init_std", init_std_fan_out, "fan-out-used"),
    _m("a3.init_std", init_std_glorot_as_lecun, "glorot-as-lecun"),
    _m("a3.init_std", init_std_sqrt_misplaced, "sqrt-misplaced"),
    _m("a3.init_std", init_std_small_large_swapped, "small-large-swapped"),
    _m("a3.init_std", init_std_bound, "uniform-bound-wrong"),
    _m("a3.make_weights", make_weights_he_inverted, "he-inverted"),
    _m("a3.make_weights", make_weights_variance_as_std, "variance-as-std"),
    _m("a3.make_weights", make_weights_fan_out, "fan-out-used"),
    _m("a3.make_weights", make_weights_glorot_as_lecun, "glorot-as-lecun"),
    _m("a3.make_weights", make_weights_bound_as_std, "uniform-bound-wrong"),
    _m("a3.make_weights", make_weights_swapped_dist, "normal-vs-uniform"),
    _m("a3.make_weights", make_weights_transposed, "transposed-shape"),
    _m("a3.make_weights", make_weights_seed_ignored, "not-deterministic"),
    _m("a3.make_weights", make_weights_not_centred, "not-centred"),
    _m("a3.make_weights", make_weights_reseeded, "same-matrix-every-layer"),
    _m("a3.make_weights", make_weights_fixed_seed, "seed-ignored"),
    _m("a3.layer_statistics", layer_statistics_transposed_w, "transposed-W"),
    _m("a3.layer_statistics", layer_statistics_input_every_layer, "input-every-layer"),
    _m("a3.layer_statistics", layer_statistics_activation_first, "activation-first"),
    _m("a3.layer_statistics", layer_statistics_includes_input, "includes-input-layer"),
    _m("a3.layer_statistics", layer_statistics_ddof_1, "ddof-1"),
    _m("a3.layer_statistics", layer_statistics_pre_activation, "pre-activation-stats"),
    _m("a3.layer_statistics", layer_statistics_per_unit, "per-unit-std-averaged"),
    _m("a3.layer_statistics", layer_statistics_wrong_activation, "wrong-activation"),
    _m("a3.layer_statistics", layer_statistics_last_linear, "last-layer-linear"),
    _m("a3.layer_statistics", layer_statistics_threshold_09, "saturation-threshold"),
    _m("a3.layer_statistics", layer_statistics_variance, "variance-not-std"),
    _m("a3.run_experiment", run_experiment_he_inverted, "he-inverted"),
    _m("a3.run_experiment", run_experiment_variance_as_std, "variance-as-std"),
    _m("a3.run_experiment", run_experiment_sqrt_misplaced, "sqrt-misplaced"),
    _m("a3.run_experiment", run_experiment_bound_as_std, "uniform-bound-wrong"),
    _m("a3.run_experiment", run_experiment_x_uniform, "x-not-standard-normal"),
    _m("a3.run_experiment", run_experiment_pre_activation, "pre-activation-stats"),
    _m("a3.run_experiment", run_experiment_seed_ignored, "not-deterministic"),
    _m("a3.run_experiment", run_experiment_band_centre, "hard-coded"),
    _m("a3.run_experiment", run_experiment_fixed_seed, "seed-ignored"),
    _m("a3.backward_statistics", backward_statistics_at_output, "derivative-at-output"),
    _m("a3.backward_statistics", backward_statistics_mask_prev, "mask-wrong-layer"),
    _m("a3.backward_statistics", backward_statistics_missing_wt, "missing-WT"),
    _m(
        "a3.backward_statistics", backward_statistics_no_derivative, "missing-activation-derivative"
    ),
    _m("a3.backward_statistics", backward_statistics_reversed, "layers-reversed"),
    _m("a3.backward_statistics", backward_statistics_dx, "dX-not-dW"),
    _m("a3.backward_statistics", backward_statistics_ddof_1, "ddof-1"),
    _m("a3.predicted_std", predicted_std_forgot_half, "forgot-half"),
    _m("a3.predicted_std", predicted_std_rms, "mean-ignored"),
    _m("a3.predicted_std", predicted_std_variance_recursion, "variance-as-second-moment"),
    _m("a3.predicted_std", predicted_std_std_recursion, "std-not-variance"),
    _m("a3.predicted_std", predicted_std_as_linear, "relu-as-linear"),
    _m("a3.predicted_std", predicted_std_input_layer, "includes-input-layer"),
)

#: Adversarial answers (issue 13): they aim at the checks rather than make a mistake. Each
#: scores 0 with the hint named.
ADVERSARIAL: tuple[Mutant, ...] = (
    _m("a3.run_experiment", run_experiment_band_centre, "hard-coded"),
    _m("a3.run_experiment", run_experiment_band_means, "seed-ignored"),
    _m("a3.run_experiment", run_experiment_fixed_seed, "seed-ignored"),
    _m("a3.make_weights", make_weights_fixed_seed, "seed-ignored"),
    _m("a3.init_std", init_std_constants_for_250, "hard-coded"),
)
