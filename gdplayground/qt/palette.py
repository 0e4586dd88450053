"""Colours of the views: markers and the map for f.

The optimizers' colours are the session's (:mod:`gdplayground.model.palette`).
The surface and contour fill use viridis, which is perceptually uniform and
prints well in grey.
"""

from __future__ import annotations

import numpy as np

from gdplayground.qt._qt import pg

#: Colour for the start marker and known minima, readable on all of viridis.
MARKER_COLOUR = "#FFFFFF"
MARKER_OUTLINE = "#000000"

COLOUR_MAP_NAME = "viridis"


def colour_map() -> pg.ColorMap:
    """The colour map for f on the contour and surface views."""
    return pg.colormap.get(COLOUR_MAP_NAME)


def colour_lookup_table(points: int = 256) -> np.ndarray:
    """``(points, 3)`` uint8 RGB lookup table of :func:`colour_map`."""
    return colour_map().getLookupTable(0.0, 1.0, points, alpha=False)


def map_colours(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """RGBA floats in [0, 1], shape ``values.shape + (4,)``, for values in [low, high]."""
    span = high - low if high > low else 1.0
    t = np.clip((np.asarray(values, dtype=np.float64) - low) / span, 0.0, 1.0)
    t = np.nan_to_num(t, nan=0.0)
    table = colour_lookup_table(256).astype(np.float32) / 255.0
    rgb = table[np.rint(t * 255).astype(np.intp)]
    rgba = np.ones(rgb.shape[:-1] + (4,), dtype=np.float32)
    rgba[..., :3] = rgb
    return rgba
