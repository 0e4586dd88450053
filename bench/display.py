"""An X display for the GUI metrics: the user's own, or a private Xvfb server."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

SCREEN = "1600x1000x24"


@contextmanager
def x_display() -> Iterator[tuple[str | None, str]]:
    """Yield ``(DISPLAY, how)``; ``DISPLAY`` is None (and ``how`` says why) if there is none.

    An existing ``DISPLAY`` is used as it is.  Otherwise one Xvfb server is
    started for the whole run (so no measurement includes its start-up) and
    stopped afterwards.
    """
    existing = os.environ.get("DISPLAY")
    if existing:
        yield existing, f"DISPLAY={existing}"
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        yield None, "no DISPLAY and no Xvfb: install xvfb (apt-get install xvfb) to measure"
        return
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            yield None, "Xvfb did not start"
            return
        yield f":{number}", f"Xvfb :{number} ({SCREEN})"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def child_environment(display: str | None, config_home: str) -> dict[str, str]:
    """Environment for measured processes: the display, and settings kept out of the user's."""
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = config_home
    env["PYQTGRAPH_QT_LIB"] = "PySide6"
    env.pop("QT_QPA_PLATFORM", None)
    if display is not None:
        env["DISPLAY"] = display
    return env
