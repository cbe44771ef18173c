r"""Diagrams of small networks and computational graphs, drawn with matplotlib only.

============================  ===============================================================
`draw_network`                a layered network: one column of circles per layer, an arrow
                              per weight, optionally labelled with its value; node labels
                              and biases (or thresholds) under the nodes
`draw_graph`                  a computational graph: values as circles, operations as
                              boxes, arrows from inputs to outputs, optionally labelled
============================  ===============================================================

Both take ``ax=None`` (a new figure) or an Axes to draw into, and return the Axes. The
artists carry a ``gid`` so code and tests can find them: ``"node"`` (a circle),
``"op"`` (a box), ``"link"`` (an arrow), ``"weight"`` (a label on an arrow), ``"bias"``
(the text under a node), ``"label"`` (the text in a node).

Conventions: the course's weight matrices, ``W (D_in, D_out)`` for a layer from ``D_in``
units to ``D_out`` units, so ``W[i, j]`` labels the arrow from unit ``i`` of one layer to
unit ``j`` of the next. Positive weights are solid blue arrows, negative ones dashed
vermillion (readable in grey too); a zero weight's arrow can be left out
(``hide_zero=True``), e.g. a McCulloch-Pitts unit that ignores an input.

matplotlib is imported inside the functions, so ``import nnlib`` does not load it.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])        # x -> (x1 AND NOT x2, NOT x1 AND x2)
>>> W2 = np.array([[1.0], [1.0]])                    # OR of the two
>>> ax = draw_network([2, 2, 1], weights=[W1, W2], biases=[[1, 1], [1]], bias_name="θ")
>>> len([p for p in ax.patches if p.get_gid() == "node"]), len(
...     [p for p in ax.patches if p.get_gid() == "link"])
(5, 6)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ._checks import _describe, as_array, check_bool, check_number

__all__ = ["draw_graph", "draw_network"]

_NODE_RADIUS = 0.2  # in data units: units of a layer are 1 apart vertically
_LAYER_GAP = 2.4  # horizontal distance between layers, in data units
#: Fill of input, hidden and output nodes: pale Okabe-Ito sky blue, orange, bluish green.
_NODE_FILLS = ("#cce9f8", "#f8e2b3", "#b3e2d5")
_POSITIVE, _NEGATIVE, _NEUTRAL = "#0072B2", "#D55E00", "#000000"
_HIGHLIGHT = "#CC79A7"


def _check_sizes(sizes) -> list[int]:
    """Validate `sizes`: a sequence of at least two positive integers."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(
            f"sizes must be a list of layer sizes such as [2, 2, 1], got {_describe(sizes)}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layers, e.g. [2, 1], got {sizes}")
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"sizes must be positive integers, got sizes[{i}] = {s!r}")
        if s > 12:
            raise ValueError(
                f"draw_network draws small networks (at most 12 units a layer), got "
                f"sizes[{i}] = {s}"
            )
    return [int(s) for s in sizes]


def _check_weights(weights, sizes) -> list[np.ndarray] | None:
    """Validate `weights`: one (sizes[k], sizes[k+1]) array per pair of layers, or None."""
    if weights is None:
        return None
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence):
        raise TypeError(
            f"weights must be a list of {len(sizes) - 1} matrices W (D_in, D_out), got "
            f"{_describe(weights)}"
        )
    if len(weights) != len(sizes) - 1:
        raise ValueError(
            f"weights must hold {len(sizes) - 1} matrices for sizes {sizes} (one per pair of "
            f"layers), got {len(weights)}"
        )
    out = []
    for k, W in enumerate(weights):
        W = as_array(W, f"weights[{k}]", finite=True)
        expected = (sizes[k], sizes[k + 1])
        if W.shape != expected:
            fix = (
                " (transposed? the course writes W (D_in, D_out))" if W.T.shape == expected else ""
            )
            raise ValueError(f"weights[{k}] must have shape {expected}, got {W.shape}{fix}")
        out.append(W)
    return out


def _check_per_layer(values, sizes, name, first_layer: int) -> list[list] | None:
    """Validate one list per layer from `first_layer` on, each as long as its layer."""
    if values is None:
        return None
    layers = sizes[first_layer:]
    if isinstance(values, (str, np.ndarray)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of {len(layers)} lists, got {_describe(values)}")
    if len(values) != len(layers):
        raise ValueError(
            f"{name} must hold {len(layers)} lists (one per layer, sizes {layers}), "
            f"got {len(values)}"
        )
    out = []
    for k, (row, n) in enumerate(zip(values, layers, strict=True)):
        row = [row] if isinstance(row, (str, int, float, np.number)) else list(np.ravel(row))
        if len(row) != n:
            raise ValueError(
                f"{name}[{k}] must hold {n} entries (the layer's units), got {len(row)}"
            )
        out.append(row)
    return out


def _default_labels(sizes) -> list[list[str]]:
    """$x_1$... for the inputs, $h_1$... for the hidden units, $y$ or $y_1$... for the outputs."""
    labels = [[f"$x_{i + 1}$" for i in range(sizes[0])]]
    for k, n in enumerate(sizes[1:-1], start=1):
        sup = f"^{{({k})}}" if len(sizes) > 3 else ""
        labels.append([f"$h{sup}_{i + 1}$" for i in range(n)])
    n_out = sizes[-1]
    labels.append(["$y$"] if n_out == 1 else [f"$y_{i + 1}$" for i in range(n_out)])
    return labels


def _formatter(weight_format) -> Callable[[float], str]:
    """Return a function value -> text, from a format string (``"{:.2f}"``) or a callable."""
    if callable(weight_format):
        return weight_format
    if not isinstance(weight_format, str) or "{" not in weight_format:
        raise TypeError(
            f"weight_format must be a format string such as '{{:.2f}}' or a function, got "
            f"{_describe(weight_format)}"
        )
    return weight_format.format


def _node_positions(sizes) -> list[np.ndarray]:
    """(x, y) of every unit: layer k at x = k `_LAYER_GAP`, its units 1 apart, centred on y = 0."""
    return [
        np.column_stack([np.full(n, _LAYER_GAP * k), (n - 1) / 2.0 - np.arange(n, dtype=float)])
        for k, n in enumerate(sizes)
    ]


def _arrow(ax, start, end, colour, style, r_start, r_end, gid):
    """Draw an arrow from the rim of one node to the rim of another; return it."""
    from matplotlib.patches import FancyArrowPatch

    start, end = np.asarray(start, float), np.asarray(end, float)
    u = (end - start) / np.linalg.norm(end - start)
    arrow = FancyArrowPatch(
        tuple(start + r_start * u),
        tuple(end - r_end * u),
        arrowstyle="-|>",
        mutation_scale=12,
        color=colour,
        linestyle=style,
        linewidth=1.4,
        shrinkA=0,
        shrinkB=0,
        zorder=1,
        gid=gid,
    )
    ax.add_patch(arrow)
    return arrow


def _link_style(w) -> tuple[str, str]:
    """Colour and line style of a link with weight `w` (None: no weights given)."""
    if w is None:
        return _NEUTRAL, "-"
    return (_POSITIVE, "-") if w >= 0 else (_NEGATIVE, "--")


def _draw_links(ax, pos, weights, link_labels, fmt, label_pos, hide_zero) -> None:
    """Draw one arrow per pair of units of consecutive layers, with its label."""
    for k in range(len(pos) - 1):
        for i, a in enumerate(pos[k]):
            for j, b in enumerate(pos[k + 1]):
                w = None if weights is None else float(weights[k][i, j])
                if hide_zero and w == 0.0:
                    continue
                colour, style = _link_style(w)
                _arrow(ax, a, b, colour, style, _NODE_RADIUS, _NODE_RADIUS, "link")
                text = None
                if link_labels is not None:
                    text = str(link_labels[k][i][j])
                elif w is not None:
                    text = fmt(w)
                if text:
                    at = a + label_pos * (b - a)
                    ax.text(*at, text, ha="center", va="center", fontsize=9, color=colour,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                            zorder=3, gid="weight")  # fmt: skip


def _draw_nodes(ax, pos, labels, biases, bias_name, fmt) -> None:
    """Draw the circles, their labels and the biases under the non-input nodes."""
    from matplotlib.patches import Circle

    last = len(pos) - 1
    for k, layer in enumerate(pos):
        fill = _NODE_FILLS[0 if k == 0 else (2 if k == last else 1)]
        for i, (x, y) in enumerate(layer):
            ax.add_patch(Circle((x, y), _NODE_RADIUS, fc=fill, ec="black", lw=1.2, zorder=2,
                                gid="node"))  # fmt: skip
            ax.text(x, y, labels[k][i], ha="center", va="center", fontsize=11, zorder=3,
                    gid="label")  # fmt: skip
            if biases is not None and k > 0:
                # below and to the left: the labels of outgoing arrows sit to the right
                text = f"{bias_name} = {fmt(float(biases[k - 1][i]))}"
                ax.text(x + 0.1, y - _NODE_RADIUS - 0.05, text, ha="right", va="top",
                        fontsize=9, zorder=3, gid="bias")  # fmt: skip


def draw_network(
    sizes,
    weights=None,
    *,
    biases=None,
    node_labels=None,
    link_labels=None,
    layer_names=None,
    bias_name="b",
    weight_format="{:g}",
    label_pos=0.27,
    hide_zero=False,
    title=None,
    ax=None,
):
    r"""Draw a small layered network: circles for units, an arrow per weight.

    Layer ``k`` is the column ``x = 2.4 k``; its units sit 1 apart, centred on ``y = 0``,
    unit 1 at the top. Every unit of a layer is linked to every unit of the next one;
    with `weights` each arrow is labelled with :math:`W^{[k]}_{ij}` (from unit ``i`` to
    unit ``j``), coloured by sign (positive solid blue, negative dashed vermillion).

    Parameters
    ----------
    sizes : list of int, length >= 2, each 1..12
        Units per layer, input first: ``[2, 2, 1]``.
    weights : list of array_like, optional
        ``weights[k]`` of shape ``(sizes[k], sizes[k+1])``, the course's ``W (D_in, D_out)``.
    biases : list of array_like, optional
        ``biases[k]`` of shape ``(sizes[k+1],)``: written under each non-input unit as
        ``"<bias_name> = <value>"`` (a threshold θ for McCulloch-Pitts units).
    node_labels : list of lists of str, optional
        One list per layer; default ``$x_i$``, ``$h_i$`` (``$h^{(k)}_i$`` with several
        hidden layers) and ``$y$`` or ``$y_i$``. Matplotlib mathtext works (``"$w_1$"``).
    link_labels : list of nested lists of str, optional
        ``link_labels[k][i][j]`` labels the arrow from unit i of layer k to unit j of
        layer k+1 (e.g. ``"$w_5$"``), instead of the weight's value.
    layer_names : list of str, optional
        One caption per layer, written above its column (``["input", "hidden", "output"]``).
    bias_name : str, default "b"
    weight_format : str or callable, default "{:g}"
        How a weight or bias becomes text: a format string or a function float -> str.
    label_pos : float in (0, 1), default 0.27
        Where along an arrow its label sits (0 = at the source). Labels near the source
        stay apart where the arrows of a layer cross in the middle.
    hide_zero : bool, default False
        Leave out the arrows whose weight is exactly 0.
    title : str, optional
    ax : matplotlib Axes, optional
        Drawn into; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Its patches hold the nodes (``gid="node"``) and the links (``gid="link"``), its
        texts the labels (``gid`` ``"label"``, ``"weight"``, ``"bias"``, ``"layer"``).

    Raises
    ------
    ValueError
        For sizes that are not positive integers (or over 12 units a layer), weights,
        biases or labels whose shapes do not fit `sizes`, a `label_pos` outside (0, 1).
    TypeError
        For arguments of the wrong kind (e.g. a single matrix instead of a list of them).

    Examples
    --------
    Mazur's 2-2-2 network with its weight names:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> names = [[["$w_1$", "$w_3$"], ["$w_2$", "$w_4$"]], [["$w_5$", "$w_7$"], ["$w_6$", "$w_8$"]]]
    >>> ax = draw_network([2, 2, 2], link_labels=names, layer_names=["input", "hidden", "output"])
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "weight")[:3]
    ['$w_1$', '$w_2$', '$w_3$']
    """
    sizes = _check_sizes(sizes)
    weights = _check_weights(weights, sizes)
    biases = _check_per_layer(biases, sizes, "biases", 1)
    labels = _check_per_layer(node_labels, sizes, "node_labels", 0) or _default_labels(sizes)
    if link_labels is not None:
        link_labels = _check_link_labels(link_labels, sizes)
    layer_names = _check_layer_names(layer_names, sizes)
    fmt = _formatter(weight_format)
    label_pos = check_number(label_pos, "label_pos", low=0, high=1, low_open=True, high_open=True)
    hide_zero = check_bool(hide_zero, "hide_zero")
    if not isinstance(bias_name, str):
        raise TypeError(f"bias_name must be a string such as 'θ', got {_describe(bias_name)}")

    ax = _new_axes(ax, figsize=(1.0 + 3.0 * (len(sizes) - 1), 1.2 + 1.1 * max(sizes)))
    pos = _node_positions(sizes)
    _draw_links(ax, pos, weights, link_labels, fmt, label_pos, hide_zero)
    _draw_nodes(ax, pos, labels, biases, bias_name, fmt)
    top = (max(sizes) - 1) / 2.0
    for k, name in enumerate(layer_names or []):
        ax.text(_LAYER_GAP * k, top + 0.45, str(name), ha="center", va="bottom", gid="layer")
    right = _LAYER_GAP * (len(sizes) - 1)
    _finish(ax, (-0.45, right + 0.45), (-top - 0.75, top + 0.75), title)
    return ax


def _check_layer_names(layer_names, sizes):
    """Validate `layer_names`: None, or one string per layer."""
    if layer_names is None:
        return None
    if isinstance(layer_names, str) or not isinstance(layer_names, Sequence):
        raise TypeError(f"layer_names must be a list of strings, got {_describe(layer_names)}")
    if len(layer_names) != len(sizes):
        raise ValueError(
            f"layer_names must hold {len(sizes)} names (one per layer), got {len(layer_names)}"
        )
    return [str(n) for n in layer_names]


def _check_link_labels(link_labels, sizes) -> list:
    """Validate `link_labels`: link_labels[k] is a (sizes[k], sizes[k+1]) nested list of str."""
    if isinstance(link_labels, (str, np.ndarray)) or not isinstance(link_labels, Sequence):
        raise TypeError(f"link_labels must be a list of nested lists, got {_describe(link_labels)}")
    if len(link_labels) != len(sizes) - 1:
        raise ValueError(
            f"link_labels must hold {len(sizes) - 1} nested lists (one per pair of layers), "
            f"got {len(link_labels)}"
        )
    for k, block in enumerate(link_labels):
        shape = np.shape(np.asarray(block, dtype=object))
        if shape != (sizes[k], sizes[k + 1]):
            raise ValueError(
                f"link_labels[{k}] must have shape {(sizes[k], sizes[k + 1])} like weights[{k}], "
                f"got {shape}"
            )
    return link_labels


def _new_axes(ax, figsize):
    """Return `ax`, or the Axes of a new pyplot figure of `figsize` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _finish(ax, xlim, ylim, title) -> None:
    """Equal aspect (circles stay round), no axes frame, the limits and the title."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(str(title), fontsize=11)


# --------------------------------------------------------------------------- graphs


def _check_graph(nodes, edges, ops, highlight):
    """Validate `draw_graph`'s arguments; return (positions, labels, edges, ops, highlight)."""
    if not isinstance(nodes, Mapping) or not nodes:
        raise TypeError(
            "nodes must be a non-empty dict name -> (x, y) or (x, y, label), got "
            f"{_describe(nodes)}"
        )
    pos, labels = {}, {}
    for name, spec in nodes.items():
        if not isinstance(spec, Sequence) or len(spec) not in (2, 3):
            raise ValueError(f"nodes[{name!r}] must be (x, y) or (x, y, label), got {spec!r}")
        pos[name] = np.array([float(spec[0]), float(spec[1])])
        labels[name] = str(spec[2]) if len(spec) == 3 else str(name)
    checked = []
    for e in edges:
        if not isinstance(e, Sequence) or len(e) not in (2, 3):
            raise ValueError(
                f"each edge must be (source, target) or (source, target, label), got {e!r}"
            )
        for end in e[:2]:
            if end not in pos:
                raise ValueError(
                    f"edge {e!r} names the node {end!r}, which is not in nodes {list(pos)}"
                )
        checked.append((e[0], e[1], str(e[2]) if len(e) == 3 else ""))
    ops, highlight = set(ops), set(highlight)
    for name, group in (("ops", ops), ("highlight", highlight)):
        unknown = sorted(map(str, group - set(pos)))
        if unknown:
            raise ValueError(f"{name} names nodes that are not in nodes: {unknown}")
    return pos, labels, checked, ops, highlight


def draw_graph(nodes, edges, *, ops=(), highlight=(), title=None, ax=None):
    r"""Draw a small computational graph: values as circles, operations as boxes.

    Each edge is an arrow from an input of a computation to its result, optionally
    labelled (e.g. with the local derivative :math:`\partial q/\partial a`). A value used
    by several operations has several outgoing arrows: backward, its gradient is the sum
    over them (the multivariate chain rule), which `highlight` can point out.

    Parameters
    ----------
    nodes : dict name -> (x, y) or (x, y, label)
        Positions in data units (about 1 apart reads well) and the text shown (default:
        the name; mathtext works).
    edges : sequence of (source, target) or (source, target, label)
    ops : iterable of names, optional
        Nodes drawn as boxes (operations such as ``"×"`` or ``"σ"``); the others are
        circles (values).
    highlight : iterable of names, optional
        Nodes drawn with a thick reddish-purple outline.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Patches with ``gid`` ``"node"`` (circles), ``"op"`` (boxes) and ``"link"``
        (arrows); texts with ``gid`` ``"label"`` and ``"weight"`` (edge labels).

    Raises
    ------
    ValueError
        For a node spec that is not (x, y[, label]), an edge naming an unknown node, or
        `ops`/`highlight` naming unknown nodes.
    TypeError
        For `nodes` that is not a non-empty dict.

    Examples
    --------
    :math:`L = (a\,b) + a`: the value ``a`` feeds two operations.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = draw_graph({"a": (0, 1), "b": (0, 0), "mul": (1, 0.5, "×"), "add": (2, 1, "+")},
    ...                 [("a", "mul"), ("b", "mul"), ("mul", "add"), ("a", "add")],
    ...                 ops=["mul", "add"], highlight=["a"])
    >>> len([p for p in ax.patches if p.get_gid() == "link"])
    4
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    pos, labels, edges, ops, highlight = _check_graph(nodes, edges, ops, highlight)
    xy = np.array(list(pos.values()))
    span = xy.max(axis=0) - xy.min(axis=0)
    ax = _new_axes(ax, figsize=(1.5 + 1.6 * span[0], 1.2 + 1.3 * span[1]))
    r, half = _NODE_RADIUS, 0.2  # circle radius, half side of an op box
    for a, b, text in edges:
        colour = _HIGHLIGHT if a in highlight else _NEUTRAL
        _arrow(ax, pos[a], pos[b], colour, "-", r * 1.1, r * 1.1, "link")
        if text:
            at = pos[a] + 0.5 * (pos[b] - pos[a])
            ax.text(*at, text, ha="center", va="center", fontsize=9, color=colour,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                    zorder=3, gid="weight")  # fmt: skip
    for name, (x, y) in pos.items():
        edge = {"ec": _HIGHLIGHT, "lw": 2.5} if name in highlight else {"ec": "black", "lw": 1.2}
        if name in ops:
            patch = FancyBboxPatch((x - half, y - half), 2 * half, 2 * half,
                                   boxstyle="round,pad=0.02", fc=_NODE_FILLS[1], zorder=2,
                                   gid="op", **edge)  # fmt: skip
        else:
            patch = Circle((x, y), r, fc=_NODE_FILLS[0], zorder=2, gid="node", **edge)
        ax.add_patch(patch)
        ax.text(x, y, labels[name], ha="center", va="center", fontsize=11, zorder=3, gid="label")
    lo, hi = xy.min(axis=0) - 0.5, xy.max(axis=0) + 0.5
    _finish(ax, (lo[0], hi[0]), (lo[1], hi[1]), title)
    return ax
