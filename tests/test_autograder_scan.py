"""The static scan flags suspicious student code, with its line, and leaves honest code alone."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autograder import scan
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
    ("monkeypatch", "import json\njson.dumps = str\n", 2),
    ("monkeypatch", "from json import encoder\nencoder.c_make_encoder = None\n", 2),
    ("monkeypatch", "import base64\nbase64.b64encode = bytes\n", 2),
    ("monkeypatch", "import numpy.lib.format as fmt\nfmt.write_array = print\n", 2),
    ("monkeypatch", "import IPython\nIPython.display.display = print\n", 2),
    ("monkeypatch", "import sys\nsys.stdout = None\n", 2),
    ("introspection", "x = 1\ny = In[-1]\n", 2),
    ("introspection", "x = 1\ny = _i3\n", 2),
    ("introspection", "x = 1\nip = get_ipython()\n", 2),
    ("introspection", "import sys\nf = sys._getframe(1)\n", 2),
    ("introspection", "import inspect\nf = inspect.stack()\n", 2),
    ("introspection", "x = 1\nimport gc\n", 2),
    ("introspection", "x = 1\nobjs = __import__('gc').get_objects()\n", 2),
    # the routes to the judge's helper in the kernel (issue 11), each on its own
    ("introspection", "x = 1\nimport _judge\n", 2),
    ("introspection", "x = 1\nfrom _judge import answer\n", 2),
    ("introspection", "x = 1\nj = globals()['_judge']\n", 2),
    ("introspection", "x = 1\nj._judge.call = print\n", 2),
    ("introspection", "import sys\nj = sys.modules.get('x')\n", 2),
    ("introspection", "import sys\nsys.meta_path.insert(0, finder)\n", 2),
    ("introspection", "x = 1\nimport builtins\n", 2),
    ("introspection", "x = 1\nb = len.__self__\n", 2),
    ("introspection", "x = 1\nb = g['__builtins__']\n", 2),
    ("introspection", "x = 1\ng = f.__globals__\n", 2),
    ("introspection", "x = 1\nv = f.__closure__[0].cell_contents\n", 2),
    ("introspection", "x = 1\nv = getattr(f, '__globals__')\n", 2),
    ("introspection", "x = 1\nv = object.__subclasses__()\n", 2),
    ("introspection", "import sys\nf = sys.exc_info()[2].tb_frame\n", 2),
    ("introspection", "x = 1\nf = frame.f_back.f_locals\n", 2),
    ("introspection", "x = 1\nfrom IPython import get_ipython as g\n", 2),
    ("introspection", "x = 1\np = shell.display_pub\n", 2),
    ("introspection", "x = 1\nimport ctypes\n", 2),
    ("introspection", "x = 1\nimport linecache\n", 2),
    ("introspection", "x = 1\nimport ipykernel.zmqshell\n", 2),
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
    ("dynamic-code", "x = 1\nv = getattr(f, '__glob' + 'als__')\n", 2),
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
        "n = getattr(x, 'shape')\n"
        "m = 'judged by the grader, not by this cell'\n"
        "import json\n"
        "text = json.dumps({'a': 1})\n"
        "from IPython.display import display\n"
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


# ------------------------------------------------------------------- the scan's own cost


@pytest.fixture
def parsed(monkeypatch):
    """The length of every source the scan hands to `ast.parse`."""
    import ast

    lengths: list[int] = []
    real = ast.parse

    def spy(source, *args, **kwargs):
        lengths.append(len(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(scan.ast, "parse", spy)
    return lengths


def test_a_scan_bomb_is_flagged_and_never_parsed(parsed):
    """Issue 11: a 7 MB cell of a million lines cost the grader 34 s of CPU and 2.5 GB."""
    import time

    bomb = "x = [1]\n" * 1_000_000 + "import nnlib\n"
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell(bomb, grade_id="numerical_gradient", solution=True), _cell("import socket")]
    start = time.process_time()
    flags = scan_notebook(nb)
    assert time.process_time() - start < 10  # generous: a parse took ~34 s of CPU
    assert len(bomb) > 8_000_000 and max(parsed) < scan.MAX_CELL_CHARS  # never parsed
    (too_long, network) = flags
    assert (too_long.kind, too_long.cell, too_long.code) == (
        "too-long",
        "numerical_gradient",
        "x = [1]",
    )
    assert "1,000,001 lines" in too_long.message and "review it by hand" in too_long.message
    assert (network.kind, network.cell) == ("network", "cell 1")  # the next cell is scanned


def test_a_cell_at_the_line_limit_is_scanned_and_one_more_line_is_not(parsed):
    at_limit = "x = 1\n" * (scan.MAX_CELL_LINES - 1) + "import socket"
    assert [f.kind for f in scan_source(at_limit)] == ["network"]
    assert [f.kind for f in scan_source("x = 1\n" + at_limit)] == ["too-long"]
    assert parsed == [len(at_limit)]
    over = "x = '" + "a" * scan.MAX_CELL_CHARS + "'"
    assert [f.kind for f in scan_source(over)] == ["too-long"] and parsed == [len(at_limit)]


def test_the_notebook_budget_bounds_what_is_parsed(parsed, monkeypatch):
    monkeypatch.setattr(scan, "MAX_NOTEBOOK_CHARS", 100)
    nb = nbformat.v4.new_notebook()
    sixty = "import socket\n" + "x = 1\n" * 7 + "y=1\n"  # 60 characters
    nb.cells = [_cell(sixty), _cell(sixty), _cell("import os\nos.getcwd()")]
    flags = scan_notebook(nb)
    assert [(f.cell, f.kind) for f in flags] == [
        ("cell 0", "network"),
        ("cell 1", "too-long"),  # 60 more would pass the 100 characters of the budget
        ("cell 2", "environment"),  # 21 characters still fit
    ]
    assert "scan budget of 100 characters is spent" in flags[1].message
    assert parsed == [60, 21] and sum(parsed) <= 100
