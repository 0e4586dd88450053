"""Worker processes end with the window that started them, and keep the functions
they compiled last."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from gdplayground.core.worker_process import ObjectiveCache

PARENT = textwrap.dedent(
    """
    import multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from gdplayground.core.worker_process import end_with_parent

    if __name__ == "__main__":
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(1, mp_context=context, initializer=end_with_parent)
        print(pool.submit(os.getpid).result(), flush=True)
        time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (dead, not yet reaped by its parent's parent) counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_exits_when_its_parent_is_killed(tmp_path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)  # no clean-up code runs in the parent
        parent.wait(timeout=60)
        deadline = time.monotonic() + 60
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling a condition, with a generous deadline
        assert not _alive(worker)
    finally:
        parent.kill()


def test_the_cache_keeps_the_last_functions_compiled() -> None:
    cache = ObjectiveCache(2)
    a = cache.get("x^2 + y^2", "symbolic", None)
    assert cache.get("x^2 + y^2", "symbolic", None) is a  # kept
    assert cache.get("x^2 + y^2", "numeric", None) is not a  # another mode: another entry
    cache.get("x + y", "symbolic", None)
    cache.get("x^2 + y^2", "numeric", None)
    cache.get("x^3", "symbolic", None)  # the oldest, the symbolic x^2 + y^2, made room
    assert cache.get("x^2 + y^2", "symbolic", None) is not a
