"""Grid evaluation of f(x, y), colour scaling, contour levels and isolines.

Everything here is plain numpy so the views, the exporters and the tests share
one definition of "what the picture shows".  Non-finite values are masked as
nan and counted, never raised or warned about: where f overflows float64
(±inf) is counted apart from where it is undefined (nan), so the picture can
say which.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Domain = tuple[float, float, float, float]

#: A window is drawn on a log colour scale when the values above the minimum
#: span more than this many decades (see :func:`wants_log_scale`).
LOG_SCALE_DECADES = 3.0

#: The low quantile of ``z - zmin`` used as "the bottom of the picture".
_LOW_QUANTILE = 0.02
#: The largest float64; differences of huge values are clipped to it instead of overflowing.
_FLOAT_MAX = float(np.finfo(np.float64).max)


@dataclass(frozen=True, eq=False)
class Grid:
    """f sampled on a regular grid: ``z[i, j] = f(xs[j], ys[i])``, nan where not finite.

    ``undefined_fraction`` is the part of the window where f has no finite
    value; ``overflow_fraction`` the part of that where f is ±inf (beyond
    float64, about ±1.8e308) rather than undefined.
    """

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray
    finite: np.ndarray
    undefined_fraction: float
    zmin: float
    zmax: float
    overflow_fraction: float = 0.0

    @property
    def domain(self) -> Domain:
        """The window ``(xmin, xmax, ymin, ymax)`` the grid covers."""
        return (float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1]))

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``, the shape of ``z``."""
        return (len(self.ys), len(self.xs))


@dataclass(frozen=True)
class ColourScale:
    """The map from f values to the values that get colour-mapped (and 3-D heights).

    Linear: ``c = f``.  Log: ``c = log10(f - zmin + offset)``, where ``offset``
    keeps the lowest grid values from stretching the scale to minus infinity.
    Values below ``zmin`` (a path leaving the window downhill) clamp to the bottom.
    """

    log: bool
    zmin: float
    offset: float
    cmin: float
    cmax: float

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Transform f values to colour values; nan stays nan."""
        values = np.asarray(values, dtype=np.float64)
        if not self.log:
            return values.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            above = np.maximum(values - self.zmin, 0.0) + self.offset
            return np.log10(np.minimum(above, _FLOAT_MAX))

    def inverse(self, colour: np.ndarray) -> np.ndarray:
        """Map colour values back to f values."""
        colour = np.asarray(colour, dtype=np.float64)
        if not self.log:
            return colour.copy()
        return self.zmin + 10.0**colour - self.offset


def sample_grid(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    domain: Domain,
    resolution: int | tuple[int, int],
) -> Grid:
    """Evaluate the vectorised ``f`` on a ``resolution`` grid over ``domain``.

    ``resolution`` is one count for both axes or ``(nx, ny)``.  Non-finite
    values become nan and are reported in ``finite`` / ``undefined_fraction``.
    """
    nx, ny = (resolution, resolution) if isinstance(resolution, int) else resolution
    if nx < 2 or ny < 2:
        raise ValueError(f"a grid needs at least 2 points per axis, got {nx} x {ny}")
    xmin, xmax, ymin, ymax = (float(v) for v in domain)
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"the window must have xmin < xmax and ymin < ymax, got {domain}")
    xs = np.linspace(xmin, xmax, nx)
    ys = np.linspace(ymin, ymax, ny)
    x, y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = np.asarray(f(x, y))
        if np.iscomplexobj(z):
            z = np.where(z.imag == 0, z.real, np.nan)
        z = np.array(np.broadcast_to(z, x.shape), dtype=np.float64)
    finite = np.isfinite(z)
    overflow = _overflow_count(f, x, y, np.isinf(z), (xmax - xmin, ymax - ymin))
    z[~finite] = np.nan
    finite.setflags(write=False)
    z.setflags(write=False)
    count = int(finite.sum())
    zmin, zmax = (float(z[finite].min()), float(z[finite].max())) if count else (np.nan, np.nan)
    return Grid(
        xs=xs,
        ys=ys,
        z=z,
        finite=finite,
        undefined_fraction=1.0 - count / z.size,
        zmin=zmin,
        zmax=zmax,
        overflow_fraction=overflow / z.size,
    )


def _overflow_count(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    infinite: np.ndarray,
    spans: tuple[float, float],
) -> int:
    """How many of the ``infinite`` grid points are overflow rather than a pole.

    A pole (1/x, log(x) at 0) is infinite only exactly on it: a step of a
    ten-millionth of the window away, f is finite again.  Where f overflows
    float64 it stays infinite there.
    """
    if not infinite.any():
        return 0
    with np.errstate(all="ignore"):
        near = np.asarray(f(x[infinite] + 1e-7 * spans[0], y[infinite] + 1e-7 * spans[1]))
    near = np.broadcast_to(near, (int(infinite.sum()),))
    return int(np.isinf(near).sum())


def _percent(fraction: float) -> str:
    """12 -> "12%", never rounding a non-zero fraction to 0%."""
    percent = fraction * 100
    return (f"{percent:.0f}" if percent >= 1 else f"{percent:.1g}") + "%"


def grid_note(grid: Grid) -> str:
    """What the picture says about where f has no finite value; "" when it has one everywhere.

    Overflow (f beyond float64, ±inf) is told apart from undefined (nan),
    with what to do about it.
    """
    if grid.undefined_fraction <= 0:
        return ""
    undefined = grid.undefined_fraction - grid.overflow_fraction
    parts = []
    if grid.overflow_fraction > 0:
        parts.append(
            f"f overflows float64 (|f| > 1.8e308) on {_percent(grid.overflow_fraction)} "
            "of the window: rescale f or use a smaller window"
        )
    if undefined > 0:
        parts.append(f"{_percent(undefined)} of the window is undefined")
    return "; ".join(parts)


def _finite_values(grid_or_z: Grid | np.ndarray) -> np.ndarray:
    z = grid_or_z.z if isinstance(grid_or_z, Grid) else np.asarray(grid_or_z, dtype=np.float64)
    return z[np.isfinite(z)]


def _low_and_span(values: np.ndarray) -> tuple[float, float]:
    """The spread of the values above their minimum: (a low quantile, the full span)."""
    with np.errstate(over="ignore"):
        above = np.minimum(values - values.min(), _FLOAT_MAX)
    positive = above[above > 0]
    if positive.size == 0:
        return 0.0, 0.0
    return float(np.quantile(positive, _LOW_QUANTILE)), float(positive.max())


def wants_log_scale(z: Grid | np.ndarray) -> bool:
    """Whether colours and levels should be log-spaced above the minimum.

    True when the values above their minimum span more than
    ``LOG_SCALE_DECADES`` decades between the lowest 2 % of the window and the
    top: Rosenbrock, Beale and Goldstein–Price do; bowls such as Booth or
    Himmelblau, and oscillating functions such as Rastrigin, do not.
    """
    values = _finite_values(z)
    if values.size < 4:
        return False
    low, span = _low_and_span(values)
    if span <= 0 or low <= 0:
        return False
    return bool(np.log10(span / low) > LOG_SCALE_DECADES)


_SCALES: weakref.WeakKeyDictionary[Grid, dict[bool | None, ColourScale]] = (
    weakref.WeakKeyDictionary()
)


def colour_scale(grid_or_z: Grid | np.ndarray, log: bool | None = None) -> ColourScale:
    """The colour transform for these values; ``log=None`` decides automatically.

    Remembered per Grid (grids are immutable), so the views sharing one grid
    pay for the quantiles once.
    """
    if isinstance(grid_or_z, Grid):
        known = _SCALES.setdefault(grid_or_z, {})
        if log not in known:
            known[log] = _colour_scale(grid_or_z, log)
        return known[log]
    return _colour_scale(grid_or_z, log)


def _colour_scale(grid_or_z: Grid | np.ndarray, log: bool | None) -> ColourScale:
    values = _finite_values(grid_or_z)
    if log is None:
        log = wants_log_scale(values)
    if values.size == 0:
        return ColourScale(log=bool(log), zmin=0.0, offset=1.0, cmin=0.0, cmax=1.0)
    zmin, zmax = float(values.min()), float(values.max())
    if zmax - zmin == np.inf:  # a linear scale cannot span more than float64 does
        log = True
    if not log:
        return ColourScale(log=False, zmin=zmin, offset=0.0, cmin=zmin, cmax=zmax)
    low, span = _low_and_span(values)
    # half the low quantile: the minimum sits well below the first level
    offset = max(low / 2, span * 1e-12, np.finfo(float).tiny)
    return ColourScale(
        log=True,
        zmin=zmin,
        offset=offset,
        cmin=float(np.log10(offset)),
        cmax=float(np.log10(min(span + offset, _FLOAT_MAX))),
    )


def colour_values(z: Grid | np.ndarray, log: bool | None = None) -> np.ndarray:
    """The values that get colour-mapped: ``z`` itself, or ``log10(z - zmin + offset)``."""
    array = z.z if isinstance(z, Grid) else np.asarray(z, dtype=np.float64)
    return colour_scale(array, log)(array)


def contour_levels(
    grid_or_z: Grid | np.ndarray, count: int = 20, log: bool | None = None
) -> np.ndarray:
    """``count`` strictly increasing isoline levels inside the value range.

    Levels are evenly spaced in colour space, so with ``log`` they crowd
    towards the minimum the way a log colour scale does.  Empty when the
    values are all undefined or constant.
    """
    scale = colour_scale(grid_or_z, log)
    if _finite_values(grid_or_z).size == 0 or not scale.cmax > scale.cmin or count < 1:
        return np.empty(0)
    colour = np.linspace(scale.cmin, scale.cmax, count + 2)[1:-1]
    levels = scale.inverse(colour)
    return levels[np.concatenate(([True], np.diff(levels) > 0))]


# Marching squares.  Corners of a cell: 0 = (j, i), 1 = (j+1, i), 2 = (j+1, i+1),
# 3 = (j, i+1); edges: 0 = bottom (0-1), 1 = right (1-2), 2 = top (3-2), 3 = left (0-3).
# For each case (bit k set when corner k >= level) up to two segments as edge
# pairs; -1 = no segment.  The saddle cases 5 and 10 use the cell-centre value.
_SEGMENTS = np.array(
    [
        [-1, -1, -1, -1],
        [3, 0, -1, -1],
        [0, 1, -1, -1],
        [3, 1, -1, -1],
        [1, 2, -1, -1],
        [3, 0, 1, 2],  # 5, centre below: v0 and v2 cut off separately
        [0, 2, -1, -1],
        [3, 2, -1, -1],
        [2, 3, -1, -1],
        [0, 2, -1, -1],
        [0, 1, 2, 3],  # 10, centre below: v1 and v3 cut off separately
        [1, 2, -1, -1],
        [1, 3, -1, -1],
        [0, 1, -1, -1],
        [0, 3, -1, -1],
        [-1, -1, -1, -1],
    ]
)
_SADDLE_CENTRE_ABOVE = {5: [0, 1, 2, 3], 10: [3, 0, 1, 2]}


def isolines(grid: Grid, levels: np.ndarray) -> np.ndarray:
    """Isoline segments of ``grid`` at ``levels`` as endpoint pairs, shape ``(2 m, 2)``.

    Rows ``2 k`` and ``2 k + 1`` are the ends of segment ``k`` in data
    coordinates (draw with ``connect="pairs"``).  Cells touching an undefined
    value are skipped, so isolines stop at the edge of undefined regions.
    The result is read-only: it travels in the scene and the picture.
    """
    levels = np.sort(np.asarray(levels, dtype=np.float64).ravel())
    segments = _isolines(grid, levels)
    segments.setflags(write=False)
    return segments


def _isolines(grid: Grid, levels: np.ndarray) -> np.ndarray:
    z = grid.z
    if levels.size == 0 or z.shape[0] < 2 or z.shape[1] < 2:
        return np.empty((0, 2))
    v0, v1, v2, v3 = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]
    with np.errstate(invalid="ignore"):
        lo = np.fmin(np.fmin(v0, v1), np.fmin(v2, v3)).ravel()
        hi = np.fmax(np.fmax(v0, v1), np.fmax(v2, v3)).ravel()
    usable = (np.isfinite(v0) & np.isfinite(v1) & np.isfinite(v2) & np.isfinite(v3)).ravel()
    # every (cell, level) pair with lo < level <= hi, without a loop over levels
    first = np.searchsorted(levels, np.where(usable, lo, 0.0), side="right")
    count = np.where(
        usable, np.searchsorted(levels, np.where(usable, hi, 0.0), side="right") - first, 0
    )
    total = int(count.sum())
    if total == 0:
        return np.empty((0, 2))
    cells = np.repeat(np.arange(count.size), count)
    offsets = np.cumsum(count) - count
    level_index = first[cells] + np.arange(total) - offsets[cells]
    width = z.shape[1] - 1
    return _cell_segments(grid, levels[level_index], cells // width, cells % width)


def _cell_segments(grid: Grid, level: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Segment endpoints for cells (i, j), each crossed by its own ``level``."""
    z = grid.z
    c = np.stack([z[i, j], z[i, j + 1], z[i + 1, j + 1], z[i + 1, j]], axis=1)
    level = level[:, None]
    case = (c >= level) @ np.array([1, 2, 4, 8])
    table = _SEGMENTS[case]
    with np.errstate(over="ignore", invalid="ignore"):
        centre_above = c.mean(axis=1) >= level[:, 0]
    for saddle, edges in _SADDLE_CENTRE_ABOVE.items():
        table[(case == saddle) & centre_above] = edges
    x0, x1 = grid.xs[j], grid.xs[j + 1]
    y0, y1 = grid.ys[i], grid.ys[i + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (level - c[:, [0, 1, 3, 0]]) / (c[:, [1, 2, 2, 3]] - c[:, [0, 1, 3, 0]])
    edge_x = np.stack([x0 + t[:, 0] * (x1 - x0), x1, x0 + t[:, 2] * (x1 - x0), x0], axis=1)
    edge_y = np.stack([y0, y0 + t[:, 1] * (y1 - y0), y1, y0 + t[:, 3] * (y1 - y0)], axis=1)
    segments = table.reshape(-1, 2)  # each cell's (first, second) segment, row by row
    cell = np.repeat(np.arange(len(i)), 2)
    keep = segments[:, 0] >= 0
    cell, segments = cell[keep], segments[keep]
    ends = np.empty((2 * len(cell), 2))
    ends[0::2, 0] = edge_x[cell, segments[:, 0]]
    ends[0::2, 1] = edge_y[cell, segments[:, 0]]
    ends[1::2, 0] = edge_x[cell, segments[:, 1]]
    ends[1::2, 1] = edge_y[cell, segments[:, 1]]
    return ends
