"""The site's alt text for figures (book/alt_text.py), on drawings without axes."""

import types
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from nnlib import diagrams

ROOT = Path(__file__).resolve().parents[1]
# The file is a notebook cell that ends by installing itself in IPython; run the rest.
_source = (ROOT / "book" / "alt_text.py").read_text()
alt_text = types.ModuleType("nnfp_alt_text")
exec(_source.split("\n_install(get_ipython())")[0], alt_text.__dict__)


def test_a_network_drawing_is_described_by_its_labels_in_reading_order():
    fig, ax = plt.subplots()
    diagrams.draw_network(
        [2, 1],
        weights=[np.array([[1.0], [-1.0]])],
        node_labels=[["$x_1$", "$x_2$"], ["$y$"]],
        title="one unit",
        ax=ax,
    )
    alt = alt_text.describe_figure(fig)
    plt.close(fig)
    assert alt.startswith("Plot: one unit, a drawing labelled ")
    labels = alt.split("a drawing labelled ", 1)[1]
    assert "x₁" in labels and "x₂" in labels and "y" in labels and "1" in labels
    assert labels.index("x₁") < labels.index("x₂")  # top to bottom


def test_a_plot_with_axes_is_not_read_as_a_drawing():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "note")
    ax.set(xlabel="x", ylabel="y")
    alt = alt_text.describe_figure(fig)
    plt.close(fig)
    assert "drawing" not in alt and "x axis x, y axis y" in alt


def test_a_crowded_drawing_reads_out_the_first_labels_and_counts_the_rest():
    fig, ax = plt.subplots()
    ax.set_axis_off()
    for i in range(alt_text.DRAWING_LABELS + 5):
        ax.text(0.5, 1 - i / 50, f"n{i}")
    alt = alt_text.describe_figure(fig)
    plt.close(fig)
    assert "n0, n1" in alt and "and 5 more" in alt and f"n{alt_text.DRAWING_LABELS}," not in alt
