"""The Explore docks: the table of stationary points, and the learning-rate sweep.

Both are views in the window's sense: they take a :class:`Picture` through
``set_picture`` (its ``stationary`` and ``sweep`` fields) and a frame
through ``set_frame`` (which they ignore: nothing here animates).
"""

from __future__ import annotations

import math

from gdplayground.core.explore.critical import StationaryPoint
from gdplayground.core.explore.layers import KIND_COLOURS, stationary_legend
from gdplayground.core.picture import Picture
from gdplayground.model.limits import (
    DEFAULT_SWEEP_HIGH,
    DEFAULT_SWEEP_LOW,
    DEFAULT_SWEEP_POINTS,
    MAX_SWEEP_POINTS,
    MIN_SWEEP_POINTS,
)
from gdplayground.model.rules import lr_range_problem
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.sweep_view import SweepView

#: The width the docks ask for (the window may give them more or less).
DOCK_WIDTH = 320
TABLE_COLUMNS = ("kind", "x", "y", "f", "λ₁", "λ₂")
TABLE_HINT = "Explore ▸ Find stationary points (P) lists them here."


class StationaryTable(QtWidgets.QWidget):
    """Every stationary point found: kind, x, y, f and the Hessian's eigenvalues."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QtWidgets.QLabel(TABLE_HINT)
        self.summary.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._points: tuple[StationaryPoint, ...] | None = None

    def set_picture(self, picture: Picture) -> None:
        """List ``picture``'s stationary points (None: not found yet, or hidden)."""
        if picture.stationary is self._points:
            return
        self._points = points = picture.stationary
        self.table.setRowCount(0 if points is None else len(points))
        if points is None:
            self.summary.setText(TABLE_HINT)
            return
        self.summary.setText(", ".join(text for _, text in stationary_legend(points)))
        for row, point in enumerate(points):
            kind = QtWidgets.QTableWidgetItem(point.kind)
            kind.setForeground(QtGui.QBrush(QtGui.QColor(KIND_COLOURS[point.kind])))
            cells = [kind] + [
                _number(v) for v in (point.x, point.y, point.value, *point.eigenvalues)
            ]
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()

    def set_frame(self, frame: int) -> None:
        """Nothing animates here."""

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        return QtCore.QSize(DOCK_WIDTH, 400)

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (for checks)."""
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]


def _number(value: float) -> QtWidgets.QTableWidgetItem:
    item = QtWidgets.QTableWidgetItem(f"{value:.6g}" if math.isfinite(value) else "undefined")
    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
    return item


class SweepPanel(QtWidgets.QWidget):
    """The range and number of rates, Sweep and Race at best rates, over the sweep view.

    ``sweep_requested(low, high, points)`` once the fields hold a valid range;
    ``race_requested()`` for Race at best rates.
    """

    sweep_requested = QtCore.Signal(float, float, int)
    race_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = SweepView()
        self.low = QtWidgets.QLineEdit(f"{DEFAULT_SWEEP_LOW:g}")
        self.high = QtWidgets.QLineEdit(f"{DEFAULT_SWEEP_HIGH:g}")
        for field in (self.low, self.high):
            field.setMaximumWidth(70)
            field.returnPressed.connect(self.request_sweep)
        self.points = QtWidgets.QSpinBox()
        self.points.setRange(MIN_SWEEP_POINTS, MAX_SWEEP_POINTS)
        self.points.setValue(DEFAULT_SWEEP_POINTS)
        self.points.setToolTip("how many learning rates, spaced logarithmically")
        self.sweep_button = QtWidgets.QPushButton("Sweep")
        self.sweep_button.setToolTip("Run every enabled optimizer at each rate from the start")
        self.sweep_button.clicked.connect(self.request_sweep)
        self.race_button = QtWidgets.QPushButton("Race at best rates")
        self.race_button.setToolTip("Set every swept optimizer's lr to its best rate")
        self.race_button.clicked.connect(self.race_requested)
        self.message = QtWidgets.QLabel("")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        fields = QtWidgets.QHBoxLayout()
        for widget in (QtWidgets.QLabel("lr from"), self.low, QtWidgets.QLabel("to"), self.high):
            fields.addWidget(widget)
        fields.addWidget(QtWidgets.QLabel("rates"))
        fields.addWidget(self.points)
        fields.addStretch(1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.sweep_button)
        buttons.addWidget(self.race_button)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(fields)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        return QtCore.QSize(DOCK_WIDTH, 500)

    def rates(self) -> tuple[float, float, int] | None:
        """(low, high, points) as the fields hold them; None (and a message) if not a range."""
        try:
            low, high = float(self.low.text()), float(self.high.text())
        except ValueError:
            self.show_message("write the learning rates as numbers, e.g. 1e-4 and 1")
            return None
        problem = lr_range_problem(low, high)
        if problem:
            self.show_message(problem)
            return None
        self.show_message("")
        return low, high, int(self.points.value())

    def request_sweep(self) -> None:
        """Ask for a sweep over the range in the fields."""
        rates = self.rates()
        if rates is not None:
            self.sweep_requested.emit(*rates)

    def show_message(self, text: str) -> None:
        """Say why a sweep cannot run ("" hides the message)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
