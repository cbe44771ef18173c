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
    * the filesystem is read-only, except fresh size-limited tmpfs on ``/tmp``,
      ``/var/tmp`` and ``/dev/shm`` (the working directory ``/tmp/<name>`` is in there);
    * the course folder (gradebook, source notebooks), the nnlib and autograder packages and
      the rest of a source checkout are covered by empty read-only tmpfs: not readable;
    * ``/proc`` is the namespace's own: no other process, environment or command line shows;
    * as root: a separate unprivileged uid per job (so ``RLIMIT_NPROC`` counts this job
      only), and cgroups (v1 or v2) capping the memory and the number of processes of the
      whole job, when writable.
``"rlimits"`` (no namespaces)
    resource limits, a new session and a kill of its process group at the end. Detached
    processes that leave the session can survive, the file system and the network are open:
    use this level only for trusted code or inside a container.

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
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
_MOUNT_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}

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


def _mountpoints() -> list[tuple[str, int]]:
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            parts = line.split()
            target = parts[4].replace("\\040", " ")
            flags = 0
            for opt in parts[5].split(","):
                flags |= _MOUNT_FLAGS.get(opt, 0)
            points.append((target, flags))
    return points


def _setup_filesystem(cfg: dict) -> None:
    """In the new mount namespace: tmpfs where writes go, everything else read-only."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    keep = [p for p in cfg["keep"] if os.path.exists(p)]
    fds = {p: os.open(p, os.O_RDONLY) for p in keep}  # reachable after they are covered
    size = int(cfg["disk_bytes"])
    mode = "1777"
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(d):
            _mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode={mode}")
    for hidden in cfg["hide"]:  # read-only below, with every other mount
        if os.path.isdir(hidden):
            _mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")
        elif os.path.exists(hidden):
            _mount("/dev/null", hidden, None, MS_BIND)
    for p, fd in fds.items():  # the paths that must stay reachable, bound back in place
        if not os.path.isdir(p):
            os.makedirs(p, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", p, None, MS_BIND | MS_REC)
        os.close(fd)
    writable = {"/tmp", "/var/tmp", "/dev/shm", *cfg.get("writable", ())}
    for target, flags in _mountpoints():
        if target in writable or target.startswith(("/proc", "/sys", "/dev")):
            continue
        # a mount we cannot remount (locked in a user namespace) stays as it is
        with contextlib.suppress(OSError):
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
    os.makedirs(cfg["workdir"], exist_ok=True)
    os.makedirs(cfg["home"], exist_ok=True)
    if cfg.get("uid") is not None:
        for d in (cfg["workdir"], cfg["home"]):
            os.chown(d, cfg["uid"], cfg["uid"])


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
        if kernel and hook:  # the same hook, then the kernel as `-m` would run it
            run = "import runpy\nrunpy.run_module('ipykernel_launcher', run_name='__main__')"
            argv = [argv[0], "-c", f"{hook}\n{run}", *argv[3:]]
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


def _init(cfg: dict, argv: list[str]) -> None:
    """PID 1 of the job's namespace: set up, start the kernel, reap, exit with it."""
    try:
        _die_with_parent()
        _setup_filesystem(cfg)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
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
