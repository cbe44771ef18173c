"""Tests of nnlib.widgets: the views draw and return the right numbers; the widgets redraw
one figure in place, headless."""

import itertools
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # headless: must come before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnlib import MLP, activations, classic, widgets
from nnlib.widgets import (
    HEBB_ENCODINGS,
    activation_view,
    activation_widget,
    ema_view,
    ema_widget,
    gradient_depth_view,
    gradient_depth_widget,
    hebb_view,
    hebb_widget,
    init_view,
    init_widget,
    mcp_view,
    mcp_widget,
    optimizer_race_view,
    optimizer_race_widget,
    perceptron_view,
    perceptron_widget,
    regularization_panels,
    regularization_view,
    regularization_widget,
    schedule_view,
    schedule_widget,
)

ipywidgets = pytest.importorskip("ipywidgets")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _line(ax, gid="decision_line"):
    found = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    return found[0] if found else None


def _classes(ax):
    """Points per class label, as drawn: {"y = 0": (K, 2) array, ...}."""
    return {
        c.get_label(): np.asarray(c.get_offsets())
        for c in ax.collections
        if c.get_label().startswith("y = ")
    }


def _ring(ax):
    found = [c for c in ax.collections if c.get_gid() == "current"]
    return np.asarray(found[0].get_offsets())[0] if found else None


def test_import_does_not_import_heavy_modules():
    code = (
        "import sys, nnlib.widgets, nnlib.selfcheck\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets'))\n"
        "assert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


# --------------------------------------------------------------------------- McCulloch-Pitts


@pytest.mark.parametrize(
    ("w1", "w2", "theta", "gate", "outputs"),
    [
        (1, 1, 2, "and", [0, 0, 0, 1]),
        (1, 1, 1, "or", [0, 1, 1, 1]),
        (0.5, 0.5, 0.5, "or", [0, 1, 1, 1]),
        (-1, -1, -1.5, "nand", [1, 1, 1, 0]),
        (-1, -1, 0, "nor", [1, 0, 0, 0]),
        (1, 0, 1, "x1", [0, 0, 1, 1]),  # copies x1
        (0, -1, -0.5, "not x2", [1, 0, 1, 0]),  # fires iff -x2 >= -0.5, i.e. x2 = 0
        (1, -1, 1, "x1 and not x2", [0, 0, 1, 0]),  # only (1, 0) reaches 1
    ],
)
def test_mcp_view_table_gate_and_figure(w1, w2, theta, gate, outputs):
    view = mcp_view(w1, w2, theta)
    table = view["table"]
    assert [row[:2] for row in table] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [row[3] for row in table] == outputs
    # net = w1 x1 + w2 x2
    assert [row[2] for row in table] == [0.0, w2, w1, w1 + w2]
    assert view["gate"] == gate
    fig = view["fig"]
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    title = ax.get_title()
    shown = {"x1": "x1", "not x2": "NOT x2", "x1 and not x2": "x1 AND NOT x2"}
    assert "computes " + shown.get(gate, gate.upper()) in title
    # the line: w1 x1 + w2 x2 = θ
    xy = _line(ax).get_xydata()
    np.testing.assert_allclose(xy @ np.array([w1, w2], float), theta)
    # the four inputs, marked by the neuron's output
    drawn = _classes(ax)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for out in (0, 1):
        if out in outputs:
            np.testing.assert_array_equal(drawn[f"y = {out}"], X[np.array(outputs) == out])
    nets = [t.get_text() for t in ax.texts]
    assert nets == [f"net {row[2]:g}" for row in table]


def test_mcp_view_constant_neuron_and_zero_weights():
    view = mcp_view(0, 0, -1)  # w = 0, θ <= 0: always fires, no line
    assert view["gate"] == "always fires" and [r[3] for r in view["table"]] == [1, 1, 1, 1]
    ax = view["fig"].axes[0]
    assert _line(ax) is None
    title = ax.get_title().replace("\n", " ")
    assert "always fires (outputs 1 on every input)" in title
    assert "w = 0: no decision line; the unit fires everywhere" in title
    assert "no named" not in title
    view = mcp_view(1, 1, 2.5)  # never fires: net at most 2 < 2.5
    assert view["gate"] == "never fires"
    assert "never fires (outputs 0 on every input)" in view["fig"].axes[0].get_title()


def test_mcp_view_reuses_a_given_figure():
    fig = Figure()
    n_before = len(plt.get_fignums())
    for theta in (2, 1, -0.5):
        out = mcp_view(1, 1, theta, fig=fig)
        assert out["fig"] is fig and len(fig.axes) == 1  # cleared, not stacked
    assert len(plt.get_fignums()) == n_before  # no pyplot figure created
    assert "computes OR" not in fig.axes[0].get_title()  # θ = -0.5: always fires
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        mcp_view(1, 1, 2, fig=plt.gca())


def test_mcp_view_bad_input():
    with pytest.raises(TypeError, match="w1 must be a real number"):
        mcp_view("1", 1, 2)
    with pytest.raises(ValueError, match="threshold must be finite, got inf"):
        mcp_view(1, 1, np.inf)
    with pytest.raises(ValueError, match="w2 must be finite, got -inf"):
        mcp_view(1, -np.inf, 2)


# --------------------------------------------------------------------------- Hebb


# FACTS.md (Fausett 1994, sec. 2.2): (w1, w2, b) after each pattern
_HEBB_BIPOLAR_AND = [(1, 1, 1), (0, 2, 0), (1, 1, -1), (2, 2, -2)]


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_hebb_view_bipolar_and_follows_fausett(step):
    view = hebb_view("bipolar", "and", step=step)
    w1, w2, b = _HEBB_BIPOLAR_AND[step - 1]
    np.testing.assert_array_equal(view["w"], [w1, w2])
    assert view["b"] == b
    rows = view["trace_rows"]
    assert len(rows) == step
    assert [(r["w1"], r["w2"], r["b"]) for r in rows] == _HEBB_BIPOLAR_AND[:step]
    # pattern 2 is (1, -1) with target -1: Δw = x t = (-1, 1), Δb = -1
    if step >= 2:
        assert (rows[1]["x1"], rows[1]["x2"], rows[1]["t"]) == (1, -1, -1)
        assert (rows[1]["dw1"], rows[1]["dw2"], rows[1]["db"]) == (-1, 1, -1)
    ax = view["fig"].axes[0]
    xy = _line(ax).get_xydata()
    np.testing.assert_allclose(xy @ np.array([w1, w2], float) + b, 0.0, atol=1e-12)
    assert f"after pattern {step} of 4" in ax.get_title()
    # patterns in Fausett's order; the one just learned is ringed
    order = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]])
    np.testing.assert_array_equal(_ring(ax), order[step - 1])
    drawn = _classes(ax)
    assert len(drawn["y = 1"]) == 1 and len(drawn["y = -1"]) == 3


def test_hebb_gates_are_the_two_input_gates_in_the_shared_order():
    assert widgets.HEBB_GATES == ("and", "or", "nand", "nor", "xor")
    assert tuple(g for g in classic.GATES if g != "not") == widgets.HEBB_GATES


def test_hebb_view_final_line_is_fausetts_and_step_zero_is_empty():
    view = hebb_view("bipolar", "and", step=4)
    xy = _line(view["fig"].axes[0]).get_xydata()
    np.testing.assert_allclose(xy[:, 1], -xy[:, 0] + 1.0)  # x2 = -x1 + 1 (FACTS.md)
    view = hebb_view("bipolar", "and", step=0)
    assert view["trace_rows"] == [] and view["b"] == 0.0
    np.testing.assert_array_equal(view["w"], [0, 0])
    ax = view["fig"].axes[0]
    assert _line(ax) is None and _ring(ax) is None
    assert "initial weights" in ax.get_title()


@pytest.mark.parametrize(
    ("encoding", "w", "b", "n_changes"),
    [
        ("binary", (1, 1), 1, 1),  # only (1, 1) -> 1 changes anything; fires everywhere
        ("binary_bipolar", (0, 0), -2, 4),  # FACTS.md: ends at (0, 0, -2)
        ("bipolar", (2, 2), -2, 4),
    ],
)
def test_hebb_view_encodings(encoding, w, b, n_changes):
    view = hebb_view(encoding, "and", step=4)
    np.testing.assert_array_equal(view["w"], w)
    assert view["b"] == b
    changes = [r for r in view["trace_rows"] if (r["dw1"], r["dw2"], r["db"]) != (0, 0, 0)]
    assert len(changes) == n_changes
    ax = view["fig"].axes[0]
    assert encoding.replace("_", " + ") in ax.get_title()
    if w == (0, 0):
        assert _line(ax) is None and "never fires" in ax.get_title()
    lim = (-1.6, 1.6) if encoding == "bipolar" else (-0.5, 1.5)
    np.testing.assert_allclose(ax.get_xlim(), lim)


def test_hebb_view_binary_fires_everywhere_and_other_gates():
    # binary AND ends at w = (1, 1), b = 1: w.x + b >= 1 > 0 on every input
    view = hebb_view("binary", "and", step=4)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.all(classic.predict_step(X, view["w"], view["b"]) == 1)
    # bipolar OR: (1,1)->1, (1,-1)->1, (-1,1)->1, (-1,-1)->-1 gives w = (2, 2), b = 2
    view = hebb_view("bipolar", "or", step=4)
    np.testing.assert_array_equal(view["w"], [2, 2])
    assert view["b"] == 2


def test_hebb_view_bad_input():
    with pytest.raises(ValueError, match="unknown encoding 'bip'"):
        hebb_view("bip")
    with pytest.raises(ValueError, match="unknown gate 'not'"):
        hebb_view("bipolar", "not")
    with pytest.raises(ValueError, match="step must be between 0 and 4"):
        hebb_view("bipolar", "and", step=5)
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        hebb_view("bipolar", "and", step=-1)
    assert set(HEBB_ENCODINGS) == {"binary", "binary_bipolar", "bipolar"}


# --------------------------------------------------------------------------- perceptron

_AND_X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
_AND_Y = np.array([1, -1, -1, -1])


def test_perceptron_view_first_steps_by_hand():
    view = perceptron_view(_AND_X, _AND_Y, step=0)
    assert view["update"] is None and view["n_steps"] == 8  # 2 epochs of 4 samples
    np.testing.assert_array_equal(view["w"], [0, 0])
    assert "step 0 of 8" in view["fig"].axes[0].get_title()
    # step 1: sample (1, 1), y = +1, net 0 -> y * net = 0 <= 0, a mistake:
    # w = 0 + 1 * (+1) * (1, 1) = (1, 1), b = 0 + 1 = 1
    view = perceptron_view(_AND_X, _AND_Y, step=1)
    u = view["update"]
    assert (u["epoch"], u["index"], u["y"], u["net"], u["mistake"]) == (0, 0, 1, 0.0, True)
    # shown to the user from 1: epoch 1, sample 1 (the data keep index 0)
    assert u["sample"] == 1
    title = view["fig"].axes[0].get_title()
    assert "epoch 1, sample 1 of 4" in title and "sample 0" not in title and "epoch 0" not in title
    np.testing.assert_array_equal(u["dw"], [1, 1])
    assert u["db"] == 1
    np.testing.assert_array_equal(view["w"], [1, 1])
    assert view["b"] == 1
    # step 2: sample (1, -1), y = -1, net 1 - 1 + 1 = 1 -> mistake: w = (0, 2), b = 0
    view = perceptron_view(_AND_X, _AND_Y, step=2)
    assert view["update"]["net"] == 1.0 and view["update"]["mistake"]
    np.testing.assert_array_equal(view["w"], [0, 2])
    ax = view["fig"].axes[0]
    np.testing.assert_array_equal(_ring(ax), [1, -1])
    before, after = _line(ax, "line_before"), _line(ax)
    np.testing.assert_allclose(before.get_xydata() @ np.array([1.0, 1.0]) + 1.0, 0, atol=1e-12)
    np.testing.assert_allclose(after.get_xydata() @ np.array([0.0, 2.0]) + 0.0, 0, atol=1e-12)
    assert before.get_linestyle() == "--" and after.get_label() == "after"
    assert "mistake: update" in ax.get_title()


def test_perceptron_view_replays_the_run_exactly():
    X, y = widgets._DEMO_X, widgets._DEMO_Y
    result = classic.perceptron(X, y)
    n_steps = result.epochs * len(y)
    mistakes, w, b = 0, np.zeros(2), 0.0
    fig = Figure()
    for step in range(1, n_steps + 1):
        view = perceptron_view(X, y, step, fig=fig)
        u = view["update"]
        assert u["index"] == (step - 1) % len(y) and u["epoch"] == (step - 1) // len(y)
        assert u["sample"] == u["index"] + 1
        assert f"epoch {u['epoch'] + 1}, sample {u['sample']} of 8" in fig.axes[0].get_title()
        np.testing.assert_array_equal(u["w_before"], w)  # continues from the previous step
        assert u["b_before"] == b
        assert u["mistake"] == (u["y"] * u["net"] <= 0)
        if u["mistake"]:
            np.testing.assert_array_equal(u["dw"], u["y"] * u["x"])
        else:
            np.testing.assert_array_equal(u["dw"], [0, 0])
        mistakes += u["mistake"]
        w, b = view["w"], view["b"]
        assert len(fig.axes) == 1
    assert mistakes == result.n_updates == 9
    np.testing.assert_array_equal(w, result.w)
    assert b == result.b
    assert "correct: no update" in fig.axes[0].get_title()  # the last, clean epoch


def test_perceptron_view_lr_and_epochs_and_bad_input():
    view = perceptron_view(_AND_X, _AND_Y, step=1, lr=0.5)
    np.testing.assert_array_equal(view["w"], [0.5, 0.5])
    X, y = classic.gate_truth_table("xor")
    view = perceptron_view(X, classic.bipolar(y), step=0, epochs=3)
    assert view["n_steps"] == 12  # XOR never converges: all 3 epochs
    with pytest.raises(ValueError, match=r"step must be between 0 and 8 \(the run visited 8"):
        perceptron_view(_AND_X, _AND_Y, step=9)
    with pytest.raises(ValueError, match="y"):
        perceptron_view(_AND_X, [1, 0, 0, 0], step=0)  # 0/1 labels: bipolar needed
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        perceptron_view(np.zeros((4, 3)), _AND_Y, step=0)
    with pytest.raises(ValueError, match="lr must be in"):
        perceptron_view(_AND_X, _AND_Y, step=0, lr=0)


# --------------------------------------------------------------------------- gradient depth


@pytest.mark.parametrize("hidden", ["sigmoid", "swish", "selu"])
def test_gradient_depth_view_norms_are_the_backward_pass_of_that_network(hidden):
    view = gradient_depth_view(depth=3, hidden=hidden)
    X, y = widgets._depth_batch()
    model = MLP([32, 32, 32, 32, 10], hidden=hidden, output="softmax", init="xavier_normal",
                rng=0)  # fmt: skip
    model.loss_and_grad(X, y, "softmax_cross_entropy")
    expected = [np.linalg.norm(model.grads[f"W{k}"]) for k in range(1, 5)]
    np.testing.assert_allclose(view["norms"], expected, rtol=1e-10)
    assert view["ratio"] == pytest.approx(expected[-1] / expected[0])
    assert len(view["mean_slope"]) == 3
    # the mean slope f'(Z) of each hidden layer, from the same network's forward pass
    A, f = X, activations.get_activation(hidden)
    for k in range(1, 4):
        Z = A @ model.params[f"W{k}"] + model.params[f"b{k}"]
        assert view["mean_slope"][k - 1] == pytest.approx(f.grad(Z).mean(), rel=1e-10)
        A = f(Z)
    if hidden == "sigmoid":
        assert all(0 < s <= 0.25 for s in view["mean_slope"])
        line = _line(view["fig"].axes[0], "norms")
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-10)


def test_gradient_depth_view_sigmoid_vanishes_and_the_axes_stay_fixed():
    shallow, deep = gradient_depth_view(2), gradient_depth_view(10)
    assert deep["ratio"] > 1000 * shallow["ratio"]  # each sigmoid layer loses a factor ~4
    tanh = gradient_depth_view(10, "tanh")
    assert tanh["ratio"] < 10  # tanh' is up to 1, not 1/4: no such decay at this init
    slope = activations.tanh_grad(0.0)
    assert max(tanh["mean_slope"]) <= slope
    for view in (shallow, deep, tanh):
        ax = view["fig"].axes[0]
        assert ax.get_ylim() == widgets._DEPTH_YLIM and ax.get_xlim() == (0.5, 13.5)


def test_gradient_depth_view_bad_input():
    with pytest.raises(ValueError, match="depth must be between 1 and 12"):
        gradient_depth_view(0)
    with pytest.raises(ValueError, match="unknown hidden"):
        gradient_depth_view(4, "softmax")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        gradient_depth_view(4, fig="figure")


# --------------------------------------------------------------------------- widgets


def _assert_redraws_in_place(widget, name, value):
    n_figs = plt.get_fignums()
    png, view = bytes(widget.image.value), widget.view  # Image.value is a memoryview
    assert png.startswith(PNG)
    widget.controls[name].value = value  # the observer calls update()
    assert widget.view is not view  # the view ran again
    new = bytes(widget.image.value)
    assert new.startswith(PNG) and new != png
    assert len(widget.fig.axes) == 1  # cleared and redrawn, not stacked
    assert plt.get_fignums() == n_figs  # no new pyplot figure
    return widget.view


def test_mcp_widget_updates_table_gate_and_figure():
    n_figs = plt.get_fignums()
    w = mcp_widget()
    assert plt.get_fignums() == n_figs
    assert isinstance(w, ipywidgets.VBox)
    assert set(w.controls) == {"w1", "w2", "threshold"}
    s = w.controls["threshold"]
    assert (s.min, s.max, s.step, s.value) == (-2.0, 2.0, 0.5, 2.0)
    assert w.view["gate"] == "and" and "AND" in w.info.value
    view = _assert_redraws_in_place(w, "threshold", 1.0)
    assert view["gate"] == "or" and "<b>computes OR</b>" in w.info.value
    w.controls["threshold"].value = -1.0  # fires on every input: named, not "no gate"
    assert w.view["gate"] == "always fires" and "always fires" in w.info.value
    w.controls["threshold"].value = 1.0
    assert view["fig"] is w.fig
    w.controls["w1"].value = -1.0
    w.controls["w2"].value = -1.0
    w.controls["threshold"].value = -1.5
    assert w.view["gate"] == "nand" and [r[3] for r in w.view["table"]] == [1, 1, 1, 0]
    assert "computes NAND" in w.fig.axes[0].get_title()
    assert len(w.fig.axes) == 1
    assert w.update()["gate"] == "nand"  # the callback can be called directly


def test_hebb_widget_steps_and_switches_encoding():
    w = hebb_widget()
    assert set(w.controls) == {"encoding", "gate", "step"}
    assert w.view["trace_rows"] == [] and "No pattern learned yet" in w.info.value
    view = _assert_redraws_in_place(w, "step", 4)
    np.testing.assert_array_equal(view["w"], [2, 2])
    assert view["b"] == -2
    assert w.info.value.count("<tr") == 5  # header + 4 trace rows
    view = _assert_redraws_in_place(w, "encoding", "binary_bipolar")
    np.testing.assert_array_equal(view["w"], [0, 0])
    assert view["b"] == -2
    view = _assert_redraws_in_place(w, "gate", "or")
    assert "OR" in w.fig.axes[0].get_title()
    options = dict(w.controls["encoding"].options)
    assert set(options.values()) == set(HEBB_ENCODINGS)


def test_perceptron_widget_steps_through_the_run():
    w = perceptron_widget()
    step = w.controls["step"]
    assert (step.min, step.max, step.value) == (0, 24, 0)  # demo data: 3 epochs x 8 samples
    assert w.view["update"] is None
    view = _assert_redraws_in_place(w, "step", 1)
    assert view["update"]["mistake"] and "yes: update" in w.info.value
    assert "1 of 8 (epoch 1)" in w.info.value  # counted from 1, as in the title
    step.value = step.max
    np.testing.assert_array_equal(
        w.view["w"], classic.perceptron(widgets._DEMO_X, widgets._DEMO_Y).w
    )
    assert "no: keep w, b" in w.info.value
    # custom data
    w = perceptron_widget(_AND_X, _AND_Y)
    assert w.controls["step"].max == 8
    with pytest.raises(ValueError, match="pass both X and y"):
        perceptron_widget(_AND_X)


def test_gradient_depth_widget_redraws_for_depth_and_activation():
    w = gradient_depth_widget()
    assert set(w.controls) == {"depth", "hidden"}
    s = w.controls["depth"]
    assert (s.min, s.max, s.value) == (1, widgets.MAX_DEPTH, 8)
    assert w.info.value.count("<tr") == 1 + 9  # header + 8 hidden layers + the softmax layer
    view = _assert_redraws_in_place(w, "depth", 3)
    assert len(view["norms"]) == 4 and w.info.value.count("<tr") == 5
    view = _assert_redraws_in_place(w, "hidden", "tanh")
    assert "3 tanh hidden layers" in w.fig.axes[0].get_title()
    assert f"{view['norms'][0]:.2e}" in w.info.value


def _gid(ax, gid):
    found = [a for a in (*ax.get_lines(), *ax.patches) if a.get_gid() == gid]
    return found[0] if found else None


def test_init_view_shows_the_experiment_and_its_mean_field():
    from nnlib import experiments

    view = init_view("small", "tanh", n_layers=6, width=100, n=200)
    stats = experiments.activation_statistics("small", "tanh", n_layers=6, width=100, n=200,
                                              rng=0)  # fmt: skip
    mf = experiments.mean_field("tanh", 100 * 0.01**2, 6)
    np.testing.assert_array_equal(view["stats"].std, stats.std)
    np.testing.assert_array_equal(view["predicted"].std, mf.std)
    assert view["stats"].activations is None  # not kept alive by the widget
    top, hist = view["fig"].axes
    assert top.get_yscale() == "log"
    for gid, values in [("std", stats.std), ("predicted", mf.std), ("dW", stats.dW_std),
                        ("dX", stats.dX_std)]:  # fmt: skip
        line = _gid(top, gid)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 7))
        np.testing.assert_allclose(line.get_ydata(), values)
    assert f"layer 6 std: {stats.std[-1]:.3g}, predicted {mf.std[-1]:.3g}" in top.get_title()
    assert view["layers"] == [1, 3, 4, 6]
    # each histogram holds all of its layer's entries, as fractions
    for k in view["layers"]:
        assert _gid(hist, f"hist{k}").get_data().values.sum() == pytest.approx(1.0)
    assert hist.get_title() == f"saturated at layer 6: {stats.saturated[-1]:.1%}"


def test_init_view_relu_leaves_the_dead_entries_out_of_the_histograms():
    view = init_view("he", "relu", n_layers=3, width=100, n=200)
    _, hist = view["fig"].axes
    dead = view["stats"].dead
    for k in view["layers"]:
        assert _gid(hist, f"hist{k}").get_data().values.sum() == pytest.approx(1 - dead[k - 1])
    assert "left out" in hist.get_xlabel() and hist.get_title().startswith("dead at layer 3")


def test_init_view_bad_input():
    with pytest.raises(ValueError, match="unknown scheme"):
        init_view("kaiming")
    with pytest.raises(ValueError, match="unknown activation"):
        init_view("he", "softmax")
    with pytest.raises(ValueError, match="n_layers must be between 1 and 20"):
        init_view(n_layers=21)
    with pytest.raises(ValueError, match="width must be between 2 and 1000"):
        init_view(width=1)
    with pytest.raises(ValueError, match="unknown dist"):
        init_view(dist="gaussian")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        init_view(n_layers=2, width=10, n=10, fig="figure")


def test_init_widget_redraws_in_place_for_each_control():
    n_figs = plt.get_fignums()
    w = init_widget(width=100, n=200, n_layers=4)
    assert list(w.controls) == ["scheme", "activation", "n_layers", "width", "dist"]
    assert w.info.value.count("<tr") == 1 + 4
    for name, value in [("scheme", "small"), ("activation", "relu"), ("n_layers", 7),
                        ("width", 150), ("dist", "uniform")]:  # fmt: skip
        png, view = bytes(w.image.value), w.view
        w.controls[name].value = value
        assert w.view is not view and bytes(w.image.value) != png
        assert bytes(w.image.value).startswith(PNG)
        assert len(w.fig.axes) == 2 and plt.get_fignums() == n_figs
    assert "small (uniform) init, relu, 7 layers of 150" in w.fig.axes[0].get_title()
    assert w.info.value.count("<tr") == 1 + 7 and "dead" in w.info.value
    assert f"{w.view['stats'].std[0]:.3g}" in w.info.value


def test_widgets_validate_initial_values():
    with pytest.raises(ValueError, match="threshold must be in"):
        mcp_widget(threshold=3)
    with pytest.raises(ValueError, match="unknown encoding"):
        hebb_widget(encoding="bipolarr")
    with pytest.raises(ValueError, match="step must be between 0 and 4"):
        hebb_widget(step=7)
    with pytest.raises(ValueError, match="depth must be between 1 and 12"):
        gradient_depth_widget(depth=13)
    with pytest.raises(ValueError, match="unknown hidden"):
        gradient_depth_widget(hidden="maxout")
    with pytest.raises(ValueError, match="n_layers must be between 1 and 20"):
        init_widget(n_layers=0)


def test_module_all_is_public():
    for name in widgets.__all__:
        assert hasattr(widgets, name)


# --------------------------------------------------------------------------- layout


def _views(fig):
    """One of each view, drawn in turn into `fig`, with titles of different lengths."""
    yield mcp_view(1, 1, 2, fig=fig)  # 2-line title
    yield mcp_view(0, 0, -1, fig=fig)  # 3-line title (w = 0 note)
    yield hebb_view("binary_bipolar", "nand", step=0, fig=fig)
    yield hebb_view("binary_bipolar", "nand", step=3, fig=fig)
    yield perceptron_view(widgets._DEMO_X, widgets._DEMO_Y, 0, fig=fig)
    yield perceptron_view(widgets._DEMO_X, widgets._DEMO_Y, 11, fig=fig)
    yield optimizer_race_view(fig=fig)  # 7 legend entries in 3 columns
    yield optimizer_race_view("saddle", "sgd", lr=0.1, steps=30, fig=fig)  # 3-line title
    yield ema_view(0.9, "noisy", fig=fig)
    yield schedule_view("step", fig=fig)
    yield schedule_view("inverse_time", 0.1, 0.01, fig=fig, logy=True)
    yield regularization_view(l2=0.01, fig=fig)  # 4-line title


def test_views_keep_the_axes_fixed_legend_below_and_title_inside():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = widgets._widget_figure()
    canvas = FigureCanvasAgg(fig)
    positions = set()
    for view in _views(fig):
        ax = view["fig"].axes[0]
        canvas.draw()
        renderer = canvas.get_renderer()
        positions.add(tuple(np.round(ax.get_position().bounds, 6)))
        box = ax.get_window_extent(renderer)
        legend = ax.get_legend().get_window_extent(renderer)
        xlabel = ax.xaxis.label.get_window_extent(renderer)
        assert legend.y1 < box.y0 and legend.y1 < xlabel.y0  # below the plot and its x label
        assert legend.y0 >= 0 and legend.x0 >= 0 and legend.x1 <= fig.bbox.x1  # not clipped
        title = ax.title.get_window_extent(renderer)
        assert title.y1 <= fig.bbox.y1 and title.x0 >= 0 and title.x1 <= fig.bbox.x1
        assert ax.get_title().count("\n") < widgets._TITLE_LINES
        np.testing.assert_allclose(ax.get_position(original=True).bounds, widgets._AXES_RECT)
    # the plot does not jump: the same (square) Axes box for every view, whatever the
    # number of title lines or legend rows
    assert len(positions) == 1


def test_current_point_legend_handle_is_normal_size():
    view = hebb_view("bipolar", "and", step=2)
    ax = view["fig"].axes[0]
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert "pattern 2" in labels
    handle = legend.legend_handles[labels.index("pattern 2")]
    assert handle.get_markersize() == 10 and handle.get_markerfacecolor() == "none"
    np.testing.assert_array_equal(_ring(ax), [1, -1])  # the big ring is still on the plot
    view = perceptron_view(_AND_X, _AND_Y, step=3)
    labels = [t.get_text() for t in view["fig"].axes[0].get_legend().get_texts()]
    assert "sample 3 (y = -1)" in labels  # 1-based, like the title


def test_long_titles_are_wrapped_not_cut():
    fig = widgets._widget_figure()
    ax = fig.add_axes(widgets._AXES_RECT)
    widgets._fixed_title(ax, "a " * 60 + "\nsecond\nthird\nfourth\nfifth")
    lines = ax.get_title().split("\n")
    assert len(lines) == widgets._TITLE_LINES
    assert all(len(line) <= widgets._TITLE_WIDTH for line in lines)
    assert lines[-1].endswith("…")  # shortened visibly, not silently dropped


# --------------------------------------------------------------------------- optimizers


def test_optimizer_race_view_runs_the_chosen_rule_and_the_tuned_others():
    from nnlib import experiments

    view = optimizer_race_view("s1_quadratic", "sgd", lr=0.2, steps=40)
    assert view["steps"] == 20  # F5: lr 0.2 reaches f < 1e-6 in 20 steps
    names = list(view["runs"])
    assert names[0] == "you: sgd"
    assert set(names[1:]) == {f"{r} (tuned)" for r in widgets.RACE_RULES if r != "sgd"}
    expected = experiments.run_optimizer("sgd", "s1_quadratic", 40, lr=0.2)
    np.testing.assert_array_equal(view["runs"][names[0]].path, expected)
    _, n = experiments.TUNED["s1_quadratic"]["nesterov"]
    assert view["runs"]["nesterov (tuned)"].steps == n  # tuned others at their best lr
    ax = view["fig"].axes[0]
    assert "after 20 steps" in ax.get_title() and "x1² + x1·x2 + 4·x2²" in ax.get_title()
    np.testing.assert_array_equal(ax.get_lines()[0].get_xydata(), expected)
    assert ax.get_legend() is not None


def test_optimizer_race_view_mu_only_for_momentum_and_outcomes():
    view = optimizer_race_view("valley", "momentum", lr=0.02, mu=0.5, steps=50, tuned=False)
    assert list(view["runs"]) == ["you: momentum"]
    assert "momentum lr 0.02 μ 0.5" in view["fig"].axes[0].get_title()
    view = optimizer_race_view("valley", "adam", lr=0.1, mu=0.5, steps=20, tuned=False)
    assert list(view["runs"]) == ["you: adam"] and view["steps"] is None
    assert "not within 20 steps" in view["fig"].axes[0].get_title()
    view = optimizer_race_view("s1_quadratic", "sgd", lr=1.0, steps=500, tuned=False)
    assert view["steps"] is None and "diverged" in view["fig"].axes[0].get_title()
    with pytest.raises(ValueError, match="steps must be"):
        optimizer_race_view(steps=0)
    with pytest.raises(ValueError, match="rule"):
        optimizer_race_view(rule="lbfgs")


def test_optimizer_race_widget_redraws_and_tabulates():
    n_figs = plt.get_fignums()
    w = optimizer_race_widget("rotated_valley", "momentum", lr=0.02, steps=100)
    assert list(w.controls) == ["surface", "rule", "lr", "mu", "steps", "tuned"]
    assert w.info.value.count("<tr") == 1 + len(widgets.RACE_RULES)
    for name, value in [("rule", "adam"), ("lr", 0.1), ("surface", "valley"), ("steps", 200),
                        ("tuned", False), ("mu", 0.5)]:  # fmt: skip
        view = w.view
        w.controls[name].value = value
        assert w.view is not view and bytes(w.image.value).startswith(PNG)
        assert plt.get_fignums() == n_figs
    assert w.info.value.count("<tr") == 1 + 1
    assert list(w.view["runs"]) == ["you: adam"]


def test_ema_view_matches_facts_and_the_recursion():
    view = ema_view(0.98, "constant", n=10)
    np.testing.assert_allclose(view["raw"][:3], [0.2, 0.396, 0.58808])
    np.testing.assert_allclose(view["corrected"], 10.0)
    view = ema_view(0.9, "jump", n=20)
    x, v = view["x"], 0.0
    for t in range(20):
        v = 0.9 * v + 0.1 * x[t]
        assert view["raw"][t] == pytest.approx(v)
        assert view["corrected"][t] == pytest.approx(v / (1 - 0.9 ** (t + 1)))
    assert x[:10].max() == 0 and x[10:].min() == 10
    title = view["fig"].axes[0].get_title()
    assert "window ≈ 1/(1 − β) = 10 steps" in title
    with pytest.raises(ValueError, match="series"):
        ema_view(series="sine")


def test_ema_widget_table_and_controls():
    w = ema_widget(beta=0.97)
    assert w.controls["beta"].value == 0.98  # snapped to the nearest offered beta
    assert w.info.value.count("<tr") == 1 + 8 and "0.200" in w.info.value  # FACTS' 0.200
    w.controls["series"].value = "noisy"
    w.controls["beta"].value = 0.5
    assert f"{w.view['raw'][0]:.3f}" in w.info.value


def test_schedule_view_nnlib_schedule_and_s0_formula():
    from nnlib import schedules

    view = schedule_view("step", lr0=0.1, param=10, epochs=100)
    np.testing.assert_allclose(
        view["lr"], [schedules.StepDecay(0.1, 0.5, 10)(t) for t in range(100)]
    )
    assert np.isnan(view["seed"][0]) and view["seed"][1] == pytest.approx(0.1 * 0.5**100)
    assert view["seed"][99] > view["seed"][50] > view["seed"][1]  # S0's rises
    view = schedule_view("inverse_time", lr0=2.0, param=0.1, epochs=101)
    assert view["seed"][100] == pytest.approx(2048.0)  # S0's eta0^(1 + k d) grows for eta0 > 1
    assert view["lr"][100] == pytest.approx(2.0 / 11)
    view = schedule_view("exponential", lr0=0.1, param=0.05129, epochs=3)
    assert view["seed"] is None and view["lr"][1] == pytest.approx(0.095, rel=1e-4)  # .95^t
    labels = [t.get_text() for t in view["fig"].axes[0].get_legend().get_texts()]
    assert labels == ["Exponential(lr0=0.1, k=0.05129)"]
    with pytest.raises(ValueError, match="kind"):
        schedule_view("cosine")


def test_schedule_widget_redraws():
    w = schedule_widget()
    assert list(w.controls) == ["kind", "lr0", "param", "show_seed", "logy"]
    assert "S0 as written" in w.info.value
    for name, value in [("show_seed", False), ("kind", "linear"), ("lr0", 0.5), ("param", 0.5),
                        ("logy", True)]:  # fmt: skip
        png = bytes(w.image.value)
        w.controls[name].value = value
        assert bytes(w.image.value) != png
    assert w.view["lr"][0] == pytest.approx(0.5) and w.view["seed"] is None


def test_optimizer_race_on_every_surface_including_the_saddle():
    for surface in widgets.RACE_SURFACES:
        view = optimizer_race_view(surface, "adam", lr=0.05, steps=30)
        assert np.isfinite(view["f"]), surface
    view = optimizer_race_view("saddle", "sgd", lr=0.1, steps=30, tuned=False)
    # x1 shrinks by 0.8 per step, x2 grows by 1.2 from 0.01: f = x1^2 - x2^2
    x1, x2 = -1.5 * 0.8**30, 0.01 * 1.2**30
    assert view["f"] == pytest.approx(x1**2 - x2**2)
    assert view["gap"] == math.inf and view["steps"] is None
    assert "f has no minimum" in view["fig"].axes[0].get_title().replace("\n", " ")
    w = optimizer_race_widget("saddle", "sgd", lr=0.1, steps=30)
    assert "final f</th>" in w.info.value


# --------------------------------------------------------------------------- activations


def _gid_lines(ax):
    return {ln.get_gid(): ln for ln in ax.get_lines()}


def test_activation_view_swish_between_its_limits():
    x = np.linspace(-4, 4, 401)
    view = activation_view("swish", beta=0.0)
    np.testing.assert_allclose(view["x"], x)
    np.testing.assert_allclose(view["f"], x / 2)  # beta = 0: x sigma(0) = x/2
    np.testing.assert_allclose(view["df"], 0.5)
    assert view["df0"] == 0.5
    view = activation_view("swish", beta=20.0)
    np.testing.assert_allclose(view["f"], np.maximum(x, 0), atol=0.278 / 20 + 1e-12)  # -> ReLU
    # FACTS' minimum -0.27846 (beta = 1), scaled by 1/beta; the grid misses its exact place
    assert view["f"].min() == pytest.approx(-0.27846 / 20, rel=5e-3)
    ax_f, ax_df = view["fig"].axes[:2]
    f, df = _gid_lines(ax_f), _gid_lines(ax_df)
    np.testing.assert_allclose(f["f_0"].get_ydata(), view["f"])
    np.testing.assert_allclose(df["df_0"].get_ydata(), activations.swish_grad(x, beta=20.0))
    np.testing.assert_allclose(f["limit_relu"].get_ydata(), np.maximum(x, 0))
    np.testing.assert_allclose(f["limit_half"].get_ydata(), x / 2)
    labels = [t.get_text() for t in ax_df.get_legend().get_texts()]
    assert labels == ["swish (β = 20): f′(0) = 0.5", "β → ∞: ReLU", "β = 0: x/2"]
    # other activations ignore beta and draw no limits; the axes limits never move
    view = activation_view("relu", beta=5.0)
    ax_f, ax_df = view["fig"].axes[:2]
    assert "limit_relu" not in _gid_lines(ax_f) and view["df0"] == 0.0
    assert ax_f.get_ylim() == widgets._ACT_YLIM and ax_df.get_ylim() == widgets._ACT_DYLIM


def test_activation_view_counts_the_dead_relu_units_of_a_high_learning_rate():
    from nnlib.widgets import _standardized_digits

    X, _ = _standardized_digits()
    low, high = activation_view("relu", lr=0.1), activation_view("relu", lr=1.0)
    # LESSONS 6.1: lr 0.01-0.5 leaves no dead unit (95-100% accuracy); lr = 1 kills 83-95%
    # of layer 2 (18-31% accuracy)
    assert low["dead_counts"] == (0, 0) and low["train_accuracy"] > 0.95
    assert 80 <= high["dead_counts"][1] <= 100 and high["train_accuracy"] < 0.4
    assert not high["diverged"]
    # the count, recomputed from the trained model: outputs exactly 0 on every example
    trace = high["model"].trace(X)
    dead = [int(np.all(layer["A"] == 0, axis=0).sum()) for layer in trace[:-1]]
    assert tuple(dead) == high["dead_counts"]
    np.testing.assert_allclose(high["dead"], np.array(dead) / 100)
    # the bars show the fractions, the title the setting and the accuracy
    ax = high["fig"].axes[2]
    bars = list(ax.patches)
    np.testing.assert_allclose([b.get_width() for b in bars], high["dead"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{c} / 100 dead" for c in high["dead_counts"]]
    title = ax.get_title()
    assert "relu, SGD lr = 1, 10 epochs" in title
    assert f"training accuracy {high['train_accuracy']:.0%}" in title
    # a leaky unit always passes gradient (f' >= alpha): never dead, whatever the rate
    assert activation_view("leaky_relu", lr=1.0)["dead_counts"] == (0, 0)
    # at lr = 2 its loss overflows: no count is made on inf/NaN weights, the figure says so
    view = activation_view("leaky_relu", lr=2.0)
    assert view["diverged"] and view["dead_counts"] is None
    assert np.isnan(view["dead"]).all() and np.isnan(view["train_accuracy"])
    ax = view["fig"].axes[2]
    assert [t.get_text() for t in ax.texts] == ["diverged", "diverged"]
    assert "diverged (loss NaN or infinite)" in ax.get_title()
    assert [p.get_width() for p in ax.patches] == [0.0, 0.0]


def test_activation_widget_redraws_for_each_control():
    w = activation_widget("swish", beta=0.9, lr=0.2)
    assert list(w.controls) == ["activation", "beta", "lr"]
    assert w.controls["beta"].value == 1.0 and w.controls["lr"].value == 0.3  # snapped
    assert "f′(0) = 0.5" in w.info.value and w.info.value.count("<tr") == 1 + 2
    for name, value in [("activation", "relu"), ("lr", 1.0), ("activation", "swish"),
                        ("beta", 0.0)]:  # fmt: skip
        png, view = bytes(w.image.value), w.view
        w.controls[name].value = value
        assert w.view is not view and bytes(w.image.value) != png
        assert len(w.fig.axes) == 3
    assert w.view["dead_counts"] == activation_view("swish", 0.0, 1.0)["dead_counts"]
    assert "f(0) = 0" in w.info.value
    w.controls["activation"].value = "leaky_relu"
    w.controls["lr"].value = 2.0
    assert w.view["diverged"] and w.info.value.count("— / 100") == 2


def test_activation_view_bad_input():
    with pytest.raises(ValueError, match="activation"):
        activation_view("softmax")
    with pytest.raises(ValueError, match="beta"):
        activation_view("swish", beta=-1.0)
    with pytest.raises(ValueError, match="lr"):
        activation_view("relu", lr=0.0)


# --------------------------------------------------------------------------- regularization


def test_regularization_view_stronger_l2_gives_smaller_weights_and_a_worse_fit():
    views = [regularization_view(l2=lam) for lam in (0.0, 0.001, 0.01, 0.1)]
    norms = [v["weight_norm"] for v in views]
    assert all(a > b for a, b in itertools.pairwise(norms))  # ‖W‖ falls with λ
    assert norms[0] > 4 * norms[-1]
    assert views[0]["train_accuracy"] == 1.0  # unregularized: it fits the 100 points
    assert views[-1]["train_accuracy"] < 0.95  # λ = 0.1: a smooth boundary misses some
    for lam, view in zip((0.0, 0.001, 0.01, 0.1), views, strict=True):
        model = view["model"]
        assert model.l2 == lam and model.sizes == [2, 50, 50, 2]
        weights = [d.params["W"] for d in model._dense]
        assert view["weight_norm"] == pytest.approx(np.sqrt(sum((W**2).sum() for W in weights)))
        assert view["n_weights"] == 2 * 50 + 50 * 50 + 50 * 2
        assert (view["test_accuracy"] * 200) == pytest.approx(round(view["test_accuracy"] * 200))
    title = views[2]["fig"].axes[0].get_title().replace("\n", " ")
    assert "L2 λ = 0.01, L1 λ = 0, dropout p = 0" in title
    assert f"train {views[2]['train_accuracy']:.0%}, test {views[2]['test_accuracy']:.0%}" in title


def test_regularization_view_l1_dropout_and_the_data_sets():
    l1 = regularization_view(l1=0.01)
    prox = regularization_view(l1=0.01, l1_mode="proximal")
    drop = regularization_view(dropout=0.5)
    free = regularization_view()
    assert l1["model"].l1 == 0.01 and drop["model"].dropout == 0.5
    assert l1["weight_norm"] < free["weight_norm"] / 3
    # the subgradient leaves no weight at exactly 0; the proximal step (ISTA with plain
    # gradient descent) zeroes most of them, for about the same boundary and accuracy
    assert l1["zero_weights"] == free["zero_weights"] == 0
    assert prox["zero_weights"] > 0.9 * prox["n_weights"]
    assert prox["model"].l1_mode == "proximal"
    assert abs(prox["test_accuracy"] - l1["test_accuracy"]) < 0.05
    weights = [d.params["W"] for d in prox["model"]._dense]
    assert prox["zero_weights"] == sum(int((W == 0).sum()) for W in weights)
    assert "L1 λ = 0.01 (proximal)" in prox["fig"].axes[0].get_title().replace("\n", " ")
    assert drop["weight_norm"] != free["weight_norm"]
    spirals = regularization_view(dataset="spirals")
    X, y, X_test, y_test = widgets._reg_data("spirals")
    assert len(X) == 100 and len(X_test) == 200 and set(np.unique(y)) == {0, 1}
    pred = spirals["model"].predict(X_test)
    assert spirals["test_accuracy"] == pytest.approx(np.mean(pred == y_test))
    # the regions drawn are the model's predictions on the grid
    ax = spirals["fig"].axes[0]
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label()}
    np.testing.assert_allclose(offsets["class 0"], X[y == 0])
    with pytest.raises(ValueError, match="dataset"):
        regularization_view(dataset="circles")
    with pytest.raises(ValueError, match="dropout"):
        regularization_view(dropout=1.0)
    with pytest.raises(ValueError, match="l2"):
        regularization_view(l2=-0.1)
    with pytest.raises(ValueError, match="l1_mode"):
        regularization_view(l1_mode="clip")


def test_regularization_widget_redraws_for_each_control():
    w = regularization_widget(l2=0.0009)
    assert list(w.controls) == ["l2", "l1", "l1_mode", "dropout", "dataset"]
    # five controls wrap onto a second row in a narrow notebook instead of running off it
    assert list(w.children[0].children) == list(w.controls.values())
    assert w.children[0].layout.flex_flow == "row wrap"
    assert w.controls["l2"].value == 0.001 and w.controls["l1_mode"].value == "proximal"
    for name, value in [("l2", 0.01), ("l1", 0.001), ("l1_mode", "subgradient"), ("dropout", 0.2),
                        ("dataset", "spirals")]:  # fmt: skip
        png, view = bytes(w.image.value), w.view
        w.controls[name].value = value
        assert w.view is not view and bytes(w.image.value) != png
    assert f"{w.view['test_accuracy']:.1%}" in w.info.value
    assert f"{w.view['weight_norm']:.3g}" in w.info.value


def test_regularization_panels_are_the_views_nets_side_by_side():
    panels = regularization_panels((0.001, 0.01, 0.1))
    assert len(panels["axes"]) == 3
    assert [r["strength"] for r in panels["rows"]] == [0.001, 0.01, 0.1]
    for row, ax in zip(panels["rows"], panels["axes"], strict=True):
        view = regularization_view(l2=row["strength"])  # the same cached net
        for key in ("train_accuracy", "test_accuracy", "weight_norm", "zero_weights"):
            assert row[key] == view[key]
        assert ax.get_title().startswith(f"L2 λ = {row['strength']:g}\n")
        assert f"test {row['test_accuracy']:.0%}" in ax.get_title()
    assert [r["weight_norm"] for r in panels["rows"]] == sorted(
        (r["weight_norm"] for r in panels["rows"]), reverse=True
    )
    # one legend for the row; dropout and proximal L1 vary the other penalties
    assert [ax.get_legend() is not None for ax in panels["axes"]] == [True, False, False]
    drop = regularization_panels(0.5, kind="dropout")["rows"][0]
    assert drop["weight_norm"] == regularization_view(dropout=0.5)["weight_norm"]
    prox = regularization_panels([0.01], kind="l1", l1_mode="proximal")["rows"][0]
    assert prox["zero_weights"] == regularization_view(l1=0.01, l1_mode="proximal")["zero_weights"]
    with pytest.raises(ValueError, match="kind"):
        regularization_panels(kind="l3")
    with pytest.raises(ValueError, match="at least one"):
        regularization_panels(())
    with pytest.raises(ValueError, match="dropout"):
        regularization_panels((0.5, 1.0), kind="dropout")
