"""Sizes of text and lines in the views, scaled for a projector (Ctrl+=, Ctrl+-, presenter)."""

from __future__ import annotations

from gdplayground.qt._qt import QtGui, pg

#: Point sizes at scale 1.
TICK_PT = 9.0
LABEL_PT = 10.0
LEGEND_PT = 9.0
SMALL_PT = 8.0
#: Widths (pixels) at scale 1: paths and curves at least 2 px, as on a projector.
PATH_PX = 2.5
HISTORY_PX = 2.0
CURVE_PX = 2.0
ARROW_PX = 2.2
#: the gradient fan's batch gradients (thinner than the arrows: there are many)
FAN_PX = 1.4


def font(points: float, scale: float, monospace: bool = False) -> QtGui.QFont:
    """A font of ``points`` x ``scale`` points (the system's, or its fixed-width one)."""
    if monospace:
        result = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    else:
        result = QtGui.QFont()
    result.setPointSizeF(max(points * scale, 4.0))
    return result


def style_axis(axis: pg.AxisItem, scale: float, label: str | None = None) -> None:
    """Ticks and label of a pyqtgraph axis at ``scale`` (labels keep their text)."""
    axis.setStyle(tickFont=font(TICK_PT, scale), tickTextOffset=max(2, round(3 * scale)))
    if axis.orientation in ("left", "right"):
        # the tick labels' column only grows: where one axis unit is one screen unit
        # (the contour view), a narrower column widens the plot, which changes the
        # ticks, which widen the column again - a relayout and repaint forever
        axis.setStyle(autoReduceTextSpace=False)
        axis.textWidth = 30  # measured again (pyqtgraph's start) in the new font
    text = label if label is not None else axis.labelText
    if text:
        axis.setLabel(text, **{"font-size": f"{LABEL_PT * scale:.1f}pt"})
