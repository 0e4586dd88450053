"""Every limit and default of a session, in one place.

The panels, the session-file reader and the command line all take their
limits from here (and their checks from :mod:`gdplayground.model.rules`), so
what one of them accepts the others accept too.
"""

from __future__ import annotations

#: Session files of the current format, and the suffix they are saved with.  A
#: session with a fit to data or a seed is written as version 2 (what version 1
#: readers would not understand); any other as version 1.
FORMAT_NAME = "gdplayground-session"
FORMAT_VERSION = 2
PLAIN_FORMAT_VERSION = 1
SUFFIX = ".gdp.json"
#: A session file is read only up to this many bytes (a CSV of 10,000 rows of
#: eight long numbers fits).
MAX_FILE_BYTES = 4_000_000

MAX_OPTIMIZERS = 64
MAX_STEPS = 100_000
MAX_NAME = 80
MAX_FUNCTION_CHARS = 2000
#: Windows and start points beyond this size are refused (optimizer runs count
#: points past it as diverged, and plots lose all precision).
MAX_COORDINATE = 1e10
#: Bytes one recorded point of a run takes, at most, while it is computed: the
#: batch's history (point, value, gradient, velocity) and the trajectory's own
#: copies.  tests/model/test_budget.py measures it.
BYTES_PER_POINT = 160
#: runs x (steps + 1) points at most in one request: about 0.5 GB of
#: trajectories (``BYTES_PER_POINT`` each), and the views' drawing stays bounded.
#: A window of 64 optimizers runs 54,000 steps each; one optimizer, any number.
MAX_POINT_STEPS = 3_500_000
#: The computing one request may take, estimated before it starts (seconds).
MAX_RUN_SECONDS = 120.0
#: The estimate: every step costs ``STEP_SECONDS`` (evaluating f for all runs at
#: once), plus per optimizer the cost of its update (Newton solves a Hessian),
#: plus ``POINT_STEP_SECONDS`` per run.  Measured on a 2-core machine under load
#: for a function of a few terms; longer functions take longer.
STEP_SECONDS = 50e-6
METHOD_STEP_SECONDS = {
    "gd": 5e-6,
    "momentum": 10e-6,
    "nesterov": 20e-6,
    "adagrad": 12e-6,
    "rmsprop": 15e-6,
    "adam": 20e-6,
    "adamw": 20e-6,
    "newton": 70e-6,
}
POINT_STEP_SECONDS = 0.5e-6
#: starts in one ``run`` request
MAX_STARTS = 1000

#: A data fit's model and loss, as typed.
MAX_FIT_CHARS = 500
#: A CSV of up to this many rows is kept inside the session; a larger one by its
#: path and checksum.
MAX_INLINE_ROWS = 10_000
#: Seeds are whole numbers from 0 up to this (torch's generators take int64).
MAX_SEED = 2**63 - 1
DEFAULT_SEED = 0
#: A built-in data set's noise is at most this.
MAX_DATA_NOISE = 1e6
#: What the loss plots may count along x.
LOSS_AXES = ("steps", "examples", "evaluations")

COLOR_SCALES = ("auto", "linear", "log")
GRADIENT_MODES = ("symbolic", "numeric")

DEFAULT_STEPS = 300
DEFAULT_TOL = 1e-10
DEFAULT_START = (-1.5, 2.0)
DEFAULT_PRESET = "rosenbrock"
#: The race a first launch shows, and what ``run`` and ``export`` race when no
#: ``--optimizer`` is given: (method, hyperparameters other than the defaults).
DEFAULT_OPTIMIZERS: tuple[tuple[str, dict[str, float]], ...] = (
    ("gd", {}),
    ("momentum", {}),
    ("rmsprop", {"lr": 0.02}),
    ("adam", {"lr": 0.1}),
    ("newton", {"lr": 0.5}),
)

#: The race of a fit to data when no ``--optimizer`` is given, and of the Fit menu:
#: (method, hyperparameters, batch size (None: full), name): batch, stochastic and
#: mini-batch gradient descent at one learning rate, and Adam on mini-batches.
DEFAULT_FIT_OPTIMIZERS: tuple[tuple[str, dict[str, float], int | None, str], ...] = (
    ("gd", {"lr": 0.05}, None, "Batch GD"),
    ("gd", {"lr": 0.05}, 1, "SGD (batch 1)"),
    ("gd", {"lr": 0.05}, 16, "Mini-batch GD (16)"),
    ("adam", {"lr": 0.1}, 16, "Adam (16)"),
)
#: Where a fit without a preset starts: w = b = 0.
DEFAULT_FIT_START = (0.0, 0.0)

#: text and line scales of the views (presenter mode uses 2)
MIN_VIEW_SCALE = 0.5
MAX_VIEW_SCALE = 4.0

#: A lesson's title and text (about 150 words, with room for markup).
MAX_LESSON_TITLE = 80
MAX_LESSON_TEXT = 2000
#: Lessons are session files; a folder of them is read up to this many.
MAX_LESSONS_PER_FOLDER = 200

# ------------------------------------------------------------------ exploring
#: Basin maps: starts a side of the grid (the window's menu offers BASIN_GRIDS).
MIN_BASIN_GRID = 2
MAX_BASIN_GRID = 1000
DEFAULT_BASIN_GRID = 200
BASIN_GRIDS = (50, 100, 200, 400, 1000)
#: Learning-rate sweeps: rates spaced logarithmically from LOW to HIGH.
DEFAULT_SWEEP_LOW = 1e-4
DEFAULT_SWEEP_HIGH = 1.0
MIN_SWEEP_POINTS = 2
MAX_SWEEP_POINTS = 1000
DEFAULT_SWEEP_POINTS = 40
#: Runs of a basin map or a sweep keep only where they end: a step of one run
#: costs about this much (a batch of a few thousand runs, a function of a few
#: terms, a 2-core machine under load), except for L-BFGS, which steps each run
#: on its own, in Python, with up to ``max_iter`` (20) iterations a step, each
#: going through up to ``history_size`` (100) pairs: 6-13 ms a step measured
#: where every iteration is used (Rosenbrock at a small lr), 70 us where it
#: stops early (Himmelblau).  The budget takes the worst case.
UNRECORDED_POINT_STEP_SECONDS = 100e-9
LBFGS_POINT_STEP_SECONDS = 7e-3
