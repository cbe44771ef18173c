r"""Datasets for the course: logic gates, 2-D toy problems, digits, and preprocessing.

Every generator returns ``(X, y)`` with ``X`` of shape ``(n, 2)`` (float64; ``blobs`` with
explicit centres may have more columns) and integer labels ``y`` of shape ``(n,)`` (int64).
Classes are balanced: with ``K`` classes, class ``c`` gets ``n // K`` samples, plus one for
the first ``n % K`` classes. Rows are shuffled with the ``rng`` argument (a Generator, an
int seed or None), so the same seed gives the same data and nothing touches numpy's global
random state.

No generator puts a point exactly at the origin (with their default arguments): with zero
biases, as networks start, every first-layer ReLU would sit on its kink there, and a
gradient check would fail for no bug (see `nnlib.gradcheck`). The truth tables of
`logic_gate` are the exception: the binary row (0, 0) is the origin.

Preprocessing follows scikit-learn's fit / transform split: fit a scaler on the training
set only, then apply the same transform to the test set.

Conventions: batches are rows, ``X`` is ``(N, D)``.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import numpy as np

from nnlib._checks import as_array, as_rng, check_bool, check_choice, check_int, check_number
from nnlib._gates import GATES, truth_table

__all__ = [
    "DIGITS_SHA256",
    "ENCODINGS",
    "GATES",
    "MinMaxScaler",
    "NotFittedError",
    "StandardScaler",
    "WhiteningScaler",
    "blobs",
    "circles",
    "load_digits",
    "logic_gate",
    "moons",
    "one_hot",
    "spirals",
    "train_test_split",
    "xor",
]

# --------------------------------------------------------------------------- logic gates

ENCODINGS: tuple[str, ...] = ("binary", "bipolar")


def logic_gate(name, encoding="binary"):
    r"""Return the truth table of a logic gate as a tiny dataset.

    Rows are in truth-table order: ``(0, 0), (0, 1), (1, 0), (1, 1)`` for the two-input
    gates and ``0, 1`` for ``"not"``. The bipolar encoding maps every 0 to -1, in the
    inputs and in the targets: :math:`x_{\text{bipolar}} = 2 x_{\text{binary}} - 1`.

    Parameters
    ----------
    name : {"and", "or", "not", "nand", "nor", "xor"}
        One of `GATES` (the same names, in the same order, as `nnlib.classic.GATES`).
    encoding : {"binary", "bipolar"}, default "binary"
        ``"binary"`` uses 0/1, ``"bipolar"`` uses -1/1 (as in Fausett's Hebb-rule examples,
        which list the patterns in the reverse order: ``X[::-1], y[::-1]``).

    Returns
    -------
    X : ndarray, float64, shape (4, 2), or (2, 1) for ``"not"``
    y : ndarray, int64, shape (4,), or (2,) for ``"not"``

    Notes
    -----
    The binary input (0, 0) is the origin: a ReLU network with zero biases has every
    first-layer unit exactly at its kink there, so a gradient check of such a network on
    these rows reports a ``"kink"``. Check with nonzero biases or the bipolar encoding.

    Examples
    --------
    >>> X, y = logic_gate("xor")
    >>> X
    array([[0., 0.],
           [0., 1.],
           [1., 0.],
           [1., 1.]])
    >>> y
    array([0, 1, 1, 0])
    >>> X, y = logic_gate("and", encoding="bipolar")
    >>> X[1], y
    (array([-1.,  1.]), array([-1, -1, -1,  1]))
    >>> logic_gate("not")[1]
    array([1, 0])
    """
    name = check_choice(name, "gate", GATES)
    encoding = check_choice(encoding, "encoding", ENCODINGS)
    X, y = truth_table(name)  # the table nnlib.classic uses too
    X = X.astype(np.float64)
    if encoding == "bipolar":
        X = 2.0 * X - 1.0
        y = 2 * y - 1
    return X, y


# ------------------------------------------------------------------ 2-D toy generators


def _balanced_labels(n, n_classes):
    """Return balanced labels in blocks, each sample's rank in its block, its block size.

    Labels are ``0..n_classes-1``, block sizes differ by at most one; all shapes (n,).
    """
    counts = np.full(n_classes, n // n_classes) + (np.arange(n_classes) < n % n_classes)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(n) - starts[y]
    return y, within, counts[y]


def _check_sample_count(n, n_classes):
    """Validate the sample count: an integer, at least one sample per class."""
    n = check_int(n, "n", low=1)
    if n < n_classes:
        raise ValueError(
            f"n must be at least the number of classes ({n_classes}) so that every class "
            f"gets a sample, got {n}"
        )
    return n


def _shuffled(X, y, rng):
    """Return the rows of X and y in one random order."""
    perm = rng.permutation(len(y))
    return X[perm], y[perm]


def blobs(n, centers=3, std=1.0, rng=None):
    r"""Generate isotropic Gaussian blobs, one per class.

    .. math:: x = \mu_{y} + \sigma\,\varepsilon, \quad \varepsilon \sim \mathcal N(0, I)

    Parameters
    ----------
    n : int
        Number of samples, at least the number of classes; classes are balanced.
    centers : int or array_like of shape (K, D), default 3
        An int ``K`` puts ``K`` centres evenly on a circle of radius 4 around the origin,
        the first at ``(4, 0)``. An array gives the centres explicitly (``D`` columns).
    std : float >= 0, default 1.0
        Standard deviation :math:`\sigma` of each blob (the noise).
    rng : Generator, int or None

    Returns
    -------
    X : ndarray, float64, shape (n, 2) or (n, D)
    y : ndarray, int64, shape (n,), values 0..K-1

    Examples
    --------
    >>> X, y = blobs(6, centers=[[0, 0], [10, 10]], std=0.0, rng=0)
    >>> X.shape, np.bincount(y)
    ((6, 2), array([3, 3]))
    >>> bool(np.all(X[y == 1] == 10))
    True
    """
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = check_int(centers, "centers", low=1)
        angle = 2 * np.pi * np.arange(k) / k
        C = 4.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        C = as_array(centers, "centers", ndim=2, finite=True)
        if C.shape[0] < 1 or C.shape[1] < 1:
            raise ValueError(f"centers must have shape (K, D) with K, D >= 1, got {C.shape}")
    std = check_number(std, "std", low=0)
    n = _check_sample_count(n, C.shape[0])
    rng = as_rng(rng)
    y, _, _ = _balanced_labels(n, C.shape[0])
    X = C[y] + std * rng.standard_normal((n, C.shape[1]))
    return _shuffled(X, y, rng)


def moons(n, noise=0.1, rng=None):
    r"""Generate two interleaving half circles (scikit-learn's ``make_moons`` layout).

    Class 0 lies on the upper half of the unit circle, class 1 on the lower half of a unit
    circle centred at (1, 0.5), angles evenly spaced in :math:`[0, \pi]`:

    .. math::
        x^{(0)} = (\cos t, \sin t), \quad x^{(1)} = (1 - \cos t,\ 0.5 - \sin t)

    plus Gaussian noise of standard deviation `noise` on each coordinate.

    Parameters
    ----------
    n : int >= 2
    noise : float >= 0, default 0.1
    rng : Generator, int or None

    Returns
    -------
    X : ndarray, float64, shape (n, 2)
    y : ndarray, int64, shape (n,), values 0 and 1

    Examples
    --------
    >>> X, y = moons(4, noise=0.0, rng=0)
    >>> np.round(X[np.argsort(y, kind="stable")], 6) + 0.0   # class 0 then class 1
    array([[ 1. ,  0. ],
           [-1. ,  0. ],
           [ 0. ,  0.5],
           [ 2. ,  0.5]])
    """
    n = _check_sample_count(n, 2)
    noise = check_number(noise, "noise", low=0)
    rng = as_rng(rng)
    y, within, size = _balanced_labels(n, 2)
    t = np.pi * within / np.maximum(size - 1, 1)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X += noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def circles(n, noise=0.05, factor=0.5, rng=None):
    r"""Generate a small circle inside a large one (scikit-learn's ``make_circles`` layout).

    Class 0 on the unit circle, class 1 on the circle of radius `factor`, angles evenly
    spaced in :math:`[0, 2\pi)`, plus Gaussian noise of standard deviation `noise`.

    Parameters
    ----------
    n : int >= 2
    noise : float >= 0, default 0.05
    factor : float in (0, 1), default 0.5
        Radius of the inner circle relative to the outer one.
    rng : Generator, int or None

    Returns
    -------
    X : ndarray, float64, shape (n, 2)
    y : ndarray, int64, shape (n,), values 0 (outer) and 1 (inner)

    Examples
    --------
    >>> X, y = circles(8, noise=0.0, factor=0.25, rng=0)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6)[np.argsort(y, kind="stable")]
    array([1.  , 1.  , 1.  , 1.  , 0.25, 0.25, 0.25, 0.25])
    """
    n = _check_sample_count(n, 2)
    noise = check_number(noise, "noise", low=0)
    factor = check_number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
    rng = as_rng(rng)
    y, within, size = _balanced_labels(n, 2)
    t = 2 * np.pi * within / size
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    X += noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def xor(n, noise=0.2, rng=None):
    r"""Generate the XOR problem: four Gaussian clusters at the corners :math:`(\pm 1, \pm 1)`.

    Class 1 where the two coordinates of the corner differ in sign (``(-1, 1)`` and
    ``(1, -1)``), class 0 at ``(-1, -1)`` and ``(1, 1)``: the noisy, centred version of
    ``logic_gate("xor", "bipolar")``. No line separates the classes. Each class is split
    evenly between its two corners.

    Parameters
    ----------
    n : int >= 2
    noise : float >= 0, default 0.2
        Standard deviation of each cluster.
    rng : Generator, int or None

    Returns
    -------
    X : ndarray, float64, shape (n, 2)
    y : ndarray, int64, shape (n,), values 0 and 1

    Examples
    --------
    >>> X, y = xor(8, noise=0.0, rng=0)
    >>> bool(np.all(y == (X[:, 0] * X[:, 1] < 0)))
    True
    """
    n = _check_sample_count(n, 2)
    noise = check_number(noise, "noise", low=0)
    rng = as_rng(rng)
    y, within, _ = _balanced_labels(n, 2)
    corners = np.array([[[-1.0, -1.0], [1.0, 1.0]], [[-1.0, 1.0], [1.0, -1.0]]])
    X = corners[y, within % 2] + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def spirals(n, classes=3, noise=0.2, rng=None):
    r"""Generate interleaved spiral arms, one per class (the cs231n "spiral" dataset).

    For class :math:`c` of :math:`K`, with :math:`n_c` samples, the radii are evenly
    spaced in :math:`(0, 1]`, :math:`r_k = (k + 1) / n_c` for :math:`k = 0, \dots, n_c - 1`,
    and

    .. math::
        t = \frac{2\pi c}{K} + 4 r + \text{noise}\cdot\varepsilon, \quad
        x = (r \cos t,\ r \sin t), \quad \varepsilon \sim \mathcal N(0, 1)

    so the noise is on the angle (in radians), as in cs231n's case study. cs231n offsets
    the arms by 4 radians; here they are offset by :math:`2\pi / K` so that they are evenly
    spread for any `K`. cs231n's radii run from 0 to 1, which puts one point of every class
    exactly at the origin, where a ReLU network with zero biases sits on all its kinks at
    once (a gradient check then fails there for no bug); here the smallest radius is
    :math:`1 / n_c` (0.01 for 100 points per class), which keeps the shape of the arms.

    Parameters
    ----------
    n : int >= classes
    classes : int >= 2, default 3
    noise : float >= 0, default 0.2
    rng : Generator, int or None

    Returns
    -------
    X : ndarray, float64, shape (n, 2), inside the unit disc, none at the origin
    y : ndarray, int64, shape (n,), values 0..classes-1

    References
    ----------
    cs231n, "Putting it together: Minimal Neural Network Case Study",
    https://cs231n.github.io/neural-networks-case-study/

    Examples
    --------
    >>> X, y = spirals(300, classes=3, rng=0)
    >>> X.shape, np.bincount(y)
    ((300, 2), array([100, 100, 100]))
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> float(r.min()), float(r.max())          # radii 1/100, 2/100, ..., 1
    (0.01, 1.0)
    """
    classes = check_int(classes, "classes", low=2)
    n = _check_sample_count(n, classes)
    noise = check_number(noise, "noise", low=0)
    rng = as_rng(rng)
    y, within, size = _balanced_labels(n, classes)
    r = (within + 1) / size  # (0, 1]: no point at the origin
    t = 2 * np.pi * y / classes + 4.0 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    return _shuffled(X, y, rng)


# ------------------------------------------------------------------------------ digits

#: sha256 of ``data/digits.npz`` (see data/README.md); checked on every load.
DIGITS_SHA256 = "dff739c317c3d7a561cd1d11ae22ab4ac7f0557489c9e3935e97bec510d05737"
_DIGITS_PATH = Path(__file__).resolve().parent.parent / "data" / "digits.npz"


def _file_sha256(path):
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_digits(path=None):
    r"""Load the 8x8 handwritten digits (UCI optdigits test set, from scikit-learn).

    1797 images of 8x8 pixels with integer values 0..16, 10 classes. Licence CC BY 4.0:
    Alpaydin & Kaynak (1998), UCI Machine Learning Repository,
    https://doi.org/10.24432/C50P49 (see ``data/README.md``). Rows are in the original
    order (not shuffled).

    The file's sha256 is compared with `DIGITS_SHA256` before anything is read, so a
    truncated or edited file is refused instead of silently giving other numbers.

    Parameters
    ----------
    path : str or path-like, optional
        The ``.npz`` file. Default: ``data/digits.npz`` of the source checkout, found
        relative to the package (``nnlib/../data/digits.npz``). That works because the
        course installs nnlib from a checkout with ``make`` (an editable install, so the
        package is the checkout's ``nnlib/`` directory). A plain ``pip install`` does not
        ship ``data/``: then pass the path of a copy of ``digits.npz``.

    Returns
    -------
    X : ndarray, float64, shape (1797, 64)
        Row ``i`` is image ``i`` flattened row by row (``X[i].reshape(8, 8)``).
    y : ndarray, int64, shape (1797,), values 0..9

    Raises
    ------
    FileNotFoundError
        If the file does not exist, e.g. nnlib was installed with a plain ``pip install``
        and no `path` was given.
    ValueError
        If its checksum differs from `DIGITS_SHA256` (corrupt or modified file).

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, y.dtype
    ((1797, 64), dtype('float64'), (1797,), dtype('int64'))
    >>> float(X.min()), float(X.max()), np.bincount(y)
    (0.0, 16.0, array([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]))
    """
    if path is None:
        path = _DIGITS_PATH
    elif not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"digits data file not found: {path}. load_digits() reads data/digits.npz from "
            "the source checkout: nnlib is installed from a checkout with `make`; a plain "
            "`pip install` does not ship data/; pass path=... (the path of a copy of "
            "digits.npz; data/make_digits.py rebuilds one, see data/README.md)"
        )
    actual = _file_sha256(path)
    if actual != DIGITS_SHA256:
        raise ValueError(
            f"digits data file {path} is corrupt or modified: its sha256 is {actual}, "
            f"expected {DIGITS_SHA256}. Restore it from the repository or rebuild it with "
            "data/make_digits.py (see data/README.md)"
        )
    with np.load(path, allow_pickle=False) as data:
        X = data["X"].astype(np.float64)
        y = data["y"].astype(np.int64)
    return X, y


# ----------------------------------------------------------------------------- splitting


def _test_set_size(test_size, n):
    """Return the number of test samples for a fraction or a count (see `train_test_split`)."""
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = check_int(test_size, "test_size", low=1)
    else:
        frac = check_number(test_size, "test_size", low=0, high=1, low_open=True, high_open=True)
        # round() first so that e.g. 0.07 * 100 = 7.000000000000001 gives 7, not 8
        n_test = math.ceil(round(frac * n, 9))
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_size={test_size!r} gives {n_test} test samples out of {n}; "
            "both the training and the test set need at least one sample"
        )
    return n_test


def _stratified_counts(counts, n_test):
    """Test samples per class: largest-remainder shares, each in ``[1, counts - 1]``.

    Assumes ``counts >= 2`` and ``len(counts) <= n_test <= counts.sum() - len(counts)``,
    so the bounds can always be met.
    """
    share = counts * n_test / counts.sum()
    k = np.floor(share + 1e-9).astype(np.int64)
    extra = np.argsort(-(share - k), kind="stable")[: n_test - k.sum()]
    k[extra] += 1
    # Keep one sample of every class in each part; move the difference one sample at a
    # time to or from the class furthest from its share (at most K steps).
    k = np.clip(k, 1, counts - 1)
    while (diff := n_test - int(k.sum())) != 0:
        if diff > 0:
            k[np.argmax(np.where(k < counts - 1, share - k, -np.inf))] += 1
        else:
            k[np.argmax(np.where(k > 1, k - share, -np.inf))] -= 1
    return k


def train_test_split(X, y, test_size=0.25, stratify=False, rng=None):
    r"""Split `X` and `y` at random into a training and a test set.

    Test-set size: a float `test_size` is a fraction and gives
    :math:`n_\text{test} = \lceil \text{test\_size}\cdot N \rceil` samples (rounded up, as
    scikit-learn does); an int is the count itself.

    With ``stratify=True`` each class keeps its proportion: class :math:`c` with
    :math:`N_c` samples contributes :math:`\lfloor N_c\, n_\text{test} / N \rfloor` or one
    more test samples (largest-remainder rounding: the leftover samples go to the classes
    with the largest fractional parts, ties to the lower label), so the test set has
    exactly :math:`n_\text{test}` samples. Every class also keeps at least one sample in
    each part: a class that the rounding would leave out of one part gets one sample
    there, taken from the class whose count is furthest above its share. So every class
    needs at least 2 samples, and both parts at least as many samples as there are classes
    (otherwise a ValueError, as in scikit-learn).

    Parameters
    ----------
    X : array_like, shape (N, ...)
        Samples in rows; any dtype, kept.
    y : array_like, shape (N,)
        Labels (class labels when stratifying).
    test_size : float in (0, 1) or int in [1, N-1], default 0.25
    stratify : bool, default False
    rng : Generator, int or None

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Rows in random order; together they hold every sample exactly once.

    Examples
    --------
    Twelve samples, 8 of class 0 and 4 of class 1; a quarter is 3 test samples, and
    stratifying gives 8/4 = 2 of class 0 and 4/4 = 1 of class 1:

    >>> y = np.array([0] * 8 + [1] * 4)
    >>> X = np.arange(12).reshape(12, 1)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=True, rng=0)
    >>> X_tr.shape, X_te.shape, np.bincount(y_te)
    ((9, 1), (3, 1), array([2, 1]))
    >>> sorted(np.concatenate([X_tr, X_te]).ravel().tolist()) == list(range(12))
    True
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or X.dtype == object:
        raise TypeError(f"X must be an array with samples in rows, got {X!r:.60}")
    if y.dtype == object:
        raise TypeError(f"y must be an array of labels (numbers or strings), got {y!r:.60}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples (rows) but y has {len(y)}; they must match")
    stratify = check_bool(stratify, "stratify")
    n = len(y)
    n_test = _test_set_size(test_size, n)
    rng = as_rng(rng)
    perm = rng.permutation(n)
    if not stratify:
        test, train = perm[:n_test], perm[n_test:]
    else:
        _, cls, counts = np.unique(y, return_inverse=True, return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                "stratify=True needs at least 2 samples in every class, got a class with "
                f"{counts.min()}"
            )
        n_classes = len(counts)
        for part, size in (("test", n_test), ("training", n - n_test)):
            if size < n_classes:
                raise ValueError(
                    f"stratify=True needs at least one sample of each of the {n_classes} "
                    f"classes in the {part} set, but test_size={test_size!r} of {n} samples "
                    f"leaves it {size}; choose test_size so that both parts have at least "
                    f"{n_classes} samples (test_size between {n_classes} and {n - n_classes})"
                )
        k = _stratified_counts(counts, n_test)
        # Group the shuffled indices by class (stable sort keeps them shuffled within a
        # class), then the first k[c] of each class go to the test set.
        order = perm[np.argsort(cls[perm], kind="stable")]
        starts = np.cumsum(counts) - counts
        rank = np.arange(n) - starts[cls[order]]
        in_test = rank < k[cls[order]]
        test = rng.permutation(order[in_test])
        train = rng.permutation(order[~in_test])
    return X[train], X[test], y[train], y[test]


# ------------------------------------------------------------------------------ scaling


class NotFittedError(ValueError, AttributeError):
    """A scaler was used before `fit` (also a ``ValueError``, as in scikit-learn)."""


class _Scaler:
    """Common machinery: input checks, fitted-state check, fit_transform."""

    n_features_in_: int

    n_samples_seen_: int

    def _check_fit_input(self, X):
        X = as_array(X, "X", ndim=2, finite=True)
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must have at least one sample and one feature, got {X.shape}")
        return X

    def _check_input(self, X, name="X"):
        if not hasattr(self, "n_features_in_"):
            cls = type(self).__name__
            raise NotFittedError(
                f"this {cls} is not fitted yet; call fit(X_train) before transforming"
            )
        X = as_array(X, name, ndim=2, finite=True)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{name} has {X.shape[1]} features (columns) but {type(self).__name__} was "
                f"fitted on {self.n_features_in_}"
            )
        return X

    def fit(self, X):  # pragma: no cover - every subclass defines it
        """Learn the statistics of `X`."""
        raise NotImplementedError

    def _fitted_repr(self, *args):
        """``Name(args..., fitted on N samples, D features)`` or ``Name(args..., not fitted)``."""
        if hasattr(self, "n_features_in_"):
            n, d = self.n_samples_seen_, self.n_features_in_
            state = (
                f"fitted on {n} sample{'s' if n != 1 else ''}, {d} feature{'s' if d != 1 else ''}"
            )
        else:
            state = "not fitted"
        return f"{type(self).__name__}({', '.join([*args, state])})"

    def transform(self, X):  # pragma: no cover - every subclass defines it
        """Apply the learned transform."""
        raise NotImplementedError

    def fit_transform(self, X):
        """Fit to `X`, then transform it: ``fit(X).transform(X)``.

        Parameters
        ----------
        X : array_like, shape (N, D)

        Returns
        -------
        ndarray, float64, shape (N, D)
        """
        return self.fit(X).transform(X)


class StandardScaler(_Scaler):
    r"""Standardize each feature: zero mean and unit variance on the training set.

    .. math:: x' = \frac{x - \mu}{\sigma}, \quad
              \sigma^2 = \frac{1}{N}\sum_i (x_i - \mu)^2 \ \text{(biased, as scikit-learn)}

    A feature with zero variance on the training set (e.g. a pixel that is always 0 in the
    digits) is only centred, not scaled: its :math:`\sigma` is taken as 1, instead of
    dividing by zero.

    Attributes
    ----------
    mean_ : ndarray, shape (D,)
    scale_ : ndarray, shape (D,)   the standard deviations, 1 where the variance is 0
    n_features_in_ : int
    n_samples_seen_ : int   number of rows `fit` saw (shown by the repr)

    Examples
    --------
    >>> X_train = np.array([[1.0, 5.0], [3.0, 5.0]])   # mean (2, 5), std (1, 0)
    >>> scaler = StandardScaler().fit(X_train)
    >>> scaler.transform(X_train)
    array([[-1.,  0.],
           [ 1.,  0.]])
    >>> scaler.transform([[4.0, 7.0]])                # (4-2)/1 = 2, (7-5)/1 = 2
    array([[2., 2.]])
    >>> scaler
    StandardScaler(fitted on 2 samples, 2 features)
    >>> StandardScaler()
    StandardScaler(not fitted)
    """

    def fit(self, X):
        """Compute the per-feature mean and standard deviation of `X`.

        Parameters
        ----------
        X : array_like, shape (N, D)

        Returns
        -------
        self
        """
        X = self._check_fit_input(X)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        # Exact zero, or rounding noise around zero for a constant column.
        constant = std <= 1e-12 * np.maximum(np.abs(self.mean_), 1.0)
        self.scale_ = np.where(constant, 1.0, std)
        self.n_samples_seen_, self.n_features_in_ = X.shape
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X):
        """Undo `transform`: ``X * scale_ + mean_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return X * self.scale_ + self.mean_

    def __repr__(self):
        return self._fitted_repr()


class MinMaxScaler(_Scaler):
    r"""Rescale each feature linearly so the training set spans `feature_range`.

    .. math:: x' = a + (x - x_{\min}) \frac{b - a}{x_{\max} - x_{\min}}

    Test data may fall outside ``[a, b]`` (no clipping). A feature that is constant on the
    training set maps to `a` (its range is taken as 1).

    Parameters
    ----------
    feature_range : tuple (a, b) with a < b, default (0, 1)

    Attributes
    ----------
    data_min_, data_max_ : ndarray, shape (D,)
    scale_ : ndarray, shape (D,)   ``(b - a) / (x_max - x_min)``
    n_features_in_ : int
    n_samples_seen_ : int   number of rows `fit` saw (shown by the repr)

    Examples
    --------
    >>> scaler = MinMaxScaler(feature_range=(-1, 1)).fit([[0.0], [16.0]])
    >>> scaler.transform([[0.0], [8.0], [16.0], [20.0]]).ravel()   # -1 + x * 2/16
    array([-1. ,  0. ,  1. ,  1.5])
    """

    def __init__(self, feature_range=(0.0, 1.0)):
        if not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2:
            raise TypeError(f"feature_range must be a pair (a, b), got {feature_range!r}")
        a = check_number(feature_range[0], "feature_range[0]")
        b = check_number(feature_range[1], "feature_range[1]")
        if not a < b:
            raise ValueError(f"feature_range must have a < b, got {feature_range!r}")
        self.feature_range = (a, b)

    def fit(self, X):
        """Record the per-feature minimum and maximum of `X`.

        Parameters
        ----------
        X : array_like, shape (N, D)

        Returns
        -------
        self
        """
        X = self._check_fit_input(X)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        span = self.data_max_ - self.data_min_
        a, b = self.feature_range
        self.scale_ = (b - a) / np.where(span == 0, 1.0, span)
        self.n_samples_seen_, self.n_features_in_ = X.shape
        return self

    def transform(self, X):
        """Return ``a + (X - data_min_) * scale_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return self.feature_range[0] + (X - self.data_min_) * self.scale_

    def inverse_transform(self, X):
        """Undo `transform`: ``(X - a) / scale_ + data_min_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return (X - self.feature_range[0]) / self.scale_ + self.data_min_

    def __repr__(self):
        a, b = self.feature_range
        return self._fitted_repr(f"feature_range=({a:g}, {b:g})")


class WhiteningScaler(_Scaler):
    r"""Whiten: decorrelate the features and give each unit variance (PCA or ZCA).

    With the training mean :math:`\mu`, covariance :math:`\Sigma = \frac1N X_c^\top X_c
    = U \Lambda U^\top` (eigen-decomposition, :math:`X_c = X - \mu`):

    .. math::
        W_\text{PCA} = U (\Lambda + \epsilon I)^{-1/2}, \qquad
        W_\text{ZCA} = U (\Lambda + \epsilon I)^{-1/2} U^\top, \qquad
        x' = (x - \mu) W

    Both give covariance :math:`\Lambda (\Lambda + \epsilon I)^{-1}`, the identity when
    :math:`\epsilon = 0`. PCA whitening expresses the data in the principal axes (columns
    ordered by decreasing variance); ZCA rotates back, so the result stays as close as
    possible to the original features (images still look like images). `eps` is in units
    of variance: it keeps directions of (near) zero variance from being blown up, and
    must be > 0 when the covariance is singular (the digits have constant pixels).

    Parameters
    ----------
    method : {"zca", "pca"}, default "zca"
    eps : float >= 0, default 1e-5

    Attributes
    ----------
    mean_ : ndarray, shape (D,)
    explained_variance_ : ndarray, shape (D,)   eigenvalues, decreasing
    components_ : ndarray, shape (D, D)         eigenvectors in columns (:math:`U`)
    whitening_ : ndarray, shape (D, D)          :math:`W`
    unwhitening_ : ndarray, shape (D, D)        :math:`W^{-1}`, for `inverse_transform`
    n_features_in_ : int
    n_samples_seen_ : int   number of rows `fit` saw (shown by the repr)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3)) @ [[2.0, 1.0, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 3.0]]
    >>> Xw = WhiteningScaler(method="zca", eps=0.0).fit_transform(X)
    >>> np.round(np.cov(Xw, rowvar=False, bias=True), 10) + 0.0
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """

    METHODS = ("zca", "pca")

    def __init__(self, method="zca", eps=1e-5):
        self.method = check_choice(method, "method", self.METHODS)
        self.eps = check_number(eps, "eps", low=0)

    def fit(self, X):
        """Compute the mean, the covariance's eigen-decomposition and the whitening matrix.

        Parameters
        ----------
        X : array_like, shape (N, D), N >= 2

        Returns
        -------
        self
        """
        X = self._check_fit_input(X)
        if X.shape[0] < 2:
            raise ValueError("X must have at least 2 samples to estimate a covariance, got 1")
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        cov = Xc.T @ Xc / X.shape[0]
        lam, U = np.linalg.eigh(cov)
        lam, U = np.clip(lam[::-1], 0.0, None), U[:, ::-1]  # decreasing variance
        # Fix each eigenvector's sign (largest entry positive) so results are reproducible.
        flip = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])])
        U = U * flip
        denom = lam + self.eps
        tiny = denom <= 1e-12 * max(lam[0], 1e-300)
        if np.any(tiny):
            raise ValueError(
                f"the covariance of X is singular ({int(tiny.sum())} direction(s) with zero "
                f"variance) and eps={self.eps:g}; use eps > 0, e.g. eps=1e-5 or larger"
            )
        inv_sqrt, sqrt = 1.0 / np.sqrt(denom), np.sqrt(denom)
        if self.method == "pca":
            self.whitening_ = U * inv_sqrt
            self.unwhitening_ = sqrt[:, None] * U.T
        else:
            self.whitening_ = (U * inv_sqrt) @ U.T
            self.unwhitening_ = (U * sqrt) @ U.T
        self.explained_variance_ = lam
        self.components_ = U
        self.n_samples_seen_, self.n_features_in_ = X.shape
        return self

    def transform(self, X):
        """Return ``(X - mean_) @ whitening_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return (X - self.mean_) @ self.whitening_

    def inverse_transform(self, X):
        """Undo `transform`: ``X @ unwhitening_ + mean_``; shape (N, D) -> (N, D)."""
        X = self._check_input(X)
        return X @ self.unwhitening_ + self.mean_

    def __repr__(self):
        return self._fitted_repr(f"method={self.method!r}", f"eps={self.eps:g}")


# ------------------------------------------------------------------------------ one-hot


def one_hot(y, n_classes=None):
    r"""One-hot encode integer class labels: :math:`Y_{ic} = 1[y_i = c]`.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Labels in ``0..n_classes-1``.
    n_classes : int, optional
        Number of columns. Default ``max(y) + 1``; pass it when a batch may miss the last
        classes.

    Returns
    -------
    ndarray, float64, shape (N, n_classes)
        ``one_hot(y).argmax(axis=1)`` gives back `y`.

    Examples
    --------
    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    >>> one_hot([1], n_classes=4)
    array([[0., 1., 0., 0.]])
    """
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"y must hold integer class labels, got dtype {arr.dtype}"
            + (
                " (convert with y.astype(int) if the values are whole numbers)"
                if arr.dtype.kind == "f"
                else ""
            )
        )
    if arr.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {arr.shape}")
    if arr.size and arr.min() < 0:
        raise ValueError(
            f"labels must be >= 0, got {arr.min()} (bipolar -1/1 targets are not class "
            "labels; map them with (y + 1) // 2)"
        )
    if n_classes is None:
        if arr.size == 0:
            raise ValueError("n_classes must be given when y is empty")
        n_classes = int(arr.max()) + 1
    else:
        n_classes = check_int(n_classes, "n_classes", low=1)
        if arr.size and arr.max() >= n_classes:
            raise ValueError(f"labels must be < n_classes={n_classes}, got a label {arr.max()}")
    Y = np.zeros((arr.size, n_classes))
    Y[np.arange(arr.size), arr] = 1.0
    return Y
