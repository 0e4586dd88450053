"""The one builder: options as a user writes them (or a saved file) -> a checked Session.

``gdplayground run``, ``gdplayground export`` and every later command build
their session here, so they agree on preset lookup, names, colours, limits
and defaults, and on every refusal, with each other and with the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gdplayground.model.limits import (
    DEFAULT_START,
    DEFAULT_STEPS,
    DEFAULT_TOL,
    GRADIENT_MODES,
    MAX_STARTS,
)
from gdplayground.model.presets import find_preset, load_presets
from gdplayground.model.rules import (
    check_session,
    choice_problem,
    domain_problem,
    h_problem,
    start_problem,
    steps_problem,
    tol_problem,
    work_problem,
)
from gdplayground.model.session import (
    Session,
    SessionError,
    default_entries,
    entries_for,
    preset_start,
)


class BuildError(SessionError):
    """Options that do not make a session; the message names the option and the fix."""


@dataclass(frozen=True)
class SessionOptions:
    """What a user wrote, before any checking: every field None (or empty) when not given."""

    function: str | None = None
    #: a saved ``.gdp.json`` session to start from; the other options override it
    session: str | None = None
    optimizers: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    domain: str | None = None
    steps: str | None = None
    tol: str | None = None
    gradient: str | None = None
    h: str | None = None


@dataclass(frozen=True)
class BuiltSession:
    """A checked session, every start point asked for (the session's own first),
    and whether its window should be fitted around the paths (none was given)."""

    session: Session
    starts: tuple[tuple[float, float], ...]
    fit_domain: bool


# ------------------------------------------------------------------ text
def shown(text: str, limit: int = 40) -> str:
    """What the user typed, shortened for a one-line message."""
    text = text.strip()
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text)} characters)"


def parse_number(text: str, what: str) -> float:
    """One finite number; ``what`` names it in the error."""
    try:
        value = float(text)
    except ValueError:
        raise BuildError(f"{what}: {shown(text)!r} is not a number") from None
    if not math.isfinite(value):
        raise BuildError(
            f"{what}: {shown(text)} is not a finite number (float64 stops near 1.8e308)"
        )
    return value


def parse_numbers(text: str, count: int, what: str, example: str) -> tuple[float, ...]:
    """``count`` comma-separated numbers (e.g. ``-1.5,2``)."""
    parts = text.split(",")
    if len(parts) != count:
        raise BuildError(
            f"{what} {shown(text)!r}: write {count} numbers separated by commas, "
            f"e.g. {what}={example}"
        )
    return tuple(parse_number(part, what) for part in parts)


def parse_optimizer_spec(text: str) -> tuple[str, dict[str, float | str]]:
    """``adam:lr=0.1,beta1=0.8`` -> ("adam", {"lr": 0.1, "beta1": 0.8}).

    Values that are not numbers are kept as text, for hyperparameters that
    are choices; the optimizer's own rules then accept or refuse them.
    """
    name, _, rest = text.partition(":")
    if not name.strip():
        raise BuildError(f"--optimizer {text!r}: write a name, e.g. --optimizer adam:lr=0.1")
    params: dict[str, float | str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise BuildError(
                f"--optimizer {text!r}: write hyperparameters as key=value, e.g. {name}:lr=0.1"
            )
        try:
            number = float(value)
        except ValueError:
            params[key.strip()] = value.strip()
            continue
        if not math.isfinite(number):
            raise BuildError(f"--optimizer {name}: {key.strip()}: {value} is not a finite number")
        params[key.strip()] = number
    return name.strip().lower(), params


def resolve_function(text: str) -> tuple[str, str | None]:
    """A preset name (or a preset's formula) -> (its formula, its key); else (text, None)."""
    preset = find_preset(text)
    return (preset.formula, preset.key) if preset else (text, None)


# ------------------------------------------------------------------ building
def _checked(problem: str | None, what: str) -> None:
    if problem:
        raise BuildError(f"{what}: {problem}")


def _load_base(path: str | None) -> Session | None:
    if path is None:
        return None
    from gdplayground.model.session_file import load_session

    try:
        return load_session(path)
    except SessionError as exc:
        raise BuildError(f"--session {path}: {exc}") from None


def _start(text: str) -> tuple[float, float]:
    start = parse_numbers(text, 2, "--start", "-1.5,2")
    _checked(start_problem(start), f"--start {shown(text)}")
    return start  # type: ignore[return-value]


def _optimizers(texts: tuple[str, ...]):
    from gdplayground.core.optimizers import OptimizerError

    try:
        return entries_for([parse_optimizer_spec(t) for t in texts])  # type: ignore[misc]
    except OptimizerError as exc:
        raise BuildError(str(exc)) from None


def build_session(options: SessionOptions, max_starts: int = MAX_STARTS) -> BuiltSession:
    """The session ``options`` describe, checked by the one set of rules.

    A function may be a preset's name (``rosenbrock``) or formula: it then
    brings the preset's window, start and stars.  Options not given come
    from ``options.session`` if given, else the defaults of :mod:`limits`.
    """
    base = _load_base(options.session)
    if options.function is None and base is None:
        raise BuildError("give a FUNCTION (or a preset name), or --session FILE")
    gradient = options.gradient or (base.gradient if base else "symbolic")
    _checked(choice_problem(gradient, GRADIENT_MODES), "--gradient")
    if options.h is not None:
        if gradient != "numeric":
            raise BuildError("--h only applies to --gradient numeric: add --gradient numeric")
        h: float | None = parse_number(options.h, "--h")
        _checked(h_problem(h), f"--h {options.h}")
    else:
        h = base.h if base else None

    if options.function is not None:
        function, preset = resolve_function(options.function)
    else:
        assert base is not None
        function, preset = base.function, base.preset

    if len(options.starts) > max_starts:
        raise BuildError(
            f"--start given {len(options.starts)} times: at most {max_starts} here"
            + (" (a picture shows one start point, as the window does)" if max_starts == 1 else "")
        )
    starts = tuple(_start(text) for text in options.starts)
    if not starts:
        if base is not None and options.function is None:
            starts = (base.start,)
        else:
            starts = (preset_start(preset) if preset else DEFAULT_START,)

    fit = False
    if options.domain is not None:
        domain = parse_numbers(options.domain, 4, "--domain", "-2,2,-1,3")
        _checked(domain_problem(domain), f"--domain {options.domain} (XMIN,XMAX,YMIN,YMAX)")
    elif preset is not None and (options.function is not None or base is None):
        domain = load_presets()[preset].domain
    elif base is not None:
        domain = base.domain
    else:
        x, y = starts[0]
        domain, fit = (x - 1, x + 1, y - 1, y + 1), True

    if options.optimizers:
        optimizers = _optimizers(options.optimizers)
    else:
        optimizers = base.optimizers if base is not None else default_entries()

    if options.steps is not None:
        steps = _whole(options.steps, "--steps")
        _checked(steps_problem(steps), f"--steps {options.steps}")
    else:
        steps = base.steps if base else DEFAULT_STEPS
    if options.tol is not None:
        tol = parse_number(options.tol, "--tol")
        _checked(tol_problem(tol), f"--tol {options.tol}")
    else:
        tol = base.tol if base else DEFAULT_TOL
    methods = [e.method for e in optimizers if e.enabled]
    _checked(work_problem(methods, len(starts), steps), "--steps")

    common = dict(
        function=function,
        domain=tuple(domain),
        start=starts[0],
        optimizers=optimizers,
        gradient=gradient,
        h=h,
        steps=steps,
        tol=tol,
        preset=preset,
    )
    session = replace(base, **common) if base is not None else Session(**common)  # type: ignore[arg-type]
    try:
        check_session(session)
    except SessionError as exc:
        if str(exc).startswith("function:"):
            raise BuildError("in the function" + str(exc)[len("function") :]) from None
        raise BuildError(str(exc)) from None
    return BuiltSession(session, starts, fit)


#: Whole numbers with more digits are refused before Python converts them.
MAX_WHOLE_DIGITS = 18


def _whole(text: str, what: str) -> int:
    digits = text.strip().lstrip("+-").lstrip("0")
    if digits.isdigit() and len(digits) > MAX_WHOLE_DIGITS:
        raise BuildError(f"{what}: a number of {len(digits)} digits is far too large")
    try:
        return int(text)
    except ValueError:
        raise BuildError(f"{what}: {shown(text)!r} is not a whole number") from None
