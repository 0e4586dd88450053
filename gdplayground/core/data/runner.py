"""Race optimizers on a data fit: each step on a batch, every figure on all the data.

A step of an optimizer with batch size k is exactly a ``torch.optim`` step on
the mean loss over the step's batch (drawn as torch's DataLoader draws them,
see :mod:`batches`); optimizers with the same batch size see the same batches.
Each step goes through the function runner's own stepping
(:func:`~gdplayground.core.trajectory.group_of` and
:func:`~gdplayground.core.trajectory.step_group`), with the batch's mean loss
as the objective: so schedules, clipping, gradient noise, L-BFGS (whose
closure is the batch loss) and Newton (the batch Hessian) behave exactly as
for a typed function.  What a run records at each point is the full-data loss
and gradient, so runs stop on the full-data gradient norm (``tol``) and
diverge as typed functions' runs do.  Also recorded: the loss of each step's
batch at the point where its gradient was taken, how many examples had been
drawn, and how many batch gradients had been evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from gdplayground.core.data.batches import Batches, draw_batches
from gdplayground.core.data.objective import DataObjective
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.steppers import HESSIAN_INDEFINITE, HESSIAN_SINGULAR
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
    counts_and_rates,
    group_of,
    step_group,
)

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class FitRun:
    """One optimizer's run on a data fit from one start.

    ``trajectory`` holds the path and the full-data loss and gradient at every
    point (as for a typed function); its ``evaluations`` count batch gradients
    (one a step, more for L-BFGS, whose closure evaluates the batch loss).
    ``batch_values[k-1]`` is the loss over step k's batch at ``points[k-1]``,
    where its gradient was taken; ``examples[i]`` the examples drawn by the
    first i steps (0 at the start; ``examples / n`` is epochs); ``batches[k-1]``
    the example indices of step k when they were recorded, else None;
    ``drawn`` every step's batch (shared with the runs of the same batch size).
    """

    trajectory: Trajectory
    batch_size: int | None
    batch_values: Array
    examples: Array
    batches: tuple[Array, ...] | None
    drawn: Batches | None = None


class BatchLoss:
    """The mean loss over the current batch, as the objective a step sees: what
    L-BFGS's closure evaluates and where Newton's Hessian comes from.  ``index``
    (None: every example) is set before each step."""

    def __init__(self, objective: DataObjective) -> None:
        self.data_objective = objective
        self.mode = objective.mode
        self.index: Array | None = None

    def value(self, w: Array, b: Array) -> Array:
        return self.data_objective.batch_value(w, b, self.index)

    def value_and_gradient(self, w: Array, b: Array) -> tuple[Array, Array, Array]:
        return self.data_objective.batch_value_and_gradient(w, b, self.index)

    def gradient(self, w: Array, b: Array) -> tuple[Array, Array]:
        _, gw, gb = self.value_and_gradient(w, b)
        return gw, gb

    def hessian(self, w: Array, b: Array) -> tuple[Array, Array, Array]:
        return self.data_objective.batch_hessian(w, b, self.index)


@dataclass(eq=False)
class _Order:
    """One batch order and the runs that follow it (one group per config)."""

    batches: Batches
    loss: BatchLoss
    groups: list  # trajectory groups, each with its global rows


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
    ``seed`` fixes the batches and any gradient noise.  ``check`` is called every
    ``CHECK_EVERY`` steps and may raise to cancel.
    """
    if steps < 0:
        raise ValueError("steps must be 0 or more")
    if len(batch_sizes) != len(configs):
        raise ValueError("give one batch size per optimizer")
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not configs:
        return []
    count = len(starts)
    orders: dict[int | None, _Order] = {}
    groups = []
    for i, (config, size) in enumerate(zip(configs, batch_sizes, strict=True)):
        order = orders.get(size)
        if order is None:
            order = orders[size] = _Order(
                draw_batches(objective.n, size, seed, steps), BatchLoss(objective), []
            )
        # the runner's stepping of ``count`` rows, placed on this config's rows of the race
        group = group_of(config, count, order.loss, steps, seed)
        group = replace(group, rows=slice(i * count, (i + 1) * count))
        order.groups.append(group)
        groups.append((group, order))
    state = _race(
        objective, list(orders.values()), np.tile(starts, (len(configs), 1)), steps, tol, check
    )
    return [
        [
            _fit_run(objective, state, group, order.batches, j, start, record_batches)
            for j, start in enumerate(starts)
        ]
        for group, order in groups
    ]


@dataclass(eq=False)
class _State:
    """Every run's history: step k of row r at [k, r]; after a run's last point nan."""

    points: Array  # (steps+1, rows, 2)
    values: Array  # (steps+1, rows)
    gradients: Array  # (steps+1, rows, 2)
    velocities: Array  # (steps+1, rows, 2)
    evaluations: Array  # (steps+1, rows) L-BFGS's counts (others: the step numbers)
    lrs: Array  # (steps+1, rows) plateau schedules' rates (others: from the config)
    batch_values: Array  # (steps, rows)
    last: Array  # (rows,) step of each run's last point
    status: list[str]
    stopped_at: list[int | None]


@np.errstate(all="ignore")
def _race(
    objective: DataObjective,
    orders: list[_Order],
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
        evaluations=np.zeros((steps + 1, rows), dtype=np.int64),
        lrs=np.full((steps + 1, rows), np.nan),
        batch_values=np.full((steps, rows), np.nan),
        last=np.zeros(rows, dtype=np.int64),
        status=[MAX_STEPS] * rows,
        stopped_at=[None] * rows,
    )
    active = np.ones(rows, dtype=bool)
    state.points[0] = starts
    _evaluate(objective, state, 0)
    _keep_extras(state, [g for o in orders for g in o.groups], 0)
    _end_finished(state, active, tol, 0)
    f = np.full(rows, np.nan)
    g = np.full((rows, 2), np.nan)
    for k in range(1, steps + 1):
        live = [gr for o in orders for gr in o.groups if active[gr.rows].any()]
        if not live:
            break
        if check is not None and k % CHECK_EVERY == 0:
            check()
        p = state.points[k - 1]
        new = state.points[k]
        for order in orders:
            members = [gr for gr in order.groups if active[gr.rows].any()]
            if members:
                _step(objective, state, order, members, p, new, f, g, active, k)
        _end_stuck(state, active, live, k)
        for group in live:
            v = group.stepper.velocity
            if group.has_velocity and v is not None:
                state.velocities[k, group.rows] = v
        _evaluate(objective, state, k)
        for group in live:
            if group.per_row_lr:
                group.schedule.after_step(state.values[k, group.rows])
        _keep_extras(state, live, k)
        _end_finished(state, active, tol, k)
    state.last[active] = steps  # the loop ends early only when no run is left
    return state


def _step(
    objective: DataObjective,
    state: _State,
    order: _Order,
    members: list,
    p: Array,
    new: Array,
    f: Array,
    g: Array,
    active: Array,
    k: int,
) -> None:
    """Step the groups sharing one batch order: one batch evaluation for all their rows."""
    batches = order.batches
    index = None if batches.batch_size is None else batches.batch(k)  # None: every example
    order.loss.index = index
    rows = np.concatenate([np.arange(gr.rows.start, gr.rows.stop) for gr in members])
    fb, gw, gb = objective.batch_value_and_gradient(p[rows, 0], p[rows, 1], index)
    state.batch_values[k - 1, rows] = fb
    f[rows] = fb
    g[rows, 0] = gw
    g[rows, 1] = gb
    for group in members:
        new[group.rows] = step_group(order.loss, group, k, p, g, f, active)


def _keep_extras(state: _State, groups: list, k: int) -> None:
    """L-BFGS's evaluation counts and plateau schedules' rates after step ``k``."""
    for group in groups:
        if group.lbfgs:
            state.evaluations[k, group.rows] = group.stepper.func_evals
        if group.per_row_lr:
            state.lrs[k, group.rows] = group.schedule.lr


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


def _end_stuck(state: _State, active: Array, live: list, k: int) -> None:
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
    group,
    batches: Batches,
    j: int,
    start: Array,
    record_batches: bool,
) -> FitRun:
    r = group.rows.start + j
    end = int(state.last[r]) + 1
    points = np.ascontiguousarray(state.points[:end, r])
    gradients = np.ascontiguousarray(state.gradients[:end, r])
    status = state.status[r]
    stationary = classify_stationary(objective, points[-1]) if status == CONVERGED else None
    evaluations, lrs = counts_and_rates(group, end, r, state.evaluations, state.lrs)
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
        evaluations=evaluations,
        lrs=lrs,
    )
    taken = end - 1
    sizes = batches.sizes()[:taken]
    examples = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    recorded = None
    if record_batches:
        recorded = tuple(batches.batch(k) for k in range(1, taken + 1))
    return FitRun(
        trajectory,
        batches.batch_size,
        np.ascontiguousarray(state.batch_values[:taken, r]),
        examples,
        recorded,
        batches,
    )
