"""The kernel's file system is an allow-list (autograder/sandbox.py, `allowed_paths`).

A submission once found the checkout the course was cloned from (git's
``remote.origin.url``, a path on the same machine) and read the instructor's notebook
there: hiding a list of known places cannot be complete. These tests put an "origin
checkout" next to the real one and a second copy of the course elsewhere on disk, each
holding a secret marker, then look at the machine from inside a confined program and a
real (zygote-forked) kernel: neither copy, nor the real checkout, nor any file named
like the assignment's notebook is reachable; `/` holds only the allowed entries; no
mount, fd or working directory leads back to the old root; and what a notebook does
(numpy, matplotlib with Agg saving a plot, IPython display, subprocess) still works.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

from autograder.confine import (
    Confinement,
    Limits,
    allowed_paths,
    hidden_paths,
    isolation,
    zygote_path,
)
from autograder.kernel import KernelSession, kernel_env

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "autograder"
NOTEBOOK = "autograder/source/a1_gradients/a1_gradients.ipynb"
MIME = "application/x-nnfp-reply+json"

needs_namespaces = pytest.mark.skipif(
    isolation() != "namespaces",
    reason="this machine allows no PID/mount/network namespaces (see README, Grading)",
)


def _course_copy(folder: Path, marker: str, remote: str) -> None:
    """A course checkout in `folder`: the instructor's notebook (with `marker`) and a
    .git/config naming `remote` as its origin."""
    notebook = folder / NOTEBOOK
    notebook.parent.mkdir(parents=True)
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": marker}]}))
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')


@pytest.fixture(scope="module")
def copies():
    """An origin checkout beside the real one (where the old deny-list left it readable)
    and a second copy of the course in /var/tmp, both removed afterwards."""
    marker = f"NNFP-SECRET-{uuid.uuid4().hex}"
    made = []
    try:
        beside = REPO.parent if os.access(REPO.parent, os.W_OK) else None
        origin = Path(tempfile.mkdtemp(prefix=".nnfp-origin-", dir=beside))
        made.append(origin)
        elsewhere = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
        copy = Path(tempfile.mkdtemp(prefix="nnfp-course-copy-", dir=elsewhere))
        made.append(copy)
        _course_copy(origin, marker, "https://example.org/instructor/course.git")
        _course_copy(copy / "teaching" / "course", marker, str(origin))
        for folder in made:  # readable by all, as a clone is: mkdtemp's 0700 would keep
            folder.chmod(0o755)  # the job's uid out, and prove nothing of the sandbox
        yield {"marker": marker, "origin": origin, "copy": copy / "teaching" / "course"}
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


# What the program looks at from inside; PATHS, MARKER and REPO are prepended.
LOOK = """
import json, os, stat, sys
seen = {"read": {}, "exists": {}}
for name, path in PATHS.items():
    seen["exists"][name] = os.path.lexists(path)
    try:
        with open(path, "rb") as f:
            seen["read"][name] = "marker" if MARKER.encode() in f.read() else "read"
    except OSError as exc:
        seen["read"][name] = type(exc).__name__
seen["root"] = sorted(os.listdir("/"))
seen["repo"] = sorted(os.listdir(REPO)) if os.path.isdir(REPO) else None
seen["mounts"] = sorted({line.split()[4] for line in open("/proc/self/mountinfo")})
seen["cwd"] = os.getcwd()
seen["fds"] = {}  # an fd on a path must be that path here, not a file of the old root
for fd in map(int, os.listdir("/proc/self/fd")):
    try:
        target, st = os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd)
    except OSError:
        continue  # the listing's own fd
    if target.startswith("/"):
        try:
            here = os.stat(target)
            same = (here.st_dev, here.st_ino) == (st.st_dev, st.st_ino)
        except OSError:
            same = False
        seen["fds"][fd] = [target, same]
seen["notebooks"] = []  # a file named like the instructor's notebook, anywhere
for top in seen["root"]:
    if top not in ("proc", "dev", "sys"):
        for folder, _, files in os.walk("/" + top):
            seen["notebooks"] += [folder for f in files if f == "a1_gradients.ipynb"]
seen["caps"] = [line.split()[1] for line in open("/proc/self/status")
                if line.startswith(("CapPrm", "CapEff"))]
"""


PROBED = (
    "origin notebook",
    "origin git config",
    "copy notebook",
    "checkout notebook",
    "checkout git config",
    "checkout pyproject",
    "zygote socket",
)


def _paths(copies) -> dict[str, str]:
    return {
        "origin notebook": str(copies["origin"] / NOTEBOOK),
        "origin git config": str(copies["origin"] / ".git" / "config"),
        "copy notebook": str(copies["copy"] / NOTEBOOK),
        "checkout notebook": str(REPO / NOTEBOOK),
        "checkout git config": str(REPO / ".git" / "config"),
        "checkout pyproject": str(REPO / "pyproject.toml"),
        "zygote socket": str(zygote_path() or "/nonexistent"),
    }


def _program(copies, body: str) -> str:
    head = f"PATHS = {_paths(copies)!r}\nMARKER = {copies['marker']!r}\nREPO = {str(REPO)!r}\n"
    return head + LOOK + textwrap.dedent(body)


def _expected_mounts(conf: Confinement) -> set[str]:
    devices = {f"/dev/{name}" for name in ("null", "zero", "full", "random", "urandom")}
    fixed = {"/", "/proc", "/dev", "/dev/shm", "/tmp", "/var/tmp", conf.ipc_dir, *devices}
    allowed = {Path(p) for p in allowed_paths()}
    covered = {p for p in hidden_paths(COURSE) if allowed & set(p.parents)}  # the empty tmpfs
    return fixed | set(map(str, allowed | covered))


def _assert_nothing_leaks(seen: dict, conf: Confinement) -> None:
    for name in PROBED:  # not there at all: no permission is what keeps them out
        assert seen["read"][name] == "FileNotFoundError", (name, seen["read"][name])
        assert not seen["exists"][name], name
    assert seen["notebooks"] == [], "the kernel can see a copy of the instructor's notebook"
    tops = {Path(p).parts[1] for p in allowed_paths()} | {"dev", "etc", "proc", "tmp", "var"}
    assert set(seen["root"]) <= tops, set(seen["root"]) - tops
    assert {"home", "srv", "opt", "mnt", "sys"}.isdisjoint(seen["root"])
    venv = Path(sys.prefix)
    if REPO in venv.parents:  # the venv inside the checkout comes alone
        assert seen["repo"] == [venv.relative_to(REPO).parts[0]]
    else:
        assert seen["repo"] is None
    assert set(seen["mounts"]) <= _expected_mounts(conf), seen["mounts"]
    assert not [fd for fd, (_, same) in seen["fds"].items() if not same], seen["fds"]
    assert seen["caps"] == ["0000000000000000"] * 2  # nothing to remount or unmount with


def test_the_allow_list_holds_the_venv_never_the_checkout_around_it():
    allowed = [Path(p) for p in allowed_paths()]
    assert Path(sys.prefix) in allowed and Path(sys.base_prefix).resolve() in allowed
    assert not [p for p in allowed if p == REPO or p in REPO.parents], allowed
    assert not [p for p in allowed if str(p).startswith(("/home", "/srv", "/opt", "/mnt"))]


@needs_namespaces
def test_a_confined_program_sees_no_copy_of_the_course_and_only_the_allowed_root(copies):
    conf = Confinement(Limits(memory_mb=1024, processes=32, disk_mb=16), kernel_env(), COURSE)
    out = Path(conf.ipc_dir) / "out.json"
    body = """
        import subprocess
        seen["sh"] = subprocess.run(["sh", "-c", "echo ok"], capture_output=True).stdout
        seen["sh"] = seen["sh"].decode()
        json.dump(seen, open(OUT, "w"))
        """
    code = f"OUT = {str(out)!r}\n" + _program(copies, body)
    try:
        done = subprocess.run(conf.wrap([sys.executable, "-c", code]), timeout=120)
        seen = json.loads(out.read_text()) if out.exists() else None
    finally:
        conf.close()
    assert done.returncode == 0 and seen is not None, done
    _assert_nothing_leaks(seen, conf)
    assert seen["cwd"] == "/tmp/work" and seen["sh"] == "ok\n"
    for name in ("origin notebook", "copy notebook"):  # what the grader sees, to compare
        assert copies["marker"] in Path(_paths(copies)[name]).read_text()


KERNEL_PROBE = """
import sys
seen["lazy"] = "matplotlib" not in sys.modules  # imported below, after the new root
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
fig, ax = plt.subplots()
ax.plot([0, 1], [1, 0])
fig.savefig("plot.png")
seen["backend"] = plt.get_backend()
seen["png"] = open("plot.png", "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
seen["solve"] = np.linalg.solve(np.diag([2.0, 4.0]), np.array([2.0, 4.0])).tolist()
display(Markdown("**shown**"))
from IPython.display import publish_display_data
publish_display_data({MIME: json.dumps(seen)}, metadata={"token": "look"})
"""


@needs_namespaces
def test_a_kernel_forked_by_the_zygote_sees_nothing_more_and_still_imports(copies):
    import nbformat

    limits = Limits(cell_seconds=60, submission_seconds=200)
    with KernelSession(nbformat.v4.new_notebook(), limits, course_root=COURSE) as kernel:
        conf = kernel.confinement
        reply = kernel.run(_program(copies, f"MIME = {MIME!r}\n" + KERNEL_PROBE))
        got = kernel.pop_reply("look")
        assert got is not None, reply
        seen = json.loads(got)
        _assert_nothing_leaks(seen, conf)
    assert seen["cwd"] == "/tmp/work"
    assert seen["lazy"] and seen["backend"].lower() == "agg" and seen["png"]
    assert seen["solve"] == [1.0, 1.0]
    assert kernel.output_bytes > 0  # the Markdown display arrived


@needs_namespaces
def test_a_hidden_package_inside_an_allowed_folder_is_covered(tmp_path):
    """A copy of nnlib in site-packages (a non-editable install) is hidden even though
    site-packages is allowed; the rest of the folder reads, and nothing in it is writable."""
    site = Path(tempfile.mkdtemp(prefix="nnfp-site-", dir="/var/tmp"))
    try:
        site.chmod(0o755)  # readable by the job's own uid, as site-packages is
        (site / "nnlib").mkdir()
        (site / "nnlib" / "__init__.py").write_text("SOLUTION = 42\n")
        (site / "secret.txt").write_text("secret\n")
        (site / "public.txt").write_text("public\n")
        limits = Limits(memory_mb=512, processes=32, disk_mb=16)
        conf = Confinement(limits, kernel_env(), COURSE, hide_extra=[site / "nnlib"])
        conf.config["allow"] = [*conf.config["allow"], str(site)]
        conf.config["hide"] = [*conf.config["hide"], str(site / "secret.txt")]
        out = Path(conf.ipc_dir) / "out.json"
        code = f"OUT = {str(out)!r}\nSITE = {str(site)!r}\n" + textwrap.dedent(
            """
            import json, os
            seen = {"listing": sorted(os.listdir(SITE))}
            seen["nnlib"] = sorted(os.listdir(os.path.join(SITE, "nnlib")))
            seen["secret"] = open(os.path.join(SITE, "secret.txt")).read()
            seen["public"] = open(os.path.join(SITE, "public.txt")).read()
            try:
                open(os.path.join(SITE, "planted.py"), "w").close()
                seen["write"] = "written"
            except OSError as exc:
                seen["write"] = type(exc).__name__
            json.dump(seen, open(OUT, "w"))
            """
        )
        try:
            done = subprocess.run(conf.wrap([sys.executable, "-c", code]), timeout=60)
            seen = json.loads(out.read_text()) if out.exists() else None
        finally:
            conf.close()
    finally:
        shutil.rmtree(site, ignore_errors=True)
    assert done.returncode == 0 and seen is not None, done
    assert seen["public"] == "public\n"
    assert seen["nnlib"] == [] and seen["secret"] == ""
    assert seen["write"] != "written"
