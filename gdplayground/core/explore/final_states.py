"""Where many runs end: the runner's stopping rules, keeping only each run's last point.

A basin map needs, for each of up to a million runs, only its last point and
how it ended.  :func:`gdplayground.core.trajectory.run_batch` with
``record=False`` gives exactly that, but at many thousands of runs it
spends most of its time ending runs (copying their state out of a history
of steps each time some of them stop).  Here nothing is copied until the
end: a run that stops is simply no longer counted, its last point taken
from the step it stopped at.  The rules are the runner's, to the bit (the
tests check every optimizer against ``run_batch``): a run converges at the
first step whose gradient norm is below ``tol``, diverges at the first step
whose point, value or gradient is non-finite or huge (its last point is the
step before), and Newton stops where its Hessian is singular or indefinite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.steppers import HESSIAN_INDEFINITE, HESSIAN_SINGULAR
from gdplayground.core.trajectory import (
    CONVERGED,
    DIVERGED,
    HUGE_COORDINATE,
    HUGE_VALUE,
    INDEFINITE_HESSIAN,
    MAX_STEPS,
    SINGULAR_HESSIAN,
    STATUSES,
    group_of,
    step_group,
)

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective

Array = np.ndarray

_CODE = {name: np.int8(STATUSES.index(name)) for name in STATUSES}
_PROBLEMS = ((HESSIAN_SINGULAR, SINGULAR_HESSIAN), (HESSIAN_INDEFINITE, INDEFINITE_HESSIAN))
#: Below this ``tol`` its square underflows: every norm is then computed with hypot.
_TINY_TOL = 1e-150


@np.errstate(all="ignore")  # nan and inf are dealt with here, never warned about
def final_states(
    objective: Objective, config: OptimizerConfig, starts: Array, steps: int, tol: float
) -> tuple[Array, Array]:
    """Each run's last point, shape (n, 2), and status code (into ``STATUSES``)."""
    p = np.array(starts, dtype=np.float64).reshape(-1, 2)
    n = len(p)
    # the runner's own stepper, schedule and clipping: the same steps as run_batch
    group = group_of(config, n, objective, steps)
    last = p.copy()
    status = np.full(n, _CODE[MAX_STEPS], dtype=np.int8)
    active = np.ones(n, dtype=bool)
    g = np.empty((n, 2))
    f, ok, going = _check(objective, p, g, tol)
    _end(active, status, last, ok, going, p, p)
    for k in range(1, steps + 1):
        if not active.any():
            break
        new_p = step_group(objective, group, k, p, g, f, active)
        problem = getattr(group.stepper, "problem", None)
        if problem is not None:
            for flag, name in _PROBLEMS:
                stuck = active & (problem == flag)
                status[stuck] = _CODE[name]
                last[stuck] = p[stuck]
                active &= ~stuck
        f, ok, going = _check(objective, new_p, g, tol)
        if group.per_row_lr:
            group.schedule.after_step(f)  # type: ignore[union-attr]
        _end(active, status, last, ok, going, p, new_p)
        p = new_p
    last[active] = p[active]
    return last, status


def _check(objective: Objective, p: Array, g: Array, tol: float) -> tuple[Array, Array, Array]:
    """Evaluate f and the gradient at ``p`` (the gradient into ``g``); f, which
    points are fine, and which of those go on (gradient norm at least ``tol``)."""
    f, gx, gy = objective.value_and_gradient(p[:, 0], p[:, 1])
    g[:, 0] = gx
    g[:, 1] = gy
    ok = np.maximum(np.abs(p[:, 0]), np.abs(p[:, 1])) <= HUGE_COORDINATE
    ok &= np.maximum(np.maximum(np.abs(gx), np.abs(gy)), np.abs(f)) <= HUGE_VALUE
    if tol <= 0:
        return f, ok, ok
    if tol < _TINY_TOL:
        return f, ok, ok & (np.hypot(gx, gy) >= tol)
    # |g|^2 well above tol^2 is enough; hypot decides the few near or below it
    going = ok.copy()
    near = np.flatnonzero(ok & ~(gx * gx + gy * gy >= tol * tol * (1 + 1e-9)))
    going[near] = np.hypot(gx[near], gy[near]) >= tol
    return f, ok, going


def _end(
    active: Array, status: Array, last: Array, ok: Array, going: Array, before: Array, now: Array
) -> None:
    """End the active runs that do not go on: diverged (last point ``before``)
    or converged (last point ``now``)."""
    ending = active & ~going
    if not ending.any():
        return
    bad = ending & ~ok
    good = ending & ok
    status[bad] = _CODE[DIVERGED]
    last[bad] = before[bad]
    status[good] = _CODE[CONVERGED]
    last[good] = now[good]
    active &= going
