"""First cell of every executed site page: each displayed matplotlib figure gets alt text.

`python book/build.py` puts this file's text in a hidden first cell (tag ``remove-cell``)
of each page it executes, so its hash is part of the execution cache's key: editing this
file re-executes the pages. The notebooks themselves (and their downloads) never hold it.
It wraps the PNG formatter of matplotlib figures (now, and whenever the inline backend
registers one) so that the output carries ``{"alt": ...}`` in its metadata,
a description read off the figure itself: its title, each panel's title, axis labels,
legend entries and colour bar. book/ext/nnfp_site.py turns that into the image's alt text.
"""

from __future__ import annotations


def describe_figure(fig) -> str:
    """Describe a matplotlib figure in words, from its own titles, labels and legends."""

    def text(t) -> str:
        return " ".join(str(t).split())

    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    colorbars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(text(suptitle.get_text()) + ".")
    plotted = [ax for ax in axes if ax.has_data() or ax.get_title() or ax.texts or ax.get_legend()]
    if len(plotted) > 1:
        parts.append(f"{len(plotted)} panels.")
    for i, ax in enumerate(plotted, 1):
        bits = []
        title = text(ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right"))
        head = f"Panel {i}" if len(plotted) > 1 else "Plot"
        bits.append(f"{head}: {title}" if title else head)
        xl, yl = text(ax.get_xlabel()), text(ax.get_ylabel())
        if xl or yl:
            bits.append(f"x axis {xl or 'unlabelled'}, y axis {yl or 'unlabelled'}")
        if ax.images:
            bits.append("a colour-coded image")
        legend = ax.get_legend()
        if legend is not None:
            labels = [text(t.get_text()) for t in legend.get_texts() if t.get_text().strip()]
            if labels:
                bits.append("legend: " + "; ".join(labels))
        parts.append(", ".join(bits) + ".")
    for cb in colorbars:
        label = text(cb.get_ylabel() or cb.get_xlabel())
        if label:
            parts.append(f"Colour bar: {label}.")
    legends = [text(t.get_text()) for lg in fig.legends for t in lg.get_texts()]
    if legends:
        parts.append("Legend: " + "; ".join(legends) + ".")
    return " ".join(parts) or "A figure without titles or labels."


def _with_alt(png):
    """Wrap a PNG formatter function so that its output carries the figure's alt text."""
    if getattr(png, "_nnfp_alt", False):
        return png

    def png_with_alt(fig):
        data = png(fig)
        if data is None or isinstance(data, tuple):
            return data
        return data, {"alt": describe_figure(fig)}

    png_with_alt._nnfp_alt = True
    return png_with_alt


def _is_figure_type(typ) -> bool:
    return getattr(typ, "__name__", None) == "Figure" and "matplotlib" in typ.__module__


def _install(ip) -> None:
    """Wrap the Figure PNG formatter now and whenever a backend registers a new one."""
    formatter = ip.display_formatter.formatters["image/png"]
    register = formatter.for_type

    def for_type(typ, func=None):
        if func is not None and _is_figure_type(typ):
            func = _with_alt(func)
        return register(typ, func)

    formatter.for_type = for_type
    for typ, func in list(formatter.type_printers.items()):
        if _is_figure_type(typ):
            register(typ, _with_alt(func))


_install(get_ipython())  # noqa: F821 (IPython's builtin in a notebook)
