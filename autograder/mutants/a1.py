"""Mutants of assignment 1: plausible wrong answers, each with the hint its check must give.

Every function here is self-contained (it uses only ``np``), so `source` can paste it into
a student notebook under the question's function name; `CORRECT` holds textbook solutions
written the way students write them, which must pass (they differ from nnlib's in the last
digits). `mutant_table` lists (question, mutant, points, hint) for tests and the closing
note.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from autograder.specs import get_spec

__all__ = ["CORRECT", "MUTANTS", "Mutant", "MutantRow", "mutant_table", "source"]


@dataclass(frozen=True)
class Mutant:
    """A known-wrong version of a question's function and the hint id it must earn."""

    question: str  # spec name, e.g. "a1.sigmoid_grad"
    name: str
    fn: Callable
    hint: str
    points: int = 0  # points the mutant is expected to score


class MutantRow(NamedTuple):
    """One row of the mutant table."""

    question: str
    mutant: str
    points: str  # "expected / possible", e.g. "0/2"
    hint: str


def source(fn: Callable, function: str | None = None) -> str:
    """Source of a mutant or correct solution, renamed to the student's `function` name."""
    text = textwrap.dedent(inspect.getsource(fn))
    if function is not None:
        text = re.sub(rf"^def {re.escape(fn.__name__)}\(", f"def {function}(", text, count=1)
    return text


def _helpers(fn: Callable) -> list[Callable]:
    """The functions of `fn`'s own module that it calls, directly, in a nested function or
    through each other: callees first."""
    found: list[Callable] = []
    here = fn.__globals__

    def names(code) -> tuple:
        nested = (c for c in code.co_consts if hasattr(c, "co_names"))
        return code.co_names + tuple(n for c in nested for n in names(c))

    def visit(f):
        for name in names(f.__code__):
            g = here.get(name)
            ours = callable(g) and getattr(g, "__module__", None) == fn.__module__
            if ours and g not in found and g is not fn and hasattr(g, "__code__"):
                visit(g)
                found.append(g)

    visit(fn)
    return found


def source_with_helpers(fn: Callable, function: str | None = None) -> str:
    """`source` of `fn` after the helpers of its module it calls (and ``import itertools``
    if any uses it): what a student pastes into one answer cell, runnable alone."""
    text = "\n\n".join([source(h) for h in _helpers(fn)] + [source(fn, function)])
    return ("import itertools\n\n" + text) if "itertools." in text else text


# ============================================================================ correct answers


def sigmoid_grad_textbook(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)


def tanh_grad_textbook(z):
    return 1.0 - np.tanh(z) ** 2


def relu_grad_textbook(z):
    return (z > 0).astype(np.float64)


def swish_grad_textbook(z, beta):
    s = 1.0 / (1.0 + np.exp(-beta * z))
    return s + beta * z * s * (1.0 - s)


def swish_grad_via_output(z, beta):
    s = 1.0 / (1.0 + np.exp(-beta * z))
    f = z * s
    return beta * f + s * (1.0 - beta * f)


def bce_logits_grad_textbook(z, y):
    a = 1.0 / (1.0 + np.exp(-z))
    return (a - y) / z.shape[0]


def softmax_ce_grad_textbook(logits, y):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1.0
    return p / n


def dense_backward_textbook(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def mlp_backward_textbook(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    dZ2 = P.copy()
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def numerical_gradient_textbook(f, x, h):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_copy(f, x, h):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / 2 / h
    return grad


def numerical_gradient_restore_by_arithmetic(f, x, h):
    # issue 12's E3: restores x by adding and subtracting h, not by assigning the old value;
    # an entry may come back an ulp of |x| + 2h off, which the grader (and so the public
    # test) accepts
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        x[i] += h
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_in_place(f, x, h):
    # the common in-place central difference: x comes back within an ulp of |x| + 2h
    grad = np.zeros_like(x)
    for i in range(x.size):
        x.flat[i] += h
        fp = f(x)
        x.flat[i] -= 2 * h
        fm = f(x)
        x.flat[i] += h
        grad.flat[i] = (fp - fm) / (2 * h)
    return grad


# Common correct variants: other formulas, and equal values in an equivalent container.


def sigmoid_grad_two_sigmoids(z):
    return 1.0 / (1.0 + np.exp(-z)) * (1.0 / (1.0 + np.exp(z)))


def tanh_grad_cosh(z):
    return 1.0 / np.cosh(z) ** 2


def swish_grad_two_sigmoids(z, beta):
    s = 1.0 / (1.0 + np.exp(-beta * z))
    return s * (1.0 + beta * z * (1.0 / (1.0 + np.exp(beta * z))))


def bce_logits_grad_size(z, y):
    return (1.0 / (1.0 + np.exp(-z)) - y) / z.size


def softmax_ce_grad_onehot(logits, y):
    z = logits - np.max(logits, axis=1, keepdims=True)
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    Y = np.zeros_like(p)
    Y[np.arange(len(y)), y] = 1.0
    return (p - Y) / len(y)


def dense_backward_einsum(dZ, cache):
    X, W = cache
    return np.einsum("nj,ij->ni", dZ, W), np.einsum("ni,nj->ij", X, dZ), dZ.sum(0)


def relu_grad_heaviside(z):
    return np.heaviside(z, 0.0)


def relu_grad_where(z):
    return np.where(z > 0, 1.0, 0.0)


def dense_backward_namedtuple(dZ, cache):
    from collections import namedtuple

    Grads = namedtuple("Grads", ["dX", "dW", "db"])
    X, W = cache
    return Grads(dZ @ W.T, X.T @ dZ, np.sum(dZ, axis=0))


def mlp_backward_ordered_dict(X, y, params):
    from collections import OrderedDict

    n = X.shape[0]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    P = np.exp(Z2 - np.max(Z2, axis=1, keepdims=True))
    P /= np.sum(P, axis=1, keepdims=True)
    dZ2 = (P - np.eye(Z2.shape[1])[y]) / n
    dZ1 = (dZ2 @ params["W2"].T) * (Z1 > 0)
    grads = OrderedDict()
    grads["W1"] = X.T @ dZ1
    grads["b1"] = np.sum(dZ1, axis=0)
    grads["W2"] = A1.T @ dZ2
    grads["b2"] = np.sum(dZ2, axis=0)
    return grads


#: Correct solutions (question -> functions) that every check must pass; the first of each
#: is the textbook answer, the others common correct variants.
CORRECT: dict[str, tuple[Callable, ...]] = {
    "a1.sigmoid_grad": (sigmoid_grad_textbook, sigmoid_grad_two_sigmoids),
    "a1.tanh_grad": (tanh_grad_textbook, tanh_grad_cosh),
    "a1.relu_grad": (relu_grad_textbook, relu_grad_heaviside, relu_grad_where),
    "a1.swish_grad": (swish_grad_textbook, swish_grad_via_output, swish_grad_two_sigmoids),
    "a1.bce_logits_grad": (bce_logits_grad_textbook, bce_logits_grad_size),
    "a1.softmax_ce_grad": (softmax_ce_grad_textbook, softmax_ce_grad_onehot),
    "a1.dense_backward": (
        dense_backward_textbook,
        dense_backward_namedtuple,
        dense_backward_einsum,
    ),
    "a1.mlp_backward": (mlp_backward_textbook, mlp_backward_ordered_dict),
    "a1.numerical_gradient": (
        numerical_gradient_textbook,
        numerical_gradient_copy,
        numerical_gradient_in_place,
        numerical_gradient_restore_by_arithmetic,
    ),
}


# ============================================================================ sigmoid_grad


def sigmoid_grad_at_output(z):
    a = 1.0 / (1.0 + np.exp(-z))
    s = 1.0 / (1.0 + np.exp(-a))  # sigma'(a) instead of sigma'(z)
    return s * (1.0 - s)


def sigmoid_grad_z_as_output(z):
    return z * (1.0 - z)


def sigmoid_grad_returns_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_grad_finite_difference(z):
    h = 1e-5
    return (1.0 / (1.0 + np.exp(-(z + h))) - 1.0 / (1.0 + np.exp(-(z - h)))) / (2 * h)


def sigmoid_grad_hard_coded(z):
    return np.array([0.25, 0.19661193324148185, 0.10499358540350662])


# ============================================================================ tanh_grad


def tanh_grad_at_output(z):
    return 1.0 - np.tanh(np.tanh(z)) ** 2


def tanh_grad_z_as_output(z):
    return 1.0 - z**2


def tanh_grad_returns_tanh(z):
    return np.tanh(z)


def tanh_grad_finite_difference(z):
    h = 1e-5
    return (np.tanh(z + h) - np.tanh(z - h)) / (2 * h)


def tanh_grad_hard_coded(z):
    return np.array([1.0, 0.41997434161402614, 0.07065082485316443])


# ============================================================================ relu_grad


def relu_grad_boolean(z):
    return z > 0


def relu_grad_wrong_side(z):
    return (z < 0).astype(np.float64)


def relu_grad_returns_relu(z):
    return np.maximum(z, 0.0)


def relu_grad_finite_difference(z):
    h = 1e-5
    return (np.maximum(z + h, 0.0) - np.maximum(z - h, 0.0)) / (2 * h)


def relu_grad_hard_coded(z):
    return np.array([0.0, 0.0, 1.0])


def relu_grad_one_at_zero(z):
    return np.where(z >= 0, 1.0, 0.0)


# ============================================================================ swish_grad


def swish_grad_beta_ignored(z, beta):
    s = 1.0 / (1.0 + np.exp(-z))
    return s + z * s * (1.0 - s)


def swish_grad_missing_beta_factor(z, beta):
    s = 1.0 / (1.0 + np.exp(-beta * z))
    return s + z * s * (1.0 - s)


def swish_grad_no_product_rule(z, beta):
    return 1.0 / (1.0 + np.exp(-beta * z))


def swish_grad_at_output(z, beta):
    a = z / (1.0 + np.exp(-beta * z))
    s = 1.0 / (1.0 + np.exp(-beta * a))
    return s + beta * a * s * (1.0 - s)


def swish_grad_finite_difference(z, beta):
    h = 1e-5
    zp, zm = z + h, z - h
    return (zp / (1.0 + np.exp(-beta * zp)) - zm / (1.0 + np.exp(-beta * zm))) / (2 * h)


def swish_grad_hard_coded(z, beta):
    return np.array([0.5, 0.9276705118714869, 1.0907842487848994])


# ============================================================================ bce_logits_grad


def bce_logits_grad_missing_1_over_n(z, y):
    return 1.0 / (1.0 + np.exp(-z)) - y


def bce_logits_grad_sign_flip(z, y):
    return (y - 1.0 / (1.0 + np.exp(-z))) / z.shape[0]


def bce_logits_grad_extra_sigmoid_derivative(z, y):
    a = 1.0 / (1.0 + np.exp(-z))
    return (a - y) * a * (1.0 - a) / z.shape[0]


def bce_logits_grad_no_sigmoid(z, y):
    return (z - y) / z.shape[0]


def bce_logits_grad_hard_coded(z, y):
    return np.array([-0.25, 0.25])


# ============================================================================ softmax_ce_grad


def softmax_ce_grad_missing_1_over_n(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(logits.shape[0]), y] -= 1.0
    return p


def softmax_ce_grad_wrong_axis(logits, y):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    p[np.arange(n), y] -= 1.0
    return p / n


def softmax_ce_grad_onehot_not_subtracted(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / logits.shape[0]


def softmax_ce_grad_unstable(logits, y):
    n = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1.0
    return p / n


def softmax_ce_grad_sign_flip(logits, y):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1.0
    return -p / n


def softmax_ce_grad_hard_coded(logits, y):
    return np.array([[0.5, -0.5]])


# ============================================================================ dense_backward


def dense_backward_transposed_dw(dZ, cache):
    X, W = cache
    return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)


def dense_backward_db_not_summed(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ


def dense_backward_db_keepdims(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)


def dense_backward_db_wrong_axis(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)


def dense_backward_extra_1_over_n(dZ, cache):
    X, W = cache
    n = X.shape[0]
    return dZ @ W.T, X.T @ dZ / n, dZ.sum(axis=0) / n


def dense_backward_hard_coded(dZ, cache):
    return np.array([[1.0, 2.0]]), np.array([[1.0, 0.5], [2.0, 1.0]]), np.array([1.0, 0.5])


# ============================================================================ mlp_backward


def mlp_backward_no_relu_derivative(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    A1 = np.maximum(X @ W1 + b1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = dZ2 @ W2.T  # missing * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_missing_1_over_n(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_softmax_wrong_axis(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    dZ2 = e / e.sum(axis=0, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_transposed_dw(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": dZ2.T @ A1, "b2": dZ2.sum(axis=0)}


def mlp_backward_db_not_summed(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1, "W2": A1.T @ dZ2, "b2": dZ2}


def mlp_backward_relu_one_at_zero(X, y, params):
    n = X.shape[0]
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ params["W2"] + params["b2"]
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ params["W2"].T) * (Z1 >= 0)  # relu'(0) = 1
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_extra_1_over_n(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0) / n  # the mean's 1/N a second time
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_missing_transpose(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2) * (Z1 > 0)  # W2, not W2.T: runs only when H = C
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_relu_wrong_side(X, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    dZ2 = e / e.sum(axis=1, keepdims=True)
    dZ2[np.arange(n), y] -= 1
    dZ2 /= n
    dZ1 = (dZ2 @ W2.T) * (Z1 < 0)  # the gradient passes where the unit is off
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def mlp_backward_hard_coded(X, y, params):
    return {
        "W1": np.zeros((2, 3)),
        "b1": np.zeros(3),
        "W2": np.array([[0.1, -0.1], [0.0, 0.0], [0.2, -0.2]]),
        "b2": np.array([0.25, -0.25]),
    }


# ============================================================================ numerical_gradient


def numerical_gradient_forward_difference(f, x, h):
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad


def numerical_gradient_h_not_halved(f, x, h):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / h
    return grad


def numerical_gradient_ignores_h(f, x, h):
    step = 1e-6
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + step
        fp = f(x)
        x[i] = old - step
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * step)
    return grad


def numerical_gradient_x_not_restored(f, x, h):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        fp = f(x)
        x[i] -= 2 * h
        fm = f(x)
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_first_axis_only(f, x, h):
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_hard_coded(f, x, h):
    return np.array([3.0, 12.0])


# ============================================================================ the table


def _m(question, fn, hint):
    return Mutant(question, fn.__name__, fn, hint)


#: Every mutant of assignment 1 with the hint id its check must report.
MUTANTS: tuple[Mutant, ...] = (
    _m("a1.sigmoid_grad", sigmoid_grad_at_output, "derivative-at-output"),
    _m("a1.sigmoid_grad", sigmoid_grad_z_as_output, "z-as-output"),
    _m("a1.sigmoid_grad", sigmoid_grad_returns_sigmoid, "returned-activation"),
    _m("a1.sigmoid_grad", sigmoid_grad_finite_difference, "finite-difference"),
    _m("a1.sigmoid_grad", sigmoid_grad_hard_coded, "hard-coded"),
    _m("a1.tanh_grad", tanh_grad_at_output, "derivative-at-output"),
    _m("a1.tanh_grad", tanh_grad_z_as_output, "z-as-output"),
    _m("a1.tanh_grad", tanh_grad_returns_tanh, "returned-activation"),
    _m("a1.tanh_grad", tanh_grad_finite_difference, "finite-difference"),
    _m("a1.tanh_grad", tanh_grad_hard_coded, "hard-coded"),
    _m("a1.relu_grad", relu_grad_boolean, "boolean-mask"),
    _m("a1.relu_grad", relu_grad_wrong_side, "wrong-side-of-kink"),
    _m("a1.relu_grad", relu_grad_returns_relu, "returned-activation"),
    _m("a1.relu_grad", relu_grad_finite_difference, "finite-difference"),
    _m("a1.relu_grad", relu_grad_hard_coded, "hard-coded"),
    _m("a1.relu_grad", relu_grad_one_at_zero, "relu-kink"),
    _m("a1.swish_grad", swish_grad_beta_ignored, "beta-ignored"),
    _m("a1.swish_grad", swish_grad_missing_beta_factor, "missing-beta-factor"),
    _m("a1.swish_grad", swish_grad_no_product_rule, "product-rule"),
    _m("a1.swish_grad", swish_grad_at_output, "derivative-at-output"),
    _m("a1.swish_grad", swish_grad_finite_difference, "finite-difference"),
    _m("a1.swish_grad", swish_grad_hard_coded, "hard-coded"),
    _m("a1.bce_logits_grad", bce_logits_grad_missing_1_over_n, "missing-1/N"),
    _m("a1.bce_logits_grad", bce_logits_grad_sign_flip, "sign-flip"),
    _m("a1.bce_logits_grad", bce_logits_grad_extra_sigmoid_derivative, "extra-sigmoid-derivative"),
    _m("a1.bce_logits_grad", bce_logits_grad_no_sigmoid, "sigmoid-not-applied"),
    _m("a1.bce_logits_grad", bce_logits_grad_hard_coded, "hard-coded"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_missing_1_over_n, "missing-1/N"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_wrong_axis, "softmax-wrong-axis"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_onehot_not_subtracted, "onehot-not-subtracted"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_unstable, "unstable-softmax"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_sign_flip, "sign-flip"),
    _m("a1.softmax_ce_grad", softmax_ce_grad_hard_coded, "hard-coded"),
    _m("a1.dense_backward", dense_backward_transposed_dw, "transposed-dW"),
    _m("a1.dense_backward", dense_backward_db_not_summed, "db-not-summed"),
    _m("a1.dense_backward", dense_backward_db_keepdims, "db-keepdims"),
    _m("a1.dense_backward", dense_backward_db_wrong_axis, "db-wrong-axis"),
    _m("a1.dense_backward", dense_backward_extra_1_over_n, "extra-1/N"),
    _m("a1.dense_backward", dense_backward_hard_coded, "hard-coded"),
    _m("a1.mlp_backward", mlp_backward_no_relu_derivative, "relu-derivative-missing"),
    _m("a1.mlp_backward", mlp_backward_missing_1_over_n, "missing-1/N"),
    _m("a1.mlp_backward", mlp_backward_softmax_wrong_axis, "softmax-wrong-axis"),
    _m("a1.mlp_backward", mlp_backward_transposed_dw, "transposed-dW"),
    _m("a1.mlp_backward", mlp_backward_db_not_summed, "db-not-summed"),
    _m("a1.mlp_backward", mlp_backward_hard_coded, "hard-coded"),
    _m("a1.mlp_backward", mlp_backward_relu_one_at_zero, "relu-kink"),
    _m("a1.mlp_backward", mlp_backward_extra_1_over_n, "extra-1/N"),
    _m("a1.mlp_backward", mlp_backward_missing_transpose, "missing-transpose"),
    _m("a1.mlp_backward", mlp_backward_relu_wrong_side, "wrong-side-of-kink"),
    _m("a1.numerical_gradient", numerical_gradient_forward_difference, "one-sided-difference"),
    _m("a1.numerical_gradient", numerical_gradient_h_not_halved, "h-not-halved"),
    _m("a1.numerical_gradient", numerical_gradient_ignores_h, "h-ignored"),
    _m("a1.numerical_gradient", numerical_gradient_x_not_restored, "x-not-restored"),
    _m("a1.numerical_gradient", numerical_gradient_first_axis_only, "only-first-axis"),
    _m("a1.numerical_gradient", numerical_gradient_hard_coded, "hard-coded"),
)


def mutant_table() -> list[MutantRow]:
    """Rows (question, mutant, points "expected/possible", hint id) in the notebook's order."""
    return [
        MutantRow(m.question, m.name, f"{m.points}/{get_spec(m.question).points}", m.hint)
        for m in MUTANTS
    ]
