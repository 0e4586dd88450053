"""PlaybackClock: ticks move the frame; it stops at the end; controls behave."""

from __future__ import annotations

import pytest

from gdplayground.qt.clock import PlaybackClock


@pytest.fixture
def clock(qtbot) -> PlaybackClock:
    clock = PlaybackClock()
    clock.set_length(10)
    return clock


def test_tick_advances_and_emits(clock, qtbot) -> None:
    frames: list[int] = []
    clock.frame_changed.connect(frames.append)
    clock.tick()
    clock.tick()
    assert clock.frame == 2 and frames == [1, 2]


def test_fractional_speed_emits_only_on_change(clock) -> None:
    frames: list[int] = []
    clock.frame_changed.connect(frames.append)
    clock.set_speed(0.25)
    for _ in range(8):
        clock.tick()
    assert frames == [1, 2]


def test_fast_speed_skips_frames_and_stops_at_the_end(clock, qtbot) -> None:
    clock.set_speed(4)
    clock.play()
    assert clock.is_playing()
    with qtbot.waitSignal(clock.finished):
        clock.tick()
        clock.tick()
        clock.tick()
    assert clock.frame == 9 and not clock.is_playing()


def test_playing_with_the_timer_reaches_the_end(qtbot) -> None:
    clock = PlaybackClock(interval_ms=1)
    clock.set_length(5)
    with qtbot.waitSignal(clock.finished, timeout=2000):
        clock.play()
    assert clock.frame == 4 and not clock.is_playing()


def test_play_at_the_end_restarts(clock) -> None:
    clock.seek(9)
    clock.play()
    assert clock.frame == 0 and clock.is_playing()
    clock.pause()
    assert not clock.is_playing()


def test_step_reset_seek_clamp(clock) -> None:
    clock.step()
    clock.step(3)
    assert clock.frame == 4
    clock.step(-10)
    assert clock.frame == 0
    clock.seek(100)
    assert clock.frame == 9
    clock.play()
    clock.reset()
    assert clock.frame == 0 and not clock.is_playing()


def test_step_pauses(clock) -> None:
    clock.play()
    clock.step()
    assert not clock.is_playing() and clock.frame == 1


def test_shorter_length_clamps_the_frame(clock) -> None:
    frames: list[int] = []
    clock.frame_changed.connect(frames.append)
    clock.seek(8)
    clock.set_length(4)
    assert clock.frame == 3 and frames[-1] == 3


def test_toggle_and_playing_changed(clock, qtbot) -> None:
    states: list[bool] = []
    clock.playing_changed.connect(states.append)
    clock.toggle()
    clock.toggle()
    assert states == [True, False]


def test_single_frame_never_plays(qtbot) -> None:
    clock = PlaybackClock()
    clock.play()
    assert not clock.is_playing()


def test_bad_speed_is_rejected(clock) -> None:
    with pytest.raises(ValueError):
        clock.set_speed(0)
    clock.set_interval(40)
    assert clock.interval_ms == 40
