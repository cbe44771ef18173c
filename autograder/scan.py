"""Static scan of students' solution cells: suspicious code is flagged, not silently zeroed.

The scan reads code, it never runs it. Each finding is a `Flag` naming the cell, the line,
the code on that line and a short reason, for the instructor to review; nothing here changes
a grade. The scan uses `ast`, so it sees through aliases (``import os as o; o.system(...)``)
but not through code built at run time; ``eval``/``exec`` and ``getattr`` of a computed
name are flagged for that reason.

The judge's helper in the kernel (`autograder.wire`) has no importable name, but code in
the same process can reach anything by walking objects; every such route is flagged as
introspection, and patching a module the helper or the kernel relies on as monkeypatch.

Parsing costs the grader time and memory outside every limit of the kernel, so a cell
longer than `MAX_CELL_CHARS` or `MAX_CELL_LINES`, or one that would take the code parsed in
the notebook past `MAX_NOTEBOOK_CHARS`, is not parsed: it is flagged ``too-long`` for review.

Kinds
-----
reference-import  importing ``nnlib`` or ``autograder`` (also via ``importlib``/``__import__``)
monkeypatch       assigning to attributes of numpy, math, builtins, json, base64, io, sys,
                  warnings, IPython or the kernel's modules (`PROTECTED_MODULES`)
introspection     notebook history (``In``, ``Out``, ``_ih``, ...), ``get_ipython`` and the
                  shell's publisher and namespaces, stack frames (``sys._getframe``,
                  ``f_back``, ``tb_frame``, ...), ``gc``, ``ctypes``, ``linecache``,
                  ``sys.modules`` and ``sys.meta_path``, ``builtins`` and ``__self__``, a
                  function's ``__globals__``/``__closure__``/``__code__``, these names as
                  strings, any name with "judge" in it, exception hooks
process           ``subprocess``, ``os.system``, ``os.fork``, ``multiprocessing``, ...
network           ``socket``, ``urllib``, ``http``, ``requests``, ...
file              ``open`` of a path that is not a plain relative name, any write mode,
                  pathlib writes, ``os.remove``, ``shutil`` ...
environment       ``os.environ``, ``os.getenv``, ``os.getcwd``, ``os.chdir``
shadowing         writing a ``.py`` file (e.g. ``numpy.py``) that an import could pick up
shell             IPython magics and shell escapes (``%...``, ``!...``)
dynamic-code      ``eval``/``exec``/``compile``, and ``getattr``, ``setattr``, ``delattr`` or
                  ``hasattr`` of a computed name, which hide code from this scan
syntax-error      the cell does not parse; nothing after the error was scanned
too-long          the cell was not parsed: too long, or the notebook's scan budget is spent
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import nbformat

__all__ = ["Flag", "over_limit", "scan_notebook", "scan_source"]


@dataclass(frozen=True)
class Flag:
    """One suspicious line: its kind, where it is, the code itself and why it was flagged."""

    kind: str
    cell: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.cell} line {self.line}" if self.cell else f"line {self.line}"
        return f"{where} [{self.kind}]: {self.code}"


# ----------------------------------------------------------------------------- what is flagged

REFERENCE_MODULES = {"nnlib", "autograder"}
#: Modules whose attributes a submission must not assign (the checks, the judge's helper and
#: the kernel rely on them); any assignment is flagged.
PROTECTED_MODULES = {
    "numpy",
    "math",
    "builtins",
    "json",
    "base64",
    "binascii",
    "io",
    "marshal",
    "types",
    "warnings",
    "sys",
    "IPython",
    "ipykernel",
    "jupyter_client",
    "zmq",
}
MODULE_KINDS = {  # importing the module at all is flagged
    "builtins": "introspection",  # where the judge's helper is bound, under a random name
    "gc": "introspection",
    "ctypes": "introspection",
    "linecache": "introspection",  # the source of every cell run, the grader's too
    "ipykernel": "introspection",
    "jupyter_client": "introspection",
    "zmq": "introspection",
    "subprocess": "process",
    "multiprocessing": "process",
    "pty": "process",
    "socket": "network",
    "urllib": "network",
    "urllib3": "network",
    "http": "network",
    "requests": "network",
    "httpx": "network",
    "ftplib": "network",
    "smtplib": "network",
}
ATTRIBUTE_KINDS = {  # using (or importing) the attribute is flagged
    "os.system": "process",
    "os.fork": "process",
    "os.forkpty": "process",
    "os.popen": "process",
    "os._exit": "process",
    "os.kill": "process",
    "os.spawnl": "process",
    "os.spawnv": "process",
    "os.execv": "process",
    "os.execl": "process",
    "os.posix_spawn": "process",
    "sys._getframe": "introspection",
    "sys.modules": "introspection",
    "sys.meta_path": "introspection",
    "sys._current_frames": "introspection",
    "IPython.get_ipython": "introspection",
    "IPython.core.getipython": "introspection",
    "traceback.walk_stack": "introspection",
    "traceback.walk_tb": "introspection",
    "sys.settrace": "introspection",
    "sys.setprofile": "introspection",
    "inspect.stack": "introspection",
    "inspect.currentframe": "introspection",
    "inspect.getouterframes": "introspection",
    "inspect.trace": "introspection",
    "gc.get_objects": "introspection",
    "gc.get_referrers": "introspection",
    "gc.get_referents": "introspection",
    "os.environ": "environment",
    "os.environb": "environment",
    "os.getenv": "environment",
    "os.putenv": "environment",
    "os.getcwd": "environment",
    "os.chdir": "environment",
    "os.remove": "file",
    "os.unlink": "file",
    "os.rename": "file",
    "os.replace": "file",
    "os.rmdir": "file",
    "os.removedirs": "file",
    "os.mkdir": "file",
    "os.makedirs": "file",
    "os.listdir": "file",
    "os.scandir": "file",
    "os.walk": "file",
    "os.symlink": "file",
    "os.link": "file",
    "os.truncate": "file",
    "os.chmod": "file",
    "shutil": "file",
    "tempfile": "file",
    "glob": "file",
}
INTROSPECTION_NAMES = {"In", "Out", "_ih", "_oh", "_dh", "_ii", "_iii", "get_ipython"}
INTROSPECTION_NAME_RE = re.compile(r"_i\d*|_\d+")
#: Attributes that lead from an object to frames, namespaces, builtins or the shell: read or
#: written on anything, or named in a string (``getattr(f, "__globals__")``), they are flagged.
INTROSPECTION_ATTRIBUTES = {
    "__globals__",
    "__closure__",
    "cell_contents",
    "__code__",
    "__self__",
    "__builtins__",
    "__subclasses__",
    "f_back",
    "f_globals",
    "f_locals",
    "f_builtins",
    "tb_frame",
    "tb_next",
    "gi_frame",
    "cr_frame",
    "ag_frame",
    "display_pub",
    "user_ns",
    "user_global_ns",
}
#: The judge's helper was once a module ``_judge``: any name or string with "judge" in it.
JUDGE_RE = re.compile(r"judge", re.IGNORECASE)
ATTRIBUTE_FUNCTIONS = {"getattr", "setattr", "delattr", "hasattr"}
IMPORT_FUNCTIONS = {"importlib.import_module", "__import__", "importlib.__import__"}
OPEN_FUNCTIONS = {"open", "io.open", "codecs.open", "os.open", "os.fdopen"}
PATH_WRITES = {"write_text", "write_bytes", "unlink", "touch", "rmdir", "symlink_to", "hardlink_to"}
DYNAMIC_CODE = {"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"}
WRITE_MODE_CHARS = set("wax+")
SHELL_LINE_RE = re.compile(r"^\s*(?:[\w.,\s()\[\]]+=\s*)?[%!]")
SAFE_CELL_MAGICS = {"time", "timeit", "capture", "prun"}  # their body is still Python


def _module_kind(module: str) -> tuple[str, str] | None:
    """Kind and message for importing `module` (dotted), or None if it is harmless."""
    root = module.split(".")[0]
    if JUDGE_RE.search(module):
        return "introspection", f"imports {module!r}, a name of the judge's"
    if root in REFERENCE_MODULES:
        return "reference-import", f"imports the reference module {module!r}"
    if root in MODULE_KINDS:
        return MODULE_KINDS[root], f"imports {module!r}"
    for name, kind in ATTRIBUTE_KINDS.items():
        if module == name or module.startswith(name + "."):
            return kind, f"uses {name}"
    return None


def _is_plain_relative(path: str) -> bool:
    """A file name in the working directory (or below it), with no way out of it."""
    return bool(path) and not (
        path.startswith(("/", "\\", "~"))
        or ":" in path
        or ".." in path.replace("\\", "/").split("/")
    )


# ------------------------------------------------------------------------------------- visitor


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: str, lines: list[str]) -> None:
        self.cell = cell
        self.lines = lines
        self.flags: list[Flag] = []
        self.flagged: set[tuple[str, int]] = set()  # (kind, line): one flag each
        self.aliases: dict[str, str] = {"np": "numpy"}  # the setup cell imports numpy as np

    # -- helpers
    def flag(self, kind: str, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 0)
        code = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        if (kind, line) not in self.flagged:
            self.flagged.add((kind, line))
            self.flags.append(Flag(kind, self.cell, line, code, message))

    def dotted(self, node: ast.AST) -> str | None:
        """``np.random.seed`` -> ``"numpy.random.seed"``, resolving import aliases."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def check_dotted(self, name: str, node: ast.AST) -> None:
        if name in ATTRIBUTE_KINDS:
            self.flag(ATTRIBUTE_KINDS[name], node, f"uses {name}")

    # -- imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                root = alias.name.split(".")[0]
                self.aliases[root] = root
            found = _module_kind(alias.name)
            if found:
                self.flag(found[0], node, found[1])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # relative import: nothing a notebook can use
        found = _module_kind(node.module)
        if found:
            self.flag(found[0], node, found[1])
        for alias in node.names:
            full = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = full
            if not found and (sub := _module_kind(full)):
                self.flag(sub[0], node, sub[1])

    # -- names and attributes
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in INTROSPECTION_NAMES or INTROSPECTION_NAME_RE.fullmatch(node.id):
            self.flag("introspection", node, f"reads IPython internals ({node.id})")
        elif JUDGE_RE.search(node.id):
            self.flag("introspection", node, f"names the judge ({node.id})")
        elif node.id == "__builtins__":
            self.flag("monkeypatch", node, "touches __builtins__")
        else:
            full = self.aliases.get(node.id)
            if full and full != node.id:  # e.g. `from os import system`, then `system(...)`
                self.check_dotted(full, node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self.dotted(node)
        if name is not None:
            self.check_dotted(name, node)
        if node.attr == "set_custom_exc":
            self.flag("introspection", node, "installs an IPython exception handler")
        elif node.attr in INTROSPECTION_ATTRIBUTES or JUDGE_RE.search(node.attr):
            self.flag("introspection", node, f"reads .{node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        text = node.value
        if not isinstance(text, str) or len(text) > 100:
            return
        if text in INTROSPECTION_ATTRIBUTES or text == "builtins":
            self.flag("introspection", node, f"names {text} in a string")
        elif JUDGE_RE.search(text) and text.replace(".", "_").isidentifier():
            self.flag("introspection", node, f"names the judge in a string ({text!r})")

    # -- assignments (monkeypatching)
    def check_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self.check_target(element, node)
            return
        if isinstance(target, ast.Starred):
            self.check_target(target.value, node)
            return
        if not isinstance(target, ast.Attribute | ast.Subscript):
            return
        base = target.value
        while isinstance(base, ast.Subscript):
            base = base.value
        name = self.dotted(target.value if isinstance(target, ast.Attribute) else base)
        if name is None:
            return
        if name == "sys" and isinstance(target, ast.Attribute) and target.attr == "excepthook":
            self.flag("introspection", node, "replaces sys.excepthook")
        elif name.split(".")[0] in PROTECTED_MODULES:
            what = f"{name}.{target.attr}" if isinstance(target, ast.Attribute) else name
            self.flag("monkeypatch", node, f"overwrites {what}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.check_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.check_target(target, node)
        self.generic_visit(node)

    # -- calls
    def visit_Call(self, node: ast.Call) -> None:
        name = self.dotted(node.func)
        args = node.args
        first = args[0] if args else None
        if name in ATTRIBUTE_FUNCTIONS and len(args) > 1 and not isinstance(args[1], ast.Constant):
            self.flag("dynamic-code", node, f"{name}() of a computed name hides what it reaches")
        if name in IMPORT_FUNCTIONS:
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found = _module_kind(first.value)
                if found:
                    self.flag(found[0], node, found[1])
            else:
                self.flag("reference-import", node, f"{name} of a computed module name")
        elif name in ("setattr", "delattr") and first is not None:
            target = self.dotted(first)
            attr = args[1].value if len(args) > 1 and isinstance(args[1], ast.Constant) else None
            if target == "sys" and attr == "excepthook":
                self.flag("introspection", node, "replaces sys.excepthook")
            elif target and target.split(".")[0] in PROTECTED_MODULES:
                self.flag("monkeypatch", node, f"{name} on {target}")
        elif name in DYNAMIC_CODE:
            self.flag("dynamic-code", node, f"{name.rsplit('.', 1)[-1]}() hides code from review")
        elif name in OPEN_FUNCTIONS:
            self.check_open(node, name)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in PATH_WRITES:
            self.check_path_write(node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "open":
            self.check_mode(node, mode_index=0, path=self.path_of(node.func.value))
        self.generic_visit(node)

    def path_of(self, node: ast.AST) -> str | None:
        """The constant path in ``Path("x")`` / ``pathlib.Path("x")``, if that is what it is."""
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = self.dotted(node.func) or ""
            if name.split(".")[-1] in ("Path", "PurePath") and isinstance(node.args[0].value, str):
                return node.args[0].value
        return None

    def check_open(self, node: ast.Call, name: str) -> None:
        first = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg == "file":
                first = keyword.value
        path = first.value if isinstance(first, ast.Constant) else None
        if not isinstance(path, str):
            self.flag("file", node, f"{name}() of a computed path")
        elif not _is_plain_relative(path):
            self.flag("file", node, f"{name}() of {path!r}, outside the working directory")
        self.check_mode(node, mode_index=1, path=path if isinstance(path, str) else None)

    def check_mode(self, node: ast.Call, mode_index: int, path: str | None) -> None:
        mode: ast.AST | None = node.args[mode_index] if len(node.args) > mode_index else None
        for keyword in node.keywords:
            if keyword.arg == "mode":
                mode = keyword.value
        if mode is None:
            return
        if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
            self.flag("file", node, "opens a file with a computed mode")
        elif WRITE_MODE_CHARS & set(mode.value):
            self.flag_write(node, path, f"opens a file for writing (mode {mode.value!r})")

    def check_path_write(self, node: ast.Call) -> None:
        assert isinstance(node.func, ast.Attribute)
        self.flag_write(node, self.path_of(node.func.value), f"calls .{node.func.attr}() on a path")

    def flag_write(self, node: ast.Call, path: str | None, message: str) -> None:
        if path is not None and path.replace("\\", "/").rsplit("/", 1)[-1].endswith(".py"):
            self.flag("shadowing", node, f"writes {path!r}, which an import could pick up")
        else:
            self.flag("file", node, message)


# ---------------------------------------------------------------------------------- public API

#: The longest cell the scan parses, in characters and in lines: parsing costs the grader
#: about 6 us and 0.4 KB per character of simple code (a 6 MB cell of a million lines took
#: 34 s of CPU and 2.5 GB), outside every limit of the kernel. An answer cell is a few
#: thousand characters; a longer cell is flagged ``too-long`` instead.
MAX_CELL_CHARS = 100_000
MAX_CELL_LINES = 3_000
#: Characters the scan parses in one notebook, all its cells together; the cells after the
#: budget is spent are flagged ``too-long``.
MAX_NOTEBOOK_CHARS = 400_000


def _strip_shell(source: str, cell: str) -> tuple[str, list[Flag]]:
    """Replace IPython magic and shell lines by ``pass``, flagging each one."""
    lines = source.splitlines()
    flags: list[Flag] = []
    out: list[str] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if i == first and stripped.startswith("%%"):
            flags.append(Flag("shell", cell, i + 1, stripped, "IPython cell magic"))
            magic = stripped[2:].split(maxsplit=1)[0] if len(stripped) > 2 else ""
            if magic not in SAFE_CELL_MAGICS:
                return "", flags  # the body is not Python (bash, writefile, ...)
            out.append("")
        elif SHELL_LINE_RE.match(line):
            flags.append(Flag("shell", cell, i + 1, stripped, "IPython magic or shell escape"))
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}pass")
        else:
            out.append(line)
    return "\n".join(out), flags


def _parse(source: str, cell: str) -> tuple[ast.Module | None, list[Flag]]:
    """The cell's syntax tree, parsed once if it is plain Python, else once more with its
    magics and shell lines stripped; None (with a ``syntax-error`` flag) if it does not
    parse."""
    try:
        return ast.parse(source), []
    except (SyntaxError, ValueError, RecursionError):  # ValueError: null bytes
        pass
    code, flags = _strip_shell(source, cell)
    try:
        return ast.parse(code), flags
    except (SyntaxError, ValueError, RecursionError) as error:
        lines = source.splitlines()
        line = getattr(error, "lineno", None) or 0
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        reason = getattr(error, "msg", None) or str(error) or type(error).__name__
        flags.append(Flag("syntax-error", cell, line, text, f"does not parse: {reason}"))
        return None, flags


def _too_long(source: str, cell: str, why: str) -> Flag:
    head = source[: source.find("\n")] if "\n" in source[:200] else source[:80]
    return Flag("too-long", cell, 1, head.strip()[:80], f"not scanned: {why}; review it by hand")


def over_limit(source: str) -> str | None:
    """Why `source` is too long for the grader to parse, or None: any code of the grader's
    that parses a submitted cell (the scan; the kernel session re-running the definitions of
    a cell that hung) should check it first."""
    chars, lines = len(source), source.count("\n") + (not source.endswith("\n"))
    if chars > MAX_CELL_CHARS or lines > MAX_CELL_LINES:
        return (
            f"{chars:,} characters in {lines:,} lines, over the scan's limit of "
            f"{MAX_CELL_CHARS:,} characters or {MAX_CELL_LINES:,} lines per cell"
        )
    return None


def scan_source(source: str, cell: str = "") -> list[Flag]:
    """Flags for one cell's code, in line order; never raises.

    Parameters
    ----------
    source : str
        The cell's source, possibly with IPython magics.
    cell : str
        Name of the cell, used in each flag (e.g. its nbgrader ``grade_id``).

    Returns
    -------
    list of Flag
        Empty when nothing looks suspicious; one ``too-long`` flag, and nothing parsed,
        when the cell is over `MAX_CELL_CHARS` or `MAX_CELL_LINES`.
    """
    why = over_limit(source)
    if why is not None:
        return [_too_long(source, cell, why)]
    tree, flags = _parse(source, cell)
    if tree is None:
        return flags
    scanner = _Scanner(cell, source.splitlines())
    try:
        scanner.visit(tree)
    except RecursionError:  # absurdly nested code: say so instead of crashing the grader
        scanner.flags.append(Flag("syntax-error", cell, 0, "", "too deeply nested to scan"))
    return sorted(flags + scanner.flags, key=lambda f: f.line)


def _is_student_cell(cell: nbformat.NotebookNode) -> bool:
    if cell.get("cell_type") != "code":
        return False
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta is None or bool(meta.get("solution"))


def scan_notebook(nb: nbformat.NotebookNode) -> list[Flag]:
    """Flags for a notebook's student code: solution cells and cells without nbgrader metadata.

    Each cell is named by its nbgrader ``grade_id``, or ``cell <index>`` when it has none.
    At most `MAX_NOTEBOOK_CHARS` characters are parsed in all: a cell that does not fit in
    what is left of that budget is flagged ``too-long``.
    """
    flags: list[Flag] = []
    budget = MAX_NOTEBOOK_CHARS
    for index, cell in enumerate(nb.cells):
        if not _is_student_cell(cell):
            continue
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        name = meta.get("grade_id") or f"cell {index}"
        source = cell.get("source", "")
        why = over_limit(source)
        if why is None and len(source) > budget:
            why = f"the notebook's scan budget of {MAX_NOTEBOOK_CHARS:,} characters is spent"
        if why is not None:  # a cell not parsed spends none of the budget
            flags.append(_too_long(source, name, why))
            continue
        budget -= len(source)
        flags.extend(scan_source(source, name))
    return flags
