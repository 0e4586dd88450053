"""Command-line front end: ``gdplayground [FILE]``, ``gdplayground run``, ``gdplayground export``.

Every user mistake ends with exit status 2 and one line on stderr,
``gdplayground: error: ...``, saying what is wrong and what to write instead.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from gdplayground import __version__

PROG = "gdplayground"
DEFAULT_START = (-1.5, 2.0)
MAX_STEPS = 100_000
MAX_POINT_STEPS = 20_000_000  # runs x (steps + 1): keeps memory and time bounded
GRADIENT_MODES = ("symbolic", "numeric")


class UsageError(Exception):
    """A mistake in what the user typed; reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line instead of a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


@dataclass(frozen=True)
class OptimizerChoice:
    """``NAME[:key=value,...]`` from the command line."""

    name: str
    params: dict[str, float]
    text: str


def parse_optimizer(text: str) -> OptimizerChoice:
    """Parse ``adam:lr=0.1,beta1=0.8`` into a name and hyperparameter values."""
    name, _, rest = text.partition(":")
    if not name.strip():
        raise UsageError(f"--optimizer {text!r}: write a name, e.g. --optimizer adam:lr=0.1")
    params: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(
                f"--optimizer {text!r}: write hyperparameters as key=value, e.g. {name}:lr=0.1"
            )
        params[key.strip()] = parse_number(value, f"--optimizer {name}: {key.strip()}")
    return OptimizerChoice(name.strip(), params, text)


def parse_number(text: str, what: str) -> float:
    """One finite number from the command line; ``what`` names it in the error."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{what}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"{what}: {text.strip()} is not a finite number")
    return value


def parse_pair(text: str, option: str) -> tuple[float, float]:
    """Parse ``X,Y`` (e.g. ``-1.5,2``) into two finite numbers."""
    parts = text.split(",")
    if len(parts) != 2:
        raise UsageError(
            f"{option} {text!r}: write two numbers separated by a comma, e.g. {option}=-1.5,2"
        )
    pair = (parse_number(parts[0], option), parse_number(parts[1], option))
    from gdplayground.core.session import start_problem

    problem = start_problem(pair)
    if problem:
        raise UsageError(f"{option} {text}: {problem}")
    return pair


def _steps(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: write 0 or more")
    if value > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"{value} is too many: at most {MAX_STEPS}")
    return value


def _non_negative(text: str) -> float:
    value = _float_arg(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: write 0 or more")
    return value


def _positive(text: str) -> float:
    value = _float_arg(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
    return value


def _float_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by ``run`` and ``export``."""
    parser.add_argument(
        "--optimizer",
        action="append",
        default=[],
        metavar="NAME[:key=value,...]",
        help="optimizer and hyperparameters, e.g. adam:lr=0.1 (repeatable; "
        "default: the seven first-order methods)",
    )
    parser.add_argument(
        "--start",
        action="append",
        default=[],
        metavar="X,Y",
        help=f"start point (repeatable; default {DEFAULT_START[0]},"
        f"{DEFAULT_START[1]}); write --start=-1.5,2 for negative x",
    )
    parser.add_argument("--steps", type=_steps, default=100, help="steps per run (default 100)")
    parser.add_argument(
        "--tol",
        type=_non_negative,
        default=1e-10,
        help="stop when |grad f| < TOL (default 1e-10; 0 disables)",
    )
    parser.add_argument(
        "--gradient",
        choices=GRADIENT_MODES,
        default="symbolic",
        help="symbolic (exact) or numeric (central differences)",
    )
    parser.add_argument(
        "--h",
        type=_positive,
        default=None,
        help="finite-difference step for --gradient numeric (default cbrt(eps)*max(1,|x|))",
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
        help="f(x, y), e.g. '(1-x)^2 + 100(y-x^2)^2', or a preset name",
    )
    add_run_options(run)
    run.add_argument("--format", choices=("json", "csv"), default="json")
    run.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    _add_export_parser(sub)
    return parser


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
    export.add_argument(
        "--session", metavar="FILE", help="start from a saved .gdp.json session; options override"
    )
    add_run_options(export)
    export.set_defaults(steps=None, tol=None, gradient=None)  # None: not given, keep the session's
    export.add_argument(
        "--domain",
        metavar="XMIN,XMAX,YMIN,YMAX",
        help="the window, e.g. --domain=-2,2,-1,3 (default: a preset's own, "
        "else one around the start and the paths)",
    )
    export.add_argument(
        "--view", choices=("contour", "surface", "loss"), default="contour", help="default contour"
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="FILE.png, .svg or .pdf for a picture; FILE.gif or .mp4 for an animation",
    )
    export.add_argument(
        "--size", metavar="WxH", help="pixels (default 1200x900, animations 640x480)"
    )
    export.add_argument("--fps", type=_positive, metavar="N", help="animation speed (default 20)")
    export.add_argument(
        "--frame", type=_steps, metavar="N", help="a picture of step N (default: the end)"
    )
    export.add_argument(
        "--frames",
        type=_steps,
        metavar="N",
        help="animation length in frames (default: every step, at most 600)",
    )
    export.add_argument(
        "--turn", action="store_true", help="turn the camera slowly (surface animations)"
    )


_VALUE_OPTIONS = ("--start", "--domain")
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
        if arg in _VALUE_OPTIONS and i + 1 < len(argv) and _NEGATIVE.match(argv[i + 1]):
            out.append(f"{arg}={argv[i + 1]}")
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


_FLAGS = ("--turn", "--help", "--version", "-h")


def _is_minus_formula(arg: str, previous: str) -> bool:
    """``-x^2`` in FUNCTION's place: one leading minus, not an option, not an option's value."""
    if not arg.startswith("-") or arg.startswith("--") or arg in ("-h", "-o"):
        return False
    takes_value = previous == "-o" or (
        previous.startswith("--") and "=" not in previous and previous not in _FLAGS
    )
    return not takes_value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gdplayground`` command; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args_list or not (args_list[0].startswith("-") or args_list[0] in ("run", "export")):
            return _open_window(args_list)
        args = build_parser().parse_args(normalise_argv(args_list))
        if args.command == "run":
            from gdplayground.commands import run_command

            return run_command(args)
        if args.command == "export":
            from gdplayground.export.command import export_command

            status = export_command(args)
            if argv is None:  # the program itself, and the file is written: leave now
                _leave_without_teardown(status)
            return status
        build_parser().print_help()
        return 0
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # a bug: still one line, never a traceback
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} (please report it)",
            file=sys.stderr,
        )
        return 1


def _leave_without_teardown(status: int) -> None:
    """Exit at once: tearing down Qt and the interpreter takes ~0.15 s and saves nothing."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _open_window(args: list[str]) -> int:
    if len(args) > 1:
        raise UsageError(
            f"unexpected arguments {' '.join(args[1:])!r}: "
            f"write {PROG} [FILE.gdp.json], or {PROG} run/export ..."
        )
    if args:
        from pathlib import Path

        if not Path(args[0]).is_file():
            raise UsageError(
                f"{args[0]!r} is not a file: write {PROG} FILE.gdp.json to open a saved session, "
                f"or {PROG} run FUNCTION to compute without a window"
            )
    from gdplayground.qt.app import run_app

    return run_app(args[0] if args else None)
