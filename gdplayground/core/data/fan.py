"""The gradient fan: at a point (w, b), the gradients of a few batches of one size
around the full-data gradient.

Stochastic descent steps along a batch's gradient, not the full one; how far
those batch gradients scatter around the full gradient is the noise of the
method, and it shrinks as the batch grows (a full batch has none).  The fan's
batches are the first few full-size batches a run of that size and seed draws
(DataLoader-style, :func:`~gdplayground.core.data.batches.draw_batches`), the
same at every point, so an animated fan turns with the point rather than
flickering.

A :class:`GradientFan` travels with a fit's landscape and picture.  It is
pickled without its objective (an export draws in another process) and
compiles the fit again there, once, when it is first asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.data.batches import draw_batches

if TYPE_CHECKING:
    from gdplayground.core.data.dataset import DataSet
    from gdplayground.core.data.objective import DataObjective

Array = np.ndarray

#: Batches in a fan, at most.
FAN_BATCHES = 16
#: Fewer (but at least FAN_MIN_BATCHES) for large batches: examples evaluated per fan.
FAN_WORK = 1 << 18
FAN_MIN_BATCHES = 3


@dataclass(frozen=True)
class Fan:
    """The fan at one point: ``full`` (2,) the full-data gradient, ``batches``
    (k, 2) the gradients of k batches of ``batch_size`` examples (None: the full
    batch, whose single "batch gradient" is the full one)."""

    full: Array
    batches: Array
    batch_size: int | None

    @property
    def spread(self) -> float:
        """The batch gradients' root-mean-square distance from the full gradient."""
        if not len(self.batches):
            return 0.0
        return float(np.sqrt(np.mean(np.sum((self.batches - self.full) ** 2, axis=1))))


class GradientFan:
    """Batch gradients of a fit's mean loss (``objective``, typed as ``model`` and
    ``loss``) at any point: :meth:`at`."""

    def __init__(self, objective: DataObjective, model: str, loss: str) -> None:
        self._objective: DataObjective | None = objective
        self._model, self._loss = model, loss
        self._data: DataSet = objective.data
        self._mode, self._h = objective.mode, objective.h
        self._draws: dict[tuple[int, int], Array] = {}
        self._last: tuple[tuple, Fan] | None = None

    @property
    def n(self) -> int:
        """The number of examples."""
        return self._data.n

    def batch_indices(self, batch_size: int, seed: int) -> Array:
        """(k, batch_size) example rows: the first full-size batches a run with this
        batch size and seed draws (k as :func:`fan_size` says)."""
        size = min(int(batch_size), self.n)
        key = (size, int(seed))
        if key not in self._draws:
            count = fan_size(size)
            whole = self.n // size  # full-size batches per epoch
            per_epoch = -(-self.n // size)
            batches = draw_batches(self.n, size, int(seed), -(-count // whole) * per_epoch)
            full = [batches.batch(step) for step in range(1, batches.steps + 1)]
            rows = np.array([b for b in full if len(b) == size][:count], dtype=np.int64)
            rows.setflags(write=False)
            if len(self._draws) >= 8:
                self._draws.clear()
            self._draws[key] = rows
        return self._draws[key]

    def at(
        self,
        w: float,
        b: float,
        batch_size: int | None,
        seed: int,
        full: Array | None = None,
    ) -> Fan:
        """The fan at (w, b) for batches of ``batch_size`` (None: full) drawn with
        ``seed``; gradients that cannot be computed there are nan.  ``full`` is the
        full-data gradient there when it is known (a run records it at each point:
        a pass over every example saved at each frame)."""
        key = (float(w), float(b), batch_size, int(seed))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        objective = self._compiled()
        with np.errstate(all="ignore"):
            if full is None:
                full = np.array(objective.gradient(np.float64(w), np.float64(b)), np.float64)
            full = np.asarray(full, dtype=np.float64).reshape(2)
            if batch_size is None or batch_size >= self.n:
                batches = full[None, :].copy()
            else:
                rows = self.batch_indices(batch_size, seed)
                k = len(rows)
                _, bw, bb = objective.batch_value_and_gradient(
                    np.full(k, float(w)), np.full(k, float(b)), rows
                )
                batches = np.stack([np.asarray(bw, np.float64), np.asarray(bb, np.float64)], 1)
        fan = Fan(full, batches, None if batch_size is None or batch_size >= self.n else batch_size)
        self._last = (key, fan)
        return fan

    def _compiled(self) -> DataObjective:
        if self._objective is None:
            from gdplayground.core.data.fit import parse_fit
            from gdplayground.core.data.objective import DataObjective

            fit = parse_fit(self._model, self._loss, self._data.columns)
            self._objective = DataObjective(fit, self._data, self._mode, self._h)
        return self._objective

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_objective"] = None  # compiled again where it is drawn
        state["_last"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def fan_size(batch_size: int) -> int:
    """How many batches of ``batch_size`` examples a fan shows."""
    return int(max(FAN_MIN_BATCHES, min(FAN_BATCHES, FAN_WORK // max(int(batch_size), 1))))
