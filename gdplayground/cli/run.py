"""``gdplayground run``: trajectories as JSON or CSV, without a window."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

import numpy as np

from gdplayground.cli.interrupts import phase
from gdplayground.cli.parser import UsageError, session_options
from gdplayground.model.build import BuiltSession, build_session


def compute_runs(built: BuiltSession, record_batches: bool = False) -> list:
    """Every enabled optimizer from every start, in that order, raced in one batch."""
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.gradients import compile_function
    from gdplayground.core.trajectory import NamedRun, run_many

    session = built.session
    if session.fit is not None:
        return _fit_runs(built, record_batches)[1]
    try:
        objective = compile_function(session.function, session.gradient, session.h)
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None
    entries = [e for e in session.optimizers if e.enabled]
    results = run_many(
        objective,
        [e.config for e in entries],
        np.array(built.starts),
        session.steps,
        session.tol,
        seed=session.seed,
    )
    return [
        NamedRun(entry.name, trajectory)
        for entry, trajectories in zip(entries, results, strict=True)
        for trajectory in trajectories
    ]


def _fit_runs(built: BuiltSession, record_batches: bool) -> tuple[object, list]:
    """A fit's data set and its runs (with their batches when ``record_batches``)."""
    from gdplayground.core.data.dataset import DataError
    from gdplayground.core.data.fit import FitExpressionError
    from gdplayground.core.data.runner import run_fit
    from gdplayground.core.scene import compile_fit
    from gdplayground.core.trajectory import NamedRun

    session = built.session
    assert session.fit is not None
    try:
        objective, _ = compile_fit(session.fit, session.gradient, session.h)
    except FitExpressionError as exc:
        raise UsageError(f"in the {exc.part}: {exc}") from None
    except DataError as exc:
        raise UsageError(f"the data: {exc}") from None
    entries = [e for e in session.optimizers if e.enabled]
    results = run_fit(
        objective,  # type: ignore[arg-type]
        [e.config for e in entries],
        [e.batch_size for e in entries],
        np.array(built.starts),
        session.steps,
        session.tol,
        seed=session.seed,
        record_batches=record_batches,
    )
    runs = [
        NamedRun(entry.name, fitted.trajectory, fitted)
        for entry, fits in zip(entries, results, strict=True)
        for fitted in fits
    ]
    return objective.data, runs  # type: ignore[attr-defined]


def run_command(args: argparse.Namespace) -> int:
    """``gdplayground run``: write the trajectories as JSON or CSV, to a file or stdout.

    The output is streamed as it is formatted (a long run never becomes one
    huge string); a file is written beside its target and renamed into place.
    """
    from gdplayground.io.files import OutputError, atomic_output, output_target

    to_stdout = args.output is None or args.output == "-"
    if not to_stdout:
        if not args.output:
            raise UsageError(
                "-o '': give the name of the file to write, e.g. -o runs.json "
                "(or leave -o out to print to the terminal)"
            )
        try:
            output_target(args.output)  # a device, a FIFO, a folder: refused before any work
        except OutputError as exc:
            raise UsageError(str(exc)) from None
    built = build_session(session_options(args))
    if args.record_batches and built.session.fit is None:
        raise UsageError(
            "--record-batches lists a fit's batches: add --fit NAME, --data FILE.csv "
            "or --dataset NAME"
        )
    phase("computing")
    data = None
    if built.session.fit is not None:
        data, runs = _fit_runs(built, args.record_batches)
    else:
        runs = compute_runs(built)
    phase("writing")
    if to_stdout:
        try:
            _write_runs(sys.stdout, args.format, built, runs, data)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise UsageError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return 0
    try:
        with atomic_output(args.output, text=True) as out:
            _write_runs(out, args.format, built, runs, data)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _write_runs(
    out: TextIO, form: str, built: BuiltSession, runs: list, data: object = None
) -> None:
    from gdplayground.export.data import fit_head, write_document, write_runs_csv, write_runs_json

    if form == "csv":
        write_runs_csv(out, runs)
    elif data is not None:
        write_document(out, fit_head(built.session, data), runs)
    else:
        write_runs_json(out, built.session.function, built.session.gradient, runs)
