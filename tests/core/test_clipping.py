"""Gradient clipping follows torch.nn.utils.clip_grad_norm_ and clip_grad_value_."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplayground.core.clipping import clip_gradients
from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import make_objective
from gdplayground.core.optimizers import FIRST_ORDER, OptimizerError, make_config
from gdplayground.core.trajectory import run_trajectory

GRADIENTS = np.array([(3.0, -4.0), (0.3, 0.4), (1e-7, -2e-7), (-1200.0, 5.5), (0.0, 0.0)])

# Printed by torch 2.13.0 (float64): p = torch.zeros(2, requires_grad=True);
# p.grad = torch.tensor(g); torch.nn.utils.clip_grad_norm_([p], max_norm) (or
# clip_grad_value_([p], clip_value)); p.grad.tolist(), for each g in GRADIENTS.
TORCH_NORM = {
    1.0: [
        (0.599999880000024, -0.799999840000032),
        (0.3, 0.4),
        (1e-07, -2e-07),
        (-0.9999894958599432, 0.004583285189358073),
        (0.0, 0.0),
    ],
    # a gradient of norm exactly max_norm is still scaled, by max_norm / (norm + 1e-6)
    0.5: [
        (0.299999940000012, -0.399999920000016),
        (0.29999940000119996, 0.3999992000016),
        (1e-07, -2e-07),
        (-0.4999947479299716, 0.0022916425946790365),
        (0.0, 0.0),
    ],
}
TORCH_VALUE = {
    0.5: [(0.5, -0.5), (0.3, 0.4), (1e-07, -2e-07), (-0.5, 0.5), (0.0, 0.0)],
    2.0: [(2.0, -2.0), (0.3, 0.4), (1e-07, -2e-07), (-2.0, 2.0), (0.0, 0.0)],
}


@pytest.mark.parametrize("max_norm", sorted(TORCH_NORM))
def test_clip_norm_matches_torch(max_norm: float) -> None:
    clipped = clip_gradients(GRADIENTS, max_norm, 0.0)
    np.testing.assert_allclose(clipped, TORCH_NORM[max_norm], rtol=1e-15, atol=0)


@pytest.mark.parametrize("clip_value", sorted(TORCH_VALUE))
def test_clip_value_matches_torch(clip_value: float) -> None:
    np.testing.assert_array_equal(
        clip_gradients(GRADIENTS, 0.0, clip_value), TORCH_VALUE[clip_value]
    )


def _documented(g: tuple[float, float], max_norm: float, clip_value: float) -> list[float]:
    """torch's documented rule: grad * min(max_norm / (total_norm + 1e-6), 1), then each
    coordinate clamped to [-clip_value, clip_value]."""
    out = list(g)
    if max_norm:
        coef = min(max_norm / (math.hypot(*g) + 1e-6), 1.0)
        out = [v * coef for v in out]
    if clip_value:
        out = [min(max(v, -clip_value), clip_value) for v in out]
    return out


@pytest.mark.parametrize(("max_norm", "clip_value"), [(1.0, 0.0), (0.0, 0.1), (2.0, 1.5)])
def test_clipping_follows_the_documented_rule(max_norm: float, clip_value: float) -> None:
    rng = np.random.default_rng(3)
    g = rng.normal(scale=3.0, size=(200, 2))
    expected = [_documented(tuple(row), max_norm, clip_value) for row in g]
    np.testing.assert_allclose(clip_gradients(g, max_norm, clip_value), expected, rtol=1e-14)
    assert not np.shares_memory(clip_gradients(g, max_norm, clip_value), g)


ROSENBROCK = (1 - X) ** 2 + 100 * (Y - X**2) ** 2

# Five steps from (-1.5, 2) on Rosenbrock, torch 2.13.0 in float64: per step
# opt.zero_grad(); f(p).backward(); clip_grad_norm_([p], clip_norm) and/or
# clip_grad_value_([p], clip_value) (norm first); opt.step().
TORCH_RUNS = {
    "gd": (  # SGD([p], lr=0.1) with clip_grad_norm_([p], 1.0)
        {"lr": 0.1, "clip_norm": 1.0},
        [
            (-1.4048291388082992, 2.0307002778037746),
            (-1.4970733290193752, 1.9920866960388943),
            (-1.401918788097538, 2.0228375207193388),
            (-1.494145247972445, 1.9841816100948058),
            (-1.3990071175032364, 2.014983168606807),
        ],
    ),
    "momentum": (  # SGD([p], lr=0.01, momentum=0.9) with clip_grad_value_([p], 10.0)
        {"lr": 0.01, "clip_value": 10.0},
        [
            (-1.4, 2.1),
            (-1.41, 2.0900000000000003),
            (-1.519, 1.9810000000000003),
            (-1.5171, 1.9829000000000003),
            (-1.41539, 2.0846100000000005),
        ],
    ),
    "adam": (  # Adam([p], lr=0.1) with clip_grad_norm_([p], 5.0) then clip_grad_value_([p], 2.0)
        {"lr": 0.1, "clip_norm": 5.0, "clip_value": 2.0},
        [
            (-1.4000000005, 2.0999999993485403),
            (-1.405263158368421, 2.087440509364653),
            (-1.445484560381336, 2.040902373161996),
            (-1.444932074196253, 2.031581030995713),
            (-1.4200950740029854, 2.046338957644809),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(TORCH_RUNS))
def test_clipped_runs_match_torch(name: str) -> None:
    params, expected = TORCH_RUNS[name]
    objective = make_objective(ROSENBROCK)
    traj = run_trajectory(objective, make_config(name, params), (-1.5, 2.0), steps=5, tol=0)
    np.testing.assert_allclose(traj.points[1:], expected, rtol=1e-14)
    # what is recorded is f's own gradient, not the clipped one the optimizer was given
    gx, gy = objective.gradient(traj.points[:, 0], traj.points[:, 1])
    np.testing.assert_array_equal(traj.grad_norms, np.hypot(gx, gy))
    assert traj.grad_norms.max() > 100


def test_clipping_tames_an_exploding_gradient() -> None:
    objective = make_objective(ROSENBROCK)
    wild = run_trajectory(objective, make_config("gd", {"lr": 0.01}), (-1.5, 2.0), steps=50)
    tame = run_trajectory(
        objective, make_config("gd", {"lr": 0.01, "clip_norm": 1.0}), (-1.5, 2.0), steps=50
    )
    assert wild.status == "diverged"
    assert tame.status == "max_steps"
    assert np.abs(np.diff(tame.points, axis=0)).max() <= 0.01 + 1e-12  # lr * clip_norm


def test_every_first_order_method_but_lbfgs_takes_clipping() -> None:
    for name in FIRST_ORDER:
        if name == "lbfgs":
            continue
        config = make_config(name, {"clip_norm": 2, "clip_value": 0.5})
        assert config.params["clip_norm"] == 2.0 and config.params["clip_value"] == 0.5
    assert make_config("adam", {"clip_norm": 0, "clip_value": 0}) == make_config("adam")


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("newton", {"clip_norm": 1}, "newton takes no gradient clipping"),
        ("lbfgs", {"clip_value": 1}, "lbfgs takes no gradient clipping"),
        ("adam", {"clip_norm": -1}, "clip_norm=-1 is out of range"),
        ("gd", {"clip_value": float("inf")}, "clip_value must be a finite number"),
        ("gd", {"clip_value": "big"}, "clip_value must be a number"),
    ],
)
def test_bad_clipping_is_refused(name: str, params: dict, fragment: str) -> None:
    with pytest.raises(OptimizerError, match=fragment):
        make_config(name, params)
