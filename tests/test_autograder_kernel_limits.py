"""Time limits count the submission's own CPU time, so a neighbour's load costs it nothing.

Wall-clock limits let one submission's load fail another's (issue 11: a batch-mate who
hogged the CPU cost a correct submission 4 of 28 points). `autograder.kernel.KernelSession`
now counts the CPU time of the job's cgroup (`autograder.confine.Confinement.cpu_seconds`)
against ``Limits.cell_seconds`` and ``Limits.submission_seconds``, with a wall-clock backstop
of `autograder.kernel.WALL_FACTOR` times them for code that sleeps or blocks; the confinement gives
each job an equal share of the processors. Where the job has no cgroup (the "rlimits"
level) the limits are wall seconds, and these tests are skipped.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.course import Limits
from autograder.kernel import KernelLost, KernelSession

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"


@contextlib.contextmanager
def _session(limits: Limits, wall_factor: float = 3.0):
    """A started kernel with `wall_factor`, closed on leaving; the test is skipped where no
    cgroup counts the job's CPU time."""
    kernel = KernelSession(nbformat.v4.new_notebook(), limits)
    kernel.wall_factor = wall_factor
    with kernel:
        if kernel.cpu_used() is None:
            pytest.skip("no cgroup counts the job's CPU time here: the limits are wall seconds")
        yield kernel


def _lost(kernel: KernelSession, code: str) -> tuple[KernelLost, float, float | None]:
    """Run `code`, which must not finish: the KernelLost, the wall and CPU seconds it took
    (None where no cgroup counts CPU time)."""
    cpu0, wall0 = kernel.cpu_used(), time.monotonic()
    with pytest.raises(KernelLost) as lost:
        kernel.run(code)
    cpu = None if cpu0 is None else kernel.cpu_used() - cpu0
    return lost.value, time.monotonic() - wall0, cpu


def test_an_endless_loop_stops_after_its_cpu_seconds():
    with _session(Limits(cell_seconds=2), wall_factor=10) as kernel:
        lost, wall, cpu = _lost(kernel, "while True:\n    pass\n")
    assert lost.kind == "TimeoutError" and "no result within 2 s of CPU time" in str(lost)
    # the loop is stopped by the CPU limit (looked at every 50 ms), long before the 20 s
    # wall-clock backstop, however loaded the machine
    assert 2.0 <= cpu < 3.0, cpu
    assert wall < 20


def test_a_sleep_stops_at_the_wall_clock_backstop():
    with _session(Limits(cell_seconds=1), wall_factor=3) as kernel:
        lost, wall, cpu = _lost(kernel, "import time\ntime.sleep(3600)\n")
    assert lost.kind == "TimeoutError"
    assert "it waited 3 s of wall time, the limit for code that sleeps or blocks" in str(lost)
    assert 3.0 <= wall < 8 and cpu < 1.0


def test_a_submission_stops_after_its_cpu_seconds_across_restarts():
    with _session(Limits(cell_seconds=2, submission_seconds=3), wall_factor=10) as kernel:
        lost, _, _ = _lost(kernel, "while True:\n    pass\n")  # 2 s of the 3
        kernel.recover()
        second, _, _ = _lost(kernel, "while True:\n    pass\n")
    assert "2 s of CPU time" in str(lost)
    assert "used up its 3 s of CPU time" in str(second), second


def test_without_a_cgroup_the_limit_is_wall_seconds():
    # the "rlimits" level makes no cgroup: nothing counts the job's CPU time
    limits = Limits(cell_seconds=1)
    with KernelSession(nbformat.v4.new_notebook(), limits, level="rlimits") as kernel:
        assert kernel.cpu_used() is None
        lost, wall, _ = _lost(kernel, "import time\ntime.sleep(3600)\n")
    assert lost.kind == "TimeoutError" and "no result within 1 s of wall time" in str(lost)
    # 1 s, stretched while the machine is loaded up to the 3 s backstop
    assert 1.0 <= wall < 3.0 + 2.0


# ------------------------------------------------------------------ the neighbour test

HOG = """
import os
for _ in range(64):  # as many busy processes as the job may have
    try:
        if os.fork() == 0:
            while True:
                pass
    except OSError:
        break
while True:
    pass
"""

#: A correct sigmoid_grad that computes for 0.6 s of its own CPU time per call: within its
#: 1 s of CPU time, but over 1 s of wall time whenever the machine gives it under 60 %.
SLOW_CORRECT = """
import time

import numpy as np


def sigmoid_grad(z):
    start = time.process_time()
    while time.process_time() - start < 0.6:
        pass
    s = 1.0 / (1.0 + np.exp(-z))
    return s * (1.0 - s)
"""


def _notebook():
    from autograder.rebuild import rebuild, student_version

    nb = copy.deepcopy(student_version(SOURCE))
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_grad":
            cell.source = SLOW_CORRECT
    return rebuild(SOURCE, nb).notebook


def test_a_hog_next_door_costs_a_correct_answer_nothing():
    from autograder.judge import Judge

    # the same limits for both jobs: 1 CPU second per call, 16 processes
    limits = Limits(cell_seconds=1, submission_seconds=60, processes=16)
    with _session(limits, wall_factor=10) as hog:
        hogging, done = threading.Event(), threading.Event()

        def run_hog():
            try:
                hog.run(HOG)
            except KernelLost:  # its CPU second is used up in half a second: keep it spinning
                hogging.set()
                done.wait(60)

        thread = threading.Thread(target=run_hog)
        thread.start()
        try:
            assert hogging.wait(30), "the hog never used its CPU limit"
            hog_cpu0, wall0 = hog.cpu_used(), time.monotonic()
            judge = Judge(_notebook(), limits=limits)
            judge.kernel.wall_factor = 10  # as the hog's: the test is of the CPU limit
            with judge:
                cpu0, start = judge.kernel.cpu_used(), time.monotonic()
                result = judge.check("a1.sigmoid_grad", 20261122)
                cpu, wall = judge.kernel.cpu_used() - cpu0, time.monotonic() - start
            hog_cpu, hog_wall = hog.cpu_used() - hog_cpu0, time.monotonic() - wall0
        finally:
            done.set()
            thread.join(30)
    print(f"victim: {cpu:.2f} s CPU in {wall:.2f} s; hog: {hog_cpu:.1f} s CPU in {hog_wall:.1f} s")
    # the hog competed all along (other tests may load this machine too: a loose bound)
    assert hog_cpu > 0.2 * hog_wall, "the hog was not hogging"
    assert result.passed and result.points_earned == result.points_possible, result.message
    assert cpu >= 5 * 0.6  # five calls of 0.6 s each, counted as the victim's own time
