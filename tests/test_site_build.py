"""The course site's generated pages (book/build.py), checked without building the site.

`make test-site` builds the site and checks it in a real browser; these tests check, in a
second or two, what the generator puts on the pages: the self-study assignment never shows
hidden tests and hides every solution in a collapsed block, each lesson widget is followed
by its note and a still picture, and the landing page lists every lesson with its time.
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
