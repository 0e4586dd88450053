"""What the views draw of an exploration: a basin map, stationary points, a sweep.

Plain values that travel in a :class:`~gdplayground.core.picture.Picture`
beside the function and the paths: a core result joined with what the
session says of its presentation (the optimizer's name and colour, the
colours of attractors).  Building one computes nothing; the views turn
them into pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from gdplayground.core.explore.basins import (
    ATTRACTOR_RADIUS,
    Attractor,
    BasinMap,
    nearest_within,
)
from gdplayground.core.explore.critical import StationaryPoint
from gdplayground.core.explore.stationary import DEGENERATE, KINDS, MAXIMUM, MINIMUM, SADDLE
from gdplayground.core.explore.sweep import Sweep
from gdplayground.core.picture import Picture
from gdplayground.core.trajectory import DIVERGED

#: Attractors' colours, light (paths are drawn over them in strong colours) and
#: apart from each other and from the two neutral greys (ColorBrewer Set3 and
#: Tableau's light blue); a map with more attractors uses them again.
ATTRACTOR_COLOURS = (
    "#8DD3C7",
    "#FB8072",
    "#80B1D3",
    "#FDB462",
    "#B3DE69",
    "#BEBADA",
    "#FCCDE5",
    "#FFED6F",
    "#BC80BD",
    "#CCEBC5",
    "#AEC7E8",
    "#FFFFB3",
)
#: Starts whose runs diverged, and those that ended at no attractor: neutral greys.
DIVERGED_COLOUR = "#4D4D4D"
NOT_CONVERGED_COLOUR = "#BDBDBD"
#: Stationary points by kind, on the contour view, the 3-D view and in the table.
KIND_COLOURS = {
    MINIMUM: "#2166AC",
    SADDLE: "#E66101",
    MAXIMUM: "#B2182B",
    DEGENERATE: "#7F7F7F",
}
#: A legend names at most this many attractors (the largest shares); the rest are summed.
LEGEND_ATTRACTORS = 8


@dataclass(frozen=True)
class ColourBook:
    """The colour each attractor found so far was given, by where it lies, so that
    the same minimum has the same colour in every optimizer's map of one function
    and window.  ``radius``: points this close are the same attractor."""

    points: tuple[tuple[float, float], ...] = ()
    radius: float = 0.0

    @classmethod
    def for_window(cls, window: Sequence[float]) -> ColourBook:
        """An empty book for maps over ``window`` (the maps' own attractor radius)."""
        xmin, xmax, ymin, ymax = (float(v) for v in window)
        return cls((), ATTRACTOR_RADIUS * max(xmax - xmin, ymax - ymin))

    def colours(self, attractors: Sequence[Attractor]) -> tuple[tuple[str, ...], ColourBook]:
        """Each attractor's colour, and the book with the new ones added (in order of x, then y)."""
        points = np.array([a.point for a in attractors], dtype=np.float64).reshape(-1, 2)
        added = list(self.points)
        index = np.zeros(len(points), dtype=np.int64)
        for i in np.lexsort((points[:, 1], points[:, 0])):
            known = np.array(added, dtype=np.float64).reshape(-1, 2)
            near = int(nearest_within(points[i : i + 1], known, self.radius)[0])
            if near < 0:
                near = len(added)
                added.append((float(points[i, 0]), float(points[i, 1])))
            index[i] = near
        book = ColourBook(tuple(added), self.radius)
        return tuple(ATTRACTOR_COLOURS[k % len(ATTRACTOR_COLOURS)] for k in index), book


@dataclass(frozen=True, eq=False)
class BasinLayer:
    """One optimizer's basin map (complete or filling in), as the contour view draws it."""

    basins: BasinMap
    optimizer: str
    colour: str
    attractor_colours: tuple[str, ...]

    @property
    def progress(self) -> float:
        """The share of rows computed."""
        return self.basins.rows_done / self.basins.request.size

    @property
    def title(self) -> tuple[str, str]:
        """What the map is, in two short lines: whose; how many starts and steps, how
        far computed."""
        request = self.basins.request
        done = "" if self.basins.complete else f", {max(1.0, 100 * self.progress):.0f}% done"
        return (
            f"Basins of {self.optimizer}",
            f"{request.size}×{request.size} starts, {request.steps} steps{done}",
        )

    def legend(self, most: int = LEGEND_ATTRACTORS) -> list[tuple[str, str]]:
        """(colour, text) per line: the attractors with the largest shares (kind,
        point, share), the rest summed, then diverged and not converged."""
        attractors = self.basins.attractors
        order = sorted(range(len(attractors)), key=lambda i: -attractors[i].share)
        lines = []
        for i in order[:most]:
            a = attractors[i]
            x, y = a.point
            lines.append(
                (self.attractor_colours[i], f"{a.kind} ({x:.3g}, {y:.3g}): {_percent(a.share)}")
            )
        rest = order[most:]
        if rest:
            share = sum(attractors[i].share for i in rest)
            lines.append(("", f"{len(rest)} more attractors: {_percent(share)}"))
        lines.append((DIVERGED_COLOUR, f"diverged: {_percent(self.basins.diverged_share)}"))
        lines.append(
            (NOT_CONVERGED_COLOUR, f"not converged: {_percent(self.basins.not_converged_share)}")
        )
        return lines


def _percent(share: float) -> str:
    percent = 100 * share
    if percent == 0:
        return "0%"
    if percent < 0.1:
        return "<0.1%"
    return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"


def stationary_legend(points: Sequence[StationaryPoint]) -> list[tuple[str, str]]:
    """(kind, text) per kind present: "3 minima", "1 saddle"..."""
    plural = {MINIMUM: "minima", SADDLE: "saddles", MAXIMUM: "maxima", DEGENERATE: "degenerate"}
    lines = []
    for kind in KINDS:
        count = sum(1 for p in points if p.kind == kind)
        if count:
            lines.append((kind, f"{count} {kind if count == 1 else plural[kind]}"))
    if not lines:
        lines.append(("", "no stationary point in the window"))
    return lines


@dataclass(frozen=True)
class SweepCurve:
    """One optimizer's line on the sweep view: the mean final f over the starts at each
    rate (nan where a run diverged or f is undefined), which rates diverged, the best."""

    name: str
    colour: str
    lrs: np.ndarray
    values: np.ndarray
    diverged: np.ndarray
    best: int | None


@dataclass(frozen=True, eq=False)
class SweepLayer:
    """A learning-rate sweep with the names and colours of the optimizers swept."""

    sweep: Sweep
    names: tuple[str, ...]
    colours: tuple[str, ...]

    def curves(self) -> list[SweepCurve]:
        """What the sweep view draws, one curve per optimizer."""
        curves = []
        for name, colour, result in zip(
            self.names, self.colours, self.sweep.optimizers, strict=True
        ):
            diverged = np.array([any(s == DIVERGED for s in row) for row in result.statuses])
            values = np.asarray(result.final_values, dtype=np.float64).mean(axis=1)
            values = np.where(diverged | ~np.isfinite(values), np.nan, values)
            curves.append(
                SweepCurve(name, colour, np.asarray(result.lrs), values, diverged, result.best)
            )
        return curves

    @property
    def title(self) -> str:
        """What the curves show: f after how many steps, from where."""
        starts = len(self.sweep.starts)
        where = "the start" if starts == 1 else f"{starts} starts (mean)"
        return f"Final f after {self.sweep.steps} steps from {where}"


def with_layers(
    picture: Picture,
    basins: BasinLayer | None = None,
    stationary: tuple[StationaryPoint, ...] | None = None,
    sweep: SweepLayer | None = None,
) -> Picture:
    """``picture`` with these layers, each as its view options show or hide it."""
    options = picture.options
    return replace(
        picture,
        basins=basins if options.show_basins else None,
        stationary=stationary if options.show_stationary_points else None,
        sweep=sweep,
    )
