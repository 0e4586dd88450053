"""Curve items for animated prefixes: cheap to update every frame."""

from __future__ import annotations

from gdplayground.qt._qt import QtCore, pg


class PrefixCurve(pg.PlotCurveItem):
    """A curve whose bounds are declared up front instead of scanned on every setData.

    Each frame only changes the drawn prefix of a known path, so the bounds of
    the whole path are a valid (slightly generous) bounding rect for every frame.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._declared = QtCore.QRectF()

    def declare_bounds(self, rect: QtCore.QRectF) -> None:
        """Bounds covering everything this item will ever draw for the current path."""
        self.prepareGeometryChange()
        self._declared = rect

    def boundingRect(self) -> QtCore.QRectF:
        return self._declared

    def dataBounds(
        self, ax: int, frac: float = 1.0, orthoRange: object = None
    ) -> tuple[float | None, float | None]:
        rect = self._declared
        if rect.isNull():
            return None, None
        return (rect.left(), rect.right()) if ax == 0 else (rect.top(), rect.bottom())
