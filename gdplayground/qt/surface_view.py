"""3-D view: f as a lit, colour-mapped surface with the optimizer paths drawn on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph.opengl as gl
from OpenGL import GL
from pyqtgraph.opengl.GLViewWidget import GLViewMixin
from PySide6.QtOpenGL import QOpenGLFramebufferObject, QOpenGLWindow

from gdplayground.core.picture import PathData, Picture, same_geometry
from gdplayground.core.sampling import Grid
from gdplayground.core.surface import Z_HEIGHT, SceneTransform, Surface, SurfaceMesh, surface_of
from gdplayground.model.session import ViewOptions
from gdplayground.qt import palette, style
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, is_dark
from gdplayground.qt.explore_surface import SurfaceExploreLayers
from gdplayground.qt.geometry import clip_polyline, nice_ticks

#: Paths float this far (in scene units) above the surface so they are not buried.
PATH_LIFT = 0.015
#: Paths are clipped at the edge of the window (the surface ends there too),
#: and where they rise above the top of the surface box.
PATH_LIMIT = 1.0
CEILING = 1.05 * Z_HEIGHT + PATH_LIFT
#: The box gets numbers on its edges only in a view at least this many pixels
#: (times the text scale) wide and high.
TICK_ROOM_PX = 240

# Lines on top of everything, with blending: a path behind a hill stays visible.
_OVERLAY = {
    GL.GL_DEPTH_TEST: False,
    GL.GL_BLEND: True,
    GL.GL_CULL_FACE: False,
    "glBlendFuncSeparate": (
        GL.GL_SRC_ALPHA,
        GL.GL_ONE_MINUS_SRC_ALPHA,
        GL.GL_ONE,
        GL.GL_ONE_MINUS_SRC_ALPHA,
    ),
}


def segments_below(
    positions: np.ndarray, connect: np.ndarray, ceiling: float
) -> tuple[np.ndarray, np.ndarray]:
    """Polyline -> segment endpoint pairs (m-1, 2, 3), cut where they rise above ``ceiling``.

    Segments not connected, or entirely above, collapse to a point (draw
    nothing), so segment k always sits at index k and prefixes stay slices.
    Also returns which vertices are at or below the ceiling.
    """
    a, b = positions[:-1].astype(np.float64), positions[1:].astype(np.float64)
    za, zb = a[:, 2], b[:, 2]
    below = positions[:, 2] <= ceiling
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((ceiling - za) / (zb - za), 0.0, 1.0)
    crossing = a + t[:, None] * (b - a)
    start = np.where((za > ceiling)[:, None], crossing, a)
    end = np.where((zb > ceiling)[:, None], crossing, b)
    hidden = ~connect[:-1] | ((za > ceiling) & (zb > ceiling))
    start[hidden] = a[hidden]
    end[hidden] = a[hidden]
    return np.ascontiguousarray(np.stack([start, end], axis=1), dtype=np.float32), below


@dataclass
class _PathItems:
    line: gl.GLLinePlotItem
    segments: np.ndarray  # (m-1, 2, 3) float32 segment endpoints in scene units
    positions: np.ndarray  # (m, 3) float32 clipped polyline vertices
    prefix_end: np.ndarray  # path row -> number of polyline vertices drawn
    shown: np.ndarray  # path row -> its point is inside the box (gets a marker)


class SurfaceScene:
    """f as a 3-D surface; each optimizer's path drawn on it up to the current frame.

    Rotate with the left mouse button, zoom with the wheel (pyqtgraph's
    GLViewMixin).  The mesh is built once per :meth:`set_grid`; :meth:`set_frame`
    only changes which prefix of each (precomputed) path is drawn.  Mixed into
    :class:`SurfaceView` (a widget: exports, tests) and :class:`SurfaceWindow`
    (a native window: the main window).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.setBackgroundColor("#1e1e1e" if is_dark() else "w")
        self._grid: Grid | None = None
        self._axis_names = ("x", "y", "f")
        self._surface: Surface | None = None
        self._text_scale = self._line_scale = 1.0
        self._transform: SceneTransform | None = None
        self._paths: list[PathData] = []
        self._items: list[_PathItems] = []
        self._frame = 0
        self._current_colours = np.empty((0, 4), dtype=np.float32)

        self.surface = gl.GLMeshItem(
            smooth=True, computeNormals=False, drawEdges=False, glOptions="opaque"
        )
        self.surface.setVisible(False)
        self.addItem(self.surface)

        self.floor = gl.GLGridItem(color=(0, 0, 0, 60) if not is_dark() else (255, 255, 255, 60))
        self.floor.setSize(2, 2)
        self.floor.setSpacing(0.25, 0.25)
        self.addItem(self.floor)

        self.current_item = gl.GLScatterPlotItem(size=11, pxMode=True, glOptions=_OVERLAY)
        self.current_item.setDepthValue(10)
        self.addItem(self.current_item)
        self.minima_item = gl.GLScatterPlotItem(size=9, pxMode=True, glOptions=_OVERLAY)
        self.minima_item.setDepthValue(9)
        self.addItem(self.minima_item)
        # where every path starts: a white dot in a black ring, as on the contour view
        self.start_item = gl.GLScatterPlotItem(size=14, pxMode=True, glOptions=_OVERLAY)
        self.start_item.setDepthValue(8)
        self.addItem(self.start_item)
        self._minima: np.ndarray = np.empty((0, 2))

        self.axis_labels = [
            gl.GLTextItem(text=text, color=(40, 40, 40, 255)) for text in ("x", "y", "f")
        ]
        for label in self.axis_labels:
            self.addItem(label)
        #: numbers along the x, y and f edges of the box (GLTextItems, reused), and
        #: the vertical edge the f numbers stand by
        self._ticks: list[gl.GLTextItem] = []
        self.f_edge = gl.GLLinePlotItem(
            color=(0.3, 0.3, 0.3, 1.0) if not is_dark() else (0.8, 0.8, 0.8, 1.0),
            width=1.5,
            antialias=True,
        )
        self.addItem(self.f_edge)
        self.explore = SurfaceExploreLayers(self, PATH_LIFT, _OVERLAY)  # stationary points
        self.reset_camera()

    # ---------------------------------------------------------------- camera
    def reset_camera(self) -> None:
        """Default view: elevation 30°, azimuth -60°, the box filling the view."""
        self.setCameraPosition(
            pos=QtGui.QVector3D(0.0, 0.0, Z_HEIGHT * 0.35),
            distance=self._framing_distance(),
            elevation=30,
            azimuth=-60,
        )

    def _framing_distance(self) -> float:
        """How far the camera must be for the box (and its labels) to fill the view:
        its bounding sphere inside the narrower of the two fields of view."""
        width, height = max(self.width(), 1), max(self.height(), 1)
        # pyqtgraph's fov is the horizontal one; the vertical follows the view's shape
        horizontal = np.radians(self.opts.get("fov", 60.0))
        vertical = 2 * np.arctan(np.tan(horizontal / 2) * height / width)
        radius = 0.5 * np.sqrt(2.2**2 + 2.2**2 + (Z_HEIGHT + 0.2) ** 2)  # with label room
        return float(radius / np.sin(min(vertical, horizontal) / 2)) * 1.1

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._camera_untouched():
            self.setCameraParams(distance=self._framing_distance())
        self._show_ticks_if_room()

    def _show_ticks_if_room(self) -> None:
        """Numbers on the box only where the view has room for them (large text in a
        small view would cover the surface)."""
        room = min(self.width(), self.height()) >= TICK_ROOM_PX * self._text_scale
        shown = [
            room and getattr(tick, "axis", None) is not None and tick.text != ""
            for tick in getattr(self, "_ticks", [])
        ]
        if any(shown):
            shown = self._without_crowded_heights(shown)
        for tick, visible in zip(getattr(self, "_ticks", []), shown, strict=True):
            if tick.visible() != visible:  # (a change repaints the view)
                tick.setVisible(visible)

    def _without_crowded_heights(self, shown: list[bool]) -> list[bool]:
        """``shown`` less the numbers on the vertical edge that would print over the
        axis's name or over the number above them, at this view's size and camera:
        from the top down, each keeps a line of text clear above it."""
        heights = [
            i
            for i, (tick, on) in enumerate(zip(self._ticks, shown, strict=True))
            if on and tick.axis == "f"
        ]
        if not heights:
            return shown
        line = self._tick_line_height()
        camera = self._camera_matrix()  # once for all the numbers (this runs every paint)
        last = self.screen_point(self.axis_labels[2].pos, camera)[1]  # the name, above them
        shown = list(shown)
        for i in sorted(heights, key=lambda i: -float(self._ticks[i].pos[2])):
            y = self.screen_point(self._ticks[i].pos, camera)[1]
            if y - last >= 0.9 * line:
                last = y
            else:
                shown[i] = False
        return shown

    def _tick_line_height(self) -> float:
        return QtGui.QFontMetricsF(style.font(style.TICK_PT, self._text_scale)).height()

    def _camera_matrix(self) -> QtGui.QMatrix4x4:
        """Scene to clip coordinates, for the view's size and camera."""
        region = (0, 0, max(self.width(), 1), max(self.height(), 1))
        return self.projectionMatrix(region, region) * self.viewMatrix()

    def screen_point(
        self, position: Sequence[float] | np.ndarray, camera: QtGui.QMatrix4x4 | None = None
    ) -> tuple[float, float]:
        """Where in the view (pixels from its top left) the camera shows ``position``
        (a point of the scene); -inf behind the camera.  ``camera``: the
        :meth:`_camera_matrix`, when it is at hand."""
        width, height = max(self.width(), 1), max(self.height(), 1)
        camera = self._camera_matrix() if camera is None else camera
        v = camera.map(QtGui.QVector4D(*(float(c) for c in position), 1.0))
        if v.w() <= 0:
            return -np.inf, -np.inf
        return (1.0 + v.x() / v.w()) * width / 2, (1.0 - v.y() / v.w()) * height / 2

    def paintGL(self, *args: object, **kwargs: object) -> None:  # noqa: N802 - Qt's name
        """Draw the scene; the vertical edge's numbers first thin out for the camera
        (a turn of the view spreads or crowds them)."""
        if self._ticks:
            self._show_ticks_if_room()
        super().paintGL(*args, **kwargs)

    def _camera_untouched(self) -> bool:
        """Whether the camera is where :meth:`reset_camera` put it (bar the distance)."""
        params = self.cameraParams()
        return params["elevation"] == 30 and params["azimuth"] == -60

    # ------------------------------------------------------------------ data
    def set_picture(self, picture: Picture) -> None:
        """Show ``picture``: the one way the window and the exporter feed this view."""
        self.set_options(picture.options)
        if picture.axis_names != self._axis_names:
            self._axis_names = picture.axis_names  # a fit's w, b and loss
            for label, name in zip(self.axis_labels[:2], self._axis_names[:2], strict=True):
                label.setData(text=name)
            self._label_height()
        surface = picture.surface
        if picture.grid is not self._grid or surface is not self._surface:
            if picture.grid is not self._grid and self._paths:
                self.set_paths([])  # the old paths do not belong to the new grid
            self.set_grid(picture.grid, picture.log_scale, surface)
        if tuple(map(tuple, self._minima)) != tuple(picture.minima):
            self.set_minima(picture.minima)
        if same_geometry(self._paths, picture.paths):
            self._paths = list(picture.paths)
            self._style()
            self.set_frame(self._frame)
        else:
            self.set_paths(picture.paths)
        self.explore.set_picture(picture, self._transform)

    def set_options(self, options: ViewOptions) -> None:
        """Text and line sizes of a picture's view options."""
        if (options.text_scale, options.line_scale) == (self._text_scale, self._line_scale):
            return
        self._text_scale, self._line_scale = options.text_scale, options.line_scale
        for label in self.axis_labels:
            label.setData(font=style.font(style.LABEL_PT + 1, self._text_scale))
        for tick in self._ticks:
            tick.setData(font=style.font(style.TICK_PT, self._text_scale))
        self._show_ticks_if_room()
        self._style()
        self.set_frame(self._frame)

    @property
    def transform(self) -> SceneTransform | None:
        """The current (x, y, f) -> scene mapping, None before :meth:`set_grid`."""
        return self._transform

    def set_grid(self, grid: Grid, log: bool | None = None, surface: Surface | None = None) -> None:
        """Show the surface of ``grid`` (colours and heights on the same scale).

        ``surface`` is its transform and mesh when already built (off the UI thread).
        """
        self._grid = grid
        if surface is None:
            surface = surface_of(grid, log)
        self._surface = surface
        xmin, xmax, ymin, ymax = grid.domain
        self._transform, mesh = surface.transform, surface.mesh
        if mesh is None:
            self.surface.setVisible(False)
        else:
            self.surface.setMeshData(meshdata=_mesh_data(mesh))
            self.surface.setVisible(True)
        sx, sy = (
            (xmax - xmin) / (2 * self._transform.half),
            (ymax - ymin) / (2 * self._transform.half),
        )
        self.floor.setSize(2 * sx, 2 * sy)
        self.floor.setSpacing(2 * sx / 8, 2 * sy / 8)
        self.axis_labels[0].setData(pos=(0.0, -sy - 0.32, 0.0))
        self.axis_labels[1].setData(pos=(sx + 0.32, 0.0, 0.0))
        self.axis_labels[2].setData(pos=(-sx, sy, Z_HEIGHT + 0.12))
        self._label_height()
        self._place_ticks(sx, sy)
        self.f_edge.setData(pos=np.array([[-sx, sy, 0.0], [-sx, sy, Z_HEIGHT]]))
        self._rebuild_paths()
        self.set_minima(self._minima)

    def _label_height(self) -> None:
        """The vertical axis's name; a log colour scale compresses the heights too, and
        the label says so."""
        name = self._axis_names[2]
        self.axis_labels[2].setData(text=f"{name} (log scale)" if self._log_heights() else name)

    def _log_heights(self) -> bool:
        return self._transform is not None and self._transform.scale.log

    def tick_labels(self) -> list[tuple[str, str]]:
        """(axis, text) of the numbers on the box's edges (for checks)."""
        return [(getattr(t, "axis", ""), t.text) for t in self._ticks if t.visible()]

    def _place_ticks(self, sx: float, sy: float) -> None:
        """Numbers along the front x edge, the right y edge and a back vertical f edge."""
        transform, grid = self._transform, self._grid
        assert transform is not None and grid is not None
        xmin, xmax, ymin, ymax = grid.domain
        wanted: list[tuple[str, str, tuple[float, float, float]]] = []
        for x in nice_ticks(xmin, xmax, 4):
            wanted.append(("x", format_tick(x), (float(transform.xy(x, 0)[0]), -sy - 0.12, 0.0)))
        for y in nice_ticks(ymin, ymax, 4):
            wanted.append(("y", format_tick(y), (sx + 0.1, float(transform.xy(0, y)[1]), 0.0)))
        last_z = np.inf  # from the top down: the round values highest up are kept
        for value in reversed(_height_ticks(grid.zmin, grid.zmax, transform.scale.log)):
            z = float(transform.z(np.array([value]))[0])
            if np.isfinite(z) and -0.01 <= z <= Z_HEIGHT + 0.01 and last_z - z >= 0.2:
                wanted.append(("f", format_tick(value), (-sx - 0.06, sy + 0.06, z)))
                last_z = z
        font = style.font(style.TICK_PT, self._text_scale)
        while len(self._ticks) < len(wanted):
            item = gl.GLTextItem(color=(70, 70, 70, 255))
            self.addItem(item)
            self._ticks.append(item)
        seen = set()
        for item, spec in zip(self._ticks, wanted + [None] * len(self._ticks), strict=False):
            if spec is None or (spec[0], spec[1]) in seen:
                item.axis = None
                item.setVisible(False)
                continue
            seen.add((spec[0], spec[1]))
            item.axis = spec[0]
            item.setData(text=spec[1], pos=spec[2], font=font)
        self._show_ticks_if_room()

    def set_minima(self, points: Sequence[tuple[float, float]] | np.ndarray) -> None:
        """Mark known minima (drawn at their height when inside the window)."""
        self._minima = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if self._transform is None or self._grid is None or not len(self._minima):
            self.minima_item.setData(pos=np.empty((0, 3)))
            return
        values = _grid_lookup(self._grid, self._minima)
        pos = self._transform.points(self._minima[:, 0], self._minima[:, 1], values)
        pos = pos[np.isfinite(pos).all(axis=1)]
        pos[:, 2] += PATH_LIFT
        self.minima_item.setData(pos=pos, color=(1.0, 1.0, 1.0, 1.0), size=9)

    def set_paths(self, paths: Sequence[PathData]) -> None:
        """Replace the drawn paths (line items are reused)."""
        self._paths = list(paths)
        while len(self._items) < len(self._paths):
            line = gl.GLLinePlotItem(mode="lines", antialias=True, glOptions=_OVERLAY)
            line.setDepthValue(5)
            self.addItem(line)
            self._items.append(_PathItems(line, *_no_path(0)))
        for index, items in enumerate(self._items):
            items.line.setVisible(index < len(self._paths))
        self._style()
        self._rebuild_paths()

    def _style(self) -> None:
        """Line and marker colours from the paths' colours."""
        width = style.PATH_PX * self._line_scale
        for path, items in zip(self._paths, self._items, strict=False):
            items.line.setData(color=QtGui.QColor(path.colour).getRgbF(), width=width)
        self._current_colours = np.array(
            [QtGui.QColor(path.colour).getRgbF() for path in self._paths], dtype=np.float32
        ).reshape(-1, 4)

    def _rebuild_paths(self) -> None:
        """Precompute every path's scene polyline (once per data change)."""
        for path, items in zip(self._paths, self._items[: len(self._paths)], strict=True):
            n = max(path.drawable, 0)
            if self._transform is None or self._grid is None or n == 0:
                items.segments, items.positions, items.prefix_end, items.shown = _no_path(
                    len(path.points)
                )
                continue
            heights = np.maximum(self._transform.z(path.values[:n]), 0.0) + PATH_LIFT
            clipped = clip_polyline(
                path.points[:n], self._grid.domain, PATH_LIMIT, heights, square=False
            )
            sx, sy = self._transform.xy(clipped.xs, clipped.ys)
            items.positions = np.ascontiguousarray(
                np.column_stack([sx, sy, clipped.zs]), dtype=np.float32
            )
            items.segments, below = segments_below(items.positions, clipped.connect, CEILING)
            items.prefix_end = clipped.prefix_end
            # a row gets a marker when its own point is inside the box
            inside = _inside_rows(path.points[:n], self._grid.domain)
            inside &= heights <= CEILING
            items.shown = inside
        self._place_start()
        self.set_frame(self._frame)

    def _place_start(self) -> None:
        """The start marker at the paths' first point, on the surface, if inside the box."""
        start = next((path for path in self._paths if path.drawable > 0), None)
        if start is None or self._transform is None or self._grid is None:
            self.start_item.setVisible(False)
            return
        point = start.points[:1]
        height = max(float(self._transform.z(start.values[:1])[0]), 0.0) + PATH_LIFT
        if not (_inside_rows(point, self._grid.domain)[0] and height <= CEILING):
            self.start_item.setVisible(False)
            return
        sx, sy = self._transform.xy(point[:, 0], point[:, 1])
        pos = np.array([[sx[0], sy[0], height]] * 2, dtype=np.float32)
        black, white = (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
        self.start_item.setData(pos=pos, color=np.array([black, white]), size=np.array([14, 9]))
        self.start_item.setVisible(True)

    def start_point(self) -> np.ndarray | None:
        """Where the start marker is drawn (scene coordinates), None when hidden."""
        if not self.start_item.visible():
            return None
        return np.asarray(self.start_item.pos[0], dtype=np.float64)

    # ---------------------------------------------------------------- frames
    @property
    def frame(self) -> int:
        """The frame currently drawn."""
        return self._frame

    def set_frame(self, frame: int) -> None:
        """Draw every path up to ``frame``; cheap: slices of precomputed arrays."""
        self._frame = max(int(frame), 0)
        current = np.full((len(self._paths), 3), np.nan, dtype=np.float32)
        for index, (path, items) in enumerate(
            zip(self._paths, self._items[: len(self._paths)], strict=True)
        ):
            last = path.index_at(self._frame)
            end = int(items.prefix_end[last]) if last >= 0 and len(items.prefix_end) else 0
            if end < 2:
                items.line.setVisible(False)
            else:
                items.line.setData(pos=items.segments[: end - 1].reshape(-1, 3))
                items.line.setVisible(True)
            if end and items.shown[last]:
                current[index] = items.positions[end - 1]
        shown = np.isfinite(current).all(axis=1)
        if shown.any():
            self.current_item.setData(
                pos=current[shown], color=self._current_colours[shown], size=11 * self._line_scale
            )
            self.current_item.setVisible(True)
        else:
            self.current_item.setVisible(False)

    def current_points(self) -> np.ndarray:
        """Scene positions of the current-point markers, (n, 3)."""
        if not self.current_item.visible() or self.current_item.pos is None:
            return np.empty((0, 3))
        return np.asarray(self.current_item.pos)

    def drawn_segments(self, index: int) -> np.ndarray:
        """Segments currently drawn for path ``index``, (m, 2, 3) scene units (for checks)."""
        line = self._items[index].line
        if not line.visible() or line.pos is None:
            return np.empty((0, 2, 3))
        return np.asarray(line.pos).reshape(-1, 2, 3)


class SurfaceView(SurfaceScene, gl.GLViewWidget):
    """The 3-D view as a widget, rendered into an offscreen framebuffer.

    Hidden, it still draws (``grabFramebuffer`` renders on demand), which is
    what exports need.  On screen, Qt composes the whole window through OpenGL
    around it at every repaint of any widget: the main window uses
    :class:`SurfaceWindow` instead.
    """


class SurfaceWindow(SurfaceScene, GLViewMixin, QOpenGLWindow):
    """The 3-D view as a native child window, for the main window (see :func:`embed`).

    With software OpenGL, a ``QOpenGLWidget`` makes every repaint of any other
    widget (a keystroke in the editor, a new contour picture) a composition of
    the whole window through OpenGL, ~15-30 ms at 1280x800.  A native window
    swaps only its own pixels, and the other widgets are plain raster updates.
    """

    def __init__(self) -> None:
        super().__init__()
        # the default surface may come with a 16-bit depth buffer (or none): a hill
        # behind another then shows through it in specks, as a widget's 24-bit
        # framebuffer never did
        surface = QtGui.QSurfaceFormat(self.requestedFormat())
        surface.setDepthBufferSize(max(24, surface.depthBufferSize()))
        self.setFormat(surface)

    def rect(self) -> QtCore.QRect:
        """The drawing area (GLTextItem asks the view for it, as for a widget)."""
        return QtCore.QRect(0, 0, self.width(), self.height())

    def grabFramebuffer(self) -> QtGui.QImage:  # noqa: N802 - Qt's name
        """Render the view now and read it back (QOpenGLWindow's own grab reads
        whatever the back buffer holds after the last swap)."""
        if not self.isValid():
            return QtGui.QImage()
        self.makeCurrent()
        ratio = self.devicePixelRatio()
        size = QtCore.QSize(round(self.width() * ratio), round(self.height() * ratio))
        target = QOpenGLFramebufferObject(
            size, QOpenGLFramebufferObject.Attachment.CombinedDepthStencil
        )
        try:
            target.bind()
            GL.glViewport(0, 0, size.width(), size.height())
            self.paintGL()
            image = target.toImage()
        finally:
            target.release()
            self.doneCurrent()
        image.setDevicePixelRatio(ratio)
        return image


def embed(view: SurfaceWindow) -> QtWidgets.QWidget:
    """A widget that holds ``view`` in a layout, like any other widget."""
    container = QtWidgets.QWidget.createWindowContainer(view)
    container.setMinimumSize(120, 120)
    return container


def _height_ticks(low: float, high: float, log: bool) -> list[float]:
    """Round values of f for the vertical edge: evenly spaced on a linear scale; on a
    log scale 1, 2 and 5 times powers of ten (and f's minimum), as the heights are."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return []
    if not log:
        return [float(v) for v in nice_ticks(low, high, 8)]
    values: list[float] = []
    top = max(abs(high), abs(low))
    for exponent in range(int(np.floor(np.log10(top))) - 8, int(np.ceil(np.log10(top))) + 1):
        for mantissa in (1.0, 2.0, 5.0):
            value = mantissa * 10.0**exponent
            values += [v for v in (value, -value) if low < v <= high]
    return sorted(set(values))


def format_tick(value: float) -> str:
    """A short axis number: 3 significant digits, an exponent when needed."""
    if value == 0:
        return "0"
    return f"{value:.3g}"


def _mesh_data(mesh: SurfaceMesh) -> gl.MeshData:
    """The mesh as pyqtgraph draws it: heights mapped to viridis, then shaded."""
    colours = palette.map_colours(mesh.heights, 0.0, Z_HEIGHT)
    colours[..., :3] *= mesh.shade[..., None]
    return gl.MeshData(vertexes=mesh.vertices, faces=mesh.faces, vertexColors=colours)


def _no_path(rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.empty((0, 2, 3), np.float32),
        np.empty((0, 3), np.float32),
        np.zeros(rows, dtype=np.intp),
        np.zeros(rows, dtype=bool),
    )


def _inside_rows(points: np.ndarray, domain: tuple[float, float, float, float]) -> np.ndarray:
    xmin, xmax, ymin, ymax = domain
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    hx, hy = (xmax - xmin) / 2, (ymax - ymin) / 2
    with np.errstate(invalid="ignore", over="ignore"):
        return (np.abs(points[:, 0] - cx) <= PATH_LIMIT * hx) & (
            np.abs(points[:, 1] - cy) <= PATH_LIMIT * hy
        )


def _grid_lookup(grid: Grid, points: np.ndarray) -> np.ndarray:
    """f at the grid node nearest each point (nan outside the window)."""
    xmin, xmax, ymin, ymax = grid.domain
    inside = (
        (points[:, 0] >= xmin)
        & (points[:, 0] <= xmax)
        & (points[:, 1] >= ymin)
        & (points[:, 1] <= ymax)
    )
    j = np.rint((points[:, 0] - xmin) / (xmax - xmin) * (len(grid.xs) - 1))
    i = np.rint((points[:, 1] - ymin) / (ymax - ymin) * (len(grid.ys) - 1))
    j = np.clip(np.nan_to_num(j), 0, len(grid.xs) - 1).astype(np.intp)
    i = np.clip(np.nan_to_num(i), 0, len(grid.ys) - 1).astype(np.intp)
    return np.where(inside, grid.z[i, j], np.nan)
