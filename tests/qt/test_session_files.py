"""File ▸ Open, Open Recent and Save with special files: refused at once, never read forever."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from gdplayground.model.session import default_session
from gdplayground.model.session_file import load_session, save_session
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.session_files import SessionFiles


@pytest.fixture
def files(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    shown: list = []
    handler = SessionFiles(window, settings, default_session, shown.append)
    handler.warnings = []
    monkeypatch.setattr(
        "gdplayground.qt.session_files.QtWidgets.QMessageBox.warning",
        lambda parent, title, text: handler.warnings.append(text),
    )
    handler.shown = shown
    return handler


def test_opening_a_fifo_is_refused_without_waiting_for_a_writer(files, tmp_path: Path) -> None:
    fifo = tmp_path / "lesson.gdp.json"
    os.mkfifo(fifo)
    # if the window ever waited for the FIFO, this writer would end the wait with an
    # empty file after a while: the message would then not name the FIFO
    rescue = threading.Timer(20, lambda: os.close(os.open(fifo, os.O_WRONLY)))
    rescue.start()
    try:
        assert not files.open_path(fifo)
    finally:
        rescue.cancel()
    assert "FIFO" in files.warnings[0] and files.shown == []


def test_opening_a_link_to_dev_zero_is_refused_before_reading(files, tmp_path: Path) -> None:
    link = tmp_path / "z.gdp.json"
    link.symlink_to("/dev/zero")
    assert not files.open_path(link)
    assert "device" in files.warnings[0] and files.shown == []


def test_recent_files_leave_out_what_is_no_longer_a_regular_file(files, tmp_path: Path) -> None:
    good = tmp_path / "good.gdp.json"
    save_session(default_session(), good)
    fifo = tmp_path / "fifo.gdp.json"
    os.mkfifo(fifo)
    files.settings.setValue("recent/files", [str(fifo), str(good)])
    assert files.recent_files() == [str(good)]


def test_saving_over_a_linked_session_writes_through_to_its_target(files, tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    real = tmp_path / "lessons" / "real.gdp.json"
    real.write_text("{}")
    link = tmp_path / "current.gdp.json"
    link.symlink_to(real)
    assert files.save_to(link)
    assert link.is_symlink() and load_session(real) == default_session()


def test_saving_onto_a_fifo_says_why_and_keeps_it(files, tmp_path: Path) -> None:
    fifo = tmp_path / "out.gdp.json"
    os.mkfifo(fifo)
    assert not files.save_to(fifo)
    assert "FIFO" in files.warnings[0] and not fifo.is_file()
