"""Basin maps, learning-rate sweeps and stationary points as JSON or CSV text.

The data formats of ``gdplayground basins``, ``sweep`` and ``critical``.
Undefined numbers are written as null (JSON) and nan (CSV), as for ``run``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

from gdplayground.core.explore.basins import (
    DIVERGED_LABEL,
    NOT_CONVERGED_LABEL,
    BasinMap,
    start_grid,
)
from gdplayground.core.explore.critical import StationaryPoint, count_by_kind
from gdplayground.core.explore.stationary import Window
from gdplayground.core.explore.sweep import Sweep

BASINS_CSV_HEADER = ("row", "column", "x", "y", "label", "ended")
CRITICAL_CSV_HEADER = ("x", "y", "f", "kind", "eigenvalue_1", "eigenvalue_2")


def _num(v: float) -> float | None:
    """JSON has no NaN or infinity: undefined numbers become null."""
    v = float(v)
    return v if math.isfinite(v) else None


def _pair(a: float, b: float) -> list[float | None]:
    return [_num(a), _num(b)]


def _json(doc: dict, rows: tuple[str, list[list[int]]] | None = None) -> str:
    """``doc`` as indented JSON; ``rows`` (a key and a grid of ints) last, a line a row."""
    text = json.dumps(doc, indent=1, allow_nan=False)
    if rows is None:
        return text + "\n"
    key, grid = rows
    lines = ",\n".join("  [" + ",".join(map(str, row)) + "]" for row in grid)
    return f'{text[:-2]},\n "{key}": [\n{lines}\n ]\n}}\n'


# ---------------------------------------------------------------- basins


def basins_to_json(basins: BasinMap) -> str:
    """A complete basin map: request, attractors with their shares, and the
    N x N labels (row 0 at the window's lowest y; -1 diverged, -2 not converged)."""
    _require_complete(basins)
    request = basins.request
    xs, ys = start_grid(request.window, request.size)
    doc = {
        "function": request.function,
        "gradient": request.gradient,
        "optimizer": {"method": request.config.name, "params": dict(request.config.params)},
        "domain": [_num(v) for v in request.window],
        "grid": request.size,
        "steps": request.steps,
        "tol": request.tol,
        "x": [_num(v) for v in xs],
        "y": [_num(v) for v in ys],
        "attractors": [
            {
                "point": _pair(*a.point),
                "value": _num(a.value),
                "kind": a.kind,
                "eigenvalues": _pair(*a.eigenvalues),
                "share": a.share,
            }
            for a in basins.attractors
        ],
        "diverged_share": basins.diverged_share,
        "not_converged_share": basins.not_converged_share,
    }
    return _json(doc, ("labels", basins.labels.tolist()))


def basins_to_csv(basins: BasinMap) -> str:
    """One row per start: its row and column, x, y, label and how its run
    ended (an attractor's kind, ``diverged`` or ``not_converged``)."""
    _require_complete(basins)
    request = basins.request
    xs, ys = start_grid(request.window, request.size)
    kinds = [a.kind for a in basins.attractors]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BASINS_CSV_HEADER)
    for i, row in enumerate(basins.labels.tolist()):
        y = repr(float(ys[i]))
        for j, label in enumerate(row):
            ended = kinds[label] if label >= 0 else _LABEL_NAMES[label]
            writer.writerow((i, j, repr(float(xs[j])), y, label, ended))
    return out.getvalue()


_LABEL_NAMES = {DIVERGED_LABEL: "diverged", NOT_CONVERGED_LABEL: "not_converged"}


def _require_complete(basins: BasinMap) -> None:
    if not basins.complete:
        raise ValueError("the basin map is not complete yet: wait for it to finish")


# ---------------------------------------------------------------- sweep


def sweep_to_json(
    function: str, gradient: str, sweep: Sweep, names: Sequence[str] | None = None
) -> str:
    """Per optimizer (named by ``names``, else its method): the learning rates,
    the best one, and from each start the final values, steps to tol (null
    where never) and statuses, one entry per rate."""
    names = names or [result.config.name for result in sweep.optimizers]
    doc = {
        "function": function,
        "gradient": gradient,
        "steps": sweep.steps,
        "tol": sweep.tol,
        "lr_range": [float(sweep.lrs[0]), float(sweep.lrs[-1])],
        "points": len(sweep.lrs),
        "starts": [_pair(*start) for start in sweep.starts],
        "optimizers": [
            {
                "optimizer": name,
                "method": result.config.name,
                "params": {k: v for k, v in result.config.params.items() if k != "lr"},
                "lrs": [float(lr) for lr in result.lrs],
                "best_lr": result.best_lr,
                "runs": [
                    {
                        "start": _pair(*start),
                        "final_values": [_num(v) for v in result.final_values[:, s]],
                        "steps_to_tol": [
                            None if k < 0 else int(k) for k in result.steps_to_tol[:, s]
                        ],
                        "statuses": [row[s] for row in result.statuses],
                    }
                    for s, start in enumerate(sweep.starts)
                ],
            }
            for name, result in zip(names, sweep.optimizers, strict=True)
        ],
    }
    return _json(doc)


# ---------------------------------------------------------------- critical


def critical_to_json(
    function: str, gradient: str, window: Window, points: Sequence[StationaryPoint]
) -> str:
    """The stationary points with x, y, f, kind and the Hessian's eigenvalues,
    and how many of each kind."""
    doc = {
        "function": function,
        "gradient": gradient,
        "domain": [_num(v) for v in window],
        "counts": count_by_kind(tuple(points)),
        "points": [
            {
                "x": _num(p.x),
                "y": _num(p.y),
                "f": _num(p.value),
                "kind": p.kind,
                "eigenvalues": _pair(*p.eigenvalues),
            }
            for p in points
        ],
    }
    return _json(doc)


def critical_to_csv(points: Sequence[StationaryPoint]) -> str:
    """One row per stationary point: x, y, f, kind, the two eigenvalues (ascending)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CRITICAL_CSV_HEADER)
    for p in points:
        numbers = (p.x, p.y, p.value)
        writer.writerow(
            (*(repr(float(v)) for v in numbers), p.kind, *(repr(float(v)) for v in p.eigenvalues))
        )
    return out.getvalue()
