"""The window's Explore menu: basin maps, stationary points and learning-rate sweeps.

What has been asked for is kept here (which optimizers have a basin map and
whose is shown, whether stationary points and a sweep are wanted); the
results come from the :class:`ExploreComputer` off the UI thread.  The
window asks :meth:`ExploreController.layered` for the layers of every
picture it shows, so each view draws them from its picture, as exports do.
A layer is put in a picture only while it answers the session on show: a
map computed for another function, window or learning rate is never drawn.
When the session changes, whatever is wanted is computed again; show/hide
toggles (``ViewOptions.show_basins``, ``show_stationary_points``) only
change what the next picture carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from gdplayground.core.explore.basins import BasinMap, BasinRequest
from gdplayground.core.explore.critical import StationaryPoint
from gdplayground.core.explore.layers import BasinLayer, ColourBook, SweepLayer, with_layers
from gdplayground.core.explore.sweep import Sweep
from gdplayground.core.gradients import Objective
from gdplayground.core.optimizers import make_config
from gdplayground.core.picture import Picture
from gdplayground.model.limits import BASIN_GRIDS, DEFAULT_BASIN_GRID
from gdplayground.model.rules import basin_work_problem, sweep_rate_problem, sweep_work_problem
from gdplayground.model.session import OptimizerEntry, Session, objective_inputs
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets
from gdplayground.qt.explore_compute import CANCELLED, ExploreComputer
from gdplayground.qt.explore_docks import StationaryTable, SweepPanel

if TYPE_CHECKING:
    from gdplayground.qt.main_window import MainWindow

MESSAGE_MS = 6000
FIT_MESSAGE = "{what} explore a function f(x, y): type one (a fit to data is not explored)"
#: The Explore docks open this share of the window wide (at least DOCK_MIN_WIDTH pixels).
DOCK_SHARE = 0.3
DOCK_MIN_WIDTH = 320
#: Narrower windows open the Explore docks as tabs beside the side panel.
WIDE_WINDOW = 1300


def basin_request(session: Session, row: int, size: int) -> BasinRequest:
    """The basin map of optimizer ``row`` of ``session`` on a ``size`` x ``size`` grid:
    its window, steps and tolerance, so each start ends where its path would."""
    entry = session.optimizers[row]
    return BasinRequest(
        function=session.function,
        config=entry.config,
        window=session.domain,
        size=size,
        steps=session.steps,
        tol=session.tol,
        gradient=session.gradient,
        h=session.h if session.gradient == "numeric" else None,
    )


def sweep_key(session: Session, rates: tuple[float, float, int]) -> tuple:
    """What a sweep of ``session``'s enabled optimizers depends on (not their lr)."""
    swept = tuple(
        (e.method, tuple(sorted((k, v) for k, v in e.params.items() if k != "lr")))
        for e in session.optimizers
        if e.enabled
    )
    return (objective_inputs(session), session.start, session.steps, session.tol, swept, rates)


def follow_rows(old: tuple[OptimizerEntry, ...], new: tuple[OptimizerEntry, ...]) -> dict[int, int]:
    """Where each optimizer of ``old`` is in ``new``: the same place, or one place up
    after the one removed before it; gone if it was removed."""
    if len(new) == len(old) - 1:
        removed = next((i for i in range(len(new)) if old[i] != new[i]), len(new))
        return {i: i - (i > removed) for i in range(len(old)) if i != removed}
    return {i: i for i in range(min(len(old), len(new)))}


class ExploreController(QtCore.QObject):
    """The Explore menu, its docks and progress, and the layers they add to pictures."""

    def __init__(
        self, window: MainWindow, edit: Callable[..., None], use_pool: bool = True
    ) -> None:
        super().__init__(window)
        self.window = window
        self._edit = edit
        self.computer = ExploreComputer(self, use_pool)
        self.grid_size = DEFAULT_BASIN_GRID
        # basin maps: the optimizers (rows) that have one, the one shown, the maps
        self.map_rows: list[int] = []
        self.shown_row: int | None = None
        self._maps: dict[int, BasinMap] = {}
        self._computing: BasinRequest | None = None
        self._book = ColourBook()
        self._book_key: tuple | None = None
        self._basin_layer: BasinLayer | None = None
        # stationary points and sweeps
        self._stationary_wanted = False
        self._stationary_key: tuple | None = None
        self._stationary: tuple[StationaryPoint, ...] | None = None
        self._sweep_wanted = False
        self._sweep_rates: tuple[float, float, int] | None = None
        self._sweep_key: tuple | None = None
        self._sweep: Sweep | None = None
        self._sweeping: tuple | None = None  # the key of the sweep under way
        self._map_name = ""
        self._sweep_layer: SweepLayer | None = None
        self._entries = window.session.optimizers
        self._docked = False  # the docks have been placed (the first time one is shown)

        self._build_docks()
        self._build_progress()
        self._build_menu()
        self.computer.basins_changed.connect(self._on_basins)
        self.computer.basins_ended.connect(self._on_basins_ended)
        self.computer.stationary_ready.connect(self._on_stationary)
        self.computer.sweep_ready.connect(self._on_sweep)
        window.holder.changed.connect(self._on_session_changed)
        self._show_toggles(window.session)

    # ------------------------------------------------------------------ building
    def _build_docks(self) -> None:
        window = self.window
        self.table = StationaryTable()
        self.table_dock = QtWidgets.QDockWidget("Stationary points", window)
        self.table_dock.setObjectName("stationary_points_dock")
        self.table_dock.setWidget(self.table)
        self.sweep_panel = SweepPanel()
        self.sweep_panel.sweep_requested.connect(self.sweep)
        self.sweep_panel.race_requested.connect(self.race_at_best_rates)
        self.sweep_dock = QtWidgets.QDockWidget("Learning-rate sweep", window)
        self.sweep_dock.setObjectName("sweep_dock")
        self.sweep_dock.setWidget(self.sweep_panel)
        area = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        for dock in (self.sweep_dock, self.table_dock):
            window.addDockWidget(area, dock)
            dock.hide()
        window.tabifyDockWidget(self.sweep_dock, self.table_dock)

    def _build_progress(self) -> None:
        self.progress_box = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(self.progress_box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress_label = QtWidgets.QLabel("")
        self.progress_bar = QtWidgets.QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(160)
        self.cancel_button = QtWidgets.QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop computing the basin map (the part computed stays)")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.progress_label, self.progress_bar, self.cancel_button):
            layout.addWidget(widget)
        self.window.statusBar().addPermanentWidget(self.progress_box)
        self.progress_box.hide()

    def _build_menu(self) -> None:
        window = self.window
        bar = window.menuBar()
        menu = QtWidgets.QMenu("&Explore", window)
        before = next((a for a in bar.actions() if a.text() == "&Help"), None)
        bar.insertMenu(before, menu) if before is not None else bar.addMenu(menu)
        self.menu = menu
        add = window._action  # the window's own: in the menu and the list of shortcuts
        self.basin_action = add(menu, "Basin map of the selected optimizer", self.map_selected, "B")
        self.next_map_action = add(menu, "Next optimizer's basin map", self.next_map, "M")
        grids = menu.addMenu("Basin map grid")
        group = QtGui.QActionGroup(self)
        self.grid_actions: dict[int, QtGui.QAction] = {}
        for size in BASIN_GRIDS:
            action = grids.addAction(f"{size} × {size} starts")
            action.setCheckable(True)
            action.setChecked(size == self.grid_size)
            action.triggered.connect(lambda _=False, size=size: self.set_grid_size(size))
            group.addAction(action)
            self.grid_actions[size] = action
        add(menu, "Forget basin maps", self.forget_maps)
        menu.addSeparator()
        self.stationary_action = add(menu, "Find stationary points", self.find_stationary, "P")
        menu.addSeparator()
        add(menu, "Learning-rate sweep", self.open_sweep)
        self.race_action = add(menu, "Race at best rates", self.race_at_best_rates)
        menu.addSeparator()
        self.show_basins_action = add(
            menu, "Show basin map", self._on_toggled, "Shift+B", checkable=True
        )
        self.show_stationary_action = add(
            menu, "Show stationary points", self._on_toggled, "Shift+P", checkable=True
        )
        for dock, text in (
            (self.table_dock, "Table of stationary points"),
            (self.sweep_dock, "Sweep panel"),
        ):
            toggle = dock.toggleViewAction()
            toggle.setText(text)
            menu.addAction(toggle)

    # ------------------------------------------------------------------ the window's hooks
    def views(self) -> list:
        """The views in the docks, fed every picture as the window's own views are."""
        return [self.sweep_panel.view, self.table]

    def layered(self, picture: Picture) -> Picture:
        """``picture`` with the layers that answer the session on show (each as its
        toggle says); nothing is computed here."""
        session = self.window.session
        if session.fit is not None:  # a fit's loss is not explored (yet)
            return with_layers(picture)
        return with_layers(
            picture,
            basins=self._current_basin_layer(session),
            stationary=self._stationary if self._stationary_answers(session) else None,
            sweep=self._current_sweep_layer(session),
        )

    def shutdown(self) -> None:
        """Stop computing (the window closes)."""
        self.computer.shutdown()

    # ------------------------------------------------------------------ basin maps
    def map_selected(self) -> None:
        """Compute (or show again) the basin map of the optimizer selected in the panel."""
        if self._refused_for_fit("Basin maps"):
            return
        row = self.window.optimizer_panel.current_index()
        if row < 0:
            self._say("Select an optimizer to map its basins")
            return
        if row not in self.map_rows:
            self.map_rows.append(row)
        self.shown_row = row
        self._show_layer("show_basins")
        self._update_basins(again=True)
        self.window.refresh_picture()

    def next_map(self) -> None:
        """Show the next optimizer's basin map (of those mapped), computing it if it is stale."""
        if not self.map_rows:
            self._say("No basin map yet: select an optimizer and press B")
            return
        at = self.map_rows.index(self.shown_row) if self.shown_row in self.map_rows else -1
        self.shown_row = self.map_rows[(at + 1) % len(self.map_rows)]
        self._show_layer("show_basins")
        self._update_basins()
        self.window.refresh_picture()
        entry = self.window.session.optimizers[self.shown_row]
        self._say(f"Basin map of {entry.name}")

    def set_grid_size(self, size: int) -> None:
        """Map on a ``size`` x ``size`` grid of starts from now on (the map shown is redone)."""
        self.grid_size = size
        self.grid_actions[size].setChecked(True)
        self._update_basins()
        self.window.refresh_picture()

    def forget_maps(self) -> None:
        """Drop every basin map (and stop the one under way)."""
        self.map_rows, self.shown_row, self._maps = [], None, {}
        if self._computing is not None:
            self.cancel()
        self.window.refresh_picture()

    def cancel(self) -> None:
        """Stop the basin map under way (the part computed stays on show) and the sweep."""
        if self._computing is not None:
            self.computer.cancel_basins()
        if self._sweeping is not None:
            self.computer.cancel_sweep()

    @property
    def basin_map(self) -> BasinMap | None:
        """The map of the optimizer shown, as far as it has been computed (None: none)."""
        return self._maps.get(self.shown_row) if self.shown_row is not None else None

    @property
    def computing(self) -> bool:
        """Whether a basin map is being computed."""
        return self._computing is not None

    def _request(self, session: Session, row: int | None) -> BasinRequest | None:
        if row is None or row >= len(session.optimizers):
            return None
        return basin_request(session, row, self.grid_size)

    def _update_basins(self, again: bool = False) -> None:
        """Compute the shown optimizer's map if it is missing or stale (``again``:
        also if it was left unfinished)."""
        session = self.window.session
        request = self._request(session, self.shown_row)
        if request is None or session.fit is not None:
            return
        have = self._maps.get(self.shown_row)
        if have is not None and have.request == request and (have.complete or not again):
            return
        if self._computing == request:
            return
        self._maps.pop(self.shown_row, None)
        problem = basin_work_problem(request.config.name, request.size, request.steps)
        if problem:
            self._say(f"Basin map not computed: {problem}")
            return
        self._computing = request
        self.computer.request_basins(request, self._objective(session))
        self._map_name = session.optimizers[self.shown_row].name
        self.progress_bar.setValue(0)
        self._show_progress()

    def _on_basins(self, request: BasinRequest, basins: BasinMap) -> None:
        session = self.window.session
        rows = [r for r in self.map_rows if self._request(session, r) == request]
        if not rows:
            return
        for row in rows:
            self._maps[row] = basins
        if request == self._computing:
            self.progress_bar.setValue(round(100 * basins.rows_done / request.size))
        self.window.refresh_picture()
        self.computer.warm_pool()  # after the first picture: the other cores for the rest

    def _on_basins_ended(self, request: BasinRequest, message: str) -> None:
        if request != self._computing:
            return  # superseded by a newer map
        self._computing = None
        self._show_progress()
        basins = self.basin_map
        if message == CANCELLED:
            done = basins.rows_done / request.size if basins is not None else 0.0
            self._say(f"Basin map cancelled at {100 * done:.0f}%")
        elif message:
            self._say(f"Basin map not computed: {message}")
        elif basins is not None:
            self._say(f"Basin map done: {len(basins.attractors)} attractors")

    def _current_basin_layer(self, session: Session) -> BasinLayer | None:
        basins = self.basin_map
        if basins is None or basins.request != self._request(session, self.shown_row):
            return None
        key = (objective_inputs(session), session.domain)
        if key != self._book_key:
            self._book_key, self._book = key, ColourBook.for_window(session.domain)
        colours, self._book = self._book.colours(basins.attractors)
        entry = session.optimizers[self.shown_row]
        layer = self._basin_layer
        if not (
            layer is not None
            and layer.basins is basins
            and (layer.optimizer, layer.colour, layer.attractor_colours)
            == (entry.name, entry.color, colours)
        ):
            layer = self._basin_layer = BasinLayer(basins, entry.name, entry.color, colours)
        return layer

    # ------------------------------------------------------------------ stationary points
    def find_stationary(self) -> None:
        """Find the stationary points in the window (and keep them found as it changes)."""
        if self._refused_for_fit("Stationary points"):
            return
        self._stationary_wanted = True
        self._show_layer("show_stationary_points")
        self._show_dock(self.table_dock)
        self._update_stationary()

    @property
    def stationary(self) -> tuple[StationaryPoint, ...] | None:
        """The stationary points found for the session on show (None: not yet)."""
        return self._stationary if self._stationary_answers(self.window.session) else None

    def _stationary_answers(self, session: Session) -> bool:
        return self._stationary_key == (objective_inputs(session), session.domain)

    def _update_stationary(self) -> None:
        session = self.window.session
        key = (objective_inputs(session), session.domain)
        if not self._stationary_wanted or key == self._stationary_key or session.fit is not None:
            return
        self._stationary_key, self._stationary = key, None
        self.computer.request_stationary(
            key, objective_inputs(session), session.domain, self._objective(session)
        )

    def _on_stationary(self, key: tuple, points: Any, message: str) -> None:
        if key != self._stationary_key:
            return
        if points is None:
            self._stationary_key = None
            self._say(f"Stationary points not found: {message}")
            return
        self._stationary = points
        self._say(f"{len(points)} stationary points in the window")
        self.window.refresh_picture()

    # ------------------------------------------------------------------ sweeps
    def open_sweep(self) -> None:
        """Show the sweep dock and sweep the enabled optimizers with its settings."""
        self._show_dock(self.sweep_dock)
        self.sweep_panel.request_sweep()

    def sweep(self, low: float, high: float, points: int) -> None:
        """Sweep every enabled optimizer over ``points`` rates from ``low`` to ``high``,
        from the start (and again whenever what it depends on changes)."""
        if self._refused_for_fit("Sweeps"):
            self.sweep_panel.show_message(FIT_MESSAGE.format(what="Sweeps"))
            return
        self._sweep_wanted = True
        self._sweep_rates = (low, high, points)
        self._update_sweep()

    @property
    def sweep_result(self) -> Sweep | None:
        """The sweep of the session on show (None: none yet, or stale)."""
        rates = self._sweep_rates
        if rates is None or self._sweep_key != sweep_key(self.window.session, rates):
            return None
        return self._sweep

    def _update_sweep(self) -> None:
        session = self.window.session
        rates = self._sweep_rates
        if not self._sweep_wanted or rates is None or session.fit is not None:
            return
        key = sweep_key(session, rates)
        if key == self._sweep_key:
            return
        entries = [e for e in session.optimizers if e.enabled]
        low, high, count = rates
        problems = [
            f"{e.name}: {p}"
            for e in entries
            if (p := sweep_rate_problem(e.method, e.params, low, high))
        ]
        if not entries:
            problems.append("no optimizer is enabled")
        work = sweep_work_problem([e.method for e in entries], count, 1, session.steps)
        if problems or work:
            self._sweep_key, self._sweep = None, None
            self.sweep_panel.show_message(problems[0] if problems else f"not swept: {work}")
            self.window.refresh_picture()
            return
        self.sweep_panel.show_message("")
        self._sweep_key, self._sweep, self._sweeping = key, None, key
        self._show_progress()
        self.computer.request_sweep(
            key,
            objective_inputs(session),
            self._objective(session),
            [e.config for e in entries],
            np.array([session.start], dtype=np.float64),
            rates,
            session.steps,
            session.tol,
        )

    def _on_sweep(self, key: tuple, sweep: Any, message: str) -> None:
        if key != self._sweep_key:
            return
        self._sweeping = None
        self._show_progress()
        if sweep is None:
            self._sweep_key = None
            said = "cancelled" if message == CANCELLED else f"not swept: {message}"
            self.sweep_panel.show_message(said)
            return
        self._sweep = sweep
        self.window.refresh_picture()

    def _current_sweep_layer(self, session: Session) -> SweepLayer | None:
        sweep = self.sweep_result
        if sweep is None:
            return None
        entries = [e for e in session.optimizers if e.enabled]
        names, colours = tuple(e.name for e in entries), tuple(e.color for e in entries)
        layer = self._sweep_layer
        if (
            layer is None
            or layer.sweep is not sweep
            or (layer.names, layer.colours)
            != (
                names,
                colours,
            )
        ):
            layer = self._sweep_layer = SweepLayer(sweep, names, colours)
        return layer

    def race_at_best_rates(self) -> None:
        """Set every swept optimizer's lr to its best rate: an ordinary edit of the session."""
        sweep = self.sweep_result
        if sweep is None:
            self._say("Sweep the learning rates first (Explore ▸ Learning-rate sweep)")
            return
        session = self.window.session
        swept = iter(sweep.optimizers)
        entries = []
        for entry in session.optimizers:
            result = next(swept) if entry.enabled else None
            if result is not None and result.best_lr is not None:
                params = make_config(entry.method, {**entry.params, "lr": result.best_lr}).params
                entry = replace(entry, params=params)
            entries.append(entry)
        self._edit(optimizers=tuple(entries))
        self._say("Every optimizer at its best rate: press Space to race")

    # ------------------------------------------------------------------ session changes
    def _on_session_changed(self, session: Session, fields: frozenset[str]) -> None:
        if "optimizers" in fields:
            moved = follow_rows(self._entries, session.optimizers)
            self.map_rows = [moved[r] for r in self.map_rows if r in moved]
            self._maps = {moved[r]: m for r, m in self._maps.items() if r in moved}
            self.shown_row = moved.get(self.shown_row) if self.shown_row is not None else None
        self._entries = session.optimizers
        if "view" in fields:
            self._show_toggles(session)
        self._update_basins()
        self._update_stationary()
        self._update_sweep()

    def _show_toggles(self, session: Session) -> None:
        for action, on in (
            (self.show_basins_action, session.view.show_basins),
            (self.show_stationary_action, session.view.show_stationary_points),
        ):
            with QtCore.QSignalBlocker(action):
                action.setChecked(on)

    def _on_toggled(self) -> None:
        view = replace(
            self.window.session.view,
            show_basins=self.show_basins_action.isChecked(),
            show_stationary_points=self.show_stationary_action.isChecked(),
        )
        self._edit(view=view)

    def _show_layer(self, name: str) -> None:
        """Turn a layer's toggle on (asking for a layer means wanting to see it)."""
        view = self.window.session.view
        if not getattr(view, name):
            self._edit(view=replace(view, **{name: True}))

    # ------------------------------------------------------------------ helpers
    def _show_progress(self) -> None:
        """The status bar's progress and Cancel: the basin map's share computed, or a
        busy bar while a sweep runs; hidden when nothing is."""
        if self._computing is not None:
            self.progress_label.setText(f"Basin map of {self._map_name}")
            self.progress_bar.setRange(0, 100)
        elif self._sweeping is not None:
            self.progress_label.setText("Sweeping the learning rates")
            self.progress_bar.setRange(0, 0)  # busy: a sweep has no partial results
        self.progress_box.setVisible(self._computing is not None or self._sweeping is not None)

    def _show_dock(self, dock: QtWidgets.QDockWidget) -> None:
        """Show ``dock`` in front.  The first time, in a narrow window (a 1024 x 768
        projector) as a tab beside the side panel, so the views keep their room;
        otherwise on the right, about a third of the window wide."""
        first = self.sweep_dock.isHidden() and self.table_dock.isHidden() and not self._docked
        self._docked = True
        window = self.window
        width = max(DOCK_MIN_WIDTH, round(DOCK_SHARE * window.width()))
        if first and window.width() < WIDE_WINDOW and window.side_dock.isVisible():
            width = window.side_dock.width()  # the side panel's room, no more
            for other in (self.sweep_dock, self.table_dock):
                window.tabifyDockWidget(window.side_dock, other)
        dock.show()
        dock.raise_()
        if first:
            window.resizeDocks([dock], [width], QtCore.Qt.Orientation.Horizontal)

    def _objective(self, session: Session) -> Objective | None:
        """The window's compiled function, if it is ``session``'s (else compiled in the thread)."""
        scene = self.window.scene
        if scene is not None and objective_inputs(scene.session) == objective_inputs(session):
            return scene.objective
        return None

    def _refused_for_fit(self, what: str) -> bool:
        """Say so and return True when the session is a fit to data (not explored)."""
        if self.window.session.fit is None:
            return False
        self._say(FIT_MESSAGE.format(what=what))
        return True

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, MESSAGE_MS)
