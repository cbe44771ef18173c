r"""Gradient checking: numerical gradients, relative error, and a checker that names the bug.

Backpropagation code is easy to get almost right. A gradient check compares the analytic
gradient (what your backward pass computes) with a numerical one from central differences,

.. math::
    \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h},

whose error is :math:`O(h^2)` from truncation plus about :math:`\epsilon_\text{mach} |f| / h`
from rounding. With float64 (:math:`\epsilon_\text{mach} \approx 2.2\cdot 10^{-16}`) and
:math:`h = 10^{-6}` both are around :math:`10^{-10}`, so a correct gradient agrees to a
relative error near :math:`10^{-9}`. In float32 (:math:`\epsilon_\text{mach} \approx
1.2\cdot 10^{-7}`) the rounding term alone is about 0.1: central differences need float64,
and the functions here refuse float32 parameters.

When a check fails, `check_gradients` looks at the ratio analytic / numeric. If it is the
same everywhere, the bug is a constant factor and the report names it: ``"x2"``,
``"x1/2"``, ``"sign flip"``, ``"missing 1/N"`` (a sum where the loss is a mean),
``"extra 1/N"`` (divided by N twice), or another ``"constant factor"``; if the transpose
of the analytic gradient matches, it says ``"transposed"``. A function with a kink (ReLU
at 0) is told apart from a bug by the one-sided differences: at a kink the analytic value
equals :math:`(f(x + h) - f(x)) / h` or :math:`(f(x) - f(x - h)) / h` while the central
difference, their mean, straddles the corner; the report says ``"kink"``. See `DIAGNOSES`.

References
----------
cs231n, "Neural Networks Part 3: Gradient checks", https://cs231n.github.io/neural-networks-3/
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from nnlib._checks import as_array, check_int, check_number, check_same_shape

__all__ = [
    "DIAGNOSES",
    "GradientReport",
    "TensorCheck",
    "check_gradients",
    "check_model_gradients",
    "numerical_gradient",
    "rel_error",
]

#: Every value `TensorCheck.diagnosis` can take (besides ``None``).
DIAGNOSES: tuple[str, ...] = (
    "x2",
    "x1/2",
    "sign flip",
    "missing 1/N",
    "extra 1/N",
    "constant factor",
    "transposed",
    "kink",
    "zero analytic",
    "zero numeric",
)

# Ratio analytic/numeric counts as constant when analytic matches c * numeric to this
# relative error (a correct gradient matches to ~1e-9, a random bug to ~1).
_CONSTANT_RTOL = 1e-5
# A constant c is named (2, 1/2, N, ...) when it is within this relative distance.
_NAME_RTOL = 1e-3
#: Safety factor over the rounding error eps |f| / h of a central difference.
_NOISE_FACTOR = 10.0
# An entry is explained by a kink when the analytic value is this much closer to one of the
# one-sided differences than to the central one (at a kink: |a - one-sided| ~ h |f''|,
# |a - central| = half the jump of the slope; for a smooth f both are ~ the bug itself).
_KINK_RATIO = 0.1
# "A few entries disagree" means at most this fraction of the tensor's entries.
_FEW_FRACTION = 0.1


def _scalar(value, what):
    """Return `value` as a Python float, or raise if it is not a real scalar."""
    if np.ndim(value) != 0:
        raise TypeError(f"{what} must return a scalar (the loss), got shape {np.shape(value)}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must return a real number, got {type(value).__name__}") from None


def _check_float64_array(x, name, fix):
    """Refuse anything central differences cannot perturb in place at full precision.

    `fix` ends the dtype message: how to get a float64 array in the caller's setting.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy array (it is perturbed in place), got {type(x).__name__}"
        )
    if x.dtype != np.float64:
        kind = x.dtype.kind
        if kind == "f" and x.dtype.itemsize < 8:
            why = (
                f"in {x.dtype} the rounding error of (f(x+h) - f(x-h)) / 2h is ~0.1 or "
                "worse, larger than most bugs"
            )
        elif kind == "f":
            why = "h and the tolerances are set for float64's rounding error"
        elif kind in "iub":
            why = (
                f"an {x.dtype} array cannot hold x + h: the step is truncated away, "
                "so every difference would be 0"
            )
        elif kind == "c":
            why = "the differences here are for real parameters"
        else:
            why = "only float64 arrays can be perturbed by a small step"
        raise TypeError(
            f"{name} has dtype {x.dtype}; central differences need float64 ({why}). {fix}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} is read-only; it must be perturbed in place")


def _accepts(f, n_args):
    """Tell whether `f`'s signature can take `n_args` positional arguments.

    Also True when the signature cannot be inspected (some builtins).
    """
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(*range(n_args))
    except TypeError:
        return False
    return True


def _differences(f, x, h):
    """Values of ``f()`` with each entry of `x` moved by +h and by -h, restoring it.

    Returns ``(f_plus, f_minus)``, float64 arrays shaped like `x`. `f` takes no arguments
    (wrap ``f(x)`` in a closure). `x` is assumed checked (float64, writeable).
    """
    f_plus = np.empty(x.shape, dtype=np.float64)
    f_minus = np.empty(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            fp = _scalar(f(), "f")
            x[idx] = old - h
            fm = _scalar(f(), "f")
        finally:
            x[idx] = old
        if not (np.isfinite(fp) and np.isfinite(fm)):
            raise ValueError(
                f"f returned a non-finite value ({fp}, {fm}) when entry {idx} of x "
                f"was moved by +-{h:g}"
            )
        f_plus[idx], f_minus[idx] = fp, fm
    return f_plus, f_minus


def numerical_gradient(f, x, h=1e-6):
    r"""Central-difference gradient of a scalar function with respect to an array.

    .. math::
        g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Each entry of `x` is perturbed **in place** (so `f` sees the change even when it reads
    `x` through another reference, e.g. a model's parameter dict), and restored to its
    exact original value afterwards, also when `f` raises. Costs ``2 * x.size`` calls of
    `f`.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``: the scalar to differentiate, evaluated at the current `x`.
        It must be deterministic (no dropout, no fresh random numbers).
    x : ndarray, float64, any shape
        The point; modified during the call, unchanged after it.
    h : float > 0, default 1e-6
        Step. Smaller steps cut the :math:`O(h^2)` truncation error but raise the rounding
        error :math:`\approx \epsilon |f| / h`; 1e-6 balances them for float64 and O(1) data.

    Returns
    -------
    ndarray, float64, same shape as `x`

    Raises
    ------
    TypeError
        If `x` is not a float64 ndarray (float32 is too imprecise, integers cannot move
        by h), `f` cannot be called with one argument (a closure ``f()`` must be wrapped:
        ``lambda _x: f()``), or `f` does not return a scalar.
    ValueError
        If `f` returns NaN or infinity.

    Examples
    --------
    :math:`f(x) = \sum x^3` has gradient :math:`3x^2`: at (1, 2) that is (3, 12).

    >>> x = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda x: np.sum(x**3), x)
    array([ 3., 12.])
    >>> x                                  # restored
    array([1., 2.])
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not _accepts(f, 1):
        raise TypeError(
            "numerical_gradient calls f(x) with the array it perturbs; yours takes no "
            "argument, so wrap it: lambda _x: f() (check_gradients takes such an f())"
        )
    _check_float64_array(x, "x", "Pass a float64 array, e.g. x = x.astype(np.float64)")
    h = check_number(h, "h", low=0, low_open=True)
    f_plus, f_minus = _differences(lambda: f(x), x, h)
    return (f_plus - f_minus) / (2 * h)


def _rel_error_elementwise(a, b, floor):
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)


def rel_error(a, b, floor=1e-8):
    r"""Largest elementwise relative error between two arrays of the same shape.

    .. math::
        \max_i \frac{|a_i - b_i|}{\max(|a_i| + |b_i|,\ \text{floor})}

    The ratio lies in [0, 1] (1 when the signs differ). The floor (cs231n uses 1e-8) keeps
    entries where both values are essentially zero from dividing 0 by 0; below it, the
    measure becomes an absolute error scaled by ``1 / floor``.

    Rules of thumb for float64 with ``h = 1e-6`` (cs231n): below 1e-7 the gradient is
    right; 1e-7 to 1e-4 check kinks (ReLU) and the floor; above 1e-2 it is wrong.

    Parameters
    ----------
    a, b : array_like, same shape
    floor : float > 0, default 1e-8

    Returns
    -------
    float
        0.0 for empty arrays.

    Examples
    --------
    >>> rel_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> rel_error([1.0, 2.0], [1.0, 4.0])      # |2 - 4| / (2 + 4) = 1/3
    0.3333333333333333
    >>> rel_error([3.0], [-3.0])               # sign flip: 6 / 6
    1.0
    """
    a = as_array(a, "a")
    b = as_array(b, "b")
    check_same_shape(a, b, "a", "b")
    floor = check_number(floor, "floor", low=0, low_open=True)
    if a.size == 0:
        return 0.0
    return float(np.max(_rel_error_elementwise(a, b, floor)))


@dataclass(frozen=True)
class TensorCheck:
    """Result of checking one parameter's gradient (one row of a `GradientReport`).

    Attributes
    ----------
    name : str
    shape : tuple
    max_rel_error : float
        `rel_error` (analytic, numeric); ``inf`` when the shapes differ (transposed).
    worst_index : tuple or None
        Index of the entry with the largest relative error.
    analytic, numeric : float or None
        The two gradients at `worst_index`.
    passed : bool
        ``max_rel_error <= tol``.
    diagnosis : str or None
        One of `DIAGNOSES` when the error has a recognisable pattern.
    hint : str
        A sentence explaining the diagnosis ("" when passed).
    numeric_grad : ndarray
        The full numerical gradient, shape `shape`.
    """

    name: str
    shape: tuple
    max_rel_error: float
    worst_index: tuple | None
    analytic: float | None
    numeric: float | None
    passed: bool
    diagnosis: str | None = None
    hint: str = ""
    numeric_grad: np.ndarray = field(default=None, repr=False, compare=False)


def _fmt(v):
    return "-" if v is None else f"{v:.6g}"


@dataclass(frozen=True)
class GradientReport:
    """Result of `check_gradients`: one `TensorCheck` per parameter.

    ``report.ok`` is True when every tensor passed; ``report["W1"]`` is one tensor's
    result; ``str(report)`` (and the repr, which notebooks display) is a table.

    The truth value of a report is ``report.ok``, so ``if check_gradients(...):`` and
    ``assert check_gradients(...)`` test whether the check passed (without this a report
    holding any tensors would always be true, also when it failed).

    Attributes
    ----------
    checks : dict[str, TensorCheck]
    h, tol : float
        The step and the tolerance used.
    """

    checks: dict
    h: float
    tol: float
    floor: float = 1e-8

    @property
    def ok(self) -> bool:
        """True when every tensor passed."""
        return all(c.passed for c in self.checks.values())

    def __bool__(self) -> bool:
        """``self.ok``: a failed check is false."""
        return self.ok

    @property
    def failed(self) -> list:
        """Names of the tensors that failed, in order."""
        return [name for name, c in self.checks.items() if not c.passed]

    def __getitem__(self, name):
        return self.checks[name]

    def __iter__(self):
        return iter(self.checks.values())

    def __len__(self):
        return len(self.checks)

    def __str__(self):
        status = "all passed" if self.ok else f"FAILED ({len(self.failed)} of {len(self)})"
        head = (
            f"gradient check (central differences, h={self.h:g}, tol={self.tol:g}, entries "
            f"below {self.floor:.2g} judged by absolute error): {status}"
        )
        rows = [
            ("tensor", "shape", "max rel error", "worst entry", "analytic", "numeric", "result")
        ]
        for c in self:
            result = "ok" if c.passed else "FAIL" + (f": {c.diagnosis}" if c.diagnosis else "")
            rows.append(
                (
                    c.name,
                    str(c.shape),
                    f"{c.max_rel_error:.2e}",
                    "-" if c.worst_index is None else str(c.worst_index),
                    _fmt(c.analytic),
                    _fmt(c.numeric),
                    result,
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [head]
        lines += [
            "  ".join(s.ljust(w) for s, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        lines += [f"  {c.name}: {c.hint}" for c in self if not c.passed]
        return "\n".join(lines)

    __repr__ = __str__


def _diagnose(analytic, numeric, n_samples, floor, tol, slopes):
    """Name the pattern of a wrong gradient: (diagnosis or None, hint).

    `slopes` is ``(forward, backward)``: the one-sided differences ``(f(x+h) - f(x)) / h``
    and ``(f(x) - f(x-h)) / h`` of every entry (their mean is `numeric`).
    """
    abs_num = np.abs(numeric)
    if np.max(abs_num, initial=0.0) == 0.0:
        return "zero numeric", (
            "the numerical gradient is zero everywhere: the loss does not change when this "
            "parameter changes. Does f read this very array (not a copy made earlier)?"
        )
    bad = _rel_error_elementwise(analytic, numeric, floor) > tol
    k, n = int(bad.sum()), bad.size
    count = f"{k} of {n} entries disagree" if k < n else f"all {n} entries disagree"
    # At a kink (ReLU at 0) the analytic value is one side's slope while the central
    # difference averages the two sides; for a smooth f the one-sided differences are as
    # far from a wrong analytic value as the central one.
    forward, backward = slopes
    one_sided = np.minimum(np.abs(analytic - forward), np.abs(analytic - backward))
    at_kink = bad & (one_sided <= _KINK_RATIO * np.abs(analytic - numeric))
    n_kinks = int(at_kink.sum())
    if k and n_kinks == k:
        return "kink", (
            f"{count}{'; the others agree' if k < n else ''}: likely a kink (ReLU at 0, where "
            "the differences straddle the corner), not a bug — move the inputs or biases off "
            "0. At each of them the analytic value is a one-sided difference, (f(x+h) - f(x))/h "
            "or (f(x) - f(x-h))/h, and the two differ: the slope jumps between x - h and x + h"
        )
    kinks_too = (
        f" ({n_kinks} of the {k} match a one-sided difference, as at a kink; the others do not)"
        if n_kinks
        else ""
    )
    if np.max(np.abs(analytic), initial=0.0) == 0.0:
        return "zero analytic", (
            "the analytic gradient is zero everywhere but the numerical one is not: was it "
            "filled in (backward run, results written into grads)?"
        )
    if (
        analytic.ndim == 2
        and analytic.shape[0] == analytic.shape[1]
        and rel_error(analytic.T, numeric, floor) < _CONSTANT_RTOL
    ):
        return "transposed", (
            "analytic.T matches the numerical gradient: the gradient is transposed "
            "(e.g. dW = dZ.T @ X instead of X.T @ dZ)"
        )
    significant = abs_num > 1e-6 * abs_num.max()
    c = float(np.median(analytic[significant] / numeric[significant]))
    if c == 0.0 or rel_error(analytic, c * numeric, floor) > _CONSTANT_RTOL:
        if k <= _FEW_FRACTION * n:
            return None, (
                f"{count}; the others agree{kinks_too}: a kink (ReLU at 0, where the "
                "differences straddle the corner) can do this, but there the analytic value "
                "would equal a one-sided difference, (f(x+h) - f(x))/h or (f(x) - f(x-h))/h; "
                "otherwise look for a bug in these entries alone (an index, a single term), "
                "starting at the worst entry"
            )
        return None, (
            f"no simple pattern (not a constant factor, not a transpose; {count}{kinks_too}): "
            "compare analytic and numeric entry by entry, starting at the worst entry"
        )
    return _name_constant(c, n_samples, f"{count}{kinks_too}")


def _name_constant(c, n_samples, count):
    """Name the constant c of a gradient off by ``analytic = c * numeric``: (diagnosis, hint).

    `count` says how many entries disagree (for the hint).
    """

    def near(target):
        return abs(c - target) <= _NAME_RTOL * abs(target)

    if near(1.0):
        return None, (
            f"analytic and numeric agree up to a factor 1 ({count}): the error is "
            "small, near a kink such as ReLU at 0 (where a difference straddles it) or at the "
            "rounding level of the differences; look at the worst entry"
        )

    if near(-1.0):
        return "sign flip", (
            "analytic = -numeric: the sign is flipped (e.g. y - p instead of p - y)"
        )
    if near(2.0):
        also = " (with N=2 this is also a missing 1/N)" if n_samples == 2 else ""
        return "x2", (
            "analytic = 2 x numeric: a factor 2 too many (e.g. the loss has 1/2 (p - y)^2 "
            f"but the gradient uses 2 (p - y), or a term is added twice){also}"
        )
    if near(0.5):
        also = " (with N=2 this is also an extra 1/N)" if n_samples == 2 else ""
        return "x1/2", (
            "analytic = numeric / 2: a factor 2 missing (e.g. d/dp (p - y)^2 = 2 (p - y) "
            f"written as p - y){also}"
        )
    if n_samples is not None and n_samples > 2:
        if near(n_samples):
            return "missing 1/N", (
                f"analytic = N x numeric with N = {n_samples} samples: the loss is a mean but "
                "the gradient is a sum; divide it by N"
            )
        if near(1.0 / n_samples):
            return "extra 1/N", (
                f"analytic = numeric / N with N = {n_samples} samples: divided by N twice "
                "(e.g. in the loss gradient and again in dW = X.T @ dZ / N)"
            )
    hint = f"analytic = {c:.6g} x numeric everywhere: a constant factor is wrong"
    # A whole number k (or 1/k) may be a batch size: say what it would mean, unless the
    # batch size is known (then k is not it: that case was named above).
    k = round(abs(c)) if abs(c) >= 1 else round(1 / abs(c))
    whole = k > 2 and abs(abs(c) ** (1 if abs(c) >= 1 else -1) - k) <= _NAME_RTOL * k
    if whole and n_samples is None:
        if abs(c) >= 1:
            hint += f"; if the batch has N = {k} samples, the 1/N of the mean is missing"
        else:
            hint += f"; if the batch has N = {k} samples, the gradient is divided by N twice"
        hint += f" (pass n_samples={k} to confirm)"
    if c < 0:
        hint += "; the sign is flipped as well"
    return "constant factor", hint


def _check_arguments(f, params, grads, h, tol, n_samples):
    """Validate `check_gradients`' arguments; return ``(analytic, h, tol, n_samples)``.

    ``analytic`` maps each name to its gradient as a finite float64 array, of the
    parameter's shape or (2-D) its transpose.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if not isinstance(params, Mapping) or not params:
        raise TypeError("params must be a non-empty dict of name -> float64 array")
    if not _accepts(f, 0):
        raise TypeError(
            "check_gradients calls f() with no arguments (it perturbs params in place); "
            f"wrap yours: lambda: f(params[{next(iter(params))!r}])"
        )
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a dict with the keys of params, got {type(grads).__name__}")
    missing = [k for k in params if k not in grads]
    extra = [k for k in grads if k not in params]
    if missing or extra:
        raise ValueError(
            f"grads must have exactly the keys of params {list(params)}; "
            f"missing {missing}, unexpected {extra}"
        )
    for name, p in params.items():
        _check_float64_array(
            p,
            f"params[{name!r}]",
            "Convert it, params[name] = params[name].astype(np.float64), and let f read "
            "the converted array",
        )
    h = check_number(h, "h", low=0, low_open=True)
    tol = check_number(tol, "tol", low=0, low_open=True)
    if n_samples is not None:
        n_samples = check_int(n_samples, "n_samples", low=1)

    analytic = {}
    for name, p in params.items():
        g = as_array(grads[name], f"grads[{name!r}]", finite=True)
        if g.shape != p.shape and not (p.ndim == 2 and g.shape == p.shape[::-1]):
            check_same_shape(g, p, f"grads[{name!r}]", f"params[{name!r}]")
        analytic[name] = g
    return analytic, h, tol, n_samples


def _value_at_start(f) -> float:
    """Return ``f()`` at the unperturbed parameters; refuse a non-finite or random `f`."""
    f0, f1 = _scalar(f(), "f"), _scalar(f(), "f")
    if not np.isfinite(f0):
        raise ValueError(f"f() returned {f0} at the unperturbed parameters")
    if abs(f0 - f1) > 1e-12 * max(1.0, abs(f0)):
        raise ValueError(
            f"f is not deterministic: two calls with the same parameters gave {f0!r} and "
            f"{f1!r}. Finite differences compare f at nearby points, so randomness (dropout, "
            "a fresh rng) swamps them; switch it off for the check"
        )
    return f0


def _check_transposed(name, shape, g, numeric, floor) -> TensorCheck:
    """Return the result for a 2-D gradient given with the parameter's transposed shape."""
    transposed = rel_error(g.T, numeric, floor) < _CONSTANT_RTOL
    also = (
        "; its transpose matches the numerical gradient (e.g. dW = dZ.T @ X instead of X.T @ dZ)"
        if transposed
        else ", and its transpose does not match either"
    )
    return TensorCheck(
        name=name,
        shape=shape,
        max_rel_error=float("inf"),
        worst_index=None,
        analytic=None,
        numeric=None,
        passed=False,
        diagnosis="transposed" if transposed else None,
        hint=f"the gradient has shape {g.shape}, the parameter {shape}{also}",
        numeric_grad=numeric,
    )


def _check_tensor(name, g, numeric, slopes, n_samples, floor, tol) -> TensorCheck:
    """Compare one tensor's analytic gradient `g` with `numeric`; diagnose a failure.

    `slopes` are the one-sided differences (see `_diagnose`).
    """
    if g.size == 0:
        err, index, a_w, n_w = 0.0, None, None, None
    else:
        errs = _rel_error_elementwise(g, numeric, floor)
        flat = int(np.argmax(errs))
        index = tuple(int(i) for i in np.unravel_index(flat, g.shape))
        err, a_w, n_w = float(errs.flat[flat]), float(g[index]), float(numeric[index])
    passed = err <= tol
    diagnosis, hint = (None, "") if passed else _diagnose(g, numeric, n_samples, floor, tol, slopes)
    return TensorCheck(
        name=name,
        shape=g.shape,
        max_rel_error=err,
        worst_index=index,
        analytic=a_w,
        numeric=n_w,
        passed=passed,
        diagnosis=diagnosis,
        hint=hint,
        numeric_grad=numeric,
    )


def check_gradients(f, params, grads, h=1e-6, tol=1e-7, n_samples=None):
    r"""Compare analytic gradients with central differences, tensor by tensor.

    For every name in `params`, perturbs ``params[name]`` in place entry by entry,
    calls ``f()``, restores the entry, and compares the resulting numerical gradient with
    ``grads[name]`` using `rel_error`. A tensor passes when its largest relative error is
    at most `tol`. The floor of `rel_error` is not 1e-8 but the level the finite
    differences can resolve, :math:`10\,\epsilon \max(|f|, 1) / (h \cdot tol)` (about
    0.02 for the defaults and a loss near 1): entries smaller than that are judged by
    their absolute error, at most ten times the rounding error of the differences, since
    their relative error is rounding noise. A failing tensor gets a diagnosis (see
    `DIAGNOSES`) when its error has a recognisable pattern: analytic = c x numeric for a
    constant c, analytic.T = numeric, or a kink: at every disagreeing entry the analytic
    value equals a one-sided difference, :math:`(f(x+h) - f(x))/h` or :math:`(f(x) -
    f(x-h))/h`, as at a ReLU whose input is exactly 0 (e.g. a sample at the origin with
    zero biases). When only a few entries disagree, the hint says how many.

    Unlike `numerical_gradient`, which calls ``f(x)``, this calls ``f()`` with no
    arguments: it perturbs the arrays of `params` in place, and `f` reads them there. A
    function of the parameter, ``f(w)``, is refused with a TypeError saying how to wrap
    it: ``lambda: f(params["w"])``.

    Parameters
    ----------
    f : callable
        ``f() -> float``, called with no arguments: the loss computed from the arrays in
        `params` as they are at the moment of the call. Must be deterministic (switch
        dropout off).
    params : dict[str, ndarray]
        Parameter arrays, float64, modified in place during the check and restored.
    grads : dict[str, array_like]
        Analytic gradients at the current parameters, same keys and shapes. A 2-D gradient
        with the transposed shape is reported as ``"transposed"`` rather than refused.
    h : float > 0, default 1e-6
    tol : float > 0, default 1e-7
    n_samples : int, optional
        Batch size N of a mean loss; lets the report name ``"missing 1/N"`` and
        ``"extra 1/N"``. Without it such factors are reported as ``"constant factor"``.

    Returns
    -------
    GradientReport
        True in a boolean context exactly when every tensor passed (``report.ok``).

    Raises
    ------
    TypeError
        For float32, integer or non-array parameters (central differences need float64),
        or an `f` that needs arguments.
    ValueError
        For missing or extra gradient names, shapes that do not match, or an `f` that
        gives different values for the same parameters.

    Examples
    --------
    :math:`L = \frac{1}{N} \sum_i (x_i w - y_i)^2` has :math:`dL/dw = \frac{2}{N}
    \sum_i (x_i w - y_i) x_i`. With x = (1, 2), y = (0, 0), w = 1: dL/dw = (2/2)(1 + 4) = 5.

    >>> x, y = np.array([1.0, 2.0]), np.array([0.0, 0.0])
    >>> params = {"w": np.array([1.0])}
    >>> loss = lambda: np.mean((x * params["w"][0] - y) ** 2)
    >>> check_gradients(loss, params, {"w": np.array([5.0])}).ok
    True
    >>> report = check_gradients(loss, params, {"w": np.array([10.0])}, n_samples=2)
    >>> report.ok, report["w"].diagnosis
    (False, 'x2')
    >>> bool(report)                         # a failed report is false
    False
    """
    analytic, h, tol, n_samples = _check_arguments(f, params, grads, h, tol, n_samples)
    f0 = _value_at_start(f)
    # Central differences carry a rounding error of about eps |f| / h in every entry
    # (~1e-10 for h = 1e-6 and |f| ~ 1), so an entry much smaller than that divided by tol
    # cannot meet tol relatively however right it is. Below this floor, entries are judged
    # by absolute error instead (tol * floor, ten times the rounding noise), which still
    # catches any wrong formula: see `GradientReport.floor`.
    floor = max(1e-8, _NOISE_FACTOR * np.finfo(np.float64).eps * max(abs(f0), 1.0) / (h * tol))
    checks = {}
    for name, p in params.items():
        f_plus, f_minus = _differences(f, p, h)
        numeric = (f_plus - f_minus) / (2 * h)
        g = analytic[name]
        if g.shape != p.shape:  # the transposed shape, allowed by _check_arguments
            checks[name] = _check_transposed(name, p.shape, g, numeric, floor)
            continue
        slopes = ((f_plus - f0) / h, (f0 - f_minus) / h)
        checks[name] = _check_tensor(name, g, numeric, slopes, n_samples, floor, tol)
    return GradientReport(checks=checks, h=h, tol=tol, floor=floor)


def check_model_gradients(model, X, y, loss, h=1e-6, tol=1e-7):
    r"""Gradient-check a model's backward pass on one batch.

    Calls ``model.loss_and_grad(X, y, loss)`` once for the analytic gradients (copied
    from ``model.grads``), then `check_gradients` with ``f = model.loss_and_grad(X, y,
    loss)`` over ``model.params`` and ``n_samples = len(X)``, so a missing or extra 1/N
    is named.

    The forward pass must be deterministic: build the model without dropout for the
    check (with dropout every call draws a new mask and the check raises). BatchNorm is
    fine (training mode uses the batch's statistics), but every call updates its running
    mean and variance, so check a throwaway model. Each call of `f` also runs the backward
    pass, which doubles the cost; for big models pass a cheaper `f` to `check_gradients`.

    Parameters
    ----------
    model : object
        Has ``params`` (dict name -> float64 array, the model's own arrays, modified in
        place) and ``loss_and_grad(X, y, loss) -> float`` that fills ``model.grads``
        (same keys), like `nnlib.model.MLP`.
    X : ndarray, shape (N, D_in)
    y : ndarray
        Targets in the form `loss` expects.
    loss : str or Loss
    h, tol : float
        As in `check_gradients`.

    Returns
    -------
    GradientReport

    Examples
    --------
    A one-weight linear model with mean squared error, written out by hand:

    >>> class Line:
    ...     def __init__(self):
    ...         self.params = {"w": np.array([[1.0]])}
    ...         self.grads = {}
    ...     def loss_and_grad(self, X, y, loss):
    ...         r = X @ self.params["w"] - y                       # (N, 1)
    ...         self.grads["w"] = 2 * X.T @ r / len(X)              # mean -> 1/N
    ...         return float(np.mean(r**2))
    >>> X, y = np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])
    >>> check_model_gradients(Line(), X, y, "mse").ok
    True
    """
    params = getattr(model, "params", None)
    if not isinstance(params, Mapping) or not callable(getattr(model, "loss_and_grad", None)):
        raise TypeError(
            "model must have a params dict and a loss_and_grad(X, y, loss) method "
            f"(like nnlib.model.MLP), got {type(model).__name__}"
        )
    for name, p in params.items():
        _check_float64_array(
            p,
            f"model parameter {name!r}",
            "Build the model with float64 parameters, e.g. MLP(..., dtype=np.float64)"
            if p.dtype.kind == "f"
            else "Gradients only exist for real-valued parameters: store them as float64",
        )
    n = len(X) if hasattr(X, "__len__") else None
    model.loss_and_grad(X, y, loss)
    grads = {k: np.array(v, dtype=np.float64) for k, v in model.grads.items()}

    def f():
        return model.loss_and_grad(X, y, loss)

    return check_gradients(f, params, grads, h=h, tol=tol, n_samples=n)
