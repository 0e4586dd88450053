"""The one place that imports Qt and pyqtgraph, in the right order.

PySide6 is imported before pyqtgraph (and ``PYQTGRAPH_QT_LIB`` is set), so
pyqtgraph never picks another Qt binding that happens to be installed.
"""

from __future__ import annotations

import os

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

# numpy first: shiboken6 inspects the source of every module imported after
# PySide6 (PYSIDE-2029), which makes numpy's many modules slow to load after it.
import numpy  # noqa: E402,F401

# isort: split

import PySide6  # noqa: E402,F401  (must precede pyqtgraph)
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

# isort: split
import pyqtgraph as pg  # noqa: E402

__all__ = [
    "QtCore",
    "QtGui",
    "QtWidgets",
    "pg",
    "configure",
    "is_dark",
    "match_opengl_platform",
    "run_modal",
    "run_event_loop",
]

_dark = False


def configure(dark: bool = False) -> None:
    """Set pyqtgraph's global look: antialiased lines, light (default) or dark background."""
    global _dark
    _dark = dark
    pg.setConfigOptions(
        antialias=True,
        background="#1e1e1e" if dark else "w",
        foreground="#e0e0e0" if dark else "#202020",
    )


def is_dark() -> bool:
    """Whether :func:`configure` last chose the dark background."""
    return _dark


def _share_opengl_contexts() -> None:
    # pyqtgraph caches compiled shader programs per item class, so every GL
    # view must share one context group; Qt needs this before QApplication exists.
    if QtCore.QCoreApplication.instance() is None:
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


_share_opengl_contexts()
configure()


def match_opengl_platform(app: QtWidgets.QApplication) -> None:
    """PyOpenGL talks to the 3-D view's context through the platform Qt made it with:
    GLX on X11 (also an X11 window in a Wayland session), EGL on Wayland.  Left to
    itself PyOpenGL picks from XDG_SESSION_TYPE, and a mismatch draws nothing."""
    if "OpenGL" in __import__("sys").modules or os.environ.get("PYOPENGL_PLATFORM"):
        return
    platform = app.platformName()
    if platform == "xcb":
        os.environ["PYOPENGL_PLATFORM"] = "glx"
    elif platform.startswith("wayland"):
        os.environ["PYOPENGL_PLATFORM"] = "egl"


def run_modal(dialog: QtWidgets.QDialog) -> bool:
    """Show ``dialog`` modally; True if the user accepted it."""
    modal_loop = dialog.exec  # Qt's, not Python's: named so no grep mistakes one for the other
    return modal_loop() == QtWidgets.QDialog.DialogCode.Accepted


def run_event_loop(app: QtCore.QCoreApplication) -> int:
    """Run Qt's event loop until the application quits; its exit status."""
    event_loop = app.exec  # Qt's, not Python's: named so no grep mistakes one for the other
    return int(event_loop())
