"""The grader's side of confinement: limits, what the kernel sees, cgroups, the launcher.

`Confinement` prepares one job (one submission's kernel): it chooses the isolation level
the machine allows (`isolation`), creates cgroups when it can, and wraps the kernel command
in `autograder/sandbox.py` (the launcher; its docstring lists what each level does).
`Confinement.close` kills whatever the job left (the namespace's death does it at the
"namespaces" level; the cgroups' process lists and the session are swept in any case).
The limits themselves are `autograder.course.Limits` (re-exported here).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from autograder.course import Limits
from autograder.sandbox import kill_session

__all__ = ["Confinement", "Limits", "isolation"]

SANDBOX = str(Path(__file__).with_name("sandbox.py"))


@functools.cache
def isolation() -> str:
    """``"namespaces"`` if the launcher can make PID/mount/network namespaces, else
    ``"rlimits"``. Probed once per process by launching ``true`` in the sandbox. Where
    the namespaces are made but the kernel's file system cannot be, a RuntimeWarning
    says why: that machine grades with no file system confinement."""
    if not sys.platform.startswith("linux") or os.environ.get("NNFP_SANDBOX") == "rlimits":
        return "rlimits"
    true = shutil.which("true") or "/bin/true"
    cfg = _config(Limits(), "namespaces", [], allowed_paths(), {}, None, [])
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", SANDBOX, json.dumps(cfg), "--", true],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "rlimits"
    if done.returncode in (126, 127):  # namespaces made, then the set-up or the exec failed
        why = done.stderr.decode(errors="replace").strip()[-500:]
        warnings.warn(f"kernels get the 'rlimits' level only: {why}", RuntimeWarning, 2)
    return "namespaces" if done.returncode == 0 else "rlimits"


_ZYGOTE: dict = {}


def base_env() -> dict[str, str]:
    """What every confined process starts from, and nothing of the grader's: this Python
    on the PATH, a UTF-8 locale, single-threaded BLAS, and the processor settings OpenBLAS
    needs for correct results where they are set."""
    env = {
        "PATH": os.pathsep.join(
            [os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            env[var] = os.environ[var]
    return env


def zygote_path() -> str | None:
    """The Unix socket of this process's kernel zygote (started on first use), or None if it
    cannot run (then each kernel is a new Python process). ``NNFP_ZYGOTE=0`` turns it off."""
    if os.environ.get("NNFP_ZYGOTE") == "0" or not sys.platform.startswith("linux"):
        return None
    proc = _ZYGOTE.get("proc")
    if proc is not None and proc.poll() is None and _ZYGOTE.get("pid") == os.getpid():
        return _ZYGOTE["path"]
    folder = tempfile.mkdtemp(prefix=f"nnfp-zygote-{os.getpid()}-")
    path = os.path.join(folder, "z.sock")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", SANDBOX, "--zygote", path, str(os.getpid())],
            env=base_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        ready = proc.stdout.readline().strip() == b"ready"
    except OSError:
        ready = False
    if not ready:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    _ZYGOTE.update(proc=proc, path=path, pid=os.getpid(), folder=folder)
    atexit.register(_stop_zygote)
    return path


def _stop_zygote() -> None:
    proc = _ZYGOTE.pop("proc", None)
    if proc is not None and _ZYGOTE.get("pid") == os.getpid():
        with contextlib.suppress(OSError):
            proc.kill()
            proc.wait(timeout=5)
    shutil.rmtree(_ZYGOTE.pop("folder", ""), ignore_errors=True)


def _config(limits, level, hide, allow, env, uid, cgroups) -> dict:
    mem = int(limits.memory_mb * 2**20)
    return {
        "level": level,
        "hide": [str(p) for p in hide],
        "allow": [str(p) for p in allow],
        "env": env,
        "uid": uid,
        "cgroups": cgroups,
        "workdir": env.get("PWD", "/tmp/work"),
        "home": env.get("HOME", "/tmp/home"),
        "disk_bytes": int(limits.disk_mb * 2**20),
        "file_size": int(limits.disk_mb * 2**20),
        # address space: numpy + OpenBLAS reserve ~1 GiB of virtual memory they never touch
        "address_space": mem + 2**30,
        "nproc": None,
        "processes": limits.processes,  # named in the error a refused fork or thread raises
    }


def _own_cgroup(controller: str) -> Path | None:
    """This process's cgroup folder for `controller` (v1), or the v2 folder (controller "")."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else [""]
        if controller in names:
            base = Path("/sys/fs/cgroup") / controller if controller else Path("/sys/fs/cgroup")
            if controller == "" and not (base / "cgroup.controllers").exists():
                base = Path("/sys/fs/cgroup/unified")
            folder = base / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


def _make_cgroups(name: str, limits: Limits) -> list[Path]:
    """Best effort: memory, pids, cpu and cpuacct cgroups for the job (v1, else one v2
    folder). [] if not allowed.

    The cpu cgroup gives every job the same share of the processors (``cpu.shares``), so a
    submission that forks many busy processes competes as one; cpuacct counts the job's CPU
    time (`Confinement.cpu_seconds`), which the kernel session's time limits use."""
    made = []
    mem = int(limits.memory_mb * 2**20)
    for controller, files in (
        ("memory", {"memory.limit_in_bytes": mem}),
        ("pids", {"pids.max": limits.processes}),
        ("cpu", {"cpu.shares": 1024}),
        ("cpuacct", {}),
    ):
        parent = _own_cgroup(controller)
        if parent is None:
            continue
        folder = parent / name
        try:
            folder.mkdir()
            for fname, value in files.items():
                (folder / fname).write_text(str(value))
            made.append(folder)
        except OSError:
            with contextlib.suppress(OSError):
                folder.rmdir()
    if made:
        return made
    parent = _own_cgroup("")
    if parent is not None and (parent / "cgroup.subtree_control").exists():
        folder = parent / name
        try:
            folder.mkdir()
            (folder / "memory.max").write_text(str(mem))
            (folder / "pids.max").write_text(str(limits.processes))
            with contextlib.suppress(OSError):  # equal shares, where the controller is on
                (folder / "cpu.weight").write_text("100")
            made.append(folder)
        except OSError:
            with contextlib.suppress(OSError):
                folder.rmdir()
    return made


def _kill_cgroup(folder: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale() -> list[str]:
    """Remove what grading processes that were killed (SIGKILL, power loss) left behind:
    their jobs' cgroups (and any process still in them) and their socket folders. Each is
    named after the grading process's pid, and only those of dead pids are touched."""
    removed = []
    name = re.compile(r"^nnfp-(?:judge|ipc|zygote)-(\d+)-")
    parents = [_own_cgroup(c) for c in ("memory", "pids", "cpu", "cpuacct", "")]
    for parent in [p for p in parents if p is not None]:
        for folder in parent.glob("nnfp-judge-*"):
            found = name.match(folder.name)
            if found and folder.is_dir() and not _alive(int(found.group(1))):
                _kill_cgroup(folder, time.monotonic() + 5)
                removed.append(str(folder))
    for folder in Path(tempfile.gettempdir()).glob("nnfp-*"):
        found = name.match(folder.name)
        if found and folder.is_dir() and not _alive(int(found.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def _checkout_of(path: Path) -> Path | None:
    """The source checkout holding `path` (a folder with pyproject.toml), if any."""
    for parent in path.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "nnlib").is_dir():
            return parent
    return None


def hidden_paths(course_root: Path | str | None = None, extra=()) -> list[Path]:
    """What the student's process must not see, even where it lies inside a folder the
    kernel needs (`allowed_paths`): the course folder, the reference packages (the running
    ones, and any copy installed in site-packages), the rest of their checkout (its .git
    holds every solution), the grader's home. The sandbox covers those inside an allowed
    folder; the rest is not in the kernel's file system at all."""
    found = [Path(__file__).resolve().parent]  # the autograder package
    spec = importlib.util.find_spec("nnlib")
    if spec is not None and spec.origin:
        found.append(Path(spec.origin).resolve().parent)
    for folder in _package_folders():  # a non-editable install beside numpy
        found += [folder / name for name in ("nnlib", "autograder") if (folder / name).exists()]
    if course_root is not None:
        found.append(Path(course_root).resolve())
    checkout = _checkout_of(found[0])
    if checkout is not None:
        found.append(checkout)
    found.append(Path.home())
    found += [Path(p).resolve() for p in extra]
    return sorted(set(found))


# The system's part of a kernel's file system, each for a reason. Found with strace and
# /proc/<pid>/maps on a kernel that imports numpy, ipykernel, matplotlib, ssl, sqlite3 and
# ctypes, saves a plot and starts a Pool: besides the interpreter and the packages, it maps
# only files of /usr/lib/<arch> (the C library, the loader, gconv) and /usr/lib/locale.
# On a merged-/usr system /bin, /lib and /lib64 are symlinks into /usr:
SYSTEM_PATHS = (
    "/usr/lib",  # the C library and what the interpreter and the compiled packages load:
    "/usr/lib64",  # libm, libz, libffi, libssl, libstdc++, libpng, libfreetype, gconv...
    "/lib",
    "/lib64",  # the dynamic loader (/lib64/ld-linux-x86-64.so.2)
    "/usr/bin",  # sh and the commands a notebook may start with subprocess
    "/bin",
    "/usr/share/zoneinfo",  # time zones: time.localtime, datetime, zoneinfo
    "/etc/ld.so.cache",  # where the loader finds libraries
    "/etc/localtime",
)
# Not there: /usr/local, /usr/src, /usr/share (but zoneinfo), /etc (but the two files
# above; the sandbox writes a passwd, group and hosts of its own), /home, /root, /opt,
# /srv, /mnt, /var, /run, /sys, and every other place a person may have put a copy of the
# course. The kernel also gets a fresh /proc, /dev (null, zero, full, random, urandom,
# shm), size-limited tmpfs on /tmp, /var/tmp and /dev/shm, and the job's ipc folder.


@functools.cache
def _package_folders() -> list[Path]:
    """The folders the kernel's packages are installed in: this environment's
    site-packages, and wherever ipykernel, numpy and matplotlib are found."""
    folders = {Path(p) for p in site.getsitepackages()}
    for name in ("ipykernel", "IPython", "numpy", "matplotlib", "zmq"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.add(Path(next(iter(spec.submodule_search_locations))).parent)
    return sorted(p for p in folders if p.is_dir())


@functools.cache
def allowed_paths() -> list[str]:
    """Everything the kernel's file system holds of the machine's (read-only): the
    interpreter and its standard library (the prefixes, and the executable's real path),
    the packages (`_package_folders`), and the system's part (`SYSTEM_PATHS`). Each is
    given as found and by its real path, so that a symlink in either leads somewhere. A
    virtual environment inside the checkout is given alone: the checkout, and every folder
    around it, never are (whatever found them). Of a system Python (prefix /usr or
    /usr/local), only the prefix's bin and lib folders are given."""
    paths = set()
    for prefix in {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}:
        shared = os.path.realpath(prefix) in ("/", "/usr", "/usr/local")  # a system Python
        paths |= {f"{prefix}/bin", f"{prefix}/lib", f"{prefix}/lib64"} if shared else {prefix}
    paths |= {sys.executable, *map(str, _package_folders()), *SYSTEM_PATHS}
    paths |= {os.path.realpath(p) for p in paths}
    checkout = _checkout_of(Path(__file__).resolve().parent)
    around = {checkout, *checkout.parents} if checkout else {Path("/")}  # never these
    paths = {os.path.normpath(p) for p in paths if os.path.lexists(p)}
    return sorted(p for p in paths if Path(p) not in around)


class Confinement:
    """One job's confinement. Use `wrap` on the kernel command; `close` when the job ends.

    ``ipc_dir`` is where the kernel's Unix sockets and connection file go: the one folder
    on the real disk the kernel can write to (only until the kernel has started). At the
    "namespaces" level the kernel sees `allowed_paths`, read-only, and nothing else of the
    machine's; `course_root` and ``hide_extra`` join `hidden_paths`, covered where they
    lie inside an allowed folder.
    """

    def __init__(
        self,
        limits: Limits,
        env: dict[str, str],
        course_root: Path | str | None = None,
        level: str | None = None,
        hide_extra=(),
    ):
        self.limits = limits
        self.level = level or isolation()
        self.name = f"nnfp-judge-{os.getpid()}-{time.monotonic_ns() % 10**9}"
        self.ipc_dir = tempfile.mkdtemp(prefix=f"nnfp-ipc-{os.getpid()}-")
        self.uid = 100000 + os.getpid() if os.geteuid() == 0 else None
        self.cgroups = _make_cgroups(self.name, limits) if self.level == "namespaces" else []
        self.env = dict(env)
        cfg = _config(
            limits,
            self.level,
            hidden_paths(course_root, hide_extra) if self.level == "namespaces" else [],
            allowed_paths() if self.level == "namespaces" else [],
            self.env,
            self.uid,
            [str(c) for c in self.cgroups],
        )
        cfg["writable"] = [self.ipc_dir]
        if self.level == "namespaces" and self.uid is not None and not self.cgroups:
            cfg["nproc"] = limits.processes  # counts this job's own uid only
        if self.level != "namespaces":
            cfg["workdir"] = cfg["home"] = tempfile.mkdtemp(prefix="nnfp-work-")
            self.env["HOME"] = self.env["PWD"] = cfg["workdir"]
            cfg["env"] = self.env
            cfg["uid"] = None
        self.config = cfg
        if self.uid is not None and self.level == "namespaces":
            os.chown(self.ipc_dir, self.uid, self.uid)

    def wrap(self, argv: list[str]) -> list[str]:
        """The command that runs `argv` confined (through the zygote when there is one)."""
        cfg = json.dumps({**self.config, "parent": os.getpid()})  # who runs the command
        zygote = zygote_path()
        if zygote is not None:
            return [sys.executable, "-I", "-S", SANDBOX, "--client", zygote, cfg, "--", *argv]
        return [sys.executable, "-I", "-S", SANDBOX, cfg, "--", *argv]

    def started(self) -> None:
        """After the kernel bound its sockets: the ipc folder becomes read-only for it."""
        if self.uid is not None:
            with contextlib.suppress(OSError):
                os.chown(self.ipc_dir, 0, 0)
                os.chmod(self.ipc_dir, 0o755)

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by every process of the job, from its
        cgroup (v1 cpuacct, or v2 cpu.stat); None where the job has no such cgroup."""
        for folder in self.cgroups:
            try:
                if (folder / "cpuacct.usage").exists():
                    return int((folder / "cpuacct.usage").read_text()) / 1e9
                if (folder / "cpu.stat").exists():
                    for line in (folder / "cpu.stat").read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "usage_usec":
                            return int(value) / 1e6
            except (OSError, ValueError):
                return None
        return None

    def close(self, launcher_pid: int | None = None) -> None:
        """Kill what the job left: its cgroups' processes, and at the "rlimits" level the
        launcher's session (the launcher made it with setsid, so its pgid is its pid)."""
        if launcher_pid and self.level != "namespaces":
            with contextlib.suppress(OSError):
                os.killpg(launcher_pid, signal.SIGKILL)
            kill_session(launcher_pid)  # the launcher called setsid: its pid is the session
        deadline = time.monotonic() + 5
        for folder in self.cgroups:
            _kill_cgroup(folder, deadline)
        self.cgroups = []
        shutil.rmtree(self.ipc_dir, ignore_errors=True)
        if self.level != "namespaces":
            shutil.rmtree(self.config["workdir"], ignore_errors=True)
