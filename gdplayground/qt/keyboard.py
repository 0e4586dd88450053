"""Where the keyboard goes: playback keys drive the views unless a text field has them.

A teacher types a function, presses Enter, and Space plays: Enter (with an
accepted value) or Escape in any text field hands the keyboard back to the
views; a click on a view takes it; and Space, ←/→, Home and End drive
playback wherever the keyboard is, except in a text field, where they edit
the text.  This works on key events themselves, so it does not depend on the
window being the active one (which window shortcuts do).
"""

from __future__ import annotations

from collections.abc import Callable

from gdplayground.qt._qt import QtCore, QtWidgets

Key = QtCore.Qt.Key
_TEXT_FIELDS = (
    QtWidgets.QLineEdit,
    QtWidgets.QAbstractSpinBox,
    QtWidgets.QTextEdit,
    QtWidgets.QPlainTextEdit,
)
_GIVE_BACK = (Key.Key_Return, Key.Key_Enter, Key.Key_Escape)


def is_text_field(widget: QtCore.QObject | None) -> bool:
    """Whether keys typed into ``widget`` are text (so playback keys must not be taken)."""
    if isinstance(widget, QtWidgets.QComboBox):
        return widget.isEditable()
    return isinstance(widget, _TEXT_FIELDS)


class KeyboardRouter(QtCore.QObject):
    """Playback keys and the hand-back of the keyboard for one main window.

    ``actions`` maps keys (without modifiers) to what they do; ``home`` is
    the view that gets the keyboard back.  Installed on the application, it
    sees key presses before the widgets (and the 3-D view's native window).
    """

    def __init__(
        self,
        window: QtWidgets.QWidget,
        home: QtWidgets.QWidget,
        actions: dict[Key, Callable[[], None]],
        extra_targets: Callable[[], tuple[QtCore.QObject, ...]] = tuple,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._home = home
        self._actions = actions
        self._extra = extra_targets
        QtWidgets.QApplication.instance().installEventFilter(self)

    def detach(self) -> None:
        """Stop routing (the window is closing)."""
        app = QtWidgets.QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _mine(self, target: QtCore.QObject) -> bool:
        if target in self._extra():
            return True
        return isinstance(target, QtWidgets.QWidget) and (
            target is self._window or self._window.isAncestorOf(target)
        )

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QtCore.QEvent.Type.ShortcutOverride and is_text_field(watched):
            return False  # the text field keeps its keys
        if kind != QtCore.QEvent.Type.KeyPress or not self._mine(watched):
            return False
        key = Key(event.key())
        if is_text_field(watched):
            if key in _GIVE_BACK and not event.modifiers() & ~_KEYPAD:
                QtCore.QTimer.singleShot(0, lambda w=watched, k=key: self._give_back(w, k))
            return False
        focus = QtWidgets.QApplication.focusWidget()
        if (
            is_text_field(focus)
            and isinstance(watched, QtWidgets.QWidget)
            and watched.isAncestorOf(focus)
        ):
            return False  # a text field's parent seeing its press again
        action = self._actions.get(key)
        if action is None or event.modifiers() & ~_KEYPAD:
            return False
        action()
        return True

    def _give_back(self, field: QtWidgets.QWidget, key: Key) -> None:
        """After Enter or Escape in ``field``: the views get the keyboard, unless
        the field refused what was typed (Enter on an error keeps it there)."""
        if not self._home.isVisible() or not field.hasFocus():
            return
        invalid = getattr(field, "is_invalid", None)
        if key != Key.Key_Escape and invalid is not None and invalid():
            return
        self._home.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)


_KEYPAD = QtCore.Qt.KeyboardModifier.KeypadModifier
