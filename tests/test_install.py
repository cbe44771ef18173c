"""What the README promises about installing holds: the Python it names, the versions it pins.

* One oldest Python everywhere (pyproject.toml, environment.yml, the Makefile, ruff's target,
  the README), and it is the real one: every extra that `make` installs resolves for it from
  the package index, and one minor release earlier does not (nbgrader needs it). pip
  resolves for a Python it is not running on (``--python-version`` with
  ``--only-binary=:all:``), so no old interpreter is needed.
* `make` with a too-old interpreter stops before it creates anything and says what it needs
  and what it found; tested with fake interpreters (scripts that print a version) and with a
  real old Python where the machine has one.
* The linters that gate `make test` are held to one minor release line.

The resolution tests need the package index. Where it cannot be reached they are skipped,
naming the index and the error, except under CI (``CI`` set), where `make` itself needs
the index, so they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from importlib.metadata import version as installed_version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MAKEFILE = (ROOT / "Makefile").read_text()


def _oldest_python() -> tuple[int, int]:
    m = re.fullmatch(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert m, "requires-python must be a plain floor, >=X.Y"
    return int(m[1]), int(m[2])


OLDEST = _oldest_python()
OLDEST_TEXT = f"{OLDEST[0]}.{OLDEST[1]}"


def _make_extras() -> str:
    """The extras `make setup` installs, as written in the Makefile: 'lab,grade,dev,site'."""
    found = set(re.findall(r"-e '\.\[([a-z,]+)\]'", MAKEFILE))
    assert len(found) == 1, f"every install in the Makefile should name the same extras: {found}"
    return found.pop()


# ------------------------------------------------------------------ one oldest Python


def test_the_oldest_python_is_the_same_everywhere():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and "python" in d)
    assert conda_python.replace(" ", "") == f"python>={OLDEST_TEXT}"
    assert re.search(rf"^MIN_PYTHON := {re.escape(OLDEST_TEXT)}$", MAKEFILE, flags=re.M)
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py{OLDEST[0]}{OLDEST[1]}"


def test_readme_names_the_oldest_python():
    readme = (ROOT / "README.md").read_text()
    assert f"You need Python {OLDEST_TEXT} or newer" in readme
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert f"`python3` ≥ {OLDEST_TEXT}" in quick


#: "Python 3.X or newer", "`python3` (3.X or newer)", "`python3` ≥ 3.X", "python>=3.X"
PYTHON_FLOOR = re.compile(
    r"[Pp]ython3?`?\s*\(?\s*3\.(\d+)\+? or (?:newer|later)|[Pp]ython3?`?\s*(?:≥|>=)\s*3\.(\d+)"
)


def test_no_tracked_file_names_another_oldest_python():
    """The site's landing page, docs and notebooks too, not only the README."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tracked files are unknown")
    stale = []
    for name in listed.stdout.splitlines():
        path = ROOT / name
        if path.suffix not in {".md", ".py", ".yml", ".toml", ".ipynb", ".txt"}:
            continue
        for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for m in PYTHON_FLOOR.finditer(line):
                if int(m[1] or m[2]) != OLDEST[1]:
                    stale.append(f"{name}:{lineno}: {m[0]}")
    assert not stale, f"these name another oldest Python than {OLDEST_TEXT}: {stale}"


# ------------------------------------------------------------------ resolution from the index


def _index_url() -> str:
    url = os.environ.get("PIP_INDEX_URL", "")
    if not url:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
            capture_output=True,
            text=True,
        )
        url = done.stdout.strip() if done.returncode == 0 else ""
    return url or "https://pypi.org/simple/"


@pytest.fixture(scope="module")
def index():
    """The package index pip uses, checked reachable; skip (fail under CI) where it is not."""
    pytest.importorskip("pip", reason="these tests resolve with this interpreter's pip")
    url = _index_url()
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/pip/", timeout=20) as reply:
            reply.read(1)
    except (urllib.error.URLError, OSError) as error:
        message = f"the package index {url} cannot be reached ({error}); cannot resolve"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must reach it: `make` installs from it)")
        pytest.skip(message)
    return url


def _resolve(python: str, requirements: list[str], report: Path) -> subprocess.CompletedProcess:
    """pip's resolution for a target Python, installing nothing and running no build of a
    dependency: only wheels count, as a student's pip on that Python would use them."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
            *("--only-binary=:all:", "--python-version", python, "--retries", "2"),
            *("--quiet", "--report", str(report), *requirements),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _direct_requirements(extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    specs = list(project["dependencies"])
    for extra in extras.split(","):
        specs += project["optional-dependencies"][extra]
    return [Requirement(s) for s in specs]


def test_every_extra_make_installs_resolves_for_the_oldest_python(index, tmp_path):
    extras = _make_extras()
    done = _resolve(OLDEST_TEXT, [f".[{extras}]"], tmp_path / "report.json")
    assert done.returncode == 0, f"no install for Python {OLDEST_TEXT} from {index}:\n{done.stderr}"
    chosen = {
        re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower(): item["metadata"]["version"]
        for item in json.loads((tmp_path / "report.json").read_text())["install"]
    }
    assert "nnlib" in chosen
    for req in _direct_requirements(extras):
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in chosen, f"{name} missing from the resolution"
        assert req.specifier.contains(chosen[name], prereleases=True), (name, chosen[name])


def test_one_minor_release_older_cannot_install_nbgrader(index, tmp_path):
    """The floor is needed, and for the reason the Makefile's message gives."""
    older = f"{OLDEST[0]}.{OLDEST[1] - 1}"
    requirements = [str(r) for r in _direct_requirements(_make_extras())]
    done = _resolve(older, requirements, tmp_path / "report.json")
    assert done.returncode != 0, f"everything installs on Python {older}: lower requires-python"
    assert re.search(r"No matching distribution found for nbgrader", done.stderr), done.stderr


def test_every_floor_is_installable_as_a_wheel_on_the_oldest_python(index, tmp_path):
    """What `make test-floors` installs on the oldest Python is exactly the declared floors:
    each one has a wheel there (else the job would quietly test a later release)."""
    uv = Path(sys.executable).with_name("uv")
    assert uv.exists(), f"uv (the dev extra) is missing beside {sys.executable}: run make"
    extras = _make_extras()
    done = subprocess.run(
        [
            *(str(uv), "pip", "compile", "--quiet", "--no-header", "--no-annotate"),
            *("--python-version", OLDEST_TEXT, "--resolution", "lowest-direct"),
            *("--only-binary", ":all:", "-o", str(tmp_path / "floors.txt")),
            *(arg for extra in extras.split(",") for arg in ("--extra", extra)),
            "pyproject.toml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    chosen = {}
    for line in (tmp_path / "floors.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            chosen[re.sub(r"[-_.]+", "-", name).lower()] = Version(version.strip())
    for req in _direct_requirements(extras):
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        floor = next(Version(s.version) for s in req.specifier if s.operator in (">=", "=="))
        assert chosen.get(name) == floor, (
            f"{req}: the lowest wheel for Python {OLDEST_TEXT} is {chosen.get(name)}"
        )


# ------------------------------------------------------------------ make with an old Python


def _fake_python(folder: Path, reported: str) -> Path:
    """A stand-in interpreter: it only prints `reported` for ``--version``, as Python does."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "python"
    path.write_text(f'#!/bin/sh\necho "{reported}"\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def checkout(tmp_path):
    """The Makefile and pyproject.toml alone: enough for `make` to reach its first step."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _make(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-C", str(checkout), *args], capture_output=True, text=True, timeout=300
    )


def _assert_stopped_at_once(done: subprocess.CompletedProcess, checkout: Path, found: str):
    assert done.returncode != 0, done.stdout
    assert f"needs Python {OLDEST_TEXT} or newer" in done.stderr, done.stderr
    assert "nbgrader" in done.stderr and found in done.stderr, done.stderr
    assert f"make PYTHON=python{OLDEST_TEXT}" in done.stderr, done.stderr
    assert not (checkout / ".venv").exists(), "a venv was created before the check"
    assert "-m venv" not in done.stdout and "pip install" not in done.stdout, done.stdout


@pytest.mark.parametrize("reported", ["Python 2.7.18", "Python 3.9.18", "Python 3.10.13"])
def test_make_with_a_too_old_python_stops_before_creating_anything(checkout, reported):
    fake = _fake_python(checkout / "old", reported)
    done = _make(checkout, f"PYTHON={fake}")
    _assert_stopped_at_once(done, checkout, reported)
    assert "Nothing was created" in done.stderr


def test_make_with_a_python_that_does_not_say_its_version_stops(checkout):
    fake = _fake_python(checkout / "odd", "something else")
    _assert_stopped_at_once(_make(checkout, f"PYTHON={fake}"), checkout, "something else")


@pytest.mark.parametrize("reported", [f"Python {OLDEST_TEXT}.0", "Python 3.14.0rc1", "Python 4.0"])
def test_the_check_lets_a_new_enough_python_through(checkout, reported):
    fake = _fake_python(checkout / "new", reported)
    done = _make(checkout, "-s", "python-version", f"PYTHON={fake}")
    assert done.returncode == 0, done.stderr
    assert _make(checkout, "-s", "python-version", f"PYTHON={sys.executable}").returncode == 0


def test_an_old_venv_is_named_with_the_way_out(checkout):
    """A .venv left by an old Python (say, by an earlier make) is checked, not reused."""
    _fake_python(checkout / ".venv" / "bin", "Python 3.10.13")
    done = _make(checkout, f"PYTHON={sys.executable}")
    assert done.returncode != 0
    assert "Python 3.10.13" in done.stderr and "make clean" in done.stderr, done.stderr
    assert "pip install" not in done.stdout, done.stdout


def _old_interpreters() -> list[str]:
    """Real Pythons older than the floor on this machine (pyenv's, then PATH's)."""
    candidates = sorted(Path.home().glob(".pyenv/versions/3.*/bin/python3.*"))
    candidates += [Path(p) for v in range(6, OLDEST[1]) if (p := shutil.which(f"python3.{v}"))]
    old = []
    for path in candidates:
        if not re.fullmatch(r"python3\.\d+", path.name):
            continue
        probe = subprocess.run(
            [str(path), "-c", "import sys; print(sys.version_info[1])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and int(probe.stdout) < OLDEST[1]:
            old.append(str(path))
    return old


def test_make_with_a_real_old_python_stops_before_creating_anything(checkout):
    old = _old_interpreters()
    if not old:
        pytest.skip(f"no Python older than {OLDEST_TEXT} on this machine (the fakes still ran)")
    done = _make(checkout, f"PYTHON={old[-1]}")
    version = subprocess.run([old[-1], "--version"], capture_output=True, text=True)
    _assert_stopped_at_once(done, checkout, (version.stdout or version.stderr).strip())


# ------------------------------------------------------------------ pinned linters


@pytest.mark.parametrize("tool", ["ruff", "nbstripout"])
def test_linters_move_only_by_choice(tool):
    """A linter that gates `make test` is held to one minor line: >=X.Y.Z,<X.(Y+1)."""
    dev = {
        Requirement(s).name: Requirement(s)
        for s in PYPROJECT["project"]["optional-dependencies"]["dev"]
    }
    spec = dev[tool].specifier
    floors = [s.version for s in spec if s.operator == ">="]
    ceilings = [s.version for s in spec if s.operator == "<"]
    assert len(floors) == 1 and len(ceilings) == 1, f"{tool}: {spec}"
    major, minor = floors[0].split(".")[:2]
    assert ceilings[0] == f"{major}.{int(minor) + 1}", (
        f"{tool}: {spec} spans more than {major}.{minor}"
    )
    assert SpecifierSet(str(spec)).contains(installed_version(tool)), (
        f"{tool} {installed_version(tool)} is installed, outside {spec}: run make"
    )
