"""A full disk never costs the file an export was about to replace.

Each format is written onto a real 64 KB tmpfs (where it can be mounted)
and with the disk's "no space left" injected: the export fails with one
line, the old file is byte for byte what it was, no temporary is left, and
nothing (no libpng "Write Error") reaches stderr.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from export_checks import leftovers

from gdplayground.export.animation import export_animation, find_ffmpeg
from gdplayground.export.image import ExportError, export_image
from gdplayground.io import files

pytestmark = pytest.mark.usefixtures("qapp")

FORMATS = [
    ("contour", ".png"),
    ("contour", ".svg"),
    ("contour", ".pdf"),
    ("loss", ".svg"),
    ("contour", ".gif"),
    ("contour", ".mp4"),
]


def export(scene, view: str, target: Path) -> None:
    if target.suffix in (".gif", ".mp4"):
        if target.suffix == ".mp4" and find_ffmpeg() is None:
            pytest.skip("no ffmpeg")
        export_animation(scene, view, target, size=(320, 240), frames=12)
    else:
        export_image(scene, view, target, size=(640, 480))


@pytest.mark.parametrize(("view", "suffix"), FORMATS)
def test_an_export_onto_a_full_disk_keeps_the_old_file(
    scene, tiny_disk: Path, capfd: pytest.CaptureFixture[str], view: str, suffix: str
) -> None:
    target = tiny_disk / f"keep{suffix}"
    target.write_bytes(b"OLD")
    (tiny_disk / "filler").write_bytes(bytes(48 * 1024))  # about 12 KB stay free
    capfd.readouterr()
    with pytest.raises(ExportError) as caught:
        export(scene, view, target)
    message = str(caught.value)
    assert "No space left on device" in message and "\n" not in message
    assert target.read_bytes() == b"OLD"
    assert leftovers(tiny_disk) == [] and sorted(os.listdir(tiny_disk)) == ["filler", target.name]
    assert capfd.readouterr().err == ""  # Qt's encoders say nothing of their own


def no_space(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(("view", "suffix"), FORMATS)
@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_an_injected_full_disk_keeps_the_old_file(
    scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, view: str, suffix: str, failing: str
) -> None:
    target = tmp_path / f"keep{suffix}"
    target.write_bytes(b"OLD")
    if failing == "write" and suffix in (".gif", ".mp4"):
        pytest.skip("written by Pillow's buffered file or by ffmpeg: the sync is what fails")
    monkeypatch.setattr(files.os, failing, no_space)
    with pytest.raises(ExportError, match="No space left on device"):
        export(scene, view, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"OLD"
    assert sorted(os.listdir(tmp_path)) == [target.name]
