"""``gdplayground explain``: each optimizer's update at step K, with the run's numbers."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from gdplayground.cli.parser import UsageError, session_options
from gdplayground.model.build import build_session


def _plain(value: object) -> object:
    """JSON-ready numbers (arrays as lists, nan as null)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    return value


def explain_command(args: argparse.Namespace) -> int:
    """Print the narrated step ``--step`` of every enabled optimizer (first start)."""
    from gdplayground.cli.run import compute_runs
    from gdplayground.core.gradients import compile_function
    from gdplayground.core.narrate import StepReplay

    built = build_session(session_options(args))
    session = built.session
    if args.step < 1:
        raise UsageError("--step 0: steps are counted from 1 (the step from the start point)")
    if args.step > session.steps:
        raise UsageError(
            f"--step {args.step}: the race has {session.steps} steps; "
            f"write --steps {args.step} or more to explain that one"
        )
    runs = compute_runs(built)[:: len(built.starts)]  # each optimizer from the first start
    if session.fit is not None:
        from gdplayground.core.scene import compile_fit

        objective, _ = compile_fit(session.fit, session.gradient, session.h)
    else:
        objective = compile_function(session.function, session.gradient, session.h)
    told = [
        StepReplay(
            objective, run.trajectory, run.name, session.seed, getattr(run.fit, "drawn", None)
        ).narrate(args.step - 1)
        for run in runs
    ]
    if args.format == "json":
        doc = {
            "function": session.function,
            "step": args.step,
            "optimizers": [
                {
                    "optimizer": n.optimizer,
                    "method": n.method,
                    "lines": list(n.lines),
                    "values": {k: _plain(v) for k, v in n.values.items()},
                }
                for n in told
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    else:
        sys.stdout.write("\n\n".join(n.text for n in told) + "\n")
    return 0
