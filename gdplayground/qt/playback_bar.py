"""The transport controls under the views: play/pause, step, reset, speed, timeline."""

from __future__ import annotations

from gdplayground.qt._qt import QtCore, QtGui, QtWidgets

SPEEDS = (1, 2, 4, 8, 16, 32)  # frames advanced per tick


class PlaybackBar(QtWidgets.QWidget):
    """Buttons and a timeline slider; it only emits what the user asked for.

    The window connects these signals to the one playback clock and calls
    :meth:`show_frame` / :meth:`show_playing` when the clock moves.
    """

    play_toggled = QtCore.Signal()
    step_requested = QtCore.Signal(int)
    reset_requested = QtCore.Signal()
    frame_requested = QtCore.Signal(int)
    speed_changed = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        icon = QtWidgets.QStyle.StandardPixmap
        self.reset_button = self._button(
            style.standardIcon(icon.SP_MediaSkipBackward),
            "Back to the start (Home)",
            self.reset_requested.emit,
        )
        self.back_button = self._button(
            style.standardIcon(icon.SP_MediaSeekBackward),
            "One step back (←)",
            lambda: self.step_requested.emit(-1),
        )
        self.play_button = self._button(
            style.standardIcon(icon.SP_MediaPlay), "Play / pause (Space)", self.play_toggled.emit
        )
        self.forward_button = self._button(
            style.standardIcon(icon.SP_MediaSeekForward),
            "One step forward (→)",
            lambda: self.step_requested.emit(1),
        )
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip("Timeline: drag to scrub through the steps")
        self.slider.valueChanged.connect(self._on_slider)
        self.frame_label = QtWidgets.QLabel("step 0 / 0")
        self.frame_label.setMinimumWidth(
            self.frame_label.fontMetrics().horizontalAdvance("step 100000 / 100000")
        )
        self.speed = QtWidgets.QComboBox()
        self.speed.setToolTip("Animation speed: steps per frame")
        for s in SPEEDS:
            self.speed.addItem(f"{s}×", s)
        self.speed.currentIndexChanged.connect(
            lambda i: self.speed_changed.emit(int(self.speed.itemData(i)))
        )

        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for w in (self.reset_button, self.back_button, self.play_button, self.forward_button):
            layout.addWidget(w)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.frame_label)
        layout.addWidget(QtWidgets.QLabel("speed"))
        layout.addWidget(self.speed)
        self._updating = False

    def _button(self, icon: QtGui.QIcon, tip: str, slot) -> QtWidgets.QToolButton:
        button = QtWidgets.QToolButton()
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def set_length(self, frames: int) -> None:
        """The timeline covers frames 0 .. frames-1."""
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(0, max(0, frames - 1))
        self._update_label(self.slider.value())

    def show_frame(self, frame: int) -> None:
        """Move the slider to ``frame`` without emitting frame_requested."""
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setValue(frame)
        self._update_label(frame)

    def show_playing(self, playing: bool) -> None:
        """Switch the play button between play and pause."""
        icon = QtWidgets.QStyle.StandardPixmap
        pix = icon.SP_MediaPause if playing else icon.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(pix))

    def _on_slider(self, value: int) -> None:
        self._update_label(value)
        self.frame_requested.emit(value)

    def _update_label(self, frame: int) -> None:
        self.frame_label.setText(f"step {frame} / {self.slider.maximum()}")
