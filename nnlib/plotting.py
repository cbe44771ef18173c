r"""Figures used throughout the course: decision boundaries, loss surfaces, activations, history.

The classic units of lessons 01-03 (McCulloch-Pitts neurons, Hebb, the perceptron) have
their own: `plot_linear_unit` (a unit's decision line, firing half-plane and the patterns),
`plot_lines` (several units' lines, e.g. the hidden neurons of an XOR network),
`plot_mistakes` (a perceptron's mistakes per epoch) and `plot_perceptron_update` (one update
as a vector addition).

Every ``plot_*`` function takes ``ax=None`` (or ``axes=None`` for multi-panel figures): with
``None`` it creates a new figure, otherwise it draws into the Axes given. It returns the Axes
it drew on (an ndarray of Axes for multi-panel functions), so a notebook can add to the
figure. `unit_legend` arranges the legend of an Axes already drawn; `line_in_view` and
`layer_statistics` compute and draw nothing.

matplotlib is imported inside the functions, never when this module is imported, so
``import nnlib`` stays fast and works headless.

Figure conventions (the course's style guide):

- colours from the Okabe-Ito palette, which stays distinguishable under the common forms of
  colour blindness (`OKABE_ITO`, in plotting order `PALETTE`);
- every class or series also gets its own marker (`MARKERS`), so a figure printed in grey
  still reads;
- axes are labelled and panels titled, and the numbers behind a plot are in its title
  (means, standard deviations, final values) or available from a function such as
  `layer_statistics`.

Conventions: points are rows, ``X (N, 2)``; class labels are ``y (N,)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ._checks import as_array, check_bool, check_choice, check_int, check_number

__all__ = [
    "HATCHES",
    "HISTORY_KEYS",
    "LINESTYLES",
    "MARKERS",
    "MAX_COLUMNS",
    "NEURON_PARTS",
    "OKABE_ITO",
    "OUTSIDE_VIEW",
    "PALETTE",
    "activation_label",
    "layer_statistics",
    "line_in_view",
    "plot_activations",
    "plot_criterion_landscape",
    "plot_decision_boundary",
    "plot_ema",
    "plot_gaps",
    "plot_gate_sweep",
    "plot_gradient_stats",
    "plot_hidden_layer",
    "plot_history",
    "plot_layer_histograms",
    "plot_layer_stats",
    "plot_linear_unit",
    "plot_lines",
    "plot_loss_surface",
    "plot_mistakes",
    "plot_net_inputs",
    "plot_neuron_sketch",
    "plot_novikoff_proof",
    "plot_novikoff_runs",
    "plot_paths",
    "plot_perceptron_update",
    "plot_schedules",
    "plot_solution_counts",
    "plot_unit_steps",
    "plot_weights_hist",
    "unit_legend",
]

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito, 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Okabe-Ito colours in the order series and classes use them (yellow, the hardest to see on
#: white, comes late).
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "yellow",
        "black",
    )
)

#: One marker per class or series, cycled together with `PALETTE`.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Keys a training `History` records (see `nnlib.training.History`).
HISTORY_KEYS: tuple[str, ...] = (
    "loss",
    "val_loss",
    "accuracy",
    "val_accuracy",
    "lr",
    "grad_norm",
    "weight_norm",
)


# --------------------------------------------------------------------------- helpers


def _colour_and_marker(i: int) -> tuple[str, str]:
    """Colour and marker of the i-th class or series."""
    return PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]


def _pale(colour: str, amount: float = 0.35) -> tuple[float, float, float]:
    """`colour` blended with white: ``amount`` of the colour, the rest white."""
    from matplotlib.colors import to_rgb

    rgb = np.asarray(to_rgb(colour))
    return tuple(float(c) for c in amount * rgb + (1.0 - amount))


def _new_axes(ax, figsize=(5.0, 4.0), layout=None):
    """Return `ax`, or the Axes of a new figure (size in inches, layout engine) when None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout=layout)
    return ax


#: Panels per row of a new multi-panel figure; more panels wrap onto further rows.
MAX_COLUMNS = 5


def _axes_array(axes, n: int, name: str, panel_width: float = 3.0, sharey: bool = False):
    """Return `n` Axes as a flat object ndarray: `axes` checked, or a new figure.

    A new figure has rows of at most `MAX_COLUMNS` panels, each about `panel_width`
    inches wide and 3.2 high; the Axes are returned in reading order (row by row) and the
    unused panels of the last row are hidden.
    """
    if axes is None:
        import matplotlib.pyplot as plt

        ncols = min(n, MAX_COLUMNS)
        nrows = -(-n // ncols)  # ceil(n / ncols)
        _, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(panel_width * ncols, 3.2 * nrows),
            sharey=sharey,
            squeeze=False,
            layout="constrained",
        )
        flat = grid.ravel()
        for ax in flat[n:]:
            ax.set_visible(False)
        return flat[:n]
    if isinstance(axes, (np.ndarray, list, tuple)):
        flat = np.asarray(axes, dtype=object).ravel()
    else:  # a single Axes
        flat = np.empty(1, dtype=object)
        flat[0] = axes
    if len(flat) != n:
        raise ValueError(f"{name} must hold {n} Axes (one per panel), got {len(flat)}")
    return flat


def _label_text(c: float) -> str:
    """Class label as text: ``1`` rather than ``1.0``."""
    return str(int(c)) if float(c).is_integer() else f"{c:g}"


def _check_points(X, y):
    """Validate ``X (N, 2)`` and ``y (N,)``."""
    X = as_array(X, "X", ndim=2, finite=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two input features), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one point, got shape (0, 2)")
    y = as_array(y, "y", dtype=None, finite=True)
    if y.shape != (X.shape[0],):
        raise ValueError(
            f"y must have shape (N,) = ({X.shape[0]},), one label per row of X, got shape {y.shape}"
        )
    return X, y


def _check_limits(lim, name: str) -> tuple[float, float]:
    """Validate a ``(low, high)`` pair with ``low < high``."""
    arr = as_array(lim, name, ndim=1, finite=True)
    if arr.shape != (2,) or not arr[0] < arr[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {arr.tolist()}")
    return float(arr[0]), float(arr[1])


# --------------------------------------------------------------------------- decision boundary


def _labels_from_predictions(pred: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Turn predictions into labels: labels stay, binary probabilities are thresholded."""
    if np.all(pred == np.round(pred)):
        return pred
    if len(classes) > 2 or pred.min() < 0 or pred.max() > 1:
        raise ValueError(
            "predict must return class labels, or for a problem with at most two classes "
            f"probabilities in [0, 1]; got non-integer values in [{pred.min():g}, "
            f"{pred.max():g}] with {len(classes)} classes in y"
        )
    low, high = (classes[0], classes[-1]) if len(classes) == 2 else (0.0, 1.0)
    return np.where(pred >= 0.5, high, low)


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X,
    y,
    ax=None,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
):
    r"""Plot the regions a classifier assigns to each class, with the data on top.

    The plane around the data is covered by a ``resolution x resolution`` grid, whose
    points go to `predict` in one vectorized call; each region is filled with a light
    version of its class's colour and the boundaries are drawn as thin black lines. The
    points of each class get the class's colour and marker and a legend entry.

    Parameters
    ----------
    predict : callable, ``(M, 2) -> (M,)`` or ``(M, 1)``
        Maps points to class labels (e.g. ``model.predict``). For a problem with at most
        two classes it may instead return the probability of the *larger* label of `y`
        (e.g. ``lambda G: model.predict_proba(G)[:, 0]``): non-integer outputs in
        :math:`[0, 1]` are thresholded, label :math:`= \max(y)` where :math:`p \ge 0.5`.
    X : array_like, shape (N, 2)
        The points.
    y : array_like, shape (N,)
        Their class labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    resolution : int >= 2, default 200
        Grid points per axis.
    padding : float >= 0, default 0.5
        Margin added around the data's bounding box, in data units.
    title : str, optional
        Axes title; default ``"Decision boundary"``.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Class ``k`` (in sorted order of the labels in `y` and in the predictions) is drawn in
    ``PALETTE[k]`` with marker ``MARKERS[k]``, cycling after eight classes.

    Examples
    --------
    Not run here (it draws a figure)::

        model = nnlib.MLP([2, 16, 3], output="softmax", rng=0)
        ...
        ax = plot_decision_boundary(model.predict, X, y)
    """
    if not callable(predict):
        raise TypeError(f"predict must be a callable (M, 2) -> (M,), got {type(predict).__name__}")
    X, y = _check_points(X, y)
    resolution = check_int(resolution, "resolution", low=2)
    padding = check_number(padding, "padding", low=0)

    g1, g2 = _grid_around(X, padding, resolution)
    region, classes = _predicted_regions(predict, g1, g2, y)
    k = len(classes)

    ax = _new_axes(ax)
    ax.contourf(
        g1,
        g2,
        region,
        levels=np.arange(k + 1) - 0.5,
        colors=[_pale(_colour_and_marker(i)[0]) for i in np.arange(k)],
    )
    if k > 1:
        ax.contour(g1, g2, region, levels=np.arange(k - 1) + 0.5, colors="black", linewidths=0.8)
    for c in np.unique(y):
        colour, marker = _colour_and_marker(int(np.searchsorted(classes, c)))
        pts = X[y == c]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            c=colour,
            marker=marker,
            edgecolors="black",
            linewidths=0.5,
            s=30,
            label=f"class {_label_text(c)}",
        )
    ax.set_xlim(g1[0, 0], g1[0, -1])
    ax.set_ylim(g2[0, 0], g2[-1, 0])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("Decision boundary" if title is None else title)
    ax.legend(loc="best", framealpha=0.9)
    return ax


def _grid_around(X: np.ndarray, padding: float, resolution: int):
    """Meshgrid ``(resolution, resolution)`` over the bounding box of `X` plus `padding`."""
    (x_lo, y_lo), (x_hi, y_hi) = X.min(axis=0) - padding, X.max(axis=0) + padding
    # A single point (or points on a line) with no padding still needs a non-empty box.
    x_lo, x_hi = (x_lo - 0.5, x_hi + 0.5) if x_lo == x_hi else (x_lo, x_hi)
    y_lo, y_hi = (y_lo - 0.5, y_hi + 0.5) if y_lo == y_hi else (y_lo, y_hi)
    return np.meshgrid(np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution))


def _predicted_regions(predict, g1: np.ndarray, g2: np.ndarray, y: np.ndarray):
    """Call `predict` once on the grid; return each grid point's class index and the classes.

    Returns
    -------
    region : ndarray, int, shape of `g1`   index into `classes`
    classes : ndarray, sorted               the labels of `y` and of the predictions
    """
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    pred = as_array(predict(grid), "predict(grid)", finite=True)
    m = grid.shape[0]
    if pred.shape not in ((m,), (m, 1)):
        raise ValueError(
            f"predict(grid) must return shape ({m},) or ({m}, 1) for a grid of shape {grid.shape}, "
            f"got shape {pred.shape}"
        )
    labels = _labels_from_predictions(pred.reshape(m), np.unique(y))
    classes = np.union1d(np.unique(y), np.unique(labels))
    return np.searchsorted(classes, labels).reshape(g1.shape), classes


# --------------------------------------------------------------------------- classic units

_KINDS = ("threshold", "bias")


def _check_binary_labels(y: np.ndarray) -> np.ndarray:
    """Class index of each label: 0 for 0 or -1, 1 for +1; `y` must be binary or bipolar."""
    values = set(np.unique(y).tolist())
    if not (values <= {0.0, 1.0} or values <= {-1.0, 1.0}):
        shown = ", ".join(_label_text(v) for v in sorted(values))
        raise ValueError(
            "y must hold the labels of a linear unit, binary (0/1) or bipolar (-1/+1), "
            f"got the values {{{shown}}}"
        )
    return (y > 0).astype(np.int64)


def _check_unit(w, b_or_threshold, kind: str, where: str = "") -> tuple[np.ndarray, float]:
    """Validate one unit; return its weights ``(2,)`` and its threshold θ (``θ = -b``)."""
    kind = check_choice(kind, "kind", _KINDS)
    w_name = f"{where}w" if not where else f"{where} weights"
    c_name = "b_or_threshold" if not where else f"{where} {kind}"
    w = as_array(w, w_name, ndim=1, finite=True)
    if w.shape != (2,):
        raise ValueError(
            f"{w_name} must hold 2 weights (w1, w2), one per input, got shape {w.shape}"
        )
    value = check_number(b_or_threshold, c_name, finite=True)
    return w, (value if kind == "threshold" else -value)


def _plot_limits(X: np.ndarray, xlim, ylim, padding: float = 0.5):
    """Axis limits: the ones given, else the data's bounding box plus `padding`."""
    lims = []
    for j, (lim, name) in enumerate(((xlim, "xlim"), (ylim, "ylim"))):
        if lim is not None:
            lims.append(_check_limits(lim, name))
            continue
        lo, hi = float(X[:, j].min()) - padding, float(X[:, j].max()) + padding
        lims.append((lo, hi))
    return lims[0], lims[1]


def _line_points(w: np.ndarray, theta: float, xlim, ylim) -> np.ndarray | None:
    r"""Two points of the line :math:`w_1 x_1 + w_2 x_2 = \theta` spanning the view.

    Parametrized by :math:`x_1` when :math:`|w_2| \ge |w_1|` (a line no steeper than 45°),
    else by :math:`x_2`, so vertical lines (:math:`w_2 = 0`) are exact. None when
    :math:`w = 0` (there is no line).
    """
    w1, w2 = float(w[0]), float(w[1])
    if w1 == 0.0 and w2 == 0.0:
        return None
    if abs(w2) >= abs(w1):
        x1 = np.array(xlim, dtype=np.float64)
        return np.column_stack([x1, (theta - w1 * x1) / w2])
    x2 = np.array(ylim, dtype=np.float64)
    return np.column_stack([(theta - w2 * x2) / w1, x2])


#: Added to the legend label of a decision line that misses the view entirely.
OUTSIDE_VIEW = "(outside the view)"


def line_in_view(w, theta, xlim, ylim) -> bool:
    r"""Tell whether the line :math:`w \cdot x = \theta` crosses (or touches) the view.

    It does when the corners of the rectangle ``xlim x ylim`` are not all strictly on one
    side: :math:`\min_c (w \cdot c - \theta) \le 0 \le \max_c (w \cdot c - \theta)`.
    With :math:`w = 0` there is no line: False. A line outside the view gets
    `OUTSIDE_VIEW` added to its legend label by `plot_linear_unit` and `plot_lines`.

    Parameters
    ----------
    w : array_like, shape (2,)
    theta : float
        The threshold (for a unit with a bias b, :math:`\theta = -b`).
    xlim, ylim : (float, float)

    Returns
    -------
    bool

    Examples
    --------
    >>> line_in_view([1, 1], 1, (0, 1), (0, 1)), line_in_view([1, 1], 5, (0, 1), (0, 1))
    (True, False)
    """
    w = np.asarray(w, dtype=np.float64)
    if not np.any(w != 0):
        return False
    (x0, x1), (y0, y1) = xlim, ylim
    s = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64) @ w - theta
    return bool(s.min() <= 0.0 <= s.max())


def _clip_polygon(poly: np.ndarray, w: np.ndarray, theta: float) -> np.ndarray:
    r"""Vertices ``(K, 2)`` of convex `poly` ``(M, 2)`` where :math:`w \cdot x \ge \theta`.

    One step of Sutherland-Hodgman: keep the vertices on the firing side and add the points
    where the line crosses an edge. ``K = 0`` when no part of `poly` is on that side.
    """
    s = poly @ w - theta  # >= 0: the unit fires at that vertex
    inside = s >= 0
    vertices = []
    for i in range(len(poly)):
        j = (i + 1) % len(poly)
        if inside[i]:
            vertices.append(poly[i])
        if inside[i] != inside[j]:  # the line crosses this edge
            t = s[i] / (s[i] - s[j])
            vertices.append(poly[i] + t * (poly[j] - poly[i]))
    return np.array(vertices, dtype=np.float64).reshape(-1, 2)


def _halfplane_polygon(w: np.ndarray, theta: float, xlim, ylim) -> np.ndarray:
    r"""Vertices ``(K, 2)`` of the part of the view where :math:`w \cdot x \ge \theta`.

    The rectangle of the view clipped by one half-plane (`_clip_polygon`): ``K = 0`` when
    the unit fires nowhere in view, the whole rectangle when it fires everywhere (e.g.
    :math:`w = 0`, :math:`\theta \le 0`).
    """
    (x0, x1), (y0, y1) = xlim, ylim
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    return _clip_polygon(corners, w, theta)


def _polygon_area(poly: np.ndarray) -> float:
    """Area of a polygon ``(K, 2)`` by the shoelace formula (0 for fewer than 3 vertices)."""
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))


def _both_fire_polygon(units, xlim, ylim) -> np.ndarray:
    """Where, in view, both of two units ``(w, theta)`` fire: ``(K, 2)``, K = 0 if nowhere."""
    (w1, theta1), (w2, theta2) = units
    return _clip_polygon(_halfplane_polygon(w1, theta1, xlim, ylim), w2, theta2)


def _number_text(v: float) -> str:
    """Format a number for a title: ``2`` rather than ``2.0``, else 3 significant digits."""
    v = float(v)
    if v == 0.0:
        return "0"  # also for -0.0
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.3g}"


def _equation(w: np.ndarray, theta: float, kind: str) -> str:
    """Write the unit's line as text: ``x1 - 0.5·x2 = 2`` or ``x1 + x2 - 1.5 = 0``."""
    terms = []
    for coef, name in ((float(w[0]), "x1"), (float(w[1]), "x2")):
        if coef == 0.0:
            continue
        sign = "-" if coef < 0 else "+"
        mag = "" if abs(coef) == 1.0 else f"{_number_text(abs(coef))}·"
        terms.append((sign, f"{mag}{name}"))
    if not terms:
        return "no line (w = 0)"
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    text += "".join(f" {s} {t}" for s, t in terms[1:])
    if kind == "threshold":
        return f"{text} = {_number_text(theta)}"
    b = -theta
    if b != 0.0:
        text += f" {'-' if b < 0 else '+'} {_number_text(abs(b))}"
    return f"{text} = 0"


def _unit_text(w: np.ndarray, theta: float, kind: str) -> str:
    """``w = (1, 1), θ = 2`` or ``w = (1, 1), b = -2``."""
    ws = f"w = ({_number_text(w[0])}, {_number_text(w[1])})"
    return (
        f"{ws}, θ = {_number_text(theta)}"
        if kind == "threshold"
        else f"{ws}, b = {_number_text(-theta)}"
    )


def _zero_weight_note(w: np.ndarray, theta: float) -> str | None:
    """For ``w = 0``: there is no line, and the unit fires everywhere or nowhere."""
    if np.any(w != 0):
        return None
    fires = theta <= 0.0
    return "w = 0: no decision line; the unit " + ("fires everywhere" if fires else "never fires")


def _draw_unit(
    ax,
    w: np.ndarray,
    theta: float,
    xlim,
    ylim,
    *,
    colour: str = "black",
    linestyle: str = "-",
    linewidth: float = 2.0,
    label: str | None = None,
    region: bool = False,
    region_colour=None,
    region_alpha: float = 1.0,
    region_label: str | None = None,
    gid: str = "decision_line",
):
    """Draw one unit's line (and optionally its firing half-plane) on `ax`.

    Returns ``(line, patch)``: the Line2D (None when ``w = 0``) and the Polygon of the
    firing region (None when `region` is False or the unit fires nowhere in view).
    """
    from matplotlib.patches import Polygon

    patch = None
    if region:
        poly = _halfplane_polygon(w, theta, xlim, ylim)
        if len(poly) >= 3:
            patch = Polygon(
                poly,
                closed=True,
                facecolor=region_colour if region_colour is not None else _pale(colour),
                edgecolor="none",
                alpha=region_alpha,
                zorder=0,
                label=region_label,
                gid=gid.replace("decision_line", "fire_region"),
            )
            ax.add_patch(patch)
    line = None
    pts = _line_points(w, theta, xlim, ylim)
    if pts is not None and label is not None and not line_in_view(w, theta, xlim, ylim):
        label = f"{label} {OUTSIDE_VIEW}"
    if pts is not None:
        (line,) = ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=colour,
            linestyle=linestyle,
            linewidth=linewidth,
            label=label,
            gid=gid,
            zorder=2,
        )
    return line, patch


def _scatter_classes(ax, X: np.ndarray, y: np.ndarray) -> None:
    """Scatter the points by class: negative (0 or -1) as circles, positive (+1) as squares."""
    idx = _check_binary_labels(y)
    for c in np.unique(y):
        colour, marker = _colour_and_marker(int(idx[y == c][0]))
        pts = X[y == c]
        ax.scatter(
            pts[:, 0],
            pts[:, 1],
            c=colour,
            marker=marker,
            edgecolors="black",
            linewidths=0.6,
            s=70,
            zorder=3,
            label=f"y = {_label_text(c)}",
        )


def _new_unit_axes(ax):
    """Return `ax`, or the Axes of a new constrained-layout figure with room for the legend."""
    return _new_axes(ax, figsize=(5.0, 5.2), layout="constrained")


def _legend_drop_points() -> float:
    """Height in points of the tick labels and x label under an Axes (the legend goes below)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    rc = mpl.rcParams
    tick = FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
    label = FontProperties(size=rc["axes.labelsize"]).get_size_in_points()
    return (
        rc["xtick.major.size"]
        + rc["xtick.major.pad"]
        + 1.25 * tick
        + rc["axes.labelpad"]
        + 1.25 * label
        + 4.0
    )


def unit_legend(ax, ncol: int | None = None):
    """Put `ax`'s legend **below** the Axes, under the x label, so it never covers data.

    The legend of the classic-unit plots (`plot_linear_unit`, `plot_lines`, the views of
    `nnlib.widgets`). It is anchored a fixed distance (in points) under the bottom of the
    Axes, clear of the tick labels and the x label, centred, in `ncol` columns (default 2,
    or 1 when a label is longer than 26 characters). A figure with
    ``layout="constrained"`` (as the functions here create) or saved with
    ``bbox_inches="tight"`` (as Jupyter's inline backend does) makes room for it.

    Parameters
    ----------
    ax : matplotlib Axes
    ncol : int >= 1, optional

    Returns
    -------
    matplotlib Legend or None
        None when the Axes has nothing labelled.

    Examples
    --------
    Not run here (it draws a figure)::

        ax.plot([0, 1], [0, 1], label="line")
        unit_legend(ax)
    """
    from matplotlib.transforms import ScaledTranslation

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if ncol is None:
        ncol = 1 if max(len(text) for text in labels) > 26 else 2
    ncol = check_int(ncol, "ncol", low=1)
    fig = ax.figure
    drop = ScaledTranslation(0.0, -_legend_drop_points() / 72.0, fig.dpi_scale_trans)
    return ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + drop,
        ncol=ncol,
        framealpha=0.9,
        fontsize="small",
    )


def _finish_unit_axes(ax, xlim, ylim, title: str) -> None:
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title)
    unit_legend(ax)


def plot_linear_unit(
    w,
    b_or_threshold,
    X,
    y,
    ax=None,
    kind: str = "threshold",
    region: bool = True,
    title: str | None = None,
    xlim=None,
    ylim=None,
    label: str | None = None,
):
    r"""Plot a linear threshold unit in the plane: its decision line, firing side and the data.

    A unit with two inputs fires (outputs 1, or +1) on one side of a line:

    .. math::
        \text{kind="threshold"}:\quad w_1 x_1 + w_2 x_2 \ge \theta
        \qquad
        \text{kind="bias"}:\quad w_1 x_1 + w_2 x_2 + b \ge 0

    (the same unit with :math:`\theta = -b`). The line :math:`w \cdot x = \theta` is drawn
    in black, the half-plane where the unit fires is shaded, and the points are marked by
    class: label 0 or -1 as blue circles, label +1 as orange squares (Okabe-Ito colours,
    `MARKERS`). The weight vector :math:`w` is normal to the line and points into the
    shaded side. A vertical line (:math:`w_2 = 0`) is drawn exactly; with :math:`w = 0`
    there is no line, and the title says whether the unit fires everywhere or nowhere.

    The legend sits **below** the Axes (`unit_legend`), never over the data. A line that
    misses the view entirely is labelled ``"... (outside the view)"`` (`OUTSIDE_VIEW`), so
    the legend never lists a line that cannot be seen as if it were drawn; pass wider
    `xlim`, `ylim` to see it.

    Parameters
    ----------
    w : array_like, shape (2,)
        The weights :math:`(w_1, w_2)`.
    b_or_threshold : float
        The threshold :math:`\theta` (``kind="threshold"``, McCulloch-Pitts neurons) or
        the bias :math:`b` (``kind="bias"``, Hebb and perceptron units).
    X : array_like, shape (N, 2)
        The patterns, one per row.
    y : array_like, shape (N,)
        Their labels, binary (0/1) or bipolar (-1/+1): targets, or the unit's outputs.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    kind : {"threshold", "bias"}, default "threshold"
    region : bool, default True
        Shade the half-plane where the unit fires.
    title : str, optional
        Axes title; default the unit's numbers, e.g. ``"w = (1, 1), θ = 2"``. With
        :math:`w = 0` a second line saying so is always added.
    xlim, ylim : (float, float), optional
        The view; default the data's bounding box plus 0.5 on each side.
    label : str, optional
        Legend entry of the line; default its equation, e.g. ``"x1 + x2 = 2"``.

    Returns
    -------
    matplotlib Axes
        The line has ``gid="decision_line"`` and the shaded region (a Polygon)
        ``gid="fire_region"``, so code can find them.

    Examples
    --------
    Not run here (it draws a figure)::

        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
        ax = plot_linear_unit([1, 1], 2, X, [0, 0, 0, 1])          # AND, θ = 2
        ax = plot_linear_unit([2, 2], -2, Xb, tb, kind="bias")     # Hebb's bipolar AND
    """
    w, theta = _check_unit(w, b_or_threshold, kind)
    X, y = _check_points(X, y)
    _check_binary_labels(y)
    xlim, ylim = _plot_limits(X, xlim, ylim)

    ax = _new_unit_axes(ax)
    rule = "w·x ≥ θ" if kind == "threshold" else "w·x + b ≥ 0"
    _draw_unit(
        ax,
        w,
        theta,
        xlim,
        ylim,
        label=_equation(w, theta, kind) if label is None else label,
        region=region,
        region_colour=_pale(_colour_and_marker(1)[0]),
        region_label=f"fires: {rule}",
    )
    _scatter_classes(ax, X, y)
    text = _unit_text(w, theta, kind) if title is None else title
    note = _zero_weight_note(w, theta)
    _finish_unit_axes(ax, xlim, ylim, text if note is None else f"{text}\n{note}")
    return ax


#: Line styles of the units of `plot_lines`, cycled with their colours.
LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")


def plot_lines(
    units,
    X,
    y,
    ax=None,
    kind: str = "threshold",
    region: bool = False,
    title: str | None = None,
    xlim=None,
    ylim=None,
    region_labels=None,
):
    r"""Plot the decision lines of several linear units over the same points.

    For the hidden units of a small network, e.g. the two hidden neurons of an XOR
    network: unit ``i``'s line :math:`w^{(i)} \cdot x = \theta_i` (or
    :math:`w^{(i)} \cdot x + b_i = 0`) is drawn in ``PALETTE[(i + 2) % 8]`` (the first two
    colours belong to the classes) with line style ``LINESTYLES[i % 4]``. Units with
    :math:`w = 0` have no line; the legend says so, and a line that misses the view is
    labelled ``"(outside the view)"``. The legend sits below the Axes (`unit_legend`).

    Parameters
    ----------
    units : sequence of (w, b_or_threshold) or (w, b_or_threshold, label)
        One entry per unit; `w` has shape (2,). The label defaults to ``"unit i"`` (1-based).
    X : array_like, shape (N, 2)
    y : array_like, shape (N,)
        Labels, binary (0/1) or bipolar (-1/+1).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    kind : {"threshold", "bias"}, default "threshold"
        Whether the second number of each unit is a threshold or a bias.
    region : bool, default False
        Shade each unit's firing half-plane, translucent (alpha 0.15), in the unit's
        colour, with the legend entry ``"<label> fires"``. With two units whose firing
        regions overlap in view, the legend also shows the blended colour of the overlap as
        ``"both fire"``; when they do not overlap (e.g. the two hidden neurons of XOR's
        ``and_not`` network) there is no such entry, since it would label nothing.
    title : str, optional
        Default ``"Decision lines of 2 units"``.
    xlim, ylim : (float, float), optional
        The view; default the data's bounding box plus 0.5 on each side.
    region_labels : sequence of str, optional
        Legend entries of the firing regions, one per unit (e.g. ``["h1 fires", "h2
        fires"]``); default ``"<label> fires"``. Only with ``region=True``.

    Returns
    -------
    matplotlib Axes
        Unit ``i``'s line has ``gid="decision_line_i"`` (0-based) and its region
        ``gid="fire_region_i"``; the "both fire" legend swatch has ``gid="both_fire"``.

    Examples
    --------
    Not run here (it draws a figure)::

        units = [([1, 1], 1, "h1 = x1 OR x2"), ([-1, -1], -1, "h2 = x1 NAND x2")]
        ax = plot_lines(units, X_xor, y_xor)
    """
    kind = check_choice(kind, "kind", _KINDS)
    checked = _check_units(units, kind)
    X, y = _check_points(X, y)
    _check_binary_labels(y)
    xlim, ylim = _plot_limits(X, xlim, ylim)
    fires = _region_labels(region_labels, checked, check_bool(region, "region"))

    ax = _new_unit_axes(ax)
    for i, (w, theta, label) in enumerate(checked):
        colour = PALETTE[(i + 2) % len(PALETTE)]
        note = _zero_weight_note(w, theta)
        line, _ = _draw_unit(
            ax,
            w,
            theta,
            xlim,
            ylim,
            colour=colour,
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            label=f"{label}: {_equation(w, theta, kind)}",
            region=region,
            region_colour=colour,
            region_alpha=_REGION_ALPHA,
            region_label=fires[i],
            gid=f"decision_line_{i}",
        )
        if line is None:  # w = 0: a legend entry saying so
            ax.plot([], [], color=colour, linestyle="none", label=f"{label}: {note}")
    if region and len(checked) == 2:
        _add_both_fire_swatch(ax, [(w, theta) for w, theta, _ in checked], xlim, ylim)
    _scatter_classes(ax, X, y)
    default = f"Decision lines of {len(checked)} unit" + ("s" if len(checked) > 1 else "")
    _finish_unit_axes(ax, xlim, ylim, default if title is None else title)
    return ax


def _check_units(units, kind: str) -> list[tuple[np.ndarray, float, str]]:
    """Validate the `units` of `plot_lines`: a list of ``(w, theta, label)``, θ = -b if a bias."""
    if isinstance(units, (str, np.ndarray)) or not isinstance(units, Sequence) or not units:
        raise TypeError(
            "units must be a non-empty list of (w, b_or_threshold) or (w, b_or_threshold, label) "
            f"tuples, got {type(units).__name__} {units!r}"
        )
    checked = []
    for i, unit in enumerate(units):
        if isinstance(unit, (str, np.ndarray)) or not isinstance(unit, Sequence):
            raise TypeError(
                f"units[{i}] must be a tuple (w, b_or_threshold) or (w, b_or_threshold, label), "
                f"got {type(unit).__name__}"
            )
        if len(unit) not in (2, 3):
            raise ValueError(
                f"units[{i}] must have 2 or 3 entries (w, b_or_threshold[, label]), got {len(unit)}"
            )
        w, theta = _check_unit(unit[0], unit[1], kind, where=f"units[{i}]")
        label = str(unit[2]) if len(unit) == 3 else f"unit {i + 1}"
        checked.append((w, theta, label))
    return checked


#: Opacity of the firing regions of `plot_lines`.
_REGION_ALPHA = 0.15


def _region_labels(region_labels, checked, region: bool) -> list[str | None]:
    """Legend entries of the firing regions: given (one per unit), or ``"<label> fires"``."""
    if region_labels is None:
        return [f"{label} fires" if region else None for _, _, label in checked]
    if not region:
        raise ValueError("region_labels is only used with region=True")
    if isinstance(region_labels, str) or not isinstance(region_labels, Sequence):
        raise TypeError(
            f"region_labels must be a list of {len(checked)} strings, one per unit, "
            f"got {type(region_labels).__name__}"
        )
    if len(region_labels) != len(checked):
        raise ValueError(
            f"region_labels must hold one label per unit ({len(checked)}), got {len(region_labels)}"
        )
    return [str(text) for text in region_labels]


def _add_both_fire_swatch(ax, units, xlim, ylim) -> None:
    """Add a "both fire" legend swatch when the two units' firing regions overlap in view.

    Its colour is what the eye sees there: white under unit 0's tint c0, then unit 1's tint
    c1, each at opacity a: :math:`(1 - a)^2 + a(1 - a) c_0 + a c_1`.
    """
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    if _polygon_area(_both_fire_polygon(units, xlim, ylim)) <= 0.0:
        return
    a = _REGION_ALPHA
    c0, c1 = (np.array(to_rgb(PALETTE[(i + 2) % len(PALETTE)])) for i in range(2))
    blend = (1 - a) ** 2 + a * (1 - a) * c0 + a * c1
    swatch = Rectangle((xlim[0], ylim[0]), 0, 0, facecolor=tuple(blend), edgecolor="none")
    swatch.set_label("both fire")
    swatch.set_gid("both_fire")
    ax.add_patch(swatch)


def _check_mistakes(m, name: str) -> np.ndarray:
    """Validate one run's mistakes per epoch: counts, at least one epoch."""
    m = as_array(m, name, ndim=1, finite=True)
    if m.size == 0:
        raise ValueError(f"{name} must hold at least one epoch, got an empty array")
    if np.any(m < 0) or np.any(m != np.round(m)):
        raise ValueError(f"{name} must hold counts (integers >= 0), got {m.tolist()[:10]}")
    return m


def plot_mistakes(mistakes_per_epoch, ax=None, title: str | None = None):
    """Plot a perceptron's mistakes per epoch: a line with markers over epochs 1, 2, ...

    The title gives the first and last counts of the (first) run and says whether it
    converged (the last epoch had no mistake). The y-axis starts just below 0 and both
    axes have integer ticks. Several runs, passed as a mapping ``{label: counts}``, share
    the axes, each with its own colour, marker and line style, and a legend.

    Parameters
    ----------
    mistakes_per_epoch : array_like of int >= 0, shape (E,), or mapping str -> such array
        E.g. ``PerceptronResult.mistakes_per_epoch``, or
        ``{"fixed order": r1.mistakes_per_epoch, "random order": r2.mistakes_per_epoch}``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    title : str, optional
        Default ``"Mistakes per epoch"`` followed by the counts.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Not run here (it draws a figure)::

        result = nnlib.classic.perceptron(X, y)
        ax = plot_mistakes(result.mistakes_per_epoch)
    """
    from matplotlib.ticker import MaxNLocator

    if isinstance(mistakes_per_epoch, Mapping):
        if not mistakes_per_epoch:
            raise ValueError("mistakes_per_epoch must hold at least one run, got an empty mapping")
        runs = [(str(k), _check_mistakes(v, f"mistakes_per_epoch[{k!r}]"))
                for k, v in mistakes_per_epoch.items()]  # fmt: skip
    else:
        runs = [("mistakes", _check_mistakes(mistakes_per_epoch, "mistakes_per_epoch"))]
    ax = _new_axes(ax)
    for i, (label, m) in enumerate(runs):
        colour, marker = _colour_and_marker(i)
        ax.plot(np.arange(1, m.size + 1), m, color=colour, marker=marker, label=label,
                linestyle=LINESTYLES[i % len(LINESTYLES)])  # fmt: skip
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes (updates) in the epoch")
    top = max(1.0, *(float(m.max()) for _, m in runs))
    ax.set_ylim(-0.05 * top, 1.1 * top)  # a margin below 0, so markers at 0 show whole
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    m = runs[0][1]
    status = "converged" if m[-1] == 0 else "not converged"
    counts = f"first {int(m[0])}, last {int(m[-1])} ({status} after {m.size} epochs)"
    if len(runs) > 1:
        counts = f"{runs[0][0]}: {counts}"
        ax.legend(fontsize="small", loc="lower right")
    ax.set_title(("Mistakes per epoch" if title is None else title) + f"\n{counts}")
    return ax


def _check_update_args(w, x, y, b, lr):
    """Validate the arguments of `plot_perceptron_update`."""
    w = as_array(w, "w", ndim=1, finite=True)
    x = as_array(x, "x", ndim=1, finite=True)
    for name, v in (("w", w), ("x", x)):
        if v.shape != (2,):
            raise ValueError(
                f"{name} must hold 2 numbers (a vector in the plane), got shape {v.shape}"
            )
    if isinstance(y, bool) or y not in (-1, 1):
        raise ValueError(f"y must be the bipolar label -1 or +1, got {y!r}")
    b = check_number(b, "b", finite=True)
    lr = check_number(lr, "lr", low=0, low_open=True, finite=True)
    return w, x, int(y), b, lr


def _arrow(ax, tail, tip, colour, label, gid, linestyle="-"):
    """Draw an arrow from `tail` to `tip` in data coordinates, with a legend entry."""
    from matplotlib.patches import FancyArrowPatch

    arrow = FancyArrowPatch(
        tuple(tail), tuple(tip), arrowstyle="-|>", mutation_scale=18, color=colour,
        linewidth=2.2, linestyle=linestyle, label=label, gid=gid, zorder=4,
    )  # fmt: skip
    ax.add_patch(arrow)
    return arrow


def plot_perceptron_update(w, x, y, b=0.0, lr=1.0, ax=None, lim=(-2.0, 3.5)):
    r"""Draw one perceptron update as a vector addition: w, the step α·y·x, and the new w.

    The rule (`nnlib.classic.perceptron`) updates on a mistake,
    :math:`y\,(w \cdot x + b) \le 0`:

    .. math:: w' = w + \alpha\, y\, x, \qquad b' = b + \alpha\, y

    (add the sample on a false negative, subtract it on a false positive). The figure shows
    the arrows :math:`w` (blue), :math:`x` (green, from the origin), the step
    :math:`\alpha y x` (orange, from the tip of :math:`w`, head to tail) and :math:`w'`
    (black); the decision line before (dashed grey) and after (solid black), with the
    firing side after shaded; and the sample as a point of its class. Without a mistake
    nothing changes and the title says so. With ``b = 0`` both lines pass through the origin,
    each perpendicular to its weight vector.

    Parameters
    ----------
    w : array_like, shape (2,)
        The weights before the update.
    x : array_like, shape (2,)
        The sample.
    y : {-1, +1}
        Its label.
    b : float, default 0.0
        The bias before the update.
    lr : float > 0, default 1.0
        :math:`\alpha`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    lim : (float, float), default (-2, 3.5)
        The view, the same for both axes (the plot is square so that angles are true).

    Returns
    -------
    matplotlib Axes
        The arrows are patches with ``gid`` ``"w_before"``, ``"x"``, ``"step"``,
        ``"w_after"`` (the last two only on a mistake); the lines ``"line_before"`` and
        ``"line_after"``.

    Examples
    --------
    Not run here (it draws a figure)::

        plot_perceptron_update([2, -1], [0.5, 2], +1)   # a false negative: w + x
    """
    w, x, y, b, lr = _check_update_args(w, x, y, b, lr)
    view = _check_limits(lim, "lim")
    mistake = y * (w @ x + b) <= 0
    step = lr * y * x if mistake else np.zeros(2)
    w_new, b_new = w + step, b + (lr * y if mistake else 0.0)

    ax = _new_unit_axes(ax)
    if mistake:
        _draw_unit(ax, w, -b, view, view, colour="grey", linestyle="--", linewidth=1.5,
                   label="line before", gid="line_before")  # fmt: skip
    _draw_unit(ax, w_new, -b_new, view, view, label="line after" if mistake else "line",
               region=True, region_colour=_pale(PALETTE[1]), region_label="fires after",
               gid="line_after")  # fmt: skip
    origin = np.zeros(2)
    _arrow(ax, origin, x, PALETTE[2], "x (the sample)", "x")
    _arrow(ax, origin, w, PALETTE[0], "w", "w_before")
    if mistake:
        sign = "+" if y > 0 else "-"
        alpha = "" if lr == 1.0 else f"{_number_text(lr)}·"
        _arrow(ax, w, w_new, PALETTE[1], f"{sign}{alpha}x (the step)", "step", linestyle="--")
        _arrow(ax, origin, w_new, "black", f"w {sign} {alpha}x (after)", "w_after")
    _scatter_classes(ax, x[None, :], np.array([y]))
    kind = "no mistake" if not mistake else ("false negative" if y > 0 else "false positive")
    what = "w unchanged" if not mistake else f"w ← w {'+' if y > 0 else '-'} αx"
    title = f"{kind} (y = {y:+d}, w·x + b = {_number_text(w @ x + b)}): {what}"
    _finish_unit_axes(ax, view, view, title)
    return ax


def _check_landscape(w1_values, w2_values, mistakes, J):
    """Validate the grids of `plot_criterion_landscape`."""
    w1 = as_array(w1_values, "w1_values", ndim=1, finite=True)
    w2 = as_array(w2_values, "w2_values", ndim=1, finite=True)
    for name, v in (("w1_values", w1), ("w2_values", w2)):
        if len(v) < 2 or not np.all(np.diff(v) > 0):
            raise ValueError(f"{name} must hold at least 2 increasing values, got {v.tolist()}")
    grids = []
    for name, grid in (("mistakes", mistakes), ("J", J)):
        grid = as_array(grid, name, ndim=2, finite=True)
        if grid.shape != (len(w2), len(w1)):
            raise ValueError(
                f"{name} must have shape (len(w2_values), len(w1_values)) = "
                f"({len(w2)}, {len(w1)}), got {grid.shape}"
            )
        grids.append(grid)
    return w1, w2, grids[0], grids[1]


def plot_criterion_landscape(w1_values, w2_values, mistakes, J, axes=None, n_arrows=9):
    r"""Two panels over the weights (w1, w2): the number of mistakes, and the perceptron criterion.

    The grids come from `nnlib.classic.criterion_landscape` (bias fixed). Left, the count
    of misclassified samples: flat steps, whose gradient is 0 wherever it exists. Right,
    the perceptron criterion :math:`J = -\sum_{i \in M} y_i (w \cdot x_i + b)` as filled
    contours, with arrows of equal length along :math:`-\nabla J` (central differences on
    the grid, drawn where :math:`J > 0` and the slope is not 0): they point downhill,
    towards the region where both are 0. That region is outlined in black on both panels.

    Parameters
    ----------
    w1_values : array_like, shape (G1,), increasing
    w2_values : array_like, shape (G2,), increasing
    mistakes : array_like, shape (G2, G1)
        Rows follow w2 (as returned by `criterion_landscape`).
    J : array_like, shape (G2, G1)
    axes : two matplotlib Axes, optional
        Where to draw; a new figure (two panels side by side) when None.
    n_arrows : int >= 2, default 9
        Arrows per side of the right panel.

    Returns
    -------
    ndarray of 2 Axes
        The left panel's image has ``gid="mistakes"``, the right panel's arrows (a Quiver)
        ``gid="descent_arrows"``.

    Examples
    --------
    Not run here (it draws a figure)::

        w = np.linspace(-1, 2.5, 141)
        mistakes, J = classic.criterion_landscape(X_and, y_and, -1.0, w, w)
        plot_criterion_landscape(w, w, mistakes, J)
    """
    w1, w2, mistakes, J = _check_landscape(w1_values, w2_values, mistakes, J)
    n_arrows = check_int(n_arrows, "n_arrows", low=2)
    axes = _axes_array(axes, 2, "axes", panel_width=5.2)
    ax_count, ax_j = axes
    fig = ax_count.figure
    half1, half2 = (w1[1] - w1[0]) / 2, (w2[1] - w2[0]) / 2
    extent = (w1[0] - half1, w1[-1] + half1, w2[0] - half2, w2[-1] + half2)
    top = int(mistakes.max())
    image = ax_count.imshow(
        mistakes, origin="lower", extent=extent, aspect="auto", gid="mistakes",
        cmap=_discrete_cmap(top + 1), vmin=-0.5, vmax=top + 0.5, interpolation="nearest",
    )  # fmt: skip
    fig.colorbar(image, ax=ax_count, ticks=range(top + 1), label="misclassified samples")
    filled = ax_j.contourf(w1, w2, J, levels=12, cmap="viridis")
    fig.colorbar(filled, ax=ax_j, label="perceptron criterion J")
    d2, d1 = np.gradient(J, w2, w1)  # dJ/dw2 along rows, dJ/dw1 along columns
    rows = np.linspace(0, len(w2) - 1, n_arrows).round().astype(int)
    cols = np.linspace(0, len(w1) - 1, n_arrows).round().astype(int)
    r, c = np.meshgrid(rows, cols, indexing="ij")
    norm = np.hypot(d1[r, c], d2[r, c])
    show = (J[r, c] > 0) & (norm > 0)  # no arrow where J is 0 or flat (a ridge)
    g1, g2, norm = -d1[r, c][show], -d2[r, c][show], norm[show]
    ax_j.quiver(w1[c][show], w2[r][show], g1 / norm, g2 / norm, color="white", gid="descent_arrows",
                angles="xy", pivot="mid", width=0.006)  # fmt: skip
    for ax, what in ((ax_count, "the count: flat steps, slope 0"), (ax_j, "J: a slope down to 0")):
        ax.contour(w1, w2, (mistakes == 0).astype(float), levels=[0.5], colors="black")
        ax.set_xlim(extent[:2])
        ax.set_ylim(extent[2:])
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.set_title(what)
    return axes


def _discrete_cmap(n: int):
    """Return the viridis colour map cut into `n` levels (one per whole number 0..n-1)."""
    import matplotlib as mpl

    return mpl.colormaps["viridis"].resampled(max(n, 2))


def _ring(ax, point, label: str) -> None:
    """Ring a point with a large black circle; its legend entry is a ring of normal size."""
    ax.scatter([point[0]], [point[1]], s=330, facecolors="none", edgecolors="black",
               linewidths=2.0, zorder=4, label="_nolegend_", gid="ring")  # fmt: skip
    ax.plot([], [], linestyle="none", marker="o", markersize=10, markerfacecolor="none",
            markeredgecolor="black", markeredgewidth=2.0, label=label)  # fmt: skip


def _check_steps(weights, titles, highlight):
    """Validate `plot_unit_steps`'s weights ``(K, 3)``, titles and highlighted points."""
    weights = as_array(weights, "weights", ndim=2, finite=True)
    if weights.shape[1] != 3 or weights.shape[0] == 0:
        raise ValueError(
            f"weights must have shape (K, 3), one row (w1, w2, b_or_threshold) per panel, "
            f"got {weights.shape}"
        )
    k = weights.shape[0]
    for name, seq in (("titles", titles), ("highlight", highlight)):
        if seq is not None and (isinstance(seq, str) or len(seq) != k):
            raise ValueError(f"{name} must hold one entry per row of weights ({k})")
    points = [
        None if p is None else as_array(p, "highlight point", ndim=1) for p in highlight or []
    ]
    if any(p is not None and p.shape != (2,) for p in points):
        raise ValueError("each highlight point must be None or a point (x1, x2)")
    return weights, points or [None] * k


def plot_unit_steps(
    weights, X, y, titles=None, highlight=None, highlight_label="the sample just used",
    axes=None, kind="bias", xlim=None, ylim=None, label=None,
):  # fmt: skip
    r"""Small multiples of one unit as it learns: its line after each step, one panel a step.

    Panel ``k`` is `plot_linear_unit` of row ``k`` of `weights` over the same points, so a
    learning rule's trace (Hebb's rows, a perceptron's ``weights_history``) reads left to
    right. A point may be ringed in each panel (the pattern or sample that caused the
    step). The panels share one legend, below the figure.

    Parameters
    ----------
    weights : array_like, shape (K, 3)
        Rows :math:`(w_1, w_2, b)` (``kind="bias"``) or :math:`(w_1, w_2, \theta)`.
    X : array_like, shape (N, 2)
    y : array_like, shape (N,), binary or bipolar labels
    titles : sequence of K str, optional
        Default ``"step k"`` (k from 0, the first row).
    highlight : sequence of K points (2,) or None, optional
        The point to ring in each panel (None: no ring).
    highlight_label : str, default "the sample just used"
    axes : K matplotlib Axes, optional
        A new figure (at most `MAX_COLUMNS` panels a row) when None.
    kind : {"bias", "threshold"}, default "bias"
    xlim, ylim : (float, float), optional
        The view of every panel; default the data's bounding box plus 0.5.
    label : str, optional
        Legend entry of the line; default ``"decision line"``.

    Returns
    -------
    ndarray of K Axes
    """
    weights, points = _check_steps(weights, titles, highlight)
    X, y = _check_points(X, y)
    xlim, ylim = _plot_limits(X, xlim, ylim)
    axes = _axes_array(axes, len(weights), "axes", panel_width=3.4)
    best = ([], [])
    for k, (ax, row, point) in enumerate(zip(axes, weights, points, strict=True)):
        title = f"step {k}" if titles is None else str(titles[k])
        plot_linear_unit(row[:2], row[2], X, y, ax=ax, kind=kind, title=title, xlim=xlim,
                         ylim=ylim, label="decision line" if label is None else label)  # fmt: skip
        if point is not None:
            _ring(ax, point, highlight_label)
        handles, labels = ax.get_legend_handles_labels()
        if len(labels) > len(best[1]):  # the panel with every kind of mark
            best = (handles, labels)
        ax.get_legend().remove()
    axes[0].figure.legend(*best, loc="outside lower center", ncol=len(best[1]), frameon=False)
    return axes


def plot_novikoff_runs(counts, bound: float, ax=None, title: str | None = None):
    r"""Plot the updates of each perceptron run as bars, against Novikoff's bound.

    The bound is :math:`(R/\gamma)^2` (`nnlib.classic.novikoff_bound`).

    Runs are numbered from 1. The y-axis is logarithmic with plain-number ticks, so runs of
    tens of updates and a bound of hundreds both read.

    Parameters
    ----------
    counts : array_like of int, shape (n_runs,)
        Updates until convergence, one per run (`PerceptronResult.n_updates`).
    bound : float > 0
        The bound (`NovikoffBound.bound`).
    ax : matplotlib Axes, optional
    title : str, optional
        Default ``"Updates per run vs the bound"``.

    Returns
    -------
    matplotlib Axes
        The bound is a line with ``gid="bound"``.
    """
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    counts = as_array(counts, "counts", ndim=1, finite=True)
    if len(counts) == 0 or np.any(counts < 1) or np.any(counts != np.round(counts)):
        raise ValueError(f"counts must be whole numbers >= 1, one per run, got {counts.tolist()}")
    bound = check_number(bound, "bound", low=0, low_open=True, finite=True)
    ax = _new_axes(ax, figsize=(6.5, 4.0), layout="constrained")
    runs = np.arange(1, len(counts) + 1)
    ax.bar(runs, counts, color=PALETTE[0], label="updates until convergence")
    ax.axhline(bound, color=PALETTE[3], ls="--", label=f"Novikoff bound (R/γ)² = {bound:.0f}",
               gid="bound")  # fmt: skip
    ax.set_yscale("log")
    low, high = 10 ** np.floor(np.log10(counts.min())), max(bound, counts.max()) * 1.5
    ax.set_ylim(low, high)
    ax.set_yticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000)
                   if low <= t <= high])  # fmt: skip
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(runs)
    ax.set_xlabel("run")
    ax.set_ylabel("number of updates (log scale)")
    ax.set_title("Updates per run vs the bound" if title is None else title)
    ax.legend(loc="center right", fontsize="small")
    return ax


def plot_novikoff_proof(weights_history, u, gamma: float, R: float, ax=None, title=None):
    r"""Plot the two steps of Novikoff's proof along a perceptron run, update by update.

    With :math:`\tilde w_k` the weights (bias folded in) after k updates and u a unit
    separator with margin :math:`\gamma`: the projection :math:`u \cdot \tilde w_k` and
    its floor :math:`u \cdot \tilde w_0 + k\gamma` (step 1: at least), the length
    :math:`\lVert \tilde w_k \rVert` and its ceiling
    :math:`\sqrt{\lVert \tilde w_0 \rVert^2 + k R^2}` (step 2: at most; learning rate 1).

    Parameters
    ----------
    weights_history : array_like, shape (U + 1, D + 1)
        Rows :math:`(w, b)` before the first update and after each one
        (`PerceptronResult.weights_history`).
    u : array_like, shape (D + 1,)
        The separator, of length 1.
    gamma, R : float > 0
        Its margin and the radius of the data (`NovikoffBound`).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
        Lines with gid ``"projection"``, ``"floor"``, ``"length"``, ``"ceiling"``.
    """
    H = as_array(weights_history, "weights_history", ndim=2, finite=True)
    u = as_array(u, "u", ndim=1, finite=True)
    if u.shape != (H.shape[1],) or not np.isclose(np.linalg.norm(u), 1.0):
        raise ValueError(
            f"u must be a unit vector of length {H.shape[1]} (one entry per column of "
            f"weights_history), got shape {u.shape} and norm {np.linalg.norm(u):.3g}"
        )
    gamma = check_number(gamma, "gamma", low=0, low_open=True, finite=True)
    R = check_number(R, "R", low=0, low_open=True, finite=True)
    k = np.arange(len(H))
    proj, length = H @ u, np.linalg.norm(H, axis=1)
    ax = _new_axes(ax, figsize=(7.5, 4.2), layout="constrained")
    for y, colour, style, text, gid in (
        (proj, PALETTE[0], "o-", "u·w̃ after k updates", "projection"),
        (proj[0] + k * gamma, PALETTE[0], "--", "u·w̃₀ + kγ (step 1: at least)", "floor"),
        (length, PALETTE[1], "s-", "‖w̃‖ after k updates", "length"),
        (np.sqrt(length[0] ** 2 + k * R**2), PALETTE[1], ":", "√(‖w̃₀‖² + kR²) (step 2: at most)",
         "ceiling"),
    ):  # fmt: skip
        ax.plot(k, y, style, color=colour, ms=3, label=text, gid=gid)
    ax.set_xlabel("update k")
    ax.set_ylabel("value")
    ax.set_title("The two steps of Novikoff's proof along a run" if title is None else title)
    ax.legend(fontsize="small", loc="upper left")
    return ax


#: Bar hatches of `plot_net_inputs`, cycled with the colours (so a grey print still reads).
HATCHES: tuple[str, ...] = ("//", "", "..", "xx")


def plot_net_inputs(nets, patterns, ax=None, title: str | None = None):
    r"""Plot the net input :math:`w \cdot x + b` of several units on each pattern as grouped bars.

    One group per pattern, one bar per unit (colour `PALETTE[i]`, hatch `HATCHES[i]`), each
    bar labelled with its value; a black line at 0 marks the threshold of a bias unit, which
    fires where its bar reaches it.

    Parameters
    ----------
    nets : mapping str -> array_like, shape (P,)
        The units' net inputs on the P patterns, by legend label.
    patterns : sequence of P str
        The tick label of each pattern (e.g. ``"(1, 1, 1)\nt = +1"``).
    ax : matplotlib Axes, optional
    title : str, optional
        Default ``"Net input per pattern"``.

    Returns
    -------
    matplotlib Axes
        Bars with ``gid="net_i"`` for unit i (0-based).
    """
    if not isinstance(nets, Mapping) or not nets:
        raise TypeError(f"nets must be a non-empty mapping label -> net inputs, got {nets!r}")
    values = [as_array(v, f"nets[{k!r}]", ndim=1, finite=True) for k, v in nets.items()]
    if isinstance(patterns, str) or len(patterns) != len(values[0]):
        raise ValueError(f"patterns must hold one label per pattern ({len(values[0])})")
    if any(v.shape != values[0].shape for v in values):
        raise ValueError(f"every unit in nets needs {len(values[0])} net inputs, one per pattern")
    ax = _new_axes(ax, figsize=(7.0, 3.8), layout="constrained")
    pos, width = np.arange(len(patterns)), 0.8 / len(values)
    for i, (label, v) in enumerate(zip(nets, values, strict=True)):
        x = pos - 0.4 + width * (i + 0.5)
        colour, hatch = PALETTE[i % len(PALETTE)], HATCHES[i % len(HATCHES)]
        ax.bar(x, v, width=width, color=colour, hatch=hatch, label=str(label),
               edgecolor="black", linewidth=0.5, gid=f"net_{i}")  # fmt: skip
        for xi, vi in zip(x, v, strict=True):
            up = vi >= 0
            ax.annotate(_number_text(vi), (xi, vi), xytext=(0, 3 if up else -3), ha="center",
                        textcoords="offset points", va="bottom" if up else "top")  # fmt: skip
    ax.axhline(0, color="black", lw=1)
    span = max(1.0, *(float(np.abs(v).max()) for v in values))
    ax.set_ylim(
        min(0.0, *(v.min() for v in values)) - 0.3 * span,
        max(0.0, *(v.max() for v in values)) + 0.6 * span,
    )
    ax.set_xticks(pos, [str(p) for p in patterns])
    ax.set_ylabel("net input w·x + b")
    ax.set_title("Net input per pattern" if title is None else title)
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_gate_sweep(thetas, names, corner_nets=None, ax=None, title: str | None = None):
    r"""Step plot: which gate a neuron computes as its threshold :math:`\theta` sweeps.

    Each distinct name (``"and"``, ``"or"``, ``"always fires"``, ...) gets one level, in
    order of appearance; the value at :math:`\theta` holds on the interval ending there,
    since a neuron fires when :math:`w \cdot x \ge \theta` (intervals ``(prev, θ]``).
    Dotted vertical lines mark the corners' net inputs, where the gate can change.

    Parameters
    ----------
    thetas : array_like, shape (T,), increasing
    names : sequence of T str
        What the neuron computes at each threshold (`nnlib.classic.identify_gate`).
    corner_nets : array_like, optional
        The net inputs of the patterns, drawn as dotted lines.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
        The y tick labels are the names, bottom to top in order of appearance.
    """
    thetas = as_array(thetas, "thetas", ndim=1, finite=True)
    if len(thetas) < 2 or not np.all(np.diff(thetas) > 0):
        raise ValueError("thetas must hold at least 2 increasing thresholds")
    if isinstance(names, str) or len(names) != len(thetas):
        raise ValueError(f"names must hold one name per threshold ({len(thetas)})")
    labels = list(dict.fromkeys(str(n) for n in names))  # distinct, in order of appearance
    level = [labels.index(str(n)) for n in names]
    ax = _new_axes(ax, figsize=(7.0, 2.6), layout="constrained")
    ax.step(thetas, level, where="pre", color=PALETTE[0], gid="sweep")
    ax.plot(thetas, level, ls="none", marker="o", ms=3, color=PALETTE[0])
    for k, net in enumerate([] if corner_nets is None else np.unique(corner_nets)):
        ax.axvline(net, color="grey", ls=":", label="net input of a corner" if k == 0 else None)
    if corner_nets is not None:
        ax.legend(loc="lower right", fontsize="small")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("threshold θ")
    ax.set_ylabel("gate computed")
    ax.set_title("Which gate for each threshold θ" if title is None else title)
    ax.grid(alpha=0.3)
    return ax


def plot_solution_counts(grid, counts, titles=None, axes=None):
    """Heat maps over (w1, w2): how many thresholds make a neuron compute each gate.

    One panel per gate, one colour scale for all; a cell with no valid threshold stays white.

    Parameters
    ----------
    grid : array_like, shape (G,), increasing and evenly spaced
        The weight values, the same for w1 and w2; each is the centre of a pixel.
    counts : mapping str -> array_like of int, shape (G, G)
        Per gate, the number of valid thresholds; rows follow w2, columns w1.
    titles : sequence of str, optional
        One per gate; default the gate's name in capitals.
    axes : matplotlib Axes, one per gate, optional

    Returns
    -------
    ndarray of Axes
        Each panel's image has ``gid="counts"``.
    """
    grid = as_array(grid, "grid", ndim=1, finite=True)
    if len(grid) < 2 or not np.allclose(np.diff(grid), grid[1] - grid[0]) or grid[1] <= grid[0]:
        raise ValueError("grid must hold at least 2 increasing, evenly spaced values")
    if not isinstance(counts, Mapping) or not counts:
        raise TypeError("counts must be a non-empty mapping gate name -> (G, G) counts")
    maps = {k: as_array(v, f"counts[{k!r}]", ndim=2) for k, v in counts.items()}
    if any(m.shape != (len(grid), len(grid)) for m in maps.values()):
        raise ValueError(f"every counts map must have shape (G, G) = ({len(grid)}, {len(grid)})")
    if titles is not None and len(titles) != len(maps):
        raise ValueError(f"titles must hold one title per gate ({len(maps)})")
    axes = _axes_array(axes, len(maps), "axes", panel_width=4.3)
    half = (grid[1] - grid[0]) / 2  # each grid value is the centre of a pixel
    extent = (grid[0] - half, grid[-1] + half, grid[0] - half, grid[-1] + half)
    vmax = max(1.0, *(float(m.max()) for m in maps.values()))
    for k, (ax, (name, m)) in enumerate(zip(axes, maps.items(), strict=True)):
        image = ax.imshow(np.ma.masked_equal(m, 0), origin="lower", extent=extent,
                          cmap="viridis", vmin=1, vmax=vmax, gid="counts")  # fmt: skip
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set(xlabel="w1", ylabel="w2", title=name.upper() if titles is None else titles[k])
    axes[0].figure.colorbar(
        image, ax=list(axes), label="number of valid thresholds θ (white: none)"
    )
    return axes


def plot_hidden_layer(units, output, X, y, H, axes=None, name: str = ""):
    r"""Two panels for a two-layer network of threshold units with two hidden neurons.

    Left, the hidden neurons' lines over the inputs, each firing half-plane tinted
    (`plot_lines` with ``region=True``: the "both fire" swatch appears only where they
    overlap). Right, the output neuron's line over the hidden points ``H``, where the
    hidden layer sends the inputs, axes ``h1`` and ``h2``.

    Parameters
    ----------
    units : sequence of 2 (w, theta, label)
        The hidden neurons, weights (2,) and threshold.
    output : (w, theta)
        The output neuron.
    X : array_like, shape (N, 2)
        The inputs.
    y : array_like, shape (N,)
        Their targets (binary).
    H : array_like, shape (N, 2)
        The hidden layer's outputs on X.
    axes : two matplotlib Axes, optional
    name : str, default ""
        Prefixed to both titles (e.g. the network's name).

    Returns
    -------
    ndarray of 2 Axes
    """
    axes = _axes_array(axes, 2, "axes", panel_width=5.5)
    view = {"xlim": (-0.5, 1.5), "ylim": (-0.5, 1.5)}
    prefix = f"{name}: " if name else ""
    fires = [f"h{i + 1} fires" for i in range(len(units))]
    plot_lines(units, X, y, ax=axes[0], kind="threshold", region=True, region_labels=fires,
               title=f"{prefix}the hidden neurons over the inputs", **view)  # fmt: skip
    unit_legend(axes[0], ncol=2)
    w, theta = _check_unit(output[0], output[1], "threshold", where="output")
    line = _equation(w, theta, "threshold").replace("x", "h")  # h1 + h2 = 1.5
    plot_linear_unit(w, theta, H, y, ax=axes[1], kind="threshold", label=line, **view,
                     title=f"{prefix}the output neuron sees (h1, h2)")  # fmt: skip
    axes[1].set_xlabel("h1")
    axes[1].set_ylabel("h2")
    return axes


#: The parts `plot_neuron_sketch` labels, in the order of the signal.
NEURON_PARTS: tuple[str, ...] = ("synapses", "dendrites", "soma", "axon", "axon terminals")


def plot_neuron_sketch(ax=None, inhibitory=(2,)):
    """Draw a schematic biological neuron with its parts labelled, for the MCP model beside it.

    Three dendrites carry signals from the left into the soma (a circle); each starts at a
    synapse, drawn as a triangle, blue when excitatory and a vermillion bar when inhibitory
    (Okabe-Ito colours). The axon leaves the soma on the right and ends in three terminals,
    the synapses onto the next cells. The parts are labelled with the names in
    `NEURON_PARTS`; the inputs are marked x1, x2, x3 at their synapses.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    inhibitory : sequence of int, default (2,)
        Which of the three synapses (0-based, top to bottom) are inhibitory.

    Returns
    -------
    matplotlib Axes
        The soma is a patch with ``gid="soma"``, the synapses are lines with
        ``gid="synapse_excitatory"`` or ``gid="synapse_inhibitory"``, the part names texts
        with ``gid="part"``.
    """
    from matplotlib.patches import Circle

    if isinstance(inhibitory, (str, bytes)) or not isinstance(inhibitory, Sequence):
        raise TypeError(f"inhibitory must be a sequence of synapse numbers, got {inhibitory!r}")
    bad = [i for i in inhibitory if isinstance(i, bool) or i not in (0, 1, 2)]
    if bad:
        raise ValueError(f"inhibitory must hold synapse numbers 0, 1 or 2, got {bad}")
    ax = _new_axes(ax, figsize=(6.0, 3.6))
    soma = Circle((0, 0), 0.6, facecolor=_pale(PALETTE[1]), edgecolor="black", zorder=3)
    soma.set_gid("soma")
    ax.add_patch(soma)
    for k, y0 in enumerate((1.2, 0.0, -1.2)):
        start = np.array([-3.0, y0])
        end = 0.6 * start / np.linalg.norm(start)  # on the soma's rim, facing the synapse
        ax.plot(*np.column_stack([start, end]), color="black", lw=1.8, zorder=1)
        mid = (start + end) / 2
        for dy in (0.35, -0.35):  # two twigs: the dendrite branches
            ax.plot([mid[0], mid[0] - 0.5], [mid[1], mid[1] + dy], color="black", lw=1.2)
        kind = "inhibitory" if k in inhibitory else "excitatory"
        colour, marker = (PALETTE[3], "|") if kind == "inhibitory" else (PALETTE[0], ">")
        ax.plot(*start, marker=marker, ms=14, mew=4, color=colour, gid=f"synapse_{kind}")
        ax.text(start[0] - 0.25, y0, f"x{k + 1}", ha="right", va="center", fontsize=12)
    ax.plot([0.6, 3.0], [0, 0], color="black", lw=2.4)  # the axon
    for dy in (0.5, 0.0, -0.5):  # its terminals
        ax.plot([3.0, 3.6], [0, dy], color="black", lw=1.4)
        ax.plot(3.6, dy, marker="o", ms=7, color=PALETTE[0])
    where = {"synapses": (-3.0, 1.75), "dendrites": (-1.6, -1.85), "soma": (0, -0.95),
             "axon": (1.8, 0.2), "axon terminals": (3.4, 0.85)}  # fmt: skip
    for part in NEURON_PARTS:
        ax.text(*where[part], part, ha="center", va="bottom", fontsize=11, gid="part")
    ax.set_xlim(-3.9, 4.1)
    ax.set_ylim(-2.1, 2.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("A neuron, schematic: blue synapses excite, the vermillion one inhibits")
    return ax


# --------------------------------------------------------------------------- loss surface


def _contour_levels(Z: np.ndarray, levels, log_levels: bool):
    """Contour levels: an explicit array, or `levels` values spaced for the surface."""
    if not isinstance(levels, (int, np.integer)) or isinstance(levels, bool):
        arr = as_array(levels, "levels", ndim=1, finite=True)
        if arr.size < 1 or np.any(np.diff(arr) <= 0):
            raise ValueError("levels must be an int >= 2 or a strictly increasing 1-D array")
        return arr
    n = check_int(levels, "levels", low=2)
    lo, hi = float(Z.min()), float(Z.max())
    if hi <= lo:  # flat surface: a single contour at its value
        return np.array([lo])
    if not log_levels:
        return np.linspace(lo, hi, n)
    if lo > 0:
        return np.geomspace(lo, hi, n)
    # Not positive everywhere: log-space the height above the minimum instead.
    span = hi - lo
    return lo + np.geomspace(span * 1e-3, span, n)


def plot_loss_surface(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    xlim,
    ylim,
    paths: Mapping[str, np.ndarray] | None = None,
    ax=None,
    levels=30,
    resolution: int = 200,
    log_levels: bool = True,
    title: str | None = None,
):
    r"""Plot contours of a 2-D function, with optimizer paths drawn on top.

    Parameters
    ----------
    f : callable, ``(X1, X2) -> Z``
        Vectorized surface: `X1` and `X2` are arrays of the same shape (a meshgrid) and
        ``Z`` has that shape too, ``Z[i, j] = f(X1[i, j], X2[i, j])``. Called once. A
        function written for two numbers (``math.exp``, ``if x1 > 0:``) fails on arrays:
        wrap it, ``np.vectorize(f)``.
    xlim, ylim : (float, float)
        Ranges of the two coordinates, ``low < high``. The view is clipped to them, so a
        diverging path does not squash the picture.
    paths : dict of str -> array_like, shape (T, 2), optional
        Named trajectories (e.g. one per optimizer), iterates as rows. Each is drawn in
        its own colour and marker; its start is a large hollow marker and its end a large
        filled one.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    levels : int >= 2 or 1-D array, default 30
        Number of contour levels, or the levels themselves (then `log_levels` is ignored).
    resolution : int >= 2, default 200
        Grid points per axis.
    log_levels : bool, default True
        Space the levels geometrically, which shows the floor of a valley as well as its
        walls. For a surface that is not positive everywhere the height above the minimum
        is spaced instead:
        :math:`\ell_i = z_{\min} + (z_{\max} - z_{\min})\, 10^{-3 (1 - i/(n-1))}`.
    title : str, optional
        Axes title; default ``"Loss surface"``.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    TypeError
        When `f` raises a TypeError or ValueError on the arrays (it is not vectorized).
    ValueError
        When ``f(X1, X2)`` does not have the shape of `X1`, or no finite value.

    Examples
    --------
    Not run here (it draws a figure)::

        rosenbrock = lambda x1, x2: (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2
        ax = plot_loss_surface(rosenbrock, (-2, 2), (-1, 3), paths={"adam": path})
    """
    if not callable(f):
        raise TypeError(f"f must be a callable (X1, X2) -> Z, got {type(f).__name__}")
    xlim = _check_limits(xlim, "xlim")
    ylim = _check_limits(ylim, "ylim")
    resolution = check_int(resolution, "resolution", low=2)
    log_levels = check_bool(log_levels, "log_levels")
    checked = _check_paths(paths)
    g1, g2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    Z = _evaluate_surface(f, g1, g2)
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("f(X1, X2) has no finite value on the grid")
    lv = _contour_levels(finite, levels, log_levels)

    ax = _new_axes(ax)
    ax.contour(g1, g2, Z, levels=lv, cmap="viridis", linewidths=0.8)
    for i, (name, arr) in enumerate(checked.items()):
        colour, marker = _colour_and_marker(i)
        ax.plot(arr[:, 0], arr[:, 1], color=colour, marker=marker, markersize=3, label=name)
        ax.plot(*arr[0], marker=marker, markersize=10, markerfacecolor="white", color=colour)
        ax.plot(*arr[-1], marker=marker, markersize=10, color=colour, markeredgecolor="black")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("Loss surface" if title is None else title)
    if checked:
        ax.legend(loc="best", framealpha=0.9, title="hollow: start, filled: end")
    return ax


def _check_paths(paths) -> dict[str, np.ndarray]:
    """Validate `plot_loss_surface`'s paths: a dict of name -> ``(T, 2)`` array, T >= 1."""
    if paths is None:
        return {}
    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a dict of name -> (T, 2) array, got {type(paths).__name__}")
    checked = {}
    for name, path in paths.items():
        arr = as_array(path, f"paths[{name!r}]", ndim=2)
        if arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError(f"paths[{name!r}] must have shape (T, 2) with T >= 1, got {arr.shape}")
        checked[name] = arr
    return checked


def _evaluate_surface(f, g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """Call `f` once on the whole grid; if it is not vectorized, say how to fix it."""
    contract = (
        f"plot_loss_surface calls f once on the whole grid: f must accept arrays X1, X2 of "
        f"the same shape {g1.shape} and return an array of that shape, "
        "Z[i, j] = f(X1[i, j], X2[i, j]). For an f written for two numbers, pass "
        "np.vectorize(f)"
    )
    try:
        out = f(g1, g2)
    except (TypeError, ValueError) as exc:  # math.exp(array), `if array > 0:`, float(array)
        raise TypeError(
            f"f(X1, X2) raised {type(exc).__name__} ({exc}) on arrays; is f vectorized? " + contract
        ) from exc
    Z = as_array(out, "f(X1, X2)")
    if Z.shape != g1.shape:
        raise ValueError(
            f"f(X1, X2) returned shape {Z.shape}, not the shape of X1 and X2, {g1.shape}; "
            "is f vectorized? " + contract
        )
    return Z


# --------------------------------------------------------------------------- activations


def _check_activations(activations) -> list[np.ndarray]:
    """Validate a non-empty list of non-empty, finite arrays, one per layer."""
    if isinstance(activations, np.ndarray) or not isinstance(activations, Sequence):
        raise TypeError(
            "activations must be a list of arrays, one per layer (wrap a single array "
            f"in a list), got {type(activations).__name__}"
        )
    if len(activations) == 0:
        raise ValueError("activations must hold at least one layer, got an empty list")
    out = []
    for i, a in enumerate(activations):
        arr = as_array(a, f"activations[{i}]", finite=True)
        if arr.size == 0:
            raise ValueError(f"activations[{i}] is empty, got shape {arr.shape}")
        out.append(arr)
    return out


def layer_statistics(activations) -> tuple[np.ndarray, np.ndarray]:
    r"""Mean and standard deviation of each layer's activations, over all their entries.

    .. math::
        \mu_l = \frac{1}{n_l} \sum_j a^{(l)}_j, \qquad
        \sigma_l = \sqrt{\frac{1}{n_l} \sum_j \left(a^{(l)}_j - \mu_l\right)^2}

    (population standard deviation, ``ddof=0``), where :math:`n_l` is the number of
    entries of layer :math:`l`'s array (batch x units).

    Parameters
    ----------
    activations : list of array_like, any shapes
        One array per layer, e.g. ``(N, D_l)``.

    Returns
    -------
    means : ndarray, shape (L,)
    stds : ndarray, shape (L,)

    Examples
    --------
    >>> means, stds = layer_statistics([np.array([[1.0, 3.0]]), np.zeros((2, 2))])
    >>> means
    array([2., 0.])
    >>> stds
    array([1., 0.])
    """
    arrays = _check_activations(activations)
    means = np.array([a.mean(dtype=np.float64) for a in arrays])
    stds = np.array([a.std(dtype=np.float64) for a in arrays])
    return means, stds


def plot_layer_histograms(activations, axes=None, bins=50, titles=None, range=None):
    r"""Plot one histogram per layer of activations, in a grid with a shared y-axis.

    Each panel is titled with its layer (1-based, as ``W1`` is the first weight matrix) and
    the mean and standard deviation of its values (see `layer_statistics`), e.g.
    ``"layer 2\nmean=0.012, std=0.31"``. All panels use the same bin range and the same
    y-limits, so the layers can be compared at a glance (e.g. activations shrinking
    towards zero with depth).

    Parameters
    ----------
    activations : list of array_like, length L
        One array per layer, any shape (all entries are counted).
    axes : sequence of L matplotlib Axes, optional
        Where to draw (any layout; flattened in order). When None, a new figure is
        created with rows of at most `MAX_COLUMNS` (5) panels of about 3 x 3.2 inches:
        10 layers make 2 rows of 5, 7 layers a row of 5 and a row of 2 (the 3 unused
        panels hidden).
    bins : int >= 1 or 1-D array of edges, default 50
    titles : sequence of L str, optional
        Replace ``"layer l"`` in the titles (e.g. ``["tanh 1", ...]``); the mean and std
        are still added.
    range : (float, float), optional
        Range of the bins; default the minimum and maximum over *all* layers.

    Returns
    -------
    ndarray of matplotlib Axes, shape (L,)
        In layer order: ``axes[l]`` shows layer ``l + 1``, whatever the grid.

    Examples
    --------
    Not run here (it draws a figure)::

        axes = plot_layer_histograms([A1, A2, A3], bins=40, range=(-1, 1))
    """
    arrays = _check_activations(activations)
    n = len(arrays)
    if titles is None:
        names = [f"layer {i + 1}" for i in np.arange(n)]
    else:
        if isinstance(titles, str) or len(titles) != n:
            raise ValueError(f"titles must be a list of {n} strings, one per layer, got {titles!r}")
        names = [str(t) for t in titles]
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        bins = check_int(bins, "bins", low=1)
    else:
        bins = as_array(bins, "bins", ndim=1, finite=True)
        if bins.size < 2 or np.any(np.diff(bins) <= 0):
            raise ValueError(f"bins must be an int >= 1 or increasing edges, got {bins.tolist()}")
    if range is None:
        lo = min(float(a.min()) for a in arrays)
        hi = max(float(a.max()) for a in arrays)
        hist_range = (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)
    else:
        hist_range = _check_limits(range, "range")

    means, stds = layer_statistics(arrays)
    new_figure = axes is None
    axes = _axes_array(axes, n, "axes", sharey=True)
    top = 0.0
    for i, (a, ax) in enumerate(zip(arrays, axes, strict=True)):
        colour, _ = _colour_and_marker(i)
        counts, _, _ = ax.hist(
            a.ravel(), bins=bins, range=hist_range, color=colour, edgecolor="white", linewidth=0.3
        )
        top = max(top, float(np.max(counts)))
        ax.set_title(f"{names[i]}\nmean={means[i]:.3g}, std={stds[i]:.3g}")
        ax.set_xlabel("activation")
    # Label the y-axis of the first panel of every row of a new grid.
    for ax in axes[:: MAX_COLUMNS if new_figure else n]:
        ax.set_ylabel("count")
    for ax in axes:
        ax.set_ylim(0, 1.05 * top if top > 0 else 1.0)
    return axes


def _stats_source(activations) -> tuple[np.ndarray, np.ndarray]:
    """Per-layer means and stds: of a list of activation arrays, or of a result object.

    A result object is anything with ``mean`` and ``std`` arrays of shape (L,), such as
    `nnlib.experiments.ActStats` (this module does not import it).
    """
    if not isinstance(activations, (np.ndarray, Sequence, Mapping)) and all(
        hasattr(activations, k) for k in ("mean", "std")
    ):
        means = as_array(activations.mean, "activations.mean", ndim=1)
        stds = as_array(activations.std, "activations.std", ndim=1)
        if means.shape != stds.shape or means.size == 0:
            raise ValueError(
                "activations.mean and activations.std must be non-empty arrays of one "
                f"value per layer, got shapes {means.shape} and {stds.shape}"
            )
        return means, stds
    return layer_statistics(activations)


def _per_layer(values, n: int, name: str, attr: str) -> np.ndarray:
    """Return per-layer values as an array (n,), or the `attr` array of a result object."""
    if not isinstance(values, (np.ndarray, Sequence)) and hasattr(values, attr):
        values = getattr(values, attr)
    arr = as_array(values, name, ndim=1)
    if arr.shape != (n,):
        raise ValueError(f"{name} must hold one value per layer, shape ({n},), got {arr.shape}")
    return arr


def plot_layer_stats(activations, ax=None, predicted=None, logy=False):
    r"""Plot the mean and standard deviation of each layer's activations against depth.

    Two lines with markers (mean: circles, std: squares) over the layer index, 1-based.
    The numbers are those of `layer_statistics`. With `predicted`, a dashed black line
    shows a predicted std per layer (e.g. the mean-field recursion
    :math:`q_{l+1} = n\,\mathrm{Var}(w)\,\mathbb E[f(\sqrt{q_l}z)^2]` of
    `nnlib.experiments.mean_field`) and the title gives the last layer's measured and
    predicted std.

    Parameters
    ----------
    activations : list of array_like (length L), or a result object
        One array per layer, any shape; or an object with per-layer ``mean`` and ``std``
        arrays of shape (L,), such as `nnlib.experiments.ActStats`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created when None.
    predicted : array_like (L,) or an object with a ``std`` array (L,), optional
        The predicted std of each layer, e.g. a `nnlib.experiments.MeanField`.
    logy : bool, default False
        A log-scale y axis, for a std that collapses by orders of magnitude. The mean is
        then left out (it is near 0 and may be negative).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Not run here (it draws a figure)::

        ax = plot_layer_stats([A1, A2, A3])
        stats = experiments.activation_statistics("small", "tanh", rng=0)
        ax = plot_layer_stats(stats, predicted=experiments.mean_field("tanh", 0.05, 10),
                              logy=True)
    """
    means, stds = _stats_source(activations)
    n = len(stds)
    pred = None if predicted is None else _per_layer(predicted, n, "predicted", "std")
    logy = check_bool(logy, "logy", meaning="True: log-scale y axis, std only")
    layers = np.arange(1, n + 1)
    ax = _new_axes(ax)
    series = [(1, stds, "std")] if logy else [(0, means, "mean"), (1, stds, "std")]
    for i, values, label in series:
        colour, marker = _colour_and_marker(i)
        ax.plot(layers, values, color=colour, marker=marker, label=label)
    if pred is not None:
        ax.plot(layers, pred, color=OKABE_ITO["black"], linestyle="--", label="std, predicted")
    if logy:
        ax.set_yscale("log")
    else:
        ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.set_xticks(layers)
    ax.set_xlabel("layer")
    ax.set_ylabel("activation std (log scale)" if logy else "activation statistic")
    title = "Activation std per layer" if logy else "Activation mean and std per layer"
    if pred is not None:
        title += f"\nlayer {n}: std {stds[-1]:.3g} measured, {pred[-1]:.3g} predicted"
    ax.set_title(title)
    ax.legend(loc="best")
    return ax


def plot_gradient_stats(dW_std, dX_std=None, ax=None, logy=True):
    r"""Plot the std of the weight gradients and input gradients of each layer (1-based).

    For a stack :math:`Z_l = H_{l-1} W_l`, :math:`H_l = f(Z_l)` run backward from an
    upstream gradient, :math:`dW_l = H_{l-1}^\top dZ_l` and :math:`dX_l = dZ_l W_l^\top`
    (see `nnlib.experiments.deep_backward`). The title gives the first and last layers'
    values of ``dW``. Log scale by default: these stds span many orders of magnitude.

    Parameters
    ----------
    dW_std : array_like (L,), or a result object
        Std of :math:`dW_l` per layer; or an object with ``dW_std`` and ``dX_std`` arrays,
        such as `nnlib.experiments.ActStats` (then `dX_std` must be None).
    dX_std : array_like (L,), optional
        Std of :math:`dX_l` per layer.
    ax : matplotlib Axes, optional
    logy : bool, default True

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Not run here (it draws a figure)::

        ax = plot_gradient_stats(experiments.activation_statistics("large", "tanh", rng=0))
    """
    if not isinstance(dW_std, (np.ndarray, Sequence)) and hasattr(dW_std, "dW_std"):
        if dX_std is not None:
            raise TypeError("dX_std must be None when dW_std is a result object holding both")
        dW_std, dX_std = dW_std.dW_std, dW_std.dX_std
    if dW_std is None:
        raise TypeError("dW_std is None: run the experiment with backward=True")
    dW = as_array(dW_std, "dW_std", ndim=1, finite=True)
    if dW.size == 0:
        raise ValueError("dW_std must hold at least one layer, got an empty array")
    dX = None if dX_std is None else _per_layer(dX_std, dW.size, "dX_std", "dX_std")
    logy = check_bool(logy, "logy", meaning="True: log-scale y axis")
    layers = np.arange(1, dW.size + 1)
    ax = _new_axes(ax)
    for i, values, label in ((2, dW, "dW std"), (3, dX, "dX std")):
        if values is not None:
            colour, marker = _colour_and_marker(i)
            ax.plot(layers, values, color=colour, marker=marker, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xticks(layers)
    ax.set_xlabel("layer")
    ax.set_ylabel("gradient std" + (" (log scale)" if logy else ""))
    ax.set_title(f"Gradient std per layer\ndW: layer 1 {dW[0]:.3g}, layer {dW.size} {dW[-1]:.3g}")
    ax.legend(loc="best")
    return ax


# --------------------------------------------------------------------------- history


def _history_series(history, key: str) -> np.ndarray | None:
    """``history[key]`` as a float array, or None when missing, empty or all NaN.

    ``None`` entries (JSON's ``null``) count as NaN.
    """
    try:
        values = history[key]
    except (KeyError, IndexError):
        return None
    if values is None:
        return None
    if not isinstance(values, np.ndarray):
        values = [np.nan if v is None else v for v in np.ravel(np.asarray(values, dtype=object))]
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0 or np.all(np.isnan(arr)):
        return None
    return arr


def _last_finite(arr: np.ndarray) -> float:
    """Last finite entry of `arr` (NaN if none)."""
    finite = arr[np.isfinite(arr)]
    return float(finite[-1]) if finite.size else float("nan")


class _MappingHistory:
    """A History-like view of a dict such as ``History.as_dict()``: ``.epoch``, ``[key]``."""

    def __init__(self, data: Mapping):
        self._data = data
        metric_keys = [k for k in data if k != "epoch"]
        if "epoch" in data:
            epoch = data["epoch"]
        else:  # epochs 0, 1, ... as long as the longest metric
            lengths = [np.size(data[k]) for k in metric_keys if data[k] is not None]
            epoch = range(max(lengths, default=0))
        self.epoch = list(np.asarray(epoch).ravel())
        self._keys = tuple(metric_keys)

    def __getitem__(self, key):
        if key == "epoch":
            raise KeyError(key)
        return self._data[key]

    def keys(self):
        return self._keys


def plot_history(history, metrics=("loss", "accuracy"), axes=None):
    """Plot training curves: one panel per metric, training and validation lines.

    For each metric ``m`` the panel shows ``history[m]`` ("train") and, when recorded,
    ``history["val_" + m]`` ("validation") against the epoch; the title gives the final
    values. A quantity without a validation counterpart (``lr``, ``grad_norm``,
    ``weight_norm``) is a single line labelled with its name. Metrics that were not
    recorded (a missing key, an empty list, or NaN at every epoch, e.g. accuracy of a
    regression) are skipped, and so is a validation line that is all NaN (no validation
    data).

    Parameters
    ----------
    history : History or Mapping
        A `nnlib.training.History`: ``.epoch`` (list of int) and ``history[key]`` (list of
        float per epoch), keys among `HISTORY_KEYS`. Or a mapping like the one
        ``History.as_dict()`` returns (e.g. read back from JSON): ``"epoch"`` and a list
        per metric; without ``"epoch"`` the epochs are 0, 1, 2, ... ``None`` entries
        (JSON ``null``) count as NaN.
    metrics : str or sequence of str, default ("loss", "accuracy")
        Among `HISTORY_KEYS` (or other keys `history` holds).
    axes : sequence of matplotlib Axes, optional
        One per requested metric; the Axes of skipped metrics are switched off. A new
        figure with one panel per plotted metric is created when None.

    Returns
    -------
    ndarray of matplotlib Axes
        One per *plotted* metric, in the order of `metrics`.

    Raises
    ------
    ValueError
        For an unknown metric name (the message lists the keys `history` holds), or when
        none of the metrics was recorded.

    Examples
    --------
    Not run here (it draws a figure)::

        history = nnlib.fit(model, X, y, ...)
        axes = plot_history(history, metrics=("loss", "accuracy", "lr"))
        axes = plot_history(json.load(open("run.json")))     # saved history.as_dict()
    """
    if isinstance(history, Mapping):
        history = _MappingHistory(history)
    elif not hasattr(history, "epoch") or not hasattr(history, "__getitem__"):
        raise TypeError(
            "history must have an .epoch list and history[key] lists (a nnlib History), "
            "or be a dict like History.as_dict() ({'epoch': [...], 'loss': [...], ...}), "
            f"got {type(history).__name__}"
        )
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one metric, got an empty sequence")
    keys = tuple(history.keys()) if hasattr(history, "keys") else HISTORY_KEYS
    available = [k for k in keys if _history_series(history, k) is not None]
    for m in metrics:
        if not isinstance(m, str) or (m not in HISTORY_KEYS and m not in keys):
            raise ValueError(
                f"unknown metric {m!r}; available keys are: {', '.join(map(repr, available))}"
            )

    series = {
        m: (_history_series(history, m), _history_series(history, "val_" + m)) for m in metrics
    }
    plotted = [m for m in metrics if series[m][0] is not None]
    if not plotted:
        raise ValueError(
            f"none of the metrics {list(metrics)} was recorded in history; "
            f"available keys are: {', '.join(map(repr, available))}"
        )
    epochs = np.asarray(history.epoch, dtype=np.float64)

    if axes is None:  # rows of at most MAX_COLUMNS panels, about 4 inches each
        panels = _axes_array(None, len(plotted), "axes", panel_width=4.0)
    else:
        given = _axes_array(axes, len(metrics), "axes")
        for m, ax in zip(metrics, given, strict=True):
            if m not in plotted:
                ax.set_axis_off()
        panels = np.array([ax for m, ax in zip(metrics, given, strict=True) if m in plotted])

    for m, ax in zip(plotted, panels, strict=True):
        # A quantity with no validation counterpart (lr, grad_norm, ...) is labelled by name.
        has_val = "val_" + m in keys or "val_" + m in HISTORY_KEYS
        _draw_history_panel(
            ax, m, series[m], epochs, ("train", "validation") if has_val else (m, "")
        )
    return panels


def _draw_history_panel(ax, metric: str, curves, epochs: np.ndarray, names) -> None:
    """Draw one metric's curves (training, validation; None: not recorded) into `ax`.

    A curve as long as `epochs` is drawn against them, another against 0, 1, 2, ...; the
    title gives each curve's last finite value.
    """
    parts = []
    for i, (values, label) in enumerate(zip(curves, names, strict=True)):
        if values is None:
            continue
        x = epochs if len(values) == len(epochs) else np.arange(len(values), dtype=float)
        colour, marker = _colour_and_marker(i)
        ax.plot(x, values, color=colour, marker=marker, markersize=3, label=label)
        parts.append(f"{label} {_last_finite(values):.4g}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric}\nfinal: {', '.join(parts)}")
    ax.legend(loc="best")


# --------------------------------------------------------------------------- optimizers


def _finite_rows(arr: np.ndarray) -> np.ndarray:
    """`arr` without its trailing non-finite rows (a diverged run's NaN tail); >= 1 row."""
    ok = np.flatnonzero(np.isfinite(arr).all(axis=1))
    return arr[: ok[-1] + 1] if ok.size else arr[:1]


def plot_paths(surface, paths, ax=None, title: str | None = None, levels=30,
               resolution: int = 200):  # fmt: skip
    r"""Draw optimizer paths on a named surface's contours, with its minimum starred.

    A thin layer over `plot_loss_surface` for the surfaces of `nnlib.surfaces` (passed in,
    not imported: any object with ``on_grid(X1, X2)``, ``xlim``, ``ylim``, ``x_min`` and
    ``formula`` will do). A diverged path's trailing NaN rows are dropped, so its filled end
    marker sits on its last finite iterate.

    Parameters
    ----------
    surface : Surface
        E.g. ``nnlib.surfaces.SURFACES["rotated_valley"]``.
    paths : dict of str -> array_like (T, 2)
        Iterates as rows, e.g. `nnlib.experiments.run_optimizer`'s output, or the
        ``path`` of each `nnlib.experiments.race` run.
    ax : matplotlib Axes, optional
    title : str, optional
        Default: the surface's formula.
    levels, resolution
        As in `plot_loss_surface`.

    Returns
    -------
    matplotlib Axes
        The minimum is a black star with ``gid="minimum"`` (none for a surface without one).

    Examples
    --------
    Not run here (it draws a figure)::

        runs = experiments.race("valley", {"SGD": ("sgd", {"lr": 0.039})})
        plot_paths(surfaces.SURFACES["valley"], {k: r.path for k, r in runs.items()})
    """
    for attr in ("on_grid", "xlim", "ylim", "x_min"):
        if not hasattr(surface, attr):
            raise TypeError(
                f"surface must be an nnlib.surfaces.Surface (with .{attr}), "
                f"got {type(surface).__name__}"
            )
    paths = {} if paths is None else paths
    if not isinstance(paths, Mapping):
        raise TypeError(f"paths must be a dict of name -> (T, 2) array, got {type(paths).__name__}")
    checked = {k: _finite_rows(v) for k, v in _check_paths(dict(paths)).items()}
    if title is None:
        title = getattr(surface, "formula", "") or "Loss surface"
    ax = plot_loss_surface(surface.on_grid, surface.xlim, surface.ylim, paths=checked, ax=ax,
                           levels=levels, resolution=resolution, title=title)  # fmt: skip
    if surface.x_min is not None:
        ax.plot(*surface.x_min, marker="*", markersize=14, color=OKABE_ITO["black"],
                linestyle="none", label="minimum", gid="minimum", zorder=5)  # fmt: skip
        ax.legend(loc="best", framealpha=0.9, title="hollow: start, filled: end")
    return ax


def plot_gaps(gaps, tol: float | None = None, ax=None, title: str | None = None):
    r"""Plot :math:`f(w_t) - f_{\min}` against the step ``t`` (log scale), one line per run.

    Parameters
    ----------
    gaps : dict of str -> array_like (T,) or object with ``.gap``
        Per run, the gap at steps ``t = 0 .. T-1`` (NaN after a divergence is left blank),
        e.g. the `nnlib.experiments.race` result itself. Gaps of exactly 0 are drawn at
        1e-16 (a log axis has no 0).
    tol : float > 0, optional
        Draws a dashed horizontal line (``gid="tol"``) and adds to each label the first step
        below it: ``"SGD: 20 steps"`` (or ``"SGD: not within T-1 steps"``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Not run here (it draws a figure)::

        plot_gaps(experiments.race("valley", configs), tol=1e-6)
    """
    if not isinstance(gaps, Mapping) or not gaps:
        raise TypeError(f"gaps must be a non-empty dict of name -> (T,) array, got {gaps!r:.60}")
    if tol is not None:
        tol = check_number(tol, "tol", low=0, low_open=True, finite=True)
    ax = _new_axes(ax)
    for i, (name, g) in enumerate(gaps.items()):
        arr = as_array(getattr(g, "gap", g), f"gaps[{name!r}]", ndim=1)
        label = str(name)
        if tol is not None:
            hits = np.flatnonzero(arr < tol)
            label += f": {hits[0]} steps" if hits.size else f": not within {arr.size - 1} steps"
        colour, marker = _colour_and_marker(i)
        ax.plot(np.arange(arr.size), np.maximum(arr, 1e-16), color=colour, label=label,
                marker=marker, markevery=max(1, arr.size // 10), markersize=4)  # fmt: skip
    if tol is not None:
        ax.axhline(tol, color=OKABE_ITO["black"], linestyle="--", linewidth=1, gid="tol",
                   label=f"tol = {tol:g}")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("f − f_min (log scale)")
    ax.set_title("Distance to the minimum per step" if title is None else title)
    ax.legend(loc="best", fontsize=8)
    return ax


def _ema(x: np.ndarray, beta: float) -> np.ndarray:
    """Raw EMA ``v_t = beta v_{t-1} + (1 - beta) x_t``, ``v_0 = 0`` (as optimizers.ema)."""
    v = np.empty_like(x)
    acc = 0.0
    for t, xt in enumerate(x):  # a recursion in time: sequential by nature
        acc = beta * acc + (1.0 - beta) * xt
        v[t] = acc
    return v


def plot_ema(x, betas=(0.5, 0.9, 0.98), ax=None, title: str | None = None):
    r"""Plot a series and its exponential moving averages, raw and bias-corrected.

    .. math:: v_0 = 0, \qquad v_t = \beta v_{t-1} + (1-\beta)\,x_t, \qquad
              \hat v_t = \frac{v_t}{1 - \beta^t}

    (t = 1, 2, ... as in Adam). The raw average starts near 0 and needs about
    :math:`1/(1-\beta)` steps to catch up; the corrected one does not, because the weights
    :math:`(1-\beta)\beta^{t-i}` of :math:`v_t` sum to :math:`1-\beta^t`, not 1.

    Parameters
    ----------
    x : array_like (T,)
        The series, :math:`x_1 .. x_T` (drawn as grey dots at t = 1..T).
    betas : sequence of float in [0, 1), default (0.5, 0.9, 0.98)
        One colour per :math:`\beta`: raw dashed (``gid="raw_<beta>"``), corrected solid
        (``gid="corrected_<beta>"``).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    Not run here (it draws a figure)::

        plot_ema(np.full(50, 10.0), betas=(0.9, 0.98))  # raw: 0.2, 0.396, ... corrected: 10
    """
    x = as_array(x, "x", ndim=1, finite=True)
    if x.size == 0:
        raise ValueError("x must hold at least one value, got an empty array")
    if isinstance(betas, (int, float)):
        betas = (betas,)
    betas = [check_number(b, "betas", low=0, high=1, high_open=True) for b in betas]
    if not betas:
        raise ValueError("betas must hold at least one beta in [0, 1)")
    t = np.arange(1, x.size + 1)
    ax = _new_axes(ax)
    ax.plot(t, x, linestyle="none", marker="o", markersize=3, color="0.6", label="x_t",
            gid="data")  # fmt: skip
    for i, beta in enumerate(betas):
        colour, _ = _colour_and_marker(i)
        v = _ema(x, beta)
        ax.plot(t, v, color=colour, linestyle="--", label=f"β = {beta:g}, raw",
                gid=f"raw_{beta:g}")  # fmt: skip
        ax.plot(t, v / (1.0 - beta**t), color=colour, linewidth=2,
                label=f"β = {beta:g}, corrected", gid=f"corrected_{beta:g}")  # fmt: skip
    ax.set_xlabel("t")
    ax.set_ylabel("value")
    ax.set_title("EMA: raw (dashed) and bias-corrected (solid)" if title is None else title)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_schedules(schedules, epochs, ax=None, logy: bool = False, title: str | None = None,
                   xlabel: str = "epoch t"):  # fmt: skip
    """Plot learning-rate schedules against the epoch (or step) index.

    Parameters
    ----------
    schedules : dict of str -> callable or array_like
        A callable ``s(t) -> lr`` (an `nnlib.schedules` object, a lambda, a
        `nnlib.experiments.SEED_SCHEDULES` rule with its parameters bound), called once per
        ``t``; or the rates already computed, one per ``t``. Non-finite rates are left blank.
    epochs : int >= 1 or 1-D array_like
        ``n``: t = 0, 1, ..., n-1 (nnlib's schedules count epochs from 0); or the t values.
    ax : matplotlib Axes, optional
    logy : bool, default False
        Log-scale y axis (for exponential decays, or a seed formula's 1e-32).
    title : str, optional
    xlabel : str, default "epoch t"
        Say "step t" or "samples seen" when the schedule counts those.

    Returns
    -------
    matplotlib Axes
        One line per schedule, ``gid="schedule_<i>"`` (0-based, in dict order).

    Examples
    --------
    Not run here (it draws a figure)::

        plot_schedules({"step": schedules.StepDecay(0.1, 0.5, 10),
                        "1/t": schedules.InverseTime(0.1, 0.1)}, 50)
    """
    if not isinstance(schedules, Mapping) or not schedules:
        raise TypeError(
            f"schedules must be a non-empty dict of name -> schedule, got {schedules!r:.60}"
        )
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool):
        ts = np.arange(check_int(epochs, "epochs", low=1))
    else:
        ts = as_array(epochs, "epochs", ndim=1, finite=True)
        if ts.size == 0:
            raise ValueError("epochs must be an int >= 1 or a non-empty 1-D array of t values")
    logy = check_bool(logy, "logy", meaning="True: log-scale y axis")
    ax = _new_axes(ax)
    for i, (name, s) in enumerate(schedules.items()):
        if callable(s):
            lr = np.array([float(s(int(t) if float(t).is_integer() else t)) for t in ts])
        else:
            lr = as_array(s, f"schedules[{name!r}]", ndim=1)
            if lr.shape != ts.shape:
                raise ValueError(
                    f"schedules[{name!r}] holds {lr.size} rates but epochs gives {ts.size} t values"
                )
        colour, marker = _colour_and_marker(i)
        shown = np.where(np.isfinite(lr) & ((lr > 0) if logy else True), lr, np.nan)
        ax.plot(ts, shown, color=colour, marker=marker, markevery=max(1, ts.size // 12),
                markersize=4, label=str(name), gid=f"schedule_{i}")  # fmt: skip
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("learning rate" + (" (log scale)" if logy else ""))
    ax.set_title("Learning-rate schedules" if title is None else title)
    ax.legend(loc="best", fontsize=8)
    return ax


# --------------------------------------------------------------------------- activations

#: Greek letters for the hyper-parameters in `plot_activations`' labels.
_PARAM_SYMBOLS = {"alpha": "α", "beta": "β"}
#: The default grid of `plot_activations`: 401 points on [-4, 4], 0 among them.
_ACTIVATION_GRID = (-4.0, 4.0, 401)
#: Half-width of the one-sided limits that tell a jump of f' at 0 (ReLU) from a smooth f'.
_JUMP_H = 1e-9


def _activation_list(activations, params: dict) -> list:
    """Resolve names and `ActivationFunction` objects; `params` go to the names taking them."""
    from .activations import ActivationFunction, get_activation

    if isinstance(activations, (str, ActivationFunction)):
        activations = [activations]
    if not isinstance(activations, Sequence) or not activations:
        raise ValueError(
            "activations must be a name, an ActivationFunction or a non-empty list of them, "
            f"got {activations!r}"
        )
    resolved, used = [], set()
    for item in activations:
        if isinstance(item, str):
            own = {k: v for k, v in params.items() if k in get_activation(item).params}
            used.update(own)
            item = get_activation(item, **own)
        elif not isinstance(item, ActivationFunction):
            raise TypeError(
                "each activation must be a name (nnlib.activations.ACTIVATIONS) or an "
                f"ActivationFunction, got {type(item).__name__}"
            )
        if not item.elementwise:
            raise ValueError(f"activations must be elementwise; {item.name!r} is not")
        resolved.append(item)
    if set(params) - used:
        raise TypeError(
            f"parameter(s) {sorted(set(params) - used)} taken by none of the named activations "
            f"{[a.name for a in resolved]}"
        )
    return resolved


def activation_label(activation) -> str:
    """Readable label of an `nnlib.activations.ActivationFunction`: ``swish (β = 2)``.

    Hyper-parameters are shown with their Greek letter; GELU's ``approximate=True`` reads
    ``gelu (tanh approx.)``.

    Examples
    --------
    >>> from nnlib.activations import get_activation
    >>> activation_label(get_activation("leaky_relu")), activation_label(get_activation("relu"))
    ('leaky_relu (α = 0.01)', 'relu')
    """
    parts = [
        f"{_PARAM_SYMBOLS.get(k, k)} = {v:g}"
        for k, v in activation.params.items()
        if k != "approximate"
    ]
    if activation.params.get("approximate"):
        parts.append("tanh approx.")
    return activation.name + (f" ({', '.join(parts)})" if parts else "")


def _derivative_curve(act, x: np.ndarray):
    """``(x, f'(x), f'(0), jump)``: NaN at 0 breaks the line where f' jumps there."""
    df0 = float(act.grad(np.zeros(1))[0])
    left, right = act.grad(np.array([-_JUMP_H, _JUMP_H]))
    jump = (float(left), float(right)) if abs(left - right) > 1e-6 else None
    df = act.grad(x)
    if jump is not None and x[0] < 0 < x[-1]:
        keep = x != 0
        cut = int(np.searchsorted(x[keep], 0.0))
        x = np.insert(x[keep], cut, 0.0)
        df = np.insert(df[keep], cut, np.nan)
    return x, df, df0, jump


def plot_activations(activations, x=None, derivative=True, axes=None, **params):
    r"""Plot activation functions f(z), and beside them their derivatives f'(z).

    Each activation is one curve in the left panel; its derivative :math:`f'(z)`, as
    nnlib's backward pass uses it (``ActivationFunction.grad``), is the curve of the same
    colour in the right panel, with :math:`f'(0)` marked by a dot and given in the legend.
    Where :math:`f'` jumps at 0 (ReLU, leaky ReLU, SELU) the curve is broken there and the
    two one-sided limits are open circles, so the dot shows the convention nnlib picks at
    the kink (``relu_grad(0) = 0``).

    Parameters
    ----------
    activations : str, ActivationFunction, or a list of them
        Names from `nnlib.activations.ACTIVATIONS` (not ``softmax``) and/or ready
        activations, e.g. ``[get_activation("swish", beta=b) for b in (0, 1, 10)]``.
    x : array_like, shape (M,), optional
        Pre-activation values, M >= 2, finite; sorted here. Default 401 points on [-4, 4].
    derivative : bool, default True
        Draw the derivative panel.
    axes : Axes, or a pair of Axes when `derivative`, optional
        Where to draw (f first, then f'); a new figure when None.
    **params
        Hyper-parameters passed to every *named* activation that takes them:
        ``beta=2.0`` reaches swish only, ``alpha=`` leaky_relu and elu. A parameter no
        named activation takes is a ``TypeError``.

    Returns
    -------
    ndarray of 2 Axes (f, f') when `derivative`, else the single Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax_f, ax_df = plot_activations(["sigmoid", "relu", "swish"], beta=1.0)
    >>> [line.get_label() for line in ax_df.get_lines() if not line.get_label().startswith("_")]
    ['sigmoid: f′(0) = 0.25', 'relu: f′(0) = 0', 'swish (β = 1): f′(0) = 0.5']
    """
    acts = _activation_list(activations, params)
    if x is None:
        x = np.linspace(*_ACTIVATION_GRID)
    x = np.sort(as_array(x, "x", ndim=1, finite=True))
    if x.size < 2:
        raise ValueError(f"x must hold at least 2 points, got {x.size}")
    derivative = check_bool(derivative, "derivative")
    panels = _axes_array(axes, 2 if derivative else 1, "axes", panel_width=4.2)
    ax_f = panels[0]
    for i, act in enumerate(acts):
        colour, _ = _colour_and_marker(i)
        style = LINESTYLES[i % len(LINESTYLES)]
        label = activation_label(act)
        ax_f.plot(x, act.forward(x), color=colour, linestyle=style, linewidth=2, label=label,
                  gid=f"f_{i}")  # fmt: skip
        if not derivative:
            continue
        xd, df, df0, jump = _derivative_curve(act, x)
        ax = panels[1]
        ax.plot(xd, df, color=colour, linestyle=style, linewidth=2,
                label=f"{label}: f′(0) = {df0:.3g}", gid=f"df_{i}")  # fmt: skip
        ax.plot([0.0], [df0], marker="o", color=colour, markersize=6, linestyle="none",
                label="_nolegend_", gid=f"df0_{i}", zorder=4)  # fmt: skip
        if jump is not None:
            ax.plot([0.0, 0.0], jump, marker="o", markerfacecolor="white", color=colour,
                    linestyle="none", label="_nolegend_", gid=f"jump_{i}")  # fmt: skip
    titles = ("activation f(z)", "derivative f′(z)")
    for ax, title, ylabel in zip(panels, titles, ("f(z)", "f′(z)"), strict=False):
        ax.axhline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.axvline(0.0, color="0.8", linewidth=0.8, zorder=0)
        ax.set_xlabel("z (pre-activation)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        # below the panel, so no curve is hidden however many there are
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8)
    return panels if derivative else ax_f


# --------------------------------------------------------------------------- weights


def _weight_values(source, name: str) -> np.ndarray:
    """All weights of `source` as one flat vector: a model's W1, W2, ... or arrays pooled."""
    params = getattr(source, "params", None)
    if isinstance(params, Mapping):  # a model: its weight matrices, never the biases
        arrays = [np.asarray(v) for k, v in params.items() if k[:1] == "W" and k[1:].isdigit()]
        if not arrays:
            raise ValueError(f"{name}: the model has no parameters named W1, W2, ...")
    elif isinstance(source, (list, tuple)):
        arrays = [as_array(a, name, ndim=None, finite=True) for a in source]
    else:
        arrays = [as_array(source, name, ndim=None, finite=True)]
    values = np.concatenate([a.ravel() for a in arrays]) if arrays else np.empty(0)
    if values.size == 0:
        raise ValueError(f"{name} holds no weights")
    if not np.isfinite(values).all():
        raise ValueError(f"{name} contains NaN or infinite weights")
    return values


def plot_weights_hist(weights, ax=None, bins=60, logy=False, title=None):
    r"""Histogram the weights of one or more models, e.g. to compare L2 with L1.

    L2 (:math:`\tfrac{\lambda}{2}\lVert W\rVert^2`) shrinks every weight in proportion,
    so the histogram narrows; proximal L1 moves each weight towards 0 by a constant and
    stops it there, so a spike of exact zeros appears. The legend gives each set's
    standard deviation and its count of weights exactly 0.

    Parameters
    ----------
    weights : model, array, list of arrays, or a mapping label -> one of those
        A model is anything with a ``params`` mapping (`nnlib.model.MLP`): its ``W1``,
        ``W2``, ... are used, never the biases. A list of arrays is pooled into one set.
        A mapping draws one histogram per entry, in one colour each, on shared bins.
    ax : matplotlib Axes, optional
    bins : int >= 1, default 60
        Equal-width bins over the range of all the sets together.
    logy : bool, default False
        Log-scale counts (makes a spike and a wide spread visible together).
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_weights_hist({"wide": np.arange(-3.0, 4.0), "zeros": np.zeros(4)})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['wide: std 2, 1 of 7 exactly 0', 'zeros: std 0, 4 of 4 exactly 0']
    """
    if isinstance(weights, Mapping):
        if not weights:
            raise ValueError("weights must hold at least one set, got an empty mapping")
        values = {str(k): _weight_values(v, f"weights[{k!r}]") for k, v in weights.items()}
    else:
        values = {"weights": _weight_values(weights, "weights")}
    bins = check_int(bins, "bins", low=1)
    logy = check_bool(logy, "logy")
    lo = min(v.min() for v in values.values())
    hi = max(v.max() for v in values.values())
    edges = np.linspace(lo, hi, bins + 1) if hi > lo else np.linspace(lo - 0.5, hi + 0.5, bins + 1)
    ax = _new_axes(ax, layout="constrained")
    for i, (label, v) in enumerate(values.items()):
        colour, _ = _colour_and_marker(i)
        zeros = int(np.count_nonzero(v == 0))
        ax.hist(v, bins=edges, histtype="step", linewidth=2, color=colour, log=logy,
                label=f"{label}: std {v.std():.3g}, {zeros:,} of {v.size:,} exactly 0",
                gid=f"hist_{i}")  # fmt: skip
    ax.set_xlabel("weight value")
    ax.set_ylabel("count (log scale)" if logy else "count")
    ax.set_title("Weights (biases excluded)" if title is None else title)
    # below the plot: a spike of zeros at the centre stays visible
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), fontsize=8)
    return ax
