"""A small legend painted inside a plot: coloured swatches or markers beside lines of text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gdplayground.core.explore.layers import KIND_COLOURS
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, pg

#: Stationary points' markers by kind (pyqtgraph symbols): the contour view and its legend.
KIND_SYMBOLS = {"minimum": "o", "saddle": "d", "maximum": "t1", "degenerate": "s"}
MARKER_PX = 11
_PAD = 6


@dataclass(frozen=True)
class LegendRow:
    """One line: ``swatch`` is "" (text only), "patch" (a filled square of
    ``colour``), or a kind of stationary point (its marker); ``bold`` for titles."""

    text: str
    swatch: str = ""
    colour: str = ""
    bold: bool = False


def kind_row(kind: str, text: str) -> LegendRow:
    """A row with the marker of stationary points of ``kind``."""
    return LegendRow(text, kind, KIND_COLOURS.get(kind, ""))


#: Over a plot, a legend takes at most this share of its width and of its height ...
IN_PLOT_SHARE = 0.45
#: ... unless that would draw it smaller than this.
MIN_IN_PLOT_SCALE = 0.6


class PlotLegend(pg.GraphicsWidget):
    """Rows of text with swatches, on a light box: pinned to a corner of a view box,
    or (``view_box`` None) a cell of a layout, as high as its rows.

    With a ``column`` (a plot's legend column), it sits at the bottom of the
    column whenever the column is shown and has room below its own entries,
    and in the view box's corner otherwise.
    """

    def __init__(
        self,
        view_box: pg.ViewBox | None,
        corner: str = "bottom-left",
        column: QtWidgets.QGraphicsWidget | None = None,
    ) -> None:
        super().__init__()
        self._view_box = view_box
        self._corner = corner
        self._column = column
        self._rows: tuple[LegendRow, ...] = ()
        self._scale = 1.0
        self._font = style.font(style.LEGEND_PT, 1.0)
        self._bold = QtGui.QFont(self._font)
        self._bold.setBold(True)
        self._size = QtCore.QSizeF(0, 0)
        if view_box is not None:
            self.setParentItem(view_box)
            view_box.sigResized.connect(self._place)
        if column is not None:
            column.visibleChanged.connect(self._place)
            column.geometryChanged.connect(self._place)
        self.setVisible(False)

    @property
    def text(self) -> str:
        """The legend as plain text, one line a row (empty when hidden)."""
        return "\n".join(row.text for row in self._rows) if self.isVisible() else ""

    def set_rows(self, rows: Sequence[LegendRow], text_scale: float) -> None:
        """Show ``rows`` (none: hide) with text at ``text_scale``."""
        rows = tuple(rows)
        if rows == self._rows and text_scale == self._scale:
            return
        self.prepareGeometryChange()
        self._rows, self._scale = rows, text_scale
        self._font = style.font(style.LEGEND_PT, text_scale)
        self._bold = QtGui.QFont(self._font)
        self._bold.setBold(True)
        bold, plain = QtGui.QFontMetricsF(self._bold), QtGui.QFontMetricsF(self._font)
        line = self._line_height()
        width = max(
            (
                (bold if r.bold else plain).horizontalAdvance(r.text)
                + (self._swatch_width() if r.swatch else 0)
                for r in rows
            ),
            default=0.0,
        )
        self._size = QtCore.QSizeF(width + 2 * _PAD + 2, len(rows) * line + _PAD)
        self.setVisible(bool(rows))
        self._place()
        self.update()

    def _line_height(self) -> float:
        return QtGui.QFontMetricsF(self._bold).height() * 1.15

    def _swatch_width(self) -> float:
        return MARKER_PX * self._scale + 8

    @property
    def in_column(self) -> bool:
        """Whether the legend sits in the plot's legend column (not over the plot)."""
        return self._column is not None and self.parentItem() is self._column

    def _column_room(self) -> bool:
        column = self._column
        if column is None or not column.isVisible() or not self._rows:
            return False
        if column.size().width() < self._size.width() + _PAD:
            return False
        used = max(
            (
                child.pos().y() + child.boundingRect().height()
                for child in column.childItems()
                if child is not self and child.isVisible()
            ),
            default=0.0,
        )
        return used + self._size.height() + 2 * _PAD <= column.size().height()

    def _place(self, *_: object) -> None:
        if self._view_box is None:
            self.setFixedHeight(self._size.height() + _PAD)
            self.setMinimumWidth(0)
            self.update()
            return
        if self._column_room():
            if self.parentItem() is not self._column:
                self.setParentItem(self._column)
            self.setScale(1.0)
            height = self._column.size().height()
            self.setPos(_PAD, height - self._size.height() - _PAD)
            return
        if self.parentItem() is not self._view_box:
            self.setParentItem(self._view_box)
        box = self._view_box.boundingRect()
        # over the plot it covers what it explains: drawn smaller where it would take
        # more than a share of the plot (a narrow view, large text), down to a limit
        width, height = self._size.width(), self._size.height()
        scale = 1.0
        if width > 0 and height > 0 and box.width() > 0 and box.height() > 0:
            fit = min(IN_PLOT_SHARE * box.width() / width, IN_PLOT_SHARE * box.height() / height)
            scale = min(max(fit, MIN_IN_PLOT_SCALE), 1.0)
        self.setScale(scale)
        width, height = width * scale, height * scale
        x = _PAD if "left" in self._corner else box.width() - width - _PAD
        y = box.height() - height - _PAD if "bottom" in self._corner else _PAD
        self.setPos(max(x, 0.0), max(y, 0.0))

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt override
        width = self._size.width()
        if self._view_box is None and self.size().width() > 0:  # a layout cell: fit it
            width = min(width, self.size().width() - 1)
        return QtCore.QRectF(0, 0, width, self._size.height())

    def paint(self, painter: QtGui.QPainter, *args: object) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(pg.mkPen("#a0a0a0"))
        painter.setBrush(pg.mkBrush(255, 255, 255, 225))
        painter.drawRect(self.boundingRect())
        line = self._line_height()
        swatch = self._swatch_width()
        side = MARKER_PX * self._scale
        for i, row in enumerate(self._rows):
            top = _PAD / 2 + i * line
            middle = top + line / 2
            if row.swatch == "patch":
                painter.setPen(pg.mkPen("#606060"))
                painter.setBrush(pg.mkBrush(row.colour))
                painter.drawRect(QtCore.QRectF(_PAD, middle - side / 2, side, side))
            elif row.swatch in KIND_SYMBOLS:
                painter.save()
                painter.translate(_PAD + side / 2, middle)
                pg.graphicsItems.ScatterPlotItem.drawSymbol(
                    painter,
                    KIND_SYMBOLS[row.swatch],
                    side,
                    pg.mkPen("#000000", width=1),
                    pg.mkBrush(row.colour),
                )
                painter.restore()
            painter.setPen(pg.mkPen("#202020"))
            font = self._bold if row.bold else self._font
            painter.setFont(font)
            left = _PAD + (swatch if row.swatch else 0)
            room = self.boundingRect().width() - left - _PAD / 2
            text = QtGui.QFontMetricsF(font).elidedText(
                row.text, QtCore.Qt.TextElideMode.ElideRight, room
            )
            painter.drawText(
                QtCore.QRectF(left, top, room, line),
                QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft,
                text,
            )
