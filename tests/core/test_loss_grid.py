"""The loss surface over (w, b): exact at once where it is cheap, a flagged coarse picture first."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.data.fit import parse_fit
from gdplayground.core.data.generators import generate
from gdplayground.core.data.loss_grid import (
    FIRST_PICTURE_BUDGET,
    first_loss_grid,
    first_resolution,
    loss_grid,
)
from gdplayground.core.data.objective import DataObjective

WINDOW = (-2.0, 6.0, -5.0, 3.0)


def objective(loss: str, n: int) -> DataObjective:
    data = generate("line", n, 1.0, 0)
    return DataObjective(parse_fit("w*x + b", loss, data.columns), data)


def test_a_polynomial_loss_is_exact_at_full_resolution_at_once() -> None:
    obj = objective("(m - y)^2", 100_000)
    first = first_loss_grid(obj, WINDOW, 300)
    assert first.exact and first.grid.shape == (300, 300)
    x, y = obj.data.column("x"), obj.data.column("y")
    w, b = first.grid.xs[123], first.grid.ys[45]
    assert first.grid.z[45, 123] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-12)


def test_a_costly_loss_first_shows_a_coarse_grid_of_exact_values_so_flagged() -> None:
    obj = objective("abs(m - y)", 10_000)
    side = first_resolution(obj, 300)
    assert side < 300 and side * side * 10_000 <= FIRST_PICTURE_BUDGET
    first = first_loss_grid(obj, WINDOW, 300)
    assert not first.exact and first.grid.shape == (side, side)
    x, y = obj.data.column("x"), obj.data.column("y")
    w, b = first.grid.xs[3], first.grid.ys[5]
    assert first.grid.z[5, 3] == pytest.approx(np.mean(np.abs(w * x + b - y)), rel=1e-12)


def test_a_small_data_set_is_exact_at_once_whatever_the_loss() -> None:
    first = first_loss_grid(objective("abs(m - y)", 100), WINDOW, 300)
    assert first.exact and first.grid.shape == (300, 300)


def test_the_exact_grid_can_be_cancelled() -> None:
    class Cancelled(Exception):
        pass

    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        loss_grid(objective("abs(m - y)", 10_000), WINDOW, 300, check=check)
    grid = loss_grid(objective("abs(m - y)", 200), WINDOW, 40)
    assert grid.shape == (40, 40) and np.isfinite(grid.z).all()
