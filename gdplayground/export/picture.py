"""What an export draws, as plain data: a Scene reduced to arrays, colours and names.

A :class:`Picture` holds exactly what the views are fed (the grid, contour
levels, paths, start point, minima and view toggles) and nothing symbolic, so
it is cheap to build, to keep and to pickle.  The command line computes it in
a worker process while Qt loads; the GUI builds it from the scene it shows.
This module imports neither Qt nor sympy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core import sampling
from gdplayground.core.sampling import Grid
from gdplayground.core.session import shown_minima
from gdplayground.qt.path_data import PathData, scene_paths

if TYPE_CHECKING:
    from gdplayground.core.scene import Scene


@dataclass(frozen=True, eq=False)
class Picture:
    """The inputs of the contour, surface and loss views for one scene."""

    grid: Grid
    levels: np.ndarray
    log_scale: bool
    paths: tuple[PathData, ...]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    gradient_arrows: bool = False
    step_arrows: bool = False
    isolines: bool = True
    #: isolines(grid, levels), traced where the picture is computed (None: not yet)
    isoline_segments: np.ndarray | None = None

    @property
    def frames(self) -> int:
        """Number of animation frames: the longest path's steps plus one."""
        return 1 + max((path.steps for path in self.paths), default=0)

    @property
    def last_frame(self) -> int:
        """The frame that shows every path in full."""
        return self.frames - 1


def picture_from_scene(scene: Scene) -> Picture:
    """Reduce a computed scene to what the views draw, as the main window feeds them."""
    session = scene.session
    paths, _ = scene_paths(scene)
    return Picture(
        grid=scene.grid,
        levels=np.asarray(scene.levels),
        log_scale=bool(scene.log_scale),
        paths=tuple(paths),
        start=(float(session.start[0]), float(session.start[1])),
        minima=shown_minima(session),
        gradient_arrows=session.view.show_gradient_arrows,
        step_arrows=session.view.show_step_arrows,
        isolines=session.view.show_isolines,
        isoline_segments=sampling.isolines(scene.grid, scene.levels),
    )
