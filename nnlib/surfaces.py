r"""Named 2-D test surfaces for optimizer races: value, gradient, start and view.

Each `Surface` holds a function :math:`f:\mathbb R^2 \to \mathbb R` and its gradient, both
**vectorized over points**: ``x`` has shape ``(..., 2)`` (one point, a path ``(T, 2)``, a
grid ``(H, W, 2)``), ``f(x)`` has shape ``(...)`` and ``grad(x)`` shape ``(..., 2)``.

==================  ===========================================  ===========  ==============
name                :math:`f(x_1, x_2)`                          start        minimum
==================  ===========================================  ===========  ==============
``s1_quadratic``    :math:`x_1^2 + x_1x_2 + 4x_2^2` (S1)         (3, 3)       0 at (0, 0)
``d2l_quadratic``   :math:`0.1x_1^2 + 2x_2^2` (d2l ch. 12)       (-5, -2)     0 at (0, 0)
``valley``          :math:`\tfrac12(x_1^2 + 50x_2^2)`            (-4, 1)      0 at (0, 0)
``rotated_valley``  the valley turned by +45°                    R(-4, 1)     0 at (0, 0)
``rosenbrock``      :math:`(1-x_1)^2 + 100(x_2-x_1^2)^2`         (-1.5, 2)    0 at (1, 1)
``saddle``          :math:`x_1^2 - x_2^2`                        (-1.5, 0.01) none
``beale``           :math:`\sum_i (c_i - x_1 + x_1x_2^i)^2`,     (1, 1.5)     0 at (3, 0.5)
                    :math:`c = (1.5, 2.25, 2.625)`
==================  ===========================================  ===========  ==============

The quadratics are :math:`f(x) = \tfrac12 x^\top A x` with the Hessian ``A`` stored on the
surface. S1's :math:`A = \begin{pmatrix}2&1\\1&8\end{pmatrix}` has eigenvalues
:math:`5 \pm \sqrt{10}` (1.8377 and 8.1623, condition number 4.44), so gradient descent is
stable iff ``lr < 2/8.1623 = 0.2450``. The rotated valley is
:math:`\tfrac12 x^\top R D R^\top x` with :math:`D = \mathrm{diag}(1, 50)` and ``R`` the
rotation by 45°; its start is the valley's start rotated, ``R (-4, 1)``, so a method that
is invariant under rotation (GD, momentum, Nesterov) traces the valley's path rotated,
step for step, while per-coordinate methods (AdaGrad, RMSProp, Adam) do not.

The saddle has no minimum (``x_min = None``, ``f_min = -inf``): its critical point (0, 0)
is a saddle, and a start just off the x1 axis shows how fast a method escapes.

Examples
--------
>>> s = SURFACES["s1_quadratic"]
>>> float(s.f(np.array(s.x0))), s.grad(np.array([3.0, 3.0]))
(54.0, array([ 9., 27.]))
>>> np.linalg.eigvalsh(s.hessian()).round(4)
array([1.8377, 8.1623])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._checks import as_array

__all__ = ["SURFACES", "Surface", "get_surface"]


@dataclass(frozen=True, eq=False)
class Surface:
    r"""A named 2-D function with its gradient, a start, a view and its minimum.

    Attributes
    ----------
    f : callable, ``x (..., 2) -> (...)``
        The function, vectorized over points.
    grad : callable, ``x (..., 2) -> (..., 2)``
        Its gradient :math:`(\partial f/\partial x_1, \partial f/\partial x_2)`.
    x0 : (float, float)
        The start used by races.
    xlim, ylim : (float, float)
        A view that holds the start and the minimum.
    x_min : (float, float) or None
        The minimizer (None when there is none: the saddle).
    f_min : float
        The minimum value (``-inf`` when unbounded below).
    name : str
        The key in `SURFACES`.
    formula : str
        The formula, as plain text for titles.
    A : ndarray (2, 2) or None
        For a quadratic :math:`f = \tfrac12 x^\top A x`, its (constant) Hessian.
    """

    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    x0: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    x_min: tuple[float, float] | None
    f_min: float
    name: str = ""
    formula: str = ""
    A: np.ndarray | None = None

    def on_grid(self, X1, X2) -> np.ndarray:
        """Evaluate ``f`` on a meshgrid: ``Z[i, j] = f((X1[i, j], X2[i, j]))``.

        This is the ``f(X1, X2)`` form `nnlib.plotting.plot_loss_surface` takes.
        """
        return self.f(np.stack([np.asarray(X1, float), np.asarray(X2, float)], axis=-1))

    def hessian(self, x=None, h: float = 1e-5) -> np.ndarray:
        r"""Return the 2 x 2 Hessian at `x` (default `x_min`).

        ``A`` for a quadratic, else central differences of `grad`,
        :math:`H_{:,j} = (g(x + h e_j) - g(x - h e_j)) / 2h`, symmetrized.
        """
        if self.A is not None:
            return self.A.copy()
        if x is None:
            if self.x_min is None:
                raise ValueError(f"surface {self.name!r} has no minimum: pass x")
            x = self.x_min
        x = as_array(x, "x", ndim=1, finite=True)
        if x.shape != (2,):
            raise ValueError(f"x must have shape (2,), got {x.shape}")
        E = np.eye(2) * h
        H = (self.grad(x + E) - self.grad(x - E)).T / (2 * h)
        return (H + H.T) / 2

    def __repr__(self) -> str:
        return f"Surface({self.name!r}: {self.formula}, x0={self.x0})"


def _quadratic(A, name: str, formula: str, x0, xlim, ylim) -> Surface:
    r""":math:`f = \tfrac12 x^\top A x`, :math:`\nabla f = A x` (rows of points: ``x @ A``)."""
    A = np.array(A, dtype=float)
    A.setflags(write=False)

    def f(x):
        x = np.asarray(x, float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, A, x)

    def grad(x):
        return np.asarray(x, float) @ A  # A is symmetric

    return Surface(f, grad, x0, xlim, ylim, (0.0, 0.0), 0.0, name, formula, A)


def _rotation(degrees: float) -> np.ndarray:
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def _rosenbrock(x):
    x = np.asarray(x, float)
    x1, x2 = x[..., 0], x[..., 1]
    return (1 - x1) ** 2 + 100 * (x2 - x1**2) ** 2


def _rosenbrock_grad(x):
    x = np.asarray(x, float)
    x1, x2 = x[..., 0], x[..., 1]
    return np.stack([-2 * (1 - x1) - 400 * x1 * (x2 - x1**2), 200 * (x2 - x1**2)], axis=-1)


def _saddle(x):
    x = np.asarray(x, float)
    return x[..., 0] ** 2 - x[..., 1] ** 2


def _saddle_grad(x):
    x = np.asarray(x, float)
    return np.stack([2 * x[..., 0], -2 * x[..., 1]], axis=-1)


_BEALE_C = (1.5, 2.25, 2.625)


def _beale(x):
    x = np.asarray(x, float)
    x1, x2 = x[..., 0], x[..., 1]
    return sum((c - x1 + x1 * x2 ** (i + 1)) ** 2 for i, c in enumerate(_BEALE_C))


def _beale_grad(x):
    # r_i = c_i - x1 + x1 x2^i:  dr_i/dx1 = x2^i - 1,  dr_i/dx2 = i x1 x2^(i-1)
    x = np.asarray(x, float)
    x1, x2 = x[..., 0], x[..., 1]
    g1 = np.zeros_like(x1)
    g2 = np.zeros_like(x1)
    for i, c in enumerate(_BEALE_C, start=1):
        r = c - x1 + x1 * x2**i
        g1 = g1 + 2 * r * (x2**i - 1)
        g2 = g2 + 2 * r * i * x1 * x2 ** (i - 1)
    return np.stack([g1, g2], axis=-1)


def _make_surfaces() -> dict[str, Surface]:
    R = _rotation(45.0)
    D = np.diag([1.0, 50.0])
    x0_rot = tuple(float(v) for v in R @ np.array([-4.0, 1.0]))  # (-3.5355, -2.1213)
    return {
        "s1_quadratic": _quadratic(
            [[2.0, 1.0], [1.0, 8.0]], "s1_quadratic", "x1² + x1·x2 + 4·x2²",
            (3.0, 3.0), (-4.0, 4.0), (-4.0, 4.0),
        ),
        "d2l_quadratic": _quadratic(
            [[0.2, 0.0], [0.0, 4.0]], "d2l_quadratic", "0.1·x1² + 2·x2²",
            (-5.0, -2.0), (-5.5, 1.0), (-3.0, 3.0),
        ),
        "valley": _quadratic(
            D, "valley", "½(x1² + 50·x2²)", (-4.0, 1.0), (-4.5, 1.5), (-1.5, 1.5),
        ),
        "rotated_valley": _quadratic(
            R @ D @ R.T, "rotated_valley", "½(x1² + 50·x2²) turned by 45°",
            x0_rot, (-4.5, 1.5), (-3.5, 2.5),
        ),
        "rosenbrock": Surface(
            _rosenbrock, _rosenbrock_grad, (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0),
            (1.0, 1.0), 0.0, "rosenbrock", "(1 − x1)² + 100·(x2 − x1²)²",
        ),
        "saddle": Surface(
            _saddle, _saddle_grad, (-1.5, 0.01), (-2.0, 2.0), (-2.0, 2.0),
            None, -math.inf, "saddle", "x1² − x2²",
        ),
        "beale": Surface(
            _beale, _beale_grad, (1.0, 1.5), (-4.5, 4.5), (-4.5, 4.5),
            (3.0, 0.5), 0.0, "beale", "Σᵢ (cᵢ − x1 + x1·x2^i)², c = (1.5, 2.25, 2.625)",
        ),
    }  # fmt: skip


#: The named surfaces, by name (see the module's table).
SURFACES: dict[str, Surface] = _make_surfaces()


def get_surface(surface) -> Surface:
    """Return `surface` itself, or the `SURFACES` entry of that name."""
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface in SURFACES:
        return SURFACES[surface]
    raise ValueError(f"surface must be a Surface or one of {sorted(SURFACES)}, got {surface!r}")
