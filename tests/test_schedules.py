"""Tests for nnlib.schedules: hand-computed values, ReduceOnPlateau behaviour, bad input."""

import math
import re

import numpy as np
import pytest

from nnlib import schedules as S
from nnlib.optimizers import SGD


def test_constant():
    sched = S.Constant(0.05)
    assert [sched(t) for t in (0, 1, 1000)] == [0.05, 0.05, 0.05]
    assert isinstance(sched(3), float)


def test_step_decay_by_hand():
    sched = S.StepDecay(0.1, drop=0.5, every=3)
    # t // 3 = 0, 0, 0, 1, 1, 1, 2  ->  0.1, ..., 0.1 * 0.5, ..., 0.1 * 0.25
    assert [sched(t) for t in range(7)] == pytest.approx(
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025], rel=1e-15
    )
    # defaults: halve every 10 epochs
    assert S.StepDecay(1.0)(9) == 1.0 and S.StepDecay(1.0)(10) == 0.5
    # drop = 1 is allowed (no decay)
    assert S.StepDecay(0.1, drop=1.0, every=1)(50) == 0.1


def test_exponential_by_hand():
    sched = S.Exponential(0.1, k=0.1)
    # 0.1 * exp(0) = 0.1;  0.1 * exp(-1) = 0.0367879;  0.1 * exp(-2) = 0.0135335
    assert sched(0) == 0.1
    assert sched(10) == pytest.approx(0.03678794412, rel=1e-9)
    assert sched(20) == pytest.approx(0.01353352832, rel=1e-9)
    assert S.Exponential(0.1, k=0)(100) == 0.1


def test_inverse_time_by_hand():
    sched = S.InverseTime(0.1, k=0.5)
    # 0.1 / (1 + 0.5 t): t = 0, 1, 2, 8 -> 0.1, 0.0667, 0.05, 0.02
    assert [sched(t) for t in (0, 1, 2, 8)] == pytest.approx([0.1, 0.1 / 1.5, 0.05, 0.02])


def test_inverse_sqrt_by_hand():
    sched = S.InverseSqrt(0.2)
    # 0.2 / sqrt(1 + t): t = 0, 3, 8, 99 -> 0.2, 0.1, 0.0667, 0.02
    assert [sched(t) for t in (0, 3, 8, 99)] == pytest.approx([0.2, 0.1, 0.2 / 3, 0.02])


def test_linear_by_hand():
    sched = S.Linear(0.1, 0.02, n_epochs=4)
    # 0.1 + (0.02 - 0.1) t / 4 = 0.1 - 0.02 t for t <= 4, then 0.02
    expected = [0.1, 0.08, 0.06, 0.04, 0.02, 0.02, 0.02]
    assert [sched(t) for t in range(7)] == pytest.approx(expected, rel=1e-12)
    # warm-up: lr_final may exceed lr0
    warm = S.Linear(0.001, 0.1, n_epochs=2)
    assert [warm(t) for t in range(4)] == pytest.approx([0.001, 0.0505, 0.1, 0.1])


def test_table_by_hand():
    sched = S.Table({10: 0.01, 0: 0.1, 25: 0.001})  # order of the keys does not matter
    assert [sched(t) for t in (0, 9, 10, 24, 25, 1000)] == [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    assert S.Table({0: 0.3})(7) == 0.3
    assert repr(sched) == "Table(table={0: 0.1, 10: 0.01, 25: 0.001}, min_lr=0.0)"


def test_schedule_drives_an_optimizer_lr():
    opt, sched = SGD(lr=1.0), S.StepDecay(0.1, drop=0.1, every=2)
    seen = []
    for epoch in range(5):
        opt.lr = sched(epoch)
        seen.append(opt.lr)
    assert seen == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001])


# ----------------------------------------------------------------------------------------
# min_lr: a floor on every schedule, and underflow to 0.0 refused
# ----------------------------------------------------------------------------------------


def test_min_lr_floors_each_decaying_schedule_by_hand():
    # StepDecay: 0.1 * 0.1^t = 0.1, 0.01, 0.001 -> max(0.001, 0.005) = 0.005, then 0.005
    step = S.StepDecay(0.1, drop=0.1, every=1, min_lr=0.005)
    assert [step(t) for t in range(4)] == pytest.approx([0.1, 0.01, 0.005, 0.005], rel=1e-15)
    # Exponential with k = ln 2 halves each epoch: 1, 0.5, 0.25, max(0.125, 0.2) = 0.2
    expo = S.Exponential(1.0, k=math.log(2), min_lr=0.2)
    assert [expo(t) for t in range(4)] == pytest.approx([1.0, 0.5, 0.25, 0.2], rel=1e-12)
    # InverseTime 1 / (1 + t): 1, 0.5, 0.333, max(0.25, 0.3) = 0.3
    inv = S.InverseTime(1.0, k=1.0, min_lr=0.3)
    assert [inv(t) for t in range(4)] == pytest.approx([1.0, 0.5, 1 / 3, 0.3], rel=1e-12)
    # InverseSqrt 1 / sqrt(1 + t): t = 3 -> 0.5 (above the floor), t = 8 -> 1/3 -> 0.4
    isq = S.InverseSqrt(1.0, min_lr=0.4)
    assert (isq(3), isq(8)) == (0.5, 0.4)
    # the default min_lr = 0 leaves the formulas alone: 0.1 * 0.1^3 = 1e-4
    assert S.StepDecay(0.1, drop=0.1, every=1)(3) == pytest.approx(1e-4, rel=1e-12)


def test_min_lr_on_linear_table_and_constant():
    # Linear 0.1 - 0.02 t until t = 4: 0.1, 0.08, 0.06, max(0.04, 0.05), max(0.02, 0.05)
    lin = S.Linear(0.1, 0.02, n_epochs=4, min_lr=0.05)
    assert [lin(t) for t in range(6)] == pytest.approx([0.1, 0.08, 0.06, 0.05, 0.05, 0.05])
    # Table: 0.1 until epoch 10, then max(0.01, 0.05)
    tab = S.Table({0: 0.1, 10: 0.01}, min_lr=0.05)
    assert (tab(9), tab(10)) == (0.1, 0.05)
    # a floor equal to a constant changes nothing
    assert S.Constant(0.1, min_lr=0.1)(7) == 0.1


def test_underflow_to_zero_raises_naming_schedule_and_t():
    # every = 1 halves each epoch: 0.1 * 0.5^2000 is below the smallest float64 (4.9e-324)
    sched = S.StepDecay(0.1, drop=0.5, every=1)
    assert sched(1000) == pytest.approx(0.1 * 0.5**1000)  # 9.3e-303, still positive
    message = (
        "StepDecay(lr0=0.1, drop=0.5, every=1, min_lr=0.0)(t=2000) underflowed to 0.0; "
        "pass min_lr=... to keep a floor"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        sched(2000)
    assert S.StepDecay(0.1, drop=0.5, every=1, min_lr=1e-6)(2000) == 1e-6
    # exp(-743) * 0.1 underflows (exp(-742) * 0.1 = 1.6e-323 does not)
    assert S.Exponential(0.1, k=1.0)(742) > 0
    with pytest.raises(ValueError, match=r"^Exponential\(lr0=0.1, k=1.0, min_lr=0.0\)\(t=743\)"):
        S.Exponential(0.1, k=1.0)(743)
    assert S.Exponential(0.1, k=1.0, min_lr=1e-8)(743) == 1e-8
    # InverseTime: k t = 1e309 overflows to inf, and 0.1 / inf = 0.0
    with pytest.raises(ValueError, match=r"^InverseTime\(.*\)\(t=1000000000\) underflowed"):
        S.InverseTime(0.1, k=1e300)(10**9)
    assert S.InverseTime(0.1, k=1e300, min_lr=1e-12)(10**9) == 1e-12


def test_reduce_on_plateau_reduced_to_zero_raises_when_called():
    # factor 0.1 and no floor: after ~324 reductions 0.1^n is 0.0 in float64
    sched = S.ReduceOnPlateau(0.1, factor=0.1, patience=0)
    for _ in range(400):
        sched.step(1.0)
    assert sched.lr == 0.0
    with pytest.raises(ValueError, match=r"^ReduceOnPlateau\(.*\)\(t=5\) underflowed to 0.0"):
        sched(5)


def test_min_lr_is_keyword_only():
    with pytest.raises(TypeError):
        S.StepDecay(0.1, 0.5, 10, 0.01)
    with pytest.raises(TypeError):
        S.Exponential(0.1, 0.1, 0.01)


# ----------------------------------------------------------------------------------------
# ReduceOnPlateau
# ----------------------------------------------------------------------------------------


def test_reduce_on_plateau_patience():
    sched = S.ReduceOnPlateau(1.0, factor=0.5, patience=2, threshold=0.0)
    # improving losses never reduce
    assert [sched.step(v) for v in (5.0, 4.0, 3.0)] == [1.0, 1.0, 1.0]
    assert sched.best == 3.0 and sched.bad_epochs == 0
    # bad epochs 1 and 2 are tolerated (patience = 2); the third halves lr and resets
    assert [sched.step(3.0) for _ in range(3)] == [1.0, 1.0, 0.5]
    assert sched.bad_epochs == 0
    # three more bad epochs: 0.25
    assert [sched.step(3.5) for _ in range(3)] == [0.5, 0.5, 0.25]
    # __call__ returns the current lr whatever the epoch
    assert sched(0) == sched(100) == 0.25


def test_reduce_on_plateau_patience_zero_reduces_on_first_bad_epoch():
    sched = S.ReduceOnPlateau(0.1, factor=0.1, patience=0)
    assert sched.step(1.0) == 0.1  # first metric: an improvement over inf
    assert sched.step(1.0) == pytest.approx(0.01)
    assert sched.step(1.0) == pytest.approx(0.001)


def test_reduce_on_plateau_relative_threshold():
    # threshold 0.1: an improvement must beat best - 0.1 * |best|
    sched = S.ReduceOnPlateau(1.0, factor=0.5, patience=0, threshold=0.1)
    sched.step(10.0)
    assert sched.step(9.5) == 0.5  # 9.5 > 10 - 1 = 9: not enough, reduced
    assert sched.best == 10.0
    assert sched.step(8.9) == 0.5  # 8.9 < 9: improvement
    assert sched.best == 8.9
    # with threshold 0, the same 5% gain counts
    plain = S.ReduceOnPlateau(1.0, factor=0.5, patience=0, threshold=0.0)
    plain.step(10.0)
    assert plain.step(9.5) == 1.0
    # negative metrics (e.g. -accuracy): best - threshold * |best| is still the harder bar
    neg = S.ReduceOnPlateau(1.0, factor=0.5, patience=0, threshold=0.1)
    neg.step(-0.80)
    assert neg.step(-0.85) == 0.5  # needs < -0.88
    assert neg.step(-0.90) == 0.5 and neg.best == -0.90


def test_reduce_on_plateau_min_lr():
    sched = S.ReduceOnPlateau(1.0, factor=0.1, patience=0, min_lr=0.005)
    sched.step(1.0)
    lrs = [sched.step(1.0) for _ in range(4)]
    # 1 -> 0.1 -> 0.01 -> max(0.001, 0.005) = 0.005 -> 0.005
    assert lrs == pytest.approx([0.1, 0.01, 0.005, 0.005])


def test_reduce_on_plateau_nan_metric_counts_as_bad_and_reset():
    sched = S.ReduceOnPlateau(0.1, factor=0.5, patience=1)
    sched.step(1.0)
    sched.step(math.nan)
    assert sched.bad_epochs == 1 and sched.best == 1.0
    assert sched.step(np.float32("nan")) == 0.05
    assert sched.step(np.array(0.5)) == 0.05 and sched.best == 0.5  # 0-d arrays accepted
    sched.reset()
    assert (sched.lr, sched.best, sched.bad_epochs) == (0.1, math.inf, 0)
    with pytest.raises(TypeError, match="metric must be a real number"):
        sched.step("0.5")
    with pytest.raises(TypeError, match="metric must be a real number"):
        sched.step(np.array([0.5]))


# ----------------------------------------------------------------------------------------
# Validation and repr
# ----------------------------------------------------------------------------------------

ALL = [
    S.Constant(0.1),
    S.StepDecay(0.1),
    S.Exponential(0.1, 0.01),
    S.InverseTime(0.1, 0.01),
    S.InverseSqrt(0.1),
    S.Linear(0.1, 0.01, 10),
    S.Table({0: 0.1, 5: 0.01}),
    S.ReduceOnPlateau(0.1),
    S.BoldDriver(0.1),
]


@pytest.mark.parametrize("sched", ALL, ids=lambda s: type(s).__name__)
def test_t_must_be_a_non_negative_int(sched):
    with pytest.raises(ValueError, match="t must be an integer >= 0, got -1"):
        sched(-1)
    with pytest.raises(TypeError, match="t must be an integer"):
        sched(1.5)
    with pytest.raises(TypeError, match="t must be an integer"):
        sched(2.0)
    with pytest.raises(TypeError, match="t must be an integer"):
        sched(True)
    assert sched(np.int64(3)) == sched(3) > 0


@pytest.mark.parametrize("sched", ALL, ids=lambda s: type(s).__name__)
def test_every_schedule_is_positive_float_over_many_epochs(sched):
    values = [sched(t) for t in range(200)]
    assert all(isinstance(v, float) and v > 0 for v in values)
    assert values[0] == 0.1


BAD = [
    (S.Constant, (0.0,), {}, ValueError, "lr"),
    (S.Constant, (-1.0,), {}, ValueError, "lr"),
    (S.Constant, ("0.1",), {}, TypeError, "lr"),
    (S.StepDecay, (0.0,), {}, ValueError, "lr0"),
    (S.StepDecay, (0.1,), {"drop": 0.0}, ValueError, "drop"),
    (S.StepDecay, (0.1,), {"drop": 1.5}, ValueError, "drop"),
    (S.StepDecay, (0.1,), {"every": 0}, ValueError, "every"),
    (S.StepDecay, (0.1,), {"every": 2.5}, TypeError, "every"),
    (S.Exponential, (0.1, -0.1), {}, ValueError, "k"),
    (S.Exponential, (math.inf, 0.1), {}, ValueError, "lr0"),
    (S.InverseTime, (0.1, -1.0), {}, ValueError, "k"),
    (S.InverseSqrt, (-0.1,), {}, ValueError, "lr0"),
    (S.Linear, (0.1, 0.0, 10), {}, ValueError, "lr_final"),
    (S.Linear, (0.1, 0.01, 0), {}, ValueError, "n_epochs"),
    (S.ReduceOnPlateau, (0.0,), {}, ValueError, "lr0"),
    (S.ReduceOnPlateau, (0.1,), {"factor": 1.0}, ValueError, "factor"),
    (S.ReduceOnPlateau, (0.1,), {"factor": 0.0}, ValueError, "factor"),
    (S.ReduceOnPlateau, (0.1,), {"patience": -1}, ValueError, "patience"),
    (S.ReduceOnPlateau, (0.1,), {"threshold": -1e-4}, ValueError, "threshold"),
    (S.ReduceOnPlateau, (0.1,), {"min_lr": 0.2}, ValueError, "min_lr"),
    (S.ReduceOnPlateau, (0.1,), {"min_lr": -0.1}, ValueError, "min_lr"),
    (S.Constant, (0.1,), {"min_lr": 0.2}, ValueError, "min_lr"),
    (S.StepDecay, (0.1,), {"min_lr": 0.2}, ValueError, "min_lr"),
    (S.StepDecay, (0.1,), {"min_lr": -1e-6}, ValueError, "min_lr"),
    (S.Exponential, (0.1, 0.1), {"min_lr": math.nan}, ValueError, "min_lr"),
    (S.InverseTime, (0.1, 0.1), {"min_lr": math.inf}, ValueError, "min_lr"),
    (S.InverseSqrt, (0.1,), {"min_lr": "0"}, TypeError, "min_lr"),
    (S.Linear, (0.01, 0.1, 5), {"min_lr": 0.2}, ValueError, "min_lr"),
    (S.Table, ({0: 0.1, 5: 0.3},), {"min_lr": 0.5}, ValueError, "min_lr"),
    (S.BoldDriver, (0.0,), {}, ValueError, "lr0"),
    (S.BoldDriver, ("0.1",), {}, TypeError, "lr0"),
    (S.BoldDriver, (0.1,), {"up": 0.9}, ValueError, "up"),
    (S.BoldDriver, (0.1,), {"up": math.inf}, ValueError, "up"),
    (S.BoldDriver, (0.1,), {"down": 1.0}, ValueError, "down"),
    (S.BoldDriver, (0.1,), {"down": 0.0}, ValueError, "down"),
    (S.BoldDriver, (0.1,), {"min_lr": 0.2}, ValueError, "min_lr"),
]


@pytest.mark.parametrize(("cls", "args", "kwargs", "error", "arg"), BAD)
def test_bad_parameters_raise_naming_the_argument(cls, args, kwargs, error, arg):
    with pytest.raises(error, match=rf"^{arg} must"):
        cls(*args, **kwargs)


def test_table_validation():
    with pytest.raises(ValueError, match=r"must include epoch 0.*got keys \[5, 10\]"):
        S.Table({5: 0.1, 10: 0.01})
    with pytest.raises(ValueError, match="must include epoch 0"):
        S.Table({})
    with pytest.raises(ValueError, match=r"table key \(epoch\) must be an integer >= 0, got -1"):
        S.Table({0: 0.1, -1: 0.2})
    with pytest.raises(TypeError, match=r"table key \(epoch\) must be an integer"):
        S.Table({0: 0.1, 2.5: 0.2})
    with pytest.raises(ValueError, match=r"table\[10\] must be in \(0, inf\), got 0.0"):
        S.Table({0: 0.1, 10: 0.0})
    with pytest.raises(TypeError, match="table must be a dict"):
        S.Table([(0, 0.1)])


def test_repr():
    assert repr(S.Constant(0.1)) == "Constant(lr=0.1, min_lr=0.0)"
    assert repr(S.StepDecay(0.1)) == "StepDecay(lr0=0.1, drop=0.5, every=10, min_lr=0.0)"
    assert repr(S.Exponential(0.1, 0.05, min_lr=1e-4)) == (
        "Exponential(lr0=0.1, k=0.05, min_lr=0.0001)"
    )
    assert repr(S.InverseTime(0.1, 1)) == "InverseTime(lr0=0.1, k=1.0, min_lr=0.0)"
    assert repr(S.InverseSqrt(0.1)) == "InverseSqrt(lr0=0.1, min_lr=0.0)"
    assert repr(S.Linear(0.1, 0.01, 5)) == (
        "Linear(lr0=0.1, lr_final=0.01, n_epochs=5, min_lr=0.0)"
    )
    assert repr(S.ReduceOnPlateau(0.1, patience=3)) == (
        "ReduceOnPlateau(lr0=0.1, factor=0.1, patience=3, threshold=0.0001, min_lr=0.0)"
    )
    assert repr(S.BoldDriver(0.1)) == "BoldDriver(lr0=0.1, up=1.05, down=0.5, min_lr=0.0)"


# ----------------------------------------------------------------------------------------
# Exponential as gamma**t, and the bold driver
# ----------------------------------------------------------------------------------------


def test_exponential_with_k_minus_log_095_is_095_to_the_t():
    sched = S.Exponential(0.1, k=-math.log(0.95))
    t = np.arange(200)
    np.testing.assert_allclose([sched(int(k)) for k in t], 0.1 * 0.95**t, rtol=1e-12)
    assert round(sched(1), 12) == 0.095 and round(sched(2), 12) == 0.09025


def test_bold_driver_by_hand():
    d = S.BoldDriver(0.1, up=1.05, down=0.5)
    d.start(1.0)
    assert d.lr == 0.1 and d.loss == 1.0  # start changes no rate
    assert d.step(0.8) == (pytest.approx(0.105), True)  # lower: keep, grow 5%
    assert d.step(0.9) == (pytest.approx(0.0525), False)  # above 0.8: undo, halve
    assert d.loss == 0.8  # the reference stays that of the kept weights
    assert d.step(0.85) == (pytest.approx(0.02625), False)  # still above 0.8
    assert d.step(0.8) == (pytest.approx(0.02625 * 1.05), True)  # equal: not worse, keep
    assert d.step(0.5) == (pytest.approx(0.02625 * 1.05**2), True)
    assert (d.n_accepted, d.n_rejected, d.loss) == (3, 2, 0.5)
    assert d(0) == d(123) == d.lr  # t is ignored


def test_bold_driver_first_call_sets_the_reference_and_nan_is_rejected():
    d = S.BoldDriver(0.2)
    assert d.loss is None
    assert d.step(3.0) == (0.2, True)  # nothing to compare with yet
    assert (d.loss, d.n_accepted) == (3.0, 0)
    assert d.step(math.nan) == (0.1, False)  # a diverged step is undone
    assert d.step(np.float64(2.0)) == (pytest.approx(0.105), True)
    assert d.step(np.array(1.0))[1] is True  # a 0-d array is a number
    d.reset()
    assert (d.lr, d.loss, d.n_accepted, d.n_rejected) == (0.2, None, 0, 0)


def test_bold_driver_min_lr_and_baby_sitter():
    d = S.BoldDriver(0.1, down=0.5, min_lr=0.03)
    d.start(1.0)
    assert [d.step(2.0)[0] for _ in range(3)] == [0.05, 0.03, 0.03]
    # S2's baby sitter: up = 1, only halve after a rise
    b = S.BoldDriver(0.1, up=1.0)
    b.start(1.0)
    assert [b.step(loss)[0] for loss in (0.9, 0.8, 0.85, 0.7)] == [0.1, 0.1, 0.05, 0.05]


def test_bold_driver_bad_losses():
    d = S.BoldDriver(0.1)
    with pytest.raises(TypeError, match=r"^loss must be a real number, got str"):
        d.step("1.0")
    with pytest.raises(TypeError, match=r"^loss must be a real number, got ndarray"):
        d.step(np.array([1.0]))
    with pytest.raises(TypeError, match=r"^loss must be a real number, got bool"):
        d.start(True)
    with pytest.raises(ValueError, match=r"^loss must be a number to start from, got nan"):
        d.start(math.nan)
    assert d.loss is None and d.lr == 0.1


def test_bold_driver_on_gradient_descent_keeps_the_loss_non_increasing():
    # f(w) = 0.5 * (w1^2 + 10 w2^2): GD diverges for lr > 0.2. The driver starts at
    # lr = 1, undoes the diverging steps, and the kept losses never rise.
    def f(w):
        return 0.5 * (w[0] ** 2 + 10 * w[1] ** 2)

    def grad(w):
        return np.array([w[0], 10 * w[1]])

    w, d = np.array([3.0, 1.0]), S.BoldDriver(1.0)
    d.start(f(w))
    kept, decisions = [f(w)], []
    for _ in range(60):
        trial = w - d.lr * grad(w)
        _, accept = d.step(f(trial))
        decisions.append(accept)
        if accept:
            w = trial
            kept.append(f(w))
    assert np.all(np.diff(kept) <= 0)
    assert decisions[:3] == [False, False, False]  # lr 1, 0.5, 0.25 all overshoot
    assert True in decisions[3:] and False in decisions[4:]  # grows, then is cut again
    assert kept[-1] < 1e-3 * kept[0]
