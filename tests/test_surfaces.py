"""Tests for nnlib.surfaces: each surface's gradient, minimum, start and conditioning.

Gradients are checked against nnlib.gradcheck's central differences at the start and at
random points (a sign or factor slip in any partial derivative fails); the vectorized form
is checked against point-by-point calls on a grid; the minima are checked by value and by a
vanishing gradient; S1's quadratic's eigenvalues and condition number (LESSONS.md §5.1,
FACTS F5) are computed from its Hessian.
"""

import math

import numpy as np
import pytest

from nnlib.gradcheck import numerical_gradient, rel_error
from nnlib.surfaces import SURFACES, Surface, get_surface

NAMES = sorted(SURFACES)


def test_the_seven_surfaces_are_named():
    assert set(NAMES) == {
        "s1_quadratic", "d2l_quadratic", "valley", "rotated_valley", "rosenbrock", "saddle",
        "beale",
    }  # fmt: skip
    for name, s in SURFACES.items():
        assert isinstance(s, Surface) and s.name == name and s.formula


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name):
    s = SURFACES[name]
    rng = np.random.default_rng(0)
    points = [np.array(s.x0, float)] + [
        np.array([rng.uniform(*s.xlim), rng.uniform(*s.ylim)]) for _ in range(5)
    ]
    for x in points:
        numeric = numerical_gradient(lambda p: float(s.f(p)), x.copy(), h=1e-5)
        assert rel_error(s.grad(x), numeric) < 1e-6, (name, x)


@pytest.mark.parametrize("name", NAMES)
def test_f_and_grad_are_vectorized_over_points(name):
    s = SURFACES[name]
    rng = np.random.default_rng(1)
    X = np.stack([rng.uniform(*s.xlim, (3, 4)), rng.uniform(*s.ylim, (3, 4))], axis=-1)
    F, G = s.f(X), s.grad(X)
    assert F.shape == (3, 4) and G.shape == (3, 4, 2)
    for i in range(3):
        for j in range(4):
            assert F[i, j] == pytest.approx(float(s.f(X[i, j])), rel=1e-12)
            np.testing.assert_allclose(G[i, j], s.grad(X[i, j]), rtol=1e-12)
    np.testing.assert_allclose(s.on_grid(X[..., 0], X[..., 1]), F, rtol=1e-12)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "saddle"])
def test_minimum_value_and_zero_gradient(name):
    s = SURFACES[name]
    x = np.array(s.x_min)
    assert float(s.f(x)) == pytest.approx(s.f_min, abs=1e-12)
    np.testing.assert_allclose(s.grad(x), 0.0, atol=1e-12)
    # a minimum, not a saddle: the Hessian there is positive definite
    assert np.linalg.eigvalsh(s.hessian()).min() > 0
    # and the start is not already there
    assert float(s.f(np.array(s.x0))) - s.f_min > 1.0


def test_saddle_has_no_minimum_and_an_indefinite_hessian():
    s = SURFACES["saddle"]
    assert s.x_min is None and s.f_min == -math.inf
    np.testing.assert_allclose(s.grad(np.zeros(2)), 0.0)
    lam = np.linalg.eigvalsh(s.hessian(np.zeros(2)))
    np.testing.assert_allclose(lam, [-2.0, 2.0], atol=1e-6)
    with pytest.raises(ValueError, match="no minimum"):
        s.hessian()


def test_s1_quadratic_conditioning_computed():
    s = SURFACES["s1_quadratic"]
    assert s.x0 == (3.0, 3.0)
    assert float(s.f(np.array([3.0, 3.0]))) == 9 + 9 + 36  # x1² + x1 x2 + 4 x2²
    lam = np.linalg.eigvalsh(s.hessian())
    np.testing.assert_allclose(lam, [5 - math.sqrt(10), 5 + math.sqrt(10)], rtol=1e-14)
    assert lam.round(4).tolist() == [1.8377, 8.1623]
    assert round(lam[1] / lam[0], 2) == 4.44
    assert round(2 / lam[1], 4) == 0.2450  # GD stable iff lr < 2 / lambda_max
    assert 2 / (lam[0] + lam[1]) == pytest.approx(0.2)  # the best constant lr


def test_d2l_quadratic_and_the_valleys():
    d = SURFACES["d2l_quadratic"]
    assert d.x0 == (-5.0, -2.0)
    assert float(d.f(np.array([1.0, 1.0]))) == pytest.approx(2.1)  # 0.1 + 2
    v, r = SURFACES["valley"], SURFACES["rotated_valley"]
    assert v.x0 == (-4.0, 1.0)
    assert float(v.f(np.array([1.0, 1.0]))) == pytest.approx(25.5)  # (1 + 50) / 2
    # same eigenvalues (1 and 50, kappa 50), eigenvectors along the diagonals
    np.testing.assert_allclose(np.linalg.eigvalsh(r.hessian()), [1.0, 50.0])
    np.testing.assert_allclose(r.hessian() @ [1, 1], [1, 1], atol=1e-12)
    np.testing.assert_allclose(r.hessian() @ [1, -1], [50, -50], atol=1e-12)
    # the start is the valley's start turned by 45 degrees: same height, same distance
    assert float(r.f(np.array(r.x0))) == pytest.approx(float(v.f(np.array(v.x0))))
    assert np.hypot(*r.x0) == pytest.approx(np.hypot(*v.x0))
    assert r.x0[0] == pytest.approx(-5 / math.sqrt(2)) and r.x0[1] == pytest.approx(
        -3 / math.sqrt(2)
    )


def test_rosenbrock_and_beale_known_values():
    ros, beale = SURFACES["rosenbrock"], SURFACES["beale"]
    assert ros.x0 == (-1.5, 2.0)
    assert float(ros.f(np.array([-1.5, 2.0]))) == pytest.approx(6.25 + 100 * 0.0625)
    assert float(beale.f(np.array([1.0, 1.5]))) == pytest.approx(4 + 12.25 + 25)
    assert float(beale.f(np.zeros(2))) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)


def test_starts_and_minima_lie_in_the_view():
    for s in SURFACES.values():
        for p in [s.x0] + ([s.x_min] if s.x_min is not None else []):
            assert s.xlim[0] < p[0] < s.xlim[1] and s.ylim[0] < p[1] < s.ylim[1], s.name


def test_get_surface_and_frozen():
    s = SURFACES["beale"]
    assert get_surface("beale") is s and get_surface(s) is s
    with pytest.raises(ValueError, match="surface must be a Surface or one of"):
        get_surface("nope")
    with pytest.raises(AttributeError):
        s.x0 = (0.0, 0.0)
    with pytest.raises(ValueError):
        SURFACES["valley"].A[0, 0] = 2.0  # read-only Hessian
