"""Still images of a view: PNG, SVG or PDF of the contour and loss views, PNG of the 3-D view.

The format comes from the file's suffix.  Qt encodes each image into memory
(where no write can fail unseen: Qt's file writers report a full disk with a
message on stderr, or not at all); :mod:`gdplayground.io.files` then writes the
bytes beside the target, checked and synced, and renames them into place, so
a failure never leaves half a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdplayground.export.render import (
    ExportError,
    as_picture,
    check_size,
    check_view,
    grab,
    offscreen_view,
    paint_2d,
)
from gdplayground.io.files import OutputError, atomic_write_bytes

if TYPE_CHECKING:
    from gdplayground.core.picture import Picture
    from gdplayground.core.scene import Scene

__all__ = [
    "IMAGE_FORMATS",
    "ExportError",
    "export_image",
    "image_format",
    "render_image",
    "write_image",
]

#: The image suffixes each view can be saved as.
IMAGE_FORMATS: dict[str, tuple[str, ...]] = {
    "contour": (".png", ".svg", ".pdf"),
    "loss": (".png", ".svg", ".pdf"),
    "data": (".png", ".svg", ".pdf"),
    "surface": (".png",),
    "sweep": (".png", ".svg", ".pdf"),
}
#: Qt's PNG "quality" 80 is zlib level 1: several times faster than the default
#: level for a few percent more bytes on these smooth pictures.
_PNG_QUALITY = 80


def image_format(view: str, path: str | Path) -> str:
    """The suffix (".png", ".svg", ".pdf") for ``path``; ExportError if ``view`` can't use it."""
    check_view(view)
    suffix = Path(path).suffix.lower()
    allowed = IMAGE_FORMATS[view]
    if suffix in allowed:
        return suffix
    names = ", ".join(s[1:].upper() for s in allowed)
    if view == "surface" and suffix in (".svg", ".pdf"):
        raise ExportError(
            f"{Path(path).name}: the 3-D view is a rendered picture, so it saves as PNG only; "
            "write a .png file"
        )
    shown = suffix or "no suffix"
    endings = ", ".join(allowed[:-1]) + " or " + allowed[-1] if len(allowed) > 1 else allowed[0]
    raise ExportError(
        f"{Path(path).name}: cannot tell the image format from {shown}; "
        f"the {view} view saves as {names}: end the file name in {endings}"
    )


def render_image(
    picture: Picture | Scene,
    view: str,
    size: tuple[int, int] = (1200, 900),
    frame: int | None = None,
    camera: Mapping[str, Any] | None = None,
) -> Any:
    """``view`` of ``picture`` (or of a scene) at ``frame`` (None: the last) as a QImage."""
    size = check_size(size)
    with offscreen_view(as_picture(picture), view, size, frame, camera) as widget:
        return grab(widget, size)


def export_image(
    picture: Picture | Scene,
    view: str,
    path: str | Path,
    size: tuple[int, int] = (1200, 900),
    frame: int | None = None,
    camera: Mapping[str, Any] | None = None,
) -> None:
    """Save ``view`` ("contour", "surface" or "loss") of ``picture`` (or a scene) to ``path``.

    The suffix picks the format: .png, .svg or .pdf (the 3-D view: .png only).
    ``size`` is in pixels (for SVG / PDF, the page in 96-dpi pixels); ``frame``
    None draws every path in full; ``camera`` (3-D only) is what
    :func:`gdplayground.export.render.camera_of` returns.  Raises ExportError
    with an actionable message for an unsupported combination or an
    unwritable path.
    """
    write_image(as_picture(picture), view, path, size, frame, camera)


def write_image(
    picture: Picture,
    view: str,
    path: str | Path,
    size: tuple[int, int] = (1200, 900),
    frame: int | None = None,
    camera: Mapping[str, Any] | None = None,
    *,
    widget: Any = None,
) -> None:
    """Like :func:`export_image`, from a :class:`Picture`.

    ``widget``, if given, is an unused ``render.new_view(view)`` built in advance.
    """
    suffix = image_format(view, path)
    size = check_size(size)
    if camera and view != "surface":
        raise ExportError("camera only applies to the 3-D (surface) view")
    with offscreen_view(picture, view, size, frame, camera, widget) as widget:
        if suffix == ".png":
            data = png_bytes(grab(widget, size))
        else:
            data = _vector_bytes(widget, size, suffix)
    try:
        atomic_write_bytes(path, data)
    except OutputError as exc:
        raise ExportError(str(exc)) from None


def png_bytes(image: Any) -> bytes:
    """``image`` (a QImage) encoded as PNG, in memory."""
    from gdplayground.qt._qt import QtCore

    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG", _PNG_QUALITY):
        raise ExportError(
            f"could not encode a {image.width()}x{image.height()} PNG: try a smaller --size"
        )
    return bytes(buffer.data())


def _vector_bytes(widget: Any, size: tuple[int, int], suffix: str) -> bytes:
    """Paint the view into an SVG or PDF: lines and text stay vectors, the colour fill an image."""
    from gdplayground.qt._qt import QtCore, QtGui, QtWidgets

    width, height = size
    # item caches and pyqtgraph's symbol atlas would turn curves and markers into
    # bitmaps; in export mode every item draws real strokes
    for item in widget.scene().items():
        item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.NoCache)
        if hasattr(item, "setExportMode"):
            item.setExportMode(True, {"antialias": True})
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if suffix == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        _split_long_curves(widget)

        device = QSvgGenerator()
        device.setOutputDevice(buffer)
        device.setSize(QtCore.QSize(width, height))
        device.setViewBox(QtCore.QRect(0, 0, width, height))
        device.setResolution(96)
        device.setTitle("gdplayground")
    else:
        device = QtGui.QPdfWriter(buffer)
        device.setResolution(96)
        device.setCreator("gdplayground")
        page = QtCore.QSizeF(width * 72.0 / 96.0, height * 72.0 / 96.0)
        device.setPageSize(QtGui.QPageSize(page, QtGui.QPageSize.Unit.Point))
        device.setPageMargins(QtCore.QMarginsF(0, 0, 0, 0))
    painter = QtGui.QPainter()
    if not painter.begin(device):
        raise ExportError(f"could not start drawing the {suffix[1:].upper()} file")
    try:
        painter.fillRect(QtCore.QRectF(0, 0, width, height), widget.backgroundBrush())
        paint_2d(widget, painter, size)
    finally:
        ended = painter.end()
    data = bytes(buffer.data())
    if not ended or not data:
        raise ExportError(f"could not finish drawing the {suffix[1:].upper()} file")
    return data


#: Qt's own SVG reader (used by many image viewers) drops a path of more than
#: 32767 elements; long curves are written as several paths of at most this many points.
SVG_PATH_POINTS = 10_000


def _split_long_curves(widget: Any) -> None:
    """Replace each long curve of a throwaway view by several short ones, drawn alike."""
    from gdplayground.qt._qt import pg

    for item in list(widget.scene().items()):
        if not isinstance(item, pg.PlotCurveItem) or not item.isVisible():
            continue
        xs, ys = item.getData()
        if xs is None or len(xs) <= SVG_PATH_POINTS:
            continue
        connect = item.opts["connect"]
        pairs = isinstance(connect, str) and connect == "pairs"
        for start in range(0, len(xs), SVG_PATH_POINTS):
            # keep pairs whole; other curves share their joining point
            end = min(start + SVG_PATH_POINTS + (0 if pairs else 1), len(xs))
            part_connect = connect if isinstance(connect, str) else connect[start:end]
            part = pg.PlotCurveItem(
                xs[start:end],
                ys[start:end],
                connect=part_connect,
                pen=item.opts["pen"],
                shadowPen=item.opts["shadowPen"],
                antialias=item.opts["antialias"],
            )
            part.setParentItem(item.parentItem())
            part.setZValue(item.zValue())
            part.setOpacity(item.opacity())
            part.setExportMode(True, {"antialias": True})
        item.setVisible(False)
