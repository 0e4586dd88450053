"""A new function is drawn once; a window left alone stops repainting."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdplayground.model.presets import load_presets
from gdplayground.model.session import default_session
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.main_window import MainWindow


class PaintCounter(QtCore.QObject):
    """Counts the paint events of a widget's viewport."""

    def __init__(self, widget: QtWidgets.QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        if event.type() == QtCore.QEvent.Type.Paint:
            self.count += 1
        return False


@pytest.mark.gl
@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
@pytest.mark.parametrize("preset", ["mccormick", "levi13"])
def test_a_window_left_alone_stops_repainting(qtbot, tmp_path: Path, size, preset) -> None:
    # where one x unit is one y unit on screen, the width of the tick labels
    # changes the plot's width, which changed the ticks: the contour view was
    # laid out and repainted again and again, forever, at some sizes
    settings = QtCore.QSettings(str(tmp_path / "s.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(session=default_session(), settings=settings)  # as the app
    try:
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(window.scene_shown, timeout=30000):
            pass
        qtbot.waitUntil(lambda: window.surface is not None, timeout=30000)  # built after showing
        with qtbot.waitSignal(window.scene_shown, timeout=30000):
            window.function_editor.line_edit.setText(load_presets()[preset].formula)
            window.function_editor.validate_now()
        paints = PaintCounter(window.contour.viewport())
        qtbot.waitUntil(lambda: paints.count > 0, timeout=10000)  # the new picture is drawn
        for _ in range(3):  # let any layout the painting asked for settle
            QtWidgets.QApplication.processEvents()
        settled = paints.count
        for _ in range(40):  # nothing changes any more: nothing is painted
            QtWidgets.QApplication.processEvents()
            QtWidgets.QApplication.sendPostedEvents()
        assert paints.count == settled
    finally:
        # gone before the application is: a 3-D view's native window must not
        # outlive the container holding it (at exit Qt reached into the freed window)
        gone: list[bool] = []
        window.destroyed.connect(lambda: gone.append(True))
        window.close()
        window.deleteLater()
        qtbot.waitUntil(lambda: bool(gone), timeout=10000)
