"""Tests of nnlib.diagrams: the drawing holds exactly the nodes, links and labels asked for."""

import matplotlib

matplotlib.use("Agg")  # headless: must come before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from nnlib.diagrams import draw_graph, draw_network

W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
W2 = np.array([[1.0], [1.0]])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _patches(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def test_one_circle_per_unit_and_one_arrow_per_weight():
    ax = draw_network([3, 4, 2])
    assert len(_patches(ax, "node")) == 3 + 4 + 2
    assert len(_patches(ax, "link")) == 3 * 4 + 4 * 2
    assert _texts(ax, "weight") == []  # no weights given: unlabelled arrows


def test_units_sit_in_columns_centred_with_unit_one_on_top():
    ax = draw_network([2, 3, 1])
    centres = [tuple(np.round(p.center, 6)) for p in _patches(ax, "node")]
    xs = sorted({c[0] for c in centres})
    assert len(xs) == 3 and xs[0] == 0.0
    hidden = [c[1] for c in centres if c[0] == xs[1]]
    assert hidden == [1.0, 0.0, -1.0]  # centred on 0, unit 1 at the top
    assert [c[1] for c in centres if c[0] == xs[2]] == [0.0]


def test_weights_label_each_arrow_with_its_value_and_sign_style():
    ax = draw_network([2, 2, 1], weights=[W1, W2], weight_format="{:+.1f}")
    assert sorted(_texts(ax, "weight")) == sorted(["+1.0", "-1.0", "-1.0", "+1.0", "+1.0", "+1.0"])
    links = _patches(ax, "link")
    negative = [a for a in links if a.get_linestyle() == "--"]
    assert len(negative) == 2  # the two -1 weights of W1
    assert {to_hex(a.get_edgecolor()) for a in negative} == {"#d55e00"}


def test_the_label_of_an_arrow_is_the_entry_from_i_to_j():
    # W[i, j] goes from unit i to unit j: an asymmetric W tells a transpose apart.
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    ax = draw_network([2, 2], weights=[W], label_pos=0.5)
    at = {t.get_text(): t.get_position() for t in ax.texts if t.get_gid() == "weight"}
    # the midpoint of x1 (top, y = 0.5) -> unit 2 (bottom, y = -0.5) is at y = 0
    x_mid = at["2"][0]
    assert at["2"][1] == pytest.approx(0.0) and at["3"][1] == pytest.approx(0.0)
    assert at["1"][1] == pytest.approx(0.5) and at["4"][1] == pytest.approx(-0.5)
    assert at["1"][0] == pytest.approx(x_mid)


def test_hide_zero_leaves_out_zero_weights():
    W = np.array([[1.0, 0.0], [0.0, 1.0]])
    ax = draw_network([2, 2], weights=[W], hide_zero=True)
    assert len(_patches(ax, "link")) == 2
    assert len(_patches(draw_network([2, 2], weights=[W]), "link")) == 4


def test_biases_node_labels_link_labels_and_layer_names():
    names = [[["a", "b"], ["c", "d"]], [["e"], ["f"]]]
    ax = draw_network(
        [2, 2, 1],
        weights=[W1, W2],
        biases=[[1, 1], [0.5]],
        bias_name="θ",
        node_labels=[["p", "q"], ["r", "s"], ["t"]],
        link_labels=names,
        layer_names=["in", "hid", "out"],
        title="XOR",
    )
    assert _texts(ax, "bias") == ["θ = 1", "θ = 1", "θ = 0.5"]
    assert _texts(ax, "label") == ["p", "q", "r", "s", "t"]
    assert sorted(_texts(ax, "weight")) == list("abcdef")  # names replace the values
    assert _texts(ax, "layer") == ["in", "hid", "out"]
    assert ax.get_title() == "XOR"


def test_default_node_labels():
    ax = draw_network([2, 2, 2])
    assert _texts(ax, "label") == ["$x_1$", "$x_2$", "$h_1$", "$h_2$", "$y_1$", "$y_2$"]
    assert _texts(draw_network([1, 1]), "label") == ["$x_1$", "$y$"]


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_network([2, 1], ax=ax) is ax
    assert draw_graph({"a": (0, 0), "b": (1, 0)}, [("a", "b")], ax=ax) is ax
    assert len(fig.axes) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": [2]}, ValueError, "at least two layers"),
        ({"sizes": [2, 0]}, ValueError, r"sizes\[1\] = 0"),
        ({"sizes": [2, 13]}, ValueError, "at most 12"),
        ({"sizes": 3}, TypeError, "sizes must be a list"),
        ({"sizes": [2, 2, 1], "weights": [W1]}, ValueError, "must hold 2 matrices"),
        ({"sizes": [2, 2, 1], "weights": [W1, W2.T]}, ValueError, r"transposed\?"),
        ({"sizes": [2, 2, 1], "weights": W1}, TypeError, "weights must be a list"),
        ({"sizes": [2, 2, 1], "biases": [[1, 1]]}, ValueError, "biases must hold 2 lists"),
        ({"sizes": [2, 2, 1], "biases": [[1], [1]]}, ValueError, r"biases\[0\] must hold 2"),
        ({"sizes": [2, 1], "node_labels": [["a"], ["b"]]}, ValueError, r"node_labels\[0\]"),
        ({"sizes": [2, 1], "link_labels": [[["a", "b"]]]}, ValueError, r"shape \(2, 1\)"),
        ({"sizes": [2, 1], "layer_names": ["in"]}, ValueError, "2 names"),
        ({"sizes": [2, 1], "label_pos": 1.0}, ValueError, "label_pos"),
        ({"sizes": [2, 1], "weight_format": 3}, TypeError, "weight_format"),
        ({"sizes": [2, 1], "hide_zero": "yes"}, TypeError, "hide_zero"),
    ],
)
def test_draw_network_refuses_bad_input_with_a_clear_message(kwargs, error, match):
    kwargs = dict(kwargs)
    sizes = kwargs.pop("sizes")
    with pytest.raises(error, match=match):
        draw_network(sizes, **kwargs)


def test_graph_has_boxes_for_ops_circles_for_values_and_labelled_edges():
    nodes = {"a": (0, 1, "$a$"), "b": (0, 0), "mul": (1, 0.5, "×"), "add": (2, 1, "+")}
    edges = [("a", "mul", "$b$"), ("b", "mul", "$a$"), ("mul", "add", "1"), ("a", "add", "1")]
    ax = draw_graph(nodes, edges, ops=["mul", "add"], highlight=["a"])
    assert len(_patches(ax, "node")) == 2 and len(_patches(ax, "op")) == 2
    assert len(_patches(ax, "link")) == 4
    assert sorted(_texts(ax, "weight")) == sorted(["$b$", "$a$", "1", "1"])
    assert _texts(ax, "label") == ["$a$", "b", "×", "+"]  # the name when no label is given
    # a's outgoing arrows are highlighted: the two paths its gradient sums over
    highlighted = [p for p in _patches(ax, "link") if to_hex(p.get_edgecolor()) == "#cc79a7"]
    assert len(highlighted) == 2


@pytest.mark.parametrize(
    ("nodes", "edges", "kwargs", "error", "match"),
    [
        ({}, [], {}, TypeError, "non-empty dict"),
        ({"a": (0,)}, [], {}, ValueError, r"nodes\['a'\]"),
        ({"a": (0, 0)}, [("a", "z")], {}, ValueError, "'z', which is not in nodes"),
        ({"a": (0, 0)}, [("a",)], {}, ValueError, "each edge"),
        ({"a": (0, 0)}, [], {"ops": ["b"]}, ValueError, r"ops names nodes .*'b'"),
        ({"a": (0, 0)}, [], {"highlight": ["c"]}, ValueError, "highlight"),
    ],
)
def test_draw_graph_refuses_bad_input(nodes, edges, kwargs, error, match):
    with pytest.raises(error, match=match):
        draw_graph(nodes, edges, **kwargs)
