"""Tests of nnlib.metrics: accuracy read off the logits, with the shared target checks."""

import numpy as np
import pytest

from nnlib.metrics import accuracy


def test_accuracy_from_logits_hand_worked():
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    # argmax rows: 0, 1, 0; labels 0, 0, 0 -> 2 of 3 right
    assert accuracy(logits, np.array([0, 0, 0]), "softmax") == pytest.approx(2 / 3)
    assert accuracy(logits, np.eye(2)[[0, 0, 0]], "softmax") == pytest.approx(2 / 3)
    # sigmoid: z >= 0 predicts 1; z = (1, -1, 0) -> 1, 0, 1 against 1, 1, 1 -> 2 of 3
    z = np.array([[1.0], [-1.0], [0.0]])
    assert accuracy(z, np.ones((3, 1)), "sigmoid") == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("logits", "y", "output", "match"),
    [
        (np.array([[1.0], [-1.0], [1.0]]), np.array([1, 0, 0]), "sigmoid", "reshape"),
        (np.zeros((3, 2)), np.zeros(4, int), "softmax", "one row per row"),
        (np.zeros((0, 2)), np.zeros(0, int), "softmax", "at least one row"),
        (np.zeros((3, 2)), np.zeros((3, 3)), "softmax", "one-hot"),
        (np.zeros((3, 2)), np.zeros(3, int), "identity", "output='softmax' or output='sigmoid'"),
        ([1.0, 2.0], np.zeros(2, int), "softmax", "2-D"),
    ],
)
def test_accuracy_refuses_what_would_broadcast(logits, y, output, match):
    with pytest.raises(ValueError, match=match):
        accuracy(logits, y, output)
