"""The static scan flags suspicious student code, with its line, and leaves honest code alone."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder.mutants.a1 import CORRECT, source
from autograder.scan import Flag, scan_notebook, scan_source

ROOT = Path(__file__).resolve().parents[1]
SOURCE_NB = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"

# (kind, snippet, line of the flag); the suspicious line is never the first, so the line
# number is really checked.
CASES = [
    ("reference-import", "x = 1\nfrom nnlib.activations import sigmoid_grad\n", 2),
    ("reference-import", "x = 1\nimport nnlib\n", 2),
    ("reference-import", "x = 1\nimport autograder.checks as c\n", 2),
    ("reference-import", "import importlib\nm = importlib.import_module('nnlib.losses')\n", 2),
    ("reference-import", "x = 1\nm = __import__('autograder')\n", 2),
    ("monkeypatch", "import numpy as np\nnp.allclose = lambda *a, **k: True\n", 2),
    ("monkeypatch", "import numpy\nnumpy.testing.assert_allclose = print\n", 2),
    ("monkeypatch", "x = 1\nsetattr(np, 'allclose', lambda *a: True)\n", 2),
    ("monkeypatch", "import builtins\nbuiltins.print = len\n", 2),
    ("monkeypatch", "import math as m\nm.isclose = max\n", 2),
    ("introspection", "x = 1\ny = In[-1]\n", 2),
    ("introspection", "x = 1\ny = _i3\n", 2),
    ("introspection", "x = 1\nip = get_ipython()\n", 2),
    ("introspection", "import sys\nf = sys._getframe(1)\n", 2),
    ("introspection", "import inspect\nf = inspect.stack()\n", 2),
    ("introspection", "import gc\nobjs = gc.get_objects()\n", 2),
    ("introspection", "x = 1\nip.set_custom_exc((Exception,), h)\n", 2),
    ("introspection", "import sys\nsys.excepthook = lambda *a: None\n", 2),
    ("process", "x = 1\nimport subprocess\n", 2),
    ("process", "import os\nos.system('ls')\n", 2),
    ("process", "from os import fork\n", 1),
    ("process", "import os\nos._exit(0)\n", 2),
    ("process", "x = 1\nimport multiprocessing\n", 2),
    ("network", "x = 1\nimport socket\n", 2),
    ("network", "x = 1\nfrom urllib.request import urlopen\n", 2),
    ("network", "x = 1\nimport http.client\n", 2),
    ("network", "x = 1\nimport requests\n", 2),
    ("file", "x = 1\nf = open('/etc/passwd')\n", 2),
    ("file", "x = 1\nf = open('../tests/test_a1.py')\n", 2),
    ("file", "x = 1\nf = open(name)\n", 2),
    ("file", "x = 1\nf = open('out.txt', 'w')\n", 2),
    ("file", "from pathlib import Path\nPath('grades.csv').write_text('100')\n", 2),
    ("file", "import os\nos.remove('x.txt')\n", 2),
    ("environment", "import os\nv = os.environ['NBGRADER_EXECUTION']\n", 2),
    ("environment", "import os\nv = os.getenv('NBGRADER_VALIDATING')\n", 2),
    ("environment", "import os\nd = os.getcwd()\n", 2),
    ("shadowing", "x = 1\nwith open('numpy.py', 'w') as f:\n    f.write('')\n", 2),
    ("shadowing", "x = 1\nopen('nnlib.py', mode='a').close()\n", 2),
    ("shell", "x = 1\n!pip install answers\n", 2),
    ("shell", "x = 1\n%run solutions.py\n", 2),
    ("dynamic-code", "x = 1\nexec(code)\n", 2),
]


@pytest.mark.parametrize(("kind", "snippet", "line"), CASES, ids=[c[1] for c in CASES])
def test_each_kind_is_flagged_on_its_line(kind, snippet, line):
    flags = scan_source(snippet, cell="q")
    assert [(f.kind, f.line) for f in flags if f.kind == kind] == [(kind, line)], flags
    flag = next(f for f in flags if f.kind == kind)
    assert flag.cell == "q"
    assert flag.code == snippet.splitlines()[line - 1].strip()
    assert flag.message


def test_aliases_are_resolved():
    flags = scan_source("import os as o\nfrom os import system as s\no.system('x')\ns('y')\n")
    assert [(f.kind, f.line) for f in flags] == [("process", 2), ("process", 3), ("process", 4)]


def test_flag_str_is_readable():
    flags = scan_source("x = 1\ny = 2\nfrom nnlib.activations import sigmoid_grad\n", "a1_sigmoid")
    assert [str(f) for f in flags] == [
        "a1_sigmoid line 3 [reference-import]: from nnlib.activations import sigmoid_grad"
    ]
    assert flags[0] == Flag(
        "reference-import",
        "a1_sigmoid",
        3,
        "from nnlib.activations import sigmoid_grad",
        flags[0].message,
    )


def test_syntax_error_is_one_flag_not_an_exception():
    flags = scan_source("def f(z):\n    return (z +\n", cell="q")
    assert len(flags) == 1
    assert flags[0].kind == "syntax-error"
    assert flags[0].line >= 1


def test_shell_lines_are_stripped_and_the_rest_scanned():
    flags = scan_source("for i in range(2):\n    !ls\nimport socket\n")
    assert [(f.kind, f.line) for f in flags] == [("shell", 2), ("network", 3)]


def test_bash_cell_magic_is_flagged_once():
    flags = scan_source("%%bash\ncat /etc/passwd\n")
    assert [(f.kind, f.line) for f in flags] == [("shell", 1)]


def test_harmless_code_is_not_flagged():
    clean = (
        "import numpy as np\n"
        "_, b = (1, 2)\n"
        "x = np.zeros(3)\n"
        "x[0] = 1.0\n"
        "with open('data.csv') as f:\n"
        "    text = f.read()\n"
        "s = 'a%b'.replace('a', 'b')\n"
        "y = (3\n"
        "     % 2)\n"
    )
    assert scan_source(clean) == []


@pytest.mark.parametrize(
    "fn", [fn for fns in CORRECT.values() for fn in fns], ids=lambda fn: fn.__name__
)
def test_textbook_solutions_are_clean(fn):
    assert scan_source(source(fn), cell=fn.__name__) == []


def test_source_notebook_solutions_are_clean():
    nb = nbformat.read(SOURCE_NB, as_version=4)
    assert any(c.metadata.get("nbgrader", {}).get("solution") for c in nb.cells)
    assert scan_notebook(nb) == []


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    return cell


def test_notebook_scans_solution_and_added_cells_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("import nnlib", grade_id="setup", solution=False, locked=True),
        _cell("x = 1\nimport nnlib", grade_id="sigmoid_grad", solution=True),
        _cell("import nnlib", grade_id="test_sigmoid_grad", grade=True, solution=False),
        nbformat.v4.new_markdown_cell("import nnlib"),
        _cell("import os\nos.getcwd()"),
    ]
    flags = scan_notebook(nb)
    assert [(f.cell, f.line, f.kind) for f in flags] == [
        ("sigmoid_grad", 2, "reference-import"),
        ("cell 4", 2, "environment"),
    ]
