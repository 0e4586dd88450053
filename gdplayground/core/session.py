"""Everything a user sets up, as plain frozen dataclasses, and its ``.gdp.json`` form.

A :class:`Session` is the single source of truth for the GUI and the command
line: the function, window, colour scaling, gradient mode, optimizers, start
point, steps and view toggles.  Loading validates everything with the same
rules as the editor (the function goes through the same parser) and either
returns a whole session or raises :class:`SessionError` with a message saying
what is wrong.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gdplayground.core.optimizers import OPTIMIZERS, OptimizerConfig, OptimizerError, make_config
from gdplayground.core.presets import load_presets

FORMAT_VERSION = 1
SUFFIX = ".gdp.json"
MAX_FILE_BYTES = 2_000_000
MAX_OPTIMIZERS = 64
MAX_STEPS = 100_000
MAX_NAME = 80
COLOR_SCALES = ("auto", "linear", "log")
GRADIENT_MODES = ("symbolic", "numeric")

#: Okabe & Ito's colour-blind-safe palette (black left out: it is the marker colour).
DEFAULT_COLORS = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
)
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


#: Windows and start points beyond this size are refused (optimizer runs count
#: points past it as diverged, and plots lose all precision).
MAX_COORDINATE = 1e10


def domain_problem(domain: tuple[float, float, float, float]) -> str | None:
    """Why ``(xmin, xmax, ymin, ymax)`` cannot be a plotting window, or None if it can."""
    if len(domain) != 4 or not all(math.isfinite(v) for v in domain):
        return "write four finite numbers [xmin, xmax, ymin, ymax]"
    xmin, xmax, ymin, ymax = domain
    if not (xmin < xmax and ymin < ymax):
        return "write [xmin, xmax, ymin, ymax] with xmin < xmax and ymin < ymax"
    if max(abs(v) for v in domain) > MAX_COORDINATE:
        return f"keep the window within ±{MAX_COORDINATE:g}"
    for low, high, axis in ((xmin, xmax, "x"), (ymin, ymax, "y")):
        if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
            return f"the {axis} range {low:g} to {high:g} is too narrow to plot: widen it"
    return None


def start_problem(start: tuple[float, float]) -> str | None:
    """Why ``(x, y)`` cannot be a start point, or None if it can."""
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        return "write two finite numbers [x, y]"
    if max(abs(v) for v in start) > MAX_COORDINATE:
        return f"keep the start within ±{MAX_COORDINATE:g}"
    return None


def start_inside(
    start: tuple[float, float], domain: tuple[float, float, float, float]
) -> tuple[float, float]:
    """``start`` if it lies in the window, else a point in its upper left (where
    the standard test functions' interesting descents begin)."""
    xmin, xmax, ymin, ymax = domain
    if xmin <= start[0] <= xmax and ymin <= start[1] <= ymax:
        return start
    return (xmin + 0.2 * (xmax - xmin), ymin + 0.8 * (ymax - ymin))


def shown_minima(session: Session) -> tuple[tuple[float, float], ...]:
    """The known minima the views mark: the preset's, when minima are shown."""
    if session.preset is None or not session.view.show_minima:
        return ()
    return load_presets()[session.preset].minima


class SessionError(ValueError):
    """A session that cannot be loaded; the message names the field and the fix."""


@dataclass(frozen=True)
class OptimizerEntry:
    """One racer: a method with its hyperparameters, a display name and a colour."""

    name: str
    method: str
    params: dict[str, float]
    color: str
    enabled: bool = True

    @property
    def config(self) -> OptimizerConfig:
        """The validated method and hyperparameters."""
        return OptimizerConfig(self.method, dict(self.params))


@dataclass(frozen=True)
class ViewOptions:
    """What the views show besides the function and the paths."""

    show_gradient_arrows: bool = False
    show_step_arrows: bool = False
    show_isolines: bool = True
    show_minima: bool = True


@dataclass(frozen=True)
class Session:
    """The whole state needed to reproduce a demo."""

    function: str
    domain: tuple[float, float, float, float]
    start: tuple[float, float]
    optimizers: tuple[OptimizerEntry, ...]
    color_scale: str = "auto"
    gradient: str = "symbolic"
    h: float | None = None
    steps: int = 200
    tol: float = 1e-10
    preset: str | None = None
    view: ViewOptions = field(default_factory=ViewOptions)


def entry_for(method: str, index: int, params: dict[str, float] | None = None) -> OptimizerEntry:
    """A new entry for ``method`` with its defaults and the ``index``-th palette colour."""
    config = make_config(method, params)
    title = OPTIMIZERS[config.name].title
    return OptimizerEntry(
        title, config.name, config.params, DEFAULT_COLORS[index % len(DEFAULT_COLORS)]
    )


def default_session() -> Session:
    """What a first launch shows: Rosenbrock, five optimizers, ready to play."""
    preset = load_presets()["rosenbrock"]
    methods = {
        "gd": {"lr": 1e-3},
        "momentum": {"lr": 1e-3},
        "rmsprop": {"lr": 0.02},
        "adam": {"lr": 0.1},
        "newton": {"lr": 0.5},
    }
    entries = tuple(entry_for(m, i, p) for i, (m, p) in enumerate(methods.items()))
    return Session(
        function=preset.formula,
        domain=preset.domain,
        start=(-1.5, 2.0),
        optimizers=entries,
        preset=preset.key,
        steps=300,
    )


# ------------------------------------------------------------------ serialising


def session_to_dict(session: Session) -> dict[str, Any]:
    """The JSON-ready form of a session, with its format version."""
    data = asdict(session)
    data["domain"] = list(session.domain)
    data["start"] = list(session.start)
    return {"format": "gdplayground-session", "version": FORMAT_VERSION, **data}


def session_to_json(session: Session) -> str:
    """The ``.gdp.json`` text of a session."""
    return json.dumps(session_to_dict(session), indent=2, allow_nan=False) + "\n"


def save_session(session: Session, path: str | Path) -> None:
    """Write a session atomically: a crash mid-save never destroys the previous file."""
    from gdplayground.io.files import atomic_write_text

    atomic_write_text(path, session_to_json(session))


def load_session(path: str | Path) -> Session:
    """Read and validate a ``.gdp.json`` file; raise SessionError if anything is wrong."""
    from gdplayground.io.files import InputError, read_regular_file

    p = Path(path)
    try:
        raw = read_regular_file(p, MAX_FILE_BYTES, "session file (.gdp.json)")
    except InputError as exc:
        raise SessionError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SessionError(f"{p.name} is not a text file (not UTF-8)") from None
    return session_from_json(text)


def session_from_json(text: str) -> Session:
    """Parse and validate session JSON text."""

    def no_constants(name: str) -> None:
        raise SessionError(f"the file contains {name}, which is not a number: write a finite value")

    try:
        data = json.loads(text, parse_constant=no_constants)
    except SessionError:
        raise
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise SessionError("the file is nested too deeply to be a session") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise SessionError(f"not a session file: {exc}") from None
    return session_from_dict(data)


def session_from_dict(data: Any) -> Session:
    """Validate a decoded session; return it whole or raise SessionError."""
    r = _Reader(data, "session")
    version = r.integer("version", 1, 10**6)
    if version > FORMAT_VERSION:
        raise SessionError(
            f"this session was saved by a newer gdplayground (format {version}); "
            f"this version reads format {FORMAT_VERSION}: please update"
        )
    function = r.text("function", 2000)
    from gdplayground.core.expression import ExpressionError, parse_expression  # sympy: lazily

    try:
        parse_expression(function)
    except ExpressionError as exc:
        raise SessionError(f"function {function!r}: {exc}") from None
    domain = tuple(r.numbers("domain", 4))
    problem = domain_problem(domain)  # type: ignore[arg-type]
    if problem:
        raise SessionError(f"domain: {problem}")
    start = tuple(r.numbers("start", 2))
    problem = start_problem(start)  # type: ignore[arg-type]
    if problem:
        raise SessionError(f"start: {problem}")
    preset = r.optional_text("preset", 64)
    if preset is not None and preset not in load_presets():
        raise SessionError(f"preset {preset!r} is not one of {', '.join(load_presets())}")
    if preset is not None and load_presets()[preset].formula != function:
        raise SessionError(
            f"preset {preset!r} does not match the function: remove the preset field, "
            f"or write the preset's formula {load_presets()[preset].formula!r}"
        )
    h = r.optional_number("h", low=0.0, strict=True)
    items = r.array("optimizers", MAX_OPTIMIZERS)
    optimizers = tuple(_read_entry(item, i) for i, item in enumerate(items))
    view = r.sub("view", optional=True)
    return Session(
        function=function,
        domain=domain,  # type: ignore[arg-type]
        start=start,  # type: ignore[arg-type]
        optimizers=optimizers,
        color_scale=r.choice("color_scale", COLOR_SCALES, "auto"),
        gradient=r.choice("gradient", GRADIENT_MODES, "symbolic"),
        h=h,
        steps=r.integer("steps", 0, MAX_STEPS, default=200),
        tol=r.number("tol", low=0.0, default=1e-10),
        preset=preset,
        view=_read_view(view) if view is not None else ViewOptions(),
    )


def _read_entry(item: Any, index: int) -> OptimizerEntry:
    r = _Reader(item, f"optimizers[{index}]")
    method = r.text("method", 32)
    params_reader = r.sub("params", optional=True)
    params: dict[str, float] = {}
    if params_reader is not None:
        for key in params_reader.keys():
            params[key] = params_reader.number(key)
    try:
        config = make_config(method, params)
    except OptimizerError as exc:
        raise SessionError(f"optimizers[{index}]: {exc}") from None
    color = r.text("color", 7, default=DEFAULT_COLORS[index % len(DEFAULT_COLORS)])
    if not _HEX.match(color):
        raise SessionError(f"optimizers[{index}].color {color!r}: write a colour like #E69F00")
    name = r.text("name", MAX_NAME, default=OPTIMIZERS[config.name].title)
    return OptimizerEntry(name, config.name, config.params, color, r.boolean("enabled", True))


def _read_view(r: _Reader) -> ViewOptions:
    defaults = ViewOptions()
    return ViewOptions(**{k: r.boolean(k, v) for k, v in asdict(defaults).items()})


_MISSING = object()


class _Reader:
    """Typed access to one JSON object, with messages that name the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise SessionError(f"{where}: expected an object {{...}}, found {_kind(data)}")
        self.data = data
        self.where = where

    def keys(self) -> list[str]:
        return list(self.data)

    def _get(self, key: str, default: Any) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if default is _MISSING:
                raise SessionError(f"{self.where}: missing field {key!r}")
            return default
        return value

    def _path(self, key: str) -> str:
        return key if self.where == "session" else f"{self.where}.{key}"

    def text(self, key: str, max_len: int, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise SessionError(f"{self._path(key)}: expected text, found {_kind(value)}")
        if len(value) > max_len:
            raise SessionError(f"{self._path(key)}: longer than {max_len} characters")
        return value

    def optional_text(self, key: str, max_len: int) -> str | None:
        if self.data.get(key) is None:
            return None
        return self.text(key, max_len)

    def number(
        self, key: str, low: float | None = None, strict: bool = False, default: Any = _MISSING
    ) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SessionError(f"{self._path(key)}: expected a number, found {_kind(value)}")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise SessionError(f"{self._path(key)}: must be a finite number")
        if low is not None and (value < low or (strict and value == low)):
            op = ">" if strict else ">="
            raise SessionError(f"{self._path(key)}: must be {op} {low:g}, not {value:g}")
        return value

    def optional_number(self, key: str, low: float, strict: bool) -> float | None:
        if self.data.get(key) is None:
            return None
        return self.number(key, low, strict)

    def integer(self, key: str, low: int, high: int, default: Any = _MISSING) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise SessionError(f"{self._path(key)}: expected a whole number, found {_kind(value)}")
        if not low <= value <= high:
            raise SessionError(f"{self._path(key)}: must be between {low} and {high}")
        return value

    def numbers(self, key: str, count: int) -> list[float]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or len(value) != count:
            raise SessionError(f"{self._path(key)}: expected a list of {count} numbers")
        inner = _Reader({str(i): v for i, v in enumerate(value)}, self._path(key))
        return [inner.number(str(i)) for i in range(count)]

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise SessionError(f"{self._path(key)}: expected true or false, found {_kind(value)}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, 32, default)
        if value not in options:
            raise SessionError(f"{self._path(key)}: {value!r} is not one of {', '.join(options)}")
        return value

    def array(self, key: str, max_len: int) -> list[Any]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list):
            raise SessionError(f"{self._path(key)}: expected a list, found {_kind(value)}")
        if len(value) > max_len:
            raise SessionError(f"{self._path(key)}: at most {max_len} entries")
        return value

    def sub(self, key: str, optional: bool = False) -> _Reader | None:
        value = self._get(key, None if optional else _MISSING)
        if value is None and optional:
            return None
        return _Reader(value, self._path(key))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)
