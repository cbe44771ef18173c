r"""Activation functions and their derivatives, vectorized over any array shape.

Every elementwise activation ``f`` comes with ``f_grad(z)``: the derivative
:math:`f'(z)` evaluated at the **pre-activation** `z` (not at the output). A layer's
backward pass multiplies the upstream gradient by it: ``dZ = dA * f_grad(Z)``.

``softmax`` is the exception: it couples the entries of a row, so its derivative is a
Jacobian (`softmax_grad`), and a backward pass uses the vector-Jacobian product
`softmax_vjp` instead of forming that matrix.

Conventions
-----------
- Any shape works; the output has the shape of the input. ``softmax`` works along the
  last axis (one row per example, as everywhere in nnlib: ``X`` is ``(N, D)``).
- float32 input stays float32 (benchmarks train in float32); float64 stays float64;
  integers and booleans become float64.
- ``sigmoid``, ``softplus``, ``softmax`` and everything built on them are numerically
  stable: no overflow warning and no NaN at :math:`|z| = 1000`.
- Hyper-parameters (``alpha``, ``beta``, ``approximate``) are keyword arguments with the
  defaults of the papers, validated on every call.
- NaN and infinity: the elementwise functions follow IEEE arithmetic and do not check
  their input (the check would cost a pass over every activation of every batch). NaN
  in gives NaN out (``relu(nan)`` is ``nan``), without an error or a warning; the
  piecewise derivatives take their branch (``relu_grad(nan)`` is 0, since ``nan > 0`` is
  false). Infinities give the limits where the formula allows (``sigmoid(inf) = 1``,
  ``relu(-inf) = 0``), and where it computes ``inf * 0`` (``swish``, ``gelu`` at
  ``-inf``) the result is NaN and numpy warns. Invalid input is caught where it matters:
  `nnlib.model.MLP.forward` refuses a non-finite batch, and the losses refuse non-finite
  outputs. ``softmax`` is stricter, because a row is one distribution: a row containing
  ``inf`` or ``-inf`` raises a ``ValueError`` (NaN still propagates to its row).

The registry turns a name into an `ActivationFunction` holding the function, its
derivative and its bound parameters (the layer that applies one in a network is
`nnlib.layers.Activation`):

>>> act = get_activation("leaky_relu", alpha=0.1)
>>> act
ActivationFunction('leaky_relu', alpha=0.1)
>>> act.forward(np.array([-2.0, 3.0]))
array([-0.2,  3. ])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib._checks import (
    _describe,
    as_array,
    check_bool,
    check_choice,
    check_number,
    check_same_shape,
)
from nnlib._erf import normal_cdf

__all__ = [
    "ACTIVATIONS",
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "ActivationFunction",
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "get_activation",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "relu",
    "relu_grad",
    "selu",
    "selu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_grad",
    "softmax_vjp",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
]


_INV_SQRT_2PI = 0.39894228040143267794  # 1 / sqrt(2 pi), the normal density's factor
_SQRT_2_OVER_PI = 0.79788456080286535588  # sqrt(2 / pi), GELU's tanh approximation
_GELU_CUBIC = 0.044715  # the cubic coefficient of GELU's tanh approximation
_APPROXIMATE_MEANING = "True: the tanh approximation"  # for gelu's `approximate` message

#: SELU's scale :math:`\lambda` and :math:`\alpha` (Klambauer et al. 2017, eq. 14, to 16
#: digits): the values for which mean 0 and variance 1 are a fixed point of a layer.
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def _as_input(z, name: str = "z") -> np.ndarray:
    """Validate an activation's input: numbers, float32/float64 kept, else float64."""
    return as_array(z, name, dtype=None)


def _sigmoid_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Return :math:`\sigma(z)` and :math:`1 - \sigma(z) = \sigma(-z)`, both accurate.

    One exponential of :math:`-|z|` (never overflows) serves both: with
    :math:`e = \exp(-|z|)`, :math:`\sigma(z) = 1/(1+e)` for :math:`z \ge 0` and
    :math:`e/(1+e)` for :math:`z < 0`, and the complement swaps the numerators. Computing
    :math:`1 - \sigma(z)` this way avoids the cancellation of ``1 - s`` when ``s`` is
    close to one.
    """
    e = np.abs(z, out=np.empty_like(z))
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    pos = z >= 0
    s = np.where(pos, 1.0, e)
    s /= d
    sc = np.where(pos, e, 1.0)
    sc /= d
    return s, sc


# ----------------------------------------------------------------------------------------
# Elementwise activations
# ----------------------------------------------------------------------------------------


def identity(z):
    r"""Identity (linear) activation: :math:`f(z) = z`.

    Used as the output of a regression network.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray, same shape as `z`
        A copy of `z` (float32 stays float32, anything else becomes float64).

    Examples
    --------
    >>> identity([1, -2])
    array([ 1., -2.])
    """
    return _as_input(z).copy()


def identity_grad(z):
    r"""Differentiate the identity: :math:`f'(z) = 1`.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray of ones, same shape and float dtype as `z`

    Examples
    --------
    >>> identity_grad([3.0, -1.0])
    array([1., 1.])
    """
    return np.ones_like(_as_input(z))


def sigmoid(z):
    r"""Logistic sigmoid, elementwise: :math:`\sigma(z) = \dfrac{1}{1 + e^{-z}}`.

    Computed stably from :math:`e^{-|z|}`, which never overflows: for :math:`z < 0` it
    uses the equivalent form :math:`e^{z} / (1 + e^{z})`.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray, same shape as `z`, values in [0, 1]
        float32 stays float32, anything else becomes float64.

    Examples
    --------
    >>> sigmoid([0.0, 2.0, -1000.0, 1000.0])
    array([0.5       , 0.88079708, 0.        , 1.        ])
    """
    z = _as_input(z)
    e = np.abs(z, out=np.empty_like(z))
    np.negative(e, out=e)
    np.exp(e, out=e)
    s = np.where(z >= 0, 1.0, e)
    e += 1.0
    s /= e
    return s


def sigmoid_grad(z):
    r"""Differentiate the sigmoid: :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`.

    At most 1/4 (at :math:`z = 0`): the reason deep sigmoid networks' gradients shrink.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation (not the sigmoid's output).

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> sigmoid_grad([0.0, 2.0, -1000.0])
    array([0.25      , 0.10499359, 0.        ])
    """
    s, sc = _sigmoid_parts(_as_input(z))
    s *= sc
    return s


def tanh(z):
    r"""Hyperbolic tangent: :math:`\tanh(z) = (e^{z} - e^{-z}) / (e^{z} + e^{-z})`.

    Equivalently :math:`\tanh(z) = 2\sigma(2z) - 1`: a sigmoid rescaled to (-1, 1).

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as `z`, values in [-1, 1]

    Examples
    --------
    >>> tanh([0.0, 1.0, -1000.0])
    array([ 0.        ,  0.76159416, -1.        ])
    """
    z = _as_input(z)
    return np.tanh(z, out=np.empty_like(z))


def tanh_grad(z):
    r"""Differentiate tanh: :math:`\tanh'(z) = 1 - \tanh^2(z)`.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray, same shape as `z`, values in [0, 1]

    Examples
    --------
    >>> tanh_grad([0.0, 1.0])
    array([1.        , 0.41997434])
    """
    z = _as_input(z)
    t = np.tanh(z, out=np.empty_like(z))
    np.square(t, out=t)
    np.subtract(1.0, t, out=t)
    return t


def relu(z):
    r"""Rectified linear unit: :math:`f(z) = \max(z, 0)`.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    z = _as_input(z)
    return np.maximum(z, 0.0, out=np.empty_like(z))


def relu_grad(z):
    r"""Differentiate ReLU: :math:`f'(z) = 1` if :math:`z > 0`, else :math:`0`.

    ReLU has no derivative at :math:`z = 0`; we use **0** there (the left derivative, as
    PyTorch and TensorFlow do). Any value in [0, 1] is a valid subgradient.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray of 0.0 and 1.0, same shape as `z`

    Examples
    --------
    >>> relu_grad([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    z = _as_input(z)
    return np.greater(z, 0.0, out=np.empty_like(z))


def leaky_relu(z, alpha=0.01):
    r"""Leaky ReLU: :math:`f(z) = z` if :math:`z > 0`, else :math:`\alpha z`.

    Parameters
    ----------
    z : array_like, any shape
    alpha : float >= 0, default 0.01
        Slope for negative inputs (Maas et al. 2013). ``alpha=0`` is ReLU.

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> leaky_relu([-2.0, 3.0])
    array([-0.02,  3.  ])
    >>> leaky_relu([-2.0, 3.0], alpha=0.5)
    array([-1.,  3.])
    """
    alpha = check_number(alpha, "alpha", low=0, finite=True)
    z = _as_input(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    r"""Differentiate leaky ReLU: :math:`f'(z) = 1` if :math:`z > 0`, else :math:`\alpha`.

    At the kink :math:`z = 0` we use :math:`\alpha` (the left derivative, as for `relu_grad`).

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.
    alpha : float >= 0, default 0.01

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0], alpha=0.1)
    array([0.1, 0.1, 1. ])
    """
    alpha = check_number(alpha, "alpha", low=0, finite=True)
    z = _as_input(z)
    return np.where(z > 0, 1.0, alpha).astype(z.dtype, copy=False)


def softplus(z):
    r"""Softplus, a smooth ReLU: :math:`f(z) = \log(1 + e^{z})`.

    Computed stably as :math:`\max(z, 0) + \log(1 + e^{-|z|})` (no overflow at large
    :math:`z`, no loss of precision at very negative :math:`z`).

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as `z`, positive

    Examples
    --------
    >>> softplus([0.0, 2.0, -1000.0])
    array([0.69314718, 2.12692801, 0.        ])
    >>> softplus([1000.0])
    array([1000.])
    """
    z = _as_input(z)
    t = np.abs(z, out=np.empty_like(z))
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += np.maximum(z, 0.0)
    return t


def softplus_grad(z):
    r"""Differentiate softplus: the sigmoid, :math:`f'(z) = \sigma(z)`.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> softplus_grad([0.0, 2.0])
    array([0.5       , 0.88079708])
    """
    return sigmoid(z)


def elu(z, alpha=1.0):
    r"""Exponential linear unit (Clevert et al. 2016).

    .. math::

        f(z) = \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases}

    Parameters
    ----------
    z : array_like, any shape
    alpha : float >= 0, default 1.0
        The value :math:`-\alpha` is the limit for :math:`z \to -\infty`.

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> elu([-1000.0, -1.0, 2.0])
    array([-1.        , -0.63212056,  2.        ])
    >>> elu([-1000.0], alpha=2.0)
    array([-2.])
    """
    alpha = check_number(alpha, "alpha", low=0, finite=True)
    z = _as_input(z)
    neg = np.minimum(z, 0.0, out=np.empty_like(z))  # expm1(z > 0) is unused: avoid overflow
    np.expm1(neg, out=neg)
    neg *= alpha
    return np.where(z > 0, z, neg)


def elu_grad(z, alpha=1.0):
    r"""Differentiate ELU: :math:`f'(z) = 1` if :math:`z > 0`, else :math:`\alpha e^{z}`.

    For :math:`z \le 0` this equals :math:`f(z) + \alpha`. At :math:`z = 0` we return
    :math:`\alpha` (the left derivative; both sides agree when ``alpha=1``).

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.
    alpha : float >= 0, default 1.0

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> elu_grad([-1.0, 0.0, 2.0])
    array([0.36787944, 1.        , 1.        ])
    """
    alpha = check_number(alpha, "alpha", low=0, finite=True)
    z = _as_input(z)
    g = np.minimum(z, 0.0, out=np.empty_like(z))
    np.exp(g, out=g)
    g *= alpha
    return np.where(z > 0, 1.0, g)


def selu(z):
    r"""Scaled exponential linear unit (Klambauer et al. 2017, arXiv:1706.02515).

    .. math::

        f(z) = \lambda \begin{cases} z & z > 0 \\ \alpha\,(e^{z} - 1) & z \le 0 \end{cases}

    with :math:`\lambda \approx 1.0507009873554805` (`SELU_LAMBDA`) and
    :math:`\alpha \approx 1.6732632423543772` (`SELU_ALPHA`): an ELU scaled so that, with
    LeCun-normal weights (variance :math:`1/n_{in}`), activations of mean 0 and variance 1
    keep mean 0 and variance 1 from layer to layer (the "self-normalizing" fixed point).
    The constants are fixed, not parameters: other values lose that fixed point.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, same shape as `z`, values in :math:`(-\lambda\alpha, \infty)`,
    :math:`\lambda\alpha \approx 1.7581`

    Examples
    --------
    >>> selu([-1000.0, -1.0, 0.0, 2.0])
    array([-1.75809934, -1.11133074,  0.        ,  2.10140197])
    """
    z = _as_input(z)
    neg = np.minimum(z, 0.0, out=np.empty_like(z))  # expm1 of z > 0 is unused: no overflow
    np.expm1(neg, out=neg)
    neg *= SELU_ALPHA
    out = np.where(z > 0, z, neg)
    out *= SELU_LAMBDA
    return out


def selu_grad(z):
    r"""Differentiate SELU: :math:`f'(z) = \lambda` (z > 0), else :math:`\lambda\alpha e^{z}`.

    For :math:`z \le 0` this equals :math:`f(z) + \lambda\alpha`. At the kink :math:`z = 0`
    we return the left derivative :math:`\lambda\alpha \approx 1.7581` (the right one is
    :math:`\lambda \approx 1.0507`), as for `elu_grad`.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> selu_grad([-1.0, 0.0, 2.0])
    array([0.6467686 , 1.75809934, 1.05070099])
    """
    z = _as_input(z)
    g = np.minimum(z, 0.0, out=np.empty_like(z))
    np.exp(g, out=g)
    g *= SELU_LAMBDA * SELU_ALPHA
    return np.where(z > 0, SELU_LAMBDA, g).astype(z.dtype, copy=False)


def swish(z, beta=1.0):
    r"""Swish activation, elementwise: :math:`f(z) = z\,\sigma(\beta z)`.

    Ramachandran, Zoph & Le (2017), arXiv:1710.05941. ``beta=1`` is SiLU; ``beta=0``
    gives :math:`z/2`; as :math:`\beta \to \infty` it approaches ReLU. For ``beta=1`` it
    is non-monotonic, with minimum :math:`-0.27846` at :math:`z = -1.27846`.

    Parameters
    ----------
    z : array_like, any shape
    beta : float, default 1.0
        Any finite real (``beta=1`` is SiLU).

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> swish([-1.27846, 0.0, 2.0])
    array([-0.27846454,  0.        ,  1.76159416])
    >>> swish([-2.0, 2.0], beta=0.0)
    array([-1.,  1.])
    """
    beta = check_number(beta, "beta", finite=True)
    z = _as_input(z)
    s = sigmoid(beta * z)
    s *= z
    return s


def swish_grad(z, beta=1.0):
    r"""Differentiate swish at the pre-activation `z`.

    .. math::

        f'(z) = \beta f(z) + \sigma(\beta z)\,(1 - \beta f(z))
              = \sigma(\beta z)\,\bigl(1 + \beta z\,(1 - \sigma(\beta z))\bigr)

    The first form is the paper's; we evaluate the second, equal one, which does not
    subtract two large numbers when :math:`z` is large.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.
    beta : float, default 1.0

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> np.round(swish_grad([0.0, -1.2784645]), 6)   # 1/2 at 0; zero at the minimum
    array([0.5, 0. ])
    >>> swish_grad([3.0], beta=0.0)   # f(z) = z/2
    array([0.5])
    """
    beta = check_number(beta, "beta", finite=True)
    z = _as_input(z)
    bz = beta * z
    s, sc = _sigmoid_parts(bz)
    sc *= bz
    sc += 1.0
    s *= sc
    return s


def gelu(z, approximate=False):
    r"""Gaussian error linear unit (Hendrycks & Gimpel 2016, arXiv:1606.08415).

    .. math::

        f(z) = z\,\Phi(z) = \frac{z}{2}\Bigl(1 + \operatorname{erf}\bigl(z/\sqrt{2}\bigr)\Bigr)

    with :math:`\Phi` the standard normal CDF. ``approximate=True`` uses the paper's tanh
    form (GPT-2, BERT; PyTorch's ``approximate='tanh'``):

    .. math::

        f(z) \approx \frac{z}{2}\Bigl(1 + \tanh\bigl(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\bigr)\Bigr)

    The two differ by less than 5e-4. The exact form uses nnlib's own vectorized erf
    (W. J. Cody's rational approximations; numpy has none).

    Parameters
    ----------
    z : array_like, any shape
    approximate : bool, default False
        Use the tanh approximation instead of the exact erf form.

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> gelu([-1.0, 0.0, 1.0])
    array([-0.15865525,  0.        ,  0.84134475])
    >>> gelu([-1.0, 0.0, 1.0], approximate=True)
    array([-0.15880801,  0.        ,  0.84119199])
    """
    approximate = check_bool(approximate, "approximate", meaning=_APPROXIMATE_MEANING)
    z = _as_input(z)
    if approximate:
        # 1 + tanh(u) = 2 sigmoid(2u); |z| > 100 saturates anyway, clip to avoid z**3 overflow.
        zc = np.clip(z, -100.0, 100.0)
        u = (2.0 * _SQRT_2_OVER_PI) * (zc + _GELU_CUBIC * zc**3)
        s = sigmoid(u)
        s *= z
        return s
    cdf = normal_cdf(z)  # float64, a new array
    cdf *= z
    return cdf.astype(z.dtype, copy=False)


def gelu_grad(z, approximate=False):
    r"""Differentiate GELU at the pre-activation `z`.

    Exact form: :math:`f'(z) = \Phi(z) + z\,\varphi(z)` with
    :math:`\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}`. Tanh approximation, with
    :math:`u = \sqrt{2/\pi}\,(z + 0.044715\,z^3)`:

    .. math::

        f'(z) \approx \tfrac12\bigl(1 + \tanh u\bigr)
            + \tfrac12\, z\,\bigl(1 - \tanh^2 u\bigr)\,
              \sqrt{2/\pi}\,\bigl(1 + 3\cdot 0.044715\,z^2\bigr)

    Parameters
    ----------
    z : array_like, any shape
        Pre-activation.
    approximate : bool, default False

    Returns
    -------
    ndarray, same shape as `z`

    Examples
    --------
    >>> gelu_grad([-1.0, 0.0, 1.0])
    array([-0.08331547,  0.5       ,  1.08331547])
    >>> gelu_grad([1.0], approximate=True)
    array([1.08296408])
    """
    approximate = check_bool(approximate, "approximate", meaning=_APPROXIMATE_MEANING)
    z = _as_input(z)
    zc = np.clip(z, -100.0, 100.0)  # the derivative is 0 or 1 out there; avoids overflow
    if approximate:
        z2 = zc * zc
        t = np.tanh(_SQRT_2_OVER_PI * zc * (1.0 + _GELU_CUBIC * z2))
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_CUBIC * z2)
        grad = 0.5 * (1.0 + t) + 0.5 * zc * (1.0 - t * t) * du
    else:
        z64 = zc.astype(np.float64, copy=False)
        grad = normal_cdf(z64) + z64 * (_INV_SQRT_2PI * np.exp(-0.5 * z64 * z64))
    return np.asarray(grad, dtype=z.dtype)  # no copy for arrays; 0-d input gives a 0-d array


# ----------------------------------------------------------------------------------------
# Softmax
# ----------------------------------------------------------------------------------------


def _as_rows(z, name: str = "z") -> np.ndarray:
    """Validate softmax's input: at least 1-D, with at least one entry along the last axis."""
    z = _as_input(z, name)
    if z.ndim == 0:
        raise ValueError(
            f"{name} must have at least 1 dimension (softmax works along the last axis), "
            "got a scalar"
        )
    if z.shape[-1] == 0:
        raise ValueError(
            f"{name} has shape {z.shape}: softmax needs at least one entry along the last "
            "axis (a distribution over zero classes does not exist)"
        )
    return z


def softmax(z):
    r"""Softmax along the last axis (each row of a batch ``(N, C)`` sums to one).

    .. math::

        p_c = \frac{e^{z_c}}{\sum_k e^{z_k}} = \frac{e^{z_c - m}}{\sum_k e^{z_k - m}},
        \qquad m = \max_k z_k

    Subtracting the row maximum changes nothing mathematically and keeps every
    exponent :math:`\le 0`, so nothing overflows.

    Parameters
    ----------
    z : array_like, shape (..., C), C >= 1
        Logits; usually ``(N, C)``, one row per example. A row containing ``inf`` or
        ``-inf`` is refused (``inf - inf`` would give NaN); NaN propagates to its row.

    Returns
    -------
    ndarray, shape (..., C)
        Probabilities, each row summing to one.

    Raises
    ------
    ValueError
        `z` is a scalar, has an empty last axis, or contains an infinity.

    Examples
    --------
    >>> softmax([[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]])
    array([[0.09003057, 0.24472847, 0.66524096],
           [0.5       , 0.5       , 0.        ]])
    """
    z = _as_rows(z)
    if np.isinf(z).any():
        row = [int(i) for i in np.argwhere(np.isinf(z))[0][:-1]]
        where = "" if not row else f" in row {row[0] if len(row) == 1 else tuple(row)}"
        raise ValueError(
            f"z contains inf or -inf{where}: softmax needs finite logits (a row with inf "
            "would give inf - inf = NaN); the training diverged (learning rate too large) "
            "or the input contains inf"
        )
    p = z - z.max(axis=-1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=-1, keepdims=True)
    return p


def softmax_grad(z):
    r"""Jacobian of softmax at the logits `z`, one ``(C, C)`` matrix per row.

    .. math::

        J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j),
        \qquad J = \operatorname{diag}(p) - p\,p^\top

    It is symmetric. For backpropagation use `softmax_vjp`, which never forms it.

    Parameters
    ----------
    z : array_like, shape (..., C)
        Logits.

    Returns
    -------
    ndarray, shape (..., C, C)

    Examples
    --------
    >>> softmax_grad([0.0, 0.0])   # p = (1/2, 1/2): 1/2 - 1/4 on the diagonal
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    p = softmax(z)
    jac = -p[..., :, None] * p[..., None, :]
    diag = np.einsum("...ii->...i", jac)  # a writable view of the diagonal
    diag += p
    return jac


def softmax_vjp(dA, A):
    r"""Backpropagate through softmax: :math:`dZ = J^\top dA` without forming `J`.

    With :math:`A = \operatorname{softmax}(Z)` and upstream gradient :math:`dA`, per row:

    .. math::

        dZ_j = \sum_i dA_i\, A_i (\delta_{ij} - A_j)
             = A_j \Bigl(dA_j - \sum_i dA_i A_i\Bigr)

    Parameters
    ----------
    dA : array_like, shape (..., C)
        Upstream gradient :math:`\partial L / \partial A`.
    A : array_like, shape (..., C)
        The softmax output (not the logits).

    Returns
    -------
    dZ : ndarray, shape (..., C)
        Gradient with respect to the logits; each row sums to zero.

    Examples
    --------
    >>> softmax_vjp([[1.0, 0.0]], [[0.5, 0.5]])   # 0.5 * (1 - 0.5), 0.5 * (0 - 0.5)
    array([[ 0.25, -0.25]])
    """
    dA = _as_rows(dA, "dA")
    A = _as_rows(A, "A")
    check_same_shape(dA, A, "dA", "A")
    dZ = dA * A
    inner = dZ.sum(axis=-1, keepdims=True)
    dZ -= A * inner
    return dZ


# ----------------------------------------------------------------------------------------
# Registry
# ----------------------------------------------------------------------------------------

_FUNCTIONS: dict[str, tuple[Callable, Callable | None, dict]] = {
    "identity": (identity, identity_grad, {}),
    "sigmoid": (sigmoid, sigmoid_grad, {}),
    "tanh": (tanh, tanh_grad, {}),
    "relu": (relu, relu_grad, {}),
    "leaky_relu": (leaky_relu, leaky_relu_grad, {"alpha": 0.01}),
    "softplus": (softplus, softplus_grad, {}),
    "elu": (elu, elu_grad, {"alpha": 1.0}),
    "selu": (selu, selu_grad, {}),
    "swish": (swish, swish_grad, {"beta": 1.0}),
    "gelu": (gelu, gelu_grad, {"approximate": False}),
    "softmax": (softmax, None, {}),
}

#: Names accepted by `get_activation`.
ACTIVATIONS: tuple[str, ...] = tuple(_FUNCTIONS)


@dataclass(frozen=True)
class ActivationFunction:
    """An activation function with its derivative and bound hyper-parameters.

    Build one with `get_activation`; layers use it through `forward` and `backward`.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"relu"``.
    forward : callable
        ``z -> a``, parameters already bound.
    grad : callable or None
        ``z -> f'(z)`` elementwise, returning a new array (`backward` scales it in
        place); ``None`` for softmax (it has a Jacobian instead).
    elementwise : bool
        ``False`` only for softmax.
    params : dict
        The bound hyper-parameters, e.g. ``{"beta": 1.0}``.

    Examples
    --------
    >>> act = get_activation("swish", beta=2.0)
    >>> act
    ActivationFunction('swish', beta=2.0)
    >>> act.backward(np.array([1.0]), np.array([0.0]), None)   # dA * f'(0) = 1 * 1/2
    array([0.5])
    """

    name: str
    forward: Callable
    grad: Callable | None
    elementwise: bool = True
    params: dict = field(default_factory=dict)

    def __call__(self, z):
        """Apply the activation: same as ``self.forward(z)``."""
        return self.forward(z)

    def backward(self, dA, z, a=None):
        r"""Gradient with respect to the pre-activation: :math:`dZ = dA \odot f'(Z)`.

        Parameters
        ----------
        dA : ndarray, shape like `z`
            Upstream gradient :math:`\partial L / \partial A`.
        z : ndarray
            Pre-activation that produced `a`.
        a : ndarray or None
            The forward output. Softmax uses it (`softmax_vjp`); if ``None`` it is
            recomputed from `z`. Elementwise activations ignore it.

        Returns
        -------
        dZ : ndarray, same shape as `z`

        Examples
        --------
        >>> get_activation("relu").backward(np.array([5.0, 5.0]), np.array([-1.0, 2.0]))
        array([0., 5.])
        """
        dA = _as_input(dA, "dA")
        z = _as_input(z)
        check_same_shape(dA, z, "dA", "z")
        if not self.elementwise:
            return softmax_vjp(dA, self.forward(z) if a is None else a)
        g = self.grad(z)  # a new array for every registry activation: safe to scale in place
        g *= dA
        return g

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"ActivationFunction({self.name!r}{args})"


def get_activation(name_or_activation, **params) -> ActivationFunction:
    """Look up an activation by name and bind its hyper-parameters.

    Parameters
    ----------
    name_or_activation : str or ActivationFunction
        One of `ACTIVATIONS`. An `ActivationFunction` is returned as is.
    **params
        Hyper-parameters of that activation only: ``alpha`` for ``leaky_relu`` and
        ``elu``, ``beta`` for ``swish``, ``approximate`` for ``gelu``. Missing ones take
        their defaults; anything else is a ``TypeError``.

    Returns
    -------
    ActivationFunction

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones) or a parameter out of range.
    TypeError
        Unknown parameter, or parameters given together with an `ActivationFunction`.

    Examples
    --------
    >>> get_activation("elu").params
    {'alpha': 1.0}
    >>> get_activation("relu", alpha=0.1)
    Traceback (most recent call last):
    ...
    TypeError: activation 'relu' got an unknown parameter 'alpha'; it takes no parameters
    """
    if isinstance(name_or_activation, ActivationFunction):
        if params:
            raise TypeError(
                f"got an ActivationFunction ({name_or_activation!r}) and parameters "
                f"{sorted(params)}; pass either a name with parameters or a ready "
                "ActivationFunction"
            )
        return name_or_activation
    if not isinstance(name_or_activation, str):
        raise TypeError(
            f"activation must be a name, one of {list(ACTIVATIONS)}, or an ActivationFunction, "
            f"got {_describe(name_or_activation)}"
        )
    name = check_choice(name_or_activation, "activation", ACTIVATIONS)
    fwd, grad, defaults = _FUNCTIONS[name]
    unknown = [k for k in params if k not in defaults]
    if unknown:
        valid = (
            "valid parameters are: " + ", ".join(repr(k) for k in defaults)
            if defaults
            else "it takes no parameters"
        )
        raise TypeError(f"activation {name!r} got an unknown parameter {unknown[0]!r}; {valid}")
    bound = {**defaults, **params}
    if "alpha" in bound:
        bound["alpha"] = check_number(bound["alpha"], "alpha", low=0, finite=True)
    if "beta" in bound:
        bound["beta"] = check_number(bound["beta"], "beta", finite=True)
    if "approximate" in bound:
        bound["approximate"] = check_bool(
            bound["approximate"], "approximate", meaning=_APPROXIMATE_MEANING
        )
    if bound:
        fwd = functools.partial(fwd, **bound)
        grad = functools.partial(grad, **bound)
    return ActivationFunction(name, fwd, grad, elementwise=name != "softmax", params=bound)
