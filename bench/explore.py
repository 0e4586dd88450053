"""Explore metrics: a 500 x 500 basin map and a 7-optimizer learning-rate sweep."""

from __future__ import annotations

import time

import numpy as np

from bench.baselines import numpy_adam
from bench.results import Baseline, Metric, fmt, fmt_ratio
from bench.targets import target, unit
from bench.timing import interleaved, timed
from gdplayground.core.explore.basin_pool import start_pool
from gdplayground.core.explore.basins import (
    ATTRACTOR_RADIUS,
    BasinMap,
    BasinRequest,
    compute_basin_map,
    iter_basin_maps,
    nearest_within,
    start_grid,
)
from gdplayground.core.explore.sweep import sweep_learning_rates
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import CLASSIC, make_config
from gdplayground.core.trajectory import run_trajectory
from gdplayground.model.presets import load_presets

#: The first partial picture of a map should be up within this time (s).
FIRST_PICTURE_S = 0.1


# ---------------------------------------------------------------- basins_250k


def _first_picture_s(request: BasinRequest, objective: object, pool: object) -> float:
    """Seconds from asking for a map to its first partial picture."""
    start = time.perf_counter()
    maps = iter_basin_maps(request, objective, pool=pool)  # type: ignore[arg-type]
    next(maps)
    seconds = time.perf_counter() - start
    maps.close()
    return seconds


def _agreement(basins: BasinMap, ends: np.ndarray) -> float:
    """The share of starts whose hand-written end lies at the attractor our map gives them."""
    centres = np.array([a.point for a in basins.attractors]).reshape(-1, 2)
    radius = ATTRACTOR_RADIUS * 10.0
    theirs = nearest_within(ends, centres, radius)
    ours = basins.labels.ravel()
    return float(np.mean(np.where(ours >= 0, theirs == ours, theirs < 0)))


def basins_250k(size: int = 500, steps: int = 500, repeat: int = 1) -> Metric:
    """Adam on Himmelblau from size² starts: our map (both cores) vs hand-written numpy Adam."""
    preset = load_presets()["himmelblau"]
    objective = compile_function(preset.formula)
    request = BasinRequest(preset.formula, make_config("adam"), preset.domain, size, steps)
    xs, ys = start_grid(preset.domain, size)
    x, y = np.meshgrid(xs, ys)
    starts = np.column_stack([x.ravel(), y.ravel()])
    params = request.config.params
    results: dict[str, object] = {}

    spawned = time.perf_counter()
    pool = start_pool()
    ready = pool is not None and pool.wait_ready(120)
    start_up = time.perf_counter() - spawned
    try:
        candidates = {
            "ours": lambda: results.__setitem__(
                "ours", compute_basin_map(request, objective, pool=pool if ready else None)
            ),
            "one": lambda: results.__setitem__("one", compute_basin_map(request, objective)),
            "hand": lambda: results.__setitem__(
                "hand",
                numpy_adam.adam(
                    starts, steps, params["lr"], params["beta1"], params["beta2"], params["eps"]
                ),
            ),
        }
        times = interleaved(candidates, repeat)
        first = min(_first_picture_s(request, objective, pool if ready else None) for _ in range(3))
    finally:
        if pool is not None:
            pool.shutdown()
    ours_s, one_s, hand_s = (min(times[k]) for k in ("ours", "one", "hand"))
    ratio = ours_s / hand_s
    basins = results["ours"]
    assert isinstance(basins, BasinMap)
    agreement = _agreement(basins, results["hand"])  # type: ignore[arg-type]
    return Metric(
        name="basins_250k",
        unit=unit("basins_250k"),
        target=target("basins_250k"),
        value=ours_s,
        met=ratio <= 1.5 and first <= FIRST_PICTURE_S,
        baseline=Baseline("hand-written numpy Adam, one process", hand_s, "s"),
        ratio=ratio,
        ratio_kind="time",
        ratio_meaning="our map's time / hand-written Adam's time (lower is better; target ≤ 1.5)",
        details={
            "starts": f"{size}x{size}",
            "steps": steps,
            "timing": f"best of {repeat}, interleaved",
            "worker_processes": pool.processes if ready and pool is not None else 0,
            "worker_start_up_s": start_up if ready else None,
            "one_process_s": one_s,
            "first_picture_s": first,
            "attractors": len(basins.attractors),
            "labels_agreeing_with_hand_written_ends": agreement,
        },
        rows=[
            (
                f"basin map, {pool.processes if ready and pool else 0} worker processes",
                fmt(ours_s, "s"),
                "",
                fmt_ratio(ratio),
            ),
            ("basin map, one process", fmt(one_s, "s"), "", fmt_ratio(one_s / hand_s)),
            ("hand-written numpy Adam", fmt(hand_s, "s"), "", ""),
            ("first partial picture", fmt(first * 1e3, "ms"), "", "target ≤ 100 ms"),
            ("starts ending as by hand", f"{100 * agreement:.2f} %", "", ""),
        ],
    )


# ---------------------------------------------------------------- sweep


def sweep(points: int = 40, steps: int = 500, alone_rates: int = 5, repeat: int = 3) -> Metric:
    """Seven optimizers x ``points`` rates x ``steps`` steps on Rosenbrock, one start."""
    preset = load_presets()["rosenbrock"]
    objective = compile_function(preset.formula)
    configs = [make_config(name) for name in CLASSIC]  # the seven methods
    start = (-1.5, 2.0)
    seconds = min(
        interleaved(
            {
                "sweep": lambda: sweep_learning_rates(
                    objective, configs, [start], 1e-4, 1.0, points, steps
                )
            },
            repeat,
        )["sweep"]
    )
    # each (optimizer, rate) run on its own, as a user would loop: a few rates, scaled
    rates = np.geomspace(1e-4, 1.0, alone_rates)

    def alone() -> None:
        for config in configs:
            for lr in rates:
                run_trajectory(objective, make_config(config.name, {"lr": float(lr)}), start, steps)

    alone_s = timed(alone) * points / alone_rates
    runs = len(configs) * points
    return Metric(
        name="sweep",
        unit=unit("sweep"),
        target=target("sweep"),
        value=seconds,
        met=seconds < 1.0,
        baseline=Baseline("each run on its own (scaled)", alone_s, "s"),
        ratio=alone_s / seconds,
        ratio_kind="speed",
        ratio_meaning="time of the runs one by one / the sweep's time (higher is better)",
        details={
            "optimizers": len(configs),
            "rates": points,
            "steps": steps,
            "timing": f"best of {repeat}",
            "runs_on_their_own_timed": len(configs) * alone_rates,
        },
        rows=[
            (f"{runs} runs as one sweep", fmt(seconds, "s"), "", ""),
            (
                "the same runs one by one (scaled)",
                fmt(alone_s, "s"),
                "",
                f"sweep {fmt_ratio(alone_s / seconds)} faster",
            ),
        ],
    )
