"""Finite-difference gradients and relative errors shared by the tests.

The tests check every analytic derivative and backward pass in nnlib against numbers
computed here. This module is an independent implementation on purpose: the tests must
NOT use ``nnlib.gradcheck`` to check nnlib's gradients, because a bug shared by the code
under test and the checker would then pass unnoticed (``nnlib.gradcheck`` is itself
tested in tests/test_gradcheck.py). Nothing here imports nnlib.

pytest's default ("prepend") import mode puts tests/ on ``sys.path`` (there is no
``tests/__init__.py``), so test modules import this one as ``from finite_differences
import ...``.

Two numerical gradients, with two different calling conventions:

- `central_difference(loss, z, h=1e-6)`: the two-point rule on a copy of ``z``, for
  a function ``loss(z)`` of its argument (activations, losses).
- `central_difference_4th(f, x, h=1e-4)`: the fourth-order stencil, perturbing the
  array ``x`` in place, for a closure ``f()`` over it (layer and model parameters).

Two relative errors, for the two kinds of comparisons:

- `rel_error_global`: max |a - n| / max(|a| + |n|), relative to the size of the
  whole derivative, used with `central_difference`.
- `rel_error_elementwise`: cs231n's entry-by-entry measure, used with
  `central_difference_4th`.
"""

import numpy as np

__all__ = [
    "central_difference",
    "central_difference_4th",
    "rel_error_elementwise",
    "rel_error_global",
]


def central_difference(loss, z, h=1e-6):
    """Central differences of a scalar loss(z), perturbing one entry at a time (float64).

    Two-point rule (loss(z + h e_i) - loss(z - h e_i)) / 2h on a float64 copy of ``z``
    (``z`` itself is not touched); ``loss`` is called with the perturbed copy.
    """
    z = np.array(z, dtype=np.float64)
    grad = np.zeros_like(z)
    for i in np.ndindex(z.shape):
        old = z[i]
        z[i] = old + h
        up = loss(z)
        z[i] = old - h
        down = loss(z)
        z[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def central_difference_4th(f, x, h=1e-4):
    """Central differences of the scalar f() w.r.t. array x (perturbed in place, restored).

    Fourth-order stencil g = (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / (12 h): the
    truncation error is O(h^4) ~ 1e-16 and the rounding error eps * |f| / h ~ 1e-12 * |f|,
    so even entries ~100x smaller than the loss meet an elementwise relative error of 1e-7
    (the two-point rule with h = 1e-6 has rounding error ~1e-10 * |f| and misses that for
    batchnorm's small dX entries). Inputs are kept >= 1e-3 away from kinks (> 2h).

    ``x`` must be the very array ``f`` reads (a parameter or input, not a copy).
    """
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        f2, f1, fm1, fm2 = [_at(f, x, idx, old + step) for step in (2 * h, h, -h, -2 * h)]
        x[idx] = old
        # differences first: exactly 0 where f does not depend on x[idx] (dropped, relu < 0)
        g[idx] = (8 * (f1 - fm1) - (f2 - fm2)) / (12 * h)
    return g


def _at(f, x, idx, value):
    """f() with x[idx] set to value (left set; the caller restores it)."""
    x[idx] = value
    return f()


def rel_error_global(analytic, numeric):
    """max |a - n| / max(|a| + |n|): error relative to the size of the whole derivative.

    Not entry by entry: where a derivative crosses zero (swish at -1.278, gelu at -0.75)
    an entrywise ratio divides rounding noise by ~0.
    """
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    return float(np.max(np.abs(analytic - numeric)) / np.max(np.abs(analytic) + np.abs(numeric)))


def rel_error_elementwise(a, b):
    """max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-8)  (cs231n's measure, elementwise).

    Stricter than `rel_error_global`: every entry, however small, must match to the
    tolerance, which `central_difference_4th` makes possible.
    """
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))
