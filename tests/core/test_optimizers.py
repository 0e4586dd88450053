"""Each optimizer follows torch.optim's documented update rule in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import make_objective
from gdplayground.core.optimizers import (
    FIRST_ORDER,
    OPTIMIZERS,
    OptimizerError,
    make_config,
)
from gdplayground.core.trajectory import run_trajectory

# f(x, y) = x^2 + 3 y^2 from (1, -2); gradient (2x, 6y).
QUADRATIC = X**2 + 3 * Y**2
START = (1.0, -2.0)

# Three or four steps of torch 2.13.0 (float64) on the quadratic above, printed
# by torch.optim itself with the matching arguments (betas=(beta1, beta2), ...);
# a "name+variant" key runs the optimizer ``name``.
TORCH_REFERENCE = {
    "gd": (
        {"lr": 0.01, "weight_decay": 0.1},
        [
            (0.979, -1.8780000000000001),
            (0.958441, -1.7634420000000002),
            (0.938313739, -1.6558720380000003),
        ],
    ),
    "momentum": (
        {"lr": 0.01, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.1},
        [
            (0.979, -1.8780000000000001),
            (0.9415969, -1.6650978),
            (0.89013792859, -1.3820719507800001),
        ],
    ),
    "nesterov": (
        {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.1},
        [
            (0.9621999999999999, -1.7804),
            (0.91238884, -1.50683208),
            (0.854216573848, -1.2094111016159999),
        ],
    ),
    "adagrad": (
        {
            "lr": 0.3,
            "lr_decay": 0.05,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.2,
            "eps": 1e-10,
        },
        [
            (0.706579747329114, -1.7002013558208315),
            (0.5441430226679157, -1.5152183584448502),
            (0.43475988951323485, -1.3789170403315325),
        ],
    ),
    "rmsprop": (
        {
            "lr": 0.01,
            "alpha": 0.9,
            "eps": 1e-08,
            "weight_decay": 0.1,
            "momentum": 0.5,
            "centered": 1,
        },
        [
            (0.9666666671957672, -1.9666666667577413),
            (0.9249234769712892, -1.9247134860114492),
            (0.8824183658114663, -1.8816602308637735),
        ],
    ),
    "adam": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "eps": 1e-08, "weight_decay": 0.1},
        [
            (0.9000000004761904, -1.9000000000819672),
            (0.8006960102192301, -1.8003048257024663),
            (0.7026562038556347, -1.7011364374398101),
        ],
    ),
    "rmsprop+momentum": (
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.6, "weight_decay": 0.05},
        [
            (0.9683772238861211, -1.968377223480961),
            (0.9268143598012921, -1.9266359708860914),
            (0.8833882285922512, -1.8827343086355361),
            (0.8413159994852595, -1.8398422561028658),
        ],
    ),
    # beta2 = 0.5 lets the squared-gradient average fall, where AMSGrad departs from Adam
    "adam+amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 1, "weight_decay": 0.1},
        [
            (0.7000000014285714, -1.7000000002459017),
            (0.3938137850747825, -1.3953831739338791),
            (0.13458213212921427, -1.098571620757432),
            (-0.061578405246090956, -0.8262853312921117),
        ],
    ),
    "adam+no-amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 0, "weight_decay": 0.1},
        [
            (0.7000000014285714, -1.7000000002459017),
            (0.3922712758017535, -1.3953831739338791),
            (0.07076725990876742, -1.082199288388538),
            (-0.2552204230144758, -0.7553111495609862),
        ],
    ),
    "adamw+amsgrad": (
        {"lr": 0.3, "beta1": 0.8, "beta2": 0.5, "amsgrad": 1, "weight_decay": 0.5},
        [
            (0.5500000015, -1.40000000025),
            (0.1919324065932062, -0.883813782651587),
            (-0.043735537177266526, -0.48418778251736017),
            (-0.17268788779167638, -0.19508404661587558),
        ],
    ),
    "adamw": (
        {"lr": 0.1, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.5},
        [
            (0.8500000004999999, -1.8000000000833332),
            (0.7086850437201804, -1.6106960094158171),
            (0.5765933994137072, -1.4320614432623608),
        ],
    ),
}


def _path(name: str, params: dict, steps: int = 3) -> np.ndarray:
    cfg = make_config(name, params)
    return run_trajectory(make_objective(QUADRATIC), cfg, START, steps=steps, tol=0).points


@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE))
def test_matches_torch_reference(name: str) -> None:
    params, expected = TORCH_REFERENCE[name]
    points = _path(name.split("+")[0], params, steps=len(expected))
    np.testing.assert_allclose(points[0], START)
    np.testing.assert_allclose(points[1:], expected, rtol=1e-14, atol=1e-15)


def _grad(p: list[float]) -> list[float]:
    return [2 * p[0], 6 * p[1]]


def _by_hand(name: str, hp: dict, steps: int = 3) -> list[list[float]]:
    """torch's documented pseudo-code, one scalar coordinate at a time."""
    p = list(START)
    state: dict = {}
    out = []
    for t in range(1, steps + 1):
        g = _grad(p)
        for i in range(2):
            gi = g[i] + hp.get("weight_decay", 0.0) * p[i] if name != "adamw" else g[i]
            if name == "gd":
                p[i] -= hp["lr"] * gi
            elif name in ("momentum", "nesterov"):
                b = state.get(("b", i))
                b = gi if b is None else hp["momentum"] * b + (1 - hp.get("dampening", 0)) * gi
                state[("b", i)] = b
                step = gi + hp["momentum"] * b if name == "nesterov" else b
                p[i] -= hp["lr"] * step
            elif name == "adagrad":
                s = state.get(("s", i), hp["initial_accumulator_value"]) + gi * gi
                state[("s", i)] = s
                clr = hp["lr"] / (1 + (t - 1) * hp["lr_decay"])
                p[i] -= clr * gi / (math.sqrt(s) + hp["eps"])
            elif name == "rmsprop":
                v = hp["alpha"] * state.get(("v", i), 0.0) + (1 - hp["alpha"]) * gi * gi
                state[("v", i)] = v
                p[i] -= hp["lr"] * gi / (math.sqrt(v) + hp["eps"])
            elif name in ("adam", "adamw"):
                if name == "adamw":
                    p[i] -= hp["lr"] * hp["weight_decay"] * p[i]
                m = hp["beta1"] * state.get(("m", i), 0.0) + (1 - hp["beta1"]) * gi
                v = hp["beta2"] * state.get(("v", i), 0.0) + (1 - hp["beta2"]) * gi * gi
                state[("m", i)], state[("v", i)] = m, v
                m_hat = m / (1 - hp["beta1"] ** t)
                v_hat = v / (1 - hp["beta2"] ** t)
                p[i] -= hp["lr"] * m_hat / (math.sqrt(v_hat) + hp["eps"])
        out.append(list(p))
    return out


HAND_CASES = [
    ("gd", {"lr": 0.05, "weight_decay": 0.2}),
    ("momentum", {"lr": 0.02, "momentum": 0.7, "dampening": 0.25, "weight_decay": 0.0}),
    ("nesterov", {"lr": 0.02, "momentum": 0.6, "weight_decay": 0.3}),
    (
        "adagrad",
        {
            "lr": 0.4,
            "lr_decay": 0.1,
            "weight_decay": 0.0,
            "initial_accumulator_value": 1.0,
            "eps": 1e-10,
        },
    ),
    ("rmsprop", {"lr": 0.02, "alpha": 0.8, "eps": 1e-6, "weight_decay": 0.05}),
    ("adam", {"lr": 0.2, "beta1": 0.7, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.0}),
    ("adamw", {"lr": 0.2, "beta1": 0.7, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.3}),
]


@pytest.mark.parametrize(("name", "params"), HAND_CASES)
def test_matches_update_rule_worked_by_hand(name: str, params: dict) -> None:
    np.testing.assert_allclose(_path(name, params)[1:], _by_hand(name, params), rtol=1e-12)


def test_first_steps_written_out() -> None:
    # SGD, lr=0.1: (1, -2) - 0.1 * (2, -12) = (0.8, -0.8)
    np.testing.assert_allclose(_path("gd", {"lr": 0.1}, 1)[1], [0.8, -0.8])
    # Adam's first step moves every coordinate by about lr against the gradient sign.
    np.testing.assert_allclose(_path("adam", {"lr": 0.1}, 1)[1], [0.9, -1.9], atol=1e-8)
    # Nesterov's first step uses g + momentum * g.
    np.testing.assert_allclose(
        _path("nesterov", {"lr": 0.1, "momentum": 0.5}, 1)[1],
        [1 - 0.1 * 1.5 * 2, -2 + 0.1 * 1.5 * 12],
    )


def test_torch_names_and_defaults() -> None:
    assert set(FIRST_ORDER) == set(OPTIMIZERS) - {"newton"}
    adam = make_config("adam").params
    assert {"lr", "beta1", "beta2", "eps", "weight_decay"} <= set(adam)
    assert adam["beta1"] == 0.9 and adam["beta2"] == 0.999 and adam["eps"] == 1e-8
    assert make_config("adamw").params["weight_decay"] == 0.01
    assert make_config("rmsprop").params["alpha"] == 0.99
    assert make_config("momentum").params["momentum"] == 0.9
    assert make_config("ADAM", {"lr": 0.5}).params["lr"] == 0.5


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("adamm", {}, "unknown optimizer 'adamm'"),
        ("adam", {"betas": 0.9}, "no hyperparameter 'betas'"),
        ("adam", {"lr": 0}, "lr=0 is out of range"),
        ("adam", {"lr": -1}, "out of range"),
        ("gd", {"lr": float("nan")}, "finite"),
        ("momentum", {"momentum": 1.0}, "out of range"),
        ("adam", {"amsgrad": 0.5}, "write 0 or 1"),
        ("adam", {"lr": "fast"}, "must be a number"),
    ],
)
def test_bad_hyperparameters_are_refused(name: str, params: dict, fragment: str) -> None:
    with pytest.raises(OptimizerError, match=fragment):
        make_config(name, params)


def test_stepping_is_vectorised_and_independent_per_point() -> None:
    obj = make_objective((1 - X) ** 2 + 100 * (Y - X**2) ** 2)
    starts = np.array([[-1.5, 2.0], [0.5, 0.5], [2.0, -1.0]])
    from gdplayground.core.trajectory import run_trajectories

    for name in OPTIMIZERS:
        batch = run_trajectories(obj, make_config(name), starts, steps=20, tol=0)
        for start, traj in zip(starts, batch, strict=True):
            alone = run_trajectory(obj, make_config(name), tuple(start), steps=20, tol=0)
            np.testing.assert_array_equal(traj.points, alone.points)
