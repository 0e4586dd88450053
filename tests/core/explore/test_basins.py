"""Basin maps: each start labelled with where its run ended, known basins reproduced."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.explore.basins import (
    DIVERGED_LABEL,
    NOT_CONVERGED_LABEL,
    PENDING_LABEL,
    BasinRequest,
    compute_basin_map,
    iter_basin_maps,
    nearest_within,
    row_chunks,
    start_grid,
)
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.core.trajectory import run_batch, run_trajectory
from gdplayground.model.presets import load_presets

DOUBLE_WELL = "(x^2 - 1)^2 + y^2"  # minima (+-1, 0), saddle (0, 0): the sign of x decides


def _request(function: str, window, size: int, name: str = "gd", **kwargs) -> BasinRequest:
    params = kwargs.pop("params", {})
    return BasinRequest(function, make_config(name, params), window, size, **kwargs)


def _attractor_at(basins, point, atol=1e-9) -> int:
    for i, a in enumerate(basins.attractors):
        if np.hypot(a.point[0] - point[0], a.point[1] - point[1]) <= atol:
            return i
    raise AssertionError(f"no attractor at {point}: {basins.attractors}")


def test_double_well_basins_are_the_half_planes_and_x_zero_is_the_saddle() -> None:
    # 21 columns: the middle one starts exactly at x = 0, where grad_x = 0 stays 0
    request = _request(DOUBLE_WELL, (-2, 2, -1, 1), 21, params={"lr": 0.02}, steps=2000)
    basins = compute_basin_map(request)
    left = _attractor_at(basins, (-1, 0))
    right = _attractor_at(basins, (1, 0))
    middle = _attractor_at(basins, (0, 0), atol=1e-6)
    xs, _ = start_grid(request.window, 21)
    expected = np.where(xs < 0, left, np.where(xs > 0, right, middle))
    assert (basins.labels == expected[None, :]).all()
    kinds = {basins.attractors[i].kind for i in (left, right)}
    assert kinds == {"minimum"} and basins.attractors[middle].kind == "saddle"
    assert basins.attractors[left].share == pytest.approx(10 / 21)
    assert basins.attractors[middle].share == pytest.approx(1 / 21)
    assert basins.attractors[left].value == 0.0 and basins.attractors[middle].value == 1.0
    np.testing.assert_allclose(basins.attractors[middle].eigenvalues, (-4.0, 2.0))


def test_row_zero_is_the_bottom_of_the_window() -> None:
    # the double well turned on its side: y < 0 ends at (0, -1), y > 0 at (0, 1)
    request = _request("x^2 + (y^2 - 1)^2", (-1, 1, -2, 2), 8, params={"lr": 0.02}, steps=2000)
    basins = compute_basin_map(request)
    bottom, top = _attractor_at(basins, (0, -1)), _attractor_at(basins, (0, 1))
    assert (basins.labels[:4] == bottom).all() and (basins.labels[4:] == top).all()
    xs, ys = start_grid(request.window, 8)
    np.testing.assert_allclose(xs, np.linspace(-1, 1, 17)[1::2])
    np.testing.assert_allclose(ys, np.linspace(-2, 2, 17)[1::2])


def test_himmelblau_basins_end_at_its_four_minima() -> None:
    preset = load_presets()["himmelblau"]
    request = _request(preset.formula, preset.domain, 40, "adam")
    basins = compute_basin_map(request)
    assert len(basins.attractors) == 4 and all(a.kind == "minimum" for a in basins.attractors)
    for minimum in preset.minima:
        assert basins.attractors[_attractor_at(basins, minimum, atol=1e-5)].value < 1e-20
    shares = sum(a.share for a in basins.attractors) + basins.diverged_share
    assert shares + basins.not_converged_share == pytest.approx(1.0)
    assert min(a.share for a in basins.attractors) > 0.15  # every basin is a sizeable part


def test_each_start_is_labelled_as_its_own_run_ends() -> None:
    preset = load_presets()["himmelblau"]
    request = _request(preset.formula, preset.domain, 30, "momentum", steps=300)
    objective = compile_function(preset.formula)
    basins = compute_basin_map(request, objective)
    xs, ys = start_grid(request.window, 30)
    radius = 0.005 * 10
    for row, column in [(0, 0), (3, 17), (15, 15), (22, 4), (29, 29), (11, 26)]:
        run = run_trajectory(objective, request.config, (xs[column], ys[row]), 300)
        label = basins.labels[row, column]
        if run.status == "diverged":
            assert label == DIVERGED_LABEL
        else:
            assert label >= 0
            end = basins.attractors[label].point
            assert np.hypot(*(run.points[-1] - end)) <= radius


def test_runs_that_diverge_are_labelled_diverged() -> None:
    basins = compute_basin_map(_request("x^2 + y^2", (-1, 1, -1, 1), 6, params={"lr": 1.5}))
    assert (basins.labels == DIVERGED_LABEL).all()
    assert basins.diverged_share == 1.0 and basins.attractors == ()


def test_runs_still_on_their_way_are_not_converged() -> None:
    # Rosenbrock with a tiny rate for 5 steps: nobody gets anywhere near (1, 1)
    preset = load_presets()["rosenbrock"]
    request = _request(preset.formula, preset.domain, 10, params={"lr": 1e-5}, steps=5)
    basins = compute_basin_map(request)
    assert (basins.labels == NOT_CONVERGED_LABEL).all()
    assert basins.not_converged_share == 1.0


def test_a_run_circling_a_minimum_has_ended_there() -> None:
    # Adam at lr 0.05 hovers around the minimum without ever meeting tol = 1e-14
    request = _request("x^2 + 3*y^2", (-1, 1, -1, 1), 6, "adam", steps=300, tol=1e-14)
    objective = compile_function(request.function)
    xs, ys = start_grid(request.window, 6)
    x, y = np.meshgrid(xs, ys)
    batch = run_batch(
        objective, request.config, np.column_stack([x.ravel(), y.ravel()]), 300, 1e-14
    )
    assert (batch.status == 2).all()  # premise: every run used all its steps (max_steps)
    basins = compute_basin_map(request, objective)
    assert (basins.labels == 0).all() and basins.attractors[0].kind == "minimum"
    assert basins.attractors[0].point == (0.0, 0.0)


def test_a_run_slowly_leaving_a_maximum_has_not_ended_there() -> None:
    # gradient descent from next to the top of a hill barely moves in 10 steps; only the
    # start exactly at the top (gradient 0) has converged there
    request = _request("-(x^2 + y^2)", (-1, 1, -1, 1), 101, params={"lr": 1e-4}, steps=10)
    basins = compute_basin_map(request)
    assert [a.kind for a in basins.attractors] == ["maximum"]
    expected = np.full((101, 101), NOT_CONVERGED_LABEL)
    expected[50, 50] = 0
    assert (basins.labels == expected).all()


def test_partial_maps_fill_in_row_by_row_and_keep_their_labels() -> None:
    preset = load_presets()["himmelblau"]
    request = _request(preset.formula, preset.domain, 60, "adam", steps=200)
    maps = list(iter_basin_maps(request))
    assert [m.rows_done for m in maps] == [stop for _, stop in row_chunks(60, 200)]
    assert maps[0].rows_done == 1 and not maps[0].complete and maps[-1].complete
    final = maps[-1]
    for partial in maps[:-1]:
        done = partial.rows_done
        assert (partial.labels[:done] == final.labels[:done]).all()
        assert (partial.labels[done:] == PENDING_LABEL).all()
        for a, b in zip(partial.attractors, final.attractors, strict=False):
            assert a.point == b.point and a.kind == b.kind
        shares = sum(a.share for a in partial.attractors)  # of the starts computed so far
        total = shares + partial.not_converged_share + partial.diverged_share
        assert total == pytest.approx(1.0)
    assert not final.labels.flags.writeable


def test_compute_reports_each_partial_map() -> None:
    request = _request(DOUBLE_WELL, (-2, 2, -1, 1), 40, params={"lr": 0.02})
    seen = []
    final = compute_basin_map(request, on_partial=lambda m: seen.append(m.rows_done))
    assert seen == [stop for _, stop in row_chunks(40, 500)][:-1]
    assert final.complete


def test_cancelling_stops_the_map_between_chunks() -> None:
    class Stop(Exception):
        pass

    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 2:
            raise Stop

    request = _request(DOUBLE_WELL, (-2, 2, -1, 1), 100, params={"lr": 0.02})
    maps = []
    with pytest.raises(Stop):
        for partial in iter_basin_maps(request, check=check):
            maps.append(partial)
    assert 1 <= len(maps) < len(row_chunks(100, 500))


def test_chunks_cover_every_row_once_starting_with_one() -> None:
    for size, steps in [(2, 500), (200, 500), (1000, 500), (500, 20000), (7, 0)]:
        chunks = row_chunks(size, steps)
        assert chunks[0] == (0, 1)
        rows = [r for first, stop in chunks for r in range(first, stop)]
        assert rows == list(range(size))


def test_nearest_within_finds_the_nearest_close_centre_only() -> None:
    centres = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 0.5], [1.05, 0.0]])
    points = np.array([[0.01, 0.01], [1.04, 0.0], [0.5, 0.5], [0.0, 0.45]])
    assert nearest_within(points, centres, 0.1).tolist() == [0, 3, -1, 2]
    assert nearest_within(points, np.empty((0, 2)), 0.1).tolist() == [-1] * 4


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"size": 1}, "grid"),
        ({"size": 1001}, "grid"),
        ({"steps": -1}, "steps"),
        ({"tol": float("nan")}, "tol"),
        ({"window": (1, -1, 0, 1)}, "window"),
        ({"gradient": "exact"}, "gradient"),
    ],
)
def test_a_bad_request_is_one_clear_error(change: dict, words: str) -> None:
    arguments = {"window": (-1, 1, -1, 1), **change}
    window = arguments.pop("window")
    with pytest.raises(ValueError) as error:
        BasinRequest("x^2", make_config("gd"), window, **arguments)
    assert words in str(error.value) and "\n" not in str(error.value)
