r"""Assignment 1, "Gradients": one `Spec` per graded function.

Every spec draws fresh random inputs from the seed `run_check` logs, compares with nnlib's
implementation (or, for `numerical_gradient`, nnlib's central difference with the same
step), and names known mistakes through its `diagnose`. The cases always include a batch
of one and non-square shapes; the activation derivatives add both sides of z = 0 and z = 0
itself (0.0 and -0.0: ReLU's kink, where the assignment asks for 0, and the values it
works out at 0 for the others), the MLP a hidden unit sitting exactly on the kink, and
sigmoid and swish add edge inputs at :math:`|z| \approx 20`-35 where a finite-difference
"derivative" is far off. Every kink and boundary the notebook states is a case.

numerical_gradient's tolerances are derived per case from the arithmetic (`_ng_tolerance`):
a correct central difference may evaluate f one ulp away from the reference's points (the
in-place ``x.flat[i] += h; ...; -= 2*h; ...; += h``), so the two differ by up to 2E/h, E
the bound on f's rounding error at the case's x; x comes back within a few ulps of
|x| + 2h (`Spec.unchanged_scale`).


Tolerances are tight on purpose (:math:`10^{-12}` relative for the activation
derivatives): the textbook formulas (``s * (1 - s)``, ``1 - np.tanh(z)**2``, ...) agree
with nnlib to a few units in the last place, while any finite difference is off by at
least :math:`\sim 10^{-11}` (truncation :math:`h^2 f'''/6` plus rounding
:math:`\epsilon |f| / h`). On the positive sigmoid edge the textbook ``s * (1 - s)`` itself
keeps only about three digits (``1 - s`` cancels; so does ``1 + tanh(z/2)`` on the
negative side), so that case compares to 1% and stops at :math:`|z| = 30`, where they still
keep them; a finite difference with any usual step is off by 20% or more there.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import Case, Hint, Spec, Tolerance, close, constant_ratio
from nnlib import activations, gradcheck, layers, losses

__all__ = ["HELPERS_A1", "HINTS", "PUBLIC_A1", "SPECS_A1"]

# ----------------------------------------------------------------------------- hints

HINTS: dict[str, Hint] = {
    h.id: h
    for h in (
        Hint(
            "derivative-at-output",
            "You evaluated the derivative at the output a = f(z) instead of at the "
            "pre-activation z: compute f'(z) from z itself.",
        ),
        Hint(
            "z-as-output",
            "Your formula treats z as if it were the activation (e.g. z * (1 - z)); "
            "first compute a = f(z), then write f'(z) in terms of a.",
        ),
        Hint("returned-activation", "You returned f(z), the activation, not its derivative."),
        Hint(
            "finite-difference",
            "Your answer is close to the derivative but not exact, as a finite difference "
            "would be: write the derivative's formula. Finite differences are far off where "
            "f is flat, e.g. the sigmoid at |z| = 30.",
        ),
        Hint(
            "wrong-side-of-kink",
            "ReLU's derivative is 1 where z > 0 and 0 where z < 0; yours has the sides swapped.",
        ),
        Hint(
            "relu-kink",
            "At the kink z = 0 the assignment's ReLU derivative is 0 (the left derivative, "
            "as nnlib, PyTorch and TensorFlow use): write z > 0, not z >= 0.",
        ),
        Hint(
            "beta-ignored",
            "The answer is right for beta = 1 only: use the beta argument everywhere.",
        ),
        Hint(
            "missing-beta-factor",
            "The chain rule through sigma(beta z) gives a factor beta: "
            "f'(z) = sigma(beta z) + beta z sigma(beta z)(1 - sigma(beta z)).",
        ),
        Hint(
            "product-rule",
            "f(z) = z sigma(beta z) is a product: its derivative has two terms (product rule).",
        ),
        Hint(
            "missing-1/N",
            "The loss is a mean over the batch, so its gradient carries a factor 1/N.",
        ),
        Hint(
            "extra-1/N",
            "Divided by N once too often: the 1/N of the mean loss is already in the "
            "upstream gradient dZ (in the MLP: in dZ2, and so in dA1 and dZ1).",
        ),
        Hint("sign-flip", "The sign is flipped: the gradient is (prediction - target) / N."),
        Hint(
            "extra-sigmoid-derivative",
            "With the loss written on the logits, the sigmoid's derivative cancels: "
            "dL/dz = (sigma(z) - y) / N, with no extra factor sigma'(z).",
        ),
        Hint(
            "sigmoid-not-applied",
            "Apply the sigmoid to the logits first: the gradient is (sigma(z) - y) / N.",
        ),
        Hint(
            "softmax-wrong-axis",
            "The softmax is over the wrong axis: each row (one sample) must sum to 1, "
            "so normalise along axis=1 (keepdims=True).",
        ),
        Hint(
            "onehot-not-subtracted",
            "Subtract the one-hot targets: the gradient is (softmax(logits) - Y) / N.",
        ),
        Hint(
            "unstable-softmax",
            "np.exp overflows for large logits: subtract each row's maximum first (the "
            "softmax does not change).",
        ),
        Hint(
            "transposed-dW",
            "dW is transposed: dW = X.T @ dZ has the shape of W, (D_in, D_out).",
        ),
        Hint(
            "db-not-summed",
            "db is not summed over the batch: b is shared by all N samples, so "
            "db = dZ.sum(axis=0), shape (D_out,).",
        ),
        Hint(
            "db-keepdims",
            "db must have the shape of b, (D_out,): sum without keepdims.",
        ),
        Hint(
            "db-wrong-axis",
            "db is summed over the wrong axis: sum over the batch (axis=0), one value per "
            "output unit.",
        ),
        Hint(
            "missing-transpose",
            "Backpropagating through Z2 = A1 @ W2 multiplies by the transpose: "
            "dA1 = dZ2 @ W2.T, shape (N, C) @ (C, H) = (N, H). Without .T the shapes "
            "match only when H = C, and the values are wrong unless W2 is symmetric.",
        ),
        Hint(
            "relu-derivative-missing",
            "Backpropagating through the ReLU multiplies by its derivative: dZ1 = dA1 * (Z1 > 0).",
        ),
        Hint(
            "one-sided-difference",
            "That is a one-sided (forward or backward) difference, accurate to O(h) only: "
            "use (f(x + h) - f(x - h)) / (2h).",
        ),
        Hint(
            "h-not-halved",
            "Twice the gradient: the central difference divides by 2h, the distance "
            "between x + h and x - h.",
        ),
        Hint("h-ignored", "Use the step h passed as argument, not a fixed step of your own."),
        Hint(
            "only-first-axis",
            "Perturb one entry at a time: for a 2-D x, x[i] += h moves a whole row. "
            "Loop with np.ndindex(x.shape) (or np.nditer).",
        ),
        Hint(
            "x-not-restored",
            "x must be unchanged when numerical_gradient returns: restore each entry "
            "(x[idx] = old) after evaluating f(x + h) and f(x - h).",
        ),
    )
}

_ACT_TOL = Tolerance(rtol=1e-12, atol=1e-14)
_SWISH_TOL = Tolerance(rtol=1e-12, atol=5e-14)
_SIGMOID_EDGE_TOL = Tolerance(rtol=1e-2, atol=0.0)
_SWISH_EDGE_TOL = Tolerance(rtol=1e-12, atol=1e-13)
_BETAS = (0.5, 1.5, 2.0)


# ----------------------------------------------------------------------------- case helpers


def _two_distinct(rng, lo=2, hi=7) -> tuple[int, int]:
    a = int(rng.integers(lo, hi + 1))
    b = int(rng.choice([v for v in range(lo, hi + 1) if v != a]))
    return a, b


def _both_sides(rng, shape) -> np.ndarray:
    """Values just either side of 0 (|z| from 1e-7 to 1e-2), half of each sign, and the
    kink itself: the first entry is 0.0 and the last -0.0 (no draw: the stream of the
    other cases is unchanged)."""
    size = int(np.prod(shape))
    signs = np.where(np.arange(size) % 2 == 0, 1.0, -1.0)
    mags = 10.0 ** rng.uniform(-7, -2, size)
    z = rng.permutation(signs * mags)
    z[0], z[-1] = 0.0, -0.0  # the assignment states f'(0) for every activation
    return z.reshape(shape)


def _activation_cases(rng, *, sigmoid_edges=False, swish=False):
    def beta():
        return (float(rng.choice(_BETAS)),) if swish else ()

    def lab(text, extra):
        return text + (f", beta = {extra[0]}" if extra else "")

    n, d = _two_distinct(rng)
    m = int(rng.integers(3, 9))
    cases = []
    for z, text in (
        (rng.normal(0, 3, (1, d)), f"batch of one, shape (1, {d})"),
        (rng.normal(0, 3, (n, d)), f"random non-square shape ({n}, {d})"),
        (rng.normal(0, 3, (m,)), f"1-D, shape ({m},)"),
        (_both_sides(rng, (2, m)), "both sides of z = 0, and z = 0 and -0 exactly"),
    ):
        extra = beta()
        cases.append(Case((z, *extra), lab(text, extra), _SWISH_TOL if swish else None))
    if swish:
        cases.append(Case((rng.normal(0, 3, (2, 3)), 1.0), "beta = 1 (SiLU)", _SWISH_TOL))
    k = int(rng.integers(3, 7))
    if sigmoid_edges:
        z = np.stack([-rng.uniform(20, 30, k), rng.uniform(25, 30, k)])
        cases.append(Case((z,), "edge inputs, z in [-30, -20] and [25, 30]", _SIGMOID_EDGE_TOL))
    if swish:
        z = np.stack([-rng.uniform(20, 35, k), rng.uniform(20, 35, k)])
        extra = beta()
        cases.append(Case((z, *extra), lab("edge inputs, |z| in [20, 35]", extra), _SWISH_EDGE_TOL))
    return cases


def _activation_diagnose(f, fprime, candidates=()):
    """Diagnose an elementwise derivative: `candidates` are (formula(z, *p), hint id) pairs."""

    def diagnose(out, ref, case):
        z, *p = case.args
        for formula, hint in candidates:
            if close(out, formula(z, *p)) and not close(ref, formula(z, *p)):
                return HINTS[hint]
        at_output = fprime(f(z, *p), *p)
        if close(out, at_output) and not close(ref, at_output):
            return HINTS["derivative-at-output"]
        if close(out, f(z, *p)):
            return HINTS["returned-activation"]
        if close(out, ref, rtol=1e-3, atol=1e-6):
            return HINTS["finite-difference"]
        return None

    return diagnose


# ----------------------------------------------------------------------------- activations

SIGMOID_GRAD = Spec(
    name="a1.sigmoid_grad",
    function="sigmoid_grad",
    points=2,
    cases=lambda rng: _activation_cases(rng, sigmoid_edges=True),
    reference=activations.sigmoid_grad,
    compare=_ACT_TOL,
    diagnose=_activation_diagnose(
        activations.sigmoid,
        activations.sigmoid_grad,
        [(lambda z: z * (1 - z), "z-as-output")],
    ),
)

TANH_GRAD = Spec(
    name="a1.tanh_grad",
    function="tanh_grad",
    points=2,
    cases=lambda rng: _activation_cases(rng),
    reference=activations.tanh_grad,
    compare=_ACT_TOL,
    diagnose=_activation_diagnose(
        activations.tanh, activations.tanh_grad, [(lambda z: 1 - z**2, "z-as-output")]
    ),
)


def _only_at_kink(out, ref, z) -> bool:
    """True when `out` equals `ref` wherever z != 0 and differs at some z == 0."""
    kink = np.asarray(z) == 0
    if not np.any(kink) or np.shape(out) != np.shape(ref):
        return False
    out, ref = np.asarray(out), np.asarray(ref)
    return close(out[~kink], ref[~kink]) and not close(out[kink], ref[kink])


_relu_diagnose_away_from_kink = _activation_diagnose(
    activations.relu,
    activations.relu_grad,
    [(lambda z: (z < 0).astype(np.float64), "wrong-side-of-kink")],
)


def _relu_diagnose(out, ref, case):
    if _only_at_kink(out, ref, case.args[0]):
        return HINTS["relu-kink"]
    return _relu_diagnose_away_from_kink(out, ref, case)


RELU_GRAD = Spec(
    name="a1.relu_grad",
    function="relu_grad",
    points=2,
    cases=lambda rng: _activation_cases(rng),
    reference=activations.relu_grad,
    compare=Tolerance(rtol=0.0, atol=0.0),  # exactly 0.0 or 1.0
    diagnose=_relu_diagnose,
)


def _swish_variant(z, beta, *, inner_beta=True):
    s = activations.sigmoid(beta * z)
    return s + (beta if inner_beta else 1.0) * z * s * (1 - s)


SWISH_GRAD = Spec(
    name="a1.swish_grad",
    function="swish_grad",
    points=2,
    cases=lambda rng: _activation_cases(rng, swish=True),
    reference=activations.swish_grad,
    compare=_SWISH_TOL,
    diagnose=_activation_diagnose(
        activations.swish,
        activations.swish_grad,
        [
            (lambda z, beta: activations.swish_grad(z, 1.0), "beta-ignored"),
            (lambda z, beta: _swish_variant(z, beta, inner_beta=False), "missing-beta-factor"),
            (lambda z, beta: activations.sigmoid(beta * z), "product-rule"),
        ],
    ),
)


# ----------------------------------------------------------------------------- losses

_LOSS_TOL = Tolerance(rtol=1e-10, atol=1e-14)


def _bce_cases(rng):
    n1 = int(rng.integers(3, 9))
    n2 = int(rng.integers(3, 9))
    k = int(rng.integers(2, 5))

    def labels(shape):
        return rng.integers(0, 2, shape).astype(np.float64)

    sat = np.concatenate([rng.uniform(20, 30, k), -rng.uniform(20, 30, k)])
    return [
        Case((rng.normal(0, 3, (n1,)), labels((n1,))), f"random batch, shape ({n1},)"),
        Case((rng.normal(0, 3, (1,)), labels((1,))), "batch of one, shape (1,)"),
        Case((rng.normal(0, 3, (n2, 1)), labels((n2, 1))), f"column, shape ({n2}, 1)"),
        Case(
            (sat, np.concatenate([np.zeros(k), np.ones(k)])),
            f"saturated on the wrong side, |z| in [20, 30], shape ({2 * k},)",
        ),
    ]


def _scale_mistakes(ref, n: int) -> list:
    """What a loss gradient looks like with its sign flipped or its 1/N wrong."""
    mistakes = [(-ref, "sign-flip")]
    if n > 1:
        mistakes += [(ref * n, "missing-1/N"), (ref / n, "extra-1/N")]
    return mistakes


def _first_match(out, candidates):
    """The hint of the first known mistake whose value the student's output equals."""
    for value, hint in candidates:
        if close(out, value):
            return HINTS[hint]
    return None


def _bce_diagnose(out, ref, case):
    z, y = case.args
    n = z.size
    s = activations.sigmoid(z)
    candidates = [
        ((s - y) * s * (1 - s) / n, "extra-sigmoid-derivative"),
        ((z - y) / n, "sigmoid-not-applied"),
    ]
    return _first_match(out, candidates + _scale_mistakes(ref, n))


BCE_LOGITS_GRAD = Spec(
    name="a1.bce_logits_grad",
    function="bce_logits_grad",
    points=3,
    cases=_bce_cases,
    reference=losses.bce_with_logits_grad,
    compare=_LOSS_TOL,
    diagnose=_bce_diagnose,
)


def _ce_cases(rng):
    n, c = _two_distinct(rng, 2, 6)
    c1 = int(rng.integers(2, 7))
    s = int(rng.integers(2, 6))
    m = int(rng.integers(2, 5))
    big = rng.normal(0, 2, (2 * m, c))
    big += np.where(np.arange(2 * m) % 2 == 0, 1.0, -1.0)[:, None] * rng.uniform(
        750, 1000, (2 * m, 1)
    )
    return [
        Case((rng.normal(0, 3, (n, c)), rng.integers(0, c, n)), f"random logits ({n}, {c})"),
        Case((rng.normal(0, 3, (1, c1)), rng.integers(0, c1, 1)), f"batch of one (1, {c1})"),
        Case((rng.normal(0, 3, (s, s)), rng.integers(0, s, s)), f"square logits ({s}, {s})"),
        Case((big, rng.integers(0, c, 2 * m)), f"large logits, |z| > 700, shape ({2 * m}, {c})"),
    ]


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ce_diagnose(out, ref, case):
    logits, y = case.args
    n, c = logits.shape
    onehot = np.eye(c)[y]
    if (
        isinstance(out, np.ndarray)
        and out.shape == ref.shape
        and not np.all(np.isfinite(out))
        and np.max(np.abs(logits)) > 700
    ):
        return HINTS["unstable-softmax"]
    candidates = [
        ((_softmax(logits, 0) - onehot) / n, "softmax-wrong-axis"),
        (_softmax(logits, 1) / n, "onehot-not-subtracted"),
    ]
    return _first_match(out, candidates + _scale_mistakes(ref, n))


SOFTMAX_CE_GRAD = Spec(
    name="a1.softmax_ce_grad",
    function="softmax_ce_grad",
    points=3,
    cases=_ce_cases,
    reference=losses.softmax_cross_entropy_grad,
    compare=_LOSS_TOL,
    diagnose=_ce_diagnose,
)


# ----------------------------------------------------------------------------- dense layer

_LAYER_TOL = Tolerance(rtol=1e-9, atol=1e-12)


def _dense_case(rng, n, d_in, d_out, label):
    X = rng.normal(0, 1, (n, d_in))
    W = rng.normal(0, 1, (d_in, d_out))
    dZ = rng.normal(0, 1, (n, d_out))
    return Case((dZ, (X, W)), f"{label}: N = {n}, D_in = {d_in}, D_out = {d_out}")


def _dense_cases(rng):
    def three():
        return [int(v) for v in rng.choice(np.arange(2, 8), 3, replace=False)]

    n, d_in, d_out = three()
    _, d1, d2 = three()
    n2, d3, d4 = three()
    s = int(rng.integers(2, 6))
    return [
        _dense_case(rng, n, d_in, d_out, "random batch"),
        _dense_case(rng, 1, d1, d2, "batch of one"),
        _dense_case(rng, n2, d3, d4, "random batch"),
        _dense_case(rng, n2, s, s, "square W"),
    ]


def _dense_reference(dZ, cache):
    X, W = cache
    return layers.dense_backward(dZ, layers.DenseCache(X, W))


def _dense_diagnose(out, ref, case):
    dZ = case.args[0]
    n = dZ.shape[0]
    dX, dW, db = out
    rdX, rdW, rdb = ref
    if close(np.transpose(dW), rdW) and not close(dW, rdW):
        return HINTS["transposed-dW"]
    if close(db, dZ):
        return HINTS["db-not-summed"]
    if close(db, rdb[None, :]):
        return HINTS["db-keepdims"]
    if close(db, dZ.sum(axis=1)):
        return HINTS["db-wrong-axis"]
    if n > 1:
        ratios = [constant_ratio(a, b) for a, b in ((dX, rdX), (dW, rdW), (db, rdb))]
        if any(r is not None and abs(r * n - 1) < 1e-6 for r in ratios):
            return HINTS["extra-1/N"]
        if any(r is not None and abs(r / n - 1) < 1e-6 for r in ratios):
            return HINTS["missing-1/N"]
    return None


DENSE_BACKWARD = Spec(
    name="a1.dense_backward",
    function="dense_backward",
    points=4,
    cases=_dense_cases,
    reference=_dense_reference,
    compare=_LAYER_TOL,
    diagnose=_dense_diagnose,
    output="tuple",
    parts=("dX", "dW", "db"),
)


# ----------------------------------------------------------------------------- two-layer MLP

_MLP_KEYS = ("W1", "b1", "W2", "b2")


def _mlp_case(rng, n, label, *, square=False):
    """A random MLP case; with `square`, W2 is square (H = C) and not symmetric, so that a
    missing transpose (dZ2 @ W2) gives wrong values instead of a shape error."""
    d, h, c = (int(v) for v in rng.choice(np.arange(2, 8), 3, replace=False))
    h = max(h, 3)
    if square:
        c = h
    params = {
        "W1": rng.normal(0, 0.7, (d, h)),
        "b1": rng.normal(0, 0.5, h),
        "W2": rng.normal(0, 0.7, (h, c)),
        "b2": rng.normal(0, 0.5, c),
    }
    dead, alive = rng.choice(h, 2, replace=False)
    params["b1"][dead] = -50.0  # this hidden unit is off for every sample (ReLU' = 0)
    params["b1"][alive] = 50.0  # and this one always on (ReLU' = 1)
    kink = min(set(range(h)) - {int(dead), int(alive)})  # no draw: h >= 3
    params["W1"][:, kink] = 0.0  # and this one sits on the kink, Z1 = 0 exactly (ReLU' = 0)
    params["b1"][kink] = 0.0
    X = rng.normal(0, 1, (n, d))
    y = rng.integers(0, c, n)
    return Case(
        (X, y, params),
        f"{label}: N = {n}, D = {d}, H = {h}, C = {c}, one dead, one always-active unit "
        "and one at Z1 = 0 exactly",
    )


def _mlp_cases(rng):
    return [
        _mlp_case(rng, int(rng.integers(3, 9)), "random batch, W2 square (H = C)", square=True),
        _mlp_case(rng, int(rng.integers(3, 9)), "random batch"),
        _mlp_case(rng, 1, "batch of one"),
        _mlp_case(rng, int(rng.integers(3, 9)), "random batch"),
    ]


def _mlp_reference(X, y, params):
    Z1, c1 = layers.dense_forward(X, params["W1"], params["b1"])
    A1, ca = layers.activation_forward(Z1, "relu")
    Z2, c2 = layers.dense_forward(A1, params["W2"], params["b2"])
    dZ2 = losses.softmax_cross_entropy_grad(Z2, y)
    dA1, dW2, db2 = layers.dense_backward(dZ2, c2)
    dZ1 = layers.activation_backward(dA1, ca)
    _, dW1, db1 = layers.dense_backward(dZ1, c1, compute_dX=False)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _mlp_variant(
    X,
    y,
    params,
    *,
    mask=True,
    inv_n=True,
    axis=1,
    one_at_kink=False,
    wrong_side=False,
    transpose=True,
    hidden_inv_n=False,
):
    """The MLP's gradients with one known mistake switched on (for `diagnose`)."""
    W1, b1, W2, b2 = (params[k] for k in _MLP_KEYS)
    n = X.shape[0]
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0.0)
    P = _softmax(A1 @ W2 + b2, axis)
    dZ2 = P - np.eye(W2.shape[1])[y]
    if inv_n:
        dZ2 = dZ2 / n
    dA1 = dZ2 @ (W2.T if transpose else W2)
    if not mask:
        dZ1 = dA1
    elif wrong_side:
        dZ1 = dA1 * (Z1 < 0)
    else:
        dZ1 = dA1 * ((Z1 >= 0) if one_at_kink else (Z1 > 0))
    if hidden_inv_n:
        dZ1 = dZ1 / n
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


#: Known mistakes of mlp_backward: `_mlp_variant` switches, and the hint each earns.
_MLP_MISTAKES = (
    ({"mask": False}, "relu-derivative-missing"),
    ({"one_at_kink": True}, "relu-kink"),
    ({"wrong_side": True}, "wrong-side-of-kink"),
    ({"inv_n": False}, "missing-1/N"),
    ({"hidden_inv_n": True}, "extra-1/N"),
    ({"axis": 0}, "softmax-wrong-axis"),
    ({"transpose": False}, "missing-transpose"),  # only when W2 is square
)


def _mlp_diagnose(out, ref, case):
    X, y, params = case.args
    for key in ("W1", "W2"):
        if close(np.transpose(out[key]), ref[key]) and not close(out[key], ref[key]):
            return HINTS["transposed-dW"]
    for key in ("b1", "b2"):
        if np.ndim(out[key]) == 2 and np.shape(out[key])[0] == X.shape[0] > 1:
            return HINTS["db-not-summed"]
    square = params["W2"].shape[0] == params["W2"].shape[1]
    for variant, hint in _MLP_MISTAKES:
        if "transpose" in variant and not square:
            continue
        wrong = _mlp_variant(X, y, params, **variant)
        if all(close(out[k], wrong[k]) for k in _MLP_KEYS) and _gap(out, wrong) < 1e-3 * _gap(
            out, ref
        ):  # far closer to the mistake than to the answer (the kink's gap may be 1e-11)
            return HINTS[hint]
    n = X.shape[0]
    ratios = [constant_ratio(out[k], ref[k]) for k in _MLP_KEYS]
    if n > 1 and all(r is not None and abs(r * n - 1) < 1e-6 for r in ratios):
        return HINTS["extra-1/N"]  # every gradient divided by N again
    return None


def _gap(a: dict, b: dict) -> float:
    """The largest difference between two gradient dicts' entries (inf if shapes differ)."""
    gaps = [0.0]
    for k in _MLP_KEYS:
        x, y = np.asarray(a[k], dtype=np.float64), np.asarray(b[k], dtype=np.float64)
        if x.shape != y.shape:
            return np.inf
        gaps.append(float(np.max(np.abs(x - y), initial=0.0)))
    return max(gaps)


MLP_BACKWARD = Spec(
    name="a1.mlp_backward",
    function="mlp_backward",
    points=6,
    cases=_mlp_cases,
    reference=_mlp_reference,
    compare=_LAYER_TOL,
    diagnose=_mlp_diagnose,
    output="dict",
    parts=_MLP_KEYS,
)


# ----------------------------------------------------------------------------- numerical gradient


def _named(fn, name):
    fn.__name__ = name
    return fn


#: Unit roundoff of float64: every basic operation is exact to a factor (1 + d), |d| <= U.
_U = np.finfo(np.float64).eps / 2


def _gamma(m: int) -> float:
    """Higham's gamma_m = mU / (1 - mU): bounds the relative error of m roundings."""
    return m * _U / (1 - m * _U)


def _test_function(rng, kind, shape):
    """A scalar function of x, its exact gradient, and `err(a)`: a bound on the rounding
    error of one evaluation of f in float64 at any point p with |p| <= a entrywise.

    The bounds are Higham's for sums and dot products (a sum of m terms rounds to within
    gamma_{m-1} times the sum of the terms' magnitudes, in any order, BLAS or pairwise);
    ``x**3``, ``sin`` and ``exp`` are within 1 ulp (2U) of exact.
    """
    n = int(np.prod(shape))
    if kind == "cube":  # n cubes (2U each), summed (gamma_{n-1})
        return (
            _named(lambda x: float(np.sum(x**3)), "f(x) = sum(x**3)"),
            lambda x: 3 * x**2,
            lambda a: _gamma(n + 1) * float(np.sum(a**3)),
        )
    if kind == "xsin":  # sin (2U) times x (U), summed; |sin p| <= min(|p|, 1)
        return (
            _named(lambda x: float(np.sum(x * np.sin(x))), "f(x) = sum(x * sin(x))"),
            lambda x: np.sin(x) + x * np.cos(x),
            lambda a: _gamma(n + 2) * float(np.sum(a * np.minimum(a, 1.0))),
        )
    if kind == "quadratic":  # 0.5 * x is exact; two dot products of n terms each
        B = rng.normal(0, 1, (n, n))
        A = B @ B.T / n + np.eye(n)
        return (
            _named(
                lambda x: float(0.5 * x.ravel() @ A @ x.ravel()),
                "f(x) = x.ravel() @ A @ x.ravel() / 2, A random symmetric",
            ),
            lambda x: (A @ x.ravel()).reshape(x.shape),
            lambda a: _gamma(2 * n) * 0.5 * float(a.ravel() @ np.abs(A) @ a.ravel()),
        )
    if kind == "logsumexp":  # exp (2U) summed: S (1 + t), |t| <= gamma_{n+1}; the log
        # turns t into |log(1 + t)| <= 1.01 |t| and adds its own 2U |f|, |f| <= log n + max|p|
        return (
            _named(lambda x: float(np.log(np.sum(np.exp(x)))), "f(x) = log(sum(exp(x)))"),
            lambda x: np.exp(x) / np.sum(np.exp(x)),
            lambda a: 1.01 * _gamma(n + 1) + 2 * _U * (np.log(n) + float(np.max(a))),
        )
    raise ValueError(kind)


#: Relative part of every numerical_gradient tolerance. Student and reference divide by
#: the same 2h after one subtraction (a few U of relative error), and their evaluation
#: points x +- h may differ by an ulp or two of |x| + 2h (``x += h; x -= 2*h`` rounds
#: differently from ``old - h``), which moves f(x +- h) by |g| * 2 ulp and the quotient by
#: at most |g| * 4U (|x| + 2h) / h: below 1e-9 |g| for |x| <= 10 and h >= 1e-5. 1e-8 is
#: that bound with a margin; a wrong step h moves the truncation error h^2 f'''/6 by far
#: more (the cube at h = 1e-2).
_NG_RTOL = 1e-8


def _ng_tolerance(err, x, h) -> Tolerance:
    """The tolerance of one numerical_gradient case, derived from the arithmetic.

    Each evaluation of f rounds with an error of at most E = err(|x| + h), with the
    case's actual x (every evaluation point lies within h of x). A correct answer and the
    reference each take (f(x + h) - f(x - h)) / 2h, but at a point one ulp away from the
    reference's, f's rounding error is unrelated to the reference's: over four
    evaluations the two quotients differ by up to 4E / 2h = 2E / h, the absolute
    tolerance. That is the eps |f| / h of the issue, with |f| replaced by the magnitudes
    of the terms f sums (a bound that holds under cancellation too): a few 1e-9 for the
    quadratic at h = 1e-5, where the former 1e-10 failed honest answers on about 1 seed
    in 100.
    """
    return Tolerance(rtol=_NG_RTOL, atol=2 * err(np.abs(x) + h) / h)


def _ng_case(rng, kind, shape, h):
    f, grad, err = _test_function(rng, kind, shape)
    x = rng.normal(0, 1, shape)
    return Case(
        (f, x, h),
        f"{f.__name__}, x of shape {shape}, h = {h:g}",
        _ng_tolerance(err, x, h),
        meta={"grad": grad},
    )


def _ng_cases(rng):
    m, n = _two_distinct(rng, 2, 5)
    k = int(rng.integers(3, 8))
    return [
        _ng_case(rng, "cube", (k,), 1e-5),
        _ng_case(rng, "xsin", (1, int(rng.integers(2, 6))), 1e-4),
        _ng_case(rng, "quadratic", (m, n), 1e-5),
        _ng_case(rng, "cube", (n, m), 1e-2),
        _ng_case(rng, "logsumexp", (m, n), 1e-3),
    ]


def _one_sided(f, x, h, sign):
    x = x.copy()
    f0 = f(x)
    g = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + sign * h
        g[idx] = sign * (f(x) - f0) / h
        x[idx] = old
    return g


def _ng_diagnose(out, ref, case):
    f, x, h = case.args
    for sign in (1.0, -1.0):
        if close(out, _one_sided(f, x, h, sign), rtol=1e-6, atol=1e-9):
            return HINTS["one-sided-difference"]
    if close(out, 2 * ref):
        return HINTS["h-not-halved"]
    if close(out, -ref):
        return HINTS["sign-flip"]
    if x.ndim == 2 and close(out, np.broadcast_to(ref.sum(axis=1, keepdims=True), ref.shape)):
        return HINTS["only-first-axis"]
    if close(out, case.meta["grad"](x), rtol=1e-5, atol=1e-8):
        return HINTS["h-ignored"]
    return None


NUMERICAL_GRADIENT = Spec(
    name="a1.numerical_gradient",
    function="numerical_gradient",
    points=4,
    cases=_ng_cases,
    reference=gradcheck.numerical_gradient,
    compare=Tolerance(rtol=_NG_RTOL, atol=1e-10),  # each case sets its own: _ng_tolerance
    diagnose=_ng_diagnose,
    unchanged_args=(1,),
    unchanged_scale=lambda case, pos: 2 * abs(case.args[2]),  # x +- h: ulps of |x| + 2h
    unchanged_hint=HINTS["x-not-restored"],
)

#: The specs of assignment 1, in the notebook's order.
SPECS_A1: tuple[Spec, ...] = (
    SIGMOID_GRAD,
    TANH_GRAD,
    RELU_GRAD,
    SWISH_GRAD,
    BCE_LOGITS_GRAD,
    SOFTMAX_CE_GRAD,
    DENSE_BACKWARD,
    MLP_BACKWARD,
    NUMERICAL_GRADIENT,
)


# ----------------------------------------------------------------------------- public cases
#
# The public tests of the released notebook (`autograder.public.check`) run these fixed
# cases through `run_check` with the spec itself, so the student sees the grader's
# tolerance, checks and hints while working. Each question's worked example is one of
# them; the others are chosen so that every mistake of `autograder.mutants.a1` fails here
# already, with its hint (tests/test_assignment_a1_public.py): non-square and asymmetric
# inputs (a softmax over the wrong axis, a transposed dW), N >= 2 (every 1/N), a square
# but not symmetric W2 (a missing transpose), both sides of every kink and the kink itself,
# and the edge inputs where a finite difference or a cancelling 1 - s falls apart.

_LN2, _LN3 = float(np.log(2.0)), float(np.log(3.0))


def _arr(values) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def _public_ng_case(kind, x, h, label):
    f, grad, err = _test_function(None, kind, x.shape)  # cube and xsin draw nothing
    return Case((f, x, h), label, _ng_tolerance(err, x, h), meta={"grad": grad})


def _public_mlp_case(X, y, W1, b1, W2, b2, label):
    params = {"W1": _arr(W1), "b1": _arr(b1), "W2": _arr(W2), "b2": _arr(b2)}
    return Case((_arr(X), np.array(y), params), label)


#: Spec name -> the public cases of its question, in the order they are checked.
PUBLIC_A1: dict[str, tuple[Case, ...]] = {
    "a1.sigmoid_grad": (
        Case((_arr([[-3.0, -1.0, -0.1], [0.1, 1.0, 3.0]]),), "both signs, shape (2, 3)"),
        Case((_arr([[0.0, _LN3]]),), "the worked example: z = [[0, ln 3]] gives [[1/4, 3/16]]"),
        Case((_arr([-25.0, 25.0]),), "edge inputs z = -25 and 25", _SIGMOID_EDGE_TOL),
    ),
    "a1.tanh_grad": (
        Case((_arr([-2.0, -0.5, 0.5, 2.0]),), "both signs, shape (4,)"),
        Case((_arr([[0.0, _LN2]]),), "the worked example: z = [[0, ln 2]] gives [[1, 0.64]]"),
    ),
    "a1.relu_grad": (
        Case((_arr([[-2.0, -0.5, 0.7], [1.5, -3.0, 2.0]]),), "both signs, shape (2, 3)"),
        Case((_arr([[-2.0, 0.0, 3.0]]),), "the worked example: z = [[-2, 0, 3]] gives [[0, 0, 1]]"),
        Case(
            (_arr([-1e-3, -1e-9, -0.0, 0.0, 1e-9, 1e-3]),),
            "both sides of the kink, and z = -0.0 and 0.0 exactly",
        ),
    ),
    "a1.swish_grad": (
        Case(
            (_arr([[-2.0, -0.5, 0.3], [0.8, 1.5, 3.0]]), 1.5),
            "both signs, shape (2, 3), beta = 1.5",
            _SWISH_TOL,
        ),
        Case(
            (_arr([[0.0, _LN3 / 2]]), 2.0),
            "the worked example: beta = 2, z = [[0, ln(3)/2]] gives [[1/2, 0.955990]]",
            _SWISH_TOL,
        ),
        Case((_arr([-30.0, 30.0]), 1.0), "edge inputs z = -30 and 30, beta = 1", _SWISH_EDGE_TOL),
    ),
    "a1.bce_logits_grad": (
        Case((_arr([0.5, -1.5, 2.0, -0.3]), _arr([1.0, 0.0, 0.0, 1.0])), "a batch of 4"),
        Case(
            (_arr([[0.0], [0.0]]), _arr([[1.0], [0.0]])),
            "the worked example: z = [[0], [0]], y = [[1], [0]] gives [[-1/4], [1/4]]",
        ),
        Case(
            (_arr([25.0, -25.0]), _arr([0.0, 1.0])),
            "saturated on the wrong side: z = [25, -25], y = [0, 1]",
        ),
    ),
    "a1.softmax_ce_grad": (
        Case(
            (
                _arr([[1.0, -0.5, 2.0, 0.0], [0.3, 0.3, -1.0, 1.2], [-2.0, 0.5, 0.5, 1.0]]),
                np.array([0, 3, 1]),
            ),
            "logits of shape (3, 4), labels [0, 3, 1]",
        ),
        Case(
            (_arr([[0.0, _LN3], [0.0, 0.0]]), np.array([1, 0])),
            "the worked example: logits [[0, ln 3], [0, 0]], labels [1, 0] give "
            "[[1/8, -1/8], [-1/4, 1/4]]",
        ),
        Case(
            (_arr([[800.0, 0.0, -5.0], [-900.0, -901.0, -899.0]]), np.array([1, 2])),
            "large logits, |z| > 700",
        ),
    ),
    "a1.dense_backward": (
        Case(
            (
                _arr([[1.0, 0.0, -1.0, 2.0], [0.5, -2.0, 1.0, 0.0], [0.0, 1.0, 3.0, -1.0]]),
                (
                    _arr([[1.0, -1.0], [2.0, 0.5], [-0.5, 3.0]]),
                    _arr([[0.5, -1.0, 2.0, 0.0], [1.0, 0.3, -0.2, 1.5]]),
                ),
            ),
            "N = 3, D_in = 2, D_out = 4",
        ),
        Case(
            (_arr([[1.0], [2.0]]), (_arr([[1.0, 2.0], [3.0, 4.0]]), _arr([[1.0], [-1.0]]))),
            "the worked example: X = [[1, 2], [3, 4]], W = [[1], [-1]], dZ = [[1], [2]] give "
            "dX = [[1, -1], [2, -2]], dW = [[7], [10]], db = [3]",
        ),
    ),
    "a1.mlp_backward": (
        _public_mlp_case(
            X=[[1.0, -0.5], [0.2, 1.0], [-1.0, 0.3]],
            y=[2, 0, 1],
            W1=[[1.0, -0.8, 0.0], [0.5, 1.2, 0.0]],
            b1=[0.1, -0.2, 0.0],
            W2=[[0.5, -1.0, 0.3], [0.2, 0.4, -0.6], [1.0, -0.3, 0.7]],
            b2=[0.0, 0.1, -0.1],
            label="N = 3, D = 2, H = C = 3, W2 square but not symmetric; hidden units 1 and 2 "
            "have Z1 of both signs, unit 3 has Z1 = 0 exactly",
        ),
        _public_mlp_case(
            X=[[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]],
            y=[1, 0],
            W1=[[0.4, -0.3, 0.0, 0.8], [0.1, 0.9, 0.0, -0.5], [-0.6, 0.2, 0.0, 0.3]],
            b1=[0.2, -0.1, 0.0, 0.05],
            W2=[[0.7, -0.2], [-0.4, 0.9], [0.3, 0.6], [1.1, -0.8]],
            b2=[0.05, -0.05],
            label="N = 2, D = 3, H = 4, C = 2; hidden unit 3 has Z1 = 0 exactly",
        ),
    ),
    "a1.numerical_gradient": (
        _public_ng_case(
            "xsin",
            _arr([[0.5, -1.2, 2.0], [1.5, -0.3, 0.8]]),
            1e-4,
            "f(x) = sum(x * sin(x)), x of shape (2, 3), h = 1e-4",
        ),
        _public_ng_case(
            "cube",
            _arr([1.0, 2.0]),
            1e-5,
            "the worked example: f(x) = sum(x**3) at x = [1, 2], h = 1e-5 gives "
            "[3 + h**2, 12 + h**2]",
        ),
        _public_ng_case(
            "cube", _arr([0.5, -1.0, 2.0]), 1e-2, "f(x) = sum(x**3) at x = [0.5, -1, 2], h = 1e-2"
        ),
    ),
}

#: Spec name -> {helper function the student's answer may call: the spec of that helper}.
#: When such an answer fails its public cases but passes them with the helpers' reference
#: versions in their place, the public test names the helper at fault.
HELPERS_A1: dict[str, dict[str, str]] = {
    "a1.mlp_backward": {
        "softmax_ce_grad": "a1.softmax_ce_grad",
        "dense_backward": "a1.dense_backward",
        "relu_grad": "a1.relu_grad",
    },
}
