"""The views draw what a picture carries of an exploration: basin maps, markers, sweeps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gdplayground.core.explore.basins import BasinRequest, compute_basin_map
from gdplayground.core.explore.critical import stationary_points
from gdplayground.core.explore.layers import (
    ATTRACTOR_COLOURS,
    DIVERGED_COLOUR,
    KIND_COLOURS,
    BasinLayer,
    ColourBook,
    SweepLayer,
    with_layers,
)
from gdplayground.core.explore.sweep import sweep_learning_rates
from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import make_config
from gdplayground.core.picture import picture_from_scene
from gdplayground.core.scene import build_scene
from gdplayground.export.image import write_image
from gdplayground.model.session import Session, ViewOptions, entry_for
from gdplayground.qt._qt import QtGui
from gdplayground.qt.contour_view import ContourView
from gdplayground.qt.explore_legend import KIND_SYMBOLS
from gdplayground.qt.sweep_view import SweepView

WELL = "(x^2 - 1)^2 + y^2"
WELL_WINDOW = (-2.0, 2.0, -1.0, 1.0)


def rgb(colour: str) -> tuple[int, int, int]:
    c = QtGui.QColor(colour)
    return c.red(), c.green(), c.blue()


@pytest.fixture(scope="module")
def well_picture():
    session = Session(WELL, WELL_WINDOW, (0.5, 0.5), (entry_for("gd", {"lr": 0.05}),), steps=100)
    return picture_from_scene(build_scene(session, resolution=60, with_surface=False))


@pytest.fixture(scope="module")
def well_map():
    request = BasinRequest(WELL, make_config("gd", {"lr": 0.05}), WELL_WINDOW, 10, 100)
    return compute_basin_map(request)


def layer_of(basins) -> BasinLayer:
    colours, _ = ColourBook.for_window(WELL_WINDOW).colours(basins.attractors)
    return BasinLayer(basins, "Gradient descent", "#000000", colours)


@pytest.fixture
def view(qtbot) -> ContourView:
    widget = ContourView()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_basin_map_colours_each_start_by_its_attractor(view, well_picture, well_map) -> None:
    layer = layer_of(well_map)
    view.set_picture(with_layers(well_picture, basins=layer))
    item = view.explore.basin_item
    assert item.isVisible()
    image = item.image
    assert image.shape == (10, 10, 4)
    left = [a.point[0] < 0 for a in well_map.attractors].index(True)
    # row 0 is the window's lowest y; the left half ends at (-1, 0), the right at (1, 0)
    assert tuple(image[0, 0, :3]) == rgb(layer.attractor_colours[left])
    assert tuple(image[9, 9, :3]) == rgb(layer.attractor_colours[1 - left])
    assert (image[..., 3] == 255).all()
    # under the isolines and the paths, over the colour fill
    assert view.image.zValue() < item.zValue() < view.isoline_item.zValue()
    rect = item.mapRectToParent(item.boundingRect())
    assert (rect.left(), rect.right(), rect.top(), rect.bottom()) == pytest.approx(
        (-2.0, 2.0, -1.0, 1.0)
    )
    legend = view.explore.legend.text
    assert "Basins of Gradient descent" in legend and "10×10 starts, 100 steps" in legend
    assert "minimum (-1, 0): 50%" in legend and "minimum (1, 0): 50%" in legend
    assert "diverged: 0%" in legend and "not converged: 0%" in legend

    view.set_picture(well_picture)  # a picture without a map: none drawn
    assert not item.isVisible() and view.explore.legend.text == ""


def test_a_partial_map_leaves_the_rows_not_computed_clear(view, well_picture, well_map) -> None:
    labels = well_map.labels.copy()
    labels[4:] = -3
    partial = replace(well_map, labels=labels, rows_done=4)
    view.set_picture(with_layers(well_picture, basins=layer_of(partial)))
    alpha = view.explore.basin_item.image[..., 3]
    assert (alpha[:4] == 255).all() and (alpha[4:] == 0).all()
    assert "40% done" in view.explore.legend.text


def test_diverged_and_not_converged_starts_are_grey(view, well_picture, well_map) -> None:
    labels = well_map.labels.copy()
    labels[0, 0], labels[0, 1] = -1, -2
    odd = replace(well_map, labels=labels)
    view.set_picture(with_layers(well_picture, basins=layer_of(odd)))
    image = view.explore.basin_item.image
    assert tuple(image[0, 0, :3]) == rgb(DIVERGED_COLOUR)
    assert tuple(image[0, 1, :3]) != tuple(image[0, 0, :3])
    assert "diverged: 1.0%" in view.explore.legend.text


def test_the_same_attractor_keeps_its_colour_in_another_optimizers_map(well_map) -> None:
    book = ColourBook.for_window(WELL_WINDOW)
    colours, book = book.colours(well_map.attractors)
    reversed_order = tuple(reversed(well_map.attractors))
    again, _ = book.colours(reversed_order)
    assert again == tuple(reversed(colours)) and set(colours) == set(ATTRACTOR_COLOURS[:2])


def test_stationary_points_are_marked_by_kind_with_a_legend(view, well_picture) -> None:
    points = stationary_points(compile_function(WELL), WELL_WINDOW)
    view.set_picture(with_layers(well_picture, stationary=points))
    item = view.explore.stationary_item
    assert item.isVisible()
    drawn = sorted(
        (round(s.pos().x(), 9), round(s.pos().y(), 9), s.symbol(), s.brush().color().name())
        for s in item.points()
    )
    minimum = (KIND_SYMBOLS["minimum"], KIND_COLOURS["minimum"].lower())
    saddle = (KIND_SYMBOLS["saddle"], KIND_COLOURS["saddle"].lower())
    assert drawn == sorted([(-1.0, 0.0, *minimum), (0.0, 0.0, *saddle), (1.0, 0.0, *minimum)])
    assert "Stationary points\n2 minima\n1 saddle" in view.explore.legend.text


def test_hidden_layers_are_left_out_of_the_picture(well_picture, well_map) -> None:
    hidden = replace(well_picture, options=ViewOptions(show_basins=False))
    picture = with_layers(hidden, basins=layer_of(well_map), stationary=())
    assert picture.basins is None and picture.stationary == ()
    off = replace(well_picture, options=ViewOptions(show_stationary_points=False))
    assert with_layers(off, stationary=()).stationary is None


def test_the_legend_sits_in_the_legend_column_when_there_is_room(
    qtbot, view, well_picture, well_map
) -> None:
    view.set_picture(with_layers(well_picture, basins=layer_of(well_map)))
    qtbot.waitUntil(lambda: view.explore.legend.in_column)
    view.resize(500, 400)  # too narrow for the column: over the plot instead
    qtbot.waitUntil(lambda: not view.legend_visible and not view.explore.legend.in_column)
    assert view.explore.legend.isVisible()


def test_over_a_narrow_plot_the_legend_is_drawn_smaller_to_leave_the_map_in_view(
    qtbot, view, well_picture, well_map
) -> None:
    points = stationary_points(compile_function(WELL), WELL_WINDOW)
    view.set_picture(with_layers(well_picture, basins=layer_of(well_map), stationary=points))
    view.resize(420, 300)  # a stationary-points table beside it, on a small screen
    legend = view.explore.legend
    qtbot.waitUntil(lambda: not legend.in_column)
    box = view.view_box.sceneBoundingRect()

    def share() -> float:
        return legend.sceneBoundingRect().height() / box.height()

    qtbot.waitUntil(lambda: legend.scale() < 1)
    assert share() <= 0.46 or legend.scale() == pytest.approx(0.6)
    assert box.contains(legend.sceneBoundingRect())
    view.resize(1400, 900)  # the column again: full size there
    qtbot.waitUntil(lambda: legend.in_column and legend.scale() == 1)


def _share_near(path: Path, colour: str, tolerance: int) -> float:
    want = np.array(rgb(colour))
    values = np.asarray(Image.open(path).convert("RGB"), dtype=np.int32)
    return float((np.abs(values - want).max(axis=-1) <= tolerance).mean())


@pytest.mark.usefixtures("qapp")
def test_an_export_of_the_contour_view_shows_the_map_and_markers(
    tmp_path: Path, well_picture, well_map
) -> None:
    points = stationary_points(compile_function(WELL), WELL_WINDOW)
    layer = layer_of(well_map)
    with_map, plain = tmp_path / "map.png", tmp_path / "plain.png"
    write_image(with_layers(well_picture, layer, points), "contour", with_map, (600, 400))
    write_image(well_picture, "contour", plain, (600, 400))
    for colour in layer.attractor_colours:
        assert _share_near(with_map, colour, 45) > 0.1 > _share_near(plain, colour, 45)
    assert _share_near(with_map, KIND_COLOURS["saddle"], 20) > _share_near(
        plain, KIND_COLOURS["saddle"], 20
    )
    svg = tmp_path / "map.svg"
    write_image(with_layers(well_picture, layer, points), "contour", svg, (600, 400))
    assert "minimum (-1, 0): 50%" in svg.read_text()


# ------------------------------------------------------------------ sweep view
@pytest.fixture(scope="module")
def quadratic_sweep():
    objective = compile_function("x^2 + 2*y^2")
    configs = [make_config("gd"), make_config("adam")]
    return sweep_learning_rates(objective, configs, [(1.0, 1.0)], 0.01, 1.0, 11, 200)


def test_the_sweep_view_draws_final_f_against_lr_with_divergence_and_best_marked(
    qtbot, well_picture, quadratic_sweep
) -> None:
    view = SweepView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    layer = SweepLayer(quadratic_sweep, ("GD", "Adam"), ("#000000", "#785EF0"))
    view.set_picture(with_layers(well_picture, sweep=layer))
    assert view.plot.getAxis("bottom").logMode and view.plot.getAxis("left").logMode
    lines = [i for i in view._items if i.opts.get("pen") is not None]
    assert len(lines) == 2
    crosses = [i for i in view._items if i.opts.get("symbol") == "x"]
    stars = [i for i in view._items if i.opts.get("symbol") == "star"]
    gd = quadratic_sweep.optimizers[0]
    assert len(crosses) == 1 and np.allclose(crosses[0].xData, gd.lrs[gd.lrs > 0.5])
    assert len(stars) == 2 and stars[0].xData[0] == gd.best_lr
    assert "GD: best lr" in view.legend_text and "a run diverged" in view.legend_text

    view.set_picture(well_picture)  # no sweep: an empty plot that says how to get one
    assert view._items == [] and view.note.isVisible()


def test_negative_final_values_are_drawn_above_the_lowest(qtbot, well_picture) -> None:
    objective = compile_function("x^2 + y^2 - 3")
    sweep = sweep_learning_rates(objective, [make_config("gd")], [(1.0, 1.0)], 0.01, 0.5, 5, 100)
    view = SweepView()
    qtbot.addWidget(view)
    view.set_picture(with_layers(well_picture, sweep=SweepLayer(sweep, ("GD",), ("#000000",))))
    assert view.offset == pytest.approx(-3.0)
    assert "final f − (-3)" in view.plot.getAxis("left").labelText
    assert all(v > 0 for v in view._items[0].yData)


@pytest.mark.usefixtures("qapp")
def test_a_sweep_exports_as_a_picture(tmp_path: Path, well_picture, quadratic_sweep) -> None:
    layer = SweepLayer(quadratic_sweep, ("GD", "Adam"), ("#000000", "#785EF0"))
    target = tmp_path / "sweep.png"
    write_image(with_layers(well_picture, sweep=layer), "sweep", target, (500, 400))
    assert Image.open(target).size == (500, 400)
    assert _share_near(target, "#785EF0", 30) > 0.001


@pytest.mark.gl
def test_the_surface_marks_stationary_points_in_their_kinds_colours(qtbot) -> None:
    from gdplayground.qt.surface_view import SurfaceView

    session = Session(WELL, WELL_WINDOW, (0.5, 0.5), (entry_for("gd", {"lr": 0.05}),), steps=20)
    picture = picture_from_scene(build_scene(session, resolution=40))
    points = stationary_points(compile_function(WELL), WELL_WINDOW)
    view = SurfaceView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.set_picture(with_layers(picture, stationary=points))
    item = view.explore.points_item
    assert item.visible() and len(item.pos) == 3
    colours = {tuple(round(float(v), 3) for v in c) for c in np.asarray(item.color)}
    assert colours == {
        tuple(round(v, 3) for v in QtGui.QColor(KIND_COLOURS[k]).getRgbF())
        for k in ("minimum", "saddle")
    }
    assert view.explore.legend_text == "Stationary points\n2 minima\n1 saddle"
    view.set_picture(picture)
    assert not item.visible() and view.explore.legend_text == ""
