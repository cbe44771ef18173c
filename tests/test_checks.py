"""Tests of nnlib._checks, the validation helpers every public function uses."""

import math

import numpy as np
import pytest

from nnlib._checks import check_batch, check_number, check_targets, check_unit_interval


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


# ------------------------------------------------------------------ check_batch


def test_check_batch_passes_a_good_array_through_and_converts_the_rest():
    X = np.ones((4, 3))
    assert check_batch(X, 3) is X  # no copy on the fast path
    converted = check_batch([[1, 2, 3]], 3, dtype=np.float32)
    assert converted.dtype == np.float32 and converted.shape == (1, 3)


def test_check_batch_names_the_shape_and_the_fix():
    with pytest.raises(
        ValueError, match=r"^X must have shape \(N, 3\) .* got \(3,\); for a single"
    ):
        check_batch(np.ones(3), 3)
    with pytest.raises(ValueError, match=r"^X_val must have shape \(N, 3\) .* got \(2, 4\)$"):
        check_batch(np.ones((2, 4)), 3, "X_val")
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        check_batch("pixels", 3)


def test_check_batch_counts_non_finite_entries_and_rows():
    X = np.ones((5, 2))
    X[1, 0] = X[1, 1] = np.nan  # 2 entries in row 1
    X[3, 1] = np.inf  # 1 entry in row 3
    with pytest.raises(
        ValueError, match=r"X contains NaN or inf \(3 entries in 2 rows, first in row 1\)"
    ):
        check_batch(X, 2)


# ------------------------------------------------------------------ check_targets


def test_check_targets_returns_labels_as_given_and_rows_as_float64():
    labels = np.array([2, 0, 1], dtype=np.int32)
    assert check_targets(labels, 3, 3, labels=True) is labels
    rows = check_targets(np.eye(3, dtype=int), 3, 3, labels=True)
    assert rows.dtype == np.float64
    assert check_targets([[1], [0]], 2, 1, labels=False, binary=True).dtype == np.float64


@pytest.mark.parametrize(
    ("y", "n_outputs", "labels", "error", "match"),
    [
        (
            None,
            3,
            True,
            TypeError,
            r"^y must be an array of targets, one per row of X, got NoneType",
        ),
        (3, 3, True, TypeError, "y must be an array of targets"),
        (np.array(["a", "b"]), 3, True, TypeError, "y must be an array of numbers"),
        ([0.0, 1.0], 3, True, TypeError, r"integer class labels.*y.astype\(int\)"),
        ([0, 3], 3, True, ValueError, r"labels in y must be in \[0, 3\) for 3 classes, got 3"),
        ([0, 1, 2], 3, True, ValueError, r"got shape \(3,\); y must have one row per row of X"),
        ([[0], [1]], 3, True, ValueError, r"got shape \(2, 1\); .* y.ravel\(\) of shape \(2,\)"),
        (np.eye(4)[:2], 3, True, ValueError, r"one-hot rows of shape \(2, 3\) for X with 2 rows"),
        ([[np.nan, 1, 0], [1, 0, 0]], 3, True, ValueError, "y must contain only finite values"),
        ([0, 1], 1, False, ValueError, r"got \(2,\); the output has one unit, so pass y.reshape"),
        ([0, 1], 3, False, ValueError, r"nnlib.datasets.one_hot\(y, 3\)"),
        (np.ones((3, 3)), 3, False, ValueError, r"must have shape \(2, 3\), .* for X with 2 rows"),
    ],
)
def test_check_targets_says_what_is_wrong_and_how_to_fix_it(y, n_outputs, labels, error, match):
    with pytest.raises(error, match=match):
        check_targets(y, 2, n_outputs, labels=labels)


def test_check_targets_binary_refuses_values_outside_the_unit_interval_nan_included():
    with pytest.raises(
        ValueError, match=r"^y must be in \[0, 1\], got values such as 2.0 \(binary"
    ):
        check_targets([[0.0], [2.0]], 2, 1, labels=False, binary=True)
    with pytest.raises(ValueError, match=r"got values such as nan \(binary targets"):
        check_targets([[0.0], [np.nan]], 2, 1, labels=False, binary=True)
    # without binary, any finite value is a target (regression)
    assert check_targets([[-5.0], [2.0]], 2, 1, labels=False)[0, 0] == -5.0


def test_check_targets_names_the_argument_and_the_rows():
    with pytest.raises(
        ValueError,
        match=r"^validation_data\[1\] must have shape \(2, 1\), .*"
        r"validation_data\[0\] with 2 rows",
    ):
        check_targets(
            np.ones((3, 1)),
            2,
            1,
            labels=False,
            name="validation_data[1]",
            rows="validation_data[0]",
        )


def test_check_unit_interval_names_an_offending_value_and_adds_the_hint():
    check_unit_interval(np.array([0.0, 0.5, 1.0]), "p")
    with pytest.raises(
        ValueError, match=r"^p must be in \[0, 1\], got values such as -0.5 \(why\)$"
    ):
        check_unit_interval(np.array([0.2, -0.5]), "p", " (why)")
