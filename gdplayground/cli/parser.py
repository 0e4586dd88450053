"""The command line's grammar: argparse for ``run`` and ``export``, and argv clean-up.

Options arrive as the user wrote them; :func:`session_options` hands them to
the one session builder (:mod:`gdplayground.model.build`), which checks them
by the one set of rules.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence

from gdplayground import PROG, __version__
from gdplayground.model.build import SessionOptions, shown
from gdplayground.model.limits import (
    DEFAULT_BASIN_GRID,
    DEFAULT_OPTIMIZERS,
    DEFAULT_START,
    DEFAULT_STEPS,
    DEFAULT_SWEEP_HIGH,
    DEFAULT_SWEEP_LOW,
    DEFAULT_SWEEP_POINTS,
    DEFAULT_TOL,
    GRADIENT_MODES,
    MAX_STEPS,
)


class UsageError(Exception):
    """A mistake in what the user typed; reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line instead of a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _frame_count(text: str) -> int:
    if len(text.strip().lstrip("+-").lstrip("0")) > len(str(MAX_STEPS)):
        raise argparse.ArgumentTypeError(f"{shown(text)} is too many: at most {MAX_STEPS}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: write 0 or more")
    if value > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"{value} is too many: at most {MAX_STEPS}")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a finite number")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{shown(text)} must be a number greater than 0")
    return value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by ``run`` and ``export``."""
    parser.add_argument(
        "--optimizer",
        action="append",
        default=[],
        metavar="NAME[:key=value,...]",
        help="optimizer and hyperparameters, e.g. adam:lr=0.1 (repeatable; "
        "default: " + ", ".join(m for m, _ in DEFAULT_OPTIMIZERS) + ")",
    )
    parser.add_argument(
        "--start",
        action="append",
        default=[],
        metavar="X,Y",
        help=f"start point (repeatable; default {DEFAULT_START[0]},"
        f"{DEFAULT_START[1]}); write --start=-1.5,2 for negative x",
    )
    parser.add_argument("--steps", metavar="N", help=f"steps per run (default {DEFAULT_STEPS})")
    parser.add_argument(
        "--tol",
        metavar="T",
        help=f"stop when |grad f| < T (default {DEFAULT_TOL:g}; 0 disables)",
    )
    parser.add_argument(
        "--gradient",
        choices=GRADIENT_MODES,
        help="symbolic (exact, the default) or numeric (central differences)",
    )
    parser.add_argument(
        "--h",
        metavar="H",
        help="finite-difference step for --gradient numeric (default cbrt(eps)*max(1,|x|))",
    )
    parser.add_argument(
        "--session", metavar="FILE", help="start from a saved .gdp.json session; options override"
    )
    fit = parser.add_argument_group(
        "a fit to data (instead of FUNCTION)",
        "optimizers descend the mean loss of a model m(x; w, b) over data; "
        "batch_size=K|full in --optimizer picks their batches",
    )
    fit.add_argument(
        "--fit",
        metavar="NAME",
        help="a fit preset: linear, least_absolute, logistic, sigmoid_neuron, badly_scaled",
    )
    fit.add_argument("--data", metavar="FILE.csv", help="your data: a header row, then numbers")
    fit.add_argument(
        "--dataset",
        metavar="NAME[:n=N,noise=S,seed=K]",
        help="a built-in data set: line, line_outliers, two_classes, thousands",
    )
    fit.add_argument("--model", metavar="TEXT", help="the model, e.g. 'w*x + b'")
    fit.add_argument("--loss", metavar="TEXT", help="the loss of one example, e.g. '(m - y)^2'")
    fit.add_argument(
        "--seed", metavar="S", help="fixes the batches and any gradient noise (default 0)"
    )


def build_parser() -> _Parser:
    """The top-level parser with its subcommands."""
    parser = _Parser(prog=PROG, description="Type a function f(x, y) and race optimizers on it.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="compute optimizer trajectories and print them",
        description="Run optimizers on FUNCTION and print their trajectories.",
    )
    run.add_argument(
        "function",
        metavar="FUNCTION",
        nargs="?",
        help="f(x, y), e.g. '(1-x)^2 + 100(y-x^2)^2', or a preset name (optional with --session)",
    )
    add_run_options(run)
    run.add_argument(
        "--record-batches",
        action="store_true",
        help="a fit's JSON lists the examples of every step's batch",
    )
    run.add_argument("--format", choices=("json", "csv"), default="json")
    run.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_export_parser(sub)
    _add_explain_parser(sub)
    _add_explore_parsers(sub)
    return parser


def _add_explain_parser(sub: argparse._SubParsersAction) -> None:
    explain = sub.add_parser(
        "explain",
        help="write out an optimizer's update at one step, with the numbers it used",
        description="Run the race and write out each optimizer's update at step K "
        "(g, m, v and their bias corrections for Adam, the velocity for momentum, "
        "the Hessian and the solved step for Newton, ...) with the numbers of the run.",
    )
    explain.add_argument(
        "function",
        metavar="FUNCTION",
        nargs="?",
        help="f(x, y) or a preset name (optional with --session)",
    )
    add_run_options(explain)
    explain.add_argument(
        "--step",
        type=_frame_count,
        required=True,
        metavar="K",
        help="the step to explain: 1 is the first (from the start point)",
    )
    explain.add_argument("--format", choices=("text", "json"), default="text")


def _add_export_parser(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="save a picture (PNG/SVG/PDF) or an animation (GIF/MP4) of a race",
        description="Compute a race as the window does and save one of its views. "
        "The format comes from the output file name.",
    )
    export.add_argument(
        "function",
        metavar="FUNCTION",
        nargs="?",
        help="f(x, y), e.g. '(1-x)^2 + 100(y-x^2)^2', or a preset name (optional with --session)",
    )
    add_run_options(export)
    export.add_argument(
        "--domain",
        metavar="XMIN,XMAX,YMIN,YMAX",
        help="the window, e.g. --domain=-2,2,-1,3 (default: a preset's own, "
        "else one around the start and the paths)",
    )
    export.add_argument(
        "--view",
        choices=("contour", "surface", "loss", "data"),
        default="contour",
        help="default contour; data: a fit's data and models",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="FILE.png, .svg or .pdf for a picture; FILE.gif or .mp4 for an animation; "
        "FILE.py for the race as a PyTorch script",
    )
    export.add_argument(
        "--size", metavar="WxH", help="pixels (default 1200x900, animations 640x480)"
    )
    export.add_argument("--fps", type=_positive, metavar="N", help="animation speed (default 20)")
    export.add_argument(
        "--frame", type=_frame_count, metavar="N", help="a picture of step N (default: the end)"
    )
    export.add_argument(
        "--frames",
        type=_frame_count,
        metavar="N",
        help="animation length in frames (default: every step, at most 600)",
    )
    export.add_argument(
        "--turn", action="store_true", help="turn the camera slowly (surface animations)"
    )


def _add_explore_parsers(sub: argparse._SubParsersAction) -> None:
    """``basins``, ``sweep`` and ``critical``: exploring a landscape (see cli/explore.py)."""
    function_help = "f(x, y) or a preset name (optional with --session)"
    domain_help = (
        "the window, e.g. --domain=-2,2,-1,3 (default: a preset's own, else the one "
        "export would draw: around the start and the paths)"
    )
    basins = sub.add_parser(
        "basins",
        help="map where one optimizer ends from every start of a grid",
        description="Run one optimizer from every start of an N x N grid over the window and "
        "say where each run ended. The format comes from the output file name.",
    )
    basins.add_argument("function", metavar="FUNCTION", nargs="?", help=function_help)
    add_run_options(basins)
    basins.add_argument("--domain", metavar="XMIN,XMAX,YMIN,YMAX", help=domain_help)
    basins.add_argument("--grid", metavar="N", help=f"starts a side (default {DEFAULT_BASIN_GRID})")
    basins.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="FILE.png, .json or .csv"
    )
    basins.add_argument("--size", metavar="WxH", help="pixels of a PNG (default 1200x900)")

    sweep = sub.add_parser(
        "sweep",
        help="final f against the learning rate, for each optimizer",
        description="Run each optimizer at K learning rates spaced logarithmically over a "
        "range and report where the runs ended and each optimizer's best rate.",
    )
    sweep.add_argument("function", metavar="FUNCTION", nargs="?", help=function_help)
    add_run_options(sweep)
    sweep.add_argument(
        "--lr",
        metavar="LOW,HIGH",
        help=f"the range of rates (default {DEFAULT_SWEEP_LOW:g},{DEFAULT_SWEEP_HIGH:g})",
    )
    sweep.add_argument(
        "--points", metavar="K", help=f"number of rates (default {DEFAULT_SWEEP_POINTS})"
    )
    sweep.add_argument("-o", "--output", metavar="FILE", required=True, help="FILE.png or .json")
    sweep.add_argument("--size", metavar="WxH", help="pixels of a PNG (default 1200x900)")

    critical = sub.add_parser(
        "critical",
        help="every stationary point of f in the window",
        description="Find every point of the window where the gradient of f vanishes, "
        "with its value, its Hessian's eigenvalues and its kind.",
    )
    critical.add_argument("function", metavar="FUNCTION", nargs="?", help=function_help)
    critical.add_argument("--domain", metavar="XMIN,XMAX,YMIN,YMAX", help=domain_help)
    critical.add_argument(
        "--gradient", choices=GRADIENT_MODES, help="symbolic (default) or numeric"
    )
    critical.add_argument("--h", metavar="H", help="finite-difference step for --gradient numeric")
    critical.add_argument(
        "--session", metavar="FILE", help="start from a saved .gdp.json session; options override"
    )
    critical.add_argument("--format", choices=("json", "csv"), default="json")
    critical.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    # the window of a typed function is the one export draws around the default race
    critical.set_defaults(
        optimizer=[], start=[], steps=None, tol=None,
        fit=None, data=None, dataset=None, model=None, loss=None, seed=None,
    )  # fmt: skip


_VALUE_OPTIONS = ("--start", "--domain")
#: Options whose value is a formula: one that starts with a minus is still their value.
_FORMULA_OPTIONS = ("--model", "--loss")
_NEGATIVE = re.compile(r"^-[\d.]")


def normalise_argv(argv: Sequence[str]) -> list[str]:
    """Make negative numbers and functions that start with a minus work as typed.

    ``--start -1.5,2`` becomes ``--start=-1.5,2``; a FUNCTION such as
    ``-x^2 - y^2`` (a lone argument that starts with one minus and is not the
    value of an option) is moved behind ``--`` so argparse reads it as FUNCTION.
    """
    out: list[str] = []
    function: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        following = argv[i + 1] if i + 1 < len(argv) else ""
        negative = _NEGATIVE.match(following) if arg in _VALUE_OPTIONS else None
        formula = arg in _FORMULA_OPTIONS and following.startswith("-")
        if (negative or formula) and not following.startswith("--"):
            out.append(f"{arg}={following}")
            i += 2
            continue
        previous = argv[i - 1] if i > 0 else ""
        if function is None and i > 0 and _is_minus_formula(arg, previous):
            function = arg
        else:
            out.append(arg)
        i += 1
    if function is not None:
        out += ["--", function]
    return out


_FLAGS = ("--turn", "--help", "--version", "-h", "--record-batches")


def _is_minus_formula(arg: str, previous: str) -> bool:
    """``-x^2`` in FUNCTION's place: one leading minus, not an option, not an option's value."""
    if not arg.startswith("-") or arg.startswith("--") or arg in ("-h", "-o"):
        return False
    takes_value = previous == "-o" or (
        previous.startswith("--") and "=" not in previous and previous not in _FLAGS
    )
    return not takes_value


def session_options(args: argparse.Namespace) -> SessionOptions:
    """The session-building options of a parsed ``run`` or ``export`` command line."""
    return SessionOptions(
        function=args.function,
        session=args.session,
        optimizers=tuple(args.optimizer),
        starts=tuple(args.start),
        domain=getattr(args, "domain", None),
        steps=args.steps,
        tol=args.tol,
        gradient=args.gradient,
        h=args.h,
        fit=args.fit,
        data=args.data,
        dataset=args.dataset,
        model=args.model,
        loss=args.loss,
        seed=args.seed,
    )
