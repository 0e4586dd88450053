"""What the views draw, as plain data: the one thing every view is fed.

A :class:`Picture` is a computed scene reduced to arrays, colours and names
(the grid, levels, isolines, 3-D mesh, paths, start point, minima and view
toggles; for a fit to data, the data and each path's batches) and nothing
symbolic, so it is cheap to build, to keep and to pickle.  The window
builds one whenever the scene or the presentation changes; the exporter
builds one the same way; each view takes it through its one
``set_picture`` method.  A change of colour or name builds a new
picture from the same scene: nothing is computed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from gdplayground.core.sampling import Grid
from gdplayground.core.surface import Surface
from gdplayground.model.session import Session, ViewOptions, run_inputs, shown_minima

if TYPE_CHECKING:
    from gdplayground.core.data.batches import Batches
    from gdplayground.core.data.drawing import DataDrawing
    from gdplayground.core.data.fan import GradientFan
    from gdplayground.core.explore.critical import StationaryPoint
    from gdplayground.core.explore.layers import BasinLayer, SweepLayer
    from gdplayground.core.scene import Landscape, Scene


@dataclass(frozen=True, eq=False)
class PathData:
    """One optimizer's path as the views draw it.

    ``points`` (k+1, 2), ``values`` (k+1,), ``grad_norms`` (k+1,) and the
    optional ``gradients`` / ``velocities`` (k+1, 2) follow the core
    ``Trajectory``.  ``message`` is the final status text ("converged at step
    12 (minimum)"); before the last frame the status reads "running".
    Only the leading rows where the point and f are finite are drawn
    (``drawable``), so a diverged path stops at its last finite point.
    ``evaluations`` and ``lrs`` (k+1,) count gradient evaluations and give the
    learning rate at each point.  A fit's path also has ``examples`` (k+1,:
    examples drawn), ``batch_values`` (k,: the loss of step i+1's batch at
    point i), its ``batch_size`` (None: full) and its ``batches``.
    """

    name: str
    colour: str
    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    gradients: np.ndarray | None = None
    velocities: np.ndarray | None = None
    status: str = "max_steps"
    message: str = ""
    dashed: bool = False
    #: what the arrays were taken from (a Trajectory): two paths with the same
    #: source draw the same geometry, whatever their names and colours
    source: object = None
    evaluations: np.ndarray | None = None
    lrs: np.ndarray | None = None
    examples: np.ndarray | None = None
    batch_values: np.ndarray | None = None
    batch_size: int | None = None
    batches: Batches | None = None
    drawable: int = field(init=False)

    def __post_init__(self) -> None:
        points = np.asarray(self.points, dtype=np.float64).reshape(-1, 2)
        values = np.asarray(self.values, dtype=np.float64).reshape(-1)
        if len(values) != len(points):
            raise ValueError(f"{len(points)} points but {len(values)} values")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "values", values)
        norms = np.asarray(self.grad_norms, dtype=np.float64).reshape(-1)
        object.__setattr__(self, "grad_norms", norms)
        ok = np.isfinite(points).all(axis=1) & np.isfinite(values)
        object.__setattr__(self, "drawable", int(np.argmin(ok)) if not ok.all() else len(ok))

    @classmethod
    def from_trajectory(
        cls,
        trajectory: Any,
        colour: str,
        name: str | None = None,
        dashed: bool = False,
        fit: Any = None,
    ) -> PathData:
        """Build from a core ``Trajectory`` (duck-typed: points, values, grad_norms, ...)
        and, for a fit to data, its ``FitRun``."""
        extras: dict[str, Any] = {}
        if fit is not None:
            extras = dict(
                examples=fit.examples,
                batch_values=fit.batch_values,
                batch_size=fit.batch_size,
                batches=fit.drawn,
            )
        return cls(
            name=name if name is not None else trajectory.config.name,
            colour=colour,
            points=trajectory.points,
            values=trajectory.values,
            grad_norms=trajectory.grad_norms,
            gradients=trajectory.gradients,
            velocities=trajectory.velocities,
            status=trajectory.status,
            message=trajectory.message,
            dashed=dashed,
            source=trajectory,
            evaluations=getattr(trajectory, "evaluations", None),
            lrs=getattr(trajectory, "lrs", None),
            **extras,
        )

    def same_geometry(self, other: PathData) -> bool:
        """Whether ``other`` draws the same lines as this path (colour and name aside)."""
        if self.source is not None:
            return self.source is other.source and self.dashed == other.dashed
        return self is other

    @property
    def steps(self) -> int:
        """Number of steps taken, k."""
        return len(self.points) - 1

    def index_at(self, frame: int) -> int:
        """The row drawn as the current point at ``frame`` (-1 when nothing is drawable)."""
        return min(max(frame, 0), self.drawable - 1)

    def values_at(self, frame: int) -> tuple[float, float]:
        """(f, |∇f|) at the point shown at ``frame``; nan when nothing is drawable."""
        row = self.index_at(frame)
        f = float(self.values[row]) if row >= 0 else float("nan")
        g = float(self.grad_norms[row]) if 0 <= row < len(self.grad_norms) else float("nan")
        return f, g

    def batch_at(self, frame: int) -> np.ndarray | None:
        """The examples of the step from the point shown at ``frame`` (the batch its
        gradient is taken on); None for a full batch, or after the last step."""
        if self.batches is None or self.batch_size is None:
            return None
        row = self.index_at(frame)
        if row < 0 or row >= self.steps:
            return None
        return self.batches.batch(row + 1)

    def status_at(self, frame: int) -> str:
        """ "running" until the last frame of this path, then its final message."""
        if frame < self.steps and self.drawable > frame:
            return "running"
        return self.message or self.status.replace("_", " ")


def same_geometry(old: tuple[PathData, ...] | list[PathData], new: tuple[PathData, ...]) -> bool:
    """Whether ``new`` paths only restyle ``old`` ones (same lines, new colours or names)."""
    return len(old) == len(new) and all(a.same_geometry(b) for a, b in zip(old, new, strict=True))


@dataclass(frozen=True, eq=False)
class Picture:
    """The inputs of the contour, surface and loss views for one scene.

    ``rows[i]`` is the optimizer (index into the session's list) that
    ``paths[i]`` belongs to; ``gradient_errors[i]``, with numeric gradients,
    the relative error of the gradient at each of its points.  ``exact`` is
    False while a fit's loss is shown on a first, coarser grid; ``data`` is a
    fit's data as the data view draws it (None for a typed function).
    """

    grid: Grid
    levels: np.ndarray
    log_scale: bool
    isolines: np.ndarray
    surface: Surface | None
    paths: tuple[PathData, ...]
    rows: tuple[int, ...]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    options: ViewOptions = field(default_factory=ViewOptions)
    gradient_errors: tuple[np.ndarray | None, ...] = ()
    exact: bool = True
    data: DataDrawing | None = None
    #: the session's seed: a fit's batches and any gradient noise come from it
    seed: int = 0
    #: exploring the landscape (see :mod:`gdplayground.core.explore.layers`): a basin
    #: map, the stationary points (None: not shown; () none found) and a sweep
    basins: BasinLayer | None = None
    stationary: tuple[StationaryPoint, ...] | None = None
    sweep: SweepLayer | None = None
    #: a fit's batch gradients at any point, and the optimizer (index into the
    #: session's list) whose current point gets the fan when it is shown (-1: the
    #: first path that steps on batches, or the first path)
    fan: GradientFan | None = None
    fan_row: int = -1

    @property
    def is_fit(self) -> bool:
        """Whether this is a fit to data (w and b on the axes)."""
        return self.data is not None

    @property
    def axis_names(self) -> tuple[str, str, str]:
        """What the views' axes are: x, y and f; or a fit's w, b and its loss."""
        return ("w", "b", "loss") if self.data is not None else ("x", "y", "f")

    @property
    def frames(self) -> int:
        """Number of animation frames: the longest path's steps plus one."""
        return 1 + max((path.steps for path in self.paths), default=0)

    @property
    def last_frame(self) -> int:
        """The frame that shows every path in full."""
        return self.frames - 1


def fan_path(picture: Picture) -> int | None:
    """The index in ``picture.paths`` of the path whose current point gets the gradient
    fan: optimizer ``fan_row``'s, else the first that steps on batches, else the first
    (None: no paths)."""
    if picture.fan_row in picture.rows:
        return picture.rows.index(picture.fan_row)
    batched = [i for i, path in enumerate(picture.paths) if path.batch_size is not None]
    if batched:
        return batched[0]
    return 0 if picture.paths else None


def landscape_picture(landscape: Landscape, session: Session) -> Picture:
    """A picture of f alone (no paths yet): a new function, shown while its runs compute."""
    return Picture(
        grid=landscape.grid,
        levels=landscape.levels,
        log_scale=bool(landscape.log_scale),
        isolines=landscape.isolines,
        surface=landscape.surface,
        paths=(),
        rows=(),
        start=(float(session.start[0]), float(session.start[1])),
        minima=shown_minima(session),
        options=session.view,
        exact=landscape.exact,
        data=landscape.drawing,
        seed=session.seed,
        fan=landscape.fan,
    )


def picture_from_scene(scene: Scene, session: Session | None = None) -> Picture:
    """What the views draw of ``scene``, named, coloured and toggled as ``session`` says.

    ``session`` (default: the scene's own) may differ from the scene's in
    presentation only (names, colours, enabled flags, view toggles): see
    :meth:`Scene.covers`.  An enabled optimizer whose run the scene lacks is
    left out.
    """
    session = scene.session if session is None else session
    paths, rows, errors = [], [], []
    for row, entry in enumerate(session.optimizers):
        key = run_inputs(session, entry)
        run = scene.kept.get(key) if entry.enabled else None
        if run is None:
            continue
        fit = scene.fit_runs.get(key)
        paths.append(PathData.from_trajectory(run, entry.color, entry.name, fit=fit))
        rows.append(row)
        errors.append(scene.gradient_errors.get(key))
    base = landscape_picture(scene.landscape, session)
    return Picture(
        grid=base.grid,
        levels=base.levels,
        log_scale=base.log_scale,
        isolines=base.isolines,
        surface=base.surface,
        paths=tuple(paths),
        rows=tuple(rows),
        start=base.start,
        minima=base.minima,
        options=base.options,
        gradient_errors=tuple(errors) if scene.gradient_errors else (),
        exact=base.exact,
        data=base.data,
        seed=base.seed,
        fan=base.fan,
    )
