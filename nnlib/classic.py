r"""Classic neurons: McCulloch-Pitts, logic gates, Hebb's rule, Rosenblatt's perceptron.

The first three lessons of the course, as small tested functions:

- the **McCulloch-Pitts neuron** (1943): binary inputs, fixed weights, a threshold; it
  fires (outputs 1) when the weighted sum reaches the threshold,
  :math:`y = [\,w \cdot x \ge \theta\,]`. `MCPNeuron`, `gate_neuron`, `valid_thresholds`,
  `identify_gate`, `search_single_neuron`, and two-layer networks (`MCPNetwork`,
  `xor_network`);
- **Hebb's rule** (1949) for one output unit, one pass over the patterns:
  :math:`w_i \mathrel{+}= x_i t,\ b \mathrel{+}= t`. `hebb` returns a `HebbTrace` with the
  weight change and the weights after every pattern;
- **Rosenblatt's perceptron** (1958): :math:`\hat y = \operatorname{sign}(w \cdot x + b)`,
  updated on every mistake. `perceptron` returns a `PerceptronResult` with every update,
  the mistakes per epoch and the weights after each update; `perceptron_criterion` and its
  gradient show the rule as (stochastic) gradient descent; `novikoff_bound` gives the
  convergence bound :math:`(R/\gamma)^2`; `margin` and `max_margin_2d` give the margin in
  the plane (distance to the line), which is not Novikoff's :math:`\gamma` (that one folds
  the bias into the weight vector).

Conventions
-----------
- Patterns are rows: ``X (N, D)``; weights ``w (D,)``; one output unit.
- McCulloch-Pitts units take and give **binary** 0/1 values; inputs that are not 0 or 1
  raise a ``ValueError`` naming ``X``.
- Truth tables list the :math:`2^D` binary patterns in lexicographic order, the first
  input varying slowest: ``(0, 0), (0, 1), (1, 0), (1, 1)`` (as `nnlib.datasets.logic_gate`).
  They are returned as int64 arrays.
- Hebb's rule accepts any encoding (that is the point of lesson 02: a 0 carries no weight
  change); the perceptron and its criterion need **bipolar** labels ``y`` in {-1, +1}
  (`bipolar` converts 0/1 labels).
- A unit with a bias fires when the net input is **at least 0**: `predict_sign` gives +1
  and `predict_step` gives 1 at ``w.x + b = 0`` (as the MCP neuron fires at
  ``w.x = theta``, and as Fausett's step functions do). The perceptron still counts a
  point *on* the boundary as a mistake (``y (w.x + b) <= 0``), so it never stops there.

>>> gate_neuron("and")
MCPNeuron(weights=[1, 1], threshold=2)
>>> gate_neuron("and")([[0, 0], [0, 1], [1, 0], [1, 1]])
array([0, 0, 0, 1])
>>> hebb([[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]).final_w
array([2., 2.])

References
----------
W. S. McCulloch and W. Pitts, "A logical calculus of the ideas immanent in nervous
activity", Bull. Math. Biophysics 5 (1943). D. O. Hebb, *The Organization of Behavior*
(1949). F. Rosenblatt, "The perceptron", Psychological Review 65 (1958). A. B. J. Novikoff,
"On convergence proofs on perceptrons" (1962). L. Fausett, *Fundamentals of Neural
Networks* (1994), sec. 2.2 (the Hebb traces reproduced in the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnlib._checks import as_array, as_rng, check_bool, check_choice, check_int, check_number
from nnlib._gates import GATES, TRUTH_TABLES, binary_patterns, truth_table

__all__ = [
    "DECOMPOSITIONS",
    "GATES",
    "UNIT_FUNCTIONS",
    "HebbTrace",
    "MCPNetwork",
    "MCPNeuron",
    "NovikoffBound",
    "PerceptronResult",
    "PerceptronUpdate",
    "ThresholdInterval",
    "binary",
    "bipolar",
    "criterion_landscape",
    "gate_neuron",
    "gate_truth_table",
    "hebb",
    "identify_gate",
    "margin",
    "max_margin_2d",
    "novikoff_bound",
    "perceptron",
    "perceptron_criterion",
    "perceptron_criterion_grad",
    "predict_sign",
    "predict_step",
    "search_single_neuron",
    "valid_thresholds",
    "xor_network",
]

# `GATES`, the names of the logic gates ("not" has one input, the others two), and their
# truth tables live in `nnlib._gates`, shared with `nnlib.datasets.logic_gate`.

#: The two ways `xor_network` builds XOR from two layers.
DECOMPOSITIONS: tuple[str, ...] = ("or_nand", "and_not")

# One textbook (weights, threshold) per gate that a single neuron can compute.
_GATE_NEURONS = {
    "and": ((1.0, 1.0), 2.0),
    "or": ((1.0, 1.0), 1.0),
    "not": ((-1.0,), 0.0),
    "nand": ((-1.0, -1.0), -1.0),
    "nor": ((-1.0, -1.0), 0.0),
}


# ----------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------


def _number_text(v) -> str:
    """Format a number as short as possible: 1.0 -> '1', 0.5 -> '0.5', -0.0 -> '0'."""
    v = float(v)
    return f"{v + 0.0:g}"


def _vector_text(a) -> str:
    """Format a vector for a repr: ``[1, -0.5]``."""
    return "[" + ", ".join(_number_text(v) for v in np.ravel(a)) + "]"


def _check_values(x: np.ndarray, name: str, allowed: tuple, what: str) -> None:
    """Raise a ValueError naming `name` if `x` holds values outside `allowed`."""
    ok = np.isin(x, allowed)
    if not np.all(ok):
        bad = np.unique(x[~ok])[:5]
        shown = ", ".join(_number_text(v) for v in bad)
        raise ValueError(f"{name} must contain only {what}, got the value(s) {shown}")


def _check_patterns(X, d: int, name: str = "X") -> tuple[np.ndarray, bool]:
    """Validate binary patterns for a unit with `d` inputs.

    Returns the patterns as a 2-D float64 array and whether a single 1-D pattern came in.
    """
    X = as_array(X, name, ndim=(1, 2))
    single = X.ndim == 1
    if single:
        if X.shape[0] != d:
            raise ValueError(
                f"{name} must have shape (N, {d}) or ({d},) for a neuron with {d} input(s), "
                f"got shape {X.shape}"
            )
        X = X[None, :]
    elif X.shape[1] != d:
        raise ValueError(
            f"{name} must have shape (N, {d}) for a neuron with {d} input(s), got shape {X.shape}"
        )
    _check_values(X, name, (0.0, 1.0), "0 and 1 (McCulloch-Pitts inputs are binary)")
    return X, single


def _check_bipolar_labels(y, n: int, name: str = "y") -> np.ndarray:
    """Labels (n,) in {-1, +1}, as float64."""
    y = as_array(y, name, ndim=1, finite=True)
    if y.shape[0] != n:
        raise ValueError(f"{name} must have one label per row of X: shape ({n},), got {y.shape}")
    ok = np.isin(y, (-1.0, 1.0))
    if not np.all(ok):
        bad = ", ".join(_number_text(v) for v in np.unique(y[~ok])[:5])
        raise ValueError(
            f"{name} must contain only -1 and +1 (bipolar labels), got the value(s) {bad}; "
            "convert 0/1 labels with nnlib.classic.bipolar(y)"
        )
    return y


def _check_linear_unit(X, w, b, *, x_name="X"):
    """Validate X (N, D), w (D,), b scalar for a unit with a bias; return float64 copies."""
    X = as_array(X, x_name, ndim=2, finite=True)
    w = as_array(w, "w", ndim=1, finite=True)
    if w.shape[0] != X.shape[1]:
        raise ValueError(
            f"w must have one weight per column of {x_name}: {x_name} has shape {X.shape}, "
            f"so w needs shape ({X.shape[1]},), got {w.shape}"
        )
    b = check_number(b, "b", finite=True)
    return X, w, b


def _initial_weights(w0, b0, d: int) -> tuple[np.ndarray, float]:
    """Check the starting weights and bias of a learning rule: w0 (D,) (zeros for None), b0."""
    w = np.zeros(d) if w0 is None else as_array(w0, "w0", ndim=1, finite=True).copy()
    if w.shape[0] != d:
        raise ValueError(f"w0 must have shape ({d},) (one weight per column of X), got {w.shape}")
    return w, check_number(b0, "b0", finite=True)


def _gate_targets(name_or_targets, name="targets") -> np.ndarray:
    """Targets (2**D,) int64 0/1 in truth-table order, from a gate name or an array."""
    if isinstance(name_or_targets, str):
        return gate_truth_table(name_or_targets)[1]
    t = as_array(name_or_targets, name, ndim=1)
    n = t.shape[0]
    if n < 2 or n & (n - 1):
        raise ValueError(
            f"{name} must be a gate name (one of {GATES}) or a truth table with 2**D entries "
            f"(2, 4, 8, ...), got {n} entries"
        )
    _check_values(t, name, (0.0, 1.0), "0 and 1 (a truth table of a binary unit)")
    return t.astype(np.int64)


# ----------------------------------------------------------------------------------------
# McCulloch-Pitts neuron
# ----------------------------------------------------------------------------------------


class MCPNeuron:
    r"""A McCulloch-Pitts neuron: binary inputs, fixed weights, a threshold.

    .. math:: y = \begin{cases} 1 & \text{if } \sum_i w_i x_i \ge \theta \\
              0 & \text{otherwise} \end{cases}

    Parameters
    ----------
    weights : array_like, shape (D,)
        Fixed weights (excitatory > 0, inhibitory < 0); any finite reals.
    threshold : float
        :math:`\theta`: the neuron fires when the weighted sum **reaches** it (``>=``).

    Attributes
    ----------
    weights : ndarray, float64, shape (D,)   (a copy of the argument)
    threshold : float
    n_inputs : int   D

    Notes
    -----
    Calling the neuron on ``X (N, D)`` gives ``(N,)`` int64 outputs; on a single pattern of
    shape ``(D,)`` it gives a Python ``int`` (and `net` a Python ``float``). Inputs must be
    0 or 1, else ``ValueError`` naming ``X``.

    Examples
    --------
    The bird that eats blueberries: inputs (purple, round), eat only if both, an AND.

    >>> bird = MCPNeuron([1, 1], threshold=2)
    >>> bird
    MCPNeuron(weights=[1, 1], threshold=2)
    >>> bird([1, 1]), bird([0, 1]), bird([1, 0]), bird([0, 0])
    (1, 0, 0, 0)
    >>> bird.net([[1, 1], [0, 1]])
    array([2., 1.])
    >>> X, y = bird.truth_table()
    >>> y
    array([0, 0, 0, 1])
    >>> bird([[2, 0]])
    Traceback (most recent call last):
    ...
    ValueError: X must contain only 0 and 1 (McCulloch-Pitts inputs are binary), got the value(s) 2
    """

    def __init__(self, weights, threshold):
        w = as_array(weights, "weights", ndim=1, finite=True)
        if w.shape[0] < 1:
            raise ValueError("weights must have at least one entry, got shape (0,)")
        self.weights = w.copy()
        self.threshold = check_number(threshold, "threshold", finite=True)

    @property
    def n_inputs(self) -> int:
        """Number of inputs D."""
        return self.weights.shape[0]

    def net(self, X):
        r"""Weighted sum :math:`X w` of binary patterns.

        Parameters
        ----------
        X : array_like, shape (N, D) of 0/1, or (D,) for one pattern

        Returns
        -------
        ndarray, float64, shape (N,); a float for a single pattern

        Examples
        --------
        >>> MCPNeuron([1, -1], 0.5).net([[1, 0], [1, 1]])
        array([1., 0.])
        """
        X, single = _check_patterns(X, self.n_inputs)
        s = X @ self.weights
        return float(s[0]) if single else s

    def __call__(self, X):
        r"""Output :math:`[X w \ge \theta]` (1 = fires).

        Parameters
        ----------
        X : array_like, shape (N, D) of 0/1, or (D,) for one pattern

        Returns
        -------
        ndarray, int64, shape (N,) of 0/1; an int for a single pattern

        Examples
        --------
        >>> MCPNeuron([1, 1], 1)([[0, 0], [1, 0]])
        array([0, 1])
        """
        X, single = _check_patterns(X, self.n_inputs)
        out = (X @ self.weights >= self.threshold).astype(np.int64)
        return int(out[0]) if single else out

    def truth_table(self):
        """All :math:`2^D` binary inputs and the neuron's outputs.

        Returns
        -------
        X : ndarray, int64, shape (2**D, D)   lexicographic order, first input slowest
        y : ndarray, int64, shape (2**D,)

        Examples
        --------
        >>> X, y = MCPNeuron([-1], 0).truth_table()   # NOT
        >>> X.ravel(), y
        (array([0, 1]), array([1, 0]))
        """
        X = binary_patterns(self.n_inputs)
        return X, self(X)

    def __repr__(self) -> str:
        weights, threshold = _vector_text(self.weights), _number_text(self.threshold)
        return f"MCPNeuron(weights={weights}, threshold={threshold})"


def gate_truth_table(name):
    """Return the target truth table of a named logic gate.

    Parameters
    ----------
    name : {"and", "or", "not", "nand", "nor", "xor"}   (see `GATES`)

    Returns
    -------
    X : ndarray, int64, shape (4, 2), or (2, 1) for ``"not"``
        ``(0, 0), (0, 1), (1, 0), (1, 1)`` (``0, 1`` for ``"not"``).
    y : ndarray, int64, shape (4,) or (2,)

    Raises
    ------
    ValueError
        For an unknown name; the message lists `GATES`.

    Examples
    --------
    >>> X, y = gate_truth_table("xor")
    >>> X.tolist(), y.tolist()
    ([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0])
    >>> gate_truth_table("xnor")
    Traceback (most recent call last):
    ...
    ValueError: unknown gate 'xnor'; valid names are: 'and', 'or', 'not', 'nand', 'nor', 'xor'
    """
    return truth_table(check_choice(name, "gate", GATES))


def gate_neuron(name):
    r"""Return a McCulloch-Pitts neuron computing a named gate, with textbook weights.

    ========  ============  ==========
    gate      weights       threshold
    ========  ============  ==========
    and       (1, 1)        2
    or        (1, 1)        1
    not       (-1,)         0
    nand      (-1, -1)      -1
    nor       (-1, -1)      0
    ========  ============  ==========

    Many other choices work too: see `valid_thresholds` and `search_single_neuron`.

    Parameters
    ----------
    name : one of `GATES`

    Returns
    -------
    MCPNeuron

    Raises
    ------
    ValueError
        For an unknown name (the message lists `GATES`), and for ``"xor"``, which no single
        neuron computes: it is not linearly separable (use `xor_network`).

    Examples
    --------
    >>> gate_neuron("nand")
    MCPNeuron(weights=[-1, -1], threshold=-1)
    >>> gate_neuron("xor")
    Traceback (most recent call last):
    ...
    ValueError: no single McCulloch-Pitts neuron computes 'xor': ...
    """
    name = check_choice(name, "gate", GATES)
    if name == "xor":
        raise ValueError(
            "no single McCulloch-Pitts neuron computes 'xor': its 1-outputs (0, 1) and (1, 0) "
            "and its 0-outputs (0, 0) and (1, 1) cannot be separated by one line (XOR is not "
            "linearly separable); use the two-layer nnlib.classic.xor_network()"
        )
    weights, threshold = _GATE_NEURONS[name]
    return MCPNeuron(weights, threshold)


@dataclass(frozen=True)
class ThresholdInterval:
    r"""The thresholds :math:`\theta` with :math:`\text{low} < \theta \le \text{high}`.

    Open at `low`, closed at `high` (unless `high` is infinite): a neuron fires when its
    net input is :math:`\ge \theta`. Use ``theta in interval`` to test a threshold.

    Attributes
    ----------
    low : float    (may be ``-inf``)
    high : float   (may be ``inf``)

    Examples
    --------
    >>> interval = ThresholdInterval(1.0, 2.0)
    >>> str(interval), 1 in interval, 1.5 in interval, 2 in interval
    ('(1, 2]', False, True, True)
    """

    low: float
    high: float

    @property
    def closed_low(self) -> bool:
        """Whether `low` itself is in the interval: never (the neuron must not fire there)."""
        return False

    @property
    def closed_high(self) -> bool:
        """Whether `high` itself is in the interval: yes when it is finite."""
        return math.isfinite(self.high)

    def __contains__(self, theta) -> bool:
        return bool(self.low < float(theta) <= self.high)

    def __str__(self) -> str:
        high = _number_text(self.high) + ("]" if self.closed_high else ")")
        return f"({_number_text(self.low)}, {high}"


def valid_thresholds(weights, name_or_targets):
    r"""All thresholds for which a neuron with these weights computes a gate.

    The neuron fires iff :math:`w \cdot x \ge \theta`, so :math:`\theta` must be at most
    the smallest net input of a pattern whose target is 1, and above the largest net input
    of a pattern whose target is 0:

    .. math:: \max_{t(x) = 0} w \cdot x \;<\; \theta \;\le\; \min_{t(x) = 1} w \cdot x

    Parameters
    ----------
    weights : array_like, shape (D,)
    name_or_targets : str or array_like of 0/1, shape (2**D,)
        A gate name (one of `GATES`, with D inputs) or a truth table in the order of
        `gate_truth_table` (lexicographic, first input slowest).

    Returns
    -------
    ThresholdInterval or None
        ``None`` when no threshold works (e.g. XOR, or weights pointing the wrong way).

    Examples
    --------
    With weights (1, 1) the net inputs of (0, 0), (0, 1), (1, 0), (1, 1) are 0, 1, 1, 2:

    >>> print(valid_thresholds([1, 1], "and"))   # above max(0, 1, 1) = 1, at most 2
    (1, 2]
    >>> print(valid_thresholds([1, 1], "or"))    # above 0, at most min(1, 1, 2) = 1
    (0, 1]
    >>> print(valid_thresholds([1, 1], "xor"))   # 1 < theta <= 1 is empty
    None
    """
    w = as_array(weights, "weights", ndim=1, finite=True)
    t = _gate_targets(name_or_targets, "name_or_targets")
    d = int(t.shape[0]).bit_length() - 1
    if w.shape[0] != d:
        raise ValueError(
            f"weights must have one entry per input of the gate: the truth table has "
            f"{t.shape[0]} rows, so {d} input(s), but weights has shape {w.shape}"
        )
    net = binary_patterns(d) @ w
    low = float(np.max(net[t == 0])) if np.any(t == 0) else -math.inf
    high = float(np.min(net[t == 1])) if np.any(t == 1) else math.inf
    return ThresholdInterval(low, high) if low < high else None


#: Every name `identify_gate` can return: the gates of `GATES` a single neuron computes, then
#: the other functions of one or two inputs a threshold unit computes (copying or negating an
#: input, one input inhibiting the other, an implication, and the constants). Together they
#: cover all 14 of the 16 two-input Boolean functions that are linearly separable (all but
#: XOR and XNOR) and all 4 one-input ones.
UNIT_FUNCTIONS: tuple[str, ...] = (
    "and",
    "or",
    "not",
    "nand",
    "nor",
    "x1",
    "x2",
    "not x1",
    "not x2",
    "x1 and not x2",
    "not x1 and x2",
    "x1 or not x2",
    "not x1 or x2",
    "always fires",
    "never fires",
)

# Truth tables (in truth-table order) of the names beyond GATES, by number of inputs.
_OTHER_FUNCTIONS = {
    1: {(1, 0): "not", (0, 1): "x1", (1, 1): "always fires", (0, 0): "never fires"},
    2: {
        (0, 0, 1, 1): "x1",
        (0, 1, 0, 1): "x2",
        (1, 1, 0, 0): "not x1",
        (1, 0, 1, 0): "not x2",
        (0, 0, 1, 0): "x1 and not x2",
        (0, 1, 0, 0): "not x1 and x2",
        (1, 0, 1, 1): "x1 or not x2",
        (1, 1, 0, 1): "not x1 or x2",
        (1, 1, 1, 1): "always fires",
        (0, 0, 0, 0): "never fires",
    },
}


def identify_gate(weights, threshold):
    """Name the Boolean function a McCulloch-Pitts neuron computes (see `UNIT_FUNCTIONS`).

    Compares the neuron's truth table with the named functions that have as many inputs:

    - one input: ``"not"``, ``"x1"`` (copies its input), ``"always fires"``,
      ``"never fires"``;
    - two inputs: the gates ``"and"``, ``"or"``, ``"nand"``, ``"nor"`` (never ``"xor"``:
      no single neuron computes it), a copy or negation of one input (``"x1"``, ``"x2"``,
      ``"not x1"``, ``"not x2"``), one input inhibiting the other (``"x1 and not x2"``,
      ``"not x1 and x2"``), an implication (``"x1 or not x2"``, ``"not x1 or x2"``), and
      the constants ``"always fires"`` (outputs 1 on every input) and ``"never fires"``
      (0 on every input).

    Every single neuron with one or two inputs gets a name; the names of `GATES` are
    returned unchanged (``"and"``, not ``"x1 and x2"``).

    Parameters
    ----------
    weights : array_like, shape (D,)
    threshold : float

    Returns
    -------
    str or None
        A name from `UNIT_FUNCTIONS`; ``None`` only for more than two inputs.

    Examples
    --------
    >>> identify_gate([1, 1], 1.5), identify_gate([0.5, 0.5], 0.25), identify_gate([1, 0], 1)
    ('and', 'or', 'x1')
    >>> identify_gate([0, -1], 0), identify_gate([1, 1], -1), identify_gate([1, 1], 3)
    ('not x2', 'always fires', 'never fires')
    >>> identify_gate([1, -1], 1)   # x1 = 1 excites, x2 = 1 inhibits
    'x1 and not x2'
    """
    neuron = MCPNeuron(weights, threshold)
    _, y = neuron.truth_table()
    table = tuple(y.tolist())
    for name in GATES:
        if TRUTH_TABLES[name] == table:
            return name
    return _OTHER_FUNCTIONS.get(neuron.n_inputs, {}).get(table)


def search_single_neuron(targets, weight_values, threshold_values):
    r"""Grid search: every (weights, threshold) whose neuron reproduces a truth table.

    All :math:`|V|^D` weight vectors with entries from `weight_values`, each with every
    threshold in `threshold_values`, evaluated at once (no Python loop):
    :math:`[X W^\top \ge \theta]` for all patterns, weight vectors and thresholds.

    Parameters
    ----------
    targets : str or array_like of 0/1, shape (2**D,)
        A gate name (one of `GATES`) or a truth table in `gate_truth_table` order.
    weight_values : array_like, shape (V,)
        Candidate values for every weight, e.g. ``np.arange(-2, 2.5, 0.5)``.
    threshold_values : array_like, shape (T,)
        Candidate thresholds.

    Returns
    -------
    ndarray, float64, shape (K, D + 1)
        Rows ``(w1, ..., wD, theta)`` that compute the targets, in lexicographic order of
        (w1, ..., wD, theta). ``K = 0`` when there is none (XOR).

    Examples
    --------
    >>> sols = search_single_neuron("and", [0, 1], [0, 1, 2, 3])
    >>> sols
    array([[1., 1., 2.]])
    >>> search_single_neuron("xor", np.arange(-2, 2.5, 0.5), np.arange(-3, 3.25, 0.25)).shape
    (0, 3)
    """
    t = _gate_targets(targets)
    d = int(t.shape[0]).bit_length() - 1
    v = as_array(weight_values, "weight_values", ndim=1, finite=True)
    thetas = as_array(threshold_values, "threshold_values", ndim=1, finite=True)
    # every weight vector: (V**d, d), rows in lexicographic order of the grid indices
    W = np.stack(np.meshgrid(*([v] * d), indexing="ij"), axis=-1).reshape(-1, d)
    net = W @ binary_patterns(d).T  # (M, P): net input of pattern p under weights m
    fires = net[:, None, :] >= thetas[None, :, None]  # (M, T, P)
    m, k = np.nonzero(np.all(fires == t.astype(bool), axis=2))  # row-major: w first, then θ
    return np.column_stack([W[m], thetas[k]]) if m.size else np.empty((0, d + 1))


# ----------------------------------------------------------------------------------------
# Networks of McCulloch-Pitts neurons
# ----------------------------------------------------------------------------------------


class MCPNetwork:
    """A feed-forward network of McCulloch-Pitts neurons with one output neuron.

    Each layer's neurons see every output of the previous layer (the first layer sees the
    inputs) and fire into the next.

    Parameters
    ----------
    layers : list of list of MCPNeuron
        ``layers[k][j]`` is neuron j of layer k. A neuron of layer k > 0 has one weight per
        neuron of layer k - 1; all first-layer neurons have the same number of inputs D.
        The last layer has exactly one neuron, the output.

    Attributes
    ----------
    layers : list of list of MCPNeuron
    n_inputs : int

    Examples
    --------
    >>> net = MCPNetwork([[gate_neuron("or"), gate_neuron("nand")], [gate_neuron("and")]])
    >>> net([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 1, 1, 0])
    >>> net.hidden([[0, 1]])[0]          # OR fires, NAND fires
    array([[1, 1]])
    """

    def __init__(self, layers):
        if not isinstance(layers, (list, tuple)) or not layers:
            raise TypeError(
                "layers must be a non-empty list of lists of MCPNeuron, "
                f"got {type(layers).__name__}"
            )
        checked = []
        for k, layer in enumerate(layers):
            if not isinstance(layer, (list, tuple)) or not layer:
                raise TypeError(f"layers[{k}] must be a non-empty list of MCPNeuron, got {layer!r}")
            for j, neuron in enumerate(layer):
                if not isinstance(neuron, MCPNeuron):
                    raise TypeError(
                        f"layers[{k}][{j}] must be an MCPNeuron, got {type(neuron).__name__}"
                    )
                want = layer[0].n_inputs if k == 0 else len(layers[k - 1])
                if neuron.n_inputs != want:
                    if k == 0:
                        source = "as many as the other first-layer neurons"
                    else:
                        source = f"one per neuron of layers[{k - 1}]"
                    raise ValueError(
                        f"layers[{k}][{j}] has {neuron.n_inputs} weight(s) but needs {want} "
                        f"({source})"
                    )
            checked.append(list(layer))
        if len(checked[-1]) != 1:
            raise ValueError(
                f"the last layer must have exactly one neuron (the output), got {len(checked[-1])}"
            )
        self.layers = checked
        self.n_inputs = checked[0][0].n_inputs

    def hidden(self, X):
        """Compute the outputs of every layer, first to last (the last is the output neuron).

        Parameters
        ----------
        X : array_like, shape (N, D) of 0/1, or (D,) for one pattern

        Returns
        -------
        list of ndarray, int64
            One array per layer, shape (N, units); shape (units,) for a single pattern.

        Examples
        --------
        >>> [h.tolist() for h in xor_network("and_not").hidden([1, 0])]
        [[1, 0], [1]]
        """
        A, single = _check_patterns(X, self.n_inputs)
        outputs = []
        for layer in self.layers:
            W = np.column_stack([n.weights for n in layer])  # (D_in, units)
            theta = np.array([n.threshold for n in layer])  # (units,)
            A = np.greater_equal(A @ W, theta).astype(np.int64)
            outputs.append(A[0] if single else A)
        return outputs

    def __call__(self, X):
        """Compute the output neuron's output.

        Parameters
        ----------
        X : array_like, shape (N, D) of 0/1, or (D,) for one pattern

        Returns
        -------
        ndarray, int64, shape (N,); an int for a single pattern

        Examples
        --------
        >>> xor_network()([1, 1])
        0
        """
        out = self.hidden(X)[-1]
        return int(out[0]) if out.ndim == 1 else out[:, 0]

    def truth_table(self):
        """All :math:`2^D` binary inputs and the network's outputs.

        Returns
        -------
        X : ndarray, int64, shape (2**D, D)
        y : ndarray, int64, shape (2**D,)

        Examples
        --------
        >>> xor_network().truth_table()[1]
        array([0, 1, 1, 0])
        """
        X = binary_patterns(self.n_inputs)
        return X, self(X)

    def __repr__(self) -> str:
        rows = ",\n".join("    [" + ", ".join(map(repr, layer)) + "]" for layer in self.layers)
        return f"MCPNetwork([\n{rows},\n])"


def xor_network(decomposition="or_nand"):
    r"""Build a two-layer McCulloch-Pitts network computing XOR.

    Two decompositions (see `DECOMPOSITIONS`):

    - ``"or_nand"``: :math:`(x_1 \lor x_2) \land \lnot(x_1 \land x_2)`: hidden
      h1 = OR (w = (1, 1), θ = 1), h2 = NAND (w = (-1, -1), θ = -1); output AND of
      h1, h2 (w = (1, 1), θ = 2).
    - ``"and_not"``: :math:`(x_1 \land \lnot x_2) \lor (\lnot x_1 \land x_2)`: hidden
      h1 = x1 AND NOT x2 (w = (1, -1), θ = 1), h2 = NOT x1 AND x2 (w = (-1, 1), θ = 1);
      output OR of h1, h2 (w = (1, 1), θ = 1).

    Parameters
    ----------
    decomposition : {"or_nand", "and_not"}, default "or_nand"

    Returns
    -------
    MCPNetwork

    Examples
    --------
    >>> xor_network("and_not")
    MCPNetwork([
        [MCPNeuron(weights=[1, -1], threshold=1), MCPNeuron(weights=[-1, 1], threshold=1)],
        [MCPNeuron(weights=[1, 1], threshold=1)],
    ])
    >>> xor_network("and_not")([[0, 0], [0, 1], [1, 0], [1, 1]])
    array([0, 1, 1, 0])
    """
    decomposition = check_choice(decomposition, "decomposition", DECOMPOSITIONS)
    if decomposition == "or_nand":
        hidden = [gate_neuron("or"), gate_neuron("nand")]
        out = gate_neuron("and")
    else:
        hidden = [MCPNeuron([1, -1], 1), MCPNeuron([-1, 1], 1)]
        out = gate_neuron("or")
    return MCPNetwork([hidden, [out]])


# ----------------------------------------------------------------------------------------
# Encodings and units with a bias
# ----------------------------------------------------------------------------------------


def _convert_encoding(x, name, allowed, what, f_int, f_float):
    """Check that `x` holds only `allowed` values; convert it with `f_int` or `f_float`.

    Integer and bool input is converted by `f_int` (int64 out), float input by `f_float`.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    _check_values(arr, name, allowed, what)
    return f_int(arr.astype(np.int64)) if arr.dtype.kind in "iu" else f_float(arr)


def bipolar(x):
    r"""Binary 0/1 values to bipolar -1/+1: :math:`2x - 1`.

    Parameters
    ----------
    x : array_like of 0/1 (or bool), any shape

    Returns
    -------
    ndarray of -1/+1, same shape; int64 for integer or bool input, float64 for float input

    Examples
    --------
    >>> bipolar([0, 1, 1])
    array([-1,  1,  1])
    >>> bipolar([0.0, 1.0])
    array([-1.,  1.])
    """
    return _convert_encoding(
        x, "x", (0, 1), "0 and 1 (binary values)", lambda a: 2 * a - 1, lambda a: 2.0 * a - 1.0
    )


def binary(x):
    r"""Bipolar -1/+1 values to binary 0/1: :math:`(x + 1) / 2`.

    Parameters
    ----------
    x : array_like of -1/+1, any shape

    Returns
    -------
    ndarray of 0/1, same shape; int64 for integer input, float64 for float input

    Examples
    --------
    >>> binary([-1, 1])
    array([0, 1])
    """
    return _convert_encoding(
        x,
        "x",
        (-1, 1),
        "-1 and +1 (bipolar values)",
        lambda a: (a + 1) // 2,
        lambda a: (a + 1.0) / 2.0,
    )


def predict_sign(X, w, b):
    r"""Bipolar output of a linear unit: +1 where :math:`w \cdot x + b \ge 0`, else -1.

    Parameters
    ----------
    X : array_like, shape (N, D)
    w : array_like, shape (D,)
    b : float

    Returns
    -------
    ndarray, int64, shape (N,), values in {-1, +1}   (+1 on the boundary itself)

    Examples
    --------
    >>> predict_sign([[1, 1], [-1, 1], [0.5, -0.5]], [2, 2], -2)   # nets 2, -2, -2
    array([ 1, -1, -1])
    >>> predict_sign([[1, 0]], [1, 1], -1)                          # net 0 -> +1
    array([1])
    """
    X, w, b = _check_linear_unit(X, w, b)
    return np.where(X @ w + b >= 0, 1, -1).astype(np.int64)


def predict_step(X, w, b):
    r"""Binary output of a linear unit: 1 where :math:`w \cdot x + b \ge 0`, else 0.

    Parameters
    ----------
    X : array_like, shape (N, D)
    w : array_like, shape (D,)
    b : float

    Returns
    -------
    ndarray, int64, shape (N,), values in {0, 1}   (1 on the boundary itself)

    Examples
    --------
    Hebb's rule on binary AND ends at w = (1, 1), b = 1, which fires everywhere:

    >>> predict_step([[0, 0], [0, 1], [1, 0], [1, 1]], [1, 1], 1)
    array([1, 1, 1, 1])
    """
    X, w, b = _check_linear_unit(X, w, b)
    return (X @ w + b >= 0).astype(np.int64)


# ----------------------------------------------------------------------------------------
# Hebb's rule
# ----------------------------------------------------------------------------------------


@dataclass
class HebbTrace:
    r"""A pass of Hebb's rule, one row per pattern.

    Row n holds the pattern, its target, the change it caused and the weights after it:
    :math:`\Delta w = x_n t_n`, :math:`\Delta b = t_n`, :math:`w \leftarrow w + \Delta w`,
    :math:`b \leftarrow b + \Delta b`.

    Attributes
    ----------
    x : ndarray, float64, shape (N, D)    the patterns, in the order presented
    t : ndarray, float64, shape (N,)      their targets
    dw : ndarray, float64, shape (N, D)   weight change at each pattern
    db : ndarray, float64, shape (N,)     bias change at each pattern
    w : ndarray, float64, shape (N, D)    weights after each pattern
    b : ndarray, float64, shape (N,)      bias after each pattern
    w0 : ndarray, float64, shape (D,)     weights before the first pattern
    b0 : float                            bias before the first pattern
    final_w : ndarray, shape (D,)         (property) ``w[-1]``
    final_b : float                       (property) ``b[-1]``

    ``print(trace)`` shows a fixed-width table; `as_table` gives the rows as dicts (for
    ``pandas.DataFrame``); ``weights_after(k)`` gives (w, b) after k patterns.
    """

    x: np.ndarray
    t: np.ndarray
    dw: np.ndarray
    db: np.ndarray
    w: np.ndarray
    b: np.ndarray
    w0: np.ndarray
    b0: float

    @property
    def final_w(self) -> np.ndarray:
        """Weights after the last pattern, shape (D,)."""
        return self.w[-1]

    @property
    def final_b(self) -> float:
        """Bias after the last pattern."""
        return float(self.b[-1])

    def __len__(self) -> int:
        return self.x.shape[0]

    def weights_after(self, k):
        """Weights and bias after the first `k` patterns (``k = 0``: the initial ones).

        Parameters
        ----------
        k : int, 0 <= k <= N

        Returns
        -------
        w : ndarray, shape (D,)
        b : float

        Examples
        --------
        >>> trace = hebb([[1, 1], [1, -1]], [1, -1])
        >>> trace.weights_after(0), trace.weights_after(1)
        ((array([0., 0.]), 0.0), (array([1., 1.]), 1.0))
        """
        k = check_int(k, "k", low=0)
        if k > len(self):
            raise ValueError(f"k must be at most the number of patterns {len(self)}, got {k}")
        if k == 0:
            return self.w0.copy(), float(self.b0)
        return self.w[k - 1].copy(), float(self.b[k - 1])

    def as_table(self):
        """Return the trace as a list of dicts, one per pattern.

        Keys ``x1..xD, t, dw1..dwD, db, w1..wD, b``; values are floats.

        Examples
        --------
        >>> hebb([[1, 1]], [1]).as_table()
        [{'x1': 1.0, 'x2': 1.0, 't': 1.0, 'dw1': 1.0, 'dw2': 1.0, 'db': 1.0,
          'w1': 1.0, 'w2': 1.0, 'b': 1.0}]
        """
        d = self.x.shape[1]
        rows = []
        for n in range(len(self)):
            row = {f"x{i + 1}": float(self.x[n, i]) for i in range(d)}
            row["t"] = float(self.t[n])
            row.update({f"dw{i + 1}": float(self.dw[n, i]) for i in range(d)})
            row["db"] = float(self.db[n])
            row.update({f"w{i + 1}": float(self.w[n, i]) for i in range(d)})
            row["b"] = float(self.b[n])
            rows.append(row)
        return rows

    def __str__(self) -> str:
        d = self.x.shape[1]
        groups = [
            ([f"x{i + 1}" for i in range(d)] + ["t"], np.column_stack([self.x, self.t])),
            ([f"Δw{i + 1}" for i in range(d)] + ["Δb"], np.column_stack([self.dw, self.db])),
            ([f"w{i + 1}" for i in range(d)] + ["b"], np.column_stack([self.w, self.b])),
        ]
        cells = [[_number_text(v) for v in row] for row in np.column_stack([g[1] for g in groups])]
        header = [h for g in groups for h in g[0]]
        width = max(max(len(h) for h in header), max(len(c) for r in cells for c in r))
        ends = np.cumsum([len(g[0]) for g in groups])[:-1]

        def line(items):
            out = ""
            for j, item in enumerate(items):
                out += (" |" if j in ends else "") + " " + item.rjust(width)
            return out.rstrip()

        return "\n".join([line(header)] + [line(r) for r in cells])

    def __repr__(self) -> str:
        return f"HebbTrace({len(self)} patterns, {self.x.shape[1]} inputs)\n{self}"


def hebb(X, t, w0=None, b0=0.0):
    r"""One pass of Hebb's rule over the patterns, in order, with the full trace.

    .. math::
        \Delta w_i = x_i\, t, \qquad \Delta b = t, \qquad
        w \leftarrow w + \Delta w, \quad b \leftarrow b + \Delta b

    (the learning rate is 1, as in Fausett). Vectorized: the weights after pattern n are
    :math:`w_0 + \sum_{m \le n} x_m t_m`, a cumulative sum.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Patterns, any encoding. A 0 input or target changes nothing: that is why the
        bipolar encoding (-1/+1) learns more than the binary one.
    t : array_like, shape (N,)
        Targets.
    w0 : array_like, shape (D,), optional
        Initial weights; zeros by default.
    b0 : float, default 0.0
        Initial bias.

    Returns
    -------
    HebbTrace

    Examples
    --------
    Bipolar AND in Fausett's order (1, 1), (1, -1), (-1, 1), (-1, -1):

    >>> trace = hebb([[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1])
    >>> print(trace)
     x1  x2   t | Δw1 Δw2  Δb |  w1  w2   b
      1   1   1 |   1   1   1 |   1   1   1
      1  -1  -1 |  -1   1  -1 |   0   2   0
     -1   1  -1 |   1  -1  -1 |   1   1  -1
     -1  -1  -1 |   1   1  -1 |   2   2  -2
    >>> trace.final_w, trace.final_b
    (array([2., 2.]), -2.0)
    """
    X = as_array(X, "X", ndim=2, finite=True)
    t = as_array(t, "t", ndim=1, finite=True)
    n, d = X.shape
    if n < 1:
        raise ValueError("X must hold at least one pattern, got shape (0, D)")
    if t.shape[0] != n:
        raise ValueError(f"t must have one target per row of X: shape ({n},), got {t.shape}")
    w0, b0 = _initial_weights(w0, b0, d)
    dw = X * t[:, None]
    db = t.copy()
    return HebbTrace(
        x=X.copy(),
        t=t.copy(),
        dw=dw,
        db=db,
        w=w0 + np.cumsum(dw, axis=0),
        b=b0 + np.cumsum(db),
        w0=w0,
        b0=b0,
    )


# ----------------------------------------------------------------------------------------
# The perceptron
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerceptronUpdate:
    """One perceptron update (a mistake and its correction).

    Fields are attributes and can also be read dict-style: ``u.x`` or ``u["x"]``.

    Attributes
    ----------
    epoch : int                      epoch of the update, **0-based** (the first epoch is 0)
    index : int                      row of X that was misclassified, **0-based**
    x : ndarray, shape (D,)          that sample
    y : int                          its label, -1 or +1
    w_before, w_after : ndarray, shape (D,)
    b_before, b_after : float
    """

    epoch: int
    index: int
    x: np.ndarray
    y: int
    w_before: np.ndarray
    b_before: float
    w_after: np.ndarray
    b_after: float

    def __getitem__(self, key: str):
        if key not in self.__dataclass_fields__:
            raise KeyError(f"{key!r}; fields are {list(self.__dataclass_fields__)}")
        return getattr(self, key)

    def __repr__(self) -> str:
        return (
            f"PerceptronUpdate(epoch={self.epoch}, index={self.index}, x={_vector_text(self.x)}, "
            f"y={self.y:+d}, w: {_vector_text(self.w_before)} -> {_vector_text(self.w_after)}, "
            f"b: {_number_text(self.b_before)} -> {_number_text(self.b_after)})"
        )


@dataclass
class PerceptronResult:
    """What `perceptron` returns: the final unit and its whole history.

    Attributes
    ----------
    w : ndarray, float64, shape (D,)       final weights
    b : float                              final bias
    converged : bool                       an epoch ran without a mistake
    epochs : int                           epochs run (including the final clean one)
    mistakes_per_epoch : list of int       length `epochs`; sums to the number of updates
    updates : list of PerceptronUpdate     one per mistake, in order
    weights_history : ndarray, shape (U + 1, D + 1)
        Rows ``(w1, ..., wD, b)``: row 0 the initial weights, row u after update u.
    n_updates : int                        (property) ``len(updates)``
    """

    w: np.ndarray
    b: float
    converged: bool
    epochs: int
    mistakes_per_epoch: list[int]
    updates: list[PerceptronUpdate] = field(repr=False)
    weights_history: np.ndarray = field(repr=False)

    @property
    def n_updates(self) -> int:
        """Number of updates (= total number of mistakes)."""
        return len(self.updates)

    def __repr__(self) -> str:
        return (
            f"PerceptronResult(converged={self.converged}, epochs={self.epochs}, "
            f"updates={self.n_updates}, mistakes_per_epoch={self.mistakes_per_epoch}, "
            f"w={_vector_text(self.w)}, b={_number_text(self.b)})"
        )


def perceptron(X, y, lr=1.0, epochs=100, w0=None, b0=0.0, shuffle=False, rng=None):
    r"""Rosenblatt's perceptron learning rule, with the history of every update.

    For each sample in turn (in order, or in a fresh random order each epoch if
    `shuffle`), a **mistake** is :math:`y_i (w \cdot x_i + b) \le 0` (a point on the
    boundary counts as a mistake), and each mistake updates

    .. math:: w \leftarrow w + \alpha\, y_i x_i, \qquad b \leftarrow b + \alpha\, y_i

    (add the sample on a false negative, subtract it on a false positive). Training stops
    after the first epoch without a mistake, or after `epochs` epochs.

    The updates are online (one sample at a time), so the per-sample loop is the algorithm
    itself; each step is one stochastic gradient step on `perceptron_criterion`.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {-1, +1}
        Bipolar labels (convert 0/1 labels with `bipolar`); anything else raises.
    lr : float > 0, default 1.0
        :math:`\alpha`. From a zero start it only scales (w, b), so the sequence of mistakes
        does not depend on it.
    epochs : int >= 1, default 100
        Maximum number of passes.
    w0 : array_like, shape (D,), optional
        Initial weights; zeros by default (pass small random ones for "start random").
    b0 : float, default 0.0
        Initial bias.
    shuffle : bool, default False
        Visit the samples in a new random order every epoch.
    rng : Generator, int or None
        Used only when `shuffle` is true.

    Returns
    -------
    PerceptronResult
        Counting: the data are Python-indexed, so ``PerceptronUpdate.epoch`` and
        ``PerceptronUpdate.index`` start at **0** (``mistakes_per_epoch[0]`` is the first
        epoch). Everything shown to a student (`nnlib.widgets`, `nnlib.plotting.plot_mistakes`,
        the notebooks' tables) counts epochs and samples from **1**: epoch ``epoch + 1``,
        sample ``index + 1``.

    Notes
    -----
    If the data are linearly separable with margin :math:`\gamma` by a unit vector (w, b)
    and :math:`R = \max_i \|(x_i, 1)\|`, the run from zero makes at most
    :math:`(R/\gamma)^2` updates (Novikoff 1962; see `novikoff_bound`). On data that are
    not separable (XOR) it never converges: the weights cycle.

    Examples
    --------
    Bipolar AND:

    >>> X = [[1, 1], [1, -1], [-1, 1], [-1, -1]]
    >>> result = perceptron(X, [1, -1, -1, -1])
    >>> result
    PerceptronResult(converged=True, epochs=2, updates=3, mistakes_per_epoch=[3, 0],
                     w=[1, 1], b=-1)
    >>> for u in result.updates:   # margin 0 at the start counts as a mistake
    ...     print(u)
    PerceptronUpdate(epoch=0, index=0, x=[1, 1], y=+1, w: [0, 0] -> [1, 1], b: 0 -> 1)
    PerceptronUpdate(epoch=0, index=1, x=[1, -1], y=-1, w: [1, 1] -> [0, 2], b: 1 -> 0)
    PerceptronUpdate(epoch=0, index=2, x=[-1, 1], y=-1, w: [0, 2] -> [1, 1], b: 0 -> -1)
    >>> predict_sign(X, result.w, result.b)
    array([ 1, -1, -1, -1])
    """
    X = as_array(X, "X", ndim=2, finite=True)
    if X.shape[0] < 1:
        raise ValueError("X must hold at least one sample, got shape (0, D)")
    y = _check_bipolar_labels(y, X.shape[0])
    lr = check_number(lr, "lr", low=0, low_open=True, finite=True)
    epochs = check_int(epochs, "epochs", low=1)
    w, b = _initial_weights(w0, b0, X.shape[1])
    gen = as_rng(rng) if check_bool(shuffle, "shuffle") else None

    updates: list[PerceptronUpdate] = []
    history = [np.append(w, b)]  # (w, b) before the first update, then after each one
    mistakes_per_epoch: list[int] = []
    for epoch in range(epochs):
        order = range(X.shape[0]) if gen is None else gen.permutation(X.shape[0])
        w, b, mistakes = _perceptron_epoch(X, y, w, b, lr, epoch, order, updates, history)
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:  # a clean pass: every sample strictly on its own side
            break
    return PerceptronResult(
        w=w.copy(),
        b=float(b),
        converged=mistakes_per_epoch[-1] == 0,
        epochs=len(mistakes_per_epoch),
        mistakes_per_epoch=mistakes_per_epoch,
        updates=updates,
        weights_history=np.array(history),
    )


def _perceptron_epoch(X, y, w, b, lr, epoch, order, updates, history):
    r"""Run one epoch of the perceptron rule over the samples in `order`.

    Every mistake, :math:`y_i (w \cdot x_i + b) \le 0`, updates
    :math:`w \leftarrow w + \alpha y_i x_i`, :math:`b \leftarrow b + \alpha y_i`, appends
    a `PerceptronUpdate` to `updates` and the new ``(w1, ..., wD, b)`` to `history`.

    Returns
    -------
    w : ndarray, shape (D,)   weights after the epoch
    b : float                 bias after the epoch
    mistakes : int            number of updates in this epoch
    """
    mistakes = 0
    for i in order:
        xi, yi = X[i], y[i]
        if yi * (xi @ w + b) <= 0:
            w_new = w + lr * yi * xi
            b_new = b + lr * yi
            updates.append(
                PerceptronUpdate(
                    epoch=epoch,
                    index=int(i),
                    x=xi.copy(),
                    y=int(yi),
                    w_before=w,
                    b_before=b,
                    w_after=w_new,
                    b_after=b_new,
                )
            )
            w, b = w_new, b_new
            history.append(np.append(w, b))
            mistakes += 1
    return w, b, mistakes


def _margins(w, b, X, y):
    X, w, b = _check_linear_unit(X, w, b)
    y = _check_bipolar_labels(y, X.shape[0])
    return X, y, y * (X @ w + b)


def perceptron_criterion(w, b, X, y):
    r"""Perceptron criterion: how far the misclassified samples are on the wrong side.

    .. math::
        J(w, b) = -\sum_{i \in M} y_i\,(w \cdot x_i + b), \qquad
        M = \{\, i : y_i (w \cdot x_i + b) \le 0 \,\}

    :math:`J \ge 0`, and :math:`J = 0` iff no sample is strictly on the wrong side. Points
    exactly on the boundary are in M (they count as mistakes for `perceptron`) but add 0.

    Parameters
    ----------
    w : array_like, shape (D,)
    b : float
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {-1, +1}

    Returns
    -------
    float

    Examples
    --------
    >>> X, y = [[1, 1], [-1, -1], [2, 0]], [1, 1, -1]
    >>> perceptron_criterion([1, 0], 0.5, X, y)   # margins 1.5, -0.5, -2.5: J = 0.5 + 2.5
    3.0
    """
    _, _, m = _margins(w, b, X, y)
    return float(-np.sum(m[m <= 0]))


def perceptron_criterion_grad(w, b, X, y):
    r"""Gradient of `perceptron_criterion` with respect to w and b.

    .. math::
        \frac{\partial J}{\partial w} = -\sum_{i \in M} y_i x_i, \qquad
        \frac{\partial J}{\partial b} = -\sum_{i \in M} y_i

    Valid wherever no sample is exactly on the boundary (J is piecewise linear; there it
    is one of the subgradients, the one with M including the boundary points).

    **Sign.** Gradient descent *subtracts* the gradient:
    :math:`w \leftarrow w - \alpha\,\partial J/\partial w = w + \alpha \sum_{i \in M} y_i x_i`,
    the batch perceptron rule. Notes that print :math:`w \leftarrow w + \alpha\,\partial
    J/\partial w` have dropped a minus sign (that would be gradient ascent). One sample at a
    time, it is `perceptron`'s update.

    Parameters
    ----------
    w : array_like, shape (D,)
    b : float
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {-1, +1}

    Returns
    -------
    dw : ndarray, float64, shape (D,)
    db : float

    Examples
    --------
    >>> X, y = [[1, 1], [-1, -1], [2, 0]], [1, 1, -1]
    >>> perceptron_criterion_grad([1, 0], 0.5, X, y)   # M = {1, 2}: -(+1)(-1, -1) - (-1)(2, 0)
    (array([3., 1.]), 0.0)
    """
    X, y, m = _margins(w, b, X, y)
    wrong = m <= 0
    return -(y[wrong] @ X[wrong]), float(-np.sum(y[wrong]))


def criterion_landscape(X, y, b, w1_values, w2_values):
    r"""Count the mistakes and compute the perceptron criterion on a grid of weights, b fixed.

    For a unit with two inputs and every :math:`(w_1, w_2)` of the grid, with the margins
    :math:`m_i = y_i (w \cdot x_i + b)`:

    .. math::
        \text{mistakes}(w) = \#\{\, i : m_i \le 0 \,\}, \qquad
        J(w) = -\sum_{i : m_i \le 0} m_i

    (`perceptron_criterion`). The count is piecewise constant in w (its gradient is 0
    wherever it exists); J is piecewise linear, with a slope wherever a sample is wrong.
    Both are 0 exactly where no sample is strictly on the wrong side. Computed at once for
    the whole grid (vectorized).

    Parameters
    ----------
    X : array_like, shape (N, 2)
    y : array_like, shape (N,), values in {-1, +1}
    b : float
        The bias, held fixed.
    w1_values : array_like, shape (G1,)
    w2_values : array_like, shape (G2,)

    Returns
    -------
    mistakes : ndarray, int64, shape (G2, G1)
        Row j, column i: the count at :math:`(w_1, w_2) = (`w1_values[i]`, `w2_values[j]`)`
        (rows follow w2, as `matplotlib.pyplot.imshow` and `contourf` expect).
    J : ndarray, float64, shape (G2, G1)

    Examples
    --------
    Binary AND with bipolar labels and b = -1 (threshold 1): w = (0.75, 0.75) is right on
    all four patterns, w = (0, 0) wrong on (1, 1) only, by 1.

    >>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1, -1, -1, 1]
    >>> mistakes, J = criterion_landscape(X, y, -1.0, [0.0, 0.75], [0.0, 0.75])
    >>> mistakes
    array([[1, 1],
           [1, 0]])
    >>> J
    array([[1.  , 0.25],
           [0.25, 0.  ]])
    """
    X = as_array(X, "X", ndim=2, finite=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (a unit with two inputs), got {X.shape}")
    y = _check_bipolar_labels(y, X.shape[0])
    b = check_number(b, "b", finite=True)
    w1 = as_array(w1_values, "w1_values", ndim=1, finite=True)
    w2 = as_array(w2_values, "w2_values", ndim=1, finite=True)
    # margins[j, i, n] = y_n (w1[i] x_n1 + w2[j] x_n2 + b)
    margins = y * (w1[None, :, None] * X[:, 0] + w2[:, None, None] * X[:, 1] + b)
    wrong = margins <= 0
    return wrong.sum(axis=2), np.where(wrong, -margins, 0.0).sum(axis=2) + 0.0  # no -0.0


@dataclass(frozen=True)
class NovikoffBound:
    r"""Novikoff's bound on the number of perceptron updates.

    Attributes
    ----------
    R : float       :math:`\max_i \|(x_i, 1)\|`
    gamma : float   :math:`\min_i y_i (w \cdot x_i + b) / \|(w, b)\|`
    bound : float   :math:`(R / \gamma)^2`
    """

    R: float
    gamma: float
    bound: float

    def __str__(self) -> str:
        return f"R = {self.R:.4g}, γ = {self.gamma:.4g}, (R/γ)² = {self.bound:.4g}"


def novikoff_bound(X, y, w, b):
    r"""Compute the perceptron convergence bound :math:`(R/\gamma)^2` for a separating (w, b).

    The bias is treated as a weight on a constant input 1, so with
    :math:`\tilde x_i = (x_i, 1)` and :math:`\tilde w = (w, b)`:

    .. math::
        R = \max_i \|\tilde x_i\|, \qquad
        \gamma = \min_i \frac{y_i\, \tilde w \cdot \tilde x_i}{\|\tilde w\|}, \qquad
        \text{updates} \le \left(\frac{R}{\gamma}\right)^2

    Any separating (w, b) gives a valid bound (a larger margin, a tighter one). It bounds
    the updates of `perceptron` started from ``w0 = 0, b0 = 0``, with any learning rate.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {-1, +1}
    w : array_like, shape (D,)
    b : float

    Returns
    -------
    NovikoffBound

    Raises
    ------
    ValueError
        If (w, b) does not separate the data (some :math:`y_i (w \cdot x_i + b) \le 0`).

    Examples
    --------
    >>> X, y = [[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]   # bipolar AND
    >>> nb = novikoff_bound(X, y, [1, 1], -1)   # margins 1, 1, 1, 1; ||(1, 1, -1)|| = sqrt(3)
    >>> print(nb)                               # R = sqrt(3), gamma = 1/sqrt(3): bound 9
    R = 1.732, γ = 0.5774, (R/γ)² = 9
    """
    X, y, m = _margins(w, b, X, y)
    worst = int(np.argmin(m))
    if m[worst] <= 0:
        raise ValueError(
            "(w, b) does not separate the data: y_i (w.x_i + b) = "
            f"{_number_text(m[worst])} <= 0 for sample {worst}; Novikoff's bound needs a "
            "separating (w, b)"
        )
    norm = math.sqrt(float(np.sum(np.asarray(w, dtype=float) ** 2)) + float(b) ** 2)
    R = float(np.sqrt(np.max(np.sum(X**2, axis=1) + 1.0)))
    gamma = float(m[worst]) / norm
    return NovikoffBound(R=R, gamma=gamma, bound=(R / gamma) ** 2)


def margin(X, y, w, b):
    r"""Geometric margin of the line (or hyperplane) :math:`w \cdot x + b = 0` in input space.

    .. math::
        \operatorname{margin}(w, b) = \min_i \frac{y_i\,(w \cdot x_i + b)}{\|w\|}

    the signed distance, in the plane of the data, from the line to the closest point
    (positive when every point is on its own side). It does not change when (w, b) is
    scaled by a positive number.

    **Not Novikoff's gamma.** `novikoff_bound` folds the bias into the weight vector,
    :math:`\gamma = \min_i y_i (w \cdot x_i + b) / \|(w, b)\|`: the distance in the
    augmented space :math:`(x, 1)` to a hyperplane through the origin. Dividing by the
    longer vector :math:`\|(w, b)\| \ge \|w\|` gives :math:`\gamma \le` margin, with
    equality only when :math:`b = 0`.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,), values in {-1, +1}
    w : array_like, shape (D,), not all zero
    b : float

    Returns
    -------
    float
        Negative when some point is on the wrong side, 0 when one lies on the line.

    Examples
    --------
    Bipolar AND and the line x1 + x2 - 1 = 0: every point is at distance 1/sqrt(2):

    >>> X, y = [[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]
    >>> margin(X, y, [1, 1], -1)        # min(1, 1, 1, 3) / sqrt(2)
    0.7071067811865475
    >>> novikoff_bound(X, y, [1, 1], -1).gamma   # min(...) / sqrt(3): smaller
    0.5773502691896258
    """
    X, y, m = _margins(w, b, X, y)
    norm = float(np.linalg.norm(np.asarray(w, dtype=np.float64)))
    if norm == 0.0:
        raise ValueError("w must not be all zeros: with w = 0 there is no line to measure from")
    return float(np.min(m)) / norm


def max_margin_2d(X, y, n_angles=3600):
    r"""Find the separating line of 2-D data with the largest margin, by scanning directions.

    For each unit direction :math:`w(\phi) = (\cos\phi, \sin\phi)`,
    :math:`\phi = 2\pi k / n` (``n = n_angles``), the points project to
    :math:`p_i = w \cdot x_i`. The direction separates the classes when
    :math:`\text{lo} = \min_{y_i = +1} p_i > \text{hi} = \max_{y_i = -1} p_i`; the
    line is put in the middle of the gap,

    .. math::
        b = -\frac{\text{lo} + \text{hi}}{2}, \qquad
        \text{margin} = \frac{\text{lo} - \text{hi}}{2}
        = \min_i y_i\,(w \cdot x_i + b)

    (with :math:`\|w\| = 1` this is the distance from the line to the closest point, as
    `margin` computes). The direction with the largest margin is returned. All directions
    are evaluated at once, an ``(N, n_angles)`` array of projections (no Python loop). The
    answer is the best *on the grid*: its margin is below the exact maximum-margin line's
    by at most about :math:`\pi R / n` for data within radius R of the origin.

    This is the margin **in the plane** (the hard-margin SVM's). Novikoff's
    :math:`\gamma` (`novikoff_bound`) divides by :math:`\|(w, b)\|` instead of
    :math:`\|w\|`, folding the bias into the vector; for the same line it is smaller
    whenever :math:`b \ne 0`.

    Parameters
    ----------
    X : array_like, shape (N, 2)
    y : array_like, shape (N,), values in {-1, +1}; both classes present
    n_angles : int >= 4, default 3600
        Directions scanned over the full circle (3600: every 0.1°).

    Returns
    -------
    w : ndarray, float64, shape (2,)
        Unit normal of the line, pointing to the +1 side.
    b : float
    gamma_plane : float
        The margin in the plane, ``margin(X, y, w, b)``.

    Raises
    ------
    ValueError
        If no scanned direction separates the data (e.g. XOR), or a class is missing.

    Examples
    --------
    Bipolar AND: the best line is x1 + x2 = 1, at distance 1/sqrt(2) from all four points:

    >>> X, y = [[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]
    >>> w, b, gamma = max_margin_2d(X, y)
    >>> np.round(w, 4), round(b, 4), round(gamma, 4)     # w = (1, 1)/sqrt(2), b = -1/sqrt(2)
    (array([0.7071, 0.7071]), -0.7071, 0.7071)
    """
    X = as_array(X, "X", ndim=2, finite=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (points in the plane), got shape {X.shape}")
    y = _check_bipolar_labels(y, X.shape[0])
    n_angles = check_int(n_angles, "n_angles", low=4)
    pos, neg = y > 0, y < 0
    if not pos.any() or not neg.any():
        raise ValueError("y must hold both classes, -1 and +1, to place a line between them")
    phi = 2.0 * np.pi * np.arange(n_angles) / n_angles
    W = np.column_stack([np.cos(phi), np.sin(phi)])  # (A, 2) unit directions
    P = X @ W.T  # (N, A) projections
    lo = P[pos].min(axis=0)  # closest +1 point along each direction
    hi = P[neg].max(axis=0)  # closest -1 point
    gap = lo - hi
    k = int(np.argmax(gap))
    if gap[k] <= 0:
        raise ValueError(
            f"no direction of the {n_angles} scanned separates the data (the classes overlap "
            "in every direction): the data are not linearly separable"
        )
    return W[k].copy(), float(-(lo[k] + hi[k]) / 2.0), float(gap[k] / 2.0)
