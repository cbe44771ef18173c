r"""nnlib: the reference library of *Neural Networks from First Principles*.

Every lecture notebook and every assignment's hidden test calls this small, vectorized
numpy library, so everything the course teaches has one tested implementation.

Conventions (the same in every module and docstring)
----------------------------------------------------
- **Batches are rows.** ``X (N, D_in) @ W (D_in, D_out) + b (D_out,) = Z (N, D_out)``.
  Lecture slides often write columns, ``z = W a + b``; the two are transposes of each
  other (lesson 04 shows the mapping once).
- **Labels.** Class labels are integers ``y (N,)``. Binary cross-entropy targets have
  exactly the shape of the probabilities. ``(N,)`` never broadcasts against ``(N, 1)``:
  that raises, with a message saying how to reshape.
- **Losses** are means over the batch and return a Python float; their gradients include
  the ``1/N``.
- ``f_grad(z)`` is the derivative of an activation at the pre-activation ``z``.
- **Logits.** ``MLP.forward`` returns the logits (the last layer's pre-activation).
  ``softmax_cross_entropy`` pairs with ``output="softmax"`` and ``bce_with_logits`` with
  ``output="sigmoid"``: the gradient at the logits is ``p - y`` and softmax is never
  applied twice. ``predict_proba`` applies the output activation, ``predict`` gives labels.
- **Randomness** only through an ``rng`` argument: a ``numpy.random.Generator``, an int
  seed, or ``None``. nnlib never touches numpy's global random state.
- **float64** by default (gradient checks need it); float32 where a benchmark says so.
- **Bad input** raises ``ValueError`` or ``TypeError`` naming the argument, what was
  expected and what arrived. It is checked once, where it enters (a public function);
  inner per-batch code trusts what was checked (``fit`` checks the whole data set once).

Modules, one concept each, lower layers never importing higher ones::

    activations  losses  initializers      (numpy only)
    metrics                                (accuracy read off the logits)
    layers  ->  model                      (dense, activation, dropout, batchnorm; MLP)
    optimizers  schedules  training        (update rules, lr(t), fit -> History)
    classic                                (McCulloch-Pitts, Hebb, the perceptron)
    gradcheck  datasets  plotting          (tools; plotting imports matplotlib lazily)
    experiments                            (deep-net activation statistics, mean field)
    diagrams                               (a small network or computational graph, drawn)
    questions                              (the lessons' multiple-choice answers: data)
    selfcheck                              (check-yourself answers)
    widgets                                (ipywidgets demos; above model and training)

Examples
--------
>>> import nnlib
>>> model = nnlib.MLP([64, 128, 10], hidden="relu", output="softmax", init="he_normal", rng=0)
>>> model.n_params()
9610
"""

from . import (
    activations,
    classic,
    datasets,
    diagrams,
    experiments,
    gradcheck,
    initializers,
    layers,
    losses,
    metrics,
    model,
    optimizers,
    plotting,
    schedules,
    selfcheck,
    training,
    widgets,
)
from .model import MLP
from .training import History, fit

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "History",
    "activations",
    "classic",
    "datasets",
    "diagrams",
    "experiments",
    "fit",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "model",
    "optimizers",
    "plotting",
    "schedules",
    "selfcheck",
    "training",
    "widgets",
]
