"""Session in, everything the views draw out: objective, grid, levels, isolines, mesh, runs.

:func:`build_scene` is the one compute path of the window and the command
line.  It reuses whatever an earlier scene already computed for the same
inputs, so editing one optimizer's learning rate recomputes only that
trajectory, and moving the start point never re-samples the grid.
``cancelled`` is polled between pieces of work so a newer edit can
supersede an unfinished one.

A session that fits data has a :class:`DataObjective` instead of a compiled
function (the full-data loss over (w, b)) and runs on batches
(:func:`run_fit`).  Where its exact loss grid is slow (a loss that is not a
polynomial in w and b, over many examples) a coarser grid of exact values
comes first, marked not exact, and the full one after the runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.sampling import Grid, colour_scale, contour_levels, isolines, sample_grid
from gdplayground.core.surface import Surface, surface_of
from gdplayground.core.trajectory import Trajectory, run_many
from gdplayground.model.session import (
    FitSetup,
    OptimizerEntry,
    Session,
    compute_inputs,
    objective_inputs,
    run_inputs,
)

if TYPE_CHECKING:
    from gdplayground.core.data.drawing import DataDrawing
    from gdplayground.core.data.fan import GradientFan
    from gdplayground.core.data.runner import FitRun

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

    ``surface`` is None when the scene was built without the 3-D view.  A fit's
    landscape is the full-data loss over (w, b), with its ``drawing`` of the data;
    ``exact`` is False for a first, coarser grid (of exact values) while the
    full-resolution one is computed.
    """

    objective: Objective
    grid: Grid
    log_scale: bool
    levels: np.ndarray
    isolines: np.ndarray
    surface: Surface | None
    exact: bool = True
    drawing: DataDrawing | None = None
    #: a fit's batch gradients at any point (the gradient fan)
    fan: GradientFan | None = None


@dataclass(frozen=True, eq=False)
class Scene:
    """The computed picture of a session.

    ``runs[i]`` belongs to ``session.optimizers[i]`` and is None when that
    optimizer is disabled.  ``kept`` holds every run computed for these
    inputs by its :func:`run_inputs`, disabled ones included, so showing one
    again computes nothing.  With numeric gradients, ``gradient_errors[key][k]``
    is how far the numeric gradient used at step k of the run ``kept[key]``
    was from the exact one, relative to the exact one's size; empty with
    symbolic gradients.  A fit's runs are in ``fit_runs`` too, under the same
    keys, with their batches and batch losses.
    """

    session: Session
    landscape: Landscape
    runs: tuple[Trajectory | None, ...]
    kept: dict[tuple, Trajectory]
    gradient_errors: dict[tuple, np.ndarray]
    fit_runs: dict[tuple, FitRun] = field(default_factory=dict)

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
    quick: bool = False,
) -> Landscape:
    """Compile and sample f (or a fit's loss) over the window; reuse whatever
    ``previous`` has for the same inputs.  With ``quick``, a fit whose exact grid
    is slow gets a coarser grid first (``exact`` False): see :func:`exact_landscape`."""
    same_function = (
        previous is not None
        and previous_session is not None
        and objective_inputs(previous_session) == objective_inputs(session)
    )
    if same_function:
        objective, drawing, fan = previous.objective, previous.drawing, previous.fan
    elif session.fit is not None:
        from gdplayground.core.data.fan import GradientFan

        objective, drawing = compile_fit(session.fit, session.gradient, session.h)
        fan = GradientFan(objective, session.fit.model, session.fit.loss)  # type: ignore[arg-type]
        check()
    else:
        objective = compile_function(session.function, session.gradient, session.h)
        drawing = fan = None
        check()
    exact = True
    if (
        same_function
        and previous.exact
        and previous.grid.domain == tuple(float(v) for v in session.domain)
        and previous.grid.shape == (resolution, resolution)
    ):
        grid = previous.grid
    elif session.fit is not None:
        from gdplayground.core.data.loss_grid import first_loss_grid, loss_grid

        first = first_loss_grid(objective, session.domain, resolution) if quick else None
        if first is not None:
            grid, exact = first.grid, first.exact
        else:
            grid = loss_grid(objective, session.domain, resolution, check)
    else:
        grid = sample_grid(objective.value, session.domain, resolution)
    check()
    return _drawn(session, objective, grid, exact, drawing, previous, with_surface, fan)


def exact_landscape(
    landscape: Landscape,
    session: Session,
    check: Callable[[], None],
    resolution: int = GRID_RESOLUTION,
    with_surface: bool = True,
) -> Landscape:
    """``landscape`` on the full-resolution grid (itself when it is already exact)."""
    if landscape.exact:
        return landscape
    from gdplayground.core.data.loss_grid import loss_grid

    grid = loss_grid(landscape.objective, session.domain, resolution, check)  # type: ignore[arg-type]
    check()
    return _drawn(
        session,
        landscape.objective,
        grid,
        True,
        landscape.drawing,
        None,
        with_surface,
        landscape.fan,
    )


def _drawn(
    session: Session,
    objective: Objective,
    grid: Grid,
    exact: bool,
    drawing: DataDrawing | None,
    previous: Landscape | None,
    with_surface: bool,
    fan: GradientFan | None = None,
) -> Landscape:
    """The colour scale, levels, isolines and mesh of ``grid`` (reused from ``previous``
    where it has the same grid)."""
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
    return Landscape(objective, grid, scale.log, levels, lines, surface, exact, drawing, fan)


def compile_fit(
    fit: FitSetup, gradient: str = "symbolic", h: float | None = None
) -> tuple[Objective, DataDrawing]:
    """A fit's objective (its full-data loss over (w, b)) and what the data view draws.

    Raises FitExpressionError for a model or loss that cannot be used, and
    DataError for data that cannot (a CSV file that changed since it was chosen).
    """
    from gdplayground.core.data.drawing import data_drawing
    from gdplayground.core.data.fit import parse_fit
    from gdplayground.core.data.objective import DataObjective
    from gdplayground.core.data.source import load_data
    from gdplayground.model.fits import load_fits

    data = load_data(fit.data)
    parsed = parse_fit(fit.model, fit.loss, data.columns)
    preset = load_fits().get(fit.preset) if fit.preset is not None else None
    output = None
    if preset is not None and (preset.model, preset.loss) == (fit.model, fit.loss):
        output = preset.output
    objective = DataObjective(parsed, data, gradient, h)
    return objective, data_drawing(parsed, fit.model, data, output)  # type: ignore[return-value]


def build_scene(
    session: Session,
    previous: Scene | None = None,
    cancelled: Callable[[], bool] = _never,
    resolution: int = GRID_RESOLUTION,
    start_runs: RunStarter | None = None,
    meanwhile: Callable[[Landscape], None] | None = None,
    with_surface: bool = True,
    partial: Callable[[Scene], None] | None = None,
) -> Scene:
    """Compute (or reuse from ``previous``) every piece of ``session``'s picture.

    Raises ExpressionError for a bad function and Cancelled when ``cancelled()``
    turns true between steps.  With ``start_runs``, the optimizers run there
    (another process) while the grid is sampled here; should that fail, they
    run here (a fit's runs always run here).  ``meanwhile(landscape)`` is called
    once f is ready to draw, before the runs are awaited: e.g. to show the new
    function at once.  ``with_surface`` builds the 3-D view's mesh too.  With
    ``partial``, a fit whose exact grid is slow is shown first on a coarser one:
    ``meanwhile`` gets that landscape, ``partial`` the scene with its runs, and
    the full-resolution grid comes last.
    """

    def check() -> None:
        if cancelled():
            raise Cancelled

    kept: dict[tuple, Trajectory] = dict(previous.kept) if previous is not None else {}
    fit_runs = dict(previous.fit_runs) if previous is not None else {}
    missing: dict[tuple, OptimizerEntry] = {}
    for entry in session.optimizers:
        key = run_inputs(session, entry)
        if entry.enabled and key not in kept:
            missing[key] = entry
    configs = [entry.config for entry in missing.values()]
    pending = None
    if missing and start_runs and session.fit is None:
        pending = start_runs(session, configs)

    landscape = build_landscape(
        session,
        previous.landscape if previous is not None else None,
        check,
        resolution,
        with_surface,
        previous.session if previous is not None else None,
        quick=partial is not None,
    )
    if meanwhile is not None:
        meanwhile(landscape)

    if missing and session.fit is not None:
        check()
        from gdplayground.core.data.runner import run_fit

        fitted = run_fit(
            landscape.objective,  # type: ignore[arg-type]
            configs,
            [entry.batch_size for entry in missing.values()],
            np.array([session.start]),
            session.steps,
            session.tol,
            seed=session.seed,
            check=check,
        )
        fit_runs.update((key, runs[0]) for key, runs in zip(missing, fitted, strict=True))
        kept.update((key, runs[0].trajectory) for key, runs in zip(missing, fitted, strict=True))
    elif missing:
        check()
        computed = pending.result(check) if pending is not None else None
        if computed is None:
            computed = run_many(
                landscape.objective,
                configs,
                np.array([session.start]),
                session.steps,
                session.tol,
                check=check,
                seed=session.seed,
            )
        kept.update((key, runs[0]) for key, runs in zip(missing, computed, strict=True))
    scene = _scene(session, landscape, kept, fit_runs, previous)
    if not landscape.exact:
        if partial is not None:
            partial(scene)
        landscape = exact_landscape(landscape, session, check, resolution, with_surface)
        scene = _scene(session, landscape, kept, fit_runs, previous)
    return scene


def _scene(
    session: Session,
    landscape: Landscape,
    kept: dict[tuple, Trajectory],
    fit_runs: dict,
    previous: Scene | None,
) -> Scene:
    """The scene of ``session``: the runs its optimizers may show again, no others."""
    wanted = {run_inputs(session, entry) for entry in session.optimizers}
    kept = {key: run for key, run in kept.items() if key in wanted}
    fit_runs = {key: run for key, run in fit_runs.items() if key in wanted}
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
    return Scene(session, landscape, runs, kept, errors, fit_runs)


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
