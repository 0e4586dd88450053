"""The data view of a fit: the examples, each optimizer's model at the current frame, its batch.

Fed like every view: :meth:`DataView.set_picture` with a :class:`Picture` (whose
``data`` is the fit's :class:`~gdplayground.core.data.drawing.DataDrawing`) and
:meth:`DataView.set_frame` with the timeline's frame.  At each frame every
path's model m(x; w, b) is drawn at that path's current (w, b) in its colour,
and the examples of the batch its next step uses are ringed in that colour.
A typed function has no data: the view then says so.
"""

from __future__ import annotations

import numpy as np

from gdplayground.core.picture import PathData, Picture
from gdplayground.model.session import ViewOptions
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtWidgets, pg

#: Examples are drawn as grey dots of this many pixels (at line scale 1).
POINT_PX = 5.0
#: A batch's examples are ringed with circles of this many pixels.
RING_PX = 11.0
#: Fewer examples than this in a batch are ringed; a larger batch is told in the key only.
MAX_RINGED = 2_000
NO_DATA_TEXT = "The data view shows a fit to data: choose one in the Fit menu."


#: The legend is shown only when it is at most this share of the plot's height.
LEGEND_SHARE = 0.4


class DataView(pg.GraphicsLayoutWidget):
    """A scatter plot of the data with every optimizer's model curve, linked to the timeline."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.plot = self.addPlot(row=0, col=0)
        _narrowable_title(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.points = pg.ScatterPlotItem(
            size=POINT_PX, pen=pg.mkPen(None), brush=pg.mkBrush(90, 90, 90, 150), pxMode=True
        )
        self.points.setZValue(0)
        self.plot.addItem(self.points)
        self.note = pg.TextItem(anchor=(0.5, 0.5), color="#606060")
        self.plot.addItem(self.note, ignoreBounds=True)
        self.legend = pg.LegendItem(
            offset=(8, 8),
            labelTextSize=f"{style.SMALL_PT:.0f}pt",
            brush=pg.mkBrush(255, 255, 255, 200),
            pen=pg.mkPen("#b0b0b0"),
            verSpacing=-6,
        )
        self.legend.setParentItem(self.plot.getViewBox())
        self.plot.getViewBox().sigResized.connect(self._place_legend)
        self._picture: Picture | None = None
        self._paths: tuple[PathData, ...] = ()
        self._curves: list[pg.PlotDataItem] = []
        self._rings: list[pg.ScatterPlotItem] = []
        self._frame = 0
        self._options = ViewOptions()
        self._legend_entries: list[tuple[str, str, str]] = []
        self._show_empty()

    # ------------------------------------------------------------------ data
    def set_picture(self, picture: Picture) -> None:
        """Show ``picture``'s data and paths: the one way the window and the exporter feed it."""
        old = self._picture
        self._picture = picture
        self._options = picture.options
        self._paths = picture.paths
        drawing = picture.data
        if drawing is None:
            self._show_empty()
            return
        self.note.setVisible(False)
        rescaled = old is not None and old.options.text_scale != picture.options.text_scale
        if old is None or old.data is not drawing or rescaled:
            self._show_data()
        self._make_items(len(picture.paths))
        self._style()
        self.set_frame(self._frame)

    def _show_empty(self) -> None:
        self.points.setData([], [])
        for item in self._curves + self._rings:
            item.setVisible(False)
        self.legend.clear()
        self._legend_entries = []
        self.plot.setLabel("bottom", "")
        self.plot.setLabel("left", "")
        self.plot.setTitle("")
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.note.setText(NO_DATA_TEXT)
        self.note.setPos(0.5, 0.5)
        self.note.setVisible(True)

    def _show_data(self) -> None:
        """The examples, the axes named after their columns, the range fixed to the data."""
        drawing = self._picture.data  # type: ignore[union-attr]
        assert drawing is not None
        self.points.setData(drawing.x, drawing.y)
        text = self._options.text_scale
        style.style_axis(self.plot.getAxis("bottom"), text, drawing.x_name)
        style.style_axis(self.plot.getAxis("left"), text, drawing.y_name)
        count = "" if "n=" in drawing.description else f": {drawing.n:,} examples"
        shown = "" if drawing.shown is None else f", {len(drawing.x):,} of them drawn"
        self.plot.setTitle(
            f"{drawing.description}{count}{shown}", size=f"{style.SMALL_PT * text:.1f}pt"
        )
        xlow, xhigh = _span(drawing.x)
        ylow, yhigh = _span(drawing.y)
        self.plot.getViewBox().disableAutoRange()
        self.plot.setRange(xRange=(xlow, xhigh), yRange=(ylow, yhigh), padding=0.05)

    def _make_items(self, count: int) -> None:
        while len(self._curves) < count:
            curve = pg.PlotDataItem(antialias=True)
            curve.setZValue(10)
            self.plot.addItem(curve)
            self._curves.append(curve)
            ring = pg.ScatterPlotItem(size=RING_PX, brush=pg.mkBrush(None), pxMode=True)
            ring.setZValue(5)
            self.plot.addItem(ring)
            self._rings.append(ring)
        for index, (curve, ring) in enumerate(zip(self._curves, self._rings, strict=True)):
            curve.setVisible(index < count)
            ring.setVisible(index < count)

    def _style(self) -> None:
        """Pens from the paths' colours; the key names each colour."""
        drawing = self._picture.data if self._picture is not None else None
        per_example = drawing is not None and drawing.per_example
        line = self._options.line_scale
        for path, curve, ring in zip(self._paths, self._curves, self._rings, strict=False):
            pen = pg.mkPen(path.colour, width=style.CURVE_PX * line)
            if per_example:  # predictions of the examples: dots, not a line
                curve.setPen(None)
                curve.setSymbol("o")
                curve.setSymbolSize(4 * line)
                curve.setSymbolBrush(pg.mkBrush(path.colour))
                curve.setSymbolPen(None)
            else:
                curve.setPen(pen)
                curve.setSymbol(None)
            ring.setPen(pg.mkPen(path.colour, width=1.5 * line))
            ring.setSize(RING_PX * line)
        self.points.setSize(POINT_PX * line)
        size = f"{style.SMALL_PT * self._options.text_scale:.1f}pt"
        entries = [(path.name, path.colour, size) for path in self._paths]
        if entries != self._legend_entries:  # new names, colours or text size
            self._legend_entries = entries
            self.legend.clear()
            self.legend.opts["labelTextSize"] = size
            for path, curve in zip(self._paths, self._curves, strict=False):
                self.legend.addItem(curve, path.name)
        self._place_legend()

    def _place_legend(self, *_: object) -> None:
        """The legend only where it leaves most of the examples in view (large text in
        a small view would cover them; the contour view names the colours too)."""
        if not hasattr(self, "legend"):
            return
        room = self.plot.getViewBox().boundingRect()
        size = self.legend.boundingRect()
        fits = size.height() <= LEGEND_SHARE * room.height()
        self.legend.setVisible(bool(self._legend_entries) and fits and size.width() < room.width())

    # ---------------------------------------------------------------- frames
    @property
    def frame(self) -> int:
        """The frame currently drawn."""
        return self._frame

    def set_frame(self, frame: int) -> None:
        """Every model at its point of ``frame``, and the batch each one steps on next."""
        self._frame = max(int(frame), 0)
        picture = self._picture
        if picture is None or picture.data is None:
            return
        drawing = picture.data
        for path, curve, ring in zip(self._paths, self._curves, self._rings, strict=False):
            row = path.index_at(self._frame)
            if row < 0:
                curve.setData([], [])
                ring.setData([], [])
                continue
            w, b = path.points[row]
            xs, ys = drawing.model_at(float(w), float(b))
            finite = np.isfinite(ys)
            curve.setData(xs[finite], ys[finite])
            batch = path.batch_at(self._frame)
            if batch is None or len(batch) > MAX_RINGED:
                ring.setData([], [])
            else:
                ring.setData(*self.batch_points(batch))

    def batch_points(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) of the examples ``batch`` (0-based data rows)."""
        drawing = self._picture.data  # type: ignore[union-attr]
        assert drawing is not None
        across = drawing.values[drawing.columns.index(drawing.x_name)]
        up = drawing.values[drawing.columns.index(drawing.y_name)]
        return across[batch], up[batch]

    # ----------------------------------------------------------------- checks
    def curve_data(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(xs, ys) drawn for path ``index``'s model at the current frame."""
        xs, ys = self._curves[index].getData()
        return (np.empty(0), np.empty(0)) if xs is None else (xs, ys)

    def ringed(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(xs, ys) of the examples ringed for path ``index`` at the current frame."""
        data = self._rings[index].getData()
        return np.asarray(data[0]), np.asarray(data[1])

    def point_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(xs, ys) of the examples drawn."""
        xs, ys = self.points.getData()
        return np.asarray(xs), np.asarray(ys)

    def reset_view(self) -> None:
        """Back to the whole data set."""
        if self._picture is not None and self._picture.data is not None:
            self._show_data()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        return QtCore.QSize(400, 260)


def _span(values: np.ndarray) -> tuple[float, float]:
    """The range of the finite ``values`` (a unit range around a single value)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if high - low < 1e-12 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    return low, high


class _Title(pg.LabelItem):
    """A plot title that may be narrower than its text (a CSV's long path): cut at its
    edge rather than widening the plot past a narrow view's edge, the whole text in
    its tooltip; centred where it fits, its start shown where it does not."""

    def __init__(self, parent: pg.PlotItem) -> None:
        super().__init__("", size="11pt", parent=parent)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)

    def setText(self, text: str, **args: object) -> None:  # noqa: N802 - pyqtgraph's name
        self.setToolTip(text)
        super().setText(text, **args)

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph's name
        super().updateMin()
        self.setMinimumWidth(0)
        minimum = QtCore.Qt.SizeHint.MinimumSize
        self._sizeHint[minimum] = (0, self._sizeHint[minimum][1])

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.opts["justify"] = "left" if self.itemRect().width() > self.width() else "center"
        super().resizeEvent(event)


def _narrowable_title(plot: pg.PlotItem) -> None:
    """Give ``plot`` a :class:`_Title` in place of pyqtgraph's own."""
    old = plot.titleLabel
    plot.layout.removeItem(old)
    old.setParentItem(None)
    plot.titleLabel = _Title(plot)
    plot.layout.addItem(plot.titleLabel, 0, 1)
