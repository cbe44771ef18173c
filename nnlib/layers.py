r"""Layers: forward/backward function pairs with an explicit cache, and thin classes.

Functional core (cs231n style). Each ``*_forward`` returns ``(out, cache)``; the matching
``*_backward`` takes the upstream gradient ``dout = dL/d(out)`` and that cache and returns
the gradient with respect to each input. Batches are rows: ``X`` has shape ``(N, D)``.

=======================  ==============================================================
function                 computes
=======================  ==============================================================
`dense_forward`          :math:`Z = XW + b`
`activation_forward`     :math:`A = f(Z)` (elementwise, or softmax along rows)
`dropout_forward`        inverted dropout :math:`\text{out} = X \odot M / (1 - p)`
`batchnorm_forward`      :math:`\gamma \hat X + \beta`, :math:`\hat X` standardised per column
`batchnorm_eval`         the same with running statistics (evaluation mode)
=======================  ==============================================================

The classes `Dense`, `Activation`, `Dropout` and `BatchNorm` hold parameters and the
cache of the last forward pass, and share one interface, used by `nnlib.model.MLP`:

- ``params``: dict of parameter arrays (``{"W": ..., "b": ...}``; ``{}`` if none);
- ``grads``: the same keys, filled by ``backward``;
- ``forward(X, train=False)``: output; ``train=True`` switches dropout and batch
  normalization to their training behaviour;
- ``backward(dout)``: gradient with respect to the layer's input;
- ``_forward(X, train)`` and ``_backward(dout)``: the same without checking the input,
  for `nnlib.model.MLP`, which checks a batch once where it enters (each public function
  here validates, then calls an unchecked kernel such as `_dense`).

Layers whose activation has learnable parameters, and a weight-dropping Dense, follow the
same interface: `PReLU` (a slope per unit, ``{"alpha": (d,)}``), `Swish` (a trainable
scalar ``{"beta": (1,)}``), `Maxout` (the max of k affine pieces, replacing a Dense and
its activation, ``W (k, D_in, D_out)``) and `DropConnect` (a `Dense` that drops weights in
training). `nnlib.model.MLP` builds them through ``hidden=`` (a layer factory),
``maxout=`` and ``dropconnect=``.

Arrays keep their floating dtype: float32 in gives float32 out (benchmarks use float32;
gradient checks use float64).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib import activations as _activations
from nnlib import initializers as _initializers
from nnlib._checks import _describe, as_array, as_rng, check_bool, check_int, check_number

__all__ = [
    "Activation",
    "ActivationCache",
    "BatchNorm",
    "BatchNormCache",
    "Dense",
    "DenseCache",
    "DropConnect",
    "Dropout",
    "DropoutCache",
    "Layer",
    "Maxout",
    "PReLU",
    "Swish",
    "activation_backward",
    "activation_forward",
    "batchnorm_backward",
    "batchnorm_eval",
    "batchnorm_forward",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
]


class DenseCache(NamedTuple):
    """What `dense_backward` needs: the input ``X (N, D_in)`` and the weights ``W``."""

    X: np.ndarray
    W: np.ndarray


class ActivationCache(NamedTuple):
    """What `activation_backward` needs: ``Z``, ``A = f(Z)`` and the activation."""

    Z: np.ndarray
    A: np.ndarray
    activation: _activations.ActivationFunction


class DropoutCache(NamedTuple):
    """The scaled keep mask ``M / (1 - p)`` (None in evaluation mode or for p = 0)."""

    mask: np.ndarray | None
    p: float


class BatchNormCache(NamedTuple):
    r"""Batch statistics and what `batchnorm_backward` needs.

    ``mean`` and ``var`` are the batch mean and (biased) variance per feature, ``xhat``
    the standardised input and ``inv_std`` :math:`1/\sqrt{\mathrm{var} + \epsilon}`.
    """

    xhat: np.ndarray
    gamma: np.ndarray
    inv_std: np.ndarray
    mean: np.ndarray
    var: np.ndarray


def _float_array(x, name, ndim=None):
    """Return `x` as a float32/float64 array (`as_array` with ``dtype=None``), checked.

    A float ndarray with the right number of dimensions is returned as is after one
    type check (~0.1 us instead of ~1 us): layers run once per mini-batch on arrays
    nnlib itself produced. Anything else gets the full validation and conversion.
    """
    if type(x) is np.ndarray and x.dtype.char in "fd" and (ndim is None or x.ndim == ndim):
        return x
    return as_array(x, name, ndim=ndim, dtype=None)


def _check_cache(cache, kind, func):
    """Refuse a cache that did not come from the matching forward function."""
    if not isinstance(cache, kind):
        raise TypeError(
            f"{func}: cache must be the {kind.__name__} returned by the matching forward "
            f"function, got {_describe(cache)}"
        )


def _check_grad_shape(dout, expected, name):
    """Refuse an upstream gradient whose shape differs from the forward output's."""
    if dout.shape != expected:
        raise ValueError(
            f"{name} must have the shape of the forward output {expected}, got {dout.shape}"
        )


# --------------------------------------------------------------------------- dense


def dense_forward(X, W, b):
    r"""Affine layer: :math:`Z = XW + b`.

    .. math:: Z_{nj} = \sum_i X_{ni} W_{ij} + b_j

    Parameters
    ----------
    X : ndarray, shape (N, D_in)
        A batch, one sample per row (a single sample is ``x.reshape(1, -1)``).
    W : ndarray, shape (D_in, D_out)
    b : ndarray, shape (D_out,)
        Broadcast over the rows; ``(1, D_out)`` is refused (use ``b.ravel()``).

    Returns
    -------
    Z : ndarray, shape (N, D_out)
    cache : DenseCache
        ``(X, W)`` for `dense_backward`.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0]])                  # N = 1, D_in = 2
    >>> W = np.array([[1.0, 0.0, -1.0],
    ...               [0.5, 1.0, 2.0]])             # (2, 3)
    >>> Z, cache = dense_forward(X, W, np.array([0.0, 1.0, 0.0]))
    >>> Z                                           # [1+1, 0+2+1, -1+4]
    array([[2., 3., 3.]])
    """
    try:
        X = _float_array(X, "X", 2)
        W = _float_array(W, "W", 2)
        b = _float_array(b, "b", 1)
    except ValueError:
        _explain_dense_ndim(X, W, b)  # raises the same error with a fix when it knows one
        raise
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"X has {X.shape[1]} features (shape {X.shape}) but W has {W.shape[0]} rows "
            f"(shape {W.shape}); W must have shape (D_in, D_out) with D_in = X.shape[1]"
        )
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W {W.shape}, got {b.shape}")
    return _dense(X, W, b)


def _dense(X, W, b):
    """`dense_forward` of checked arrays."""
    Z = X @ W
    Z += b
    return Z, DenseCache(X, W)


def _explain_dense_ndim(X, W, b):
    """Re-raise a wrong number of dimensions in `dense_forward` with the usual fix."""
    try:
        X, W, b = (np.asarray(v) for v in (X, W, b))
    except (TypeError, ValueError):  # not array-like: as_array's own message stands
        return
    if X.ndim == 1:
        raise ValueError(
            f"X must be a 2-D array, got shape {X.shape}; for a single sample use X.reshape(1, -1)"
        ) from None
    if W.ndim == 1:
        raise ValueError(
            f"W must be a 2-D array, got shape {W.shape}; W has shape (D_in, D_out), for one "
            "output unit W.reshape(-1, 1)"
        ) from None
    if b.ndim == 2 and W.ndim == 2 and b.size == W.shape[1]:
        raise ValueError(
            f"b must be a 1-D array, got shape {b.shape}; b must have shape "
            f"({W.shape[1]},), e.g. b.ravel()"
        ) from None


def dense_backward(dZ, cache, *, compute_dX=True, out=None):
    r"""Gradients of the loss through :math:`Z = XW + b`.

    .. math::
        \frac{\partial L}{\partial X} = \frac{\partial L}{\partial Z} W^\top, \qquad
        \frac{\partial L}{\partial W} = X^\top \frac{\partial L}{\partial Z}, \qquad
        \frac{\partial L}{\partial b} = \sum_n \frac{\partial L}{\partial Z_{n\cdot}}

    The sum over the batch in ``dW`` and ``db`` comes from the matrix product and the
    broadcast of ``b``; any ``1/N`` of a mean loss is already in ``dZ``.

    Parameters
    ----------
    dZ : ndarray, shape (N, D_out)
        Upstream gradient dL/dZ.
    cache : DenseCache
        Second value returned by `dense_forward`.
    compute_dX : bool, default True
        ``False`` skips ``dX`` (returned as None): the first layer of a network does not
        need the gradient with respect to the data, and it costs one matrix product.
    out : tuple (dW, db) of ndarrays, optional
        Preallocated arrays, shapes (D_in, D_out) and (D_out,), to write the gradients
        into instead of allocating new ones (what `nnlib.model.MLP` does every step).

    Returns
    -------
    dX : ndarray, shape (N, D_in), or None
    dW : ndarray, shape (D_in, D_out)
    db : ndarray, shape (D_out,)

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> W = np.array([[1.0], [-1.0]])
    >>> Z, cache = dense_forward(X, W, np.zeros(1))
    >>> dX, dW, db = dense_backward(np.array([[1.0], [2.0]]), cache)
    >>> dW.ravel()            # X.T @ dZ = [1*1 + 3*2, 2*1 + 4*2]
    array([ 7., 10.])
    >>> db                    # 1 + 2
    array([3.])
    >>> dX                    # dZ @ W.T
    array([[ 1., -1.],
           [ 2., -2.]])
    """
    _check_cache(cache, DenseCache, "dense_backward")
    X, W = cache
    dZ = _float_array(dZ, "dZ", 2)
    _check_grad_shape(dZ, (X.shape[0], W.shape[1]), "dZ")
    if out is None:
        dW, db = X.T @ dZ, dZ.sum(axis=0)
        return (dZ @ W.T if compute_dX else None), dW, db
    dW, db = out
    if dW.shape != W.shape or db.shape != (W.shape[1],):
        raise ValueError(
            f"out must be arrays (dW, db) of shapes {W.shape} and ({W.shape[1]},), got "
            f"{getattr(dW, 'shape', dW)} and {getattr(db, 'shape', db)}"
        )
    return _dense_grads(dZ, X, W, dW, db, compute_dX), dW, db


def _dense_grads(dZ, X, W, dW, db, compute_dX):
    """`dense_backward` of checked arrays, writing into `dW` and `db`; return dX (or None)."""
    np.matmul(X.T, dZ, out=dW)
    np.add.reduce(dZ, axis=0, out=db)  # np.sum with out= costs ~2x the call overhead
    return dZ @ W.T if compute_dX else None


# --------------------------------------------------------------------------- activation


def activation_forward(Z, activation):
    r"""Apply an activation: :math:`A = f(Z)`.

    Parameters
    ----------
    Z : ndarray, any shape (softmax: (N, C), along rows)
        Pre-activations.
    activation : str or nnlib.activations.ActivationFunction
        A name from `nnlib.activations.ACTIVATIONS`, or an `ActivationFunction` with bound
        parameters, e.g. ``get_activation("leaky_relu", alpha=0.1)``.

    Returns
    -------
    A : ndarray, shape of `Z`
    cache : ActivationCache
        ``(Z, A, activation)`` for `activation_backward`.

    Examples
    --------
    >>> A, cache = activation_forward(np.array([[-1.0, 0.5]]), "relu")
    >>> A
    array([[0. , 0.5]])
    """
    act = _activations.get_activation(activation)
    Z = _float_array(Z, "Z")
    A = act.forward(Z)
    return A, ActivationCache(Z, A, act)


def activation_backward(dA, cache):
    r"""Gradient through an activation.

    Elementwise :math:`f`: :math:`\partial L/\partial Z = \partial L/\partial A \odot f'(Z)`.
    Softmax (rows): the vector-Jacobian product
    :math:`\partial L/\partial Z = A \odot (\partial L/\partial A - \sum_c
    (\partial L/\partial A)_c A_c)`, without forming the (C, C) Jacobian.

    Parameters
    ----------
    dA : ndarray, shape of A
        Upstream gradient dL/dA.
    cache : ActivationCache
        Second value returned by `activation_forward`.

    Returns
    -------
    dZ : ndarray, shape of A

    Examples
    --------
    >>> A, cache = activation_forward(np.array([[-1.0, 0.5]]), "relu")
    >>> activation_backward(np.array([[3.0, 3.0]]), cache)   # 3 * relu'(z) = 3 * [0, 1]
    array([[0., 3.]])
    """
    _check_cache(cache, ActivationCache, "activation_backward")
    dA = _float_array(dA, "dA")
    _check_grad_shape(dA, cache.A.shape, "dA")
    return _activation_grad(dA, cache)


def _activation_grad(dA, cache):
    """`activation_backward` of a checked upstream gradient."""
    Z, A, act = cache
    if act.elementwise:
        # What act.backward computes, without re-validating Z; f'(Z) is a fresh array,
        # so the product can overwrite it.
        dZ = act.grad(Z)
        if dZ.dtype != np.result_type(dZ, dA):
            return dA * dZ
        dZ *= dA
        return dZ
    return act.backward(dA, Z, A)


# --------------------------------------------------------------------------- dropout


def dropout_forward(X, p, rng=None, train=True):
    r"""Inverted dropout: drop each unit with probability `p`, scale the rest by 1/(1-p).

    .. math::
        M_{ni} \sim \mathrm{Bernoulli}(1 - p), \qquad
        \text{out} = X \odot \frac{M}{1 - p}

    so :math:`\mathbb E[\text{out}] = X` and evaluation needs no rescaling: in
    evaluation mode (``train=False``) and for ``p = 0`` the output is `X` itself.

    Parameters
    ----------
    X : ndarray, any shape
    p : float in [0, 1)
        Probability of dropping a unit (not of keeping it, as in some papers).
    rng : Generator, int seed or None
        Source of the mask.
    train : bool, default True

    Returns
    -------
    out : ndarray, shape of `X`
    cache : DropoutCache
        The scaled mask :math:`M/(1-p)` (None when nothing is dropped).

    Examples
    --------
    >>> out, cache = dropout_forward(np.ones((2, 4)), p=0.5, rng=0)
    >>> out                        # kept units are scaled by 1 / (1 - 0.5) = 2
    array([[2., 0., 0., 0.],
           [2., 2., 2., 2.]])
    >>> dropout_forward(np.ones((2, 4)), p=0.5, rng=0, train=False)[0]
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]])
    """
    X = _float_array(X, "X")
    p = check_number(p, "p", low=0, high=1, high_open=True)
    return _dropout(X, p, as_rng(rng), train)


def _dropout(X, p, rng, train):
    """`dropout_forward` of a checked `X`, `p` and Generator `rng`."""
    if not train or p == 0.0:
        return X, DropoutCache(None, p)
    u = rng.random(X.shape, dtype=X.dtype)
    mask = (u >= p).astype(X.dtype)
    mask *= 1.0 / (1.0 - p)
    return X * mask, DropoutCache(mask, p)


def dropout_backward(dout, cache):
    r"""Gradient through inverted dropout: :math:`\partial L/\partial X = dout \odot M/(1-p)`.

    Parameters
    ----------
    dout : ndarray, shape of the forward output
    cache : DropoutCache
        Second value returned by `dropout_forward`.

    Returns
    -------
    dX : ndarray, shape of `dout`

    Examples
    --------
    >>> out, cache = dropout_forward(np.ones((1, 4)), p=0.5, rng=0)
    >>> cache.mask
    array([[2., 0., 0., 0.]])
    >>> dropout_backward(np.full((1, 4), 3.0), cache)   # 3 * mask
    array([[6., 0., 0., 0.]])
    """
    _check_cache(cache, DropoutCache, "dropout_backward")
    dout = _float_array(dout, "dout")
    if cache.mask is None:
        return dout
    _check_grad_shape(dout, cache.mask.shape, "dout")
    return dout * cache.mask


# --------------------------------------------------------------------------- batchnorm


def _check_bn_args(X, gamma, beta, eps):
    X = _float_array(X, "X", 2)
    gamma = _float_array(gamma, "gamma", 1)
    beta = _float_array(beta, "beta", 1)
    d = X.shape[1]
    for name, v in (("gamma", gamma), ("beta", beta)):
        if v.shape != (d,):
            raise ValueError(
                f"{name} must have shape ({d},) for X of shape {X.shape}, got {v.shape}"
            )
    eps = check_number(eps, "eps", low=0, low_open=True)
    return X, gamma, beta, eps


def batchnorm_forward(X, gamma, beta, eps=1e-5):
    r"""Batch normalization, training mode (Ioffe & Szegedy 2015).

    Each column (feature) is standardised with the batch's own statistics, then scaled
    and shifted by learned parameters:

    .. math::
        \mu = \frac1N \sum_n X_{n\cdot}, \quad
        \sigma^2 = \frac1N \sum_n (X_{n\cdot} - \mu)^2, \quad
        \hat X = \frac{X - \mu}{\sqrt{\sigma^2 + \epsilon}}, \quad
        \text{out} = \gamma \hat X + \beta

    The variance is the biased one (divide by N), as in the paper's training step.

    Parameters
    ----------
    X : ndarray, shape (N, D), N >= 2
    gamma, beta : ndarray, shape (D,)
        Scale and shift.
    eps : float > 0, default 1e-5

    Returns
    -------
    out : ndarray, shape (N, D)
    cache : BatchNormCache
        Includes ``cache.mean`` and ``cache.var``, the batch statistics (D,), which
        `BatchNorm` folds into its running averages.

    Examples
    --------
    >>> X = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> out, cache = batchnorm_forward(X, np.ones(2), np.zeros(2), eps=0.0001)
    >>> cache.mean, cache.var                   # column means and biased variances
    (array([ 2., 10.]), array([1., 0.]))
    >>> out.round(4)                            # (1-2)/sqrt(1+1e-4) = -0.99995 ...
    array([[-1., 0.],
           [ 1., 0.]])
    """
    X, gamma, beta, eps = _check_bn_args(X, gamma, beta, eps)
    if X.shape[0] < 2:
        raise ValueError(
            f"batchnorm_forward needs a batch of at least 2 rows to estimate the "
            f"statistics, got X of shape {X.shape}; use batchnorm_eval for single samples"
        )
    return _batchnorm_train(X, gamma, beta, eps)


def _batchnorm_train(X, gamma, beta, eps):
    """`batchnorm_forward` of checked arrays."""
    mean = X.mean(axis=0)
    xc = X - mean
    var = np.mean(xc * xc, axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc
    xhat *= inv_std
    out = gamma * xhat
    out += beta
    return out, BatchNormCache(xhat, gamma, inv_std, mean, var)


def batchnorm_backward(dout, cache):
    r"""Gradients through training-mode batch normalization.

    With :math:`g = \partial L/\partial \text{out}` and everything per column,

    .. math::
        \frac{\partial L}{\partial \beta} = \sum_n g_n, \qquad
        \frac{\partial L}{\partial \gamma} = \sum_n g_n \hat x_n, \qquad
        \frac{\partial L}{\partial x_n} = \frac{\gamma}{N\sqrt{\sigma^2+\epsilon}}
        \Big(N g_n - \sum_m g_m - \hat x_n \sum_m g_m \hat x_m\Big)

    (the mean and the variance depend on every row, hence the two sums).

    Parameters
    ----------
    dout : ndarray, shape (N, D)
    cache : BatchNormCache
        Second value returned by `batchnorm_forward`.

    Returns
    -------
    dX : ndarray, shape (N, D)
    dgamma, dbeta : ndarray, shape (D,)

    Examples
    --------
    >>> X = np.array([[1.0], [3.0]])
    >>> out, cache = batchnorm_forward(X, np.ones(1), np.zeros(1))
    >>> dX, dgamma, dbeta = batchnorm_backward(np.ones((2, 1)), cache)
    >>> dX                      # a constant shift of the output cannot change the loss
    array([[0.],
           [0.]])
    >>> dbeta
    array([2.])
    """
    _check_cache(cache, BatchNormCache, "batchnorm_backward")
    dout = _float_array(dout, "dout", 2)
    _check_grad_shape(dout, cache.xhat.shape, "dout")
    return _batchnorm_grads(dout, cache)


def _batchnorm_grads(dout, cache):
    """`batchnorm_backward` of a checked upstream gradient."""
    xhat, gamma, inv_std = cache.xhat, cache.gamma, cache.inv_std
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    # with dxhat = dout * gamma: sum(dxhat) = gamma * dbeta, sum(dxhat * xhat) = gamma * dgamma
    dX = n * dout
    dX -= dbeta
    dX -= xhat * dgamma
    dX *= gamma * inv_std / n
    return dX, dgamma, dbeta


def batchnorm_eval(X, gamma, beta, running_mean, running_var, eps=1e-5):
    r"""Batch normalization, evaluation mode: standardise with running statistics.

    .. math:: \text{out} = \gamma \frac{X - \mu_{run}}{\sqrt{\sigma^2_{run} + \epsilon}} + \beta

    Each row is treated independently, so predictions do not depend on the batch.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    gamma, beta, running_mean : ndarray, shape (D,)
    running_var : ndarray, shape (D,), >= 0
    eps : float > 0, default 1e-5

    Returns
    -------
    out : ndarray, shape (N, D)

    Examples
    --------
    >>> batchnorm_eval(np.array([[4.0]]), np.array([2.0]), np.array([1.0]),
    ...                np.array([2.0]), np.array([4.0]), eps=0.0001).round(3)
    array([[3.]])

    Here :math:`2 \cdot (4 - 2)/\sqrt{4} + 1 = 3`.
    """
    return _batchnorm_eval(X, gamma, beta, running_mean, running_var, eps)[0]


def _batchnorm_eval(X, gamma, beta, running_mean, running_var, eps):
    """Evaluation-mode batchnorm returning ``(out, (xhat, scale))`` for the backward pass."""
    X, gamma, beta, eps = _check_bn_args(X, gamma, beta, eps)
    d = X.shape[1]
    running_mean = _float_array(running_mean, "running_mean", 1)
    running_var = _float_array(running_var, "running_var", 1)
    for name, v in (("running_mean", running_mean), ("running_var", running_var)):
        if v.shape != (d,):
            raise ValueError(
                f"{name} must have shape ({d},) for X of shape {X.shape}, got {v.shape}"
            )
    if not np.all(running_var >= 0):  # also catches NaN
        bad = running_var[~(running_var >= 0)]
        raise ValueError(
            f"running_var must hold variances, >= 0, got {float(bad[0])!r}; it should come "
            "from BatchNorm's running average of batch variances"
        )
    return _batchnorm_fixed(X, gamma, beta, running_mean, running_var, eps)


def _batchnorm_fixed(X, gamma, beta, running_mean, running_var, eps):
    """`_batchnorm_eval` of checked arrays: the fixed affine map of evaluation mode."""
    inv_std = 1.0 / np.sqrt(running_var + eps)
    xhat = X - running_mean
    xhat *= inv_std
    out = gamma * xhat
    out += beta
    return out, (xhat, gamma * inv_std)


# --------------------------------------------------------------------------- classes


class Layer:
    """Base class: ``params``/``grads`` dicts, ``forward(X, train=False)``, ``backward(dout)``.

    Subclasses keep the cache of their last forward pass, so ``backward`` must follow a
    ``forward``. ``params`` holds the layer's own arrays: an optimizer that updates them
    in place updates the layer.
    """

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    def forward(self, X, train=False):
        """Compute the layer's output for a batch ``X``; ``train`` selects training mode."""
        raise NotImplementedError

    def backward(self, dout):
        """Given dL/d(output), fill ``grads`` and return dL/d(input)."""
        raise NotImplementedError

    def _forward(self, X, train):
        """`forward` of an input the caller has checked (here: with the checks)."""
        return self.forward(X, train=train)

    def _backward(self, dout):
        """`backward` of an upstream gradient the caller has checked (here: with the checks)."""
        return self.backward(dout)

    def _need_cache(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache


class Dense(Layer):
    r"""Fully connected layer :math:`Z = XW + b` with ``W (d_in, d_out)`` and ``b (d_out,)``.

    Parameters
    ----------
    d_in, d_out : int >= 1
        Input and output sizes.
    init : str or callable, default "he_normal"
        Weight initializer (see `nnlib.initializers`); biases start at zero.
    rng : Generator, int seed or None
        Randomness for the weights.
    dtype : floating dtype, default float64

    Attributes
    ----------
    params, grads : dict with keys "W" and "b"
    needs_input_grad : bool, default True
        When False, `backward` skips ``dX`` and returns None (the MLP sets it on its
        first layer during training: nobody needs the gradient with respect to the data).

    Examples
    --------
    >>> layer = Dense(3, 2, init="xavier_uniform", rng=0)
    >>> layer
    Dense(3, 2, init='xavier_uniform')
    >>> layer.forward(np.ones((4, 3))).shape
    (4, 2)
    >>> layer.backward(np.ones((4, 2))).shape, layer.grads["W"].shape
    ((4, 3), (3, 2))
    """

    def __init__(self, d_in, d_out, init="he_normal", rng=None, dtype=np.float64):
        super().__init__()
        self.d_in = check_int(d_in, "d_in", low=1)
        self.d_out = check_int(d_out, "d_out", low=1)
        self.dtype = _initializers._check_dtype(dtype)
        initializer = _initializers.get_initializer(init)
        self.init = init if isinstance(init, str) else initializer.name
        W = as_array(initializer(self.d_in, self.d_out, as_rng(rng)), "init(d_in, d_out)")
        if W.shape != (self.d_in, self.d_out):
            raise ValueError(
                f"init {self.init!r} must return shape (d_in, d_out) = "
                f"{(self.d_in, self.d_out)}, got {W.shape}"
            )
        W = W.astype(self.dtype, copy=False)
        self.params = {"W": W, "b": np.zeros(self.d_out, dtype=self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.needs_input_grad = True

    def forward(self, X, train=False):
        """Return ``X @ W + b``, shape (N, d_out); `train` has no effect."""
        Z, self._cache = dense_forward(X, self.params["W"], self.params["b"])
        return Z

    def backward(self, dout):
        """Overwrite ``grads["W"]``, ``grads["b"]`` in place; return dL/dX.

        dL/dX is None when ``needs_input_grad`` is False. The gradient arrays keep their
        identity from step to step (an `MLP` packs them into one flat vector).
        """
        dX, _, _ = dense_backward(
            dout,
            self._need_cache(),
            compute_dX=self.needs_input_grad,
            out=(self.grads["W"], self.grads["b"]),
        )
        return dX

    def _forward(self, X, train):
        Z, self._cache = _dense(X, self.params["W"], self.params["b"])
        return Z

    def _backward(self, dout):
        X, W = self._need_cache()
        grads = self.grads
        return _dense_grads(dout, X, W, grads["W"], grads["b"], self.needs_input_grad)

    def __repr__(self):
        extra = "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"Dense({self.d_in}, {self.d_out}, init={self.init!r}{extra})"


class Activation(Layer):
    """Activation layer :math:`A = f(Z)`; no parameters.

    It holds an `nnlib.activations.ActivationFunction` (the function, its derivative and
    its bound parameters) as ``self.activation``.

    Parameters
    ----------
    name : str or nnlib.activations.ActivationFunction
        e.g. "relu", "tanh", "softmax".
    **params
        The activation's own parameters, e.g. ``alpha=0.1`` for "leaky_relu"; unknown
        names raise a ``TypeError``.

    Examples
    --------
    >>> layer = Activation("leaky_relu", alpha=0.1)
    >>> layer
    Activation('leaky_relu', alpha=0.1)
    >>> layer.forward(np.array([[-2.0, 3.0]]))
    array([[-0.2,  3. ]])
    """

    def __init__(self, name, **params):
        super().__init__()
        self.activation = _activations.get_activation(name, **params)

    def forward(self, X, train=False):
        """Return ``f(X)``; `train` has no effect."""
        A, self._cache = activation_forward(X, self.activation)
        return A

    def backward(self, dout):
        """Return dL/dZ = dout * f'(Z) (softmax: the vector-Jacobian product)."""
        return activation_backward(dout, self._need_cache())

    def _forward(self, X, train):
        A = self.activation.forward(X)
        self._cache = ActivationCache(X, A, self.activation)
        return A

    def _backward(self, dout):
        return _activation_grad(dout, self._need_cache())

    def __repr__(self):
        args = "".join(f", {k}={v!r}" for k, v in self.activation.params.items())
        return f"Activation({self.activation.name!r}{args})"


class Dropout(Layer):
    """Inverted dropout layer: drops units with probability `p` in training only.

    Parameters
    ----------
    p : float in [0, 1)
        Drop probability.
    rng : Generator, int seed or None
        Source of the masks; one Generator is kept, so successive batches get new masks.

    Examples
    --------
    >>> layer = Dropout(0.5, rng=0)
    >>> layer
    Dropout(p=0.5)
    >>> X = np.ones((2, 3))
    >>> bool((layer.forward(X) == X).all())               # evaluation: identity
    True
    >>> np.unique(layer.forward(X, train=True))            # training: 0 or 1 / (1 - p)
    array([0., 2.])
    """

    def __init__(self, p, rng=None):
        super().__init__()
        self.p = check_number(p, "p", low=0, high=1, high_open=True)
        self.rng = as_rng(rng)

    def forward(self, X, train=False):
        """Training: ``X * mask / (1 - p)``; evaluation: `X` unchanged."""
        out, self._cache = dropout_forward(X, self.p, self.rng, train=train)
        return out

    def backward(self, dout):
        """Return ``dout * mask / (1 - p)`` (``dout`` after an evaluation forward)."""
        return dropout_backward(dout, self._need_cache())

    def _forward(self, X, train):
        out, self._cache = _dropout(X, self.p, self.rng, train)
        return out

    def _backward(self, dout):
        mask = self._need_cache().mask
        return dout if mask is None else dout * mask

    def __repr__(self):
        return f"Dropout(p={self.p!r})"


class BatchNorm(Layer):
    r"""Batch normalization over the features of ``(N, d)`` batches.

    Training mode normalizes with the batch statistics (`batchnorm_forward`) and
    updates the running averages

    .. math::
        \mu_{run} \leftarrow m\,\mu_{run} + (1 - m)\,\mu_{batch}, \qquad
        \sigma^2_{run} \leftarrow m\,\sigma^2_{run} + (1 - m)\,\sigma^2_{batch}

    with momentum :math:`m` = `momentum` (the weight of the *old* value: Keras's and
    cs231n's convention; PyTorch's ``momentum=0.1`` is the weight of the *new* value,
    i.e. our 0.9). :math:`\sigma^2_{batch}` is the biased batch variance, as in cs231n
    (PyTorch stores the unbiased one). Evaluation mode uses the running statistics
    (`batchnorm_eval`).

    Parameters
    ----------
    d : int >= 1
        Number of features.
    momentum : float in [0, 1), default 0.9
    eps : float > 0, default 1e-5
    dtype : floating dtype, default float64

    Attributes
    ----------
    params, grads : dict with keys "gamma" (starts at 1) and "beta" (starts at 0)
    running_mean, running_var : ndarray, shape (d,)
        Start at 0 and 1.

    Examples
    --------
    >>> bn = BatchNorm(2)
    >>> bn
    BatchNorm(2, momentum=0.9, eps=1e-05)
    >>> out = bn.forward(np.array([[0.0, 1.0], [2.0, 5.0]]), train=True)
    >>> out.round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean        # 0.9 * 0 + 0.1 * [1, 3]
    array([0.1, 0.3])
    """

    def __init__(self, d, momentum=0.9, eps=1e-5, dtype=np.float64):
        super().__init__()
        self.d = check_int(d, "d", low=1)
        self.momentum = check_number(momentum, "momentum", low=0, high=1, high_open=True)
        self.eps = check_number(eps, "eps", low=0, low_open=True)
        self.dtype = _initializers._check_dtype(dtype)
        self.params = {
            "gamma": np.ones(self.d, dtype=self.dtype),
            "beta": np.zeros(self.d, dtype=self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running_mean = np.zeros(self.d, dtype=self.dtype)
        self.running_var = np.ones(self.d, dtype=self.dtype)

    def forward(self, X, train=False):
        """Training: batch statistics (and update the running ones); evaluation: running."""
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:
            out, cache = batchnorm_forward(X, gamma, beta, self.eps)
            self._update_running(cache)
            self._cache = ("train", cache)
        else:
            out, cache = _batchnorm_eval(
                X, gamma, beta, self.running_mean, self.running_var, self.eps
            )
            self._cache = ("eval", cache)
        return out

    def _update_running(self, cache):
        m = self.momentum
        self.running_mean *= m
        self.running_mean += (1 - m) * cache.mean
        self.running_var *= m
        self.running_var += (1 - m) * cache.var

    def _forward(self, X, train):
        gamma, beta = self.params["gamma"], self.params["beta"]
        if train:  # the caller made sure of >= 2 rows (fit checks the last batch)
            out, cache = _batchnorm_train(X, gamma, beta, self.eps)
            self._update_running(cache)
            self._cache = ("train", cache)
        else:
            out, cache = _batchnorm_fixed(
                X, gamma, beta, self.running_mean, self.running_var, self.eps
            )
            self._cache = ("eval", cache)
        return out

    def backward(self, dout):
        """Fill ``grads["gamma"]``, ``grads["beta"]`` and return dL/dX.

        After an evaluation-mode forward the layer is a fixed affine map per feature, and
        the gradient is that of the map (no terms through the batch statistics).
        """
        xhat = self._need_cache()[1][0]  # both caches start with xhat
        dout = _float_array(dout, "dout", 2)
        _check_grad_shape(dout, xhat.shape, "dout")
        return self._backward(dout)

    def _backward(self, dout):
        mode, cache = self._need_cache()
        if mode == "train":
            dX, dgamma, dbeta = _batchnorm_grads(dout, cache)
        else:
            xhat, scale = cache
            dgamma = np.sum(dout * xhat, axis=0)
            dbeta = dout.sum(axis=0)
            dX = dout * scale
        np.copyto(self.grads["gamma"], dgamma)  # in place: the arrays keep their identity
        np.copyto(self.grads["beta"], dbeta)
        return dX

    def __repr__(self):
        extra = "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"BatchNorm({self.d}, momentum={self.momentum!r}, eps={self.eps!r}{extra})"


# ------------------------------------------------------------- learnable activations


def _check_rows(X, d, name="X", what="units"):
    """Validate a batch ``(N, d)`` for a layer with `d` units; return it as a float array."""
    X = _float_array(X, name, 2)
    if d is not None and X.shape[1] != d:
        raise ValueError(
            f"{name} must have shape (N, {d}) for a layer of {d} {what}, got {X.shape}"
        )
    return X


class PReLU(Layer):
    r"""Parametric ReLU (He et al. 2015): a leaky ReLU whose slopes are learned, one per unit.

    .. math::
        A_{nj} = \begin{cases} Z_{nj} & Z_{nj} > 0 \\ \alpha_j Z_{nj} & Z_{nj} \le 0
        \end{cases}, \qquad
        \frac{\partial L}{\partial \alpha_j} = \sum_n dA_{nj} \min(Z_{nj}, 0)

    and :math:`dZ = dA` where :math:`Z > 0`, :math:`\alpha_j\,dA` elsewhere (at
    :math:`Z = 0` the left slope :math:`\alpha_j`, as `nnlib.activations.leaky_relu_grad`).
    He et al. start every :math:`\alpha` at 0.25 and do not penalize it (nnlib's
    ``l1``/``l2`` penalize only weight matrices).

    Parameters
    ----------
    d : int >= 1
        Number of units (columns of the input).
    alpha0 : finite float, default 0.25
        Starting slope of every unit.
    dtype : floating dtype, default float64

    Attributes
    ----------
    params, grads : dict with key "alpha", shape (d,)

    Examples
    --------
    >>> layer = PReLU(2)
    >>> layer
    PReLU(2, alpha0=0.25)
    >>> layer.forward(np.array([[-4.0, 3.0]]))
    array([[-1.,  3.]])
    >>> layer.backward(np.array([[1.0, 1.0]])), layer.grads["alpha"]   # min(Z, 0) summed
    (array([[0.25, 1.  ]]), array([-4.,  0.]))
    """

    def __init__(self, d, alpha0=0.25, dtype=np.float64):
        super().__init__()
        self.d = check_int(d, "d", low=1)
        self.alpha0 = check_number(alpha0, "alpha0", finite=True)
        self.dtype = _initializers._check_dtype(dtype)
        self.params = {"alpha": np.full(self.d, self.alpha0, dtype=self.dtype)}
        self.grads = {"alpha": np.zeros(self.d, dtype=self.dtype)}

    def forward(self, X, train=False):
        """Return ``where(X > 0, X, alpha * X)``, shape (N, d); `train` has no effect."""
        return self._forward(_check_rows(X, self.d), train)

    def _forward(self, X, train):
        pos = X > 0
        self._cache = (X, pos)
        return np.where(pos, X, self.params["alpha"] * X)

    def backward(self, dout):
        """Fill ``grads["alpha"]`` (shape (d,)) and return dL/dX, shape (N, d)."""
        X, _ = self._need_cache()
        dout = _float_array(dout, "dout", 2)
        _check_grad_shape(dout, X.shape, "dout")
        return self._backward(dout)

    def _backward(self, dout):
        X, pos = self._need_cache()
        np.add.reduce(dout * np.minimum(X, 0.0), axis=0, out=self.grads["alpha"])
        return np.where(pos, dout, self.params["alpha"] * dout)

    def __repr__(self):
        extra = "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"PReLU({self.d}, alpha0={self.alpha0!r}{extra})"


class Swish(Layer):
    r"""Swish with a learnable :math:`\beta`: :math:`A = Z\,\sigma(\beta Z)`.

    Ramachandran, Zoph & Le (2017), arXiv:1710.05941. One scalar :math:`\beta` for the
    whole layer, as in the paper. With :math:`s = \sigma(\beta Z)`:

    .. math::
        \frac{\partial A}{\partial Z} = s\,\bigl(1 + \beta Z (1 - s)\bigr), \qquad
        \frac{\partial A}{\partial \beta} = Z^2 s (1 - s), \qquad
        \frac{\partial L}{\partial \beta} = \sum_{n,j} dA_{nj}\, Z_{nj}^2 s_{nj} (1 - s_{nj})

    :math:`\beta = 0` gives :math:`Z/2`, :math:`\beta = 1` SiLU, :math:`\beta \to \infty`
    ReLU (see `nnlib.activations.swish`).

    Parameters
    ----------
    beta0 : finite float, keyword only, default 1.0
        Starting :math:`\beta` (keyword only, so that ``Swish(64)`` is not read as
        :math:`\beta = 64`: in an MLP write ``hidden=lambda d: Swish()``).
    trainable : bool, default True
        False keeps :math:`\beta` fixed (no parameter: ``params == {}``), i.e. the
        activation ``swish(beta=beta0)``.
    dtype : floating dtype, default float64

    Attributes
    ----------
    params, grads : dict with key "beta", shape (1,) (empty when not trainable)
    beta : float
        The current :math:`\beta`.

    Examples
    --------
    >>> layer = Swish(beta0=0.0)               # sigma(0) = 1/2: A = Z / 2
    >>> layer.forward(np.array([[-2.0, 4.0]]))
    array([[-1.,  2.]])
    >>> layer.backward(np.array([[1.0, 1.0]])), layer.grads["beta"]  # (4 + 16) / 4
    (array([[0.5, 0.5]]), array([5.]))
    """

    def __init__(self, *, beta0=1.0, trainable=True, dtype=np.float64):
        super().__init__()
        self.beta0 = check_number(beta0, "beta0", finite=True)
        self.trainable = check_bool(trainable, "trainable")
        self.dtype = _initializers._check_dtype(dtype)
        self._fixed = np.array([self.beta0], dtype=self.dtype)
        if self.trainable:
            self.params = {"beta": self._fixed.copy()}
            self.grads = {"beta": np.zeros(1, dtype=self.dtype)}

    @property
    def beta(self) -> float:
        """The current beta (the parameter when trainable, else `beta0`)."""
        return float(self.params["beta"][0] if self.trainable else self.beta0)

    def forward(self, X, train=False):
        """Return ``X * sigmoid(beta * X)``, shape of `X` (N, D); `train` has no effect."""
        return self._forward(_check_rows(X, None), train)

    def _forward(self, X, train):
        beta = (self.params["beta"] if self.trainable else self._fixed).astype(X.dtype)
        s, sc = _activations._sigmoid_parts(X * beta)
        self._cache = (X, s, sc, beta)
        return X * s

    def backward(self, dout):
        """Fill ``grads["beta"]`` (when trainable) and return dL/dX, shape of the input."""
        X = self._need_cache()[0]
        dout = _float_array(dout, "dout", 2)
        _check_grad_shape(dout, X.shape, "dout")
        return self._backward(dout)

    def _backward(self, dout):
        X, s, sc, beta = self._need_cache()
        s_sc = s * sc  # sigma'(u) = s (1 - s), with 1 - s computed without cancellation
        if self.trainable:
            self.grads["beta"][0] = np.vdot(dout, X * X * s_sc)
        dX = X * s_sc
        dX *= beta
        dX += s
        dX *= dout
        return dX

    def __repr__(self):
        extra = "" if self.trainable else ", trainable=False"
        extra += "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"Swish(beta0={self.beta0!r}{extra})"


class Maxout(Layer):
    r"""Maxout layer (Goodfellow et al. 2013): each unit is the max of `k` affine pieces.

    .. math::
        Z^{(i)} = X W^{(i)} + b^{(i)}, \quad i = 1..k, \qquad
        A_{nj} = \max_i Z^{(i)}_{nj}

    It replaces a `Dense` layer *and* its activation: with k = 2 and one piece fixed at
    zero it would be ReLU; with two free pieces it learns a convex piecewise-linear
    activation. The gradient flows only through the winning piece:
    :math:`dZ^{(i)}_{nj} = dA_{nj}` if piece :math:`i` won at :math:`(n, j)` (the first
    one on a tie), else 0; then :math:`dW^{(i)} = X^\top dZ^{(i)}`,
    :math:`db^{(i)} = \sum_n dZ^{(i)}_{n\cdot}`, :math:`dX = \sum_i dZ^{(i)} W^{(i)\top}`.

    Parameters
    ----------
    d_in, d_out : int >= 1
    k : int >= 2
        Pieces per unit.
    init : str or callable, default "he_normal"
        Initializer of each piece's ``(d_in, d_out)`` weights; biases start at zero.
    rng : Generator, int seed or None
    dtype : floating dtype, default float64

    Attributes
    ----------
    params, grads : dict with keys "W" (k, d_in, d_out) and "b" (k, d_out)
    needs_input_grad : bool, default True
        As for `Dense`: when False, `backward` skips dX and returns None.

    Examples
    --------
    >>> layer = Maxout(1, 1, k=2, init="zeros")
    >>> layer.params["W"][:, 0, 0] = [1.0, -1.0]      # max(x, -x) = |x|
    >>> layer.forward(np.array([[-3.0], [2.0]]))
    array([[3.],
           [2.]])
    >>> layer.backward(np.array([[1.0], [1.0]]))      # d|x|/dx = sign(x)
    array([[-1.],
           [ 1.]])
    """

    def __init__(self, d_in, d_out, k, init="he_normal", rng=None, dtype=np.float64):
        super().__init__()
        self.d_in = check_int(d_in, "d_in", low=1)
        self.d_out = check_int(d_out, "d_out", low=1)
        self.k = check_int(k, "k", low=2)
        self.dtype = _initializers._check_dtype(dtype)
        initializer = _initializers.get_initializer(init)
        self.init = init if isinstance(init, str) else initializer.name
        rng = as_rng(rng)
        W = np.empty((self.k, self.d_in, self.d_out), dtype=self.dtype)
        for i in range(self.k):
            W[i] = _init_weights(initializer, self.init, self.d_in, self.d_out, rng)
        self.params = {"W": W, "b": np.zeros((self.k, self.d_out), dtype=self.dtype)}
        self.grads = {key: np.zeros_like(v) for key, v in self.params.items()}
        self.needs_input_grad = True

    def forward(self, X, train=False):
        """Return the max over the k pieces, shape (N, d_out); `train` has no effect."""
        return self._forward(_check_rows(X, self.d_in, what="inputs"), train)

    def _forward(self, X, train):
        Z = np.matmul(X, self.params["W"])  # (k, N, d_out)
        Z += self.params["b"][:, None, :]
        win = Z.argmax(axis=0)[None]  # (1, N, d_out): the winning piece
        self._cache = (X, win)
        return np.take_along_axis(Z, win, axis=0)[0]

    def backward(self, dout):
        """Fill ``grads["W"]``, ``grads["b"]``; return dL/dX (N, d_in), or None."""
        X, _ = self._need_cache()
        dout = _float_array(dout, "dout", 2)
        _check_grad_shape(dout, (X.shape[0], self.d_out), "dout")
        return self._backward(dout)

    def _backward(self, dout):
        X, win = self._need_cache()
        dZ = np.zeros((self.k, *dout.shape), dtype=dout.dtype)
        np.put_along_axis(dZ, win, dout[None], axis=0)
        np.matmul(X.T, dZ, out=self.grads["W"])
        np.add.reduce(dZ, axis=1, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return np.matmul(dZ, self.params["W"].transpose(0, 2, 1)).sum(axis=0)

    def __repr__(self):
        extra = "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"Maxout({self.d_in}, {self.d_out}, k={self.k}, init={self.init!r}{extra})"


def _init_weights(initializer, name, d_in, d_out, rng):
    """Call an initializer for a ``(d_in, d_out)`` matrix and check what it returns."""
    W = as_array(initializer(d_in, d_out, rng), "init(d_in, d_out)")
    if W.shape != (d_in, d_out):
        raise ValueError(
            f"init {name!r} must return shape (d_in, d_out) = {(d_in, d_out)}, got {W.shape}"
        )
    return W


class DropConnect(Dense):
    r"""A `Dense` layer whose *weights* are dropped in training (Wan et al. 2013).

    Dropout zeroes units (rows of the activations); DropConnect zeroes connections
    (entries of ``W``). In training, with one mask per batch,

    .. math::
        M_{ij} \sim \mathrm{Bernoulli}(1 - p), \qquad
        Z = X \Bigl(W \odot \frac{M}{1 - p}\Bigr) + b

    so :math:`\mathbb E[Z] = XW + b` and evaluation is the plain `Dense` layer
    (inverted scaling, as `Dropout`; Wan et al. instead average sampled outputs at test
    time). The biases are not masked. Backward: :math:`dW = (X^\top dZ) \odot M/(1-p)`,
    :math:`db = \sum_n dZ_{n\cdot}`, :math:`dX = dZ\,(W \odot M/(1-p))^\top`. Wan et al.
    draw one mask per example; one per batch is the usual cheap version (the
    per-example one costs an ``(N, d_in, d_out)`` array).

    Parameters
    ----------
    d_in, d_out : int >= 1
    p : float in [0, 1)
        Probability of dropping a weight.
    init, rng, dtype
        As for `Dense`; `rng` also draws the masks (successive batches get new ones).

    Examples
    --------
    >>> layer = DropConnect(2, 2, p=0.5, init="zeros", rng=0)
    >>> layer.params["W"][...] = 1.0
    >>> layer
    DropConnect(2, 2, p=0.5, init='zeros')
    >>> layer.forward(np.ones((1, 2)))                # evaluation: X W + b
    array([[2., 2.]])
    >>> layer.forward(np.ones((1, 2)), train=True)    # kept weights count 1 / (1 - p) = 2
    array([[2., 0.]])
    >>> layer.mask                                    # that batch's scaled mask
    array([[2., 0.],
           [0., 0.]])
    """

    def __init__(self, d_in, d_out, p, init="he_normal", rng=None, dtype=np.float64):
        rng = as_rng(rng)
        super().__init__(d_in, d_out, init=init, rng=rng, dtype=dtype)
        self.p = check_number(p, "p", low=0, high=1, high_open=True)
        self.rng = rng
        self.mask = None

    def forward(self, X, train=False):
        """Training: ``X @ (W * mask) + b`` with a new mask; evaluation: ``X @ W + b``."""
        return self._forward(_check_rows(X, self.d_in, what="inputs"), train)

    def _forward(self, X, train):
        W = self.params["W"]
        if not train or self.p == 0.0:
            self.mask = None
            return super()._forward(X, train)
        mask = (self.rng.random(W.shape, dtype=W.dtype) >= self.p).astype(W.dtype)
        mask *= 1.0 / (1.0 - self.p)
        self.mask = mask
        Z, self._cache = _dense(X, W * mask, self.params["b"])
        return Z

    def backward(self, dout):
        """Fill ``grads["W"]`` (masked) and ``grads["b"]``; return dL/dX or None."""
        X, W = self._need_cache()
        dout = _float_array(dout, "dout", 2)
        _check_grad_shape(dout, (X.shape[0], W.shape[1]), "dout")
        return self._backward(dout)

    def _backward(self, dout):
        dX = super()._backward(dout)  # with the cached masked W: dX = dZ (W * M)^T
        if self.mask is not None:
            self.grads["W"] *= self.mask
        return dX

    def __repr__(self):
        extra = "" if self.dtype == np.float64 else f", dtype='{self.dtype}'"
        return f"DropConnect({self.d_in}, {self.d_out}, p={self.p!r}, init={self.init!r}{extra})"
