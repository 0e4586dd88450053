"""The full-data loss over a (w, b) window: a quick first picture, then the exact one.

Where the loss is a polynomial in (w, b), the exact grid costs microseconds per
point whatever the data and is the first picture too.  Otherwise every grid
point costs a pass over every example (300 x 300 points of 10,000 examples is
some 10^9 evaluations, seconds): the first picture is then an exact grid on
fewer points, flagged as coarse, to show while the full one is computed.  A
subsample of the examples is never shown as if it were the loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from gdplayground.core.data.objective import DataObjective
from gdplayground.core.sampling import Domain, Grid, sample_grid

#: A first picture evaluates at most this many (point, example) pairs: about
#: 0.1 s for a loss of a dozen numpy operations per example (35 x 35 points of
#: 10,000 examples).
FIRST_PICTURE_BUDGET = 12_000_000
#: The coarsest first picture worth drawing.
MIN_RESOLUTION = 12


@dataclass(frozen=True, eq=False)
class LossGrid:
    """A grid of the full-data loss; ``exact`` is False for a coarse first
    picture (fewer grid points than asked for, each one exact)."""

    grid: Grid
    exact: bool


def first_resolution(objective: DataObjective, resolution: int) -> int:
    """The points per side of the first picture: ``resolution`` when that is
    cheap, else the finest grid within :data:`FIRST_PICTURE_BUDGET`."""
    if objective.cost(resolution * resolution) <= FIRST_PICTURE_BUDGET:
        return resolution
    per_point = max(1, objective.cost(1))
    side = int(math.isqrt(FIRST_PICTURE_BUDGET // per_point))
    return max(MIN_RESOLUTION, min(resolution, side))


def first_loss_grid(objective: DataObjective, domain: Domain, resolution: int) -> LossGrid:
    """A first picture: the exact grid when it is cheap, else a coarse one."""
    side = first_resolution(objective, resolution)
    return LossGrid(sample_grid(objective.value, domain, side), side == resolution)


def loss_grid(
    objective: DataObjective,
    domain: Domain,
    resolution: int,
    check: Callable[[], None] | None = None,
) -> Grid:
    """The exact full-data loss on a ``resolution`` grid; ``check`` is called
    between blocks of work and may raise to cancel."""
    return sample_grid(partial(objective.value, check=check), domain, resolution)
