"""The autograder's import graph: layered, no cycles, no upward imports.

Every module of ``autograder/`` (``specs/`` and ``mutants/`` included) has a level in
`LEVELS`; a module may import only modules of a lower level. A new module fails
`test_every_module_has_a_level` until it is given one, so its place is a decision. The
source is parsed, not imported, so an import inside a function counts as much as one at
the top.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"

#: Level of each module, by its name inside the package ("__init__" is the package itself).
LEVELS = {
    # 0: shared nouns and self-contained pieces: import nothing of the autograder
    "__init__": 0,
    "nbgrader_config": 0,  # read by nbgrader, not imported
    "course": 0,  # the course folder, student ids, timestamps, limits, test cells
    "sandbox": 0,  # the launcher script (standard library only)
    "wire": 0,  # the kernel's half of the wire format (standard library and numpy)
    "scan": 0,  # also the limit on what the grader parses of a cell (over_limit)
    "checks": 0,  # the check mechanism: a Spec in, a QuestionResult out
    # 1: built on the nouns
    "rebuild": 1,  # parses cells within the scan's limit
    "confine": 1,
    "specs.a1": 1,
    "specs.a2": 1,
    "specs.a3": 1,
    "specs.examples": 1,
    # 2
    "results": 2,
    "specs.a3_bands": 2,  # the bands script: runs specs.a3's reference over many seeds
    "specs": 2,  # the registry; imports every assignment's specs
    # 3
    "kernel": 3,  # one confined kernel session
    "feedback": 3,
    "public": 3,  # public tests in the student's kernel: a spec's public cases through run_check
    # 4
    "judge": 4,  # the grading protocol over a kernel session
    "mutants.a1": 4,
    # 5
    "engine": 5,
    "mutants.examples": 5,
    "mutants.a2": 5,  # imports mutants.a1 (Mutant, source)
    "mutants.a3": 5,  # imports mutants.a1 (Mutant)
    # 6
    "mutants": 6,
    "cli": 6,  # the instructor's commands
    "__main__": 7,
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "source" in path.relative_to(PACKAGE).parts:
            continue  # assignment folders, not code
        found[_name(path)] = path
    return found


MODULES = _modules()


def _resolve(dotted: str) -> str | None:
    """The module of the package that ``autograder.<dotted>`` names, or None."""
    parts = dotted.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _imports(name: str) -> set[str]:
    """Modules of the package that module `name` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "autograder":
                    found.add("__init__")
                elif alias.name.startswith("autograder."):
                    found.add(_resolve(alias.name.removeprefix("autograder.")))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package and package != "__init__" else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module == "autograder" or (node.module or "").startswith("autograder."):
                module = node.module.removeprefix("autograder").lstrip(".")
            else:
                continue
            for alias in node.names:  # `from autograder.specs import a1` imports specs.a1
                sub = f"{module}.{alias.name}" if module else alias.name
                found.add(sub if sub in MODULES else (_resolve(module) if module else "__init__"))
    found.discard(None)
    found.discard(name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def test_every_module_has_a_level():
    assert set(MODULES) == set(LEVELS), (
        f"give each module of autograder/ a level in LEVELS: {sorted(set(MODULES) ^ set(LEVELS))}"
    )


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_modules_import_only_lower_levels(name):
    upward = {dep: LEVELS[dep] for dep in GRAPH.get(name, ()) if LEVELS[dep] >= LEVELS[name]}
    assert not upward, f"autograder.{name} (level {LEVELS[name]}) imports {upward}"


def test_the_import_graph_has_no_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(GRAPH[node]):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])


def test_the_parser_sees_every_kind_of_import():
    """The graph is only as good as the parser: check it on known edges."""
    assert "course" in GRAPH["confine"]  # from autograder.course import Limits
    assert "specs.a1" in GRAPH["specs"]  # from autograder.specs import a1
    assert "engine" in GRAPH["cli"]  # from autograder import engine
    assert "wire" in GRAPH["judge"]  # from autograder import wire
    assert "cli" in GRAPH["__main__"]


def _imports_in_functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_import_of_the_autograder_is_hidden_in_a_function(name):
    """Hiding an import inside a function is how an import cycle is dodged: none may."""
    for node in _imports_in_functions(MODULES[name]):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        relative = getattr(node, "level", 0) > 0
        ours = relative or any((n or "").split(".")[0] == "autograder" for n in names)
        assert not ours, f"autograder.{name} line {node.lineno}: an autograder import in a def"


def test_the_commands_import_inside_functions_only_for_start_up_speed():
    lines = MODULES["cli"].read_text(encoding="utf-8").splitlines()
    for node in _imports_in_functions(MODULES["cli"]):
        said = " ".join(lines[node.lineno - 2 : node.lineno])
        assert "start-up speed" in said, f"cli.py line {node.lineno}: say why it is here"


def _top_level_packages(name: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_the_code_sent_into_the_kernel_needs_only_the_standard_library_and_numpy():
    """`autograder.wire` runs in the student's kernel, where the autograder is hidden."""
    outside = _top_level_packages("wire") - set(sys.stdlib_module_names)
    assert outside == {"numpy", "IPython"}, outside


def test_the_launcher_needs_only_the_standard_library():
    """sandbox.py runs as ``python -I -S``: no site-packages, until it starts the kernel."""
    outside = _top_level_packages("sandbox") - set(sys.stdlib_module_names)
    assert outside == {"ipykernel", "numpy"}, outside  # imported by the zygote, to fork kernels
