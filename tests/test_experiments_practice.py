"""Tests for nnlib.experiments' practical-training tools (lessons 07 and 08).

Dead and saturated units on hand-built nets whose answers are counted by hand, and the
dying-ReLU pattern of LESSONS.md §6.1.4 on digits; random search in log space; the
babysitting sanity checks on a correct setup and on broken ones.
"""

import math

import numpy as np
import pytest

import nnlib
from nnlib import datasets, optimizers
from nnlib import experiments as ex
from nnlib.training import fit

# --------------------------------------------------------------------------- dead units


def _relu_net(**kwargs):
    """[2, 4, 3, 2] ReLU net with hand-set weights; on X_POS (x >= 0) layer 1 has units
    1 and 3 dead (weights <= 0, bias <= 0), layer 2 has unit 2 dead (its inputs are >= 0
    and its weights <= 0)."""
    model = nnlib.MLP([2, 4, 3, 2], hidden="relu", output="softmax", init="zeros", **kwargs)
    model.params["W1"][:] = [[-1.0, 1.0, 0.0, 2.0], [-0.5, 1.0, -1.0, -1.0]]
    model.params["b1"][:] = [0.0, 0.0, -0.1, 0.5]
    model.params["W2"][:] = [[0.0, 0.0, 1.0], [1.0, -1.0, 0.0], [3.0, -2.0, 0.0], [1.0, -1.0, -1.0]]
    model.params["b2"][:] = [0.1, 0.0, 0.0]
    return model


X_POS = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 0.5], [0.2, 4.0]])


def test_dead_units_counts_units_zero_on_every_row():
    model = _relu_net()
    # layer 2's unit 3 = relu(-h4) with h4 = relu(2 x1 - x2 + 0.5) > 0 on rows 1 and 3:
    # zero there, but also on rows 2 and 4 (h4 = 0) -> dead; unit 1 has bias 0.1 -> alive
    np.testing.assert_array_equal(ex.dead_units(model, X_POS), [2 / 4, 2 / 3])
    # one row that wakes a unit up is enough: x1 < 0 makes layer 1's unit 1 positive
    np.testing.assert_array_equal(ex.dead_units(model, np.vstack([X_POS, [-1.0, 0.0]]))[0], 1 / 4)


def test_dead_units_leaves_the_model_unchanged_and_ignores_dropout():
    model = _relu_net()
    before = model.flat_params.copy()
    ex.dead_units(model, X_POS)
    np.testing.assert_array_equal(model.flat_params, before)
    # evaluation mode: dropout is off, so a dropout net has the same dead units
    np.testing.assert_array_equal(ex.dead_units(_relu_net(dropout=0.5, rng=0), X_POS), [0.5, 2 / 3])


def test_dead_units_follows_batch_normalization_running_statistics():
    model = nnlib.MLP([2, 2, 2], hidden="relu", output="softmax", init="zeros", batchnorm=True)
    model.params["W1"][:] = [[1.0, 1.0], [0.0, 0.0]]
    X = np.array([[1.0, 0.0], [2.0, 0.0]])  # Z1 = x1 in both units: 1 and 2
    assert ex.dead_units(model, X).tolist() == [0.0]
    model._bns[0].running_mean[:] = [5.0, 0.0]  # BN(Z) = Z - 5 < 0 for unit 1
    assert ex.dead_units(model, X).tolist() == [0.5]


def test_leaky_relu_units_are_never_dead():
    model = _relu_net()
    leaky = nnlib.MLP([2, 4, 3, 2], hidden="leaky_relu", output="softmax", init="zeros")
    leaky.set_weights(model.get_weights())
    assert ex.dead_units(leaky, X_POS).tolist() == [0.0, 0.0]


@pytest.fixture(scope="module")
def digits():
    X, y = datasets.load_digits()
    return datasets.StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("lr", [0.1, 1.0])
def test_a_too_high_learning_rate_kills_most_relus_of_a_layer(digits, lr):
    # LESSONS.md §6.1.4: He-ReLU [64, 100, 100, 10], SGD, batch 32, 10 epochs, standardized
    # digits. Measured: lr 0.01-0.5 kill no unit (seeds 0-4); lr 1.0 kills 91% (seed 0) and
    # 99% (seed 1) of layer 2 and leaves 27% and 11% training accuracy. 0.15 s per run.
    X, y = digits
    model = nnlib.MLP([64, 100, 100, 10], "relu", "softmax", init="he_normal", rng=0)
    fit(model, X, y, "softmax_cross_entropy", optimizers.SGD(lr), epochs=10, verbose=False, rng=0)
    dead = ex.dead_units(model, X)
    if lr < 1:
        assert dead.tolist() == [0.0, 0.0]
        assert model.score(X, y) > 0.95
    else:
        assert dead[1] > 0.5  # most of layer 2 is silent on every training example ...
        assert model.score(X, y) < 0.5  # ... and the net cannot learn through it


# --------------------------------------------------------------------------- saturation


def test_saturation_counts_activations_near_the_bounds():
    model = nnlib.MLP([1, 2, 1], hidden="tanh", init="zeros")
    model.params["W1"][:] = [[1.0, 10.0]]
    X = np.array([[0.1], [1.0], [3.0], [-3.0]])
    # tanh(x): saturated at x = +-3 (0.99505); tanh(10 x): at 1, 3, -3 (not 0.1: 0.76)
    assert ex.saturation(model, X).tolist() == [5 / 8]
    # threshold 0.999: tanh(3) = 0.99505 no longer counts, tanh(10) and tanh(30) still do
    assert ex.saturation(model, X, threshold=0.999).tolist() == [3 / 8]


def test_sigmoid_saturates_at_both_ends_and_relu_does_not_apply():
    model = nnlib.MLP([1, 2, 3, 1], hidden="sigmoid", init="zeros")
    model.params["W1"][:] = [[10.0, 1.0]]  # layer 1: sigmoid(10 x), sigmoid(x)
    model.params["b2"][:] = [0.0, 5.0, -5.0]  # layer 2: 0.5, 0.9933, 0.0067 on every row
    X = np.array([[-1.0], [0.0], [1.0]])  # sigmoid(-10) = 4.5e-5, 0.5, 1 - 4.5e-5
    np.testing.assert_array_equal(ex.saturation(model, X), [2 / 6, 6 / 9])
    relu = nnlib.MLP([1, 2, 3, 1], hidden="relu")
    assert np.isnan(ex.saturation(relu, X)).all() and ex.saturation(relu, X).shape == (2,)


def test_saturation_agrees_with_activation_statistics_rule():
    r = np.random.default_rng(0)
    model = nnlib.MLP([50, 50, 50, 2], hidden="tanh", init="zeros")
    W = [r.standard_normal((50, 50)) for _ in range(2)]  # cs231n's "large" init: saturates
    model.params["W1"][:], model.params["W2"][:] = W
    X = r.standard_normal((200, 50))
    _, H = ex.deep_forward(X, W, "tanh")
    expected = [np.mean(np.abs(h) > 0.99) for h in H]
    np.testing.assert_allclose(ex.saturation(model, X), expected, rtol=0, atol=0)
    assert min(expected) > 0.5


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda m: ex.dead_units({"W1": 1}, X_POS), TypeError, "model must be an nnlib MLP"),
        (lambda m: ex.dead_units(m, np.ones((3, 5))), ValueError, r"X must have shape \(N, 2\)"),
        (lambda m: ex.dead_units(m, np.ones((0, 2))), ValueError, "at least one row"),
        (lambda m: ex.saturation(m, X_POS, threshold=1.0), ValueError, "threshold"),
        (lambda m: ex.saturation(m, X_POS, threshold="high"), TypeError, "threshold"),
    ],
)
def test_dead_units_and_saturation_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(_relu_net())


def test_a_diverged_model_is_reported_not_measured():
    model = _relu_net()
    model.params["W2"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        ex.dead_units(model, X_POS)


# --------------------------------------------------------------------------- random search


def _ks_uniform(u, a, b):
    """Kolmogorov-Smirnov statistic of the sample `u` against the uniform on [a, b]."""
    u = np.sort((np.asarray(u) - a) / (b - a))
    n = len(u)
    return max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n))


# A correct sampler exceeds c(alpha) / sqrt(n) with probability alpha (Kolmogorov's
# asymptotic law, accurate for n = 4000): alpha = 1e-3 gives c = sqrt(ln(2 / alpha) / 2) =
# 1.949. A sampler uniform in the linear range has D near 0.8 on LogUniform(1e-6, 1e-1).
KS_N = 4000
KS_BOUND = math.sqrt(math.log(2 / 1e-3) / 2) / math.sqrt(KS_N)


def test_log_uniform_is_uniform_in_log_space_by_a_ks_check():
    dist = ex.LogUniform(1e-6, 1e-1)
    x = dist.sample(np.random.default_rng(0), KS_N)
    assert x.shape == (KS_N,) and x.min() >= 1e-6 and x.max() <= 1e-1
    assert _ks_uniform(np.log10(x), -6, -1) < KS_BOUND
    # the statistic catches the classic mistake: uniform between lo and hi
    wrong = np.random.default_rng(0).uniform(1e-6, 1e-1, KS_N)
    assert _ks_uniform(np.log10(wrong), -6, -1) > 0.7
    # each of the five decades holds a fifth of the draws (binomial sd 0.006)
    counts = np.histogram(np.log10(x), bins=5, range=(-6, -1))[0] / KS_N
    np.testing.assert_allclose(counts, 0.2, atol=0.03)


def test_uniform_and_choice_draw_as_documented():
    u = ex.Uniform(-2.0, 3.0).sample(1, KS_N)
    assert _ks_uniform(u, -2, 3) < KS_BOUND and u.min() >= -2 and u.max() < 3
    picks = ex.Choice(["relu", "tanh", 0.5]).sample(2, 3000)
    freq = [picks.count(o) / 3000 for o in ("relu", "tanh", 0.5)]
    np.testing.assert_allclose(freq, 1 / 3, atol=0.03)  # 3.5 binomial sd


def _quadratic(params):
    """Lowest at lr = 1e-2, reg = 1e-3; `params` is what the search passes."""
    return (math.log10(params["lr"]) + 2) ** 2 + (math.log10(params["reg"]) + 3) ** 2


SPACE = {"lr": ex.LogUniform(1e-5, 1.0), "reg": ex.LogUniform(1e-6, 1.0), "batch": 32}


def test_random_search_sorts_best_first_and_is_reproducible_per_rng():
    trials = ex.random_search(SPACE, _quadratic, 30, rng=0)
    assert len(trials) == 30 and sorted(t.number for t in trials) == list(range(1, 31))
    scores = [t.score for t in trials]
    assert scores == sorted(scores)
    assert all(t.score == _quadratic(t.params) and t.params["batch"] == 32 for t in trials)
    assert all(type(t.params["lr"]) is float for t in trials)
    assert ex.random_search(SPACE, _quadratic, 30, rng=0) == trials
    assert ex.random_search(SPACE, _quadratic, 30, rng=1) != trials
    best = ex.random_search(SPACE, lambda p: -_quadratic(p), 30, rng=0, maximize=True)
    assert [t.params for t in best] == [t.params for t in trials]


def test_random_search_draws_do_not_depend_on_the_objective():
    # the points are drawn before any call, so an objective using randomness (or none)
    # sees the same points; trial k is the k-th draw of each dimension
    a = ex.random_search(SPACE, _quadratic, 10, rng=3)
    b = ex.random_search(SPACE, lambda p: np.random.default_rng().random(), 10, rng=3)
    by_number = {t.number: t.params for t in a}
    assert all(by_number[t.number] == t.params for t in b)
    lr = ex.LogUniform(1e-5, 1.0).sample(np.random.default_rng(3), 10)
    assert [by_number[k]["lr"] for k in range(1, 11)] == lr.tolist()


def test_a_diverged_trial_is_recorded_last_and_other_errors_propagate():
    def objective(params):
        if params["lr"] > 0.1:
            raise FloatingPointError("the loss became nan")
        return _quadratic(params)

    trials = ex.random_search(SPACE, objective, 40, rng=0)
    diverged = [t for t in trials if math.isnan(t.score)]
    assert diverged and all(t.params["lr"] > 0.1 for t in diverged)
    assert trials[-len(diverged) :] == tuple(diverged)
    assert all(t.error == "the loss became nan" for t in diverged)
    with pytest.raises(KeyError):
        ex.random_search(SPACE, lambda p: p["missing"], 3, rng=0)


def test_the_objective_gets_its_own_copy_and_trials_are_frozen():
    trials = ex.random_search(SPACE, lambda p: p.pop("lr"), 3, rng=0)
    assert all("lr" in t.params for t in trials)
    with pytest.raises(AttributeError):
        trials[0].score = 0.0


def test_coarse_to_fine_narrows_around_the_best_trials():
    coarse = ex.random_search(SPACE, _quadratic, 40, rng=0)
    finer = ex.refine(SPACE, coarse, top=5)
    lrs = [t.params["lr"] for t in coarse[:5]]
    assert finer["lr"] == ex.LogUniform(min(lrs), max(lrs)) and finer["batch"] == 32
    fine = ex.random_search(finer, _quadratic, 40, rng=1)
    assert fine[0].score < coarse[0].score
    assert np.median([t.score for t in fine]) < np.median([t.score for t in coarse]) / 10
    choice = ex.refine({"act": ex.Choice(["relu", "tanh", "elu"])},
                       [ex.Trial(1, {"act": "elu"}, 0.1), ex.Trial(2, {"act": "relu"}, 0.2),
                        ex.Trial(3, {"act": "tanh"}, 0.3)], top=2)  # fmt: skip
    assert choice == {"act": ex.Choice(["relu", "elu"])}


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: ex.LogUniform(0.0, 1.0), ValueError, "lo"),
        (lambda: ex.LogUniform(1e-2, 1e-3), ValueError, "lo < hi"),
        (lambda: ex.Uniform("0", 1.0), TypeError, "lo"),
        (lambda: ex.Choice([]), TypeError, "non-empty"),
        (lambda: ex.Choice("relu"), TypeError, "non-empty list"),
        (lambda: ex.random_search([("lr", 1)], _quadratic, 3), TypeError, "space must be"),
        (lambda: ex.random_search(SPACE, "loss", 3), TypeError, "objective must be"),
        (lambda: ex.random_search(SPACE, _quadratic, 0), ValueError, "n_trials"),
        (lambda: ex.random_search(SPACE, lambda p: "low", 3), TypeError, "return a number"),
        (lambda: ex.random_search(SPACE, _quadratic, 3, maximize="yes"), TypeError, "maximize"),
        (lambda: ex.refine(SPACE, [1, 2]), TypeError, "trials must be"),
        (lambda: ex.refine(SPACE, (ex.Trial(1, {}, math.nan),) * 3), ValueError, "at least 2"),
    ],
)
def test_random_search_rejects_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --------------------------------------------------------------------------- sanity checks

CE = "softmax_cross_entropy"


def _digits_net(**kwargs):
    return nnlib.MLP([64, 32, 10], hidden="relu", output="softmax", rng=0, **kwargs)


def test_a_correct_setup_passes_every_check_and_reads_as_a_table(digits):
    X, y = digits
    report = ex.sanity_checks(_digits_net(), X, y, CE, rng=0)
    assert report.passed and [c.passed for c in report.checks] == [True] * 4
    assert [c.name for c in report.checks] == ["initial loss", "overfit", "lr too low",
                                                "lr too high"]  # fmt: skip
    text = str(report).splitlines()
    assert len(text) == 5 and text[0].split()[:3] == ["check", "result", "measured"]
    assert "ln 10 = 2.3026" in text[1] and "FAIL" not in str(report)
    assert report["overfit"].measured.startswith("100% after")
    # the curves: overfitting lowers the loss, the low probe barely moves it, the high
    # one explodes; each starts from the same weights
    low, high = report.curves["lr too low"], report.curves["lr too high"]
    assert report.curves["overfit"][-1] < report.curves["overfit"][0] / 2
    assert low[0] == high[0] == report.curves["overfit"][0]
    assert abs(low[-1] / low[0] - 1) < 0.01 and not (np.max(high) < 3 * high[0])


def test_the_initial_loss_is_the_data_loss_at_the_given_weights(digits):
    X, y = digits
    model = nnlib.MLP([64, 32, 10], output="softmax", init="zeros", l2=0.1)
    report = ex.sanity_checks(model, X, y, CE, rng=0)
    assert report.initial_loss == pytest.approx(math.log(10), abs=1e-12)  # equal logits
    assert report["initial loss"].passed
    # ... but with every weight 0 a ReLU net cannot learn: the overfit check catches it
    assert report["overfit"].passed is False and "cannot fit 20 examples" in report["overfit"].note
    assert not report.passed


def test_the_model_comes_back_unchanged(digits):
    X, y = digits
    model = _digits_net(l2=0.01)
    model.loss_and_grad(X[:5], y[:5], CE)
    weights, grads = model.get_weights(), model.flat_grads.copy()
    ex.sanity_checks(model, X, y, CE, rng=0)
    for name, value in model.get_weights().items():
        np.testing.assert_array_equal(value, weights[name])
    np.testing.assert_array_equal(model.flat_grads, grads)
    assert model.l2 == 0.01 and model.l1 == 0.0


def test_a_wrongly_scaled_init_fails_the_initial_loss_check(digits):
    X, y = digits
    model = _digits_net()
    for name in ("W1", "W2"):
        model.params[name] *= 10  # logits 100 times too large
    report = ex.sanity_checks(model, X, y, CE, rng=0)
    check = report["initial loss"]
    assert check.passed is False and report.initial_loss > 4 * math.log(10)
    assert "far from 2.303" in check.note and check.note in str(report)


def test_a_learning_rate_of_zero_fails_the_overfit_check_without_raising(digits):
    X, y = digits
    report = ex.sanity_checks(_digits_net(), X, y, CE, rng=0, lr=0.0)
    assert report["overfit"].passed is False and "lr" in report["overfit"].note
    assert report["initial loss"].passed and not report.passed
    # a rate that is merely too small leaves the 20 rows unfitted after the steps
    slow = ex.sanity_checks(_digits_net(), X, y, CE, rng=0, lr=1e-5, optimizer=optimizers.SGD)
    assert slow["overfit"].passed is False and "after 200 steps" in slow["overfit"].measured


def test_probes_fail_when_the_loss_does_not_respond_as_expected(digits):
    X, y = digits
    report = ex.sanity_checks(_digits_net(), X, y, CE, rng=0, low_lr=0.5, high_lr=1e-6)
    assert report["lr too low"].passed is False and "moved the loss" in report["lr too low"].note
    assert report["lr too high"].passed is False and "bounded" in report["lr too high"].note


def test_a_broken_model_is_reported_check_by_check_not_raised(digits):
    X, y = digits
    model = _digits_net()
    model.params["W2"][0, 0] = np.nan
    report = ex.sanity_checks(model, X, y, CE, rng=0)
    assert [c.passed for c in report.checks] == [False] * 4
    assert all(c.measured == "error" and "NaN" in c.note for c in report.checks)
    assert math.isnan(report.initial_loss) and np.isnan(model.params["W2"][0, 0])


def test_regression_and_sigmoid_outputs_have_their_own_references():
    r = np.random.default_rng(0)
    X = r.standard_normal((60, 3))
    reg = ex.sanity_checks(nnlib.MLP([3, 16, 1], hidden="tanh", rng=0), X, X[:, :1] ** 2,
                           "mse", rng=0)  # fmt: skip
    assert reg["initial loss"].passed is None and reg.passed
    assert "n/a" in str(reg)
    Y = (X[:, :2] > 0).astype(float)
    model = nnlib.MLP([3, 8, 2], hidden="tanh", output="sigmoid", init="lecun_normal", rng=0)
    binary = ex.sanity_checks(model, X, Y, "bce_with_logits", rng=0)
    assert "ln 2 = 0.6931" in binary["initial loss"].expected and binary.passed


def test_sanity_checks_are_reproducible_and_run_post_step(digits):
    X, y = digits
    calls = []

    class Constrained(nnlib.MLP):
        def post_step(self, lr):
            calls.append(lr)

    model = Constrained([64, 32, 10], output="softmax", rng=0)
    a = ex.sanity_checks(model, X, y, CE, rng=5)
    assert set(calls) == {0.1, 1e-6, 1e6}  # after every step of each check, with its rate
    b, other = ex.sanity_checks(model, X, y, CE, rng=5), ex.sanity_checks(model, X, y, CE, rng=6)
    assert a.checks == b.checks
    assert all(np.array_equal(a.curves[k], b.curves[k]) for k in a.curves)
    assert not np.array_equal(a.curves["overfit"], other.curves["overfit"])  # other rows


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (({"W1": 0},), {}, TypeError, "model must be an nnlib MLP"),
        ((None, np.ones((4, 3))), {}, ValueError, r"X must have shape \(N, 64\)"),
        ((None, None, np.full(1797, 10)), {}, ValueError, "label"),
        ((None, None, None, "bce_with_logits"), {}, ValueError, "sigmoid"),
        ((), {"optimizer": "adam"}, TypeError, "optimizer must make an optimizer"),
        ((), {"n_overfit": 0}, ValueError, "n_overfit"),
        ((), {"lr": -0.1}, ValueError, "lr"),
        ((), {"init_tol": math.inf}, ValueError, "init_tol"),
    ],
)
def test_sanity_checks_reject_bad_arguments(digits, args, kwargs, error, match):
    full = [_digits_net(), *digits, CE]
    full[: len(args)] = [a if a is not None else full[i] for i, a in enumerate(args)]
    with pytest.raises(error, match=match):
        ex.sanity_checks(*full, **kwargs)


def test_dropout_noise_does_not_move_the_probes_curves(digits):
    # the curves are evaluation-mode losses: with dropout 0.5 the training-mode loss of
    # the same weights varies by about 25% from mask to mask, which would fail the
    # low-rate probe (< 1%) of a healthy model
    X, y = digits
    model = nnlib.MLP([64, 100, 100, 10], output="softmax", rng=0, dropout=0.5)
    report = ex.sanity_checks(model, X, y, CE, rng=0)
    assert report.passed and report["lr too low"].measured.startswith("moved 0.0")


def test_layer_factory_models_are_measured_layer_by_layer():
    # the hidden output l is the input of the (l+1)-th weight layer, whatever the stack:
    # PReLU (alpha 0.25: never exactly 0 on the negative side), Maxout, DropConnect
    from nnlib import layers

    X = np.random.default_rng(0).standard_normal((50, 4))
    for kwargs in ({"hidden": layers.PReLU}, {"maxout": 2}, {"dropconnect": 0.5}):
        model = nnlib.MLP([4, 6, 5, 3], output="softmax", rng=0, **kwargs)
        assert ex.dead_units(model, X).shape == (2,)
        assert np.isnan(ex.saturation(model, X)).all()
    prelu = nnlib.MLP([4, 6, 5, 3], hidden=layers.PReLU, output="softmax", rng=0)
    relu = nnlib.MLP([4, 6, 5, 3], hidden="relu", output="softmax", rng=0)
    prelu.params["W1"][:] = relu.params["W1"]
    relu.params["b1"][:] = prelu.params["b1"][:] = -10.0  # Z1 < 0 on every row (|XW| < 10)
    assert np.abs(X @ relu.params["W1"]).max() < 10
    assert ex.dead_units(relu, X)[0] == 1.0 and ex.dead_units(prelu, X)[0] == 0.0
