"""Run an optimizer from many start points at once and record what happened.

A run stops at ``steps``; when the gradient norm falls below ``tol``
(``converged``); when a point, value or gradient becomes non-finite or huge
(``diverged``: the path keeps its last finite point); or, for Newton, when the
Hessian is singular or not positive definite.  Converged runs say what kind of
stationary point they reached, so a saddle is never called a minimum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gdplayground.core.gradients import GRADIENT_STEP, Objective
from gdplayground.core.optimizers import (
    HESSIAN_INDEFINITE,
    HESSIAN_SINGULAR,
    OPTIMIZERS,
    OptimizerConfig,
    Stepper,
    make_stepper,
)

Array = np.ndarray

#: Beyond these magnitudes a run counts as diverged (the next step would overflow).
HUGE_COORDINATE = 1e10
HUGE_VALUE = 1e200

CONVERGED, DIVERGED, MAX_STEPS = "converged", "diverged", "max_steps"
SINGULAR_HESSIAN, INDEFINITE_HESSIAN = "singular_hessian", "indefinite_hessian"
STATUSES = (CONVERGED, DIVERGED, MAX_STEPS, SINGULAR_HESSIAN, INDEFINITE_HESSIAN)
_CODES = {name: i for i, name in enumerate(STATUSES)}

DEFAULT_STEPS = 100
DEFAULT_TOL = 1e-10
#: Long runs call their ``check`` callback every this many steps.
CHECK_EVERY = 256


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's path from one start point.

    ``points[i]`` is the point after ``i`` steps (``points[0]`` is the start).
    ``stopped_at`` is the step at which the run ended early (converged, diverged
    or met a bad Hessian), or None when it used all its steps.
    """

    config: OptimizerConfig
    start: tuple[float, float]
    points: Array
    values: Array
    gradients: Array
    grad_norms: Array
    velocities: Array | None
    status: str
    stopped_at: int | None
    stationary: str | None

    @property
    def steps(self) -> int:
        """Steps taken that produced a finite point."""
        return len(self.points) - 1

    @property
    def message(self) -> str:
        """A short human description of how the run ended."""
        if self.status == CONVERGED:
            kind = f" ({self.stationary})" if self.stationary else ""
            return f"converged at step {self.stopped_at}{kind}"
        if self.status == DIVERGED and self.stopped_at == 0:
            return self._start_problem()
        if self.status == DIVERGED:
            return f"diverged at step {self.stopped_at}"
        if self.status == SINGULAR_HESSIAN:
            return f"stopped at step {self.stopped_at}: the Hessian is singular"
        if self.status == INDEFINITE_HESSIAN:
            return f"stopped at step {self.stopped_at}: the Hessian is not positive definite"
        return f"ran {self.steps} steps"

    def _start_problem(self) -> str:
        """Why a run could not take its first step: which of point, f, gradient failed."""
        point, value, gradient = self.points[0], self.values[0], self.gradients[0]
        if not np.isfinite(point).all() or (np.abs(point) > HUGE_COORDINATE).any():
            return "the start point is too far out: move the start"
        if not np.isfinite(value) or abs(value) > HUGE_VALUE:
            return "f is undefined at the start point: move the start"
        if not np.isfinite(gradient).all() or (np.abs(gradient) > HUGE_VALUE).any():
            return (
                f"the gradient is undefined at the start point (f = {value:.4g} there): "
                "move the start"
            )
        return "could not start: move the start"


@dataclass(frozen=True, eq=False)
class NamedRun:
    """A trajectory with the label it is shown under (e.g. "adam" or "Adam lr=0.1")."""

    name: str
    trajectory: Trajectory


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Raw arrays of a batched run; histories are None when not recorded."""

    points: Array  # (steps+1, n, 2) or final (n, 2)
    values: Array  # (steps+1, n) or final (n,)
    gradients: Array  # (steps+1, n, 2) or final (n, 2)
    velocities: Array | None
    last: Array  # (n,) index of each run's last recorded point
    status: Array  # (n,) codes into STATUSES
    stopped_at: Array  # (n,) step at which the run stopped early, -1 if it did not


def _bad(p: Array, f: Array, g: Array) -> Array:
    """Rows whose point, value or gradient is non-finite or huge.

    ``|v| <= limit`` is false for nan and inf too, so one comparison per
    column covers both (and avoids slow reductions along the short axis).
    """
    ok = np.abs(p[:, 0]) <= HUGE_COORDINATE
    ok &= np.abs(p[:, 1]) <= HUGE_COORDINATE
    ok &= np.abs(f) <= HUGE_VALUE
    ok &= np.abs(g[:, 0]) <= HUGE_VALUE
    ok &= np.abs(g[:, 1]) <= HUGE_VALUE
    return ~ok


def _any(rows: Array) -> bool:
    """``rows.any()`` for a boolean array, without numpy's Python-level wrapper."""
    return np.count_nonzero(rows) > 0


def _evaluate(objective: Objective, p: Array) -> tuple[Array, Array]:
    f, gx, gy = objective.value_and_gradient(p[:, 0], p[:, 1])
    g = np.empty((len(p), 2))
    g[:, 0] = gx
    g[:, 1] = gy
    return f, g


@dataclass(frozen=True, eq=False)
class _Group:
    """The rows of one optimizer inside a combined run, and its stepper."""

    config: OptimizerConfig
    rows: slice
    stepper: Stepper
    uses_hessian: bool
    has_velocity: bool


def _groups(configs: Sequence[OptimizerConfig], count: int) -> list[_Group]:
    """One group of ``count`` consecutive rows per config."""
    groups = []
    for i, config in enumerate(configs):
        info = OPTIMIZERS[config.name]
        rows = slice(i * count, (i + 1) * count)
        stepper = make_stepper(config, count)
        groups.append(_Group(config, rows, stepper, info.uses_hessian, info.has_velocity))
    return groups


def _step(objective: Objective, groups: list[_Group], p: Array, g: Array, active: Array) -> Array:
    """Every group's stepper moves its own rows; groups whose runs all stopped stay put."""
    if len(groups) == 1 and groups[0].rows == slice(0, len(p)):
        return _step_group(objective, groups[0], p, g)
    new_p = p.copy()
    for group in groups:
        if _any(active[group.rows]):
            new_p[group.rows] = _step_group(objective, group, p[group.rows], g[group.rows])
    return new_p


def _step_group(objective: Objective, group: _Group, p: Array, g: Array) -> Array:
    """The group's new points (call with floating-point warnings off)."""
    hessian = objective.hessian(p[:, 0], p[:, 1]) if group.uses_hessian else None
    return group.stepper.step(p, g, hessian)


def run_batch(
    objective: Objective,
    config: OptimizerConfig,
    starts: Array,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    record: bool = True,
) -> BatchResult:
    """Step every start point together; each run stops on its own.

    With ``record=False`` only the final state is kept (for many start points).
    """
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    return _run(objective, _groups([config], len(starts)), starts, steps, tol, record)


@np.errstate(all="ignore")  # nan and inf are dealt with here, never warned about
def _run(
    objective: Objective,
    groups: list[_Group],
    starts: Array,
    steps: int,
    tol: float,
    record: bool,
    check: Callable[[], None] | None = None,
) -> BatchResult:
    """Step the rows of every group together, one evaluation of f per step for all.

    Rows never affect each other, so each row's run is the same as it would
    be alone; rows that have stopped keep their last state.  ``check`` is
    called every ``CHECK_EVERY`` steps and may raise to abandon the run.
    """
    if steps < 0:
        raise ValueError("steps must be 0 or more")
    p = np.array(starts, dtype=np.float64).reshape(-1, 2)
    n = len(p)
    f, g = _evaluate(objective, p)
    status = np.full(n, _CODES[MAX_STEPS], dtype=np.int8)
    stopped_at = np.full(n, -1, dtype=np.int64)
    last = np.zeros(n, dtype=np.int64)
    bad = _bad(p, f, g)
    status[bad] = _CODES[DIVERGED]
    stopped_at[bad] = 0
    active = ~bad
    done = active & _converged(g, tol)
    status[done] = _CODES[CONVERGED]
    stopped_at[done] = 0
    active &= ~done

    hist = _History(steps, n, record, any(group.has_velocity for group in groups))
    hist.store(0, p, f, g, groups, np.ones(n, dtype=bool))
    checked = [group for group in groups if hasattr(group.stepper, "problem")]
    problems = ((HESSIAN_SINGULAR, _CODES[SINGULAR_HESSIAN]),
                (HESSIAN_INDEFINITE, _CODES[INDEFINITE_HESSIAN]))  # fmt: skip
    for k in range(1, steps + 1):
        if not _any(active):
            break
        if check is not None and k % CHECK_EVERY == 0:
            check()
        new_p = _step(objective, groups, p, g, active)
        for group in checked:
            for problem, code in problems:
                hit = np.zeros(n, dtype=bool)
                hit[group.rows] = group.stepper.problem == problem
                hit &= active
                if _any(hit):
                    status[hit] = code
                    stopped_at[hit] = k - 1
                    active &= ~hit
        new_f, new_g = _evaluate(objective, new_p)
        bad = active & _bad(new_p, new_f, new_g)
        if _any(bad):
            status[bad] = _CODES[DIVERGED]
            stopped_at[bad] = k
            active &= ~bad
        np.copyto(last, k, where=active)
        hist.store(k, new_p, new_f, new_g, groups, active)
        if np.count_nonzero(active) == n:  # the usual case: every run takes its step
            p, f, g = new_p, new_f, new_g
        else:
            keep = active[:, None]
            p = np.where(keep, new_p, p)
            f = np.where(active, new_f, f)
            g = np.where(keep, new_g, g)
        if tol > 0:
            done = active & _converged(g, tol)
            if _any(done):
                status[done] = _CODES[CONVERGED]
                stopped_at[done] = k
                active &= ~done
    if record:
        return BatchResult(
            hist.points, hist.values, hist.gradients, hist.velocities, last, status, stopped_at
        )
    return BatchResult(p, f, g, _final_velocity(groups, n), last, status, stopped_at)


def _final_velocity(groups: list[_Group], n: int) -> Array | None:
    if len(groups) == 1:
        return groups[0].stepper.velocity
    if all(group.stepper.velocity is None for group in groups):
        return None
    velocity = np.zeros((n, 2))
    for group in groups:
        if group.stepper.velocity is not None:
            velocity[group.rows] = group.stepper.velocity
    return velocity


def _converged(g: Array, tol: float) -> Array:
    if tol <= 0:
        return np.zeros(len(g), dtype=bool)
    return np.hypot(g[:, 0], g[:, 1]) < tol


class _History:
    """Preallocated per-step arrays; rows of stopped runs stay unwritten."""

    def __init__(self, steps: int, n: int, record: bool, velocity: bool) -> None:
        self.record = record
        if not record:
            return
        self.points = np.full((steps + 1, n, 2), np.nan)
        self.values = np.full((steps + 1, n), np.nan)
        self.gradients = np.full((steps + 1, n, 2), np.nan)
        self.velocities = np.zeros((steps + 1, n, 2)) if velocity else None

    def store(
        self, k: int, p: Array, f: Array, g: Array, groups: list[_Group], rows: Array
    ) -> None:
        if not self.record:
            return
        if np.count_nonzero(rows) == len(rows):  # every row: plain copies
            self.points[k] = p
            self.values[k] = f
            self.gradients[k] = g
            if self.velocities is not None:
                for group in groups:
                    v = group.stepper.velocity
                    if group.has_velocity and v is not None:
                        self.velocities[k, group.rows] = v
            return
        self.points[k, rows] = p[rows]
        self.values[k, rows] = f[rows]
        self.gradients[k, rows] = g[rows]
        if self.velocities is None:
            return
        for group in groups:
            v = group.stepper.velocity
            if group.has_velocity and v is not None:
                mine = rows[group.rows]
                self.velocities[k, group.rows][mine] = v[mine]


def classify_stationary(objective: Objective, point: Array, scale: float = 1e-6) -> str:
    """Name the stationary point at ``point`` from the Hessian's eigenvalues.

    The Hessian comes from central differences of the gradient already compiled
    for the run (exact in symbolic mode), so classifying never differentiates
    symbolically: that can take seconds for a long formula.
    """
    a, b, c = _hessian_at(objective, np.asarray(point, dtype=np.float64))
    if not all(np.isfinite([a, b, c])):
        return "degenerate"
    eig = np.linalg.eigvalsh(np.array([[a, b], [b, c]]))
    tol = scale * max(1.0, float(np.max(np.abs(eig))))
    if eig[0] > tol:
        return "minimum"
    if eig[1] < -tol:
        return "maximum"
    if eig[0] < -tol and eig[1] > tol:
        return "saddle"
    return "degenerate"


def _hessian_at(objective: Objective, point: Array) -> tuple[float, float, float]:
    """(fxx, fxy, fyy) at one point by central differences of the gradient."""
    if objective.mode != "symbolic":
        return tuple(float(v[0]) for v in objective.hessian(point[0:1], point[1:2]))  # type: ignore[return-value]
    h = GRADIENT_STEP * np.maximum(1.0, np.abs(point))
    xs = np.array([point[0] + h[0], point[0] - h[0], point[0], point[0]])
    ys = np.array([point[1], point[1], point[1] + h[1], point[1] - h[1]])
    gx, gy = objective.gradient(xs, ys)
    with np.errstate(all="ignore"):
        fxx = (gx[0] - gx[1]) / (xs[0] - xs[1])
        fyy = (gy[2] - gy[3]) / (ys[2] - ys[3])
        fxy = 0.5 * ((gy[0] - gy[1]) / (xs[0] - xs[1]) + (gx[2] - gx[3]) / (ys[2] - ys[3]))
    return float(fxx), float(fxy), float(fyy)


def run_trajectories(
    objective: Objective,
    config: OptimizerConfig,
    starts: Array,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
) -> list[Trajectory]:
    """Run ``config`` from every start point (shape ``(n, 2)``) in one vectorised batch."""
    return run_many(objective, [config], starts, steps, tol)[0]


def run_many(
    objective: Objective,
    configs: Sequence[OptimizerConfig],
    starts: Array,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    check: Callable[[], None] | None = None,
) -> list[list[Trajectory]]:
    """Run every config from every start point, all in one batch.

    ``result[i][j]`` is ``configs[i]`` from ``starts[j]``: the same trajectory
    as :func:`run_trajectory` gives, but f and its gradient are evaluated once
    per step for all runs together, which is what makes racing many
    optimizers cheap.  ``check`` is called now and then during a long run and
    may raise (e.g. to cancel it).
    """
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not configs:
        return []
    groups = _groups(configs, len(starts))
    tiled = np.tile(starts, (len(configs), 1))
    batch = _run(objective, groups, tiled, steps, tol, record=True, check=check)
    return [
        [
            _trajectory(objective, batch, group, group.rows.start + j, start)
            for j, start in enumerate(starts)
        ]
        for group in groups
    ]


def _trajectory(
    objective: Objective, batch: BatchResult, group: _Group, i: int, start: Array
) -> Trajectory:
    """Row ``i`` of a recorded batch as one Trajectory."""
    end = int(batch.last[i]) + 1
    pts = np.ascontiguousarray(batch.points[:end, i])
    grads = np.ascontiguousarray(batch.gradients[:end, i])
    vel = None
    if group.has_velocity and batch.velocities is not None:
        vel = np.ascontiguousarray(batch.velocities[:end, i])
    status = STATUSES[batch.status[i]]
    stationary = classify_stationary(objective, pts[-1]) if status == CONVERGED else None
    return Trajectory(
        config=group.config,
        start=(float(start[0]), float(start[1])),
        points=pts,
        values=np.ascontiguousarray(batch.values[:end, i]),
        gradients=grads,
        grad_norms=np.hypot(grads[:, 0], grads[:, 1]),
        velocities=vel,
        status=status,
        stopped_at=None if batch.stopped_at[i] < 0 else int(batch.stopped_at[i]),
        stationary=stationary,
    )


def run_trajectory(
    objective: Objective,
    config: OptimizerConfig,
    start: tuple[float, float],
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
) -> Trajectory:
    """Run ``config`` from one start point."""
    return run_trajectories(objective, config, np.array([start]), steps, tol)[0]
