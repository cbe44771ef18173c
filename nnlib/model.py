r"""The multilayer perceptron: a stack of `nnlib.layers` with named parameters.

``MLP([64, 128, 10], hidden="relu", output="softmax")`` builds

.. code-block:: text

    Dense(64, 128) -> [BatchNorm(128)] -> Activation("relu") -> [Dropout(p)] -> Dense(128, 10)

The forward pass returns the **logits**, the pre-activation of the last layer. The output
activation (`output`) is applied by `MLP.predict_proba` and, for losses that do not fuse
it, by `MLP.loss_and_grad`. Losses on logits fuse it:

=========================  =================  =============================================
loss                       output             gradient at the logits
=========================  =================  =============================================
``softmax_cross_entropy``  ``"softmax"``      :math:`\mathrm{softmax}(Z) - Y` (over N)
``bce_with_logits``        ``"sigmoid"``      :math:`\sigma(Z) - Y` (over N)
``bce``                    ``"sigmoid"``      chained through the sigmoid
``mse``                    any                chained through the output activation
=========================  =================  =============================================

Any other pairing raises a ``ValueError`` that lists these, so softmax is never applied
twice. Parameters are named as on the slides, 1-based: ``W1, b1, W2, b2, ...``, and
``gamma1, beta1, ...`` for the batch normalization after the first hidden ``Dense``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping

import numpy as np

from nnlib import activations as _activations
from nnlib import initializers as _initializers
from nnlib import layers as _layers
from nnlib import losses as _losses
from nnlib._checks import _describe, as_array, as_rng, check_class_labels, check_number

__all__ = ["MLP", "NamedArrays"]

_PAIRS = (
    "('softmax_cross_entropy', output='softmax'), ('bce_with_logits', output='sigmoid'), "
    "('mse', any output), ('bce', output='sigmoid')"
)


def _check_sizes(sizes) -> list[int]:
    """Validate `sizes`: at least two positive ints (input, hidden..., output)."""
    try:
        sizes = list(sizes)
    except TypeError:
        raise TypeError(
            f"sizes must be a list of layer sizes such as [64, 128, 10], got {_describe(sizes)}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least the input and the output size, e.g. [64, 10], got {sizes}"
        )
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise ValueError(f"sizes must be positive integers, got sizes[{i}] = {s!r} in {sizes}")
    return [int(s) for s in sizes]


def _activation_repr(act: _activations.ActivationFunction) -> str:
    """``'relu'`` for registry defaults, ``leaky_relu(alpha=0.3)`` when parameters differ."""
    registered = act.name in _activations.ACTIVATIONS
    if not act.params or (
        registered and act.params == _activations.get_activation(act.name).params
    ):
        return repr(act.name)
    args = ", ".join(f"{k}={v!r}" for k, v in act.params.items())
    return f"{act.name}({args})"


class NamedArrays(Mapping):
    """A read-only mapping from names to arrays: `MLP.params`, `MLP.grads`, `MLP.unflatten`.

    Reading gives the arrays themselves, not copies, so writing *into* one changes the
    model (``model.params["W1"][...] = new_W``). Assigning or deleting a key raises a
    ``TypeError``: in a plain dict rebuilt on every access, ``model.params["W1"] = new_W``
    would be silently lost. Iteration order, ``len``, ``in``, ``keys``/``items``/
    ``values`` and ``get`` work as for a dict; ``dict(m)`` makes a plain (shallow) copy.
    In-place arithmetic, ``params["W1"] -= lr * grads["W1"]``, works (it stores the same
    array back).

    Examples
    --------
    >>> model = MLP([2, 3, 1], rng=0)
    >>> params = model.params
    >>> list(params), len(params), "W1" in params, params is model.params
    (['W1', 'b1', 'W2', 'b2'], 4, True, True)
    >>> params["W2"][...] = 0.5                 # in place: reaches the layer
    >>> float(model.layers[-1].params["W"].sum())
    1.5
    >>> params["W2"] = np.zeros((3, 1))
    Traceback (most recent call last):
    ...
    TypeError: model.params is read-only: write into the array in place, e.g.
    model.params['W1'][...] = new_W, or use model.set_weights(...)
    """

    __slots__ = ("_entries", "_readonly_message")

    def __init__(self, entries, readonly_message: str):
        # entries: name -> (dict holding the array, key in that dict), looked up on every
        # access so the mapping always shows the layer's current array
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


class MLP:
    r"""Multilayer perceptron with named parameters.

    Hidden layers compute :math:`A^{[l]} = f(A^{[l-1]} W^{[l]} + b^{[l]})` (batches are
    rows); the last layer's :math:`Z^{[L]} = A^{[L-1]} W^{[L]} + b^{[L]}` are the logits.

    Parameters
    ----------
    sizes : list of int, length >= 2
        ``[D_in, hidden_1, ..., D_out]``.
    hidden : str or nnlib.activations.ActivationFunction, default "relu"
        Activation of the hidden layers: a name from `nnlib.activations.ACTIVATIONS`, or
        one with bound parameters, ``get_activation("leaky_relu", alpha=0.3)`` (shown
        as ``hidden=leaky_relu(alpha=0.3)`` by ``repr``).
    output : str or nnlib.activations.ActivationFunction, default "identity"
        Output activation, applied by `predict_proba` (see the module docstring for how
        it pairs with the loss). ``"softmax"`` needs ``sizes[-1] >= 2``; for two classes
        with one output unit use ``"sigmoid"``.
    init : str or callable, default "he_normal"
        Weight initializer for every `Dense` layer (`nnlib.initializers`).
    rng : Generator, int seed or None
        Randomness for the weights and the dropout masks.
    dropout : float in [0, 1), default 0.0
        Drop probability after each hidden activation (no layer when 0).
    batchnorm : bool, default False
        Insert `BatchNorm` between each hidden ``Dense`` and its activation.
    l2, l1 : finite float >= 0, default 0.0
        Penalty on the weights (not the biases, nor gamma/beta), see `penalty`.
    dtype : floating dtype, default float64
        float32 halves memory traffic (benchmarks); gradient checks need float64.

    Attributes
    ----------
    layers : list of Layer
        The stack, in order.

    Examples
    --------
    >>> model = MLP([64, 128, 10], hidden="relu", output="softmax", rng=0)
    >>> model
    MLP([64, 128, 10], hidden='relu', output='softmax', init='he_normal', params=9,610)
    >>> list(model.params)
    ['W1', 'b1', 'W2', 'b2']
    >>> X = np.ones((5, 64))
    >>> model.forward(X).shape, model.predict(X).shape
    ((5, 10), (5,))
    """

    def __init__(
        self,
        sizes,
        hidden="relu",
        output="identity",
        init="he_normal",
        rng=None,
        dropout=0.0,
        batchnorm=False,
        l2=0.0,
        l1=0.0,
        dtype=np.float64,
    ):
        self.sizes = _check_sizes(sizes)
        self._hidden_act = _activations.get_activation(hidden)
        self._output_act = _activations.get_activation(output)
        self.hidden = self._hidden_act.name
        self.output = self._output_act.name
        if self.output == "softmax" and self.sizes[-1] == 1:
            raise ValueError(
                f"output='softmax' needs at least 2 output units, got sizes[-1] = 1 in "
                f"{self.sizes}: a softmax over one unit is always 1; use output='sigmoid' "
                "with bce_with_logits for two classes"
            )
        initializer = _initializers.get_initializer(init)
        self.init = init if isinstance(init, str) else initializer.name
        self.dropout = check_number(dropout, "dropout", low=0, high=1, high_open=True)
        if not isinstance(batchnorm, (bool, np.bool_)):
            raise TypeError(f"batchnorm must be True or False, got {_describe(batchnorm)}")
        self.batchnorm = bool(batchnorm)
        self.l2 = check_number(l2, "l2", low=0, finite=True)
        self.l1 = check_number(l1, "l1", low=0, finite=True)
        self.dtype = _initializers._check_dtype(dtype)
        rng = as_rng(rng)

        self.layers: list[_layers.Layer] = []
        self._names: list[tuple[str, _layers.Layer, str]] = []  # (model key, layer, layer key)
        n_dense = len(self.sizes) - 1
        for k in range(1, n_dense + 1):
            dense = _layers.Dense(
                self.sizes[k - 1], self.sizes[k], init=initializer, rng=rng, dtype=self.dtype
            )
            dense.init = self.init
            self.layers.append(dense)
            self._names += [(f"W{k}", dense, "W"), (f"b{k}", dense, "b")]
            if k == n_dense:
                break
            if self.batchnorm:
                bn = _layers.BatchNorm(self.sizes[k], dtype=self.dtype)
                self.layers.append(bn)
                self._names += [(f"gamma{k}", bn, "gamma"), (f"beta{k}", bn, "beta")]
            self.layers.append(_layers.Activation(self._hidden_act))
            if self.dropout > 0:
                self.layers.append(_layers.Dropout(self.dropout, rng=rng))
        self._dense = [layer for layer in self.layers if isinstance(layer, _layers.Dense)]
        self._bns = [layer for layer in self.layers if isinstance(layer, _layers.BatchNorm)]
        self._pack()

    # ----------------------------------------------------------------------- parameters

    def _pack(self) -> None:
        """Put every parameter, and every gradient, into one contiguous vector.

        Each layer's ``params[key]`` and ``grads[key]`` become views into
        `flat_params` and `flat_grads`: the layers work on them as before, while an
        elementwise optimizer can update the whole network in one call per step, and
        backward writes gradients in place instead of allocating them (see
        `nnlib.training.fit`).
        """
        total = sum(layer.params[key].size for _, layer, key in self._names)
        self._flat_params = np.empty(total, dtype=self.dtype)
        self._flat_grads = np.zeros(total, dtype=self.dtype)
        self._layout: list[tuple[str, int, int, tuple[int, ...]]] = []  # name, start, stop, shape
        start = 0
        for name, layer, key in self._names:
            value = layer.params[key]
            stop = start + value.size
            view = self._flat_params[start:stop].reshape(value.shape)
            view[...] = value
            layer.params[key] = view
            grad = self._flat_grads[start:stop].reshape(value.shape)
            grad[...] = layer.grads[key]
            layer.grads[key] = grad
            self._layout.append((name, start, stop, value.shape))
            start = stop
        self._params = NamedArrays(
            {name: (layer.params, key) for name, layer, key in self._names},
            "model.params is read-only: write into the array in place, e.g. "
            "model.params['W1'][...] = new_W, or use model.set_weights(...)",
        )
        self._grads = NamedArrays(
            {name: (layer.grads, key) for name, layer, key in self._names},
            "model.grads is read-only: write into the array in place, e.g. "
            "model.grads['W1'][...] = new_dW (backward overwrites it)",
        )

    def __setstate__(self, state) -> None:
        """Restore a pickled or deep-copied model with its arrays sharing memory again.

        Pickling (and `copy.deepcopy`) stores each view as an array of its own; without
        re-packing, an optimizer stepping `flat_params` would no longer move the layers.
        """
        self.__dict__.update(state)
        self._pack()

    @property
    def flat_params(self) -> np.ndarray:
        """All parameters as one contiguous vector, shape (n_params(),).

        ``params["W1"]`` and the rest are views into it (in the order of `params`), so
        writing either changes both.

        Examples
        --------
        >>> model = MLP([2, 3, 1], rng=0)
        >>> model.flat_params.shape, bool(np.shares_memory(model.flat_params, model.params["W2"]))
        ((13,), True)
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

        Turns anything stored per parameter of the whole flat vector back into
        per-tensor arrays, e.g. the state of an optimizer that `nnlib.training.fit`
        stepped on `flat_params` (under the key ``"all"``): after
        ``fit(model, X, y, loss, opt)`` with ``opt = optimizers.Adam()``,
        ``model.unflatten(opt.state["all"]["m"])["W1"]`` is Adam's first moment for
        ``W1``.

        Parameters
        ----------
        vector : ndarray, shape (n_params(),)

        Returns
        -------
        NamedArrays
            Read-only mapping name -> view into `vector` with that parameter's shape
            (views when `vector` is a float ndarray; other input is converted first).

        Examples
        --------
        >>> model = MLP([2, 3, 1], rng=0)        # W1 (2, 3), b1 (3,), W2 (3, 1), b2 (1,)
        >>> parts = model.unflatten(np.arange(13.0))
        >>> parts["W1"]
        array([[0., 1., 2.],
               [3., 4., 5.]])
        >>> parts["b2"]                          # the last of 6 + 3 + 3 + 1 entries
        array([12.])
        >>> model.unflatten(np.zeros(12))
        Traceback (most recent call last):
        ...
        ValueError: vector must have shape (13,) like model.flat_params (n_params() = 13),
        got (12,)
        """
        vector = as_array(vector, "vector", dtype=None)
        n = self._flat_params.size
        if vector.shape != (n,):
            hint = ", e.g. vector.ravel()" if vector.size == n else ""
            raise ValueError(
                f"vector must have shape ({n},) like model.flat_params (n_params() = {n}), "
                f"got {vector.shape}{hint}"
            )
        views = {
            name: vector[start:stop].reshape(shape) for name, start, stop, shape in self._layout
        }
        return NamedArrays(
            {name: (views, name) for name in views},
            "the mapping returned by unflatten is read-only: write into the array in place, "
            "e.g. parts['W1'][...] = new_value (which writes into the vector)",
        )

    def n_params(self) -> int:
        """Return the number of trainable scalars (weights, biases, gamma, beta).

        Examples
        --------
        >>> MLP([2, 3, 1]).n_params()    # 2*3 + 3 + 3*1 + 1
        13
        """
        return sum(layer.params[key].size for _, layer, key in self._names)

    def get_weights(self) -> dict[str, np.ndarray]:
        """Return copies of all parameters, plus the batchnorm running statistics.

        The running statistics appear as ``running_mean1``, ``running_var1``, ... so that
        `set_weights` restores a model completely (early stopping).

        Examples
        --------
        >>> model = MLP([2, 2], rng=0)
        >>> saved = model.get_weights()
        >>> model.params["W1"] += 1.0
        >>> model.set_weights(saved)
        >>> bool(np.array_equal(model.params["W1"], saved["W1"]))
        True
        """
        weights = {name: value.copy() for name, value in self.params.items()}
        for name, arr in self._buffers().items():
            weights[name] = arr.copy()
        return weights

    def set_weights(self, weights) -> None:
        """Copy `weights` (as returned by `get_weights`) into the model's arrays, in place.

        The arrays keep their identity, so optimizer state keyed by name stays valid.
        Keys and shapes must match exactly.
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
        for name, target in targets.items():  # only copy once everything is validated
            np.copyto(target, arrays[name])

    def _buffers(self) -> dict[str, np.ndarray]:
        buffers = {}
        for k, bn in enumerate(self._bns, start=1):
            buffers[f"running_mean{k}"] = bn.running_mean
            buffers[f"running_var{k}"] = bn.running_var
        return buffers

    # ----------------------------------------------------------------------- passes

    def _check_X(self, X) -> np.ndarray:
        d = self.sizes[0]
        if not (
            type(X) is np.ndarray and X.dtype == self.dtype and X.ndim == 2 and X.shape[1] == d
        ):
            X = as_array(X, "X", dtype=self.dtype)
            if X.ndim != 2 or X.shape[1] != d:
                hint = (
                    f"; for a single sample use X.reshape(1, {d})"
                    if X.ndim == 1 and X.shape[0] == d
                    else ""
                )
                raise ValueError(
                    f"X must have shape (N, {d}) (one sample per row, sizes[0] = {d} "
                    f"features), got {X.shape}{hint}"
                )
        if not np.isfinite(X).all():  # the one pass over the batch this costs
            bad = ~np.isfinite(X)
            rows = np.flatnonzero(bad.any(axis=1))
            raise ValueError(
                f"X contains NaN or inf ({int(bad.sum())} entries in {rows.size} rows, first in "
                f"row {int(rows[0])}): the outputs would be NaN; remove or impute those "
                "values first (e.g. drop the rows, X[np.isfinite(X).all(axis=1)])"
            )
        return X

    def forward(self, X, train=False) -> np.ndarray:
        r"""Logits :math:`Z^{[L]}` for a batch, shape (N, sizes[-1]).

        Parameters
        ----------
        X : array_like, shape (N, sizes[0])
            Converted to the model's dtype. NaN or inf is refused (``ValueError``).
        train : bool, default False
            Training mode: dropout drops units, batchnorm uses batch statistics and
            updates its running averages.

        Returns
        -------
        ndarray, shape (N, sizes[-1])
            The pre-activation of the last layer (no output activation).
        """
        out = self._check_X(X)
        for layer in self.layers:
            out = layer.forward(out, train=train)
        return out

    def backward(self, dlogits, *, input_grad=True):
        r"""Backpropagate dL/dlogits through all layers and fill `grads`.

        The penalty's gradient is added to the weights' gradients:
        :math:`\partial/\partial W = \ldots + \lambda_2 W + \lambda_1 \operatorname{sign}(W)`
        (biases, gamma and beta are not penalized).

        Parameters
        ----------
        dlogits : ndarray, shape (N, sizes[-1])
            Gradient of the loss with respect to the output of `forward`.
        input_grad : bool, default True
            Compute dL/dX. ``False`` saves the first layer's ``dX`` matrix product
            (`loss_and_grad` uses it) and returns None.

        Returns
        -------
        ndarray, shape (N, sizes[0]), or None
        """
        dout = dlogits
        if not (type(dout) is np.ndarray and dout.dtype == self.dtype and dout.ndim == 2):
            dout = as_array(dlogits, "dlogits", ndim=2, dtype=self.dtype)
        if dout.shape[1] != self.sizes[-1]:
            raise ValueError(
                f"dlogits must have shape (N, {self.sizes[-1]}) like the logits, got {dout.shape}"
            )
        first = self.layers[0]
        first.needs_input_grad = bool(input_grad)
        try:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
        finally:
            first.needs_input_grad = True
        if self.l2 or self.l1:
            for dense in self._dense:
                W, dW = dense.params["W"], dense.grads["W"]
                if self.l2:
                    dW += self.l2 * W
                if self.l1:
                    dW += self.l1 * np.sign(W)
        return dout

    def output_activation(self, logits) -> np.ndarray:
        """Apply the output activation (`output`) to logits.

        Examples
        --------
        >>> MLP([2, 2], output="softmax").output_activation(np.array([[0.0, 0.0]]))
        array([[0.5, 0.5]])
        """
        return self._output_act.forward(as_array(logits, "logits", ndim=2, dtype=None))

    def predict_proba(self, X) -> np.ndarray:
        """Output activation of the logits in evaluation mode, shape (N, sizes[-1])."""
        return self.output_activation(self.forward(X, train=False))

    def predict(self, X) -> np.ndarray:
        """Predictions in evaluation mode.

        Returns
        -------
        ndarray
            ``output="softmax"``: class labels ``argmax``, shape (N,), int.
            ``output="sigmoid"``: ``(p >= 0.5)`` as int, shape (N, sizes[-1]).
            Otherwise: the output values, shape (N, sizes[-1]).

        Examples
        --------
        >>> model = MLP([1, 1], output="sigmoid", init="zeros")
        >>> model.predict([[3.0]])            # sigmoid(0) = 0.5 >= 0.5
        array([[1]])
        """
        proba = self.predict_proba(X)
        if self.output == "softmax":
            return proba.argmax(axis=1)
        if self.output == "sigmoid":
            return (proba >= 0.5).astype(int)
        return proba

    def score(self, X, y) -> float:
        r"""Accuracy of `predict` on ``(X, y)``: the fraction of correct predictions.

        For a classifier only (``output="softmax"`` or ``"sigmoid"``); a regression
        model (``output="identity"``, ...) raises a ``ValueError``: evaluate a loss
        instead, e.g. ``nnlib.losses.mse(model.predict(X), y)``.

        Parameters
        ----------
        X : array_like, shape (N, sizes[0])
        y : array_like
            ``output="softmax"``: integer class labels, shape (N,), or one-hot (or
            probability) rows, shape (N, C), whose argmax is the class.
            ``output="sigmoid"``: binary targets in [0, 1] (a target counts as 1 when
            it is >= 0.5) of shape (N, D_out), the shape of the output; with one output
            unit (D_out = 1) also of shape (N,). Comparing (N, 1) predictions with (N,)
            labels by hand, ``np.mean(model.predict(X) == y)``, broadcasts to an (N, N)
            matrix and gives a meaningless number; `score` compares row by row.

        Returns
        -------
        float
            .. math:: \frac{1}{M}\sum_{i=1}^{M} [\hat y_i = y_i]

            over the N samples (softmax) or the N * D_out outputs (sigmoid, so with
            several outputs it is the fraction of correct labels, not of samples with
            every label right).

        Examples
        --------
        >>> model = MLP([2, 3], output="softmax", init="zeros")
        >>> model.params["b1"][:] = [0.0, 1.0, 0.0]      # always predicts class 1
        >>> model.score(np.zeros((4, 2)), [1, 1, 0, 1])  # 3 of 4 labels are 1
        0.75
        >>> binary = MLP([1, 1], output="sigmoid", init="zeros")
        >>> binary.params["W1"][:] = 1.0                 # predicts x >= 0
        >>> X = np.array([[-1.0], [2.0], [3.0]])         # predictions 0, 1, 1
        >>> round(binary.score(X, [0, 1, 0]), 4), round(binary.score(X, [[0], [1], [0]]), 4)
        (0.6667, 0.6667)
        """
        if self.output not in ("softmax", "sigmoid"):
            raise ValueError(
                f"score measures classification accuracy and needs output='softmax' or "
                f"output='sigmoid', got output={self.output!r}; for regression evaluate a "
                "loss instead, e.g. nnlib.losses.mse(model.predict(X), y)"
            )
        if isinstance(y, (str, bytes)) or y is None:
            raise TypeError(f"y must be an array of targets, got {_describe(y)}")
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"y must be an array of numbers, got dtype {y.dtype}")
        pred = self.predict(X)
        n, k = len(pred), self.sizes[-1]
        if n == 0:
            raise ValueError("score needs at least one sample, got X with 0 rows")
        if self.output == "softmax":
            if y.ndim == 1 and y.shape[0] == n:
                labels = check_class_labels(y, k, "y", hint=f", or pass one-hot rows ({n}, {k})")
            elif y.shape == (n, k):
                if not np.isfinite(y).all():
                    raise ValueError("y must contain only finite values, got NaN or inf")
                labels = y.argmax(axis=1)
            else:
                hint = "; pass class labels as a 1-D array, y.ravel()" if y.shape == (n, 1) else ""
                raise ValueError(
                    f"y must be integer labels of shape ({n},) or one-hot rows of shape "
                    f"({n}, {k}) for X with {n} rows, got shape {y.shape}{hint}"
                )
            return float(np.mean(pred == labels))
        # sigmoid: predictions (N, k) of 0 / 1
        if y.shape == (n, k):
            pass
        elif k == 1 and y.shape == (n,):
            pred = pred[:, 0]
        else:
            also = f" or ({n},)" if k == 1 else ""
            hint = (
                f"; the model has {k} outputs, so one-hot encode the labels: "
                f"nnlib.datasets.one_hot(y, {k})"
                if y.shape == (n,)
                else ""
            )
            raise ValueError(
                f"y must have shape ({n}, {k}){also}, the shape of the model's output for X "
                f"with {n} rows, got {y.shape}{hint}"
            )
        if not np.all((y >= 0) & (y <= 1)):
            raise ValueError(
                "y must hold binary targets in [0, 1] (0/1 labels, or probabilities "
                "thresholded at 0.5) for output='sigmoid'"
            )
        return float(np.mean(pred == (y >= 0.5)))

    # ----------------------------------------------------------------------- loss

    def penalty(self) -> float:
        r"""Weight penalty :math:`\frac{\lambda_2}{2}\sum W^2 + \lambda_1 \sum |W|`.

        The sums run over the weights of every Dense layer, not over biases or batchnorm
        parameters; its gradient, :math:`\lambda_2 W + \lambda_1 \operatorname{sign}(W)`,
        is added by `backward`.

        Examples
        --------
        >>> model = MLP([2, 1], init="constant", l2=0.1, l1=0.01)
        >>> model.params["W1"][:] = [[1.0], [-2.0]]
        >>> model.params["b1"][:] = 100.0     # biases are not penalized
        >>> round(model.penalty(), 6)         # 0.1/2 * (1 + 4) + 0.01 * (1 + 2)
        0.28
        """
        total = 0.0
        for dense in self._dense:
            W = dense.params["W"]
            if self.l2:
                total += 0.5 * self.l2 * float(np.vdot(W, W))
            if self.l1:
                total += self.l1 * float(np.abs(W).sum())
        return total

    def _check_pairing(self, loss: _losses.Loss) -> None:
        fused = loss.fused_output
        if fused is not None:
            ok = self.output == fused
        elif loss.name == "bce":
            ok = self.output == "sigmoid"
        else:
            ok = True
        if not ok:
            raise ValueError(
                f"loss {loss.name!r} does not work with output={self.output!r}; "
                f"the valid pairs are: {_PAIRS}"
            )

    def loss_and_grad(self, X, y, loss) -> float:
        r"""One training step's loss and gradients.

        Runs ``forward(X, train=True)``, `loss_from_logits` (the loss plus `penalty`),
        and ``backward(dlogits, input_grad=False)``, which fills `grads`. For a fused
        loss the loss takes the logits and :math:`\partial L/\partial Z = p - y` (over
        N); otherwise the loss takes ``output_activation(logits)`` and its gradient is
        chained back through the output activation (softmax via its vector-Jacobian
        product).

        Parameters
        ----------
        X : array_like, shape (N, sizes[0])
        y : array_like
            Targets in the form the loss expects (int labels (N,) or one-hot for
            softmax cross-entropy, the output's exact shape for mse/bce).
        loss : str or nnlib.losses.Loss
            Must pair with `output` (see the module docstring).

        Returns
        -------
        float
            Data loss (batch mean) plus penalty.

        Examples
        --------
        >>> model = MLP([2, 3], output="softmax", init="zeros")
        >>> round(model.loss_and_grad(np.ones((4, 2)), [0, 1, 2, 0], "softmax_cross_entropy"), 4)
        1.0986
        >>> model.loss_and_grad(np.ones((4, 2)), [0, 1, 2, 0], "bce_with_logits")
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: loss 'bce_with_logits' does not work with output='softmax'; the valid pairs...

        (A uniform prediction over 3 classes costs :math:`\ln 3 = 1.0986`.)
        """
        logits = self.forward(X, train=True)
        value, dlogits = self.loss_from_logits(logits, y, loss)
        self.backward(dlogits, input_grad=False)
        return value

    def loss_from_logits(self, logits, y, loss, *, penalty=True, grad=True):
        r"""Loss value and its gradient at the logits, with the output activation paired.

        The piece of `loss_and_grad` between `forward` and `backward`, for training loops
        that run those themselves (`nnlib.training.fit`). A fused loss takes the logits
        (:math:`\partial L/\partial Z = p - y`, over N); any other loss takes
        ``output_activation(logits)`` and its gradient is chained back through the output
        activation.

        Parameters
        ----------
        logits : ndarray, shape (N, sizes[-1])
            Output of `forward`.
        y : array_like
            Targets in the form the loss expects.
        loss : str or nnlib.losses.Loss
            Must pair with `output` (see the module docstring).
        penalty : bool, default True
            Add `penalty` to the value (its gradient is added by `backward`, not here).
        grad : bool, default True
            ``False`` skips the gradient (returned as None), e.g. for validation.

        Returns
        -------
        value : float
        dlogits : ndarray, shape of `logits`, in the model's dtype (or None)

        Examples
        --------
        >>> model = MLP([2, 2], output="sigmoid", init="zeros")
        >>> value, dlogits = model.loss_from_logits(np.zeros((1, 2)), np.array([[1.0, 0.0]]),
        ...                                         "bce_with_logits")
        >>> round(value, 4), dlogits   # ln 2;  (sigmoid(0) - y) / 2 entries = [-0.25, 0.25]
        (0.6931, array([[-0.25,  0.25]]))
        """
        loss = _losses.get_loss(loss)
        self._check_pairing(loss)
        logits = as_array(logits, "logits", ndim=2, dtype=None)
        dlogits = None
        if loss.fused_output is not None:
            if grad:
                value, dlogits = loss.value_and_grad(logits, y)
            else:
                value = loss.forward(logits, y)
        else:
            out = self._output_act.forward(logits)
            if grad:
                value, dout = loss.value_and_grad(out, y)
                dlogits = self._output_act.backward(dout, logits, out)
            else:
                value = loss.forward(out, y)
        if dlogits is not None:
            dlogits = dlogits.astype(self.dtype, copy=False)
        value = float(value)
        if penalty and (self.l2 or self.l1):
            value += self.penalty()
        return value, dlogits

    # ----------------------------------------------------------------------- display

    def __repr__(self) -> str:
        parts = [
            f"{self.sizes}",
            f"hidden={_activation_repr(self._hidden_act)}",
            f"output={_activation_repr(self._output_act)}",
            f"init={self.init!r}",
        ]
        if self.dropout:
            parts.append(f"dropout={self.dropout!r}")
        if self.batchnorm:
            parts.append("batchnorm=True")
        if self.l2:
            parts.append(f"l2={self.l2!r}")
        if self.l1:
            parts.append(f"l1={self.l1!r}")
        if self.dtype != np.float64:
            parts.append(f"dtype='{self.dtype}'")
        parts.append(f"params={self.n_params():,}")
        return f"MLP({', '.join(parts)})"
