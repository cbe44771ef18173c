"""First cell of every executed site page: each displayed matplotlib figure gets alt text.

`python book/build.py` puts this file's text in a hidden first cell (tag ``remove-cell``)
of each page it executes, so its hash is part of the execution cache's key: editing this
file re-executes the pages. The notebooks themselves (and their downloads) never hold it.
It wraps the PNG formatter of matplotlib figures (now, and whenever the inline backend
registers one) so that the output carries ``{"alt": ...}`` in its metadata,
a description read off the figure itself: its title, each panel's title, axis labels,
legend entries, the numbers written on a colour-coded table, and colour bar, with
matplotlib's mathtext (``$\\theta$``, ``$w_1$``) turned into plain Unicode (θ, w₁).
book/ext/nnfp_site.py turns that into the image's alt text.

A figure can carry its own one-sentence description, which then leads its alt text:
``fig._nnfp_alt = "Three tables of ..."`` before it is shown (the cell metadata
``mystnb.image.alt`` replaces the alt text altogether).
"""

from __future__ import annotations

import re

_GREEK = """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda
mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
Phi Psi Omega"""
#: mathtext commands and their plain-Unicode reading
SYMBOLS = {
    **dict(zip(_GREEK.split(), "αβγδεεζηθϑικλμνξπρστυφφχψωΓΔΘΛΞΠΣΦΨΩ", strict=True)),
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "~", "simeq": "≃", "equiv": "≡", "propto": "∝",
    "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "Σ", "prod": "Π", "int": "∫",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦",
    "in": "∈", "notin": "∉", "subset": "⊂", "cup": "∪", "cap": "∩", "forall": "∀",
    "exists": "∃", "ldots": "…", "cdots": "⋯", "dots": "…", "sqrt": "√",
    "Vert": "‖", "lVert": "‖", "rVert": "‖", "|": "‖", "vert": "|", "lvert": "|",
    "rvert": "|", "mid": "|", "langle": "⟨", "rangle": "⟩", "circ": "∘", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "ell": "ℓ", "top": "T", "prime": "′", "star": "*",
    "{": "{", "}": "}", "$": "$", "%": "%", "&": "&", "#": "#", "_": "_",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " ",
    "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": "",
}  # fmt: skip
ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307"}
SUB = dict(zip("0123456789+-=()aeoxhklmnpstij", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", strict=True))
SUP = dict(zip("0123456789+-=()niT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀ", strict=True))
_GROUP = r"\{([^{}]*)\}"


def _script(body: str, table: dict, mark: str) -> str:
    if body and all(c in table for c in body):
        return "".join(table[c] for c in body)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def _paren(body: str) -> str:
    return body if re.fullmatch(r"\w+", body.strip()) else f"({body})"


def _math(tex: str) -> str:
    """One mathtext formula (between dollars) in plain Unicode."""
    for _ in range(20):  # innermost groups first
        before = tex
        tex = re.sub(
            r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP,
            lambda m: f"{_paren(m.group(1))}/{_paren(m.group(2))} ",
            tex,
        )
        tex = re.sub(
            r"\\(" + "|".join(ACCENTS) + r")\s*" + _GROUP,
            lambda m: m.group(2) + ACCENTS[m.group(1)],
            tex,
        )
        tex = re.sub(r"\\(?:math\w*|text\w*|operatorname|boldsymbol|mbox)\s*" + _GROUP, r"\1", tex)
        tex = re.sub(r"_\s*" + _GROUP, lambda m: _script(m.group(1), SUB, "_"), tex)
        tex = re.sub(r"\^\s*" + _GROUP, lambda m: _script(m.group(1), SUP, "^"), tex)
        tex = re.sub(r"\\sqrt\s*" + _GROUP, r"√(\1)", tex)
        tex = re.sub(r"(?<![A-Za-z}_^])" + _GROUP, r"\1", tex)  # a bare {group}
        if tex == before:
            break
    tex = re.sub(r"\\([A-Za-z]+|.)", lambda m: SYMBOLS.get(m.group(1), m.group(1)), tex)
    tex = re.sub(r"_([^_\s(])", lambda m: SUB.get(m.group(1), m.group(0)), tex)
    tex = re.sub(r"\^([^\s(])", lambda m: SUP.get(m.group(1), m.group(0)), tex)
    return tex.replace("{", "").replace("}", "")


def plain(text) -> str:
    """Figure text in plain Unicode: mathtext between unescaped dollars converted
    (``$\\theta_1 \\cdot x$`` -> ``θ₁ · x``), whitespace collapsed."""
    text = str(text)
    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:  # an odd number of dollars: not mathtext
        parts = [text]
    out = [p.replace("\\$", "$") if i % 2 == 0 else _math(p) for i, p in enumerate(parts)]
    return " ".join("".join(out).split())


def _tick_labels(axis, positions) -> dict:
    """Tick label at each of `positions` (the values at which the axis has ticks)."""
    labels = {}
    for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False):
        if plain(label.get_text()):
            labels[round(float(tick), 6)] = plain(label.get_text())
    return {p: labels.get(p, "") for p in positions}


def _table(ax) -> str:
    """The numbers written on a colour-coded image (a heat-map table), row by row."""
    cells = {}
    for t in ax.texts:
        x, y = t.get_position()
        if plain(t.get_text()):
            cells[(round(float(y), 6), round(float(x), 6))] = plain(t.get_text())
    rows = sorted({r for r, _ in cells}, reverse=not bool(ax.yaxis_inverted()))
    cols = sorted({c for _, c in cells}, reverse=bool(ax.xaxis_inverted()))
    if not cells or len(cells) != len(rows) * len(cols) or len(cells) > 60:
        return f"{len(cells)} numbers written on it" if cells else ""
    row_names = _tick_labels(ax.yaxis, rows)
    col_names = _tick_labels(ax.xaxis, cols)
    head = f"a table of {len(rows)} rows by {len(cols)} columns"
    if all(col_names.values()):
        head += " (" + ", ".join(col_names[c] for c in cols) + ")"
    lines = []
    for r in rows:
        values = ", ".join(cells[(r, c)] for c in cols)
        lines.append(f"{row_names[r]}: {values}" if row_names[r] else values)
    return head + "; row by row: " + "; ".join(lines)


#: At most this many of a drawing's labels are read out; the rest are counted.
DRAWING_LABELS = 40


def _drawing_labels(ax) -> str:
    """The text written on a drawing without axes (a network, a computational graph), in
    reading order: top to bottom, then left to right; e.g. ``x₁, x₂, h₁, w = 0.15, ...``."""
    found = []
    for t in ax.texts:
        label = plain(t.get_text())
        if label:
            x, y = t.get_transform().transform(t.get_position())  # display coordinates
            found.append((-round(float(y)), round(float(x)), label))
    labels = [label for _, _, label in sorted(found)]
    if not labels:
        return ""
    more = len(labels) - DRAWING_LABELS
    shown = ", ".join(labels[:DRAWING_LABELS]) + (f" and {more} more" if more > 0 else "")
    return f"a drawing labelled {shown}"


def describe_figure(fig) -> str:
    """Describe a matplotlib figure in words, from its own titles, labels and legends."""
    text = plain
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    colorbars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    parts = []
    own = getattr(fig, "_nnfp_alt", None)
    if own and text(own):
        parts.append(text(own).rstrip(".") + ".")
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(text(suptitle.get_text()).rstrip(".") + ".")
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
            table = _table(ax)
            bits.append("a colour-coded image" + (f", {table}" if table else ""))
        if not ax.axison and not ax.images:
            drawing = _drawing_labels(ax)
            if drawing:
                bits.append(drawing)
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
