"""Timing helpers: interleaved repeats, so background load hits every candidate alike."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import numpy as np


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (garbage collection off, as timeit does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def interleaved(candidates: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Time each candidate ``repeat`` times, taking turns; seconds per call, per candidate."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            times[name].append(timed(fn))
    return times


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))
