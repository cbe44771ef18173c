"""Tests for nnlib.gradcheck: numerical gradients, rel_error, and the bug-naming checker.

The checker is itself tested the way STYLE.md asks for checks of student code: it passes
the reference gradient and fails each known wrong version (mutant) with the diagnosis
meant for it.
"""

import numpy as np
import pytest

from nnlib import gradcheck as gc

# --------------------------------------------------------------------- numerical_gradient


def test_numerical_gradient_sum_of_cubes():
    # f(x) = sum x^3 -> grad 3 x^2: at [[1, 2], [-3, 0.5]] that is [[3, 12], [27, 0.75]]
    x = np.array([[1.0, 2.0], [-3.0, 0.5]])
    g = gc.numerical_gradient(lambda x: np.sum(x**3), x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, [[3.0, 12.0], [27.0, 0.75]], rtol=1e-8)


def test_numerical_gradient_h_takes_effect():
    # For x^3 the central difference is exact up to h^2:
    # ((x+h)^3 - (x-h)^3) / 2h = (6 x^2 h + 2 h^3) / 2h = 3 x^2 + h^2.
    x = np.array([2.0])
    g = gc.numerical_gradient(lambda x: np.sum(x**3), x, h=0.1)
    np.testing.assert_allclose(g, [12.0 + 0.01], rtol=1e-12)


def test_numerical_gradient_restores_x_exactly():
    x = np.array([0.1, 0.2, 0.7]) * np.pi  # values for which x + h - h != x in floating point
    before = x.copy()
    gc.numerical_gradient(lambda x: np.sum(np.sin(x)), x)
    assert np.array_equal(x, before)  # bit for bit


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:  # raise during the second entry's f(x - h)
            raise RuntimeError("boom")
        return float(np.sum(v))

    with pytest.raises(RuntimeError, match="boom"):
        gc.numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_perturbs_in_place_for_closures():
    # f ignores its argument and reads a dict holding the same array (the model case)
    params = {"w": np.array([1.0, -2.0])}
    g = gc.numerical_gradient(lambda _: np.sum(params["w"] ** 2), params["w"])
    np.testing.assert_allclose(g, [2.0, -4.0], rtol=1e-8)  # d/dw w^2 = 2w


def test_numerical_gradient_on_a_view_and_a_scalar():
    base = np.arange(6.0).reshape(2, 3)
    view = base[:, ::2]  # non-contiguous
    g = gc.numerical_gradient(lambda v: np.sum(v**2), view)
    np.testing.assert_allclose(g, 2 * view, rtol=1e-8)
    s = np.array(3.0)  # 0-d
    np.testing.assert_allclose(gc.numerical_gradient(lambda v: float(v) ** 2, s), 6.0)


def test_numerical_gradient_bad_input():
    f = lambda v: float(np.sum(v))  # noqa: E731
    with pytest.raises(TypeError, match="x has dtype float32; central differences need float64"):
        gc.numerical_gradient(f, np.ones(2, dtype=np.float32))
    with pytest.raises(TypeError, match="x must be a numpy array"):
        gc.numerical_gradient(f, [1.0, 2.0])
    with pytest.raises(TypeError, match="f must be callable"):
        gc.numerical_gradient(3, np.ones(2))
    with pytest.raises(TypeError, match="f must return a scalar"):
        gc.numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ValueError, match="non-finite"):
        gc.numerical_gradient(lambda v: np.inf, np.ones(2))
    with pytest.raises(ValueError, match=r"h must be in \(0, inf\)"):
        gc.numerical_gradient(f, np.ones(2), h=0)
    ro = np.ones(2)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        gc.numerical_gradient(f, ro)


# ------------------------------------------------------------------------------ rel_error


def test_rel_error_hand_values():
    assert gc.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gc.rel_error([1.0, 2.0], [1.0, 4.0]) == pytest.approx(1 / 3)  # 2 / (2 + 4)
    assert gc.rel_error([3.0], [-3.0]) == 1.0  # sign flip: 6 / 6
    assert gc.rel_error([0.0], [0.0]) == 0.0  # no 0 / 0
    assert gc.rel_error(np.zeros(0), np.zeros(0)) == 0.0


def test_rel_error_floor_takes_effect():
    # |1e-10 - 0| / max(1e-10, floor): floor 1e-8 -> 0.01; floor 1e-12 -> 1.0
    assert gc.rel_error([1e-10], [0.0]) == pytest.approx(0.01)
    assert gc.rel_error([1e-10], [0.0], floor=1e-12) == pytest.approx(1.0)


def test_rel_error_bad_input():
    with pytest.raises(ValueError, match="a has shape"):
        gc.rel_error(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="floor must be"):
        gc.rel_error([1.0], [1.0], floor=0)


# -------------------------------------------------------------- a tiny net to check against

N = 6  # batch size


def make_net(seed=0):
    """Two-layer tanh net with mean softmax cross-entropy; W2 is 4x3 (not square)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 3))
    y = np.array([0, 1, 2, 0, 1, 2])
    params = {
        "W1": rng.normal(size=(3, 4)),
        "b1": rng.normal(size=4) * 0.1,
        "W2": rng.normal(size=(4, 3)),
        "b2": rng.normal(size=3) * 0.1,
    }

    def forward():
        H = np.tanh(X @ params["W1"] + params["b1"])
        Z = H @ params["W2"] + params["b2"]
        Z = Z - Z.max(axis=1, keepdims=True)
        P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        return H, P

    def loss():
        _, P = forward()
        return float(-np.mean(np.log(P[np.arange(N), y])))

    def grads(scale_dz=1.0 / N):
        """Hand-written backward; scale_dz = 1/N is right, 1 forgets the mean."""
        H, P = forward()
        dZ = P.copy()
        dZ[np.arange(N), y] -= 1
        dZ *= scale_dz
        dH = dZ @ params["W2"].T * (1 - H**2)
        return {"W1": X.T @ dH, "b1": dH.sum(0), "W2": H.T @ dZ, "b2": dZ.sum(0)}

    return params, loss, grads


def test_correct_gradients_pass():
    params, loss, grads = make_net()
    before = {k: v.copy() for k, v in params.items()}
    report = gc.check_gradients(loss, params, grads())
    assert report.ok and report.failed == []
    for c in report:
        assert c.passed and c.diagnosis is None and c.max_rel_error < 1e-7
    for k in params:  # parameters restored bit for bit
        assert np.array_equal(params[k], before[k])
    assert "all passed" in str(report)


@pytest.mark.parametrize(
    ("factor", "diagnosis"),
    [(2.0, "x2"), (0.5, "x1/2"), (-1.0, "sign flip"), (N, "missing 1/N"), (1 / N, "extra 1/N")],
)
def test_constant_factor_mutants_are_named(factor, diagnosis):
    params, loss, grads = make_net()
    g = grads()
    g["W1"] = g["W1"] * factor  # the mutant: only W1 is wrong
    report = gc.check_gradients(loss, params, g, n_samples=N)
    assert not report.ok and report.failed == ["W1"]
    assert report["W1"].diagnosis == diagnosis
    assert report["b1"].passed and report["b1"].diagnosis is None
    text = str(report)
    assert f"FAIL: {diagnosis}" in text and f"  W1: {report['W1'].hint}" in text


def test_forgotten_mean_in_backward_is_missing_one_over_n_everywhere():
    # The classic bug: dZ = P - Y without the 1/N, so every gradient is N times too big.
    params, loss, grads = make_net()
    report = gc.check_gradients(loss, params, grads(scale_dz=1.0), n_samples=N)
    assert report.failed == ["W1", "b1", "W2", "b2"]
    assert {c.diagnosis for c in report} == {"missing 1/N"}
    # Without n_samples the factor is still found and the hint names the batch size.
    report = gc.check_gradients(loss, params, grads(scale_dz=1.0))
    assert report["W2"].diagnosis == "constant factor"
    assert "analytic = 6 x numeric" in report["W2"].hint and "N = 6" in report["W2"].hint


def test_a_whole_factor_is_not_called_a_batch_size_when_the_batch_size_is_known():
    # A planted x4 on a batch of 6: "if the batch has N = 4 samples" would mislead.
    params, loss, grads = make_net()
    g = grads()
    g["b1"] = 4 * g["b1"]
    check = gc.check_gradients(loss, params, g, n_samples=N)["b1"]
    assert check.diagnosis == "constant factor" and "analytic = 4 x numeric" in check.hint
    assert "batch has N" not in check.hint and "n_samples=" not in check.hint
    unknown = gc.check_gradients(loss, params, g)["b1"]  # batch size not given: say what 4 means
    assert "if the batch has N = 4 samples" in unknown.hint


def test_other_constant_factor_is_reported_with_its_value():
    params, loss, grads = make_net()
    g = grads()
    g["b2"] = -3.5 * g["b2"]
    check = gc.check_gradients(loss, params, g)["b2"]
    assert check.diagnosis == "constant factor"
    assert "-3.5 x numeric" in check.hint and "sign is flipped" in check.hint


def test_transposed_non_square_gradient_is_named():
    params, loss, grads = make_net()
    g = grads()
    g["W2"] = g["W2"].T  # (3, 4) for a (4, 3) parameter
    check = gc.check_gradients(loss, params, g)["W2"]
    assert not check.passed and check.diagnosis == "transposed"
    assert check.max_rel_error == np.inf and check.worst_index is None
    assert "shape (3, 4)" in check.hint


def test_transposed_square_gradient_is_named():
    # L = mean((X W - Y)^2) over all N*3 entries; dL/dW = 2 X^T (X W - Y) / (3N)
    rng = np.random.default_rng(1)
    X, Y, W = rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.normal(size=(3, 3))
    dW = 2 * X.T @ (X @ W - Y) / 15
    loss = lambda: float(np.mean((X @ W - Y) ** 2))  # noqa: E731
    assert gc.check_gradients(loss, {"W": W}, {"W": dW}).ok
    check = gc.check_gradients(loss, {"W": W}, {"W": dW.T})["W"]
    assert check.diagnosis == "transposed" and "X.T @ dZ" in check.hint


def test_random_wrong_gradient_has_no_specific_diagnosis():
    params, loss, grads = make_net()
    g = grads()
    g["W1"] = g["W1"] + np.random.default_rng(5).normal(size=g["W1"].shape) * 0.1
    check = gc.check_gradients(loss, params, g, n_samples=N)["W1"]
    assert not check.passed and check.diagnosis is None
    assert "no simple pattern" in check.hint


def test_worst_entry_is_located():
    params, loss, grads = make_net()
    g = grads()
    right = g["W1"][2, 1]
    g["W1"][2, 1] += 1.0  # one wrong entry
    check = gc.check_gradients(loss, params, g)["W1"]
    assert check.worst_index == (2, 1)
    assert check.analytic == pytest.approx(right + 1.0)
    assert check.numeric == pytest.approx(right, rel=1e-6)
    assert check.diagnosis is None  # not a constant factor
    assert "(2, 1)" in str(gc.check_gradients(loss, params, g))


def test_zero_analytic_and_zero_numeric():
    params, loss, grads = make_net()
    g = grads()
    g["b1"] = np.zeros(4)  # forgot to fill it in
    assert gc.check_gradients(loss, params, g)["b1"].diagnosis == "zero analytic"
    # f works on a copy of the parameters: perturbing params changes nothing
    frozen = {k: v.copy() for k, v in params.items()}
    w = frozen["W1"]
    bad_loss = lambda: float(np.sum(w**2))  # noqa: E731
    params2 = {"W1": params["W1"]}
    check = gc.check_gradients(bad_loss, params2, {"W1": 2 * w})["W1"]
    assert check.diagnosis == "zero numeric" and "copy" in check.hint


def test_tol_takes_effect():
    params, loss, grads = make_net()
    g = grads()
    g["b2"] = g["b2"] * (1 + 1e-5)  # relative error ~ 1e-5 / 2 = 5e-6
    assert not gc.check_gradients(loss, params, g).ok
    assert gc.check_gradients(loss, params, g, tol=1e-4).ok


def test_check_gradients_bad_input():
    params, loss, grads = make_net()
    g = grads()
    with pytest.raises(TypeError, match=r"params\['W1'\] has dtype float32"):
        gc.check_gradients(loss, {"W1": params["W1"].astype(np.float32)}, {"W1": g["W1"]})
    with pytest.raises(ValueError, match=r"missing \['b2'\]"):
        gc.check_gradients(loss, params, {k: g[k] for k in ("W1", "b1", "W2")})
    with pytest.raises(ValueError, match=r"unexpected \['W3'\]"):
        gc.check_gradients(loss, params, {**g, "W3": g["W1"]})
    with pytest.raises(ValueError, match=r"grads\['b1'\] has shape \(4, 1\)"):
        gc.check_gradients(loss, params, {**g, "b1": g["b1"][:, None]})
    with pytest.raises(TypeError, match="non-empty dict"):
        gc.check_gradients(loss, {}, {})
    with pytest.raises(ValueError, match="tol must be"):
        gc.check_gradients(loss, params, g, tol=0)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        gc.check_gradients(loss, params, g, n_samples=0)
    rng = np.random.default_rng(0)
    noisy = lambda: loss() + rng.normal()  # noqa: E731
    with pytest.raises(ValueError, match="f is not deterministic"):
        gc.check_gradients(noisy, params, g)


# ---------------------------------------------------------------- check_model_gradients


class LinearModel:
    """y_hat = X W + b, loss = mean over samples of ||y_hat - y||^2; optional bug/dropout."""

    def __init__(self, forget_mean=False, dropout=False, dtype=np.float64):
        rng = np.random.default_rng(2)
        self.params = {"W": rng.normal(size=(3, 2)).astype(dtype), "b": np.zeros(2, dtype)}
        self.grads = {}
        self.forget_mean = forget_mean
        self.rng = np.random.default_rng(3) if dropout else None

    def loss_and_grad(self, X, y, loss):
        if loss != "sum_sq":
            raise ValueError(loss)
        if self.rng is not None:  # inverted dropout on the inputs: a new mask every call
            X = X * (self.rng.random(X.shape) > 0.5) * 2
        R = X @ self.params["W"] + self.params["b"] - y  # (N, 2)
        dZ = 2 * R if self.forget_mean else 2 * R / len(X)  # d/dR of sum(R^2) / N
        self.grads["W"] = X.T @ dZ
        self.grads["b"] = dZ.sum(axis=0)
        return float(np.sum(R**2) / len(X))


def _batch():
    rng = np.random.default_rng(4)
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def test_check_model_gradients_passes_and_restores():
    model = LinearModel()
    X, y = _batch()
    before = {k: v.copy() for k, v in model.params.items()}
    report = gc.check_model_gradients(model, X, y, "sum_sq")
    assert report.ok
    for k, v in model.params.items():
        assert np.array_equal(v, before[k])


def test_check_model_gradients_names_missing_mean_with_batch_size():
    # The model forgets the 1/N of the mean: gradients N = 5 times too big. The batch size
    # is passed on as n_samples, so the report names it.
    X, y = _batch()
    report = gc.check_model_gradients(LinearModel(forget_mean=True), X, y, "sum_sq")
    assert report.failed == ["W", "b"]
    assert {c.diagnosis for c in report} == {"missing 1/N"}
    assert "N = 5" in report["W"].hint


def test_check_model_gradients_refuses_dropout_and_float32():
    X, y = _batch()
    with pytest.raises(ValueError, match="not deterministic"):
        gc.check_model_gradients(LinearModel(dropout=True), X, y, "sum_sq")
    with pytest.raises(TypeError, match="need float64"):
        gc.check_model_gradients(LinearModel(dtype=np.float32), X, y, "sum_sq")
    with pytest.raises(TypeError, match="params dict and a loss_and_grad"):
        gc.check_model_gradients(object(), X, y, "sum_sq")


def test_check_model_gradients_on_nnlib_mlp():
    model_mod = pytest.importorskip("nnlib.model")
    model = model_mod.MLP([3, 5, 3], hidden="tanh", output="softmax", rng=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(7, 3)), np.array([0, 1, 2, 0, 1, 2, 0])
    report = gc.check_model_gradients(model, X, y, "softmax_cross_entropy")
    assert report.ok, str(report)
    assert list(report.checks) == ["W1", "b1", "W2", "b2"]


def test_a_correct_model_with_tiny_gradient_entries_passes():
    # He-initialised tanh net on 8 samples: some dL/dW1 entries are ~1e-5, where the
    # central differences' rounding error (~1e-10) alone exceeds a 1e-7 relative error.
    # A correct backward pass must still pass.
    from nnlib import MLP

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    model = MLP([3, 5, 2], hidden="tanh", output="softmax", rng=0)
    report = gc.check_model_gradients(model, X, y, "softmax_cross_entropy")
    assert report.ok, str(report)
    assert "judged by absolute error" in str(report)
    # The case needs the floor: by the plain cs231n measure (floor 1e-8) it would fail.
    analytic, numeric = model.grads["W1"], report["W1"].numeric_grad
    assert gc.rel_error(analytic, numeric) > 1e-7


def test_tiny_entries_still_catch_a_wrong_gradient():
    # Every entry of this gradient is below the absolute-error floor; a factor 2 is still
    # far above the rounding noise and must fail, diagnosed.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 2)) * 1e-3
    W = rng.standard_normal((2, 1))

    def f():
        return float(np.mean((X @ W) ** 2)) + 1.0

    right = 2 * X.T @ (X @ W) / 6
    assert np.max(np.abs(right)) < 1e-4
    assert gc.check_gradients(f, {"W": W}, {"W": right}).ok
    report = gc.check_gradients(f, {"W": W}, {"W": 2 * right})
    assert not report.ok and report["W"].diagnosis == "x2"


def test_ratio_one_is_not_called_a_constant_factor():
    x = np.array([1.0, 2.0, 3.0])

    def f():
        return float(np.sum(x**2))

    almost = 2 * x * (1 + 3e-6)  # off by a factor of (almost) 1: no named mistake
    report = gc.check_gradients(f, {"x": x}, {"x": almost})
    assert not report.ok
    assert report["x"].diagnosis is None
    assert "factor 1" in report["x"].hint


# ------------------------------------------------------------------ truth value of a report


def test_report_truth_value_is_ok():
    # A report holds tensors, so without __bool__ it would be truthy (len > 0) even when
    # failed: `if check_gradients(...):` would pass a sign-flipped gradient.
    params, loss, grads = make_net()
    good = gc.check_gradients(loss, params, grads())
    assert bool(good) is True and good.ok
    g = grads()
    g["W1"] = -g["W1"]
    bad = gc.check_gradients(loss, params, g)
    assert bad["W1"].diagnosis == "sign flip"
    assert bool(bad) is False and len(bad) == 4
    assert not bad  # the pattern a student writes: `if report:` / `assert report`


# ------------------------------------------------------------ f() versus f(x) conventions


def test_check_gradients_refuses_a_function_of_the_parameter():
    w = np.array([1.0, 2.0])
    with pytest.raises(
        TypeError,
        match=(
            r"check_gradients calls f\(\) with no arguments \(it perturbs params in place\); "
            r"wrap yours: lambda: f\(params\['w'\]\)"
        ),
    ):
        gc.check_gradients(lambda w: float(np.sum(w**2)), {"w": w}, {"w": 2 * w})
    # the wrapped version works; so does an f whose arguments all have defaults
    assert gc.check_gradients(lambda: float(np.sum(w**2)), {"w": w}, {"w": 2 * w})

    def f(scale=1.0):
        return scale * float(np.sum(w**2))

    assert gc.check_gradients(f, {"w": w}, {"w": 2 * w}).ok


def test_numerical_gradient_refuses_a_function_of_nothing():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"numerical_gradient calls f\(x\).*lambda _x: f\(\)"):
        gc.numerical_gradient(lambda: float(np.sum(x**2)), x)
    np.testing.assert_allclose(gc.numerical_gradient(lambda *a: float(np.sum(x**2)), x), 2 * x)


# ------------------------------------------------------------------ dtype messages


def test_integer_parameters_get_an_accurate_message():
    f = lambda v: float(np.sum(v))  # noqa: E731
    with pytest.raises(TypeError, match="x has dtype int64") as info:
        gc.numerical_gradient(f, np.array([1, 2], dtype=np.int64))
    msg = str(info.value)
    assert "cannot hold x + h" in msg and "float32" not in msg and "x.astype(np.float64)" in msg
    w = np.array([1, 2], dtype=np.int64)
    with pytest.raises(TypeError, match=r"params\['w'\] has dtype int64") as info:
        gc.check_gradients(lambda: float(np.sum(w**2)), {"w": w}, {"w": 2 * w})
    assert "float32" not in str(info.value) and "astype(np.float64)" in str(info.value)
    X, y = _batch()
    with pytest.raises(TypeError, match="model parameter 'W' has dtype int64") as info:
        gc.check_model_gradients(LinearModel(dtype=np.int64), X, y, "sum_sq")
    assert "dtype=np.float64" not in str(info.value) and "float32" not in str(info.value)
    # float32 keeps the rounding explanation and the model-building advice
    with pytest.raises(TypeError, match=r"float32 the rounding error .* MLP\(\.\.\., dtype=np"):
        gc.check_model_gradients(LinearModel(dtype=np.float32), X, y, "sum_sq")


# --------------------------------------------------------------------------------- kinks


def make_relu_net(X, b1, relu_grad_at_0=0.0, seed=0):
    """ReLU net, mean squared error; hand backward using relu'(0) = relu_grad_at_0."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    H = len(b1)
    params = {"W1": rng.normal(size=(d, H)), "b1": np.array(b1, dtype=float)}
    params["W2"] = rng.normal(size=(H, 1))
    y = rng.normal(size=(n, 1))

    def loss():
        Z = X @ params["W1"] + params["b1"]
        return float(np.mean((np.maximum(Z, 0) @ params["W2"] - y) ** 2))

    def grads():
        Z = X @ params["W1"] + params["b1"]
        A = np.maximum(Z, 0)
        dout = 2 * (A @ params["W2"] - y) / n  # d mean(r^2) / dr
        dZ = dout @ params["W2"].T * np.where(Z > 0, 1.0, np.where(Z == 0, relu_grad_at_0, 0.0))
        return {"W1": X.T @ dZ, "b1": dZ.sum(0), "W2": A.T @ dout}

    return params, loss, grads


@pytest.mark.parametrize("relu_grad_at_0", [0.0, 1.0])
def test_sample_at_the_origin_with_zero_biases_is_a_kink(relu_grad_at_0):
    # Row 0 is the origin: with b1 = 0 every hidden unit's input is exactly 0 there, so
    # moving any b1[j] by -h or +h switches that unit off or on. The central difference
    # averages the two slopes; a correct backward pass uses one of them (relu'(0) = 0 is
    # the left slope, relu'(0) = 1 the right one). W1 is unaffected: X[0] @ W1 = 0 always.
    X = np.random.default_rng(1).normal(size=(6, 2))
    X[0] = 0.0
    params, loss, grads = make_relu_net(X, np.zeros(8), relu_grad_at_0)
    report = gc.check_gradients(loss, params, grads())
    assert report.failed == ["b1"]
    check = report["b1"]
    assert check.diagnosis == "kink"
    assert check.hint.startswith("all 8 entries disagree: likely a kink (ReLU at 0")
    assert "move the inputs or biases off 0" in check.hint
    # Moving the biases off 0 removes the kink: the same network passes.
    params, loss, grads = make_relu_net(X, np.full(8, 0.01), relu_grad_at_0)
    assert gc.check_gradients(loss, params, grads()).ok


def test_one_unit_at_its_kink_is_a_few_entries_kink():
    # Unit 3's input is exactly 0 for sample 2 only: b1[3] and W1[:, 3] straddle the
    # corner; the other 9 of 10 biases and 27 of 30 weights are unaffected.
    X = np.random.default_rng(2).normal(size=(5, 3))
    params, loss, grads = make_relu_net(X, np.full(10, 0.5), seed=3)
    params["b1"][3] = -(X @ params["W1"])[2, 3]  # so Z[2, 3] = X[2] @ W1[:, 3] + b1[3] = 0
    assert (X @ params["W1"] + params["b1"])[2, 3] == 0.0
    report = gc.check_gradients(loss, params, grads())
    assert report.failed == ["W1", "b1"]
    assert report["b1"].diagnosis == report["W1"].diagnosis == "kink"
    assert report["b1"].worst_index == (3,)
    assert report["b1"].hint.startswith(
        "1 of 10 entries disagree; the others agree: likely a kink (ReLU at 0, where the "
        "differences straddle the corner), not a bug — move the inputs or biases off 0"
    )
    assert report["W1"].hint.startswith("3 of 30 entries disagree; the others agree")


def test_a_few_wrong_entries_are_counted_but_not_excused():
    # One wrong entry of 12 in a smooth (tanh) net: few entries disagree, but the analytic
    # value is no one-sided difference, so it is not called a kink nor "not a bug".
    params, loss, grads = make_net()
    g = grads()
    g["W1"][2, 1] += 0.01
    check = gc.check_gradients(loss, params, g)["W1"]
    assert check.diagnosis is None
    assert check.hint.startswith("1 of 12 entries disagree; the others agree")
    assert "kink" in check.hint and "not a bug" not in check.hint
    # Many wrong entries: no "few entries" wording.
    g = grads()
    g["W1"] = g["W1"] + np.random.default_rng(5).normal(size=g["W1"].shape) * 0.1
    check = gc.check_gradients(loss, params, g)["W1"]
    assert "no simple pattern" in check.hint and "all 12 entries disagree" in check.hint


def test_relu_mlp_on_a_batch_with_a_point_at_the_origin():
    # The case reviewers hit: nnlib's MLP starts with zero biases, so a sample at the
    # origin sits on every first-layer ReLU's corner.
    from nnlib import MLP, datasets

    X, y = datasets.spirals(30, classes=3, rng=0)
    model = MLP([2, 12, 3], hidden="relu", output="softmax", rng=0)
    assert gc.check_model_gradients(model, X, y, "softmax_cross_entropy").ok  # no 0 in X
    X0 = X.copy()
    X0[0] = 0.0  # one point exactly at the origin
    report = gc.check_model_gradients(model, X0, y, "softmax_cross_entropy")
    assert report.failed == ["b1"] and report["b1"].diagnosis == "kink"
