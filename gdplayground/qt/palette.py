"""Colours: a colour-blind-safe set for optimizer paths and the map for f.

Paths use the Okabe–Ito palette (distinguishable with every common colour
vision deficiency), then Paul Tol's "bright" set; beyond that colours repeat
and :func:`path_dash` tells the caller to dash them.  The surface and contour
fill use viridis, which is perceptually uniform and prints well in grey.
"""

from __future__ import annotations

import numpy as np

from gdplayground.qt._qt import QtCore, pg

#: Okabe & Ito (2008), without black (it disappears on dark backgrounds and on
#: the low end of viridis), followed by the distinct members of Tol's bright set.
PATH_COLOURS: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#EE6677",  # Tol red
    "#228833",  # Tol green
    "#AA3377",  # Tol purple
    "#66CCEE",  # Tol cyan
    "#BBBBBB",  # Tol grey
)

#: Colour for the start marker and known minima, readable on all of viridis.
MARKER_COLOUR = "#FFFFFF"
MARKER_OUTLINE = "#000000"

COLOUR_MAP_NAME = "viridis"


def path_colour(index: int) -> str:
    """The colour of the ``index``-th optimizer path (cycles after 12)."""
    return PATH_COLOURS[index % len(PATH_COLOURS)]


def path_dash(index: int) -> QtCore.Qt.PenStyle:
    """Solid for the first cycle of colours, then dashed, dotted, ..."""
    styles = (
        QtCore.Qt.PenStyle.SolidLine,
        QtCore.Qt.PenStyle.DashLine,
        QtCore.Qt.PenStyle.DotLine,
        QtCore.Qt.PenStyle.DashDotLine,
    )
    return styles[(index // len(PATH_COLOURS)) % len(styles)]


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
