"""DataView: the examples, each path's model at the frame, its next batch ringed."""

from __future__ import annotations

import numpy as np
import pytest

from gdplayground.core.picture import picture_from_scene
from gdplayground.core.scene import build_scene
from gdplayground.model.build import SessionOptions, build_session
from gdplayground.qt.data_view import NO_DATA_TEXT, DataView


def picture(**options):
    session = build_session(SessionOptions(**options)).session
    return picture_from_scene(build_scene(session, resolution=20, with_surface=False))


def shown_view(qtbot, width: int, height: int) -> DataView:
    v = DataView()
    qtbot.addWidget(v)
    v.resize(width, height)
    v.show()
    qtbot.waitExposed(v)
    return v


@pytest.fixture
def view(qtbot) -> DataView:
    return shown_view(qtbot, 500, 360)


def test_a_classifier_draws_its_probability_curve(view) -> None:
    p = picture(fit="logistic", steps="30")
    view.set_picture(p)
    view.set_frame(12)
    for index, path in enumerate(p.paths):
        w, b = path.points[12]
        xs, ys = view.curve_data(index)
        np.testing.assert_allclose(ys, 1 / (1 + np.exp(-(w * xs + b))), rtol=1e-12)  # sigmoid(m)
    assert view.plot.getAxis("bottom").labelText == "x"


def test_the_frame_moves_the_models_and_the_batches(view) -> None:
    p = picture(dataset="line:n=40", optimizers=("gd:lr=0.05,batch_size=3",), steps="20")
    view.set_picture(p)
    path = p.paths[0]
    for frame in (0, 5, 19):
        view.set_frame(frame)
        xs, _ = view.ringed(0)
        assert len(xs) == len(path.batches.batch(frame + 1))
        _, ys = view.curve_data(0)
        w, b = path.points[frame]
        cx, _ = view.curve_data(0)
        np.testing.assert_allclose(ys, w * cx + b, rtol=1e-12, atol=1e-12)
    view.set_frame(20)  # the end: no step to come, no batch
    assert len(view.ringed(0)[0]) == 0


def test_a_model_of_two_columns_draws_each_example_s_prediction(view, tmp_path) -> None:
    csv = tmp_path / "two.csv"
    rows = [(a, c, 2 * a - c + 1) for a in range(6) for c in (0.5, 1.5)]
    csv.write_text("a,c,y\n" + "".join(f"{a},{c},{y}\n" for a, c, y in rows))
    p = picture(data=str(csv), model="w*a - c + b", loss="(m - y)^2", steps="4")
    view.set_picture(p)
    view.set_frame(2)
    w, b = p.paths[0].points[2]
    xs, ys = view.curve_data(0)
    values = np.array(rows)
    order = np.argsort(values[:, 0], kind="stable")
    np.testing.assert_allclose(xs, values[order, 0])
    np.testing.assert_allclose(ys, w * values[order, 0] - values[order, 1] + b, rtol=1e-12)
    assert view.plot.getAxis("left").labelText == "y"


def test_a_function_has_no_data_to_show(view) -> None:
    p = picture(function="x^2 + y^2", steps="3")
    view.set_picture(p)
    assert view.note.isVisible() and view.note.toPlainText() == NO_DATA_TEXT
    assert len(view.point_data()[0]) == 0


def test_a_large_data_set_draws_a_fixed_sample_of_its_points(view) -> None:
    p = picture(dataset="line:n=50000", optimizers=("gd:batch_size=8",), steps="2")
    view.set_picture(p)
    xs, _ = view.point_data()
    assert len(xs) == 20_000 and "20,000 of them drawn" in view.plot.titleLabel.text
    view.set_frame(1)
    assert len(view.ringed(0)[0]) == 8  # the batch is ringed even if not among them


def test_larger_text_restyles_the_axes_and_the_legend(view) -> None:
    from dataclasses import replace

    p = picture(fit="linear", steps="3")
    view.set_picture(p)
    before = view.plot.getAxis("bottom").style["tickFont"].pointSizeF()
    label_width = view.legend.items[0][1].boundingRect().width()
    view.set_picture(replace(p, options=replace(p.options, text_scale=2.0)))
    assert view.plot.getAxis("bottom").style["tickFont"].pointSizeF() == 2 * before
    # presenter mode: the legend's names as large as the rest (they stayed small)
    assert view.legend.items[0][1].boundingRect().width() > 1.6 * label_width


def test_a_long_title_does_not_push_the_plot_past_a_narrow_view_s_edge(qtbot, tmp_path) -> None:
    csv = tmp_path / ("a-rather-long-name-for-a-file-of-measurements-" * 3 + ".csv")
    csv.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(10)))
    p = picture(data=str(csv), model="w*x + b", loss="(m - y)^2", steps="4")
    view = shown_view(qtbot, 200, 200)
    view.set_picture(p)
    qtbot.waitUntil(lambda: view.ci.geometry().width() <= view.width())
    box = view.plot.getViewBox().sceneBoundingRect()
    assert box.right() <= view.width() and box.width() > 60
    assert csv.name in view.plot.titleLabel.toolTip()  # the whole title, on hovering it


def test_the_legend_steps_aside_where_it_would_cover_the_examples(qtbot) -> None:
    from dataclasses import replace

    p = picture(fit="linear", steps="3")
    view = shown_view(qtbot, 600, 450)
    view.set_picture(p)
    qtbot.waitUntil(view.legend.isVisible)
    large = replace(p, options=replace(p.options, text_scale=2.0))
    view.set_picture(large)
    view.resize(420, 260)  # presenter mode's text in a projector's small view
    qtbot.waitUntil(lambda: not view.legend.isVisible())
    view.resize(900, 800)
    qtbot.waitUntil(view.legend.isVisible)
