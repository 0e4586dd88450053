"""The basin map's runs end exactly where and how the runner's runs end."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.explore.final_states import final_states
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import OPTIMIZERS, make_config
from gdplayground.core.trajectory import STATUSES, run_batch

CASES = [
    # function, window, steps, tol: between them every way a run can end
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (-5, 5, -5, 5), 300, 1e-6),  # converge / run out
    ("x^2 + 5*y^2", (-3, 3, -3, 3), 200, 1e-10),
    ("x^4 - 3*y^2", (-40, 40, -40, 40), 100, 1e-8),  # diverges (unbounded below)
    ("log(x) + y^2", (-1, 2, -1, 1), 50, 1e-8),  # undefined at some starts: diverged at 0
    ("x^3 - 3*x*y^2", (-2, 2, -2, 2), 80, 0.0),  # tol 0: never converges
    ("(x^2 - 1)^2 + y^2", (-2, 2, -1, 1), 100, 1e-200),  # tol so small its square is 0
    ("x^2 - y^2 + 0.1*x^4 + 0.1*y^4", (-3, 3, -3, 3), 60, 1e-9),  # Newton: indefinite
    ("x^4 + y^4", (-1, 1, -1, 1), 60, 1e-12),  # Newton: singular at the minimum
]


def _grid(window: tuple, n: int) -> np.ndarray:
    xmin, xmax, ymin, ymax = window
    x, y = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n))
    return np.column_stack([x.ravel(), y.ravel()])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize(("function", "window", "steps", "tol"), CASES)
def test_last_points_and_statuses_are_the_runners(
    name: str, function: str, window: tuple, steps: int, tol: float
) -> None:
    objective = compile_function(function)
    config = make_config(name, {"lr": 0.02} if name not in ("adagrad", "newton") else {})
    starts = _grid(window, 3 if name == "lbfgs" else 13)  # L-BFGS steps its rows one by one
    batch = run_batch(objective, config, starts, steps, tol, record=False)
    points, status = final_states(objective, config, starts, steps, tol)
    assert [STATUSES[c] for c in status] == [STATUSES[c] for c in batch.status]
    np.testing.assert_array_equal(points, batch.points)


@pytest.mark.parametrize(
    "params",
    [
        {"lr": 0.05, "schedule": "cosine", "T_max": 40},
        {"lr": 0.05, "schedule": "plateau", "patience": 2, "factor": 0.5},
        {"lr": 0.2, "clip_norm": 1.0},
        {"lr": 0.05, "schedule": "onecycle", "max_lr": 0.2},
    ],
)
def test_schedules_and_clipping_end_where_the_runner_ends(params) -> None:
    objective = compile_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    config = make_config("momentum", params)
    starts = _grid((-5, 5, -5, 5), 9)
    batch = run_batch(objective, config, starts, 80, 1e-8, record=False)
    points, status = final_states(objective, config, starts, 80, 1e-8)
    assert list(status) == list(batch.status)
    np.testing.assert_array_equal(points, batch.points)


def test_the_cases_cover_every_way_to_end() -> None:
    seen = set()
    for function, window, steps, tol in CASES:
        objective = compile_function(function)
        for name in OPTIMIZERS:
            if name == "lbfgs":
                continue  # slow (one row at a time), and ends in no way the others do not
            config = make_config(name, {"lr": 0.02} if name not in ("adagrad", "newton") else {})
            _, status = final_states(objective, config, _grid(window, 13), steps, tol)
            seen.update(STATUSES[c] for c in status)
    assert seen == set(STATUSES)


@pytest.mark.parametrize(
    ("slope", "status"),
    [("0.999999999999e-6", "converged"), ("1e-6", "max_steps"), ("1.000000000001e-6", "max_steps")],
)
def test_a_gradient_norm_a_hair_from_tol_ends_as_in_the_runner(slope: str, status: str) -> None:
    # f = slope * x: the gradient norm is the slope everywhere; tol = 1e-6
    objective = compile_function(f"{slope}*x + 0*y")
    starts = _grid((-1, 1, -1, 1), 3)
    config = make_config("gd")
    batch = run_batch(objective, config, starts, 5, 1e-6, record=False)
    points, codes = final_states(objective, config, starts, 5, 1e-6)
    assert {STATUSES[c] for c in codes} == {status}
    assert [STATUSES[c] for c in codes] == [STATUSES[c] for c in batch.status]
    np.testing.assert_array_equal(points, batch.points)
