"""The course site's generated pages (book/build.py), checked without building the site.

`make test-site` builds the site and checks it in a real browser; these tests check, in a
second or two, what the generator puts on the pages: the self-study assignment never shows
hidden tests and hides every solution in a collapsed block, each lesson widget is followed
by its note and a still picture, the landing page lists every lesson with its time (and the
build stops when README's lesson table cannot say what a lesson is), and each check is
explained from its own code and its specification.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("nnfp_book_build", ROOT / "book" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _text(nb) -> str:
    return "\n".join(c.source for c in nb.cells)


def test_assignment_page_hides_solutions_and_never_shows_hidden_tests(build):
    page, student, info = build.assignment_page(SOURCE)
    text = _text(page)
    instructor = nbformat.read(SOURCE, as_version=4)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert "BEGIN SOLUTION" not in _text(student)
    solutions = [
        c
        for c in instructor.cells
        if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
    ]
    blocks = [c.source for c in page.cells if "<summary>Show solution</summary>" in c.source]
    assert len(blocks) == len(solutions) + 1  # + the written answer
    for cell in solutions:  # each solution's code sits inside its collapsed block
        body = build.MARKERS.sub("", cell.source).strip().splitlines()
        assert any(all(line in block for line in body) for block in blocks), cell.source[:60]
    for cell in page.cells:  # and nowhere else: the student's cells are the stubs
        if cell.cell_type == "code":
            assert "NotImplementedError" in cell.source or "BEGIN" not in cell.source
    assert info["title"].startswith("Assignment 1")


def test_every_lesson_widget_is_followed_by_a_note_and_a_still(build):
    for path in LESSONS:
        page, info = build.lesson_page(path)
        cells = page.cells
        assert "remove-cell" in cells[0].metadata.get("tags", [])  # the alt-text helper
        widgets = [i for i, c in enumerate(cells) if build.WIDGET_CALL.search(c.source)]
        assert widgets, f"{path.name} has no widget"
        for i in widgets:
            assert "remove-output" in cells[i].metadata["tags"]
            assert "Interactive widget" in cells[i + 1].source
            assert "remove-input" in cells[i + 2].metadata["tags"]
        assert info["time"], f"{path.name}: no estimated time found"


def test_landing_page_lists_every_lesson_with_its_time(build):
    lessons = [build.lesson_page(p)[1] for p in LESSONS]
    _, _, a1 = build.assignment_page(SOURCE)
    page = build.landing_page(lessons, [dict(a1, name="a1_gradients")])
    for info in lessons:
        assert f"lessons/{info['name']}" in page and info["time"] in page
    assert "make test" in page and "make autograde" in page


README_TABLE = """\
| # | lesson | what you will do | time |
|---|---|---|---|
| 01 | [Gates](notebooks/01_gates.ipynb) | build AND from threshold units | ~45 min |
| 02 | [Hebb](notebooks/02_hebb.ipynb) | learn weights from examples | ~40 min |
| 03 | Backpropagation, derived | planned | |
"""


def test_landing_page_check_names_each_missing_row_time_or_stale_planned_row(build):
    readme = build.readme_lessons(README_TABLE)
    assert readme["01_gates.ipynb"] == ("build AND from threshold units", "~45 min")
    assert readme["planned:03"] == ("Backpropagation, derived", "")
    ok = {"01_gates.ipynb": "~45 min", "02_hebb.ipynb": "~40 min"}
    assert build.lesson_table_problems(ok, readme) == []
    # a new lesson 03 with no row of its own, no time, and "03" still planned
    problems = build.lesson_table_problems({**ok, "03_backprop.ipynb": ""}, readme)
    assert len(problems) == 3, problems
    assert "03_backprop.ipynb: no summary" in problems[0]
    assert "03_backprop.ipynb: no estimated time" in problems[1]
    assert "still lists 03 (Backpropagation, derived) as planned" in problems[2]
    # the real README and notebooks pass (prepare() would stop the build otherwise)
    lessons = {p.name: build.lesson_page(p)[1]["time"] for p in LESSONS}
    assert build.lesson_table_problems(lessons, build.readme_lessons()) == []


def test_check_explanations_come_from_the_spec_and_fail_loudly(build):
    text = build._hidden_test_text("a1.numerical_gradient")
    assert "kink" not in text and "leave its input arrays unchanged" in text
    assert "sum(x\\*\\*3)" in text  # a case label, Markdown-escaped
    assert "part by part (dX, dW, db)" in build._hidden_test_text("a1.dense_backward")
    with pytest.raises(ValueError, match="none of the checks"):
        build._explain_check("print(f(1))", "", "sigmoid_grad")


def test_every_check_type_is_described_from_its_spec(build):
    # The next assignments use bands, predicates and cross-case checks: the site must say
    # what each checks (not crash on a spec without a tolerance, as it once would have).
    from autograder.specs.examples import EXAMPLES

    text = {name: build.describe_spec(spec) for name, spec in EXAMPLES.items()}
    assert "part by part (w, m, v)" in text["ex.adam"]
    assert "within a factor 1.25 of the reference's" in text["ex.layer_stds"]
    assert "many are right" in text["ex.momentum_hyper"]
    assert "reaches f \\< 1e-06 within 120 steps" in text["ex.momentum_hyper"]
    init = text["ex.init_weights"]
    assert "equal inputs must give identical results" in init
    assert "differ only in `seed` must give different results" in init
    assert "copies of each other" in init
    assert "tolerance" not in init and "reference implementation" not in init


def test_cases_with_their_own_tolerance_are_described(build):
    # numerical_gradient derives a tolerance per case; sigmoid's saturated edge has its own.
    ng = build._hidden_test_text("a1.numerical_gradient")
    assert "Every case sets its own absolute tolerance instead" in ng
    sigmoid = build._hidden_test_text("a1.sigmoid_grad")
    assert "1 of the 5 cases uses its own tolerance instead: 0 + 0.01" in sigmoid
    assert "own tolerance" not in build._hidden_test_text("a1.dense_backward")


def test_every_registered_spec_is_described(build):
    # The site describes every hidden test from its spec; a comparator the describer does not
    # know (assignment 3's per-configuration bands once) stopped the whole build in CI.
    from autograder.specs import SPECS

    text = {name: build.describe_spec(spec) for name, spec in SPECS.items()}
    assert {n.split(".")[0] for n in text} >= {"a1", "a3"}
    assert "Every case sets its own bounds instead, element by element" in text["a3.run_experiment"]
    assert "std of the layer" in text["a3.layer_statistics"]


def test_the_alt_text_cell_keeps_its_names_out_of_the_notebook_s(build):
    # lesson 08 named a net `plain`, which replaced the helper's `plain` in the namespace
    # both shared, and every later figure's alt text raised TypeError on the site
    import types

    class Formatter:
        def __init__(self):
            self.type_printers = {}

        def for_type(self, typ, func=None):
            self.type_printers[typ] = func

    formatter = Formatter()
    shell = types.SimpleNamespace(
        display_formatter=types.SimpleNamespace(formatters={"image/png": formatter})
    )
    ns = {"get_ipython": lambda: shell}
    exec(build._alt_text_code(), ns)
    assert set(ns) - {"__builtins__"} == {"get_ipython"}, sorted(ns)
    assert "for_type" in vars(formatter)  # installed: the formatter's for_type is wrapped
    assert "plain" not in ns and "describe_figure" not in ns
