"""The window's controls for a fit to data: the Fit menu, the data panel, batch sizes,
the loss plot's x axis, and opening or saving CSV files.

Everything here edits the window's :class:`SessionHolder` (or reads it back);
nothing talks to the views, which follow the session through the picture as
always.  The window builds one :class:`FitControls` and calls
:meth:`show_session` whenever the session changes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from gdplayground.model.fits import load_fits
from gdplayground.model.limits import DEFAULT_FIT_START, LOSS_AXES
from gdplayground.model.presets import load_presets
from gdplayground.model.rules import data_shape, loss_problem, model_problem
from gdplayground.model.session import (
    BuiltinData,
    FitSetup,
    Session,
    default_entries,
    default_fit_entries,
    preset_start,
)
from gdplayground.qt._qt import QtGui, QtWidgets
from gdplayground.qt.batch_size_field import BatchSizeField
from gdplayground.qt.data_panel import DataPanel

if TYPE_CHECKING:
    from gdplayground.qt.main_window import MainWindow

LOSS_AXIS_TEXTS = {
    "steps": "Loss plot against steps",
    "examples": "Loss plot against examples seen (epochs)",
    "evaluations": "Loss plot against gradient evaluations",
}


class FitControls:
    """The fit-to-data parts of ``window``'s side panel and menus."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.panel = DataPanel()
        self.batch_field = BatchSizeField()
        self.panel.fit_changed.connect(self._fit_edited)
        self.panel.seed_changed.connect(lambda seed: window.holder.update(seed=int(seed)))
        self.panel.open_csv_requested.connect(self.open_csv)
        self.panel.save_csv_requested.connect(self.save_csv)
        self.panel.leave_requested.connect(self.leave_fit)
        self.batch_field.batch_size_committed.connect(self._batch_size_edited)
        window.optimizer_panel.add_below_form(self.batch_field)
        window.optimizer_panel.selection_changed.connect(lambda _: self._show_batch_size())
        #: after a CSV without a window of its own, fit the window to the paths once
        self.fit_window_pending = False
        self.axis_actions: dict[str, QtGui.QAction] = {}

    # ------------------------------------------------------------------ menus
    def add_menu(self, bar: QtWidgets.QMenuBar) -> QtWidgets.QMenu:
        """The Fit menu: the five fit presets, your own CSV, and back to f(x, y)."""
        menu = bar.addMenu("F&it")
        menu.setToolTipsVisible(True)
        for preset in load_fits().values():
            action = menu.addAction(preset.title)
            action.setToolTip(f"{preset.model}, loss {preset.loss}\n({preset.note})")
            action.setData(preset.key)
            action.triggered.connect(lambda _=False, key=preset.key: self.choose_preset(key))
        menu.addSeparator()
        menu.addAction("Fit a CSV file…", self.open_csv)
        menu.addAction("Back to a function f(x, y)", self.leave_fit)
        self.menu = menu
        return menu

    def add_view_actions(self, view: QtWidgets.QMenu) -> None:
        """The loss plot's x axis (steps, examples seen, gradient evaluations) and the
        batch-loss toggle, in the View menu."""
        view.addSeparator()
        group = QtGui.QActionGroup(self.window)
        for axis in LOSS_AXES:
            action = QtGui.QAction(LOSS_AXIS_TEXTS[axis], self.window)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, a=axis: self._set_view(loss_x=a))
            group.addAction(action)
            view.addAction(action)
            self.axis_actions[axis] = action
        self.batch_loss_action = QtGui.QAction("Loss of each step's batch", self.window)
        self.batch_loss_action.setCheckable(True)
        self.batch_loss_action.setToolTip(
            "A fit's loss plot shows each step's batch loss instead of the full-data loss"
        )
        self.batch_loss_action.triggered.connect(lambda on: self._set_view(batch_loss=bool(on)))
        view.addAction(self.batch_loss_action)
        # the window's own action: in the menu and in the list of shortcuts (F1)
        self.fan_action = self.window._action(
            view,
            "Gradient fan of the selected optimizer",
            lambda on: self._set_view(show_gradient_fan=bool(on)),
            "Shift+G",
            checkable=True,
        )
        self.fan_action.setToolTip(
            "A fit's batch gradients at the selected optimizer's point, around the "
            "full-data gradient: their spread is the noise of stochastic descent"
        )

    def _set_view(self, **changes: object) -> None:
        session = self.window.session
        self.window.holder.update(view=replace(session.view, **changes))

    # ------------------------------------------------------------------ session
    def show_session(self, session: Session, fields: frozenset[str] | None) -> None:
        """Panels and menus re-read the fit, seed, optimizers and view options."""
        fit = session.fit is not None
        window = self.window
        self.panel.setVisible(fit)
        window.function_editor.setVisible(not fit)
        self.batch_field.setVisible(fit)
        window.data_view.setVisible(fit)
        if fit:
            self.panel.set_session(session)
        self._show_batch_size()
        for axis, action in self.axis_actions.items():
            action.setChecked(session.view.loss_x == axis)
        if hasattr(self, "batch_loss_action"):
            self.batch_loss_action.setChecked(session.view.batch_loss)
            self.batch_loss_action.setEnabled(fit)
            self.fan_action.setChecked(session.view.show_gradient_fan)
            self.fan_action.setEnabled(fit)
        if "examples" in self.axis_actions:
            self.axis_actions["examples"].setEnabled(fit)

    def _show_batch_size(self) -> None:
        session = self.window.session
        index = self.window.optimizer_panel.current_index()
        if session.fit is None or not 0 <= index < len(session.optimizers):
            self.batch_field.setEnabled(False)
            return
        self.batch_field.setEnabled(True)
        shape = data_shape(session.fit.data)
        n = shape[1] if shape else None
        self.batch_field.set_batch_size(session.optimizers[index].batch_size, n)

    def _batch_size_edited(self, batch_size: int | None) -> None:
        session = self.window.session
        index = self.window.optimizer_panel.current_index()
        if not 0 <= index < len(session.optimizers):
            return
        entries = list(session.optimizers)
        entries[index] = replace(entries[index], batch_size=batch_size)
        self.window.holder.update(optimizers=tuple(entries))

    def _fit_edited(self, fit: FitSetup) -> None:
        """The panel's new fit (the preset stays only while model and loss are its own)."""
        preset = load_fits().get(fit.preset) if fit.preset else None
        if preset is not None and (preset.model, preset.loss) != (fit.model, fit.loss):
            fit = replace(fit, preset=None)
        self._set_fit(fit)

    def _set_fit(self, fit: FitSetup, **changes: object) -> None:
        """``fit`` with batch sizes no larger than its data (nothing else changes)."""
        session = self.window.session
        shape = data_shape(fit.data)
        optimizers = changes.pop("optimizers", session.optimizers)
        if shape is not None:
            n = shape[1]
            optimizers = tuple(
                replace(e, batch_size=min(e.batch_size, n)) if e.batch_size else e
                for e in optimizers  # type: ignore[union-attr]
            )
        self.window.holder.set(replace(session, fit=fit, optimizers=optimizers, **changes))

    # ------------------------------------------------------------------ actions
    def choose_preset(self, key: str) -> None:
        """Fit preset ``key``: its model, loss, data, window and start (and, coming from a
        function, the race of batch, stochastic and mini-batch descent)."""
        preset = load_fits()[key]
        session = self.window.session
        fit = FitSetup(
            preset.model,
            preset.loss,
            BuiltinData(preset.data, preset.n, preset.noise, preset.seed),
            key,
        )
        optimizers = session.optimizers if session.fit is not None else default_fit_entries()
        self.fit_window_pending = False
        self._set_fit(
            fit,
            domain=preset.window,
            start=preset.start,
            optimizers=optimizers,
            view=_fit_view(session),
        )
        self.window.contour.setFocus()

    def leave_fit(self) -> None:
        """Back to the session's function, with its preset's window and the default race."""
        session = self.window.session
        if session.fit is None:
            return
        changes: dict[str, object] = {"fit": None, "optimizers": default_entries()}
        if session.preset is not None:
            changes.update(
                domain=load_presets()[session.preset].domain, start=preset_start(session.preset)
            )
        self.window.holder.set(replace(session, **changes))

    def open_csv(self) -> None:
        """Ask for a CSV file and fit it (keeping the model and loss if they suit its
        columns); a bad file is refused with its one line, and nothing changes."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.window, "Fit a CSV file", "", "CSV files (*.csv);;All files (*)"
        )
        if not path:
            self.panel.set_session_fit_again()
            return
        self.open_csv_path(path)

    def open_csv_path(self, path: str | Path) -> bool:
        """Fit the CSV file at ``path``; False (with the reason shown) if it cannot be."""
        from gdplayground.model.build import BuildError, read_data_file

        try:
            data = read_data_file(str(path))
        except BuildError as exc:
            message = str(exc).removeprefix("--data: ")
            self.panel.set_session_fit_again()
            self.window.statusBar().showMessage(message, 10000)
            self.window.show_message("Cannot fit this file", message)
            return False
        shape = data_shape(data)
        assert shape is not None
        columns = shape[0]
        session = self.window.session
        old = session.fit
        model, loss = f"w*{columns[0]} + b", f"(m - {columns[-1]})^2"
        if old is not None and not model_problem(old.model, columns):
            if not loss_problem(old.loss, columns):
                model, loss = old.model, old.loss
        # the default race takes a rate that suits the data; a race of your own is kept
        default = old is None or _same_race(session.optimizers, default_fit_entries())
        optimizers = _suited(data, model, loss) if default else session.optimizers
        x, y = DEFAULT_FIT_START
        self.fit_window_pending = True
        self._set_fit(
            FitSetup(model, loss, data),
            optimizers=optimizers,
            start=DEFAULT_FIT_START,
            domain=(x - 1, x + 1, y - 1, y + 1),
            view=_fit_view(session),
        )
        return True

    def save_csv(self) -> None:
        """Write the fit's examples to a CSV file the user chooses."""
        scene = self.window.scene
        objective = scene.objective if scene is not None else None
        data = getattr(objective, "data", None)
        if data is None:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save data as CSV", "data.csv", "CSV files (*.csv)"
        )
        if path:
            self.save_csv_path(path)

    def save_csv_path(self, path: str | Path) -> bool:
        """Write the fit's examples to ``path``; False (with the reason shown) if it fails."""
        from gdplayground.core.data.csv_files import write_csv
        from gdplayground.io.files import OutputError

        scene = self.window.scene
        data = getattr(scene.objective, "data", None) if scene is not None else None
        if data is None:
            return False
        try:
            write_csv(data, path)
        except OutputError as exc:
            self.window.show_message("Cannot save the data", str(exc))
            return False
        self.window.statusBar().showMessage(f"Saved {data.n:,} examples to {path}", 5000)
        return True

    def after_scene(self) -> None:
        """Once a new CSV's runs are known, fit the window around them (once)."""
        if self.fit_window_pending and self.window.picture is not None:
            if self.window.picture.exact and self.window.picture.paths:
                self.fit_window_pending = False
                self.window.fit_to_paths()


def _fit_view(session: Session):
    """A fit's view options: w and b on scales of their own (a badly scaled fit's
    valley is a million times longer than wide), entering from a function."""
    if session.fit is not None:
        return session.view
    return replace(session.view, equal_aspect=False)


def _same_race(entries, default) -> bool:
    """Whether ``entries`` are the default fit race (whatever their rates suit)."""
    return [(e.method, e.batch_size, e.name) for e in entries] == [
        (e.method, e.batch_size, e.name) for e in default
    ]


def _suited(data, model: str, loss: str):
    """The default fit race, its gradient descents at a rate that suits ``data`` (see
    :func:`~gdplayground.core.data.rates.suggested_lr`): a CSV's columns may be of any size."""
    from gdplayground.core.data.rates import suggested_lr
    from gdplayground.core.scene import compile_fit

    entries = default_fit_entries()
    try:
        objective, _ = compile_fit(FitSetup(model, loss, data))
        rate = suggested_lr(objective, DEFAULT_FIT_START)  # type: ignore[arg-type]
    except ValueError:
        return entries
    if rate is None:
        return entries
    return tuple(
        replace(e, params={**e.params, "lr": rate}) if e.method == "gd" else e for e in entries
    )
