"""Build the window's views for a picture offscreen and render them.

This is the one rendering path of every export, from the GUI and the command
line alike: the same :class:`ContourView`, :class:`SurfaceView`,
:class:`LossView` and :class:`DataView` as the window, fed the same way, laid out at the requested
pixel size on a hidden widget, then painted into an image (or an SVG / PDF
painter).  An export therefore looks like the window.

Without a display (no ``DISPLAY`` / ``WAYLAND_DISPLAY`` on Linux) Qt is put on
its ``offscreen`` platform, which draws the 2-D views but has no OpenGL for
the 3-D view: that one then reports :data:`NO_OPENGL_MESSAGE`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from gdplayground.core.picture import Picture, picture_from_scene

VIEWS = ("contour", "surface", "loss", "data", "sweep")
MIN_SIDE, MAX_SIDE = 64, 8192
NO_OPENGL_MESSAGE = (
    "the 3-D view needs OpenGL: run under xvfb-run (e.g. xvfb-run -a gdplayground export ...) "
    "or on a desktop"
)
#: Qt platforms that draw widgets without OpenGL support for QOpenGLWidget.
_NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc", "linuxfb")
CAMERA_KEYS = ("center", "distance", "fov", "elevation", "azimuth")


class ExportError(ValueError):
    """An export that cannot be made; the message says what to change."""


def is_headless() -> bool:
    """Whether this (X11/Wayland) system has no display to open windows on."""
    if sys.platform in ("win32", "darwin"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Validate a (width, height) in pixels; raise ExportError if out of range."""
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ExportError(f"size {size!r}: give (width, height) in pixels") from None
    for value in (width, height):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ExportError(
                f"size {width}x{height}: each side must be between {MIN_SIDE} and {MAX_SIDE} pixels"
            )
    return width, height


def check_view(view: str) -> str:
    """Validate a view name."""
    if view not in VIEWS:
        raise ExportError(f"unknown view {view!r}: use one of {', '.join(VIEWS)}")
    return view


def check_frame(picture: Picture, frame: int | None) -> int:
    """The frame to draw: ``None`` is the last one; out-of-range frames are refused."""
    if frame is None:
        return picture.last_frame
    if not 0 <= int(frame) <= picture.last_frame:
        raise ExportError(f"frame {frame}: this run has frames 0 to {picture.last_frame}")
    return int(frame)


# ---------------------------------------------------------------- Qt set-up
def ensure_application(offscreen: bool = False) -> Any:
    """The running QApplication, or a new one.

    A new one uses Qt's offscreen platform when there is no display, or when
    ``offscreen`` asks for it (the 2-D views need no display), unless
    ``QT_QPA_PLATFORM`` already names a platform.
    """
    from gdplayground.qt._qt import QtWidgets, match_opengl_platform

    app = QtWidgets.QApplication.instance()
    if app is None:
        if offscreen or is_headless():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QtWidgets.QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "gdplayground"])
        match_opengl_platform(app)
    return app


def opengl_problem() -> str | None:
    """Why the 3-D view cannot be rendered here (None when OpenGL works)."""
    app = ensure_application()
    if app.platformName() in _NO_GL_PLATFORMS:
        return NO_OPENGL_MESSAGE
    from gdplayground.qt._qt import QtGui

    context = QtGui.QOpenGLContext()
    surface = QtGui.QOffscreenSurface()
    try:
        if not context.create():
            return NO_OPENGL_MESSAGE
        surface.setFormat(context.format())
        surface.create()
        if not surface.isValid() or not context.makeCurrent(surface):
            return NO_OPENGL_MESSAGE
        context.doneCurrent()
    finally:
        surface.destroy()
    return None


def require_opengl() -> None:
    """Raise ExportError with :data:`NO_OPENGL_MESSAGE` if the 3-D view cannot render."""
    problem = opengl_problem()
    if problem is not None:
        raise ExportError(problem)


def _settle(widget: Any, size: tuple[int, int]) -> None:
    """Lay ``widget`` out at ``size`` as a window that never appears on screen."""
    from gdplayground.qt._qt import QtCore, QtWidgets

    widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    if hasattr(widget, "grabFramebuffer"):
        # the OpenGL framebuffer is in device pixels: on a high-DPI screen the
        # widget is smaller in logical pixels, so the picture has ``size`` pixels
        ratio = widget.screen().devicePixelRatio() if widget.screen() else 1.0
        widget.resize(max(1, round(size[0] / ratio)), max(1, round(size[1] / ratio)))
    else:
        # exports paint the view themselves (render()); no screen paints wanted
        widget.setUpdatesEnabled(False)
        widget.resize(*size)
    widget.show()
    app = QtWidgets.QApplication.instance()
    app.sendPostedEvents()
    app.processEvents()


# ------------------------------------------------------------------- views
def as_picture(source: Any) -> Picture:
    """A :class:`Picture` as is, or the picture of a computed scene."""
    return source if isinstance(source, Picture) else picture_from_scene(source)


def feed(view: Any, picture: Picture, frame: int) -> None:
    """Give a view ``picture`` at ``frame``: exactly what the window does."""
    view.set_picture(picture)
    view.set_frame(frame)


def camera_of(view: Any) -> dict[str, Any]:
    """The camera of a SurfaceView as plain values, to pass back as ``camera=``."""
    params = view.cameraParams()
    centre = params["center"]
    camera = {key: float(params[key]) for key in ("distance", "fov", "elevation", "azimuth")}
    camera["center"] = (float(centre.x()), float(centre.y()), float(centre.z()))
    return camera


def apply_camera(view: Any, camera: Mapping[str, Any]) -> None:
    """Point a SurfaceView's camera (keys of :data:`CAMERA_KEYS`, all optional)."""
    unknown = sorted(set(camera) - set(CAMERA_KEYS))
    if unknown:
        raise ExportError(f"camera: unknown key(s) {', '.join(unknown)}; use {CAMERA_KEYS}")
    from gdplayground.qt._qt import QtGui

    params: dict[str, Any] = {}
    try:
        for key in ("distance", "fov", "elevation", "azimuth"):
            if camera.get(key) is not None:
                params[key] = float(camera[key])
        if camera.get("center") is not None:
            x, y, z = (float(v) for v in camera["center"])
            params["center"] = QtGui.QVector3D(x, y, z)
    except (TypeError, ValueError):
        raise ExportError(f"camera {dict(camera)!r}: use numbers, center as (x, y, z)") from None
    view.setCameraParams(**params)


def new_view(view: str) -> Any:
    """An empty view widget of kind ``view``, to fill with :func:`offscreen_view`.

    Building it is a noticeable part of a command-line export, so a caller
    that waits for something else (the computation) can build it meanwhile.
    """
    check_view(view)
    ensure_application()
    if view == "surface":
        require_opengl()
        from gdplayground.qt.surface_view import SurfaceView

        return SurfaceView()
    if view == "contour":
        from gdplayground.qt.contour_view import ContourView

        return ContourView()
    if view == "data":
        from gdplayground.qt.data_view import DataView

        return DataView()
    if view == "sweep":
        from gdplayground.qt.sweep_view import SweepView

        return SweepView()
    from gdplayground.qt.loss_view import LossView

    return LossView()


@contextmanager
def offscreen_view(
    picture: Picture,
    view: str,
    size: tuple[int, int],
    frame: int | None = None,
    camera: Mapping[str, Any] | None = None,
    widget: Any = None,
) -> Iterator[Any]:
    """A hidden view of ``picture`` at ``size`` pixels, drawn at ``frame``; closed afterwards.

    ``widget``, if given, is an unused :func:`new_view` of the same kind.
    """
    check_view(view)
    if view == "data" and picture.data is None:
        raise ExportError(
            "the data view shows a fit to data: add --fit NAME, --data FILE.csv or --dataset NAME"
        )
    size = check_size(size)
    frame = check_frame(picture, frame)
    if widget is None:
        widget = new_view(view)
    feed(widget, picture, frame)
    if view == "surface" and camera:
        apply_camera(widget, camera)
    try:
        _settle(widget, size)
        yield widget
    finally:
        widget.close()
        widget.deleteLater()


# ---------------------------------------------------------------- painting
def paint_2d(widget: Any, painter: Any, size: tuple[int, int]) -> None:
    """Paint a laid-out 2-D view (its background, plots and legend) with ``painter``."""
    from gdplayground.qt._qt import QtCore

    width, height = size
    widget.scene().prepareForPaint()
    widget.render(
        painter,
        QtCore.QRectF(0, 0, width, height),
        QtCore.QRect(0, 0, width, height),
        QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
    )


def grab(widget: Any, size: tuple[int, int]) -> Any:
    """The laid-out view as a ``Format_RGB32`` QImage of exactly ``size`` pixels."""
    from gdplayground.qt._qt import QtGui

    if hasattr(widget, "grabFramebuffer"):  # the OpenGL 3-D view
        return grab_framebuffer(widget, size)
    image = QtGui.QImage(size[0], size[1], QtGui.QImage.Format.Format_RGB32)
    image.fill(widget.backgroundBrush().color())
    painter = QtGui.QPainter(image)
    try:
        paint_2d(widget, painter, size)
    finally:
        painter.end()
    return image


def grab_framebuffer(widget: Any, size: tuple[int, int]) -> Any:
    """What the 3-D view draws now, as a ``Format_RGB32`` QImage of exactly ``size`` pixels."""
    from gdplayground.qt._qt import QtCore, QtGui

    image = widget.grabFramebuffer()
    if image.isNull() or image.width() < 2 or image.height() < 2:
        raise ExportError(NO_OPENGL_MESSAGE)
    if (image.width(), image.height()) != tuple(size):  # a fractional device pixel ratio
        image = image.scaled(
            size[0],
            size[1],
            QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
            QtCore.Qt.TransformationMode.SmoothTransformation,
        )
    image.setDevicePixelRatio(1.0)
    return image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
