"""Everything a user sets up, as plain frozen dataclasses.

A :class:`Session` is the single source of truth for the window and the
command line: the function (or a fit to data, :class:`FitSetup`), window,
colour scaling, gradient mode, optimizers, start point, steps, seed and view
toggles.  Its fields are of two
kinds: *compute* fields change what is computed (:func:`compute_inputs`),
*presentation* fields (names, colours, view toggles, the preset's stars)
only change how it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gdplayground.core.optimizers import OPTIMIZERS, OptimizerConfig, make_config
from gdplayground.model.limits import (
    DEFAULT_FIT_OPTIMIZERS,
    DEFAULT_OPTIMIZERS,
    DEFAULT_PRESET,
    DEFAULT_SEED,
    DEFAULT_START,
    DEFAULT_STEPS,
    DEFAULT_TOL,
)
from gdplayground.model.palette import colour_for
from gdplayground.model.presets import load_presets


class SessionError(ValueError):
    """A session that cannot be used; the message names the field and the fix."""


@dataclass(frozen=True)
class OptimizerEntry:
    """One racer: a method with its hyperparameters, a display name and a colour."""

    name: str
    method: str
    params: dict[str, float]
    color: str
    enabled: bool = True
    #: examples a step of a data fit uses: None is every one (batch gradient
    #: descent), 1 is SGD, k a mini-batch; a typed function ignores it
    batch_size: int | None = None

    @property
    def config(self) -> OptimizerConfig:
        """The validated method and hyperparameters."""
        return OptimizerConfig(self.method, dict(self.params))


@dataclass(frozen=True)
class BuiltinData:
    """A built-in data set, generated from ``n``, ``noise`` and ``seed``."""

    name: str
    n: int = 200
    noise: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class CsvData:
    """A CSV data set kept by its contents (up to ``MAX_INLINE_ROWS`` rows): the
    text as :func:`gdplayground.core.data.csv_files.csv_text` writes it, and the
    name of the file it came from (for people)."""

    text: str
    name: str = ""


@dataclass(frozen=True)
class CsvFile:
    """A larger CSV file kept by its path and the SHA-256 of its bytes (a file that
    changed is refused with a message), with its columns and rows as they were."""

    path: str
    sha256: str
    columns: tuple[str, ...]
    rows: int


DataChoice = BuiltinData | CsvData | CsvFile


@dataclass(frozen=True)
class FitSetup:
    """A fit to data: a model m(x; w, b) and a per-example loss in the function
    language, the data, and the fit preset they came from (None: typed here)."""

    model: str
    loss: str
    data: DataChoice
    preset: str | None = None


@dataclass(frozen=True)
class ViewOptions:
    """What the views show besides the function and the paths."""

    show_gradient_arrows: bool = False
    show_step_arrows: bool = False
    show_isolines: bool = True
    show_minima: bool = True
    #: one unit of x as long as one unit of y on screen (circles look round)
    equal_aspect: bool = True
    #: every label, tick and legend text at this multiple of the normal size
    text_scale: float = 1.0
    #: paths, curves and markers at this multiple of their normal width and size
    line_scale: float = 1.0
    #: what the loss plots count along x: "steps", "examples" (epochs) or "evaluations"
    loss_x: str = "steps"
    #: a data fit's loss plot shows each step's batch loss instead of the full-data loss
    batch_loss: bool = False
    #: a data fit's gradient fan: batch gradients around the full one at a current point
    show_gradient_fan: bool = False
    #: a basin map and the stationary points, where they have been computed
    show_basins: bool = True
    show_stationary_points: bool = True


@dataclass(frozen=True)
class Lesson:
    """A few words a teacher says over a session: what to look at, a prediction to
    make before Play, and a change to try.  Shown beside the views."""

    title: str
    text: str


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
    steps: int = DEFAULT_STEPS
    tol: float = DEFAULT_TOL
    preset: str | None = None
    view: ViewOptions = field(default_factory=ViewOptions)
    #: the lesson this session is, if it is one (presentation only)
    lesson: Lesson | None = None
    #: a fit to data instead of the function (then the window is over (w, b))
    fit: FitSetup | None = None
    #: fixes a data fit's batches and every gradient noise
    seed: int = DEFAULT_SEED


def objective_inputs(session: Session) -> tuple:
    """What the objective depends on: the function (or the fit) and the gradient
    mode (h only matters to numeric gradients)."""
    h = session.h if session.gradient == "numeric" else None
    what = session.function if session.fit is None else _fit_inputs(session.fit)
    return (what, session.gradient, h)


def _fit_inputs(fit: FitSetup) -> tuple:
    """What a fit's objective depends on (the preset only names it)."""
    return ("fit", fit.model, fit.loss, fit.data)


def run_inputs(session: Session, entry: OptimizerEntry) -> tuple:
    """What one optimizer's run depends on: equal inputs give the same path.

    A data fit's run depends on its batch size too, and on the seed unless it
    is a full-batch run without noise; a typed function's on the seed only
    with gradient noise.  So changing one batch size recomputes one run.
    """
    batch = entry.batch_size if session.fit is not None else None
    stochastic = batch is not None or bool(entry.params.get("noise"))
    return (
        objective_inputs(session),
        entry.method,
        tuple(sorted(entry.params.items())),
        session.start,
        session.steps,
        session.tol,
        batch,
        session.seed if stochastic else None,
    )


def compute_inputs(session: Session) -> tuple:
    """Everything that is computed from a session, but not how it is drawn.

    Two sessions with equal compute inputs show the same grid and the same
    paths; names, colours, enabled flags and view toggles are not part of it
    (a disabled run is kept, so enabling it again computes nothing).
    """
    return (objective_inputs(session), session.domain, session.color_scale)


def entry_for(
    method: str, params: dict[str, float] | None = None, taken: tuple[str, ...] = ()
) -> OptimizerEntry:
    """A new entry for ``method``: its defaults, its title, and its default
    colour beside the colours ``taken`` (see :func:`colour_for`)."""
    config = make_config(method, params)
    title = OPTIMIZERS[config.name].title
    return OptimizerEntry(title, config.name, config.params, colour_for(config.name, taken))


def entries_for(
    choices: list[tuple[str, dict[str, float]]], batch_sizes: list[int | None] | None = None
) -> tuple[OptimizerEntry, ...]:
    """Entries for (method, overrides) pairs (with their batch sizes, for a fit),
    coloured by the one rule; a method that appears twice gets the hyperparameters
    (and batch size) it was given in its name."""
    sizes = batch_sizes if batch_sizes is not None else [None] * len(choices)
    entries: list[OptimizerEntry] = []
    for (method, params), size in zip(choices, sizes, strict=True):
        entry = entry_for(method, params, tuple(e.color for e in entries))
        entries.append(replace(entry, batch_size=size))
    methods = [e.method for e in entries]
    named = []
    for entry, (_, params) in zip(entries, choices, strict=True):
        if methods.count(entry.method) > 1:
            shown = [
                f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()
            ]
            if entry.batch_size is not None:
                shown.append(f"batch_size={entry.batch_size}")
            entry = replace(entry, name=f"{entry.name} ({', '.join(shown) or 'defaults'})")
        named.append(entry)
    return tuple(named)


def default_fit_entries() -> tuple[OptimizerEntry, ...]:
    """The default race of a fit to data (:data:`DEFAULT_FIT_OPTIMIZERS`)."""
    entries: list[OptimizerEntry] = []
    for method, params, size, name in DEFAULT_FIT_OPTIMIZERS:
        entry = entry_for(method, dict(params), tuple(e.color for e in entries))
        entries.append(replace(entry, name=name, batch_size=size))
    return tuple(entries)


def default_entries() -> tuple[OptimizerEntry, ...]:
    """The default race (:data:`DEFAULT_OPTIMIZERS`)."""
    return entries_for([(m, dict(p)) for m, p in DEFAULT_OPTIMIZERS])


def start_inside(
    start: tuple[float, float], domain: tuple[float, float, float, float]
) -> tuple[float, float]:
    """``start`` if it lies in the window, else a point in its upper left (where
    the standard test functions' interesting descents begin)."""
    xmin, xmax, ymin, ymax = domain
    if xmin <= start[0] <= xmax and ymin <= start[1] <= ymax:
        return start
    return (xmin + 0.2 * (xmax - xmin), ymin + 0.8 * (ymax - ymin))


def preset_start(key: str) -> tuple[float, float]:
    """Where a preset's race starts: its own start, else the default one if it is in view."""
    preset = load_presets()[key]
    if preset.start is not None:
        return preset.start
    return start_inside(DEFAULT_START, preset.domain)


def shown_minima(session: Session) -> tuple[tuple[float, float], ...]:
    """The known minima the views mark: the preset's, when minima are shown."""
    if session.preset is None or not session.view.show_minima or session.fit is not None:
        return ()
    return load_presets()[session.preset].minima


def default_session() -> Session:
    """What a first launch shows: Rosenbrock and the default race, ready to play."""
    preset = load_presets()[DEFAULT_PRESET]
    return Session(
        function=preset.formula,
        domain=preset.domain,
        start=preset_start(preset.key),
        optimizers=default_entries(),
        preset=preset.key,
    )
