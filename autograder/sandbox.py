"""The launcher that confines a student's kernel: a script, run by `autograder.confine`.

`autograder.confine.Confinement` (the grader's side: limits, what to hide, cgroups) wraps
the kernel command in this file::

    python -I -S sandbox.py '<json config>' -- python -m ipykernel_launcher -f conn.json

so that it needs only the standard library and starts in ~20 ms. With a zygote (`zygote`:
one per grader process, which has already imported ipykernel and numpy), the command is
``sandbox.py --client SOCKET '<json config>' -- ...`` instead, and a child of the zygote
does the same steps without an exec. What the launcher does depends on what the machine
allows, best first (`autograder.confine.isolation` tells which level applies):

``"namespaces"`` (root, or unprivileged user namespaces)
    * new PID, mount, network and IPC namespaces: the kernel is PID 2 under an init (PID 1);
      when the job ends PID 1 dies and the Linux kernel kills **every** process in the
      namespace, detached and double-forked ones included. The network namespace has no
      interface up, so there is no network (the Jupyter sockets are Unix sockets, ``ipc``);
    * the kernel's file system is a new root (a tmpfs, entered with pivot_root; the old
      root is detached, and no fd or working directory of the job leads back to it) that
      holds only what a kernel needs, read-only: the interpreter, its packages and the
      system's libraries and commands (`autograder.confine.allowed_paths`, each path
      bound at its own place, never the folder around it: a virtual environment inside
      the checkout comes without the checkout), a fresh ``/proc`` (the namespace's own:
      no other process, environment or command line shows), a ``/dev`` of null, zero,
      full, random and urandom, an ``/etc`` of the loader's cache, the time zone and a
      passwd, group and hosts of its own, the job's ipc folder (the Jupyter sockets), and
      fresh size-limited tmpfs on ``/tmp``, ``/var/tmp`` and ``/dev/shm`` (the working
      directory ``/tmp/<name>`` is in there). Nothing else of the machine exists for the
      kernel: not the course folder, the checkout, the checkout it was cloned from, a copy
      of the course elsewhere, /home, /root, /srv or /opt. What the grader names as hidden
      (`autograder.confine.hidden_paths`) and lies inside an allowed folder, such as a
      copy of nnlib or autograder in site-packages, is covered by an empty tmpfs;
    * as root: a separate unprivileged uid per job (so ``RLIMIT_NPROC`` counts this job
      only), and cgroups (v1 or v2) capping the memory and the number of processes of the
      whole job, when writable. Without root (a user namespace) the kernel gives up the
      capabilities the namespace gave it, so it cannot remount or unmount anything.
``"rlimits"`` (no namespaces)
    resource limits, a new session and a kill of its process group at the end. Detached
    processes that leave the session can survive, and the file system (the course, the
    checkout, every copy of them) and the network are open: the file system is not
    confined at all. Use this level only for trusted code or inside a container.

Every level also sets: address-space, file-size, open-file and core-dump limits, stdout and
stderr of the kernel to /dev/null (what the student prints travels as Jupyter messages, which
the judge caps), and a clean environment chosen by the judge. The kernel starts with the
signal state of a fresh Python (`default_signals`: nothing the launcher, the zygote or the
grader installed, ignored or blocked), so a helper process it forks dies on
`Process.terminate()`; a fork or thread refused by the process limit raises the usual error
with a message naming the limit (`_LIMITS_HOOK`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import select
import signal
import sys

# ------------------------------------------------------------------------ launcher side

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
_STATVFS_FLAGS = (
    (os.ST_NOSUID, MS_NOSUID),
    (os.ST_NODEV, MS_NODEV),
    (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME),
    (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)
# pivot_root's number (glibc has no wrapper) for 64-bit processes; elsewhere: chroot
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41} if sys.maxsize > 2**32 else {}

_LIBC = None


def _libc():
    """The C library (loaded once), for mount, unshare and prctl."""
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _LIBC


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    _check(
        _libc().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
        f"mount {target}",
    )


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _set_rlimits(cfg: dict) -> None:
    import resource

    def cap(kind, value):
        if value is None:
            return
        _soft, hard = resource.getrlimit(kind)
        value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
        resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_AS, cfg.get("address_space"))
    cap(resource.RLIMIT_FSIZE, cfg.get("file_size"))
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    if cfg.get("nproc") is not None:
        cap(resource.RLIMIT_NPROC, cfg["nproc"])


def _flags_of(path: str) -> int:
    """The mount flags of the mount holding `path` that a read-only remount must repeat
    (in a user namespace they are locked: leaving one out is refused)."""
    st, flags = os.statvfs(path).f_flag, 0
    for st_flag, ms_flag in _STATVFS_FLAGS:
        if st & st_flag:
            flags |= ms_flag
    return flags


def _bind(source: str, target: str, writable: bool = False) -> None:
    """Bind `source` (a path, or /proc/self/fd/N) on `target`, read-only, no set-uid and no
    devices unless `writable`. Not recursive, so nothing mounted below the source comes
    along, except where the kernel refuses that (locked mounts in a user namespace)."""
    try:
        _mount(source, target, None, MS_BIND)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        _mount(source, target, None, MS_BIND | MS_REC)
    if not writable:
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | _flags_of(target)
        _mount(None, target, None, flags)


def _within(root: str, path: str, create: bool) -> str | None:
    """`path` under the new `root`, its missing folders made if `create`; None where one of
    its folders is a symlink (what lies beyond is reached through the link's own target),
    or, without `create`, where it does not exist."""
    here = root
    for part in [p for p in path.split("/") if p][:-1]:
        here = os.path.join(here, part)
        if os.path.islink(here):
            return None
        if not os.path.isdir(here):
            if not create:
                return None
            os.mkdir(here, 0o755)
    target = os.path.join(root, path.lstrip("/"))
    return target if create or os.path.lexists(target) else None


def _open_sources(paths: list[str]) -> list[tuple[str, str | None, int | None]]:
    """(path, symlink target, O_PATH fd) of each path that exists, parents first: opened
    before the staging tmpfs covers /tmp, where a source (the ipc folder) may lie."""
    sources = []
    for path in sorted(set(paths), key=lambda p: p.split("/")):
        if os.path.islink(path):
            sources.append((path, os.readlink(path), None))
        elif os.path.exists(path):
            sources.append((path, None, os.open(path, os.O_PATH | os.O_CLOEXEC)))
    return sources


def _bind_sources(root: str, sources, writable: bool) -> list[str]:
    """Each source at its own path in `root` (a symlink as a symlink); the folders bound."""
    bound: list[str] = []
    for path, link, fd in sources:
        inside = any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound)
        target = None if inside else _within(root, path, create=True)
        if target is not None and link is not None:
            if not os.path.lexists(target):
                os.symlink(link, target)
        elif target is not None:
            if not os.path.lexists(target):
                if os.path.isdir(f"/proc/self/fd/{fd}"):
                    os.mkdir(target, 0o755)
                else:
                    open(target, "w").close()
            _bind(f"/proc/self/fd/{fd}", target, writable)
            if os.path.isdir(target):
                bound.append(path)
        if fd is not None:
            os.close(fd)
    return bound


def _make_dev(root: str, size: int) -> None:
    """/dev with the few devices a program expects, /dev/shm for multiprocessing's
    semaphores, and the usual links to /proc/self/fd. No tty: the kernel has no terminal."""
    dev = os.path.join(root, "dev")
    os.mkdir(dev, 0o755)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in ("null", "zero", "full", "random", "urandom"):
        open(os.path.join(dev, name), "w").close()
        _mount(f"/dev/{name}", os.path.join(dev, name), None, MS_BIND)
    for name, target in (("fd", ""), ("stdin", "/0"), ("stdout", "/1"), ("stderr", "/2")):
        os.symlink(f"/proc/self/fd{target}", os.path.join(dev, name))
    os.mkdir(os.path.join(dev, "shm"))
    _mount(
        "tmpfs", os.path.join(dev, "shm"), "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777"
    )
    _mount(None, dev, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC)


def _write_etc(root: str, cfg: dict) -> None:
    """A passwd, group and hosts of the job's own: who the kernel's user is (getpass,
    ``~user``) and that localhost is 127.0.0.1, and nothing of the machine's."""
    uid = cfg.get("uid")
    uid = os.getuid() if uid is None else uid
    files = {
        "passwd": f"root:x:0:0:root:/root:/bin/sh\nstudent:x:{uid}:{uid}::{cfg['home']}:/bin/sh\n",
        "group": f"root:x:0:\nstudent:x:{uid}:\n",
        "hosts": "127.0.0.1 localhost\n::1 localhost\n",
    }
    etc = os.path.join(root, "etc")
    os.makedirs(etc, 0o755, exist_ok=True)
    for name, text in files.items():
        if not os.path.lexists(os.path.join(etc, name)):
            _write(os.path.join(etc, name), text)


def _setup_filesystem(cfg: dict) -> None:
    """In the new mount namespace: a new root file system that holds only what the kernel
    needs (the module docstring lists it), entered with pivot_root; the old one is then
    detached, so that no path, fd or working directory leads back to it."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    allowed = _open_sources(cfg["allow"])
    writable = _open_sources(cfg.get("writable", ()))
    root = "/tmp"  # staging: any folder will do, the old tree is detached below
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.mkdir(os.path.join(root, "proc"), 0o555)
    _mount("proc", os.path.join(root, "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    size = int(cfg["disk_bytes"])
    _make_dev(root, size)
    for d in ("tmp", "var/tmp"):
        target = _within(root, d, create=True)
        os.mkdir(target)
        _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    bound = _bind_sources(root, allowed, writable=False)
    _bind_sources(root, writable, writable=True)
    for hidden in cfg["hide"]:  # inside an allowed folder (a package in site-packages)
        target = _within(root, hidden, create=False)
        if target is None or not any(hidden.startswith(b.rstrip("/") + "/") for b in bound):
            continue
        if os.path.islink(target):
            continue  # leads outside the allowed folders, or to what is covered here
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0755")
        elif os.path.isfile(target):
            _mount("/dev/null", target, None, MS_BIND)
    for d in (cfg["workdir"], cfg["home"]):
        os.makedirs(_within(root, d, create=True), exist_ok=True)
        if cfg.get("uid") is not None:
            os.chown(os.path.join(root, d.lstrip("/")), cfg["uid"], cfg["uid"])
    _write_etc(root, cfg)
    _mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _enter_root(root)


def _enter_root(root: str) -> None:
    """Make `root` the root, and detach the old one (pivot_root); where pivot_root is not
    possible (an initramfs root), move `root` over / and chroot into it."""
    os.chdir(root)
    number = _PIVOT_ROOT.get(os.uname().machine)
    pivoted = number is not None and _libc().syscall(ctypes.c_long(number), b".", b".") == 0
    if pivoted:  # the old root is now stacked on the new one: detach it
        _check(_libc().umount2(b".", MNT_DETACH), "umount2 the old root")
    else:
        _mount(".", "/", None, MS_MOVE)
        os.chroot(".")
    os.chdir("/")


def _join_cgroups(cfg: dict) -> None:
    for path in cfg.get("cgroups", ()):
        with contextlib.suppress(OSError):
            _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))


_PARENT_PIPE: list[int] = []  # in a child of `_fork`: the read end of its parent's pipe


def _fork(child, *args) -> int:
    """Fork; the child runs `child(*args)` (which never returns); the parent relays
    SIGINT, SIGTERM, SIGHUP and SIGQUIT to it from then on, and gets its pid. The parent
    keeps the write end of a pipe open for as long as it lives, which `_die_with_parent`
    in the child reads as its sign of life."""
    box = [0]

    def relay(signum, frame):
        if box[0] > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(box[0], signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, relay)
    alive, life = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(life)
        _PARENT_PIPE[:] = [alive]
        child(*args)
    os.close(alive)  # `life` stays open, unused, until this process ends
    box[0] = pid
    return pid


def _die_with_parent(parent: int | None = None) -> None:
    """Be SIGKILLed when the parent process dies (``PR_SET_PDEATHSIG``), and exit now if it
    has already died: then nothing would ever send that signal, and this process would
    outlive the job. Without `parent` (a pid), the parent is the `_fork` that made this
    process, known by its pipe; this also works across a PID namespace, where getppid()
    is 0."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None:
        gone = os.getppid() != parent
    else:  # nobody writes to the pipe: it is readable only at EOF, when the parent is gone
        gone = bool(_PARENT_PIPE) and bool(select.select(_PARENT_PIPE, [], [], 0)[0])
    if gone:
        os._exit(1)


def _exit_like(status: int) -> None:
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def kill_session(sid: int) -> None:
    """SIGKILL every process of session `sid` but the caller (Linux: from /proc)."""
    me = os.getpid()
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:  # state ppid pgrp session: the 4th after the name
                with contextlib.suppress(OSError):
                    os.kill(int(entry), signal.SIGKILL)


def default_signals(python: bool = False) -> None:
    """Every signal back to its default disposition, none blocked: what the launcher, its
    init and the zygote installed (handlers that relay signals, or do nothing in the child
    that inherits them) and what the grader passed on (ignored or blocked signals survive
    fork and exec) must not reach the student's kernel, or a helper process it forks would
    ignore `Process.terminate()`. With `python`, also what Python itself sets up at start
    (SIGINT raises KeyboardInterrupt; SIGPIPE and SIGXFSZ ignored, so that writes fail with
    an error instead), for a kernel that starts without an exec of a fresh Python."""
    for sig in signal.valid_signals():
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        with contextlib.suppress(OSError, ValueError):  # the C library's own signals
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if python:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for name in ("SIGPIPE", "SIGXFSZ"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)


def _drop_capabilities() -> None:
    """Give up every capability. In a user namespace (no root), the process that made it
    holds them all there, and a kernel that starts without an exec (a zygote's) would keep
    them: enough to remount the allowed folders writable, or uncover what is hidden."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this pid
    _check(_libc().capset(header, (ctypes.c_uint32 * 6)()), "capset")


def _exec_kernel(cfg: dict, argv: list[str]) -> None:
    """In the child that becomes the kernel: limits, identity, cwd, fds, signals (default),
    then exec."""
    try:
        _set_rlimits(cfg)
        uid = cfg.get("uid")
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        elif cfg["level"] == "namespaces":
            _drop_capabilities()
        _die_with_parent()  # after setuid, which clears it: dies with its init or launcher
        _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        os.chdir(cfg["workdir"])
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        log = null
        if cfg.get("log"):  # for debugging the launcher: the kernel's own stdout and stderr
            log = os.open(cfg["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(log, 1)
        os.dup2(log, 2)
        kernel = argv[1:3] == ["-m", "ipykernel_launcher"]
        inprocess = bool(cfg.get("inprocess")) and kernel
        default_signals(python=inprocess)  # last: a SIGTERM from now on ends the kernel
        hook = _limits_hook(cfg.get("processes"))
        if inprocess:
            exec(hook, {})
            _run_kernel_here(cfg["env"], argv)
        if kernel:  # the hook, no debugger, then the kernel as `-m` would run it
            run = "import runpy\nrunpy.run_module('ipykernel_launcher', run_name='__main__')"
            argv = [argv[0], "-c", f"{hook}\n{_NO_DEBUGGER}\n{run}", *argv[3:]]
        os.execve(argv[0], argv, cfg["env"])
    except BaseException as exc:
        os.write(2, f"sandbox: cannot start {argv[0]}: {type(exc).__name__}: {exc}\n".encode())
    finally:
        os._exit(127)


# Run in the kernel before it starts: a fork or thread refused by the job's process limit
# (EAGAIN, from the cgroup's pids.max or RLIMIT_NPROC) says so, in the same exception type.
_LIMITS_HOOK = """
def _nnfp_process_limit(limit):
    import os, threading
    why = (f"the grader's sandbox allows at most {limit} processes and threads at once for "
           "your notebook, the kernel's own included: use fewer (e.g. Pool(2))")
    fork, start = os.fork, getattr(threading, "_start_new_thread", None)

    def _fork():
        try:
            return fork()
        except BlockingIOError as exc:
            raise BlockingIOError(exc.errno, f"{exc.strerror}: {why}") from None

    def _start_new_thread(*args, **kwargs):
        try:
            return start(*args, **kwargs)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {why}") from None

    _fork.__doc__, _fork.__name__, _fork.__qualname__ = fork.__doc__, "fork", "fork"
    os.fork = _fork
    if start is not None:
        threading._start_new_thread = _start_new_thread


_nnfp_process_limit(__LIMIT__)
del _nnfp_process_limit
"""


# A graded kernel has no debugger: ipykernel imports debugpy (and pydevd with it) if it
# can, when a kernel starts (7.x) or when ipykernel.ipkernel is imported (6.x, in the
# zygote), about 0.1 s of every kernel's start and a debug server no submission needs.
# An absent module makes ipykernel start without one.
_NO_DEBUGGER = "import sys\nsys.modules['debugpy'] = None"


def _limits_hook(processes) -> str:
    """The source of `_LIMITS_HOOK` for a limit of `processes` ("" without a limit)."""
    return _LIMITS_HOOK.replace("__LIMIT__", str(int(processes))) if processes else ""


def _run_kernel_here(env: dict, argv: list[str]) -> None:
    """In a child of the zygote: be the kernel, with ipykernel and numpy already imported."""
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [argv[0], *argv[3:]]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]
    exec(_NO_DEBUGGER, {})
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv[3:])
    app.start()
    os._exit(0)


def launch(cfg: dict, argv: list[str]) -> None:
    """The launcher's main: never returns."""
    if cfg.get("parent") is not None:  # started by the grader, not by the zygote
        _die_with_parent(cfg.pop("parent"))
    _join_cgroups(cfg)
    if cfg["level"] != "namespaces":
        with contextlib.suppress(OSError):  # EPERM: already a session leader (Popen did it)
            os.setsid()
        _, status = os.waitpid(_fork(_exec_kernel, cfg, argv), 0)
        try:
            kill_session(os.getsid(0))  # whatever it left in this session
        finally:
            _exit_like(status)
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
    if os.geteuid() != 0:
        uid, gid = os.getuid(), os.getgid()
        _check(_libc().unshare(CLONE_NEWUSER | flags), "unshare")
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
        cfg["uid"] = None
    else:
        _check(_libc().unshare(flags), "unshare")
    _, status = os.waitpid(_fork(_init, cfg, argv), 0)
    _exit_like(status)


def _close_inherited_fds() -> None:
    """Close every fd but stdin, stdout, stderr and `_fork`'s pipe: an fd open on a file or
    folder of the old root would lead back to it once the new root is entered."""
    keep = {0, 1, 2, *_PARENT_PIPE}
    for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
        if fd not in keep:
            with contextlib.suppress(OSError):  # the listing's own fd, closed by now
                os.close(fd)


def _init(cfg: dict, argv: list[str]) -> None:
    """PID 1 of the job's namespace: set up, start the kernel, reap, exit with it."""
    try:
        _die_with_parent()
        _close_inherited_fds()
        _setup_filesystem(cfg)
        kernel = _fork(_exec_kernel, cfg, argv)
        while True:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                os._exit(1)
            except InterruptedError:
                continue
            if pid == kernel:
                _exit_like(status)  # PID 1 exits: every process left in the namespace dies
    except BaseException as exc:  # a set-up failure must be visible to the judge
        try:
            sys.stderr.write(f"sandbox: {type(exc).__name__}: {exc}\n")
        finally:
            os._exit(126)


# ------------------------------------------------------------------------------ zygote
#
# Starting a kernel costs ~0.4 s of CPU, mostly Python importing ipykernel and numpy. The
# zygote is a process, started once per grading worker with a clean environment, that has
# imported both and forks a fresh child per job; the child then does exactly what the
# launcher does (namespaces, limits, uid) and becomes the kernel without an exec. The
# process jupyter_client starts is a small client of the zygote: it asks for a job, relays
# signals, and exits with the job's status. If the client dies, the zygote kills the job.


def _send(sock, obj) -> None:
    sock.sendall(json.dumps(obj).encode() + b"\n")


def zygote(path: str, parent: int) -> None:
    """Serve jobs on the Unix socket `path` until the grader, pid `parent`, dies."""
    _die_with_parent(parent)
    import selectors
    import socket

    exec(_NO_DEBUGGER, {})  # before ipykernel: its older versions import debugpy at import
    import ipykernel.kernelapp  # noqa: F401  the imports every job would otherwise repeat
    import numpy  # noqa: F401

    me = os.getpid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ)
    jobs: dict = {}  # connection -> job pid
    buffers: dict = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    while True:
        for key, _ in sel.select(timeout=0.05):
            if key.fileobj is server:
                conn, _ = server.accept()
                sel.register(conn, selectors.EVENT_READ)
                buffers[conn] = b""
                continue
            conn = key.fileobj
            data = conn.recv(1 << 20)
            if not data:  # the client died or hung up: so does its job
                sel.unregister(conn)
                pid = jobs.pop(conn, None)
                if pid:
                    kill_session(pid)  # the job's launcher leads its own session
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                conn.close()
                buffers.pop(conn, None)
                continue
            buffers[conn] += data
            while b"\n" in buffers[conn]:
                line, buffers[conn] = buffers[conn].split(b"\n", 1)
                msg = json.loads(line)
                if "start" in msg:
                    pid = os.fork()
                    if pid == 0:
                        _die_with_parent(me)
                        os.closerange(3, 1 << 16)
                        cfg, argv = msg["start"]
                        cfg["inprocess"] = True
                        with contextlib.suppress(OSError):
                            os.setsid()
                        launch(cfg, argv)
                    jobs[conn] = pid
                    _send(conn, {"pid": pid})
                elif "signal" in msg and jobs.get(conn):
                    with contextlib.suppress(OSError):
                        os.kill(jobs[conn], int(msg["signal"]))
        while True:  # reap finished jobs and tell their clients
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            for conn, job in list(jobs.items()):
                if job == pid:
                    del jobs[conn]
                    with contextlib.suppress(OSError):
                        _send(conn, {"exit": status})


def client(path: str, cfg: dict, argv: list[str]) -> None:
    """The process jupyter_client starts: one job of the zygote at `path`, which the zygote
    kills when this process dies, and this process dies with the grader."""
    import socket

    _die_with_parent(cfg.pop("parent", None))

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)

    def relay(signum, frame):
        with contextlib.suppress(OSError):
            _send(sock, {"signal": signum})

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, relay)
    _send(sock, {"start": [cfg, argv]})
    buf = b""
    while True:
        try:
            data = sock.recv(4096)
        except InterruptedError:
            continue
        if not data:
            os._exit(1)
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = json.loads(line)
            if "exit" in msg:
                _exit_like(int(msg["exit"]))


def main(args: list[str]) -> None:
    # the launcher, the zygote and the client relay signals: none may stay blocked, as the
    # grader (a thread of it) may have left them; the kernel resets the rest (default_signals)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if args[:1] == ["--zygote"] and len(args) == 3:
        zygote(args[1], int(args[2]))
    if args[:1] == ["--client"] and len(args) >= 5 and args[3] == "--":
        client(args[1], json.loads(args[2]), args[4:])
    if len(args) < 3 or args[1] != "--":
        sys.stderr.write("usage: sandbox.py CONFIG_JSON -- COMMAND...\n")
        os._exit(2)
    launch(json.loads(args[0]), args[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
