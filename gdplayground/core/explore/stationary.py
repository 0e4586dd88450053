"""Stationary points: Newton's refinement on the gradient and naming by the Hessian.

Shared by the basin map (which names the attractors that runs end at) and the
search for every stationary point in a window.  Points come and go as arrays
of shape ``(n, 2)``; everything is vectorised over them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective


Array = np.ndarray
#: (xmin, xmax, ymin, ymax)
Window = tuple[float, float, float, float]

MINIMUM, SADDLE, MAXIMUM, DEGENERATE = "minimum", "saddle", "maximum", "degenerate"
KINDS = (MINIMUM, SADDLE, MAXIMUM, DEGENERATE)

#: An eigenvalue smaller than this fraction of the window's typical curvature
#: (see :func:`curvature_scale`) counts as zero: the point is degenerate.
ZERO_EIGENVALUE = 1e-8
#: Newton's iterations at most: quadratic convergence needs a handful, but at
#: a degenerate point (a monkey saddle, x^4) it converges only linearly.
NEWTON_ITERATIONS = 100
#: Halvings of a Newton step that would make |grad f| larger.
BACKTRACKS = 12
#: A step shorter than this fraction of ``(|p| + length)`` means Newton has arrived.
ARRIVED = 1e-13
#: A step no halving can make useful, yet shorter than this fraction, is
#: round-off noise in the gradient at a stationary point: arrived too.
ROUND_OFF = 1e-8
#: Newton gives up on a point after ``PATIENCE`` steps in a row that each left
#: more than ``SLOW`` of |grad f|^2 (converging, it leaves less than 0.14 even
#: at a degenerate point, e.g. 0.09 at the minimum of x^4).
SLOW, PATIENCE = 0.5, 5


def hessian_eigenvalues(objective: Objective, points: Array) -> Array:
    """The Hessian's eigenvalues at each point, ascending: shape ``(n, 2)``.

    nan where the Hessian is undefined.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    a, b, c = objective.hessian(points[:, 0], points[:, 1])
    h = np.stack([np.stack([a, b], -1), np.stack([b, c], -1)], -2)
    finite = np.isfinite(h).all(axis=(1, 2))
    eig = np.full((len(points), 2), np.nan)
    if finite.any():
        eig[finite] = np.linalg.eigvalsh(h[finite])
    return eig


def classify(eigenvalues: Array, scale: float) -> list[str]:
    """Name each point by its Hessian's eigenvalues (rows of ``eigenvalues``).

    An eigenvalue within ``ZERO_EIGENVALUE * scale`` of zero makes the point
    degenerate (the second-derivative test cannot tell), as does an undefined
    Hessian; otherwise both positive is a minimum, both negative a maximum
    and mixed signs a saddle.
    """
    eig = np.asarray(eigenvalues, dtype=np.float64).reshape(-1, 2)
    zero = ZERO_EIGENVALUE * scale
    kinds = []
    for low, high in eig:
        if not (np.isfinite(low) and np.isfinite(high)):
            kinds.append(DEGENERATE)
        elif low > zero:
            kinds.append(MINIMUM)
        elif high < -zero:
            kinds.append(MAXIMUM)
        elif low < -zero and high > zero:
            kinds.append(SADDLE)
        else:
            kinds.append(DEGENERATE)
    return kinds


def curvature_scale(objective: Objective, window: Window, size: int = 33) -> float:
    """The window's typical curvature: the median largest |eigenvalue| of the
    Hessian on a ``size`` x ``size`` grid (1 where that is 0 or undefined).

    Eigenvalues are judged zero relative to it, so that scaling f does not
    change what is called degenerate.
    """
    xmin, xmax, ymin, ymax = window
    x, y = np.meshgrid(np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size))
    eig = hessian_eigenvalues(objective, np.column_stack([x.ravel(), y.ravel()]))
    largest = np.abs(eig).max(axis=1)
    largest = largest[np.isfinite(largest) & (largest > 0)]
    return float(np.median(largest)) if len(largest) else 1.0


def _gradient(objective: Objective, p: Array) -> Array:
    gx, gy = objective.gradient(p[:, 0], p[:, 1])
    return np.column_stack([gx, gy])


def _norm2(g: Array) -> Array:
    return g[:, 0] * g[:, 0] + g[:, 1] * g[:, 1]


@np.errstate(all="ignore")
def newton_refine(
    objective: Objective,
    points: Array,
    length: float = 1.0,
    reach: float = np.inf,
    max_step: float = np.inf,
    iterations: int = NEWTON_ITERATIONS,
) -> tuple[Array, Array]:
    """Newton's method on grad f = 0 from every point, with the exact Hessian.

    A step longer than ``max_step`` is shortened to that length, then halved
    until it makes |grad f| no larger (so the iteration cannot run away from
    a nearby stationary point).  Returns the points reached and a mask of
    those where Newton arrived: the gradient is exactly zero, or Newton's
    step is round-off relative to ``length`` (e.g. the window's size).
    Points are given up (returned where they got to, unmasked) where Newton
    gets stuck (a singular Hessian away from a stationary point, an undefined
    gradient), goes further than ``reach`` from where it began, or stops
    converging: even at a degenerate point it shrinks |grad f|^2 by more
    than half each step.
    """
    p = np.array(points, dtype=np.float64).reshape(-1, 2)
    begin = p.copy()
    arrived = np.zeros(len(p), dtype=bool)
    slow = np.zeros(len(p), dtype=np.int64)
    last_g2 = np.full(len(p), np.inf)
    going = np.flatnonzero(np.isfinite(p).all(axis=1))
    grad = np.full_like(p, np.nan)  # grad f at p, for the points going
    grad[going] = _gradient(objective, p[going])
    for _ in range(iterations):
        if not len(going):
            break
        q, g = p[going], grad[going]
        g2 = _norm2(g)
        step = _newton_step(objective, q, g)
        size = np.hypot(step[:, 0], step[:, 1]) / (np.hypot(q[:, 0], q[:, 1]) + length)
        usable = np.isfinite(size) & np.isfinite(g2)
        done = (g2 == 0) | (usable & (size <= ARRIVED))
        moving = np.flatnonzero(usable & ~done)
        step[(g2 == 0) | ~usable] = 0.0  # an arriving step is taken: its error is round-off
        step[moving], stuck, new_g = _backtrack(
            objective, q[moving], _shortened(step[moving], max_step), g2[moving]
        )
        done[moving[stuck & (size[moving] <= ROUND_OFF)]] = True  # at the root, in the noise
        p[going] = q - step
        arrived[going[done]] = True
        slow[going] = np.where(g2 > SLOW * last_g2[going], slow[going] + 1, 0)
        last_g2[going] = g2
        grad[going[moving]] = new_g
        going = going[moving[~stuck]]
        away = p[going] - begin[going]
        going = going[(np.hypot(away[:, 0], away[:, 1]) <= reach) & (slow[going] < PATIENCE)]
    return p, arrived


def _shortened(step: Array, longest: float) -> Array:
    """Each step, shortened to ``longest`` if it is longer."""
    size = np.hypot(step[:, 0], step[:, 1])
    factor = np.where(size > longest, longest / size, 1.0)
    return step * factor[:, None]


def _newton_step(objective: Objective, q: Array, g: Array) -> Array:
    """H^-1 grad f at each point (inf or nan where H is singular)."""
    a, b, c = objective.hessian(q[:, 0], q[:, 1])
    det = a * c - b * b
    return np.column_stack([(c * g[:, 0] - b * g[:, 1]) / det, (a * g[:, 1] - b * g[:, 0]) / det])


def _backtrack(
    objective: Objective, q: Array, step: Array, g2: Array
) -> tuple[Array, Array, Array]:
    """Halve each step until |grad f| at ``q - step`` is no larger than at ``q``.

    Returns the steps, a mask of the points no halving helped (their step
    is 0) and grad f at ``q - step``.
    """
    step = step.copy()
    stuck = np.zeros(len(q), dtype=bool)
    new_g = np.full_like(q, np.nan)
    todo = np.arange(len(q))
    for _ in range(BACKTRACKS):
        if not len(todo):
            break
        new_g[todo] = _gradient(objective, q[todo] - step[todo])
        worse = ~(_norm2(new_g[todo]) <= g2[todo])
        todo = todo[worse]
        step[todo] *= 0.5
    else:
        stuck[todo] = True
        step[todo] = 0.0
        new_g[todo] = np.nan
    return step, stuck, new_g


def group_close(points: Array, radius: float) -> Array:
    """Group points that lie close together; each point's group leader.

    Points within ``radius`` of each other are always in one group (and a
    chain of close points makes one group, so points a few ``radius`` apart
    may be too).  The leader is the group's first point in the given order,
    so the grouping does not depend on how the points are later split up.
    Points with a nan coordinate lead their own group.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    n = len(points)
    leader = np.arange(n)
    finite = np.flatnonzero(np.isfinite(points).all(axis=1))
    if len(finite) < 2:
        return leader
    # Two points within ``radius`` share a cell of side 4 * radius in one of
    # four grids shifted by half a cell along x, y or both.
    cell = 4.0 * radius if radius > 0 else np.finfo(np.float64).tiny
    base = points[finite] / cell
    keys = [
        np.floor(base + np.array(shift)).astype(np.int64)
        for shift in ((0.0, 0.0), (0.5, 0.0), (0.0, 0.5), (0.5, 0.5))
    ]
    cells = [_cell_numbers(k) for k in keys]
    label = finite.copy()
    while True:  # each point takes the smallest label in any of its cells, until stable
        before = label.copy()
        for inverse in cells:
            smallest = np.full(inverse.max() + 1, n, dtype=np.int64)
            np.minimum.at(smallest, inverse, label)
            label = smallest[inverse]
        if np.array_equal(label, before):
            break
    leader[finite] = label
    return leader


def _cell_numbers(keys: Array) -> Array:
    """A number for each distinct row of integer ``keys`` (n, 2), the same for equal rows."""
    low = keys.min(axis=0)
    span = keys.max(axis=0) - low + 1
    if span[0] < 2**62 // span[1]:  # one int64 per row: far faster to sort
        flat = (keys[:, 0] - low[0]) * span[1] + (keys[:, 1] - low[1])
        return np.unique(flat, return_inverse=True)[1].ravel()
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel()
