"""Data-fit metrics: a mini-batch race against a hand-written numpy loop, and the loss surface."""

from __future__ import annotations

import math

import numpy as np

from bench.results import Baseline, Metric, fmt, fmt_ratio
from bench.targets import target, unit
from bench.timing import interleaved, timed
from gdplayground.core.data.batches import draw_batches
from gdplayground.core.data.fit import parse_fit
from gdplayground.core.data.generators import generate
from gdplayground.core.data.loss_grid import first_loss_grid, loss_grid
from gdplayground.core.data.objective import DataObjective
from gdplayground.core.data.runner import run_fit
from gdplayground.core.optimizers import CLASSIC, make_config
from gdplayground.model.fits import load_fits


def _objective(key: str, n: int) -> tuple[DataObjective, tuple[float, float, float, float]]:
    fit = load_fits()[key]
    data = generate(fit.data, n, fit.noise, fit.seed)
    return DataObjective(parse_fit(fit.model, fit.loss, data.columns), data), fit.window


def hand_race(
    x: np.ndarray,
    y: np.ndarray,
    params: list[dict[str, float]],
    batches: list[np.ndarray],
    start: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """The seven first-order methods (torch's rules, default options) on squared error
    of w*x + b, written out: final points (7, 2) and full-data losses (steps+1, 7)."""
    count = len(params)
    p = np.tile(np.array(start, dtype=np.float64), (count, 1))
    state = [np.zeros(2) for _ in range(count)], [np.zeros(2) for _ in range(count)]
    buf: list[np.ndarray | None] = [None] * count
    losses = np.empty((len(batches) + 1, count))
    r = p[:, :1] * x + p[:, 1:] - y
    losses[0] = np.mean(r * r, axis=1)
    for t, index in enumerate(batches, 1):
        xb, yb = x[index], y[index]
        rb = p[:, :1] * xb + p[:, 1:] - yb
        g = np.stack([np.mean(2 * rb * xb, axis=1), np.mean(2 * rb, axis=1)], axis=1)
        for i, hp in enumerate(params):
            gi, lr = g[i], hp["lr"]
            if i == 0:  # gd
                p[i] = p[i] - lr * gi
            elif i in (1, 2):  # momentum, nesterov
                buf[i] = gi.copy() if buf[i] is None else 0.9 * buf[i] + gi
                p[i] = p[i] - lr * (gi + 0.9 * buf[i] if i == 2 else buf[i])
            elif i == 3:  # adagrad
                state[0][i] = state[0][i] + gi * gi
                p[i] = p[i] - lr * gi / (np.sqrt(state[0][i]) + 1e-10)
            elif i == 4:  # rmsprop
                state[0][i] = 0.99 * state[0][i] + 0.01 * gi * gi
                p[i] = p[i] - lr * gi / (np.sqrt(state[0][i]) + 1e-8)
            else:  # adam, adamw
                if i == 6:
                    p[i] = p[i] * (1 - lr * hp["weight_decay"])
                state[0][i] = 0.9 * state[0][i] + 0.1 * gi
                state[1][i] = 0.999 * state[1][i] + 0.001 * gi * gi
                denom = np.sqrt(state[1][i]) / math.sqrt(1 - 0.999**t) + 1e-8
                p[i] = p[i] - lr / (1 - 0.9**t) * state[0][i] / denom
        r = p[:, :1] * x + p[:, 1:] - y
        losses[t] = np.mean(r * r, axis=1)
    return p, losses


def race(n: int = 10_000, steps: int = 1000, batch: int = 32, repeat: int = 3) -> Metric:
    """Seven optimizers, batch size 32, full-data loss at every step: run_fit vs by hand."""
    objective, _ = _objective("linear", n)
    fit = load_fits()["linear"]
    configs = [make_config(name) for name in CLASSIC]
    x, y = objective.data.column("x"), objective.data.column("y")
    drawn = draw_batches(n, batch, 0, steps)
    batches = [drawn.batch(k) for k in range(1, steps + 1)]
    params = [config.params for config in configs]
    results: dict[str, object] = {}

    def ours() -> None:
        results["ours"] = run_fit(
            objective, configs, [batch] * len(configs), np.array([fit.start]), steps, tol=0.0
        )

    def hand() -> None:
        results["hand"] = hand_race(x, y, params, batches, fit.start)

    times = interleaved({"ours": ours, "hand": hand}, repeat)
    ours_s, hand_s = min(times["ours"]), min(times["hand"])
    runs = results["ours"]
    points, losses = results["hand"]  # type: ignore[misc]
    ours_points = np.array([r[0].trajectory.points[-1] for r in runs])  # type: ignore[union-attr]
    ours_losses = np.array([r[0].trajectory.values for r in runs]).T  # type: ignore[union-attr]
    difference = float(np.max(np.abs(ours_points - points) / np.maximum(1, np.abs(points))))
    loss_difference = float(np.max(np.abs(ours_losses - losses) / np.maximum(1, losses)))
    ratio = ours_s / hand_s
    return Metric(
        name="datafit_race",
        unit=unit("datafit_race"),
        target=target("datafit_race"),
        value=ours_s * 1000,
        met=ratio <= 1.5,
        baseline=Baseline("hand-written numpy loop", hand_s * 1000, "ms"),
        ratio=ratio,
        ratio_kind="time",
        ratio_meaning="our time / hand-written loop time (lower is better; target ≤ 1.5)",
        details={
            "n": n,
            "steps": steps,
            "batch_size": batch,
            "optimizers": list(CLASSIC),
            "timing": f"best of {repeat}, interleaved",
            "ours_s": ours_s,
            "hand_written_s": hand_s,
            "max_relative_difference_points": difference,
            "max_relative_difference_losses": loss_difference,
        },
        rows=[
            ("run_fit (7 runs, full-data loss each step)", fmt(ours_s * 1000, "ms"), "", ""),
            ("hand-written numpy loop", fmt(hand_s * 1000, "ms"), "", fmt_ratio(ratio)),
        ],
    )


def surface(n: int = 10_000, resolution: int = 300, repeat: int = 3, others: bool = True) -> Metric:
    """Edit -> the full-data loss surface: first picture and the exact full grid."""
    objective, window = _objective("linear", n)
    first = min(
        timed(lambda: first_loss_grid(objective, window, resolution)) for _ in range(repeat)
    )
    exact = min(timed(lambda: loss_grid(objective, window, resolution)) for _ in range(repeat))
    rows = [
        (f"linear (moments), first {resolution}²", fmt(first * 1000, "ms"), "", "exact"),
        (f"linear (moments), exact {resolution}²", fmt(exact * 1000, "ms"), "", ""),
    ]
    details: dict[str, object] = {
        "n": n,
        "resolution": resolution,
        "linear": {"first_s": first, "exact_s": exact, "first_is_exact": True},
    }
    for key in ("least_absolute", "logistic") if others else ():
        obj, win = _objective(key, n)
        picture = first_loss_grid(obj, win, resolution)
        first_s = timed(lambda obj=obj, win=win: first_loss_grid(obj, win, resolution))
        exact_s = timed(lambda obj=obj, win=win: loss_grid(obj, win, resolution))
        side = picture.grid.shape[0]
        kind = "exact" if picture.exact else f"coarse {side}²"
        rows.append((f"{key}, first", fmt(first_s * 1000, "ms"), "", kind))
        rows.append((f"{key}, exact {resolution}² (example by example)", fmt(exact_s, "s"), "", ""))
        details[key] = {"first_s": first_s, "first_side": side, "exact_s": exact_s}
    return Metric(
        name="datafit_surface",
        unit=unit("datafit_surface"),
        target=target("datafit_surface"),
        value=first * 1000,
        met=first <= 0.150 and exact <= 1.0,
        details=details,
        rows=rows,
    )
