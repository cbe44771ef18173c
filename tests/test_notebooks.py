"""Every lecture notebook runs top to bottom on a fresh kernel, headless, cleanly and fast.

Each notebook is executed with nbclient as a student's JupyterLab would run it, from the
notebooks/ folder. A cell that raises, or writes anything to stderr (a warning, a
traceback), fails the test. Execution times are printed at the end of the pytest run.
"""

import json
import re
import time
from pathlib import Path

import nbclient
import nbformat
import pytest
from conftest import NOTEBOOK_TIMES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: "well under a minute" on 2 cores; a notebook slower than this fails.
LIMIT_SECONDS = 45


def _ids(paths):
    return [p.stem for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} has outputs"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_reads_like_a_lesson(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert re.search(r"estimated time", markdown, flags=re.I), "state the estimated time"
    assert re.search(r"check yourself", markdown, flags=re.I), "end with a check-yourself"
    assert "<details>" in markdown, "the solution sits in a <details> block"
    assert "import nnlib" in code or "from nnlib" in code
    assert "np.random.seed" not in code, "randomness goes through an rng"


#: Prose a student reads in a stated minute, at most (besides running and reading code).
WORDS_PER_MINUTE = 50


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_the_stated_time_covers_the_prose(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    stated = re.search(r"estimated time:\**\s*about (\d+) minutes", markdown, flags=re.I)
    assert stated, "state the time as 'Estimated time: about N minutes'"
    minutes, words = int(stated.group(1)), len(markdown.split())
    assert words <= WORDS_PER_MINUTE * minutes, (
        f"{words} words of prose for {minutes} minutes: state about "
        f"{-(-words // WORDS_PER_MINUTE)} minutes, or split the lesson"
    )
    row = next(ln for ln in (ROOT / "README.md").read_text().splitlines() if path.name in ln)
    assert f"~{minutes} min" in row, f"README's lesson table must give ~{minutes} min"


@pytest.fixture(scope="module")
def font_cache():
    """Build matplotlib's font cache here, not in a kernel (it reports on stderr there)."""
    import matplotlib.font_manager  # noqa: F401


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_executes_cleanly_on_a_fresh_kernel(path, font_cache):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    NOTEBOOK_TIMES[path.name] = seconds
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"cell {i} raised"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"cell {i} wrote to stderr:\n{out['text'][:500]}"
    assert seconds < LIMIT_SECONDS, f"{path.name} took {seconds:.1f} s (limit {LIMIT_SECONDS} s)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_lesson_is_listed_in_the_readme_with_its_time(path):
    readme = (ROOT / "README.md").read_text()
    row = next((ln for ln in readme.splitlines() if f"(notebooks/{path.name})" in ln), None)
    assert row is not None, f"README's lesson table does not link {path.name}"
    assert re.search(r"~\d+ min", row), f"README gives no estimated time for {path.name}"


#: Inline checks a lesson holds before its final "Check yourself" (issue 12).
INLINE_CHECKS = (2, 4)


def _final_check_index(cells) -> int:
    """Index of the last markdown heading that opens the final 'Check yourself' section."""
    heads = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown" and re.search(r"^#+ .*check yourself", c.source, re.I | re.M)
    ]
    assert heads, "the lesson ends with a '## ... Check yourself' section"
    return heads[-1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_the_lesson_checks_understanding_along_the_way(path):
    cells = nbformat.read(path, as_version=4).cells
    body = cells[: _final_check_index(cells)]
    checks = [c.source for c in body if c.cell_type == "code" and "selfcheck.check_" in c.source]
    low, high = INLINE_CHECKS
    assert low <= len(checks) <= high, (
        f"{len(checks)} inline checks (code cells calling selfcheck.check_*) before the final "
        f"'Check yourself'; a lesson holds {low} to {high}"
    )
    assert any("selfcheck.check_answer(" in s for s in checks), (
        "at least one inline check is conceptual: selfcheck.check_answer(key, answer)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_question_asked_is_answered_in_nnlib_and_lists_its_options(path):
    from nnlib import questions

    lesson = path.name[:2]
    cells = nbformat.read(path, as_version=4).cells
    asked = []
    for i, cell in enumerate(cells):
        for key in re.findall(r"check_answer\(\s*[\"']([^\"']+)[\"']", cell.source):
            assert key.startswith(f"{lesson}."), f"cell {i} asks {key!r}, not a lesson-{lesson} key"
            entry = questions.question(key)  # raises, naming the key, when it is missing
            text = "\n".join(c.source for c in cells[:i] if c.cell_type == "markdown")[-3000:]
            missing = [o for o in entry["feedback"] if f"({o})" not in text]
            assert not missing, f"the markdown before cell {i} does not list option(s) {missing}"
            asked.append(key)
    registered = {k for k in questions.all_questions() if k.startswith(f"{lesson}.")}
    never = registered - set(asked)
    assert not never, f"questions in nnlib.questions never asked in the lesson: {sorted(never)}"
