"""The one playback clock that drives every view's frame index."""

from __future__ import annotations

import math

from gdplayground.qt._qt import QtCore

DEFAULT_INTERVAL_MS = 16  # ~60 ticks per second


class PlaybackClock(QtCore.QObject):
    """A frame index moved by a main-thread QTimer: play, pause, step, seek, speed.

    Frames run from 0 to ``length - 1``; playing stops at the last frame.
    ``speed`` is frames per tick and may be fractional (0.25 = one frame every
    fourth tick).  :meth:`tick` is public so tests and exporters can drive the
    clock without a timer.  ``frame_changed`` is emitted only when the frame
    actually changes.
    """

    frame_changed = QtCore.Signal(int)
    playing_changed = QtCore.Signal(bool)
    finished = QtCore.Signal()

    def __init__(
        self, parent: QtCore.QObject | None = None, interval_ms: int = DEFAULT_INTERVAL_MS
    ) -> None:
        super().__init__(parent)
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        self._frame = 0
        self._length = 1
        self._speed = 1.0
        self._position = 0.0  # fractional frame, for speeds below one

    # ------------------------------------------------------------ properties
    @property
    def frame(self) -> int:
        """The current frame index."""
        return self._frame

    @property
    def length(self) -> int:
        """Number of frames (at least 1)."""
        return self._length

    @property
    def last_frame(self) -> int:
        """Index of the last frame."""
        return self._length - 1

    @property
    def speed(self) -> float:
        """Frames advanced per tick."""
        return self._speed

    @property
    def interval_ms(self) -> int:
        """Milliseconds between ticks while playing."""
        return self._timer.interval()

    def is_playing(self) -> bool:
        """Whether the timer is running."""
        return self._timer.isActive()

    # ----------------------------------------------------------------- setup
    def set_length(self, frames: int) -> None:
        """Set the number of frames (e.g. longest path + 1); clamps the current frame."""
        self._length = max(int(frames), 1)
        if self._frame > self.last_frame:
            self.seek(self.last_frame)

    def set_speed(self, frames_per_tick: float) -> None:
        """Frames per tick, > 0 (fractions play slower than one frame per tick)."""
        if not (math.isfinite(frames_per_tick) and frames_per_tick > 0):
            raise ValueError(f"speed must be a positive number of frames, got {frames_per_tick}")
        self._speed = float(frames_per_tick)

    def set_interval(self, milliseconds: int) -> None:
        """Milliseconds between ticks (at least 1)."""
        self._timer.setInterval(max(int(milliseconds), 1))

    # -------------------------------------------------------------- controls
    def play(self) -> None:
        """Start playing; from the last frame, start again at frame 0."""
        if self.is_playing():
            return
        if self._frame >= self.last_frame:
            self.seek(0)
        if self.last_frame == 0:
            return
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        """Stop at the current frame."""
        if self.is_playing():
            self._timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def step(self, frames: int = 1) -> None:
        """Pause and move ``frames`` frames (negative steps back), within the range."""
        self.pause()
        self.seek(self._frame + int(frames))

    def reset(self) -> None:
        """Pause and go back to frame 0."""
        self.pause()
        self.seek(0)

    def seek(self, frame: int) -> None:
        """Jump to ``frame`` (clamped); keeps playing if playing."""
        frame = min(max(int(frame), 0), self.last_frame)
        self._position = float(frame)
        self._set_frame(frame)

    def tick(self) -> None:
        """Advance by ``speed`` frames; at the last frame, stop and emit ``finished``."""
        before = self._frame
        self._position = min(self._position + self._speed, float(self.last_frame))
        self._set_frame(int(self._position + 1e-9))
        if self._frame >= self.last_frame:
            self.pause()
            if before < self.last_frame:
                self.finished.emit()

    def _set_frame(self, frame: int) -> None:
        if frame != self._frame:
            self._frame = frame
            self.frame_changed.emit(frame)
