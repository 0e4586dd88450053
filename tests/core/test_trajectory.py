"""Runs stop for the right reason and say so."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import FIRST_ORDER, make_config
from gdplayground.core.trajectory import (
    STATUSES,
    run_batch,
    run_many,
    run_trajectories,
    run_trajectory,
)
from gdplayground.model.presets import load_presets


def test_points_start_at_the_start_and_have_steps_plus_one_rows() -> None:
    obj = compile_function("(1 - x)^2 + 100*(y - x^2)^2")
    t = run_trajectory(obj, make_config("adam"), (-1.5, 2.0), steps=30, tol=0)
    assert t.status == "max_steps" and t.steps == 30
    assert t.points.shape == (31, 2) and t.values.shape == (31,) and t.grad_norms.shape == (31,)
    np.testing.assert_array_equal(t.points[0], [-1.5, 2.0])
    np.testing.assert_allclose(t.values, obj.value(t.points[:, 0], t.points[:, 1]))


def test_adam_reaches_rosenbrock_minimum_region() -> None:
    obj = compile_function(load_presets()["rosenbrock"].formula)
    t = run_trajectory(obj, make_config("adam", {"lr": 0.02}), (-1.5, 2.0), steps=3000)
    assert np.linalg.norm(t.points[-1] - [1.0, 1.0]) < 0.05
    assert t.values[-1] < 1e-3 < t.values[0]


def test_convergence_stops_early_and_names_a_minimum() -> None:
    obj = compile_function("(x - 1)^2 + 2*(y + 0.5)^2")
    t = run_trajectory(obj, make_config("gd", {"lr": 0.1}), (3.0, 2.0), steps=1000, tol=1e-8)
    assert t.status == "converged" and t.stationary == "minimum"
    assert t.steps < 1000 and t.stopped_at == t.steps
    assert t.grad_norms[-1] < 1e-8 <= t.grad_norms[-2]
    assert "converged at step" in t.message and "minimum" in t.message


def test_too_large_learning_rate_diverges_and_keeps_last_finite_point() -> None:
    obj = compile_function("x^2 + y^2")
    t = run_trajectory(obj, make_config("gd", {"lr": 1.5}), (1.0, 1.0), steps=500)
    assert t.status == "diverged"
    assert np.isfinite(t.points).all() and np.isfinite(t.values).all()
    assert t.stopped_at == t.steps + 1
    assert t.message == f"diverged at step {t.stopped_at}"


def test_saddle_is_not_called_a_minimum() -> None:
    obj = compile_function("x^2 - y^2")
    t = run_trajectory(obj, make_config("gd", {"lr": 0.1}), (1.0, 0.0), steps=2000)
    assert t.status == "converged" and t.stationary == "saddle"
    newton = run_trajectory(obj, make_config("newton"), (1.0, 0.5))
    assert newton.status == "indefinite_hessian" and "not positive definite" in newton.message
    monkey = run_trajectory(
        compile_function("x^3 - 3*x*y^2"), make_config("gd", {"lr": 0.05}), (0.0, 0.0)
    )
    assert monkey.status == "converged" and monkey.stationary == "degenerate"


def test_newton_solves_a_quadratic_in_one_step_and_reports_singular_hessians() -> None:
    obj = compile_function("3*(x - 1)^2 + x*y + 2*y^2")
    t = run_trajectory(obj, make_config("newton"), (5.0, -4.0), steps=10)
    assert t.status == "converged" and t.steps == 1
    flat = run_trajectory(compile_function("(x + y)^2"), make_config("newton"), (1.0, 2.0))
    assert flat.status == "singular_hessian" and "singular" in flat.message


def test_undefined_start_is_diverged_at_step_zero() -> None:
    t = run_trajectory(compile_function("log(x)"), make_config("gd"), (-1.0, 0.0))
    assert t.status == "diverged" and t.stopped_at == 0 and t.steps == 0


def test_walking_into_an_undefined_region_diverges() -> None:
    t = run_trajectory(
        compile_function("sqrt(x)"), make_config("gd", {"lr": 1.0}), (0.3, 0.0), steps=50, tol=0
    )
    assert t.status == "diverged"
    assert (t.points[:, 0] >= 0).all()


def test_many_start_points_stop_independently() -> None:
    obj = compile_function("x^2 + y^2")
    starts = np.array([[0.0, 0.0], [1.0, 1.0], [np.inf, 0.0]])
    runs = run_trajectories(obj, make_config("gd", {"lr": 0.1}), starts, steps=400, tol=1e-6)
    assert [r.status for r in runs] == ["converged", "converged", "diverged"]
    assert runs[0].steps == 0 and runs[1].steps > 10


def test_final_only_batch_matches_recorded_run() -> None:
    obj = compile_function("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    rng = np.random.default_rng(0)
    starts = rng.uniform(-5, 5, (500, 2))
    cfg = make_config("adam", {"lr": 0.05})
    final = run_batch(obj, cfg, starts, steps=60, record=False)
    full = run_trajectories(obj, cfg, starts, steps=60)
    np.testing.assert_array_equal(final.points, [t.points[-1] for t in full])


#: Batches whose runs end at many different steps: converged, diverged (also at
#: the start), out of steps, and Newton at an indefinite or singular Hessian.
RACES = {
    "himmelblau": (
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        [[-1.0, 0.5], [2.5, 2.5], [0.0, -4.0]],
        150,
        1e-8,
        {"converged", "diverged", "max_steps", "indefinite_hessian"},
    ),
    "newton_indefinite": (
        "x^4 - x^2 + y^2 + x*y/4",
        [[2.0, 1.0], [0.0, 0.5], [3.0, -2.0], [np.nan, 0.0], [1.2, 0.3]],
        200,
        1e-9,
        {"converged", "diverged", "max_steps", "indefinite_hessian"},
    ),
    "newton_singular": (
        "x^4 + y^2 + (x - y)^6/1000",
        [[1.0, 0.0], [0.0, 0.0], [3.0, -1.0], [-0.5, 2.0]],
        120,
        0.0,
        {"diverged", "max_steps", "singular_hessian"},
    ),
    "one_start": (
        load_presets()["goldstein_price"].formula,
        [[-1.5, 2.0]],
        300,
        1e-10,
        {"diverged", "max_steps", "indefinite_hessian"},
    ),
}
RACERS = [
    make_config("gd", {"lr": 0.01}),
    make_config("gd", {"lr": 0.05}),
    make_config("momentum", {"lr": 0.005}),
    make_config("adam", {"lr": 0.1}),
    make_config("newton"),
    make_config("rmsprop", {"momentum": 0.5}),
    make_config("newton", {"lr": 0.5}),
    make_config("gd", {"lr": 0.1}),
    make_config("momentum", {"lr": 0.05}),
    make_config("nesterov", {"lr": 0.1}),
    make_config("adagrad"),
    make_config("rmsprop", {"momentum": 0.5, "centered": 1}),
    make_config("rmsprop"),
    make_config("adam", {"lr": 0.3, "amsgrad": 1}),
    make_config("adamw", {"lr": 0.2}),
]


@pytest.mark.parametrize("race", sorted(RACES))
def test_racing_together_gives_each_optimizer_its_own_run(race: str) -> None:
    text, starts, steps, tol, expected = RACES[race]
    obj = compile_function(text)
    starts = np.array(starts)
    together = run_many(obj, RACERS, starts, steps=steps, tol=tol)
    for config, runs in zip(RACERS, together, strict=True):
        final = run_batch(obj, config, starts, steps=steps, tol=tol, record=False)
        for j, (start, run) in enumerate(zip(starts, runs, strict=True)):
            alone = run_trajectory(obj, config, tuple(start), steps=steps, tol=tol)
            assert (run.status, run.stopped_at, run.stationary) == (
                alone.status,
                alone.stopped_at,
                alone.stationary,
            )
            np.testing.assert_array_equal(run.points, alone.points)
            np.testing.assert_array_equal(run.values, alone.values)
            np.testing.assert_array_equal(run.gradients, alone.gradients)
            if alone.velocities is None:
                assert run.velocities is None
            else:
                np.testing.assert_array_equal(run.velocities, alone.velocities)
            # a final-only batch keeps each run's state at its last point
            assert final.status[j] == STATUSES.index(alone.status)
            assert final.stopped_at[j] == (-1 if alone.stopped_at is None else alone.stopped_at)
            np.testing.assert_array_equal(final.points[j], alone.points[-1])
            np.testing.assert_array_equal(final.values[j], alone.values[-1])
            np.testing.assert_array_equal(final.gradients[j], alone.gradients[-1])
            if final.velocities is not None:
                np.testing.assert_array_equal(final.velocities[j], alone.velocities[-1])
    assert {run.status for runs in together for run in runs} >= expected


@pytest.mark.parametrize("key", sorted(load_presets()))
def test_defaults_give_finite_runs_on_every_preset(key: str) -> None:
    preset = load_presets()[key]
    obj = compile_function(preset.formula)
    xmin, xmax, ymin, ymax = preset.domain
    start = (xmin + 0.3 * (xmax - xmin), ymin + 0.7 * (ymax - ymin))
    for name in FIRST_ORDER:
        t = run_trajectory(obj, make_config(name), start)
        assert np.isfinite(t.points).all()
        assert t.status in ("converged", "max_steps", "diverged")


def test_a_start_where_only_the_gradient_is_undefined_says_so() -> None:
    t = run_trajectory(compile_function("sqrt(x*y)"), make_config("gd"), (0.0, 0.0))
    assert t.status == "diverged" and "gradient is undefined" in t.message
    assert "f = 0" in t.message
    far = run_trajectory(compile_function("x^2"), make_config("gd"), (1e11, 0.0))
    assert "too far out" in far.message


def test_classifying_a_long_formula_does_not_differentiate_it_again() -> None:
    product = "*".join(f"(x+{k}y)" for k in range(1, 40))
    obj = compile_function(f"{product}/10^60 + x^2 + y^2")
    t = run_trajectory(obj, make_config("adam", {"lr": 0.05}), (0.1, 0.2), steps=2000, tol=1e-6)
    assert t.status == "converged" and t.stationary == "minimum"
    assert "_symbolic_hessian" not in obj.__dict__  # the symbolic Hessian was never built


#: The methods added later, schedules (one per row for plateau) and clipping, in one race.
NEW_RACERS = [
    make_config("nadam", {"lr": 0.1}),
    make_config("radam", {"weight_decay": 0.1, "decoupled_weight_decay": 1}),
    make_config("adamax"),
    make_config("adadelta", {"schedule": "plateau", "patience": 3}),
    make_config("rprop", {"schedule": "onecycle"}),
    make_config("asgd", {"lr": 0.01, "t0": 5}),
    make_config("lbfgs"),
    make_config("gd", {"lr": 0.01, "clip_norm": 1.0, "schedule": "plateau", "patience": 2}),
    make_config("lbfgs", {"line_search": 1, "max_iter": 5, "schedule": "plateau", "patience": 1}),
    make_config("adam", {"lr": 0.2, "schedule": "cosine", "T_max": 30, "clip_value": 5.0}),
    make_config("momentum", {"schedule": "onecycle", "max_lr": 0.01}),
    make_config("newton", {"schedule": "step", "step_size": 5, "gamma": 0.5}),
]


@pytest.mark.parametrize("race", sorted(RACES))
def test_new_methods_schedules_and_clipping_race_as_they_run_alone(race: str) -> None:
    text, starts, steps, tol, _ = RACES[race]
    obj = compile_function(text)
    starts = np.array(starts)
    together = run_many(obj, NEW_RACERS, starts, steps=steps, tol=tol)
    for config, runs in zip(NEW_RACERS, together, strict=True):
        final = run_batch(obj, config, starts, steps=steps, tol=tol, record=False)
        for j, (start, run) in enumerate(zip(starts, runs, strict=True)):
            alone = run_trajectory(obj, config, tuple(start), steps=steps, tol=tol)
            assert (run.status, run.stopped_at) == (alone.status, alone.stopped_at)
            np.testing.assert_array_equal(run.points, alone.points)
            np.testing.assert_array_equal(run.evaluations, alone.evaluations)
            np.testing.assert_array_equal(run.lrs, alone.lrs)
            assert len(run.evaluations) == len(run.lrs) == len(run.points)
            np.testing.assert_array_equal(final.points[j], alone.points[-1])
            if final.evaluations is not None and config.name == "lbfgs":
                assert final.evaluations[j] == alone.evaluations[-1]
            if final.lrs is not None and config.params.get("schedule") == "plateau":
                assert final.lrs[j] == alone.lrs[-1]


def test_evaluations_count_what_each_point_cost() -> None:
    obj = compile_function("(1 - x)^2 + 100*(y - x^2)^2")
    adam = run_trajectory(obj, make_config("adam"), (-1.5, 2.0), steps=20, tol=0)
    assert adam.evaluations.tolist() == list(range(21))
    lbfgs = run_trajectory(obj, make_config("lbfgs"), (-1.5, 2.0), steps=20, tol=0)
    assert lbfgs.evaluations[0] == 0 and lbfgs.evaluations[1] == 20  # max_iter evaluations
    assert (np.diff(lbfgs.evaluations) >= 1).all()  # at least the one at each step's start
    assert lbfgs.values[-1] < 1e-8 < adam.values[-1]  # more work a step, fewer steps
