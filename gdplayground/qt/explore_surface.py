"""The 3-D view's exploring layer: stationary points on the surface, with their legend.

Each point is drawn at its height, in its kind's colour (as on the contour
view), over the surface; a small legend painted in the view's corner names
the colours.  Fed by the surface view's ``set_picture``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph.opengl as gl

from gdplayground.core.explore.critical import StationaryPoint
from gdplayground.core.explore.layers import KIND_COLOURS, stationary_legend
from gdplayground.core.picture import Picture
from gdplayground.core.surface import SceneTransform
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtGui

MARKER_PX = 12
_PAD = 8


class CornerLegend(gl.GLGraphicsItem.GLGraphicsItem):
    """Lines of text with coloured dots, painted over the 3-D view's top-left corner."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []  # (colour, text)
        self.text_scale = 1.0
        self.setDepthValue(100)  # painted after the scene

    def paint(self) -> None:
        if not self.rows:
            return
        self.setupGLState()
        painter = QtGui.QPainter(self.view())
        try:
            painter.setRenderHints(
                QtGui.QPainter.RenderHint.Antialiasing | QtGui.QPainter.RenderHint.TextAntialiasing
            )
            font = style.font(style.LEGEND_PT, self.text_scale)
            painter.setFont(font)
            metrics = QtGui.QFontMetricsF(font)
            line = metrics.height() * 1.2
            dot = metrics.height() * 0.7
            width = max(metrics.horizontalAdvance(text) for _, text in self.rows) + dot + 3 * _PAD
            box = QtCore.QRectF(_PAD, _PAD, width, line * len(self.rows) + _PAD)
            painter.setPen(QtGui.QColor("#a0a0a0"))
            painter.setBrush(QtGui.QColor(255, 255, 255, 215))
            painter.drawRect(box)
            for i, (colour, text) in enumerate(self.rows):
                top = box.top() + _PAD / 2 + i * line
                if colour:
                    painter.setPen(QtGui.QColor("#000000"))
                    painter.setBrush(QtGui.QColor(colour))
                    painter.drawEllipse(
                        QtCore.QRectF(box.left() + _PAD, top + (line - dot) / 2, dot, dot)
                    )
                painter.setPen(QtGui.QColor("#202020"))
                left = box.left() + _PAD + (dot + _PAD if colour else 0)
                painter.drawText(
                    QtCore.QRectF(left, top, box.right() - left, line),
                    QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft,
                    text,
                )
        finally:
            painter.end()


class SurfaceExploreLayers:
    """Stationary points as coloured dots on the surface, and the legend of their kinds."""

    def __init__(self, view: gl.GLViewWidget, lift: float, overlay: dict) -> None:
        self.points_item = gl.GLScatterPlotItem(size=MARKER_PX, pxMode=True, glOptions=overlay)
        self.points_item.setDepthValue(9)
        self.points_item.setVisible(False)
        view.addItem(self.points_item)
        self.legend = CornerLegend()
        view.addItem(self.legend)
        self._lift = lift
        self._points: tuple[StationaryPoint, ...] | None = None
        self._transform: SceneTransform | None = None

    @property
    def legend_text(self) -> str:
        """The legend as plain text (for checks)."""
        return "\n".join(text for _, text in self.legend.rows)

    def set_picture(self, picture: Picture, transform: SceneTransform | None) -> None:
        """Mark ``picture``'s stationary points on the surface that ``transform`` maps."""
        self.legend.text_scale = picture.options.text_scale
        if picture.stationary is self._points and transform is self._transform:
            return
        self._points, self._transform = picture.stationary, transform
        points = picture.stationary
        if not points or transform is None:
            self.points_item.setVisible(False)
            self.legend.rows = []
            if points is not None:
                self.legend.rows = [("", "Stationary points: none in the window")]
            return
        xs = np.array([p.x for p in points])
        ys = np.array([p.y for p in points])
        values = np.array([p.value for p in points])
        pos = transform.points(xs, ys, values)
        pos[:, 2] = np.maximum(pos[:, 2], 0.0) + self._lift
        colours = np.array([QtGui.QColor(KIND_COLOURS[p.kind]).getRgbF() for p in points])
        self.points_item.setData(pos=pos, color=colours, size=MARKER_PX)
        self.points_item.setVisible(True)
        self.legend.rows = [("", "Stationary points")] + [
            (KIND_COLOURS.get(kind, ""), text) for kind, text in stationary_legend(points)
        ]
