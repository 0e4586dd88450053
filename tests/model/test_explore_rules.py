"""The rules of exploring: grid sizes, rates and the work a basin map or a sweep may take."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from gdplayground.model.limits import MAX_BASIN_GRID, MAX_SWEEP_POINTS
from gdplayground.model.rules import (
    basin_work_problem,
    grid_problem,
    lr_range_problem,
    sweep_points_problem,
    sweep_rate_problem,
    sweep_work_problem,
)
from gdplayground.model.session import ViewOptions, default_session
from gdplayground.model.session_file import session_from_json, session_to_json


@pytest.mark.parametrize("size", [2, 200, MAX_BASIN_GRID])
def test_grids_from_two_to_a_thousand_starts_a_side_are_accepted(size: int) -> None:
    assert grid_problem(size) is None


@pytest.mark.parametrize(
    ("size", "words"),
    [(1, "2 to 1000"), (1001, "2 to 1000"), (0, "2 to 1000"), (True, "whole"), (2.5, "whole")],
)
def test_other_grids_are_refused_saying_what_to_write(size: object, words: str) -> None:
    assert words in grid_problem(size)  # type: ignore[arg-type]


def test_sweep_points_have_their_range() -> None:
    assert sweep_points_problem(40) is None
    assert sweep_points_problem(MAX_SWEEP_POINTS) is None
    for bad in (1, MAX_SWEEP_POINTS + 1):
        assert f"2 to {MAX_SWEEP_POINTS}" in sweep_points_problem(bad)


@pytest.mark.parametrize(
    ("low", "high"), [(1.0, 0.1), (0.0, 1.0), (-1.0, 1.0), (0.1, 0.1), (float("nan"), 1.0)]
)
def test_a_rate_range_must_be_two_positive_rates_low_first(low: float, high: float) -> None:
    problem = lr_range_problem(low, high)
    assert problem is not None and "LOW,HIGH" in problem


def test_a_range_beyond_what_an_optimizer_accepts_names_the_rate() -> None:
    assert sweep_rate_problem("adam", {}, 1e-4, 1.0) is None
    problem = sweep_rate_problem("adam", {}, 1e-4, 1e4)
    assert problem is not None and problem.startswith("at lr=10000:") and "lr" in problem


def _numbers(message: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"at most ([\d,]+)", message)]


def test_a_basin_map_over_budget_says_which_steps_or_grid_would_fit() -> None:
    assert basin_work_problem("adam", 200, 300) is None
    assert basin_work_problem("adam", 1000, 500) is None  # a million starts: a few seconds
    problem = basin_work_problem("adam", 1000, 100_000)
    assert problem is not None and "1000x1000 starts x 100,000 steps is too much work" in problem
    _minutes, steps, grid = _numbers(problem)
    # what it suggests fits, and a little more does not
    assert basin_work_problem("adam", 1000, steps) is None
    assert basin_work_problem("adam", 1000, int(steps * 1.1) + 1) is not None
    assert basin_work_problem("adam", grid, 100_000) is None
    assert basin_work_problem("adam", int(grid * 1.1) + 1, 100_000) is not None


def test_lbfgs_steps_each_start_alone_so_its_maps_are_small() -> None:
    assert basin_work_problem("gd", 200, 300) is None
    problem = basin_work_problem("lbfgs", 200, 300)
    assert problem is not None and "hours of computing" in problem
    grid = int(re.search(r"a grid of at most (\d+)", problem).group(1))
    assert 2 <= grid < 200 and basin_work_problem("lbfgs", grid, 300) is None


def test_a_sweep_over_budget_says_how_many_steps_fit() -> None:
    methods = ["gd", "momentum", "adam"]
    assert sweep_work_problem(methods, 40, 1, 500) is None
    problem = sweep_work_problem(methods, 1000, 1000, 10_000)
    assert problem is not None and "too much work" in problem
    steps = _numbers(problem)[1]
    assert sweep_work_problem(methods, 1000, 1000, steps) is None


def test_show_toggles_are_saved_with_the_session() -> None:
    hidden = ViewOptions(show_basins=False, show_stationary_points=False)
    session = replace(default_session(), view=hidden)
    assert session_from_json(session_to_json(session)).view == hidden
    assert ViewOptions().show_basins and ViewOptions().show_stationary_points
