r"""Weight initializers: functions that return a ``(fan_in, fan_out)`` weight matrix.

Every initializer has the signature ``f(fan_in, fan_out, rng=None, *, <hyper>, dtype=float64)``
and returns an ndarray of shape ``(fan_in, fan_out)``, the shape of ``W`` in ``Z = X @ W + b``
(batches are rows). ``fan_in`` is the number of inputs of a unit, ``fan_out`` the number of
units. Randomness comes only from `rng` (a Generator, an int seed or None); the draw is
made in float64 and then cast, so ``dtype=np.float32`` gives the same numbers rounded.

Why the scale matters (cs231n, lecture 6, "Training Neural Networks, Part I"): with
``W = randn * 0.01`` the activations of a deep tanh net shrink by about
``0.01 * sqrt(fan_in)`` per layer; with ``randn * 1`` they saturate. The Glorot and He
rules keep the variance of the activations (and of the gradients) roughly constant from
layer to layer:

==================  ==========================  ============================================
name                distribution                standard deviation or bound
==================  ==========================  ============================================
``zeros``           all zero                    (fine for biases, never for weights)
``constant``        all ``value``               --
``normal``          normal                      ``std`` (default 0.01)
``uniform``         uniform                     bound ``bound`` (default 0.05)
``xavier_normal``   normal (Glorot 2010)        :math:`\sqrt{2/(n_{in}+n_{out})}`
``xavier_uniform``  uniform (Glorot 2010)       bound :math:`\sqrt{6/(n_{in}+n_{out})}`
``he_normal``       normal (He 2015, ReLU)      :math:`\sqrt{2/n_{in}}`
``he_uniform``      uniform (He 2015, ReLU)     bound :math:`\sqrt{6/n_{in}}`
``lecun_normal``    normal (LeCun 1998)         :math:`\sqrt{1/n_{in}}`
==================  ==========================  ============================================

``glorot_normal`` and ``glorot_uniform`` are the same functions as ``xavier_normal`` and
``xavier_uniform`` (Keras uses the first name, PyTorch the second).

A uniform distribution on ``[-a, a]`` has variance ``a**2 / 3``, so the uniform bounds
give exactly the variance of the matching normal rule.

A frequent mistake writes He as ``randn / sqrt(2 / fan_in)``; the right form is
``randn * sqrt(2 / fan_in)`` = ``randn / sqrt(fan_in / 2)``.

References
----------
X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
neural networks", AISTATS 2010.
K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers", ICCV 2015.
Y. LeCun, L. Bottou, G. Orr and K.-R. Müller, "Efficient BackProp", 1998.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

import numpy as np

from nnlib._checks import _describe, as_rng, check_choice, check_int, check_number

__all__ = [
    "INITIALIZERS",
    "Initializer",
    "constant",
    "get_initializer",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


# --------------------------------------------------------------------------- helpers


def _check_fans(fan_in, fan_out) -> tuple[int, int]:
    """Validate the two fan sizes: integers >= 1 (bool and float refused)."""
    return check_int(fan_in, "fan_in", low=1), check_int(fan_out, "fan_out", low=1)


def _check_dtype(dtype) -> np.dtype:
    """Accept a floating dtype (float32, float64, ...), refuse anything else."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating numpy dtype, got {_describe(dtype)}") from None
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating dtype such as np.float64, got {dt}")
    return dt


def _normal(fan_in, fan_out, rng, std, dtype) -> np.ndarray:
    """``std * N(0, 1)`` of shape (fan_in, fan_out), drawn in float64, cast to `dtype`."""
    w = as_rng(rng).standard_normal((fan_in, fan_out))
    w *= std
    return w.astype(dtype, copy=False)


def _uniform(fan_in, fan_out, rng, bound, dtype) -> np.ndarray:
    """``U(-bound, bound)`` of shape (fan_in, fan_out), drawn in float64, cast to `dtype`."""
    w = as_rng(rng).uniform(-bound, bound, size=(fan_in, fan_out))
    return w.astype(dtype, copy=False)


# --------------------------------------------------------------------------- initializers


def zeros(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    """All-zero matrix: :math:`W_{ij} = 0`.

    Right for biases, wrong for weights: every unit of a layer then computes the same
    function and receives the same gradient, so the units never become different
    (the *symmetry* problem).

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        Number of inputs and of units; the result has shape ``(fan_in, fan_out)``.
    rng : Generator, int or None
        Ignored (accepted so that every initializer has the same signature).
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> zeros(2, 3)
    array([[0., 0., 0.],
           [0., 0., 0.]])
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return np.zeros((fan_in, fan_out), dtype=_check_dtype(dtype))


def constant(fan_in, fan_out, rng=None, *, value=0.0, dtype=np.float64) -> np.ndarray:
    r"""Matrix filled with one value: :math:`W_{ij} = \mathrm{value}`.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int or None
        Ignored (same signature as the random initializers).
    value : float, default 0.0
        The fill value; must be finite.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> constant(2, 2, value=0.5)
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    value = check_number(value, "value", finite=True)
    return np.full((fan_in, fan_out), value, dtype=_check_dtype(dtype))


def normal(fan_in, fan_out, rng=None, *, std=0.01, dtype=np.float64) -> np.ndarray:
    r"""Zero-mean Gaussian with a fixed standard deviation.

    .. math:: W_{ij} \sim \mathcal N(0, \mathrm{std}^2)

    The default ``std=0.01`` is cs231n's "small random numbers": fine for a shallow net,
    but deep nets' activations collapse towards zero with it.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    std : float > 0, default 0.01
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = normal(400, 500, rng=0, std=0.1)
    >>> W.shape, round(float(W.std()), 2)
    ((400, 500), 0.1)
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = check_number(std, "std", low=0, low_open=True)
    return _normal(fan_in, fan_out, rng, std, _check_dtype(dtype))


def uniform(fan_in, fan_out, rng=None, *, bound=0.05, dtype=np.float64) -> np.ndarray:
    r"""Uniform on a symmetric interval.

    .. math:: W_{ij} \sim U(-\mathrm{bound}, \mathrm{bound}),
              \qquad \mathrm{Var}(W_{ij}) = \mathrm{bound}^2 / 3

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    bound : float > 0, default 0.05
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = uniform(100, 100, rng=0, bound=0.5)
    >>> bool(W.min() >= -0.5 and W.max() <= 0.5)
    True
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    bound = check_number(bound, "bound", low=0, low_open=True)
    return _uniform(fan_in, fan_out, rng, bound, _check_dtype(dtype))


def xavier_normal(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    r"""Glorot/Xavier normal initialization (Glorot & Bengio 2010).

    .. math:: W_{ij} \sim \mathcal N\!\left(0, \frac{2}{n_{in} + n_{out}}\right)

    The compromise between keeping the forward variance (needs ``Var = 1/n_in``) and the
    backward variance (needs ``Var = 1/n_out``); derived for tanh-like activations.
    Also available as ``glorot_normal``.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        :math:`n_{in}` and :math:`n_{out}`; the result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = xavier_normal(300, 500, rng=0)   # std = sqrt(2 / 800) = 0.05
    >>> round(float(W.std()), 3)
    0.05
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return _normal(fan_in, fan_out, rng, std, _check_dtype(dtype))


def xavier_uniform(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    r"""Glorot/Xavier uniform initialization (Glorot & Bengio 2010).

    .. math:: W_{ij} \sim U(-a, a), \qquad a = \sqrt{\frac{6}{n_{in} + n_{out}}}

    Same variance as `xavier_normal`: :math:`a^2/3 = 2/(n_{in}+n_{out})`. Also
    available as ``glorot_uniform`` (the Keras default for Dense layers).

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = xavier_uniform(2, 4, rng=0)   # bound = sqrt(6 / 6) = 1
    >>> bool(abs(W).max() <= 1.0)
    True
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return _uniform(fan_in, fan_out, rng, bound, _check_dtype(dtype))


def he_normal(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    r"""He/Kaiming normal initialization for ReLU nets (He et al. 2015).

    .. math:: W_{ij} \sim \mathcal N\!\left(0, \frac{2}{n_{in}}\right),
              \qquad \text{i.e. } W = \texttt{randn} \cdot \sqrt{2 / n_{in}}

    A ReLU zeroes half of its inputs, halving the second moment; the factor 2 restores
    it, so activations neither explode nor collapse with depth. Note the
    frequent mistake ``randn / sqrt(2 / fan_in)``, which is off by a factor ``fan_in / 2``.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = he_normal(800, 500, rng=0)   # std = sqrt(2 / 800) = 0.05
    >>> round(float(W.std()), 3)
    0.05
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = math.sqrt(2.0 / fan_in)
    return _normal(fan_in, fan_out, rng, std, _check_dtype(dtype))


def he_uniform(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    r"""He/Kaiming uniform initialization (He et al. 2015).

    .. math:: W_{ij} \sim U(-a, a), \qquad a = \sqrt{\frac{6}{n_{in}}}

    Same variance as `he_normal`: :math:`a^2/3 = 2/n_{in}`.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = he_uniform(6, 3, rng=0)   # bound = sqrt(6 / 6) = 1
    >>> bool(abs(W).max() <= 1.0)
    True
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    bound = math.sqrt(6.0 / fan_in)
    return _uniform(fan_in, fan_out, rng, bound, _check_dtype(dtype))


def lecun_normal(fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
    r"""LeCun normal initialization (LeCun et al. 1998; the SELU default).

    .. math:: W_{ij} \sim \mathcal N\!\left(0, \frac{1}{n_{in}}\right)

    This is cs231n's "Xavier" ``randn / sqrt(fan_in)``: it keeps the variance of
    ``X @ W`` equal to that of ``X`` for unit-variance inputs.

    Parameters
    ----------
    fan_in, fan_out : int >= 1
        The result has shape ``(fan_in, fan_out)``.
    rng : Generator, int seed or None
        Source of randomness.
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray, shape (fan_in, fan_out)

    Examples
    --------
    >>> W = lecun_normal(400, 500, rng=0)   # std = sqrt(1 / 400) = 0.05
    >>> round(float(W.std()), 3)
    0.05
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = math.sqrt(1.0 / fan_in)
    return _normal(fan_in, fan_out, rng, std, _check_dtype(dtype))


glorot_normal = xavier_normal
glorot_uniform = xavier_uniform


# --------------------------------------------------------------------------- registry

_REGISTRY: dict[str, Callable[..., np.ndarray]] = {
    "zeros": zeros,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "lecun_normal": lecun_normal,
}

#: Names accepted by `get_initializer` (``glorot_*`` are aliases of ``xavier_*``).
INITIALIZERS: tuple[str, ...] = tuple(_REGISTRY)


class Initializer:
    """An initializer with its hyper-parameters bound: ``init(fan_in, fan_out, rng)``.

    Returned by `get_initializer`; calling it calls the underlying function.

    Parameters
    ----------
    name : str
        Registry name (or the function's ``__name__`` for a user callable).
    func : callable
        ``func(fan_in, fan_out, rng, **hyper) -> ndarray``.
    hyper : dict
        Keyword arguments bound to `func`, e.g. ``{"std": 0.1}``.

    Examples
    --------
    >>> init = get_initializer("normal", std=0.1)
    >>> init
    Initializer('normal', std=0.1)
    >>> init(2, 3, rng=0).shape
    (2, 3)
    """

    def __init__(self, name: str, func: Callable[..., np.ndarray], hyper: dict):
        self.name = name
        self.func = func
        self.hyper = dict(hyper)

    def __call__(self, fan_in, fan_out, rng=None) -> np.ndarray:
        """Return ``func(fan_in, fan_out, rng, **hyper)``."""
        return self.func(fan_in, fan_out, rng, **self.hyper)

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.hyper.items())
        return f"Initializer({self.name!r}{args})"


def get_initializer(name_or_callable, **hyper) -> Initializer:
    """Look up an initializer by name and bind its hyper-parameters.

    Parameters
    ----------
    name_or_callable : str or callable
        One of `INITIALIZERS`, an `Initializer` (returned as is when no `hyper` is
        given), or a function ``f(fan_in, fan_out, rng, **hyper) -> ndarray``.
    **hyper
        Hyper-parameters of that initializer (``value`` for ``constant``, ``std`` for
        ``normal``, ``bound`` for ``uniform``, ``dtype`` for all built-ins). Unknown
        names raise a ``TypeError`` listing the valid ones; values are checked now,
        not at the first call.

    Returns
    -------
    Initializer
        Callable as ``init(fan_in, fan_out, rng=None) -> ndarray (fan_in, fan_out)``.

    Examples
    --------
    >>> get_initializer("glorot_uniform")(3, 2, rng=0).shape
    (3, 2)
    >>> get_initializer("normal", sd=0.1)
    Traceback (most recent call last):
    ...
    TypeError: normal got an unexpected hyper-parameter 'sd'; valid: 'std', 'dtype'
    >>> get_initializer("he")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown init 'he'; valid names are: 'zeros', 'constant', ...
    """
    if isinstance(name_or_callable, Initializer):
        if not hyper:
            return name_or_callable
        return Initializer(
            name_or_callable.name, name_or_callable.func, {**name_or_callable.hyper, **hyper}
        )
    if isinstance(name_or_callable, str):
        name = check_choice(name_or_callable, "init", INITIALIZERS)
        func = _REGISTRY[name]
        sig = inspect.signature(func)
        valid = [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]
        for key in hyper:
            if key not in valid:
                names = ", ".join(repr(v) for v in valid)
                raise TypeError(f"{name} got an unexpected hyper-parameter {key!r}; valid: {names}")
        func(1, 1, np.random.default_rng(0), **hyper)  # validate the values now
        return Initializer(name, func, hyper)
    if callable(name_or_callable):
        name = getattr(name_or_callable, "__name__", type(name_or_callable).__name__)
        return Initializer(name, name_or_callable, hyper)
    raise TypeError(
        "init must be an initializer name (one of "
        f"{', '.join(INITIALIZERS)}) or a callable, got {_describe(name_or_callable)}"
    )
