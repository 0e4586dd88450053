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
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from gdplayground.cli import (
    DEFAULT_START,
    MAX_POINT_STEPS,
    UsageError,
    parse_number,
    parse_optimizer,
    parse_pair,
)

if TYPE_CHECKING:
    import numpy as np

    from gdplayground.core.session import OptimizerEntry, Session
    from gdplayground.export.picture import Picture

T = TypeVar("T")

ANIMATION_SUFFIXES = (".gif", ".mp4")
DEFAULT_IMAGE_SIZE = (1200, 900)
DEFAULT_ANIMATION_SIZE = (640, 480)
DEFAULT_FPS = 20.0
DEFAULT_STEPS = 100
DEFAULT_TOL = 1e-10
#: A window chosen around the paths is at least this wide and high, and gets
#: this fraction of its size as a margin on every side.
MIN_SPAN = 1.0
MARGIN = 0.08
_SIZE = re.compile(r"^\s*(\d+)\s*[xX×,]\s*(\d+)\s*$")


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
        raise UsageError(f"--size {text!r}: write WIDTHxHEIGHT in pixels, e.g. --size 1200x900")
    return int(match.group(1)), int(match.group(2))


def parse_domain(text: str) -> tuple[float, float, float, float]:
    """``-2,2,-1,3`` -> (xmin, xmax, ymin, ymax), checked."""
    parts = text.split(",")
    if len(parts) != 4:
        raise UsageError(
            f"--domain {text!r}: write four numbers XMIN,XMAX,YMIN,YMAX, e.g. --domain=-2,2,-1,3"
        )
    values = [parse_number(part, "--domain") for part in parts]
    from gdplayground.core.session import domain_problem

    problem = domain_problem(tuple(values))  # type: ignore[arg-type]
    if problem:
        raise UsageError(f"--domain {text}: {problem} (XMIN,XMAX,YMIN,YMAX)")
    xmin, xmax, ymin, ymax = values
    return xmin, xmax, ymin, ymax


def check_request(args: argparse.Namespace) -> OutputRequest:
    """Validate the output side of the command before anything is computed."""
    from gdplayground.export.render import ExportError, check_size

    if args.function is None and args.session is None:
        raise UsageError("give a FUNCTION (or a preset name), or --session FILE")
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
        if find_ffmpeg() is None:
            raise UsageError(FFMPEG_HINT)
    _check_writable(path)
    return OutputRequest(path, args.view, suffix, size, fps, args.frame, args.frames, args.turn)


def _with_option(message: str) -> str:
    return message.replace("size ", "--size ", 1) if message.startswith("size ") else message


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder; give a file name")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: no permission to write in {folder}")


# ------------------------------------------------------------------ session
def _function_and_preset(text: str) -> tuple[str, str | None]:
    """A preset name stands for its formula; a formula equal to a preset's keeps its window."""
    from gdplayground.core.presets import find_preset

    preset = find_preset(text)
    return (preset.formula, preset.key) if preset else (text, None)


def _entries(texts: Sequence[str]) -> tuple[OptimizerEntry, ...]:
    from gdplayground.core.optimizers import FIRST_ORDER, OPTIMIZERS, OptimizerError
    from gdplayground.core.session import entry_for

    choices = [parse_optimizer(t) for t in texts] or [parse_optimizer(n) for n in FIRST_ORDER]
    entries = []
    for index, choice in enumerate(choices):
        try:
            entries.append(entry_for(choice.name, index, choice.params))
        except OptimizerError as exc:
            raise UsageError(str(exc)) from None
    # the same method twice gets its hyperparameters in its name
    methods = [e.method for e in entries]
    for index, (entry, choice) in enumerate(zip(entries, choices, strict=True)):
        if methods.count(entry.method) > 1:
            detail = choice.text.partition(":")[2] or "defaults"
            title = OPTIMIZERS[entry.method].title
            entries[index] = replace(entry, name=f"{title} ({detail})")
    return tuple(entries)


def session_from_args(args: argparse.Namespace) -> tuple[Session, bool]:
    """The session the arguments describe, and whether its window should fit the paths."""
    from gdplayground.core.presets import load_presets
    from gdplayground.core.session import Session, SessionError, load_session, start_inside

    base = None
    if args.session:
        try:
            base = load_session(args.session)
        except SessionError as exc:
            raise UsageError(f"--session {args.session}: {exc}") from None
    gradient = args.gradient or (base.gradient if base else "symbolic")
    if args.h is not None and gradient != "numeric":
        raise UsageError("--h only applies to --gradient numeric: add --gradient numeric")
    h = args.h if args.h is not None else (base.h if base else None)

    if args.function is not None:
        function, preset = _function_and_preset(args.function)
    else:
        assert base is not None
        function, preset = base.function, base.preset
    presets = load_presets()

    if len(args.start) > 1:
        raise UsageError(
            f"--start given {len(args.start)} times: an export shows one start point, "
            "as the window does; give one --start"
        )
    if args.start:
        start = parse_pair(args.start[0], "--start")
    elif base is not None:
        start = base.start
    else:
        start = DEFAULT_START
        if preset is not None:  # as the window does when a preset is chosen
            start = start_inside(start, presets[preset].domain)

    fit = False
    if args.domain:
        domain = parse_domain(args.domain)
    elif preset is not None and (args.function is not None or base is None):
        domain = presets[preset].domain
    elif base is not None:
        domain = base.domain
    else:
        domain, fit = (start[0] - 1, start[0] + 1, start[1] - 1, start[1] + 1), True

    optimizers = _entries(args.optimizer) if args.optimizer or base is None else base.optimizers
    steps = args.steps if args.steps is not None else (base.steps if base else DEFAULT_STEPS)
    tol = args.tol if args.tol is not None else (base.tol if base else DEFAULT_TOL)
    enabled = sum(e.enabled for e in optimizers)
    if enabled * (steps + 1) > MAX_POINT_STEPS:
        raise UsageError(
            f"{enabled} optimizers x {steps} steps is too much to draw: use fewer steps"
        )
    common = dict(
        function=function,
        domain=domain,
        start=start,
        optimizers=optimizers,
        gradient=gradient,
        h=h,
        steps=steps,
        tol=tol,
        preset=preset,
    )
    if base is not None:
        return replace(base, **common), fit
    return Session(**common), fit  # type: ignore[arg-type]


def fitted_domain(
    start: tuple[float, float], paths: Sequence[tuple[np.ndarray, bool]]
) -> tuple[float, float, float, float]:
    """A window around the start and the paths, with a margin, at least :data:`MIN_SPAN` wide.

    ``paths`` are (points, diverged) pairs.  Diverging paths only count while
    they stay near the others, so one runaway does not shrink everything else.
    """
    import numpy as np

    def finite(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return points[np.isfinite(points).all(axis=1)]

    settled = [np.array([start], dtype=np.float64)]
    settled += [finite(p) for p, diverged in paths if not diverged]
    box = np.concatenate(settled)
    low, high = box.min(axis=0), box.max(axis=0)
    centre, span = (low + high) / 2, max(float((high - low).max()), MIN_SPAN)
    for points, diverged in paths:
        if diverged:
            near = finite(points)
            near = near[(np.abs(near - centre) <= 2 * span).all(axis=1)]
            if len(near):
                low, high = np.minimum(low, near.min(axis=0)), np.maximum(high, near.max(axis=0))
    sides = high - low
    sides = np.maximum(sides, max(MIN_SPAN, 0.3 * float(sides.max())))
    centre = (low + high) / 2
    half = sides * (0.5 + MARGIN)
    return (
        float(centre[0] - half[0]),
        float(centre[0] + half[0]),
        float(centre[1] - half[1]),
        float(centre[1] + half[1]),
    )


def compute_picture(args: argparse.Namespace) -> Picture:
    """Build the session from the arguments, compute it like the window, reduce it to a Picture."""
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.scene import build_scene
    from gdplayground.core.trajectory import DIVERGED
    from gdplayground.export.picture import picture_from_scene

    session, fit = session_from_args(args)
    try:
        if fit:  # paths first (on a token grid), then the window around them
            rough = build_scene(session, resolution=2)
            paths = [(r.points, r.status == DIVERGED) for r in rough.runs if r is not None]
            domain = fitted_domain(session.start, paths)
            scene = build_scene(replace(session, domain=domain), previous=rough)
        else:
            scene = build_scene(session)
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None
    return picture_from_scene(scene)


# ------------------------------------------------------------------ running
def export_command(args: argparse.Namespace) -> int:
    """``gdplayground export``: write the picture or animation; 0 on success."""
    request = check_request(args)
    # both processes need numpy: loaded once, before the worker is forked (~0.1 s
    # off the worker, which is often the one the picture waits for)
    import numpy  # noqa: F401

    with computed_in_parallel(lambda: compute_picture(args)) as pending:
        widget = _prepare_view(request.view)
        picture = pending()
    return _write(request, picture, widget)


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
    pid = os.fork()
    if pid == 0:  # the worker: compute, send the outcome, leave without cleanup
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
                os.kill(pid, 15)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _serve(compute: Callable[[], Any], write_end: int) -> None:
    """In the worker: run ``compute`` and write the pickled outcome; never returns."""
    code = 0
    try:
        try:
            outcome: tuple[str, Any] = ("ok", compute())
        except UsageError as exc:
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
