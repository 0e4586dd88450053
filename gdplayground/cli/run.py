"""``gdplayground run``: trajectories as JSON or CSV, without a window."""

from __future__ import annotations

import argparse
import sys

import numpy as np

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
    """``gdplayground run``: print or write the trajectories as JSON or CSV."""
    from gdplayground.export.data import runs_to_csv, runs_to_json
    from gdplayground.io.files import OutputError, atomic_write_text

    built = build_session(session_options(args))
    runs = compute_runs(built)
    if args.format == "csv":
        text = runs_to_csv(runs)
    else:
        text = runs_to_json(built.session.function, built.session.gradient, runs)
    if args.output and args.output != "-":
        try:
            atomic_write_text(args.output, text)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
    else:
        sys.stdout.write(text)
    return 0
