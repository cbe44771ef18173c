r"""Training loops: shuffled minibatches and `fit`, which returns a `History`.

`fit` is the loop every lecture writes by hand, once, and then calls. Its body reads:

.. code-block:: text

    validate the arguments and the whole data set, once
    for epoch t = 0 .. epochs-1:
        optimizer.lr <- schedule(t)                       (if a schedule is given)
        train an epoch: for each minibatch (X_b, y_b) of a fresh shuffle:
            optimizer.lr <- schedule(k)     (instead, with schedule_unit="step": k-th step)
            logits  <- model.forward(X_b, train=True)
            L, dZ   <- loss and its gradient at the logits (+ weight penalty)
            model.backward(dZ)                            (fills model.grads)
            optimizer.step(model.params, model.grads)     (in place)
        check divergence: stop on a NaN/inf loss, warn once on a loss 100x its minimum
        record train/validation loss and accuracy, lr, gradient and weight norms
        BoldDriver: keep the epoch if the training loss did not rise, else undo it
        early-stop: early stopping, ReduceOnPlateau and callbacks see the monitored loss

Because the data set is validated once before the first step, the steps themselves run
the model's and the losses' unchecked kernels (``MLP._forward``, ``MLP._loss_from_logits``,
`nnlib.metrics.n_correct`): no batch is validated again.

Conventions: batches are rows, ``X (N, D_in)``; class labels are integers ``y (N,)``.
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ._checks import _describe, as_rng, check_batch, check_bool, check_choice, check_int
from .losses import check_loss_targets, check_pairing, get_loss
from .metrics import CLASSIFIER_OUTPUTS, n_correct
from .model import MLP
from .schedules import BoldDriver

__all__ = ["History", "TrainingWarning", "fit", "minibatches"]


class TrainingWarning(UserWarning):
    """Something in a `fit` run looks wrong but did not stop it (e.g. a loss that grew)."""


_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm", "weight_norm")


def minibatches(
    X, y, batch_size: int, rng=None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_b, y_b)`` minibatches covering the data once (one epoch).

    Call it once per epoch with the same Generator: each call draws a fresh permutation
    from it, so the batches differ from epoch to epoch (`fit` does this). An int seed
    makes a new Generator at every call, hence the same order every time. The last batch
    holds the remainder (``N mod batch_size`` rows) when the batch size does not divide
    ``N``.

    Parameters
    ----------
    X : ndarray, shape (N, ...)
    y : ndarray, shape (N, ...)
    batch_size : int >= 1
    rng : Generator, int or None
        Source of the shuffle.
    shuffle : bool, default True
        ``False`` yields the rows in order.

    Yields
    ------
    X_b : ndarray, shape (B, ...)
    y_b : ndarray, shape (B, ...)   with ``B <= batch_size``

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> sorted(np.concatenate([yb for _, yb in minibatches(X, y, 2, rng=0)]).tolist())
    [0, 1, 2, 3, 4]
    """
    X, y = np.asarray(X), np.asarray(y)
    batch_size = check_int(batch_size, "batch_size", low=1)
    check_bool(shuffle, "shuffle")
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"X and y must have the same number of rows, got X {X.shape} and y {y.shape}"
        )
    n = len(X)
    if shuffle:
        order = as_rng(rng).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            yield X[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield X[start : start + batch_size], y[start : start + batch_size]


def _check_callbacks(callbacks) -> list[Callable]:
    """Callbacks as a list; each must accept (epoch, history, model)."""
    if callable(callbacks):
        callbacks = [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            f"callbacks must be a list of callables cb(epoch, history, model), got "
            f"{_describe(callbacks)}"
        )
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(
                f"callbacks must be callables cb(epoch, history, model), got {_describe(cb)}"
            )
        try:
            inspect.signature(cb).bind(0, None, None)
        except TypeError:
            raise TypeError(
                f"callback {getattr(cb, '__name__', cb)!r} cannot be called as "
                f"cb(epoch, history, model)"
            ) from None
        except ValueError:  # no signature available (some builtins): trust it
            pass
    return callbacks


def _lr_from(schedule, epoch: int) -> float:
    """schedule(epoch) (or step) as a positive float, or an error naming schedule and t."""
    value = schedule(epoch)
    try:
        lr = float(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"schedule({epoch}) returned {_describe(value)}; it must return a learning rate"
        ) from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(
            f"schedule({epoch}) returned {lr!r}; a learning rate must be a positive number "
            f"(schedule: {schedule!r})"
        )
    return lr


class History:
    """Per-epoch record of a `fit` run.

    ``history["loss"]`` is the list of training losses, one per epoch; the keys are
    ``loss, accuracy, val_loss, val_accuracy, lr, grad_norm, weight_norm``. A metric
    that does not apply (accuracy of a regression, validation without validation data)
    is ``nan`` at every epoch.

    - ``loss``: the training objective, averaged over the epoch's minibatches (weighted
      by their size), *including* the weight penalty, as it was when each batch was seen.
    - ``val_loss``: the data loss on the validation set at the end of the epoch, in eval
      mode (no dropout), *without* the penalty.
    - ``grad_norm``: mean over the epoch's batches of the global L2 norm of all gradients.
    - ``weight_norm``: global L2 norm of all parameters at the end of the epoch.
    - ``lr``: the learning rate at the end of the epoch (of its last step, when a
      schedule sets it every step).

    Attributes
    ----------
    epoch : list of int
        Epoch indices, from 0.
    best_epoch : int or None
        Epoch with the lowest monitored loss (``val_loss`` if validation data, else
        ``loss``).
    stopped_early : bool
        Whether early stopping or a callback ended the run before `epochs`.
    restored_best : bool
        Whether the weights were restored to those of `best_epoch`.
    rejected : list of int
        Epochs a `BoldDriver` schedule undid (their statistics are recorded as they were
        before the weights went back).
    """

    def __init__(self):
        self.epoch: list[int] = []
        self._data: dict[str, list[float]] = {k: [] for k in _KEYS}
        self.best_epoch: int | None = None
        self.stopped_early = False
        self.restored_best = False
        self.rejected: list[int] = []

    def __getitem__(self, key: str) -> list[float]:
        if key not in self._data:
            raise KeyError(f"unknown history key {key!r}; valid keys are: {', '.join(_KEYS)}")
        return self._data[key]

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def keys(self) -> tuple[str, ...]:
        """Names of the recorded metrics."""
        return _KEYS

    def __len__(self) -> int:
        return len(self.epoch)

    def append(self, epoch: int, **values: float) -> None:
        """Record one epoch; every key must be given (use ``nan`` for not applicable)."""
        if set(values) != set(_KEYS):
            raise ValueError(f"History.append needs exactly the keys {_KEYS}, got {sorted(values)}")
        self.epoch.append(epoch)
        for k, v in values.items():
            self._data[k].append(float(v))

    def as_dict(self) -> dict[str, list]:
        """Everything as plain lists, e.g. for ``json.dump`` or a DataFrame."""
        return {"epoch": list(self.epoch), **{k: list(v) for k, v in self._data.items()}}

    def __repr__(self) -> str:
        if not self.epoch:
            return "History(epochs=0)"
        parts = [f"epochs={len(self.epoch)}"]
        for k in ("loss", "accuracy", "val_loss", "val_accuracy"):
            v = self._data[k][-1]
            if not math.isnan(v):
                parts.append(f"{k}={v:.4g}")
        if self.stopped_early:
            parts.append(f"stopped_early=True, best_epoch={self.best_epoch}")
        if self.restored_best:
            best = self.best_epoch
            shown = "val_loss" if not math.isnan(self._data["val_loss"][best]) else "loss"
            parts.append(
                f"weights restored to epoch {best} ({shown}={self._data[shown][best]:.4g})"
            )
        return f"History({', '.join(parts)})"


def _interactive() -> bool:
    """Whether progress goes to a person (terminal or notebook) rather than a log.

    A notebook is a running IPython kernel, not merely ipykernel being importable (a
    test session or a script may import it without any notebook around).
    """
    if sys.stderr.isatty():
        return True
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Progress:
    """Progress report that suits where it runs.

    In a terminal or a notebook: one tqdm bar, updated in place. In a log (stderr not a
    terminal, e.g. CI or a grading run): at most about ten plain lines, so the log is
    never flooded. Silent when ``verbose=False``.
    """

    def __init__(self, epochs: int, verbose: bool):
        self.epochs, self.verbose, self.bar = epochs, verbose, None
        if not verbose:
            return
        if _interactive():
            from tqdm.auto import tqdm  # heavy import, only when a bar is shown

            self.bar = tqdm(total=epochs, unit="epoch", leave=True)
        self.every = max(1, math.ceil(epochs / 10))

    def update(self, epoch: int, stats: dict[str, float]) -> None:
        if not self.verbose:
            return
        shown = {
            k: v
            for k, v in stats.items()
            if k in ("loss", "accuracy", "val_loss", "val_accuracy") and not math.isnan(v)
        }
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in shown.items()}, refresh=False)
            self.bar.update(1)
        elif (epoch + 1) % self.every == 0 or epoch == 0 or epoch + 1 == self.epochs:
            text = "  ".join(f"{k} {v:.4f}" for k, v in shown.items())
            print(f"epoch {epoch + 1}/{self.epochs}  {text}", file=sys.stderr, flush=True)

    def note(self, text: str) -> None:
        """Print a one-off remark (nothing when ``verbose=False``)."""
        if not self.verbose:
            return
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def _norm(vector: np.ndarray) -> float:
    """Return the L2 norm of a flat vector, sqrt(sum of its squared entries).

    einsum rather than np.dot: as fast on one thread, and it never wakes BLAS threads,
    which costs more than the sum itself on the small vectors of every minibatch.
    """
    return math.sqrt(float(np.einsum("i,i->", vector, vector)))


# ------------------------------------------------------------------ fit: validation, once


def _check_options(model, loss, optimizer, schedule, early_stopping, restore_best):
    """Check everything but the data and the callbacks; return the early-stopping options."""
    restore_best = check_bool(restore_best, "restore_best")
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an nnlib.MLP, got {_describe(model)}")
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "lr"):
        raise TypeError(
            f"optimizer must be an nnlib Optimizer (e.g. optimizers.Adam(lr=1e-3)), "
            f"got {_describe(optimizer)}"
        )
    if isinstance(schedule, type):
        raise TypeError(
            f"schedule must be a schedule object, e.g. schedules.{schedule.__name__}(0.1, ...), "
            f"not the class {schedule.__name__} itself"
        )
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr, got {_describe(schedule)}")
    if early_stopping is not None:
        early_stopping = check_int(early_stopping, "early_stopping", low=1)
    check_pairing(loss, model.output)
    return early_stopping, restore_best


def _check_inputs(model: MLP, X, name: str) -> np.ndarray:
    """X: a finite (N, D_in) array in the model's dtype, with N >= 1."""
    X = check_batch(X, model.sizes[0], name, dtype=model.dtype)
    if len(X) == 0:
        raise ValueError(f"{name} must have at least one row, got shape {X.shape}")
    return X


def _check_data(model: MLP, loss, X, y, validation_data, batch_size: int):
    """Check the whole data set once, before any weight changes.

    Returns ``X, y, validation`` with ``validation`` None or ``(X_val, y_val)``, all
    ready for the unchecked per-batch kernels. The messages name the argument and the
    shapes of the full arrays (`nnlib.losses.check_loss_targets`).
    """
    X = _check_inputs(model, X, "X")
    y = check_loss_targets(loss, y, len(X), model.sizes[-1], name="y", rows="X")
    validation = None
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            length = (
                f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else ""
            )
            raise TypeError(
                "validation_data must be a tuple (X_val, y_val), got "
                f"{_describe(validation_data)}{length}"
            )
        X_val = _check_inputs(model, validation_data[0], "validation_data[0]")
        y_val = check_loss_targets(
            loss, validation_data[1], len(X_val), model.sizes[-1],
            name="validation_data[1]", rows="validation_data[0]",
        )  # fmt: skip
        validation = (X_val, y_val)
    if model.batchnorm and len(X) % batch_size == 1:
        raise ValueError(
            f"with batch normalization every training batch needs at least 2 rows, but "
            f"{len(X)} rows in batches of {batch_size} leave a last batch of 1; choose another "
            f"batch_size (e.g. {batch_size + 1})"
        )
    return X, y, validation


# ------------------------------------------------------------------ fit: the epoch


def _optimizer_step(model: MLP, optimizer) -> Callable[[], None]:
    """Return the call that makes one optimizer step on the model's parameters.

    An elementwise update rule (all of nnlib's) gives the same result on the network's
    parameters concatenated into one vector as on each tensor apart, so the optimizer
    updates everything in one call per step on the model's flat vectors; its state stays
    readable by parameter name (``optimizer.state["W1"]``, see `Optimizer.step_flat`).

    A model with a ``post_step(lr)`` method (`MLP.post_step`: proximal L1, max-norm) gets
    it called after every step with the step's learning rate (read at each step, so a
    per-step schedule is followed). The lookup is made here, once per epoch, so the batch
    loop of a model without it is unchanged.
    """
    if getattr(optimizer, "elementwise", False):
        step = functools.partial(
            optimizer.step_flat, model.flat_params, model.flat_grads, model.unflatten
        )
    else:
        step = functools.partial(optimizer.step, model.params, model.grads)
    post_step = getattr(model, "post_step", None)
    if post_step is None:
        return step

    def step_then_constrain() -> None:
        step()
        post_step(optimizer.lr)

    return step_then_constrain


def _train_epoch(
    model: MLP, data, loss, optimizer, batch_size: int, rng, epoch: int, scheduling=None
) -> dict:
    """One pass over the training data in shuffled minibatches; the epoch's statistics.

    ``scheduling.start_epoch(epoch)`` (a `_Scheduling`) sets the epoch's rate first, or
    gives ``(schedule, k)``: then ``optimizer.lr = schedule(k)``, ``schedule(k + 1)``, ...
    before each step (``schedule_unit="step"``, ``k`` the run's step count so far).

    ``data`` is ``(X, y)`` as checked by `_check_data`, so every batch goes through the
    unchecked kernels. A NaN or infinite loss stops training at once (before the
    optimizer step that would spread it into every weight); `fit` silences numpy's
    overflow warnings so that this one clear error is what a diverging run reports.

    Returns
    -------
    dict
        ``loss`` (mean over rows, with the penalty), ``accuracy`` (nan for a regression)
        and ``grad_norm`` (mean over batches of the global gradient norm).
    """
    X, y = data
    classify = model.output in CLASSIFIER_OUTPUTS
    optimizer_step = _optimizer_step(model, optimizer)
    total, correct, grad_norm_sum, batches = 0.0, 0, 0.0, 0
    per_step = scheduling.start_epoch(epoch) if scheduling is not None else None
    schedule, first_step = per_step if per_step is not None else (None, 0)
    for Xb, yb in minibatches(X, y, batch_size, rng):
        if schedule is not None:
            optimizer.lr = _lr_from(schedule, first_step + batches)
        logits = model._forward(Xb, True)
        value, dlogits = model._loss_from_logits(logits, yb, loss)
        if not math.isfinite(value):
            raise FloatingPointError(
                f"the loss became {value} (NaN or infinite logits) during epoch {epoch}: the "
                f"learning rate ({optimizer.lr:g}) is probably too large, or the inputs are "
                "not scaled"
            )
        model._backward(dlogits)
        optimizer_step()
        total += value * len(Xb)
        if classify:
            correct += n_correct(logits, yb, model.output)
        grad_norm_sum += _norm(model.flat_grads)
        batches += 1
    units = model.sizes[-1] if model.output == "sigmoid" else 1
    return {
        "loss": total / len(X),
        "accuracy": correct / (len(X) * units) if classify else math.nan,
        "grad_norm": grad_norm_sum / batches,
    }


def _warn_if_diverging(history: History, train_loss: float, epoch: int, lr: float) -> bool:
    """Warn when the training loss grew to more than 100x its minimum; True if warned."""
    if not history.epoch or train_loss <= 100 * min(history["loss"]):
        return False
    warnings.warn(
        f"the training loss grew from {min(history['loss']):.4g} to {train_loss:.4g} "
        f"(epoch {epoch}): the learning rate ({lr:g}) is probably too large",
        TrainingWarning,
        stacklevel=3,
    )
    return True


def _evaluate(model: MLP, data, loss, batch_size: int) -> tuple[float, float]:
    """Return the data loss (no penalty) and accuracy in eval mode, in chunks."""
    X, y = data
    classify = model.output in CLASSIFIER_OUTPUTS
    chunk = max(batch_size, 1024)
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), chunk):
        Xb, yb = X[start : start + chunk], y[start : start + chunk]
        logits = model._forward(Xb, False)
        value, _ = model._loss_from_logits(logits, yb, loss, penalty=False, grad=False)
        total_loss += value * len(Xb)
        if classify:
            correct += n_correct(logits, yb, model.output)
    units = model.sizes[-1] if model.output == "sigmoid" else 1
    return total_loss / len(X), (correct / (len(X) * units) if classify else math.nan)


def _epoch_end_stats(model: MLP, optimizer, validation, loss, batch_size: int) -> dict:
    """Return the statistics recorded at the end of an epoch: lr, weight norm, validation."""
    val_loss, val_accuracy = (
        _evaluate(model, validation, loss, batch_size) if validation else (math.nan, math.nan)
    )
    return {
        "lr": optimizer.lr,
        "weight_norm": _norm(model.flat_params),
        "val_loss": val_loss,
        "val_accuracy": val_accuracy,
    }


class _EarlyStopping:
    """What decides after each epoch whether to stop: patience, schedule, callbacks.

    Follows the monitored loss (``val_loss`` with validation data, else ``loss``): its
    best epoch, the epochs since, and (with `restore_best`) the best weights.
    """

    def __init__(self, patience, restore_best: bool, callbacks, schedule, monitor: str):
        self.patience, self.restore_best = patience, restore_best
        self.callbacks = _check_callbacks(callbacks)
        self.schedule, self.monitor = schedule, monitor
        self.best, self.best_weights, self.waited = math.inf, None, 0

    def after_epoch(self, epoch: int, history: History, model: MLP) -> bool:
        """Return whether to stop after this epoch.

        The monitored loss goes to the patience count and to a schedule with a ``step``
        method (ReduceOnPlateau); every callback is called.
        """
        value = history[self.monitor][-1]
        if value < self.best:
            self.best, history.best_epoch, self.waited = value, epoch, 0
            if self.patience is not None and self.restore_best:
                self.best_weights = model.get_weights()
        else:
            self.waited += 1
        if hasattr(self.schedule, "step") and not isinstance(self.schedule, BoldDriver):
            self.schedule.step(value)  # ReduceOnPlateau; fit runs a BoldDriver itself
        stop = any([bool(cb(epoch, history, model)) for cb in self.callbacks])
        return stop or (self.patience is not None and self.waited >= self.patience)

    def announce(self, progress: _Progress) -> None:
        """Say once that early stopping monitors the training loss (no validation data)."""
        if self.patience is not None and self.monitor == "loss":
            progress.note("early stopping monitors the training loss: no validation_data given")

    def restore(self, model: MLP, history: History) -> None:
        """Put back the best epoch's weights if training ended after it."""
        if self.best_weights is not None and history.best_epoch != history.epoch[-1]:
            model.set_weights(self.best_weights)
            history.restored_best = True


class _Scheduling:
    """The schedule's part of `fit`: set the rate per epoch or per step; run a `BoldDriver`.

    A BoldDriver judges the training data loss at the epoch's end weights (eval mode, no
    weight penalty; one extra forward pass). On a rejection the weights go back to the
    epoch's start and the optimizer's state is reset (its velocities and averages were
    built on the undone steps).
    """

    def __init__(self, schedule, unit, model: MLP, data, loss, batch_size: int, optimizer):
        unit = check_choice(unit, "schedule_unit", ("epoch", "step"))
        self.driver = schedule if isinstance(schedule, BoldDriver) else None
        if unit == "step" and self.driver is not None:
            raise ValueError(
                'schedule_unit="step" cannot be used with a BoldDriver schedule: fit judges '
                '(and may undo) whole epochs; use schedule_unit="epoch"'
            )
        self.schedule, self.per_step = schedule, schedule is not None and unit == "step"
        self.steps_per_epoch = math.ceil(len(data[0]) / batch_size)
        self.model, self.data, self.loss = model, data, loss
        self.batch_size, self.optimizer, self.saved = batch_size, optimizer, None

    def _training_loss(self) -> float:
        return _evaluate(self.model, self.data, self.loss, self.batch_size)[0]

    def start_epoch(self, epoch: int):
        """Set the epoch's rate (or return ``(schedule, first step)`` for `_train_epoch`)."""
        if self.driver is not None:
            if epoch == 0:
                self.driver.start(self._training_loss())
            self.saved = self.model.get_weights()
        if self.per_step:
            return self.schedule, epoch * self.steps_per_epoch
        if self.schedule is not None:
            self.optimizer.lr = _lr_from(self.schedule, epoch)
        return None

    def end_epoch(self, epoch: int, history: History) -> None:
        """Let a BoldDriver judge the epoch; undo it if the training loss rose."""
        if self.driver is None:
            return
        _, accept = self.driver.step(self._training_loss())
        if not accept:
            self.model.set_weights(self.saved)
            if hasattr(self.optimizer, "reset"):
                self.optimizer.reset()
            history.rejected.append(epoch)


# ------------------------------------------------------------------ fit


def fit(
    model,
    X,
    y,
    loss,
    optimizer,
    epochs: int = 10,
    batch_size: int = 32,
    schedule: Callable[[int], float] | None = None,
    validation_data=None,
    early_stopping: int | None = None,
    restore_best: bool = True,
    callbacks: Iterable[Callable] = (),
    verbose: bool = True,
    rng=None,
    schedule_unit: str = "epoch",
) -> History:
    r"""Train `model` by minibatch gradient descent and return its `History`.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (N, D_in), finite
    y : array_like
        Integer labels ``(N,)`` (or one-hot rows) for softmax cross-entropy, else targets
        of the output's shape ``(N, D_out)`` (`nnlib.losses.check_loss_targets`).
    loss : str or Loss
        ``"softmax_cross_entropy"``, ``"bce_with_logits"``, ``"bce"`` or ``"mse"``; it
        must suit the model's output activation (`nnlib.losses.check_pairing`).
    optimizer : Optimizer
        Steps `flat_params` as one tensor (`Optimizer.step_flat`), its state readable by
        name (``optimizer.state["W1"]["m"]``). The state carries over to the next `fit`
        call: use a new optimizer, or ``optimizer.reset()``, for a new model.
    epochs, batch_size : int >= 1, default 10 and 32
    schedule : callable ``t -> lr``, optional
        Sets ``optimizer.lr`` before epoch (or step) ``t``; `ReduceOnPlateau` gets the
        monitored loss, and a `BoldDriver` undoes epochs that raised the training loss.
    validation_data : tuple (X_val, y_val), optional
    early_stopping : int, optional
        Patience: stop when the monitored loss (``val_loss`` if validation data is
        given, else ``loss``) has not improved for this many epochs.
    restore_best : bool, default True
        With early stopping, put back the best epoch's weights at the end.
    callbacks : callable or iterable of callables ``cb(epoch, history, model)``
        Called after each epoch is recorded; one that returns a true value stops training.
    verbose : bool, default True
        A progress bar in a terminal or notebook, about ten lines in a log, or nothing.
    rng : Generator, int or None
        Shuffles the minibatches.
    schedule_unit : {"epoch", "step"}, default "epoch"
        What ``t`` counts: epochs, or optimizer steps over the run (S2's 1/sqrt(t)).

    Returns
    -------
    History

    Raises
    ------
    TypeError, ValueError
        For a bad argument or bad data, before any weight changes.
    FloatingPointError
        When the training loss becomes NaN or infinite.

    Warns
    -----
    TrainingWarning
        Once, when the training loss grows past 100 times its lowest value so far.

    Examples
    --------
    >>> from nnlib import MLP, datasets, optimizers
    >>> X, y = datasets.blobs(200, centers=2, rng=0)
    >>> model = MLP([2, 8, 2], hidden="tanh", output="softmax", rng=0)
    >>> h = fit(model, X, y, "softmax_cross_entropy", optimizers.Adam(lr=0.05),
    ...         epochs=20, batch_size=32, verbose=False, rng=0)
    >>> len(h), h["accuracy"][-1] > 0.9
    (20, True)
    """
    epochs = check_int(epochs, "epochs", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    verbose, loss = check_bool(verbose, "verbose"), get_loss(loss)
    options = _check_options(model, loss, optimizer, schedule, early_stopping, restore_best)
    X, y, validation = _check_data(model, loss, X, y, validation_data, batch_size)
    scheduling = _Scheduling(schedule, schedule_unit, model, (X, y), loss, batch_size, optimizer)
    stopping = _EarlyStopping(*options, callbacks, schedule, "val_loss" if validation else "loss")
    rng, history, warned = as_rng(rng), History(), False
    with _Progress(epochs, verbose) as progress, np.errstate(over="ignore", invalid="ignore"):
        stopping.announce(progress)
        for epoch in range(epochs):
            stats = _train_epoch(model, (X, y), loss, optimizer, batch_size, rng, epoch, scheduling)
            warned = warned or _warn_if_diverging(history, stats["loss"], epoch, optimizer.lr)
            stats.update(_epoch_end_stats(model, optimizer, validation, loss, batch_size))
            history.append(epoch, **stats)
            scheduling.end_epoch(epoch, history)
            progress.update(epoch, stats)
            if stopping.after_epoch(epoch, history, model):
                history.stopped_early = epoch + 1 < epochs
                break
    stopping.restore(model, history)
    return history
