"""Ctrl-C, SIGTERM and SIGHUP: leave at once, cleanly, with one line.

The handlers are installed first thing by the command line (before numpy,
sympy or Qt are imported).  Whenever the signal comes (while Qt loads, while
a worker computes, while ffmpeg encodes) the handler kills the children the
writers registered, removes their temporary files, prints one line and
exits with 128 + the signal's number, without unwinding through Qt or
tearing down the interpreter: that is where interrupted exports used to
crash (SIGSEGV, SIGABRT, tracebacks from Qt callbacks).

``GDPLAYGROUND_PHASE_FILE`` (for tests) names a file to which each phase of
a command is appended as it starts, so a test can send its signal at a
known moment.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from gdplayground import PROG
from gdplayground.io.cleanup import clean_up

#: The signals that stop a command, and how the one line describes each.
STOP_SIGNALS = {"SIGINT": "interrupted", "SIGTERM": "terminated", "SIGHUP": "hung up"}

_installed_by: int | None = None


def install_stop_handlers() -> None:
    """Make SIGINT, SIGTERM and SIGHUP end this process cleanly (exit 130, 143, 129)."""
    global _installed_by
    _installed_by = os.getpid()
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _stop)


def default_stop_handlers() -> None:
    """Let the stop signals kill this process outright (a forked worker: nothing to undo)."""
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_DFL)


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP during the block; they arrive when it ends.

    Around a fork: the child must be registered before a signal may clean up.
    """
    numbers = {getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(number: int, frame: object) -> None:
    """Undo, say so in one line, leave: never returns."""
    for name in STOP_SIGNALS:  # a second Ctrl-C must not interrupt the clean-up
        other = getattr(signal, name, None)
        if other is not None:
            signal.signal(other, signal.SIG_IGN)
    if os.getpid() == _installed_by:
        clean_up()
        name = signal.Signals(number).name
        line = f"{PROG}: {STOP_SIGNALS.get(name, 'stopped')} ({name})\n"
        try:
            os.write(2, line.encode())
        except OSError:
            pass
    os._exit(128 + number)


def phase(name: str) -> None:
    """Note that the command enters phase ``name`` (only when a test asked, see above)."""
    target = os.environ.get("GDPLAYGROUND_PHASE_FILE")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(f"{name} {os.getpid()}\n")
    except OSError:  # a test's aid only: never in the way of the command
        pass
