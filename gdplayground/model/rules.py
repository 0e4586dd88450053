"""The one set of rules for a session: each check says why a value cannot be used.

Every ``*_problem`` function returns None for a good value and otherwise a
message saying what is wrong and what to write instead.  The panels call
them as the user types, the session-file reader and the command-line builder
call them too (through :func:`check_session` for a whole session), so a value
the window accepts is a value its saved file reloads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from gdplayground.model.budget import (
    most_steps,
    most_unrecorded_runs,
    most_unrecorded_steps,
    run_bytes,
    run_points,
    run_seconds,
    unrecorded_seconds,
)
from gdplayground.model.limits import (
    COLOR_SCALES,
    GRADIENT_MODES,
    MAX_BASIN_GRID,
    MAX_COORDINATE,
    MAX_FUNCTION_CHARS,
    MAX_LESSON_TEXT,
    MAX_LESSON_TITLE,
    MAX_NAME,
    MAX_OPTIMIZERS,
    MAX_POINT_STEPS,
    MAX_RUN_SECONDS,
    MAX_STEPS,
    MAX_SWEEP_POINTS,
    MAX_VIEW_SCALE,
    MIN_BASIN_GRID,
    MIN_SWEEP_POINTS,
    MIN_VIEW_SCALE,
)
from gdplayground.model.palette import is_colour
from gdplayground.model.presets import load_presets
from gdplayground.model.session import Session, SessionError


def function_problem(text: str) -> str | None:
    """Why ``text`` is not a function f(x, y) of the language (the parser's message)."""
    if len(text) > MAX_FUNCTION_CHARS:
        return f"longer than {MAX_FUNCTION_CHARS} characters: shorten it"
    from gdplayground.core.expression import ExpressionError, parse_function  # sympy: lazily

    try:
        parse_function(text)
    except ExpressionError as exc:
        return str(exc)
    return None


def domain_problem(domain: Sequence[float]) -> str | None:
    """Why ``(xmin, xmax, ymin, ymax)`` cannot be a plotting window, or None if it can."""
    if len(domain) != 4 or not all(math.isfinite(v) for v in domain):
        return "write four finite numbers [xmin, xmax, ymin, ymax]"
    xmin, xmax, ymin, ymax = domain
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if not low < high:
            return (
                f"the {axis} range {low:g} to {high:g} is empty: "
                f"write a smallest {axis} below the largest"
            )
    if max(abs(v) for v in domain) > MAX_COORDINATE:
        return f"keep the window within ±{MAX_COORDINATE:g}"
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
            return f"the {axis} range {low:g} to {high:g} is too narrow to plot: widen it"
    return None


def start_problem(start: Sequence[float]) -> str | None:
    """Why ``(x, y)`` cannot be a start point, or None if it can."""
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        return "write two finite numbers [x, y]"
    if max(abs(v) for v in start) > MAX_COORDINATE:
        return f"keep the start within ±{MAX_COORDINATE:g}"
    return None


def coordinate_problem(value: float) -> str | None:
    """Why one coordinate of a start point or window cannot be used."""
    if not math.isfinite(value):
        return "write a finite number"
    if abs(value) > MAX_COORDINATE:
        return f"keep coordinates within ±{MAX_COORDINATE:g}"
    return None


def steps_problem(steps: int) -> str | None:
    """Why ``steps`` cannot be the number of steps of a run."""
    if isinstance(steps, bool) or not isinstance(steps, int):
        return "write a whole number of steps"
    if steps < 0:
        return f"{steps} is negative: write 0 or more"
    if steps > MAX_STEPS:
        return f"{steps} is too many: at most {MAX_STEPS}"
    return None


def tol_problem(tol: float) -> str | None:
    """Why ``tol`` cannot be the gradient-norm tolerance (0 = never stop early)."""
    if not math.isfinite(tol):
        return "write a finite number, e.g. 1e-10"
    if tol < 0:
        return "tol must be 0 or more (0 = run every step): write e.g. 1e-10"
    return None


def h_problem(h: float | None) -> str | None:
    """Why ``h`` cannot be the finite-difference step (None = automatic)."""
    if h is None:
        return None
    if not math.isfinite(h) or h <= 0:
        return "h must be a number greater than 0: write e.g. 1e-6, or leave it empty"
    return None


def choice_problem(value: str, options: Sequence[str]) -> str | None:
    """Why ``value`` is not one of ``options``."""
    if value not in options:
        return f"{value!r} is not one of {', '.join(options)}"
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an optimizer's display name."""
    if not name.strip():
        return "write a name"
    if len(name) > MAX_NAME:
        return f"longer than {MAX_NAME} characters: shorten it"
    return None


def colour_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be an optimizer's colour."""
    return None if is_colour(colour) else f"{colour!r}: write a colour like #E69F00"


def optimizer_problem(
    method: str, params: dict[str, float | str], steps: int | None = None
) -> str | None:
    """Why ``method`` with ``params`` is not a valid optimizer configuration (for a
    run of ``steps`` steps, when given: a OneCycle schedule must cover the run)."""
    from gdplayground.core.optimizers import OptimizerError, check_run, make_config

    try:
        config = make_config(method, params)
        if steps is not None:
            check_run(config, steps)
    except OptimizerError as exc:
        return str(exc)
    return None


def work_problem(methods: Sequence[str], starts: int, steps: int) -> str | None:
    """Why every method in ``methods`` from ``starts`` start points, ``steps``
    steps each, is too much to compute at once: the memory of the trajectories
    or the estimated time over budget (see :mod:`gdplayground.model.budget`)."""
    runs = len(methods) * starts
    points = run_points(runs, steps)
    seconds = run_seconds(methods, starts, steps)
    if points <= MAX_POINT_STEPS and seconds <= MAX_RUN_SECONDS:
        return None
    fewer = "fewer starts or optimizers" if starts > 1 else "fewer optimizers"
    most = most_steps(methods, starts, MAX_POINT_STEPS, MAX_RUN_SECONDS)
    lower = f"use at most {most:,} steps, or {fewer}" if most > 0 else f"use {fewer}"
    if points > MAX_POINT_STEPS:
        return (
            f"{runs} runs x {steps:,} steps is too much work: {points:,} points, about "
            f"{run_bytes(runs, steps) / 1e9:.1f} GB of memory (at most {MAX_POINT_STEPS:,} "
            f"points); {lower}"
        )
    return (
        f"{runs} runs x {steps:,} steps is too much work: about {seconds / 60:.0f} minutes "
        f"of computing (at most {MAX_RUN_SECONDS / 60:.0f} minutes); {lower}"
    )


def session_work_problem(session: Session) -> str | None:
    """:func:`work_problem` for the enabled optimizers of ``session`` (one start point)."""
    methods = [e.method for e in session.optimizers if e.enabled]
    return work_problem(methods, 1, session.steps)


def preset_problem(preset: str | None, function: str) -> str | None:
    """Why ``preset`` cannot be the preset of ``function``."""
    if preset is None:
        return None
    presets = load_presets()
    if preset not in presets:
        return f"{preset!r} is not one of {', '.join(presets)}"
    if "".join(presets[preset].formula.split()).lower() != "".join(function.split()).lower():
        return (
            f"{preset!r} does not match the function: remove the preset, "
            f"or write the preset's formula {presets[preset].formula!r}"
        )
    return None


def scale_problem(scale: float) -> str | None:
    """Why ``scale`` cannot be a text or line scale of the views."""
    if not math.isfinite(scale) or not MIN_VIEW_SCALE <= scale <= MAX_VIEW_SCALE:
        return f"write a scale between {MIN_VIEW_SCALE:g} and {MAX_VIEW_SCALE:g}"
    return None


def lesson_problem(title: str, text: str) -> str | None:
    """Why a lesson's title or text cannot be shown beside the views."""
    if not title.strip():
        return "write a title"
    if len(title) > MAX_LESSON_TITLE:
        return f"the title is longer than {MAX_LESSON_TITLE} characters: shorten it"
    if len(text) > MAX_LESSON_TEXT:
        return f"the text is longer than {MAX_LESSON_TEXT} characters: shorten it"
    return None


def session_problems(session: Session) -> list[tuple[str, str]]:
    """Every (field, message) that makes ``session`` unusable, in field order."""
    s = session
    found = [
        ("function", function_problem(s.function)),
        ("domain", domain_problem(s.domain)),
        ("start", start_problem(s.start)),
        ("color_scale", choice_problem(s.color_scale, COLOR_SCALES)),
        ("gradient", choice_problem(s.gradient, GRADIENT_MODES)),
        ("h", h_problem(s.h)),
        ("steps", steps_problem(s.steps)),
        ("tol", tol_problem(s.tol)),
        ("preset", preset_problem(s.preset, s.function)),
        ("view.text_scale", scale_problem(s.view.text_scale)),
        ("view.line_scale", scale_problem(s.view.line_scale)),
        ("lesson", lesson_problem(s.lesson.title, s.lesson.text) if s.lesson else None),
    ]
    if len(s.optimizers) > MAX_OPTIMIZERS:
        found.append(("optimizers", f"at most {MAX_OPTIMIZERS} optimizers"))
    for i, entry in enumerate(s.optimizers):
        where = f"optimizers[{i}]"
        found += [
            (where, optimizer_problem(entry.method, entry.params, s.steps)),
            (f"{where}.name", name_problem(entry.name)),
            (f"{where}.color", colour_problem(entry.color)),
        ]
    found.append(("steps", session_work_problem(s)))
    return [(where, message) for where, message in found if message]


def check_session(session: Session) -> Session:
    """``session`` if every rule holds, else SessionError naming the first bad field."""
    problems = session_problems(session)
    if problems:
        where, message = problems[0]
        raise SessionError(f"{where}: {message}")
    return session


# ------------------------------------------------------------------ exploring
def grid_problem(size: int) -> str | None:
    """Why ``size`` cannot be the number of starts a side of a basin map."""
    if isinstance(size, bool) or not isinstance(size, int):
        return "write a whole number of starts a side, e.g. 200"
    if not MIN_BASIN_GRID <= size <= MAX_BASIN_GRID:
        return f"{size} starts a side: write {MIN_BASIN_GRID} to {MAX_BASIN_GRID}"
    return None


def sweep_points_problem(points: int) -> str | None:
    """Why ``points`` cannot be the number of learning rates of a sweep."""
    if isinstance(points, bool) or not isinstance(points, int):
        return "write a whole number of learning rates, e.g. 40"
    if not MIN_SWEEP_POINTS <= points <= MAX_SWEEP_POINTS:
        return f"{points} learning rates: write {MIN_SWEEP_POINTS} to {MAX_SWEEP_POINTS}"
    return None


def lr_range_problem(low: float, high: float) -> str | None:
    """Why ``low`` to ``high`` cannot be the learning rates a sweep spans."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "write two finite numbers LOW,HIGH, e.g. 1e-4,1"
    if not 0 < low < high:
        return f"{low:g} to {high:g} is not a range of rates: write LOW,HIGH with 0 < LOW < HIGH"
    return None


def sweep_rate_problem(
    method: str, params: dict[str, float | str], low: float, high: float
) -> str | None:
    """Why ``method`` (with ``params``) cannot run at every rate from ``low`` to ``high``."""
    for lr in (low, high):
        problem = optimizer_problem(method, {**params, "lr": lr})
        if problem:
            return f"at lr={lr:g}: {problem}"
    return None


def basin_work_problem(method: str, size: int, steps: int) -> str | None:
    """Why a basin map of ``size`` x ``size`` starts, ``steps`` steps each, is too
    much to compute at once (its estimated time over budget), with what to lower."""
    seconds = unrecorded_seconds([method], size * size, steps)
    if seconds <= MAX_RUN_SECONDS:
        return None
    most = most_unrecorded_steps([method], size * size, MAX_RUN_SECONDS)
    side = math.isqrt(most_unrecorded_runs([method], steps, MAX_RUN_SECONDS))
    fewer = f"a grid of at most {side}" if side >= MIN_BASIN_GRID else "fewer steps"
    lower = f"use at most {most:,} steps, or {fewer}" if most > 0 else f"use {fewer}"
    return (
        f"{size}x{size} starts x {steps:,} steps is too much work: about "
        f"{_duration(seconds)} of computing (at most {MAX_RUN_SECONDS / 60:.0f} minutes); {lower}"
    )


def sweep_work_problem(methods: Sequence[str], points: int, starts: int, steps: int) -> str | None:
    """Why sweeping ``methods`` over ``points`` rates from ``starts`` start points,
    ``steps`` steps each, is too much to compute at once."""
    runs = points * starts
    seconds = unrecorded_seconds(methods, runs, steps)
    if seconds <= MAX_RUN_SECONDS:
        return None
    most = most_unrecorded_steps(methods, runs, MAX_RUN_SECONDS)
    fewer = "fewer rates, starts or optimizers"
    lower = f"use at most {most:,} steps, or {fewer}" if most > 0 else f"use {fewer}"
    return (
        f"{len(methods)} optimizers x {points} rates x {starts} starts x {steps:,} steps is too "
        f"much work: about {_duration(seconds)} of computing (at most "
        f"{MAX_RUN_SECONDS / 60:.0f} minutes); {lower}"
    )


def _duration(seconds: float) -> str:
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:,.0f} hours"
