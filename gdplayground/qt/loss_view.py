"""f and |∇f| against the step number, one curve per optimizer, linked to the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gdplayground.core.picture import PathData, Picture, same_geometry
from gdplayground.model.session import ViewOptions
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, pg
from gdplayground.qt.curves import CurveStack, PointMarkers, PrefixCurve

#: A plot switches to a log y axis when its positive values span more decades than this.
LOG_Y_DECADES = 2.0
_VALUE, _GRADIENT = "f", "grad"


def wants_log_y(values: np.ndarray) -> bool:
    """Log y when no finite value is negative and the positive ones span > 2 decades.

    Exact zeros (a gradient at an exact minimum) do not count against a log
    axis; they are drawn as gaps.
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or (finite < 0).any():
        return False
    positive = finite[finite > 0]
    if positive.size < 2:
        return False
    return bool(np.log10(positive.max()) - np.log10(positive.min()) > LOG_Y_DECADES)


def display_values(values: np.ndarray, log: bool) -> np.ndarray:
    """What a curve plots: the values, or log10 of them (nan where not positive)."""
    values = np.asarray(values, dtype=np.float64)
    if not log:
        return np.where(np.isfinite(values), values, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((values > 0) & np.isfinite(values), np.log10(values), np.nan)


@dataclass
class _Curves:
    value: PrefixCurve
    gradient: PrefixCurve


#: Shorter than this, the view hides its legend rather than cover the curves.
MIN_HEIGHT_FOR_LEGEND = 300


class _Reveal(QtWidgets.QGraphicsRectItem):
    """An invisible rectangle that clips its children: the curves are drawn once, in
    full, and cached as one pixmap; moving the frame only moves this rectangle's right edge.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)

    def shape(self) -> QtGui.QPainterPath:
        path = QtGui.QPainterPath()
        path.addRect(self.rect())
        return path


#: Grid lines are as strong as pyqtgraph's ``showGrid(alpha=GRID_ALPHA)`` would draw them.
GRID_ALPHA = 0.15


class _Grid(pg.GraphicsObject):
    """Light lines across a plot at its axes' tick positions, drawn as a few batches.

    pyqtgraph's own grid (``showGrid``) is drawn by the axes, one translucent
    line at a time, into pixmaps as large as the plot: redrawing it when a new
    function changes the ranges was more than half of the loss view's paint.
    These lines are opaque (the translucent colour blended with the background
    beforehand) and follow the same ticks, fading with the tick level the same way.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self._batches: list[tuple[QtGui.QPen, list[QtCore.QLineF]]] | None = None
        self.setZValue(-100)  # under the curves

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return self._plot.getViewBox().viewRect()

    def ranges_changed(self) -> None:
        """The view range moved: the lines (and the bounds) with it."""
        self.prepareGeometryChange()
        self._batches = None
        self.update()

    def lines(self) -> dict[str, list[np.ndarray]]:
        """Tick positions per axis ("x": vertical lines, "y": horizontal), by level."""
        box = self._plot.getViewBox()
        rect = box.viewRect()
        size = box.size()
        out: dict[str, list[np.ndarray]] = {}
        for key, name, low, high, pixels in (
            ("x", "bottom", rect.left(), rect.right(), size.width()),
            ("y", "left", rect.top(), rect.bottom(), size.height()),
        ):
            if pixels <= 0 or not high > low:
                out[key] = []
                continue
            levels = self._plot.getAxis(name).tickValues(low, high, pixels)
            out[key] = []
            drawn = np.empty(0)
            for _, values in levels:
                # a position already drawn by a longer tick keeps its stronger line
                mine = np.array([v for v in values if low <= v <= high], dtype=np.float64)
                near = np.isclose(mine[:, None], drawn[None, :], rtol=0, atol=1e-9 * (high - low))
                mine = mine[~near.any(axis=1)]
                out[key].append(mine)
                drawn = np.concatenate([drawn, mine])
        return out

    def _build(self) -> list[tuple[QtGui.QPen, list[QtCore.QLineF]]]:
        box = self._plot.getViewBox()
        rect = box.viewRect()
        size = box.size()
        background = QtGui.QColor(pg.mkColor(pg.getConfigOption("background")))
        foreground = QtGui.QColor(pg.mkColor(pg.getConfigOption("foreground")))
        batches = []
        for key, levels in self.lines().items():
            pixels = size.width() if key == "x" else size.height()
            for level, values in enumerate(levels):
                # pyqtgraph's alpha for grid lines of this level, as an opaque blend
                alpha = GRID_ALPHA / (level + 1) * min(max(0.05 * pixels / (len(values) + 1), 0), 1)
                pen = pg.mkPen(_blend(foreground, background, alpha), width=0)
                if key == "x":
                    lines = [QtCore.QLineF(v, rect.top(), v, rect.bottom()) for v in values]
                else:
                    lines = [QtCore.QLineF(rect.left(), v, rect.right(), v) for v in values]
                batches.append((pen, lines))
        # faintest first: where lines cross, the stronger one stays unbroken
        return sorted(batches, key=lambda batch: -batch[0].color().lightness())

    def paint(self, painter: QtGui.QPainter, *args: object) -> None:
        if self._batches is None:  # once per range change, not per paint
            self._batches = self._build()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        for pen, lines in self._batches:
            painter.setPen(pen)
            painter.drawLines(lines)


def _blend(colour: QtGui.QColor, background: QtGui.QColor, alpha: float) -> QtGui.QColor:
    """``colour`` at opacity ``alpha`` over ``background``, as one opaque colour."""
    return QtGui.QColor(
        *(
            round(alpha * c + (1 - alpha) * b)
            for c, b in zip(colour.getRgb()[:3], background.getRgb()[:3], strict=True)
        )
    )


class LossView(pg.GraphicsLayoutWidget):
    """Two stacked plots sharing the step axis: f (top) and |∇f| (bottom).

    A vertical line marks the current frame; each curve is drawn up to it.
    Log y is chosen automatically per plot (see :func:`wants_log_y`) unless set
    with :meth:`set_log_y`.
    """

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._paths: list[PathData] = []
        self._curves: list[_Curves] = []
        self._frame = 0
        self._log_choice: dict[str, bool | None] = {_VALUE: None, _GRADIENT: None}
        self._log: dict[str, bool] = {_VALUE: False, _GRADIENT: False}
        self._steps = np.arange(0, dtype=np.float64)
        self._display: list[dict[str, np.ndarray]] = []
        self._brushes: list[QtGui.QBrush] = []

        self.value_plot = self.addPlot(row=0, col=0)
        self.gradient_plot = self.addPlot(row=1, col=0)
        self.gradient_plot.setXLink(self.value_plot)
        self.value_plot.setLabel("left", "f")
        self.gradient_plot.setLabel("left", "|∇f|")
        self.gradient_plot.setLabel("bottom", "step")
        self.value_plot.getAxis("bottom").setStyle(showValues=False)
        self.scene().setItemIndexMethod(QtWidgets.QGraphicsScene.ItemIndexMethod.NoIndex)
        self._plots = {_VALUE: self.value_plot, _GRADIENT: self.gradient_plot}
        self.frame_lines: dict[str, pg.InfiniteLine] = {}
        self.grids: dict[str, _Grid] = {}
        self._markers: dict[str, PointMarkers] = {}
        self._reveals: dict[str, _Reveal] = {}
        self._stacks: dict[str, CurveStack] = {}
        for key, plot in self._plots.items():
            plot.setMenuEnabled(False)
            plot.hideButtons()
            grid = _Grid(plot)
            plot.addItem(grid, ignoreBounds=True)
            self.grids[key] = grid
            plot.getViewBox().setDefaultPadding(0.02)
            # room for labels like "-0.00012" from the start, grown when needed but
            # never shrunk: a new function does not move the plots (each move
            # re-laid out and repainted the view while the next one was computed)
            left = plot.getAxis("left")
            left.setStyle(autoReduceTextSpace=False)
            left.textWidth = QtGui.QFontMetrics(
                left.style["tickFont"] or self.font()
            ).horizontalAdvance("-0.00012")
            left._updateWidth()
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setStyle(tickLength=0, tickAlpha=0)  # the grid lines mark the ticks
                axis.enableAutoSIPrefix(False)
                # axes and grid only change with the ranges: replay them as pixmaps
                axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#808080", width=1))
            plot.addItem(line, ignoreBounds=True)
            self.frame_lines[key] = line
            reveal = _Reveal()
            plot.addItem(reveal, ignoreBounds=True)
            self._reveals[key] = reveal
            # all of the plot's curves, drawn once per data change: repaints replay a pixmap
            stack = CurveStack()
            stack.setParentItem(reveal)
            stack.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self._stacks[key] = stack
            plot.getViewBox().sigRangeChanged.connect(self._on_range_changed)
            markers = PointMarkers(size=7, pen=pg.mkPen("#000000", width=1))
            markers.setZValue(10)
            plot.addItem(markers, ignoreBounds=True)
            self._markers[key] = markers
        # which colour is which optimizer, in a corner of the f plot
        self.legend = pg.LegendItem(
            offset=(-8, -8),  # bottom right: where falling loss curves rarely are
            labelTextSize="8pt",
            brush=pg.mkBrush(255, 255, 255, 200),
            pen=pg.mkPen("#b0b0b0"),
            verSpacing=-6,
        )
        self.legend.setParentItem(self.value_plot.getViewBox())
        self._legend_entries: list[tuple[str, str, bool]] = []
        self._escapes: list[dict[str, int | None]] = []
        self._escape_markers: dict[str, pg.ScatterPlotItem] = {}
        self._escape_texts: dict[str, list[pg.TextItem]] = {}
        self._escape_spots: dict[str, list[dict]] = {}
        self._escape_labels: dict[str, list[int]] = {}
        self._options = ViewOptions()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if getattr(self, "closed", False) or not hasattr(self, "legend"):
            return  # after close() deleted the items, or during construction
        # a short plot has no room for the legend: the colours are named elsewhere
        self.legend.setVisible(self.height() >= MIN_HEIGHT_FOR_LEGEND)

    # ------------------------------------------------------------------ data
    def set_picture(self, picture: Picture) -> None:
        """Show ``picture``'s paths: the one way the window and the exporter feed this view.

        Paths that are the same runs in new colours or names are only restyled.
        """
        self.set_options(picture.options)
        if same_geometry(self._paths, picture.paths):
            self._paths = list(picture.paths)
            self._style()
            for stack in self._stacks.values():
                stack.update()
            self.set_frame(self._frame)
        else:
            self.set_paths(picture.paths)

    def set_paths(self, paths: Sequence[PathData]) -> None:
        """Replace the curves (items are reused) and fix the axes to the full runs."""
        self._paths = list(paths)
        while len(self._curves) < len(self._paths):
            # painted by the plot's CurveStack (outside the scene themselves)
            self._curves.append(_Curves(PrefixCurve(antialias=True), PrefixCurve(antialias=True)))
        for index, curves in enumerate(self._curves):
            visible = index < len(self._paths)
            curves.value.setVisible(visible)
            curves.gradient.setVisible(visible)
        self._style()
        longest = max((len(path.points) for path in self._paths), default=1)
        self._steps = np.arange(longest, dtype=np.float64)
        self._rebuild()

    def set_options(self, options: ViewOptions) -> None:
        """Text and line sizes of a picture's view options."""
        old, self._options = self._options, options
        if (options.text_scale, options.line_scale) == (old.text_scale, old.line_scale):
            return
        text, line = options.text_scale, options.line_scale
        for key, plot in self._plots.items():
            left = plot.getAxis("left")
            style.style_axis(left, text, "f" if key == _VALUE else "|∇f|")
            left.textWidth = QtGui.QFontMetrics(style.font(style.TICK_PT, text)).horizontalAdvance(
                "-0.00012"
            )
            left._updateWidth()
            self._markers[key].set_size(7 * line)
        style.style_axis(self.gradient_plot.getAxis("bottom"), text, "step")
        style.style_axis(self.value_plot.getAxis("bottom"), text)
        self.legend.opts["labelTextSize"] = f"{style.SMALL_PT * text:.1f}pt"
        self._legend_entries = []  # rebuilt in the new size
        for texts in self._escape_texts.values():
            for item in texts:
                item.setFont(style.font(style.LEGEND_PT, text))
        self._style()
        for stack in self._stacks.values():
            stack.update()

    def _style(self) -> None:
        """Pens, marker brushes and legend entries from the paths' colours and names."""
        width = style.CURVE_PX * self._options.line_scale
        for path, curves in zip(self._paths, self._curves, strict=False):
            dash = QtCore.Qt.PenStyle.DashLine if path.dashed else QtCore.Qt.PenStyle.SolidLine
            pen = pg.mkPen(path.colour, width=width, style=dash)
            curves.value.setPen(pen)
            curves.gradient.setPen(pen)
        entries = [(path.name, path.colour, path.dashed) for path in self._paths]
        if entries != self._legend_entries:  # rebuilding the legend costs ~10 ms
            self._legend_entries = entries
            self.legend.clear()
            for path, curves in zip(self._paths, self._curves, strict=False):
                self.legend.addItem(curves.value, path.name)
        self._brushes = [pg.mkBrush(path.colour) for path in self._paths]

    def set_log_y(self, which: str, log: bool | None) -> None:
        """Log y for the ``"f"`` or ``"grad"`` plot: True, False, or None (automatic)."""
        if which not in self._plots:
            raise ValueError(f"which must be 'f' or 'grad', not {which!r}")
        self._log_choice[which] = log
        self._rebuild()

    def log_y(self, which: str) -> bool:
        """Whether the ``"f"`` or ``"grad"`` plot currently has a log y axis."""
        return self._log[which]

    def _rebuild(self) -> None:
        """Decide log axes, precompute what each curve plots, fix the ranges."""
        sources = {
            _VALUE: [path.values[: max(path.drawable, 0)] for path in self._paths],
            _GRADIENT: [path.grad_norms[: max(path.drawable, 0)] for path in self._paths],
        }
        self._display = [{} for _ in self._paths]
        self._gaps: list[dict[str, bool]] = [{} for _ in self._paths]
        self._escapes: list[dict[str, int | None]] = [{} for _ in self._paths]
        for key, arrays in sources.items():
            everything = np.concatenate(arrays) if arrays else np.empty(0)
            choice = self._log_choice[key]
            log = wants_log_y(everything) if choice is None else choice
            self._log[key] = log
            self._plots[key].getAxis("left").setLogMode(log)
            displays = [display_values(array, log) for array in arrays]
            # a diverging run would squash every other curve: only its start counts,
            # and it is clamped at the edge where it leaves the plot (and marked there)
            in_range = [
                d[np.isfinite(d)][:1] if path.status == "diverged" else d[np.isfinite(d)]
                for d, path in zip(displays, self._paths, strict=True)
            ]
            low, high = self._fix_y_range(key, np.concatenate(in_range) if in_range else None)
            for index, display in enumerate(displays):
                with np.errstate(invalid="ignore"):
                    outside = (display > high) | (display < low)
                escape = int(np.argmax(outside)) if outside.any() else None
                self._escapes[index][key] = escape
                display = np.clip(display, low, high)  # nan stays nan: a gap
                self._display[index][key] = display
                finite = display[np.isfinite(display)]
                curves = self._curves[index]
                curve = curves.value if key == _VALUE else curves.gradient
                curve.declare_bounds(_rect(len(display), finite))
                gaps = finite.size < display.size
                self._gaps[index][key] = gaps
                steps = np.arange(len(display), dtype=np.float64)
                if gaps:
                    curve.setData(steps, display, connect="finite")
                else:
                    curve.setData(steps, display, connect="all", skipFiniteCheck=True)
            self._mark_escapes(key, low, high)
            bounds = QtCore.QRectF()
            for curves in self._curves[: len(self._paths)]:
                bounds = bounds.united(
                    (curves.value if key == _VALUE else curves.gradient).boundingRect()
                )
            self._markers[key].declare_bounds(bounds)
            self._stacks[key].set_curves(
                [curves.value if key == _VALUE else curves.gradient for curves in self._curves]
            )
        self.value_plot.setXRange(0, max(len(self._steps) - 1, 1), padding=0.02)
        for plot in self._plots.values():
            # apply the new ranges now, not in the next paint: the clip that
            # reveals the curves and the frame lines' extent are computed from them
            plot.getViewBox().prepareForPaint()
        self.set_frame(self._frame)

    def _fix_y_range(self, key: str, shown: np.ndarray | None) -> tuple[float, float]:
        """Show ``shown`` (with a margin); returns the range shown, the edges curves clamp to."""
        if shown is None or shown.size == 0:
            low, high = 0.0, 1.0
        else:
            low, high = float(shown.min()), float(shown.max())
            if high - low < 1e-12 * max(1.0, abs(high)):
                low, high = low - 0.5, high + 0.5
        pad = 0.05 * (high - low)
        low, high = low - pad, high + pad
        self._plots[key].setYRange(low, high, padding=0.0)
        return low, high

    def _mark_escapes(self, key: str, low: float, high: float) -> None:
        """Where a diverging curve leaves the plot: a triangle at the edge in its colour
        and, in the f plot, "diverged at step k" beside it."""
        plot = self._plots[key]
        spots, labels = [], []
        for index, path in enumerate(self._paths):
            escape = self._escapes[index].get(key)
            if escape is None:
                continue
            up = self._display[index][key][escape] >= high
            spots.append(
                {
                    "pos": (escape, high if up else low),
                    "symbol": "t1" if up else "t",
                    "brush": pg.mkBrush(path.colour),
                    "pen": pg.mkPen("#000000", width=1),
                    "size": 13,
                }
            )
            if path.status == "diverged":
                labels.append((path, escape, high if up else low, up))
        markers = self._escape_markers.get(key)
        if markers is None:
            markers = self._escape_markers[key] = pg.ScatterPlotItem(pxMode=True)
            markers.setZValue(12)
            plot.addItem(markers, ignoreBounds=True)
        self._escape_spots[key] = spots
        texts = self._escape_texts.setdefault(key, [])
        while len(texts) < len(labels):
            text = pg.TextItem(fill=pg.mkBrush(255, 255, 255, 210))
            text.setFont(style.font(style.LEGEND_PT, self._options.text_scale))
            text.setZValue(13)
            plot.addItem(text, ignoreBounds=True)
            texts.append(text)
        for i, text in enumerate(texts):
            shown = i < len(labels) and key == _VALUE
            text.setVisible(shown)
            if not shown:
                continue
            path, escape, edge, up = labels[i]
            text.setText(f"{path.name}: {path.message}", color=path.colour)
            # stacked below (or above) the edge, one line each
            text.setAnchor((0, i) if up else (0, 1 - i))
            text.setPos(escape, edge)
        self._escape_labels[key] = [label[1] for label in labels]

    def _reveal_escapes(self, frame: int) -> None:
        """Escape markers and labels appear when the timeline reaches them."""
        for key, markers in self._escape_markers.items():
            spots = [s for s in self._escape_spots.get(key, []) if s["pos"][0] <= frame]
            if spots or markers.data.size:
                markers.setData(spots)
            shown = self._escape_labels.get(key, []) if key == _VALUE else []
            for i, text in enumerate(self._escape_texts.get(key, [])):
                text.setVisible(i < len(shown) and shown[i] <= frame)

    def escape_labels(self) -> list[str]:
        """The "diverged at step k" texts shown in the f plot (for checks)."""
        return [t.toPlainText() for t in self._escape_texts.get(_VALUE, []) if t.isVisible()]

    # ---------------------------------------------------------------- frames
    @property
    def frame(self) -> int:
        """The frame currently drawn."""
        return self._frame

    def set_frame(self, frame: int) -> None:
        """Draw every curve up to ``frame`` and move the frame line there."""
        self._frame = max(int(frame), 0)
        for line in self.frame_lines.values():
            line.setValue(self._frame)
            # InfiniteLine works out its extent lazily, announcing a geometry
            # change from inside the paint (which then asks for another one);
            # asked now, that happens before the paint.
            line.boundingRect()
        current = {key: np.full((len(self._paths), 2), np.nan) for key in self._plots}
        for index, path in enumerate(self._paths):
            last = path.index_at(self._frame)
            if last < 0:
                continue
            for key in self._plots:
                current[key][index] = (last, self._display[index][key][last])
        self._reveal_to(self._frame)
        self._reveal_escapes(self._frame)
        for key, markers in self._markers.items():
            points = current[key]
            shown = np.isfinite(points).all(axis=1)
            markers.set_points(
                points[shown], [brush for brush, ok in zip(self._brushes, shown, strict=True) if ok]
            )

    def _on_range_changed(self, *_: object) -> None:
        self._reveal_to(self._frame)
        for grid in self.grids.values():
            grid.ranges_changed()

    def _reveal_to(self, frame: int) -> None:
        """Clip the curves just right of step ``frame`` (half a pixel: the last vertex shows)."""
        for key, reveal in self._reveals.items():
            box = self._plots[key].getViewBox()
            pixel = box.viewPixelSize()[0]
            (left, _), (low, high) = box.viewRange()
            left = min(left, -1.0)
            pad = abs(high - low) + 1.0
            right = frame + 0.5 * pixel if np.isfinite(pixel) else float(frame)
            reveal.setRect(QtCore.QRectF(left, low - pad, right - left, high - low + 2 * pad))

    def curve_data(self, index: int, which: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, plotted values) of path ``index`` in the ``"f"`` or ``"grad"`` plot,
        as far as it is revealed at the current frame."""
        if index >= len(self._paths):
            return np.empty(0), np.empty(0)
        end = self._paths[index].index_at(self._frame) + 1
        display = self._display[index][which][:end]
        return np.arange(len(display), dtype=np.float64), display


def _rect(length: int, values: np.ndarray) -> QtCore.QRectF:
    """Bounds of a whole curve: steps 0..length-1 by the range of its finite values."""
    if values.size == 0:
        return QtCore.QRectF()
    low, high = float(values.min()), float(values.max())
    pad = 0.02 * max(high - low, 1e-12)  # room for the pen
    return QtCore.QRectF(-0.5, low - pad, max(length - 1, 1) + 1.0, high - low + 2 * pad)
