"""Choosing a window: one that shows the start and where the paths went."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: A window chosen around the paths is at least this wide and high, and gets
#: this fraction of its size as a margin on every side.
MIN_SPAN = 1.0
MARGIN = 0.08
#: The window's edges are rounded outward to a grid of about this many steps
#: across it, so they read as numbers a teacher would type (-1.7, not -1.6431).
ROUNDING_STEPS = 20


def nice_number(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``value`` (> 0)."""
    exponent = np.floor(np.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * 10.0**exponent >= value * (1 - 1e-12):
            return float(step * 10.0**exponent)
    return float(10.0 ** (exponent + 1))  # pragma: no cover - 10 always fits


def rounded_outward(low: float, high: float) -> tuple[float, float]:
    """``[low, high]`` widened to round numbers (a step of about a twentieth of it)."""
    step = nice_number((high - low) / ROUNDING_STEPS)
    return (
        float(round(np.floor(low / step) * step, 12)),
        float(round(np.ceil(high / step) * step, 12)),
    )


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
    xmin, xmax = rounded_outward(centre[0] - half[0], centre[0] + half[0])
    ymin, ymax = rounded_outward(centre[1] - half[1], centre[1] + half[1])
    return (xmin, xmax, ymin, ymax)
