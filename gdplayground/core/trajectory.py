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
from typing import TYPE_CHECKING, Any

import numpy as np

from gdplayground.core.clipping import clip_gradients
from gdplayground.core.differences import GRADIENT_STEP
from gdplayground.core.lbfgs import LBFGS
from gdplayground.core.noise import NOISE, step_noise
from gdplayground.core.optimizers import OPTIMIZERS, OptimizerConfig
from gdplayground.core.schedules import LrSchedule, make_schedule
from gdplayground.core.steppers import (
    HESSIAN_INDEFINITE,
    HESSIAN_SINGULAR,
    Stepper,
    make_stepper,
)

if TYPE_CHECKING:  # (the function language, and sympy, load only where a function is compiled)
    from gdplayground.core.gradients import Objective

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
#: Long runs call their ``check`` callback every this many steps (a newer request
#: cancels a run within ~0.1 s even when a step races 64 Newton runs).
CHECK_EVERY = 16
#: Runs are looked at for having diverged or converged a block of steps at a
#: time, in the history: after steps 1, 3, 7, 15 and then every ``END_BLOCK``
#: steps (numpy calls on a few points cost the same for a block of them).
#: Blocks shrink to hold no more than ``END_POINTS`` points (but one step at least).
END_BLOCK = 16
END_POINTS = 4096


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's path from one start point.

    ``points[i]`` is the point after ``i`` steps (``points[0]`` is the start).
    ``stopped_at`` is the step at which the run ended early (converged, diverged
    or met a bad Hessian), or None when it used all its steps.
    ``evaluations[i]`` is how many times f and its gradient had been evaluated
    to reach ``points[i]`` (0 at the start, i for one evaluation a step, more
    for L-BFGS; evaluations only to show or schedule the run do not count).
    ``lrs[i]`` is the learning rate of the step from ``points[i]`` (under a
    schedule, its value after i scheduler steps; the last entry is what a
    further step would use).
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
    evaluations: Array
    lrs: Array

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
        if np.isnan(value):
            return "f is undefined at the start point: move the start"
        if not abs(value) <= HUGE_VALUE:
            return _too_large("f", value)
        if np.isnan(gradient).any():
            return (
                f"the gradient is undefined at the start point (f = {value:.4g} there): "
                "move the start"
            )
        if not (np.abs(gradient) <= HUGE_VALUE).all():
            return _too_large("the gradient", float(np.max(np.abs(gradient))))
        return "could not start: move the start"


def _too_large(what: str, value: float) -> str:
    """Why a run cannot start where f (or its gradient) overflows or is nearly as large."""
    if np.isinf(value):
        return (
            f"{what} overflows float64 at the start point (its size is beyond 1.8e308): "
            "rescale f, or move the start"
        )
    return (
        f"{what} is {value:.3g} at the start point, too large to step from (runs stop "
        f"beyond {HUGE_VALUE:g}, near where float64 overflows): rescale f, or move the start"
    )


@dataclass(frozen=True, eq=False)
class NamedRun:
    """A trajectory with the label it is shown under (e.g. "adam" or "Adam lr=0.1");
    for a fit to data, its ``FitRun`` too (batches, batch losses, examples)."""

    name: str
    trajectory: Trajectory
    fit: Any = None


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Raw arrays of a batched run: every step's, or each run's final state.

    In a recorded history the entries after a run's last point are nan
    (velocities 0, evaluations -1).  ``velocities`` is None when no method
    carries one.  ``evaluations`` is kept only where some method evaluates f
    during a step (L-BFGS) and ``lrs`` only where a learning rate depends on
    the path (a plateau schedule), each for those methods' rows; otherwise
    they are None (evaluations are then the step numbers, and learning rates
    follow from the configs).
    """

    points: Array  # (steps+1, n, 2) or final (n, 2)
    values: Array  # (steps+1, n) or final (n,)
    gradients: Array  # (steps+1, n, 2) or final (n, 2)
    velocities: Array | None
    last: Array  # (n,) index of each run's last recorded point
    status: Array  # (n,) codes into STATUSES
    stopped_at: Array  # (n,) step at which the run stopped early, -1 if it did not
    evaluations: Array | None = None  # (steps+1, n) or final (n,), int
    lrs: Array | None = None  # (steps+1, n) or final (n,)


def _ok(p: Array, f: Array, g: Array) -> Array:
    """Rows whose point, value and gradient are all finite and not huge.

    ``|v| <= limit`` is false for nan and inf too, and ``np.maximum`` passes
    nan on, so two comparisons cover the five numbers of a row (without slow
    reductions along the short axis).
    """
    ap, ag = np.abs(p), np.abs(g)
    ok = np.maximum(ap[..., 0], ap[..., 1]) <= HUGE_COORDINATE
    ok &= np.maximum(np.maximum(ag[..., 0], ag[..., 1]), np.abs(f)) <= HUGE_VALUE
    return ok


def _any(rows: Array) -> bool:
    """``rows.any()`` for a boolean array, without numpy's Python-level wrapper."""
    return np.count_nonzero(rows) > 0


@dataclass(frozen=True, eq=False)
class _Group:
    """The rows of one optimizer inside a combined run, its stepper, its learning-rate
    schedule (None for a constant rate), its clipping (None when off) and the
    noise added to the gradient of each step ((steps, 2), None when off)."""

    config: OptimizerConfig
    rows: slice
    stepper: Stepper
    uses_hessian: bool
    has_velocity: bool
    schedule: LrSchedule | None = None
    clip: tuple[float, float] | None = None
    noise: Array | None = None

    @property
    def lbfgs(self) -> bool:
        return isinstance(self.stepper, LBFGS)

    @property
    def per_row_lr(self) -> bool:
        return self.schedule is not None and self.schedule.per_row


def _groups(
    configs: Sequence[OptimizerConfig],
    count: int,
    objective: Objective,
    steps: int,
    seed: int = 0,
) -> list[_Group]:
    """One group of ``count`` consecutive rows per config, for a run of ``steps``
    (``seed`` fixes the gradient noise of configs with ``noise``).

    Raises OptimizerError where a schedule cannot run that long (see
    :func:`schedules.resolve_schedule`).
    """
    groups = []
    for i, config in enumerate(configs):
        info = OPTIMIZERS[config.name]
        own = [h.name for h in info.hyperparameters]
        rows = slice(i * count, (i + 1) * count)
        if info.uses_objective:
            stepper: Stepper = LBFGS(config.params, count, objective)
        else:
            stepper = make_stepper(config.name, config.params, count)
        schedule = make_schedule(config.params, own, steps, count)
        norm = float(config.params.get("clip_norm", 0.0))
        value = float(config.params.get("clip_value", 0.0))
        clip = (norm, value) if norm or value else None
        noise = step_noise(float(config.params.get(NOISE.name, 0.0)), seed, steps)
        groups.append(
            _Group(
                config, rows, stepper, info.uses_hessian, info.has_velocity, schedule, clip, noise
            )
        )
    return groups


def _step_group(
    objective: Objective, group: _Group, k: int, p: Array, g: Array, f: Array, active: Array
) -> Array:
    """The group's new points at step ``k``, from the points ``p``, gradients ``g`` and
    values ``f`` of all rows (call with floating-point warnings off)."""
    rows = group.rows
    if group.schedule is not None:
        group.schedule.before_step(k, group.stepper.p)
    if group.lbfgs:
        return group.stepper.step_rows(p[rows], f[rows], g[rows], active[rows])  # type: ignore[attr-defined]
    p, g = p[rows], g[rows]
    if group.noise is not None:
        g = g + group.noise[k - 1]
    if group.clip is not None:
        g = clip_gradients(g, *group.clip)
    hessian = objective.hessian(p[:, 0], p[:, 1]) if group.uses_hessian else None
    return group.stepper.step(p, g, hessian)


def group_of(
    config: OptimizerConfig, count: int, objective: Objective, steps: int, seed: int = 0
) -> _Group:
    """The runner's own stepping of ``count`` rows of ``config`` (its stepper, schedule,
    clipping and noise), for a loop of another shape that must step exactly as the
    runner does.  ``objective`` is what L-BFGS evaluates and Newton's Hessian comes from."""
    return _groups([config], count, objective, steps, seed)[0]


def step_group(
    objective: Objective, group: _Group, k: int, p: Array, g: Array, f: Array, active: Array
) -> Array:
    """Step ``group`` (from :func:`group_of`) as the runner does at step ``k``."""
    return _step_group(objective, group, k, p, g, f, active)


def run_batch(
    objective: Objective,
    config: OptimizerConfig,
    starts: Array,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    record: bool = True,
    seed: int = 0,
    check: Callable[[], None] | None = None,
) -> BatchResult:
    """Step every start point together; each run stops on its own.

    With ``record=False`` only the final state is kept (for many start points).
    ``check`` is called every ``CHECK_EVERY`` steps and may raise to cancel.
    """
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    groups = _groups([config], len(starts), objective, steps, seed)
    return _run(objective, groups, starts, steps, tol, record, check=check)


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
    be alone.  A run that has stopped is not held in place: its row goes on
    being stepped with the rest of its group, and only what it had at its
    last point is kept.  That also lets runs be looked at for having
    diverged or converged a block of steps at a time (see ``END_BLOCK``),
    from the history, which ends each at the step it would have ended alone.
    Once a group's runs have all stopped it is no longer stepped.  ``check``
    is called every ``CHECK_EVERY`` steps and may raise to abandon the run.
    """
    if steps < 0:
        raise ValueError("steps must be 0 or more")
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    n = len(starts)
    block = max(1, min(END_BLOCK, END_POINTS // max(n, 1)))
    kept = _Kept(
        velocities=any(group.has_velocity for group in groups),
        evaluations=any(group.lbfgs for group in groups),
        lrs=any(group.per_row_lr for group in groups),
    )
    # a final-only run keeps the steps not yet looked at, and the one before
    history = _History(steps + 1 if record else min(steps + 1, block + 1), n, kept)
    runs = _Runs(n, history, None if record else _History(1, n, kept))

    history.points[0] = starts
    p = history.points[0]
    g = history.evaluate(objective, 0)
    history.store_velocities(0, groups)
    history.store_extras(0, groups)
    _end_finished(runs, history, tol, 0, 0)
    seen = 0  # steps up to here have been looked at for runs that ended
    live = _live(groups, runs.active)
    for k in range(1, steps + 1):
        if not live:
            break
        if check is not None and k % CHECK_EVERY == 0:
            check()
        new_p = history.points[k % history.size]
        f = history.values[(k - 1) % history.size]
        for group in live:
            new_p[group.rows] = _step_group(objective, group, k, p, g, f, runs.active)
        if any(_stuck(group, runs.active) for group in live):
            _end_finished(runs, history, tol, seen + 1, k - 1)  # earlier ends come first
            seen = k - 1
            for group in live:
                _end_stuck(runs, group, k)
            live = _live(live, runs.active)
        g = history.evaluate(objective, k)
        history.store_velocities(k, live)
        if kept.lrs or kept.evaluations:
            _after_step(history, k, live)
        if k - seen >= min(block, seen + 1) or k == steps:
            if _end_finished(runs, history, tol, seen + 1, k):
                live = _live(live, runs.active)
            seen = k
        p = new_p
    runs.end(runs.active.copy(), _CODES[MAX_STEPS], -1, steps)

    if record:
        if steps > 0 and _any(runs.last < steps):
            history.blank_after(runs.last)
        return BatchResult(
            history.points,
            history.values,
            history.gradients,
            history.velocities,
            runs.last,
            runs.status,
            runs.stopped_at,
            history.evaluations,
            history.lrs,
        )
    final = runs.final
    assert final is not None
    carried = any(group.stepper.velocity is not None for group in groups)
    return BatchResult(
        final.points[0],
        final.values[0],
        final.gradients[0],
        final.velocities[0] if carried and final.velocities is not None else None,
        runs.last,
        runs.status,
        runs.stopped_at,
        None if final.evaluations is None else final.evaluations[0],
        None if final.lrs is None else final.lrs[0],
    )


def _after_step(history: _History, k: int, groups: list[_Group]) -> None:
    """Step the plateau schedules with f at the new points of step ``k``, then keep
    the learning rates and evaluation counts that only the run knows."""
    values = history.values[k % history.size]
    for group in groups:
        if group.per_row_lr:
            group.schedule.after_step(values[group.rows])  # type: ignore[union-attr]
    history.store_extras(k, groups)


def _live(groups: list[_Group], active: Array) -> list[_Group]:
    """The groups with runs still going."""
    return [group for group in groups if _any(active[group.rows])]


_PROBLEMS = (
    (HESSIAN_SINGULAR, _CODES[SINGULAR_HESSIAN]),
    (HESSIAN_INDEFINITE, _CODES[INDEFINITE_HESSIAN]),
)


def _stuck(group: _Group, active: Array) -> bool:
    """Whether the group's stepper could not move some run it just stepped
    (Newton at a singular or indefinite Hessian) that may still be going."""
    problem = getattr(group.stepper, "problem", None)
    return problem is not None and _any(problem) and _any(problem[active[group.rows]])


def _end_stuck(runs: _Runs, group: _Group, k: int) -> None:
    """End the runs of ``group`` that its stepper could not move at step ``k``:
    their last point is step k - 1."""
    problem = getattr(group.stepper, "problem", None)
    if problem is None:
        return
    for flag, code in _PROBLEMS:
        hit = np.zeros(len(runs.active), dtype=bool)
        hit[group.rows] = problem == flag
        hit &= runs.active
        if _any(hit):
            runs.end(hit, code, k - 1, k - 1)


def _end_finished(runs: _Runs, history: _History, tol: float, first: int, last: int) -> bool:
    """End the runs that diverged or converged at one of the steps ``first`` to
    ``last``, at the first such step k of each: a diverged run (bad point,
    value or gradient) has its last point at step k - 1, a converged one
    (gradient norm below ``tol``) at step k.  True if any ended."""
    if first > last:
        return False
    p, f, g = history.steps(first, last)
    ok = _ok(p, f, g)  # (steps, n)
    going = ok & (np.hypot(g[..., 0], g[..., 1]) >= tol) if tol > 0 else ok
    ending = np.greater(runs.active, going)  # active and not going on
    if not _any(ending):
        return False
    n = len(runs.active)
    i = ending.argmax(axis=0)  # each run's first such step, counted from ``first``
    ended = ending[i, np.arange(n)]
    bad = ~ok[i, np.arange(n)]
    at = first + i
    if _any(ended & bad):
        runs.end(ended & bad, _CODES[DIVERGED], at, np.maximum(at - 1, 0))
    if _any(ended & ~bad):
        runs.end(ended & ~bad, _CODES[CONVERGED], at, at)
    return True


@dataclass(frozen=True)
class _Kept:
    """Which optional per-step arrays a history keeps."""

    velocities: bool
    evaluations: bool
    lrs: bool


class _History:
    """Preallocated per-step arrays: step ``k`` is kept in slot ``k % size``.

    A recorded run has a slot for every step; a final-only run needs only the
    steps not yet looked at for runs that ended, and the one before them.
    Every row is written at every step its group is stepped, also after the
    row's run stopped: whatever comes after a run's last point is never read
    (and is blanked in a recorded history, see :meth:`blank_after`).
    """

    def __init__(self, size: int, n: int, kept: _Kept) -> None:
        self.size = size
        self.points = np.full((size, n, 2), np.nan)
        self.values = np.full((size, n), np.nan)
        self.gradients = np.full((size, n, 2), np.nan)
        self.velocities = np.zeros((size, n, 2)) if kept.velocities else None
        self.evaluations = np.zeros((size, n), dtype=np.int64) if kept.evaluations else None
        self.lrs = np.full((size, n), np.nan) if kept.lrs else None

    def evaluate(self, objective: Objective, k: int) -> Array:
        """Evaluate f and its gradient at the points of step ``k`` (already
        stored) and store them too; returns the gradient, a view (n, 2)."""
        s = k % self.size
        p = self.points[s]
        f, gx, gy = objective.value_and_gradient(p[:, 0], p[:, 1])
        self.values[s] = f
        g = self.gradients[s]
        g[:, 0] = gx
        g[:, 1] = gy
        return g

    def steps(self, first: int, last: int) -> tuple[Array, Array, Array]:
        """Points, values and gradients of steps ``first`` to ``last`` (no more
        than ``size`` steps), each with a leading axis of steps."""
        start, count = first % self.size, last - first + 1
        slots = (
            slice(start, start + count)
            if start + count <= self.size
            else np.arange(first, last + 1) % self.size
        )
        return self.points[slots], self.values[slots], self.gradients[slots]

    def store_velocities(self, k: int, groups: list[_Group]) -> None:
        """Store the velocities the groups' steppers carry after step ``k``."""
        if self.velocities is None:
            return
        s = k % self.size
        for group in groups:
            v = group.stepper.velocity
            if group.has_velocity and v is not None:
                self.velocities[s, group.rows] = v

    def store_extras(self, k: int, groups: list[_Group]) -> None:
        """Store the evaluation counts of L-BFGS rows and the per-row learning rates
        of plateau schedules after step ``k``."""
        s = k % self.size
        for group in groups:
            if self.evaluations is not None and group.lbfgs:
                self.evaluations[s, group.rows] = group.stepper.func_evals  # type: ignore[attr-defined]
            if self.lrs is not None and group.per_row_lr:
                self.lrs[s, group.rows] = group.schedule.lr  # type: ignore[union-attr]

    def take(self, rows: Array, source: _History, k: Array) -> None:
        """Copy the runs in ``rows`` (a mask) into slot 0, each from its step
        in ``k`` (one per run) in ``source``."""
        s = k[rows] % source.size
        self.points[0, rows] = source.points[s, rows]
        self.values[0, rows] = source.values[s, rows]
        self.gradients[0, rows] = source.gradients[s, rows]
        if self.velocities is not None and source.velocities is not None:
            self.velocities[0, rows] = source.velocities[s, rows]
        if self.evaluations is not None and source.evaluations is not None:
            self.evaluations[0, rows] = source.evaluations[s, rows]
        if self.lrs is not None and source.lrs is not None:
            self.lrs[0, rows] = source.lrs[s, rows]

    def blank_after(self, last: Array) -> None:
        """Make every entry after a run's ``last`` point nan (velocities 0), as if
        it had never been written."""
        after = np.arange(self.size)[:, None] > last
        self.points[after] = np.nan
        self.values[after] = np.nan
        self.gradients[after] = np.nan
        if self.velocities is not None:
            self.velocities[after] = 0.0
        if self.evaluations is not None:
            self.evaluations[after] = -1
        if self.lrs is not None:
            self.lrs[after] = np.nan


class _Runs:
    """How each run of a batch is doing: still going, or how and when it ended.

    A final-only batch also keeps each run's state at its last point, copied
    from the history when the run is ended (before it is written over).
    """

    def __init__(self, n: int, history: _History, final: _History | None) -> None:
        self.status = np.full(n, _CODES[MAX_STEPS], dtype=np.int8)
        self.stopped_at = np.full(n, -1, dtype=np.int64)
        self.last = np.zeros(n, dtype=np.int64)
        self.active = np.ones(n, dtype=bool)
        self.history = history
        self.final = final

    def end(self, rows: Array, status: int, stopped_at: int | Array, last: int | Array) -> None:
        """End the active runs in ``rows`` (a mask).  ``stopped_at`` and ``last``
        (the step of each run's last point) are one step for all, or one per run."""
        stopped_at = np.broadcast_to(stopped_at, rows.shape)
        last = np.broadcast_to(last, rows.shape)
        self.status[rows] = status
        self.stopped_at[rows] = stopped_at[rows]
        self.last[rows] = last[rows]
        if self.final is not None:
            self.final.take(rows, self.history, last)
        self.active &= ~rows


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
    seed: int = 0,
) -> list[list[Trajectory]]:
    """Run every config from every start point, all in one batch.

    ``result[i][j]`` is ``configs[i]`` from ``starts[j]``: the same trajectory
    as :func:`run_trajectory` gives, but f and its gradient are evaluated once
    per step for all runs together, which is what makes racing many
    optimizers cheap.  ``check`` is called now and then during a long run and
    may raise (e.g. to cancel it).  ``seed`` fixes the gradient noise of
    configs with ``noise``.
    """
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not configs:
        return []
    groups = _groups(configs, len(starts), objective, steps, seed)
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
    evaluations, lrs = counts_and_rates(group, end, i, batch.evaluations, batch.lrs)
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
        evaluations=evaluations,
        lrs=lrs,
    )


def counts_and_rates(
    group: _Group, end: int, row: int, evaluations: Array | None, lrs: Array | None
) -> tuple[Array, Array]:
    """The ``evaluations`` and ``lrs`` of row ``row``'s first ``end`` points: from the
    recorded histories (steps, rows) where only the run knows them (L-BFGS's counts, a
    plateau schedule's rates), else from the step numbers and the config."""
    if group.lbfgs and evaluations is not None:
        counts = evaluations[:end, row].copy()
    else:
        counts = np.arange(end, dtype=np.int64)
    if group.per_row_lr and lrs is not None:
        rates = lrs[:end, row].copy()
    elif group.schedule is not None:
        rates = group.schedule.lrs(end)
    else:
        rates = np.full(end, float(group.config.params["lr"]))
    return counts, rates


def run_trajectory(
    objective: Objective,
    config: OptimizerConfig,
    start: tuple[float, float],
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
) -> Trajectory:
    """Run ``config`` from one start point."""
    return run_trajectories(objective, config, np.array([start]), steps, tol)[0]
