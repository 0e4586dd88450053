"""Every stationary point of f in a window, named by its Hessian.

Candidates come from a grid over the window: each cell that both partial
derivatives change sign across (or vanish in), and each grid point where
|grad f| is smallest among its neighbours (which catches degenerate points
where a derivative touches zero without changing sign).  Newton's method on
grad f = 0 with the exact Hessian takes each candidate to a stationary point,
exact to round-off; points outside the window are dropped and points that
coincide are kept once.  The grid is refined (doubled) until a finer grid
finds nothing new, so closely packed points (Rastrigin, Lévi N.13) are not
missed.  Along a curve of stationary points (the circle of minima of
(x^2 + y^2 - 1)^2) the points found are degenerate and kept about a cell of
the first grid apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.explore.stationary import (
    DEGENERATE,
    KINDS,
    Window,
    classify,
    curvature_scale,
    group_close,
    hessian_eigenvalues,
    newton_refine,
)

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective

Array = np.ndarray

#: The first grid has this many cells a side.  It is doubled until a finer
#: grid finds nothing new: over the whole window up to ``WHOLE_RESOLUTION``,
#: then only in the cells where grad f may vanish, up to ``MAX_RESOLUTION``.
RESOLUTION = 128
WHOLE_RESOLUTION = 512
MAX_RESOLUTION = 4096
#: Points closer than this fraction of the window's size are one point.
SAME_POINT = 1e-7
#: A point that Newton approached only slowly (a high-order degenerate point)
#: still counts where |grad f| is below this fraction of its typical size in
#: the window.
ZERO_GRADIENT = 1e-12
#: Newton's steps from the seeds are at most this many grid cells long.
STEP_CELLS = 1.0
REACH_CELLS = 3.0


@dataclass(frozen=True)
class StationaryPoint:
    """A point where grad f = 0, its value and what its Hessian says it is.

    ``eigenvalues`` are the Hessian's, ascending; ``kind`` is one of
    ``minimum``, ``saddle``, ``maximum``, ``degenerate``.
    """

    x: float
    y: float
    value: float
    kind: str
    eigenvalues: tuple[float, float]


def check_window(window: Window) -> Window:
    """The window as four floats; ValueError (one line) if it is not a proper box."""
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in window)
    except (TypeError, ValueError):
        raise ValueError("the window must be four numbers XMIN,XMAX,YMIN,YMAX") from None
    if not all(np.isfinite([xmin, xmax, ymin, ymax])):
        raise ValueError("the window must be finite numbers XMIN,XMAX,YMIN,YMAX")
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(
            f"the window {xmin:g},{xmax:g},{ymin:g},{ymax:g} is empty: "
            "write XMIN,XMAX,YMIN,YMAX with XMIN < XMAX and YMIN < YMAX"
        )
    return xmin, xmax, ymin, ymax


def stationary_points(
    objective: Objective,
    window: Window,
    check: Callable[[], None] | None = None,
    resolution: int | None = None,
) -> tuple[StationaryPoint, ...]:
    """Every stationary point of f inside ``window`` (edges included), by value.

    ``resolution`` fixes the seeding grid's cells a side instead of refining
    it until nothing new turns up.  ``check`` is called between pieces of
    work and may raise to cancel.
    """
    window = check_window(window)
    length = max(window[1] - window[0], window[3] - window[2])
    radius = SAME_POINT * length
    n = resolution or RESOLUTION
    cells, seeds = _whole_grid(objective, window, n)
    found = _merge(np.empty((0, 2)), _refine(objective, window, seeds, n), radius)
    while resolution is None and n < MAX_RESOLUTION and len(cells):
        if check is not None:
            check()
        n *= 2
        if n <= WHOLE_RESOLUTION:
            cells, seeds = _whole_grid(objective, window, n)
        else:
            cells = _finer_cells(objective, window, n, cells)
            seeds = _centres(window, n, cells)
        before = len(found)
        found = _merge(found, _refine(objective, window, seeds, n), radius)
        if len(found) == before:
            break
    return _described(objective, window, found)


def _cell_size(window: Window, n: int) -> tuple[float, float]:
    return (window[1] - window[0]) / n, (window[3] - window[2]) / n


@np.errstate(all="ignore")
def _whole_grid(objective: Objective, window: Window, n: int) -> tuple[Array, Array]:
    """Over an ``n`` x ``n``-cell grid: the cells where grad f may vanish, as
    (row, column) pairs, and the seeds: their centres and the grid points
    where |grad f| is smallest among their neighbours."""
    xmin, _, ymin, _ = window
    dx, dy = _cell_size(window, n)
    x, y = np.meshgrid(xmin + dx * np.arange(n + 1), ymin + dy * np.arange(n + 1))
    gx, gy = objective.gradient(x, y)

    def may_vanish(g: Array) -> Array:
        return _may_vanish(g[:-1, :-1], g[1:, :-1], g[:-1, 1:], g[1:, 1:])

    cells = np.argwhere(may_vanish(gx) & may_vanish(gy))
    seeds = np.concatenate([_centres(window, n, cells), _smallest_gradient(x, y, gx, gy)])
    return cells, seeds


@np.errstate(all="ignore")
def _finer_cells(objective: Objective, window: Window, n: int, parents: Array) -> Array:
    """The cells of an ``n`` x ``n`` grid inside ``parents`` (cells of the grid
    half as fine) where grad f may vanish."""
    xmin, _, ymin, _ = window
    dx, dy = _cell_size(window, n)
    steps = np.arange(3)
    rows = 2 * parents[:, 0, None, None] + steps[None, :, None]  # (k, 3, 1) vertex rows
    cols = 2 * parents[:, 1, None, None] + steps[None, None, :]  # (k, 1, 3) vertex columns
    x, y = np.broadcast_arrays(xmin + dx * cols, ymin + dy * rows)
    gx, gy = objective.gradient(x, y)
    children = []
    for r in (0, 1):
        for c in (0, 1):

            def may_vanish(g: Array, r: int = r, c: int = c) -> Array:
                return _may_vanish(g[:, r, c], g[:, r + 1, c], g[:, r, c + 1], g[:, r + 1, c + 1])

            hit = may_vanish(gx) & may_vanish(gy)
            children.append(2 * parents[hit] + (r, c))
    return np.concatenate(children)


def _may_vanish(a: Array, b: Array, c: Array, d: Array) -> Array:
    """Whether a derivative may vanish in each cell, from its values at the
    four corners: they change sign, or the smallest is no larger than their
    spread (a straight-line guess puts a zero within about a cell).  An
    undefined corner is left out."""
    low = np.fmin(np.fmin(a, b), np.fmin(c, d))
    high = np.fmax(np.fmax(a, b), np.fmax(c, d))
    nearest = np.fmin(np.fmin(np.abs(a), np.abs(b)), np.fmin(np.abs(c), np.abs(d)))
    return ((low <= 0) & (high >= 0)) | (nearest <= high - low)


def _centres(window: Window, n: int, cells: Array) -> Array:
    """The centres of ``cells`` ((row, column) pairs) of an ``n`` x ``n`` grid."""
    xmin, _, ymin, _ = window
    dx, dy = _cell_size(window, n)
    return np.column_stack([xmin + dx * (cells[:, 1] + 0.5), ymin + dy * (cells[:, 0] + 0.5)])


def _smallest_gradient(x: Array, y: Array, gx: Array, gy: Array) -> Array:
    """Grid points where |grad f| is no larger than at any of their 8 neighbours."""
    g2 = gx * gx + gy * gy
    g2 = np.where(np.isfinite(g2), g2, np.inf)
    padded = np.pad(g2, 1, constant_values=np.inf)
    rows, cols = g2.shape
    smallest = np.isfinite(g2)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                smallest &= g2 <= padded[1 + di : 1 + di + rows, 1 + dj : 1 + dj + cols]
    return np.column_stack([x[smallest], y[smallest]])


@np.errstate(all="ignore")
def _refine(objective: Objective, window: Window, seeds: Array, n: int) -> Array:
    """The stationary points inside the window that Newton reaches from
    ``seeds``, found on an ``n`` x ``n`` grid: its steps are at most
    ``STEP_CELLS`` cells long, and it looks no further than ``REACH_CELLS``."""
    if not len(seeds):
        return seeds
    cell = max(_cell_size(window, n))
    length = n * cell
    points, arrived = newton_refine(
        objective, seeds, length, reach=REACH_CELLS * cell, max_step=STEP_CELLS * cell
    )
    gx, gy = objective.gradient(points[:, 0], points[:, 1])
    size = np.hypot(gx, gy)
    seed_gx, seed_gy = objective.gradient(seeds[:, 0], seeds[:, 1])
    typical = np.nanmedian(np.hypot(seed_gx, seed_gy)) if len(seeds) else 1.0
    tiny = size <= ZERO_GRADIENT * max(float(typical), np.finfo(float).tiny)
    value = objective.value(points[:, 0], points[:, 1])
    keep = (arrived | tiny) & np.isfinite(size) & np.isfinite(value) & _inside(points, window)
    return points[keep]


def _inside(points: Array, window: Window) -> Array:
    """Points in the window, allowing round-off at its edges."""
    xmin, xmax, ymin, ymax = window
    dx, dy = 1e-9 * (xmax - xmin), 1e-9 * (ymax - ymin)
    x, y = points[:, 0], points[:, 1]
    return (x >= xmin - dx) & (x <= xmax + dx) & (y >= ymin - dy) & (y <= ymax + dy)


def _merge(found: Array, new: Array, radius: float) -> Array:
    """``found`` and the points of ``new`` that coincide with none of them or each other."""
    both = np.concatenate([found, new])
    leader = group_close(both, radius)
    return both[leader == np.arange(len(both))]


def _described(objective: Objective, window: Window, points: Array) -> tuple[StationaryPoint, ...]:
    """Value, eigenvalues and kind of each point, ordered by value then position.

    Degenerate points closer than a cell of the first grid are kept once: on
    a curve of stationary points they are a sample along it, not thousands.
    """
    if not len(points):
        return ()
    eig = hessian_eigenvalues(objective, points)
    kinds = np.array(classify(eig, curvature_scale(objective, window)))
    degenerate = np.flatnonzero(kinds == DEGENERATE)
    if len(degenerate) > 1:
        kept = _spread_out(points[degenerate], max(_cell_size(window, RESOLUTION)))
        keep = np.setdiff1d(np.arange(len(points)), np.delete(degenerate, kept))
        points, eig, kinds = points[keep], eig[keep], kinds[keep]
    values = objective.value(points[:, 0], points[:, 1])
    order = np.lexsort((points[:, 1], points[:, 0], values))
    return tuple(
        StationaryPoint(
            x=float(points[i, 0]),
            y=float(points[i, 1]),
            value=float(values[i]),
            kind=str(kinds[i]),
            eigenvalues=(float(eig[i, 0]), float(eig[i, 1])),
        )
        for i in order
    )


def _spread_out(points: Array, spacing: float) -> Array:
    """Indices of points at least ``spacing`` apart: each point in turn is
    kept unless a kept point is closer (no chaining along a curve)."""
    free = np.ones(len(points), dtype=bool)
    kept = []
    for i in range(len(points)):
        if free[i]:
            kept.append(i)
            d = np.hypot(points[:, 0] - points[i, 0], points[:, 1] - points[i, 1])
            free &= d >= spacing
    return np.array(kept, dtype=np.int64)


def count_by_kind(points: tuple[StationaryPoint, ...]) -> dict[str, int]:
    """How many points of each kind (every kind listed, zeros included)."""
    return {kind: sum(p.kind == kind for p in points) for kind in KINDS}
