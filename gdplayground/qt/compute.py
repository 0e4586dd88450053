"""Run :func:`build_scene` off the UI thread; the newest request always wins."""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6 import QtCore

from gdplayground.core.data.dataset import DataError
from gdplayground.core.expression import ExpressionError
from gdplayground.core.gradients import Objective
from gdplayground.core.scene import Cancelled, Landscape, PendingRuns, Scene, build_scene
from gdplayground.model.rules import session_work_problem
from gdplayground.model.session import Session

if TYPE_CHECKING:
    from gdplayground.core.run_worker import RunWorker


#: ``busy_changed(True)`` waits this long, so quick edits do not flash "computing…".
BUSY_DELAY_MS = 250


class SceneComputer(QtCore.QObject):
    """Computes scenes in one background thread.

    ``request`` returns at once; ``scene_ready`` arrives on the UI thread with
    the result of the newest request only (older ones are cancelled between
    pieces of work or dropped).  ``failed`` carries a message for the user;
    ``busy_changed`` tells when work has been running for ``BUSY_DELAY_MS``
    and when it is over.
    """

    scene_ready = QtCore.Signal(object)
    #: a fit's scene on a first, coarser loss grid (its runs done), while the exact grid computes
    partial_ready = QtCore.Signal(object)
    #: (session, :class:`Landscape`) of a new function, while a worker process runs its optimizers
    landscape_ready = QtCore.Signal(object, object)
    failed = QtCore.Signal(str)
    #: (objective, (df/dx, df/dy) as text, or None if sympy could not write them out)
    gradient_described = QtCore.Signal(object, object)
    busy_changed = QtCore.Signal(bool)
    _finished = QtCore.Signal(int, object, str)
    _previewed = QtCore.Signal(int, object, object)
    _partial = QtCore.Signal(int, object)
    _described = QtCore.Signal(object, object)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: RunWorker | None = None
        self._worker_failed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gdp-compute")
        # writing the gradient out (sympy) can take seconds: never in the way of a scene
        self._describer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gdp-describe")
        self._lock = threading.Lock()
        self._generation = 0
        self._delivered = 0
        self.scene: Scene | None = None
        self._finished.connect(self._on_finished, QtCore.Qt.ConnectionType.QueuedConnection)
        self._previewed.connect(self._on_previewed, QtCore.Qt.ConnectionType.QueuedConnection)
        self._partial.connect(self._on_partial, QtCore.Qt.ConnectionType.QueuedConnection)
        self._described.connect(self.gradient_described, QtCore.Qt.ConnectionType.QueuedConnection)
        # "busy" is announced only for work that takes a while: a label flashing
        # for a quick edit costs a repaint of the window while the work runs
        self._busy_shown = False
        self._busy_delay = QtCore.QTimer(self)
        self._busy_delay.setSingleShot(True)
        self._busy_delay.setInterval(BUSY_DELAY_MS)
        self._busy_delay.timeout.connect(self._announce_busy)

    @property
    def busy(self) -> bool:
        """True while a request has not been answered."""
        return self._delivered < self._generation

    def start_worker(self) -> None:
        """Run optimizers in a worker process from now on (once it is ready, in a
        second or so), on the second core while this process samples the grid."""
        if self.worker is not None or self._worker_failed:
            return
        # imported here: multiprocessing would add ~20 ms to the start-up
        from gdplayground.core.run_worker import RunWorker

        worker = RunWorker()
        try:
            worker.start()
        except Exception:  # noqa: BLE001 - e.g. no process semaphores here: run in the thread
            worker.shutdown()
            self._worker_failed = True
            return
        self.worker = worker

    def request(self, session: Session, with_surface: bool = True) -> None:
        """Start computing ``session`` (with the 3-D mesh if ``with_surface``),
        superseding any unfinished request."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        if self.worker is not None:
            self.worker.supersede(generation)
        too_much = session_work_problem(session)
        if too_much:  # refused before anything is computed: the picture on show stays
            self._finished.emit(generation, None, f"not computed: {too_much}")
            return
        previous = self.scene
        if not self._busy_delay.isActive() and not self._busy_shown:
            self._busy_delay.start()
        self._executor.submit(self._work, generation, session, previous, with_surface)

    def describe(self, objective: Objective) -> None:
        """Write ``objective``'s gradient out as text in the background.

        ``gradient_described`` brings the answer; at once if it is already known.
        """
        if objective.has_gradient_text:
            self.gradient_described.emit(objective, objective.gradient_text)
            return
        try:
            self._describer.submit(self._describe, objective)
        except RuntimeError:  # shut down
            pass

    def _describe(self, objective: Objective) -> None:
        try:
            text = objective.gradient_text
        except Exception:  # sympy failed to print it: say so, keep going
            text = None
        self._described.emit(objective, text)

    def shutdown(self) -> None:
        """Cancel pending work and stop the threads."""
        with self._lock:
            self._generation += 1
        if self.worker is not None:
            self.worker.shutdown()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._describer.shutdown(wait=False, cancel_futures=True)

    def _announce_busy(self) -> None:
        if self.busy and not self._busy_shown:
            self._busy_shown = True
            self.busy_changed.emit(True)

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    def _work(
        self, generation: int, session: Session, previous: Scene | None, with_surface: bool
    ) -> None:
        if not self._current(generation):
            return
        worker = self.worker
        start_runs = None
        in_worker: list[PendingRuns] = []
        if worker is not None and worker.ready:

            def start_runs(s: Session, configs: list) -> PendingRuns | None:
                pending = worker.submit(s, configs, generation)
                if pending is not None:
                    in_worker.append(pending)
                return pending

        def meanwhile(landscape: Landscape) -> None:
            new_grid = previous is None or landscape.grid is not previous.grid
            waiting = in_worker or not landscape.exact  # runs elsewhere, or an exact grid to come
            if waiting and new_grid and self._current(generation):
                # the UI thread draws the new function (or a fit's first grid) meanwhile
                self._previewed.emit(generation, session, landscape)

        def partial(scene: Scene) -> None:
            if self._current(generation):
                self._partial.emit(generation, scene)

        try:
            scene = build_scene(
                session,
                previous,
                lambda: not self._current(generation),
                start_runs=start_runs,
                meanwhile=meanwhile,
                with_surface=with_surface,
                partial=partial,
            )
        except Cancelled:
            return
        except ExpressionError as exc:
            self._finished.emit(generation, None, f"{getattr(exc, 'part', 'function')}: {exc}")
            return
        except DataError as exc:
            self._finished.emit(generation, None, f"data: {exc}")
            return
        except Exception as exc:  # keep the window alive; tell the user what broke
            traceback.print_exc()
            self._finished.emit(generation, None, f"could not compute: {exc}")
            return
        self._finished.emit(generation, scene, "")

    @QtCore.Slot(int, object, object)
    def _on_previewed(self, generation: int, session: Session, landscape: Landscape) -> None:
        if generation == self._generation:
            self.landscape_ready.emit(session, landscape)

    @QtCore.Slot(int, object)
    def _on_partial(self, generation: int, scene: Scene) -> None:
        if generation == self._generation:
            self.scene = scene  # the next request reuses its runs
            self.partial_ready.emit(scene)

    @QtCore.Slot(int, object, str)
    def _on_finished(self, generation: int, scene: Scene | None, error: str) -> None:
        if generation != self._generation:
            return
        self._delivered = generation
        self._busy_delay.stop()
        if self._busy_shown:
            self._busy_shown = False
            self.busy_changed.emit(False)
        if scene is None:
            self.failed.emit(error)
            return
        self.scene = scene
        self.scene_ready.emit(scene)
