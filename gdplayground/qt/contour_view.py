"""2-D view: filled colour map of f, isolines, optimizer paths, start and minima markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.picture import PathData, Picture, fan_path, same_geometry
from gdplayground.core.sampling import Grid, colour_scale, contour_levels, grid_note, isolines
from gdplayground.model.session import ViewOptions
from gdplayground.qt import palette, style
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, is_dark, pg
from gdplayground.qt.curves import GrowingPolylines, PointMarkers, PrefixCurve
from gdplayground.qt.explore_layers import ContourExploreLayers
from gdplayground.qt.geometry import (
    FAR_LIMIT,
    STEP_MIN,
    ClippedPath,
    arrow_segments,
    clip_polyline,
    gradient_unit,
)

if TYPE_CHECKING:
    from gdplayground.core.data.fan import Fan, GradientFan

#: While a path runs, its last this many steps are drawn bold ("trail") and the
#: rest of its history as a 1-pixel line, which Qt rasterises ~20x faster than
#: wide pens; once it has finished it is drawn bold throughout.
TRAIL_STEPS = 40
#: Hovering within this many pixels of a drawn path point shows its details.
HOVER_RADIUS_PX = 8.0
LEGEND_WIDTH_PX = 250
#: The key's distance from the plot's top right corner ...
KEY_MARGIN_PX = 6
#: ... and the share of the plot's height it may cover before it is drawn smaller.
KEY_HEIGHT_SHARE = 0.5
#: Narrower than this, the view hides its legend column rather than squeeze the plot.
MIN_WIDTH_FOR_LEGEND = 640
#: The colour fill is washed out towards the background so paths stand out.
FILL_OPACITY = 0.6

_Z_IMAGE, _Z_ISOLINES, _Z_PATHS, _Z_ARROWS, _Z_MARKERS, _Z_CURRENT = -20, -10, 10, 20, 25, 30
_Z_START, _Z_HOVER = 40, 50
_NO_POINTS = np.empty(0)
_CACHED = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
_NOT_CACHED = QtWidgets.QGraphicsItem.CacheMode.NoCache


def format_value(value: float) -> str:
    """Compact text for f or |∇f|: 4 significant digits, exponent when needed."""
    if not np.isfinite(value):
        return "undefined"
    return f"{value:.4g}"


def point_description(path: PathData, index: int) -> str:
    """The hover text for row ``index`` of ``path``: step, x, y, f, |∇f|."""
    x, y = path.points[index]
    norm = path.grad_norms[index] if index < len(path.grad_norms) else np.nan
    return (
        f"{path.name}  step {index}\n"
        f"x = {x:.4g}, y = {y:.4g}\n"
        f"f = {format_value(path.values[index])}, |∇f| = {format_value(norm)}"
    )


def undefined_note(fraction: float) -> str:
    """ "12% of the window is undefined" (never rounds a non-zero fraction to 0%)."""
    percent = fraction * 100
    text = f"{percent:.0f}" if percent >= 1 else f"{percent:.1g}"
    return f"{text}% of the window is undefined"


class LegendBox(pg.GraphicsWidget):
    """Legend in a fixed-width layout cell (its text never resizes the plot), one entry a path.

    Each entry is a rich-text header (swatch, name, status), re-laid out only
    when it changes, over a plain line of values that changes every frame.
    """

    def __init__(self, width: float) -> None:
        super().__init__()
        self.setFixedWidth(width)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Fixed, QtWidgets.QSizePolicy.Policy.Expanding
        )
        self._width = width
        self._entries: list[tuple[QtWidgets.QGraphicsTextItem, QtWidgets.QGraphicsSimpleTextItem]]
        self._entries = []
        self._headers: list[str] = []
        self._colour = ""
        self._mono = QtGui.QFont("monospace")
        self._mono.setStyleHint(QtGui.QFont.StyleHint.Monospace)
        self._mono.setPointSizeF(8)
        self._header_font = QtGui.QFont()

    def set_entries(self, entries: Sequence[tuple[str, str]], colour: str) -> None:
        """Show ``(header html, values text)`` per entry, in ``colour``."""
        existing = len(self._entries)
        while len(self._entries) < len(entries):
            header = QtWidgets.QGraphicsTextItem(self)
            header.setFont(self._header_font)
            header.document().setDocumentMargin(0)
            header.setTextWidth(self._width - 12)
            header.setCacheMode(_CACHED)  # changes only with a status
            values = QtWidgets.QGraphicsSimpleTextItem(self)
            values.setFont(self._mono)
            self._entries.append((header, values))
            self._headers.append("")
        new_colour = colour != self._colour
        self._colour = colour
        relayout = new_colour
        for index, (header, values) in enumerate(self._entries):
            shown = index < len(entries)
            relayout |= header.isVisible() != shown
            header.setVisible(shown)
            values.setVisible(shown)
            if not shown:
                continue
            html, text = entries[index]
            if new_colour or index >= existing:  # new entries take the colour too
                header.setDefaultTextColor(QtGui.QColor(colour))
                values.setBrush(QtGui.QColor(colour))
            if html != self._headers[index]:
                self._headers[index] = html
                header.setHtml(html)
                relayout = True
            if text != values.text():
                values.setText(text)
        if relayout:
            self._lay_out(len(entries))

    def set_font_scale(self, scale: float) -> None:
        """Text at ``scale`` times its normal size (names, statuses and values)."""
        self._mono.setPointSizeF(style.SMALL_PT * scale)
        self._header_font = style.font(style.LEGEND_PT, scale)
        for header, values in self._entries:
            header.setFont(self._header_font)
            values.setFont(self._mono)
        self._headers = [""] * len(self._headers)  # laid out again at the next fill

    def _lay_out(self, count: int) -> None:
        y = 8.0
        for header, values in self._entries[:count]:
            header.setPos(8, y)
            y += header.boundingRect().height()
            values.setPos(8, y)
            y += values.boundingRect().height() + 4

    @property
    def text(self) -> str:
        """The legend as plain text."""
        return "\n".join(
            f"{header.toPlainText()}\n{values.text()}"
            for header, values in self._entries
            if header.isVisible()
        )


@dataclass
class _PathItems:
    """The graphics items of one path, reused across frames and path sets."""

    line: PrefixCurve
    trail: PrefixCurve
    gradient_arrow: PrefixCurve
    step_arrow: PrefixCurve
    drawn: ClippedPath | None
    gradient_geometry: np.ndarray | None
    step_geometry: np.ndarray | None
    thin_end: int = -1
    finished: bool = False


class ContourView(pg.GraphicsLayoutWidget):
    """Filled contour of f with each optimizer's path drawn up to the current frame.

    Feed it a :class:`Picture` with :meth:`set_picture` (the window and the
    exporter both do); animate with :meth:`set_frame`.  Clicking the plot or
    dragging the start marker emits :attr:`start_moved`; while dragging,
    :attr:`start_dragged` follows the mouse.
    """

    start_moved = QtCore.Signal(float, float)
    start_dragged = QtCore.Signal(float, float)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._grid: Grid | None = None
        self._levels: np.ndarray | None = None
        self._minima: tuple = ()
        self._paths: list[PathData] = []
        self._items: list[_PathItems] = []
        self._frame = 0
        self._show_gradient = False
        self._show_step = False
        self._options = ViewOptions()
        self._gradient_unit: float | None = None
        self._user_dragging = False
        self._hover_text_value: str | None = None

        self.plot = self.addPlot(row=0, col=0)
        self._axis_names = ("x", "y")
        style.style_axis(self.plot.getAxis("bottom"), 1.0, "x")
        style.style_axis(self.plot.getAxis("left"), 1.0, "y")
        self.plot.showGrid(False, False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.view_box: pg.ViewBox = self.plot.getViewBox()
        self.view_box.setDefaultPadding(0.0)
        # place the plot's contents for a new range at once, not as the view paints:
        # items that redraw when the view moves (the start marker) would otherwise
        # ask for a second paint from inside the first
        self.view_box.sigRangeChanged.connect(self._place_contents)
        self.view_box.sigResized.connect(self._place_contents)
        self.view_box.sigResized.connect(self._fit_key)
        for name in ("left", "bottom"):
            # the axes only change with the view range: replay them as pixmaps
            self.plot.getAxis(name).setCacheMode(_CACHED)

        self.legend = LegendBox(LEGEND_WIDTH_PX)
        self.addItem(self.legend, row=0, col=1)
        # the key inside the plot: the paths' names when the legend column has
        # stepped aside (a narrow view), and what the arrows mean when they are on
        self.key = pg.LegendItem(
            offset=(-KEY_MARGIN_PX, KEY_MARGIN_PX),
            brush=pg.mkBrush(255, 255, 255, 215),
            pen=pg.mkPen("#a0a0a0"),
            verSpacing=-6,
        )
        self.key.setParentItem(self.plot.getViewBox())
        self.key.setZValue(_Z_HOVER)
        self.key.setVisible(False)  # until it has something to say
        self._key_entries: list[tuple[str, str, str]] = []  # the key's items
        self._key_shown: list[tuple[str, str, str]] = []  # what it shows now
        self._key_samples: list[pg.PlotDataItem] = []
        self._legend_frame = 0
        self._legend_stale = False
        self._legend_wanted = True

        self.scene().setItemIndexMethod(QtWidgets.QGraphicsScene.ItemIndexMethod.NoIndex)
        self._build_fixed_items()
        self.explore = ContourExploreLayers(self.plot, self.legend)  # basins, stationary points
        self.view_box.setAspectLocked(self._options.equal_aspect, ratio=1.0)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # ---------------------------------------------------------------- building
    def _build_fixed_items(self) -> None:
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(_Z_IMAGE)
        self.image.setOpacity(FILL_OPACITY)
        self.image.setLookupTable(palette.colour_lookup_table())
        # the fill and isolines only change with the function: keep them as pixmaps
        self.image.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.image)

        self.isoline_item = pg.PlotCurveItem(
            connect="pairs", pen=pg.mkPen(0, 0, 0, 55, width=1), antialias=True
        )
        self.isoline_item.setZValue(_Z_ISOLINES)
        self.isoline_item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(self.isoline_item)

        self.minima_item = pg.ScatterPlotItem(
            symbol="star",
            size=18,
            pen=pg.mkPen(palette.MARKER_OUTLINE, width=1.2),
            brush=pg.mkBrush(palette.MARKER_COLOUR),
        )
        self.minima_item.setZValue(_Z_MARKERS)
        self.minima_item.setCacheMode(_CACHED)  # changes only with the function
        self.plot.addItem(self.minima_item)

        # the thin histories of all solid paths, drawn incrementally onto one image
        self.history_item = GrowingPolylines()
        self.history_item.setZValue(_Z_PATHS)
        self.plot.addItem(self.history_item, ignoreBounds=True)

        # a fit's gradient fan at one current point: batch gradients thin, in the
        # path's colour, the full-data gradient over them as a gradient arrow
        self.fan_batches = pg.PlotCurveItem(connect="pairs", antialias=True)
        self.fan_full = pg.PlotCurveItem(connect="pairs", antialias=True)
        for item in (self.fan_batches, self.fan_full):
            item.setZValue(_Z_ARROWS + 1)
            item.setVisible(False)
            self.plot.addItem(item, ignoreBounds=True)
        self._fan: GradientFan | None = None
        self._fan_index: int | None = None
        self._fan_drawn: Fan | None = None
        self._seed = 0

        self.current_item = PointMarkers(size=11, pen=pg.mkPen("#000000", width=1.2))
        self.current_item.setZValue(_Z_CURRENT)
        self.plot.addItem(self.current_item, ignoreBounds=True)
        self._current_brushes: list[QtGui.QBrush] = []

        self.start_item = pg.TargetItem(
            pos=(0, 0),
            size=16,
            symbol="o",
            movable=True,
            pen=pg.mkPen(palette.MARKER_OUTLINE, width=2),
            brush=pg.mkBrush(255, 255, 255, 200),
            hoverBrush=pg.mkBrush(255, 255, 255, 255),
        )
        self.start_item.setZValue(_Z_START)
        self.start_item.setToolTip("start point: drag it, or click anywhere on the plot")
        self.start_item.setVisible(False)
        self.start_item.sigPositionChanged.connect(self._on_start_dragging)
        self.start_item.sigPositionChangeFinished.connect(self._on_start_dropped)
        self.plot.addItem(self.start_item)

        self.hover_marker = pg.ScatterPlotItem(
            size=15, pen=pg.mkPen("#000000", width=2), brush=pg.mkBrush(None)
        )
        self.hover_marker.setZValue(_Z_HOVER)
        self.hover_marker.setVisible(False)  # an empty scatter plot still costs a paint
        self.plot.addItem(self.hover_marker)
        self.hover_label = pg.TextItem(
            color="#000000",
            fill=pg.mkBrush(255, 255, 255, 225),
            border=pg.mkPen("#606060"),
            anchor=(0, 1),
        )
        self.hover_label.setZValue(_Z_HOVER)
        self.hover_label.setVisible(False)
        self.plot.addItem(self.hover_label, ignoreBounds=True)

        # pinned to the top-left corner of the plot area, in pixels
        self.note_item = pg.TextItem(
            color="#000000", fill=pg.mkBrush(255, 255, 255, 220), anchor=(0, 0)
        )
        self.note_item.setParentItem(self.view_box)
        self.note_item.setPos(4, 4)
        self.note_item.setZValue(_Z_HOVER)
        self.note_item.setVisible(False)

    def _new_path_items(self) -> _PathItems:
        shadow = pg.mkPen(0, 0, 0, 150, width=4.5)
        line = PrefixCurve(antialias=True)
        trail = PrefixCurve(antialias=True, shadowPen=shadow)
        gradient = PrefixCurve(connect="pairs", antialias=True, shadowPen=shadow)
        step = PrefixCurve(connect="pairs", antialias=True, shadowPen=shadow)
        line.setZValue(_Z_PATHS)
        trail.setZValue(_Z_PATHS + 1)
        gradient.setZValue(_Z_ARROWS)
        step.setZValue(_Z_ARROWS)
        for item in (line, trail, gradient, step):
            self.plot.addItem(item, ignoreBounds=True)
        return _PathItems(line, trail, gradient, step, None, None, None)

    # ------------------------------------------------------------------- data
    def set_picture(self, picture: Picture) -> None:
        """Show ``picture``: the one way the window and the exporter feed this view.

        Only what changed is redrawn: a new grid or levels redraw the fill and
        isolines, new paths their lines, and paths that are the same lines in
        new colours or names are only restyled.
        """
        new_grid = picture.grid is not self._grid
        if new_grid or picture.levels is not self._levels:
            if new_grid:
                # the old paths do not belong to the new grid: forgotten here (not
                # clipped to it), the new ones replace their items below
                self._paths = []
            self.set_grid(picture.grid, picture.levels, picture.log_scale, picture.isolines)
        self._name_axes(picture.axis_names[:2])
        options = picture.options
        self.isoline_item.setVisible(options.show_isolines)
        if picture.minima != self._minima:
            self.set_minima(picture.minima)
        self.set_start(picture.start)
        self._show_gradient = options.show_gradient_arrows
        self._show_step = options.show_step_arrows
        self._fan = picture.fan if options.show_gradient_fan else None
        self._fan_index = fan_path(picture)
        self._seed = picture.seed
        self.set_options(options)
        if not new_grid and same_geometry(self._paths, picture.paths):
            self._restyle(picture.paths)
        else:
            self.set_paths(picture.paths)
        self._update_key()  # the arrows' scale is known once the paths are in
        self.explore.set_picture(picture)

    def _name_axes(self, names: tuple[str, str]) -> None:
        """Label the axes (x and y, or a fit's w and b)."""
        if names != self._axis_names:
            self._axis_names = names
            text = self._options.text_scale
            style.style_axis(self.plot.getAxis("bottom"), text, names[0])
            style.style_axis(self.plot.getAxis("left"), text, names[1])

    def set_options(self, options: ViewOptions) -> None:
        """Axis scales, text and line sizes of a picture's view options."""
        old, self._options = self._options, options
        if options.equal_aspect != old.equal_aspect:
            self.set_equal_aspect(options.equal_aspect)
        if (options.text_scale, options.line_scale) != (old.text_scale, old.line_scale):
            self._apply_sizes()
            self._style_items()
            self._rebuild_histories()
        if options.equal_aspect != old.equal_aspect:
            for items in self._items:  # arrows are drawn for the screen's proportions
                items.gradient_geometry = items.step_geometry = None

    def _apply_sizes(self) -> None:
        """Text and marker sizes from the options' scales."""
        text, line = self._options.text_scale, self._options.line_scale
        for name, label in (("left", self._axis_names[1]), ("bottom", self._axis_names[0])):
            style.style_axis(self.plot.getAxis(name), text, label)
        self.legend.set_font_scale(text)
        self.key.opts["labelTextSize"] = f"{style.LEGEND_PT * text:.1f}pt"
        self._key_entries = []  # rebuilt with the new size
        self._update_key()
        for item in (self.note_item, self.hover_label):
            item.setFont(style.font(style.LEGEND_PT, text))
        self.current_item.set_size(11 * line)
        self.minima_item.setSize(18 * line)
        self.start_item.scale = 16 * line  # TargetItem's size in pixels
        self.start_item._shape = None
        self.start_item.prepareGeometryChange()
        self.start_item.update()

    def set_grid(
        self,
        grid: Grid,
        levels: np.ndarray | None = None,
        log: bool | None = None,
        segments: np.ndarray | None = None,
    ) -> None:
        """Show f sampled on ``grid``: colour fill, isolines at ``levels``, undefined note.

        ``log`` chooses the colour scale (None: automatic); ``levels`` default
        to :func:`contour_levels` with the same scale; ``segments`` are the
        isolines at those levels when already traced.
        """
        new_grid = grid is not self._grid
        self._grid = grid
        scale = colour_scale(grid, log)
        if levels is None:
            levels = contour_levels(grid, log=scale.log)
        colour = scale(grid.z)
        high = scale.cmax if scale.cmax > scale.cmin else scale.cmin + 1.0
        self.image.setImage(colour, autoLevels=False, levels=(scale.cmin, high))
        xmin, xmax, ymin, ymax = grid.domain
        dx = (xmax - xmin) / max(len(grid.xs) - 1, 1)
        dy = (ymax - ymin) / max(len(grid.ys) - 1, 1)
        self.image.setRect(
            QtCore.QRectF(xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy)
        )
        self._levels = levels
        if segments is None:
            segments = isolines(grid, levels)
        self.isoline_item.setData(segments[:, 0], segments[:, 1], connect="pairs")

        note = grid_note(grid)  # overflow (inf) and undefined (nan) told apart
        if note:
            self.note_item.setText(note)
        self.note_item.setVisible(bool(note))
        if new_grid:
            self._rebuild_geometry()
            self.reset_view()

    def reset_view(self) -> None:
        """Show the whole sampled window."""
        if self._grid is not None:
            xmin, xmax, ymin, ymax = self._grid.domain
            self.view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.0)

    def _place_contents(self, *_: object) -> None:
        self.view_box.updateMatrix()

    def set_legend_visible(self, visible: bool) -> None:
        """Show or hide the legend column (narrow views hide it by themselves)."""
        self._legend_wanted = bool(visible)
        self._place_legend()

    @property
    def legend_visible(self) -> bool:
        """Whether the legend column is currently laid out."""
        return self.legend.isVisible()

    def _place_legend(self) -> None:
        # the legend takes a fixed-width column: below ~2.4 legend widths it would
        # squeeze the plot, so it steps aside (the optimizer panel shows the same)
        if not hasattr(self, "_legend_wanted") or getattr(self, "closed", False):
            return  # a resize during construction, or after close() deleted the items
        show = self._legend_wanted and self.width() >= MIN_WIDTH_FOR_LEGEND
        if show == self.legend_visible:
            return
        self.legend.setFixedWidth(LEGEND_WIDTH_PX if show else 0)
        self.legend.setVisible(show)
        self._fill_stale_legend()
        self._update_key()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        # the legend column steps aside (or back) before the layout takes the new
        # size: the layout cannot be narrower than its columns, and a plot laid out
        # with a legend that then leaves would stay too wide, cut off on the right
        self._place_legend()
        super().resizeEvent(event)

    def set_equal_aspect(self, equal: bool) -> None:
        """Lock one x unit to one y unit on screen (the default), or fill the plot."""
        self.view_box.setAspectLocked(equal, ratio=1.0)
        self.reset_view()

    def set_minima(self, points: Sequence[tuple[float, float]]) -> None:
        """Mark known minima with stars."""
        self._minima = tuple(points)
        array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self.minima_item.setData(pos=array)

    def set_start(self, point: tuple[float, float] | None) -> None:
        """Place the draggable start marker (None hides it); emits nothing."""
        if point is None:
            self.start_item.setVisible(False)
            return
        self.start_item.blockSignals(True)
        self.start_item.setPos(float(point[0]), float(point[1]))
        self.start_item.blockSignals(False)
        self.start_item.setVisible(True)

    def set_paths(self, paths: Sequence[PathData]) -> None:
        """Replace the drawn paths; items are reused, extra ones hidden."""
        self._paths = list(paths)
        while len(self._items) < len(self._paths):
            self._items.append(self._new_path_items())
        for index, items in enumerate(self._items):
            visible = index < len(self._paths)
            items.line.setVisible(False)  # shown while it has something to draw
            items.trail.setVisible(visible)
            if not visible:
                items.gradient_arrow.setVisible(False)
                items.step_arrow.setVisible(False)
        self._style_items()
        self._rebuild_geometry()
        self._hide_hover()
        self.set_frame(self._frame)

    def _style_items(self) -> None:
        """Pens and brushes from the paths' colours and the options' line scale."""
        line = self._options.line_scale
        for path, items in zip(self._paths, self._items, strict=False):
            colour = QtGui.QColor(path.colour)
            dash = QtCore.Qt.PenStyle.DashLine if path.dashed else QtCore.Qt.PenStyle.SolidLine
            # older history lighter (blended with white, opaque: translucent segments
            # would bead where they meet), as wide as a projector needs
            history = QtGui.QColor(
                *(round(0.6 * c + 0.4 * 255) for c in (colour.red(), colour.green(), colour.blue()))
            )
            items.line.setPen(pg.mkPen(history, width=style.HISTORY_PX * line, style=dash))
            items.trail.setPen(pg.mkPen(colour, width=style.PATH_PX * line, style=dash))
            items.trail.opts["shadowPen"] = pg.mkPen(0, 0, 0, 150, width=(style.PATH_PX + 2) * line)
            items.step_arrow.setPen(
                pg.mkPen(colour, width=style.ARROW_PX * line, style=QtCore.Qt.PenStyle.DashLine)
            )
            items.gradient_arrow.setPen(
                pg.mkPen(palette.MARKER_COLOUR, width=style.ARROW_PX * line)
            )
        self._current_brushes = [pg.mkBrush(path.colour) for path in self._paths]
        fan_index = self._fan_index
        fan_colour = (
            self._paths[fan_index].colour
            if fan_index is not None and fan_index < len(self._paths)
            else "#000000"
        )
        self.fan_batches.setPen(pg.mkPen(fan_colour, width=style.FAN_PX * line))
        self.fan_batches.opts["shadowPen"] = pg.mkPen(0, 0, 0, 140, width=(style.FAN_PX + 2) * line)
        self.fan_full.setPen(pg.mkPen(palette.MARKER_COLOUR, width=style.ARROW_PX * line))
        self.fan_full.opts["shadowPen"] = pg.mkPen(0, 0, 0, 150, width=(style.ARROW_PX + 2) * line)
        self._update_key()

    def _restyle(self, paths: Sequence[PathData]) -> None:
        """The same lines in new colours or under new names: nothing is clipped again."""
        self._paths = list(paths)
        self._style_items()
        for items in self._items[: len(self._paths)]:
            if items.finished:  # its cached pixmap has the old colour
                items.trail.update()
        self._rebuild_histories()
        self.set_frame(self._frame)

    def _rebuild_geometry(self) -> None:
        """Precompute the drawable polylines (once per data change); arrows come lazily."""
        self._rebuild_path_geometry()
        self._rebuild_histories()

    def _rebuild_histories(self) -> None:
        """The thin histories of all solid paths, as one item (pens from the paths)."""
        histories = []
        bounds = QtCore.QRectF()
        for path, items in zip(self._paths, self._items[: len(self._paths)], strict=True):
            drawn = items.drawn
            if drawn is None or path.dashed:  # dashes would restart with each new piece
                histories.append((_NO_POINTS, _NO_POINTS, _NO_POINTS, items.line.opts["pen"]))
                continue
            pen = items.line.opts["pen"]
            histories.append((drawn.thin_xs, drawn.thin_ys, drawn.thin_connect, pen))
            bounds = bounds.united(items.line.boundingRect())
        self.history_item.set_lines(histories, bounds)
        if self._grid is not None:  # current points further out than this are not marked
            self.current_item.declare_bounds(_far_box(self._grid.domain))

    def _rebuild_path_geometry(self) -> None:
        self._gradient_unit = (
            gradient_unit(
                [p.grad_norms[: max(p.drawable, 0)] for p in self._paths], self._grid.domain
            )
            if self._grid is not None
            else None
        )
        for path, items in zip(self._paths, self._items[: len(self._paths)], strict=True):
            n = max(path.drawable, 0)
            origins = path.points[:n]
            if self._grid is None:
                items.drawn = None
                continue
            domain = self._grid.domain
            items.drawn = clip_polyline(origins, domain)
            items.thin_end = -1
            items.finished = False
            items.trail.setCacheMode(_NOT_CACHED)
            bounds = _bounds(items.drawn.xs, items.drawn.ys, domain, margin=0.03)
            items.line.declare_bounds(bounds)
            items.trail.declare_bounds(bounds)
            arrow_bounds = _bounds(items.drawn.xs, items.drawn.ys, domain, margin=0.4)
            items.gradient_arrow.declare_bounds(arrow_bounds)
            items.step_arrow.declare_bounds(arrow_bounds)
            items.gradient_geometry = items.step_geometry = None

    def _arrow_geometry(self, path: PathData, items: _PathItems) -> None:
        """Both arrows for every frame of ``path``, built the first time they are shown.

        The gradient arrow is ∇f as it is: uphill, as long as |∇f| on the scale
        of :attr:`gradient_unit` (one unit on the axes stands for that |∇f|).
        The step arrow is the step actually taken from the point, dashed.
        """
        n = max(path.drawable, 0)
        origins = path.points[:n]
        domain = self._grid.domain
        isotropic = self._options.equal_aspect
        unit = self._gradient_unit
        if path.gradients is not None and n and unit is not None:
            uphill = np.asarray(path.gradients, dtype=np.float64)[:n] / unit
            items.gradient_geometry, _ = arrow_segments(
                origins, uphill, domain, isotropic=isotropic
            )
        else:
            items.gradient_geometry = np.full((n, 6, 2), np.nan)
        steps = np.full((n, 2), np.nan)
        if n > 1:
            steps[:-1] = np.diff(origins, axis=0)
        items.step_geometry, _ = arrow_segments(
            origins, steps, domain, min_length=STEP_MIN, isotropic=isotropic
        )

    @property
    def gradient_unit(self) -> float | None:
        """The |∇f| that one unit on the axes stands for in the gradient arrows."""
        return self._gradient_unit

    # ------------------------------------------------------------------ frames
    @property
    def frame(self) -> int:
        """The frame currently drawn."""
        return self._frame

    def set_frame(self, frame: int, legend: bool = True) -> None:
        """Draw every path up to ``frame`` (paths that ended early show their last point).

        ``legend=False`` leaves the legend's values for a later :meth:`update_legend`
        (a window playing fast refreshes its text less often than its paths).
        """
        self._frame = max(int(frame), 0)
        current = np.full((len(self._paths), 2), np.nan)
        for index, (path, items) in enumerate(
            zip(self._paths, self._items[: len(self._paths)], strict=True)
        ):
            last = path.index_at(self._frame)
            if last < 0 or items.drawn is None:
                items.thin_end = 0
                items.finished = False
                self._clear_line(items)
                self.history_item.set_end(index, 0)
                items.trail.setData([], [])
                self._update_arrow(items.gradient_arrow, None, False)
                self._update_arrow(items.step_arrow, None, False)
                continue
            self._draw_path(index, items, last, finished=last == path.drawable - 1)
            current[index] = path.points[last]
            if (self._show_gradient or self._show_step) and items.step_geometry is None:
                self._arrow_geometry(path, items)
            self._update_arrow(
                items.gradient_arrow, items.gradient_geometry, self._show_gradient, last
            )
            self._update_arrow(items.step_arrow, items.step_geometry, self._show_step, last)
        if self._grid is not None:
            xmin, xmax, ymin, ymax = self._grid.domain
            far = FAR_LIMIT * max(xmax - xmin, ymax - ymin) / 2
            current[
                (np.abs(current - ((xmin + xmax) / 2, (ymin + ymax) / 2)) > far).any(axis=1)
            ] = np.nan
        self._draw_fan(current)
        shown = np.isfinite(current).all(axis=1)
        self.current_item.set_points(
            current[shown],
            [brush for brush, ok in zip(self._current_brushes, shown, strict=True) if ok],
        )
        if legend:
            self.update_legend()

    def _draw_fan(self, current: np.ndarray) -> None:
        """The gradient fan at the fan path's current point (when it is on and there)."""
        index, fan = self._fan_index, None
        if (
            self._fan is not None
            and index is not None
            and index < min(len(current), len(self._paths))
        ):
            point = current[index]
            unit = self._gradient_unit
            if np.isfinite(point).all() and unit is not None and self._grid is not None:
                path = self._paths[index]
                row = path.index_at(self._frame)
                known = path.gradients[row] if path.gradients is not None and row >= 0 else None
                fan = self._fan.at(*point, path.batch_size, self._seed, full=known)
        self._fan_drawn = fan
        if fan is None:
            self.fan_batches.setVisible(False)
            self.fan_full.setVisible(False)
            return
        domain, isotropic = self._grid.domain, self._options.equal_aspect
        for item, vectors in ((self.fan_batches, fan.batches), (self.fan_full, fan.full[None])):
            segments, valid = arrow_segments(
                np.repeat(point[None], len(vectors), axis=0),
                vectors / unit,
                domain,
                isotropic=isotropic,
            )
            segments = segments[valid].reshape(-1, 2)
            item.setData(segments[:, 0], segments[:, 1], connect="pairs")
            item.setVisible(bool(len(segments)))

    def fan_shown(self) -> Fan | None:
        """The gradient fan drawn at the current frame (for checks)."""
        return self._fan_drawn if self.fan_full.isVisible() else None

    def _draw_path(self, index: int, items: _PathItems, last: int, finished: bool) -> None:
        """Thin history plus bold trail; a finished path is bold throughout and cached.

        A finished path no longer changes, so Qt keeps it as a pixmap and
        repaints cost a blit however long it is.
        """
        drawn = items.drawn
        if finished:
            if items.finished:
                return
            items.finished = True
            items.thin_end = 0
            self._clear_line(items)
            self.history_item.set_end(index, 0)
            items.trail.setData(drawn.xs, drawn.ys, connect=drawn.connect)
            items.trail.setCacheMode(_CACHED)
            return
        if items.finished:
            items.finished = False
            items.trail.setCacheMode(_NOT_CACHED)
        thin_end, begin, end = drawn.frame_slices(last, TRAIL_STEPS)
        if thin_end != items.thin_end:  # the thinned history changes rarely
            items.thin_end = thin_end
            if self._paths[index].dashed:
                items.line.setData(
                    drawn.thin_xs[:thin_end],
                    drawn.thin_ys[:thin_end],
                    connect=drawn.thin_connect[:thin_end],
                )
                items.line.setVisible(thin_end > 0)
            else:
                self.history_item.set_end(index, thin_end)
        items.trail.set_prefix(drawn.xs[begin:end], drawn.ys[begin:end], drawn.connect[begin:end])

    @staticmethod
    def _clear_line(items: _PathItems) -> None:
        """Empty the path's history curve; hidden, it costs the scene nothing to skip."""
        items.line.setData([], [])
        items.line.setVisible(False)

    def drawn_points(self, index: int) -> np.ndarray:
        """The polyline currently drawn for path ``index``, shape (m, 2) (for checks)."""
        if index >= len(self._paths):
            return np.empty((0, 2))
        items = self._items[index]
        parts = []
        curves = [items.line, items.trail]
        if index < len(self._paths) and items.drawn is not None and not self._paths[index].dashed:
            end = self.history_item.end(index)
            if end:
                parts.append(
                    np.column_stack([items.drawn.thin_xs[:end], items.drawn.thin_ys[:end]])
                )
            curves = [items.trail]
        for curve in curves:
            xs, ys = curve.getData()
            if xs is not None and len(xs):
                parts.append(np.column_stack([xs, ys]))
        if len(parts) == 2 and np.array_equal(parts[0][-1], parts[1][0]):
            parts[1] = parts[1][1:]  # history and trail share their meeting point
        return np.concatenate(parts) if parts else np.empty((0, 2))

    def current_points(self) -> np.ndarray:
        """The current-point markers, shape (n, 2), one per path that has one."""
        return self.current_item.points()

    @staticmethod
    def _update_arrow(
        item: pg.PlotCurveItem, geometry: np.ndarray | None, show: bool, index: int = 0
    ) -> None:
        if not show or geometry is None or index >= len(geometry):
            item.setVisible(False)
            return
        segment = geometry[index]
        if not np.isfinite(segment[1]).all():
            item.setVisible(False)
            return
        item.setData(segment[:, 0], segment[:, 1], connect="pairs")
        item.setVisible(True)

    def _fan_key(self) -> list[tuple[str, str, str]]:
        """What the fan's arrows are (its path, batch size and scale)."""
        index = self._fan_index
        if self._fan is None or index is None or index >= len(self._paths):
            return []
        if self._gradient_unit is None:
            return []
        path = self._paths[index]
        scale = (
            [] if self._show_gradient else [(f"1 unit = |∇| {self._gradient_unit:g}", "", "text")]
        )
        size = path.batch_size
        if size is None or size >= self._fan.n:
            return [("∇ of all the data (full batch)", "#ffffff", "∇"), *scale]
        count = len(self._fan.batch_indices(size, self._seed))
        return [
            (f"∇ of {count} batches of {size}", path.colour, "fan"),
            ("∇ of all the data", "#ffffff", "∇"),
            *scale,
        ]

    def set_show_gradient_arrows(self, show: bool) -> None:
        """Toggle, at each current point, ∇f as an arrow (uphill, to scale)."""
        self._show_gradient = bool(show)
        self._update_key()
        self.set_frame(self._frame)

    def set_show_step_arrows(self, show: bool) -> None:
        """Toggle, at each current point, a dashed arrow for the step actually taken next."""
        self._show_step = bool(show)
        self._update_key()
        self.set_frame(self._frame)

    def key_entries(self) -> list[str]:
        """The texts of the key inside the plot (for checks)."""
        return [text for text, _, _ in self._key_shown]

    def _update_key(self) -> None:
        """The key's entries for what is shown, scaled to fit the plot."""
        self._build_key()
        self._fit_key()

    def _fit_key(self, *_: object) -> None:
        """A key wider than the plot, or taller than half of it (a narrow or short view,
        presenter mode's large text), is drawn smaller, down to half size: none of it
        is cut off at the plot's edge, and it leaves the paths in view."""
        if not hasattr(self, "key") or not self.key.isVisible():
            return
        key = self.key.boundingRect()
        width = self.view_box.width() - 2 * KEY_MARGIN_PX
        height = KEY_HEIGHT_SHARE * self.view_box.height()
        scale = 1.0
        if key.width() > 0 and key.height() > 0 and width > 0 and height > 0:
            scale = min(max(min(width / key.width(), height / key.height()), 0.5), 1.0)
        if scale != self.key.scale():
            self.key.setScale(scale)
            self.key.anchor(
                itemPos=(1, 0), parentPos=(1, 0), offset=(-KEY_MARGIN_PX, KEY_MARGIN_PX)
            )

    def _build_key(self) -> None:
        """Fill the key inside the plot: names when the legend column is hidden, and
        what the arrows mean when they are shown."""
        if not hasattr(self, "key"):
            return
        line = self._options.line_scale
        entries: list[tuple[str, str, str]] = []
        if not self.legend.isVisible():
            entries += [(path.name, path.colour, "solid") for path in self._paths]
        if self._show_gradient and self._gradient_unit is not None:
            entries.append(
                (f"∇f, uphill: 1 unit on the axes = |∇f| {self._gradient_unit:g}", "#ffffff", "∇")
            )
        if self._show_step:
            entries.append(("step taken", "#404040", "dash"))
        entries += self._fan_key()
        self.key.setVisible(bool(entries))
        self._key_shown = entries
        if not entries or entries == self._key_entries:
            return  # hidden, its items kept for when the same kind of key returns
        old, self._key_entries = self._key_entries, entries
        if [e[1:] for e in entries] == [e[1:] for e in old] and len(self.key.items) == len(old):
            # the same samples under new words (the arrows' scale of a new function):
            # relabel them in place; rebuilding the key's items takes milliseconds each
            for (text, _, _), (was, _, _), (_, label) in zip(
                entries, old, self.key.items, strict=True
            ):
                if text != was:
                    label.setText(_escape(text))
            self.key.updateSize()
            return
        self.key.clear()
        self._key_samples = []
        for text, colour, kind in entries:
            if kind == "dash":
                pen = pg.mkPen(
                    colour, width=style.ARROW_PX * line, style=QtCore.Qt.PenStyle.DashLine
                )
            elif kind == "text":
                pen = None
            elif kind == "fan":
                pen = pg.mkPen(colour, width=(style.FAN_PX + 0.5) * line)
            elif kind == "∇":
                pen = pg.mkPen("#000000", width=(style.ARROW_PX + 1.5) * line)
            else:
                pen = pg.mkPen(colour, width=style.PATH_PX * line)
            sample = pg.PlotDataItem(pen=pen)
            self._key_samples.append(sample)
            self.key.addItem(sample, _escape(text))
        self.key.setVisible(bool(entries))

    # ------------------------------------------------------------------ legend
    def legend_entries(self) -> list[str]:
        """Plain text of each legend entry at the current frame (name, status, f, |∇f|)."""
        entries = []
        for path in self._paths:
            f, g = path.values_at(self._frame)
            entries.append(
                f"{path.name}: {path.status_at(self._frame)}; "
                f"f = {format_value(f)}, |∇f| = {format_value(g)}"
            )
        return entries

    def update_legend(self) -> None:
        """Show each path's status and values at the current frame in the legend.

        A hidden legend (a narrow view) is filled in when it is shown again.
        """
        self._legend_frame = self._frame
        self._legend_stale = True
        if self.legend.isVisible():
            self._fill_stale_legend()

    def _fill_stale_legend(self) -> None:
        if not self._legend_stale:
            return
        self._legend_stale = False
        frame = self._legend_frame
        text_colour = "#e0e0e0" if is_dark() else "#202020"
        entries = []
        for path in self._paths:
            f, g = path.values_at(frame)
            header = (
                f'<span style="color:{path.colour}; font-size:13pt">&#9632;</span> '
                f"<b>{_escape(path.name)}</b> <i>{_escape(path.status_at(frame))}</i>"
            )
            entries.append((header, f"    f = {format_value(f)}  |∇f| = {format_value(g)}"))
        self.legend.set_entries(entries, text_colour)

    # ------------------------------------------------------------------- mouse
    def _on_scene_clicked(self, event: object) -> None:
        if event.button() != QtCore.Qt.MouseButton.LeftButton or event.double():
            return
        if self.start_item.isVisible() and self.start_item.mouseHovering:
            return
        if not self.view_box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = self.view_box.mapSceneToView(event.scenePos())
        self.start_moved.emit(float(point.x()), float(point.y()))

    def _on_start_dragging(self, _item: object) -> None:
        if self.start_item.moving:
            position = self.start_item.pos()
            self.start_dragged.emit(float(position.x()), float(position.y()))

    def _on_start_dropped(self, _item: object) -> None:
        position = self.start_item.pos()
        self.start_moved.emit(float(position.x()), float(position.y()))

    def _on_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            self._hide_hover()
            return
        point = self.view_box.mapSceneToView(scene_pos)
        self.show_point_info_at(point.x(), point.y())

    def point_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(path index, row) of the drawn path point nearest (x, y) within the hover radius."""
        width, height = self.view_box.viewPixelSize()
        if not (width > 0 and height > 0):
            return None
        best: tuple[float, int, int] | None = None
        for index, path in enumerate(self._paths):
            last = path.index_at(self._frame)
            if last < 0:
                continue
            with np.errstate(over="ignore", invalid="ignore"):
                dx = (path.points[: last + 1, 0] - x) / width
                dy = (path.points[: last + 1, 1] - y) / height
                distance = np.nan_to_num(dx * dx + dy * dy, nan=np.inf)
            row = int(np.argmin(distance))
            if best is None or distance[row] < best[0]:
                best = (float(distance[row]), index, row)
        if best is None or best[0] > HOVER_RADIUS_PX**2:
            return None
        return best[1], best[2]

    def show_point_info_at(self, x: float, y: float) -> str | None:
        """Show (and return) the details of the path point under (x, y), if any."""
        hit = self.point_at(x, y)
        if hit is None:
            self._hide_hover()
            return None
        path = self._paths[hit[0]]
        text = point_description(path, hit[1])
        px, py = path.points[hit[1]]
        self.hover_marker.setData(pos=[(px, py)])
        self.hover_marker.setVisible(True)
        self.hover_label.setText(text)
        self.hover_label.setPos(px, py)
        self.hover_label.setVisible(True)
        self._hover_text_value = text
        return text

    def _hide_hover(self) -> None:
        if self._hover_text_value is not None:
            self.hover_marker.setData(pos=np.empty((0, 2)))
            self.hover_marker.setVisible(False)
            self.hover_label.setVisible(False)
            self._hover_text_value = None

    @property
    def hover_text(self) -> str | None:
        """The hover text currently shown, or None."""
        return self._hover_text_value


def _far_box(domain: tuple) -> QtCore.QRectF:
    """The square around the window that paths are clipped to (see :data:`FAR_LIMIT`)."""
    xmin, xmax, ymin, ymax = domain
    half = FAR_LIMIT * max(xmax - xmin, ymax - ymin) / 2
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return QtCore.QRectF(cx - half, cy - half, 2 * half, 2 * half)


def _bounds(xs: np.ndarray, ys: np.ndarray, domain: tuple, margin: float) -> QtCore.QRectF:
    """The box around the points and the window, grown by ``margin`` window sizes."""
    xmin, xmax, ymin, ymax = domain
    if len(xs):
        xmin, xmax = min(xmin, float(xs.min())), max(xmax, float(xs.max()))
        ymin, ymax = min(ymin, float(ys.min())), max(ymax, float(ys.max()))
    dx = margin * (domain[1] - domain[0])
    dy = margin * (domain[3] - domain[2])
    return QtCore.QRectF(xmin - dx, ymin - dy, xmax - xmin + 2 * dx, ymax - ymin + 2 * dy)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
