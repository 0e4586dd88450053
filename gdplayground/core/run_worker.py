"""Optimizer runs in a second process, while this one samples the function.

A new function needs its grid sampled (and, in the window, its isolines and
surface mesh prepared) and its optimizers run.  In one process these take
turns: numpy's many small calls for a run hold Python's global lock.  A worker
process runs the optimizers on the second core meanwhile, with the same code,
so the paths are the same to the last bit.  Anything going wrong in the worker
only means the runs are computed here after all.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import numpy as np

from gdplayground.core.gradients import compile_function
from gdplayground.core.optimizers import OptimizerConfig
from gdplayground.core.quiet import silence_float_warnings
from gdplayground.core.scene import Cancelled
from gdplayground.core.trajectory import Trajectory, run_many
from gdplayground.core.worker_process import ObjectiveCache, end_with_parent
from gdplayground.model.session import Session

#: How often a caller waiting for the worker checks whether it was superseded.
POLL_S = 0.002
#: Objectives the worker keeps compiled (editing a learning rate reuses the function).
KEPT_OBJECTIVES = 4


class RunWorker:
    """One worker process for optimizer runs, started in the background.

    :meth:`start` spawns it and warms it up (imports, a tiny run); until that
    is done, and if it ever fails, :meth:`submit` returns None and callers
    run the optimizers themselves.  :meth:`supersede` tells the worker which
    request is the newest: older runs stop at their next check.
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._ready = threading.Event()
        self._broken = False
        self._latest: Any = None

    @property
    def ready(self) -> bool:
        """True once the worker has been started and has answered."""
        return self._ready.is_set() and not self._broken

    def start(self) -> None:
        """Spawn the worker process (returns at once; it gets ready in the background).

        Raises OSError (or NotImplementedError) where processes cannot share
        memory or semaphores; the caller then runs the optimizers itself.
        """
        if self._executor is not None:
            return
        context = multiprocessing.get_context("spawn")
        self._latest = context.Value("q", 0, lock=False)
        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=context,
            initializer=_initialise,
            initargs=(self._latest,),
        )
        warm_up = self._executor.submit(_warm_up)
        warm_up.add_done_callback(self._warmed_up)

    def _warmed_up(self, future: Future) -> None:
        if future.cancelled() or future.exception() is not None:
            self._broken = True
        else:
            self._ready.set()

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the worker is ready (for benchmarks and tests); False on timeout."""
        return self._ready.wait(timeout_s) and not self._broken

    def supersede(self, generation: int) -> None:
        """Request ``generation`` is now the newest: runs for older ones may stop."""
        if self._latest is not None:
            self._latest.value = generation

    def submit(
        self, session: Session, configs: Sequence[OptimizerConfig], generation: int
    ) -> PendingRuns | None:
        """Start ``configs`` from ``session``'s start point; None if the worker cannot."""
        if not self.ready or self._executor is None:
            return None
        try:
            future = self._executor.submit(
                _run,
                session.function,
                session.gradient,
                session.h,
                list(configs),
                session.start,
                session.steps,
                session.tol,
                generation,
                session.seed,
            )
        except RuntimeError:  # shut down, or the process died
            self._broken = True
            return None
        return PendingRuns(self, future)

    def shutdown(self) -> None:
        """Stop the worker: whatever it runs is abandoned at its next check."""
        if self._latest is not None:
            self._latest.value = -1
        self._broken = True
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def _failed(self) -> None:
        self._broken = True


class PendingRuns:
    """Runs under way in the worker."""

    def __init__(self, worker: RunWorker, future: Future) -> None:
        self._worker = worker
        self._future = future

    def result(self, check: Callable[[], None]) -> list[list[Trajectory]] | None:
        """The runs (as :func:`run_many` returns them), or None if the worker failed.

        ``check`` is called while waiting and may raise (e.g. Cancelled).
        """
        while True:
            check()
            try:
                return self._future.result(timeout=POLL_S)
            except FutureTimeout:
                continue
            except Cancelled:
                check()  # superseded there: the newer request is known here too
                return None
            except Exception:  # noqa: BLE001 - the process died or failed: run here
                self._worker._failed()
                return None


# ------------------------------------------------------------ in the worker
_latest = None
_objectives = ObjectiveCache(KEPT_OBJECTIVES)


def _initialise(latest: object) -> None:
    global _latest
    _latest = latest
    silence_float_warnings()
    end_with_parent()  # a killed window must not leave its worker behind


def _run(
    function: str,
    gradient: str,
    h: float | None,
    configs: list[OptimizerConfig],
    start: tuple[float, float],
    steps: int,
    tol: float,
    generation: int,
    seed: int = 0,
) -> list[list[Trajectory]]:
    def check() -> None:
        if _latest is not None and _latest.value != generation:
            raise Cancelled

    check()
    objective = _objectives.get(function, gradient, h)
    return run_many(objective, configs, np.array([start]), steps, tol, check=check, seed=seed)


def _warm_up() -> bool:
    from gdplayground.core.optimizers import make_config

    configs = [make_config(name) for name in ("adam", "newton")]
    run_many(compile_function("x^2 + y^2"), configs, np.array([(1.0, 1.0)]), 3, 0.0)
    return True
