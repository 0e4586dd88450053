"""Worker processes that compute rows of basin maps on the other cores.

A basin map is thousands of independent runs: chunks of rows can run in
separate processes with the same code, so the map is the same to the last
bit.  The pool starts in the background; until it is ready (and if it ever
fails) :func:`~gdplayground.core.explore.basins.iter_basin_maps` computes
the chunks itself.  Where processes cannot start at all, :meth:`BasinPool.start`
raises and the caller simply passes no pool.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from gdplayground.core.explore.basins import BasinRequest, run_rows
from gdplayground.core.worker_process import ObjectiveCache, end_with_parent

#: Objectives a worker keeps compiled (a new optimizer or window reuses the function).
KEPT_OBJECTIVES = 4


def default_processes() -> int:
    """One worker per core (at least one)."""
    return max(1, os.cpu_count() or 1)


class BasinPool:
    """Worker processes for chunks of basin-map rows (one per core by default)."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or default_processes()
        self._executor: ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self._broken = False

    @property
    def ready(self) -> bool:
        """True once the workers have started and answered, until one fails."""
        return self._ready.is_set() and not self._broken

    @property
    def capacity(self) -> int:
        """Chunks to keep under way: one per worker and one waiting, so that
        cancelling leaves little work behind."""
        return self.processes + 1

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has been called (the workers may not be ready yet)."""
        return self._executor is not None

    def start(self) -> None:
        """Spawn the workers (returns at once; they get ready in the background).

        Raises OSError (or NotImplementedError) where processes cannot share
        memory or semaphores; then compute without a pool.
        """
        if self._executor is not None:
            return
        context = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes, mp_context=context, initializer=_initialise
        )
        warm_ups = [self._executor.submit(_warm_up) for _ in range(self.processes)]
        remaining = [len(warm_ups)]
        lock = threading.Lock()

        def warmed_up(future: Future) -> None:
            if future.cancelled() or future.exception() is not None:
                self._broken = True
                return
            with lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    self._ready.set()

        for future in warm_ups:
            future.add_done_callback(warmed_up)

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the workers are ready (benchmarks, tests); False on timeout."""
        return self._ready.wait(timeout_s) and not self._broken

    def submit(self, request: BasinRequest, rows: tuple[int, int]) -> Future | None:
        """Start computing rows ``[first, stop)`` of ``request``'s map; None if the
        pool cannot (the caller computes them)."""
        if not self.ready or self._executor is None:
            return None
        try:
            return self._executor.submit(_run_rows, request, rows)
        except RuntimeError:  # shut down, or a process died
            self._broken = True
            return None

    def failed(self) -> None:
        """A chunk failed in a worker: take no more."""
        self._broken = True

    def shutdown(self) -> None:
        """Stop the workers; chunks under way are abandoned."""
        self._broken = True
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> BasinPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def start_pool(processes: int | None = None) -> BasinPool | None:
    """A started pool, or None where worker processes cannot start here."""
    pool = BasinPool(processes)
    try:
        pool.start()
    except (OSError, NotImplementedError, ImportError):
        return None
    return pool


# ------------------------------------------------------------ in the workers
_objectives = ObjectiveCache(KEPT_OBJECTIVES)


def _initialise() -> None:
    end_with_parent()  # a killed window must not leave its workers behind


def _run_rows(request: BasinRequest, rows: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    objective = _objectives.get(request.function, request.gradient, request.h)
    return run_rows(objective, request, rows)


def _warm_up() -> bool:
    from gdplayground.core.optimizers import make_config

    request = BasinRequest("x^2 + y^2", make_config("adam"), (-1.0, 1.0, -1.0, 1.0), 2, 3)
    _run_rows(request, (0, 2))
    return True
