"""Judgment happens in the grader.

Real assignment-1 submissions (nbgrader's release with answers pasted in, rebuilt from the
source) are graded by `autograder.judge`: cases drawn by the grader, only inputs sent into
a fresh kernel, outputs back as .npy bytes and compared outside it. The verdicts and
messages must equal what `run_check` gives in-process on the same functions and seed.
"""

import copy
import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.checks import run_check
from autograder.judge import REPLY_MIME, Judge, decode_reply, encode_input, judge_notebook
from autograder.mutants.a1 import CORRECT, MUTANTS, source
from autograder.rebuild import rebuild, student_version
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
    assert ignored.after == {}  # an index the grader did not ask for is ignored, not decoded
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


def test_the_preamble_blocks_the_reference_and_stubs_the_grader():
    """Run the judge's preamble (the wire module's source, installed) in a fresh Python."""
    code = textwrap.dedent(
        """
        from autograder.judge import kernel_preamble
        exec(kernel_preamble())
        try:
            import nnlib.activations
        except ImportError as exc:
            print("blocked:", exc)
        from autograder.checks import visible_tests_passed
        try:
            visible_tests_passed("q")
        except RuntimeError as exc:
            print("stubbed:", exc)
        print("module:", type(_judge).__name__, _judge.CONFIG["reply_mime"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "blocked: nnlib cannot be imported while grading" in done.stdout
    assert "stubbed: visible_tests_passed is not available while grading" in done.stdout
    assert f"module: module {REPLY_MIME}" in done.stdout
