"""The playground window: panels edit the Session, the core computes, the views draw.

Data flows one way.  Every edit changes the :class:`SessionHolder`'s
session, which announces the fields it touched.  A change of what is
computed goes to the :class:`SceneComputer`, which turns the session into a
:class:`Scene` off the UI thread; a change of presentation only (names,
colours, enabled flags, view toggles) builds a new picture from the scene
at hand.  Either way the views get one :class:`Picture` through their one
``set_picture`` method, as exports do; the one :class:`PlaybackClock`
moves the frame index that every view shows.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from gdplayground.core.framing import fitted_domain
from gdplayground.core.gradients import Objective
from gdplayground.core.picture import Picture, landscape_picture, picture_from_scene
from gdplayground.core.scene import Landscape, Scene
from gdplayground.model.fits import load_fits
from gdplayground.model.limits import MAX_VIEW_SCALE, MIN_VIEW_SCALE
from gdplayground.model.presets import find_preset, load_presets
from gdplayground.model.rules import session_problems
from gdplayground.model.session import (
    Session,
    SessionError,
    default_session,
    preset_start,
    start_inside,
)
from gdplayground.model.session_file import session_from_json, session_to_json
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.clock import PlaybackClock
from gdplayground.qt.compute import SceneComputer
from gdplayground.qt.contour_view import ContourView, format_value
from gdplayground.qt.data_view import DataView
from gdplayground.qt.explore_controller import ExploreController
from gdplayground.qt.export_actions import ExportActions
from gdplayground.qt.fit_controls import FitControls
from gdplayground.qt.function_editor import FunctionEditor
from gdplayground.qt.keyboard import KeyboardRouter
from gdplayground.qt.lesson_panel import LessonPanel
from gdplayground.qt.loss_view import LossView
from gdplayground.qt.narration_panel import NarrationPanel
from gdplayground.qt.optimizer_panel import OptimizerPanel
from gdplayground.qt.playback_bar import PlaybackBar
from gdplayground.qt.session_files import SessionFiles
from gdplayground.qt.session_holder import SessionHolder
from gdplayground.qt.settings_panel import SettingsPanel

SETTINGS_ORG = "gdplayground"
#: Ctrl+= / Ctrl+- change the text size by this factor.
TEXT_STEP = 1.25
#: Presenter mode: text (and the lesson, the playback bar) this many times larger.
PRESENTER_SCALE = 2.0
SURFACE_DELAY_MS = 150
WORKER_DELAY_MS = 600
#: The gradient is written out as text once a new function has been shown for
#: this long: sympy (holding the GIL) would slow down painting the new picture
#: and computing the next one while the user is still typing.
GRADIENT_TEXT_DELAY_MS = 300
SETTINGS_APP = "gdplayground"


def _tidy(value: float, span: tuple[float, float]) -> float:
    """A clicked coordinate rounded to about a thousandth of the window (0.652, not
    0.6514979...): as precise as a click can be, and readable in the start fields."""
    step = 10.0 ** np.floor(np.log10((span[1] - span[0]) / 1000))
    return float(round(round(value / step) * step, 12))


#: A typed function keeps the window on show if it shares this much with the fitted one.
FIT_OVERLAP = 0.6


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Area of the intersection of two windows over the area of their union."""
    width = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[2], b[2]))
    inter = width * height
    union = (a[1] - a[0]) * (a[3] - a[2]) + (b[1] - b[0]) * (b[3] - b[2]) - inter
    return inter / union if union > 0 else 0.0


def _shortcut(window: QtWidgets.QWidget, key: str, slot) -> QtGui.QAction:
    """An action with a shortcut but no menu entry (a second key for a menu item)."""
    action = QtGui.QAction(window)
    action.setShortcut(QtGui.QKeySequence(key))
    action.triggered.connect(slot)
    return action


def _plain(text: str) -> str:
    """A menu text without its mnemonic marks ("&Open…" -> "Open…", "&&" -> "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class MainWindow(QtWidgets.QMainWindow):
    """The window a teacher opens in front of a class."""

    scene_shown = QtCore.Signal(object)

    def __init__(
        self,
        session: Session | None = None,
        settings: QtCore.QSettings | None = None,
        with_surface: bool = True,
        parallel_runs: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle("gdplayground")
        self.settings = (
            settings if settings is not None else QtCore.QSettings(SETTINGS_ORG, SETTINGS_APP)
        )
        self.holder = SessionHolder(
            session if session is not None else self._restored_session(), self
        )
        self.scene: Scene | None = None
        self.picture: Picture | None = None
        #: a typed function whose window is to be fitted to its paths once computed
        self._fit_pending: str | None = None
        #: compute requests sent (a presentation change sends none)
        self.compute_requests = 0

        self.computer = SceneComputer(self)
        # the application runs optimizers in a worker process (tests mostly do not)
        self._parallel_runs = parallel_runs
        self.clock = PlaybackClock(self)
        self.files = SessionFiles(self, self.settings, lambda: self.session, self.set_session)
        self.files.path_changed.connect(lambda _: self._update_title())
        self._autosave = QtCore.QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(1000)
        self._autosave.timeout.connect(self._store_session)
        self._build_views(with_surface)
        self._build_panels()
        self._build_actions()
        self._connect()
        # Explore menu: basin maps, stationary points, sweeps (their layers join every picture)
        self.explore = ExploreController(self, self._update, use_pool=parallel_runs)
        key = QtCore.Qt.Key
        self.keyboard = KeyboardRouter(
            self,
            self.contour,
            {
                key.Key_Space: self.toggle_play,
                key.Key_Right: lambda: self.step(1),
                key.Key_Left: lambda: self.step(-1),
                key.Key_Home: self.reset_playback,
                key.Key_End: lambda: self.set_frame(self.clock.last_frame),
                key.Key_Escape: self._escape,  # not a shortcut: text fields keep their Escape
            },
            lambda: (self.surface,) if self.surface is not None else (),
        )
        self._show_session_in_panels(self.session, None)
        self._show_lesson(self.session)
        self._restore_geometry()
        self.statusBar().showMessage("Ready: press Space to play", 4000)
        self._request()

    @property
    def session(self) -> Session:
        """The session on show (held by :attr:`holder`)."""
        return self.holder.session

    @property
    def paths(self) -> tuple:
        """The paths the views draw now."""
        return self.picture.paths if self.picture is not None else ()

    # ------------------------------------------------------------------ building
    def _build_views(self, with_surface: bool) -> None:
        self.contour = ContourView()
        self.loss = LossView()
        self.data_view = DataView()  # a fit's data: shown beside the loss plots
        self.data_view.setVisible(False)
        for view in (self.contour, self.loss, self.data_view):  # a click gives it the keyboard
            view.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.surface = None
        # The 3-D view (OpenGL and its imports) is built once the window is on
        # screen, so the window appears sooner; a placeholder holds its place.
        self._surface_wanted = with_surface
        self._surface_slot = QtWidgets.QWidget()
        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        top.addWidget(self.contour)
        if with_surface:
            top.addWidget(self._surface_slot)
        top.setSizes([600, 450])
        self._top_splitter = top
        self.view_splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.view_splitter.addWidget(top)
        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        bottom.addWidget(self.loss)
        bottom.addWidget(self.data_view)
        bottom.setSizes([600, 450])
        self.view_splitter.addWidget(bottom)
        self.view_splitter.setSizes([560, 220])
        self.playback = PlaybackBar()
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view_splitter, 1)
        layout.addWidget(self.playback)
        self.setCentralWidget(central)

    def _build_panels(self) -> None:
        self.function_editor = FunctionEditor()
        self.settings_panel = SettingsPanel()
        self.optimizer_panel = OptimizerPanel()
        self.busy_label = QtWidgets.QLabel("")
        self.busy_label.setStyleSheet("color: #606060;")
        side = QtWidgets.QWidget()
        box = QtWidgets.QVBoxLayout(side)
        box.setContentsMargins(6, 6, 6, 6)
        box.addWidget(self.function_editor)
        self.fit_controls = FitControls(self)
        box.addWidget(self.fit_controls.panel)
        box.addWidget(self.optimizer_panel, 1)
        box.addWidget(self.settings_panel)
        box.addWidget(self.busy_label)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side_dock = QtWidgets.QDockWidget("Function and optimizers", self)
        self.side_dock.setObjectName("side_dock")
        self.side_dock.setWidget(scroll)
        self.side_dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.side_dock.setMinimumWidth(280)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, self.side_dock)

        self.lesson_panel = LessonPanel()
        self.lesson_dock = QtWidgets.QDockWidget("Lesson", self)
        self.lesson_dock.setObjectName("lesson_dock")
        self.lesson_dock.setWidget(self.lesson_panel)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.lesson_dock)
        self.lesson_dock.hide()

        self.narration = NarrationPanel()
        self.narration_dock = QtWidgets.QDockWidget("Narrated step", self)
        self.narration_dock.setObjectName("narration_dock")
        self.narration_dock.setWidget(self.narration)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, self.narration_dock)
        self.narration_dock.hide()

    def _action(
        self, menu: QtWidgets.QMenu, text: str, slot, shortcut=None, checkable: bool = False
    ) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.files.add_actions(file_menu)
        file_menu.addSeparator()
        self.exports = ExportActions(
            self,
            lambda: self.picture,
            lambda: self.clock.frame,
            self._surface_camera,
            lambda: self.session,
        )
        self.exports.add_actions(file_menu)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QtGui.QKeySequence.StandardKey.Quit)
        self.fit_controls.add_menu(bar)

        play = bar.addMenu("&Playback")
        key = QtCore.Qt.Key
        self.play_action = self._action(play, "Play / pause", self.toggle_play, key.Key_Space)
        self._action(play, "Step forward", lambda: self.step(1), key.Key_Right)
        self._action(play, "Step back", lambda: self.step(-1), key.Key_Left)
        self._action(play, "Back to start", self.reset_playback, key.Key_Home)
        self._action(play, "Go to end", lambda: self.set_frame(self.clock.last_frame), key.Key_End)

        view = bar.addMenu("&View")
        self.gradient_arrows_action = self._action(
            view, "Gradient arrows", self._on_view_toggled, "G", checkable=True
        )
        self.step_arrows_action = self._action(
            view, "Step / velocity arrows", self._on_view_toggled, "V", checkable=True
        )
        self.minima_action = self._action(
            view, "Known minima", self._on_view_toggled, checkable=True
        )
        self.equal_aspect_action = self._action(
            view, "Equal axis scales", self._on_view_toggled, checkable=True
        )
        view.addSeparator()
        self._action(view, "Fit window to paths", self.fit_to_paths, "F")
        self.narration_action = self.narration_dock.toggleViewAction()
        self.narration_action.setText("Narrated step")
        self.narration_action.setShortcut(QtGui.QKeySequence("N"))
        view.addAction(self.narration_action)
        self.addAction(self.narration_action)
        self._action(view, "Larger text", lambda: self._scale_text(TEXT_STEP), "Ctrl+=")
        self.addAction(_shortcut(self, "Ctrl++", lambda: self._scale_text(TEXT_STEP)))
        self._action(view, "Smaller text", lambda: self._scale_text(1 / TEXT_STEP), "Ctrl+-")
        self._action(view, "Normal text size", lambda: self._scale_text(None), "Ctrl+0")
        self.fit_controls.add_view_actions(view)
        view.addSeparator()
        self._action(view, "Reset views", self._reset_views, "R")
        self._action(view, "Edit function", self.function_editor.focus_editor, "Ctrl+L")
        self.side_panel_action = self._action(
            view, "Side panel", self._toggle_side_panel, "Ctrl+B", checkable=True
        )
        self.side_panel_action.setChecked(True)
        self.side_dock.visibilityChanged.connect(self._side_panel_shown)

        self.lessons_menu = bar.addMenu("&Lessons")
        self.lessons_menu.aboutToShow.connect(self._fill_lessons_menu)
        self._fill_lessons_menu()
        self.presenter_action = self._action(
            view, "Presenter mode", self._toggle_presenter, "F11", checkable=True
        )
        self._presenter_saved: tuple | None = None  # Escape (the keyboard router) leaves

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Keyboard shortcuts", self._show_shortcuts, "F1")

    def _connect(self) -> None:
        self.function_editor.function_changed.connect(self._on_function_changed)
        self.function_editor.preset_chosen.connect(self._on_preset_chosen)
        self.holder.changed.connect(self._on_session_changed)
        self.optimizer_panel.selection_changed.connect(self.narration.set_row)
        self.optimizer_panel.selection_changed.connect(self._fan_follows_selection)
        self.optimizer_panel.optimizers_changed.connect(
            lambda entries: self._update(optimizers=tuple(entries))
        )
        sp = self.settings_panel
        sp.domain_changed.connect(lambda d: self._update(domain=tuple(d)))
        sp.reset_domain_requested.connect(self._reset_domain)
        sp.color_scale_changed.connect(lambda c: self._update(color_scale=c))
        sp.gradient_changed.connect(lambda mode, h: self._update(gradient=mode, h=h))
        sp.start_changed.connect(lambda x, y: self._update(start=(x, y)))
        sp.steps_changed.connect(lambda n: self._update(steps=int(n)))
        sp.tol_changed.connect(lambda t: self._update(tol=float(t)))
        self.contour.start_moved.connect(self._on_start_moved)
        self.contour.start_dragged.connect(self._on_start_moved)  # paths follow the drag

        self.computer.scene_ready.connect(self._show_scene)
        self.computer.partial_ready.connect(self._show_scene)
        self.computer.landscape_ready.connect(self._show_landscape)
        self.computer.gradient_described.connect(self._show_gradient)
        self._describe_timer = QtCore.QTimer(self)
        self._describe_timer.setSingleShot(True)
        self._describe_timer.setInterval(GRADIENT_TEXT_DELAY_MS)
        self._describe_timer.timeout.connect(lambda: self.computer.describe(self.scene.objective))
        self.computer.failed.connect(self._on_compute_failed)
        self.computer.busy_changed.connect(
            lambda busy: self.busy_label.setText("computing…" if busy else "")
        )

        self.clock.frame_changed.connect(self._on_frame)
        self.clock.playing_changed.connect(self.playback.show_playing)
        self.playback.play_toggled.connect(self.toggle_play)
        self.playback.step_requested.connect(self.step)
        self.playback.reset_requested.connect(self.reset_playback)
        self.playback.frame_requested.connect(self.set_frame)
        self.playback.speed_changed.connect(self.clock.set_speed)

    # ------------------------------------------------------------------ session
    def _restored_session(self) -> Session:
        text = self.settings.value("session/last", "")
        if isinstance(text, str) and text:
            try:
                return session_from_json(text)
            except SessionError:
                pass
        return default_session()

    def _show_session_in_panels(self, s: Session, fields: frozenset[str] | None) -> None:
        """Panels re-read what changed (``fields`` None: everything); a panel
        already showing the value (it made the change) is left alone."""

        def touched(*names: str) -> bool:
            return fields is None or any(name in fields for name in names)

        if touched("function") and s.function != self.function_editor.last_valid_text:
            self.function_editor.set_function(s.function)
        if touched("optimizers") and s.optimizers != self.optimizer_panel.entries():
            self.optimizer_panel.set_entries(s.optimizers)
        if touched("domain", "start", "color_scale", "gradient", "h", "steps", "tol", "preset"):
            self.settings_panel.set_session(s)
        if touched("fit", "seed", "optimizers", "view"):
            self.fit_controls.show_session(s, fields)
        if touched("view"):
            for action, on in (
                (self.gradient_arrows_action, s.view.show_gradient_arrows),
                (self.step_arrows_action, s.view.show_step_arrows),
                (self.minima_action, s.view.show_minima),
                (self.equal_aspect_action, s.view.equal_aspect),
            ):
                with QtCore.QSignalBlocker(action):
                    action.setChecked(on)

    def set_session(self, session: Session) -> None:
        """Show a whole new session (opened file, preset, tests)."""
        self.holder.set(session)

    def _update(self, **changes) -> None:
        """Apply an edit, if the session it makes keeps every rule (a OneCycle shorter
        than the new step count, a race over the work budget...): what the window
        accepts, its saved file reloads.  Otherwise say why and show what is in force."""
        new = replace(self.session, **changes)
        problems = session_problems(new)
        if problems:
            where, message = problems[0]
            self.statusBar().showMessage(f"Not applied: {where}: {message}", 10000)
            self._show_session_in_panels(self.session, None)
            return
        self.holder.set(new)

    def _on_session_changed(self, session: Session, fields: frozenset[str]) -> None:
        self._show_session_in_panels(session, fields)
        if "lesson" in fields:
            self._show_lesson(session)
        if self.scene is not None and self.scene.covers(session):
            self._show_picture(picture_from_scene(self.scene, session))  # nothing to compute
        else:
            self._request()
            return
        self._update_title()
        self._autosave.start()

    def _request(self) -> None:
        self._describe_timer.stop()  # the picture first; the gradient text when things settle
        self.compute_requests += 1
        self.computer.request(self.session, with_surface=self._surface_wanted)
        self._update_title()
        self._autosave.start()

    def _update_title(self) -> None:
        name = self.files.path.name if self.files.path else "untitled"
        self.setWindowTitle(f"{name}[*] — gdplayground")
        self.setWindowModified(self.files.is_modified(self.session))

    def _store_session(self) -> None:
        """Keep the current session in QSettings so a crash loses nothing."""
        self.settings.setValue("session/last", session_to_json(self.session))

    def _on_function_changed(self, text: str) -> None:
        """A typed function: a preset's formula brings its window (and start, if the
        current one is outside it), as on the command line; any other function gets a
        window fitted to the start and the paths once they are computed."""
        if text == self.session.function:
            return
        found = find_preset(text)
        if found is not None:
            start = self.session.start
            if start_inside(start, found.domain) != start:
                start = preset_start(found.key)
            self._update(function=text, preset=found.key, domain=found.domain, start=start)
            return
        self._fit_pending = text
        self._update(function=text, preset=None)

    def _fit_new_function(self, scene: Scene) -> None:
        """After a typed function's first scene: a window around the start and its paths
        (unless the one on show already is about that), so nothing runs out of view."""
        if self._fit_pending != scene.session.function or self.session != scene.session:
            return
        self._fit_pending = None
        paths = [(r.points, r.status == "diverged") for r in scene.runs if r is not None]
        if not paths:
            return
        fitted = fitted_domain(self.session.start, paths)
        if _overlap(fitted, self.session.domain) < FIT_OVERLAP:
            self._update(domain=fitted)

    def _on_preset_chosen(self, key: str) -> None:
        self.contour.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)  # Space plays at once
        preset = load_presets()[key]
        self._update(
            function=preset.formula,
            domain=preset.domain,
            preset=key,
            start=preset_start(key),
            fit=None,
        )

    def _reset_domain(self) -> None:
        fit = self.session.fit
        if fit is not None:
            if fit.preset is not None:
                self._update(domain=load_fits()[fit.preset].window)
        elif self.session.preset is not None:
            self._update(domain=load_presets()[self.session.preset].domain)

    def _on_start_moved(self, x: float, y: float) -> None:
        self._update(start=(_tidy(x, self.session.domain[:2]), _tidy(y, self.session.domain[2:])))

    def _on_view_toggled(self) -> None:
        self._update(
            view=replace(
                self.session.view,
                show_gradient_arrows=self.gradient_arrows_action.isChecked(),
                show_step_arrows=self.step_arrows_action.isChecked(),
                show_minima=self.minima_action.isChecked(),
                equal_aspect=self.equal_aspect_action.isChecked(),
            )
        )

    def _scale_text(self, factor: float | None) -> None:
        """Every label, tick and legend text larger or smaller (None: normal size)."""
        scale = 1.0 if factor is None else self.session.view.text_scale * factor
        scale = round(min(max(scale, MIN_VIEW_SCALE), MAX_VIEW_SCALE), 3)
        self._update(view=replace(self.session.view, text_scale=scale))
        self.statusBar().showMessage(f"Text size {scale * 100:.0f}%", 2000)

    def fit_to_paths(self) -> None:
        """A window around the start and where the paths went (F)."""
        picture = self.picture
        if picture is None or not picture.paths:
            return
        paths = [(p.points[: max(p.drawable, 0)], p.status == "diverged") for p in picture.paths]
        self._update(domain=fitted_domain(self.session.start, paths))

    # ------------------------------------------------------------------ drawing
    def _views(self) -> list:
        views = [self.contour, self.loss, self.data_view]
        views = views + [self.surface] if self.surface is not None else views
        return views + self.explore.views()

    def _show_landscape(self, session: Session, landscape: Landscape) -> None:
        """A new function, drawn while a worker process still runs its optimizers.

        The contour and the surface show it at once, without paths (the old ones
        do not belong to it); the loss plots wait for the new runs.
        """
        picture = landscape_picture(landscape, self.session)
        for view in (self.contour, self.surface):
            if view is not None:
                view.set_picture(picture)
        if not landscape.exact:
            self.busy_label.setText("first picture: a coarser grid of the exact loss…")

    def _show_scene(self, scene: Scene) -> None:
        self.scene = scene
        objective = scene.objective
        if objective.has_gradient_text:
            self._show_gradient(objective, objective.gradient_text)
        else:  # written out once the new picture has been painted (sympy holds the GIL)
            self._describe_timer.start()
        self._show_picture(picture_from_scene(scene, self.session))
        self.statusBar().clearMessage()
        if not scene.landscape.exact:
            self.busy_label.setText("first picture: a coarser grid of the exact loss…")
        elif self.busy_label.text().startswith("first picture"):
            self.busy_label.setText("")
        self.fit_controls.after_scene()
        if self._fit_pending is not None:
            self._fit_new_function(scene)  # may ask for the same paths in a new window
        self.scene_shown.emit(scene)

    def _show_picture(self, picture: Picture) -> None:
        """Feed ``picture`` to every view (the exporter feeds its views the same way)."""
        row = self.optimizer_panel.current_index()
        if picture.fan_row != row:  # the gradient fan follows the selection
            picture = replace(picture, fan_row=row)
        self.picture = picture = self.explore.layered(picture)
        for view in self._views():
            view.set_picture(picture)
        self.narration.set_picture(picture, self.scene.objective if self.scene else None)
        self.clock.set_length(picture.frames)
        self.playback.set_length(picture.frames)
        self._on_frame(self.clock.frame)

    def _fan_follows_selection(self, row: int) -> None:
        picture = self.picture
        if picture is not None and picture.options.show_gradient_fan and picture.fan_row != row:
            self._show_picture(picture)

    def refresh_picture(self) -> None:
        """Show the picture on show again, with the Explore layers as they are now."""
        if self.picture is not None:
            self._show_picture(self.picture)

    def _show_gradient(self, objective: Objective, partials: tuple[str, str] | None) -> None:
        scene = self.scene
        if scene is not None and scene.objective is objective:
            self.function_editor.show_gradient(scene.session.function, partials)

    def _on_compute_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_frame(self, frame: int) -> None:
        # while playing, the legend and status texts change ~10 times a second (they
        # cannot be read faster); paused, stepped or scrubbed they are always exact
        throttle = getattr(self, "_text_throttle", None)
        if throttle is None:
            throttle = self._text_throttle = QtCore.QTimer(self)
            throttle.setSingleShot(True)
            throttle.setInterval(100)
            throttle.timeout.connect(self._flush_texts)
        texts = not (self.clock.is_playing() and throttle.isActive())
        self._texts_pending = not texts
        self.contour.set_frame(frame, legend=texts)
        self.loss.set_frame(frame)
        if self.data_view.isVisible():
            self.data_view.set_frame(frame)
        if self.surface is not None:
            self.surface.set_frame(frame)
        self.playback.show_frame(frame)
        self.narration.set_frame(frame)
        if texts:
            self._update_statuses(frame)
            if self.clock.is_playing():
                throttle.start()

    def _flush_texts(self) -> None:
        """The legend and status texts a playing window left behind, brought up to date."""
        if getattr(self, "_texts_pending", False):
            self._texts_pending = False
            self.contour.update_legend()
            self._update_statuses(self.clock.frame)
            if self.clock.is_playing():
                self._text_throttle.start()

    def _update_statuses(self, frame: int) -> None:
        picture = self.picture
        rows = dict(zip(picture.rows, picture.paths, strict=True)) if picture else {}
        for i in range(len(self.session.optimizers)):
            path = rows.get(i)
            if path is None:
                self.optimizer_panel.set_status(i, "disabled")
                continue
            status = path.status_at(frame)
            if path.index_at(frame) < 0:
                self.optimizer_panel.set_status(i, status, warning=True)
                continue
            f, g = path.values_at(frame)
            warn = path.status == "diverged" and status != "running"
            self.optimizer_panel.set_status(
                i, f"{status} · f={format_value(f)} · |∇f|={format_value(g)}", warning=warn
            )
        self._update_gradient_error(frame)

    def _update_gradient_error(self, frame: int) -> None:
        picture = self.picture
        if picture is None or not picture.gradient_errors or not picture.paths:
            self.settings_panel.set_gradient_error("")
            return
        # computed with the scene, off the UI thread: here it is only looked up;
        # paths that ran away are left out (their gradients say nothing of h)
        current = [
            errors[path.index_at(frame)]
            for path, errors in zip(picture.paths, picture.gradient_errors, strict=True)
            if errors is not None and path.index_at(frame) >= 0 and path.status != "diverged"
        ]
        finite = [e for e in current if np.isfinite(e)]
        if not finite:
            self.settings_panel.set_gradient_error("")
            return
        self.settings_panel.set_gradient_error(
            f"numeric gradient off by at most {max(finite):.2g} (relative) at the current points"
        )

    # ------------------------------------------------------------------ playback
    def toggle_play(self) -> None:
        """Play or pause; playing from the last frame starts again."""
        self.clock.toggle()

    def step(self, delta: int) -> None:
        """Pause and move ``delta`` frames."""
        self.clock.step(delta)

    def reset_playback(self) -> None:
        """Pause and go back to frame 0."""
        self.clock.reset()

    def set_frame(self, frame: int) -> None:
        """Show ``frame`` in every view (scrubbing)."""
        self.clock.seek(frame)

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self.isActiveWindow():
            # the keyboard's window from the start: Ctrl+B, Ctrl+O ... work at once,
            # also where no window manager hands it over (a bare X server, a kiosk)
            self.activateWindow()
            self.raise_()
        if QtWidgets.QApplication.focusWidget() is None or not self.isActiveWindow():
            self.contour.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)  # "press Space"
        if self._surface_wanted and self.surface is None:
            # after the first paint: OpenGL's imports and context take ~0.5 s
            QtCore.QTimer.singleShot(SURFACE_DELAY_MS, self.create_surface_view)
        if self._parallel_runs and self.computer.worker is None:
            # once the window is up: the worker's imports take a second of the other core
            QtCore.QTimer.singleShot(WORKER_DELAY_MS, self.computer.start_worker)

    def create_surface_view(self) -> None:
        """Build the 3-D view in its placeholder and show the current scene in it."""
        if self.surface is not None or not self._surface_wanted:
            return
        from gdplayground.qt.surface_view import SurfaceWindow, embed

        surface = SurfaceWindow()
        sizes = self._top_splitter.sizes()
        self._top_splitter.replaceWidget(
            self._top_splitter.indexOf(self._surface_slot), embed(surface)
        )
        self._surface_slot.deleteLater()
        self._top_splitter.setSizes(sizes)
        self.surface = surface
        if self.picture is not None:
            surface.set_picture(self.picture)
            surface.set_frame(self.clock.frame)

    def _surface_camera(self) -> dict | None:
        if self.surface is None:
            return None
        from gdplayground.export.render import camera_of

        return camera_of(self.surface)

    # ------------------------------------------------------------------ lessons
    def lesson_folders(self) -> list[str]:
        """A teacher's own folders of lessons, shown in the Lessons menu too."""
        value = self.settings.value("lessons/folders", [])
        folders = [value] if isinstance(value, str) else list(value or [])
        return [f for f in folders if isinstance(f, str) and Path(f).is_dir()]

    def add_lesson_folder(self, folder: str) -> None:
        """Offer the lessons (session files) of ``folder`` in the Lessons menu."""
        folders = [f for f in self.lesson_folders() if f != folder] + [folder]
        self.settings.setValue("lessons/folders", folders)

    def _fill_lessons_menu(self) -> None:
        from gdplayground.model.lessons import list_lessons

        menu = self.lessons_menu
        menu.clear()
        builtin = True
        for lesson in list_lessons(self.lesson_folders()):
            if builtin and not lesson.builtin:
                menu.addSeparator()
                builtin = False
            action = menu.addAction(lesson.title)
            action.setToolTip(str(lesson.path))
            action.triggered.connect(lambda _=False, path=lesson.path: self.open_lesson(path))
        menu.addSeparator()
        menu.addAction("Add a folder of lessons…").triggered.connect(self._ask_lesson_folder)

    def _ask_lesson_folder(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(self, "A folder of lessons")
        if folder:
            self.add_lesson_folder(folder)

    def open_lesson(self, path: str | Path) -> bool:
        """Open a lesson: an ordinary session file (Save As keeps the teacher's version)."""
        opened = self.open_path(path)
        if opened:
            self.contour.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)  # Space plays
        return opened

    def _show_lesson(self, session: Session) -> None:
        self.lesson_panel.set_lesson(session.lesson)
        self.lesson_dock.setVisible(session.lesson is not None)

    # ------------------------------------------------------------------ presenter mode
    @property
    def presenting(self) -> bool:
        """Whether presenter mode is on."""
        return self._presenter_saved is not None

    def _toggle_presenter(self) -> None:
        self.set_presenter(self.presenter_action.isChecked())

    def set_presenter(self, on: bool) -> None:
        """Presenter mode: full screen, no side panel, text twice as large and paths
        twice as wide (exports made now use these sizes too); off restores what was."""
        with QtCore.QSignalBlocker(self.presenter_action):
            self.presenter_action.setChecked(on)
        if on == self.presenting:
            return
        if on:
            view = self.session.view
            self._presenter_saved = (
                self.isFullScreen(),
                self.side_dock.isVisible(),
                view.text_scale,
                view.line_scale,
                self.view_splitter.sizes(),
            )
            scale = max(PRESENTER_SCALE, view.text_scale)
            self._update(view=replace(view, text_scale=scale, line_scale=max(2.0, view.line_scale)))
            self.side_dock.hide()
            self.showFullScreen()
            self._scale_chrome(scale)
            total = sum(self.view_splitter.sizes())
            self.view_splitter.setSizes([total * 55 // 100, total * 45 // 100])  # taller plots
            if self.lesson_dock.isVisible():  # room for the lesson's words at twice the size
                self.resizeDocks(
                    [self.lesson_dock],
                    [max(360, self.width() // 3)],
                    QtCore.Qt.Orientation.Horizontal,
                )
        else:
            full, side, text, line, splits = self._presenter_saved
            self._presenter_saved = None
            self._update(view=replace(self.session.view, text_scale=text, line_scale=line))
            self.side_dock.setVisible(side)
            self.view_splitter.setSizes(splits)
            if not full:
                self.showNormal()
            self._scale_chrome(1.0)
        self.contour.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)

    def _scale_chrome(self, scale: float) -> None:
        """The lesson text and the playback bar, readable from the back of a room."""
        self.lesson_panel.set_scale(scale)
        font = QtWidgets.QApplication.font()
        font.setPointSizeF(font.pointSizeF() * scale)
        self.playback.setFont(font)

    def _escape(self) -> None:
        if self.presenting:
            self.set_presenter(False)

    def _toggle_side_panel(self) -> None:
        """Hide the function and optimizer panels for more room (a projector), or show them."""
        self.side_dock.setVisible(self.side_panel_action.isChecked())
        if not self.side_dock.isVisible() and self.side_dock.isAncestorOf(
            QtWidgets.QApplication.focusWidget()
        ):
            self.contour.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)

    def _side_panel_shown(self, visible: bool) -> None:
        with QtCore.QSignalBlocker(self.side_panel_action):
            self.side_panel_action.setChecked(visible)

    def _reset_views(self) -> None:
        self.contour.reset_view()
        if self.surface is not None:
            self.surface.reset_camera()

    def _show_shortcuts(self) -> None:
        rows = [
            (
                _plain(a.text()),
                a.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText),
            )
            for a in self.actions()
            if not a.shortcut().isEmpty()
        ]
        html = (
            "<table>"
            + "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{t}</td></tr>" for t, k in rows)
            + "</table>"
        )
        QtWidgets.QMessageBox.information(self, "Keyboard shortcuts", html)

    # ------------------------------------------------------------------ persistence
    def _restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._fit_to_screen()
        state = self.settings.value("window/state")
        if isinstance(state, QtCore.QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def _fit_to_screen(self) -> None:
        """A first launch: 1400 x 880, or less to fit the available screen (a 1024 x 768
        projector), centred on it."""
        screen = self.screen() or QtWidgets.QApplication.primaryScreen()
        width, height = 1400, 880
        if screen is not None:
            room = screen.availableGeometry()
            # the frame and title bar take some room too
            width = min(width, room.width() - 16)
            height = min(height, room.height() - 48)
            self.resize(width, height)
            self.move(room.center() - self.rect().center())
        else:
            self.resize(width, height)

    def save_settings(self) -> None:
        """Remember geometry and the current session for the next launch."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self._store_session()
        self.settings.sync()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._may_close():
            event.ignore()
            return
        self.keyboard.detach()
        self.clock.pause()
        self.save_settings()
        self.computer.shutdown()
        self.explore.shutdown()
        super().closeEvent(event)

    def _may_close(self) -> bool:
        """Save, Discard or Cancel when the open file has unsaved changes (an
        untitled session is kept for the next launch anyway)."""
        if self.files.path is None or not self.files.is_modified(self.session):
            return True
        buttons = QtWidgets.QMessageBox.StandardButton
        answer = self.ask_unsaved(self.files.path.name)
        if answer == buttons.Save:
            return self.files.save()
        return answer == buttons.Discard

    def show_message(self, title: str, text: str) -> None:
        """Tell the user something went wrong (replaced in tests)."""
        QtWidgets.QMessageBox.warning(self, title, text)

    def ask_unsaved(self, name: str) -> QtWidgets.QMessageBox.StandardButton:
        """Ask whether to save ``name`` before closing (replaced in tests)."""
        buttons = QtWidgets.QMessageBox.StandardButton
        return QtWidgets.QMessageBox.question(
            self,
            "Unsaved changes",
            f"{name} has changes that are not saved. Save them before closing?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )

    def open_path(self, path: str | Path) -> bool:
        """Open a saved session; on error say why and keep the current state."""
        return self.files.open_path(path)
