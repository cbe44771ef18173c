"""Confinement of student code: autograder/confine.py + sandbox.py.

Each test runs a small Python program through the sandbox launcher, exactly as the judge
runs a kernel, and reads what the program saw from a file it writes into the job's ipc
folder (the one folder on the real disk it can write to). Every abuse here is bounded by the
test itself (at most 2 GiB of memory, 200 processes, 64 MB of disk, a few seconds), so a
broken limit fails the test instead of harming the machine. What the kernel's file system
holds (an allow-list) is proved in test_autograder_mounts.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from running import command_lines

from autograder.confine import Confinement, Limits, hidden_paths, isolation
from autograder.kernel import kernel_env

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "autograder"

needs_namespaces = pytest.mark.skipif(
    isolation() != "namespaces",
    reason="this machine allows no PID/mount/network namespaces (see README, Grading)",
)


def _run(program: str, limits: Limits | None = None, level: str | None = None, timeout=60):
    """Run `program` confined; returns (exit code, what it wrote as JSON to `OUT`)."""
    limits = limits or Limits(memory_mb=512, processes=32, disk_mb=16)
    conf = Confinement(limits, kernel_env(), course_root=COURSE, level=level)
    out = Path(conf.ipc_dir) / "out.json"
    code = f"OUT = {str(out)!r}\n" + textwrap.dedent(program)
    try:
        done = subprocess.run(
            conf.wrap([sys.executable, "-c", code]), timeout=timeout, capture_output=True
        )
        seen = json.loads(out.read_text()) if out.exists() else None
        return done.returncode, seen, done.stderr.decode()
    finally:
        conf.close()


def _processes_with(marker: str) -> list[int]:
    return [pid for pid, text in command_lines().items() if marker in text]


def test_limits_reject_nonsense():
    with pytest.raises(ValueError, match="memory_mb"):
        Limits(memory_mb=0)
    with pytest.raises(ValueError, match="cell_seconds"):
        Limits(cell_seconds="10")


def test_kernel_environment_has_no_grader_variables(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("AUTOGRADER_SEED", "1")
    monkeypatch.setenv("SECRET_TOKEN", "x")
    env = kernel_env()
    assert not [k for k in env if k.startswith(("NBGRADER", "AUTOGRADER", "JPY_", "SECRET"))]
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"


def test_hidden_paths_cover_the_course_the_reference_and_the_checkout():
    hidden = set(hidden_paths(COURSE))
    assert {COURSE, REPO / "nnlib", REPO} <= hidden


@needs_namespaces
def test_course_reference_and_checkout_are_unreadable_and_the_python_works():
    code, seen, err = _run(
        """
        import json, os
        seen = {}
        for p in ["autograder/source/a1_gradients/a1_gradients.ipynb",
                  "autograder/nbgrader_config.py", "nnlib/activations.py", ".git/HEAD",
                  "pyproject.toml"]:
            path = os.path.join(REPO, p)
            try:
                open(path).read(1)
                seen[p] = "read"
            except OSError as e:
                seen[p] = type(e).__name__
        try:
            import nnlib
            seen["import nnlib"] = "imported"
        except ImportError:
            seen["import nnlib"] = "ImportError"
        import numpy
        seen["numpy"] = float(numpy.ones(3).sum())
        seen["uid"] = os.getuid()
        seen["pid"] = os.getpid()
        seen["cwd"] = os.getcwd()
        seen["procs"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        json.dump(seen, open(OUT, "w"))
        """.replace("REPO", repr(str(REPO))),
    )
    assert code == 0, err
    assert seen["numpy"] == 3.0
    assert seen["import nnlib"] == "ImportError"
    for p in ("autograder/source/a1_gradients/a1_gradients.ipynb", "nnlib/activations.py"):
        assert seen[p] != "read", p
    assert seen[".git/HEAD"] != "read" and seen["pyproject.toml"] != "read"
    assert seen["cwd"] == "/tmp/work"
    assert seen["procs"][0] == 1 and len(seen["procs"]) <= 3  # its own PID namespace
    if os.geteuid() == 0:
        assert seen["uid"] != 0  # a separate, unprivileged user


@needs_namespaces
def test_filesystem_is_read_only_except_a_size_limited_tmp():
    code, seen, err = _run(
        """
        import json, os, sys
        seen = {}
        for target in [os.path.join(sys.prefix, "planted.py"), "/etc/planted", "/tmp/ok"]:
            try:
                with open(target, "w") as f:
                    f.write("x")
                seen[target] = "written"
            except OSError as e:
                seen[target] = type(e).__name__
        written = 0
        try:  # at most 64 MB whatever the limit: a broken limit fails the test, no more
            with open("/tmp/filler", "wb") as f:
                for _ in range(64):
                    f.write(b"\\0" * 2**20)
                    f.flush()
                    written += 1
        except OSError as e:
            seen["filler"] = type(e).__name__
        seen["written_mb"] = written
        json.dump(seen, open(OUT, "w"))
        """,
        limits=Limits(memory_mb=512, disk_mb=8),
    )
    assert code == 0, err
    assert seen[os.path.join(sys.prefix, "planted.py")] != "written"
    assert seen["/etc/planted"] != "written"
    assert seen["/tmp/ok"] == "written"
    assert seen["written_mb"] <= 8 and "filler" in seen
    assert not (Path(sys.prefix) / "planted.py").exists()


@needs_namespaces
def test_no_network_not_even_the_graders_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        code, seen, err = _run(
            f"""
            import json, socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
                seen = "connected"
            except OSError as e:
                seen = type(e).__name__
            json.dump(seen, open(OUT, "w"))
            """
        )
    assert code == 0, err
    assert seen != "connected"


@needs_namespaces
def test_detached_and_double_forked_processes_die_with_the_job():
    marker = f"{time.time_ns() % 10**6}.5"
    code, seen, err = _run(
        f"""
        import json, os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:  # double fork: reparented, new session, own process group
                os.execv("/bin/sleep", ["sleep", "{marker}"])
            os._exit(0)
        time.sleep(0.3)
        json.dump("forked", open(OUT, "w"))
        """
    )
    assert code == 0, err and seen == "forked"
    deadline = time.monotonic() + 5
    while _processes_with(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(f"sleep {marker}") == []


@needs_namespaces
def test_fork_bomb_is_capped_by_the_process_limit():
    code, seen, err = _run(
        """
        import json, os, time
        children = 0
        for _ in range(200):  # bounded whatever the limit
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(3)
                os._exit(0)
            children += 1
        json.dump(children, open(OUT, "w"))
        """,
        limits=Limits(memory_mb=1024, processes=16),
    )
    assert code == 0, err
    assert 0 < seen < 16


@needs_namespaces
def test_memory_bomb_is_stopped_below_the_limit():
    code, seen, err = _run(
        """
        import json
        import numpy as np
        blocks, reached = [], 0
        try:
            for _ in range(32):  # 32 x 64 MiB = 2 GiB at most, whatever the limit
                blocks.append(np.ones(2**23))  # 64 MiB, touched
                reached += 64
        except MemoryError:
            pass
        json.dump(reached, open(OUT, "w"))
        """,
        limits=Limits(memory_mb=256, processes=16),
    )
    # MemoryError (address space) or the cgroup's OOM kill: either way far below 2 GiB
    assert (code == 0 and seen <= 256 + 1024) or code != 0, (code, seen, err)


def test_rlimits_level_still_kills_the_session():
    marker = f"{time.time_ns() % 10**6}.25"
    code, seen, err = _run(
        f"""
        import json, os, time
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "{marker}"])
        json.dump(os.getcwd(), open(OUT, "w"))
        """,
        level="rlimits",
    )
    assert code == 0, err
    assert seen != str(REPO)
    deadline = time.monotonic() + 5
    while _processes_with(f"sleep {marker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(f"sleep {marker}") == []


@pytest.mark.parametrize("level", ["rlimits", "namespaces"])
def test_the_judge_grades_at_each_level(level):
    """The same correct and wrong answers get the same verdicts whatever the isolation."""
    import nbformat

    from autograder.judge import Judge

    if level == "namespaces" and isolation() != "namespaces":
        pytest.skip("no namespaces on this machine")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import numpy as np"),
            nbformat.v4.new_code_cell(
                "def sigmoid_grad(z):\n    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n\n"
                "def tanh_grad(z):\n    return 1 - z**2\n"
            ),
        ]
    )
    with Judge(nb, limits=Limits(cell_seconds=10), level=level) as judge:
        assert judge.kernel.confinement.level == level
        right = judge.check("a1.sigmoid_grad", seed=3)
        wrong = judge.check("a1.tanh_grad", seed=3)
    assert right.passed, right.message
    assert not wrong.passed and wrong.points_earned == 0


@needs_namespaces
def test_system_v_shared_memory_does_not_outlive_the_job():
    key = 0x4E000000 + time.time_ns() % 0xFFFF
    code, seen, err = _run(
        f"""
        import ctypes, json
        libc = ctypes.CDLL(None, use_errno=True)
        shmid = libc.shmget({key}, 1 << 20, 0o1666)  # IPC_CREAT | 0666, 1 MiB
        json.dump(shmid, open(OUT, "w"))
        """
    )
    assert code == 0, err and seen >= 0  # created inside the job's own IPC namespace
    keys = [line.split()[0] for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
    if str(key) in keys:  # a broken limit: clean up, then fail
        subprocess.run(["ipcrm", "-M", str(key)], check=False)
    assert str(key) not in keys  # and gone with it: nothing left on the host


@pytest.mark.parametrize("known_by", ["pipe", "pid"])
def test_a_process_whose_parent_died_before_it_asked_to_die_with_it_exits(tmp_path, known_by):
    """The race that left a launcher behind a SIGKILLed grading run: the parent dies between
    fork() and the child's PR_SET_PDEATHSIG, so no signal will ever come. The child must
    notice (by `_fork`'s pipe, or by a changed parent pid) and exit at once."""
    report = tmp_path / "survivor"
    program = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(REPO / "autograder")!r})
        import sandbox

        def child(parent):
            time.sleep(0.5)  # the parent is gone by now
            sandbox._die_with_parent(parent)
            with open({str(report)!r}, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(20)
            os._exit(0)

        def parent():
            if {known_by!r} == "pipe":
                sandbox._fork(child, None)
            me = os.getpid()
            if {known_by!r} == "pid" and os.fork() == 0:
                child(me)
            os._exit(0)

        pid = os.fork()
        if pid == 0:
            parent()
        os.waitpid(pid, 0)
        """
    )
    subprocess.run([sys.executable, "-c", program], timeout=30, check=True)
    time.sleep(1.5)
    survivor = report.read_text() if report.exists() else None
    if survivor:
        os.kill(int(survivor), 9)
    assert survivor is None, "the orphan outlived its parent"


@needs_namespaces
@pytest.mark.parametrize("zygote", ["1", "0"])
def test_a_job_dies_with_a_grader_that_is_killed(tmp_path, zygote):
    """SIGKILL the grader while a confined job runs, through the zygote (its client) or a
    launcher of its own: nothing of the job may be left running."""
    marker = f"{time.time_ns() % 10**6}.25"
    started = tmp_path / "started"
    grader = textwrap.dedent(
        f"""
        import os, signal, subprocess, sys, time
        from autograder.confine import Confinement, Limits
        from autograder.kernel import kernel_env
        conf = Confinement(Limits(memory_mb=512, processes=32, disk_mb=16), kernel_env(),
                           course_root={str(COURSE)!r})
        job = "import os; os.execv('/bin/sleep', ['sleep', '{marker}'])"
        subprocess.Popen(conf.wrap([sys.executable, "-c", job]), start_new_session=True)
        deadline = time.monotonic() + 30
        sys.path.insert(0, {str(REPO / "tests")!r})
        from running import command_lines
        while time.monotonic() < deadline:  # until the job's sleep runs
            if any("sleep {marker}" in text for text in command_lines().values()):
                open({str(started)!r}, "w").close()
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = {**os.environ, "NNFP_ZYGOTE": zygote}
    subprocess.run([sys.executable, "-c", grader], cwd=REPO, env=env, timeout=60)
    assert started.exists()
    deadline = time.monotonic() + 5  # the marker is in the job's, and the launcher's, argv
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _processes_with(marker)
    for pid in left:
        os.kill(pid, 9)
    assert left == []
