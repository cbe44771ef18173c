r"""Metrics of a classifier, read off its logits: `accuracy`.

A softmax output predicts the class :math:`\arg\max_c z_c` (the softmax keeps the order
of the logits), a sigmoid output predicts 1 where :math:`\sigma(z) \ge 0.5`, that is
where :math:`z \ge 0`. So accuracy needs the logits only, never the probabilities.

Targets are checked by `nnlib._checks.check_targets`, the validator the losses, `fit`
and ``MLP.score`` share: integer labels ``(N,)`` or one-hot rows ``(N, C)`` for a softmax
output, binary targets of exactly the output's shape for a sigmoid output.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import as_array, check_targets

__all__ = [
    "CLASSIFIER_OUTPUTS",
    "accuracy",
    "check_accuracy_targets",
    "check_classifier_output",
    "n_correct",
]

#: Output activations whose model is a classifier (for which accuracy is defined).
CLASSIFIER_OUTPUTS: tuple[str, ...] = ("softmax", "sigmoid")


def check_classifier_output(output: str, what: str = "accuracy") -> None:
    """Refuse an output activation that does not make a classifier."""
    if output not in CLASSIFIER_OUTPUTS:
        raise ValueError(
            f"{what} measures classification accuracy and needs output='softmax' or "
            f"output='sigmoid', got output={output!r}; for regression evaluate a loss "
            "instead, e.g. nnlib.losses.mse(model.predict(X), y)"
        )


def check_accuracy_targets(y, n: int, n_outputs: int, output: str, name: str = "y", rows="X"):
    """Check the targets of `accuracy` (`check_targets`), once per data set.

    Labels or rows for a softmax output, binary targets of the output's shape for a
    sigmoid output.
    """
    sigmoid = output == "sigmoid"
    return check_targets(y, n, n_outputs, labels=not sigmoid, binary=sigmoid, name=name, rows=rows)


def accuracy(logits, y, output: str) -> float:
    r"""Fraction of correct predictions, read off the logits.

    .. math:: \frac{1}{M}\sum_{i=1}^{M} [\hat y_i = y_i]

    over the N samples (softmax) or the N * C outputs (sigmoid: with several outputs
    this is the fraction of correct labels, not of samples with every label right).

    Parameters
    ----------
    logits : ndarray, shape (N, C)
        The model's output before the output activation, ``model.forward(X)``.
    y : array_like
        For a softmax output: integer labels ``(N,)`` or one-hot (or probability) rows
        ``(N, C)``, whose argmax is the class. For a sigmoid output: binary targets in
        [0, 1] of exactly the logits' shape (a target counts as 1 from 0.5).
    output : {"softmax", "sigmoid"}
        The model's output activation.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> accuracy(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]), "softmax")
    0.5
    >>> accuracy(np.array([[1.0], [-1.0]]), np.array([[1], [1]]), "sigmoid")
    0.5
    >>> accuracy(np.array([[1.0], [-1.0]]), np.array([1, 0]), "sigmoid")
    Traceback (most recent call last):
    ...
    ValueError: y must have shape (2, 1), the shape of the output for logits with 2 rows,
    got (2,); the output has one unit, so pass y.reshape(-1, 1)
    """
    check_classifier_output(output)
    logits = as_array(logits, "logits", ndim=2, dtype=None)
    n, c = logits.shape
    if n == 0:
        raise ValueError("logits must have at least one row (one sample), got 0 rows")
    y = check_accuracy_targets(y, n, c, output, rows="logits")
    return n_correct(logits, y, output) / (n * (c if output == "sigmoid" else 1))


def n_correct(logits: np.ndarray, y: np.ndarray, output: str) -> int:
    """Count the correct predictions in a batch whose targets are already checked.

    The unchecked core of `accuracy`, which `fit` calls for every batch after checking
    the whole data set once. Softmax: one count per row; sigmoid: one per output.
    """
    if output == "softmax":
        labels = y if y.ndim == 1 else np.argmax(y, axis=1)
        return int(np.count_nonzero(np.argmax(logits, axis=1) == labels))
    return int(np.count_nonzero((logits >= 0) == (y >= 0.5)))
