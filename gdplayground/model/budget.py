"""What a request costs, known before it runs: the memory of its trajectories and its time.

The rules (:func:`gdplayground.model.rules.work_problem`) refuse a request
over budget with a message saying what to lower, before anything is
allocated or computed; the numbers are in :mod:`gdplayground.model.limits`.
"""

from __future__ import annotations

from collections.abc import Sequence

from gdplayground.model.limits import (
    BYTES_PER_POINT,
    LBFGS_POINT_STEP_SECONDS,
    METHOD_STEP_SECONDS,
    POINT_STEP_SECONDS,
    STEP_SECONDS,
    UNRECORDED_POINT_STEP_SECONDS,
)


def run_points(runs: int, steps: int) -> int:
    """Points recorded by ``runs`` runs of ``steps`` steps (the start included)."""
    return runs * (steps + 1)


def run_bytes(runs: int, steps: int) -> int:
    """Memory the trajectories take at most while they are computed."""
    return run_points(runs, steps) * BYTES_PER_POINT


def run_seconds(methods: Sequence[str], starts: int, steps: int) -> float:
    """Estimated computing time of every method in ``methods`` from ``starts`` start points."""
    slowest = max(METHOD_STEP_SECONDS.values())
    per_step = STEP_SECONDS
    for method in methods:
        if method == "lbfgs":
            # L-BFGS steps each run on its own, in Python: its worst case per run.
            per_step += starts * LBFGS_POINT_STEP_SECONDS
        else:
            per_step += METHOD_STEP_SECONDS.get(method, slowest) + starts * POINT_STEP_SECONDS
    return steps * per_step


def most_steps(methods: Sequence[str], starts: int, max_points: int, max_seconds: float) -> int:
    """The most steps these runs may take within both budgets."""
    runs = max(1, len(methods) * starts)
    by_memory = max_points // runs - 1
    per_step = run_seconds(methods, starts, 1)
    by_time = int(max_seconds / per_step) if per_step > 0 else by_memory
    return max(0, min(by_memory, by_time))


def unrecorded_seconds(methods: Sequence[str], runs: int, steps: int) -> float:
    """Estimated time of ``runs`` runs of each method in ``methods`` that keep only
    where they end (a basin map's starts, a sweep's rates times its starts)."""
    slowest = max(METHOD_STEP_SECONDS.values())
    total = 0.0
    for method in methods:
        point = LBFGS_POINT_STEP_SECONDS if method == "lbfgs" else UNRECORDED_POINT_STEP_SECONDS
        total += steps * (STEP_SECONDS + METHOD_STEP_SECONDS.get(method, slowest) + runs * point)
    return total


def most_unrecorded_steps(methods: Sequence[str], runs: int, max_seconds: float) -> int:
    """The most steps such runs may take within ``max_seconds``."""
    per_step = unrecorded_seconds(methods, runs, 1)
    return int(max_seconds / per_step) if per_step > 0 else 0


def most_unrecorded_runs(methods: Sequence[str], steps: int, max_seconds: float) -> int:
    """The most runs of each method in ``methods``, ``steps`` steps each, within ``max_seconds``."""
    fixed = unrecorded_seconds(methods, 0, steps)
    per_run = unrecorded_seconds(methods, 1, steps) - fixed
    return max(0, int((max_seconds - fixed) / per_run)) if per_run > 0 else 0
