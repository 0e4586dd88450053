"""What ``gdplayground run`` does, kept apart from argument parsing so export can share it."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from gdplayground.cli import (
    DEFAULT_START,
    MAX_POINT_STEPS,
    UsageError,
    parse_optimizer,
    parse_pair,
)
from gdplayground.core.expression import ExpressionError
from gdplayground.core.gradients import Objective, compile_function
from gdplayground.core.optimizers import FIRST_ORDER, OptimizerConfig, OptimizerError, make_config
from gdplayground.core.presets import Preset, load_presets
from gdplayground.core.trajectory import NamedRun, run_many


@dataclass(frozen=True)
class RunPlan:
    """Validated inputs of a run: the function, the optimizers, the starts."""

    function: str
    objective: Objective
    preset: Preset | None
    optimizers: tuple[tuple[str, OptimizerConfig], ...]
    starts: np.ndarray
    steps: int
    tol: float


def resolve_function(
    text: str, gradient: str = "symbolic", h: float | None = None
) -> tuple[str, Objective, Preset | None]:
    """Compile the user's function; a preset name (e.g. ``rosenbrock``) stands for its formula."""
    preset = load_presets().get(text.strip().lower())
    formula = preset.formula if preset else text
    try:
        return formula, compile_function(formula, gradient, h), preset
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None


def plan_from_args(args: argparse.Namespace) -> RunPlan:
    """Validate everything the user gave before any heavy work starts."""
    if args.h is not None and args.gradient != "numeric":
        raise UsageError("--h only applies to --gradient numeric: add --gradient numeric")
    formula, objective, preset = resolve_function(args.function, args.gradient, args.h)
    choices = [parse_optimizer(t) for t in args.optimizer] or [
        parse_optimizer(name) for name in FIRST_ORDER
    ]
    optimizers = []
    for choice in choices:
        try:
            optimizers.append((choice.name.lower(), make_config(choice.name, choice.params)))
        except OptimizerError as exc:
            raise UsageError(str(exc)) from None
    starts = np.array([parse_pair(s, "--start") for s in args.start] or [DEFAULT_START])
    work = len(optimizers) * len(starts) * (args.steps + 1)
    if work > MAX_POINT_STEPS:
        raise UsageError(
            f"{len(optimizers)} optimizers x {len(starts)} starts x {args.steps} "
            f"steps is too much to print: use fewer steps or starts"
        )
    return RunPlan(formula, objective, preset, tuple(optimizers), starts, args.steps, args.tol)


def compute_runs(plan: RunPlan) -> list[NamedRun]:
    """Every optimizer from every start, in that order, raced in one batch."""
    configs = [config for _, config in plan.optimizers]
    results = run_many(plan.objective, configs, plan.starts, plan.steps, plan.tol)
    return [
        NamedRun(name, trajectory)
        for (name, _), trajectories in zip(plan.optimizers, results, strict=True)
        for trajectory in trajectories
    ]


def run_command(args: argparse.Namespace) -> int:
    """``gdplayground run``: print or write the trajectories as JSON or CSV."""
    from gdplayground.export.data import runs_to_csv, runs_to_json
    from gdplayground.io.files import OutputError, atomic_write_text

    plan = plan_from_args(args)
    runs = compute_runs(plan)
    if args.format == "csv":
        text = runs_to_csv(runs)
    else:
        text = runs_to_json(plan.function, plan.objective.mode, runs)
    if args.output and args.output != "-":
        try:
            atomic_write_text(args.output, text)
        except OutputError as exc:
            raise UsageError(str(exc)) from None
    else:
        sys.stdout.write(text)
    return 0
