"""Basin maps, sweeps and stationary points written as JSON and CSV read back whole."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from gdplayground.core.explore.basins import (
    BasinRequest,
    compute_basin_map,
    iter_basin_maps,
    start_grid,
)
from gdplayground.core.explore.critical import stationary_points
from gdplayground.core.explore.sweep import sweep_learning_rates
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.export.explore_data import (
    BASINS_CSV_HEADER,
    CRITICAL_CSV_HEADER,
    basins_to_csv,
    basins_to_json,
    critical_to_csv,
    critical_to_json,
    sweep_to_json,
)

DOUBLE_WELL = "(x^2 - 1)^2 + y^2"
REQUEST = BasinRequest(DOUBLE_WELL, make_config("gd", {"lr": 0.02}), (-2, 2, -1, 1), 7, 400)


@pytest.fixture(scope="module")
def basins():
    # a far corner diverges with this rate: every kind of label appears
    request = BasinRequest(DOUBLE_WELL, make_config("gd", {"lr": 0.2}), (-3, 3, -1, 1), 7, 60)
    return compute_basin_map(request)


def test_basins_json_has_the_attractors_and_the_labels_row_zero_at_the_bottom(basins) -> None:
    doc = json.loads(basins_to_json(basins))
    assert doc["function"] == DOUBLE_WELL and doc["grid"] == 7 and doc["domain"] == [-3, 3, -1, 1]
    assert doc["optimizer"] == {"method": "gd", "params": {"lr": 0.2, "weight_decay": 0.0}}
    assert np.array_equal(np.array(doc["labels"]), basins.labels)
    assert {-1, 0} <= set(np.unique(doc["labels"]))
    assert doc["y"][0] < doc["y"][-1] and len(doc["x"]) == 7
    for written, attractor in zip(doc["attractors"], basins.attractors, strict=True):
        assert tuple(written["point"]) == attractor.point
        assert written["kind"] == attractor.kind and written["share"] == attractor.share
    shares = sum(a["share"] for a in doc["attractors"])
    assert shares + doc["diverged_share"] + doc["not_converged_share"] == pytest.approx(1)


def test_basins_csv_has_one_row_per_start(basins) -> None:
    rows = list(csv.reader(io.StringIO(basins_to_csv(basins))))
    assert tuple(rows[0]) == BASINS_CSV_HEADER and len(rows) == 1 + 49
    xs, ys = start_grid(basins.request.window, 7)
    for row, column, x, y, label, ended in rows[1:]:
        assert (float(x), float(y)) == (xs[int(column)], ys[int(row)])
        assert int(label) == basins.labels[int(row), int(column)]
        expected = basins.attractors[int(label)].kind if int(label) >= 0 else None
        assert ended == (expected or {"-1": "diverged", "-2": "not_converged"}[label])


def test_a_partial_basin_map_is_not_written() -> None:
    partial = next(iter_basin_maps(REQUEST))
    with pytest.raises(ValueError, match="not complete"):
        basins_to_json(partial)


def test_sweep_json_gives_each_optimizers_rates_results_and_best() -> None:
    objective = compile_function("x^2 + 5*y^2")
    configs = [make_config("gd"), make_config("adam", {"beta1": 0.8})]
    starts = [(1.0, 1.0), (-2.0, 0.5)]
    sweep = sweep_learning_rates(objective, configs, starts, 1e-3, 1.0, 6, 300, 1e-8)
    doc = json.loads(sweep_to_json("x^2 + 5*y^2", "symbolic", sweep, ["GD", "Adam b1=0.8"]))
    assert doc["lr_range"] == [pytest.approx(1e-3), 1.0] and doc["points"] == 6
    assert [o["optimizer"] for o in doc["optimizers"]] == ["GD", "Adam b1=0.8"]
    gd, adam = doc["optimizers"]
    assert "lr" not in adam["params"] and adam["params"]["beta1"] == 0.8
    assert gd["best_lr"] == sweep.optimizers[0].best_lr
    assert [r["start"] for r in gd["runs"]] == [[1.0, 1.0], [-2.0, 0.5]]
    run = gd["runs"][1]
    assert len(run["final_values"]) == len(run["statuses"]) == len(run["steps_to_tol"]) == 6
    assert run["statuses"][-1] == "diverged"
    for k, steps in enumerate(run["steps_to_tol"]):
        assert (steps is None) == (run["statuses"][k] != "converged")


def test_critical_json_and_csv_give_every_point_exactly() -> None:
    window = (-2, 2, -2, 2)
    points = stationary_points(compile_function(DOUBLE_WELL), window)
    doc = json.loads(critical_to_json(DOUBLE_WELL, "symbolic", window, points))
    assert doc["counts"] == {"minimum": 2, "saddle": 1, "maximum": 0, "degenerate": 0}
    assert [(p["x"], p["y"], p["f"], p["kind"]) for p in doc["points"]] == [
        (p.x, p.y, p.value, p.kind) for p in points
    ]
    rows = list(csv.reader(io.StringIO(critical_to_csv(points))))
    assert tuple(rows[0]) == CRITICAL_CSV_HEADER
    for row, p in zip(rows[1:], points, strict=True):
        assert (float(row[0]), float(row[1]), float(row[2]), row[3]) == (p.x, p.y, p.value, p.kind)
        assert (float(row[4]), float(row[5])) == p.eigenvalues


def test_undefined_numbers_are_null_in_json() -> None:
    points = stationary_points(compile_function("x^2 + y^2"), (-1, 1, -1, 1))
    broken = [type(points[0])(points[0].x, points[0].y, float("nan"), "minimum", (2.0, 2.0))]
    doc = json.loads(critical_to_json("x^2 + y^2", "symbolic", (-1, 1, -1, 1), broken))
    assert doc["points"][0]["f"] is None
