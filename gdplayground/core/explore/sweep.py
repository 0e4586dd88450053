"""Learning-rate sweeps: is a race fair, or did one method get a better rate?

Each optimizer runs at K learning rates spaced logarithmically over a range,
from every start point, with its other hyperparameters as given.  All the
rates of one optimizer run together as the rows of one batch (the steppers
take a column of learning rates as readily as one), so a sweep costs about
as much as one run per optimizer.  Every row follows exactly the path the
optimizer takes alone at that rate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gdplayground.core.optimizers import OptimizerConfig, make_config
from gdplayground.core.trajectory import CONVERGED, DIVERGED, STATUSES, run_batch
from gdplayground.model.limits import (
    DEFAULT_SWEEP_HIGH,
    DEFAULT_SWEEP_LOW,
    DEFAULT_SWEEP_POINTS,
    MAX_SWEEP_POINTS,
)

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective

Array = np.ndarray

DEFAULT_LOW, DEFAULT_HIGH = DEFAULT_SWEEP_LOW, DEFAULT_SWEEP_HIGH
DEFAULT_POINTS = DEFAULT_SWEEP_POINTS
MAX_POINTS = MAX_SWEEP_POINTS
DEFAULT_STEPS = 500
DEFAULT_TOL = 1e-10
#: Final values closer than this fraction of how far f came down count as
#: equal when choosing the best rate (so the faster of two rates that both
#: reach the minimum wins, not the one that lands a round-off lower).
TIE = 1e-9


@dataclass(frozen=True, eq=False)
class OptimizerSweep:
    """One optimizer at every rate, from every start.

    Arrays are indexed ``[rate, start]``.  ``steps_to_tol`` is the step at
    which the gradient norm fell below ``tol``, or -1 where it never did.
    ``best`` indexes the best rate (see :func:`best_rate`), None when every
    rate diverged.
    """

    config: OptimizerConfig
    lrs: Array
    final_values: Array
    final_points: Array
    steps_to_tol: Array
    statuses: tuple[tuple[str, ...], ...]
    best: int | None

    @property
    def best_lr(self) -> float | None:
        """The best learning rate, or None when every rate diverged."""
        return None if self.best is None else float(self.lrs[self.best])


@dataclass(frozen=True, eq=False)
class Sweep:
    """A learning-rate sweep of several optimizers from the same start points."""

    optimizers: tuple[OptimizerSweep, ...]
    starts: Array
    lrs: Array
    steps: int
    tol: float


def learning_rates(low: float, high: float, count: int) -> Array:
    """``count`` rates from ``low`` to ``high`` (both included), evenly spaced in log."""
    if count < 1 or count > MAX_POINTS:
        raise ValueError(f"the number of learning rates must be 1 to {MAX_POINTS}, not {count}")
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low <= high):
        raise ValueError(
            f"learning rates {low:g} to {high:g} are not a range: "
            "write LOW,HIGH with 0 < LOW < HIGH, e.g. 1e-4,1"
        )
    if low == high and count > 1:
        raise ValueError(
            f"the learning-rate range {low:g} to {high:g} is empty: write LOW,HIGH with LOW < HIGH"
        )
    return np.geomspace(low, high, count)


def sweep_learning_rates(
    objective: Objective,
    configs: Sequence[OptimizerConfig],
    starts: Array,
    low: float = DEFAULT_LOW,
    high: float = DEFAULT_HIGH,
    count: int = DEFAULT_POINTS,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    check: Callable[[], None] | None = None,
) -> Sweep:
    """Run every config at ``count`` rates from ``low`` to ``high`` from every start.

    Raises OptimizerError when a rate is out of an optimizer's range and
    ValueError for a bad range; ``check`` is called between optimizers and
    every few steps, and may raise to cancel.
    """
    lrs = learning_rates(low, high, count)
    starts = np.array(starts, dtype=np.float64).reshape(-1, 2)
    for config in configs:  # the ends of the range must be rates the optimizer accepts
        for lr in (lrs[0], lrs[-1]):
            make_config(config.name, {**config.params, "lr": float(lr)})
    start_values = objective.value(starts[:, 0], starts[:, 1])
    results = []
    for config in configs:
        if check is not None:
            check()
        results.append(_sweep_one(objective, config, lrs, starts, start_values, steps, tol, check))
    return Sweep(tuple(results), starts, lrs, steps, tol)


def _sweep_one(
    objective: Objective,
    config: OptimizerConfig,
    lrs: Array,
    starts: Array,
    start_values: Array,
    steps: int,
    tol: float,
    check: Callable[[], None] | None = None,
) -> OptimizerSweep:
    """One batch: row ``k * S + s`` is rate ``k`` from start ``s``."""
    k, s = len(lrs), len(starts)
    # A column of rates: every stepper multiplies by its lr, so each row gets its own.
    column = np.repeat(lrs, s)[:, None]
    rows = OptimizerConfig(config.name, {**config.params, "lr": column})  # type: ignore[dict-item]
    batch = run_batch(
        objective, rows, np.tile(starts, (k, 1)), steps, tol, record=False, check=check
    )
    statuses = [STATUSES[code] for code in batch.status]
    converged = np.array([name == CONVERGED for name in statuses])
    steps_to_tol = np.where(converged, batch.stopped_at, -1).reshape(k, s)
    table = tuple(tuple(statuses[i * s : (i + 1) * s]) for i in range(k))
    final_values = batch.values.reshape(k, s)
    return OptimizerSweep(
        config=config,
        lrs=lrs,
        final_values=final_values,
        final_points=batch.points.reshape(k, s, 2),
        steps_to_tol=steps_to_tol,
        statuses=table,
        best=best_rate(final_values, steps_to_tol, table, start_values, steps),
    )


def best_rate(
    final_values: Array,
    steps_to_tol: Array,
    statuses: Sequence[Sequence[str]],
    start_values: Array,
    steps: int,
) -> int | None:
    """The index of the best rate (arrays indexed ``[rate, start]``), or None.

    The best rate is the one whose runs end lowest (mean final f over the
    starts) among the rates at which no run diverged.  Final values within
    ``TIE`` of how far f came down (from its mean at the starts to that
    lowest end) count as equal: among those, the rate that reaches ``tol``
    in the fewest steps (summed over the starts; a run that never does
    counts as ``steps + 1``) wins, then the smaller rate.
    """
    values = np.asarray(final_values, dtype=np.float64)
    ok = np.array([all(name != DIVERGED for name in row) for row in statuses], dtype=bool)
    ok &= np.isfinite(values).all(axis=1)
    if not ok.any():
        return None
    mean = values.mean(axis=1)
    lowest = mean[ok].min()
    drop = float(np.nanmean(start_values)) - lowest
    margin = TIE * max(abs(drop) if np.isfinite(drop) else 0.0, abs(lowest), 1e-300)
    tied = np.flatnonzero(ok & (mean <= lowest + margin))
    cost = np.where(np.asarray(steps_to_tol) < 0, steps + 1, steps_to_tol).sum(axis=1)
    return int(tied[np.lexsort((tied, cost[tied]))][0])


def at_best_rates(sweep: Sweep) -> list[OptimizerConfig]:
    """Each swept optimizer at its best rate (as it was where every rate diverged):
    the configs for a fair race."""
    configs = []
    for result in sweep.optimizers:
        lr = result.best_lr
        params = dict(result.config.params)
        if lr is not None:
            params["lr"] = lr
        configs.append(OptimizerConfig(result.config.name, params))
    return configs
