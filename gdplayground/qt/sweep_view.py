"""The sweep view: final f against the learning rate, one curve per optimizer.

Log-log where every final value is positive (else f on a linear axis), the
rates at which a run diverged marked with crosses along the top, each
optimizer's best rate with a large star.  Fed a :class:`Picture` through
:meth:`SweepView.set_picture` like every view; its ``sweep`` field is what
it draws.
"""

from __future__ import annotations

import numpy as np

from gdplayground.core.explore.layers import SweepCurve, SweepLayer
from gdplayground.core.picture import Picture
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, pg
from gdplayground.qt.explore_legend import LegendRow, PlotLegend

EMPTY_NOTE = "No sweep yet: Explore ▸ Learning-rate sweep"
MARKER_PX = 7
BEST_PX = 18
CROSS_PX = 10


def log_axis_shift(values: np.ndarray) -> tuple[float, float]:
    """(offset, floor): f is drawn as f - offset on a log axis, values at or below
    ``floor`` at the floor.  The offset is the lowest final value when some are
    negative (else 0); the floor is a tenth of the smallest positive distance,
    but no less than round-off (1e-16 of the largest)."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return 0.0, 1e-16
    offset = min(0.0, float(values.min()))
    gaps = values - offset
    largest = max(float(gaps.max()), 1e-300)
    positive = gaps[gaps > 0]
    floor = float(positive.min()) / 10 if len(positive) else largest * 1e-16
    return offset, max(floor, largest * 1e-16, 1e-300)


class DecadeAxis(pg.AxisItem):
    """A log axis labelled at whole decades only (its minor ticks stay unlabelled)."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [decade(round(v)) if abs(v - round(v)) < 1e-9 else "" for v in values]


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade(power: int) -> str:
    """10 to ``power`` as text: "1", "10", "10⁻⁴"."""
    if power in (0, 1):
        return "1" if power == 0 else "10"
    return "10" + str(power).translate(_SUPERSCRIPTS)


def best_text(curve: SweepCurve) -> str:
    """The legend's line of one optimizer: its best rate, or that every rate diverged."""
    if curve.best is None:
        return f"{curve.name}: every rate diverged"
    return f"{curve.name}: best lr {curve.lrs[curve.best]:.3g}, f = {curve.values[curve.best]:.3g}"


class SweepView(pg.GraphicsLayoutWidget):
    """Final f against lr, per optimizer; divergence and best rates marked."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        axes = {"bottom": DecadeAxis("bottom"), "left": DecadeAxis("left")}
        self.plot = self.addPlot(row=0, col=0, axisItems=axes)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(True, True, alpha=0.25)
        self.plot.setLogMode(x=True, y=True)
        self.legend = PlotLegend(None)
        self.addItem(self.legend, row=1, col=0)
        self.note = pg.TextItem(color="#404040", anchor=(0.5, 0.5))
        self.note.setParentItem(self.plot.getViewBox())
        self._items: list[pg.GraphicsObject] = []
        self._layer: SweepLayer | None = None
        self._text_scale = 0.0
        self._line_scale = 1.0
        self._offset = 0.0
        self._show_note(EMPTY_NOTE)
        self.plot.getViewBox().sigResized.connect(self._place_note)

    @property
    def layer(self) -> SweepLayer | None:
        """The sweep drawn now."""
        return self._layer

    @property
    def offset(self) -> float:
        """What is subtracted from f before it is drawn (0 unless some final f is negative)."""
        return self._offset

    @property
    def legend_text(self) -> str:
        """The legend as plain text."""
        return self.legend.text

    def set_picture(self, picture: Picture) -> None:
        """Draw ``picture``'s sweep (nothing new: nothing redrawn)."""
        options = picture.options
        scales = (options.text_scale, options.line_scale)
        if picture.sweep is self._layer and scales == (self._text_scale, self._line_scale):
            return
        self._text_scale, self._line_scale = scales
        self._style_axes()
        self._layer = picture.sweep
        self._draw()

    def set_frame(self, frame: int) -> None:
        """A sweep does not animate: nothing to do."""

    # ------------------------------------------------------------------ drawing
    def _style_axes(self) -> None:
        for name, label in (("bottom", "learning rate"), ("left", "final f")):
            style.style_axis(self.plot.getAxis(name), self._text_scale, label)

    def _clear(self) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        self._items = []

    def _add(self, item: pg.GraphicsObject) -> None:
        self.plot.addItem(item)
        self._items.append(item)

    def _draw(self) -> None:
        self._clear()
        layer = self._layer
        if layer is None:
            self.legend.set_rows([], self._text_scale)
            self._show_note(EMPTY_NOTE)
            return
        curves = layer.curves()
        finite = np.concatenate([c.values[np.isfinite(c.values)] for c in curves] or [[]])
        self._offset, floor = log_axis_shift(finite)
        label = "final f" if self._offset == 0 else f"final f − ({self._offset:.6g})"
        self.plot.setLabel("left", label)
        top = self._top(finite - self._offset, floor)
        line = self._line_scale
        for curve in curves:
            shown = np.maximum(curve.values - self._offset, floor)
            self._add(
                pg.PlotDataItem(
                    curve.lrs,
                    shown,
                    pen=pg.mkPen(curve.colour, width=style.CURVE_PX * line),
                    symbol="o",
                    symbolSize=MARKER_PX * line,
                    symbolBrush=curve.colour,
                    symbolPen=None,
                    connect="finite",
                )
            )
            if curve.diverged.any():
                lrs = curve.lrs[curve.diverged]
                self._add(
                    pg.PlotDataItem(
                        lrs,
                        np.full(len(lrs), top),
                        pen=None,
                        symbol="x",
                        symbolSize=CROSS_PX * line,
                        symbolPen=pg.mkPen(curve.colour, width=1),
                        symbolBrush=curve.colour,
                    )
                )
            if curve.best is not None:
                self._add(
                    pg.PlotDataItem(
                        [curve.lrs[curve.best]],
                        [shown[curve.best]],
                        pen=None,
                        symbol="star",
                        symbolSize=BEST_PX * line,
                        symbolPen=pg.mkPen("#000000", width=1.2),
                        symbolBrush=curve.colour,
                    )
                )
        # the title leads the legend (a plot title would set the view's least width)
        rows = [LegendRow(layer.title, bold=True)]
        rows += [LegendRow(best_text(c), "patch", c.colour) for c in curves]
        if any(c.diverged.any() for c in curves):
            rows.append(LegendRow("× along the top: a run diverged at that rate"))
        rows.append(LegendRow("★ best rate: lowest f, then fewest steps to tol"))
        if len(finite) and float((finite - self._offset).min()) <= floor:
            rows.append(
                LegendRow(f"f within {floor:.0e} of {self._offset:.6g}: drawn at the bottom")
            )
        self.legend.set_rows(rows, self._text_scale)
        self._show_note("" if len(finite) else "every run diverged")
        self.plot.enableAutoRange()

    def _top(self, gaps: np.ndarray, floor: float) -> float:
        """Where the divergence crosses sit: a little above the highest final value."""
        if not len(gaps):
            return 1.0
        high = max(float(gaps.max()), floor)
        low = max(float(gaps.min()), floor)
        return high * max(3.0, (high / low) ** 0.08)

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self._place_note()

    def _place_note(self, *_: object) -> None:
        box = self.plot.getViewBox().boundingRect()
        self.note.setPos(box.width() / 2, box.height() / 2)
