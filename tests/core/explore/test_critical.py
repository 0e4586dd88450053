"""Every stationary point in the window is found, exact to round-off, and named right."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gdplayground.core.explore.critical import (
    StationaryPoint,
    check_window,
    count_by_kind,
    stationary_points,
)
from gdplayground.core.gradients import compile_function
from gdplayground.model.presets import load_presets


def _points(points: tuple[StationaryPoint, ...]) -> np.ndarray:
    return np.array([[p.x, p.y] for p in points])


def _assert_same_set(found: np.ndarray, expected: np.ndarray, atol: float) -> None:
    """Every expected point is found once, and nothing else."""
    assert len(found) == len(expected)
    for point in expected:
        distances = np.hypot(*(found - point).T)
        assert distances.min() <= atol, f"{point} not found"


def test_double_well_in_both_variables_has_its_nine_points() -> None:
    # (x^2 - 1)^2 + (y^2 - 1)^2: grad = 4x(x^2 - 1), 4y(y^2 - 1): x, y in {-1, 0, 1};
    # f_xx = 12x^2 - 4 (8 at +-1, -4 at 0), f_xy = 0.
    points = stationary_points(compile_function("(x^2 - 1)^2 + (y^2 - 1)^2"), (-2, 2, -2, 2))
    expected = np.array(list(itertools.product((-1.0, 0.0, 1.0), repeat=2)))
    _assert_same_set(_points(points), expected, atol=1e-12)
    assert count_by_kind(points) == {"minimum": 4, "saddle": 4, "maximum": 1, "degenerate": 0}
    for p in points:
        zeros = (abs(p.x) < 1e-12) + (abs(p.y) < 1e-12)
        assert p.value == pytest.approx(zeros)  # f = number of coordinates at 0
        expected_eig = sorted(8.0 if c else -4.0 for c in (p.x, p.y))
        np.testing.assert_allclose(p.eigenvalues, expected_eig, atol=1e-9)
        assert p.kind == ("minimum", "saddle", "maximum")[zeros]


def test_himmelblau_has_four_minima_four_saddles_and_one_maximum() -> None:
    preset = load_presets()["himmelblau"]
    objective = compile_function(preset.formula)
    points = stationary_points(objective, preset.domain)
    assert count_by_kind(points) == {"minimum": 4, "saddle": 4, "maximum": 1, "degenerate": 0}
    minima = _points([p for p in points if p.kind == "minimum"])
    _assert_same_set(minima, np.array(preset.minima), atol=1e-5)  # the file gives 6 decimals
    assert all(abs(p.value) < 1e-20 for p in points if p.kind == "minimum")
    # exact to round-off: the gradient vanishes there to the last bits
    xy = _points(points)
    gx, gy = objective.gradient(xy[:, 0], xy[:, 1])
    assert np.hypot(gx, gy).max() < 1e-12
    # the maximum is the highest point among them, and ordered last by value
    assert points[-1].kind == "maximum" and [p.value for p in points] == sorted(
        p.value for p in points
    )


def test_cubic_minimum_and_saddle() -> None:
    # x^3 - 3x + y^2: grad = (3x^2 - 3, 2y): (1, 0) with H = diag(6, 2), (-1, 0) with diag(-6, 2)
    points = stationary_points(compile_function("x^3 - 3*x + y^2"), (-2, 2, -2, 2))
    assert [(p.x, p.y, p.kind) for p in points] == [(1.0, 0.0, "minimum"), (-1.0, 0.0, "saddle")]
    assert [p.value for p in points] == [-2.0, 2.0]
    np.testing.assert_allclose(points[0].eigenvalues, (2.0, 6.0))
    np.testing.assert_allclose(points[1].eigenvalues, (-6.0, 2.0))


def test_points_outside_the_window_are_left_out() -> None:
    points = stationary_points(compile_function("x^3 - 3*x + y^2"), (0, 2, -1, 1))
    assert [(p.x, p.y, p.kind) for p in points] == [(1.0, 0.0, "minimum")]


def test_a_point_on_the_edge_of_the_window_counts() -> None:
    points = stationary_points(compile_function("x^3 - 3*x + y^2"), (1, 2, 0, 1))
    assert [(p.x, p.y) for p in points] == [(1.0, 0.0)]


@pytest.mark.parametrize(
    "formula",
    ["x^3 - 3*x*y^2", "x^4 + y^4", "x^3 + y^3"],
    ids=["monkey saddle", "flat minimum", "flat inflection"],
)
def test_degenerate_points_are_found_and_called_degenerate(formula: str) -> None:
    # each has exactly one stationary point, at the origin, where the Hessian is 0
    points = stationary_points(compile_function(formula), (-2, 1.7, -1.3, 2))
    assert len(points) == 1
    assert points[0].kind == "degenerate"
    assert abs(points[0].x) < 1e-9 and abs(points[0].y) < 1e-9


def test_a_saddle_is_a_saddle_however_small_the_function() -> None:
    points = stationary_points(compile_function("1e-9*(x^2 - y^2)"), (-1, 1, -1, 1))
    assert [p.kind for p in points] == ["saddle"]


def _roots_1d(g, low: float, high: float) -> np.ndarray:
    """Zeros of g on [low, high] by sign changes on a fine grid, then bisection."""
    x = np.linspace(low, high, 200_000)  # no grid point exactly at a root
    v = g(x)
    i = np.flatnonzero(np.sign(v[:-1]) != np.sign(v[1:]))
    a, b = x[i], x[i + 1]
    for _ in range(60):
        m = 0.5 * (a + b)
        left = np.sign(g(a)) != np.sign(g(m))
        a, b = np.where(left, a, m), np.where(left, m, b)
    return 0.5 * (a + b)


def test_closely_packed_points_of_rastrigin_are_all_found() -> None:
    # Rastrigin is a sum of one-variable terms: its stationary points are the
    # pairs of stationary points of t(x) = x^2 - 10 cos(2 pi x), minimum where
    # both are minima, maximum where both are maxima, saddle otherwise.
    preset = load_presets()["rastrigin"]
    points = stationary_points(compile_function(preset.formula), preset.domain)
    roots = _roots_1d(lambda x: 2 * x + 20 * np.pi * np.sin(2 * np.pi * x), -5.12, 5.12)
    is_min = 2 + 40 * np.pi**2 * np.cos(2 * np.pi * roots) > 0
    assert (is_min.sum(), (~is_min).sum()) == (11, 10)
    expected = np.array(list(itertools.product(roots, repeat=2)))
    _assert_same_set(_points(points), expected, atol=1e-9)
    assert count_by_kind(points) == {"minimum": 121, "saddle": 220, "maximum": 100, "degenerate": 0}


def test_a_curve_of_minima_is_sampled_not_listed_point_by_point() -> None:
    # (x^2 + y^2 - 1)^2: every point of the unit circle is a (degenerate) minimum
    points = stationary_points(compile_function("(x^2 + y^2 - 1)^2"), (-2, 2, -2, 2))
    ring = [p for p in points if p.kind == "degenerate"]
    assert [(p.kind, p.x, p.y) for p in points if p.kind != "degenerate"] == [
        ("maximum", pytest.approx(0, abs=1e-12), pytest.approx(0, abs=1e-12))
    ]
    assert 50 <= len(ring) <= 400
    radii = np.hypot(*_points(ring).T)
    np.testing.assert_allclose(radii, 1.0, atol=1e-12)
    angles = np.sort(np.arctan2(_points(ring)[:, 1], _points(ring)[:, 0]))
    assert np.diff(angles).max() < 0.1  # all the way round


def test_no_stationary_point_gives_an_empty_answer() -> None:
    assert stationary_points(compile_function("exp(x) + y"), (-1, 1, -1, 1)) == ()


def test_cancelling_stops_the_search() -> None:
    class Stop(Exception):
        pass

    def check() -> None:
        raise Stop

    with pytest.raises(Stop):
        stationary_points(compile_function("x^2 + y^2"), (-1, 1, -1, 1), check=check)


@pytest.mark.parametrize(
    "window",
    [(1, 0, 0, 1), (0, 1, 2, 2), (0, float("nan"), 0, 1), (0, 1, 2)],
)
def test_a_bad_window_is_one_clear_error(window: tuple) -> None:
    with pytest.raises(ValueError) as error:
        check_window(window)
    message = str(error.value)
    assert "\n" not in message and "XMIN,XMAX,YMIN,YMAX" in message
