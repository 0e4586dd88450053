"""The contour view's exploring layers: a basin map under the paths, stationary points, a legend.

Fed by the contour view's ``set_picture`` with the picture's ``basins`` and
``stationary`` fields (see :mod:`gdplayground.core.explore.layers`); each is
redrawn only when it is a new value.
"""

from __future__ import annotations

import numpy as np

from gdplayground.core.explore.basins import PENDING_LABEL
from gdplayground.core.explore.critical import StationaryPoint
from gdplayground.core.explore.layers import (
    DIVERGED_COLOUR,
    KIND_COLOURS,
    NOT_CONVERGED_COLOUR,
    BasinLayer,
    stationary_legend,
)
from gdplayground.core.picture import Picture
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, pg
from gdplayground.qt.explore_legend import KIND_SYMBOLS, MARKER_PX, LegendRow, PlotLegend, kind_row

#: Between the colour fill (-20) and the isolines (-10): the map is drawn under the
#: lines of f and the paths, over f's colours.
Z_BASINS = -15
#: Over the known minima's stars (25), under the current points (30).
Z_STATIONARY = 27
#: The map covers the fill this much (the isolines still show the landscape).
BASIN_OPACITY = 0.8


def basin_rgba(layer: BasinLayer) -> np.ndarray:
    """The map as an (N, N, 4) uint8 image, row 0 at the window's lowest y: each start in
    its attractor's colour, diverged and not converged in greys, rows not computed yet clear."""
    colours = [NOT_CONVERGED_COLOUR, DIVERGED_COLOUR, *layer.attractor_colours]
    table = np.zeros((len(colours) + 1, 4), dtype=np.uint8)  # row 0: pending, clear
    for i, colour in enumerate(colours, start=1):
        c = QtGui.QColor(colour)
        table[i] = (c.red(), c.green(), c.blue(), 255)
    # labels: -3 pending, -2 not converged, -1 diverged, 0.. attractors
    return table[np.asarray(layer.basins.labels, dtype=np.intp) - PENDING_LABEL]


def point_tip(point: StationaryPoint) -> str:
    """The hover text of a stationary point's marker."""
    low, high = point.eigenvalues
    return (
        f"{point.kind} at x = {point.x:.6g}, y = {point.y:.6g}\n"
        f"f = {point.value:.6g}\nHessian eigenvalues {low:.4g}, {high:.4g}"
    )


class ContourExploreLayers:
    """The basin map image, the stationary points' markers and their legend on a plot."""

    def __init__(self, plot: pg.PlotItem, column: QtWidgets.QGraphicsWidget | None = None) -> None:
        self.basin_item = pg.ImageItem(axisOrder="row-major")
        self.basin_item.setZValue(Z_BASINS)
        self.basin_item.setOpacity(BASIN_OPACITY)
        self.basin_item.setVisible(False)
        plot.addItem(self.basin_item, ignoreBounds=True)
        self.stationary_item = pg.ScatterPlotItem(
            hoverable=True, tip=lambda x, y, data: data, size=MARKER_PX
        )
        self.stationary_item.setZValue(Z_STATIONARY)
        self.stationary_item.setVisible(False)
        plot.addItem(self.stationary_item, ignoreBounds=True)
        self.legend = PlotLegend(plot.getViewBox(), "bottom-left", column)
        self.legend.setZValue(40)
        self._basins: BasinLayer | None = None
        self._stationary: tuple[StationaryPoint, ...] | None = None
        self._line_scale = 1.0

    @property
    def basins(self) -> BasinLayer | None:
        """The basin map drawn now."""
        return self._basins

    @property
    def stationary(self) -> tuple[StationaryPoint, ...] | None:
        """The stationary points marked now (None: not shown)."""
        return self._stationary

    def set_picture(self, picture: Picture) -> None:
        """Draw ``picture``'s basin map and stationary points (what is new only)."""
        options = picture.options
        if picture.basins is not self._basins:
            self._set_basins(picture.basins)
        if picture.stationary is not self._stationary or options.line_scale != self._line_scale:
            self._line_scale = options.line_scale
            self._set_stationary(picture.stationary)
        self.legend.set_rows(self._legend_rows(), options.text_scale)

    def _set_basins(self, layer: BasinLayer | None) -> None:
        self._basins = layer
        if layer is None:
            self.basin_item.clear()
            self.basin_item.setVisible(False)
            return
        self.basin_item.setImage(basin_rgba(layer), autoLevels=False, levels=(0, 255))
        xmin, xmax, ymin, ymax = layer.basins.request.window  # the starts' cells cover it
        self.basin_item.setRect(QtCore.QRectF(xmin, ymin, xmax - xmin, ymax - ymin))
        self.basin_item.setVisible(True)

    def _set_stationary(self, points: tuple[StationaryPoint, ...] | None) -> None:
        self._stationary = points
        if not points:
            self.stationary_item.setData([])
            self.stationary_item.setVisible(False)
            return
        size = MARKER_PX * self._line_scale
        self.stationary_item.setData(
            x=[p.x for p in points],
            y=[p.y for p in points],
            symbol=[KIND_SYMBOLS[p.kind] for p in points],
            brush=[pg.mkBrush(KIND_COLOURS[p.kind]) for p in points],
            pen=pg.mkPen("#000000", width=1.0),
            size=size,
            data=[point_tip(p) for p in points],
        )
        self.stationary_item.setVisible(True)

    def _legend_rows(self) -> list[LegendRow]:
        rows: list[LegendRow] = []
        if self._basins is not None:
            rows += [LegendRow(line, bold=i == 0) for i, line in enumerate(self._basins.title)]
            rows += [
                LegendRow(text, "patch" if colour else "", colour)
                for colour, text in self._basins.legend()
            ]
        if self._stationary is not None:
            rows.append(LegendRow("Stationary points", bold=True))
            rows += [kind_row(kind, text) for kind, text in stationary_legend(self._stationary)]
        return rows
