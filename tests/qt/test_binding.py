"""The Qt binding in use must keep Python's reference counts straight."""

from __future__ import annotations

import sys

from gdplayground.qt._qt import QtCore


class _Emitter(QtCore.QObject):
    changed = QtCore.Signal(object)


def test_pyqtgraph_uses_pyside6() -> None:
    from gdplayground.qt._qt import pg

    assert pg.Qt.QT_LIB == "PySide6"


def test_signals_and_void_calls_do_not_leak_references() -> None:
    # PySide6-Essentials 6.12.0 on Python < 3.12 drops a reference on every
    # void call and slot call; the interpreter then aborts with "deallocating
    # None" after a few thousand animation frames.  Use another version.
    emitter = _Emitter()
    marker = object()
    emitter.changed.connect(lambda value: value)
    before_marker, before_none = sys.getrefcount(marker), sys.getrefcount(None)
    for _ in range(200):
        emitter.changed.emit(marker)
        emitter.setObjectName("probe")
    assert sys.getrefcount(marker) >= before_marker, "slot calls drop references"
    assert sys.getrefcount(None) >= before_none - 50, "void calls drop references to None"
