"""Input validation shared by every nnlib module.

Bad input gets a clear error: a ``ValueError`` or ``TypeError`` that names the argument,
what was expected and what arrived. Never a silent broadcast, a NaN or a traceback from
deep inside numpy. Every public function validates with these helpers, so the messages
read the same everywhere.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

__all__ = [
    "as_array",
    "as_rng",
    "check_batch",
    "check_bool",
    "check_choice",
    "check_class_labels",
    "check_int",
    "check_number",
    "check_same_shape",
    "check_targets",
    "check_unit_interval",
]


def _describe(x) -> str:
    """Short description of what arrived: type, and shape and dtype for arrays."""
    if isinstance(x, np.ndarray):
        return f"ndarray of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__name__} {x!r}" if np.isscalar(x) else type(x).__name__


def as_array(
    x, name: str, *, ndim: int | Iterable[int] | None = None, dtype=np.float64, finite: bool = False
) -> np.ndarray:
    """Convert `x` to a numeric ndarray, or raise an error naming `name`.

    Parameters
    ----------
    x : array_like
        The value to convert.
    name : str
        The argument's name, used in the error message.
    ndim : int or iterable of int, optional
        Allowed numbers of dimensions.
    dtype : dtype or None, default float64
        Target dtype; ``None`` keeps a float input's own dtype (float32 stays float32)
        and turns anything else into float64.
    finite : bool, default False
        Reject NaN and infinity.

    Returns
    -------
    ndarray
        `x` itself when it already has the right dtype, else a converted copy.

    Examples
    --------
    >>> as_array([[1, 2]], "X", ndim=2).dtype
    dtype('float64')
    >>> as_array([1, 2], "X", ndim=2)
    Traceback (most recent call last):
    ...
    ValueError: X must be a 2-D array, got shape (2,)
    """
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and not finite:
        # Fast path for the common case, a float array already of the right kind: the
        # hot loops of training call this for every batch.
        same = x.dtype == dtype or (dtype is None and x.dtype in (np.float32, np.float64))
        if same and (
            ndim is None or x.ndim == ndim or (not isinstance(ndim, int) and x.ndim in tuple(ndim))
        ):
            return x
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    arr = np.asarray(x)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if dtype is None:
        dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    arr = arr.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {want} array, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values, got NaN or infinity")
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse two arrays whose shapes differ, instead of letting numpy broadcast them.

    The classic trap is ``(N,)`` against ``(N, 1)``, which broadcasts to ``(N, N)``;
    the message says how to fix it.

    Examples
    --------
    >>> check_same_shape(np.zeros((3, 1)), np.zeros(3), "p", "y")
    Traceback (most recent call last):
    ...
    ValueError: p has shape (3, 1) but y has shape (3,); they must match exactly ...
    """
    if a.shape == b.shape:
        return
    hint = ""
    if a.size == b.size and a.ndim != b.ndim:
        hint = (
            f" (numpy would broadcast these to a {max(a.size, 1)}x{max(b.size, 1)} "
            f"matrix); reshape one, e.g. {name_b}.reshape({a.shape}) "
            f"or {name_a}.reshape({b.shape})"
        )
    raise ValueError(
        f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
        f"they must match exactly{hint}"
    )


def check_class_labels(y: np.ndarray, n_classes: int, name: str, hint: str = "") -> np.ndarray:
    """Check integer class labels ``y (N,)`` in ``[0, n_classes)`` and return them.

    Parameters
    ----------
    y : ndarray, shape (N,)
    n_classes : int
    name : str
        The argument's name, used in the message and in the suggested fix.
    hint : str, optional
        Appended to the dtype error, e.g. the other accepted form of targets.

    Examples
    --------
    >>> check_class_labels(np.array([0, 3]), 3, "y")
    Traceback (most recent call last):
    ...
    ValueError: labels in y must be in [0, 3) for 3 classes, got 3
    """
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"{name} must hold integer class labels, got dtype {y.dtype}; convert with "
            f"{name}.astype(int){hint}"
        )
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = y[(y < 0) | (y >= n_classes)]
        raise ValueError(
            f"labels in {name} must be in [0, {n_classes}) for {n_classes} classes, "
            f"got {int(bad[0])}"
        )
    return y


def check_unit_interval(x: np.ndarray, name: str, hint: str = "") -> None:
    """Refuse values outside [0, 1] (NaN included), naming one of them.

    Examples
    --------
    >>> check_unit_interval(np.array([0.5, 2.0]), "p")
    Traceback (most recent call last):
    ...
    ValueError: p must be in [0, 1], got values such as 2.0
    """
    inside = (x >= 0) & (x <= 1)
    if not inside.all():
        bad = x[~inside]
        raise ValueError(
            f"{name} must be in [0, 1], got values such as {float(bad.flat[0])!r}{hint}"
        )


#: Hint of `check_unit_interval` for the targets of a sigmoid output.
BINARY_TARGETS = " (binary targets in [0, 1]: 0/1 labels, or probabilities thresholded at 0.5)"


def check_batch(X, n_features: int, name: str = "X", *, dtype=np.float64) -> np.ndarray:
    """Check a batch of inputs: a finite ``(N, n_features)`` array, converted to `dtype`.

    The public edge of every model function (forward, predict, score, fit) calls this
    once; the layers then trust the batch.

    Parameters
    ----------
    X : array_like, shape (N, n_features)
    n_features : int
    name : str
        The argument's name, used in the messages.
    dtype : floating dtype, default float64

    Examples
    --------
    >>> check_batch(np.ones(3), 3)
    Traceback (most recent call last):
    ...
    ValueError: X must have shape (N, 3) (one sample per row, 3 features), got (3,); for a
    single sample use X.reshape(1, 3)
    """
    if not (
        type(X) is np.ndarray and X.dtype == dtype and X.ndim == 2 and X.shape[1] == n_features
    ):
        X = as_array(X, name, dtype=dtype)
        if X.ndim != 2 or X.shape[1] != n_features:
            one = X.ndim == 1 and X.shape[0] == n_features
            hint = f"; for a single sample use {name}.reshape(1, {n_features})" if one else ""
            raise ValueError(
                f"{name} must have shape (N, {n_features}) (one sample per row, {n_features} "
                f"features), got {X.shape}{hint}"
            )
    if not np.isfinite(X).all():  # the one pass over the batch this costs
        bad = ~np.isfinite(X)
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"{name} contains NaN or inf ({int(bad.sum())} entries in {rows.size} rows, first "
            f"in row {int(rows[0])}): the outputs would be NaN; remove or impute those values "
            f"first (e.g. drop the rows, {name}[np.isfinite({name}).all(axis=1)])"
        )
    return X


def check_targets(
    y,
    n: int,
    n_outputs: int,
    *,
    labels: bool,
    binary: bool = False,
    name: str = "y",
    rows: str = "X",
) -> np.ndarray:
    """Check targets for ``n`` rows of ``n_outputs`` outputs; the one target validator.

    The losses on logits, `nnlib.metrics.accuracy`, `nnlib.training.fit` and
    ``MLP.score`` all call this, so a wrong target reads the same wherever it is caught.

    Parameters
    ----------
    y : array_like
        With ``labels=True`` (a softmax output): integer class labels of shape ``(n,)`` in
        ``[0, n_outputs)``, or rows of shape ``(n, n_outputs)`` (one-hot or
        probabilities). With ``labels=False``: exactly the output's shape
        ``(n, n_outputs)``; ``(n,)`` never broadcasts against ``(n, 1)``.
    n, n_outputs : int
        Rows and outputs of what `y` is compared with.
    labels : bool
        Whether integer class labels are accepted.
    binary : bool, default False
        Require values in [0, 1] (`check_unit_interval`; targets of a sigmoid output).
    name : str
        The argument's name, used in the messages and in the suggested fixes.
    rows : str
        What has the `n` rows (``"X"``, ``"logits"``), for the messages.

    Returns
    -------
    ndarray
        Labels as given (integers), other targets as float64; always finite.

    Raises
    ------
    TypeError
        Not an array of numbers, or labels that are not integers.
    ValueError
        A shape that is neither form, labels out of range, NaN or inf, or (`binary`)
        values outside [0, 1].

    Examples
    --------
    >>> check_targets([0, 2, 1], 3, 3, labels=True)
    array([0, 2, 1])
    >>> check_targets([0, 1, 1], 3, 1, labels=False)
    Traceback (most recent call last):
    ...
    ValueError: y must have shape (3, 1), the shape of the output for X with 3 rows, got
    (3,); the output has one unit, so pass y.reshape(-1, 1)
    """
    if isinstance(y, (str, bytes)) or y is None or np.ndim(y) == 0:
        raise TypeError(
            f"{name} must be an array of targets, one per row of {rows}, got {_describe(y)}"
        )
    y = np.asarray(y)
    if y.dtype == object or not (np.issubdtype(y.dtype, np.number) or y.dtype == np.bool_):
        raise TypeError(f"{name} must be an array of numbers, got dtype {y.dtype}")
    if labels:
        if y.ndim == 1 and len(y) == n:
            return check_class_labels(
                y, n_outputs, name, hint=f", or pass one-hot rows {(n, n_outputs)}"
            )
        if y.shape != (n, n_outputs):
            if y.shape == (n, 1):
                hint = f"; pass the labels as a 1-D array, {name}.ravel() of shape ({n},)"
            elif len(y) != n:
                hint = f"; {name} must have one row per row of {rows}"
            else:
                hint = ""
            raise ValueError(
                f"{name} must be integer labels of shape ({n},) or one-hot rows of shape "
                f"({n}, {n_outputs}) for {rows} with {n} rows, got shape {y.shape}{hint}"
            )
    elif y.shape != (n, n_outputs):
        if y.shape == (n,) and n_outputs == 1:
            hint = f"; the output has one unit, so pass {name}.reshape(-1, 1)"
        elif y.ndim == 1 and len(y) == n and np.issubdtype(y.dtype, np.integer):
            hint = (
                f"; the output has {n_outputs} units, so one-hot encode the labels: "
                f"nnlib.datasets.one_hot({name}, {n_outputs})"
            )
        else:
            hint = ""
        raise ValueError(
            f"{name} must have shape ({n}, {n_outputs}), the shape of the output for {rows} "
            f"with {n} rows, got {y.shape}{hint}"
        )
    y = y.astype(np.float64, copy=False)
    if binary:
        check_unit_interval(y, name, BINARY_TARGETS)  # NaN is outside [0, 1] too
    elif not np.isfinite(y).all():
        raise ValueError(f"{name} must contain only finite values, got NaN or infinity")
    return y


def check_number(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = False,
) -> float:
    """Check that `value` is a real number in a range and return it as a float.

    Parameters
    ----------
    value : object
        The value to check. ``bool`` is refused.
    name : str
        The argument's name, used in the message.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_open, high_open : bool, default False
        Whether the bound itself is excluded.
    finite : bool, default False
        Reject ``inf`` and ``-inf`` (NaN is always refused). Without it an unbounded
        side lets infinity through.

    Examples
    --------
    >>> check_number(0.9, "beta", low=0, high=1, high_open=True)
    0.9
    >>> check_number(1.0, "beta", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be in [0, 1), got 1.0
    >>> check_number(float("inf"), "b", finite=True)
    Traceback (most recent call last):
    ...
    ValueError: b must be finite, got inf
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "fiu":
            value = value.item()
        else:
            raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    if np.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
        raise ValueError(f"{name} must be in {lo}, {hi}, got {value!r}")
    if finite and np.isinf(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def check_int(value, name: str, *, low: int | None = None) -> int:
    """Check that `value` is an integer (not a bool), at least `low`, and return it.

    Examples
    --------
    >>> check_int(0, "batch_size", low=1)
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return value


def check_bool(value, name: str, *, meaning: str = "") -> bool:
    """Check that `value` is a real bool (a string such as "no" would be truthy) and return it.

    `meaning` is added to the message, e.g. ``"True: the tanh approximation"``.

    Examples
    --------
    >>> check_bool("no", "shuffle")
    Traceback (most recent call last):
    ...
    TypeError: shuffle must be True or False, got str 'no'
    """
    if not isinstance(value, (bool, np.bool_)):
        also = f" ({meaning})" if meaning else ""
        raise TypeError(f"{name} must be True or False{also}, got {_describe(value)}")
    return bool(value)


def check_choice(value, name: str, choices: Iterable[str]) -> str:
    """Check that `value` is one of `choices`; the error lists the valid ones.

    Examples
    --------
    >>> check_choice("relu", "activation", ["relu", "tanh"])
    'relu'
    >>> check_choice("rleu", "activation", ["relu", "tanh"])
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'rleu'; valid names are: 'relu', 'tanh'
    """
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {choices}, got {_describe(value)}")
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; valid names are: {valid}")
    return value


def as_rng(rng) -> np.random.Generator:
    """Turn the `rng` argument into a Generator: a Generator, an int seed, or None.

    All randomness in nnlib flows through this; nothing touches numpy's global state.

    Examples
    --------
    >>> int(as_rng(0).integers(10)) == int(as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {_describe(rng)}")
