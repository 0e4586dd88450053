"""The one builder: options as a user writes them (or a saved file) -> a checked Session.

``gdplayground run``, ``gdplayground export`` and every later command build
their session here, so they agree on preset lookup, names, colours, limits
and defaults, and on every refusal, with each other and with the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gdplayground.model.limits import (
    DEFAULT_FIT_START,
    DEFAULT_PRESET,
    DEFAULT_SEED,
    DEFAULT_START,
    DEFAULT_STEPS,
    DEFAULT_TOL,
    GRADIENT_MODES,
    MAX_INLINE_ROWS,
    MAX_STARTS,
)
from gdplayground.model.presets import find_preset, load_presets
from gdplayground.model.rules import (
    check_session,
    choice_problem,
    domain_problem,
    h_problem,
    seed_problem,
    start_problem,
    steps_problem,
    tol_problem,
    work_problem,
)
from gdplayground.model.session import (
    BuiltinData,
    CsvData,
    CsvFile,
    DataChoice,
    FitSetup,
    Session,
    SessionError,
    ViewOptions,
    default_entries,
    default_fit_entries,
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
    #: a fit to data: a fit preset's name, a CSV file, or a built-in set
    #: ``NAME[:n=N,noise=S,seed=K]``; the model and loss as typed
    fit: str | None = None
    data: str | None = None
    dataset: str | None = None
    model: str | None = None
    loss: str | None = None
    seed: str | None = None


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


def _optimizers(texts: tuple[str, ...], fit: bool):
    from gdplayground.core.optimizers import OptimizerError

    choices, sizes = [], []
    for text in texts:
        method, params = parse_optimizer_spec(text)
        size = params.pop("batch_size", None)
        if size is not None and not fit:
            raise BuildError(
                f"--optimizer {method}: batch_size applies to a fit to data: "
                "add --fit NAME, --data FILE.csv or --dataset NAME"
            )
        sizes.append(_batch_size(size, method) if size is not None else None)
        choices.append((method, params))
    try:
        return entries_for(choices, sizes)  # type: ignore[arg-type]
    except OptimizerError as exc:
        raise BuildError(str(exc)) from None


def _batch_size(value: float | str, method: str) -> int | None:
    """``full`` -> None; a whole number k >= 1 -> k (checked against n later)."""
    if isinstance(value, str) and value.strip().lower() == "full":
        return None
    if isinstance(value, str) or not float(value).is_integer() or value < 1:
        raise BuildError(
            f"--optimizer {method}: batch_size={value if isinstance(value, str) else f'{value:g}'}"
            ": write batch_size=full or a whole number such as 32"
        )
    return int(value)


# ------------------------------------------------------------------ a fit to data
def parse_dataset_spec(text: str) -> BuiltinData:
    """``line:n=500,noise=0.3,seed=2`` -> the built-in set (n, noise, seed default
    to 200, 1 and 0); the rules check the values."""
    from gdplayground.core.data.generators import GENERATORS

    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in GENERATORS:
        raise BuildError(
            f"--dataset {shown(text)!r}: unknown data set {name!r}: "
            f"choose one of {', '.join(GENERATORS)}"
        )
    values: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in ("n", "noise", "seed"):
            raise BuildError(
                f"--dataset {shown(text)!r}: write NAME:n=N,noise=S,seed=K, e.g. {name}:n=500"
            )
        values[key] = value
    n = _whole(values["n"], "--dataset n") if "n" in values else 200
    noise = parse_number(values["noise"], "--dataset noise") if "noise" in values else 1.0
    seed = _whole(values["seed"], "--dataset seed") if "seed" in values else 0
    return BuiltinData(name, n, noise, seed)


def read_data_file(path: str) -> DataChoice:
    """A CSV file as a session keeps it: its contents up to ``MAX_INLINE_ROWS`` rows,
    else its absolute path and checksum.  Raises BuildError with the reader's one
    line (naming the row and column of a bad cell)."""
    import os

    from gdplayground.core.data.csv_files import csv_text, read_csv
    from gdplayground.core.data.dataset import DataError

    try:
        data = read_csv(path)
    except DataError as exc:
        raise BuildError(f"--data: {exc}") from None
    if data.n <= MAX_INLINE_ROWS:
        return CsvData(csv_text(data), os.path.basename(path))
    return CsvFile(os.path.abspath(path), data.source.sha256, data.columns, data.n)  # type: ignore[union-attr]


def _columns(data: DataChoice) -> tuple[str, ...]:
    from gdplayground.model.rules import data_problem, data_shape

    shape = data_shape(data)
    if shape is None:
        raise BuildError(f"the data: {data_problem(data)}")
    return shape[0]


def _fit(options: SessionOptions, base: Session | None) -> FitSetup | None:
    """The fit the options describe (None: a typed function), before the rules."""
    from gdplayground.model.fits import load_fits

    sources = [o for o in ("fit", "data", "dataset") if getattr(options, o) is not None]
    if options.function is not None and sources:
        raise BuildError(
            f"give a FUNCTION or a fit to data (--{sources[0]}), not both: "
            f"leave out {shown(options.function)!r} or --{sources[0]}"
        )
    if options.data is not None and options.dataset is not None:
        raise BuildError("give --data FILE.csv or --dataset NAME, not both")
    fit = base.fit if base is not None and options.function is None else None
    if options.fit is not None:
        presets = load_fits()
        key = options.fit.strip().lower()
        if key not in presets:
            raise BuildError(f"--fit {shown(options.fit)!r}: choose one of {', '.join(presets)}")
        p = presets[key]
        fit = FitSetup(p.model, p.loss, BuiltinData(p.data, p.n, p.noise, p.seed), key)
    data: DataChoice | None = None
    if options.data is not None:
        data = read_data_file(options.data)
    elif options.dataset is not None:
        data = parse_dataset_spec(options.dataset)
    if data is not None:
        columns = _columns(data)
        if fit is None:
            fit = FitSetup(f"w*{columns[0]} + b", f"(m - {columns[-1]})^2", data)
        else:
            fit = replace(fit, data=data)
    for option in ("model", "loss"):
        text = getattr(options, option)
        if text is None:
            continue
        if fit is None:
            raise BuildError(
                f"--{option} applies to a fit to data: add --fit NAME, --data FILE.csv "
                "or --dataset NAME"
            )
        fit = replace(fit, **{option: text})
    return fit


def _fit_message(message: str, session: Session) -> str:
    """A rules' message about a fit in the command line's words."""
    where, _, rest = message.partition(": ")
    if where.startswith("optimizers[") and where.endswith("].batch_size"):
        index = int(where[len("optimizers[") : -len("].batch_size")])
        return f"--optimizer {session.optimizers[index].method}: {rest}"
    for field, option in (("fit.model", "the model"), ("fit.loss", "the loss")):
        if message.startswith(field + ":"):
            return f"in {option}" + message[len(field) :]
    if message.startswith("fit.data:"):
        return "the data" + message[len("fit.data") :]
    return message


def build_session(options: SessionOptions, max_starts: int = MAX_STARTS) -> BuiltSession:
    """The session ``options`` describe, checked by the one set of rules.

    A function may be a preset's name (``rosenbrock``) or formula: it then
    brings the preset's window, start and stars.  Options not given come
    from ``options.session`` if given, else the defaults of :mod:`limits`.
    """
    base = _load_base(options.session)
    fit = _fit(options, base)
    if options.function is None and base is None and fit is None:
        raise BuildError(
            "give a FUNCTION (or a preset name), a fit to data (--fit NAME, --data FILE.csv "
            "or --dataset NAME), or --session FILE"
        )
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
    elif base is not None:
        function, preset = base.function, base.preset
    else:  # a fit from scratch: the function is the one a first launch shows
        function, preset = load_presets()[DEFAULT_PRESET].formula, DEFAULT_PRESET
    new_fit = fit is not None and (base is None or fit != base.fit)
    fit_preset = _fit_preset(fit) if new_fit else None

    if len(options.starts) > max_starts:
        raise BuildError(
            f"--start given {len(options.starts)} times: at most {max_starts} here"
            + (" (a picture shows one start point, as the window does)" if max_starts == 1 else "")
        )
    starts = tuple(_start(text) for text in options.starts)
    if not starts:
        if fit_preset is not None:
            starts = (fit_preset.start,)
        elif new_fit:
            starts = (DEFAULT_FIT_START,)
        elif base is not None and options.function is None:
            starts = (base.start,)
        else:
            starts = (preset_start(preset) if preset else DEFAULT_START,)

    fit_domain = False
    if options.domain is not None:
        domain = parse_numbers(options.domain, 4, "--domain", "-2,2,-1,3")
        _checked(domain_problem(domain), f"--domain {options.domain} (XMIN,XMAX,YMIN,YMAX)")
    elif fit_preset is not None:
        domain = fit_preset.window
    elif preset is not None and not new_fit and (options.function is not None or base is None):
        domain = load_presets()[preset].domain
    elif base is not None and not new_fit:
        domain = base.domain
    else:  # a typed function or a fit without a preset: a window around the paths
        x, y = starts[0]
        domain, fit_domain = (x - 1, x + 1, y - 1, y + 1), True

    if options.optimizers:
        optimizers = _optimizers(options.optimizers, fit is not None)
    elif base is not None and not new_fit:
        optimizers = base.optimizers
    else:
        optimizers = default_fit_entries() if fit is not None else default_entries()
    if fit is not None and not options.optimizers:  # batch sizes no one asked for fit the data
        from gdplayground.model.rules import data_shape

        shape = data_shape(fit.data)
        if shape is not None:
            optimizers = tuple(
                replace(e, batch_size=min(e.batch_size, shape[1])) if e.batch_size else e
                for e in optimizers
            )

    if options.seed is not None:
        seed = _whole(options.seed, "--seed")
        _checked(seed_problem(seed), f"--seed {shown(options.seed)}")
    else:
        seed = base.seed if base else DEFAULT_SEED

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
        fit=fit,
        seed=seed,
    )
    if new_fit:  # w and b on scales of their own: a badly scaled valley is not a line
        view = base.view if base is not None else ViewOptions()
        common["view"] = replace(view, equal_aspect=False)
    session = replace(base, **common) if base is not None else Session(**common)  # type: ignore[arg-type]
    try:
        check_session(session)
    except SessionError as exc:
        if str(exc).startswith("function:"):
            raise BuildError("in the function" + str(exc)[len("function") :]) from None
        raise BuildError(_fit_message(str(exc), session)) from None
    return BuiltSession(session, starts, fit_domain)


def _fit_preset(fit: FitSetup | None):
    """The fit preset whose window and start a new fit brings (None: no preset)."""
    from gdplayground.model.fits import load_fits

    if fit is None or fit.preset is None:
        return None
    return load_fits().get(fit.preset)


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
