"""The judge's wire format, and the half of it that runs inside the student's kernel.

`autograder.judge` (the grader) sends the *source text* of this module into each kernel it
starts, runs it as a module named ``_judge``, and calls `install` with a configuration
dict. It therefore needs only the standard library and numpy, and imports nothing of the
autograder (which the kernel cannot import). The grader imports the same module for the
wire kinds below, so both halves take them from one place.

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

A request is ``{"probe": true}`` (is the function callable?) or ``{"args": [encoded...],
"watch": [positions]}``; the reply, published as a display message of MIME type
``config["reply_mime"]`` with the call's token in its metadata, is one of
``{"notcallable": type name}``, ``{"ok": true}`` (probe), ``{"value": encoded, "after":
{...}}`` or ``{"error": [type name, message, is NotImplementedError], "after": {...}}``,
where ``after`` holds the watched array arguments as they were after the call.
"""

from __future__ import annotations

import base64
import importlib.abc
import io
import json
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

#: Set by `install`: blocked and stubbed module names, the largest array sent back and the
#: MIME type of replies.
CONFIG: dict = {
    "blocked": (),
    "stubbed": (),
    "max_output_bytes": 64 * 2**20,
    "reply_mime": "application/json",
}


def save(array) -> str:
    """An ndarray as base64 ``.npy`` bytes, never pickled."""
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def load(text: str) -> np.ndarray:
    """The inverse of `save`; refuses pickled (object) arrays."""
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


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
        code = marshal.loads(base64.b64decode(obj["code"]))
        cells = tuple(types.CellType(decode_input(c)) for c in obj["cells"])
        glob = {"np": np, "__builtins__": __builtins__}
        fn = types.FunctionType(code, glob, obj["name"], None, cells or None)
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
        "subclass": name is None and isinstance(value, np.ndarray),
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
    if isinstance(value, np.integer | np.floating):
        return {"kind": SCALAR, "data": save(np.asarray(value))}
    if t is np.ndarray:
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


def install(config: dict) -> None:
    """Set `CONFIG` from the grader's `config` (keys as in `CONFIG`), make the blocked
    modules unimportable (and forget those already imported) and stub the stubbed ones."""
    unknown = set(config) - set(CONFIG)
    if unknown:
        raise ValueError(f"config has unknown keys {sorted(unknown)}; expected {sorted(CONFIG)}")
    CONFIG.update(config)
    sys.meta_path.insert(0, BlockReference())
    for name in list(sys.modules):
        if is_blocked(name):
            del sys.modules[name]
    for name in CONFIG["stubbed"]:
        sys.modules[name] = Stub(name)


def answer(fn, request: dict) -> dict:
    """The reply to one request (see the module docstring); the student's exceptions are
    caught and sent, warnings silenced."""
    if not callable(fn):
        return {"notcallable": type(fn).__name__}
    if request.get("probe"):
        return {"ok": True}
    args = tuple(decode_input(a) for a in request["args"])
    reply: dict = {}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = fn(*args)
        reply["value"] = encode_output(value)
    except (Exception, SystemExit) as exc:
        reply["error"] = [type(exc).__name__, str(exc)[:2000], isinstance(exc, NotImplementedError)]
    after = {}
    for pos in request["watch"]:
        a = args[pos]
        if type(a) is np.ndarray and a.dtype.kind in "biufc":
            after[str(pos)] = save(a)
    reply["after"] = after
    return reply


def call(fn, request: str, token: str) -> None:
    """Answer the JSON `request` for `fn` and publish the reply, tagged with `token`."""
    from IPython import get_ipython

    reply = json.dumps(answer(fn, json.loads(request)))
    get_ipython().display_pub.publish(data={CONFIG["reply_mime"]: reply}, metadata={"token": token})
