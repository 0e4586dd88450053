"""Animations: GIF and MP4 of the race, progress, cancelling, frame choice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from export_checks import COLOURS, count_near, leftovers, pixels
from PIL import Image

from gdplayground.export.animation import (
    HOLD_SECONDS,
    MAX_FRAMES,
    ExportError,
    export_animation,
    find_ffmpeg,
    frame_indices,
)
from gdplayground.export.image import render_image

pytestmark = pytest.mark.usefixtures("qapp")
needs_ffmpeg = pytest.mark.skipif(find_ffmpeg() is None, reason="needs ffmpeg")


def gif_frames(path: Path) -> list[Image.Image]:
    gif = Image.open(path)
    frames = []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(gif.convert("RGB"))
    return frames


def test_gif_plays_the_race(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.gif"
    assert export_animation(scene, "contour", target, size=(240, 180), fps=10, frames=12)
    gif = Image.open(target)
    assert gif.format == "GIF" and gif.size == (240, 180) and gif.n_frames == 12
    assert gif.info.get("loop") == 0
    assert gif.info["duration"] == 100  # 10 frames per second
    frames = gif_frames(target)
    assert all(f.size == (240, 180) for f in frames)
    first, last = frames[0], frames[-1]
    assert np.abs(pixels(first) - pixels(last)).max(axis=-1).astype(bool).sum() > 200
    for colour in COLOURS:  # every path has been drawn by the end, in its own colour
        assert count_near(last, colour, tolerance=4) > 10, colour
    gif.seek(11)
    assert gif.info["duration"] == HOLD_SECONDS * 1000  # the end stays up before looping
    assert leftovers(tmp_path) == []


def test_gif_frames_look_like_still_pictures(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.gif"
    export_animation(scene, "contour", target, size=(700, 300), frames=5)
    frames = gif_frames(target)
    for step, frame in zip(frame_indices(scene.frames, 5), frames, strict=True):
        still = render_image(scene, "contour", (700, 300), frame=int(step))
        width, height = still.width(), still.height()
        raw = np.frombuffer(still.constBits(), np.uint8).reshape(height, -1)[:, : 4 * width]
        expected = raw.reshape(height, width, 4)[..., 2::-1].astype(np.int32)
        assert np.abs(pixels(frame) - expected).mean() < 3  # only the 256-colour palette differs


def test_progress_reports_each_frame(scene, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    export_animation(
        scene,
        "contour",
        tmp_path / "race.gif",
        size=(160, 120),
        frames=6,
        progress=lambda done, total: calls.append((done, total)) or True,
    )
    assert calls == [(k, 6) for k in range(1, 7)]


@pytest.mark.parametrize("suffix", [".gif", pytest.param(".mp4", marks=needs_ffmpeg)])
def test_cancelling_leaves_no_file_and_keeps_the_old_one(
    scene, tmp_path: Path, suffix: str
) -> None:
    fresh, existing = tmp_path / f"new{suffix}", tmp_path / f"old{suffix}"
    existing.write_bytes(b"the previous animation")

    def stop_at_five(done: int, total: int) -> bool:
        return done < 5

    for target in (fresh, existing):
        done = export_animation(
            scene, "contour", target, size=(160, 120), frames=20, progress=stop_at_five
        )
        assert done is False
    assert not fresh.exists()
    assert existing.read_bytes() == b"the previous animation"
    assert leftovers(tmp_path) == []


def probe(path: Path) -> dict:
    """Width, height, codec, pixel format and frame count of a video."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is not None:
        out = subprocess.run(
            [ffprobe, "-v", "error", "-count_frames", "-show_streams", "-of", "json", str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)["streams"][0]
    # no ffprobe (e.g. only imageio-ffmpeg's ffmpeg): decode the stream to count frames
    ffmpeg = find_ffmpeg()
    assert ffmpeg is not None
    log = subprocess.run(
        [ffmpeg, "-hide_banner", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    video = re.search(r"Video: (\w+).*?, (\w+)\(?.*?, (\d+)x(\d+)", log)
    frames = re.findall(r"frame=\s*(\d+)", log)
    assert video and frames, log
    return {
        "codec_name": video.group(1),
        "pix_fmt": video.group(2),
        "width": int(video.group(3)),
        "height": int(video.group(4)),
        "nb_read_frames": frames[-1],
    }


@needs_ffmpeg
def test_mp4_is_h264_of_the_requested_size(scene, tmp_path: Path) -> None:
    target = tmp_path / "race.mp4"
    assert export_animation(scene, "contour", target, size=(320, 240), fps=10, frames=10)
    assert target.read_bytes()[4:8] == b"ftyp"
    stream = probe(target)
    assert (stream["width"], stream["height"]) == (320, 240)
    assert stream["codec_name"] == "h264" and stream["pix_fmt"] == "yuv420p"
    # every frame, then the end held for HOLD_SECONDS
    assert int(stream["nb_read_frames"]) == 10 + round(HOLD_SECONDS * 10)
    assert leftovers(tmp_path) == []


def test_mp4_without_ffmpeg_says_how_to_get_it(scene, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("gdplayground.export.animation.find_ffmpeg", lambda: None)
    with pytest.raises(ExportError, match="imageio-ffmpeg.*apt install ffmpeg"):
        export_animation(scene, "contour", tmp_path / "race.mp4", size=(320, 240))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("view", "name", "options", "fragment"),
    [
        ("loss", "x.gif", {}, "not animated"),
        ("contour", "x.avi", {}, ".gif or .mp4"),
        ("contour", "x.png", {}, ".gif or .mp4"),
        ("contour", "x.mp4", {"size": (321, 240)}, "even width and height, e.g. 322x240"),
        ("contour", "x.gif", {"fps": 0}, "1 to 50"),
        ("contour", "x.gif", {"fps": 55}, "1 to 50"),
        ("contour", "x.gif", {"frames": 0}, "1 or more"),
        ("contour", "x.gif", {"turn_camera": True}, "surface"),
        ("contour", "x.gif", {"size": (20, 20)}, "size"),
    ],
)
def test_bad_requests_say_what_to_change(
    scene, tmp_path: Path, view: str, name: str, options: dict, fragment: str
) -> None:
    with pytest.raises(ExportError, match=re.escape(fragment)):
        export_animation(scene, view, tmp_path / name, **options)
    assert list(tmp_path.iterdir()) == []


def test_long_runs_are_subsampled_from_start_to_end() -> None:
    every = frame_indices(50)
    assert list(every) == list(range(50))
    long = frame_indices(20_001)
    assert len(long) == MAX_FRAMES and long[0] == 0 and long[-1] == 20_000
    assert np.all(np.diff(long) > 0)
    assert list(frame_indices(101, 3)) == [0, 50, 100]
    assert list(frame_indices(4, 10)) == [0, 1, 2, 3]
    assert list(frame_indices(30, 1)) == [29]


@pytest.mark.gl
def test_turning_surface_gif(scene, tmp_path: Path) -> None:
    still, turning = tmp_path / "still.gif", tmp_path / "turning.gif"
    export_animation(scene, "surface", still, size=(200, 150), frames=8)
    export_animation(scene, "surface", turning, size=(200, 150), frames=8, turn_camera=True)
    a, b = gif_frames(still), gif_frames(turning)
    assert len(a) == len(b) == 8 and a[0].size == (200, 150)
    assert np.abs(pixels(a[0]) - pixels(b[0])).mean() < 1  # same first camera
    assert np.abs(pixels(a[-1]) - pixels(b[-1])).mean() > 3  # then the camera has turned
