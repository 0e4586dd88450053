"""The Explore menu as a user drives it: basin maps, stationary points, sweeps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdplayground.core.explore.basins import BasinRequest
from gdplayground.core.optimizers import make_config
from gdplayground.model.session import Session, entries_for
from gdplayground.qt._qt import QtCore
from gdplayground.qt.explore_compute import ExploreComputer
from gdplayground.qt.main_window import MainWindow

WELL = "(x^2 - 1)^2 + y^2"
WAIT_MS = 30000


@pytest.fixture
def settings(tmp_path: Path) -> QtCore.QSettings:
    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings) -> MainWindow:
    entries = entries_for([("gd", {"lr": 0.05}), ("momentum", {"lr": 0.05}), ("adam", {"lr": 0.1})])
    session = Session(WELL, (-2.0, 2.0, -1.0, 1.0), (0.5, 0.5), entries, steps=100)
    w = MainWindow(session=session, settings=settings, with_surface=False)
    qtbot.addWidget(w)
    w.resize(1300, 800)
    with qtbot.waitSignal(w.scene_shown, timeout=WAIT_MS):
        pass
    w.explore.set_grid_size(50)
    return w


def map_of(qtbot, w: MainWindow, row: int):
    """Select optimizer ``row``, ask for its basin map (B) and wait for it to complete."""
    w.optimizer_panel.select(row)
    w.explore.basin_action.trigger()
    qtbot.waitUntil(
        lambda: (
            not w.explore.computing
            and w.explore.basin_map is not None
            and w.explore.basin_map.complete
        ),
        timeout=WAIT_MS,
    )
    return w.explore.basin_map


def count_requests(w: MainWindow) -> list[BasinRequest]:
    """Every basin map the window asks its computer for, from now on."""
    asked: list[BasinRequest] = []
    ask = w.explore.computer.request_basins

    def counted(request, objective):
        asked.append(request)
        ask(request, objective)

    w.explore.computer.request_basins = counted
    return asked


def test_a_basin_map_fills_in_and_is_drawn_under_the_paths(qtbot, window) -> None:
    partial: list[int] = []
    window.explore.computer.basins_changed.connect(lambda _r, m: partial.append(m.rows_done))
    basins = map_of(qtbot, window, 0)
    assert partial[0] < 50 and partial[-1] == 50  # a first picture long before the last
    assert basins.request.config.name == "gd" and basins.request.size == 50
    assert basins.request.window == window.session.domain
    assert (basins.request.steps, basins.request.tol) == (100, window.session.tol)
    assert sorted(round(a.point[0], 6) for a in basins.attractors) == [-1.0, 1.0]
    assert window.picture.basins.basins is basins
    assert window.contour.explore.basins is window.picture.basins
    assert window.contour.explore.basin_item.isVisible()
    assert "Basins of Gradient descent" in window.contour.explore.legend.text
    assert window.explore.progress_box.isHidden()
    assert window.statusBar().currentMessage() == "Basin map done: 2 attractors"


def test_editing_the_mapped_optimizer_recomputes_its_map_and_others_do_not(qtbot, window) -> None:
    first = map_of(qtbot, window, 0)
    asked = count_requests(window)
    window.optimizer_panel.set_param(1, "lr", 0.01)  # momentum: not the one mapped
    qtbot.waitUntil(lambda: window.scene.session == window.session, timeout=WAIT_MS)
    assert asked == [] and window.explore.basin_map is first

    window.optimizer_panel.set_param(0, "lr", 0.02)
    # the old map is never drawn with the new paths
    qtbot.waitUntil(lambda: window.scene.session == window.session, timeout=WAIT_MS)
    assert window.picture.basins is None or window.picture.basins.basins.request == asked[-1]
    qtbot.waitUntil(
        lambda: window.explore.basin_map is not None and window.explore.basin_map.complete,
        timeout=WAIT_MS,
    )
    assert len(asked) == 1 and asked[0].config.params["lr"] == 0.02
    assert window.picture.basins.basins.request == asked[0]


def test_a_new_window_recomputes_the_map_over_it(qtbot, window) -> None:
    map_of(qtbot, window, 0)
    window.set_session(replace(window.session, domain=(-3.0, 3.0, -2.0, 2.0)))
    qtbot.waitUntil(
        lambda: (
            window.explore.basin_map is not None
            and window.explore.basin_map.complete
            and window.explore.basin_map.request.window == (-3.0, 3.0, -2.0, 2.0)
        ),
        timeout=WAIT_MS,
    )
    assert window.picture.basins.basins is window.explore.basin_map


def test_m_switches_between_the_optimizers_maps_without_computing_them_again(qtbot, window) -> None:
    gd = map_of(qtbot, window, 0)
    adam = map_of(qtbot, window, 2)
    assert adam.request.config.name == "adam"
    asked = count_requests(window)
    window.explore.next_map_action.trigger()
    assert window.explore.shown_row == 0 and window.picture.basins.basins is gd
    assert "Basins of Gradient descent" in window.contour.explore.legend.text
    window.explore.next_map_action.trigger()
    assert window.picture.basins.basins is adam and asked == []


def test_hiding_and_showing_the_map_computes_nothing(qtbot, window) -> None:
    basins = map_of(qtbot, window, 0)
    asked = count_requests(window)
    computed = window.compute_requests
    window.explore.show_basins_action.trigger()  # Shift+B
    assert not window.session.view.show_basins
    assert window.picture.basins is None and not window.contour.explore.basin_item.isVisible()
    window.explore.show_basins_action.trigger()
    assert window.picture.basins.basins is basins
    assert window.contour.explore.basin_item.isVisible()
    assert asked == [] and window.compute_requests == computed


def test_cancel_stops_the_map_and_keeps_the_part_computed(qtbot, window) -> None:
    window.explore.set_grid_size(1000)
    window.optimizer_panel.select(2)
    window.explore.basin_action.trigger()
    qtbot.waitUntil(lambda: window.explore.basin_map is not None, timeout=WAIT_MS)
    assert not window.explore.progress_box.isHidden()
    window.explore.cancel_button.click()
    qtbot.waitUntil(lambda: not window.explore.computing, timeout=WAIT_MS)
    basins = window.explore.basin_map
    assert not basins.complete and window.picture.basins.basins is basins
    assert window.statusBar().currentMessage().startswith("Basin map cancelled at")
    assert window.explore.progress_box.isHidden()


def test_a_map_over_budget_is_refused_with_the_reason(qtbot, window) -> None:
    lbfgs = entries_for([("lbfgs", {})])
    window.set_session(replace(window.session, optimizers=lbfgs))
    qtbot.waitUntil(lambda: window.scene.session == window.session, timeout=WAIT_MS)
    window.explore.set_grid_size(400)
    window.optimizer_panel.select(0)
    window.explore.basin_action.trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith("Basin map not computed: 400x400 starts x 100 steps is too much")
    assert not window.explore.computing and window.picture.basins is None


def test_stationary_points_are_listed_marked_and_found_again_for_a_new_function(
    qtbot, window
) -> None:
    window.explore.stationary_action.trigger()  # P
    qtbot.waitUntil(lambda: window.explore.stationary is not None, timeout=WAIT_MS)
    assert not window.explore.table_dock.isHidden()
    rows = window.explore.table.rows()
    assert sorted(r[0] for r in rows) == ["minimum", "minimum", "saddle"]
    assert len(window.contour.explore.stationary_item.points()) == 3
    assert window.picture.stationary == window.explore.stationary

    window.function_editor.line_edit.setText("x^2 + y^2 - x*y")
    window.function_editor.validate_now()
    qtbot.waitUntil(
        lambda: window.explore.stationary is not None and len(window.explore.stationary) == 1,
        timeout=WAIT_MS,
    )
    assert window.explore.table.rows()[0][:3] == ["minimum", "0", "0"]


def test_a_sweep_then_race_at_best_rates_is_an_ordinary_edit(qtbot, window) -> None:
    panel = window.explore.sweep_panel
    panel.points.setValue(6)
    next(a for a in window.explore.menu.actions() if a.text() == "Learning-rate sweep").trigger()
    qtbot.waitUntil(lambda: window.explore.sweep_result is not None, timeout=WAIT_MS)
    sweep = window.explore.sweep_result
    assert not window.explore.sweep_dock.isHidden() and len(sweep.lrs) == 6
    assert panel.view.layer.sweep is sweep
    assert [r.config.name for r in sweep.optimizers] == ["gd", "momentum", "adam"]
    best = [r.best_lr for r in sweep.optimizers]
    assert all(b is not None for b in best)

    changed: list[frozenset] = []
    window.holder.changed.connect(lambda _s, fields: changed.append(fields))
    panel.race_button.click()
    assert changed == [frozenset({"optimizers"})]
    assert [e.params["lr"] for e in window.session.optimizers] == best
    window.optimizer_panel.select(2)
    assert float(window.optimizer_panel.form_field("lr").text()) == pytest.approx(best[2])
    qtbot.waitUntil(lambda: window.scene.session == window.session, timeout=WAIT_MS)
    assert window.explore.sweep_result is sweep  # the lr is what a sweep varies


def test_a_range_an_optimizer_refuses_is_said_in_the_sweep_panel(qtbot, window) -> None:
    panel = window.explore.sweep_panel
    panel.high.setText("5000")
    panel.sweep_button.click()
    assert "lr=5000" in panel.message.text() and window.explore.sweep_result is None
    panel.low.setText("1")
    panel.high.setText("0.1")
    panel.sweep_button.click()
    assert "0 < LOW < HIGH" in panel.message.text()


def test_the_basin_workers_start_after_the_first_picture_and_stop_on_shutdown(qtbot) -> None:
    computer = ExploreComputer(use_pool=True)
    request = BasinRequest(WELL, make_config("gd", {"lr": 0.05}), (-2, 2, -1, 1), 20, 50)
    with qtbot.waitSignal(computer.basins_ended, timeout=WAIT_MS):
        computer.request_basins(request, None)
    pool = computer.pool
    assert pool is not None and not pool.started  # the first map ran here
    computer.warm_pool()
    if not pool.started:
        pytest.skip("worker processes cannot start here")
    assert pool.wait_ready(60)
    computer.shutdown()
    assert not pool.ready


def test_a_long_sweep_shows_it_is_busy_and_can_be_cancelled(qtbot, window) -> None:
    # L-BFGS steps every rate on its own: at small rates this sweep takes many seconds
    window.set_session(replace(window.session, optimizers=entries_for([("lbfgs", {})])))
    panel = window.explore.sweep_panel
    panel.low.setText("1e-5")
    panel.high.setText("1e-3")
    window.explore.open_sweep()
    box = window.explore.progress_box
    assert (
        not box.isHidden() and window.explore.progress_label.text() == "Sweeping the learning rates"
    )
    window.explore.cancel_button.click()
    qtbot.waitUntil(lambda: box.isHidden(), timeout=WAIT_MS)
    assert panel.message.text() == "cancelled" and window.explore.sweep_result is None


def test_a_fit_to_data_is_not_explored_and_says_so(qtbot, window) -> None:
    from gdplayground.model.build import SessionOptions, build_session

    fit = build_session(SessionOptions(fit="linear")).session
    window.set_session(fit)
    qtbot.waitUntil(lambda: window.scene.session == window.session, timeout=WAIT_MS)
    window.optimizer_panel.select(0)
    window.explore.basin_action.trigger()
    assert "explore a function f(x, y)" in window.statusBar().currentMessage()
    window.explore.stationary_action.trigger()
    assert not window.explore.computing and window.explore.stationary is None
    assert window.picture.basins is None and window.picture.stationary is None


def test_a_sweep_made_in_the_window_can_be_exported_as_an_image(qtbot, window, tmp_path) -> None:
    from PIL import Image

    from gdplayground.qt.export_actions import IMAGE_VIEWS, ImageChoice

    exports = window.exports
    assert "sweep" not in exports._with_data(IMAGE_VIEWS, still=True)  # nothing swept yet
    window.explore.sweep_panel.points.setValue(6)
    window.explore.open_sweep()
    window.explore.sweep_panel.sweep_button.click()
    qtbot.waitUntil(lambda: window.explore.sweep_result is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.picture.sweep is not None, timeout=WAIT_MS)
    assert "sweep" in exports._with_data(IMAGE_VIEWS, still=True)
    assert "sweep" not in exports._with_data({})  # an animation of a sweep is not offered
    path = tmp_path / "sweep.png"
    assert exports.export_image_to(path, ImageChoice("sweep", (640, 480), False))
    with Image.open(path) as image:
        assert image.size == (640, 480)
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
        assert len(np.unique(pixels, axis=0)) > 20  # curves and labels drawn
