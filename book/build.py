"""Build the course site: ``python book/build.py`` (``make site``).

1. Prepares the book's source in ``_build/site-src/``, all generated from the repository:
   - ``index.md``: the landing page; the lesson list reads each notebook's title and
     "Estimated time" line, and the one-line summary from README's lesson table (the
     build stops when a lesson has no row or no time, or a "planned" row has its number);
   - ``lessons/NN_*.ipynb``: the lecture notebooks with a "download notebook" link (a
     ``data:`` URL holding the notebook, so it downloads from ``file://`` too); each
     widget cell keeps its code, loses its (unrenderable) output, and is followed by a
     note and a still picture of the widget in its default state;
   - ``assignments/<name>.ipynb``: the student version of each nbgrader assignment (made
     by nbgrader's ClearSolutions and ClearHiddenTests via
     ``autograder.rebuild.student_version``), each solution behind a collapsed "Show
     solution" block, each visible check explained;
   - ``published_figures.ipynb``: book/published.py computing our values beside the
     published ones;
   - ``_toc.yml`` and a copy of book/_config.yml, book/ext/ and book/static/.
   A file is rewritten only when its content changes, so Sphinx rebuilds only what changed;
   any other file in ``_build/site-src/`` (a page of a notebook since removed) is deleted.
2. Runs ``jupyter-book build -W --keep-going``: notebooks are executed through the
   jupyter-cache in ``_build/jb/_build/.jupyter_cache`` (a notebook is re-executed only when
   one of its code cells changed), and any warning, a traceback, stderr output or a figure
   without alt text among them, fails the build.
3. Copies the HTML to ``_build/site/`` (open ``_build/site/index.html``); jupyter-book's
   own "Your book's HTML pages are here" banner, which names its intermediate folder, is
   left out of the output.

Options: ``--all`` rebuilds every page (the cache still applies); ``--clean`` also drops
the execution cache.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import functools
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BUILD = ROOT / "_build"
SRC = BUILD / "site-src"
JB_OUT = BUILD / "jb"  # jupyter-book's --path-output: html in _build/, cache in _build/
HTML = JB_OUT / "_build" / "html"
SITE = BUILD / "site"
NOTEBOOKS = ROOT / "notebooks"
ASSIGNMENTS = ROOT / "autograder" / "source"

WIDGET_CALL = re.compile(r"^\s*(?:[\w.]+\.)?\w+_widget\(", re.MULTILINE)
TIME_LINE = re.compile(r"\*\*Estimated time:\*\*\s*(.+?)\s*$", re.MULTILINE)


# --------------------------------------------------------------------------- helpers


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` unless it already holds exactly that; True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def write_notebook(path: Path, nb) -> bool:
    return write_if_changed(path, nbformat.writes(nb) + "\n")


def copy_if_changed(src: Path, dest: Path) -> None:
    """Copy a file unless `dest` already has the same bytes (keeps its time stamp)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not (dest.is_file() and dest.read_bytes() == src.read_bytes()):
        shutil.copyfile(src, dest)


def md_cell(text: str, **metadata):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata.update(metadata)
    return cell


def code_cell(text: str, tags: list[str]):
    cell = nbformat.v4.new_code_cell(text)
    cell.metadata["tags"] = tags
    return cell


def renumber(nb) -> None:
    """Give every cell a fresh sequential id (inserted cells have random ones)."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"


def title_of(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if m:
                return m.group(1).strip()
    raise SystemExit("a notebook has no '# title' line")


def estimated_time(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (m := TIME_LINE.search(cell.source)):
            return m.group(1).rstrip(".")
    return ""


def readme_lessons(text: str | None = None) -> dict[str, tuple[str, str]]:
    """README's lesson table: notebook file name -> (what you will do, time); planned rows
    under their number as ``planned:NN`` -> (title, "").
    """
    rows = {}
    if text is None:
        text = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not re.fullmatch(r"\d\d", cells[0]):
            continue
        link = re.search(r"\(notebooks/([^)]+\.ipynb)\)", cells[1])
        if link:
            rows[link.group(1)] = (cells[2], cells[3])
        else:
            rows[f"planned:{cells[0]}"] = (cells[1], "")
    return rows


def lesson_table_problems(times: dict[str, str], readme: dict[str, tuple[str, str]]) -> list[str]:
    """What keeps the landing page from listing every lesson properly, in words.

    `times` maps each lesson notebook's file name to its "Estimated time" line ("" when it
    has none); `readme` is `readme_lessons()`. A lesson needs a row in README's lesson table
    whose link is ``(notebooks/<file name>)`` and has a summary, and an estimated time; a
    row still marked "planned" must not share its number with an existing notebook.
    """
    problems = []
    for name, time_ in sorted(times.items()):
        summary, _ = readme.get(name, ("", ""))
        if not summary.strip() or summary.strip() == "planned":
            problems.append(
                f"{name}: no summary in README's lesson table; give the lesson a row "
                f"`| {name[:2]} | [title](notebooks/{name}) | what you will do | ~NN min |`"
            )
        if not time_.strip():
            problems.append(
                f"{name}: no estimated time; add a line `**Estimated time:** ~NN min` to "
                "one of its first Markdown cells"
            )
    numbers = {name[:2] for name in times}
    for key, (title, _) in sorted(readme.items()):
        if key.startswith("planned:") and key.removeprefix("planned:") in numbers:
            problems.append(
                f"README's lesson table still lists {key.removeprefix('planned:')} "
                f"({title}) as planned, but a notebook with that number exists: link the "
                "row to the notebook and fill in what you will do and the time"
            )
    return problems


def download_link(name: str, data: bytes) -> str:
    """An HTML link that downloads `data` as `name`, from any host and from ``file://``.

    The notebook travels inside the page as a ``data:`` URL: browsers ignore the
    ``download`` attribute of a ``file:`` link (and would show the notebook's JSON), but
    honour it on a ``data:`` link. Lesson notebooks are 30-70 KB.
    """
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="nnfp-download reference download" id="download-notebook" '
        f'href="data:application/x-ipynb+json;base64,{b64}" download="{name}">'
        f"<code>{name}</code></a>"
    )


# --------------------------------------------------------------------------- lessons

WIDGET_NOTE = """\
```{note}
**Interactive widget.** In Jupyter the cell above shows sliders and controls that redraw
the figure and the numbers beside it; a static page cannot run Python, so below is a still
picture of its default state. For the live version, run this lesson's notebook:
<a href="#download-notebook">download it</a> from the top of this page (or `make lab` in a
clone of the course).
```"""

WIDGET_STILL = """\
# The site's still picture of the widget above, in its default state.
from IPython import get_ipython
from IPython.display import HTML, display

_nnfp_out = get_ipython().displayhook.shell.history_manager.output_hist
_nnfp_widget = _nnfp_out[max(_nnfp_out)]  # the widget the cell above built and displayed
if not hasattr(_nnfp_widget, "fig"):
    raise TypeError("the cell before a widget still must end with the nnlib widget it builds")
display(_nnfp_widget.fig)
display(HTML(_nnfp_widget.info.value))"""


@functools.cache
def _alt_text_code() -> str:
    h = hashlib.sha256()
    for f in [*sorted((ROOT / "nnlib").glob("*.py")), ROOT / "data" / "digits.npz"]:
        h.update(f.name.encode() + f.read_bytes())
    code = (BOOK / "alt_text.py").read_text(encoding="utf-8")
    # run in a module of its own: a lesson's `plain = nnlib.MLP(...)` must not replace the
    # helper's `plain` in the namespace the notebook shares (as lesson 08's once did)
    private = (
        "def _nnfp_alt_text():\n"
        "    import types\n\n"
        "    module = types.ModuleType('nnfp_alt_text')\n"
        "    module.get_ipython = get_ipython  # noqa: F821 (IPython's builtin)\n"
        f"    exec({code!r}, module.__dict__)\n\n\n"
        "_nnfp_alt_text()\n"
        "del _nnfp_alt_text\n"
    )
    return f"{private}# nnlib sources and data: sha256 {h.hexdigest()[:16]}\n"


def alt_text_cell():
    """Make the hidden first cell of an executed page: figures get alt text (alt_text.py).

    It also names a hash of nnlib's sources and of the data the lessons load: the execution
    cache keys on code cells only, so a change to either re-executes every page instead of
    serving stale outputs.
    """
    return code_cell(_alt_text_code(), ["remove-cell"])


def lesson_page(path: Path) -> tuple[object, dict]:
    """The lesson's page: a download link on top, each widget followed by its still."""
    nb = nbformat.read(path, as_version=4)
    info = {"title": title_of(nb), "time": estimated_time(nb), "name": path.stem}
    download = download_link(path.name, path.read_bytes())
    cells = [alt_text_cell()]
    for cell in nb.cells:
        cells.append(cell)
        if cell is nb.cells[0]:
            cells.append(
                md_cell(
                    f"*Download this notebook:* {download}. Every output on this page was "
                    "computed when the site was built; the widgets are shown as still "
                    "pictures."
                )
            )
        if cell.cell_type == "code" and WIDGET_CALL.search(cell.source):
            tags = cell.metadata.setdefault("tags", [])
            if "remove-output" not in tags:
                tags.append("remove-output")
            cells.append(md_cell(WIDGET_NOTE))
            cells.append(code_cell(WIDGET_STILL, ["remove-input"]))
    nb.cells = cells
    renumber(nb)
    return nb, info


# --------------------------------------------------------------------------- assignments

MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.MULTILINE)


def _grade_id(cell) -> str | None:
    return (cell.metadata.get("nbgrader") or {}).get("grade_id")


def _md_escape(text: str) -> str:
    """`text` with Markdown's inline markup characters escaped (e.g. ``x**3``)."""
    return re.sub(r"([\\`*_\[\]<>$|~])", r"\\\1", text)


def _hidden_test_text(name: str) -> str:
    """What the hidden test of spec `name` does, in words, read off the spec itself."""
    from autograder.specs import get_spec

    return describe_spec(get_spec(name))


_ACROSS_TEXT = {
    "Deterministic": "cases with equal inputs must give identical results",
    "VariesWith": "cases that differ only in `{name}` must give different results",
    "DistinctParts": "no two returned arrays may be copies of each other",
}


def _comparison_text(compare) -> str:
    """How a comparator judges a result, to follow "each result" or a part's name."""
    from autograder.checks import Band

    if isinstance(compare, Band):
        if compare.width is None:
            return f"must lie in {compare}, element by element"
        near = "within a factor" if compare.scale == "log" else "within ±"
        return f"must lie {near} {compare.width:g} of the reference's, element by element"
    return (
        "is compared with the course's reference implementation, within "
        f"{compare.atol:g} + {compare.rtol:g} × \\|expected\\| elementwise"
    )


def _own_tolerances(cases, default) -> str:
    """A sentence on the cases that set their own comparison (edges, derived bounds, bands
    measured per configuration), or ""."""
    from autograder.checks import Band, Tolerance

    own = [c.tol for c in cases if c.tol is not None and c.tol != default]
    if not own:
        return ""
    which = "Every case" if len(own) == len(cases) else f"{len(own)} of the {len(cases)} cases"
    if all(isinstance(t, Band) and t.width is None for t in own):
        return (
            f" {which} sets its own bounds instead, element by element, fixed for that "
            "case's configuration (e.g. the range a correct answer reaches over many seeds)."
        )
    if all(type(t) is Tolerance for t in own):
        kinds = sorted({(t.atol, t.rtol) for t in own})
        if len(kinds) <= 2:
            each = " or ".join(f"{a:g} + {r:g} × \\|expected\\|" for a, r in kinds)
            return f" {which} uses its own tolerance instead: {each}."
        atols = [a for a, _ in kinds]
        return (
            f" {which} sets its own absolute tolerance instead, from {min(atols):.2g} to "
            f"{max(atols):.2g}, worked out from that case's own numbers."
        )
    kinds = sorted({_md_escape(str(t)) for t in own})
    if len(kinds) <= 2:
        return f" {which} uses its own comparison instead: {' or '.join(kinds)}."
    return f" {which} sets its own comparison instead, worked out from that case's own numbers."


def describe_spec(spec) -> str:
    """A Markdown paragraph saying what `spec` checks: cases, comparison, properties."""
    import numpy as np

    cases = list(spec.cases(np.random.default_rng(0)))
    if not cases:
        raise ValueError(f"spec {spec.name} has no cases: nothing to describe")
    text = (
        f"**When graded**, a hidden test (not shown) runs the specification `{spec.name}` "
        f"({spec.points} points): it calls `{spec.function}` on {len(cases)} cases drawn "
        "afresh at every grading, here as drawn with seed 0:\n\n"
        + "\n".join(f"- {_md_escape(case.label)}" for case in cases)
    )
    unit = "part" if spec.output == "tuple" else "key"
    by_part = f", {unit} by {unit} ({', '.join(spec.parts)})," if spec.parts else ""
    if isinstance(spec.compare, dict):
        text += (
            "\n\nEach result is checked "
            + f"{unit} by {unit}: "
            + "; ".join(f"`{part}` {_comparison_text(c)}" for part, c in spec.compare.items())
        )
        text += "."
    elif spec.compare is not None:
        text += f"\n\nEach result{by_part} {_comparison_text(spec.compare)}."
        text += _own_tolerances(cases, spec.compare)
    else:
        text += "\n\nThe results are not compared with one right answer: many are right."
    for prop in spec.satisfies:
        text += f" The grader checks that {_md_escape(prop.description)}."
    for check in spec.across:
        words = _ACROSS_TEXT[type(check).__name__].format(name=getattr(check, "name", ""))
        text += f" After all cases: {words}."
    if spec.unchanged_args:
        text += " Your function must also leave its input arrays unchanged."
    if spec.diagnose is not None:
        text += " A wrong answer gets a hint that names the likely mistake."
    return text


#: A public test cell's call: ``check("a1.sigmoid_grad", sigmoid_grad)`` (`autograder.public`).
PUBLIC_CHECK = re.compile(r"""^check\(\s*["']([A-Za-z0-9_.]+)["']""", re.MULTILINE)


def _public_check_text(name: str) -> str:
    """What a public test ``check(name, fn)`` does, in words, with its cases' labels."""
    from autograder.public import cases

    return (
        "**What the check above does.** It runs your function on the public cases of "
        f"`{name}` and judges each as grading does: the same checks, the same tolerance and "
        "the same hints. The first failure stops it, with that case's inputs in full and the "
        "hint that names the likely mistake. The public cases:\n\n"
        + "\n".join(f"- {_md_escape(case.label)}" for case in cases(name))
    )


def _explain_check(visible: str, hidden: str, question: str) -> str:
    """Explain a visible test cell in words, from its own code and comments (or, for a public
    test, from its cases), and the hidden test after it from its specification
    (``autograder.specs.get_spec``)."""
    public = PUBLIC_CHECK.search(visible)
    checks = []
    if re.search(r"isinstance\(", visible):
        checks.append("the result has the right type (an ndarray, a tuple or a dict)")
    if ".shape ==" in visible:
        checks.append("it has the expected shape")
    if ".dtype ==" in visible:
        checks.append("it is float64")
    if "x must hold its original values" in visible:
        checks.append("the input array is left unchanged")
    worked = [
        line.strip().lstrip("#").strip()
        for line in visible.splitlines()
        if line.strip().startswith("#")
    ]
    if re.search(r"np\.(allclose|array_equal)", visible):
        checks.append("its values match the hand-worked example")
    if not checks and not public:
        raise ValueError(
            f"the visible test of {question!r} uses none of the checks book/build.py "
            "can explain (autograder.public's check, isinstance, .shape ==, .dtype ==, "
            "np.allclose/array_equal, 'x must hold its original values'): teach "
            "`_explain_check` the new check"
        )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        from autograder.checks import visible_tests_passed

        visible_tests_passed(question)
    spec = re.search(r'assert_check\("([^"]+)"', hidden)
    if public:
        text = [_public_check_text(public.group(1))]
    else:
        text = [
            "**What the check above does.** It runs your function on small inputs and stops "
            "at the first `assert` that fails; the message says what was expected and what "
            "arrived. It checks that " + "; ".join(checks) + "."
        ]
        if worked:
            text.append("The worked example, as in the test's comments:")
            text.append("\n".join(f"    {w}" for w in worked))
    text.append(f"When every check passes it prints: *{out.getvalue().strip()}*")
    if spec:
        text.append(_hidden_test_text(spec.group(1)))
    return "\n\n".join(text)


def assignment_page(source: Path) -> tuple[object, object, dict]:
    """(self-study page, student notebook, info) of one nbgrader source notebook."""
    from autograder.rebuild import student_version

    instructor = nbformat.read(source, as_version=4)
    student = student_version(instructor)
    by_id = {_grade_id(c): c for c in instructor.cells if _grade_id(c)}
    info = {"title": title_of(instructor), "time": estimated_time(instructor)}
    name = source.stem
    download = download_link(f"{name}.ipynb", (nbformat.writes(student) + "\n").encode())
    cells = []
    for i, cell in enumerate(copy.deepcopy(student).cells):
        meta = cell.metadata.get("nbgrader") or {}
        original = by_id.get(meta.get("grade_id"))
        cell.metadata.pop("nbgrader", None)
        cells.append(cell)
        if i == 0:
            cells.append(
                md_cell(
                    "```{admonition} Self-study version\n"
                    "This is the notebook students receive, with each solution behind a "
                    "collapsed **Show solution** block: try the question first. To work on "
                    f"it, download the student notebook, {download}, and open it in a clone "
                    "of the course after `make` (its checks import the course's `autograder` "
                    "package). Instructors hand it out and grade it with nbgrader: `make "
                    "release`, `make collect`, `make autograde`, `make feedback`, `make "
                    "grades` (README, *Grading*).\n```"
                )
            )
        if original is None:
            continue
        if meta.get("solution"):
            if cell.cell_type == "code":
                solution = MARKERS.sub("", original.source).rstrip()
                body = f"```python\n{solution}\n```"
            else:
                body = original.source.strip()
            cells.append(
                md_cell(
                    '<details class="nnfp-solution">\n<summary>Show solution</summary>\n\n'
                    f"{body}\n\n</details>"
                )
            )
        elif meta.get("grade") and cell.cell_type == "code":
            question = meta["grade_id"].removeprefix("test_")
            cells.append(md_cell(_explain_check(cell.source, original.source, question)))
    page = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(instructor.metadata))
    renumber(page)
    return page, student, info


# --------------------------------------------------------------------------- published figures


def published_page():
    code = (BOOK / "published.py").read_text(encoding="utf-8")
    code = code.split('\nif __name__ == "__main__":')[0].rstrip() + "\n"
    intro = (
        "# Published figures, reproduced\n\n"
        "Every published number or formula the course quotes, from its source, beside the "
        "value `nnlib` computes. The right-hand values are computed when this page is "
        "built (the code is below the table); the published ones are quotations with "
        "their source. *agree* is decided by the code, with the tolerance it states."
    )
    cells = [
        alt_text_cell(),
        md_cell(intro),
        code_cell(code, ["hide-input"]),
        code_cell(
            "from IPython.display import Markdown\n\nMarkdown(markdown_table())", ["remove-input"]
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    renumber(nb)
    return nb


# --------------------------------------------------------------------------- landing page and toc


def landing_page(lessons: list[dict], assignments: list[dict]) -> str:
    readme = readme_lessons()
    rows = []
    for lesson in lessons:
        summary, _ = readme.get(lesson["name"] + ".ipynb", ("", ""))
        rows.append(
            f"| [{lesson['title']}](lessons/{lesson['name']}.ipynb) | {summary or '—'} | "
            f"{lesson['time'] or '—'} |"
        )
    planned = [
        f"| {title} | planned | |"
        for key, (title, _) in sorted(readme.items())
        if key.startswith("planned:")
    ]
    assignment_rows = [
        f"| [{a['title']}](assignments/{a['name']}.ipynb) | {a['time'] or '—'} |"
        for a in assignments
    ]
    return f"""\
# Neural Networks from First Principles

An open-source course that teaches neural networks from the neuron up: from a McCulloch-Pitts
unit computing AND, through backpropagation derived by hand, to why a 10-layer network's
activations collapse or explode and how initialization, optimizers, activation functions and
regularization fix it. Every idea is derived, coded and measured; nothing is shown that was not
computed. This site is the course for **self-learners**: the lecture notebooks executed, with
their equations, figures and tables, readable with no Python installed and no internet
connection.

## Who it is for

Anyone who knows school algebra, derivatives and the chain rule, and matrix multiplication,
and can read basic Python and numpy. No prior machine learning. Students use the same
notebooks in JupyterLab and the assignments; instructors grade the assignments with nbgrader.

## Lessons

| lesson | what you will do | time |
|---|---|---|
{chr(10).join(rows + planned)}

Each lesson ends with a check-yourself exercise; its solution waits in a collapsed block. The
figures drawn by interactive widgets are shown here as still pictures of their default state:
download a lesson's notebook (link at the top of each lesson) to move the sliders.

## Assignments

| assignment | time |
|---|---|
{chr(10).join(assignment_rows)}

On this site each assignment is the student version with every solution behind a collapsed
**Show solution** block, and each visible check explained.

[Published figures, reproduced](published_figures.ipynb): every published number the course
quotes, beside the value the course's library computes.

## Run it on your own machine

With only `python3` (3.11 or newer) and `make`, in a clone of the course:

```bash
make         # creates .venv, installs the course, builds this site into _build/site/
make test    # lint and the whole test suite
```

Then `make lab` opens the notebooks in JupyterLab, where the widgets are live.

## For instructors: the assignments

The assignments are an nbgrader course in `autograder/`: sources with solutions and hidden
tests. `make release A=<assignment>` makes the student version and a zip to upload to your
LMS; `make collect SRC=<folder>` imports the submissions; `make autograde` grades them
(hidden tests run fresh random cases against the course's library, and every failed check
names the likely mistake); `make feedback` writes a feedback page per student and
`make grades` a CSV for the LMS. The repository's README, section *Grading*, has an example
session.
"""


def toc(lessons: list[dict], assignments: list[dict]) -> str:
    lines = ["format: jb-book", "root: index", "parts:", "  - caption: Lessons", "    chapters:"]
    lines += [f"      - file: lessons/{lesson['name']}" for lesson in lessons]
    if assignments:
        lines += ["  - caption: Assignments (self-study)", "    chapters:"]
        lines += [f"      - file: assignments/{a['name']}" for a in assignments]
    lines += ["  - caption: Reference", "    chapters:", "      - file: published_figures"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- build


def book_files() -> list[Path]:
    """The book's own files that go into SRC as they are: config, extension, static assets."""
    return [
        BOOK / "_config.yml",
        *sorted(
            f
            for folder in ("ext", "static")
            for f in (BOOK / folder).glob("*")
            if f.is_file() and f.suffix != ".pyc"
        ),
    ]


def prepare() -> None:
    """Write the book's source into SRC (only files whose content changed) and delete
    every other file there."""
    lessons, pages = [], {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb, info = lesson_page(path)
        pages[f"lessons/{path.name}"] = nb
        lessons.append(info)
    problems = lesson_table_problems(
        {f"{lesson['name']}.ipynb": lesson["time"] for lesson in lessons}, readme_lessons()
    )
    if problems:
        raise SystemExit(
            "the landing page cannot list every lesson (README.md, section Lessons):\n  "
            + "\n  ".join(problems)
        )
    assignments = []
    for source in sorted(ASSIGNMENTS.glob("*/*.ipynb")):
        pages[f"assignments/{source.name}"], _, info = assignment_page(source)
        info["name"] = source.stem
        assignments.append(info)
    pages["published_figures.ipynb"] = published_page()

    wanted = set(pages) | {"index.md", "_toc.yml"}
    for rel, nb in pages.items():
        write_notebook(SRC / rel, nb)
    write_if_changed(SRC / "index.md", landing_page(lessons, assignments))
    write_if_changed(SRC / "_toc.yml", toc(lessons, assignments))
    for f in book_files():
        rel = f.relative_to(BOOK).as_posix()
        copy_if_changed(f, SRC / rel)
        wanted.add(rel)
    for old in SRC.rglob("*"):  # pages of notebooks that no longer exist, and the like
        if old.is_file() and old.relative_to(SRC).as_posix() not in wanted:
            old.unlink()


def fingerprint() -> str:
    """Hash of what every page depends on (config, extension, assets)."""
    h = hashlib.sha256()
    for f in book_files():
        h.update(f.relative_to(BOOK).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def drop_banner(lines):
    """The lines of jupyter-book's output without its closing banner ("Your book's HTML
    pages are here: _build/jb/...", in a box of ``=`` lines) and Sphinx's "The HTML pages
    are in ..." line: both name the intermediate folder, not _build/site/. Other boxes (an
    error message) pass through."""
    box = None
    for line in lines:
        plain = ANSI.sub("", line).strip()
        if re.fullmatch(r"={20,}", plain):
            if box is None:
                box = [line]
                continue
            box.append(line)
            if not any("HTML pages are here" in ANSI.sub("", b) for b in box):
                yield from box
            box = None
        elif box is not None:
            box.append(line)
        elif not plain.startswith("The HTML pages are in"):
            yield line
    if box:
        yield from box


def run_filtered(cmd: list[str], env: dict) -> int:
    """Run `cmd`, passing its output through `drop_banner` line by line; its exit code."""
    with subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        for line in drop_banner(proc.stdout):
            sys.stdout.write(line)
            sys.stdout.flush()
    return proc.returncode


def build(all_pages: bool = False) -> int:
    stamp = JB_OUT / "fingerprint"
    if not (stamp.is_file() and stamp.read_text() == fingerprint()):
        all_pages = True  # Sphinx 7.4 would keep stale assets and pages: start clean
        shutil.rmtree(HTML, ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(SRC), "--path-output", str(JB_OUT), "-W", "--keep-going"]
    if all_pages:
        cmd.append("--all")
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    print("+", " ".join(cmd), flush=True)
    code = run_filtered(cmd, env)
    if code != 0:
        print("site build failed (see the warnings above)", file=sys.stderr)
        return code
    stamp.write_text(fingerprint())
    tmp = SITE.with_name("site.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(HTML, tmp)
    shutil.rmtree(SITE, ignore_errors=True)
    tmp.rename(SITE)
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html"))
    content = [p for p in pages if not p.startswith(("_", "genindex", "search"))]
    print(f"site: {SITE / 'index.html'} ({len(content)} pages)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="rebuild every page")
    parser.add_argument("--clean", action="store_true", help="also drop the execution cache")
    args = parser.parse_args(argv)
    if args.clean:
        for d in (SRC, JB_OUT, SITE):
            shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    prepare()
    code = build(all_pages=args.all)
    print(f"site build took {time.perf_counter() - t0:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
