"""Judgment happens in the grader (issue #5, item 3).

`judge_notebook` runs a rebuilt notebook's setup and answer cells (never its test cells)
in a fresh kernel started in an empty temporary directory, then grades each spec there:

* the grader draws the cases from the seed with the spec's own generator and sends only
  the *inputs* into the kernel, as ``.npy`` bytes (``allow_pickle=False``) in a request
  file; a test function (``numerical_gradient``'s ``f``) travels as its marshalled code
  and its closure's arrays;
* the kernel calls the student's function and writes back the *outputs* as ``.npy``
  bytes: an ndarray of a numeric or boolean dtype, or a tuple / dict (str keys) of them.
  Anything else (a list, an ``np.matrix``, an object array, an object with ``__eq__``)
  is described by its type's name only and never unpickled;
* the grader loads them with ``np.load(..., allow_pickle=False)`` and hands them to
  `autograder.checks.run_check` through a replay function, so the comparison, the
  hard-coded-answer detection, the hints and the message are exactly run_check's.
  Expected values are computed by the grader only; they never exist in the kernel.

The kernel is confined (`autograder.confine`): its own namespaces, uid, limits and
environment, with the course, nnlib and the checkout hidden from it, so the reference can
be neither imported nor read. On top of that, importing ``nnlib`` (and
``autograder.specs``/``autograder.mutants``) raises ImportError via a meta path finder
installed at kernel start; that alone would be a speed bump, not a boundary. Requests and
replies travel as Jupyter messages (the reply is a display message with a token), since the
kernel's ``/tmp`` is its own.

Student exceptions, per-call timeouts and a dead kernel become failed `QuestionResult` s
with a message; the kernel is then restarted and the notebook's cells re-run, so the
remaining specs are still graded.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import dataclasses
import io
import json
import marshal
import os
import secrets
import time
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks import QuestionResult, run_check
from autograder.confine import Confinement, Limits, base_env
from autograder.specs import get_spec

__all__ = ["BLOCKED_MODULES", "Judge", "cell_source", "is_test_cell", "judge_notebook"]

#: Modules that cannot be imported in the kernel while grading (a speed bump only).
BLOCKED_MODULES = ("nnlib", "autograder.specs", "autograder.mutants")

#: Grader modules that locked cells may import: a stub in the kernel (their functions raise).
STUBBED_MODULES = ("autograder", "autograder.checks")

#: Largest array (bytes) the kernel sends back; larger answers are reported as wrong type.
MAX_OUTPUT_BYTES = 64 * 2**20

#: The MIME type of the kernel's replies to the grader (a display message with a token).
REPLY_MIME = "application/x-nnfp-judge+json"

# Code run in the kernel at start: blocks the reference and defines the call helper.
_KERNEL_HELPER = r'''
import base64 as _b64, importlib.abc as _abc, io as _io, json as _json, marshal as _marshal
import sys as _sys, types as _types, warnings as _warnings
import numpy as _np

_BLOCKED = __BLOCKED__
_MAX = __MAX__
_MIME = __MIME__


def _blocked(name):
    return any(name == b or name.startswith(b + ".") for b in _BLOCKED)


class _BlockReference(_abc.MetaPathFinder):
    """Speed bump, not a security boundary: the reference is not importable."""

    def find_spec(self, name, path=None, target=None):
        if _blocked(name):
            raise ImportError(f"{name} cannot be imported while grading")
        return None


_sys.meta_path.insert(0, _BlockReference())
for _name in list(_sys.modules):
    if _blocked(_name):
        del _sys.modules[_name]


def _load(s):
    return _np.load(_io.BytesIO(_b64.b64decode(s)), allow_pickle=False)


def _save(a):
    buf = _io.BytesIO()
    _np.save(buf, a, allow_pickle=False)
    return _b64.b64encode(buf.getvalue()).decode("ascii")


def _decode(o):
    k = o["k"]
    if k == "a":
        return _load(o["v"])
    if k == "s":
        return _load(o["v"])[()]
    if k == "j":
        return o["v"]
    if k == "t":
        return tuple(_decode(v) for v in o["v"])
    if k == "l":
        return [_decode(v) for v in o["v"]]
    if k == "d":
        return {key: _decode(v) for key, v in o["v"]}
    if k == "f":
        code = _marshal.loads(_b64.b64decode(o["code"]))
        cells = tuple(_types.CellType(_decode(c)) for c in o["cells"])
        fn = _types.FunctionType(
            code, {"np": _np, "__builtins__": __builtins__}, o["name"], None, cells or None
        )
        fn.__name__ = o["name"]
        return fn
    raise ValueError(k)


def _other(value):
    t = type(value)
    return {
        "k": "x",
        "name": t.__name__,
        "module": t.__module__,
        "sub": isinstance(value, _np.ndarray),
        "len": len(value) if isinstance(value, (list, tuple)) else None,
    }


def _encode(value, depth=0):
    t = type(value)
    if t is _np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.hasobject:
            return {"k": "x", "name": f"ndarray of dtype {value.dtype}", "module": "numpy",
                    "sub": False, "len": None}
        if value.nbytes > _MAX:
            return {"k": "x", "name": f"ndarray of {value.nbytes} bytes (too large)",
                    "module": "numpy", "sub": False, "len": None}
        return {"k": "a", "v": _save(value)}
    if t is tuple and depth < 2:
        return {"k": "t", "v": [_encode(v, depth + 1) for v in value]}
    if t is dict and depth < 2 and all(type(key) is str for key in value):
        return {"k": "d", "v": [[key, _encode(v, depth + 1)] for key, v in value.items()]}
    return _other(value)


class _Stub(_types.ModuleType):
    """Stand-in for a grader module a locked cell imports (e.g. visible_tests_passed)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise RuntimeError(f"{name} is not available while grading")

        return unavailable


for _name in __STUBS__:
    _sys.modules[_name] = _Stub(_name)


def call(fn, request, token):
    req = _json.loads(request)
    out = {}
    if not callable(fn):
        out["notcallable"] = type(fn).__name__
    elif req.get("probe"):
        out["ok"] = True
    else:
        args = tuple(_decode(a) for a in req["args"])
        try:
            with _warnings.catch_warnings(), _np.errstate(all="ignore"):
                _warnings.simplefilter("ignore")
                value = fn(*args)
            out["value"] = _encode(value)
        except (Exception, SystemExit) as exc:
            out["error"] = [type(exc).__name__, str(exc)[:2000],
                            isinstance(exc, NotImplementedError)]
        after = {}
        for pos in req["watch"]:
            a = args[pos]
            if type(a) is _np.ndarray and a.dtype.kind in "biufc":
                after[str(pos)] = _save(a)
        out["after"] = after
    from IPython import get_ipython as _gi

    _gi().display_pub.publish(data={_MIME: _json.dumps(out)}, metadata={"token": token})
'''


# ----------------------------------------------------------------------------- encoding


def _save(a: np.ndarray) -> str:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _load(s: str) -> np.ndarray:
    return np.load(io.BytesIO(base64.b64decode(s)), allow_pickle=False)


def _encode_input(value) -> dict:
    """Encode one of the grader's inputs for the kernel (arrays as .npy bytes)."""
    if isinstance(value, np.ndarray):
        return {"k": "a", "v": _save(np.asarray(value))}
    if isinstance(value, np.generic):
        return {"k": "s", "v": _save(np.asarray(value))}
    if value is None or isinstance(value, bool | int | float | str):
        return {"k": "j", "v": value}
    if isinstance(value, tuple):
        return {"k": "t", "v": [_encode_input(v) for v in value]}
    if isinstance(value, list):
        return {"k": "l", "v": [_encode_input(v) for v in value]}
    if isinstance(value, dict):
        return {"k": "d", "v": [[k, _encode_input(v)] for k, v in value.items()]}
    if isinstance(value, types.FunctionType):
        cells = [_encode_input(c.cell_contents) for c in value.__closure__ or ()]
        return {
            "k": "f",
            "code": base64.b64encode(marshal.dumps(value.__code__)).decode("ascii"),
            "cells": cells,
            "name": value.__name__,
        }
    raise TypeError(f"cannot send a {type(value).__name__} into the kernel")


#: The longest list a placeholder stands in for: the kernel says how long the student's list
#: was, and the grader must not allocate what the kernel asks for.
MAX_PLACEHOLDER_LEN = 10_000


def _safe_name(value, default: str = "object") -> str:
    """A type or module name from the kernel, made harmless: printable, at most 80 chars."""
    text = "".join(ch for ch in str(value) if ch.isprintable() and ch not in "\0<>")[:80]
    return text or default


def _placeholder(desc: dict):
    """A stand-in for an output that was not sent: only its type's name survives."""
    name, module = _safe_name(desc.get("name")), _safe_name(desc.get("module"), "builtins")
    if desc.get("sub"):
        cls = type(name, (np.ndarray,), {"__module__": module})
        return np.zeros(0).view(cls)
    length = desc.get("len")
    if isinstance(length, int) and not isinstance(length, bool):
        cls = type(name, (list,), {"__module__": module})
        return cls([None] * max(0, min(length, MAX_PLACEHOLDER_LEN)))
    return type(name, (), {"__module__": module})()


def _decode_output(o: dict, depth: int = 0):
    kind = o.get("k")
    if kind == "a":
        return _load(o["v"])
    if kind == "t" and depth < 2:
        return tuple(_decode_output(v, depth + 1) for v in o["v"])
    if kind == "d" and depth < 2:
        return {str(k): _decode_output(v, depth + 1) for k, v in o["v"]}
    return _placeholder(o)


def _error(name: str, message: str, not_implemented: bool = False) -> BaseException:
    message = str(message)[:2000]
    if not_implemented:
        return NotImplementedError(message)
    return type(_safe_name(name, "Exception"), (Exception,), {})(message)


@dataclass
class _Outcome:
    value: Any = None
    error: BaseException | None = None
    after: dict[int, np.ndarray] = field(default_factory=dict)


def _decode_reply(reply: dict, watch: list[int]) -> _Outcome:
    """One call's reply from the kernel; raises on anything malformed."""
    after = {}
    for pos, value in dict(reply.get("after", {})).items():
        if int(pos) in watch:
            after[int(pos)] = _load(value)
    outcome = _Outcome(after=after)
    if "error" in reply:
        ename, evalue, nie = reply["error"]
        outcome.error = _error(ename, evalue, bool(nie))
    elif "notcallable" in reply:
        outcome.error = _error("TypeError", f"{_safe_name(reply['notcallable'])} is not callable")
    else:
        outcome.value = _decode_output(reply["value"])
    return outcome


def _replay(outcomes: list[_Outcome]):
    """A stand-in for the student's function that returns what the kernel returned."""
    it = iter(outcomes)

    def student(*args):
        try:
            o = next(it)
        except StopIteration:
            raise _error("GraderError", "no recorded outcome for this case") from None
        for pos, arr in o.after.items():
            if isinstance(args[pos], np.ndarray) and args[pos].shape == arr.shape:
                args[pos][...] = arr  # the kernel's input after the call (in-place edits)
        if o.error is not None:
            raise o.error
        return o.value

    return student


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def _definitions_only(source: str) -> str:
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


def is_test_cell(cell) -> bool:
    """An autograded test cell (code, nbgrader ``grade=True``, ``solution=False``): the
    engine grades it, and it is never sent to the kernel."""
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(nbg.get("grade")) and not nbg.get("solution")


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# ----------------------------------------------------------------------------- the judge


class _KernelLost(Exception):
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


def _confined_manager_class():
    from jupyter_client.manager import KernelManager

    class ConfinedKernelManager(KernelManager):
        """Starts the kernel through the sandbox launcher, with history off."""

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            conf = self.confinement  # set by Judge before start_kernel
            if conf.uid is not None and conf.level == "namespaces":
                os.chown(self.connection_file, conf.uid, conf.uid)
            return conf.wrap([*cmd, "--HistoryManager.enabled=False"])

    return ConfinedKernelManager


class Judge:
    """A confined kernel running one rebuilt notebook, and the grading of specs against it.

    ``executed`` lists every code string sent to the kernel, for audit and tests;
    ``cell_errors`` the errors of the notebook's cells (a cell that hangs or kills the
    kernel is skipped when the kernel is restarted, so what it defines is missing);
    ``output_bytes`` what the kernel printed or displayed (beyond ``limits.output_mb`` it is
    dropped, and ``output_exceeded`` is set).
    """

    def __init__(
        self,
        notebook,
        timeout: float | None = None,
        kernel_name: str = "python3",
        limits: Limits | None = None,
        course_root=None,
        level: str | None = None,
        workdir_name: str = "work",
    ):
        if limits is None:
            limits = Limits() if timeout is None else Limits(cell_seconds=float(timeout))
        self.notebook = notebook
        self.limits = limits
        self.timeout = float(limits.cell_seconds)
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

    # -- kernel lifecycle

    def __enter__(self):
        try:
            self.start()
        except _KernelLost as exc:  # every check will then fail with this reason
            self.cell_errors.append(str(exc))
            self._shutdown()
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def remaining(self) -> float:
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
                    raise _KernelLost(f"the kernel did not start within {timeout:g} s")
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
                raise _KernelLost("the kernel died while starting")
            if time.monotonic() > deadline:
                raise _KernelLost(f"the kernel did not start within {timeout:g} s")

    def start(self) -> None:
        if self.remaining <= 0:
            raise _KernelLost(self._out_of_time())
        try:
            self._start_kernel()
        except _KernelLost:
            self._shutdown()
            raise
        helper = (
            _KERNEL_HELPER.replace("__BLOCKED__", repr(BLOCKED_MODULES))
            .replace("__MAX__", str(MAX_OUTPUT_BYTES))
            .replace("__MIME__", repr(REPLY_MIME))
            .replace("__STUBS__", repr(STUBBED_MODULES))
        )
        self._run(
            "import sys as _s, types as _t\n"
            "_judge = _t.ModuleType('_judge')\n"
            f"exec(compile({helper!r}, '<judge>', 'exec'), _judge.__dict__)\n"
            "_s.modules['_judge'] = _judge\n"
            "del _s, _t\n"
        )
        self.cell_errors = list(self._hung)
        for i, cell in enumerate(self.notebook.cells):
            if cell.get("cell_type") != "code" or is_test_cell(cell) or i in self._dropped:
                continue
            code = cell_source(cell)
            if i in self._skip:  # it hung or killed the kernel: run only its definitions
                code = _definitions_only(code)
                if not code:
                    continue
            try:
                reply = self._run(code)
            except _KernelLost as exc:
                if i in self._skip:
                    self._dropped.add(i)  # even its definitions hang: drop the cell
                else:
                    self._hung.append(
                        f"cell {i} ({cell_source(cell)[:40]!r}...): {exc}; "
                        "only its def, class and import statements were run again"
                    )
                    self._skip.add(i)
                self._restart_bare()  # raises _KernelLost in turn once time is used up
                return
            if reply.get("status") != "ok":
                self.cell_errors.append(f"{reply.get('ename')}: {reply.get('evalue')}")

    def _out_of_time(self) -> str:
        return f"the submission used up its {self.limits.submission_seconds:g} s of grading time"

    def _restart_bare(self) -> None:
        self._shutdown()
        self.restarts += 1
        self.start()  # the helper and the cells again, minus those that hung

    def _recover(self) -> None:
        """Restart after a lost call; if that fails too (time used up), stay stopped."""
        try:
            self._restart_bare()
        except _KernelLost:
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
        self._shutdown()

    def _output(self, msg) -> None:
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "display_data" and REPLY_MIME in content.get("data", {}):
            token = content.get("metadata", {}).get("token")
            if isinstance(token, str):
                self._replies[token] = content["data"][REPLY_MIME]
            return
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result", "update_display_data", "error"):
            size = len(json.dumps(content.get("data", content.get("traceback", ""))))
        else:
            return
        self.output_bytes += size
        if self.output_bytes > self.limits.output_mb * 2**20:
            self.output_exceeded = True

    def _run(self, code: str) -> dict:
        self.executed.append(code)
        if self.remaining <= 0:
            raise _KernelLost(self._out_of_time())
        if self.km is None or not self.km.is_alive():
            raise _KernelLost("the kernel died")
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
                raise _KernelLost(self._out_of_time()) from None
            if not self.km.is_alive():
                raise _KernelLost("the kernel died") from None
            raise _KernelLost(
                f"no result within {timeout:g} s (the kernel was restarted)", "TimeoutError"
            ) from None
        return msg["content"]

    def run_cell(self, code: str) -> tuple[bool, str]:
        """Run `code` in the kernel (e.g. a test cell that names no spec): (ok, error)."""
        try:
            reply = self._run(code)
        except _KernelLost as exc:
            self._recover()
            return False, str(exc)
        if reply.get("status") == "ok":
            return True, ""
        return False, f"{reply.get('ename')}: {reply.get('evalue')}"

    # -- one call

    def _call(self, function: str, request: dict) -> dict:
        token = secrets.token_hex(8)
        payload = json.dumps(request)
        self._replies.pop(token, None)
        reply = self._run(f"_judge.call(globals().get({function!r}, None), {payload!r}, {token!r})")
        text = self._replies.pop(token, None)
        if text is None:
            raise _KernelLost(
                f"the call did not complete ({reply.get('ename')}: {reply.get('evalue')})"
            )
        return json.loads(text)

    # -- one spec

    def check(self, name: str, seed: int) -> QuestionResult:
        """Grade spec `name` with the cases of `seed`; never raises for a bad submission."""
        result = self._check(name, seed)
        if not result.passed and result.hint_id == "not-callable" and self.cell_errors:
            # the function is missing because a cell failed: say which, not just "define it"
            errors = "; ".join(e[:300] for e in self.cell_errors[:3])
            result = dataclasses.replace(
                result, message=f"{result.message}\nYour notebook's cells raised: {errors}"
            )
        return result

    def _check(self, name: str, seed: int) -> QuestionResult:
        spec = get_spec(name)
        try:
            probe = self._call(spec.function, {"probe": True})
        except _KernelLost as exc:
            self._recover()
            return run_check(spec, _replay([_Outcome(error=_error("KernelError", str(exc)))]), seed)
        if "notcallable" in probe:
            stand_in = type(_safe_name(probe["notcallable"]), (), {})()
            return run_check(spec, stand_in, seed)
        outcomes = self._outcomes(spec, seed)
        return run_check(spec, _replay(outcomes), seed)

    def _outcomes(self, spec, seed: int) -> list[_Outcome]:
        cases: Iterable = spec.cases(np.random.default_rng(seed))
        outcomes: list[_Outcome] = []
        watch = [int(p) for p in spec.unchanged_args]
        for case in cases:
            request = {"args": [_encode_input(a) for a in case.args], "watch": watch}
            try:
                reply = self._call(spec.function, request)
            except _KernelLost as exc:
                outcomes.append(_Outcome(error=_error(exc.kind, str(exc))))
                self._recover()
                break
            try:  # the reply comes from the student's process: a malformed one fails the call
                outcome = _decode_reply(reply, watch)
            except Exception as exc:
                outcome = _Outcome(error=_error("MalformedReply", f"unreadable reply: {exc}"))
            outcomes.append(outcome)
            if outcome.error is not None:
                break  # run_check stops at the first exception
        return outcomes


def judge_notebook(
    rebuilt_nb, spec_names: Iterable[str], seed: int, timeout: float = 10.0
) -> list[QuestionResult]:
    """Grade `spec_names` against `rebuilt_nb` in a fresh kernel; one result per spec.

    Parameters
    ----------
    rebuilt_nb : NotebookNode
        The notebook from `autograder.rebuild.rebuild` (its ``.notebook``); its test cells
        (nbgrader ``grade=True``, ``solution=False``) are never sent to the kernel.
    spec_names : iterable of str
        Registered specs, e.g. ``"a1.sigmoid_grad"`` (an unknown name raises ValueError).
    seed : int
        Seed of every spec's cases (log it: the same seed replays the grading).
    timeout : float
        Wall-time limit in seconds per cell and per call of the student's function.
    """
    names = list(spec_names)
    for name in names:
        get_spec(name)  # a misconfigured grader fails loudly, before any kernel starts
    with Judge(rebuilt_nb, timeout=timeout) as judge:
        results = []
        for name in names:
            try:
                results.append(judge.check(name, seed))
            except Exception as exc:  # never let one spec crash the batch
                spec = get_spec(name)
                results.append(
                    QuestionResult(
                        name=name,
                        passed=False,
                        points_earned=0,
                        points_possible=spec.points,
                        seed=seed,
                        message=f"{name} (seed {seed}): could not be graded: "
                        f"{type(exc).__name__}: {exc}",
                    )
                )
        return results
