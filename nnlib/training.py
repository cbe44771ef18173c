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

import inspect
import math
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ._checks import _describe, as_array, as_rng, check_class_labels, check_int
from .losses import NonFiniteError, get_loss

__all__ = ["History", "TrainingWarning", "accuracy", "fit", "minibatches"]


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
    _check_flag(shuffle, "shuffle")
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


def accuracy(logits, y, output: str) -> float:
    """Fraction of correct predictions, read off the logits.

    Parameters
    ----------
    logits : ndarray, shape (N, C) or (N, 1)
    y : ndarray
        For a softmax output: integer labels ``(N,)`` or one-hot rows ``(N, C)``. For a
        sigmoid output: 0/1 targets of exactly the logits' shape.
    output : {"softmax", "sigmoid"}
        The model's output activation. ``sigmoid(z) >= 0.5`` exactly when ``z >= 0``.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> accuracy(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]), "softmax")
    0.5
    >>> accuracy(np.array([[1.0], [-1.0]]), np.array([1, 0]), "sigmoid")
    Traceback (most recent call last):
    ...
    ValueError: y has shape (2,) but logits has shape (2, 1); they must match ...
    """
    logits = as_array(logits, "logits", ndim=2, dtype=None)
    y = np.asarray(y)
    if len(logits) == 0:
        raise ValueError("logits must have at least one row")
    if y.ndim == 0 or len(y) != len(logits):
        raise ValueError(
            f"y must have one row per row of logits ({len(logits)}), got shape {y.shape}"
        )
    if output == "softmax":
        if y.ndim != 1 and not (y.ndim == 2 and y.shape == logits.shape):
            raise ValueError(
                f"y must be labels of shape ({len(logits)},) or one-hot rows of shape "
                f"{logits.shape}, got {y.shape}"
            )
    elif output == "sigmoid":
        if y.shape != logits.shape:
            raise ValueError(
                f"y has shape {y.shape} but logits has shape {logits.shape}; they must "
                f"match (for one output unit use y.reshape(-1, 1))"
            )
    else:
        raise ValueError(f"accuracy needs a softmax or sigmoid output, got output={output!r}")
    return _n_correct(logits, y, output) / len(y)


def _n_correct(logits: np.ndarray, y: np.ndarray, output: str) -> float:
    """Correct predictions in a batch whose shapes `fit` has already checked.

    For a sigmoid output with several units, each unit counts as one prediction, so the
    count is scaled to rows (`accuracy` divides by the number of rows).
    """
    if output == "softmax":
        labels = y if y.ndim == 1 else np.argmax(y, axis=1)
        return int(np.count_nonzero(np.argmax(logits, axis=1) == labels))
    return int(np.count_nonzero((logits >= 0) == (y >= 0.5))) / logits.shape[1]


def _check_flag(value, name: str) -> bool:
    """Return `value` if it is a real bool (a string such as "no" would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def _check_inputs(model, X, name: str, dtype) -> np.ndarray:
    """X: a finite (N, D_in) array with N >= 1 and the model's feature count."""
    X = as_array(X, name, dtype=dtype, finite=True)
    d_in = model.sizes[0] if hasattr(model, "sizes") else X.shape[-1]
    if X.ndim != 2 or X.shape[1] != d_in:
        raise ValueError(
            f"{name} must have shape (N, {d_in}) (one sample per row, {d_in} features), "
            f"got {X.shape}"
        )
    if len(X) == 0:
        raise ValueError(f"{name} must have at least one row, got shape {X.shape}")
    return X


def _check_targets(model, loss, y, n: int, name: str) -> np.ndarray:
    """Check the targets of the whole data set once, before any weight changes.

    The losses check every batch too, but their messages speak of one batch; this one
    names the argument and the shapes of the full arrays.
    """
    if isinstance(y, (str, bytes)) or y is None or np.ndim(y) == 0:
        raise TypeError(f"{name} must be an array with one target per sample, got {_describe(y)}")
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        raise TypeError(f"{name} must be an array of numbers, got dtype {y.dtype}")
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} rows but the inputs have {n}; they must match")
    d_out = model.sizes[-1]
    if loss.name == "softmax_cross_entropy":
        if y.ndim == 1:
            return check_class_labels(y, d_out, name)
        if y.shape == (n, 1):
            raise ValueError(
                f"{name} has shape {y.shape}: pass class labels as a 1-D array, "
                f"{name}.ravel() of shape ({n},)"
            )
        if y.shape != (n, d_out):
            raise ValueError(
                f"{name} must be labels of shape ({n},) or one-hot rows of shape ({n}, {d_out}), "
                f"got {y.shape}"
            )
    elif y.shape != (n, d_out):
        if y.shape == (n,) and d_out == 1:
            fix = f"the model has one output, so pass {name}.reshape(-1, 1)"
        elif y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
            fix = f"one-hot encode the labels: nnlib.datasets.one_hot({name}, {d_out})"
        else:
            fix = "targets must have exactly the shape of the model's output"
        raise ValueError(
            f"{name} has shape {y.shape} but {loss.name} needs targets of shape ({n}, {d_out}) "
            f"like the model's output; {fix}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} must contain only finite values, got NaN or infinity")
    return y


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
    """schedule(epoch) as a positive float, or an error naming the schedule and epoch."""
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
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

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
            correct += _n_correct(logits, yb, model.output)
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
        stepping each parameter apart, and ``model.unflatten(optimizer.state["all"]["m"])``
        shows a state vector by parameter name. The state carries over to the next `fit`
        call (to continue training); use a new optimizer, or ``optimizer.reset()``, for a
        new model.
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
    callbacks : callable or iterable of callables ``cb(epoch, history, model)``
        Called after each epoch is recorded; a callback that returns a true value (e.g.
        ``True``) stops training.
    verbose : bool, default True
        A progress bar in a terminal or notebook, about ten lines in a log, nothing if
        False.

    Warns
    -----
    TrainingWarning
        Once, when the training loss grows to more than 100 times its lowest value so far
        (a diverging run that has not yet overflowed).

    Raises
    ------
    FloatingPointError
        When the training loss becomes NaN or infinite.
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
    restore_best = _check_flag(restore_best, "restore_best")
    verbose = _check_flag(verbose, "verbose")
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
    callbacks = _check_callbacks(callbacks)
    loss = get_loss(loss)
    model._check_pairing(loss)  # a loss that does not suit the output: say which pairs work
    dtype = getattr(model, "dtype", np.float64)
    X = _check_inputs(model, X, "X", dtype)
    y = _check_targets(model, loss, y, len(X), "y")
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError(
                f"validation_data must be a tuple (X_val, y_val), got {_describe(validation_data)}"
                + (
                    f" of length {len(validation_data)}"
                    if hasattr(validation_data, "__len__")
                    else ""
                )
            )
        X_val = _check_inputs(model, validation_data[0], "validation_data[0]", dtype)
        y_val = _check_targets(model, loss, validation_data[1], len(X_val), "validation_data[1]")
    if getattr(model, "batchnorm", False) and len(X) % batch_size == 1:
        raise ValueError(
            f"with batch normalization every training batch needs at least 2 rows, but "
            f"{len(X)} rows in batches of {batch_size} leave a last batch of 1; choose another "
            f"batch_size (e.g. {batch_size + 1})"
        )
    rng = as_rng(rng)
    classify = model.output in ("softmax", "sigmoid")

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
    warned = False
    with _Progress(epochs, verbose) as progress, np.errstate(over="ignore", invalid="ignore"):
        if verbose and early_stopping is not None and validation_data is None:
            progress.note("early stopping monitors the training loss: no validation_data given")
        for epoch in range(epochs):
            if schedule is not None:
                optimizer.lr = _lr_from(schedule, epoch)
            lr = optimizer.lr
            total, correct, grad_norm_sum, batches = 0.0, 0.0, 0.0, 0
            for Xb, yb in minibatches(X, y, batch_size, rng):
                logits = model.forward(Xb, train=True)
                try:
                    value, dlogits = model.loss_from_logits(logits, yb, loss)
                except NonFiniteError:
                    raise FloatingPointError(
                        f"the logits became NaN or infinite during epoch {epoch}: the "
                        f"learning rate ({lr:g}) is probably too large, or the inputs are not "
                        f"scaled"
                    ) from None
                model.backward(dlogits, input_grad=False)
                optimizer.step(step_params, step_grads)
                total += value * len(Xb)
                if classify:
                    correct += _n_correct(logits, yb, model.output)
                grad_norm_sum += _global_norm(step_grads.values())
                batches += 1
            train_loss = total / len(X)
            if not math.isfinite(train_loss):
                raise FloatingPointError(
                    f"the training loss became {train_loss} at epoch {epoch}: the learning "
                    f"rate ({lr:g}) is probably too large, or the inputs are not scaled"
                )
            if not warned and history.epoch and train_loss > 100 * min(history["loss"]):
                warned = True
                warnings.warn(
                    f"the training loss grew from {min(history['loss']):.4g} to "
                    f"{train_loss:.4g} (epoch {epoch}): the learning rate ({lr:g}) is "
                    f"probably too large",
                    TrainingWarning,
                    stacklevel=2,
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
            stop = any([bool(cb(epoch, history, model)) for cb in callbacks])
            if early_stopping is not None and waited >= early_stopping:
                stop = True
            if stop:
                history.stopped_early = epoch + 1 < epochs
                break
    if best_weights is not None and history.best_epoch != history.epoch[-1]:
        model.set_weights(best_weights)
        history.restored_best = True
    return history
