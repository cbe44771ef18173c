r"""Learning-rate schedules: callables ``lr(t) -> float``; ``t`` counts epochs or steps from 0.

A training loop sets ``optimizer.lr = schedule(t)``: at the start of each epoch ``t``
(`nnlib.training.fit`'s default, ``schedule_unit="epoch"``), or before each optimizer
step, ``t`` then counting minibatches over the whole run (``schedule_unit="step"``).
Every schedule validates its parameters when it is built, refuses a negative or
non-integer ``t``, and returns a positive Python float: ``max(formula, min_lr)``.

**Which unit.** A formula does not say what ``t`` counts, and texts differ: S2's
:math:`k/\sqrt{t}` decays per step, Keras's schedules count steps, PyTorch's
``lr_scheduler`` counts calls of its ``step()`` (usually epochs), and scikit-learn's
``learning_rate="invscaling"`` (:math:`\eta_0 / t^{\mathrm{power\_t}}`) counts training
*samples* seen. ``InverseSqrt(0.1)`` per step with 100 steps per epoch has decayed to
0.01 after one epoch; per epoch, only after 99 epochs. Say which.

**Floor and underflow.** Every schedule takes a keyword ``min_lr`` (default 0.0, which
leaves the formulas below unchanged). Decaying formulas reach exactly 0.0 in floating
point after long enough, e.g. ``StepDecay(0.1)`` after 1072 halvings (``t = 10720``) or
``Exponential(0.1, k=1)`` at ``t = 743``. Since an optimizer refuses ``lr = 0``, a
schedule whose value (after the floor) is 0.0 raises a ``ValueError`` naming itself and
``t`` and suggesting ``min_lr``, rather than returning 0.0.

================================  ======================================================
schedule                          lr(t)
================================  ======================================================
``Constant(lr)``                  ``lr``
``StepDecay(lr0, drop, every)``   ``lr0 * drop ** (t // every)``
``Exponential(lr0, k)``           ``lr0 * exp(-k * t)``
``InverseTime(lr0, k)``           ``lr0 / (1 + k * t)``
``InverseSqrt(lr0)``              ``lr0 / sqrt(1 + t)``
``Linear(lr0, lr_final, n)``      ``lr0 + (lr_final - lr0) * min(t, n) / n``
``Table({0: lr0, t1: lr1})``      the value of the largest key ``<= t``
``ReduceOnPlateau(lr0, ...)``     ``lr0``, times ``factor`` whenever ``step(metric)`` stalls
``BoldDriver(lr0, up, down)``     ``lr0``, times ``up`` after a step that lowered the loss,
                                  times ``down`` (and the step undone) after one that
                                  raised it
================================  ======================================================

``Exponential(lr0, k=-math.log(0.95))`` is :math:`\mathrm{lr}_0 \cdot 0.95^t` (5% less
every epoch or step).

Examples
--------
>>> sched = StepDecay(0.1, drop=0.5, every=10)
>>> [sched(t) for t in (0, 9, 10, 25)]
[0.1, 0.1, 0.05, 0.025]
>>> StepDecay(0.1, drop=0.5, every=10, min_lr=0.04)(25)     # max(0.025, 0.04)
0.04
"""

from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Mapping

import numpy as np

from nnlib._checks import check_int, check_number

__all__ = [
    "BoldDriver",
    "Constant",
    "Exponential",
    "InverseSqrt",
    "InverseTime",
    "Linear",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "Table",
]


def _positive(value, name: str) -> float:
    """Check a learning rate: finite and > 0."""
    return check_number(value, name, low=0, low_open=True, finite=True)


def _nonnegative(value, name: str) -> float:
    """Check a decay rate or threshold: finite and >= 0."""
    return check_number(value, name, low=0, finite=True)


def _floor(value, largest: float) -> float:
    """Check `min_lr`: in [0, largest], the largest value the schedule takes."""
    return check_number(value, "min_lr", low=0, high=largest)


class Schedule:
    """Base class: ``schedule(t)`` checks ``t`` and returns ``max(self._lr(t), min_lr)``.

    Subclasses implement ``_lr(t)`` (the formula), set ``min_lr`` and list their
    constructor arguments in ``_args`` (used by ``__repr__``). A result of exactly 0.0
    (the formula underflowed and ``min_lr = 0``) raises ``ValueError``.
    """

    _args: tuple[str, ...] = ()
    min_lr: float = 0.0

    def __call__(self, t) -> float:
        """Learning rate at epoch (or step) `t`, an int >= 0: ``max(formula, min_lr)``.

        Raises
        ------
        ValueError
            `t` is negative, or the result underflowed to 0.0 (pass ``min_lr > 0``).
        TypeError
            `t` is not an integer.
        """
        t = check_int(t, "t", low=0)
        lr = max(float(self._lr(t)), self.min_lr)
        if lr == 0.0:
            raise ValueError(
                f"{self!r}(t={t}) underflowed to 0.0; pass min_lr=... to keep a floor "
                f"(e.g. min_lr=1e-6)"
            )
        return lr

    def _lr(self, t: int) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._args)
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    r"""The same learning rate every epoch: :math:`\mathrm{lr}(t) = \mathrm{lr}`.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, lr]; kept for a uniform interface (it cannot change a constant).

    Notes
    -----
    ``t`` (epochs, or steps with ``fit(..., schedule_unit="step")``) is ignored.

    Examples
    --------
    >>> Constant(0.01)(5)
    0.01
    """

    _args = ("lr", "min_lr")

    def __init__(self, lr, *, min_lr=0.0):
        self.lr = _positive(lr, "lr")
        self.min_lr = _floor(min_lr, self.lr)

    def _lr(self, t):
        return self.lr


class StepDecay(Schedule):
    r"""Multiply by `drop` every `every` epochs.

    .. math:: \mathrm{lr}(t) = \mathrm{lr}_0 \cdot
              \mathrm{drop}^{\lfloor t / \mathrm{every} \rfloor}

    Parameters
    ----------
    lr0 : float
        Learning rate at ``t = 0``, > 0.
    drop : float, default 0.5
        Factor in (0, 1].
    every : int, default 10
        Epochs between drops, >= 1.
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, lr0]: the schedule returns :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Notes
    -----
    PyTorch's ``StepLR(step_size=every, gamma=drop)``. With ``min_lr = 0`` the value
    underflows to 0.0 after about 1070 halvings and the call raises ``ValueError``.
    ``t`` counts epochs, or optimizer steps with ``fit(..., schedule_unit="step")``.

    Examples
    --------
    >>> sched = StepDecay(0.1, drop=0.5, every=10)
    >>> sched(9), sched(10), sched(20)      # 0.1, 0.1 * 0.5, 0.1 * 0.5**2
    (0.1, 0.05, 0.025)
    >>> sched(20000)                        # 0.1 * 0.5**2000 is 0.0 in float64
    Traceback (most recent call last):
    ...
    ValueError: StepDecay(lr0=0.1, drop=0.5, every=10, min_lr=0.0)(t=20000) underflowed to
    0.0; pass min_lr=... to keep a floor (e.g. min_lr=1e-6)
    >>> StepDecay(0.1, min_lr=1e-6)(20000)
    1e-06
    """

    _args = ("lr0", "drop", "every", "min_lr")

    def __init__(self, lr0, drop=0.5, every=10, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.drop = check_number(drop, "drop", low=0, low_open=True, high=1)
        self.every = check_int(every, "every", low=1)
        self.min_lr = _floor(min_lr, self.lr0)

    def _lr(self, t):
        return self.lr0 * self.drop ** (t // self.every)


class Exponential(Schedule):
    r"""Exponential decay: :math:`\mathrm{lr}(t) = \mathrm{lr}_0\, e^{-k t}`.

    Parameters
    ----------
    lr0 : float
        Learning rate at ``t = 0``, > 0.
    k : float
        Decay rate, >= 0 (``k = 0`` is constant).
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, lr0]: the schedule returns :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Notes
    -----
    PyTorch's ``ExponentialLR(gamma)`` is the same with :math:`\gamma = e^{-k}`, so a
    factor :math:`\gamma` per unit of ``t`` is ``k = -math.log(gamma)``: ``k =
    -math.log(0.95)`` gives :math:`\mathrm{lr}_0 \cdot 0.95^t`. With ``min_lr = 0`` the
    value underflows to 0.0 once :math:`k t` exceeds about 745 (plus
    :math:`\ln \mathrm{lr}_0`) and the call raises ``ValueError``. ``t`` counts epochs,
    or optimizer steps with ``fit(..., schedule_unit="step")``.

    Examples
    --------
    >>> Exponential(0.1, k=0.5)(2)          # 0.1 * exp(-1)
    0.036787944117144235
    >>> Exponential(1.0, k=-math.log(0.95))(2)   # 0.95**2
    0.9025
    >>> Exponential(0.1, k=0.5, min_lr=0.05)(2)
    0.05
    """

    _args = ("lr0", "k", "min_lr")

    def __init__(self, lr0, k, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.k = _nonnegative(k, "k")
        self.min_lr = _floor(min_lr, self.lr0)

    def _lr(self, t):
        return self.lr0 * math.exp(-self.k * t)


class InverseTime(Schedule):
    r"""Inverse-time decay: :math:`\mathrm{lr}(t) = \mathrm{lr}_0 / (1 + k t)`.

    Parameters
    ----------
    lr0 : float
        Learning rate at ``t = 0``, > 0.
    k : float
        Decay rate, >= 0.
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, lr0]: the schedule returns :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Notes
    -----
    The :math:`\sum_t \mathrm{lr}(t) = \infty,\ \sum_t \mathrm{lr}(t)^2 < \infty` schedule
    of Robbins and Monro (1951). Keras ``InverseTimeDecay(lr0, decay_steps=1,
    decay_rate=k)`` (which counts steps). Only a huge :math:`k t` (or a tiny ``lr0``)
    underflows to 0.0, which raises ``ValueError`` when ``min_lr = 0``. S2's table
    (:math:`\alpha_0 = 0.2`, :math:`\delta = 1`: 0.1, 0.2/3, 0.05, 0.04 at epochs 1-4)
    is ``InverseTime(0.2, 1)`` at ``t = 1 ... 4``. ``t`` counts epochs, or optimizer
    steps with ``fit(..., schedule_unit="step")``.

    Examples
    --------
    >>> InverseTime(0.1, k=0.5)(2)          # 0.1 / (1 + 0.5 * 2)
    0.05
    >>> InverseTime(0.1, k=0.5, min_lr=0.08)(2)
    0.08
    """

    _args = ("lr0", "k", "min_lr")

    def __init__(self, lr0, k, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.k = _nonnegative(k, "k")
        self.min_lr = _floor(min_lr, self.lr0)

    def _lr(self, t):
        return self.lr0 / (1.0 + self.k * t)


class InverseSqrt(Schedule):
    r"""Inverse square-root decay: :math:`\mathrm{lr}(t) = \mathrm{lr}_0 / \sqrt{1 + t}`.

    Parameters
    ----------
    lr0 : float
        Learning rate at ``t = 0``, > 0.
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, lr0]: the schedule returns :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Notes
    -----
    ``t`` counts epochs, or optimizer steps with ``fit(..., schedule_unit="step")``.
    S2's :math:`k\,\alpha_0/\sqrt{t}` is undefined at :math:`t = 0`; counted from 0,
    ``InverseSqrt(k * lr0)`` per step is the same formula shifted by one step.
    scikit-learn's ``learning_rate="invscaling"`` (:math:`\eta_0 / t^{0.5}` at its default
    ``power_t``) counts training *samples* seen: with batches of ``B`` rows its ``t``
    grows ``B`` times faster than a count of steps.

    Examples
    --------
    >>> InverseSqrt(0.1)(3)                 # 0.1 / sqrt(4)
    0.05
    >>> InverseSqrt(0.1, min_lr=0.08)(3)
    0.08
    """

    _args = ("lr0", "min_lr")

    def __init__(self, lr0, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.min_lr = _floor(min_lr, self.lr0)

    def _lr(self, t):
        return self.lr0 / math.sqrt(1.0 + t)


class Linear(Schedule):
    r"""Linear from `lr0` to `lr_final` over `n_epochs`, then constant `lr_final`.

    .. math:: \mathrm{lr}(t) = \mathrm{lr}_0 + (\mathrm{lr}_{final} - \mathrm{lr}_0)\,
              \frac{\min(t, n)}{n}

    Parameters
    ----------
    lr0 : float
        Learning rate at ``t = 0``, > 0.
    lr_final : float
        Learning rate from ``t = n_epochs`` on, > 0 (optimizers refuse ``lr = 0``). It may
        exceed `lr0`: a linear warm-up.
    n_epochs : int
        Length of the ramp, >= 1, in the unit ``t`` counts (epochs, or steps).
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, max(lr0, lr_final)]: the schedule returns
        :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Notes
    -----
    ``t`` counts epochs, or optimizer steps with ``fit(..., schedule_unit="step")``.

    Examples
    --------
    >>> sched = Linear(0.1, 0.01, n_epochs=10)
    >>> sched(0), sched(5), sched(10), sched(50)   # 0.1 - 0.09 * 5/10 = 0.055
    (0.1, 0.055, 0.01, 0.01)
    """

    _args = ("lr0", "lr_final", "n_epochs", "min_lr")

    def __init__(self, lr0, lr_final, n_epochs, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.lr_final = _positive(lr_final, "lr_final")
        self.n_epochs = check_int(n_epochs, "n_epochs", low=1)
        self.min_lr = _floor(min_lr, max(self.lr0, self.lr_final))

    def _lr(self, t):
        if t >= self.n_epochs:
            return self.lr_final
        return self.lr0 + (self.lr_final - self.lr0) * t / self.n_epochs


class Table(Schedule):
    r"""Piecewise constant: the value of the largest key not after `t`.

    .. math:: \mathrm{lr}(t) = \mathrm{table}[\max\{s \in \mathrm{keys} : s \le t\}]

    Parameters
    ----------
    table : mapping int -> float
        Epoch (or step, see the module notes) at which each learning rate starts. Keys are
        integers >= 0 and must include 0; values are > 0.
    min_lr : float, default 0.0, keyword-only
        Floor, in [0, largest value]: the schedule returns
        :math:`\max(\mathrm{lr}(t), \mathrm{min\_lr})`.

    Examples
    --------
    >>> sched = Table({0: 0.1, 10: 0.01, 20: 0.001})
    >>> sched(0), sched(9), sched(10), sched(99)
    (0.1, 0.1, 0.01, 0.001)
    """

    _args = ("table", "min_lr")

    def __init__(self, table, *, min_lr=0.0):
        if not isinstance(table, Mapping):
            raise TypeError(f"table must be a dict {{epoch: lr}}, got {type(table).__name__}")
        checked = {}
        for key, value in table.items():
            epoch = check_int(key, "table key (epoch)", low=0)
            checked[epoch] = _positive(value, f"table[{epoch}]")
        if 0 not in checked:
            raise ValueError(
                f"table must include epoch 0 (the learning rate to start with), "
                f"got keys {sorted(checked)}"
            )
        self.table = dict(sorted(checked.items()))
        self._epochs = list(self.table)
        self._values = list(self.table.values())
        self.min_lr = _floor(min_lr, max(self._values))

    def _lr(self, t):
        return self._values[bisect.bisect_right(self._epochs, t) - 1]


class ReduceOnPlateau(Schedule):
    r"""Divide the learning rate when a monitored metric stops improving.

    Call ``step(metric)`` after every epoch with the metric to minimize (e.g. the
    validation loss; pass ``-accuracy`` to maximize one). ``schedule(t)`` returns the
    current learning rate, whatever ``t`` is.

    Algorithm (PyTorch's ``ReduceLROnPlateau``, ``mode='min'``, ``threshold_mode='rel'``,
    ``cooldown=0``)::

        initialize: lr = lr0, best = inf, bad_epochs = 0
        step(metric):
            if metric < best - threshold * |best|:  best = metric, bad_epochs = 0
            else:                                   bad_epochs += 1
            if bad_epochs > patience:
                lr = max(factor * lr, min_lr), bad_epochs = 0

    Parameters
    ----------
    lr0 : float
        Initial learning rate, > 0.
    factor : float, default 0.1
        Multiplier in (0, 1).
    patience : int, default 10
        Epochs without improvement tolerated; the ``patience + 1``-th reduces ``lr``.
    threshold : float, default 1e-4
        Relative improvement needed to count as better, >= 0.
    min_lr : float, default 0.0
        Lower bound on the learning rate, in [0, lr0]. With 0.0, enough reductions
        underflow to 0.0, and ``schedule(t)`` then raises ``ValueError``.

    Attributes
    ----------
    lr : float
        Current learning rate.
    best : float
        Best metric so far (``inf`` before the first step).
    bad_epochs : int
        Epochs since the last improvement (or reduction).

    Notes
    -----
    A NaN metric (a diverged epoch) counts as no improvement. Keras's
    ``ReduceLROnPlateau`` uses an absolute ``min_delta`` and reduces after ``patience``
    bad epochs, one earlier than here. ``t`` is ignored: ``fit`` calls ``step`` once per
    epoch whatever its ``schedule_unit``, so ``patience`` counts epochs. It lowers the
    rate when the loss *stalls*; :class:`BoldDriver` acts on every rise and fall.

    Examples
    --------
    >>> sched = ReduceOnPlateau(0.1, factor=0.5, patience=1)
    >>> [sched.step(loss) for loss in (1.0, 0.9, 0.95, 0.92, 0.91)]
    [0.1, 0.1, 0.1, 0.05, 0.05]
    >>> sched(10)
    0.05
    """

    _args = ("lr0", "factor", "patience", "threshold", "min_lr")

    def __init__(self, lr0, factor=0.1, patience=10, threshold=1e-4, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.factor = check_number(factor, "factor", low=0, low_open=True, high=1, high_open=True)
        self.patience = check_int(patience, "patience", low=0)
        self.threshold = _nonnegative(threshold, "threshold")
        self.min_lr = check_number(min_lr, "min_lr", low=0, high=self.lr0)
        self.reset()

    def reset(self) -> None:
        """Back to ``lr0``, with no best metric and no bad epochs."""
        self.lr = self.lr0
        self.best = math.inf
        self.bad_epochs = 0

    def step(self, metric) -> float:
        """Record one epoch's `metric`; return the learning rate for the next epoch.

        Parameters
        ----------
        metric : float
            Value to minimize; NaN counts as no improvement.

        Returns
        -------
        float
            The (possibly reduced) learning rate.
        """
        if isinstance(metric, np.ndarray) and metric.ndim == 0:
            metric = metric.item()
        if isinstance(metric, bool) or not isinstance(metric, numbers.Real):
            raise TypeError(f"metric must be a real number, got {type(metric).__name__}")
        metric = float(metric)
        if math.isinf(self.best):  # first finite value; inf - threshold * inf would be NaN
            improved = metric < self.best
        else:
            improved = metric < self.best - self.threshold * abs(self.best)
        if improved:
            self.best = metric
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        if self.bad_epochs > self.patience:
            self.lr = max(self.lr * self.factor, self.min_lr)
            self.bad_epochs = 0
        return self.lr

    def _lr(self, t):
        return self.lr


class BoldDriver(Schedule):
    r"""Bold driver: grow the rate after a step that lowered the loss; undo one that raised it.

    Call ``step(loss)`` with the loss after each step (or epoch); it says whether to keep
    that step and returns the rate for the next one. ``schedule(t)`` returns the current
    rate, whatever ``t`` is.

    Algorithm (Vogl et al. 1988; Battiti 1989)::

        initialize: lr = lr0, loss_ref = None       (loss_ref: the loss of the kept weights)
        start(loss):  loss_ref = loss                (the loss before the first step)
        step(loss):                                  (the loss after a step made with lr)
            if loss_ref is None:  start(loss), accept  (a first call only sets the reference)
            elif loss <= loss_ref:  accept,  loss_ref = loss,  lr = up * lr
            else:                   reject (the caller restores the weights),
                                    lr = max(down * lr, min_lr)
            return lr, accept

    Parameters
    ----------
    lr0 : float
        Initial learning rate, > 0.
    up : float, default 1.05
        Growth after an accepted step, >= 1 (``up = 1``: never grow).
    down : float, default 0.5
        Cut after a rejected step, in (0, 1).
    min_lr : float, default 0.0, keyword-only
        Floor for the cuts, in [0, lr0].

    Attributes
    ----------
    lr : float
        Current learning rate.
    loss : float or None
        The reference: the loss of the last accepted weights (None before the first call).
    n_accepted, n_rejected : int
        Steps kept and undone so far.

    Notes
    -----
    This is one reading of S0's "adjust on plateau" (larger while the loss falls,
    smaller when it rises) and, with ``up = 1``, S2's "baby sitter" (after a step that
    raised the cost, undo it and halve the rate). It differs from
    :class:`ReduceOnPlateau`, which lowers the rate when the loss *stalls* and never
    undoes a step. A NaN loss is rejected. The rule suits full-batch gradient descent,
    where the loss is exact; with minibatches, noise alone makes some losses rise.

    In `nnlib.training.fit` it acts once per epoch: fit gives it the training loss at
    the starting weights, then after each epoch the training loss at the epoch's end
    weights (an extra forward pass over the data, in evaluation mode, without the weight
    penalty); on a rejection fit restores the weights of the epoch's start and resets the
    optimizer's state (Vogl et al. also set the momentum to zero after a rejected step).
    ``t`` counts epochs there; ``schedule_unit="step"`` is refused.

    References
    ----------
    T. P. Vogl, J. K. Mangis, A. K. Rigler, W. T. Zink and D. L. Alkon, "Accelerating the
    convergence of the back-propagation method", Biol. Cybern. 1988. R. Battiti,
    "Accelerated backpropagation learning: two optimization methods", Complex Systems 1989.

    Examples
    --------
    >>> driver = BoldDriver(0.1)
    >>> driver.start(1.0)
    >>> driver.step(0.8)              # lower: keep the step, 0.1 * 1.05
    (0.10500000000000001, True)
    >>> driver.step(0.9)              # higher than 0.8: undo it, 0.105 * 0.5
    (0.052500000000000005, False)
    >>> driver.loss, driver(7)        # still the reference of the kept weights
    (0.8, 0.052500000000000005)
    """

    _args = ("lr0", "up", "down", "min_lr")

    def __init__(self, lr0, up=1.05, down=0.5, *, min_lr=0.0):
        self.lr0 = _positive(lr0, "lr0")
        self.up = check_number(up, "up", low=1, finite=True)
        self.down = check_number(down, "down", low=0, low_open=True, high=1, high_open=True)
        self.min_lr = _floor(min_lr, self.lr0)
        self.reset()

    def reset(self) -> None:
        """Back to ``lr0``, with no reference loss and no steps counted."""
        self.lr = self.lr0
        self.loss: float | None = None
        self.n_accepted = self.n_rejected = 0

    def start(self, loss) -> None:
        """Set the reference `loss` (of the weights before any step); the rate is unchanged."""
        loss = _loss_value(loss)
        if math.isnan(loss):
            raise ValueError("loss must be a number to start from, got nan")
        self.loss = loss

    def step(self, loss) -> tuple[float, bool]:
        """Judge the step that led to `loss`; return ``(lr for the next step, accept)``.

        Parameters
        ----------
        loss : float
            The loss after the step; NaN is rejected.

        Returns
        -------
        lr : float
            The rate for the next step: ``up * lr`` after an accepted step, ``max(down *
            lr, min_lr)`` after a rejected one.
        accept : bool
            Whether to keep the step (``False``: restore the weights from before it).
        """
        loss = _loss_value(loss)
        if self.loss is None:
            self.start(loss)
            return self.lr, True
        accept = loss <= self.loss  # False for NaN
        if accept:
            self.loss, self.lr = loss, self.lr * self.up
            self.n_accepted += 1
        else:
            self.lr = max(self.lr * self.down, self.min_lr)
            self.n_rejected += 1
        return self.lr, accept

    def _lr(self, t):
        return self.lr


def _loss_value(loss) -> float:
    """Return `loss` as a float (a 0-d array is accepted); TypeError naming `loss`."""
    if isinstance(loss, np.ndarray) and loss.ndim == 0:
        loss = loss.item()
    if isinstance(loss, bool) or not isinstance(loss, numbers.Real):
        raise TypeError(f"loss must be a real number, got {type(loss).__name__}")
    return float(loss)
