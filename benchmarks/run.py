"""make bench: nnlib against a minimal hand-written numpy loop, and PyTorch when present.

For each network, in one run, this prints seconds per epoch of

- ``nnlib.fit`` (progress bar off),
- a minimal hand-written numpy loop of the same network (same layers, ReLU, softmax
  cross-entropy, Adam; in-place updates, no needless copies),
- PyTorch CPU, when ``import torch`` works (optional),

their ratios, and the achieved GFLOP/s as a fraction of the numpy matmul peak measured in
the same process. Each configuration runs in a fresh subprocess, because BLAS reads its
thread count at import: once single-threaded (``OPENBLAS_NUM_THREADS=1``, the fair
comparison on a shared machine) and once with two threads. ``OPENBLAS_THREAD_TIMEOUT=4``
is set before import because PyTorch slows down 2-6x beside numpy's OpenBLAS otherwise.

A section times the course's autograde (``python -m autograder autograde``) on a batch of
assignment-1 submissions against plain ``nbgrader autograde`` on the same batch, then on
batches of assignment-2 and assignment-3 submissions (see ``autograde_bench``). The last grades the
adversarial suite's batch (``tests/adversarial_a1.py``) with the suite's limits and prints
the grader's own peak memory: a submission's floods, huge messages or million-line cells
must not push it past what a kernel may use (``Limits().memory_mb``). A printed figure,
like every figure here, never a test's assertion.

Usage::

    .venv/bin/python benchmarks/run.py                     # everything (what make bench runs)
    .venv/bin/python benchmarks/run.py --quick             # fewer repeats, for a smoke test
    .venv/bin/python benchmarks/run.py --only autograde    # just the autograde section
    .venv/bin/python benchmarks/run.py --only autograde-a2 # autograde of assignment 2 only
    .venv/bin/python benchmarks/run.py --only autograde-a3 # autograde of assignment 3 only
    .venv/bin/python benchmarks/run.py --only adversarial  # the grader's peak memory
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NETWORKS = {
    # Each timed call runs `epochs` epochs (one fit call, as a student would write it), and
    # the time is divided by that number: fit's one-off checks of the data are not per epoch.
    "digits": {"sizes": [64, 128, 64, 10], "batch": 64, "lr": 1e-3, "epochs": 10},
    "wide": {"sizes": [784, 1024, 1024, 10], "batch": 256, "n": 4096, "lr": 1e-3, "epochs": 1},
}
TARGETS = {
    "hand": 1.05,  # nnlib <= 1.05x the hand loop (validation once, at the public edge)
    "torch_digits": 0.8,  # nnlib <= 0.8x PyTorch on the digits MLP, single-threaded
    "peak_wide": 0.60,  # >= 60% of the float64 matmul peak on the wide MLP
    "torch_wide32": 1.2,  # float32: nnlib <= 1.2x PyTorch on the wide MLP
    "import": 0.2,  # import nnlib <= 0.2 s
    "autograde": 1.0,  # the engine: <= 1 s of wall time per submission per core (issue 5)
}


# --------------------------------------------------------------------------- worker


def _flops_per_epoch(sizes: list[int], n: int) -> float:
    """Multiply-adds x2 of one epoch: forward X@W, backward X.T@dZ and dZ@W.T (not layer 0)."""
    fwd = sum(a * b for a, b in pairwise(sizes))
    dx = fwd - sizes[0] * sizes[1]
    return 2.0 * n * (2 * fwd + dx)


def _repeat(fn, k: int):
    """A function that calls `fn` k times."""

    def run():
        for _ in range(k):
            fn()

    return run


def _best_time(fn, repeats: int) -> float:
    fn()  # warm-up: allocations, BLAS thread start
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]  # median: robust to a busy neighbour


def _interleaved_times(fns: dict, repeats: int) -> dict:
    """Median time of each function, timed in turn within every repeat.

    Timing one contender after the other lets a slow spell of the machine (a busy
    neighbour, a clock change) land on one of them only and skew the ratio; taking turns
    spreads it over all of them, so the ratios hold even where the seconds drift.
    """
    for fn in fns.values():
        fn()  # warm-up: allocations, BLAS thread start
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: sorted(ts)[len(ts) // 2] for name, ts in times.items()}


def _matmul_peak(np, dtype, n: int = 1024) -> float:
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    b = a.copy()
    out = np.empty_like(a)
    t = min(_best_time(lambda: np.matmul(a, b, out=out), 3) for _ in range(3))
    return 2.0 * n**3 / t / 1e9


def _data(np, name: str, dtype):
    net = NETWORKS[name]
    if name == "digits":
        from nnlib import datasets

        X, y = datasets.load_digits()
        X = datasets.StandardScaler().fit_transform(X)
    else:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((net["n"], net["sizes"][0]))
        y = rng.integers(0, net["sizes"][-1], net["n"])
    return X.astype(dtype), y.astype(np.int64)


def _hand_loop(np, sizes, X, y, batch, lr, dtype):
    """The same network written out by hand: what nnlib's overhead is measured against."""
    rng = np.random.default_rng(0)
    Ws = [
        (rng.standard_normal((a, b)) * np.sqrt(2.0 / a)).astype(dtype) for a, b in pairwise(sizes)
    ]
    bs = [np.zeros(b, dtype) for b in sizes[1:]]
    params = [p for pair in zip(Ws, bs, strict=True) for p in pair]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = [0]
    L = len(Ws)

    def epoch():
        order = rng.permutation(len(X))
        for s in range(0, len(X), batch):
            idx = order[s : s + batch]
            xb, yb = X[idx], y[idx]
            acts = [xb]
            h = xb
            for i in range(L):
                z = h @ Ws[i]
                z += bs[i]
                if i < L - 1:
                    np.maximum(z, 0, out=z)
                acts.append(z)
                h = z
            # softmax cross-entropy gradient at the logits: (p - onehot) / B
            z -= z.max(axis=1, keepdims=True)
            np.exp(z, out=z)
            z /= z.sum(axis=1, keepdims=True)
            z[np.arange(len(yb)), yb] -= 1.0
            z /= len(yb)
            dz = z
            grads = [None] * (2 * L)
            for i in reversed(range(L)):
                grads[2 * i] = acts[i].T @ dz
                grads[2 * i + 1] = dz.sum(axis=0)
                if i > 0:
                    dz = dz @ Ws[i].T
                    dz *= acts[i] > 0
            step[0] += 1
            t = step[0]
            c1, c2 = 1 - b1**t, 1 - b2**t
            for p, g, mi, vi in zip(params, grads, m, v, strict=True):
                mi *= b1
                mi += (1 - b1) * g
                vi *= b2
                g *= g
                g *= 1 - b2
                vi += g
                denom = np.sqrt(vi / c2)
                denom += eps
                p -= (lr / c1) * mi / denom

    return epoch


def _nnlib_epoch(np, sizes, X, y, batch, lr, dtype, epochs=1):
    import nnlib

    model = nnlib.MLP(sizes, hidden="relu", output="softmax", init="he_normal", rng=0, dtype=dtype)
    opt = nnlib.optimizers.Adam(lr=lr)
    rng = np.random.default_rng(0)

    def epoch():
        nnlib.fit(
            model,
            X,
            y,
            "softmax_cross_entropy",
            opt,
            epochs=epochs,
            batch_size=batch,
            verbose=False,
            rng=rng,
        )

    return epoch


def _torch_epoch(sizes, X, y, batch, lr, dtype, threads):
    import torch

    torch.set_num_threads(threads)
    tdtype = torch.float64 if str(dtype) == "float64" else torch.float32
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(pairwise(sizes)):
        layers.append(torch.nn.Linear(a, b, dtype=tdtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(Xt), generator=gen)
        for s in range(0, len(Xt), batch):
            idx = order[s : s + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return epoch


def worker(name: str, dtype_name: str, threads: int, repeats: int) -> dict:
    import numpy as np

    dtype = np.dtype(dtype_name)
    net = NETWORKS[name]
    X, y = _data(np, name, dtype)
    args = (np, net["sizes"], X, y, net["batch"], net["lr"], dtype)
    k = net["epochs"]
    result = {
        "network": name,
        "dtype": dtype_name,
        "threads": threads,
        "n": len(X),
        "peak": _matmul_peak(np, dtype),
        "flops": _flops_per_epoch(net["sizes"], len(X)),
        "torch": None,
    }
    contenders = {
        "hand": _repeat(_hand_loop(*args), k),
        "nnlib": _nnlib_epoch(*args, epochs=k),
    }
    try:
        import torch  # noqa: F401
    except ImportError:
        pass
    else:
        torch_epoch = _torch_epoch(net["sizes"], X, y, net["batch"], net["lr"], dtype, threads)
        contenders["torch"] = _repeat(torch_epoch, k)
    for name, seconds in _interleaved_times(contenders, repeats).items():
        result[name] = seconds / k
    return result


# --------------------------------------------------------------------------- autograde

ASSIGNMENTS = {  # short name: folder
    "a1": "a1_gradients",
    "a2": "a2_update_rules",
    "a3": "a3_activation_statistics",
}
#: submissions per batch (--quick: 4): the same for every assignment, so each amortizes the
#: same fixed start-up (imports, the gradebook) and their per-core figures compare
AUTOGRADE_N = {"a1": 20, "a2": 20, "a3": 20}
AUTOGRADE_TIMEOUT = 900  # s per timed run; release and collect get 120 s each


def _submissions(short: str, release_nb: Path, n: int) -> dict:
    """`n` varied notebooks of assignment `short` ("a1", "a2", "a3"), by student id.

    The reference solution, the blank release, the release with the textbook answers of
    ``autograder.mutants.<short>.CORRECT`` pasted in, then the reference with two or three
    mutants of ``MUTANTS`` pasted into their answer cells (``source()`` renames them to the
    question's function, which is also its answer cell's grade id).
    """
    import importlib

    import nbformat

    from autograder.specs import get_spec

    mutants = importlib.import_module(f"autograder.mutants.{short}")
    assignment = ASSIGNMENTS[short]

    def paste(nb, answers):
        """A copy of `nb` with each (question, function) of `answers` in its answer cell."""
        by_cell = {get_spec(question).function: fn for question, fn in answers}
        nb = copy.deepcopy(nb)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in by_cell:
                cell.source = mutants.source(by_cell[grade_id], grade_id)
        return nb

    source_nb = ROOT / "autograder" / "source" / assignment / f"{assignment}.ipynb"
    reference = nbformat.read(source_nb, as_version=4)
    blank = nbformat.read(release_nb, as_version=4)
    textbook = [(question, solutions[0]) for question, solutions in mutants.CORRECT.items()]
    subs = {"reference": reference, "blank": blank, "textbook": paste(blank, textbook)}
    pool, k = mutants.MUTANTS, 0
    while len(subs) < n:
        picked = [pool[(7 * k + 13 * j) % len(pool)] for j in range(2 + k % 2)]
        subs[f"mutant{k:02d}"] = paste(reference, [(m.question, m.fn) for m in picked])
        k += 1
    return dict(list(subs.items())[:n])


def _timed(cmd: list[str], cwd: Path, env: dict, timeout: float, what: str) -> float:
    """Seconds `cmd` took; stop the benchmark if it fails or outlives `timeout`."""
    t0 = time.perf_counter()
    try:
        out = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise SystemExit(f"{what}: not done within {timeout} s") from error
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{what} failed:\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
    return elapsed


def autograde_bench(short: str, n: int, plain: bool) -> dict:
    """Seconds to autograde `n` submissions of assignment `short`: the course's command, and
    plain nbgrader on the same batch if `plain`.

    All in a temporary course (the real nbgrader_config.py and the assignment's source), as
    in tests/test_autograder_workflow.py: ``release`` and ``collect`` through ``python -m
    autograder``, then the whole course folder (gradebook with the students, submitted/) is
    copied before anything is graded. Timed: ``python -m autograder autograde <assignment>``
    (default jobs) in the first copy, plain ``nbgrader autograde <assignment>`` in the second.
    """
    import nbformat

    assignment = ASSIGNMENTS[short]
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH when it creates a gradebook: use this Python's tools
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("NNFP_DB_URL", None)  # each scratch course keeps its own SQLite gradebook
    with tempfile.TemporaryDirectory(prefix="nnfp-bench-") as tmp:
        root, copied, inbox = Path(tmp, "course"), Path(tmp, "plain"), Path(tmp, "inbox")
        (root / "source").mkdir(parents=True)
        inbox.mkdir()
        shutil.copy(ROOT / "autograder" / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(ROOT / "autograder" / "source" / assignment, root / "source" / assignment)
        course = [sys.executable, "-m", "autograder", "--course", str(root)]
        _timed([*course, "release", assignment], ROOT, env, 120, "autograder release")
        release_nb = root / "release" / assignment / f"{assignment}.ipynb"
        subs = _submissions(short, release_nb, n)
        for student, nb in subs.items():
            nbformat.write(nb, inbox / f"{student}.ipynb")
        _timed([*course, "collect", str(inbox), assignment], ROOT, env, 120, "autograder collect")
        if plain:
            shutil.copytree(root, copied)  # same gradebook and students, same submitted/
        r = {"n": len(subs), "jobs": os.cpu_count() or 1}  # autograde's default jobs
        r["ours"] = _timed(
            [*course, "autograde", assignment, "--no-progress"],
            ROOT,
            env,
            AUTOGRADE_TIMEOUT,
            "python -m autograder autograde",
        )
        r["graded"] = len(list(root.glob(f"autograded/*/{assignment}")))
        if plain:
            r["plain"] = _timed(
                [sys.executable, "-m", "nbgrader", "autograde", assignment],
                copied,
                env,
                AUTOGRADE_TIMEOUT,
                "nbgrader autograde",
            )
            r["graded_plain"] = len(list(copied.glob(f"autograded/*/{assignment}")))
    return r


def print_autograde(short: str, quick: bool) -> None:
    """Time the autograde of assignment `short`; plain nbgrader beside it for assignment 1."""
    n, plain = 4 if quick else AUTOGRADE_N[short], short == "a1"
    print(
        f"\nautograde of {n} assignment-{short[1:]} submissions ({ASSIGNMENTS[short]}: reference, "
        f"blank release, textbook answers, mutants pasted in; {os.cpu_count()} cores)"
    )
    r = autograde_bench(short, n, plain)
    per = r["ours"] / r["n"]
    core = per * r["jobs"]  # wall time per submission per core
    ours = f"python -m autograder autograde (jobs {r['jobs']})"
    print(f"  {'command':<42} {'total s':>8} {'s/submission':>13} {'graded':>7}")
    print(f"  {ours:<42} {r['ours']:8.1f} {per:13.2f} {r['graded']:>7}")
    if plain:
        print(
            f"  {'nbgrader autograde (one process)':<42} {r['plain']:8.1f} "
            f"{r['plain'] / r['n']:13.2f} {r['graded_plain']:>7}"
        )
        print(f"  ratio autograder / nbgrader: {r['ours'] / r['plain']:.2f}")
    print(
        f"  autograder: {core:.2f} s per submission per core ({per:.2f} s wall x {r['jobs']} "
        f"cores; target <= {TARGETS['autograde']} s): {_verdict(core <= TARGETS['autograde'])}"
    )


# --------------------------------------------------------------------------- adversarial


def adversarial_bench() -> dict:
    """Grade the adversarial suite's batch, as ``tests/test_autograder_adversarial.py`` does
    (the same scratch course, cases, seed and limits, two jobs), with the engine in this
    process, so that `autograder.engine.GraderMemory` reports the grader's own processes:
    each worker's peak per submission and this process's. Kernels and zygotes are not the
    grader: they are held to their own memory limit."""
    sys.path.insert(0, str(ROOT / "tests"))
    import adversarial_a1 as adv

    from autograder import engine
    from autograder.confine import isolation
    from autograder.results import read_results

    level = isolation()
    cases = [c for c in adv.CASES if level == "namespaces" or not c.needs_namespaces]
    memory = engine.GraderMemory()
    with (
        tempfile.TemporaryDirectory(prefix="nnfp-bench-adversarial-") as tmp,
        adv.scratch_course(Path(tmp), cases) as course,
    ):
        t0 = time.perf_counter()
        engine.grade_batch(
            course.root,
            adv.ASSIGNMENT,
            [c.name for c in cases],
            course.root / "results",
            jobs=2,
            limits=adv.limits(),
            seed=20261122,
            progress=False,
            memory=memory,
        )
        elapsed = time.perf_counter() - t0
        scores = {r.student: r.score for r in read_results(course.root / "results", adv.ASSIGNMENT)}
    expected = {c.name: c.expected_total for c in cases}
    return {
        "n": len(cases),
        "level": level,
        "seconds": elapsed,
        "memory": memory,
        "as_expected": sum(scores.get(name) == total for name, total in expected.items()),
    }


def print_adversarial() -> None:
    from autograder.course import Limits

    print(
        "\nadversarial batch of assignment 1 (tests/adversarial_a1.py; 2 jobs, the suite's limits)"
    )
    r = adversarial_bench()
    memory, kernel_mb = r["memory"], Limits().memory_mb
    top = sorted(memory.by_student.items(), key=lambda item: -item[1])[:3]
    print(
        f"  {r['n']} submissions in {r['seconds']:.1f} s ({r['level']}); "
        f"{r['as_expected']} scored the catalogue's total"
    )
    print(
        f"  grader peak memory: {memory.peak_mb:.0f} MiB (parent {memory.parent_mb:.0f} MiB; "
        "workers' highest: " + ", ".join(f"{name} {mb:.0f}" for name, mb in top) + ")"
    )
    print(
        f"  under the {kernel_mb} MiB a kernel may use: "
        + ("yes" if memory.peak_mb < kernel_mb else "NO, over it")
    )


# --------------------------------------------------------------------------- driver


def _run_worker(name, dtype, threads, repeats) -> dict:
    env = dict(
        os.environ,
        OPENBLAS_NUM_THREADS=str(threads),
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        OPENBLAS_THREAD_TIMEOUT="4",
    )
    cmd = [sys.executable, __file__, "--worker", name, dtype, str(threads), str(repeats)]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"benchmark worker {name} {dtype} {threads} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _import_time() -> float:
    code = "import time; t = time.perf_counter(); import nnlib; print(time.perf_counter() - t)"
    times = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        )
        times.append(float(out.stdout))
    return sorted(times)[2]


def _verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (smoke test)")
    parser.add_argument(
        "--only",
        choices=["autograde", "autograde-a1", "autograde-a2", "autograde-a3", "adversarial"],
        help="run just this section (autograde: grading time of assignments 1, 2 and 3, or of "
        "one with autograde-a1 / -a2 / -a3; adversarial: grader memory)",
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, dtype, threads, repeats = args.worker
        print(json.dumps(worker(name, dtype, int(threads), int(repeats))))
        return
    if args.only and args.only.startswith("autograde"):
        for short in ASSIGNMENTS:
            if args.only in ("autograde", f"autograde-{short}"):
                print_autograde(short, args.quick)
        return
    if args.only == "adversarial":
        print_adversarial()
        return

    configs = [
        ("digits", "float64", 1),
        ("digits", "float64", 2),
        ("wide", "float64", 1),
        ("wide", "float64", 2),
        ("wide", "float32", 1),
        ("wide", "float32", 2),
    ]
    repeats = {"digits": 3 if args.quick else 9, "wide": 2 if args.quick else 5}
    print(
        f"nnlib benchmarks  (python {sys.version.split()[0]}, {os.cpu_count()} cores; "
        f"median epoch of several, after a warm-up)\n"
    )
    header = (
        f"{'network':<8} {'dtype':<8} {'thr':>3} {'nnlib s/ep':>11} {'hand s/ep':>10} "
        f"{'nnlib/hand':>10} {'GFLOP/s':>8} {'peak':>6} {'of peak':>8} "
        f"{'torch s/ep':>11} {'nnlib/torch':>11}"
    )
    print(header)
    print("-" * len(header))
    results = []
    for name, dtype, threads in configs:
        r = _run_worker(name, dtype, threads, repeats[name])
        results.append(r)
        gflops = r["flops"] / r["nnlib"] / 1e9
        torch_s = f"{r['torch']:11.4f}" if r["torch"] else f"{'n/a':>11}"
        torch_r = f"{r['nnlib'] / r['torch']:11.2f}" if r["torch"] else f"{'n/a':>11}"
        print(
            f"{name:<8} {dtype:<8} {threads:>3} {r['nnlib']:11.4f} {r['hand']:10.4f} "
            f"{r['nnlib'] / r['hand']:10.2f} {gflops:8.1f} {r['peak']:6.0f} "
            f"{gflops / r['peak']:8.0%} {torch_s} {torch_r}",
            flush=True,
        )

    imp = _import_time()
    print(
        f"\nimport nnlib: {imp:.3f} s (target <= {TARGETS['import']} s): "
        f"{_verdict(imp <= TARGETS['import'])}"
    )

    print("\nTargets, single-threaded (ratios are times: smaller is faster)")
    for r in results:
        if r["threads"] != 1:  # two threads: in the table above, no target
            continue
        ratio = r["nnlib"] / r["hand"]
        print(
            f"  {r['network']:<6} {r['dtype']} {r['threads']} thr: nnlib/hand {ratio:.2f} "
            f"(<= {TARGETS['hand']}): {_verdict(ratio <= TARGETS['hand'])}"
        )
    wide1 = next(
        r
        for r in results
        if r["network"] == "wide" and r["dtype"] == "float64" and r["threads"] == 1
    )
    frac = wide1["flops"] / wide1["nnlib"] / 1e9 / wide1["peak"]
    print(
        f"  wide float64 1 thr: {frac:.0%} of matmul peak (>= {TARGETS['peak_wide']:.0%}): "
        f"{_verdict(frac >= TARGETS['peak_wide'])}"
    )
    if all(r["torch"] is None for r in results):
        print(
            "  PyTorch comparisons skipped: torch is not installed. To include them:\n"
            "    .venv/bin/pip install torch==2.13.0   (the CPU wheel on this machine), or\n"
            "    .venv/bin/pip install torch --index-url "
            "https://download.pytorch.org/whl/cpu"
        )
    else:
        d1 = next(r for r in results if r["network"] == "digits" and r["threads"] == 1)
        ratio = d1["nnlib"] / d1["torch"]
        print(
            f"  digits float64 1 thr: nnlib/torch {ratio:.2f} (<= {TARGETS['torch_digits']}): "
            f"{_verdict(ratio <= TARGETS['torch_digits'])}"
        )
        for r in results:
            if r["network"] == "wide" and r["dtype"] == "float32":
                ratio = r["nnlib"] / r["torch"]
                print(
                    f"  wide float32 {r['threads']} thr: nnlib/torch {ratio:.2f} "
                    f"(<= {TARGETS['torch_wide32']}): "
                    f"{_verdict(ratio <= TARGETS['torch_wide32'])}"
                )

    for short in ASSIGNMENTS:
        print_autograde(short, args.quick)
    print_adversarial()


if __name__ == "__main__":
    main()
