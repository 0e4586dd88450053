"""Open, Save, Save As and Recent files for ``.gdp.json`` sessions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gdplayground.io.files import OutputError
from gdplayground.model.limits import SUFFIX
from gdplayground.model.session import Session
from gdplayground.model.session_file import load_session, save_session
from gdplayground.qt._qt import QtCore, QtGui, QtWidgets

MAX_RECENT = 8
FILTER = f"gdplayground sessions (*{SUFFIX});;All files (*)"


class SessionFiles(QtCore.QObject):
    """File handling for the window's session; dialogs are thin wrappers over
    :meth:`open_path` and :meth:`save_to`, which tests call directly."""

    path_changed = QtCore.Signal(object)  # Path | None

    def __init__(
        self,
        window: QtWidgets.QWidget,
        settings: QtCore.QSettings,
        get_session: Callable[[], Session],
        set_session: Callable[[Session], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self._get = get_session
        self._set = set_session
        self.path: Path | None = None
        self.saved: Session | None = None

    # ------------------------------------------------------------------ menu
    def add_actions(self, menu: QtWidgets.QMenu) -> None:
        """Open, Open Recent, Save and Save As with their standard shortcuts."""
        keys = QtGui.QKeySequence.StandardKey
        self._add(menu, "&Open…", self.open_dialog, keys.Open)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._add(menu, "&Save", self.save, keys.Save)
        self._add(menu, "Save &As…", self.save_as_dialog, QtGui.QKeySequence("Ctrl+Shift+S"))

    def _add(self, menu: QtWidgets.QMenu, text: str, slot, key) -> None:
        action = QtGui.QAction(text, self.window)
        action.setShortcut(QtGui.QKeySequence(key))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)

    def recent_files(self) -> list[str]:
        """Recently opened or saved sessions, newest first, only those that still exist."""
        value = self.settings.value("recent/files", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if isinstance(p, str) and Path(p).is_file()]

    def _remember(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent/files", items[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        if not files:
            self.recent_menu.addAction("(no recent sessions)").setEnabled(False)
        for i, name in enumerate(files, 1):
            action = self.recent_menu.addAction(f"&{i} {Path(name).name}")
            action.setToolTip(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(n))

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        """Ask for a session file and open it."""
        start = str(self.path.parent) if self.path else str(Path.home())
        name, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open session", start, FILTER)
        if name:
            self.open_path(name)

    def open_path(self, path: str | Path) -> bool:
        """Load a session; on any problem say what is wrong and keep the current state."""
        path = Path(path)
        try:
            session = load_session(path)
        except Exception as exc:  # SessionError says why; anything else is still refused
            QtWidgets.QMessageBox.warning(
                self.window, "Cannot open session", f"{path.name} was not opened:\n\n{exc}"
            )
            return False
        self._set(session)
        self._saved_as(path, session)
        return True

    # ------------------------------------------------------------------ saving
    def save(self) -> bool:
        """Save to the current file, or ask for one."""
        if self.path is None:
            return self.save_as_dialog()
        return self.save_to(self.path)

    def save_as_dialog(self) -> bool:
        """Ask where to save; adds the .gdp.json suffix when it is missing."""
        start = str(self.path) if self.path else str(Path.home() / f"untitled{SUFFIX}")
        name, _ = QtWidgets.QFileDialog.getSaveFileName(self.window, "Save session", start, FILTER)
        if not name:
            return False
        if not name.endswith(SUFFIX):
            name += SUFFIX
        return self.save_to(name)

    def save_to(self, path: str | Path) -> bool:
        """Write the session atomically; the previous file survives any failure."""
        path = Path(path)
        session = self._get()
        try:
            save_session(session, path)
        except (OutputError, OSError) as exc:
            QtWidgets.QMessageBox.warning(self.window, "Cannot save session", str(exc))
            return False
        self._saved_as(path, session)
        return True

    def _saved_as(self, path: Path, session: Session) -> None:
        self.path = path
        self.saved = session
        self._remember(path.resolve())
        self.path_changed.emit(path)

    def is_modified(self, session: Session) -> bool:
        """Whether ``session`` differs from what was last opened or saved."""
        return self.saved is not None and session != self.saved
