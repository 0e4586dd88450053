"""``startup``: process start to the main window shown, as a user launches it."""

from __future__ import annotations

import re
import sys
from statistics import median

from bench.processes import time_to_line
from bench.results import Metric, fmt
from bench.targets import target

MARKER = "gdplayground: window shown"


def startup(env: dict[str, str], runs: int = 5) -> Metric:
    """Launch ``python -m gdplayground`` ``runs`` times (after one warm-up); median seconds.

    The app quits as soon as its window is first shown when
    ``GDPLAYGROUND_EXIT_AFTER_SHOW`` is set, printing a line the timer waits for.
    """
    env = {**env, "GDPLAYGROUND_EXIT_AFTER_SHOW": "1"}
    command = [sys.executable, "-m", "gdplayground"]
    times: list[float] = []
    reported: list[float] = []
    for i in range(runs + 1):
        seconds, line = time_to_line(command, env, MARKER, timeout=60)
        if seconds is None:
            note = f"the window was not shown: {line}"
            return Metric("startup", "s", target("startup"), note=note)
        if i == 0:
            continue  # warm-up: fills the file cache, compiles bytecode
        times.append(seconds)
        match = re.search(r"after ([0-9.]+) s", line)
        if match:
            reported.append(float(match.group(1)))
    value = median(times)
    return Metric(
        name="startup",
        unit="s",
        target=target("startup"),
        value=value,
        met=value <= 1.5,
        details={
            "timing": f"median of {runs} launches after one warm-up, spawn to the "
            "'window shown' line",
            "launches_s": times,
            "reported_by_app_s": reported,
        },
        rows=[("best launch", fmt(min(times), "s"), "", "")],
    )
