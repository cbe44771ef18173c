"""Judgment happens in the grader.

Real assignment-1 submissions (nbgrader's release with answers pasted in, rebuilt from the
source) are graded by `autograder.judge`: cases drawn by the grader, only inputs sent into
a fresh kernel, outputs back as .npy bytes and compared outside it. The verdicts and
messages must equal what `run_check` gives in-process on the same functions and seed.
"""

import copy
import json
import pickle
import re
import subprocess
import sys
import textwrap
import types
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.checks import run_check
from autograder.judge import (
    REPLY_MIME,
    Judge,
    _mark_changed,
    _Outcome,
    _replay,
    decode_reply,
    encode_input,
    judge_notebook,
    kernel_preamble,
)
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.rebuild import rebuild, student_version
from autograder.scan import scan_source
from autograder.specs import get_spec

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "autograder" / "source" / "a1_gradients" / "a1_gradients.ipynb"
SEED = 20261122
MUTANT = {m.name: m for m in MUTANTS}


def _gid(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _correct(name):
    return source(CORRECT[name][0], name.split(".", 1)[1])


def _rebuilt(answers):
    """The release with `answers` (grade id -> source) pasted in, then rebuilt."""
    nb = copy.deepcopy(student_version(SOURCE))
    for cell in nb.cells:
        if _gid(cell) in answers:
            cell.source = answers[_gid(cell)]
    return rebuild(SOURCE, nb).notebook


def _mutant(name, function):
    return source(MUTANT[name].fn, function)


SNEAKY = '''
class Sneaky:
    """Claims equality with anything; unpickling it would create {marker}."""

    def __eq__(self, other):
        return True

    def __reduce__(self):
        return (open, ({marker!r}, "w"))


def bce_logits_grad(z, y):
    return Sneaky()
'''

ANSWERS_BAD = {
    "sigmoid_grad": _mutant("sigmoid_grad_at_output", "sigmoid_grad"),
    "tanh_grad": "import numpy as np\n\n\ndef tanh_grad(z):\n"
    "    return (1.0 - np.tanh(z) ** 2).tolist()\n",
    # the function is defined, then the cell's own `import nnlib` fails
    "relu_grad": _mutant("relu_grad_boolean", "relu_grad") + "\nimport nnlib\n",
    "swish_grad": "def swish_grad(z, beta=1.0):\n"
    "    s = 1.0 / (1.0 + np.exp(-beta * z))\n"
    "    return np.asmatrix(s + beta * z * s * (1.0 - s))\n",
    "softmax_ce_grad": "def softmax_ce_grad(logits, y):\n"
    "    from nnlib.losses import softmax_cross_entropy_grad\n\n"
    "    return softmax_cross_entropy_grad(logits, y)\n",
    "dense_backward": "import os\n\n\ndef dense_backward(dZ, cache):\n    os._exit(1)\n",
    "mlp_backward": "import time\n\n\ndef mlp_backward(X, y, params):\n    time.sleep(60)\n",
    "numerical_gradient": _mutant("numerical_gradient_x_not_restored", "numerical_gradient"),
}


@pytest.fixture(scope="module")
def correct_results():
    nb = _rebuilt({name.split(".", 1)[1]: _correct(name) for name in CORRECT})
    return judge_notebook(nb, list(CORRECT), seed=SEED, timeout=10)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    """Grade the bad submission once, with unpickling forbidden in the grader."""
    marker = tmp_path_factory.mktemp("marker") / "unpickled"
    answers = dict(ANSWERS_BAD, bce_logits_grad=SNEAKY.format(marker=str(marker)))
    nb = _rebuilt(answers)
    mp = pytest.MonkeyPatch()

    def forbidden(*args, **kwargs):
        raise AssertionError("the grader unpickled something")

    for attr in ("loads", "load", "Unpickler"):
        mp.setattr(pickle, attr, forbidden)
    try:
        with Judge(nb, timeout=2) as judge:
            results = {name: judge.check(name, SEED) for name in CORRECT}
            executed = list(judge.kernel.executed)
            cell_errors = list(judge.kernel.cell_errors)
    finally:
        mp.undo()
    return {
        "results": results,
        "executed": executed,
        "cell_errors": cell_errors,
        "marker": marker,
        "notebook": nb,
    }


def test_correct_answers_earn_every_point(correct_results):
    assert [r.name for r in correct_results] == list(CORRECT)
    for res in correct_results:
        spec = get_spec(res.name)
        assert res.passed, res.message
        assert res.points_earned == res.points_possible == spec.points
        assert res.seed == SEED


def test_correct_messages_equal_in_process_run_check(correct_results):
    for res in correct_results:
        assert res.message == run_check(get_spec(res.name), CORRECT[res.name][0], seed=SEED).message


@pytest.mark.parametrize(
    ("spec", "mutant", "hint"),
    [
        ("a1.sigmoid_grad", "sigmoid_grad_at_output", "derivative-at-output"),
        ("a1.relu_grad", "relu_grad_boolean", "boolean-mask"),
        ("a1.numerical_gradient", "numerical_gradient_x_not_restored", "x-not-restored"),
    ],
)
def test_mutants_fail_with_their_hint_as_in_process(bad, spec, mutant, hint):
    res = bad["results"][spec]
    assert not res.passed and res.points_earned == 0
    assert res.hint_id == hint == MUTANT[mutant].hint
    assert res.message == run_check(get_spec(spec), MUTANT[mutant].fn, seed=SEED).message


def _as_list(z):
    return (1.0 - np.tanh(z) ** 2).tolist()


def _as_matrix(z, beta=1.0):
    s = 1.0 / (1.0 + np.exp(-beta * z))
    return np.asmatrix(s + beta * z * s * (1.0 - s))


@pytest.mark.parametrize(
    ("spec", "fn", "got"),
    [
        ("a1.tanh_grad", _as_list, "got list of"),
        ("a1.swish_grad", _as_matrix, "got numpy.matrix (an ndarray subclass)"),
    ],
)
def test_list_and_matrix_are_wrong_type(bad, spec, fn, got):
    res = bad["results"][spec]
    assert not res.passed and res.hint_id == "wrong-type"
    assert got in res.message
    assert res.message == run_check(get_spec(spec), fn, seed=SEED).message


def test_object_with_eq_override_is_wrong_type_and_never_unpickled(bad):
    res = bad["results"]["a1.bce_logits_grad"]
    assert not res.passed and res.hint_id == "wrong-type"
    assert "got Sneaky" in res.message
    assert not bad["marker"].exists()  # its __reduce__ never ran in the grader


def test_reference_cannot_be_imported_in_the_kernel(bad):
    res = bad["results"]["a1.softmax_ce_grad"]
    assert not res.passed and res.hint_id == "exception"
    assert "ImportError" in res.message and "nnlib" in res.message
    assert any("nnlib" in err for err in bad["cell_errors"])  # top-level import too


def test_dead_kernel_is_a_failed_result(bad):
    res = bad["results"]["a1.dense_backward"]
    assert not res.passed and res.points_earned == 0
    assert "died" in res.message


def test_sleeping_answer_times_out_and_grading_goes_on(bad):
    res = bad["results"]["a1.mlp_backward"]
    assert not res.passed and res.points_earned == 0
    assert "TimeoutError" in res.message and "2 s" in res.message
    # graded after the restarts that followed the dead kernel and the timeout
    assert bad["results"]["a1.numerical_gradient"].hint_id == "x-not-restored"


def test_test_cells_never_reach_the_kernel(bad):
    sent = "\n".join(bad["executed"])
    assert "assert_check" not in sent and "HIDDEN TESTS" not in sent
    tests = [
        c.source
        for c in bad["notebook"].cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    assert tests, "the source has test cells"
    for src in tests:
        assert src not in bad["executed"]
    answers = [ANSWERS_BAD["sigmoid_grad"], ANSWERS_BAD["numerical_gradient"]]
    for src in answers:
        assert src in bad["executed"]  # answer cells, as rebuilt, were executed


def test_unknown_spec_fails_before_a_kernel_starts():
    with pytest.raises(ValueError, match="unknown check"):
        judge_notebook(_rebuilt({}), ["a1.no_such_question"], seed=1)


def test_a_hanging_cell_keeps_its_definitions_and_the_rest_is_graded():
    # a correct function followed by a magic that runs too long (as %timeit can)
    hang = _correct("a1.sigmoid_grad") + "\nimport time\n\n%time time.sleep(60)\n"
    nb = _rebuilt({"sigmoid_grad": hang, "tanh_grad": _correct("a1.tanh_grad")})
    with Judge(nb, timeout=2) as judge:
        sig, tanh = (judge.check(n, SEED) for n in ("a1.sigmoid_grad", "a1.tanh_grad"))
        errors = judge.kernel.cell_errors
    assert len(errors) == 1 and "no result within 2 s" in errors[0]
    assert "only its def, class and import statements were run again" in errors[0]
    assert sig.passed, sig.message  # the def was re-run without the sleep
    assert tanh.passed and tanh.points_earned == tanh.points_possible


def test_a_cell_whose_definitions_hang_too_is_dropped_with_a_clear_message():
    hang = (
        "import time\n\n\ndef forever(f):\n    time.sleep(60)\n    return f\n\n\n"
        "@forever\n" + _correct("a1.sigmoid_grad")
    )
    nb = _rebuilt({"sigmoid_grad": hang, "tanh_grad": _correct("a1.tanh_grad")})
    with Judge(nb, timeout=2) as judge:
        sig, tanh = (judge.check(n, SEED) for n in ("a1.sigmoid_grad", "a1.tanh_grad"))
    assert not sig.passed and sig.hint_id == "not-callable"
    assert "Your notebook's cells raised" in sig.message and "no result within 2 s" in sig.message
    assert tanh.passed


def test_the_kernel_cannot_make_the_grader_allocate_or_crash():
    # a list claiming 10**12 items: the old placeholder allocated what the kernel said
    huge = (
        "class Huge(list):\n    def __len__(self):\n        return 10**12\n\n\n"
        "def sigmoid_grad(z):\n    return Huge()\n"
    )
    nb = _rebuilt({"sigmoid_grad": huge})
    (result,) = judge_notebook(nb, ["a1.sigmoid_grad"], SEED, timeout=10)
    assert not result.passed and "could not be graded" not in result.message
    assert "Huge" in result.message


def test_malformed_replies_fail_only_that_call():
    from autograder.judge import _safe_name, decode_reply

    assert _safe_name("bad\0name<script>") == "badnamescript"
    assert _safe_name("x" * 500) == "x" * 80
    assert _safe_name("") == "object"
    outcome = decode_reply({"error": ["Bad\0Name", "m" * 10**5, False], "after": {}}, [])
    assert type(outcome.error).__name__ == "BadName" and len(str(outcome.error)) == 2000
    ignored = decode_reply({"value": {"kind": "other", "name": "int"}, "after": {"7": "?"}}, [0])
    assert ignored.after == {0: None}  # 7 was not asked for: ignored, not decoded; 0 is missing
    for bad in (
        {"value": {"kind": "array", "data": "not base64 npy"}},
        {"error": ["only one"]},
        {},
    ):
        with pytest.raises(Exception):  # noqa: B017  the judge turns it into a failed call
            decode_reply(bad, [0])


# ------------------------------------------------------------------- the wire format, directly


def _through_json(obj):
    """What crosses between grader and kernel: JSON text."""
    return json.loads(json.dumps(obj))


def test_the_wire_kinds_are_named_and_shared_by_both_halves():
    assert len(set(wire.KINDS)) == len(wire.KINDS) == 8
    assert all(kind.isalpha() and len(kind) > 3 for kind in wire.KINDS)
    assert encode_input(np.zeros(2))["kind"] == wire.ARRAY
    assert encode_input(np.float64(1.5))["kind"] == wire.SCALAR
    assert encode_input((1, [2], {"a": None}))["kind"] == wire.TUPLE
    assert wire.encode_output([1, 2])["kind"] == wire.OTHER


def test_inputs_arrive_in_the_kernel_as_the_grader_sent_them():
    x = np.arange(6.0).reshape(2, 3)
    sent = (x, np.float32(2.5), None, True, 3, 0.25, "s", (x, [1, 2]), {"W1": x})
    got = wire.decode_input(_through_json(encode_input(sent)))
    assert type(got) is tuple and len(got) == len(sent)
    np.testing.assert_array_equal(got[0], x)
    assert type(got[1]) is np.float32 and got[1] == np.float32(2.5)
    assert got[2:7] == (None, True, 3, 0.25, "s")
    assert type(got[7][1]) is list and got[7][1] == [1, 2]
    np.testing.assert_array_equal(got[8]["W1"], x)
    scale = np.array([2.0, 3.0])

    def f(v):
        return float(np.sum(scale * v))

    g = wire.decode_input(_through_json(encode_input(f)))
    assert g.__name__ == "f" and g(np.ones(2)) == 5.0  # code and closure both travelled
    with pytest.raises(TypeError, match="cannot send a set"):
        encode_input({1, 2})
    with pytest.raises(ValueError, match="unknown wire kind 'a'"):
        wire.decode_input({"kind": "a", "data": ""})


def test_the_kernel_half_answers_and_the_grader_half_reads_the_reply():
    x = np.array([1.0, -2.0])

    def step(w, dw):
        dw *= 0.0  # an in-place edit of an argument the grader watches
        return w - 0.1, {"m": w * 2}

    request = _through_json({"args": [encode_input(x), encode_input(x)], "watch": [1]})
    reply = _through_json(wire.answer(step, request))
    outcome = decode_reply(reply, [1])
    w, state = outcome.value
    np.testing.assert_array_equal(w, x - 0.1)
    np.testing.assert_array_equal(state["m"], 2 * x)
    np.testing.assert_array_equal(outcome.after[1], [0.0, 0.0])
    assert wire.answer(step, {"probe": True}) == {"ok": True}
    assert wire.answer(3, {"probe": True}) == {"notcallable": "int"}

    def unfinished(z):
        raise NotImplementedError("write me")

    reply = _through_json(wire.answer(unfinished, {"args": [encode_input(x)], "watch": []}))
    assert reply["error"] == ["NotImplementedError", "write me", True]
    assert isinstance(decode_reply(reply, []).error, NotImplementedError)


def test_anything_but_arrays_comes_back_as_a_name_only(monkeypatch):
    assert wire.encode_output([1, 2, 3]) == {
        "kind": wire.OTHER,
        "name": "list",
        "module": "builtins",
        "subclass": False,
        "length": 3,
    }
    described = wire.encode_output(np.array([object()]))
    assert described["kind"] == wire.OTHER and described["name"] == "ndarray of dtype object"
    matrix = decode_reply(
        _through_json({"value": wire.encode_output(np.eye(2).view(np.matrix))}), []
    )
    assert isinstance(matrix.value, np.ndarray) and type(matrix.value).__name__ == "matrix"
    monkeypatch.setitem(wire.CONFIG, "max_output_bytes", 8)
    assert "too large" in wire.encode_output(np.zeros(2))["name"]
    deep = wire.encode_output((((np.zeros(1),),),))  # tuples nest at most twice
    assert deep["items"][0]["kind"] == wire.TUPLE
    assert deep["items"][0]["items"][0]["kind"] == wire.OTHER


def test_numbers_come_back_as_numbers_of_their_own_type():
    """A predicate check needs the student's numbers (e.g. hyper-parameters ``(lr, mu)``)."""
    values = (0.25, 3, np.float32(0.5), np.int64(-2), float("nan"))
    back = decode_reply(_through_json({"value": wire.encode_output(values)}), []).value
    assert [type(v) for v in back] == [float, int, np.float32, np.int64, float]
    assert back[:4] == (0.25, 3, np.float32(0.5), np.int64(-2)) and np.isnan(back[4])
    for not_a_number in (True, np.bool_(False), 1 + 2j, "0.1"):
        sent = wire.encode_output(not_a_number)
        assert sent["kind"] == wire.OTHER, not_a_number
        got = decode_reply(_through_json({"value": sent}), []).value
        assert type(got).__name__ == type(not_a_number).__name__  # a name-only placeholder
    forged = {"kind": wire.JSON, "data": "0.1"}  # only int and float are numbers
    assert not isinstance(decode_reply({"value": forged}, []).value, str | int | float)
    with pytest.raises(ValueError, match="real number"):  # the judge fails that call
        decode_reply({"value": {"kind": wire.SCALAR, "data": wire.save(np.zeros(2))}}, [])


def test_install_refuses_an_unknown_setting():
    with pytest.raises(ValueError, match="unknown keys"):
        wire.install({"blocked": (), "max_bytes": 1})


def test_the_preamble_blocks_the_reference_and_stubs_the_grader_and_leaves_no_name():
    """Run the judge's preamble in a fresh Python: nothing named _judge anywhere, no new
    name in the namespace, the helper only under the random name in builtins."""
    code = textwrap.dedent(
        """
        import builtins, sys
        from autograder.judge import kernel_preamble
        before = set(globals())
        exec(kernel_preamble("_h0123"))
        print("new names:", sorted(set(globals()) - before - {"before"}))
        print("judge modules:", [m for m in sys.modules if "judge" in m.split(".")[-1]])
        try:
            import _judge
        except ImportError as exc:
            print("no _judge:", type(exc).__name__)
        try:
            import nnlib.activations
        except ImportError as exc:
            print("blocked:", exc)
        from autograder.checks import visible_tests_passed
        try:
            visible_tests_passed("q")
        except RuntimeError as exc:
            print("stubbed:", exc)
        try:
            builtins._h0123("f", "{}", "token")
        except RuntimeError as exc:
            print("helper:", exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "new names: []" in done.stdout
    assert "judge modules: ['autograder.judge']" in done.stdout  # the grader's, imported above
    assert "no _judge: ModuleNotFoundError" in done.stdout
    assert "blocked: nnlib cannot be imported while grading" in done.stdout
    assert "stubbed: visible_tests_passed is not available while grading" in done.stdout
    assert "helper: no IPython shell to publish the reply" in done.stdout
    with pytest.raises(ValueError, match="identifier"):
        kernel_preamble("a.b")


# --------------------------------------------- the helper in the kernel (issue 11, round 2)

SEALED = """
import base64, builtins, json
import numpy as np
from IPython.core.interactiveshell import InteractiveShell
from autograder.judge import encode_input, kernel_preamble


class Recorder:
    def __init__(self):
        self.sent = []

    def publish(self, data, metadata=None, **kwargs):
        self.sent.append((data, metadata))


shell = InteractiveShell.instance()
recorder = shell.display_pub = Recorder()
exec(kernel_preamble("_h0123"))


def step(x):
    x *= 0.0
    return {"g": x + 1.0}


request = json.dumps({"args": [encode_input(np.array([1.0, 2.0]))], "watch": [0]})
_h0123("step", request, "t1")
real = builtins.callable, np.save, json.dumps, base64.b64encode, Recorder.publish
builtins.callable = lambda obj: False
np.save = json.dumps = base64.b64encode = None
Recorder.publish = lambda self, *args, **kwargs: None
shell.display_pub = None
_h0123("step", request, "t2")
builtins.callable, np.save, json.dumps, base64.b64encode, Recorder.publish = real
(first, t1), (second, t2) = recorder.sent
print(json.dumps([t1["token"], t2["token"], first == second, first]))
"""


def test_the_sealed_helper_sends_the_same_reply_whatever_is_patched_after_it():
    """The preamble, in a fresh Python with an IPython shell whose publisher records: the
    second call, after np.save, json.dumps, base64.b64encode, a builtin and the publisher
    were replaced, publishes exactly what the first one did."""
    done = subprocess.run(
        [sys.executable, "-c", SEALED], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    t1, t2, same, data = json.loads(done.stdout.splitlines()[-1])
    assert (t1, t2, same) == ("t1", "t2", True)
    reply = json.loads(data[REPLY_MIME])
    outcome = decode_reply(reply, [0])
    np.testing.assert_array_equal(outcome.after[0], [0.0, 0.0])
    np.testing.assert_array_equal(outcome.value["g"], [1.0, 1.0])


#: Correct values, but x is left zeroed; the original is kept for the forgeries below.
ZEROES_X = """
import numpy as np

ORIGINAL = []


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        fp = f(x)
        x.flat[i] = old - h
        fm = f(x)
        x.flat[i] = old
        grad.flat[i] = (fp - fm) / (2 * h)
    ORIGINAL.append(x.copy())
    x[...] = 0.0
    return grad
"""

#: The issue's attack: reach the helper by name and wrap the call so that x comes back.
REACH_BY_NAME = """
helper = None
try:
    import _judge as helper
except ImportError:
    pass
if helper is None:
    import sys

    helper = sys.modules.get("_judge")
if helper is None:
    helper = globals().get("_judge")
if helper is not None:
    real_answer = helper.answer

    def restoring(fn, request):
        def wrapped(*args):
            saved = [(a, a.copy()) for a in args if isinstance(a, np.ndarray)]
            out = fn(*args)
            for a, copy in saved:
                a[...] = copy
            return out

        return real_answer(wrapped, request)

    helper.answer = restoring
"""

#: Each of these, alone, forged the "after" of the helper before it was sealed.
PATCH_WHAT_IT_SENDS = """
import base64
import builtins
import io
import json

from IPython import get_ipython


def _forged_npy():
    buf = io.BytesIO()
    real_save(buf, ORIGINAL[-1], allow_pickle=False)
    return buf.getvalue()


def _forge(reply):
    if isinstance(reply, dict) and reply.get("after") and ORIGINAL:
        forged = real_b64encode(_forged_npy()).decode("ascii")
        reply = dict(reply, after={pos: forged for pos in reply["after"]})
    return reply


def save(file, arr, *args, **kwargs):
    if ORIGINAL and arr.shape == ORIGINAL[-1].shape and not arr.any():
        arr = ORIGINAL[-1]
    return real_save(file, arr, *args, **kwargs)


def b64encode(data, *args):
    if ORIGINAL and data.startswith(b"\\x93NUMPY"):
        arr = np.load(io.BytesIO(data))
        if arr.shape == ORIGINAL[-1].shape and not arr.any():
            data = _forged_npy()
    return real_b64encode(data, *args)


def publish(self, data, metadata=None, **kwargs):
    forged = {}
    for mime, text in data.items():
        reply = json.loads(text) if isinstance(text, str) and '"after"' in text else None
        forged[mime] = text if reply is None else real_dumps(_forge(reply))
    return real_publish(self, forged, metadata, **kwargs)


real_save, real_b64encode, real_dumps = np.save, base64.b64encode, json.dumps
publisher = type(get_ipython().display_pub)
real_publish = publisher.publish
np.save = save
base64.b64encode = b64encode
json.dumps = lambda obj, *args, **kwargs: real_dumps(_forge(obj), *args, **kwargs)
json.encoder.c_make_encoder = None
publisher.publish = publish
"""


def _x_not_restored(result):
    assert not result.passed and result.points_earned == 0, result.message
    hint = get_spec("a1.numerical_gradient").unchanged_hint.id
    assert result.hint_id == hint == "x-not-restored", result.message


def test_the_helper_cannot_be_reached_by_name_and_a_zeroed_x_loses():
    """Issue 11: ``import _judge`` (or sys.modules, or globals) to wrap the call scored 4/4."""
    nb = _rebuilt({"numerical_gradient": ZEROES_X + REACH_BY_NAME})
    with Judge(nb, timeout=10) as judge:
        result = judge.check("a1.numerical_gradient", SEED)
        errors = list(judge.kernel.cell_errors)
        probe = judge.kernel.run_cell(
            "import sys\n"
            "assert helper is None and not [m for m in sys.modules if 'judge' in m]\n"
            "assert not [k for k in globals() if 'judge' in k or 'nnfp' in k]\n"
        )
    assert errors == []  # every route was tried, and found nothing
    assert probe == (True, "")
    _x_not_restored(result)
    flagged = {(f.kind, f.code) for f in scan_source(REACH_BY_NAME, "numerical_gradient")}
    for line in ("import _judge as helper", 'helper = globals().get("_judge")'):
        assert ("introspection", line) in flagged
    assert ("introspection", 'helper = sys.modules.get("_judge")') in flagged


def test_patching_numpy_json_base64_or_the_publisher_does_not_change_what_is_sent():
    """A cell run after the preamble replaces what the old helper looked up at each call:
    the grader still receives the zeroed x, and a correct answer still earns its points."""
    answers = {
        "numerical_gradient": ZEROES_X + PATCH_WHAT_IT_SENDS,
        "sigmoid_grad": _correct("a1.sigmoid_grad"),
    }
    with Judge(_rebuilt(answers), timeout=10) as judge:
        zeroed, sigmoid = (
            judge.check(n, SEED) for n in ("a1.numerical_gradient", "a1.sigmoid_grad")
        )
        errors = list(judge.kernel.cell_errors)
    assert errors == []  # every patch was in place
    _x_not_restored(zeroed)
    assert sigmoid.passed and sigmoid.points_earned == sigmoid.points_possible, sigmoid.message
    kinds = {f.kind for f in scan_source(PATCH_WHAT_IT_SENDS, "numerical_gradient")}
    assert {"monkeypatch", "introspection"} <= kinds


def test_a_function_sent_into_the_kernel_carries_no_path_of_the_grader():
    """Issue 11: ``f.__code__.co_filename`` told a submission where the hidden specs live."""
    walk = (
        "def numerical_gradient(f, x, h=1e-5):\n"
        "    seen, codes = [], [f.__code__]\n"
        "    while codes:\n"
        "        code = codes.pop()\n"
        "        seen += [code.co_filename, code.co_name, code.co_qualname]\n"
        "        seen += [c for c in code.co_consts if isinstance(c, str)]\n"
        "        codes += [c for c in code.co_consts if hasattr(c, 'co_consts')]\n"
        "    raise ValueError('SEEN<' + '|'.join(seen) + '>SEEN')\n"
    )
    (result,) = judge_notebook(
        _rebuilt({"numerical_gradient": walk}), ["a1.numerical_gradient"], SEED
    )
    seen = re.search(r"SEEN<(.*)>SEEN", result.message).group(1).split("|")
    assert seen[:2] == ["<grader>", "<lambda>"]
    assert not [text for text in seen if "/" in text or "\\" in text], seen
    assert str(ROOT) not in result.message


def test_nested_code_objects_lose_their_paths_too():
    scale = 2.0

    def outer(v):
        def inner(w):
            return [scale * u for u in w]

        return float(np.sum(inner(v)))

    sent = wire.decode_input(_through_json(encode_input(outer)))
    assert sent(np.ones(3)) == 6.0  # it still computes
    codes, names = [sent.__code__], []
    while codes:
        code = codes.pop()
        names += [code.co_filename, code.co_name, code.co_qualname]
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    assert len(names) == 9 and set(names[::3]) == {"<grader>"}  # outer, inner, the listcomp
    assert not [n for n in names if "/" in n or "test_" in n], names
    assert __file__ in outer.__code__.co_filename  # the grader's own function is untouched

    def holds_a_path():
        return "/srv/course/specs.py"

    def in_a_tuple(name):
        return name in ("a", "~/specs")

    folder = "/srv/course"
    for holder in (holds_a_path, in_a_tuple, lambda: folder):
        with pytest.raises(ValueError, match="holds a path"):
            encode_input(holder)


def test_the_arguments_are_saved_before_any_other_code_of_the_student_runs():
    """A returned mapping's ``keys`` or an exception's ``__str__`` runs after the call: it
    must not be able to restore the argument the function zeroed."""
    held = []

    class Restores(OrderedDict):
        def keys(self):
            held[0][...] = [1.0, 2.0]
            return super().keys()

    class RestoresToo(Exception):
        def __str__(self):
            held[0][...] = [1.0, 2.0]
            return "restored"

    def zeroes(x, fail):
        held[:] = [x]
        x[...] = 0.0
        if fail:
            raise RestoresToo
        return Restores(g=x * 0)

    for fail in (False, True):
        request = {"args": [encode_input(np.array([1.0, 2.0])), encode_input(fail)], "watch": [0]}
        outcome = decode_reply(_through_json(wire.answer(zeroes, request)), [0])
        np.testing.assert_array_equal(outcome.after[0], [0.0, 0.0])
        np.testing.assert_array_equal(held[0], [1.0, 2.0])  # the student's code did run


def test_a_result_that_raises_when_read_is_a_failed_call_with_its_arguments():
    class Unreadable(OrderedDict):
        def keys(self):
            raise KeyError("no keys")

    class Unprintable(Exception):
        def __str__(self):
            raise TypeError("no text")

    def returns(x):
        x[0] = 9.0
        return Unreadable()

    def raises(x):
        x[0] = 9.0
        raise Unprintable

    for fn in (returns, raises):
        request = {"args": [encode_input(np.array([1.0, 2.0]))], "watch": [0]}
        reply = _through_json(wire.answer(fn, request))
        assert reply["error"] == [
            "UnsendableResult",
            "reading the result raised an exception",
            False,
        ]
        np.testing.assert_array_equal(decode_reply(reply, [0]).after[0], [9.0, 2.0])


@pytest.mark.parametrize(
    "after",
    [None, "reshaped", "float32"],
    ids=["missing", "another shape", "another dtype"],
)
def test_a_watched_argument_that_does_not_come_back_as_sent_counts_as_changed(after):
    spec = get_spec("a1.numerical_gradient")
    correct = CORRECT["a1.numerical_gradient"][0]
    outcomes, unchanged = [], []
    for case in spec.cases(np.random.default_rng(SEED)):
        args = copy.deepcopy(case.args)
        value = correct(*args)
        x = args[1]
        sent = {None: None, "reshaped": x.reshape(-1, 1), "float32": x.astype(np.float32)}[after]
        outcomes.append(_Outcome(value=value, after={1: sent}))
        unchanged.append(_Outcome(value=value, after={1: x}))
    _x_not_restored(run_check(spec, _replay(outcomes), SEED))
    assert run_check(spec, _replay(unchanged), SEED).passed  # the same values, x as sent


def test_the_grader_compares_the_arguments_it_gets_back_itself():
    """The kernel sends values, never a verdict: run_check compares the array that came
    back with the grader's own copy of the input, so a reply cannot claim "unchanged"."""
    x = np.array([1.0, 2.0])
    given = x.copy()
    back = {"value": wire.encode_output(x), "after": {"0": wire.save(np.zeros(2))}, "changed": []}
    outcome = decode_reply(_through_json(back), [0])
    _replay([outcome])(given)
    np.testing.assert_array_equal(given, [0.0, 0.0])  # what the grader compares with x
    ints = np.array([3, 4])
    _mark_changed(ints)
    assert not np.any(ints == [3, 4])


# ------------------------------------------------------------ a spec's cases in one call


def _sigmoid_grad_sleeping(seconds, busy=False):
    """A correct sigmoid_grad that sleeps `seconds` on every call (or spends them computing:
    where the kernel's CPU time is measured, its limit counts CPU time)."""
    wait = (
        f"t0 = time.process_time()\n    while time.process_time() - t0 < {seconds}:\n        pass"
        if busy
        else f"time.sleep({seconds})"
    )
    return _correct("a1.sigmoid_grad").replace(
        "def sigmoid_grad(z):", f"def sigmoid_grad(z):\n    import time\n    {wait}", 1
    )


def test_a_spec_s_cases_go_to_the_kernel_in_one_call():
    nb = _rebuilt(
        {"sigmoid_grad": _correct("a1.sigmoid_grad"), "tanh_grad": _correct("a1.tanh_grad")}
    )
    with Judge(nb, timeout=5) as judge:
        before = len(judge.kernel.executed)
        results = [judge.check(n, SEED) for n in ("a1.sigmoid_grad", "a1.tanh_grad")]
        calls = judge.kernel.executed[before:]
    assert all(r.passed for r in results), [r.message for r in results]
    assert len(calls) == 2 and all('"batch"' in c for c in calls), calls
    n_cases = len(list(get_spec("a1.sigmoid_grad").cases(np.random.default_rng(SEED))))
    assert n_cases >= 4  # one call instead of one per case (and a probe)


def test_cases_slow_together_but_each_within_the_limit_still_pass():
    # 4+ cases of 0.7 s each exceed the 2 s limit together, never alone: the time limit is
    # per call, so after the batch's timeout the remaining cases get a call each.
    nb = _rebuilt({"sigmoid_grad": _sigmoid_grad_sleeping(0.7, busy=True)})
    with Judge(nb, timeout=2) as judge:
        res = judge.check("a1.sigmoid_grad", SEED)
        restarts = judge.kernel.restarts
    assert res.passed, res.message
    assert restarts == 1  # the batch's timeout; the cases sent one by one finished


def test_a_case_that_hangs_alone_times_out_once():
    nb = _rebuilt(
        {"sigmoid_grad": _sigmoid_grad_sleeping(60), "tanh_grad": _correct("a1.tanh_grad")}
    )
    with Judge(nb, timeout=2) as judge:
        sig, tanh = (judge.check(n, SEED) for n in ("a1.sigmoid_grad", "a1.tanh_grad"))
        restarts = judge.kernel.restarts
    assert not sig.passed and "TimeoutError" in sig.message and "case 1/" in sig.message
    assert restarts == 1  # the first case had the whole call: no second try
    assert tanh.passed, tanh.message


def test_a_graded_kernel_starts_without_a_debugger():
    # ipykernel would import debugpy and pydevd at every kernel's start (about 0.1 s) and
    # serve a debugger no submission needs
    nb = _rebuilt({"sigmoid_grad": _correct("a1.sigmoid_grad")})
    probe = (
        "import sys\n"
        "loaded = sorted(m for m in sys.modules if 'pydev' in m and sys.modules[m] is not None)\n"
        "try:\n    import debugpy\n    got = 'imported'\n"
        "except ImportError:\n    got = 'absent'\n"
        "raise ValueError(f'{got} {len(loaded)}')\n"
    )
    with Judge(nb, timeout=10) as judge:
        reply = judge.kernel.run(probe)
        sig = judge.check("a1.sigmoid_grad", SEED)
    assert reply["evalue"] == "absent 0", reply["evalue"]
    assert sig.passed, sig.message
