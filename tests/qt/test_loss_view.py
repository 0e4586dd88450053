"""LossView: f and |∇f| against step, drawn up to the frame, log y when it helps."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui

from gdplayground.core.picture import PathData
from gdplayground.qt.loss_view import LossView, display_values, wants_log_y


@pytest.fixture
def loss(qtbot, paths) -> LossView:
    view = LossView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.set_paths(paths)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_curves_follow_the_frame(loss, paths) -> None:
    loss.set_frame(5)
    steps, values = loss.curve_data(0, "f")
    assert steps.tolist() == [0, 1, 2, 3, 4, 5]
    expected = np.log10(paths[0].values[:6]) if loss.log_y("f") else paths[0].values[:6]
    np.testing.assert_allclose(values, expected)
    assert loss.frame_lines["f"].value() == 5 and loss.frame_lines["grad"].value() == 5
    _, norms = loss.curve_data(1, "grad")
    assert len(norms) == 6


def test_diverged_curve_stops_at_its_last_finite_value(loss, paths) -> None:
    loss.set_frame(10_000)
    steps, values = loss.curve_data(2, "f")
    assert len(steps) == paths[2].drawable
    assert np.isfinite(values).all()


def test_wide_positive_ranges_get_a_log_axis(loss) -> None:
    assert loss.log_y("f") and loss.log_y("grad")
    loss.set_log_y("f", False)
    assert not loss.log_y("f")
    loss.set_log_y("f", None)
    assert loss.log_y("f")


def test_negative_values_keep_a_linear_axis(qtbot) -> None:
    view = LossView()
    qtbot.addWidget(view)
    values = np.linspace(5, -1, 20)
    path = PathData("GD", "#E69F00", np.zeros((20, 2)), values, np.geomspace(100, 1e-4, 20))
    view.set_paths([path])
    assert not view.log_y("f") and view.log_y("grad")


def test_y_range_is_not_squashed_by_a_diverging_run(loss, paths) -> None:
    low, high = loss.value_plot.getViewBox().viewRange()[1]
    calm = np.concatenate([paths[0].values, paths[1].values])
    top = np.log10(calm.max()) if loss.log_y("f") else calm.max()
    assert high < top + 2


def test_log_rule() -> None:
    assert wants_log_y(np.array([1000.0, 1.0, 0.5]))
    assert not wants_log_y(np.array([10.0, 1.0]))
    assert not wants_log_y(np.array([1e6, -1.0]))
    assert wants_log_y(np.array([1e3, 0.0, 1e-3, np.nan]))  # zeros are gaps
    assert not wants_log_y(np.array([np.nan]))
    shown = display_values(np.array([100.0, 0.0, -1.0, np.inf]), log=True)
    assert shown[0] == 2 and np.isnan(shown[1:]).all()


def test_frame_before_paths_and_empty_paths(qtbot) -> None:
    view = LossView()
    qtbot.addWidget(view)
    view.set_frame(4)
    view.set_paths([])
    view.set_frame(2)
    assert view.frame == 2


def test_legend_names_every_curve_in_its_colour(loss, paths) -> None:
    labels = [label.text for _, label in loss.legend.items]
    assert labels == [path.name for path in paths]
    pens = [sample.item.opts["pen"].color().name() for sample, _ in loss.legend.items]
    assert pens == [path.colour.lower() for path in paths]
    loss.set_paths(paths[:1])
    assert [label.text for _, label in loss.legend.items] == [paths[0].name]


def test_short_view_hides_the_legend(qtbot, loss) -> None:
    assert loss.legend.isVisible()
    loss.resize(500, 200)
    qtbot.waitUntil(lambda: not loss.legend.isVisible())
    loss.resize(500, 400)
    qtbot.waitUntil(loss.legend.isVisible)


def _pixels(loss: LossView) -> np.ndarray:
    image = loss.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1).copy()


def test_hiding_a_curve_repaints_its_plot(loss) -> None:
    loss.set_frame(10_000)
    loss.legend.setVisible(False)  # its samples show the hidden curve too
    shown = _pixels(loss)
    loss._curves[0].value.setVisible(False)  # as a click on its legend sample does
    hidden = _pixels(loss)
    assert (hidden != shown).any()
    loss._curves[0].value.setVisible(True)
    assert (_pixels(loss) == shown).all()


def _grid_rows(loss: LossView, key: str) -> list[np.ndarray]:
    """The view's pixels (grey levels) along each major y tick of plot ``key``."""
    from PySide6 import QtCore

    plot = loss._plots[key]
    box = plot.getViewBox()
    (left, right), (low, high) = box.viewRange()
    ticks = plot.getAxis("left").tickValues(low, high, box.height())[0][1]
    image = loss.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    grey = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)[..., 1]
    rows = []
    for tick in ticks:
        if not low < tick < high:
            continue
        scene = box.mapViewToScene(QtCore.QPointF(left + 0.5 * (right - left), tick))
        row = round(loss.mapFromScene(scene).y())
        x0 = round(loss.mapFromScene(box.mapViewToScene(QtCore.QPointF(left, tick))).x())
        x1 = round(loss.mapFromScene(box.mapViewToScene(QtCore.QPointF(right, tick))).x())
        rows.append(grey[row - 1 : row + 2, x0 + 20 : x1 - 20].min(axis=0))
    return rows


def test_grid_lines_follow_the_ticks_of_each_new_range(loss, paths) -> None:
    loss.set_frame(0)  # no curve drawn yet: the plots show their grid only
    loss.legend.setVisible(False)
    for key in ("f", "grad"):
        rows = _grid_rows(loss, key)
        assert len(rows) >= 2
        for row in rows:  # a light line all along the tick, not the white background
            assert (row < 250).mean() > 0.95 and (row > 150).all()
    scaled = [
        PathData(p.name, p.colour, p.points, p.values * 1e6 + 3e6, p.grad_norms * 1e-3)
        for p in paths
    ]
    loss.set_paths(scaled)  # new ranges, new ticks: the grid moves with them
    rows = _grid_rows(loss, "f")
    assert len(rows) >= 2
    assert all((row < 250).mean() > 0.95 for row in rows)


def calm_and_blowing_up(
    calm: np.ndarray, wild: np.ndarray, name: str, message: str
) -> list[PathData]:
    """Adam's calm descent beside a run ``name`` whose values are ``wild``, diverged."""
    points = np.zeros((len(calm), 2))
    return [
        PathData("Adam", "#785EF0", points, calm, calm, status="max_steps"),
        PathData(name, "#000000", points, wild, wild, status="diverged", message=message),
    ]


def test_a_blow_up_is_shown_at_the_edge_with_the_step_it_diverged_at(qtbot) -> None:
    view = LossView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    steps = 12
    calm = np.geomspace(10, 1e-3, steps + 1)
    wild = np.concatenate([[10, 30, 900], 10.0 ** np.arange(8, 38, 3)])[: steps + 1]
    paths = calm_and_blowing_up(calm, wild, "GD", "diverged at step 12")
    view.set_paths(paths)
    view.set_frame(0)
    assert view.escape_labels() == []  # not yet: the timeline has not got there
    view.set_frame(steps)
    assert view.escape_labels() == ["GD: diverged at step 12"]
    low, high = view.value_plot.getViewBox().viewRange()[1]
    _, drawn = view.curve_data(1, "f")
    assert np.isfinite(drawn).all() and drawn.max() <= high + 1e-9  # clamped at the edge
    assert drawn[-1] == pytest.approx(high)
    assert high < np.log10(30) + 1  # the calm curve keeps the plot
    rect = view._curves[1].value.boundingRect()
    assert rect.top() >= low - 1 and rect.bottom() <= high + 1


@pytest.mark.parametrize("text_scale", [1.0, 2.0])
def test_tick_labels_never_print_over_each_other_in_a_short_plot(qtbot, paths, text_scale) -> None:
    """Presenter mode's large text in a loss view a projector leaves short: each axis
    numbers only the ticks it has room for, and always one."""
    from gdplayground.model.session import ViewOptions

    view = LossView()
    qtbot.addWidget(view)
    view.set_options(ViewOptions(text_scale=text_scale))
    view.set_paths(paths)
    view.resize(500, 170)
    view.show()
    qtbot.waitExposed(view)
    image = QtGui.QImage(10, 10, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        for key in ("f", "grad"):
            axis = view._plots[key].getAxis("left")
            if axis.style["tickFont"] is not None:
                painter.setFont(axis.style["tickFont"])
            _, _, texts = axis.generateDrawSpecs(painter)
            rects = sorted((rect for rect, _, _ in texts), key=lambda r: r.top())
            assert len(rects) >= 1, key
            for upper, lower in zip(rects, rects[1:], strict=False):
                assert not lower.intersects(upper), (key, [t for _, _, t in texts])
    finally:
        painter.end()


@pytest.mark.parametrize("at", [2, 11])
def test_the_divergence_note_stays_inside_the_plot_wherever_it_happened(qtbot, at) -> None:
    view = LossView()
    qtbot.addWidget(view)
    view.resize(520, 300)
    steps = 12
    calm = np.geomspace(10, 1e-3, steps + 1)
    wild = np.concatenate([np.full(at, 10.0), 10.0 ** np.arange(8, 8 + 3 * (steps + 1), 3)])
    wild = wild[: steps + 1]
    paths = calm_and_blowing_up(
        calm, wild, "Gradient descent with a large rate", f"diverged at step {at}"
    )
    view.set_paths(paths)
    view.show()
    qtbot.waitExposed(view)
    view.set_frame(steps)
    (note,) = [t for t in view._escape_texts["f"] if t.isVisible()]
    box = view.value_plot.getViewBox().sceneBoundingRect()
    qtbot.waitUntil(lambda: box.contains(note.sceneBoundingRect()))
