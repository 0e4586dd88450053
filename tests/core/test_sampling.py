"""Grid sampling, log-scale decision, contour levels and isolines."""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
import pytest

from gdplayground.core.sampling import (
    Grid,
    colour_scale,
    colour_values,
    contour_levels,
    isolines,
    sample_grid,
    wants_log_scale,
)

Function = Callable[[np.ndarray, np.ndarray], np.ndarray]
pi, cos, sin, exp, sqrt = np.pi, np.cos, np.sin, np.exp, np.sqrt

# Standard test functions and windows (shared/testfunctions.toml), as numpy lambdas.
TEST_FUNCTIONS: dict[str, tuple[Function, tuple[float, float, float, float]]] = {
    "booth": (lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2, (-10, 10, -10, 10)),
    "matyas": (lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y, (-10, 10, -10, 10)),
    "rosenbrock": (lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2, (-2, 2, -1, 3)),
    "beale": (
        lambda x, y: (
            (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
        ),
        (-4.5, 4.5, -4.5, 4.5),
    ),
    "himmelblau": (lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, (-5, 5, -5, 5)),
    "goldstein_price": (
        lambda x, y: (
            (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2))
            * (
                30
                + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
            )
        ),
        (-2, 2, -2, 2),
    ),
    "six_hump_camel": (
        lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2,
        (-3, 3, -2, 2),
    ),
    "mccormick": (
        lambda x, y: sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1,
        (-1.5, 4, -3, 4),
    ),
    "rastrigin": (
        lambda x, y: 20 + x**2 - 10 * cos(2 * pi * x) + y**2 - 10 * cos(2 * pi * y),
        (-5.12, 5.12, -5.12, 5.12),
    ),
    "ackley": (
        lambda x, y: (
            -20 * exp(-0.2 * sqrt(0.5 * (x**2 + y**2)))
            - exp(0.5 * (cos(2 * pi * x) + cos(2 * pi * y)))
            + np.e
            + 20
        ),
        (-5, 5, -5, 5),
    ),
    "styblinski_tang": (
        lambda x, y: (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y) / 2,
        (-5, 5, -5, 5),
    ),
    "saddle": (lambda x, y: x**2 - y**2, (-2, 2, -2, 2)),
    "monkey_saddle": (lambda x, y: x**3 - 3 * x * y**2, (-2, 2, -2, 2)),
}


def _test_function(key: str) -> tuple[Function, tuple[float, float, float, float]]:
    return TEST_FUNCTIONS[key]


def test_shapes_follow_xy_convention() -> None:
    grid = sample_grid(lambda x, y: x + 10 * y, (0, 1, 0, 2), (5, 3))
    assert grid.xs.shape == (5,) and grid.ys.shape == (3,)
    assert grid.z.shape == (3, 5) == grid.shape
    assert grid.z[2, 4] == pytest.approx(1 + 20)
    assert grid.domain == (0.0, 1.0, 0.0, 2.0)
    assert grid.z.dtype == np.float64
    assert grid.zmin == 0 and grid.zmax == 21


def test_constant_function_is_broadcast() -> None:
    grid = sample_grid(lambda x, y: np.float64(3.0), (-1, 1, -1, 1), 4)
    assert grid.z.shape == (4, 4)
    assert np.all(grid.z == 3.0)
    assert contour_levels(grid).size == 0


def test_undefined_values_are_masked_and_counted() -> None:
    grid = sample_grid(lambda x, y: np.log(x) + 0 * y, (-1, 1, -1, 1), 200)
    assert grid.undefined_fraction == pytest.approx(0.5, abs=0.01)
    assert np.all(np.isnan(grid.z[~grid.finite]))
    assert np.all(grid.xs[np.nonzero(~grid.finite)[1]] <= 0)
    assert np.isfinite(grid.zmin) and np.isfinite(grid.zmax)


def test_infinities_become_nan() -> None:
    grid = sample_grid(lambda x, y: 1 / (x * y), (-1, 1, -1, 1), 5)
    assert not grid.finite[2, 2]
    assert np.isnan(grid.z[2, 2])
    assert 0 < grid.undefined_fraction < 1


def test_all_undefined() -> None:
    grid = sample_grid(lambda x, y: np.sqrt(-1 - x**2 - y**2), (-1, 1, -1, 1), 10)
    assert grid.undefined_fraction == 1.0
    assert np.isnan(grid.zmin)
    assert not wants_log_scale(grid)
    assert contour_levels(grid).size == 0
    assert isolines(grid, np.array([0.0])).shape == (0, 2)


def test_bad_resolution_or_window_is_rejected() -> None:
    with pytest.raises(ValueError):
        sample_grid(lambda x, y: x, (0, 1, 0, 1), 1)
    with pytest.raises(ValueError):
        sample_grid(lambda x, y: x, (1, 0, 0, 1), 10)


@pytest.mark.parametrize("key", ["rosenbrock", "beale", "goldstein_price"])
def test_wide_range_functions_want_log_scale(key: str) -> None:
    f, domain = _test_function(key)
    for resolution in (60, 200, 300):
        assert wants_log_scale(sample_grid(f, domain, resolution))


@pytest.mark.parametrize(
    "key",
    ["booth", "matyas", "himmelblau", "rastrigin", "ackley", "saddle", "monkey_saddle",
     "six_hump_camel", "styblinski_tang", "mccormick"],
)  # fmt: skip
def test_bowls_and_oscillating_functions_stay_linear(key: str) -> None:
    f, domain = _test_function(key)
    for resolution in (60, 200, 300):
        assert not wants_log_scale(sample_grid(f, domain, resolution))


@pytest.mark.parametrize("log", [False, True])
def test_levels_are_strictly_increasing_inside_the_range(log: bool) -> None:
    f, domain = _test_function("rosenbrock")
    grid = sample_grid(f, domain, 150)
    levels = contour_levels(grid, count=15, log=log)
    assert levels.shape == (15,)
    assert np.all(np.diff(levels) > 0)
    assert grid.zmin < levels[0] and levels[-1] < grid.zmax


def test_log_levels_crowd_towards_the_minimum() -> None:
    f, domain = _test_function("rosenbrock")
    grid = sample_grid(f, domain, 150)
    levels = contour_levels(grid, count=20, log=True)
    linear = contour_levels(grid, count=20, log=False)
    assert levels[0] < linear[0] / 100
    assert np.all(np.diff(np.log(levels - grid.zmin)) > 0)


def test_colour_values_log_and_linear() -> None:
    f, domain = _test_function("rosenbrock")
    grid = sample_grid(f, domain, 100)
    assert np.array_equal(colour_values(grid, log=False), grid.z)
    c = colour_values(grid, log=True)
    assert np.all(np.isfinite(c))
    scale = colour_scale(grid, log=True)
    assert c.min() == pytest.approx(scale.cmin, abs=1e-9) or c.min() > scale.cmin
    assert c.max() == pytest.approx(scale.cmax)
    # order preserved, and values below the window minimum clamp to the bottom
    assert np.all(np.diff(scale(np.array([0.0, 1.0, 10.0, 1000.0]))) > 0)
    assert scale(np.array([grid.zmin - 5]))[0] == pytest.approx(scale.cmin)
    np.testing.assert_allclose(scale.inverse(scale(np.array([3.0, 30.0]))), [3.0, 30.0])


def test_colour_values_keep_nan() -> None:
    grid = sample_grid(lambda x, y: np.log(x) + y**2, (-1, 1, -1, 1), 20)
    for log in (False, True):
        c = colour_values(grid, log)
        assert np.array_equal(np.isnan(c), ~grid.finite)


def test_isolines_of_a_cone_are_circles() -> None:
    grid = sample_grid(lambda x, y: np.hypot(x, y), (-2, 2, -2, 2), 81)
    segments = isolines(grid, np.array([0.5, 1.5]))
    assert segments.shape[0] % 2 == 0 and segments.shape[0] > 50
    radii = np.hypot(segments[:, 0], segments[:, 1])
    near = np.minimum(abs(radii - 0.5), abs(radii - 1.5))
    assert near.max() < 0.01


def test_isolines_skip_undefined_cells() -> None:
    grid = sample_grid(lambda x, y: np.log(x) + 0 * y + x, (-1, 1, -1, 1), 41)
    segments = isolines(grid, contour_levels(grid, 5))
    assert segments.size and np.all(segments[:, 0] > 0)


def test_isolines_handle_saddle_cells() -> None:
    grid = sample_grid(lambda x, y: x * y, (-1, 1, -1, 1), 2)  # one cell, case 5
    segments = isolines(grid, np.array([0.1, -0.1]))
    assert segments.shape == (8, 2)


def test_core_does_not_import_qt() -> None:
    import subprocess

    code = (
        "import sys, gdplayground.core.sampling; "
        "assert 'PySide6' not in sys.modules and 'pyqtgraph' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_grid_is_read_only() -> None:
    grid = sample_grid(lambda x, y: x * y, (-1, 1, -1, 1), 4)
    assert isinstance(grid, Grid)
    with pytest.raises(ValueError):
        grid.z[0, 0] = 1.0


def test_isolines_are_read_only_and_do_not_depend_on_the_order_of_levels() -> None:
    grid = sample_grid(lambda x, y: np.hypot(x, y), (-2, 2, -2, 2), 41)
    first = isolines(grid, np.array([1.5, 0.5]))
    np.testing.assert_array_equal(isolines(grid, np.array([0.5, 1.5])), first)
    assert not first.flags.writeable  # travels in scenes and pictures: never changed
