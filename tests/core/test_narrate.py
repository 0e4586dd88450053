"""The narrated step shows the numbers the run used, recomputed here from its path."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.gradients import compile_function
from gdplayground.core.narrate import StepReplay
from gdplayground.core.optimizers import OPTIMIZERS, make_config
from gdplayground.core.trajectory import run_trajectory

ROSENBROCK = compile_function("(1 - x)^2 + 100*(y - x^2)^2")
START = (-1.5, 2.0)


def _run(method: str, params: dict | None = None, steps: int = 40):
    trajectory = run_trajectory(ROSENBROCK, make_config(method, params), START, steps, 0.0)
    return trajectory, StepReplay(ROSENBROCK, trajectory, method)


@pytest.mark.parametrize("method", [m for m in OPTIMIZERS])
@pytest.mark.parametrize("k", [0, 7, 23])
def test_every_method_s_narrated_step_lands_on_the_run_s_next_point(method, k) -> None:
    params = {"lr": 1e-3} if method in ("gd", "momentum", "nesterov", "asgd") else {}
    trajectory, replay = _run(method, params)
    if k >= trajectory.steps:
        pytest.skip("the run ended before")
    told = replay.narrate(k)
    np.testing.assert_array_equal(told.values["new_point"], trajectory.points[k + 1])
    np.testing.assert_array_equal(told.values["g"], trajectory.gradients[k])
    assert told.lines[0].startswith(f"{method} — step {k + 1}")


def test_adam_s_moments_are_the_recorded_gradients_averaged() -> None:
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    trajectory, replay = _run("adam", {"lr": lr})
    g = trajectory.gradients
    for k in (0, 5, 30):
        told = replay.narrate(k)
        t = k + 1
        weights1 = (1 - b1) * b1 ** np.arange(k, -1, -1)
        weights2 = (1 - b2) * b2 ** np.arange(k, -1, -1)
        m = weights1 @ g[: k + 1]
        v = weights2 @ (g[: k + 1] ** 2)
        np.testing.assert_allclose(told.values["m"], m, rtol=1e-12)
        np.testing.assert_allclose(told.values["v"], v, rtol=1e-12)
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        np.testing.assert_allclose(told.values["m_hat"], m_hat, rtol=1e-12)
        np.testing.assert_allclose(told.values["v_hat"], v_hat, rtol=1e-12)
        np.testing.assert_allclose(
            told.values["step"], -lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-9
        )
        assert f"t = {t}" in told.text


def test_momentum_s_velocity_is_the_recorded_gradients_summed_with_decay() -> None:
    mu, lr = 0.9, 1e-3
    trajectory, replay = _run("momentum", {"lr": lr, "momentum": mu})
    g = trajectory.gradients
    for k in (0, 10, 25):  # going back and forth replays from the start
        told = replay.narrate(k)
        v = (mu ** np.arange(k, -1, -1)) @ g[: k + 1]
        np.testing.assert_allclose(told.values["velocity"], v, rtol=1e-12)
        np.testing.assert_allclose(told.values["step"], -lr * v, rtol=1e-12)


def test_newton_solves_with_the_hessian_at_the_point() -> None:
    trajectory, replay = _run("newton", {"lr": 0.5}, steps=6)
    for k in range(trajectory.steps):
        told = replay.narrate(k)
        x, y = trajectory.points[k]
        hessian = np.array([[1200 * x**2 - 400 * y + 2, -400 * x], [-400 * x, 200.0]])
        np.testing.assert_allclose(told.values["hessian"], hessian, rtol=1e-6)
        solved = np.linalg.solve(hessian, trajectory.gradients[k])
        np.testing.assert_allclose(told.values["solved"], solved, rtol=1e-6)
        np.testing.assert_allclose(told.values["step"], -0.5 * solved, rtol=1e-6)


def test_a_scheduled_rate_is_the_rate_of_that_step() -> None:
    trajectory, replay = _run("gd", {"lr": 1e-3, "schedule": "step", "step_size": 5, "gamma": 0.5})
    assert replay.narrate(3).values["lr"] == pytest.approx(1e-3)
    assert replay.narrate(12).values["lr"] == pytest.approx(2.5e-4)
    assert replay.narrate(12).values["lr"] == trajectory.lrs[12]


def test_after_the_end_it_says_the_run_ended() -> None:
    trajectory, replay = _run("newton", {"lr": 1.0}, steps=40)
    told = replay.narrate(trajectory.steps + 3)
    assert told.step is None and "ended" in told.text
