"""Writes lose nothing: a full disk or a failure keeps the old file and leaves no temporary;
special files are never written over; temporaries of killed writers are cleaned up."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from gdplayground.io import files
from gdplayground.io.files import (
    OutputError,
    atomic_output,
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    output_target,
    remove_stale_temporaries,
    temporary_name,
)


def leftovers(folder: Path, keep: str = "keep.txt") -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def no_space(*args: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "keep.txt"
    path.write_bytes(b"OLD")
    return path


def test_a_write_that_fails_keeps_the_old_file_and_no_temporary(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files.os, "write", no_space)
    with pytest.raises(OutputError) as caught:
        atomic_write_bytes(old_file, b"NEW" * 1000)
    monkeypatch.undo()
    assert str(caught.value) == f"cannot write {old_file}: No space left on device"
    assert old_file.read_bytes() == b"OLD"
    assert leftovers(old_file.parent) == []


@pytest.mark.parametrize("writer", ["bytes", "stream", "by name"])
def test_a_sync_that_fails_keeps_the_old_file(
    old_file: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    """The disk may only say it is full when the data is synced: that is checked too."""
    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(OutputError, match="No space left on device"):
        if writer == "bytes":
            atomic_write_text(old_file, "NEW")
        elif writer == "stream":
            with atomic_output(old_file, text=True) as out:
                out.write("NEW")
        else:
            atomic_write(old_file, lambda tmp: tmp.write_bytes(b"NEW"))
    monkeypatch.undo()
    assert old_file.read_bytes() == b"OLD"
    assert leftovers(old_file.parent) == []


def test_a_full_disk_keeps_the_old_file(tiny_disk: Path) -> None:
    target = tiny_disk / "keep.txt"
    target.write_bytes(b"OLD")
    with pytest.raises(OutputError, match="No space left on device"):
        with atomic_output(target) as out:
            for _ in range(100):
                out.write(b"x" * 4096)
    assert target.read_bytes() == b"OLD"
    assert leftovers(tiny_disk) == []
    with pytest.raises(OutputError, match="No space left on device"):
        atomic_write_bytes(target, b"y" * 200_000)
    assert target.read_bytes() == b"OLD" and leftovers(tiny_disk) == []


def test_a_program_that_writes_nothing_is_a_failure(old_file: Path) -> None:
    with pytest.raises(OutputError, match="nothing was written"):
        atomic_write(old_file, lambda tmp: None)
    assert old_file.read_bytes() == b"OLD" and leftovers(old_file.parent) == []


def test_an_exception_in_the_middle_of_streaming_keeps_the_old_file(old_file: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        with atomic_output(old_file) as out:
            out.write(b"half")
            raise KeyboardInterrupt
    assert old_file.read_bytes() == b"OLD" and leftovers(old_file.parent) == []


def test_a_successful_write_replaces_the_file_keeping_its_permissions(old_file: Path) -> None:
    old_file.chmod(0o640)
    with atomic_output(old_file, text=True) as out:
        out.write("línea\n")
    assert old_file.read_text(encoding="utf-8") == "línea\n"
    assert old_file.stat().st_mode & 0o777 == 0o640
    assert leftovers(old_file.parent) == []


# ------------------------------------------------------------------ targets
def test_special_targets_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        cases = {
            "": "no output file name given",
            str(tmp_path): "it is a folder",
            str(fifo): "it is a FIFO",
            str(sock): "it is a socket",
            str(tmp_path / "missing" / "a.txt"): "does not exist",
        }
        for target, message in cases.items():
            with pytest.raises(OutputError, match=message):
                atomic_write_text(target, "x")
    finally:
        server.close()
    assert fifo.exists() and not fifo.is_file()  # the FIFO was not replaced by a file


def test_a_device_node_is_not_replaced(tmp_path: Path) -> None:
    """A device made here (broken code must never get the chance to replace /dev/null)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # `mknod null c 1 3`
    except (PermissionError, AttributeError, OSError):
        pytest.skip("making a device node needs root")
    for target in (node, tmp_path / "link-to-null"):
        if target != node:
            target.symlink_to(node)
        with pytest.raises(OutputError, match="it is a device"):
            atomic_write_text(target, "x")
    assert node.exists() and not node.is_file()


def test_writing_through_a_symlink_changes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "s.json"
    real.write_text("OLD")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "NEW")
    assert link.is_symlink() and real.read_text() == "NEW"
    assert output_target(link) == real.resolve()
    assert leftovers(tmp_path, keep="link.json") == ["real"]
    assert leftovers(tmp_path / "real", keep="s.json") == []


# ------------------------------------------------------------------ stale temporaries
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporaries_of_dead_writers_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "a.png"
    stale = temporary_name(target, pid=dead_pid())
    stale.write_bytes(b"x" * 1000)
    live_writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = temporary_name(target, pid=live_writer.pid)
        alive.write_bytes(b"in progress")
        others = [tmp_path / ".a.png.abc12345.tmp", tmp_path / "notes.tmp"]
        for other in others:
            other.write_bytes(b"not ours")
        atomic_write_text(tmp_path / "b.txt", "B")
        assert not stale.exists()
        assert alive.exists()  # another export is writing it right now
        assert all(other.exists() for other in others)  # not our pattern: never touched
    finally:
        live_writer.kill()
        live_writer.wait()
    assert remove_stale_temporaries(tmp_path) == [alive]


def test_temporary_names_say_which_process_writes_them(tmp_path: Path) -> None:
    name = temporary_name(tmp_path / "race.mp4").name
    assert name.startswith(".race.mp4.gdplayground-") and name.endswith(".tmp")
    assert f"-{os.getpid()}-" in name
    long = temporary_name(tmp_path / ("x" * 250 + ".png")).name
    assert len(long.encode()) < 255
