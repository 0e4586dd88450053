"""Animations of the race: GIF or MP4 of the contour view, the 3-D view or a fit's data view.

The contour view's still part (colour fill, isolines, axes) is rendered once;
each frame then paints only what moves (paths, current points, markers,
legend) over a copy of it, with the view's own items, so frames look exactly
like the window.  GIF frames share one palette computed from the last frame;
MP4 frames are piped to ffmpeg.  Writing goes to a temporary file beside the
target, renamed into place only when complete: cancelling (``progress``
returning False) or failing leaves no partial file and keeps an existing one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from gdplayground.export.render import (
    ExportError,
    apply_camera,
    as_picture,
    camera_of,
    check_size,
    check_view,
    grab,
    grab_framebuffer,
    offscreen_view,
    paint_2d,
)
from gdplayground.io.cleanup import forget_child, track_child
from gdplayground.io.files import OutputError, atomic_output, atomic_write

if TYPE_CHECKING:
    from gdplayground.core.picture import Picture
    from gdplayground.core.scene import Scene

__all__ = [
    "ANIMATION_FORMATS",
    "ExportError",
    "MAX_FRAMES",
    "animation_format",
    "export_animation",
    "find_ffmpeg",
    "frame_indices",
    "write_animation",
]

ANIMATION_FORMATS = (".gif", ".mp4")
ANIMATED_VIEWS = ("contour", "surface", "data")
#: Longer runs are subsampled to this many frames unless asked otherwise.
MAX_FRAMES = 600
MAX_FPS = {".gif": 50, ".mp4": 60}  # GIF delays are centiseconds; viewers slow faster ones
#: The last frame stays up this long before a GIF loops (an MP4 ends on it).
HOLD_SECONDS = 1.5
#: A turning camera sweeps at most this fast, and at most one full turn.
TURN_DEGREES_PER_SECOND = 24.0
#: A GIF is assembled in memory: refuse more than this many pixels in all.
MAX_GIF_PIXELS = 400_000_000
FFMPEG_HINT = (
    "MP4 needs ffmpeg, which was not found: install it (pip install imageio-ffmpeg, "
    "or your system's ffmpeg package, e.g. sudo apt install ffmpeg), or write a .gif"
)

Progress = Callable[[int, int], "bool | None"]


class _Cancelled(Exception):
    """The progress callback asked to stop."""


# ------------------------------------------------------------------ checks
def animation_format(view: str, path: str | Path) -> str:
    """The suffix (".gif" or ".mp4") of ``path``; ExportError if ``view`` can't be animated."""
    check_view(view)
    suffix = Path(path).suffix.lower()
    if suffix not in ANIMATION_FORMATS:
        shown = suffix or "no suffix"
        raise ExportError(
            f"{Path(path).name}: cannot tell the animation format from {shown}: "
            "end the file name in .gif or .mp4"
        )
    if view not in ANIMATED_VIEWS:
        raise ExportError(
            f"the {view} view is not animated: animate the contour, surface or data view, "
            "or save the loss view as .png, .svg or .pdf"
        )
    return suffix


def check_fps(fps: float, suffix: str) -> float:
    """Validate frames per second for the format."""
    top = MAX_FPS[suffix]
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise ExportError(f"fps {fps!r} is not a number") from None
    if not 1 <= value <= top:
        raise ExportError(f"fps {fps}: use 1 to {top} frames per second for {suffix[1:].upper()}")
    return value


_found_ffmpeg: list[str] = []


def find_ffmpeg() -> str | None:
    """The ffmpeg executable: on PATH, else the one of the imageio-ffmpeg package, else None.

    Remembered once found: imageio-ffmpeg runs ``ffmpeg -version`` to check its binary.
    """
    if _found_ffmpeg:
        return _found_ffmpeg[0]
    found = shutil.which("ffmpeg")
    if not found:
        try:
            import imageio_ffmpeg  # type: ignore[import-not-found]

            found = imageio_ffmpeg.get_ffmpeg_exe()
        except Exception:  # not installed, or no binary for this platform
            return None
    _found_ffmpeg.append(found)
    return found


def frame_indices(total: int, frames: int | None = None) -> np.ndarray:
    """Which of ``total`` scene frames to show: all (at most :data:`MAX_FRAMES`) or ``frames``.

    Always starts at 0 and ends on the last frame, evenly spaced in between.
    """
    if total < 1:
        raise ExportError("nothing to animate: the run has no frames")
    if frames is None:
        count = min(total, MAX_FRAMES)
    else:
        if int(frames) < 1:
            raise ExportError(f"frames {frames}: give 1 or more")
        count = min(int(frames), total)
    if count == 1:
        return np.array([total - 1])
    return np.unique(np.rint(np.linspace(0, total - 1, count)).astype(np.intp))


# ------------------------------------------------------------------ public
def export_animation(
    picture: Picture | Scene,
    view: str,
    path: str | Path,
    size: tuple[int, int] = (640, 480),
    fps: float = 20,
    frames: int | None = None,
    turn_camera: bool = False,
    progress: Progress | None = None,
    camera: Mapping[str, Any] | None = None,
) -> bool:
    """Write the race in ``view`` ("contour" or "surface") as a .gif or .mp4 at ``path``.

    ``frames`` is how many frames to show (default: every step, subsampled to
    at most :data:`MAX_FRAMES`); ``turn_camera`` slowly turns the 3-D view;
    ``camera`` sets its starting camera (see ``render.camera_of``).
    ``progress(done, total)`` is called after each frame; return False to
    cancel.  Returns False if cancelled (no file written, an existing file
    kept), True when the file is complete.  Raises ExportError for bad
    arguments, a missing ffmpeg (MP4), no OpenGL (3-D) or an unwritable path.
    """
    return write_animation(
        as_picture(picture), view, path, size, fps, frames, turn_camera, progress, camera
    )


def write_animation(
    picture: Picture,
    view: str,
    path: str | Path,
    size: tuple[int, int] = (640, 480),
    fps: float = 20,
    frames: int | None = None,
    turn_camera: bool = False,
    progress: Progress | None = None,
    camera: Mapping[str, Any] | None = None,
    *,
    widget: Any = None,
) -> bool:
    """Like :func:`export_animation`, from a :class:`Picture`.

    ``widget``, if given, is an unused ``render.new_view(view)`` built in advance.
    """
    suffix = animation_format(view, path)
    size = check_size(size)
    fps = check_fps(fps, suffix)
    if (turn_camera or camera) and view != "surface":
        raise ExportError("turning and pointing the camera only apply to the surface view")
    indices = frame_indices(picture.frames, frames)
    ffmpeg = None
    if suffix == ".mp4":
        if size[0] % 2 or size[1] % 2:
            raise ExportError(
                f"size {size[0]}x{size[1]}: MP4 needs an even width and height, "
                f"e.g. {size[0] + size[0] % 2}x{size[1] + size[1] % 2}"
            )
        ffmpeg = find_ffmpeg()
        if ffmpeg is None:
            raise ExportError(FFMPEG_HINT)
    elif len(indices) * size[0] * size[1] > MAX_GIF_PIXELS:
        raise ExportError(
            f"{len(indices)} frames of {size[0]}x{size[1]} is too big for a GIF: "
            "use fewer frames, a smaller size, or write an .mp4"
        )
    report = _reporter(progress, len(indices))
    with offscreen_view(picture, view, size, 0, camera, widget) as widget:
        if view == "contour":
            source: _FrameSource = _ContourFrames(widget, size)
        elif view == "data":
            source = _WholeFrames(widget, size)
        else:
            source = _SurfaceFrames(widget, size, turn_camera, len(indices), fps)
        colours = [p.colour for p in picture.paths]
        try:
            if ffmpeg is not None:
                images = _rendered(source, indices, report)
                atomic_write(path, lambda tmp: _write_mp4(images, tmp, size, fps, ffmpeg))
            else:
                with atomic_output(path) as out:
                    _write_gif(source, indices, report, out, fps, colours)
        except _Cancelled:
            return False
        except OutputError as exc:
            raise ExportError(str(exc)) from None
    return True


def _reporter(progress: Progress | None, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if progress is not None and progress(done, total) is False:
            raise _Cancelled

    return report


# ----------------------------------------------------------------- frames
class _FrameSource:
    """Renders frame ``k`` of a laid-out view as a ``Format_RGB32`` QImage."""

    def render(self, frame: int, index: int) -> Any:
        raise NotImplementedError


def _rendered(source: _FrameSource, indices: np.ndarray, report: Callable[[int], None]) -> Iterator:
    """Each chosen frame as a QImage, reporting progress after each."""
    for index, frame in enumerate(indices):
        yield source.render(int(frame), index)
        report(index + 1)


class _ContourFrames(_FrameSource):
    """The still layer once, then per frame only the items that move, painted over a copy.

    Still: the colour image, isolines and axes (all drawn beneath everything
    else).  Moving: paths, arrows, current points, start and minima markers,
    legend and notes.  Both layers come from the same ContourView, so the
    result is pixel-for-pixel what a full render shows.
    """

    def __init__(self, widget: Any, size: tuple[int, int]) -> None:
        from gdplayground.qt._qt import QtCore, QtGui

        self.widget = widget
        self.size = size
        plot = widget.plot
        still = [widget.image, widget.isoline_item, plot.titleLabel]
        still += [plot.getAxis(name) for name in ("left", "bottom", "top", "right")]
        moving = _other_branches(widget.scene().items(), still)
        opacity = {item: item.opacity() for item in moving}
        for item in moving:
            item.setOpacity(0.0)
        self.background = QtGui.QImage(size[0], size[1], QtGui.QImage.Format.Format_RGB32)
        self.background.fill(widget.backgroundBrush().color())
        painter = QtGui.QPainter(self.background)
        paint_2d(widget, painter, size)
        painter.end()
        for item in moving:
            item.setOpacity(opacity[item])
        for item in still:
            item.setOpacity(0.0)
        widget.setBackgroundBrush(QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))

    def render(self, frame: int, index: int) -> Any:
        from gdplayground.qt._qt import QtGui

        self.widget.set_frame(frame)
        image = self.background.copy()
        painter = QtGui.QPainter(image)
        paint_2d(self.widget, painter, self.size)
        painter.end()
        return image


class _WholeFrames(_FrameSource):
    """A 2-D view drawn whole at each frame (the data view: its curves move everywhere)."""

    def __init__(self, widget: Any, size: tuple[int, int]) -> None:
        self.widget = widget
        self.size = size

    def render(self, frame: int, index: int) -> Any:
        self.widget.set_frame(frame)
        return grab(self.widget, self.size)


def _other_branches(items: list[Any], chosen: list[Any]) -> list[Any]:
    """The largest subtrees of the scene that contain none of ``chosen`` (nor their parents).

    Hiding these hides everything except ``chosen``, their children and the
    containers holding them.
    """
    inside = set()
    stack = list(chosen)
    while stack:
        item = stack.pop()
        inside.add(item)
        stack.extend(item.childItems())
    holders = set()
    for item in chosen:
        parent = item.parentItem()
        while parent is not None:
            holders.add(parent)
            parent = parent.parentItem()
    return [
        item
        for item in items
        if item not in inside
        and item not in holders
        and (item.parentItem() is None or item.parentItem() in holders)
    ]


class _SurfaceFrames(_FrameSource):
    """The 3-D view at each frame, optionally turning the camera a little each time."""

    def __init__(
        self, widget: Any, size: tuple[int, int], turn: bool, count: int, fps: float
    ) -> None:
        self.widget = widget
        self.size = size
        self.start_azimuth = camera_of(widget)["azimuth"]
        duration = count / fps
        sweep = min(360.0, TURN_DEGREES_PER_SECOND * duration) if turn else 0.0
        self.step = sweep / count if count else 0.0

    def render(self, frame: int, index: int) -> Any:
        self.widget.set_frame(frame)
        if self.step:
            apply_camera(self.widget, {"azimuth": self.start_azimuth + self.step * index})
        return grab_framebuffer(self.widget, self.size)


# ------------------------------------------------------------------ writers
def _pixels(image: Any) -> np.ndarray:
    """The (h, w) uint32 ``0xffRRGGBB`` pixels of a ``Format_RGB32`` QImage (a copy)."""
    width, height = image.width(), image.height()
    data = np.frombuffer(
        image.constBits(), dtype=np.uint32, count=height * image.bytesPerLine() // 4
    )
    return data.reshape(height, -1)[:, :width].copy()


class _PaletteMapper:
    """Maps pixels to the nearest of 256 palette colours, exactly for colours that matter.

    The palette is the adaptive (median cut) palette of a reference frame plus
    ``exact`` colours (paths, black, white) so that lines and the background
    keep their true colour.  Pixels are looked up through a 6-bit-per-channel
    table filled lazily, so each frame costs a few array operations.
    """

    def __init__(self, reference: Any, exact: list[str]) -> None:
        from PIL import Image

        keep: list[tuple[int, int, int]] = []
        for colour in [*exact, "#000000", "#FFFFFF"]:
            rgb = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
            if rgb not in keep:
                keep.append(rgb)
        keep = keep[:64]
        pixels = _pixels(reference)
        rgb = np.stack([(pixels >> 16) & 255, (pixels >> 8) & 255, pixels & 255], axis=-1)
        adaptive = Image.fromarray(rgb.astype(np.uint8), "RGB").quantize(
            256 - len(keep), dither=Image.Dither.NONE
        )
        colours = np.zeros((256, 3), dtype=np.int32)
        found = np.asarray(adaptive.getpalette()[: 3 * (256 - len(keep))], dtype=np.int32)
        colours[: len(found) // 3] = found.reshape(-1, 3)
        colours[256 - len(keep) :] = keep
        self.colours = colours
        self.palette_bytes = colours.astype(np.uint8).tobytes()
        self.table = np.full(1 << 18, -1, dtype=np.int16)
        # an exact colour always maps to itself
        for index in range(256 - len(keep), 256):
            r, g, b = colours[index]
            self.table[((r >> 2) << 12) | ((g >> 2) << 6) | (b >> 2)] = index

    def __call__(self, image: Any) -> np.ndarray:
        """Palette indices (h, w) uint8 for a ``Format_RGB32`` QImage."""
        pixels = _pixels(image)
        cells = ((pixels >> 6) & 0x3F000) | ((pixels >> 4) & 0xFC0) | ((pixels >> 2) & 0x3F)
        index = self.table[cells]
        missing = index < 0
        if missing.any():
            self._fill(np.unique(cells[missing]))
            index = self.table[cells]
        return index.astype(np.uint8)

    def _fill(self, cells: np.ndarray) -> None:
        """Give each table cell the palette colour nearest its representative colour."""
        levels = np.stack([(cells >> 12) & 63, (cells >> 6) & 63, cells & 63], axis=-1)
        colour = np.rint(levels * (255 / 63)).astype(np.int32)  # 0 -> 0, 63 -> 255
        for start in range(0, len(cells), 4096):
            part = colour[start : start + 4096]
            distance = ((part[:, None, :] - self.colours[None, :, :]) ** 2).sum(axis=-1)
            self.table[cells[start : start + 4096]] = distance.argmin(axis=1)


def _write_gif(
    source: _FrameSource,
    indices: np.ndarray,
    report: Callable[[int], None],
    out: IO[bytes],
    fps: float,
    exact: list[str],
) -> None:
    """Render every frame to palette indices (one shared palette), then write the GIF to ``out``."""
    from PIL import Image

    mapper = _PaletteMapper(source.render(int(indices[-1]), len(indices) - 1), exact)
    frames = []
    for index, frame in enumerate(indices):
        image = source.render(int(frame), index)
        picture = Image.frombuffer(
            "P", (image.width(), image.height()), mapper(image), "raw", "P", 0, 1
        )
        picture.putpalette(mapper.palette_bytes)
        frames.append(picture)
        report(index + 1)
    delay = round(1000 / fps)
    durations = [delay] * len(frames)
    durations[-1] = max(delay, round(HOLD_SECONDS * 1000))
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        optimize=False,
    )


def _write_mp4(images: Iterator, tmp: Path, size: tuple[int, int], fps: float, ffmpeg: str) -> None:
    width, height = size
    command = [
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "bgr0",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:g}",
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-crf",
        "20",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(tmp),
    ]
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise ExportError(f"cannot run ffmpeg ({ffmpeg}): {exc.strerror or exc}") from None
    track_child(process.pid)  # killed with this process if a signal stops it
    assert process.stdin is not None
    try:
        last = None
        for image in images:
            last = bytes(image.constBits())
            process.stdin.write(last)
        for _ in range(round(HOLD_SECONDS * fps) if last is not None else 0):
            process.stdin.write(last)
        process.stdin.close()
        error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        if process.wait() != 0:
            detail = _last_line(error, f"exit status {process.returncode}")
            raise ExportError(f"ffmpeg could not encode the MP4: {detail}")
    except BrokenPipeError:
        error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        process.wait()
        raise ExportError(
            f"ffmpeg could not encode the MP4: {_last_line(error, 'it stopped early')}"
        ) from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        forget_child(process.pid)
        if process.stderr is not None:
            process.stderr.close()


def _last_line(error: str, fallback: str) -> str:
    """ffmpeg's last message, without its ``[muxer @ 0x...]`` prefix."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    if not lines:
        return fallback
    return re.sub(r"^\[[^\]]*\]\s*", "", lines[-1]) or fallback
