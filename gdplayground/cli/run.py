"""``gdplayground run``: trajectories as JSON or CSV, without a window."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

import numpy as np

from gdplayground.cli.interrupts import phase
from gdplayground.cli.parser import UsageError, session_options
from gdplayground.model.build import BuiltSession, build_session


def compute_runs(built: BuiltSession) -> list:
    """Every enabled optimizer from every start, in that order, raced in one batch."""
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.gradients import compile_function
    from gdplayground.core.trajectory import NamedRun, run_many

    session = built.session
    try:
        objective = compile_function(session.function, session.gradient, session.h)
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None
    entries = [e for e in session.optimizers if e.enabled]
    results = run_many(
        objective, [e.config for e in entries], np.array(built.starts), session.steps, session.tol
    )
    return [
        NamedRun(entry.name, trajectory)
        for entry, trajectories in zip(entries, results, strict=True)
        for trajectory in trajectories
    ]


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
    phase("computing")
    runs = compute_runs(built)
    phase("writing")
    if to_stdout:
        try:
            _write_runs(sys.stdout, args.format, built, runs)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise UsageError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return 0
    try:
        with atomic_output(args.output, text=True) as out:
            _write_runs(out, args.format, built, runs)
    except OutputError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _write_runs(out: TextIO, form: str, built: BuiltSession, runs: list) -> None:
    from gdplayground.export.data import write_runs_csv, write_runs_json

    if form == "csv":
        write_runs_csv(out, runs)
    else:
        write_runs_json(out, built.session.function, built.session.gradient, runs)
