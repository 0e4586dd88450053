"""SurfaceView: mesh built once per grid, paths on the surface, pixels really drawn."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui
from qt_fakes import ROSENBROCK_DOMAIN, descent_path, rosenbrock

from gdplayground.core.picture import PathData
from gdplayground.core.sampling import colour_scale, sample_grid
from gdplayground.core.surface import (
    MESH_SAMPLES,
    Z_HEIGHT,
    SceneTransform,
    mesh_indices,
    surface_mesh,
)
from gdplayground.qt.surface_view import (
    CEILING,
    PATH_LIFT,
    SurfaceView,
    segments_below,
)

MAGENTA = "#ff00ff"


def _transform(grid) -> SceneTransform:
    xmin, xmax, ymin, ymax = grid.domain
    return SceneTransform(
        centre=((xmin + xmax) / 2, (ymin + ymax) / 2),
        half=max(xmax - xmin, ymax - ymin) / 2,
        scale=colour_scale(grid),
    )


def test_mesh_leaves_undefined_cells_out() -> None:
    grid = sample_grid(lambda x, y: np.log(x) + y**2, (-1, 1, -1, 1), 21)
    mesh = surface_mesh(grid, _transform(grid))
    vertices, faces = mesh.vertices, mesh.faces
    assert np.isfinite(vertices).all()
    finite = grid.finite
    cells = (finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, :-1] & finite[1:, 1:]).sum()
    assert len(faces) == 2 * cells
    # no face touches a vertex where f is undefined
    assert finite.ravel()[faces].all()


def test_mesh_fits_the_box_for_any_range() -> None:
    for scale in (1e-6, 1.0, 1e9):
        grid = sample_grid(lambda x, y, s=scale: s * (x**2 + y**2), (-3, 3, -1, 1), 31)
        vertices = surface_mesh(grid, _transform(grid)).vertices
        assert vertices[:, 0].min() == pytest.approx(-1) and vertices[:, 0].max() == pytest.approx(
            1
        )
        assert vertices[:, 1].max() == pytest.approx(1 / 3)
        assert vertices[:, 2].min() == pytest.approx(0, abs=1e-6)
        assert vertices[:, 2].max() == pytest.approx(Z_HEIGHT, rel=1e-5)


def test_all_undefined_grid_has_no_mesh() -> None:
    grid = sample_grid(lambda x, y: np.sqrt(-1 - x**2 - y**2), (-1, 1, -1, 1), 5)
    assert surface_mesh(grid, _transform(grid)) is None


def test_segments_rising_above_the_ceiling_are_cut() -> None:
    positions = np.array([[0, 0, 0.5], [1, 0, 0.5 + 2 * CEILING], [2, 0, 0.5]], dtype=np.float32)
    segments, below = segments_below(positions, np.ones(3, dtype=bool), CEILING)
    assert segments.shape == (2, 2, 3)
    assert segments[:, :, 2].max() == pytest.approx(CEILING, rel=1e-6)
    assert below.tolist() == [True, False, True]


@pytest.fixture
def surface(qtbot, rosenbrock_grid, paths) -> SurfaceView:
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.set_grid(rosenbrock_grid)
    view.set_paths(paths)
    return view


def test_set_frame_draws_the_prefix_on_the_surface(surface, paths) -> None:
    surface.set_frame(5)
    segments = surface.drawn_segments(0)
    assert segments.shape == (5, 2, 3)
    expected = surface.transform.points(
        paths[0].points[:6, 0], paths[0].points[:6, 1], paths[0].values[:6]
    )
    np.testing.assert_allclose(segments[:, 0, :2], expected[:5, :2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(segments[:, 1, 2], expected[1:, 2] + PATH_LIFT, atol=1e-5)
    assert len(surface.current_points()) == 2  # the diverging run is out of the window by now


def test_mesh_is_not_rebuilt_per_frame(surface) -> None:
    mesh = surface.surface.opts["meshdata"]
    surface.set_frame(7)
    surface.set_frame(30)
    assert surface.surface.opts["meshdata"] is mesh


def test_diverged_path_stops_inside_the_box(surface, paths) -> None:
    surface.set_frame(10_000)
    segments = surface.drawn_segments(2)
    assert np.isfinite(segments).all()
    assert np.abs(segments[:, :, :2]).max() <= 1.0 + 1e-5
    assert segments[:, :, 2].max() <= CEILING + 1e-5


def test_paths_without_a_grid_and_empty_paths(qtbot) -> None:
    view = SurfaceView()
    qtbot.addWidget(view)
    view.set_paths([descent_path((0, 0), 4, 1e-3, "GD", 0)])
    view.set_frame(3)
    assert view.drawn_segments(0).shape == (0, 2, 3)
    view.set_grid(sample_grid(rosenbrock, ROSENBROCK_DOMAIN, 30))
    assert view.drawn_segments(0).shape == (3, 2, 3)
    view.set_paths([])
    assert len(view.current_points()) == 0


def _pixels(view: SurfaceView) -> np.ndarray:
    image = view.grabFramebuffer().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    rows = data.reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, : image.width(), 2::-1].astype(int)  # BGRA -> RGB


@pytest.mark.gl
def test_surface_and_path_are_drawn(qtbot, rosenbrock_grid, paths) -> None:
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.set_grid(rosenbrock_grid)
    magenta = PathData(
        name="probe",
        colour=MAGENTA,
        points=paths[0].points,
        values=paths[0].values,
        grad_norms=paths[0].grad_norms,
    )
    view.set_paths([magenta])
    view.set_frame(60)
    view.show()
    qtbot.waitExposed(view)
    pixels = _pixels(view)
    background = pixels[0, 0]
    assert (background == 255).all()
    not_background = (np.abs(pixels - background).sum(axis=-1) > 30).mean()
    assert not_background > 0.1  # the surface covers a good part of the view
    distinct = np.unique(pixels.reshape(-1, 3) // 8, axis=0)
    assert len(distinct) > 50  # shaded colour map, not a flat fill
    near_magenta = np.abs(pixels - [255, 0, 255]).max(axis=-1) < 60
    assert near_magenta.sum() > 20


@pytest.mark.gl
def test_frame_changes_the_picture(qtbot, rosenbrock_grid, paths) -> None:
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_grid(rosenbrock_grid)
    view.set_paths(paths)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(0)
    first = _pixels(view)
    view.set_frame(60)
    second = _pixels(view)
    assert (np.abs(first - second).sum(axis=-1) > 30).sum() > 20


def test_large_grids_are_meshed_every_few_points_edges_included() -> None:
    grid = sample_grid(lambda x, y: x**2 + y**2, (-1, 1, -2, 2), (300, 120))
    vertices = surface_mesh(grid, _transform(grid)).vertices
    assert len(vertices) == MESH_SAMPLES * 120  # 300 columns -> 151, 120 rows kept
    assert vertices[:, 0].min() == pytest.approx(-0.5) and vertices[:, 0].max() == pytest.approx(
        0.5
    )
    assert mesh_indices(300)[[0, 1, -2, -1]].tolist() == [0, 2, 298, 299]
    assert mesh_indices(120).tolist() == list(range(120))


def test_the_start_is_marked_on_the_surface_where_the_paths_begin(surface, paths) -> None:
    first = paths[0]
    expected = surface.transform.points(first.points[:1, 0], first.points[:1, 1], first.values[:1])
    marked = surface.start_point()
    assert marked is not None
    np.testing.assert_allclose(marked[:2], expected[0, :2], atol=1e-6)
    assert marked[2] == pytest.approx(max(expected[0, 2], 0.0) + PATH_LIFT, abs=1e-5)
    surface.set_frame(40)  # it stays while the paths grow
    assert surface.start_point() is not None
    surface.set_paths([])
    assert surface.start_point() is None


@pytest.mark.gl
def test_the_box_has_numbers_and_says_when_heights_are_log_compressed(
    qtbot, rosenbrock_grid
) -> None:
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(480, 360)
    view.set_grid(rosenbrock_grid, log=True)
    labels = view.tick_labels()
    assert {axis for axis, _ in labels} == {"x", "y", "f"}
    assert ("x", "-2") in labels and ("y", "3") in labels
    assert view.axis_labels[2].text == "f (log scale)"
    view.set_grid(rosenbrock_grid, log=False)
    assert view.axis_labels[2].text == "f"
    fs = [float(text) for axis, text in view.tick_labels() if axis == "f"]
    assert len(fs) >= 3 and fs == sorted(fs, reverse=True)


@pytest.mark.gl
@pytest.mark.parametrize("size", [(800, 400), (300, 500), (227, 462), (500, 500), (1000, 300)])
def test_the_default_camera_frames_the_box_whatever_the_view_shape(
    qtbot, rosenbrock_grid, size
) -> None:
    """The box and its labels are in view, and fill most of the view's narrower
    direction: a narrow 3-D view (a lesson beside it at 1024x768) is not a speck."""
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_grid(rosenbrock_grid, log=True)
    view.reset_camera()
    sx, sy = view.floor.size()[0] / 2, view.floor.size()[1] / 2
    corners = [(x, y, z) for x in (-sx, sx) for y in (-sy, sy) for z in (0.0, Z_HEIGHT)]
    labels = [tuple(label.pos) for label in view.axis_labels]
    points = np.array([view.screen_point(p) for p in corners + labels])
    width, height = size
    assert (points >= 0).all() and (points[:, 0] <= width).all() and (points[:, 1] <= height).all()
    box = points[: len(corners)]
    spans = box.max(axis=0) - box.min(axis=0)
    assert max(spans[0] / width, spans[1] / height) > 0.6, spans


@pytest.mark.gl
def test_numbers_on_the_vertical_edge_never_print_over_each_other_or_the_name(
    qtbot, rosenbrock_grid
) -> None:
    """A narrow 3-D view (the window at 1024x768) has room for fewer heights: those
    shown keep a line of text apart, and apart from "f (log scale)" above them."""
    view = SurfaceView()
    qtbot.addWidget(view)
    counts = {}
    for size in ((300, 460), (900, 900)):
        view.resize(*size)
        view.reset_camera()
        view.set_grid(rosenbrock_grid, log=True)
        shown = [t for t in view._ticks if t.visible() and t.axis == "f"]
        ys = [view.screen_point(t.pos)[1] for t in [view.axis_labels[2], *shown]]
        line = view._tick_line_height()
        assert all(b - a >= 0.9 * line for a, b in zip(ys, ys[1:], strict=False)), (size, ys)
        counts[size] = len(shown)
    assert 2 <= counts[(300, 460)] < counts[(900, 900)]
