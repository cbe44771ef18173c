"""Tests of nnlib._checks, the validation helpers every public function uses."""

import math

import numpy as np
import pytest

from nnlib._checks import check_number


@pytest.mark.parametrize("bad", [math.inf, -math.inf, np.float32("inf"), np.array(-np.inf)])
def test_check_number_finite_refuses_infinity_naming_the_argument(bad):
    with pytest.raises(ValueError, match=r"^b must be finite, got -?inf$"):
        check_number(bad, "b", finite=True)


@pytest.mark.parametrize("good", [0, -3, 2.5, 1e308, -1e308, np.float32(7.0), np.array(4.0)])
def test_check_number_finite_passes_finite_numbers_through(good):
    value = check_number(good, "b", finite=True)
    assert type(value) is float
    assert value == float(good)


def test_check_number_lets_infinity_through_by_default():
    assert check_number(math.inf, "b") == math.inf
    assert check_number(-math.inf, "b", high=0) == -math.inf


def test_check_number_finite_keeps_the_other_checks():
    with pytest.raises(ValueError, match=r"^b must be a number, got nan$"):
        check_number(math.nan, "b", finite=True)
    with pytest.raises(TypeError, match=r"^b must be a real number, got bool True$"):
        check_number(True, "b", finite=True)
    with pytest.raises(ValueError, match=r"^lr must be in \(0, inf\), got 0.0$"):
        check_number(0.0, "lr", low=0, low_open=True, finite=True)
    # a bounded side still gives the range message for the infinity beyond it
    with pytest.raises(ValueError, match=r"^alpha must be in \[0, inf\), got -inf$"):
        check_number(-math.inf, "alpha", low=0, finite=True)
    with pytest.raises(ValueError, match=r"^alpha must be finite, got inf$"):
        check_number(math.inf, "alpha", low=0, finite=True)
