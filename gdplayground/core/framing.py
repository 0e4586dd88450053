"""Choosing a window: one that shows the start and where the paths went."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: A window chosen around the paths is at least this wide and high, and gets
#: this fraction of its size as a margin on every side.
MIN_SPAN = 1.0
MARGIN = 0.08


def fitted_domain(
    start: tuple[float, float], paths: Sequence[tuple[np.ndarray, bool]]
) -> tuple[float, float, float, float]:
    """A window around the start and the paths, with a margin, at least :data:`MIN_SPAN` wide.

    ``paths`` are (points, diverged) pairs.  Diverging paths only count while
    they stay near the others, so one runaway does not shrink everything else.
    """

    def finite(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return points[np.isfinite(points).all(axis=1)]

    settled = [np.array([start], dtype=np.float64)]
    settled += [finite(p) for p, diverged in paths if not diverged]
    box = np.concatenate(settled)
    low, high = box.min(axis=0), box.max(axis=0)
    centre, span = (low + high) / 2, max(float((high - low).max()), MIN_SPAN)
    for points, diverged in paths:
        if diverged:
            near = finite(points)
            near = near[(np.abs(near - centre) <= 2 * span).all(axis=1)]
            if len(near):
                low, high = np.minimum(low, near.min(axis=0)), np.maximum(high, near.max(axis=0))
    sides = high - low
    sides = np.maximum(sides, max(MIN_SPAN, 0.3 * float(sides.max())))
    centre = (low + high) / 2
    half = sides * (0.5 + MARGIN)
    return (
        float(centre[0] - half[0]),
        float(centre[0] + half[0]),
        float(centre[1] - half[1]),
        float(centre[1] + half[1]),
    )
