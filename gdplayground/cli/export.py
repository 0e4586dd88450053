"""``gdplayground export``: a picture or an animation of a race, from the command line.

Everything the user typed is checked first (output format, size, options),
then the session is built and computed with the same core code as the window,
and drawn with the same views (:mod:`gdplayground.export.render`).  Start-up
time is dominated by imports, so where it is safe the computation (sympy and
numpy) runs in a forked worker process while this one loads Qt.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from gdplayground.cli.interrupts import default_stop_handlers, phase, stop_signals_held
from gdplayground.cli.parser import UsageError, session_options
from gdplayground.io.cleanup import forget_child, track_child
from gdplayground.model.session import SessionError

if TYPE_CHECKING:
    from gdplayground.core.picture import Picture

T = TypeVar("T")

ANIMATION_SUFFIXES = (".gif", ".mp4")
DEFAULT_IMAGE_SIZE = (1200, 900)
DEFAULT_ANIMATION_SIZE = (640, 480)
DEFAULT_FPS = 20.0
_SIZE = re.compile(r"^\s*(\d+)\s*[xX×,]\s*(\d+)\s*$")
#: Sides with more digits are refused before Python turns them into numbers.
_SIZE_DIGITS = 6


@dataclass(frozen=True)
class OutputRequest:
    """What to write, validated before any heavy work."""

    path: Path
    view: str
    suffix: str
    size: tuple[int, int]
    fps: float
    frame: int | None
    frames: int | None
    turn: bool

    @property
    def animated(self) -> bool:
        """Whether this is a GIF or MP4."""
        return self.suffix in ANIMATION_SUFFIXES


# ------------------------------------------------------------------ parsing
def parse_size(text: str) -> tuple[int, int]:
    """``1200x900`` -> (1200, 900)."""
    match = _SIZE.match(text)
    if not match:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise UsageError(f"--size {shown!r}: write WIDTHxHEIGHT in pixels, e.g. --size 1200x900")
    sides = match.group(1), match.group(2)
    if any(len(side.lstrip("0")) > _SIZE_DIGITS for side in sides):
        from gdplayground.export.render import MAX_SIDE, MIN_SIDE

        raise UsageError(
            f"--size: a side of {max(len(side) for side in sides)} digits is far too large: "
            f"each side must be between {MIN_SIDE} and {MAX_SIDE} pixels"
        )
    return int(sides[0]), int(sides[1])


def check_request(args: argparse.Namespace) -> OutputRequest:
    """Validate the output side of the command before anything is computed."""
    from gdplayground.export.render import ExportError, check_size

    if args.function is None and args.session is None and not _fit_given(args):
        raise UsageError(
            "give a FUNCTION (or a preset name), a fit to data (--fit NAME, --data FILE.csv "
            "or --dataset NAME), or --session FILE"
        )
    if not args.output:
        raise UsageError("-o '': give the name of the file to write, e.g. -o race.png")
    path = Path(args.output)
    suffix = path.suffix.lower()
    animated = suffix in ANIMATION_SUFFIXES
    try:
        if animated:
            from gdplayground.export.animation import animation_format, check_fps

            animation_format(args.view, path)
            fps = check_fps(args.fps if args.fps is not None else DEFAULT_FPS, suffix)
        else:
            from gdplayground.export.image import image_format

            image_format(args.view, path)
            fps = DEFAULT_FPS
        size = parse_size(args.size) if args.size else None
        size = check_size(size or (DEFAULT_ANIMATION_SIZE if animated else DEFAULT_IMAGE_SIZE))
    except ExportError as exc:
        raise UsageError(_with_option(str(exc))) from None
    if animated and args.frame is not None:
        raise UsageError(
            "--frame picks the moment a picture shows; an animation shows them all "
            "(--frames N sets how many)"
        )
    if not animated:
        for given, option in ((args.fps, "--fps"), (args.frames, "--frames")):
            if given is not None:
                raise UsageError(f"{option} applies to animations: write a .gif or .mp4 file")
    if args.turn and not (animated and args.view == "surface"):
        raise UsageError("--turn turns the camera of a surface animation: add --view surface")
    if args.frames is not None and args.frames < 1:
        raise UsageError(f"--frames {args.frames}: write 1 or more")
    if animated and suffix == ".mp4":
        from gdplayground.export.animation import FFMPEG_HINT, find_ffmpeg

        if size[0] % 2 or size[1] % 2:
            raise UsageError(
                f"--size {size[0]}x{size[1]}: MP4 needs an even width and height, "
                f"e.g. {size[0] + size[0] % 2}x{size[1] + size[1] % 2}"
            )
        with stop_signals_held():  # its check runs `ffmpeg -version`: never left running
            found = find_ffmpeg()
        if found is None:
            raise UsageError(FFMPEG_HINT)
    _check_writable(path)
    return OutputRequest(path, args.view, suffix, size, fps, args.frame, args.frames, args.turn)


def _fit_given(args: argparse.Namespace) -> bool:
    """Whether the command line asks for a fit to data."""
    return any(getattr(args, name, None) is not None for name in ("fit", "data", "dataset"))


def _with_option(message: str) -> str:
    return message.replace("size ", "--size ", 1) if message.startswith("size ") else message


def _check_writable(path: Path) -> None:
    """Refuse a target that cannot be written (a device, a FIFO, a folder...) before any work."""
    from gdplayground.io.files import OutputError, output_target

    try:
        output_target(path)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


# ------------------------------------------------------------------ session
def compute_picture(args: argparse.Namespace) -> Picture:
    """Build the session from the arguments, compute it like the window, reduce it to a Picture."""
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.framing import fitted_domain
    from gdplayground.core.picture import picture_from_scene
    from gdplayground.core.scene import build_scene
    from gdplayground.core.trajectory import DIVERGED
    from gdplayground.model.build import build_session

    built = build_session(session_options(args), max_starts=1)
    session = built.session
    surface = args.view == "surface"
    try:
        if built.fit_domain:  # paths first (on a token grid), then the window around them
            rough = build_scene(session, resolution=2, with_surface=False)
            paths = [(r.points, r.status == DIVERGED) for r in rough.runs if r is not None]
            domain = fitted_domain(session.start, paths)
            scene = build_scene(
                replace(session, domain=domain), previous=rough, with_surface=surface
            )
        else:
            scene = build_scene(session, with_surface=surface)
    except ExpressionError as exc:
        raise UsageError(f"in the {getattr(exc, 'part', 'function')}: {exc}") from None
    except ValueError as exc:  # a fit's data that cannot be used (a CSV file that changed)
        from gdplayground.core.data.dataset import DataError

        if not isinstance(exc, DataError):
            raise
        raise UsageError(f"the data: {exc}") from None
    if args.view == "data" and session.fit is None:
        raise UsageError(
            "--view data shows a fit to data: add --fit NAME, --data FILE.csv or --dataset NAME"
        )
    return without_sources(picture_from_scene(scene))


def without_sources(picture: Picture) -> Picture:
    """``picture`` without the runs its paths were taken from: what the views draw
    stays, and unpickling it in the drawing process imports neither the runs'
    classes nor sympy with them (~0.4 s, which the worker loads meanwhile)."""
    from dataclasses import replace as changed

    return changed(picture, paths=tuple(changed(path, source=None) for path in picture.paths))


# ------------------------------------------------------------------ running
def export_command(args: argparse.Namespace) -> int:
    """``gdplayground export``: write the picture or animation (or, to a ``.py``
    file, the race as a PyTorch script); 0 on success."""
    if args.output and Path(args.output).suffix.lower() == ".py":
        return _export_script(args)
    request = check_request(args)
    # both processes need numpy: loaded once, before the worker is forked (~0.1 s
    # off the worker, which is often the one the picture waits for)
    import numpy  # noqa: F401

    with computed_in_parallel(lambda: compute_picture(args)) as pending:
        phase("loading-qt")
        widget = _prepare_view(request.view)
        phase("computing")
        picture = pending()
    phase("writing")
    return _write(request, picture, widget)


def _export_script(args: argparse.Namespace) -> int:
    """The race as a standalone PyTorch script: what ``run`` computes, in torch."""
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.optimizers import OptimizerError
    from gdplayground.export.torch_script import write_session_script
    from gdplayground.io.files import OutputError
    from gdplayground.model.build import build_session

    for given, option in (
        (args.size, "--size"),
        (args.fps, "--fps"),
        (args.frame, "--frame"),
        (args.frames, "--frames"),
        (args.turn or None, "--turn"),
    ):
        if given is not None:
            raise UsageError(f"{option} applies to pictures and animations, not to a script")
    _check_writable(Path(args.output))
    built = build_session(session_options(args))
    try:
        write_session_script(built.session, Path(args.output), built.starts)
    except (ExpressionError, OptimizerError) as exc:
        raise UsageError(str(exc)) from None
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _prepare_view(view: str) -> Any:
    """Load Qt and build the empty view (while the worker computes); OpenGL checked for 3-D."""
    from gdplayground.export.render import ExportError, ensure_application, new_view

    ensure_application(offscreen=view != "surface")  # the 2-D views need no display
    try:
        return new_view(view)
    except ExportError as exc:
        raise UsageError(str(exc)) from None


def _write(request: OutputRequest, picture: Picture, widget: Any) -> int:
    from gdplayground.export.render import ExportError

    try:
        if request.animated:
            from gdplayground.export.animation import write_animation

            write_animation(
                picture,
                request.view,
                request.path,
                request.size,
                request.fps,
                request.frames,
                request.turn,
                widget=widget,
            )
        else:
            from gdplayground.export.image import write_image

            if request.frame is not None and request.frame > picture.last_frame:
                widget.deleteLater()
                raise UsageError(
                    f"--frame {request.frame}: this run has frames 0 to {picture.last_frame}"
                )
            write_image(
                picture, request.view, request.path, request.size, request.frame, widget=widget
            )
    except ExportError as exc:
        raise UsageError(str(exc)) from None
    return 0


# ------------------------------------------------------- parallel computing
def _can_fork() -> bool:
    """Forking is safe before Qt is loaded, with one thread, on a machine with 2+ CPUs."""
    return (
        hasattr(os, "fork")
        and (os.cpu_count() or 1) > 1
        and "PySide6" not in sys.modules
        and threading.active_count() == 1
    )


@contextmanager
def computed_in_parallel(compute: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Run ``compute`` in a forked worker; yield a function that waits for its result.

    UsageError raised by ``compute`` is raised again here, with its message.
    Without fork (or when unsafe) ``compute`` runs in this process when the
    result is first asked for.
    """
    if not _can_fork():
        yield compute
        return
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    with stop_signals_held():  # a signal waits until the worker is known (to be killed)
        pid = os.fork()
        if pid == 0:  # the worker: stop signals simply end it
            default_stop_handlers()
            _die_with(parent)
        else:
            track_child(pid)
    if pid == 0:  # compute, send the outcome, leave without cleanup
        os.close(read_end)
        _serve(compute, write_end)
    os.close(write_end)
    done = False

    def result() -> T:
        nonlocal done
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        done = True
        _, status = os.waitpid(pid, 0)
        forget_child(pid)
        if not data:
            raise RuntimeError(f"the worker process stopped (status {status}) without a result")
        kind, value = pickle.loads(data)  # our own child's bytes
        if kind == "usage":
            raise UsageError(value)
        if kind == "interrupted":
            raise KeyboardInterrupt
        if kind == "error":
            raise RuntimeError(value)
        return value

    try:
        yield result
    finally:
        if not done:  # we failed before asking: do not leave the worker behind
            os.close(read_end)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            forget_child(pid)


_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies, even by ``kill -9``."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _serve(compute: Callable[[], Any], write_end: int) -> None:
    """In the worker: run ``compute`` and write the pickled outcome; never returns."""
    code = 0
    try:
        try:
            outcome: tuple[str, Any] = ("ok", compute())
        except (UsageError, SessionError) as exc:
            outcome = ("usage", str(exc))
        except KeyboardInterrupt:
            outcome, code = ("interrupted", None), 130
        except BaseException as exc:  # reported by the parent as an internal error
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:
        code = code or 1
    finally:
        os._exit(code)
