r"""Loss functions and their gradients.

Every loss is a pair:

- ``loss(output, target) -> float``: the **mean** over the batch, returned as a Python
  float;
- ``loss_grad(output, target) -> ndarray``: :math:`\partial L / \partial\,\text{output}`,
  shaped like `output` and **including the 1/N** of the mean.

Everything is computed in float64 (losses feed gradient checks).

Shapes are never broadcast: a target of shape ``(N,)`` against an output of shape
``(N, 1)`` would silently broadcast to ``(N, N)`` in numpy; here it raises a
``ValueError`` that says how to reshape.

NaN and infinity are refused: an output or logits array containing them raises a
`NonFiniteError` (a ``ValueError``, and a ``FloatingPointError`` so that training loops
that catch divergence catch it too) saying where they usually come from, a diverged
training run or NaN in the input data. Targets must be finite too.

Two losses work on **logits** and fuse the output activation, because the fused form is
both stable and simple: `bce_with_logits` (sigmoid + binary cross-entropy) and
`softmax_cross_entropy` (softmax + categorical cross-entropy). In both the gradient at the
logits is :math:`(p - y)/N`: the activation's derivative cancels.

Each public loss validates its input. A training loop validates its whole data set once
instead: `check_pairing` (does the loss suit the model's output activation?) and
`check_loss_targets` (the targets, through `nnlib._checks.check_targets`), then calls
`paired_loss`, which applies the pairing rule with the unchecked `Loss.kernel`, batch
after batch.

>>> loss = get_loss("softmax_cross_entropy")
>>> loss
Loss('softmax_cross_entropy', fused_output='softmax')
>>> round(loss.forward([[0.0, 0.0]], [1]), 6)   # -log(1/2)
0.693147
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib._checks import (
    BINARY_TARGETS,
    _describe,
    as_array,
    check_choice,
    check_number,
    check_same_shape,
    check_targets,
    check_unit_interval,
)
from nnlib.activations import sigmoid

__all__ = [
    "LOSSES",
    "PAIRS",
    "Loss",
    "NonFiniteError",
    "bce",
    "bce_grad",
    "bce_with_logits",
    "bce_with_logits_grad",
    "check_finite_output",
    "check_loss_targets",
    "check_pairing",
    "get_loss",
    "mse",
    "mse_grad",
    "paired_loss",
    "softmax_cross_entropy",
    "softmax_cross_entropy_and_grad",
    "softmax_cross_entropy_grad",
]


# ----------------------------------------------------------------------------------------
# Validation helpers
# ----------------------------------------------------------------------------------------


class NonFiniteError(ValueError, FloatingPointError):
    """An output or logits array passed to a loss contains NaN or infinity.

    A ``ValueError`` (bad input) and a ``FloatingPointError`` (what a diverging training
    run raises), so either ``except`` clause catches it.

    Examples
    --------
    >>> mse([[np.nan]], [[0.0]])
    Traceback (most recent call last):
    ...
    nnlib.losses.NonFiniteError: the predictions y_pred contain NaN or inf: the training
    diverged (learning rate too large) or the input contains NaN (y_pred[0, 0] = nan)
    """


def _check_finite_output(x: np.ndarray, name: str, what: str) -> None:
    """Refuse NaN/inf in an output or logits array with a message saying where it comes from.

    One pass over `x`; the losses see (N, D_out) arrays, small beside the layers' work.
    """
    if np.isfinite(x).all():
        return
    idx = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
    where = f"{name}[{', '.join(map(str, idx))}] = {float(x[idx])!r}" if idx else name
    raise NonFiniteError(
        f"{what} contain NaN or inf: the training diverged (learning rate too large) or the "
        f"input contains NaN ({where})"
    )


def check_finite_output(loss: Loss, output) -> None:
    """Raise `NonFiniteError` if `output`, the first argument of `loss`, has NaN or inf.

    What a loss checks itself; `nnlib.model.MLP.loss_from_logits` calls it to explain a
    loss value that came out NaN or infinite.
    """
    name = _OUTPUT_NAME.get(loss.name, "output")
    _check_finite_output(np.asarray(output), name, _WHAT.get(name, f"the {name}"))


def _check_finite_target(y: np.ndarray, name: str) -> None:
    if not np.isfinite(y).all():
        raise ValueError(f"{name} must contain only finite targets, got NaN or inf")


_WHAT = {
    "y_pred": "the predictions y_pred",
    "p": "the probabilities p",
    "z": "the logits z",
    "logits": "the logits",
}
# The name each loss gives its first argument, in its signature and messages.
_OUTPUT_NAME = {
    "mse": "y_pred",
    "bce": "p",
    "bce_with_logits": "z",
    "softmax_cross_entropy": "logits",
}


def _pair(output, target, name_out: str, name_target: str) -> tuple[np.ndarray, np.ndarray]:
    """Two finite float64 arrays of exactly the same, non-empty shape."""
    out = as_array(output, name_out)
    tgt = as_array(target, name_target)
    check_same_shape(out, tgt, name_out, name_target)
    if out.size == 0:
        raise ValueError(f"{name_out} is empty (shape {out.shape}); a mean needs one element")
    _check_finite_output(out, name_out, _WHAT[name_out])
    _check_finite_target(tgt, name_target)
    return out, tgt


def _check_eps(eps) -> float:
    return check_number(eps, "eps", low=0, high=0.5, low_open=True, high_open=True)


# ----------------------------------------------------------------------------------------
# Mean squared error
# ----------------------------------------------------------------------------------------


def mse(y_pred, y):
    r"""Mean squared error over **all** elements.

    .. math::

        L = \frac{1}{M} \sum_{i=1}^{M} (\hat y_i - y_i)^2, \qquad M = \text{y_pred.size}

    For outputs of shape ``(N, K)`` this divides by :math:`N K`, as PyTorch's
    ``MSELoss()`` and Keras' ``MeanSquaredError`` do; some textbooks divide by
    :math:`N` only, or add a factor 1/2.

    Parameters
    ----------
    y_pred : array_like, any shape
        Predictions.
    y : array_like, exactly the shape of `y_pred`
        Targets. ``(N,)`` against ``(N, 1)`` is refused.

    Returns
    -------
    float

    Examples
    --------
    >>> mse([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]])   # (0 + 1 + 4 + 9) / 4
    3.5
    """
    return _mse_value(*_pair(y_pred, y, "y_pred", "y"))


def _mse_value(y_pred, y):
    d = y_pred - y
    return float(np.vdot(d, d) / d.size)


def _mse_kernel(y_pred, y):
    """`mse` and `mse_grad` of checked arrays, sharing one difference."""
    g = y_pred - y
    value = float(np.vdot(g, g) / g.size)
    g *= 2.0 / g.size
    return value, g


def _mse_and_grad(y_pred, y):
    """`mse` and `mse_grad` with one validation (`Loss.value_and_grad`)."""
    return _mse_kernel(*_pair(y_pred, y, "y_pred", "y"))


def mse_grad(y_pred, y):
    r"""Gradient of `mse` with respect to the predictions.

    .. math::

        \frac{\partial L}{\partial \hat y_i} = \frac{2}{M}(\hat y_i - y_i)

    Parameters
    ----------
    y_pred : array_like, any shape
    y : array_like, exactly the shape of `y_pred`

    Returns
    -------
    ndarray, float64, shape of `y_pred`

    Examples
    --------
    >>> mse_grad([[1.0, 2.0], [3.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]])   # 2 * diff / 4
    array([[0. , 0.5],
           [1. , 1.5]])
    """
    y_pred, y = _pair(y_pred, y, "y_pred", "y")
    g = y_pred - y
    g *= 2.0 / g.size
    return g


# ----------------------------------------------------------------------------------------
# Binary cross-entropy
# ----------------------------------------------------------------------------------------


def _bce_inputs(p, y, eps):
    eps = _check_eps(eps)
    p, y = _pair(p, y, "p", "y")
    check_unit_interval(p, "p", " (probabilities; for logits use bce_with_logits)")
    check_unit_interval(y, "y", BINARY_TARGETS)
    return np.clip(p, eps, 1.0 - eps), y


def bce(p, y, eps=1e-12):
    r"""Binary cross-entropy on probabilities, averaged over all elements.

    .. math::

        L = -\frac{1}{M}\sum_{i=1}^{M} \bigl[y_i \log p_i + (1 - y_i)\log(1 - p_i)\bigr]

    `p` is clipped to :math:`[\epsilon, 1 - \epsilon]` first, so :math:`\log 0` never
    happens. Prefer `bce_with_logits` in a network: it is exact where this one clips.

    Parameters
    ----------
    p : array_like, any shape
        Predicted probabilities in [0, 1], e.g. sigmoid outputs of shape ``(N, 1)``.
    y : array_like, exactly the shape of `p`
        Targets in [0, 1] (usually 0 or 1).
    eps : float in (0, 0.5), default 1e-12
        Clipping bound.

    Returns
    -------
    float

    Examples
    --------
    >>> round(bce([0.9, 0.2], [1.0, 0.0]), 5)   # -(log 0.9 + log 0.8) / 2
    0.16425
    >>> round(bce([0.0], [1.0]), 2)             # -log(1e-12), thanks to the clipping
    27.63
    """
    p, y = _bce_inputs(p, y, eps)
    return _bce_value(p, y)


def _bce_value(p, y):
    total = np.vdot(y, np.log(p)) + np.vdot(1.0 - y, np.log1p(-p))
    return float(-total / p.size)


def _bce_kernel(p, y, eps=1e-12):
    """`bce` and `bce_grad` of checked arrays (`p` not yet clipped)."""
    p = np.clip(p, eps, 1.0 - eps)
    return _bce_value(p, y), (p - y) / (p * (1.0 - p) * p.size)


def _bce_value_kernel(p, y, eps=1e-12):
    """`bce` of checked arrays (`p` not yet clipped)."""
    return _bce_value(np.clip(p, eps, 1.0 - eps), y)


def _bce_and_grad(p, y, eps=1e-12):
    """`bce` and `bce_grad` with one validation (`Loss.value_and_grad`)."""
    p, y = _bce_inputs(p, y, eps)
    return _bce_value(p, y), (p - y) / (p * (1.0 - p) * p.size)


def bce_grad(p, y, eps=1e-12):
    r"""Gradient of `bce` with respect to the probabilities (clipped as in `bce`).

    .. math::

        \frac{\partial L}{\partial p_i} = \frac{1}{M}\,\frac{p_i - y_i}{p_i (1 - p_i)}

    Chained with the sigmoid's derivative :math:`p(1-p)` this becomes
    :math:`(p - y)/M`, the gradient of `bce_with_logits`.

    Parameters
    ----------
    p : array_like, any shape
    y : array_like, exactly the shape of `p`
    eps : float in (0, 0.5), default 1e-12

    Returns
    -------
    ndarray, float64, shape of `p`

    Examples
    --------
    >>> bce_grad([0.5, 0.8], [1.0, 0.0])   # (-0.5/0.25)/2, (0.8/0.16)/2
    array([-1. ,  2.5])
    """
    p, y = _bce_inputs(p, y, eps)
    return (p - y) / (p * (1.0 - p) * p.size)


def bce_with_logits(z, y):
    r"""Binary cross-entropy on logits :math:`z` (sigmoid fused in), averaged over all elements.

    With :math:`p = \sigma(z)`, the loss :math:`-[y\log p + (1-y)\log(1-p)]` simplifies to
    :math:`\log(1 + e^{z}) - z y`, evaluated stably as

    .. math::

        L = \frac{1}{M}\sum_{i=1}^{M}
            \Bigl[\max(z_i, 0) - z_i y_i + \log\bigl(1 + e^{-|z_i|}\bigr)\Bigr]

    Parameters
    ----------
    z : array_like, any shape
        Logits, e.g. ``(N, 1)``.
    y : array_like, exactly the shape of `z`
        Targets in [0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> round(bce_with_logits([0.0], [1.0]), 6)   # -log(sigmoid(0)) = log 2
    0.693147
    >>> bce_with_logits([1000.0, -1000.0], [0.0, 1.0])   # no overflow: (1000 + 1000) / 2
    1000.0
    """
    z, y = _bce_with_logits_inputs(z, y)
    return _bce_with_logits_value(z, y)


def _bce_with_logits_inputs(z, y):
    z, y = _pair(z, y, "z", "y")
    check_unit_interval(y, "y", BINARY_TARGETS)
    return z, y


def _bce_with_logits_value(z, y):
    t = np.log1p(np.exp(-np.abs(z)))
    t += np.maximum(z, 0.0)
    t -= z * y
    return float(t.sum() / t.size)


def _bce_with_logits_grad(z, y):
    g = sigmoid(z)
    g -= y
    g /= g.size
    return g


def _bce_with_logits_kernel(z, y):
    """`bce_with_logits` and its gradient of checked arrays."""
    return _bce_with_logits_value(z, y), _bce_with_logits_grad(z, y)


def _bce_with_logits_and_grad(z, y):
    """`bce_with_logits` and its gradient with one validation (`Loss.value_and_grad`)."""
    return _bce_with_logits_kernel(*_bce_with_logits_inputs(z, y))


def bce_with_logits_grad(z, y):
    r"""Gradient of `bce_with_logits` with respect to the logits.

    .. math::

        \frac{\partial L}{\partial z_i} = \frac{\sigma(z_i) - y_i}{M}

    The sigmoid's derivative has cancelled (Nielsen, ch. 3): no vanishing gradient when
    the output saturates on the wrong side.

    Parameters
    ----------
    z : array_like, any shape
    y : array_like, exactly the shape of `z`

    Returns
    -------
    ndarray, float64, shape of `z`

    Examples
    --------
    >>> bce_with_logits_grad([0.0, 0.0], [1.0, 0.0])   # (0.5 - 1) / 2, (0.5 - 0) / 2
    array([-0.25,  0.25])
    """
    z, y = _bce_with_logits_inputs(z, y)
    return _bce_with_logits_grad(z, y)


# ----------------------------------------------------------------------------------------
# Softmax cross-entropy
# ----------------------------------------------------------------------------------------


def _ce_inputs(logits, y):
    """Validate logits (N, C) and targets; return logits and labels (N,) or rows Y (N, C)."""
    logits = as_array(logits, "logits", ndim=2)
    n, c = logits.shape
    if n == 0 or c == 0:
        raise ValueError(f"logits must have at least one row and one class, got {logits.shape}")
    _check_finite_output(logits, "logits", "the logits")
    return logits, _check_ce_targets(y, n, c, "y", "logits")


def _check_ce_targets(y, n, c, name, rows):
    """Labels, or rows that are distributions: non-negative, each summing to 1."""
    y = check_targets(y, n, c, labels=True, name=name, rows=rows)
    if y.ndim == 2:
        if not np.all(y >= 0):
            raise ValueError(f"targets {name} must be non-negative (one-hot or probability rows)")
        sums = y.sum(axis=1)
        if not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
            i = int(np.argmax(np.abs(sums - 1.0)))
            raise ValueError(
                f"each row of targets {name} must sum to 1 (one-hot or probabilities); row "
                f"{i} sums to {float(sums[i])!r}"
            )
    return y


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def softmax_cross_entropy(logits, y):
    r"""Categorical cross-entropy of softmax(logits), averaged over the batch.

    .. math::

        L = -\frac{1}{N}\sum_{n=1}^{N}\sum_{c=1}^{C} Y_{nc}\,\log p_{nc},
        \qquad \log p_{nc} = z_{nc} - \log\sum_k e^{z_{nk}}

    With integer labels this is :math:`-\frac1N\sum_n \log p_{n, y_n}`. The log-sum-exp
    is computed after subtracting each row's maximum, so logits of any size are fine; the
    loss does not change when a constant is added to a row.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Pre-softmax scores.
    y : array_like, shape (N,) of int, or (N, C)
        Class labels in ``[0, C)``, or target rows (one-hot or probabilities, each row
        summing to 1).

    Returns
    -------
    float

    Examples
    --------
    >>> round(softmax_cross_entropy([[1.0, 2.0, 3.0]], [2]), 4)   # -log 0.6652
    0.4076
    >>> round(softmax_cross_entropy([[1.0, 2.0, 3.0]], [[0.0, 0.0, 1.0]]), 4)
    0.4076
    """
    return _softmax_ce_value(*_ce_inputs(logits, y))


def _softmax_ce_value(logits, y):
    """`softmax_cross_entropy` of checked logits and labels (N,) or rows (N, C)."""
    logp = _log_softmax(logits)
    n = logits.shape[0]
    if y.ndim == 1:
        return float(-logp[np.arange(n), y].sum() / n)
    return float(-np.vdot(y, logp) / n)


def softmax_cross_entropy_and_grad(logits, y):
    r"""`softmax_cross_entropy` and its gradient together, sharing one log-softmax.

    What a training step needs: the same numbers as calling the two functions, at the
    cost of one softmax instead of two.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    y : array_like, shape (N,) of int, or (N, C)

    Returns
    -------
    loss : float
    dlogits : ndarray, float64, shape (N, C)   :math:`(p - Y) / N`

    Examples
    --------
    >>> loss, g = softmax_cross_entropy_and_grad([[0.0, 0.0]], [1])
    >>> round(loss, 4), g          # ln 2;  (0.5 - 0, 0.5 - 1) / 1
    (0.6931, array([[ 0.5, -0.5]]))
    """
    return _softmax_ce_kernel(*_ce_inputs(logits, y))


def _softmax_ce_kernel(logits, y):
    """`softmax_cross_entropy_and_grad` of checked logits and labels (N,) or rows (N, C)."""
    n = logits.shape[0]
    if y.ndim == 2:
        g = _log_softmax(logits)
        value = -np.vdot(y, g) / n
        np.exp(g, out=g)
        g -= y
        g /= n
        return float(value), g
    labels = y
    # Labels (the training hot path): one exponential. With s = z - max(z) per row and
    # e = exp(s): -log p_y = log(sum(e)) - s_y, and p = e / sum(e).
    g = logits - logits.max(axis=1, keepdims=True)
    rows = np.arange(n)
    picked = g[rows, labels]
    np.exp(g, out=g)
    total = g.sum(axis=1)
    value = (np.log(total) - picked).sum() / n
    total *= n
    g /= total[:, None]  # p / N
    g[rows, labels] -= 1.0 / n
    return float(value), g


def softmax_cross_entropy_grad(logits, y):
    r"""Gradient of `softmax_cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial L}{\partial z_{nc}} = \frac{p_{nc} - Y_{nc}}{N}

    where :math:`Y` is the one-hot matrix of the labels (or the given targets). The softmax
    Jacobian has cancelled; each row of the gradient sums to zero.

    Parameters
    ----------
    logits : array_like, shape (N, C)
    y : array_like, shape (N,) of int, or (N, C)

    Returns
    -------
    ndarray, float64, shape (N, C)

    Examples
    --------
    >>> softmax_cross_entropy_grad([[0.0, 0.0], [0.0, 0.0]], [0, 1])   # (0.5 - 1) / 2 ...
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits, y = _ce_inputs(logits, y)
    g = _log_softmax(logits)
    np.exp(g, out=g)
    n = logits.shape[0]
    if y.ndim == 1:
        g[np.arange(n), y] -= 1.0
    else:
        g -= y
    g /= n
    return g


# ----------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A loss with its gradient, and the output activation it fuses (if any).

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"mse"``.
    forward : callable
        ``(output, target) -> float``.
    grad : callable
        ``(output, target) -> ndarray`` shaped like `output`, including the 1/N.
    fused_output : {"softmax", "sigmoid", None}
        The output activation already inside the loss: the loss takes logits and its
        gradient is with respect to them. ``None``: the loss takes the activated output.
    forward_and_grad : callable, optional
        ``(output, target) -> (float, ndarray)`` computing both at once; used by
        `value_and_grad` when given.
    kernel, value_kernel : callable, optional
        The same as `forward_and_grad` and `forward` without any validation, for
        arrays already checked: float64 outputs, and targets that passed
        `check_loss_targets` (`nnlib.training.fit` checks the whole data set once, then
        calls these for every batch).

    Examples
    --------
    >>> get_loss("bce_with_logits").fused_output
    'sigmoid'
    """

    name: str
    forward: Callable
    grad: Callable
    fused_output: str | None = None
    forward_and_grad: Callable | None = None
    kernel: Callable | None = field(default=None, repr=False, compare=False)
    value_kernel: Callable | None = field(default=None, repr=False, compare=False)

    def __call__(self, output, target) -> float:
        """Evaluate the loss: same as ``self.forward(output, target)``."""
        return self.forward(output, target)

    def value_and_grad(self, output, target) -> tuple[float, np.ndarray]:
        """Return ``(forward(output, target), grad(output, target))``, shared work once."""
        if self.forward_and_grad is not None:
            return self.forward_and_grad(output, target)
        return self.forward(output, target), self.grad(output, target)

    def __repr__(self) -> str:
        fused = f", fused_output={self.fused_output!r}" if self.fused_output else ""
        return f"Loss({self.name!r}{fused})"


_REGISTRY: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, None, _mse_and_grad, _mse_kernel, _mse_value),
    "bce": Loss("bce", bce, bce_grad, None, _bce_and_grad, _bce_kernel, _bce_value_kernel),
    "bce_with_logits": Loss(
        "bce_with_logits",
        bce_with_logits,
        bce_with_logits_grad,
        "sigmoid",
        _bce_with_logits_and_grad,
        _bce_with_logits_kernel,
        _bce_with_logits_value,
    ),
    "softmax_cross_entropy": Loss(
        "softmax_cross_entropy",
        softmax_cross_entropy,
        softmax_cross_entropy_grad,
        "softmax",
        softmax_cross_entropy_and_grad,
        _softmax_ce_kernel,
        _softmax_ce_value,
    ),
}

#: Names accepted by `get_loss`.
LOSSES: tuple[str, ...] = tuple(_REGISTRY)


def get_loss(name_or_loss) -> Loss:
    """Look up a loss by name; a `Loss` is returned as is.

    Parameters
    ----------
    name_or_loss : str or Loss
        One of `LOSSES`.

    Returns
    -------
    Loss

    Examples
    --------
    >>> get_loss("mse")
    Loss('mse')
    >>> get_loss("cross_entropy")
    Traceback (most recent call last):
    ...
    ValueError: unknown loss 'cross_entropy'; valid names are: 'mse', 'bce',
    'bce_with_logits', 'softmax_cross_entropy'
    """
    if isinstance(name_or_loss, Loss):
        return name_or_loss
    if not isinstance(name_or_loss, str):
        raise TypeError(
            f"loss must be a name, one of {list(LOSSES)}, or a Loss, got {_describe(name_or_loss)}"
        )
    return _REGISTRY[check_choice(name_or_loss, "loss", LOSSES)]


# ----------------------------------------------------------------------------------------
# Pairing with a model's output, and the targets of a whole data set
# ----------------------------------------------------------------------------------------

#: The loss/output pairs that work (`check_pairing`).
PAIRS = (
    "('softmax_cross_entropy', output='softmax'), ('bce_with_logits', output='sigmoid'), "
    "('mse', any output), ('bce', output='sigmoid')"
)


def check_pairing(loss: Loss, output: str) -> None:
    """Refuse a loss that does not suit a model's output activation.

    A loss on logits (`Loss.fused_output`) needs that very output: softmax cross-entropy
    after a softmax output would apply softmax twice. `bce` takes probabilities, so it
    needs a sigmoid output; `mse` works with any output.

    Examples
    --------
    >>> check_pairing(get_loss("mse"), "tanh")
    >>> check_pairing(get_loss("bce_with_logits"), "softmax")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: loss 'bce_with_logits' does not work with output='softmax'; the valid pairs...
    """
    if loss.fused_output is not None:
        ok = output == loss.fused_output
    else:
        ok = loss.name != "bce" or output == "sigmoid"
    if not ok:
        raise ValueError(
            f"loss {loss.name!r} does not work with output={output!r}; the valid pairs are: {PAIRS}"
        )


def check_loss_targets(
    loss: Loss, y, n: int, n_outputs: int, *, name: str = "y", rows: str = "X"
) -> np.ndarray:
    """Check targets for `loss` on ``n`` rows of ``n_outputs`` outputs, once.

    `nnlib._checks.check_targets` (labels or one-hot rows for softmax cross-entropy,
    the output's exact shape for the others), plus what the loss itself needs: rows
    that are distributions for softmax cross-entropy, values in [0, 1] for the binary
    cross-entropies. What passes can go to `Loss.kernel` batch by batch unchecked.

    Returns
    -------
    ndarray
        Integer labels as given, other targets as float64.

    Examples
    --------
    >>> check_loss_targets(get_loss("bce_with_logits"), [[1.0], [2.0]], 2, 1)
    Traceback (most recent call last):
    ...
    ValueError: y must be in [0, 1], got values such as 2.0 (binary targets in [0, 1]: 0/1
    labels, or probabilities thresholded at 0.5)
    """
    if loss.name == "softmax_cross_entropy":
        return _check_ce_targets(y, n, n_outputs, name, rows)
    binary = loss.name in ("bce", "bce_with_logits")
    return check_targets(y, n, n_outputs, labels=False, binary=binary, name=name, rows=rows)


def paired_loss(loss: Loss, output_activation, logits, y, *, grad: bool = True):
    r"""Loss of a model's logits through its output activation: the pairing rule, unchecked.

    A loss on logits (`Loss.fused_output`) takes the logits, and its gradient there is
    :math:`(p - y)/N`; any other loss takes ``output_activation(logits)`` and its
    gradient is chained back through the output activation (softmax via its
    vector-Jacobian product). Nothing is validated: the pair must have passed
    `check_pairing` and the targets `check_loss_targets`; `nnlib.training.fit` does that
    once for the whole data set, then calls this for every batch.

    Parameters
    ----------
    loss : Loss
    output_activation : nnlib.activations.ActivationFunction
    logits : ndarray, shape (N, D_out)
        Converted to float64 (losses are computed in float64).
    y : ndarray
        Checked targets.
    grad : bool, default True
        ``False`` skips the gradient (returned as None).

    Returns
    -------
    value : float
        NaN or inf when the logits are: the caller checks it.
    dlogits : ndarray, float64, shape of `logits`, or None

    Examples
    --------
    >>> from nnlib.activations import get_activation
    >>> sigmoid_output = get_activation("sigmoid")
    >>> value, g = paired_loss(get_loss("mse"), sigmoid_output, np.zeros((1, 1)), np.ones((1, 1)))
    >>> value, g          # (0.5 - 1)^2;  2 (0.5 - 1) * sigmoid'(0) = -1 * 0.25
    (0.25, array([[-0.25]]))
    """
    logits = logits.astype(np.float64, copy=False)
    out = logits if loss.fused_output is not None else output_activation.forward(logits)
    if not grad:
        return float(loss.value_kernel(out, y)), None
    value, dout = loss.kernel(out, y)
    if out is not logits:
        dout = output_activation.backward(dout, logits, out)
    return float(value), dout
