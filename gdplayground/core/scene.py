"""Session in, everything the views draw out: objective, grid, levels, isolines, mesh, runs.

:func:`build_scene` is the one compute path of the window and the command
line.  It reuses whatever an earlier scene already computed for the same
inputs, so editing one optimizer's learning rate recomputes only that
trajectory, and moving the start point never re-samples the grid.
``cancelled`` is polled between pieces of work so a newer edit can
supersede an unfinished one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.sampling import Grid, colour_scale, contour_levels, isolines, sample_grid
from gdplayground.core.surface import Surface, surface_of
from gdplayground.core.trajectory import Trajectory, run_many
from gdplayground.model.session import Session, compute_inputs, objective_inputs, run_inputs

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
class Landscape:
    """f over the window, ready to draw: grid, colour scale, levels, isolines, 3-D mesh.

    ``surface`` is None when the scene was built without the 3-D view.
    """

    objective: Objective
    grid: Grid
    log_scale: bool
    levels: np.ndarray
    isolines: np.ndarray
    surface: Surface | None


@dataclass(frozen=True, eq=False)
class Scene:
    """The computed picture of a session.

    ``runs[i]`` belongs to ``session.optimizers[i]`` and is None when that
    optimizer is disabled.  ``kept`` holds every run computed for these
    inputs by its :func:`run_inputs`, disabled ones included, so showing one
    again computes nothing.  With numeric gradients, ``gradient_errors[key][k]``
    is how far the numeric gradient used at step k of the run ``kept[key]``
    was from the exact one, relative to the exact one's size; empty with
    symbolic gradients.
    """

    session: Session
    landscape: Landscape
    runs: tuple[Trajectory | None, ...]
    kept: dict[tuple, Trajectory]
    gradient_errors: dict[tuple, np.ndarray]

    @property
    def objective(self) -> Objective:
        """The compiled function."""
        return self.landscape.objective

    @property
    def grid(self) -> Grid:
        """f sampled over the window."""
        return self.landscape.grid

    @property
    def levels(self) -> np.ndarray:
        """The contour levels."""
        return self.landscape.levels

    @property
    def log_scale(self) -> bool:
        """Whether colours and levels are on a log scale."""
        return self.landscape.log_scale

    @property
    def frames(self) -> int:
        """Number of animation frames: the longest run's steps plus one."""
        return 1 + max((r.steps for r in self.runs if r is not None), default=0)

    def covers(self, session: Session) -> bool:
        """Whether this scene can show ``session`` without computing anything:
        the same function and window, and a kept run for each enabled optimizer."""
        if compute_inputs(session) != compute_inputs(self.session):
            return False
        return all(run_inputs(session, e) in self.kept for e in session.optimizers if e.enabled)


def _never() -> bool:
    return False


def build_landscape(
    session: Session,
    previous: Landscape | None,
    check: Callable[[], None],
    resolution: int = GRID_RESOLUTION,
    with_surface: bool = True,
    previous_session: Session | None = None,
) -> Landscape:
    """Compile and sample f over the window; reuse whatever ``previous`` has for the same inputs."""
    same_function = (
        previous is not None
        and previous_session is not None
        and objective_inputs(previous_session) == objective_inputs(session)
    )
    if same_function:
        objective = previous.objective
    else:
        objective = compile_function(session.function, session.gradient, session.h)
        check()
    if (
        same_function
        and previous.grid.domain == tuple(float(v) for v in session.domain)
        and previous.grid.shape == (resolution, resolution)
    ):
        grid = previous.grid
    else:
        grid = sample_grid(objective.value, session.domain, resolution)
    check()
    log = {"log": True, "linear": False}.get(session.color_scale)
    scale = colour_scale(grid, log)
    levels = contour_levels(grid, LEVEL_COUNT, scale.log)
    same_grid = previous is not None and previous.grid is grid
    if same_grid and np.array_equal(previous.levels, levels):
        lines = previous.isolines
    else:
        lines = isolines(grid, levels)
    surface = None
    if with_surface:
        if same_grid and previous.surface is not None and previous.log_scale == scale.log:
            surface = previous.surface
        else:
            surface = surface_of(grid, scale.log)
    return Landscape(objective, grid, scale.log, levels, lines, surface)


def build_scene(
    session: Session,
    previous: Scene | None = None,
    cancelled: Callable[[], bool] = _never,
    resolution: int = GRID_RESOLUTION,
    start_runs: RunStarter | None = None,
    meanwhile: Callable[[Landscape], None] | None = None,
    with_surface: bool = True,
) -> Scene:
    """Compute (or reuse from ``previous``) every piece of ``session``'s picture.

    Raises ExpressionError for a bad function and Cancelled when ``cancelled()``
    turns true between steps.  With ``start_runs``, the optimizers run there
    (another process) while the grid is sampled here; should that fail, they
    run here.  ``meanwhile(landscape)`` is called once f is ready to draw,
    before the runs are awaited: e.g. to show the new function at once.
    ``with_surface`` builds the 3-D view's mesh too.
    """

    def check() -> None:
        if cancelled():
            raise Cancelled

    kept: dict[tuple, Trajectory] = dict(previous.kept) if previous is not None else {}
    missing = {}
    for entry in session.optimizers:
        key = run_inputs(session, entry)
        if entry.enabled and key not in kept:
            missing[key] = entry.config
    pending = start_runs(session, list(missing.values())) if missing and start_runs else None

    landscape = build_landscape(
        session,
        previous.landscape if previous is not None else None,
        check,
        resolution,
        with_surface,
        previous.session if previous is not None else None,
    )
    if meanwhile is not None:
        meanwhile(landscape)

    if missing:
        check()
        computed = pending.result(check) if pending is not None else None
        if computed is None:
            computed = run_many(
                landscape.objective,
                list(missing.values()),
                np.array([session.start]),
                session.steps,
                session.tol,
                check=check,
            )
        kept.update((key, runs[0]) for key, runs in zip(missing, computed, strict=True))
    # keep the runs this session's optimizers may show again, no others
    wanted = {run_inputs(session, entry) for entry in session.optimizers}
    kept = {key: run for key, run in kept.items() if key in wanted}
    runs = tuple(
        kept[run_inputs(session, entry)] if entry.enabled else None for entry in session.optimizers
    )
    errors: dict[tuple, np.ndarray] = {}
    if landscape.objective.mode == "numeric":
        known = previous.gradient_errors if previous is not None else {}
        for key, run in kept.items():
            errors[key] = known.get(key)
            if errors[key] is None:
                errors[key] = gradient_error(landscape.objective, run)
    return Scene(session, landscape, runs, kept, errors)


def gradient_error(objective: Objective, run: Trajectory) -> np.ndarray:
    """How far the numeric gradient of each point of ``run`` is from the exact one:
    |numeric − exact| / |exact| (2-norms; absolute where the exact one is below 1).

    nan where either gradient is not finite (e.g. after a path ran away).
    """
    gx, gy = objective.symbolic_gradient(run.points[:, 0], run.points[:, 1])
    exact = np.stack([gx, gy], axis=1)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.hypot(*(run.gradients - exact).T)
        size = np.maximum(np.hypot(*exact.T), 1.0)
        error = diff / size
    error[~np.isfinite(error)] = np.nan
    return error
