"""Every limit and default of a session, in one place.

The panels, the session-file reader and the command line all take their
limits from here (and their checks from :mod:`gdplayground.model.rules`), so
what one of them accepts the others accept too.
"""

from __future__ import annotations

#: Session files of the current format, and the suffix they are saved with.
FORMAT_NAME = "gdplayground-session"
FORMAT_VERSION = 1
SUFFIX = ".gdp.json"
#: A session file is read only up to this many bytes.
MAX_FILE_BYTES = 2_000_000

MAX_OPTIMIZERS = 64
MAX_STEPS = 100_000
MAX_NAME = 80
MAX_FUNCTION_CHARS = 2000
#: Windows and start points beyond this size are refused (optimizer runs count
#: points past it as diverged, and plots lose all precision).
MAX_COORDINATE = 1e10
#: runs x (steps + 1) points at most in one request: keeps memory and time bounded.
MAX_POINT_STEPS = 20_000_000
#: starts in one ``run`` request
MAX_STARTS = 1000

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

#: text and line scales of the views (presenter mode uses 2)
MIN_VIEW_SCALE = 0.5
MAX_VIEW_SCALE = 4.0
