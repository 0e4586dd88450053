"""Symbolic gradients are exact; numeric ones are close; both take arrays of any shape."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import compile_function, make_objective

ROSENBROCK = (1 - X) ** 2 + 100 * (Y - X**2) ** 2


def rosen_grad(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def test_symbolic_gradient_is_exact() -> None:
    obj = make_objective(ROSENBROCK)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-2, 2, 50), rng.uniform(-1, 3, 50)
    gx, gy = obj.gradient(x, y)
    ex, ey = rosen_grad(x, y)
    np.testing.assert_allclose(gx, ex, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(gy, ey, rtol=1e-13, atol=1e-12)


def test_hessian_is_exact() -> None:
    obj = make_objective(ROSENBROCK)
    fxx, fxy, fyy = obj.hessian(np.array([1.0, -1.5]), np.array([1.0, 2.0]))
    np.testing.assert_allclose(fxx, [2 - 400 * (1 - 3), 2 - 400 * (2 - 3 * 2.25)])
    np.testing.assert_allclose(fxy, [-400.0, 600.0])
    np.testing.assert_allclose(fyy, [200.0, 200.0])


@pytest.mark.parametrize("shape", [(7,), (4, 5), ()])
def test_outputs_keep_the_input_shape(shape: tuple[int, ...]) -> None:
    x = np.full(shape, 0.5)
    for expr in (ROSENBROCK, sympy.Integer(3), X + 0 * Y, sympy.pi):
        obj = make_objective(expr)
        f, gx, gy = obj.value_and_gradient(x, x)
        assert f.shape == gx.shape == gy.shape == shape
        assert f.dtype == np.float64
        for part in obj.hessian(x, x):
            assert part.shape == shape


@pytest.mark.parametrize("shape", [(3,), ()])
def test_results_belong_to_the_caller(shape: tuple[int, ...]) -> None:
    # df/dx = 2 and df/dy = 3 are constants; the gradient of x*y is y and x themselves
    x, y = np.full(shape, 0.5), np.full(shape, 2.0)
    for text, expected in (("2*x + 3*y", (7.0, 2.0, 3.0)), ("x*y", (1.0, 2.0, 0.5))):
        obj = compile_function(text)
        for part in obj.value_and_gradient(x, y):
            part[...] = -1.0  # the caller's own, writable arrays
        for part, value in zip(obj.value_and_gradient(x, y), expected, strict=True):
            np.testing.assert_array_equal(part, np.full(shape, value))
    np.testing.assert_array_equal(x, np.full(shape, 0.5))
    np.testing.assert_array_equal(y, np.full(shape, 2.0))


def test_constant_function_has_zero_gradient_arrays() -> None:
    obj = make_objective(sympy.Integer(7))
    grid = np.zeros((3, 3))
    assert np.all(obj.value(grid, grid) == 7)
    gx, gy = obj.gradient(grid, grid)
    assert np.all(gx == 0) and np.all(gy == 0)


def test_numeric_gradient_is_close_to_symbolic() -> None:
    exact = make_objective(ROSENBROCK)
    numeric = make_objective(ROSENBROCK, mode="numeric")
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-2, 2, 200), rng.uniform(-1, 3, 200)
    for a, b in zip(numeric.gradient(x, y), exact.gradient(x, y), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-6)
    for a, b in zip(numeric.hessian(x, y), exact.hessian(x, y), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-2)


def test_numeric_step_scales_with_the_point() -> None:
    # At x = 1e6 an absolute step of cbrt(eps) would be lost in rounding.
    obj = make_objective(X**2, mode="numeric")
    gx, _ = obj.gradient(np.array([1e6]), np.array([0.0]))
    np.testing.assert_allclose(gx, [2e6], rtol=1e-8)


def test_numeric_step_can_be_overridden_and_its_error_shows() -> None:
    rough = make_objective(sympy.sin(X), mode="numeric", h=0.5)
    gx, _ = rough.gradient(np.array([0.3]), np.array([0.0]))
    exact_gx, _ = rough.symbolic_gradient(np.array([0.3]), np.array([0.0]))
    error = abs(gx[0] - exact_gx[0])
    assert 1e-3 < error < 0.1  # sin(h)/h - 1 ~ -h^2/6 at h = 0.5
    with pytest.raises(ValueError, match="positive"):
        make_objective(X, mode="numeric", h=0)


def test_undefined_points_give_nan_without_warnings() -> None:
    obj = compile_function("log(x) + sqrt(y)")
    with np.errstate(all="raise"):
        f, gx, gy = obj.value_and_gradient(np.array([-1.0, 1.0]), np.array([1.0, -1.0]))
    assert np.isnan(f).all()
    assert np.isfinite(compile_function("log(x)").value(np.array([2.0]), np.array([0.0]))).all()


def test_gradient_text_is_readable() -> None:
    obj = compile_function("x^2 + 3*y")
    assert obj.gradient_text == ("2*x", "3")


def test_abs_and_sign_have_usable_derivatives() -> None:
    obj = compile_function("abs(x) + sign(y)")
    gx, gy = obj.gradient(np.array([-2.0, 3.0]), np.array([1.0, -1.0]))
    np.testing.assert_array_equal(gx, [-1.0, 1.0])
    np.testing.assert_array_equal(gy, [0.0, 0.0])
    fxx, _, _ = obj.hessian(np.array([1.0]), np.array([1.0]))
    assert fxx[0] == 0
