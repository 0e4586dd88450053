"""What a process stopped by a signal must undo before it leaves.

The writers register each temporary file they create and each child process
that writes one (ffmpeg, the forked compute worker); the command line's
signal handler calls :func:`clean_up`, which kills those children and
removes those files, so an interrupted export leaves nothing behind.
"""

from __future__ import annotations

import os
import signal

_temporaries: set[str] = set()
_children: set[int] = set()


def track_temporary(path: str | os.PathLike[str]) -> None:
    """Remember ``path`` (registered before it is created) as a file to remove on a signal."""
    _temporaries.add(os.fspath(path))


def forget_temporary(path: str | os.PathLike[str]) -> None:
    """``path`` was renamed into place or removed: nothing to undo any more."""
    _temporaries.discard(os.fspath(path))


def track_child(pid: int) -> None:
    """Remember a child process to kill on a signal."""
    _children.add(pid)


def forget_child(pid: int) -> None:
    """The child ``pid`` has been waited for."""
    _children.discard(pid)


def clean_up() -> None:
    """Kill and reap the tracked children, then remove the tracked temporaries.

    Children first: ffmpeg could otherwise create its output file again after
    it was removed.  Never raises.
    """
    for pid in list(_children):
        try:
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            os.waitpid(pid, 0)
        except OSError:  # gone already, or not ours to wait for
            pass
        _children.discard(pid)
    for path in list(_temporaries):
        try:
            os.unlink(path)
        except OSError:
            pass
        _temporaries.discard(path)
