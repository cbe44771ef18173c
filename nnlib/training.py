r"""Training loops: shuffled minibatches and `fit`, which returns a `History`.

`fit` is the loop every lecture writes by hand, once, and then calls:

.. code-block:: text

    for epoch t = 0 .. epochs-1:
        optimizer.lr <- schedule(t)                       (if a schedule is given)
        for each minibatch (X_b, y_b) of a fresh shuffle:
            logits  <- model.forward(X_b, train=True)
            L, dZ   <- loss and its gradient at the logits (+ weight penalty)
            model.backward(dZ)                            (fills model.grads)
            optimizer.step(model.params, model.grads)     (in place)
        record train/validation loss and accuracy, lr, gradient and weight norms
        early stopping / ReduceOnPlateau / callbacks look at the monitored loss

Conventions: batches are rows, ``X (N, D_in)``; class labels are integers ``y (N,)``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ._checks import as_array, as_rng, check_int
from .losses import get_loss

__all__ = ["History", "accuracy", "fit", "minibatches"]

_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "grad_norm", "weight_norm")


def minibatches(
    X, y, batch_size: int, rng=None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_b, y_b)`` minibatches covering the data once (one epoch).

    Call it once per epoch: each call draws a fresh permutation from `rng`, so the
    batches differ from epoch to epoch. The last batch holds the remainder
    (``N mod batch_size`` rows) when the batch size does not divide ``N``.

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


def accuracy(logits: np.ndarray, y: np.ndarray, output: str) -> float:
    """Fraction of correct predictions, read off the logits.

    Parameters
    ----------
    logits : ndarray, shape (N, C) or (N, 1)
    y : ndarray
        Integer labels ``(N,)`` (or one-hot ``(N, C)``) for a softmax output; 0/1 targets
        of the logits' shape for a sigmoid output.
    output : {"softmax", "sigmoid"}
        The model's output activation. ``sigmoid(z) >= 0.5`` exactly when ``z >= 0``.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> accuracy(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]), "softmax")
    0.5
    """
    if output == "softmax":
        labels = y if y.ndim == 1 else np.argmax(y, axis=1)
        return int(np.count_nonzero(np.argmax(logits, axis=1) == labels)) / len(labels)
    if output == "sigmoid":
        return int(np.count_nonzero((logits >= 0) == (y >= 0.5))) / y.size
    raise ValueError(f"accuracy needs a softmax or sigmoid output, got output={output!r}")


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
    """

    def __init__(self):
        self.epoch: list[int] = []
        self._data: dict[str, list[float]] = {k: [] for k in _KEYS}
        self.best_epoch: int | None = None
        self.stopped_early = False
        self.restored_best = False

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
        return f"History({', '.join(parts)})"


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
        interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
        if interactive:
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

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


def _global_norm(arrays: Iterable[np.ndarray]) -> float:
    """Return the L2 norm of all the arrays together, sqrt(sum of all squared entries).

    einsum rather than np.dot: as fast on one thread, and it never wakes BLAS threads,
    which costs more than the sum itself on the small vectors of every minibatch.
    """
    total = 0.0
    for a in arrays:
        flat = a.ravel()
        total += float(np.einsum("i,i->", flat, flat))
    return math.sqrt(total)


def _evaluate(model, X, y, loss, classify: bool, batch_size: int) -> tuple[float, float]:
    """Return the data loss (no penalty) and accuracy in eval mode, in chunks."""
    total_loss, correct, n = 0.0, 0.0, len(X)
    for start in range(0, n, max(batch_size, 1024)):
        Xb, yb = X[start : start + max(batch_size, 1024)], y[start : start + max(batch_size, 1024)]
        logits = model.forward(Xb, train=False)
        value, _ = model.loss_from_logits(logits, yb, loss, penalty=False, grad=False)
        total_loss += value * len(Xb)
        if classify:
            correct += accuracy(logits, yb, model.output) * len(Xb)
    return total_loss / n, (correct / n if classify else math.nan)


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
) -> History:
    r"""Train `model` by minibatch gradient descent and return its `History`.

    Parameters
    ----------
    model : MLP
        Anything with ``forward(X, train)``, ``loss_from_logits(logits, y, loss)``,
        ``backward(dlogits)``, ``params``/``grads`` dicts, ``output``,
        ``get_weights()``/``set_weights()``.
    X : ndarray, shape (N, D_in)
    y : ndarray
        Integer labels ``(N,)`` for softmax cross-entropy, otherwise targets shaped like
        the model's output ``(N, D_out)``.
    loss : str or Loss
        ``"softmax_cross_entropy"``, ``"bce_with_logits"``, ``"bce"`` or ``"mse"``; the
        model checks that it suits its output activation.
    optimizer : Optimizer
        Its ``lr`` is overwritten each epoch when a `schedule` is given. An elementwise
        optimizer (all of nnlib's) is stepped on the model's `flat_params` as one
        tensor, so its state is kept under the key ``"all"``; the update is the same as
        stepping each parameter apart.
    epochs : int >= 1, default 10
    batch_size : int >= 1, default 32
    schedule : callable ``t -> lr``, optional
        Called at the start of epoch ``t`` (from 0). A schedule with a ``step(metric)``
        method (`ReduceOnPlateau`) is also fed the monitored loss after each epoch.
    validation_data : tuple (X_val, y_val), optional
    early_stopping : int, optional
        Patience: stop when the monitored loss (``val_loss`` if validation data is
        given, else ``loss``) has not improved for this many epochs.
    restore_best : bool, default True
        With early stopping, put back the weights of the best epoch at the end.
    callbacks : iterable of callables ``cb(epoch, history, model)``
        Called after each epoch is recorded; a callback that returns ``True`` stops
        training.
    verbose : bool, default True
        A progress bar in a terminal or notebook, about ten lines in a log, nothing if
        False.
    rng : Generator, int or None
        Shuffling of the minibatches.

    Returns
    -------
    History

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
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "lr"):
        raise TypeError(
            f"optimizer must be an nnlib Optimizer (e.g. optimizers.Adam(lr=1e-3)), "
            f"got {type(optimizer).__name__}"
        )
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr, got {type(schedule).__name__}")
    if early_stopping is not None:
        early_stopping = check_int(early_stopping, "early_stopping", low=1)
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"callbacks must be callables cb(epoch, history, model), got {cb!r}")
    loss = get_loss(loss)
    dtype = model.params[next(iter(model.params))].dtype if model.params else np.float64
    X = as_array(X, "X", ndim=2, dtype=dtype)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(
            f"X and y must have the same number of rows, got X {X.shape} and y {y.shape}"
        )
    if validation_data is not None:
        if not (isinstance(validation_data, tuple | list) and len(validation_data) == 2):
            raise TypeError("validation_data must be a tuple (X_val, y_val)")
        X_val = as_array(validation_data[0], "validation_data[0]", ndim=2, dtype=dtype)
        y_val = np.asarray(validation_data[1])
        if len(y_val) != len(X_val):
            raise ValueError(
                f"validation X and y must have the same number of rows, got "
                f"{X_val.shape} and {y_val.shape}"
            )
    rng = as_rng(rng)
    classify = loss.name != "mse" and model.output in ("softmax", "sigmoid")

    # An elementwise update rule (all of nnlib's) gives the same result on the network's
    # parameters concatenated into one vector as on each tensor apart, so when the model
    # keeps them contiguous the optimizer updates everything in one call per step.
    if getattr(optimizer, "elementwise", False) and hasattr(model, "flat_params"):
        step_params, step_grads = {"all": model.flat_params}, {"all": model.flat_grads}
    else:
        step_params, step_grads = model.params, model.grads
    history = History()
    monitor = "val_loss" if validation_data is not None else "loss"
    best, best_weights, waited = math.inf, None, 0
    # Overflow while diverging is reported once, clearly, by the finite-loss check below
    # instead of as a stream of numpy RuntimeWarnings.
    with _Progress(epochs, verbose) as progress, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            if schedule is not None:
                optimizer.lr = float(schedule(epoch))
            lr = optimizer.lr
            total, correct, grad_norm_sum, batches = 0.0, 0.0, 0.0, 0
            for Xb, yb in minibatches(X, y, batch_size, rng):
                logits = model.forward(Xb, train=True)
                value, dlogits = model.loss_from_logits(logits, yb, loss)
                model.backward(dlogits, input_grad=False)
                optimizer.step(step_params, step_grads)
                total += value * len(Xb)
                if classify:
                    correct += accuracy(logits, yb, model.output) * len(Xb)
                grad_norm_sum += _global_norm(step_grads.values())
                batches += 1
            train_loss = total / len(X)
            if not math.isfinite(train_loss):
                raise FloatingPointError(
                    f"the training loss became {train_loss} at epoch {epoch}: the learning "
                    f"rate ({lr:g}) is probably too large, or the inputs are not scaled"
                )
            stats = {
                "loss": train_loss,
                "accuracy": correct / len(X) if classify else math.nan,
                "val_loss": math.nan,
                "val_accuracy": math.nan,
                "lr": lr,
                "grad_norm": grad_norm_sum / batches,
                "weight_norm": _global_norm(step_params.values()),
            }
            if validation_data is not None:
                stats["val_loss"], stats["val_accuracy"] = _evaluate(
                    model, X_val, y_val, loss, classify, batch_size
                )
            history.append(epoch, **stats)
            progress.update(epoch, stats)

            current = stats[monitor]
            if current < best:
                best, history.best_epoch, waited = current, epoch, 0
                if early_stopping is not None and restore_best:
                    best_weights = model.get_weights()
            else:
                waited += 1
            if hasattr(schedule, "step"):
                schedule.step(current)
            stop = any([cb(epoch, history, model) is True for cb in callbacks])
            if early_stopping is not None and waited >= early_stopping:
                stop = True
            if stop:
                history.stopped_early = epoch + 1 < epochs
                break
    if best_weights is not None and history.best_epoch != history.epoch[-1]:
        model.set_weights(best_weights)
        history.restored_best = True
    return history
