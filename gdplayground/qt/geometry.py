"""Screen-safe geometry for the views, precomputed once per data change.

:func:`clip_polyline` keeps diverging paths drawable.  An arrow is three
segments (shaft and two head strokes) as six endpoints, drawn with
``connect="pairs"``; arrow geometry is built in window-normalised coordinates
so heads look the same on any domain, then mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdplayground.core.framing import nice_number
from gdplayground.core.sampling import Domain

#: The gradient arrow of a typical point (the 75th percentile of |∇f| along
#: the paths) is about this long, as a fraction of the window's larger side;
#: the scale is rounded so that one unit on the axes stands for a round |∇f|.
GRADIENT_LENGTH = 0.12
#: Arrows longer than this fraction of the window are cut to it.
ARROW_MAX = 0.3
#: Step arrows shorter than this fraction are drawn this long (so they show).
STEP_MIN = 0.02
_HEAD_FRACTION, _HEAD_MAX = 0.3, 0.03
_HEAD_ANGLE = np.radians(25.0)


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """About ``count`` round values (1, 2 or 5 times a power of ten apart) in [low, high]."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return np.empty(0)
    step = nice_number((high - low) / max(count, 1))
    first = np.ceil(low / step - 1e-9) * step
    ticks = np.arange(first, high + step * 1e-9, step)
    return np.where(np.abs(ticks) < step * 1e-9, 0.0, ticks)


def gradient_unit(grad_norms: list[np.ndarray], domain: Domain) -> float | None:
    """The |∇f| that one unit on the axes stands for in gradient arrows, a round number.

    Chosen so that a typical gradient along the paths is drawn about
    :data:`GRADIENT_LENGTH` of the window long.  None when no path has a gradient.
    """
    norms = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grad_norms] or [[]])
    norms = norms[np.isfinite(norms) & (norms > 0)]
    if norms.size == 0:
        return None
    xmin, xmax, ymin, ymax = domain
    typical = float(np.percentile(norms, 75))
    return nice_number(typical / (GRADIENT_LENGTH * max(xmax - xmin, ymax - ymin)))


def arrow_segments(
    origins: np.ndarray,
    vectors: np.ndarray,
    domain: Domain,
    min_length: float = 0.0,
    max_length: float = ARROW_MAX,
    isotropic: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Arrows from ``origins`` along ``vectors`` (both (n, 2), data units), at true length.

    Returns ``(segments (n, 6, 2), valid (n,))``.  Lengths, as fractions of the
    window, are kept within [``min_length``, ``max_length``].  ``isotropic``
    (equal axis scales on screen) measures both axes by the window's larger
    side, so directions and heads look right; otherwise each axis by its own
    side.  Zero or non-finite vectors are invalid.
    """
    xmin, xmax, ymin, ymax = domain
    extent = np.array([xmax - xmin, ymax - ymin], dtype=np.float64)
    if isotropic:
        extent = np.full(2, extent.max())
    v = np.asarray(vectors, dtype=np.float64) / extent
    with np.errstate(all="ignore"):
        length = np.hypot(v[:, 0], v[:, 1])
        valid = np.isfinite(length) & (length > 1e-300) & np.isfinite(origins).all(axis=1)
        unit = np.where(valid[:, None], v / np.where(valid, length, 1.0)[:, None], 0.0)
    drawn = np.clip(np.nan_to_num(length), min_length, max_length)
    head = np.minimum(drawn * _HEAD_FRACTION, _HEAD_MAX)
    tail = np.zeros_like(v)
    tip = unit * drawn[:, None]
    cos, sin = np.cos(_HEAD_ANGLE), np.sin(_HEAD_ANGLE)
    back = -unit
    left = np.stack([cos * back[:, 0] - sin * back[:, 1], sin * back[:, 0] + cos * back[:, 1]], 1)
    right = np.stack([cos * back[:, 0] + sin * back[:, 1], -sin * back[:, 0] + cos * back[:, 1]], 1)
    ends = np.stack(
        [tail, tip, tip, tip + left * head[:, None], tip, tip + right * head[:, None]], axis=1
    )
    segments = np.where(valid[:, None, None], ends * extent + origins[:, None, :], np.nan)
    return segments, valid


#: Paths are clipped to a square box reaching this many of the window's larger
#: half-sides from its centre (a margin of a window or more on every side, for
#: zooming out and for equal axis scales): Qt's cost of drawing a line, and of a
#: cached picture of it, grows with how far it reaches, and nothing out there
#: is visible.  A path that ran away to 1e30 costs what one at the edge does.
FAR_LIMIT = 3.0


#: Thinned history keeps at most one point per cell of this fraction of the
#: window (well under a pixel), and at least every THIN_STRIDE-th point.
THIN_CELL = 1 / 2000
THIN_STRIDE = 16


@dataclass(frozen=True, eq=False)
class ClippedPath:
    """A polyline made safe to draw, with the map from path rows to drawn prefixes.

    Draw ``xs[:end], ys[:end]`` with ``connect[:end]`` where
    ``end = prefix_end[row]`` to show the path up to ``row``.  ``kept`` are
    the indices of a thinned copy (runs of sub-pixel steps collapsed) for
    drawing long histories cheaply; see :meth:`frame_slices`.
    """

    xs: np.ndarray
    ys: np.ndarray
    zs: np.ndarray | None
    connect: np.ndarray
    prefix_end: np.ndarray
    kept: np.ndarray
    thin_xs: np.ndarray
    thin_ys: np.ndarray
    thin_connect: np.ndarray

    def frame_slices(self, row: int, trail: int) -> tuple[int, int, int]:
        """``(thin_end, trail_start, end)`` to draw the path up to ``row``.

        The history is ``thin_*[:thin_end]``; the exact recent part, at least
        ``trail`` rows long, is ``xs[trail_start:end]``; they meet at a shared point.
        """
        end = int(self.prefix_end[row])
        if end == 0:
            return 0, 0, 0
        boundary = max(int(self.prefix_end[max(row - trail, 0)]) - 1, 0)
        thin_end = int(np.searchsorted(self.kept, boundary, side="right"))
        start = int(self.kept[thin_end - 1]) if thin_end else 0
        return thin_end, start, end


def clip_polyline(
    points: np.ndarray,
    domain: Domain,
    limit: float = FAR_LIMIT,
    heights: np.ndarray | None = None,
    square: bool = True,
) -> ClippedPath:
    """Clip the polyline through ``points`` (n, 2) to a box around ``domain``.

    The box is square, reaching ``limit`` times the window's larger half-side
    from its centre (so it is the same in data units whatever the aspect);
    with ``square=False`` it reaches ``limit`` half-sides along each axis.  Segments
    leaving it are cut where they cross it, and segments entirely outside are
    dropped, so what shows inside is exactly the true path.  ``heights`` (n,),
    if given, are interpolated along the cut segments into ``zs``.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if heights is not None:
        heights = np.asarray(heights, dtype=np.float64).reshape(-1)
    xmin, xmax, ymin, ymax = domain
    centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
    half = np.array([(xmax - xmin) / 2, (ymax - ymin) / 2])
    # the limit per axis, in normalised units
    box = limit * half.max() / half if square else np.array([limit, limit])
    with np.errstate(all="ignore"):
        normalised = np.clip((points - centre) / half, -1e300, 1e300)
    inside = (np.abs(normalised) <= box).all(axis=1)
    n = len(points)
    if inside.all():
        prefix_end = np.arange(1, n + 1)
        return _thinned(normalised, heights, np.ones(n, dtype=bool), prefix_end, centre, half)
    columns = normalised if heights is None else np.column_stack([normalised, heights])
    drawn: list[np.ndarray] = []
    connect: list[bool] = []
    prefix_end = np.zeros(n, dtype=np.intp)
    if n and inside[0]:
        drawn.append(columns[0])
        connect.append(True)
    prefix_end[0] = len(drawn)
    for i in range(n - 1):
        if inside[i] and inside[i + 1]:
            drawn.append(columns[i + 1])
            connect.append(True)
        else:
            cut = _clip_segment(normalised[i], normalised[i + 1], box)
            if cut is not None:
                t0, t1 = cut
                step = columns[i + 1] - columns[i]
                if t0 > 0.0:
                    if connect:
                        connect[-1] = False
                    drawn.append(columns[i] + t0 * step)
                    connect.append(True)
                drawn.append(columns[i] + t1 * step if t1 < 1.0 else columns[i + 1])
                connect.append(True)
        prefix_end[i + 1] = len(drawn)
    array = np.array(drawn).reshape(-1, columns.shape[1])
    return _thinned(
        array[:, :2],
        None if heights is None else array[:, 2],
        np.array(connect, dtype=bool),
        prefix_end,
        centre,
        half,
    )


def _thinned(
    normalised: np.ndarray,
    heights: np.ndarray | None,
    connect: np.ndarray,
    prefix_end: np.ndarray,
    centre: np.ndarray,
    half: np.ndarray,
) -> ClippedPath:
    """Map back to data units and add the thinned copy of the polyline."""
    n = len(normalised)
    cells = np.floor(normalised / (2 * THIN_CELL)).astype(np.int64)
    keep = np.ones(n, dtype=bool)
    if n > 2:
        keep[1:] = (cells[1:] != cells[:-1]).any(axis=1)
        keep[::THIN_STRIDE] = True
        keep[1:] |= ~connect[:-1]  # both ends of a break stay
        keep[:-1] |= ~connect[:-1]
        keep[-1] = True
    kept = np.flatnonzero(keep)
    points = normalised * half + centre
    thin_connect = connect[kept].copy()
    return ClippedPath(
        xs=np.ascontiguousarray(points[:, 0]),
        ys=np.ascontiguousarray(points[:, 1]),
        zs=heights,
        connect=connect,
        prefix_end=prefix_end,
        kept=kept,
        thin_xs=np.ascontiguousarray(points[kept, 0]),
        thin_ys=np.ascontiguousarray(points[kept, 1]),
        thin_connect=thin_connect,
    )


def _clip_segment(p: np.ndarray, q: np.ndarray, box: np.ndarray) -> tuple[float, float] | None:
    """Liang–Barsky: the parameters (t0, t1) of the part of p->q inside
    [-box[0], box[0]] x [-box[1], box[1]]."""
    d = q - p
    lx, ly = float(box[0]), float(box[1])
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-d[0], p[0] + lx), (d[0], lx - p[0]), (-d[1], p[1] + ly),
                   (d[1], ly - p[1])):  # fmt: skip
        if pk == 0:
            if qk < 0:
                return None
            continue
        r = qk / pk
        if pk < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return None
    return t0, t1
