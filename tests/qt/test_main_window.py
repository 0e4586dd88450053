"""The window as a user drives it: type, click, play, scrub; views stay linked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from gdplayground.model.presets import load_presets
from gdplayground.model.session import ViewOptions, default_session, entry_for
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.contour_view import format_value
from gdplayground.qt.main_window import MainWindow


@pytest.fixture
def settings(tmp_path: Path) -> QtCore.QSettings:
    return QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings) -> MainWindow:
    session = replace(default_session(), steps=60)
    w = MainWindow(session=session, settings=settings, with_surface=False)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        pass
    return w


def wait_scene(qtbot, w: MainWindow):
    with qtbot.waitSignal(w.scene_shown, timeout=20000) as blocker:
        pass
    return blocker.args[0]


def test_opens_with_a_ready_to_play_scene(window: MainWindow) -> None:
    scene = window.scene
    assert scene is not None and scene.session.preset == "rosenbrock"
    assert len(window.paths) == len(window.session.optimizers) >= 4
    assert window.clock.length == scene.frames > 1
    assert "Gradient descent" in " ".join(window.contour.legend_entries())


def test_typing_a_function_redraws_and_invalid_text_keeps_the_picture(qtbot, window) -> None:
    before = window.contour.grab().toImage()
    editor = window.function_editor
    editor.line_edit.setText("(x^2 + y - 11)^2 + (x + y^2 - 7)^2 + x")
    editor.validate_now()
    scene = wait_scene(qtbot, window)
    assert scene.session.function.startswith("(x^2 + y - 11)")
    assert scene.session.preset is None
    qtbot.waitUntil(lambda: not window.computer.busy, timeout=30000)  # its window fitted too
    scene = window.scene
    assert window.contour.grab().toImage() != before
    assert np.allclose(
        window.paths[0].values[0],
        scene.objective.value(
            np.array([window.session.start[0]]), np.array([window.session.start[1]])
        )[0],
    )

    shown = window.contour.grab().toImage()
    editor.line_edit.setText("sinn(x) + y")
    editor.validate_now()
    qtbot.waitUntil(lambda: "did you mean sin" in editor.message(), timeout=5000)
    assert window.session.function.startswith("(x^2 + y - 11)")
    assert window.contour.grab().toImage() == shown


def test_choosing_a_preset_sets_function_window_and_minima(qtbot, window) -> None:
    window.function_editor.choose_preset("himmelblau")
    scene = wait_scene(qtbot, window)
    preset = load_presets()["himmelblau"]
    assert scene.session.function == preset.formula
    assert scene.session.domain == preset.domain and scene.grid.domain == preset.domain
    assert len(window.contour.minima_item.data) == len(preset.minima) == 4


def test_click_moves_the_start_and_recomputes_every_trajectory(qtbot, window) -> None:
    old = [p.points.copy() for p in window.paths]
    window.contour.start_moved.emit(0.50012345, -0.49987654)
    wait_scene(qtbot, window)
    assert window.session.start == (0.5, -0.5)  # a click is as precise as 1/1000 window
    assert window.settings_panel.start() == (0.5, -0.5)
    for path, before in zip(window.paths, old, strict=True):
        assert tuple(path.points[0]) == (0.5, -0.5)
        assert not np.array_equal(path.points, before)


def test_closing_with_unsaved_changes_asks_save_discard_or_cancel(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    buttons = QtWidgets.QMessageBox.StandardButton
    path = tmp_path / "lesson.gdp.json"
    assert window.files.save_to(path)
    asked: list[str] = []
    answer = [buttons.Cancel]
    monkeypatch.setattr(window, "ask_unsaved", lambda name: asked.append(name) or answer[0])
    window.show()
    window.contour.start_moved.emit(0.25, 1.5)
    assert window.isWindowModified()
    assert not window.close() and window.isVisible()  # Cancel keeps the window open
    assert asked == ["lesson.gdp.json"]
    answer[0] = buttons.Save
    assert window.close()
    from gdplayground.model.session_file import load_session

    assert load_session(path).start == (0.25, 1.5)


def test_closing_a_saved_session_asks_nothing(qtbot, window, tmp_path, monkeypatch) -> None:
    assert window.files.save_to(tmp_path / "lesson.gdp.json")
    monkeypatch.setattr(window, "ask_unsaved", lambda name: pytest.fail("asked"))
    assert window.close()


def test_the_shortcut_list_shows_plain_names(qtbot, window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        "gdplayground.qt.main_window.QtWidgets.QMessageBox.information",
        lambda parent, title, text: shown.append(text),
    )
    window._show_shortcuts()
    assert "Open…" in shown[0] and "&Open" not in shown[0] and "Space" in shown[0]


def test_adding_removing_and_editing_optimizers_changes_what_is_drawn(qtbot, window) -> None:
    n = len(window.paths)
    entries = window.optimizer_panel.entries() + (entry_for("adagrad"),)
    window.optimizer_panel.set_entries(entries)
    window.optimizer_panel.optimizers_changed.emit(entries)
    wait_scene(qtbot, window)
    assert len(window.paths) == n + 1 and window.paths[-1].name == "AdaGrad"

    first = window.paths[0].points.copy()
    edited = list(window.session.optimizers)
    edited[0] = replace(edited[0], params={**edited[0].params, "lr": 2e-4})
    window.optimizer_panel.optimizers_changed.emit(tuple(edited))
    wait_scene(qtbot, window)
    assert not np.array_equal(window.paths[0].points, first)

    requests = window.compute_requests
    disabled = tuple(replace(e, enabled=(i != 0)) for i, e in enumerate(window.session.optimizers))
    window.optimizer_panel.optimizers_changed.emit(disabled)
    # switching a racer off (or on again) computes nothing: its run is kept
    assert len(window.paths) == n and "Gradient descent" not in [p.name for p in window.paths]
    window.optimizer_panel.optimizers_changed.emit(edited_back := window.session.optimizers)
    enabled = tuple(replace(e, enabled=True) for e in edited_back)
    window.optimizer_panel.optimizers_changed.emit(enabled)
    assert len(window.paths) == n + 1 and window.paths[0].name == "Gradient descent"
    assert window.compute_requests == requests


def test_a_new_colour_or_name_is_drawn_without_computing_anything(qtbot, window) -> None:
    requests = window.compute_requests
    computed = []
    window.computer.scene_ready.connect(computed.append)
    old = window.paths
    entries = list(window.session.optimizers)
    entries[0] = replace(entries[0], color="#FF00FF", name="Plain GD")
    window.optimizer_panel.optimizers_changed.emit(tuple(entries))
    # shown at once, by every view, from the runs already computed
    assert window.paths[0].colour == "#FF00FF" and window.paths[0].name == "Plain GD"
    assert window.paths[0].source is old[0].source
    assert "Plain GD" in " ".join(window.contour.legend_entries())
    assert window.loss.legend.items[0][1].text == "Plain GD"
    window.gradient_arrows_action.trigger()  # a view toggle: the same
    assert window.session.view.show_gradient_arrows
    QtWidgets.QApplication.processEvents()
    assert window.compute_requests == requests and computed == []


def test_play_scrub_and_step_keep_every_view_on_the_same_frame(qtbot, window) -> None:
    assert window.clock.frame == 0
    window.toggle_play()
    assert window.clock.is_playing()
    for _ in range(5):
        window.clock.tick()
    window.toggle_play()
    assert window.clock.frame == 5 and not window.clock.is_playing()
    assert window.contour.frame == window.loss.frame == 5
    assert window.playback.slider.value() == 5
    assert len(window.contour.drawn_points(0)) == 6

    window.playback.slider.setValue(30)
    assert window.clock.frame == window.contour.frame == window.loss.frame == 30
    window.step(-1)
    assert window.contour.frame == 29
    window.reset_playback()
    assert window.contour.frame == window.loss.frame == 0


@pytest.mark.filterwarnings("ignore:Function.*setActiveWindow:DeprecationWarning")
def test_keyboard_shortcuts_drive_playback(qtbot, window) -> None:
    # key presses themselves drive playback: no dependence on the window being the
    # active one (which a busy machine may make late)
    target = window.contour
    qtbot.keyClick(target, QtCore.Qt.Key.Key_Right)
    qtbot.keyClick(target, QtCore.Qt.Key.Key_Right)
    assert window.clock.frame == 2
    qtbot.keyClick(target, QtCore.Qt.Key.Key_Space)
    assert window.clock.is_playing()
    qtbot.keyClick(target, QtCore.Qt.Key.Key_Space)
    qtbot.keyClick(target, QtCore.Qt.Key.Key_End)
    assert window.clock.frame == window.clock.last_frame and not window.clock.is_playing()
    qtbot.keyClick(window.optimizer_panel._list, QtCore.Qt.Key.Key_Home)  # not a text field
    assert window.clock.frame == 0
    # typing in the function editor types; it does not drive playback
    editor = window.function_editor.line_edit
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Space)
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_End)
    assert not window.clock.is_playing() and window.clock.frame == 0
    assert editor.text().endswith(" ")


def test_enter_after_typing_hands_the_keyboard_back_so_space_plays(qtbot, window) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=30000)
    editor = window.function_editor.line_edit
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=30000)
    editor.selectAll()
    qtbot.keyClicks(editor, "x^2 + 10y^2")
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Home)  # still typing: the cursor moves
    assert editor.cursorPosition() == 0 and not window.clock.is_playing()
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(window.contour.hasFocus, timeout=30000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), QtCore.Qt.Key.Key_Space)
    assert window.clock.is_playing()
    assert editor.text() == "x^2 + 10y^2"
    window.clock.pause()
    # the same after editing a number; Escape too
    steps = window.settings_panel.field("tol")
    steps.setFocus()
    qtbot.waitUntil(steps.hasFocus, timeout=30000)
    qtbot.keyClick(steps, QtCore.Qt.Key.Key_Escape)
    qtbot.waitUntil(window.contour.hasFocus, timeout=30000)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), QtCore.Qt.Key.Key_End)
    assert window.clock.frame == window.clock.last_frame


def test_enter_on_a_mistake_keeps_the_keyboard_in_the_field(qtbot, window) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=30000)
    editor = window.function_editor.line_edit
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=30000)
    editor.selectAll()
    qtbot.keyClicks(editor, "sinn(x)")
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "did you mean sin" in window.function_editor.message(), timeout=5000)
    QtWidgets.QApplication.processEvents()
    assert editor.hasFocus()


def test_statuses_show_live_values(qtbot, window) -> None:
    window.set_frame(10)
    status = window.optimizer_panel._statuses[0][0]
    assert "running" in status and "f=" in status and "|∇f|=" in status


def test_numeric_gradient_shows_its_error(qtbot, window) -> None:
    window.settings_panel.gradient_changed.emit("numeric", None)
    scene = wait_scene(qtbot, window)
    assert scene.objective.mode == "numeric"
    assert "numeric gradient off by at most" in window.settings_panel._gradient_error.text()


def test_settings_remember_the_session_between_launches(qtbot, settings) -> None:
    w = MainWindow(
        session=replace(default_session(), function="x^2 + 3y^2", preset=None),
        settings=settings,
        with_surface=False,
    )
    qtbot.addWidget(w)
    w.close()
    again = MainWindow(settings=settings, with_surface=False)
    qtbot.addWidget(again)
    assert again.session.function == "x^2 + 3y^2"
    assert again.function_editor.text() == "x^2 + 3y^2"


def test_save_and_open_sessions_through_the_window(qtbot, window, tmp_path, monkeypatch) -> None:
    path = tmp_path / "lesson.gdp.json"
    window.contour.start_moved.emit(0.25, 1.5)
    wait_scene(qtbot, window)
    assert window.files.save_to(path)
    assert path.is_file() and window.windowTitle().startswith("lesson.gdp.json")
    saved = window.session

    window.function_editor.choose_preset("booth")
    wait_scene(qtbot, window)
    assert window.isWindowModified()

    assert window.open_path(path)
    scene = wait_scene(qtbot, window)
    assert window.session == saved and scene.session == saved
    assert window.function_editor.text() == saved.function
    assert not window.isWindowModified()
    assert window.files.recent_files()[0] == str(path.resolve())

    warnings: list[str] = []
    monkeypatch.setattr(
        "gdplayground.qt.session_files.QtWidgets.QMessageBox.warning",
        lambda parent, title, text: warnings.append(text),
    )
    bad = tmp_path / "bad.gdp.json"
    bad.write_text(
        '{"format": "gdplayground-session", "version": 1, "function": "sinn(x)", '
        '"domain": [-1, 1, -1, 1], "start": [0, 0], "optimizers": []}'
    )
    assert not window.open_path(bad)
    assert "did you mean sin" in warnings[0]
    assert window.session == saved


def test_the_exact_gradient_is_shown_under_the_function(qtbot, window) -> None:
    editor = window.function_editor
    editor.line_edit.setText("x^2*y + 3y")
    editor.validate_now()
    wait_scene(qtbot, window)
    # written out just after the picture (the paths did not wait for it)
    qtbot.waitUntil(lambda: editor.gradient_display() == "∇f = (2*x*y, x^2 + 3)", timeout=5000)


def test_a_big_function_does_not_freeze_the_window(qtbot, window) -> None:
    big = " * ".join(f"sin(x + {i}*y)" for i in range(30))
    editor = window.function_editor
    editor.line_edit.setText(big)
    editor.validate_now()
    # validate_now returned before the scene was computed: the work is elsewhere
    assert window.computer.busy and window.scene.session.function != big
    editor.line_edit.setText("x*y")
    editor.validate_now()
    scene = wait_scene(qtbot, window)
    while scene.session.function != "x*y":
        scene = wait_scene(qtbot, window)
    qtbot.waitUntil(lambda: editor.gradient_display() == "∇f = (y, x)", timeout=5000)


@pytest.mark.gl
def test_the_3d_view_arrives_after_the_window_and_shows_the_scene(qtbot, settings) -> None:
    w = MainWindow(session=replace(default_session(), steps=40), settings=settings)
    qtbot.addWidget(w)
    assert w.surface is None  # not built before the window is shown
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        w.show()
    qtbot.waitUntil(lambda: w.surface is not None, timeout=5000)
    assert w.surface.transform is not None  # the scene's grid is on the surface
    w.set_frame(10)
    assert w.surface.frame == 10
    assert len(w.surface.current_points()) == len(w.paths)


def _picture(image: QtGui.QImage) -> np.ndarray:
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine() // 4, 4
    )
    return rows[:, : image.width(), :3].astype(int)


@pytest.mark.gl
def test_the_3d_view_is_a_native_window_that_draws_each_new_function(qtbot, settings) -> None:
    # a native window: repainting the other widgets never re-composes it (fast with
    # software OpenGL); it still draws the surface and follows the function
    w = MainWindow(session=replace(default_session(), steps=40), settings=settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        w.show()
    qtbot.waitUntil(lambda: w.surface is not None, timeout=5000)
    assert isinstance(w.surface, QtGui.QWindow)
    assert w.surface.parent() is not None  # embedded in the window, not a window of its own
    qtbot.waitUntil(lambda: w.surface.isExposed(), timeout=5000)
    qtbot.waitUntil(lambda: w.surface.isValid(), timeout=5000)
    # as deep a depth buffer as the widget had: hills behind hills stay hidden
    assert w.surface.context().format().depthBufferSize() >= 24
    before = _picture(w.surface.grabFramebuffer())
    background = before[2, 2]
    assert (np.abs(before - background).sum(axis=-1) > 30).mean() > 0.03  # the surface
    editor = w.function_editor
    editor.line_edit.setText("-(x^2 + y^2)")
    editor.validate_now()
    scene = wait_scene(qtbot, w)
    assert scene.session.function == "-(x^2 + y^2)"
    after = _picture(w.surface.grabFramebuffer())
    assert after.shape == before.shape
    assert (np.abs(after - before).sum(axis=-1) > 60).mean() > 0.05


def test_playing_refreshes_texts_at_most_ten_times_a_second_and_exactly_when_paused(
    qtbot, window
) -> None:
    def status() -> str:
        return window.optimizer_panel._statuses[0][0]

    def shows(frame: int) -> bool:
        f, _ = window.paths[0].values_at(frame)
        return f"f={format_value(f)}" in status() and window.contour.legend.text.count(
            f"f = {format_value(f)}"
        )

    window.toggle_play()
    window.clock.tick()
    assert shows(1)
    for _ in range(4):
        window.clock.tick()
    assert window.contour.frame == 5 and shows(1)  # paths move, text waits
    window.toggle_play()
    qtbot.waitUntil(lambda: shows(5), timeout=1000)
    window.step(1)
    assert shows(6)  # stepping is exact at once


def test_the_application_runs_optimizers_in_a_worker_with_the_same_paths(
    qtbot, settings, monkeypatch
) -> None:
    from gdplayground.core import run_worker
    from gdplayground.core.scene import build_scene

    used = []
    original = run_worker.RunWorker.submit

    def submit(self, *args, **kwargs):
        pending = original(self, *args, **kwargs)
        used.append(pending is not None)
        return pending

    monkeypatch.setattr(run_worker.RunWorker, "submit", submit)
    session = replace(default_session(), steps=80)
    w = MainWindow(session=session, settings=settings, with_surface=False, parallel_runs=True)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        w.show()
    qtbot.waitUntil(lambda: w.computer.worker is not None, timeout=5000)
    assert w.computer.worker.wait_ready(60)
    seen = []  # what the contour view showed when the new function's grid came
    w.computer.landscape_ready.connect(
        lambda _, landscape: seen.append((landscape.grid, w.contour._grid, len(w.contour._paths)))
    )
    w.function_editor.line_edit.setText("(x - 1)^2 + 3*sin(y)^2")
    w.function_editor.validate_now()
    scene = wait_scene(qtbot, w)
    assert used == [True]  # computed by the worker process
    # the new function was drawn first, without the old paths, while the worker ran
    assert len(seen) == 1
    grid, shown, paths = seen[0]
    assert grid is scene.grid and shown is scene.grid and paths == 0
    assert len(w.contour._paths) == len(scene.runs)  # then the paths came
    # a new window on the same function reuses the runs: nothing for the worker, no
    # early picture (it would only be drawn twice)
    w.settings_panel.domain_changed.emit((-3.0, 3.0, -2.0, 4.0))
    moved = wait_scene(qtbot, w)
    assert moved.grid.domain == (-3.0, 3.0, -2.0, 4.0)
    assert used == [True] and len(seen) == 1
    here = build_scene(scene.session, resolution=20)
    for mine, theirs in zip(scene.runs, here.runs, strict=True):
        np.testing.assert_array_equal(mine.points, theirs.points)
        assert mine.message == theirs.message
    worker = w.computer.worker
    w.close()  # closing the window stops the worker
    assert not worker.ready


def test_where_no_worker_process_can_start_the_window_computes_in_its_thread(
    qtbot, settings, monkeypatch
) -> None:
    from gdplayground.core import run_worker

    def cannot(self) -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(run_worker.RunWorker, "start", cannot)
    w = MainWindow(
        session=replace(default_session(), steps=40),
        settings=settings,
        with_surface=False,
        parallel_runs=True,
    )
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        w.show()
    w.computer.start_worker()  # what the window does once it is up: no exception
    assert w.computer.worker is None
    w.function_editor.line_edit.setText("x^2 + y^2")
    w.function_editor.validate_now()
    scene = wait_scene(qtbot, w)
    assert scene.session.function == "x^2 + y^2" and all(r is not None for r in scene.runs)


def test_a_session_without_isolines_shows_none_in_the_window(qtbot, settings) -> None:
    session = replace(default_session(), steps=20, view=ViewOptions(show_isolines=False))
    w = MainWindow(session=session, settings=settings, with_surface=False)
    qtbot.addWidget(w)
    wait_scene(qtbot, w)
    assert not w.contour.isoline_item.isVisible()  # as an export of this session draws it
    w.set_session(replace(session, view=ViewOptions(show_isolines=True)))
    assert w.contour.isoline_item.isVisible()


def test_an_edit_that_breaks_a_rule_is_refused_and_the_panels_show_what_holds(
    qtbot, window
) -> None:
    entries = list(window.session.optimizers)
    entries[0] = entry_for("momentum", {"schedule": "onecycle", "total_steps": 60})
    window.optimizer_panel.optimizers_changed.emit(tuple(entries))
    wait_scene(qtbot, window)
    assert window.session.optimizers[0].params["total_steps"] == 60
    window.settings_panel.steps_changed.emit(200)  # longer than the OneCycle schedule
    assert window.session.steps == 60  # refused: a file of it would not reload
    assert window.settings_panel.steps() == 60
    assert "total_steps" in window.statusBar().currentMessage()


def test_a_typed_function_gets_a_window_around_its_paths(qtbot, window) -> None:
    assert window.session.domain == (-2.0, 2.0, -1.0, 3.0)  # Rosenbrock's
    editor = window.function_editor
    editor.line_edit.setText("(x - 6)^2 + (y + 5)^2")
    editor.validate_now()
    qtbot.waitUntil(
        lambda: (
            window.scene is not None
            and window.scene.session.function == "(x - 6)^2 + (y + 5)^2"
            and window.scene.session.domain != (-2.0, 2.0, -1.0, 3.0)
        ),
        timeout=30000,
    )
    xmin, xmax, ymin, ymax = window.session.domain
    for path in window.paths:  # start and every path in view
        inside = path.points[: path.drawable]
        assert (inside[:, 0] >= xmin).all() and (inside[:, 0] <= xmax).all()
        assert (inside[:, 1] >= ymin).all() and (inside[:, 1] <= ymax).all()
    assert xmax > 6 and ymin < -5


def test_typing_a_preset_s_formula_brings_its_window(qtbot, window) -> None:
    preset = load_presets()["himmelblau"]
    editor = window.function_editor
    editor.line_edit.setText(preset.formula.replace(" ", ""))
    editor.validate_now()
    scene = wait_scene(qtbot, window)
    assert scene.session.preset == "himmelblau" and scene.session.domain == preset.domain


def test_the_narrated_step_follows_the_selected_optimizer_and_the_timeline(qtbot, window) -> None:
    window.show()
    window.narration_action.trigger()
    qtbot.waitUntil(window.narration.isVisible, timeout=10000)
    window.optimizer_panel.select(3)  # Adam
    window.set_frame(4)
    text = window.narration.text()
    assert text.startswith("Adam — step 5") and "m ← 0.9·m" in text and "v̂" in text
    window.step(1)
    assert window.narration.text().startswith("Adam — step 6")
    window.optimizer_panel.select(4)  # Newton
    assert "Hessian H =" in window.narration.text()


def test_a_lesson_opens_in_one_click_with_its_text_beside_the_views(
    qtbot, window, tmp_path
) -> None:
    window.show()
    actions = [a for a in window.lessons_menu.actions() if a.text() == "Saddle points"]
    assert actions, [a.text() for a in window.lessons_menu.actions()]
    actions[0].trigger()
    scene = wait_scene(qtbot, window)
    assert scene.session.function == "x^2 - y^2 + 0.25*y^4"
    qtbot.waitUntil(window.lesson_dock.isVisible, timeout=10000)
    assert (
        window.lesson_panel.title() == "Saddle points" and "Predict" in window.lesson_panel.text()
    )
    # an edited lesson is an ordinary session: Save As keeps the teacher's version
    window.contour.start_moved.emit(1.5, 0.001)
    mine = tmp_path / "my-saddle.gdp.json"
    assert window.files.save_to(mine)
    window.add_lesson_folder(str(tmp_path))
    window._fill_lessons_menu()
    titles = [a.text() for a in window.lessons_menu.actions()]
    assert titles.count("Saddle points") == 2  # the ready one, and the teacher's


def test_presenter_mode_doubles_text_and_lines_and_escape_leaves_it(qtbot, window) -> None:
    window.show()
    before = window.session.view
    window.presenter_action.trigger()
    assert window.presenting and window.session.view.text_scale == 2.0
    assert window.session.view.line_scale >= 2.0 and not window.side_dock.isVisible()
    assert window.contour.plot.getAxis("left").style["tickFont"].pointSizeF() >= 2 * 9.0
    qtbot.keyClick(window.contour, QtCore.Qt.Key.Key_Escape)  # Esc leaves
    assert not window.presenting and window.session.view == before
    assert window.side_dock.isVisible()
