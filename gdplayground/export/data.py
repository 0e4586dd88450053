"""Trajectories as JSON or CSV: the one data format of ``gdplayground run`` and the GUI."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

from gdplayground.core.trajectory import NamedRun

CSV_HEADER = ("optimizer", "run", "step", "x", "y", "f", "grad_norm")


def _num(v: float) -> float | None:
    """JSON has no NaN or infinity: undefined numbers become null."""
    v = float(v)
    return v if math.isfinite(v) else None


def run_to_dict(run: NamedRun) -> dict:
    """One run in the JSON layout documented in the README."""
    t = run.trajectory
    return {
        "optimizer": run.name,
        "method": t.config.name,
        "params": dict(t.config.params),
        "start": [_num(t.start[0]), _num(t.start[1])],
        "points": [[_num(x), _num(y)] for x, y in t.points],
        "values": [_num(v) for v in t.values],
        "grad_norms": [_num(v) for v in t.grad_norms],
        "evaluations": [int(v) for v in t.evaluations],
        "lrs": [_num(v) for v in t.lrs],
        "status": t.status,
        "steps": t.steps,
        "stopped_at": t.stopped_at,
        "stationary": t.stationary,
        "message": t.message,
    }


def runs_to_json(function: str, gradient: str, runs: Sequence[NamedRun], **extra: object) -> str:
    """The whole result as JSON text: function, gradient mode and every run."""
    doc = {
        "function": function,
        "gradient": gradient,
        **extra,
        "runs": [run_to_dict(r) for r in runs],
    }
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def runs_to_csv(runs: Sequence[NamedRun]) -> str:
    """One row per point: optimizer, run index, step, x, y, f, |grad f|."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for index, run in enumerate(runs):
        t = run.trajectory
        for step, ((x, y), f, g) in enumerate(zip(t.points, t.values, t.grad_norms, strict=True)):
            writer.writerow(
                (
                    run.name,
                    index,
                    step,
                    repr(float(x)),
                    repr(float(y)),
                    repr(float(f)),
                    repr(float(g)),
                )
            )
    return out.getvalue()
