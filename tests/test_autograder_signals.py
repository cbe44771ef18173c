"""A confined kernel starts with the signal state of a fresh Python kernel.

The launcher, its namespace init and the zygote install handlers (they relay SIGINT,
SIGTERM, SIGHUP and SIGQUIT) and may inherit ignored or blocked signals from the grader.
None of that may reach the student's kernel: a correct answer that forks a helper with
`multiprocessing` and stops it with `Process.terminate()` (SIGTERM), or leaves a
``with Pool(2)`` block (which terminates its workers), must work as in Jupyter.

A fork or a thread that the job's process limit refuses raises the usual error, whose
message names the limit (the student sees it in the failed check).

Each mode (through the zygote, and without it) runs one small grader process, started with
SIGHUP and SIGUSR2 ignored and SIGUSR1 and SIGTERM blocked (what a grader run under nohup,
or from a thread that blocks signals, passes on), which starts one real confined kernel and
runs the probes in it. Every wait is bounded: a helper that ignores SIGTERM is waited for
10 s at most, then killed; the Pool loop runs 10 times within the kernel's cell limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# runs as the grader: odd signal state first, then one confined kernel and three probes
GRADER = r"""
import json, signal, sys
import nbformat
from autograder.confine import Limits
from autograder.kernel import KernelSession

signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM})

MIME = "application/x-nnfp-reply+json"
REPLY = "from IPython.display import publish_display_data as _p\n" \
        "_p({%r: json.dumps(seen)}, metadata={'token': 'probe'})\n" % MIME
PROBES = {
    "state": '''
import json, signal
seen = {}
for line in open("/proc/self/status"):
    key, _, value = line.partition(":")
    if key in ("SigBlk", "SigIgn", "SigCgt"):
        seen[key] = int(value, 16)
seen["handlers"] = {}
for s in signal.valid_signals():
    try:
        h = signal.getsignal(s)
    except (OSError, ValueError):
        continue
    if h is not signal.SIG_DFL:
        seen["handlers"][signal.Signals(s).name] = getattr(h, "__name__", None) or str(h)
seen["mask"] = sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))
''',
    "terminate": '''
import json, multiprocessing, time
helper = multiprocessing.Process(target=time.sleep, args=(3600,))
helper.start()
time.sleep(0.2)
helper.terminate()
helper.join(10)  # bounded: a helper that ignores SIGTERM is killed below
seen = {"alive_after_terminate": helper.is_alive()}
if helper.is_alive():
    helper.kill()
    helper.join(10)
seen["exitcode"] = helper.exitcode
''',
    "pool": '''
import json, multiprocessing
seen = {"sums": []}
for _ in range(10):
    with multiprocessing.Pool(2) as pool:
        seen["sums"].append(sum(pool.map(abs, range(-20, 0))))
''',
    "limit": '''
import json, os, threading, time
seen = {}
pids = []
try:
    for _ in range(64):  # twice the limit, at most
        pid = os.fork()
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        pids.append(pid)
except BlockingIOError as exc:
    seen["fork"] = str(exc)
finally:
    for pid in pids:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
stop, threads = threading.Event(), []
try:
    for _ in range(64):
        t = threading.Thread(target=stop.wait, args=(20,))
        t.start()
        threads.append(t)
except RuntimeError as exc:
    seen["thread"] = str(exc)
finally:
    stop.set()
    for t in threads:
        t.join(20)
''',
}

out = {}
limits = Limits(cell_seconds=60, submission_seconds=200, processes=32)
with KernelSession(nbformat.v4.new_notebook(), limits) as kernel:
    for name, code in PROBES.items():
        try:
            reply = kernel.run(code + REPLY)
        except Exception as exc:  # KernelLost: the cell hung or the kernel died
            out[name] = {"lost": str(exc)}
            kernel.recover()
            continue
        got = kernel.pop_reply("probe")
        out[name] = json.loads(got) if got else {"error": reply.get("evalue")}
print(json.dumps(out))
"""


@pytest.fixture(scope="module", params=["zygote", "exec"])
def probed(request):
    """What the three probes saw in one confined kernel, with or without the zygote."""
    env = {
        **os.environ,
        "NNFP_ZYGOTE": "1" if request.param == "zygote" else "0",
        "PYTHONPATH": str(REPO),
        "OPENBLAS_NUM_THREADS": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", GRADER], env=env, capture_output=True, timeout=400, cwd=REPO
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _bits(mask: int) -> set[int]:
    return {n for n in range(1, 65) if mask >> (n - 1) & 1}


# what every Python process sets up at start (the kernel's SIGINT handler is Python's)
PYTHON_IGNORES = {signal.SIGPIPE, signal.SIGXFSZ}
# Signals a process can set. 32 and 33 are the C library's own (NPTL): neither Python nor
# libc can change them, so an ignored 32 inherited from the machine's environment (seen
# when the tests ran under a background job) is beyond any sandbox and harmless.
SETTABLE = {int(s) for s in signal.valid_signals()}


def test_the_kernel_starts_with_default_signal_dispositions_and_an_empty_mask(probed):
    seen = probed["state"]
    assert "lost" not in seen and "error" not in seen, seen
    assert seen["SigBlk"] == 0 and seen["mask"] == []
    assert _bits(seen["SigIgn"]) & SETTABLE == PYTHON_IGNORES
    # caught: Python's SIGINT handler; the C library's own real-time signals (32, 33)
    assert {n for n in _bits(seen["SigCgt"]) if n < 32} == {signal.SIGINT}
    assert seen["handlers"] == {
        "SIGINT": "default_int_handler",
        "SIGPIPE": str(signal.SIG_IGN),
        "SIGXFSZ": str(signal.SIG_IGN),
    }


def test_a_forked_helper_is_stopped_by_terminate(probed):
    seen = probed["terminate"]
    assert "lost" not in seen and "error" not in seen, seen
    assert seen["alive_after_terminate"] is False
    assert seen["exitcode"] == -signal.SIGTERM


def test_a_pool_of_two_completes_every_time(probed):
    seen = probed["pool"]
    assert "lost" not in seen and "error" not in seen, seen
    assert seen["sums"] == [210] * 10


def test_a_fork_or_thread_refused_by_the_process_limit_says_so(probed):
    seen = probed["limit"]
    assert "lost" not in seen and "error" not in seen, seen
    for what in ("fork", "thread"):
        assert what in seen, f"64 at once were allowed ({what}) under a limit of 32"
        assert "the grader's sandbox allows at most 32 processes and threads" in seen[what]
    assert seen["fork"].startswith("[Errno 11] Resource temporarily unavailable: ")
