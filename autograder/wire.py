"""The judge's wire format, and the half of it that runs inside the student's kernel.

`autograder.judge` (the grader) sends the *source text* of this module into each kernel it
starts (`autograder.judge.kernel_preamble`). It therefore needs only the standard library
and numpy, and imports nothing of the autograder (which the kernel cannot import). The
grader imports the same module for the wire kinds below, so both halves take them from
one place.

In the kernel, before any student cell runs, the preamble executes this source twice, each
time in a private namespace with its own copy of the builtins: one copy `install` s the
blocked and stubbed modules (the objects a student can reach through ``sys.meta_path`` or
a stub lead only to that copy); the other is `seal` ed into one closure, ``call``, bound
in ``builtins`` under a random name the grader chose for this kernel. Nothing is put in
``sys.modules`` or in the notebook's namespace, and the helper has no fixed name: a
student's ``import _judge``, ``sys.modules[...]`` or ``globals()[...]`` finds nothing.
What the helper calls was bound when it was sealed: ``.npy`` bytes are written with the
array's own methods and base64 with ``binascii``, the reply is encoded with the C JSON
encoder and published through the display publisher's bound method, and builtins come
from the private copy, so a student cell that later replaces ``np.save``, ``json.dumps``,
``base64.b64encode``, ``isinstance`` or the publisher's method cannot change what the
helper sends.

This is not a security boundary against code in the same process: walking ``gc``, stack
frames or a function's ``__globals__``, listing ``builtins``, reading ``linecache`` (where
IPython keeps the source of every cell it ran, the preamble's and each call's too), or
patching a module's internals reaches anything. `autograder.scan` flags each of those
routes for the instructor. What the kernel never does is decide a verdict: it sends back
raw values (the outputs, and the watched arguments as they were after the call); the
grader compares them with its own copies of the inputs (`autograder.checks.run_check`),
and a watched argument that does not come back as it was sent (missing, another shape or
dtype) counts as changed.

A value on the wire is a JSON object ``{"kind": <kind>, ...}``:

=========  ==========================================================================
kind       fields and meaning
=========  ==========================================================================
array      ``data``: an ndarray as base64 ``.npy`` bytes (``allow_pickle=False``)
scalar     ``data``: a numpy scalar, as a 0-d array
json       ``data``: None, a bool, int, float or str as itself
tuple      ``items``: the encoded entries
list       ``items``: the encoded entries
dict       ``items``: ``[key, encoded value]`` pairs, keys str
function   ``code`` (base64 marshal), ``cells`` (encoded closure values), ``name``
other      not sent: ``name`` and ``module`` of its type, ``subclass`` (an ndarray
           subclass?), ``length`` (of a list or tuple, else null)
=========  ==========================================================================

The grader sends inputs of every kind but ``other``; the kernel sends back only ``array``,
``scalar`` (a numpy integer or floating scalar), ``json`` (a Python int or float), ``tuple``
(any tuple, a namedtuple too), ``dict`` (any mapping with str keys, an OrderedDict too;
nested at most twice) and ``other``, so the grader never unpickles anything.

A request is ``{"probe": true}`` (is the function callable?), ``{"args": [encoded...],
"watch": [positions]}``, or ``{"batch": [requests...]}``: a spec's cases in one call, so
the kernel runs one cell per question instead of one per case (each cell costs the
kernel about 5 ms beyond the student's code). A batch answers its requests in order,
each reply published on its own, tagged ``<token>.<i>``, and stops after the first reply
that is an error or ``notcallable`` (the grader stops there too). A reply, published as a
display message of MIME type ``config["reply_mime"]`` with the call's token in its
metadata, is one of
``{"notcallable": type name}``, ``{"ok": true}`` (probe), ``{"value": encoded, "after":
{...}}`` or ``{"error": [type name, message, is NotImplementedError], "after": {...}}``,
where ``after`` holds the watched array arguments as they were right after the call,
taken before any other code of the student's runs (a returned mapping's ``keys``, an
exception's ``__str__``).
"""

from __future__ import annotations

import binascii
import importlib.abc
import io
import json
import json.encoder
import marshal
import sys
import types
import warnings
from collections.abc import Mapping

import numpy as np

# The wire kinds (see the module docstring).
ARRAY = "array"
SCALAR = "scalar"
JSON = "json"
TUPLE = "tuple"
LIST = "list"
DICT = "dict"
FUNCTION = "function"
OTHER = "other"
KINDS = (ARRAY, SCALAR, JSON, TUPLE, LIST, DICT, FUNCTION, OTHER)

#: How deep the kernel nests tuples and dicts in a reply (a tuple of arrays is depth 1).
MAX_DEPTH = 2

#: Set by `configure`: blocked and stubbed module names, the largest array sent back and
#: the MIME type of replies.
CONFIG: dict = {
    "blocked": (),
    "stubbed": (),
    "max_output_bytes": 8 * 2**20,
    "reply_mime": "application/json",
}

# What the kernel's half calls, bound once, when this source runs (in the kernel: before
# any student cell). Later assignments to ``np.errstate``, ``json.loads``... do not reach
# these names; ndarray's and dtype's methods are C and cannot be replaced at all.
_ndarray, _integer, _floating = np.ndarray, np.integer, np.floating
_asarray, _np_load, _errstate = np.asarray, np.load, np.errstate
_b2a_base64, _a2b_base64, _BytesIO = binascii.b2a_base64, binascii.a2b_base64, io.BytesIO
_catch_warnings, _simplefilter = warnings.catch_warnings, warnings.simplefilter
_json_loads, _json_dumps = json.loads, json.dumps
_c_make_encoder = json.encoder.c_make_encoder  # None without the C accelerator
_encode_str = json.encoder.encode_basestring_ascii
_marshal_loads, _FunctionType, _CellType = marshal.loads, types.FunctionType, types.CellType


def save(array) -> str:
    """An ndarray of a numeric or boolean dtype as base64 ``.npy`` bytes (format 1.0),
    never pickled; written from the array's own C methods (``dtype.str``, ``shape``,
    ``tobytes``) rather than `np.save`, whose Python internals a student could patch."""
    if type(array) is not _ndarray or array.dtype.kind not in "biufc":
        raise TypeError(f"save() takes a numeric ndarray, got {type(array).__name__}")
    header = f"{{'descr': {array.dtype.str!r}, 'fortran_order': False, 'shape': {array.shape!r}, }}"
    header += " " * (-(len(header) + 11) % 64) + "\n"  # numpy aligns the data to 64 bytes
    raw = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1")
    return _b2a_base64(raw + array.tobytes(), newline=False).decode("ascii")


def load(text: str) -> np.ndarray:
    """The inverse of `save`; refuses pickled (object) arrays."""
    return _np_load(_BytesIO(_a2b_base64(text)), allow_pickle=False)


def _unencodable(value):
    raise TypeError(f"{type(value).__name__} cannot be sent")


def dumps(obj) -> str:
    """`obj` (dicts, lists, str, numbers, None) as JSON text, through the C encoder bound
    when this source ran: replacing ``json.dumps`` or ``JSONEncoder`` does not reach it."""
    if _c_make_encoder is None:  # no C accelerator: the standard library's encoder
        return _json_dumps(obj)
    encode = _c_make_encoder(None, _unencodable, _encode_str, None, ": ", ", ", False, False, True)
    return "".join(encode(obj, 0))


# ------------------------------------------------------------------------ the kernel's half


def decode_input(obj: dict):
    """One of the grader's inputs, as the student's function receives it."""
    kind = obj["kind"]
    if kind == ARRAY:
        return load(obj["data"])
    if kind == SCALAR:
        return load(obj["data"])[()]
    if kind == JSON:
        return obj["data"]
    if kind == TUPLE:
        return tuple(decode_input(v) for v in obj["items"])
    if kind == LIST:
        return [decode_input(v) for v in obj["items"]]
    if kind == DICT:
        return {key: decode_input(v) for key, v in obj["items"]}
    if kind == FUNCTION:
        code = _marshal_loads(_a2b_base64(obj["code"]))
        cells = tuple(_CellType(decode_input(c)) for c in obj["cells"])
        glob = {"np": np, "__builtins__": __builtins__}
        fn = _FunctionType(code, glob, obj["name"], None, cells or None)
        fn.__name__ = obj["name"]
        return fn
    raise ValueError(f"unknown wire kind {kind!r}")


def describe(value, name: str | None = None) -> dict:
    """An output that is not sent (kind ``other``): only its type is described."""
    t = type(value)
    return {
        "kind": OTHER,
        "name": name or t.__name__,
        "module": "numpy" if name else t.__module__,
        "subclass": name is None and isinstance(value, _ndarray),
        "length": len(value) if name is None and isinstance(value, list | tuple) else None,
    }


def encode_output(value, depth: int = 0) -> dict:
    """What the student's function returned: an ndarray of a numeric or boolean dtype
    (exactly ``np.ndarray``), a real number (a Python int or float, or a numpy integer or
    floating scalar; not a bool), or a tuple / dict with str keys of them; a tuple subclass
    (a namedtuple) goes as a tuple and a mapping (an OrderedDict) as a dict, since equal
    values in an equivalent container are a correct answer; anything else is described by
    its type only (`describe`)."""
    t = type(value)
    if t is int or t is float:
        return {"kind": JSON, "data": value}
    if isinstance(value, _integer | _floating):
        return {"kind": SCALAR, "data": save(_asarray(value))}
    if t is _ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.hasobject:
            return describe(value, f"ndarray of dtype {value.dtype}")
        if value.nbytes > CONFIG["max_output_bytes"]:
            return describe(value, f"ndarray of {value.nbytes} bytes (too large)")
        return {"kind": ARRAY, "data": save(value)}
    if isinstance(value, tuple) and depth < MAX_DEPTH:  # a namedtuple too: equal values
        items = [encode_output(v, depth + 1) for v in tuple.__iter__(value)]
        return {"kind": TUPLE, "items": items}
    if isinstance(value, Mapping) and depth < MAX_DEPTH:  # an OrderedDict too
        keys = list(value.keys())
        if all(type(key) is str for key in keys):
            return {
                "kind": DICT,
                "items": [[key, encode_output(value[key], depth + 1)] for key in keys],
            }
    return describe(value)


def is_blocked(name: str) -> bool:
    """True if module `name` is one of ``CONFIG["blocked"]`` or inside one."""
    return any(name == b or name.startswith(b + ".") for b in CONFIG["blocked"])


class BlockReference(importlib.abc.MetaPathFinder):
    """Speed bump, not a security boundary: the reference is not importable."""

    def find_spec(self, name, path=None, target=None):
        if is_blocked(name):
            raise ImportError(f"{name} cannot be imported while grading")
        return None


class Stub(types.ModuleType):
    """Stand-in for a grader module a locked cell imports: its functions raise."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise RuntimeError(f"{name} is not available while grading")

        return unavailable


def configure(config: dict) -> None:
    """Set `CONFIG` from the grader's `config` (keys as in `CONFIG`)."""
    unknown = set(config) - set(CONFIG)
    if unknown:
        raise ValueError(f"config has unknown keys {sorted(unknown)}; expected {sorted(CONFIG)}")
    CONFIG.update(config)


def install(config: dict) -> None:
    """`configure`, make the blocked modules unimportable (and forget those already
    imported) and stub the stubbed ones."""
    configure(config)
    sys.meta_path.insert(0, BlockReference())
    for name in list(sys.modules):
        if is_blocked(name):
            del sys.modules[name]
    for name in CONFIG["stubbed"]:
        sys.modules[name] = Stub(name)


def _sendable(arg) -> bool:
    return type(arg) is _ndarray and arg.dtype.kind in "biufc"


def answer(fn, request: dict) -> dict:
    """The reply to one request (see the module docstring); the student's exceptions are
    caught and sent, warnings silenced.

    The watched arguments are saved right after the call returns or raises: what the
    student's code could run later (a returned mapping's ``keys``, an exception's
    ``__str__``) cannot restore an argument the function changed."""
    if not callable(fn):
        return {"notcallable": type(fn).__name__}
    if request.get("probe"):
        return {"ok": True}
    args = tuple(decode_input(a) for a in request["args"])
    value = raised = None
    with _catch_warnings(), _errstate(all="ignore"):
        _simplefilter("ignore")
        try:
            value = fn(*args)
        except (Exception, SystemExit) as exc:
            raised = exc
        after = {str(pos): save(args[pos]) for pos in request["watch"] if _sendable(args[pos])}
    reply: dict = {"after": after}
    try:
        if raised is None:
            reply["value"] = encode_output(value)
        else:
            name, message = type(raised).__name__, str(raised)[:2000]
            reply["error"] = [name, message, isinstance(raised, NotImplementedError)]
    except Exception:  # the student's code run by encoding raised: nothing of it is read
        reply["error"] = ["UnsendableResult", "reading the result raised an exception", False]
    return reply


def _no_shell(**message):
    raise RuntimeError("no IPython shell to publish the reply: run the helper in a kernel")


def seal(config: dict, namespace: dict, shell=None):
    """`configure` and return ``call(function, request, token)``: answer the JSON
    `request` for ``namespace[function]`` and publish the reply, tagged with `token`,
    through the display publisher of `shell` (default: the running IPython shell; outside
    a kernel there is none, and ``call`` raises). `namespace` is the notebook's (the
    preamble's ``globals()``).

    Everything ``call`` relies on is bound here, before any student cell runs: the
    namespace's ``get``, the publisher's bound ``publish``, `answer`, `dumps` and the
    request's JSON reader."""
    configure(config)
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    lookup, mime = namespace.get, CONFIG["reply_mime"]
    publish = _no_shell if shell is None else shell.display_pub.publish
    answer_, dumps_, loads_ = answer, dumps, _json_loads

    def call(function: str, request: str, token: str) -> None:
        request = loads_(request)
        if "batch" not in request:
            reply = dumps_(answer_(lookup(function), request))
            publish(data={mime: reply}, metadata={"token": token})
            return
        for i, one in enumerate(request["batch"]):
            reply = answer_(lookup(function), one)  # looked up anew, as one call per case
            publish(data={mime: dumps_(reply)}, metadata={"token": f"{token}.{i}"})
            if "error" in reply or "notcallable" in reply:
                return

    return call
