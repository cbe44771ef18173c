"""Optimizer state by parameter name: plain dicts from `step`, views from `step_flat` (fit)."""

import re

import numpy as np
import pytest

from nnlib import MLP
from nnlib import optimizers as O
from nnlib.training import fit

# Every class with non-default hyper-parameters that create every state entry it has
# (AMSGrad's v_max, the EMA's step count) and weight decay on.
CLASSES = {
    "sgd": (O.SGD, {"lr": 0.05, "weight_decay": 0.01}),
    "momentum": (O.Momentum, {"lr": 0.05, "mu": 0.8, "weight_decay": 0.01}),
    "ema_momentum": (O.EMAMomentum, {"lr": 0.1, "bias_correction": True, "weight_decay": 0.01}),
    "nesterov": (O.Nesterov, {"lr": 0.05, "mu": 0.8, "weight_decay": 0.01}),
    "adagrad": (O.AdaGrad, {"lr": 0.05, "weight_decay": 0.01}),
    "rmsprop": (O.RMSProp, {"lr": 0.01, "weight_decay": 0.01}),
    "adam": (O.Adam, {"lr": 0.01, "weight_decay": 0.01}),
    "amsgrad": (O.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    "adam_uncorrected": (O.Adam, {"lr": 0.01, "bias_correction": False}),
    "adamw": (O.AdamW, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
}
# What each one keeps per parameter.
STATE_KEYS = {
    "sgd": set(),
    "momentum": {"v"},
    "ema_momentum": {"v", "t"},
    "nesterov": {"v"},
    "adagrad": {"s"},
    "rmsprop": {"s"},
    "adam": {"m", "v", "t"},
    "amsgrad": {"m", "v", "v_max", "t"},
    "adam_uncorrected": {"m", "v", "t"},
    "adamw": {"m", "v", "v_max", "t"},
}


def data(n=40, seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal((n, 5)), r.integers(0, 3, n)


def trained(opt, epochs=1, dtype=np.float64):
    """A small MLP after `fit` with `opt`: W1 (5, 6), b1 (6,), W2 (6, 3), b2 (3,)."""
    X, y = data()
    model = MLP([5, 6, 3], output="softmax", rng=0, dtype=dtype)
    fit(
        model,
        X,
        y,
        "softmax_cross_entropy",
        opt,
        epochs=epochs,
        batch_size=10,
        verbose=False,
        rng=0,
    )
    return model


# ------------------------------------------------------------------ after fit: named views


def test_adam_state_after_fit_is_readable_by_parameter_name():
    opt = O.Adam()
    model = trained(opt)
    assert set(opt.state) == set(model.params) == {"W1", "b1", "W2", "b2"}
    assert "all" not in opt.state
    for name, p in model.params.items():
        m = opt.state[name]["m"]
        assert m.shape == p.shape
        assert np.shares_memory(m, opt.flat_state["m"])
        assert not np.shares_memory(m, p)
        assert opt.state[name]["t"] == 4  # 40 rows in batches of 10, one epoch
    assert opt.flat_state["m"].shape == model.flat_params.shape


@pytest.mark.parametrize("case", list(CLASSES))
def test_every_state_entry_of_every_class_is_a_view_by_name(case):
    cls, hyper = CLASSES[case]
    opt = cls(**hyper)
    model = trained(opt)
    assert set(opt.flat_state) == STATE_KEYS[case]
    for name, p in model.params.items():
        state = opt.state[name]
        assert set(state) == STATE_KEYS[case] and len(state) == len(STATE_KEYS[case])
        for key, value in state.items():
            if key == "t":
                assert value == opt.flat_state["t"] == 4
                continue
            assert value.shape == p.shape, (name, key)
            assert value.dtype == p.dtype
            assert np.shares_memory(value, opt.flat_state[key]), (name, key)
            # the piece of the flat vector that holds `name` in model.flat_params
            np.testing.assert_array_equal(value, model.unflatten(opt.flat_state[key])[name])
            assert np.any(value != 0), (name, key)


def test_the_views_show_the_moments_of_each_parameter():
    # One batch (all 8 rows), one epoch: one Adam step, whose first moment is
    # (1 - beta1) g = 0.1 g, with g the gradient at the initial weights, parameter by
    # parameter (a wrong cut of the flat vector would mix W1's and b1's entries).
    r = np.random.default_rng(0)
    X, y = r.standard_normal((8, 3)), r.integers(0, 2, 8)
    model = MLP([3, 4, 2], output="softmax", rng=0)
    reference = MLP([3, 4, 2], output="softmax", rng=0)
    reference.loss_and_grad(X, y, "softmax_cross_entropy")
    opt = O.Adam(lr=1e-3)
    fit(model, X, y, "softmax_cross_entropy", opt, epochs=1, batch_size=8, verbose=False, rng=0)
    for name, g in reference.grads.items():
        np.testing.assert_allclose(opt.state[name]["m"], 0.1 * g, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(opt.state[name]["v"], 0.001 * g**2, rtol=1e-12, atol=1e-18)


def test_views_stay_valid_across_later_steps_and_fit_calls():
    opt = O.Adam(lr=0.01)
    X, y = data()
    model = trained(opt)
    m_W1, v_b2 = opt.state["W1"]["m"], opt.state["b2"]["v"]
    m_before, buffer = m_W1.copy(), opt.flat_state["m"]
    fit(model, X, y, "softmax_cross_entropy", opt, epochs=2, batch_size=10, verbose=False, rng=1)
    assert opt.flat_state["m"] is buffer  # updated in place, never reallocated
    assert opt.state["W1"]["m"] is m_W1 and np.shares_memory(m_W1, buffer)
    assert np.shares_memory(v_b2, opt.flat_state["v"])
    assert not np.array_equal(m_W1, m_before)  # the old view shows the new moment
    np.testing.assert_array_equal(m_W1, model.unflatten(buffer)["W1"])
    assert opt.state["W1"]["t"] == 12


def test_float32_model_keeps_float32_state_views():
    opt = O.Adam()
    trained(opt, dtype=np.float32)
    assert opt.flat_state["v"].dtype == np.float32
    assert opt.state["W2"]["v"].dtype == np.float32 and opt.state["W2"]["v"].shape == (6, 3)


def test_state_view_is_read_only_and_reads_like_a_dict():
    opt = O.Momentum(lr=0.1)
    trained(opt)
    view = opt.state["b1"]
    assert isinstance(view, O.StateView)
    assert list(view) == ["v"] and "v" in view and "m" not in view
    assert set(dict(view)) == {"v"}
    assert repr(view).startswith("StateView({'v': array([")
    with pytest.raises(TypeError):
        view["v"] = np.zeros(6)
    view["v"][...] = 0.0  # in place: reaches the flat state
    np.testing.assert_array_equal(opt.flat_state["v"][30:36], np.zeros(6))  # after W1 (5, 6)
    with pytest.raises(TypeError):
        opt.flat_state["v"] = np.zeros(3)


def test_reset_after_fit_forgets_the_flat_state():
    opt = O.Adam()
    model = trained(opt)
    opt.reset()
    assert opt.state == {} and dict(opt.flat_state) == {}
    X, y = data()
    fit(model, X, y, "softmax_cross_entropy", opt, epochs=1, batch_size=40, verbose=False)
    assert opt.state["W1"]["t"] == 1


# ------------------------------------------------------- step_flat equals step, bit for bit


def named_and_flat(seed=0):
    """The same three parameters twice: as separate arrays, and as views into one vector."""
    r = np.random.default_rng(seed)
    shapes = {"W1": (4, 3), "b1": (3,), "W2": (3, 2)}
    named = {k: r.uniform(-2, 2, size=s) for k, s in shapes.items()}
    sizes = [int(np.prod(s)) for s in shapes.values()]
    stops = np.cumsum(sizes)

    def unflatten(vector):
        return {
            k: vector[stop - size : stop].reshape(s)
            for (k, s), size, stop in zip(shapes.items(), sizes, stops, strict=True)
        }

    flat = np.concatenate([v.ravel() for v in named.values()])
    return named, flat, unflatten


@pytest.mark.parametrize("case", list(CLASSES))
def test_step_flat_equals_step_per_parameter(case):
    cls, hyper = CLASSES[case]
    named, flat, unflatten = named_and_flat()
    by_name, by_flat = cls(**hyper), cls(**hyper)
    r = np.random.default_rng(1)
    flat_grads = np.empty_like(flat)
    for _ in range(5):
        grads = {k: r.normal(size=v.shape) for k, v in named.items()}
        for k, g in unflatten(flat_grads).items():
            g[...] = grads[k]  # in place, as backward writes model.flat_grads
        by_name.step(named, grads)
        by_flat.step_flat(flat, flat_grads, unflatten)
        for k, piece in unflatten(flat).items():
            np.testing.assert_array_equal(piece, named[k])
    for k, state in by_name.state.items():
        assert isinstance(state, dict) and isinstance(by_flat.state[k], O.StateView)
        assert state.keys() == by_flat.state[k].keys()
        for key, value in state.items():
            np.testing.assert_array_equal(by_flat.state[k][key], value)


def test_step_on_named_arrays_keeps_plain_dicts_as_before():
    # no fit, no flat vector: one dict per name, arrays of its own
    opt = O.Adam(lr=0.1)
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    opt.step(params, {"W": np.ones((2, 2)), "b": -np.ones(2)})
    assert dict(opt.flat_state) == {}
    assert type(opt.state["W"]) is dict and opt.state["W"]["t"] == 1
    assert opt.state["W"]["m"].shape == (2, 2)
    assert not np.shares_memory(opt.state["W"]["m"], opt.state["b"]["m"])
    np.testing.assert_allclose(params["W"], np.full((2, 2), 0.9), rtol=1e-7)
    np.testing.assert_allclose(params["b"], np.full(2, 1.1), rtol=1e-7)


@pytest.mark.parametrize("case", ["momentum", "amsgrad", "ema_momentum", "adamw"])
def test_switching_between_step_and_step_flat_keeps_the_state(case):
    # 3 steps one way then 3 the other equal 6 steps of step() alone, bit for bit
    cls, hyper = CLASSES[case]
    r = np.random.default_rng(2)
    grads = [r.normal(size=21) for _ in range(6)]
    for first, second in (("named", "flat"), ("flat", "named")):
        reference, _, unflatten = named_and_flat()
        _, flat, _ = named_and_flat()
        ref_opt, opt = cls(**hyper), cls(**hyper)
        for i, g in enumerate(grads):
            ref_opt.step(reference, unflatten(g))
            if (first if i < 3 else second) == "flat":
                opt.step_flat(flat, g, unflatten)
            else:
                opt.step(unflatten(flat), unflatten(g))
        for k, piece in unflatten(flat).items():
            np.testing.assert_array_equal(piece, reference[k])
        for k, state in ref_opt.state.items():
            for key, value in state.items():
                np.testing.assert_array_equal(opt.state[k][key], value)
        assert isinstance(opt.state["W1"], O.StateView if second == "flat" else dict)


def test_fit_after_manual_steps_continues_from_their_state():
    opt = O.Adam(lr=0.01)
    X, y = data()
    model = MLP([5, 6, 3], output="softmax", rng=0)
    for _ in range(2):
        model.loss_and_grad(X, y, "softmax_cross_entropy")
        opt.step(model.params, model.grads)
    fit(model, X, y, "softmax_cross_entropy", opt, epochs=1, batch_size=40, verbose=False)
    assert opt.state["b2"]["t"] == 3 and np.shares_memory(opt.state["b2"]["m"], opt.flat_state["m"])


# ------------------------------------------------------------------------- bad input


def test_step_flat_refuses_bad_arguments_and_updates_nothing():
    _, flat, unflatten = named_and_flat()
    before = flat.copy()
    opt = O.Adam()
    with pytest.raises(
        TypeError, match=r"flat_params must be a 1-D float ndarray .*shape \(3, 7\)"
    ):
        opt.step_flat(flat.reshape(3, 7), np.ones((3, 7)), unflatten)
    with pytest.raises(TypeError, match=r"flat_params must be a 1-D float ndarray .*list"):
        opt.step_flat(list(flat), np.ones(21), unflatten)
    with pytest.raises(ValueError, match=r"flat_params has shape \(21,\) but flat_grads"):
        opt.step_flat(flat, np.ones(20), unflatten)
    with pytest.raises(TypeError, match="unflatten must be a callable"):
        opt.step_flat(flat, np.ones(21), "W1")
    with pytest.raises(ValueError, match=r"together covering its 21 entries; got sizes \[12, 3\]"):
        opt.step_flat(flat, np.ones(21), lambda v: {"W1": v[:12], "b1": v[12:15]})
    np.testing.assert_array_equal(flat, before)
    assert opt.state == {} and dict(opt.flat_state) == {}


def test_step_flat_refuses_state_of_another_model():
    opt = O.Adam()
    _, flat, unflatten = named_and_flat()
    opt.step_flat(flat, np.ones(21), unflatten)
    other = np.zeros(5)
    message = (
        "this optimizer holds flat state of shape (21,) but got flat_params of shape (5,): "
        "it was used with another model; call optimizer.reset() or create a new optimizer"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        opt.step_flat(other, np.ones(5), lambda v: {"w": v})
    opt.reset()
    opt.step_flat(other, np.ones(5), lambda v: {"w": v})
    np.testing.assert_allclose(other, np.full(5, -1e-3), rtol=1e-7)


def test_step_flat_refuses_per_name_state_that_does_not_fit_the_layout():
    _, flat, unflatten = named_and_flat()
    opt = O.Momentum()
    opt.step({"w": np.ones(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match=r"holds state for \['w'\], which cannot be laid out"):
        opt.step_flat(flat, np.ones(21), unflatten)
    # right names, wrong shape: the usual advice
    opt = O.Momentum()
    flat_shapes = {"W1": np.ones(12), "b1": np.ones(3), "W2": np.ones(6)}
    opt.step(flat_shapes, flat_shapes)
    with pytest.raises(ValueError, match=r"shape \(12,\) under key 'W1' but got shape \(4, 3\)"):
        opt.step_flat(flat, np.ones(21), unflatten)
    # parameters stepped a different number of times cannot share one step count
    opt = O.Adam()
    named = unflatten(np.ones(21))
    opt.step(named, unflatten(np.ones(21)))
    opt.step({"W1": named["W1"]}, {"W1": np.ones((4, 3))})
    with pytest.raises(ValueError, match=r"states disagree on 't' \(\[1, 2\]\)"):
        opt.step_flat(flat, np.ones(21), unflatten)
