"""The narrated step beside the views: the selected optimizer's update at the current frame."""

from __future__ import annotations

from gdplayground.core.gradients import Objective
from gdplayground.core.narrate import StepReplay
from gdplayground.core.picture import Picture
from gdplayground.qt import style
from gdplayground.qt._qt import QtCore, QtWidgets


class NarrationPanel(QtWidgets.QWidget):
    """Writes out one path's update at a frame: what the selected optimizer did next.

    Fed the picture (and the objective) with :meth:`set_picture`, the path by
    its optimizer row with :meth:`set_row`, the frame with :meth:`set_frame`;
    it replays the run's stepper only while it is visible.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = QtWidgets.QPlainTextEdit(self)
        self._text.setReadOnly(True)
        self._text.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._text.setFont(style.font(style.LEGEND_PT + 1, 1.0, monospace=True))
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._text)
        self._picture: Picture | None = None
        self._objective: Objective | None = None
        self._row = 0
        self._frame = 0
        self._replay: StepReplay | None = None
        self._scale = 1.0

    def set_picture(self, picture: Picture, objective: Objective | None) -> None:
        """The paths on show and the function they ran on."""
        self._picture, self._objective = picture, objective
        scale = picture.options.text_scale
        if scale != self._scale:
            self._scale = scale
            self._text.setFont(style.font(style.LEGEND_PT + 1, scale, monospace=True))
        self._refresh()

    def set_row(self, row: int) -> None:
        """Narrate the optimizer in row ``row`` of the session's list."""
        self._row = row
        self._refresh()

    def set_frame(self, frame: int) -> None:
        """Narrate the step from the point shown at ``frame`` to the next."""
        self._frame = frame
        if self.isVisible():
            self._refresh()

    def text(self) -> str:
        """What the panel says now."""
        return self._text.toPlainText()

    def showEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        picture, objective = self._picture, self._objective
        if not self.isVisible() or picture is None or objective is None:
            return
        if self._row not in picture.rows:
            self._replay = None
            self._text.setPlainText("Select an optimizer that runs to see its steps written out.")
            return
        path = picture.paths[picture.rows.index(self._row)]
        trajectory = path.source
        if trajectory is None:
            return
        replay = self._replay
        if (
            replay is None
            or replay.trajectory is not trajectory
            or replay.objective is not objective
        ):
            replay = self._replay = StepReplay(
                objective, trajectory, path.name, picture.seed, path.batches
            )
        replay.name = path.name
        told = replay.narrate(min(self._frame, trajectory.steps))
        self._text.setPlainText(told.text)
