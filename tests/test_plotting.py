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
    plot_criterion_landscape,
    plot_decision_boundary,
    plot_ema,
    plot_gaps,
    plot_gate_sweep,
    plot_gradient_stats,
    plot_hidden_layer,
    plot_history,
    plot_layer_histograms,
    plot_layer_stats,
    plot_linear_unit,
    plot_lines,
    plot_loss_surface,
    plot_mistakes,
    plot_net_inputs,
    plot_neuron_sketch,
    plot_novikoff_proof,
    plot_novikoff_runs,
    plot_paths,
    plot_perceptron_update,
    plot_schedules,
    plot_solution_counts,
    plot_unit_steps,
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
    with pytest.raises(TypeError, match="log_levels must be True or False, got str 'no'"):
        plot_loss_surface(_bowl, (-2, 2), (-1, 1), log_levels="no")


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


def _labelled(ax):
    return {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}


def test_layer_stats_overlays_a_prediction_and_names_the_last_layer():
    acts = _activations()
    ax = plot_layer_stats(acts, predicted=[1.1, 1.7])
    lines = _labelled(ax)
    assert set(lines) == {"mean", "std", "std, predicted"}
    np.testing.assert_allclose(lines["std, predicted"].get_ydata(), [1.1, 1.7])
    np.testing.assert_allclose(lines["std"].get_ydata(), [1.0, np.sqrt(3.0)])
    assert lines["std, predicted"].get_linestyle() == "--"
    assert ax.get_yscale() == "linear"
    assert ax.get_title().endswith("layer 2: std 1.73 measured, 1.7 predicted")


def test_layer_stats_log_scale_takes_a_result_object_and_drops_the_mean():
    from types import SimpleNamespace

    stats = SimpleNamespace(mean=np.array([0.1, -0.01, 1e-4]), std=np.array([0.2, 0.04, 8e-3]))
    pred = SimpleNamespace(std=np.array([0.21, 0.045, 9e-3]), mean=np.zeros(3))
    ax = plot_layer_stats(stats, predicted=pred, logy=True)
    lines = _labelled(ax)
    assert set(lines) == {"std", "std, predicted"}  # a mean near 0 has no place on a log axis
    np.testing.assert_allclose(lines["std"].get_ydata(), stats.std)
    np.testing.assert_allclose(lines["std, predicted"].get_ydata(), pred.std)
    np.testing.assert_array_equal(lines["std"].get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "log" and "log" in ax.get_ylabel()


def test_layer_stats_bad_prediction_or_flag():
    acts = _activations()
    with pytest.raises(ValueError, match=r"predicted must hold one value per layer, shape \(2,\)"):
        plot_layer_stats(acts, predicted=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="logy"):
        plot_layer_stats(acts, logy="yes")
    from types import SimpleNamespace

    with pytest.raises(ValueError, match=r"activations\.mean and activations\.std"):
        plot_layer_stats(SimpleNamespace(mean=np.zeros(2), std=np.zeros(3)))


def test_gradient_stats_lines_log_scale_and_title():
    dW, dX = np.array([3.7e5, 1.1e5, 4.8]), np.array([2.6e5, 7.6e4, 3.5])
    _fig, ax = plt.subplots()
    out = plot_gradient_stats(dW, dX, ax=ax)
    assert out is ax
    lines = _labelled(ax)
    np.testing.assert_allclose(lines["dW std"].get_ydata(), dW)
    np.testing.assert_allclose(lines["dX std"].get_ydata(), dX)
    np.testing.assert_array_equal(lines["dW std"].get_xdata(), [1, 2, 3])
    assert lines["dW std"].get_marker() != lines["dX std"].get_marker()
    assert ax.get_yscale() == "log"
    assert ax.get_title() == "Gradient std per layer\ndW: layer 1 3.7e+05, layer 3 4.8"
    assert plot_gradient_stats(dW, logy=False).get_yscale() == "linear"


def test_gradient_stats_takes_a_result_object_and_refuses_bad_input():
    from types import SimpleNamespace

    stats = SimpleNamespace(dW_std=np.array([1.0, 2.0]), dX_std=np.array([0.5, 0.25]))
    lines = _labelled(plot_gradient_stats(stats))
    np.testing.assert_allclose(lines["dX std"].get_ydata(), [0.5, 0.25])
    with pytest.raises(TypeError, match="dX_std must be None"):
        plot_gradient_stats(stats, dX_std=[1.0, 2.0])
    with pytest.raises(TypeError, match="backward=True"):
        plot_gradient_stats(SimpleNamespace(dW_std=None, dX_std=None))
    with pytest.raises(ValueError, match=r"dX_std must hold one value per layer"):
        plot_gradient_stats([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="dW_std must contain only finite"):
        plot_gradient_stats([1.0, np.nan])


def test_layer_stats_with_the_experiment_and_its_mean_field():
    from nnlib import experiments

    stats = experiments.activation_statistics("small", "tanh", n_layers=4, width=100, n=50, rng=0)
    mf = experiments.mean_field("tanh", 100 * 0.01**2, 4)
    ax = plot_layer_stats(stats, predicted=mf, logy=True)
    np.testing.assert_allclose(_labelled(ax)["std"].get_ydata(), stats.std)
    np.testing.assert_allclose(_labelled(ax)["std, predicted"].get_ydata(), mf.std)
    lines = _labelled(plot_gradient_stats(stats))
    np.testing.assert_allclose(lines["dW std"].get_ydata(), stats.dW_std)


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


# --------------------------------------------------------------------------- classic units

_GATE_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _artist(ax, gid):
    found = [a for a in (*ax.get_lines(), *ax.patches) if a.get_gid() == gid]
    return found[0] if found else None


def _shoelace(v):
    x, y = v[:, 0], v[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def test_linear_unit_line_lies_on_w_dot_x_equals_theta():
    w, theta = np.array([1.0, 2.0]), 3.0
    ax = plot_linear_unit(w, theta, _GATE_X, [0, 0, 0, 1])
    line = _artist(ax, "decision_line")
    xy = line.get_xydata()
    np.testing.assert_allclose(xy @ w, theta)  # every drawn point: 1 x1 + 2 x2 = 3
    assert np.ptp(xy[:, 0]) > 0  # a segment, not a point
    assert line.get_label() == "x1 + 2·x2 = 3"
    assert ax.get_title() == "w = (1, 2), θ = 3"
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"


def test_linear_unit_bias_kind_line_is_w_dot_x_plus_b_zero():
    # Hebb's bipolar AND: w = (2, 2), b = -2 -> the line x2 = -x1 + 1 (FACTS.md)
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    ax = plot_linear_unit([2, 2], -2, X, [1, -1, -1, -1], kind="bias")
    xy = _artist(ax, "decision_line").get_xydata()
    np.testing.assert_allclose(xy[:, 1], -xy[:, 0] + 1.0)
    assert _artist(ax, "decision_line").get_label() == "2·x1 + 2·x2 - 2 = 0"
    assert ax.get_title() == "w = (2, 2), b = -2"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "fires: w·x + b ≥ 0" and "y = -1" in legend and "y = 1" in legend


def test_linear_unit_vertical_and_steep_lines():
    ax = plot_linear_unit([2.0, 0.0], 1.0, _GATE_X, [0, 0, 1, 1], xlim=(-1, 2), ylim=(-1, 2))
    xy = _artist(ax, "decision_line").get_xydata()
    np.testing.assert_allclose(xy[:, 0], 0.5)  # x1 = θ / w1 everywhere on the line
    np.testing.assert_allclose(sorted(xy[:, 1]), [-1.0, 2.0])  # spans the whole view
    assert _artist(ax, "decision_line").get_label() == "2·x1 = 1"
    # nearly vertical: still exact and finite, parametrized by x2
    w = np.array([1.0, 1e-12])
    _, ax = plt.subplots()
    plot_linear_unit(w, 0.5, _GATE_X, [0, 0, 1, 1], ax=ax)
    xy = _artist(ax, "decision_line").get_xydata()
    assert np.all(np.isfinite(xy))
    np.testing.assert_allclose(xy @ w, 0.5)


@pytest.mark.parametrize(
    ("theta", "fires", "area"),
    [(-1.0, "fires everywhere", 4.0), (0.0, "fires everywhere", 4.0), (0.5, "never fires", 0.0)],
)
def test_linear_unit_zero_weights_has_no_line_and_says_so(theta, fires, area):
    ax = plot_linear_unit([0, 0], theta, _GATE_X, [1, 1, 1, 1], xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    assert _artist(ax, "decision_line") is None
    assert ax.get_title().endswith(f"w = 0: no decision line; the unit {fires}")
    region = _artist(ax, "fire_region")
    assert (0.0 if region is None else _shoelace(region.get_xy())) == pytest.approx(area)
    # the note is added to a custom title too
    _, ax = plt.subplots()
    plot_linear_unit([0, 0], theta, _GATE_X, [1, 1, 1, 1], ax=ax, title="mine")
    assert ax.get_title().startswith("mine\nw = 0")


def test_linear_unit_region_is_the_firing_half_plane():
    # AND, θ = 2, view [-0.5, 1.5]^2: x1 + x2 >= 2 is the triangle (0.5, 1.5), (1.5, 1.5),
    # (1.5, 0.5), area 1 * 1 / 2 = 0.5
    ax = plot_linear_unit([1, 1], 2, _GATE_X, [0, 0, 0, 1], xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    region = _artist(ax, "fire_region")
    v = region.get_xy()
    assert np.all(v @ np.array([1.0, 1.0]) >= 2.0 - 1e-12)
    assert _shoelace(v) == pytest.approx(0.5)
    np.testing.assert_allclose(
        to_rgb(region.get_facecolor()), 0.35 * np.array(to_rgb(PALETTE[1])) + 0.65
    )
    assert region.get_label() == "fires: w·x ≥ θ"
    # the other side: NAND (-1, -1), θ = -1.5 fires where x1 + x2 <= 1.5: the view (area 4)
    # minus the triangle above the line x1 + x2 = 1.5, whose legs are 1.5: 4 - 1.125
    ax = plot_linear_unit([-1, -1], -1.5, _GATE_X, [1, 1, 1, 0], xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))
    assert _shoelace(_artist(ax, "fire_region").get_xy()) == pytest.approx(4.0 - 1.125)
    # region=False: nothing shaded
    _, ax = plt.subplots()
    plot_linear_unit([1, 1], 2, _GATE_X, [0, 0, 0, 1], ax=ax, region=False)
    assert _artist(ax, "fire_region") is None and len(ax.patches) == 0


def test_linear_unit_classes_have_distinct_markers_and_colours():
    y = np.array([0, 1, 1, 0])
    _, ax = plt.subplots()
    out = plot_linear_unit([1, -1], 0.5, _GATE_X, y, ax=ax)
    assert out is ax
    scatters = [c for c in ax.collections if c.get_label().startswith("y = ")]
    assert [s.get_label() for s in scatters] == ["y = 0", "y = 1"]
    for k, s in enumerate(scatters):
        np.testing.assert_array_equal(s.get_offsets(), _GATE_X[y == k])
        assert to_hex(s.get_facecolor()[0]) == PALETTE[k].lower()
    verts = [s.get_paths()[0].vertices for s in scatters]
    assert not np.array_equal(verts[0], verts[1])
    # bipolar labels use the same styles: -1 like 0, +1 like 1
    ax = plot_linear_unit([1, -1], 0.5, _GATE_X, 2 * y - 1)
    scatters = [c for c in ax.collections if c.get_label().startswith("y = ")]
    assert [s.get_label() for s in scatters] == ["y = -1", "y = 1"]
    assert to_hex(scatters[1].get_facecolor()[0]) == PALETTE[1].lower()
    # a single class present keeps its own style
    ax = plot_linear_unit([1, -1], 0.5, _GATE_X, [1, 1, 1, 1])
    (only,) = [c for c in ax.collections if c.get_label().startswith("y = ")]
    assert to_hex(only.get_facecolor()[0]) == PALETTE[1].lower()


def test_linear_unit_limits_default_and_given():
    ax = plot_linear_unit([1, 1], 1, _GATE_X, [0, 1, 1, 1])
    np.testing.assert_allclose(ax.get_xlim(), (-0.5, 1.5))  # data box +- 0.5
    _, ax = plt.subplots()
    plot_linear_unit([1, 1], 1, _GATE_X, [0, 1, 1, 1], ax=ax, xlim=(-2, 3), ylim=(-1, 4))
    np.testing.assert_allclose(ax.get_xlim(), (-2, 3))
    np.testing.assert_allclose(ax.get_ylim(), (-1, 4))
    ax = plot_linear_unit([1, 1], 1, _GATE_X, [0, 1, 1, 1], label="OR", title="T")
    assert _artist(ax, "decision_line").get_label() == "OR" and ax.get_title() == "T"


def test_linear_unit_bad_input_names_the_argument():
    y = [0, 0, 0, 1]
    with pytest.raises(ValueError, match=r"w must hold 2 weights .* got shape \(3,\)"):
        plot_linear_unit([1, 1, 1], 2, _GATE_X, y)
    with pytest.raises(ValueError, match="w must contain only finite"):
        plot_linear_unit([np.nan, 1], 2, _GATE_X, y)
    with pytest.raises(TypeError, match="b_or_threshold must be a real number"):
        plot_linear_unit([1, 1], "2", _GATE_X, y)
    with pytest.raises(ValueError, match="b_or_threshold must be finite"):
        plot_linear_unit([1, 1], np.inf, _GATE_X, y)
    with pytest.raises(ValueError, match="unknown kind 'thresh'"):
        plot_linear_unit([1, 1], 2, _GATE_X, y, kind="thresh")
    with pytest.raises(ValueError, match=r"y must hold the labels of a linear unit.*\{0, 2\}"):
        plot_linear_unit([1, 1], 2, _GATE_X, [0, 2, 0, 2])
    with pytest.raises(ValueError, match=r"y must hold .* \{-1, 0, 1\}"):
        plot_linear_unit([1, 1], 2, _GATE_X, [-1, 0, 1, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        plot_linear_unit([1, 1], 2, np.zeros((4, 3)), y)
    with pytest.raises(ValueError, match=r"y must have shape \(N,\) = \(4,\)"):
        plot_linear_unit([1, 1], 2, _GATE_X, [0, 1])
    with pytest.raises(ValueError, match="xlim must be a pair"):
        plot_linear_unit([1, 1], 2, _GATE_X, y, xlim=(1, 0))


def test_lines_draws_each_unit_on_its_own_line():
    # the two hidden units of XOR = (x1 OR x2) AND (x1 NAND x2), thresholds mid-interval
    units = [([1, 1], 0.5, "h1 OR"), ([-1, -1], -1.5, "h2 NAND")]
    ax = plot_lines(units, _GATE_X, [0, 1, 1, 0], region=True)
    lines = [_artist(ax, f"decision_line_{i}") for i in range(2)]
    for line, (w, theta, label) in zip(lines, units, strict=True):
        np.testing.assert_allclose(line.get_xydata() @ np.array(w, float), theta)
        assert line.get_label().startswith(label + ": ")
    assert lines[0].get_label() == "h1 OR: x1 + x2 = 0.5"
    assert lines[1].get_label() == "h2 NAND: -x1 - x2 = -1.5"
    assert lines[0].get_color() != lines[1].get_color()
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert {to_hex(ln.get_color()) for ln in lines} == {PALETTE[2].lower(), PALETTE[3].lower()}
    regions = [_artist(ax, f"fire_region_{i}") for i in range(2)]
    assert all(r is not None for r in regions)
    assert ax.get_title() == "Decision lines of 2 units"
    scatters = [c for c in ax.collections if c.get_label().startswith("y = ")]
    assert [len(s.get_offsets()) for s in scatters] == [2, 2]


def test_lines_kind_bias_default_labels_and_zero_unit():
    units = [([1, 0], -0.5), ([0, 0], 1.0)]  # bias kind: x1 - 0.5 = 0; and w = 0, b = 1
    _, ax = plt.subplots()
    out = plot_lines(units, _GATE_X, [0, 1, 1, 0], ax=ax, kind="bias", title="T")
    assert out is ax and ax.get_title() == "T"
    np.testing.assert_allclose(_artist(ax, "decision_line_0").get_xdata(), 0.5)
    assert _artist(ax, "decision_line_1") is None
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "unit 1: x1 - 0.5 = 0"
    assert legend[1] == "unit 2: w = 0: no decision line; the unit fires everywhere"
    assert len(ax.patches) == 0  # region=False by default


def test_lines_bad_input():
    with pytest.raises(TypeError, match="units must be a non-empty list"):
        plot_lines([], _GATE_X, [0, 1, 1, 0])
    with pytest.raises(TypeError, match=r"units\[0\] must be a tuple"):
        plot_lines([np.array([1, 1])], _GATE_X, [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"units\[0\] must have 2 or 3 entries"):
        plot_lines([([1, 1],)], _GATE_X, [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"units\[1\] weights must hold 2 weights"):
        plot_lines([([1, 1], 1), ([1, 1, 1], 1)], _GATE_X, [0, 1, 1, 0])
    with pytest.raises(TypeError, match=r"units\[0\] threshold must be a real number"):
        plot_lines([([1, 1], None)], _GATE_X, [0, 1, 1, 0])


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_lines_both_fire_swatch_only_where_the_regions_overlap():
    # or_nand's hidden neurons (centred thresholds) fire together on the band between the
    # lines, 0.5 <= x1 + x2 <= 1.5; and_not's fire on x1 - x2 >= 0.5 and -x1 + x2 >= 0.5,
    # which no point satisfies (adding them gives 0 >= 1).
    view = {"xlim": (-0.5, 1.5), "ylim": (-0.5, 1.5)}
    band = [([1, 1], 0.5, "h1"), ([-1, -1], -1.5, "h2")]
    ax = plot_lines(band, _GATE_X, [0, 1, 1, 0], region=True, **view)
    swatch = _artist(ax, "both_fire")
    assert swatch is not None and swatch.get_label() == "both fire"
    assert _legend_texts(ax)[:5] == ["h1 fires", "h1: x1 + x2 = 0.5", "h2 fires",
                                     "h2: -x1 - x2 = -1.5", "both fire"]  # fmt: skip
    # the swatch shows the blended tint: white, then 15 % of unit 0's, then 15 % of unit 1's
    c0, c1 = np.array(to_rgb(PALETTE[2])), np.array(to_rgb(PALETTE[3]))
    expected = 0.85**2 + 0.15 * 0.85 * c0 + 0.15 * c1
    np.testing.assert_allclose(swatch.get_facecolor()[:3], expected)
    disjoint = [([1, -1], 0.5, "h1"), ([-1, 1], 0.5, "h2")]
    ax = plot_lines(disjoint, _GATE_X, [0, 1, 1, 0], region=True, **view)
    assert _artist(ax, "both_fire") is None
    assert "both fire" not in _legend_texts(ax)
    assert [r is not None for r in (_artist(ax, f"fire_region_{i}") for i in range(2))] == [1, 1]
    # regions that overlap only outside the view: no swatch either
    ax = plot_lines([([1, 0], 1.0, "a"), ([0, 1], 1.0, "b")], _GATE_X, [0, 1, 1, 0],
                    region=True, xlim=(-0.5, 1.5), ylim=(-0.5, 0.9))  # fmt: skip
    assert _artist(ax, "both_fire") is None
    ax = plot_lines([([1, 0], 1.0, "a"), ([0, 1], 1.0, "b")], _GATE_X, [0, 1, 1, 0],
                    region=True, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5))  # fmt: skip
    assert _artist(ax, "both_fire") is not None  # the corner x1 >= 1, x2 >= 1 is in view


def test_lines_region_labels():
    units = [([1, 1], 0.5, "h1 = x1 OR x2"), ([-1, -1], -1.5, "h2 = NAND")]
    ax = plot_lines(units, _GATE_X, [0, 1, 1, 0], region=True, region_labels=["A", "B"])
    assert [_artist(ax, f"fire_region_{i}").get_label() for i in range(2)] == ["A", "B"]
    with pytest.raises(ValueError, match=r"region_labels must hold one label per unit \(2\)"):
        plot_lines(units, _GATE_X, [0, 1, 1, 0], region=True, region_labels=["A"])
    with pytest.raises(TypeError, match="region_labels must be a list of 2 strings"):
        plot_lines(units, _GATE_X, [0, 1, 1, 0], region=True, region_labels="AB")
    with pytest.raises(ValueError, match="only used with region=True"):
        plot_lines(units, _GATE_X, [0, 1, 1, 0], region_labels=["A", "B"])


def _arrow_ends(ax, gid):
    arrow = _artist(ax, gid)
    return None if arrow is None else np.array(arrow._posA_posB)


@pytest.mark.parametrize(
    ("x", "y", "lr", "w_after", "b_after", "title"),
    [  # w = (2, -1), b = 0: w·(0.5, 2) = -1 (a false negative), w·(2, 1) = 3 (a false positive)
        ([0.5, 2.0], 1, 1.0, [2.5, 1.0], 1.0, "false negative (y = +1, w·x + b = -1): w ← w + αx"),
        ([2.0, 1], -1, 0.5, [1.0, -1.5], -0.5, "false positive (y = -1, w·x + b = 3): w ← w - αx"),
    ],
)
def test_perceptron_update_is_drawn_as_a_vector_addition(x, y, lr, w_after, b_after, title):
    w = np.array([2.0, -1.0])
    ax = plot_perceptron_update(w, x, y, lr=lr)
    assert ax.get_title() == title
    np.testing.assert_allclose(_arrow_ends(ax, "w_before"), [[0, 0], w])
    np.testing.assert_allclose(_arrow_ends(ax, "x"), [[0, 0], x])
    np.testing.assert_allclose(_arrow_ends(ax, "step"), [w, w_after])  # head to tail
    np.testing.assert_allclose(_arrow_ends(ax, "w_after"), [[0, 0], w_after])
    before = _artist(ax, "line_before").get_xydata()
    np.testing.assert_allclose(before @ w, 0.0, atol=1e-12)  # b = 0: through the origin
    after = _artist(ax, "line_after").get_xydata()
    np.testing.assert_allclose(after @ np.array(w_after) + b_after, 0.0, atol=1e-12)
    # the sample's score y(w·x + b) rose by lr (‖x‖² + 1): from -1 to 4.25, and from -3 to 0
    rise = y * (np.array(w_after) @ x + b_after) - y * (w @ x)
    assert rise == pytest.approx(lr * (np.dot(x, x) + 1))


def test_perceptron_update_without_a_mistake_changes_nothing():
    ax = plot_perceptron_update([2.0, -1.0], [2.0, 1.0], 1, b=-1.0)  # w·x + b = 2 > 0, y = +1
    assert ax.get_title() == "no mistake (y = +1, w·x + b = 2): w unchanged"
    assert _artist(ax, "step") is None and _artist(ax, "w_after") is None
    assert _artist(ax, "line_before") is None
    line = _artist(ax, "line_after").get_xydata()
    np.testing.assert_allclose(line @ np.array([2.0, -1.0]) - 1.0, 0.0, atol=1e-12)


def test_perceptron_update_bad_input():
    with pytest.raises(ValueError, match=r"w must hold 2 numbers .* got shape \(3,\)"):
        plot_perceptron_update([1, 2, 3], [1, 1], 1)
    with pytest.raises(ValueError, match="y must be the bipolar label -1 or \\+1, got 0"):
        plot_perceptron_update([1, 2], [1, 1], 0)
    with pytest.raises(ValueError, match="lr"):
        plot_perceptron_update([1, 2], [1, 1], 1, lr=0)
    with pytest.raises(ValueError, match="lim must be a pair"):
        plot_perceptron_update([1, 2], [1, 1], 1, lim=(1, 0))


def _and_landscape(w):
    # binary AND, bipolar labels, bias -1 (threshold 1); the count and J over the grid w x w
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([-1, -1, -1, 1])
    margins = y * (w[None, :, None] * X[:, 0] + w[:, None, None] * X[:, 1] - 1.0)
    return (margins <= 0).sum(axis=2), np.where(margins <= 0, -margins, 0.0).sum(axis=2)


def test_criterion_landscape_shows_the_count_and_arrows_down_j():
    w = np.linspace(-1.5, 2.5, 81)
    mistakes, J = _and_landscape(w)
    ax_count, ax_j = plot_criterion_landscape(w, w, mistakes, J)
    image = next(im for im in ax_count.get_images() if im.get_gid() == "mistakes")
    np.testing.assert_array_equal(image.get_array(), mistakes)
    quiver = next(c for c in ax_j.collections if c.get_gid() == "descent_arrows")
    P, U, V = quiver.get_offsets(), quiver.U, quiver.V
    assert len(P) > 0
    for (p1, p2), u, v in zip(P, U, V, strict=True):  # every arrow points downhill on J
        assert _j_at(p1 + 1e-3 * u, p2 + 1e-3 * v) < _j_at(p1, p2)
    # at w = (-1.5, -1.5) only (1, 1) is wrong, J = 1 - w1 - w2: -grad J = (1, 1)
    (k,) = np.flatnonzero(np.all(P == [-1.5, -1.5], axis=1))
    np.testing.assert_allclose([U[k], V[k]], np.array([1.0, 1.0]) / np.sqrt(2))
    assert "slope 0" in ax_count.get_title() and "slope" in ax_j.get_title()
    assert ax_count.get_xlabel() == ax_j.get_xlabel() == "w1"


def _j_at(w1, w2):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([-1, -1, -1, 1])
    m = y * (X @ np.array([w1, w2]) - 1.0)
    return float(-np.sum(m[m <= 0]))


def test_criterion_landscape_bad_input():
    w = np.linspace(0, 1, 5)
    good = np.zeros((5, 5))
    with pytest.raises(ValueError, match=r"mistakes must have shape .* = \(5, 5\), got \(5, 4\)"):
        plot_criterion_landscape(w, w, np.zeros((5, 4)), good)
    with pytest.raises(ValueError, match="w1_values must hold at least 2 increasing values"):
        plot_criterion_landscape(w[::-1], w, good, good)
    with pytest.raises(ValueError, match="n_arrows"):
        plot_criterion_landscape(w, w, good, good, n_arrows=1)


def test_neuron_sketch_labels_every_part_and_marks_the_inhibitory_synapse():
    ax = plot_neuron_sketch()
    parts = [t.get_text() for t in ax.texts if t.get_gid() == "part"]
    assert parts == list(plotting.NEURON_PARTS)
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("x")] == ["x1", "x2", "x3"]
    kinds = [ln.get_gid() for ln in ax.get_lines() if (ln.get_gid() or "").startswith("synapse")]
    assert kinds == ["synapse_excitatory", "synapse_excitatory", "synapse_inhibitory"]
    assert _artist(ax, "soma") is not None and not ax.axison
    _, ax = plt.subplots()
    out = plot_neuron_sketch(ax=ax, inhibitory=())
    assert out is ax
    kinds = {ln.get_gid() for ln in ax.get_lines() if (ln.get_gid() or "").startswith("synapse")}
    assert kinds == {"synapse_excitatory"}
    with pytest.raises(ValueError, match=r"synapse numbers 0, 1 or 2, got \[3\]"):
        plot_neuron_sketch(inhibitory=[3])
    with pytest.raises(TypeError, match="inhibitory must be a sequence"):
        plot_neuron_sketch(inhibitory=2)


def test_unit_steps_one_panel_per_row_with_its_line_and_ring():
    # Hebb's bipolar AND after each pattern: (1, 1, 1), (0, 2, 0), (1, 1, -1), (2, 2, -2)
    W = np.array([[1, 1, 1], [0, 2, 0], [1, 1, -1], [2, 2, -2]], dtype=float)
    X = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=float)
    t = np.array([1, -1, -1, -1])
    axes = plot_unit_steps(W, X, t, titles=list("abcd"), highlight=list(X), highlight_label="p")
    assert len(axes) == 4 and [ax.get_title() for ax in axes] == list("abcd")
    for ax, row, x in zip(axes, W, X, strict=True):
        xy = _artist(ax, "decision_line").get_xydata()
        np.testing.assert_allclose(xy @ row[:2] + row[2], 0.0, atol=1e-12)
        ring = next(c for c in ax.collections if c.get_gid() == "ring")
        np.testing.assert_array_equal(ring.get_offsets(), [x])
        assert ax.get_legend() is None  # one legend for the figure
    (legend,) = axes[0].figure.legends
    assert [t.get_text() for t in legend.get_texts()][-1] == "p"
    axes = plot_unit_steps(W[:2], X, t, highlight=[None, X[1]])
    assert [ax.get_title() for ax in axes] == ["step 0", "step 1"]
    assert not [c for c in axes[0].collections if c.get_gid() == "ring"]


def test_unit_steps_bad_input():
    X, t = np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([1, -1])
    with pytest.raises(ValueError, match=r"weights must have shape \(K, 3\)"):
        plot_unit_steps(np.zeros((2, 2)), X, t)
    with pytest.raises(ValueError, match=r"titles must hold one entry per row of weights \(2\)"):
        plot_unit_steps(np.ones((2, 3)), X, t, titles=["a"])
    with pytest.raises(ValueError, match="each highlight point must be None or a point"):
        plot_unit_steps(np.ones((2, 3)), X, t, highlight=[None, [1, 2, 3]])


def test_novikoff_runs_bars_and_bound():
    ax = plot_novikoff_runs([12, 30, 7], 120.0, title="T")
    heights = [p.get_height() for p in ax.patches]
    assert heights == [12, 30, 7]
    assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == [1, 2, 3]  # runs from 1
    bound = _artist(ax, "bound")
    assert bound.get_ydata()[0] == 120.0 and "120" in bound.get_label()
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] <= 7 and ax.get_ylim()[1] > 120
    assert ax.get_title() == "T"
    with pytest.raises(ValueError, match="counts must be whole numbers >= 1"):
        plot_novikoff_runs([0, 3], 10)
    with pytest.raises(ValueError, match="bound"):
        plot_novikoff_runs([3], -1)


def test_novikoff_proof_curves():
    # three updates from w~0 = (0, 0, 1), u = (0, 0, 1): projections 1, 2, 2.5, 3
    H = np.array([[0, 0, 1], [1, 0, 2], [1, 1, 2.5], [0, 1, 3]], dtype=float)
    u = np.array([0.0, 0.0, 1.0])
    ax = plot_novikoff_proof(H, u, gamma=0.5, R=2.0)
    k = np.arange(4)
    np.testing.assert_allclose(_artist(ax, "projection").get_ydata(), [1, 2, 2.5, 3])
    np.testing.assert_allclose(_artist(ax, "floor").get_ydata(), 1 + 0.5 * k)
    np.testing.assert_allclose(_artist(ax, "length").get_ydata(), np.linalg.norm(H, axis=1))
    np.testing.assert_allclose(_artist(ax, "ceiling").get_ydata(), np.sqrt(1 + 4 * k))
    with pytest.raises(ValueError, match="u must be a unit vector of length 3"):
        plot_novikoff_proof(H, [0, 0, 2.0], 0.5, 2.0)
    with pytest.raises(ValueError, match="gamma"):
        plot_novikoff_proof(H, u, 0, 2.0)


def test_net_inputs_grouped_bars_with_their_values():
    # lesson 02's 3-input case: Hebb's net input is -2 everywhere, the separator's 1, -1, -1, -1
    nets = {"Hebb": [-2, -2, -2, -2], "separating": [1, -1, -1, -1]}
    ax = plot_net_inputs(nets, ["p1", "p2", "p3", "p4"], title="T")
    for i, values in enumerate(nets.values()):
        bars = [p for p in ax.patches if p.get_gid() == f"net_{i}"]
        assert [b.get_height() for b in bars] == values
        centres = [b.get_x() + b.get_width() / 2 for b in bars]
        np.testing.assert_allclose(centres, np.arange(4) + (-0.2 if i == 0 else 0.2))
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["-2"] * 4 + ["1", "-1", "-1", "-1"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["p1", "p2", "p3", "p4"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Hebb", "separating"]
    assert ax.get_title() == "T" and ax.get_ylim()[0] < -2 and ax.get_ylim()[1] > 1
    with pytest.raises(TypeError, match="nets must be a non-empty mapping"):
        plot_net_inputs([[1, 2]], ["a", "b"])
    with pytest.raises(ValueError, match=r"patterns must hold one label per pattern \(2\)"):
        plot_net_inputs({"a": [1, 2]}, ["a"])
    with pytest.raises(ValueError, match="every unit in nets needs 2 net inputs"):
        plot_net_inputs({"a": [1, 2], "b": [1]}, ["a", "b"])


def test_gate_sweep_levels_follow_the_names():
    thetas = np.array([-0.5, 0.5, 1.0, 1.5, 2.0, 2.5])
    names = ["always fires", "or", "or", "and", "and", "never fires"]
    ax = plot_gate_sweep(thetas, names, corner_nets=[0, 1, 1, 2], title="T")
    step = next(ln for ln in ax.get_lines() if ln.get_gid() == "sweep")
    np.testing.assert_array_equal(step.get_xdata(), thetas)
    np.testing.assert_array_equal(step.get_ydata(), [0, 1, 1, 2, 2, 3])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["always fires", "or", "and",
                                                           "never fires"]  # fmt: skip
    dotted = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert dotted == [0, 1, 2]  # one line per distinct corner net input
    assert ax.get_title() == "T"
    with pytest.raises(ValueError, match="names must hold one name per threshold"):
        plot_gate_sweep(thetas, names[:2])
    with pytest.raises(ValueError, match="increasing"):
        plot_gate_sweep(thetas[::-1], names)


def test_solution_counts_one_panel_per_gate_white_where_none():
    grid = np.array([-1.0, 0.0, 1.0])
    counts = {"and": np.array([[0, 0, 0], [0, 0, 0], [0, 0, 2]]), "xor": np.zeros((3, 3))}
    axes = plot_solution_counts(grid, counts)
    assert [ax.get_title() for ax in axes] == ["AND", "XOR"]
    image = next(im for im in axes[0].get_images() if im.get_gid() == "counts")
    data = image.get_array()
    assert data.mask.sum() == 8 and data[2, 2] == 2  # only (w1, w2) = (1, 1) has a threshold
    np.testing.assert_allclose(image.get_extent(), [-1.5, 1.5, -1.5, 1.5])
    assert image.get_clim() == (1, 2)  # one scale for every panel
    with pytest.raises(ValueError, match=r"shape \(G, G\) = \(3, 3\)"):
        plot_solution_counts(grid, {"and": np.zeros((2, 3))})
    with pytest.raises(ValueError, match="evenly spaced"):
        plot_solution_counts([0, 1, 3], {"and": np.zeros((3, 3))})


def test_hidden_layer_panels():
    X = _GATE_X
    t = np.array([0, 1, 1, 0])
    units = [([1.0, -1.0], 0.5, "h1"), ([-1.0, 1.0], 0.5, "h2")]  # and_not, centred
    H = np.array([[0, 0], [0, 1], [1, 0], [0, 0]])
    left, right = plot_hidden_layer(units, ([1, 1], 0.5), X, t, H, name="and_not")
    assert left.get_title() == "and_not: the hidden neurons over the inputs"
    assert _artist(left, "both_fire") is None  # the regions do not meet
    regions = [_artist(left, f"fire_region_{i}").get_label() for i in range(2)]
    assert regions == ["h1 fires", "h2 fires"]
    assert _artist(right, "decision_line").get_label() == "h1 + h2 = 0.5"
    assert right.get_xlabel() == "h1" and right.get_ylabel() == "h2"
    scatter = next(c for c in right.collections if c.get_label() == "y = 1")
    np.testing.assert_array_equal(scatter.get_offsets(), H[t == 1])


def test_mistakes_per_epoch_line_and_title():
    ax = plot_mistakes([3, 2, 1, 0])
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(line.get_ydata(), [3, 2, 1, 0])
    assert line.get_marker() == MARKERS[0]
    assert ax.get_title() == "Mistakes per epoch\nfirst 3, last 0 (converged after 4 epochs)"
    assert ax.get_xlabel() == "epoch" and "mistakes" in ax.get_ylabel()
    assert ax.get_ylim()[0] < 0 <= ax.get_ylim()[0] + 0.5  # 0 visible, just above the bottom
    _, ax = plt.subplots()
    out = plot_mistakes(np.array([2, 2, 2]), ax=ax, title="XOR")
    assert out is ax
    assert ax.get_title() == "XOR\nfirst 2, last 2 (not converged after 3 epochs)"


def test_mistakes_of_several_runs_share_the_axes():
    runs = {"fixed order": [4, 4, 4], "random order": [2, 3, 4, 2]}
    ax = plot_mistakes(runs, title="XOR")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["fixed order", "random order"]
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3, 4])  # epochs from 1
    np.testing.assert_array_equal(lines[1].get_ydata(), [2, 3, 4, 2])
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    assert ax.get_title() == "XOR\nfixed order: first 4, last 4 (not converged after 3 epochs)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(runs)
    with pytest.raises(ValueError, match=r"mistakes_per_epoch\['b'\] must hold counts"):
        plot_mistakes({"a": [1], "b": [-1]})
    with pytest.raises(ValueError, match="at least one run"):
        plot_mistakes({})


def test_mistakes_bad_input():
    with pytest.raises(ValueError, match="at least one epoch"):
        plot_mistakes([])
    with pytest.raises(ValueError, match="counts"):
        plot_mistakes([1, -1])
    with pytest.raises(ValueError, match="counts"):
        plot_mistakes([1.5])
    with pytest.raises(ValueError, match="mistakes_per_epoch must be a 1-D array"):
        plot_mistakes([[1, 2]])


def test_classic_plots_of_nnlib_classic_objects():
    # the XOR network's hidden neurons and a perceptron run, straight from nnlib.classic
    classic = pytest.importorskip("nnlib.classic")
    net = classic.xor_network("and_not")
    units = [(n.weights, n.threshold, f"h{i + 1}") for i, n in enumerate(net.layers[0])]
    X, y = classic.gate_truth_table("xor")
    ax = plot_lines(units, X, y)
    for i, n in enumerate(net.layers[0]):
        xy = _artist(ax, f"decision_line_{i}").get_xydata()
        np.testing.assert_allclose(xy @ n.weights, n.threshold)
    result = classic.perceptron(X, classic.bipolar(y), epochs=5)
    ax = plot_mistakes(result.mistakes_per_epoch)
    assert ax.get_title().endswith("(not converged after 5 epochs)")


# --------------------------------------------------------------------------- legends and views


def _extents(ax):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    r = canvas.get_renderer()
    return (
        ax.get_window_extent(r),
        ax.get_legend().get_window_extent(r),
        ax.xaxis.label.get_window_extent(r),
        ax.figure.bbox,
    )


@pytest.mark.parametrize("which", ["unit", "lines"])
def test_classic_legends_sit_below_the_axes_and_are_not_clipped(which):
    if which == "unit":
        ax = plot_linear_unit([1, 1], 1.5, _GATE_X, [0, 0, 0, 1])
    else:
        units = [([1, 1], 1, "h1 = x1 OR x2"), ([-1, -1], -1.5, "h2 = x1 NAND x2")]
        ax = plot_lines(units, _GATE_X, [0, 1, 1, 0])
    assert ax.figure.get_layout_engine() is not None  # a new figure: constrained layout
    box, legend, xlabel, fig = _extents(ax)
    assert legend.y1 < xlabel.y0 < box.y0  # under the x label, off the data
    assert legend.y0 >= fig.y0 and legend.x0 >= fig.x0 and legend.x1 <= fig.x1


def test_unit_legend_columns_and_empty_axes():
    _, ax = plt.subplots()
    assert plotting.unit_legend(ax) is None  # nothing labelled: no legend
    ax.plot([0, 1], [0, 1], label="a")
    ax.plot([0, 1], [1, 0], label="b")
    assert plotting.unit_legend(ax)._ncols == 2
    assert plotting.unit_legend(ax, ncol=1)._ncols == 1
    ax.plot([0, 1], [1, 1], label="a label longer than twenty-six characters")
    assert plotting.unit_legend(ax)._ncols == 1
    with pytest.raises(ValueError, match="ncol"):
        plotting.unit_legend(ax, ncol=0)


def test_line_outside_the_view_is_labelled_so():
    # x1 + x2 = 5 misses the view [-0.5, 1.5]^2 (its largest x1 + x2 is 3)
    ax = plot_linear_unit([1, 1], 5, _GATE_X, [0, 0, 0, 0])
    assert _artist(ax, "decision_line").get_label() == "x1 + x2 = 5 (outside the view)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "x1 + x2 = 5 (outside the view)" in legend
    # wider limits bring it into view: no note
    ax = plot_linear_unit([1, 1], 5, _GATE_X, [0, 0, 0, 0], xlim=(0, 4), ylim=(0, 4))
    assert _artist(ax, "decision_line").get_label() == "x1 + x2 = 5"
    # a custom label gets the note too; a line through a corner counts as in view
    ax = plot_linear_unit([1, 1], 3, _GATE_X, [0, 0, 0, 0], label="L", kind="bias")
    assert _artist(ax, "decision_line").get_label() == "L (outside the view)"  # x1 + x2 = -3
    ax = plot_linear_unit([1, 1], 3, _GATE_X, [0, 0, 0, 0], label="L")  # touches (1.5, 1.5)
    assert _artist(ax, "decision_line").get_label() == "L"
    units = [([1, 1], 1, "in"), ([1, -1], 4, "out")]
    ax = plot_lines(units, _GATE_X, [0, 1, 1, 0])
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "in: x1 + x2 = 1" in labels and "out: x1 - x2 = 4 (outside the view)" in labels


def test_line_in_view():
    assert plotting.line_in_view([1, 1], 1, (0, 1), (0, 1))
    assert plotting.line_in_view([1, 0], 1, (0, 1), (0, 1))  # the edge x1 = 1
    assert not plotting.line_in_view([1, 0], 1.01, (0, 1), (0, 1))
    assert not plotting.line_in_view([0, -1], 0.5, (0, 1), (0, 1))  # x2 = -0.5: below
    assert not plotting.line_in_view([0, 0], 0, (0, 1), (0, 1))  # w = 0: no line


# --------------------------------------------------------------------------- optimizers


def test_plot_paths_draws_each_path_and_stars_the_minimum():
    from nnlib import experiments
    from nnlib.surfaces import SURFACES

    s = SURFACES["valley"]
    paths = {
        "SGD": experiments.run_optimizer("sgd", s, 30, lr=0.03),
        "diverged": experiments.run_optimizer("sgd", s, 3000, lr=0.05),  # NaN tail
    }
    assert np.isnan(paths["diverged"][-1]).all()
    ax = plot_paths(s, paths, resolution=40)
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_xydata(), paths["SGD"])
    finite = paths["diverged"][np.isfinite(paths["diverged"]).all(axis=1)]
    np.testing.assert_array_equal(lines[3].get_xydata(), finite)  # NaN tail dropped
    np.testing.assert_array_equal(lines[5].get_xydata(), finite[-1:])  # end = last finite
    star = [ln for ln in lines if ln.get_gid() == "minimum"]
    assert len(star) == 1 and star[0].get_xydata().tolist() == [[0.0, 0.0]]
    assert star[0].get_marker() == "*"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD", "diverged", "minimum"]
    assert ax.get_title() == s.formula
    assert ax.get_xlim() == s.xlim and ax.get_ylim() == s.ylim
    # contours are the surface's own values
    g1, g2 = np.meshgrid(np.linspace(*s.xlim, 40), np.linspace(*s.ylim, 40))
    assert ax.collections[0].levels[-1] == pytest.approx(s.on_grid(g1, g2).max())
    # the saddle has no minimum: no star
    ax = plot_paths(SURFACES["saddle"], {}, resolution=20)
    assert not [ln for ln in ax.get_lines() if ln.get_gid() == "minimum"]
    with pytest.raises(TypeError, match=r"nnlib\.surfaces\.Surface"):
        plot_paths(lambda a, b: a, {})


def test_plot_gaps_log_scale_tol_line_and_step_counts():
    gaps = {"fast": 10.0 ** -np.arange(0, 10.0), "slow": np.full(10, 1.0), "exact": np.zeros(3)}
    ax = plot_gaps(gaps, tol=1e-6)
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), gaps["fast"])
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(10))
    np.testing.assert_allclose(lines[2].get_ydata(), 1e-16)  # 0 drawn at the floor
    assert ax.get_yscale() == "log"
    tol = [ln for ln in lines if ln.get_gid() == "tol"]
    assert len(tol) == 1 and tol[0].get_ydata()[0] == 1e-6
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["fast: 7 steps", "slow: not within 9 steps", "exact: 0 steps"]
    # a race's result is accepted as it is (objects with .gap)
    from nnlib import experiments

    runs = experiments.race("s1_quadratic", {"GD": ("sgd", {"lr": 0.2})}, steps=40)
    ax = plot_gaps(runs, tol=1e-6)
    assert ax.get_legend().get_texts()[0].get_text() == "GD: 20 steps"
    with pytest.raises(TypeError, match="gaps must be"):
        plot_gaps([1.0, 2.0])


def test_plot_ema_raw_and_corrected_curves():
    # FACTS: a constant 10 with beta = 0.98: raw 0.200, 0.396, 0.588; corrected 10 each time
    ax = plot_ema(np.full(20, 10.0), betas=(0.98, 0.5))
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    np.testing.assert_allclose(lines["raw_0.98"].get_ydata()[:3], [0.2, 0.396, 0.58808])
    np.testing.assert_allclose(lines["corrected_0.98"].get_ydata(), 10.0)
    np.testing.assert_allclose(lines["corrected_0.5"].get_ydata(), 10.0)
    np.testing.assert_array_equal(lines["data"].get_xdata(), np.arange(1, 21))  # t from 1
    assert (
        lines["raw_0.98"].get_linestyle() == "--" and lines["corrected_0.98"].get_linestyle() == "-"
    )
    assert lines["raw_0.98"].get_color() == lines["corrected_0.98"].get_color()
    # a varying series: the raw EMA is the recursion, the corrected one divides by 1 - beta^t
    x = np.array([1.0, 3.0, -2.0, 5.0])
    ax = plot_ema(x, betas=0.9)
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    v, raw = 0.0, []
    for xt in x:
        v = 0.9 * v + 0.1 * xt
        raw.append(v)
    np.testing.assert_allclose(lines["raw_0.9"].get_ydata(), raw)
    np.testing.assert_allclose(
        lines["corrected_0.9"].get_ydata(), raw / (1 - 0.9 ** np.arange(1, 5))
    )
    with pytest.raises(ValueError, match="betas"):
        plot_ema(x, betas=(1.0,))


def test_plot_schedules_callables_and_arrays():
    from nnlib import experiments, schedules

    step = schedules.StepDecay(0.1, drop=0.5, every=10)
    seed = experiments.SEED_SCHEDULES["s0_cooling_1"]
    ax = plot_schedules(
        {"step": step, "given": np.linspace(0.1, 0.0, 30), "S0 as written": lambda k: seed(k)},
        30,
        logy=True,
    )
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    np.testing.assert_array_equal(lines["schedule_0"].get_xdata(), np.arange(30))
    np.testing.assert_allclose(lines["schedule_0"].get_ydata(), [step(t) for t in range(30)])
    assert lines["schedule_0"].get_ydata()[[0, 10, 29]].tolist() == [0.1, 0.05, 0.025]
    given = lines["schedule_1"].get_ydata()
    assert np.isnan(given[-1]) and given[0] == 0.1  # lr = 0 is blank on a log axis
    s0 = lines["schedule_2"].get_ydata()
    assert np.isnan(s0[0]) and s0[1] == pytest.approx(0.1 * 0.5**100)  # k = 0 undefined
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch t"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["step", "given", "S0 as written"]
    ax = plot_schedules({"1/t": schedules.InverseTime(0.2, 1)}, np.arange(1, 5), xlabel="step t")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.1, 0.2 / 3, 0.05, 0.04])  # S2
    with pytest.raises(ValueError, match="holds 3 rates but epochs gives 5"):
        plot_schedules({"a": [1.0, 2.0, 3.0]}, 5)


def test_plot_ema_equals_optimizers_ema():
    from nnlib import optimizers

    x = np.random.default_rng(0).normal(5.0, 2.0, 40)
    ax = plot_ema(x, betas=(0.9, 0.99))
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    for beta in (0.9, 0.99):
        raw = optimizers.ema(x, beta)
        corrected = optimizers.ema(x, beta, bias_correction=True)
        np.testing.assert_allclose(lines[f"raw_{beta:g}"].get_ydata(), raw, rtol=1e-12)
        np.testing.assert_allclose(lines[f"corrected_{beta:g}"].get_ydata(), corrected, rtol=1e-12)


# --------------------------------------------------------------------------- activations


def _legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_activations_draws_f_and_the_derivative_nnlib_uses():
    from nnlib import activations as A

    ax_f, ax_df = plotting.plot_activations(["sigmoid", "tanh", "relu", "softplus"])
    z = np.linspace(-4, 4, 401)
    f = {ln.get_gid(): ln for ln in ax_f.get_lines()}
    df = {ln.get_gid(): ln for ln in ax_df.get_lines()}
    np.testing.assert_allclose(f["f_0"].get_ydata(), A.sigmoid(z))
    np.testing.assert_allclose(f["f_3"].get_ydata(), np.log1p(np.exp(z)))
    np.testing.assert_allclose(df["df_0"].get_ydata(), A.sigmoid(z) * (1 - A.sigmoid(z)))
    np.testing.assert_allclose(df["df_1"].get_ydata(), 1 - np.tanh(z) ** 2)
    # each function and its derivative share a colour; the series differ in colour and dash
    for i in range(4):
        assert f[f"f_{i}"].get_color() == df[f"df_{i}"].get_color() == df[f"df0_{i}"].get_color()
    assert len({f[f"f_{i}"].get_color() for i in range(4)}) == 4
    # f'(0) is marked at z = 0 with its value, and written in the legend
    for i, value in enumerate([0.25, 1.0, 0.0, 0.5]):
        assert list(df[f"df0_{i}"].get_xdata()) == [0.0]
        assert df[f"df0_{i}"].get_ydata()[0] == pytest.approx(value)
    assert _legend_labels(ax_df) == [
        "sigmoid: f′(0) = 0.25", "tanh: f′(0) = 1", "relu: f′(0) = 0", "softplus: f′(0) = 0.5",
    ]  # fmt: skip
    assert _legend_labels(ax_f) == ["sigmoid", "tanh", "relu", "softplus"]
    assert ax_f.get_title() == "activation f(z)" and ax_df.get_title() == "derivative f′(z)"
    assert ax_f.get_xlabel() == ax_df.get_xlabel() == "z (pre-activation)"
    plt.close("all")


def test_plot_activations_breaks_the_derivative_where_it_jumps():
    _, ax_df = plotting.plot_activations(["relu", "leaky_relu", "elu", "swish"])
    df = {ln.get_gid(): ln for ln in ax_df.get_lines()}
    # relu' jumps from 0 to 1 at 0: a gap in the line (no vertical segment), open circles
    # at both one-sided limits, the dot at nnlib's convention relu_grad(0) = 0
    x, y = df["df_0"].get_xdata(), df["df_0"].get_ydata()
    gap = np.flatnonzero(np.isnan(y))
    assert len(gap) == 1 and x[gap[0]] == 0.0
    assert set(y[~np.isnan(y)]) == {0.0, 1.0}
    assert sorted(df["jump_0"].get_ydata()) == [0.0, 1.0]
    assert sorted(df["jump_1"].get_ydata()) == [pytest.approx(0.01), 1.0]
    # elu (alpha = 1) and swish have a continuous derivative: no gap, no open circles
    for i in (2, 3):
        assert not np.isnan(df[f"df_{i}"].get_ydata()).any() and f"jump_{i}" not in df
    assert len(df["df_2"].get_xdata()) == 401
    plt.close("all")


def test_plot_activations_parameters_reach_the_activations_that_take_them():
    from nnlib.activations import get_activation, swish

    z = np.linspace(-3, 3, 61)
    ax_f, _ = plotting.plot_activations(["relu", "swish"], x=z, beta=0.0)
    f = {ln.get_gid(): ln for ln in ax_f.get_lines()}
    np.testing.assert_allclose(f["f_1"].get_ydata(), z / 2)  # beta = 0 gives x/2
    assert _legend_labels(ax_f) == ["relu", "swish (β = 0)"]
    # ready activations keep their own parameters; large beta approaches ReLU
    ax_f, _ = plotting.plot_activations([get_activation("swish", beta=b) for b in (1, 50)], x=z)
    f = {ln.get_gid(): ln for ln in ax_f.get_lines()}
    np.testing.assert_allclose(f["f_0"].get_ydata(), swish(z, beta=1.0))
    np.testing.assert_allclose(f["f_1"].get_ydata(), np.maximum(z, 0), atol=0.01)
    assert _legend_labels(ax_f) == ["swish (β = 1)", "swish (β = 50)"]
    lab = plotting.activation_label
    assert lab(get_activation("gelu", approximate=True)) == "gelu (tanh approx.)"
    assert lab(get_activation("elu", alpha=0.5)) == "elu (α = 0.5)"
    plt.close("all")


def test_plot_activations_axes_and_bad_input():
    fig, (a, b) = plt.subplots(1, 2)
    panels = plotting.plot_activations("tanh", axes=[a, b])
    assert panels[0] is a and panels[1] is b
    ax = plotting.plot_activations("tanh", derivative=False, axes=a)
    assert ax is a and len(fig.axes) == 2
    with pytest.raises(ValueError, match="activation"):
        plotting.plot_activations("tahn")
    with pytest.raises(ValueError, match="elementwise"):
        plotting.plot_activations("softmax")
    with pytest.raises(TypeError, match=r"\['beta'\] taken by none"):
        plotting.plot_activations(["relu", "tanh"], beta=2.0)
    with pytest.raises(TypeError, match="ActivationFunction, got ufunc"):
        plotting.plot_activations([np.tanh])
    with pytest.raises(ValueError, match="non-empty"):
        plotting.plot_activations([])
    with pytest.raises(ValueError, match="at least 2 points"):
        plotting.plot_activations("relu", x=[0.0])
    with pytest.raises(ValueError, match="2 Axes"):
        plotting.plot_activations("relu", axes=a)
    plt.close("all")


# --------------------------------------------------------------------------- weights


def test_plot_weights_hist_uses_a_models_weights_not_its_biases():
    from nnlib import MLP

    model = MLP([3, 4, 2], rng=0)
    model.params["b1"][...] = 100.0  # biases far out: they must not appear
    ax = plotting.plot_weights_hist(model, bins=10)
    W = np.concatenate([model.params["W1"].ravel(), model.params["W2"].ravel()])
    patch = next(p for p in ax.patches if p.get_gid() == "hist_0")
    xs = patch.get_xy()[:, 0]
    assert xs.min() == pytest.approx(W.min()) and xs.max() == pytest.approx(W.max())
    counts, _ = np.histogram(W, bins=np.linspace(W.min(), W.max(), 11))
    assert patch.get_xy()[:, 1].max() == counts.max() and counts.sum() == 3 * 4 + 4 * 2
    assert _legend_labels(ax) == [f"weights: std {W.std():.3g}, 0 of 20 exactly 0"]
    assert ax.get_title() == "Weights (biases excluded)" and ax.get_xlabel() == "weight value"
    plt.close("all")


def test_plot_weights_hist_compares_sets_on_shared_bins():
    sets = {"pooled": [np.array([-1.0, 0.0]), np.array([[0.0, 3.0]])], "spike": np.zeros(5)}
    ax = plotting.plot_weights_hist(sets, bins=4, logy=True, title="L1")
    assert _legend_labels(ax) == [
        f"pooled: std {np.std([-1.0, 0, 0, 3]):.3g}, 2 of 4 exactly 0",
        "spike: std 0, 5 of 5 exactly 0",
    ]
    patches = {p.get_gid(): p for p in ax.patches}
    a, b = patches["hist_0"].get_xy()[:, 0], patches["hist_1"].get_xy()[:, 0]
    assert a.min() == b.min() == -1.0 and a.max() == b.max() == 3.0  # one set of edges
    assert patches["hist_0"].get_edgecolor() != patches["hist_1"].get_edgecolor()
    assert ax.get_yscale() == "log" and ax.get_title() == "L1"
    with pytest.raises(ValueError, match="weights must contain only finite values"):
        plotting.plot_weights_hist(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"weights\['a'\] must contain only finite"):
        plotting.plot_weights_hist({"a": [np.array([np.inf])]})
    with pytest.raises(ValueError, match="no weights"):
        plotting.plot_weights_hist([])
    with pytest.raises(ValueError, match="at least one set"):
        plotting.plot_weights_hist({})
    with pytest.raises(ValueError, match="bins"):
        plotting.plot_weights_hist(np.ones(3), bins=0)
    plt.close("all")
