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

Any other pairing raises a ``ValueError`` that lists these (`nnlib.losses.check_pairing`),
so softmax is never applied twice. Parameters are named as on the slides, 1-based:
``W1, b1, W2, b2, ...``, and ``gamma1, beta1, ...`` for the batch normalization after the
first hidden ``Dense``; they all live in one flat vector (`nnlib._flat.FlatParameters`).

Activations with learnable parameters come in through ``hidden=`` as a layer factory
(``hidden=layers.PReLU``), and ``maxout=k`` / ``dropconnect=p`` swap the layers with a
weight matrix for `nnlib.layers.Maxout` / `nnlib.layers.DropConnect`. After each optimizer
step ``fit`` calls `MLP.post_step`, which applies the proximal L1 step
(``l1_mode="proximal"``) and the max-norm constraint (``max_norm=c``) when they are on.

Input is validated once, at the public methods (`MLP.forward`, `MLP.predict`,
`MLP.score`, `MLP.loss_and_grad`, ...). `nnlib.training.fit` validates the whole data set
itself, then calls the unchecked ``_forward`` and ``_loss_from_logits`` for every batch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnlib import activations as _activations
from nnlib import initializers as _initializers
from nnlib import layers as _layers
from nnlib import losses as _losses
from nnlib import metrics as _metrics
from nnlib._checks import (
    _describe,
    as_array,
    as_rng,
    check_batch,
    check_bool,
    check_choice,
    check_int,
    check_number,
)
from nnlib._flat import FlatParameters, NamedArrays

__all__ = ["MLP", "NamedArrays", "trace"]


def _check_sizes(sizes, output: str) -> list[int]:
    """Validate `sizes`: at least two positive ints (input, hidden..., output).

    A softmax `output` needs at least two output units.
    """
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
    sizes = [int(s) for s in sizes]
    if output == "softmax" and sizes[-1] == 1:
        raise ValueError(
            f"output='softmax' needs at least 2 output units, got sizes[-1] = 1 in {sizes}: "
            "a softmax over one unit is always 1; use output='sigmoid' with bce_with_logits "
            "for two classes"
        )
    return sizes


def _activation_repr(act: _activations.ActivationFunction) -> str:
    """``'relu'`` for registry defaults, ``leaky_relu(alpha=0.3)`` when parameters differ."""
    registered = act.name in _activations.ACTIVATIONS
    if not act.params or (
        registered and act.params == _activations.get_activation(act.name).params
    ):
        return repr(act.name)
    args = ", ".join(f"{k}={v!r}" for k, v in act.params.items())
    return f"{act.name}({args})"


def _hidden_spec(hidden):
    """Split `hidden` into ``(ActivationFunction, None)`` or ``(None, layer factory)``."""
    if isinstance(hidden, (str, _activations.ActivationFunction)) or not callable(hidden):
        return _activations.get_activation(hidden), None
    return None, hidden


def _hidden_layer(factory, d, dtype):
    """Call a ``hidden=`` layer factory for width `d`; check it gives an (N, d) -> (N, d) Layer."""
    try:
        layer = factory(d)
    except TypeError as e:
        raise TypeError(
            f"hidden={getattr(factory, '__qualname__', factory)!r} is called with each hidden "
            f"layer's width (d = {d}) and failed: {e}; a factory takes the width, e.g. "
            "hidden=layers.PReLU or hidden=lambda d: layers.Swish()"
        ) from e
    if not isinstance(layer, _layers.Layer):
        raise TypeError(
            "hidden must be an activation name, an ActivationFunction, or a layer factory "
            f"d -> Layer such as layers.PReLU or lambda d: layers.Swish(); the factory "
            f"returned {_describe(layer)} for d = {d}"
        )
    out = layer.forward(np.zeros((2, d), dtype=dtype))
    if out.shape != (2, d):
        raise ValueError(
            f"hidden's layer {layer!r} must map (N, {d}) to (N, {d}) (it follows Dense(.., {d})), "
            f"got {out.shape} from (2, {d})"
        )
    return layer


def _weight_layer(k, sizes, settings, initializer, rng, dtype):
    """Layer k (1-based) with a weight matrix: Dense, DropConnect (k >= 2) or Maxout (hidden)."""
    d_in, d_out = sizes[k - 1], sizes[k]
    if settings["maxout"] and k < len(sizes) - 1:
        return _layers.Maxout(d_in, d_out, settings["maxout"], initializer, rng, dtype)
    if settings["dropconnect"] > 0 and k >= 2:
        return _layers.DropConnect(d_in, d_out, settings["dropconnect"], initializer, rng, dtype)
    return _layers.Dense(d_in, d_out, init=initializer, rng=rng, dtype=dtype)


def _build_layers(sizes, hidden, initializer, init_name, rng, settings, dtype):
    """Build the stack ``Dense -> [BatchNorm] -> Activation -> [Dropout] -> ... -> Dense``.

    `hidden` is an ActivationFunction or a layer factory ``d -> Layer``; `settings` holds
    dropout, batchnorm, maxout and dropconnect. Returns the layers and the parameter
    names, ``(model key, layer, layer key)``.
    """
    layers, names = [], []
    n_dense = len(sizes) - 1
    for k in range(1, n_dense + 1):
        dense = _weight_layer(k, sizes, settings, initializer, rng, dtype)
        dense.init = init_name
        layers.append(dense)
        names += [(f"W{k}", dense, "W"), (f"b{k}", dense, "b")]
        if k == n_dense:
            break
        if settings["batchnorm"]:
            bn = _layers.BatchNorm(sizes[k], dtype=dtype)
            layers.append(bn)
            names += [(f"gamma{k}", bn, "gamma"), (f"beta{k}", bn, "beta")]
        if settings["maxout"]:
            pass  # Maxout is its own activation
        elif isinstance(hidden, _activations.ActivationFunction):
            layers.append(_layers.Activation(hidden))
        else:
            act = _hidden_layer(hidden, sizes[k], dtype)
            layers.append(act)
            prefix = type(act).__name__.lower()
            names += [(f"{prefix}_{key}{k}", act, key) for key in act.params]
        if settings["dropout"] > 0:
            layers.append(_layers.Dropout(settings["dropout"], rng=rng))
    return layers, names


def _check_regularization(model, hidden, l1_mode, max_norm, maxout, dropconnect) -> None:
    """Validate and store the settings beyond the plain MLP (all off by default)."""
    model.l1_mode = check_choice(l1_mode, "l1_mode", ("subgradient", "proximal"))
    if max_norm is not None:
        max_norm = check_number(max_norm, "max_norm", low=0, low_open=True, finite=True)
    model.max_norm = max_norm
    model.maxout = None if maxout is None else check_int(maxout, "maxout", low=2)
    model.dropconnect = check_number(dropconnect, "dropconnect", low=0, high=1, high_open=True)
    if model.maxout and not (isinstance(hidden, str) and hidden == "relu"):
        raise ValueError(
            f"maxout={model.maxout} replaces the hidden activation (each unit is the max of "
            f"its pieces); leave hidden at its default, got hidden={hidden!r}"
        )
    if model.maxout and model.batchnorm:
        raise ValueError(
            "maxout and batchnorm=True cannot be combined: a Maxout layer is its own "
            "activation, with no pre-activation to normalize"
        )
    # the subgradient's l1 sign(W) goes into the gradient; the proximal step into post_step
    model._l1_grad = model.l1 if model.l1_mode == "subgradient" else 0.0
    model._constrained = bool(model.max_norm) or (model.l1_mode == "proximal" and model.l1 > 0)


def _post_step(model, lr) -> None:
    """`MLP.post_step`: the proximal L1 step, then the max-norm constraint, on every W."""
    shrink = lr * model.l1 if model.l1_mode == "proximal" else 0.0
    for layer in model._dense:
        W = layer.params["W"]
        if shrink:  # W <- sign(W) max(|W| - lr l1, 0), in place
            smaller = np.abs(W)
            smaller -= shrink
            np.maximum(smaller, 0.0, out=smaller)
            np.copysign(smaller, W, out=W)
            W += 0.0  # -0.0 -> 0.0: the zeros print as 0
        if model.max_norm:  # each column (a unit's incoming weights) to norm <= c
            norms = np.sqrt(np.sum(W * W, axis=-2, keepdims=True))
            too_long = norms > model.max_norm
            if too_long.any():
                W *= np.divide(model.max_norm, norms, out=np.ones_like(norms), where=too_long)


def _through_layers(layers, X, train: bool, *, checked: bool) -> np.ndarray:
    """Run a batch forward through `layers`, with each layer's own checks or without."""
    for layer in layers:
        X = layer.forward(X, train=train) if checked else layer._forward(X, train)
    return X


def _back_through_layers(layers, dout, input_grad: bool, *, checked: bool):
    """Backpropagate `dout` through `layers` (filling their grads); return dL/dX or None.

    ``input_grad=False`` lets the first layer skip its ``dX`` matrix product.
    """
    first = layers[0]
    first.needs_input_grad = bool(input_grad)
    try:
        for layer in reversed(layers):
            dout = layer.backward(dout) if checked else layer._backward(dout)
    finally:
        first.needs_input_grad = True
    return dout


def _blocks(layers) -> list[list]:
    """Group an MLP's stack per Dense layer: ``[Dense, (BatchNorm), (Activation), (Dropout)]``."""
    blocks: list[list] = []
    for layer in layers:
        if isinstance(layer, _layers.Dense):
            blocks.append([layer])
        else:
            blocks[-1].append(layer)
    return blocks


def _trace_forward(model, X) -> list[dict]:
    """Forward half of `trace`: each layer's W, b, Z and A, in evaluation mode."""
    records, A = [], X
    blocks = _blocks(model.layers)
    for k, block in enumerate(blocks, start=1):
        dense = block[0]
        Z = dense._forward(A, False)
        A = Z
        for layer in block[1:]:
            A = layer._forward(A, False)
        shown = A if k < len(blocks) else model._output_act.forward(Z)
        records.append(
            {"layer": k, "W": dense.params["W"].copy(), "b": dense.params["b"].copy(),
             "Z": Z.copy(), "A": np.array(shown, copy=True)}
        )  # fmt: skip
    return records


def _trace_backward(model, records, logits, y, loss) -> None:
    """Backward half of `trace`: add dA, dZ, dW and db to `records`; grads left unchanged."""
    loss = _losses.get_loss(loss)
    _, dout = model.loss_from_logits(logits, y, loss)
    last = records[-1]
    last["dA"] = None if loss.fused_output is not None else loss.grad(last["A"], y)
    saved = model.flat_grads.copy()
    try:
        for record, block in zip(reversed(records), reversed(_blocks(model.layers)), strict=True):
            if record is not last:
                record["dA"] = dout.copy()
            for layer in reversed(block[1:]):
                dout = layer._backward(dout)
            record["dZ"] = np.array(dout, copy=True)
            dense = block[0]
            dense.needs_input_grad = True
            dout = dense._backward(dout)
            dW = dense.grads["W"].copy()
            if model.l2:
                dW += model.l2 * record["W"]
            if model._l1_grad:
                dW += model._l1_grad * np.sign(record["W"])
            record["dW"], record["db"] = dW, dense.grads["b"].copy()
    finally:
        model.flat_grads[...] = saved


def trace(model, X, y=None, loss=None) -> list[dict]:
    r"""Every layer's forward and backward quantities for one batch: what backprop computes.

    ``MLP.trace(X, y, loss)`` calls this. The batch goes forward in evaluation mode
    (dropout off, batch normalization with its running statistics); with `y` and `loss`
    the loss's gradient goes back through the same layers, and each step is recorded.
    For layer :math:`l = 1, \ldots, L` (one per `Dense`):

    .. math::
        Z^{[l]} = A^{[l-1]} W^{[l]} + b^{[l]}, \quad A^{[l]} = f(Z^{[l]}), \quad
        A^{[0]} = X

    .. math::
        dZ^{[l]} = dA^{[l]} \odot f'(Z^{[l]}), \quad
        dW^{[l]} = A^{[l-1]\top} dZ^{[l]}, \quad
        db^{[l]} = \textstyle\sum_n dZ^{[l]}_{n\cdot}, \quad
        dA^{[l-1]} = dZ^{[l]} W^{[l]\top}

    where :math:`dA = \partial L/\partial A` etc., for the loss :math:`L` of
    `MLP.loss_and_grad` (a batch mean, plus the model's penalty, whose gradient is in
    ``dW``). The model is not changed: its parameters and `grads` are as before.

    Parameters
    ----------
    model : MLP
    X : array_like, shape (N, sizes[0])
    y : array_like, optional
        Targets in the form `loss` expects; give both `y` and `loss`, or neither.
    loss : str or nnlib.losses.Loss, optional
        Must pair with the model's output (`nnlib.losses.check_pairing`).

    Returns
    -------
    list of dict, one per layer, in order (``trace[0]`` is layer 1)
        ``"layer"``: l (1-based); ``"W"`` (sizes[l-1], sizes[l]) and ``"b"`` (sizes[l],):
        copies of the parameters; ``"Z"``, ``"A"``: (N, sizes[l]). For the last layer
        ``Z`` are the logits and ``A`` the output activation of them (`predict_proba`).
        With batch normalization ``Z`` is the Dense output and ``A = f(BN(Z))``.

        With a loss, also ``"dA"``, ``"dZ"`` (N, sizes[l]), ``"dW"`` like ``W`` and
        ``"db"`` like ``b``. The last layer's ``dZ`` is the gradient at the logits;
        its ``dA`` is :math:`\partial L/\partial A^{[L]}` for ``mse`` and ``bce``, and
        None for the fused losses (``bce_with_logits``, ``softmax_cross_entropy``),
        which go from the logits straight to :math:`dZ^{[L]} = (P - Y)/N`.

    Raises
    ------
    ValueError
        For `X` of the wrong shape, only one of `y` and `loss`, a loss that does not
        pair with the output, or targets that do not fit.

    Examples
    --------
    >>> model = MLP([2, 2, 1], hidden="sigmoid", output="sigmoid", init="zeros")
    >>> t = model.trace([[1.0, 2.0]], [[1.0]], "mse")
    >>> [sorted(d) for d in t][0]
    ['A', 'W', 'Z', 'b', 'dA', 'dW', 'dZ', 'db', 'layer']
    >>> t[1]["A"], t[1]["dA"], t[1]["dZ"]     # sigmoid(0); 2 (0.5 - 1); -1 * 0.25
    (array([[0.5]]), array([[-1.]]), array([[-0.25]]))
    >>> t[1]["dW"].ravel()                    # A1.T @ dZ2 = 0.5 * -0.25 per hidden unit
    array([-0.125, -0.125])
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an nnlib MLP, got {_describe(model)}")
    if (y is None) != (loss is None):
        given, missing = ("y", "loss") if loss is None else ("loss", "y")
        raise ValueError(
            f"trace got {given} but no {missing}: pass both y and loss for the backward "
            "quantities (dA, dZ, dW, db), or neither for the forward ones only"
        )
    if model.maxout:
        raise ValueError(
            f"trace records Z = A W + b and A = f(Z) per Dense layer; this model's hidden "
            f"layers are Maxout(k={model.maxout}), whose k pieces have no single Z: "
            "call layer.forward on model.layers instead"
        )
    X = check_batch(X, model.sizes[0], dtype=model.dtype)
    records = _trace_forward(model, X)
    if loss is not None:
        _trace_backward(model, records, records[-1]["Z"], y, loss)
    return records


def _hidden_name(model) -> str:
    """``model.hidden``: the activation's name, ``"maxout"``, or the factory layer's class."""
    if model.maxout:
        return "maxout"
    if model._hidden_act is not None:
        return model._hidden_act.name
    built = [layer for layer in model.layers if not isinstance(layer, _layers.Dense)]
    built = [
        layer for layer in built if not isinstance(layer, (_layers.BatchNorm, _layers.Dropout))
    ]
    return type(built[0]).__name__.lower() if built else "factory"


def _mlp_repr(model) -> str:
    """``MLP([...], hidden=..., output=..., init=..., <settings that differ>, params=N)``."""
    if model._hidden_act is not None:
        hidden = f"hidden={_activation_repr(model._hidden_act)}"
    else:
        hidden = f"hidden={model._hidden_factory}"
    parts = [
        f"{model.sizes}",
        f"maxout={model.maxout}" if model.maxout else hidden,
        f"output={_activation_repr(model._output_act)}",
        f"init={model.init!r}",
    ]
    if model.dropout:
        parts.append(f"dropout={model.dropout!r}")
    if model.batchnorm:
        parts.append("batchnorm=True")
    if model.l2:
        parts.append(f"l2={model.l2!r}")
    if model.l1:
        parts.append(f"l1={model.l1!r}")
    if model.l1_mode != "subgradient":
        parts.append(f"l1_mode={model.l1_mode!r}")
    for name in ("max_norm", "dropconnect"):
        if getattr(model, name):
            parts.append(f"{name}={getattr(model, name)!r}")
    if model.dtype != np.float64:
        parts.append(f"dtype='{model.dtype}'")
    parts.append(f"params={model.n_params():,}")
    return f"MLP({', '.join(parts)})"


class _Penalties:
    """`MLP`'s weight penalty and the constraints applied after each step (a mixin).

    Uses the model's ``_dense`` (the layers with a weight matrix ``W``), ``l1``, ``l2``,
    ``l1_mode`` and ``max_norm``.
    """

    _dense: list
    l1: float
    l2: float
    _l1_grad: float
    _constrained: bool

    def penalty(self) -> float:
        r"""Weight penalty :math:`\frac{\lambda_2}{2}\sum W^2 + \lambda_1 \sum |W|`.

        The sums run over the weights of every layer with a weight matrix (Dense,
        DropConnect, Maxout), not over biases, batchnorm or PReLU/swish parameters. Its
        gradient is added by `backward`, except the L1 term with ``l1_mode="proximal"``,
        which `post_step` applies instead; the value is the same in both modes.

        Examples
        --------
        >>> model = MLP([2, 1], init="constant", l2=0.1, l1=0.01)
        >>> model.params["W1"][:] = [[1.0], [-2.0]]
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

    def _add_penalty_grads(self) -> None:
        r"""Add :math:`\lambda_2 W + \lambda_1 \operatorname{sign}(W)` to every ``grads["W"]``.

        The L1 term only for ``l1_mode="subgradient"`` (the proximal mode leaves it to
        `post_step`).
        """
        for dense in self._dense:
            W, dW = dense.params["W"], dense.grads["W"]
            if self.l2:
                dW += self.l2 * W
            if self._l1_grad:
                dW += self._l1_grad * np.sign(W)

    def post_step(self, lr) -> None:
        r"""Apply the proximal L1 step and the max-norm constraint (`nnlib.training.fit` calls it).

        ``fit`` calls ``model.post_step(lr)`` after every optimizer step, with that step's
        learning rate (call it yourself after a hand-written update). In order, on every
        weight matrix (not biases, nor gamma/beta, nor PReLU/swish parameters):

        - ``l1_mode="proximal"``: :math:`w \leftarrow \operatorname{sign}(w)\max(|w| -
          \eta\lambda_1, 0)`, the proximal step of :math:`\lambda_1|w|`: exact zeros;
        - ``max_norm=c``: each unit's incoming weights :math:`W_{:,j}` (a column; rows are
          inputs) rescaled to norm :math:`\le c` when longer (Srivastava et al. 2014).

        Nothing happens otherwise (the default settings).

        The proximal step is exact for plain SGD: a gradient step on the loss gives
        :math:`w`, then the new weight is the :math:`v` minimizing
        :math:`\frac{1}{2\eta}(v - w)^2 + \lambda_1|v|`. After an adaptive
        optimizer (Adam) it is the same shrinkage by :math:`\eta\lambda_1`, an
        approximation. TF Playground (``nn.ts``, ``updateWeights``) takes the data step,
        then subtracts :math:`\eta\lambda_1\operatorname{sign}(w_{old})` with the sign
        the weight had *before* that step, and when this crosses 0 sets the weight to 0
        and marks the link dead for good. Ours gives the same result whenever the data
        step keeps the weight's sign. It differs in two cases: a zero weight here can come
        back when a later data step moves it more than :math:`\eta\lambda_1` (TF's
        stays dead), and when the data step itself crosses 0, TF pushes the weight
        further from 0 while we shrink it towards 0.

        Parameters
        ----------
        lr : float >= 0
            The learning rate :math:`\eta` of the step just taken.

        Examples
        --------
        >>> model = MLP([2, 1], init="zeros", l1=0.5, l1_mode="proximal")
        >>> model.params["W1"][:, 0] = [0.3, -2.0]
        >>> model.post_step(lr=1.0)           # shrink by 1.0 * 0.5, stop at 0
        >>> model.params["W1"].ravel()
        array([ 0. , -1.5])
        """
        if not (type(lr) is float and 0.0 <= lr < math.inf):  # fit's floats: 0.1 us, not 1.7
            lr = check_number(lr, "lr", low=0, finite=True)
        if self._constrained:
            _post_step(self, lr)


class MLP(_Penalties, FlatParameters):
    r"""Multilayer perceptron with named parameters.

    Hidden layers compute :math:`A^{[l]} = f(A^{[l-1]} W^{[l]} + b^{[l]})` (batches are
    rows); the last layer's :math:`Z^{[L]} = A^{[L-1]} W^{[L]} + b^{[L]}` are the logits.

    Parameters
    ----------
    sizes : list of int, length >= 2
        ``[D_in, hidden_1, ..., D_out]``.
    hidden : str, nnlib.activations.ActivationFunction or callable, default "relu"
        Activation of the hidden layers: a name from `nnlib.activations.ACTIVATIONS`, or
        one with bound parameters, ``get_activation("leaky_relu", alpha=0.3)`` (shown
        as ``hidden=leaky_relu(alpha=0.3)`` by ``repr``). For an activation with
        learnable parameters, a **layer factory**: a callable ``d -> Layer`` called once
        per hidden layer with its width ``d``, e.g. ``hidden=layers.PReLU`` or
        ``hidden=lambda d: layers.Swish(beta0=1.0)``; its parameters join the model's,
        named ``prelu_alpha1``, ``swish_beta1``, ... (class, key, layer number). A name
        keeps the plain ``Dense -> Activation`` stack, as fast as before.
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
    l1_mode : {"subgradient", "proximal"}, keyword only, default "subgradient"
        How the L1 term trains: its subgradient :math:`\lambda_1 \operatorname{sign}(W)`
        in the gradient (weights hover around 0, never exactly 0), or no gradient term
        and instead the proximal step in `post_step` (exact zeros; see there).
    max_norm : float > 0 or None, keyword only, default None
        Cap on each unit's incoming weight norm, applied by `post_step`.
    maxout : int >= 2 or None, keyword only, default None
        Each hidden ``Dense`` and its activation become one `nnlib.layers.Maxout` with
        this many pieces (``W1`` has shape (k, D_in, D_1)); `hidden` is not used then
        and must stay at its default. Not with `batchnorm`.
    dropconnect : float in [0, 1), keyword only, default 0.0
        Layers 2..L (those whose inputs `dropout` would drop) become
        `nnlib.layers.DropConnect` layers dropping weights with this probability.

    Attributes
    ----------
    layers : list of Layer
        The stack, in order.
    params, grads, flat_params, flat_grads
        From `nnlib._flat.FlatParameters`, with `unflatten`, `n_params`, `get_weights`
        and `set_weights`.

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
    >>> from nnlib import layers
    >>> list(MLP([2, 3, 1], hidden=layers.PReLU, rng=0).params)
    ['W1', 'b1', 'prelu_alpha1', 'W2', 'b2']
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
        *,
        l1_mode="subgradient", max_norm=None, maxout=None, dropconnect=0.0,
    ):  # fmt: skip
        self._hidden_act, self._hidden_factory = _hidden_spec(hidden)
        self._output_act = _activations.get_activation(output)
        self.output = self._output_act.name
        self.sizes = _check_sizes(sizes, self.output)
        initializer = _initializers.get_initializer(init)
        self.init = init if isinstance(init, str) else initializer.name
        self.dropout = check_number(dropout, "dropout", low=0, high=1, high_open=True)
        self.batchnorm = check_bool(batchnorm, "batchnorm")
        self.l2 = check_number(l2, "l2", low=0, finite=True)
        self.l1 = check_number(l1, "l1", low=0, finite=True)
        _check_regularization(self, hidden, l1_mode, max_norm, maxout, dropconnect)
        self.dtype = _initializers._check_dtype(dtype)
        settings = {k: getattr(self, k) for k in ("dropout", "batchnorm", "maxout", "dropconnect")}
        self.layers: list[_layers.Layer]
        self.layers, self._names = _build_layers(
            self.sizes, self._hidden_act or self._hidden_factory, initializer, self.init,
            as_rng(rng), settings, self.dtype,
        )  # fmt: skip
        self.hidden = _hidden_name(self)
        if self._hidden_factory is not None:  # keep its name only: the model stays picklable
            f = self._hidden_factory
            self._hidden_factory = getattr(f, "__qualname__", None) or repr(f)
        self._dense = [layer for layer in self.layers if "W" in layer.params]
        self._bns = [layer for layer in self.layers if isinstance(layer, _layers.BatchNorm)]
        self._pack()

    # ----------------------------------------------------------------------- parameters
    # params, grads, flat_params, flat_grads, unflatten, n_params, get_weights and
    # set_weights come from FlatParameters (the flat parameter store, nnlib._flat).

    def _buffers(self) -> dict[str, np.ndarray]:
        """Return the batchnorm running statistics, ``running_mean1, running_var1, ...``."""
        buffers = {}
        for k, bn in enumerate(self._bns, start=1):
            buffers[f"running_mean{k}"] = bn.running_mean
            buffers[f"running_var{k}"] = bn.running_var
        return buffers

    # ----------------------------------------------------------------------- passes

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
        X = check_batch(X, self.sizes[0], dtype=self.dtype)
        return _through_layers(self.layers, X, train, checked=True)

    def _forward(self, X: np.ndarray, train: bool) -> np.ndarray:
        """`forward` of a batch already checked (`check_batch`): what `fit` calls."""
        return _through_layers(self.layers, X, train, checked=False)

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
        return self._backward(dout, input_grad, checked=True)

    def _backward(self, dlogits, input_grad=False, *, checked=False):
        """`backward` of checked dlogits (`fit` calls it per batch, after `_forward`)."""
        dX = _back_through_layers(self.layers, dlogits, input_grad, checked=checked)
        if self.l2 or self._l1_grad:  # the penalty's gradient, on the weights only
            self._add_penalty_grads()
        return dX

    trace = trace  # per-layer Z, A, dA, dZ, dW, db of one batch: `nnlib.model.trace`

    # ----------------------------------------------------------------------- prediction

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
        r"""Accuracy of `predict` on ``(X, y)`` (`nnlib.metrics.accuracy` of the logits).

        For a classifier only (``output="softmax"`` or ``"sigmoid"``); a regression
        model raises a ``ValueError``: evaluate a loss instead.

        Parameters
        ----------
        X : array_like, shape (N, sizes[0])
        y : array_like
            ``output="softmax"``: integer class labels (N,), or one-hot (or probability)
            rows (N, C) whose argmax is the class. ``output="sigmoid"``: binary targets
            in [0, 1] (1 from 0.5) of the output's shape (N, D_out), or (N,) when
            D_out = 1. By hand, ``np.mean(model.predict(X) == y)`` with (N, 1)
            predictions and (N,) labels broadcasts to (N, N) and means nothing.

        Returns
        -------
        float
            The fraction of correct samples (softmax) or outputs (sigmoid).

        Examples
        --------
        >>> model = MLP([2, 3], output="softmax", init="zeros")
        >>> model.params["b1"][:] = [0.0, 1.0, 0.0]      # always predicts class 1
        >>> model.score(np.zeros((4, 2)), [1, 1, 0, 1])  # 3 of 4 labels are 1
        0.75
        """
        _metrics.check_classifier_output(self.output, "score")
        X = check_batch(X, self.sizes[0], dtype=self.dtype)
        n, k = len(X), self.sizes[-1]
        if n == 0:
            raise ValueError("score needs at least one sample, got X with 0 rows")
        if self.output == "sigmoid" and k == 1 and np.ndim(y) == 1 and len(y) == n:
            y = np.reshape(y, (n, 1))  # one output unit: (N,) labels read as (N, 1)
        y = _metrics.check_accuracy_targets(y, n, k, self.output)
        units = k if self.output == "sigmoid" else 1
        return _metrics.n_correct(self._forward(X, False), y, self.output) / (n * units)

    # ----------------------------------------------------------------------- loss

    def loss_and_grad(self, X, y, loss) -> float:
        r"""One training step's loss (batch mean plus `penalty`); fills `grads`.

        ``forward(X, train=True)``, `loss_from_logits`, ``backward(dlogits,
        input_grad=False)``. `y` is in the form the loss expects; `loss` (a name or
        `nnlib.losses.Loss`) must pair with `output` (see the module docstring).

        Examples
        --------
        >>> model = MLP([2, 3], output="softmax", init="zeros")     # ln 3 = 1.0986
        >>> round(model.loss_and_grad(np.ones((4, 2)), [0, 1, 2, 0], "softmax_cross_entropy"), 4)
        1.0986
        """
        logits = self.forward(X, train=True)
        value, dlogits = self.loss_from_logits(logits, y, loss)
        self.backward(dlogits, input_grad=False)
        return value

    def loss_from_logits(self, logits, y, loss, *, penalty=True, grad=True):
        r"""Loss value and its gradient at the logits, with the output activation paired.

        The piece of `loss_and_grad` between `forward` and `backward`: checks `loss`
        (`nnlib.losses.check_pairing`), `logits` (N, sizes[-1]) and the targets `y`
        (`nnlib.losses.check_loss_targets`), then `nnlib.losses.paired_loss`. With
        `penalty` the value includes `penalty` (its gradient is added by `backward`);
        ``grad=False`` skips the gradient (None), e.g. for validation.

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
        _losses.check_pairing(loss, self.output)
        logits = as_array(logits, "logits", ndim=2)
        if logits.shape[1] != self.sizes[-1]:
            raise ValueError(f"logits must have shape (N, {self.sizes[-1]}), got {logits.shape}")
        y = _losses.check_loss_targets(loss, y, *logits.shape, rows="logits")
        value, dlogits = self._loss_from_logits(logits, y, loss, penalty, grad)
        if not math.isfinite(value):  # NaN or inf in, NaN or inf out: say where it came from
            fused = loss.fused_output is not None
            _losses.check_finite_output(loss, logits if fused else self.output_activation(logits))
        return value, dlogits

    def _loss_from_logits(self, logits, y, loss, penalty=True, grad=True):
        """`loss_from_logits` of checked logits and targets (`fit` calls it per batch).

        The value is NaN or inf when the logits are: the caller checks it.
        """
        value, dlogits = _losses.paired_loss(loss, self._output_act, logits, y, grad=grad)
        if penalty and (self.l2 or self.l1):
            value += self.penalty()
        return value, dlogits if dlogits is None else dlogits.astype(self.dtype, copy=False)

    # ----------------------------------------------------------------------- display

    def __repr__(self) -> str:
        return _mlp_repr(self)
