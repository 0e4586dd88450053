"""Race optimizers on a data fit: each step on a batch, every figure on all the data.

A step of an optimizer with batch size k is exactly a ``torch.optim`` step on
the mean loss over the step's batch (drawn as torch's DataLoader draws them,
see :mod:`batches`); optimizers with the same batch size see the same batches.
What a run records at each point is the full-data loss and gradient, so runs
stop on the full-data gradient norm (``tol``) and diverge as typed functions'
runs do.  Also recorded: the loss of each step's batch at the point where its
gradient was taken, and how many examples had been used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gdplayground.core.data.batches import Batches, draw_batches
from gdplayground.core.data.objective import DataObjective
from gdplayground.core.optimizers import OPTIMIZERS, OptimizerConfig
from gdplayground.core.steppers import (
    HESSIAN_INDEFINITE,
    HESSIAN_SINGULAR,
    Stepper,
    make_stepper,
)
from gdplayground.core.trajectory import (
    CHECK_EVERY,
    CONVERGED,
    DEFAULT_STEPS,
    DEFAULT_TOL,
    DIVERGED,
    HUGE_COORDINATE,
    HUGE_VALUE,
    INDEFINITE_HESSIAN,
    MAX_STEPS,
    SINGULAR_HESSIAN,
    Trajectory,
    classify_stationary,
)

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class FitRun:
    """One optimizer's run on a data fit from one start.

    ``trajectory`` holds the path and the full-data loss and gradient at every
    point (as for a typed function).  ``batch_values[k-1]`` is the loss over step
    k's batch at ``points[k-1]``, where its gradient was taken; ``examples[i]``
    the examples used by the first i steps (0 at the start); ``batches[k-1]`` the
    example indices of step k when they were recorded, else None.
    """

    trajectory: Trajectory
    batch_size: int | None
    batch_values: Array
    examples: Array
    batches: tuple[Array, ...] | None


@dataclass(eq=False)
class _Group:
    config: OptimizerConfig
    rows: slice
    stepper: Stepper
    batches: Batches
    uses_hessian: bool
    has_velocity: bool


def run_fit(
    objective: DataObjective,
    configs: Sequence[OptimizerConfig],
    batch_sizes: Sequence[int | None],
    starts: Array,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    seed: int = 0,
    record_batches: bool = False,
    check: Callable[[], None] | None = None,
) -> list[list[FitRun]]:
    """Run every config (with its batch size: None is the full batch) from every
    start point; ``result[i][j]`` is ``configs[i]`` from ``starts[j]``.

    All runs are stepped together: a step's batch gradients are evaluated once
    for all runs with that batch size, the full-data figures once for all runs.
    ``check`` is called every ``CHECK_EVERY`` steps and may raise to cancel.
    """
    if steps < 0:
        raise ValueError("steps must be 0 or more")
    if len(batch_sizes) != len(configs):
        raise ValueError("give one batch size per optimizer")
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not configs:
        return []
    count = len(starts)
    drawn: dict[int | None, Batches] = {}
    groups = []
    for i, (config, size) in enumerate(zip(configs, batch_sizes, strict=True)):
        if size not in drawn:
            drawn[size] = draw_batches(objective.n, size, seed, steps)
        info = OPTIMIZERS[config.name]
        groups.append(
            _Group(
                config,
                slice(i * count, (i + 1) * count),
                make_stepper(config.name, config.params, count),
                drawn[size],
                info.uses_hessian,
                info.has_velocity,
            )
        )
    state = _race(objective, groups, np.tile(starts, (len(configs), 1)), steps, tol, check)
    return [
        [
            _fit_run(objective, state, group, group.rows.start + j, start, record_batches)
            for j, start in enumerate(starts)
        ]
        for group in groups
    ]


@dataclass(eq=False)
class _State:
    """Every run's history: step k of row r at [k, r]; after a run's last point nan."""

    points: Array  # (steps+1, rows, 2)
    values: Array  # (steps+1, rows)
    gradients: Array  # (steps+1, rows, 2)
    velocities: Array  # (steps+1, rows, 2)
    batch_values: Array  # (steps, rows)
    last: Array  # (rows,) step of each run's last point
    status: list[str]
    stopped_at: list[int | None]


@np.errstate(all="ignore")
def _race(
    objective: DataObjective,
    groups: list[_Group],
    starts: Array,
    steps: int,
    tol: float,
    check: Callable[[], None] | None,
) -> _State:
    rows = len(starts)
    state = _State(
        points=np.full((steps + 1, rows, 2), np.nan),
        values=np.full((steps + 1, rows), np.nan),
        gradients=np.full((steps + 1, rows, 2), np.nan),
        velocities=np.zeros((steps + 1, rows, 2)),
        batch_values=np.full((steps, rows), np.nan),
        last=np.zeros(rows, dtype=np.int64),
        status=[MAX_STEPS] * rows,
        stopped_at=[None] * rows,
    )
    active = np.ones(rows, dtype=bool)
    state.points[0] = starts
    _evaluate(objective, state, 0)
    _end_finished(state, active, tol, 0)
    by_batches: dict[int, list[_Group]] = {}
    for group in groups:
        by_batches.setdefault(id(group.batches), []).append(group)
    for k in range(1, steps + 1):
        live = [g for g in groups if active[g.rows].any()]
        if not live:
            break
        if check is not None and k % CHECK_EVERY == 0:
            check()
        p = state.points[k - 1]
        new = state.points[k]
        for members in by_batches.values():
            members = [g for g in members if g in live]
            if members:
                _step(objective, state, members, p, new, k)
        _end_stuck(state, active, live, k)
        for group in live:
            v = group.stepper.velocity
            if group.has_velocity and v is not None:
                state.velocities[k, group.rows] = v
        _evaluate(objective, state, k)
        _end_finished(state, active, tol, k)
    state.last[active] = steps  # the loop ends early only when no run is left
    return state


def _step(
    objective: DataObjective, state: _State, members: list[_Group], p: Array, new: Array, k: int
) -> None:
    """Step the groups sharing one batch order: one batch evaluation for all their rows."""
    batches = members[0].batches
    index = None if batches.batch_size is None else batches.batch(k)  # None: every example
    rows = np.concatenate([np.arange(g.rows.start, g.rows.stop) for g in members])
    f, gw, gb = objective.batch_value_and_gradient(p[rows, 0], p[rows, 1], index)
    state.batch_values[k - 1, rows] = f
    g = np.stack([gw, gb], axis=1)
    at = 0
    for group in members:
        size = group.rows.stop - group.rows.start
        own = slice(at, at + size)
        at += size
        hessian = None
        if group.uses_hessian:
            pg = p[group.rows]
            hessian = objective.batch_hessian(pg[:, 0], pg[:, 1], index)
        new[group.rows] = group.stepper.step(p[group.rows], g[own], hessian)


def _evaluate(objective: DataObjective, state: _State, k: int) -> None:
    p = state.points[k]
    f, gw, gb = objective.value_and_gradient(p[:, 0], p[:, 1])
    state.values[k] = f
    state.gradients[k, :, 0] = gw
    state.gradients[k, :, 1] = gb


def _ok(p: Array, f: Array, g: Array) -> Array:
    """Rows whose point, value and gradient are all finite and not huge."""
    return (
        (np.abs(p).max(axis=-1) <= HUGE_COORDINATE)
        & (np.abs(f) <= HUGE_VALUE)
        & (np.abs(g).max(axis=-1) <= HUGE_VALUE)
    )


def _end(state: _State, active: Array, rows: Array, status: str, at: int, last: int) -> None:
    for r in np.flatnonzero(rows & active):
        state.status[r] = status
        state.stopped_at[r] = at
        state.last[r] = last
    active &= ~rows


def _end_finished(state: _State, active: Array, tol: float, k: int) -> None:
    """End runs whose point k is bad (diverged: last point k - 1) or whose
    full-data gradient norm is below tol (converged at k)."""
    p, f, g = state.points[k], state.values[k], state.gradients[k]
    ok = _ok(p, f, g)
    if not ok.all():
        _end(state, active, ~ok, DIVERGED, k, max(k - 1, 0))
    if tol > 0:
        _end(state, active, ok & (np.hypot(g[:, 0], g[:, 1]) < tol), CONVERGED, k, k)


_PROBLEMS = ((HESSIAN_SINGULAR, SINGULAR_HESSIAN), (HESSIAN_INDEFINITE, INDEFINITE_HESSIAN))


def _end_stuck(state: _State, active: Array, live: list[_Group], k: int) -> None:
    """End the Newton runs that could not move at step k (last point k - 1)."""
    for group in live:
        problem = getattr(group.stepper, "problem", None)
        if problem is None:
            continue
        for flag, status in _PROBLEMS:
            hit = np.zeros(len(active), dtype=bool)
            hit[group.rows] = problem == flag
            _end(state, active, hit, status, k - 1, k - 1)


def _fit_run(
    objective: DataObjective,
    state: _State,
    group: _Group,
    r: int,
    start: Array,
    record_batches: bool,
) -> FitRun:
    end = int(state.last[r]) + 1
    points = np.ascontiguousarray(state.points[:end, r])
    gradients = np.ascontiguousarray(state.gradients[:end, r])
    status = state.status[r]
    stationary = classify_stationary(objective, points[-1]) if status == CONVERGED else None
    trajectory = Trajectory(
        config=group.config,
        start=(float(start[0]), float(start[1])),
        points=points,
        values=np.ascontiguousarray(state.values[:end, r]),
        gradients=gradients,
        grad_norms=np.hypot(gradients[:, 0], gradients[:, 1]),
        velocities=np.ascontiguousarray(state.velocities[:end, r]) if group.has_velocity else None,
        status=status,
        stopped_at=state.stopped_at[r],
        stationary=stationary,
        # one batch gradient a step; the rate is constant (schedules: not yet for fits)
        evaluations=np.arange(end, dtype=np.int64),
        lrs=np.full(end, float(group.config.params.get("lr", np.nan))),
    )
    taken = end - 1
    sizes = group.batches.sizes()[:taken]
    examples = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    batches = None
    if record_batches:
        batches = tuple(group.batches.batch(k) for k in range(1, taken + 1))
    return FitRun(
        trajectory,
        group.batches.batch_size,
        np.ascontiguousarray(state.batch_values[:taken, r]),
        examples,
        batches,
    )
