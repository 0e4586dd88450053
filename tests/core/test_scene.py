"""build_scene: one compute path; edits recompute only what they change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from gdplayground.core.expression import ExpressionError
from gdplayground.core.scene import Cancelled, build_scene
from gdplayground.model.session import default_session, entry_for


def test_default_scene_has_grid_levels_and_a_run_per_optimizer() -> None:
    s = default_session()
    scene = build_scene(s, resolution=80)
    assert scene.grid.shape == (80, 80) and scene.log_scale  # Rosenbrock: wide range
    assert np.all(np.diff(scene.levels) > 0)
    assert len(scene.runs) == len(s.optimizers)
    assert scene.frames == 1 + max(r.steps for r in scene.runs)
    assert all(np.array_equal(r.points[0], s.start) for r in scene.runs)


def test_editing_one_optimizer_recomputes_only_that_run() -> None:
    s = default_session()
    first = build_scene(s, resolution=60)
    entries = list(s.optimizers)
    entries[1] = replace(entries[1], params={**entries[1].params, "lr": 5e-4})
    second = build_scene(replace(s, optimizers=tuple(entries)), first, resolution=60)
    assert second.grid is first.grid and second.objective is first.objective
    assert second.runs[0] is first.runs[0] and second.runs[2] is first.runs[2]
    assert second.runs[1] is not first.runs[1]
    assert not np.array_equal(second.runs[1].points, first.runs[1].points)


def test_moving_the_start_recomputes_runs_but_not_the_grid() -> None:
    s = default_session()
    first = build_scene(s, resolution=60)
    moved = build_scene(replace(s, start=(0.5, -0.5)), first, resolution=60)
    assert moved.grid is first.grid
    assert all(np.array_equal(r.points[0], [0.5, -0.5]) for r in moved.runs)


def test_disabled_optimizers_have_no_run_and_new_function_resamples() -> None:
    s = default_session()
    entries = (entry_for("adam"), replace(entry_for("gd"), enabled=False))
    scene = build_scene(replace(s, function="x^2 + y^2", optimizers=entries), resolution=40)
    assert scene.runs[1] is None and scene.runs[0] is not None
    assert scene.grid.zmin == pytest.approx(0.0, abs=0.01)


def test_bad_function_and_cancellation() -> None:
    with pytest.raises(ExpressionError):
        build_scene(replace(default_session(), function="x +"))
    with pytest.raises(Cancelled):
        build_scene(default_session(), cancelled=lambda: True)


def test_numeric_gradient_error_is_known_for_every_step() -> None:
    s = replace(default_session(), gradient="numeric", h=1e-3, steps=30)
    scene = build_scene(s, resolution=40)
    assert scene.gradient_errors.keys() == scene.kept.keys()
    for key, run in scene.kept.items():
        errors = scene.gradient_errors[key]
        assert errors.shape == (len(run.points),)
        exact = np.stack(scene.objective.symbolic_gradient(run.points[:, 0], run.points[:, 1]), 1)
        size = np.maximum(np.linalg.norm(exact, axis=1), 1.0)
        expected = np.linalg.norm(run.gradients - exact, axis=1) / size
        np.testing.assert_allclose(errors, expected)
        assert 0 < errors[0] < 0.01  # h = 1e-3: visibly inexact, still close (relative)
    assert build_scene(default_session(), resolution=40).gradient_errors == {}


def test_the_picture_is_blank_where_the_function_as_written_is_undefined() -> None:
    # sympy simplifies sqrt(x)^2 to x; the picture must still have no value for x < 0
    s = replace(default_session(), function="sqrt(x)^2 + y^2", domain=(-2.0, 2.0, -1.0, 1.0))
    grid = build_scene(s, resolution=41).grid
    left, right = grid.xs < 0, grid.xs > 0
    assert np.isnan(grid.z[:, left]).all()
    assert np.isfinite(grid.z[:, right]).all()
