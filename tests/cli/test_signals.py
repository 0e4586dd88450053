"""Ctrl-C, SIGTERM and SIGHUP at any moment of an export: one line, the right status, nothing left.

Real signals go to a real ``gdplayground export`` process at known moments:
the command notes each phase it enters in ``GDPLAYGROUND_PHASE_FILE``, and
the tests wait for a phase (or for the temporary file of a write to appear)
before signalling, never for a fixed time.  After the signal the process
must end with 128 + the signal's number and exactly one line, the target
must be absent or as it was, no temporary may be left, and no process of its
group (the forked compute worker, ffmpeg) may still be running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gdplayground.export.animation import find_ffmpeg

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals")

#: Generous bounds for a loaded machine: a condition is waited for at most this long.
WAIT_S = 180.0
LINES = {
    signal.SIGINT: "gdplayground: interrupted (SIGINT)",
    signal.SIGTERM: "gdplayground: terminated (SIGTERM)",
    signal.SIGHUP: "gdplayground: hung up (SIGHUP)",
}


def wait_until(condition, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the export ended ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_S:.0f} s for {what}")
        time.sleep(0.005)


class Export:
    """``gdplayground export ... -o TARGET`` in its own process group, like a shell job."""

    def __init__(self, folder: Path, target: str, *options: str) -> None:
        self.folder = folder
        self.target = folder / target
        self.phases = folder.parent / f"{target}.phases"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "GDPLAYGROUND_PHASE_FILE": str(self.phases),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gdplayground", "export", "rosenbrock", *options, "-o",
             str(self.target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )  # fmt: skip

    def in_phase(self, name: str) -> bool:
        return self.phases.exists() and f"\n{name} " in "\n" + self.phases.read_text()

    def wait_for_phase(self, name: str) -> None:
        wait_until(lambda: self.in_phase(name), f"phase {name}", self.process)

    def temporaries(self) -> list[Path]:
        return [p for p in self.folder.iterdir() if p.name.endswith(".tmp")]

    def wait_for_temporary(self) -> None:
        wait_until(
            lambda: temporary_written(self.folder), "the temporary to be written", self.process
        )

    def stop(self, number: int, group: bool) -> tuple[int, list[str]]:
        if group:
            os.killpg(self.process.pid, number)
        else:
            os.kill(self.process.pid, number)
        _, err = self.process.communicate(timeout=WAIT_S)
        return self.process.returncode, err.splitlines()

    def group_is_gone(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return True
        return False

    def kill_all(self) -> None:
        if not self.group_is_gone():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT_S)


def mp4_options() -> list[str]:
    if find_ffmpeg() is None:
        pytest.skip("no ffmpeg")
    return ["--steps", "600", "--size", "800x600"]


CASES = [
    # (target, options, moment, signal, sent to the whole group as Ctrl-C does)
    ("a.png", [], "started", signal.SIGINT, True),
    ("a.png", [], "loading-qt", signal.SIGINT, True),
    ("a.png", [], "loading-qt", signal.SIGINT, False),
    ("a.gif", ["--steps", "300", "--size", "320x240"], "loading-qt", signal.SIGTERM, False),
    ("a.png", [], "computing", signal.SIGHUP, False),
    ("a.gif", ["--steps", "300", "--size", "320x240"], "temporary", signal.SIGINT, True),
    ("a.gif", ["--steps", "300", "--size", "320x240"], "temporary", signal.SIGTERM, False),
    ("a.mp4", "mp4", "loading-qt", signal.SIGINT, True),
    ("a.mp4", "mp4", "temporary", signal.SIGINT, True),
    ("a.mp4", "mp4", "temporary", signal.SIGINT, False),
    ("a.mp4", "mp4", "temporary", signal.SIGHUP, False),
]


@pytest.mark.parametrize(
    ("target", "options", "moment", "number", "group"),
    CASES,
    ids=[f"{t}-{m}-{signal.Signals(n).name}-{'group' if g else 'main'}" for t, _, m, n, g in CASES],
)
def test_a_signal_at_any_moment_ends_the_export_cleanly(
    tmp_path: Path, target: str, options, moment: str, number: int, group: bool
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / target).write_bytes(b"OLD")
    export = Export(folder, target, *(mp4_options() if options == "mp4" else options))
    try:
        if moment == "temporary":
            export.wait_for_temporary()
        else:
            export.wait_for_phase(moment)
        status, lines = export.stop(number, group)
        wait_until(export.group_is_gone, "the worker and ffmpeg to be gone")
    finally:
        export.kill_all()
    assert status == 128 + number, lines
    assert lines == [LINES[number]]
    assert (folder / target).read_bytes() == b"OLD"
    assert sorted(os.listdir(folder)) == [target]


def test_temporaries_of_a_killed_export_are_cleaned_up_by_the_next(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    export = Export(folder, "a.gif", "--steps", "300", "--size", "320x240")
    try:
        export.wait_for_temporary()
        workers = _children(export.process.pid)
        export.process.kill()  # kill -9: no chance to clean up
        export.process.wait(timeout=WAIT_S)
        left = export.temporaries()
        wait_until(lambda: not any(_running(pid) for pid in workers), "its children to die")
    finally:
        export.kill_all()
    assert left and left[0].name.startswith(".a.gif.gdplayground-")
    again = Export(folder, "b.png", "--steps", "20")
    try:
        status, lines = again.process.wait(timeout=WAIT_S), again.process.stderr.read()
    finally:
        again.kill_all()
    assert status == 0, lines
    assert sorted(os.listdir(folder)) == ["b.png"]


def test_the_forked_worker_dies_with_a_killed_export(tmp_path: Path) -> None:
    export = Export(tmp_path, "a.png", "--steps", "20000", "--tol", "0")
    try:
        export.wait_for_phase("loading-qt")
        workers = _children(export.process.pid)
        export.process.kill()
        export.process.wait(timeout=WAIT_S)
        wait_until(lambda: not any(_running(pid) for pid in workers), "the worker to die")
    finally:
        export.kill_all()
    if not workers:
        pytest.skip("this machine computes in the main process (no fork, or one CPU)")


def temporary_written(folder: Path) -> bool:
    """Whether a temporary file in ``folder`` has bytes in it (it may vanish meanwhile)."""
    for path in folder.iterdir():
        try:
            if path.name.endswith(".tmp") and path.stat().st_size > 0:
                return True
        except FileNotFoundError:
            pass
    return False


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_run_writes_its_file_leaves_the_old_one(tmp_path: Path, number: int) -> None:
    target = tmp_path / "runs.json"
    target.write_text("OLD")
    phases = tmp_path / "phases"
    command = [sys.executable, "-m", "gdplayground", "run", "x^2+y^2", "--tol", "0"]
    command += ["--steps", "60000", "--start=1,1", "--start=2,2", "-o", str(target)]
    command += [f"--optimizer=gd:lr={1e-4 * (i + 1)}" for i in range(8)]
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GDPLAYGROUND_PHASE_FILE": str(phases)},
        start_new_session=True,
    )
    try:
        wait_until(lambda: temporary_written(tmp_path), "the output to be written", process)
        os.kill(process.pid, number)
        _, err = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + number
    assert err.splitlines() == [LINES[number]]
    assert target.read_text() == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phases", "runs.json"]
