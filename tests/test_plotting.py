"""Tests of nnlib.plotting: the figures show exactly the data passed in, styled and labelled."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # headless: must come before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb

from nnlib import plotting
from nnlib.plotting import (
    MARKERS,
    OKABE_ITO,
    PALETTE,
    layer_statistics,
    plot_decision_boundary,
    plot_history,
    plot_layer_histograms,
    plot_layer_stats,
    plot_loss_surface,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class FakeHistory:
    """Stand-in for nnlib.training.History: `.epoch` and `history[key]` lists."""

    def __init__(self, epoch, **data):
        self.epoch = list(epoch)
        self._data = data

    def __getitem__(self, key):
        return self._data[key]

    def keys(self):
        return tuple(self._data)


def _points():
    # Three classes, two points each, on a diagonal.
    X = np.array([[0.0, 0.0], [0.5, 0.2], [2.0, 2.0], [2.2, 1.8], [4.0, 4.0], [3.9, 4.2]])
    y = np.array([0, 0, 1, 1, 2, 2])
    return X, y


def _nearest_centre(G):
    # Vectorized 3-class rule: the nearest of the centres (0,0), (2,2), (4,4).
    centres = np.array([[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]])
    d = ((G[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return d.argmin(axis=1)


# --------------------------------------------------------------------------- import


def test_import_does_not_import_matplotlib():
    code = (
        "import sys, nnlib.plotting\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "assert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


# --------------------------------------------------------------------------- palette


def test_palette_is_okabe_ito_with_distinct_markers():
    assert set(PALETTE) == set(OKABE_ITO.values())
    assert len(set(PALETTE)) == 8
    assert MARKERS == ("o", "s", "^", "D", "v", "P", "X", "*")
    assert OKABE_ITO["vermillion"] == "#D55E00"


# --------------------------------------------------------------------------- decision boundary


def test_decision_boundary_points_per_class_with_distinct_styles():
    X, y = _points()
    ax = plot_decision_boundary(_nearest_centre, X, y, resolution=30)
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [s.get_label() for s in scatters] == ["class 0", "class 1", "class 2"]
    for k, s in enumerate(scatters):
        np.testing.assert_array_equal(s.get_offsets(), X[y == k])
        assert to_hex(s.get_facecolor()[0]) == PALETTE[k].lower()
    # each class its own marker: compare the marker paths
    verts = [s.get_paths()[0].vertices for s in scatters]
    assert not np.array_equal(verts[0], verts[1]) and not np.array_equal(verts[1], verts[2])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2"]
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    assert ax.get_title() == "Decision boundary"


def test_decision_boundary_regions_match_predict_and_grid_is_one_call():
    X, y = _points()
    calls = []

    def predict(G):
        calls.append(G.shape)
        return _nearest_centre(G)

    ax = plot_decision_boundary(predict, X, y, resolution=25, padding=1.0)
    assert calls == [(25 * 25, 2)]  # one vectorized call on the whole grid
    # limits = data box +- padding: x in [0 - 1, 4 + 1], y in [0 - 1, 4.2 + 1]
    np.testing.assert_allclose(ax.get_xlim(), (-1.0, 5.0))
    np.testing.assert_allclose(ax.get_ylim(), (-1.0, 5.2))
    filled = ax.collections[0]  # contourf: one filled level per class, light class colours
    fills = [to_rgb(c) for c in filled.get_facecolor()]
    assert len(fills) == 3
    for k, c in enumerate(fills):
        # 35 % colour + 65 % white
        np.testing.assert_allclose(c, 0.35 * np.array(to_rgb(PALETTE[k])) + 0.65, atol=1e-6)


def test_decision_boundary_binary_probabilities_are_thresholded():
    # p = sigmoid(x1 - 1): class 1 (the larger label) exactly where x1 >= 1.
    X = np.array([[0.0, 0.0], [2.0, 0.0]])
    y = np.array([0, 1])

    def proba(G):
        return 1.0 / (1.0 + np.exp(-(G[:, 0] - 1.0)))

    ax = plot_decision_boundary(proba, X, y, resolution=41, padding=1.0)
    # two regions and one boundary line, at x1 = 1
    boundary = ax.collections[1]
    xs = np.concatenate([p.vertices[:, 0] for p in boundary.get_paths()])
    np.testing.assert_allclose(xs, 1.0, atol=0.1)  # grid spacing 4/40 = 0.1
    assert len(ax.collections[0].get_facecolor()) == 2


def test_decision_boundary_bipolar_probabilities_map_to_larger_label():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([-1, 1])
    ax = plot_decision_boundary(lambda G: np.full(len(G), 0.9), X, y, resolution=5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class -1", "class 1"]
    # every grid point predicted +1 (p = 0.9 >= 0.5): the filled contour is class 1's colour
    fills = [to_rgb(c) for c in ax.collections[0].get_facecolor()]
    np.testing.assert_allclose(fills[1], 0.35 * np.array(to_rgb(PALETTE[1])) + 0.65, atol=1e-6)


def test_decision_boundary_accepts_column_predictions_and_uses_given_ax():
    X, y = _points()
    fig, ax = plt.subplots()
    out = plot_decision_boundary(
        lambda G: _nearest_centre(G)[:, None], X, y, ax=ax, resolution=10, title="mine"
    )
    assert out is ax
    assert len(fig.axes) == 1
    assert ax.get_title() == "mine"


def test_decision_boundary_resolution_takes_effect():
    X, y = _points()
    shapes = []

    def predict(G):
        shapes.append(len(G))
        return _nearest_centre(G)

    plot_decision_boundary(predict, X, y, resolution=7)
    assert shapes == [49]


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((4, 3)), np.zeros(4), r"X must have shape \(N, 2\)"),
        (np.zeros(4), np.zeros(4), "X must be a 2-D array"),
        (np.zeros((4, 2)), np.zeros(3), r"y must have shape \(N,\) = \(4,\)"),
        (np.zeros((4, 2)), np.zeros((4, 1)), "y must have shape"),
        (np.full((2, 2), np.nan), np.zeros(2), "X must contain only finite values"),
    ],
)
def test_decision_boundary_bad_points(X, y, match):
    with pytest.raises(ValueError, match=match):
        plot_decision_boundary(_nearest_centre, X, y)


def test_decision_boundary_bad_predict():
    X, y = _points()
    with pytest.raises(TypeError, match="predict must be a callable"):
        plot_decision_boundary("model", X, y)
    with pytest.raises(ValueError, match=r"predict\(grid\) must return shape \(100,\)"):
        plot_decision_boundary(lambda G: np.zeros((len(G), 3)), X, y, resolution=10)
    # non-integer outputs with three classes cannot be probabilities
    with pytest.raises(ValueError, match="predict must return class labels"):
        plot_decision_boundary(lambda G: np.full(len(G), 0.3), X, y, resolution=10)
    with pytest.raises(ValueError, match="resolution must be an integer >= 2"):
        plot_decision_boundary(_nearest_centre, X, y, resolution=1)
    with pytest.raises(ValueError, match="padding must be in"):
        plot_decision_boundary(_nearest_centre, X, y, padding=-1.0)


# --------------------------------------------------------------------------- loss surface


def _bowl(x1, x2):
    return x1**2 + 4 * x2**2


def test_loss_surface_paths_drawn_with_start_end_and_legend():
    paths = {
        "sgd": np.array([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]]),
        "adam": np.array([[-1.0, 1.0], [-0.5, 0.5]]),
    }
    ax = plot_loss_surface(_bowl, (-2, 2), (-1.5, 1.5), paths=paths, resolution=40)
    lines = ax.get_lines()
    assert len(lines) == 3 * len(paths)  # per path: the path, its start, its end
    for i, (name, p) in enumerate(paths.items()):
        path, start, end = lines[3 * i : 3 * i + 3]
        assert path.get_label() == name
        np.testing.assert_array_equal(path.get_xydata(), p)
        np.testing.assert_array_equal(start.get_xydata(), p[:1])
        np.testing.assert_array_equal(end.get_xydata(), p[-1:])
        assert path.get_marker() == MARKERS[i]
        assert to_hex(path.get_color()) == PALETTE[i].lower()
        assert start.get_markerfacecolor() == "white"  # hollow start, filled end
        assert to_hex(end.get_markerfacecolor()) == PALETTE[i].lower()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.5, 1.5)
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    assert ax.get_title() == "Loss surface"


def test_loss_surface_levels_log_and_linear():
    # On the grid x1 in [-2, 2], x2 in [-1, 1] the bowl spans 0 .. 4 + 4 = 8.
    ax = plot_loss_surface(_bowl, (-2, 2), (-1, 1), levels=5, log_levels=False, resolution=41)
    np.testing.assert_allclose(ax.collections[0].levels, [0, 2, 4, 6, 8])
    # log spacing of the height above the minimum: 0 + 8 * 10**(-3 + 3 i / 4)
    ax = plot_loss_surface(_bowl, (-2, 2), (-1, 1), levels=5, resolution=41)
    expected = 8 * 10.0 ** np.array([-3, -2.25, -1.5, -0.75, 0])
    np.testing.assert_allclose(ax.collections[0].levels, expected)
    # strictly positive surface: plain geometric spacing between min and max (1 .. 9)
    ax = plot_loss_surface(lambda a, b: _bowl(a, b) + 1, (-2, 2), (-1, 1), levels=3, resolution=41)
    np.testing.assert_allclose(ax.collections[0].levels, [1, 3, 9])
    # explicit levels are used as given
    ax = plot_loss_surface(_bowl, (-2, 2), (-1, 1), levels=[0.5, 1.0, 2.0], resolution=11)
    np.testing.assert_allclose(ax.collections[0].levels, [0.5, 1.0, 2.0])


def test_loss_surface_f_called_once_on_meshgrid_and_uses_given_ax():
    seen = []

    def f(a, b):
        seen.append((a.shape, b.shape, a[0, -1], b[-1, 0]))
        return _bowl(a, b)

    fig, ax = plt.subplots()
    out = plot_loss_surface(f, (-2, 3), (-1, 4), ax=ax, resolution=12, title="bowl")
    assert out is ax and len(fig.axes) == 1
    assert seen == [((12, 12), (12, 12), 3.0, 4.0)]
    assert ax.get_title() == "bowl"
    assert ax.get_legend() is None  # no paths, no legend


def test_loss_surface_bad_input():
    with pytest.raises(ValueError, match=r"xlim must be a pair \(low, high\) with low < high"):
        plot_loss_surface(_bowl, (2, -2), (-1, 1))
    with pytest.raises(ValueError, match="ylim must be a pair"):
        plot_loss_surface(_bowl, (-2, 2), (0, 1, 2))
    with pytest.raises(ValueError, match=r"paths\['sgd'\] must have shape \(T, 2\)"):
        plot_loss_surface(_bowl, (-2, 2), (-1, 1), paths={"sgd": np.zeros((5, 3))})
    with pytest.raises(ValueError, match=r"paths\['sgd'\] must be a 2-D array"):
        plot_loss_surface(_bowl, (-2, 2), (-1, 1), paths={"sgd": np.zeros(4)})
    with pytest.raises(TypeError, match="paths must be a dict"):
        plot_loss_surface(_bowl, (-2, 2), (-1, 1), paths=[np.zeros((3, 2))])
    with pytest.raises(ValueError, match="is f vectorized"):
        plot_loss_surface(lambda a, b: 1.0, (-2, 2), (-1, 1), resolution=5)
    with pytest.raises(ValueError, match="levels must be an integer >= 2"):
        plot_loss_surface(_bowl, (-2, 2), (-1, 1), levels=1)
    with pytest.raises(TypeError, match="f must be a callable"):
        plot_loss_surface(None, (-2, 2), (-1, 1))


def test_loss_surface_non_vectorized_f_gets_a_clear_error():
    import math

    contract = (
        r"f must accept arrays X1, X2 of the same shape \(5, 5\) and return an array of "
        r"that shape.*np\.vectorize\(f\)"
    )

    def scalar_exp(a, b):  # math.exp takes one number
        return math.exp(a) + b

    def branchy(a, b):  # `if` on an array: "truth value of an array is ambiguous"
        return a**2 if a > 0 else b**2

    with pytest.raises(TypeError, match=r"f\(X1, X2\) raised TypeError .*" + contract) as info:
        plot_loss_surface(scalar_exp, (-2, 2), (-1, 1), resolution=5)
    assert isinstance(info.value.__cause__, TypeError)  # the original error is kept
    with pytest.raises(TypeError, match=r"raised ValueError .*" + contract) as info:
        plot_loss_surface(branchy, (-2, 2), (-1, 1), resolution=5)
    assert "ambiguous" in str(info.value.__cause__)
    # accepts arrays but reduces them to one number: the wrong shape
    with pytest.raises(ValueError, match=r"returned shape \(\), not .* \(5, 5\).*" + contract):
        plot_loss_surface(lambda a, b: np.sum(a**2 + b**2), (-2, 2), (-1, 1), resolution=5)
    # the fix the message suggests works, and gives the vectorized surface's contours
    ax = plot_loss_surface(np.vectorize(branchy), (-2, 2), (-1, 1), resolution=5, levels=[1.0])
    ref = plot_loss_surface(
        lambda a, b: np.where(a > 0, a**2, b**2), (-2, 2), (-1, 1), resolution=5, levels=[1.0]
    )
    for p, q in zip(ax.collections[0].get_paths(), ref.collections[0].get_paths(), strict=True):
        np.testing.assert_allclose(p.vertices, q.vertices)

    # other exceptions from f are not relabelled
    def broken(a, b):
        raise KeyError("w")

    with pytest.raises(KeyError):
        plot_loss_surface(broken, (-2, 2), (-1, 1), resolution=5)


# --------------------------------------------------------------------------- layer activations


def _activations():
    # layer 1: [[1, 3]] -> mean 2, std 1; layer 2: [[0, 0], [0, 4]] -> mean 1, std sqrt(3)
    # (deviations -1, -1, -1, 3; squares sum to 12; 12 / 4 = 3)
    return [np.array([[1.0, 3.0]]), np.array([[0.0, 0.0], [0.0, 4.0]])]


def test_layer_statistics_hand_worked():
    means, stds = layer_statistics(_activations())
    np.testing.assert_allclose(means, [2.0, 1.0])
    np.testing.assert_allclose(stds, [1.0, np.sqrt(3.0)])


def test_layer_histograms_titles_counts_and_shared_y():
    acts = _activations()
    axes = plot_layer_histograms(acts, bins=4)
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    assert axes[0].get_title() == "layer 1\nmean=2, std=1"
    assert axes[1].get_title() == "layer 2\nmean=1, std=1.73"
    # common range over all layers: [0, 4], 4 bins of width 1
    for a, ax in zip(acts, axes, strict=True):
        heights = [p.get_height() for p in ax.patches]
        expected, edges = np.histogram(a, bins=4, range=(0.0, 4.0))
        np.testing.assert_array_equal(heights, expected)
        np.testing.assert_allclose([p.get_x() for p in ax.patches], edges[:-1])
        assert ax.get_xlabel() == "activation"
    assert axes[0].get_ylabel() == "count"
    # layer 2 has three zeros: the tallest bar (3) sets a common y-limit 1.05 * 3
    assert axes[0].get_ylim() == axes[1].get_ylim() == (0.0, pytest.approx(3.15))


def test_layer_histograms_titles_range_and_given_axes():
    acts = _activations()
    _fig, given = plt.subplots(1, 2)
    axes = plot_layer_histograms(
        acts, axes=given, bins=2, titles=["tanh a", "tanh b"], range=(-1.0, 5.0)
    )
    assert axes[0] is given[0] and axes[1] is given[1]
    assert axes[0].get_title().startswith("tanh a\nmean=2")
    # range (-1, 5) with 2 bins: edges -1, 2, 5
    np.testing.assert_allclose([p.get_x() for p in axes[1].patches], [-1.0, 2.0])
    np.testing.assert_array_equal([p.get_height() for p in axes[1].patches], [3, 1])


def _grid_position(ax):
    spec = ax.get_subplotspec()
    return spec.rowspan.start, spec.colspan.start


def test_layer_histograms_wrap_into_rows_of_five():
    # 10 layers: two rows of five (not one row ten panels wide), axes in layer order.
    acts = [np.full((4, 3), float(i)) for i in range(10)]
    axes = plot_layer_histograms(acts, bins=5)
    assert axes.shape == (10,)
    assert [_grid_position(ax) for ax in axes] == [(r, c) for r in range(2) for c in range(5)]
    assert [ax.get_title().split("\n")[0] for ax in axes] == [f"layer {i}" for i in range(1, 11)]
    assert axes[3].get_title() == "layer 4\nmean=3, std=0"  # layer 4 holds the value 3
    fig = axes[0].figure
    width, height = fig.get_size_inches()
    assert width == pytest.approx(5 * 3.0) and height == pytest.approx(2 * 3.2)  # ~3 in each
    assert len(fig.axes) == 10 and all(ax.get_visible() for ax in fig.axes)
    assert [ax.get_ylabel() for ax in axes] == ["count"] + [""] * 4 + ["count"] + [""] * 4
    assert len({ax.get_ylim() for ax in axes}) == 1  # shared y across rows too


def test_layer_histograms_hide_unused_panels():
    # 7 layers: a row of five and a row of two; the last row's 3 spare panels are hidden
    # and not returned.
    acts = [np.arange(6.0) * (i + 1) for i in range(7)]
    axes = plot_layer_histograms(acts)
    assert axes.shape == (7,)
    assert _grid_position(axes[5]) == (1, 0) and _grid_position(axes[6]) == (1, 1)
    fig = axes[0].figure
    hidden = [ax for ax in fig.axes if not ax.get_visible()]
    assert len(fig.axes) == 10 and len(hidden) == 3
    assert not any(ax in hidden for ax in axes)
    assert axes[6].get_title().startswith("layer 7\n")
    # three layers stay on one row, 3 panels wide
    axes = plot_layer_histograms(acts[:3])
    assert axes[0].figure.get_size_inches() == pytest.approx((9.0, 3.2))


def test_history_many_metrics_wrap_too():
    data = {"epoch": [0, 1]} | {f"m{i}": [1.0, 0.5] for i in range(6)}
    axes = plot_history(data, metrics=[f"m{i}" for i in range(6)])
    assert axes.shape == (6,)
    assert _grid_position(axes[5]) == (1, 0)
    assert axes[0].figure.get_size_inches() == pytest.approx((5 * 4.0, 2 * 3.2))


def test_layer_histograms_bad_input():
    acts = _activations()
    with pytest.raises(TypeError, match="activations must be a list of arrays"):
        plot_layer_histograms(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="at least one layer"):
        plot_layer_histograms([])
    with pytest.raises(ValueError, match=r"activations\[1\] must contain only finite"):
        plot_layer_histograms([np.zeros(3), np.array([np.inf])])
    with pytest.raises(ValueError, match=r"activations\[0\] is empty"):
        plot_layer_histograms([np.zeros((0, 3))])
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        _, ax = plt.subplots()
        plot_layer_histograms(acts, axes=[ax])
    with pytest.raises(ValueError, match="titles must be a list of 2 strings"):
        plot_layer_histograms(acts, titles=["only one"])
    with pytest.raises(ValueError, match="bins must be an integer >= 1"):
        plot_layer_histograms(acts, bins=0)
    with pytest.raises(ValueError, match="range must be a pair"):
        plot_layer_histograms(acts, range=(1.0, 1.0))


def test_layer_stats_lines():
    acts = _activations()
    fig, ax = plt.subplots()
    out = plot_layer_stats(acts, ax=ax)
    assert out is ax and len(fig.axes) == 1
    mean_line, std_line = (ln for ln in ax.get_lines() if not ln.get_label().startswith("_"))
    np.testing.assert_array_equal(mean_line.get_xdata(), [1, 2])
    np.testing.assert_allclose(mean_line.get_ydata(), [2.0, 1.0])
    np.testing.assert_allclose(std_line.get_ydata(), [1.0, np.sqrt(3.0)])
    assert mean_line.get_marker() != std_line.get_marker()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mean", "std"]
    assert ax.get_xlabel() == "layer" and ax.get_ylabel()
    assert ax.get_title()
    assert isinstance(plot_layer_stats(acts), type(ax))  # ax=None makes a new Axes


# --------------------------------------------------------------------------- history


def _history():
    nan = float("nan")
    return FakeHistory(
        [0, 1, 2],
        loss=[1.0, 0.5, 0.25],
        val_loss=[1.2, 0.7, 0.4],
        accuracy=[0.5, 0.75, 0.875],
        val_accuracy=[nan, nan, nan],  # e.g. no validation accuracy recorded
        lr=[0.1, 0.05, 0.025],
        grad_norm=[nan, nan, nan],
    )


def test_history_train_and_validation_lines():
    axes = plot_history(_history())
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    loss_ax, acc_ax = axes
    train, val = loss_ax.get_lines()
    assert train.get_label() == "train" and val.get_label() == "validation"
    np.testing.assert_array_equal(train.get_xdata(), [0, 1, 2])
    np.testing.assert_allclose(train.get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(val.get_ydata(), [1.2, 0.7, 0.4])
    assert train.get_marker() != val.get_marker() and train.get_color() != val.get_color()
    assert loss_ax.get_title() == "loss\nfinal: train 0.25, validation 0.4"
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_ylabel() == "loss"
    # all-NaN validation accuracy: only the training line
    assert [ln.get_label() for ln in acc_ax.get_lines()] == ["train"]
    assert acc_ax.get_title() == "accuracy\nfinal: train 0.875"
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train", "validation"]


def test_history_skips_unrecorded_metrics():
    # grad_norm is all NaN and weight_norm missing: only lr gets a panel
    axes = plot_history(_history(), metrics=("lr", "grad_norm", "weight_norm"))
    assert axes.shape == (1,)
    assert axes[0].get_ylabel() == "lr"
    assert axes[0].get_title() == "lr\nfinal: lr 0.025"  # no validation lr: labelled by name
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["lr"]
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), [0.1, 0.05, 0.025])


def test_history_given_axes_and_single_metric_string():
    _fig, given = plt.subplots(1, 2)
    axes = plot_history(_history(), metrics=("loss", "grad_norm"), axes=given)
    assert axes.shape == (1,) and axes[0] is given[0]
    assert not given[1].axison  # the skipped metric's panel is switched off
    _, ax = plt.subplots()
    out = plot_history(_history(), metrics="accuracy", axes=ax)
    assert out[0] is ax and ax.get_ylabel() == "accuracy"


def test_history_bad_input():
    with pytest.raises(ValueError, match=r"unknown metric 'acc'; available keys are: 'loss'"):
        plot_history(_history(), metrics=("loss", "acc"))
    with pytest.raises(ValueError, match="none of the metrics"):
        plot_history(_history(), metrics=("grad_norm",))
    with pytest.raises(ValueError, match="axes must hold 2 Axes"):
        _, ax = plt.subplots()
        plot_history(_history(), axes=[ax])
    with pytest.raises(TypeError, match=r"history must have an \.epoch list .* History\.as_dict"):
        plot_history([1.0, 0.5])


def _real_history():
    training = pytest.importorskip("nnlib.training")
    history = training.History()
    nan = float("nan")
    for epoch, (loss, val) in enumerate([(1.0, 1.2), (0.5, 0.7), (0.25, 0.4)]):
        history.append(
            epoch,
            loss=loss,
            val_loss=val,
            accuracy=nan,  # a regression: no accuracy
            val_accuracy=nan,
            lr=0.1,
            grad_norm=1.0,
            weight_norm=2.0,
        )
    return history


def test_history_accepts_as_dict_and_json():
    import json

    history = _real_history()
    from_object = plot_history(history, metrics=("loss", "accuracy", "lr"))
    plain = history.as_dict()  # {"epoch": [0, 1, 2], "loss": [...], ...}
    from_dict = plot_history(plain, metrics=("loss", "accuracy", "lr"))
    # JSON writes NaN as NaN; other tools write null, which reads back as None
    text = json.dumps(plain).replace("NaN", "null")
    from_json = plot_history(json.loads(text), metrics=("loss", "accuracy", "lr"))
    for axes in (from_dict, from_json):
        assert [ax.get_ylabel() for ax in axes] == ["loss", "lr"]  # accuracy all NaN: skipped
        for ax, ref in zip(axes, from_object, strict=True):
            assert ax.get_title() == ref.get_title()
            for line, ref_line in zip(ax.get_lines(), ref.get_lines(), strict=True):
                np.testing.assert_array_equal(line.get_xydata(), ref_line.get_xydata())
    assert from_dict[0].get_title() == "loss\nfinal: train 0.25, validation 0.4"
    with pytest.raises(ValueError, match="unknown metric 'epoch'; available keys are: 'loss'"):
        plot_history(plain, metrics=("epoch",))


def test_history_dict_epochs_given_or_counted():
    # "epoch" is used as the x values when given, else 0, 1, 2, ...
    ax = plot_history({"epoch": [5, 6, 7], "loss": [3.0, 2.0, 1.0]}, metrics="loss")[0]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [5, 6, 7])
    assert [ln.get_label() for ln in ax.get_lines()] == ["train"]
    ax = plot_history({"loss": np.array([3.0, 2.0]), "val_loss": [4.0, 3.5]}, metrics="loss")[0]
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [0, 1])
    assert ax.get_title() == "loss\nfinal: train 2, validation 3.5"


def test_module_all_is_public():
    for name in plotting.__all__:
        assert hasattr(plotting, name)
