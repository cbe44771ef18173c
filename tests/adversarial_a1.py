"""The adversarial suite of assignment 1: a catalogue, not a test.

Every `Case` is one student's submission: the released notebook with answer cells
replaced (by grade id), optionally damaged by a `transform`, with the points each graded
question must earn and the flag kinds the static scan must report.
``tests/test_autograder_adversarial.py`` grades the whole catalogue in one batch.

Design
------
* ``base`` says what every answer cell holds before ``answers`` overrides some of them:
  ``"correct"`` (textbook solutions from `autograder.mutants.a1.CORRECT`), ``"reference"``
  (the instructor's own solution cells, which use the setup cell's helpers) or ``"blank"``
  (the release's stubs, which raise NotImplementedError).
* Sources may hold placeholders filled in when the notebook is built (`build`):
  ``@COURSE@`` the scratch course root, ``@REPO@`` this checkout (the course is, in
  effect, cloned from it), ``@ORIGIN@`` another copy of the course's source elsewhere on
  disk (outside every temporary folder), ``@PORT@`` a port the test listens on, ``@LOOT@``
  a world-writable scratch folder outside the course, ``@CASE@`` the case's name,
  ``@MARK@`` the process marker of this run (`MARK` and the test's pid, so that concurrent
  runs never count each other's processes). `scratch_course` makes all of them.
* An answer may be `RELEASED` (the released stub kept, over any base). Where an answer
  cell holds another question's function, or is copied, a question scores what the
  student's own Run All would leave defined: the last definition in notebook order, among
  the answer cells (a stub last raises NotImplementedError, a plain cell is not graded).
* Questions are all or nothing, so ``expected_points`` (test grade id -> points) follows
  from ``lose``: the answer cells (grade ids) whose question must score 0. With
  ``base="blank"`` every question is lost unless named in ``keep``.
* Resource abuse happens in ONE function (or cell); the others are correct, so each case
  also shows that failures are local. An abusive *function* ends by raising, so the judge
  calls it once. Abuse at a cell's top level makes the judge skip that cell when it
  restarts the kernel, so the function defined in it is lost: that question scores 0.
* Attacks that probe the sandbox use the points as their side channel: the function
  returns the correct answer only if the probe (reading the gradebook, connecting to the
  test's port, ...) worked, so a sandbox that lets it through costs the build.
* A case may be submitted as a zip with its own ``timestamp.txt`` (``zip_timestamp``), have
  files put beside its collected notebook (``extra_files``), and name the hint, message
  text or note text its grading must give. `UNREADABLE_ZIPS` are not graded: collect must
  skip and name them.
* ``dangerous`` cases (memory, processes, disk, output, network, detached processes) are
  bounded (8 GiB, 200 forks of 5 s, 2 GiB, 200 MB) but must only ever run confined.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
ASSIGNMENT = "a1_gradients"

#: answer cell grade id (= function) -> points of its test cell ``test_<function>``
POINTS: dict[str, float] = {
    "sigmoid_grad": 2,
    "tanh_grad": 2,
    "relu_grad": 2,
    "swish_grad": 2,
    "bce_logits_grad": 3,
    "softmax_ce_grad": 3,
    "dense_backward": 4,
    "mlp_backward": 6,
    "numerical_gradient": 4,
}
TOTAL = sum(POINTS.values())  # 28
WRITTEN = "written_logit_shift"  # 3 points, graded by hand: never in these numbers
WRITTEN_ANSWER = (
    "With the loss written on the logits, dL/dz = sigma(z) - y: the sigmoid's derivative "
    "cancels, so the gradient does not vanish when the sigmoid saturates."
)
#: In the command line (argv[0]) or /proc/<pid>/comm of every process the attacks leave.
MARK = "nnfpadv"
CLASSES = (
    "answers",
    "awkward-correct",
    "attack-checks",
    "attack-infrastructure",
    "resource-abuse",
    "structure",
)
#: The limits the suite grades under: `autograder.course.Limits` field -> (value, the flag of
#: ``python -m autograder autograde``). Small, so that abuse is cut short.
LIMITS: dict[str, tuple[float, str]] = {
    "cell_seconds": (3, "--cell-timeout"),
    "submission_seconds": (60, "--submission-timeout"),
    "memory_mb": (1024, "--memory-mb"),
    "processes": (64, "--processes"),
    "output_mb": (4, "--output-mb"),
    "disk_mb": (256, "--disk-mb"),
}
#: Flag kinds a legitimate correct solution must never get.
CHEATING_KINDS = frozenset({"monkeypatch", "reference-import", "introspection"})


@dataclass(frozen=True)
class Case:
    """One adversarial submission and what grading it must give."""

    name: str  # the student id
    klass: str
    what: str
    answers: Mapping[str, str] = field(default_factory=dict)
    base: str = "correct"
    transform: Callable[[NotebookNode], NotebookNode | str] | None = None
    lose: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()  # with base="blank": questions that still score
    expected_flags: frozenset[str] = frozenset()
    expected_notes: frozenset[str] = frozenset()  # rebuild report kinds
    plain_nbgrader: str = ""
    dangerous: bool = False
    #: the expectation holds only with the "namespaces" level of autograder.confine (no
    #: network, the course and the reference hidden, every process of the job killed)
    needs_namespaces: bool = False
    #: test grade id -> the hint id its failure must name
    expected_hints: Mapping[str, str] = field(default_factory=dict)
    #: test grade id -> text its message must contain
    expected_messages: Mapping[str, str] = field(default_factory=dict)
    #: rebuild report kind -> text one note of that kind must contain
    note_texts: Mapping[str, str] = field(default_factory=dict)
    #: sent as ``<name>.zip`` holding the notebook and a ``timestamp.txt`` of these bytes
    zip_timestamp: bytes | None = None
    #: extra files (name as bytes -> text) put beside the notebook once it is collected
    extra_files: Mapping[bytes, str] = field(default_factory=dict)

    def __post_init__(self):
        assert self.klass in CLASSES, self.klass
        assert self.base in ("correct", "reference", "blank"), self.base
        unknown = (set(self.answers) - set(POINTS) - {WRITTEN}) | (
            set(self.lose) | set(self.keep)
        ) - set(POINTS)
        assert not unknown, f"{self.name}: unknown grade ids {unknown}"

    @property
    def expected_points(self) -> dict[str, float]:
        """Test cell grade id -> points it must earn."""
        lost = set(POINTS) - set(self.keep) if self.base == "blank" else set(self.lose)
        return {f"test_{fn}": 0.0 if fn in lost else float(p) for fn, p in POINTS.items()}

    @property
    def expected_total(self) -> float:
        return sum(self.expected_points.values())


# ----------------------------------------------------------------------------- answers


def correct_answers() -> dict[str, str]:
    """Textbook solutions, one per question (autograder.mutants.a1.CORRECT)."""
    from autograder.mutants.a1 import CORRECT, source

    return {
        name.split(".", 1)[1]: source(fns[0], name.split(".", 1)[1])
        for name, fns in CORRECT.items()
    }


def _mutant(name: str, function: str) -> str:
    from autograder.mutants.a1 import MUTANTS, source

    (m,) = [m for m in MUTANTS if m.name == name]
    return source(m.fn, function)


def _variant(name: str, function: str) -> str:
    """Another correct solution from autograder.mutants.a1.CORRECT, by its name."""
    from autograder.mutants.a1 import CORRECT, source

    (fn,) = [f for fns in CORRECT.values() for f in fns if f.__name__ == name]
    return source(fn, function)


#: An answer that keeps the released cell as it is (the stub), over any `base`.
RELEASED = "@RELEASED@"


def _correct(function: str) -> str:
    return correct_answers()[function]


def _gid(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def reference_answers() -> dict[str, str]:
    """The instructor's solution cells, as a student who wrote exactly them would submit."""
    nb = nbformat.read(SOURCE, as_version=4)
    return {_gid(c): c.source for c in nb.cells if _gid(c) in POINTS}


def build(case: Case, released: NotebookNode, context: Mapping[str, str]) -> str:
    """The text of the case's .ipynb file, built from the release (``context`` fills
    the ``@NAME@`` placeholders)."""
    nb = copy.deepcopy(released)
    if case.base == "correct":
        answers = {**correct_answers(), WRITTEN: WRITTEN_ANSWER}
    elif case.base == "reference":
        answers = {**reference_answers(), WRITTEN: WRITTEN_ANSWER}
    else:
        answers = {}
    answers.update(case.answers)
    values = {"CASE": case.name, "MARK": MARK, **context}
    for cell in nb.cells:
        gid = _gid(cell)
        if gid in answers and answers[gid] != RELEASED:
            text = answers[gid]
            for key, value in values.items():
                text = text.replace(f"@{key}@", str(value))
            cell.source = text
    out = case.transform(nb) if case.transform else nb
    return out if isinstance(out, str) else nbformat.writes(out)


# ------------------------------------------------------------------------ transforms


def _cells(nb, gid):
    return [i for i, c in enumerate(nb.cells) if _gid(c) == gid]


def _delete(*gids):
    def transform(nb):
        nb.cells = [c for c in nb.cells if _gid(c) not in gids]
        return nb

    return transform


def _duplicate_stub_first(gid):
    """As Jupyter's "duplicate cell": the stub is kept above, the answer in the copy."""

    def transform(nb):
        (i,) = _cells(nb, gid)
        stub = copy.deepcopy(release_of(gid))
        stub.id = f"stub-{nb.cells[i].id}"
        nb.cells.insert(i, stub)
        return nb

    return transform


def release_of(gid):
    from autograder.rebuild import student_version

    (cell,) = [c for c in student_version(SOURCE).cells if _gid(c) == gid]
    return cell


def _split(gid, marker):
    """As JupyterLab's "split cell": both halves keep the cell's metadata (grade id)."""

    def transform(nb):
        (i,) = _cells(nb, gid)
        cell = nb.cells[i]
        head, tail = cell.source.split(marker, 1)
        second = copy.deepcopy(cell)
        second.id = f"split-{cell.id}"
        cell.source, second.source = head, marker + tail
        nb.cells.insert(i + 1, second)
        return nb

    return transform


def _retype(gid, kind="markdown"):
    def transform(nb):
        (i,) = _cells(nb, gid)
        old = nb.cells[i]
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_raw_cell
        new = make(old.source, metadata=copy.deepcopy(old.metadata))
        new.id = old.id
        nb.cells[i] = new
        return nb

    return transform


def _edit_locked(nb):
    for cell in nb.cells:
        gid = _gid(cell) or ""
        if gid == "setup":
            cell.source = (
                "import numpy as np\n\nnp.allclose = lambda *a, **k: True\n\n"
                "def sigmoid(z):\n    return np.zeros_like(z)\n"
            )
        elif gid.startswith("test_"):
            cell.source = "pass  # tests removed by the student"
    return nb


def _reverse(nb):
    nb.cells = nb.cells[::-1]
    return nb


def _corrupt_json(nb):
    text = nbformat.writes(nb)
    return text[: len(text) // 2]  # truncated mid-file: not JSON


def _old_nbformat(nb):
    return json.dumps(nbformat.convert(nb, 3))


def _prefilled_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [
                nbformat.v4.new_output(
                    "stream", name="stdout", text="a1 (seed 0): passed 9 of 9 random cases.\n"
                )
            ]
    return nb


def _extra_cells(nb):
    bomb = nbformat.v4.new_code_cell("import os\n\nos._exit(1)\n")
    wrong = nbformat.v4.new_code_cell(
        "def sigmoid_grad(z):\n    return z  # redefined after the answer\n"
    )
    nb.cells.insert(2, bomb)
    nb.cells.append(wrong)
    return nb


def _json_escaped(nb):
    """The file as JSON with every non-ASCII character escaped (a lone surrogate included)."""
    return json.dumps(nb, indent=1)


def _append(gid, text):
    def transform(nb):
        (i,) = _cells(nb, gid)
        nb.cells[i].source += text
        return nb

    return transform


# --------------------------------------------------------------------------- sources

CORRECT_VARIANTS = {
    "swish_grad": _variant("swish_grad_via_output", "swish_grad"),
    "numerical_gradient": _variant("numerical_gradient_copy", "numerical_gradient"),
}

HARD_CODED_VISIBLE = {
    # returns the worked examples' answers (all the visible tests checked before issue 12)
    "sigmoid_grad": "def sigmoid_grad(z):\n"
    "    z = np.asarray(z, dtype=np.float64)\n"
    "    if z.shape == (1, 2):\n"
    "        return np.array([[0.25, 0.1875]])\n"
    "    return np.full(z.shape, 0.25)\n",
    "tanh_grad": "def tanh_grad(z):\n"
    "    z = np.asarray(z, dtype=np.float64)\n"
    "    if z.shape == (1, 2):\n"
    "        return np.array([[1.0, 0.64]])\n"
    "    return np.ones(z.shape)\n",
    "relu_grad": "def relu_grad(z):\n"
    "    z = np.asarray(z, dtype=np.float64)\n"
    "    if z.shape == (1, 3):\n"
    "        return np.array([[0.0, 0.0, 1.0]])\n"
    "    return np.ones(z.shape)\n",
    "swish_grad": _mutant("swish_grad_hard_coded", "swish_grad"),
    "bce_logits_grad": _mutant("bce_logits_grad_hard_coded", "bce_logits_grad"),
    "softmax_ce_grad": _mutant("softmax_ce_grad_hard_coded", "softmax_ce_grad"),
    "dense_backward": _mutant("dense_backward_hard_coded", "dense_backward"),
    "mlp_backward": _mutant("mlp_backward_hard_coded", "mlp_backward"),
    "numerical_gradient": _mutant("numerical_gradient_hard_coded", "numerical_gradient"),
}

FINITE_DIFFERENCE = {
    fn: _mutant(f"{fn}_finite_difference", fn)
    for fn in ("sigmoid_grad", "tanh_grad", "relu_grad", "swish_grad")
}

HARD_CODED_SHAPES = {
    "softmax_ce_grad": "def softmax_ce_grad(logits, y):\n"
    "    n = logits.shape[1]  # right only when N == C\n"
    "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
    "    p = e / e.sum(axis=1, keepdims=True)\n"
    "    p[np.arange(n), y] -= 1.0\n"
    "    return p / n\n",
    "dense_backward": "def dense_backward(dZ, cache):\n"
    "    X, W = cache\n"
    "    return dZ @ W.T, X.T @ dZ, dZ[0].copy()  # db right for a batch of one only\n",
    "mlp_backward": _mutant("mlp_backward_missing_1_over_n", "mlp_backward"),  # N = 1 only
}

GLOBALS_FROM_ANSWER_CELL = {
    "sigmoid_grad": "def _logistic(z):\n"
    "    return 1.0 / (1.0 + np.exp(-z))\n\n\n"
    "SCALE = 1.0\n\n\n"
    "def sigmoid_grad(z):\n"
    "    s = _logistic(z)\n"
    "    return SCALE * s * (1.0 - s)\n",
    "swish_grad": "def swish_grad(z, beta=1.0):\n"
    "    s = _logistic(beta * z)  # defined in the sigmoid_grad cell\n"
    "    return s + beta * z * s * (1.0 - s)\n",
    "tanh_grad": "def tanh_grad(z):\n"
    "    return 1.0 - np.tanh(z) ** 2 * ONE  # ONE is defined in a later answer cell\n",
    "relu_grad": "ONE = 1.0\n\n\ndef relu_grad(z):\n    return (z > 0).astype(np.float64)\n",
}

GLOBALS_FROM_TEST_CELL = {
    # `check` exists only once a test cell has imported it; tests never run here
    "relu_grad": "def relu_grad(z):\n    return (z > 0).astype(np.float64) * callable(check)\n",
    "bce_logits_grad": "def bce_logits_grad(z, y):\n"
    "    a = 1.0 / (1.0 + np.exp(-z))\n"
    "    return (a - y) / z.shape[0] + 0.0 * len(check.__name__)\n",
}

MUTATED_INPUTS = {
    "numerical_gradient": _mutant("numerical_gradient_x_not_restored", "numerical_gradient"),
    # right values, but the input is overwritten: only numerical_gradient's x is watched
    "relu_grad": "def relu_grad(z):\n    z[...] = (z > 0).astype(np.float64)\n    return z\n",
    "mlp_backward": _correct("mlp_backward").replace("def mlp_backward(", "def _mlp_grads(", 1)
    + "\n\ndef mlp_backward(X, y, params):\n"
    "    grads = _mlp_grads(X, y, params)\n"
    "    for key in params:  # a gradient step, in place, after computing the gradients\n"
    "        params[key] -= 0.1 * grads[key]\n"
    "    X *= 0.0\n"
    "    return grads\n",
}

WRONG_TYPES = {
    "tanh_grad": "def tanh_grad(z):\n    return (1.0 - np.tanh(z) ** 2).tolist()\n",
    "sigmoid_grad": "def sigmoid_grad(z):\n"
    "    s = 1.0 / (1.0 + np.exp(-z))\n"
    "    return (s * (1.0 - s)).astype(np.float32)\n",
    "swish_grad": "def swish_grad(z, beta=1.0):\n"
    "    s = 1.0 / (1.0 + np.exp(-beta * z))\n"
    "    return np.array(np.sum(s + beta * z * s * (1.0 - s)))  # 0-d\n",
    "bce_logits_grad": "def bce_logits_grad(z, y):\n"
    "    a = 1.0 / (1.0 + np.exp(-z))\n"
    "    return ((a - y) / z.shape[0]).ravel()  # (n,) where (n, 1) is expected\n",
}

NAN_INF_EMPTY = {
    "sigmoid_grad": "def sigmoid_grad(z):\n    return np.full(np.shape(z), np.nan)\n",
    "tanh_grad": "def tanh_grad(z):\n"
    "    t = 1.0 - np.tanh(z) ** 2\n"
    "    t[..., 0] = np.inf\n"
    "    return t\n",
    "relu_grad": "def relu_grad(z):\n    return np.empty((0,))\n",
    "softmax_ce_grad": _mutant("softmax_ce_grad_unstable", "softmax_ce_grad"),
}

NOISY = {
    "setup_noise": None,
    "sigmoid_grad": "import sys\nimport warnings\n\n\n"
    "def sigmoid_grad(z):\n"
    "    print('sigmoid_grad called with', np.shape(z), z)\n"
    "    warnings.warn('sigmoid_grad: this is only a warning', UserWarning)\n"
    "    sys.stderr.write('debug: computing s * (1 - s)\\n')\n"
    "    s = 1.0 / (1.0 + np.exp(-z))\n"
    "    return s * (1.0 - s)\n\n\n"
    "for i in range(4000):\n"
    "    print(f'line {i}: ' + '=' * 60)\n"
    "np.exp(np.float64(1000.0))  # RuntimeWarning: overflow\n"
    "warnings.warn('deprecated style', DeprecationWarning)\n",
    "tanh_grad": "def tanh_grad(z):\n"
    "    with np.errstate(all='warn'):\n"
    "        _ = np.exp(np.full(3, 1000.0))  # overflow warning on every call\n"
    "    print(np.array2string(np.asarray(z), threshold=10**6))\n"
    "    return 1.0 - np.tanh(z) ** 2\n",
}
del NOISY["setup_noise"]

SLOW = {
    "numerical_gradient": "import time\n\n\n"
    + _correct("numerical_gradient").replace(
        "    grad = np.zeros_like(x)\n", "    grad = np.zeros_like(x)\n    time.sleep(0.3)\n", 1
    ),
    "mlp_backward": "import time\n\ntime.sleep(1.5)  # a slow cell, well within the limit\n\n\n"
    + _correct("mlp_backward"),
    "sigmoid_grad": "import math\n\n\n"
    "def sigmoid_grad(z):\n"
    "    z = np.asarray(z, dtype=np.float64)\n"
    "    out = np.empty_like(z)\n"
    "    for i in np.ndindex(z.shape):  # one element at a time, in pure Python\n"
    "        s = 1.0 / (1.0 + math.exp(-z[i]))\n"
    "        out[i] = s * (1.0 - s)\n"
    "    return out\n",
}

GLOBAL_RANDOM = {
    "sigmoid_grad": "np.random.seed(0)\n\n\n"
    "def sigmoid_grad(z):\n"
    "    order = np.random.permutation(np.size(z))  # any order gives the same result\n"
    "    flat = np.asarray(z, dtype=np.float64).ravel()\n"
    "    out = np.empty_like(flat)\n"
    "    s = 1.0 / (1.0 + np.exp(-flat[order]))\n"
    "    out[order] = s * (1.0 - s)\n"
    "    return out.reshape(np.shape(z))\n",
    "numerical_gradient": "def numerical_gradient(f, x, h=1e-6):\n"
    "    grad = np.zeros_like(x)\n"
    "    indices = list(np.ndindex(x.shape))\n"
    "    for k in np.random.permutation(len(indices)):\n"
    "        i = indices[k]\n"
    "        old = x[i]\n"
    "        x[i] = old + h\n"
    "        fp = f(x)\n"
    "        x[i] = old - h\n"
    "        fm = f(x)\n"
    "        x[i] = old\n"
    "        grad[i] = (fp - fm) / (2 * h)\n"
    "    np.random.rand(3)  # and more draws from the global generator\n"
    "    return grad\n",
    "mlp_backward": "rng_state = np.random.get_state()\n\n\n" + _correct("mlp_backward"),
}

# -- attacks on the checks

MONKEYPATCH_NUMPY = {
    "sigmoid_grad": "import numpy\n\n"
    "np.allclose = lambda *args, **kwargs: True\n"
    "np.array_equal = lambda *args, **kwargs: True\n"
    "numpy.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)\n"
    "np.testing.assert_allclose = lambda *args, **kwargs: None\n"
    "setattr(np.testing, 'assert_array_equal', lambda *args, **kwargs: None)\n\n\n"
    "def sigmoid_grad(z):\n"
    "    return np.zeros_like(z)\n",
}

MONKEYPATCH_BUILTINS = {
    "tanh_grad": "import builtins\n\n"
    "builtins.all = lambda *args, **kwargs: True\n"
    "builtins.AssertionError = type('NeverRaised', (Exception,), {})\n\n\n"
    "def tanh_grad(z):\n"
    "    return np.ones_like(z)\n",
}

SUBCLASS_AND_DUNDERS = {
    "relu_grad": "class AlwaysEqual(np.ndarray):\n"
    "    def __eq__(self, other):\n"
    "        return np.ones(self.shape, dtype=bool)\n\n"
    "    __ne__ = lambda self, other: np.zeros(self.shape, dtype=bool)\n\n"
    "    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):\n"
    "        return True\n\n\n"
    "def relu_grad(z):\n"
    "    return np.zeros(np.shape(z)).view(AlwaysEqual)\n",
    "swish_grad": "class Anything:\n"
    "    __array_priority__ = 10**6\n\n"
    "    def __init__(self, shape):\n"
    "        self.shape, self.dtype = shape, np.dtype(np.float64)\n\n"
    "    def __eq__(self, other):\n"
    "        return True\n\n"
    "    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):\n"
    "        return True\n\n"
    "    def __array__(self, dtype=None, copy=None):\n"
    "        return np.zeros(self.shape)\n\n"
    "    def __float__(self):\n"
    "        return 0.0\n\n"
    "    def __len__(self):\n"
    "        return self.shape[0] if self.shape else 0\n\n\n"
    "def swish_grad(z, beta=1.0):\n"
    "    return Anything(np.shape(z))\n",
    "bce_logits_grad": "class Zero(float):\n"
    "    def __eq__(self, other):\n"
    "        return True\n\n"
    "    __hash__ = float.__hash__\n\n"
    "    def __float__(self):\n"
    "        return 0.0\n\n\n"
    "def bce_logits_grad(z, y):\n"
    "    return Zero(0.0)\n",
}

INTROSPECTION = {
    # IPython history: the judge never sends test cells, and history is off
    "sigmoid_grad": "def sigmoid_grad(z):\n"
    "    seen = []\n"
    "    for name in ('In', '_ih', '_i', '_ii'):\n"
    "        value = globals().get(name)\n"
    "        seen += value if isinstance(value, list) else [str(value)]\n"
    "    try:\n"
    "        hm = get_ipython().history_manager\n"
    "        seen += [src for _, _, src in hm.get_range(raw=True)]\n"
    "        seen += [src for _, _, src in hm.get_tail(50, raw=True)]\n"
    "    except Exception:\n"
    "        pass\n"
    "    for src in reversed(seen):\n"
    "        if 'assert_check' in src or 'expected' in src:\n"
    "            return np.full(np.shape(z), 0.25)  # whatever the tests seemed to want\n"
    "    return np.full(np.shape(z), 0.25)\n",
    # frames of the caller: the kernel holds inputs only
    "tanh_grad": "import inspect\nimport sys\n\n\n"
    "def tanh_grad(z):\n"
    "    frame = sys._getframe(1)\n"
    "    while frame is not None:\n"
    "        for key in ('expected', 'want', 'ref', 'reference', 'answer'):\n"
    "            value = frame.f_locals.get(key)\n"
    "            if isinstance(value, np.ndarray) and value.shape == np.shape(z):\n"
    "                return value.copy()\n"
    "        frame = frame.f_back\n"
    "    for info in inspect.stack():\n"
    "        for value in list(info.frame.f_locals.values()):\n"
    "            if isinstance(value, np.ndarray) and value is not z:\n"
    "                if value.shape == np.shape(z):\n"
    "                    return value.copy()\n"
    "    return np.zeros(np.shape(z))\n",
    # every object of the kernel
    "relu_grad": "import gc\n\n\n"
    "def relu_grad(z):\n"
    "    for obj in gc.get_objects():\n"
    "        if isinstance(obj, dict) and isinstance(obj.get('expected'), np.ndarray):\n"
    "            if obj['expected'].shape == np.shape(z):\n"
    "                return obj['expected'].copy()\n"
    "    return np.zeros(np.shape(z))\n",
}

READ_NOTEBOOK_FILES = {
    # look for the instructor's solution on disk; exec it if found
    "swish_grad": "import glob\n\n\n"
    "def _find_solution(function):\n"
    "    patterns = ['*.ipynb', '../*.ipynb', '@COURSE@/*/*/*.ipynb', '@COURSE@/*/*/*/*.ipynb',\n"
    "                '@REPO@/autograder/source/*/*.ipynb']\n"
    "    for pattern in patterns:\n"
    "        for path in glob.glob(pattern):\n"
    "            try:\n"
    "                with open(path) as fh:\n"
    "                    cells = json.load(fh)['cells']\n"
    "            except Exception:\n"
    "                continue\n"
    "            for cell in cells:\n"
    "                src = ''.join(cell.get('source', ''))\n"
    "                if f'def {function}(' in src and 'BEGIN SOLUTION' in src:\n"
    "                    return src\n"
    "    return None\n\n\n"
    "import json\n\n"
    "def swish_grad(z, beta=1.0):\n"
    "    src = _find_solution('swish_grad')\n"
    "    if src is None:\n"
    "        return np.zeros(np.shape(z))\n"
    "    scope = dict(globals())\n"
    "    exec(src, scope)\n"
    "    return scope['swish_grad'](z, beta)\n",
}

SWALLOW_FAILURES = {
    "dense_backward": "import sys\n\n"
    "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)\n"
    "sys.excepthook = lambda *args: None\n\n\n"
    "def dense_backward(dZ, cache):\n"
    "    raise AssertionError('swallowed, one hopes')\n",
}

MODE_DETECTION = {
    # honest only when it cannot tell it is being graded: must keep its 2 points
    "relu_grad": "import os\n\n\n"
    "def _graded():\n"
    "    env = os.environ\n"
    "    if any(k.startswith(('NBGRADER', 'AUTOGRADER', 'JPY_', 'NNFP')) for k in env):\n"
    "        return True\n"
    "    if any('@COURSE@' in v or 'autograded' in v for v in env.values()):\n"
    "        return True\n"
    "    cwd = os.getcwd()\n"
    "    return any(s in cwd for s in ('@COURSE@', 'autograded', 'submitted', 'nbgrader'))\n\n\n"
    "def relu_grad(z):\n"
    "    if _graded():\n"
    "        return np.array([[0.0, 0.0, 1.0]])  # the worked example's answer\n"
    "    return (z > 0).astype(np.float64)\n",
}

# -- attacks on the infrastructure

IMPORT_REFERENCE = {
    "tanh_grad": "from nnlib.activations import tanh_grad as _reference\n\n\n"
    "def tanh_grad(z):\n"
    "    return _reference(z)\n",
    "sigmoid_grad": "def sigmoid_grad(z):\n"
    "    import autograder.specs.a1 as specs\n\n"
    "    return specs.SIGMOID_GRAD.reference(z)\n",
}

IMPORT_REFERENCE_BYPASS = {
    # undo the import block, then import or exec nnlib from its files
    "relu_grad": "import importlib.util\nimport sys\n\n\n"
    "def _reference(module, name):\n"
    "    for finder in list(sys.meta_path):\n"
    "        if 'Block' in type(finder).__name__:\n"
    "            sys.meta_path.remove(finder)\n"
    "    try:\n"
    "        import nnlib.activations\n\n"
    "        return getattr(nnlib.activations, name)\n"
    "    except Exception:\n"
    "        pass\n"
    "    for base in ['@REPO@', *sys.path]:\n"
    "        try:\n"
    "            path = f'{base}/nnlib/{module}.py'\n"
    "            spec = importlib.util.spec_from_file_location('_ref', path)\n"
    "            mod = importlib.util.module_from_spec(spec)\n"
    "            spec.loader.exec_module(mod)\n"
    "            return getattr(mod, name)\n"
    "        except Exception:\n"
    "            continue\n"
    "    raise ImportError('the reference is out of reach')\n\n\n"
    "def relu_grad(z):\n"
    "    return _reference('activations', 'relu_grad')(z)\n",
    "sigmoid_grad": "def sigmoid_grad(z):\n"
    "    path = '@REPO@' + '/nnlib/activations.py'\n"
    "    with open(path) as fh:\n"
    "        scope = {'__name__': 'nnlib.activations'}\n"
    "        exec(compile(fh.read(), path, 'exec'), scope)\n"
    "    return scope['sigmoid_grad'](z)\n",
}


def _probe(function: str, signature: str, probe: str, body: str) -> str:
    """A correct `function` that answers only if `probe` (a statement) did not raise."""
    return (
        "import glob\nimport os\n\n\n"
        f"def {function}({signature}):\n"
        + "".join(f"    {line}\n" for line in probe.strip().splitlines())
        + "".join(f"    {line}\n" for line in body.strip().splitlines())
    )


_SIG = "s = 1.0 / (1.0 + np.exp(-z))\nreturn s * (1.0 - s)"
_TANH = "return 1.0 - np.tanh(z) ** 2"
_RELU = "return (z > 0).astype(np.float64)"
_SWISH = "s = 1.0 / (1.0 + np.exp(-beta * z))\nreturn s + beta * z * s * (1.0 - s)"
_BCE = "return (1.0 / (1.0 + np.exp(-z)) - y) / z.shape[0]"
_NB = "@COURSE@/source/a1_gradients/a1_gradients.ipynb"

PROBE_FILES = {
    "sigmoid_grad": _probe(
        "sigmoid_grad",
        "z",
        "with open('@COURSE@/gradebook.db', 'rb') as fh:\n"
        "    assert fh.read(15) == b'SQLite format 3'",
        _SIG,
    ),
    "tanh_grad": _probe(
        "tanh_grad", "z", "open('@COURSE@/gradebook.db', 'ab').close()  # writable?", _TANH
    ),
    "relu_grad": _probe(
        "relu_grad",
        "z",
        f"with open('{_NB}') as fh:\n    assert 'BEGIN SOLUTION' in fh.read()",
        _RELU,
    ),
    "swish_grad": _probe("swish_grad", "z, beta=1.0", f"open('{_NB}', 'ab').close()", _SWISH),
    "bce_logits_grad": _probe(
        "bce_logits_grad",
        "z, y",
        "with open('@REPO@/nnlib/losses.py') as fh:\n    assert 'def ' in fh.read()",
        _BCE,
    ),
    "softmax_ce_grad": _probe(
        "softmax_ce_grad",
        "logits, y",
        "folder = '@COURSE@/submitted/@CASE@/a1_gradients'\n"
        "assert os.path.isdir(folder)  # the real one, not a fresh private copy\n"
        "with open(folder + '/probe-@CASE@.txt', 'w') as fh:\n"
        "    fh.write('written')",
        _correct("softmax_ce_grad").split(":\n", 1)[1].replace("\n    ", "\n").strip(),
    ),
    "dense_backward": _probe(
        "dense_backward",
        "dZ, cache",
        "assert os.path.isfile('@COURSE@/nbgrader_config.py')\n"
        "with open('@COURSE@/probe-@CASE@.txt', 'w') as fh:\n"
        "    fh.write('written')",
        "X, W = cache\nreturn dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)",
    ),
    "mlp_backward": "def _probe():\n"
    "    with open('@REPO@/autograder/specs/a1.py') as fh:\n"
    "        assert 'register' in fh.read()\n\n\n"
    + _correct("mlp_backward").replace(
        "    W1, b1, W2, b2 =", "    _probe()\n    W1, b1, W2, b2 =", 1
    ),
    "numerical_gradient": "import glob\n\n\n"
    "def _others():\n"
    "    read = 0\n"
    "    for path in glob.glob('@COURSE@/submitted/*/a1_gradients/*.ipynb'):\n"
    "        if '/@CASE@/' not in path:\n"
    "            with open(path) as fh:\n"
    "                read += len(fh.read()) > 0\n"
    "    assert read, 'no other submission readable'\n\n\n"
    + _correct("numerical_gradient").replace(
        "    grad = np.zeros_like(x)\n", "    _others()\n    grad = np.zeros_like(x)\n", 1
    ),
}

DETACHED = {
    # double fork + setsid; the grandchildren outlive the kernel unless the job kills them
    "mlp_backward": "import ctypes\nimport json\nimport os\nimport sqlite3\nimport time\n\n\n"
    "def _name(tag):\n"
    "    try:\n"
    "        ctypes.CDLL(None).prctl(15, f'@MARK@-{tag}'.encode(), 0, 0, 0)\n"
    "    except Exception:\n"
    "        pass\n\n\n"
    "def _later():\n"
    "    _name('late')\n"
    "    full = {'W1': 6, 'b1': 6, 'W2': 6, 'b2': 6}\n"
    "    for n in range(5):\n"
    "        time.sleep(2)\n"
    "        try:\n"
    "            with open(f'@LOOT@/@CASE@-late-{n}', 'w') as fh:\n"
    "                fh.write(repr(time.time()))\n"
    "        except Exception:\n"
    "            pass\n"
    "        try:\n"
    "            path = '@COURSE@/results/a1_gradients/@CASE@.json'\n"
    "            with open(path) as fh:\n"
    "                data = json.load(fh)\n"
    "            for q in data['questions']:\n"
    "                q['points_earned'], q['passed'] = q['points_possible'], True\n"
    "            with open(path, 'w') as fh:\n"
    "                json.dump(data, fh)\n"
    "        except Exception:\n"
    "            pass\n"
    "        try:\n"
    "            db = sqlite3.connect('@COURSE@/gradebook.db', timeout=1)\n"
    "            db.execute('UPDATE grade SET manual_score = 99')\n"
    "            db.commit()\n"
    "            db.close()\n"
    "        except Exception:\n"
    "            pass\n"
    "    os.execv('/bin/sleep', ['@MARK@-@CASE@-late', '1234.5'])\n\n\n"
    "def _detach(action):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        try:\n"
    "            os.setsid()\n"
    "            if os.fork() == 0:\n"
    "                action()\n"
    "        finally:\n"
    "            os._exit(0)\n"
    "    os.waitpid(pid, 0)\n\n\n"
    "def _sleeper():\n"
    "    os.execv('/bin/sleep', ['@MARK@-@CASE@-sleeper', '1234.5'])\n\n\n"
    "_detach(_sleeper)\n"
    "_detach(_later)\n\n\n"
    "def mlp_backward(X, y, params):\n"
    "    _detach(_sleeper)\n"
    "    raise NotImplementedError\n",
}

SHADOW_MODULES = {
    "swish_grad": "import importlib\n\n"
    "SHADOW = 'raise ImportError(\"shadowed by the student\")\\n'\n"
    "with open('numpy.py', 'w') as fh:\n"
    "    fh.write(SHADOW)\n"
    "with open('nnlib.py', 'w') as fh:\n"
    "    fh.write(SHADOW)\n"
    "with open('json.py', 'w') as fh:\n"
    "    fh.write(SHADOW)\n"
    "importlib.invalidate_caches()\n\n\n"
    "def swish_grad(z, beta=1.0):\n"
    "    s = 1.0 / (1.0 + np.exp(-beta * z))\n"
    "    return s + beta * z * s * (1.0 - s)\n",
    # kills the kernel, so it is restarted in the same working directory
    "dense_backward": "import os\n\n\ndef dense_backward(dZ, cache):\n    os._exit(1)\n",
}

NETWORK_PIP = {
    "softmax_ce_grad": "import socket\n\n\n"
    "def softmax_ce_grad(logits, y):\n"
    "    with socket.create_connection(('127.0.0.1', @PORT@), timeout=1):\n"
    "        pass  # the test listens there: reaching it means the kernel has the network\n"
    "    n = logits.shape[0]\n"
    "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
    "    p = e / e.sum(axis=1, keepdims=True)\n"
    "    p[np.arange(n), y] -= 1.0\n"
    "    return p / n\n",
    "numerical_gradient": "import subprocess\nimport sys\n\n\n"
    "def _pip():\n"
    "    done = subprocess.run(\n"
    "        [sys.executable, '-m', 'pip', 'install', '--no-deps', '--no-cache-dir',\n"
    "         '--retries', '0', '--timeout', '1', '--target', 'pip-target', 'six'],\n"
    "        capture_output=True, timeout=2.5)\n"
    "    assert done.returncode == 0, 'pip failed'\n\n\n"
    + _correct("numerical_gradient").replace(
        "    grad = np.zeros_like(x)\n", "    _pip()\n    grad = np.zeros_like(x)\n", 1
    ),
}

# -- resource abuse: one function each, the rest correct


def _abuse(function: str, signature: str, body: str, prelude: str = "") -> dict[str, str]:
    code = prelude + f"def {function}({signature}):\n"
    code += "".join(f"    {line}\n" if line else "\n" for line in body.strip("\n").splitlines())
    return {function: code}


RESOURCE = {
    "infinite_loop": _abuse("relu_grad", "z", "while True:\n    pass"),
    "swallow_interrupt": _abuse(
        "tanh_grad",
        "z",
        "while True:\n    try:\n        time.sleep(0.1)\n    except BaseException:\n        pass",
        "import time\n\n\n",
    ),
    "memory_bomb": _abuse(
        "mlp_backward",
        "X, y, params",
        "chunks = []\n"
        "for _ in range(32):  # at most 32 x 256 MiB = 8 GiB, touched\n"
        "    chunks.append(np.ones(256 * 2**20 // 8))\n"
        "raise RuntimeError('allocated 8 GiB: no memory limit')",
    ),
    "fork_bomb": _abuse(
        "swish_grad",
        "z, beta=1.0",
        "libc = ctypes.CDLL(None)\n"
        "for _ in range(200):  # at most 200 children, each gone after 5 s\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            libc.prctl(15, b'@MARK@-fork', 0, 0, 0)\n"
        "            time.sleep(5)\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "raise RuntimeError('forked')",
        "import ctypes\nimport os\nimport time\n\n\n",
    ),
    "disk_filler": _abuse(
        "numerical_gradient",
        "f, x, h=1e-6",
        "block = b'\\0' * 64 * 2**20\n"
        "try:\n"
        "    with open('fill.bin', 'wb') as fh:\n"
        "        for _ in range(32):  # at most 2 GiB\n"
        "            fh.write(block)\n"
        "            fh.flush()\n"
        "finally:\n"
        "    os.remove('fill.bin')\n"
        "raise RuntimeError('wrote 2 GiB: no disk limit')",
        "import os\n\n\n",
    ),
    "huge_stdout": _abuse(
        "bce_logits_grad",
        "z, y",
        "line = 'x' * (2**20 - 1)\n"
        "for _ in range(200):  # at most 200 MB\n"
        "    print(line, flush=True)\n"
        "raise RuntimeError('printed 200 MB')",
    ),
    "os_exit": _abuse("dense_backward", "dZ, cache", "os._exit(1)", "import os\n\n\n"),
    "sigkill_self": _abuse(
        "bce_logits_grad",
        "z, y",
        "os.kill(os.getpid(), signal.SIGKILL)",
        "import os\nimport signal\n\n\n",
    ),
    "sys_exit": _abuse("softmax_ce_grad", "logits, y", "sys.exit(3)", "import sys\n\n\n"),
    "segfault": _abuse("sigmoid_grad", "z", "ctypes.string_at(0)", "import ctypes\n\n\n"),
    "recursion_bomb": _abuse(
        "mlp_backward",
        "X, y, params",
        "sys.setrecursionlimit(10**7)\n\n"
        "def deeper(n):\n"
        "    return deeper(n + 1) + 1\n\n"
        "return deeper(0)",
        "import sys\n\n\n",
    ),
}

SLEEP_EVERY_CELL = {
    fn: "import time\n\ntime.sleep(2.2)  # just under the 3 s cell limit of the suite\n\n\n"
    + _correct(fn)
    for fn in POINTS
}

CELL_LOOP = {
    "numerical_gradient": _correct("numerical_gradient")
    + "\n\nwhile True:  # at top level\n    pass\n"
}
CELL_EXIT = {"bce_logits_grad": _correct("bce_logits_grad") + "\n\nimport os\n\nos._exit(1)\n"}


# ----------------------------------------------------------------------------- catalogue

_CENTRAL = _correct("numerical_gradient").replace(
    "def numerical_gradient(", "def _central_difference(", 1
)

EQUIVALENT_CONTAINERS = {
    "ordered_dict_mlp": {"mlp_backward": _variant("mlp_backward_ordered_dict", "mlp_backward")},
    "mapping_mlp": {
        "mlp_backward": _variant("mlp_backward_ordered_dict", "mlp_backward_ordered")
        + "\n\nfrom collections.abc import Mapping\n\n\n"
        "class Grads(Mapping):  # a read-only mapping, not a dict\n"
        "    def __init__(self, **parts):\n"
        "        self._parts = parts\n\n"
        "    def __getitem__(self, key):\n"
        "        return self._parts[key]\n\n"
        "    def __iter__(self):\n"
        "        return iter(self._parts)\n\n"
        "    def __len__(self):\n"
        "        return len(self._parts)\n\n\n"
        "def mlp_backward(X, y, params):\n"
        "    return Grads(**mlp_backward_ordered(X, y, params))\n"
    },
    "namedtuple_dense": {"dense_backward": _variant("dense_backward_namedtuple", "dense_backward")},
    "in_place_ng": {
        "numerical_gradient": _variant("numerical_gradient_in_place", "numerical_gradient")
    },
}

KINKS_AND_CONTAINERS = {
    "relu_one_at_zero": {"relu_grad": "def relu_grad(z):\n    return np.where(z >= 0, 1.0, 0.0)\n"},
    "relu_heaviside_half": {"relu_grad": "def relu_grad(z):\n    return np.heaviside(z, 0.5)\n"},
    "mlp_relu_one_at_zero": {
        "mlp_backward": _mutant("mlp_backward_relu_one_at_zero", "mlp_backward")
    },
    "zeroes_x": {
        "numerical_gradient": _CENTRAL + "\n\ndef numerical_gradient(f, x, h=1e-5):\n"
        "    grad = _central_difference(f, x, h)\n"
        "    x[...] = 0.0  # zeroed after computing\n"
        "    return grad\n"
    },
    "list_for_tuple": {
        "dense_backward": "def dense_backward(dZ, cache):\n"
        "    X, W = cache\n"
        "    return [dZ @ W.T, X.T @ dZ, np.sum(dZ, axis=0)]\n"
    },
    "ordered_dict_extra_key": {
        "mlp_backward": _variant("mlp_backward_ordered_dict", "_mlp_grads")
        + "\n\ndef mlp_backward(X, y, params):\n"
        "    grads = _mlp_grads(X, y, params)\n"
        "    grads['W3'] = np.zeros(1)  # a key no parameter has\n"
        "    return grads\n"
    },
}

PROCESS_HELPER = {
    "sigmoid_grad": "import multiprocessing as mp\nimport time\n\n\n"
    "def _sigmoid_grad(z):\n"
    "    s = 1.0 / (1.0 + np.exp(-z))\n"
    "    return s * (1.0 - s)\n\n\n"
    "def _serve(q, z):\n"
    "    q.put(_sigmoid_grad(z))\n"
    "    time.sleep(3600)  # a helper that lives on until it is stopped\n\n\n"
    "def sigmoid_grad(z):\n"
    "    q = mp.Queue()\n"
    "    helper = mp.Process(target=_serve, args=(q, z))\n"
    "    helper.start()\n"
    "    out = q.get(timeout=5)\n"
    "    helper.terminate()\n"
    "    helper.join()\n"
    "    return out\n",
    "tanh_grad": "import multiprocessing as mp\n\n\n"
    "def _tanh_grad(z):\n"
    "    return 1.0 - np.tanh(z) ** 2\n\n\n"
    "def tanh_grad(z):\n"
    "    with mp.Pool(2) as pool:\n"
    "        parts = pool.map(_tanh_grad, np.array_split(np.asarray(z).ravel(), 2))\n"
    "    return np.concatenate(parts).reshape(np.shape(z))\n",
}

POOL_TOO_LARGE = {
    "tanh_grad": PROCESS_HELPER["tanh_grad"].replace("mp.Pool(2)", "mp.Pool(100)"),
}

_SURROGATES = "'\\udc80 \\ud800'"  # a Python literal of two lone surrogates
SURROGATE_PRINTED = {
    "relu_grad": "print(" + _SURROGATES + ")\n\n\n" + _correct("relu_grad"),
}
SURROGATE_CELL_ERROR = {
    "tanh_grad": _correct("tanh_grad") + "\n\nraise ValueError(" + _SURROGATES + ")\n",
}
SURROGATE_CALL_ERROR = {
    "tanh_grad": "def tanh_grad(z):\n    raise ValueError('\\udc80\\ud800' * 10**6)\n",
}
LONG_CELL_ERROR = {
    "relu_grad": _correct("relu_grad") + "\n\nraise ValueError('x' * 2_000_000)\n",
}
HUGE_CELL_ERROR = {
    "relu_grad": _correct("relu_grad") + "\n\nraise ValueError('x' * 100_000_000)\n",
}
IOPUB_GARBAGE = {
    "sigmoid_grad": _correct("sigmoid_grad")
    + "\n\nget_ipython().kernel.iopub_socket.send_multipart([b'garbage', b'x'])\n",
}

# -- issue 11, round 2: definitions where Run All would find them

#: The order of the answer cells: sigmoid, tanh, relu, swish, bce, softmax, dense, mlp,
#: numerical. Under Run All the last definition of a name wins, whichever answer cell
#: holds it (a released stub too: it raises NotImplementedError when called).
RUN_ALL = {
    # dense_backward and mlp_backward written in the softmax_ce_grad cell, their own cells
    # deleted: defined, so they score
    "def_in_other_cell": {
        "softmax_ce_grad": "\n\n".join(
            _correct(fn) for fn in ("softmax_ce_grad", "dense_backward", "mlp_backward")
        )
    },
    # sigmoid_grad's cell left as released; the answer is in the later tanh_grad cell
    "def_in_later_cell": {
        "sigmoid_grad": RELEASED,
        "tanh_grad": _correct("tanh_grad") + "\n\n" + _correct("sigmoid_grad"),
    },
    # tanh_grad written in the earlier sigmoid_grad cell, its own (later) cell left as
    # released: the stub is the last definition, as in the student's own Run All
    "def_before_own_stub": {
        "sigmoid_grad": _correct("sigmoid_grad") + "\n\n" + _correct("tanh_grad"),
        "tanh_grad": RELEASED,
    },
}


def _copy_cell(gid: str, text: str, *, below: str | None = None, above: bool = False):
    """As Jupyter's copy and paste: a copy of the answer cell `gid` (its metadata, grade id
    included; a new cell id) holding `text`, pasted above that cell, or below cell `below`
    (default: right below it)."""

    def transform(nb):
        (i,) = _cells(nb, gid)
        pasted = copy.deepcopy(nb.cells[i])
        pasted.id = f"copy-{pasted.id}"[:64]
        pasted.source = text
        if above:
            nb.cells.insert(i, pasted)
        else:
            (j,) = _cells(nb, below or gid)
            nb.cells.insert(j + 1, pasted)
        return nb

    return transform


def _to_plain_cell(gid: str):
    """The answer cell `gid` becomes a plain code cell (no nbgrader metadata), text kept:
    a new cell the student typed the answer into, the answer cell deleted."""

    def transform(nb):
        (i,) = _cells(nb, gid)
        plain = nbformat.v4.new_code_cell(nb.cells[i].source)
        plain.id = f"plain-{nb.cells[i].id}"[:64]
        nb.cells[i] = plain
        return nb

    return transform


_SIGMOID_ITSELF = (
    "def sigmoid_grad(z):\n    return 1.0 / (1.0 + np.exp(-z))  # not the derivative\n"
)

# -- issue 11, round 2: the kernel-side judge helper and the grader's functions

#: numerical_gradient zeroes x after computing, then makes the kernel-side helper report
#: every watched argument as it was sent, so that x "comes back unchanged".
_ZEROES_X = (
    _CENTRAL + "\n\ndef numerical_gradient(f, x, h=1e-5):\n"
    "    grad = _central_difference(f, x, h)\n"
    "    x[...] = 0.0  # zeroed after computing\n"
    "    return grad\n\n\n"
    "def _as_sent(judge):\n"
    "    real = judge.answer\n\n"
    "    def answer(fn, request):\n"
    "        args, watch = request.get('args') or [], request.get('watch') or []\n"
    "        sent = {str(p): args[p].get('data') for p in watch\n"
    "                if args[p].get('kind') == 'array'}\n"
    "        reply = real(fn, request)\n"
    "        if sent and isinstance(reply, dict) and 'after' in reply:\n"
    "            reply['after'] = sent\n"
    "        return reply\n\n"
    "    judge.answer = answer\n"
)
JUDGE_IMPORT = {
    "numerical_gradient": _ZEROES_X + "\n\ntry:\n"
    "    import _judge\n"
    "except ImportError:\n"
    "    pass\n"
    "else:\n"
    "    _as_sent(_judge)\n"
}
JUDGE_FOUND = {
    # wherever the helper may be: the namespace, sys.modules, any module the gc tracks
    "numerical_gradient": _ZEROES_X + "\n\nimport gc\nimport sys\nimport types\n\n"
    "_found = [globals().get('_judge'), *sys.modules.values()]\n"
    "_found += [o for o in gc.get_objects() if isinstance(o, types.ModuleType)]\n"
    "for _m in _found:\n"
    "    if isinstance(_m, types.ModuleType) and callable(getattr(_m, 'answer', None)):\n"
    "        _as_sent(_m)\n"
}
CO_FILENAME = {
    # correct, unless a grader path reaches the kernel in the function it is given
    "numerical_gradient": "def _grader_path(f):\n"
    "    codes = [getattr(f, '__code__', None)]\n"
    "    while codes:\n"
    "        code = codes.pop()\n"
    "        if code is None:\n"
    "            continue\n"
    "        if '/' in code.co_filename or '\\\\' in code.co_filename:\n"
    "            return True\n"
    "        codes += [c for c in code.co_consts if hasattr(c, 'co_filename')]\n"
    "    return False\n\n\n"
    + _correct("numerical_gradient").replace(
        "    grad = np.zeros_like(x)\n",
        "    if _grader_path(f):\n        return np.zeros_like(x)  # a leak costs 4 points\n"
        "    grad = np.zeros_like(x)\n",
        1,
    ),
}


def _copy_solution(function: str, signature: str, path: str) -> str:
    """`function` taken from the instructor's source notebook at `path` (a hard-coded
    path outside the course: the checkout it was cloned from, another copy), else zeros."""
    return (
        "import json\n\n\n"
        f"def {function}({signature}):\n"
        "    try:\n"
        f"        with open('{path}') as fh:\n"
        "            cells = json.load(fh)['cells']\n"
        "    except Exception:\n"
        "        return np.zeros(1)  # not readable: nothing to copy\n"
        "    for cell in cells:\n"
        "        src = ''.join(cell['source'])\n"
        f"        if 'def {function}(' in src and 'BEGIN SOLUTION' in src:\n"
        "            scope = dict(globals())\n"
        "            exec(src, scope)\n"
        f"            return scope['{function}']({signature.split('=')[0].replace(' ', '')})\n"
        "    return np.zeros(1)\n"
    )


ORIGIN_CHECKOUT = {
    "relu_grad": _copy_solution(
        "relu_grad", "z", "@REPO@/autograder/source/a1_gradients/a1_gradients.ipynb"
    ),
    "dense_backward": _copy_solution(
        "dense_backward", "dZ, cache", "@ORIGIN@/source/a1_gradients/a1_gradients.ipynb"
    ),
    "mlp_backward": _copy_solution(
        "mlp_backward", "X, y, params", "@ORIGIN@/release/../source/a1_gradients/a1_gradients.ipynb"
    ),
}

# -- issue 11, round 2: a CPU hog and floods cost at most their own questions


def _hog(function: str, signature: str) -> str:
    """`function` forks 6 busy children (each gone after 4 s) and spins itself until the
    call's limit: 7 processes on the batch's 2 cores, as long as it is allowed to run."""
    return _abuse(
        function,
        signature,
        "libc = ctypes.CDLL(None)\n"
        "for _ in range(6):\n"
        "    if os.fork() == 0:\n"
        "        try:\n"
        "            libc.prctl(15, b'@MARK@-hog', 0, 0, 0)\n"
        "            end = time.time() + 4\n"
        "            while time.time() < end:\n"
        "                pass\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "while True:\n"
        "    pass",
        "import ctypes\nimport os\nimport time\n\n\n",
    )[function]


CPU_HOG = {
    "relu_grad": _hog("relu_grad", "z"),
    "mlp_backward": _hog("mlp_backward", "X, y, params"),
}

FLOODS = {
    # 300 display messages of 1 MB, of the judge's reply type, under tokens never asked for
    "softmax_ce_grad": _abuse(
        "softmax_ce_grad",
        "logits, y",
        "publish = get_ipython().display_pub.publish\n"
        "text = 'x' * 2**20\n"
        "for _ in range(300):  # 300 MB\n"
        "    publish(data={'application/x-nnfp-judge+json': text},\n"
        "            metadata={'token': secrets.token_hex(8)})\n"
        "raise RuntimeError('sent 300 replies nobody asked for')",
        "import secrets\n\n\n",
    )["softmax_ce_grad"],
    # 16 input requests of 64 MB on the stdin channel, which the grader never reads
    "tanh_grad": _abuse(
        "tanh_grad",
        "z",
        "kernel = get_ipython().kernel\n"
        "ident = kernel._parent_ident['shell']\n"
        "parent = kernel.get_parent('shell')\n"
        "frame = b'x' * (64 * 2**20)\n"
        "for _ in range(16):  # 1 GiB\n"
        "    kernel.session.send(kernel.stdin_socket, 'input_request',\n"
        "                        {'prompt': '', 'password': False}, parent,\n"
        "                        ident=ident, buffers=[frame])\n"
        "raise RuntimeError('sent 1 GiB on stdin')",
    )["tanh_grad"],
    # one display message of 100 MB on IOPub
    "bce_logits_grad": _abuse(
        "bce_logits_grad",
        "z, y",
        "get_ipython().display_pub.publish(data={'text/plain': 'x' * 100_000_000})\n"
        "raise RuntimeError('sent 100 MB in one message')",
    )["bce_logits_grad"],
}

#: A notebook of a million lines (7 MB): the relu_grad cell holds no relu_grad, only lines
#: for the grader to read, parse and scan.
SCAN_BOMB = {"relu_grad": "x = 1\n" * 1_000_000}


#: Collection: a zip's own timestamp.txt is a claim (the arrival is the file's time)
FORGED_CLAIM = b"2000-01-01 00:00:00.000000 UTC"
BAD_CLAIM = b"\xff\xfe yesterday"
#: the arrival time given to every zip with os.utime: 2026-11-22 12:00:00 UTC
ARRIVAL = 1795348800.0


def _corrupt_zip(notebook: str) -> bytes:
    """A zip cut in half: no central directory."""
    data = _zip_bytes(notebook)
    return data[: len(data) // 2]


def _encrypted_zip(notebook: str) -> bytes:
    """A zip whose member says it is encrypted (flag bit 0 set by hand in both headers)."""
    data = bytearray(_zip_bytes(notebook))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + offset] |= 0x01
    return bytes(data)


def _zip_bytes(notebook: str, timestamp: bytes | None = None) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(SOURCE.name, notebook)
        if timestamp is not None:
            zf.writestr("timestamp.txt", timestamp)
    return out.getvalue()


#: Zips collect must skip and name (student id -> damage to a zip of the correct notebook);
#: no `submitted/` folder is made for them and every other case is collected as before.
UNREADABLE_ZIPS: dict[str, Callable[[str], bytes]] = {
    "corrupt": _corrupt_zip,
    "encrypted": _encrypted_zip,
}


def submission_file(case: Case, text: str) -> tuple[str, bytes]:
    """The file name and bytes the case is submitted as (``text``: its .ipynb)."""
    if case.zip_timestamp is None:
        return f"{case.name}.ipynb", text.encode()
    return f"{case.name}.zip", _zip_bytes(text, case.zip_timestamp)


CASES: list[Case] = [
    # -- correct and incorrect answers
    Case("correct", "answers", "textbook answers to every question", plain_nbgrader="28 (correct)"),
    Case(
        "correct_reference",
        "answers",
        "the instructor's own solution cells (they use the setup cell's helpers)",
        base="reference",
        plain_nbgrader="28 (correct)",
    ),
    Case(
        "correct_variants",
        "answers",
        "other correct formulations: swish via its output, numerical_gradient by copies",
        answers=CORRECT_VARIANTS,
        plain_nbgrader="28 (correct)",
    ),
    Case("blank", "answers", "the release as handed out", base="blank", plain_nbgrader="0"),
    Case(
        "hard_coded_visible",
        "answers",
        "every function returns the worked examples' answers (what the visible tests "
        "checked before issue 12)",
        answers=HARD_CODED_VISIBLE,
        lose=frozenset(POINTS),
        plain_nbgrader="0: the public tests' other cases fail it, and so do the hidden tests",
    ),
    Case(
        "finite_difference",
        "answers",
        "central differences instead of the four activation derivatives",
        answers=FINITE_DIFFERENCE,
        lose=frozenset(FINITE_DIFFERENCE),
        plain_nbgrader="full marks under np.allclose tests; 0 with the #4 specs",
    ),
    Case(
        "hard_coded_shapes",
        "answers",
        "right only for square logits (softmax) or a batch of one (dense db, MLP's 1/N)",
        answers=HARD_CODED_SHAPES,
        lose=frozenset(HARD_CODED_SHAPES),
        plain_nbgrader="0: the public tests have non-square logits and N >= 2 (issue 12)",
    ),
    Case(
        "globals_from_answer_cells",
        "answers",
        "functions use helpers and constants defined in other answer cells (notebook order)",
        answers=GLOBALS_FROM_ANSWER_CELL,
        plain_nbgrader="28 (the cells share a namespace)",
    ),
    Case(
        "globals_from_test_cells",
        "answers",
        "functions read `check`, imported only by the (never run) test cells",
        answers=GLOBALS_FROM_TEST_CELL,
        lose=frozenset(GLOBALS_FROM_TEST_CELL),
        plain_nbgrader="points if the public test ran first",
    ),
    Case(
        "mutated_inputs",
        "answers",
        "x left changed (numerical_gradient: 0); relu_grad and mlp_backward overwrite "
        "inputs after computing right values (unwatched: full)",
        answers=MUTATED_INPUTS,
        lose=frozenset({"numerical_gradient"}),
        plain_nbgrader="0 for x not restored; full for the others",
    ),
    Case(
        "wrong_types",
        "answers",
        "a list (tanh), float32 (sigmoid), a 0-d array (swish), (n,) for (n, 1) (bce)",
        answers=WRONG_TYPES,
        lose=frozenset(WRONG_TYPES),
        plain_nbgrader="0 for each (type/shape/dtype asserts)",
    ),
    Case(
        "nan_inf_empty",
        "answers",
        "NaN (sigmoid), inf (tanh), an empty array (relu), overflow to NaN (softmax)",
        answers=NAN_INF_EMPTY,
        lose=frozenset(NAN_INF_EMPTY),
        plain_nbgrader="0 for each",
    ),
    # -- correct but awkward: full credit
    Case(
        "noisy",
        "awkward-correct",
        "correct, printing 4000 lines, inputs, warnings and stderr on every call",
        answers=NOISY,
        plain_nbgrader="28 with our IgnorePattern; stderr prints fail stock nbgrader",
    ),
    Case(
        "slow",
        "awkward-correct",
        "correct, 1.5 s cell, 0.3 s per numerical_gradient call, a pure-Python loop",
        answers=SLOW,
        plain_nbgrader="28 (within the cell timeout)",
    ),
    Case(
        "global_random",
        "awkward-correct",
        "correct, seeding and drawing from the global np.random",
        answers=GLOBAL_RANDOM,
        plain_nbgrader="28",
    ),
    # -- attacks on the checks
    Case(
        "monkeypatch_numpy",
        "attack-checks",
        "np.allclose / array_equal / isclose / testing replaced; sigmoid_grad returns zeros",
        answers=MONKEYPATCH_NUMPY,
        lose=frozenset({"sigmoid_grad"}),
        expected_flags=frozenset({"monkeypatch"}),
        plain_nbgrader="full marks (comparisons always true)",
    ),
    Case(
        "monkeypatch_builtins",
        "attack-checks",
        "builtins.all and AssertionError replaced; tanh_grad returns ones",
        answers=MONKEYPATCH_BUILTINS,
        lose=frozenset({"tanh_grad"}),
        expected_flags=frozenset({"monkeypatch"}),
        plain_nbgrader="full marks where tests use all()",
    ),
    Case(
        "subclass_and_dunders",
        "attack-checks",
        "an ndarray subclass equal to anything (relu); objects overriding __eq__, "
        "__array_ufunc__, __array__, __float__ (swish, bce)",
        answers=SUBCLASS_AND_DUNDERS,
        lose=frozenset(SUBCLASS_AND_DUNDERS),
        plain_nbgrader="full marks under == / np.allclose tests",
    ),
    Case(
        "introspection",
        "attack-checks",
        "reads In/_ih/history (sigmoid), caller frames via sys._getframe and "
        "inspect.stack (tanh), gc.get_objects (relu), looking for expected values",
        answers=INTROSPECTION,
        lose=frozenset(INTROSPECTION),
        expected_flags=frozenset({"introspection"}),
        plain_nbgrader="full marks (hidden test source / expected values in the kernel)",
    ),
    Case(
        "read_notebook_files",
        "attack-checks",
        "globs the course and the repo for notebooks and execs the swish_grad solution",
        answers=READ_NOTEBOOK_FILES,
        lose=frozenset({"swish_grad"}),
        expected_flags=frozenset({"dynamic-code"}),
        plain_nbgrader="full marks (source notebook readable)",
        needs_namespaces=True,
    ),
    Case(
        "swallow_failures",
        "attack-checks",
        "set_custom_exc and sys.excepthook swallow every error; dense_backward raises",
        answers=SWALLOW_FAILURES,
        lose=frozenset({"dense_backward"}),
        expected_flags=frozenset({"introspection"}),
        plain_nbgrader="full marks (failed asserts swallowed)",
    ),
    Case(
        "mode_detection",
        "attack-checks",
        "relu_grad is honest only when it sees no grading hint in env or cwd: keeps 2 "
        "points only if nothing leaks",
        answers=MODE_DETECTION,
        expected_flags=frozenset({"environment"}),
        plain_nbgrader="detects NBGRADER_EXECUTION; cheats only when graded",
    ),
    # -- attacks on the infrastructure
    Case(
        "import_reference",
        "attack-infrastructure",
        "from nnlib.activations import tanh_grad; import autograder.specs.a1",
        answers=IMPORT_REFERENCE,
        lose=frozenset(IMPORT_REFERENCE),
        expected_flags=frozenset({"reference-import"}),
        plain_nbgrader="full marks (reference importable)",
    ),
    Case(
        "import_reference_bypass",
        "attack-infrastructure",
        "removes the import block from sys.meta_path, imports nnlib from its files, execs "
        "nnlib/activations.py",
        answers=IMPORT_REFERENCE_BYPASS,
        lose=frozenset(IMPORT_REFERENCE_BYPASS),
        expected_flags=frozenset({"reference-import", "dynamic-code", "file"}),
        plain_nbgrader="full marks",
        needs_namespaces=True,
    ),
    Case(
        "probe_files",
        "attack-infrastructure",
        "each function answers only if it can read or write the gradebook, the source "
        "notebook, results, the course root, the reference or other students' submissions",
        answers=PROBE_FILES,
        base="blank",
        expected_flags=frozenset({"file"}),
        plain_nbgrader="full marks (all readable and writable)",
        needs_namespaces=True,
    ),
    Case(
        "detached_processes",
        "attack-infrastructure",
        "double-forked, setsid processes: one sleeps, one rewrites the result file and the "
        "gradebook 2-10 s later; mlp_backward unanswered",
        answers=DETACHED,
        lose=frozenset({"mlp_backward"}),
        expected_flags=frozenset({"process"}),
        plain_nbgrader="score rewritten after grading",
        dangerous=True,
        needs_namespaces=True,
    ),
    Case(
        "shadow_modules",
        "attack-infrastructure",
        "writes numpy.py, nnlib.py, json.py into the working directory, then kills the "
        "kernel so it restarts there",
        answers=SHADOW_MODULES,
        lose=frozenset({"dense_backward"}),
        expected_flags=frozenset({"shadowing", "process"}),
        plain_nbgrader="no grades at all (kernel dies)",
    ),
    Case(
        "network_pip",
        "attack-infrastructure",
        "connects to a port the test listens on (softmax) and pip-installs (numerical): "
        "each answers only if that worked",
        answers=NETWORK_PIP,
        lose=frozenset(NETWORK_PIP),
        expected_flags=frozenset({"network", "process"}),
        plain_nbgrader="network and pip allowed",
        dangerous=True,
        needs_namespaces=True,
    ),
    # -- resource abuse: the abusive question scores 0, every other keeps its points
    Case(
        "infinite_loop",
        "resource-abuse",
        "relu_grad never returns",
        answers=RESOURCE["infinite_loop"],
        lose=frozenset({"relu_grad"}),
        plain_nbgrader="0 for that test after the timeout",
    ),
    Case(
        "swallow_interrupt",
        "resource-abuse",
        "tanh_grad loops, swallowing KeyboardInterrupt",
        answers=RESOURCE["swallow_interrupt"],
        lose=frozenset({"tanh_grad"}),
        plain_nbgrader="no grades at all",
    ),
    Case(
        "sleep_every_cell",
        "resource-abuse",
        "every answer cell sleeps 2.2 s, just under the cell limit; all answers correct",
        answers=SLEEP_EVERY_CELL,
        plain_nbgrader="28 (slow)",
    ),
    Case(
        "memory_bomb",
        "resource-abuse",
        "mlp_backward allocates up to 8 GiB",
        answers=RESOURCE["memory_bomb"],
        lose=frozenset({"mlp_backward"}),
        plain_nbgrader="grader host swaps or OOM-kills; no grades",
        dangerous=True,
    ),
    Case(
        "fork_bomb",
        "resource-abuse",
        "swish_grad forks up to 200 children that sleep 5 s",
        answers=RESOURCE["fork_bomb"],
        lose=frozenset({"swish_grad"}),
        expected_flags=frozenset({"process"}),
        plain_nbgrader="host process table at risk",
        dangerous=True,
    ),
    Case(
        "disk_filler",
        "resource-abuse",
        "numerical_gradient writes up to 2 GiB into its working directory",
        answers=RESOURCE["disk_filler"],
        lose=frozenset({"numerical_gradient"}),
        expected_flags=frozenset({"file"}),
        plain_nbgrader="fills the grader's disk",
        dangerous=True,
    ),
    Case(
        "huge_stdout",
        "resource-abuse",
        "bce_logits_grad prints up to 200 MB",
        answers=RESOURCE["huge_stdout"],
        lose=frozenset({"bce_logits_grad"}),
        plain_nbgrader="200 MB stored in the autograded notebook",
        dangerous=True,
    ),
    Case(
        "os_exit",
        "resource-abuse",
        "dense_backward calls os._exit(1)",
        answers=RESOURCE["os_exit"],
        lose=frozenset({"dense_backward"}),
        expected_flags=frozenset({"process"}),
        plain_nbgrader="no grades at all",
    ),
    Case(
        "sigkill_self",
        "resource-abuse",
        "bce_logits_grad sends SIGKILL to its own process",
        answers=RESOURCE["sigkill_self"],
        lose=frozenset({"bce_logits_grad"}),
        expected_flags=frozenset({"process"}),
        plain_nbgrader="no grades at all",
    ),
    Case(
        "sys_exit",
        "resource-abuse",
        "softmax_ce_grad calls sys.exit(3)",
        answers=RESOURCE["sys_exit"],
        lose=frozenset({"softmax_ce_grad"}),
        plain_nbgrader="0 for that test",
    ),
    Case(
        "segfault",
        "resource-abuse",
        "sigmoid_grad reads address 0 with ctypes",
        answers=RESOURCE["segfault"],
        lose=frozenset({"sigmoid_grad"}),
        expected_flags=frozenset({"introspection"}),  # ctypes reaches any object
        plain_nbgrader="no grades at all",
    ),
    Case(
        "recursion_bomb",
        "resource-abuse",
        "mlp_backward recurses without end under a recursion limit of 10**7",
        answers=RESOURCE["recursion_bomb"],
        lose=frozenset({"mlp_backward"}),
        plain_nbgrader="no grades at all (the kernel crashes)",
    ),
    Case(
        "cell_infinite_loop",
        "resource-abuse",
        "correct numerical_gradient, then an endless loop at the cell's top level (on "
        "restart only the cell's def/import statements run again, so the function is kept)",
        answers=CELL_LOOP,
        plain_nbgrader="0 for every test after the cell",
    ),
    Case(
        "cell_os_exit",
        "resource-abuse",
        "correct bce_logits_grad, then os._exit(1) at the cell's top level (its def is "
        "run again without the rest, so the function is kept)",
        answers=CELL_EXIT,
        expected_flags=frozenset({"process"}),
        plain_nbgrader="no grades at all",
    ),
    # -- damage to the notebook's structure
    Case(
        "deleted_cells",
        "structure",
        "relu_grad's answer cell, the setup cell and every test cell deleted",
        transform=_delete("relu_grad", "setup", *(f"test_{fn}" for fn in POINTS)),
        lose=frozenset({"relu_grad"}),
        expected_notes=frozenset({"missing"}),
        plain_nbgrader="missing cells: errors or 0",
    ),
    Case(
        "duplicated_cell",
        "structure",
        "tanh_grad's stub kept above a duplicate holding the answer",
        transform=_duplicate_stub_first("tanh_grad"),
        expected_notes=frozenset({"duplicate"}),
        plain_nbgrader="no grades at all (duplicate grade id)",
    ),
    Case(
        "split_cell",
        "structure",
        "mlp_backward's cell split in two (both halves keep the grade id); the def is in "
        "the second half, after a helper constant in the first",
        answers={"mlp_backward": "_HALF = 0.5\n\n# -- split here --\n" + _correct("mlp_backward")},
        transform=_split("mlp_backward", "# -- split here --"),
        expected_notes=frozenset({"duplicate"}),
        plain_nbgrader="no grades at all (duplicate grade id)",
    ),
    Case(
        "retyped_cell",
        "structure",
        "swish_grad's answer turned into a markdown cell",
        transform=_retype("swish_grad"),
        lose=frozenset({"swish_grad"}),
        expected_notes=frozenset({"retyped"}),
        plain_nbgrader="0 for that test, or an error",
    ),
    Case(
        "edited_locked",
        "structure",
        "setup cell rewritten (np.allclose always true, sigmoid = 0), every test cell "
        "replaced by `pass`; sigmoid_grad wrong",
        answers={"sigmoid_grad": "def sigmoid_grad(z):\n    return sigmoid(z) * 0.0\n"},
        transform=_edit_locked,
        lose=frozenset({"sigmoid_grad"}),
        expected_notes=frozenset({"edited_locked"}),
        plain_nbgrader="locked cells restored by checksum; 26",
    ),
    Case(
        "reordered",
        "structure",
        "every cell in reverse order",
        transform=_reverse,
        expected_notes=frozenset({"reordered"}),
        plain_nbgrader="0 on most tests (run in the student's order)",
    ),
    Case(
        "corrupt_json",
        "structure",
        "the file is cut in half: not JSON",
        transform=_corrupt_json,
        lose=frozenset(POINTS),
        expected_notes=frozenset({"corrupt"}),
        plain_nbgrader="no grades at all",
    ),
    Case(
        "old_nbformat",
        "structure",
        "correct answers saved as nbformat 3",
        transform=_old_nbformat,
        expected_notes=frozenset({"upgraded"}),
        plain_nbgrader="28",
    ),
    Case(
        "prefilled_outputs",
        "structure",
        "outputs claiming every test passed; sigmoid_grad wrong",
        answers={"sigmoid_grad": _mutant("sigmoid_grad_at_output", "sigmoid_grad")},
        transform=_prefilled_outputs,
        lose=frozenset({"sigmoid_grad"}),
        expected_notes=frozenset({"outputs_cleared"}),
        plain_nbgrader="outputs replaced on execution; 26",
    ),
    Case(
        "extra_cells",
        "structure",
        "an extra cell calling os._exit(1) and one redefining sigmoid_grad wrongly",
        transform=_extra_cells,
        expected_notes=frozenset({"extra_cells"}),
        plain_nbgrader="no grades at all (the extra cell kills the kernel)",
    ),
    # -- issue 11, round 2: equal values in an equivalent container are correct
    *(
        Case(
            name,
            "awkward-correct",
            f"correct, {what}",
            answers=EQUIVALENT_CONTAINERS[name],
            plain_nbgrader="28",
        )
        for name, what in (
            ("ordered_dict_mlp", "mlp_backward returns an OrderedDict"),
            ("mapping_mlp", "mlp_backward returns a read-only Mapping that is not a dict"),
            ("namedtuple_dense", "dense_backward returns a namedtuple"),
            ("in_place_ng", "numerical_gradient perturbs x in place (+h, -2h, +h)"),
        )
    ),
    # -- issue 11: kinks the assignment states, and containers that are not equivalent
    Case(
        "relu_one_at_zero",
        "answers",
        "relu_grad is 1 at z = 0: np.where(z >= 0, 1.0, 0.0)",
        answers=KINKS_AND_CONTAINERS["relu_one_at_zero"],
        lose=frozenset({"relu_grad"}),
        expected_hints={"test_relu_grad": "relu-kink"},
        plain_nbgrader="0 (the public test checks z = 0)",
    ),
    Case(
        "relu_heaviside_half",
        "answers",
        "relu_grad is 0.5 at z = 0: np.heaviside(z, 0.5)",
        answers=KINKS_AND_CONTAINERS["relu_heaviside_half"],
        lose=frozenset({"relu_grad"}),
        expected_hints={"test_relu_grad": "relu-kink"},
        plain_nbgrader="0 (the public test checks z = 0)",
    ),
    Case(
        "mlp_relu_one_at_zero",
        "answers",
        "mlp_backward passes the gradient through ReLU where Z1 == 0",
        answers=KINKS_AND_CONTAINERS["mlp_relu_one_at_zero"],
        lose=frozenset({"mlp_backward"}),
        expected_hints={"test_mlp_backward": "relu-kink"},
        plain_nbgrader="0 (a public case has Z1 == 0 exactly, issue 12)",
    ),
    Case(
        "zeroes_x",
        "answers",
        "numerical_gradient right, then zeroes x",
        answers=KINKS_AND_CONTAINERS["zeroes_x"],
        lose=frozenset({"numerical_gradient"}),
        expected_hints={"test_numerical_gradient": "x-not-restored"},
        plain_nbgrader="0 for x not restored",
    ),
    Case(
        "list_for_tuple",
        "answers",
        "dense_backward returns a list where a tuple is asked for",
        answers=KINKS_AND_CONTAINERS["list_for_tuple"],
        lose=frozenset({"dense_backward"}),
        expected_hints={"test_dense_backward": "wrong-type"},
        plain_nbgrader="0 (type assert)",
    ),
    Case(
        "ordered_dict_extra_key",
        "answers",
        "mlp_backward returns an OrderedDict with an extra key W3",
        answers=KINKS_AND_CONTAINERS["ordered_dict_extra_key"],
        lose=frozenset({"mlp_backward"}),
        expected_hints={"test_mlp_backward": "wrong-type"},
        plain_nbgrader="0 (key set compared)",
    ),
    # -- issue 11: processes a correct answer may start
    Case(
        "process_helper",
        "awkward-correct",
        "sigmoid_grad computes in a helper process stopped by terminate(); tanh_grad "
        "through a Pool(2)",
        answers=PROCESS_HELPER,
        plain_nbgrader="28",
    ),
    Case(
        "pool_too_large",
        "answers",
        "tanh_grad through a Pool(100): over the sandbox's process limit",
        answers=POOL_TOO_LARGE,
        lose=frozenset({"tanh_grad"}),
        expected_messages={
            "test_tanh_grad": "the grader's sandbox allows at most 64 processes and threads"
        },
        plain_nbgrader="28 (no process limit)",
    ),
    # -- issue 11: text from the submission (lone surrogates, huge messages, garbage)
    Case(
        "surrogate-file-name",
        "structure",
        "an extra notebook whose file name is not UTF-8 beside the submission",
        extra_files={b"notes \xff.ipynb": "{}"},
        expected_notes=frozenset({"extra_notebooks"}),
        note_texts={"extra_notebooks": "notes \\udcff.ipynb"},
        plain_nbgrader="28",
    ),
    Case(
        "surrogate-in-source",
        "structure",
        "a lone surrogate (a JSON escape in the file) in the sigmoid_grad cell",
        transform=lambda nb: _json_escaped(_append("sigmoid_grad", "\n\nX = '\ud800'\n")(nb)),
        plain_nbgrader="28",
    ),
    Case(
        "surrogate-printed",
        "awkward-correct",
        "the relu_grad cell prints two lone surrogates",
        answers=SURROGATE_PRINTED,
        plain_nbgrader="28",
    ),
    Case(
        "surrogate-cell-error",
        "structure",
        "the tanh_grad cell raises an error whose message is two lone surrogates",
        answers=SURROGATE_CELL_ERROR,
        expected_notes=frozenset({"cell_error"}),
        plain_nbgrader="0 for every test after the cell",
    ),
    Case(
        "surrogate-call-error",
        "answers",
        "tanh_grad raises an error of 2 million lone surrogates",
        answers=SURROGATE_CALL_ERROR,
        lose=frozenset({"tanh_grad"}),
        expected_messages={"test_tanh_grad": "\\udc80"},
        plain_nbgrader="0 for that test",
    ),
    Case(
        "long-cell-error",
        "structure",
        "the relu_grad cell raises an error of 2 MB, which the grader reads and cuts",
        answers=LONG_CELL_ERROR,
        expected_notes=frozenset({"cell_error"}),
        plain_nbgrader="2 MB stored in the autograded notebook",
    ),
    Case(
        "huge-cell-error",
        "resource-abuse",
        "the relu_grad cell raises an error of 100 MB",
        answers=HUGE_CELL_ERROR,
        expected_notes=frozenset({"cell_error"}),
        plain_nbgrader="100 MB stored in the autograded notebook",
        dangerous=True,
    ),
    Case(
        "iopub-garbage",
        "attack-infrastructure",
        "the sigmoid_grad cell sends garbage on the kernel's IOPub channel",
        answers=IOPUB_GARBAGE,
        expected_flags=frozenset({"introspection"}),  # get_ipython(): the scan says so
        expected_notes=frozenset({"cell_error"}),
        note_texts={"cell_error": "a message the grader cannot read"},
        plain_nbgrader="no grades at all",
    ),
    # -- issue 11: collection (a zip's own timestamp.txt is only a claim)
    Case(
        "forged",
        "structure",
        "a zip of the reference notebook claiming a timestamp of 2000-01-01",
        base="reference",
        zip_timestamp=FORGED_CLAIM,
        plain_nbgrader="28, submitted in 2000 (no late penalty)",
    ),
    Case(
        "badstamp",
        "structure",
        "a zip whose timestamp.txt is not UTF-8 and not a time",
        zip_timestamp=BAD_CLAIM,
        plain_nbgrader="collect fails",
    ),
    # -- issue 11, round 2: a definition is found where Run All finds it
    Case(
        "def_in_other_cell",
        "structure",
        "dense_backward and mlp_backward written in the softmax_ce_grad cell; their own "
        "cells deleted",
        answers=RUN_ALL["def_in_other_cell"],
        transform=_delete("dense_backward", "mlp_backward"),
        plain_nbgrader="no grades for the deleted cells' tests (missing grade ids)",
    ),
    Case(
        "def_in_later_cell",
        "structure",
        "sigmoid_grad's cell left as released; sigmoid_grad written in the later tanh_grad cell",
        answers=RUN_ALL["def_in_later_cell"],
        plain_nbgrader="28 (Run All defines it last)",
    ),
    Case(
        "def_before_own_stub",
        "structure",
        "tanh_grad written in the earlier sigmoid_grad cell; its own later cell left as "
        "released, so Run All ends with the stub",
        answers=RUN_ALL["def_before_own_stub"],
        lose=frozenset({"tanh_grad"}),
        plain_nbgrader="0 for tanh_grad (the stub raises NotImplementedError)",
    ),
    Case(
        "def_in_plain_cell",
        "structure",
        "relu_grad's answer typed into a new cell without nbgrader metadata, its answer "
        "cell deleted: only answer cells are graded",
        transform=_to_plain_cell("relu_grad"),
        lose=frozenset({"relu_grad"}),
        expected_notes=frozenset({"missing", "extra_cells"}),
        plain_nbgrader="28 (the new cell runs)",
    ),
    Case(
        "copy_moved_below",
        "structure",
        "sigmoid_grad's cell copied below relu_grad's (left as released) and edited into "
        "relu_grad's answer",
        answers={"relu_grad": RELEASED},
        transform=_copy_cell("sigmoid_grad", _correct("relu_grad"), below="relu_grad"),
        plain_nbgrader="no grades at all (duplicate grade id)",
    ),
    Case(
        "copy_edited_above",
        "structure",
        "sigmoid_grad's cell copied above itself and the copy edited into a wrong answer: "
        "the original, below, is the last definition",
        transform=_copy_cell("sigmoid_grad", _SIGMOID_ITSELF, above=True),
        plain_nbgrader="no grades at all (duplicate grade id)",
    ),
    Case(
        "copy_edited_below",
        "structure",
        "sigmoid_grad's cell copied below itself and the copy edited into a wrong answer: "
        "the copy is the last definition",
        transform=_copy_cell("sigmoid_grad", _SIGMOID_ITSELF),
        lose=frozenset({"sigmoid_grad"}),
        plain_nbgrader="no grades at all (duplicate grade id)",
    ),
    # -- issue 11, round 2: the judge's kernel-side helper and the functions it sends
    Case(
        "judge_import_wrap",
        "attack-checks",
        "numerical_gradient zeroes x, then `import _judge` and wraps its answer so that x "
        "is reported as sent",
        answers=JUDGE_IMPORT,
        lose=frozenset({"numerical_gradient"}),
        expected_flags=frozenset({"introspection"}),  # a name with "judge" in it
        plain_nbgrader="0 (x compared in the test)",
    ),
    Case(
        "judge_found_patch",
        "attack-checks",
        "numerical_gradient zeroes x, then looks for the helper in globals(), sys.modules "
        "and gc's modules and patches its answer so that x is reported as sent",
        answers=JUDGE_FOUND,
        lose=frozenset({"numerical_gradient"}),
        expected_flags=frozenset({"introspection"}),
        plain_nbgrader="0 (x compared in the test)",
    ),
    Case(
        "co_filename_probe",
        "attack-infrastructure",
        "numerical_gradient answers wrongly if the function it is given names a file path "
        "(f.__code__.co_filename, nested code too): a grader path would cost it 4 points",
        answers=CO_FILENAME,
        expected_flags=frozenset({"introspection"}),  # a function's __code__
        plain_nbgrader="28 (the test's f is the student's own)",
    ),
    Case(
        "origin_checkout",
        "attack-infrastructure",
        "relu_grad, dense_backward and mlp_backward copied from the instructor's notebook "
        "at hard-coded paths: the checkout the course came from, another copy of the "
        "course elsewhere on disk",
        answers=ORIGIN_CHECKOUT,
        lose=frozenset(ORIGIN_CHECKOUT),
        expected_flags=frozenset({"file", "dynamic-code"}),
        plain_nbgrader="full marks (both readable)",
        needs_namespaces=True,
    ),
    # -- issue 11, round 2: a hog, floods and a scan bomb cost at most their own questions
    Case(
        "cpu_hog",
        "resource-abuse",
        "relu_grad and mlp_backward each fork 6 busy children (4 s each) and spin until the "
        "call's limit: no other submission of the batch may lose a point",
        answers=CPU_HOG,
        lose=frozenset(CPU_HOG),
        expected_flags=frozenset({"process"}),
        plain_nbgrader="neighbours' cells time out under wall-clock limits",
        dangerous=True,
    ),
    Case(
        "unasked_replies",
        "resource-abuse",
        "softmax_ce_grad publishes 300 replies of 1 MB under tokens nobody asked for",
        answers={"softmax_ce_grad": FLOODS["softmax_ce_grad"]},
        lose=frozenset({"softmax_ce_grad"}),
        expected_flags=frozenset({"introspection"}),  # get_ipython()
        plain_nbgrader="300 MB of outputs in the notebook",
        dangerous=True,
    ),
    Case(
        "stdin_flood",
        "resource-abuse",
        "tanh_grad sends 16 input requests of 64 MB on the stdin channel",
        answers={"tanh_grad": FLOODS["tanh_grad"]},
        lose=frozenset({"tanh_grad"}),
        expected_flags=frozenset({"introspection"}),  # get_ipython()
        plain_nbgrader="1 GiB held by the client",
        dangerous=True,
    ),
    Case(
        "huge_iopub",
        "resource-abuse",
        "bce_logits_grad sends one 100 MB display message on IOPub",
        answers={"bce_logits_grad": FLOODS["bce_logits_grad"]},
        lose=frozenset({"bce_logits_grad"}),
        expected_flags=frozenset({"introspection"}),  # get_ipython()
        plain_nbgrader="100 MB stored in the autograded notebook",
        dangerous=True,
    ),
    Case(
        "scan_bomb",
        "resource-abuse",
        "the relu_grad cell is a million lines of `x = 1` (a 7 MB notebook) and no relu_grad",
        answers=SCAN_BOMB,
        lose=frozenset({"relu_grad"}),
        plain_nbgrader="the cell runs; 0 for relu_grad",
        dangerous=True,
    ),
]


# ----------------------------------------------------------------------- the scratch course


def run_cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m autograder --course root ...`` from this checkout, with the scratch
    course's own SQLite gradebook."""
    env = {k: v for k, v in os.environ.items() if k != "NNFP_DB_URL"}
    return subprocess.run(
        [sys.executable, "-m", "autograder", "--course", str(root), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )


def _elsewhere() -> Path | None:
    """A folder for another copy of the course, outside every temporary folder (which the
    kernel gets as its own fresh tmpfs anyway): under ~/.cache, or beside this checkout."""
    temporary = {Path(p).resolve() for p in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm")}
    for parent in (Path.home() / ".cache", ROOT.parent):
        parent = parent.resolve()
        if any(parent.is_relative_to(t) for t in temporary):
            continue
        with contextlib.suppress(OSError):
            parent.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix="nnfp-adversarial-origin-", dir=parent))
    return None


@dataclass
class Scratch:
    """A released course with every case collected, ready for ``autograde``."""

    root: Path
    loot: Path
    origin: Path | None
    mark: str
    context: dict[str, str]
    collected: subprocess.CompletedProcess


@contextlib.contextmanager
def scratch_course(base: Path, cases: list[Case]) -> Iterator[Scratch]:
    """Release assignment 1 in ``base/course``, build every case and `UNREADABLE_ZIPS` into
    an inbox, collect it, and put each case's extra files beside its notebook; the port
    listens and the other copy of the course exists until the block ends."""
    from autograder import cli

    root, inbox, loot = base / "course", base / "inbox", base / "loot"
    (root / "source").mkdir(parents=True)
    inbox.mkdir()
    loot.mkdir()
    loot.chmod(0o1777)  # world-writable: a process that escapes the job could write here
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(SOURCE.parent, root / "source" / ASSIGNMENT)
    origin = _elsewhere()
    listener = socket.socket()
    try:
        if origin is not None:  # the instructor's source, solutions included, elsewhere
            shutil.copytree(root / "source", origin / "source")
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        mark = f"{MARK}{os.getpid() % 100000:05d}"  # at most 12 characters: comm keeps 15
        context = {
            "COURSE": str(root),
            "REPO": str(ROOT),
            "ORIGIN": str(origin or base / "no-origin"),
            "PORT": str(listener.getsockname()[1]),
            "LOOT": str(loot),
            "MARK": mark,
        }
        done = run_cli(root, "release", ASSIGNMENT)
        if done.returncode != 0:
            raise RuntimeError(f"release failed: {done.stdout}{done.stderr}")
        released = nbformat.read(root / "release" / ASSIGNMENT / SOURCE.name, as_version=4)
        for case in cases:
            name, data = submission_file(case, build(case, released, context))
            (inbox / name).write_bytes(data)
        correct = build(next(c for c in CASES if c.name == "correct"), released, context)
        for student, damage in UNREADABLE_ZIPS.items():
            (inbox / f"{student}.zip").write_bytes(damage(correct))
        for path in inbox.glob("*.zip"):
            os.utime(path, (ARRIVAL, ARRIVAL))  # the LMS download's arrival time
        collected = run_cli(root, "collect", str(inbox), ASSIGNMENT)
        for case in cases:  # beside the notebook once collected, as a student's folder has
            for raw, text in case.extra_files.items():
                folder = os.fsencode(cli.Course(root).submission(case.name, ASSIGNMENT))
                Path(os.fsdecode(os.path.join(folder, raw))).write_text(text)
        yield Scratch(root, loot, origin, mark, context, collected)
    finally:
        listener.close()
        if origin is not None:
            shutil.rmtree(origin, ignore_errors=True)


def limit_flags() -> list[str]:
    """`LIMITS` as command-line flags."""
    return [text for value, flag in LIMITS.values() for text in (flag, f"{value:g}")]


def limits():
    """`LIMITS` as an `autograder.course.Limits`."""
    from autograder.course import Limits

    return Limits(**{name: value for name, (value, _) in LIMITS.items()})
