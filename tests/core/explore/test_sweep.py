"""Learning-rate sweeps: each rate runs exactly as alone, divergence where theory says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplayground.core.explore.sweep import (
    at_best_rates,
    best_rate,
    learning_rates,
    sweep_learning_rates,
)
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import FIRST_ORDER, OptimizerError, make_config
from gdplayground.core.trajectory import run_trajectory
from gdplayground.model.presets import load_presets

# f = x^2 + 5 y^2: the Hessian is diag(2, 10), so L = 10 and gradient descent
# converges for lr < 2/L = 0.2 and diverges above it.
QUADRATIC = "x^2 + 5*y^2"
START = (1.0, 1.0)


def _gd_by_hand(lr: float, steps: int, tol: float) -> tuple[str, int | None]:
    """The documented rule x <- x - lr * grad f, in plain floats: status and step of tol."""
    x, y = START
    for k in range(steps + 1):
        gx, gy = 2 * x, 10 * y
        if not (abs(x) <= 1e10 and abs(y) <= 1e10 and abs(x * x + 5 * y * y) <= 1e200):
            return "diverged", None
        if math.hypot(gx, gy) < tol:
            return "converged", k
        x, y = x + (-lr) * gx, y + (-lr) * gy
    return "max_steps", None


def test_gradient_descent_diverges_exactly_above_two_over_l() -> None:
    # (just above 2/L, at 0.203, y grows by 1.03 a step: past 1e10 within 5000 steps)
    sweep = sweep_learning_rates(
        compile_function(QUADRATIC), [make_config("gd")], [START], 1e-3, 1.0, 40, 5000, 1e-8
    )
    result = sweep.optimizers[0]
    assert len(result.lrs) == 40 and result.lrs[0] == pytest.approx(1e-3)
    assert result.lrs[-1] == pytest.approx(1.0)
    for lr, (status,) in zip(result.lrs, result.statuses, strict=True):
        if lr < 0.2:
            assert status != "diverged", lr
        else:
            assert status == "diverged", lr
    for k, lr in enumerate(result.lrs):
        status, at = _gd_by_hand(float(lr), 5000, 1e-8)
        assert result.statuses[k][0] == status
        assert (None if result.steps_to_tol[k, 0] < 0 else int(result.steps_to_tol[k, 0])) == at


def test_the_best_rate_reaches_the_minimum_in_fewest_steps() -> None:
    # every converging rate ends at f = 0 to round-off: the one fastest to tol is best,
    # and GD's fastest rate on this quadratic is 2 / (2 + 10) = 1/6
    sweep = sweep_learning_rates(
        compile_function(QUADRATIC), [make_config("gd")], [START], 1e-3, 1.0, 40, 500, 1e-8
    )
    result = sweep.optimizers[0]
    by_hand = {float(lr): _gd_by_hand(float(lr), 500, 1e-8) for lr in result.lrs}
    fastest = min(by_hand[lr][1] for lr in by_hand if by_hand[lr][0] == "converged")
    expected = min(lr for lr in by_hand if by_hand[lr] == ("converged", fastest))
    assert result.best_lr == expected
    neighbours = result.lrs[np.argsort(np.abs(np.log(result.lrs / (1 / 6))))[:2]]
    assert result.best_lr in neighbours


def test_every_rate_of_every_optimizer_runs_as_it_would_alone() -> None:
    preset = load_presets()["himmelblau"]
    objective = compile_function(preset.formula)
    starts = np.array([(-1.5, 2.0), (4.0, -4.5)])
    configs = [make_config(name) for name in FIRST_ORDER] + [
        make_config("momentum", {"dampening": 0.3, "weight_decay": 0.01}),
        make_config("rmsprop", {"centered": 1, "momentum": 0.5}),
        make_config("adam", {"amsgrad": 1}),
        make_config("adagrad", {"lr_decay": 0.01}),
        make_config("newton"),
    ]
    sweep = sweep_learning_rates(objective, configs, starts, 1e-3, 1.0, 5, 60, 1e-9)
    for config, result in zip(configs, sweep.optimizers, strict=True):
        for k, lr in enumerate(result.lrs):
            for s, start in enumerate(starts):
                alone = run_trajectory(
                    objective,
                    make_config(config.name, {**config.params, "lr": float(lr)}),
                    tuple(start),
                    60,
                    1e-9,
                )
                assert result.statuses[k][s] == alone.status
                np.testing.assert_array_equal(result.final_points[k, s], alone.points[-1])
                assert result.final_values[k, s] == alone.values[-1]


def test_a_rate_at_which_any_start_diverges_is_never_best() -> None:
    # x^4 + y^2 with GD: from x = 3 a rate of 0.1 overshoots (4 * lr * x^2 > 2) and diverges,
    # from x = 0.1 it is the fastest
    objective = compile_function("x^4 + y^2")
    rates = dict(low=1e-3, high=0.4, count=12, steps=300, tol=1e-6)
    near = sweep_learning_rates(objective, [make_config("gd")], [(0.1, 0.1)], **rates)
    both = sweep_learning_rates(objective, [make_config("gd")], [(0.1, 0.1), (3.0, 0.1)], **rates)
    result = both.optimizers[0]
    fastest_near = near.optimizers[0].best
    assert result.statuses[fastest_near][1] == "diverged"
    assert result.best is not None
    assert "diverged" not in result.statuses[result.best]
    assert result.best_lr < near.optimizers[0].best_lr


def test_when_every_rate_diverges_there_is_no_best_and_the_race_keeps_its_rate() -> None:
    sweep = sweep_learning_rates(
        compile_function(QUADRATIC), [make_config("gd", {"lr": 0.01})], [START], 0.5, 1.0, 4
    )
    assert sweep.optimizers[0].best is None and sweep.optimizers[0].best_lr is None
    assert all(row == ("diverged",) for row in sweep.optimizers[0].statuses)
    assert at_best_rates(sweep)[0].params["lr"] == 0.01


def test_race_at_best_rates_changes_only_the_learning_rates() -> None:
    configs = [make_config("gd"), make_config("adam", {"beta1": 0.8})]
    sweep = sweep_learning_rates(compile_function(QUADRATIC), configs, [START], 1e-3, 1.0, 9)
    fair = at_best_rates(sweep)
    for before, after, result in zip(configs, fair, sweep.optimizers, strict=True):
        assert after.name == before.name
        assert after.params["lr"] == result.best_lr
        assert {k: v for k, v in after.params.items() if k != "lr"} == {
            k: v for k, v in before.params.items() if k != "lr"
        }


def test_equal_final_values_go_to_the_rate_fastest_to_tol() -> None:
    values = np.array([[1e-20], [3e-22], [5e-21], [2.0]])
    steps = np.array([[90], [40], [-1], [-1]])
    statuses = [("converged",), ("converged",), ("max_steps",), ("max_steps",)]
    assert best_rate(values, steps, statuses, np.array([10.0]), 100) == 1
    # a clearly lower value wins over speed
    values[2, 0] = -1.0
    assert best_rate(values, steps, statuses, np.array([10.0]), 100) == 2


def test_learning_rates_are_log_spaced_and_include_both_ends() -> None:
    lrs = learning_rates(1e-4, 1.0, 5)
    np.testing.assert_allclose(lrs, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])


@pytest.mark.parametrize(
    ("low", "high", "count"),
    [(0.0, 1.0, 10), (1.0, 1e-3, 10), (1e-3, float("inf"), 10), (0.1, 0.1, 3), (1e-3, 1, 0)],
)
def test_a_bad_range_is_one_clear_error(low: float, high: float, count: int) -> None:
    with pytest.raises(ValueError) as error:
        learning_rates(low, high, count)
    assert "\n" not in str(error.value)


def test_a_rate_the_optimizer_does_not_accept_is_refused() -> None:
    with pytest.raises(OptimizerError, match="lr="):
        sweep_learning_rates(compile_function(QUADRATIC), [make_config("gd")], [START], 1.0, 5e3)


def test_cancelling_stops_the_sweep() -> None:
    class Stop(Exception):
        pass

    def check() -> None:
        raise Stop

    with pytest.raises(Stop):
        sweep_learning_rates(compile_function(QUADRATIC), [make_config("gd")], [START], check=check)
