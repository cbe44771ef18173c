"""Tests for nnlib.optimizers.ema: the loop it replaces, FACTS' example, invariants, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib import optimizers as O


def ema_loop(x, beta, bias_correction=False):
    """The algorithm box written as a plain loop over time (the reference)."""
    x = np.asarray(x, dtype=np.float64)
    v = np.zeros(x.shape[1:])
    out = np.empty_like(x)
    for t in range(1, len(x) + 1):
        v = beta * v + (1 - beta) * x[t - 1]
        out[t - 1] = v / (1 - beta**t) if bias_correction else v
    return out


def test_constant_10_with_beta_098_facts():
    # FACTS: raw EMA of a constant 10 with beta = 0.98 is 0.200, 0.396, 0.588 at t = 1, 2, 3
    # (10 (1 - 0.98^t)); the corrected one is 10 each time.
    raw = O.ema(np.full(3, 10.0), 0.98)
    np.testing.assert_allclose(raw, [0.2, 0.396, 0.58808], rtol=1e-13)
    assert [round(v, 3) for v in raw] == [0.2, 0.396, 0.588]
    corrected = O.ema(np.full(3, 10.0), 0.98, bias_correction=True)
    np.testing.assert_allclose(corrected, [10.0, 10.0, 10.0], rtol=1e-13)


def test_first_steps_by_hand():
    # x = 4, 2, 8 with beta = 0.5: v1 = 2, v2 = 1 + 1 = 2, v3 = 1 + 4 = 5;
    # corrected: 2 / 0.5 = 4, 2 / 0.75, 5 / 0.875.
    x = [4.0, 2.0, 8.0]
    np.testing.assert_allclose(O.ema(x, 0.5), [2.0, 2.0, 5.0], rtol=1e-15)
    np.testing.assert_allclose(
        O.ema(x, 0.5, bias_correction=True), [4.0, 2.0 / 0.75, 5.0 / 0.875], rtol=1e-15
    )


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98, 0.999])
@pytest.mark.parametrize("T", [1, 2, 3, 5, 8, 33, 1000, 10_000])
@pytest.mark.parametrize("bias_correction", [False, True])
def test_matches_the_loop(beta, T, bias_correction):
    # Positive data (mean 5): the relative error then measures the scan, not cancellation.
    rng = np.random.default_rng(T)
    x = 5.0 + rng.normal(size=(T, 3))
    got = O.ema(x, beta, bias_correction)
    ref = ema_loop(x, beta, bias_correction)
    assert got.shape == x.shape and got.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=0)


@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=70),
        elements=st.floats(-1e6, 1e6, width=64),
    ),
    beta=st.floats(0.0, 0.9999),
    bias_correction=st.booleans(),
)
def test_matches_the_loop_for_any_beta_and_shape(x, beta, bias_correction):
    # Any beta in [0, 1), any shape: within a few roundings of the largest |x| (the scan
    # adds the same terms in another order).
    got = O.ema(x, beta, bias_correction)
    ref = ema_loop(x, beta, bias_correction)
    scale = max(1.0, float(np.max(np.abs(x))))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-13 * scale)


def test_matches_the_loop_on_signed_data_in_several_dimensions():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(500, 2, 3))
    got = O.ema(x, 0.9, bias_correction=True)
    ref = ema_loop(x, 0.9, bias_correction=True)
    assert got.shape == (500, 2, 3)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)
    # each column is averaged on its own: the same as the 1-D call per column
    np.testing.assert_allclose(got[:, 1, 2], O.ema(x[:, 1, 2], 0.9, True), rtol=1e-15)


def test_no_overflow_where_the_cumsum_shortcut_fails():
    # beta^t * cumsum(beta^-s b_s) overflows at s ~ 6700 for beta = 0.9; the scan does not.
    x = np.ones(20_000)
    v = O.ema(x, 0.9)
    assert np.all(np.isfinite(v))
    np.testing.assert_allclose(v[-1], 1.0, rtol=1e-14)  # 1 - 0.9^20000 = 1
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.arange(1, 20_001)
        shortcut = 0.9**s * np.cumsum(0.9 ** (-s) * 0.1 * x)
    assert not np.all(np.isfinite(shortcut))  # why ema does not use it


def test_beta_zero_returns_x_and_correction_changes_nothing():
    x = np.array([3.0, -1.0, 2.5])
    np.testing.assert_array_equal(O.ema(x, 0.0), x)
    np.testing.assert_array_equal(O.ema(x, 0.0, bias_correction=True), x)


def test_invariants_constant_and_linearity():
    rng = np.random.default_rng(3)
    T, beta = 200, 0.95
    t = np.arange(1, T + 1)
    # a constant c: raw v_t = c (1 - beta^t), corrected = c exactly (up to rounding)
    np.testing.assert_allclose(O.ema(np.full(T, -2.0), beta), -2.0 * (1 - beta**t), rtol=1e-13)
    np.testing.assert_allclose(O.ema(np.full(T, -2.0), beta, True), -2.0, rtol=1e-13)
    # linear in x
    a, b = rng.normal(size=T), rng.normal(size=T)
    np.testing.assert_allclose(
        O.ema(2 * a - 3 * b, beta), 2 * O.ema(a, beta) - 3 * O.ema(b, beta), atol=1e-13
    )
    # the corrected average is a weighted mean: within the range of the values seen so far
    x = rng.uniform(-1, 4, size=T)
    c = O.ema(x, beta, True)
    assert np.all(c <= np.maximum.accumulate(x) + 1e-12)
    assert np.all(c >= np.minimum.accumulate(x) - 1e-12)


def test_window_weight_of_a_single_impulse():
    # An impulse at t = 1: v_t = (1 - beta) beta^(t-1); after 1/(1 - beta) = 10 steps the
    # weight has fallen to ~1/e of the first (0.9^10 = 0.349).
    x = np.zeros(11)
    x[0] = 1.0
    v = O.ema(x, 0.9)
    np.testing.assert_allclose(v, 0.1 * 0.9 ** np.arange(11), rtol=1e-14)
    assert round(v[10] / v[0], 3) == 0.349


def test_does_not_modify_x_and_keeps_float32():
    x = np.linspace(1, 2, 50, dtype=np.float32)
    before = x.copy()
    v = O.ema(x, 0.9, True)
    np.testing.assert_array_equal(x, before)
    assert v.dtype == np.float32
    np.testing.assert_allclose(v, ema_loop(x.astype(np.float64), 0.9, True), rtol=1e-6)
    assert O.ema([1, 2, 3], 0.5).dtype == np.float64  # integers become float64


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        (([1.0, 2.0], 1.0), ValueError, r"^beta must be in \[0, 1\), got 1.0"),
        (([1.0, 2.0], -0.1), ValueError, r"^beta must be in \[0, 1\), got -0.1"),
        (([1.0, 2.0], "0.9"), TypeError, r"^beta must be a real number, got str"),
        (([1.0, 2.0], 0.9, "yes"), TypeError, r"^bias_correction must be True or False"),
        ((["a", "b"], 0.9), TypeError, r"^x must be an array of numbers"),
        ((None, 0.9), TypeError, r"^x must be an array of numbers"),
        (([], 0.9), ValueError, r"^x must have a time axis .* got shape \(0,\)"),
        ((np.zeros((0, 3)), 0.9), ValueError, r"^x must have .* got shape \(0, 3\)"),
        ((3.0, 0.9), ValueError, r"^x must have a time axis .* got shape \(\)"),
        (([1.0, np.nan], 0.9), ValueError, r"^x must contain only finite values"),
    ],
)
def test_bad_input_names_the_argument(args, error, pattern):
    with pytest.raises(error, match=pattern):
        O.ema(*args)
