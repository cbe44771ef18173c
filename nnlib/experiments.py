r"""Experiments: deep-net statistics layer by layer, and optimizer races on 2-D surfaces.

This module runs cs231n's 10-layer experiment (lecture 6, "Training Neural Networks,
Part I") and predicts its outcome. A stack of ``L`` weight matrices with one activation
``f`` and **no bias** is applied to a batch of unit Gaussians ``X (N, D)``:

.. math:: Z_l = H_{l-1} W_l, \qquad H_l = f(Z_l), \qquad H_0 = X,
          \qquad W_l \in \mathbb R^{D_{l-1} \times D_l}

(batches are rows, as everywhere in nnlib). Then, from an upstream gradient ``dH_L``
(unit Gaussians by default), the backward pass

.. math:: dZ_l = dH_l \odot f'(Z_l), \qquad dW_l = H_{l-1}^\top dZ_l,
          \qquad dH_{l-1} = dZ_l W_l^\top .

The course's initialization names
---------------------------------
Courses use the same words for different rules. This table is the course's vocabulary
(`INIT_SCHEMES`, `init_std`); ``n_in`` is the fan-in, ``n_out`` the fan-out:

==========  =================================  =========================================
ours        std of ``W``                       what others call it
==========  =================================  =========================================
``small``   0.01                               cs231n's ``0.01 * randn``
``large``   1.0                                cs231n's ``1.0 * randn``
``lecun``   :math:`1/\sqrt{n_{in}}`            **cs231n's "Xavier"** ``randn/sqrt(fan_in)``;
                                               LeCun 1998; Keras ``lecun_normal``
``xavier``  :math:`\sqrt{2/(n_{in}+n_{out})}`  Glorot & Bengio 2010; Keras ``glorot_*``;
                                               PyTorch ``xavier_*``; nnlib ``xavier_normal``
``he``      :math:`\sqrt{2/n_{in}}`            He et al. 2015; PyTorch ``kaiming_*``;
                                               Keras ``he_*``; nnlib ``he_normal``
==========  =================================  =========================================

cs231n's "Xavier" is LeCun's rule: it equals Glorot's only when ``n_in = n_out``. Each
scheme has a normal and a uniform variant of the **same variance**: the uniform bound is
:math:`a = \sqrt 3\,\mathrm{std}` (a uniform on :math:`[-a, a]` has variance
:math:`a^2/3`), e.g. Glorot's :math:`\sqrt{6/(n_{in}+n_{out})}`.

The mean-field prediction
-------------------------
If the entries of ``W_l`` are independent with variance ``Var(w)`` and the layer has
``n`` inputs, a pre-activation is a sum of ``n`` independent terms, so "variances add":
with :math:`q_l = \mathrm{Var}(Z_l)` and the **gain** :math:`g = n\,\mathrm{Var}(w)`,

.. math:: q_1 = g\,\mathbb E[x^2] = g, \qquad
          q_{l+1} = g\,\mathbb E_{z \sim \mathcal N(0,1)}\!\left[f(\sqrt{q_l}\,z)^2\right].

`mean_field` computes this recursion on a fine grid (Gauss–Hermite quadrature, accurate
for smooth integrands, is wrong for ``tanh`` at large ``q``, where :math:`f(\sqrt q z)` is
almost a step) and gives the predicted mean and std of every layer's activations. For
ReLU, :math:`\mathbb E[\mathrm{relu}(\sqrt q z)^2] = q/2` exactly: each layer halves the
second moment, which He's factor 2 undoes.

Optimizer races on 2-D surfaces (lesson 06)
-------------------------------------------
`run_optimizer` drives a pure rule of `nnlib.optimizers` (or any ``rule(w, dw, state,
**hyper)``) over a named surface of `nnlib.surfaces` (re-exported here as `SURFACES`) and
returns the iterates; ``lookahead=True`` with ``"momentum"`` is Sutskever et al.'s Nesterov
form. `race` runs several from one start, `tune_lr` picks each method's best learning rate
on a grid (a fair race), `TUNED` holds the results for the lesson's surfaces, and
`steps_to_tol` counts steps to :math:`f - f_{\min} < 10^{-6}`. `adagrad_eps_inside` and
`rmsprop_eps_inside` are d2l's conventions (its printed traces, FACTS F3). `SEED_RULES` and
`SEED_SCHEDULES` keep the seed decks' wrong formulas **as written**, labelled, for
"spot the error" exercises; they are not in `nnlib.optimizers`.

Practical training (lessons 07 and 08)
--------------------------------------
`dead_units` and `saturation` measure a trained MLP's hidden layers on a data set: the
fraction of ReLU units that output 0 on every row (dead: their gradient is 0 too), and
the fraction of tanh or sigmoid activations pinned near a bound of their range.
`random_search` draws hyper-parameters from `LogUniform`, `Uniform` and `Choice` ranges
and returns the `Trial` records best first; `refine` narrows the ranges around the best
ones (coarse to fine). `sanity_checks` runs cs231n's babysitting checks before a long
run (initial loss near ln C, overfitting 20 examples, learning rates too low and too
high) and returns a `SanityReport` that prints as a table. They use an MLP's public
methods and never import `nnlib.model`.

Examples
--------
>>> stats = activation_statistics("lecun", "tanh", rng=0)
>>> stats.std.round(3)[[0, 1, 9]]
array([0.628, 0.486, 0.227])
>>> mean_field("tanh", gain=1.0, n_layers=10).std.round(3)[[0, 1, 9]]
array([0.628, 0.486, 0.228])
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnlib import optimizers
from nnlib._checks import (
    _describe,
    as_array,
    as_rng,
    check_batch,
    check_bool,
    check_choice,
    check_int,
    check_number,
)
from nnlib.activations import ACTIVATIONS, ActivationFunction, get_activation
from nnlib.metrics import CLASSIFIER_OUTPUTS
from nnlib.surfaces import SURFACES, Surface, get_surface

__all__ = [
    "DISTS",
    "DIVERGED",
    "EXPERIMENT_ACTIVATIONS",
    "INIT_SCHEMES",
    "SATURATING",
    "SEED_RULES",
    "SEED_SCHEDULES",
    "SURFACES",
    "TUNED",
    "TUNE_GRID",
    "ActStats",
    "Choice",
    "LogUniform",
    "MeanField",
    "RaceRun",
    "SanityCheck",
    "SanityReport",
    "SeedRule",
    "Surface",
    "Trial",
    "Tuned",
    "Uniform",
    "activation_statistics",
    "adagrad_eps_inside",
    "dead_units",
    "deep_backward",
    "deep_forward",
    "get_surface",
    "init_std",
    "make_weights",
    "mean_field",
    "race",
    "random_search",
    "refine",
    "rmsprop_eps_inside",
    "run_optimizer",
    "sanity_checks",
    "saturation",
    "steps_to_tol",
    "tune_lr",
]

#: The course's initialization schemes: name -> the rule for the std of ``W``.
INIT_SCHEMES: dict[str, str] = {
    "small": "0.01 (cs231n's 0.01 * randn)",
    "large": "1.0 (cs231n's 1.0 * randn)",
    "lecun": "1 / sqrt(fan_in) (cs231n's 'Xavier'; LeCun 1998)",
    "xavier": "sqrt(2 / (fan_in + fan_out)) (Glorot 2010; Keras glorot, PyTorch xavier)",
    "he": "sqrt(2 / fan_in) (He 2015; PyTorch kaiming)",
}

#: The two distributions of every scheme; the uniform bound is sqrt(3) * std.
DISTS: tuple[str, ...] = ("normal", "uniform")

#: Activations the experiments accept: nnlib's elementwise ones, and "linear" = "identity".
EXPERIMENT_ACTIVATIONS: tuple[str, ...] = ("linear", *(a for a in ACTIVATIONS if a != "softmax"))

_SAT = 0.99  # |h| > 0.99 is a saturated tanh unit; h < 0.01 or h > 0.99 a saturated sigmoid


# --------------------------------------------------------------------------- helpers


def _activation(activation) -> ActivationFunction:
    """Turn an activation name (or ``"linear"``, or an ActivationFunction) into one."""
    if isinstance(activation, ActivationFunction):
        if not activation.elementwise:
            raise ValueError("activation must be elementwise; softmax couples a row's entries")
        return activation
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be a name, one of {list(EXPERIMENT_ACTIVATIONS)}, "
            f"got {_describe(activation)}"
        )
    name = check_choice(activation, "activation", EXPERIMENT_ACTIVATIONS)
    return get_activation("identity" if name == "linear" else name)


def _check_weights(weights) -> list[np.ndarray]:
    """Validate a sequence of 2-D weight matrices whose shapes chain."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not weights:
        raise TypeError(
            "weights must be a non-empty list or tuple of 2-D arrays (D_in, D_out), "
            f"got {_describe(weights)}"
        )
    ws = [as_array(w, f"weights[{i}]", ndim=2) for i, w in enumerate(weights)]
    for i in range(1, len(ws)):
        if ws[i].shape[0] != ws[i - 1].shape[1]:
            raise ValueError(
                f"weights[{i}] has shape {ws[i].shape} but weights[{i - 1}] has shape "
                f"{ws[i - 1].shape}: its number of rows must be {ws[i - 1].shape[1]} "
                "(W_l is (D_in, D_out), batches are rows)"
            )
    return ws


def _check_X(X, weights: list[np.ndarray]) -> np.ndarray:
    """Validate the input batch ``X (N, D_0)`` against the first weight matrix."""
    X = as_array(X, "X", ndim=2)
    if X.shape[1] != weights[0].shape[0]:
        raise ValueError(
            f"X has shape {X.shape} but weights[0] has shape {weights[0].shape}: X needs "
            f"{weights[0].shape[0]} columns (X is (N, D_in), batches are rows)"
        )
    return X


def _scheme_std(init, fan_in: int, fan_out: int) -> float:
    """Return the std for `init`: a scheme name, a positive number, or ``f(fan_in, fan_out)``."""
    if isinstance(init, str):
        return init_std(init, fan_in, fan_out)
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        if not (math.isfinite(init) and init > 0):
            raise ValueError(f"init as a number is the std of W and must be > 0, got {init!r}")
        return float(init)
    if callable(init):
        std = init(fan_in, fan_out)
        if not (isinstance(std, numbers.Real) and math.isfinite(std) and std > 0):
            raise ValueError(
                f"init(fan_in, fan_out) must return a std > 0, got {_describe(std)} "
                f"for fan_in={fan_in}, fan_out={fan_out}"
            )
        return float(std)
    raise TypeError(
        f"init must be a scheme name (one of {list(INIT_SCHEMES)}), a std > 0, or a "
        f"function std(fan_in, fan_out), got {_describe(init)}"
    )


# --------------------------------------------------------------------------- weights


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    r"""Return the standard deviation of ``W`` under one of the course's schemes.

    ===========  ===================================  ==================================
    `scheme`     std                                  also known as
    ===========  ===================================  ==================================
    ``"small"``  :math:`0.01`                         cs231n's ``0.01 * randn``
    ``"large"``  :math:`1`                            cs231n's ``1.0 * randn``
    ``"lecun"``  :math:`1/\sqrt{n_{in}}`              cs231n's "Xavier" (LeCun 1998)
    ``"xavier"`` :math:`\sqrt{2/(n_{in}+n_{out})}`    Glorot; Keras ``glorot_normal``
    ``"he"``     :math:`\sqrt{2/n_{in}}`              PyTorch ``kaiming_normal_``
    ===========  ===================================  ==================================

    The uniform variant of a scheme uses the bound :math:`\sqrt 3\,\mathrm{std}`.

    Parameters
    ----------
    scheme : str
        One of `INIT_SCHEMES`.
    fan_in, fan_out : int >= 1
        Inputs per unit (:math:`n_{in}`) and units (:math:`n_{out}`) of the layer.

    Returns
    -------
    float

    Examples
    --------
    >>> init_std("lecun", 400, 100), init_std("xavier", 400, 100), init_std("he", 8, 3)
    (0.05, 0.063245..., 0.5)
    >>> init_std("kaiming", 4, 4)
    Traceback (most recent call last):
    ...
    ValueError: unknown scheme 'kaiming'; valid names are: 'small', 'large', 'lecun', 'xavier', 'he'
    """
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be one of {list(INIT_SCHEMES)}, got {_describe(scheme)}")
    scheme = check_choice(scheme, "scheme", INIT_SCHEMES)
    fan_in = check_int(fan_in, "fan_in", low=1)
    fan_out = check_int(fan_out, "fan_out", low=1)
    if scheme == "small":
        return 0.01
    if scheme == "large":
        return 1.0
    if scheme == "lecun":
        return math.sqrt(1.0 / fan_in)
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    return math.sqrt(2.0 / fan_in)


def make_weights(sizes, scheme, rng=None, dist: str = "normal") -> list[np.ndarray]:
    r"""Fresh random weight matrices for a stack of layers, one per consecutive pair of sizes.

    Layer ``l`` (1-based) gets ``W_l`` of shape ``(sizes[l-1], sizes[l])`` drawn as

    - ``dist="normal"``: :math:`W = \mathrm{std}\cdot\mathcal N(0,1)`;
    - ``dist="uniform"``: :math:`W \sim U(-a, a)` with :math:`a = \sqrt3\,\mathrm{std}`,
      the same variance :math:`a^2/3 = \mathrm{std}^2`,

    with ``std = init_std(scheme, fan_in=sizes[l-1], fan_out=sizes[l])``. Each matrix is a
    new draw from `rng`, in layer order (never one matrix reused for every layer).

    Parameters
    ----------
    sizes : sequence of int >= 1, length L + 1
        ``[D_0, D_1, ..., D_L]``: the input width, then each layer's width.
    scheme : str, float or callable
        A name in `INIT_SCHEMES`; or a fixed std > 0 for every layer (``0.01`` is
        ``"small"``); or a function ``std(fan_in, fan_out) -> float``, e.g.
        ``lambda i, o: 4 / i ** 0.5`` for the old "×4 for sigmoid" rule.
    rng : Generator, int seed or None
    dist : {"normal", "uniform"}

    Returns
    -------
    list of L ndarrays, ``W_l`` of shape ``(D_{l-1}, D_l)``

    Examples
    --------
    >>> Ws = make_weights([64, 250, 40], "xavier", rng=0, dist="uniform")
    >>> [W.shape for W in Ws]
    [(64, 250), (250, 40)]
    >>> bool(abs(Ws[1]).max() <= math.sqrt(6 / 290))
    True
    """
    if isinstance(sizes, (str, bytes, np.ndarray)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths, got {_describe(sizes)}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least 2 widths (input and one layer), got {sizes}")
    sizes = [check_int(s, f"sizes[{i}]", low=1) for i, s in enumerate(sizes)]
    dist = check_choice(dist, "dist", DISTS)
    rng = as_rng(rng)
    weights = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        std = _scheme_std(scheme, fan_in, fan_out)
        if dist == "normal":
            W = rng.standard_normal((fan_in, fan_out))
            W *= std
        else:
            bound = math.sqrt(3.0) * std
            W = rng.uniform(-bound, bound, size=(fan_in, fan_out))
        weights.append(W)
    return weights


# --------------------------------------------------------------------------- passes


def deep_forward(X, weights, activation) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Forward pass through a stack of weight matrices with one activation, no bias.

    .. math:: Z_l = H_{l-1} W_l, \qquad H_l = f(Z_l), \qquad H_0 = X

    Parameters
    ----------
    X : array_like, shape (N, D_0)
    weights : list of L arrays, ``W_l`` of shape ``(D_{l-1}, D_l)``
    activation : str
        One of ``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"linear"`` (or another
        elementwise nnlib activation).

    Returns
    -------
    Z : list of L arrays, ``Z_l`` of shape ``(N, D_l)`` (pre-activations)
    H : list of L arrays, ``H_l = f(Z_l)`` of shape ``(N, D_l)`` (activations)

    Examples
    --------
    >>> Z, H = deep_forward(np.ones((2, 2)), [np.eye(2), -np.eye(2)], "relu")
    >>> H[0], H[1]
    (array([[1., 1.],
           [1., 1.]]), array([[0., 0.],
           [0., 0.]]))
    """
    act = _activation(activation)
    weights = _check_weights(weights)
    X = _check_X(X, weights)
    Z, H = [], []
    h = X
    for W in weights:
        z = h @ W
        h = act.forward(z)
        Z.append(z)
        H.append(h)
    return Z, H


def deep_backward(
    X, weights, activation, dout=None, rng=None, forward=None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Backward pass of `deep_forward` from an upstream gradient at the last layer.

    .. math:: dZ_l = dH_l \odot f'(Z_l), \qquad dW_l = H_{l-1}^\top dZ_l,
              \qquad dX_l = dH_{l-1} = dZ_l W_l^\top

    ``dX_l`` is the gradient with respect to layer ``l``'s **input** (``H_{l-1}``; for
    ``l = 1`` the batch ``X``). The loss is :math:`\sum H_L \odot dH_L` implicitly: no
    ``1/N`` is applied, as in cs231n's experiment.

    Parameters
    ----------
    X : array_like, shape (N, D_0)
    weights : list of L arrays, ``W_l`` of shape ``(D_{l-1}, D_l)``
    activation : str
        As in `deep_forward`.
    dout : array_like, shape (N, D_L), optional
        :math:`dH_L`. Default: unit Gaussians drawn from `rng`.
    rng : Generator, int seed or None
        Used only when `dout` is None.
    forward : tuple (Z, H), optional
        The result of ``deep_forward(X, weights, activation)``, to avoid recomputing it.

    Returns
    -------
    dW : list of L arrays, shape ``(D_{l-1}, D_l)`` like ``W_l``
    dX : list of L arrays, shape ``(N, D_{l-1})`` like layer ``l``'s input

    Examples
    --------
    >>> dW, dX = deep_backward(np.ones((1, 2)), [np.eye(2)], "linear", dout=[[1.0, 2.0]])
    >>> dW[0], dX[0]
    (array([[1., 2.],
           [1., 2.]]), array([[1., 2.]]))
    """
    act = _activation(activation)
    weights = _check_weights(weights)
    X = _check_X(X, weights)
    Z, H = deep_forward(X, weights, act) if forward is None else forward
    n_out = (X.shape[0], weights[-1].shape[1])
    if dout is None:
        dh = as_rng(rng).standard_normal(n_out)
    else:
        dh = as_array(dout, "dout", ndim=2)
        if dh.shape != n_out:
            raise ValueError(f"dout must have shape {n_out} (N, D_L), got {dh.shape}")
    dW, dX = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        dz = act.grad(Z[i])
        dz *= dh
        h_prev = X if i == 0 else H[i - 1]
        dW[i] = h_prev.T @ dz
        dh = dz @ weights[i].T
        dX[i] = dh
    return dW, dX


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class ActStats:
    """Per-layer statistics of one run of the deep-net experiment (layer ``l`` at index l-1).

    Attributes
    ----------
    init, activation, dist : the configuration
    n_layers, width, n : int
        ``L``, ``D`` and ``N``.
    mean, std : ndarray (L,)
        Mean and population std (ddof = 0) of all ``N * D`` activations ``H_l``.
    z_std : ndarray (L,)
        Std of the pre-activations ``Z_l``.
    saturated : ndarray (L,)
        Fraction of saturated units: :math:`|h| > 0.99` for tanh, :math:`h < 0.01` or
        :math:`h > 0.99` for sigmoid, 0 for activations that do not saturate.
    dead : ndarray (L,)
        Fraction of activations exactly 0 (a ReLU whose input is <= 0).
    dW_std, dX_std : ndarray (L,) or None
        Std of ``dW_l`` and of ``dX_l`` (see `deep_backward`); None without a backward pass.
    activations : list of L arrays (N, D) or None
        The ``H_l`` themselves, kept only when asked (``keep=True``).
    """

    init: object
    activation: str
    dist: str
    n_layers: int
    width: int
    n: int
    mean: np.ndarray
    std: np.ndarray
    z_std: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    dW_std: np.ndarray | None = None
    dX_std: np.ndarray | None = None
    activations: list | None = None

    def table(self) -> str:
        """Format the statistics as a text table, one row per layer, layers numbered from 1."""
        head = f"{'layer':>5} {'mean':>10} {'std':>10} {'saturated':>9} {'dead':>6}"
        if self.dW_std is not None:
            head += f" {'dW std':>10} {'dX std':>10}"
        rows = [head]
        for i in range(self.n_layers):
            row = (
                f"{i + 1:>5} {self.mean[i]:>10.3g} {self.std[i]:>10.4g} "
                f"{self.saturated[i]:>9.1%} {self.dead[i]:>6.1%}"
            )
            if self.dW_std is not None:
                row += f" {self.dW_std[i]:>10.3g} {self.dX_std[i]:>10.3g}"
            rows.append(row)
        return "\n".join(rows)


def _saturated(h: np.ndarray, name: str, threshold: float = _SAT) -> float:
    """Fraction of saturated entries of one layer's activations `h` (0 for no saturation)."""
    if name == "tanh":
        return float(np.mean(np.abs(h) > threshold))
    if name == "sigmoid":
        return float(np.mean((h < 1.0 - threshold) | (h > threshold)))
    return 0.0


def activation_statistics(
    init,
    activation,
    n_layers: int = 10,
    width: int = 500,
    n: int = 1000,
    rng=None,
    dist: str = "normal",
    backward: bool = True,
    keep: bool = False,
) -> ActStats:
    r"""Run cs231n's deep-net experiment once and measure every layer, forward and backward.

    Draws, in this order from `rng`: ``X (n, width)`` of unit Gaussians; the `n_layers`
    matrices ``W_l (width, width)`` of `make_weights`; then (if `backward`) the upstream
    gradient ``dH_L (n, width)`` of unit Gaussians. It runs `deep_forward` and
    `deep_backward` and reduces each layer to a few numbers (see `ActStats`):

    .. math:: \mathrm{std}_l = \sqrt{\tfrac{1}{ND}\textstyle\sum (H_l - \bar H_l)^2}

    Parameters
    ----------
    init : str, float or callable
        A scheme of `INIT_SCHEMES` (``"small"``, ``"large"``, ``"lecun"``, ``"xavier"``,
        ``"he"``), a fixed std, or ``std(fan_in, fan_out)``; see `make_weights`.
    activation : str
        ``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"linear"``, ...
    n_layers, width, n : int >= 1
        ``L``, ``D`` and ``N``; cs231n's sizes are the defaults.
    rng : Generator, int seed or None
    dist : {"normal", "uniform"}
    backward : bool, default True
        Also measure ``dW`` and ``dX``.
    keep : bool, default False
        Keep the activations (for histograms); 40 MB at the default size.

    Returns
    -------
    ActStats

    Examples
    --------
    >>> s = activation_statistics("he", "relu", n_layers=3, width=200, n=300, rng=0)
    >>> s.std.round(2), s.dead.round(2)
    (array([0.83, 0.8 , 0.83]), array([0.5 , 0.51, 0.47]))
    """
    act = _activation(activation)
    n_layers = check_int(n_layers, "n_layers", low=1)
    width = check_int(width, "width", low=1)
    n = check_int(n, "n", low=1)
    backward = check_bool(backward, "backward", meaning="True: also run the backward pass")
    keep = check_bool(keep, "keep", meaning="True: keep every layer's activations")
    rng = as_rng(rng)
    X = rng.standard_normal((n, width))
    weights = make_weights([width] * (n_layers + 1), init, rng, dist)
    Z, H = deep_forward(X, weights, act)
    dW_std = dX_std = None
    if backward:
        dW, dX = deep_backward(X, weights, act, rng=rng, forward=(Z, H))
        dW_std = np.array([g.std() for g in dW])
        dX_std = np.array([g.std() for g in dX])
    name = "linear" if act.name == "identity" else act.name
    return ActStats(
        init=init,
        activation=name,
        dist=dist,
        n_layers=n_layers,
        width=width,
        n=n,
        mean=np.array([h.mean() for h in H]),
        std=np.array([h.std() for h in H]),
        z_std=np.array([z.std() for z in Z]),
        saturated=np.array([_saturated(h, name) for h in H]),
        dead=np.array([np.mean(h == 0.0) for h in H]),
        dW_std=dW_std,
        dX_std=dX_std,
        activations=H if keep else None,
    )


# --------------------------------------------------------------------------- mean field


@dataclass(frozen=True)
class MeanField:
    r"""The mean-field prediction per layer (layer ``l`` at index l-1).

    Attributes
    ----------
    q : ndarray (L,)
        Predicted variance of the pre-activations :math:`q_l = \mathrm{Var}(Z_l)`.
    z_std : ndarray (L,)
        :math:`\sqrt{q_l}`.
    mean, std : ndarray (L,)
        Predicted mean and std of the activations :math:`f(\sqrt{q_l} z)`.
    """

    q: np.ndarray
    z_std: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def _grid(q: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Return points z and trapezoid weights for :math:`\int g(z)\varphi(z)\,dz` at variance q.

    The union of a grid on z in [-10, 10] with step 1e-3 (resolves the Gaussian) and a grid
    of the pre-activation u = sqrt(q) z on [-20, 20] with step 0.01 (resolves f where it
    bends, e.g. tanh's step of width ~1 seen at q = 500 or 1e10).
    """
    z = np.linspace(-10.0, 10.0, 20001)
    if q > 0:
        z = np.union1d(z, np.linspace(-20.0, 20.0, 4001) / math.sqrt(q))
        z = z[np.abs(z) <= 10.0]
    w = np.empty_like(z)
    dz = np.diff(z)
    w[0], w[-1] = dz[0] / 2, dz[-1] / 2
    w[1:-1] = (dz[:-1] + dz[1:]) / 2
    w *= np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return z, w


def mean_field(activation, gain, n_layers: int, q0: float = 1.0) -> MeanField:
    r"""Predict each layer's activation statistics from the variance recursion.

    With :math:`g` = `gain` :math:`= n\,\mathrm{Var}(w)` (fan-in times the variance of a
    weight) and :math:`z \sim \mathcal N(0, 1)`:

    .. math:: q_1 = g\,q_0, \qquad q_{l+1} = g\,\mathbb E\!\left[f(\sqrt{q_l}\,z)^2\right],

    .. math:: \mathrm{mean}_l = \mathbb E[f(\sqrt{q_l}\,z)], \qquad
              \mathrm{std}_l = \sqrt{\mathbb E[f(\sqrt{q_l}\,z)^2] - \mathrm{mean}_l^2}.

    The expectations are integrals against the normal density, computed with the
    trapezoid rule on a fine grid (see `_grid`), accurate to ~1e-6 for any q. Gauss–Hermite
    quadrature with 201 nodes gives 0.955 instead of 0.982 for tanh at q = 500.

    Closed forms: linear, :math:`q_l = g^l q_0`; ReLU,
    :math:`\mathbb E[\mathrm{relu}(\sqrt q z)^2] = q/2` and
    :math:`\mathrm{std} = \sqrt{q/2 - q/(2\pi)}`.

    Parameters
    ----------
    activation : str
        ``"tanh"``, ``"relu"``, ``"sigmoid"``, ``"linear"``, ...
    gain : float > 0
        :math:`n\,\mathrm{Var}(w)`: 1 for ``lecun``, 2 for ``he``, :math:`500 \cdot 10^{-4}`
        for ``small`` at width 500.
    n_layers : int >= 1
    q0 : float > 0, default 1.0
        :math:`\mathbb E[x^2]` of the input (1 for unit Gaussians).

    Returns
    -------
    MeanField

    Examples
    --------
    >>> mean_field("relu", gain=2.0, n_layers=3).std.round(4)
    array([0.8257, 0.8257, 0.8257])
    >>> mean_field("tanh", gain=500.0, n_layers=2).std.round(3)
    array([0.982, 0.982])
    """
    act = _activation(activation)
    gain = _positive(gain, "gain")
    q0 = _positive(q0, "q0")
    n_layers = check_int(n_layers, "n_layers", low=1)
    q = np.empty(n_layers)
    mean = np.empty(n_layers)
    second = np.empty(n_layers)
    ql = gain * q0
    for i in range(n_layers):
        q[i] = ql
        z, w = _grid(ql)
        f = act.forward(math.sqrt(ql) * z)
        mean[i] = w @ f
        second[i] = w @ (f * f)
        ql = gain * second[i]
    std = np.sqrt(np.maximum(second - mean**2, 0.0))
    return MeanField(q=q, z_std=np.sqrt(q), mean=mean, std=std)


def _positive(value, name: str) -> float:
    """Return `value` as a float if it is a finite real number > 0, else raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number > 0, got {_describe(value)}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


# --------------------------------------------------------------------------------------
# Optimizer races on 2-D surfaces (lesson 06)
# --------------------------------------------------------------------------------------

#: A run stops once an iterate leaves this ball (or is not finite): it has diverged.
DIVERGED = 1e12


@functools.cache
def _pure_rules() -> tuple[str, ...]:
    """Names of `nnlib.optimizers`' pure update rules: functions of ``(w, dw, state, ...)``."""
    names = []
    for name in optimizers.__all__:
        fn = getattr(optimizers, name)
        if inspect.isfunction(fn) and list(inspect.signature(fn).parameters)[:3] == [
            "w", "dw", "state",
        ]:  # fmt: skip
            names.append(name)
    return tuple(names)


def _rule_function(rule):
    """Resolve `rule` to ``(function, takes_grad_fn)``.

    `rule` is a name in `nnlib.optimizers`, a callable ``rule(w, dw, state, **hyper)`` or a
    `SeedRule`.
    """
    if isinstance(rule, SeedRule):
        if rule.kind == "schedule":
            raise ValueError(f"{rule.name!r} is a schedule, not an update rule")
        return rule.rule, rule.takes_grad_fn
    if isinstance(rule, str):
        names = _pure_rules()
        if rule not in names:
            raise ValueError(f"rule must be one of {names}, a callable or a SeedRule, got {rule!r}")
        return getattr(optimizers, rule), False
    if callable(rule):
        return rule, False
    raise TypeError(
        f"rule must be a name in nnlib.optimizers, a callable (w, dw, state, **hyper) -> w "
        f"or a SeedRule, got {_describe(rule)}"
    )


def _lookahead_coefficient(lookahead, hyper: dict) -> float:
    """0 for no look-ahead; `mu` (or `beta`) for True; the number itself for a float."""
    if lookahead is False or lookahead is None:
        return 0.0
    if lookahead is True:
        for key in ("mu", "beta"):
            if key in hyper:
                return float(hyper[key])
        raise ValueError("lookahead=True takes its coefficient from mu (or beta): pass mu=...")
    if isinstance(lookahead, numbers.Real) and math.isfinite(lookahead) and lookahead >= 0:
        return float(lookahead)
    raise ValueError(f"lookahead must be True, False or a number >= 0, got {lookahead!r}")


def _start(surface, x0) -> np.ndarray:
    w = np.array(surface.x0 if x0 is None else as_array(x0, "x0", finite=True), dtype=float)
    if w.shape != (2,):
        raise ValueError(f"x0 must be a point (x1, x2), shape (2,), got shape {w.shape}")
    return w


def _run(rule, surface, steps, x0, lookahead, hyper, tol=None) -> np.ndarray:
    """Run `run_optimizer`'s loop; with `tol`, stop (and truncate) at the first gap < tol."""
    s = get_surface(surface)
    steps = check_int(steps, "steps", low=0)
    fn, takes_grad_fn = _rule_function(rule)
    c = _lookahead_coefficient(lookahead, hyper)
    w = prev = _start(s, x0)
    path = np.full((steps + 1, 2), np.nan)
    path[0] = w
    grad, state = s.grad, {}
    if tol is not None and s.f(w) - s.f_min < tol:
        return path[:1]
    for t in range(1, steps + 1):
        if takes_grad_fn:
            new = fn(w, grad, state, **hyper)
        else:
            g = grad(w + c * (w - prev)) if c else grad(w)
            if not np.isfinite(g).all():
                break
            new = fn(w, g, state, **hyper)
        new = np.asarray(new, dtype=float)
        if not np.isfinite(new).all():
            break
        path[t] = new
        prev, w = w, new
        if abs(new).max() > DIVERGED:
            break
        if tol is not None and s.f(w) - s.f_min < tol:
            return path[: t + 1]
    return path


def run_optimizer(rule, surface, steps, x0=None, lookahead=False, **hyper) -> np.ndarray:
    r"""Run an update rule on a 2-D surface and return its iterates.

    .. math:: w_0 = x_0, \qquad g_t = \nabla f(w_t + c\,(w_t - w_{t-1})), \qquad
              w_{t+1} = \mathrm{rule}(w_t, g_t, \mathrm{state}, \ldots)

    with :math:`c = 0` (no look-ahead) by default. With ``rule="momentum"`` (PyTorch's
    form, :math:`v \leftarrow \mu v + g,\ w \leftarrow w - \mathrm{lr}\, v`) and
    ``lookahead=True`` (:math:`c = \mu`), the step :math:`w_t - w_{t-1}` is Sutskever's
    velocity :math:`v_t` (PyTorch's ``v`` times :math:`-\mathrm{lr}`), so the loop is
    **Sutskever et al.'s (2013) Nesterov momentum**, look-ahead form:

    .. math:: v_{t+1} = \mu v_t - \mathrm{lr}\,\nabla f(w_t + \mu v_t), \qquad
              w_{t+1} = w_t + v_{t+1}.

    With ``rule="ema_momentum"`` and ``lookahead=True`` (:math:`c = \beta`) it is S2's
    EMA-form Nesterov with the exact look-ahead :math:`W - \alpha\beta v`; ``lookahead=1.0``
    gives the slide's :math:`W - \alpha v`. PyTorch's form (``rule="nesterov"``, no
    look-ahead) produces exactly the look-ahead points :math:`w_t + \mu v_t` of
    Sutskever's sequence (see the tests).

    Parameters
    ----------
    rule : str, callable or SeedRule
        A pure rule of `nnlib.optimizers` by name (``"sgd"``, ``"momentum"``,
        ``"ema_momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ...),
        any callable ``rule(w, dw, state, **hyper) -> new w`` (``state`` a dict it may
        fill), or a `SEED_RULES` entry (called with the gradient *function* when it needs
        gradients at other points).
    surface : Surface or str
        A `nnlib.surfaces.Surface` or a name in `SURFACES`.
    steps : int >= 0
        Number of updates.
    x0 : array_like (2,), optional
        Start; the surface's ``x0`` by default.
    lookahead : bool or float, default False
        ``True``: take the gradient at :math:`w_t + c\,(w_t - w_{t-1})` with ``c = mu``
        (or ``beta``) from `hyper`; a number: that ``c``.
    **hyper
        Passed to the rule (``lr``, ``mu``, ``beta``, ``alpha``, ``eps``, ...).

    Returns
    -------
    ndarray (steps + 1, 2)
        Row ``t`` is :math:`w_t` (row 0 the start). A run that diverges (a value that is
        not finite, or :math:`\max|w| >` `DIVERGED`) stops: its remaining rows are NaN.

    Examples
    --------
    >>> run_optimizer("sgd", "s1_quadratic", 2, lr=0.1)  # w - 0.1 (2 x1 + x2, x1 + 8 x2)
    array([[ 3.  ,  3.  ],
           [ 2.1 ,  0.3 ],
           [ 1.65, -0.15]])
    """
    return _run(rule, surface, steps, x0, lookahead, hyper)


def steps_to_tol(path, surface, tol: float = 1e-6) -> int | None:
    r"""Return the first ``t`` with :math:`f(w_t) - f_{\min} <` `tol`, or None if never.

    Parameters
    ----------
    path : array_like (T, 2)
        Iterates as rows (`run_optimizer`'s output; NaN rows never count).
    surface : Surface or str
    tol : float > 0, default 1e-6

    Examples
    --------
    >>> steps_to_tol(run_optimizer("sgd", "s1_quadratic", 50, lr=0.2), "s1_quadratic")
    20
    """
    s = get_surface(surface)
    tol = _positive(tol, "tol")
    path = as_array(path, "path", ndim=2)
    hits = np.flatnonzero(s.f(path) - s.f_min < tol)  # NaN compares False
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class RaceRun:
    r"""One optimizer's run in a `race`.

    Attributes
    ----------
    path : ndarray (steps + 1, 2)
        Iterates, row 0 the start (NaN rows after a divergence).
    gap : ndarray (steps + 1,)
        :math:`f(w_t) - f_{\min}` per iterate.
    steps : int or None
        First ``t`` with ``gap < tol`` (None if never).
    """

    path: np.ndarray
    gap: np.ndarray
    steps: int | None


def _config(name, config) -> tuple[object, dict]:
    if isinstance(config, tuple) and len(config) == 2 and isinstance(config[1], dict):
        return config[0], dict(config[1])
    if isinstance(config, (str, SeedRule)) or callable(config):
        return config, {}
    raise TypeError(
        f"configs[{name!r}] must be a rule or a (rule, hyper-dict) pair, got {_describe(config)}"
    )


def race(surface, configs, steps: int = 500, tol: float = 1e-6) -> dict[str, RaceRun]:
    r"""Run several optimizers from the same start on the same surface.

    Parameters
    ----------
    surface : Surface or str
    configs : dict of str -> rule or (rule, hyper dict)
        E.g. ``{"SGD": ("sgd", {"lr": 0.2}), "Nesterov (Sutskever)": ("momentum",
        {"lr": 0.1, "mu": 0.9, "lookahead": True})}``; ``lookahead`` and ``x0`` in the dict
        go to `run_optimizer`.
    steps : int >= 0, default 500
    tol : float > 0, default 1e-6
        Threshold on :math:`f - f_{\min}` for `RaceRun.steps`.

    Returns
    -------
    dict of str -> RaceRun, in the order of `configs`.

    Examples
    --------
    >>> runs = race("s1_quadratic", {"GD": ("sgd", {"lr": 0.2}), "GD .24": ("sgd", {"lr": 0.24})})
    >>> {name: run.steps for name, run in runs.items()}
    {'GD': 20, 'GD .24': 212}
    """
    s = get_surface(surface)
    tol = _positive(tol, "tol")
    if not isinstance(configs, dict) or not configs:
        raise TypeError(
            f"configs must be a non-empty dict of name -> rule, got {_describe(configs)}"
        )
    out = {}
    for name, config in configs.items():
        rule, hyper = _config(name, config)
        la, x0 = hyper.pop("lookahead", False), hyper.pop("x0", None)
        path = _run(rule, s, steps, x0, la, hyper)
        gap = s.f(path) - s.f_min
        hits = np.flatnonzero(gap < tol)
        out[name] = RaceRun(path, gap, int(hits[0]) if hits.size else None)
    return out


@dataclass(frozen=True)
class Tuned:
    """The result of `tune_lr`.

    Attributes
    ----------
    lr : float or None
        The grid's learning rate that reached the tolerance in the fewest steps (the first
        such in the grid on a tie); None if none did.
    steps : int or None
        Its number of steps.
    by_lr : dict of float -> int or None
        Steps for every learning rate of the grid (None: not within the budget).
    """

    lr: float | None
    steps: int | None
    by_lr: dict


def tune_lr(rule, surface, grid, tol: float = 1e-6, steps: int = 5000, lookahead=False,
            **hyper) -> Tuned:  # fmt: skip
    r"""Best-of-grid learning rate: the fewest steps to :math:`f - f_{\min} <` `tol`.

    A race is fair only if every method gets its own best learning rate; this runs `rule`
    once per ``lr`` in `grid` (each run stops as soon as it reaches `tol`) and keeps the
    fastest.

    Parameters
    ----------
    rule, surface, lookahead, **hyper
        As in `run_optimizer` (`hyper` without ``lr``).
    grid : 1-D array_like of float > 0
        Learning rates, e.g. ``np.geomspace(1e-3, 1, 31)``.
    tol : float > 0, default 1e-6
    steps : int >= 1, default 5000
        Budget per run.

    Returns
    -------
    Tuned

    Examples
    --------
    >>> tune_lr("sgd", "s1_quadratic", [0.1, 0.2, 0.24, 0.25], steps=300).by_lr
    {0.1: 39, 0.2: 20, 0.24: 212, 0.25: None}
    """
    s = get_surface(surface)
    tol = _positive(tol, "tol")
    grid = as_array(grid, "grid", ndim=1, finite=True)
    if grid.size == 0 or (grid <= 0).any():
        raise ValueError(f"grid must be a non-empty list of learning rates > 0, got {grid}")
    if "lr" in hyper:
        raise TypeError("tune_lr chooses lr from grid: do not pass lr")
    by_lr = {}
    for lr in grid.tolist():
        path = _run(rule, s, steps, None, lookahead, {**hyper, "lr": lr}, tol=tol)
        reached = s.f(path[-1]) - s.f_min < tol
        by_lr[lr] = len(path) - 1 if reached else None
    done = {lr: n for lr, n in by_lr.items() if n is not None}
    best = min(done, key=done.get) if done else None
    return Tuned(best, done.get(best), by_lr)


# --------------------------------------------------------------------------------------
# d2l's conventions (chapter 12), to reproduce its printed traces (FACTS F3)
# --------------------------------------------------------------------------------------


def adagrad_eps_inside(w, dw, state, lr=0.01, eps=1e-6):
    r"""AdaGrad with :math:`\epsilon` **inside** the square root, as d2l (sec. 12.7) writes it.

    .. math:: s_t = s_{t-1} + g_t^2, \qquad w_t = w_{t-1} - \mathrm{lr}\,
              \frac{g_t}{\sqrt{s_t + \epsilon}}

    `nnlib.optimizers.adagrad` (PyTorch, Duchi et al.) divides by
    :math:`\sqrt{s_t} + \epsilon`. The two differ only where :math:`s_t` is of the order of
    :math:`\epsilon` (inside: a floor of :math:`\sqrt\epsilon = 10^{-3}` for d2l's 1e-6); on
    d2l's quadratic they part in the 6th decimal after 20 steps (-2.382563 here, -2.382564
    with nnlib's form). ``w``, ``dw``: arrays of one shape; ``state["s"]`` is kept.

    Examples
    --------
    >>> adagrad_eps_inside(np.array([1.0]), np.array([2.0]), {}, lr=0.5)  # 1 - .5*2/sqrt(4+1e-6)
    array([0.50000006])
    """
    s = state.get("s", 0.0) + dw * dw
    state["s"] = s
    return w - lr * dw / np.sqrt(s + eps)


def rmsprop_eps_inside(w, dw, state, lr=0.01, gamma=0.9, eps=1e-6):
    r"""RMSProp with :math:`\epsilon` inside the square root, as d2l (sec. 12.8) writes it.

    .. math:: s_t = \gamma s_{t-1} + (1 - \gamma) g_t^2, \qquad
              w_t = w_{t-1} - \mathrm{lr}\,\frac{g_t}{\sqrt{s_t + \epsilon}}

    d2l's :math:`\gamma` is nnlib's ``alpha`` (`nnlib.optimizers.rmsprop`, which divides by
    :math:`\sqrt{s_t} + \epsilon`, as PyTorch and Hinton's lecture 6e). ``state["s"]`` is
    kept.

    Examples
    --------
    >>> rmsprop_eps_inside(np.array([1.0]), np.array([1.0]), {}, lr=0.1)  # 1 - 0.1/sqrt(0.1 + 1e-6)
    array([0.683774])
    """
    s = gamma * state.get("s", 0.0) + (1 - gamma) * dw * dw
    state["s"] = s
    return w - lr * dw / np.sqrt(s + eps)


# --------------------------------------------------------------------------------------
# The seeds' wrong formulas, as written (historical; for "spot the error" cells)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedRule:
    """A formula from a seed deck, kept **as written** (labelled historical / wrong).

    Attributes
    ----------
    name : str
    rule : callable
        ``kind == "update"``: ``rule(w, dw, state, **hyper) -> w`` (or, when
        `takes_grad_fn`, ``rule(w, grad, state, **hyper)`` with ``grad`` the gradient
        function, for a formula that evaluates gradients elsewhere). ``kind ==
        "schedule"``: ``rule(k, **params) -> learning rate`` (vectorized over ``k``).
    source : str
        Where it is written.
    as_written : str
        The formula, copied.
    verdict : str
        What is wrong with it (LESSONS.md §2).
    correct : str
        The correct form, and where nnlib has it.
    takes_grad_fn : bool
    kind : {"update", "schedule"}
    """

    name: str
    rule: object
    source: str
    as_written: str
    verdict: str
    correct: str
    takes_grad_fn: bool = False
    kind: str = "update"

    def __call__(self, *args, **kwargs):
        """Call `rule`."""
        return self.rule(*args, **kwargs)


def _s0_momentum(w, dw, state, alpha=0.1, beta=0.9):
    # W_{k+1} = W_k - rho_k,  rho_k = alpha grad J(W_k) + beta grad J(W_{k-1})  (grad J(W_-1) = 0)
    rho = alpha * dw + beta * state.get("g_prev", 0.0)
    state["g_prev"] = dw
    return w - rho


def _s0_momentum_code(w, dw, state, eta=0.1, alpha=0.9):
    # Larson's notebook: W -= eta * g + alpha * (eta * g_prev)
    step = eta * dw + alpha * (eta * state.get("g_prev", 0.0))
    state["g_prev"] = dw
    return w - step


def _s0_nesterov(w, grad, state, alpha=0.1, beta=0.9):
    # rho_k = beta grad J(W_k + alpha grad J(W_{k-1})) + alpha grad J(W_{k-1})
    # W_{k+1} = W_k - rho_k
    g_prev = state.get("g_prev", np.zeros_like(w))
    rho = beta * grad(w + alpha * g_prev) + alpha * g_prev
    state["g_prev"] = grad(w)
    return w - rho


def _s1_sgd_code(w, dw, state, learning_rate=0.01):
    # S1's code: x += learning_rate * dx  (its formula has the minus)
    return w + learning_rate * dw


def _s1_momentum_code(w, dw, state, learning_rate=0.01, rho=0.9):
    # S1's code: vx = rho * vx + dx;  x += learning_rate * vx
    vx = rho * state.get("vx", 0.0) + dw
    state["vx"] = vx
    return w + learning_rate * vx


def _s1_adam_code(w, dw, state, learning_rate=1e-3, beta1=0.9, beta2=0.999):
    # S1's loop: for t in range(num_iterations): ... / (1 - beta1 ** t): t = 0 first
    t = state.get("t", 0)
    state["t"] = t + 1
    m = state["first_moment"] = beta1 * state.get("first_moment", 0.0) + (1 - beta1) * dw
    v = state["second_moment"] = beta2 * state.get("second_moment", 0.0) + (1 - beta2) * dw * dw
    with np.errstate(divide="ignore", invalid="ignore"):  # 1 - beta ** 0 = 0
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        return w - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-7)


def _s0_cooling_1(k, eta0=0.1, d=0.5, k_max=100):
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = eta0 * d ** np.floor(k_max / k)
    return np.where(k > 0, out, np.nan)  # undefined at k = 0 (division by zero)


def _s0_cooling_2(k, eta0=0.1, d=0.01):
    return eta0 ** (1 + np.asarray(k, dtype=float) * d)


#: The seeds' wrong update rules, as written (S0's momentum and Nesterov lines and Larson's
#: code, S1's code with its sign errors and its t = 0 Adam loop); **historical / wrong**,
#: never in `optimizers`.
SEED_RULES: dict[str, SeedRule] = {
    "s0_momentum": SeedRule(
        "s0_momentum", _s0_momentum, "S0 (Larson), slide 'Momentum'",
        "W_{k+1} = W_k − ρ_k,  ρ_k = α∇J(W_k) + β∇J(W_{k−1})",
        "not momentum: a two-tap filter of the last two gradients, with β unscaled by α; "
        "with a constant gradient the step tends to α + β, and it diverges on S1's "
        "quadratic for α = 0.05–0.1 with β = 0.5 or 0.9",
        "heavy ball ρ_k = α∇J(W_k) + βρ_{k−1}: nnlib.optimizers.momentum (lr = α, mu = β)",
    ),
    "s0_momentum_code": SeedRule(
        "s0_momentum_code", _s0_momentum_code, "S0's demo notebook (eclarson, "
        "'08. Practical_NeuralNets')", "W -= eta*g + alpha*(eta*g_prev)",
        "still a two-tap filter, not momentum: with a constant gradient the step tends to "
        "(1 + α)η (1.9η for α = 0.9), heavy ball's to η/(1 − α) (10η)",
        "nnlib.optimizers.momentum",
    ),
    "s0_nesterov": SeedRule(
        "s0_nesterov", _s0_nesterov, "S0 (Larson), slide 'Nesterov's Accelerated Gradient'",
        "ρ_k = β∇J(W_k + α∇J(W_{k−1})) + α∇J(W_{k−1}),  W_{k+1} = W_k − ρ_k",
        "three errors: the look-ahead goes uphill (+α∇J), α and β are swapped relative to "
        "the momentum line, and it uses the previous gradient instead of the velocity; "
        "diverges on S1's quadratic for (α, β) = (0.05, 0.9), (0.1, 0.5), (0.1, 0.9)",
        "Sutskever et al. 2013: v = μv − ε∇J(W + μv), W += v: run_optimizer('momentum', "
        "..., lookahead=True); PyTorch's form nnlib.optimizers.nesterov",
        takes_grad_fn=True,
    ),
    "s1_sgd_code": SeedRule(
        "s1_sgd_code", _s1_sgd_code, "S1 (Courty), slide 'SGD', code",
        "x += learning_rate * dx",
        "sign error: a step uphill (gradient ascent); the slide's own formula has the minus",
        "x -= learning_rate * dx: nnlib.optimizers.sgd",
    ),
    "s1_momentum_code": SeedRule(
        "s1_momentum_code", _s1_momentum_code, "S1 (Courty), slide 'SGD+Momentum', code",
        "vx = rho * vx + dx;  x += learning_rate * vx",
        "sign error: ascent with momentum (the formula beside it has x − αv)",
        "x -= learning_rate * vx: nnlib.optimizers.momentum (mu = rho)",
    ),
    "s1_adam_code": SeedRule(
        "s1_adam_code", _s1_adam_code, "S1 (Courty), slide 'Adam', full form, code",
        "for t in range(num_iterations): ... first_unbias = first_moment / (1 - beta1 ** t) ...",
        "t starts at 0, so the first step divides by 1 − β⁰ = 0 and the iterate becomes NaN "
        "(the last line also has an extra ')')",
        "for t in range(1, num_iterations + 1): nnlib.optimizers.adam (t counts from 1)",
    ),
}  # fmt: skip

#: S0's two "cooling" formulas, as written (rate as a function of the epoch k >= 1).
SEED_SCHEDULES: dict[str, SeedRule] = {
    "s0_cooling_1": SeedRule(
        "s0_cooling_1", _s0_cooling_1, "S0 (Larson), slide 'Cooling'",
        "η_k = η_0 · d^⌊k_max / k⌋  ('drop by d every ...')",
        "the rate increases with k: η_0 = 0.1, d = 0.5, k_max = 100 gives 7.9e-32 at k = 1, "
        "0.025 at k = 50, 0.05 at k = 100 (and k = 0 divides by zero)",
        "step decay η_0 d^⌊k / k_step⌋: nnlib.schedules.StepDecay(lr0, drop=d, every=k_step)",
        kind="schedule",
    ),
    "s0_cooling_2": SeedRule(
        "s0_cooling_2", _s0_cooling_2, "S0 (Larson), slide 'Cooling'",
        "η_k = η_0^(1 + k·d)  ('drop a little every epoch')",
        "decays only when η_0 < 1 and grows when η_0 > 1 (η_0 = 2, d = 0.1: 2048 at k = 100); "
        "Larson's code is eta / (1 + decrease_const * i)",
        "inverse-time decay η_0 / (1 + d k): nnlib.schedules.InverseTime(lr0, k=d)",
        kind="schedule",
    ),
}  # fmt: skip


# --------------------------------------------------------------------------------------
# Precomputed best-of-grid learning rates (the grid search itself runs in the tests)
# --------------------------------------------------------------------------------------

#: The learning-rate grid of `TUNED`: 41 log-spaced values from 1e-3 to 3.
TUNE_GRID: np.ndarray = np.geomspace(1e-3, 3.0, 41)
TUNE_GRID.setflags(write=False)

# index into TUNE_GRID (None: no lr of the grid reached tol) and the steps it took
_TUNED_INDEX = {
    "s1_quadratic": {"sgd": (26, 20), "momentum": (19, 92), "nesterov": (24, 28),
                     "adagrad": (40, 1), "rmsprop": (28, 4), "adam": (40, 1)},
    "valley": {"sgd": (18, 213), "momentum": (15, 129), "nesterov": (16, 33),
               "adagrad": (40, 9), "rmsprop": (38, 7), "adam": (32, 121)},
    "rotated_valley": {"sgd": (18, 213), "momentum": (15, 129), "nesterov": (16, 33),
                       "adagrad": (36, 299), "rmsprop": (24, 199), "adam": (29, 135)},
    "rosenbrock": {"sgd": (None, None), "momentum": (3, 759), "nesterov": (0, 1379),
                   "adagrad": (None, None), "rmsprop": (None, None), "adam": (38, 561)},
}  # fmt: skip

#: Best-of-grid learning rates: ``TUNED[surface][rule] = (lr, steps)``, the fewest steps to
#: ``f - f_min < 1e-6`` from the surface's start over `TUNE_GRID`, at most 5000 steps,
#: ``mu = 0.9`` for momentum and Nesterov, every other hyper-parameter at nnlib's default
#: (``(None, None)``: no lr of the grid got there). Computed by `tune_lr` (about 100 s for
#: the four surfaces; the tests rerun a neighbourhood of each). Read with care: AdaGrad and
#: Adam at lr 3 on S1's quadratic reach the minimum in **one** step because their first
#: step is ``lr * sign(g)`` = (-3, -3) from (3, 3), a coincidence of the start; values at
#: the grid's ends (index 0 or 40) may improve on a wider grid. GD, momentum and Nesterov
#: take exactly the same steps on the valley and the rotated valley (they are invariant
#: under rotation); AdaGrad, RMSProp and Adam lose their advantage there.
TUNED: dict[str, dict[str, tuple[float | None, int | None]]] = {
    surface: {
        rule: (None if k is None else float(TUNE_GRID[k]), n) for rule, (k, n) in rules.items()
    }
    for surface, rules in _TUNED_INDEX.items()
}


# --------------------------------------------------------------------------------------
# Practical training (lessons 07 and 08): dead and saturated units, random search,
# the babysitting sanity checks
# --------------------------------------------------------------------------------------
# These take an nnlib MLP but do not import nnlib.model (a higher layer): they use its
# public methods and its `layers`, so any object with them works.

#: Hidden activations that saturate, with the bounds of their range.
SATURATING: dict[str, tuple[float, float]] = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}

_MLP_NEEDS = ("sizes", "layers", "flat_params")


def _check_model(model, needs: Sequence[str] = _MLP_NEEDS) -> None:
    """Refuse what is not an nnlib MLP (duck-typed on the attributes used)."""
    missing = [a for a in needs if not hasattr(model, a)]
    if missing:
        raise TypeError(
            f"model must be an nnlib MLP (with {', '.join(needs)}), got {_describe(model)}, "
            f"which has no {missing[0]!r}"
        )


def _hidden_outputs(model, X) -> list[np.ndarray]:
    r"""Each hidden layer's output :math:`A^{[l]}` (N, sizes[l]) for `X`, in evaluation mode.

    :math:`A^{[l]}` is the input of the ``(l+1)``-th layer with a weight matrix ``W``
    (``Dense``, ``DropConnect``, ``Maxout``), so it is taken after everything that
    follows the ``l``-th one: batch normalization (running statistics), the activation
    (or an activation layer such as ``PReLU``), dropout (off in evaluation).
    """
    _check_model(model)
    X = check_batch(X, model.sizes[0], dtype=getattr(model, "dtype", np.float64))
    if len(X) == 0:
        raise ValueError("X must have at least one row, got shape (0, ...)")
    if not np.all(np.isfinite(model.flat_params)):
        raise ValueError(
            "the model's parameters contain NaN or inf (the training diverged): there are "
            "no activations to measure"
        )
    n_weights = sum("W" in getattr(layer, "params", {}) for layer in model.layers)
    outputs, seen, A = [], 0, X
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in model.layers:
            if "W" in getattr(layer, "params", {}):
                seen += 1
                if seen > 1:
                    outputs.append(A)
                if seen == n_weights:
                    break
            A = layer._forward(A, False)
    return outputs


def dead_units(model, X) -> np.ndarray:
    r"""Fraction of each hidden layer's units that are never active on `X`.

    Unit :math:`j` of hidden layer :math:`l` is **dead** on the batch when its output is
    exactly zero on every row:

    .. math:: \mathrm{dead}_l = \frac{1}{D_l} \sum_{j=1}^{D_l}
              \mathbb 1\!\left[A^{[l]}_{nj} = 0 \ \text{for all}\ n = 1..N\right]

    For ReLU this means :math:`Z^{[l]}_{nj} \le 0` on every row, where ReLU's gradient is
    0 too: no example can revive the unit's incoming weights (cs231n: "as much as 40% of
    your network can be dead" with a too-high learning rate). The count is meaningful
    for ReLU (and ReLU after batch normalization); leaky ReLU, ELU, SELU, GELU, swish,
    tanh and sigmoid have no flat zero region, so their units are not dead in this sense.

    One forward pass in evaluation mode (dropout off, batch normalization with its
    running statistics); the model is not changed.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (N, sizes[0]), N >= 1
        Usually the whole training set: a unit active on one row is alive.

    Returns
    -------
    ndarray, shape (L - 1,)
        One fraction in [0, 1] per hidden layer, layer 1 first (``sizes[1:-1]`` units).

    Raises
    ------
    TypeError
        For a `model` that is not an nnlib MLP.
    ValueError
        For `X` of the wrong shape or with NaN, or a model with NaN or inf parameters.

    Examples
    --------
    >>> from nnlib import MLP
    >>> model = MLP([2, 3, 2], hidden="relu", output="softmax", init="zeros")
    >>> model.params["W1"][:] = [[1.0, -1.0, 0.5], [1.0, -1.0, -2.0]]
    >>> dead_units(model, [[1.0, 2.0], [0.5, 0.0]])   # Z1 = [[3, -3, -3.5], [0.5, -0.5, 0.25]]
    array([0.333...])
    """
    return np.array([float(np.mean(np.all(A == 0.0, axis=0))) for A in _hidden_outputs(model, X)])


def saturation(model, X, threshold: float = 0.99) -> np.ndarray:
    r"""Fraction of each hidden layer's activations that are saturated on `X`.

    An activation :math:`h` is **saturated** when it lies within :math:`1 - t` (``t`` the
    `threshold`) of a bound of the activation's range (`SATURATING`), where the
    derivative is almost zero and the gradient through the unit vanishes:

    ==============  =====================================  ===========================
    hidden          saturated when                         derivative there (t = 0.99)
    ==============  =====================================  ===========================
    ``"tanh"``      :math:`|h| > t`                        :math:`1 - h^2 < 0.0199`
    ``"sigmoid"``   :math:`h < 1 - t` or :math:`h > t`     :math:`h(1 - h) < 0.0099`
    ==============  =====================================  ===========================

    .. math:: \mathrm{sat}_l = \frac{1}{N D_l} \sum_{n, j}
              \mathbb 1\!\left[h^{[l]}_{nj}\ \text{saturated}\right]

    the same rule as `activation_statistics`. Other hidden activations (ReLU and its
    relatives, softplus, GELU, swish, ...) have no upper bound and do not saturate in
    this sense: their layers get NaN ("does not apply"), not 0.

    Parameters
    ----------
    model : MLP
        Its ``hidden`` names the activation.
    X : array_like, shape (N, sizes[0]), N >= 1
    threshold : float in (0, 1), default 0.99

    Returns
    -------
    ndarray, shape (L - 1,)
        One fraction in [0, 1] per hidden layer (layer 1 first), or NaN for all of them.

    Examples
    --------
    >>> from nnlib import MLP
    >>> model = MLP([1, 2, 1], hidden="tanh", init="zeros")
    >>> model.params["W1"][:] = [[1.0, 10.0]]       # tanh(x) and tanh(10 x)
    >>> saturation(model, [[0.1], [1.0], [3.0]])    # x = 3: 0.995 and 1.0; x = 1: 1.0
    array([0.5])
    >>> saturation(MLP([1, 2, 1], hidden="relu"), [[0.1]])
    array([nan])
    """
    threshold = check_number(threshold, "threshold", low=0, high=1, low_open=True, high_open=True)
    outputs = _hidden_outputs(model, X)
    name = getattr(model, "hidden", None)
    if name not in SATURATING:
        return np.full(len(outputs), np.nan)
    return np.array([_saturated(A, name, threshold) for A in outputs])


# --------------------------------------------------------------------------- random search


def _bounds(lo, hi, what: str, *, positive: bool) -> tuple[float, float]:
    low = 0 if positive else None
    lo = check_number(lo, "lo", low=low, low_open=positive, finite=True)
    hi = check_number(hi, "hi", low=low, low_open=positive, finite=True)
    if not lo < hi:
        raise ValueError(f"{what} needs lo < hi, got lo={lo!r} and hi={hi!r}")
    return lo, hi


@dataclass(frozen=True)
class LogUniform:
    r"""A value drawn uniformly in log space, :math:`10^u` with :math:`u` uniform.

    :math:`u \sim U(\log_{10} lo, \log_{10} hi)`.

    Every decade between `lo` and `hi` gets the same share of the draws: for
    ``LogUniform(1e-6, 1e-1)`` as many values fall in [1e-6, 1e-5] as in [1e-2, 1e-1],
    where a uniform draw would put 90% of them in the last decade. Use it for scale
    parameters (learning rate, regularization strength), whose effect is multiplicative.

    Parameters
    ----------
    lo, hi : float, 0 < lo < hi

    Examples
    --------
    >>> LogUniform(1e-4, 1e-1).sample(0, 3)     # one value in each decade, by chance
    array([0.00814489, 0.0006447 , 0.00013272])
    """

    lo: float
    hi: float

    def __post_init__(self):
        lo, hi = _bounds(self.lo, self.hi, "LogUniform", positive=True)
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def sample(self, rng, n: int) -> np.ndarray:
        """Draw `n` values (shape (n,)); each in [lo, hi]."""
        u = as_rng(rng).uniform(math.log10(self.lo), math.log10(self.hi), check_int(n, "n", low=0))
        return np.clip(10.0**u, self.lo, self.hi)


@dataclass(frozen=True)
class Uniform:
    r"""A value drawn uniformly from ``[lo, hi)``.

    For parameters whose effect is additive (a dropout probability, say).

    Examples
    --------
    >>> Uniform(0.2, 0.8).sample(0, 3).round(3)
    array([0.582, 0.362, 0.225])
    """

    lo: float
    hi: float

    def __post_init__(self):
        lo, hi = _bounds(self.lo, self.hi, "Uniform", positive=False)
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def sample(self, rng, n: int) -> np.ndarray:
        """Draw `n` values (shape (n,))."""
        return as_rng(rng).uniform(self.lo, self.hi, check_int(n, "n", low=0))


@dataclass(frozen=True)
class Choice:
    """One of a few options, each with probability ``1 / len(options)``.

    Examples
    --------
    >>> Choice(["relu", "tanh"]).sample(0, 4)
    ['tanh', 'tanh', 'tanh', 'relu']
    """

    options: tuple

    def __post_init__(self):
        options = self.options
        if isinstance(options, (str, bytes)) or not isinstance(options, Sequence) or not options:
            raise TypeError(
                "Choice needs a non-empty list or tuple of options, e.g. Choice(['relu', "
                f"'tanh']), got {_describe(options)}"
            )
        object.__setattr__(self, "options", tuple(options))

    def sample(self, rng, n: int) -> list:
        """Draw `n` options (a list)."""
        idx = as_rng(rng).integers(len(self.options), size=check_int(n, "n", low=0))
        return [self.options[i] for i in idx]


_DISTRIBUTIONS = (LogUniform, Uniform, Choice)


@dataclass(frozen=True)
class Trial:
    """One evaluated point of a `random_search`.

    Attributes
    ----------
    number : int
        1-based position in the order of drawing.
    params : dict
        Name -> the value given to the objective (floats as Python floats).
    score : float
        What the objective returned; NaN when it raised ``FloatingPointError``.
    error : str or None
        That error's message.
    """

    number: int
    params: dict
    score: float
    error: str | None = None

    def __str__(self) -> str:
        values = " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v!r}"
                          for k, v in self.params.items())  # fmt: skip
        return f"trial {self.number}: score {self.score:.4g}  {values}"


def _check_space(space) -> dict:
    if not isinstance(space, dict) or not space:
        raise TypeError(
            "space must be a non-empty dict name -> LogUniform / Uniform / Choice (or a fixed "
            f"value), e.g. {{'lr': LogUniform(1e-4, 1e-1)}}, got {_describe(space)}"
        )
    for name in space:
        if not isinstance(name, str):
            raise TypeError(f"space's keys must be parameter names (str), got {name!r}")
    return space


def _score(value, number: int) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"objective must return a number (the score), got {_describe(value)} in trial {number}"
        )
    return float(value)


def random_search(space, objective, n_trials: int, rng=None, *, maximize: bool = False):
    r"""Evaluate `objective` at `n_trials` random points of `space`; best trial first.

    Bergstra & Bengio (2012) showed that random points beat a grid of the same size:
    when only a few hyper-parameters matter, a grid tries few distinct values of each,
    random points try `n_trials`. cs231n's recipe is **coarse to fine**: a first search
    over wide ranges (``lr`` 10^U(-6, -3), ``reg`` 10^U(-5, 5)), each trial trained
    briefly, then a second search with the ranges narrowed around the best trials
    (`refine`), trained longer. Scale parameters are drawn in log space (`LogUniform`).

    All the values are drawn first, dimension by dimension in the order of `space`,
    ``n_trials`` at a time; then the objective is called on trial 1, 2, ... So the same
    `rng` gives the same points whatever the objective does (give it its own seed for
    its training).

    Parameters
    ----------
    space : dict
        Name -> `LogUniform`, `Uniform`, `Choice`, or a fixed value passed as is.
    objective : callable ``objective(params) -> float``
        Gets a new dict ``{name: value}`` per trial; returns the score (e.g. a validation
        loss). A ``FloatingPointError`` (`nnlib.training.fit`'s diverged loss) is recorded
        as a NaN score with its message; other errors propagate.
    n_trials : int >= 1
    rng : Generator, int seed or None
    maximize : bool, default False
        False: lower scores are better (a loss); True: higher (an accuracy).

    Returns
    -------
    tuple of Trial
        Sorted best first; NaN scores last; ties by trial number.

    Examples
    --------
    >>> space = {"lr": LogUniform(1e-4, 1.0), "act": Choice(["relu", "tanh"])}
    >>> trials = random_search(space, lambda p: (math.log10(p["lr"]) + 2) ** 2, 20, rng=0)
    >>> for trial in trials[:3]:                 # the best lr is 10^-2
    ...     print(trial)
    trial 18: score 0.0275  lr=0.0147 act='tanh'
    trial 9: score 0.03045  lr=0.0149 act='relu'
    trial 20: score 0.09564  lr=0.00491 act='tanh'
    """
    space = _check_space(space)
    if not callable(objective):
        raise TypeError(f"objective must be a function params -> score, got {_describe(objective)}")
    n_trials = check_int(n_trials, "n_trials", low=1)
    maximize = check_bool(maximize, "maximize", meaning="True: higher scores are better")
    rng = as_rng(rng)
    draws = {
        name: dist.sample(rng, n_trials) if isinstance(dist, _DISTRIBUTIONS) else [dist] * n_trials
        for name, dist in space.items()
    }
    trials = []
    for i in range(n_trials):
        params = {k: v[i].item() if isinstance(v, np.ndarray) else v[i] for k, v in draws.items()}
        try:
            trials.append(Trial(i + 1, params, _score(objective(dict(params)), i + 1)))
        except FloatingPointError as error:
            trials.append(Trial(i + 1, params, math.nan, str(error)))
    sign = -1.0 if maximize else 1.0
    return tuple(sorted(trials, key=lambda t: (math.isnan(t.score), sign * t.score, t.number)))


def refine(space, trials, top: int = 5) -> dict:
    r"""Return the next, finer `space` of a coarse-to-fine search: the best trials' ranges.

    Each `LogUniform` / `Uniform` becomes the same kind of range from the smallest to
    the largest value among the `top` best finite trials (``trials[:top]`` of
    `random_search`); a `Choice` keeps the options they used (in their original order);
    fixed values stay. Look at where the best trials lie before narrowing: a best value
    at the edge of a range says the range should move, not shrink.

    Parameters
    ----------
    space : dict
        The space the trials were drawn from.
    trials : sequence of Trial, best first
    top : int >= 2

    Returns
    -------
    dict
        A new space.

    Examples
    --------
    >>> space = {"lr": LogUniform(1e-4, 1.0)}
    >>> trials = random_search(space, lambda p: (math.log10(p["lr"]) + 2) ** 2, 20, rng=0)
    >>> finer = refine(space, trials, top=3)   # the 3 best: lr 0.0147, 0.0149, 0.00491
    >>> round(finer["lr"].lo, 5), round(finer["lr"].hi, 5)
    (0.00491, 0.01495)
    """
    space = _check_space(space)
    top = check_int(top, "top", low=2)
    if not isinstance(trials, Sequence) or not all(isinstance(t, Trial) for t in trials):
        raise TypeError(f"trials must be the tuple random_search returned, got {_describe(trials)}")
    best = [t for t in trials if not math.isnan(t.score)][:top]
    if len(best) < 2:
        raise ValueError(
            f"refine needs at least 2 trials with a finite score, got {len(best)} of {len(trials)}"
        )
    new = {}
    for name, dist in space.items():
        values = [t.params[name] for t in best]
        if isinstance(dist, (LogUniform, Uniform)):
            lo, hi = min(values), max(values)
            new[name] = type(dist)(lo, hi) if lo < hi else lo
        elif isinstance(dist, Choice):
            kept = [o for o in dist.options if o in values]
            new[name] = Choice(kept) if len(kept) > 1 else kept[0]
        else:
            new[name] = dist
    return new


# --------------------------------------------------------------------------- sanity checks

#: What a model must have for `sanity_checks` (an nnlib MLP has all of it).
_SANITY_NEEDS = (
    "sizes", "output", "params", "grads", "flat_grads", "forward", "loss_from_logits",
    "loss_and_grad", "score", "get_weights", "set_weights",
)  # fmt: skip


@dataclass(frozen=True)
class SanityCheck:
    """One line of a `SanityReport`.

    Attributes
    ----------
    name : str
    passed : bool or None
        None when the check does not apply (no reference initial loss for ``mse``).
    measured, expected : str
        What happened and what a healthy setup gives, in words and numbers.
    note : str
        Why it failed and what to look at ("" when it passed).
    """

    name: str
    passed: bool | None
    measured: str
    expected: str
    note: str = ""


@dataclass(frozen=True)
class SanityReport:
    """The result of `sanity_checks`: one `SanityCheck` per check, and the loss curves.

    ``str(report)`` is a table; ``report["overfit"]`` one check by name (``"initial
    loss"``, ``"overfit"``, ``"lr too low"``, ``"lr too high"``); ``report.passed`` is
    True when no check failed. ``curves`` maps the last three names to the loss before
    each step (an ndarray; the last entry is after the last step).
    """

    checks: tuple
    initial_loss: float
    curves: dict

    @property
    def passed(self) -> bool:
        """True when every check that applies passed."""
        return all(c.passed is not False for c in self.checks)

    def __getitem__(self, name: str) -> SanityCheck:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(f"no check named {name!r}; the checks are {[c.name for c in self.checks]}")

    def __str__(self) -> str:
        width = max(len(c.measured) for c in self.checks)
        rows = [f"{'check':<12} {'result':<6}  {'measured':<{width}}  expected"]
        for c in self.checks:
            result = {True: "pass", False: "FAIL", None: "n/a"}[c.passed]
            rows.append(f"{c.name:<12} {result:<6}  {c.measured:<{width}}  {c.expected}")
        rows += [f"{c.name}: {c.note}" for c in self.checks if c.note]
        return "\n".join(rows)


def _reference_loss(loss_name, n_classes: int) -> tuple[float | None, str]:
    """Return the loss of uniform predictions: ln C (softmax), ln 2 (sigmoid units)."""
    if loss_name == "softmax_cross_entropy":
        return math.log(n_classes), f"ln {n_classes} = {math.log(n_classes):.4f}"
    if loss_name in ("bce", "bce_with_logits"):
        return math.log(2.0), f"ln 2 = {math.log(2.0):.4f} per output"
    return None, "no reference value for this loss"


def _steps(model, X, y, loss, optimizer, n_steps: int, until=None) -> np.ndarray:
    """Take up to `n_steps` full-batch steps; the loss before each and after the last.

    The recorded loss is the data loss in evaluation mode (no dropout noise, no penalty),
    so a curve moves only because the weights did. Stops early when it is not finite or
    ``until()`` is true after a step.
    """
    post_step = getattr(model, "post_step", None)

    def current() -> float:
        return model.loss_from_logits(model.forward(X), y, loss, penalty=False, grad=False)[0]

    losses = []
    for _ in range(n_steps):
        losses.append(current())
        if not math.isfinite(losses[-1]):
            return np.array(losses)
        model.loss_and_grad(X, y, loss)
        optimizer.step(model.params, model.grads)
        if post_step is not None:
            post_step(optimizer.lr)
        if until is not None and until():
            break
    losses.append(current())
    return np.array(losses)


def _guarded(name: str, expected: str, run) -> tuple[SanityCheck, np.ndarray | None]:
    """Run one check; an exception becomes a failed check that names it."""
    try:
        return run()
    except Exception as error:  # a broken model is reported, not raised
        note = f"raised {type(error).__name__}: {error}"
        return SanityCheck(name, False, "error", expected, note), None


def _initial_loss_check(model, X, y, loss, init_tol: float):
    value = model.loss_from_logits(model.forward(X), y, loss, penalty=False, grad=False)[0]
    name = loss if isinstance(loss, str) else getattr(loss, "name", None)
    reference, words = _reference_loss(name, model.sizes[-1])
    if reference is None:
        return SanityCheck("initial loss", None, f"{value:.4f}", words), value
    passed = bool(abs(value - reference) <= init_tol * reference)
    note = "" if passed else (
        f"{value:.4g} is far from {reference:.4g}: the logits are not small at the start "
        "(weights scaled wrongly? inputs not standardized?), or the loss is not a mean "
        "over rows"
    )  # fmt: skip
    expected = f"{words} (within {init_tol:.0%})"
    return SanityCheck("initial loss", passed, f"{value:.4f}", expected, note), value


def _overfit_check(model, Xs, ys, loss, make_optimizer, lr: float, steps: int):
    classify = model.output in CLASSIFIER_OUTPUTS
    n = len(Xs)
    if classify:
        goal = lambda: model.score(Xs, ys) == 1.0  # noqa: E731
        expected = f"100% of {n} rows in <= {steps} steps"
    else:

        def data_loss() -> float:
            return model.loss_from_logits(model.forward(Xs), ys, loss, grad=False)[0]

        first = data_loss()
        goal = lambda: data_loss() < 0.01 * first  # noqa: E731
        expected = f"loss below 1% of its start on {n} rows in <= {steps} steps"
    curve = _steps(model, Xs, ys, loss, make_optimizer(lr=lr), steps, until=goal)
    taken = len(curve) - 1
    if classify:
        accuracy = model.score(Xs, ys)
        passed, measured = accuracy == 1.0, f"{accuracy:.0%} after {taken} steps"
    else:
        passed = bool(curve[-1] < 0.01 * curve[0])
        measured = f"loss {curve[0]:.3g} -> {curve[-1]:.3g} in {taken} steps"
    note = "" if passed else (
        f"the model cannot fit {n} examples at lr {lr:g}: try another learning rate, check "
        "the gradients (nnlib.gradcheck) and that X and y rows match"
    )  # fmt: skip
    return SanityCheck("overfit", bool(passed), measured, expected, note), curve


def _probe_check(model, Xs, ys, loss, make_optimizer, lr: float, steps: int, low: bool):
    model.loss_and_grad(Xs, ys, loss)  # a model broken from the start fails here, not below
    with np.errstate(all="ignore"):
        try:
            curve = _steps(model, Xs, ys, loss, make_optimizer(lr=lr), steps)
        except (FloatingPointError, ValueError):  # non-finite logits refused by the loss
            if low:
                raise
            curve = np.array([np.inf])
    if low:
        change = abs(curve[-1] - curve[0]) / curve[0]
        passed = bool(change < 0.01)
        measured, expected = f"moved {change:.2%}", f"< 1% in {steps} steps at lr {lr:g}"
        note = "" if passed else (
            f"a tiny learning rate ({lr:g}) moved the loss by {change:.1%}: the gradients are "
            "huge (unscaled inputs? a sum over rows instead of a mean?)"
        )  # fmt: skip
        return SanityCheck("lr too low", passed, measured, expected, note), curve
    blown = not np.all(np.isfinite(curve))
    worst = np.inf if blown else float(curve.max() / curve[0])
    passed = bool(blown or worst > 3.0)
    measured = "NaN or inf" if blown else f"max {worst:.3g}x the start"
    expected = f"NaN, inf or > 3x in {steps} steps at lr {lr:g}"
    note = "" if passed else (
        f"a huge learning rate ({lr:g}) left the loss bounded: do the gradients reach the "
        "weights? (all units dead, or gradients of zero)"
    )  # fmt: skip
    return SanityCheck("lr too high", passed, measured, expected, note), curve


def _run_checks(model, runs: dict) -> SanityReport:
    """Run each check from the model's starting weights, without L1/L2; restore it all."""
    saved, grads = model.get_weights(), model.flat_grads.copy()
    penalties = {k: getattr(model, k) for k in ("l1", "l2") if hasattr(model, k)}
    checks, curves, initial = [], {}, math.nan
    try:
        for k in penalties:
            setattr(model, k, 0.0)
        for name, (expected, run) in runs.items():
            model.set_weights(saved)
            check, result = _guarded(name, expected, run)
            checks.append(check)
            if name == "initial loss":
                initial = math.nan if result is None else float(result)
            else:
                curves[name] = result
    finally:
        for k, v in penalties.items():
            setattr(model, k, v)
        model.set_weights(saved)
        model.flat_grads[...] = grads
    return SanityReport(tuple(checks), initial, curves)


def _sanity_runs(model, data, tiny, loss, make_optimizer, o: dict) -> dict:
    """Return the four checks of `sanity_checks`: name -> (what is expected, the run)."""
    (X, y), (Xs, ys) = data, tiny
    lr, steps = o["lr"], o["probe_steps"]
    return {
        "initial loss": (
            "about ln C",
            lambda: _initial_loss_check(model, X, y, loss, o["init_tol"]),
        ),
        "overfit": (
            f"100% training accuracy on {len(Xs)} rows",
            lambda: _overfit_check(model, Xs, ys, loss, make_optimizer, lr, o["overfit_steps"]),
        ),
        "lr too low": (
            f"the loss barely moves at lr {o['low_lr']:g}",
            lambda: _probe_check(model, Xs, ys, loss, make_optimizer, o["low_lr"], steps, True),
        ),
        "lr too high": (
            f"the loss explodes at lr {o['high_lr']:g}",
            lambda: _probe_check(model, Xs, ys, loss, make_optimizer, o["high_lr"], steps, False),
        ),
    }


def _check_sanity_args(model, X, y, loss, optimizer, settings: dict):
    """Validate what `sanity_checks` is given (a broken model is not refused here).

    `settings` holds the rates and the tolerance (floats >= 0) and the counts (ints >= 1).
    """
    for name, value in settings.items():
        if name in ("lr", "low_lr", "high_lr", "init_tol"):
            settings[name] = check_number(value, name, low=0, finite=True)
        else:
            settings[name] = check_int(value, name, low=1)
    _check_model(model, _SANITY_NEEDS)
    X = check_batch(X, model.sizes[0], dtype=getattr(model, "dtype", np.float64))
    if len(X) == 0:
        raise ValueError("X must have at least one row, got shape (0, ...)")
    # the targets and the loss's pairing with the output, on logits that cannot be broken
    model.loss_from_logits(np.zeros((len(X), model.sizes[-1])), y, loss, grad=False)
    if optimizer is None:
        optimizer = optimizers.Momentum
    if not callable(optimizer):
        raise TypeError(
            "optimizer must make an optimizer from a learning rate, optimizer(lr=...), such "
            f"as nnlib.optimizers.SGD, got {_describe(optimizer)}"
        )
    return X, optimizer, settings


def sanity_checks(
    model,
    X,
    y,
    loss,
    rng=None,
    *,
    optimizer=None,
    lr: float = 0.1,
    n_overfit: int = 20,
    overfit_steps: int = 200,
    low_lr: float = 1e-6,
    high_lr: float = 1e6,
    probe_steps: int = 10,
    init_tol: float = 0.75,
) -> SanityReport:
    r"""Babysit a training setup before a long run: cs231n's four checks, as a report.

    1. **Initial loss.** Small random weights give almost equal outputs, so softmax
       cross-entropy starts near :math:`\ln C` (2.302585 for :math:`C = 10`) and binary
       cross-entropy near :math:`\ln 2` per output. Measured on all of `X` without the
       weight penalty; it passes within ``init_tol`` (relative). He-initialized nets start
       above it: with logits of variance :math:`s^2` (1.4 to 3 for them),
       :math:`L \approx \ln C + \frac{C-1}{2C} s^2` for small :math:`s` (digits, He-ReLU
       [64, 100, 100, 10], 10 seeds: 2.53 to 3.38), which the default tolerance 0.75
       allows; the same net with its last weights ten times too large starts at 23.
    2. **Overfit a tiny set.** `n_overfit` rows drawn by `rng`, full-batch steps with
       ``optimizer(lr=lr)``, no L1/L2 penalty: 100% training accuracy within
       `overfit_steps` steps (for a regression: the loss below 1% of its start).
    3. **Learning rate too low.** `probe_steps` steps at `low_lr`: the loss barely moves
       (less than 1%; S1: "Loss barely changing: Learning rate is probably too low").
    4. **Learning rate too high.** `probe_steps` steps at `high_lr`: the loss becomes NaN
       or inf, or exceeds 3 times its start (S1: "If the cost is ever > 3 * original
       cost, break out early").

    The defaults follow cs231n's demonstration in S1 (20 examples, no regularization,
    rates 1e-6 and 1e6), with momentum instead of plain SGD for the overfit so that a
    sigmoid net also gets there within 200 steps.

    Each check starts from the model's weights as given, and they are put back at the
    end (with the gradients and the ``l1``/``l2`` settings); a model's ``post_step``
    runs after each step, as in `nnlib.training.fit`. A broken model never makes this
    raise: an exception inside a check is that check's failure, with its message.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (N, sizes[0])
    y : array_like
        Targets as `loss` expects them (integer labels for softmax cross-entropy).
    loss : str or nnlib.losses.Loss
    rng : Generator, int seed or None
        Picks the rows to overfit.
    optimizer : callable ``optimizer(lr=...) -> Optimizer``, default `optimizers.Momentum`
        (``mu = 0.9``).
    lr : float >= 0, default 0.1
        The rate for the overfitting check.
    n_overfit, overfit_steps, probe_steps : int >= 1
    low_lr, high_lr, init_tol : float >= 0

    Returns
    -------
    SanityReport

    Raises
    ------
    TypeError, ValueError
        For bad arguments: `X`, `y` or `loss` that do not fit the model, a bad number.

    Examples
    --------
    >>> from nnlib import MLP, datasets
    >>> X, y = datasets.blobs(100, centers=3, rng=0)
    >>> model = MLP([2, 16, 3], hidden="tanh", output="softmax", init="lecun_normal", rng=0)
    >>> report = sanity_checks(model, X, y, "softmax_cross_entropy", rng=0)
    >>> print(report)
    check        result  measured                 expected
    initial loss pass    1.1184                   ln 3 = 1.0986 (within 75%)
    overfit      pass    100% after 2 steps       100% of 20 rows in <= 200 steps
    lr too low   pass    moved 0.01%              < 1% in 10 steps at lr 1e-06
    lr too high  pass    max 1.11e+06x the start  NaN, inf or > 3x in 10 steps at lr 1e+06
    """
    X, make_optimizer, o = _check_sanity_args(model, X, y, loss, optimizer, dict(
        lr=lr, low_lr=low_lr, high_lr=high_lr, init_tol=init_tol, n_overfit=n_overfit,
        overfit_steps=overfit_steps, probe_steps=probe_steps,
    ))  # fmt: skip
    rows = as_rng(rng).choice(len(X), size=min(o["n_overfit"], len(X)), replace=False)
    Xs, ys = X[rows], np.asarray(y)[rows]
    return _run_checks(model, _sanity_runs(model, (X, y), (Xs, ys), loss, make_optimizer, o))
