"""A lesson's few words beside the views: what to look at, a prediction, a change to try."""

from __future__ import annotations

import html
import re

from gdplayground.model.session import Lesson
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtWidgets


class LessonPanel(QtWidgets.QWidget):
    """Shows a lesson's title and text, in a size the back row can read in presenter mode."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QtWidgets.QLabel(self)
        self._title.setWordWrap(True)
        self._text = QtWidgets.QLabel(self)
        self._text.setWordWrap(True)
        self._text.setAlignment(QtCore.Qt.AlignmentFlag.AlignTop)
        self._text.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        # as wide as the panel, however long a word: the words wrap, the panel does not grow
        self._text.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        scroll = QtWidgets.QScrollArea(self)
        scroll.setWidgetResizable(True)
        # the words wrap at the panel's width: no sideways scrolling to read a line
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidget(self._text)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._title)
        layout.addWidget(scroll, 1)
        self._lesson: Lesson | None = None
        self.set_scale(1.0)

    def set_lesson(self, lesson: Lesson | None) -> None:
        """Show ``lesson`` (None: nothing)."""
        self._lesson = lesson
        if lesson is None:
            self._title.setText("")
            self._text.setText("")
            return
        self._title.setText(f"<b>{html.escape(lesson.title)}</b>")
        paragraphs = [p.strip() for p in lesson.text.split("\n\n") if p.strip()]
        self._text.setText("".join(f"<p>{_breakable(html.escape(p))}</p>" for p in paragraphs))

    def set_scale(self, scale: float) -> None:
        """Text at ``scale`` times its normal size (presenter mode doubles it)."""
        self._title.setFont(style.font(style.LABEL_PT + 4, scale))
        self._text.setFont(style.font(style.LABEL_PT + 1, scale))

    def title(self) -> str:
        """The lesson's title as shown."""
        return self._lesson.title if self._lesson else ""

    def text(self) -> str:
        """The lesson's text as shown (plain)."""
        return self._lesson.text if self._lesson else ""


def _breakable(text: str) -> str:
    """Long names (torch.nn.utils.clip_grad_norm_) may wrap after a dot, an
    underscore or a slash that a letter follows; numbers (0.5, 2/20) stay whole."""
    return re.sub(r"(?<=[._/])(?=[A-Za-z])", "\u200b", text)
