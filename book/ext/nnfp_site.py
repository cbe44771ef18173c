"""Local Sphinx extension of the course site: offline assets, alt text, and build-time checks.

- **MathJax from PyPI.** MathJax 3.2.2 is copied from the ``sphinx-mathjax-offline`` wheel
  (its ``static/mathjax``; only what ``tex-mml-chtml.js`` loads: TeX extensions, CHTML fonts,
  the menu and the accessibility components) into ``_static/mathjax``, and
  ``mathjax_path`` points there. Nothing is fetched when a page is viewed.
- **Alt text.** MyST-NB takes an image's alt text from the cell metadata only
  (``mystnb.image.alt``). The hidden first cell of every executed page (book/alt_text.py,
  put there by book/build.py) describes every matplotlib figure the kernel displays in the
  output's metadata; the patched ``render_image`` copies that ``alt`` onto the image when
  the cell metadata gives none. An image that still has no alt text is a warning, so
  ``-W`` fails the build.
- **No live widgets.** A static page has no widget manager: a widget's output
  (``application/vnd.jupyter.widget-view+json``) would show as nothing, or as its
  ``interactive(children=...)`` text. book/build.py removes the output of each widget cell
  it recognises and adds a still picture; any widget output still reaching a page is a
  warning (so ``-W`` fails the build). The notebook's saved widget state
  (``metadata.widgets``, 40-50 KB of models with random ids) is dropped before rendering,
  so pages are smaller and the same from build to build.
- **No remote assets.** A script or stylesheet with an ``http(s)://`` or ``//`` address on
  any page is a warning (so an error with ``-W``); duplicate script entries (sphinx-thebe
  0.3.1 adds its script twice, which logs a console error) are dropped.
"""

from __future__ import annotations

import shutil
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Parts of the MathJax distribution the site serves (paths relative to its root).
MATHJAX_PARTS = (
    "tex-mml-chtml.js",
    "input/tex/extensions",
    "input/mml/extensions",
    "output/chtml/fonts/woff-v2",
    "ui",
    "a11y",
    "sre",
)
MATHJAX_ENTRY = "mathjax/tex-mml-chtml.js"


def mathjax_source() -> Path:
    """The MathJax 3 folder shipped inside the ``sphinx-mathjax-offline`` wheel."""
    dist = metadata.distribution("sphinx-mathjax-offline")
    root = Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not (root / "tex-mml-chtml.js").is_file():
        raise RuntimeError(
            f"MathJax not found in the sphinx-mathjax-offline wheel at {root}; "
            "reinstall the site extra: pip install -e '.[site]'"
        )
    return root


def _copy_mathjax(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    src = mathjax_source()
    dest = Path(app.outdir) / "_static" / "mathjax"
    stamp = dest / ".source"
    marker = f"{src} {(src / 'tex-mml-chtml.js').stat().st_mtime_ns}"
    if stamp.is_file() and stamp.read_text() == marker:
        return  # already there from an earlier build
    shutil.rmtree(dest, ignore_errors=True)
    for part in MATHJAX_PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)
    stamp.write_text(marker)


# --------------------------------------------------------------------------- alt text


def _patch_myst_nb_images() -> None:
    """Let an image output's own metadata ``{"alt": ...}`` set the image's alt text."""
    from myst_nb.core.render import NbElementRenderer

    if getattr(NbElementRenderer.render_image, "_nnfp_alt", False):
        return
    original = NbElementRenderer.render_image

    def render_image(self, data):
        result = original(self, data)
        alt = (data.output_metadata.get(data.mime_type) or {}).get("alt")
        for node in result:
            if isinstance(node, nodes.image) and alt and not node.get("alt"):
                node["alt"] = str(alt)
        return result

    render_image._nnfp_alt = True
    NbElementRenderer.render_image = render_image


def _patch_myst_nb_widgets() -> None:
    """Fail on widget outputs that reach a page; drop the notebook's widget state."""
    from myst_nb.core.render import WIDGET_VIEW_MIMETYPE, NbElementRenderer

    if getattr(NbElementRenderer.render_widget_view, "_nnfp", False):
        return

    def render_widget_view(self, data):
        self.logger.warning(
            f"a widget's output ({WIDGET_VIEW_MIMETYPE}) reached the page, where no "
            "widget can run: book/build.py gives a widget a still picture only when its "
            "cell calls a `*_widget(` function "
            "(WIDGET_CALL); build the widget that way, or tag the cell remove-output and "
            "add a still",
            subtype="widget",
            line=data.line,
        )
        return []

    def render_nb_finalise(self, metadata):
        metadata = {k: v for k, v in metadata.items() if k != "widgets"}
        return original_finalise(self, metadata)

    original_finalise = NbElementRenderer.render_nb_finalise
    render_widget_view._nnfp = True
    NbElementRenderer.render_widget_view = render_widget_view
    NbElementRenderer.render_widget_view_inline = render_widget_view
    NbElementRenderer.render_nb_finalise = render_nb_finalise


def _check_alt_text(app, doctree, docname) -> None:
    for image in doctree.findall(nodes.image):
        if not str(image.get("alt", "")).strip():
            logger.warning(
                "image without alt text: %s (give the figure a title, or set the cell "
                "metadata mystnb.image.alt)",
                image.get("uri"),
                location=image,
            )


# --------------------------------------------------------------------------- page assets


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _local_assets_only(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if not files:
            continue
        seen, kept = set(), []
        for asset in files:
            name = str(getattr(asset, "filename", asset) or "")
            if _is_remote(name):
                logger.warning("page %s loads a remote %s: %s", pagename, key[:-6], name)
            body = (asset.attributes or {}).get("body", "") if hasattr(asset, "attributes") else ""
            key_ = (name, body)
            if key_ in seen:
                continue  # sphinx-thebe 0.3.1 lists its script twice
            seen.add(key_)
            kept.append(asset)
        files[:] = kept


def _configure(app, config) -> None:
    config.mathjax_path = MATHJAX_ENTRY


def setup(app):
    _patch_myst_nb_images()
    _patch_myst_nb_widgets()
    app.connect("config-inited", _configure, priority=900)
    app.connect("doctree-resolved", _check_alt_text)
    app.connect("html-page-context", _local_assets_only, priority=900)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
