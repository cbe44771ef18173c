"""The grading engine's bookkeeping: what a result's grader fingerprint covers, and the
grader's own peak memory that `make bench` prints for the adversarial batch.

The grading itself (rebuild, scan, judge) is tested end to end in
``test_autograder_workflow.py`` and ``test_autograder_adversarial.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import engine
from autograder.results import StudentResult

REPO = Path(__file__).resolve().parents[1]
A = "a1_gradients"

# ------------------------------------------------------------------------ fingerprint

#: Run in a copy of the checkout: the fingerprint before and after appending a comment to
#: each named file (a notebook gets a blank line: it must stay JSON; a draft a syntax
#: error), each edit undone.
_DRIVER = """
import json, sys
from pathlib import Path
import autograder, nnlib
from autograder import engine

root = Path(sys.argv[1])
fingerprint = lambda: engine.grader_fingerprint(root / "autograder", "a1_gradients")
out = {"imported": [autograder.__file__, nnlib.__file__], "before": fingerprint()}
for rel in sys.argv[2:]:
    path = root / rel
    old = path.read_bytes() if path.exists() else None
    edit = b"\\n" if rel.endswith(".ipynb") else b"\\n# an edit\\n"
    edit = b"def draft(:\\n" if rel.endswith("draft.py") else edit  # does not even parse
    path.write_bytes((old or b"") + edit)
    out[rel] = fingerprint()
    path.unlink() if old is None else path.write_bytes(old)
out["after"] = fingerprint()
print(json.dumps(out))
"""

#: Edits that change no grade of assignment 1, and edits that may.
UNRELATED = (
    "autograder/specs/examples.py",
    "autograder/specs/a2.py",  # a new assignment's specs
    "autograder/specs/draft.py",  # a draft nobody registers, broken
    "autograder/mutants/a1.py",
    "autograder/cli.py",
    "autograder/feedback.py",
    "nnlib/plotting.py",
)
GRADING = (
    "autograder/specs/a1.py",
    "autograder/source/a1_gradients/a1_gradients.ipynb",
    "autograder/checks.py",
    "autograder/judge.py",
    "autograder/wire.py",
    "autograder/kernel.py",
    "autograder/sandbox.py",
    "autograder/rebuild.py",
    "autograder/engine.py",
    "nnlib/activations.py",  # a reference
    "nnlib/_checks.py",  # imported by the references
)


def test_the_fingerprint_covers_what_grades_the_assignment_and_nothing_else(tmp_path):
    ignore = shutil.ignore_patterns("__pycache__", "release", "submitted", "autograded")
    for package in ("autograder", "nnlib"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=ignore)
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(tmp_path), *UNRELATED, *GRADING],
        cwd=tmp_path,  # first on sys.path: the copies are imported, not the checkout
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert all(Path(f).is_relative_to(tmp_path) for f in out["imported"]), out["imported"]
    before = out["before"]
    assert out["after"] == before, "undoing every edit gives the fingerprint back"
    assert {rel: out[rel] == before for rel in UNRELATED} == dict.fromkeys(UNRELATED, True)
    assert {rel: out[rel] != before for rel in GRADING} == dict.fromkeys(GRADING, True)
    assert len({out[rel] for rel in GRADING}) == len(GRADING)


def test_the_grading_modules_of_assignment_1():
    names = dict(engine.grading_modules(frozenset({"autograder.specs.a1"})))
    assert {"autograder.engine", "autograder.judge", "autograder.wire", "autograder.checks"} <= (
        set(names)
    )
    assert {"autograder.specs.a1", "nnlib.activations", "nnlib.losses"} <= set(names)
    assert not {"autograder.specs.examples", "autograder.cli", "autograder.feedback"} & set(names)
    assert not any(name.startswith("autograder.mutants") for name in names)
    assert all(path.is_file() for path in names.values())


def test_a_spec_no_module_defines_counts_every_spec_module():
    from autograder import specs

    every = {f"autograder.specs.{name}" for name in ("a1", "examples")}
    assert engine._spec_modules({"a1.sigmoid_grad"}) == {"autograder.specs.a1"}
    assert engine._spec_modules({"a1.sigmoid_grad", "zz.unknown"}) >= every
    assert "zz.unknown" not in specs.SPECS


# ------------------------------------------------------------------------ peak memory

BIG_MB = 300


def _grade_allocating(course, assignment, student, *, seed, limits):
    """A stand-in for `grade_submission`: "big" holds BIG_MB of touched memory a moment."""
    if student == "big":
        block = np.ones(BIG_MB * 2**20 // 8)  # written, so resident
        time.sleep(0.1)
        del block
    now = time.time()
    return StudentResult(student, assignment, "0" * 64, seed, now, now)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_batch_records_the_graders_peak_memory_per_student(tmp_path, monkeypatch, jobs):
    """`make bench` prints this figure for the adversarial batch: it must be measured, not
    assumed. Workers are forked, so they grade with the stand-in too."""
    monkeypatch.setattr(engine, "grade_submission", _grade_allocating)
    shutil.copy(REPO / "autograder" / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    memory = engine.GraderMemory()
    summary = engine.grade_batch(
        tmp_path, A, ["big", "small"], tmp_path / "results", jobs=jobs, progress=False,
        memory=memory,
    )  # fmt: skip
    assert set(summary) == {"big", "small"}
    assert set(memory.by_student) == {"big", "small"}
    assert memory.by_student["big"] >= BIG_MB, memory
    assert memory.heaviest == "big" and memory.peak_mb >= BIG_MB
    if Path("/proc/self/clear_refs").exists():  # the peak restarts with each job
        assert memory.by_student["small"] < memory.by_student["big"] - BIG_MB / 2, memory
    assert memory.parent_mb > 0
    if jobs == 1:  # graded in this process: its peak covers the allocation
        assert memory.parent_mb >= memory.by_student["small"]


def test_peak_mb_follows_an_allocation():
    engine._reset_peak()
    low = engine.peak_mb()
    block = np.ones(100 * 2**20 // 8)
    high = engine.peak_mb()
    del block
    assert high >= low + 90, (low, high)


@pytest.mark.parametrize("given", [None, "2"])
def test_the_command_runs_single_threaded_blas_unless_told_otherwise(given):
    # one worker per core: BLAS threads on top oversubscribe the cores (a reference's small
    # matrix products took 4-5 times longer); the setting must precede numpy's import
    code = (
        "import os, runpy, sys\n"
        "sys.argv = ['autograder', '--help']\n"
        "try:\n    runpy.run_module('autograder', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    ).stdout.split()[-2:]
    assert out == [given or "1", "1"], out


def test_the_command_does_not_pay_for_jsonschema_s_iri_grammar():
    # rfc3987_syntax builds a Lark grammar at import (1.4-2 s of every command's start);
    # the command keeps it out, and nbformat still validates notebooks
    code = (
        "import runpy, sys\n"
        "sys.argv = ['autograder', '--help']\n"
        "try:\n    runpy.run_module('autograder', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "import nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "cell = {'cell_type': 'bogus', 'source': 'x', 'metadata': {}}\n"
        "bad = nbformat.from_dict({'cells': [cell], 'metadata': {}, 'nbformat': 4,\n"
        "                          'nbformat_minor': 5})\n"
        "try:\n    nbformat.validate(bad)\n    print('accepted')\n"
        "except nbformat.ValidationError:\n    print('refused')\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    ).stdout.split()
    assert out[-2:] == ["refused", "None"], out
