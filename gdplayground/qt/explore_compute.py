"""Basin maps, stationary points and sweeps, computed off the UI thread.

Each kind of work has its own thread, so a long basin map never holds up
the stationary points of a new function; within a kind the newest request
wins (an older one is cancelled between pieces of work).  Results come back
as signals on the UI thread, each with the request it answers, so the
window can tell an answer that no longer fits from one that does.  Rows of
basin maps also run in worker processes on the other cores
(:mod:`gdplayground.core.explore.basin_pool`), started with the first map.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from gdplayground.core.explore.basins import BasinRequest, iter_basin_maps
from gdplayground.core.explore.critical import stationary_points
from gdplayground.core.explore.sweep import sweep_learning_rates
from gdplayground.core.expression import ExpressionError
from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import OptimizerConfig, OptimizerError
from gdplayground.core.scene import Cancelled
from gdplayground.qt._qt import QtCore

if TYPE_CHECKING:
    from gdplayground.core.explore.basin_pool import BasinPool

#: Partial basin maps are handed to the window at most this often (the first at once).
PARTIAL_INTERVAL_S = 0.1
CANCELLED = "cancelled"


class _Job:
    """One kind of work: a thread, and the generation of its newest request."""

    def __init__(self, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"gdp-{name}")
        self.generation = 0
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.generation += 1
            return self.generation

    def checker(self, generation: int) -> Callable[[], None]:
        def check() -> None:
            if generation != self.generation:
                raise Cancelled

        return check


class ExploreComputer(QtCore.QObject):
    """Computes exploring requests in background threads; answers on the UI thread.

    Signals carry the request (a value the caller compares with what it
    wants now) and the result: ``basins_changed(request, map)`` for each
    partial map and the complete one, ``basins_ended(request, message)`` when
    a map is complete ("") , cancelled (:data:`CANCELLED`) or failed;
    ``stationary_ready(key, points or None, message)``;
    ``sweep_ready(key, sweep or None, message)``.
    """

    basins_changed = QtCore.Signal(object, object)
    basins_ended = QtCore.Signal(object, str)
    stationary_ready = QtCore.Signal(object, object, str)
    sweep_ready = QtCore.Signal(object, object, str)

    def __init__(self, parent: QtCore.QObject | None = None, use_pool: bool = True) -> None:
        super().__init__(parent)
        self._basins = _Job("basins")
        self._stationary = _Job("stationary")
        self._sweep = _Job("sweep")
        self._pool: BasinPool | None = None
        self._pool_tried = not use_pool  # tests mostly compute maps in one process
        self._closed = False

    @property
    def pool(self) -> BasinPool | None:
        """The worker processes of basin maps (None before the first map, or where none start)."""
        return self._pool

    # ------------------------------------------------------------ basin maps
    def request_basins(self, request: BasinRequest, objective: Objective | None) -> None:
        """Start computing ``request``'s map (superseding any map under way)."""
        generation = self._basins.next()
        if not self._pool_tried:
            self._pool_tried = True
            # imported here: multiprocessing would add to the window's start-up
            from gdplayground.core.explore.basin_pool import BasinPool

            self._pool = BasinPool()  # started with warm_pool(); until then rows run here
        self._submit(self._basins, self._work_basins, generation, request, objective)

    def warm_pool(self) -> None:
        """Start the worker processes, if not yet started: call it once the first
        partial map is on screen (their start-up would compete with it for the CPU)."""
        pool = self._pool
        if pool is None or pool.started or self._closed:
            return
        try:
            pool.start()
        except (OSError, NotImplementedError, ImportError):
            self._pool = None  # no processes here: every row in this process

    def cancel_sweep(self) -> None:
        """Stop the sweep under way; ``sweep_ready(key, None, CANCELLED)`` follows."""
        self._sweep.next()

    def cancel_basins(self) -> None:
        """Stop the map under way; ``basins_ended(request, CANCELLED)`` follows."""
        self._basins.next()

    def _work_basins(
        self, generation: int, request: BasinRequest, objective: Objective | None
    ) -> None:
        check = self._basins.checker(generation)
        last = 0.0
        basins = None
        try:
            for basins in iter_basin_maps(request, objective, check, self._pool):
                now = time.perf_counter()
                if basins.complete or now - last >= PARTIAL_INTERVAL_S:
                    last = now
                    self.basins_changed.emit(request, basins)
        except Cancelled:
            self.basins_ended.emit(request, CANCELLED)
            return
        except ExpressionError as exc:
            self.basins_ended.emit(request, f"function: {exc}")
            return
        except Exception as exc:  # keep the window alive; say what broke
            traceback.print_exc()
            self.basins_ended.emit(request, f"could not compute the basin map: {exc}")
            return
        self.basins_ended.emit(request, "")

    # ------------------------------------------------------- stationary points
    def request_stationary(
        self, key: Any, function: tuple, window: tuple, objective: Objective | None
    ) -> None:
        """Find the stationary points of ``function`` (text, gradient mode, h) in ``window``."""
        generation = self._stationary.next()
        self._submit(
            self._stationary, self._work_stationary, generation, key, function, window, objective
        )

    def _work_stationary(
        self, generation: int, key: Any, function: tuple, window: tuple, objective: Objective | None
    ) -> None:
        check = self._stationary.checker(generation)
        try:
            objective = objective or compile_function(*function)
            points = stationary_points(objective, window, check)
        except Cancelled:
            return
        except (ExpressionError, ValueError) as exc:
            self.stationary_ready.emit(key, None, str(exc))
            return
        except Exception as exc:
            traceback.print_exc()
            self.stationary_ready.emit(key, None, f"could not find stationary points: {exc}")
            return
        if generation == self._stationary.generation:
            self.stationary_ready.emit(key, points, "")

    # ------------------------------------------------------------------ sweeps
    def request_sweep(
        self,
        key: Any,
        function: tuple,
        objective: Objective | None,
        configs: list[OptimizerConfig],
        starts: np.ndarray,
        rates: tuple[float, float, int],
        steps: int,
        tol: float,
    ) -> None:
        """Sweep ``configs`` over ``rates`` (low, high, count) from ``starts``."""
        generation = self._sweep.next()
        self._submit(
            self._sweep,
            self._work_sweep,
            generation,
            key,
            function,
            objective,
            configs,
            starts,
            rates,
            steps,
            tol,
        )

    def _work_sweep(
        self,
        generation: int,
        key: Any,
        function: tuple,
        objective: Objective | None,
        configs: list[OptimizerConfig],
        starts: np.ndarray,
        rates: tuple[float, float, int],
        steps: int,
        tol: float,
    ) -> None:
        check = self._sweep.checker(generation)
        try:
            objective = objective or compile_function(*function)
            low, high, count = rates
            sweep = sweep_learning_rates(
                objective, configs, starts, low, high, count, steps, tol, check
            )
        except Cancelled:
            self.sweep_ready.emit(key, None, CANCELLED)
            return
        except (ExpressionError, OptimizerError, ValueError) as exc:
            self.sweep_ready.emit(key, None, str(exc))
            return
        except Exception as exc:
            traceback.print_exc()
            self.sweep_ready.emit(key, None, f"could not sweep: {exc}")
            return
        if generation == self._sweep.generation:
            self.sweep_ready.emit(key, sweep, "")

    # ------------------------------------------------------------------ common
    def _submit(self, job: _Job, work: Callable[..., None], *args: object) -> None:
        if self._closed:
            return
        try:
            job.executor.submit(work, *args)
        except RuntimeError:  # shut down
            pass

    def shutdown(self) -> None:
        """Cancel everything, stop the threads and the worker processes."""
        self._closed = True
        for job in (self._basins, self._stationary, self._sweep):
            job.next()
            job.executor.shutdown(wait=False, cancel_futures=True)
        if self._pool is not None:
            self._pool.shutdown()
