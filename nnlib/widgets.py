r"""Interactive demos of the course, each a thin ipywidgets wrapper around a view.

Every demo comes in two parts:

- a **view**, ``*_view(...)``: a plain function that draws into a matplotlib figure and
  returns the figure with the numbers it shows (a truth table, a trace row, an update).
  Tests and notebooks call it directly; it needs no widget and no display;
- a **widget**, ``*_widget()``: sliders and drop-downs whose callback calls the view.

=======================  =================================================================
`mcp_view`               a McCulloch-Pitts neuron ``(w1, w2, θ)``: its line, truth table
                         and the named gate it computes (`nnlib.classic.identify_gate`)
`hebb_view`              Hebb's rule on a logic gate after ``step`` patterns, in one of
                         three encodings (`HEBB_ENCODINGS`): the trace and the line
`perceptron_view`        the perceptron after ``step`` samples: the current sample, the
                         line before and after, and the update
`gradient_depth_view`    each layer's weight-gradient norm in a deep MLP at
                         initialization, for a depth and a hidden activation (lesson 04)
`init_view`              cs231n's deep-net experiment for one initialization: per-layer
                         std of activations, dW and dX, the mean-field prediction and
                         histograms (lesson 05, `nnlib.experiments`)
`optimizer_race_view`    optimizers racing on a 2-D surface (lesson 06)
`ema_view`               an exponential moving average, raw and bias-corrected (lesson 06)
`schedule_view`          a learning-rate schedule beside S0's formula (lesson 06)
`activation_view`        an activation and its derivative (swish with its β), and the
                         dead units it leaves in a digits net trained at a learning
                         rate (lesson 07)
`regularization_view`    the decision boundary of a small net on moons or spirals for an
                         L2 λ, L1 λ and dropout p, with train/test accuracy and ‖W‖
                         (lesson 08)
=======================  =================================================================

How the widgets draw (JupyterLab 4, ipywidgets 8, and headless)
----------------------------------------------------------------
A widget owns **one** ``matplotlib.figure.Figure``, made with the object-oriented API (not
``pyplot``, so it is never shown or stacked by the notebook's inline backend). Each
callback clears it (``fig.clf()``), redraws it through the view, renders it to PNG with
matplotlib's Agg renderer and puts the bytes in an ``ipywidgets.Image``; the numbers go
to an ``ipywidgets.HTML``. The picture therefore always occupies the same single output
area, nothing is ever ``display``-ed or printed, and no GUI backend or display server is
needed: executed headless (nbclient, CI) a widget cell builds its widgets, renders one PNG
and outputs only the widget itself.

A widget is an ``ipywidgets.VBox`` with extra attributes for code and tests: ``fig`` (the
figure), ``controls`` (dict of the sliders and drop-downs by name), ``image``, ``info``,
``update()`` (redraw from the current control values) and ``view`` (the dict the last
view call returned).

ipywidgets and matplotlib are imported inside the functions, so ``import nnlib`` does not
load them.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import io
import textwrap

import numpy as np

from . import activations as _activations
from . import classic
from ._checks import as_array, check_choice, check_int, check_number
from .plotting import (
    OKABE_ITO,
    _draw_unit,
    _number_text,
    _unit_text,
    activation_label,
    plot_linear_unit,
    unit_legend,
)

__all__ = [
    "DEAD_EPOCHS",
    "DEAD_LRS",
    "DEAD_SIZES",
    "DEPTH_ACTIVATIONS",
    "EMA_BETAS",
    "EMA_SERIES",
    "HEBB_ENCODINGS",
    "HEBB_GATES",
    "INIT_ACTIVATIONS",
    "L1_MODES",
    "MATCHED_INIT",
    "MAX_DEPTH",
    "MAX_INIT_LAYERS",
    "MAX_INIT_WIDTH",
    "MAX_RACE_STEPS",
    "RACE_RULES",
    "RACE_SURFACES",
    "REG_DATASETS",
    "REG_DROPOUTS",
    "REG_EPOCHS",
    "REG_KINDS",
    "REG_LAMBDAS",
    "REG_LR",
    "REG_SIZES",
    "SCHEDULE_KINDS",
    "SWISH_BETAS",
    "VIEW_ACTIVATIONS",
    "activation_view",
    "activation_widget",
    "ema_view",
    "ema_widget",
    "gradient_depth_view",
    "gradient_depth_widget",
    "hebb_view",
    "hebb_widget",
    "init_view",
    "init_widget",
    "mcp_view",
    "mcp_widget",
    "optimizer_race_view",
    "optimizer_race_widget",
    "perceptron_view",
    "perceptron_widget",
    "regularization_panels",
    "regularization_view",
    "regularization_widget",
    "schedule_view",
    "schedule_widget",
]

#: Encodings of `hebb_view`: key -> description.
HEBB_ENCODINGS: dict[str, str] = {
    "binary": "binary inputs and targets (0/1)",
    "binary_bipolar": "binary inputs (0/1), bipolar targets (-1/+1)",
    "bipolar": "bipolar inputs and targets (-1/+1)",
}

#: Gates `hebb_view` can learn: the two-input gates of `nnlib.classic.GATES`, in its order
#: (xor included, to watch Hebb fail).
HEBB_GATES: tuple[str, ...] = tuple(g for g in classic.GATES if g != "not")

_FIGSIZE = (5.0, 5.6)
#: Fixed position of a view's Axes, in figure fractions (left, bottom, width, height): room
#: above for a title of up to `_TITLE_LINES` lines, below for the x label and a legend of up
#: to 3 rows. Fixed, so the plot does not jump when the title or the legend changes length.
_AXES_RECT = (0.13, 0.23, 0.83, 0.62)
_TITLE_LINES = 4
_TITLE_WIDTH = 52  # characters per title line
_BINARY_LIM = (-0.5, 1.5)
_BIPOLAR_LIM = (-1.6, 1.6)


# --------------------------------------------------------------------------- helpers


def _figure(fig, figsize=_FIGSIZE):
    """Return `fig` cleared, or a new pyplot figure (shown inline in a notebook) when None.

    The figure gets no layout engine: the views place their Axes at `_AXES_RECT`.
    """
    if fig is None:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    fig.clf()
    fig.set_layout_engine("none")
    return fig


def _view_axes(fig):
    """Add the single Axes of a view, at the fixed position `_AXES_RECT`."""
    return fig.add_axes(_AXES_RECT)


def _fixed_title(ax, text: str) -> None:
    """Set a title of at most `_TITLE_LINES` lines of `_TITLE_WIDTH` characters.

    Long lines are wrapped (never cut off at the figure's edge); beyond the last line the
    text is shortened with "…". The Axes does not move (fixed position), whatever the count.
    """
    lines: list[str] = []
    for part in text.split("\n"):
        lines.extend(textwrap.wrap(part, _TITLE_WIDTH) or [""])
    if len(lines) > _TITLE_LINES:
        lines = lines[:_TITLE_LINES]
        lines[-1] = textwrap.shorten(lines[-1] + " …", _TITLE_WIDTH, placeholder=" …")
    ax.set_title("\n".join(lines), fontsize=10)


def _widget_figure(figsize=_FIGSIZE):
    """Make a Figure outside pyplot: never auto-shown, never counted by ``plt.get_fignums()``."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, dpi=90)


def _png(fig) -> bytes:
    """Render `fig` to PNG bytes with Agg (no GUI backend, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def _highlight(ax, point, label: str) -> None:
    """Ring a point (the current pattern or sample); its legend entry is a normal-size ring."""
    ax.scatter(
        [point[0]],
        [point[1]],
        s=380,
        facecolors="none",
        edgecolors="black",
        linewidths=2.0,
        zorder=4,
        label="_nolegend_",
        gid="current",
    )
    # Legend proxy: an empty Line2D with a ring of ordinary marker size (the scatter's
    # s=380 would make a legend marker that overlaps its neighbours).
    ax.plot(
        [],
        [],
        linestyle="none",
        marker="o",
        markersize=10,
        markerfacecolor="none",
        markeredgecolor="black",
        markeredgewidth=2.0,
        label=label,
        gid="current_legend",
    )
    unit_legend(ax)


def _table_html(header, rows, highlight: int | None = None, caption: str = "") -> str:
    """Format a small HTML table; row `highlight` (0-based) in bold on a light background."""
    th = "".join(f"<th style='padding:0 6px'>{html.escape(str(h))}</th>" for h in header)
    body = []
    for r, row in enumerate(rows):
        style = " style='font-weight:bold;background:#fde9c9'" if r == highlight else ""
        cells = "".join(
            f"<td style='padding:0 6px;text-align:right'>{html.escape(str(c))}</td>" for c in row
        )
        body.append(f"<tr{style}>{cells}</tr>")
    cap = f"<caption style='text-align:left'>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<tr>{th}</tr>{''.join(body)}</table>"


def _build(controls: dict, render, *, width: str = "470px", figsize=_FIGSIZE):
    """Assemble a widget: controls on top, the figure's PNG and an HTML panel below.

    `render(**values, fig=fig)` draws into the widget's figure and returns ``(view,
    info_html)``. Returns the VBox with ``fig``, ``controls``, ``image``, ``info``,
    ``update`` and ``view`` attributes.
    """
    import ipywidgets as widgets

    fig = _widget_figure(figsize)
    image = widgets.Image(format="png", layout=widgets.Layout(width=width))
    info = widgets.HTML()
    box = widgets.VBox(
        [
            # controls wrap onto a second row rather than run off a narrow notebook
            widgets.HBox(list(controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([image, info]),
        ],
    )

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        view, text = render(fig=fig, **values)
        image.value = _png(fig)
        info.value = text
        box.view = view
        return view

    for control in controls.values():
        control.observe(update, names="value")
    box.fig = fig
    box.controls = controls
    box.image = image
    box.info = info
    box.update = update
    update()
    return box


# --------------------------------------------------------------------------- McCulloch-Pitts


def _function_text(gate: str | None) -> str:
    """Describe what a neuron computes, for a title: ``computes AND``, ``computes NOT x1``, ...

    ``gate`` is a name from `nnlib.classic.UNIT_FUNCTIONS` (`classic.identify_gate`).
    """
    if gate is None:
        return "no named function"
    if gate == "always fires":
        return "always fires (outputs 1 on every input)"
    if gate == "never fires":
        return "never fires (outputs 0 on every input)"
    if gate in classic.GATES:
        return f"computes {gate.upper()}"
    words = {"not": "NOT", "and": "AND", "or": "OR"}
    return "computes " + " ".join(words.get(word, word) for word in gate.split())


def mcp_view(w1, w2, threshold, fig=None):
    r"""Draw a two-input McCulloch-Pitts neuron and return its truth table and gate.

    The neuron fires when :math:`w_1 x_1 + w_2 x_2 \ge \theta`. The figure shows the line
    :math:`w_1 x_1 + w_2 x_2 = \theta`, the shaded side where it fires, and the four
    binary inputs marked by the neuron's output, each annotated with its weighted sum;
    the title names the function (`nnlib.classic.identify_gate`). The legend sits below
    the plot and the Axes has a fixed position in the figure, so that nothing jumps when
    a slider moves and the title or the legend changes length.

    Parameters
    ----------
    w1, w2 : float
        The weights.
    threshold : float
        :math:`\theta`.
    fig : matplotlib Figure, optional
        Cleared and redrawn (a widget passes its own); a new pyplot figure when None.

    Returns
    -------
    dict
        ``fig``: the Figure (one Axes); ``table``: list of ``(x1, x2, net, out)`` for the
        inputs (0, 0), (0, 1), (1, 0), (1, 1), with ``x1, x2, out`` int and ``net`` float;
        ``gate``: what it computes, a name from `nnlib.classic.UNIT_FUNCTIONS`: a gate
        (``"and"``, ``"or"``, ``"nand"``, ``"nor"``), ``"x1"``, ``"not x2"``,
        ``"x1 and not x2"``, ..., ``"always fires"`` or ``"never fires"`` (every
        two-input neuron has one). The title says it: "computes AND", "computes NOT x2",
        "always fires (outputs 1 on every input)".

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = mcp_view(1, 1, 2)
    >>> view["gate"], [row[3] for row in view["table"]]
    ('and', [0, 0, 0, 1])
    >>> view["fig"].axes[0].get_title()
    'w = (1, 1), θ = 2\ncomputes AND'
    """
    w = np.array([check_number(w1, "w1", finite=True), check_number(w2, "w2", finite=True)])
    theta = check_number(threshold, "threshold", finite=True)
    neuron = classic.MCPNeuron(w, theta)
    X, out = neuron.truth_table()
    net = neuron.net(X)
    gate = classic.identify_gate(w, theta)
    table = [(int(x[0]), int(x[1]), float(s), int(o)) for x, s, o in zip(X, net, out, strict=True)]

    what = _function_text(gate)
    fig = _figure(fig)
    ax = _view_axes(fig)
    plot_linear_unit(
        w,
        theta,
        X,
        out,
        ax=ax,
        kind="threshold",
        xlim=_BINARY_LIM,
        ylim=_BINARY_LIM,
        title=f"{_unit_text(w, theta, 'threshold')}\n{what}",
    )
    _fixed_title(ax, ax.get_title())
    for (x1, x2, s, _), dy in zip(table, (0.12, -0.16, 0.12, -0.16), strict=True):
        ax.annotate(f"net {_number_text(s)}", (x1, x2), xytext=(x1, x2 + dy), ha="center")
    return {"fig": fig, "table": table, "gate": gate}


def mcp_widget(w1=1.0, w2=1.0, threshold=2.0):
    """Sliders for a McCulloch-Pitts neuron: its line, live truth table and gate name.

    Three sliders, ``w1``, ``w2`` and ``θ``, each from -2 to 2 in steps of 0.5; every
    change redraws `mcp_view` in the same figure and updates the truth table beside it.
    See the module docstring for how the widget draws and what it exposes.

    Parameters
    ----------
    w1, w2, threshold : float, default 1, 1, 2 (AND)
        Initial slider values.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"w1"``, ``"w2"``, ``"threshold"``), ``image``,
        ``info``, ``update()`` and ``view`` attributes.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.mcp_widget()
    """
    import ipywidgets as widgets

    def slider(value, name, description):
        value = check_number(value, name, low=-2, high=2)
        return widgets.FloatSlider(
            value=value,
            min=-2.0,
            max=2.0,
            step=0.5,
            description=description,
            readout_format=".1f",
            layout=widgets.Layout(width="250px"),
        )

    controls = {
        "w1": slider(w1, "w1", "w1"),
        "w2": slider(w2, "w2", "w2"),
        "threshold": slider(threshold, "threshold", "θ"),
    }

    def render(w1, w2, threshold, fig):
        view = mcp_view(w1, w2, threshold, fig=fig)
        rows = [(x1, x2, _number_text(s), o) for x1, x2, s, o in view["table"]]
        what = _function_text(view["gate"])
        text = _table_html(["x1", "x2", "net", "fires"], rows, caption="Truth table")
        return view, text + f"<p>The neuron <b>{html.escape(what)}</b>.</p>"

    return _build(controls, render)


# --------------------------------------------------------------------------- Hebb


def _hebb_patterns(gate: str, encoding: str):
    """Patterns and targets of `gate` in Fausett's order (1, 1), (1, 0), (0, 1), (0, 0)."""
    X, t = classic.gate_truth_table(gate)
    X, t = X[::-1].astype(np.float64), t[::-1].astype(np.float64)
    if encoding in ("binary_bipolar", "bipolar"):
        t = classic.bipolar(t).astype(np.float64)
    if encoding == "bipolar":
        X = classic.bipolar(X).astype(np.float64)
    return X, t


def hebb_view(encoding="bipolar", gate="and", step=4, fig=None):
    r"""Draw Hebb's rule on a logic gate after `step` patterns; return the trace so far.

    One pass of `nnlib.classic.hebb` from zero weights over the gate's four patterns in
    Fausett's order (1, 1), (1, 0), (0, 1), (0, 0) (for bipolar inputs 0 is -1):
    :math:`w_i \mathrel{+}= x_i t`, :math:`b \mathrel{+}= t`. The figure shows the line
    :math:`w \cdot x + b = 0` after `step` patterns, the side where the unit fires
    (:math:`w \cdot x + b \ge 0`), the patterns marked by target and the pattern just
    learned ringed.

    Parameters
    ----------
    encoding : {"binary", "binary_bipolar", "bipolar"}, default "bipolar"
        See `HEBB_ENCODINGS`.
    gate : {"and", "or", "nand", "nor", "xor"}, default "and"
    step : int, 0 <= step <= 4, default 4
        Patterns learned so far (0: the initial zero weights, no line).
    fig : matplotlib Figure, optional
        Cleared and redrawn; a new pyplot figure when None.

    Returns
    -------
    dict
        ``fig``; ``trace_rows``: the first `step` rows of the trace, dicts with keys
        ``x1, x2, t, dw1, dw2, db, w1, w2, b`` (`nnlib.classic.HebbTrace.as_table`);
        ``w``: ndarray (2,) and ``b``: float, the weights after `step` patterns.

    Examples
    --------
    Fausett's bipolar AND ends at w = (2, 2), b = -2:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = hebb_view("bipolar", "and", step=4)
    >>> view["w"], view["b"]
    (array([2., 2.]), -2.0)
    >>> view["trace_rows"][1]["w2"], hebb_view("binary", "and", step=1)["w"]
    (2.0, array([1., 1.]))
    """
    encoding = check_choice(encoding, "encoding", HEBB_ENCODINGS)
    gate = check_choice(gate, "gate", HEBB_GATES)
    X, t = _hebb_patterns(gate, encoding)
    step = check_int(step, "step", low=0)
    if step > len(t):
        raise ValueError(f"step must be between 0 and {len(t)} (patterns learned), got {step}")
    trace = classic.hebb(X, t)
    w, b = trace.weights_after(step)
    rows = trace.as_table()[:step]

    lim = _BIPOLAR_LIM if encoding == "bipolar" else _BINARY_LIM
    header = f"Hebb, {gate.upper()}, {encoding.replace('_', ' + ')}"
    progress = "initial weights" if step == 0 else f"after pattern {step} of {len(t)}"
    fig = _figure(fig)
    ax = _view_axes(fig)
    plot_linear_unit(
        w,
        b,
        X,
        t,
        ax=ax,
        kind="bias",
        xlim=lim,
        ylim=lim,
        title=f"{header}, {progress}\n{_unit_text(w, -b, 'bias')}",
    )
    _fixed_title(ax, ax.get_title())
    if step > 0:
        _highlight(ax, X[step - 1], f"pattern {step}")
    return {"fig": fig, "trace_rows": rows, "w": w, "b": b}


def hebb_widget(encoding="bipolar", gate="and", step=0):
    """Step through Hebb's rule one pattern at a time: the trace row and the line.

    Drop-downs for the encoding (`HEBB_ENCODINGS`) and the gate, and a slider for the
    number of patterns learned (0 to 4); every change redraws `hebb_view` in the same
    figure and shows the trace table so far, the latest row highlighted.

    Parameters
    ----------
    encoding : str, default "bipolar"
    gate : str, default "and"
    step : int, default 0
        Initial values of the controls.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"encoding"``, ``"gate"``, ``"step"``), ``image``,
        ``info``, ``update()`` and ``view`` attributes.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.hebb_widget()
    """
    import ipywidgets as widgets

    encoding = check_choice(encoding, "encoding", HEBB_ENCODINGS)
    gate = check_choice(gate, "gate", HEBB_GATES)
    step = check_int(step, "step", low=0)
    if step > 4:
        raise ValueError(f"step must be between 0 and 4 (patterns learned), got {step}")
    controls = {
        "encoding": widgets.Dropdown(
            options=[(text, key) for key, text in HEBB_ENCODINGS.items()],
            value=encoding,
            description="encoding",
            layout=widgets.Layout(width="360px"),
        ),
        "gate": widgets.Dropdown(
            options=[(g.upper(), g) for g in HEBB_GATES],
            value=gate,
            description="gate",
            layout=widgets.Layout(width="160px"),
        ),
        "step": widgets.IntSlider(value=step, min=0, max=4, step=1, description="patterns"),
    }

    def render(encoding, gate, step, fig):
        view = hebb_view(encoding, gate, step, fig=fig)
        keys = ["x1", "x2", "t", "dw1", "dw2", "db", "w1", "w2", "b"]
        header = ["x1", "x2", "t", "Δw1", "Δw2", "Δb", "w1", "w2", "b"]
        rows = [[_number_text(row[k]) for k in keys] for row in view["trace_rows"]]
        text = _table_html(
            header, rows, highlight=len(rows) - 1 if rows else None, caption="Hebb trace"
        )
        if not rows:
            text += "<p>No pattern learned yet: w = (0, 0), b = 0.</p>"
        return view, text

    return _build(controls, render)


# --------------------------------------------------------------------------- perceptron

# A small separable set for the default perceptron widget: 8 points, labels -1/+1 on either
# side of x1 + x2 = 3, interleaved; from zero weights the run takes 3 epochs (24 sample
# visits) and 9 updates, and ends at w = (1, 1), b = -3.
_DEMO_X = np.array(
    [[2.0, 2.0], [1.0, 1.0], [3.0, 1.0], [2.0, 0.0], [1.0, 3.0], [0.0, 2.0], [3.0, 2.0], [1.0, 0.0]]
)
_DEMO_Y = np.array([1, -1, 1, -1, 1, -1, 1, -1])


def perceptron_view(X, y, step, lr=1.0, fig=None, epochs=20):
    r"""Draw the perceptron after `step` samples: the sample, the line before and after.

    Runs `nnlib.classic.perceptron` once (samples in order, from zero weights) and replays
    it one sample visit at a time: visit ``s`` (1-based) is sample ``i = (s - 1) mod N``
    in epoch ``(s - 1) // N`` (0-based data; the title, legend and the widget's table
    count epochs and samples from 1: "epoch 1, sample 1"). On a mistake,
    :math:`y_i (w \cdot x_i + b) \le 0`, the rule updates
    :math:`w \leftarrow w + \alpha y_i x_i`, :math:`b \leftarrow b + \alpha y_i`;
    otherwise nothing changes. The figure shows the line after the visit (solid,
    firing side shaded), the line before it (dashed grey) and the current sample ringed.

    Parameters
    ----------
    X : array_like, shape (N, 2)
    y : array_like, shape (N,), values in {-1, +1}
    step : int, 0 <= step <= epochs run x N
        Sample visits so far; 0 shows the initial (zero) weights. The run stops after the
        first epoch without a mistake, so the last step is ``result.epochs * N``.
    lr : float > 0, default 1.0
    fig : matplotlib Figure, optional
        Cleared and redrawn; a new pyplot figure when None.
    epochs : int >= 1, default 20
        Maximum number of epochs (for data that are not separable, e.g. XOR).

    Returns
    -------
    dict
        ``fig``; ``update``: None at step 0, else a dict with ``step``, ``epoch`` (from
        0, as `nnlib.classic.PerceptronUpdate`), ``index`` (the row of X, from 0),
        ``sample`` (``index + 1``: the sample's number as shown, counted from 1), ``x``
        (2,), ``y``, ``net`` (:math:`w \cdot x_i + b` before),
        ``mistake`` (bool), ``w_before``, ``b_before``, ``w_after``, ``b_after``, ``dw``,
        ``db``; ``w`` (2,) and ``b``: the weights after the step; ``n_steps``: the last
        valid step.

    Examples
    --------
    Bipolar AND: the first sample, (1, 1) with label +1, meets zero weights, a mistake:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> X, y = [[1, 1], [1, -1], [-1, 1], [-1, -1]], [1, -1, -1, -1]
    >>> view = perceptron_view(X, y, step=1)
    >>> view["update"]["mistake"], view["w"], view["b"], view["n_steps"]
    (True, array([1., 1.]), 1.0, 8)
    """
    X = as_array(X, "X", ndim=2, finite=True)
    if X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2) (two input features), got shape {X.shape}")
    result = classic.perceptron(X, y, lr=lr, epochs=epochs)
    n_steps = result.epochs * X.shape[0]  # sample visits of the whole run
    y = np.asarray(y, dtype=np.float64)  # y, lr and epochs validated by classic.perceptron
    step = check_int(step, "step", low=0)
    if step > n_steps:
        raise ValueError(
            f"step must be between 0 and {n_steps} (the run visited {n_steps} samples: "
            f"{result.epochs} epochs of {X.shape[0]}), got {step}"
        )
    update, w, b = _replay_visit(result, X, y, step)

    fig = _figure(fig)
    ax = _view_axes(fig)
    label = "initial" if update is None else "after"
    title = _perceptron_title(update, step, n_steps, X.shape[0], w, b)
    ax = plot_linear_unit(w, b, X, y, ax=ax, kind="bias", title=title, label=label)
    _fixed_title(ax, ax.get_title())
    if update is not None:
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        _draw_unit(
            ax,
            update["w_before"],
            -update["b_before"],
            xlim,
            ylim,
            colour="grey",
            linestyle="--",
            linewidth=1.5,
            label="before",
            gid="line_before",
        )
        _highlight(ax, update["x"], f"sample {update['sample']} (y = {update['y']:+d})")
    return {"fig": fig, "update": update, "w": w, "b": b, "n_steps": n_steps}


def _replay_visit(result, X: np.ndarray, y: np.ndarray, step: int):
    """Replay a perceptron run up to sample visit `step` (1-based; 0: before any visit).

    Visit ``s`` is sample ``(s - 1) mod N`` of epoch ``(s - 1) // N``; it was a mistake iff
    `result` recorded an update there. Returns ``(update, w, b)``: the dict that
    `perceptron_view` documents (None at step 0) and the weights after the visit.
    """
    n, d = X.shape
    history = result.weights_history  # (U + 1, D + 1): (w, b) at the start, after each update
    if step == 0:
        return None, history[0, :d].copy(), float(history[0, d])
    visit = step - 1
    visits_with_update = np.array([u.epoch * n + u.index for u in result.updates], dtype=np.int64)
    k = int(np.searchsorted(visits_with_update, visit))  # updates made before this visit
    mistake = bool(k < len(visits_with_update) and visits_with_update[k] == visit)
    w_before, b_before = history[k, :d].copy(), float(history[k, d])
    row = history[k + 1] if mistake else history[k]
    w, b = row[:d].copy(), float(row[d])
    i = visit % n
    update = {
        "step": step,
        "epoch": visit // n,
        "index": i,
        "sample": i + 1,
        "x": X[i].copy(),
        "y": int(y[i]),
        "net": float(X[i] @ w_before + b_before),
        "mistake": mistake,
        "w_before": w_before,
        "b_before": b_before,
        "w_after": w,
        "b_after": b,
        "dw": w - w_before,
        "db": b - b_before,
    }
    return update, w, b


def _perceptron_title(update, step: int, n_steps: int, n: int, w, b) -> str:
    """Title of `perceptron_view`: the step, the sample (counted from 1), the verdict, the line."""
    if update is None:
        return f"step 0 of {n_steps}: initial weights\n{_unit_text(w, -b, 'bias')}"
    verdict = "mistake: update" if update["mistake"] else "correct: no update"
    return (
        f"step {step} of {n_steps}: epoch {update['epoch'] + 1}, "
        f"sample {update['sample']} of {n}\n{verdict}; {_unit_text(w, -b, 'bias')}"
    )


def perceptron_widget(X=None, y=None, lr=1.0, epochs=20):
    r"""Step through the perceptron one sample at a time: the sample, the lines, the update.

    A slider over the sample visits of one run (`perceptron_view`); every change redraws
    the same figure and shows the update beside it: the sample, its label, the net input
    before, and on a mistake :math:`\Delta w = \alpha y x` and :math:`\Delta b = \alpha y`.

    Parameters
    ----------
    X : array_like, shape (N, 2), optional
        Default: a small separable set of 8 points (3 epochs, 9 updates from zero).
    y : array_like, shape (N,), values in {-1, +1}, optional
        Required with `X`.
    lr : float > 0, default 1.0
    epochs : int >= 1, default 20

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"step"``), ``image``, ``info``, ``update()`` and
        ``view`` attributes.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.perceptron_widget()
        nnlib.widgets.perceptron_widget(X, nnlib.classic.bipolar(y))
    """
    import ipywidgets as widgets

    if (X is None) != (y is None):
        raise ValueError("pass both X and y, or neither (for the demo data)")
    if X is None:
        X, y = _DEMO_X, _DEMO_Y
    X = as_array(X, "X", ndim=2, finite=True)
    lr = check_number(lr, "lr", low=0, low_open=True, finite=True)
    epochs = check_int(epochs, "epochs", low=1)
    n_steps = perceptron_view(X, y, 0, lr=lr, fig=_widget_figure(), epochs=epochs)["n_steps"]
    controls = {
        "step": widgets.IntSlider(
            value=0,
            min=0,
            max=n_steps,
            step=1,
            description="sample visits",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
    }

    def render(step, fig):
        view = perceptron_view(X, y, step, lr=lr, fig=fig, epochs=epochs)
        u = view["update"]
        if u is None:
            return view, "<p>Step 0: the initial weights. Move the slider.</p>"

        def vec(v):
            return "(" + ", ".join(_number_text(c) for c in v) + ")"

        rows = [
            ("sample", f"{u['sample']} of {len(y)} (epoch {u['epoch'] + 1})"),
            ("x", vec(u["x"])),
            ("y", f"{u['y']:+d}"),
            ("w·x + b before", _number_text(u["net"])),
            ("y (w·x + b)", _number_text(u["y"] * u["net"])),
            ("mistake (≤ 0)?", "yes: update" if u["mistake"] else "no: keep w, b"),
            ("Δw = α y x", vec(u["dw"])),
            ("Δb = α y", _number_text(u["db"])),
            ("w before → after", f"{vec(u['w_before'])} → {vec(u['w_after'])}"),
            ("b before → after", f"{_number_text(u['b_before'])} → {_number_text(u['b_after'])}"),
        ]
        return view, _table_html(["", ""], rows, caption="This step")

    return _build(controls, render)


# --------------------------------------------------------------------------- backprop depth

#: Hidden activations of `gradient_depth_view`.
DEPTH_ACTIVATIONS: tuple[str, ...] = (
    "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "gelu", "swish",
)  # fmt: skip
#: Deepest network `gradient_depth_view` draws (hidden layers).
MAX_DEPTH = 12
_DEPTH_WIDTH = 32  # units per hidden layer, and inputs
_DEPTH_BATCH = 256
_DEPTH_YLIM = (1e-12, 10.0)  # fixed, so that depths and activations compare at a glance
_DEPTH_AXES_RECT = (0.19, 0.23, 0.77, 0.62)  # `_AXES_RECT` with room for 10^-12 tick labels


def _ratio_text(ratio: float) -> str:
    """``65,100,000`` for a large ratio, ``0.815`` for a small one."""
    return f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.3g}"


def _check_depth(depth, hidden) -> tuple[int, str]:
    """Validate `gradient_depth_view`'s depth (1..`MAX_DEPTH`) and hidden activation."""
    depth = check_int(depth, "depth")
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
    return depth, check_choice(hidden, "hidden", DEPTH_ACTIVATIONS)


def _depth_batch():
    """Return the view's fixed batch: 256 standard-normal inputs of 32 features, labels 0..9."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((_DEPTH_BATCH, _DEPTH_WIDTH)), rng.integers(0, 10, _DEPTH_BATCH)


def gradient_depth_view(depth=8, hidden="sigmoid", fig=None):
    r"""Draw each layer's weight-gradient norm in a deep MLP at initialization.

    The network is ``MLP([32] + [32] * depth + [10], hidden, output="softmax",
    init="xavier_normal", rng=0)``; one batch of 256 standard-normal inputs with random
    labels 0..9 goes forward and back (`nnlib.model.MLP.trace`, softmax cross-entropy).
    Backward, each hidden layer multiplies the signal by :math:`f'(Z)` (for the sigmoid
    :math:`\le \tfrac14`) and by :math:`W^\top`:

    .. math:: dZ^{[l]} = \big(dZ^{[l+1]} W^{[l+1]\top}\big) \odot f'(Z^{[l]}),
              \qquad dW^{[l]} = A^{[l-1]\top} dZ^{[l]}

    so :math:`\lVert dW^{[l]}\rVert` shrinks towards the input when those factors are
    small. The plot is :math:`\lVert dW^{[l]}\rVert` (Frobenius) against l on a log scale
    with fixed limits; the title gives the ratio last layer / first layer.

    Parameters
    ----------
    depth : int, 1..`MAX_DEPTH`, default 8
        Number of hidden layers.
    hidden : one of `DEPTH_ACTIVATIONS`, default "sigmoid"
    fig : matplotlib Figure, optional
        Cleared and redrawn (a widget passes its own); a new pyplot figure when None.

    Returns
    -------
    dict
        ``fig``; ``norms``: ndarray (depth + 1,), :math:`\lVert dW^{[l]}\rVert` for
        l = 1 .. depth + 1 (the last is the softmax layer); ``mean_slope``: list of
        depth floats, the mean of :math:`f'(Z^{[l]})` of each hidden layer; ``ratio``:
        ``norms[-1] / norms[0]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = gradient_depth_view(depth=4)
    >>> len(view["norms"]), bool(view["ratio"] > 10), max(view["mean_slope"]) <= 0.25
    (5, True, True)
    """
    from .activations import get_activation
    from .model import MLP
    from .plotting import PALETTE

    depth, hidden = _check_depth(depth, hidden)
    X, y = _depth_batch()
    sizes = [_DEPTH_WIDTH] + [_DEPTH_WIDTH] * depth + [10]
    model = MLP(sizes, hidden=hidden, output="softmax", init="xavier_normal", rng=0)
    layers = model.trace(X, y, "softmax_cross_entropy")
    norms = np.array([np.linalg.norm(layer["dW"]) for layer in layers])
    f = get_activation(hidden)
    mean_slope = [float(np.mean(f.grad(layer["Z"]))) for layer in layers[:-1]]
    ratio = float(norms[-1] / norms[0])

    fig = _figure(fig)
    ax = fig.add_axes(_DEPTH_AXES_RECT)
    ls = np.arange(1, depth + 2)
    ax.semilogy(ls, norms, marker="o", color=PALETTE[0], label="‖dW‖ of layer l", gid="norms")
    ax.set_xlim(0.5, MAX_DEPTH + 1.5)
    ax.set_ylim(*_DEPTH_YLIM)
    ax.set_xlabel("layer l (1 = next to the input)")
    ax.set_ylabel("‖dW‖ (log scale)")
    _fixed_title(
        ax,
        f"{depth} {hidden} hidden layers of {_DEPTH_WIDTH}, Xavier init\n"
        f"last layer / first layer: {_ratio_text(ratio)}",
    )
    unit_legend(ax)
    return {"fig": fig, "norms": norms, "mean_slope": mean_slope, "ratio": ratio}


def gradient_depth_widget(depth=8, hidden="sigmoid"):
    """Show a depth slider and an activation menu for `gradient_depth_view`.

    Every change redraws the per-layer gradient norms in the same figure and lists them
    beside it with each hidden layer's mean :math:`f'(Z)`.

    Parameters
    ----------
    depth : int, 1..`MAX_DEPTH`, default 8
    hidden : one of `DEPTH_ACTIVATIONS`, default "sigmoid"

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"depth"``, ``"hidden"``), ``image``, ``info``,
        ``update()`` and ``view`` attributes.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.gradient_depth_widget()
    """
    import ipywidgets as widgets

    depth, hidden = _check_depth(depth, hidden)
    controls = {
        "depth": widgets.IntSlider(
            value=depth, min=1, max=MAX_DEPTH, step=1, description="hidden layers",
            style={"description_width": "initial"}, layout=widgets.Layout(width="300px"),
        ),
        "hidden": widgets.Dropdown(
            value=hidden, options=list(DEPTH_ACTIVATIONS), description="activation",
            layout=widgets.Layout(width="220px"),
        ),
    }  # fmt: skip

    def render(depth, hidden, fig):
        view = gradient_depth_view(depth, hidden, fig=fig)
        slopes = [f"{s:.3f}" for s in view["mean_slope"]] + ["(softmax)"]
        rows = [
            (layer, f"{n:.2e}", s)
            for layer, n, s in zip(range(1, depth + 2), view["norms"], slopes, strict=True)
        ]
        caption = f"Per layer (last / first: {_ratio_text(view['ratio'])})"
        return view, _table_html(["layer", "‖dW‖", "mean f'(Z)"], rows, caption=caption)

    return _build(controls, render)


# --------------------------------------------------------------------------- initialization

#: Activations of `init_view`.
INIT_ACTIVATIONS: tuple[str, ...] = ("tanh", "relu", "sigmoid", "linear")
#: Largest depth and width of `init_view` (a 20-layer, 1000-wide run takes about 2 s).
MAX_INIT_LAYERS = 20
MAX_INIT_WIDTH = 1000
_INIT_STATS_RECT = (0.15, 0.56, 0.58, 0.32)  # per-layer std (log scale); legend on its right
_INIT_HIST_RECT = (0.15, 0.08, 0.81, 0.34)  # histograms of a few layers
_INIT_N_HIST = 4  # layers shown as histograms: the first, the last and two between


def _check_init_args(scheme, activation, n_layers, width, dist, n):
    """Validate `init_view`'s configuration and return it."""
    from .experiments import DISTS, INIT_SCHEMES

    scheme = check_choice(scheme, "scheme", INIT_SCHEMES)
    activation = check_choice(activation, "activation", INIT_ACTIVATIONS)
    n_layers = check_int(n_layers, "n_layers")
    if not 1 <= n_layers <= MAX_INIT_LAYERS:
        raise ValueError(f"n_layers must be between 1 and {MAX_INIT_LAYERS}, got {n_layers}")
    width = check_int(width, "width")
    if not 2 <= width <= MAX_INIT_WIDTH:
        raise ValueError(f"width must be between 2 and {MAX_INIT_WIDTH}, got {width}")
    dist = check_choice(dist, "dist", DISTS)
    n = check_int(n, "n", low=1)
    return scheme, activation, n_layers, width, dist, n


def _init_histograms(ax, H, layers, skip_zeros: bool) -> None:
    """Outline histograms (fraction of all entries per bin) of the layers `layers` (1-based).

    With `skip_zeros` (ReLU) the entries exactly 0 are left out: their spike (half of
    them) would flatten the rest; the panel's title gives that dead fraction.
    """
    from .plotting import MARKERS, PALETTE

    values = [H[k - 1][H[k - 1] != 0] if skip_zeros else H[k - 1].ravel() for k in layers]
    lo = min((float(v.min()) for v in values if v.size), default=0.0)
    hi = max((float(v.max()) for v in values if v.size), default=0.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, 61)
    for i, (k, v) in enumerate(zip(layers, values, strict=True)):
        frac = np.histogram(v, bins=edges)[0] / H[k - 1].size
        ax.stairs(frac, edges, color=PALETTE[i], linewidth=1.5, label=f"layer {k}", gid=f"hist{k}")
        peak = int(np.argmax(frac))
        ax.plot([(edges[peak] + edges[peak + 1]) / 2], [frac[peak]],
                linestyle="none", marker=MARKERS[i], color=PALETTE[i])  # fmt: skip
    ax.set_xlabel("activation h" + (" (the h = 0 entries left out)" if skip_zeros else ""))
    ax.set_ylabel("fraction of entries")
    ax.legend(loc="upper right", fontsize=8)


def init_view(scheme="lecun", activation="tanh", n_layers=10, width=500, dist="normal",
              n=1000, fig=None):  # fmt: skip
    r"""Draw cs231n's deep-net experiment for one initialization, with the mean-field curve.

    Runs `nnlib.experiments.activation_statistics` (``rng=0``): ``n`` unit-Gaussian
    inputs through `n_layers` layers of `width` units, ``Z_l = H_{l-1} W_l``,
    ``H_l = f(Z_l)``, no bias, ``W_l`` drawn by `scheme`; then the backward pass from a
    unit-Gaussian upstream gradient. The top panel plots, per layer (log scale), the std of
    the activations, the mean-field prediction (`nnlib.experiments.mean_field` with gain
    :math:`g = n\,\mathrm{Var}(w)`):

    .. math:: q_1 = g, \qquad q_{l+1} = g\,\mathbb E[f(\sqrt{q_l}z)^2],

    and the std of ``dW_l`` and ``dX_l``. The bottom panel shows histograms of the
    activations of the first, the last and two middle layers, on one common range (so a
    collapse shows as a spike at 0). The title gives the last layer's std, measured and
    predicted, and its saturated (tanh, sigmoid) or dead (ReLU) fraction.

    Parameters
    ----------
    scheme : {"small", "large", "lecun", "xavier", "he"}, default "lecun"
        See `nnlib.experiments.INIT_SCHEMES` (``"lecun"`` is cs231n's "Xavier").
    activation : {"tanh", "relu", "sigmoid", "linear"}, default "tanh"
    n_layers : int, 1..`MAX_INIT_LAYERS`, default 10
    width : int, 2..`MAX_INIT_WIDTH`, default 500
    dist : {"normal", "uniform"}, default "normal"
    n : int >= 1, default 1000
        Batch size.
    fig : matplotlib Figure, optional
        Cleared and redrawn (a widget passes its own); a new pyplot figure when None.

    Returns
    -------
    dict
        ``fig``; ``stats``: the `nnlib.experiments.ActStats` (``std``, ``mean``,
        ``saturated``, ``dead``, ``dW_std``, ``dX_std``, each (n_layers,));
        ``predicted``: the `nnlib.experiments.MeanField`; ``layers``: the 1-based layers
        shown as histograms.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = init_view("he", "relu", n_layers=4, width=100, n=200)
    >>> view["stats"].std.round(2), view["predicted"].std.round(2)
    (array([0.82, 0.84, 0.91, 0.87]), array([0.83, 0.83, 0.83, 0.83]))
    """
    from . import experiments
    from .plotting import OKABE_ITO, PALETTE

    scheme, activation, n_layers, width, dist, n = _check_init_args(
        scheme, activation, n_layers, width, dist, n
    )
    stats = experiments.activation_statistics(
        scheme, activation, n_layers=n_layers, width=width, n=n, rng=0, dist=dist, keep=True
    )
    gain = width * experiments.init_std(scheme, width, width) ** 2
    predicted = experiments.mean_field(activation, gain, n_layers)
    layers = sorted({int(k) for k in np.rint(np.linspace(1, n_layers, _INIT_N_HIST))})

    fig = _figure(fig)
    ax = fig.add_axes(_INIT_STATS_RECT)
    ls = np.arange(1, n_layers + 1)
    ax.semilogy(ls, stats.std, marker="s", color=PALETTE[1], label="std of h", gid="std")
    ax.semilogy(ls, predicted.std, linestyle="--", color=OKABE_ITO["black"],
                label="mean field", gid="predicted")  # fmt: skip
    ax.semilogy(ls, stats.dW_std, marker="^", color=PALETTE[2], label="std of dW", gid="dW")
    ax.semilogy(ls, stats.dX_std, marker="D", color=PALETTE[3], label="std of dX", gid="dX")
    ax.set_xlim(0.5, n_layers + 0.5)
    ax.set_xlabel("layer")
    ax.set_ylabel("std (log scale)")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
    frac = stats.dead if activation == "relu" else stats.saturated
    word = "dead" if activation == "relu" else "saturated"
    _fixed_title(
        ax,
        f"{scheme} ({dist}) init, {activation}, {n_layers} layers of {width}\n"
        f"layer {n_layers} std: {stats.std[-1]:.3g}, predicted {predicted.std[-1]:.3g}",
    )
    hist = fig.add_axes(_INIT_HIST_RECT)
    _init_histograms(hist, stats.activations, layers, skip_zeros=activation == "relu")
    hist.set_title(f"{word} at layer {n_layers}: {frac[-1]:.1%}", fontsize=10)
    stats = dataclasses.replace(stats, activations=None)  # drop the 40 MB of activations
    return {"fig": fig, "stats": stats, "predicted": predicted, "layers": layers}


def init_widget(scheme="lecun", activation="tanh", n_layers=10, width=500, dist="normal",
                n=1000):  # fmt: skip
    """Show drop-downs and sliders (scheme, activation, depth, width, distribution) for `init_view`.

    Every change reruns the experiment and redraws the same figure; beside it, a table of
    every layer (1-based): mean and std of the activations, the mean-field std, the
    saturated or dead fraction, and the std of dW and dX.

    Parameters
    ----------
    scheme, activation, n_layers, width, dist, n
        The initial values, as in `init_view`.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"scheme"``, ``"activation"``, ``"n_layers"``,
        ``"width"``, ``"dist"``), ``image``, ``info``, ``update()`` and ``view`` attributes.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.init_widget(scheme="small")
    """
    import ipywidgets as widgets

    from .experiments import DISTS, INIT_SCHEMES

    scheme, activation, n_layers, width, dist, n = _check_init_args(
        scheme, activation, n_layers, width, dist, n
    )
    narrow = widgets.Layout(width="170px")
    controls = {
        "scheme": widgets.Dropdown(value=scheme, options=list(INIT_SCHEMES),
                                   description="init", layout=narrow),
        "activation": widgets.Dropdown(value=activation, options=list(INIT_ACTIVATIONS),
                                       description="activation", layout=narrow),
        "n_layers": widgets.IntSlider(value=n_layers, min=1, max=MAX_INIT_LAYERS,
                                      description="layers", layout=widgets.Layout(width="240px")),
        "width": widgets.IntSlider(value=width, min=50, max=MAX_INIT_WIDTH, step=50,
                                   description="width", layout=widgets.Layout(width="260px")),
        "dist": widgets.Dropdown(value=dist, options=list(DISTS), description="dist",
                                 layout=narrow),
    }  # fmt: skip

    def render(scheme, activation, n_layers, width, dist, fig):
        view = init_view(scheme, activation, n_layers, width, dist, n, fig=fig)
        s, p = view["stats"], view["predicted"]
        frac = s.dead if activation == "relu" else s.saturated
        rows = [
            (k + 1, f"{s.mean[k]:.3g}", f"{s.std[k]:.3g}", f"{p.std[k]:.3g}", f"{frac[k]:.1%}",
             f"{s.dW_std[k]:.3g}", f"{s.dX_std[k]:.3g}")
            for k in range(n_layers)
        ]  # fmt: skip
        word = "dead" if activation == "relu" else "saturated"
        header = ["layer", "mean", "std", "mean field", word, "dW std", "dX std"]
        caption = f"{n} inputs, seed 0; mean field: q₁ = g, q_(l+1) = g·E[f(√q_l z)²]"
        return view, _table_html(header, rows, caption=caption)

    return _build(controls, render)


# --------------------------------------------------------------------------- optimizers (lesson 06)

#: Update rules `optimizer_race_view` offers (names of `nnlib.optimizers` pure rules).
RACE_RULES: tuple[str, ...] = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
#: Surfaces `optimizer_race_view` offers (keys of `nnlib.surfaces.SURFACES`).
RACE_SURFACES: tuple[str, ...] = (
    "s1_quadratic", "valley", "rotated_valley", "rosenbrock", "saddle", "beale", "d2l_quadratic",
)  # fmt: skip
MAX_RACE_STEPS = 2000
_MU_RULES = ("momentum", "nesterov")


def _check_race_args(surface, rule, lr, mu, steps, tol):
    surface = check_choice(surface, "surface", RACE_SURFACES)
    rule = check_choice(rule, "rule", RACE_RULES)
    lr = check_number(lr, "lr", low=0, low_open=True, finite=True)
    mu = check_number(mu, "mu", low=0, high=1, high_open=True)
    steps = check_int(steps, "steps", low=1)
    if steps > MAX_RACE_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_RACE_STEPS}, got {steps}")
    tol = check_number(tol, "tol", low=0, low_open=True, finite=True)
    return surface, rule, lr, mu, steps, tol


def _rule_label(rule: str, hyper: dict) -> str:
    text = f"{rule} lr {hyper['lr']:.3g}"
    return text + (f" μ {hyper['mu']:g}" if "mu" in hyper else "")


def optimizer_race_view(surface="rotated_valley", rule="momentum", lr=0.02, mu=0.9, steps=100,
                        tol=1e-6, tuned=True, fig=None):  # fmt: skip
    r"""Run one optimizer on a named surface, beside the others at their tuned learning rates.

    Runs `nnlib.experiments.run_optimizer(rule, surface, steps, lr=lr[, mu=mu])` (``mu``
    only for momentum and Nesterov) and draws its path on the surface's contours; with
    `tuned`, the other rules of `RACE_RULES` run too, each at its best-of-grid learning rate
    from `nnlib.experiments.TUNED` (μ = 0.9), drawn behind. The title says whether the
    chosen run reached :math:`f - f_{\min} <` `tol` and in how many steps.

    Parameters
    ----------
    surface : str, one of `RACE_SURFACES`, default "rotated_valley"
    rule : str, one of `RACE_RULES`, default "momentum"
    lr : float > 0, default 0.02
    mu : float in [0, 1), default 0.9
        Momentum coefficient (momentum and Nesterov only).
    steps : int, 1..`MAX_RACE_STEPS`, default 100
    tol : float > 0, default 1e-6
    tuned : bool, default True
        Also run the other rules at their tuned learning rates (when `surface` has them).
    fig : matplotlib Figure, optional

    Returns
    -------
    dict
        ``fig``; ``runs``: name -> `nnlib.experiments.RaceRun` (the chosen run first, named
        ``"you: <rule>"``); ``steps``: the chosen run's steps to `tol` (None if not
        within `steps`); ``f``: its last finite value of f; ``gap``: ``f - f_min``
        (``inf`` on the saddle).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> optimizer_race_view("s1_quadratic", "sgd", lr=0.2, steps=40, tuned=False)["steps"]
    20
    """
    from . import experiments
    from .plotting import plot_paths

    surface, rule, lr, mu, steps, tol = _check_race_args(surface, rule, lr, mu, steps, tol)
    hyper = {"lr": lr, "mu": mu} if rule in _MU_RULES else {"lr": lr}
    mine = f"you: {rule}"
    configs = {mine: (rule, hyper)}
    if tuned:
        for other, (best_lr, _) in experiments.TUNED.get(surface, {}).items():
            if other != rule and best_lr is not None:
                h = {"lr": best_lr, "mu": 0.9} if other in _MU_RULES else {"lr": best_lr}
                configs[f"{other} (tuned)"] = (other, h)
    runs = experiments.race(surface, configs, steps=steps, tol=tol)
    fig = _figure(fig)
    ax = _view_axes(fig)
    ax.set_box_aspect(1)  # the square box of every view: the plot does not jump
    s = experiments.SURFACES[surface]
    plot_paths(s, {k: r.path for k, r in runs.items()}, ax=ax, resolution=120)
    unit_legend(ax, ncol=3)
    run = runs[mine]
    f_last = _final_f(s, run.path)
    diverged = not np.isfinite(run.path[-1]).all() or abs(run.path[-1]).max() > experiments.DIVERGED
    if run.steps is not None:
        outcome = f"f − f_min < {tol:g} after {run.steps} steps"
    elif diverged:
        outcome = "diverged"
    elif s.x_min is None:
        outcome = f"f = {f_last:.3g} after {steps} steps (f has no minimum)"
    else:
        outcome = f"not within {steps} steps (f − f_min = {f_last - s.f_min:.3g})"
    _fixed_title(ax, f"{s.formula}\n{_rule_label(rule, hyper)}: {outcome}")
    return {"fig": fig, "runs": runs, "steps": run.steps, "f": f_last, "gap": f_last - s.f_min}


def _final_f(surface, path: np.ndarray) -> float:
    """Return f at the last finite iterate of `path` (a diverged run's NaN tail skipped)."""
    ok = np.flatnonzero(np.isfinite(path).all(axis=1))
    return float(surface.f(path[ok[-1]]))


def optimizer_race_widget(surface="rotated_valley", rule="momentum", lr=0.02, mu=0.9, steps=100,
                          tol=1e-6):  # fmt: skip
    """Show drop-downs and sliders (surface, rule, lr, mu, steps) for `optimizer_race_view`.

    Beside the figure, a table of every run: its learning rate and the steps it took to
    reach ``f - f_min < tol`` (the goal of the lesson's exercise: reach 1e-6 within 100
    steps), or its final gap.

    Parameters
    ----------
    surface, rule, lr, mu, steps, tol
        Initial values, as in `optimizer_race_view`.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"surface"``, ``"rule"``, ``"lr"``, ``"mu"``,
        ``"steps"``, ``"tuned"``), ``image``, ``info``, ``update()`` and ``view``.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.optimizer_race_widget("rotated_valley", "adam", lr=0.1)
    """
    import ipywidgets as widgets

    surface, rule, lr, mu, steps, tol = _check_race_args(surface, rule, lr, mu, steps, tol)
    narrow = widgets.Layout(width="200px")
    controls = {
        "surface": widgets.Dropdown(value=surface, options=list(RACE_SURFACES),
                                    description="surface", layout=narrow),
        "rule": widgets.Dropdown(value=rule, options=list(RACE_RULES), description="rule",
                                 layout=narrow),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.5, step=0.05,
                                     description="lr", readout_format=".3g"),
        "mu": widgets.FloatSlider(value=mu, min=0.0, max=0.99, step=0.01, description="μ"),
        "steps": widgets.IntSlider(value=steps, min=10, max=500, step=10, description="steps"),
        "tuned": widgets.Checkbox(value=True, description="tuned others"),
    }  # fmt: skip

    def render(surface, rule, lr, mu, steps, tuned, fig):
        view = optimizer_race_view(surface, rule, lr, mu, steps, tol, tuned, fig=fig)
        from .surfaces import SURFACES

        s, rows = SURFACES[surface], []
        f_min = 0.0 if s.x_min is None else s.f_min  # no minimum: show f itself
        for name, run in view["runs"].items():
            reached = "—" if run.steps is None else run.steps
            rows.append((name, reached, f"{_final_f(s, run.path) - f_min:.2e}"))
        header = ["run", f"steps to {tol:g}", "final f" + (" − f_min" if s.x_min else "")]
        return view, _table_html(header, rows, highlight=0, caption="goal: within 100 steps")

    return _build(controls, render)


#: Series `ema_view` offers.
EMA_SERIES: tuple[str, ...] = ("constant", "noisy", "jump")
#: Betas `ema_widget`'s slider offers.
EMA_BETAS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999)


def _ema_series(series: str, n: int) -> np.ndarray:
    """FACTS' constant 10; a noisy wave (seed 0); a jump from 0 to 10 halfway."""
    t = np.arange(1, n + 1)
    if series == "constant":
        return np.full(n, 10.0)
    if series == "jump":
        return np.where(t > n // 2, 10.0, 0.0)
    rng = np.random.default_rng(0)
    return 10.0 + 3.0 * np.sin(2 * np.pi * t / n) + rng.normal(0.0, 2.0, n)


def ema_view(beta=0.9, series="constant", n=60, fig=None):
    r"""Draw a series with its exponential moving average, raw and bias-corrected.

    :math:`v_t = \beta v_{t-1} + (1-\beta) x_t` from :math:`v_0 = 0`, and
    :math:`\hat v_t = v_t / (1 - \beta^t)` (`nnlib.plotting.plot_ema`). The title gives the
    window :math:`1/(1-\beta)` and the first raw and corrected values.

    Parameters
    ----------
    beta : float in [0, 1), default 0.9
    series : {"constant", "noisy", "jump"}, default "constant"
        A constant 10 (FACTS: raw 0.200, 0.396, 0.588 for β = 0.98, corrected 10), a noisy
        wave around 10 (seed 0), or a jump from 0 to 10 at the middle.
    n : int >= 2, default 60
    fig : matplotlib Figure, optional

    Returns
    -------
    dict
        ``fig``, ``x`` (n,), ``raw`` (n,), ``corrected`` (n,).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = ema_view(0.98, "constant", n=5)
    >>> view["raw"][:3].round(3), view["corrected"][:3]
    (array([0.2  , 0.396, 0.588]), array([10., 10., 10.]))
    """
    from .plotting import plot_ema

    beta = check_number(beta, "beta", low=0, high=1, high_open=True)
    series = check_choice(series, "series", EMA_SERIES)
    n = check_int(n, "n", low=2)
    x = _ema_series(series, n)
    fig = _figure(fig)
    ax = _view_axes(fig)
    ax.set_box_aspect(1)
    plot_ema(x, betas=(beta,), ax=ax)
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    raw = np.asarray(lines[f"raw_{beta:g}"].get_ydata(), float)
    corrected = np.asarray(lines[f"corrected_{beta:g}"].get_ydata(), float)
    unit_legend(ax)
    _fixed_title(
        ax,
        f"EMA, β = {beta:g}: window ≈ 1/(1 − β) = {1 / (1 - beta):.3g} steps\n"
        f"t = 1: raw {raw[0]:.3g}, corrected {corrected[0]:.3g} (x₁ = {x[0]:.3g})",
    )
    return {"fig": fig, "x": x, "raw": raw, "corrected": corrected}


def ema_widget(beta=0.9, series="constant", n=60):
    """Show a β slider and a series drop-down for `ema_view`, with a table of the first steps.

    Parameters
    ----------
    beta, series, n
        Initial values, as in `ema_view` (`beta` is snapped to the nearest of `EMA_BETAS`).

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"beta"``, ``"series"``), ``image``, ``info``,
        ``update()`` and ``view``.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.ema_widget(beta=0.98)
    """
    import ipywidgets as widgets

    check_number(beta, "beta", low=0, high=1, high_open=True)
    series = check_choice(series, "series", EMA_SERIES)
    n = check_int(n, "n", low=2)
    nearest = min(EMA_BETAS, key=lambda b: abs(b - beta))
    controls = {
        "beta": widgets.SelectionSlider(value=nearest, options=list(EMA_BETAS), description="β"),
        "series": widgets.Dropdown(value=series, options=list(EMA_SERIES), description="series",
                                   layout=widgets.Layout(width="200px")),
    }  # fmt: skip

    def render(beta, series, fig):
        view = ema_view(beta, series, n, fig=fig)
        rows = [(t + 1, f"{view['x'][t]:.3g}", f"{view['raw'][t]:.3f}",
                 f"{view['corrected'][t]:.3f}", f"{1 - beta ** (t + 1):.3f}")
                for t in range(min(8, n))]  # fmt: skip
        header = ["t", "x_t", "raw v_t", "corrected", "1 − β^t"]
        return view, _table_html(header, rows, caption="corrected = raw / (1 − β^t)")

    return _build(controls, render)


#: Schedules `schedule_view` offers: name -> (the nnlib.schedules class, its decay parameter).
SCHEDULE_KINDS: dict[str, str] = {
    "step": "StepDecay(lr0, drop=0.5, every=param)",
    "exponential": "Exponential(lr0, k=param): lr0 e^(-k t)",
    "inverse_time": "InverseTime(lr0, k=param): lr0 / (1 + k t)",
    "inverse_sqrt": "InverseSqrt(lr0): lr0 / sqrt(1 + t) (param unused)",
    "linear": "Linear(lr0, lr0 * param, epochs)",
}

_SEED_PARTNER = {"step": "s0_cooling_1", "inverse_time": "s0_cooling_2"}


def _schedule(kind: str, lr0: float, param: float, epochs: int):
    from . import schedules

    if kind == "step":
        return schedules.StepDecay(lr0, drop=0.5, every=max(1, round(param)))
    if kind == "exponential":
        return schedules.Exponential(lr0, k=param)
    if kind == "inverse_time":
        return schedules.InverseTime(lr0, k=param)
    if kind == "inverse_sqrt":
        return schedules.InverseSqrt(lr0)
    return schedules.Linear(lr0, lr0 * min(param, 1.0), epochs)


def schedule_view(kind="step", lr0=0.1, param=10.0, epochs=100, show_seed=True, logy=False,
                  fig=None):  # fmt: skip
    r"""Plot one `nnlib.schedules` schedule over the epochs, and S0's formula beside it.

    With `show_seed`, the step decay is drawn with S0's "drop by d every ..." as written,
    :math:`\eta_0 d^{\lfloor k_{max}/k \rfloor}` (d = 0.5, :math:`k_{max}` = `epochs`),
    and the inverse-time decay with S0's :math:`\eta_0^{1 + k d}` (d = `param`): the seed's
    formulas from `nnlib.experiments.SEED_SCHEDULES`, which rise instead of falling.

    Parameters
    ----------
    kind : str, a key of `SCHEDULE_KINDS`, default "step"
    lr0 : float > 0, default 0.1
    param : float > 0, default 10.0
        The decay parameter (`SCHEDULE_KINDS` says which).
    epochs : int >= 2, default 100
        t = 0 .. epochs-1 (nnlib's schedules count epochs from 0).
    show_seed : bool, default True
    logy : bool, default False
    fig : matplotlib Figure, optional

    Returns
    -------
    dict
        ``fig``, ``t`` (epochs,), ``lr`` (epochs,), ``seed`` (epochs,) or None.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> schedule_view("inverse_time", 0.2, 1.0, epochs=5, show_seed=False)["lr"].round(4)
    array([0.2   , 0.1   , 0.0667, 0.05  , 0.04  ])
    """
    from .experiments import SEED_SCHEDULES
    from .plotting import plot_schedules

    kind = check_choice(kind, "kind", SCHEDULE_KINDS)
    lr0 = check_number(lr0, "lr0", low=0, low_open=True, finite=True)
    param = check_number(param, "param", low=0, low_open=True, finite=True)
    epochs = check_int(epochs, "epochs", low=2)
    sched = _schedule(kind, lr0, param, epochs)
    t = np.arange(epochs)
    lr = np.array([sched(int(k)) for k in t])
    name = repr(sched).replace(", min_lr=0.0", "")
    curves = {name: lr}
    seed = None
    if show_seed and kind in _SEED_PARTNER:
        rule = SEED_SCHEDULES[_SEED_PARTNER[kind]]
        if kind == "step":
            seed = rule(t, eta0=lr0, d=0.5, k_max=epochs)
        else:
            seed = rule(t, eta0=lr0, d=param)
        curves[f"S0 as written: {rule.as_written.split('  ')[0]}"] = seed
    fig = _figure(fig)
    ax = _view_axes(fig)
    ax.set_box_aspect(1)
    plot_schedules(curves, t, ax=ax, logy=logy)
    unit_legend(ax, ncol=1)
    _fixed_title(ax, f"{name}\nlr at t = 0, {epochs - 1}: {lr[0]:.3g}, {lr[-1]:.3g}")
    return {"fig": fig, "t": t, "lr": lr, "seed": seed}


def schedule_widget(kind="step", lr0=0.1, param=10.0, epochs=100):
    """Show a schedule drop-down and sliders (lr0, param, epochs) for `schedule_view`.

    Beside the figure, the rates at a few epochs, with S0's formula where it has one.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"kind"``, ``"lr0"``, ``"param"``, ``"show_seed"``,
        ``"logy"``), ``image``, ``info``, ``update()`` and ``view``.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.schedule_widget("inverse_time", lr0=0.2, param=1.0)
    """
    import ipywidgets as widgets

    kind = check_choice(kind, "kind", SCHEDULE_KINDS)
    epochs = check_int(epochs, "epochs", low=2)
    controls = {
        "kind": widgets.Dropdown(value=kind, options=list(SCHEDULE_KINDS), description="schedule",
                                 layout=widgets.Layout(width="220px")),
        "lr0": widgets.FloatLogSlider(value=lr0, base=10, min=-3, max=0.5, step=0.05,
                                      description="lr0", readout_format=".3g"),
        "param": widgets.FloatLogSlider(value=param, base=10, min=-3, max=2, step=0.05,
                                        description="param", readout_format=".3g"),
        "show_seed": widgets.Checkbox(value=True, description="S0's formula"),
        "logy": widgets.Checkbox(value=False, description="log scale"),
    }  # fmt: skip

    def render(kind, lr0, param, show_seed, logy, fig):
        view = schedule_view(kind, lr0, param, epochs, show_seed, logy, fig=fig)
        shown = sorted({0, 1, 2, 5, 10, epochs // 2, epochs - 1} & set(range(epochs)))
        seed = view["seed"]
        rows = [
            (k, f"{view['lr'][k]:.3g}", "—" if seed is None else f"{seed[k]:.3g}") for k in shown
        ]
        return view, _table_html(["t", "nnlib", "S0 as written"], rows,
                                 caption="t counts epochs from 0")  # fmt: skip

    return _build(controls, render)


# --------------------------------------------------------------------------- activations

#: Activations `activation_view` offers: the elementwise ones of `nnlib.activations`.
VIEW_ACTIVATIONS: tuple[str, ...] = tuple(a for a in _activations.ACTIVATIONS if a != "softmax")
#: β values of the swish slider: 0 gives x/2, 1 is SiLU, 20 is nearly ReLU.
SWISH_BETAS: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 5.0, 10.0, 20.0)
#: Learning rates of the dead-unit counter (LESSONS 6.1: ReLU dies from lr = 1).
DEAD_LRS: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0)
#: The dead-unit counter's net: digits (standardized) through two hidden layers of 100.
DEAD_SIZES: tuple[int, ...] = (64, 100, 100, 10)
DEAD_EPOCHS = 10
#: The initialization matched to each activation (He for the ReLU family, Glorot for the
#: saturating ones, LeCun for SELU).
MATCHED_INIT: dict[str, str] = {
    **dict.fromkeys(VIEW_ACTIVATIONS, "he_normal"),
    **dict.fromkeys(("identity", "sigmoid", "tanh"), "xavier_normal"),
    "selu": "lecun_normal",
}
_WIDE_FIGSIZE = (7.6, 5.6)
_ACT_F_RECT = (0.08, 0.56, 0.38, 0.37)  # f and f', each with its legend below
_ACT_DF_RECT = (0.59, 0.56, 0.38, 0.37)
_ACT_DEAD_RECT = (0.17, 0.12, 0.64, 0.11)  # the counter; "k / 100 dead" on its right
_ACT_XLIM, _ACT_YLIM, _ACT_DYLIM = (-4.0, 4.0), (-2.0, 4.0), (-0.3, 1.9)


def _check_activation_args(activation, beta, lr):
    activation = check_choice(activation, "activation", VIEW_ACTIVATIONS)
    beta = check_number(beta, "beta", low=0, finite=True)
    lr = check_number(lr, "lr", low=0, low_open=True, finite=True)
    return activation, beta, lr


def _bound_activation(activation: str, beta: float):
    """Return the activation with its parameters: `beta` for swish, the defaults otherwise."""
    if activation == "swish":
        return _activations.get_activation("swish", beta=beta)
    return _activations.get_activation(activation)


@functools.cache
def _standardized_digits() -> tuple[np.ndarray, np.ndarray]:
    from .datasets import load_digits

    X, y = load_digits()[:2]
    return (X - X.mean(axis=0)) / np.maximum(X.std(axis=0), 1e-8), y


@functools.lru_cache(maxsize=128)
def _dead_run(activation: str, beta: float, lr: float) -> tuple:
    """Train `DEAD_SIZES` on digits: (dead counts per hidden layer, accuracy, diverged, model).

    A run whose loss became NaN or infinite returns ``(None, nan, True, model)``.

    A hidden unit is dead when :math:`f'(z) = 0` on every training example: no gradient
    ever reaches its weights again. SGD, batch 32, `DEAD_EPOCHS` epochs, seed 0.
    """
    import warnings

    from .model import MLP
    from .optimizers import SGD
    from .training import fit

    X, y = _standardized_digits()
    act = _bound_activation(activation, beta)
    model = MLP(list(DEAD_SIZES), act, "softmax", init=MATCHED_INIT[activation], rng=0)
    diverged = False
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a diverging run warns; the widget says so instead
        try:
            fit(model, X, y, "softmax_cross_entropy", SGD(lr=lr), epochs=DEAD_EPOCHS,
                batch_size=32, verbose=False, rng=0)  # fmt: skip
        except FloatingPointError:
            diverged = True
    if diverged:  # inf/NaN weights: neither the dead units nor the accuracy mean anything
        return None, float("nan"), True, model
    dead, A = [], X
    for dense in model._dense[:-1]:  # the hidden layers' pre-activations
        Z = A @ dense.params["W"] + dense.params["b"]
        dead.append(int(np.all(act.grad(Z) == 0, axis=0).sum()))
        A = act.forward(Z)
    return tuple(dead), float(np.mean(model.predict(X) == y)), False, model


def _activation_panels(fig, act, activation: str):
    """Draw f and f' (`nnlib.plotting.plot_activations`) at fixed limits; swish gets its limits."""
    from .plotting import plot_activations

    ax_f, ax_df = fig.add_axes(_ACT_F_RECT), fig.add_axes(_ACT_DF_RECT)
    x = np.linspace(*_ACT_XLIM, 401)
    plot_activations([act], x=x, axes=[ax_f, ax_df])
    if activation == "swish":  # the two limits: beta = 0 gives x/2, beta -> inf gives ReLU
        for ax, relu, half in (
            (ax_f, np.maximum(x, 0), x / 2),
            (ax_df, np.where(x > 0, 1.0, 0.0), np.full_like(x, 0.5)),
        ):
            ax.plot(
                x,
                relu,
                color="0.55",
                linestyle="--",
                linewidth=1,
                label="β → ∞: ReLU",
                gid="limit_relu",
            )
            ax.plot(x, half, color="0.55", linestyle=":", linewidth=1, label="β = 0: x/2",
                    gid="limit_half")  # fmt: skip
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2, fontsize=8)
    for ax, ylim in ((ax_f, _ACT_YLIM), (ax_df, _ACT_DYLIM)):
        ax.set_xlim(*_ACT_XLIM)
        ax.set_ylim(*ylim)
    return ax_f, ax_df


def activation_view(activation="swish", beta=1.0, lr=0.1, fig=None):
    r"""Draw an activation and its derivative side by side, and count the dead units it leaves.

    Top: :math:`f(z)` and :math:`f'(z)` (`nnlib.plotting.plot_activations`), :math:`f'(0)`
    marked; for swish, :math:`f(z) = z\,\sigma(\beta z)` with
    :math:`f' = \beta f + \sigma(\beta z)(1 - \beta f)`, and its two limits in grey
    (β = 0: z/2; β → ∞: ReLU). Bottom, the dead-unit counter: ``MLP([64, 100, 100, 10],
    activation, "softmax")`` with the activation's matched init (`MATCHED_INIT`), seed 0,
    trained by SGD at `lr` (batch 32, `DEAD_EPOCHS` epochs) on the 1797 standardized
    digits; a hidden unit is dead when :math:`f'(z) = 0` on every training example, so no
    gradient reaches its weights again. ReLU's units die at large `lr` (LESSONS 6.1: lr = 1
    leaves most of layer 2 dead); units whose :math:`f'` is never 0 cannot die.

    Parameters
    ----------
    activation : one of `VIEW_ACTIVATIONS`, default "swish"
    beta : float >= 0, default 1.0
        Swish's β (ignored by the other activations).
    lr : float > 0, default 0.1
        SGD's learning rate for the dead-unit counter.
    fig : matplotlib Figure, optional
        Cleared and redrawn; a new pyplot figure when None.

    Returns
    -------
    dict
        ``fig``; ``x`` (401,) on [-4, 4], ``f`` and ``df`` (401,), ``df0`` (f'(0)); ``dead``
        ndarray (2,), the fraction of dead units per hidden layer; ``dead_counts`` tuple of
        2 ints (of 100); ``train_accuracy``; ``diverged``: the loss became NaN or infinite
        (then ``dead`` and ``train_accuracy`` are NaN and ``dead_counts`` is None);
        ``model``, the trained MLP (cached: do not train it further).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = activation_view("swish", beta=0.0, lr=0.1)
    >>> view["df0"], bool(np.allclose(view["f"], view["x"] / 2)), view["dead_counts"]
    (0.5, True, (0, 0))
    """
    activation, beta, lr = _check_activation_args(activation, beta, lr)
    act = _bound_activation(activation, beta)
    x = np.linspace(*_ACT_XLIM, 401)
    dead_counts, accuracy, diverged, model = _dead_run(activation, beta, lr)
    widths = DEAD_SIZES[1:-1]
    dead = np.full(len(widths), np.nan) if diverged else np.array(dead_counts) / np.array(widths)

    fig = _figure(fig, figsize=_WIDE_FIGSIZE)
    _activation_panels(fig, act, activation)
    ax = fig.add_axes(_ACT_DEAD_RECT)
    layers = [f"hidden layer {k}" for k in range(1, len(dead) + 1)]
    bars = ax.barh(layers, np.nan_to_num(dead), color=OKABE_ITO["vermillion"], gid="dead")
    texts = ["diverged"] * len(widths) if diverged else [
        f"{count} / {width} dead" for count, width in zip(dead_counts, widths, strict=True)
    ]  # fmt: skip
    for bar, text in zip(bars, texts, strict=True):
        ax.text(1.01, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=8,
                transform=ax.get_yaxis_transform())  # fmt: skip
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("fraction of units with f′(z) = 0 on every training example", fontsize=9)
    status = "diverged (loss NaN or infinite)" if diverged else f"training accuracy {accuracy:.0%}"
    label = activation_label(act)
    ax.set_title(
        f"Dead units: digits, {list(DEAD_SIZES)} {label}, SGD lr = {lr:g}, "
        f"{DEAD_EPOCHS} epochs: {status}",
        fontsize=9,
    )
    return {
        "fig": fig, "x": x, "f": act.forward(x), "df": act.grad(x),
        "df0": float(act.grad(np.zeros(1))[0]), "dead": dead, "dead_counts": dead_counts,
        "train_accuracy": accuracy, "diverged": diverged, "model": model,
    }  # fmt: skip


def activation_widget(activation="swish", beta=1.0, lr=0.1):
    """Show an activation menu, swish's β slider and a learning-rate slider for `activation_view`.

    Beside the figure: f(0), f'(0) and the dead units per hidden layer. The first change
    of an (activation, β, lr) trains the digits net once (about 0.1-0.5 s); it is cached.

    Parameters
    ----------
    activation, beta, lr
        Initial values, as in `activation_view` (`beta` and `lr` snapped to the nearest
        of `SWISH_BETAS` and `DEAD_LRS`).

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"activation"``, ``"beta"``, ``"lr"``), ``image``,
        ``info``, ``update()`` and ``view``.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.activation_widget("relu", lr=1.0)
    """
    import ipywidgets as widgets

    activation, beta, lr = _check_activation_args(activation, beta, lr)
    controls = {
        "activation": widgets.Dropdown(value=activation, options=list(VIEW_ACTIVATIONS),
                                       description="activation",
                                       layout=widgets.Layout(width="220px")),
        "beta": widgets.SelectionSlider(value=_nearest(SWISH_BETAS, beta),
                                        options=list(SWISH_BETAS), description="swish β"),
        "lr": widgets.SelectionSlider(value=_nearest(DEAD_LRS, lr), options=list(DEAD_LRS),
                                      description="SGD lr"),
    }  # fmt: skip

    def render(activation, beta, lr, fig):
        view = activation_view(activation, beta, lr, fig=fig)
        counts = view["dead_counts"] or ["—"] * len(view["dead"])
        rows = [(f"hidden layer {k}", f"{count} / {width}")
                for k, (count, width) in enumerate(zip(counts, DEAD_SIZES[1:-1], strict=True),
                                                   start=1)]  # fmt: skip
        f0 = float(_bound_activation(activation, beta).forward(np.zeros(1))[0])
        caption = f"f(0) = {f0:.3g}, f′(0) = {view['df0']:.3g}; dead units after training"
        return view, _table_html(["layer", "dead"], rows, caption=caption)

    return _build(controls, render, width="640px", figsize=_WIDE_FIGSIZE)


def _nearest(options, value: float) -> float:
    """Return the option closest to `value` (ties: the first)."""
    return min(options, key=lambda o: abs(o - value))


# --------------------------------------------------------------------------- regularization

#: Data sets of `regularization_view`: name -> (generator of nnlib.datasets, its keywords).
#: 300 points, seed 0: the first 100 train the net, the other 200 test it.
REG_DATASETS: dict[str, tuple[str, dict]] = {
    "moons": ("moons", {"noise": 0.3}),
    "spirals": ("spirals", {"classes": 2, "noise": 0.5}),
}
#: Strengths on the sliders: S1's panels are λ = 0.001, 0.01, 0.1.
REG_LAMBDAS: tuple[float, ...] = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
REG_DROPOUTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
#: The net and its training: MLP([2, 50, 50, 2], relu, softmax), plain gradient descent
#: (SGD, lr = `REG_LR`, full batch), so the proximal L1 step is exactly ISTA's.
REG_SIZES: tuple[int, ...] = (2, 50, 50, 2)
REG_EPOCHS = 500
REG_LR = 1.0
#: How `regularization_view` applies L1 (`nnlib.model.MLP`'s ``l1_mode``).
L1_MODES: tuple[str, ...] = ("subgradient", "proximal")
_REG_N_TRAIN = 100


@functools.cache
def _reg_data(dataset: str):
    from . import datasets

    generator, kwargs = REG_DATASETS[dataset]
    X, y = getattr(datasets, generator)(300, rng=0, **kwargs)
    n = _REG_N_TRAIN
    return X[:n], y[:n], X[n:], y[n:]


@functools.lru_cache(maxsize=128)
def _reg_model(l2: float, l1: float, dropout: float, dataset: str, l1_mode: str):
    """Train the regularization view's net once per setting (about 0.2-0.5 s)."""
    from .model import MLP
    from .optimizers import SGD
    from .training import fit

    X, y, _, _ = _reg_data(dataset)
    model = MLP(list(REG_SIZES), "relu", "softmax", rng=0, l2=l2, l1=l1, dropout=dropout,
                l1_mode=l1_mode)  # fmt: skip
    fit(model, X, y, "softmax_cross_entropy", SGD(lr=REG_LR), epochs=REG_EPOCHS,
        batch_size=len(X), verbose=False, rng=0)  # fmt: skip
    return model


def _reg_numbers(l2, l1, dropout, dataset, l1_mode) -> dict:
    """Train (or reuse) the net of one setting; its accuracies and weights' size."""
    model = _reg_model(l2, l1, dropout, dataset, l1_mode)
    X, y, X_test, y_test = _reg_data(dataset)
    weights = [dense.params["W"] for dense in model._dense]
    return {
        "model": model,
        "train_accuracy": float(np.mean(model.predict(X) == y)),
        "test_accuracy": float(np.mean(model.predict(X_test) == y_test)),
        "weight_norm": float(np.sqrt(sum(np.vdot(W, W) for W in weights))),
        "zero_weights": int(sum(np.count_nonzero(W == 0) for W in weights)),
        "n_weights": int(sum(W.size for W in weights)),
    }


def _check_reg_args(l2, l1, dropout, dataset, l1_mode):
    l2 = check_number(l2, "l2", low=0, finite=True)
    l1 = check_number(l1, "l1", low=0, finite=True)
    dropout = check_number(dropout, "dropout", low=0, high=1, high_open=True)
    dataset = check_choice(dataset, "dataset", REG_DATASETS)
    l1_mode = check_choice(l1_mode, "l1_mode", L1_MODES)
    return l2, l1, dropout, dataset, l1_mode


def regularization_view(l2=0.0, l1=0.0, dropout=0.0, dataset="moons", l1_mode="subgradient",
                        fig=None):  # fmt: skip
    r"""Draw the decision boundary of a small net trained with a given regularization.

    ``MLP([2, 50, 50, 2], "relu", "softmax", rng=0, l2=, l1=, dropout=)`` is trained on the
    first 100 of 300 points of `dataset` (seed 0) by gradient descent (SGD, lr `REG_LR`,
    full batch, `REG_EPOCHS` epochs) on the penalized objective

    .. math:: J = \frac1N \sum_n \ell_n + \tfrac{\lambda_2}{2} \sum_l \lVert W^{[l]}\rVert_F^2
              + \lambda_1 \sum_l \sum_{ij} |W^{[l]}_{ij}|

    (weights only, never the biases), with inverted dropout of drop-probability `dropout`
    on the hidden layers. The plot shows the training points and the regions the net
    assigns (`nnlib.plotting.plot_decision_boundary`); the title gives training and test
    accuracy (the other 200 points) and :math:`\lVert W\rVert = \sqrt{\sum_l \lVert
    W^{[l]}\rVert_F^2}`. Stronger regularization: smaller weights, a smoother boundary,
    and at last a worse fit of both sets (S1's panels λ = 0.001, 0.01, 0.1).

    Parameters
    ----------
    l2, l1 : float >= 0, default 0.0
        λ₂ and λ₁ (`nnlib.model.MLP`'s ``l2`` and ``l1``).
    dropout : float in [0, 1), default 0.0
        Drop-probability p of each hidden unit (nnlib's convention; keep-p is 1 − p).
    dataset : {"moons", "spirals"}, default "moons"
        `REG_DATASETS`: moons with noise 0.3, two spiral arms with noise 0.5.
    l1_mode : {"subgradient", "proximal"}, default "subgradient"
        How L1 is applied (`nnlib.model.MLP`): :math:`\lambda_1\,\mathrm{sign}(W)` in the
        gradient, whose steps make small weights oscillate around 0; or after each step
        :math:`W \leftarrow \mathrm{sign}(W)\max(|W| - \mathrm{lr}\,\lambda_1, 0)`, which
        leaves exact zeros (TF Playground's links switching off).
    fig : matplotlib Figure, optional

    Returns
    -------
    dict
        ``fig``, ``model`` (the trained MLP, cached: do not train it further),
        ``train_accuracy``, ``test_accuracy``, ``weight_norm``, ``zero_weights`` (weights
        exactly 0) and ``n_weights``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> free, strong = regularization_view(l2=0.0), regularization_view(l2=0.1)
    >>> bool(strong["weight_norm"] < free["weight_norm"] / 4)
    True
    """
    from .plotting import plot_decision_boundary

    l2, l1, dropout, dataset, l1_mode = _check_reg_args(l2, l1, dropout, dataset, l1_mode)
    view = _reg_numbers(l2, l1, dropout, dataset, l1_mode)
    model = view["model"]
    X, y, _, _ = _reg_data(dataset)
    fig = _figure(fig)
    ax = _view_axes(fig)
    ax.set_box_aspect(1)
    plot_decision_boundary(model.predict, X, y, ax=ax, resolution=150)
    unit_legend(ax)
    l1_text = f"L1 λ = {l1:g}" + (" (proximal)" if l1 and l1_mode == "proximal" else "")
    _fixed_title(
        ax,
        f"{dataset}, {list(REG_SIZES)} ReLU, {_REG_N_TRAIN} training points\n"
        f"L2 λ = {l2:g}, {l1_text}, dropout p = {dropout:g}\n"
        f"train {view['train_accuracy']:.0%}, test {view['test_accuracy']:.0%}, "
        f"‖W‖ = {view['weight_norm']:.3g}\n"
        f"{view['zero_weights']:,} of {view['n_weights']:,} weights exactly 0",
    )
    return {"fig": fig, **view}


def regularization_widget(l2=0.0, l1=0.0, dropout=0.0, dataset="moons", l1_mode="proximal"):
    """Show sliders for L2 λ, L1 λ (and its step) and dropout p, and a data-set menu.

    The controls of `regularization_view`. Each new setting trains the net once (about
    0.2-0.5 s) and is cached, so moving back is instant. Beside the figure: the
    accuracies, the weights' size and how many are exactly 0.

    Parameters
    ----------
    l2, l1, dropout, dataset, l1_mode
        Initial values, as in `regularization_view` (the strengths snapped to the nearest
        of `REG_LAMBDAS` and `REG_DROPOUTS`), except that L1 starts proximal here.

    Returns
    -------
    ipywidgets.VBox
        With ``fig``, ``controls`` (``"l2"``, ``"l1"``, ``"l1_mode"``, ``"dropout"``,
        ``"dataset"``), ``image``, ``info``, ``update()`` and ``view``.

    Examples
    --------
    Not run here (it builds widgets)::

        nnlib.widgets.regularization_widget(l2=0.01, dataset="spirals")
    """
    import ipywidgets as widgets

    l2, l1, dropout, dataset, l1_mode = _check_reg_args(l2, l1, dropout, dataset, l1_mode)
    controls = {
        "l2": widgets.SelectionSlider(value=_nearest(REG_LAMBDAS, l2), options=list(REG_LAMBDAS),
                                      description="L2 λ"),
        "l1": widgets.SelectionSlider(value=_nearest(REG_LAMBDAS, l1), options=list(REG_LAMBDAS),
                                      description="L1 λ"),
        "l1_mode": widgets.Dropdown(value=l1_mode, options=list(L1_MODES), description="L1 step",
                                    layout=widgets.Layout(width="200px")),
        "dropout": widgets.SelectionSlider(value=_nearest(REG_DROPOUTS, dropout),
                                           options=list(REG_DROPOUTS), description="dropout p"),
        "dataset": widgets.Dropdown(value=dataset, options=list(REG_DATASETS),
                                    description="data", layout=widgets.Layout(width="200px")),
    }  # fmt: skip

    def render(l2, l1, l1_mode, dropout, dataset, fig):
        view = regularization_view(l2, l1, dropout, dataset, l1_mode, fig=fig)
        rows = [
            ("training accuracy", f"{view['train_accuracy']:.1%}"),
            ("test accuracy", f"{view['test_accuracy']:.1%}"),
            ("‖W‖", f"{view['weight_norm']:.3g}"),
            ("weights exactly 0", f"{view['zero_weights']:,} of {view['n_weights']:,}"),
        ]
        return view, _table_html(["", ""], rows, caption="100 training, 200 test points")

    return _build(controls, render)


#: What `regularization_panels` varies: kind -> the keyword of `regularization_view`.
REG_KINDS: dict[str, str] = {"l2": "L2 λ", "l1": "L1 λ", "dropout": "dropout p"}


def regularization_panels(strengths=(0.001, 0.01, 0.1), kind="l2", dataset="moons",
                          l1_mode="subgradient", axes=None):  # fmt: skip
    r"""Draw S1's panels: one decision boundary per regularization strength, side by side.

    Each panel is `regularization_view`'s net (same data, seed and training) with one
    penalty set to a strength and the others 0; S1 (cs231n) shows L2 at λ = 0.001, 0.01,
    0.1, the boundary smoothing as λ grows. The panel titles give the training and test
    accuracy and :math:`\lVert W\rVert`.

    Parameters
    ----------
    strengths : sequence of floats, default (0.001, 0.01, 0.1)
        λ (>= 0) for ``kind="l2"`` or ``"l1"``, p in [0, 1) for ``"dropout"``.
    kind : {"l2", "l1", "dropout"}, default "l2"
    dataset : {"moons", "spirals"}, default "moons"
    l1_mode : {"subgradient", "proximal"}, default "subgradient"
    axes : sequence of len(strengths) Axes, optional
        A new figure (one row) when None.

    Returns
    -------
    dict
        ``axes`` (ndarray of Axes) and ``rows``: one dict per strength, in order, with
        ``strength``, ``train_accuracy``, ``test_accuracy``, ``weight_norm``,
        ``zero_weights``, ``n_weights`` (as `regularization_view`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> panels = regularization_panels((0.0, 0.1))
    >>> [round(r["weight_norm"], 1) for r in panels["rows"]]
    [16.6, 1.9]
    """
    from .plotting import _axes_array, plot_decision_boundary

    kind = check_choice(kind, "kind", REG_KINDS)
    if isinstance(strengths, (int, float)):
        strengths = (strengths,)
    if len(strengths) == 0:
        raise ValueError("strengths must hold at least one value, got an empty sequence")
    settings = [{"l2": 0.0, "l1": 0.0, "dropout": 0.0, kind: s} for s in strengths]
    checked = [_check_reg_args(**st, dataset=dataset, l1_mode=l1_mode) for st in settings]
    panels = _axes_array(axes, len(checked), "axes", panel_width=3.6)
    X, y, _, _ = _reg_data(checked[0][3])
    rows = []
    for ax, args, strength in zip(panels, checked, strengths, strict=True):
        numbers = _reg_numbers(*args)
        plot_decision_boundary(numbers.pop("model").predict, X, y, ax=ax, resolution=150)
        ax.set_title(
            f"{REG_KINDS[kind]} = {strength:g}\ntrain {numbers['train_accuracy']:.0%}, "
            f"test {numbers['test_accuracy']:.0%}, ‖W‖ = {numbers['weight_norm']:.3g}",
            fontsize=9,
        )
        ax.set_aspect("equal")
        if ax is not panels[0]:
            ax.get_legend().remove()
        rows.append({"strength": float(strength), **numbers})
    return {"axes": panels, "rows": rows}
