"""Basin maps: from where does an optimizer end up where?

One optimizer runs from every start of an N x N grid over the window (the
centres of its cells; row 0 at the window's lowest y), all together, a chunk
of rows at a time, by the runner's rules (see :mod:`final_states`).  Each run that ends at a
stationary point is labelled with that point, an *attractor*: a run that
converged (gradient norm below ``tol``), or that used all its steps and
whose last point lies within ``ATTRACTOR_RADIUS`` of the window's size from
a stationary point (Newton's method on grad f from the last point finds it:
an Adam run circling a minimum has ended there).  Attractors closer than
that radius are one.  Each is named by its Hessian (minimum, saddle,
maximum, degenerate).  Runs that diverged are labelled ``DIVERGED``, the
rest ``NOT_CONVERGED``.

Attractors are numbered in the order they are found, row by row from the
bottom, so a partial map's labels keep their meaning as the map fills in.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from gdplayground.core.differences import MODES
from gdplayground.core.explore.critical import check_window
from gdplayground.core.explore.final_states import final_states
from gdplayground.core.explore.stationary import (
    ZERO_EIGENVALUE,
    Window,
    classify,
    curvature_scale,
    hessian_eigenvalues,
    newton_refine,
)
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.trajectory import CONVERGED, DIVERGED, STATUSES
from gdplayground.model.limits import DEFAULT_BASIN_GRID, MAX_BASIN_GRID, MIN_BASIN_GRID

if TYPE_CHECKING:  # the function language (and sympy) load only when a map is computed
    from gdplayground.core.gradients import Objective

Array = np.ndarray

DEFAULT_GRID, MIN_GRID, MAX_GRID = DEFAULT_BASIN_GRID, MIN_BASIN_GRID, MAX_BASIN_GRID
DEFAULT_STEPS = 500
DEFAULT_TOL = 1e-10
#: Labels of starts that reached no attractor (attractors are numbered from 0).
DIVERGED_LABEL, NOT_CONVERGED_LABEL = -1, -2
#: Rows of a partial map not computed yet.
PENDING_LABEL = -3
#: A run has ended at a stationary point this close (a fraction of the
#: window's larger side); attractors this close are one.
ATTRACTOR_RADIUS = 0.005
#: Runs in one chunk: as many as keep the runner's arrays in the CPU cache
#: (fewer for long runs, so a chunk takes ~0.1 s and cancelling stays quick).
CHUNK_POINTS = 4096
CHUNK_WORK = 4096 * 500
#: How often a caller waiting for worker processes checks for cancelling (s).
POLL_S = 0.002

_CONVERGED_CODE = STATUSES.index(CONVERGED)
_DIVERGED_CODE = STATUSES.index(DIVERGED)


@dataclass(frozen=True)
class BasinRequest:
    """Everything a basin map depends on: plain values, so worker processes
    can compile the function and run rows of the map themselves."""

    function: str
    config: OptimizerConfig
    window: Window
    size: int = DEFAULT_GRID
    steps: int = DEFAULT_STEPS
    tol: float = DEFAULT_TOL
    gradient: str = "symbolic"
    h: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "window", check_window(self.window))
        if not (isinstance(self.size, int) and MIN_GRID <= self.size <= MAX_GRID):
            raise ValueError(
                f"the grid must be {MIN_GRID} to {MAX_GRID} starts a side, not {self.size}"
            )
        if not (isinstance(self.steps, int) and self.steps >= 0):
            raise ValueError(f"steps must be a whole number, 0 or more, not {self.steps}")
        if not (np.isfinite(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a number, 0 or more, not {self.tol}")
        if self.gradient not in MODES:
            raise ValueError(f"unknown gradient mode {self.gradient!r}: use symbolic or numeric")


@dataclass(frozen=True)
class Attractor:
    """A stationary point where runs ended, and the share of starts that ended there.

    ``share`` is of the starts computed so far (all of them in a complete map).
    """

    point: tuple[float, float]
    value: float
    kind: str
    eigenvalues: tuple[float, float]
    share: float


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Where the run from each start ended: ``labels[row, column]`` is an index
    into ``attractors``, ``DIVERGED_LABEL`` or ``NOT_CONVERGED_LABEL``; rows
    from ``rows_done`` on are ``PENDING_LABEL`` until the map is complete.
    Row 0 is at the window's lowest y (see :func:`start_grid`)."""

    request: BasinRequest
    attractors: tuple[Attractor, ...]
    labels: Array = field(repr=False)
    rows_done: int

    @property
    def complete(self) -> bool:
        """Whether every row has been computed."""
        return self.rows_done == self.request.size

    @property
    def diverged_share(self) -> float:
        """The share of computed starts whose runs diverged."""
        return self._share(DIVERGED_LABEL)

    @property
    def not_converged_share(self) -> float:
        """The share of computed starts whose runs reached no attractor."""
        return self._share(NOT_CONVERGED_LABEL)

    def _share(self, label: int) -> float:
        done = self.labels[: self.rows_done]
        return float(np.count_nonzero(done == label) / done.size) if done.size else 0.0


class RowRunner(Protocol):
    """Runs chunks of rows elsewhere (see :mod:`gdplayground.core.explore.basin_pool`)."""

    @property
    def ready(self) -> bool:
        """Whether chunks can be submitted now."""

    @property
    def capacity(self) -> int:
        """How many chunks to keep under way at once."""

    def submit(self, request: BasinRequest, rows: tuple[int, int]) -> Future | None:
        """Start rows ``[first, stop)``; the future gives :func:`run_rows`'s result.
        None if it cannot."""

    def failed(self) -> None:
        """A chunk failed: submit no more."""


def start_grid(window: Window, size: int) -> tuple[Array, Array]:
    """The x of each column and the y of each row of starts: the centres of
    ``size`` x ``size`` equal cells covering the window, y increasing with the row."""
    xmin, xmax, ymin, ymax = window
    centres = (np.arange(size) + 0.5) / size
    return xmin + (xmax - xmin) * centres, ymin + (ymax - ymin) * centres


def run_rows(
    objective: Objective, request: BasinRequest, rows: tuple[int, int]
) -> tuple[Array, Array]:
    """Run the starts of rows ``[first, stop)``: each run's last point and status code."""
    xs, ys = start_grid(request.window, request.size)
    first, stop = rows
    x, y = np.meshgrid(xs, ys[first:stop])
    starts = np.column_stack([x.ravel(), y.ravel()])
    return final_states(objective, request.config, starts, request.steps, request.tol)


def row_chunks(size: int, steps: int) -> list[tuple[int, int]]:
    """Rows ``[first, stop)`` of each chunk: one row first (a first picture
    at once), then twice as many each time up to about ``CHUNK_POINTS`` runs."""
    most = max(1, min(CHUNK_POINTS, CHUNK_WORK // max(steps, 1)) // size)
    chunks, first, rows = [], 0, 1
    while first < size:
        stop = min(size, first + rows)
        chunks.append((first, stop))
        first, rows = stop, min(2 * rows, most)
    return chunks


def compute_basin_map(
    request: BasinRequest,
    objective: Objective | None = None,
    check: Callable[[], None] | None = None,
    on_partial: Callable[[BasinMap], None] | None = None,
    pool: RowRunner | None = None,
) -> BasinMap:
    """The complete basin map; ``on_partial`` sees each partial map as it fills in.

    See :func:`iter_basin_maps` for the arguments.
    """
    result = None
    for found, labels, rows_done in _fill(request, objective, check, pool):
        if on_partial is not None and rows_done < request.size:
            on_partial(_snapshot(request, found, labels, rows_done))
        result = found, labels, rows_done
    assert result is not None
    return _snapshot(request, *result)


def iter_basin_maps(
    request: BasinRequest,
    objective: Objective | None = None,
    check: Callable[[], None] | None = None,
    pool: RowRunner | None = None,
) -> Iterator[BasinMap]:
    """The map after each chunk of rows, the last one complete.

    ``objective`` is the request's function compiled (compiled here if
    None); ``check`` is called between chunks and while waiting, and may
    raise to cancel.  With a ``pool`` that is ready, chunks after the first
    run in its worker processes (the first always runs here, so the first
    picture never waits for them); a pool that fails leaves the rest to
    this process.  Raises ExpressionError for a bad function.
    """
    for found, labels, rows_done in _fill(request, objective, check, pool):
        yield _snapshot(request, found, labels, rows_done)


def _fill(
    request: BasinRequest,
    objective: Objective | None,
    check: Callable[[], None] | None,
    pool: RowRunner | None,
) -> Iterator[tuple[_Attractors, Array, int]]:
    """The attractors and the labels (filled in place) after each chunk of rows."""
    if objective is None:
        from gdplayground.core.gradients import compile_function

        objective = compile_function(request.function, request.gradient, request.h)
    chunks = row_chunks(request.size, request.steps)
    labels = np.full((request.size, request.size), PENDING_LABEL, dtype=np.int32)
    found = _Attractors(objective, request.window)
    for (first, stop), (points, status) in _chunk_results(request, objective, chunks, check, pool):
        labels[first:stop] = found.label(points, status).reshape(stop - first, request.size)
        yield found, labels, stop


def _chunk_results(
    request: BasinRequest,
    objective: Objective,
    chunks: list[tuple[int, int]],
    check: Callable[[], None] | None,
    pool: RowRunner | None,
) -> Iterator[tuple[tuple[int, int], tuple[Array, Array]]]:
    """Each chunk's rows and results, in order: computed here, or by the pool.

    The chunk due next is computed here unless it is already under way in
    the pool, which meanwhile is kept busy with the chunks after it.
    """
    under_way: dict[int, Future] = {}
    handed_out = 0  # chunks before this one are done, under way or due here
    try:
        for i, rows in enumerate(chunks):
            if check is not None:
                check()
            handed_out = max(handed_out, i + 1)
            while pool is not None and pool.ready and handed_out < len(chunks):
                if len(under_way) >= pool.capacity:
                    break
                future = pool.submit(request, chunks[handed_out])
                if future is None:
                    break
                under_way[handed_out] = future
                handed_out += 1
            future = under_way.get(i)
            result = _wait(future, check) if future is not None else None
            under_way.pop(i, None)
            if result is None:
                if future is not None and pool is not None:
                    pool.failed()
                result = run_rows(objective, request, rows)
            yield rows, result
    finally:
        for future in under_way.values():
            future.cancel()


def _wait(future: Future, check: Callable[[], None] | None) -> tuple[Array, Array] | None:
    """The future's result (None if it failed), checking for cancelling meanwhile."""
    while True:
        if check is not None:
            check()
        done, _ = concurrent.futures.wait([future], timeout=POLL_S)
        if done:
            try:
                return future.result()
            except Exception:  # noqa: BLE001 - the worker died or failed: compute here
                return None


def _snapshot(request: BasinRequest, found: _Attractors, labels: Array, rows_done: int) -> BasinMap:
    """The map as it stands, with its own read-only copy of the labels."""
    done = labels[:rows_done]
    counts = np.bincount(done[done >= 0].ravel(), minlength=len(found.points))
    attractors = tuple(
        Attractor(
            point=(float(p[0]), float(p[1])),
            value=value,
            kind=kind,
            eigenvalues=eig,
            share=float(count / done.size),
        )
        for p, value, kind, eig, count in zip(
            found.points, found.values, found.kinds, found.eigenvalues, counts, strict=True
        )
    )
    frozen = labels.copy()
    frozen.flags.writeable = False
    return BasinMap(request, attractors, frozen, rows_done)


class _Attractors:
    """The attractors found so far, and the labelling of runs' last points."""

    def __init__(self, objective: Objective, window: Window) -> None:
        self.objective = objective
        self.length = max(window[1] - window[0], window[3] - window[2])
        self.radius = ATTRACTOR_RADIUS * self.length
        self.scale = curvature_scale(objective, window)
        self.points = np.empty((0, 2))
        self.sinks = np.empty(0, dtype=bool)
        self.values: list[float] = []
        self.kinds: list[str] = []
        self.eigenvalues: list[tuple[float, float]] = []

    def label(self, points: Array, status: Array) -> Array:
        """The label of each run from its last point and status code."""
        labels = np.full(len(points), NOT_CONVERGED_LABEL, dtype=np.int32)
        labels[status == _DIVERGED_CODE] = DIVERGED_LABEL
        ended = np.flatnonzero((status != _DIVERGED_CODE) & np.isfinite(points).all(axis=1))
        converged = status[ended] == _CONVERGED_CODE
        near = np.where(
            converged,
            nearest_within(points[ended], self.points, self.radius),
            self._nearest_sink(points[ended]),
        )
        labels[ended] = np.where(near >= 0, near, NOT_CONVERGED_LABEL)
        rest = near < 0
        if rest.any():
            anchors, settled = self._settle(points[ended[rest]], converged[rest])
            labels[ended[rest][settled]] = self._place(anchors[settled])
        return labels

    def _nearest_sink(self, points: Array) -> Array:
        """The nearest attractor within the radius that runs can settle in
        without converging (see :meth:`_settle`), or -1."""
        sinks = np.flatnonzero(self.sinks)
        if not len(sinks):
            return np.full(len(points), -1, dtype=np.int64)
        near = nearest_within(points, self.points[sinks], self.radius)
        return np.where(near >= 0, sinks[np.maximum(near, 0)], -1)

    def _settle(self, ends: Array, converged: Array) -> tuple[Array, Array]:
        """Where each run ended (the stationary point near its last point, or
        the last point itself) and whether it ended at a stationary point.

        A converged run has.  A run that used all its steps has if its last
        point is within the radius of a stationary point where f curves
        nowhere down (a minimum, or a degenerate point): near a saddle or a
        maximum such a run is on its way out, not settling in.
        """
        refined, arrived = newton_refine(
            self.objective, ends, self.length, reach=2 * self.radius, max_step=self.radius
        )
        close = arrived & (np.hypot(*(refined - ends).T) <= self.radius)
        anchors = np.where(close[:, None], refined, ends)
        settling = close.copy()
        if close.any():
            eig = hessian_eigenvalues(self.objective, refined[close])
            settling[close] = _is_sink(eig, self.scale)
        return anchors, converged | settling

    def _place(self, anchors: Array) -> Array:
        """Attractor indices for ``anchors``: an existing attractor within the
        radius, or a new one (the first of a group of close anchors leads)."""
        index = nearest_within(anchors, self.points, self.radius)
        for i in range(len(anchors)):
            if index[i] >= 0:
                continue
            fresh = len(self.points)
            self._add(anchors[i])
            todo = np.flatnonzero(index < 0)
            d = np.hypot(*(anchors[todo] - anchors[i]).T)
            index[todo[d <= self.radius]] = fresh
        return index

    def _add(self, point: Array) -> None:
        eig = hessian_eigenvalues(self.objective, point[None])[0]
        self.points = np.vstack([self.points, point])
        self.sinks = np.append(self.sinks, _is_sink(eig[None], self.scale))
        self.values.append(float(self.objective.value(point[0:1], point[1:2])[0]))
        self.kinds.append(classify(eig[None], self.scale)[0])
        self.eigenvalues.append((float(eig[0]), float(eig[1])))


def _is_sink(eigenvalues: Array, scale: float) -> Array:
    """Where no eigenvalue of the Hessian is clearly negative (f curves nowhere down)."""
    return ~(eigenvalues[:, 0] < -ZERO_EIGENVALUE * scale)


def nearest_within(points: Array, centres: Array, radius: float) -> Array:
    """For each point, the index of the nearest centre within ``radius``, or -1.

    Centres are sorted by x, so each point is compared only with the centres
    whose x is within ``radius`` of its own.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    best = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not len(centres):
        return best
    order = np.argsort(centres[:, 0], kind="stable")
    cx, cy = centres[order, 0], centres[order, 1]
    px, py = points[:, 0], points[:, 1]
    low = np.searchsorted(cx, px - radius, side="left")
    high = np.searchsorted(cx, px + radius, side="right")
    best_d = np.full(len(points), np.inf)
    for j in range(int((high - low).max(initial=0))):
        k = low + j
        valid = k < high
        k = np.minimum(k, len(cx) - 1)
        d = np.hypot(px - cx[k], py - cy[k])
        better = valid & (d <= radius) & (d < best_d)
        best[better] = order[k[better]]
        best_d[better] = d[better]
    return best
