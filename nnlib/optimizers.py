r"""Gradient-descent update rules: pure functions, and optimizers that keep their state.

Two layers:

- **Pure rules** ``rule(w, dw, state, **hyper) -> new_w`` (cs231n style), written line
  for line as the algorithm box in their docstring. `w` is not modified; `state` is a
  dict the rule reads and writes, empty before the first call (``{"m": ..., "v": ...,
  "t": 1}`` for Adam after it); each call stores new arrays in it. Use one state dict
  per parameter. Read them to learn a rule; use them to check a student's rule.
- **Optimizer classes** (:class:`SGD`, :class:`Momentum`, :class:`EMAMomentum`,
  :class:`Nesterov`, :class:`AdaGrad`, :class:`RMSProp`, :class:`Adam`, :class:`AdamW`)
  update the arrays of ``params`` **in place** in ``step(params, grads)``, keeping the
  state of each parameter under its name: ``opt.state["W1"]``. ``lr`` is a plain, mutable
  (validated) attribute: a schedule sets it every epoch (or every step). ``fit`` steps a
  whole `MLP` at once with ``step_flat`` (one call per step on its ``flat_params``); the
  state is then kept as vectors laid out the same way, and ``opt.state["W1"]["m"]`` is a
  view into them (see :class:`Optimizer`).
- :func:`ema` is the exponential moving average of a whole sequence, the building block
  of momentum, RMSProp and Adam, on its own (vectorized over time).

The classes run private in-place kernels, the training hot path: they write into a
scratch buffer with ``out=`` and allocate nothing per step (except ``g + weight_decay *
w`` when weight decay is on); Adam's works through large arrays in cache-sized blocks,
with epsilon rescaled to save a pass. They compute the rules' formulas in another order
of floating-point operations: a test ties every class to its pure rule at a relative
tolerance of 1e-14 over several steps.

The pure rules refuse a `w` or `dw` holding NaN or infinity (``ValueError`` naming the
argument). The classes' ``step``, the hot path, does not scan for them: ``fit`` checks
the loss every epoch instead.

Conventions (PyTorch's ``torch.optim``, which follows the papers):

- ``g`` is the gradient of the loss at the current ``w``; with ``weight_decay > 0`` it is
  replaced by ``g + weight_decay * w`` (L2 penalty added to the gradient, as in
  ``torch.optim``; for Adam this is *not* AdamW's decoupled decay, which :func:`adamw`
  and :class:`AdamW` apply to ``w`` directly).
- epsilon is added *outside* the square root; Adam's step counter ``t`` is incremented
  *before* it is used, so the first step has ``t = 1``.
- float32 parameters stay float32: state buffers take the parameter's dtype.

Each rule's docstring is an algorithm box (inputs, initial state, the loop) with notes
where other texts write the same method differently.

Examples
--------
>>> import numpy as np
>>> params = {"w": np.array([1.0, -2.0])}
>>> opt = Adam(lr=0.1)
>>> opt.step(params, {"w": np.array([0.5, -0.5])})   # Adam's first step is lr * sign(g)
>>> params["w"]
array([ 0.9, -1.9])
>>> opt
Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-08, amsgrad=False, weight_decay=0.0,
     bias_correction=True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import ClassVar

import numpy as np

from nnlib._checks import (
    as_array,
    check_bool,
    check_choice,
    check_number,
    check_same_shape,
)

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "EMAMomentum",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSProp",
    "StateView",
    "adagrad",
    "adam",
    "adamw",
    "ema",
    "ema_momentum",
    "get_optimizer",
    "momentum",
    "nesterov",
    "rmsprop",
    "sgd",
]


# --------------------------------------------------------------------------------------
# Hyper-parameter validation (eager: at construction, at every pure-rule call, and when
# an attribute such as ``opt.lr`` is assigned)
# --------------------------------------------------------------------------------------


def _positive(value, name: str) -> float:
    """lr, eps: finite and > 0."""
    return check_number(value, name, low=0, low_open=True, finite=True)


def _unit(value, name: str) -> float:
    """mu, beta, beta1, beta2, alpha: in [0, 1)."""
    return check_number(value, name, low=0, high=1, high_open=True)


def _nonnegative(value, name: str) -> float:
    """weight_decay: finite and >= 0."""
    return check_number(value, name, low=0, finite=True)


# --------------------------------------------------------------------------------------
# Array checks and helpers
# --------------------------------------------------------------------------------------


def _check_state(state, shape: tuple, where: str) -> None:
    """Refuse a state dict whose buffers belong to a parameter of another shape."""
    if not isinstance(state, dict):
        raise TypeError(
            f"{where} must be a dict (use {{}} on the first call), got {type(state).__name__}"
        )
    for key, buf in state.items():
        if isinstance(buf, np.ndarray) and buf.shape != shape:
            raise ValueError(
                f"{where}[{key!r}] has shape {buf.shape} but the parameter has shape {shape}; "
                "keep one state dict per parameter (or reset the optimizer)"
            )


def _inputs(w, dw, state) -> tuple[np.ndarray, np.ndarray]:
    """Return a pure rule's `w` and `dw` as arrays of one float dtype, checked with `state`."""
    # Pure rules are called directly on small arrays (notebooks, exercises): a NaN there is
    # a bug worth naming. The classes' step skips this pass (see `Optimizer`).
    w = as_array(w, "w", dtype=None, finite=True)
    dw = as_array(dw, "dw", dtype=w.dtype, finite=True)
    check_same_shape(w, dw, "w", "dw")
    _check_state(state, w.shape, "state")
    return w, dw


def _buffer(state: dict, key: str, w: np.ndarray) -> np.ndarray:
    """``state[key]``, created as zeros like `w` on first use."""
    buf = state.get(key)
    if buf is None:
        buf = state[key] = np.zeros_like(w)
    return buf


def _with_decay(w: np.ndarray, dw: np.ndarray, weight_decay: float) -> np.ndarray:
    """``dw + weight_decay * w`` (a new array), or `dw` itself when the decay is 0."""
    return dw if weight_decay == 0 else dw + weight_decay * w


# --------------------------------------------------------------------------------------
# In-place kernels, the classes' hot path: the pure rules' formulas rearranged to make
# few passes over memory and allocate nothing. ``w`` is updated in place, ``g`` is only
# read, ``tmp`` is a scratch array shaped like ``w``. Hyper-parameters are already valid.
# Every kernel is elementwise: stepping a concatenation of arrays equals stepping each.
# --------------------------------------------------------------------------------------


def _sgd_kernel(w, g, state, tmp, lr):
    np.multiply(g, lr, out=tmp)  # tmp = lr g
    w -= tmp


def _momentum_kernel(w, g, state, tmp, lr, mu):
    v = _buffer(state, "v", w)
    v *= mu
    v += g  # v = mu v + g
    np.multiply(v, lr, out=tmp)
    w -= tmp  # w = w - lr v


def _ema_momentum_kernel(w, g, state, tmp, lr, beta, bias_correction):
    v = _buffer(state, "v", w)
    state["t"] = t = state.get("t", 0) + 1
    v *= beta
    np.multiply(g, 1.0 - beta, out=tmp)
    v += tmp  # v = beta v + (1 - beta) g
    scale = lr / (1.0 - beta**t) if bias_correction else lr
    np.multiply(v, scale, out=tmp)
    w -= tmp  # w = w - lr v_hat


def _nesterov_kernel(w, g, state, tmp, lr, mu):
    v = _buffer(state, "v", w)
    v *= mu
    v += g  # v = mu v + g
    np.multiply(v, mu, out=tmp)
    tmp += g  # g + mu v
    tmp *= lr
    w -= tmp  # w = w - lr (g + mu v)


def _adagrad_kernel(w, g, state, tmp, lr, eps):
    s = _buffer(state, "s", w)
    np.multiply(g, g, out=tmp)
    s += tmp  # s = s + g^2
    np.sqrt(s, out=tmp)
    tmp += eps  # sqrt(s) + eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    w -= tmp  # w = w - lr g / (sqrt(s) + eps)


def _rmsprop_kernel(w, g, state, tmp, lr, alpha, eps):
    s = _buffer(state, "s", w)
    s *= alpha
    np.multiply(g, g, out=tmp)
    tmp *= 1.0 - alpha
    s += tmp  # s = alpha s + (1 - alpha) g^2
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    w -= tmp  # w = w - lr g / (sqrt(s) + eps)


#: Elements per block in `_blocks`: the five float64 arrays of one block (~1.3 MB) stay in
#: the L2 cache while the kernel makes its dozen passes over them.
_BLOCK = 32768


def _blocks(*arrays):
    """Yield matching flat views of consecutive blocks of equally shaped arrays.

    A memory-bound kernel that makes many passes over large arrays runs faster block by
    block, the block staying in cache. Arrays that are not all C-contiguous (a view of a
    transposed matrix, say) are yielded whole, since flattening them would copy.
    """
    n = arrays[0].size
    if n <= _BLOCK or not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, n, _BLOCK):
        yield [f[start : start + _BLOCK] for f in flat]


def _adam_kernel(w, g, state, tmp, lr, beta1, beta2, eps, amsgrad, bias_correction=True):
    m = _buffer(state, "m", w)
    v = _buffer(state, "v", w)
    v_max = _buffer(state, "v_max", w) if amsgrad else v
    state["t"] = t = state.get("t", 0) + 1  # incremented before use: first step t = 1
    bias_correction1 = 1.0 - beta1**t if bias_correction else 1.0
    sqrt_bc2 = math.sqrt(1.0 - beta2**t) if bias_correction else 1.0
    # torch.optim.Adam: w -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps). Multiplying the
    # fraction through by sqrt(bc2) gives the same update in fewer passes over memory:
    # w -= (lr sqrt(bc2) / bc1) m / (sqrt(v) + eps sqrt(bc2)).
    step_size = lr * sqrt_bc2 / bias_correction1
    eps_hat = eps * sqrt_bc2
    g_sq_scale = (1.0 - beta2) / (1.0 - beta1)
    arrays = (w, g, m, v, v_max, tmp) if amsgrad else (w, g, m, v, tmp)
    for block in _blocks(*arrays):
        if amsgrad:
            w_, g_, m_, v_, vmax_, tmp_ = block
        else:
            w_, g_, m_, v_, tmp_ = block
            vmax_ = v_
        m_ *= beta1
        np.multiply(g_, 1.0 - beta1, out=tmp_)
        m_ += tmp_  # m = beta1 m + (1 - beta1) g
        tmp_ *= g_
        tmp_ *= g_sq_scale  # (1 - beta2) g^2
        v_ *= beta2
        v_ += tmp_  # v = beta2 v + (1 - beta2) g^2
        if amsgrad:
            np.maximum(vmax_, v_, out=vmax_)  # v_max = max(v_max, v)
        np.sqrt(vmax_, out=tmp_)
        tmp_ += eps_hat
        np.divide(m_, tmp_, out=tmp_)
        tmp_ *= step_size
        w_ -= tmp_  # w = w - lr m_hat / (sqrt(v_hat) + eps)


# --------------------------------------------------------------------------------------
# The exponential moving average over a whole sequence (the building block of momentum,
# RMSProp and Adam, shown on its own)
# --------------------------------------------------------------------------------------


def ema(x, beta, bias_correction=False):
    r"""Exponential moving average of a sequence, along axis 0 (time), vectorized.

    Algorithm (the loop it computes, with 1-based time)::

        input: x_1 ... x_T (rows of x), beta in [0, 1), bias_correction
        initialize: v_0 = 0
        for t = 1 ... T:
            v_t <- beta * v_{t-1} + (1 - beta) * x_t
            out_t <- v_t / (1 - beta**t)  if bias_correction  else v_t

    .. math:: v_t = \beta v_{t-1} + (1 - \beta)\, x_t
              = (1 - \beta) \sum_{s=1}^{t} \beta^{t-s} x_s, \qquad
              \hat v_t = \frac{v_t}{1 - \beta^t}

    The weights :math:`(1 - \beta)\beta^{t-s}` decay by :math:`e^{-1}` over about
    :math:`1 / (1 - \beta)` steps (``beta = 0.9``: ~10 steps, as :math:`0.9^{10} = 0.349
    \approx 1/e`), the *window* of the average. They sum to :math:`1 - \beta^t`, not 1:
    starting from :math:`v_0 = 0` biases the early :math:`v_t` towards 0, and dividing by
    :math:`1 - \beta^t` (the bias correction) makes them a weighted mean again.

    Parameters
    ----------
    x : array_like, shape (T,) or (T, d1, d2, ...)
        The sequence, one row per time step, ``T >= 1``; each column averaged on its own.
    beta : float
        Decay in [0, 1). ``beta = 0`` returns `x` itself.
    bias_correction : bool, default False
        Return :math:`\hat v_t = v_t / (1 - \beta^t)` instead of :math:`v_t`.

    Returns
    -------
    ndarray, same shape as `x`
        Row ``t - 1`` holds :math:`v_t` (or :math:`\hat v_t`); :math:`v_0 = 0` is not
        included. float32 input gives float32 (computed in float64), anything else float64.

    Raises
    ------
    TypeError
        `x` is not numeric, `beta` not a real number, or `bias_correction` not a bool.
    ValueError
        `x` is 0-D or has no rows (``T = 0``) or holds NaN or infinity; `beta` is outside
        [0, 1).

    Notes
    -----
    **No loop over time.** :math:`v` is the linear recurrence
    :math:`v_t = \beta v_{t-1} + b_t` with :math:`b_t = (1 - \beta) x_t`, solved by a
    prefix scan: after the passes with offsets :math:`d = 1, 2, 4, \dots`, each adding
    :math:`\beta^d v_{t-d}` to :math:`v_t`, every :math:`v_t` holds
    :math:`\sum_s \beta^{t-s} b_s`. That is :math:`\lceil \log_2 T \rceil` vectorized passes
    (14 for T = 10,000). Every weight :math:`\beta^d` is at most 1, so nothing overflows,
    and a weight that underflows to 0 (``beta = 0``, or :math:`\beta^d` below 5e-324) ends
    the passes early. The shortcut :math:`\beta^t \sum_s \beta^{-s} b_s` (one ``cumsum``)
    overflows: :math:`0.9^{-s}` passes the float64 limit at :math:`s \approx 6700`.

    **Conventions differ.** This is the lecture's (Ng) and Adam's: :math:`v_0 = 0`, time
    from 1, correction :math:`1 - \beta^t`. d2l's "leaky average"
    :math:`v_t = \beta v_{t-1} + x_t` has no :math:`1 - \beta` (it is
    :math:`1 / (1 - \beta)` times larger: :func:`momentum`'s velocity). pandas'
    ``Series.ewm(alpha=1 - beta, adjust=False)`` starts from :math:`v_1 = x_1` instead
    (no bias, nothing to correct), and ``adjust=True`` (its default) equals the
    *corrected* average here. Some texts write :math:`\alpha = 1 - \beta` for the weight of
    the new value, or use :math:`\beta` for it.

    References
    ----------
    A. Ng, "Exponentially weighted averages" and "Bias correction in exponentially weighted
    averages", deeplearning.ai, Improving Deep Neural Networks, week 2. D. P. Kingma and
    J. Ba, ICLR 2015, sec. 3.

    Examples
    --------
    A constant 10, ``beta = 0.98``: the raw average starts near 0, the corrected one is 10.

    >>> ema(np.full(3, 10.0), 0.98)
    array([0.2    , 0.396  , 0.58808])
    >>> ema(np.full(3, 10.0), 0.98, bias_correction=True)
    array([10., 10., 10.])
    """
    beta = _unit(beta, "beta")
    bias_correction = check_bool(bias_correction, "bias_correction")
    arr = as_array(x, "x", dtype=None, finite=True)
    if arr.ndim == 0 or arr.shape[0] == 0:
        raise ValueError(
            "x must have a time axis with at least one step, shape (T,) or (T, d...) with "
            f"T >= 1, got shape {arr.shape}"
        )
    v = (1.0 - beta) * arr.astype(np.float64)  # b_t = (1 - beta) x_t, a new array
    T, d = v.shape[0], 1
    while d < T:
        weight = beta**d
        if weight == 0.0:  # beta = 0, or beta**d underflowed: nothing left to add
            break
        v[d:] += weight * v[:-d]  # the product is a new array: reads v before this pass
        d *= 2
    if bias_correction:
        t = np.arange(1, T + 1, dtype=np.float64).reshape((T,) + (1,) * (v.ndim - 1))
        v /= 1.0 - beta**t
    return v.astype(arr.dtype, copy=False)


# --------------------------------------------------------------------------------------
# Pure rules: each body is its algorithm box, line for line
# --------------------------------------------------------------------------------------


def sgd(w, dw, state=None, lr=0.01, weight_decay=0.0):
    r"""Plain (stochastic) gradient descent: :math:`w \leftarrow w - \mathrm{lr}\, g`.

    Algorithm (``torch.optim.SGD`` with ``momentum=0``)::

        input: lr, weight_decay, w, g = dL/dw at w
        (no state)
        g <- g + weight_decay * w                (if weight_decay > 0)
        w <- w - lr * g

    .. math:: w_t = w_{t-1} - \mathrm{lr}\,(g_t + \lambda w_{t-1})

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict or None, default None
        Unused (plain SGD has no state); accepted so every rule has the same signature.
    lr : float, default 0.01
        Learning rate, > 0.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda \ge 0` added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w` (float32 stays float32)
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    References
    ----------
    H. Robbins and S. Monro, "A stochastic approximation method", Ann. Math. Stat. 1951.

    Examples
    --------
    >>> sgd(np.array([1.0, 2.0]), np.array([0.5, -1.0]), lr=0.1)  # 1 - 0.05, 2 + 0.1
    array([0.95, 2.1 ])
    """
    lr = _positive(lr, "lr")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, {} if state is None else state)

    if weight_decay > 0:
        g = g + weight_decay * w
    return w - lr * g


def momentum(w, dw, state, lr=0.01, mu=0.9, *, weight_decay=0.0):
    r"""Gradient descent with (heavy-ball) momentum, PyTorch's form.

    Algorithm (``torch.optim.SGD`` with ``momentum=mu``, ``dampening=0``,
    ``nesterov=False``)::

        input: lr, mu, weight_decay, w, g = dL/dw at w
        initialize: v = 0                        (kept in state["v"])
        g <- g + weight_decay * w                (if weight_decay > 0)
        v <- mu * v + g
        w <- w - lr * v

    .. math:: v_t = \mu v_{t-1} + g_t, \qquad w_t = w_{t-1} - \mathrm{lr}\, v_t

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call; the rule stores the velocity
        ``state["v"]``, shaped like `w`, in it.
    lr : float, default 0.01
        Learning rate, > 0.
    mu : float, default 0.9
        Momentum coefficient in [0, 1). ``mu = 0`` is plain SGD.
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    cs231n and Sutskever et al. (2013) write the velocity with the learning rate inside:
    :math:`v \leftarrow \mu v - \mathrm{lr}\, g,\; w \leftarrow w + v`. With a constant
    learning rate the two give the same iterates (their :math:`v` is :math:`-\mathrm{lr}`
    times ours). They differ when ``lr`` changes (a schedule): here a new ``lr`` scales the
    whole velocity at once; there the old velocity keeps the old ``lr``.

    With constant gradient :math:`g` the velocity tends to :math:`g / (1 - \mu)`: the
    effective step is :math:`\mathrm{lr} / (1 - \mu)` (10x for ``mu = 0.9``). The lecture's
    EMA form is :func:`ema_momentum`.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
    USSR Comput. Math. Math. Phys. 1964. I. Sutskever, J. Martens, G. Dahl and G. Hinton,
    "On the importance of initialization and momentum in deep learning", ICML 2013.

    Examples
    --------
    >>> state = {}
    >>> w = momentum(np.array([1.0]), np.array([1.0]), state, lr=0.1)  # v = 1, w = 1 - 0.1
    >>> w = momentum(w, np.array([1.0]), state, lr=0.1)   # v = 0.9 + 1 = 1.9, w = 0.9 - 0.19
    >>> w, state["v"]
    (array([0.71]), array([1.9]))
    """
    lr, mu = _positive(lr, "lr"), _unit(mu, "mu")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, state)

    v = state.get("v", 0.0)
    if weight_decay > 0:
        g = g + weight_decay * w
    v = mu * v + g
    state["v"] = v
    return w - lr * v


def ema_momentum(w, dw, state, lr=0.01, beta=0.9, bias_correction=False, *, weight_decay=0.0):
    r"""Momentum as an exponential moving average of the gradients (the lecture's form).

    Algorithm::

        input: lr, beta, bias_correction, weight_decay, w, g = dL/dw at w
        initialize: v = 0, t = 0                 (kept in state["v"], state["t"])
        t <- t + 1
        g <- g + weight_decay * w                (if weight_decay > 0)
        v <- beta * v + (1 - beta) * g
        v_hat <- v / (1 - beta**t)  if bias_correction  else v
        w <- w - lr * v_hat

    .. math:: v_t = \beta v_{t-1} + (1 - \beta) g_t, \qquad
              w_t = w_{t-1} - \mathrm{lr}\, \frac{v_t}{1 - \beta^t}\ \text{(corrected)}

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call: ``"v"`` (shaped like `w`) and
        the step count ``"t"``.
    lr : float, default 0.01
        Learning rate, > 0.
    beta : float, default 0.9
        Averaging coefficient in [0, 1); the EMA averages over about ``1 / (1 - beta)``
        steps.
    bias_correction : bool, default False
        Divide by :math:`1 - \beta^t`, which removes the bias towards the zero start.
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    The EMA velocity is :math:`(1 - \beta)` times the classic one (:func:`momentum` with
    ``mu = beta``), so without bias correction this rule **equals classic momentum with the
    learning rate** :math:`\mathrm{lr}\,(1 - \beta)`: the same method, a rescaled ``lr``.
    ``torch.optim.SGD(momentum=beta, dampening=beta)`` is close but not equal: PyTorch
    sets the velocity to the raw gradient on the first step (no dampening), then applies
    :math:`(1 - \beta)` from the second step on.

    References
    ----------
    A. Ng, "Gradient descent with momentum", deeplearning.ai, Improving Deep Neural
    Networks, week 2. A. Zhang et al., *Dive into Deep Learning*, sec. 12.6 (leaky averages).

    Examples
    --------
    >>> state = {}
    >>> ema_momentum(np.array([1.0]), np.array([2.0]), state, lr=0.1)  # v = 0.1*2, w = 1 - 0.02
    array([0.98])
    >>> ema_momentum(np.array([1.0]), np.array([2.0]), {}, lr=0.1, bias_correction=True)
    array([0.8])
    """
    lr, beta = _positive(lr, "lr"), _unit(beta, "beta")
    bias_correction = check_bool(bias_correction, "bias_correction")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, state)

    v, t = state.get("v", 0.0), state.get("t", 0)
    t = t + 1
    if weight_decay > 0:
        g = g + weight_decay * w
    v = beta * v + (1 - beta) * g
    v_hat = v / (1 - beta**t) if bias_correction else v
    state["v"], state["t"] = v, t
    return w - lr * v_hat


def nesterov(w, dw, state, lr=0.01, mu=0.9, *, weight_decay=0.0):
    r"""Nesterov accelerated gradient, PyTorch's form (no extra gradient evaluation).

    Algorithm (``torch.optim.SGD`` with ``momentum=mu``, ``nesterov=True``,
    ``dampening=0``)::

        input: lr, mu, weight_decay, w, g = dL/dw at w
        initialize: v = 0                        (kept in state["v"])
        g <- g + weight_decay * w                (if weight_decay > 0)
        v <- mu * v + g
        w <- w - lr * (g + mu * v)

    .. math:: v_t = \mu v_{t-1} + g_t, \qquad w_t = w_{t-1} - \mathrm{lr}\,(g_t + \mu v_t)

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call; ``"v"`` is shaped like `w`.
    lr : float, default 0.01
        Learning rate, > 0.
    mu : float, default 0.9
        Momentum coefficient in [0, 1).
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    The lecture's *look-ahead* form evaluates the gradient at the point momentum is about
    to carry us to: :math:`v \leftarrow \mu v - \mathrm{lr}\,\nabla L(w + \mu v),\;
    w \leftarrow w + v` (Sutskever et al. 2013). Storing the look-ahead point
    :math:`\tilde w = w + \mu v` instead of :math:`w` turns it into the form above, in
    which the gradient is taken at the stored parameter (Bengio et al. 2013), so a training
    loop needs no second forward pass. Compared with :func:`momentum`, the step uses
    :math:`g + \mu v` instead of :math:`v`: the fresh gradient counts twice.

    References
    ----------
    Y. Nesterov, "A method of solving a convex programming problem with convergence rate
    O(1/k^2)", Soviet Math. Dokl. 1983. I. Sutskever et al., ICML 2013 (see `momentum`).
    Y. Bengio, N. Boulanger-Lewandowski and R. Pascanu, "Advances in optimizing recurrent
    networks", ICASSP 2013.

    Examples
    --------
    >>> state = {}
    >>> nesterov(np.array([1.0]), np.array([1.0]), state, lr=0.1)  # v = 1, w = 1 - 0.1*(1 + 0.9)
    array([0.81])
    """
    lr, mu = _positive(lr, "lr"), _unit(mu, "mu")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, state)

    v = state.get("v", 0.0)
    if weight_decay > 0:
        g = g + weight_decay * w
    v = mu * v + g
    state["v"] = v
    return w - lr * (g + mu * v)


def adagrad(w, dw, state, lr=0.01, eps=1e-10, *, weight_decay=0.0):
    r"""AdaGrad: a per-coordinate step size that shrinks with the sum of squared gradients.

    Algorithm (``torch.optim.Adagrad`` with ``lr_decay=0``,
    ``initial_accumulator_value=0``)::

        input: lr, eps, weight_decay, w, g = dL/dw at w
        initialize: s = 0                        (kept in state["s"])
        g <- g + weight_decay * w                (if weight_decay > 0)
        s <- s + g**2
        w <- w - lr * g / (sqrt(s) + eps)

    .. math:: s_t = s_{t-1} + g_t^2, \qquad w_t = w_{t-1} - \mathrm{lr}\,
              \frac{g_t}{\sqrt{s_t} + \epsilon}

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call; ``"s"`` is shaped like `w`.
    lr : float, default 0.01
        Learning rate, > 0.
    eps : float, default 1e-10
        Added to the denominator (outside the square root), > 0.
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    The first step is :math:`\mathrm{lr}\,\mathrm{sign}(g)` for every coordinate; later
    steps shrink like :math:`1/\sqrt{t}` and never recover, which is why AdaGrad can stop
    too early on deep nets. Other conventions: Keras ``Adagrad`` uses ``epsilon=1e-7``
    and starts the accumulator at 0.1; d2l uses ``eps = 1e-6`` *inside* the square root,
    :math:`g / \sqrt{s + \epsilon}`; Goodfellow et al. (alg. 8.4) use
    :math:`\delta = 10^{-7}` outside.

    References
    ----------
    J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online learning
    and stochastic optimization", JMLR 12, 2011.

    Examples
    --------
    >>> state = {}
    >>> w = adagrad(np.array([1.0, 1.0]), np.array([3.0, -0.5]), state, lr=0.1)
    >>> w                          # first step: lr * sign(g)
    array([0.9, 1.1])
    >>> state["s"]
    array([9.  , 0.25])
    """
    lr, eps = _positive(lr, "lr"), _positive(eps, "eps")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, state)

    s = state.get("s", 0.0)
    if weight_decay > 0:
        g = g + weight_decay * w
    s = s + g**2
    state["s"] = s
    return w - lr * g / (np.sqrt(s) + eps)


def rmsprop(w, dw, state, lr=0.01, alpha=0.99, eps=1e-8, *, weight_decay=0.0):
    r"""RMSProp: divide the gradient by a running RMS of recent gradients.

    Algorithm (``torch.optim.RMSprop`` with ``momentum=0``, ``centered=False``)::

        input: lr, alpha, eps, weight_decay, w, g = dL/dw at w
        initialize: s = 0                        (kept in state["s"])
        g <- g + weight_decay * w                (if weight_decay > 0)
        s <- alpha * s + (1 - alpha) * g**2
        w <- w - lr * g / (sqrt(s) + eps)

    .. math:: s_t = \alpha s_{t-1} + (1 - \alpha) g_t^2, \qquad
              w_t = w_{t-1} - \mathrm{lr}\,\frac{g_t}{\sqrt{s_t} + \epsilon}

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call; ``"s"`` is shaped like `w`.
    lr : float, default 0.01
        Learning rate, > 0.
    alpha : float, default 0.99
        Decay of the squared-gradient average, in [0, 1).
    eps : float, default 1e-8
        Added to the denominator (outside the square root), > 0.
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    Hinton's lecture (6e) states the rule as
    :math:`\mathrm{MeanSquare} = 0.9\,\mathrm{MeanSquare} + 0.1\,g^2`, i.e. ``alpha=0.9``
    (Keras's default too, ``rho=0.9``, with ``epsilon=1e-7``); PyTorch's default is 0.99.
    d2l uses :math:`\gamma = 0.9` and ``eps = 1e-6`` inside the square root. There is no
    bias correction: since :math:`s` starts at 0, the first step is
    :math:`\mathrm{lr}\,\mathrm{sign}(g) / \sqrt{1 - \alpha}` (10x ``lr`` for
    ``alpha = 0.99``).

    References
    ----------
    T. Tieleman and G. Hinton, Lecture 6.5, "rmsprop: Divide the gradient by a running
    average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012.

    Examples
    --------
    >>> state = {}
    >>> w = rmsprop(np.array([1.0]), np.array([2.0]), state, lr=0.01)
    >>> state["s"]                 # 0.01 * 2**2
    array([0.04])
    >>> w                          # 1 - 0.01 * 2 / 0.2: ten times lr on the first step
    array([0.9])
    """
    lr, alpha, eps = _positive(lr, "lr"), _unit(alpha, "alpha"), _positive(eps, "eps")
    weight_decay = _nonnegative(weight_decay, "weight_decay")
    w, g = _inputs(w, dw, state)

    s = state.get("s", 0.0)
    if weight_decay > 0:
        g = g + weight_decay * w
    s = alpha * s + (1 - alpha) * g**2
    state["s"] = s
    return w - lr * g / (np.sqrt(s) + eps)


def _adam_hyper(lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction) -> tuple:
    """Adam's and AdamW's hyper-parameters, validated, in the order given."""
    return (
        _positive(lr, "lr"),
        _unit(beta1, "beta1"),
        _unit(beta2, "beta2"),
        _positive(eps, "eps"),
        check_bool(amsgrad, "amsgrad"),
        _nonnegative(weight_decay, "weight_decay"),
        check_bool(bias_correction, "bias_correction"),
    )


def _adam_moments(g, state, beta1, beta2, amsgrad, bias_correction):
    """Run the middle lines of Adam's box: update ``state`` from `g`; return m_hat, v_hat."""
    m, v, t = state.get("m", 0.0), state.get("v", 0.0), state.get("t", 0)
    t = t + 1  # before use: the first step has t = 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    v_hat = v
    if amsgrad:
        v_hat = state["v_max"] = np.maximum(state.get("v_max", 0.0), v)
    m_hat = m
    if bias_correction:
        m_hat, v_hat = m / (1 - beta1**t), v_hat / (1 - beta2**t)
    state["m"], state["v"], state["t"] = m, v, t
    return m_hat, v_hat


def adam(
    w,
    dw,
    state,
    lr=1e-3,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    amsgrad=False,
    *,
    weight_decay=0.0,
    bias_correction=True,
):
    r"""Adam: momentum on the gradient, RMSProp on its square, both bias-corrected.

    Algorithm (``torch.optim.Adam``; Kingma & Ba, alg. 1)::

        input: lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction, w, g at w
        initialize: m = 0, v = 0, t = 0, v_max = 0    (kept in state["m"], ...)
        t <- t + 1                                    (before use: the first step has t = 1)
        g <- g + weight_decay * w                     (if weight_decay > 0)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        v_max <- max(v_max, v)                        (if amsgrad)
        m_hat <- m / (1 - beta1**t)                   (m if not bias_correction)
        v_hat <- v / (1 - beta2**t)                   (v_max if amsgrad; v if not corrected)
        w <- w - lr * m_hat / (sqrt(v_hat) + eps)

    .. math:: w_t = w_{t-1} - \mathrm{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},
              \quad \hat m_t = \frac{m_t}{1 - \beta_1^t},\;
              \hat v_t = \frac{v_t}{1 - \beta_2^t}

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w`.
    state : dict
        This parameter's state, ``{}`` on the first call: ``"m"``, ``"v"`` (and
        ``"v_max"``), shaped like `w`, and the step count ``"t"``.
    lr : float, default 1e-3
        Learning rate, > 0.
    beta1, beta2 : float, default 0.9, 0.999
        Decay rates of the first and second moment averages, in [0, 1).
    eps : float, default 1e-8
        Added to the denominator outside the square root, > 0.
    amsgrad : bool, default False
        Use the running maximum of `v` (Reddi et al. 2018), as PyTorch does: the maximum is
        taken over the *uncorrected* `v` and then divided by :math:`1 - \beta_2^t`.
    weight_decay : float, default 0.0
        L2 coefficient added to the gradient (coupled, as ``torch.optim.Adam``; AdamW's
        decoupled decay is :func:`adamw`).
    bias_correction : bool, default True
        Divide `m` and `v` by :math:`1 - \beta^t` (the paper); ``False``: the raw averages.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    The first step is :math:`\mathrm{lr}\,\mathrm{sign}(g)` (up to `eps`), and with a
    constant gradient *every* step is exactly ``lr``. With ``bias_correction=False`` the
    first steps are :math:`(1 - \beta_1^t) / \sqrt{1 - \beta_2^t}` = 3.16, 4.25, 4.95
    times larger (`v` starts further below its target than `m`); MLX's
    ``optimizers.Adam`` defaults to ``bias_correction=False``. Keras
    uses ``epsilon=1e-7`` and applies the correction to the step size,
    :math:`\mathrm{lr}_t = \mathrm{lr}\sqrt{1 - \beta_2^t}/(1 - \beta_1^t)`, with
    :math:`\hat\epsilon` added to the uncorrected :math:`\sqrt{v_t}` (the paper's
    "epsilon hat" form, sec. 2); d2l uses ``eps = 1e-6``.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
    S. J. Reddi, S. Kale and S. Kumar, "On the convergence of Adam and beyond", ICLR 2018.

    Examples
    --------
    >>> state = {}
    >>> adam(np.array([1.0, 1.0]), np.array([5.0, -0.5]), state, lr=0.1)  # lr * sign(g)
    array([0.9, 1.1])
    >>> state["t"], state["m"], state["v"]       # m = 0.1 g, v = 0.001 g**2
    (1, array([ 0.5 , -0.05]), array([0.025  , 0.00025]))
    """
    hyper = _adam_hyper(lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction)
    lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction = hyper
    w, g = _inputs(w, dw, state)

    if weight_decay > 0:
        g = g + weight_decay * w
    m_hat, v_hat = _adam_moments(g, state, beta1, beta2, amsgrad, bias_correction)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


def adamw(
    w,
    dw,
    state,
    lr=1e-3,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    amsgrad=False,
    *,
    weight_decay=0.01,
    bias_correction=True,
):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's form.

    Algorithm (``torch.optim.AdamW``)::

        input: lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction, w, g at w
        initialize: m = 0, v = 0, t = 0, v_max = 0    (kept in state, as in `adam`)
        t <- t + 1
        m <- beta1 * m + (1 - beta1) * g              (g itself: no weight_decay * w in it)
        v <- beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat <- as in `adam`
        w <- w - lr * (m_hat / (sqrt(v_hat) + eps) + weight_decay * w)

    .. math:: w_t = w_{t-1} - \mathrm{lr}\left(\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
              + \lambda\, w_{t-1}\right)

    PyTorch writes the same update in two steps, :math:`w \leftarrow w\,(1 -
    \mathrm{lr}\,\lambda)` and then Adam's step; as Adam's step does not depend on `w`,
    the result is the same.

    Parameters
    ----------
    w : array_like, any shape
        Current parameter (not modified).
    dw : array_like, same shape as `w`
        Gradient of the loss at `w` (without any penalty term).
    state : dict
        This parameter's state, ``{}`` on the first call (the same keys as `adam`'s).
    lr, beta1, beta2, eps, amsgrad, bias_correction
        As in :func:`adam` (defaults 1e-3, 0.9, 0.999, 1e-8, False, True).
    weight_decay : float, default 0.01
        Decoupled decay :math:`\lambda \ge 0`: each step shrinks `w` by the factor
        :math:`1 - \mathrm{lr}\,\lambda`, outside the moment averages. 0.01 is
        ``torch.optim.AdamW``'s default. ``weight_decay=0`` is :func:`adam`.

    Returns
    -------
    ndarray, same shape and dtype as `w`
        The updated parameter, a new array.

    Raises
    ------
    ValueError
        `w` or `dw` contains NaN or infinity (the error names which), their shapes
        differ, or a hyper-parameter is out of range.

    Notes
    -----
    **Why "decoupled".** :func:`adam` with ``weight_decay`` adds :math:`\lambda w` to the
    gradient (an L2 penalty :math:`\tfrac{\lambda}{2}\|w\|^2`), so the decay term
    then passes through the division by :math:`\sqrt{\hat v}`: weights with large
    gradients are hardly decayed. For plain SGD the two are the same; for Adam they
    differ, and AdamW keeps the decay at :math:`\mathrm{lr}\,\lambda\, w` for every weight.

    **Where conventions differ.** The paper (alg. 2) writes
    :math:`w \leftarrow w - \eta_t(\alpha\,\hat m / (\sqrt{\hat v} + \epsilon) +
    \lambda w)` with a schedule multiplier :math:`\eta_t`: its decay is not multiplied by
    the learning rate :math:`\alpha`, so its :math:`\lambda` is :math:`\alpha` times
    PyTorch's. PyTorch, Keras, optax and MLX multiply the decay by the learning rate, as
    here.

    References
    ----------
    I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.

    Examples
    --------
    >>> adamw(np.array([2.0]), np.array([0.5]), {}, lr=0.1, weight_decay=0.5)
    array([1.8])

    Adam's first step 0.1, plus the decay 0.1 * 0.5 * 2 = 0.1; Adam with the same
    coefficient as L2 steps 0.1 only (its first step is lr * sign(g) whatever g is):

    >>> adam(np.array([2.0]), np.array([0.5]), {}, lr=0.1, weight_decay=0.5)
    array([1.9])
    """
    hyper = _adam_hyper(lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction)
    lr, beta1, beta2, eps, amsgrad, weight_decay, bias_correction = hyper
    w, g = _inputs(w, dw, state)

    m_hat, v_hat = _adam_moments(g, state, beta1, beta2, amsgrad, bias_correction)
    return w - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w)


# --------------------------------------------------------------------------------------
# State kept flat, read by name
# --------------------------------------------------------------------------------------


class _FlatState:
    """An optimizer's state for one flat parameter vector, and how to name its pieces."""

    __slots__ = ("_pieces", "grads", "params", "state", "tmp", "unflatten")

    def __init__(self, params, grads, unflatten, state):
        self.params, self.grads, self.unflatten = params, grads, unflatten
        self.state: dict = state  # what the kernel keeps: vectors like params, and scalars
        self.tmp = np.empty_like(params)
        self._pieces: dict = {}

    def pieces(self, key: str) -> Mapping:
        """``unflatten(state[key])``: name -> view; made once per state vector."""
        buf = self.state[key]
        cached = self._pieces.get(key)
        if cached is None or cached[0] is not buf:
            cached = self._pieces[key] = (buf, self.unflatten(buf))
        return cached[1]


class StateView(Mapping):
    """One parameter's optimizer state when the optimizer steps a flat vector.

    ``opt.state["W1"]`` after `Optimizer.step_flat` (as ``fit`` calls it). It reads like
    the dict `Optimizer.step` keeps (``view["m"]``, ``view["t"]``, ``list(view)``,
    ``dict(view)``) but holds nothing itself: an array entry is the parameter's piece of
    the optimizer's state vector, a numpy view shaped like the parameter (the same memory
    at every later step, so it always shows the current value); a scalar entry, such as
    Adam's step count ``t``, is the one shared by every parameter. Read-only: to change
    an array, write into it in place (``view["m"][...] = 0``).

    Examples
    --------
    >>> opt = Adam(lr=0.1)
    >>> flat, parts = np.zeros(3), lambda vector: {"a": vector[:1], "b": vector[1:]}
    >>> opt.step_flat(flat, np.array([1.0, -1.0, 2.0]), parts)
    >>> opt.state["b"]
    StateView({'m': array([-0.1,  0.2]), 'v': array([0.001, 0.004]), 't': 1})
    >>> bool(np.shares_memory(opt.state["b"]["m"], opt.flat_state["m"]))
    True
    """

    __slots__ = ("_flat", "_name")

    def __init__(self, flat: _FlatState, name: str):
        self._flat, self._name = flat, name

    def __getitem__(self, key: str):
        value = self._flat.state[key]
        if isinstance(value, np.ndarray):
            return self._flat.pieces(key)[self._name]
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._flat.state)

    def __len__(self) -> int:
        return len(self._flat.state)

    def __repr__(self) -> str:
        return f"StateView({dict(self)!r})"


def _check_flat(flat_params, flat_grads, unflatten) -> Mapping:
    """Validate the arguments of `Optimizer.step_flat`; return the named pieces."""
    if (
        not isinstance(flat_params, np.ndarray)
        or flat_params.dtype.kind != "f"
        or flat_params.ndim != 1
    ):
        what = (
            f"shape {flat_params.shape}, dtype {flat_params.dtype}"
            if isinstance(flat_params, np.ndarray)
            else type(flat_params).__name__
        )
        raise TypeError(f"flat_params must be a 1-D float ndarray (updated in place), got {what}")
    check_same_shape(flat_params, flat_grads, "flat_params", "flat_grads")
    if not callable(unflatten):
        raise TypeError(
            f"unflatten must be a callable vector -> {{name: view}} such as model.unflatten, "
            f"got {type(unflatten).__name__}"
        )
    pieces = unflatten(flat_params)
    sizes = [np.size(p) for p in pieces.values()] if isinstance(pieces, Mapping) else None
    if sizes is None or sum(sizes) != flat_params.size:
        raise ValueError(
            f"unflatten(flat_params) must map each parameter name to its piece of "
            f"flat_params, together covering its {flat_params.size} entries; got "
            f"{'sizes ' + str(sizes) if sizes is not None else type(pieces).__name__}"
        )
    return pieces


def _gather(by_name: dict, pieces: Mapping, flat_params, unflatten) -> dict:
    """Per-parameter state dicts (kept by `Optimizer.step`) as vectors like `flat_params`."""
    if not by_name:
        return {}
    advice = "call optimizer.reset() or create a new optimizer"
    if set(by_name) != set(pieces) or len({frozenset(s) for s in by_name.values()}) != 1:
        raise ValueError(
            f"this optimizer holds state for {sorted(by_name)}, which cannot be laid out "
            f"like flat_params (parameters {list(pieces)}); {advice}"
        )
    flat = {}
    for key, first in next(iter(by_name.values())).items():
        if isinstance(first, np.ndarray):
            flat[key] = np.zeros_like(flat_params)
            for name, piece in unflatten(flat[key]).items():
                piece[...] = by_name[name][key]
        else:
            values = {state[key] for state in by_name.values()}
            if len(values) != 1:
                raise ValueError(
                    f"the parameters' states disagree on {key!r} ({sorted(values)}), so "
                    f"they cannot share one flat state; {advice}"
                )
            flat[key] = first
    return flat


# --------------------------------------------------------------------------------------
# Optimizer classes
# --------------------------------------------------------------------------------------


class Optimizer:
    """Base class: in-place ``step``, state readable by parameter name.

    A subclass names its hyper-parameters and their validators in ``_checks`` (the
    order is the order of ``__repr__``) and implements ``_update(w, g, state, tmp)``, a
    call to its in-place kernel. Assigning a hyper-parameter, e.g. ``opt.lr = 0.1`` from a
    schedule, validates it.

    **State by parameter name.** ``opt.state["W1"]`` holds what the rule keeps for
    ``W1``, e.g. Adam's ``{"m": ..., "v": ..., "t": 3}``, arrays shaped like ``W1``,
    created on ``W1``'s first step. It is laid out in one of two ways:

    - `step` ``(params, grads)``, dicts of named arrays: one plain dict per name.
    - `step_flat` ``(flat_params, flat_grads, unflatten)``, for a model whose parameters
      are all views into one vector (an `MLP`'s ``flat_params``; ``fit`` steps it so):
      the rules are elementwise, so one kernel call on the whole vector gives the same
      numbers as a call per parameter, in far fewer passes. Each state array is then one
      vector laid out like ``flat_params``, in `flat_state`, and ``opt.state["W1"]`` is a
      read-only `StateView` whose arrays are views into those vectors, cut by
      ``unflatten`` (``model.unflatten``): ``np.shares_memory(opt.state["W1"]["m"],
      opt.flat_state["m"])``, with ``W1``'s shape, the same memory at every later step.
      Scalars (Adam's ``t``) are shared by all parameters.

    Switching between the two keeps the state: `step` after `step_flat` continues from
    the same values (each name gets a plain dict holding the views), and `step_flat` after
    `step` gathers the per-name arrays into vectors.

    **State carries over between** ``fit`` **calls.** ``state`` (velocities, moment
    averages, step counts) lives as long as the optimizer: a second ``fit`` with the same
    optimizer continues where the first stopped (Adam's ``t`` keeps counting, momentum
    keeps its velocity), which is right for resuming the *same* model. For a new model,
    or to start afresh, call ``optimizer.reset()`` or create a new optimizer. State whose
    shape does not match the parameter is refused with that advice; a new model with
    the same shapes cannot be told apart and would silently inherit the old state.

    **No finiteness check in** ``step``. ``step`` is the training hot path: it checks
    keys, shapes and dtypes, but does not scan the arrays for NaN or infinity (a NaN
    gradient makes NaN parameters). ``fit`` checks the loss every epoch and stops with a
    clear error instead. The pure rules (:func:`sgd`, :func:`adam`, ...) do check.

    Attributes
    ----------
    lr : float
        Learning rate, mutable.
    state : dict[str, dict or StateView]
        Each parameter's state under its name, created on the parameter's first step.
    flat_state : mapping, read-only
        After `step_flat`: the state vectors (and scalars) themselves; else empty.
    rule : callable
        The pure update rule this class applies (e.g. ``Adam.rule is adam``).
    name : str
        The registry name (see `OPTIMIZERS`).
    """

    name: str = ""
    rule: Callable
    #: Each entry of a parameter is updated from the same entry of its gradient and state
    #: only, so stepping a concatenation of tensors equals stepping each one (`step_flat`
    #: relies on this, and ``fit`` checks it before calling `step_flat`).
    elementwise: bool = True
    #: ``weight_decay`` is an L2 term added to the gradient before ``_update`` (False:
    #: the subclass applies it itself, decoupled, as `AdamW`).
    _decay_in_gradient: bool = True
    _checks: ClassVar[dict[str, Callable]] = {}

    def __init__(self):
        self.state: dict[str, dict | StateView] = {}
        self._scratch: dict[str, np.ndarray] = {}
        self._flat: _FlatState | None = None

    def __setattr__(self, attr, value):
        check = self._checks.get(attr)
        if check is not None:
            value = check(value, attr)
        object.__setattr__(self, attr, value)

    def _update(self, w, g, state, tmp):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @property
    def flat_state(self) -> Mapping:
        """The state vectors kept by `step_flat`, e.g. ``{"m": (n,), "v": (n,), "t": 3}``.

        Read-only; empty until `step_flat` is called, and again after `step` or `reset`.
        ``opt.state[name]`` shows the same arrays cut into named pieces.
        """
        return MappingProxyType(self._flat.state if self._flat is not None else {})

    def _pairs(self, params, grads):
        """Validate params and grads together, before anything is updated."""
        for arg, d in (("params", params), ("grads", grads)):
            if not isinstance(d, Mapping):
                raise TypeError(
                    f"{arg} must be a dict of arrays keyed by parameter name, "
                    f"got {type(d).__name__}"
                )
        no_grad = [k for k in params if k not in grads]
        no_param = [k for k in grads if k not in params]
        if no_grad or no_param:
            parts = []
            if no_grad:
                parts.append(f"no gradient for {no_grad}")
            if no_param:
                parts.append(f"gradients without a parameter: {no_param}")
            raise ValueError("params and grads must have the same keys; " + "; ".join(parts))
        pairs = []
        for key, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                what = f"dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(
                    f"params[{key!r}] must be a float ndarray (it is updated in place), got {what}"
                )
            g = as_array(grads[key], f"grads[{key!r}]", dtype=None)
            check_same_shape(p, g, f"params[{key!r}]", f"grads[{key!r}]")
            if key in self.state:
                self._check_own_state(key, p.shape)
            pairs.append((key, p, g))
        return pairs

    def _check_own_state(self, key, shape: tuple) -> None:
        """Refuse state left by a parameter of another shape (the optimizer was reused)."""
        for buf in self.state[key].values():
            if isinstance(buf, np.ndarray) and buf.shape != shape:
                raise ValueError(
                    f"this optimizer holds state for a parameter of shape {buf.shape} under "
                    f"key {key!r} but got shape {shape}: it was used with another model; "
                    "call optimizer.reset() or create a new optimizer"
                )

    def step(self, params, grads) -> None:
        """Update every ``params[name]`` in place from ``grads[name]``.

        The arrays are not scanned for NaN or infinity (the hot path; ``fit`` checks the
        loss). State from earlier calls, even earlier ``fit`` calls, is used: call
        `reset` before stepping a new model.

        Parameters
        ----------
        params : dict[str, ndarray]
            Float arrays, modified in place (same objects afterwards).
        grads : dict[str, array_like]
            Same keys, each shaped like its parameter.

        Raises
        ------
        ValueError
            Keys or shapes differ, or the state under a key belongs to a parameter of
            another shape (the optimizer was used with another model); nothing is
            updated then.
        TypeError
            A parameter is not a float ndarray.
        """
        pairs = self._pairs(params, grads)
        if self._flat is not None:  # after step_flat: a plain dict per name, same arrays
            self._flat = None
            self.state.update({name: dict(view) for name, view in self.state.items()})
        weight_decay = self.weight_decay if self._decay_in_gradient else 0.0
        for key, p, g in pairs:
            state = self.state.get(key)
            if state is None:
                state = self.state[key] = {}
            tmp = self._scratch.get(key)
            if tmp is None or tmp.shape != p.shape or tmp.dtype != p.dtype:
                tmp = self._scratch[key] = np.empty_like(p)
            self._update(p, _with_decay(p, g, weight_decay), state, tmp)

    def step_flat(self, flat_params, flat_grads, unflatten) -> None:
        """Update a whole model kept in one vector, in one kernel call per step.

        The same update as `step` on each named parameter (bit for bit), faster: the
        state is kept as vectors laid out like `flat_params` (`flat_state`), and
        ``state[name]`` is a `StateView` into them (see the class notes). ``fit`` calls
        this for a model that has ``flat_params``. Checks run when an argument is new, not
        at every step; pass the same `unflatten` (``==``) each time.

        Parameters
        ----------
        flat_params : ndarray, shape (n,), float
            All parameters, modified in place (an `MLP`'s ``flat_params``).
        flat_grads : array_like, shape (n,)
            All gradients, laid out like `flat_params` (``model.flat_grads``).
        unflatten : callable
            ``unflatten(vector)`` -> mapping name -> that parameter's view of a vector
            laid out like `flat_params` (``model.unflatten``).

        Raises
        ------
        TypeError
            `flat_params` is not a 1-D float ndarray, or `unflatten` is not callable.
        ValueError
            Shapes differ, `unflatten`'s pieces do not cover `flat_params`, or the state
            belongs to another model (call `reset`); nothing is updated then.

        Examples
        --------
        >>> opt, flat = Momentum(lr=0.1), np.zeros(3)
        >>> parts = lambda vector: {"W": vector[:2].reshape(2, 1), "b": vector[2:]}
        >>> opt.step_flat(flat, np.array([1.0, 2.0, 3.0]), parts)
        >>> flat, opt.state["W"]["v"], opt.flat_state["v"]
        (array([-0.1, -0.2, -0.3]), array([[1.],
               [2.]]), array([1., 2., 3.]))
        """
        flat = self._flat
        if (
            flat is None
            or flat_params is not flat.params
            or flat_grads is not flat.grads
            or unflatten != flat.unflatten
        ):
            flat = self._bind_flat(flat_params, flat_grads, unflatten)
        weight_decay = self.weight_decay if self._decay_in_gradient else 0.0
        g = _with_decay(flat_params, flat.grads, weight_decay)
        self._update(flat_params, g, flat.state, flat.tmp)

    def _bind_flat(self, flat_params, flat_grads, unflatten) -> _FlatState:
        """Check new arguments of `step_flat`; lay the state out like `flat_params`."""
        flat_grads = as_array(flat_grads, "flat_grads", dtype=None)
        old = self._flat
        if old is not None and flat_params is old.params and unflatten == old.unflatten:
            check_same_shape(flat_params, flat_grads, "flat_params", "flat_grads")
            old.grads = flat_grads  # only the gradient vector is new
            return old
        if not self.elementwise:
            raise TypeError(f"{type(self).__name__} is not elementwise: use step(params, grads)")
        pieces = _check_flat(flat_params, flat_grads, unflatten)
        if old is not None:  # another vector (a re-packed or another model): same state
            state = old.state
            for buf in state.values():
                if isinstance(buf, np.ndarray) and buf.shape != flat_params.shape:
                    raise ValueError(
                        f"this optimizer holds flat state of shape {buf.shape} but got "
                        f"flat_params of shape {flat_params.shape}: it was used with another "
                        "model; call optimizer.reset() or create a new optimizer"
                    )
        else:
            for name, piece in pieces.items():
                if name in self.state:
                    self._check_own_state(name, np.shape(piece))
            state = _gather(self.state, pieces, flat_params, unflatten)
        flat = self._flat = _FlatState(flat_params, flat_grads, unflatten, state)
        self.state.clear()
        self.state.update({name: StateView(flat, name) for name in pieces})
        return flat

    def reset(self) -> None:
        """Forget all state (velocities, moments, step counts); hyper-parameters stay."""
        self.state.clear()
        self._scratch.clear()
        self._flat = None

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._checks)
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Plain gradient descent with optional weight decay.

    .. math:: w \leftarrow w - \mathrm{lr}\,(g + \lambda w)

    See the algorithm box in :func:`sgd`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable: a schedule sets ``opt.lr`` every epoch.
    weight_decay : float, default 0.0
        L2 coefficient :math:`\lambda` in [0, inf), added to the gradient.

    Notes
    -----
    ``torch.optim.SGD`` defaults to ``lr=1e-3``; Keras ``SGD`` to ``learning_rate=0.01``,
    as here.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> SGD(lr=0.1).step(params, {"w": np.array([0.5, -1.0])})
    >>> params["w"]
    array([0.95, 2.1 ])
    """

    name = "sgd"
    rule = staticmethod(sgd)
    _checks: ClassVar[dict[str, Callable]] = {"lr": _positive, "weight_decay": _nonnegative}

    def __init__(self, lr=0.01, weight_decay=0.0):
        super().__init__()
        self.lr = lr
        self.weight_decay = weight_decay

    def _update(self, w, g, state, tmp):
        _sgd_kernel(w, g, state, tmp, self.lr)


class Momentum(Optimizer):
    r"""Classic (heavy-ball) momentum, PyTorch's form.

    .. math:: v \leftarrow \mu v + g, \qquad w \leftarrow w - \mathrm{lr}\, v

    See the algorithm box in :func:`momentum`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable.
    mu : float, default 0.9
        Momentum coefficient, in [0, 1); ``mu = 0`` is plain SGD.
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.

    Notes
    -----
    ``torch.optim.SGD(lr, momentum=mu)``, whose ``momentum`` defaults to 0 (no momentum)
    and ``lr`` to 1e-3. Keras ``SGD(momentum=mu)`` and cs231n keep ``lr`` inside the
    velocity, :math:`v \leftarrow \mu v - \mathrm{lr}\, g`: the same iterates for a constant
    ``lr``, different ones under a schedule.

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> opt = Momentum(lr=0.1, mu=0.9)
    >>> for _ in range(2):
    ...     opt.step(params, {"w": np.array([1.0])})
    >>> params["w"], opt.state["w"]["v"]             # 1 - 0.1 - 0.19, v = 1.9
    (array([0.71]), array([1.9]))
    """

    name = "momentum"
    rule = staticmethod(momentum)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "mu": _unit,
        "weight_decay": _nonnegative,
    }

    def __init__(self, lr=0.01, mu=0.9, *, weight_decay=0.0):
        super().__init__()
        self.lr, self.mu, self.weight_decay = lr, mu, weight_decay

    def _update(self, w, g, state, tmp):
        _momentum_kernel(w, g, state, tmp, self.lr, self.mu)


class EMAMomentum(Optimizer):
    r"""Momentum as an exponential moving average of the gradients (the lecture's form).

    .. math:: v \leftarrow \beta v + (1 - \beta) g, \qquad
              w \leftarrow w - \mathrm{lr}\, \hat v, \quad
              \hat v = v / (1 - \beta^t) \text{ with bias correction, else } v

    See the algorithm box in :func:`ema_momentum`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable.
    beta : float, default 0.9
        Averaging coefficient, in [0, 1).
    bias_correction : bool, default False
        Divide `v` by :math:`1 - \beta^t` before the step.
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.

    Notes
    -----
    No library optimizer uses this form by default: ``torch.optim.SGD`` and Keras use the
    classic velocity of :class:`Momentum`. Without bias correction this class equals
    ``Momentum(lr=lr * (1 - beta), mu=beta)``, so with the same ``lr`` its steps are
    ``1 - beta`` (0.1x) as large.

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> EMAMomentum(lr=0.1, beta=0.9).step(params, {"w": np.array([2.0])})
    >>> params["w"]                                  # 1 - 0.1 * (0.1 * 2)
    array([0.98])
    """

    name = "ema_momentum"
    rule = staticmethod(ema_momentum)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "beta": _unit,
        "bias_correction": check_bool,
        "weight_decay": _nonnegative,
    }

    def __init__(self, lr=0.01, beta=0.9, bias_correction=False, *, weight_decay=0.0):
        super().__init__()
        self.lr, self.beta, self.bias_correction = lr, beta, bias_correction
        self.weight_decay = weight_decay

    def _update(self, w, g, state, tmp):
        _ema_momentum_kernel(w, g, state, tmp, self.lr, self.beta, self.bias_correction)


class Nesterov(Optimizer):
    r"""Nesterov momentum, PyTorch's form (the gradient at the stored parameter).

    .. math:: v \leftarrow \mu v + g, \qquad w \leftarrow w - \mathrm{lr}\,(g + \mu v)

    See the algorithm box in :func:`nesterov`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable.
    mu : float, default 0.9
        Momentum coefficient, in [0, 1).
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.

    Notes
    -----
    ``torch.optim.SGD(lr, momentum=mu, nesterov=True)``, whose ``momentum`` defaults to 0.
    Keras ``SGD(nesterov=True)`` keeps ``lr`` inside the velocity; the lecture's
    look-ahead form is the same method after a change of variable (see :func:`nesterov`).

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> Nesterov(lr=0.1, mu=0.9).step(params, {"w": np.array([1.0])})
    >>> params["w"]                                  # 1 - 0.1 * (1 + 0.9 * 1)
    array([0.81])
    """

    name = "nesterov"
    rule = staticmethod(nesterov)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "mu": _unit,
        "weight_decay": _nonnegative,
    }

    def __init__(self, lr=0.01, mu=0.9, *, weight_decay=0.0):
        super().__init__()
        self.lr, self.mu, self.weight_decay = lr, mu, weight_decay

    def _update(self, w, g, state, tmp):
        _nesterov_kernel(w, g, state, tmp, self.lr, self.mu)


class AdaGrad(Optimizer):
    r"""AdaGrad: per-coordinate steps shrinking with the sum of squared gradients.

    .. math:: s \leftarrow s + g^2, \qquad
              w \leftarrow w - \mathrm{lr}\, \frac{g}{\sqrt{s} + \epsilon}

    See the algorithm box in :func:`adagrad`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable.
    eps : float, default 1e-10
        Added to :math:`\sqrt{s}` (outside the square root), in (0, inf).
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.

    Notes
    -----
    Defaults as ``torch.optim.Adagrad`` (no ``lr_decay``, accumulator starting at 0).
    Keras ``Adagrad`` differs: ``learning_rate=0.001``, ``epsilon=1e-7`` and an
    accumulator starting at 0.1.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> AdaGrad(lr=0.1).step(params, {"w": np.array([3.0, -0.5])})
    >>> params["w"]                                  # lr * sign(g) on the first step
    array([0.9, 1.1])
    """

    name = "adagrad"
    rule = staticmethod(adagrad)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "eps": _positive,
        "weight_decay": _nonnegative,
    }

    def __init__(self, lr=0.01, eps=1e-10, *, weight_decay=0.0):
        super().__init__()
        self.lr, self.eps, self.weight_decay = lr, eps, weight_decay

    def _update(self, w, g, state, tmp):
        _adagrad_kernel(w, g, state, tmp, self.lr, self.eps)


class RMSProp(Optimizer):
    r"""RMSProp: divide the gradient by a running RMS of recent gradients.

    .. math:: s \leftarrow \alpha s + (1 - \alpha) g^2, \qquad
              w \leftarrow w - \mathrm{lr}\, \frac{g}{\sqrt{s} + \epsilon}

    See the algorithm box in :func:`rmsprop`.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate, in (0, inf). Mutable.
    alpha : float, default 0.99
        Decay of the squared-gradient average, in [0, 1).
    eps : float, default 1e-8
        Added to :math:`\sqrt{s}` (outside the square root), in (0, inf).
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.

    Notes
    -----
    Defaults as ``torch.optim.RMSprop`` (no momentum, not centered). Keras ``RMSprop``
    and Hinton's lecture use ``alpha`` (``rho``) = 0.9, Keras with
    ``learning_rate=0.001`` and ``epsilon=1e-7``. No bias correction: the first step is
    :math:`\mathrm{lr} / \sqrt{1 - \alpha}`, 10x ``lr`` with the default ``alpha``.

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> RMSProp(lr=0.01).step(params, {"w": np.array([2.0])})
    >>> params["w"]                                  # 1 - 0.01 * 2 / sqrt(0.01 * 4)
    array([0.9])
    """

    name = "rmsprop"
    rule = staticmethod(rmsprop)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "alpha": _unit,
        "eps": _positive,
        "weight_decay": _nonnegative,
    }

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, *, weight_decay=0.0):
        super().__init__()
        self.lr, self.alpha, self.eps, self.weight_decay = lr, alpha, eps, weight_decay

    def _update(self, w, g, state, tmp):
        _rmsprop_kernel(w, g, state, tmp, self.lr, self.alpha, self.eps)


class Adam(Optimizer):
    r"""Adam (optionally AMSGrad), PyTorch's implementation.

    .. math:: m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
              v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
              w \leftarrow w - \mathrm{lr}\,
              \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    See the algorithm box in :func:`adam`.

    Parameters
    ----------
    lr : float, default 1e-3
        Learning rate, in (0, inf). Mutable.
    beta1 : float, default 0.9
        Decay of the gradient average `m`, in [0, 1).
    beta2 : float, default 0.999
        Decay of the squared-gradient average `v`, in [0, 1).
    eps : float, default 1e-8
        Added to :math:`\sqrt{\hat v}` (outside the square root), in (0, inf).
    amsgrad : bool, default False
        Use the running maximum of `v` (AMSGrad) in the denominator.
    weight_decay : float, default 0.0, keyword-only
        L2 coefficient in [0, inf), added to the gradient.
    bias_correction : bool, default True, keyword-only
        Divide `m` and `v` by :math:`1 - \beta^t`. ``False`` (MLX's default) makes the
        first steps 3.16, 4.25, 4.95 times larger (see :func:`adam`).

    Notes
    -----
    Defaults as ``torch.optim.Adam`` (``betas=(beta1, beta2)`` there). Keras ``Adam``
    uses ``epsilon=1e-7``, in the paper's "epsilon hat" form, and applies the correction
    to the step size. ``weight_decay`` here is the coupled L2 of ``torch.optim.Adam``,
    not the decoupled decay of :class:`AdamW`.

    ``step`` multiplies the box's last line through by :math:`\sqrt{1 - \beta_2^t}`,
    which saves two passes over memory:
    :math:`w \leftarrow w - \frac{\mathrm{lr}\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\,
    \frac{m}{\sqrt{v} + \epsilon\sqrt{1 - \beta_2^t}}`. In exact arithmetic this is the
    same update (unlike Keras's, whose :math:`\hat\epsilon` is a fixed constant); in
    floating point it agrees with :func:`adam` to about 1e-16 per step.

    Examples
    --------
    >>> params = {"W1": np.ones((2, 2), dtype=np.float32)}
    >>> opt = Adam(lr=0.01)
    >>> opt.step(params, {"W1": np.array([[1.0, -1.0], [2.0, 0.5]])})
    >>> params["W1"]                                 # float32 kept; lr * sign(g)
    array([[0.99, 1.01],
           [0.99, 0.99]], dtype=float32)
    >>> opt.state["W1"]["t"]
    1
    """

    name = "adam"
    rule = staticmethod(adam)
    _checks: ClassVar[dict[str, Callable]] = {
        "lr": _positive,
        "beta1": _unit,
        "beta2": _unit,
        "eps": _positive,
        "amsgrad": check_bool,
        "weight_decay": _nonnegative,
        "bias_correction": check_bool,
    }

    def __init__(
        self,
        lr=1e-3,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        amsgrad=False,
        *,
        weight_decay=0.0,
        bias_correction=True,
    ):
        super().__init__()
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.amsgrad, self.weight_decay = amsgrad, weight_decay
        self.bias_correction = bias_correction

    def _update(self, w, g, state, tmp):
        _adam_kernel(
            w,
            g,
            state,
            tmp,
            self.lr,
            self.beta1,
            self.beta2,
            self.eps,
            self.amsgrad,
            self.bias_correction,
        )


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, PyTorch's implementation.

    .. math:: w \leftarrow w - \mathrm{lr}\left(\frac{\hat m}{\sqrt{\hat v} + \epsilon}
              + \lambda w\right)

    See the algorithm box and the notes in :func:`adamw`. ``step`` first shrinks `w` by
    :math:`1 - \mathrm{lr}\,\lambda` in place, then takes Adam's step from the raw
    gradient, as ``torch.optim.AdamW`` does.

    Parameters
    ----------
    lr, beta1, beta2, eps, amsgrad, bias_correction
        As in :class:`Adam`.
    weight_decay : float, default 0.01, keyword-only
        Decoupled decay :math:`\lambda` in [0, inf) (``torch.optim.AdamW``'s default);
        never added to the gradient. 0 gives :class:`Adam`.

    Examples
    --------
    >>> params = {"w": np.array([2.0, -2.0])}
    >>> AdamW(lr=0.1, weight_decay=0.5).step(params, {"w": np.array([0.5, 0.5])})
    >>> params["w"]        # 2 * (1 - 0.05) - 0.1 and -2 * (1 - 0.05) - 0.1
    array([ 1.8, -2. ])
    """

    name = "adamw"
    rule = staticmethod(adamw)
    _decay_in_gradient = False

    def __init__(
        self,
        lr=1e-3,
        beta1=0.9,
        beta2=0.999,
        eps=1e-8,
        amsgrad=False,
        *,
        weight_decay=0.01,
        bias_correction=True,
    ):
        super().__init__(
            lr,
            beta1,
            beta2,
            eps,
            amsgrad,
            weight_decay=weight_decay,
            bias_correction=bias_correction,
        )

    def _update(self, w, g, state, tmp):
        if self.weight_decay > 0:
            w *= 1.0 - self.lr * self.weight_decay  # decoupled: outside the moments
        super()._update(w, g, state, tmp)


# --------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------

_CLASSES: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, EMAMomentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW)
}
OPTIMIZERS: tuple[str, ...] = tuple(_CLASSES)


def get_optimizer(name_or_optimizer, **hyper) -> Optimizer:
    """Build an optimizer from its name, or return an `Optimizer` instance as is.

    Parameters
    ----------
    name_or_optimizer : str or Optimizer
        One of `OPTIMIZERS`: ``'sgd', 'momentum', 'ema_momentum', 'nesterov', 'adagrad',
        'rmsprop', 'adam', 'adamw'``.
    **hyper
        The class's hyper-parameters, e.g. ``lr=0.1``. An unknown one raises a
        ``TypeError`` listing the valid ones.

    Returns
    -------
    Optimizer

    Examples
    --------
    >>> get_optimizer("nesterov", lr=0.1)
    Nesterov(lr=0.1, mu=0.9, weight_decay=0.0)
    >>> get_optimizer("adam", betas=(0.9, 0.99))
    Traceback (most recent call last):
    ...
    TypeError: unknown hyper-parameter 'betas' for optimizer 'adam'; valid: lr, beta1, beta2,
    eps, amsgrad, weight_decay, bias_correction
    """
    if isinstance(name_or_optimizer, Optimizer):
        if hyper:
            raise TypeError(
                f"hyper-parameters {sorted(hyper)} cannot be given together with "
                f"an Optimizer instance ({name_or_optimizer!r}); set its attributes"
            )
        return name_or_optimizer
    name = check_choice(name_or_optimizer, "optimizer", OPTIMIZERS)
    cls = _CLASSES[name]
    for key in hyper:
        if key not in cls._checks:
            raise TypeError(
                f"unknown hyper-parameter {key!r} for optimizer {name!r}; "
                f"valid: {', '.join(cls._checks)}"
            )
    return cls(**hyper)
