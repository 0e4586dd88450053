"""Start the desktop application."""

from __future__ import annotations

import sys

from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, run_event_loop


def make_application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    """The QApplication with our names (QSettings uses them) and icon."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    QtCore.QCoreApplication.setOrganizationName("gdplayground")
    QtCore.QCoreApplication.setApplicationName("gdplayground")
    QtWidgets.QApplication.setApplicationDisplayName("gdplayground")
    from importlib import resources

    icon = resources.files("gdplayground.resources").joinpath("gdplayground.svg")
    if icon.is_file():
        QtGui.QGuiApplication.setWindowIcon(QtGui.QIcon(str(icon)))
    return app  # type: ignore[return-value]


def run_app(session_path: str | None = None) -> int:
    """Open the window (optionally with a saved session) and run until it closes."""
    app = make_application()
    from gdplayground.qt.main_window import MainWindow

    window = MainWindow()
    if session_path:
        window.open_path(session_path)
    window.show()
    return run_event_loop(app)
