"""One confined Jupyter kernel running one rebuilt notebook: the judge's kernel session.

`KernelSession` starts a kernel through `autograder.confine` (its own namespaces, uid,
limits and environment, `kernel_env`), runs a *preamble* (code the caller needs first, e.g.
the judge's half of the wire format), then the notebook's setup and answer cells, never
its test cells. It enforces the time limits (per cell or call, and for the whole
submission), counts and caps what the kernel prints, and collects the *replies*: display
messages of the caller's MIME type, keyed by the token in their metadata (the kernel's
``/tmp`` is its own, so replies travel as Jupyter messages, not files).

A cell or call that does not finish raises `KernelLost`; `recover` then restarts the
kernel, re-runs the preamble and the cells, and runs only the def, class and import
statements of a cell that hung or killed the kernel (a cell whose definitions hang too is
dropped), so the rest of the notebook can still be graded. The grading protocol itself is
`autograder.judge`'s.
"""

from __future__ import annotations

import ast
import contextlib
import os
import time

from autograder.confine import Confinement, base_env
from autograder.course import Limits, cell_source, is_test_cell
from autograder.results import clean_text, valid_text

__all__ = ["KernelLost", "KernelSession", "definitions_only", "error_text", "kernel_env"]

#: The longest error of a cell (``ename: evalue``) kept, in characters.
MAX_ERROR = 4000


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
    """The def, class and import statements of a cell (IPython syntax allowed), or "".

    A cell that hung or killed the kernel is not run again whole: a correct function
    followed by ``%timeit`` or a stray loop keeps its points, the loop is not repeated.
    """
    from IPython.core.inputtransformer2 import TransformerManager

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


class KernelSession:
    """A confined kernel running one rebuilt notebook's setup and answer cells.

    Parameters
    ----------
    notebook : NotebookNode
        The rebuilt notebook; its test cells (`autograder.course.is_test_cell`) are never run.
    limits : Limits
        ``cell_seconds`` per cell or call, ``submission_seconds`` in all (restarts included),
        ``output_mb`` of output kept; the rest is enforced by the confinement.
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
        self.timeout = float(limits.cell_seconds)
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
        self.deadline = time.monotonic() + float(limits.submission_seconds)
        self._skip: set[int] = set()  # cells that hung or killed the kernel: defs re-run
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

    @property
    def remaining(self) -> float:
        """Seconds left of the submission's grading time."""
        return self.deadline - time.monotonic()

    def _start_kernel(self) -> None:
        env = kernel_env(f"/tmp/{self.workdir_name}", "/tmp/home")
        conf = Confinement(self.limits, env, course_root=self.course_root, level=self.level)
        self.confinement = conf
        km = _confined_manager_class()(
            kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(conf.ipc_dir, "k")
        )
        km.connection_file = os.path.join(conf.ipc_dir, "kernel.json")
        km.confinement = conf
        self.km = km
        km.start_kernel(env=conf.env, cwd=conf.ipc_dir)
        kc = km.client()
        kc.start_channels()
        self.kc = kc
        self._wait_ready(max(1.0, min(60.0, self.remaining)))
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
                code = definitions_only(code)
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
                    self._skip.add(i)
                self._restart()  # raises KernelLost in turn once time is used up
                return
            if reply.get("status") != "ok":
                self.cell_errors.append(error_text(reply))

    def _out_of_time(self) -> str:
        return f"the submission used up its {self.limits.submission_seconds:g} s of grading time"

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
        if self.kc is not None:
            self.kc.stop_channels()
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
        self.km = self.kc = self.confinement = None

    def close(self) -> None:
        """Stop the kernel and kill whatever its job left."""
        self._shutdown()

    # -- running code

    def _output(self, msg) -> None:
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "display_data" and self.reply_mime in content.get("data", {}):
            token = content.get("metadata", {}).get("token")
            if isinstance(token, str):
                self._replies[token] = content["data"][self.reply_mime]
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
        finish in time, the kernel is dead or it sends a message jupyter_client cannot read
        (garbage on IOPub: the caller then calls `recover`)."""
        code = valid_text(code)  # a lone surrogate cannot be sent (jupyter_client's packer)
        self.executed.append(code)
        if self.remaining <= 0:
            raise KernelLost(self._out_of_time())
        if self.km is None or not self.km.is_alive():
            raise KernelLost("the kernel died")
        timeout = min(self.timeout, self.remaining)
        try:
            msg = self.kc.execute_interactive(
                code,
                timeout=timeout,
                store_history=False,
                allow_stdin=False,
                output_hook=self._output,
            )
        except TimeoutError:
            if self.remaining <= 0:
                raise KernelLost(self._out_of_time()) from None
            if not self.km.is_alive():
                raise KernelLost("the kernel died") from None
            raise KernelLost(
                f"no result within {timeout:g} s (the kernel was restarted)", "TimeoutError"
            ) from None
        except Exception as exc:  # jupyter_client could not read what the kernel sent
            raise KernelLost(
                f"the kernel sent a message the grader cannot read ({type(exc).__name__}); "
                "the kernel was restarted"
            ) from None
        return msg["content"]

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
        """The reply tagged `token`, or None if none arrived; it is forgotten."""
        return self._replies.pop(token, None)

    def forget_reply(self, token: str) -> None:
        """Drop any reply tagged `token` (before sending a request with it)."""
        self._replies.pop(token, None)
