"""The repository's setup files agree with each other and with the README."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(spec: str) -> tuple[str, str]:
    """'numpy>=2' -> ('numpy', '>=2'); names normalised as PEP 503 does."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", spec)
    assert m, spec
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return dict(_split(s) for s in specs)


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    reqs = dict(_split(s) for s in specs)
    reqs.pop("pip")
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert reqs.pop("python") == python
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e ."], "environment.yml must install nnlib itself, and nothing else, via pip"
    return reqs


def test_environment_yml_matches_pyproject():
    pyproject, conda = _pyproject_requirements(), _conda_requirements()
    assert set(conda) == set(pyproject), (
        f"only in environment.yml: {sorted(set(conda) - set(pyproject))}; "
        f"only in pyproject.toml: {sorted(set(pyproject) - set(conda))}"
    )
    differing = {k: (pyproject[k], conda[k]) for k in pyproject if pyproject[k] != conda[k]}
    assert not differing, f"version floors differ (pyproject, conda): {differing}"


def test_runtime_dependencies_have_floors_not_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        name, version = _split(spec)
        assert version.startswith(">="), f"{name} should have a version floor, got {version!r}"
    assert _split(next(s for s in project["dependencies"] if s.startswith("numpy")))[1] == ">=2"


def test_pre_commit_config_is_valid_and_local_only():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [r["repo"] for r in config["repos"]] == ["local"]
    for hook in config["repos"][0]["hooks"]:
        assert hook["entry"].startswith(".venv/bin/"), hook["id"]
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def _make_targets() -> list[str]:
    makefile = (ROOT / "Makefile").read_text()
    return re.findall(r"^([a-z][a-z-]*):.*?## ", makefile, flags=re.M)


def test_every_make_target_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text()
    targets = _make_targets()
    assert {"setup", "test", "lab", "lint", "bench", "clean"} <= set(targets)
    # `all` is the default goal: the README documents it as plain `make`.
    missing = [t for t in targets if f"`make {t}`" not in readme and t != "all"]
    assert "all" in targets and "| `make` |" in readme
    assert not missing, f"README.md does not document: {missing}"


def test_make_help_lists_every_target():
    done = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True)
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
    assert set(_make_targets()) <= listed, sorted(set(_make_targets()) - listed)


def test_readme_quick_start_is_make_then_make_test():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", quick, flags=re.S).group(1)
    commands = [ln.split("#")[0].strip() for ln in block.splitlines()]
    assert [c for c in commands if c] == ["make", "make test"]


def test_ci_runs_exactly_make_test():
    lines = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    assert "make test" in commands
    looser = [c for c in commands if "pytest" in c or "-k " in c]
    assert not looser, f"CI must not run a looser command: {looser}"


def test_make_test_runs_lint():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test:.*\blint\b", makefile, flags=re.M)


def test_ci_runs_the_floors_job_after_make_test():
    lines = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    assert "make test-floors" in commands
    assert commands.index("make test") < commands.index("make test-floors")


def test_ci_checks_the_site_and_every_lesson_in_a_real_browser():
    lines = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    assert "make test-site" in commands and "make test-lab" in commands
    assert commands.index("make test") < commands.index("make test-lab")


def test_the_floors_job_installs_the_lowest_versions_in_its_own_venv():
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "test-floors"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--resolution lowest-direct" in recipe
    assert "rm -rf .venv-floors" in recipe and ".venv-floors/bin/python -m pytest" in recipe
    assert not re.search(r"(^|\s)\.venv/bin/python -m pytest", recipe, flags=re.M)
    ignored = subprocess.run(["git", "check-ignore", "-q", ".venv-floors/"], cwd=ROOT)
    assert ignored.returncode == 0, ".venv-floors/ is not git-ignored"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert ".venv-floors" in config["tool"]["ruff"]["extend-exclude"]
    clean = subprocess.run(["make", "-n", "clean"], cwd=ROOT, capture_output=True, text=True)
    assert ".venv-floors" in clean.stdout


def test_make_leaves_bytecode_writing_on():
    """Kernels started by `make lab` or by the grader read nnlib's cached bytecode instead of
    compiling it at every start: no recipe runs with PYTHONDONTWRITEBYTECODE set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    show = 'show-env: ; @echo "[$${PYTHONDONTWRITEBYTECODE-unset}]"'
    done = subprocess.run(
        ["make", "-s", f"--eval={show}", "show-env"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[unset]"


@pytest.mark.parametrize("heavy", ["matplotlib", "ipywidgets", "tqdm"])
def test_import_nnlib_does_not_import_heavy_modules(heavy):
    code = f"import sys, nnlib; print({heavy!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"import nnlib pulled in {heavy}"


# Lower layers never import higher ones (DESIGN.md's module map). A module may import only
# modules of a strictly lower level.
LEVELS = {
    "_checks": 0,
    "_erf": 0,
    "_gates": 0,
    "questions": 0,
    "activations": 1,
    "initializers": 1,
    "optimizers": 1,
    "schedules": 1,
    "gradcheck": 1,
    "datasets": 1,
    "plotting": 2,  # plot_activations resolves activation names: activations
    "diagrams": 1,
    "classic": 1,
    "_flat": 1,
    "metrics": 1,
    "surfaces": 1,  # 2-D test functions for optimizer races: numpy and _checks only
    "losses": 2,
    "experiments": 2,  # deep-net statistics, optimizer races: activations, optimizers, surfaces
    "layers": 2,
    "selfcheck": 2,
    "model": 3,
    "training": 4,
    "widgets": 5,  # lesson 04 builds an MLP; lesson 08 trains one (training)
}


def _nnlib_imports(path: Path) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .losses import ...
                found.add(node.module.split(".")[0])
            elif node.level == 1:  # from . import classic, questions
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("nnlib"):
                parts = node.module.split(".")
                found.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("nnlib."))
    return found


def test_modules_only_import_lower_layers():
    packages = {p.parent.name: p for p in (ROOT / "nnlib").glob("*/__init__.py")}
    files = {p.stem: p for p in (ROOT / "nnlib").glob("*.py") if p.stem != "__init__"}
    modules = files | packages
    assert set(modules) == set(LEVELS), f"add new modules to LEVELS: {set(modules) ^ set(LEVELS)}"
    for name, level in LEVELS.items():
        for dep in _nnlib_imports(modules[name]):
            assert LEVELS[dep] < level, f"nnlib.{name} (level {level}) imports nnlib.{dep}"
