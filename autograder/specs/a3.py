r"""Assignment 3, "The 10-layer activation-statistics experiment": one `Spec` per question.

The questions (LESSONS.md §9.1), in the notebook's order:

======================  ==============================================  =====================
spec                    the student's function                          checked how
======================  ==============================================  =====================
``a3.init_std``         ``init_std(scheme, fan_in, fan_out)``           exact, rtol 1e-12
``a3.make_weights``     ``make_weights(sizes, scheme, seed, dist)``     statistics + structure
``a3.layer_statistics`` ``layer_statistics(X, weights, activation)``    exact, given X and W
``a3.run_experiment``   ``run_experiment(scheme, activation, seed)``    bands from many seeds
``a3.backward_statistics`` ``backward_statistics(X, weights, act, dout)`` exact
``a3.predicted_std``    ``predicted_std(scheme, activation, L, width)`` exact, rtol 1e-9
======================  ==============================================  =====================

Schemes (the course's names, LESSONS.md §4): ``small`` (std 0.01), ``large`` (1),
``lecun`` (:math:`\sqrt{1/n_{in}}`, cs231n's "Xavier"), ``xavier`` (Glorot,
:math:`\sqrt{2/(n_{in}+n_{out})}`), ``he`` (:math:`\sqrt{2/n_{in}}`); ``dist="uniform"``
draws from :math:`U[-a, a]` with :math:`a = \sqrt 3\,\sigma` (the same variance).

The exact questions send X and the weights: non-square sizes (a fan_in/fan_out swap or a
transposed W raises or shows), a square but not symmetric case first (so that ``h @ W.T``
gives wrong values, and its own hint, before a non-square case raises), and a cs231n-like
case (10 layers of 16, std 0.01) with values down to 1e-14. `make_weights` is judged by
statistics of its matrices (entries >= 10,000 each, so the sample std is within 0.7% (1 SE)
of sigma) and by cross-case checks; `run_experiment`, the student's own random experiment,
by per-layer log-space bands derived from many seeds by `autograder.specs.a3_bands` (its
output, ``a3_bands.json``, sits beside this file).
"""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.checks import (
    Band,
    Case,
    Deterministic,
    DistinctParts,
    Hint,
    Satisfies,
    Spec,
    Tolerance,
    VariesWith,
    close,
)
from nnlib import experiments

__all__ = [
    "BANDS",
    "HELPERS_A3",
    "HINTS",
    "PUBLIC_A3",
    "SCHEMES",
    "SPECS_A3",
    "experiment",
    "forward",
    "init_std_reference",
]

SCHEMES = ("small", "large", "lecun", "xavier", "he")
ACTIVATIONS = ("tanh", "relu")

# ----------------------------------------------------------------------------- hints

HINTS: dict[str, Hint] = {
    h.id: h
    for h in (
        # init_std and make_weights
        Hint(
            "he-inverted",
            "He's std is sqrt(2 / fan_in): multiply by it (randn * sqrt(2 / n)); dividing "
            "by it (randn / sqrt(2 / n)) makes the weights n/2 times too large.",
        ),
        Hint(
            "variance-as-std",
            "2 / fan_in (or 1 / fan_in) is the variance; the std is its square root.",
        ),
        Hint(
            "fan-out-used",
            "LeCun and He scale by fan_in, the number of inputs of a unit (sizes[k] for "
            "W of shape (sizes[k], sizes[k+1])), not by fan_out.",
        ),
        Hint(
            "glorot-as-lecun",
            "Glorot's ('xavier') variance is 2 / (fan_in + fan_out); 1 / fan_in is LeCun's "
            "(the rule cs231n calls 'Xavier').",
        ),
        Hint(
            "lecun-as-glorot",
            "'lecun' is 1 / fan_in alone; 2 / (fan_in + fan_out) is Glorot's 'xavier'.",
        ),
        Hint(
            "sqrt-misplaced",
            "He's std is sqrt(2 / fan_in), not 2 / sqrt(fan_in): the 2 goes under the root.",
        ),
        Hint(
            "small-large-swapped",
            "'small' is std 0.01 and 'large' std 1.0: yours are swapped.",
        ),
        Hint(
            "uniform-bound-wrong",
            "A uniform's bound and its std differ by sqrt(3): U[-a, a] has variance a**2 / 3, "
            "so a = sqrt(3) * sigma (sqrt(6 / fan_in) for He). init_std returns sigma; "
            "make_weights draws uniform weights within +-a.",
        ),
        Hint(
            "normal-vs-uniform",
            "dist chooses the distribution: 'normal' draws rng.standard_normal, 'uniform' "
            "rng.uniform(-a, a); yours draws the other one.",
        ),
        Hint(
            "transposed-shape",
            "W_k has shape (sizes[k], sizes[k+1]) = (fan_in, fan_out): batches are rows, X @ W.",
        ),
        Hint(
            "not-centred",
            "The weights must have mean 0: rng.random() draws from [0, 1); use "
            "rng.uniform(-a, a) or rng.standard_normal.",
        ),
        Hint(
            "same-matrix-every-layer",
            "Draw a new matrix for every layer from the one generator; do not reuse or re-seed.",
        ),
        # layer_statistics and backward_statistics
        Hint("transposed-W", "Each layer computes h @ W (batches are rows), not h @ W.T."),
        Hint(
            "input-every-layer",
            "Feed each layer the previous layer's output h, not the network's input X.",
        ),
        Hint(
            "activation-first",
            "A layer computes f(h @ W): multiply by W first, then apply the activation.",
        ),
        Hint(
            "includes-input-layer",
            "Return one value per weight matrix (L values): the input X is not a layer.",
        ),
        Hint("ddof-1", "Use the population std, h.std() (ddof = 0), as numpy's default."),
        Hint(
            "pre-activation-stats",
            "Measure the activations h = f(z) after the nonlinearity, not z = h @ W.",
        ),
        Hint(
            "per-unit-std-averaged",
            "Take the std over all N x D entries of a layer at once (h.std()), not the "
            "mean of the per-unit stds.",
        ),
        Hint(
            "wrong-activation",
            "Use the activation named: tanh for 'tanh', max(z, 0) for 'relu'.",
        ),
        Hint(
            "last-layer-linear",
            "Apply the activation after every layer, the last one too (check your loop).",
        ),
        Hint(
            "saturation-threshold",
            "saturated is the fraction (not the count) of entries with |h| > 0.99 for tanh "
            "(strictly greater), and of entries h == 0 for relu.",
        ),
        Hint(
            "variance-not-std",
            "Return the standard deviation of each layer, not its variance.",
        ),
        # backward_statistics
        Hint(
            "derivative-at-output",
            "Evaluate the activation's derivative at the layer's own pre-activation z: "
            "tanh'(z) = 1 - tanh(z)**2 = 1 - h**2, not 1 - tanh(h)**2.",
        ),
        Hint(
            "mask-wrong-layer",
            "ReLU's derivative uses this layer's z (or h > 0), not the previous layer's.",
        ),
        Hint("missing-WT", "Back through a layer: dh_prev = dz @ W.T, with the transpose."),
        Hint(
            "missing-activation-derivative",
            "Multiply by the activation's derivative before each dW: dz = dh * f'(z).",
        ),
        Hint(
            "layers-reversed",
            "Return the stds in layer order, layer 1 first (the backward pass visits them "
            "last to first).",
        ),
        Hint(
            "dX-not-dW",
            "Return the std of dW_k = h_{k-1}.T @ dz_k, not of the gradient of the layer's input.",
        ),
        Hint(
            "dW-from-wrong-layer",
            "dW_k = h_{k-1}.T @ dz_k uses the layer's input h_{k-1} (X for layer 1), not its "
            "output.",
        ),
        # predicted_std
        Hint(
            "forgot-half",
            "ReLU keeps half the second moment: E[relu(z)**2] = q / 2 for z ~ N(0, q).",
        ),
        Hint(
            "mean-ignored",
            "sqrt(q / 2) is ReLU's root mean square; its std subtracts the mean "
            "sqrt(q / (2 pi)): std = sqrt(q / 2 - q / (2 pi)).",
        ),
        Hint(
            "std-not-variance",
            "Recurse on the second moment: q_next = width * sigma**2 * E[h**2], a "
            "variance, not a std.",
        ),
        Hint(
            "variance-as-second-moment",
            "The next layer's pre-activation variance is width * sigma**2 * E[h**2], the "
            "second moment: for ReLU E[h**2] = q / 2, not std(h)**2 (the mean counts).",
        ),
        Hint(
            "relu-as-linear",
            "For 'relu' apply ReLU's factor: the linear prediction is only for 'linear'.",
        ),
        Hint(
            "x-not-standard-normal",
            "X is standard normal: rng.standard_normal((n, width)), mean 0 and std 1 "
            "(rng.random draws from [0, 1)).",
        ),
        Hint(
            "out-of-band-experiment",
            "A layer's std is outside what any seed gives for a correct experiment: check "
            "the scheme's std, that each layer gets a new matrix and uses the previous "
            "layer's output, and that X is standard normal (n, width).",
        ),
    )
}


# ----------------------------------------------------------------------------- references


def init_std_reference(scheme, fan_in, fan_out):
    """The std of scheme's weights for a layer with `fan_in` inputs and `fan_out` outputs
    (`nnlib.experiments.init_std`)."""
    return float(experiments.init_std(scheme, fan_in, fan_out))


def make_weights_reference(sizes, scheme, seed, dist="normal"):
    """W_k of shape (sizes[k], sizes[k+1]) from ``np.random.default_rng(seed)``, in order
    (`nnlib.experiments.make_weights`, as a tuple)."""
    return tuple(experiments.make_weights(sizes, scheme, np.random.default_rng(seed), dist))


def _act(activation):
    return np.tanh if activation == "tanh" else (lambda z: np.maximum(z, 0.0))


def forward(X, weights, activation):
    """The pre-activations zs and activations hs (h_0 = X) of ``h_k = f(h_{k-1} @ W_k)``
    (`nnlib.experiments.deep_forward`, with X in front of hs)."""
    zs, hs = experiments.deep_forward(X, list(weights), activation)
    return zs, [X, *hs]


def _saturated(h, activation):
    return np.mean(np.abs(h) > 0.99) if activation == "tanh" else np.mean(h == 0.0)


def layer_statistics_reference(X, weights, activation):
    """Per layer: mean, population std and saturated fraction of h_k = f(h_{k-1} @ W_k)."""
    _, hs = forward(X, weights, activation)
    return {
        "mean": np.array([h.mean() for h in hs[1:]]),
        "std": np.array([h.std() for h in hs[1:]]),
        "saturated": np.array([_saturated(h, activation) for h in hs[1:]], dtype=np.float64),
    }


def backward_statistics_reference(X, weights, activation, dout):
    """std of dW_k = h_{k-1}.T @ dz_k per layer, from dL/dh_L = dout
    (`nnlib.experiments.deep_backward`)."""
    dW, _ = experiments.deep_backward(X, list(weights), activation, dout=dout)
    return np.array([d.std() for d in dW])


def predicted_std_reference(scheme, activation, n_layers, width):
    r"""Mean-field std of each layer, X standard normal, square layers of `width`.

    In closed form, not `nnlib.experiments.mean_field` (which integrates on a grid for any
    activation, to about 1e-7): the question is graded to rtol 1e-9.

    q_k = width sigma^2 m_{k-1} (pre-activation variance, m_0 = 1); linear: m_k = q_k,
    std_k = sqrt(q_k); ReLU: m_k = q_k / 2, std_k = sqrt(q_k / 2 - q_k / (2 pi)).
    """
    var_w = init_std_reference(scheme, width, width) ** 2
    m, out = 1.0, []
    for _ in range(n_layers):
        q = width * var_w * m
        if activation == "linear":
            m, s = q, np.sqrt(q)
        else:
            m, s = q / 2.0, np.sqrt(q / 2.0 - q / (2.0 * np.pi))
        out.append(s)
    return np.array(out)


def experiment(scheme, activation, seed, n_layers=10, width=250, n=400):
    """The reference experiment, `nnlib.experiments.activation_statistics` with
    ``rng = default_rng(seed)`` (X first, then the weights): the std of each layer."""
    stats = experiments.activation_statistics(
        scheme, activation, n_layers, width, n, rng=np.random.default_rng(seed), backward=False
    )
    return np.asarray(stats.std, dtype=np.float64)


@functools.lru_cache(maxsize=16)
def _experiment_cached(scheme, activation, seed, n_layers, width, n):
    return experiment(scheme, activation, seed, n_layers, width, n)


def run_experiment_reference(scheme, activation, seed, n_layers=10, width=250, n=400):
    """`experiment`, cached: a case repeated for the determinism check costs nothing."""
    return _experiment_cached(scheme, activation, seed, n_layers, width, n).copy()


# ----------------------------------------------------------------------------- init_std

_EXACT = Tolerance(rtol=1e-12, atol=0.0)


_INIT_STD_SCHEMES = ("he", "lecun", "xavier", "small", "large", "he")


_CONSTANT_SCHEMES = ("small", "large")


def _values(scheme, fan_in, fan_out) -> list[float]:
    """The right std of a case and every named mistake's."""
    ref = init_std_reference(scheme, fan_in, fan_out)
    return [ref] + [v for v, _ in _std_variants(scheme, fan_in, fan_out)]


def _near(a, b) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def _mistakes_apart(cases) -> bool:
    """True when no two values a named mistake could give coincide, within a case or across
    two, so the hint is never a coin toss. Within a case: fan_in = 3 fan_out makes He's
    fan-out std sqrt(2/fan_out) equal to its uniform bound sqrt(6/fan_in). Across cases: a
    Glorot-as-LeCun mistake on (180, 80) gives sqrt(1/180), which is the right He std for
    fan_in 360, and two equal answers to different questions read as a hard-coded one. The
    two constant schemes are exempt from each other (0.01 and 1.0 are what swapping them
    gives, whatever the fans)."""
    values = [_values(*c) for c in cases]
    for vals in values:
        ordered = sorted(vals)
        if any(_near(a, b) for a, b in itertools.pairwise(ordered)):
            return False
    for (i, a), (j, b) in itertools.combinations(enumerate(cases), 2):
        if a[0] in _CONSTANT_SCHEMES and b[0] in _CONSTANT_SCHEMES:
            continue
        if any(_near(x, y) for x in values[i] for y in values[j]):
            return False
    return True


def _init_std_cases(rng):
    """Every fan different from every other, and no named mistake's value equal to another
    value of any case (`_mistakes_apart`: redrawn, from the same rng, until it holds; about
    one draw in five is redrawn)."""
    while True:
        fans = rng.choice(np.arange(20, 400), size=12, replace=False)
        cases = [
            (scheme, int(fans[2 * k]), int(fans[2 * k + 1]))
            for k, scheme in enumerate(_INIT_STD_SCHEMES)
        ]
        if _mistakes_apart(cases):
            break
    for scheme, fan_in, fan_out in cases:
        yield Case((scheme, fan_in, fan_out), f"{scheme}, fan_in {fan_in}, fan_out {fan_out}")


def _std_variants(scheme, fan_in, fan_out):
    """(std, hint id) of each named mistake of `init_std` for this case."""
    n_in, n_out, n_sum = float(fan_in), float(fan_out), float(fan_in + fan_out)
    ref = init_std_reference(scheme, fan_in, fan_out)
    out = [(np.sqrt(3.0) * ref, "uniform-bound-wrong")]
    if scheme == "he":
        out += [
            (1.0 / np.sqrt(2.0 / n_in), "he-inverted"),
            (2.0 / n_in, "variance-as-std"),
            (np.sqrt(2.0 / n_out), "fan-out-used"),
            (2.0 / np.sqrt(n_in), "sqrt-misplaced"),
        ]
    elif scheme == "lecun":
        out += [
            (1.0 / n_in, "variance-as-std"),
            (np.sqrt(1.0 / n_out), "fan-out-used"),
            (np.sqrt(2.0 / n_sum), "lecun-as-glorot"),
        ]
    elif scheme == "xavier":
        out += [
            (2.0 / n_sum, "variance-as-std"),
            (np.sqrt(1.0 / n_in), "glorot-as-lecun"),
            (np.sqrt(1.0 / n_out), "glorot-as-lecun"),
        ]
    else:
        out += [(1.0 if scheme == "small" else 0.01, "small-large-swapped")]
    return out


def _init_std_diagnose(out, ref, case):
    value = float(np.asarray(out))
    for std, hint in _std_variants(*case.args):
        if close(value, std, rtol=1e-9, atol=0.0):
            return HINTS[hint]
    return None


INIT_STD = Spec(
    name="a3.init_std",
    function="init_std",
    points=2,
    cases=_init_std_cases,
    reference=init_std_reference,
    compare=_EXACT,
    diagnose=_init_std_diagnose,
)

# ----------------------------------------------------------------------------- make_weights

_W_PARTS = ("W1", "W2", "W3")


def _sizes(rng, square_tail: bool):
    """Every matrix >= 10,000 entries; a square tail (h, h) of 100-120 (its two square
    matrices the smallest that keep that bound: a call's time grows with what it returns)."""
    if square_tail:
        d0, h = int(rng.integers(100, 121)), int(rng.integers(100, 121))
        return (d0, h, h, h)
    d0 = int(rng.integers(50, 81))
    h = int(rng.integers(200, 261))
    d2 = int(rng.integers(50, 65))
    return (d0, h, d2, h)


def _make_weights_cases(rng):
    """Non-square sizes, every matrix >= 10,000 entries; a seed repeated and a seed changed
    alone (cross-case checks); a square tail (h, h) twice (a reused matrix shows)."""
    seed = int(rng.integers(2**31))
    sizes = _sizes(rng, square_tail=False)
    yield Case((sizes, "he", seed, "normal"), f"sizes {sizes}, he, normal, seed {seed}")
    yield Case((sizes, "he", seed, "normal"), f"sizes {sizes}, he, normal, the same seed")
    yield Case((sizes, "he", seed + 1, "normal"), f"sizes {sizes}, he, normal, seed {seed + 1}")
    for scheme, dist, square in (
        ("xavier", "normal", False),
        ("lecun", "uniform", False),
        ("he", "uniform", True),
        ("xavier", "uniform", False),
        ("lecun", "normal", True),
        ("small", "normal", False),
    ):
        sizes, s = _sizes(rng, square), int(rng.integers(2**31))
        yield Case((sizes, scheme, s, dist), f"sizes {sizes}, {scheme}, {dist}, seed {s}")


def _kurtosis(W):
    c = W - W.mean()
    return float(np.mean(c**4) / np.mean(c**2) ** 2)


def _weight_problem(k, W, scheme, dist):
    """What is wrong with matrix W_k (shape already right) for `scheme` and `dist`, or None.

    Bounds (n >= 10,000 entries): the sample std has SE sigma / sqrt(2n) <= 0.71% (normal),
    so +-5% is 7 SE; the mean has SE sigma / sqrt(n), allowed 6 SE; the kurtosis has SE
    sqrt(24 / n) <= 0.05 (normal, 3) and sqrt(1.49 / n)... <= 0.012 (uniform, 1.8): the
    allowed ranges [2.6, 3.4] and [1.7, 1.9] are 8 SE wide on each side.
    """
    target = init_std_reference(scheme, *W.shape)
    std, mean = float(W.std()), float(W.mean())
    name = f"W{k} (shape {W.shape}, {scheme}, {dist})"
    if not abs(std / target - 1.0) <= 0.05:
        return f"{name} has std {std:.5g}, target {target:.5g} (ratio {std / target:.4g})"
    if not abs(mean) <= 6.0 * target / np.sqrt(W.size):
        se = target / np.sqrt(W.size)
        return f"{name} has mean {mean:.3g}, not about 0 (standard error {se:.2g})"
    kurt = _kurtosis(W)
    lo, hi = (2.6, 3.4) if dist == "normal" else (1.7, 1.9)
    if not lo <= kurt <= hi:
        want = 3 if dist == "normal" else 1.8
        return f"{name} has kurtosis {kurt:.3g}; a {dist} distribution has {want}"
    if dist == "uniform":
        bound, top = np.sqrt(3.0) * target, float(np.max(np.abs(W)))
        if not 0.99 * bound <= top <= bound * (1 + 1e-12):
            return f"{name} has max |w| = {top:.5g}, the bound sqrt(3) * std is {bound:.5g}"
    return None


def _weights_statistics(out, case):
    _, scheme, _, dist = case.args
    for k, W in enumerate(out, start=1):
        problem = _weight_problem(k, W, scheme, dist)
        if problem is not None:
            return problem
    for k, (A, B) in enumerate(itertools.pairwise(out), start=1):
        if A.shape == B.shape:
            r = float(np.corrcoef(A.ravel(), B.ravel())[0, 1])
            if not abs(r) <= 6.0 / np.sqrt(A.size):
                return f"W{k} and W{k + 1} are correlated (r = {r:.3g}): not independent draws"
    return None


def _weights_diagnose(out, ref, case):
    _, scheme, _, dist = case.args
    out = tuple(out)
    if len(out) == len(ref) and all(
        np.shape(W) == np.shape(R)[::-1] != np.shape(R) for W, R in zip(out, ref, strict=True)
    ):
        return HINTS["transposed-shape"]
    if len(out) != len(ref) or any(
        np.shape(W) != np.shape(R) for W, R in zip(out, ref, strict=True)
    ):
        return None
    for A, B in itertools.pairwise(out):
        if A.shape == B.shape and abs(float(np.corrcoef(A.ravel(), B.ravel())[0, 1])) > 0.5:
            return HINTS["same-matrix-every-layer"]
    if any(float(np.mean(W)) > 0.2 * float(np.std(W)) for W in out):
        return HINTS["not-centred"]
    kurts = [_kurtosis(W) for W in out]
    if (dist == "normal" and all(k < 2.2 for k in kurts)) or (
        dist == "uniform" and all(k > 2.5 for k in kurts)
    ):
        return HINTS["normal-vs-uniform"]
    for hint in dict.fromkeys(h for _, h in _std_variants(scheme, 2, 3)):
        if all(_std_matches(W, scheme, dist, hint) for W in out):
            return HINTS[hint]
    return None


def _std_matches(W, scheme, dist, hint) -> bool:
    """Whether W's std is that of mistake `hint` (a uniform's bound taken as its std gives
    std / sqrt(3); a wrong std drawn as a uniform with the right bound keeps it)."""
    ref = init_std_reference(scheme, *W.shape)
    if hint == "uniform-bound-wrong":
        stds = [ref / np.sqrt(3.0)] if dist == "uniform" else [np.sqrt(3.0) * ref]
    else:
        stds = [s for s, h in _std_variants(scheme, *W.shape) if h == hint]
    return any(abs(float(np.std(W)) / s - 1.0) < 0.05 for s in stds)


MAKE_WEIGHTS = Spec(
    name="a3.make_weights",
    function="make_weights",
    points=4,
    cases=_make_weights_cases,
    reference=make_weights_reference,
    compare=None,  # random matrices: their statistics and the cross-case checks decide
    diagnose=_weights_diagnose,
    output="tuple",
    parts=_W_PARTS,
    satisfies=(
        Satisfies(
            _weights_statistics,
            "each W_k has the scheme's std within 5%, mean 0 within 6 standard errors, the "
            "kurtosis of its distribution (normal 3, uniform 1.8), a uniform's bound "
            "sqrt(3) * std, and is independent of its neighbour",
        ),
    ),
    across=(
        Deterministic(),
        VariesWith(arg=2, name="seed"),
        DistinctParts(hint=HINTS["same-matrix-every-layer"]),
    ),
)

# ----------------------------------------------------------------------------- layer_statistics

_STAT_PARTS = ("mean", "std", "saturated")


@dataclass(frozen=True)
class _PerLayer(Tolerance):
    """rtol relative, plus an absolute slack per layer proportional to that layer's std (a
    mean near 0 is exact only to a few ulps of the layer's scale, 1e-14 and below in the
    cs231n-like case)."""

    scale: tuple = ()

    def check(self, value, want):
        tol = Tolerance(rtol=self.rtol, atol=0.0)
        with np.errstate(all="ignore"):
            err = np.abs(value - want)
        bound = np.asarray(self.scale) * self.atol + self.rtol * np.abs(want)
        if np.shape(err) == np.shape(bound) and np.all(err <= bound):
            return None
        return tol.check(value, want) or "differs from the expected values"

    def __str__(self) -> str:
        return f"{self.atol:g}*std of the layer + {self.rtol:g}*|expected|"


def _net(rng, sizes, gain, n, activation, label):
    weights = tuple(
        rng.standard_normal((a, b)) * (gain / np.sqrt(a)) for a, b in itertools.pairwise(sizes)
    )
    X = rng.standard_normal((n, sizes[0]))
    return X, weights, activation, label


def _exact_nets(rng):
    """Square but not symmetric first (h @ W.T gives wrong values before a shape raises),
    then non-square, then a cs231n-like deep net whose values shrink to 1e-14: 10 layers of
    16, N = 32 (the collapse at std 0.01 shows as at cs231n's 500 wide; each case is a few
    thousand numbers, since the size of the kernel's cell, not numpy, sets a call's time)."""
    d = int(rng.integers(6, 10))
    yield _net(
        rng, (d,) * 4, 2.5, int(rng.integers(5, 9)), "tanh", f"square {d}x{d}, tanh, gain 2.5"
    )
    yield _net(rng, (d,) * 4, 1.5, int(rng.integers(5, 9)), "relu", f"square {d}x{d}, relu")
    yield _net(rng, (7, 9, 5, 9), 2.0, 6, "tanh", "sizes [7, 9, 5, 9], N = 6, tanh")
    yield _net(rng, (7, 9, 5, 9), 1.4, 6, "relu", "sizes [7, 9, 5, 9], N = 6, relu")
    yield _net(rng, (16,) * 11, 0.01 * np.sqrt(16), 32, "tanh", "10 layers of 16, std 0.01, tanh")
    yield _net(rng, (16,) * 11, np.sqrt(2.0), 32, "relu", "10 layers of 16, He, relu")


def _stats_tol(X, weights, activation):
    stds = layer_statistics_reference(X, weights, activation)["std"]
    return _PerLayer(rtol=1e-9, atol=1e-11, scale=tuple(float(s) for s in stds))


def _layer_statistics_cases(rng):
    for X, weights, activation, label in _exact_nets(rng):
        yield Case((X, weights, activation), label, _stats_tol(X, weights, activation))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _stats_variant(X, weights, activation, **m):
    """layer_statistics with one named mistake (the keys of `_STATS_MISTAKES`)."""
    f = _act(activation)
    if m.get("wrong_act"):
        f = _sigmoid if activation == "tanh" else np.abs
    h, rows = X, []
    if m.get("input_layer"):
        rows.append(X)
    for k, W in enumerate(weights):
        src = X if m.get("input_every") else h
        if m.get("act_first"):
            z = h = f(src) @ W
        else:
            z = src @ (W.T if m.get("transposed") else W)
            linear = m.get("last_linear") and k == len(weights) - 1
            h = z if linear else f(z)
        rows.append(z if m.get("pre") else h)
    std = (
        (lambda a: a.std(axis=0).mean())
        if m.get("per_unit")
        else (lambda a: a.std(ddof=1 if m.get("ddof") else 0))
    )
    sat = np.array([_saturated(a, activation) for a in rows], dtype=np.float64)
    if m.get("sat_count"):
        sat = sat * rows[0].size
    if m.get("sat_09"):
        sat = np.array([np.mean(np.abs(a) > 0.9) for a in rows]) if activation == "tanh" else sat
    stds = np.array([std(a) for a in rows])
    return {
        "mean": np.array([a.mean() for a in rows]),
        "std": stds**2 if m.get("var") else stds,
        "saturated": sat,
    }


_STATS_MISTAKES = (
    ({"transposed": True}, "transposed-W"),
    ({"input_every": True}, "input-every-layer"),
    ({"act_first": True}, "activation-first"),
    ({"input_layer": True}, "includes-input-layer"),
    ({"ddof": True}, "ddof-1"),
    ({"pre": True}, "pre-activation-stats"),
    ({"per_unit": True}, "per-unit-std-averaged"),
    ({"wrong_act": True}, "wrong-activation"),
    ({"last_linear": True}, "last-layer-linear"),
    ({"sat_count": True}, "saturation-threshold"),
    ({"sat_09": True}, "saturation-threshold"),
    ({"var": True}, "variance-not-std"),
)


def _same_parts(out, variant, parts) -> bool:
    try:
        return all(
            np.shape(out[p]) == np.shape(variant[p])
            and close(np.asarray(out[p], dtype=float), variant[p], rtol=1e-7, atol=1e-300)
            for p in parts
        )
    except (TypeError, KeyError, IndexError):
        return False


def _layer_statistics_diagnose(out, ref, case):
    for mistake, hint in _STATS_MISTAKES:
        try:
            variant = _stats_variant(*case.args, **mistake)
        except ValueError:  # a shape mistake that raises on this case
            continue
        if _same_parts(out, variant, _STAT_PARTS):
            return HINTS[hint]
    if isinstance(out, dict) and all(
        np.shape(out.get(p)) == (len(case.args[1]) + 1,) for p in _STAT_PARTS
    ):
        return HINTS["includes-input-layer"]
    return None


LAYER_STATISTICS = Spec(
    name="a3.layer_statistics",
    function="layer_statistics",
    points=4,
    cases=_layer_statistics_cases,
    reference=layer_statistics_reference,
    compare=Tolerance(rtol=1e-9, atol=1e-12),  # every case sets its own (_stats_tol)
    diagnose=_layer_statistics_diagnose,
    output="dict",
    parts=_STAT_PARTS,
    unchanged_args=(0,),
)

# ----------------------------------------------------------------------------- backward_statistics


def _backward_cases(rng):
    for X, weights, activation, label in _exact_nets(rng):
        dout = rng.standard_normal((X.shape[0], weights[-1].shape[1]))
        args = (X, weights, activation, dout)
        scale = backward_statistics_reference(*args)
        tol = _PerLayer(rtol=1e-9, atol=1e-11, scale=tuple(float(s) for s in scale))
        yield Case(args, label + ", dout standard normal", tol)


def _backward_variant(X, weights, activation, dout, **m):
    zs, hs = forward(X, weights, activation)
    dh, stds = dout, []
    for k in range(len(weights) - 1, -1, -1):
        if activation == "tanh":
            a = np.tanh(hs[k + 1]) if m.get("at_output") else hs[k + 1]
            fprime = 1.0 - a**2
        else:
            fprime = ((hs[k] if m.get("mask_prev") else zs[k]) > 0).astype(float)
        dz = dh if m.get("no_fprime") else dh * fprime
        dW = (hs[k + 1] if m.get("wrong_layer") else hs[k]).T @ dz
        dh = dz @ (weights[k] if m.get("no_wt") else weights[k].T)
        stds.append((dh if m.get("dx") else dW).std(ddof=1 if m.get("ddof") else 0))
    return np.array(stds if m.get("reversed") else stds[::-1])


_BACKWARD_MISTAKES = (
    ({"at_output": True}, "derivative-at-output"),
    ({"mask_prev": True}, "mask-wrong-layer"),
    ({"no_wt": True}, "missing-WT"),
    ({"no_fprime": True}, "missing-activation-derivative"),
    ({"reversed": True}, "layers-reversed"),
    ({"dx": True}, "dX-not-dW"),
    ({"wrong_layer": True}, "dW-from-wrong-layer"),
    ({"ddof": True}, "ddof-1"),
)


def _backward_diagnose(out, ref, case):
    for mistake, hint in _BACKWARD_MISTAKES:
        try:
            variant = _backward_variant(*case.args, **mistake)
        except ValueError:
            continue
        if np.shape(out) == variant.shape and close(out, variant, rtol=1e-7, atol=1e-300):
            return HINTS[hint]
    return None


BACKWARD_STATISTICS = Spec(
    name="a3.backward_statistics",
    function="backward_statistics",
    points=3,
    cases=_backward_cases,
    reference=backward_statistics_reference,
    compare=Tolerance(rtol=1e-9, atol=1e-12),  # every case sets its own
    diagnose=_backward_diagnose,
    unchanged_args=(0, 3),
)

# ----------------------------------------------------------------------------- predicted_std


def _predicted_cases(rng):
    """Depth and width differ between cases (a mistake never looks hard-coded)."""
    depths = list(rng.choice(np.arange(3, 14), size=6, replace=False))
    widths = list(rng.choice(np.arange(50, 501), size=6, replace=False))
    for scheme, activation in (
        ("he", "relu"),
        ("lecun", "linear"),
        ("lecun", "relu"),
        ("small", "relu"),
        ("xavier", "relu"),
        ("large", "linear"),
    ):
        L, width = int(depths.pop()), int(widths.pop())
        yield Case((scheme, activation, L, width), f"{scheme}, {activation}, {L} layers of {width}")


def _predicted_variant(scheme, activation, n_layers, width, **m):
    var_w = init_std_reference(scheme, width, width) ** 2
    mom, out = 1.0, [1.0] if m.get("input_layer") else []
    for _ in range(n_layers):
        q = width * var_w * mom
        if activation == "linear" or m.get("as_linear"):
            mom, s = q, np.sqrt(q)
        else:
            mom = q if m.get("forgot_half") else q / 2.0
            s = np.sqrt(q / 2.0) if m.get("rms") else np.sqrt(mom - q / (2.0 * np.pi))
            if m.get("var_recursion"):
                mom = s**2
            if m.get("std_recursion"):
                mom = s
        out.append(s)
    return np.array(out)


_PREDICTED_MISTAKES = (
    ({"forgot_half": True}, "forgot-half"),
    ({"rms": True}, "mean-ignored"),
    ({"var_recursion": True}, "variance-as-second-moment"),
    ({"std_recursion": True}, "std-not-variance"),
    ({"as_linear": True}, "relu-as-linear"),
    ({"input_layer": True}, "includes-input-layer"),
)


def _predicted_diagnose(out, ref, case):
    for mistake, hint in _PREDICTED_MISTAKES:
        with np.errstate(all="ignore"):
            variant = _predicted_variant(*case.args, **mistake)
        if np.shape(out) == variant.shape and close(out, variant, rtol=1e-7, atol=0.0):
            return HINTS[hint]
    return None


PREDICTED_STD = Spec(
    name="a3.predicted_std",
    function="predicted_std",
    points=2,
    cases=_predicted_cases,
    reference=predicted_std_reference,
    compare=Tolerance(rtol=1e-9, atol=0.0),
    diagnose=_predicted_diagnose,
)

# ----------------------------------------------------------------------------- run_experiment

#: `autograder.specs.a3_bands`' output: per configuration "scheme/activation", per layer,
#: the band [lower, upper] (log-space mean +- 6 sd over 1000 seeds at grading size: 10
#: layers of 100, N = 200).
BANDS: dict = json.loads(Path(__file__).with_name("a3_bands.json").read_text())


def _band(scheme, activation) -> Band:
    row = BANDS["configs"][f"{scheme}/{activation}"]
    return Band(lower=tuple(row["lower"]), upper=tuple(row["upper"]), element="layer {i}")


def _experiment_cases(rng):
    """He/ReLU three times (a seed repeated, a seed changed alone), then the other bands.
    Six student runs of ~4 ms each at grading size (10 layers of 100, N = 200; one core)."""
    size = BANDS["size"]
    extra = (size["n_layers"], size["width"], size["n"])
    seed = int(rng.integers(2**31 - 1))
    band = _band("he", "relu")
    yield Case(("he", "relu", seed, *extra), f"he, relu, seed {seed}", band)
    yield Case(("he", "relu", seed, *extra), f"he, relu, the same seed {seed}", band)
    yield Case(("he", "relu", seed + 1, *extra), f"he, relu, seed {seed + 1}", band)
    for scheme, activation in (("lecun", "tanh"), ("small", "tanh"), ("lecun", "relu")):
        s = int(rng.integers(2**31 - 1))
        yield Case(
            (scheme, activation, s, *extra),
            f"{scheme}, {activation}, seed {s}",
            _band(scheme, activation),
        )


def _experiment_variant(scheme, activation, seed, n_layers, width, n, **m):
    """The experiment with one mistake: a wrong std (`std`), X not standard normal,
    the stds of z, or the last layer linear."""
    rng = np.random.default_rng(seed)
    std = m.get("std", init_std_reference(scheme, width, width))
    X = rng.random((n, width)) if m.get("x_uniform") else rng.standard_normal((n, width))
    f, h, out = _act(activation), X, []
    for k in range(n_layers):
        z = h @ (rng.standard_normal((width, width)) * std)
        h = z if m.get("last_linear") and k == n_layers - 1 else f(z)
        out.append((z if m.get("pre") else h).std())
    return np.array(out)


def _experiment_mistakes(scheme, width):
    wrong_stds = [(s, h) for s, h in _std_variants(scheme, width, width) if h != "fan-out-used"]
    return [({"std": s}, h) for s, h in wrong_stds] + [
        ({"x_uniform": True}, "x-not-standard-normal"),
        ({"pre": True}, "pre-activation-stats"),
        ({"last_linear": True}, "last-layer-linear"),
    ]


def _experiment_diagnose(out, ref, case):
    """The first mistake whose experiment (same seed) lands within the correct band's
    relative width of the student's values, layer by layer."""
    scheme, activation, _, _, width, _ = case.args
    row = BANDS["configs"][f"{scheme}/{activation}"]
    slack = np.exp(BANDS["k_sigma"] * np.asarray(row["sigma"])) * 1.05
    out = np.asarray(out, dtype=np.float64)
    for mistake, hint in _experiment_mistakes(scheme, width):
        with np.errstate(all="ignore"):
            variant = _experiment_variant(*case.args, **mistake)
        if out.shape == variant.shape and np.all(
            (out >= variant / slack) & (out <= variant * slack)
        ):
            return HINTS[hint]
    return HINTS["out-of-band-experiment"]


RUN_EXPERIMENT = Spec(
    name="a3.run_experiment",
    function="run_experiment",
    points=5,
    cases=_experiment_cases,
    reference=run_experiment_reference,
    compare=Band(lower=0.0),  # every case sets its configuration's band
    diagnose=_experiment_diagnose,
    across=(Deterministic(), VariesWith(arg=2, name="seed")),
)

#: Assignment 3's questions in the notebook's order.
SPECS_A3 = (
    INIT_STD,
    MAKE_WEIGHTS,
    LAYER_STATISTICS,
    RUN_EXPERIMENT,
    BACKWARD_STATISTICS,
    PREDICTED_STD,
)

#: Spec name -> {helper the answer may call: its spec}; see `autograder.public`.
HELPERS_A3: dict[str, dict[str, str]] = {
    "a3.make_weights": {"init_std": "a3.init_std"},
    "a3.run_experiment": {
        "init_std": "a3.init_std",
        "make_weights": "a3.make_weights",
        "layer_statistics": "a3.layer_statistics",
    },
    "a3.predicted_std": {"init_std": "a3.init_std"},
}

# ----------------------------------------------------------------------------- public cases
# The released notebook's public tests (`autograder.public`): fixed inputs on which every
# mutant of `autograder.mutants.a3` fails already, with its hint. Fans, depths and widths
# differ between cases (a wrong answer never looks hard-coded); the networks are drawn once
# from a fixed seed (square but not symmetric first, then non-square, then cs231n-like);
# the experiment's seeds are fixed, judged against the same bands as grading.

_PUBLIC_RNG_SEED = 2026


def _public_experiment_cases():
    cases = list(_experiment_cases(_FixedSeeds((11, 12, 13, 14))))
    return tuple(cases)


class _FixedSeeds:
    """Stands in for a Generator in `_experiment_cases`: `integers` returns the given
    seeds in turn, so the public cases use fixed, stated seeds."""

    def __init__(self, seeds):
        self._seeds = list(seeds)

    def integers(self, *_):
        return self._seeds.pop(0)


#: Spec name -> the public cases of its question, in the order they are checked.
PUBLIC_A3: dict[str, tuple[Case, ...]] = {
    "a3.init_std": (
        Case(("he", 50, 200), "the worked example: he, fan_in 50, fan_out 200 gives 0.2"),
        Case(("lecun", 64, 256), "lecun, fan_in 64, fan_out 256 gives 0.125"),
        Case(("xavier", 100, 60), "xavier, fan_in 100, fan_out 60 gives sqrt(2/160)"),
        Case(("small", 30, 40), "small gives 0.01"),
        Case(("large", 31, 41), "large gives 1.0"),
    ),
    "a3.make_weights": tuple(
        Case((sizes, scheme, seed, dist), f"sizes {sizes}, {scheme}, {dist}, seed {seed}")
        for sizes, scheme, seed, dist in (
            ((64, 250, 40, 250), "he", 0, "normal"),
            ((64, 250, 40, 250), "he", 0, "normal"),
            ((64, 250, 40, 250), "he", 1, "normal"),
            ((64, 250, 40, 250), "xavier", 2, "normal"),
            ((64, 250, 40, 250), "lecun", 3, "uniform"),
            ((50, 200, 200, 200), "he", 4, "uniform"),
            ((64, 250, 40, 250), "xavier", 5, "uniform"),
        )
    ),
    "a3.layer_statistics": tuple(_layer_statistics_cases(np.random.default_rng(_PUBLIC_RNG_SEED))),
    "a3.run_experiment": _public_experiment_cases(),
    "a3.backward_statistics": tuple(_backward_cases(np.random.default_rng(_PUBLIC_RNG_SEED))),
    "a3.predicted_std": tuple(
        Case(args, label)
        for args, label in (
            (("he", "relu", 10, 250), "the worked example: he, relu: every layer sqrt(1 - 1/pi)"),
            (("lecun", "linear", 5, 100), "lecun, linear, 5 layers of 100: every layer 1"),
            (("lecun", "relu", 7, 300), "lecun, relu, 7 layers of 300"),
            (("small", "relu", 4, 60), "small, relu, 4 layers of 60"),
            (("xavier", "relu", 6, 120), "xavier, relu, 6 layers of 120"),
            (("large", "linear", 3, 50), "large, linear, 3 layers of 50"),
        )
    ),
}
