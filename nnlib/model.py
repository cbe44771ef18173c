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

import numpy as np

from nnlib import activations as _activations
from nnlib import initializers as _initializers
from nnlib import layers as _layers
from nnlib import losses as _losses
from nnlib._checks import _describe, as_array, as_rng, check_number

__all__ = ["MLP"]

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


def _activation_name(act) -> str:
    """Return the registry name of an activation given by name or as an `Activation`."""
    return _activations.get_activation(act).name


class MLP:
    r"""Multilayer perceptron with named parameters.

    Hidden layers compute :math:`A^{[l]} = f(A^{[l-1]} W^{[l]} + b^{[l]})` (batches are
    rows); the last layer's :math:`Z^{[L]} = A^{[L-1]} W^{[L]} + b^{[L]}` are the logits.

    Parameters
    ----------
    sizes : list of int, length >= 2
        ``[D_in, hidden_1, ..., D_out]``.
    hidden : str, default "relu"
        Activation of the hidden layers (a name from `nnlib.activations.ACTIVATIONS`).
    output : str, default "identity"
        Output activation, applied by `predict_proba` (see the module docstring for how
        it pairs with the loss).
    init : str or callable, default "he_normal"
        Weight initializer for every `Dense` layer (`nnlib.initializers`).
    rng : Generator, int seed or None
        Randomness for the weights and the dropout masks.
    dropout : float in [0, 1), default 0.0
        Drop probability after each hidden activation (no layer when 0).
    batchnorm : bool, default False
        Insert `BatchNorm` between each hidden ``Dense`` and its activation.
    l2, l1 : float >= 0, default 0.0
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
        self.hidden = _activation_name(hidden)
        self.output = _activation_name(output)
        self._output_act = _activations.get_activation(output)
        initializer = _initializers.get_initializer(init)
        self.init = init if isinstance(init, str) else initializer.name
        self.dropout = check_number(dropout, "dropout", low=0, high=1, high_open=True)
        if not isinstance(batchnorm, (bool, np.bool_)):
            raise TypeError(f"batchnorm must be True or False, got {_describe(batchnorm)}")
        self.batchnorm = bool(batchnorm)
        self.l2 = check_number(l2, "l2", low=0)
        self.l1 = check_number(l1, "l1", low=0)
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
            self.layers.append(_layers.Activation(hidden))
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
        start = 0
        for _, layer, key in self._names:
            value = layer.params[key]
            stop = start + value.size
            view = self._flat_params[start:stop].reshape(value.shape)
            view[...] = value
            layer.params[key] = view
            layer.grads[key] = self._flat_grads[start:stop].reshape(value.shape)
            start = stop

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
    def params(self) -> dict[str, np.ndarray]:
        """Parameters by name (``W1, b1, ...``): the layers' own arrays, not copies."""
        return {name: layer.params[key] for name, layer, key in self._names}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Gradients by name, same keys as `params`, filled by `backward`."""
        return {name: layer.grads[key] for name, layer, key in self._names}

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
        if not isinstance(weights, dict):
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
        if type(X) is np.ndarray and X.dtype == self.dtype and X.ndim == 2 and X.shape[1] == d:
            return X  # fast path: already valid
        X = as_array(X, "X", dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != d:
            hint = (
                f"; for a single sample use X.reshape(1, {d})"
                if X.ndim == 1 and X.shape[0] == d
                else ""
            )
            raise ValueError(
                f"X must have shape (N, {d}) (one sample per row, sizes[0] = {d} features), "
                f"got {X.shape}{hint}"
            )
        return X

    def forward(self, X, train=False) -> np.ndarray:
        r"""Logits :math:`Z^{[L]}` for a batch, shape (N, sizes[-1]).

        Parameters
        ----------
        X : array_like, shape (N, sizes[0])
            Converted to the model's dtype.
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
        if penalty:
            value += self.penalty()
        return value, dlogits

    # ----------------------------------------------------------------------- display

    def __repr__(self) -> str:
        parts = [
            f"{self.sizes}",
            f"hidden={self.hidden!r}",
            f"output={self.output!r}",
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
