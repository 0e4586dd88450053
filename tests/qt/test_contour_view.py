"""ContourView: build data, build the view, change data or frame, check what is drawn."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtTest import QTest
from qt_fakes import ROSENBROCK_DOMAIN, descent_path

from gdplayground.core.picture import PathData
from gdplayground.core.sampling import sample_grid
from gdplayground.qt.contour_view import TRAIL_STEPS, ContourView, undefined_note
from gdplayground.qt.geometry import FAR_LIMIT


@pytest.fixture
def view(qtbot, rosenbrock_grid, paths) -> ContourView:
    widget = ContourView()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.set_grid(rosenbrock_grid)
    widget.set_paths(paths)
    widget.set_minima([(1.0, 1.0)])
    widget.set_start((-1.5, 2.0))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _viewport_pos(view: ContourView, x: float, y: float) -> QtCore.QPoint:
    scene = view.view_box.mapViewToScene(QtCore.QPointF(x, y))
    return view.mapFromScene(scene)


def _mouse(widget, kind: str, pos: QtCore.QPoint, pressed: bool) -> None:
    """Send a mouse event straight to ``widget`` (QTest.mouseMove does not drag offscreen).

    pyqtgraph drops move events closer than ~16 ms apart, so wait a little first.
    """
    QTest.qWait(25)
    left = QtCore.Qt.MouseButton.LeftButton
    no_button = QtCore.Qt.MouseButton.NoButton
    types = {
        "press": QtCore.QEvent.Type.MouseButtonPress,
        "move": QtCore.QEvent.Type.MouseMove,
        "release": QtCore.QEvent.Type.MouseButtonRelease,
    }
    local = QtCore.QPointF(pos)
    event = QtGui.QMouseEvent(
        types[kind],
        local,
        QtCore.QPointF(widget.mapToGlobal(pos)),
        left if kind != "move" else no_button,
        left if pressed else no_button,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    QtWidgets.QApplication.sendEvent(widget, event)


def _image(view: ContourView) -> np.ndarray:
    image = view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8)
    return data.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, : image.width(), :3].copy()


def test_set_frame_draws_the_prefix(view, paths) -> None:
    view.set_frame(5)
    drawn = view.drawn_points(0)
    assert drawn.shape == (6, 2)
    np.testing.assert_allclose(drawn, paths[0].points[:6])
    np.testing.assert_allclose(view.current_points()[0], paths[0].points[5])


def test_long_prefix_ends_at_the_current_point(view, paths) -> None:
    frame = TRAIL_STEPS + 15
    view.set_frame(frame)
    drawn = view.drawn_points(1)
    np.testing.assert_allclose(drawn[0], paths[1].points[0])
    np.testing.assert_allclose(drawn[-1], paths[1].points[frame])
    assert len(drawn) <= frame + 1


def test_paths_shorter_than_the_frame_show_their_last_point(view, paths) -> None:
    view.set_frame(10_000)
    np.testing.assert_allclose(view.current_points()[0], paths[0].points[-1])
    np.testing.assert_allclose(view.drawn_points(0), paths[0].points)
    diverged = paths[2]
    assert diverged.drawable < diverged.steps + 1
    drawn = view.drawn_points(2)
    assert np.isfinite(drawn).all()
    # everything up to the jump out of the window is drawn exactly, then cut at the edge
    # of the box paths are clipped to
    inside = 2
    np.testing.assert_allclose(drawn[:inside], diverged.points[:inside])
    assert np.abs(drawn[inside:]).max() == pytest.approx(6.0)  # 3 half-windows of 2
    last = diverged.drawable - 1
    assert view.legend_entries()[2].endswith(
        f"f = {diverged.values[last]:.4g}, |∇f| = {diverged.grad_norms[last]:.4g}"
    )


def test_a_diverging_path_is_drawn_leaving_the_window(view, paths) -> None:
    view.set_frame(10_000)
    drawn = view.drawn_points(2)
    xmin, xmax, ymin, ymax = ROSENBROCK_DOMAIN
    # clipped outside the window, but at a fixed margin, whatever the coordinates:
    # drawing (and an export's memory) costs the same as for a path that stayed
    assert np.abs(drawn).max() <= FAR_LIMIT * 2.0 + 1e-9  # the larger half-side is 2
    assert len(drawn) >= 2
    for item in (view._items[2].trail, view._items[2].line):
        rect = item.boundingRect()
        assert max(abs(rect.left()), abs(rect.right()), abs(rect.top()), abs(rect.bottom())) < 10


def test_legend_shows_status_and_live_values(view, paths) -> None:
    view.set_frame(3)
    entries = view.legend_entries()
    assert entries[0].startswith("GD: running")
    assert f"f = {paths[0].values[3]:.4g}" in entries[0]
    view.set_frame(10_000)
    entries = view.legend_entries()
    assert "ran 60 steps" in entries[0]
    assert "diverged at step" in entries[2]
    qtbot_text = view.legend.text
    assert "diverged at step" in qtbot_text and "Momentum" in qtbot_text


def test_click_on_the_plot_moves_the_start(view, qtbot) -> None:
    with qtbot.waitSignal(view.start_moved) as blocker:
        QTest.mouseClick(
            view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=_viewport_pos(view, 0.5, -0.25)
        )
    x, y = blocker.args
    assert x == pytest.approx(0.5, abs=0.02)
    assert y == pytest.approx(-0.25, abs=0.02)


def test_dragging_the_start_marker_emits_start_moved(view, qtbot) -> None:
    viewport = view.viewport()
    _mouse(viewport, "move", _viewport_pos(view, -1.5, 2.0), pressed=False)
    _mouse(viewport, "press", _viewport_pos(view, -1.5, 2.0), pressed=True)
    dragged: list[tuple[float, float]] = []
    view.start_dragged.connect(lambda x, y: dragged.append((x, y)))
    with qtbot.waitSignal(view.start_moved) as blocker:
        for t in np.linspace(0, 1, 6)[1:]:
            _mouse(viewport, "move", _viewport_pos(view, -1.5 + t, 2.0 - t), pressed=True)
        _mouse(viewport, "release", _viewport_pos(view, -0.5, 1.0), pressed=False)
    x, y = blocker.args
    assert x == pytest.approx(-0.5, abs=0.03)
    assert y == pytest.approx(1.0, abs=0.03)
    assert dragged


def test_set_start_emits_nothing(view, qtbot) -> None:
    with qtbot.assertNotEmitted(view.start_moved):
        view.set_start((0.0, 0.0))
    assert view.start_item.pos().x() == 0.0


def test_hover_shows_step_and_values(view, paths) -> None:
    view.set_frame(20)
    x, y = paths[0].points[7]
    text = view.show_point_info_at(x, y)
    assert text is not None and "GD  step 7" in text
    assert f"f = {paths[0].values[7]:.4g}" in text and "|∇f|" in text
    assert view.hover_label.isVisible()
    # points beyond the current frame are not hoverable
    far = paths[0].points[50]
    assert view.point_at(*far) is None or view.point_at(*far)[1] <= 20


def test_mouse_move_over_a_point_shows_the_hover_text(view, paths, qtbot) -> None:
    view.set_frame(20)
    _mouse(view.viewport(), "move", _viewport_pos(view, *paths[1].points[10]), pressed=False)
    qtbot.waitUntil(lambda: view.hover_text is not None)
    assert "Momentum  step 10" in view.hover_text
    _mouse(view.viewport(), "move", _viewport_pos(view, 1.9, -0.9), pressed=False)
    qtbot.waitUntil(lambda: view.hover_text is None)


def test_arrow_toggles(view) -> None:
    view.set_frame(10)
    assert not view._items[0].gradient_arrow.isVisible()
    view.set_show_gradient_arrows(True)
    view.set_show_step_arrows(True)
    gradient, step = view._items[0].gradient_arrow, view._items[0].step_arrow
    assert gradient.isVisible() and step.isVisible()
    xs, ys = gradient.getData()
    assert len(xs) == 6  # shaft plus two head strokes
    assert (xs[0], ys[0]) == pytest.approx(tuple(view.current_points()[0]))
    view.set_show_gradient_arrows(False)
    assert not gradient.isVisible() and step.isVisible()


def test_paths_are_reused_and_extra_ones_hidden(view, paths) -> None:
    items = list(view._items)
    view.set_paths(paths[:1])
    assert view._items == items
    assert not items[1].trail.isVisible() and not items[2].trail.isVisible()
    view.set_frame(4)
    assert len(view.current_points()) == 1
    view.set_paths(paths)
    assert view._items == items and items[2].trail.isVisible()


def test_grab_is_not_blank_and_differs_between_functions(view, qtbot) -> None:
    first = _image(view)
    assert first.std() > 20
    view.set_paths([])
    view.set_grid(sample_grid(lambda x, y: np.sin(3 * x) * np.cos(3 * y), ROSENBROCK_DOMAIN, 120))
    second = _image(view)
    assert second.std() > 20
    assert np.abs(first.astype(int) - second.astype(int)).mean() > 10


def test_undefined_regions_are_blank_and_noted(qtbot) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    grid = sample_grid(lambda x, y: np.log(x) + y**2, (-1, 1, -1, 1), 101)
    view.set_grid(grid)
    view.show()
    qtbot.waitExposed(view)
    assert view.note_item.isVisible()
    assert view.note_item.textItem.toPlainText() == undefined_note(grid.undefined_fraction)
    assert "50% of the window is undefined" in undefined_note(grid.undefined_fraction)
    image = _image(view)
    background = image[2, 2]
    left = _viewport_pos(view, -0.5, -0.5)
    right = _viewport_pos(view, 0.5, -0.5)
    assert (image[left.y(), left.x()] == background).all()
    assert not (image[right.y(), right.x()] == background).all()


def test_defined_grid_has_no_note(view) -> None:
    assert not view.note_item.isVisible()


def test_undefined_note_never_says_zero() -> None:
    assert undefined_note(0.0004).startswith("0.04%")
    assert undefined_note(0.12) == "12% of the window is undefined"


def test_path_data_from_trajectory_like_object() -> None:
    class _Config:
        name = "adam"

    class _Trajectory:
        config = _Config()
        points = np.zeros((3, 2))
        values = np.zeros(3)
        gradients = np.zeros((3, 2))
        grad_norms = np.zeros(3)
        velocities = None
        status = "converged"
        message = "converged at step 2 (minimum)"

    path = PathData.from_trajectory(_Trajectory(), "#E69F00")
    assert path.name == "adam" and path.steps == 2 and path.drawable == 3
    assert path.status_at(1) == "running"
    assert path.status_at(2) == "converged at step 2 (minimum)"


def test_empty_view_and_all_undefined_grid_do_not_break(qtbot) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.set_frame(3)
    view.set_paths([descent_path((0, 0), 5, 1e-3, "GD", 0)])
    view.set_frame(2)  # no grid yet: nothing drawn, nothing raised
    view.set_grid(sample_grid(lambda x, y: np.sqrt(-1 - x**2 + 0 * y), (-1, 1, -1, 1), 20))
    view.set_frame(4)
    assert view.note_item.isVisible()
    assert view.drawn_points(0).shape == (5, 2)


def _wide_view_with_legend(qtbot, grid, paths) -> ContourView:
    """A shown 900x600 view of ``paths`` on ``grid``, its legend column beside the plot."""
    view = ContourView()
    qtbot.addWidget(view)
    view.set_grid(grid)
    view.set_paths(paths)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.legend_visible
    return view


def test_narrow_view_hides_its_legend_and_gives_the_plot_the_room(qtbot, rosenbrock_grid, paths):
    view = _wide_view_with_legend(qtbot, rosenbrock_grid, paths)
    wide_plot = view.plot.width()
    view.resize(500, 600)
    qtbot.waitUntil(lambda: not view.legend_visible)
    qtbot.waitUntil(lambda: view.plot.width() > 500 - 150)
    view.resize(900, 600)
    qtbot.waitUntil(lambda: view.legend_visible and abs(view.plot.width() - wide_plot) < 5)
    view.set_legend_visible(False)
    assert not view.legend_visible


def test_a_view_narrower_than_plot_and_legend_together_shows_the_whole_plot(
    qtbot, rosenbrock_grid, paths
) -> None:
    """Squeezed below the legend column's width (a lesson beside the views on a
    1024x768 projector), the plot fits the view: nothing is cut off on the right."""
    view = _wide_view_with_legend(qtbot, rosenbrock_grid, paths)
    view.resize(230, 320)
    qtbot.waitUntil(lambda: not view.legend_visible)
    assert view.plot.geometry().right() <= view.width()
    box = view.view_box.sceneBoundingRect()
    assert box.right() <= view.width() and box.width() > 100


def test_a_hidden_legend_is_filled_in_when_shown(view, paths) -> None:
    view.resize(500, 500)
    assert not view.legend_visible
    view.set_frame(5)
    view.resize(700, 500)
    assert view.legend_visible
    f, _ = paths[0].values_at(5)
    header, values = view.legend._entries[0]
    assert f"f = {f:.4g}" in values.text() and header.toPlainText().startswith("■ GD")
    assert f"f = {f:.4g}" in view.legend.text


def test_legend_entries_added_later_take_the_text_colour(qtbot) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.legend.set_entries([], "#123456")
    view.legend.set_entries([("<b>A</b>", "f = 1")], "#123456")
    header, values = view.legend._entries[0]
    assert header.defaultTextColor().name() == "#123456"
    assert values.brush().color().name() == "#123456"


def _picture_with(view: ContourView, grid, paths, **options):
    from gdplayground.core.picture import Picture
    from gdplayground.core.sampling import contour_levels, isolines
    from gdplayground.model.session import ViewOptions

    levels = contour_levels(grid)
    return Picture(
        grid=grid,
        levels=levels,
        log_scale=False,
        isolines=isolines(grid, levels),
        surface=None,
        paths=tuple(paths),
        rows=tuple(range(len(paths))),
        start=(-1.5, 2.0),
        options=ViewOptions(**options),
    )


def test_one_unit_of_x_is_as_long_as_one_unit_of_y_unless_turned_off(
    qtbot, rosenbrock_grid, paths
) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(900, 400)  # a wide view: filling it would stretch x
    view.show()
    qtbot.waitExposed(view)
    view.set_picture(_picture_with(view, rosenbrock_grid, paths))
    width, height = view.view_box.viewPixelSize()
    assert width == pytest.approx(height, rel=1e-6)  # circles look round
    view.set_picture(_picture_with(view, rosenbrock_grid, paths, equal_aspect=False))
    width, height = view.view_box.viewPixelSize()
    assert width != pytest.approx(height, rel=0.05)


def test_a_narrow_view_keeps_a_key_inside_the_plot(qtbot, rosenbrock_grid, paths) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(520, 420)  # too narrow for the legend column
    view.show()
    qtbot.waitExposed(view)
    view.set_picture(_picture_with(view, rosenbrock_grid, paths))
    assert not view.legend_visible
    assert view.key_entries() == [p.name for p in paths] and view.key.isVisible()
    view.resize(1000, 500)  # wide: the legend column, and no names twice
    qtbot.waitUntil(lambda: view.legend_visible, timeout=5000)
    assert view.key_entries() == []


def test_a_key_wider_than_the_plot_is_drawn_smaller_not_cut_off(
    qtbot, rosenbrock_grid, paths
) -> None:
    """A lesson beside the views on a 1024x768 screen leaves a plot ~230 px wide:
    the key (names, what the arrows mean) shrinks to fit it, and grows back."""
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(300, 420)
    view.show()
    qtbot.waitExposed(view)
    picture = _picture_with(
        view, rosenbrock_grid, paths, show_gradient_arrows=True, show_step_arrows=True
    )
    view.set_picture(picture)

    def inside() -> bool:
        box, key = view.view_box.sceneBoundingRect(), view.key.sceneBoundingRect()
        return key.left() >= box.left() and key.right() <= box.right() + 0.5

    qtbot.waitUntil(inside)
    assert view.key.scale() < 1
    view.resize(560, 420)  # still without the legend column, room for the whole key
    qtbot.waitUntil(lambda: view.key.scale() == 1 and inside())


def test_in_a_short_plot_the_key_leaves_most_of_the_paths_in_view(
    qtbot, rosenbrock_grid, paths
) -> None:
    """Presenter mode's large text in a short contour (1024x768, no lesson): the key
    of names and arrows covers at most half of the plot's height."""
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_picture(
        _picture_with(view, rosenbrock_grid, paths, show_gradient_arrows=True, text_scale=2.0)
    )

    def share() -> float:
        return view.key.sceneBoundingRect().height() / view.view_box.sceneBoundingRect().height()

    qtbot.waitUntil(lambda: share() <= 0.5 + 1e-6 or view.key.scale() == 0.5)
    assert view.key.scale() < 1


def test_gradient_arrows_point_uphill_as_long_as_the_gradient_and_steps_as_taken(
    qtbot, rosenbrock_grid, paths
) -> None:
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.set_picture(
        _picture_with(
            view, rosenbrock_grid, paths, show_gradient_arrows=True, show_step_arrows=True
        )
    )
    unit = view.gradient_unit
    assert unit is not None and any("1 unit on the axes = |∇f|" in e for e in view.key_entries())
    assert "step taken" in view.key_entries()
    lengths = []
    for frame in (3, 10, 20):
        view.set_frame(frame)
        path = paths[0]
        xs, ys = view._items[0].gradient_arrow.getData()
        tail, tip = np.array([xs[0], ys[0]]), np.array([xs[1], ys[1]])
        gradient = path.gradients[frame]
        np.testing.assert_allclose(tail, path.points[frame])
        drawn = tip - tail
        assert drawn @ gradient > 0  # uphill, along ∇f
        np.testing.assert_allclose(drawn, gradient / unit, rtol=1e-6)  # to scale
        lengths.append(np.hypot(*drawn))
        sx, sy = view._items[0].step_arrow.getData()
        step = np.array([sx[1] - sx[0], sy[1] - sy[0]])
        taken = path.points[frame + 1] - path.points[frame]
        assert step @ taken > 0  # the step actually taken next
    assert len(set(np.round(lengths, 9))) == 3  # each as long as its own gradient


def test_the_key_tells_the_arrows_scale_of_each_new_picture(qtbot, rosenbrock_grid, paths) -> None:
    from dataclasses import replace

    view = ContourView()
    qtbot.addWidget(view)
    view.resize(700, 600)

    def shown_key() -> list[str]:  # what the key's labels draw
        return [label.text for _, label in view.key.items]

    view.set_picture(_picture_with(view, rosenbrock_grid, paths, show_gradient_arrows=True))
    first = view.gradient_unit
    assert any(text.endswith(f"|∇f| {first:g}") for text in shown_key())
    from qt_fakes import rosenbrock

    steep_grid = sample_grid(lambda x, y: 1000 * rosenbrock(x, y), ROSENBROCK_DOMAIN, 120)
    steeper = [
        replace(p, gradients=1000 * p.gradients, grad_norms=1000 * p.grad_norms) for p in paths
    ]
    view.set_picture(_picture_with(view, steep_grid, steeper, show_gradient_arrows=True))
    assert view.gradient_unit == pytest.approx(1000 * first)
    assert any(text.endswith(f"|∇f| {view.gradient_unit:g}") for text in shown_key())
    assert not any(text.endswith(f"|∇f| {first:g}") for text in shown_key())
    view.set_picture(_picture_with(view, rosenbrock_grid, paths))  # arrows off: no key
    assert not view.key.isVisible() and view.key_entries() == []
    view.set_picture(_picture_with(view, rosenbrock_grid, paths, show_gradient_arrows=True))
    assert view.key.isVisible() and any(text.endswith(f"|∇f| {first:g}") for text in shown_key())


def test_narrower_tick_labels_do_not_resize_the_plot(qtbot, rosenbrock_grid, paths) -> None:
    # one x unit is one y unit on screen: had the labels' column shrunk, the plot
    # would widen, its ticks change, the column grow again... repainting forever
    view = ContourView()
    qtbot.addWidget(view)
    view.resize(560, 520)
    view.show()
    qtbot.waitExposed(view)
    view.set_picture(_picture_with(view, rosenbrock_grid, paths))
    view.grab()
    left = view.plot.getAxis("left")
    left._updateMaxTextSize(left.textWidth + 12)  # as when "-2.5" replaces "-2"
    wide = left.maximumWidth()
    left._updateMaxTextSize(left.textWidth - 12)  # and back
    assert left.maximumWidth() == wide
