"""``gdplayground basins``, ``sweep`` and ``critical``: exploring a landscape without a window.

Each builds its session with the one builder (:mod:`gdplayground.model.build`),
so FUNCTION, presets, ``--session``, ``--optimizer``, ``--start``, ``--domain``,
``--steps``, ``--tol``, ``--gradient`` and ``--h`` mean what they mean for
``run`` and ``export``, and are refused in the same words.  The command's own
values (grid, rates) are checked by the same rules the window asks
(:mod:`gdplayground.model.rules`).  Pictures are drawn by the window's own
views, offscreen (:mod:`gdplayground.export.render`); every file is written
through :mod:`gdplayground.io.files`.

A typed function (no preset, no ``--domain``) is explored in the window
``export`` would draw: around the start and the paths of a quick race (of the
``--optimizer`` given, else the default race).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdplayground.cli.export import computed_in_parallel, parse_size
from gdplayground.cli.interrupts import phase
from gdplayground.cli.parser import UsageError, session_options
from gdplayground.model.build import (
    BuildError,
    BuiltSession,
    build_session,
    parse_numbers,
    shown,
)
from gdplayground.model.limits import (
    DEFAULT_BASIN_GRID,
    DEFAULT_SWEEP_HIGH,
    DEFAULT_SWEEP_LOW,
    DEFAULT_SWEEP_POINTS,
    MAX_STARTS,
)
from gdplayground.model.rules import (
    basin_work_problem,
    grid_problem,
    lr_range_problem,
    sweep_points_problem,
    sweep_rate_problem,
    sweep_work_problem,
)
from gdplayground.model.session import OptimizerEntry, Session

if TYPE_CHECKING:
    from gdplayground.core.gradients import Objective
    from gdplayground.core.picture import Picture

DEFAULT_SIZE = (1200, 900)
#: A basin map with at least this many start-steps also uses worker processes
#: on the other cores (starting them takes about a second).
POOL_POINT_STEPS = 30_000_000
_NOT_A_FIT = (
    "{command} explores a function f(x, y), not a fit to data: give a FUNCTION "
    "(or a session of one) instead of --fit/--data"
)
_FORMATS = {
    "basins": (".png", ".json", ".csv"),
    "sweep": (".png", ".json"),
}


def explore_command(args: argparse.Namespace) -> int:
    """Run ``basins``, ``sweep`` or ``critical``; 0 on success."""
    fit_options = ("fit", "data", "dataset", "model", "loss")
    if any(getattr(args, name, None) is not None for name in fit_options):
        raise UsageError(_NOT_A_FIT.format(command=args.command))
    if args.command == "critical":
        return critical_command(args)
    target = _check_output(args)
    if args.command == "basins":
        return basins_command(args, target)
    return sweep_command(args, target)


# ------------------------------------------------------------------ output
@dataclass(frozen=True)
class Target:
    """Where to write, as what, and a picture's size."""

    path: Path
    suffix: str
    size: tuple[int, int]


def _check_output(args: argparse.Namespace) -> Target:
    """The output file of ``basins`` or ``sweep``, checked before any work."""
    if args.function is None and args.session is None:
        raise UsageError("give a FUNCTION (or a preset name), or --session FILE")
    allowed = _FORMATS[args.command]
    if not args.output:
        raise UsageError(
            f"-o '': give the name of the file to write, e.g. -o {args.command}{allowed[0]}"
        )
    path = Path(args.output)
    suffix = path.suffix.lower()
    if suffix not in allowed:
        endings = ", ".join(allowed[:-1]) + " or " + allowed[-1]
        raise UsageError(
            f"{path.name}: cannot tell what to write from {suffix or 'no suffix'}; "
            f"{args.command} writes {endings}: end the file name in one of them"
        )
    size = DEFAULT_SIZE
    if args.size is not None:
        if suffix != ".png":
            raise UsageError(f"--size applies to pictures: write a .png file, not {suffix}")
        from gdplayground.export.render import ExportError, check_size

        try:
            size = check_size(parse_size(args.size))
        except ExportError as exc:
            raise UsageError(str(exc).replace("size ", "--size ", 1)) from None
    _check_writable(path)
    return Target(path, suffix, size)


def _check_writable(path: str | Path) -> None:
    from gdplayground.io.files import OutputError, output_target

    try:
        output_target(path)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def _write_text(output: str | None, text: str) -> None:
    """``text`` to the file ``output`` (atomically), or to stdout when None or '-'."""
    if output is None or output == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise UsageError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    from gdplayground.io.files import OutputError, atomic_write_text

    try:
        atomic_write_text(output, text)
    except OutputError as exc:
        raise UsageError(str(exc)) from None


def _write_picture(picture: Picture, view: str, target: Target, widget: Any) -> None:
    from gdplayground.export.image import write_image
    from gdplayground.export.render import ExportError

    try:
        write_image(picture, view, target.path, target.size, widget=widget)
    except ExportError as exc:
        raise UsageError(str(exc)) from None


def _new_view(view: str) -> Any:
    """Load Qt and build the empty view, offscreen (2-D views need no display)."""
    from gdplayground.export.render import ensure_application, new_view

    ensure_application(offscreen=True)
    return new_view(view)


# ------------------------------------------------------------------ session
def _whole(text: str | None, default: int, option: str) -> int:
    if text is None:
        return default
    digits = text.strip().lstrip("+-").lstrip("0")
    if digits.isdigit() and len(digits) > 9:
        raise UsageError(f"{option}: a number of {len(digits)} digits is far too large")
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"{option}: {shown(text)!r} is not a whole number") from None


def _objective(session: Session) -> Objective:
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.gradients import compile_function

    try:
        return compile_function(session.function, session.gradient, session.h)
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None


def _framed(built: BuiltSession) -> Session:
    """The session in its window: as given, or (a typed function with no --domain)
    the one ``export`` draws, around the start and the paths of a quick race."""
    session = built.session
    if not built.fit_domain:
        return session
    from gdplayground.core.expression import ExpressionError
    from gdplayground.core.framing import fitted_domain
    from gdplayground.core.scene import build_scene
    from gdplayground.core.trajectory import DIVERGED

    try:
        rough = build_scene(session, resolution=2, with_surface=False)
    except ExpressionError as exc:
        raise UsageError(f"in the function: {exc}") from None
    paths = [(r.points, r.status == DIVERGED) for r in rough.runs if r is not None]
    return replace(session, domain=fitted_domain(session.start, paths))


def _build(args: argparse.Namespace, max_starts: int) -> BuiltSession:
    """The session of the arguments: a function f(x, y), not a fit to data."""
    built = build_session(session_options(args), max_starts=max_starts)
    if built.session.fit is not None:
        raise UsageError(_NOT_A_FIT.format(command=args.command))
    return built


def _enabled(session: Session) -> list[OptimizerEntry]:
    return [entry for entry in session.optimizers if entry.enabled]


# ------------------------------------------------------------------ basins
def basins_command(args: argparse.Namespace, target: Target) -> int:
    """``gdplayground basins``: one optimizer from every start of a grid, as a picture,
    JSON or CSV."""
    size = _whole(args.grid, DEFAULT_BASIN_GRID, "--grid")
    problem = grid_problem(size)
    if problem:
        raise UsageError(f"--grid {args.grid}: {problem}")
    if len(args.optimizer) > 1:
        raise UsageError(
            f"--optimizer given {len(args.optimizer)} times: a basin map is of one optimizer "
            "(make one map per optimizer to compare them)"
        )
    if not args.optimizer and args.session is None:
        raise UsageError("give the optimizer to map, e.g. --optimizer adam:lr=0.1")
    built = _build(args, max_starts=1)
    entries = _enabled(built.session)
    if len(entries) != 1:
        raise UsageError(
            f"the session races {len(entries)} optimizers: choose the one to map with "
            "--optimizer NAME[:key=value,...]"
        )
    entry = entries[0]
    problem = basin_work_problem(entry.method, size, built.session.steps)
    if problem:
        raise UsageError(f"--grid {size}, --steps {built.session.steps}: {problem}")
    session = replace(built.session, optimizers=(entry,))
    built = replace(built, session=session)
    phase("computing")
    if target.suffix != ".png":
        basins = _basin_map(_framed(built), entry, size)
        from gdplayground.export.explore_data import basins_to_csv, basins_to_json

        phase("writing")
        text = basins_to_json(basins) if target.suffix == ".json" else basins_to_csv(basins)
        _write_text(str(target.path), text)
        return 0
    with computed_in_parallel(lambda: _basin_picture(built, entry, size)) as pending:
        phase("loading-qt")
        widget = _new_view("contour")
        picture = pending()
    phase("writing")
    _write_picture(picture, "contour", target, widget)
    return 0


def _basin_map(session: Session, entry: OptimizerEntry, size: int) -> Any:
    from gdplayground.core.explore.basin_pool import start_pool
    from gdplayground.core.explore.basins import BasinRequest, compute_basin_map

    request = BasinRequest(
        session.function,
        entry.config,
        session.domain,
        size,
        session.steps,
        session.tol,
        session.gradient,
        session.h,
    )
    objective = _objective(session)
    pool = start_pool() if size * size * session.steps >= POOL_POINT_STEPS else None
    try:
        return compute_basin_map(request, objective, pool=pool)
    finally:
        if pool is not None:
            pool.shutdown()


def _basin_picture(built: BuiltSession, entry: OptimizerEntry, size: int) -> Picture:
    """The contour view's picture: f, the optimizer's path from the start, and its map."""
    from gdplayground.core.explore.layers import BasinLayer, ColourBook, with_layers
    from gdplayground.core.picture import picture_from_scene
    from gdplayground.core.scene import build_scene

    session = _framed(built)
    basins = _basin_map(session, entry, size)
    colours, _ = ColourBook.for_window(session.domain).colours(basins.attractors)
    scene = build_scene(session, with_surface=False)
    layer = BasinLayer(basins, entry.name, entry.color, colours)
    return with_layers(picture_from_scene(scene), basins=layer)


# ------------------------------------------------------------------ sweep
@dataclass(frozen=True)
class SweepRequest:
    """A checked sweep: the session, its starts, the range and number of rates."""

    built: BuiltSession
    low: float
    high: float
    points: int


def check_sweep(args: argparse.Namespace) -> SweepRequest:
    """The sweep the arguments ask for, checked by the rules before any work."""
    if args.lr is not None:
        try:
            low, high = parse_numbers(args.lr, 2, "--lr", "1e-4,1")
        except BuildError as exc:
            raise UsageError(str(exc)) from None
    else:
        low, high = DEFAULT_SWEEP_LOW, DEFAULT_SWEEP_HIGH
    problem = lr_range_problem(low, high)
    if problem:
        raise UsageError(f"--lr {args.lr}: {problem}")
    points = _whole(args.points, DEFAULT_SWEEP_POINTS, "--points")
    problem = sweep_points_problem(points)
    if problem:
        raise UsageError(f"--points {args.points}: {problem}")
    built = _build(args, max_starts=MAX_STARTS)
    entries = _enabled(built.session)
    if not entries:
        raise UsageError("no optimizer is enabled: give one with --optimizer NAME")
    for entry in entries:
        problem = sweep_rate_problem(entry.method, entry.params, low, high)
        if problem:
            raise UsageError(f"--lr {low:g},{high:g}: {entry.method}: {problem}")
    problem = sweep_work_problem(
        [e.method for e in entries], points, len(built.starts), built.session.steps
    )
    if problem:
        raise UsageError(problem)
    return SweepRequest(built, low, high, points)


def sweep_command(args: argparse.Namespace, target: Target) -> int:
    """``gdplayground sweep``: each optimizer at K rates, as a picture or JSON."""
    request = check_sweep(args)
    phase("computing")
    if target.suffix == ".json":
        from gdplayground.export.explore_data import sweep_to_json

        session = request.built.session
        sweep = _sweep(request)
        phase("writing")
        names = [e.name for e in _enabled(session)]
        _write_text(
            str(target.path), sweep_to_json(session.function, session.gradient, sweep, names)
        )
        return 0
    with computed_in_parallel(lambda: _sweep_picture(request)) as pending:
        phase("loading-qt")
        widget = _new_view("sweep")
        picture = pending()
    phase("writing")
    _write_picture(picture, "sweep", target, widget)
    return 0


def _sweep(request: SweepRequest) -> Any:
    import numpy as np

    from gdplayground.core.explore.sweep import sweep_learning_rates

    session = request.built.session
    return sweep_learning_rates(
        _objective(session),
        [e.config for e in _enabled(session)],
        np.array(request.built.starts, dtype=np.float64),
        request.low,
        request.high,
        request.points,
        session.steps,
        session.tol,
    )


def _sweep_picture(request: SweepRequest) -> Picture:
    """A picture for the sweep view: the sweep, the optimizers' names and colours."""
    from gdplayground.core.explore.layers import SweepLayer, with_layers
    from gdplayground.core.picture import landscape_picture
    from gdplayground.core.scene import build_landscape

    session = request.built.session
    sweep = _sweep(request)
    entries = _enabled(session)
    layer = SweepLayer(sweep, tuple(e.name for e in entries), tuple(e.color for e in entries))
    # the sweep view draws the sweep only; a token landscape completes the picture
    landscape = build_landscape(session, None, lambda: None, resolution=2, with_surface=False)
    return with_layers(landscape_picture(landscape, session), sweep=layer)


# ------------------------------------------------------------------ critical
def critical_command(args: argparse.Namespace) -> int:
    """``gdplayground critical``: the stationary points of f in the window, JSON or CSV."""
    if args.function is None and args.session is None:
        raise UsageError("give a FUNCTION (or a preset name), or --session FILE")
    if args.output is not None and args.output != "-":
        if not args.output:
            raise UsageError(
                "-o '': give the name of the file to write, e.g. -o points.json "
                "(or leave -o out to print to the terminal)"
            )
        _check_writable(args.output)
    built = _build(args, max_starts=1)
    session = _framed(built)
    phase("computing")
    from gdplayground.core.explore.critical import stationary_points
    from gdplayground.export.explore_data import critical_to_csv, critical_to_json

    points = stationary_points(_objective(session), session.domain)
    phase("writing")
    if args.format == "csv":
        text = critical_to_csv(points)
    else:
        text = critical_to_json(session.function, session.gradient, session.domain, points)
    _write_text(args.output, text)
    return 0
