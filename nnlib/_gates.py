"""The logic gates of lessons 01-02: their names and their one truth table.

`nnlib.classic` (McCulloch-Pitts neurons, Hebb's rule) and `nnlib.datasets.logic_gate`
(the gates as tiny datasets) both read the gates from here, so there is one list of
names, in one order, and one truth table per gate.

Truth-table order: the :math:`2^D` binary patterns in lexicographic order, the first input
varying slowest, ``(0, 0), (0, 1), (1, 0), (1, 1)``; ``0, 1`` for ``"not"``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GATES", "TRUTH_TABLES", "binary_patterns", "truth_table"]

#: The gates, in the order every message and list uses (``"not"`` has one input, the others
#: two).
GATES: tuple[str, ...] = ("and", "or", "not", "nand", "nor", "xor")

#: Each gate's outputs in truth-table order: (0, 0), (0, 1), (1, 0), (1, 1); "not": 0, 1.
TRUTH_TABLES: dict[str, tuple[int, ...]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "not": (1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xor": (0, 1, 1, 0),
}


def binary_patterns(d: int) -> np.ndarray:
    """Return all ``2**d`` binary patterns of `d` inputs, first input varying slowest.

    Returns
    -------
    ndarray, int64, shape (2**d, d)

    Examples
    --------
    >>> binary_patterns(2).tolist()
    [[0, 0], [0, 1], [1, 0], [1, 1]]
    """
    codes = np.arange(2**d, dtype=np.int64)[:, None]
    return (codes >> np.arange(d - 1, -1, -1)) & 1


def truth_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the inputs and outputs of the gate `name` (one of `GATES`, not validated here).

    Returns
    -------
    X : ndarray, int64, shape (4, 2), or (2, 1) for ``"not"``
    y : ndarray, int64, shape (4,), or (2,) for ``"not"``

    Examples
    --------
    >>> X, y = truth_table("nand")
    >>> X.tolist(), y.tolist()
    ([[0, 0], [0, 1], [1, 0], [1, 1]], [1, 1, 1, 0])
    """
    y = np.array(TRUTH_TABLES[name], dtype=np.int64)
    return binary_patterns(1 if name == "not" else 2), y
