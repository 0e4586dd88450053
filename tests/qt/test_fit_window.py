"""A fit to data in the window: the Fit menu, the data panel, batch sizes, the data view."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdplayground.core.data.csv_files import parse_csv
from gdplayground.model.fits import load_fits
from gdplayground.model.session import default_session
from gdplayground.qt._qt import QtCore
from gdplayground.qt.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QtCore.QSettings:
    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)


def wait_scene(qtbot, w: MainWindow):
    with qtbot.waitSignal(w.scene_shown, timeout=30000) as blocker:
        pass
    return blocker.args[0]


@pytest.fixture
def window(qtbot, settings) -> MainWindow:
    w = MainWindow(
        session=replace(default_session(), steps=40), settings=settings, with_surface=False
    )
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    wait_scene(qtbot, w)
    w.messages = []
    w.show_message = lambda title, text: w.messages.append(text)  # type: ignore[method-assign]
    return w


def choose_fit(qtbot, window: MainWindow, key: str):
    action = next(a for a in window.fit_controls.menu.actions() if a.data() == key)
    action.trigger()
    return settled(qtbot, window)


def settled(qtbot, window: MainWindow):
    """The scene of the window's session once its exact picture is shown."""

    def done() -> bool:
        scene = window.scene
        return scene is not None and scene.session == window.session and scene.landscape.exact

    qtbot.waitUntil(done, timeout=30000)
    return window.scene


def test_the_fit_menu_races_batch_stochastic_and_mini_batch_descent(qtbot, window) -> None:
    assert [a.data() for a in window.fit_controls.menu.actions()][:5] == list(load_fits())
    scene = choose_fit(qtbot, window, "linear")
    session = window.session
    assert session.fit is not None and session.fit.preset == "linear"
    assert session.domain == load_fits()["linear"].window
    assert [e.batch_size for e in session.optimizers] == [None, 1, 16, 16]
    assert window.data_view.isVisible() and window.fit_controls.panel.isVisible()
    assert not window.function_editor.isVisible()
    # the contour shows the full-data loss over (w, b): its grid is the objective's
    grid = scene.landscape.grid
    w, b = grid.xs[40], grid.ys[100]
    assert grid.z[100, 40] == pytest.approx(float(scene.objective.value(w, b)), rel=1e-12)
    # the batch path wanders; the full-batch path follows the full gradient
    full, sgd = window.paths[0], window.paths[1]
    assert sgd.batch_size == 1 and full.batch_size is None
    assert not np.allclose(full.points, sgd.points)


def test_the_data_view_draws_the_points_each_model_and_the_current_batch(qtbot, window) -> None:
    choose_fit(qtbot, window, "linear")
    view = window.data_view
    data = window.scene.objective.data
    xs, ys = view.point_data()
    np.testing.assert_array_equal(xs, data.column("x"))
    np.testing.assert_array_equal(ys, data.column("y"))
    window.set_frame(7)
    for index, path in enumerate(window.paths):
        w, b = path.points[7]
        cx, cy = view.curve_data(index)
        np.testing.assert_allclose(cy, w * cx + b, rtol=1e-12, atol=1e-12)  # m = w*x + b
    # SGD (batch 1) rings the one example its next step uses: batch 8 of DataLoader's order
    sgd = window.paths[1]
    example = sgd.batches.batch(8)
    rx, ry = view.ringed(1)
    assert rx.tolist() == data.column("x")[example].tolist()
    assert ry.tolist() == data.column("y")[example].tolist()
    assert len(view.ringed(2)[0]) == 16 and len(view.ringed(0)[0]) == 0  # full batch: none


def test_changing_one_batch_size_recomputes_only_that_run(qtbot, window) -> None:
    choose_fit(qtbot, window, "linear")
    before = {
        e.name: p.source for e, p in zip(window.session.optimizers, window.paths, strict=True)
    }
    window.optimizer_panel.select(2)
    field = window.fit_controls.batch_field
    field.combo.setEditText("5")
    assert field.commit()
    wait_scene(qtbot, window)
    assert window.session.optimizers[2].batch_size == 5
    after = {e.name: p.source for e, p in zip(window.session.optimizers, window.paths, strict=True)}
    assert [after[n] is before[n] for n in before] == [True, True, False, True]
    assert window.paths[2].examples[3] == 15
    field.combo.setEditText("500")
    assert not field.commit()
    assert "out of range" in field.message() and window.session.optimizers[2].batch_size == 5


def test_model_and_loss_are_checked_as_typed_with_the_column(qtbot, window) -> None:
    choose_fit(qtbot, window, "linear")
    panel = window.fit_controls.panel
    panel.field("model").setText("w*z + b")
    panel.check_texts()
    assert panel.message() == "model: column 3: unknown name 'z': use w, b, x, y, pi, e"
    assert window.session.fit.model == "w*x + b"  # the last accepted one stays in force
    panel.field("model").setText("w*x^2 + b")
    panel.check_texts()
    scene = wait_scene(qtbot, window)
    assert scene.session.fit.model == "w*x^2 + b" and scene.session.fit.preset is None


def test_a_csv_of_your_own_and_a_bad_one(qtbot, window, tmp_path: Path) -> None:
    good = tmp_path / "heights.csv"
    rows = "\n".join(f"{a},{2.5 * a + 1 + (-1) ** a * 0.3}" for a in range(20))
    good.write_text("age,height\n" + rows + "\n")
    assert window.fit_controls.open_csv_path(good)
    scene = wait_scene(qtbot, window)
    fit = window.session.fit
    assert (fit.model, fit.loss) == ("w*age + b", "(m - height)^2")
    assert scene.objective.data.columns == ("age", "height")
    bad = tmp_path / "bad.csv"
    bad.write_text("age,height\n1,2\n3,tall\n")
    session = window.session
    assert not window.fit_controls.open_csv_path(bad)
    assert window.messages[-1] == (
        "bad.csv: row 3, column 2 (height): 'tall' is not a number: write numbers like 1.5, "
        "-2 or 3e-4"
    )
    assert window.session == session  # nothing changed


def test_saving_a_built_in_set_as_csv_writes_its_examples(qtbot, window, tmp_path) -> None:
    choose_fit(qtbot, window, "logistic")
    path = tmp_path / "classes.csv"
    assert window.fit_controls.save_csv_path(path)
    columns, values = parse_csv(path.read_bytes())
    data = window.scene.objective.data
    assert columns == data.columns
    np.testing.assert_array_equal(values, data.values)


def test_the_loss_plot_counts_examples_or_evaluations(qtbot, window) -> None:
    choose_fit(qtbot, window, "linear")
    window.fit_controls.axis_actions["examples"].trigger()
    window.set_frame(10)
    epochs, _ = window.loss.curve_data(0, "f")  # full batch: one epoch a step
    assert epochs.tolist() == [float(k) for k in range(11)]
    sgd, _ = window.loss.curve_data(1, "f")
    assert sgd[-1] == pytest.approx(10 / 200)
    assert window.loss.x_label == "examples seen (epochs)"
    window.fit_controls.axis_actions["evaluations"].trigger()
    assert window.loss.x_label == "gradient evaluations"
    window.fit_controls.batch_loss_action.trigger()
    _, losses = window.loss.curve_data(1, "f")
    expected = window.paths[1].batch_values[:11]
    shown = np.log10(expected) if window.loss.log_y("f") else expected
    np.testing.assert_allclose(losses, shown)


def test_back_to_a_function(qtbot, window) -> None:
    choose_fit(qtbot, window, "sigmoid_neuron")
    window.fit_controls.leave_fit()
    scene = settled(qtbot, window)
    assert scene.session.fit is None and scene.landscape.drawing is None
    assert window.function_editor.isVisible() and not window.data_view.isVisible()


def test_the_window_exports_the_data_view_and_the_fit_s_trajectories(
    qtbot, window, tmp_path: Path
) -> None:
    import json

    from PIL import Image

    from gdplayground.qt.export_actions import ImageChoice

    choose_fit(qtbot, window, "linear")
    image = tmp_path / "data.png"
    assert window.exports.export_image_to(image, ImageChoice("data", (400, 300), True))
    assert Image.open(image).size == (400, 300)
    runs = tmp_path / "runs.json"
    assert window.exports.export_data_to(runs)
    doc = json.loads(runs.read_text())
    assert doc["data"]["columns"] == ["x", "y"] and doc["fit"]["preset"] == "linear"
    assert [r["batch_size"] for r in doc["runs"]] == ["full", 1, 16, 16]
    assert doc["runs"][1]["examples"][:3] == [0, 1, 2]


def test_a_fit_names_its_axes_w_and_b_in_the_panel_and_the_views(qtbot, window) -> None:
    choose_fit(qtbot, window, "linear")
    panel = window.settings_panel
    assert panel._axis_labels[0].text() == "w from" and panel._start_labels[0].text() == "Start w"
    assert window.contour.plot.getAxis("bottom").labelText == "w"
    window.function_editor.choose_preset("himmelblau")
    qtbot.waitUntil(lambda: panel._axis_labels[0].text() == "x from", timeout=30000)


def test_shift_g_shows_the_gradient_fan_at_the_selected_optimizer_s_point(qtbot, window) -> None:
    """The fan is off until asked; then it sits at the selected optimizer's current
    point, its batch arrows are that optimizer's batches, and a full-batch
    optimizer's fan is its single full-data gradient."""
    choose_fit(qtbot, window, "linear")  # full batch, SGD (1), two mini-batches (16)
    contour = window.contour
    window.set_frame(5)
    assert contour.fan_shown() is None
    window.contour.setFocus()
    qtbot.keyClick(window.contour, QtCore.Qt.Key.Key_G, QtCore.Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: contour.fan_shown() is not None, timeout=10000)
    assert window.session.view.show_gradient_fan
    window.optimizer_panel.select(1)  # SGD: one example per batch
    qtbot.waitUntil(lambda: window.picture.fan_row == 1, timeout=10000)
    sgd = window.picture.paths[1]
    fan = contour.fan_shown()
    assert fan is not None and fan.batch_size == 1 and len(fan.batches) > 3
    np.testing.assert_array_equal(
        contour.fan_full.getData()[0][0], sgd.points[5][0]
    )  # drawn from SGD's point at frame 5
    assert any(text.endswith("batches of 1") for text in contour.key_entries())
    window.optimizer_panel.select(2)  # batches of 16: a narrower fan
    qtbot.waitUntil(lambda: contour.fan_shown().batch_size == 16, timeout=10000)
    point = window.picture.paths[2].points[5]
    spread_16 = contour.fan_shown().spread
    spread_1 = window.picture.fan.at(*point, 1, window.session.seed).spread
    assert spread_16 < spread_1
    window.optimizer_panel.select(0)  # full batch: no spread
    qtbot.waitUntil(lambda: contour.fan_shown().batch_size is None, timeout=10000)
    assert contour.fan_shown().spread == 0.0
    window.fit_controls.fan_action.trigger()
    qtbot.waitUntil(lambda: contour.fan_shown() is None, timeout=10000)
    assert not window.session.view.show_gradient_fan
