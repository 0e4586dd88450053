"""The ``.gdp.json`` form of a session: writing it, and reading it back whole or not at all.

Reading checks the types of every field here and every value with the one
set of rules (:func:`gdplayground.model.rules.check_session`), so a file
loads exactly when the window would accept what it says.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from gdplayground.io.files import InputError, atomic_write_text, read_regular_file
from gdplayground.model.limits import (
    COLOR_SCALES,
    DEFAULT_SEED,
    DEFAULT_STEPS,
    DEFAULT_TOL,
    FORMAT_NAME,
    FORMAT_VERSION,
    GRADIENT_MODES,
    MAX_FILE_BYTES,
    MAX_FIT_CHARS,
    MAX_FUNCTION_CHARS,
    MAX_LESSON_TEXT,
    MAX_LESSON_TITLE,
    MAX_NAME,
    MAX_OPTIMIZERS,
    PLAIN_FORMAT_VERSION,
)
from gdplayground.model.palette import PALETTE
from gdplayground.model.rules import check_session
from gdplayground.model.session import (
    BuiltinData,
    CsvData,
    CsvFile,
    DataChoice,
    FitSetup,
    Lesson,
    OptimizerEntry,
    Session,
    SessionError,
    ViewOptions,
)

#: A CSV kept inside a session is at most this long (10,000 rows of 8 long numbers).
MAX_CSV_CHARS = 3_000_000
#: A batch size is written "full" or as a whole number.
FULL = "full"

#: Python refuses to turn longer integers into text; session files never need them.
MAX_INTEGER_DIGITS = 400
#: Longer numbers with a fraction or an exponent are refused too (none is needed).
MAX_NUMBER_CHARS = 400


def session_to_dict(session: Session) -> dict[str, Any]:
    """The JSON-ready form of a session, with its format name and version (2 for a
    fit to data or a seed, which version 1 readers would not understand; else 1)."""
    data = asdict(session)
    data["domain"] = list(session.domain)
    data["start"] = list(session.start)
    plain = session.fit is None and session.seed == DEFAULT_SEED
    for entry, written in zip(session.optimizers, data["optimizers"], strict=True):
        del written["batch_size"]
        if session.fit is not None:
            written["batch_size"] = FULL if entry.batch_size is None else entry.batch_size
    del data["fit"], data["seed"]
    if not plain:
        data["seed"] = session.seed
    if session.fit is not None:
        data["fit"] = _fit_to_dict(session.fit)
    version = PLAIN_FORMAT_VERSION if plain else FORMAT_VERSION
    return {"format": FORMAT_NAME, "version": version, **data}


def _fit_to_dict(fit: FitSetup) -> dict[str, Any]:
    data: dict[str, Any]
    if isinstance(fit.data, BuiltinData):
        d = fit.data
        data = {"builtin": d.name, "n": d.n, "noise": d.noise, "seed": d.seed}
    elif isinstance(fit.data, CsvData):
        data = {"csv": fit.data.text, "name": fit.data.name}
    else:
        d = fit.data
        data = {"path": d.path, "sha256": d.sha256, "columns": list(d.columns), "rows": d.rows}
    return {"preset": fit.preset, "model": fit.model, "loss": fit.loss, "data": data}


def session_to_json(session: Session) -> str:
    """The ``.gdp.json`` text of a session."""
    return json.dumps(session_to_dict(session), indent=2, allow_nan=False) + "\n"


def save_session(session: Session, path: str | Path) -> None:
    """Write a session atomically: a crash mid-save never destroys the previous file."""
    atomic_write_text(path, session_to_json(session))


def load_session(path: str | Path) -> Session:
    """Read and validate a ``.gdp.json`` file; raise SessionError if anything is wrong."""
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

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
            raise SessionError(
                f"the file contains a whole number of {len(digits.lstrip('-'))} digits: "
                "write a number of sensible size"
            )
        return int(digits)

    def real(digits: str) -> float:
        if len(digits) > MAX_NUMBER_CHARS:
            raise SessionError(
                f"the file contains a number of {len(digits)} characters: "
                "write a number of sensible size"
            )
        value = float(digits)
        if not math.isfinite(value):
            raise SessionError(
                f"the file contains {digits if len(digits) <= 24 else digits[:20] + '...'}, "
                "beyond the range of float64 (about ±1.8e308): "
                "write a number of sensible size"
            )
        return value

    try:
        data = json.loads(text, parse_constant=no_constants, parse_int=integer, parse_float=real)
    except SessionError:
        raise
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise SessionError("the file is nested too deeply to be a session") from None
    except ValueError as exc:
        raise SessionError(f"not a session file: {exc}") from None
    return session_from_dict(data)


def session_from_dict(data: Any) -> Session:
    """Validate a decoded session; return it whole or raise SessionError."""
    r = _Reader(data, "session")
    kind = r.data.get("format")
    if kind != FORMAT_NAME:
        found = "no format field" if kind is None else f"format {kind!r}"
        raise SessionError(
            f'not a gdplayground session ({found}; expected "format": "{FORMAT_NAME}")'
        )
    version = r.integer("version", 1, 10**6)
    if version > FORMAT_VERSION:
        raise SessionError(
            f"this session was saved by a newer gdplayground (format {version}); "
            f"this version reads format {FORMAT_VERSION}: please update"
        )
    items = r.array("optimizers", MAX_OPTIMIZERS)
    view = r.sub("view", optional=True)
    fit_reader = r.sub("fit", optional=True)
    fit = _read_fit(fit_reader) if fit_reader is not None else None
    lesson = r.sub("lesson", optional=True)
    session = Session(
        function=r.text("function", MAX_FUNCTION_CHARS),
        domain=tuple(r.numbers("domain", 4)),  # type: ignore[arg-type]
        start=tuple(r.numbers("start", 2)),  # type: ignore[arg-type]
        optimizers=tuple(_read_entry(item, i, fit is not None) for i, item in enumerate(items)),
        color_scale=r.choice("color_scale", COLOR_SCALES, "auto"),
        gradient=r.choice("gradient", GRADIENT_MODES, "symbolic"),
        h=r.optional_number("h"),
        steps=r.integer("steps", -(10**9), 10**9, default=DEFAULT_STEPS),
        tol=r.number("tol", default=DEFAULT_TOL),
        preset=r.optional_text("preset", 64),
        view=_read_view(view) if view is not None else ViewOptions(),
        fit=fit,
        seed=r.integer("seed", -(10**20), 10**20, default=DEFAULT_SEED),
        lesson=_read_lesson(lesson) if lesson is not None else None,
    )
    return check_session(session)


def _read_fit(r: _Reader) -> FitSetup:
    d = r.sub("data")
    assert d is not None
    if "builtin" in d.data:
        data: DataChoice = BuiltinData(
            d.text("builtin", 32),
            d.integer("n", -(10**20), 10**20),
            d.number("noise"),
            d.integer("seed", -(10**20), 10**20),
        )
    elif "csv" in d.data:
        data = CsvData(d.text("csv", MAX_CSV_CHARS), d.text("name", 1000, default=""))
    elif "path" in d.data:
        columns = d.array("columns", 64)
        if not all(isinstance(c, str) for c in columns):
            raise SessionError("fit.data.columns: expected a list of column names")
        data = CsvFile(
            d.text("path", 4096),
            d.text("sha256", 64),
            tuple(columns),
            d.integer("rows", 0, 10**12),
        )
    else:
        raise SessionError(
            'fit.data: expected "builtin" (with n, noise, seed), "csv" (the data) or "path"'
        )
    return FitSetup(
        model=r.text("model", MAX_FIT_CHARS),
        loss=r.text("loss", MAX_FIT_CHARS),
        data=data,
        preset=r.optional_text("preset", 64),
    )


def _read_lesson(r: _Reader) -> Lesson:
    return Lesson(r.text("title", MAX_LESSON_TITLE), r.text("text", MAX_LESSON_TEXT, default=""))


def _read_entry(item: Any, index: int, fit: bool = False) -> OptimizerEntry:
    from gdplayground.core.optimizers import OPTIMIZERS, OptimizerError, make_config

    r = _Reader(item, f"optimizers[{index}]")
    method = r.text("method", 32)
    params_reader = r.sub("params", optional=True)
    params: dict[str, float] = {}
    if params_reader is not None:
        for key in params_reader.keys():
            # a number, or the text of a choice (a schedule's name)
            params[key] = params_reader.number_or_text(key, 32)
    try:
        config = make_config(method, params)
    except OptimizerError as exc:
        raise SessionError(f"optimizers[{index}]: {exc}") from None
    color = r.text("color", 7, default=PALETTE[index % len(PALETTE)])
    name = r.text("name", MAX_NAME, default=OPTIMIZERS[config.name].title)
    batch_size = None
    if fit and r.data.get("batch_size", FULL) != FULL:
        batch_size = r.integer("batch_size", -(10**20), 10**20)
    return OptimizerEntry(
        name, config.name, config.params, color, r.boolean("enabled", True), batch_size
    )


def _read_view(r: _Reader) -> ViewOptions:
    defaults = asdict(ViewOptions())

    def read(key: str, default: Any) -> Any:
        if isinstance(default, bool):
            return r.boolean(key, default)
        if isinstance(default, str):
            return r.text(key, 32, default=default)
        return r.number(key, default=default)

    return ViewOptions(**{k: read(k, v) for k, v in defaults.items()})


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

    def number_or_text(self, key: str, max_len: int) -> float | str:
        if isinstance(self.data.get(key), str):
            return self.text(key, max_len)
        return self.number(key)

    def optional_number(self, key: str) -> float | None:
        if self.data.get(key) is None:
            return None
        return self.number(key)

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
