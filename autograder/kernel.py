"""One confined Jupyter kernel running one rebuilt notebook: the judge's kernel session.

`KernelSession` starts a kernel through `autograder.confine` (its own namespaces, uid,
limits and environment, `kernel_env`), runs a *preamble* (code the caller needs first, e.g.
the judge's half of the wire format), then the notebook's setup and answer cells, never
its test cells. It enforces the time limits (per cell or call, and for the whole
submission), counts and caps what the kernel prints, and collects the *replies*: display
messages of the caller's MIME type, keyed by the token in their metadata (the kernel's
``/tmp`` is its own, so replies travel as Jupyter messages, not files).

Time is the job's CPU time where its cgroup measures it, with a wall-clock backstop for
code that sleeps or blocks (`autograder.course.Limits`); a batch-mate who loads the machine
costs a submission nothing. What the kernel sends cannot make the grader's own memory grow
without bound: the client has its own ZMQ context whose sockets refuse any message over
`MAX_MESSAGE_BYTES` (dropping the connection) and park at most `RECEIVE_QUEUE` messages;
the stdin channel is never opened (a kernel's stdin requests go nowhere); only replies of
tokens the caller awaits are kept; and a watchdog stops the kernel if the grader's memory
still grows by `MAX_GROWTH_BYTES` (a message of many frames, each under the cap).

A cell or call that does not finish raises `KernelLost`; `recover` then restarts the
kernel, re-runs the preamble and the cells, and runs only the def, class and import
statements of a cell that hung or killed the kernel (a cell whose definitions hang too is
dropped), so the rest of the notebook can still be graded. The grading protocol itself is
`autograder.judge`'s.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import threading
import time

from autograder.confine import Confinement, base_env
from autograder.course import Limits, cell_source, is_test_cell
from autograder.results import clean_text, valid_text
from autograder.scan import over_limit

__all__ = ["KernelLost", "KernelSession", "definitions_only", "error_text", "kernel_env"]

#: The longest error of a cell (``ename: evalue``) kept, in characters.
MAX_ERROR = 4000

#: The largest message frame the grader accepts from a kernel, in bytes (ZMQ MAXMSGSIZE: a
#: larger one is refused from its header, never allocated, and the connection dropped, so
#: the cell or call that sent it is lost and the kernel restarted). The largest legitimate
#: message is the judge's reply of an array of ``autograder.judge.MAX_OUTPUT_BYTES`` bytes,
#: base64 in JSON: 4/3 of that plus a few hundred bytes, which must stay below this cap (8 MiB
#: arrays, 10.7 MiB replies: far more than any answer of the course needs).
MAX_MESSAGE_BYTES = 12 * 2**20

#: Messages the grader's side of each channel holds before the kernel must wait (ZMQ
#: RCVHWM): what a flood of messages nobody asked for can park in the grader.
RECEIVE_QUEUE = 2

#: How far the grader's memory may grow while a kernel runs before the kernel is killed: the
#: backstop for a message of many frames, each under `MAX_MESSAGE_BYTES`, which ZMQ
#: assembles whole before the grader sees any of it. A legitimate reply (decoded, checked)
#: needs a few times `MAX_MESSAGE_BYTES` at most.
MAX_GROWTH_BYTES = 160 * 2**20

#: Seconds the execute_reply may lag the kernel's idle status (or the status the reply: a
#: flood can make the kernel drop its status), counted from the last message of the channel
#: it comes on, since it may be queued behind a flood there.
REPLY_GRACE = 2.0

#: The wall-clock backstop of a cell, call or submission, as a multiple of its CPU limit
#: (`KernelSession.wall_factor`): 3 leaves a computing answer room for a machine three times
#: oversubscribed; a cell that sleeps forever costs 3 × ``Limits.cell_seconds``.
WALL_FACTOR = 3.0

#: Seconds between two looks at the clocks while a cell or call runs.
POLL = 0.05


def error_text(reply: dict) -> str:
    """A failed execute_reply's ``ename: evalue``, cut to `MAX_ERROR` characters and valid
    UTF-8: a cell that raises a 100 MB message costs the grader no more than this."""
    ename = clean_text(reply.get("ename"), 200)
    return clean_text(f"{ename}: {clean_text(reply.get('evalue'), MAX_ERROR)}", MAX_ERROR)


def _size(content) -> int:
    """Characters of text in a message's content (strings in dicts and lists), counted
    without copying it (json.dumps of a 100 MB traceback would), nor recursing (a kernel
    may nest its JSON as deep as the parser allows)."""
    size, stack = 0, [content]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            size += 8
    return size


class KernelLost(Exception):
    """The call did not finish: timeout, dead kernel or the submission's time used up.

    `kind` names it in the failed check's message (``TimeoutError`` or ``KernelDied``).
    """

    def __init__(self, message: str, kind: str = "KernelDied") -> None:
        super().__init__(message)
        self.kind = kind


def kernel_env(workdir: str = "/tmp/work", home: str = "/tmp/home") -> dict[str, str]:
    """The whole environment of a student's kernel: nothing of the grader's is passed on.

    No ``NBGRADER_*``/``AUTOGRADER_*``/``JPY_*`` variables, no secrets; single-threaded BLAS;
    the processor settings that OpenBLAS needs for correct results where they are set.
    """
    return {
        **base_env(),
        "HOME": home,
        "PWD": workdir,
        "TMPDIR": "/tmp" if workdir.startswith("/tmp/") else workdir,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
        "IPYTHONDIR": os.path.join(home, ".ipython"),
        "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(home, ".local", "share", "jupyter"),
        "JUPYTER_RUNTIME_DIR": os.path.join(home, ".local", "share", "jupyter", "runtime"),
    }


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def definitions_only(source: str) -> str:
    """The def, class and import statements of a cell (IPython syntax allowed), or "" (also
    for a cell too long to parse, `autograder.scan.over_limit`: IPython's transformer and
    the parser took 25 s of the grader's CPU on a million-line cell).

    A cell that hung or killed the kernel is not run again whole: a correct function
    followed by ``%timeit`` or a stray loop keeps its points, the loop is not repeated.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    if over_limit(source):
        return ""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return ""
    kept = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
    return ast.unparse(ast.Module(body=kept, type_ignores=[])) if kept else ""


def _confined_manager_class():
    # jupyter_client is imported here, not at the top: start-up speed of the launcher-free
    # users of this module (tests of kernel_env, the layers test).
    from jupyter_client.manager import KernelManager

    class ConfinedKernelManager(KernelManager):
        """Starts the kernel through the sandbox launcher, with history off."""

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            conf = self.confinement  # set by KernelSession before start_kernel
            if conf.uid is not None and conf.level == "namespaces":
                os.chown(self.connection_file, conf.uid, conf.uid)
            return conf.wrap([*cmd, "--HistoryManager.enabled=False"])

    return ConfinedKernelManager


def _capped_context():
    """A ZMQ context whose every socket (the client's and the manager's control socket)
    refuses oversized messages and parks few: see `MAX_MESSAGE_BYTES`, `RECEIVE_QUEUE`."""
    import zmq

    context = zmq.Context()
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    context.setsockopt(zmq.LINGER, 0)
    return context


def _rss() -> int | None:
    """This process's resident memory in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _loaded() -> bool:
    """Is the machine oversubscribed (1-minute load average above the processors)?"""
    try:
        return os.getloadavg()[0] > (os.cpu_count() or 1)
    except OSError:
        return False


class _Watchdog(threading.Thread):
    """Kills a job's processes if the grader's memory grows by `MAX_GROWTH_BYTES` while it
    runs (looked at every 10 ms): the kernel's death drops the half-received message. Only
    signals are sent from this thread; the sockets stay the main thread's."""

    def __init__(self, confinement: Confinement, launcher: int | None) -> None:
        super().__init__(daemon=True, name="nnfp-kernel-watchdog")
        self.confinement, self.launcher = confinement, launcher
        self.done = threading.Event()
        self.fired = False
        self.base = _rss()

    def run(self) -> None:
        while self.base is not None and not self.done.wait(0.01):
            rss = _rss()
            if rss is not None and rss - self.base > MAX_GROWTH_BYTES:
                self.fired = True
                self._kill()
                return

    def _kill(self) -> None:
        cgroups = list(self.confinement.cgroups)
        for folder in cgroups:
            with contextlib.suppress(OSError, ValueError):
                for pid in (folder / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        os.kill(int(pid), signal.SIGKILL)
        if self.launcher and not cgroups:  # its own process group at the rlimits level
            with contextlib.suppress(OSError):
                os.killpg(self.launcher, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(self.launcher, signal.SIGKILL)

    def stop(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join(1)


class KernelSession:
    """A confined kernel running one rebuilt notebook's setup and answer cells.

    Parameters
    ----------
    notebook : NotebookNode
        The rebuilt notebook; its test cells (`autograder.course.is_test_cell`) are never run.
    limits : Limits
        ``cell_seconds`` per cell or call and ``submission_seconds`` in all (restarts
        included), in CPU seconds of the job where measured, with the `wall_factor`
        backstop; ``output_mb`` of output kept; the rest is enforced by the confinement.
    preamble : str
        Code run before the cells at every start (and restart).
    reply_mime : str
        Display messages of this MIME type are replies (`pop_reply`), not output.
    kernel_name, course_root, level, workdir_name
        The kernelspec; the course folder to hide; the isolation level (default: the best
        the machine allows); the working directory ``/tmp/<workdir_name>``.

    Attributes
    ----------
    executed : list of str
        Every code string sent to the kernel, for audit and tests.
    cell_errors : list of str
        The errors of the notebook's cells (a cell that hung or killed the kernel is named,
        since what it defines may be missing).
    restarts : int
    output_bytes : int
        What the kernel printed or displayed; beyond ``limits.output_mb`` it is dropped and
        ``output_exceeded`` is set.
    confinement : Confinement or None
        The running kernel's confinement (None when stopped).
    wall_factor : float
        The wall-clock backstop as a multiple of the CPU limits (default `WALL_FACTOR`).
    """

    def __init__(
        self,
        notebook,
        limits: Limits,
        *,
        preamble: str = "",
        reply_mime: str = "application/x-nnfp-reply+json",
        kernel_name: str = "python3",
        course_root=None,
        level: str | None = None,
        workdir_name: str = "work",
    ):
        self.notebook = notebook
        self.limits = limits
        self.wall_factor = WALL_FACTOR
        self.preamble = preamble
        self.reply_mime = reply_mime
        self.kernel_name = kernel_name
        self.course_root = course_root
        self.level = level
        self.workdir_name = workdir_name
        self.executed: list[str] = []
        self.cell_errors: list[str] = []
        self.restarts = 0
        self.output_bytes = 0
        self.output_exceeded = False
        self.km = None
        self.kc = None
        self.confinement: Confinement | None = None
        self.started_at = time.monotonic()
        self._cpu_spent = 0.0  # CPU seconds of this submission's earlier kernels
        self._measured = False  # does the job's cgroup count its CPU time?
        self._context = None
        self._monitors: list = []
        self._watchdog: _Watchdog | None = None
        self._awaited: set[str] = set()  # tokens whose replies are kept
        self._stray: tuple[str, object] | None = None  # the latest reply no one announced
        self._skip: dict[int, str] = {}  # cells that hung or killed the kernel: their defs
        self._dropped: set[int] = set()  # cells whose definitions hang too: not re-run
        self._hung: list[str] = []
        self._replies: dict[str, str] = {}

    # -- lifecycle

    def __enter__(self):
        try:
            self.start()
        except KernelLost as exc:  # every later call then fails with this reason
            self.cell_errors.append(str(exc))
            self._shutdown()
        return self

    def __exit__(self, *exc):
        self.close()

    def cpu_used(self) -> float | None:
        """CPU seconds of every kernel of this submission so far, None where not measured."""
        if not self._measured:
            return None
        return self._cpu_spent + (self._kernel_cpu() or 0.0)

    def _kernel_cpu(self) -> float | None:
        """CPU seconds of the running kernel's job, None when stopped or not measured."""
        return self.confinement.cpu_seconds() if self.confinement is not None else None

    @property
    def remaining(self) -> float:
        """Seconds left of the submission's time: of its CPU time where measured (and of
        the wall-clock backstop), else of wall time (stretched while the machine is loaded,
        see `autograder.course.Limits`)."""
        lim, wall = self.limits, time.monotonic() - self.started_at
        backstop = lim.submission_seconds * self.wall_factor - wall
        cpu = self.cpu_used()
        if cpu is not None:
            return min(lim.submission_seconds - cpu, backstop)
        return backstop if _loaded() else min(lim.submission_seconds - wall, backstop)

    def _start_kernel(self) -> None:
        import zmq  # here, not at the top: as jupyter_client (see _confined_manager_class)

        env = kernel_env(f"/tmp/{self.workdir_name}", "/tmp/home")
        conf = Confinement(self.limits, env, course_root=self.course_root, level=self.level)
        self.confinement = conf
        self._context = _capped_context()
        km = _confined_manager_class()(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=os.path.join(conf.ipc_dir, "k"),
            context=self._context,
        )
        km.connection_file = os.path.join(conf.ipc_dir, "kernel.json")
        km.confinement = conf
        self.km = km
        km.start_kernel(env=conf.env, cwd=conf.ipc_dir)
        proc = getattr(getattr(km, "provisioner", None), "process", None)
        self._watchdog = _Watchdog(conf, getattr(proc, "pid", None))
        self._watchdog.start()
        kc = km.client(context=self._context)
        kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
        self.kc = kc
        self._monitors = [
            sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
            for sock in (kc.shell_channel.socket, kc.iopub_channel.socket)
        ]
        self._wait_ready(max(1.0, min(60.0, self.remaining)))
        self._measured = self._measured or conf.cpu_seconds() is not None
        conf.started()

    def _wait_ready(self, timeout: float) -> None:
        """Like jupyter_client's wait_for_ready, without its fixed 0.2 s wait: ready means a
        kernel_info reply on shell *and* its status on IOPub, so the IOPub subscription is
        live (a message published before it would be lost, and the cell's wait time out)."""
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            msg_id = self.kc.kernel_info()
            replied = seen = False
            poll_until = time.monotonic() + 0.15
            while not (replied and seen) and time.monotonic() < poll_until:
                if time.monotonic() > deadline:
                    raise KernelLost(f"the kernel did not start within {timeout:g} s")
                with contextlib.suppress(Empty):
                    msg = self.kc.get_shell_msg(timeout=0.01)
                    replied |= msg.get("parent_header", {}).get("msg_id") == msg_id
                with contextlib.suppress(Empty):
                    msg = self.kc.get_iopub_msg(timeout=0.01)
                    seen |= msg.get("parent_header", {}).get("msg_id") == msg_id
            if replied and seen:
                while True:  # drop the rest of this request's status messages
                    try:
                        self.kc.get_iopub_msg(timeout=0.01)
                    except Empty:
                        return
            if not self.km.is_alive():
                raise KernelLost("the kernel died while starting")
            if time.monotonic() > deadline:
                raise KernelLost(f"the kernel did not start within {timeout:g} s")

    def start(self) -> None:
        """Start the kernel, run the preamble, then the notebook's cells (see the module
        docstring for a cell that hangs); raises `KernelLost` if the kernel cannot start."""
        if self.remaining <= 0:
            raise KernelLost(self._out_of_time())
        try:
            self._start_kernel()
        except KernelLost:
            self._shutdown()
            raise
        if self.preamble:
            self.run(self.preamble)
        self.cell_errors = list(self._hung)
        for i, cell in enumerate(self.notebook.cells):
            if cell.get("cell_type") != "code" or is_test_cell(cell) or i in self._dropped:
                continue
            code = cell_source(cell)
            if i in self._skip:  # it hung or killed the kernel: run only its definitions
                code = self._skip[i]
                if not code:
                    continue
            try:
                reply = self.run(code)
            except KernelLost as exc:
                if i in self._skip:
                    self._dropped.add(i)  # even its definitions hang: drop the cell
                else:
                    self._hung.append(
                        f"cell {i} ({cell_source(cell)[:40]!r}...): {exc}; "
                        "only its def, class and import statements were run again"
                    )
                    self._skip[i] = definitions_only(cell_source(cell))  # once, not per restart
                self._restart()  # raises KernelLost in turn once time is used up
                return
            if reply.get("status") != "ok":
                self.cell_errors.append(error_text(reply))

    def _out_of_time(self) -> str:
        lim, cpu = self.limits, self.cpu_used()
        if cpu is not None and cpu >= lim.submission_seconds:
            return f"the submission used up its {lim.submission_seconds:g} s of CPU time"
        if self._measured:
            return (
                f"the submission used up its {lim.submission_seconds * self.wall_factor:g} s "
                f"of wall time ({self.wall_factor:g} × its {lim.submission_seconds:g} s of CPU "
                "time, the limit for code that sleeps or blocks)"
            )
        return f"the submission used up its {lim.submission_seconds:g} s of grading time"

    def _restart(self) -> None:
        self._shutdown()
        self.restarts += 1
        self.start()  # the preamble and the cells again, minus those that hung

    def recover(self) -> None:
        """Restart after a lost call; if that fails too (time used up), stay stopped."""
        try:
            self._restart()
        except KernelLost:
            self._shutdown()

    def _shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.stop()
        if self.kc is not None:
            self.kc.stop_channels()
        self._cpu_spent += self._kernel_cpu() or 0.0
        launcher = None
        if self.km is not None:
            proc = getattr(getattr(self.km, "provisioner", None), "process", None)
            launcher = getattr(proc, "pid", None)
            if proc is not None:  # kill first: shutdown_kernel then need not poll for 0.1 s
                with contextlib.suppress(Exception):
                    proc.kill()
                    proc.wait(timeout=5)
            with contextlib.suppress(Exception):
                self.km.shutdown_kernel(now=True)
            with contextlib.suppress(Exception):
                self.km.cleanup_resources()
        if self.confinement is not None:
            self.confinement.close(launcher)
        if self._context is not None:
            self._context.destroy(linger=0)  # the monitors too
        self.km = self.kc = self.confinement = self._context = self._watchdog = None
        self._monitors = []

    def close(self) -> None:
        """Stop the kernel and kill whatever its job left."""
        self._shutdown()

    # -- running code

    def _output(self, msg) -> None:
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "display_data" and self.reply_mime in content.get("data", {}):
            token = content.get("metadata", {}).get("token")
            if token in self._awaited:
                self._replies[token] = content["data"][self.reply_mime]
            elif isinstance(token, str):  # one slot: a flood of them replaces one another
                self._stray = (token, content["data"][self.reply_mime])
            return
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data", "error"):
            size = _size(content.get("data", content.get("traceback", "")))
        else:
            return
        self.output_bytes += size
        if self.output_bytes > self.limits.output_mb * 2**20:
            self.output_exceeded = True

    def run(self, code: str) -> dict:
        """Execute `code`; the execute_reply's content. Raises `KernelLost` if it does not
        finish within its limits (`_Call`), the kernel is dead, or it sent a message the
        grader refuses or cannot read (the caller then calls `recover`)."""
        code = valid_text(code)  # a lone surrogate cannot be sent (jupyter_client's packer)
        self.executed.append(code)
        if self.remaining <= 0:
            raise KernelLost(self._out_of_time())
        if self.km is None or not self.km.is_alive():
            raise KernelLost("the kernel died")
        call = _Call(self)
        call.check_connection()  # a message refused between calls broke the connection
        msg_id = self.kc.execute(code, store_history=False, allow_stdin=False)
        return call.wait(msg_id)

    def run_cell(self, code: str) -> tuple[bool, str]:
        """Run `code` (e.g. a test cell that names no spec): (ok, error); never raises."""
        try:
            reply = self.run(code)
        except KernelLost as exc:
            self.recover()
            return False, str(exc)
        if reply.get("status") == "ok":
            return True, ""
        return False, error_text(reply)

    def pop_reply(self, token: str) -> str | None:
        """The reply tagged `token`, or None if none arrived; it is forgotten. A reply of a
        token not announced with `forget_reply` is found only if it is the latest such."""
        self._awaited.discard(token)
        if self._stray is not None and self._stray[0] == token:
            self._stray, reply = None, self._stray[1]
            return reply
        return self._replies.pop(token, None)

    def forget_reply(self, token: str) -> None:
        """Drop any reply tagged `token` and keep the next one: call it before sending a
        request with `token`. Replies of tokens no one awaits are not kept (one slot)."""
        self._replies.pop(token, None)
        self._awaited.add(token)


class _Call:
    """One execute request's wait: jupyter_client's ``execute_interactive`` (output hook on
    this request's IOPub messages, done at its idle status, then its execute_reply), with
    the session's limits looked at between short polls. Messages of other requests are
    read and dropped, so a flood parks nothing."""

    def __init__(self, session: KernelSession) -> None:
        self.s = session
        self.cell = float(session.limits.cell_seconds)
        self.wall0 = time.monotonic()
        self.cpu0 = session._kernel_cpu()
        self.idle_at: float | None = None
        self.reply_at: float | None = None
        self.reply: dict | None = None
        self.heard = {"iopub": 0.0, "shell": 0.0}  # when each channel last sent anything

    # -- the limits

    def _timeout(self, what: str) -> KernelLost:
        return KernelLost(f"no result within {what} (the kernel was restarted)", "TimeoutError")

    def limit_hit(self) -> KernelLost | None:
        """The limit this call has reached, as the `KernelLost` to raise, or None."""
        s, now = self.s, time.monotonic()
        if s.remaining <= 0:
            return KernelLost(s._out_of_time())
        cpu = s._kernel_cpu()
        if cpu is not None and self.cpu0 is not None:
            if cpu - self.cpu0 >= self.cell:
                return self._timeout(f"{self.cell:g} s of CPU time")
            if now - self.wall0 >= self.cell * s.wall_factor:
                return self._timeout(
                    f"{self.cell:g} s: it waited {self.cell * s.wall_factor:g} s of wall "
                    "time, the limit for code that sleeps or blocks"
                )
            return None
        waited = now - self.wall0  # no CPU time here: wall time, stretched under load
        if waited >= self.cell * s.wall_factor or (waited >= self.cell and not _loaded()):
            return self._timeout(f"{self.cell:g} s of wall time")
        return None

    # -- the connection

    def check_connection(self) -> None:
        """Raise `KernelLost` if a channel lost its connection: ZMQ dropped it for a message
        over `MAX_MESSAGE_BYTES` (it does not reconnect after that), the watchdog killed
        the kernel, or the kernel died."""
        s = self.s
        if s._watchdog is not None and s._watchdog.fired:
            raise KernelLost(
                f"the kernel sent the grader more than {MAX_GROWTH_BYTES // 2**20} MB at once; "
                "it was stopped"
            )
        if not any(m.poll(0) for m in s._monitors):
            return
        for _ in range(20):  # a dying kernel drops its connections first
            if not s.km.is_alive():
                raise KernelLost("the kernel died")
            time.sleep(0.05)
        raise KernelLost(
            f"the kernel sent a message over the {MAX_MESSAGE_BYTES // 2**20} MB the grader "
            "accepts (an output or error that large); the kernel was restarted"
        )

    def _read(self, channel, msg_id: str) -> dict | None:
        """The next message of `channel`: None if there is none, {} if it belongs to another
        request (dropped after reading only its small parent header, so a flood costs
        little), else the message, checked and unpacked by jupyter_client's session."""
        import zmq

        try:
            frames = channel.socket.recv_multipart(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            return None
        session = self.s.kc.session
        try:  # [identities, DELIM, signature, header, parent header, metadata, content, ...]
            _, frames = session.feed_identities(frames, copy=False)
            if len(frames) < 5 or len(frames[2]) > 2**16:
                return {}
            if json.loads(frames[2].bytes).get("msg_id") != msg_id:
                return {}
            return session.deserialize(frames, content=True, copy=False)
        except Exception as exc:  # garbage: jupyter_client cannot unpack it
            raise KernelLost(
                f"the kernel sent a message the grader cannot read ({type(exc).__name__}); "
                "the kernel was restarted"
            ) from None

    def _drain(self, msg_id: str) -> None:
        """Read what is waiting (at most 200 messages, so the clocks are looked at)."""
        kc = self.s.kc
        for _ in range(200):
            got = False
            msg = self._read(kc.iopub_channel, msg_id)
            if msg is not None:
                got, self.heard["iopub"] = True, time.monotonic()
                if msg:
                    self.s._output(msg)
                    content = msg.get("content", {})
                    if (
                        msg["header"]["msg_type"] == "status"
                        and content.get("execution_state") == "idle"
                    ):
                        self.idle_at = self.idle_at or time.monotonic()
            msg = self._read(kc.shell_channel, msg_id)
            if msg is not None:
                got, self.heard["shell"] = True, time.monotonic()
                if msg and msg["header"]["msg_type"] == "execute_reply" and self.reply is None:
                    self.reply, self.reply_at = msg, time.monotonic()
            if not got:
                return

    def wait(self, msg_id: str) -> dict:
        """The execute_reply's content, or `KernelLost`."""
        import zmq

        s = self.s
        poller = zmq.Poller()
        for sock in (s.kc.iopub_channel.socket, s.kc.shell_channel.socket, *s._monitors):
            poller.register(sock, zmq.POLLIN)
        while True:
            poller.poll(int(POLL * 1000))
            self._drain(msg_id)
            now = time.monotonic()
            # the grace runs from the later of the first half and the channel's last message:
            # what the other half waits behind may still be arriving
            if self.reply is not None and (
                self.idle_at is not None
                or now - max(self.reply_at, self.heard["iopub"]) > REPLY_GRACE
            ):
                return self.reply["content"]
            self.check_connection()
            if (
                self.idle_at is not None
                and now - max(self.idle_at, self.heard["shell"]) > REPLY_GRACE
            ):
                raise KernelLost(
                    "the kernel finished but its reply never came (lost behind what the cell "
                    "sent); the kernel was restarted"
                )
            lost = self.limit_hit()
            if lost is not None:
                raise lost
            if not s.km.is_alive():
                raise KernelLost("the kernel died")
