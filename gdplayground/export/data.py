"""Trajectories as JSON or CSV: the one data format of ``gdplayground run`` and the GUI.

The writers stream: a run of 100,000 steps is written a few thousand points
at a time, so the output never has to fit in memory as one string.  The
JSON is exactly what ``json.dumps(doc, indent=1)`` makes of the whole
document (a test holds them equal).  A fit to data's runs carry their batch
size, batch losses, examples seen and (when recorded) every step's batch.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from typing import TextIO

import numpy as np

from gdplayground.core.trajectory import NamedRun

CSV_HEADER = ("optimizer", "run", "step", "x", "y", "f", "grad_norm")
#: A fit's CSV: (w, b) and the loss at each point, then the examples drawn so far
#: and the loss of the batch of the step from the point (empty at the last one).
FIT_CSV_HEADER = (
    "optimizer", "run", "step", "w", "b", "loss", "grad_norm", "examples", "batch_loss"
)  # fmt: skip
#: Points formatted and written at a time.
_CHUNK = 4096
#: The arrays of a run, streamed (and their element type); the rest of a run is small
#: and goes through ``json``.
_ARRAYS = {
    "points": np.float64,
    "values": np.float64,
    "grad_norms": np.float64,
    "evaluations": np.int64,
    "lrs": np.float64,
}
#: A fit's streamed arrays after those (its FitRun's).
_FIT_ARRAYS = {"examples": np.int64, "batch_values": np.float64}


def _arrays(run: NamedRun) -> list[tuple[str, np.ndarray]]:
    """The long arrays of ``run`` in the order they are written."""
    t = run.trajectory
    out = [(name, np.asarray(getattr(t, name), dtype=kind)) for name, kind in _ARRAYS.items()]
    if run.fit is not None:
        out += [
            (name, np.asarray(getattr(run.fit, name), dtype=kind))
            for name, kind in _FIT_ARRAYS.items()
        ]
        if run.fit.batches is not None:
            out.append(("batches", run.fit.batches))
    return out


def batch_size_text(batch_size: int | None) -> str | int:
    """A batch size as the JSON says it: "full" or the number."""
    return "full" if batch_size is None else int(batch_size)


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
        **_fit_fields(run),
    }


def _fit_fields(run: NamedRun) -> dict:
    """A fit's fields of a run (none for a typed function's)."""
    if run.fit is None:
        return {}
    fit = run.fit
    fields: dict[str, object] = {
        "batch_size": batch_size_text(fit.batch_size),
        "examples": [int(v) for v in fit.examples],
        "batch_values": [_num(v) for v in fit.batch_values],
    }
    if fit.batches is not None:
        fields["batches"] = [[int(i) for i in batch] for batch in fit.batches]
    return fields


def runs_to_json(function: str, gradient: str, runs: Sequence[NamedRun], **extra: object) -> str:
    """The whole result as JSON text: function, gradient mode and every run."""
    out = io.StringIO()
    write_runs_json(out, function, gradient, runs, **extra)
    return out.getvalue()


def runs_to_csv(runs: Sequence[NamedRun]) -> str:
    """One row per point: optimizer, run index, step, x, y, f, |grad f|."""
    out = io.StringIO()
    write_runs_csv(out, runs)
    return out.getvalue()


# ------------------------------------------------------------------ streaming
def _marker(name: str) -> str:
    return f"\x00{name}\x00"


def _split_at_markers(text: str, names: Sequence[str]) -> list[str]:
    """``text`` cut where each marker (as JSON writes it, quoted) stands, in order."""
    pieces = []
    for name in names:
        quoted = json.dumps(_marker(name))
        before, text = text.split(quoted, 1)
        pieces.append(before)
    pieces.append(text)
    return pieces


def write_runs_json(
    out: TextIO, function: str, gradient: str, runs: Sequence[NamedRun], **extra: object
) -> None:
    """Write :func:`runs_to_json`'s text to ``out``, a run and a few thousand points at a time."""
    write_document(out, {"function": function, "gradient": gradient, **extra}, runs)


def fit_head(session: object, data: object) -> dict:
    """The fields before a fit's runs: the model and loss (and their preset), the data
    (``source``, ``n``, ``columns``), the gradient mode and the seed."""
    fit = session.fit  # type: ignore[attr-defined]
    return {
        "fit": {"preset": fit.preset, "model": fit.model, "loss": fit.loss},
        "data": {
            "source": data.description,  # type: ignore[attr-defined]
            "n": int(data.n),  # type: ignore[attr-defined]
            "columns": list(data.columns),  # type: ignore[attr-defined]
        },
        "gradient": session.gradient,  # type: ignore[attr-defined]
        "seed": session.seed,  # type: ignore[attr-defined]
    }


def write_document(out: TextIO, head: dict, runs: Sequence[NamedRun]) -> None:
    """Write ``head``'s fields, then ``runs``, as one JSON document (streamed)."""
    head = {**head, "runs": _marker("runs")}
    before, after = _split_at_markers(json.dumps(head, indent=1, allow_nan=False), ["runs"])
    out.write(before)
    if not runs:
        out.write("[]")
    else:
        out.write("[\n")
        for index, run in enumerate(runs):
            if index:
                out.write(",\n")
            _write_run(out, run, depth=2)
        out.write("\n ]")
    out.write(after + "\n")


def _write_run(out: TextIO, run: NamedRun, depth: int) -> None:
    """One run as JSON nested ``depth`` levels deep (lines indented by one space a level)."""
    fields = _fields_around_arrays(run)
    text = json.dumps(fields, indent=1, allow_nan=False)
    pad = " " * depth
    arrays = _arrays(run)
    pieces = _split_at_markers(text.replace("\n", "\n" + pad), [name for name, _ in arrays])
    out.write(pad + pieces[0])
    for (name, values), piece in zip(arrays, pieces[1:], strict=True):
        if name == "batches":
            _write_batches(out, values, depth + 1)
        else:
            _write_array(out, values, depth + 1)
        out.write(piece)


def _fields_around_arrays(run: NamedRun) -> dict:
    """:func:`run_to_dict` with markers in place of the long arrays (filled in as they stream)."""
    t = run.trajectory
    fields: dict[str, object] = {
        "optimizer": run.name,
        "method": t.config.name,
        "params": dict(t.config.params),
        "start": [_num(t.start[0]), _num(t.start[1])],
    }
    fields.update({name: _marker(name) for name in _ARRAYS})
    fields.update(
        status=t.status,
        steps=t.steps,
        stopped_at=t.stopped_at,
        stationary=t.stationary,
        message=t.message,
    )
    if run.fit is not None:
        fields["batch_size"] = batch_size_text(run.fit.batch_size)
        fields.update({name: _marker(name) for name in _FIT_ARRAYS})
        if run.fit.batches is not None:
            fields["batches"] = _marker("batches")
    return fields


def _write_batches(out: TextIO, batches: Sequence[np.ndarray], depth: int) -> None:
    """A list of lists of example indices (one per step) whose key is ``depth`` deep."""
    if len(batches) == 0:
        out.write("[]")
        return
    item, inner, close = " " * (depth + 1), " " * (depth + 2), " " * depth
    out.write("[\n")
    for k, batch in enumerate(batches):
        if k:
            out.write(",\n")
        if len(batch) == 0:
            out.write(item + "[]")
            continue
        out.write(item + "[\n")
        for start in range(0, len(batch), _CHUNK):
            if start:
                out.write(",\n")
            out.write(",\n".join(inner + str(i) for i in batch[start : start + _CHUNK].tolist()))
        out.write(f"\n{item}]")
    out.write(f"\n{close}]")


def _numbers(values: np.ndarray) -> list[str]:
    """Each value as JSON writes a float; null where it is not finite."""
    return [repr(v) if math.isfinite(v) else "null" for v in values.tolist()]


def _write_array(out: TextIO, values: np.ndarray, depth: int) -> None:
    """A list of numbers (1-D) or of [x, y] pairs (2-D) whose key is ``depth`` levels deep."""
    if len(values) == 0:
        out.write("[]")
        return
    item, inner, close = " " * (depth + 1), " " * (depth + 2), " " * depth
    out.write("[\n")
    for start in range(0, len(values), _CHUNK):
        part = values[start : start + _CHUNK]
        if part.ndim == 1:
            lines = [item + v for v in _numbers(part)]
        else:
            xs, ys = _numbers(part[:, 0]), _numbers(part[:, 1])
            lines = [
                f"{item}[\n{inner}{x},\n{inner}{y}\n{item}]" for x, y in zip(xs, ys, strict=True)
            ]
        if start:
            out.write(",\n")
        out.write(",\n".join(lines))
    out.write(f"\n{close}]")


def write_runs_csv(out: TextIO, runs: Sequence[NamedRun]) -> None:
    """Write :func:`runs_to_csv`'s text to ``out``, a few thousand rows at a time
    (a fit's runs with :data:`FIT_CSV_HEADER`)."""
    writer = csv.writer(out, lineterminator="\n")
    fit = any(run.fit is not None for run in runs)
    writer.writerow(FIT_CSV_HEADER if fit else CSV_HEADER)
    for index, run in enumerate(runs):
        for rows in _csv_rows(run, index):
            writer.writerows(rows)


def _csv_rows(run: NamedRun, index: int) -> Iterator[list[tuple]]:
    t = run.trajectory
    columns = [t.points[:, 0], t.points[:, 1], t.values, t.grad_norms]
    if not len(t.points) == len(t.values) == len(t.grad_norms):
        raise ValueError("a trajectory's points, values and gradient norms differ in length")
    if run.fit is not None:
        batch = np.full(len(t.points), np.nan)
        batch[: len(run.fit.batch_values)] = run.fit.batch_values
        columns += [run.fit.examples, batch]
    for start in range(0, len(t.points), _CHUNK):
        parts = [
            [repr(v) for v in np.asarray(c[start : start + _CHUNK], np.float64).tolist()]
            for c in columns[:4]
        ]
        if run.fit is not None:
            parts.append([str(v) for v in columns[4][start : start + _CHUNK].tolist()])
            losses = columns[5][start : start + _CHUNK].tolist()
            parts.append([repr(v) if math.isfinite(v) else "" for v in losses])
        yield [(run.name, index, start + k, *row) for k, row in enumerate(zip(*parts, strict=True))]
