"""What every worker process of the window needs: to end with the window, and to keep
the last few compiled functions (a worker is asked about the same function again
and again while a teacher plays with one surface)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective


def end_with_parent() -> None:
    """In a worker: exit as soon as the process that started it is gone (a killed
    window must not leave its workers behind)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: multiprocessing.process.BaseProcess) -> None:
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(0)


class ObjectiveCache:
    """The ``size`` functions compiled last, by (function, gradient mode, h)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: dict[tuple, Objective] = {}

    def get(self, function: str, gradient: str, h: float | None) -> Objective:
        """The compiled objective of ``function`` (compiled now if it is not kept)."""
        from gdplayground.core.gradients import compile_function

        key = (function, gradient, h)
        objective = self._kept.pop(key, None)
        if objective is None:
            objective = compile_function(function, gradient, h)
        self._kept[key] = objective  # the most recent last
        while len(self._kept) > self.size:
            self._kept.pop(next(iter(self._kept)))
        return objective
