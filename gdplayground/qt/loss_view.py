"""f and |∇f| against the step number, one curve per optimizer, linked to the timeline.

The x axis can count cost instead of steps (the view options' ``loss_x``):
examples drawn, in epochs (a fit to data), or gradient evaluations (L-BFGS
evaluates several per step).  A fit's f plot can show each step's batch loss
instead of the full-data loss (``batch_loss``).  Under the two plots a small
third one shows each optimizer's learning rate when a schedule changes it.
"""

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
_VALUE, _GRADIENT, _RATE = "f", "grad", "lr"
#: What the x axis says for each choice of ``ViewOptions.loss_x``.
X_LABELS = {
    "steps": "step",
    "examples": "examples seen (epochs)",
    "evaluations": "gradient evaluations",
}


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
    rate: PrefixCurve

    def of(self, key: str) -> PrefixCurve:
        """The curve of plot ``key``."""
        return {_VALUE: self.value, _GRADIENT: self.gradient, _RATE: self.rate}[key]

    def all(self) -> tuple[PrefixCurve, ...]:
        return (self.value, self.gradient, self.rate)


def x_values(path: PathData, axis: str) -> np.ndarray:
    """Where ``path``'s points go along x: its step numbers, its examples drawn in
    epochs (a fit's; else the steps) or its gradient evaluations."""
    steps = np.arange(len(path.points), dtype=np.float64)
    if axis == "examples" and path.examples is not None and path.batches is not None:
        return np.asarray(path.examples, dtype=np.float64)[: len(steps)] / path.batches.n
    if axis == "evaluations" and path.evaluations is not None:
        return np.asarray(path.evaluations, dtype=np.float64)[: len(steps)]
    return steps


def rates_vary(paths: Sequence[PathData]) -> bool:
    """Whether some path's learning rate changes during its run (a schedule)."""
    for path in paths:
        lrs = path.lrs
        if lrs is not None and len(lrs) > 1:
            finite = lrs[np.isfinite(lrs)]
            if finite.size and finite.max() > finite.min():
                return True
    return False


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


class RoomyAxis(pg.AxisItem):
    """An axis whose numbers never print over each other, whatever its font.

    pyqtgraph always labels every major tick (at least three); a short plot in
    large text (presenter mode on a projector) printed them over each other.
    Where they do not fit, the major spacing grows (x2, x5, x10...) as long as a
    major tick stays in view, the old major ticks staying as minor ones (the grid
    keeps its density); a label that would still touch another is left out.
    """

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self.orientation not in ("left", "right"):
            return levels
        low, high = sorted((minVal, maxVal))
        if not (np.isfinite(low) and np.isfinite(high)):
            return levels
        gap = 1.2 * self._line_height()  # pixels from one number to the next, at least
        pixels_per_unit = size / (high - low) if high > low else np.inf

        def in_view(spacing: float) -> float:  # how many ticks of this spacing
            return np.floor(high / spacing) - np.ceil(low / spacing) + 1

        major = spacing = levels[0][0]
        factor = 1.0
        while spacing * pixels_per_unit < gap and factor < 1e15:
            factor *= 2.5 if str(factor)[0] == "2" else 2.0  # 2, 5, 10, 20, 50...
            if in_view(major * factor) < 1:
                break  # keep a major tick in view
            spacing = major * factor
        return levels if spacing == major else [(spacing, 0), levels[0]]

    def generateDrawSpecs(self, p: QtGui.QPainter):  # noqa: N802
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return specs
        axis, ticks, texts = specs
        kept: list = []
        for text in texts:  # the major ticks' first
            if not any(text[0].intersects(other[0]) for other in kept):
                kept.append(text)
        return axis, ticks, kept

    def _line_height(self) -> float:
        return QtGui.QFontMetricsF(self.style["tickFont"] or QtGui.QFont()).height()


class LossView(pg.GraphicsLayoutWidget):
    """Two stacked plots sharing the step axis: f (top) and |∇f| (bottom), and under
    them, when a schedule changes one, the learning rates.

    A vertical line marks the current frame; each curve is drawn up to it (when x
    counts examples or evaluations, each curve up to its own current point).
    Log y is chosen automatically per plot (see :func:`wants_log_y`) unless set
    with :meth:`set_log_y`.
    """

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._paths: list[PathData] = []
        self._curves: list[_Curves] = []
        self._frame = 0
        self._log_choice: dict[str, bool | None] = {_VALUE: None, _GRADIENT: None, _RATE: None}
        self._log: dict[str, bool] = {_VALUE: False, _GRADIENT: False, _RATE: False}
        self._steps = np.arange(0, dtype=np.float64)
        self._xs: list[np.ndarray] = []
        self._display: list[dict[str, np.ndarray]] = []
        self._brushes: list[QtGui.QBrush] = []
        self._x_axis = "steps"
        self._batch_loss = False

        self.value_plot = self.addPlot(row=0, col=0, axisItems={"left": RoomyAxis("left")})
        self.gradient_plot = self.addPlot(row=1, col=0, axisItems={"left": RoomyAxis("left")})
        self.rate_plot = self.addPlot(row=2, col=0, axisItems={"left": RoomyAxis("left")})
        self.gradient_plot.setXLink(self.value_plot)
        self.rate_plot.setXLink(self.value_plot)
        self.value_plot.setLabel("left", "f")
        self.gradient_plot.setLabel("left", "|∇f|")
        self.rate_plot.setLabel("left", "lr")
        self.gradient_plot.setLabel("bottom", "step")
        self.value_plot.getAxis("bottom").setStyle(showValues=False)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 3)
        self.ci.layout.setRowStretchFactor(2, 1)
        self.rate_plot.setVisible(False)
        self.scene().setItemIndexMethod(QtWidgets.QGraphicsScene.ItemIndexMethod.NoIndex)
        self._plots = {
            _VALUE: self.value_plot,
            _GRADIENT: self.gradient_plot,
            _RATE: self.rate_plot,
        }
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
        self._escape_steps: dict[str, list[int]] = {}
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
        axis, batch = picture.options.loss_x, picture.options.batch_loss
        if (axis, batch) != (self._x_axis, self._batch_loss):
            self._x_axis, self._batch_loss = axis, batch
            self.set_paths(picture.paths)
        elif same_geometry(self._paths, picture.paths):
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
            self._curves.append(_Curves(*(PrefixCurve(antialias=True) for _ in range(3))))
        for index, curves in enumerate(self._curves):
            visible = index < len(self._paths)
            for curve in curves.all():
                curve.setVisible(visible)
        self._style()
        longest = max((len(path.points) for path in self._paths), default=1)
        self._steps = np.arange(longest, dtype=np.float64)
        self._xs = [x_values(path, self._x_axis) for path in self._paths]
        rates = rates_vary(self._paths)
        self.rate_plot.setVisible(rates)
        bottom = self.rate_plot if rates else self.gradient_plot
        label = X_LABELS.get(self._x_axis, "step")
        for plot in (self.gradient_plot, self.rate_plot):
            axis = plot.getAxis("bottom")
            axis.setStyle(showValues=plot is bottom)
            style.style_axis(axis, self._options.text_scale, label if plot is bottom else "")
            axis.showLabel(plot is bottom)
        self._rebuild()

    def set_options(self, options: ViewOptions) -> None:
        """Text and line sizes of a picture's view options."""
        old, self._options = self._options, options
        if (options.text_scale, options.line_scale) == (old.text_scale, old.line_scale):
            return
        text, line = options.text_scale, options.line_scale
        for key, plot in self._plots.items():
            left = plot.getAxis("left")
            style.style_axis(left, text, {_VALUE: "f", _GRADIENT: "|∇f|", _RATE: "lr"}[key])
            left.textWidth = QtGui.QFontMetrics(style.font(style.TICK_PT, text)).horizontalAdvance(
                "-0.00012"
            )
            left._updateWidth()
            self._markers[key].set_size(7 * line)
        label = X_LABELS.get(self._x_axis, "step")
        bottom = self.rate_plot if self.rate_plot.isVisible() else self.gradient_plot
        for plot in (self.gradient_plot, self.rate_plot):
            style.style_axis(plot.getAxis("bottom"), text, label if plot is bottom else "")
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
            for curve in curves.all():
                curve.setPen(pen)
        entries = [(path.name, path.colour, path.dashed) for path in self._paths]
        if entries != self._legend_entries:  # rebuilding the legend costs ~10 ms
            self._legend_entries = entries
            self.legend.clear()
            for path, curves in zip(self._paths, self._curves, strict=False):
                self.legend.addItem(curves.value, path.name)
        self._brushes = [pg.mkBrush(path.colour) for path in self._paths]

    def set_log_y(self, which: str, log: bool | None) -> None:
        """Log y for the ``"f"``, ``"grad"`` or ``"lr"`` plot: True, False, or None (automatic)."""
        if which not in self._plots:
            raise ValueError(f"which must be 'f', 'grad' or 'lr', not {which!r}")
        self._log_choice[which] = log
        self._rebuild()

    def log_y(self, which: str) -> bool:
        """Whether the ``"f"`` or ``"grad"`` plot currently has a log y axis."""
        return self._log[which]

    def _rebuild(self) -> None:
        """Decide log axes, precompute what each curve plots, fix the ranges."""
        sources = {
            _VALUE: [self._loss_values(path) for path in self._paths],
            _GRADIENT: [path.grad_norms[: max(path.drawable, 0)] for path in self._paths],
            _RATE: [
                (path.lrs if path.lrs is not None else np.empty(0))[: max(path.drawable, 0)]
                for path in self._paths
            ],
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
                curve = self._curves[index].of(key)
                xs = self._xs[index][: len(display)]
                curve.declare_bounds(_rect(xs, finite))
                gaps = finite.size < display.size
                self._gaps[index][key] = gaps
                if gaps:
                    curve.setData(xs, display, connect="finite")
                else:
                    curve.setData(xs, display, connect="all", skipFiniteCheck=True)
            self._mark_escapes(key, low, high)
            bounds = QtCore.QRectF()
            for curves in self._curves[: len(self._paths)]:
                bounds = bounds.united(curves.of(key).boundingRect())
            self._markers[key].declare_bounds(bounds)
            self._stacks[key].set_curves([curves.of(key) for curves in self._curves])
        right = max((float(np.nanmax(xs)) for xs in self._xs if xs.size), default=1.0)
        self.value_plot.setXRange(
            0, max(right, 1e-9 if self._x_axis == "examples" else 1), padding=0.02
        )
        for plot in self._plots.values():
            # apply the new ranges now, not in the next paint: the clip that
            # reveals the curves and the frame lines' extent are computed from them
            plot.getViewBox().prepareForPaint()
        self.set_frame(self._frame)

    def _loss_values(self, path: PathData) -> np.ndarray:
        """What the f plot shows of ``path``: its full-data values, or (a fit's, when
        asked) each step's batch loss at the point the step was taken from."""
        end = max(path.drawable, 0)
        if self._batch_loss and path.batch_values is not None:
            return np.asarray(path.batch_values, dtype=np.float64)[:end]
        return path.values[:end]

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
        spots, labels, steps = [], [], []
        for index, path in enumerate(self._paths):
            escape = self._escapes[index].get(key)
            if escape is None:
                continue
            up = self._display[index][key][escape] >= high
            spots.append(
                {
                    "pos": (float(self._xs[index][escape]), high if up else low),
                    "symbol": "t1" if up else "t",
                    "brush": pg.mkBrush(path.colour),
                    "pen": pg.mkPen("#000000", width=1),
                    "size": 13,
                }
            )
            steps.append(escape)
            if path.status == "diverged":
                labels.append((path, escape, high if up else low, up))
        self._escape_steps[key] = steps
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
            x = float(self._xs[self._paths.index(path)][escape])
            # stacked below (or above) the edge, one line each; as far along the text
            # as the step is along the plot, so a text narrower than the plot fits in it
            ends = [float(v) for xs in self._xs for v in xs[:1].tolist() + xs[-1:].tolist()]
            left, right = (min(ends), max(ends)) if ends else (0.0, 0.0)
            along = min(max((x - left) / (right - left), 0.0), 1.0) if right > left else 0.0
            text.setAnchor((along, i) if up else (along, 1 - i))
            text.setPos(x, edge)
        self._escape_labels[key] = [label[1] for label in labels]

    def _reveal_escapes(self, frame: int) -> None:
        """Escape markers and labels appear when the timeline reaches them."""
        for key, markers in self._escape_markers.items():
            steps = self._escape_steps.get(key, [])
            spots = [
                s for s, k in zip(self._escape_spots.get(key, []), steps, strict=True) if k <= frame
            ]
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
        by_step = self._x_axis == "steps"
        for line in self.frame_lines.values():
            line.setVisible(by_step)
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
                display = self._display[index][key]
                if last < len(display):
                    current[key][index] = (self._xs[index][last], display[last])
        if by_step:
            self._reveal_to(self._frame)
        else:
            self._show_prefixes()
        self._reveal_escapes(self._frame)
        for key, markers in self._markers.items():
            points = current[key]
            shown = np.isfinite(points).all(axis=1)
            markers.set_points(
                points[shown], [brush for brush, ok in zip(self._brushes, shown, strict=True) if ok]
            )

    def _on_range_changed(self, *_: object) -> None:
        if self._x_axis == "steps":
            self._reveal_to(self._frame)
        for grid in self.grids.values():
            grid.ranges_changed()

    def _show_prefixes(self) -> None:
        """Each curve up to its own current point (x counts examples or evaluations, so
        the paths are at different places along x at the same frame)."""
        for key, reveal in self._reveals.items():
            box = self._plots[key].getViewBox()
            (left, right), (low, high) = box.viewRange()
            pad = abs(high - low) + abs(right - left) + 1.0
            reveal.setRect(
                QtCore.QRectF(left - pad, low - pad, right - left + 2 * pad, high - low + 2 * pad)
            )
            for index, path in enumerate(self._paths):
                end = path.index_at(self._frame) + 1
                display = self._display[index][key][:end]
                curve = self._curves[index].of(key)
                connect = "finite" if self._gaps[index].get(key) else "all"
                curve.set_prefix(self._xs[index][: len(display)], display, connect)
            self._stacks[key].update()

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
        return self._xs[index][: len(display)], display

    @property
    def x_label(self) -> str:
        """What the x axis counts, as its label says."""
        return X_LABELS.get(self._x_axis, "step")


def _rect(xs: np.ndarray, values: np.ndarray) -> QtCore.QRectF:
    """Bounds of a whole curve: its x positions by the range of its finite values."""
    if values.size == 0 or xs.size == 0:
        return QtCore.QRectF()
    low, high = float(values.min()), float(values.max())
    pad = 0.02 * max(high - low, 1e-12)  # room for the pen
    right = float(np.nanmax(xs))
    return QtCore.QRectF(-0.5, low - pad, max(right, 1) + 1.0, high - low + 2 * pad)
