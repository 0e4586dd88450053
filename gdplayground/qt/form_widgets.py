"""Small form widgets shared by the input panels: validated fields and elided labels.

:class:`NumberField` is a line edit for one number that refuses bad values with
a message instead of silently clamping them, accepts scientific notation, and
steps log-scale values by quarter decades (1, 1.78, 3.16, 5.62, 10) with the
arrow keys.  :class:`ValidatedLineEdit` draws a red frame on top of the native
one when its text is invalid, so the field keeps its size and look.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from gdplayground.qt._qt import QtCore, QtGui, QtWidgets

#: Quarter-decade steps per decade for log-scale fields.
LOG_STEPS_PER_DECADE = 4


def is_dark(widget: QtWidgets.QWidget) -> bool:
    """Whether ``widget`` is drawn on a dark background."""
    return widget.palette().color(QtGui.QPalette.ColorRole.Window).lightness() < 128


def error_colour(widget: QtWidgets.QWidget) -> QtGui.QColor:
    """A red readable on the widget's background (lighter on dark themes)."""
    return QtGui.QColor("#FF7070" if is_dark(widget) else "#C62828")


def blend(a: QtGui.QColor, b: QtGui.QColor, t: float) -> QtGui.QColor:
    """The colour ``t`` of the way from ``a`` to ``b``."""
    return QtGui.QColor.fromRgbF(
        *(x + (y - x) * t for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True))
    )


def muted_colour(widget: QtWidgets.QWidget) -> QtGui.QColor:
    """The colour for secondary text such as statuses and hints (still easy to read)."""
    palette = widget.palette()
    return blend(
        palette.color(QtGui.QPalette.ColorRole.WindowText),
        palette.color(QtGui.QPalette.ColorRole.Window),
        0.4,
    )


def set_text_colour(label: QtWidgets.QLabel, colour: QtGui.QColor) -> None:
    """Draw ``label``'s text in ``colour``, keeping the rest of its palette."""
    palette = label.palette()
    palette.setColor(QtGui.QPalette.ColorRole.WindowText, colour)
    palette.setColor(QtGui.QPalette.ColorRole.Text, colour)
    label.setPalette(palette)


def format_number(value: float) -> str:
    """The shortest text that reads back as ``value``: ``0.001``, ``1e-8``, ``1000``."""
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa.removesuffix('.0')}e{int(exponent)}"
    return text.removesuffix(".0")


def parse_number(text: str) -> float:
    """Read a number a person typed: ``1e-3``, ``0,5``, ``−2`` (Unicode minus).

    Raises ValueError with a message saying what to write instead.
    """
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        shown = text.strip() or "nothing"
        raise ValueError(f"{shown!r} is not a number: write e.g. 0.01 or 1e-3") from None
    if not math.isfinite(value):
        raise ValueError("write a finite number")
    return value


def _round_significant(value: float, digits: int = 12) -> float:
    return float(f"{value:.{digits}g}")


def step_value(value: float, steps: int, *, log_scale: bool, step: float) -> float:
    """``value`` moved by ``steps`` arrow presses (negative = down).

    Log-scale values move along the quarter-decade grid, linear ones along
    multiples of ``step``; both snap onto their grid first, so values stay tidy.
    """
    if steps == 0:
        return value
    if log_scale:
        if value <= 0.0:
            if steps < 0:
                return value
            value, steps = 1e-12, steps - 1
            if steps == 0:
                return value
        position = LOG_STEPS_PER_DECADE * math.log10(value)
        nearest = round(position)
        # grid values are shown to 3 significant digits (0.178 for 10^-0.75): snap loosely
        snapped = nearest if abs(position - nearest) < 0.01 else None
        if steps > 0:
            k = (snapped if snapped is not None else math.floor(position)) + steps
        else:
            k = (snapped if snapped is not None else math.ceil(position)) + steps
        return _round_significant(10.0 ** (k / LOG_STEPS_PER_DECADE), 3)
    position = value / step
    nearest = round(position)
    snapped = nearest if abs(position - nearest) < 1e-6 else None
    if steps > 0:
        k = (snapped if snapped is not None else math.floor(position)) + steps
    else:
        k = (snapped if snapped is not None else math.ceil(position)) + steps
    return _round_significant(k * step)


class ValidatedLineEdit(QtWidgets.QLineEdit):
    """A line edit that draws a red frame while its text is invalid."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._invalid = False

    def is_invalid(self) -> bool:
        """Whether the red "invalid" frame is showing."""
        return self._invalid

    def set_invalid(self, invalid: bool) -> None:
        """Show or hide the red frame (also exposed as the ``invalid`` property)."""
        if invalid != self._invalid:
            self._invalid = invalid
            self.setProperty("invalid", invalid)
            self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._invalid:
            return
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        pen = QtGui.QPen(error_colour(self), 1.5)
        painter.setPen(pen)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QtCore.QRectF(self.rect()).adjusted(0.75, 0.75, -0.75, -0.75), 3, 3)
        painter.end()


class NumberField(ValidatedLineEdit):
    """A line edit for one number, checked on Enter / focus-out / arrow keys.

    ``check`` returns the accepted float or raises ValueError with the message
    to show.  A refused value leaves the last accepted one in force; Escape
    restores its text.  Up/Down step (PageUp/PageDown: ten steps).  With
    ``allow_empty`` an empty field means None, shown as ``empty_text``.
    """

    value_committed = QtCore.Signal(object)  # float, or None (empty) when allowed
    error_changed = QtCore.Signal(str)  # "" once the text is acceptable again

    def __init__(
        self,
        value: float | None = 0.0,
        *,
        check: Callable[[float], float] | None = None,
        log_scale: bool = False,
        step: float = 0.1,
        allow_empty: bool = False,
        empty_text: str = "auto",
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check = check
        self._log_scale = log_scale
        self._step = step
        self._allow_empty = allow_empty
        self._value: float | None = value
        self._error = ""
        self._help = ""
        if allow_empty:
            self.setPlaceholderText(empty_text)
        self.setText(self._text_for(value))
        self.editingFinished.connect(self.commit)
        self.textEdited.connect(self._recheck_while_typing)

    # ------------------------------------------------------------------ public

    def sizeHint(self) -> QtCore.QSize:
        """Room for about ten characters: numbers are short, and panels are narrow."""
        hint = super().sizeHint()
        return QtCore.QSize(self.fontMetrics().horizontalAdvance("0") * 10 + 12, hint.height())

    def value(self) -> float | None:
        """The last accepted value (None only when empty is allowed)."""
        return self._value

    def set_value(self, value: float | None) -> None:
        """Show ``value`` as accepted, without emitting anything."""
        self._value = value
        self.setText(self._text_for(value))
        self._set_error("", emit=False)

    def set_check(self, check: Callable[[float], float] | None) -> None:
        """Replace the function that accepts or refuses values."""
        self._check = check

    def set_help(self, text: str) -> None:
        """The tooltip shown while there is no error (what the number means, its range)."""
        self._help = text
        self.setToolTip(self._error or text)

    def error(self) -> str:
        """The message for the refused text, or "" when there is none."""
        return self._error

    def commit(self) -> bool:
        """Check the text; accept it (emitting if the value changed) or show why not."""
        try:
            value = self._read(self.text())
        except ValueError as exc:
            self._set_error(str(exc))
            return False
        self._set_error("")
        self.setText(self._text_for(value))
        if value != self._value:
            self._value = value
            self.value_committed.emit(value)
        return True

    def step_by(self, steps: int) -> None:
        """Move the value by ``steps`` grid steps; a step out of range does nothing."""
        try:
            current = self._read(self.text())
        except ValueError:
            current = self._value
        if current is None:
            current = 0.0
        try:
            value = self._read(
                format_number(
                    step_value(current, steps, log_scale=self._log_scale, step=self._step)
                )
            )
        except ValueError:
            return
        self.setText(self._text_for(value))
        self.commit()

    # --------------------------------------------------------------- internals

    def _text_for(self, value: float | None) -> str:
        return "" if value is None else format_number(value)

    def _read(self, text: str) -> float | None:
        if self._allow_empty and not text.strip():
            return None
        value = parse_number(text)
        return self._check(value) if self._check is not None else value

    def _set_error(self, message: str, emit: bool = True) -> None:
        self.set_invalid(bool(message))
        if message != self._error:
            self._error = message
            self.setToolTip(message or self._help)
            if emit:
                self.error_changed.emit(message)

    def _recheck_while_typing(self, text: str) -> None:
        if not self._error:
            return
        try:
            self._read(text)
        except ValueError:
            return
        self._set_error("")

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        key = event.key()
        steps = {
            QtCore.Qt.Key.Key_Up: 1,
            QtCore.Qt.Key.Key_Down: -1,
            QtCore.Qt.Key.Key_PageUp: 10,
            QtCore.Qt.Key.Key_PageDown: -10,
        }.get(key)
        if steps is not None:
            self.step_by(steps)
            event.accept()
            return
        if key == QtCore.Qt.Key.Key_Escape and (self._error or self.isModified()):
            self.set_value(self._value)
            self.error_changed.emit("")
            event.accept()
            return
        super().keyPressEvent(event)


class ElidedLabel(QtWidgets.QLabel):
    """A one-line label that ends in "…" when too narrow; the full text is its tooltip."""

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.set_full_text(text)

    def full_text(self) -> str:
        """The whole text, however much of it fits."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Show ``text``, elided to the label's width."""
        self._full = text
        self._elide()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(0, super().minimumSizeHint().height())

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        width = max(0, self.contentsRect().width())
        shown = metrics.elidedText(self._full, QtCore.Qt.TextElideMode.ElideRight, width)
        self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")
