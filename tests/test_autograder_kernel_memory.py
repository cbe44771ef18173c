"""The grader's own memory stays bounded whatever the kernel sends.

Before issue 11, a kernel could push the grader past 2.5 GB: shell replies nobody asked for
(jupyter_client queued them), 22 × 128 MB on the stdin channel (connected, never read), one
message of 100 MB (a cell raising an error that long). `autograder.kernel` now gives its
client its own ZMQ context whose sockets refuse a message over `MAX_MESSAGE_BYTES` and park
at most `RECEIVE_QUEUE` messages, never opens the stdin channel, reads and drops what no one
awaits, and stops a kernel that still grows the grader's memory by `MAX_GROWTH_BYTES` (a
message of many frames, each under the cap). A refused message costs only the cell that
sent it: the kernel is restarted and only that cell's definitions are run again.

Each abuse follows a correct ``sigmoid_grad`` in the same cell and is graded in a fresh
grader process, whose peak resident memory (VmHWM) is measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.course import Limits
from autograder.kernel import MAX_GROWTH_BYTES, MAX_MESSAGE_BYTES, KernelSession

ROOT = Path(__file__).resolve().parents[1]

#: The grader's peak memory, in MB, whatever the kernel sent: the grader grading a clean
#: notebook peaks near 140 MB; the watchdog lets it grow `MAX_GROWTH_BYTES` at most.
PEAK_MB = 400

GRADE = """
import copy, json, sys
from pathlib import Path

from autograder.course import Limits
from autograder.judge import Judge
from autograder.mutants.a1 import CORRECT, source
from autograder.rebuild import rebuild, student_version

SOURCE = Path(sys.argv[1]) / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
nb = copy.deepcopy(student_version(SOURCE))
for cell in nb.cells:
    if cell.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid_grad":
        cell.source = source(CORRECT["a1.sigmoid_grad"][0], "sigmoid_grad") + sys.argv[2]
nb = rebuild(SOURCE, nb).notebook
with Judge(nb, limits=Limits(cell_seconds=10, submission_seconds=60)) as judge:
    result = judge.check("a1.sigmoid_grad", 1)
    errors = judge.kernel.cell_errors
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")]
print(json.dumps({"peak_mb": int(peak[0].split()[1]) // 1024, "passed": result.passed,
                  "message": result.message, "errors": errors}))
"""

#: What follows the correct definition, by abuse; sizes and counts bound each one.
ABUSES = {
    # 120 messages of 8 MB on IOPub (half of them tagged as replies) and 60 shell
    # execute_replies of 8 MB that no request asked for: about 1.4 GB in all
    "flood": """
k = get_ipython().kernel
big, ident = 'x' * (8 * 2**20), k._parent_ident['shell']
for i in range(120):
    reply = {'data': {'application/x-nnfp-judge+json': big}, 'metadata': {'token': f't{i}'}}
    k.session.send(k.iopub_socket, 'display_data', reply, parent=k.get_parent() if i % 2 else None)

def shell_flood():
    for i in range(60):
        k.session.send(k.shell_stream, 'execute_reply', {'status': 'ok', 'junk': big}, ident=ident)

k.shell_stream.io_loop.add_callback(shell_flood)
import time
time.sleep(2)
""",
    # 8 input requests of 128 MB on the stdin channel: 1 GB the grader never reads
    "stdin": """
k = get_ipython().kernel
big = 'x' * (128 * 2**20)
for _ in range(8):
    k.session.send(k.stdin_socket, 'input_request', {'prompt': big, 'password': False},
                   ident=k._parent_ident['shell'])
""",
    # an error whose message is 100 MB: refused whole, from its header
    "error": "\nraise ValueError('x' * (100 * 2**20))\n",
    # one message of 100 frames of 8 MB (800 MB), each frame under the cap
    "frames": """
k = get_ipython().kernel
k.session.send(k.iopub_socket, 'display_data', {'data': {'text/plain': 'hi'}, 'metadata': {}},
               parent=k.get_parent(), buffers=[b'x' * (8 * 2**20)] * 100)
import time
time.sleep(3)
""",
}

#: What the cell's note says, by abuse (None: the cell completed, nothing to say). The
#: flood may make its own cell lost: its reply queues behind what it sent on the shell
#: channel, past the grader's grace; either way its definition is kept.
NOTES = {
    "flood": (None, "its reply never came"),
    "stdin": (None,),
    "error": (f"over the {MAX_MESSAGE_BYTES // 2**20} MB the grader accepts",),
    "frames": (f"more than {MAX_GROWTH_BYTES // 2**20} MB at once",),
}


def _grade(extra: str) -> dict:
    """Grade a correct sigmoid_grad followed by `extra` in a fresh grader process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", GRADE, str(ROOT), "\n" + extra],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("abuse", list(ABUSES))
def test_the_grader_stays_small_and_the_correct_definition_scores(abuse):
    got = _grade(ABUSES[abuse])
    print(abuse, got["peak_mb"], "MB")
    assert got["peak_mb"] < PEAK_MB, got
    assert got["passed"], got["message"]
    if not got["errors"]:
        assert None in NOTES[abuse]
    else:
        (note,) = got["errors"]
        assert "only its def, class and import" in note, note
        assert any(text in note for text in NOTES[abuse] if text), note


def test_the_largest_answer_the_judge_sends_fits_in_one_message():
    # wire.encode_output's reply of a MAX_OUTPUT_BYTES array, base64 in JSON, under the cap
    from autograder.judge import MAX_OUTPUT_BYTES
    from autograder.wire import CONFIG, save

    encoded = len(save(np.zeros(MAX_OUTPUT_BYTES // 8)))
    assert encoded + 4096 < MAX_MESSAGE_BYTES
    assert CONFIG["max_output_bytes"] == MAX_OUTPUT_BYTES  # the kernel's default agrees


def test_an_answer_of_8_mib_passes_the_cap_and_is_judged():
    # the largest answer the judge should send back (its reply, base64 in JSON, is 10.7 MiB)
    got = _grade("def sigmoid_grad(z):\n    return np.zeros(2**20)\n")
    assert got["peak_mb"] < PEAK_MB, got
    assert not got["passed"] and "the result has shape (1048576,)" in got["message"], got


# ------------------------------------------------------------------ replies kept


def test_only_awaited_replies_are_kept():
    publish = (
        "from IPython.display import publish_display_data as p\n"
        "for t in {tokens!r}:\n"
        "    p({{'application/x-test': t * 1000}}, metadata={{'token': t}})\n"
    )
    limits = Limits(cell_seconds=20)
    with KernelSession(nbformat.v4.new_notebook(), limits, reply_mime="application/x-test") as k:
        k.forget_reply("asked")
        k.run(publish.format(tokens=["asked", *(f"stray{i}" for i in range(50)), "last"]))
        assert k.pop_reply("asked") == "asked" * 1000  # announced: kept among a flood
        assert k.pop_reply("stray3") is None  # never announced: not kept
        assert k.pop_reply("last") == "last" * 1000  # the latest stray (one slot)
        assert k.pop_reply("last") is None and k.pop_reply("asked") is None  # popped once


def test_a_hung_cell_too_long_to_search_is_not_parsed_by_the_grader():
    from autograder.kernel import definitions_only
    from autograder.scan import over_limit

    short = "def f():\n    return 1\n\n\n" + "x = 1\n" * 2_000
    long = "def f():\n    return 1\n\n\n" + "x = 1\n" * 20_000
    assert over_limit(short) is None and over_limit(long)
    assert definitions_only(short) == "def f():\n    return 1"
    # a million-line cell took IPython's transformer and the parser 25 s of the grader's
    # CPU at each restart; past the bound its definitions are not searched for at all
    assert definitions_only(long) == ""
