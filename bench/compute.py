"""Numerical metrics: grid evaluation and batched optimisation, in this process."""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import median

import numpy as np
import sympy

from bench.results import Baseline, Metric, fmt, fmt_ratio
from bench.targets import target, unit
from bench.timing import interleaved, timed
from gdplayground.core.expression import X, Y
from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.core.trajectory import run_batch
from gdplayground.model.presets import load_presets

GRID_FUNCTIONS = ("rosenbrock", "himmelblau", "rastrigin", "ackley", "goldstein_price", "beale")

Gradient = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


# ---------------------------------------------------------------- grid_eval_1000


def _mesh(domain: tuple[float, float, float, float], size: int) -> tuple[np.ndarray, np.ndarray]:
    xmin, xmax, ymin, ymax = domain
    return np.meshgrid(np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size))


def _plain_lambdify(objective: Objective) -> Callable[[], object]:
    """What a user would write: one ``lambdify`` per expression, no shared subexpressions."""
    functions = [
        sympy.lambdify((X, Y), e, "numpy") for e in (objective.expr, *objective.gradient_exprs)
    ]

    def evaluate(x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        with np.errstate(all="ignore"):
            return [f(x, y) for f in functions]

    return evaluate


def grid_eval(size: int = 1000, repeat: int = 7) -> Metric:
    """f and ∇f on a ``size``² grid per test function: ours vs plain lambdify (best times)."""
    presets = load_presets()
    ours_ms: dict[str, float] = {}
    base_ms: dict[str, float] = {}
    for key in GRID_FUNCTIONS:
        objective = compile_function(presets[key].formula)
        plain = _plain_lambdify(objective)
        x, y = _mesh(presets[key].domain, size)
        objective.value_and_gradient(x, y)  # first calls touch fresh memory: not timed
        plain(x, y)
        times = interleaved(
            {
                "ours": lambda o=objective, x=x, y=y: o.value_and_gradient(x, y),
                "plain": lambda p=plain, x=x, y=y: p(x, y),
            },
            repeat,
        )
        ours_ms[key] = 1e3 * min(times["ours"])
        base_ms[key] = 1e3 * min(times["plain"])
    ratios = {key: base_ms[key] / ours_ms[key] for key in GRID_FUNCTIONS}
    ratio = median(ratios.values())
    return Metric(
        name="grid_eval_1000",
        unit=unit("grid_eval_1000"),
        target=target("grid_eval_1000"),
        value=median(ours_ms.values()),
        met=ratio >= 1.5 and min(ratios.values()) >= 1.0,
        baseline=Baseline("sympy.lambdify numpy, no cse", median(base_ms.values()), "ms"),
        ratio=ratio,
        ratio_kind="speed",
        ratio_meaning="lambdify time / our time, median over the functions (higher is better)",
        details={
            "grid": f"{size}x{size}",
            "timing": f"best of {repeat}, interleaved",
            "functions": {
                key: {"ms": ours_ms[key], "lambdify_ms": base_ms[key], "speedup": ratios[key]}
                for key in GRID_FUNCTIONS
            },
        },
        rows=[
            (key, fmt(ours_ms[key], "ms"), fmt(base_ms[key], "ms"), fmt_ratio(ratios[key]))
            for key in GRID_FUNCTIONS
        ],
    )


# ---------------------------------------------------------------- batch_adam_100k


def hand_adam(
    gradient: Gradient, starts: np.ndarray, steps: int, params: dict[str, float]
) -> np.ndarray:
    """The textbook vectorised Adam loop a user would write with numpy: the practical limit."""
    lr, b1, b2, eps = params["lr"], params["beta1"], params["beta2"], params["eps"]
    p = np.array(starts, dtype=np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t in range(1, steps + 1):
        gx, gy = gradient(p[:, 0], p[:, 1])
        g = np.column_stack((gx, gy))
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def per_point_adam(
    gradient: Gradient, starts: np.ndarray, steps: int, params: dict[str, float]
) -> np.ndarray:
    """Adam one point at a time in plain Python, calling the compiled gradient per step."""
    lr, b1, b2, eps = params["lr"], params["beta1"], params["beta2"], params["eps"]
    out = np.empty_like(starts)
    for i, (x, y) in enumerate(starts.tolist()):
        mx = my = vx = vy = 0.0
        for t in range(1, steps + 1):
            gx, gy = (float(g) for g in gradient(x, y))
            mx, my = b1 * mx + (1 - b1) * gx, b1 * my + (1 - b1) * gy
            vx, vy = b2 * vx + (1 - b2) * gx * gx, b2 * vy + (1 - b2) * gy * gy
            c1, c2 = 1 - b1**t, 1 - b2**t
            x -= lr * (mx / c1) / (math.sqrt(vx / c2) + eps)
            y -= lr * (my / c1) / (math.sqrt(vy / c2) + eps)
        out[i] = x, y
    return out


def batch_adam(
    points: int = 100_000, steps: int = 200, loop_points: int = 500, repeat: int = 3
) -> Metric:
    """Adam on Rosenbrock from ``points`` starts: run_batch vs hand-written and per-point loops."""
    preset = load_presets()["rosenbrock"]
    objective = compile_function(preset.formula)
    config = make_config("adam")
    xmin, xmax, ymin, ymax = preset.domain
    rng = np.random.default_rng(20240501)
    starts = np.column_stack([rng.uniform(xmin, xmax, points), rng.uniform(ymin, ymax, points)])
    results: dict[str, np.ndarray] = {}

    def ours() -> None:
        results["ours"] = run_batch(objective, config, starts, steps, tol=0.0, record=False).points

    def hand() -> None:
        results["hand"] = hand_adam(objective.gradient, starts, steps, config.params)

    times = interleaved({"ours": ours, "hand": hand}, repeat)
    loop_starts = starts[: min(loop_points, points)]
    loop_seconds = timed(
        lambda: per_point_adam(objective.gradient, loop_starts, steps, config.params)
    )

    point_steps = points * steps
    ours_s, hand_s = min(times["ours"]), min(times["hand"])
    loop_per_step = loop_seconds / (len(loop_starts) * steps)
    vs_loop = loop_per_step / (ours_s / point_steps)
    vs_hand = ours_s / hand_s
    with np.errstate(invalid="ignore"):
        difference = float(np.nanmax(np.abs(results["ours"] - results["hand"])))
    return Metric(
        name="batch_adam_100k",
        unit=unit("batch_adam_100k"),
        target=target("batch_adam_100k"),
        value=point_steps / ours_s / 1e6,
        met=vs_loop >= 100 and vs_hand <= 1.5,
        baseline=Baseline("hand-written numpy Adam", point_steps / hand_s / 1e6, "M point-steps/s"),
        ratio=vs_hand,
        ratio_kind="time",
        ratio_meaning="our time / hand-written loop time (lower is better; target ≤ 1.5)",
        details={
            "points": points,
            "steps": steps,
            "timing": f"best of {repeat}, interleaved",
            "ours_s": ours_s,
            "hand_written_s": hand_s,
            "per_point_loop": {
                "points_timed": len(loop_starts),
                "us_per_point_step": loop_per_step * 1e6,
                "speedup_of_ours": vs_loop,
            },
            "max_difference_from_hand_written": difference,
        },
        rows=[
            ("run_batch", fmt(ours_s, "s"), "", ""),
            ("hand-written numpy loop", fmt(hand_s, "s"), "", fmt_ratio(vs_hand)),
            (
                f"per-point Python loop ({len(loop_starts)} pts, scaled)",
                fmt(loop_per_step * point_steps, "s"),
                "",
                f"ours {fmt_ratio(vs_loop)} faster",
            ),
        ],
    )
