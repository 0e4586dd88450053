"""File ▸ Export from the window: the same writers as the command line."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest
from PIL import Image

from gdplayground.model.session import default_session
from gdplayground.qt._qt import QtCore, QtWidgets
from gdplayground.qt.export_actions import AnimationChoice, ImageChoice
from gdplayground.qt.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path_factory: pytest.TempPathFactory) -> MainWindow:
    # settings (autosaved after a second) live apart from the exported files the tests list
    settings_path = tmp_path_factory.mktemp("settings") / "s.ini"
    settings = QtCore.QSettings(str(settings_path), QtCore.QSettings.Format.IniFormat)
    w = MainWindow(
        session=replace(default_session(), steps=40), settings=settings, with_surface=False
    )
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.scene_shown, timeout=20000):
        pass
    return w


def test_export_image_writes_the_contour_view_at_the_chosen_size(window, tmp_path) -> None:
    window.set_frame(10)
    path = tmp_path / "contour.png"
    assert window.exports.export_image_to(path, ImageChoice("contour", (640, 480), True))
    with Image.open(path) as image:
        assert image.size == (640, 480)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    svg = tmp_path / "loss.svg"
    assert window.exports.export_image_to(svg, ImageChoice("loss", (640, 480), False))
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]


def test_bad_export_says_why_and_writes_nothing(window, tmp_path, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(
        "gdplayground.qt.export_actions.QtWidgets.QMessageBox.warning",
        lambda parent, title, text: warnings.append(text),
    )
    assert not window.exports.export_image_to(
        tmp_path / "contour.bmp", ImageChoice("contour", (640, 480), True)
    )
    assert warnings and ".png" in warnings[0]
    assert list(tmp_path.iterdir()) == []


def test_copy_image_puts_a_picture_on_the_clipboard(window) -> None:
    QtWidgets.QApplication.clipboard().clear()
    assert window.exports.copy_image()
    image = QtWidgets.QApplication.clipboard().image()
    assert not image.isNull() and image.width() > 100


def test_export_animation_with_progress_and_cancel(window, tmp_path) -> None:
    path = tmp_path / "race.gif"
    choice = AnimationChoice("contour", (320, 240), 20, False)
    assert window.exports.export_animation_to(path, choice)
    with Image.open(path) as gif:
        assert gif.n_frames > 10 and gif.size == (320, 240)
    before = path.read_bytes()
    assert not window.exports.export_animation_to(path, choice, cancel_after=5)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif"]


def test_export_trajectories_as_csv_and_json(window, tmp_path) -> None:
    assert window.exports.export_data_to(tmp_path / "runs.csv")
    rows = list(csv.reader((tmp_path / "runs.csv").open()))
    assert rows[0] == ["optimizer", "run", "step", "x", "y", "f", "grad_norm"]
    names = {row[0] for row in rows[1:]}
    assert names == {e.name for e in window.session.optimizers}
    assert window.exports.export_data_to(tmp_path / "runs.json")
    doc = json.loads((tmp_path / "runs.json").read_text())
    assert doc["function"] == window.session.function
    assert len(doc["runs"]) == len(window.session.optimizers)


def test_trajectories_from_the_window_are_what_run_prints_for_the_same_session(
    window, tmp_path, capsys
) -> None:
    from gdplayground.cli import main
    from gdplayground.model.session_file import save_session

    session_path = tmp_path / "race.gdp.json"
    save_session(window.session, session_path)
    for suffix in ("csv", "json"):
        path = tmp_path / f"window.{suffix}"
        assert window.exports.export_data_to(path)
        capsys.readouterr()
        assert main(["run", "--session", str(session_path), "--format", suffix]) == 0
        printed = capsys.readouterr().out
        assert path.read_text(encoding="utf-8") == printed  # same labels, same numbers


def test_an_export_matches_what_the_window_shows_after_a_restyle(window, tmp_path) -> None:
    entries = list(window.session.optimizers)
    entries[0] = replace(entries[0], color="#FF00FF", name="Mine")
    window.optimizer_panel.optimizers_changed.emit(tuple(entries))
    path = tmp_path / "restyled.svg"
    assert window.exports.export_image_to(path, ImageChoice("contour", (640, 480), False))
    text = path.read_text(encoding="utf-8").lower()
    assert "#ff00ff" in text and "Mine" in path.read_text(encoding="utf-8")


def test_the_race_as_a_pytorch_script_is_what_the_command_line_writes(
    window, tmp_path, capsys
) -> None:
    from gdplayground.cli import main
    from gdplayground.model.session_file import save_session

    mine = tmp_path / "window.py"
    assert window.exports.export_script_to(mine)
    session_path = tmp_path / "race.gdp.json"
    save_session(window.session, session_path)
    theirs = tmp_path / "cli.py"
    assert main(["export", "--session", str(session_path), "-o", str(theirs)]) == 0
    text = mine.read_text(encoding="utf-8")
    assert text == theirs.read_text(encoding="utf-8")
    assert "torch.optim.Adam(" in text and "import torch" in text
    compile(text, str(mine), "exec")  # valid Python (compiled, not run)
