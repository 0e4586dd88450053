"""Start the desktop application."""

from __future__ import annotations

import os
import sys

# shiboken6 reads the source of every Python module imported after PySide6
# (PYSIDE-2029): loading numpy and sympy (~800 modules) first saves ~0.3 s.
import numpy  # noqa: F401
import sympy  # noqa: F401

from gdplayground.qt._qt import QtCore, QtGui, QtWidgets, match_opengl_platform, run_event_loop


def make_application(argv: list[str] | None = None) -> QtWidgets.QApplication:
    """The QApplication with our names (QSettings uses them) and icon."""
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(argv if argv is not None else sys.argv[:1])
    QtCore.QCoreApplication.setOrganizationName("gdplayground")
    QtCore.QCoreApplication.setApplicationName("gdplayground")
    QtWidgets.QApplication.setApplicationDisplayName("gdplayground")
    # Wayland matches the window to its desktop entry (and icon) by this name
    QtGui.QGuiApplication.setDesktopFileName("gdplayground")
    match_opengl_platform(app)
    from importlib import resources

    icon = resources.files("gdplayground.resources").joinpath("gdplayground.svg")
    if icon.is_file():
        QtGui.QGuiApplication.setWindowIcon(QtGui.QIcon(str(icon)))
    return app  # type: ignore[return-value]


def run_app(session_path: str | None = None) -> int:
    """Open the window (optionally with a saved session) and run until it closes."""
    from gdplayground.core.quiet import silence_float_warnings

    silence_float_warnings()
    app = make_application()
    from gdplayground.qt.main_window import MainWindow

    window = MainWindow(parallel_runs=True)
    if session_path:
        window.open_path(session_path)
    window.show()
    if os.environ.get("GDPLAYGROUND_EXIT_AFTER_SHOW"):  # start-up benchmark (make bench)
        QtCore.QTimer.singleShot(0, lambda: _report_shown_and_quit(window))
    return run_event_loop(app)


def _report_shown_and_quit(window: QtWidgets.QWidget) -> None:
    """Paint the whole window, print how long after the process started it was on
    screen, then quit."""
    window.repaint()
    print(f"gdplayground: window shown after {_seconds_since_start():.2f} s", flush=True)
    QtWidgets.QApplication.quit()


def _seconds_since_start() -> float:
    """Wall time since this process started (Linux; nan elsewhere)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            ticks = int(stat.read().rpartition(")")[2].split()[19])
            return float(uptime.read().split()[0]) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return float("nan")
