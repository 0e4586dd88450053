"""Curve items for animated prefixes: cheap to update every frame."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdplayground.qt._qt import QtCore, QtGui, pg

_polygon = pg.functions.arrayToQPolygonF


class PrefixCurve(pg.PlotCurveItem):
    """A curve whose bounds are declared up front instead of scanned on every setData.

    Each frame only changes the drawn prefix of a known path, so the bounds of
    the whole path are a valid (slightly generous) bounding rect for every frame.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._declared = QtCore.QRectF()
        self._polyline: QtGui.QPolygonF | bool = False

    def setData(self, *args: object, **kwargs: object) -> None:  # noqa: N802 - pyqtgraph API
        self._polyline = False  # drawn by pyqtgraph's own paint
        super().setData(*args, **kwargs)

    def declare_bounds(self, rect: QtCore.QRectF) -> None:
        """Bounds covering everything this item will ever draw for the current path."""
        self.prepareGeometryChange()
        self._declared = rect

    def set_prefix(self, xs: np.ndarray, ys: np.ndarray, connect: np.ndarray | str) -> None:
        """Show ``xs, ys`` (1-D float arrays inside the declared bounds): ``setData``
        without its checks and bounds bookkeeping, for the per-frame update."""
        self.xData, self.yData = xs, ys
        self.opts["connect"] = connect
        self.path = self.fillPath = self._fillPathList = self._mouseShape = None
        self._lineSegmentsRendered = False
        # one unbroken run (the usual case): paint draws it as a polyline, built lazily
        unbroken = connect == "all" if isinstance(connect, str) else bool(connect[:-1].all())
        plain = not (self.opts["stepMode"] or self.opts["compositionMode"])
        self._polyline = unbroken and plain and self.opts["fillLevel"] is None and len(xs) > 1
        self.update()

    def paint(self, painter: QtGui.QPainter, *args: object) -> None:
        # pyqtgraph's paint builds a QPainterPath through several checks each time; an
        # unbroken prefix is the same line drawn as a polyline, with the same pens
        if self._polyline is False or self._exportOpts is not False:
            super().paint(painter, *args)
            return
        if self._polyline is True:
            self._polyline = _polygon(self.xData, self.yData)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self.opts["antialias"])
        for pen in (self.opts["shadowPen"], self.opts["pen"]):
            if pen is not None and pen.style() != QtCore.Qt.PenStyle.NoPen:
                painter.setPen(pen)
                painter.drawPolyline(self._polyline)

    def boundingRect(self) -> QtCore.QRectF:
        return self._declared

    def dataBounds(
        self, ax: int, frac: float = 1.0, orthoRange: object = None
    ) -> tuple[float | None, float | None]:
        rect = self._declared
        if rect.isNull():
            return None, None
        return (rect.left(), rect.right()) if ax == 0 else (rect.top(), rect.bottom())


class CurveStack(pg.GraphicsObject):
    """Paints several curves, in order, as one item: cached, that is one pixmap to replay
    for all of them instead of one per curve.

    The curves stay outside the scene and keep their data, pens and bounds;
    changing their data, pen or visibility repaints the stack.
    """

    def __init__(self) -> None:
        super().__init__()
        self._curves: list[PrefixCurve] = []
        self._bounds = QtCore.QRectF()

    def set_curves(self, curves: Sequence[PrefixCurve]) -> None:
        """Paint ``curves`` (the first lowest); call again when their data or pens change."""
        for curve in curves:
            if curve not in self._curves:
                curve.visibleChanged.connect(self._changed)
        self._curves = list(curves)
        self._changed()

    def _changed(self) -> None:
        bounds = QtCore.QRectF()
        for curve in self._curves:
            if curve.isVisible():
                bounds = bounds.united(curve.boundingRect())
        self.prepareGeometryChange()
        self._bounds = bounds
        self.update()

    def boundingRect(self) -> QtCore.QRectF:
        return self._bounds

    def paint(self, painter: QtGui.QPainter, *args: object) -> None:
        for curve in self._curves:
            if curve.isVisible():
                painter.save()
                curve.paint(painter, *args)
                painter.restore()


class GrowingPolylines(pg.GraphicsObject):
    """Several polylines, each drawn up to an end that mostly grows, onto a cached image.

    Moving an end forward draws only the new segments; moving one back, new
    data, or a new view transform (zoom, resize, export size) repaints them
    all.  Each repaint of the view is then one image blit, however long the
    polylines are.  Lines are drawn in the order given, the first lowest.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lines: list[tuple[np.ndarray, np.ndarray, np.ndarray, QtGui.QPen]] = []
        self._ends: list[int] = []
        self._drawn: list[int] = []
        self._bounds = QtCore.QRectF()
        self._image: QtGui.QImage | None = None
        self._key: tuple | None = None

    def set_lines(
        self,
        lines: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, QtGui.QPen]],
        bounds: QtCore.QRectF,
    ) -> None:
        """``(xs, ys, connect, pen)`` per polyline (``connect`` as pyqtgraph's), all shown
        with end 0; ``bounds`` cover everything they will ever draw."""
        self.prepareGeometryChange()
        self._lines = list(lines)
        self._ends = [0] * len(self._lines)
        self._bounds = QtCore.QRectF(bounds)
        self._key = None
        self.update()

    def set_end(self, index: int, end: int) -> None:
        """Draw polyline ``index`` through its first ``end`` points."""
        if end != self._ends[index]:
            self._ends[index] = end
            self.update()

    def end(self, index: int) -> int:
        """How many points of polyline ``index`` are drawn."""
        return self._ends[index]

    def boundingRect(self) -> QtCore.QRectF:
        return self._bounds

    def paint(self, painter: QtGui.QPainter, *_: object) -> None:
        if not self._lines or self._bounds.isNull():
            return
        # logical coordinates of the painter: a widget painted into a parent's
        # pixmap (grab) gets its offset from the device, not from this transform
        transform = painter.worldTransform()
        ratio = painter.device().devicePixelRatioF()
        shown = self.viewRect()
        visible = self._bounds if shown is None else self._bounds.intersected(shown)
        area = transform.mapRect(visible).toAlignedRect()
        if area.isEmpty():
            return
        key = (*(transform.map(QtCore.QPointF(x, y)) for x, y in ((0, 0), (1, 0), (0, 1))),
               area, ratio)  # fmt: skip
        if key != self._key or any(e < d for e, d in zip(self._ends, self._drawn, strict=True)):
            self._key = key
            size = QtCore.QSize(round(area.width() * ratio), round(area.height() * ratio))
            self._image = QtGui.QImage(size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            self._image.setDevicePixelRatio(ratio)
            self._image.fill(0)
            self._drawn = [0] * len(self._lines)
        self._draw_new_segments(transform * QtGui.QTransform.fromTranslate(-area.x(), -area.y()))
        painter.save()
        painter.setWorldTransform(QtGui.QTransform())
        painter.drawImage(area.topLeft(), self._image)
        painter.restore()

    def _draw_new_segments(self, transform: QtGui.QTransform) -> None:
        news = [i for i, (e, d) in enumerate(zip(self._ends, self._drawn, strict=True)) if e > d]
        if not news:
            return
        painter = QtGui.QPainter(self._image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setTransform(transform)
        for index in news:
            xs, ys, connect, pen = self._lines[index]
            start, end = max(self._drawn[index] - 1, 0), self._ends[index]
            if end - start > 1:
                painter.setPen(pen)
                if connect[start : end - 1].all():  # one unbroken run: a polyline is cheaper
                    painter.drawPolyline(_polygon(xs[start:end], ys[start:end]))
                else:
                    painter.drawPath(
                        pg.arrayToQPath(xs[start:end], ys[start:end], connect[start:end])
                    )
            self._drawn[index] = end
        painter.end()


class PointMarkers(pg.GraphicsObject):
    """Round markers of a fixed size in pixels, one brush each: cheap to move every frame.

    The few current points of an animation change every frame; this draws them
    directly instead of rebuilding a scatter plot's spot tables.
    """

    def __init__(self, size: float, pen: QtGui.QPen) -> None:
        super().__init__()
        self._radius = size / 2
        self._pen = QtGui.QPen(pen)
        self._pen.setCosmetic(True)
        self._points = np.empty((0, 2))
        self._brushes: list[QtGui.QBrush] = []
        self._bounds = QtCore.QRectF()
        self._reach: QtCore.QRectF | None = None  # the bounds with the markers' pixel margin
        self._sprites: dict[tuple[int, float], QtGui.QImage] = {}

    def set_points(self, points: np.ndarray, brushes: Sequence[QtGui.QBrush]) -> None:
        """Show a marker at each row of ``points`` (n, 2) filled with the matching brush."""
        self._points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self._brushes = list(brushes)
        self.update()

    def points(self) -> np.ndarray:
        """The marked points, shape (n, 2)."""
        return self._points.copy()

    def set_size(self, size: float) -> None:
        """Markers ``size`` pixels across (e.g. larger on a projector)."""
        if size / 2 == self._radius:
            return
        self.prepareGeometryChange()
        self._radius = size / 2
        self._sprites.clear()
        self._reach = None
        self.update()

    def declare_bounds(self, rect: QtCore.QRectF) -> None:
        """Bounds covering every point this item will mark (markers reach a little beyond)."""
        self.prepareGeometryChange()
        self._bounds = QtCore.QRectF(rect)
        self._reach = None

    def boundingRect(self) -> QtCore.QRectF:
        # asked several times a repaint; the pixel size only changes with the view
        if self._reach is not None:
            return self._reach
        width, height = self.pixelWidth(), self.pixelHeight()
        if not (np.isfinite(width) and np.isfinite(height)) or self._bounds.isNull():
            return self._bounds
        reach = self._radius + self._pen.widthF()
        self._reach = self._bounds.adjusted(
            -reach * width, -reach * height, reach * width, reach * height
        )
        return self._reach

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()  # the pixel margin of the bounds changed
        self._reach = None

    def paint(self, painter: QtGui.QPainter, *_: object) -> None:
        if not len(self._points):
            return
        transform = painter.worldTransform()
        ratio = painter.device().devicePixelRatioF()
        if transform.isAffine():  # all points at once, as QTransform.map does it
            t = transform
            xs, ys = self._points[:, 0], self._points[:, 1]
            centres = zip(
                (t.m11() * xs + t.m21() * ys + t.dx()).tolist(),
                (t.m12() * xs + t.m22() * ys + t.dy()).tolist(),
                strict=True,
            )
        else:
            centres = (
                (c.x(), c.y()) for c in map(transform.map, map(QtCore.QPointF, *self._points.T))
            )
        painter.save()
        painter.setWorldTransform(QtGui.QTransform())
        draw, point = painter.drawImage, QtCore.QPointF
        for (x, y), brush in zip(centres, self._brushes, strict=True):
            sprite = self._sprite(brush, ratio)
            half = sprite.width() / ratio / 2
            draw(point(x - half, y - half), sprite)
        painter.restore()

    def _sprite(self, brush: QtGui.QBrush, ratio: float) -> QtGui.QImage:
        """The marker in ``brush``, drawn once (blitting it is cheaper than drawing)."""
        key = (brush.color().rgba(), ratio)
        sprite = self._sprites.get(key)
        if sprite is None:
            side = 2 * int(np.ceil(self._radius + self._pen.widthF())) + 2
            sprite = QtGui.QImage(
                round(side * ratio),
                round(side * ratio),
                QtGui.QImage.Format.Format_ARGB32_Premultiplied,
            )
            sprite.setDevicePixelRatio(ratio)
            sprite.fill(0)
            painter = QtGui.QPainter(sprite)
            painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
            painter.setPen(self._pen)
            painter.setBrush(brush)
            painter.drawEllipse(QtCore.QPointF(side / 2, side / 2), self._radius, self._radius)
            painter.end()
            self._sprites[key] = sprite
        return sprite
