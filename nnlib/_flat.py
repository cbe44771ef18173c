"""The flat parameter store: one vector for all of a network's parameters, one for the gradients.

`FlatParameters` (what `nnlib.model.MLP` inherits) copies every parameter into one vector
and puts views of it back where the layers keep their arrays, so the layers work on them
as before while an elementwise optimizer updates the whole network in one call per step
(see `nnlib.training.fit`); backward writes the gradients in place into the other
vector. `NamedArrays` is the read-only name -> array mapping handed out as ``MLP.params``,
``MLP.grads`` and by ``MLP.unflatten``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from nnlib._checks import _describe, as_array

__all__ = ["FlatParameters", "NamedArrays"]


class NamedArrays(Mapping):
    """A read-only mapping from names to arrays: `MLP.params`, `MLP.grads`, `MLP.unflatten`.

    Reading gives the arrays themselves, not copies, so writing *into* one changes the
    model (``model.params["W1"][...] = new_W``). Assigning or deleting a key raises a
    ``TypeError``: in a plain dict rebuilt on every access, ``model.params["W1"] = new_W``
    would be silently lost. Iteration order, ``len``, ``in``, ``keys``/``items``/
    ``values`` and ``get`` work as for a dict; ``dict(m)`` makes a plain (shallow) copy.
    In-place arithmetic, ``params["W1"] -= lr * grads["W1"]``, works (it stores the same
    array back).

    Parameters
    ----------
    entries : mapping name -> (dict, key)
        Where each array lives: looked up on every access, so the mapping always shows
        the current array of that dict.
    readonly_message : str
        The ``TypeError`` message for an assignment or deletion.

    Examples
    --------
    >>> layer = {"W": np.zeros((2, 2))}
    >>> params = NamedArrays({"W1": (layer, "W")}, "read-only: write into the array")
    >>> list(params), len(params), "W1" in params
    (['W1'], 1, True)
    >>> params["W1"][...] = 0.5                 # in place: reaches the layer's array
    >>> float(layer["W"].sum())
    2.0
    >>> params["W1"] = np.ones((2, 2))
    Traceback (most recent call last):
    ...
    TypeError: read-only: write into the array
    """

    __slots__ = ("_entries", "_readonly_message")

    def __init__(self, entries, readonly_message: str):
        self._entries: dict[str, tuple[dict, str]] = dict(entries)
        self._readonly_message = readonly_message

    def __getitem__(self, name: str) -> np.ndarray:
        container, key = self._entries[name]
        return container[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __setitem__(self, name, value):
        # ``params["W1"] -= lr * g`` updates the array in place, then stores the same
        # object back: allow that, refuse anything that would replace the array.
        if name in self._entries and value is self[name]:
            return
        raise TypeError(self._readonly_message)

    def __delitem__(self, name):
        raise TypeError(self._readonly_message)

    def __repr__(self) -> str:
        return f"NamedArrays({dict(self)!r})"


_READ_ONLY = {
    "params": "model.params is read-only: write into the array in place, e.g. "
    "model.params['W1'][...] = new_W, or use model.set_weights(...)",
    "grads": "model.grads is read-only: write into the array in place, e.g. "
    "model.grads['W1'][...] = new_dW (backward overwrites it)",
    "unflatten": "the mapping returned by unflatten is read-only: write into the array in "
    "place, e.g. parts['W1'][...] = new_value (which writes into the vector)",
}


class FlatParameters:
    """Named parameters and gradients kept in one flat vector each (`nnlib.model.MLP` is one).

    A subclass lists its parameters in ``self._names``, as ``(name, layer, key)`` with
    the array in ``layer.params[key]`` and its gradient in ``layer.grads[key]``, sets
    ``self.dtype`` and calls ``self._pack()``. Packing copies every parameter into
    `flat_params` (and every gradient into `flat_grads`) and puts views of them back
    into the layers' dicts: the layers work on them as before, an elementwise optimizer
    updates the whole network in one call per step, and backward writes the gradients
    in place. ``_buffers()`` names arrays that are state but not parameters (batchnorm's
    running statistics), saved and restored by `get_weights` / `set_weights`.
    """

    _names: list[tuple[str, object, str]]
    dtype: np.dtype

    def _pack(self) -> None:
        """Move every parameter and gradient into the flat vectors (views put back)."""
        total = sum(layer.params[key].size for _, layer, key in self._names)
        self._flat_params = np.empty(total, dtype=self.dtype)
        self._flat_grads = np.zeros(total, dtype=self.dtype)
        self._layout: list[tuple[str, int, int, tuple[int, ...]]] = []  # name, start, stop, shape
        start = 0
        for name, layer, key in self._names:
            value = layer.params[key]
            stop = start + value.size
            for flat, store in ((self._flat_params, layer.params), (self._flat_grads, layer.grads)):
                view = flat[start:stop].reshape(value.shape)
                view[...] = store[key]
                store[key] = view
            self._layout.append((name, start, stop, value.shape))
            start = stop
        self._params = NamedArrays(
            {name: (layer.params, key) for name, layer, key in self._names}, _READ_ONLY["params"]
        )
        self._grads = NamedArrays(
            {name: (layer.grads, key) for name, layer, key in self._names}, _READ_ONLY["grads"]
        )

    def __setstate__(self, state) -> None:
        """Restore a pickled or deep-copied model with its arrays sharing memory again.

        Pickling (and `copy.deepcopy`) stores each view as an array of its own; without
        re-packing, an optimizer stepping `flat_params` would no longer move the layers.
        """
        self.__dict__.update(state)
        self._pack()

    def _buffers(self) -> dict[str, np.ndarray]:
        """Arrays that are state but not parameters, by name (none here)."""
        return {}

    @property
    def flat_params(self) -> np.ndarray:
        """All parameters as one contiguous vector, shape (n_params(),).

        ``params["W1"]`` and the rest are views into it (in the order of `params`), so
        writing either changes both.
        """
        return self._flat_params

    @property
    def flat_grads(self) -> np.ndarray:
        """All gradients as one contiguous vector, laid out like `flat_params`.

        `backward` overwrites it in place; ``grads["W1"]`` and the rest are views into it.
        """
        return self._flat_grads

    @property
    def params(self) -> NamedArrays:
        """Parameters by name (``W1, b1, ...``): the layers' own arrays, not copies.

        A read-only `NamedArrays`, the same object on every access: write into the
        arrays (``model.params["W1"][...] = new_W``) or use `set_weights`; assigning a
        key raises a ``TypeError`` instead of being silently lost.
        """
        return self._params

    @property
    def grads(self) -> NamedArrays:
        """Gradients by name, same keys as `params`, filled by `backward` (read-only)."""
        return self._grads

    def unflatten(self, vector) -> NamedArrays:
        """Name the pieces of a flat vector laid out like `flat_params`.

        Turns anything stored for the whole flat vector (a direction, a state vector of
        an optimizer stepped on `flat_params`) back into per-tensor arrays.

        Parameters
        ----------
        vector : ndarray, shape (n_params(),)

        Returns
        -------
        NamedArrays
            Read-only mapping name -> view into `vector` with that parameter's shape
            (views when `vector` is a float ndarray; other input is converted first).
        """
        vector = as_array(vector, "vector", dtype=None)
        n = self._flat_params.size
        if vector.shape != (n,):
            hint = ", e.g. vector.ravel()" if vector.size == n else ""
            raise ValueError(
                f"vector must have shape ({n},) like model.flat_params (n_params() = {n}), "
                f"got {vector.shape}{hint}"
            )
        views = {name: vector[a:b].reshape(shape) for name, a, b, shape in self._layout}
        return NamedArrays({name: (views, name) for name in views}, _READ_ONLY["unflatten"])

    def n_params(self) -> int:
        """Return the number of trainable scalars (weights, biases, gamma, beta)."""
        return self._flat_params.size

    def get_weights(self) -> dict[str, np.ndarray]:
        """Return copies of all parameters, plus the buffers (`_buffers`).

        For a batchnorm model the running statistics appear as ``running_mean1``,
        ``running_var1``, ... so that `set_weights` restores a model completely (early
        stopping).
        """
        return {name: value.copy() for name, value in {**self.params, **self._buffers()}.items()}

    def set_weights(self, weights) -> None:
        """Copy `weights` (as returned by `get_weights`) into the model's arrays, in place.

        The arrays keep their identity, so optimizer state keyed by name stays valid.
        Keys and shapes must match exactly; nothing is copied unless all of them do.
        """
        if not isinstance(weights, Mapping):
            raise TypeError(f"weights must be a dict from get_weights(), got {_describe(weights)}")
        targets = {**self.params, **self._buffers()}
        missing = sorted(set(targets) - set(weights))
        unexpected = sorted(set(weights) - set(targets))
        if missing or unexpected:
            raise ValueError(
                f"weights must have exactly the keys of get_weights(); missing {missing}, "
                f"unexpected {unexpected}"
            )
        arrays = {}
        for name, target in targets.items():
            value = as_array(weights[name], f"weights[{name!r}]", dtype=None)
            if value.shape != target.shape:
                raise ValueError(
                    f"weights[{name!r}] must have shape {target.shape}, got {value.shape}"
                )
            arrays[name] = value
        for name, target in targets.items():
            np.copyto(target, arrays[name])
