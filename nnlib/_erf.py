r"""The error function, its complement and the normal CDF, vectorized in float64.

numpy has no ``erf`` and nnlib does not depend on scipy, yet the exact GELU
(`nnlib.activations.gelu`) needs the standard normal CDF
:math:`\Phi(z) = \tfrac12\operatorname{erfc}(-z/\sqrt2)` to full double precision, so that
its derivative passes the course's 1e-7 finite-difference checks.

This module implements W. J. Cody's rational Chebyshev approximations (Cody 1969; the
SPECFUN routine CALERF, 1990), whose relative error is below 1e-15 on the whole real line.
CALERF splits the line into three ranges of :math:`y = |x|`:

- :math:`y \le 0.46875`: erf as :math:`x\,P(y^2)/Q(y^2)` (`_erf_small`);
- :math:`0.46875 < y \le 4`: erfc as :math:`e^{-y^2} P(y)/Q(y)` (`_erfc_middle`);
- :math:`y > 4`: erfc as
  :math:`\frac{e^{-y^2}}{y}\bigl(1/\sqrt\pi - y^{-2} P(y^{-2})/Q(y^{-2})\bigr)` (`_erfc_tail`).

erfc is computed directly (not as ``1 - erf``), so it keeps its relative accuracy deep
in the tail, e.g. ``erfc(10) = 2.09e-45``.

References
----------
W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
(1969), 631-637. W. J. Cody, "Algorithm 715: SPECFUN", ACM TOMS 19 (1993), routine CALERF.
"""

from __future__ import annotations

import numpy as np

__all__ = ["erf", "erfc", "normal_cdf"]

# Coefficients of CALERF, in its order: numerator A, denominator B for |x| <= 0.46875 ...
_SMALL_NUM = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_SMALL_DEN = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
# ... numerator C, denominator D for 0.46875 < |x| <= 4 ...
_MIDDLE_NUM = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_MIDDLE_DEN = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
# ... and numerator P, denominator Q for |x| > 4.
_TAIL_NUM = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_TAIL_DEN = (
    2.56852019228982242e00,
    1.87295284992346047e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
#: Where the small-argument formula for erf hands over to the erfc formulas.
_SMALL_LIMIT = 0.46875
#: Where the middle range of erfc hands over to the tail.
_MIDDLE_LIMIT = 4.0
_INV_SQRT_PI = 5.6418958354775628695e-1  # 1 / sqrt(pi)
_INV_SQRT_2 = 0.70710678118654752440  # 1 / sqrt(2)


def _erf_small(x: np.ndarray) -> np.ndarray:
    """Cody's erf for ``|x| <= 0.46875`` (x signed): ``x P(x^2) / Q(x^2)``."""
    xsq = x * x
    num = _SMALL_NUM[4] * xsq
    den = xsq.copy()
    for i in range(3):
        num += _SMALL_NUM[i]
        num *= xsq
        den += _SMALL_DEN[i]
        den *= xsq
    return x * (num + _SMALL_NUM[3]) / (den + _SMALL_DEN[3])


def _exp_minus_square(y: np.ndarray) -> np.ndarray:
    """``exp(-y*y)`` to full relative accuracy, with ``y*y`` split as Cody does.

    ``y`` rounded down to a multiple of 1/16, ``r``, has an exact square; then
    ``exp(-y^2) = exp(-r^2) exp(-(y - r)(y + r))`` and neither factor loses digits.
    """
    r = np.trunc(y * 16.0) / 16.0
    return np.exp(-r * r) * np.exp(-(y - r) * (y + r))


def _erfc_middle(y: np.ndarray) -> np.ndarray:
    """Cody's erfc for ``0.46875 < y <= 4``: ``exp(-y^2) P(y) / Q(y)``."""
    num = _MIDDLE_NUM[8] * y
    den = y.copy()
    for i in range(7):
        num += _MIDDLE_NUM[i]
        num *= y
        den += _MIDDLE_DEN[i]
        den *= y
    return _exp_minus_square(y) * (num + _MIDDLE_NUM[7]) / (den + _MIDDLE_DEN[7])


def _erfc_tail(y: np.ndarray) -> np.ndarray:
    """Cody's erfc for ``y > 4`` (0 beyond y = 27, where erfc underflows anyway)."""
    y = np.minimum(y, 30.0)
    inv_sq = 1.0 / (y * y)
    num = _TAIL_NUM[5] * inv_sq
    den = inv_sq.copy()
    for i in range(4):
        num += _TAIL_NUM[i]
        num *= inv_sq
        den += _TAIL_DEN[i]
        den *= inv_sq
    r = inv_sq * (num + _TAIL_NUM[4]) / (den + _TAIL_DEN[4])
    return _exp_minus_square(y) * (_INV_SQRT_PI - r) / y


def _erfc_positive(y: np.ndarray) -> np.ndarray:
    """erfc(y) for ``y > 0.46875`` (or NaN), over both of Cody's erfc ranges."""
    out = np.empty_like(y)
    middle = y <= _MIDDLE_LIMIT
    out[middle] = _erfc_middle(y[middle])
    tail = ~middle  # also NaN, which stays NaN
    out[tail] = _erfc_tail(y[tail])
    return out


def erf(x) -> np.ndarray:
    r"""Error function :math:`\operatorname{erf}(x) = \frac{2}{\sqrt\pi}\int_0^x e^{-t^2}dt`.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, float64, same shape as `x`
        Accurate to a few units in the last place; ``erf(±inf) = ±1``, NaN stays NaN.

    Examples
    --------
    >>> erf(np.array([0.0, 0.5, -2.0]))
    array([ 0.        ,  0.52049988, -0.99532227])
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) <= _SMALL_LIMIT
    out[small] = _erf_small(x[small])
    large = x[~small]
    out[~small] = np.copysign((0.5 - _erfc_positive(np.abs(large))) + 0.5, large)
    return out


def erfc(x) -> np.ndarray:
    r"""Complementary error function :math:`\operatorname{erfc}(x) = 1 - \operatorname{erf}(x)`.

    Computed directly (not as ``1 - erf``), so it keeps its relative accuracy in the tail.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, float64, same shape as `x`
        ``erfc(-inf) = 2``, ``erfc(inf) = 0``, NaN stays NaN.

    Examples
    --------
    >>> erfc(np.array([0.0, 1.0, 10.0]))
    array([1.00000000e+00, 1.57299207e-01, 2.08848758e-45])
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) <= _SMALL_LIMIT
    out[small] = 1.0 - _erf_small(x[small])
    large = x[~small]
    tail = _erfc_positive(np.abs(large))
    out[~small] = np.where(large < 0, 2.0 - tail, tail)
    return out


def normal_cdf(z) -> np.ndarray:
    r"""Evaluate the standard normal CDF :math:`\Phi(z) = \tfrac12\operatorname{erfc}(-z/\sqrt2)`.

    The erfc form keeps full relative accuracy for :math:`z \ll 0`, where
    :math:`\tfrac12(1 + \operatorname{erf}(z/\sqrt2))` would cancel.

    Parameters
    ----------
    z : array_like, any shape

    Returns
    -------
    ndarray, float64, same shape as `z`
        A new array, also for 0-d input.

    Examples
    --------
    >>> normal_cdf(np.array([0.0, -1.0, -10.0]))
    array([5.00000000e-01, 1.58655254e-01, 7.61985302e-24])
    """
    cdf = erfc(-_INV_SQRT_2 * np.asarray(z, dtype=np.float64))
    cdf *= 0.5
    return cdf
