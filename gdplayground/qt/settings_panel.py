"""Window, colour scale, gradient mode, start point and run length.

Every field refuses values that make no sense (an empty window, a negative
step) with a message under its group and keeps the last accepted value; only
accepted changes are announced.  ``set_session`` and the other ``set_*``
methods fill the fields without announcing anything.
"""

from __future__ import annotations

from collections.abc import Callable

from gdplayground.model.limits import COLOR_SCALES, MAX_STEPS
from gdplayground.model.rules import (
    coordinate_problem,
    domain_problem,
    h_problem,
    start_problem,
    tol_problem,
)
from gdplayground.model.session import Session
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.form_widgets import (
    NumberField,
    error_colour,
    muted_colour,
    set_text_colour,
)

Domain = tuple[float, float, float, float]

COLOR_SCALE_LABELS = {"auto": "Automatic", "linear": "Linear", "log": "Logarithmic"}
GRADIENT_LABELS = {"symbolic": "Symbolic (exact)", "numeric": "Numeric (finite differences)"}


def _rule(problem: Callable[[float], str | None]) -> Callable[[float], float]:
    """A field check from one of the session rules (:mod:`gdplayground.model.rules`)."""

    def check(value: float) -> float:
        message = problem(value)
        if message:
            raise ValueError(message)
        return value

    return check


def _message_label(parent: QtWidgets.QWidget) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(parent)
    label.setWordWrap(True)
    label.hide()
    set_text_colour(label, error_colour(parent))
    return label


class SettingsPanel(QtWidgets.QWidget):
    """The window and run settings of a session.

    Signals: ``domain_changed(tuple)`` (xmin, xmax, ymin, ymax);
    ``reset_domain_requested()``; ``color_scale_changed(str)``;
    ``gradient_changed(str mode, object h)`` (h: float or None = automatic);
    ``start_changed(float, float)``; ``steps_changed(int)``; ``tol_changed(float)``.
    """

    domain_changed = QtCore.Signal(tuple)
    reset_domain_requested = QtCore.Signal()
    color_scale_changed = QtCore.Signal(str)
    gradient_changed = QtCore.Signal(str, object)
    start_changed = QtCore.Signal(float, float)
    steps_changed = QtCore.Signal(int)
    tol_changed = QtCore.Signal(float)

    def __init__(
        self, session: Session | None = None, parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self._build_window_group())
        layout.addWidget(self._build_gradient_group())
        layout.addWidget(self._build_run_group())
        layout.addStretch(1)
        self.set_session(session if session is not None else _fallback_session())

    # ------------------------------------------------------------------ building

    def _build_window_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox("Window", self)
        self._xmin = NumberField(-1.0, check=self._check_xmin, parent=group)
        self._xmax = NumberField(1.0, check=self._check_xmax, parent=group)
        self._ymin = NumberField(-1.0, check=self._check_ymin, parent=group)
        self._ymax = NumberField(1.0, check=self._check_ymax, parent=group)
        self._domain_message = _message_label(group)
        grid = QtWidgets.QGridLayout(group)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(self._domain_message, 2, 0, 1, 4)
        self._axis_labels: list[QtWidgets.QLabel] = []
        for row, (axis, low, high) in enumerate(
            (("x", self._xmin, self._xmax), ("y", self._ymin, self._ymax))
        ):
            low.set_help(f"smallest {axis} shown")
            high.set_help(f"largest {axis} shown")
            from_label = QtWidgets.QLabel(f"{axis} from", group)
            self._axis_labels.append(from_label)
            grid.addWidget(from_label, row, 0)
            grid.addWidget(low, row, 1)
            grid.addWidget(QtWidgets.QLabel("to", group), row, 2)
            grid.addWidget(high, row, 3)
            for field in (low, high):
                field.value_committed.connect(self._domain_edited)
                field.error_changed.connect(self._domain_message_changed)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self._scale = QtWidgets.QComboBox(group)
        for key in COLOR_SCALES:
            self._scale.addItem(COLOR_SCALE_LABELS.get(key, key), key)
        self._scale.setToolTip(
            "How values of f map to colours and contour levels.\n"
            "Automatic picks logarithmic when f spans many orders of magnitude."
        )
        self._scale.currentIndexChanged.connect(
            lambda i: self.color_scale_changed.emit(self._scale.itemData(i))
        )
        scale_label = QtWidgets.QLabel("Colours", group)
        scale_label.setBuddy(self._scale)
        grid.addWidget(scale_label, 3, 0)
        grid.addWidget(self._scale, 3, 1, 1, 3)
        self._reset_domain = QtWidgets.QPushButton("Reset to preset window", group)
        self._reset_domain.setToolTip("Show the window the preset function was designed for")
        self._reset_domain.clicked.connect(self.reset_domain_requested)
        grid.addWidget(self._reset_domain, 4, 0, 1, 4, QtCore.Qt.AlignmentFlag.AlignRight)
        return group

    def _build_gradient_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox("Gradient", self)
        self._mode = QtWidgets.QComboBox(group)
        for key, label in GRADIENT_LABELS.items():
            self._mode.addItem(label, key)
        self._mode.setToolTip(
            "Symbolic: the exact derivative of the formula.\n"
            "Numeric: central finite differences with step h (what a program "
            "without symbolic maths would do)."
        )
        self._mode.currentIndexChanged.connect(self._mode_edited)
        self._h = NumberField(
            None, check=_rule(h_problem), log_scale=True, allow_empty=True, parent=group
        )
        self._h.set_help(
            "Finite-difference step. Empty = automatic: cbrt(machine eps) × max(1, |x|)."
        )
        self._h.value_committed.connect(lambda _h: self._emit_gradient())
        self._gradient_message = _message_label(group)
        self._h.error_changed.connect(lambda text: self._show(self._gradient_message, text))
        self._gradient_error = QtWidgets.QLabel(group)
        self._gradient_error.setWordWrap(True)
        self._gradient_error.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        set_text_colour(self._gradient_error, muted_colour(group))
        self._gradient_error.hide()

        form = QtWidgets.QFormLayout(group)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        form.addRow("Mode", self._mode)
        self._h_label = QtWidgets.QLabel("Step h", group)
        form.addRow(self._h_label, self._h)
        form.addRow(self._gradient_message)
        form.addRow(self._gradient_error)
        return group

    def _build_run_group(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox("Run", self)
        self._start_x = NumberField(0.0, check=self._check_start_x, parent=group)
        self._start_y = NumberField(0.0, check=self._check_start_y, parent=group)
        self._start_x.set_help("x of the start point (or click in the contour view)")
        self._start_y.set_help("y of the start point (or click in the contour view)")
        self._run_message = _message_label(group)
        for field in (self._start_x, self._start_y):
            field.value_committed.connect(self._start_edited)
            field.error_changed.connect(lambda text: self._show(self._run_message, text))
        self._steps = QtWidgets.QSpinBox(group)
        self._steps.setRange(0, MAX_STEPS)
        self._steps.setKeyboardTracking(False)
        self._steps.setAccelerated(True)
        self._steps.setToolTip(f"Most steps each optimizer takes (0 to {MAX_STEPS})")
        self._steps.valueChanged.connect(self.steps_changed)
        self._tol = NumberField(1e-10, check=_rule(tol_problem), log_scale=True, parent=group)
        self._tol.set_help("Stop when |∇f| falls below tol (0 = never stop early)")
        self._tol.value_committed.connect(lambda v: self.tol_changed.emit(float(v)))
        self._tol.error_changed.connect(lambda text: self._show(self._run_message, text))

        grid = QtWidgets.QGridLayout(group)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self._start_labels = (QtWidgets.QLabel("Start x", group), QtWidgets.QLabel("y", group))
        grid.addWidget(self._start_labels[0], 0, 0)
        grid.addWidget(self._start_x, 0, 1)
        grid.addWidget(self._start_labels[1], 0, 2)
        grid.addWidget(self._start_y, 0, 3)
        grid.addWidget(QtWidgets.QLabel("Steps", group), 1, 0)
        grid.addWidget(self._steps, 1, 1)
        grid.addWidget(QtWidgets.QLabel("tol", group), 1, 2)
        grid.addWidget(self._tol, 1, 3)
        grid.addWidget(self._run_message, 2, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return group

    # ------------------------------------------------------------------ reading

    def domain(self) -> Domain:
        """The accepted window (xmin, xmax, ymin, ymax)."""
        return tuple(f.value() for f in (self._xmin, self._xmax, self._ymin, self._ymax))  # type: ignore[return-value]

    def start(self) -> tuple[float, float]:
        """The accepted start point."""
        return (self._start_x.value(), self._start_y.value())  # type: ignore[return-value]

    def color_scale(self) -> str:
        """The colour scale: auto, linear or log."""
        return self._scale.currentData()

    def gradient(self) -> tuple[str, float | None]:
        """The gradient mode and its step h (None = automatic)."""
        return self._mode.currentData(), self._h.value()

    def steps(self) -> int:
        """The most steps each optimizer takes."""
        return self._steps.value()

    def tol(self) -> float:
        """The gradient-norm tolerance for convergence."""
        return self._tol.value()  # type: ignore[return-value]

    def messages(self) -> list[str]:
        """Every refusal message on show (empty when all fields are fine)."""
        labels = (self._domain_message, self._gradient_message, self._run_message)
        return [label.text() for label in labels if not label.isHidden()]

    def field(self, name: str) -> QtWidgets.QWidget:
        """A field by name: xmin, xmax, ymin, ymax, h, start_x, start_y, steps, tol, ..."""
        return {
            "xmin": self._xmin,
            "xmax": self._xmax,
            "ymin": self._ymin,
            "ymax": self._ymax,
            "color_scale": self._scale,
            "gradient": self._mode,
            "h": self._h,
            "start_x": self._start_x,
            "start_y": self._start_y,
            "steps": self._steps,
            "tol": self._tol,
            "reset_domain": self._reset_domain,
        }[name]

    # ------------------------------------------------------------------ from outside

    def set_session(self, session: Session) -> None:
        """Fill every field from ``session`` without emitting anything."""
        self._name_axes(("w", "b") if getattr(session, "fit", None) is not None else ("x", "y"))
        self.set_domain(session.domain)
        self.set_preset_active(session.preset is not None)
        self.set_start(*session.start)
        with QtCore.QSignalBlocker(self._scale):
            self._scale.setCurrentIndex(max(0, self._scale.findData(session.color_scale)))
        with QtCore.QSignalBlocker(self._mode):
            self._mode.setCurrentIndex(max(0, self._mode.findData(session.gradient)))
        self._h.set_value(session.h)
        self._update_h_enabled()
        with QtCore.QSignalBlocker(self._steps):
            self._steps.setValue(session.steps)
        self._tol.set_value(session.tol)
        for label in (self._domain_message, self._gradient_message, self._run_message):
            self._show(label, "")

    def _name_axes(self, names: tuple[str, str]) -> None:
        """The window's and the start's fields named for the axes: x and y, or a fit's w and b."""
        for label, name in zip(self._axis_labels, names, strict=True):
            label.setText(f"{name} from")
        self._start_labels[0].setText(f"Start {names[0]}")
        self._start_labels[1].setText(names[1])
        for field, name, side in (
            (self._xmin, names[0], "smallest"),
            (self._xmax, names[0], "largest"),
            (self._ymin, names[1], "smallest"),
            (self._ymax, names[1], "largest"),
        ):
            field.set_help(f"{side} {name} shown")

    def set_domain(self, domain: Domain) -> None:
        """Show ``domain`` (e.g. after a preset reset or zoom) without emitting."""
        fields = (self._xmin, self._xmax, self._ymin, self._ymax)
        for field, value in zip(fields, domain, strict=True):
            field.set_value(float(value))
        self._show(self._domain_message, "")

    def set_start(self, x: float, y: float) -> None:
        """Show the start point (e.g. after a click in a view) without emitting."""
        self._start_x.set_value(float(x))
        self._start_y.set_value(float(y))

    def set_preset_active(self, active: bool) -> None:
        """Enable "Reset to preset window" only while a preset function is shown."""
        self._reset_domain.setEnabled(active)

    def set_gradient_error(self, text: str) -> None:
        """Show how far the numeric gradient is from the exact one ("" hides it)."""
        self._show(self._gradient_error, text)

    # ------------------------------------------------------------------ checks

    def _check_domain_edge(self, index: int, value: float) -> float:
        """One edge of the window, checked with the others by the session's rule."""
        domain = list(self.domain())
        domain[index] = value
        message = coordinate_problem(value)
        if message is None and all(v is not None for v in domain):
            message = domain_problem(domain)  # type: ignore[arg-type]
        if message:
            raise ValueError(message)
        return value

    def _check_xmin(self, v: float) -> float:
        return self._check_domain_edge(0, v)

    def _check_xmax(self, v: float) -> float:
        return self._check_domain_edge(1, v)

    def _check_ymin(self, v: float) -> float:
        return self._check_domain_edge(2, v)

    def _check_ymax(self, v: float) -> float:
        return self._check_domain_edge(3, v)

    def _check_start_x(self, v: float) -> float:
        return _rule(lambda x: start_problem((x, 0.0)))(v)

    def _check_start_y(self, v: float) -> float:
        return _rule(lambda y: start_problem((0.0, y)))(v)

    # ------------------------------------------------------------------ reacting

    def _domain_edited(self, _value: object) -> None:
        self.domain_changed.emit(self.domain())

    def _domain_message_changed(self, _text: str) -> None:
        fields = (self._xmin, self._xmax, self._ymin, self._ymax)
        errors = [f.error() for f in fields if f.error()]
        self._show(self._domain_message, errors[0] if errors else "")

    def _start_edited(self, _value: object) -> None:
        self.start_changed.emit(*self.start())

    def _mode_edited(self, _index: int) -> None:
        self._update_h_enabled()
        self._emit_gradient()

    def _emit_gradient(self) -> None:
        mode, h = self.gradient()
        self.gradient_changed.emit(mode, h)

    def _update_h_enabled(self) -> None:
        numeric = self._mode.currentData() == "numeric"
        self._h.setEnabled(numeric)
        self._h_label.setEnabled(numeric)
        self._gradient_error.setVisible(numeric and bool(self._gradient_error.text()))

    def _show(self, label: QtWidgets.QLabel, text: str) -> None:
        label.setText(text)
        visible = bool(text)
        if label is self._gradient_error:
            visible = visible and self._mode.currentData() == "numeric"
        label.setVisible(visible)


def _fallback_session() -> Session:
    from gdplayground.model.session import default_session

    return default_session()
