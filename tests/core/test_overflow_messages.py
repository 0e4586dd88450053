"""Overflow is not "undefined": values beyond float64 are called what they are, with a hint."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.expression import ExpressionError, parse_function
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.core.sampling import grid_note, sample_grid
from gdplayground.core.trajectory import run_trajectory

FACTORIAL_199_X = "*".join(str(i) for i in range(1, 200)) + "*x"


@pytest.mark.parametrize(
    "text",
    [FACTORIAL_199_X, "exp(exp(exp(exp(exp(exp(x))))))", "exp(x^2 + 800)", "cosh(1000 + y^2)"],
)
def test_a_function_beyond_float64_everywhere_is_said_to_overflow(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_function(text)
    message = str(caught.value)
    assert "f overflows float64 everywhere" in message and "rescale" in message
    assert "undefined" not in message and "no real value" not in message


@pytest.mark.parametrize("text", ["sqrt(-x^2 - 1)", "log(-abs(y) - 1) + x", "1/(x-x)"])
def test_a_function_with_no_real_value_is_still_undefined(text: str) -> None:
    with pytest.raises(ExpressionError, match="undefined everywhere|division by zero"):
        parse_function(text)


def test_overflow_at_some_points_and_no_value_at_the_others_says_both() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_function("sqrt(-x - 0.001) * exp(-100000*x)")  # not real where x >= 0
    message = str(caught.value)
    assert "f is nowhere finite: sqrt(-x - 0.001) * exp(-100000*x) overflows float64" in message
    assert "no real value at the others" in message


def start_message(function: str) -> str:
    objective = compile_function(function)
    run = run_trajectory(objective, make_config("gd"), (-1.5, 2.0), steps=5)
    assert run.status == "diverged" and run.stopped_at == 0
    return run.message


def test_a_start_point_where_f_overflows_says_so() -> None:
    message = start_message("exp(x^2*1000) + y")
    assert message.startswith("f overflows float64 at the start point")
    assert "rescale f" in message and "undefined" not in message


def test_a_start_point_where_f_is_too_large_to_step_from_says_how_large() -> None:
    message = start_message("1e299")
    assert message.startswith("f is 1e+299 at the start point, too large to step from")
    assert "undefined" not in message


def test_a_start_point_where_f_has_no_value_is_undefined() -> None:
    assert start_message("sqrt(x) + y") == "f is undefined at the start point: move the start"


def test_the_window_note_tells_overflow_from_undefined() -> None:
    with np.errstate(all="ignore"):
        grid = sample_grid(lambda x, y: np.exp(1e5 * x) + np.sqrt(y), (-1, 1, -1, 1), 101)
    assert 0.24 < grid.overflow_fraction < 0.26  # x > 0 and y >= 0: a quarter of the window
    note = grid_note(grid)
    assert note.startswith("f overflows float64 (|f| > 1.8e308) on 25% of the window")
    assert "rescale f or use a smaller window" in note
    assert note.endswith("50% of the window is undefined")  # y < 0
    fine = sample_grid(lambda x, y: x + y, (-1, 1, -1, 1), 11)
    assert grid_note(fine) == ""
    nan_only = sample_grid(lambda x, y: np.sqrt(x), (-1, 1, -1, 1), 101)
    assert grid_note(nan_only) == "50% of the window is undefined"


def test_poles_on_grid_points_are_not_overflow() -> None:
    with np.errstate(all="ignore"):
        grid = sample_grid(lambda x, y: np.log(np.abs(x)) + 1 / y, (-1, 1, -1, 1), 101)
    assert grid.undefined_fraction > 0 and grid.overflow_fraction == 0
    assert grid_note(grid) == "2% of the window is undefined"
