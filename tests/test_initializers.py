"""Tests for nnlib.initializers: shapes, scales, determinism, validation, registry."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import initializers as ini

RANDOM = ["normal", "uniform", "xavier_normal", "xavier_uniform", "he_normal", "he_uniform",
          "lecun_normal", "glorot_normal", "glorot_uniform"]  # fmt: skip

# Expected standard deviation of each rule (uniform on [-a, a] has std a / sqrt(3)).
EXPECTED_STD = {
    "xavier_normal": lambda fi, fo: math.sqrt(2 / (fi + fo)),
    "xavier_uniform": lambda fi, fo: math.sqrt(6 / (fi + fo)) / math.sqrt(3),
    "he_normal": lambda fi, fo: math.sqrt(2 / fi),
    "he_uniform": lambda fi, fo: math.sqrt(6 / fi) / math.sqrt(3),
    "lecun_normal": lambda fi, fo: math.sqrt(1 / fi),
}
UNIFORM_BOUND = {
    "xavier_uniform": lambda fi, fo: math.sqrt(6 / (fi + fo)),
    "he_uniform": lambda fi, fo: math.sqrt(6 / fi),
}


def std_matches(W, expected_std, uniform=False, z=6.0):
    """True when W's sample std is within z standard errors of `expected_std`.

    For n iid draws, the sample std has relative standard error sqrt(0.5 / n) for a
    normal (Var(s^2) = 2 sigma^4 / n) and sqrt(0.2 / n) for a uniform (Var(s^2) =
    (mu4 - sigma^4) / n with mu4 = a^4 / 5, sigma^4 = a^4 / 9, i.e. 0.8 sigma^4 / n).
    z = 6 makes a false failure a ~1e-9 event.
    """
    n = W.size
    rel_se = math.sqrt((0.2 if uniform else 0.5) / n)
    return abs(W.std() / expected_std - 1) < z * rel_se


def mean_matches_zero(W, expected_std, z=6.0):
    """True when |mean(W)| is within z standard errors (std / sqrt(n)) of 0."""
    return abs(W.mean()) < z * expected_std / math.sqrt(W.size)


# ----------------------------------------------------------------------------- shape, dtype


@pytest.mark.parametrize("name", ini.INITIALIZERS)
def test_shape_and_default_dtype(name):
    W = ini.get_initializer(name)(3, 5, rng=0)
    assert W.shape == (3, 5)
    assert W.dtype == np.float64


@pytest.mark.parametrize("name", ini.INITIALIZERS)
def test_float32_dtype_is_the_float64_draw_rounded(name):
    f = getattr(ini, name)
    W64 = f(4, 6, rng=1)
    W32 = f(4, 6, rng=1, dtype=np.float32)
    assert W32.dtype == np.float32
    np.testing.assert_array_equal(W32, W64.astype(np.float32))


def test_registry_lists_every_rule_and_aliases_are_the_same_functions():
    assert set(ini.INITIALIZERS) == {
        "zeros", "constant", "normal", "uniform", "xavier_normal", "xavier_uniform",
        "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal",
    }  # fmt: skip
    assert ini.glorot_normal is ini.xavier_normal
    assert ini.glorot_uniform is ini.xavier_uniform
    a = ini.get_initializer("glorot_uniform")(30, 20, rng=7)
    b = ini.get_initializer("xavier_uniform")(30, 20, rng=7)
    np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------------- values


def test_zeros_and_constant_values():
    np.testing.assert_array_equal(ini.zeros(2, 3), np.zeros((2, 3)))
    np.testing.assert_array_equal(ini.constant(2, 3), np.zeros((2, 3)))  # default value 0
    np.testing.assert_array_equal(ini.constant(2, 3, value=-1.5), np.full((2, 3), -1.5))


def test_non_default_std_and_bound_take_effect():
    # normal(std=0.5) at 1000 x 1000: sample std within 6 * sqrt(0.5 / 1e6) ~ 0.4 % of 0.5
    W = ini.normal(1000, 1000, rng=0, std=0.5)
    assert std_matches(W, 0.5)
    assert not std_matches(W, 0.01)  # the default would be 50x smaller
    # uniform(bound=2): all |w| <= 2, std = 2 / sqrt(3) = 1.1547, max |w| close to 2
    U = ini.uniform(1000, 1000, rng=0, bound=2.0)
    assert np.abs(U).max() <= 2.0
    assert np.abs(U).max() > 1.99
    assert std_matches(U, 2 / math.sqrt(3), uniform=True)


def test_default_std_and_bound():
    assert std_matches(ini.normal(1000, 1000, rng=0), 0.01)
    U = ini.uniform(1000, 1000, rng=0)
    assert np.abs(U).max() <= 0.05
    assert std_matches(U, 0.05 / math.sqrt(3), uniform=True)


@pytest.mark.parametrize("name", sorted(EXPECTED_STD))
def test_std_at_large_fan_in(name):
    # fan_in = fan_out = 1000: n = 1e6 draws, relative standard error of the std is
    # sqrt(0.5 / 1e6) = 0.07 % (normal), so a 6-sigma band is +-0.42 %.
    f = getattr(ini, name)
    W = f(1000, 1000, rng=0)
    want = EXPECTED_STD[name](1000, 1000)
    uniform = name.endswith("uniform")
    assert std_matches(W, want, uniform=uniform)
    assert mean_matches_zero(W, want)
    if uniform:
        bound = UNIFORM_BOUND[name](1000, 1000)
        assert np.abs(W).max() <= bound
        assert np.abs(W).max() > 0.999 * bound  # reaches (nearly) the bound


def test_hand_computed_scales():
    # He: fan_in = 800 -> std = sqrt(2 / 800) = sqrt(0.0025) = 0.05
    assert EXPECTED_STD["he_normal"](800, 1) == pytest.approx(0.05)
    assert std_matches(ini.he_normal(800, 1000, rng=3), 0.05)
    # Glorot: fan_in + fan_out = 300 + 500 = 800 -> std = sqrt(2 / 800) = 0.05,
    # uniform bound sqrt(6 / 800) = 0.0866
    assert std_matches(ini.xavier_normal(300, 500, rng=3), 0.05)
    assert np.abs(ini.xavier_uniform(300, 500, rng=3)).max() <= math.sqrt(6 / 800)
    # LeCun: fan_in = 400 -> std = sqrt(1 / 400) = 0.05
    assert std_matches(ini.lecun_normal(400, 500, rng=3), 0.05)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(sorted(EXPECTED_STD)),
    fan_in=st.integers(200, 600),
    fan_out=st.integers(200, 600),
    seed=st.integers(0, 2**32 - 1),
)
def test_std_within_sampling_tolerance(name, fan_in, fan_out, seed):
    W = getattr(ini, name)(fan_in, fan_out, rng=seed)
    assert W.shape == (fan_in, fan_out)
    want = EXPECTED_STD[name](fan_in, fan_out)
    uniform = name.endswith("uniform")
    assert std_matches(W, want, uniform=uniform)
    assert mean_matches_zero(W, want)
    if uniform:
        assert np.abs(W).max() <= UNIFORM_BOUND[name](fan_in, fan_out)


def test_std_check_catches_the_facts_he_mistake_and_lecun():
    # FACTS.md: a frequent mistake writes He as randn / sqrt(2 / fan_in), which has std
    # sqrt(fan_in / 2) = sqrt(500) = 22.4 instead of sqrt(2 / 1000) = 0.0447 (500x too big).
    fan_in = fan_out = 1000
    randn = np.random.default_rng(0).standard_normal((fan_in, fan_out))
    wrong = randn / math.sqrt(2 / fan_in)
    want = math.sqrt(2 / fan_in)
    assert not std_matches(wrong, want)
    # LeCun's sqrt(1 / fan_in) is He without the factor 2: off by sqrt(2), also caught.
    assert not std_matches(ini.lecun_normal(fan_in, fan_out, rng=0), want)
    # the right form randn * sqrt(2 / fan_in) = randn / sqrt(fan_in / 2) passes,
    # and he_normal draws exactly that from the same generator state.
    right = randn * math.sqrt(2 / fan_in)
    assert std_matches(right, want)
    np.testing.assert_allclose(ini.he_normal(fan_in, fan_out, rng=0), right, rtol=1e-15)


# ----------------------------------------------------------------------------- randomness


@pytest.mark.parametrize("name", RANDOM)
def test_determinism_given_rng(name):
    f = getattr(ini, name)
    np.testing.assert_array_equal(f(20, 30, rng=5), f(20, 30, rng=5))
    a = f(20, 30, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a, f(20, 30, rng=5))  # int seed == Generator(seed)


@pytest.mark.parametrize("name", RANDOM)
def test_different_seeds_and_successive_draws_differ(name):
    f = getattr(ini, name)
    assert not np.array_equal(f(20, 30, rng=0), f(20, 30, rng=1))
    g = np.random.default_rng(0)
    assert not np.array_equal(f(20, 30, rng=g), f(20, 30, rng=g))  # generator advances


def test_global_rng_untouched():
    # reading the legacy global state is the point of this test
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    ini.he_normal(10, 10, rng=0)
    ini.he_normal(10, 10)  # rng=None: fresh Generator, not the global state
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("name", ini.INITIALIZERS)
@pytest.mark.parametrize(
    ("fan_in", "fan_out", "exc", "arg"),
    [
        (0, 3, ValueError, "fan_in"),
        (-2, 3, ValueError, "fan_in"),
        (3, 0, ValueError, "fan_out"),
        (3, -1, ValueError, "fan_out"),
        (2.0, 3, TypeError, "fan_in"),
        (3, 2.5, TypeError, "fan_out"),
        (True, 3, TypeError, "fan_in"),
        (3, False, TypeError, "fan_out"),
    ],
)
def test_invalid_fans_raise_naming_the_argument(name, fan_in, fan_out, exc, arg):
    with pytest.raises(exc, match=arg):
        getattr(ini, name)(fan_in, fan_out, rng=0)


def test_numpy_integer_fans_are_accepted():
    assert ini.he_normal(np.int64(3), np.int32(2), rng=0).shape == (3, 2)


@pytest.mark.parametrize(
    ("func", "kwargs", "exc", "match"),
    [
        (ini.normal, {"std": 0.0}, ValueError, r"std must be in \(0, inf\), got 0.0"),
        (ini.normal, {"std": -0.1}, ValueError, "std"),
        (ini.normal, {"std": float("nan")}, ValueError, "std"),
        (ini.normal, {"std": "0.1"}, TypeError, "std"),
        (ini.normal, {"std": True}, TypeError, "std"),
        (ini.uniform, {"bound": 0}, ValueError, "bound"),
        (ini.uniform, {"bound": -1.0}, ValueError, "bound"),
        (ini.uniform, {"bound": None}, TypeError, "bound"),
        (ini.constant, {"value": float("inf")}, ValueError, "value must be finite"),
        (ini.constant, {"value": "1"}, TypeError, "value"),
        (ini.he_normal, {"dtype": np.int64}, ValueError, "dtype"),
        (ini.zeros, {"dtype": "banana"}, TypeError, "dtype"),
    ],
)
def test_invalid_hyper_parameters_raise_naming_them(func, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        func(3, 2, rng=0, **kwargs)


def test_bad_rng_raises():
    with pytest.raises(TypeError, match="rng"):
        ini.he_normal(3, 2, rng="seed")


# ----------------------------------------------------------------------------- get_initializer


def test_get_initializer_binds_hyper_parameters():
    init = ini.get_initializer("normal", std=0.5)
    assert repr(init) == "Initializer('normal', std=0.5)"
    assert std_matches(init(1000, 1000, rng=0), 0.5)
    np.testing.assert_array_equal(init(3, 4, rng=2), ini.normal(3, 4, rng=2, std=0.5))
    assert ini.get_initializer("he_normal", dtype=np.float32)(3, 4, rng=0).dtype == np.float32
    assert ini.get_initializer("constant", value=2.0)(1, 2).tolist() == [[2.0, 2.0]]


def test_get_initializer_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown init 'kaiming'.*'he_normal'"):
        ini.get_initializer("kaiming")


def test_get_initializer_unknown_hyper_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="'sd'; valid: 'std', 'dtype'"):
        ini.get_initializer("normal", sd=0.1)
    with pytest.raises(TypeError, match="he_normal got an unexpected hyper-parameter 'std'"):
        ini.get_initializer("he_normal", std=0.1)


def test_get_initializer_validates_values_eagerly():
    with pytest.raises(ValueError, match="std"):
        ini.get_initializer("normal", std=-1.0)


def test_get_initializer_accepts_callables_and_initializers():
    def ones(fan_in, fan_out, rng=None, scale=1.0):
        return np.full((fan_in, fan_out), scale)

    init = ini.get_initializer(ones, scale=3.0)
    assert init.name == "ones"
    assert init(2, 2).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert ini.get_initializer(init) is init
    rebound = ini.get_initializer(init, scale=4.0)
    assert rebound(1, 1).tolist() == [[4.0]]


@pytest.mark.parametrize("bad", [None, 3, 1.5])
def test_get_initializer_rejects_non_names(bad):
    with pytest.raises(TypeError, match="init must be an initializer name"):
        ini.get_initializer(bad)
