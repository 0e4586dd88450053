"""Session in, everything the views draw out: objective, grid, levels and trajectories.

:func:`build_scene` is the one compute path of the GUI and the command line.
It reuses whatever an earlier scene already computed for the same inputs, so
editing one optimizer's learning rate recomputes only that trajectory, and
moving the start point never re-samples the grid.  ``cancelled`` is polled
between pieces of work so a newer edit can supersede an unfinished one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.sampling import Grid, colour_scale, contour_levels, sample_grid
from gdplayground.core.session import OptimizerEntry, Session
from gdplayground.core.trajectory import Trajectory, run_many

GRID_RESOLUTION = 300
LEVEL_COUNT = 24


class Cancelled(Exception):
    """A newer request superseded this computation."""


class PendingRuns(Protocol):
    """Optimizer runs under way elsewhere (see :mod:`gdplayground.core.run_worker`)."""

    def result(self, check: Callable[[], None]) -> list[list[Trajectory]] | None:
        """The runs as :func:`run_many` returns them, or None if they could not be done."""


#: Starts runs elsewhere for a session and configs; None if it cannot.
RunStarter = Callable[[Session, list[OptimizerConfig]], PendingRuns | None]


@dataclass(frozen=True, eq=False)
class Scene:
    """The computed picture of a session.

    ``runs[i]`` belongs to ``session.optimizers[i]`` and is None when that
    optimizer is disabled.  With numeric gradients, ``gradient_errors[i][k]`` is
    how far the numeric gradient used at step k was from the exact one (largest
    component); empty with symbolic gradients.
    """

    session: Session
    objective: Objective
    grid: Grid
    log_scale: bool
    levels: np.ndarray
    runs: tuple[Trajectory | None, ...]
    gradient_errors: tuple[np.ndarray | None, ...] = ()

    @property
    def frames(self) -> int:
        """Number of animation frames: the longest run's steps plus one."""
        return 1 + max((r.steps for r in self.runs if r is not None), default=0)


def _never() -> bool:
    return False


def _objective_key(s: Session) -> tuple:
    # h only matters to numeric gradients: changing it in symbolic mode reuses everything
    return (s.function, s.gradient, s.h if s.gradient == "numeric" else None)


def _run_key(s: Session, entry: OptimizerEntry) -> tuple:
    return (
        _objective_key(s),
        entry.method,
        tuple(sorted(entry.params.items())),
        s.start,
        s.steps,
        s.tol,
    )


def build_scene(
    session: Session,
    previous: Scene | None = None,
    cancelled: Callable[[], bool] = _never,
    resolution: int = GRID_RESOLUTION,
    start_runs: RunStarter | None = None,
    meanwhile: Callable[[Grid, np.ndarray, bool], None] | None = None,
) -> Scene:
    """Compute (or reuse from ``previous``) every piece of ``session``'s picture.

    Raises ExpressionError for a bad function and Cancelled when ``cancelled()``
    turns true between steps.  With ``start_runs``, the optimizers run there
    (another process) while the grid is sampled here; should that fail, they
    run here.  ``meanwhile(grid, levels, log)`` is called once the grid and its
    levels are known, before the runs are awaited: work to do while they run.
    """

    def check() -> None:
        if cancelled():
            raise Cancelled

    reusable: dict[tuple, Trajectory] = {}
    if previous is not None:
        for entry, run in zip(previous.session.optimizers, previous.runs, strict=True):
            if run is not None:
                reusable[_run_key(previous.session, entry)] = run
    missing = {}
    for entry in session.optimizers:
        key = _run_key(session, entry)
        if entry.enabled and key not in reusable:
            missing[key] = entry.config
    pending = start_runs(session, list(missing.values())) if missing and start_runs else None

    same_function = previous is not None and _objective_key(previous.session) == _objective_key(
        session
    )
    if same_function:
        objective = previous.objective
    else:
        objective = compile_function(session.function, session.gradient, session.h)
        check()

    grid = _grid(session, previous, objective, same_function, resolution)
    check()
    log = {"log": True, "linear": False}.get(session.color_scale)
    scale = colour_scale(grid, log)
    levels = contour_levels(grid, LEVEL_COUNT, scale.log)
    if meanwhile is not None:
        meanwhile(grid, levels, scale.log)

    if missing:
        check()
        computed = pending.result(check) if pending is not None else None
        if computed is None:
            computed = run_many(
                objective,
                list(missing.values()),
                np.array([session.start]),
                session.steps,
                session.tol,
                check=check,
            )
        reusable.update((key, runs[0]) for key, runs in zip(missing, computed, strict=True))
    runs = [
        reusable[_run_key(session, entry)] if entry.enabled else None
        for entry in session.optimizers
    ]
    errors = _gradient_errors(objective, runs) if objective.mode == "numeric" else ()
    return Scene(session, objective, grid, scale.log, levels, tuple(runs), errors)


def _gradient_errors(
    objective: Objective, runs: list[Trajectory | None]
) -> tuple[np.ndarray | None, ...]:
    """|numeric − exact| gradient at every point of every run (largest component)."""
    errors: list[np.ndarray | None] = []
    for run in runs:
        if run is None:
            errors.append(None)
            continue
        gx, gy = objective.symbolic_gradient(run.points[:, 0], run.points[:, 1])
        with np.errstate(invalid="ignore"):
            diff = np.abs(run.gradients - np.stack([gx, gy], axis=1))
        errors.append(np.fmax(diff[:, 0], diff[:, 1]))  # nan only where both are
    return tuple(errors)


def _grid(
    session: Session, previous: Scene | None, objective: Objective, same: bool, resolution: int
) -> Grid:
    if (
        same
        and previous is not None
        and previous.session.domain == session.domain
        and previous.grid.shape == (resolution, resolution)
    ):
        return previous.grid
    return sample_grid(objective.value, session.domain, resolution)
