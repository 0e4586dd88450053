"""Running whole processes and timing them from spawn to exit (or to a line they print)."""

from __future__ import annotations

import selectors
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """One finished process: wall seconds, exit status, the last line of its errors."""

    seconds: float
    returncode: int
    error: str

    @property
    def ok(self) -> bool:
        """Whether it exited with status 0."""
        return self.returncode == 0


def run_timed(command: list[str], env: dict[str, str], timeout: float) -> Run:
    """Run ``command`` to the end; wall time from spawn to exit."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Run(time.perf_counter() - start, -1, f"timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    return Run(seconds, done.returncode, lines[-1] if lines else "")


def time_to_line(
    command: list[str], env: dict[str, str], marker: str, timeout: float
) -> tuple[float | None, str]:
    """Seconds from spawn until the process prints a line containing ``marker``.

    Returns ``(seconds, line)``, or ``(None, why)``; the process is waited
    for (it is expected to exit by itself) and killed if it does not.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    found: tuple[float | None, str] = (None, f"no {marker!r} line within {timeout:.0f} s")
    with selectors.DefaultSelector() as selector:
        assert process.stdout is not None
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.perf_counter() - start < timeout:
            if not selector.select(timeout=0.5):
                if process.poll() is not None:
                    break
                continue
            line = process.stdout.readline()
            if not line:
                break
            if marker in line:
                found = (time.perf_counter() - start, line.strip())
                break
    try:
        _, errors = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
    if found[0] is None and process.returncode not in (0, None):
        last = errors.strip().splitlines()[-1:] or [""]
        found = (None, f"exit status {process.returncode}: {last[0]}")
    return found
