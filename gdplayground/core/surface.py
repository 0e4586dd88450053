"""The 3-D view's geometry as plain numpy: scene transform and surface mesh of a grid.

Built where the scene is computed (off the UI thread), carried in the
picture, and only uploaded by the 3-D view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gdplayground.core.sampling import ColourScale, Grid, colour_scale

#: Height of the surface box; the longer side of the window spans [-1, 1].
Z_HEIGHT = 1.2
_LIGHT = np.array([-0.45, -0.55, 0.70]) / np.linalg.norm([-0.45, -0.55, 0.70])
_AMBIENT = 0.55
#: On a log scale, heights use a floor of this fraction of the value range: the
#: contour colours resolve the valley floor over many decades, but as heights
#: those decades fold the surface into a crease that no longer looks like the
#: function (Rosenbrock's banana, Goldstein-Price's basin stay recognisable).
HEIGHT_LOG_FLOOR = 0.1
#: The mesh samples at most this many grid points per side.  A 300 x 300 grid
#: would give some 180,000 triangles, about one per pixel of the view, and
#: software OpenGL renders them all at every repaint; every second point looks
#: the same and draws in half the time.
MESH_SAMPLES = 151


@dataclass(frozen=True)
class SceneTransform:
    """Maps (x, y, f) to scene coordinates: window to [-1, 1], f to [0, Z_HEIGHT].

    ``f`` goes through the colour scale first, so with a log scale the
    heights are log-compressed the same way as the colours.
    """

    centre: tuple[float, float]
    half: float
    scale: ColourScale

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Window coordinates to scene x, y."""
        return (np.asarray(x) - self.centre[0]) / self.half, (
            np.asarray(y) - self.centre[1]
        ) / self.half

    def z(self, values: np.ndarray) -> np.ndarray:
        """f values to scene heights (nan stays nan)."""
        span = self.scale.cmax - self.scale.cmin
        span = span if 0 < span < np.inf else 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            return (self.scale(values) - self.scale.cmin) / span * Z_HEIGHT

    def points(self, x: np.ndarray, y: np.ndarray, values: np.ndarray) -> np.ndarray:
        """(n, 3) scene points for window points and their f values."""
        sx, sy = self.xy(x, y)
        return np.column_stack([sx, sy, self.z(values)])


@dataclass(frozen=True, eq=False)
class SurfaceMesh:
    """Vertices (float32, scene units), triangles over fully defined cells, and
    per-vertex heights and light (the view maps heights to colours and shades them)."""

    vertices: np.ndarray
    faces: np.ndarray
    heights: np.ndarray
    shade: np.ndarray


@dataclass(frozen=True, eq=False)
class Surface:
    """What the 3-D view draws of a grid: its transform and mesh (None: too little defined)."""

    transform: SceneTransform
    mesh: SurfaceMesh | None


def height_scale(grid: Grid, log: bool | None = None) -> ColourScale:
    """The f -> height transform: the colour scale, with a gentler log floor."""
    scale = colour_scale(grid, log)
    if not scale.log:
        return scale
    top = float(np.finfo(np.float64).max)
    with np.errstate(over="ignore"):  # f beyond float64 is clipped to its largest value
        span = min(float(np.power(10.0, scale.cmax)), top) - scale.offset
    offset = max(scale.offset, HEIGHT_LOG_FLOOR * span)
    return replace(
        scale,
        offset=offset,
        cmin=float(np.log10(offset)),
        cmax=float(np.log10(min(span + offset, top))),
    )


def mesh_indices(count: int, limit: int = MESH_SAMPLES) -> np.ndarray:
    """Evenly strided indices into ``count`` grid points, first and last included."""
    stride = max(1, -(-(count - 1) // (limit - 1)))
    indices = np.arange(0, count, stride)
    return indices if indices[-1] == count - 1 else np.append(indices, count - 1)


def surface_of(grid: Grid, log: bool | None = None) -> Surface:
    """The transform and mesh of ``grid`` (colours and heights on the same scale)."""
    xmin, xmax, ymin, ymax = grid.domain
    transform = SceneTransform(
        centre=((xmin + xmax) / 2, (ymin + ymax) / 2),
        half=max(xmax - xmin, ymax - ymin) / 2,
        scale=height_scale(grid, log),
    )
    return Surface(transform, surface_mesh(grid, transform))


def surface_mesh(grid: Grid, transform: SceneTransform) -> SurfaceMesh | None:
    """Vertices, triangles over fully defined cells, heights and baked-in light.

    Cells touching an undefined value get no triangles, so undefined regions
    are holes.  Lighting is a fixed light (Lambert), which avoids pyqtgraph's
    per-vertex Python loop for normals.  Large grids are sampled every few
    points (:data:`MESH_SAMPLES`).
    """
    rows, cols = mesh_indices(grid.shape[0]), mesh_indices(grid.shape[1])
    nx = len(cols)
    sx, sy = transform.xy(grid.xs[cols], grid.ys[rows])
    height = transform.z(grid.z[np.ix_(rows, cols)])
    finite = np.isfinite(height)
    if finite.sum() < 4:
        return None
    zfill = np.where(finite, height, 0.0)
    gx, gy = np.meshgrid(sx, sy)
    vertices = np.column_stack([gx.ravel(), gy.ravel(), zfill.ravel()]).astype(np.float32)

    cell_ok = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, :-1] & finite[1:, 1:]
    i, j = np.nonzero(cell_ok)
    v00 = i * nx + j
    v01, v10, v11 = v00 + 1, v00 + nx, v00 + nx + 1
    faces = np.concatenate([np.column_stack([v00, v01, v11]), np.column_stack([v00, v11, v10])])

    with np.errstate(invalid="ignore"):
        dz_dy, dz_dx = np.gradient(height, sy, sx)
        normal = np.stack([-dz_dx, -dz_dy, np.ones_like(height)], axis=-1)
        normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
        shade = _AMBIENT + (1 - _AMBIENT) * np.clip(normal @ _LIGHT, 0.0, 1.0)
    shade = np.nan_to_num(shade, nan=1.0)
    return SurfaceMesh(
        vertices=vertices,
        faces=faces.astype(np.uint32),
        heights=height.ravel(),
        shade=shade.ravel().astype(np.float32),
    )
