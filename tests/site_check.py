"""The built course site in headless Chromium, offline: ``make test-site``.

Run ``python book/build.py`` first (``make site``); then ``pytest tests/site_check.py`` (or
``python tests/site_check.py``). Not collected by ``make test`` (the file name does not
start with ``test_``). ``NNFP_SITE=/some/folder`` checks another copy of the site (e.g. one
broken on purpose, to see a check fail) instead of ``_build/site``.

Chromium is Debian's (``apt-get install chromium``; ``CHROMIUM=/path`` picks another
binary), driven by Playwright from PyPI, launched with flags that keep it off the network;
every request that is not ``file:`` is aborted and counted as a failure. For the landing
page, every lesson page and every other content page, loaded from ``file://``:

- no console error, page error or failed request;
- every image loaded (``naturalWidth > 0``) and has alt text, with no TeX in it (no ``$``,
  no backslash command);
- the equations typeset: MathJax output in the DOM, no ``mjx-merror``; and, on every page
  (with or without equations), no TeX left in the visible text outside code and MathJax
  output: no ``\\(``, ``\\[``, ``$$``, ``\\begin{``, ``$...$`` or ``\\command``;
- no Python traceback, error or stderr output anywhere in the HTML;
- every internal link resolves (file and ``#anchor``);
- a screenshot under ``_build/site-screenshots/``.

And: the licence footer is on the pages; a lesson's "download notebook" link downloads the
notebook (not a page of JSON) from ``file://``; the landing page lists every lesson.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("NNFP_SITE") or ROOT / "_build" / "site").resolve()
SHOTS = ROOT / "_build" / "site-screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--allow-file-access-from-files",
]
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|<div class=\"[^\"]*\boutput\b[^\"]*\berror\b"
    r"|\b(?:[A-Z]\w*Error|Exception): .{0,80}(?:line \d+|-{3,})|\bstderr\b[^<]*output"
    r"|class=\"[^\"]*\boutput stderr\b"
)
#: TeX that MathJax did not typeset, in the visible text outside code and MathJax output
RAW_TEX = re.compile(r"\\\(|\\\[|\$\$|\\begin\{|\$[^$\n]+\$|\\[a-zA-Z]{2,}")
#: TeX in an image's alt text: a dollar or a backslash command
ALT_TEX = re.compile(r"\$|\\[a-zA-Z]+")
FOOTER = "Course text and figures CC BY 4.0"


def content_pages() -> list[Path]:
    pages = [SITE / "index.html"]
    for p in sorted(SITE.rglob("*.html")):
        rel = p.relative_to(SITE).as_posix()
        if p not in pages and not rel.startswith(("_", "genindex", "search")):
            pages.append(p)
    return pages


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        for key in ("href", "src"):
            if a.get(key) and not (tag == "link" and a.get("rel") == "canonical"):
                self.refs.append(a[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(page: Path) -> list[str]:
    """Internal href/src targets of `page` that do not exist (file, or #anchor in it)."""
    bad, cache = [], {}
    for ref in _parse(page).refs:
        url = urlparse(ref)
        if url.scheme in ("http", "https", "mailto", "data", "javascript") or ref.startswith("//"):
            continue
        target, anchor = urldefrag(ref)
        target = urlparse(target).path  # drop ?v=digest
        path = page if not target else (page.parent / unquote(target)).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            bad.append(ref)
            continue
        if anchor and path.suffix == ".html":
            ids = cache.setdefault(path, _parse(path).ids)
            if anchor not in ids:
                bad.append(ref)
    return bad


def remote_refs(page: Path) -> list[str]:
    """Scripts, styles and images that a page would load from the network."""
    html = page.read_text(encoding="utf-8")
    return re.findall(
        r'<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', html
    )


@pytest.fixture(scope="module")
def browser():
    if not (SITE / "index.html").is_file():
        pytest.fail("no site: run `make site` (python book/build.py) first")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        # and a reader's browser: without --allow-file-access-from-files
        flags = [f for f in FLAGS if f != "--allow-file-access-from-files"]
        b.reader = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        yield b
        b.reader.close()
        b.close()


def _context(browser):
    return browser.new_context(
        viewport={"width": 1280, "height": 900}, offline=False, accept_downloads=True
    )


def check_page(browser, page_path: Path) -> dict:
    """Load one page from file:// and return what it showed: problems and counts."""
    ctx = _context(browser)
    page = ctx.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            problems.append(f"network request blocked: {r.request.url}")
            r.abort()

    page.route("**/*", route)
    page.goto(page_path.as_uri(), wait_until="load")
    # MathJax 3 typesets asynchronously; wait for its startup promise when it is there
    page.evaluate(
        """async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
        }
    }"""
    )
    info = page.evaluate(
        r"""() => {
        const imgs = [...document.images];
        const main = document.querySelector('main') || document.body;
        // the text a reader sees as prose: without code, scripts and MathJax's output
        const prose = main.cloneNode(true);
        prose.querySelectorAll('pre, code, script, style, mjx-container, .MathJax')
            .forEach(e => e.remove());
        return {
            images: imgs.length,
            broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
            no_alt: imgs.filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src),
            alts: imgs.map(i => i.getAttribute('alt') || ''),
            math_nodes: document.querySelectorAll('.math').length,
            mjx: document.querySelectorAll('mjx-container').length,
            merror: document.querySelectorAll('mjx-merror').length,
            text: prose.textContent,
            has_mathjax: !!(window.MathJax && MathJax.version),
        };
    }"""
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    rel = page_path.relative_to(SITE).with_suffix("").as_posix().replace("/", "__")
    shot = SHOTS / f"{rel}.png"
    page.screenshot(path=str(shot), full_page=False)
    ctx.close()
    info["problems"] = problems
    info["screenshot"] = shot
    info["raw_tex"] = [m.group(0)[:60] for m in RAW_TEX.finditer(info.pop("text"))]
    return info


PAGES = content_pages() if (SITE / "index.html").is_file() else [SITE / "index.html"]


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_page(browser, page_path):
    html = page_path.read_text(encoding="utf-8")
    assert not TRACEBACK.search(html), (
        f"error output in {page_path.name}: {TRACEBACK.search(html).group(0)!r}"
    )
    assert not remote_refs(page_path), f"remote assets: {remote_refs(page_path)}"
    assert not broken_links(page_path), f"broken internal links: {broken_links(page_path)}"
    info = check_page(browser, page_path)
    assert not info["problems"], "\n".join(info["problems"])
    assert not info["broken"], f"images that did not load: {info['broken']}"
    assert not info["no_alt"], f"images without alt text: {info['no_alt']}"
    tex_alts = [alt[:120] for alt in info["alts"] if ALT_TEX.search(alt)]
    assert not tex_alts, f"TeX in alt text: {tex_alts}"
    if info["math_nodes"]:
        assert info["has_mathjax"], "MathJax did not load"
        assert info["mjx"] >= info["math_nodes"], (
            f"{info['math_nodes']} equations, {info['mjx']} typeset by MathJax"
        )
        assert info["merror"] == 0, f"{info['merror']} MathJax errors"
    assert not info["raw_tex"], (
        f"raw TeX left in the text ({info['math_nodes']} equations marked as math on the "
        f"page): {info['raw_tex'][:5]}"
    )
    assert info["screenshot"].stat().st_size > 10_000


def test_landing_page_lists_every_lesson():
    html = (SITE / "index.html").read_text(encoding="utf-8")
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert lessons
    for nb in lessons:
        assert f"lessons/{nb.stem}.html" in html, f"{nb.stem} missing from the landing page"
        page = SITE / "lessons" / f"{nb.stem}.html"
        text = page.read_text(encoding="utf-8")
        assert f'download="{nb.name}"' in text, f"no download link on {page}"
        assert 'rel="prev"' in text or 'class="prev-next' in text or "prev-next" in text


def test_every_page_has_the_licence_footer():
    for page in content_pages():
        assert FOOTER in page.read_text(encoding="utf-8"), f"no licence footer on {page}"


def test_download_link_downloads_the_notebook(browser, tmp_path):
    """From file://, the lesson's link saves the notebook itself. In a reader's browser
    (without --allow-file-access-from-files) the `download` attribute of a file: link is
    ignored and the notebook opens as a page of JSON; the page links a data: URL instead."""
    nb = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
    browser = browser.reader
    ctx = _context(browser)
    page = ctx.new_page()
    page.goto((SITE / "lessons" / f"{nb.stem}.html").as_uri(), wait_until="load")
    with page.expect_download(timeout=10_000) as info:
        page.click(f'a[download="{nb.name}"]')
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert page.url.endswith(f"{nb.stem}.html"), f"the link navigated to {page.url[:80]}"
    ctx.close()
    assert download.suggested_filename == nb.name
    assert saved.read_bytes() == nb.read_bytes()


def test_published_figures_are_a_table_with_every_row_agreeing():
    """The page renders its Markdown output as a real table (not text with pipes), one row
    per published figure, each with our computed value and a "yes" decided by code, or
    "quoted" where nothing here can reproduce the figure (a paper's ImageNet runs); no
    row says NO, and most are computed."""
    html = (SITE / "published_figures.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr[ >].*?</tr>", html, re.S)
    assert len(rows) >= 21, f"{len(rows)} table rows"
    body = rows[1:]
    marks = [re.search(r">\s*(yes|quoted|<strong>NO</strong>)\s*<", row) for row in body]
    assert all(marks), "a row has no verdict"
    kinds = [m.group(1) for m in marks]
    assert all(k in ("yes", "quoted") for k in kinds), "a figure disagrees"
    assert kinds.count("yes") > 2 * kinds.count("quoted"), kinds
    assert not re.search(r"<p>\s*\| topic \|", html), "the table was rendered as text"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", *sys.argv[1:]]))
