"""Tests for nnlib.datasets: logic gates, toy generators, digits, splitting, scaling, one-hot."""

import hashlib
import math
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import datasets as ds

# --------------------------------------------------------------------------- logic gates

INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
TRUTH = {
    "and": lambda a, b: a & b,
    "or": lambda a, b: a | b,
    "nand": lambda a, b: 1 - (a & b),
    "nor": lambda a, b: 1 - (a | b),
    "xor": lambda a, b: a ^ b,
}


@pytest.mark.parametrize("gate", sorted(TRUTH))
def test_logic_gate_binary_truth_table(gate):
    X, y = ds.logic_gate(gate)
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, np.array(INPUTS, dtype=float))
    np.testing.assert_array_equal(y, [TRUTH[gate](a, b) for a, b in INPUTS])


def test_logic_gate_names_and_order():
    # The same names in the same order as nnlib.classic.GATES (one list for both).
    assert ds.GATES == ("and", "or", "not", "nand", "nor", "xor")
    assert set(ds.GATES) == set(TRUTH) | {"not"}
    with pytest.raises(ValueError, match="valid names are: 'and', 'or', 'not', 'nand', 'nor'"):
        ds.logic_gate("xnor")


@pytest.mark.parametrize("gate", [*sorted(TRUTH), "not"])
def test_logic_gate_bipolar_is_binary_with_minus_one_for_zero(gate):
    Xb, yb = ds.logic_gate(gate, encoding="binary")
    X, y = ds.logic_gate(gate, encoding="bipolar")
    np.testing.assert_array_equal(X, 2 * Xb - 1)
    np.testing.assert_array_equal(y, 2 * yb - 1)
    assert set(np.unique(X)) == {-1.0, 1.0} and set(np.unique(y)) <= {-1, 1}


def test_logic_gate_bipolar_and_matches_fausett_patterns():
    # Fausett sec. 2.2 lists (1,1)->1, (1,-1)->-1, (-1,1)->-1, (-1,-1)->-1: our rows reversed.
    X, y = ds.logic_gate("and", "bipolar")
    np.testing.assert_array_equal(X[::-1], [[1, 1], [1, -1], [-1, 1], [-1, -1]])
    np.testing.assert_array_equal(y[::-1], [1, -1, -1, -1])


def test_logic_gate_not():
    X, y = ds.logic_gate("not")
    assert X.shape == (2, 1) and y.shape == (2,)
    np.testing.assert_array_equal(y, 1 - X[:, 0])


def test_logic_gate_returns_fresh_arrays():
    X, y = ds.logic_gate("or")
    X[:] = 7
    y[:] = 7
    X2, y2 = ds.logic_gate("or")
    assert X2.max() == 1 and y2.max() == 1


def test_logic_gate_bad_input():
    with pytest.raises(ValueError, match="unknown gate 'xnor'; valid names are: 'and'"):
        ds.logic_gate("xnor")
    with pytest.raises(ValueError, match="unknown encoding 'signed'"):
        ds.logic_gate("and", encoding="signed")
    with pytest.raises(TypeError, match="gate must be a string"):
        ds.logic_gate(1)


# ----------------------------------------------------------------------- toy generators

GENERATORS = {
    "blobs": lambda n, rng, **kw: ds.blobs(n, rng=rng, **kw),
    "moons": lambda n, rng, **kw: ds.moons(n, rng=rng, **kw),
    "circles": lambda n, rng, **kw: ds.circles(n, rng=rng, **kw),
    "xor": lambda n, rng, **kw: ds.xor(n, rng=rng, **kw),
    "spirals": lambda n, rng, **kw: ds.spirals(n, rng=rng, **kw),
}
N_CLASSES = {"blobs": 3, "moons": 2, "circles": 2, "xor": 2, "spirals": 3}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_shapes_dtypes_balance(name):
    X, y = GENERATORS[name](301, 0)
    k = N_CLASSES[name]
    assert X.shape == (301, 2) and X.dtype == np.float64
    assert y.shape == (301,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=k)
    # 301 = 3 * 100 + 1 (first class gets the extra one) or 2 * 150 + 1
    assert counts.tolist() == ([101, 100, 100] if k == 3 else [151, 150])
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_deterministic_given_rng(name):
    X1, y1 = GENERATORS[name](50, 7)
    X2, y2 = GENERATORS[name](50, np.random.default_rng(7))
    X3, _ = GENERATORS[name](50, 8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_rows_are_shuffled(name):
    _, y = GENERATORS[name](200, 0)
    assert not np.all(np.diff(y) >= 0)  # not sorted by class


@pytest.mark.parametrize("name", ["moons", "circles", "xor"])
def test_noise_is_gaussian_scaled_by_noise(name):
    # Same seed -> same standard normals and same shuffle, so X(noise) = X(0) + noise * Z:
    # the displacement is exactly linear in `noise`, and its std is about `noise`.
    X0, y0 = GENERATORS[name](4000, 3, noise=0.0)
    X1, y1 = GENERATORS[name](4000, 3, noise=0.1)
    X2, _ = GENERATORS[name](4000, 3, noise=0.2)
    np.testing.assert_array_equal(y0, y1)
    np.testing.assert_allclose(X2 - X0, 2 * (X1 - X0), atol=1e-12)
    assert abs((X1 - X0).std() - 0.1) < 0.005


def test_blobs_std_takes_effect_and_centres_on_circle():
    X, y = ds.blobs(9, centers=3, std=0.0, rng=0)
    # K = 3 centres on a circle of radius 4: angles 0, 120, 240 degrees.
    for c, angle in enumerate([0.0, 2 * np.pi / 3, 4 * np.pi / 3]):
        np.testing.assert_allclose(X[y == c], [[4 * np.cos(angle), 4 * np.sin(angle)]] * 3)
    X, y = ds.blobs(3000, centers=3, std=0.5, rng=0)
    spread = np.mean([X[y == c].std(axis=0) for c in range(3)])
    assert abs(spread - 0.5) < 0.03


def test_blobs_explicit_centres_any_dimension():
    X, y = ds.blobs(40, centers=[[0, 0, 0], [5, 5, 5]], std=0.0, rng=1)
    assert X.shape == (40, 3)
    np.testing.assert_array_equal(X[y == 1], 5.0)
    np.testing.assert_array_equal(np.bincount(y), [20, 20])


def test_moons_geometry_without_noise():
    X, y = ds.moons(100, noise=0.0, rng=0)
    upper, lower = X[y == 0], X[y == 1]
    # class 0: upper unit half circle; class 1: lower half of the unit circle around (1, .5)
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_circles_factor_takes_effect():
    X, y = ds.circles(100, noise=0.0, factor=0.3, rng=0)
    r = np.hypot(*X.T)
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_xor_corners_and_labels():
    X, y = ds.xor(16, noise=0.0, rng=0)
    assert set(map(tuple, X.tolist())) == {(-1, -1), (-1, 1), (1, -1), (1, 1)}
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    # each corner gets 16 / 4 = 4 points
    _, counts = np.unique(X, axis=0, return_counts=True)
    assert counts.tolist() == [4, 4, 4, 4]


def test_spirals_geometry_without_noise():
    K = 4
    X, y = ds.spirals(400, classes=K, noise=0.0, rng=0)
    r = np.hypot(*X.T)
    # the angle t = 2 pi c / K + 4 r (mod 2 pi), checked where r > 0
    t = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * y / K + 4 * r
    diff = np.angle(np.exp(1j * (t - expected)))
    assert np.all(np.abs(diff) < 1e-9)
    # 100 points per class, radii 1/100, 2/100, ..., 1: the origin is left out
    for c in range(K):
        np.testing.assert_allclose(np.sort(r[y == c]), np.arange(1, 101) / 100)


@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_spirals_have_no_point_at_the_origin(noise):
    # cs231n's radii start at 0, which puts one point per class at (0, 0): a ReLU kink for
    # every first-layer unit of a zero-bias network. The smallest radius here is 1 / n_c.
    for n, classes in [(3, 3), (7, 2), (300, 3), (1000, 5)]:
        X, y = ds.spirals(n, classes=classes, noise=noise, rng=0)
        r = np.hypot(*X.T)
        smallest = 1 / np.bincount(y)  # 1 / n_c per class
        np.testing.assert_allclose([r[y == c].min() for c in range(classes)], smallest)
        assert np.all(np.any(X != 0, axis=1))


def test_spirals_noise_moves_the_angle_not_the_radius():
    X0, _ = ds.spirals(300, noise=0.0, rng=2)
    X1, _ = ds.spirals(300, noise=0.5, rng=2)
    np.testing.assert_allclose(np.hypot(*X0.T), np.hypot(*X1.T))
    assert not np.allclose(X0, X1)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    n=st.integers(3, 120),
    seed=st.integers(0, 2**32 - 1),
)
def test_generator_properties(name, n, seed):
    X, y = GENERATORS[name](n, seed)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert np.all(np.isfinite(X))
    counts = np.bincount(y, minlength=N_CLASSES[name])
    assert counts.max() - counts.min() <= 1
    assert np.all(np.any(X != 0, axis=1))  # no point exactly at the origin (a ReLU kink)
    X2, y2 = GENERATORS[name](n, seed)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


def test_generator_bad_input():
    with pytest.raises(ValueError, match=r"n must be at least the number of classes \(3\)"):
        ds.spirals(2, classes=3, rng=0)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        ds.moons(0, rng=0)
    with pytest.raises(TypeError, match="n must be an integer"):
        ds.moons(10.0, rng=0)
    with pytest.raises(ValueError, match=r"noise must be in \[0, inf\)"):
        ds.moons(10, noise=-0.1, rng=0)
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        ds.circles(10, factor=1.0, rng=0)
    with pytest.raises(ValueError, match="std must be"):
        ds.blobs(10, std=-1, rng=0)
    with pytest.raises(ValueError, match="centers must be a 2-D array"):
        ds.blobs(10, centers=[1, 2], rng=0)
    with pytest.raises(ValueError, match="classes must be an integer >= 2"):
        ds.spirals(10, classes=1, rng=0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        ds.xor(10, rng="seed")


# ------------------------------------------------------------------------------- digits


@pytest.fixture(scope="module")
def digits():
    return ds.load_digits()


def test_digits_file_checksum_matches_constant():
    path = ds._DIGITS_PATH
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ds.DIGITS_SHA256


def test_digits_shape_values_classes(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))  # integers 0..16
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    # the first image is a 0; its top row as in scikit-learn's load_digits().images[0]
    assert y[0] == 0
    np.testing.assert_array_equal(X[0].reshape(8, 8)[0], [0, 0, 5, 13, 9, 1, 0, 0])


def test_digits_explicit_path(tmp_path, digits):
    copy = tmp_path / "digits.npz"
    shutil.copy(ds._DIGITS_PATH, copy)
    X, y = ds.load_digits(path=str(copy))
    np.testing.assert_array_equal(X, digits[0])
    np.testing.assert_array_equal(y, digits[1])


def test_digits_corrupted_copy_raises(tmp_path):
    data = bytearray(ds._DIGITS_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip one byte in the middle
    bad = tmp_path / "digits.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt or modified: its sha256 is"):
        ds.load_digits(bad)
    bad.write_bytes(ds._DIGITS_PATH.read_bytes()[:1000])  # truncated
    with pytest.raises(ValueError, match="expected " + ds.DIGITS_SHA256):
        ds.load_digits(bad)


def test_digits_missing_file_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"make_digits\.py") as info:
        ds.load_digits(tmp_path / "nope.npz")
    msg = str(info.value)
    assert str(tmp_path / "nope.npz") in msg
    assert "reads data/digits.npz from the source checkout" in msg
    assert (
        "nnlib is installed from a checkout with `make`; a plain `pip install` does not ship "
        "data/; pass path=..." in msg
    )
    with pytest.raises(TypeError, match="path must be a str or path-like"):
        ds.load_digits(path=123)


# ----------------------------------------------------------------------------- splitting


def test_split_sizes_round_up_like_scikit_learn():
    X, y = np.arange(100).reshape(100, 1), np.arange(100) % 2
    # 0.25 * 100 = 25; 0.255 * 100 = 25.5 -> 26 (rounded up);
    # 0.07 * 100 = 7.000000000000001 in floating point -> still 7, not 8
    assert len(ds.train_test_split(X, y, rng=0)[1]) == 25
    assert len(ds.train_test_split(X, y, test_size=0.255, rng=0)[1]) == 26
    assert len(ds.train_test_split(X, y, test_size=0.07, rng=0)[1]) == 7
    assert len(ds.train_test_split(X, y, test_size=4, rng=0)[1]) == 4  # an int is a count


@pytest.mark.parametrize("stratify", [False, True])
def test_split_partitions_indices_and_keeps_rows_aligned(stratify):
    n = 103
    idx = np.arange(n)
    X = np.column_stack([idx, idx * 10])
    y = idx % 3
    X_tr, X_te, y_tr, y_te = ds.train_test_split(X, y, test_size=0.2, stratify=stratify, rng=1)
    assert len(X_te) == math.ceil(0.2 * n) == 21
    tr, te = X_tr[:, 0], X_te[:, 0]
    assert np.intersect1d(tr, te).size == 0  # no overlap
    np.testing.assert_array_equal(np.sort(np.concatenate([tr, te])), idx)  # union = all
    np.testing.assert_array_equal(y_tr, tr % 3)  # labels travel with their rows
    np.testing.assert_array_equal(y_te, te % 3)
    assert X_tr.dtype == X.dtype  # dtype kept


def test_stratified_split_keeps_digit_proportions(digits):
    # The split the course states: stratified 75/25 of the 1797 digits, rng=0.
    X, y = digits
    _, _, y_tr, y_te = ds.train_test_split(X, y, test_size=0.25, stratify=True, rng=0)
    assert len(y_te) == 450  # ceil(0.25 * 1797) = ceil(449.25)
    counts, test_counts = np.bincount(y), np.bincount(y_te, minlength=10)
    share = counts * 450 / 1797  # e.g. class 0: 178 * 450 / 1797 = 44.57
    assert np.all((test_counts == np.floor(share)) | (test_counts == np.ceil(share)))
    np.testing.assert_array_equal(test_counts + np.bincount(y_tr, minlength=10), counts)


def test_stratified_split_hand_worked_largest_remainder():
    # Classes of sizes 5, 3, 2 (N = 10), test_size 0.5 -> 5 test samples.
    # Shares 2.5, 1.5, 1.0 -> floors 2, 1, 1 (sum 4); the 1 left over goes to the largest
    # fractional part: 0.5 (class 0) ties 0.5 (class 1), the lower label wins -> 3, 1, 1.
    y = np.array([0] * 5 + [1] * 3 + [2] * 2)
    X = np.arange(10)[:, None]
    for seed in range(5):
        _, _, _, y_te = ds.train_test_split(X, y, test_size=0.5, stratify=True, rng=seed)
        assert np.bincount(y_te, minlength=3).tolist() == [3, 1, 1]


def test_stratified_split_keeps_every_class_in_both_parts():
    # Classes of sizes 96, 2, 2 (N = 100), 3 test samples: the shares 2.88, 0.06, 0.06
    # round (largest remainder) to 3, 0, 0, leaving classes 1 and 2 out of the test set.
    # Each gets one sample there instead, taken from class 0: 1, 1, 1.
    y = np.array([0] * 96 + [1] * 2 + [2] * 2)
    X = np.arange(100)[:, None]
    _, _, y_tr, y_te = ds.train_test_split(X, y, test_size=3, stratify=True, rng=0)
    assert np.bincount(y_te, minlength=3).tolist() == [1, 1, 1]
    # The other way: 90 test samples give shares 86.4, 1.8, 1.8 -> 86, 2, 2, which would
    # put all of classes 1 and 2 in the test set. Each keeps one training sample instead,
    # and class 0 takes the two: 88, 1, 1 (training set 8, 1, 1).
    _, _, y_tr, y_te = ds.train_test_split(X, y, test_size=90, stratify=True, rng=0)
    assert np.bincount(y_tr, minlength=3).tolist() == [8, 1, 1]
    assert np.bincount(y_te, minlength=3).tolist() == [88, 1, 1]


def test_unstratified_split_does_not_keep_proportions_exactly():
    # Shows stratify takes effect: some seeds give 0 or 2+ samples of a 4-sample class.
    y = np.array([0] * 36 + [1] * 4)
    X = np.zeros((40, 1))
    plain = {np.sum(ds.train_test_split(X, y, rng=s)[3] == 1) for s in range(30)}
    strat = {np.sum(ds.train_test_split(X, y, stratify=True, rng=s)[3] == 1) for s in range(30)}
    assert strat == {1} and len(plain) > 1


def test_split_deterministic_given_rng():
    X, y = np.arange(50)[:, None], np.arange(50) % 2
    a = ds.train_test_split(X, y, rng=4)
    b = ds.train_test_split(X, y, rng=4)
    c = ds.train_test_split(X, y, rng=5)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])


def test_split_bad_input():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match=r"test_size must be in \(0, 1\)"):
        ds.train_test_split(X, y, test_size=1.0)
    with pytest.raises(ValueError, match="gives 10 test samples out of 10"):
        ds.train_test_split(X, y, test_size=10)
    with pytest.raises(ValueError, match=r"X has 10 samples .* but y has 9"):
        ds.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="y must be a 1-D array"):
        ds.train_test_split(X, y[:, None])
    with pytest.raises(ValueError, match="at least 2 samples in every class"):
        ds.train_test_split(X, np.r_[np.zeros(9), 1], stratify=True)
    # 10 samples of 5 classes (2 each): the default test_size 0.25 gives ceil(2.5) = 3
    # test samples, too few for one of each class (scikit-learn refuses too)
    y5 = np.arange(10) % 5
    with pytest.raises(
        ValueError, match=r"each of the 5 classes in the test set, but test_size=0.25 of 10 .* 3;"
    ):
        ds.train_test_split(X, y5, stratify=True)
    with pytest.raises(ValueError, match=r"5 classes in the training set, .* leaves it 4"):
        ds.train_test_split(X, y5, test_size=6, stratify=True)
    _, _, y_tr, y_te = ds.train_test_split(X, y5, test_size=5, stratify=True, rng=0)
    assert sorted(y_te.tolist()) == sorted(y_tr.tolist()) == [0, 1, 2, 3, 4]
    # without stratify the same sizes are fine
    assert len(ds.train_test_split(X, y5, rng=0)[1]) == 3
    with pytest.raises(TypeError, match="stratify must be True or False"):
        ds.train_test_split(X, y, stratify=y)


# ------------------------------------------------------------------------------ scalers


def test_standard_scaler_fit_on_train_apply_to_test():
    X_train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])  # mean (3, 10)
    X_test = np.array([[7.0, 12.0]])
    s = ds.StandardScaler().fit(X_train)
    # std of (1, 3, 5) = sqrt((4 + 0 + 4) / 3) = 1.633; column 2 has zero variance
    np.testing.assert_allclose(s.mean_, [3, 10])
    np.testing.assert_allclose(s.scale_, [math.sqrt(8 / 3), 1.0])
    # test set uses the TRAIN statistics: (7 - 3) / 1.633 = 2.449; 12 - 10 = 2 (unscaled)
    np.testing.assert_allclose(s.transform(X_test), [[4 / math.sqrt(8 / 3), 2.0]])
    Z = s.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), [1, 0])
    np.testing.assert_allclose(s.inverse_transform(s.transform(X_test)), X_test)
    np.testing.assert_array_equal(ds.StandardScaler().fit_transform(X_train), Z)
    assert repr(s) == "StandardScaler(fitted on 3 samples, 2 features)"


def test_minmax_scaler_range_and_test_outside():
    X_train = np.array([[0.0, 2.0], [16.0, 2.0]])
    s = ds.MinMaxScaler(feature_range=(-1, 1)).fit(X_train)
    # column 1: -1 + (x - 0) * 2 / 16: 8 -> 0, 20 -> 1.5 (outside [-1, 1]: no clipping).
    # column 2 is constant, its range is taken as 1: -1 + (x - 2) * 2 / 1: 2 -> -1, 5 -> 5
    out = s.transform([[8.0, 2.0], [20.0, 5.0]])
    np.testing.assert_allclose(out, [[0.0, -1.0], [1.5, 5.0]])
    np.testing.assert_allclose(s.inverse_transform(out), [[8.0, 2.0], [20.0, 5.0]])
    default = ds.MinMaxScaler().fit_transform(X_train)
    np.testing.assert_allclose(default[:, 0], [0.0, 1.0])
    assert repr(s) == "MinMaxScaler(feature_range=(-1, 1), fitted on 2 samples, 2 features)"


def _correlated(n, rng):
    A = np.array([[2.0, 1.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 3.0]])
    return rng.normal(size=(n, 3)) @ A + np.array([1.0, -2.0, 5.0])


@pytest.mark.parametrize("method", ["zca", "pca"])
def test_whitening_gives_identity_covariance(method):
    X = _correlated(400, np.random.default_rng(0))
    Xw = ds.WhiteningScaler(method=method, eps=0.0).fit_transform(X)
    np.testing.assert_allclose(Xw.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Xw.T @ Xw / len(Xw), np.eye(3), atol=1e-10)


def test_zca_matches_inverse_square_root_of_covariance_from_svd():
    # Independent route: Xc = U S V^T, Sigma = V S^2 V^T / N, Sigma^(-1/2) = V (sqrt(N)/S) V^T.
    X = _correlated(300, np.random.default_rng(1))
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    W = Vt.T @ np.diag(np.sqrt(len(X)) / S) @ Vt
    s = ds.WhiteningScaler("zca", eps=0.0).fit(X)
    np.testing.assert_allclose(s.whitening_, W, atol=1e-12)
    np.testing.assert_allclose(s.whitening_, s.whitening_.T)  # ZCA matrix is symmetric
    np.testing.assert_allclose(s.explained_variance_, S**2 / len(X))


def test_pca_whitening_orders_by_variance_and_inverts():
    X = _correlated(300, np.random.default_rng(2))
    s = ds.WhiteningScaler("pca", eps=1e-3).fit(X)
    assert np.all(np.diff(s.explained_variance_) <= 0)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X, atol=1e-10)


def test_whitening_eps_takes_effect():
    # With eps the whitened covariance is diag(lambda / (lambda + eps)) in the PCA basis.
    X = _correlated(300, np.random.default_rng(3))
    s = ds.WhiteningScaler("pca", eps=1.0).fit(X)
    Xw = s.transform(X)
    lam = s.explained_variance_
    np.testing.assert_allclose(Xw.T @ Xw / len(X), np.diag(lam / (lam + 1.0)), atol=1e-10)


def test_whitening_test_set_uses_train_statistics():
    rng = np.random.default_rng(4)
    X_tr, X_te = _correlated(200, rng), _correlated(50, rng)
    s = ds.WhiteningScaler("zca", eps=0.0).fit(X_tr)
    np.testing.assert_allclose(s.transform(X_te), (X_te - X_tr.mean(axis=0)) @ s.whitening_)
    refit = ds.WhiteningScaler("zca", eps=0.0).fit_transform(X_te)
    assert not np.allclose(s.transform(X_te), refit)


def test_whitening_singular_covariance(digits):
    X = digits[0][:300]  # some pixels are always 0: singular covariance
    with pytest.raises(ValueError, match=r"singular .* use eps > 0"):
        ds.WhiteningScaler(eps=0.0).fit(X)
    Xw = ds.WhiteningScaler(eps=0.1).fit_transform(X)
    assert np.all(np.isfinite(Xw))


@pytest.mark.parametrize(
    "cls", [ds.StandardScaler, ds.MinMaxScaler, ds.WhiteningScaler], ids=lambda c: c.__name__
)
def test_scaler_errors(cls):
    scaler = cls()
    with pytest.raises(ds.NotFittedError, match="not fitted yet; call fit"):
        scaler.transform(np.zeros((2, 2)))
    assert issubclass(ds.NotFittedError, ValueError)
    scaler.fit(np.random.default_rng(0).normal(size=(10, 2)))
    with pytest.raises(ValueError, match=r"X has 3 features .* fitted on 2"):
        scaler.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        scaler.transform(np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        scaler.fit([[np.nan, 1.0], [2.0, 3.0]])


def test_scaler_repr_shows_whether_fitted():
    X = np.random.default_rng(0).normal(size=(100, 2))
    s = ds.StandardScaler()
    assert repr(s) == "StandardScaler(not fitted)"
    s.fit(X)
    assert repr(s) == "StandardScaler(fitted on 100 samples, 2 features)"
    s.fit(X[:1, :1])  # refitting updates it; singular nouns for one
    assert repr(s) == "StandardScaler(fitted on 1 sample, 1 feature)"
    assert repr(ds.MinMaxScaler()) == "MinMaxScaler(feature_range=(0, 1), not fitted)"
    w = ds.WhiteningScaler(method="pca", eps=0.5)
    assert repr(w) == "WhiteningScaler(method='pca', eps=0.5, not fitted)"
    with pytest.raises(ValueError, match="singular"):
        ds.WhiteningScaler(eps=0.0).fit(np.zeros((5, 2)))  # a failed fit leaves it unfitted
    assert (
        repr(w.fit(X))
        == "WhiteningScaler(method='pca', eps=0.5, fitted on 100 samples, 2 features)"
    )


def test_scaler_constructor_errors():
    with pytest.raises(ValueError, match="a < b"):
        ds.MinMaxScaler(feature_range=(1, 0))
    with pytest.raises(TypeError, match="pair"):
        ds.MinMaxScaler(feature_range=1)
    with pytest.raises(ValueError, match="unknown method 'svd'"):
        ds.WhiteningScaler(method="svd")
    with pytest.raises(ValueError, match="eps must be"):
        ds.WhiteningScaler(eps=-1)


# ------------------------------------------------------------------------------ one-hot


def test_one_hot_round_trip_and_n_classes():
    y = np.array([3, 0, 2, 2])
    Y = ds.one_hot(y)
    assert Y.shape == (4, 4) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y.sum(axis=1), 1)
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    assert ds.one_hot(y, n_classes=6).shape == (4, 6)  # n_classes takes effect


def test_one_hot_bad_labels():
    with pytest.raises(ValueError, match="labels must be >= 0, got -1"):
        ds.one_hot([-1, 1])
    with pytest.raises(ValueError, match="labels must be < n_classes=3, got a label 3"):
        ds.one_hot([0, 3], n_classes=3)
    with pytest.raises(TypeError, match=r"integer class labels, got dtype float64 .*astype"):
        ds.one_hot(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D array"):
        ds.one_hot(np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="n_classes must be given"):
        ds.one_hot(np.array([], dtype=int))
