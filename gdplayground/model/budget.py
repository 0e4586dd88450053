"""What a request costs, known before it runs: the memory of its trajectories and its time.

The rules (:func:`gdplayground.model.rules.work_problem`) refuse a request
over budget with a message saying what to lower, before anything is
allocated or computed; the numbers are in :mod:`gdplayground.model.limits`.
"""

from __future__ import annotations

from collections.abc import Sequence

from gdplayground.model.limits import (
    BYTES_PER_POINT,
    METHOD_STEP_SECONDS,
    POINT_STEP_SECONDS,
    STEP_SECONDS,
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
    per_step = STEP_SECONDS + sum(METHOD_STEP_SECONDS.get(m, slowest) for m in methods)
    return steps * (per_step + len(methods) * starts * POINT_STEP_SECONDS)


def most_steps(methods: Sequence[str], starts: int, max_points: int, max_seconds: float) -> int:
    """The most steps these runs may take within both budgets."""
    runs = max(1, len(methods) * starts)
    by_memory = max_points // runs - 1
    per_step = run_seconds(methods, starts, 1)
    by_time = int(max_seconds / per_step) if per_step > 0 else by_memory
    return max(0, min(by_memory, by_time))
