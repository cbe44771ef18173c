"""Tests of nnlib.metrics: accuracy read off the logits, with the shared target checks."""

import numpy as np
import pytest

from nnlib.metrics import accuracy, n_correct


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


def test_accuracy_with_several_sigmoid_outputs_counts_each_output():
    z = np.array([[1.0, -1.0], [-1.0, -1.0]])  # predictions [1, 0], [0, 0]
    y = np.array([[1, 1], [0, 0]])  # 3 of the 4 outputs right
    assert accuracy(z, y, "sigmoid") == 0.75
    assert accuracy(z, np.array([[0.9, 0.7], [0.2, 0.4]]), "sigmoid") == 0.75  # 1 from 0.5


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.array([[2.0], [0.0]]), r"y must be in \[0, 1\], got values such as 2.0 \(binary"),
        (np.array([[np.nan], [0.0]]), r"got values such as nan \(binary targets"),
        (np.array([[1.0], [0.0], [1.0]]), r"must have shape \(2, 1\), .* logits with 2 rows"),
    ],
)
def test_accuracy_wants_binary_targets_of_the_logits_shape_for_a_sigmoid(y, match):
    with pytest.raises(ValueError, match=match):
        accuracy(np.array([[1.0], [-1.0]]), y, "sigmoid")


def test_n_correct_is_the_unchecked_count_behind_accuracy():
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    assert n_correct(logits, np.array([0, 0, 0]), "softmax") == 2
    assert n_correct(logits, np.eye(2)[[0, 1, 0]], "softmax") == 3
    assert n_correct(np.array([[1.0, -1.0]]), np.array([[1.0, 1.0]]), "sigmoid") == 1
