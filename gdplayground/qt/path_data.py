"""What a view needs to draw one optimizer's path: plain arrays plus a colour and a name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gdplayground.core.scene import Scene


@dataclass(frozen=True, eq=False)
class PathData:
    """One optimizer's path as the views draw it.

    ``points`` (k+1, 2), ``values`` (k+1,), ``grad_norms`` (k+1,) and the
    optional ``gradients`` / ``velocities`` (k+1, 2) follow the core
    ``Trajectory``.  ``message`` is the final status text ("converged at step
    12 (minimum)"); before the last frame the status reads "running".
    Only the leading rows where the point and f are finite are drawn
    (``drawable``), so a diverged path stops at its last finite point.
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
        cls, trajectory: Any, colour: str, name: str | None = None, dashed: bool = False
    ) -> PathData:
        """Build from a core ``Trajectory`` (duck-typed: points, values, grad_norms, ...)."""
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
        )

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

    def status_at(self, frame: int) -> str:
        """ "running" until the last frame of this path, then its final message."""
        if frame < self.steps and self.drawable > frame:
            return "running"
        return self.message or self.status.replace("_", " ")


def scene_paths(scene: Scene) -> tuple[list[PathData], list[int]]:
    """The paths a scene draws, one per enabled optimizer, and each one's optimizer row."""
    paths, rows = [], []
    for row, (entry, run) in enumerate(zip(scene.session.optimizers, scene.runs, strict=True)):
        if run is not None:
            paths.append(PathData.from_trajectory(run, entry.color, entry.name))
            rows.append(row)
    return paths, rows
