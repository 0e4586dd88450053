"""The race as a PyTorch script: readable text that reproduces ``run``'s numbers under torch."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gdplayground.core.expression import parse_function
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import OptimizerError, make_config
from gdplayground.core.trajectory import NamedRun, run_many
from gdplayground.export.data import runs_to_json
from gdplayground.export.torch_script import torch_function_text, torch_script

ROSENBROCK = "(1 - x)^2 + 100*(y - x^2)^2"
#: A Python with torch: this one if it has torch, else the one named by
#: $GDPLAYGROUND_TORCH_PYTHON, else the scratch install of the development machine.
SCRATCH_TORCH = Path(
    os.environ.get("GDPLAYGROUND_TORCH_PYTHON", "/work/scratch/torchvenv/bin/python")
)


def _torch_python() -> str | None:
    if importlib.util.find_spec("torch") is not None:
        return sys.executable
    return str(SCRATCH_TORCH) if SCRATCH_TORCH.is_file() else None


def _printed(text: str) -> str:
    return torch_function_text(parse_function(text).written)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ROSENBROCK, "(1 - x) ** 2 + 100 * (y - x ** 2) ** 2"),
        ("-x^2 + (-y)^2", "-x ** 2 + (-y) ** 2"),
        ("x - (y - 1)", "x - (y - 1)"),
        ("x / (y * 2) * 3", "x / (y * 2) * 3"),
        ("2^x^y", "2 ** (x ** y)"),
        ("sin(x)cos(y) + sqrt(x^2 + 1)", "torch.sin(x) * torch.cos(y) + torch.sqrt(x ** 2 + 1)"),
        ("ln(x) + log10(y) + cbrt(x - y)", "torch.log(x) + torch.log10(y) + cbrt(x - y)"),
        ("x^-1.5 + 0.1*3*y", "x ** (-1.5) + 0.3 * y"),  # 0.1*3 is exactly 0.3
        ("2pi*x", "6.283185307179586 * x"),
        ("7", "0 * x + 0 * y + 7"),
    ],
)
def test_the_function_is_written_with_torch_operations(text: str, expected: str) -> None:
    assert _printed(text) == expected


def test_the_script_is_short_readable_python_that_builds_torch_optimizers() -> None:
    configs = [
        ("adam", make_config("adam", {"lr": 0.1, "schedule": "cosine", "T_max": 200})),
        ("momentum", make_config("momentum", {"clip_norm": 1, "clip_value": 0.5})),
        ("newton", make_config("newton")),
        ("lbfgs", make_config("lbfgs", {"line_search": 1})),
        ("rprop", make_config("rprop", {"schedule": "onecycle"})),
    ]
    text = torch_script("sin(x) + cbrt(y)", "symbolic", configs, [(-1.5, 2.0)], 150, 1e-10)
    ast.parse(text)  # valid Python
    assert len(text.splitlines()) < 350
    assert "torch.optim.Adam(\n        [p],\n" in text or "torch.optim.Adam([p]" in text
    assert "betas=(0.9, 0.999)" in text and "amsgrad=False" in text
    assert "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200, eta_min=0.0)" in text
    assert "torch.nn.utils.clip_grad_norm_([p], clip_norm)" in text
    assert '{"clip_norm": 1.0, "clip_value": 0.5}' in text
    assert 'line_search_fn="strong_wolfe"' in text
    assert "total_steps=150" in text and "cycle_momentum=False" in text  # the run's steps
    assert "# newton (Newton: x <- x - lr * H^-1 grad f) has no torch.optim equivalent" in text
    assert "def cbrt(a):" in text and "return torch.sin(x) + cbrt(y)" in text
    assert "STEPS = 150" in text and "TOL = 1e-10" in text


def test_a_schedule_that_cannot_run_that_long_is_refused() -> None:
    config = make_config("adam", {"schedule": "onecycle", "total_steps": 50})
    with pytest.raises(OptimizerError, match="shorter than the run"):
        torch_script(ROSENBROCK, "symbolic", [("adam", config)], [(-1.5, 2.0)], 100, 1e-10)


#: (function, gradient mode, optimizers, starts, steps, tol, relative tolerance on the
#: points): torch's fused multiply-adds and autograd's order of operations differ from
#: ours in the last bit, which some paths magnify (observed: 7e-10 at most on Rosenbrock,
#: 1e-11 with central differences, 3e-16 on Himmelblau)
CASES = {
    "rosenbrock": (
        ROSENBROCK,
        "symbolic",
        [
            ("gd", {}),
            ("momentum", {"schedule": "onecycle"}),
            ("nesterov", {"schedule": "step", "step_size": 20, "gamma": 0.5}),
            ("adagrad", {"clip_norm": 5.0}),
            ("rmsprop", {"momentum": 0.5, "centered": 1, "schedule": "exponential"}),
            ("adam", {"lr": 0.1, "schedule": "cosine", "T_max": 60, "clip_value": 20.0}),
            ("adamw", {"amsgrad": 1, "schedule": "linear", "total_iters": 30}),
            ("newton", {}),
            ("lbfgs", {}),
            ("lbfgs", {"line_search": 1, "max_iter": 4}),
        ],
        [(-1.5, 2.0), (0.5, -0.5)],
        120,
        1e-10,
        1e-8,
    ),
    "himmelblau": (
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        "symbolic",
        [
            ("nadam", {"schedule": "plateau", "patience": 3, "factor": 0.5}),
            ("radam", {"decoupled_weight_decay": 1, "weight_decay": 0.01}),
            ("adamax", {"schedule": "cosine_restarts", "T_0": 20, "T_mult": 2}),
            ("adadelta", {"clip_norm": 10.0}),
            ("rprop", {}),
            ("asgd", {"lr": 0.005, "t0": 10}),
            ("adam", {"schedule": "onecycle", "three_phase": 1, "anneal_strategy": "linear"}),
        ],
        [(0.0, 0.0), (-4.0, 4.5)],
        150,
        1e-8,
        1e-13,
    ),
    "trigonometric": (
        "sin(x)*cos(y) + 0.1*(x^2 + y^2) + exp(-x^2)",
        "symbolic",
        [
            ("adam", {"lr": 0.05, "schedule": "plateau", "patience": 2, "cooldown": 2}),
            ("momentum", {"lr": 0.01, "clip_norm": 0.5}),
            ("lbfgs", {"line_search": 1}),
        ],
        [(1.0, 1.0), (-2.0, 0.5)],
        100,
        1e-10,
        1e-11,
    ),
    "numeric": (
        "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        "numeric",
        [("adam", {"schedule": "cosine"}), ("gd", {"lr": 0.01, "clip_value": 1.0})],
        [(1.0, 1.5)],
        80,
        1e-10,
        1e-9,
    ),
    "diverging": (
        "x^2 + y^2",
        "symbolic",
        [("gd", {"lr": 1.5}), ("gd", {"lr": 0.4}), ("adam", {"lr": 0.5})],
        [(1.0, -1.0), (float("nan"), 0.0)],
        200,
        1e-8,
        1e-10,
    ),
}


def _race(case: str) -> tuple[str, dict]:
    """The script's text and what ``run`` prints for the same race, as JSON."""
    text, mode, named, starts, steps, tol, _ = CASES[case]
    optimizers = [(name, make_config(name, params)) for name, params in named]
    objective = compile_function(text, mode)
    results = run_many(objective, [c for _, c in optimizers], np.array(starts), steps, tol)
    runs = [
        NamedRun(name, trajectory)
        for (name, config), trajectories in zip(optimizers, results, strict=True)
        if config.name != "newton"
        for trajectory in trajectories
    ]
    expected = json.loads(runs_to_json(text, mode, runs))
    return torch_script(text, mode, optimizers, starts, steps, tol), expected


def _close(a: list, b: list, rtol: float) -> bool:
    """Equal to ``rtol`` (numbers below 1e-3 to an absolute ``rtol * 1e-3``); null as nan."""
    a_, b_ = (np.array([np.nan if v is None else v for v in x], dtype=float) for x in (a, b))
    return np.allclose(a_, b_, rtol=rtol, atol=rtol * 1e-3, equal_nan=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_script_reproduces_run_under_torch(case: str, tmp_path: Path) -> None:
    python = _torch_python()
    if python is None:
        pytest.skip(
            "no Python with torch here (pip install torch, or set GDPLAYGROUND_TORCH_PYTHON)"
        )
    script, expected = _race(case)
    path = tmp_path / "race.py"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run([python, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    rtol = CASES[case][-1]
    assert (got["function"], got["gradient"]) == (expected["function"], expected["gradient"])
    assert len(got["runs"]) == len(expected["runs"])
    for ours, theirs in zip(expected["runs"], got["runs"], strict=True):
        label = f"{ours['optimizer']} from {ours['start']}"
        for key in ("optimizer", "method", "params", "status", "steps", "stopped_at"):
            assert theirs[key] == ours[key], (label, key)
        assert (theirs["stationary"], theirs["message"]) == (ours["stationary"], ours["message"])
        assert theirs["evaluations"] == ours["evaluations"], label
        assert _close(ours["lrs"], theirs["lrs"], 1e-15), label
        points = [v for point in ours["points"] for v in point]
        assert _close(points, [v for point in theirs["points"] for v in point], rtol), label
        # f and |grad f| near a minimum magnify the points' round-off: compared more loosely
        assert _close(ours["values"], theirs["values"], 1e3 * rtol), label
        assert _close(ours["grad_norms"], theirs["grad_norms"], 1e3 * rtol), label
