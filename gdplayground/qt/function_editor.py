"""The field where the user types f(x, y), checked as they type.

A valid function is announced with ``function_changed``; the window shows its
gradient underneath (:meth:`FunctionEditor.show_gradient`) once the scene,
which differentiates off the UI thread, has it.  An invalid one gets a red
frame, a red marker under the column the parser complains about and the
parser's message, and is *not* announced, so the views keep showing the last
valid function.
"""

from __future__ import annotations

from gdplayground.core.expression import ExpressionError, parse_expression
from gdplayground.model.presets import load_presets
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.form_widgets import (
    ValidatedLineEdit,
    error_colour,
    muted_colour,
    set_text_colour,
)

PLACEHOLDER = "e.g. (1 - x)^2 + 100(y - x^2)^2"
DEBOUNCE_MS = 150
#: The gradient under the function is shown whole up to this many characters
#: (a few lines), then cut, with all of it in the tooltip.
GRADIENT_CHARS = 360
#: Show "computing…" if the gradient takes longer than this (big expressions).
GRADIENT_PATIENCE_MS = 250


class _GradientLabel(QtWidgets.QLabel):
    """The gradient under the function, wrapped onto as many lines as it needs (up to
    :data:`GRADIENT_LINES`; a longer one is cut there, all of it in the tooltip)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._full = ""

    def set_full_text(self, text: str) -> None:
        self._full = text
        shown = text
        if len(text) > GRADIENT_CHARS:
            shown = text[:GRADIENT_CHARS].rsplit(" ", 1)[0] + " …"
        self.setText(shown)
        self.setToolTip(text if shown != text else "")

    def full_text(self) -> str:
        return self._full


class _ColumnMarker(QtWidgets.QWidget):
    """A thin strip under the field with a red triangle pointing at one column."""

    def __init__(self, edit: QtWidgets.QLineEdit, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = edit
        self._column: int | None = None
        self.setFixedHeight(7)
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed
        )

    def column(self) -> int | None:
        """The 1-based column marked, or None."""
        return self._column

    def set_column(self, column: int | None) -> None:
        self._column = column
        self.update()

    def marker_x(self) -> float | None:
        """Where the marker points, in this strip's coordinates (None if scrolled away)."""
        if self._column is None:
            return None
        edit = self._edit
        text = edit.text()
        index = min(max(self._column - 1, 0), len(text))
        metrics = QtGui.QFontMetricsF(edit.font())
        cursor = edit.cursorPosition()
        # The cursor's rectangle anchors the field's horizontal scrolling.
        anchor = edit.cursorRect().center().x() - metrics.horizontalAdvance(text[:cursor])
        char = text[index] if index < len(text) else " "
        x = anchor + metrics.horizontalAdvance(text[:index]) + metrics.horizontalAdvance(char) / 2
        # The strip and the field are siblings: shift from the field's coordinates.
        offset = edit.x() - self.x()
        if not 0 <= x <= edit.width():
            return None
        x += offset
        return x

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        x = self.marker_x()
        if x is None:
            return
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(error_colour(self))
        h = self.height()
        painter.drawPolygon(
            QtGui.QPolygonF(
                [
                    QtCore.QPointF(x, 0),
                    QtCore.QPointF(x - h * 0.8, h),
                    QtCore.QPointF(x + h * 0.8, h),
                ]
            )
        )
        painter.end()


class FunctionEditor(QtWidgets.QWidget):
    """Edits the function text; announces only valid functions.

    Signals: ``function_changed(str)`` with the text of a new valid function
    (after the user paused typing or pressed Enter); ``preset_chosen(str)``
    with a preset key chosen from the Presets menu (the text is set too, but
    ``function_changed`` is not emitted: the preset also brings its window).
    """

    function_changed = QtCore.Signal(str)
    preset_chosen = QtCore.Signal(str)

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._last_valid = ""
        self._checked_text: str | None = None
        self._error: ExpressionError | None = None
        self._gradient = ""

        self._edit = ValidatedLineEdit(self)
        self._edit.setPlaceholderText(PLACEHOLDER)
        # the normal font, not a fixed-width one: there a single space between terms
        # looked double ("x^2  -  y^2"); the column marker measures the text as drawn
        self._edit.setClearButtonEnabled(True)
        self._edit.setToolTip(
            "Type f(x, y): + - * / ^, sin, exp, log, sqrt, abs, pi, e ...\n"
            "Escape restores the last valid function."
        )
        self._edit.installEventFilter(self)

        self._presets_button = QtWidgets.QPushButton("Presets", self)
        self._presets_button.setToolTip("Load a standard test function and its window")
        self._presets_button.setMenu(self._build_presets_menu())

        self._marker = _ColumnMarker(self._edit, self)
        self._info = _GradientLabel(self)
        set_text_colour(self._info, muted_colour(self))
        self._error_label = QtWidgets.QLabel(self)
        self._error_label.setWordWrap(True)
        self._error_label.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        set_text_colour(self._error_label, error_colour(self))
        self._error_label.hide()

        label = QtWidgets.QLabel("Function f(x, y)", self)
        label.setBuddy(self._edit)
        header = QtWidgets.QHBoxLayout()
        header.addWidget(label)
        header.addStretch(1)
        header.addWidget(self._presets_button)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addSpacing(3)
        layout.addWidget(self._edit)
        layout.addWidget(self._marker)
        layout.addWidget(self._info)
        layout.addWidget(self._error_label)

        self._patience = QtCore.QTimer(self)
        self._patience.setSingleShot(True)
        self._patience.setInterval(GRADIENT_PATIENCE_MS)
        self._patience.timeout.connect(self._show_computing)

        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.validate_now)
        self._edit.textEdited.connect(self._timer.start)
        self._edit.returnPressed.connect(self.validate_now)
        self._edit.textChanged.connect(self._marker.update)
        self._edit.cursorPositionChanged.connect(self._marker.update)

        if text:
            self.set_function(text)

    # ------------------------------------------------------------------ public

    @property
    def line_edit(self) -> QtWidgets.QLineEdit:
        """The text field itself (for shortcuts and focus chains)."""
        return self._edit

    def text(self) -> str:
        """What is in the field now, valid or not."""
        return self._edit.text()

    def last_valid_text(self) -> str:
        """The most recent valid function (what the views show)."""
        return self._last_valid

    def error(self) -> ExpressionError | None:
        """Why the current text is refused, or None if it is valid."""
        return self._error

    def error_column(self) -> int | None:
        """The 1-based column marked in red, or None."""
        return self._marker.column()

    def gradient_display(self) -> str:
        """The gradient line of the current valid function once shown ("" until then)."""
        return self._gradient

    def message(self) -> str:
        """The whole text under the field: the error, or the gradient line."""
        return self._error_label.text() if self._error is not None else self._info.full_text()

    def set_function(self, text: str) -> None:
        """Show ``text`` (e.g. from a loaded session) without emitting function_changed."""
        self._timer.stop()
        self._edit.setText(text)
        self._check(text, announce=False)

    def choose_preset(self, key: str) -> None:
        """Load preset ``key``'s formula and emit ``preset_chosen(key)``."""
        self.set_function(load_presets()[key].formula)
        self.preset_chosen.emit(key)

    def validate_now(self) -> bool:
        """Check the text at once (skipping the debounce); True if it is valid."""
        self._timer.stop()
        return self._check(self._edit.text(), announce=True)

    def focus_editor(self) -> None:
        """Put the keyboard in the field with its text selected (for Ctrl+L)."""
        self._edit.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
        self._edit.selectAll()

    def revert(self) -> None:
        """Restore the last valid function (what Escape does)."""
        self.set_function(self._last_valid)

    # --------------------------------------------------------------- internals

    def _build_presets_menu(self) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self)
        menu.setToolTipsVisible(True)
        for preset in load_presets().values():
            action = menu.addAction(preset.title)
            tip = preset.formula if not preset.note else f"{preset.formula}\n({preset.note})"
            action.setToolTip(tip)
            action.setData(preset.key)
            action.triggered.connect(lambda _=False, key=preset.key: self.choose_preset(key))
        return menu

    def presets_menu(self) -> QtWidgets.QMenu:
        """The menu behind the Presets button (the main window may reuse it)."""
        return self._presets_button.menu()

    def _check(self, text: str, announce: bool) -> bool:
        if text == self._checked_text:  # already checked and shown (and announced)
            return self._error is None
        self._checked_text = text
        try:
            parse_expression(text)
        except ExpressionError as exc:
            self._show_error(exc)
            return False
        self._error = None
        self._gradient = ""
        self._edit.set_invalid(False)
        self._marker.set_column(None)
        self._error_label.hide()
        self._info.show()
        self._patience.start()
        changed = text != self._last_valid
        self._last_valid = text
        if announce and changed:
            self.function_changed.emit(text)
        return True

    def show_gradient(self, function: str, partials: tuple[str, str] | None) -> None:
        """Show ``∇f = (df/dx, df/dy)`` for ``function`` if it is still what is typed."""
        if function != self._checked_text or self._error is not None:
            return  # the user has typed on since
        self._patience.stop()
        self._gradient = f"\u2207f = ({partials[0]}, {partials[1]})" if partials else ""
        self._info.set_full_text(self._gradient or "\u2207f: could not be written out")

    def _show_computing(self) -> None:
        if self._error is None and not self._gradient:
            self._info.set_full_text("\u2207f = (computing\u2026)")

    def _show_error(self, exc: ExpressionError) -> None:
        self._patience.stop()
        self._error = exc
        self._gradient = ""
        self._edit.set_invalid(True)
        self._marker.set_column(exc.column)
        self._info.set_full_text("")
        self._info.hide()
        self._error_label.setText(str(exc))
        self._error_label.show()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if (
            watched is self._edit
            and event.type() == QtCore.QEvent.Type.KeyPress
            and event.key() == QtCore.Qt.Key.Key_Escape
            and self._edit.text() != self._last_valid
        ):
            self.revert()
            return True
        if watched is self._edit and event.type() == QtCore.QEvent.Type.Resize:
            self._marker.update()
        return super().eventFilter(watched, event)
