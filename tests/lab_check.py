"""Every lesson in JupyterLab, in headless Chromium: ``make test-lab``.

``pytest tests/lab_check.py`` (or ``python tests/lab_check.py``). Not collected by ``make
test`` (the file name does not start with ``test_``). ``NNFP_LAB_NOTEBOOKS=/some/folder``
checks the lessons of another folder (e.g. a copy broken on purpose, to see the check fail)
instead of ``notebooks/``.

JupyterLab runs from the Python of this interpreter (``.venv``) on 127.0.0.1, on a free port,
with a random token, on a throw-away folder holding COPIES of ``notebooks/[0-9][0-9]_*.ipynb``
(the outputs are never written into the repository), and with throw-away config, data,
runtime, settings, workspace, IPython and matplotlib folders and HOME, so that nothing of
the user's set-up leaks in. It is stopped, with its kernels, at the end whatever happens.

Chromium is Debian's (``apt-get install chromium``; ``CHROMIUM=/path`` picks another
binary), driven by Playwright from PyPI with the flags of ``tests/site_check.py``; every
request that leaves the server is aborted and counted as a failure. One browser; the
lessons in turn, each in a fresh page and on a fresh kernel:

- open the lesson, wait for its kernel, then Run All: JupyterLab's own command
  ``notebook:run-all-cells`` (the one behind Run > Run All Cells), through the application
  object that ``--LabApp.expose_app_in_browser`` puts on ``window.jupyterapp`` (as Galata,
  JupyterLab's own browser-test tool, does). Unlike a click on a menu label, it does not
  depend on the menu's layout or wording, and its promise says when the run has finished;
- every code cell has an execution count; no cell has an error or stderr output (read from
  the notebook's model, so a cell scrolled out of view counts too, and from the page);
  the kernel sent no error or stderr message (which JupyterLab would show only in its log
  console); no console error or page error in the browser;
- every widget output (an ipywidgets view) rendered, and when its first control changes
  (a drop-down: the next option; a slider: one step with the arrow keys; a check box, a
  toggle or a button: a click; a text box: a new value) the widget redraws IN PLACE: the
  same number of outputs in its cell and in the notebook, the same number of pictures in
  its cell, and a picture whose content changed (or, for a widget without a picture, its
  text); nothing written to stderr, no error;
- screenshots under ``_build/lab-screenshots/``: the page at the first widget (else at the
  top) and each widget after its change.

The time of each lesson (open, Run All, widgets) is printed at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import site_check
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(os.environ.get("NNFP_LAB_NOTEBOOKS") or ROOT / "notebooks").resolve()
SHOTS = ROOT / "_build" / "lab-screenshots"
#: site_check's browser and its flags (off the network: no background, sync or update
#: requests), without file access: the pages come from the local server
CHROMIUM = site_check.CHROMIUM
FLAGS = [f for f in site_check.FLAGS if f != "--allow-file-access-from-files"]
#: seconds for the server to answer, for a lesson's kernel to start, for Run All
START_LIMIT, KERNEL_LIMIT = 60, 60
RUN_LIMIT = float(os.environ.get("NNFP_LAB_RUN_LIMIT") or 90)
#: seconds for a widget to render, and to redraw after its control changed
WIDGET_LIMIT = 20
#: Console errors that are JupyterLab's, not the lesson's, each with why it is harmless.
#: Empty: none were seen with JupyterLab 4.6 and ipywidgets 8.1.
HARMLESS_CONSOLE: dict[str, str] = {}
#: What a fresh kernel writes to stderr when a lesson's page connects, which is JupyterLab's,
#: not the lesson's (`kernel_problems` lets these two through, and nothing else):
#: the widget manager, on connecting to a kernel, opens a 'jupyter.widget.control' comm to
#: ask for the widgets the kernel already holds (to restore them after a page reload); a
#: kernel that has not imported ipywidgets yet has no such comm target, so ipykernel logs
#: CONTROL_TARGET in reply to that comm_open, then NO_SUCH_COMM for each message the manager
#: sends on the comm that never opened, and the manager falls back. Harmless, as an
#: ipywidgets maintainer answered in jupyter-widgets/ipywidgets#3525 (and #3454). A
#: NO_SUCH_COMM about a comm the kernel itself opened (a lesson's widget) is a problem.
CONTROL_TARGET = r"stderr: No such comm target registered: jupyter\.widget\.control\s*"
NO_SUCH_COMM = r"stderr: No such comm: ([0-9a-f-]{32,36})\s*"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LESSON_TIMES: dict[str, dict[str, float]] = {}


def lessons() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _isolated_env(tmp: Path) -> dict[str, str]:
    """The environment of the server and its kernels: every per-user folder in `tmp`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    dirs = {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
        "XDG_CONFIG_HOME": "home/.config",
        "XDG_CACHE_HOME": "home/.cache",
        "XDG_DATA_HOME": "home/.local/share",
    }
    for name, sub in dirs.items():
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(tmp / sub)
    env.pop("PYTHONSTARTUP", None)
    return env


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


class LabServer:
    """``jupyter lab`` on copies of the lessons, in a throw-away folder; see the docstring."""

    def __init__(self, notebooks: list[Path]):
        self.tmp = Path(tempfile.mkdtemp(prefix="nnfp-lab-"))
        self.root = self.tmp / "root"
        self.root.mkdir()
        for nb in notebooks:
            shutil.copy2(nb, self.root / nb.name)
        self.env = _isolated_env(self.tmp)
        # answer JupyterLab's "get notified about official Jupyter news?" toast in advance:
        # no, so it neither asks (over the first widget in the screenshots) nor fetches
        news = self.tmp / "settings/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
        news.parent.mkdir(parents=True)
        news.write_text(json.dumps({"fetchNews": "false"}))
        self.port, self.token = _free_port(), os.urandom(16).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = self.tmp / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        # matplotlib builds its font cache once per config folder and says so on stderr: build
        # it here, before a lesson's first figure would print that message into a cell
        subprocess.run(
            [sys.executable, "-c", "import matplotlib.font_manager"], env=self.env, check=True
        )
        jupyter = Path(sys.executable).with_name("jupyter")
        cmd = [
            str(jupyter),
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if os.geteuid() == 0:  # CI runs as root
            cmd.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_LIMIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {self.proc.returncode}:\n{self.tail()}")
            try:
                json.loads(_get(f"{self.url}/api/status?token={self.token}"))
                return
            except (OSError, ValueError):
                time.sleep(0.3)
        pytest.fail(
            f"jupyter lab did not answer on {self.url} within {START_LIMIT} s:\n{self.tail()}"
        )

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Shut the server down (it stops its kernels); then end whatever is left of it."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                req = urllib.request.Request(
                    f"{self.url}/api/shutdown?token={self.token}", method="POST"
                )
                urllib.request.urlopen(req, timeout=10).read()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        # the kernels run in sessions of their own; any still alive is found by its
        # connection file, which lies in this run's own runtime folder
        for pid in _pids_mentioning(str(self.tmp)):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _pids_mentioning(text: str) -> list[int]:
    """Processes whose command line contains `text` (this run's unique temporary folder)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(proc.name))
            except OSError:
                pass
    return pids


# --------------------------------------------------------------------------- in the page

#: the lesson's notebook panel and its kernel, through JupyterLab's application object
_PANEL = "const w = window.jupyterapp.shell.currentWidget, nb = w.content;"

_OPENED = """(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return !!(w && w.context && w.context.path === name && w.content && w.sessionContext); }"""

_KERNEL_IDLE = f"""async () => {{ {_PANEL}
    await w.context.ready; await w.sessionContext.ready;
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    return !!(k && k.status === 'idle'); }}"""

# Record what the kernel sends to stderr and every error it reports, wherever JupyterLab
# would show it (a cell, or only its log console), then start Run All.
_RUN_ALL = f"""() => {{ {_PANEL}
    const state = window.__nnfp = {{phase: 'Run All', kernel: [], comms: [], ran: null}};
    w.sessionContext.iopubMessage.connect((_, msg) => {{
        const t = msg.header.msg_type, c = msg.content;
        const parent = (msg.parent_header || {{}}).msg_type || 'no request';
        if (t === 'comm_open') state.comms.push(c.comm_id);
        if (t === 'error') state.kernel.push(
            {{phase: state.phase, parent, text: `${{c.ename}}: ${{c.evalue}}`}});
        if (t === 'stream' && c.name === 'stderr') state.kernel.push(
            {{phase: state.phase, parent, text: `stderr: ${{c.text.slice(0, 300)}}`}});
    }});
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        r => {{ state.ran = r ? 'ok' : 'stopped'; }}, e => {{ state.ran = 'failed: ' + e; }});
}}"""

_RUN_DONE = f"""() => {{ {_PANEL}
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    return window.__nnfp.ran !== null && !!k && k.status === 'idle'; }}"""

# Each cell from the notebook's model (so a cell scrolled out of view counts too).
_CELLS = f"""() => {{ {_PANEL}
    return nb.widgets.map((c, i) => {{
        const code = c.model.type === 'code';
        const outputs = code ? c.model.outputs.toJSON() : [];
        return {{
            index: i, code, source: c.model.sharedModel.getSource(),
            count: code ? c.model.executionCount : null,
            outputs: outputs.map(o => ({{
                type: o.output_type, name: o.name || '', ename: o.ename || '',
                evalue: o.evalue || '', text: (o.name === 'stderr' ? String(o.text) : ''),
                mimes: Object.keys(o.data || {{}}),
            }})),
        }};
    }}); }}"""

_DOM_ERRORS = """() => document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length"""

_SHOW_CELL = f"""async (i) => {{ {_PANEL}
    const cell = nb.widgets[i];
    await nb.scrollToCell(cell, 'start');
    document.querySelectorAll('[data-nnfp-cell]').forEach(e => e.removeAttribute('data-nnfp-cell'));
    cell.node.setAttribute('data-nnfp-cell', String(i)); }}"""

# What a widget's cell shows: outputs, pictures (a hash of each one's content), text.
_SNAPSHOT = f"""async (i) => {{ {_PANEL}
    const cell = nb.widgets[i], area = cell.outputArea.node;
    const digest = async bytes => [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))]
        .map(b => b.toString(16).padStart(2, '0')).join('').slice(0, 12);
    const figures = [...area.querySelectorAll('img, canvas')];
    const hashes = [];
    for (const f of figures) {{
        const bytes = f.tagName === 'IMG' ? await (await fetch(f.src)).arrayBuffer()
            : new TextEncoder().encode(f.toDataURL());
        hashes.push(await digest(bytes));
    }}
    return {{
        outputs: area.querySelectorAll('.jp-OutputArea-output').length,
        cell_outputs: cell.model.outputs.length,
        notebook_outputs: nb.widgets.reduce(
            (n, c) => n + (c.model.type === 'code' ? c.model.outputs.length : 0), 0),
        figures: figures.length, hashes, text: area.innerText,
        unloaded: figures.filter(f => f.tagName === 'IMG' && !(f.complete && f.naturalWidth > 0))
            .length,
        views: area.querySelectorAll('.jupyter-widgets').length,
    }}; }}"""

# Mark the widget's first control (in document order) and describe it.
_FIRST_CONTROL = f"""(i) => {{ {_PANEL}
    const area = nb.widgets[i].outputArea.node;
    document.querySelectorAll('[data-nnfp-control]')
        .forEach(e => e.removeAttribute('data-nnfp-control'));
    const c = area.querySelector(['select', 'input', 'textarea', 'button', '.noUi-handle']
        .map(s => '.jupyter-widgets ' + s).join(', '));
    if (!c) return null;
    c.setAttribute('data-nnfp-control', '');
    const box = c.closest('.widget-inline-hbox, .jupyter-widgets');
    const label = box && box.querySelector('.widget-label');
    return {{
        tag: c.tagName.toLowerCase(), type: c.type || '', handle: c.matches('.noUi-handle'),
        label: (label && label.textContent) || c.textContent || c.title || '',
        value: c.matches('.noUi-handle') ? c.getAttribute('aria-valuenow') : (c.value || ''),
    }}; }}"""

#: how many errors or stderr messages the kernel sent in the current phase
_COMPLAINTS = "() => window.__nnfp.kernel.filter(m => m.phase === window.__nnfp.phase).length"

_SHUTDOWN = f"""async () => {{ {_PANEL} await w.sessionContext.shutdown(); }}"""


# --------------------------------------------------------------------------- the checks


def _cell_name(cell: dict) -> str:
    line = next((ln for ln in cell["source"].splitlines() if ln.strip()), "")
    return f"cell {cell['index'] + 1} ({line.strip()[:60]!r})"


def _waited(page, script: str, seconds: float, arg=None) -> bool:
    """Wait until `script` returns true in the page; False after `seconds`."""
    try:
        page.wait_for_function(script, arg=arg, timeout=seconds * 1000, polling=250)
    except PlaywrightTimeout:
        return False
    return True


def open_lesson(page, lab: LabServer, name: str) -> None:
    """Open the lesson in JupyterLab (a fresh workspace) and wait for its idle kernel."""
    page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}&reset", wait_until="load")
    if not _waited(page, _OPENED, KERNEL_LIMIT, arg=name):
        pytest.fail(f"{name}: JupyterLab did not open it within {KERNEL_LIMIT} s", pytrace=False)
    if not _waited(page, _KERNEL_IDLE, KERNEL_LIMIT):
        pytest.fail(f"{name}: its kernel was not idle within {KERNEL_LIMIT} s", pytrace=False)


def run_all(page, name: str) -> list[dict]:
    """Run All, wait until it has finished and the kernel is idle; return the cells."""
    page.evaluate(_RUN_ALL)
    finished = _waited(page, _RUN_DONE, RUN_LIMIT)
    cells = page.evaluate(_CELLS)
    if not finished:
        pending = [c for c in cells if c["code"] and c["count"] is None and c["source"].strip()]
        where = f": {len(pending)} code cells unfinished, from {_cell_name(pending[0])}"
        pytest.fail(
            f"{name}: Run All did not finish within {RUN_LIMIT:.0f} s{where if pending else ''}",
            pytrace=False,
        )
    return cells


def cell_problems(cells: list[dict]) -> list[str]:
    """Error and stderr outputs, and the code cells that did not run."""
    problems, not_run = [], []
    for cell in cells:
        if not cell["code"]:
            continue
        if cell["count"] is None and cell["source"].strip():
            not_run.append(cell)
        for out in cell["outputs"]:
            if out["type"] == "error":
                problems.append(f"{_cell_name(cell)}: {out['ename']}: {out['evalue']}")
            elif out["name"] == "stderr":
                problems.append(f"{_cell_name(cell)} wrote to stderr: {out['text'][:300]!r}")
    if not_run:
        problems.append(
            f"{len(not_run)} code cells have no execution count (Run All did not run them), "
            f"from {_cell_name(not_run[0])}"
        )
    return problems


def kernel_problems(state: dict) -> list[str]:
    """Errors and stderr the kernel sent outside a cell's output (JupyterLab shows them only in
    its log console: from a widget's callback, say), but CONTROL_TARGET and NO_SUCH_COMM."""
    problems = []
    for m in state["kernel"]:
        if m["parent"] == "execute_request":  # shown in the cell: `cell_problems` has it
            continue
        no_comm = re.fullmatch(NO_SUCH_COMM, m["text"])
        if re.fullmatch(CONTROL_TARGET, m["text"]) and m["parent"] == "comm_open":
            continue
        if no_comm and no_comm[1] not in state["comms"]:  # not a comm of the lesson's code
            continue
        problems.append(
            f"the kernel sent, during {m['phase']} (in reply to {m['parent']}): {m['text'].strip()}"
        )
    return problems


def change_control(page, control: dict) -> str:
    """Change the marked first control of a widget as a user would; describe the change."""
    ctl = page.locator("[data-nnfp-control]")
    before = control["value"]
    if control["tag"] == "select":
        options = ctl.evaluate("e => [...e.options].map(o => o.value)")
        after = options[(options.index(before) + 1) % len(options)]
        ctl.select_option(after)
    elif control["handle"]:  # an ipywidgets slider (noUiSlider): one step with the keyboard
        ctl.focus()
        ctl.press("ArrowRight")
        after = ctl.get_attribute("aria-valuenow")
        if after == before:  # at its maximum
            ctl.press("ArrowLeft")
            after = ctl.get_attribute("aria-valuenow")
    elif control["tag"] == "button" or control["type"] in ("checkbox", "radio"):
        ctl.click()
        after = "clicked"
    else:  # a text or number box: a new value, then Enter
        try:
            after = str(float(before) + 1)
        except ValueError:
            after = before + "x"
        ctl.fill(after)
        ctl.press("Enter")
    kind = "slider" if control["handle"] else control["tag"]
    return f"{kind} {control['label'].strip()!r}: {before} -> {after}"


def _redrawn(before: dict, now: dict) -> bool:
    if before["figures"]:
        return now["hashes"] != before["hashes"]
    return now["text"] != before["text"]


def _loaded(page, index: int) -> dict:
    """The snapshot of a widget's cell once its pictures have loaded (or WIDGET_LIMIT passed)."""
    deadline = time.monotonic() + WIDGET_LIMIT
    while True:
        snap = page.evaluate(_SNAPSHOT, index)
        if not snap["unloaded"] or time.monotonic() > deadline:
            return snap
        page.wait_for_timeout(200)


def check_widget(page, name: str, cell: dict, number: int) -> list[str]:
    """Change the first control of the widget in `cell`; return what did not redraw in place."""
    where = f"widget {number} in {_cell_name(cell)}"
    page.evaluate(_SHOW_CELL, cell["index"])
    views = page.locator(
        f'[data-nnfp-cell="{cell["index"]}"] .jp-OutputArea-output .jupyter-widgets'
    )
    try:
        views.first.wait_for(state="visible", timeout=WIDGET_LIMIT * 1000)
    except PlaywrightTimeout:
        return [f"{where}: did not render a widget within {WIDGET_LIMIT} s"]
    before = _loaded(page, cell["index"])
    if before["unloaded"]:
        return [f"{where}: {before['unloaded']} of its pictures did not load"]
    if "Error displaying widget" in before["text"]:
        return [f"{where}: {before['text'].strip()[:200]}"]
    control = page.evaluate(_FIRST_CONTROL, cell["index"])
    if control is None:
        return [f"{where}: has no control (select, input, button or slider) to change"]
    page.evaluate("p => { window.__nnfp.phase = p; }", f"the change of widget {number}")
    change = change_control(page, control)
    if change.endswith(f": {control['value']} -> {control['value']}"):
        return [f"{where}: its first control did not change ({change})"]
    deadline, now = time.monotonic() + WIDGET_LIMIT, before
    while not _redrawn(before, now) and time.monotonic() < deadline:
        if page.evaluate(_COMPLAINTS):  # an error: it will not redraw
            break
        page.wait_for_timeout(200)
        now = page.evaluate(_SNAPSHOT, cell["index"])
    _waited(page, _RUN_DONE, WIDGET_LIMIT)  # the kernel is idle again (else: found below)
    page.wait_for_timeout(700)  # anything drawn late (a second figure) shows up by now
    after = _loaded(page, cell["index"])
    after["complaints"] = page.evaluate(_COMPLAINTS)
    page.evaluate("() => { window.__nnfp.phase = 'after the widgets'; }")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(f'[data-nnfp-cell="{cell["index"]}"]').screenshot(
        path=str(SHOTS / f"{Path(name).stem}-widget{number}.png")
    )
    LESSON_TIMES[name].setdefault("changes", []).append(f"widget {number}: {change}")
    return widget_problems(where, change, before, after)


def widget_problems(where: str, change: str, before: dict, after: dict) -> list[str]:
    said = f"{where}, after {change}"
    problems = []
    for key, what in [
        ("cell_outputs", "outputs of its cell"),
        ("outputs", "outputs shown in its cell"),
        ("notebook_outputs", "outputs in the notebook"),
        ("figures", "pictures in its cell"),
        ("unloaded", "pictures that did not load"),
    ]:
        if after[key] != before[key]:
            problems.append(
                f"{said}: {what} went from {before[key]} to {after[key]} (not redrawn in place"
                f"{': a figure stacked below' if after[key] > before[key] else ''})"
            )
    if not _redrawn(before, after):
        thing = "its picture" if before["figures"] else "its text (it shows no picture)"
        when = ": the kernel reported an error (below)" if after["complaints"] else ""
        problems.append(f"{said}: {thing} did not change{when or f' within {WIDGET_LIMIT} s'}")
    return problems


# --------------------------------------------------------------------------- pytest


class _Times:
    """Prints each lesson's times at the end of the run (registered by the `lab` fixture)."""

    def pytest_terminal_summary(self, terminalreporter):
        if not LESSON_TIMES:
            return
        terminalreporter.section("lessons in JupyterLab: seconds")
        for name, t in LESSON_TIMES.items():
            parts = [f"{name:<28}"]
            for key in ("open", "run all", "widgets", "total"):
                parts.append(f"{key} {t[key]:5.1f}" if key in t else f"{key}     -")
            if "n widgets" in t:
                parts[3] += f" ({t['n widgets']:.0f})"
            terminalreporter.write_line("   ".join(parts))
            for change in t.get("changes", []):
                terminalreporter.write_line(f"    {change}")


@pytest.fixture(scope="module")
def lab(request):
    if not lessons():
        pytest.fail(f"no lessons ([0-9][0-9]_*.ipynb) in {NOTEBOOKS}")
    request.config.pluginmanager.register(_Times(), "nnfp-lab-times")
    server = LabServer(lessons())
    # a SIGTERM (a CI time limit, say) unwinds like Ctrl-C, so the server is stopped too
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _watch(page, lab: LabServer) -> list[str]:
    """Collect console errors, page errors and requests that leave the server."""
    problems: list[str] = []

    def console(msg):
        if msg.type == "error" and not any(k in msg.text for k in HARMLESS_CONSOLE):
            problems.append(f"console error: {msg.text[:500]}")

    def route(r):
        url = r.request.url
        if url.startswith((lab.url + "/", "data:", "blob:")):
            r.continue_()
        else:
            problems.append(f"network request blocked (it leaves the local server): {url}")
            r.abort()

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.route("**/*", route)
    return problems


LESSONS = lessons()


@pytest.mark.parametrize("nb", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_and_its_widgets_redraw_in_place(browser, lab, nb):
    times = LESSON_TIMES[nb.name] = {}
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen = _watch(page, lab)
    problems: list[str] = []
    start = time.monotonic()
    try:
        open_lesson(page, lab, nb.name)
        times["open"] = time.monotonic() - start
        cells = run_all(page, nb.name)
        times["run all"] = time.monotonic() - start - times["open"]
        problems += cell_problems(cells)
        ran = page.evaluate("() => window.__nnfp.ran")
        if ran != "ok" and not problems:
            problems.append(f"Run All ended with {ran!r}")
        if page.evaluate(_DOM_ERRORS) and not problems:
            problems.append("the page shows an error or stderr output")
        widgets = [c for c in cells if any(WIDGET_MIME in o["mimes"] for o in c["outputs"])]
        mark = time.monotonic()
        for number, cell in enumerate(widgets, 1):
            problems += check_widget(page, nb.name, cell, number)
        times["widgets"], times["n widgets"] = time.monotonic() - mark, len(widgets)
        problems += kernel_problems(page.evaluate("() => window.__nnfp"))
        if widgets:
            page.evaluate(_SHOW_CELL, widgets[0]["index"])
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{nb.stem}.png"))
        problems += seen
    finally:
        times["total"] = time.monotonic() - start
        with contextlib.suppress(Exception):  # the kernel may be gone already
            page.evaluate(_SHUTDOWN)
        ctx.close()
    problems = list(dict.fromkeys(problems))  # an image, say, may be requested twice
    assert not problems, f"{nb.name} in JupyterLab:\n" + "\n".join(problems)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider", *sys.argv[1:]]))
